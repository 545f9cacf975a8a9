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
#   once per kernel: 10 updates in a row (lubench=repeat, 1 GiB VM) and a
#   cold boot of a 2 GiB and of an 8 GiB VM (lubench=scratch).
# The initramfs is the same for both kernels (it carries both images).
# Raw consoles: build/logs/bench/.  harness/bench-report.py makes the table.
# BENCH_BUILD=0 measures the kernels and initramfs as they are built.
#
# The guests get the host's TSC frequency (harness/tsc-khz.c) as
# tsc_early_khz= with tsc=reliable: TSC calibration fails under TCG.  The
# TSC runs on across a kexec in the same VM, so the agent's TSC stamps of
# two kernels are on one timeline.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

RUNS=${BENCH_RUNS:-5}
OURS=bench
PEER=mainline-bench
OUT=$LOGS/bench
DISK=$BUILD/bench-disk.img

command -v python3 >/dev/null || die "python3 is needed for the benchmark"
if [ "${BENCH_BUILD:-1}" != 0 ]; then
	"$TOP/harness/deps.sh" || die "installing packages failed"
	"$TOP/harness/assemble.sh" || die "assembling the tree failed"
	"$TOP/harness/build.sh" $OURS || die "building kernel leg $OURS failed"
	"$TOP/harness/build.sh" $PEER || die "building kernel leg $PEER (the mainline peer) failed"
	"$TOP/harness/initramfs.sh" $OURS $PEER || die "building the initramfs failed"
fi

gcc -O2 -Wall -o "$BUILD/tsc-khz" "$TOP/harness/tsc-khz.c" || die "cannot build tsc-khz"
khz=$("$BUILD/tsc-khz")
APPEND="tsc_early_khz=$khz tsc=reliable ${LU_APPEND:-}"
export LU_INITRAMFS_LEGS="$OURS $PEER"

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
	info "bench: $name ($leg, lubench=$mode${mem:+, $mem})"
	LU_KERNELS=$leg LU_MEM=$mem LU_APPEND="$APPEND lubench=$mode" \
		LU_QEMU_ARGS="$([ "$mode" = chain ] && echo "$DISK_ARGS")" \
		"$TOP/harness/run-vm.sh" --bench lu_bench >&2 ||
		die "benchmark run $name failed, see build/logs/bench/$name.log"
	cp "$LOGS/lu_bench.log" "$OUT/$name.log"
	cp "$LOGS/lu_bench.ts" "$OUT/$name.ts"
}

for i in $(seq "$RUNS"); do
	order="$OURS $PEER"
	[ $((i % 2)) -eq 1 ] || order="$PEER $OURS"
	for leg in $order; do
		vm chain "$leg" "chain-$i-$leg"
	done
done
for leg in $OURS $PEER; do
	vm repeat "$leg" "repeat-$leg" 1G
	vm scratch "$leg" "scratch2g-$leg" 2G
	vm scratch "$leg" "scratch8g-$leg" 8G
done
rm -f "$DISK"
secs=$(( $(date +%s) - start ))

accel=${LU_ACCEL:-$(cat "$BUILD/accel" 2>/dev/null || echo '?')}
qver=$(qemu-system-x86_64 --version | sed -n '1s/.*version \([^ ]*\).*/\1/p')
kver=$(sed -n 's/^kernel //p' "$PRISTINE_DIR/VERSION")
host="$(nproc) host cores, load average $(cut -d' ' -f1-3 /proc/loadavg) at the end"
python3 "$TOP/harness/bench-report.py" --khz "$khz" --ours $OURS --peer $PEER \
	--title "Live update blackout, ours (Linux $kver, leg $OURS) vs mainline ($(mainline_version), leg $PEER)" \
	--title "QEMU $qver $accel, 2 vCPUs, -cpu max; $RUNS alternating runs; $(date -u +%Y-%m-%d), $host; took ${secs}s" \
	"$OUT" > "$LOGS/bench.txt.tmp" || { cat "$LOGS/bench.txt.tmp"; die "the benchmark lacks measurements"; }
mv "$LOGS/bench.txt.tmp" "$LOGS/bench.txt"
cat "$LOGS/bench.txt"
