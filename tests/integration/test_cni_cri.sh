#!/bin/bash
# SPDX-License-Identifier: MIT
# test_cni_cri.sh - containerd 1.6's CRI plugin (what the kubelet talks to)
# sets up pods' networks with the plugin: RunPodSandbox through a minimal
# CRI client (tests/tools/cri.py) on a private containerd in host 1
# (containerd_lib.sh); the pod is pinged from a plain worker on host 2, and
# StopPodSandbox runs DEL. Several pods on that one network (as
# deploy/kubernetes/10-tinytaptunnel.conflist: a pod named in `links`, the
# others a port of a listen range and a link of their own): three started at
# once, each with its own port and peer, a fourth refused. Also the two
# limits of containerd 1.6: a layer-2-only network cannot be a pod's
# network, and results of spec 1.1.0 are refused. Records what the CRI
# passes to the plugin.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/cni_lib.sh"
. "$(dirname "$0")/containerd_lib.sh"
require_root

$PY -c 'import grpc' 2>/dev/null || { not_ok "python3-grpcio is not installed"; done_testing; }
make_lan 2 || { not_ok "build the LAN"; done_testing; }
key_copy k
ctrd_init
CRI=("$PY" "$ROOT/tests/tools/cri.py" "$W/containerd.sock")
PODS=() # sandboxes to stop and remove at the end, whatever happens

cri_cleanup() {
	local id
	for id in "${PODS[@]}"; do
		"${CRI[@]}" stop "$id" >/dev/null 2>&1
		"${CRI[@]}" rm "$id" >/dev/null 2>&1
	done
	PODS=()
}
CLEANUP_HOOKS=(cri_cleanup "${CLEANUP_HOOKS[@]}")

# netconf DIR VERSION [NO_IPAM]: the pods' network as DIR's only file, every
# capability the CRI may fill declared (to see what it passes).
netconf() {
	local ipam
	ipam="\"ipam\": $(host_local 198.19.1.0/24 198.19.1.10 198.19.1.10 h1),"
	[ -n "${3:-}" ] && ipam=
	mkdir -p "$1"
	cat >"$1/10-$NET.conflist" <<JSON
{ "cniVersion": "$2", "name": "$NET",
  "plugins": [ { "type": "tinytaptunnel", "keyFile": "$TMP/k",
    "listen": "198.18.0.1:9101", "peer": "198.18.0.2:9201", $ipam
    "capabilities": { "portMappings": true, "bandwidth": true, "ips": true, "mac": true,
                      "dns": true, "io.kubernetes.cri.pod-annotations": true },
    "stateDir": "$TMP/state-h1" } ] }
JSON
}
netconf "$W/net.d-l2" 1.0.0 no-ipam
netconf "$W/net.d-v11" 1.1.0

# The pods' network, the only file of the CRI's own configuration directory
# (/etc/cni/net.d on a node): pod ns-a/pod-a has its values in `links`;
# any other pod gets the first free port of 9300-9302, the link
# lab-link/<namespace>/<pod> and learns its peer (no "peer").
RANGE=198.18.0.1:9300-9302
mkdir -p "$W/net.d-pod"
cat >"$W/net.d-pod/10-$NET.conflist" <<JSON
{ "cniVersion": "1.0.0", "name": "$NET",
  "plugins": [ { "type": "tinytaptunnel", "keyFile": "$TMP/k",
    "links": [ { "pod": "ns-a/pod-a", "link": "pod-a-h2",
                 "listen": "198.18.0.1:9101", "peer": "198.18.0.2:9201" } ],
    "listen": "$RANGE", "link": "{network}/{namespace}/{pod}",
    "ipam": $(host_local 198.19.1.0/24 198.19.1.10 198.19.1.19 h1),
    "capabilities": { "portMappings": true, "bandwidth": true, "ips": true, "mac": true,
                      "dns": true, "io.kubernetes.cri.pod-annotations": true },
    "stateDir": "$TMP/state-h1" } ] }
JSON

