#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# build.sh [LEG]: configure and build one kernel leg out of tree with ccache.
#
# Config = tinyconfig + harness/x86_64-vm.config + the kselftest fragment
# + harness/legs/LEG.config (if LEG is not "default"), merged with
# merge_config.sh.  Every requested option is verified after olddefconfig.
# The image of the default leg is build/bzImage; others build/bzImage-LEG.
#
# The "mainline" leg is the mainline peer kernel: the tree of
# harness/mainline.sh (build/mainline/linux) instead of ours, and the
# kselftest fragment of that tree instead of ours.
#
# A leg fragment with the line "# lu-shared: yes" is complete: it is merged
# on harness/x86_64-vm.config alone, and "mainline-LEG" builds the mainline
# peer with the very same fragments (the bench legs); options that only we
# have are named on a "# lu-ours-only: CONFIG_X..." line, and the mainline
# peer's olddefconfig drops them.  "# lu-base: LEG"
# merges harness/legs/LEG.config (and what it implies) first.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

LEG=${1:-default}
OBJ=$(obj_dir "$LEG")
SRC=$TREE
FRAGS=("$TOP/harness/x86_64-vm.config" "$TOP/$SELFTESTS/config")
# What else decides the configuration, so that a change re-runs it: our
# patches and Kconfig files (for mainline: the version taken).
CONF_DEPS=("$TOP"/patches/* $(cd "$TOP" && find $OVERLAY_DIRS -name 'Kconfig*' -printf "$TOP/%p\n" 2>/dev/null || true))
TARGETS=(bzImage headers_install)
FRAG=$LEG
case "$LEG" in
mainline|mainline-*)
	"$TOP/harness/mainline.sh" || die "cannot obtain the mainline peer"
	SRC=$MAINLINE
	FRAGS=("$TOP/harness/x86_64-vm.config" "$MAINLINE/$SELFTESTS/config")
	CONF_DEPS=("$MAINLINE_DIR/VERSION")
	# The test programs use our uapi headers, on every kernel.
	TARGETS=(bzImage)
	[ "$LEG" = mainline ] || FRAG=${LEG#mainline-}
	;;
esac
# leg_frags LEG: the fragment of LEG, after that of its "# lu-base:".
leg_frags() {
	local f=$TOP/harness/legs/$1.config base
	[ -f "$f" ] || die "no such kernel leg: $LEG"
	base=$(test_header lu-base "$f")
	[ -z "$base" ] || leg_frags "$base"
	echo "$f"
}
if [ "$LEG" != default ]; then
	LEGFRAGS=($(leg_frags "$FRAG"))
	if grep -qx '# lu-shared: yes' "${LEGFRAGS[0]}"; then
		FRAGS=("$TOP/harness/x86_64-vm.config")
	elif [ "$FRAG" != "$LEG" ] && [ "$LEG" != mainline ]; then
		die "kernel leg $LEG: ${LEGFRAGS[0]} is not shared with mainline (# lu-shared: yes)"
	fi
	FRAGS+=("${LEGFRAGS[@]}")
fi
# Paths below the checkout are hashed relative to it, so that clones in
# other directories share ccache entries.
export CCACHE_BASEDIR=$TOP
KMAKE=(make -C "$SRC" O="$OBJ" -j"$JOBS" CC="ccache gcc" HOSTCC="ccache gcc"
       KBUILD_BUILD_USER=lu KBUILD_BUILD_HOST=vm
       KBUILD_BUILD_TIMESTAMP="Thu Jan  1 00:00:00 UTC 2026")

# ours_only: the options that "# lu-ours-only: CONFIG_X..." lines of the
# fragments name, which only our tree has; a mainline leg does not get them.
ours_only() {
	sed -n 's/^# lu-ours-only: *//p' "${FRAGS[@]}" | tr ' ' '\n'
}

verify_config() {
	local line opt val bad=() skip=()
	case "$LEG" in mainline|mainline-*) skip=($(ours_only)) ;; esac
	while read -r line; do
		opt=${line%%=*} val=${line#*=}
		[[ " ${skip[*]} " == *" $opt "* ]] && continue
		if [ "$val" = n ]; then
			grep -q "^$opt=" "$OBJ/.config" && bad+=("$opt (want n)")
		else
			grep -qxF "$line" "$OBJ/.config" || bad+=("$opt (want $val, got $(grep "^$opt=" "$OBJ/.config" | cut -d= -f2- || true))")
		fi
	done < <(requested_options "${FRAGS[@]}")
	if [ ${#bad[@]} -gt 0 ]; then
		printf '  %s\n' "${bad[@]}" >&2
		die "kernel leg $LEG: ${#bad[@]} requested option(s) not set after olddefconfig"
	fi
}

configure() {
	local hash
	hash=$(cat "${FRAGS[@]}" "${CONF_DEPS[@]}" | sha256sum | cut -d' ' -f1)
	if [ -f "$OBJ/.config" ] && [ "$(cat "$OBJ/.lu-config-hash" 2>/dev/null)" = "$hash" ]; then
		return 0
	fi
	info "configuring kernel leg $LEG"
	mkdir -p "$OBJ"
	"${KMAKE[@]}" -s tinyconfig >/dev/null
	(cd "$SRC" && scripts/kconfig/merge_config.sh -m -O "$OBJ" "$OBJ/.config" "${FRAGS[@]}" >/dev/null)
	"${KMAKE[@]}" -s olddefconfig >/dev/null
	verify_config
	echo "$hash" > "$OBJ/.lu-config-hash"
}

mkdir -p "$LOGS"
configure
info "building kernel leg $LEG (log: build/logs/build-$LEG.log)"
if ! "${KMAKE[@]}" "${TARGETS[@]}" > "$LOGS/build-$LEG.log" 2>&1; then
	grep -E 'error|Error' "$LOGS/build-$LEG.log" | head -20 >&2
	tail -5 "$LOGS/build-$LEG.log" >&2
	die "kernel leg $LEG failed to build"
fi
grep -E 'warning:' "$LOGS/build-$LEG.log" >&2 || true
cp "$OBJ/arch/x86/boot/bzImage" "$(image "$LEG").tmp"
mv "$(image "$LEG").tmp" "$(image "$LEG")"
