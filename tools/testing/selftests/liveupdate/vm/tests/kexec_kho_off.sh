# SPDX-License-Identifier: GPL-2.0
# The kexec round trip of kexec_roundtrip.sh on a kernel built without
# kexec handover: plain kexec behaves as in stock 6.12.
# lu-kernel: kho-off
# lu-timeout: 120

. /lu/tests/kexec_roundtrip.sh
