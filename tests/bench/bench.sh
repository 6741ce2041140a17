#!/bin/bash
# SPDX-License-Identifier: MIT
# bench.sh - ttt-worker next to the kernel's own tunnels (vxlan, gretap) and
# the bare veth, all over the same veth underlay between two namespaces, in
# one run: iperf3 TCP with 1 and 4 streams, iperf3 64-byte UDP (packets/s
# received and loss), ping RTT (median), the workers' CPU use and memory,
# their thread wake-ups per ping and their CPU use when idle; then CNI
# ADD+DEL latency of our plugin next to Debian's ptp plugin, and the MAC's
# speed. Prints one table with ratios against vxlan, under a header naming
# the CPU and the MAC variant the workers picked.
# Then ttt-worker with default options (the MTU from the path) over other
# underlays, TCP 1 stream each, with the ratio to the 1500-byte IPv4 path of
# the same run: a 1400-byte IPv4 veth, an IPv6 veth at 1500, and two routers
# with a 1400-byte link between them (the workers' own links at 1500).
#
# Needs root, iperf3 and (for the CNI row) containernetworking-plugins.
# BENCH_SECONDS sets the length of each iperf3 run (default 5), IDLE_SECONDS
# how long the idle workers are watched (default 10).
set -u

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=${BUILD:-build}
case $BUILD in /*) ;; *) BUILD=$ROOT/$BUILD ;; esac
WORKER=$BUILD/ttt-worker
PLUGIN=$BUILD/tinytaptunnel
SECS=${BENCH_SECONDS:-5}
IDLE_SECS=${IDLE_SECONDS:-10}
ID=$$
A=tttb-$ID-a
B=tttb-$ID-b
C=tttb-$ID-c
UNDERLAY_NS=("tttb-$ID-d" "tttb-$ID-e" "tttb-$ID-r1" "tttb-$ID-r2")
TMP=$(mktemp -d "${TMPDIR:-/tmp}/ttt-bench.XXXXXX")
PIDS=()

cleanup() {
	local p
	for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; done
	for p in "${PIDS[@]}"; do wait "$p" 2>/dev/null; done
	for n in "$A" "$B" "$C" "${UNDERLAY_NS[@]}"; do ip netns del "$n" 2>/dev/null; done
	rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

die() {
	echo "bench: $*" >&2
	exit 1
}

[ "$(id -u)" = 0 ] || die "run as root (it creates network namespaces)"
command -v iperf3 >/dev/null || die "iperf3 is missing (apt-get install iperf3)"
[ -x "$WORKER" ] && [ -x "$PLUGIN" ] && [ -x "$BUILD/tests/hmac_bench" ] || die "build first (make bench)"

ipa() { ip netns exec "$A" "$@"; }
ipb() { ip netns exec "$B" "$@"; }

underlay() {
	ip netns add "$A" && ip netns add "$B" || die "cannot create namespaces"
	ip link add eth0 netns "$A" type veth peer name eth0 netns "$B" || die "veth"
	ip -n "$A" addr add 198.18.0.1/24 dev eth0
	ip -n "$B" addr add 198.18.0.2/24 dev eth0
	for n in "$A" "$B"; do ip -n "$n" link set lo up && ip -n "$n" link set eth0 up; done
}

kernel_tunnels() {
	ip -n "$A" link add vx0 type vxlan id 42 local 198.18.0.1 remote 198.18.0.2 dstport 4789 dev eth0
	ip -n "$B" link add vx0 type vxlan id 42 local 198.18.0.2 remote 198.18.0.1 dstport 4789 dev eth0
	ip -n "$A" addr add 198.19.1.1/24 dev vx0
	ip -n "$B" addr add 198.19.1.2/24 dev vx0
	for n in "$A" "$B"; do ip -n "$n" link set vx0 up; done
	GRETAP=yes
	if ! ip -n "$A" link add gt0 type gretap local 198.18.0.1 remote 198.18.0.2 2>/dev/null; then
		GRETAP="not available: this kernel has no gretap"
		return
	fi
	ip -n "$B" link add gt0 type gretap local 198.18.0.2 remote 198.18.0.1
	ip -n "$A" addr add 198.19.2.1/24 dev gt0
	ip -n "$B" addr add 198.19.2.2/24 dev gt0
	for n in "$A" "$B"; do ip -n "$n" link set gt0 up; done
}

start_workers() {
	head -c 32 /dev/urandom | base64 | tr -d '\n' >"$TMP/k"
	chmod 600 "$TMP/k"
	rm -f "$TMP/wa.replay" "$TMP/wb.replay" # new workers: no cold-start refusals
	# A without -q: its start-up line names the MAC code (MAC_VARIANT below)
	ip netns exec "$A" "$WORKER" --replay-state "$TMP/wa.replay" "$TMP/k" 198.18.0.1:9123 \
		198.18.0.2:9123 2>"$TMP/wa.log" &
	WA=$!
	PIDS+=("$WA")
	ip netns exec "$B" "$WORKER" -q --replay-state "$TMP/wb.replay" "$TMP/k" 198.18.0.2:9123 \
		198.18.0.1:9123 2>"$TMP/wb.log" &
	WB=$!
	PIDS+=("$WB")
	for _ in $(seq 50); do
		ip -n "$A" link show tap0 >/dev/null 2>&1 && ip -n "$B" link show tap0 >/dev/null 2>&1 && break
		sleep 0.1
	done
	ip -n "$A" addr add 198.19.0.1/24 dev tap0 || die "worker A did not start: $(cat "$TMP/wa.log")"
	ip -n "$B" addr add 198.19.0.2/24 dev tap0 || die "worker B did not start: $(cat "$TMP/wb.log")"
	sleep 0.3
	MAC_VARIANT=$(sed -n 's/.*MAC: //p' "$TMP/wa.log" | head -n 1)
	IDLE_RSS=$(( $(rss "$WA" VmRSS) > $(rss "$WB" VmRSS) ? $(rss "$WA" VmRSS) : $(rss "$WB" VmRSS) ))
	IDLE_PSS=$(awk '$1 == "Pss:" { print $2 }' "/proc/$WA/smaps_rollup")
	IDLE_PRIV=$(awk '$1 == "Private_Dirty:" { print $2 }' "/proc/$WA/smaps_rollup")
}

# rss PID FIELD: VmRSS or VmHWM in KiB.
rss() {
	awk -v f="$2:" '$1 == f { print $2 }' "/proc/$1/status"
}

# thread_stat PID: "<ns on a CPU> <voluntary context switches>" so far,
# summed over its threads (a voluntary switch is a sleep, hence a wake-up;
# the involuntary ones, preemptions and yields, are not counted).
thread_stat() {
	local t ns=0 cs=0 a b
	for t in /proc/"$1"/task/*; do
		read -r a _ <"$t/schedstat" || continue
		b=$(awk '/^voluntary_ctxt_switches/ { s += $2 } END { print s + 0 }' "$t/status")
		ns=$((ns + a))
		cs=$((cs + b))
	done
	echo "$ns $cs"
}

# both_stat: thread_stat of both workers, added.
both_stat() {
	local a b
	a=$(thread_stat "$WA")
	b=$(thread_stat "$WB")
	echo "$(( ${a% *} + ${b% *} )) $(( ${a#* } + ${b#* } ))"
}

# cpu_ticks PID: user + system clock ticks so far.
cpu_ticks() {
	awk '{ sub(/.*\) /, ""); print $12 + $13 }' "/proc/$1/stat"
}

# iperf DEST ARGS...: one iperf3 run from A to B's server, JSON in $TMP/iperf.json.
iperf() {
	local dest=$1
	shift
	ipa iperf3 -c "$dest" -t "$SECS" -J "$@" >"$TMP/iperf.json" 2>/dev/null
}

tcp_gbps() {
	iperf "$1" -P "$2" || { echo "n/a"; return; }
	python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print("%.2f" % (d["end"]["sum_received"]["bits_per_second"]/1e9))' "$TMP/iperf.json"
}

# udp64 DEST: "<kpps received> <loss %>"
udp64() {
	iperf "$1" -u -l 64 -b 0 || { echo "n/a n/a"; return; }
	python3 -c 'import json,sys; s=json.load(open(sys.argv[1]))["end"]["sum"]; print("%.0f %.0f" % ((s["packets"]-s["lost_packets"])/s["seconds"]/1e3, s["lost_percent"]))' "$TMP/iperf.json"
}

rtt_ms() {
	ipa ping -c 200 -i 0.005 -q "$1" >/dev/null 2>&1 # warm-up (ARP, caches)
	ipa ping -c 300 -i 0.005 "$1" 2>/dev/null | python3 -c '
import re, statistics, sys
t = [float(m.group(1)) for m in re.finditer(r"time=([0-9.]+)", sys.stdin.read())]
print("%.3f" % statistics.median(t) if t else "n/a")'
}

# measure NAME DEST: one row of results into R_<field>_<NAME>.
measure() {
	local name=$1 dest=$2 t0 t1 w0 w1 u
	ipa ping -c 3 -i 0.2 -W 1 -q "$dest" >/dev/null 2>&1 || echo "bench: $name does not pass traffic" >&2
	if [ "$name" = ttt ]; then t0=$(date +%s%N); w0=$(( $(cpu_ticks "$WA") + $(cpu_ticks "$WB") )); fi
	printf -v "R_tcp1_$name" '%s' "$(tcp_gbps "$dest" 1)"
	if [ "$name" = ttt ]; then
		t1=$(date +%s%N); w1=$(( $(cpu_ticks "$WA") + $(cpu_ticks "$WB") ))
		CPU_TCP1=$(awk -v w=$((w1 - w0)) -v t=$((t1 - t0)) -v hz="$(getconf CLK_TCK)" \
			'BEGIN { printf "%.0f", 100 * w / hz / (t / 1e9) }')
	fi
	printf -v "R_tcp4_$name" '%s' "$(tcp_gbps "$dest" 4)"
	u=$(udp64 "$dest")
	printf -v "R_udp_$name" '%s' "${u% *}"
	printf -v "R_loss_$name" '%s' "${u#* }"
	if [ "$name" = ttt ]; then
		ipa ping -c 200 -i 0.005 -q "$dest" >/dev/null 2>&1 # the warm-up of rtt_ms
		w0=$(both_stat)
		t0=$(date +%s%N)
		ipa ping -c 300 -i 0.005 -q "$dest" >/dev/null 2>&1
		t1=$(date +%s%N)
		w1=$(both_stat)
		PING_WAKES=$(awk -v c=$(( ${w1#* } - ${w0#* } )) 'BEGIN { printf "%.1f", c / 300 }')
		PING_CPU=$(awk -v ns=$(( ${w1% *} - ${w0% *} )) -v t=$((t1 - t0)) \
			'BEGIN { printf "%.1f", 100 * ns / t }')
	fi
	printf -v "R_rtt_$name" '%s' "$(rtt_ms "$dest")"
}

# idle_cpu: the workers' CPU use with no traffic for IDLE_SECS (after 1 s
# for whatever traffic left to settle), per worker, in % of one core.
idle_cpu() {
	local a0 b0 a1 b1 t0 t1
	sleep 1
	a0=$(thread_stat "$WA")
	b0=$(thread_stat "$WB")
	t0=$(date +%s%N)
	sleep "$IDLE_SECS"
	a1=$(thread_stat "$WA")
	b1=$(thread_stat "$WB")
	t1=$(date +%s%N)
	IDLE_CPU=$(awk -v a=$(( ${a1% *} - ${a0% *} )) -v b=$(( ${b1% *} - ${b0% *} )) -v t=$((t1 - t0)) \
		'BEGIN { printf "%.3f %% and %.3f %%", 100 * a / t, 100 * b / t }')
}

# ratio A B: A/B with two decimals, or n/a.
ratio() {
	awk -v a="$1" -v b="$2" 'BEGIN { if (a+0 > 0 && b+0 > 0) printf "%.2f", a / b; else printf "n/a" }'
}

# --- other underlays ---------------------------------------------------------

# pair_tcp1 NS_A NS_B LOCAL_A PEER_A LOCAL_B PEER_B [PRIME]: two workers with
# default options, iperf3 TCP 1 stream from A to B through them (Gbit/s, or
# n/a when it does not pass); PRIME: a full-size ping first, so the path MTU
# is known to both kernels (as it soon is on a real path).
pair_tcp1() {
	local na=$1 nb=$2 wa wb srv r
	# Fresh replay state files: no cold-start refusals of the first pings.
	rm -f "$TMP/ua.replay" "$TMP/ub.replay"
	ip netns exec "$na" "$WORKER" -q --replay-state "$TMP/ua.replay" "$TMP/k" "$3" "$4" \
		2>"$TMP/ua.log" &
	wa=$!
	ip netns exec "$nb" "$WORKER" -q --replay-state "$TMP/ub.replay" "$TMP/k" "$5" "$6" \
		2>"$TMP/ub.log" &
	wb=$!
	PIDS+=("$wa" "$wb")
	for _ in $(seq 50); do
		ip -n "$na" link show tap0 >/dev/null 2>&1 && ip -n "$nb" link show tap0 >/dev/null 2>&1 && break
		sleep 0.1
	done
	ip -n "$na" addr add 198.19.0.1/24 dev tap0 && ip -n "$nb" addr add 198.19.0.2/24 dev tap0 ||
		{ echo "n/a"; return; }
	ip netns exec "$nb" iperf3 -s -1 >/dev/null 2>&1 &
	srv=$!
	PIDS+=("$srv")
	sleep 0.5
	ip netns exec "$na" ping -c 3 -i 0.2 -W 1 -q 198.19.0.2 >/dev/null 2>&1
	[ -n "${7:-}" ] && ip netns exec "$na" ping -c 3 -i 0.2 -W 1 -q -M "do" -s 1390 198.19.0.2 >/dev/null 2>&1
	if ip netns exec "$na" iperf3 -c 198.19.0.2 -t "$SECS" -J >"$TMP/iperf.json" 2>/dev/null; then
		r=$(python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print("%.2f" % (d["end"]["sum_received"]["bits_per_second"]/1e9))' "$TMP/iperf.json")
	else
		r=n/a
	fi
	kill "$wa" "$wb" "$srv" 2>/dev/null
	wait "$wa" "$wb" "$srv" 2>/dev/null
	echo "$r"
}

# veth_pair NS_A NS_B MTU: namespaces joined by a veth with that MTU, with
# 198.18.6.1-2/24 and 2001:db8:6::1-2/64.
veth_pair() {
	ip netns add "$1" && ip netns add "$2" || return 1
	ip link add eth0 netns "$1" type veth peer name eth0 netns "$2" || return 1
	ip -n "$1" addr add 198.18.6.1/24 dev eth0 && ip -n "$2" addr add 198.18.6.2/24 dev eth0 &&
		ip -n "$1" addr add 2001:db8:6::1/64 dev eth0 nodad &&
		ip -n "$2" addr add 2001:db8:6::2/64 dev eth0 nodad || return 1
	for n in "$1" "$2"; do ip -n "$n" link set lo up && ip -n "$n" link set eth0 mtu "$3" up; done
}

# routed D R1 R2 E: D -- R1 == R2 -- E, the R1-R2 link at 1400, the others at
# 1500; forwarding in R1 and R2 only.
routed() {
	local d=$1 r1=$2 r2=$3 e=$4 n
	for n in "$d" "$r1" "$r2" "$e"; do ip netns add "$n" || return 1; ip -n "$n" link set lo up; done
	ip link add eth0 netns "$d" type veth peer name lan netns "$r1" &&
		ip link add mid netns "$r1" type veth peer name mid netns "$r2" &&
		ip link add eth0 netns "$e" type veth peer name lan netns "$r2" || return 1
	ip -n "$d" addr add 198.18.7.1/24 dev eth0
	ip -n "$r1" addr add 198.18.7.254/24 dev lan
	ip -n "$r1" addr add 198.18.8.1/24 dev mid
	ip -n "$r2" addr add 198.18.8.2/24 dev mid
	ip -n "$r2" addr add 198.18.9.254/24 dev lan
	ip -n "$e" addr add 198.18.9.1/24 dev eth0
	ip -n "$r1" link set dev mid mtu 1400
	ip -n "$r2" link set dev mid mtu 1400
	for n in "$d:eth0" "$e:eth0" "$r1:lan" "$r1:mid" "$r2:lan" "$r2:mid"; do
		ip -n "${n%%:*}" link set dev "${n#*:}" up
	done
	ip netns exec "$r1" sysctl -qw net.ipv4.ip_forward=1
	ip netns exec "$r2" sysctl -qw net.ipv4.ip_forward=1
	ip -n "$d" route add default via 198.18.7.254
	ip -n "$e" route add default via 198.18.9.254
	ip -n "$r1" route add 198.18.9.0/24 via 198.18.8.2
	ip -n "$r2" route add 198.18.7.0/24 via 198.18.8.1
}

other_underlays() {
	local d=${UNDERLAY_NS[0]} e=${UNDERLAY_NS[1]} r1=${UNDERLAY_NS[2]} r2=${UNDERLAY_NS[3]}
	veth_pair "$d" "$e" 1400 && U_1400=$(pair_tcp1 "$d" "$e" 198.18.6.1:9123 198.18.6.2:9123 \
		198.18.6.2:9123 198.18.6.1:9123)
	ip -n "$d" link set eth0 mtu 1500 && ip -n "$e" link set eth0 mtu 1500 &&
		U_V6=$(pair_tcp1 "$d" "$e" "[2001:db8:6::1]:9123" "[2001:db8:6::2]:9123" \
			"[2001:db8:6::2]:9123" "[2001:db8:6::1]:9123")
	ip netns del "$d"
	ip netns del "$e"
	routed "$d" "$r1" "$r2" "$e" && U_HOP=$(pair_tcp1 "$d" "$e" 198.18.7.1:9123 198.18.9.1:9123 \
		198.18.9.1:9123 198.18.7.1:9123 prime)
}

# cni_rows: tests/bench/cni_bench.sh (ADD+DEL medians of ours and ptp in
# one run, then ours step by step); its tables follow the figures below.
cni_rows() {
	CNI_BENCH_SUMMARY=$TMP/cni.txt BUILD=$BUILD bash "$ROOT/tests/bench/cni_bench.sh" \
		>"$TMP/cni.md" || return
	CNI_TTT=$(awk '$1 == "ttt" { print $2 }' "$TMP/cni.txt")
	CNI_PTP=$(awk '$1 == "ptp" { print $2 }' "$TMP/cni.txt")
}

underlay
kernel_tunnels
start_workers
# Not through ipb: a function runs in a subshell, and $! would be that
# subshell, not the server (which outlived every run).
ip netns exec "$B" iperf3 -s >/dev/null 2>&1 &
PIDS+=("$!")
sleep 0.5
echo "bench: $SECS s per iperf3 run on $(nproc) cores ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //'))" >&2
printf '%s, %s vCPUs, Linux %s; BENCH_SECONDS=%s; MAC in the workers: %s\n' \
	"$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //')" "$(nproc)" "$(uname -r)" \
	"$SECS" "${MAC_VARIANT:-unknown}"
measure veth 198.18.0.2
measure vxlan 198.19.1.2
[ "$GRETAP" = yes ] && measure gretap 198.19.2.2
measure ttt 198.19.0.2
idle_cpu
PEAK_RSS=$(( $(rss "$WA" VmHWM) > $(rss "$WB" VmHWM) ? $(rss "$WA" VmHWM) : $(rss "$WB" VmHWM) ))
other_underlays
cni_rows
"$BUILD/tests/hmac_bench" >"$TMP/hmac.txt"
"$BUILD/tests/replay_bench" >"$TMP/replay.txt"

printf '\n| path | TCP 1 stream | TCP 4 streams | 64-byte UDP received (loss) | ping RTT (median) |\n'
printf '|---|---|---|---|---|\n'
for p in veth vxlan gretap ttt; do
	case $p in veth) label="raw veth (no tunnel)" ;; vxlan) label="kernel vxlan" ;;
	gretap) label="kernel gretap" ;; ttt) label="ttt-worker" ;; esac
	if [ "$p" = gretap ] && [ "$GRETAP" != yes ]; then
		printf '| %s | %s | | | |\n' "$label" "$GRETAP"
		continue
	fi
	t1=R_tcp1_$p t4=R_tcp4_$p u=R_udp_$p l=R_loss_$p r=R_rtt_$p
	printf '| %s | %s Gbit/s | %s Gbit/s | %s kpps (%s %% lost) | %s ms |\n' "$label" \
		"${!t1}" "${!t4}" "${!u}" "${!l}" "${!r}"
done
printf '| ttt-worker / vxlan | %s x | %s x | %s x | %s x |\n' \
	"$(ratio "$R_tcp1_ttt" "$R_tcp1_vxlan")" "$(ratio "$R_tcp4_ttt" "$R_tcp4_vxlan")" \
	"$(ratio "$R_udp_ttt" "$R_udp_vxlan")" "$(ratio "$R_rtt_ttt" "$R_rtt_vxlan")"
printf '\n| underlay (ttt-worker, default options) | TCP 1 stream | ratio to the 1500-byte IPv4 path |\n|---|---|---|\n'
printf '| IPv4 veth, MTU 1500 (the row above) | %s Gbit/s | 1.00 x |\n' "$R_tcp1_ttt"
printf '| IPv4 veth, MTU 1400 on both ends | %s Gbit/s | %s x |\n' "${U_1400:-n/a}" "$(ratio "${U_1400:-0}" "$R_tcp1_ttt")"
printf '| IPv6 veth, MTU 1500 | %s Gbit/s | %s x |\n' "${U_V6:-n/a}" "$(ratio "${U_V6:-0}" "$R_tcp1_ttt")"
printf '| IPv4, two routers with a 1400-byte link between them | %s Gbit/s | %s x |\n' "${U_HOP:-n/a}" \
	"$(ratio "${U_HOP:-0}" "$R_tcp1_ttt")"
printf '\n| ttt-worker | figure |\n|---|---|\n'
printf '| CPU of both workers during TCP 1 stream | %s %% of one core |\n' "$CPU_TCP1"
printf '| thread wake-ups of both workers per ping (200 pings/s; voluntary context switches) | %s |\n' "${PING_WAKES:-n/a}"
printf '| CPU of both workers during those pings | %s %% of one core |\n' "${PING_CPU:-n/a}"
printf '| idle CPU of each worker (%s s without traffic) | %s of one core |\n' "$IDLE_SECS" "${IDLE_CPU:-n/a}"
printf '| idle RSS (largest worker) | %s KiB |\n' "$IDLE_RSS"
printf '| idle PSS / private dirty memory (one worker) | %s KiB / %s KiB |\n' "$IDLE_PSS" "$IDLE_PRIV"
printf '| peak RSS (largest worker) | %s KiB |\n' "$PEAK_RSS"
printf '| CNI ADD+DEL, tinytaptunnel (host-local IPAM), median | %s ms |\n' "${CNI_TTT:-n/a}"
printf '| CNI ADD+DEL, Debian ptp (host-local IPAM), median | %s ms (ratio %s) |\n' "${CNI_PTP:-n/a}" \
	"$(ratio "${CNI_TTT:-0}" "${CNI_PTP:-0}")"
awk '$1 == "hmac" { n = NF; impl = $2; for (i = 3; i <= n - 4; i++) impl = impl " " $i
	printf "| MAC at %s-byte frames, %s | %.2f GB/s, %.0f k frames/s, %.2f us/frame |\n", $(n-3), impl, $(n-1), $(n-2) / 1e3, $n }' "$TMP/hmac.txt"
awk '$1 == "replay" { printf "| replay filter (8192, full), %s | %s ns/datagram, longest probe %s cells |\n", \
	$2 == "random-macs" ? "MACs as they come" : "MACs picked to share their low bits", $3, $4 }' "$TMP/replay.txt"
if [ -s "$TMP/cni.md" ]; then cat "$TMP/cni.md"; fi
