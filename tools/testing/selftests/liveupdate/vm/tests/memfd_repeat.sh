# SPDX-License-Identifier: GPL-2.0
# Ten consecutive live updates carrying the same memfd: each kernel
# retrieves it, checks every page, finishes the session and preserves the
# retrieved memfd again.  After the last FINISH the memfd is closed and
# MemFree must not be more than 1% below the first boot's before the
# memfd existed (memory lost on the way would show there).  Only the first
# boot holds the inner initrd twice more than a kexec'd kernel (as
# /boot/initrd.img in its rootfs and inside its larger retained outer
# initrd), so that is added to its MemFree before comparing.  A kexec'd
# kernel still ends up with up to ~16 MB more free memory than the first boot
# (its early boot allocates less), which is why the check is one-sided.
# lu-append: kho=on liveupdate=on
# lu-mem: 1G
# lu-timeout: 1500

SIZE=$((32 << 20))
LAST=11

memfd_kexec() {
	echo "# stage$LU_STAGE: kexec (memfd_agent) into stage $((LU_STAGE + 1))"
	memfd_agent -k "$LU_KERNEL" -i "$(lu_next_initrd)" -c "$(lu_next_cmdline "$EXTRA")" "$@" kexec
	lu_abort "memfd_agent did not kexec"
}

memfree() {
	sync
	echo 3 > /proc/sys/vm/drop_caches
	awk '/^MemFree/ {print $2}' /proc/meminfo
}

stage1() {
	local initrd_kb=$(( $(wc -c < /boot/initrd.img) / 1024 ))
	local free=$(memfree)
	echo "# first boot: MemFree $free kB, inner initrd $initrd_kb kB"
	EXTRA="memfd_free0=$((free + 2 * initrd_kb))"
	echo "# first boot: $EXTRA"
	memfd_kexec create:s new:guest:$SIZE:31:full preserve:s:1:guest
}

middle() {
	EXTRA=""
	memfd_kexec retrieve:s check:s:1:guest:$SIZE:31:full:0:0 finish:s close:s \
		create:s preserve:s:1:guest
}

last() {
	echo "$(lu_param memfd_free0)" > /tmp/memfree0
	memfd_agent retrieve:s check:s:1:guest:$SIZE:31:full:0:0 finish:s close:s \
		drop:guest memfree-near:/tmp/memfree0:10
	lu_expect_eq "memfd_agent stage $LU_STAGE" 0 $?
	lu_done
}

for i in $(seq 2 $((LAST - 1))); do eval "stage$i() { middle; }"; done
eval "stage$LAST() { last; }"
