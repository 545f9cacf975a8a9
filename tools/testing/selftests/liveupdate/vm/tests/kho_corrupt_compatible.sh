# SPDX-License-Identifier: GPL-2.0
# A damaged hand-over must be rejected as a whole, with an error message
# and without a splat, and the next kernel must boot as if there were no
# hand-over.  Stage 1 damages its outgoing hand-over through
# /sys/kernel/debug/kho_test/test_corrupt before loading the next kernel.
# This file gives the root the compatible of our previous release,
# "kho-v3", which must be refused by name; kho_corrupt_size.sh,
# kho_corrupt_address.sh and kho_corrupt_scratch.sh set KHO_CORRUPT and
# source it.
# lu-append: kho=on
# lu-timeout: 180

KHO_CORRUPT=${KHO_CORRUPT:-compatible}

stage1() {
	lu_check "kho_test preserved generation 1" \
		lu_dmesg 'kho_test: preserved [0-9]+ folios \([0-9]+ pages\) of generation 1 '
	echo "$KHO_CORRUPT" > /sys/kernel/debug/kho_test/test_corrupt ||
		lu_abort "cannot write $KHO_CORRUPT to kho_test/test_corrupt"
	lu_check "kho_test corrupted $KHO_CORRUPT" \
		lu_dmesg "kho_test: corrupted $KHO_CORRUPT on purpose"
	lu_kexec_next
}

stage2() {
	kho_err=$(dmesg | grep -m1 'KHO: .*kexec handover is off for this boot' |
		sed 's/^\[[ 0-9.]*\] //')
	if [ -n "$kho_err" ]; then
		lu_ok "kernel rejected the $KHO_CORRUPT hand-over: $kho_err"
	else
		lu_fail "no KHO: error line for the $KHO_CORRUPT hand-over"
	fi
	if [ "$KHO_CORRUPT" = compatible ]; then
		lu_check "the old compatible is refused by name" \
			lu_dmesg 'the root compatible is "kho-v3", this kernel reads "kho-v4"'
	fi
	lu_check "no incoming hand-over in debugfs" test ! -e /sys/kernel/debug/kho/in
	lu_check "kho_test verified nothing" lu_no_dmesg 'kho_test: verified'
	lu_check "KHO is off for this boot" lu_dmesg 'kho_test: KHO is off'
	lu_check "no outgoing hand-over in debugfs" test ! -e /sys/kernel/debug/kho/out
	lu_check "64 MiB can be written to tmpfs" \
		dd if=/dev/zero of=/tmp/kho_fill bs=1M count=64
	rm -f /tmp/kho_fill
	lu_done
}
