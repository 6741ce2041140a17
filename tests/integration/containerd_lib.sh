#!/bin/bash
# SPDX-License-Identifier: MIT
# containerd_lib.sh - a private containerd for a test, in host 1 (make_lan):
# root, state and sockets under $TMP, started and stopped by PID. It and
# every ctr call run in a private mount namespace (tests/tools/mntjail.sh)
# that shows directories of the test at /etc/cni/net.d, /opt/cni/bin,
# /var/lib/cni and /run/containerd: ctr reads CNI configuration and plugins
# only there, libcni caches results there, and the shims put their sockets
# there. Nothing is written to those directories of the machine. Source
# after lib.sh and cni_lib.sh, then call ctrd_init.

W=$TMP/ctrd
CNS=ttt                    # the containerd namespace ctr uses (k8s.io: the CRI's)
IMAGE=localhost/busybox:ttt
CID_PREFIX=ttt-$RUN_ID     # with --cgroup "" runc names the cgroup after the ID
CTRD_PID=
CTRD_MNT=
CTRD_PIN=
declare -A RUN_PID=()      # container -> PID of its foreground `ctr run`

# ctrd_init: checks the tools, makes the directories, installs the logging
# plugin wrapper; fails (a TAP failure and the end) when something is missing.
ctrd_init() {
	local b
	for b in containerd ctr containerd-shim-runc-v2 runc nsenter unshare findmnt /bin/busybox; do
		command -v "$b" >/dev/null || { not_ok "$b is not installed"; done_testing; }
	done
	mkdir -p "$W"/{root,state,run,cni-bin,cni-cache,calls,jails,net.d-empty,rootfs/bin} || exit 1
	CLEANUP_HOOKS+=(stop_containerd)
	# The plugin as runtimes find it: a wrapper that logs what it is given.
	cat >"$W/cni-bin/tinytaptunnel" <<SH
#!/bin/sh
# Logs the environment and configuration a runtime passes, then runs the plugin.
log=$W/calls/\$(date +%s%N)-\${CNI_COMMAND:-none}-\$\$
env | sort >"\$log.env"
cat >"\$log.json"
exec "$PLUGIN" <"\$log.json"
SH
	chmod 0755 "$W/cni-bin/tinytaptunnel"
	for b in host-local loopback; do ln -s "$CNI_PLUGINS/$b" "$W/cni-bin/$b"; done
}

# host_leaks: anything of this test in the machine's directories that the
# jail shadows (a file naming the test's directory or run, or a socket of
# our shims), printed; other tests may change those directories meanwhile.
host_leaks() {
	local d
	for d in /etc/cni/net.d /opt/cni /var/lib/cni /run/containerd; do
		[ -e "$d" ] || continue
		grep -rlsF -e "$TMP" -e "$RUN_ID" "$d"
		find "$d" -name "*$RUN_ID*" 2>/dev/null
	done
	[ -d /run/containerd/s ] && comm -12 <(ls /run/containerd/s 2>/dev/null | sort) \
		<(sort -u "$W/shim-sockets" 2>/dev/null)
}

# shim_sockets_here: our shims' sockets are in the test's /run/containerd/s
# (remembered for host_leaks).
shim_sockets_here() {
	ls "$W/run/s" >>"$W/shim-sockets" 2>/dev/null
	test -s "$W/shim-sockets"
}

# jail NETD: sets JAIL to the command prefix that runs a command in host 1's
# network namespace with NETD as /etc/cni/net.d and the test's plugin, cache
# and runtime directories (a plain command: in the background, $! is the
# command's own PID).
jail() {
	JAIL=(nsenter --net="/var/run/netns/$(ns h1)" "$ROOT/tests/tools/mntjail.sh" "$W/jails"
		/etc/cni/net.d="$1" /opt/cni/bin="$W/cni-bin" /var/lib/cni="$W/cni-cache"
		/run/containerd="$W/run" --)
}

# ctrx NETD ARGS...: ctr talking to our containerd, in the jail.
ctrx() {
	jail "$1"
	shift
	"${JAIL[@]}" ctr --address "$W/containerd.sock" --namespace "$CNS" "$@"
}

# ctrq ARGS...: ctr for queries (no CNI, no I/O): outside the jail.
ctrq() {
	ctr --address "$W/containerd.sock" --namespace "$CNS" "$@"
}

