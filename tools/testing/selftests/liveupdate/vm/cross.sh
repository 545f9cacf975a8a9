# SPDX-License-Identifier: GPL-2.0
#
# Helpers of the cross-kernel tests (cross_*): memfds handed between our
# kernel and the mainline peer by memfd_agent, the same static binary on
# both.  Sourced by the tests after lib.sh.
#
# A set of memfds, seeds BASE+1.., in one session: 0 bytes, one page, an
# odd size with the file position at 777, 64 MiB backed by transparent
# huge pages (checked PMD-mapped before it is preserved), 64 KiB sealed
# against sealing, shrinking, growing and writing, and 8 MiB sparse (a page
# in three written, holes between) with the position at 4097.  The bulk:
# 500 one-page memfds in one session and 100 sessions of one memfd each.
# The next kernel retrieves each by session name and token and checks
# every byte, the size, the position and the seals, then FINISHes.

CROSS_ODD=$((5 * 4096 + 1234))
CROSS_HUGE=$((64 << 20))
CROSS_SEALED=$((64 << 10))
CROSS_SPARSE=$((8 << 20))
# F_SEAL_SEAL | F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE
CROSS_SEALS=15
CROSS_FILES=500
CROSS_SESSIONS=100

# cross_set_new BASE: memfd_agent commands that make the set.
cross_set_new() {
	echo "new:empty:0:$(($1 + 1)):full new:page:4096:$(($1 + 2)):full" \
		"new:odd:$CROSS_ODD:$(($1 + 3)):full seek:odd:777" \
		"new:huge:$CROSS_HUGE:$(($1 + 4)):thp thp:huge:$CROSS_HUGE" \
		"new:sealed:$CROSS_SEALED:$(($1 + 5)):full seal:sealed:$CROSS_SEALS" \
		"new:sparse:$CROSS_SPARSE:$(($1 + 6)):sparse seek:sparse:4097"
}

# cross_set_preserve SESSION: commands that preserve the set, tokens 1..6.
cross_set_preserve() {
	echo "create:$1 preserve:$1:1:empty preserve:$1:2:page preserve:$1:3:odd" \
		"preserve:$1:4:huge preserve:$1:5:sealed preserve:$1:6:sparse"
}

# cross_set_check SESSION BASE: commands that retrieve and check the set
# and FINISH its session.  The memfds stay open as the set.
cross_set_check() {
	echo "retrieve:$1 check:$1:1:empty:0:$(($2 + 1)):full:0:0" \
		"check:$1:2:page:4096:$(($2 + 2)):full:0:0" \
		"check:$1:3:odd:$CROSS_ODD:$(($2 + 3)):full:777:0" \
		"check:$1:4:huge:$CROSS_HUGE:$(($2 + 4)):thp:0:0" \
		"check:$1:5:sealed:$CROSS_SEALED:$(($2 + 5)):full:0:$CROSS_SEALS" \
		"check:$1:6:sparse:$CROSS_SPARSE:$(($2 + 6)):sparse:4097:0 finish:$1 close:$1"
}

# cross_bulk_new PREFIX BASE / cross_bulk_check PREFIX BASE: the bulk, in
# sessions PREFIX-files and PREFIX-0..99, seeds from BASE.
cross_bulk_new() {
	local i=0

	echo "create:$1-files many:$1-files:$CROSS_FILES:$2"
	while [ $i -lt $CROSS_SESSIONS ]; do
		echo "create:$1-$i new:m:4096:$(($2 + CROSS_FILES + i)):full preserve:$1-$i:1:m drop:m"
		i=$((i + 1))
	done
}

cross_bulk_check() {
	local i=0

	echo "retrieve:$1-files check-many:$1-files:$CROSS_FILES:$2 finish:$1-files close:$1-files"
	while [ $i -lt $CROSS_SESSIONS ]; do
		echo "retrieve:$1-$i check:$1-$i:1:m:4096:$(($2 + CROSS_FILES + i)):full:0:0" \
			"drop:m finish:$1-$i close:$1-$i"
		i=$((i + 1))
	done
}

# cross_thp_on: shmem THP on, so that the huge memfd gets 2 MiB folios.
cross_thp_on() {
	lu_check "shmem THP enabled" \
		sh -c "echo always > /sys/kernel/mm/transparent_hugepage/shmem_enabled"
}

# cross_kho_check: KHO-level data handed over beneath LUO, checked by the
# test_kho of the kernel that receives it.  Mainline's test_kho
# (CONFIG_TEST_KEXEC_HANDOVER) restores the "kho_test" subtree our test_kho
# wrote in mainline's layout, and ours restores the one mainline's wrote
# (checksum only: mainline sends no lu612,kho-test subtree).  Mainline's
# test_kho preserves only when it found nothing to restore, so only a
# mainline first stage hands test data to ours.
cross_kho_check() {
	local prev

	[ "$LU_STAGE" -gt 1 ] || return 0
	prev=$(lu_stage_leg $((LU_STAGE - 1)))
	if [ "$LU_LEG" = mainline ] && [ "$LU_STAGE" = 2 ]; then
		lu_check "mainline's test_kho restored the kho_test subtree" \
			lu_dmesg 'test_kho: KHO restore succeeded'
		lu_check "mainline's test_kho reported no failure" lu_no_dmesg 'test_kho: .*failed'
	elif [ "$prev" = mainline ] && [ "$LU_STAGE" = 2 ]; then
		lu_check "our test_kho verified mainline's kho_test subtree" \
			lu_dmesg 'kho_test: verified generation 1$'
		lu_check "it knew the data came from mainline" \
			lu_dmesg 'kho_test: no lu612,kho-test subtree'
	fi
}

# cross_flb_check [all]: the test FLBs of mainline's LUO test, which our
# luo_test links to every file handler with the same data, crossed with the
# memfds: each was retrieved with the right data in this kernel and, with
# "all", finished after the last of its files.  Stages after the first only.
cross_flb_check() {
	local i found done

	[ "$LU_STAGE" -gt 1 ] || return 0
	for i in 0 1 2; do
		if [ "$LU_LEG" = mainline ]; then
			found="liveupdate-test-flb-v$i: found flb data from the previous boot"
			done="liveupdate-test-flb-v$i: finish was triggered"
		else
			found="ok [0-9]+ - luo_test: liveupdate-test-flb-v$i: data 0x[0-9a-f]+ from the previous kernel"
			done="ok [0-9]+ - luo_test: liveupdate-test-flb-v$i: finished with the object it retrieved"
		fi
		lu_check "FLB liveupdate-test-flb-v$i came over with its data" lu_dmesg "$found"
		[ "${1:-}" = all ] || continue
		lu_check "FLB liveupdate-test-flb-v$i finished after its last file" lu_dmesg "$done"
	done
	lu_check "no FLB reported an error" lu_no_dmesg 'liveupdate-test-flb-v.*(ERROR|not ok)'
}

# Stage 1 of every cross test: the set (seeds from 100) in session "set",
# the bulk (seeds from 10000) in sessions "a-*"; kexec.
cross_first_stage() {
	cross_thp_on
	lu_memfd_kexec $(cross_set_new 100) $(cross_set_preserve set) $(cross_bulk_new a 10000)
}

# cross_last_stage [SET BULK BASE]: what the previous stage handed over
# (stage 1's by default) came back; end the test.
cross_last_stage() {
	cross_kho_check
	memfd_agent $(cross_set_check "${1:-set}" 100) $(cross_bulk_check "${2:-a}" "${3:-10000}")
	lu_expect_eq "memfd_agent stage $LU_STAGE" 0 $?
	cross_flb_check all
	lu_done
}
