#!/bin/bash
# SPDX-License-Identifier: MIT
# test_cni_errors.sh - every bad input is refused with CNI error JSON (the
# spec's code where one fits, a message naming the problem) and leaves
# nothing behind; failures part-way through ADD take back all they made.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/cni_lib.sh"
require_root

make_lan 1 || { not_ok "build the LAN"; done_testing; }
netns c1 || { not_ok "container namespace"; done_testing; }
key_copy k
: >"$TMP/empty.key"
echo "not base64!" >"$TMP/junk.key"
IPAM=$(host_local 198.19.0.0/24 198.19.0.10 198.19.0.10 h1)
conf "$TMP/good.json" h1 198.18.0.1:9123 198.18.0.2:9123 "$IPAM"
NS1=/var/run/netns/$(ns c1)

# refused NAME CODE PATTERN: the last plugin run failed that way and left
# nothing behind.
refused() {
	local name=$1 code=$2 pattern=$3
	if cni_error "$code" "$pattern" && nothing_left h1 c1; then
		ok "$name: $(json "$TMP/out.json" msg)"
	else
		not_ok "$name"
	fi
}

# env_case NAME CODE PATTERN VAR=VALUE...: the plugin with a hand-made environment.
env_case() {
	local name=$1 code=$2 pattern=$3
	shift 3
	ip netns exec "$(ns h1)" env -i PATH="$PATH" "$@" "$PLUGIN" <"$TMP/good.json" \
		>"$TMP/out.json" 2>"$TMP/err.txt"
	refused "$name" "$code" "$pattern"
}
BASE=(CNI_CONTAINERID=ctr CNI_NETNS="$NS1" CNI_IFNAME=net1 CNI_PATH="$CNI_PLUGINS")
env_case "no CNI_COMMAND" 4 "CNI_COMMAND is not set" "${BASE[@]}"
env_case "unknown CNI_COMMAND" 4 "unknown CNI_COMMAND: BOGUS" CNI_COMMAND=BOGUS "${BASE[@]}"
env_case "ADD without CNI_CONTAINERID" 4 "CNI_CONTAINERID is required for ADD" CNI_COMMAND=ADD \
	CNI_NETNS="$NS1" CNI_IFNAME=net1 CNI_PATH="$CNI_PLUGINS"
env_case "ADD without CNI_NETNS" 4 "CNI_NETNS is required for ADD" CNI_COMMAND=ADD \
	CNI_CONTAINERID=ctr CNI_IFNAME=net1 CNI_PATH="$CNI_PLUGINS"
env_case "ADD without CNI_IFNAME" 4 "CNI_IFNAME is required for ADD" CNI_COMMAND=ADD \
	CNI_CONTAINERID=ctr CNI_NETNS="$NS1" CNI_PATH="$CNI_PLUGINS"
env_case "ADD without CNI_PATH" 4 "CNI_PATH is required for ADD" CNI_COMMAND=ADD \
	CNI_CONTAINERID=ctr CNI_NETNS="$NS1" CNI_IFNAME=net1
env_case "DEL without CNI_CONTAINERID" 4 "CNI_CONTAINERID is required for DEL" CNI_COMMAND=DEL \
	CNI_IFNAME=net1 CNI_PATH="$CNI_PLUGINS"
env_case "container ID with bad characters" 4 "CNI_CONTAINERID 'a b' is not valid" \
	CNI_COMMAND=ADD CNI_CONTAINERID="a b" CNI_NETNS="$NS1" CNI_IFNAME=net1 CNI_PATH="$CNI_PLUGINS"
env_case "interface name too long" 4 "CNI_IFNAME 'much-too-long-name' is not a valid interface" \
	CNI_COMMAND=ADD CNI_CONTAINERID=ctr CNI_NETNS="$NS1" CNI_IFNAME=much-too-long-name \
	CNI_PATH="$CNI_PLUGINS"
