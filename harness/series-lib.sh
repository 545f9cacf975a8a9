# shellcheck shell=bash
# SPDX-License-Identifier: GPL-2.0
# Reading series/export.map, the mapping from our files and hook patches
# to the exported patch series.  Sourced (after lib.sh) by series.sh and
# by the host test series_map.sh; see series/export.map for the format.

MAP=${MAP:-$TOP/series/export.map}

# map_split DIR: one directory per stanza, DIR/01, DIR/02, ..., holding
# the files id, subject, summary, files, hooks, takes, unavailable (one
# item per line) and body (verbatim, blank lines trimmed at both ends).
# Fails, naming the line, on anything it does not understand.
map_split() {
	local dir=$1
	rm -rf "$dir"
	mkdir -p "$dir"
	awk -v out="$dir" -v map="${MAP#"$TOP"/}" '
	function fail(msg) {
		printf "%s:%d: %s\n", map, NR, msg > "/dev/stderr"
		bad = 1
		exit 1
	}
	function put(key, val,    n, i, w) {
		if (key == "subject" || key == "summary") {
			if (val == "")
				fail("empty " key ":")
			print val > (d "/" key)
			return
		}
		if (key == "takes") {
			if (val != "")
				print val >> (d "/" key)
			return
		}
		n = split(val, w, /[ \t]+/)
		for (i = 1; i <= n; i++)
			if (w[i] != "")
				print w[i] >> (d "/" key)
	}
	/^patch:/ {
		n++
		d = sprintf("%s/%02d", out, n)
		system("mkdir -p \"" d "\"")
		id = $0
		sub(/^patch:[ \t]*/, "", id)
		if (id !~ /^[a-z0-9][a-z0-9-]*$/)
			fail("patch id must be lower case letters, digits and dashes")
		print id > (d "/id")
		printf "" > (d "/body")
		inbody = 0
		key = ""
		next
	}
	n == 0 {
		if ($0 ~ /^#/ || $0 ~ /^[ \t]*$/)
			next
		fail("expected \"patch: ID\"")
	}
	inbody {
		print >> (d "/body")
		next
	}
	/^#/ { next }
	/^[ \t]*$/ { inbody = 1; next }
	/^[ \t]/ {
		if (key == "" || key == "subject" || key == "summary")
			fail("continuation line without a list field")
		val = $0
		sub(/^[ \t]+/, "", val)
		put(key, val)
		next
	}
	/^(subject|summary|files|hooks|takes|unavailable):/ {
		key = $0
		sub(/:.*/, "", key)
		val = $0
		sub(/^[a-z]+:[ \t]*/, "", val)
		sub(/[ \t]+$/, "", val)
		put(key, val)
		next
	}
	{ fail("unknown field (subject, summary, files, hooks, takes, unavailable)") }
	END {
		if (bad)
			exit 1
		if (n == 0) {
			printf "%s: no stanza\n", map > "/dev/stderr"
			exit 1
		}
	}' "$MAP" || return 1
	local s
	for s in "$dir"/*/; do
		s=${s%/}
		# Trim blank lines at both ends of the body.
		awk 'NF { for (; blank > 0; blank--) print ""; print; seen = 1; next }
		     seen { blank++ }' "$s/body" > "$s/body.tmp" && mv "$s/body.tmp" "$s/body"
		touch "$s/files" "$s/hooks" "$s/takes" "$s/unavailable"
	done
}

# Our files: everything under the overlay directories, as assemble.sh
# copies them.
map_our_files() {
	(cd "$TOP" && for d in $OVERLAY_DIRS; do
		if [ -d "$d" ]; then
			find "$d" -type f ! -name '*~' ! -name '*.o' ! -name '.*.swp'
		fi
	done) | LC_ALL=C sort
}

# The hook patches of patches/series, in order.
map_series_hooks() {
	[ -f "$TOP/patches/series" ] || return 0
	sed -e 's/#.*//' -e '/^[[:space:]]*$/d' -e 's/[[:space:]]*$//' "$TOP/patches/series"
}

# map_match PATTERN FILE: does a files: pattern name FILE?  A pattern is
# a path, or a shell glob in which "*" also matches "/".
map_match() {
	# shellcheck disable=SC2053  # glob match on purpose
	[[ $2 == $1 ]]
}

# map_assign DIR: print "FILE<TAB>STANZA" for each of our files, one line
# per files: pattern that names it (so a file named twice appears twice).
map_assign() {
	local dir=$1 s pat f
	local -a ours
	mapfile -t ours < <(map_our_files)
	for s in "$dir"/*/; do
		s=${s%/}
		while read -r pat; do
			for f in "${ours[@]}"; do
				if map_match "$pat" "$f"; then
					printf '%s\t%s\n' "$f" "${s##*/}"
				fi
			done
		done < "$s/files"
	done
}

