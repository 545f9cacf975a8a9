# SPDX-License-Identifier: GPL-2.0
# ml_kexec_simple on the mainline peer's own kernel: the control that the
# selftest, built against our uapi headers, passes where it comes from.
# Mainline sizes its scratch from what memblock reserved at boot; with
# our initramfs in 1 GiB it sometimes found no room for it (seen once:
# "KHO: Failed to reserve nid 0 scratch buffer"), so 2 GiB as for cross_*.
# lu-kernel: mainline
# lu-mem: 2G
# lu-append: kho=on liveupdate=on
# lu-timeout: 600

. /lu/tests/ml_kexec_simple.sh