# Runtime handlers: runc (the default) on the IPAM network, l2 and v11 on
# the others (containerd 1.6: a CNI configuration directory per runtime).
runtime() {
	printf '    [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.%s]\n' "$1"
	printf '      runtime_type = "io.containerd.runc.v2"\n'
	[ -n "${2:-}" ] && printf '      cni_conf_dir = "%s"\n      cni_max_conf_num = 1\n' "$2"
	printf '      [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.%s.options]\n' "$1"
	printf '        Root = "%s/runc-%s"\n' "$W" "$1"
}
CRI_TOML="[plugins.\"io.containerd.grpc.v1.cri\"]
  sandbox_image = \"$IMAGE\"
  netns_mounts_under_state_dir = true
  disable_apparmor = true
  restrict_oom_score_adj = true
  stream_server_address = \"127.0.0.1\"
  [plugins.\"io.containerd.grpc.v1.cri\".cni]
    bin_dir = \"$W/cni-bin\"
    conf_dir = \"$W/net.d-pod\"
    max_conf_num = 1
  [plugins.\"io.containerd.grpc.v1.cri\".containerd]
    snapshotter = \"overlayfs\"
    default_runtime_name = \"runc\"
$(runtime runc)
$(runtime l2 "$W/net.d-l2")
$(runtime v11 "$W/net.d-v11")"

must "a private containerd with its CRI plugin starts in host 1" start_containerd "$CRI_TOML"
"${CRI[@]}" version >"$W/cri.version" 2>&1
must "the CRI answers" or_show "$W/cri.version" grep -q containerd "$W/cri.version"
echo "# CRI: $(cat "$W/cri.version")"
must "the busybox image, imported for the CRI (k8s.io)" or_show "$W/import.out" import_busybox k8s.io

# --- a pod on the tunnel ---------------------------------------------------------
# On the key of the pod's link, its entry's in `links`.
check "peer worker on host 2" start_worker w1 h2 --link pod-a-h2 "$TMP/k" 198.18.0.2:9201 198.18.0.1:9101
tap_address h2 "$(tap_of w1)" 198.19.1.2/24
T0=$(date +%s%N)
POD=$("${CRI[@]}" run pod-a "uid-$RUN_ID-a" ns-a 2>"$W/pod-a.err")
check "RunPodSandbox: the pod gets its network from the plugin" or_show "$W/pod-a.err" test -n "$POD"
[ -n "$POD" ] || grep -v 'level=info' "$W/containerd.log" | diag /dev/stdin
echo "# RunPodSandbox: $(( ($(date +%s%N) - T0) / 1000000 )) ms"
[ -n "$POD" ] && PODS+=("$POD")
ADD=$(calls ADD | tail -n 1)
NETNS=$(var "${ADD:-/none}" CNI_NETNS 2>/dev/null)
# The pod's namespace is mounted in containerd's mount namespace only.
nsenter --target "$CTRD_PID" --mount nsenter --net="${NETNS:-/none}" ip -d addr show eth0 \
	>"$W/pod.eth0" 2>&1
check "the pod's eth0 is a tap, MTU 1418, with the IPAM address" or_show "$W/pod.eth0" \
	sh -c "grep -q 'tun type tap' '$W/pod.eth0' && grep -q 'mtu 1418' '$W/pod.eth0' &&
		grep -q 'inet 198.19.1.10/24' '$W/pod.eth0'"
check "the sandbox's shim socket is in the test's /run/containerd" shim_sockets_here
check "host 2 pings the pod through the tunnel" pings h2 -c 3 -i 0.2 198.19.1.10
check "our record for <sandbox ID>:eth0" test -f "$TMP/state-h1/$NET/${POD:-none}:eth0.json"
check "  with the values of the pod's entry in links" test \
	"$(for k in link listen peer; do json "$TMP/state-h1/$NET/${POD:-none}:eth0.json" $k; done |
		tr '\n' ' ')" = "pod-a-h2 198.18.0.1:9101 198.18.0.2:9201 "

# What the CRI passed (ADD).
echo "# ADD: CNI_CONTAINERID=<sandbox ID> CNI_IFNAME=$(var "$ADD" CNI_IFNAME) CNI_NETNS=$NETNS" \
	"CNI_PATH=$(var "$ADD" CNI_PATH)"
echo "# ADD: CNI_ARGS=$(var "$ADD" CNI_ARGS)"
echo "# ADD: runtimeConfig=$($PY -c 'import json, sys; print(json.dumps(json.load(open(sys.argv[1])).get("runtimeConfig")))' "$ADD.json")"
ARGKEYS=$(var "$ADD" CNI_ARGS | tr ';' '\n' | cut -d= -f1 | sort | tr '\n' ' ')
check "CNI_ARGS: IgnoreUnknown and the pod's K8S_POD_* keys" test "$ARGKEYS" = \
	"IgnoreUnknown K8S_POD_INFRA_CONTAINER_ID K8S_POD_NAME K8S_POD_NAMESPACE K8S_POD_UID "
check "CNI_ARGS: the pod's name, namespace, UID and sandbox ID" sh -c \
	"var() { sed -n \"s/^\$2=//p\" \"\$1.env\"; }; a=\";\$(var '$ADD' CNI_ARGS);\";
	 case \$a in *';K8S_POD_NAME=pod-a;'*) ;; *) exit 1 ;; esac
	 case \$a in *';K8S_POD_NAMESPACE=ns-a;'*) ;; *) exit 1 ;; esac
	 case \$a in *';K8S_POD_UID=uid-$RUN_ID-a;'*) ;; *) exit 1 ;; esac
	 case \$a in *';K8S_POD_INFRA_CONTAINER_ID=$POD;'*) ;; *) exit 1 ;; esac"
