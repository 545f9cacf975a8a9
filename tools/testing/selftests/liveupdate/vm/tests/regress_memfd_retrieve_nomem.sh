# SPDX-License-Identifier: GPL-2.0
# Regression test (found by the allocation-failure sweep): a RETRIEVE_FD
# of a memfd that failed for lack of memory lost the memfd.  When mapping
# its folio array failed, the folios stayed reserved for good (FINISH
# skipped a file whose retrieve had failed); a later failure freed them,
# so a good hand-over was gone after one ENOMEM.  Now each failure
# returns ENOMEM and changes nothing: the same call is retried with the
# next allocation failing, until one runs through, and every memfd comes
# back with every byte, its position and seals; every preserved page is
# claimed.
# lu-kernel: sanitize
# lu-mem: 2G
# lu-timeout: 600
# lu-append: kho=on liveupdate=on
# lu-splat-ok: (page allocation failure|vmalloc error): 

FAULT=/sys/kernel/debug
SIZE=$((1 << 20))
N=12

stage1() {
	local t args="create:s"
	for t in $(seq $N); do
		args="$args new:m$t:$SIZE:$t:full seek:m$t:$((t * 7)) seal:m$t:6 preserve:s:$t:m$t"
	done
	lu_memfd_kexec $args
}

stage2() {
	local d t args="retrieve:s fd-nomem:s:1:$N"
	for d in failslab fail_page_alloc; do
		echo N > $FAULT/$d/ignore-gfp-wait
		echo 0 > $FAULT/$d/verbose
	done
	echo 0 > $FAULT/fail_page_alloc/min-order
	for t in $(seq $N); do
		args="$args check:s:$t:m$t:$SIZE:$t:full:$((t * 7)):6"
	done
	memfd_agent $args finish:s close:s
	lu_expect_eq "RETRIEVE_FD under allocation failures, then every memfd" 0 $?
	lu_kho_accounted 0
	lu_done
}