# map_takes_parse LINE: split a takes: value "FILE MODE /ERE/" (MODE is
# block, func or comment) or "FILE range /ERE1/ /ERE2/" into TAKE_FILE,
# TAKE_MODE, TAKE_RE1, TAKE_RE2.
map_takes_parse() {
	local rest
	TAKE_FILE=${1%%[[:space:]]*}
	rest=${1#"$TAKE_FILE"}
	rest=${rest#"${rest%%[![:space:]]*}"}
	TAKE_MODE=${rest%%[[:space:]]*}
	rest=${rest#"$TAKE_MODE"}
	rest=${rest#"${rest%%[![:space:]]*}"}
	TAKE_RE1='' TAKE_RE2=''
	case $TAKE_MODE in
	block | func | comment)
		[[ $rest =~ ^/([^/]+)/$ ]] || return 1
		TAKE_RE1=${BASH_REMATCH[1]}
		;;
	range)
		[[ $rest =~ ^/([^/]+)/[[:space:]]+/([^/]+)/$ ]] || return 1
		TAKE_RE1=${BASH_REMATCH[1]} TAKE_RE2=${BASH_REMATCH[2]}
		;;
	*)
		return 1
		;;
	esac
}

# map_filter FILE SPECS: print FILE without the hunks described in SPECS,
# one "MODE<TAB>ERE" or "range<TAB>ERE1<TAB>ERE2" per line.
#
# block:   the one line matching ERE and the lines after it that are more
#          indented than it or blank, except blank lines at its end (a
#          Kconfig "config" entry, a Makefile line, a C statement); a C
#          statement that is the whole body of an "if (...)" without
#          braces and without "else" goes together with its "if" line;
# func:    a C definition: the one line matching ERE through the next line
#          that starts with "}" (or only that line if it ends with ";"),
#          with the comment right before it (a function, a struct);
# comment: the C comment that contains the one line matching ERE;
# range:   the one line matching ERE1 through the first line from there on
#          that matches ERE2 (an #ifdef block).
# Where a removed hunk leaves two blank lines in a row, or a blank line at
# the end of the file, it goes.  Fails
# if an ERE does not match exactly one line, or a range does not end.
map_filter() {
	awk -F '\t' -v specs="$2" -v file="$1" '
	function indent(s,    i, c, col) {
		col = 0
		for (i = 1; i <= length(s); i++) {
			c = substr(s, i, 1)
			if (c == "\t")
				col = col - col % 8 + 8
			else if (c == " ")
				col++
			else
				return col
		}
		return -1	# blank
	}
	function fail(msg) {
		printf "%s: %s\n", file, msg > "/dev/stderr"
		bad = 1
		exit 1
	}
	BEGIN {
		ns = 0
		while ((getline line < specs) > 0) {
			ns++
			nf = split(line, f, "\t")
			mode[ns] = f[1]; re1[ns] = f[2]; re2[ns] = (nf > 2 ? f[3] : "")
		}
		close(specs)
	}
	{ l[NR] = $0 }
	END {
		if (bad)
			exit 1
		for (s = 1; s <= ns; s++) {
			hit = 0
			for (i = 1; i <= NR; i++)
				if (l[i] ~ re1[s]) {
					hit++
					at = i
				}
			if (hit != 1)
				fail("/" re1[s] "/ matches " hit " lines, not one")
			end = at
			if (mode[s] == "block") {
				ind = indent(l[at])
				for (i = at + 1; i <= NR; i++) {
					c = indent(l[i])
					if (c >= 0 && c <= ind)
						break
					if (c >= 0)
						end = i
				}
				c = at > 1 ? indent(l[at - 1]) : -1
				if (c >= 0 && c < ind && l[at - 1] ~ /^[ \t]*(} else )?(else )?if \(.*\)$/ &&
				    l[at - 1] !~ /^[ \t]*(} )?else/ && l[end + 1] !~ /^[ \t]*else/)
					at--
			} else if (mode[s] == "func") {
				if (l[at] !~ /;[ \t]*$/) {
					for (end = at + 1; end <= NR && l[end] !~ /^}/; end++)
						;
					if (end > NR)
						fail("no closing \"}\" after /" re1[s] "/")
				}
				if (at > 1 && l[at - 1] ~ /\*\/[ \t]*$/) {
					for (at--; at > 1 && l[at] !~ /^[ \t]*\/\*/; at--)
						;
					if (l[at] !~ /^[ \t]*\/\*/)
						fail("no start of the comment before /" re1[s] "/")
				}
			} else if (mode[s] == "comment") {
				for (; at >= 1 && l[at] !~ /^[ \t]*\/\*/; at--)
					if (at < end && l[at] ~ /\*\//)
						at = 0
				for (; at >= 1 && end <= NR && l[end] !~ /\*\/[ \t]*$/; end++)
					if (end > at && l[end] ~ /\/\*/)
						end = NR + 1
				if (at < 1 || end > NR)
					fail("/" re1[s] "/ is not inside a comment")
			} else {
				for (end = at; end <= NR && l[end] !~ re2[s]; end++)
					;
				if (end > NR)
					fail("no line matching /" re2[s] "/ after /" re1[s] "/")
			}
			for (i = at; i <= end; i++) {
				if (del[i])
					fail("hunks overlap at line " i)
				del[i] = 1
			}
		}
		last = ""	# last printed line; "" before the first
		started = 0
		gap = 0
		for (i = 1; i <= NR; i++) {
			if (del[i]) {
				gap = 1
				continue
			}
			if (gap && l[i] ~ /^[ \t]*$/ && (!started || last ~ /^[ \t]*$/)) {
				gap = 0
				continue
			}
			gap = 0
			out[++nout] = l[i]
			last = l[i]
			started = 1
		}
		# A hunk removed at the end leaves no blank line behind.
		while (nout > 0 && out[nout] ~ /^[ \t]*$/ && l[NR] !~ /^[ \t]*$/)
			nout--
		for (i = 1; i <= nout; i++)
			print out[i]
	}' "$1"
}

