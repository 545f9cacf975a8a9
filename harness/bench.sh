#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# bench.sh: `make bench`, live update's blackout side by side with mainline.
# Not a test and not part of `make check`: it prints one table, also saved
# to build/logs/bench.txt, and fails only if a run breaks.
#
# Builds our kernel and the mainline peer with the same benchmark config
# (harness/legs/bench.config: legs "bench" and "mainline-bench"), then
# runs vm/bench/lu_bench.sh in the same VM shape for both:
#   BENCH_RUNS (default 5) runs of the chain (lubench=chain, 5 GiB VM, a
#   virtio disk), the two kernels alternating, the first one swapping
#   from run to run;
#   in every run, on our kernel only: a chain of hugetlbfs memfds
#   (lubench=hugetlb, 4 GiB VM, boot-time pools HUGETLB_POOLS), which
#   mainline cannot preserve;
#   once per kernel: 10 updates in a row (lubench=repeat, 1 GiB VM) and a
#   cold boot of a 2 GiB and of an 8 GiB VM (lubench=scratch).
# The initramfs is the same for both kernels (it carries both images).
# Raw consoles: build/logs/bench/.  harness/bench-report.py makes the table.
# BENCH_BUILD=0 measures the kernels and initramfs as they are built.
# BENCH_EXTRA_LEGS="LEG..." adds kernels of ours that are already built as
# build/bzImage-LEG (for example an image saved before a change) to every
# run, and prints a table of each against mainline too
# (build/logs/bench-LEG.txt; without the once-per-kernel rows 8 and 9).
#
# The guests get the host's TSC frequency (harness/tsc-khz.c) as
# tsc_early_khz= with tsc=reliable: TSC calibration fails under TCG.  The
# TSC runs on across a kexec in the same VM, so the agent's TSC stamps of
# two kernels are on one timeline.
#
# BENCH_ICOUNT=SHIFT runs every VM on QEMU's instruction counter instead
# (-icount shift=SHIFT,sleep=off): guest time, and with it the TSC (1 GHz),
# advances 2^SHIFT ns per guest instruction and skips idle time, so the
# same work takes the same guest time in every run, whatever the host
# does.  It measures work, not a machine: memory and I/O cost nothing
# beyond their instructions, so the disk baseline and the once-per-kernel
# memory rows are left out.  The VMs get one vCPU: QEMU runs the vCPUs of
# an icount guest in turn on one thread, so a CPU waiting for another one
# spins in guest time until QEMU switches (seen: 130-400 ms in reboot()),
# which real CPUs do not.
# Tables: build/logs/bench-icount*.txt, consoles in build/logs/bench-icount/.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

RUNS=${BENCH_RUNS:-5}
OURS=bench
PEER=mainline-bench
EXTRA=${BENCH_EXTRA_LEGS:-}
LEGS=($OURS $PEER $EXTRA)
ICOUNT=${BENCH_ICOUNT:-}
SUFFIX=${ICOUNT:+-icount}
OUT=$LOGS/bench$SUFFIX
DISK=$BUILD/bench-disk.img
HUGETLB_POOLS="hugepagesz=2M hugepages=512 hugepagesz=1G hugepages=1"
# The chain on the instruction counter: no disk baseline.
ICOUNT_STEPS=plain,0G,1G:4k,1G:thp,plain,4G:4k,4G:thp

command -v python3 >/dev/null || die "python3 is needed for the benchmark"
if [ "${BENCH_BUILD:-1}" != 0 ]; then
	"$TOP/harness/deps.sh" || die "installing packages failed"
	"$TOP/harness/assemble.sh" || die "assembling the tree failed"
	"$TOP/harness/build.sh" $OURS || die "building kernel leg $OURS failed"
	"$TOP/harness/build.sh" $PEER || die "building kernel leg $PEER (the mainline peer) failed"
fi
"$TOP/harness/initramfs.sh" "${LEGS[@]}" || die "building the initramfs failed"

gcc -O2 -Wall -o "$BUILD/tsc-khz" "$TOP/harness/tsc-khz.c" || die "cannot build tsc-khz"
khz=$("$BUILD/tsc-khz")
[ -z "$ICOUNT" ] || khz=1000000
# i8042.noaux: no PS/2 mouse.  6.12 finishes probing it only seconds into
# the boot, and a reboot() before that waits for the probe (130 ms of
# guest time on the instruction counter), which lands on ours alone.
APPEND="tsc_early_khz=$khz tsc=reliable i8042.noaux ${LU_APPEND:-}"
export LU_INITRAMFS_LEGS="${LEGS[*]}"

