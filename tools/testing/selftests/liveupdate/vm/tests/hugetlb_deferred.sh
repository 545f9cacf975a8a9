# SPDX-License-Identifier: GPL-2.0
# Hugetlbfs memfds with deferred struct page init (as in Debian's config):
# a 1 GiB page that the first kernel allocated at run time (no 1 GiB pool
# on the command line) and four 2 MiB pages of a boot-time pool.  The
# next kernel initializes the struct pages of the preserved gigantic page
# while its other memory is initialized later; the 1 GiB page comes back
# as a surplus page, PUD-mapped, and goes to the buddy allocator when
# closed, the 2 MiB pages join their pool of hugepages=16.  (Without HVO:
# Debian's 6.12.117 corrupts the struct pages of any HVO huge page freed
# to the buddy allocator, live update or not.)  6 GiB of RAM: in a 4 GiB
# host-shaped VM the run-time allocation found no free 1 GiB range.
# lu-kernel: sanitize
# lu-append: kho=on liveupdate=on hugepagesz=2M hugepages=16
# lu-mem: 6G
# lu-timeout: 600

G=$((1 << 30))
KB=1048576
M2=$((2 << 20))
SMALL=$((8 << 20))
NR_1G=/sys/kernel/mm/hugepages/hugepages-${KB}kB/nr_hugepages

stage1() {
	lu_check "a 1 GiB page at run time" sh -c "echo 1 > $NR_1G"
	lu_memfd_kexec create:s hpool:$KB:1:1:0:0 hnew:big:$G:61:full:$G \
		hnew:small:$SMALL:62:full:$M2 hpool:$KB:1:0:0:0 hpool:2048:16:12:0:0 \
		preserve:s:1:big preserve:s:2:small
}

stage2() {
	memfd_agent retrieve:s hpool:$KB:0:0:0:0 hpool:2048:12:12:0:0 \
		check:s:1:big:$G:61:full:0:0 check:s:2:small:$SMALL:62:full:0:0 \
		hpool:$KB:1:0:0:1 hpool:2048:16:12:0:0 hugemap:big:$G:full:$KB \
		finish:s drop:big drop:small close:s hpool:$KB:0:0:0:0 \
		hpool:2048:16:16:0:0
	lu_expect_eq "memfd_agent stage 2" 0 $?
	lu_done
}