check "CNI_IFNAME eth0, CNI_CONTAINERID the sandbox ID" \
	test "$(var "$ADD" CNI_IFNAME)/$(var "$ADD" CNI_CONTAINERID)" = "eth0/$POD"

"${CRI[@]}" stop "$POD" 2>"$W/stop.err"
check "StopPodSandbox runs DEL" or_show "$W/stop.err" test "$(records h1)" = 0
DEL=$(calls DEL | tail -n 1)
echo "# DEL: CNI_NETNS=$(var "$DEL" CNI_NETNS) CNI_ARGS=$(var "$DEL" CNI_ARGS)"
check "nothing left of the pod" nothing_left h1 ""
"${CRI[@]}" rm "$POD" 2>"$W/rm.err"
check "RemovePodSandbox" or_show "$W/rm.err" test $? -eq 0
PODS=()

# --- several pods on one network, without Multus ---------------------------------
# Three pods not in `links`, started at once: each gets its own port of the
# range and its own link, and carries pings to its own peer on host 2.
TTT=$BUILD/ttt
SHOWN=$W/shown.txt

# show: `ttt show --json` of the plugin's attachments, as one line per
# tunnel in $SHOWN: pod, whether it answers, its container, the listen
# address the worker reports and the recorded one, link, peer mode and peer.
# Fails when ttt does (its stderr in $W/show.err).
show() {
	"$TTT" show --json -d "$TMP/state-h1" >"$W/show.json" 2>"$W/show.err" && $PY -c '
import json, sys
for t in sorted(json.load(open(sys.argv[1]))["tunnels"], key=lambda t: str(t["pod"])):
    r = t["record"] or {}
    print(t["pod"], t["answering"], t["container_id"], t["listen"], r.get("listen"),
          t["link"], t["peer_mode"], t["peer"])' "$W/show.json" >"$SHOWN" 2>>"$W/show.err"
}

# shown [FIELDS]: the fields (cut -f, default all) of $SHOWN on one line.
shown() {
	cut -d' ' -f"${1:-1-}" "$SHOWN" | tr '\n' ' '
}

# field POD N: field N (1-based) of pod POD's line in $SHOWN.
field() {
	awk -v p="$1" -v n="$2" '$1 == p { print $n }' "$SHOWN"
}

# lists PODS: a fresh `ttt show` lists exactly PODS (as shown prints them).
lists() {
	show && [ "$(shown 1)" = "$1" ] && return 0
	echo "# ttt show lists: $(shown 1)"
	return 1
}

# own_peers: each of the three pods' workers learnt host 2 on its own port.
own_peers() {
	[ "$(awk '{ split($4, l, ":"); if ($8 == "198.18.0.2:" l[2]) print }' "$SHOWN" | wc -l)" = 3 ]
}

# plugin_workers: PIDs of ttt-worker processes (supervisors and workers)
# the plugin started for host 1 (their log is in its state directory).
plugin_workers() {
	local p
	for p in /proc/[0-9]*; do
		[ "$(readlink "$p/exe" 2>/dev/null)" = "$WORKER" ] &&
			tr '\0' ' ' 2>/dev/null <"$p/cmdline" | grep -qF -- "$TMP/state-h1/" && echo "${p#/proc/}"
	done
}

