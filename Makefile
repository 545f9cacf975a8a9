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
#   make bench       blackout, ours vs mainline 7.2 side by side
#                    (build/logs/bench.txt); not a test, BENCH_RUNS=N runs,
#                    BENCH_ICOUNT=0 on QEMU's instruction counter
#   make bench-kho   KHO benchmark table (build/logs/bench-kho.txt); not a test
#   make bench-memfd the memfd preservation benchmark (one table)
#   make soak        luo_smp_race with SOAK_UPDATES (200) live updates on
#                    SOAK_SMP (4) vCPUs; not part of `make check`
#   make series      the patch series for review (build/series/); not a test
#   make fuzz        the ioctl and hand-over fuzzers, long: SECONDS=N (600),
#                    SEED=S reproduces one seed, OPS=N calls per round
#
# Everything generated goes to build/ (see README.md).

H := harness

.PHONY: all deps assemble kernel mainline initramfs demo check soak shell bench bench-kho bench-memfd series fuzz clean distclean

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

SOAK_UPDATES ?= 200
SOAK_SMP ?= 4
soak: initramfs
	@LU_SMP=$(SOAK_SMP) LU_TIMEOUT=$$(( $(SOAK_UPDATES) * 60 + 600 )) \
		LU_APPEND="lurace_updates=$(SOAK_UPDATES) $${LU_APPEND:-}" \
		$(H)/run-vm.sh luo_smp_race

bench-memfd: initramfs
	@$(H)/bench-memfd.sh

shell: initramfs
	@$(H)/run-vm.sh --shell

bench:
	@$(H)/bench.sh

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
