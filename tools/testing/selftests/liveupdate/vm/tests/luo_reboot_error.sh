# SPDX-License-Identifier: GPL-2.0
# The reboot error path.  The test handler's freeze() succeeds twice (both
# files of the first session), then fails with EDOM on the second session:
# reboot(2) must return EDOM, the first session's files must be unfrozen,
# and the system and LUO must keep working.  After the knob is cleared, the
# agent retries and every session, including one created after the
# failure, reaches the next kernel.
# lu-append: kho=on liveupdate=on
# lu-timeout: 300

LUO=/sys/kernel/debug/liveupdate
LUO_TEST=/sys/kernel/debug/liveupdate_test

stage1() {
	lu_check "live update is on" grep -qx "state: on" $LUO/state
	lu_agent_kexec create:first create:second \
		preserve:first:1:one preserve:first:2:two preserve:second:3:three \
		write:$LUO_TEST/fail_freeze_skip:2 write:$LUO_TEST/fail_freeze:33 \
		kexec-fail:EDOM \
		"sh:dmesg | grep -q -E 'kexec aborted: cannot freeze the sessions: -(EDOM|33)\$'" \
		"expect-line:$LUO_TEST/stats:freeze 3" \
		"expect-line:$LUO_TEST/stats:unfreeze 2" \
		create:after preserve:after:4:four \
		"expect-line:$LUO/state:outgoing_sessions: 3" \
		write:$LUO_TEST/fail_freeze:0
}

stage2() {
	lu_check "three sessions came back" grep -qx "incoming_sessions: 3" $LUO/state
	luo_agent retrieve:second check:second:3:three retrieve:first \
		check:first:2:two check:first:1:one retrieve:after check:after:4:four \
		finish:first finish:second finish:after
	lu_expect_eq "luo_agent found every file" 0 $?
	lu_done
}
