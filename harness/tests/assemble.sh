#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The assembler: patches apply with fuzz 0 on pristine + our files,
# re-assembly only rewrites changed files, and a patch that does not apply
# fails loudly, naming the patch and the file.
set -euo pipefail
REAL=$(cd "$(dirname "$0")/../.." && pwd)
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
export PRISTINE_DIR=${PRISTINE_DIR:-$REAL/build/pristine} BUILD=$T/build
P=$PRISTINE_DIR/linux
[ -f "$P/Makefile" ] || { echo "pristine tree missing: run make kernel"; exit 1; }

mkdir -p "$T/top/harness" "$T/top/patches" "$T/top/kernel"
cp "$REAL"/harness/{lib.sh,assemble.sh} "$T/top/harness/"
echo "ours" > "$T/top/kernel/lu_test_file.c"
fail() { echo "assemble: $*"; exit 1; }

# A one-line change to a pristine file, made with diff against it.
mkpatch() { # NAME FILE OLDLINE NEWLINE
	mkdir -p "$T/a/$(dirname "$2")" "$T/b/$(dirname "$2")"
	cp "$P/$2" "$T/a/$2"
	sed "s|$3|$4|" "$P/$2" > "$T/b/$2"
	(cd "$T" && diff -u "a/$2" "b/$2" > "top/patches/$1") || true
}
mkpatch 0001-good.patch kernel/kexec_core.c 'kexec_trylock()' 'kexec_trylock() /* lu */'
echo 0001-good.patch > "$T/top/patches/series"
"$T/top/harness/assemble.sh" 2>/dev/null || fail "good patch did not apply"
grep -q 'kexec_trylock() /\* lu \*/' "$BUILD/linux/kernel/kexec_core.c" || fail "patch not applied"
grep -qx ours "$BUILD/linux/kernel/lu_test_file.c" || fail "our file not copied"
grep -q 'kexec_trylock() /\* lu \*/' "$P/kernel/kexec_core.c" && fail "pristine modified"

# Re-assembly keeps mtimes of unchanged files.
m1=$(stat -c %Y.%N "$BUILD/linux/kernel/kexec_core.c" 2>/dev/null || stat -c %y "$BUILD/linux/kernel/kexec_core.c")
sleep 1
out=$("$T/top/harness/assemble.sh" 2>&1)
echo "$out" | grep -q '(0 file(s) updated)' || fail "re-assembly rewrote files: $out"
m2=$(stat -c %Y.%N "$BUILD/linux/kernel/kexec_core.c" 2>/dev/null || stat -c %y "$BUILD/linux/kernel/kexec_core.c")
[ "$m1" = "$m2" ] || fail "mtime of an unchanged file moved"

# Dropping the patch restores the pristine file.
: > "$T/top/patches/series"
"$T/top/harness/assemble.sh" 2>/dev/null
cmp -s "$P/kernel/kexec_core.c" "$BUILD/linux/kernel/kexec_core.c" || fail "file not restored"

# A patch whose context does not match fails, naming patch and file.
mkpatch 0002-bad.patch kernel/kexec_file.c 'kimage_file_prepare_segments' 'kimage_file_prep'
sed -i 's/^ \(.*\)kimage_file_prepare_segments/ \1kimage_context_that_is_not_there/' "$T/top/patches/0002-bad.patch"
sed -i '0,/^ /s/^ .*/ this line is not in the file/' "$T/top/patches/0002-bad.patch"
echo 0002-bad.patch > "$T/top/patches/series"
if out=$("$T/top/harness/assemble.sh" 2>&1); then fail "bad patch applied"; fi
echo "$out" | grep -q 'patch 0002-bad.patch does not apply.*kernel/kexec_file.c' ||
	fail "error does not name patch and file: $(echo "$out" | tail -1)"
echo "ok"
