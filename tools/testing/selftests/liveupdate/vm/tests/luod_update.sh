# SPDX-License-Identifier: GPL-2.0
# luod and luoctl across a real kexec.  Two VMM-like clients of different
# uids (1000 and 1001, both in luod's group 2000) preserve memfds through
# luod; a uid outside the group is refused at connect; client B is killed
# before the update; `luoctl load` and `luoctl update` do the update.  In
# the next kernel a new luod rebuilds its sessions from its preserved
# state; each client gets exactly its own memory back, byte for byte, and
# can neither see nor touch the other's session; a session nobody claims
# is reported after the claim timeout.  `luoctl status` before and after,
# and `luoctl blackout`, are on the console.
# lu-append: kho=on liveupdate=on
# lu-timeout: 300

LUO=/sys/kernel/debug/liveupdate
SOCK=/run/luod/luod.sock
A_RAM=$((32 << 20))
A_ROM=$((1 << 20))
B_RAM=$((16 << 20))

stage1() {
	lu_luod_start --group 2000
	lu_expect_eq "the socket is root:2000, mode 0660" "0:2000 660" \
		"$(stat -c '%u:%g %a' $SOCK)"
	memfd_agent -L $SOCK uid:1000:2000 create:vm-a \
		new:ram:$A_RAM:11:full preserve:vm-a:1:ram \
		new:rom:$A_ROM:12:sparse preserve:vm-a:2:rom \
		create:vm-c new:c:4096:13:full preserve:vm-c:1:c list:vm-a=2,vm-c=1
	lu_expect_eq "client A (uid 1000) preserved its memory and exited" 0 $?
	memfd_agent -L $SOCK uid:1001:2000 create:vm-b \
		new:ram:$B_RAM:21:full preserve:vm-b:7:ram list:vm-b=1 \
		deny:1000:vm-a absent:vm-a wait-luod > /tmp/b.out &
	B=$!
	lu_wait_line /tmp/b.out "absent:vm-a"
	kill -9 $B
	cat /tmp/b.out
	lu_check "client B (uid 1001) is killed after preserving" grep -q "absent:vm-a" /tmp/b.out
	memfd_agent -L $SOCK uid:1002:1002 connect-fail:EACCES
	lu_expect_eq "uid 1002, not in group 2000, is refused" 0 $?
	lu_check "the kernel holds the three sessions of luod" \
		grep -qx "outgoing_sessions: 3" $LUO/state
	luoctl load "$LU_KERNEL" --initrd "$(lu_next_initrd)" --append "$(lu_next_cmdline)"
	lu_expect_eq "luoctl load" 0 $?
	echo "# luoctl status, before the update:"
	luoctl status
	luoctl update --dry-run
	lu_expect_eq "luoctl update --dry-run: every check passes" 0 $?
	echo "# stage1: $LU_N result(s), $LU_FAILED failed; luoctl update"
	luoctl update
	lu_abort "luoctl update returned ($?)"
}

stage2() {
	lu_check "liveupdate number is 1" grep -qx "liveupdate_number: 1" $LUO/state
	lu_check "luod's sessions came over, not retrieved yet" grep -q \
		'incoming session "luod/1000/vm-a" state=not-retrieved files=2' $LUO/sessions
	lu_luod_start --group 2000 --claim-timeout 8
	echo "# luoctl status, after the update:"
	luoctl status
	memfd_agent -L $SOCK uid:1001:2000 list:vm-b=1 deny:1000:vm-a absent:vm-a \
		retrieve:vm-b check:vm-b:7:ram:$B_RAM:21:full:0:0 finish:vm-b list:-
	lu_expect_eq "client B got exactly its memory back" 0 $?
	memfd_agent -L $SOCK uid:1000:2000 list:vm-a=2,vm-c=1 deny:1001:vm-b absent:vm-b \
		retrieve:vm-a check:vm-a:1:ram:$A_RAM:11:full:0:0 \
		check:vm-a:2:rom:$A_ROM:12:sparse:0:0 finish:vm-a list:vm-c=1
	lu_expect_eq "client A got exactly its memory back" 0 $?
	sleep 8
	lu_check "vm-c, never claimed, is reported after the claim timeout" \
		sh -c 'luoctl --json status | grep -q "\"name\":\"vm-c\",[^}]*\"state\":\"unclaimed\""'
	luoctl status
	luoctl blackout
	lu_expect_eq "luoctl blackout" 0 $?
	lu_check "luoctl blackout --json has the phases" \
		sh -c 'luoctl --json blackout | grep -q "\"phase\":\"luod: start to state restored\""'
	lu_check "only vm-c is left in the kernel" grep -qx "incoming_sessions: 1" $LUO/state
	lu_done
}
