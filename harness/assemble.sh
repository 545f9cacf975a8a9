#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Assemble the kernel tree: pristine 6.12 + our files + patches/series.
#
# The pristine tree is unpacked once and its version recorded.  The
# assembled tree is updated incrementally: only files whose content
# changes are rewritten, so unchanged files keep their mtimes and kbuild
# rebuilds only what depends on the files we touched.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

unpack_pristine() {
	local stamp=$PRISTINE_DIR/stamp want
	want=$(stat -c '%s %Y' "$TARBALL" 2>/dev/null) || die "$TARBALL missing (package linux-source-6.12)"
	[ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ] && return 0
	info "unpacking $TARBALL into $PRISTINE_DIR"
	rm -rf "$PRISTINE_DIR" "$TREE" "$BUILD/assembled.list"
	mkdir -p "$PRISTINE_DIR"
	tar -C "$PRISTINE_DIR" -xf "$TARBALL"
	mv "$PRISTINE_DIR/linux-source-6.12" "$PRISTINE"
	{
		echo "kernel $(make -s -C "$PRISTINE" kernelversion)"
		echo "package $(dpkg-query -W -f='${Version}' linux-source-6.12 2>/dev/null || echo unknown)"
		echo "sha256 $(sha256sum "$TARBALL" | cut -d' ' -f1)"
	} > "$PRISTINE_DIR/VERSION"
	echo "$want" > "$stamp"
}

# Files a patch touches (paths relative to the tree root).
patch_targets() {
	sed -n -e 's|^+++ b/\([^[:space:]]*\).*|\1|p' -e 's|^--- a/\([^[:space:]]*\).*|\1|p' "$1" | sort -u
}

series() {
	[ -f "$TOP/patches/series" ] || return 0
	sed -e 's/#.*//' -e '/^[[:space:]]*$/d' "$TOP/patches/series"
}

overlay_files() {
	(cd "$TOP" && for d in $OVERLAY_DIRS; do
		if [ -d "$d" ]; then
			find "$d" -type f ! -name '*~' ! -name '*.o' ! -name '.*.swp'
		fi
	done) | sort
}

stage_tree() {
	local stage=$1 f p out
	overlay_files > "$stage.overlay"
	series > "$stage.series"
	while read -r p; do
		[ -f "$TOP/patches/$p" ] || die "patches/series names $p, which does not exist"
		patch_targets "$TOP/patches/$p"
	done < "$stage.series" | sort -u > "$stage.patched"
	# Files touched by patches start from pristine (or from ours).
	while read -r f; do
		if [ -f "$TOP/$f" ] && grep -qxF "$f" "$stage.overlay"; then continue; fi
		[ -f "$PRISTINE/$f" ] || continue
		mkdir -p "$stage/tree/$(dirname "$f")"
		cp -p "$PRISTINE/$f" "$stage/tree/$f"
	done < "$stage.patched"
	while read -r f; do
		mkdir -p "$stage/tree/$(dirname "$f")"
		cp -p "$TOP/$f" "$stage/tree/$f"
	done < "$stage.overlay"
	while read -r p; do
		if ! out=$(patch -d "$stage/tree" -p1 -F0 -N -t --no-backup-if-mismatch \
				-r - -i "$TOP/patches/$p" 2>&1); then
			echo "$out" >&2
			die "patch $p does not apply (fuzz 0): $(echo "$out" |
				awk '/^patching file/ {f=$3} /FAILED|No file to patch|Reversed/ {print f; exit}')"
		fi
	done < "$stage.series"
	sort -u "$stage.overlay" "$stage.patched" > "$stage.list"
}

sync_tree() {
	local stage=$1 f changed=0
	while read -r f; do
		[ -f "$stage/tree/$f" ] || continue
		if ! cmp -s "$stage/tree/$f" "$TREE/$f"; then
			mkdir -p "$TREE/$(dirname "$f")"
			cp "$stage/tree/$f" "$TREE/$f.lu-new" && mv "$TREE/$f.lu-new" "$TREE/$f"
			changed=$((changed + 1))
		fi
	done < "$stage.list"
	# Files we wrote last time but no longer provide go back to pristine.
	if [ -f "$BUILD/assembled.list" ]; then
		comm -23 "$BUILD/assembled.list" "$stage.list" | while read -r f; do
			rm -f "$TREE/$f"
			if [ -f "$PRISTINE/$f" ]; then cp "$PRISTINE/$f" "$TREE/$f"; fi
		done
	fi
	cp "$stage.list" "$BUILD/assembled.list"
	info "assembled build/linux ($changed file(s) updated)"
}

mkdir -p "$BUILD"
unpack_pristine
if [ ! -d "$TREE" ]; then
	# Hard links: cheap, and safe because this script only ever replaces
	# files in the assembled tree (write + rename), never edits them.
	info "linking pristine tree to build/linux"
	rm -rf "$BUILD/assembled.list" "$TREE.tmp"
	cp -al "$PRISTINE" "$TREE.tmp" && mv "$TREE.tmp" "$TREE"
fi
stage=$BUILD/assemble.tmp
rm -rf "$stage" "$stage".*
mkdir -p "$stage/tree"
stage_tree "$stage"
sync_tree "$stage"
rm -rf "$stage" "$stage".*
