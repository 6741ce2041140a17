#!/bin/bash
# SPDX-License-Identifier: MIT
# shellcheck disable=SC2317,SC2154 # helpers run through check; PID_w1 is set by start_bg
# test_valgrind.sh - one ttt-worker under valgrind's memcheck, against a
# normal worker, for a bounded time: pings both ways (also full MTU with DF)
# and TCP both ways through it, SIGUSR1, then SIGTERM. The worker must exit
# 0 (valgrind's --error-exitcode is 99), with no memcheck error and nothing
# definitely, indirectly or possibly lost.
#
# What memcheck cannot see: the key and the keyed MAC state live in
# sodium_malloc memory, which libsodium takes with mmap (a guard page on
# each side, mprotect, mlock, filled with 0xdb) rather than malloc. Memcheck
# sees mapped memory, not heap blocks: it is never in the heap or leak
# summary (a program that never calls sodium_free still gets "All heap
# blocks were freed") and it is always "defined" (reads of bytes never
# written pass). Running into a guard page faults, under valgrind as
# without ("Bad permissions for mapped region", SIGSEGV): that fails the
# test through the exit status. Also, valgrind's CPUID hides SHA-NI, so
# under valgrind the MAC runs on libsodium's SHA-256, not src/crypto/sha256.c.
#
# Under `make check-sanitize` ($BUILD holds an AddressSanitizer build, which
# valgrind cannot run) the same scenario runs without valgrind: the memory
# checker is then LeakSanitizer, whose report ends the worker with SIGABRT
# (abort_on_error) and lands in ASAN_OPTIONS' log_path.
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"
require_root

VG_LOG=$TMP/valgrind.log
ASAN=
if grep -qaF __asan_init "$WORKER"; then # linked with ASan (statically or not)
	ASAN=1
elif ! command -v valgrind >/dev/null; then
	not_ok "valgrind is not installed"
	done_testing
fi

make_lan 2 || { not_ok "build the LAN"; done_testing; }
key_copy k

if [ -n "$ASAN" ]; then
	echo "# $WORKER is built with AddressSanitizer: LeakSanitizer checks it, not valgrind"
	start_bg w1 h1 "$WORKER" --replay-state "$TMP/w1.replay" "$TMP/k" 198.18.0.1:9123 198.18.0.2:9123
else
	start_bg w1 h1 valgrind --leak-check=full --show-leak-kinds=definite,indirect,possible \
		--errors-for-leak-kinds=definite,indirect,possible --error-exitcode=99 \
		--track-fds=no --num-callers=30 --log-file="$VG_LOG" \
		"$WORKER" --replay-state "$TMP/w1.replay" "$TMP/k" 198.18.0.1:9123 198.18.0.2:9123
fi
if wait_for 20 grep -q "Created tunnel" "$TMP/w1.log"; then
	ok "worker 1 starts under ${ASAN:+AddressSanitizer, not }valgrind"
else
	not_ok "worker 1 did not start within 20 s"
	diag "$TMP/w1.log"
	diag "$VG_LOG"
	done_testing
fi
check "worker 2 starts (no valgrind)" start_worker w2 h2 "$TMP/k" 198.18.0.2:9123 198.18.0.1:9123
tap_address h1 "$(tap_of w1)" 198.19.0.1/24 2001:db8:1::1/64
tap_address h2 "$(tap_of w2)" 198.19.0.2/24 2001:db8:1::2/64

# The first datagrams meet a cold valgrind (translating code): allow a warm-up.
first_reply() {
	local end=$((SECONDS + $1))
	while [ "$SECONDS" -lt "$end" ]; do
		on h1 ping -q -c 1 -W 1 198.19.0.2 >/dev/null 2>&1 && return 0
	done
	return 1
}
check "tunnel passes traffic within 15 s" first_reply 15
check "ping 1 -> 2" pings h1 -c 3 -i 0.2 198.19.0.2
check "ping 2 -> 1" pings h2 -c 3 -i 0.2 198.19.0.1
check "full-MTU ping 1 -> 2 (-M do -s 1390)" pings h1 -c 2 -i 0.2 -M "do" -s 1390 198.19.0.2
check "full-MTU ping 2 -> 1 (-M do -s 1390)" pings h2 -c 2 -i 0.2 -M "do" -s 1390 198.19.0.1
check "IPv6 inside the tunnel" pings h1 -c 2 -i 0.2 2001:db8:1::2

