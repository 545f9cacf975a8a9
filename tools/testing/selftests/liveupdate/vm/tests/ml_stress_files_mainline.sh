# SPDX-License-Identifier: GPL-2.0
# ml_stress_files on the mainline peer's own kernel: the control that the
# selftest, built against our uapi headers, passes where it comes from.
# lu-kernel: mainline
# lu-mem: 2G
# lu-append: kho=on liveupdate=on
# lu-timeout: 600

. /lu/tests/ml_stress_files.sh
