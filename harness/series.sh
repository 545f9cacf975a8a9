#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# series.sh: export this repository as a `git format-patch` series against
# the pristine 6.12 tree, in build/series/ (make series).
#
# series/export.map says which of our files and which hook patches of
# patches/series make up each commit, in review order.  In a git copy of
# the pristine tree (build/series-work/linux, kept between runs) every
# stanza becomes one commit; after each commit the tree is built twice,
# incrementally and with ccache: "on" (harness/x86_64-vm.config + the
# kselftest fragment + series/build-on.config) and "off" (the same + the
# kho-off leg: KHO not built in).  Then:
#   - git format-patch --cover-letter --base writes build/series/;
#   - scripts/checkpatch.pl --strict runs on every patch: an ERROR fails,
#     every WARNING and CHECK is listed in the cover letter with its
#     explanation from series/checkpatch.notes (none: fails);
#   - `git am` of the series onto a fresh checkout of the pristine commit
#     must give the same tree, and every file we add or patch must equal
#     build/linux (the assembled tree).
# LU_SERIES_BUILD=0 skips the kernel builds (for working on the mapping).
# Logs: build/logs/series.log (summary), build/logs/series-*.log.
set -euo pipefail
# shellcheck source=harness/lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=harness/series-lib.sh
. "$TOP/harness/series-lib.sh"

SW=$BUILD/series-work		# linux/ (git), obj-on/, obj-off/, map/, tmp/
SRC=$SW/linux
OUT=$BUILD/series
SUMMARY=$LOGS/series.log
IDENT_NAME="Live Update 6.12 maintainers"
IDENT_MAIL="maintainers@users.noreply.h-seed-be65203c.example"
SOB="Signed-off-by: $IDENT_NAME <$IDENT_MAIL>"
# Fixed dates make the commits, and so the base-commit, reproducible.
BASE_DATE="2026-01-01T00:00:00+00:00"
export GIT_AUTHOR_NAME=$IDENT_NAME GIT_AUTHOR_EMAIL=$IDENT_MAIL
export GIT_COMMITTER_NAME=$IDENT_NAME GIT_COMMITTER_EMAIL=$IDENT_MAIL
export GIT_AUTHOR_DATE=$BASE_DATE GIT_COMMITTER_DATE=$BASE_DATE
# Relative paths in ccache keys: the same sources hit in every checkout.
export CCACHE_BASEDIR=$SW
DO_BUILD=${LU_SERIES_BUILD:-1}
# Paths no kernel build reads: a commit that changes only these needs no
# build to stay bisectable.
NO_BUILD_INPUT='^(Documentation/|MAINTAINERS$|tools/testing/)'
NO_BUILD_DESC="Documentation/, MAINTAINERS and tools/testing/"
START=$(date +%s)

git_() { git -C "$SRC" -c core.autocrlf=false -c gc.auto=0 "$@"; }
say() { echo "$*" | tee -a "$SUMMARY"; }

# A git repository of the pristine tree with the base commit tagged
# "base"; reused while the pristine tarball stays the same.
prepare_base() {
	local want
	want="pristine $(grep '^sha256 ' "$PRISTINE_DIR/VERSION" | cut -d' ' -f2)"
	if [ -d "$SRC/.git" ] && [ "$(git_ tag -l --format='%(contents:body)' base 2>/dev/null |
			grep '^pristine ')" = "$want" ]; then
		git_ checkout -q -f --detach base
		git_ clean -q -f -d -x
		return 0
	fi
	info "making a git repository of the pristine tree (once)"
	rm -rf "$SW"
	mkdir -p "$SW"
	cp -a "$PRISTINE" "$SRC"
	git_ init -q
	git_ add -A -f .
	git_ commit -q -m "$(base_subject)" -m "$(cat "$PRISTINE_DIR/VERSION")"
	git_ tag -a base -m "base of the exported series" -m "$want"
	[ -z "$(git_ status --porcelain --ignored | head -1)" ] ||
		die "the base commit does not hold the whole pristine tree"
}

base_subject() {
	echo "Linux $(sed -n 's/^kernel //p' "$PRISTINE_DIR/VERSION") (Debian linux-source-6.12 $(sed -n 's/^package //p' "$PRISTINE_DIR/VERSION"))"
}