# start_containerd [TOML]: writes the configuration (the CRI plugin disabled
# unless TOML, which then configures it, is given) and starts the daemon;
# fails when its socket does not appear within 10 s.
start_containerd() {
	local cri=${1:-} disabled='"io.containerd.grpc.v1.cri", '
	[ -n "$cri" ] && disabled=
	cat >"$W/config.toml" <<TOML
version = 2
root = "$W/root"
state = "$W/state"
disabled_plugins = [$disabled"io.containerd.internal.v1.opt",
  "io.containerd.snapshotter.v1.btrfs", "io.containerd.snapshotter.v1.zfs",
  "io.containerd.snapshotter.v1.devmapper", "io.containerd.snapshotter.v1.aufs",
  "io.containerd.tracing.processor.v1.otlp"]
[grpc]
  address = "$W/containerd.sock"
[ttrpc]
  address = "$W/containerd.sock.ttrpc"
[debug]
  address = ""
[metrics]
  address = ""
$cri
TOML
	jail "$W/net.d-empty"
	"${JAIL[@]}" containerd --config "$W/config.toml" >>"$W/containerd.log" 2>&1 &
	CTRD_PID=$!
	PIDS+=("$CTRD_PID")
	wait_for 10 test -S "$W/containerd.sock" || { diag "$W/containerd.log"; return 1; }
	CTRD_MNT=$(readlink "/proc/$CTRD_PID/ns/mnt")
	# A process holding the namespace open keeps its inode number from
	# being reused (by a namespace of another test) until we have checked it.
	sleep 300 <"/proc/$CTRD_PID/ns/mnt" &
	CTRD_PIN=$!
	PIDS+=("$CTRD_PIN")
	grep -qx containerd "/proc/$CTRD_PID/comm"
}

# ctrd_pids: processes of this containerd (daemon, shims, ctr): whatever
# names our directory on its command line.
ctrd_pids() {
	local p
	for p in /proc/[0-9]*; do
		tr '\0' ' ' 2>/dev/null <"$p/cmdline" | grep -qF -- "$W/" && echo "${p#/proc/}"
	done
}

# in_ctrd_mnt: processes in the daemon's mount namespace (PID, command).
in_ctrd_mnt() {
	local p
	for p in /proc/[0-9]*; do
		[ "$(readlink "$p/ns/mnt" 2>/dev/null)" = "$CTRD_MNT" ] &&
			echo "${p#/proc/} $(tr '\0' ' ' 2>/dev/null <"$p/cmdline")"
	done
}

mnt_ns_empty() {
	local left
	left=$(in_ctrd_mnt)
	[ -z "$left" ] && return 0
	echo "# left: $left"
	return 1
}

# our_mounts: mounts of the test in the machine's (our) mount namespace.
our_mounts() {
	findmnt -rn -o TARGET,SOURCE,OPTIONS | grep -F -e "$TMP" -e "mntjail-jails"
}

# stop_containerd: kills the ctr containers (their ctr runs DEL), removes
# every task and container left in any namespace, stops the daemon, then
# anything of it and any worker a record names. Idempotent.
stop_containerd() {
	local c n p f
	[ -n "$CTRD_PID" ] || return 0
	for c in "${!RUN_PID[@]}"; do
		ctrx "$W/net.d-empty" task kill -s SIGKILL "$c" >/dev/null 2>&1
	done
	for c in "${!RUN_PID[@]}"; do
		wait_for 10 gone "${RUN_PID[$c]}"
		kill -KILL "${RUN_PID[$c]}" 2>/dev/null
		wait "${RUN_PID[$c]}" 2>/dev/null
	done
	RUN_PID=()
	for n in $(ctrq namespace ls -q 2>/dev/null); do
		for c in $(CNS=$n ctrq task ls -q 2>/dev/null); do
			CNS=$n ctrx "$W/net.d-empty" task rm -f "$c" >/dev/null 2>&1
		done
		for c in $(CNS=$n ctrq container ls -q 2>/dev/null); do
			CNS=$n ctrx "$W/net.d-empty" container rm "$c" >/dev/null 2>&1
		done
	done
	kill -TERM "$CTRD_PID" 2>/dev/null
	wait_for 5 gone "$CTRD_PID"
	for p in $(ctrd_pids); do kill -KILL "$p" 2>/dev/null; done
	# A record without a worker says 0: kill -KILL 0 would end our own
	# process group (the test and its runner).
	for f in "$TMP"/state-h1/*/*.json; do
		[ -f "$f" ] && p=$(json "$f" workerPid 2>/dev/null) && [ "${p:-0}" -gt 0 ] 2>/dev/null &&
			kill -KILL "$p" 2>/dev/null
	done
	wait_for 5 test -z "$(ctrd_pids)"
	for c in /sys/fs/cgroup/*/"$CID_PREFIX"-* /sys/fs/cgroup/*/*/"$CID_PREFIX"-*; do
		[ -d "$c" ] && rmdir "$c" 2>/dev/null
	done
	CTRD_PID=
}

