# SPDX-License-Identifier: GPL-2.0
# Hand-over mutation fuzzer (kernel/liveupdate/luo_mutate.c): each stage
# preserves memfds of three sizes (one THP) in two sessions, arms the
# mutator with the next seed and kexecs; the mutator damages the hand-over
# in place after liveupdate_reboot() wrote it (the KHO root FDT, the radix
# tree, the LUO root, session, file and FLB blocks, memfd records), and
# logs each mutation.  The next kernel must boot without a splat, report
# what it rejects, hand out nothing it should not (everything is read
# back), and account for every preserved page: claimed once or still
# reserved.  Seeds: lumutate_seeds=SEED[:COUNT[:AREA]],... on the command
# line (default below: `make check`); `make fuzz` runs many.
# lu-kernel: sanitize
# lu-append: kho=on liveupdate=on luo_test.expect_damage=1 test_kho.expect_damage=1
# lu-mem: 2G
# lu-timeout: 1500

THP=/sys/kernel/mm/transparent_hugepage
MUTATE=/sys/kernel/debug/liveupdate_mutate/mutate
# make check: three seeds (radix tree, memfd records, root FDT), which
# fit its time budget.  The eight fixed seeds of the README:
#   LU_APPEND=lumutate_seeds=1:3,2:3:radix,3:2:session,4:2:file,5:3:memfd,6:2:memfd-folio,7:3:fdt,8:2:flb \
#   harness/run-vm.sh kho_mutate
SEEDS=$(lu_param lumutate_seeds || echo 2:3:radix,5:3:memfd,7:3:fdt)

# The seed to arm in this boot, and whether the previous boot armed one:
# lu_marker=Ka (seed K-1 damaged the hand-over to this boot) or Kp (a
# plain kexec: live update was off in the previous boot).
MARK=$(lu_param lu_marker || echo 1p)
K=${MARK%[ap]}

# mutate_seed N: the N-th seed of the list, as "SEED COUNT [AREA]".
mutate_seed() {
	echo "$SEEDS" | tr ',' '\n' | sed -n "${1}p" | awk -F: '{print $1, ($2 == "" ? 3 : $2), $3}'
}

stage_check() {
	lu_check "booted after the damage of seed $(mutate_seed $((K - 1)))" true
	luo_fuzz drain m-a m-b
	lu_expect_eq "what was handed over could be read back" 0 $?
	lu_kho_accounted
}

stage_mutate() {
	local s
	s=$(mutate_seed "$K")
	[ -n "$s" ] || lu_done
	if ! grep -qx "state: on" /sys/kernel/debug/liveupdate/state 2>/dev/null; then
		echo "# live update is off in this boot: a plain kexec, seed $K in the next"
		lu_kexec_next "lu_marker=${K}p"
	fi
	echo always > $THP/shmem_enabled
	lu_check "mutator armed: $s" sh -c "echo '$s' > $MUTATE"
	lu_kmemleak_check
	echo "# stage$LU_STAGE: kexec (memfd_agent) into stage $((LU_STAGE + 1))"
	memfd_agent -k "$LU_KERNEL" -i "$(lu_next_initrd)" -c "$(lu_next_cmdline "lu_marker=$((K + 1))a")" \
		create:m-a create:m-b new:a1:4096:1:full new:a2:65536:2:sparse \
		new:b1:$((2 << 20)):3:thp preserve:m-a:1:a1 preserve:m-a:2:a2 \
		preserve:m-b:1:b1 kexec
	lu_abort "memfd_agent did not kexec"
}

stage1() { stage_mutate; }
stage_next() {
	case "$MARK" in *a) stage_check ;; esac
	stage_mutate
}
for i in $(seq 2 40); do eval "stage$i() { stage_next; }"; done
