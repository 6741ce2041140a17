#!/bin/bash
# SPDX-License-Identifier: MIT
# cni_lib.sh - running the CNI plugin the way a runtime does (environment,
# configuration on stdin, result on stdout) in test namespaces, and
# checking what it leaves behind. Source after lib.sh.

PLUGIN=$BUILD/tinytaptunnel
CNIJSON="$PY $ROOT/tests/tools/cnijson.py"
CNI_PLUGINS=${CNI_PLUGINS:-/usr/lib/cni}
NET=lab-link

# conf FILE HOST LISTEN PEER [IPAM_JSON [EXTRA_JSON_MEMBERS]]: a network
# configuration whose state and IPAM data live under $TMP/HOST. PEER "" means
# discovery; IPAM_JSON "" means no IPAM (layer 2 only).
conf() {
	local file=$1 host=$2 listen=$3 peer=$4 ipam=${5:-} extra=${6:-}
	{
		printf '{"cniVersion":"%s","name":"%s","type":"tinytaptunnel",' "${CNIVER:-1.0.0}" "$NET"
		printf '"keyFile":"%s","listen":"%s",' "$TMP/k" "$listen"
		[ -n "$peer" ] && printf '"peer":"%s",' "$peer"
		[ -n "$ipam" ] && printf '"ipam":%s,' "$ipam"
		[ -n "$extra" ] && printf '%s,' "$extra"
		printf '"stateDir":"%s"}\n' "$TMP/state-$host"
	} >"$file"
}

# host_local SUBNET FIRST LAST HOST [ROUTES_JSON]: host-local IPAM settings.
host_local() {
	printf '{"type":"host-local","subnet":"%s","rangeStart":"%s","rangeEnd":"%s","dataDir":"%s"%s}' \
		"$1" "$2" "$3" "$TMP/ipam-$4" "${5:+,\"routes\":$5}"
}

# cni HOST COMMAND CID CONTAINER CONF [CNI_ARGS]: runs the plugin in HOST's
# namespace for container namespace CONTAINER ("" for none); stdout goes to
# $TMP/out.json, stderr to $TMP/err.txt. Returns the plugin's status.
cni() {
	local host=$1 cmd=$2 cid=$3 cns=$4 conf=$5 args=${6:-} netns=
	[ -n "$cns" ] && netns=/var/run/netns/$(ns "$cns")
	ip netns exec "$(ns "$host")" env -i PATH="$PATH" CNI_COMMAND="$cmd" \
		CNI_CONTAINERID="$cid" CNI_NETNS="$netns" CNI_IFNAME="${IFNAME:-net1}" \
		CNI_PATH="$CNI_PLUGINS" CNI_ARGS="$args" "$PLUGIN" <"$conf" >"$TMP/out.json" 2>"$TMP/err.txt"
}

# cni_ok ...: cni that must succeed (prints its output on failure).
cni_ok() {
	cni "$@" && return 0
	echo "# plugin failed:"
	diag "$TMP/out.json"
	diag "$TMP/err.txt"
	return 1
}

# json FILE PATH: a value from a JSON file.
json() {
	$CNIJSON get "$1" "$2"
}

# cni_error CODE PATTERN: the last output is an error with CODE and a msg
# matching PATTERN.
cni_error() {
	local code msg
	code=$(json "$TMP/out.json" code) || {
		echo "# no error JSON:"
		diag "$TMP/out.json"
		return 1
	}
	msg=$(json "$TMP/out.json" msg)
	[ "$code" = "$1" ] && grep -q -- "$2" <<<"$msg" && return 0
	echo "# got code $code, msg: $msg"
	return 1
}

records() {
	ls "$TMP/state-$1/$NET/"*.json 2>/dev/null | wc -l
}

# leases HOST: addresses host-local holds for us.
leases() {
	ls "$TMP/ipam-$1/$NET/" 2>/dev/null | grep -c '^[0-9a-f:.]*[0-9a-f]$'
}

# worker_pid HOST CID [IFNAME]
worker_pid() {
	json "$TMP/state-$1/$NET/$2:${3:-net1}.json" workerPid
}

# nothing_left HOST CONTAINER: no tap on either side, no record, no live
# log, no attachment lock, no lease of ours (the kept logs in old/ stay, on
# purpose: cni/logkeep.h).
nothing_left() {
	local host=$1 cns=$2 extra
	extra=$(ls -A "$TMP/state-$host/$NET" 2>/dev/null | grep -v -e '^\.lock$' -e '^old$')
	if ! no_taps "$host"; then echo "# a tap is left on $host"; return 1; fi
	if [ -n "$cns" ] && ip netns list | grep -q "^$(ns "$cns")\b" && ! no_taps "$cns"; then
		echo "# a tap is left in $cns"; return 1
	fi
	if [ -n "$extra" ]; then echo "# state left: $extra"; return 1; fi
	if [ "$(leases "$host")" != 0 ]; then echo "# leases left: $(ls "$TMP/ipam-$host/$NET")"; return 1; fi
}
