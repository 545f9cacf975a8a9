#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The live update demo: boot our kernel in QEMU with the console on the
# terminal.  A "VMM" keeps 256 MiB of guest memory in a memfd and keeps
# writing to it; it preserves the memfd through luod (tools/liveupdate),
# and `luoctl update` live-updates the kernel (kexec) while the VMM runs;
# the new kernel's luod gives the memory back and the VMM verifies every
# page.  Then print the results, the measured blackout, reboot() to memory
# retrieved, and its parts, and what `luoctl blackout` said in the VM.
set -uo pipefail
. "$(dirname "$0")/lib.sh"

DEMO=memfd_demo
# The host's TSC frequency: TSC calibration fails under TCG, and the
# blackout's phases are on the TSC (see harness/bench.sh).
gcc -O2 -Wall -o "$BUILD/tsc-khz" "$TOP/harness/tsc-khz.c" || die "cannot build tsc-khz"
export LU_APPEND="tsc_early_khz=$("$BUILD/tsc-khz") tsc=reliable ${LU_APPEND:-}"
echo "==> booting build/bzImage in QEMU; the VM console follows"
"$TOP/harness/run-vm.sh" --live "$DEMO" > "$LOGS/demo.result" 2>&1
rc=$?
echo
echo "==> results (build/logs/$DEMO.tap):"
grep -E '^(not )?ok' "$LOGS/$DEMO.tap" | sed 's/^/    /'

# "# time LABEL NS" lines are CLOCK_BOOTTIME of the kernel that printed
# them, as is luod's "reboot(...) at boottime S s" line; "Starting new
# kernel" carries the old kernel's printk time stamp.
tr -d '\r' < "$LOGS/$DEMO.log" | awk '
	/^# time / { t[$3] = $4 / 1e6 }
	/^luod: reboot\(LINUX_REBOOT_CMD_KEXEC\) at boottime / { t["reboot"] = $(NF - 1) * 1000 }
	/Starting new kernel/ && !jump {
		s = $0; sub(/^\[ */, "", s); sub(/\].*/, "", s); jump = s * 1000
	}
	/^# writer:/ { w = $0; sub(/^# /, "", w) }
	END {
		if (!("reboot" in t) || !jump || !("retrieved" in t)) {
			print "==> no blackout measurement in the log"; exit
		}
		old = jump - t["reboot"]
		printf "==> guest memory: 256 MiB memfd, %s\n", w
		printf "==> PRESERVE_FD of the memfd (before the update): %8.1f ms\n",
			t["preserve-done"] - t["preserve-start"]
		printf "==> blackout, luod reboot() to memory retrieved:  %8.1f ms\n",
			old + t["retrieved"]
		printf "      old kernel: reboot() to jump into the new one %8.1f ms\n", old
		printf "      new kernel: boot to luod and the VMM running  %8.1f ms\n",
			t["agent-start"]
		printf "      VMM: retrieve through luod (fd passing)       %8.1f ms\n",
			t["retrieved"] - t["agent-start"]
		printf "      (purgatory and decompression are not measured)\n"
		printf "==> verifying every page afterwards:                %8.1f ms\n",
			t["verified"] - t["retrieved"]
	}'
# The phases on one timeline, the TSC: the old kernel's stamps (handed
# over in its lu612,blackout subtree) and the new kernel's, from
# /sys/kernel/debug/liveupdate/blackout, then the VMM's own TSC stamps.
tr -d '\r' < "$LOGS/$DEMO.log" | awk '
	/^# blackout: counter_khz / { khz = $4 }
	/^# blackout: [a-z-]+ +[0-9]+ / { c[$3] = $4 }
	/^# time (agent-start|retrieved) / && NF >= 5 { c[$3] = $5 }
	END {
		n = split("reboot frozen jump setup kho-reserve kho-reserved kho-stamp " \
			  "kho-stamped luo-ready agent-start retrieved", k, " ")
		split("reboot() entry (old kernel)|sessions frozen|jump into the new kernel|" \
		      "new kernel: setup_arch(), first console line|KHO reserve pass starts|" \
		      "KHO reserve pass done|KHO stamp pass starts|KHO stamp pass done|" \
		      "/dev/liveupdate ready|VMM (agent) starts|VMM has its memory back", d, "|")
		if (!khz || !c["reboot"]) {
			print "==> no blackout phases from the kernel (no lu612,blackout stamps)"; exit
		}
		print "==> the blackout phase by phase (TSC, ms since reboot() entry, +step):"
		prev = c["reboot"]
		for (i = 1; i <= n; i++) {
			if (!c[k[i]]) continue
			printf "      %-46s %9.1f ms  +%8.1f ms\n", d[i],
				(c[k[i]] - c["reboot"]) / khz, (c[k[i]] - prev) / khz
			prev = c[k[i]]
		}
	}'
echo "==> luoctl blackout, in the new kernel:"
tr -d '\r' < "$LOGS/$DEMO.log" |
	sed -n '/^blackout of the last update/,/KHO restore/s/^/    /p'
cat "$LOGS/demo.result"
exit $rc
