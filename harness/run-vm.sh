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
#   # lu-append: ARGS       # lu-smp: N (vCPUs, default 2)
#   # lu-kernels: LEG...    (stage N boots the N-th leg, later ones the last)
#   # lu-splat-ok: ERE      kernel messages the test causes on purpose (the
#                           allocation failures it injects), each with the
#                           stack dump that follows it up to "</TASK>"
# LU_KERNELS="LEG...", LU_SMP=N, LU_FIRMWARE=uefi and LU_TIMEOUT=SECONDS in
# the environment override the test's legs, vCPUs, firmware and timeout,
# LU_MEM its memory; LU_INITRAMFS_LEGS="LEG..." boots it with the initramfs
# of these legs (a superset); LU_QEMU_ARGS are added to QEMU's arguments.
#
# The kernel command line carries lusmp=N, the vCPUs given to QEMU: vm/lib.sh
# checks in every stage that this many CPUs are online.
set -uo pipefail
. "$(dirname "$0")/lib.sh"

SPLAT='WARNING:|BUG:|Oops|Call Trace:|KASAN|UBSAN|Kernel panic|kernel BUG|general protection fault|INFO: (possible|trying|task|rcu)|circular locking|soft lockup|hard LOCKUP'

accel() {
	if [ -n "${LU_ACCEL:-}" ]; then echo "$LU_ACCEL"; return; fi
	[ -f "$BUILD/accel" ] && { cat "$BUILD/accel"; return; }
	"$TOP/harness/kvm-probe.sh" "$1" > "$BUILD/accel"
	cat "$BUILD/accel"
}

# mib SIZE: SIZE (a QEMU size: 512M, 4G, or MiB) in MiB.
mib() {
	case "$1" in
	*[Gg]) echo $(( ${1%[Gg]} * 1024 )) ;;
	*[Mm]) echo "${1%[Mm]}" ;;
	*) echo "$1" ;;
	esac
}

# numa_args MEM SMP NODES: add to EXTRA the QEMU options for NODES NUMA
# nodes sharing MEM and SMP vCPUs evenly (node N gets vCPUs N*SMP/NODES and
# up), each node's memory a RAM backend of its own, and set TOPO to one
# socket per node: vCPUs of one socket share a last-level cache, which
# the kernel warns about (topology_sane()) if they are on different nodes.
numa_args() {
	local total per n cpus
	total=$(mib "$1")
	per=$(( total / $3 ))
	[ $(( per * $3 )) -eq "$total" ] || die "lu-numa: $1 does not split into $3 nodes"
	[ $(( $2 % $3 )) -eq 0 ] || die "lu-numa: $2 vCPUs do not split into $3 nodes"
	TOPO=",sockets=$3,cores=$(( $2 / $3 )),threads=1"
	for ((n = 0; n < $3; n++)); do
		cpus="$(( n * $2 / $3 ))-$(( (n + 1) * $2 / $3 - 1 ))"
		EXTRA+=(-object "memory-backend-ram,id=ram$n,size=${per}M"
			-numa "node,nodeid=$n,cpus=$cpus,memdev=ram$n")
	done
}

# firmware_args FIRMWARE NAME: add to EXTRA the QEMU options for the boot
# firmware.  OVMF (Debian's package ovmf) runs from its read-only code image
# with a copy of the variable store per run (build/ovmf/NAME-VARS.fd), so
# that variables written by a test never reach the next run.  The kernel
# and initrd still come through fw_cfg (-kernel, -initrd): OVMF starts the
# same bzImage through its EFI stub.
OVMF_CODE=/usr/share/OVMF/OVMF_CODE_4M.fd
OVMF_VARS=/usr/share/OVMF/OVMF_VARS_4M.fd
firmware_args() {
	case "$1" in
	bios) ;;
	uefi)
		[ -f "$OVMF_CODE" ] && [ -f "$OVMF_VARS" ] ||
			die "$OVMF_CODE or $OVMF_VARS missing (package ovmf; run harness/deps.sh)"
		mkdir -p "$BUILD/ovmf"
		cp "$OVMF_VARS" "$BUILD/ovmf/$2-VARS.fd"
		EXTRA+=(-drive "if=pflash,format=raw,unit=0,readonly=on,file=$OVMF_CODE"
			-drive "if=pflash,format=raw,unit=1,file=$BUILD/ovmf/$2-VARS.fd")
		;;
	*) die "lu-firmware: $1 is neither bios nor uefi" ;;
	esac
}

