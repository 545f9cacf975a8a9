#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The series mapping (series/export.map) covers every file of ours and
# every hook patch of patches/series exactly once, names only files and
# patches that exist, and its "takes:" hunks are found in their files.
# Also checks the checks: a mapping with a file missing, one mapped twice
# and one naming a file that does not exist must each be rejected.
# No kernel build; runs in a second.
set -euo pipefail
# shellcheck source=harness/lib.sh
. "$(dirname "$0")/../lib.sh"
# shellcheck source=harness/series-lib.sh
. "$TOP/harness/series-lib.sh"
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT

# check_map: print one line per problem of $MAP; status 1 if any.
check_map() {
	local m=$T/map s f pat hook id bad=0 line
	local -A owner hook_at ids
	map_split "$m" || return 1
	for s in "$m"/*/; do
		s=${s%/}
		id=$(cat "$s/id")
		[ -z "${ids[$id]:-}" ] || { echo "patch id $id used twice"; bad=1; }
		ids[$id]=1
		for f in subject summary; do
			[ -s "$s/$f" ] || { echo "$id: no $f:"; bad=1; }
		done
		[ -s "$s/body" ] || { echo "$id: no commit message body"; bad=1; }
		if grep -qi '^signed-off-by:' "$s/body"; then
			echo "$id: body has a Signed-off-by (it is added on export)"
			bad=1
		fi
		if [ ! -s "$s/files" ] && [ ! -s "$s/hooks" ]; then
			echo "$id: neither files: nor hooks:"
			bad=1
		fi
	done

	# Files: each of ours named by exactly one pattern, each pattern used.
	map_assign "$m" > "$T/assign"
	local cnt
	while read -r f; do
		cnt=$(awk -F '\t' -v f="$f" '$1 == f' "$T/assign" | wc -l)
		if [ "$cnt" -eq 0 ]; then
			echo "file of ours not in the mapping: $f"
			bad=1
		elif [ "$cnt" -gt 1 ]; then
			echo "file mapped $cnt times: $f ($(awk -F '\t' -v f="$f" '$1 == f {print $2}' "$T/assign" |
				while read -r x; do cat "$m/$x/id"; done | paste -sd,))"
			bad=1
		fi
		owner[$f]=$(awk -F '\t' -v f="$f" '$1 == f {print $2; exit}' "$T/assign")
	done < <(map_our_files)
	for s in "$m"/*/; do
		s=${s%/}
		while read -r pat; do
			local hit=0
			while read -r f; do
				if map_match "$pat" "$f"; then hit=1; break; fi
			done < <(map_our_files)
			[ $hit -eq 1 ] || { echo "$(cat "$s/id"): files: $pat names no file of ours"; bad=1; }
		done < "$s/files"
	done

	# Hooks: each patch of patches/series in exactly one stanza.
	for s in "$m"/*/; do
		s=${s%/}
		while read -r hook; do
			if [ -n "${hook_at[$hook]:-}" ]; then
				echo "hook patch mapped twice: $hook"
				bad=1
			fi
			hook_at[$hook]=${s##*/}
			if ! map_series_hooks | grep -qxF "$hook"; then
				echo "$(cat "$s/id"): hooks: $hook is not in patches/series"
				bad=1
			elif [ ! -f "$TOP/patches/$hook" ]; then
				echo "$(cat "$s/id"): hooks: patches/$hook does not exist"
				bad=1
			fi
		done < "$s/hooks"
	done
	while read -r hook; do
		[ -n "${hook_at[$hook]:-}" ] || { echo "hook patch not in the mapping: $hook"; bad=1; }
	done < <(map_series_hooks)

	# takes: a file an earlier stanza adds, hunks found exactly once.
	for s in "$m"/*/; do
		s=${s%/}
		while IFS= read -r line; do
			if ! map_takes_parse "$line"; then
				echo "$(cat "$s/id"): takes: cannot parse \"$line\""
				bad=1
				continue
			fi
			if [ -z "${owner[$TAKE_FILE]:-}" ]; then
				echo "$(cat "$s/id"): takes: $TAKE_FILE is not a mapped file of ours"
				bad=1
			elif [ "$((10#${owner[$TAKE_FILE]}))" -ge "$((10#${s##*/}))" ]; then
				echo "$(cat "$s/id"): takes: $TAKE_FILE is added by this or a later patch"
				bad=1
			fi
		done < "$s/takes"
	done
	# Every file with hunks taken must filter cleanly at every stanza.
	local k
	for s in "$m"/*/; do
		k=${s%/}
		k=${k##*/}
		while IFS= read -r line; do
			map_takes_parse "$line" || continue
			echo "$TAKE_FILE"
		done < "$s/takes"
	done | sort -u > "$T/partial"
	while read -r f; do
		[ -n "${owner[$f]:-}" ] || continue
		for s in "$m"/*/; do
			k=${s%/}
			k=${k##*/}
			[ "$((10#$k))" -ge "$((10#${owner[$f]}))" ] || continue
			map_stage_file "$m" "$k" "$f" > /dev/null 2> "$T/err" ||
				{ echo "at $(cat "$m/$k/id"): $(cat "$T/err")"; bad=1; }
		done
	done < "$T/partial"
	return $bad
}

fail() { echo "series_map: $*"; exit 1; }

if ! out=$(check_map 2>&1); then
	echo "$out"
	fail "series/export.map does not match the repository"
fi

# The checks themselves: break a copy of the mapping three ways.
real=$MAP
# sed, not head: head would exit early and map_our_files die of SIGPIPE,
# which pipefail turns into a silent exit of this script.
first=$(map_our_files | sed -n 1p)
MAP=$T/missing.map
grep -vxF $'\t'"$first" "$real" | grep -vxF "files: $first" > "$MAP" || true
if cmp -s "$MAP" "$real"; then fail "cannot drop $first from a copy of the mapping"; fi
out=$(check_map 2>&1) && fail "a file missing from the mapping was not noticed"
echo "$out" | grep -q "not in the mapping: $first" || fail "missing file not named: $out"

MAP=$T/twice.map
{ cat "$real"; printf '\npatch: dup\nsubject: x: y\nsummary: z\nfiles: %s\n\nbody\n' "$first"; } > "$MAP"
out=$(check_map 2>&1) && fail "a file mapped twice was not noticed"
echo "$out" | grep -q "mapped 2 times: $first" || fail "file mapped twice not named: $out"

MAP=$T/ghost.map
{ cat "$real"; printf '\npatch: ghost\nsubject: x: y\nsummary: z\nfiles: kernel/no_such_file.c\n\nbody\n'; } > "$MAP"
out=$(check_map 2>&1) && fail "a mapped file that does not exist was not noticed"
echo "$out" | grep -q "kernel/no_such_file.c names no file" || fail "ghost file not named: $out"

echo "ok"
