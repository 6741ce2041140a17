#!/bin/bash
# SPDX-License-Identifier: MIT
# test_deploy_k8s.sh - deploy/ without a cluster: the Kubernetes manifests
# (parsed and checked field by field, their CNI configurations accepted by
# the real plugin), and the node installer deploy/installer/ttt-install run
# against a temporary host root: install, idempotence, a Secret update the
# way kubelet makes it, the sync loop, refusals, interrupted copies,
# uninstall. As root, also: the installer with every capability dropped (as
# the DaemonSet runs it), and the Multus example end to end (two "pods" in
# network namespaces joined by the installed plugin, a ping between them).
# Everything else runs without root.
# shellcheck source=/dev/null
. "$(dirname "$0")/lib.sh"
# shellcheck source=/dev/null
. "$(dirname "$0")/cni_lib.sh"

# shellcheck disable=SC2153 # ROOT, BUILD, TMP, PY, CNIJSON... come from lib.sh and cni_lib.sh
INSTALLER=$ROOT/deploy/installer/ttt-install
K8S=$ROOT/deploy/kubernetes
CHECKER="$PY $ROOT/tests/tools/check_manifests.py"
HOST=$TMP/host     # the node's filesystem, as the DaemonSet mounts it under /host
SRC=$TMP/src       # the image's /usr/lib/tinytaptunnel
SECRET=$TMP/secret # the Secret volume
BIN=$HOST/opt/cni/bin
KEYS=$HOST/etc/tinytaptunnel
OUT=$TMP/inst.out

if [ ! -x "$BUILD/tinytaptunnel" ] || [ ! -x "$BUILD/ttt-worker" ]; then
	not_ok "the plugin and ttt-worker are built (make)"
	done_testing
fi

# --- helpers -------------------------------------------------------------------

# k8s_secret DIR [NAME=FILE...]: (re)writes DIR the way kubelet writes a
# Secret volume: the data in a fresh ..<timestamp> directory, published by
# renaming a new ..data symlink over the old one; NAME -> ..data/NAME links.
k8s_secret() {
	local dir=$1 ts old kv l
	shift
	mkdir -p "$dir"
	ts=..$(date +%Y_%m_%d_%H_%M_%S).$RANDOM$RANDOM
	mkdir "$dir/$ts"
	for kv in "$@"; do
		cp "${kv#*=}" "$dir/$ts/${kv%%=*}"
		chmod 0400 "$dir/$ts/${kv%%=*}"
	done
	old=$(readlink "$dir/..data" 2>/dev/null)
	ln -s "$ts" "$dir/..data_tmp"
	mv -T "$dir/..data_tmp" "$dir/..data"
	for kv in "$@"; do
		[ -L "$dir/${kv%%=*}" ] || ln -s "..data/${kv%%=*}" "$dir/${kv%%=*}"
	done
	for l in "$dir"/*; do
		[ -e "$dir/..data/${l##*/}" ] || rm -f "$l"
	done
	[ -z "$old" ] || rm -rf "${dir:?}/$old"
}

# inst ARGS...: the installer on $HOST (output in $OUT); its status.
# Variables HROOT, SRCDIR, SECRETDIR override the defaults for one call;
# NOCAPS=1 runs it with every capability dropped.
inst() {
	local pre=()
	[ "${NOCAPS:-}" = 1 ] && pre=(setpriv --inh-caps=-all --bounding-set=-all --)
	"${pre[@]}" env HOST_ROOT="${HROOT:-$HOST}" SRC_BIN_DIR="${SRCDIR:-$SRC}" SECRET_DIR="${SECRETDIR:-$SECRET}" \
		CNI_BIN_DIR=/opt/cni/bin KEY_DIR=/etc/tinytaptunnel MANIFEST= INTERVAL="${INTERVAL:-1}" \
		"$INSTALLER" "$@" >"$OUT" 2>&1
}

# said PATTERN: the last installer output matches PATTERN.
said() {
	grep -q -- "$1" "$OUT" && return 0
	echo "# expected '$1' in:"
	diag "$OUT"
	return 1
}

# inst_ok ARGS...: inst that must succeed.
inst_ok() {
	inst "$@" && return 0
	echo "# ttt-install $* failed:"
	diag "$OUT"
	return 1
}