# map_stage_file DIR STANZA FILE: print FILE as it is after stanza STANZA
# (its final content without the hunks that later stanzas take).
map_stage_file() {
	local dir=$1 k=$2 f=$3 s line specs='' tmp rc
	for s in "$dir"/*/; do
		s=${s%/}
		[ "$((10#${s##*/}))" -gt "$((10#$k))" ] || continue
		while IFS= read -r line; do
			map_takes_parse "$line" || return 1
			[ "$TAKE_FILE" = "$f" ] || continue
			if [ "$TAKE_MODE" != range ]; then
				specs+=$(printf '%s\t%s' "$TAKE_MODE" "$TAKE_RE1")$'\n'
			else
				specs+=$(printf 'range\t%s\t%s' "$TAKE_RE1" "$TAKE_RE2")$'\n'
			fi
		done < "$s/takes"
	done
	tmp=$(mktemp)
	printf '%s' "$specs" > "$tmp"
	map_filter "$TOP/$f" "$tmp"
	rc=$?
	rm -f "$tmp"
	return $rc
}

# Files a patch touches (paths relative to the tree root).
map_patch_targets() {
	sed -n -e 's|^+++ b/\([^[:space:]]*\).*|\1|p' -e 's|^--- a/\([^[:space:]]*\).*|\1|p' "$1" | sort -u
}
