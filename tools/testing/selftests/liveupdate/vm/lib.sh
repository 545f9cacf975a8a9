# SPDX-License-Identifier: GPL-2.0
#
# Helpers for multi-stage VM tests.  A test is vm/tests/NAME.sh and
# defines shell functions stage1, stage2, ...  Stage N runs in the kernel
# that was booted (or kexec'd) with "lutest=NAME lustage=N" on its command
# line.  A stage reports KTAP-style results with lu_ok/lu_fail/lu_check,
# then either moves on with lu_kexec_next or ends the test with lu_done.
#
# The host-side runner collects every "ok"/"not ok" line from the serial
# console, fails the test on any "not ok", on a missing "LUTEST-DONE" line,
# on a kernel splat or on a timeout.

lu_param() {
	local w
	for w in $(cat /proc/cmdline); do
		case "$w" in "$1="*) echo "${w#*=}"; return 0 ;; esac
	done
	return 1
}

LU_TEST=$(lu_param lutest)
LU_STAGE=$(lu_param lustage || echo 1)
LU_N=0
LU_FAILED=0

# The kernel legs of the test's stages, from "lukernels=LEG,LEG,..." (set by
# run-vm.sh from "# lu-kernels:"): stage N runs the N-th, later stages the
# last one.
LU_KERNELS=$(lu_param lukernels || echo default)
lu_stage_leg() {
	echo "$LU_KERNELS" | tr ',' '\n' | awk -v n="$1" 'NR <= n {l = $0} END {print l}'
}
LU_LEG=$(lu_stage_leg "$LU_STAGE")
# The kernel of the next stage: an initramfs for several legs carries
# /boot/bzImage-LEG for each, one for a single leg only /boot/bzImage.
LU_KERNEL=/boot/bzImage-$(lu_stage_leg $((LU_STAGE + 1)))
[ -f "$LU_KERNEL" ] || LU_KERNEL=/boot/bzImage

lu_ok() {
	LU_N=$((LU_N + 1))
	echo "ok $LU_N - stage$LU_STAGE: $*"
}

lu_fail() {
	LU_N=$((LU_N + 1))
	LU_FAILED=$((LU_FAILED + 1))
	echo "not ok $LU_N - stage$LU_STAGE: $*"
}

# lu_check DESC CMD...: one result line for the exit status of CMD.
lu_check() {
	local desc=$1
	shift
	if "$@" >/dev/null; then lu_ok "$desc"; else lu_fail "$desc"; fi
}

# lu_expect_eq DESC EXPECTED ACTUAL
lu_expect_eq() {
	if [ "$2" = "$3" ]; then lu_ok "$1"
	else lu_fail "$1 (expected '$2', got '$3')"; fi
}

# lu_abort MSG: report a failure and stop the VM at once.
lu_abort() {
	lu_fail "$*"
	echo "LUTEST-ABORT $LU_TEST stage$LU_STAGE"
	lu_poweroff
}

lu_poweroff() {
	sync
	reboot -f
	sleep 10
}

