# SPDX-License-Identifier: GPL-2.0
# The /dev/liveupdate API selftest (liveupdate.c, kselftest harness):
# every ioctl, the structure size rules, exclusive open, names, tokens,
# the direction rules and the limits, without a kexec.  Its TAP lines go
# to the console as they are, so each case is a result of its own.
# lu-append: kho=on liveupdate=on
# lu-timeout: 300

stage1() {
	lu_check "/dev/liveupdate exists" test -c /dev/liveupdate
	liveupdate > /tmp/liveupdate.tap 2>&1
	luo_rc=$?
	cat /tmp/liveupdate.tap
	lu_expect_eq "liveupdate selftest exit status" 0 "$luo_rc"
	lu_done
}