# refused PATTERN ARGS...: inst fails (status 1 or 2) saying PATTERN.
refused() {
	local pattern=$1
	shift
	if inst "$@"; then
		echo "# ttt-install $* succeeded"
		diag "$OUT"
		return 1
	fi
	said "$pattern"
}

# snapshot DIR: every path with mode, inode, size and mtime.
snapshot() {
	find "$1" -printf '%P %m %i %s %T@ %l\n' | sort
}

# same_file SRC DST MODE: identical content and MODE.
same_file() {
	cmp -s "$1" "$2" && [ "$(stat -c %a "$2")" = "$3" ] && return 0
	echo "# $2: mode $(stat -c %a "$2" 2>&1), differs from $1 or not mode $3"
	return 1
}

# manifest_is HOSTROOT PATH...: the manifest's file lines are exactly PATHs.
manifest_is() {
	local root=$1 got want
	shift
	got=$(sed -n 's/^file //p' "$root/etc/tinytaptunnel/.installed" | sort)
	want=$(printf '%s\n' "$@" | sort)
	[ "$got" = "$want" ] && return 0
	echo "# manifest lists: $got"
	return 1
}

no_temp_files() {
	[ -z "$(find "$1" -name '*.ttt-install.*' ! -name '.ttt-install.lock')" ]
}

dir_mode() {
	[ "$(stat -c %a "$1")" = "$2" ]
}

# --- shellcheck ----------------------------------------------------------------

if command -v shellcheck >/dev/null; then
	# Every shell file under deploy/: by name (*.sh) or by its #! line.
	for f in $(cd "$ROOT" && { ls deploy/*.sh deploy/*/*.sh 2>/dev/null
		grep -rlE '^#!.*/(env )?(ba|da)?sh' deploy; } | sort -u); do
		check "shellcheck: $f" shellcheck -x -P "$ROOT/$(dirname "$f")" "$ROOT/$f"
	done
	check "shellcheck: tests/integration/test_deploy_k8s.sh" shellcheck -s bash "$0"
else
	not_ok "shellcheck is installed (apt-get install shellcheck)"
fi

# --- manifests -----------------------------------------------------------------

if ! $PY -c 'import yaml' 2>/dev/null; then
	not_ok "python3-yaml is installed (apt-get install python3-yaml)"
else
	$CHECKER check "$K8S" >"$TMP/manifests.out" 2>&1
	status=$?
	while IFS= read -r line; do
		case $line in
		"ok "*) ok "manifests: ${line#ok }" ;;
		"not ok "*) not_ok "manifests: ${line#not ok }" ;;
		esac
	done <"$TMP/manifests.out"
	if [ "$status" -ne 0 ] && ! grep -q '^not ok ' "$TMP/manifests.out"; then
		not_ok "manifests: check_manifests.py failed (status $status)"
		diag "$TMP/manifests.out"
	fi
fi

# --- Containerfile (it cannot be built here: read, not run) ---------------------------

