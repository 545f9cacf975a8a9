# SPDX-License-Identifier: GPL-2.0
# Two NUMA nodes (QEMU -numa, 2 GiB and one vCPU each): both kernels have
# a KHO scratch area on each node, memfds bound to node 0 and to node 1
# (set_mempolicy(MPOL_BIND)), one of them THP-backed, keep every page on
# its node across the live update (move_pages(2) in query mode) and their
# bytes; the nodes' memory adds up to MemTotal in both kernels.
# lu-append: kho=on liveupdate=on
# lu-mem: 4G
# lu-numa: 2
# lu-smp: 2
# lu-timeout: 900

SIZE=$((128 << 20))
THP=/sys/kernel/mm/transparent_hugepage

# node_ranges: "NODE START END" for each node, from the kernel's
# "Initmem setup node N [mem START-END]" lines.
node_ranges() {
	dmesg | sed -n 's/.*Initmem setup node \([0-9]*\) \[mem \(0x[0-9a-f]*\)-\(0x[0-9a-f]*\)\].*/\1 \2 \3/p'
}

# check_scratch: every node has a KHO scratch area inside its memory.
check_scratch() {
	local d=/sys/kernel/debug/kho/out nid start end a l found n=0
	paste "$d/scratch_phys" "$d/scratch_len" | sed 's/^/# kho scratch: /'
	node_ranges | sed 's/^/# node memory: /'
	while read -r nid start end; do
		n=$((n + 1))
		found=
		while read -r a l; do
			[ $((a)) -ge $((start)) ] && [ $((a + l - 1)) -le $((end)) ] && found=$a
		done <<-EOT
		$(paste "$d/scratch_phys" "$d/scratch_len")
		EOT
		lu_check "node $nid has a scratch area (${found:-none})" [ -n "$found" ]
	done <<-EOT
	$(node_ranges)
	EOT
	lu_expect_eq "kernel set up 2 nodes" 2 "$n"
}

# check_totals: the nodes' MemTotal adds up to /proc/meminfo's.
check_totals() {
	local sum=0 kb n
	for n in /sys/devices/system/node/node[0-9]*; do
		kb=$(awk '/MemTotal/ { print $4 }' "$n/meminfo")
		sum=$((sum + kb))
	done
	lu_expect_eq "node MemTotals add up to MemTotal (kB)" \
		"$(awk '/^MemTotal/ { print $2 }' /proc/meminfo)" "$sum"
}

stage1() {
	lu_expect_eq "2 nodes online" 0-1 "$(cat /sys/devices/system/node/online)"
	check_scratch
	check_totals
	lu_check "shmem THP on request" sh -c "echo advise > $THP/shmem_enabled"
	lu_memfd_kexec create:s \
		mempolicy:0 new:n0:$SIZE:71:full mempolicy:1 new:n1:$SIZE:72:full \
		new:n1thp:$SIZE:73:thp mempolicy:default \
		on-node:n0:0 on-node:n1:1 on-node:n1thp:1 thp:n1thp:$SIZE \
		preserve:s:1:n0 preserve:s:2:n1 preserve:s:3:n1thp
}

stage2() {
	lu_expect_eq "2 nodes online" 0-1 "$(cat /sys/devices/system/node/online)"
	check_scratch
	check_totals
	memfd_agent retrieve:s check:s:1:n0:$SIZE:71:full:0:0 \
		check:s:2:n1:$SIZE:72:full:0:0 check:s:3:n1thp:$SIZE:73:thp:0:0 \
		on-node:n0:0 on-node:n1:1 on-node:n1thp:1 thp:n1thp:$SIZE \
		finish:s close:s
	lu_expect_eq "memfd_agent stage 2" 0 $?
	lu_done
}
