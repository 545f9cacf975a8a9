#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# run-vm.sh [--live] TEST: boot the test VM for one multi-stage test and
# judge the serial console log (build/logs/TEST.log).
# run-vm.sh --bench TEST: the same for a benchmark stage script, which lives
# in vm/bench/ (not run by `make check`); the console also goes through
# harness/serial-ts.py, which timestamps every line on the host
# (build/logs/TEST.ts).
# run-vm.sh --shell [LEG]: boot the VM with an interactive shell.
#
# A test passes when its stages (and the kernel, e.g. KUnit or test_kho)
# reported at least one "ok", no "not ok",
# the last stage printed "LUTEST-DONE", the console shows no kernel splat
# and QEMU finished before the test's timeout.  Test header keys:
#   # lu-timeout: SECONDS   # lu-kernel: LEG   # lu-mem: SIZE
#   # lu-append: ARGS       # lu-smp: N
#   # lu-kernels: LEG...    (stage N boots the N-th leg, later ones the last)
#   # lu-splat-ok: ERE      kernel messages the test causes on purpose (the
#                           allocation failures it injects), each with the
#                           stack dump that follows it up to "</TASK>"
# LU_KERNELS="LEG..." in the environment overrides the legs of the test.
set -uo pipefail
. "$(dirname "$0")/lib.sh"

SPLAT='WARNING:|BUG:|Oops|Call Trace:|KASAN|UBSAN|Kernel panic|kernel BUG|general protection fault|INFO: (possible|trying|task|rcu)|circular locking|soft lockup|hard LOCKUP'

accel() {
	if [ -n "${LU_ACCEL:-}" ]; then echo "$LU_ACCEL"; return; fi
	[ -f "$BUILD/accel" ] && { cat "$BUILD/accel"; return; }
	"$TOP/harness/kvm-probe.sh" "$1" > "$BUILD/accel"
	cat "$BUILD/accel"
}

# qemu_cmd MEM SMP APPEND LEG...: set QEMU to the command line of a VM that
# boots the first leg with the initramfs for all of them, (re)built if it
# is missing or older than a kernel, a test script or a program source.
qemu_cmd() {
	local mem=$1 smp=$2 append=$3 initrd l imgs=()
	shift 3
	initrd=$(initramfs_dir "$@")/outer.cpio
	for l in "$@"; do
		[ -f "$(image "$l")" ] || die "$(image "$l") missing: run harness/build.sh $l"
		imgs+=("$(image "$l")")
	done
	if [ ! -f "$initrd" ] ||
	   [ -n "$(find "$TOP/$SELFTESTS" "${imgs[@]}" -newer "$initrd" -print -quit)" ]; then
		"$TOP/harness/initramfs.sh" "$@" || die "cannot build the initramfs for kernel legs $*"
	fi
	QEMU=(qemu-system-x86_64 -accel "$(accel "$1")" -cpu max -m "$mem" -smp "$smp"
	      -nographic -nodefaults -no-reboot
	      -kernel "$(image "$1")" -initrd "$initrd"
	      -append "console=ttyS0 panic=-1 retain_initrd lukernels=$(IFS=,; echo "$*") $append")
}

if [ "${1:-}" = --shell ]; then
	qemu_cmd 1G 2 "${LU_APPEND:-}" "${2:-default}"
	exec "${QEMU[@]}" -serial mon:stdio
fi

# run_timestamped: run QEMU with the console on a FIFO read by
# serial-ts.py; return QEMU's exit status.
run_timestamped() {
	local fifo=$LOGS/$name.fifo tspid rc i
	rm -f "$fifo.in" "$fifo.out"
	mkfifo "$fifo.in" "$fifo.out"
	python3 "$TOP/harness/serial-ts.py" "$fifo.out" "$log" "$LOGS/$name.ts" &
	tspid=$!
	timeout "$tmo" "${QEMU[@]}" -chardev pipe,id=con,path="$fifo" -serial chardev:con \
		</dev/null >"$log.qemu" 2>&1
	rc=$?
	# serial-ts.py stops at the end of the console; it sees none if QEMU
	# never opened the FIFO.
	for i in 1 2 3 4 5 6 7 8 9 10; do
		kill -0 "$tspid" 2>/dev/null || break
		sleep 0.5
	done
	kill "$tspid" 2>/dev/null
	wait "$tspid" 2>/dev/null
	rm -f "$fifo.in" "$fifo.out"
	touch "$log"
	return $rc
}

