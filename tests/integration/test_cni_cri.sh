#!/bin/bash
# SPDX-License-Identifier: MIT
# test_cni_cri.sh - containerd 1.6's CRI plugin (what the kubelet talks to)
# sets up pods' networks with the plugin: RunPodSandbox through a minimal
# CRI client (tests/tools/cri.py) on a private containerd in host 1
# (containerd_lib.sh); the pod is pinged from a plain worker on host 2, and
# StopPodSandbox runs DEL. Also the two limits of containerd 1.6: a
# layer-2-only network cannot be a pod's network, and results of spec
# 1.1.0 are refused. Records what the CRI passes to the plugin.
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
netconf "$W/net.d-pod" 1.0.0
netconf "$W/net.d-l2" 1.0.0 no-ipam
netconf "$W/net.d-v11" 1.1.0

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
# On the key of the pod's link (by default, the network's name).
check "peer worker on host 2" start_worker w1 h2 --link "$NET" "$TMP/k" 198.18.0.2:9201 198.18.0.1:9101
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
