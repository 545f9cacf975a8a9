# SPDX-License-Identifier: GPL-2.0
#
# Live Update for Linux 6.12: build, boot and test driver.
#
#   make demo        build the kernel and watch it live-update itself in QEMU
#   make check       run the whole test suite ("N passed, N failed")
#   make check T="a b"   run only the named tests
#   make shell       interactive shell in the test VM
#   make kernel      assemble and build build/bzImage only
#   make mainline    build the mainline peer kernel, build/bzImage-mainline
#   make bench-kho   KHO benchmark table (build/logs/bench-kho.txt); not a test
#   make bench-memfd the memfd preservation benchmark (one table)
#   make series      the patch series for review (build/series/); not a test
#   make fuzz        the ioctl and hand-over fuzzers, long: SECONDS=N (600),
#                    SEED=S reproduces one seed, OPS=N calls per round
#
# Everything generated goes to build/ (see README.md).

H := harness

.PHONY: all deps assemble kernel mainline initramfs demo check shell bench-kho bench-memfd series fuzz clean distclean

all: kernel

deps:
	@$(H)/deps.sh

assemble: deps
	@$(H)/assemble.sh

kernel: assemble
	@$(H)/build.sh default

mainline: deps
	@$(H)/build.sh mainline

initramfs: kernel
	@$(H)/initramfs.sh default

demo: initramfs
	@$(H)/demo.sh

check:
	@$(H)/check.sh $(T)

bench-memfd: initramfs
	@$(H)/bench-memfd.sh

shell: initramfs
	@$(H)/run-vm.sh --shell

bench-kho:
	@$(H)/bench-kho.sh

series:
	@$(H)/series.sh

fuzz:
	@$(H)/fuzz.sh "$(SECONDS)" "$(SEED)" "$(OPS)"

clean:
	rm -rf build/obj-* build/logs build/initramfs-* build/progs-* build/bzImage* build/accel

distclean:
	rm -rf build
