# SPDX-License-Identifier: GPL-2.0
# The live update demo (make demo), the way a host operator does it: luod
# holds /dev/liveupdate; a "VMM" keeps 256 MiB of guest memory in a memfd
# and keeps dirtying it; it preserves the memfd through luod and leaves the
# writer running; `luoctl load` and `luoctl update` live-update the kernel
# while the VMM writes; in the new kernel the new luod gives the memory
# back and the VMM verifies every page.  Time stamps ("# time LABEL NS
# TSC", on CLOCK_BOOTTIME of each kernel and the TSC, luod's reboot()
# line, and the kernel's stamps of /sys/kernel/debug/liveupdate/blackout)
# let harness/demo.sh report the blackout; `luoctl blackout` reports
# luod's.
# lu-append: kho=on liveupdate=on
# lu-mem: 2G
# lu-smp: 2
# lu-timeout: 900

SIZE=$((256 << 20))

stage1() {
	echo "# demo: kernel $(uname -r), boot id $(lu_boot_id)"
	lu_luod_start
	echo "# demo: the VMM fills 256 MiB of guest memory and keeps writing to it"
	memfd_agent -L $LU_LUOD_SOCK create:vmm new:guest-ram:$SIZE:51:full \
		writer:guest-ram:$SIZE time:preserve-start preserve:vmm:1:guest-ram \
		time:preserve-done
	lu_expect_eq "the VMM preserved its memory through luod" 0 $?
	luoctl load "$LU_KERNEL" --initrd "$(lu_next_initrd)" --append "$(lu_next_cmdline)"
	lu_expect_eq "luoctl load" 0 $?
	luoctl status
	echo "# demo: luoctl update"
	luoctl update
	lu_abort "luoctl update returned"
}

stage2() {
	echo "# demo: live-updated into boot id $(lu_boot_id) (was $(lu_param lu_prev_boot))"
	lu_luod_start
	memfd_agent -L $LU_LUOD_SOCK time:agent-start retrieve:vmm fd:vmm:1:guest-ram \
		time:retrieved check-writer:vmm:1:guest-ram:$SIZE:51 time:verified \
		finish:vmm close:vmm
	lu_expect_eq "guest memory retrieved and verified" 0 $?
	sed 's/^/# blackout: /' /sys/kernel/debug/liveupdate/blackout
	luoctl status
	luoctl blackout
	lu_expect_eq "luoctl blackout" 0 $?
	lu_done
}
