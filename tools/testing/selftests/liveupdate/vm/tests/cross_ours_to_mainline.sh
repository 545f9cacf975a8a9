# SPDX-License-Identifier: GPL-2.0
# A live update from our kernel to the mainline peer: memfds of every kind
# (vm/cross.sh: 0 B, a page, an odd size, 64 MiB THP, sealed, sparse, 500
# in one session, 100 sessions) preserved by memfd_agent on ours come back
# on mainline with every byte, the size, the position and the seals; and
# mainline's test_kho restores the kho_test subtree of our test_kho.
# Needs our kernel to speak mainline's hand-over formats; the mainline
# version in use is printed with the verdict.
# lu-kernels: default mainline
# lu-append: kho=on liveupdate=on
# lu-mem: 2G
# lu-timeout: 900

. /lu/cross.sh

stage1() { cross_first_stage; }
stage2() { cross_last_stage; }
