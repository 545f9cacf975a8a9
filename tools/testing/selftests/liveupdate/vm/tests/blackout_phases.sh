# SPDX-License-Identifier: GPL-2.0
# The blackout's phases (kernel/liveupdate/kho_blackout.c): the old kernel
# stamps reboot(2), the freeze and the jump into its "lu612,blackout" KHO
# subtree; the next kernel adds its own stamps and shows them all on the
# cycle counter in /sys/kernel/debug/liveupdate/blackout and one log line.
# ours -> ours: every phase is there, in order.  ours -> mainline: mainline
# takes the hand-over with the unknown subtree in it.  mainline -> ours:
# no old stamps, no log line, no complaint; this kernel's own phases only.
# lu-kernels: default default mainline default
# lu-append: kho=on liveupdate=on
# lu-mem: 1G
# lu-timeout: 600

BLACKOUT=/sys/kernel/debug/liveupdate/blackout
ORDER="reboot frozen jump setup kho-reserve kho-reserved kho-stamp kho-stamped luo-ready"

# blackout_col NAME COLUMN: column 2 (counter) or 3 (ms) of phase NAME.
blackout_col() { awk -v n="$1" -v c="$2" '$1 == n { print $c }' $BLACKOUT; }

# blackout_ordered PHASE...: every phase has a counter value, and each is
# at least the one before.
blackout_ordered() {
	local p v prev=0 bad=""
	for p in "$@"; do
		v=$(blackout_col "$p" 2)
		if [ -z "$v" ] || [ "$v" = 0 ]; then bad="$bad $p:missing"; continue; fi
		[ "$v" -ge "$prev" ] || bad="$bad $p:before-the-previous"
		prev=$v
	done
	lu_expect_eq "blackout phases present and in order:$(echo $@ | tr ' ' ,)" "" "$bad"
}

blackout_kexec() {
	lu_memfd_kexec create:s new:m:$((4 << 20)):$LU_STAGE:full preserve:s:1:m
}

stage1() {
	sed 's/^/# /' $BLACKOUT
	lu_expect_eq "a cold boot has no old kernel's stamps" 0 "$(blackout_col reboot 2)"
	blackout_ordered luo-ready
	blackout_kexec
}

stage2() {
	sed 's/^/# /' $BLACKOUT
	lu_check "the counter frequency is known" test "$(sed -n 's/^counter_khz //p' $BLACKOUT)" -gt 0
	blackout_ordered $ORDER
	lu_expect_eq "times are measured from reboot(2)" 0.000 "$(blackout_col reboot 3)"
	lu_check "the kernel logged the blackout" lu_dmesg 'blackout so far, us after reboot\(2\): frozen [0-9]+, jump [0-9]+, setup_arch [0-9]+'
	lu_check "/dev/liveupdate ready has CLOCK_BOOTTIME" test "$(sed -n 's/^boottime_ns //p' $BLACKOUT)" -gt 0
	blackout_kexec
}

stage3() {
	lu_check "mainline took the hand-over" lu_dmesg 'found kexec handover data|exec from'
	lu_no_kernel_failures
	blackout_kexec
}

stage4() {
	sed 's/^/# /' $BLACKOUT
	lu_expect_eq "no old kernel's stamps after mainline" 0 "$(blackout_col reboot 2)"
	blackout_ordered setup kho-reserve kho-reserved kho-stamp kho-stamped luo-ready
	lu_check "no blackout log line" lu_no_dmesg 'blackout so far'
	lu_check "no complaint about the missing subtree" lu_no_dmesg 'lu612,blackout'
	lu_done
}