env_case "netns that does not exist" 3 "cannot open network namespace /var/run/netns/nope" \
	CNI_COMMAND=ADD CNI_CONTAINERID=ctr CNI_NETNS=/var/run/netns/nope CNI_IFNAME=net1 \
	CNI_PATH="$CNI_PLUGINS"
env_case "netns that is not a namespace" 3 "is not a network namespace" CNI_COMMAND=ADD \
	CNI_CONTAINERID=ctr CNI_NETNS="$TMP/k" CNI_IFNAME=net1 CNI_PATH="$CNI_PLUGINS"
env_case "malformed CNI_ARGS" 4 "'garbage' is not KEY=VALUE" CNI_COMMAND=ADD "${BASE[@]}" \
	CNI_ARGS="garbage"
env_case "unknown CNI_ARGS key" 7 "unknown key 'FOO'" CNI_COMMAND=ADD "${BASE[@]}" CNI_ARGS="FOO=1"

# conf_case NAME CODE PATTERN KEY=JSON...: the good configuration with
# top-level keys changed (KEY=- removes one).
conf_case() {
	local name=$1 code=$2 pattern=$3
	shift 3
	$CNIJSON with "$TMP/good.json" "$@" >"$TMP/bad.json"
	cni h1 ADD ctr c1 "$TMP/bad.json"
	refused "$name" "$code" "$pattern"
}
echo "{not json" >"$TMP/bad.json"
cni h1 ADD ctr c1 "$TMP/bad.json"
refused "not JSON" 6 "not valid JSON"
echo '[1,2]' >"$TMP/bad.json"
cni h1 ADD ctr c1 "$TMP/bad.json"
refused "not an object" 6 "not a JSON object"
conf_case "no cniVersion" 7 "field 'cniVersion' is required" cniVersion=-
conf_case "unsupported cniVersion" 1 "incompatible CNI version 0.2.0" 'cniVersion="0.2.0"'
conf_case "no name" 7 "field 'name'" name=-
conf_case "bad name" 7 "field 'name' must be letters" 'name="bad name!"'
conf_case "name of the wrong type" 7 "field 'name' must be a string" name=7
conf_case "no keyFile" 7 "field 'keyFile' is required" keyFile=-
conf_case "relative keyFile" 7 "field 'keyFile' must be an absolute path" 'keyFile="k"'
conf_case "missing key file" 7 "cannot open key file $TMP/nope.key" "keyFile=\"$TMP/nope.key\""
conf_case "empty key file" 7 "key file $TMP/empty.key: it holds no key" "keyFile=\"$TMP/empty.key\""
conf_case "key file not base64" 7 "key file $TMP/junk.key: not valid base64" \
	"keyFile=\"$TMP/junk.key\""
conf_case "key file is a directory" 7 "is not a regular file" "keyFile=\"$TMP\""
conf_case "no listen" 7 "field 'listen' is required" listen=-
conf_case "listen without a port" 7 "field 'listen' ('198.18.0.1'): missing port" \
	'listen="198.18.0.1"'
conf_case "listen on port 0" 7 "port 0 is not allowed" 'listen="198.18.0.1:0"'
conf_case "listen of the wrong type" 7 "field 'listen' must be a string" listen=9123
conf_case "listen address not on this host" 7 "cannot listen on 198.18.9.9:9123" \
	'listen="198.18.9.9:9123"'
conf_case "peer without a host" 7 "field 'peer' needs a host" 'peer=":9123"'
conf_case "unresolvable peer" 7 "peer address 'no-such-host.invalid:1': cannot resolve" \
	'peer="no-such-host.invalid:1"'
