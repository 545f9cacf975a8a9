# SPDX-License-Identifier: GPL-2.0
# Mainline's liveupdate API selftest (liveupdate.c of the mainline peer's
# tools/testing/selftests/liveupdate, kselftest harness, no kexec), built
# against our uapi headers, on our kernel: one result per case, skips and
# failures fail unless mainline-differences.txt lists them (vm/mainline.sh).
# lu-append: kho=on liveupdate=on
# lu-timeout: 300

. /lu/mainline.sh

stage1() {
	ml_selftest liveupdate
	lu_done
}