live= bench=
case "${1:-}" in
--live) live=1; shift ;;
--bench) bench=1; shift ;;
esac
name=${1:?usage: run-vm.sh [--live|--bench] TEST}
t=$TOP/$SELFTESTS/vm/tests/$name.sh
[ -n "$bench" ] && t=$TOP/$SELFTESTS/vm/bench/$name.sh
[ -f "$t" ] || t=$TOP/$SELFTESTS/vm/bench/$name.sh
[ -f "$t" ] || die "no such VM ${bench:+benchmark }test: $name"
legs=($(test_kernels "$t"))
tmo=$(test_header lu-timeout "$t"); tmo=${tmo:-120}
mem=$(test_header lu-mem "$t"); mem=${mem:-1G}
smp=$(test_header lu-smp "$t"); smp=${smp:-2}
append="lutest=$name lustage=1 $(test_header lu-append "$t") ${LU_APPEND:-}"
log=$LOGS/$name.log
mkdir -p "$LOGS"
rm -f "$log"
# A test on the mainline peer names the version in its verdict: a peer
# that stopped speaking our formats fails the test, and this says which.
peer=
case " ${legs[*]} " in *" mainline "*) peer=" [mainline peer: $(mainline_version)]" ;; esac

# From here on, what stops the run is the test's verdict.
die() { echo "FAIL $name: $*$peer"; exit 1; }
qemu_cmd "$mem" "$smp" "$append" "${legs[@]}"
start=$(date +%s.%N)
if [ -n "$live" ]; then
	timeout --foreground "$tmo" "${QEMU[@]}" \
		-chardev stdio,id=con,logfile="$log",signal=off -serial chardev:con
elif [ -n "$bench" ]; then
	run_timestamped
else
	timeout "$tmo" "${QEMU[@]}" -serial file:"$log" </dev/null >"$log.qemu" 2>&1
fi
rc=$?
secs=$(echo "$(date +%s.%N) - $start" | bc | xargs printf '%.1f')
[ -z "$peer" ] || echo "# harness:$peer" >> "$log"

# Results in TAP form (renumbered across stages) next to the log.
tr -d '\r' < "$log" | sed 's/^\[[ 0-9.]*\] //' | grep -E '^(not )?ok [0-9]+ ' |
	awk '{ sub(/^(not )?ok [0-9]+ /, ($1 == "not" ? "not ok " : "ok ") NR " "); print }' > "$LOGS/$name.tap"
{ echo "TAP version 13"; echo "1..$(wc -l < "$LOGS/$name.tap")"; cat "$LOGS/$name.tap"; } > "$LOGS/$name.tap.tmp"
mv "$LOGS/$name.tap.tmp" "$LOGS/$name.tap"

reason=
if [ $rc -eq 124 ]; then
	reason="timeout after ${tmo}s"
elif splat=$(awk -v ok="$(test_header lu-splat-ok "$t")" \
		'skip { if (/<\/TASK>/) skip = 0; next } ok != "" && $0 ~ ok { skip = 1; next } 1' "$log" |
		grep -m1 -E "$SPLAT"); then
	reason="kernel splat: $(echo "$splat" | tr -d '\r' | sed 's/^\[[ 0-9.]*\] //')"
elif grep -q '^not ok ' "$LOGS/$name.tap"; then
	reason=$(grep '^not ok ' "$LOGS/$name.tap" | head -3 | sed 's/^not ok [0-9]* - //' | paste -sd';')
elif ! grep -q "LUTEST-DONE $name" "$log"; then
	reason="did not finish (no LUTEST-DONE; QEMU exit $rc)"
elif ! grep -q '^ok [0-9]* - stage' "$LOGS/$name.tap"; then
	reason="no results from the test's stages"
fi

if [ -z "$reason" ]; then
	echo "PASS $name (${secs}s)$peer"
	exit 0
fi
echo "FAIL $name (${secs}s): $reason$peer"
echo "---- last lines of build/logs/$name.log ----" >&2
tail -n 40 "$log" | tr -d '\r' >&2
echo "----" >&2
exit 1
