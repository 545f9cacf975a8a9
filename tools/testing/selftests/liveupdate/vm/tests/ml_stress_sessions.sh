# SPDX-License-Identifier: GPL-2.0
# Mainline's luo_stress_sessions selftest (2000 sessions across a kexec),
# built from the mainline peer's tree against our uapi headers, on our
# kernel: "luo_stress_sessions --stage 1", kexec with kexec-tools,
# "luo_stress_sessions --stage 2" (vm/mainline.sh).
# lu-smp: 4
# lu-append: kho=on liveupdate=on
# lu-timeout: 600

. /lu/mainline.sh

stage1() { ml_kexec_stage luo_stress_sessions; }
stage2() { ml_kexec_stage luo_stress_sessions; }
