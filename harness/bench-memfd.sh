#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# bench-memfd.sh: the memfd preservation benchmark (make bench-memfd).
# Runs the VM script vm/bench/memfd_bench.sh (a chain of live updates,
# see there) and prints one table: for 256 MiB and 1 GiB memfds with
# 4 KiB pages and with THP, the PRESERVE_FD time, the blackout from
# reboot() to the memfd retrieved, and the RETRIEVE_SESSION+RETRIEVE_FD
# time, each also as a ratio to writing the same memory once in the same
# VM, next to a kexec with nothing preserved, plus the hand-over metadata
# per GiB.  Not a timed test: no pass/fail thresholds.
set -uo pipefail
. "$(dirname "$0")/lib.sh"

NAME=memfd_bench
"$TOP/harness/run-vm.sh" "$NAME" || die "the benchmark VM run failed"

# Metadata of the "memfd-v2" format for N folios: the memfd_luo_ser page,
# the 16-byte folio records (whole pages) and the kho_vmalloc descriptor
# pages (511 page addresses each).
tr -d '\r' < "$LOGS/$NAME.log" | awk '
	/^# bench preserve / { cur = $4 }
	/^# bench retrieve / { rcur = $4 }
	/^# time (agent-start|retrieved) / { R[rcur, $3] = $4 / 1e6; next }
	/^# time / { T[cur, $3] = $4 / 1e6 }
	/Starting new kernel/ {
		s = $0; sub(/^\[ */, "", s); sub(/\].*/, "", s); J[cur] = s * 1000
	}
	function meta(cfg,   size, n, recpages) {
		size = cfg ~ /^1G/ ? 1024 : 256
		n = cfg ~ /thp/ ? size / 2 : size * 256
		recpages = int((n * 16 + 4095) / 4096)
		return (4096 + recpages * 4096 + int((recpages + 510) / 511) * 4096) * 1024 / size
	}
	function blackout(cfg) {
		return J[cfg] - T[cfg, "reboot"] + R[cfg, "retrieved"]
	}
	END {
		base = J["none"] - T["none", "reboot"] + R["none", "agent-start"]
		printf "kexec with nothing preserved: reboot() to agent running %.0f ms\n\n", base
		printf "| memfd | write once | PRESERVE_FD | reboot() to retrieved | RETRIEVE_FD | metadata/GiB |\n"
		printf "|---|---|---|---|---|---|\n"
		n = split("256M:4k 256M:thp 1G:4k 1G:thp", cfgs, " ")
		for (i = 1; i <= n; i++) {
			c = cfgs[i]
			w = T[c, "write-done"] - T[c, "write-start"]
			p = T[c, "preserve-done"] - T[c, "preserve-start"]
			b = blackout(c)
			r = R[c, "retrieved"] - R[c, "agent-start"]
			if (w <= 0) { printf "| %s | (no data) |||||\n", c; continue }
			printf "| %s | %.0f ms | %.1f ms (%.3fx) | %.0f ms (%.2fx; +%.0f ms over empty) | %.1f ms (%.3fx) | %d KiB |\n",
				c, w, p, p / w, b, b / w, b - base, r, r / w, meta(c) / 1024
		}
	}'
