# SPDX-License-Identifier: GPL-2.0
# Sessions across two live updates, A -> B -> C, driven by luo_agent,
# which holds its session fds across reboot(2).
#
# A: several sessions with files, an empty one, one closed before the
#    kexec, one whose file changes after PRESERVE_FD, one whose handler
#    will refuse to finish, one that B will never retrieve.
# B: everything survived except the closed session; files come back in any
#    order; the ioctl rules of retrieved sessions; FINISH refused with
#    EBUSY and a failed implicit finish at close; a failed retrieve
#    leaves the file as it was and can be retried; B hands a new session
#    on.
# C: the session B never retrieved is gone; B's session arrived.
# lu-append: kho=on liveupdate=on
# lu-timeout: 300

LUO=/sys/kernel/debug/liveupdate
LUO_TEST=/sys/kernel/debug/liveupdate_test

# lu_agent_kexec COMMAND...: run the agent, which then reboots into the next
# stage while it holds its sessions.

stage1() {
	lu_check "live update is on" grep -qx "state: on" $LUO/state
	lu_check "liveupdate number is 0 after a cold boot" \
		grep -qx "liveupdate_number: 0" $LUO/state
	lu_agent_kexec create:alpha create:beta create:empty create:gone \
		create:kept create:busy create:broken \
		preserve:alpha:0x1:one preserve:alpha:0x2:two \
		preserve-late:alpha:0x3:before:after \
		preserve:beta:0x1:beta-one preserve:gone:0x9:lost \
		preserve:kept:0x7:kept-data preserve:busy:0x5:busy-data \
		preserve:broken:0x8:unused \
		close:gone \
		"expect-line:$LUO/state:outgoing_sessions: 6"
}

stage2() {
	lu_check "the kernel logged the hand-over" \
		sh -c "dmesg | grep -q 'retrieved live update data, liveupdate number 1'"
	lu_check "liveupdate number is 1" grep -qx "liveupdate_number: 1" $LUO/state
	lu_check "six sessions came back" grep -qx "incoming_sessions: 6" $LUO/state
	lu_check "the sessions are listed before the first open" \
		grep -qx 'incoming session "alpha" state=not-retrieved files=3' $LUO/sessions
	luo_agent retrieve-fail:gone:ENOENT \
		retrieve:alpha check:alpha:0x3:after check:alpha:0x1:one \
		check:alpha:0x2:two check-fail:alpha:0x4:ENOENT \
		"expect-line:$LUO/sessions:incoming session \"alpha\" state=retrieved files=3" \
		finish:alpha close:alpha \
		retrieve:empty finish:empty close:empty \
		retrieve:beta api-in:beta:0x1:beta-one \
		write:$LUO_TEST/refuse_finish:1 \
		retrieve:busy check:busy:0x5:busy-data finish-fail:busy:EBUSY close:busy \
		"expect-line:$LUO/sessions:incoming session \"busy\" state=not-retrieved files=1" \
		retrieve:busy write:$LUO_TEST/refuse_finish:0 check:busy:0x5:busy-data \
		finish:busy close:busy \
		retrieve:broken write:$LUO_TEST/fail_retrieve:5 check-fail:broken:0x8:EIO \
		check-fail:broken:0x8:EIO \
		"expect-line:$LUO/sessions:	file token=0x8 handler=lu612,test-file-v1 state=not-retrieved" \
		write:$LUO_TEST/fail_retrieve:0 check:broken:0x8:unused \
		"expect-line:$LUO/sessions:	file token=0x8 handler=lu612,test-file-v1 state=retrieved" \
		finish:broken close:broken \
		"expect-line:$LUO/sessions:incoming session \"kept\" state=not-retrieved files=1" \
		"expect-line:$LUO/state:incoming_sessions: 1"
	lu_expect_eq "luo_agent stage 2" 0 $?
	lu_agent_kexec create:next preserve:next:0x42:third-kernel
}

stage3() {
	lu_check "liveupdate number is 2" grep -qx "liveupdate_number: 2" $LUO/state
	luo_agent retrieve-fail:kept:ENOENT retrieve-fail:alpha:ENOENT \
		retrieve:next check:next:0x42:third-kernel finish:next close:next \
		"expect-line:$LUO/state:incoming_sessions: 0"
	lu_expect_eq "luo_agent stage 3" 0 $?
	lu_done
}
