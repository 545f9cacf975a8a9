# SPDX-License-Identifier: GPL-2.0
# One kernel's part of `make bench` (harness/bench.sh); not a test of
# `make check`.  The same script runs on our kernel (leg bench) and on the
# mainline peer (leg mainline-bench), chosen by LU_KERNELS; "lubench=" on
# the command line (LU_APPEND) picks what it measures:
#
# lubench=chain: a chain of live updates, one step per kexec (STEPS):
#   plain        kexec with nothing preserved, /dev/liveupdate unused
#                (twice in a chain: harness/bench-report.py takes the median)
#   0G           a session with an empty memfd
#   SIZE:4k      a memfd of SIZE written once (pwrite) with 4 KiB pages
#   SIZE:thp     the same with THP (shmem_enabled=always)
#   disk:SIZE    no live update: the memfd is written to the virtio disk
#                /dev/vda (O_DIRECT, fsync) before the kexec and read back
#                into a new memfd after it
#   Each stage retrieves (or reads back) what the previous one handed
#   over, probes one byte of every page, then sets up its own step.
# lubench=repeat (1 GiB VM): REPEAT live updates of one 256 MiB memfd; MemTotal and
#   MemFree (after drop_caches) in every kernel with the memfd held: the
#   cold boot (stage 1) and after each update.
# lubench=scratch: a cold boot; scratch areas and MemTotal.
# lubench=hugetlb (our kernel only; 4 GiB VM with boot-time pools of
#   512 2 MiB pages and one 1 GiB page on every kernel's command line): a
#   chain of HUGETLB_STEPS, where SIZE:2M and SIZE:1G are hugetlbfs memfds
#   of that page size, written once with memset().
#
# Lines for harness/bench-report.py: "# bench STAGE-ROLE STEP" names what
# follows, "# time LABEL BOOTTIME-NS TSC" come from memfd_agent, each
# kexec writes "LU-BENCH-REBOOT STEP" to /dev/kmsg right before reboot(2),
# and "LU-BENCH-KV KEY=VALUE..." carry sizes.
# lu-kernel: bench
# lu-append: kho=on liveupdate=on earlyprintk=ttyS0
# lu-mem: 5G
# lu-timeout: 1800

STEPS="plain 0G 1G:4k 1G:thp plain 4G:4k 4G:thp disk:1G disk:4G"
HUGETLB_STEPS="plain 1G:2M plain 1G:1G"
REPEAT=10
THP=/sys/kernel/mm/transparent_hugepage/shmem_enabled
MODE=$(lu_param lubench || echo chain)
[ "$MODE" = hugetlb ] && STEPS=$HUGETLB_STEPS
# lubench_steps=A,B,...: another chain, e.g. one step timed many times.
CUSTOM=$(lu_param lubench_steps) && STEPS=${CUSTOM//,/ }

bytes() {
	case "$1" in
	*G) echo $((${1%G} << 30)) ;;
	*M) echo $((${1%M} << 20)) ;;
	*) echo "$1" ;;
	esac
}

# step N: the step that stage N sets up (nothing after the last).
step() { echo $STEPS | cut -d' ' -f"$1" -s; }

# What stage N does with the step the previous stage handed over.
take_args() {
	local size
	case "$1" in
	plain|"") echo "time:agent-start" ;;
	disk:*)
		size=$(bytes "${1#disk:}")
		echo "time:agent-start load:mem:/dev/vda:$size time:retrieved" \
			"probe:mem:$size:90 time:touched drop:mem"
		;;
	*)
		size=$(bytes "${1%:*}")
		echo "time:agent-start retrieve:s fd:s:1:mem time:retrieved" \
			"probe:mem:$size:90 time:touched finish:s close:s drop:mem" \
			"show:/sys/kernel/debug/liveupdate/blackout"
		;;
	esac
}

# What stage N does to hand over its step $1 (without the kexec).
give_args() {
	local size
	case "$1" in
	plain) ;;
	disk:*)
		size=$(bytes "${1#disk:}")
		echo "time:write-start new:mem:$size:0:pwrite-ones time:write-done" \
			"time:save-start save:mem:/dev/vda time:save-done"
		;;
	*:2M|*:1G)
		size=$(bytes "${1%:*}")
		echo "create:s time:write-start hnew:mem:$size:0:ones:$(bytes "${1#*:}")" \
			"time:write-done meminfo:MemFree:0 time:preserve-start" \
			"preserve:s:1:mem time:preserve-done meminfo:MemFree:0"
		;;
	*)
		size=$(bytes "${1%:*}")
		echo "create:s time:write-start new:mem:$size:0:pwrite-ones time:write-done" \
			"meminfo:MemFree:0 time:preserve-start preserve:s:1:mem" \
			"time:preserve-done meminfo:MemFree:0"
		;;
	esac
}

bench_kv() {
	echo "LU-BENCH-KV leg=$LU_LEG stage=$LU_STAGE" \
		"memtotal_kb=$(awk '/^MemTotal:/ { print $2 }' /proc/meminfo)" "$@"
}

chain_stage() {
	local prev this
	prev=$(step $((LU_STAGE - 1)))
	[ "$LU_STAGE" -gt 1 ] || prev=""
	this=$(step "$LU_STAGE")
	echo "# bench $LU_STAGE-take ${prev:-cold}"
	echo "# bench $LU_STAGE-give ${this:-none}"
	case "$this" in
	*:thp) echo always > $THP ;;
	*) echo never > $THP ;;
	esac
	if [ -z "$this" ]; then
		memfd_agent $(take_args "$prev")
		lu_expect_eq "bench stage $LU_STAGE" 0 $?
		bench_kv
		lu_done
	fi
	memfd_agent -k "$LU_KERNEL" -i "$(lu_next_initrd)" -c "$(lu_next_cmdline)" \
		-m "LU-BENCH-REBOOT $this" $(take_args "$prev") $(give_args "$this") kexec
	lu_abort "memfd_agent did not kexec"
}

# With the memfd of the previous kernel held (or a new one in the first),
# memfd_agent prints MemTotal and MemFree after drop_caches, preserves the
# memfd again and kexecs.
repeat_stage() {
	local args="create:s new:mem:$(bytes 256M):0:pwrite-ones"
	local info="memfree:/tmp/memfree meminfo:MemTotal:0 meminfo:MemFree:0"
	echo "# bench $LU_STAGE-repeat"
	[ "$LU_STAGE" -gt 1 ] &&
		args="retrieve:s fd:s:1:mem probe:mem:268435456:90 finish:s close:s"
	if [ "$LU_STAGE" -gt "$REPEAT" ]; then
		memfd_agent $args $info
		lu_expect_eq "repeat stage $LU_STAGE" 0 $?
		lu_done
	fi
	[ "$LU_STAGE" -gt 1 ] && args="$args create:s"
	memfd_agent -k "$LU_KERNEL" -i "$(lu_next_initrd)" -c "$(lu_next_cmdline)" \
		$args $info preserve:s:1:mem kexec
	lu_abort "memfd_agent did not kexec"
}

scratch_stage() {
	local total=0 len
	for len in $(cat /sys/kernel/debug/kho/out/scratch_len /sys/kernel/debug/kho/scratch_len 2>/dev/null); do
		total=$((total + len))
	done
	lu_check "KHO reported scratch areas" test "$total" -gt 0
	bench_kv "scratch_bytes=$total"
	lu_done
}

[ "$MODE" = hugetlb ] && MODE=chain
for i in $(seq 1 20); do eval "stage$i() { ${MODE}_stage; }"; done