# oci_archive ROOTFS NAME OUT: a one-layer OCI image layout, tarred
# (what `ctr image import` takes), its command `sleep 300` (what the CRI
# runs as a pod's sandbox; ctr runs the command it is given).
oci_archive() {
	local d=$W/oci layer cfg man
	mkdir -p "$d/blobs/sha256" || return 1
	tar -C "$1" -cf "$d/layer" . || return 1
	layer=$(sha256sum <"$d/layer" | cut -d' ' -f1)
	mv "$d/layer" "$d/blobs/sha256/$layer"
	printf '{"architecture":"amd64","os":"linux","config":{"Cmd":["/bin/sleep","300"]},"rootfs":{"type":"layers","diff_ids":["sha256:%s"]}}' \
		"$layer" >"$d/cfg"
	cfg=$(sha256sum <"$d/cfg" | cut -d' ' -f1)
	printf '{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"sha256:%s","size":%d},"layers":[{"mediaType":"application/vnd.oci.image.layer.v1.tar","digest":"sha256:%s","size":%d}]}' \
		"$cfg" "$(stat -c %s "$d/cfg")" "$layer" "$(stat -c %s "$d/blobs/sha256/$layer")" >"$d/man"
	mv "$d/cfg" "$d/blobs/sha256/$cfg"
	man=$(sha256sum <"$d/man" | cut -d' ' -f1)
	printf '{"schemaVersion":2,"manifests":[{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"sha256:%s","size":%d,"annotations":{"io.containerd.image.name":"%s"}}]}' \
		"$man" "$(stat -c %s "$d/man")" "$2" >"$d/index.json"
	mv "$d/man" "$d/blobs/sha256/$man"
	echo '{"imageLayoutVersion":"1.0.0"}' >"$d/oci-layout"
	tar -C "$d" -cf "$3" oci-layout index.json blobs
}

# import_busybox [NAMESPACE]: $IMAGE, made from busybox-static, imported
# into NAMESPACE ($CNS); succeeds when containerd lists it.
import_busybox() {
	local n=${1:-$CNS} a
	if [ ! -f "$W/busybox.tar" ]; then
		cp /bin/busybox "$W/rootfs/bin/busybox" || return 1
		for a in sh ip ping sleep cat; do ln -s busybox "$W/rootfs/bin/$a"; done
		mkdir -p "$W/rootfs"/{proc,sys,dev,tmp,run,etc}
		oci_archive "$W/rootfs" "$IMAGE" "$W/busybox.tar" || return 1
	fi
	CNS=$n ctrx "$W/net.d-empty" image import "$W/busybox.tar" >>"$W/import.out" 2>&1 || return 1
	CNS=$n ctrq image ls -q 2>/dev/null | grep -qx "$IMAGE"
}

# must NAME COMMAND...: a test point that the rest depends on: on failure
# the test ends there.
must() {
	check "$@"
	[ "$FAILURES" -eq 0 ] || done_testing
}

# calls COMMAND: the logged plugin calls of that CNI command, oldest first
# (paths without .env/.json).
calls() {
	local f
	for f in "$W/calls/"*-$1-*.env; do
		[ -e "$f" ] && echo "${f%.env}"
	done
}

# var CALL NAME: a variable's value in a logged call's environment.
var() {
	sed -n "s/^$2=//p" "$1.env"
}

# or_show FILE COMMAND...: COMMAND's status; FILE is shown when it failed.
or_show() {
	local f=$1
	shift
	"$@" && return 0
	diag "$f"
	return 1
}

# ctrd_leaves_nothing: stops containerd and checks that nothing of it is
# left: no mount here, the machine's directories as they were, no process,
# no cgroup.
ctrd_leaves_nothing() {
	local mnt=$CTRD_MNT
	check "no mount of the test in the machine's mount namespace" test -z "$(our_mounts)"
	check "nothing of the test in the machine's CNI and containerd directories" test -z "$(host_leaks)"
	stop_containerd
	check "containerd stopped: no daemon, shim, container or worker left" test -z "$(ctrd_pids)"
	CTRD_MNT=$mnt
	check "no process left in containerd's mount namespace" wait_for 5 mnt_ns_empty
	kill "$CTRD_PIN" 2>/dev/null
	wait "$CTRD_PIN" 2>/dev/null
	check "no cgroup left" \
		test -z "$(ls -d /sys/fs/cgroup/*/"$CID_PREFIX"-* /sys/fs/cgroup/*/*/"$CID_PREFIX"-* 2>/dev/null)"
	check "still no mount of the test here" test -z "$(our_mounts)"
	check "nor anything in the machine's directories" test -z "$(host_leaks)"
}
