# SPDX-License-Identifier: GPL-2.0
# Five live updates in a row carrying the same hugetlbfs memfd of 2 MiB
# pages, with the vmemmap of huge pages optimized (HVO).  Every kernel
# boots with hugepages=16: the pool counters must show the 8 preserved
# pages counted toward the pool before RETRIEVE_FD (8 allocated, 8 free),
# and the whole pool after it (16, 8 free).  Each kernel checks every
# byte, finishes the session and preserves the retrieved memfd again; the
# last one closes it and gets all 16 pages back free.
# lu-append: kho=on liveupdate=on hugepagesz=2M hugepages=16 hugetlb_free_vmemmap=on
# lu-mem: 1G
# lu-timeout: 900

SIZE=$((16 << 20))
M2=$((2 << 20))
LAST=6

hvo_on() {
	lu_expect_eq "HVO is on" 1 "$(cat /proc/sys/vm/hugetlb_optimize_vmemmap)"
}

stage1() {
	hvo_on
	lu_memfd_kexec create:s hpool:2048:16:16:0:0 hnew:guest:$SIZE:31:full:$M2 \
		hpool:2048:16:8:0:0 preserve:s:1:guest
}

middle() {
	hvo_on
	lu_memfd_kexec retrieve:s hpool:2048:8:8:0:0 \
		check:s:1:guest:$SIZE:31:full:0:0 hpool:2048:16:8:0:0 \
		finish:s close:s create:s preserve:s:1:guest hpool:2048:16:8:0:0
}

last() {
	hvo_on
	memfd_agent retrieve:s hpool:2048:8:8:0:0 \
		check:s:1:guest:$SIZE:31:full:0:0 hpool:2048:16:8:0:0 \
		finish:s close:s drop:guest hpool:2048:16:16:0:0
	lu_expect_eq "memfd_agent stage $LU_STAGE" 0 $?
	lu_done
}

for i in $(seq 2 $((LAST - 1))); do eval "stage$i() { middle; }"; done
eval "stage$LAST() { last; }"
