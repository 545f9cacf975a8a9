# SPDX-License-Identifier: GPL-2.0
# hugetlb memfd preservation benchmark; not a test of `make check`:
#   harness/run-vm.sh --bench hugetlb_bench
# Stage 1 kexecs with nothing preserved (the baseline).  Stage 2 writes a
# 1 GiB memfd of 2 MiB pages once (timed), preserves it (timed) and
# kexecs; stage 3 retrieves it (timed) and does the same with a 1 GiB
# memfd of one 1 GiB page; stage 4 retrieves that.  Printed per stage:
#   "# bench preserve|retrieve CONFIG"  the configuration of the lines below
#   "# time LABEL NS"                   CLOCK_BOOTTIME of the agent
#   "# kho ..."                         KHO's and hugetlb_luo's early-boot
#                                       lines of this kernel (reserve and
#                                       stamp passes, boot-time pools)
# The early-boot work of the preserved memory is the difference between
# stages of the time from KHO's "reserved preserved memory" line to its
# "stamped preserved memory" line (printk timestamps): that span holds the
# struct page initialization of every reserved range.  The blackout is
# reboot() to "retrieved" on the host's clock, build/logs/hugetlb_bench.ts.
# lu-kernel: bench
# lu-mem: 4G
# lu-append: kho=on liveupdate=on earlyprintk=ttyS0 hugepagesz=2M hugepages=512 hugepagesz=1G hugepages=1
# lu-timeout: 1800

G=$((1 << 30))
CONFIGS="1G:2M 1G:1G"

# The configuration preserved by stage N (stage 1: none).
config() { [ "$1" -gt 1 ] && echo $CONFIGS | cut -d' ' -f$(($1 - 1)); }

kho_lines() {
	dmesg | grep -E 'KHO: (found|reserved preserved|stamped preserved)|hugetlb_luo' |
		sed 's/^/# kho /'
}

stage_run() {
	local prev this hps=$G args="time:agent-start"
	prev=$(config $((LU_STAGE - 1)))
	this=$(config "$LU_STAGE")
	kho_lines
	echo "# bench retrieve ${prev:-none}"
	[ -n "$prev" ] &&
		args="$args retrieve:s fd:s:1:mem time:retrieved finish:s close:s drop:mem"
	if [ -z "$this" ]; then
		memfd_agent $args
		lu_expect_eq "benchmark stage $LU_STAGE" 0 $?
		lu_done
	fi
	echo "# bench preserve $this"
	[ "${this#*:}" = 2M ] && hps=$((2 << 20))
	memfd_agent -k "$LU_KERNEL" -i "$(lu_next_initrd)" -c "$(lu_next_cmdline)" $args \
		create:s time:write-start hnew:mem:$G:0:ones:$hps \
		time:write-done time:preserve-start preserve:s:1:mem time:preserve-done kexec
	lu_abort "memfd_agent did not kexec"
}

stage1() {
	kho_lines
	echo "# bench preserve none"
	memfd_agent -k "$LU_KERNEL" -i "$(lu_next_initrd)" -c "$(lu_next_cmdline)" \
		time:agent-start kexec
	lu_abort "memfd_agent did not kexec"
}

for i in 2 3 4; do eval "stage$i() { stage_run; }"; done
