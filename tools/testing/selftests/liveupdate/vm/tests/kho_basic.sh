# SPDX-License-Identifier: GPL-2.0
# KHO across one kexec.  The in-kernel test (CONFIG_TEST_KEXEC_HANDOVER)
# preserves folios with known contents in the first kernel; the second
# kernel restores and checks every byte of them.  Both sides of the
# hand-over must be visible in debugfs, and the kexec-metadata subtree
# must name the previous kernel and count the kexec.
# lu-append: kho=on
# lu-timeout: 180

KHO_DEBUGFS=/sys/kernel/debug/kho

stage1() {
	lu_check "kho_test preserved generation 1" \
		lu_dmesg 'kho_test: preserved [0-9]+ folios \([0-9]+ pages\) of generation 1 '
	lu_check "kho_test preserved a vmalloc area mapped with huge pages" \
		lu_dmesg 'kho_test: preserved a vmalloc_huge\(\) area of [0-9]+ pages in blocks of order 9$'
	lu_check "outgoing root FDT is readable and not empty" \
		test "$(wc -c < $KHO_DEBUGFS/out/fdt)" -gt 0
	lu_expect_eq "outgoing root FDT starts with the FDT magic" d00dfeed \
		"$(hexdump -n4 -e '4/1 "%02x"' $KHO_DEBUGFS/out/fdt)"
	lu_kexec_next
}

stage2() {
	lu_check "kho_test verified generation 1" \
		lu_dmesg 'kho_test: verified generation 1$'
	lu_check "huge-page vmalloc area came back" \
		lu_dmesg 'ok 5 kho_test: huge-page vmalloc area of order 9 restored'
	lu_no_kernel_failures
	lu_check "incoming root FDT is in debugfs" test -e $KHO_DEBUGFS/in/fdt
	lu_check "incoming kho_test blob is in debugfs" \
		test -e $KHO_DEBUGFS/in/sub_fdts/kho_test
	lu_check "kexec-metadata names the previous kernel, count 1" \
		lu_dmesg "KHO: exec from: $(uname -r) \\(count 1\\)$"
	lu_expect_eq "kexec-metadata in debugfs" \
		"previous_release $(uname -r) kexec_count 1" \
		"$(tr '\n' ' ' < $KHO_DEBUGFS/in/kexec_metadata | sed 's/ $//')"
	lu_check "the outgoing hand-over carries kexec-metadata" \
		test -e $KHO_DEBUGFS/out/sub_fdts/kexec-metadata
	lu_done
}
