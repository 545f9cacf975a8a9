#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# initramfs.sh [LEG...]: build the static test programs and the VM initramfs
# for a test that boots these kernel legs (default: default).
#
# The inner initrd holds busybox, Debian's /sbin/kexec with its shared
# libraries, our static test programs, mainline's liveupdate selftests
# (/ml/NAME), the VM scripts and the kernels: /boot/bzImage if there is one
# leg, else /boot/bzImage-LEG for each (vm/lib.sh picks the next stage's).
# The outer initrd (what QEMU boots) is the inner one plus /boot/initrd.img,
# the inner initrd itself, handed to the next kernel.
#
# The programs are built against the uapi headers of our tree, also for
# the mainline peer (the liveupdate uAPI is the same), so they are the same
# binaries on every kernel.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

LEGS=($(printf '%s\n' "${@:-default}" | sort -u))
# Our headers and gen_init_cpio come from the first leg of ours, or default.
OURS=default
for l in "${LEGS[@]}"; do
	case "$l" in mainline|mainline-*) ;; *) OURS=$l; break ;; esac
done
OBJ=$(obj_dir "$OURS")
PROGS=$BUILD/progs-$OURS
SRC=$TOP/$SELFTESTS
OUT=$(initramfs_dir "${LEGS[@]}")
GEN=$OBJ/usr/gen_init_cpio
LUTOOLS=$BUILD/liveupdate-$OURS
[ -x "$GEN" ] || die "$GEN missing: build the kernel leg $OURS first"
for l in "${LEGS[@]}"; do
	[ -f "$(image "$l")" ] || die "$(image "$l") missing: build the kernel leg $l first"
done

# tools/liveupdate with its own Makefile, static, against the leg's uapi
# headers: luod and luoctl go to the VM, liblu.a into every test program.
build_liveupdate_tools() {
	mkdir -p "$LUTOOLS" "$PROGS"
	make -s -C "$TOP/tools/liveupdate" OUTPUT="$LUTOOLS/" \
		UAPI_INCLUDE="$OBJ/usr/include" CFLAGS="-O2 -Werror" LDFLAGS=-static ||
		die "cannot build tools/liveupdate"
	cp -p "$LUTOOLS/luod" "$LUTOOLS/luoctl" "$PROGS/"
}

