# SPDX-License-Identifier: GPL-2.0
# Plain kexec round trip with kexec-tools: "kexec -s -l" then "kexec -e".
# Stage 2 proves it runs in the kexec'd kernel: its command line carries the
# marker stage 1 appended, and its boot id differs from stage 1's.
# lu-timeout: 120

stage1() {
	lu_check "boot id readable" test -n "$(lu_boot_id)"
	# LU_RT_TOOL is "-s" when kexec_syscall.sh reuses this test.
	lu_kexec_next $LU_RT_TOOL "lu_marker=$(cat /proc/sys/kernel/random/uuid)"
}

stage2() {
	local prev
	prev=$(lu_param lu_prev_boot)
	lu_check "kexec'd kernel carries the stage-1 cmdline marker" lu_param lu_marker
	lu_check "stage 1 recorded its boot id" test -n "$prev"
	lu_check "boot id differs from stage 1 ($prev)" test "$(lu_boot_id)" != "$prev"
	lu_check "plain kexec made no KHO hand-over" test ! -e /sys/kernel/debug/kho/in
	lu_done
}
