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

# Kernel legs the selected VM tests boot (every stage's), and the sets of
# legs one test boots, one initramfs each.
legs=() sets=()
for t in "${selected[@]}"; do
	f=$TOP/$SELFTESTS/vm/tests/$t.sh
	[ -f "$f" ] || continue
	k=$(test_kernels "$f")
	legs+=($k)
	sets+=("$(printf '%s\n' $k | sort -u | paste -sd' ')")
done

"$TOP/harness/deps.sh" || die "installing packages failed"
"$TOP/harness/assemble.sh" || die "assembling the tree failed"
# default first: the test programs use its uapi headers.  A mainline peer
# that does not build fails the tests that boot it, not the whole run.
for l in default $(printf '%s\n' "${legs[@]}" | sort -u | grep -vx default); do
	if [ "$l" = mainline ]; then
		"$TOP/harness/build.sh" mainline || rm -f "$(image mainline)"
		continue
	fi
	"$TOP/harness/build.sh" "$l" || die "building kernel leg $l failed"
done
while read -r s; do
	[ -n "$s" ] || continue
	"$TOP/harness/initramfs.sh" $s && continue
	# run-vm.sh fails the tests of this set, naming what is missing.
	case " $s " in *" mainline "*) continue ;; esac
	die "building the initramfs for $s failed"
done < <(printf '%s\n' default "${sets[@]}" | sort -u)

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