# Static test programs: each PROG.c links with every *_lib.c.
build_progs() {
	local c p libs
	mkdir -p "$PROGS"
	libs=$(ls "$SRC"/*_lib.c 2>/dev/null || true)
	for c in "$SRC"/*.c; do
		case "$c" in *_lib.c) continue ;; esac
		p=$PROGS/$(basename "$c" .c)
		if [ -f "$p" ] && [ -z "$(find "$SRC" "$OBJ/usr/include" "$LUTOOLS/liblu.a" \
				-newer "$p" \( -name '*.[ch]' -o -name '*.a' \) -print -quit)" ]; then
			continue
		fi
		gcc -static -O2 -Wall -Werror -I"$OBJ/usr/include" -I"$SRC" \
			-I"$TREE/tools/testing/selftests" -I"$TOP/tools/liveupdate" \
			-o "$p" "$c" $libs "$LUTOOLS/liblu.a" || die "cannot build $(basename "$c")"
	done
}

# The example agent of the userspace API documentation, built from the
# first C code block after its "Example" heading, so that the example is
# run by a test (doc_example) and cannot rot.
DOC_EXAMPLE=Documentation/userspace-api/liveupdate.rst
build_doc_example() {
	local rst=$TOP/$DOC_EXAMPLE p=$PROGS/luo_doc_agent c=$PROGS/.luo_doc_agent.c
	[ -f "$rst" ] || return 0
	[ -f "$p" ] && [ "$p" -nt "$rst" ] && return 0
	awk '
		/^Example$/ { ex = 1 }
		ex && /^\.\. code-block:: c$/ { code = 1; next }
		code && /^[^\t]/ && NF { exit }
		code { sub(/^\t/, ""); print }
	' "$rst" > "$c"
	grep -q 'int main' "$c" || die "no C example found in $DOC_EXAMPLE"
	gcc -static -O2 -Wall -Werror -I"$OBJ/usr/include" -x c -o "$p" "$c" ||
		die "the example of $DOC_EXAMPLE does not build"
}

# Mainline's liveupdate selftests, built from the mainline tree the way its
# Makefile does (every TEST_GEN_PROGS and TEST_GEN_PROGS_EXTENDED, linked
# with LIB_C), but static and against our uapi headers.  One that does not
# build is left out with a warning: its test then fails in the VM.
ML_SRC=$MAINLINE/$SELFTESTS
build_ml_progs() {
	local mk=$ML_SRC/Makefile p out libs
	[ -f "$mk" ] || die "$mk missing: run harness/mainline.sh"
	mkdir -p "$PROGS/ml"
	libs=$(sed -n 's/^LIB_C *+= *//p' "$mk" | sed "s|^|$ML_SRC/|")
	for p in $(sed -n 's/^TEST_GEN_PROGS\(_EXTENDED\)\? *+= *//p' "$mk"); do
		out=$PROGS/ml/$p
		# (A newly unpacked tree keeps its files' dates: VERSION is new.)
		if [ -f "$out" ] && [ -z "$(find "$ML_SRC" "$ML_SRC"/../kselftest*.h \
				"$OBJ/usr/include" "$MAINLINE_DIR/VERSION" -newer "$out" \
				\( -name '*.[ch]' -o -name VERSION \) -print -quit)" ]; then
			continue
		fi
		gcc -static -O2 -Wall -Wno-unused-function -D_GNU_SOURCE= \
			-isystem "$OBJ/usr/include" -I"$ML_SRC/.." \
			-o "$out" "$ML_SRC/$p.c" $libs 2> "$out.log" && continue
		rm -f "$out"
		head -5 "$out.log" >&2
		echo "warning: mainline's selftest $p does not build (build/progs-$OURS/ml/$p.log)" >&2
	done
}

# The dynamic libraries a binary needs, as paths on this machine.
libs_of() {
	ldd "$1" | awk '/=> \// {print $3} /^[[:space:]]*\/lib/ {print $1}'
}

write_list() {
	local d f
	for d in /dev /proc /sys /tmp /bin /sbin /usr /usr/sbin /usr/bin /lib /lib64 \
		 /lib/x86_64-linux-gnu /boot /lu /lu/tests /root; do
		echo "dir $d 0755 0 0"
	done
	echo "nod /dev/console 0600 0 0 c 5 1"
	echo "dir /ml 0755 0 0"
	echo "file /init $SRC/vm/init 0755 0 0"
	for f in "$SRC"/vm/*.sh "$SRC"/mainline-differences.txt; do
		echo "file /lu/$(basename "$f") $f 0644 0 0"
	done
	# Benchmark stage scripts (vm/bench/, not run by `make check`) go
	# next to the tests: the VM runs both the same way.
	for f in "$SRC"/vm/tests/*.sh "$SRC"/vm/bench/*.sh; do
		[ -f "$f" ] || continue
		echo "file /lu/tests/$(basename "$f") $f 0644 0 0"
	done
	echo "file /bin/busybox $(command -v busybox) 0755 0 0"
	echo "file /usr/sbin/kexec $(command -v kexec) 0755 0 0"
	for f in $(libs_of "$(command -v kexec)"); do
		echo "file $f $(readlink -f "$f") 0755 0 0"
	done
	for f in "$PROGS"/*; do
		[ -f "$f" ] || continue
		echo "file /bin/$(basename "$f") $f 0755 0 0"
	done
	for f in "$PROGS"/ml/*; do
		[ -x "$f" ] || continue
		echo "file /ml/$(basename "$f") $f 0755 0 0"
	done
	if [ ${#LEGS[@]} -eq 1 ]; then
		echo "file /boot/bzImage $(image "${LEGS[0]}") 0644 0 0"
	else
		for l in "${LEGS[@]}"; do
			echo "file /boot/bzImage-$l $(image "$l") 0644 0 0"
		done
	fi
}

build_liveupdate_tools
build_progs
build_doc_example
build_ml_progs
mkdir -p "$OUT"
write_list > "$OUT/inner.list"
"$GEN" "$OUT/inner.list" > "$OUT/inner.cpio"
{ cat "$OUT/inner.list"; echo "file /boot/initrd.img $OUT/inner.cpio 0644 0 0"; } > "$OUT/outer.list"
"$GEN" "$OUT/outer.list" > "$OUT/outer.cpio.tmp"
mv "$OUT/outer.cpio.tmp" "$OUT/outer.cpio"
