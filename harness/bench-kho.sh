#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# bench-kho.sh: the KHO benchmark, `make bench-kho`.  Not a test and not
# part of `make check`: it prints one table of measurements, also saved to
# build/logs/bench-kho.txt, and fails only if a run breaks.
#
# Builds the "kho-bench" kernel leg (harness/legs/kho-bench.config: the benchmark
# module, no costly debug options), then boots BENCH_RUNS (default 5) runs
# of the five-kernel chain vm/bench/kho_bench.sh in one 3 GiB VM each and
# one cold boot of vm/bench/kho_bench_scratch.sh in a 2 GiB VM, with the
# console timestamped on the host (run-vm.sh --bench).  The table shows
# medians over the runs and each timing as a ratio to a baseline of the
# same run.  Raw consoles: build/logs/bench-kho/.
#
# The guests get the host's TSC frequency (harness/tsc-khz.c) as
# tsc_early_khz= and tsc=reliable: TSC calibration often fails under TCG,
# and then local_clock() has jiffies resolution and stands still in early
# boot.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

RUNS=${BENCH_RUNS:-5}
OUT=$LOGS/bench-kho
BENCH=$TOP/$SELFTESTS/vm/bench

command -v python3 >/dev/null || die "python3 is needed for the benchmark"
"$TOP/harness/deps.sh" || die "installing packages failed"
"$TOP/harness/assemble.sh" || die "assembling the tree failed"
"$TOP/harness/build.sh" kho-bench || die "building kernel leg kho-bench failed"
"$TOP/harness/initramfs.sh" kho-bench || die "building the initramfs for kho-bench failed"

gcc -O2 -Wall -o "$BUILD/tsc-khz" "$TOP/harness/tsc-khz.c" || die "cannot build tsc-khz"
khz=$("$BUILD/tsc-khz")
export LU_APPEND="tsc_early_khz=$khz tsc=reliable ${LU_APPEND:-}"

rm -rf "$OUT"
mkdir -p "$OUT"
start=$(date +%s)
for i in $(seq "$RUNS"); do
	info "benchmark run $i of $RUNS: five kernels, 1 GiB preserved as 4 KiB and as 2 MiB folios"
	"$TOP/harness/run-vm.sh" --bench kho_bench >&2 ||
		die "benchmark run $i failed, see build/logs/kho_bench.log"
	cp "$LOGS/kho_bench.log" "$OUT/run$i.log"
	cp "$LOGS/kho_bench.ts" "$OUT/run$i.ts"
done
info "scratch reservation of a cold boot"
"$TOP/harness/run-vm.sh" --bench kho_bench_scratch >&2 ||
	die "scratch run failed, see build/logs/kho_bench_scratch.log"
cp "$LOGS/kho_bench_scratch.log" "$OUT/scratch.log"
cp "$LOGS/kho_bench_scratch.ts" "$OUT/scratch.ts"

accel=${LU_ACCEL:-$(cat "$BUILD/accel" 2>/dev/null || echo '?')}
mem=$(test_header lu-mem "$BENCH/kho_bench.sh")
smem=$(test_header lu-mem "$BENCH/kho_bench_scratch.sh")
kver=$(sed -n 's/^kernel //p' "$PRISTINE_DIR/VERSION")
qver=$(qemu-system-x86_64 --version | sed -n '1s/.*version \([^ ]*\).*/\1/p')
if [ "$accel" = tcg ]; then
	accel_note="TCG: QEMU emulates the CPU in software, so absolute times are inflated many times
  over and noisy (2 host cores, shared).  Trust the ratios, taken between measurements of
  the same run, more than the times; but TCG does not slow everything alike: memset()
  (rep stosb, emulated byte by byte) suffers more than the pointer and bit work of KHO, so
  ratios to B4K/B2M flatter KHO compared with real hardware."
else
	accel_note="Accelerator $accel: timings include virtualization overhead; trust the ratios most."
fi
python3 "$TOP/harness/bench-kho-report.py" \
	--title "KHO benchmark: Linux $kver bench leg, QEMU $qver $accel, $mem VM, 2 vCPUs, $RUNS runs, $(( $(date +%s) - start ))s" \
	--scratch "$OUT/scratch.ts" --scratch-ram "$(numfmt --from=iec "$smem")" \
	--footer "$accel_note" \
	--footer "median, min .. max and n are over all samples (0 GiB rows: two kexecs per run).  Ratios to
  B4K/B2M (memset() of the very folios about to be preserved, same kernel) are per run, then
  the median is shown; reboot rows compare the medians of all runs of this invocation.  Host
  contention only adds time, so min shows the fixed cost best.  Kernel: no lockdep, DEBUG_VM,
  KUnit or KEXEC_HANDOVER_DEBUG; local_clock() is the TSC (tsc_early_khz=$khz tsc=reliable)." \
	--footer "1. local_clock() around the loops of kho_bench.c.  Metadata = radix tree pages allocated
  during the loop (kho_out_tracker_pages() delta) x 4 KiB; the benchmark's own folio list
  (8 B per folio, preserved with kho_preserve_vmalloc()) is not counted." \
	--footer "2. Host time.monotonic() of the serial console: end of the line \"KHO-BENCH-KEXEC\" that
  lu_kexec writes to /dev/kmsg just before reboot(2), to the first byte of the next kernel's
  first line (earlyprintk, printed from setup_arch(), before any KHO work).  Guest clock
  rows: printk time from that line (then sync(2), reboot(2)) to \"kexec_core: Starting new
  kernel\", printed by kernel_kexec() before machine_shutdown() and machine_kexec()." \
	--footer "3. Next kernel: local_clock() of each pass, printed by kexec_handover.c; restore = one
  loop of kho_restore_folio() + check of one u64 per page + folio_put() (late_initcall)." \
	--footer "4. Scratch is sized from memblock reservations at boot (default 200 %), which here include
  the initramfs (it carries a kernel image and a second initramfs for the kexecs)." \
	"$OUT"/run*.ts > "$LOGS/bench-kho.txt.tmp" || { cat "$LOGS/bench-kho.txt.tmp"; die "the benchmark lacks measurements"; }
mv "$LOGS/bench-kho.txt.tmp" "$LOGS/bench-kho.txt"
cat "$LOGS/bench-kho.txt"