# put FILE CONTENT-FILE: write a file of the tree if its content changed,
# with the mode of our file.
put() {
	local f=$1 src=$2
	if [ -f "$SRC/$f" ] && cmp -s "$src" "$SRC/$f"; then return 0; fi
	mkdir -p "$SRC/$(dirname "$f")"
	cp "$src" "$SRC/$f.lu-new"
	chmod --reference="$TOP/$f" "$SRC/$f.lu-new"
	mv "$SRC/$f.lu-new" "$SRC/$f"
}

# commit_stanza K: files, hunks and hooks of stanza K as one commit.
commit_stanza() {
	local k=$1 s=$SW/map/$1 f p out msg
	local -a paths=()
	# Our files added here, and files whose hunks appear here.
	while IFS=$'\t' read -r f owner; do
		if [ "$owner" = "$k" ] || { [ "$((10#$owner))" -lt "$((10#$k))" ] &&
				grep -qxF "$f" "$SW/partial"; }; then
			map_stage_file "$SW/map" "$k" "$f" > "$SW/tmp/staged" ||
				die "cannot cut the hunks of $f for $(cat "$s/id")"
			put "$f" "$SW/tmp/staged"
			paths+=("$f")
		fi
	done < "$SW/assign"
	while read -r p; do
		if ! out=$(patch -d "$SRC" -p1 -F0 -N -t --no-backup-if-mismatch \
				-r - -i "$TOP/patches/$p" 2>&1); then
			echo "$out" >&2
			die "hook $p does not apply (fuzz 0) at $(cat "$s/id")"
		fi
		mapfile -t -O "${#paths[@]}" paths < <(map_patch_targets "$TOP/patches/$p")
	done < "$s/hooks"
	git_ add -A -f -- "${paths[@]}"
	git_ diff --cached --quiet && die "$(cat "$s/id") changes nothing"
	msg=$SW/tmp/msg
	{
		cat "$s/subject"
		echo
		cat "$s/body"
		echo
		echo "$SOB"
	} > "$msg"
	git_ commit -q -F "$msg"
}

