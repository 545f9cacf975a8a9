#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# mainline.sh: obtain the source of the mainline peer kernel, Debian's
# newest linux-source-7.* (unstable first, then experimental), into
# build/mainline/linux, and record what was taken in build/mainline/VERSION.
#
# The package comes from the Debian archive this machine already uses (the
# one serving its own release), through a sources list, package lists and
# cache of our own under build/mainline/apt/: what apt installs for
# anything else is not touched.  The first run downloads and unpacks; later
# runs use build/mainline as it is (remove it to take a newer peer).  The
# tarball is kept, so an unpacked tree that went missing is unpacked again
# without a download.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

APT=$MAINLINE_DIR/apt
# Unstable keeps only its newest kernel; experimental has the next one.
SUITES="unstable experimental"

# The archive URI and keyring of the configured Debian source that serves
# this machine's release (not the security archive), from one-line
# sources.list files and deb822 *.sources files.
debian_source() {
	local codename f files=()
	codename=$(. /etc/os-release && echo "${VERSION_CODENAME:-bookworm}")
	for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list \
		 /etc/apt/sources.list.d/*.sources; do
		[ -f "$f" ] && files+=("$f")
	done
	[ ${#files[@]} -gt 0 ] || return 0
	awk -v want="$codename" '
		function flush() {
			if (types ~ /(^| )deb( |$)/ && (" " suites " ") ~ (" " want " ") &&
			    enabled != "no" && !found) {
				split(uris, u, " "); print u[1], keys; found = 1
			}
			types = uris = suites = keys = enabled = ""
		}
		FILENAME ~ /\.sources$/ {
			if (FNR == 1 || $0 ~ /^[ \t]*$/) flush()
			if (sub(/^Types:[ \t]*/, "")) types = $0
			else if (sub(/^URIs:[ \t]*/, "")) uris = $0
			else if (sub(/^Suites:[ \t]*/, "")) suites = $0
			else if (sub(/^Signed-By:[ \t]*/, "")) keys = $0
			else if (sub(/^Enabled:[ \t]*/, "")) enabled = $0
			next
		}
		/^deb[ \t]/ && !found {
			flush(); opts = ""
			if (match($0, /\[[^]]*\]/)) {
				opts = substr($0, RSTART + 1, RLENGTH - 2)
				$0 = substr($0, 1, RSTART - 1) substr($0, RSTART + RLENGTH)
			}
			if ($3 == want) {
				k = ""
				if (match(opts, /signed-by=[^ ]*/)) k = substr(opts, RSTART + 10, RLENGTH - 10)
				print $2, k; found = 1
			}
		}
		END { flush() }
	' "${files[@]}"
}

apt_own() {
	"$1" -q -o Dir::Etc::SourceList="$APT/sources.list" \
		-o Dir::Etc::SourceParts=/dev/null -o Dir::State::Lists="$APT/lists" \
		-o Dir::State::Status="$APT/status" -o Dir::Cache="$APT/cache" -o APT::Sandbox::User="$(id -un)" \
		"${@:2}"
}

apt_update() {
	local src uri keys s
	src=$(debian_source) || die "cannot read the apt sources"
	[ -n "$src" ] || die "no Debian archive found in /etc/apt/sources.list{,.d}"
	read -r uri keys <<< "$src"
	mkdir -p "$APT/lists/partial" "$APT/cache/archives/partial"
	touch "$APT/status"
	for s in $SUITES; do
		echo "deb${keys:+ [signed-by=$keys]} $uri $s main"
	done > "$APT/sources.list"
	apt_own apt-get update >&2 || die "apt-get update of $SUITES failed"
}

# choose: "PACKAGE VERSION SUITE" of the newest linux-source-7.* of the
# first suite that has one.
choose() {
	local s best= bv= p v pkgs
	pkgs=$(apt_own apt-cache pkgnames linux-source-7. | sort)
	[ -n "$pkgs" ] || die "no linux-source-7.* in Debian $SUITES"
	for s in $SUITES; do
		while read -r p v; do
			if [ -z "$bv" ] || dpkg --compare-versions "$v" gt "$bv"; then
				best=$p bv=$v
			fi
		done < <(apt_own apt-cache madison $pkgs |
			 awk -F'|' -v s="$s" '$3 ~ (" " s "/") {gsub(/ /, "", $1); gsub(/ /, "", $2); print $1, $2}')
		if [ -n "$best" ]; then
			echo "$best $bv $s"
			return 0
		fi
	done
	die "no linux-source-7.* in Debian $SUITES"
}

# fetch PACKAGE VERSION: the kernel tarball of the package into build/mainline/.
fetch() {
	local dl=$MAINLINE_DIR/download
	rm -rf "$dl"
	mkdir -p "$dl"
	(cd "$dl" && apt_own apt-get download "$1=$2" >&2) || die "cannot download $1 $2"
	dpkg-deb --fsys-tarfile "$dl"/*.deb | tar -x -C "$dl" --wildcards './usr/src/linux-source-*.tar.xz' ||
		die "no kernel tarball in $1 $2"
	mv "$dl"/usr/src/linux-source-*.tar.xz "$MAINLINE_DIR/"
	rm -rf "$dl"
}

unpack() {
	local tarball
	tarball=$(ls "$MAINLINE_DIR"/linux-source-*.tar.xz 2>/dev/null | head -1)
	[ -n "$tarball" ] || return 1
	info "unpacking $(basename "$tarball")"
	rm -rf "$MAINLINE.tmp"
	mkdir -p "$MAINLINE.tmp"
	tar -xJf "$tarball" -C "$MAINLINE.tmp" --strip-components=1 ||
		die "cannot unpack $tarball"
	rm -rf "$MAINLINE"
	mv "$MAINLINE.tmp" "$MAINLINE"
}

# kernel_version: VERSION.PATCHLEVEL.SUBLEVEL(EXTRAVERSION) of the tree.
kernel_version() {
	awk -F' *= *' '/^VERSION *=/ {v=$2} /^PATCHLEVEL *=/ {p=$2}
		/^SUBLEVEL *=/ {s=$2} /^EXTRAVERSION *=/ {e=$2}
		/^NAME/ {exit} END {print v "." p "." s e}' "$MAINLINE/Makefile"
}

if [ ! -f "$MAINLINE_DIR/VERSION" ] || [ ! -f "$MAINLINE/Makefile" ]; then
	mkdir -p "$MAINLINE_DIR"
	if [ -f "$MAINLINE_DIR/VERSION" ] && unpack; then
		:
	else
		start=$(date +%s)
		rm -f "$MAINLINE_DIR/VERSION" "$MAINLINE_DIR"/linux-source-*.tar.xz
		apt_update
		sel=$(choose) || exit 1
		read -r pkg ver suite <<< "$sel"
		info "fetching $pkg $ver from Debian $suite"
		fetch "$pkg" "$ver"
		unpack || die "no tarball after fetching $pkg $ver"
		printf 'package=%s\nversion=%s\nsuite=%s\nkernel=%s\n' \
			"$pkg" "$ver" "$suite" "$(kernel_version)" > "$MAINLINE_DIR/VERSION"
		info "mainline fetched and unpacked in $(( $(date +%s) - start ))s"
	fi
fi
info "mainline peer: $(mainline_version)"
