# SPDX-License-Identifier: GPL-2.0
# A live update from the mainline peer to our kernel: the memfds of
# vm/cross.sh preserved on mainline come back on ours, every byte, size,
# position and seals.  Needs our kernel to read mainline's hand-over
# formats; the mainline version in use is printed with the verdict.
# lu-kernels: mainline default
# lu-append: kho=on liveupdate=on
# lu-mem: 2G
# lu-timeout: 900

. /lu/cross.sh

stage1() { cross_first_stage; }
stage2() { cross_last_stage; }
