#!/bin/bash
# SPDX-License-Identifier: MIT
# test_cni_containerd.sh - containerd 1.6 itself runs busybox containers on
# a tinytaptunnel network in host 1 (`ctr run --cni`, which calls the plugin
# through go-cni and libcni, the CRI plugin's libraries); they ping plain
# workers on host 2 through the tunnel, and `ctr task kill` makes ctr run
# DEL. A private containerd and private CNI directories (containerd_lib.sh).
# ctr reads only the first file of /etc/cni/net.d and passes no CNI_ARGS:
# each container gets its own listen port from its ctr's own net.d.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/cni_lib.sh"
. "$(dirname "$0")/containerd_lib.sh"
require_root

make_lan 2 || { not_ok "build the LAN"; done_testing; }
key_copy k
ctrd_init

# netconf DIR I [CNIVER [NO_IPAM]]: network I's conflist as DIR's only file:
# host 1 listens on 198.18.0.1:910I, its peer is 198.18.0.2:920I, host-local
# hands out 198.19.I.10.
netconf() {
	local dir=$1 i=$2 ver=${3:-1.0.0} ipam
	ipam="\"ipam\": $(host_local "198.19.$i.0/24" "198.19.$i.10" "198.19.$i.10" h1),"
	[ -n "${4:-}" ] && ipam=
	mkdir -p "$dir"
	cat >"$dir/10-$NET.conflist" <<JSON
{ "cniVersion": "$ver", "name": "$NET",
  "plugins": [ { "type": "tinytaptunnel", "keyFile": "$TMP/k",
    "listen": "198.18.0.1:910$i", "peer": "198.18.0.2:920$i",
    $ipam "stateDir": "$TMP/state-h1" } ] }
JSON
}

# --- the daemon and an image -------------------------------------------------
must "a private containerd starts in host 1" start_containerd
check "in a mount namespace of its own" test "$CTRD_MNT" != "$(readlink /proc/self/ns/mnt)"
ctrq version >"$W/version" 2>&1
echo "# containerd$(grep -A1 '^Server' "$W/version" | tail -n 1 | tr -s ' \t' ' '), $(runc --version | head -n 1)"
must "ctr image import: a busybox image (overlayfs snapshotter)" or_show "$W/import.out" import_busybox

# --- helpers for containers ------------------------------------------------------
# run_bg NAME NETD: `ctr run --cni --rm` of a sleeping container in the
# background; DEL comes from this ctr once the task exits.
run_bg() {
	local c=$CID_PREFIX-$1
	jail "$2"
	"${JAIL[@]}" ctr --address "$W/containerd.sock" --namespace "$CNS" run --cni --rm --cgroup "" "$IMAGE" "$c" sleep 120 </dev/null >"$W/$1.out" 2>&1 &
	RUN_PID[$c]=$!
}

# task_pid NAME: the PID of a running container's task.
task_pid() {
	ctrq task ls 2>/dev/null |
		awk -v c="$CID_PREFIX-$1" '$1 == c && $3 == "RUNNING" { print $2 }'
}

# known NAME: containerd has a task or a container of that name.
known() {
	{
		ctrq task ls -q
		ctrq container ls -q
	} 2>/dev/null | grep -qx -- "$CID_PREFIX-$1"
}

running() {
	[ -n "$(task_pid "$1")" ] && test -f "$TMP/state-h1/$NET/$CNS-$CID_PREFIX-$1:eth0.json"
}

# comes_up NAME: the container runs within 10 s; fails at once, showing
# ctr's output, when its ctr run ended instead.
comes_up() {
	local i
	for i in $(seq 100); do
		running "$1" && return 0
		gone "${RUN_PID[$CID_PREFIX-$1]}" && break
		sleep 0.1
	done
	diag "$W/$1.out"
	return 1
}

# in_ctr NAME ARGS...: ARGS run in the container (ctr task exec).
in_ctr() {
	local c=$CID_PREFIX-$1
	shift
	ctrx "$W/net.d-empty" task exec --exec-id "x$RANDOM" "$c" "$@" </dev/null
}

# eth0 NAME: the container's eth0, in detail (host tools in its namespace).
eth0() {
	nsenter --net="/proc/$(task_pid "$1")/ns/net" ip -d addr show eth0
}

# ctr_exited NAME: the container's `ctr run` ended (within 10 s); its
# status is in RUN_STATUS.
ctr_exited() {
	local c=$CID_PREFIX-$1
	wait_for 10 gone "${RUN_PID[$c]}" || return 1
	wait "${RUN_PID[$c]}"
	RUN_STATUS=$?
	unset "RUN_PID[$c]"
}

all_exited() {
	local c
	for c in "$@"; do ctr_exited "$c" || return 1; done
}

