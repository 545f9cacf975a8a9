# SPDX-License-Identifier: GPL-2.0
# Malformed LUO hand-overs.  The test module damages the outgoing LUO
# data after liveupdate_reboot() wrote it; the next kernel must reject it
# with one error line, keep running, and fail every open of
# /dev/liveupdate with EIO.  A rejected boot hands nothing over, so the
# stage after it starts clean.
#   stage 1 -> 2: the root compatible of our previous release, "luo-v1"
#   stage 3 -> 4: session set pointing at memory that is not preserved
#   stage 5 -> 6: one file fewer than recorded for a session
#   stage 7 -> 8: a session block linked to itself
# lu-append: kho=on liveupdate=on
# lu-timeout: 500

LUO=/sys/kernel/debug/liveupdate
LUO_TEST=/sys/kernel/debug/liveupdate_test

# luo_damage MODE: hand a damaged hand-over with one session to the next stage.
luo_damage() {
	lu_check "live update is on" grep -qx "state: on" $LUO/state
	lu_agent_kexec create:victim preserve:victim:1:data write:$LUO_TEST/corrupt:$1
}

# luo_rejected ERE: the hand-over was rejected with a message matching ERE.
luo_rejected() {
	lu_check "rejected with one error line" sh -c \
		"dmesg | grep -E 'luo: incoming hand-over rejected: $1; live update is disabled for this boot'"
	lu_check "live update failed for this boot" grep -qx "state: failed" $LUO/state
	lu_check "/dev/liveupdate still exists" test -c /dev/liveupdate
	luo_agent open-fail:EIO
	lu_expect_eq "open fails with EIO" 0 $?
	lu_kexec_next
}

stage1() { luo_damage compatible; }
stage2() { luo_rejected 'root has compatible "luo-v1", this kernel reads "luo-v5"'; }
stage3() { luo_damage sessions; }
stage4() { luo_rejected 'session block at 0x[0-9a-f]+ is not preserved memory'; }
stage5() { luo_damage count; }
stage6() { luo_rejected 'file block at 0x[0-9a-f]+ lacks records'; }
stage7() { luo_damage block; }
stage8() { luo_rejected 'session block at 0x[0-9a-f]+ links back into its set'; }
stage9() {
	lu_check "live update works again" grep -qx "state: on" $LUO/state
	luo_agent create:fresh
	lu_expect_eq "a session can be created" 0 $?
	lu_done
}
