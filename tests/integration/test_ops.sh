#!/bin/bash
# SPDX-License-Identifier: MIT
# test_ops.sh - operating a node: five tunnels sharing one run directory
# (three CNI attachments made by the plugin as a runtime drives it, two
# standalone workers, one of them supervised), and `ttt` looking at them:
# `ttt show` lists all five with counters that move while pings run, its
# JSON and `ttt metrics` carry the same numbers and the metrics parse with
# Prometheus' own parser; restarts, drops and a dead worker show; a DEL'd
# attachment's log is kept, and the kept logs stay within their bounds.
# shellcheck source=/dev/null
. "$(dirname "$0")/lib.sh"
# shellcheck source=/dev/null
. "$(dirname "$0")/cni_lib.sh"
require_root

TTT=$BUILD/ttt
RUN=$TMP/run # the node's run directory: the plugin's stateDir, the workers' $TTT_RUN_DIR
METRICS="$PY $ROOT/tests/tools/tttmetrics.py"

# ops_conf FILE LISTEN PEER: a layer-2 network configuration kept in $RUN.
ops_conf() {
	printf '{"cniVersion":"1.0.0","name":"%s","type":"tinytaptunnel","keyFile":"%s",' "$NET" "$TMP/k" >"$1"
	printf '"listen":"%s","peer":"%s","stateDir":"%s"}\n' "$2" "$3" "$RUN" >>"$1"
}

# tj FILE SELECTOR PATH: from `ttt show --json` output, the value at PATH
# (dotted) of the tunnel whose field KEY is VALUE (SELECTOR "KEY=VALUE").
tj() {
	$PY -c '
import json, sys
d = json.load(open(sys.argv[1]))
k, v = sys.argv[2].split("=", 1)
t = [x for x in d["tunnels"] if str(x.get(k)) == v]
if len(t) != 1:
    sys.exit("%d tunnels with %s" % (len(t), sys.argv[2]))
v = t[0]
for p in sys.argv[3].split("."):
    v = v[p]
print("null" if v is None else str(v).lower() if isinstance(v, bool) else v)' "$@"
}

snapshot() {
	"$TTT" show --json -d "$RUN" >"$TMP/$1.json" 2>"$TMP/$1.err"
}

# block SELECTOR-TEXT: the paragraph of `ttt show` holding that line.
block() {
	awk -v RS= -v want="$1" 'index($0, want) { print }' "$TMP/show.txt"
}

# moved A B SELECTOR: every direction's frames grew from snapshot A to B.
moved() {
	local k a b
	for k in tx_frames rx_frames; do
		a=$(tj "$TMP/$1.json" "$3" "counters.$k") && b=$(tj "$TMP/$2.json" "$3" "counters.$k") || return 1
		[ "$b" -gt "$a" ] || { echo "# $3 $k: $a, then $b"; return 1; }
	done
}

# has TEXT PATTERN...: every pattern (grep) matches a line of TEXT.
has() {
	local text=$1 p
	shift
	for p in "$@"; do
		grep -q -- "$p" <<<"$text" || { echo "# no line matches: $p"; return 1; }
	done
}

# answers JSON SELECTOR KEY VALUE: a fresh snapshot has KEY = VALUE.
answers() {
	"$TTT" show --json -d "$RUN" >"$TMP/$1.json" && [ "$(tj "$TMP/$1.json" "$2" "$3")" = "$4" ]
}

SELECTORS=(container_id=ctr-a container_id=ctr-b container_id=ctr-c name=w-one listen=198.18.0.3:9203)

make_lan 3 || { not_ok "build the LAN"; done_testing; }
netns c1 && netns c2 && netns c3 || { not_ok "container namespaces"; done_testing; }
key_copy k

# --- five tunnels (and a sixth that keeps out of the registry) ---------------
ops_conf "$TMP/a.json" 198.18.0.1:9201 198.18.0.2:9201
ops_conf "$TMP/b.json" 198.18.0.1:9202 198.18.0.2:9202
ops_conf "$TMP/c.json" 198.18.0.2:9201 198.18.0.1:9201
POD_A="K8S_POD_NAMESPACE=shop;K8S_POD_NAME=web-0;K8S_POD_INFRA_CONTAINER_ID=ctr-a;IgnoreUnknown=1"
check "CNI ADD ctr-a (pod shop/web-0) on host 1" cni_ok h1 ADD ctr-a c1 "$TMP/a.json" "$POD_A"
check "CNI ADD ctr-b on host 1" cni_ok h1 ADD ctr-b c2 "$TMP/b.json"
check "CNI ADD ctr-c on host 2" cni_ok h2 ADD ctr-c c3 "$TMP/c.json"
# w-one is ctr-b's other end: the key of the link the plugin derives for
# ctr-b (by default, the network's name).
check "standalone w-one (supervised) on host 2" start_worker w1 h2 --supervise --name w-one \
	--link "$NET" --ifname w1 "$TMP/k" 198.18.0.2:9202 198.18.0.1:9202
