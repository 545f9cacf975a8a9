# SPDX-License-Identifier: GPL-2.0
# Hugetlbfs memfds of 1 GiB pages across two live updates in a 6 GiB VM
# whose every kernel boots with hugepages=3 of 1 GiB.  Kernel 1 fills a
# sparse 3 GiB memfd (huge pages 0 and 2, page 1 a hole): 2 preserved
# plus 1 free.  Kernel 2 must defer its boot-time gigantic pages until
# the preserved memory is reserved and allocate only one; after
# RETRIEVE_FD the pool is whole again, the memfd is mapped with 1 GiB
# (PUD) pages, mapping it reserves exactly its hole, and closing it frees
# both pages into the pool.  A full 1 GiB memfd with a VMM-like writer
# running until reboot(2) then goes to kernel 3.  The HugePages lines of
# /proc/meminfo are printed at every check (hpool).
# lu-append: kho=on liveupdate=on default_hugepagesz=1G hugepagesz=1G hugepages=3
# lu-mem: 6G
# lu-timeout: 1200

G=$((1 << 30))
KB=1048576

stage1() {
	lu_memfd_kexec create:s hpool:$KB:3:3:0:0 hnew:vm:$((3 * G)):21:sparse:$G \
		hpool:$KB:3:1:0:0 preserve:s:1:vm hfrozen:vm:2:1 seek:vm:12345 \
		hpool:$KB:3:1:0:0
}

stage2() {
	lu_check "gigantic boot pages waited for preserved memory" \
		lu_dmesg "hugetlb_luo: allocating 3 boot-time 1048576 kB pages once preserved memory is reserved"
	lu_check "boot-time pool counted the preserved pages" \
		lu_dmesg "hugetlb_luo: 2 of hugepages=3 1048576 kB pages are preserved; allocating 1 now"
	lu_memfd_kexec retrieve:s hpool:$KB:1:1:0:0 \
		check:s:1:vm:$((3 * G)):21:sparse:12345:0 blocks:vm:2 \
		hpool:$KB:3:1:0:0 hugemap:vm:$((3 * G)):sparse:$((2 * KB)) \
		hpool:$KB:3:1:1:0 finish:s drop:vm close:s hpool:$KB:3:3:0:0 \
		create:t hnew:w:$G:22:full:$G preserve:t:1:w hpool:$KB:3:2:0:0 \
		writer:w:$G
}

stage3() {
	memfd_agent retrieve:t hpool:$KB:2:2:0:0 check-writer:t:1:w:$G:22 \
		hpool:$KB:3:2:0:0 hugemap:w:$G:full:$KB finish:t drop:w close:t \
		hpool:$KB:3:3:0:0
	lu_expect_eq "memfd_agent stage 3" 0 $?
	lu_done
}
