# SPDX-License-Identifier: GPL-2.0
# Regression test (found by the hand-over mutation fuzzer): a damaged file
# record pointed at the incoming KHO root FDT page, and kho_restore_folio()
# handed that page out; the test handler found it corrupt and freed it,
# while KHO still reads the FDT in place (kho_retrieve_subtree(), debugfs
# kho/in/fdt): a use after free.  The next kernel must claim the root FDT
# itself, so that the damaged record is refused.
# lu-kernel: sanitize
# lu-mem: 2G
# lu-timeout: 600
# lu-append: kho=on liveupdate=on luo_test.expect_damage=1 test_kho.expect_damage=1

stage1() {
	lu_check "mutator armed" sh -c "echo file-data=fdt > /sys/kernel/debug/liveupdate_mutate/mutate"
	lu_agent_kexec create:s preserve:s:1:payload
}

stage2() {
	luo_agent retrieve:s check-fail:s:1:EINVAL finish:s
	lu_expect_eq "the damaged file is refused" 0 $?
	lu_check "the root FDT is still readable" sh -c \
		"cat /sys/kernel/debug/kho/in/fdt > /tmp/fdt && test -s /tmp/fdt"
	lu_kho_accounted
	lu_done
}
