# SPDX-License-Identifier: GPL-2.0
# Shared settings for the build and test harness. Sourced, not executed.

TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BUILD=${BUILD:-$TOP/build}
PRISTINE_DIR=${PRISTINE_DIR:-$BUILD/pristine}
PRISTINE=$PRISTINE_DIR/linux
TREE=$BUILD/linux
# The mainline peer kernel (harness/mainline.sh): its pristine tree and
# build/mainline/VERSION, what was taken.
MAINLINE_DIR=$BUILD/mainline
MAINLINE=$MAINLINE_DIR/linux
LOGS=$BUILD/logs
TARBALL=${TARBALL:-/usr/src/linux-source-6.12.tar.xz}
SELFTESTS=tools/testing/selftests/liveupdate
# Top-level directories of ours that mirror kernel paths.
OVERLAY_DIRS="Documentation include kernel mm lib tools arch"
JOBS=${JOBS:-$(( $(nproc) + 1 ))}

die()  { echo "error: $*" >&2; exit 1; }
info() { echo "==> $*" >&2; }

# requested_options FRAGMENT...: "CONFIG_X=value" or "CONFIG_X=n" for each
# option the config fragments ask for, in order, the last fragment winning
# (as merge_config.sh does).
requested_options() {
	sed -n -e 's/^\(CONFIG_[A-Za-z0-9_]*\)=\(.*\)/\1=\2/p' \
	       -e 's/^# \(CONFIG_[A-Za-z0-9_]*\) is not set/\1=n/p' "$@" |
		awk -F= '{v[$1]=$0; if (!($1 in o)) o[$1]=n++} END {for (k in o) print o[k], v[k]}' |
		sort -n | cut -d' ' -f2-
}

# obj_dir LEG / image LEG: where a kernel leg is built and where its image goes.
obj_dir() { echo "$BUILD/obj-${1:-default}"; }
image() {
	if [ "${1:-default}" = default ]; then echo "$BUILD/bzImage"
	else echo "$BUILD/bzImage-$1"; fi
}

# test_header KEY FILE: the value of the header line "# KEY: VALUE" of a
# test script.
test_header() { sed -n "s/^# $1: *//p" "$2" | head -1; }

# test_kernels FILE: the kernel legs of a VM test's stages, in order (stage
# N boots the N-th, later stages the last): $LU_KERNELS if set (to try a
# test on other kernels), else the "# lu-kernels:" header, else
# "# lu-kernel:", else default.
test_kernels() {
	local k=${LU_KERNELS:-}
	[ -n "$k" ] || k=$(test_header lu-kernels "$1")
	[ -n "$k" ] || k=$(test_header lu-kernel "$1")
	echo ${k:-default}
}

# initramfs_dir LEG...: where the initramfs for a test booting these kernel
# legs goes; one per set of legs, e.g. build/initramfs-default+mainline.
initramfs_dir() {
	echo "$BUILD/initramfs-$(printf '%s\n' "$@" | sort -u | paste -sd+)"
}

# mainline_version: the mainline peer as recorded in build/mainline/VERSION,
# e.g. "linux-source-7.2 7.2.13-1 (kernel 7.2.13) from unstable".
mainline_version() {
	local f=$MAINLINE_DIR/VERSION
	[ -f "$f" ] || { echo "unknown (no build/mainline/VERSION)"; return 0; }
	awk -F= '{v[$1] = $2} END {
		printf "%s %s (kernel %s) from %s\n", v["package"], v["version"], v["kernel"], v["suite"] }' "$f"
}
