#!/bin/bash
# SPDX-License-Identifier: MIT
# test_cni_versions.sh - results in every spec version we speak, and the
# per-attachment values: runtimeConfig, args.cni (Multus) and CNI_ARGS,
# most specific first.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/cni_lib.sh"
require_root

make_lan 1 || { not_ok "build the LAN"; done_testing; }
netns c1 || { not_ok "container namespace"; done_testing; }
key_copy k
IPAM=$(host_local 198.19.0.0/24 198.19.0.10 198.19.0.10 h1)

for v in 0.3.0 0.3.1 0.4.0 1.0.0 1.1.0; do
	CNIVER=$v conf "$TMP/v.json" h1 198.18.0.1:9123 198.18.0.2:9123 "$IPAM"
	if ! cni_ok h1 ADD ctr-v c1 "$TMP/v.json"; then
		not_ok "ADD with cniVersion $v"
		continue
	fi
	cp "$TMP/out.json" "$TMP/v.result"
	check "$v: result carries cniVersion $v" test "$(json "$TMP/v.result" cniVersion)" = "$v"
	case $v in
	0.*) check "$v: ips carry version 4" test "$(json "$TMP/v.result" ips.0.version)" = 4 ;;
	*) check "$v: ips carry no version field" fails json "$TMP/v.result" ips.0.version ;;
	esac
	case $v in
	1.1.0) check "$v: the interface reports its MTU" test "$(json "$TMP/v.result" interfaces.0.mtu)" = 1418 ;;
	*) check "$v: no MTU field before 1.1.0" fails json "$TMP/v.result" interfaces.0.mtu ;;
	esac
	if [ "$v" = 0.3.0 ] || [ "$v" = 0.3.1 ]; then
		$CNIJSON prev "$TMP/v.json" "$TMP/v.result" >"$TMP/v.check.json"
		cni h1 CHECK ctr-v c1 "$TMP/v.check.json"
		check "$v: CHECK is refused (it came with 0.4.0)" cni_error 1 "CHECK needs cniVersion 0.4.0"
	else
		$CNIJSON prev "$TMP/v.json" "$TMP/v.result" >"$TMP/v.check.json"
		check "$v: CHECK passes" cni_ok h1 CHECK ctr-v c1 "$TMP/v.check.json"
	fi
	check "$v: DEL" cni_ok h1 DEL ctr-v c1 "$TMP/v.json"
	check "$v: nothing left" nothing_left h1 c1
done

# Per-attachment values. The configuration says MAC ...:01, peer .2:9123.
# A pod may choose its peer and listen address only where podArgs lets it
# (and then its link is its own: {namespace}/{pod}).
conf "$TMP/o0.json" h1 198.18.0.1:9123 198.18.0.2:9123 "" '"mac":"02:00:00:00:00:01"'
cni h1 ADD ctr-o c1 "$TMP/o0.json" "K8S_POD_NAMESPACE=ns;K8S_POD_NAME=p;TTT_PEER=198.18.0.7:7"
check "by default a pod may not choose its peer (CNI_ARGS TTT_PEER)" \
	cni_error 7 "CNI_ARGS TTT_PEER '198.18.0.7:7': a pod may not choose its peer"
check "  nothing made" nothing_left h1 c1
check "  and DEL of that attachment still succeeds" \
	cni_ok h1 DEL ctr-o c1 "$TMP/o0.json" "K8S_POD_NAMESPACE=ns;K8S_POD_NAME=p;TTT_PEER=198.18.0.7:7"
conf "$TMP/o.json" h1 198.18.0.1:9123 198.18.0.2:9123 "" '"mac":"02:00:00:00:00:01",
	"podArgs":{"peer":["198.18.0.0/24"],"listen":["198.18.0.1/32"],"listenPorts":"9200-9299"},
	"link":"{namespace}/{pod}"'
mac() { ip -n "$(ns c1)" link show net1 | sed -n 's/.*link\/ether \([^ ]*\).*/\1/p'; }
peer_of() { sed -n "s/.*--mtu [0-9]* --window [0-9.]* [^ ]* [^ ]* //p" "/proc/$1/cmdline" 2>/dev/null; }
args_of() { tr '\0' ' ' <"/proc/$1/cmdline"; }
POD="K8S_POD_NAMESPACE=ns;K8S_POD_NAME=p"

cni h1 ADD ctr-o c1 "$TMP/o.json" "$POD;TTT_PEER=198.18.1.7:7"
check "a peer outside podArgs.peer is refused" cni_error 7 "outside the prefixes a pod may choose"
cni h1 ADD ctr-o c1 "$TMP/o.json" "$POD;TTT_LISTEN=198.18.0.1:9123"
check "a listen port outside podArgs.listenPorts is refused" cni_error 7 "outside the ports"
check "CNI_ARGS MAC, TTT_PEER, TTT_LISTEN" \
	cni_ok h1 ADD ctr-o c1 "$TMP/o.json" "IgnoreUnknown=1;$POD;MAC=02:00:00:00:00:03;TTT_PEER=198.18.0.7:7;TTT_LISTEN=198.18.0.1:9200"
check "the MAC came from CNI_ARGS" test "$(mac)" = 02:00:00:00:00:03
p=$(worker_pid h1 ctr-o)
check "so did the peer and listen address" \
	sh -c "tr '\0' ' ' </proc/$p/cmdline | grep -q '198.18.0.1:9200 198.18.0.7:7'"
cni_ok h1 DEL ctr-o c1 "$TMP/o.json"

$CNIJSON with "$TMP/o.json" 'args={"cni":{"mac":"02:00:00:00:00:04","peer":"198.18.0.8:8"}}' \
	'runtimeConfig={"mac":"02:00:00:00:00:05"}' >"$TMP/o2.json"
check "runtimeConfig and args.cni together" cni_ok h1 ADD ctr-o c1 "$TMP/o2.json" "$POD;MAC=02:00:00:00:00:03;TTT_PEER=198.18.0.7:7"
check "runtimeConfig.mac wins over args.cni and CNI_ARGS" test "$(mac)" = 02:00:00:00:00:05
p=$(worker_pid h1 ctr-o)
check "args.cni.peer wins over CNI_ARGS" sh -c "tr '\0' ' ' </proc/$p/cmdline | grep -q '198.18.0.8:8'"
cni_ok h1 DEL ctr-o c1 "$TMP/o2.json"

$CNIJSON with "$TMP/o.json" 'args={"cni":{"mac":"02:00:00:00:00:04"}}' >"$TMP/o3.json"
check "args.cni.mac alone" cni_ok h1 ADD ctr-o c1 "$TMP/o3.json" "$POD;MAC=02:00:00:00:00:03"
check "args.cni.mac wins over CNI_ARGS" test "$(mac)" = 02:00:00:00:00:04
cni_ok h1 DEL ctr-o c1 "$TMP/o3.json"
check "without overrides the configuration's MAC" cni_ok h1 ADD ctr-o c1 "$TMP/o.json" "$POD"
check "is used" test "$(mac)" = 02:00:00:00:00:01
cni_ok h1 DEL ctr-o c1 "$TMP/o.json"
check "nothing left" nothing_left h1 c1
done_testing
