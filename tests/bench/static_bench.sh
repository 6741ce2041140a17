#!/bin/bash
# SPDX-License-Identifier: MIT
# static_bench.sh - the static build (build-static/, make static) beside the
# dynamic one (build/): binary sizes (as built and stripped), start-up time
# (`ttt-worker -V`, median of STARTS), a worker's idle memory (VmRSS and
# PSS, one worker with a peer, in a namespace of its own) and CNI ADD+DEL
# latency (median of CNI_ROUNDS pairs, Debian's host-local as IPAM for
# both). Prints one table. Figures, not a test: nothing here passes or
# fails on a number.
#
# Needs root (namespaces) and containernetworking-plugins; builds both
# builds first. CNI_ROUNDS (default 21), STARTS (default 200).
set -u

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
DYN=$ROOT/${BUILD:-build}
STA=$ROOT/${STATIC_BUILD:-build-static}
CNI_DIR=${CNI_PLUGINS:-/usr/lib/cni}
ROUNDS=${CNI_ROUNDS:-21}
STARTS=${STARTS:-200}
ID=$$
A=ttts-$ID-a
B=ttts-$ID-b
C=ttts-$ID-c
TMP=$(mktemp -d "${TMPDIR:-/tmp}/ttt-sbench.XXXXXX")
PIDS=()

