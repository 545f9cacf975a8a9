# SPDX-License-Identifier: GPL-2.0
# liveupdate=on without kexec handover: live update stays off, with a
# warning, and /dev/liveupdate does not exist (open: ENOENT).  The kexec
# into stage 2 adds kho=on, which turns it on.
# lu-append: liveupdate=on
# lu-timeout: 180

stage1() {
	lu_check "the kernel says why live update is off" sh -c \
		"dmesg | grep -q 'luo: liveupdate=on needs kexec handover (kho=on); live update is off'"
	lu_check "no /dev/liveupdate" test ! -e /dev/liveupdate
	lu_check "no debugfs view" test ! -e /sys/kernel/debug/liveupdate
	luo_agent open-fail:ENOENT
	lu_expect_eq "open fails with ENOENT" 0 $?
	lu_kexec_next kho=on
}

stage2() {
	lu_check "live update is on with kho=on" \
		grep -qx "state: on" /sys/kernel/debug/liveupdate/state
	lu_check "/dev/liveupdate exists" test -c /dev/liveupdate
	lu_done
}
