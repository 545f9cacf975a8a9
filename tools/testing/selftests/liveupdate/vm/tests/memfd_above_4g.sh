# SPDX-License-Identifier: GPL-2.0
# Preserved memory above 4 GiB: an 8 GiB VM (5 GiB of it above 4 GiB)
# preserves 3 GiB in memfds, 1.5 GiB backed by THP and 1.5 GiB in 4 KiB
# pages; most pages of both kinds are at physical addresses above 4 GiB
# (/proc/self/pagemap) in both kernels (PRESERVE_FD moves the folios that
# lie in a KHO scratch area out of it, so a few change places), and the
# next kernel checks every page against its pattern (every word).
# lu-append: kho=on liveupdate=on
# lu-mem: 8G
# lu-timeout: 1800

G=$((1 << 30))
# Each memfd: 768 MiB.
M=$((3 * G / 4))
FOUR_G=0x100000000
THP=/sys/kernel/mm/transparent_hugepage
# At least 2 GiB of the 3 GiB, in pages, above 4 GiB.
MIN_ABOVE=$((2 * G / 4096))
MEMFDS="h1 h2 p1 p2"

stage1() {
	lu_check "shmem THP on request" sh -c "echo advise > $THP/shmem_enabled"
	lu_memfd_kexec create:s \
		new:h1:$M:91:thp new:h2:$M:92:thp \
		new:p1:$M:94:full new:p2:$M:95:full \
		thp:h1:$M thp:h2:$M \
		meminfo:ShmemHugePages:$((2 * M >> 10)) \
		above:$FOUR_G:$MIN_ABOVE:$(echo $MEMFDS | tr ' ' ':') \
		above:$FOUR_G:1:p1:p2 above:$FOUR_G:1:h1:h2 \
		preserve:s:1:h1 preserve:s:2:h2 \
		preserve:s:3:p1 preserve:s:4:p2
}

stage2() {
	memfd_agent retrieve:s \
		check:s:1:h1:$M:91:thp:0:0 check:s:2:h2:$M:92:thp:0:0 \
		check:s:3:p1:$M:94:full:0:0 check:s:4:p2:$M:95:full:0:0 \
		thp:h1:$M thp:h2:$M \
		above:$FOUR_G:$MIN_ABOVE:$(echo $MEMFDS | tr ' ' ':') \
		above:$FOUR_G:1:p1:p2 above:$FOUR_G:1:h1:h2 \
		finish:s close:s
	lu_expect_eq "memfd_agent stage 2" 0 $?
	lu_done
}
