#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# fuzz.sh [SECONDS] [SEED] [OPS]: the fuzzers, long (`make fuzz`; not a
# test of `make check`).  Runs the ioctl fuzzer (VM test luo_fuzz) and
# the hand-over mutation fuzzer (VM test kho_mutate) on the sanitize leg,
# alternately, each time with a new random seed, until SECONDS (default
# 600) have passed; prints each seed and stops at the first failure with
# the command that reproduces it.  With SEED, runs that seed once in both
# fuzzers: `make fuzz SEED=S` reproduces a failure.  OPS is the number of
# calls of a luo_fuzz round (default 5000).
set -uo pipefail
. "$(dirname "$0")/lib.sh"

secs=${1:-600} seed=${2:-} ops=${3:-5000}
"$TOP/harness/deps.sh" || die "installing packages failed"
"$TOP/harness/assemble.sh" || die "assembling the tree failed"
for l in default sanitize; do
	"$TOP/harness/build.sh" $l || die "building kernel leg $l failed"
done
"$TOP/harness/initramfs.sh" sanitize || die "building the initramfs failed"

# run SEED: both fuzzers with SEED; the mutation fuzzer damages the
# hand-over 4 times in a row, with 1 to 4 mutations of any area each.
run() {
	local s=$1 m i
	echo "==> seed $s"
	LU_APPEND="lufuzz_seed=$s lufuzz_ops=$ops" "$TOP/harness/run-vm.sh" luo_fuzz || {
		echo "==> luo_fuzz failed with seed $s; reproduce with: make fuzz SEED=$s OPS=$ops"
		return 1
	}
	m=
	for i in 0 1 2 3; do m="$m${m:+,}$((s * 4 + i)):$(( (s + i) % 4 + 1 ))"; done
	LU_APPEND="lumutate_seeds=$m" "$TOP/harness/run-vm.sh" kho_mutate || {
		echo "==> kho_mutate failed with seeds $m; reproduce with: make fuzz SEED=$s"
		return 1
	}
}

if [ -n "$seed" ]; then
	run "$seed"
	exit
fi
end=$(( $(date +%s) + secs )) n=0
while [ "$(date +%s)" -lt $end ]; do
	s=$(( $(od -An -N4 -tu4 /dev/urandom) % 1000000 + 2 ))
	run "$s" || exit 1
	n=$((n + 1))
done
echo "==> $n seed(s) fuzzed in ${secs}s, no failure"
