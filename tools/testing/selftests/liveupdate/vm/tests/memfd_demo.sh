# SPDX-License-Identifier: GPL-2.0
# The live update demo (make demo): a "VMM" keeps 256 MiB of guest memory
# in a memfd and keeps dirtying it; the agent preserves the memfd and
# live-updates the kernel while the VMM runs; the new kernel retrieves the
# memory and verifies every page.  Time stamps ("# time LABEL NS", on
# CLOCK_BOOTTIME of each kernel) let harness/demo.sh report the blackout.
# lu-append: kho=on liveupdate=on
# lu-mem: 2G
# lu-smp: 2
# lu-timeout: 900

SIZE=$((256 << 20))

stage1() {
	echo "# demo: kernel $(uname -r), boot id $(lu_boot_id)"
	echo "# demo: the VMM fills 256 MiB of guest memory and keeps writing to it"
	memfd_agent -k "$LU_KERNEL" -i "$(lu_next_initrd)" -c "$(lu_next_cmdline)" \
		create:vmm new:guest-ram:$SIZE:51:full writer:guest-ram:$SIZE \
		time:preserve-start preserve:vmm:1:guest-ram time:preserve-done kexec
	lu_abort "memfd_agent did not kexec"
}

stage2() {
	echo "# demo: live-updated into boot id $(lu_boot_id) (was $(lu_param lu_prev_boot))"
	memfd_agent time:agent-start retrieve:vmm fd:vmm:1:guest-ram time:retrieved \
		check-writer:vmm:1:guest-ram:$SIZE:51 time:verified \
		finish:vmm close:vmm
	lu_expect_eq "guest memory retrieved and verified" 0 $?
	lu_done
}
