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

# cross_kho_check: on the mainline peer in stage 2, mainline's test_kho
# (CONFIG_TEST_KEXEC_HANDOVER) found the "kho_test" subtree that the test_kho
# of stage 1 preserved and checked its data: KHO-level data handed over,
# beneath LUO.  (Mainline's test_kho preserves only when it found nothing
# to restore, so a later stage has nothing of the first kernel's.)
cross_kho_check() {
	[ "$LU_LEG" = mainline ] && [ "$LU_STAGE" = 2 ] || return 0
	lu_check "mainline's test_kho restored the kho_test subtree" \
		lu_dmesg 'test_kho: KHO restore succeeded'
	lu_check "mainline's test_kho reported no failure" lu_no_dmesg 'test_kho: .*failed'
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
	lu_done
}
