# SPDX-License-Identifier: GPL-2.0
# Regression test (found by the hand-over mutation fuzzer): a memfd record
# whose folio count exceeds its folio array made RETRIEVE_FD read past the
# end of the array (vmalloc out of bounds).  The count must be checked
# against the array: RETRIEVE_FD fails with EINVAL, with one error line,
# and the folios the array does list are freed.
# lu-kernel: sanitize
# lu-mem: 2G
# lu-timeout: 600
# lu-append: kho=on liveupdate=on luo_test.expect_damage=1 test_kho.expect_damage=1

stage1() {
	lu_check "mutator armed" sh -c "echo memfd-nr-folios=max > /sys/kernel/debug/liveupdate_mutate/mutate"
	lu_memfd_kexec create:s new:m:65536:1:full preserve:s:1:m
}

stage2() {
	luo_agent retrieve:s check-fail:s:1:EINVAL finish:s
	lu_expect_eq "the damaged memfd is refused" 0 $?
	lu_check "with one error line" lu_dmesg 'memfd_luo: .*folio'
	lu_kho_accounted 0
	lu_done
}
