# SPDX-License-Identifier: GPL-2.0
# Scratch reservation of the KHO benchmark (make bench-kho): a cold boot of
# a 2 GiB VM with KHO on.  The kernel prints "KHO: reserved N scratch
# area(s), X bytes"; this stage adds MemTotal, which the host divides by.
# lu-kernel: kho-bench
# lu-mem: 2G
# lu-append: kho=on
# lu-timeout: 120

stage1() {
	lu_check "KHO reserved scratch memory" \
		sh -c "dmesg | grep -q 'KHO: reserved [0-9]* scratch area'"
	echo "KHO-BENCH-MEMINFO MemTotal_kB=$(awk '/^MemTotal:/ { print $2 }' /proc/meminfo)"
	lu_done
}