transfer h1 h2 198.19.0.2:5001 10000000 "TCP 1 -> 2 (TSO superframes segmented by worker 1)" 20
transfer h2 h1 "[2001:db8:1::1]:5001" 10000000 "TCP 2 -> 1 over IPv6 (segments coalesced by worker 1)" 20

# SIGUSR1: the counters, printed by the worker under valgrind.
stats_line() {
	grep 'stats:' "$TMP/w1.log" | tail -n 1
}
before=$(grep -c 'stats:' "$TMP/w1.log")
kill -USR1 "$PID_w1"
check "SIGUSR1 prints the counters" wait_for 10 more_lines_than "$TMP/w1.log" 'stats:' "$before"
stat_of() {
	stats_line | tr ' ' '\n' | sed -n "s/^$1=//p"
}
tx=$(stat_of tx_frames) rx=$(stat_of rx_frames) bad=$(stat_of rx_bad_mac)
check "worker 1 sent frames (tx_frames=$tx)" test "${tx:-0}" -ge 1000
check "worker 1 received frames (rx_frames=$rx)" test "${rx:-0}" -ge 1000
check "no bad MACs (rx_bad_mac=$bad)" test "${bad:-x}" = 0

# SIGTERM: a clean stop, then valgrind's verdict (its exit status is the
# worker's, or 99 when it found an error or a leak).
kill -TERM "$PID_w1"
if wait_for 20 gone "$PID_w1"; then
	wait "$PID_w1"
	status=$?
	check "worker 1 exits 0 on SIGTERM (status $status; 99: valgrind found errors)" test "$status" -eq 0
else
	not_ok "worker 1 did not exit within 20 s of SIGTERM"
	kill -KILL "$PID_w1" 2>/dev/null
fi
check "worker 1's tap is gone" no_taps h1
check "final counters were logged" grep -q "stats: tx_frames=" "$TMP/w1.log"

if [ -n "$ASAN" ]; then
	report=$(echo "${ASAN_OPTIONS:-}" | tr ':' '\n' | sed -n 's/^log_path=//p')
	check "no sanitizer report from worker 1${report:+ ($report.$PID_w1)}" \
		test ! -e "${report:-/nonexistent}.$PID_w1"
	stop_worker w2
	done_testing
fi

# The summary lines of memcheck's log (==PID== prefixes removed).
vg() {
	sed 's/^==[0-9]*== *//' "$VG_LOG"
}
vg_has() {
	vg | grep -qE "$1" || {
		echo "# not in valgrind's log: $1"
		vg | grep -E 'ERROR SUMMARY|lost:|reachable:|suppressed:|All heap' | sed 's/^/#   /'
		return 1
	}
}
check "valgrind ran the worker to its end" vg_has '^ERROR SUMMARY: '
check "valgrind: 0 errors" vg_has '^ERROR SUMMARY: 0 errors from 0 contexts'
if vg | grep -q '^All heap blocks were freed'; then
	ok "valgrind: all heap blocks were freed"
else
	check "valgrind: definitely lost: 0" vg_has '^definitely lost: 0 bytes in 0 blocks'
	check "valgrind: indirectly lost: 0" vg_has '^indirectly lost: 0 bytes in 0 blocks'
	check "valgrind: possibly lost: 0" vg_has '^possibly lost: 0 bytes in 0 blocks'
fi
vg | grep -E '^(Command:|in use at exit|total heap usage|All heap|(definitely|indirectly|possibly) lost|still reachable|suppressed:|ERROR SUMMARY)' |
	sed 's/^/# valgrind: /'
if [ "$FAILURES" -gt 0 ]; then
	echo "# valgrind's log:"
	sed 's/^/# /' "$VG_LOG" | head -n 400
fi
stop_worker w2
done_testing
