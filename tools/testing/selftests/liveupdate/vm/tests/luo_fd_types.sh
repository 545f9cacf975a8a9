# SPDX-License-Identifier: GPL-2.0
# Files a host kernel has and no handler of ours preserves: a pipe, a unix
# socket, an eventfd, /dev/kvm and a KVM VM (KVM is built; under TCG
# kvm_amd loads on QEMU's "max" CPU, an AMD with SVM, so VMs can be
# created though not run), and a hugetlb memfd.  PRESERVE_FD of each
# gives ENOENT and nothing of it stays behind: once the agent closes it
# the file is gone (epoll no longer sees it; the VM's debugfs directory
# goes away; the huge page is free again), and the session comes back
# empty from the live update.  memfd_create(MFD_HUGETLB) works in the VM.
# lu-append: kho=on liveupdate=on
# lu-mem: 1G
# lu-timeout: 600

# Preserving a hugetlb memfd: ENOENT until hugetlb memfds have a handler;
# then set this to 0 (preserved) and check it in stage 2.
HUGETLB_PRESERVE=ENOENT
KINDS="pipe unix eventfd kvm kvm-vm hugetlb"

stage1() {
	local k t=0 cmds=""
	lu_check "2 MiB huge pages reserved" sh -c \
		'echo 2 > /proc/sys/vm/nr_hugepages && grep -q "^HugePages_Free: *2$" /proc/meminfo'
	lu_check "/dev/kvm exists (kvm_amd or kvm_intel loaded)" [ -c /dev/kvm ]
	dmesg | grep -m2 -i -E 'kvm|svm' | sed 's/^/# /'
	for k in $KINDS; do
		t=$((t + 1))
		e=ENOENT
		[ $k = hugetlb ] && e=$HUGETLB_PRESERVE
		cmds="$cmds preserve-kind:s:$t:$k:$e"
	done
	lu_memfd_kexec create:s new:m:4096:61:full $cmds preserve:s:99:m
}

stage2() {
	local k t=0 cmds=""
	for k in $KINDS; do
		t=$((t + 1))
		cmds="$cmds fd-fail:s:$t:ENOENT"
	done
	memfd_agent retrieve:s check:s:99:m:4096:61:full:0:0 $cmds finish:s close:s
	lu_expect_eq "memfd_agent stage 2: only the memfd came back" 0 $?
	lu_done
}
