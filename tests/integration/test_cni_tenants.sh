#!/bin/bash
# SPDX-License-Identifier: MIT
# test_cni_tenants.sh - many tenants on one network and one node; each part
# is an attack that used to work:
#   1. cross-tunnel relay: pod X sets its own peer to a host its owner
#      controls, writes a frame to its interface, and the sealed datagram is
#      replayed into pod A's and pod B's attachments (same network, same key
#      file). By default a pod may not choose its peer at all; where the
#      administrator lets it (podArgs), its link has its own key and the
#      replay is a bad MAC. Both ends of a link derive the same key: a
#      ttt-worker with --link, and an independent v1.4 peer with the key file
#      from --derive-key.
#   2. several pods per node without Multus: containerd 1.6's CNI_ARGS only
#      (K8S_POD_*, in any order); a links table for named pods, a listen
#      port range for the others, three ADDs at once, the fourth refused.
#   3. the state directory planted by an unprivileged user (symlinks, a
#      world-writable stateDir): refused, nothing written through a link.
#   4. no value can become an option of the worker ("--" in its argv).
#   5. a failed ADD ("net1 already exists") must not delete the other
#      network's net1.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/cni_lib.sh"
require_root

make_lan 3 || { not_ok "build the LAN"; done_testing; }
for c in ca cb cx p1 p2 p3 p4 cf cs; do netns "$c" || { not_ok "namespace $c"; done_testing; }; done
key_copy k

# k8s_args NAMESPACE POD CID: CNI_ARGS exactly as containerd 1.6 passes them
# (its own keys, in no particular order).
k8s_args() { echo "K8S_POD_INFRA_CONTAINER_ID=$3;K8S_POD_NAME=$2;IgnoreUnknown=1;K8S_POD_NAMESPACE=$1"; }

# cni_counter HOST CID KEY: counter KEY of attachment CID's worker (SIGUSR1
# to its supervisor, which passes it on; the line lands in the worker's log).
cni_counter() {
	local log=$TMP/state-$1/$NET/$2:net1.log pid before
	pid=$(worker_pid "$1" "$2")
	before=$(grep -c 'stats:' "$log")
	kill -USR1 "$pid" || return 1
	wait_for 3 more_lines_than "$log" 'stats:' "$before" || return 1
	grep 'stats:' "$log" | tail -n 1 | tr ' ' '\n' | sed -n "s/^$3=//p"
}

# Whatever happens, no attachment outlives the test: stop every recorded
# worker (by its PID, from its record).
stop_attachments() {
	local f pid
	for f in "$TMP"/state-*/*/*.json; do
		[ -e "$f" ] || continue
		pid=$($CNIJSON get "$f" workerPid 2>/dev/null)
		[ -n "$pid" ] && [ "$pid" != 0 ] && kill -TERM "$pid" 2>/dev/null
	done
	sleep 0.3
}
CLEANUP_HOOKS+=(stop_attachments)

# sniff HOST SECONDS OUT: counts frames of type 0x88b5 (the test frames)
# arriving on net1 in HOST for SECONDS, into OUT (in the background).
sniff() {
	on "$1" timeout 10 "$PY" "$ROOT/tests/tools/sniff.py" net1 "$2" 0x88b5 >"$3" 2>&1 &
	SNIFFS+=($!)
	PIDS+=($!)
}
# frames OUT: the count a sniff wrote into OUT (nothing when it failed).
frames() { sed -n 's/^frames=\([0-9]*\) .*/\1/p' "$1"; }
SNIFFS=()

# The network: pods ns/a and ns/b have their own links in the table; every
# other pod gets a port from 9210-9212 and a link named after it, and may
# choose a peer inside 198.18.0.0/24.
TABLE='"links":[{"pod":"ns/a","link":"a-link","listen":"198.18.0.1:9201"},
	{"pod":"ns/b","link":"b-link","listen":"198.18.0.1:9202","peer":"198.18.0.2:9302"}]'
conf "$TMP/net.json" h1 198.18.0.1:9210-9212 "" "" \
	"\"link\":\"{namespace}/{pod}\",\"podArgs\":{\"peer\":[\"198.18.0.0/24\"]},$TABLE"
conf "$TMP/net0.json" h1 198.18.0.1:9210-9212 "" "" "\"link\":\"{namespace}/{pod}\",$TABLE"

# --- 1. the cross-tunnel relay -----------------------------------------------------
check "pod A (table: link a-link, discovery)" cni_ok h1 ADD ctr-a ca "$TMP/net.json" "$(k8s_args ns a ctr-a)"
check "pod B (table: link b-link, peer 198.18.0.2:9302)" \
	cni_ok h1 ADD ctr-b cb "$TMP/net.json" "$(k8s_args ns b ctr-b)"
