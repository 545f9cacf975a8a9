#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The live update demo: boot our kernel in QEMU with the console on the
# terminal, let it kexec into itself and verify the result in the new
# kernel.  Later parts of the series grow this into preserving guest
# memory across the update.
set -uo pipefail
. "$(dirname "$0")/lib.sh"

DEMO=kexec_roundtrip
echo "==> booting build/bzImage in QEMU; the VM console follows"
"$TOP/harness/run-vm.sh" --live "$DEMO" > "$LOGS/demo.result" 2>&1
rc=$?
echo
echo "==> results (build/logs/$DEMO.tap):"
grep -E '^(not )?ok' "$LOGS/$DEMO.tap" | sed 's/^/    /'
cat "$LOGS/demo.result"
exit $rc
