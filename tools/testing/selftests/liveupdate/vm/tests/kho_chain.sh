# SPDX-License-Identifier: GPL-2.0
# KHO across two kexecs, A -> B -> C.  B verifies what A preserved and
# preserves a new generation; C verifies B's.  C must find exactly the
# pages B had preserved when it kexec'd (B's count travels on the command
# line as lu_expect_pages), so nothing A preserved leaks into C.
# lu-append: kho=on
# lu-timeout: 180

KHO_DEBUGFS=/sys/kernel/debug/kho

# kho_preserved GEN: ERE of the line of kho_test preserving generation GEN.
kho_preserved() {
	echo "kho_test: preserved [0-9]+ folios \([0-9]+ pages\) of generation $1 "
}

# kho_pages FILE: the number in a preserved_pages file, or nothing.
kho_pages() {
	kho_n=$(awk '{ print $1; exit }' "$1" 2>/dev/null)
	case "$kho_n" in ''|*[!0-9]*) ;; *) echo "$kho_n" ;; esac
}

# kho_deferred.sh sets KHO_DEFERRED: check deferred init really ran.
kho_check_deferred() {
	[ -z "$KHO_DEFERRED" ] ||
		lu_check "struct pages were initialized late" lu_dmesg 'deferred pages initialised'
}

stage1() {
	kho_check_deferred
	lu_check "kho_test preserved generation 1" lu_dmesg "$(kho_preserved 1)"
	lu_kexec_next
}

stage2() {
	kho_check_deferred
	lu_check "kho_test verified generation 1" \
		lu_dmesg 'kho_test: verified generation 1$'
	lu_check "kho_test preserved generation 2" lu_dmesg "$(kho_preserved 2)"
	lu_no_kernel_failures
	kho_out=$(kho_pages $KHO_DEBUGFS/out/preserved_pages)
	if [ -n "$kho_out" ] && [ "$kho_out" -gt 0 ]; then
		lu_ok "out/preserved_pages is $kho_out"
	else
		lu_abort "out/preserved_pages is missing or not a positive number"
	fi
	lu_kexec_next "lu_expect_pages=$kho_out"
}

stage3() {
	lu_check "kho_test verified generation 2" \
		lu_dmesg 'kho_test: verified generation 2$'
	lu_no_kernel_failures
	lu_expect_eq "in/preserved_pages equals what stage 2 preserved" \
		"$(lu_param lu_expect_pages)" \
		"$(kho_pages $KHO_DEBUGFS/in/preserved_pages)"
	lu_done
}
