# SPDX-License-Identifier: GPL-2.0
# kho_scratch= sizes the scratch areas of a cold boot; a KHO boot inherits
# the areas of the previous kernel and reports a malformed value.
# lu-append: kho=on kho_scratch=64M,0,0
# lu-timeout: 180

KHO_OUT=/sys/kernel/debug/kho/out

stage1() {
	lu_expect_eq "one 64 MiB scratch area from kho_scratch=64M,0,0" \
		0x4000000 "$(cat $KHO_OUT/scratch_len)"
	cat $KHO_OUT/scratch_phys > /tmp/scratch_phys
	lu_kexec_next "kho_scratch=bogus lu_scratch=$(cat /tmp/scratch_phys)"
}

stage2() {
	lu_expect_eq "the next kernel inherited the same scratch area" \
		"$(lu_param lu_scratch)" "$(cat $KHO_OUT/scratch_phys)"
	lu_expect_eq "and its size" 0x4000000 "$(cat $KHO_OUT/scratch_len)"
	lu_check "a malformed kho_scratch= is reported" \
		lu_dmesg 'KHO: kho_scratch=bogus: expected'
	lu_check "kho_test verified generation 1 with a small scratch area" \
		lu_dmesg 'kho_test: verified generation 1$'
	lu_done
}