no_plugin_workers() {
	[ -z "$(plugin_workers)" ]
}

# fourth_left_nothing: three records, three leases, the workers of $W0.
fourth_left_nothing() {
	[ "$(records h1)" = 3 ] && [ "$(leases h1)" = 3 ] && [ "$(plugin_workers | sort)" = "$W0" ]
}

# workers_recorded: each record's workerPid is one of $W0, which has no other
# supervisor (a supervisor's child is a fork of it, with its command line:
# the supervisors are those whose parent is not one of $W0).
workers_recorded() {
	local f p pids=
	for f in "$TMP/state-h1/$NET/"*.json; do
		pids+="$(json "$f" workerPid)"$'\n'
	done
	[ -n "$W0" ] && [ "$(sort <<<"${pids%$'\n'}")" = "$(for p in $W0; do
		grep -qxF -- "$(awk '$1 == "PPid:" { print $2 }' "/proc/$p/status" 2>/dev/null)" \
			<<<"$W0" || echo "$p"; done | sort)" ]
}

# pod_of ID: the pod (namespace/name) of sandbox ID, from the CRI's ADD call.
pod_of() {
	local c a ns
	for c in $(calls ADD); do
		[ "$(var "$c" CNI_CONTAINERID)" = "$1" ] || continue
		a=";$(var "$c" CNI_ARGS);"
		ns=${a#*;K8S_POD_NAMESPACE=}
		a=${a#*;K8S_POD_NAME=}
		echo "${ns%%;*}/${a%%;*}"
		return
	done
	echo "$1"
}

# pod_address ID: the IPv4 address of sandbox ID's eth0 (in its namespace,
# mounted in containerd's mount namespace).
pod_address() {
	local netns
	netns=$(json "$TMP/state-h1/$NET/$1:eth0.json" netns) || return 1
	nsenter --target "$CTRD_PID" --mount nsenter --net="$netns" ip -4 -o addr show eth0 |
		sed -n 's/.* inet \([0-9.]*\)\/.*/\1/p'
}

SHOP=(web-0 web-1 web-2)
declare -A SB=() # pod -> sandbox ID
T0=$(date +%s%N)
runs=()
for p in "${SHOP[@]}"; do
	"${CRI[@]}" run "$p" "uid-$RUN_ID-$p" shop >"$W/$p.id" 2>"$W/$p.err" &
	runs+=($!)
done
wait "${runs[@]}" # each call is bounded (cri.py: 60 s)
echo "# three RunPodSandbox at once: $(( ($(date +%s%N) - T0) / 1000000 )) ms"
for p in "${SHOP[@]}"; do
	SB[$p]=$(cat "$W/$p.id")
	[ -n "${SB[$p]}" ] && PODS+=("${SB[$p]}")
done
check "three RunPodSandbox at once on one network: all three run" or_show "$W/web-0.err" sh -c \
	"[ -n '${SB[web-0]}' ] && [ -n '${SB[web-1]}' ] && [ -n '${SB[web-2]}' ]"
[ "${#PODS[@]}" = 3 ] || { diag "$W/web-1.err"; diag "$W/web-2.err"; }
check "ttt show --json" or_show "$W/show.err" show
check "  lists their three attachments, answering, one per pod" test "$(shown 1-3)" = \
	"shop/web-0 True ${SB[web-0]} shop/web-1 True ${SB[web-1]} shop/web-2 True ${SB[web-2]} "
PORTS=$(cut -d' ' -f4 "$SHOWN" | sort | tr '\n' ' ')
check "each listens on its own port of $RANGE ($PORTS)" \
	test "$PORTS" = "198.18.0.1:9300 198.18.0.1:9301 198.18.0.1:9302 "
check "  where its record says" test "$(awk '$4 == $5' "$SHOWN" | wc -l)" = 3
check "each is its own link: lab-link/shop/<pod>, learning its peer" test "$(shown 6,7)" = \
	"$NET/shop/web-0 learnt $NET/shop/web-1 learnt $NET/shop/web-2 learnt "

# Each pod's other end: a worker on host 2 on the pod's link, sending to
# the pod's port; its tap holds 198.19.1.2<i>/32 and a route to the pod.
for i in 0 1 2; do
	p=web-$i
	port=$(field "shop/$p" 4)
	port=${port##*:}
	addr=$(pod_address "${SB[$p]:-none}")
	echo "# shop/$p: sandbox ${SB[$p]:0:12}, port ${port:-?}, address ${addr:-?}"
	check "peer of shop/$p on host 2, on link $NET/shop/$p, to port ${port:-?}" \
		start_worker "r$i" h2 --ifname "r$i" --link "$NET/shop/$p" "$TMP/k" \
		"198.18.0.2:${port:-1}" "198.18.0.1:${port:-1}"
	tap_address h2 "r$i" "198.19.1.2$i/32"
	on h2 ip route add "${addr:-198.19.1.255}/32" dev "r$i" src "198.19.1.2$i"
	check "host 2 pings shop/$p (${addr:-?}) through its own tunnel" pings h2 -c 2 -i 0.2 "${addr:-198.19.1.255}"
done
check "ttt show --json, after the pings" or_show "$W/show.err" show
check "  each pod's worker learnt its own peer: host 2 on the pod's port" own_peers

# A fourth pod: no port left. The plugin's error reaches the CRI's caller,
# and nothing of the pod stays.
W0=$(plugin_workers | sort)
check "the three records name the plugin's supervisors running" workers_recorded
POD=$("${CRI[@]}" run web-3 "uid-$RUN_ID-web-3" shop 2>"$W/web-3.err")
[ -n "$POD" ] && PODS+=("$POD")
check "a fourth pod on the network is refused" test -z "$POD"
check "  the CRI says: no free port in listen range $RANGE (all 3 in use)" or_show "$W/web-3.err" \
	grep -qF "no free port in listen range $RANGE (all 3 in use)" "$W/web-3.err"
check "  nothing of it left: three records, three leases, the same workers" wait_for 5 fourth_left_nothing
check "  ttt show still lists the three pods, no other" lists "shop/web-0 shop/web-1 shop/web-2 "

# Stopping and removing the three (and a fourth, had it run) leaves nothing.
for id in "${PODS[@]}"; do
	"${CRI[@]}" stop "$id" 2>>"$W/stop.err" && "${CRI[@]}" rm "$id" 2>>"$W/stop.err"
	st=$?
	check "StopPodSandbox, RemovePodSandbox: $(pod_of "$id")" or_show "$W/stop.err" test "$st" -eq 0
done
PODS=()
check "no record, tap, log or lease left" nothing_left h1 ""
check "no worker left (were: ${W0//$'\n'/ })" wait_for 5 no_plugin_workers
check "ttt show lists no attachment" lists ""
for i in 0 1 2; do stop_worker "r$i"; done

# --- the limits of containerd 1.6 -----------------------------------------------
POD=$("${CRI[@]}" run pod-l2 "uid-$RUN_ID-l2" ns-a l2 2>"$W/pod-l2.err")
[ -n "$POD" ] && PODS+=("$POD")
check "a layer-2-only network cannot be a pod's network" test -z "$POD"
check "the CRI says: failed to find network info" or_show "$W/pod-l2.err" \
	grep -q 'failed to find network info for sandbox' "$W/pod-l2.err"
check "the plugin had attached it and the CRI's DEL undid it" wait_for 5 nothing_left h1 ""

POD=$("${CRI[@]}" run pod-v11 "uid-$RUN_ID-v11" ns-a v11 2>"$W/pod-v11.err")
[ -n "$POD" ] && PODS+=("$POD")
check "a spec 1.1.0 network cannot be a pod's network" test -z "$POD"
check "the CRI says: unsupported CNI result version \"1.1.0\"" or_show "$W/pod-v11.err" \
	grep -q 'unsupported CNI result version \\\?"1.1.0' "$W/pod-v11.err"
check "and its DEL undid the plugin's ADD" wait_for 5 nothing_left h1 ""
echo "# plugin calls: $(calls '*' | sed 's/.*-\([A-Z]*\)-[0-9]*$/\1/' | tr '\n' ' ')"

cri_cleanup
ctrd_leaves_nothing
done_testing
