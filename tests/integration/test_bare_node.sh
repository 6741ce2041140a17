#!/bin/bash
# SPDX-License-Identifier: MIT
# shellcheck disable=SC2153 # ROOT, BUILD, TMP, PY, NET, VECTORS... come from lib.sh and cni_lib.sh
# test_bare_node.sh - the static build (make static, static.mk) on nodes that
# have none of our libraries:
#   1. a bare root: only what `make install-static DESTDIR=` installs, a
#      static host-local, a key, /etc/hosts and /etc/resolv.conf, with /proc,
#      /sys, /dev and /run/netns mounted. No C library at all. The plugin,
#      run there by chroot, does ADD (a peer given by a name from /etc/hosts),
#      a ping through the tunnel to a plain ttt-worker, CHECK and DEL; a
#      standalone worker finds its peer through DNS (tests/tools/dnsstub.py),
#      starts, carries a ping and stops; unknown names are refused clearly;
#   2. the same root with the kernel of Linux 4.17 as far as system calls go
#      (tests/tools/oldkernel.c): no close_range, no pidfd, no UDP GSO/GRO;
#   3. Debian bullseye's root (glibc 2.31, older than the build's 2.36),
#      debootstrapped once and cached in build-static/roots/, used through an
#      overlay so that every run starts from the same tree.
# Everything is mounted under $TMP, undone on every exit path; the last
# points check that findmnt shows nothing of it.
# shellcheck source=/dev/null
. "$(dirname "$0")/lib.sh"
# shellcheck source=/dev/null
. "$(dirname "$0")/cni_lib.sh"
require_root

SBUILD=$ROOT/${STATIC_BUILD:-build-static}
# The test may run under `make check`: a nested make must not inherit its
# jobserver.
SMAKE=(env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL "${MAKE:-make}" -C "$ROOT" --no-print-directory)
CHROOT=$(command -v chroot)
OLDKERNEL=$SBUILD/tests/oldkernel
DNSSTUB=$ROOT/tests/tools/dnsstub.py
SUITE=bullseye
CACHE=$SBUILD/roots/$SUITE-minbase
KEY=/etc/tinytaptunnel/lab-link.key
MOUNTS=()
CNI_WORKERS=()

# --- mounts and cleanup --------------------------------------------------------

# mount_node ROOT: /proc (a new one), /sys, /dev and /run/netns (recursive
# binds, made slaves so that nothing we unmount propagates back).
mount_node() {
	local r=$1 d
	mkdir -p "$r/proc" "$r/sys" "$r/dev" "$r/run/netns" || return 1
	mount -t proc proc "$r/proc" || return 1
	MOUNTS+=("$r/proc")
	for d in sys dev run/netns; do
		mount --rbind "/$d" "$r/$d" || return 1
		MOUNTS+=("$r/$d")
		mount --make-rslave "$r/$d" || return 1
	done
}

