# SPDX-License-Identifier: GPL-2.0
# The example agent of Documentation/userspace-api/liveupdate.rst, built
# from the page by harness/initramfs.sh as luo_doc_agent: it preserves a
# memfd holding "guest memory" in session vm-42 and kexecs with reboot(2);
# run without arguments in the next kernel it retrieves and finishes the
# session and prints the memory.
# lu-append: kho=on liveupdate=on

stage1() {
	echo "# stage1: luo_doc_agent save (kexec into stage 2)"
	luo_doc_agent save "$LU_KERNEL" "$(lu_next_initrd)" "$(lu_next_cmdline)"
	lu_abort "luo_doc_agent did not kexec ($?)"
}

stage2() {
	local out

	out=$(luo_doc_agent)
	lu_expect_eq "luo_doc_agent exit status" 0 $?
	lu_expect_eq "the example agent got the guest memory back" "guest memory" "$out"
	lu_check "session vm-42 is gone after FINISH and close" \
		sh -c '! grep -q "vm-42" /sys/kernel/debug/liveupdate/sessions'
	lu_done
}
