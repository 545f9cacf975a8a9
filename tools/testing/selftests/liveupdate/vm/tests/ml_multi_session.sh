# SPDX-License-Identifier: GPL-2.0
# Mainline's luo_multi_session selftest (empty sessions and sessions with
# one and two memfds across a kexec), built from the mainline peer's tree
# against our uapi headers, on our kernel: "luo_multi_session --stage 1",
# kexec with kexec-tools, "luo_multi_session --stage 2" (vm/mainline.sh).
# lu-append: kho=on liveupdate=on
# lu-timeout: 600

. /lu/mainline.sh

stage1() { ml_kexec_stage luo_multi_session; }
stage2() { ml_kexec_stage luo_multi_session; }