check "the records name each one's link" sh -c "[ \"\$($CNIJSON get '$TMP/state-h1/$NET/ctr-a:net1.json' link)\" = a-link ] &&
	[ \"\$($CNIJSON get '$TMP/state-h1/$NET/ctr-b:net1.json' link)\" = b-link ]"

# A's other end: an independent v1.4 peer (tests/tools/tttpeer.py) on host
# 2, given the key file of link a-link made by --derive-key.
check "--derive-key writes the key file of link a-link" \
	sh -c "'$WORKER' --derive-key a-link '$TMP/k' '$TMP/a-link.key' >/dev/null && [ \$(stat -c %a '$TMP/a-link.key') = 600 ]"
start_bg pyA h2 "$PY" "$PEER_TOOL" tap --key "$TMP/a-link.key" --listen 198.18.0.2:9301 \
	--peer 198.18.0.1:9201 --ifname pya
check "A's peer: the v1.4 peer on the derived key" wait_for 5 grep -q "tap pya up" "$TMP/pyA.log"
on h2 ip addr add 198.19.7.2/24 dev pya
on ca ip addr add 198.19.7.1/24 dev net1
check "A and its v1.4 peer ping each other" pings h2 -c 3 -i 0.2 198.19.7.1
# B's other end: a ttt-worker with --link b-link.
check "B's peer: ttt-worker --link b-link" \
	start_worker wb h2 --link b-link "$TMP/k" 198.18.0.2:9302 198.18.0.1:9202
tap_address h2 tap0 198.19.8.2/24
on cb ip addr add 198.19.8.1/24 dev net1
check "B and its peer ping each other" pings cb -c 3 -i 0.2 198.19.8.2

# The attack, first with the default: a pod may not choose its peer.
$CNIJSON with "$TMP/net0.json" 'args={"cni":{"peer":"198.18.0.3:9999"}}' >"$TMP/x0.json"
cni h1 ADD ctr-x cx "$TMP/x0.json" "$(k8s_args ns x ctr-x)"
check "by default pod X may not set its peer (code 7)" cni_error 7 "a pod may not choose its peer"
check "  the error's details name args.cni.peer" test "$(json "$TMP/out.json" details)" = args.cni.peer
check "  nothing of X was made" test ! -e "$TMP/state-h1/$NET/ctr-x:net1.json"
check "  and its DEL succeeds" cni_ok h1 DEL ctr-x cx "$TMP/x0.json" "$(k8s_args ns x ctr-x)"

# Where the administrator lets pods choose (podArgs.peer), X's link is its own.
$CNIJSON with "$TMP/net.json" 'args={"cni":{"peer":"198.18.0.3:9999"}}' >"$TMP/x.json"
start_bg cap h3 "$PY" "$PEER_TOOL" capture --listen 198.18.0.3:9999 --out "$TMP/sealed-by-x" \
	--timeout 10 --match "tenant X speaks"
sleep 0.3
check "pod X, its peer a host its owner controls (allowed by podArgs)" \
	cni_ok h1 ADD ctr-x cx "$TMP/x.json" "$(k8s_args ns x ctr-x)"
check "X's link is its own: ns/x" test "$(json "$TMP/state-h1/$NET/ctr-x:net1.json" link)" = ns/x
on cx "$PY" -c '
import socket
s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
s.bind(("net1", 0))
s.send(b"\xff" * 6 + b"\x02\x00\x00\x00\x00\x66" + b"\x88\xb5" + b"tenant X speaks " * 4)
'
check "X's owner captured the datagram X's worker sealed for that frame" wait_for 10 test -s "$TMP/sealed-by-x"
ba=$(cni_counter h1 ctr-a rx_bad_mac)
bb=$(cni_counter h1 ctr-b rx_bad_mac)
sniff ca 1.5 "$TMP/ca.frames"
sniff cb 1.5 "$TMP/cb.frames"
sleep 0.3
# Into A (discovery: from anywhere), into B from its peer's own address.
on h3 "$PY" "$PEER_TOOL" raw --to 198.18.0.1:9201 "$TMP/sealed-by-x"
on h3 "$PY" "$PEER_TOOL" raw --to 198.18.0.1:9202 --spoof 198.18.0.2:9302 "$TMP/sealed-by-x"
wait "${SNIFFS[@]}"
na=$(cni_counter h1 ctr-a rx_bad_mac)
nb=$(cni_counter h1 ctr-b rx_bad_mac)
check "replayed into A: refused as a bad MAC ($ba -> $na)" test "${na:-0}" -gt "$ba"
check "replayed into A: X's frame never reached pod A ($(frames "$TMP/ca.frames") frames)" \
	test "$(frames "$TMP/ca.frames")" = 0
check "replayed into A: its peer did not move to X's host" \
	sh -c "! grep -q 'peer is now 198.18.0.3' '$TMP/state-h1/$NET/ctr-a:net1.log'"
check "replayed into B (from its peer's address): refused as a bad MAC ($bb -> $nb)" test "${nb:-0}" -gt "$bb"
check "replayed into B: X's frame never reached pod B ($(frames "$TMP/cb.frames") frames)" \
	test "$(frames "$TMP/cb.frames")" = 0
check "A still talks to its real peer" pings h2 -c 2 -i 0.2 198.19.7.1
check "DEL X" cni_ok h1 DEL ctr-x cx "$TMP/x.json" "$(k8s_args ns x ctr-x)"
check "DEL A" cni_ok h1 DEL ctr-a ca "$TMP/net.json" "$(k8s_args ns a ctr-a)"
check "DEL B" cni_ok h1 DEL ctr-b cb "$TMP/net.json" "$(k8s_args ns b ctr-b)"
stop_worker pyA
stop_worker wb

# --- 2. several pods per node, without Multus ----------------------------------------
# Three pods not in the table, added at once: each gets a port of its own
# from 9210-9212, recorded for the status tool.
adds=()
for p in p1 p2 p3; do
	( cni h1 ADD "ctr-$p" "$p" "$TMP/net.json" "$(k8s_args ns "$p" "ctr-$p")" >/dev/null 2>&1
	  echo $? >"$TMP/$p.add" ) &
	adds+=($!)
done
wait "${adds[@]}"
check "three pods at once: all ADDs succeeded" test "$(cat "$TMP"/p[123].add | tr -d '\n')" = 000
ports=$(for p in p1 p2 p3; do json "$TMP/state-h1/$NET/ctr-$p:net1.json" listen; done | sort | tr '\n' ' ')
check "each got its own port of the range, recorded ($ports)" \
	test "$ports" = "198.18.0.1:9210 198.18.0.1:9211 198.18.0.1:9212 "
check "each is its own link: ns/p1, ns/p2, ns/p3" test "$(for p in p1 p2 p3; do
	json "$TMP/state-h1/$NET/ctr-$p:net1.json" link; done | tr '\n' ' ')" = "ns/p1 ns/p2 ns/p3 "