cleanup() {
	local p
	for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; done
	for p in "${PIDS[@]}"; do wait "$p" 2>/dev/null; done
	for n in "$A" "$B" "$C"; do ip netns del "$n" 2>/dev/null; done
	rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

die() {
	echo "static_bench: $*" >&2
	exit 1
}

[ "$(id -u)" = 0 ] || die "run as root (it creates network namespaces)"
[ -x "$CNI_DIR/host-local" ] || die "no $CNI_DIR/host-local (apt-get install containernetworking-plugins)"
t0=$(date +%s%N)
env -u MAKEFLAGS make -C "$ROOT" --no-print-directory -s all static >"$TMP/make.log" 2>&1 ||
	{ cat "$TMP/make.log" >&2; die "build failed"; }
echo "static_bench: make all static: $((($(date +%s%N) - t0) / 1000000)) ms (nothing to do when up to date)" >&2

# median: the median of the numbers on stdin.
median() {
	sort -n | awk '{ v[NR] = $1 } END { if (NR == 0) print "n/a"; else if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

size_kib() {
	awk -v b="$(stat -c %s "$1")" 'BEGIN { printf "%.0f", b / 1024 }'
}

stripped_kib() {
	strip -o "$TMP/stripped" "$1" && size_kib "$TMP/stripped"
}

# start_ms WORKER: median wall time of `WORKER -V`, in ms.
start_ms() {
	local i t0
	for ((i = 0; i < STARTS; i++)); do
		t0=$(date +%s%N)
		"$1" -V >/dev/null || return 1
		echo $(($(date +%s%N) - t0))
	done | median | awk '{ printf "%.2f", $1 / 1e6 }'
}

underlay() {
	if ! { ip netns add "$A" && ip netns add "$B" && ip netns add "$C"; }; then
		die "cannot create namespaces"
	fi
	ip -n "$A" link set lo up
	ip -n "$B" link set lo up
	ip link add eth0 netns "$A" type veth peer name eth0 netns "$B" || die "cannot create the veth"
	ip -n "$A" addr add 198.18.0.1/24 dev eth0
	ip -n "$B" addr add 198.18.0.2/24 dev eth0
	ip -n "$A" link set eth0 up
	ip -n "$B" link set eth0 up
	head -c 32 /dev/urandom | base64 -w0 >"$TMP/k"
	chmod 0600 "$TMP/k"
}

# idle_mem WORKER PORT: "RSS PSS" in KiB of an idle worker with a peer.
idle_mem() {
	local w=$1 port=$2 pid i
	ip netns exec "$A" "$w" "$TMP/k" "198.18.0.1:$port" "198.18.0.2:$port" >"$TMP/w$port.log" 2>&1 &
	pid=$!
	PIDS+=("$pid")
	for i in $(seq 50); do
		grep -q "Created tunnel" "$TMP/w$port.log" && break
		sleep 0.1
	done
	sleep 1
	echo "$(awk '$1 == "VmRSS:" { print $2 }' "/proc/$pid/status") $(awk '$1 == "Pss:" { print $2 }' "/proc/$pid/smaps_rollup")"
	kill "$pid"
	wait "$pid" 2>/dev/null
}

# cni_ms PLUGIN NAME: median ADD+DEL pair in ms (the plugin finds its worker
# beside itself).
cni_ms() {
	local plugin=$1 name=$2 i t0 conf=$TMP/$2.json
	printf '{"cniVersion":"1.0.0","name":"%s","type":"tinytaptunnel","keyFile":"%s","listen":"198.18.0.1:9500","peer":"198.18.0.2:9500","stateDir":"%s","ipam":{"type":"host-local","subnet":"198.19.7.0/24","dataDir":"%s"}}' \
		"$name" "$TMP/k" "$TMP/state" "$TMP/ipam" >"$conf"
	for ((i = 0; i < ROUNDS; i++)); do
		t0=$(date +%s%N)
		ip netns exec "$A" env CNI_COMMAND=ADD CNI_CONTAINERID="sb$i" CNI_NETNS="/var/run/netns/$C" \
			CNI_IFNAME=net1 CNI_PATH="$CNI_DIR" "$plugin" <"$conf" >"$TMP/out" 2>&1 || {
			cat "$TMP/out" >&2
			return 1
		}
		ip netns exec "$A" env CNI_COMMAND=DEL CNI_CONTAINERID="sb$i" CNI_NETNS="/var/run/netns/$C" \
			CNI_IFNAME=net1 CNI_PATH="$CNI_DIR" "$plugin" <"$conf" >"$TMP/out" 2>&1 || {
			cat "$TMP/out" >&2
			return 1
		}
		echo $(($(date +%s%N) - t0))
	done | median | awk '{ printf "%.1f", $1 / 1e6 }'
}

underlay
read -r RSS_D PSS_D < <(idle_mem "$DYN/ttt-worker" 9401)
read -r RSS_S PSS_S < <(idle_mem "$STA/ttt-worker" 9402)
CNI_D=$(cni_ms "$DYN/tinytaptunnel" sbd) || CNI_D=n/a
CNI_S=$(cni_ms "$STA/tinytaptunnel" sbs) || CNI_S=n/a
START_D=$(start_ms "$DYN/ttt-worker") || START_D=n/a
START_S=$(start_ms "$STA/ttt-worker") || START_S=n/a

printf '\n| figure | dynamic (%s) | static (%s) |\n|---|---|---|\n' "${DYN#"$ROOT"/}" "${STA#"$ROOT"/}"
printf '| ttt-worker size, as built / stripped | %s / %s KiB | %s / %s KiB |\n' \
	"$(size_kib "$DYN/ttt-worker")" "$(stripped_kib "$DYN/ttt-worker")" \
	"$(size_kib "$STA/ttt-worker")" "$(stripped_kib "$STA/ttt-worker")"
printf '| tinytaptunnel size, as built / stripped | %s / %s KiB | %s / %s KiB |\n' \
	"$(size_kib "$DYN/tinytaptunnel")" "$(stripped_kib "$DYN/tinytaptunnel")" \
	"$(size_kib "$STA/tinytaptunnel")" "$(stripped_kib "$STA/tinytaptunnel")"
printf '| ttt-worker -V (exec to exit), median of %s | %s ms | %s ms |\n' "$STARTS" "$START_D" "$START_S"
printf '| idle worker VmRSS | %s KiB | %s KiB |\n' "$RSS_D" "$RSS_S"
printf '| idle worker PSS | %s KiB | %s KiB |\n' "$PSS_D" "$PSS_S"
printf '| CNI ADD+DEL, median of %s | %s ms | %s ms |\n' "$ROUNDS" "$CNI_D" "$CNI_S"
