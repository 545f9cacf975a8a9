# SPDX-License-Identifier: GPL-2.0
# luod against bad requests and failures, without a kexec.
# 1. `luoctl update` without a loaded image fails with its one-line reason
#    and changes nothing; forced past the checks, the kernel refuses
#    reboot() and luod returns its errno, and still nothing changes.
# 2. luod_fuzz sends malformed, oversized, truncated and random requests
#    with random file descriptors; luod answers, keeps serving, keeps the
#    sessions it had and leaks no descriptor.
# 3. luod is killed (SIGKILL) while a client holds a preserved memfd: the
#    client is told (its connection ends), the kernel drops the sessions
#    and the memfd can be resized again.  Stopped with SIGTERM, luod sends
#    its clients a shutdown event first and exits 0.
# lu-append: kho=on liveupdate=on
# lu-timeout: 300

LUO=/sys/kernel/debug/liveupdate
SOCK=/run/luod/luod.sock

snapshot() {
	cat $LUO/state $LUO/sessions /sys/kernel/kexec_loaded
	memfd_agent -L $SOCK list:vm=1 | sed 's/^ok [0-9]* - //'
}

no_image() {
	local before after out rc
	before=$(snapshot)
	out=$(luoctl update 2>&1)
	rc=$?
	lu_expect_eq "luoctl update without an image exits 1" 1 $rc
	lu_expect_eq "and says why in one line" \
		"luoctl: update: not possible: no kernel image is loaded (luoctl load KERNEL)" "$out"
	out=$(luoctl update --force 2>&1)
	rc=$?
	echo "$out" | sed 's/^/# /'
	lu_expect_eq "luoctl update --force without an image exits 1" 1 $rc
	echo "$out" | grep -q 'the kernel refused the update: reboot(): EINVAL'
	lu_expect_eq "the kernel's refusal comes back from luod: EINVAL" 0 $?
	after=$(snapshot)
	lu_expect_eq "nothing changed (sessions, image, luod's list)" "$before" "$after"
}

# luod_fds: how many descriptors luod holds, once the count has been the
# same for 0.2 s (luod closes the socket of a client that exited at its
# next poll), at most 5 s.
luod_fds() {
	local a b i=0
	b=$(ls /proc/$LU_LUOD_PID/fd | wc -l)
	while [ "$a" != "$b" ] && [ $i -lt 25 ]; do
		sleep 0.2
		a=$b
		b=$(ls /proc/$LU_LUOD_PID/fd | wc -l)
		i=$((i + 1))
	done
	echo "$b"
}

fuzz() {
	local n0 n1
	n0=$(luod_fds)
	luod_fuzz -L $SOCK -u 1234:2000 -n 3000 -s $(date +%s)
	lu_expect_eq "luod_fuzz" 0 $?
	n1=$(luod_fds)
	lu_expect_eq "luod holds as many descriptors as before the fuzzing" "$n0" "$n1"
	[ "$n0" = "$n1" ] || ls -l /proc/$LU_LUOD_PID/fd | sed 's/^/# /'
	lu_check "luod still runs" kill -0 $LU_LUOD_PID
}

kill_luod() {
	local c rc
	memfd_agent -L $SOCK uid:1001:2000 create:vm2 new:ram:$((4 << 20)):6:full \
		preserve:vm2:1:ram frozen:ram wait-luod wait-file:/tmp/luod-gone \
		thawed:ram > /tmp/c.out 2>&1 &
	c=$!
	lu_wait_line /tmp/c.out "frozen:ram"
	lu_check "the kernel holds the two sessions of luod" \
		grep -qx "outgoing_sessions: 2" $LUO/state
	kill -9 $LU_LUOD_PID
	wait $LU_LUOD_PID
	touch /tmp/luod-gone
	wait $c
	rc=$?
	cat /tmp/c.out
	lu_expect_eq "the client was told that luod is gone, and its memfd thawed" 0 $rc
	lu_check "the kernel dropped every session" grep -qx "outgoing_sessions: 0" $LUO/state
	lu_check "/dev/liveupdate is free again" luo_agent create:after-luod
}

term_luod() {
	local c rc
	lu_luod_start --group 2000
	memfd_agent -L $SOCK uid:1001:2000 create:vm3 new:ram:4096:7:full \
		preserve:vm3:1:ram wait-luod > /tmp/t.out 2>&1 &
	c=$!
	lu_wait_line /tmp/t.out "preserve:vm3"
	kill -TERM $LU_LUOD_PID
	wait $LU_LUOD_PID
	rc=$?
	wait $c
	cat /tmp/t.out
	lu_expect_eq "luod exits 0 on SIGTERM" 0 $rc
	lu_check "the client got luod's shutdown event" grep -q "luod: shutdown event" /tmp/t.out
	lu_check "the kernel dropped the session" grep -qx "outgoing_sessions: 0" $LUO/state
}

stage1() {
	lu_luod_start --group 2000
	memfd_agent -L $SOCK uid:1000:2000 create:vm new:ram:$((1 << 20)):5:full \
		preserve:vm:1:ram
	lu_expect_eq "a client preserved a memfd" 0 $?
	no_image
	fuzz
	kill_luod
	term_luod
	lu_done
}
