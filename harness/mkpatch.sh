#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# mkpatch.sh OUT.patch "subsystem: subject" BODY-FILE OLD-DIR NEW-DIR
#
# Write a mail-style patch (the form `git am` and quilt both take): From,
# Subject, body, then the unified diff of OLD-DIR against NEW-DIR with
# a/ and b/ prefixes.  Developer tool; not used by the build.
set -euo pipefail
out=$1 subject=$2 body=$3 old=$4 new=$5
{
	echo "From: Live Update 6.12 maintainers <maintainers@users.noreply.h-seed-be65203c.example>"
	echo "Subject: [PATCH] $subject"
	echo
	cat "$body"
	echo "---"
	tmp=$(mktemp -d)
	trap 'rm -rf "$tmp"' EXIT
	cp -r "$old" "$tmp/a"
	cp -r "$new" "$tmp/b"
	(cd "$tmp" && diff -Nru a b | sed -e 's/^\(--- [^\t]*\)\t.*/\1/' -e 's/^\(+++ [^\t]*\)\t.*/\1/' | grep -v '^diff -Nru') || true
} > "$out"
grep -q '^+++ b/' "$out" || { echo "mkpatch: empty diff" >&2; exit 1; }
