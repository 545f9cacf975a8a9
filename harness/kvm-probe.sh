#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# kvm-probe.sh [LEG]: print "kvm" if a KVM guest of our kernel (of kernel
# leg LEG, default "default") reaches the end of boot within a few seconds,
# else "tcg".  Nested KVM can hang at boot, so /dev/kvm alone is not
# trusted.
. "$(dirname "$0")/lib.sh"

if [ -r /dev/kvm ] && [ -w /dev/kvm ] && [ "${CI_NO_KVM:-}" != 1 ]; then
	log=$(mktemp)
	timeout 20 qemu-system-x86_64 -accel kvm -cpu host -m 256M -nographic \
		-nodefaults -no-reboot -kernel "$(image "${1:-default}")" \
		-append "console=ttyS0 panic=-1" -serial file:"$log" </dev/null >/dev/null 2>&1
	if grep -q 'Kernel panic' "$log" && grep -q 'Unable to mount root\|No working init' "$log"; then
		rm -f "$log"
		echo kvm
		exit 0
	fi
	rm -f "$log"
fi
echo tcg