check "standalone worker on host 3 (default name)" start_worker w2 h3 --ifname w2 \
	"$TMP/k" 198.18.0.3:9203 198.18.0.1:9204
check "its peer on host 1, with --control-dir none" start_worker w6 h1 --control-dir none \
	--ifname w6 "$TMP/k" 198.18.0.1:9204 198.18.0.3:9203
on c1 ip addr add 198.19.1.1/24 dev net1
on c3 ip addr add 198.19.1.2/24 dev net1
on c2 ip addr add 198.19.2.1/24 dev net1
tap_address h2 w1 198.19.2.2/24
tap_address h3 w2 198.19.3.1/24
tap_address h1 w6 198.19.3.2/24

check "control directory 0700, sockets 0600" sh -c "[ \$(stat -c %a '$RUN/sock') = 700 ] &&
	[ -z \"\$(find '$RUN/sock' -name '*.sock' ! -perm 0600)\" ]"
check "five control sockets: the plugin's three, w-one's, worker-<pid>'s" sh -c \
	"[ \$(ls '$RUN/sock' | grep -c '\\.sock\$') = 5 ] && [ -S '$RUN/sock/w-one.sock' ] &&
	 [ -S '$RUN/sock/worker-$PID_w2.sock' ]"

# --- ttt show while pings run ------------------------------------------------
check "ttt show --json, before" snapshot s0
start_bg pa c1 ping -q -c 40 -i 0.1 198.19.1.2
start_bg pb c2 ping -q -c 40 -i 0.1 198.19.2.2
start_bg pw h3 ping -q -c 40 -i 0.1 198.19.3.2
sleep 1
check "ttt show --json, while pings run" snapshot s1
sleep 1
check "ttt show --json, a second later" snapshot s2
t0=$(date +%s%N)
"$TTT" show -d "$RUN" >"$TMP/show.txt" 2>&1
echo "# ttt show over five tunnels, pings running: $((($(date +%s%N) - t0) / 1000000)) ms (a figure, not a test)"
check "ttt show lists five tunnels" test "$(grep -c '^tunnel: ' "$TMP/show.txt")" = 5
check "JSON: five tunnels, all answering" test "$($PY -c 'import json,sys
d=json.load(open(sys.argv[1]))["tunnels"]; print(len(d), all(t["answering"] for t in d))' "$TMP/s1.json")" = "5 True"
for sel in "${SELECTORS[@]}"; do
	check "$sel: frames each way grow while a ping runs" moved s1 s2 "$sel"
	check "$sel: an authenticated datagram within the last 2 s" \
		$PY -c "import sys; sys.exit(not float('$(tj "$TMP/s2.json" "$sel" seconds_since_last_authenticated)') < 2)"
done
check "the worker without a control socket is not listed" fails grep -q '^  listen: 198.18.0.1:9204$' "$TMP/show.txt"
A=$(block "container: ctr-a")
check "ctr-a: network, container, pod, link, interface and namespace" has "$A" '^  network: lab-link$' \
	'^  pod: shop/web-0$' '^  link: lab-link$' "^  interface: net1 in /var/run/netns/$(ns c1)\$"
check "ctr-a: listen and peer addresses, uptime, restarts, log" has "$A" '^  listen: 198.18.0.1:9201$' \
	'^  peer: 198.18.0.2:9201$' '^  uptime: .*; restarts: 0$' "^  log: $RUN/lab-link/ctr-a:net1.log\$"
check "ctr-a: the latest authenticated datagram, frames each way" has "$A" \
	'^  latest authenticated datagram: [0-9]* seconds\{0,1\} ago$' \
	'^  transfer: .* received ([1-9][0-9]* frames), .* sent ([1-9][0-9]* frames)$'
check "ctr-a: listen, peer and link once each, the record's internals (moved, ifindex) not at all" \
	test "$(grep -c '^  \(listen\|peer\|link\): ' <<<"$A") $(grep -c '^  \(moved\|ifindex\): ' <<<"$A")" = "3 0"
W=$(block "listen: 198.18.0.3:9203")
check "standalone worker: its name, interface, peer and pid" has "$W" "^tunnel: worker-$PID_w2\$" \
	'^  interface: w2$' '^  peer: 198.18.0.1:9204$' "^  pid: $PID_w2\$"
check "JSON: ctr-a's pod, link, namespace and record" test "$(tj "$TMP/s2.json" container_id=ctr-a pod) \
$(tj "$TMP/s2.json" container_id=ctr-a record.podName) $(tj "$TMP/s2.json" container_id=ctr-a link) \
$(tj "$TMP/s2.json" container_id=ctr-a netns)" = "shop/web-0 web-0 lab-link /var/run/netns/$(ns c1)"
check "JSON: w-one is supervised (its pid's parent is the supervisor)" \
	test "$(ps -o ppid= -p "$(tj "$TMP/s2.json" name=w-one pid)" | tr -d ' ')" = "$PID_w1"
for p in pa pb pw; do
	pid_var=PID_$p
	wait_for 10 gone "${!pid_var}"
	wait "${!pid_var}"
	check "ping $p: no loss" test $? = 0
done

# --- the same numbers everywhere ----------------------------------------------
"$TTT" metrics -d "$RUN" >"$TMP/m.prom"
check "ttt metrics parses with Prometheus' parser (one family each, no sample twice)" \
	sh -c "$METRICS check '$TMP/m.prom' >'$TMP/families'"
diag "$TMP/families"
check "ttt show --prometheus is ttt metrics" sh -c "'$TTT' show --prometheus -d '$RUN' | grep -c _total >'$TMP/n1' &&
	grep -c _total '$TMP/m.prom' >'$TMP/n2' && cmp -s '$TMP/n1' '$TMP/n2'"
check "ttt metrics carries ttt show --json's numbers" sh -c "$METRICS compare '$TTT' '$RUN' >'$TMP/cmp'"
diag "$TMP/cmp"
snapshot s3
check "SIGUSR1 still prints the counters, the same as ttt show's" \
	test "$(counter w2 tx_frames)" = "$(tj "$TMP/s3.json" listen=198.18.0.3:9203 counters.tx_frames)"
check "the example alerting rules (deploy/prometheus) name only metrics ttt writes" \
	$METRICS rules "$ROOT/deploy/prometheus/rules.yaml" "$TMP/m.prom"
check "labels: network, pod, interface" grep -q \
	'^tinytaptunnel_rx_frames_total{tunnel="ttt[0-9a-f]*",network="lab-link",pod="shop/web-0",interface="net1"} [1-9]' \
	"$TMP/m.prom"
check "info: container, link, listen and peer" grep -q \
	'^tinytaptunnel_info{tunnel="ttt[0-9a-f]*",network="lab-link",pod="shop/web-0",interface="net1",container="ctr-a",link="lab-link",listen="198.18.0.1:9201",peer="198.18.0.2:9201"} 1$' \
	"$TMP/m.prom"

# --- drops, restarts, bad requests ----------------------------------------------
on h3 $PY -c "import socket
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.sendto(b'short', ('198.18.0.2', 9202))
s.sendto(b'x' * 60, ('198.18.0.2', 9202))
s.sendto(b'y' * 60, ('198.18.0.2', 9202))"
check "non-zero drop counters show, the others do not" wait_for 3 sh -c \
	"'$TTT' show -d '$RUN' | grep -q '^  drops: rx_short 1, rx_wrong_source 2\$'"
sup=$(json "$RUN/$NET/ctr-a:net1.json" workerPid)
child=$(pgrep -P "$sup" -x ttt-worker)
kill -KILL "$child"
check "a worker killed under its supervisor: restarts 1" wait_for 5 answers s4 container_id=ctr-a restarts 1
check "and it still forwards" pings c1 -c 2 -i 0.2 198.19.1.2
check "a request other than get=1 is refused with errno=22" test "$($PY -c "import socket
s = socket.socket(socket.AF_UNIX); s.connect('$RUN/sock/w-one.sock'); s.sendall(b'set=1\n\n')
print(repr(s.recv(100)))")" = "b'errno=22\n\n'"
check "the worker answers again after it" answers s5 name=w-one answering true

# --- a DEL'd attachment's log is kept, within bounds ---------------------------------
bname=$(tj "$TMP/s2.json" container_id=ctr-b name)
echo "an older part, rotated" >"$RUN/$NET/ctr-b:net1.log.1" # as a size-bounded live log leaves it
check "ctr-b's worker keeps its replay state beside its record" test -s "$RUN/$NET/ctr-b:net1.replay"
check "DEL ctr-b" cni_ok h1 DEL ctr-b c2 "$TMP/b.json"
kept=$(ls "$RUN/$NET/old/"ctr-b:net1.*.log 2>/dev/null)
check "its log is kept in old/" test -f "$kept"
check "with the worker's last counters and a line from DEL" sh -c "grep -q 'stats: tx_frames=[1-9]' '$kept' &&
	tail -n 1 '$kept' | grep -q '^tinytaptunnel: [0-9T]*Z DEL: attachment removed'"
check "its rotated part is kept beside it" grep -q "an older part, rotated" "$kept.1"
check "no live log, record, replay state or socket is left of it" sh -c "[ ! -e '$RUN/$NET/ctr-b:net1.log' ] &&
	[ ! -e '$RUN/$NET/ctr-b:net1.log.1' ] && [ ! -e '$RUN/$NET/ctr-b:net1.replay' ] &&
	[ ! -e '$RUN/$NET/ctr-b:net1.json' ] && [ ! -e '$RUN/sock/$bname.sock' ]"
check "ttt show: four tunnels now" test "$("$TTT" show -d "$RUN" | grep -c '^tunnel: ')" = 4
check "ttt show --gone lists the kept log with its last counters" sh -c \
	"'$TTT' show --gone -d '$RUN' | grep -A4 '^log: $kept\$' | grep -q '^  last counters: tx_frames=[1-9]'"
# Old logs beyond the bounds: one 4 days old, a 5 MiB one, 40 small ones.
for i in $(seq 40); do
	echo "fake $i" >"$RUN/$NET/old/fake-$i.log"
	touch -d "-$((60 + i)) minutes" "$RUN/$NET/old/fake-$i.log"
done
echo ancient >"$RUN/$NET/old/ancient.log"
touch -d '-4 days' "$RUN/$NET/old/ancient.log"
head -c $((5 * 1024 * 1024)) /dev/zero >"$RUN/$NET/old/big.log"
touch -d '-2 days' "$RUN/$NET/old/big.log"
check "DEL ctr-a" cni_ok h1 DEL ctr-a c1 "$TMP/a.json"
check "kept logs: pruned to 32" test "$(ls "$RUN/$NET/old" | wc -l)" = 32
check "older than 3 days: gone; beyond 4 MiB: the oldest gone" \
	sh -c "[ ! -e '$RUN/$NET/old/ancient.log' ] && [ ! -e '$RUN/$NET/old/big.log' ] &&
	[ \$(du -sb '$RUN/$NET/old' | cut -f1) -le $((4 * 1024 * 1024 + 65536)) ]"
check "the oldest small ones went first, the newest stayed" sh -c "[ ! -e '$RUN/$NET/old/fake-30.log' ] &&
	[ -e '$RUN/$NET/old/fake-29.log' ] && [ -e '$kept' ] && [ -e '$kept.1' ] &&
	ls '$RUN/$NET/old/'ctr-a:net1.*.log >/dev/null"

# --- a dead worker, and the textfile for node_exporter --------------------------------
kill -KILL "$PID_w2"
wait "$PID_w2" 2>/dev/null
check "a killed worker's socket shows as not answering" sh -c "'$TTT' show -d '$RUN' |
	grep -A1 '^tunnel: worker-$PID_w2\$' | grep -q 'worker: .*nobody answers'"
check "and as up 0 in the metrics, which still parse" sh -c "'$TTT' metrics -d '$RUN' >'$TMP/m2.prom' &&
	grep -q '^tinytaptunnel_up{tunnel=\"worker-$PID_w2\".*} 0\$' '$TMP/m2.prom' && $METRICS check '$TMP/m2.prom' >/dev/null"
mkdir -p "$TMP/textfile"
"$TTT" metrics -d "$RUN" --textfile "$TMP/textfile/tinytaptunnel.prom" --interval 1 &
tf=$!
PIDS+=("$tf")
check "--textfile: the file appears" wait_for 5 test -s "$TMP/textfile/tinytaptunnel.prom"
check "--textfile: it parses" sh -c "$METRICS check '$TMP/textfile/tinytaptunnel.prom' >/dev/null"
kill -TERM "$tf"
check "--textfile: SIGTERM ends it" wait_for 3 gone "$tf"
check "--textfile: and removes the file, no temporary left" test -z "$(ls -A "$TMP/textfile")"

# --- genkey ------------------------------------------------------------------------------
check "ttt genkey FILE: a 0600 file of 32 random bytes in base64" sh -c "'$TTT' genkey '$TMP/new.key' &&
	[ \$(stat -c %a '$TMP/new.key') = 600 ] && [ \$(base64 -d '$TMP/new.key' | wc -c) = 32 ]"
cp "$TMP/new.key" "$TMP/new.copy"
check "ttt genkey refuses an existing file, leaving it as it was" sh -c "! '$TTT' genkey '$TMP/new.key' 2>'$TMP/gk.err' &&
	grep -q 'left as it is' '$TMP/gk.err' && cmp -s '$TMP/new.key' '$TMP/new.copy'"
check "ttt genkey: a key on stdout" sh -c "[ \$('$TTT' genkey | base64 -d | wc -c) = 32 ]"

# --- derive-key ------------------------------------------------------------------------
# The link key by an independent HKDF-SHA256 (RFC 5869, one block): what
# ttt derive-key must write.
hkdf() {
	"$PY" -c 'import base64, hashlib, hmac, sys
k = base64.b64decode(open(sys.argv[1]).read().strip())
prk = hmac.new(b"tinytaptunnel link key v1", k, hashlib.sha256).digest()
print(base64.b64encode(hmac.new(prk, sys.argv[2].encode() + b"\x01", hashlib.sha256).digest()).decode())' "$@"
}
check "ttt derive-key ID NETKEY FILE: a 0600 file holding HKDF-SHA256(NETKEY, ID)" sh -c \
	"'$TTT' derive-key lab-a-b '$TMP/new.key' '$TMP/link.key' >/dev/null &&
	[ \$(stat -c %a '$TMP/link.key') = 600 ] &&
	[ \"\$(tr -d ' \n' <'$TMP/link.key')\" = \"$(hkdf "$TMP/new.key" lab-a-b)\" ]"
check "ttt derive-key writes what ttt-worker --derive-key writes" sh -c \
	"'$WORKER' --derive-key lab-a-b '$TMP/new.key' '$TMP/link2.key' >/dev/null &&
	cmp -s '$TMP/link.key' '$TMP/link2.key'"
cp "$TMP/link.key" "$TMP/link.copy"
check "ttt derive-key refuses an existing file, leaving it as it was" sh -c \
	"! '$TTT' derive-key other '$TMP/new.key' '$TMP/link.key' 2>'$TMP/dk.err' &&
	grep -q 'left as it is' '$TMP/dk.err' && cmp -s '$TMP/link.key' '$TMP/link.copy'"
check "ttt derive-key refuses a link identity with a space" sh -c \
	"! '$TTT' derive-key 'a b' '$TMP/new.key' '$TMP/link3.key' 2>'$TMP/dk.err' &&
	grep -q 'link identity' '$TMP/dk.err' && [ ! -e '$TMP/link3.key' ]"

# --- an attachment whose worker is gone: what the plugin chose still shows ----------------
sup=$(json "$RUN/$NET/ctr-c:net1.json" workerPid)
child=$(pgrep -P "$sup" -x ttt-worker)
kill -KILL "$sup" && kill -KILL "$child"
check "ctr-c's worker and supervisor killed" wait_for 3 sh -c "! kill -0 $sup 2>/dev/null && ! kill -0 $child 2>/dev/null"
"$TTT" show -d "$RUN" >"$TMP/show2.txt" 2>&1
C=$(awk -v RS= 'index($0, "container: ctr-c") { print }' "$TMP/show2.txt")
check "ttt show: ctr-c does not answer, and shows the listen address and peer recorded" has "$C" \
	'^  worker: .*nobody answers' '^  listen: 198.18.0.2:9201$' '^  peer: 198.18.0.1:9201$' '^  link: lab-link$'
check "JSON: its listen address from the record" answers s6 container_id=ctr-c listen 198.18.0.2:9201

check "DEL ctr-c" cni_ok h2 DEL ctr-c c3 "$TMP/c.json"
check "no attachment left" sh -c "[ -z \"\$(ls '$RUN/$NET' | grep -v '^old\$')\" ]"
done_testing
