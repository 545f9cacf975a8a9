# SPDX-License-Identifier: GPL-2.0
# Hugetlbfs memfds with deferred struct page init (as in Debian's config):
# a 1 GiB page of the first kernel's boot-time pool and four 2 MiB pages of
# another boot-time pool.  Only the first kernel has the 1 GiB pool on its
# command line, so the next kernel initializes the struct pages of the
# preserved gigantic page while its other memory is initialized later; the
# page comes back as a surplus page, PUD-mapped, and goes to the buddy
# allocator when closed.  The 2 MiB pages join their pool of hugepages=16.
# (Without HVO: Debian's 6.12.117 corrupts the struct pages of any HVO huge
# page freed to the buddy allocator, live update or not.)  The 1 GiB page
# is not allocated at run time: on the KASAN leg a free 1 GiB range is
# there on some boots and not on others.  nokaslr: when the first kernel
# reserves KHO's scratch (1.8 GiB in one piece, twice what early boot
# reserved), KASAN's shadow and the 1 GiB page fill most of the 3 GiB above
# 4 GiB, and only the range below 3 GiB has such a piece, unless the kernel
# image was placed at random in its middle (KHO then stays off).
# lu-kernel: sanitize
# lu-append: kho=on liveupdate=on nokaslr hugepagesz=1G hugepages=1 hugepagesz=2M hugepages=16
# lu-mem: 6G
# lu-timeout: 600

G=$((1 << 30))
KB=1048576
M2=$((2 << 20))
SMALL=$((8 << 20))
POOL_1G="hugepagesz=1G hugepages=1"

stage1() {
	local cmd

	cmd=$(lu_next_cmdline | sed "s/$POOL_1G //")
	lu_check "the next kernel has no 1 GiB pool" \
		sh -c "case '$cmd' in *hugepagesz=1G*) exit 1 ;; esac"
	lu_memfd_kexec -c "$cmd" create:s hpool:$KB:1:1:0:0 \
		hnew:big:$G:61:full:$G hnew:small:$SMALL:62:full:$M2 \
		hpool:$KB:1:0:0:0 hpool:2048:16:12:0:0 \
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