# cpu_model LEG...: QEMU's -cpu for a VM that boots these legs.  With a
# KASAN kernel (leg sanitize) the vCPU has no 5-level paging: 6.12's
# identify_cpu() clears the boot CPU's feature bits, LA57 among them, with
# interrupts on and before alternatives are patched, so an interrupt in
# that window sees pgtable_l5_enabled() false and KASAN reports its
# direct-map accesses as wild (seen at 0.12 s of a kexec'd boot, in
# handle_edge_irq()).  That race is 6.12's, not live update's.
cpu_model() {
	case " $* " in
	*" sanitize "*) echo max,la57=off ;;
	*) echo max ;;
	esac
}

# qemu_cmd MEM SMP NODES FIRMWARE NAME APPEND LEG...: set QEMU to the
# command line of a VM that boots the first leg with the initramfs for all
# of them, (re)built if it is missing or older than a kernel, a test script
# or a program source.  NODES is 1 or the number of NUMA nodes.
qemu_cmd() {
	local mem=$1 smp=$2 nodes=$3 fw=$4 vm=$5 append=$6 initrd l imgs=() carry
	shift 6
	carry=(${LU_INITRAMFS_LEGS:-$@})
	initrd=$(initramfs_dir "${carry[@]}")/outer.cpio
	for l in "$@"; do
		[ -f "$(image "$l")" ] || die "$(image "$l") missing: run harness/build.sh $l"
		imgs+=("$(image "$l")")
	done
	if [ ! -f "$initrd" ] ||
	   [ -n "$(find "$TOP/$SELFTESTS" "${imgs[@]}" -newer "$initrd" -print -quit)" ]; then
		"$TOP/harness/initramfs.sh" "${carry[@]}" || die "cannot build the initramfs for kernel legs ${carry[*]}"
	fi
	EXTRA=() TOPO=
	[ "$nodes" -le 1 ] || numa_args "$mem" "$smp" "$nodes"
	firmware_args "$fw" "$vm"
	QEMU=(qemu-system-x86_64 -accel "$(accel "$1")" -cpu "$(cpu_model "$@")"
	      -m "$mem" -smp "$smp$TOPO"
	      "${EXTRA[@]}" -nographic -nodefaults -no-reboot
	      -kernel "$(image "$1")" -initrd "$initrd"
	      -append "console=ttyS0 panic=-1 retain_initrd lusmp=$smp lukernels=$(IFS=,; echo "$*") $append"
	      ${LU_QEMU_ARGS:-})
}

if [ "${1:-}" = --shell ]; then
	qemu_cmd 1G "${LU_SMP:-2}" 1 "${LU_FIRMWARE:-bios}" shell "${LU_APPEND:-}" "${2:-default}"
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
tmo=${LU_TIMEOUT:-$(test_header lu-timeout "$t")}; tmo=${tmo:-120}
mem=${LU_MEM:-$(test_header lu-mem "$t")}; mem=${mem:-1G}
smp=${LU_SMP:-$(test_header lu-smp "$t")}; smp=${smp:-2}
nodes=$(test_header lu-numa "$t"); nodes=${nodes:-1}
fw=${LU_FIRMWARE:-$(test_header lu-firmware "$t")}; fw=${fw:-bios}
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
qemu_cmd "$mem" "$smp" "$nodes" "$fw" "$name" "$append" "${legs[@]}"
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
