# SPDX-License-Identifier: GPL-2.0
#
# Mainline's liveupdate selftests as VM tests.  harness/initramfs.sh builds
# them from the mainline peer's tree into /ml/NAME; these helpers run one
# the way mainline's Makefile and do_kexec.sh intend and turn its TAP lines
# and exit status into our results, so that the runner sees every case.
#
# A case that fails or is skipped on our kernel is a failure, unless
# /lu/mainline-differences.txt lists it ("PROGRAM CASE: reason"): then it
# is reported as ok with the reason.  A listed case that passes fails, so
# that the list stays true.  On the mainline kernel itself (the control
# tests) nothing is excused.  Sourced by the ml_* tests.

ML=/ml
ML_DIFFERENCES=/lu/mainline-differences.txt

# ml_difference PROGRAM CASE: print the reason if this case is a listed
# deliberate difference of our kernel.
ml_difference() {
	[ "$LU_LEG" != mainline ] || return 1
	awk -v k="$1 $2: " 'index($0, k) == 1 { print substr($0, length(k) + 1); f = 1; exit }
		END { exit !f }' "$ML_DIFFERENCES"
}

# ml_result PROGRAM CASE OK DETAIL: one result for a case of a mainline
# selftest (OK is 1 if it passed); DETAIL says what went wrong.
ml_result() {
	local why

	if why=$(ml_difference "$1" "$2"); then
		if [ "$3" = 1 ]; then
			lu_fail "mainline $1: $2 passes but is listed in mainline-differences.txt"
		else
			lu_ok "mainline $1: $2 (deliberate difference: $why; $4)"
		fi
	elif [ "$3" = 1 ]; then
		lu_ok "mainline $1: $2"
	else
		lu_fail "mainline $1: $2: $4"
	fi
}

# ml_run PROGRAM ARGS...: run a mainline selftest with its output in
# /tmp/PROGRAM.out, copied to the console as comments; set ML_RC.
ml_run() {
	local prog=$1 out=/tmp/$1.out

	shift
	if [ -x "$ML/$prog" ]; then
		"$ML/$prog" "$@" > "$out" 2>&1
		ML_RC=$?
	else
		echo "$ML/$prog missing (see the warning of harness/initramfs.sh)" > "$out"
		ML_RC=127
	fi
	sed 's/^/# ml: /' "$out"
}

# ml_selftest PROGRAM: a kselftest harness program (no kexec): one result
# per case ("ok N NAME", "ok N NAME # SKIP why", "not ok N NAME" with the
# failed checks printed before it), then one for the plan being complete
# and one for the exit status (1 if a case said "not ok", else 0).
ml_selftest() {
	local prog=$1 line name rest ok detail checks= plan= n=0 notok=0

	ml_run "$prog"
	while IFS= read -r line; do
		case "$line" in
		1..*) plan=${line#1..}; plan=${plan%% *} ;;
		"#  RUN "*) checks= ;;
		"# "*.c:[0-9]*:*) checks="${checks:+$checks; }${line#\# }" ;;
		"ok "[0-9]*|"not ok "[0-9]*)
			ok=1
			case "$line" in "not "*) ok=0 notok=$((notok + 1)); line=${line#not } ;; esac
			rest=${line#ok [0-9]* }
			name=${rest%% \#*}
			detail=${checks:-failed}
			case "$rest" in
			*" # SKIP"*|*" # XFAIL"*|*" # XPASS"*)
				ok=0 detail=${rest#"$name # "} ;;
			esac
			n=$((n + 1))
			ml_result "$prog" "$name" $ok "$detail"
			;;
		esac
	done < "/tmp/$prog.out"
	lu_expect_eq "mainline $prog: every planned case reported" "${plan:-no plan}" "$n"
	lu_expect_eq "mainline $prog: exit status" $((notok > 0 ? 1 : 0)) "$ML_RC"
}

# ml_kexec_stage PROGRAM: stage N of a mainline kexec selftest, run as
# "PROGRAM --stage N" (stage 1 forks a child that holds the sessions and
# exits).  Then stage 1 kexecs into stage 2 with kexec-tools, as
# do_kexec.sh does; stage 2 ends the test.  A skip (exit status 4) or a
# failure ("Bail out!" and exit status 1) is reported with its message.
ml_kexec_stage() {
	local prog=$1 msg ok=0

	ml_run "$prog" --stage "$LU_STAGE"
	msg=$(grep -m1 -E 'Bail out!|# SKIP' "/tmp/$prog.out")
	case $ML_RC in
	0) ok=1 ;;
	4) msg="skipped: $msg" ;;
	*) msg="exit status $ML_RC: ${msg:-$(tail -1 "/tmp/$prog.out")}" ;;
	esac
	ml_result "$prog" "stage$LU_STAGE" $ok "$msg"
	if [ "$LU_STAGE" = 1 ] && [ $LU_FAILED = 0 ]; then
		lu_kexec_next
	fi
	lu_done
}
