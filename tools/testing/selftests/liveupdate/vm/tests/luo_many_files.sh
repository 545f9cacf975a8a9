# SPDX-License-Identifier: GPL-2.0
# 500 files in one session across a live update (more than fit in one
# block of the file chain), retrieved in reverse order.
# lu-smp: 4
# lu-append: kho=on liveupdate=on
# lu-timeout: 300

LUO=/sys/kernel/debug/liveupdate
LUO_TEST=/sys/kernel/debug/liveupdate_test

stage1() {
	lu_check "live update is on" grep -qx "state: on" $LUO/state
	lu_agent_kexec create:files preserve-many:files:500 \
		"expect-line:$LUO/sessions:outgoing session \"files\" state=open files=500" \
		"expect-line:$LUO_TEST/stats:preserve 500"
}

stage2() {
	lu_check "the session has 500 files" grep -qx \
		'incoming session "files" state=not-retrieved files=500' $LUO/sessions
	luo_agent retrieve:files check-many:files:500 finish:files close:files \
		"expect-line:$LUO_TEST/stats:retrieve 500" \
		"expect-line:$LUO_TEST/stats:finish 500"
	lu_expect_eq "luo_agent retrieved every file" 0 $?
	lu_done
}
