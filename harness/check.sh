#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# check.sh [TEST...]: build what the tests need and run them: host tests
# (harness/tests/*.sh) and VM tests (tools/testing/selftests/liveupdate/
# vm/tests/*.sh).  One line per test, then "N passed, N failed".
set -uo pipefail
. "$(dirname "$0")/lib.sh"

vm_tests() { ls "$TOP/$SELFTESTS"/vm/tests/*.sh 2>/dev/null | xargs -r -n1 basename | sed 's/\.sh$//'; }
host_tests() { ls "$TOP"/harness/tests/*.sh 2>/dev/null | xargs -r -n1 basename | sed 's/\.sh$//'; }

selected=("$@")
[ ${#selected[@]} -gt 0 ] || selected=($(host_tests) $(vm_tests))

# Kernel legs the selected VM tests boot.
legs=()
for t in "${selected[@]}"; do
	f=$TOP/$SELFTESTS/vm/tests/$t.sh
	[ -f "$f" ] || continue
	l=$(sed -n 's/^# lu-kernel: *//p' "$f" | head -1)
	legs+=("${l:-default}")
done

"$TOP/harness/deps.sh" || die "installing packages failed"
"$TOP/harness/assemble.sh" || die "assembling the tree failed"
for l in $(printf '%s\n' default "${legs[@]}" | sort -u); do
	"$TOP/harness/build.sh" "$l" || die "building kernel leg $l failed"
	"$TOP/harness/initramfs.sh" "$l" || die "building the initramfs for $l failed"
done

pass=0 fail=0
mkdir -p "$LOGS"
for t in "${selected[@]}"; do
	if [ -f "$TOP/harness/tests/$t.sh" ]; then
		start=$(date +%s)
		if out=$(bash "$TOP/harness/tests/$t.sh" 2>&1); then
			echo "PASS $t ($(( $(date +%s) - start ))s)"
			pass=$((pass + 1))
		else
			echo "FAIL $t: $(echo "$out" | tail -1)"
			echo "$out" | tail -20 >&2
			fail=$((fail + 1))
		fi
		echo "$out" > "$LOGS/$t.log"
	elif [ -f "$TOP/$SELFTESTS/vm/tests/$t.sh" ]; then
		if "$TOP/harness/run-vm.sh" "$t"; then pass=$((pass + 1)); else fail=$((fail + 1)); fi
	else
		echo "FAIL $t: no such test"
		fail=$((fail + 1))
	fi
done
echo "$pass passed, $fail failed"
[ $fail -eq 0 ]
