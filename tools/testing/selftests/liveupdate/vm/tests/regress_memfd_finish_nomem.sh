# SPDX-License-Identifier: GPL-2.0
# Regression test (found by the allocation-failure sweep): FINISH of a
# session whose memfd was never retrieved frees the memfd's folios, and
# did so by mapping the folio array with kho_restore_vmalloc(), which
# allocates.  When that allocation failed, FINISH still succeeded and the
# folios stayed reserved for good: preserved memory leaked.  Freeing must
# allocate nothing.
# lu-kernel: sanitize
# lu-mem: 2G
# lu-timeout: 600
# lu-append: kho=on liveupdate=on

FAULT=/sys/kernel/debug

stage1() {
	lu_memfd_kexec create:s new:m:$((1 << 20)):1:full preserve:s:1:m
}

stage2() {
	local d
	for d in failslab fail_page_alloc; do
		echo N > $FAULT/$d/ignore-gfp-wait
		echo 0 > $FAULT/$d/verbose
	done
	echo 0 > $FAULT/fail_page_alloc/min-order
	# The first allocation of FINISH fails.
	luo_agent retrieve:s write:/proc/self/fail-nth:1 finish:s write:/proc/self/fail-nth:0
	lu_expect_eq "FINISH succeeds" 0 $?
	lu_kho_accounted 0
	lu_done
}