# The disk of the "VMM without live update" baseline: sparse, 5 GiB, on
# the host's file system, opened by QEMU with O_DIRECT (cache=none).
rm -f "$DISK"
truncate -s 5G "$DISK"
DISK_ARGS="-drive file=$DISK,if=none,id=d0,format=raw,cache=none -device virtio-blk-pci,drive=d0"

rm -rf "$OUT"
mkdir -p "$OUT"
start=$(date +%s)

# vm MODE LEG NAME [MEM]: one VM run of lu_bench.sh, kept as NAME.{log,ts}.
vm() {
	local mode=$1 leg=$2 name=$3 mem=${4:-}
	local append="$APPEND lubench=$mode" qemu="" smp=2

	[ "$mode" = hugetlb ] && append="$append $HUGETLB_POOLS"
	if [ -n "$ICOUNT" ]; then
		qemu="-icount shift=$ICOUNT,sleep=off"
		smp=1
		[ "$mode" = chain ] && append="$append lubench_steps=$ICOUNT_STEPS"
	elif [ "$mode" = chain ]; then
		qemu=$DISK_ARGS
	fi
	info "bench: $name ($leg, lubench=$mode${mem:+, $mem}${ICOUNT:+, icount})"
	LU_KERNELS=$leg LU_MEM=$mem LU_SMP=$smp LU_APPEND="$append" LU_QEMU_ARGS="$qemu" \
		"$TOP/harness/run-vm.sh" --bench lu_bench >&2 ||
		die "benchmark run $name failed, see build/logs/lu_bench.log"
	cp "$LOGS/lu_bench.log" "$OUT/$name.log"
	cp "$LOGS/lu_bench.ts" "$OUT/$name.ts"
}

# Run i starts with the i-th kernel: with two, they alternate.
n=${#LEGS[@]}
for i in $(seq "$RUNS"); do
	for j in $(seq 0 $((n - 1))); do
		leg=${LEGS[$(( (i - 1 + j) % n ))]}
		vm chain "$leg" "chain-$i-$leg"
	done
	vm hugetlb $OURS "hugetlb-$i-$OURS" 4G
done
# Once per kernel (not for the extra legs): 10 updates, scratch.  They
# measure memory, the same on either clock.
for leg in $([ -n "$ICOUNT" ] || echo $OURS $PEER); do
	vm repeat "$leg" "repeat-$leg" 1G
	vm scratch "$leg" "scratch2g-$leg" 2G
	vm scratch "$leg" "scratch8g-$leg" 8G
done
rm -f "$DISK"
secs=$(( $(date +%s) - start ))

accel=${LU_ACCEL:-$(cat "$BUILD/accel" 2>/dev/null || echo '?')}${ICOUNT:+ -icount shift=$ICOUNT,sleep=off}
qver=$(qemu-system-x86_64 --version | sed -n '1s/.*version \([^ ]*\).*/\1/p')
kver=$(sed -n 's/^kernel //p' "$PRISTINE_DIR/VERSION")
host="$(nproc) host cores, load average $(cut -d' ' -f1-3 /proc/loadavg) at the end"
# report OURS-LEG OUT: the table of OURS-LEG against the mainline peer.
report() {
	python3 "$TOP/harness/bench-report.py" --khz "$khz" --ours "$1" --peer $PEER \
		${ICOUNT:+--icount "$ICOUNT"} \
		--title "Live update blackout, ours (Linux $kver, leg $1) vs mainline ($(mainline_version), leg $PEER)" \
		--title "QEMU $qver $accel, $([ -n "$ICOUNT" ] && echo "1 vCPU" || echo "2 vCPUs"), -cpu max; $RUNS run(s) of ${#LEGS[@]} kernels (${LEGS[*]}), each run starting with the next; $(date -u +%Y-%m-%d), $host; took ${secs}s" \
		"$OUT" > "$2.tmp" || { cat "$2.tmp"; die "the benchmark lacks measurements"; }
	mv "$2.tmp" "$2"
}
for leg in $EXTRA; do
	report "$leg" "$LOGS/bench$SUFFIX-$leg.txt"
	cat "$LOGS/bench$SUFFIX-$leg.txt"
	echo
done
report $OURS "$LOGS/bench$SUFFIX.txt"
cat "$LOGS/bench$SUFFIX.txt"
