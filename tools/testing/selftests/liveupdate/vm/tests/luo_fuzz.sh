# SPDX-License-Identifier: GPL-2.0
# The ioctl fuzzer (luo_fuzz.c) on the sanitize leg: random calls on
# /dev/liveupdate and its sessions with random sizes, buffers at a
# PROT_NONE page and random descriptors, while a second thread closes and
# recreates sessions and a third resizes and writes the memfds; then a
# kexec with whatever survived, a check that exactly that came back, byte
# for byte, and a second round in the next kernel.  `make check` runs
# seed 1 (lufuzz_seed=, lufuzz_ops= on the command line change it; `make
# fuzz` runs many seeds).
# lu-kernel: sanitize
# lu-append: kho=on liveupdate=on
# lu-mem: 2G
# lu-timeout: 900

THP=/sys/kernel/mm/transparent_hugepage
SEED=$(lu_param lufuzz_seed || echo 1)
OPS=$(lu_param lufuzz_ops || echo 1500)

stage1() {
	lu_check "shmem THP enabled" sh -c "echo always > $THP/shmem_enabled"
	echo "# luo_fuzz: seed $SEED, $OPS calls; reproduce with: make fuzz SEED=$SEED OPS=$OPS"
	echo "# stage1: kexec (luo_fuzz) into stage 2"
	luo_fuzz -s "$SEED" -n "$OPS" -k "$LU_KERNEL" -i "$(lu_next_initrd)" \
		-c "$(lu_next_cmdline)" -x ". /lu/lib.sh; lu_kmemleak_check" round1
	lu_abort "luo_fuzz did not kexec"
}

stage2() {
	luo_fuzz -s "$SEED" -n "$OPS" round2
	lu_expect_eq "luo_fuzz round 2" 0 $?
	lu_kho_accounted 0
	lu_done
}
