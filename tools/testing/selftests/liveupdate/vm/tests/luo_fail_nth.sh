# SPDX-License-Identifier: GPL-2.0
# Allocation-failure sweep (luo_fail_nth.c): every /dev/liveupdate call
# and the reboot path fail at their 1st, 2nd, ... allocation until they
# run without failing; each failure returns ENOMEM and changes nothing,
# and the same call then succeeds.  The final kexec hands over the state
# of every sweep and a pool of sessions on which the next kernel sweeps
# RETRIEVE_SESSION, RETRIEVE_FD and FINISH.  No kmemleak report names our
# code, before the kexec and after the next kernel finished everything,
# and every preserved page is accounted for.
# lu-kernel: sanitize
# lu-append: kho=on liveupdate=on
# lu-mem: 2G
# lu-timeout: 1200
# lu-splat-ok: (page allocation failure|vmalloc error): 

THP=/sys/kernel/mm/transparent_hugepage
KHO_IN=/sys/kernel/debug/kho/in

stage1() {
	lu_check "shmem THP enabled" sh -c "echo always > $THP/shmem_enabled"
	echo "# stage1: kexec (luo_fail_nth) into stage 2"
	luo_fail_nth -k "$LU_KERNEL" -i "$(lu_next_initrd)" -c "$(lu_next_cmdline)" \
		-x ". /lu/lib.sh; lu_kmemleak_check" outgoing
	lu_abort "luo_fail_nth did not kexec"
}

stage2() {
	lu_check "shmem THP enabled" sh -c "echo always > $THP/shmem_enabled"
	luo_fail_nth incoming
	lu_expect_eq "luo_fail_nth incoming" 0 $?
	lu_kho_accounted 0
	lu_done
}
