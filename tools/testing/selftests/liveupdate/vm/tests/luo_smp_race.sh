# SPDX-License-Identifier: GPL-2.0
# SMP while updating: 8 live updates in a row in one VM.  In each, while
# one CPU runs reboot(), a writer keeps dirtying a preserved memfd and two
# racers keep creating sessions, preserving memfds in them, checking
# GET_NAME and closing them.  In the next kernel: no splat, the writer's
# memfd is consistent (no torn page), every session a racer had open at
# the freeze is either absent or whole, nothing else came over, and the
# racers saw no error but EBUSY (a request after the freeze).  Over the
# updates, some requests must have lost the race (EBUSY), or the test did
# not test the race.  `make soak` runs it with more updates and vCPUs
# (lurace_updates=N on the command line).
# lu-append: kho=on liveupdate=on
# lu-mem: 1G
# lu-smp: 2
# lu-timeout: 1500

LUO=/sys/kernel/debug/liveupdate
UPDATES=$(lu_param lurace_updates || echo 8)
RACERS=2
SIZE=$((8 << 20))

race_stage() {
	local out=/tmp/agent.out busy total
	total=$(lu_param lurace_busy || echo 0)
	if [ "$LU_STAGE" -gt 1 ]; then
		memfd_agent retrieve:g fd:g:2:stats \
			check-writer:g:1:guest:$SIZE:$((LU_STAGE - 1)) \
			race-check:stats:$RACERS finish:g close:g > $out
		lu_expect_eq "update $((LU_STAGE - 1)): writer and racers consistent" 0 $?
		cat $out
		busy=$(sed -n 's/^# racers: \([0-9]*\) EBUSY.*/\1/p' $out)
		total=$((total + ${busy:-0}))
		lu_check "update $((LU_STAGE - 1)): nothing else came over" \
			grep -qx "incoming_sessions: 0" $LUO/state
	fi
	if [ "$LU_STAGE" -le "$UPDATES" ]; then
		echo "# stage$LU_STAGE: kexec (memfd_agent, writer, $RACERS racers) into stage $((LU_STAGE + 1))"
		memfd_agent -k "$LU_KERNEL" -i "$(lu_next_initrd)" \
			-c "$(lu_next_cmdline lurace_busy=$total)" \
			create:g new:guest:$SIZE:$LU_STAGE:full new:stats:$((RACERS * 4096)):0:full \
			preserve:g:1:guest preserve:g:2:stats writer:guest:$SIZE \
			racers:stats:$RACERS kexec
		lu_abort "memfd_agent did not kexec"
	fi
	echo "# $UPDATES updates: $total request(s) of the racers lost the race (EBUSY)"
	lu_check "some requests lost the race with the freeze (EBUSY)" [ "$total" -gt 0 ]
	lu_done
}

eval "stage$LU_STAGE() { race_stage; }"