# lu_kmemleak_check: on a kernel with kmemleak (the sanitize leg), scan
# for leaks now and fail if a suspected leak names our code; the report
# goes to the console.  Objects younger than 5 s are not reported yet,
# hence the wait.  Called at the end of a stage (before a kexec discards
# this kernel, and after the next kernel retrieved and finished).
LU_KMEMLEAK=/sys/kernel/debug/kmemleak
LU_OURS='kho_|luo_|memfd_luo|liveupdate|kexec_handover'
lu_kmemleak_check() {
	local bad
	[ -w $LU_KMEMLEAK ] || return 0
	sleep 5
	echo scan > $LU_KMEMLEAK
	bad=$(awk -v re="$LU_OURS" '/^unreferenced object/ {if (b ~ re) print b; b = ""}
		{b = b $0 "\n"} END {if (b ~ re) print b}' $LU_KMEMLEAK)
	echo clear > $LU_KMEMLEAK
	if [ -n "$bad" ]; then
		printf '%b' "$bad" | sed 's/^/# kmemleak: /'
		lu_fail "kmemleak: a suspected leak names our code"
	else
		lu_ok "kmemleak: no suspected leak names our code"
	fi
}

# lu_kho_accounted [UNCLAIMED]: every page the previous kernel preserved
# was taken back once or is still reserved (kho/in/accounting of a KHO
# boot); with UNCLAIMED, exactly that many pages are left unclaimed.
lu_kho_accounted() {
	local f=/sys/kernel/debug/kho/in/accounting want=${1:-}
	[ -r $f ] || { lu_ok "no hand-over to account for"; return 0; }
	set -- $(awk '{print $2}' $f)
	sed 's/^/# kho accounting: /' $f
	lu_expect_eq "every preserved page was claimed once or is still reserved" \
		"$1 0" "$(($2 + $3)) $4"
	[ -z "$want" ] || lu_expect_eq "preserved pages left unclaimed" "$want" "$3"
}

lu_done() {
	lu_kmemleak_check
	echo "# stage$LU_STAGE: $LU_N result(s), $LU_FAILED failed"
	echo "LUTEST-DONE $LU_TEST"
	lu_poweroff
}

lu_boot_id() { cat /proc/sys/kernel/random/boot_id; }

# lu_dmesg ERE / lu_no_dmesg ERE: does a line of the kernel log match ERE?
lu_dmesg() { dmesg | grep -q -E "$1"; }
lu_no_dmesg() { ! lu_dmesg "$1"; }

# lu_no_kernel_failures: one result for the absence of "not ok" lines of
# in-kernel tests in the kernel log, naming the first one found.
lu_no_kernel_failures() {
	local bad
	bad=$(dmesg | grep -m1 -E 'not ok [0-9]+ ' | sed 's/^\[[ 0-9.]*\] //')
	lu_expect_eq "kernel log has no failed check" "" "$bad"
}

# The initrd for the next kernel: the inner initrd carried by the first
# boot, or the retained initrd of this boot (retain_initrd).
lu_next_initrd() {
	if [ -f /boot/initrd.img ]; then echo /boot/initrd.img
	else echo /sys/firmware/initrd; fi
}

# lu_next_cmdline [EXTRA...]: this boot's command line with lustage
# advanced, lu_prev_boot set to this boot's id, and EXTRA appended (a
# KEY=VALUE of EXTRA replaces KEY=... of this boot's).
lu_next_cmdline() {
	local w e out=""
	for w in $(cat /proc/cmdline); do
		case "$w" in lustage=*|lu_prev_boot=*|lu_marker=*) continue ;; esac
		for e in "$@"; do
			case "$e" in *=*) [ "${w%%=*}" = "${e%%=*}" ] && continue 2 ;; esac
		done
		out="$out $w"
	done
	echo "${out# } lustage=$((LU_STAGE + 1)) lu_prev_boot=$(lu_boot_id) $*"
}

# lu_kexec_next [-s] [EXTRA...]: load this kernel again with kexec-tools
# (kexec_file_load, "kexec -s -l") and execute it.  With -s the static
# helper lu_kexec does the same through kexec_file_load(2) and reboot(2).
lu_kexec_next() {
	local tool=kexec cmd initrd
	[ "$1" = -s ] && { tool=lu_kexec; shift; }
	cmd=$(lu_next_cmdline "$@")
	initrd=$(lu_next_initrd)
	lu_kmemleak_check
	echo "# stage$LU_STAGE: kexec ($tool) into stage $((LU_STAGE + 1))"
	echo "# stage$LU_STAGE: $LU_N result(s), $LU_FAILED failed"
	if [ $tool = kexec ]; then
		kexec -s -l "$LU_KERNEL" --initrd="$initrd" --append="$cmd" ||
			lu_abort "kexec -s -l failed ($?)"
		kexec -e
		lu_abort "kexec -e returned ($?)"
	else
		lu_kexec -k "$LU_KERNEL" -i "$initrd" -c "$cmd" -e ||
			lu_abort "lu_kexec failed ($?)"
	fi
}

# lu_memfd_kexec [-c CMDLINE] ARGS...: memfd_agent does ARGS (it keeps the
# sessions and memfds it holds open), loads the next stage's kernel and
# reboots into it with reboot(2).  The next kernel gets CMDLINE, by default
# lu_next_cmdline's.
lu_memfd_kexec() {
	local cmd
	if [ "$1" = -c ]; then cmd=$2; shift 2; else cmd=$(lu_next_cmdline); fi
	lu_kmemleak_check
	echo "# stage$LU_STAGE: kexec (memfd_agent) into stage $((LU_STAGE + 1))"
	memfd_agent -k "$LU_KERNEL" -i "$(lu_next_initrd)" -c "$cmd" "$@" kexec
	lu_abort "memfd_agent did not kexec"
}

