# SPDX-License-Identifier: GPL-2.0
# RETRIEVE_FD hands a memfd back before its folios are in the page cache:
# a work item fills it in the background (mm/memfd_luo.c, "Background
# fill").  Each memfd here is used right after RETRIEVE_FD, while its fill
# (and those of the memfds before it) still runs: read with pread() (the
# last page first), mapped and checked page by page, truncated and grown
# back (the cut part reads zero), a hole punched into it, sealed ones
# checked with their seals, and one closed at once, whose memory must
# come back once its fill is done and FINISH has dropped the session's
# reference.  Each access must see every byte as
# handed over.
# lu-append: kho=on liveupdate=on
# lu-mem: 1G
# lu-timeout: 600

M=$((64 << 20))
H=$((32 << 20))
Q=$((16 << 20))
# F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE
SEALS=14

stage1() {
	lu_memfd_kexec create:s \
		new:a:$M:1:full new:b:$M:2:full new:c:$M:3:full new:d:$M:4:full \
		new:e:$((8 << 20)):5:full seal:e:$SEALS new:f:$M:6:full \
		preserve:s:1:a preserve:s:2:b preserve:s:3:c preserve:s:4:d \
		preserve:s:5:e preserve:s:6:f
}

stage2() {
	memfd_agent retrieve:s \
		fd:s:1:a readat:a:16383:1 readat:a:0:1 readat:a:8191:1 \
		fd:s:2:b check:s:2:b:$M:2:full:0:0 \
		fd:s:3:c truncate:c:$H check:s:3:c:$H:3:full:0:0 truncate:c:$M zero:c:$H:$M \
		fd:s:4:d punch:d:$Q:$Q zero:d:$Q:$H readat:d:4095:4 readat:d:8192:4 \
		readat:d:16383:4 \
		fd:s:5:e check:s:5:e:$((8 << 20)):5:full:0:$SEALS \
		memfree:/tmp/memfree fd:s:6:f drop:f check:s:1:a:$M:1:full:0:0 \
		finish:s memfree-gain:/tmp/memfree:49152 close:s
	lu_expect_eq "memfds used while their fill runs" 0 $?
	lu_no_dmesg 'not preserved memory' && lu_ok "no folio reported as lost" ||
		lu_fail "a folio was reported as lost"
	lu_done
}
