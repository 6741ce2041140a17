#!/bin/bash
# SPDX-License-Identifier: MIT
# test_cni_podman.sh - podman 4 (CNI network backend) runs a container on a
# tinytaptunnel network in host 1; the container pings a tunnel peer on
# host 2. Podman runs offline with private configuration and storage under
# $TMP; the few host paths it insists on writing are removed if it made them.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/cni_lib.sh"
require_root

for b in podman runc conmon nsenter /bin/busybox; do
	command -v "$b" >/dev/null || { not_ok "$b is not installed"; done_testing; }
done
make_lan 2 || { not_ok "build the LAN"; done_testing; }
key_copy k
W=$TMP/podman
mkdir -p "$W"/{root,runroot,tmp,engine-tmp,net.d,cni-bin,rootfs/bin,rootfs/etc}

# Host paths podman/runc/libcni write whatever the configuration says.
HOST_PATHS="/var/lib/cni/results /var/lib/cni /var/lib/containers/cache/blob-info-cache-v1.boltdb
/var/lib/containers/cache /var/lib/containers /run/runc"
HAD=""
for p in $HOST_PATHS; do [ -e "$p" ] && HAD="$HAD $p"; done

pm() {
	nsenter --net="/var/run/netns/$(ns h1)" env CONTAINERS_CONF="$W/containers.conf" \
		CONTAINERS_STORAGE_CONF="$W/storage.conf" CONTAINERS_REGISTRIES_CONF="$W/registries.conf" \
		TMPDIR="$W/tmp" podman --root "$W/root" --runroot "$W/runroot" --storage-driver vfs "$@"
}

# Processes of this podman setup (conmon, 'podman container cleanup').
podman_pids() {
	local p
	for p in /proc/[0-9]*; do
		tr '\0' ' ' <"$p/cmdline" 2>/dev/null | grep -qF -- "$W/" && echo "${p#/proc/}"
	done
}

podman_cleanup() {
	local i p
	pm rm -af -t 0 >/dev/null 2>&1
	pm rmi -af >/dev/null 2>&1
	for i in $(seq 50); do [ -z "$(podman_pids)" ] && break; sleep 0.2; done
	for p in $(podman_pids); do kill -9 "$p" 2>/dev/null; done
	rm -f /var/lib/cni/results/"$NET"-* 2>/dev/null
	for p in $HOST_PATHS; do
		case " $HAD " in *" $p "*) continue ;; esac
		if [ -d "$p" ]; then rmdir "$p" 2>/dev/null; else rm -f "$p"; fi
	done
}
CLEANUP_HOOKS+=(podman_cleanup)

printf '[storage]\ndriver = "vfs"\ngraphroot = "%s/root"\nrunroot = "%s/runroot"\n' "$W" "$W" \
	>"$W/storage.conf"
echo 'unqualified-search-registries = []' >"$W/registries.conf"
cat >"$W/containers.conf" <<CONF
[containers]
default_ulimits = ["nofile=1024:1024", "nproc=4096:4096"]
[network]
network_backend = "cni"
cni_plugin_dirs = ["$W/cni-bin"]
network_config_dir = "$W/net.d"
[engine]
runtime = "runc"
cgroup_manager = "cgroupfs"
events_logger = "file"
events_logfile_path = "$W/engine-tmp/events.log"
tmp_dir = "$W/engine-tmp"
lock_type = "file"
image_copy_tmp_dir = "$W/tmp"
CONF
ln -s "$PLUGIN" "$W/cni-bin/tinytaptunnel"
ln -s "$CNI_PLUGINS/host-local" "$W/cni-bin/host-local"
cat >"$W/net.d/$NET.conflist" <<CONF
{ "cniVersion": "1.0.0", "name": "$NET",
  "plugins": [ { "type": "tinytaptunnel", "keyFile": "$TMP/k",
    "listen": "198.18.0.1:9123", "peer": "198.18.0.2:9123", "stateDir": "$TMP/state-h1",
    "ipam": { "type": "host-local", "subnet": "198.19.0.0/24", "rangeStart": "198.19.0.10",
              "rangeEnd": "198.19.0.10", "dataDir": "$TMP/ipam-h1" } } ] }
CONF
cp /bin/busybox "$W/rootfs/bin/busybox"
for a in sh ip ping sleep cat; do ln -s busybox "$W/rootfs/bin/$a"; done
mkdir -p "$W/rootfs"/{proc,sys,dev,tmp,run}
tar -C "$W/rootfs" -cf "$W/bb.tar" .
pm import -q "$W/bb.tar" localhost/bb:test >/dev/null 2>"$TMP/import.err"
check "import a busybox image" pm image exists localhost/bb:test
check "podman sees the tinytaptunnel network" pm network exists "$NET"

# The far end: a plain worker on host 2 with 198.19.0.2 on its tap, on the
# key of the link the plugin's attachments are ends of (the network's name).
check "peer worker on host 2" start_worker w2 h2 --link "$NET" "$TMP/k" 198.18.0.2:9123 198.18.0.1:9123
tap_address h2 tap0 198.19.0.2/24

pm run --rm --pull=never --network "$NET" --mac-address 02:00:00:00:0b:01 localhost/bb:test \
	sh -c 'ip addr show eth0; ping -c 3 -W 2 198.19.0.2' >"$TMP/run.out" 2>&1
check "podman run: the container ran" test $? -eq 0
check "podman run: eth0 has the IPAM address" grep -q "inet 198.19.0.10/24" "$TMP/run.out"
check "podman run: MTU 1418 and podman's --mac-address (CNI_ARGS MAC)" \
	sh -c "grep -q 'mtu 1418' '$TMP/run.out' && grep -q 'link/ether 02:00:00:00:0b:01' '$TMP/run.out'"
check "podman run: ping through the tunnel" grep -q "3 packets received" "$TMP/run.out"
check "podman's DEL after --rm removes our attachment" wait_for 10 test "$(records h1)" = 0
check "nothing left of it" nothing_left h1 ""

pm run -d --pull=never --name "srv-$RUN_ID" --network "$NET" localhost/bb:test sleep 300 >/dev/null
check "a detached container has a worker" wait_for 5 test "$(records h1)" = 1
on h2 ip neigh flush dev tap0 # 198.19.0.10 had the first container's MAC
check "the peer reaches the container" pings h2 -c 3 -i 0.2 198.19.0.10
pm rm -f -t 0 "srv-$RUN_ID" >/dev/null
check "podman rm -f runs DEL" wait_for 10 test "$(records h1)" = 0
check "nothing left after podman rm" nothing_left h1 ""
diag "$TMP/run.out" | head -n 12
done_testing
