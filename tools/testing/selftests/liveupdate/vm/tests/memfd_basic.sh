# SPDX-License-Identifier: GPL-2.0
# memfd preservation across one live update, driven by memfd_agent:
# random contents in memfds of 0 bytes, one page, an odd size and
# 256 MiB, a sparse memfd with holes, seals and a file position, checked
# page by page in the next kernel; a seal added after preservation and a
# position moved after it are handed over too.  While preserved, size and layout are
# frozen (EPERM) but writes inside the file and through mappings work; an
# unpreserved memfd is thawed; linked tmpfs files are refused (ENOENT); a
# memfd never retrieved is freed at FINISH.  After FINISH a retrieved
# memfd grows like any other.
# lu-append: kho=on liveupdate=on
# lu-mem: 2G
# lu-timeout: 900

BIG=$((256 << 20))
ODD=$((5 * 4096 + 1234))
SPARSE=$((8 << 20))
# F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE
SEALS=14

stage1() {
	mkdir -p /mnt/tmpfs && mount -t tmpfs none /mnt/tmpfs
	lu_memfd_kexec create:s create:gone \
		preserve-fail:s:99:/mnt/tmpfs/linked:ENOENT \
		new:empty:0:1:full new:page:4096:2:full new:odd:$ODD:3:full \
		new:big:$BIG:4:full new:sparse:$SPARSE:5:sparse \
		new:lost:65536:6:full new:undo:65536:7:full \
		seek:odd:777 seal:sparse:$SEALS seek:sparse:4097 \
		preserve:s:1:empty preserve:s:2:page preserve:s:3:odd \
		preserve:s:4:big preserve:s:5:sparse preserve:s:6:lost \
		preserve:gone:1:undo frozen:odd frozen:empty frozen:undo \
		close:gone thawed:undo seek:odd:1000 seal:odd:2
}

stage2() {
	memfd_agent retrieve:s \
		check:s:5:sparse:$SPARSE:5:sparse:4097:$SEALS \
		check:s:1:empty:0:1:full:0:0 check:s:3:odd:$ODD:3:full:1000:2 \
		check:s:4:big:$BIG:4:full:0:0 check:s:2:page:4096:2:full:0:0 \
		finish:s grow:page:$((1 << 20)) grow:odd:$((3 << 20)) \
		drop:big close:s
	lu_expect_eq "memfd_agent stage 2" 0 $?
	lu_done
}
