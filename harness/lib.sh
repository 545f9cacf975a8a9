# SPDX-License-Identifier: GPL-2.0
# Shared settings for the build and test harness. Sourced, not executed.

TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BUILD=${BUILD:-$TOP/build}
PRISTINE_DIR=${PRISTINE_DIR:-$BUILD/pristine}
PRISTINE=$PRISTINE_DIR/linux
TREE=$BUILD/linux
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