# build_leg K LEG: configure and build the tree for stanza K; prints a
# short result, fails on a build error or an option that is not as asked.
build_leg() {
	local k=$1 leg=$2 obj=$SW/obj-$2 log line opt val sym
	local -a bad=() undef=() unavail=()
	local -a frags=("$TOP/harness/x86_64-vm.config" "$TOP/$SELFTESTS/config")
	if [ "$leg" = on ]; then
		frags+=("$TOP/series/build-on.config")
	else
		frags+=("$TOP/harness/legs/kho-off.config")
	fi
	local -a kmake=(make -C "$SRC" O="$obj" -j"$JOBS" CC="ccache gcc" HOSTCC="ccache gcc"
			KBUILD_BUILD_USER=lu KBUILD_BUILD_HOST=vm
			KBUILD_BUILD_TIMESTAMP="Thu Jan  1 00:00:00 UTC 2026")
	log=$LOGS/series-build-$k-$leg.log
	mkdir -p "$obj"
	{
		"${kmake[@]}" -s tinyconfig
		(cd "$SRC" && scripts/kconfig/merge_config.sh -m -O "$obj" "$obj/.config" "${frags[@]}")
		"${kmake[@]}" -s olddefconfig
	} > "$log" 2>&1 || { tail -5 "$log" >&2; return 1; }
	while read -r line; do
		opt=${line%%=*} val=${line#*=} sym=${opt#CONFIG_}
		if ! git_ grep -q -E "^[[:space:]]*(menu)?config[[:space:]]+$sym\$" -- '*Kconfig*'; then
			undef+=("$sym")
			continue
		fi
		if [ "$leg" = on ] && grep -qxF "$sym" "$SW/map/$k/unavailable"; then
			grep -q "^$opt=" "$obj/.config" &&
				bad+=("$opt is set although the map says it is unavailable here")
			unavail+=("$sym")
			continue
		fi
		if [ "$val" = n ]; then
			grep -q "^$opt=" "$obj/.config" && bad+=("$opt (want n)")
		else
			grep -qxF "$line" "$obj/.config" ||
				bad+=("$opt (want $val, got $(grep "^$opt=" "$obj/.config" | cut -d= -f2- || echo n))")
		fi
	done < <(requested_options "${frags[@]}")
	if [ ${#bad[@]} -gt 0 ]; then
		printf '  %s\n' "${bad[@]}" >&2
		return 1
	fi
	if ! "${kmake[@]}" bzImage >> "$log" 2>&1; then
		grep -E 'error|Error' "$log" | head -20 >&2
		return 1
	fi
	# Warnings in files the series touches fail the step.
	if grep -E 'warning:' "$log" | grep -F -f "$SW/touched" >&2; then
		return 1
	fi
	line=ok
	[ ${#unavail[@]} -eq 0 ] || line+="; not selectable yet: ${unavail[*]}"
	if [ ${#undef[@]} -gt 0 ]; then
		if [ "$leg" = on ]; then line+="; not defined yet: ${undef[*]}"
		else line+="; ${#undef[@]} option(s) not defined yet"; fi
	fi
	echo "$line"
}

# checkpatch_all: run checkpatch on every exported patch; writes
# $SW/tmp/checkpatch (one "NNNN<TAB>LEVEL:TYPE: message" line per
# finding) and fails if there is an ERROR.
checkpatch_all() {
	local p n errs=0 res
	: > "$SW/tmp/checkpatch"
	: > "$LOGS/series-checkpatch.log"
	for p in "$OUT"/[0-9][0-9][0-9][0-9]-*.patch; do
		n=$(basename "$p" | cut -c1-4)
		[ "$n" = 0000 ] && continue
		res=$(cd "$SRC" && perl scripts/checkpatch.pl --strict --show-types --no-tree \
			--root="$SRC" "$p" 2>&1) || true
		{ echo "==== $(basename "$p")"; echo "$res"; } >> "$LOGS/series-checkpatch.log"
		echo "$res" | sed -n 's/^\(ERROR\|WARNING\|CHECK\):\([A-Z_]*\): \(.*\)/\1\t\2\t\3/p' |
			while IFS=$'\t' read -r level type text; do
				printf '%s\t%s\t%s\t%s\n' "$n" "$level" "$type" "$text"
			done >> "$SW/tmp/checkpatch"
		say "  $(basename "$p"): $(echo "$res" | grep '^total:' | sed 's/^total: //; s/, [0-9]* lines checked//')"
	done
	errs=$(awk -F '\t' '$2 == "ERROR"' "$SW/tmp/checkpatch" | wc -l)
	[ "$errs" -eq 0 ]
}

# explain TYPE ID: the explanation of a checkpatch finding, from
# series/checkpatch.notes ("TYPE text" or "TYPE@id text"; the specific
# line wins).
explain() {
	local notes=$TOP/series/checkpatch.notes
	[ -f "$notes" ] || return 1
	awk -v t="$1" -v id="$2" '
		/^#/ || NF < 2 { next }
		$1 == t "@" id { sub(/^[^ \t]+[ \t]+/, ""); spec = $0 }
		$1 == t { sub(/^[^ \t]+[ \t]+/, ""); gen = $0 }
		END { if (spec != "") print spec; else if (gen != "") print gen; else exit 1 }' "$notes"
}

# am_check: git am onto a fresh checkout of the base reproduces the
# exported tree and the assembled tree.
am_check() {
	local wt=$SW/am f ndiff=0
	local -a pl
	git_ worktree remove --force "$wt" 2>/dev/null || rm -rf "$wt"
	git_ worktree prune
	git_ worktree add -q --detach "$wt" base
	mapfile -t pl < <(find "$OUT" -name '*.patch' ! -name '0000-*' | LC_ALL=C sort)
	(cd "$wt" && git -c gc.auto=0 am -q "${pl[@]}") ||
		die "git am of the series onto the base failed"
	[ "$(git -C "$wt" rev-parse 'HEAD^{tree}')" = "$(git_ rev-parse 'HEAD^{tree}')" ] ||
		die "git am gives a different tree than the exported commits"
	git_ diff --name-only base HEAD | LC_ALL=C sort > "$SW/tmp/changed"
	LC_ALL=C sort -u "$SW/touched" > "$SW/tmp/expected"
	if ! cmp -s "$SW/tmp/changed" "$SW/tmp/expected"; then
		diff "$SW/tmp/expected" "$SW/tmp/changed" >&2 || true
		die "the series changes other files than ours and the hooks' targets"
	fi
	while read -r f; do
		if ! cmp -s "$wt/$f" "$TREE/$f"; then
			echo "differs from build/linux: $f" >&2
			ndiff=$((ndiff + 1))
		fi
	done < "$SW/tmp/expected"
	[ $ndiff -eq 0 ] || die "git am of the series does not reproduce the assembled tree"
	git_ worktree remove --force "$wt"
	echo "$(wc -l < "$SW/tmp/expected") files identical to build/linux"
}

# cover_letter N: fill in the cover letter written by format-patch.
cover_letter() {
	local total=$1 w s i=0 cover
	w=$SW/tmp/cover
	mkdir -p "$w"
	{
		echo "$(base_subject): kernel.org $(sed -n 's/^kernel //p' "$PRISTINE_DIR/VERSION")"
		echo "with Debian's patches, as in /usr/src/linux-source-6.12.tar.xz"
		echo "(sha256 $(sed -n 's/^sha256 //p' "$PRISTINE_DIR/VERSION"))."
		echo "The base-commit below is that tree committed by \`make series\` with a"
		echo "fixed identity and date, so the same tarball always gives the same hash."
	} > "$w/BASE"
	for s in "$SW"/map/*/; do
		s=${s%/}
		i=$((i + 1))
		printf '  %2d/%d %s\n        %s\n' "$i" "$total" "$(cat "$s/subject")" "$(cat "$s/summary")"
	done > "$w/PATCHES"
	if [ -f "$TOP/series/results.txt" ]; then
		sed -e '/^#/d' "$TOP/series/results.txt"
	else
		echo "TODO: no measured results yet (series/results.txt)."
	fi > "$w/RESULTS"
	cp "$SW/tmp/builds" "$w/BUILDS"
	if [ -s "$SW/tmp/checkpatch-explained" ]; then
		cat "$SW/tmp/checkpatch-explained"
	else
		echo "checkpatch.pl --strict reports nothing on any patch."
	fi > "$w/CHECKPATCH"
	cover=$(find "$OUT" -name '0000-*.patch')
	awk -v w="$w" -v tmpl="$TOP/series/cover.txt" '
		function emit(name,    line, f) {
			f = w "/" name
			while ((getline line < f) > 0)
				print line
			close(f)
		}
		BEGIN {
			while ((getline line < tmpl) > 0) {
				if (line ~ /^#/)
					continue
				if (!subj && line ~ /^Subject: /) {
					subj = substr(line, 10)
					continue
				}
				if (n == 0 && line ~ /^[ \t]*$/)
					continue
				body[++n] = line
			}
			while (n > 0 && body[n] ~ /^[ \t]*$/)
				n--
		}
		/\*\*\* SUBJECT HERE \*\*\*/ { sub(/\*\*\* SUBJECT HERE \*\*\*/, subj); print; next }
		/^\*\*\* BLURB HERE \*\*\*$/ {
			for (i = 1; i <= n; i++) {
				if (body[i] ~ /^@[A-Z]+@$/)
					emit(substr(body[i], 2, length(body[i]) - 2))
				else
					print body[i]
			}
			next
		}
		{ print }' "$cover" > "$cover.new"
	mv "$cover.new" "$cover"
}

main() {
	local k s n total wt_out build_res line unexplained=0
	mkdir -p "$LOGS"
	: > "$SUMMARY"
	"$TOP/harness/deps.sh"
	"$TOP/harness/assemble.sh"
	bash "$TOP/harness/tests/series_map.sh" > "$SW.check" 2>&1 || {
		cat "$SW.check" >&2
		die "series/export.map does not match the repository (harness/tests/series_map.sh)"
	}
	rm -f "$SW.check"
	prepare_base
	mkdir -p "$SW/tmp"
	map_split "$SW/map"
	map_assign "$SW/map" > "$SW/assign"
	for s in "$SW"/map/*/; do
		while IFS= read -r line; do
			map_takes_parse "$line" && echo "$TAKE_FILE"
		done < "$s/takes"
	done | sort -u > "$SW/partial"
	# Files the series touches: ours and the hooks' targets.
	{
		cut -f1 "$SW/assign"
		while read -r p; do map_patch_targets "$TOP/patches/$p"; done < <(map_series_hooks)
	} | LC_ALL=C sort -u > "$SW/touched"

	git_ checkout -q -B series base
	total=$(find "$SW/map" -mindepth 1 -maxdepth 1 -type d | wc -l)
	: > "$SW/tmp/builds"
	n=0
	for s in "$SW"/map/*/; do
		s=${s%/}
		k=${s##*/}
		n=$((n + 1))
		commit_stanza "$k"
		say "[$n/$total] $(cat "$s/subject")"
		if [ "$DO_BUILD" != 1 ]; then
			continue
		elif ! git_ diff --name-only HEAD~1 HEAD | grep -qvE "$NO_BUILD_INPUT"; then
			say "      build: not needed, no build input changed (only $NO_BUILD_DESC)"
			echo "  $n/$total $(cat "$s/id"): not rebuilt, changes only $NO_BUILD_DESC" >> "$SW/tmp/builds"
			continue
		fi
		for leg in on off; do
			info "building $n/$total $(cat "$s/id") with the features $leg"
			if ! build_res=$(build_leg "$k" "$leg"); then
				say "      build $leg: FAILED (build/logs/series-build-$k-$leg.log)"
				die "patch $n/$total ($(cat "$s/id")) does not build with the features $leg"
			fi
			say "      build $leg: $build_res"
			echo "  $n/$total $(cat "$s/id"), features $leg: $build_res" >> "$SW/tmp/builds"
		done
	done
	if [ "$DO_BUILD" != 1 ]; then
		echo "  (not run: LU_SERIES_BUILD=0)" > "$SW/tmp/builds"
	fi

	rm -rf "$OUT"
	mkdir -p "$OUT"
	git_ format-patch -q --cover-letter --no-signature --base=base -o "$OUT" base..series
	say "checkpatch.pl --strict:"
	local cp_ok=1
	checkpatch_all || cp_ok=0
	# Every warning and check must be explained; findings with the same
	# text and explanation are listed once, with the patch numbers.
	while IFS=$'\t' read -r num level type text; do
		id=$(cat "$SW/map/$(printf '%02d' "$((10#$num))")/id")
		why=$(explain "$type" "$id") || why="NOT EXPLAINED"
		printf '%s\t%s\t%s\t%s\t%d\n' "$level" "$type" "$text" "$why" "$((10#$num))"
	done < <(awk -F '\t' '$2 != "ERROR"' "$SW/tmp/checkpatch") |
		awk -F '\t' '
		{
			key = $1 FS $2 FS $3 FS $4
			if (!(key in nums)) { order[++n] = key; nums[key] = $5 }
			else nums[key] = nums[key] ", " $5
		}
		END {
			for (i = 1; i <= n; i++) {
				split(order[i], f, FS)
				printf "  %s %s (patch %s):\n    %s\n    -> %s\n", f[1], f[2], nums[order[i]], f[3], f[4]
			}
		}' > "$SW/tmp/checkpatch-explained"
	cover_letter "$total"
	wt_out=$(am_check)
	say "git am onto a fresh pristine tree: same tree as the exported commits, $wt_out"
	say "series: build/series/ ($(find "$OUT" -name '*.patch' | wc -l) files) in $(( ($(date +%s) - START) / 60 ))m$(( ($(date +%s) - START) % 60 ))s"
	[ $cp_ok -eq 1 ] || die "checkpatch reports errors (build/logs/series-checkpatch.log)"
	unexplained=$(grep -c -- '-> NOT EXPLAINED$' "$SW/tmp/checkpatch-explained" || true)
	[ "$unexplained" -eq 0 ] || {
		grep -B2 'NOT EXPLAINED' "$SW/tmp/checkpatch-explained" >&2
		die "$unexplained checkpatch finding(s) without an explanation in series/checkpatch.notes"
	}
}

main "$@"
