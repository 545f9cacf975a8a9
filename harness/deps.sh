#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Install the Debian packages the harness needs, once; skip those present.
# Then obtain the mainline peer kernel's source (harness/mainline.sh: Debian's
# linux-source-7.*, into build/mainline, without installing it).
set -euo pipefail

PKGS="linux-source-6.12 qemu-system-x86 kexec-tools busybox-static flex bison
bc libelf-dev libssl-dev cpio ccache device-tree-compiler xz-utils make gcc
libc6-dev perl python3 rsync ovmf"

missing=()
for p in $PKGS; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' ||
		missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
	SUDO=
	[ "$(id -u)" -eq 0 ] || SUDO=sudo
	echo "==> installing: ${missing[*]}" >&2
	export DEBIAN_FRONTEND=noninteractive
	$SUDO apt-get update -q >&2
	$SUDO apt-get install -y -q --no-install-recommends "${missing[@]}" >&2
fi
"$(dirname "$0")/mainline.sh"
