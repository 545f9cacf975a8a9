# SPDX-License-Identifier: GPL-2.0
# The kexec round trip of kexec_roundtrip.sh, driven by the static helper
# lu_kexec through kexec_file_load(2) and reboot(2).
# lu-timeout: 120

LU_RT_TOOL=-s
. /lu/tests/kexec_roundtrip.sh
