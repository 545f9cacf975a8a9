#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# map_filter (harness/series-lib.sh) cuts the "takes:" hunks out of a file
# for the commits before the one that takes them.  Check each mode on a
# small C file: block (with the "if" of a one-statement body), func (with
# its comment), comment and range, the removal of blank lines left behind,
# and the errors for an ERE that matches no line or two lines.
# No kernel build; runs in a second.
set -euo pipefail
# shellcheck source=harness/lib.sh
. "$(dirname "$0")/../lib.sh"
# shellcheck source=harness/series-lib.sh
. "$TOP/harness/series-lib.sh"
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
fails=0

cat > "$T/in.c" <<'EOF'
/* a.c */
#include "a.h"

/*
 * DOC: cut
 * This comment goes.
 */

/**
 * gone() - a function that goes
 */
static int gone(void)
{
	return 1;
}

int kept(int err)
{
	err = setup();
	if (err)
		undo_extra();
	if (err) {
		undo();
		return err;
	}
	return extra();
}

#ifdef CONFIG_X
int x;
#endif
EOF

cat > "$T/want.c" <<'EOF'
/* a.c */
#include "a.h"

int kept(int err)
{
	err = setup();
	if (err) {
		undo();
		return err;
	}
	return extra();
}
EOF

# case NAME SPECS WANT: map_filter with SPECS must print WANT.
case_ok() {
	printf '%s' "$2" > "$T/specs"
	if ! map_filter "$T/in.c" "$T/specs" > "$T/got" 2> "$T/err"; then
		echo "FAIL $1: map_filter failed: $(cat "$T/err")"
		fails=$((fails + 1))
	elif ! diff -u "$3" "$T/got"; then
		echo "FAIL $1: wrong output"
		fails=$((fails + 1))
	fi
}

# case_err NAME SPECS MESSAGE: map_filter must fail with MESSAGE.
case_err() {
	printf '%s' "$2" > "$T/specs"
	if map_filter "$T/in.c" "$T/specs" > /dev/null 2> "$T/err"; then
		echo "FAIL $1: accepted"
		fails=$((fails + 1))
	elif ! grep -qF -- "$3" "$T/err"; then
		echo "FAIL $1: error \"$(cat "$T/err")\", expected \"$3\""
		fails=$((fails + 1))
	fi
}

case_ok "every mode" "$(printf '%s\t%s\n' \
	comment 'DOC: cut' \
	func '^static int gone\(' \
	block '^\t\tundo_extra\(\);$')
$(printf 'range\t%s\t%s' '^#ifdef CONFIG_X$' '^#endif$')
" "$T/want.c"

# Nothing taken: the file as it is.
case_ok "no hunks" "" "$T/in.c"

case_err "no match" "$(printf 'block\t%s' 'nothing_like_this')
" "matches 0 lines, not one"
case_err "two matches" "$(printf 'block\t%s' '^\tif \(err\)')
" "matches 2 lines, not one"
case_err "not a comment" "$(printf 'comment\t%s' '^#endif$')
" "is not inside a comment"
case_err "after a comment" "$(printf 'comment\t%s' '^static int gone\(')
" "is not inside a comment"
case_err "overlap" "$(printf '%s\t%s\n' func '^static int gone\(' block '^\treturn 1;$')
" "hunks overlap"

if [ $fails -ne 0 ]; then
	echo "series_filter: $fails case(s) failed"
	exit 1
fi
echo "series_filter: ok"