# lu_agent_kexec ARGS...: luo_agent does ARGS (it keeps the session fds
# it creates open), loads this kernel again for the next stage and
# reboots into it with reboot(2).
lu_agent_kexec() {
	lu_kmemleak_check
	echo "# stage$LU_STAGE: kexec (luo_agent) into stage $((LU_STAGE + 1))"
	luo_agent -k "$LU_KERNEL" -i "$(lu_next_initrd)" -c "$(lu_next_cmdline)" "$@" kexec
	lu_abort "luo_agent did not kexec"
}

# lu_check_leg: when the test boots several kernel legs, one result for
# this stage running the leg it should: the mainline peer is not a 6.12
# kernel, our legs are.
lu_check_leg() {
	local rel
	rel=$(uname -r)
	case "$LU_KERNELS" in *,*) ;; *) return 0 ;; esac
	case "$LU_LEG:$rel" in
	mainline*:6.12*) lu_fail "stage runs on leg $LU_LEG (kernel $rel is ours)" ;;
	mainline*:*) lu_ok "stage runs on leg $LU_LEG (kernel $rel)" ;;
	*:6.12*) lu_ok "stage runs on leg $LU_LEG (kernel $rel)" ;;
	*) lu_fail "stage runs on leg $LU_LEG (kernel $rel is not ours)" ;;
	esac
}

# lu_luod_start [ARGS...]: start luod (tools/liveupdate) in the background,
# its log on the console, and wait for its socket ($LU_LUOD_SOCK; luod
# renames it into place when it is ready, so a stale one is removed first).
LU_LUOD_SOCK=/run/luod/luod.sock
lu_luod_start() {
	local i=0
	rm -f $LU_LUOD_SOCK
	luod "$@" &
	LU_LUOD_PID=$!
	while [ ! -S $LU_LUOD_SOCK ] && [ $i -lt 300 ]; do sleep 0.1; i=$((i + 1)); done
	[ -S $LU_LUOD_SOCK ] || lu_abort "luod did not start"
}

# lu_wait_line FILE TEXT: wait up to 60 s for TEXT to appear in FILE (the
# output of a background program).
lu_wait_line() {
	local i=0
	while ! grep -q "$2" "$1" 2>/dev/null && [ $i -lt 600 ]; do
		sleep 0.1
		i=$((i + 1))
	done
}

# lu_cpus_online: the number of CPUs in /sys/devices/system/cpu/online
# ("0-3,5" is 5).
lu_cpus_online() {
	tr ',' '\n' < /sys/devices/system/cpu/online |
		awk -F- '{ n += (NF == 2 ? $2 - $1 + 1 : 1) } END { print n + 0 }'
}

# lu_check_cpus: one result for every vCPU QEMU was given (lusmp=N on the
# command line, set by run-vm.sh) being online in this kernel, and a
# comment with the CPUs and NUMA nodes as this kernel reports them.
lu_check_cpus() {
	local want got n nodes=""
	want=$(lu_param lusmp) || { lu_fail "no lusmp= on the command line"; return; }
	got=$(lu_cpus_online)
	for n in /sys/devices/system/node/node[0-9]*; do
		[ -d "$n" ] || continue
		nodes="$nodes ${n##*/}: cpus $(cat "$n/cpulist"),$(awk '/MemTotal/ { print " " $4, $5 }' "$n/meminfo");"
	done
	echo "# cpus online $(cat /sys/devices/system/cpu/online) (nproc $(nproc)); nodes:${nodes:- none (no NUMA)}"
	lu_expect_eq "all $want vCPUs online" "$want" "$got"
}

lu_run_stage() {
	local t=/lu/tests/$LU_TEST.sh
	echo "# lutest $LU_TEST stage$LU_STAGE on $(uname -r) (leg $LU_LEG), boot id $(lu_boot_id)"
	[ -f "$t" ] || lu_abort "no such test: $LU_TEST"
	lu_check_leg
	lu_check_cpus
	. "$t"
	command -v "stage$LU_STAGE" >/dev/null || lu_abort "test has no stage$LU_STAGE"
	"stage$LU_STAGE"
	lu_abort "stage$LU_STAGE returned without lu_done or lu_kexec_next"
}