# kill_ctr NAME: SIGKILL to the task; its ctr runs DEL, deletes task and
# container, and exits.
kill_ctr() {
	ctrx "$W/net.d-empty" task kill -s SIGKILL "$CID_PREFIX-$1" >/dev/null 2>&1 || return 1
	ctr_exited "$1"
}

# kill_and_check NAME: kill_ctr, then nothing of the container is left.
kill_and_check() {
	kill_ctr "$1" && wait_for 5 nothing_left h1 ""
}

# --- one container, pinging host 2 ---------------------------------------------
# Peers on the key of the containers' link (by default, the network's name).
check "peer worker 1 on host 2" start_worker w1 h2 --link "$NET" "$TMP/k" 198.18.0.2:9201 198.18.0.1:9101
tap_address h2 "$(tap_of w1)" 198.19.1.2/24
netconf "$W/net.d-1" 1
T0=$(date +%s%N)
run_bg c1 "$W/net.d-1"
check "ctr run --cni: the container runs, attached by the plugin" comes_up c1
echo "# ctr run --cni to a running task: $(( ($(date +%s%N) - T0) / 1000000 )) ms"
eth0 c1 >"$W/c1.eth0" 2>&1
check "its eth0 is a tap, MTU 1418, with the IPAM address" or_show "$W/c1.eth0" \
	sh -c "grep -q 'tun type tap' '$W/c1.eth0' && grep -q 'mtu 1418' '$W/c1.eth0' &&
		grep -q 'inet 198.19.1.10/24' '$W/c1.eth0'"
check "its shim's socket is in the test's /run/containerd" shim_sockets_here
WPID=$(worker_pid h1 "$CNS-$CID_PREFIX-c1" eth0 2>/dev/null)
check "our record names a live worker" test -n "$WPID" -a -d "/proc/${WPID:-none}"
in_ctr c1 ping -c 3 -W 2 198.19.1.2 >"$W/c1.ping" 2>&1
check "ctr task exec: the container pings host 2 through the tunnel" test $? -eq 0
echo "# $(grep 'packets received' "$W/c1.ping")"
check "host 2 pings the container" pings h2 -c 3 -i 0.2 198.19.1.10

# What containerd 1.6 passed (ADD): the environment and the configuration.
ADD1=$(calls ADD | tail -n 1)
echo "# ADD: CNI_CONTAINERID=$(var "$ADD1" CNI_CONTAINERID) CNI_IFNAME=$(var "$ADD1" CNI_IFNAME)" \
	"CNI_NETNS=$(var "$ADD1" CNI_NETNS) CNI_PATH=$(var "$ADD1" CNI_PATH) CNI_ARGS='$(var "$ADD1" CNI_ARGS)'"
echo "# ADD stdin keys: $($PY -c 'import json, sys; print(" ".join(sorted(json.load(open(sys.argv[1])))))' "$ADD1.json")"
echo "# the rest of the plugin's environment is ctr's own: $(grep -vc '^CNI_' "$ADD1.env") variables"
echo "# plugin calls so far: $(calls '*' | sed 's/.*-\([A-Z]*\)-[0-9]*$/\1/' | tr '\n' ' ')"
check "ADD: CNI_CONTAINERID is <namespace>-<container ID>, CNI_IFNAME eth0" \
	test "$(var "$ADD1" CNI_CONTAINERID)/$(var "$ADD1" CNI_IFNAME)" = "$CNS-$CID_PREFIX-c1/eth0"
check "ADD: CNI_NETNS is the task's /proc/PID/ns/net" \
	test "$(var "$ADD1" CNI_NETNS)" = "/proc/$(task_pid c1)/ns/net"
check "ADD: CNI_PATH is /opt/cni/bin then Debian's /usr/lib/cni" \
	test "$(var "$ADD1" CNI_PATH)" = /opt/cni/bin:/usr/lib/cni
check "ADD: no runtimeConfig (ctr passes no capability arguments)" \
	fails grep -q runtimeConfig "$ADD1.json"
check "libcni cached the result in the test's /var/lib/cni" \
	test -f "$W/cni-cache/results/$NET-$CNS-$CID_PREFIX-c1-eth0"

check "ctr task kill: ctr runs DEL and removes the container" kill_ctr c1
DEL1=$(calls DEL | tail -n 1)
check "DEL came with CNI_NETNS empty (ctr passes \"\")" \
	test -n "$DEL1" -a -z "$(var "${DEL1:-/none}" CNI_NETNS 2>/dev/null)"