conf_case "IPv6 peer for an IPv4 socket" 7 "has no IPv4 address" 'peer="[2001:db8::2]:9123"'
conf_case "mtu as a string" 7 "field 'mtu' must be a number" 'mtu="1418"'
conf_case "fractional mtu" 7 "field 'mtu' must be a whole number" mtu=1418.5
conf_case "mtu too small" 7 "field 'mtu' must be a whole number from 68" mtu=67
conf_case "bad mac" 7 "field 'mac' must be a unicast MAC" 'mac="nope"'
conf_case "multicast mac" 7 "field 'mac' must be a unicast MAC" 'mac="01:00:5e:00:00:01"'
conf_case "window 0" 7 "field 'window' must be a number of seconds" window=0
conf_case "window as a string" 7 "field 'window' must be a number" 'window="3"'
conf_case "ipam not an object" 7 "field 'ipam' must be an object" 'ipam="host-local"'
conf_case "ipam without a type" 7 "field 'ipam.type' must name" 'ipam={}'
conf_case "ipam type with a slash" 7 "field 'ipam.type' must name" 'ipam={"type":"../host-local"}'
conf_case "ipam plugin not installed" 7 "plugin no-such-ipam not found in CNI_PATH" \
	'ipam={"type":"no-such-ipam"}'
conf_case "args.cni.peer of the wrong type" 7 "peer" 'args={"cni":{"peer":7}}'
conf_case "bad runtimeConfig.mac" 7 "field 'runtimeConfig.mac' must be a unicast MAC" \
	'runtimeConfig={"mac":"zz"}'
conf_case "relative stateDir" 7 "field 'stateDir' must be an absolute path" 'stateDir="state"'
conf_case "CHECK-only prevResult of the wrong type" 7 "field 'prevResult' must be an object" \
	'prevResult=[]'

# The listen port is taken (by a worker of ours, as it would be by anything).
check "a worker holds 198.18.0.1:9123" start_worker w1 h1 "$TMP/k" 198.18.0.1:9123 198.18.0.2:9123
cni h1 ADD ctr c1 "$TMP/good.json"
if cni_error 101 "cannot listen on 198.18.0.1:9123: Address already in use" &&
	[ "$(records h1)/$(leases h1)" = 0/0 ] && no_taps c1; then
	ok "port already bound: code 101, nothing made"
else
	not_ok "port already bound"
fi
stop_worker w1

# Failures part-way through ADD take everything back.
on c1 ip link add net1 type veth peer name net1-peer
cni h1 ADD ctr c1 "$TMP/good.json"
check "interface name taken in the container: refused" cni_error 100 "interface net1 already exists"
check "no tap left in the host namespace, no lease, no record" nothing_left h1 ""
check "the container's own net1 is untouched" \
	sh -c "ip -d -n $(ns c1) link show net1 | grep -q veth"
on c1 ip link del net1

netns c2
check "another container takes the only address in the range" cni_ok h1 ADD ctr-other c2 "$TMP/good.json"
conf "$TMP/g2.json" h1 198.18.0.1:9124 198.18.0.2:9123 "$IPAM"
cni h1 ADD ctr c1 "$TMP/g2.json"
check "IPAM failure: its error (code and message) is passed on" cni_error 999 \
	"ADD plugin host-local: failed to allocate"
if no_taps c1 && no_taps h1 && [ "$(records h1)/$(leases h1)" = 1/1 ]; then
	ok "IPAM failure: only the other container's record and lease remain"
else
	not_ok "IPAM failure: something was left"
fi
check "the other container is unharmed" kill -0 "$(worker_pid h1 ctr-other)"
cni_ok h1 DEL ctr-other c2 "$TMP/good.json"

conf "$TMP/route.json" h1 198.18.0.1:9123 198.18.0.2:9123 \
	"$(host_local 198.19.0.0/24 198.19.0.10 198.19.0.10 h1 '[{"dst":"198.20.0.0/16","gw":"198.21.0.1"}]')"
cni h1 ADD ctr c1 "$TMP/route.json"
check "failure after IPAM (unreachable route gateway): refused" cni_error 100 "198.20.0.0/16"
check "and rolled back: lease released, no tap, no worker, no record" nothing_left h1 c1
check "the port is free again: the next ADD works" cni_ok h1 ADD ctr c1 "$TMP/good.json"
check "DEL" cni_ok h1 DEL ctr c1 "$TMP/good.json"
check "nothing left at the end" nothing_left h1 c1
done_testing
