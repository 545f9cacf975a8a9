# SPDX-License-Identifier: GPL-2.0
# memfd preservation benchmark (make bench-memfd; not part of make check).
# Stage 1 kexecs with nothing preserved (the baseline blackout).  Each
# later stage retrieves and times the memfd of the previous one, then
# writes the next configuration once (timed), preserves it (timed) and
# kexecs.  "# time LABEL NS" lines are CLOCK_BOOTTIME of each kernel;
# "# bench LABEL" lines name the configuration; harness/bench-memfd.sh
# turns the console log into the table.
# lu-append: kho=on liveupdate=on
# lu-mem: 3G
# lu-timeout: 3600

CONFIGS="256M:4k 256M:thp 1G:4k 1G:thp"
THP=/sys/kernel/mm/transparent_hugepage/shmem_enabled

bytes() { case "$1" in *G) echo $((${1%G} << 30)) ;; *M) echo $((${1%M} << 20)) ;; esac; }

# The configuration preserved by stage N (stage 1: none).
config() { [ "$1" -gt 1 ] && echo $CONFIGS | cut -d' ' -f$(($1 - 1)); }

stage_run() {
	local prev this size mode args=""
	prev=$(config $((LU_STAGE - 1)))
	this=$(config "$LU_STAGE")
	if [ -n "$prev" ]; then
		size=$(bytes "${prev%:*}")
		mode=ones
		[ "${prev#*:}" = thp ] && mode=thp-ones
		args="time:agent-start retrieve:s fd:s:1:mem time:retrieved finish:s close:s drop:mem"
		echo "# bench retrieve $prev"
	else
		echo "# bench retrieve none"
		args="time:agent-start"
	fi
	if [ -z "$this" ]; then
		memfd_agent $args
		lu_expect_eq "benchmark stage $LU_STAGE" 0 $?
		lu_done
	fi
	size=$(bytes "${this%:*}")
	mode=ones
	[ "${this#*:}" = thp ] && { mode=thp-ones; echo always > $THP; } || echo never > $THP
	echo "# bench preserve $this"
	memfd_agent -k "$LU_KERNEL" -i "$(lu_next_initrd)" -c "$(lu_next_cmdline)" $args \
		create:s time:write-start new:mem:$size:0:$mode time:write-done \
		time:preserve-start preserve:s:1:mem time:preserve-done kexec
	lu_abort "memfd_agent did not kexec"
}

stage1() {
	echo "# bench preserve none"
	memfd_agent -k "$LU_KERNEL" -i "$(lu_next_initrd)" -c "$(lu_next_cmdline)" kexec
	lu_abort "memfd_agent did not kexec"
}

for i in 2 3 4 5 6; do eval "stage$i() { stage_run; }"; done
