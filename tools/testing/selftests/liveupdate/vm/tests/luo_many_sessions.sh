# SPDX-License-Identifier: GPL-2.0
# 2000 sessions across a live update (more than fit in one block of the
# session chain), one of them with a file.
# lu-smp: 4
# lu-append: kho=on liveupdate=on
# lu-timeout: 300

LUO=/sys/kernel/debug/liveupdate

stage1() {
	lu_check "live update is on" grep -qx "state: on" $LUO/state
	lu_agent_kexec create-many:many:2000 preserve:many-1999:0x1999:last \
		"expect-line:$LUO/state:outgoing_sessions: 2000"
}

stage2() {
	lu_check "2000 sessions came back" grep -qx "incoming_sessions: 2000" $LUO/state
	luo_agent retrieve:many-1999 check:many-1999:0x1999:last finish:many-1999 \
		close:many-1999 retrieve-many:many:1999 \
		"expect-line:$LUO/state:incoming_sessions: 0"
	lu_expect_eq "luo_agent retrieved and finished every session" 0 $?
	lu_done
}
