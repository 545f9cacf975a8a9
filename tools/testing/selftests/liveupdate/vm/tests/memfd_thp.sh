# SPDX-License-Identifier: GPL-2.0
# A memfd backed by transparent huge pages keeps its large folios across a
# live update: before and after, the whole mapping is PMD-mapped
# (ShmemPmdMapped in /proc/self/smaps_rollup), which needs 2 MiB folios.
# lu-append: kho=on liveupdate=on
# lu-mem: 1G
# lu-timeout: 600

SIZE=$((32 << 20))
THP=/sys/kernel/mm/transparent_hugepage

stage1() {
	lu_check "shmem THP enabled" sh -c "echo always > $THP/shmem_enabled"
	lu_memfd_kexec create:s new:guest:$SIZE:11:thp thp:guest:$SIZE \
		preserve:s:1:guest thp:guest:$SIZE
}

stage2() {
	grep -E "^(ShmemHugePages|ShmemPmdMapped)" /proc/meminfo | sed 's/^/# /'
	# Before RETRIEVE_FD: the tail pages of the preserved 2 MiB folios are
	# still as the boot left them (reserved noinit on this leg).
	lu_kho_accounted
	memfd_agent retrieve:s check:s:1:guest:$SIZE:11:thp:0:0 thp:guest:$SIZE \
		meminfo:ShmemHugePages:$((SIZE >> 10)) finish:s thp:guest:$SIZE close:s
	lu_expect_eq "memfd_agent stage 2" 0 $?
	lu_kho_accounted 0
	lu_done
}
