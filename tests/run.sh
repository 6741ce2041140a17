#!/bin/sh
# SPDX-License-Identifier: MIT
# run.sh [unit|integration] - runs the unit test programs (cmocka, TAP
# output) and the integration scripts (TAP), prints every test point, and
# ends with "N passed, N failed". A program that crashes, times out, or
# reports fewer points than it planned counts as a failure; nothing is ever
# skipped and counted as a pass.
set -u

ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${BUILD:-build}
case $BUILD in /*) ;; *) BUILD=$ROOT/$BUILD ;; esac
export BUILD
export TTT_VECTORS="${TTT_VECTORS:-$ROOT/tests/vectors}"
export CMOCKA_MESSAGE_OUTPUT=TAP
WHAT=${1:-all}
PASSED=0
FAILED=0
OUT=$(mktemp "${TMPDIR:-/tmp}/ttt-run.XXXXXX")
trap 'rm -f "$OUT"' EXIT

# suite NAME SECONDS COMMAND...: runs one program and tallies its TAP.
suite() {
	name=$1 limit=$2
	shift 2
	echo "# $name"
	timeout --kill-after=10 "$limit" "$@" >"$OUT" 2>&1
	status=$?
	sed -n -e "s#^\(not ok\|ok\) [0-9]* *-\{0,1\} *#\1 - $name: #p" -e '/^# /p' "$OUT"
	# A skipped test is not a pass: count "ok ... # SKIP" as a failure.
	pass=$(grep '^ok ' "$OUT" | grep -vci '# *skip')
	fail=$(( $(grep -c '^not ok ' "$OUT") + $(grep '^ok ' "$OUT" | grep -ci '# *skip') ))
	plan=$(sed -n 's/^1\.\.\([0-9]*\).*/\1/p' "$OUT" | tail -n 1)
	PASSED=$((PASSED + pass))
	FAILED=$((FAILED + fail))
	if [ "$status" -ne 0 ] && [ "$fail" -eq 0 ]; then
		echo "not ok - $name: exited with status $status without a failing test"
		tail -n 20 "$OUT" | sed 's/^/#   /'
		FAILED=$((FAILED + 1))
	elif [ -z "$plan" ] || [ "$plan" -ne $((pass + fail)) ]; then
		echo "not ok - $name: planned ${plan:-no} tests, ran $((pass + fail))"
		FAILED=$((FAILED + 1))
	fi
}

if [ "$WHAT" = all ] || [ "$WHAT" = unit ]; then
	for t in "$BUILD"/tests/test_*; do
		[ -x "$t" ] || continue
		suite "unit/$(basename "$t")" 120 "$t"
	done
fi
if [ "$WHAT" = all ] || [ "$WHAT" = integration ]; then
	# Under the reaper: the test's orphans (detached workers) are reaped, and
	# any still alive when the test ends are reported as leaks.
	for t in "$ROOT"/tests/integration/test_*.sh; do
		suite "integration/$(basename "$t" .sh)" 300 "$BUILD/tests/reaper" bash "$t"
	done
fi

echo "$PASSED passed, $FAILED failed"
[ "$FAILED" -eq 0 ] && [ "$PASSED" -gt 0 ]
