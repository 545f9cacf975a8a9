# SPDX-License-Identifier: GPL-2.0
# Several sessions with memfds each, retrieved in another order than they
# were preserved, and 500 memfds in one session, retrieved in reverse.
# lu-smp: 4
# lu-append: kho=on liveupdate=on
# lu-mem: 1G
# lu-timeout: 900

stage1() {
	lu_memfd_kexec create:a create:b create:c create:many \
		new:a1:8192:21:full new:a2:12288:22:full \
		new:b1:4096:23:full new:b2:1048576:24:sparse new:b3:40000:25:full \
		new:c1:2097152:26:full \
		preserve:a:1:a1 preserve:a:2:a2 preserve:b:1:b1 preserve:b:2:b2 \
		preserve:b:3:b3 preserve:c:7:c1 many:many:500
}

stage2() {
	memfd_agent retrieve:c retrieve:b \
		check:b:3:b3:40000:25:full:0:0 check:c:7:c1:2097152:26:full:0:0 \
		finish:c retrieve:a check:a:2:a2:12288:22:full:0:0 \
		check:b:1:b1:4096:23:full:0:0 check:a:1:a1:8192:21:full:0:0 \
		finish:a check:b:2:b2:1048576:24:sparse:0:0 finish:b \
		retrieve:many check-many:many:500 finish:many \
		close:a close:b close:c close:many
	lu_expect_eq "memfd_agent stage 2" 0 $?
	lu_done
}
