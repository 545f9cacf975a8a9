# SPDX-License-Identifier: GPL-2.0
# A VMM-like writer keeps dirtying the mapped memfd until reboot(2): pass
# after pass it stamps every page with the pass number, then records the
# pass as completed in page 0.  The next kernel sees a consistent final
# state: pages 1..K carry the pass in flight, the rest the last completed
# one, and no page is torn.
# lu-append: kho=on liveupdate=on
# lu-mem: 1G
# lu-smp: 2
# lu-timeout: 600

SIZE=$((64 << 20))

stage1() {
	echo "# stage1: kexec (memfd_agent) into stage 2"
	memfd_agent -k "$LU_KERNEL" -i "$(lu_next_initrd)" -c "$(lu_next_cmdline)" \
		create:s new:guest:$SIZE:41:full preserve:s:1:guest \
		frozen:guest writer:guest:$SIZE kexec
	lu_abort "memfd_agent did not kexec"
}

stage2() {
	memfd_agent retrieve:s check-writer:s:1:guest:$SIZE:41 finish:s close:s
	lu_expect_eq "memfd_agent stage 2" 0 $?
	lu_done
}
