#!/bin/sh
# SPDX-License-Identifier: MIT
# check-all.sh - what `make check` runs, in three parts, then one line
# "N passed, N failed" over all of them (the line CI reads):
#   1. tests/run.sh: unit and integration tests on the normal build
#   2. make check-sanitize: the same suite built with ASan and UBSan
#      (tests/sanitize.mk); its last line counts sanitizer reports as failures
#   3. make fuzz-smoke: every fuzzer for a few seconds (tests/fuzz/fuzz.mk)
# A part that fails without a failing test point counts as one failure.
set -u
MAKE=${MAKE:-make}
OUT=$(mktemp "${TMPDIR:-/tmp}/ttt-check.XXXXXX")
trap 'rm -f "$OUT"' EXIT
PASSED=0
FAILED=0

# part NAME COMMAND...: runs a part, shows its output, adds up its tally.
part() {
	name=$1
	shift
	echo "# === $name"
	"$@" 2>&1 | tee "$OUT"
	status=$(cat "$OUT.status" 2>/dev/null)
	line=$(grep -E '^[0-9]+ passed, [0-9]+ failed$' "$OUT" | tail -n 1)
	if [ -n "$line" ]; then
		pass=${line%% passed*}
		fail=${line##*, }
		fail=${fail%% failed}
	else
		pass=$(grep -c '^ok ' "$OUT")
		fail=$(grep -c '^not ok ' "$OUT")
	fi
	if [ "$status" -ne 0 ] && [ "$fail" -eq 0 ]; then
		echo "not ok - $name: exited with status $status without a failing test"
		fail=1
	fi
	PASSED=$((PASSED + pass))
	FAILED=$((FAILED + fail))
}

# record COMMAND...: runs it and records its exit status for part().
record() {
	"$@"
	echo $? >"$OUT.status"
}

part "unit and integration tests" record sh tests/run.sh
part "the same under AddressSanitizer and UndefinedBehaviorSanitizer" \
	record "$MAKE" --no-print-directory check-sanitize
part "fuzzers, a short run each" record "$MAKE" --no-print-directory fuzz-smoke
rm -f "$OUT.status"
echo "$PASSED passed, $FAILED failed"
[ "$FAILED" -eq 0 ] && [ "$PASSED" -gt 0 ]
