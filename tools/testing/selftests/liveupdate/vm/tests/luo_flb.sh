# SPDX-License-Identifier: GPL-2.0
# The in-kernel test of CONFIG_LIVEUPDATE_TEST across a kexec: a test file
# handler with three test FLBs.  The kernel checks registration rules at
# boot and the data of every callback, and prints KTAP lines (collected
# by the runner).  The stages check the FLB lifecycle: one preserve() per
# FLB for files in several sessions, no unpreserve() while a dependent
# file is left, retrieve() at boot in the next kernel, finish() only after
# the last dependent file is finished.
# lu-append: kho=on liveupdate=on
# lu-timeout: 300

LUO=/sys/kernel/debug/liveupdate
LUO_TEST=/sys/kernel/debug/liveupdate_test

luo_dmesg() {
	dmesg | grep -q -E "$1"
}

stage1() {
	lu_check "test handler registered" luo_dmesg 'ok [0-9]+ - luo_test: test file handler registered'
	lu_check "flb registration rules checked" luo_dmesg 'ok [0-9]+ - luo_test: linking flb0 twice is refused'
	lu_check "no flb after a cold boot" luo_dmesg 'ok [0-9]+ - luo_test: flb2: nothing handed over'
	lu_agent_kexec create:f1 create:f2 create:f3 \
		"expect-line:$LUO_TEST/stats:flb0_outgoing none" \
		preserve:f1:1:a "expect-line:$LUO_TEST/stats:flb_preserve 3" \
		"expect-line:$LUO_TEST/stats:flb0_outgoing set" \
		preserve:f2:1:b preserve:f2:2:c preserve:f3:1:d \
		"expect-line:$LUO_TEST/stats:flb_preserve 3" \
		close:f3 "expect-line:$LUO_TEST/stats:flb_unpreserve 0" \
		"expect-line:$LUO/flbs:flb lu612,test-flb-v1 users=1 outgoing_refs=3 incoming=none" \
		"sh:dmesg | grep -q 'ok [0-9]* - luo_test: flb0 preserved for its first dependent file'"
}

stage2() {
	lu_check "flb data found at boot" luo_dmesg 'ok [0-9]+ - luo_test: flb0 found its data from the previous kernel'
	lu_check "flb objects available at boot" luo_dmesg 'ok [0-9]+ - luo_test: flb2 incoming object'
	lu_check "flbs retrieved once each" grep -qx "flb_retrieve 3" $LUO_TEST/stats
	lu_check "flb records in debugfs" grep -qx \
		"handed-over flb lu612,test-flb-v0 refs=3" $LUO/flbs
	luo_agent retrieve:f1 check:f1:1:a finish:f1 close:f1 \
		"expect-line:$LUO_TEST/stats:flb_finish 0" \
		"expect-line:$LUO/flbs:flb lu612,test-flb-v0 users=1 outgoing_refs=0 incoming_refs=2 incoming=retrieved" \
		retrieve:f2 check:f2:2:c finish:f2 \
		"expect-line:$LUO_TEST/stats:flb_finish 3" \
		"expect-line:$LUO_TEST/stats:finish 3" \
		"expect-line:$LUO/flbs:flb lu612,test-flb-v0 users=1 outgoing_refs=0 incoming=finished" \
		close:f2
	lu_expect_eq "luo_agent stage 2" 0 $?
	lu_check "flb finished after its last file" \
		luo_dmesg 'ok [0-9]+ - luo_test: flb0 finished after its last dependent file'
	lu_done
}
