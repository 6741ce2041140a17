#!/bin/bash
# SPDX-License-Identifier: MIT
# mntjail.sh WORKDIR DIR=SRC... -- COMMAND [ARGS...] - runs COMMAND in a new,
# private mount namespace in which each DIR shows the directory SRC. A DIR
# the machine lacks is made inside an overlay of its nearest existing parent,
# the overlay's writes going under WORKDIR: nothing is written to, or
# mounted on, the machine's own directories, and every mount ends with the
# namespace (when its last process exits). Exits 1, without running
# COMMAND, when a mount fails or the namespace would not be a new one.
set -u

if [ "${MNTJAIL_OUTER:-}" = "" ]; then
	# unshare replaces itself with this script: COMMAND keeps our PID.
	MNTJAIL_OUTER=$(readlink /proc/self/ns/mnt) exec unshare -m --propagation private "$0" "$@"
	echo "mntjail: unshare failed" >&2
	exit 1
fi
if [ "$(readlink /proc/self/ns/mnt)" = "$MNTJAIL_OUTER" ]; then
	echo "mntjail: not in a new mount namespace" >&2
	exit 1
fi
unset MNTJAIL_OUTER
WORK=$1
shift

# shadow DIR SRC: SRC appears at DIR.
shadow() {
	local dir=$1 src=$2 parent=$1 ov
	while [ ! -d "$parent" ]; do parent=$(dirname "$parent"); done
	if [ "$parent" != "$dir" ]; then
		[ "$parent" = / ] && { echo "mntjail: will not overlay / for $dir" >&2; return 1; }
		ov=$(mktemp -d "$WORK/overlay.XXXXXX") || return 1
		mkdir "$ov/upper" "$ov/work" || return 1
		mount -t overlay "mntjail-$(basename "$WORK")" \
			-o "lowerdir=$parent,upperdir=$ov/upper,workdir=$ov/work" "$parent" || return 1
		mkdir -p "$dir" || return 1
	fi
	mount --bind "$src" "$dir"
}

mkdir -p "$WORK" || exit 1
while [ $# -gt 0 ] && [ "$1" != -- ]; do
	shadow "${1%%=*}" "${1#*=}" || exit 1
	shift
done
[ $# -gt 1 ] || { echo "mntjail: no command" >&2; exit 1; }
shift
exec "$@"