CF=$ROOT/deploy/Containerfile
RUNTIME_STAGE=$(awk '/^FROM /{s=""} {s=s $0 "\n"} END{printf "%s", s}' "$CF")
# runtime_needs_no_libs: the image ships the static build (static.mk),
# checked static in the build stage; the runtime stage installs no package.
runtime_needs_no_libs() {
	# shellcheck disable=SC2016 # the Containerfile's own text, not ours to expand
	grep -q 'make -j"$(nproc)" static PREFIX=/usr' "$CF" &&
		grep -q 'readelf -lW "$b" | grep -q INTERP' "$CF" &&
		! grep -q 'apt-get' <<<"$RUNTIME_STAGE"
}
# copied_paths_exist: every local COPY source is in the repository.
copied_paths_exist() {
	local src bad=0
	while read -r src; do
		[ -e "$ROOT/$src" ] || {
			echo "# COPY $src: not in the repository"
			bad=1
		}
	done < <(sed -n 's/^COPY \([^-][^ ]*\) .*/\1/p' "$CF")
	return $bad
}
# builds_from_copies: the build stage's make and make install find
# everything they read in what the Containerfile copies (a real build, in a
# directory holding only that).
builds_from_copies() {
	local src dir=$TMP/cf-build
	mkdir -p "$dir"
	while read -r src; do
		mkdir -p "$dir/$(dirname "$src")" && cp -r "$ROOT/$src" "$dir/$src" || return 1
	done < <(awk '/^FROM .* AS build/{b=1} /^FROM /&&!/AS build/{b=0} b' "$CF" |
		sed -n 's/^COPY \([^-][^ ]*\) \([^ ]*\)$/\1/p' | grep -v '^deploy/install-deps.sh$')
	# Not the suite's BUILD (build-san under the sanitizers) nor its make's jobserver.
	(cd "$dir" && unset BUILD MAKEFLAGS MFLAGS MAKELEVEL && make -j2 static PREFIX=/usr >/dev/null 2>&1 &&
		make install-static DESTDIR="$dir/out" PREFIX=/usr CNI_BIN_DIR=/opt/cni/bin >/dev/null) &&
		[ -x "$dir/out/usr/sbin/ttt-worker" ] && [ -x "$dir/out/opt/cni/bin/tinytaptunnel" ] &&
		[ -x "$dir/out/usr/sbin/ttt" ] && ! readelf -lW "$dir/out/usr/sbin/ttt-worker" | grep -q INTERP
}
check "Containerfile: the build stage's make needs nothing it does not copy" builds_from_copies
check "Containerfile: builder on debian:bookworm, runtime on debian:bookworm-slim" sh -c \
	"grep -q '^FROM docker.io/library/debian:bookworm AS build' '$CF' &&
	 [ \"\$(grep '^FROM' '$CF' | tail -n 1)\" = 'FROM docker.io/library/debian:bookworm-slim' ]"
check "Containerfile: the builder installs install-deps.sh's BUILD_PKGS (read from it)" sh -c \
	"grep -qF \"sed -n 's/^BUILD_PKGS=\\\"\\\\(.*\\\\)\\\"\$/\\\\1/p' /tmp/install-deps.sh\" '$CF' &&
	 sed -n 's/^BUILD_PKGS=\"\\(.*\\)\"\$/\\1/p' '$ROOT/deploy/install-deps.sh' | grep -qw gcc"
check "Containerfile: make install-static DESTDIR=/out PREFIX=/usr CNI_BIN_DIR=/opt/cni/bin" \
	grep -q 'make install-static DESTDIR=/out PREFIX=/usr CNI_BIN_DIR=/opt/cni/bin' "$CF"
check "Containerfile: static binaries, checked so; the runtime stage installs no library" \
	runtime_needs_no_libs
check "Containerfile: every COPY source exists" copied_paths_exist
check "Containerfile: binaries where the installer looks by default, installer as entrypoint" sh -c \
	"grep -q '/usr/lib/tinytaptunnel/\$' '$CF' && grep -q 'SRC_BIN_DIR:-/usr/lib/tinytaptunnel' '$INSTALLER' &&
	 grep -q '^ENTRYPOINT \[\"/usr/local/bin/ttt-install\"\]' '$CF'"

# --- installer: refusals ----------------------------------------------------------

mkdir -p "$SRC" "$BIN"
cp "$BUILD/tinytaptunnel" "$BUILD/ttt-worker" "$SRC/"
echo 'an unrelated plugin' >"$BIN/bridge"
head -c 32 /dev/urandom | base64 >"$TMP/k1"
head -c 32 /dev/urandom | base64 >"$TMP/k2"
head -c 32 /dev/urandom | base64 >"$TMP/k3"
printf 'not!base64' >"$TMP/bad1"
printf 'YWJjZA' >"$TMP/bad2" # unpadded
: >"$TMP/empty"
printf 'RkFLRS1LRVktcmVwbGFjZS1tZS1kby1ub3QtdXNlISE=\n' >"$TMP/example"
before=$(snapshot "$HOST")

check "--help" sh -c "'$INSTALLER' --help | grep -q '^Usage: ttt-install'"
check "refused: an unknown option" refused "unknown argument '--bogus'" --once --bogus
SRCDIR=$TMP/nowhere check "refused: a missing source binary dir" refused "source binary dir $TMP/nowhere does not exist" --once
mkdir -p "$TMP/half-src" && cp "$BUILD/tinytaptunnel" "$TMP/half-src/"
SRCDIR=$TMP/half-src check "refused: a source dir without ttt-worker" refused "ttt-worker is missing" --once
SECRETDIR=$TMP/nowhere check "refused: a missing secret dir" refused "secret dir $TMP/nowhere does not exist" --once
k8s_secret "$TMP/s-empty"
SECRETDIR=$TMP/s-empty check "refused: an empty Secret (only ..data)" refused "holds no keys" --once
k8s_secret "$TMP/s-bad1" lab-link.key="$TMP/k1" other.key="$TMP/bad1"
SECRETDIR=$TMP/s-bad1 check "refused: a key that is not base64" refused "'other.key' is not valid base64" --once
k8s_secret "$TMP/s-bad2" lab-link.key="$TMP/bad2"
SECRETDIR=$TMP/s-bad2 check "refused: unpadded base64" refused "'lab-link.key' is not valid base64" --once
k8s_secret "$TMP/s-empty-key" lab-link.key="$TMP/empty"
SECRETDIR=$TMP/s-empty-key check "refused: an empty key" refused "'lab-link.key' is empty" --once
k8s_secret "$TMP/s-example" lab-link.key="$TMP/example"
SECRETDIR=$TMP/s-example check "refused: secret.example.yaml's fake key" refused "is the example key" --once
k8s_secret "$TMP/s-clash" lab-link="$TMP/k1" lab-link.key="$TMP/k2"
SECRETDIR=$TMP/s-clash check "refused: two entries for one key file" refused "would both be" --once
check "refused: a relative CNI_BIN_DIR" refused "must be an absolute path" --once --cni-bin-dir opt/cni/bin
check "refused: '..' in KEY_DIR" refused "must not contain" --once --key-dir /etc/../tmp
INTERVAL=0 check "refused: interval 0" refused "INTERVAL must be" --once
HROOT=$TMP/nowhere check "refused: a missing HOST_ROOT" refused "is not a directory" --once
check "the refusals changed nothing on the host" test "$(snapshot "$HOST")" = "$before"

# --- installer: install, idempotence, drift, Secret updates ----------------------

k8s_secret "$SECRET" lab-link.key="$TMP/k1" site-b="$TMP/k2"
check "fresh install" inst_ok --once
check "  it reports what it installed" said "installed /opt/cni/bin/tinytaptunnel"
check "  tinytaptunnel: byte-identical, 0755" same_file "$SRC/tinytaptunnel" "$BIN/tinytaptunnel" 755
check "  ttt-worker beside it: byte-identical, 0755" same_file "$SRC/ttt-worker" "$BIN/ttt-worker" 755
check "  key lab-link.key: byte-identical, 0600" same_file "$TMP/k1" "$KEYS/lab-link.key" 600
check "  entry site-b became site-b.key: byte-identical, 0600" same_file "$TMP/k2" "$KEYS/site-b.key" 600
check "  key dir 0700, manifest 0600" sh -c "[ \$(stat -c %a '$KEYS') = 700 ] && [ \$(stat -c %a '$KEYS/.installed') = 600 ]"
check "  the manifest lists exactly what was installed" manifest_is "$HOST" /opt/cni/bin/tinytaptunnel \
	/opt/cni/bin/ttt-worker /etc/tinytaptunnel/lab-link.key /etc/tinytaptunnel/site-b.key
check "  the unrelated file in the CNI bin dir is untouched" grep -qx 'an unrelated plugin' "$BIN/bridge"
check "  no temporary file left" no_temp_files "$HOST"
check "--check: in sync" inst_ok --check

before=$(snapshot "$HOST")
check "second run succeeds" inst_ok --once
check "  and reports nothing changed" said "nothing changed"
check "  and changed nothing (same inodes, modes, sizes, mtimes)" test "$(snapshot "$HOST")" = "$before"

printf 'tampered' >>"$BIN/ttt-worker"
chmod 0644 "$KEYS/site-b.key"
check "--check notices a modified binary" fails inst --check
check "  and names it" said "out of sync: $BIN/ttt-worker"
check "a sync repairs a modified binary and a key's mode" inst_ok --once
check "  (2 changes)" said "2 changed"
check "  byte-identical again" same_file "$SRC/ttt-worker" "$BIN/ttt-worker" 755
check "  and a key's mode is 0600 again" same_file "$TMP/k2" "$KEYS/site-b.key" 600

inode_b=$(stat -c %i "$KEYS/site-b.key")
k8s_secret "$SECRET" lab-link.key="$TMP/k3" site-b="$TMP/k2" # a new ..data
check "--check notices the rotated Secret" fails inst --check
check "a rotated key (kubelet's ..data swap) is picked up by the next sync" inst_ok --once
check "  the new key is in place" same_file "$TMP/k3" "$KEYS/lab-link.key" 600
check "  only it changed" said "1 changed"
check "  the other key was not rewritten" test "$(stat -c %i "$KEYS/site-b.key")" = "$inode_b"

echo 'an admin key' >"$KEYS/admin.key"
k8s_secret "$SECRET" lab-link.key="$TMP/k3" # site-b removed from the Secret
check "an entry removed from the Secret" inst_ok --once
check "  its key file is removed" test ! -e "$KEYS/site-b.key"
check "  it says so" said "removed /etc/tinytaptunnel/site-b.key"
check "  the manifest follows" manifest_is "$HOST" /opt/cni/bin/tinytaptunnel /opt/cni/bin/ttt-worker \
	/etc/tinytaptunnel/lab-link.key
check "  a key file it did not install stays" grep -qx 'an admin key' "$KEYS/admin.key"

# --- installer: the sync loop ------------------------------------------------------

HOST_ROOT=$HOST SRC_BIN_DIR=$SRC SECRET_DIR=$SECRET CNI_BIN_DIR=/opt/cni/bin KEY_DIR=/etc/tinytaptunnel \
	MANIFEST='' INTERVAL=1 "$INSTALLER" >"$TMP/loop.log" 2>&1 &
loop=$!
PIDS+=("$loop")
check "loop: starts and reports in sync" wait_for 5 grep -q "in sync, nothing changed" "$TMP/loop.log"
k8s_secret "$SECRET" lab-link.key="$TMP/k1"
check "loop: a Secret update reaches the node within a few intervals" \
	wait_for 5 cmp -s "$TMP/k1" "$KEYS/lab-link.key"
check "loop: it logs the change" wait_for 3 grep -q "installed /etc/tinytaptunnel/lab-link.key" "$TMP/loop.log"
rm -f "$BIN/tinytaptunnel"
check "loop: a deleted binary comes back" wait_for 5 test -x "$BIN/tinytaptunnel"
kill -TERM "$loop"
check "loop: SIGTERM stops it promptly" wait_for 3 gone "$loop"
wait "$loop"
check "loop: with status 0" test $? = 0
check "loop: no temporary file left" no_temp_files "$HOST"

# --- the plugin accepts the examples' configurations --------------------------------

# A copy of a configuration as the installed plugin would see it on this
# node: keyFile under $HOST, STATUS's cniVersion, our own stateDir.
node_conf() {
	local key
	key=$($CNIJSON get "$1" keyFile)
	$CNIJSON with "$1" "keyFile=\"$HOST$key\"" "stateDir=\"$TMP/state\"" "${@:2}"
}

# status_ok FILE: STATUS of the installed plugin (CNI_PATH without our
# binaries: it must find ttt-worker beside itself) accepts FILE. Without
# access to /dev/net/tun (not root here) STATUS can only get past the
# configuration: then it must fail on /dev/net/tun and nothing else.
TUN_OK=0
if [ -r /dev/net/tun ] && [ -w /dev/net/tun ]; then TUN_OK=1; fi
run_status() {
	env -i PATH="$PATH" CNI_COMMAND=STATUS CNI_PATH="$CNI_PLUGINS" "$BIN/tinytaptunnel" \
		<"$1" >"$TMP/out.json" 2>"$TMP/err.txt"
}
status_ok() {
	if run_status "$1"; then
		[ "$TUN_OK" = 1 ] && [ ! -s "$TMP/out.json" ] && return 0
	elif [ "$TUN_OK" = 0 ] && cni_error 50 "/dev/net/tun"; then
		return 0
	fi
	echo "# STATUS output:"
	diag "$TMP/out.json"
	diag "$TMP/err.txt"
	return 1
}
if [ "$TUN_OK" = 1 ]; then how="STATUS: ready"; else how="config accepted (STATUS stops at /dev/net/tun: not root)"; fi

$CHECKER conflist-plugin "$K8S/10-tinytaptunnel.conflist" >"$TMP/conflist-plugin.json"
node_conf "$TMP/conflist-plugin.json" 'cniVersion="1.1.0"' >"$TMP/conflist.json"
check "conflist, as libcni hands it to the plugin: $how" status_ok "$TMP/conflist.json"
$CHECKER nad-config "$K8S/multus-nad.yaml" >"$TMP/nad-config.json"
node_conf "$TMP/nad-config.json" 'cniVersion="1.1.0"' >"$TMP/nad.json"
check "NAD config: $how" status_ok "$TMP/nad.json"
for i in 0 1; do
	pod=$($CHECKER pod-field "$K8S/multus-pod.yaml" $i metadata.name)
	$CHECKER multus-delegate "$K8S/multus-nad.yaml" "$K8S/multus-pod.yaml" $i >"$TMP/pod$i-delegate.json"
	node_conf "$TMP/pod$i-delegate.json" 'cniVersion="1.1.0"' >"$TMP/pod$i.json"
	check "pod $pod: Multus's delegate config (cni-args as args.cni, ips as runtimeConfig): $how" \
		status_ok "$TMP/pod$i.json"
done
# The checks are not vacuous: the same path refuses a broken copy.
node_conf "$TMP/conflist-plugin.json" 'cniVersion="1.1.0"' 'listen="198.18.0.1:99999"' >"$TMP/conflist-bad.json"
run_status "$TMP/conflist-bad.json"
check "a conflist with a bad listen port is refused (code 7)" cni_error 7 "listen"
node_conf "$TMP/pod0-delegate.json" 'cniVersion="1.1.0"' 'args={"cni":{"listen":"198.18.0.1:9201","peer":":9201"}}' >"$TMP/pod-bad.json"
run_status "$TMP/pod-bad.json"
check "cni-args with a peer without a host are refused (code 7, args.cni.peer)" cni_error 7 "args.cni.peer"
node_conf "$TMP/nad-config.json" 'cniVersion="1.1.0"' 'type=7' >"$TMP/nad-bad.json"
run_status "$TMP/nad-bad.json"
check "a NAD config with a non-string type is refused (code 7)" cni_error 7 "type"

# --- as root: no capabilities; the Multus example end to end -------------------------

if [ "$(id -u)" = 0 ]; then
	mkdir -p "$TMP/nocap/opt/cni/bin"
	check "root with every capability dropped has none" \
		setpriv --inh-caps=-all --bounding-set=-all -- grep -q 'CapEff:[[:space:]]*0000000000000000' /proc/self/status
	NOCAPS=1 HROOT=$TMP/nocap check "root without capabilities installs (as the DaemonSet runs it)" inst_ok --once
	check "  binaries and key in place, key dir 0700" sh -c "cmp -s '$SRC/tinytaptunnel' '$TMP/nocap/opt/cni/bin/tinytaptunnel' &&
		cmp -s '$TMP/k1' '$TMP/nocap/etc/tinytaptunnel/lab-link.key' && [ \$(stat -c %a '$TMP/nocap/etc/tinytaptunnel') = 700 ]"
	chmod 0644 "$TMP/nocap/opt/cni/bin/ttt-worker"
	k8s_secret "$TMP/secret-nocap" lab-link.key="$TMP/k3"
	NOCAPS=1 HROOT=$TMP/nocap SECRETDIR=$TMP/secret-nocap check "  and updates (a new key, chmod of its own file)" inst_ok --once
	check "  the new key and the mode are in place" sh -c "cmp -s '$TMP/k3' '$TMP/nocap/etc/tinytaptunnel/lab-link.key' &&
		[ \$(stat -c %a '$TMP/nocap/opt/cni/bin/ttt-worker') = 755 ]"
	NOCAPS=1 HROOT=$TMP/nocap check "  and uninstalls" inst_ok --uninstall
	check "  leaving the tree as it found it (the empty /opt/cni/bin)" \
		test "$(cd "$TMP/nocap" && find . | sort | tr '\n' ' ')" = ". ./opt ./opt/cni ./opt/cni/bin "
	mkdir -p "$TMP/nocap2/opt/cni/bin"
	chown 65534:65534 "$TMP/nocap2/opt/cni/bin"
	NOCAPS=1 HROOT=$TMP/nocap2 check "  (a CNI bin dir not owned by root would need DAC_OVERRIDE: refused)" \
		refused "cannot create a temporary file in" --once

	# Two "pods", one on each "node" (198.18.0.1, 198.18.0.2, as in
	# multus-pod.yaml), each attachment made by the installed plugin from
	# Multus's delegate config, as Multus runs it.
	# shellcheck disable=SC2034 # cni_lib.sh's cni() runs $PLUGIN
	PLUGIN=$BIN/tinytaptunnel
	detach_pods() {
		local i
		for i in 0 1; do
			[ -f "$TMP/pod$i.add.json" ] && cni "h$((i + 1))" DEL "ctr-$i" "" "$TMP/pod$i.add.json" 2>/dev/null
		done
	}
	CLEANUP_HOOKS+=(detach_pods)
	if make_lan 2 && netns c0 && netns c1; then
		for i in 0 1; do
			node_conf "$TMP/pod$i-delegate.json" "stateDir=\"$TMP/state-h$((i + 1))\"" \
				>"$TMP/pod$i.add.json"
			pod=$($CHECKER pod-field "$K8S/multus-pod.yaml" $i metadata.name)
			ifname=$($CHECKER pod-field "$K8S/multus-pod.yaml" $i interface)
			IFNAME=$ifname check "multus: ADD for pod $pod on node h$((i + 1))" cni_ok "h$((i + 1))" ADD "ctr-$i" "c$i" \
				"$TMP/pod$i.add.json" "IgnoreUnknown=true;K8S_POD_NAMESPACE=default;K8S_POD_NAME=$pod;K8S_POD_INFRA_CONTAINER_ID=ctr-$i;K8S_POD_UID=uid-$i"
			cp "$TMP/out.json" "$TMP/pod$i.result"
			check "multus: pod $pod got its annotation's address" \
				test "$(json "$TMP/pod$i.result" ips.0.address)" = "$($CHECKER pod-field "$K8S/multus-pod.yaml" $i ips.0)"
		done
		pa=$(worker_pid h1 ctr-0)
		check "multus: the worker is the installed one, beside the plugin" \
			test "$(readlink "/proc/$pa/exe")" = "$BIN/ttt-worker"
		check "multus: the pod got its links entry: link lab-a-b, listen and peer from the NAD" \
			sh -c "tr '\0' ' ' </proc/$pa/cmdline | grep -q -- '--link lab-a-b .* 198.18.0.1:9201 198.18.0.2:9201 \$'"
		check "multus: lab-a pings lab-b through the tunnel" pings c0 -c 3 -i 0.2 198.19.0.2
		check "multus: lab-b pings lab-a" pings c1 -c 3 -i 0.2 198.19.0.1
		pod0=$($CHECKER pod-field "$K8S/multus-pod.yaml" 0 metadata.name)
		check "multus: ttt metrics (as the metrics container runs it) labels the pod's tunnel" sh -c \
			"'$BUILD/ttt' metrics --dir '$TMP/state-h1' | grep -q '^tinytaptunnel_rx_frames_total{.*,pod=\"default/$pod0\",.*} [1-9]'"
		for i in 0 1; do
			check "multus: DEL pod $i" cni_ok "h$((i + 1))" DEL "ctr-$i" "c$i" "$TMP/pod$i.add.json"
		done
		check "multus: the workers are gone" wait_for 3 gone "$pa"
		check "multus: nothing left" sh -c "[ -z \"\$(ls '$TMP/state-h1/$NET/'*.json '$TMP/state-h2/$NET/'*.json 2>/dev/null)\" ]"
		rm -f "$TMP/pod0.add.json" "$TMP/pod1.add.json"
	else
		not_ok "multus: build the LAN"
	fi
else
	echo "# not root: the capability and Multus end-to-end checks need root and were not run"
fi

# --- atomic copies: an interrupted copy never shows at the final path ---------------

# A `cat` that copies half of any file called tinytaptunnel, then fails
# (SHIM=fail) or hangs (SHIM=hang, until killed); other files pass through.
mkdir -p "$TMP/shim" "$TMP/srcx"
cat >"$TMP/shim/cat" <<'EOF'
#!/bin/bash
src=${!#}
case ${src##*/} in
tinytaptunnel)
	head -c $(($(stat -L -c %s "$src") / 2)) "$src"
	echo "$$" >"$SHIM_STATE/pid"
	: >"$SHIM_STATE/half"
	[ "$SHIM" = hang ] && exec sleep 300
	exit 1
	;;
esac
exec /bin/cat "$@"
EOF
chmod 0755 "$TMP/shim/cat"
head -c 4194304 /dev/urandom >"$TMP/v1"
head -c 4194304 /dev/urandom >"$TMP/v2"
cp "$TMP/v1" "$TMP/srcx/tinytaptunnel"
cp "$BUILD/ttt-worker" "$TMP/srcx/ttt-worker"
HX=$TMP/hx
mkdir -p "$HX" "$TMP/shim-state"
export SHIM_STATE=$TMP/shim-state

PATH=$TMP/shim:$PATH SHIM=fail HROOT=$HX SRCDIR=$TMP/srcx \
	check "a copy failing halfway fails the sync" refused "copying $TMP/srcx/tinytaptunnel to .* failed" --once
check "  the final path never appeared" test ! -e "$HX/opt/cni/bin/tinytaptunnel"
check "  no temporary file is left" no_temp_files "$HX"
check "  the other binary was installed" cmp -s "$BUILD/ttt-worker" "$HX/opt/cni/bin/ttt-worker"
HROOT=$HX SRCDIR=$TMP/srcx check "the next sync installs it completely" inst_ok --once
check "  byte-identical" same_file "$TMP/v1" "$HX/opt/cni/bin/tinytaptunnel" 755

cp "$TMP/v2" "$TMP/srcx/tinytaptunnel"
rm -f "$SHIM_STATE/half" "$SHIM_STATE/pid"
HOST_ROOT=$HX SRC_BIN_DIR=$TMP/srcx SECRET_DIR=$SECRET PATH=$TMP/shim:$PATH SHIM=hang \
	"$INSTALLER" --once >"$TMP/hang.log" 2>&1 &
hung=$!
PIDS+=("$hung")
if wait_for 10 test -e "$SHIM_STATE/half"; then
	shim_pid=$(cat "$SHIM_STATE/pid")
	PIDS+=("$shim_pid")
	check "mid-copy of an update: the final path still holds the old binary" cmp -s "$TMP/v1" "$HX/opt/cni/bin/tinytaptunnel"
	check "  the new one is half-written under a temporary name" \
		test -n "$(find "$HX/opt/cni/bin" -name '.tinytaptunnel.ttt-install.*' -size -4096k)"
	kill -KILL "$hung" "$shim_pid"
	wait "$hung" 2>/dev/null
	check "killed mid-copy (SIGKILL): the final path still holds the old binary" \
		same_file "$TMP/v1" "$HX/opt/cni/bin/tinytaptunnel" 755
	HROOT=$HX SRCDIR=$TMP/srcx check "the next sync completes the update" inst_ok --once
	check "  removing the dead run's temporary file" said "removed leftover temporary file /opt/cni/bin/.tinytaptunnel.ttt-install."
	check "  the final path holds the new binary" same_file "$TMP/v2" "$HX/opt/cni/bin/tinytaptunnel" 755
	check "  no temporary file is left" no_temp_files "$HX"
else
	not_ok "mid-copy: the shim did not start"
	diag "$TMP/hang.log"
fi
HROOT=$HX check "uninstall of a tree it made" inst_ok --uninstall
check "  leaves it empty (the directories it created removed)" test -z "$(ls -A "$HX")"

# --- uninstall --------------------------------------------------------------------

echo 'file /opt/cni/bin/bridge' >>"$KEYS/.installed"
check "uninstall" inst_ok --uninstall
check "  refuses a manifest line naming a file it never installs" said "ignoring unexpected manifest line 'file /opt/cni/bin/bridge'"
check "  removes exactly what it installed, and its manifest" \
	test "$(cd "$HOST" && find . -type f | sort | tr '\n' ' ')" = "./etc/tinytaptunnel/admin.key ./opt/cni/bin/bridge "
check "  the unrelated plugin is intact" grep -qx 'an unrelated plugin' "$BIN/bridge"
check "  the key dir it created is kept: it is not empty" said "kept directory /etc/tinytaptunnel"
check "a second uninstall has nothing to do" inst_ok --uninstall
check "  and says so" said "nothing to uninstall"

done_testing
