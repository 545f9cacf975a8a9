# SPDX-License-Identifier: GPL-2.0
# UEFI boot: OVMF (Debian's ovmf) starts the default leg's bzImage through
# its EFI stub, and two live updates with kexec_file_load(2) follow, the
# second from a kernel that was itself kexec'd under EFI.  Each kernel runs
# with EFI (the firmware's tables, its memory map), its EFI runtime
# services work (efivarfs lists the firmware's variables, reads a variable
# the previous kernel wrote with SetVariable() and writes its own), and
# memfds come back byte for byte.
# lu-firmware: uefi
# lu-append: kho=on liveupdate=on
# lu-mem: 1G
# lu-timeout: 900

VARS=/sys/firmware/efi/efivars
# Our own vendor GUID for the test variables.
GUID=4c55d9a1-6c75-4f3e-9b8a-6c6976657570
# EFI_VARIABLE_NON_VOLATILE | BOOTSERVICE_ACCESS | RUNTIME_ACCESS
ATTRS='\007\000\000\000'
SIZE=$((64 << 20))
ODD=$((3 * 4096 + 77))

# efi_checks: this kernel runs with EFI and its runtime services.
efi_checks() {
	lu_check "booted with EFI (/sys/firmware/efi)" [ -d /sys/firmware/efi ]
	dmesg | grep -m3 -E 'efi: (EFI v|ACPI=)' | sed 's/^/# /'
	lu_check "EFI runtime services are not disabled" \
		lu_no_dmesg 'efi:.*(runtime services.*disabled|Failed to)'
	lu_check "efivarfs mounts" mount -t efivarfs efivarfs $VARS
	lu_check "efivarfs lists the firmware's variables (GetNextVariableName)" \
		sh -c "ls $VARS | grep -q '^BootOrder-8be4df61-93ca-11d2-aa0d-00e098032b8c$'"
	lu_expect_eq "BootOrder is readable (GetVariable)" yes \
		"$([ "$(wc -c < $VARS/BootOrder-8be4df61-93ca-11d2-aa0d-00e098032b8c)" -gt 4 ] && echo yes)"
}

# efi_write NAME: SetVariable() of NAME-GUID with this stage's boot id.
efi_write() {
	printf "$ATTRS%s" "$(lu_boot_id)" > $VARS/$1-$GUID
	lu_expect_eq "SetVariable $1 and read it back" "$(lu_boot_id)" \
		"$(tail -c +5 $VARS/$1-$GUID)"
}

# efi_read NAME: the variable NAME holds the previous kernel's boot id.
efi_read() {
	lu_expect_eq "variable $1 written by the previous kernel" \
		"$(lu_param lu_prev_boot)" "$(tail -c +5 $VARS/$1-$GUID 2>/dev/null)"
}

stage1() {
	efi_checks
	efi_write LuStage1
	lu_memfd_kexec create:s new:big:$SIZE:81:full new:odd:$ODD:82:full \
		seek:odd:99 preserve:s:1:big preserve:s:2:odd
}

stage2() {
	efi_checks
	efi_read LuStage1
	efi_write LuStage2
	memfd_agent retrieve:s check:s:1:big:$SIZE:81:full:0:0 \
		check:s:2:odd:$ODD:82:full:99:0 finish:s close:s
	lu_expect_eq "memfd_agent stage 2" 0 $?
	lu_memfd_kexec create:t new:again:$SIZE:83:full preserve:t:3:again
}

stage3() {
	efi_checks
	efi_read LuStage2
	memfd_agent retrieve:t check:t:3:again:$SIZE:83:full:0:0 finish:t close:t
	lu_expect_eq "memfd_agent stage 3" 0 $?
	lu_done
}
