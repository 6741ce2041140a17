#!/bin/bash
# SPDX-License-Identifier: MIT
# cni_bench.sh - CNI ADD and DEL of our plugin next to Debian's ptp, and
# where our time goes. Each round runs, one after the other, an ADD then a
# DEL of a fresh container ID with our plugin, with ptp, and with
# host-local alone (the IPAM plugin both call), so the machine's noise falls
# on all of them alike; every figure is a median over the rounds. The
# plugins run in a namespace of their own, as a runtime runs them in the
# host's: one fork and exec per call, 50 ms apart.
#
# Prints two tables: ADD, DEL and ADD+DEL of each plugin, then ours step by
# step, from the marks the plugin and ttt-worker write when TTT_STEP_TIMES
# names a file (ttt/util/steptime.h). A step is the time from the mark
# before it: "exec" from the fork to the plugin's main (loading included),
# "exit" from its last mark to the caller seeing it end. The IPAM plugin
# runs while the tap moves, so ipam_wait is what is left of it after.
#
# Figures, not a test: nothing passes or fails on a number.
# Needs root and containernetworking-plugins; `make` first.
#   CNI_ROUNDS            rounds (default 21)
#   PLUGIN                our plugin (default $BUILD/tinytaptunnel; its
#                         ttt-worker beside it)
#   PLUGIN_B              a second build of ours (A/B in the same run: a
#                         column of its own in both tables)
#   CNI_BENCH_SUMMARY     also write "ttt MS" and "ptp MS" (median
#                         ADD+DEL) to this file, for bench.sh
set -u

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=${BUILD:-build}
case $BUILD in /*) ;; *) BUILD=$ROOT/$BUILD ;; esac
PLUGIN=${PLUGIN:-$BUILD/tinytaptunnel}
PLUGIN_B=${PLUGIN_B:-}
CNI_DIR=${CNI_PLUGINS:-/usr/lib/cni}
ROUNDS=${CNI_ROUNDS:-21}
H=tttc-$$-h
C=tttc-$$-c
TMP=$(mktemp -d "${TMPDIR:-/tmp}/ttt-cbench.XXXXXX")
[ -n "${KEEP:-}" ] && echo "cni_bench: keeping $TMP" >&2

cleanup() {
	ip netns del "$H" 2>/dev/null
	ip netns del "$C" 2>/dev/null
	[ -n "${KEEP:-}" ] || rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

die() {
	echo "cni_bench: $*" >&2
	exit 1
}

[ "$(id -u)" = 0 ] || die "run as root (it creates network namespaces)"
for p in "$PLUGIN" $PLUGIN_B; do
	[ -x "$p" ] && [ -x "$(dirname "$p")/ttt-worker" ] || die "no $p with ttt-worker beside it (make first)"
done
for p in ptp host-local; do
	[ -x "$CNI_DIR/$p" ] || die "no $CNI_DIR/$p (apt-get install containernetworking-plugins)"
done
[ -n "${EPOCHREALTIME:-}" ] || die "needs bash 5 (EPOCHREALTIME)"

ip netns add "$H" && ip netns add "$C" || die "cannot create namespaces"
ip -n "$H" link set lo up
ip -n "$H" link add eth0 type veth peer name eth1 || die "cannot create a veth"
ip -n "$H" addr add 198.18.0.1/24 dev eth0
ip -n "$H" link set eth0 up
ip -n "$H" link set eth1 up
head -c 32 /dev/urandom | base64 -w0 >"$TMP/k"
chmod 0600 "$TMP/k"
# what: conf binary
WHATS="ttt"
printf 'ttt %s %s\n' "$TMP/ttt.json" "$PLUGIN" >"$TMP/plugins"
printf '{"cniVersion":"1.0.0","name":"bench","type":"tinytaptunnel","keyFile":"%s","listen":"198.18.0.1:9400","peer":"198.18.0.2:9400","stateDir":"%s","ipam":{"type":"host-local","subnet":"198.19.5.0/24","dataDir":"%s"}}' \
	"$TMP/k" "$TMP/state" "$TMP/ipam1" >"$TMP/ttt.json"
if [ -n "$PLUGIN_B" ]; then
	WHATS="ttt ttt_b"
	printf 'ttt_b %s %s\n' "$TMP/ttt_b.json" "$PLUGIN_B" >>"$TMP/plugins"
	printf '{"cniVersion":"1.0.0","name":"bench_b","type":"tinytaptunnel","keyFile":"%s","listen":"198.18.0.1:9401","peer":"198.18.0.2:9401","stateDir":"%s","ipam":{"type":"host-local","subnet":"198.19.4.0/24","dataDir":"%s"}}' \
		"$TMP/k" "$TMP/state" "$TMP/ipam0" >"$TMP/ttt_b.json"
fi
printf 'ptp %s %s\n' "$TMP/ptp.json" "$CNI_DIR/ptp" >>"$TMP/plugins"
printf '{"cniVersion":"1.0.0","name":"bench","type":"ptp","ipam":{"type":"host-local","subnet":"198.19.6.0/24","dataDir":"%s"}}' \
	"$TMP/ipam2" >"$TMP/ptp.json"
printf 'host-local %s %s\n' "$TMP/ipam.json" "$CNI_DIR/host-local" >>"$TMP/plugins"
printf '{"cniVersion":"1.0.0","name":"bench","type":"none","ipam":{"type":"host-local","subnet":"198.19.7.0/24","dataDir":"%s"}}' \
	"$TMP/ipam3" >"$TMP/ipam.json"

# rounds: runs in the host namespace; per call, one line "total WHAT CMD
# T0 T1" (UNIX microseconds) in totals, and our marks as "mark WHAT CMD
# WHO STEP T" in marks.
rounds() {
	local i what conf bin cmd t0 t1 rc
	export CNI_NETNS=/var/run/netns/$C CNI_IFNAME=net1 CNI_PATH=$CNI_DIR
	for ((i = 0; i < ROUNDS; i++)); do
		while read -r what conf bin; do
			for cmd in ADD DEL; do
				: >"$TMP/m"
				# A pause first: what the call before left the kernel to
				# finish (a deleted device's RCU callbacks) would else
				# lengthen this one's namespace move, which waits for them.
				sleep 0.05
				t0=$EPOCHREALTIME
				CNI_COMMAND=$cmd CNI_CONTAINERID=b$i TTT_STEP_TIMES=$TMP/m "$bin" <"$conf" >"$TMP/out" 2>&1
				rc=$?
				t1=$EPOCHREALTIME
				if [ $rc -ne 0 ]; then
					cat "$TMP/out" >&2
					echo "cni_bench: $what $cmd failed" >&2
					return 1
				fi
				echo "total $what $cmd ${t0/./} ${t1/./}" >>"$TMP/totals"
				sed "s/^/mark $what $cmd /" "$TMP/m" >>"$TMP/marks"
			done
		done <"$TMP/plugins"
	done
}
: >"$TMP/totals"
: >"$TMP/marks"
ip netns exec "$H" bash -c "$(declare -f rounds); C=$C CNI_DIR=$CNI_DIR ROUNDS=$ROUNDS TMP=$TMP rounds" ||
	die "a call failed"

# Step durations of each call of ours: each plugin mark less the one before
# (the first less the call's start; "exit": the call's end less the last).
# The worker's three marks split the plugin's "worker" step: from the
# plugin's "configure" mark to the supervisor's main (fork, exec, loading),
# to its child's start (a fork; an exec in builds before the supervisor
# forked), to the child's readiness (key, tap, threads).
awk '
	function flush() {
		if (what == "") return
		printf "step %s %s exit %d\n", what, cmd, t1 - prev
		if (nw >= 3) {
			printf "step %s %s worker:supervisor_up %d\n", what, cmd, w[1] - conf
			printf "step %s %s worker:child_up %d\n", what, cmd, w[nw - 1] - w[1]
			printf "step %s %s worker:child_ready %d\n", what, cmd, w[nw] - w[nw - 1]
		}
		what = ""
	}
	FNR == NR { if ($2 != "ptp" && $2 != "host-local") { n++; T0[n] = $4; T1[n] = $5 }; next }
	$4 == "plugin" && $5 == "main" {
		flush(); k++; what = $2; cmd = $3; prev = T0[k]; t1 = T1[k]; nw = 0; conf = 0
	}
	$4 == "worker" { w[++nw] = $6; next }
	{
		printf "step %s %s %s %d\n", what, cmd, ($5 == "main" ? "exec" : $5), $6 - prev
		prev = $6
		if ($5 == "configure") conf = $6
	}
	END { flush() }' "$TMP/totals" "$TMP/marks" >"$TMP/steps"

awk -v whats="$WHATS" -v rounds="$ROUNDS" '
	function med(key,   n, i, j, t, v) {
		n = cnt[key]
		if (n == 0) return -1
		for (i = 1; i <= n; i++) v[i] = val[key, i]
		for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (v[j] < v[i]) { t = v[i]; v[i] = v[j]; v[j] = t }
		return n % 2 ? v[(n + 1) / 2] : (v[n / 2] + v[n / 2 + 1]) / 2
	}
	function add(key, x) { val[key, ++cnt[key]] = x }
	function ms(x) { return x < 0 ? "" : sprintf("%.2f", x / 1000) }
	FNR == NR { d = $5 - $4; add($2 " " $3, d); if ($3 == "ADD") a[$2] = d; else add($2 " pair", a[$2] + d); next }
	{ key = $3 " " $4; if (!(key in seen)) { seen[key] = 1; order[++ns] = key }; add($2 " " key, $5) }
	END {
		nw = split(whats, w, " ")
		label["ttt"] = "tinytaptunnel (host-local IPAM)"
		label["ttt_b"] = "tinytaptunnel, build B (host-local IPAM)"
		label["ptp"] = "Debian ptp (host-local IPAM)"
		label["host-local"] = "host-local alone (the IPAM both call)"
		w[nw + 1] = "ptp"; w[nw + 2] = "host-local"
		printf "\n| CNI, median of %d rounds | ADD | DEL | ADD+DEL |\n|---|---|---|---|\n", rounds
		for (i = 1; i <= nw + 2; i++)
			printf "| %s | %s ms | %s ms | %s ms |\n", label[w[i]], ms(med(w[i] " ADD")),
				ms(med(w[i] " DEL")), ms(med(w[i] " pair"))
		for (i = 1; i <= nw; i++)
			printf "| %s / ptp | %.2f x | %.2f x | %.2f x |\n", (i == 1 ? "tinytaptunnel" : "build B"),
				med(w[i] " ADD") / med("ptp ADD"), med(w[i] " DEL") / med("ptp DEL"),
				med(w[i] " pair") / med("ptp pair")
		if (ENVIRON["CNI_BENCH_SUMMARY"] != "")
			printf "ttt %.1f\nptp %.1f\n", med("ttt pair") / 1000, med("ptp pair") / 1000 >ENVIRON["CNI_BENCH_SUMMARY"]
		printf "\n| tinytaptunnel, step (median of %d, ms) | %s |\n|---|%s\n", rounds,
			(nw == 2 ? "A | B" : "time"), (nw == 2 ? "---|---|" : "---|")
		for (i = 1; i <= ns; i++) {
			printf "| %s | %s |", order[i], ms(med("ttt " order[i]))
			if (nw == 2) printf " %s |", ms(med("ttt_b " order[i]))
			printf "\n"
		}
	}' "$TMP/totals" "$TMP/steps"