check "each worker listens where its record says" sh -c \
	"for p in p1 p2 p3; do pid=\$($CNIJSON get '$TMP/state-h1/$NET/ctr-'\$p':net1.json' workerPid)
	 l=\$($CNIJSON get '$TMP/state-h1/$NET/ctr-'\$p':net1.json' listen)
	 tr '\\0' ' ' </proc/\$pid/cmdline | grep -q -- \"-- $TMP/k \$l\" || exit 1; done"
cni h1 ADD ctr-p4 p4 "$TMP/net.json" "$(k8s_args ns p4 ctr-p4)"
check "a fourth pod: no port left (code 101, details listen)" \
	sh -c "grep -q 'no free port in listen range 198.18.0.1:9210-9212 (all 3 in use)' '$TMP/out.json' &&
	[ \"\$($CNIJSON get '$TMP/out.json' code)/\$($CNIJSON get '$TMP/out.json' details)\" = 101/listen ]"
check "  nothing of it left" test ! -e "$TMP/state-h1/$NET/ctr-p4:net1.json"
cni h1 ADD ctr-p4 p4 "$TMP/net.json" "K8S_POD_NAME=p4;IgnoreUnknown=1"
check "a pod the runtime does not name cannot have a per-pod link (code 7, details link)" \
	sh -c "grep -q 'needs {namespace}, which the runtime did not give' '$TMP/out.json' &&
	[ \"\$($CNIJSON get '$TMP/out.json' details)\" = link ]"
for p in p1 p2 p3; do cni_ok h1 DEL "ctr-$p" "$p" "$TMP/net.json" "$(k8s_args ns "$p" "ctr-$p")"; done
check "their DELs leave nothing (worker, tap, record, log, replay state)" nothing_left h1 ""

# --- 3. the state directory is the plugin's own ---------------------------------------
# An unprivileged user (nobody) prepares the state directory in a place
# anyone may write, with a symbolic link named like the next record's
# temporary file, pointing at a file of root's.
chmod 0711 "$TMP" # nobody may pass through $TMP (its files stay 0600)
mkdir -m 1777 "$TMP/pub"
echo "root's precious file" >"$TMP/precious"
chmod 0600 "$TMP/precious"
as_nobody() { setpriv --reuid=65534 --regid=65534 --clear-groups -- "$@"; }
as_nobody mkdir -p "$TMP/pub/state/$NET"
as_nobody ln -s "$TMP/precious" "$TMP/pub/state/$NET/ctr-s:net1.json.tmp"
as_nobody ln -s "$TMP/precious" "$TMP/pub/state/$NET/ctr-s:net1.lock"
conf "$TMP/pub.json" h1 198.18.0.1:9220 ""
$CNIJSON with "$TMP/pub.json" "stateDir=\"$TMP/pub/state\"" >"$TMP/pub2.json"
cni h1 ADD ctr-s cs "$TMP/pub2.json"
check "a state directory owned by nobody: refused (code 7, details stateDir)" \
	sh -c "grep -q 'state directory $TMP/pub/state is not owned by root' '$TMP/out.json' &&
	[ \"\$($CNIJSON get '$TMP/out.json' details)\" = stateDir ]"
check "  root's file was not written through the link" grep -qx "root's precious file" "$TMP/precious"
check "  no tap was made" no_taps cs
cni h1 DEL ctr-s cs "$TMP/pub2.json"
check "  DEL refuses it too" cni_error 7 "is not owned by root"
# A stateDir of root's, but writable by everyone: nobody plants the
# network's directory inside.
mkdir -m 0777 "$TMP/pub/ww"
as_nobody mkdir "$TMP/pub/ww/$NET"
as_nobody ln -s "$TMP/precious" "$TMP/pub/ww/$NET/ctr-s:net1.json.tmp"
$CNIJSON with "$TMP/pub.json" "stateDir=\"$TMP/pub/ww\"" >"$TMP/pub3.json"
cni h1 ADD ctr-s cs "$TMP/pub3.json"
check "a world-writable state directory: refused" cni_error 7 "state directory $TMP/pub/ww is writable by group or others"
check "  root's file untouched" grep -qx "root's precious file" "$TMP/precious"
chmod 0700 "$TMP/pub/ww"
cni h1 ADD ctr-s cs "$TMP/pub3.json"
check "its network directory, owned by nobody: refused" \
	cni_error 7 "state directory $TMP/pub/ww/$NET is not owned by root"
check "  root's file untouched" grep -qx "root's precious file" "$TMP/precious"
ln -s "$TMP/pub/ww" "$TMP/pub/link"
$CNIJSON with "$TMP/pub.json" "stateDir=\"$TMP/pub/link\"" >"$TMP/pub4.json"
cni h1 ADD ctr-s cs "$TMP/pub4.json"
check "a state directory that is a symbolic link: refused" cni_error 7 "is not a directory (a symbolic link?)"
$CNIJSON with "$TMP/pub.json" "stateDir=\"$TMP/pub/fresh/state\"" >"$TMP/pub5.json"
check "a new state directory is created 0700 and works" cni_ok h1 ADD ctr-s cs "$TMP/pub5.json"
check "  0700, owned by root, and its network directory too" sh -c \
	"[ \"\$(stat -c %a:%u '$TMP/pub/fresh/state')\" = 700:0 ] && [ \"\$(stat -c %a:%u '$TMP/pub/fresh/state/$NET')\" = 700:0 ]"
check "  the record and the log are 0600" sh -c \
	"[ \"\$(stat -c %a '$TMP/pub/fresh/state/$NET/ctr-s:net1.json')\" = 600 ] &&
	 [ \"\$(stat -c %a '$TMP/pub/fresh/state/$NET/ctr-s:net1.log')\" = 600 ]"

# --- 4. nothing can become an option of the worker ---------------------------------------
pid=$(json "$TMP/pub/fresh/state/$NET/ctr-s:net1.json" workerPid)
check "the worker's argv ends with -- <key file> <listen>" \
	sh -c "tr '\\0' '\\n' </proc/$pid/cmdline | tail -n 3 | tr '\\n' ' ' | grep -qx -- '-- $TMP/k 198.18.0.1:9220 '"
check "DEL" cni_ok h1 DEL ctr-s cs "$TMP/pub5.json"

# --- 5. a failed ADD removes only what it made -----------------------------------------
# Another network's tap is called net1 in the container (a tap: the kind the
# rollback used to delete by name).
on cf ip tuntap add dev net1 mode tap
on cf ip link set net1 address 02:00:00:00:0f:01 up
conf "$TMP/f.json" h1 198.18.0.1:9230 ""
cni h1 ADD ctr-f cf "$TMP/f.json"
check "ADD into a container that has a net1 already: refused (code 100)" \
	cni_error 100 "interface net1 already exists"
check "  the other network's net1 survives, untouched" sh -c \
	"ip -n $(ns cf) -d link show net1 | grep -q 'tun type tap' &&
	 ip -n $(ns cf) link show net1 | grep -q 'link/ether 02:00:00:00:0f:01'"
check "  and nothing of ours is left" nothing_left h1 ""
cni h1 DEL ctr-f cf "$TMP/f.json"
check "  nor after a DEL of the failed attachment" \
	sh -c "ip -n $(ns cf) link show net1 >/dev/null"
done_testing
