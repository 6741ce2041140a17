#!/bin/bash
# SPDX-License-Identifier: MIT
# test_cni_libcni.sh - the plugin under an unmodified CNI client: libcni
# (the library containerd, CRI-O and podman call), as Debian ships it,
# running ADD, CHECK and DEL on a conflist for a container on each host.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/cni_lib.sh"
require_root

CLIENT=$BUILD/tests/cniclient
if [ ! -x "$CLIENT" ]; then
	not_ok "the libcni client was not built (make $BUILD/tests/cniclient)"
	done_testing
fi
make_lan 2 || { not_ok "build the LAN"; done_testing; }
netns c1 && netns c2 || { not_ok "container namespaces"; done_testing; }
key_copy k
mkdir -p "$TMP/cni-bin"
ln -s "$PLUGIN" "$TMP/cni-bin/tinytaptunnel"
ln -s "$CNI_PLUGINS/host-local" "$TMP/cni-bin/host-local"

# conflist FILE HOST LISTEN PEER ADDRESS
conflist() {
	cat >"$1" <<JSON
{ "cniVersion": "1.0.0", "name": "$NET",
  "plugins": [ { "type": "tinytaptunnel", "keyFile": "$TMP/k",
    "listen": "$3", "peer": "$4", "stateDir": "$TMP/state-$2",
    "capabilities": { "mac": true },
    "ipam": { "type": "host-local", "subnet": "198.19.0.0/24", "rangeStart": "$5",
              "rangeEnd": "$5", "dataDir": "$TMP/ipam-$2" } } ] }
JSON
}
conflist "$TMP/a.conflist" h1 198.18.0.1:9123 198.18.0.2:9123 198.19.0.10
conflist "$TMP/b.conflist" h2 198.18.0.2:9123 198.18.0.1:9123 198.19.0.20

# libcni HOST COMMAND CONFLIST CID CONTAINER [CNI_ARGS]
libcni() {
	local host=$1 cmd=$2 list=$3 cid=$4 cns=$5 args=${6:-}
	ip netns exec "$(ns "$host")" env CNI_PATH="$TMP/cni-bin" CNI_CACHE_DIR="$TMP/cache-$host" \
		"$CLIENT" "$cmd" "$list" "$cid" "/var/run/netns/$(ns "$cns")" net1 $args \
		>"$TMP/out.json" 2>"$TMP/err.txt" && return 0
	diag "$TMP/err.txt"
	return 1
}

check "libcni VERSION: it negotiates with the plugin" libcni h1 VERSION "$TMP/a.conflist" x c1
check "and sees 1.0.0 among its versions" grep -q '"1.0.0"' "$TMP/out.json"
CNI_CAPABILITY_ARGS='{"mac":"02:00:00:00:0a:01"}' \
	check "libcni ADD on host 1 (with a mac capability)" \
	libcni h1 ADD "$TMP/a.conflist" ctr-a c1 "IgnoreUnknown=1;K8S_POD_NAMESPACE=ns;K8S_POD_NAME=a"
check "the result names net1 with 198.19.0.10" \
	sh -c "grep -q '\"198.19.0.10/24\"' '$TMP/out.json' && grep -q '\"net1\"' '$TMP/out.json'"
check "runtimeConfig.mac reached the plugin" \
	sh -c "ip -n $(ns c1) link show net1 | grep -q 02:00:00:00:0a:01"
check "libcni ADD on host 2" libcni h2 ADD "$TMP/b.conflist" ctr-b c2
check "container 1 pings container 2" pings c1 -c 3 -i 0.2 198.19.0.20
check "container 2 pings container 1" pings c2 -c 3 -i 0.2 198.19.0.10
check "libcni CHECK (prevResult from libcni's cache)" libcni h1 CHECK "$TMP/a.conflist" ctr-a c1
on c1 ip link set net1 down
check "libcni CHECK fails when the interface is down" fails libcni h1 CHECK "$TMP/a.conflist" ctr-a c1
check "and says so" grep -q "interface net1 is down" "$TMP/err.txt"
on c1 ip link set net1 up
check "libcni DEL on host 1" libcni h1 DEL "$TMP/a.conflist" ctr-a c1
check "libcni DEL again" libcni h1 DEL "$TMP/a.conflist" ctr-a c1
check "libcni DEL on host 2" libcni h2 DEL "$TMP/b.conflist" ctr-b c2
check "nothing left on host 1" nothing_left h1 c1
check "nothing left on host 2" nothing_left h2 c2
check "libcni's cache is empty again" test -z "$(find "$TMP/cache-h1" -type f 2>/dev/null)"
done_testing