check "DEL carried the cached result as prevResult" grep -q '"prevResult"' "${DEL1:-/none}.json"
check "the container is gone from containerd" fails known c1
check "libcni's cache is empty again" test -z "$(ls -A "$W/cni-cache/results" 2>/dev/null)"
check "no worker left" wait_for 3 gone "${WPID:-1}"
check "no record, tap or lease left" nothing_left h1 ""

# --- three containers at once, each on its own network file ------------------
# ctr reads only the first file of /etc/cni/net.d and passes no CNI_ARGS:
# per-container ports come from each ctr having its own /etc/cni/net.d.
for i in 2 3 4; do
	start_worker "w$i" h2 --link "$NET" "$TMP/k" "198.18.0.2:920$i" "198.18.0.1:910$i" >/dev/null ||
		not_ok "peer worker $i on host 2"
	tap_address h2 "$(tap_of "w$i")" "198.19.$i.2/24"
	netconf "$W/net.d-$i" "$i"
done
for i in 2 3 4; do run_bg "c$i" "$W/net.d-$i"; done
check "three ctr run --cni at once: all three run" wait_for 15 sh -c \
	"test \$(ls '$TMP/state-h1/$NET/' | grep -c '^$CNS-$CID_PREFIX-c[234]:eth0.json\$') = 3"
for i in 2 3 4; do comes_up "c$i" >/dev/null; done
for i in 2 3 4; do
	in_ctr "c$i" ping -c 2 -W 2 "198.19.$i.2" >"$W/c$i.ping" 2>&1
	check "container $i pings its peer on host 2" test $? -eq 0
done
check "three distinct workers" test "$(for i in 2 3 4; do worker_pid h1 "$CNS-$CID_PREFIX-c$i" eth0 2>/dev/null; done | sort -u | wc -l)" = 3
KILLS=()
for i in 2 3 4; do
	ctrx "$W/net.d-empty" task kill -s SIGKILL "$CID_PREFIX-c$i" >/dev/null 2>&1 &
	KILLS+=($!)
done
wait "${KILLS[@]}"
check "three killed at once: their ctr runs end" all_exited c2 c3 c4
check "and ran DEL: no record left" test "$(records h1)" = 0
check "nothing left of the three" wait_for 5 nothing_left h1 ""

# --- a layer-2-only network (no ipam) ----------------------------------------------
# The CRI plugin needs an address on eth0 ("failed to find network info");
# ctr does not look at the result's addresses at all.
netconf "$W/net.d-l2" 1 1.0.0 no-ipam
run_bg l2 "$W/net.d-l2"
check "layer 2 only: ctr run --cni accepts a result without addresses" comes_up l2
eth0 l2 >"$W/l2.eth0" 2>&1
check "and the container's eth0 is a tap without an IPv4 address" \
	sh -c "grep -q 'tun type tap' '$W/l2.eth0' && ! grep -q 'inet ' '$W/l2.eth0'"
check "DEL on kill" kill_ctr l2
check "nothing left of it" wait_for 5 nothing_left h1 ""

# --- older spec versions ----------------------------------------------------------
for v in 0.3.0 0.3.1 0.4.0; do
	netconf "$W/net.d-$v" 1 "$v"
	run_bg "v$v" "$W/net.d-$v"
	check "cniVersion $v: the container runs" comes_up "v$v"
	check "cniVersion $v: DEL on kill, nothing left" kill_and_check "v$v"
done

# --- cniVersion 1.1.0: containerd 1.6's libcni refuses the result -------------------
netconf "$W/net.d-v11" 1 1.1.0
run_bg v11 "$W/net.d-v11"
check "cniVersion 1.1.0: ctr run ends by itself" ctr_exited v11
check "with a non-zero status" test "$RUN_STATUS" -ne 0
check "because libcni: unsupported CNI result version \"1.1.0\"" or_show "$W/v11.out" \
	grep -q 'unsupported CNI result version "1.1.0"' "$W/v11.out"
check "the plugin had succeeded and ctr's DEL undid it" wait_for 5 nothing_left h1 ""
ADD11=$(calls ADD | tail -n 1)
check "the refused ADD carried cniVersion 1.1.0" grep -q '"cniVersion": *"1.1.0"' "$ADD11.json"
# ctr then cannot delete the task it created but never started.
ctrq task ls >"$W/v11.tasks" 2>&1
echo "# after the refused ADD, ctr left its task: $(grep -- "-v11 " "$W/v11.tasks" | tr -s ' ')"
ctrx "$W/net.d-empty" task rm -f "$CID_PREFIX-v11" >/dev/null 2>&1
ctrx "$W/net.d-empty" container rm "$CID_PREFIX-v11" >/dev/null 2>&1
check "ctr task rm -f and container rm clear it" fails known v11

# --- nothing of this outside our namespaces -----------------------------------
ctrd_leaves_nothing
done_testing
