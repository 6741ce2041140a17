#!/bin/bash
# SPDX-License-Identifier: MIT
# test_errors.sh - bad input is refused with a message naming the problem,
# and leaves nothing behind (no tap, no process, no new key file).
. "$(dirname "$0")/lib.sh"
require_root

make_lan 1 || { not_ok "build the LAN"; done_testing; }
key_copy k
mkdir "$TMP/keys"

# refuse NAME STATUS PATTERN ARGS...: the worker, run in h1, exits with
# STATUS, prints PATTERN, and leaves no tap and no file in $TMP/keys.
refuse() {
	local name=$1 want=$2 pattern=$3 status
	shift 3
	if [ "${1:-}" = setpriv ]; then # run as another user: the command is given whole
		timeout 10 ip netns exec "$(ns h1)" "$@" >"$TMP/out" 2>&1
	else
		timeout 10 ip netns exec "$(ns h1)" "$WORKER" "$@" >"$TMP/out" 2>&1
	fi
	status=$?
	if [ "$status" != "$want" ] || ! grep -q -- "$pattern" "$TMP/out"; then
		not_ok "$name (status $status)"
		diag "$TMP/out"
		return
	fi
	if ! no_taps h1 || [ -n "$(ls -A "$TMP/keys")" ]; then
		not_ok "$name: something was left behind"
		return
	fi
	ok "$name: $(head -n 1 "$TMP/out")"
}

NEWKEY=$TMP/keys/new.key
refuse "no arguments prints usage" 2 "Usage:"
refuse "one argument" 2 "got 1 argument" "$TMP/k"
refuse "unknown option" 2 "unknown option '--nope'" --nope "$TMP/k" :1
refuse "port 0" 1 "local address '198.18.0.1:0': port 0" "$NEWKEY" 198.18.0.1:0
refuse "port 65536" 1 "port 65536 is out of range" "$NEWKEY" :65536
refuse "missing port" 1 "local address '198.18.0.1': missing port" "$NEWKEY" 198.18.0.1
refuse "IPv6 without brackets" 1 "must be in brackets" "$NEWKEY" 2001:db8::1:9123
refuse "malformed IPv4" 1 "'198.18.0.256' is not an IPv4 address" "$NEWKEY" 198.18.0.256:9123
refuse "unresolvable peer" 1 "peer address 'no-such-host.invalid:9123': cannot resolve" \
	"$NEWKEY" :9123 no-such-host.invalid:9123
refuse "address not on this host" 1 "cannot listen on 198.18.9.9:9123" "$NEWKEY" 198.18.9.9:9123
refuse "IPv4 local, IPv6 peer" 1 "no IPv4 address" "$NEWKEY" 198.18.0.1:9123 "[2001:db8::2]:1"
refuse "missing key directory" 1 "directory $TMP/keys/nodir does not exist" \
	"$TMP/keys/nodir/k" 198.18.0.1:9123
: >"$TMP/empty.key"
refuse "empty key file" 1 "key file $TMP/empty.key: it holds no key" "$TMP/empty.key" :9123
echo "not base64 at all" >"$TMP/junk.key"
refuse "non-base64 key file" 1 "key file $TMP/junk.key: not valid base64" "$TMP/junk.key" :9123
refuse "key file is a directory" 1 "key file $TMP/keys is not a regular file" "$TMP/keys" :9123
# Unreadable: as an unprivileged user, a root-only key file cannot be opened.
chmod 0711 "$TMP"
refuse "unreadable key file" 1 "cannot open key file $TMP/k: Permission denied" \
	setpriv --reuid=65534 --regid=65534 --clear-groups -- "$WORKER" "$TMP/k" 198.18.0.1:9123
refuse "bad MTU" 2 "MTU '40'" --mtu 40 "$TMP/k" :9123
refuse "bad window" 2 "window '-1'" --window -1 "$TMP/k" :9123
refuse "bad keepalive" 2 "keepalive '1.5': must be a whole number of seconds" --keepalive 1.5 "$TMP/k" :9123
refuse "interface name taken by a veth" 1 "interface eth0 already exists" \
	--ifname eth0 "$TMP/k" :9123
refuse "inherited descriptor that is not a tap" 1 "descriptor 0 is not a tap" \
	--tap-fd 0 "$TMP/k" :9123

check "a worker holds 198.18.0.1:9123" start_worker w1 h1 "$TMP/k" 198.18.0.1:9123 198.18.0.2:9123
timeout 10 ip netns exec "$(ns h1)" "$WORKER" "$TMP/k" 198.18.0.1:9123 >"$TMP/out" 2>&1
check "port in use: exit status 1" test $? -eq 1
check "port in use: message names address and reason" \
	grep -q "cannot listen on 198.18.0.1:9123: Address already in use" "$TMP/out"
check "port in use: only the first worker's tap exists" \
	test "$(ip -n "$(ns h1)" -o link show type tun | wc -l)" -eq 1
stop_worker w1

# Generated keys: 0600, 44 base64 characters, never overwritten.
check "worker generates a missing key" start_worker w2 h1 "$NEWKEY" 198.18.0.1:9123
check "it says so" grep -q "generated a new key in $NEWKEY" "$TMP/w2.log"
check "mode 0600" test "$(stat -c %a "$NEWKEY")" = 600
check "44 bytes, no newline" test "$(stat -c %s "$NEWKEY")" -eq 44
check "32 random bytes" test "$(base64 -d "$NEWKEY" | wc -c)" -eq 32
stop_worker w2
cp "$NEWKEY" "$TMP/saved.key"
check "second start reuses it" start_worker w3 h1 "$NEWKEY" 198.18.0.1:9123
check "the key file is unchanged" cmp -s "$NEWKEY" "$TMP/saved.key"
check "no generation message the second time" sh -c "! grep -q generated '$TMP/w3.log'"
stop_worker w3

chmod 0644 "$TMP/saved.key"
check "worker with a readable key file" start_worker w4 h1 "$TMP/saved.key" 198.18.0.1:9123
check "warns about its mode" grep -q "accessible by group or others (mode 0644)" "$TMP/w4.log"
stop_worker w4

check "custom name and MTU" start_worker w5 h1 --ifname tttx0 --mtu 1280 "$TMP/k" 198.18.0.1:9123
check "the tap is tttx0 with MTU 1280" \
	sh -c "ip -n $(ns h1) link show tttx0 | grep -q 'mtu 1280'"
stop_worker w5
check "nothing left in the namespace" no_taps h1
done_testing