# unmount_all: every mount of ours, last first; a busy one is detached.
unmount_all() {
	local i m
	for ((i = ${#MOUNTS[@]} - 1; i >= 0; i--)); do
		m=${MOUNTS[i]}
		umount -R "$m" 2>/dev/null || umount -R -l "$m" 2>/dev/null
	done
	MOUNTS=()
}

# mounts_left: what findmnt shows under $TMP.
mounts_left() {
	findmnt -rn -o TARGET | grep -F "$TMP/" || true
}

stop_cni_workers() {
	local pid i
	for pid in "${CNI_WORKERS[@]}"; do
		kill -TERM "$pid" 2>/dev/null || continue
		for i in $(seq 30); do
			kill -0 "$pid" 2>/dev/null || break
			sleep 0.1
		done
		kill -KILL "$pid" 2>/dev/null
	done
}

cleanup_node() {
	stop_cni_workers
	unmount_all
}
CLEANUP_HOOKS+=(cleanup_node)

# --- the roots -----------------------------------------------------------------

# fill_root ROOT: our static install, plus what a node's administrator adds.
fill_root() {
	local r=$1
	"${SMAKE[@]}" install-static DESTDIR="$r" >>"$TMP/install.log" 2>&1 || return 1
	install -D -m 0755 "$SBUILD/tests/host-local" "$r/opt/cni/bin/host-local" &&
		install -D -m 0600 "$VECTORS/preshared.key" "$r$KEY" &&
		mkdir -p "$r/etc" "$r/tmp" &&
		printf '198.18.0.2 peer-node.test\n' >"$r/etc/hosts" &&
		printf 'nameserver 198.18.0.3\noptions timeout:1 attempts:1\n' >"$r/etc/resolv.conf"
}

# is_static FILE: an ELF file with no program interpreter and no NEEDED.
is_static() {
	! readelf -lW "$1" | grep -q 'INTERP' && ! readelf -dW "$1" | grep -q '(NEEDED)'
}

# only_static_programs ROOT: no shared library and no dynamic program in ROOT.
only_static_programs() {
	local f bad=0
	if [ -n "$(find "$1" -xdev \( -name '*.so' -o -name '*.so.*' \) -print -quit)" ]; then
		echo "# shared libraries in the root:"
		find "$1" -xdev \( -name '*.so' -o -name '*.so.*' \) | sed 's/^/#   /'
		return 1
	fi
	while read -r f; do
		head -c 4 "$f" | grep -q 'ELF' || continue
		is_static "$f" || { echo "# not static: $f"; bad=1; }
	done < <(find "$1" -xdev -type f)
	return $bad
}

# mirror: the Debian archive apt uses here.
mirror() {
	local m
	m=$(cat /etc/apt/sources.list.d/*.sources 2>/dev/null |
		awk '$1 == "URIs:" && $2 ~ /\/debian\/?$/ { print $2; exit }')
	[ -n "$m" ] || m=$(awk '$1 == "deb" { for (i = 2; i <= NF; i++) if ($i ~ /^(https?|file):.*\/debian\/?$/) { print $i; exit } }' \
		/etc/apt/sources.list 2>/dev/null)
	echo "${m:-http://deb.debian.org/debian}"
}

# drop_tree DIR: removes DIR, after detaching anything (debootstrap's
# /proc, /sys) still mounted under it.
drop_tree() {
	local m
	findmnt -rn -o TARGET | grep -F "$1/" | sort -r | while read -r m; do
		umount -l "$m"
	done
	rm -rf --one-file-system "$1"
}

# bullseye_cache: $CACHE, debootstrapped when missing (under a lock, into a
# temporary name first: an interrupted run leaves no half tree behind).
bullseye_cache() {
	local t0 rc=0
	mkdir -p "$SBUILD/roots" || return 1
	exec {lock}>"$SBUILD/roots/.lock" && flock -w 280 "$lock" || return 1
	if [ ! -e "$CACHE/.ttt-complete" ]; then
		command -v debootstrap >/dev/null || { echo "# debootstrap is not installed"; return 1; }
		drop_tree "$CACHE.tmp" && drop_tree "$CACHE"
		t0=$(date +%s%N)
		# Twice at most (a download can fail); about 25 s each here.
		if timeout 100 debootstrap --variant=minbase "$SUITE" "$CACHE.tmp" "$(mirror)" \
			>"$TMP/debootstrap.log" 2>&1 ||
			{ drop_tree "$CACHE.tmp" &&
				timeout 100 debootstrap --variant=minbase "$SUITE" "$CACHE.tmp" "$(mirror)" \
					>>"$TMP/debootstrap.log" 2>&1; }; then
			touch "$CACHE.tmp/.ttt-complete" && mv "$CACHE.tmp" "$CACHE" || rc=1
			echo "# debootstrap --variant=minbase $SUITE from $(mirror): $((($(date +%s%N) - t0) / 1000000)) ms"
		else
			rc=1
			diag "$TMP/debootstrap.log"
			drop_tree "$CACHE.tmp"
		fi
	else
		echo "# $SUITE root from the cache ($CACHE, made $(date -r "$CACHE/.ttt-complete" +%F))"
	fi
	exec {lock}>&-
	return $rc
}

# overlay_root DIR: the cached tree, writable, changes kept under $TMP.
overlay_root() {
	mkdir -p "$1" "$TMP/upper" "$TMP/work" &&
		mount -t overlay overlay -o "lowerdir=$CACHE,upperdir=$TMP/upper,workdir=$TMP/work" "$1" &&
		MOUNTS+=("$1")
}

# --- the plugin in a root --------------------------------------------------------

# ncni ROOT COMMAND CID CONF [WRAPPER...]: the plugin of ROOT, run by chroot
# in node h1's namespace for container c1, as a runtime runs it (through
# WRAPPER, e.g. the old-kernel emulator). Output in $TMP/out.json,
# $TMP/err.txt; returns the plugin's status.
ncni() {
	local r=$1 cmd=$2 cid=$3 conf=$4
	shift 4
	ip netns exec "$(ns h1)" env -i PATH=/usr/bin:/bin CNI_COMMAND="$cmd" \
		CNI_CONTAINERID="$cid" CNI_NETNS="/run/netns/$(ns c1)" CNI_IFNAME=net1 \
		CNI_PATH=/opt/cni/bin "$@" "$CHROOT" "$r" /opt/cni/bin/tinytaptunnel \
		<"$conf" >"$TMP/out.json" 2>"$TMP/err.txt"
}

ncni_ok() {
	ncni "$@" && return 0
	echo "# plugin failed:"
	diag "$TMP/out.json"
	diag "$TMP/err.txt"
	return 1
}

# node_conf FILE: the network, peer by name, host-local's default dataDir
# and the plugin's default stateDir (both inside the root).
node_conf() {
	printf '{"cniVersion":"1.0.0","name":"%s","type":"tinytaptunnel","keyFile":"%s",' "$NET" "$KEY"
	printf '"listen":"198.18.0.1:9123","peer":"peer-node.test:9123",'
	printf '"ipam":{"type":"host-local","subnet":"198.19.0.0/24",'
	printf '"rangeStart":"198.19.0.10","rangeEnd":"198.19.0.10"}}\n'
}

record_of() {
	echo "$1/run/tinytaptunnel/$NET/$2:net1.json"
}

# node_clean ROOT: no record, log or lease left in ROOT, no tap on h1 or in c1.
node_clean() {
	local left
	# The worker's log kept in old/ after DEL is meant to stay (README: Operating it).
	left=$(find "$1/run/tinytaptunnel/$NET" -mindepth 1 ! -name .lock ! -path '*/old' ! -path '*/old/*' 2>/dev/null)
	[ -z "$left" ] || { echo "# state left: $left"; return 1; }
	left=$(find "$1/var/lib/cni/networks/$NET" -mindepth 1 -name '[0-9]*' 2>/dev/null)
	[ -z "$left" ] || { echo "# leases left: $left"; return 1; }
	no_taps h1 && no_taps c1
}

# attach_and_ping ROOT LABEL CID [WRAPPER...]: ADD, a ping, CHECK, DEL,
# nothing left. Leaves the worker's PID in WPID and its log in WLOG (a copy).
attach_and_ping() {
	local r=$1 label=$2 cid=$3 conf=$TMP/node.json
	shift 3
	WPID=
	node_conf >"$conf"
	check "$label: ADD" ncni_ok "$r" ADD "$cid" "$conf" "$@" || return 1
	cp "$TMP/out.json" "$TMP/$cid.result"
	check "$label: the IPAM address in the result" \
		test "$(json "$TMP/$cid.result" ips.0.address)" = 198.19.0.10/24
	WPID=$(json "$(record_of "$r" "$cid")" workerPid)
	[ -n "$WPID" ] && CNI_WORKERS+=("$WPID")
	check "$label: the worker runs the root's own binary" \
		test "$(readlink "/proc/$WPID/exe")" = "$r/usr/local/sbin/ttt-worker"
	check "$label: ping through the tunnel to the plain worker" pings c1 -c 3 -i 0.2 198.19.0.20
	check "$label: full-MTU ping" pings c1 -c 2 -i 0.2 -M "do" -s 1390 198.19.0.20
	cp "$r/run/tinytaptunnel/$NET/$cid:net1.log" "$TMP/$cid.wlog" 2>/dev/null
	WLOG=$TMP/$cid.wlog
	$CNIJSON prev "$conf" "$TMP/$cid.result" >"$TMP/$cid.prev.json"
	check "$label: CHECK" ncni_ok "$r" CHECK "$cid" "$TMP/$cid.prev.json" "$@"
}

# worker_gone PID: a known PID, and it exits within 3 s.
worker_gone() {
	[ -n "$1" ] && wait_for 3 gone "$1"
}

# detach ROOT LABEL CID [WRAPPER...]: DEL, the worker gone, nothing left.
detach() {
	local r=$1 label=$2 cid=$3
	shift 3
	check "$label: DEL" ncni_ok "$r" DEL "$cid" "$TMP/$cid.prev.json" "$@"
	check "$label: the worker (pid ${WPID:-unknown}) is gone" worker_gone "$WPID"
	check "$label: nothing left (record, lease, tap)" node_clean "$r"
}

# worker_in ROOT NAME ARGS...: a standalone worker of ROOT in h1, by chroot,
# with a replay state file (in the root's /tmp), so that it accepts traffic
# at once rather than refusing one window of it after a cold start.
worker_in() {
	local r=$1 name=$2
	shift 2
	start_bg "$name" h1 "$CHROOT" "$r" /usr/local/sbin/ttt-worker \
		--replay-state "/tmp/$name.replay" "$@"
	wait_for 5 grep -q "Created tunnel" "$TMP/$name.log" && return 0
	diag "$TMP/$name.log"
	return 1
}

# ==============================================================================

t0=$(date +%s%N)
if ! "${SMAKE[@]}" static static-tools >"$TMP/build.log" 2>&1; then
	not_ok "make static static-tools"
	diag "$TMP/build.log"
	done_testing
fi
ok "make static static-tools"
echo "# static build (or its check when up to date): $((($(date +%s%N) - t0) / 1000000)) ms"
for b in ttt-worker tinytaptunnel; do
	check "$b: no program interpreter, no shared library" is_static "$SBUILD/$b"
done

make_lan 3 || { not_ok "build the LAN"; done_testing; }
netns c1 || { not_ok "container namespace"; done_testing; }
key_copy k

# The plain (dynamic) peer for the CNI attachment: 198.19.0.20 on its tap,
# on the key of the attachment's link (by default, the network's name).
check "plain peer worker on h2" start_worker peer h2 --ifname tttp --link "$NET" "$TMP/k" \
	198.18.0.2:9123 198.18.0.1:9123
tap_address h2 tttp 198.19.0.20/24
on h2 ip link set tttp up

# --- 1. the bare root ------------------------------------------------------------

BARE=$TMP/bare
check "make install-static DESTDIR=<bare root>" fill_root "$BARE" || diag "$TMP/install.log"
check "the bare root holds no shared library, no dynamic program" only_static_programs "$BARE"
check "mount /proc, /sys, /dev, /run/netns in the bare root" mount_node "$BARE"
cp "$BUILD/ttt-worker" "$BARE/tmp/ttt-worker-dynamic"
check "the dynamic worker cannot run there" sh -c \
	"! '$CHROOT' '$BARE' /tmp/ttt-worker-dynamic -V >/dev/null 2>&1"
rm -f "$BARE/tmp/ttt-worker-dynamic"
check "the static worker runs there (-V)" sh -c \
	"'$CHROOT' '$BARE' /usr/local/sbin/ttt-worker -V | grep -q '^ttt-worker '"
check "the static plugin answers VERSION" sh -c "echo '{\"cniVersion\":\"1.0.0\"}' |
	CNI_COMMAND=VERSION '$CHROOT' '$BARE' /opt/cni/bin/tinytaptunnel | grep -q '\"1.1.0\"'"

attach_and_ping "$BARE" "bare root" ctr-bare
detach "$BARE" "bare root" ctr-bare

# A standalone worker whose peer only DNS knows.
start_bg dns h3 "$PY" "$DNSSTUB" 198.18.0.3 120 dns-peer.test=198.18.0.2
wait_for 5 grep -q listening "$TMP/dns.log" || diag "$TMP/dns.log"
check "plain peer worker 2 on h2" start_worker peer2 h2 --ifname tttq "$TMP/k" \
	198.18.0.2:9200 198.18.0.1:9200
tap_address h2 tttq 198.19.1.2/24
on h2 ip link set tttq up
check "bare root: a worker starts with a peer from DNS" worker_in "$BARE" sw --ifname ttts \
	"$KEY" 198.18.0.1:9200 dns-peer.test:9200
check "bare root: it asked DNS for the name" grep -q "query dns-peer.test 1" "$TMP/dns.log"
tap_address h1 ttts 198.19.1.1/24
on h1 ip link set ttts up
check "bare root: ping through the standalone worker" pings h1 -c 3 -i 0.2 198.19.1.2
check "bare root: the worker stops on SIGTERM with status 0" stop_worker sw
check "bare root: its tap is gone" wait_for 3 sh -c "! ip -n $(ns h1) link show ttts 2>/dev/null"
before=$(grep -c '^query' "$TMP/dns.log")
check "bare root: a peer from /etc/hosts starts the worker" worker_in "$BARE" hw --ifname ttth \
	"$KEY" 198.18.0.1:9300 peer-node.test:9300
check "bare root: ... and it stops" stop_worker hw
check "bare root: ... without asking DNS" test "$(grep -c '^query' "$TMP/dns.log")" = "$before"
on h1 "$CHROOT" "$BARE" /usr/local/sbin/ttt-worker "$KEY" 198.18.0.1:9301 nosuch.test:9301 \
	>"$TMP/nosuch.log" 2>&1
rc=$?
check "bare root: an unknown name is refused (status $rc)" test "$rc" -ne 0
check "bare root: ... saying where it looked" grep -q \
	"cannot resolve 'nosuch.test': not in /etc/hosts, and DNS has no address for it" "$TMP/nosuch.log"
printf 'nameserver 198.18.0.9\noptions timeout:1 attempts:1\n' >"$BARE/etc/resolv.conf"
on h1 "$CHROOT" "$BARE" /usr/local/sbin/ttt-worker "$KEY" 198.18.0.1:9301 dns-peer.test:9301 \
	>"$TMP/nodns.log" 2>&1
rc=$?
check "bare root: no name server answering: refused (status $rc)" test "$rc" -ne 0
check "bare root: ... saying DNS failed" grep -q \
	"cannot resolve 'dns-peer.test': not in /etc/hosts, and DNS failed" "$TMP/nodns.log" ||
	diag "$TMP/nodns.log"
printf 'nameserver 198.18.0.3\noptions timeout:1 attempts:1\n' >"$BARE/etc/resolv.conf"

# --- 2. the bare root on an old kernel --------------------------------------------

echo marker >"$TMP/runtime-fd"
# fd 7: a descriptor the runtime leaks to the plugin (not close-on-exec).
attach_and_ping "$BARE" "old kernel" ctr-old "$OLDKERNEL" 7<"$TMP/runtime-fd"
check "old kernel: the worker runs under the emulator's filter" \
	grep -q '^Seccomp:[[:space:]]*2' "/proc/$WPID/status"
check "old kernel: no runtime descriptor reached the worker (no close_range)" \
	sh -c "ls -l /proc/${WPID:-none}/fd/ >'$TMP/fds' && ! grep -q runtime-fd '$TMP/fds'"
check "old kernel: the worker says it sends without UDP GSO" \
	grep -q "no UDP segmentation offload (UDP_SEGMENT, Linux 4.18)" "$WLOG"
check "old kernel: the worker says it receives without UDP GRO" \
	grep -q "no UDP receive offload (UDP_GRO, Linux 5.0)" "$WLOG"
transfer c1 h2 198.19.0.20:5001 3000000 "old kernel: TCP through the tunnel" 60
detach "$BARE" "old kernel (no pidfd)" ctr-old "$OLDKERNEL"

# --- 3. Debian bullseye (glibc 2.31) --------------------------------------------------

if bullseye_cache; then
	ok "$SUITE root (debootstrap --variant=minbase, cached)"
	BULL=$TMP/bullseye
	check "$SUITE: overlay over the cached root" overlay_root "$BULL"
	check "$SUITE: glibc 2.31 there" sh -c "'$CHROOT' '$BULL' ldd --version | head -n 1 | grep -q ' 2\.31$'"
	check "$SUITE: make install-static DESTDIR=<root>" fill_root "$BULL"
	check "$SUITE: mount /proc, /sys, /dev, /run/netns" mount_node "$BULL"
	cp "$BUILD/ttt-worker" "$BULL/tmp/ttt-worker-dynamic"
	"$CHROOT" "$BULL" /tmp/ttt-worker-dynamic -V >"$TMP/dyn.log" 2>&1
	rc=$?
	check "$SUITE: the dynamic worker cannot run there (status $rc)" \
		sh -c "[ $rc -ne 0 ] && grep -Eq 'GLIBC_2\.3[2-9]|error while loading shared libraries' '$TMP/dyn.log'" ||
		diag "$TMP/dyn.log"
	attach_and_ping "$BULL" "$SUITE" ctr-bull
	detach "$BULL" "$SUITE" ctr-bull
	check "$SUITE: a standalone worker starts" worker_in "$BULL" bw --ifname tttb "$KEY" \
		198.18.0.1:9400 198.18.0.2:9400
	check "$SUITE: and stops with status 0" stop_worker bw
else
	not_ok "$SUITE root (debootstrap --variant=minbase, cached)"
fi

# --- mounts ---------------------------------------------------------------------

stop_cni_workers
unmount_all
left=$(mounts_left)
check "every mount undone: findmnt shows nothing under the test's directory" test -z "$left" ||
	echo "# left: $left"
done_testing
