# SPDX-License-Identifier: GPL-2.0
# Malformed hugetlb memfd hand-overs.  The test knob of CONFIG_LIVEUPDATE_TEST
# damages what the next hugetlb memfd frozen hands over; each kernel
# preserves a memfd "bad" (damaged) and a memfd "good" of two 2 MiB pages
# each.  With a damaged record or header, RETRIEVE_FD of "bad" fails with
# EINVAL and one error line, nothing panics, its two huge pages stay
# reserved (the pool never gets them back) and "good" comes back intact.
# With damaged pool counts, the next kernel ignores them with one error
# line, allocates its whole boot-time pool, and both memfds come back as
# surplus pages that go to the buddy allocator when closed.
#   stage 1 -> 2: a record beyond the end of the file
#   stage 2 -> 3: a record with a misaligned pfn
#   stage 3 -> 4: a huge page size this kernel does not have
#   stage 4 -> 5: pool counts with too many entries
# lu-append: kho=on liveupdate=on hugepagesz=2M hugepages=8
# lu-mem: 1G
# lu-timeout: 600

M2=$((2 << 20))
SIZE=$((4 << 20))
DAMAGE=/sys/kernel/debug/hugetlb_luo/damage

# damage MODE [AGENT-ARGS...]: hand over a damaged "bad" and a "good".
damage() {
	lu_check "damage $1" sh -c "echo $1 > $DAMAGE"
	shift
	lu_memfd_kexec "$@" create:s hnew:bad:$SIZE:51:full:$M2 hnew:good:$SIZE:52:full:$M2 \
		preserve:s:1:bad preserve:s:2:good
}

# rejected ERE: "bad" was refused for the reason ERE; its pages stay
# reserved: of the 8 pages, 4 were counted toward the pool and only 2 come.
rejected() {
	memfd_agent retrieve:s hpool:2048:4:4:0:0 fd-fail:s:1:EINVAL \
		check:s:2:good:$SIZE:52:full:0:0 hpool:2048:6:4:0:0 \
		finish:s drop:good close:s hpool:2048:6:6:0:0
	lu_expect_eq "bad refused, good retrieved" 0 $?
	lu_check "one error line" lu_dmesg \
		"hugetlb_luo: refusing a preserved hugetlb memfd: $1; its huge pages stay reserved"
}

stage1() { damage index; }
stage2() {
	rejected "a record lies beyond the end of the file"
	damage pfn
}
stage3() {
	rejected "a record has an impossible or misaligned page frame number"
	damage order
}
stage4() {
	rejected "its huge page size is not available in this kernel"
	damage pool
}
stage5() {
	lu_check "pool counts ignored with one error line" lu_dmesg \
		"hugetlb_luo: ignoring the preserved huge page counts: the lu612,hugetlb-pool-v1 blob has reserved flags set or too many entries"
	memfd_agent retrieve:s hpool:2048:8:8:0:0 check:s:1:bad:$SIZE:51:full:0:0 \
		check:s:2:good:$SIZE:52:full:0:0 hpool:2048:12:8:0:4 \
		finish:s drop:bad drop:good close:s hpool:2048:8:8:0:0
	lu_expect_eq "surplus pages come back and leave" 0 $?
	lu_done
}
