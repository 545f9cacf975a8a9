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
echo "==> luoctl blackout, in the new kernel:"
tr -d '\r' < "$LOGS/$DEMO.log" |
	sed -n '/^blackout of the last update/,/KHO restore/s/^/    /p'
cat "$LOGS/demo.result"
exit $rc
