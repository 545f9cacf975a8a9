# SPDX-License-Identifier: GPL-2.0
# Hugetlbfs memfds of 2 MiB pages across one live update, in a session
# with a shmem memfd: a full one, a sparse one whose holes stay holes, an
# empty one, one with a VMM-like writer running until reboot(2), and one
# never retrieved, freed at FINISH.  While preserved, size and layout are
# frozen (EPERM) and a fault on a hole gets SIGBUS; an unpreserved memfd
# is thawed.  The pool counters are checked at every step: the next
# kernel boots with the same hugepages=64, allocates only the pages that
# were not preserved, and every preserved page rejoins the pool as an
# in-use page when retrieved or finished, and as a free one when closed.
# A retrieved memfd is mapped with 2 MiB (PMD) pages, and mapping the
# sparse one reserves exactly its holes (HugePages_Rsvd).
# lu-append: kho=on liveupdate=on hugepagesz=2M hugepages=64
# lu-mem: 1G
# lu-timeout: 600

M2=$((2 << 20))
FULL=$((32 << 20))
SPARSE=$((32 << 20))
SMALL=$((4 << 20))
WSIZE=$((16 << 20))
SHM=$((8 << 20))
# F_SEAL_WRITE before PRESERVE_FD (pinned pages refuse it after),
# F_SEAL_SHRINK | F_SEAL_GROW after it.
SEAL_WRITE=8
SEAL_SIZE=6
SEALS=14

# 64 pages: full 16, sparse 8 (of 16), lost 2, undo 2, w 8 in use.
stage1() {
	lu_memfd_kexec create:s create:gone hpool:2048:64:64:0:0 \
		hnew:full:$FULL:1:full:$M2 hnew:sparse:$SPARSE:2:sparse:$M2 \
		hnew:empty:0:3:full:$M2 hnew:lost:$SMALL:4:full:$M2 \
		hnew:undo:$SMALL:5:full:$M2 hnew:w:$WSIZE:9:full:$M2 \
		new:shm:$SHM:6:full seek:full:777 seek:sparse:4097 \
		seal:full:$SEAL_WRITE \
		hpool:2048:64:28:0:0 \
		preserve:s:1:full preserve:s:2:sparse preserve:s:3:empty \
		preserve:s:4:lost preserve:s:5:shm preserve:s:6:w \
		preserve:gone:1:undo hfrozen:sparse:0:1 hfrozen:undo:1:-1 \
		hpool:2048:64:28:0:0 close:gone thawed:undo drop:undo \
		hpool:2048:64:30:0:0 seal:full:$SEAL_SIZE seek:sparse:8193 \
		writer:w:$WSIZE
}

# 34 pages preserved: hugepages=64 allocates 30 at boot.
stage2() {
	memfd_agent retrieve:s hpool:2048:30:30:0:0 \
		check:s:1:full:$FULL:1:full:777:$SEALS hpool:2048:46:30:0:0 \
		check:s:2:sparse:$SPARSE:2:sparse:8193:0 blocks:sparse:8 \
		hpool:2048:54:30:0:0 check:s:3:empty:0:3:full:0:0 \
		check:s:5:shm:$SHM:6:full:0:0 check-writer:s:6:w:$WSIZE:9 \
		hpool:2048:62:30:0:0 hugemap:full:$FULL:full:$((FULL >> 10)) \
		hugemap:sparse:$SPARSE:sparse:$((SPARSE >> 11)) hpool:2048:62:30:8:0 \
		finish:s hpool:2048:64:32:8:0 thawed:sparse blocks:sparse:8 \
		drop:full drop:sparse drop:empty drop:shm drop:w close:s \
		hpool:2048:64:64:0:0
	lu_expect_eq "memfd_agent stage 2" 0 $?
	lu_check "boot-time pool counted the preserved pages" \
		lu_dmesg "hugetlb_luo: 34 of hugepages=64 2048 kB pages are preserved; allocating 30 now"
	lu_done
}
