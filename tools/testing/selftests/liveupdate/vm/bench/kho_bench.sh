# SPDX-License-Identifier: GPL-2.0
# One run of the KHO benchmark (make bench-kho, harness/bench-kho.sh); not
# a test of `make check`.  Five kernels, A -> B -> C -> D -> E:
#   A (cold boot)  kexec with nothing preserved              reboot "0G"
#   B              preserve 1 GiB as 4 KiB folios, kexec     reboot "1G-order0"
#   C              restore them, preserve 1 GiB as 2 MiB
#                  folios, kexec                             reboot "1G-order9"
#   D              restore them, kexec with nothing preserved reboot "0G"
#   E              done
# The kernel module (CONFIG_KEXEC_HANDOVER_BENCH) prints the preserve and
# restore timings, KHO its early-boot timings.  Each kexec goes through
# "lu_kexec -m", which writes "KHO-BENCH-KEXEC <label>" to /dev/kmsg right
# before reboot(2); the host times the console from that line to the next
# kernel's first line (earlyprintk makes that line come from setup_arch()).
# lu-kernel: kho-bench
# lu-mem: 3G
# lu-append: kho=on earlyprintk=ttyS0
# lu-timeout: 600

KHO_BENCH=/sys/kernel/debug/kho_bench

# kho_bench_get KEY: the value of KEY in the result file, or nothing.
kho_bench_get() {
	sed -n "s/^$1=//p" $KHO_BENCH/result
}

# kho_bench_kexec LABEL: kexec into the next stage, marking the console.
kho_bench_kexec() {
	echo "# stage$LU_STAGE: kexec into stage $((LU_STAGE + 1)) ($1)"
	echo "# stage$LU_STAGE: $LU_N result(s), $LU_FAILED failed"
	lu_kexec -k "$LU_KERNEL" -i "$(lu_next_initrd)" -c "$(lu_next_cmdline)" \
		-m "KHO-BENCH-KEXEC $1" -e || lu_abort "lu_kexec failed"
}

# kho_bench_preserve SIZE ORDER
kho_bench_preserve() {
	if echo "$1 $2" > $KHO_BENCH/preserve; then
		lu_ok "preserved $(kho_bench_get preserve_bytes) bytes as" \
			"$(kho_bench_get preserve_folios) folios of order $2"
	else
		lu_abort "cannot preserve $1 as folios of order $2"
	fi
}

# kho_bench_restored ORDER: check the set restored at boot.
kho_bench_restored() {
	lu_expect_eq "restored set has order $1" "$1" "$(kho_bench_get restore_order)"
	lu_expect_eq "every folio was restored" "$(kho_bench_get restore_folios)" \
		"$(kho_bench_get restore_restored)"
	lu_expect_eq "every restored folio has its order and check words" 0 \
		"$(kho_bench_get restore_bad)"
}

stage1() {
	lu_check "kho_bench debugfs files exist" test -e $KHO_BENCH/result
	kho_bench_kexec 0G
}

stage2() {
	kho_bench_preserve 1G 0
	kho_bench_kexec 1G-order0
}

stage3() {
	kho_bench_restored 0
	kho_bench_preserve 1G 9
	kho_bench_kexec 1G-order9
}

stage4() {
	kho_bench_restored 9
	kho_bench_kexec 0G
}

stage5() {
	lu_check "KHO boot without a kho_bench set" test -z "$(kho_bench_get restore_order)"
	lu_done
}
