# SPDX-License-Identifier: GPL-2.0
# Regression test (found by the ioctl fuzzer): the test handler rebuilt a
# retrieved test file with anon_inode_getfile(), which, unlike an open of
# the debugfs file, sets neither FMODE_PREAD nor FMODE_PWRITE: pread() of
# the file that came back failed with ESPIPE, while the preserved file
# took it.  The retrieved file must read back its payload by read() and by
# pread() (luo_agent's check does both).
# lu-kernel: sanitize
# lu-mem: 2G
# lu-timeout: 600
# lu-append: kho=on liveupdate=on

stage1() {
	lu_agent_kexec create:s preserve:s:1:payload preserve-late:s:2:first:second
}

stage2() {
	luo_agent retrieve:s check:s:1:payload check:s:2:second finish:s
	lu_expect_eq "the test files come back, by read() and pread()" 0 $?
	lu_kho_accounted 0
	lu_done
}
