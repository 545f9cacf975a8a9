# SPDX-License-Identifier: GPL-2.0
# Files a host kernel has and no handler of ours preserves: a pipe, a unix
# socket, an eventfd, /dev/kvm and a KVM VM (KVM is built; under TCG
# kvm_amd loads on QEMU's "max" CPU, an AMD with SVM, so VMs can be
# created though not run).  PRESERVE_FD of each gives ENOENT and nothing
# of it stays behind: once the agent closes it the file is gone (epoll no
# longer sees it; the VM's debugfs directory goes away), and only the
# memfd comes back from the live update.  hugetlb memfds have a handler
# (mm/hugetlb_luo.c) and their own tests, hugetlb_*.
# lu-append: kho=on liveupdate=on
# lu-mem: 1G
# lu-timeout: 600

KINDS="pipe unix eventfd kvm kvm-vm"

stage1() {
	local k t=0 cmds=""
	lu_check "/dev/kvm exists (kvm_amd or kvm_intel loaded)" [ -c /dev/kvm ]
	dmesg | grep -m2 -i -E 'kvm|svm' | sed 's/^/# /'
	for k in $KINDS; do
		t=$((t + 1))
		cmds="$cmds preserve-kind:s:$t:$k:ENOENT"
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
