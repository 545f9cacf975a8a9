# SPDX-License-Identifier: GPL-2.0
# Ours -> mainline -> ours, a rollback: the memfds of vm/cross.sh go to
# the mainline peer and are checked there (with mainline's test_kho
# restoring our kho_test subtree); mainline preserves the memfds it
# retrieved again, with a fresh bulk, and our kernel checks both after the
# kexec back.  The mainline version in use is printed with the verdict.
# lu-kernels: default mainline default
# lu-append: kho=on liveupdate=on
# lu-mem: 2G
# lu-timeout: 1200

. /lu/cross.sh

stage1() { cross_first_stage; }

stage2() {
	cross_kho_check
	cross_flb_check
	lu_memfd_kexec $(cross_set_check set 100) $(cross_bulk_check a 10000) \
		$(cross_set_preserve back) $(cross_bulk_new b 20000)
}

stage3() { cross_last_stage back b 20000; }
