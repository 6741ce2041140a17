# SPDX-License-Identifier: MIT
# shellcheck shell=bash
# ttt-scripts.sh - the functions shared by the helper scripts in this
# directory (l2_bridge_up/_down, l3_nat_up/_down, l3_proxy_arp_up/_down).
# It is sourced by them, with
#   . "$(dirname "$0")/ttt-scripts.sh"
# and is not meant to be run. It only defines functions; sourcing it changes
# nothing.
#
# What the functions use, set by the script:
#   PROG         its name, for messages (before sourcing)
#   usage        a function printing its usage (usage_error)
#   STATE_DIR    the state directory (before sourcing)
#   STATE_FILE   its state file (set by state_file_for), and STATE_LINES,
#                the records in it (the state functions, ensure_sysctl,
#                restore_sysctls, fail)
#   DOWN         up scripts, before sourcing: the path of the down script
#                (write_state names it; fail runs it)
#   DOWN_ARG     up scripts: the argument fail passes to the down script
#                after "--" (empty: none)
#   FRESH        up scripts: 1 when this run started without a state file,
#                so that fail undoes what it recorded
#   UP           down scripts, before sourcing: the name of the up script
#                (restore names it)

# --- messages --------------------------------------------------------------------

say() { printf '%s: %s\n' "$PROG" "$*"; }
warn() { printf '%s: warning: %s\n' "$PROG" "$*" >&2; }
die() {
	printf '%s: %s\n' "$PROG" "$*" >&2
	exit 1
}
usage_error() {
	printf '%s: %s\n' "$PROG" "$*" >&2
	usage >&2
	exit 2
}

# --- interfaces ------------------------------------------------------------------

# valid_ifname NAME: a name the kernel accepts (1-15 bytes, not . or .., no
# / : or white space), without characters that would need quoting (in
# nftables too) or are ambiguous in ip's output (" ' \ * % @).
valid_ifname() {
	[ -n "$1" ] && [ "$1" != . ] && [ "$1" != .. ] && [ ${#1} -le 15 ] &&
		[[ $1 != *[^[:graph:]]* && $1 != *[/:\"\'\\*%@]* ]]
}

# check_ifname ROLE NAME: NAME is a valid interface name (valid_ifname)
# naming an existing interface of this network namespace; a usage error
# otherwise.
check_ifname() {
	local role=$1 name=$2
	valid_ifname "$name" || usage_error "$role '$name' is not a valid interface name"
	ip -o link show dev "$name" >/dev/null 2>&1 ||
		usage_error "$role '$name': no such interface in this network namespace"
}

link_line() { ip -o link show dev "$1" 2>/dev/null; }
link_index() {
	local l
	l=$(link_line "$1")
	[ -n "$l" ] || return 1
	printf '%s\n' "${l%%:*}"
}
link_master() { # prints nothing when it has none
	local l
	l=$(link_line "$1") || return 1
	if [[ $l =~ \ master\ ([^ ]+)\  ]]; then
		printf '%s\n' "${BASH_REMATCH[1]}"
	fi
}
link_admin_up() {
	local l
	l=$(link_line "$1")
	l=${l#*<}
	l=${l%%>*}
	[[ ,$l, == *,UP,* ]]
}
is_bridge() { [ -n "$(ip -o link show dev "$1" type bridge 2>/dev/null)" ]; }

sysctl_get() {
	local v
	read -r v 2>/dev/null <"/proc/sys/$1" || return 1
	printf '%s\n' "$v"
}

# --- the network namespace ----------------------------------------------------------

# netns_identity: "<inode> <cookie>" of the network namespace we run in. The
# kernel reuses a dead namespace's inode number for a new one; its cookie
# (SO_NETNS_COOKIE, Linux 5.14) is never reused while the system runs, so
# the pair tells a namespace from a later one that got the same inode. The
# cookie is "-" where it cannot be read (no python3, an older kernel).
netns_identity() {
	local ino cookie
	ino=$(readlink /proc/self/ns/net) || return 1
	ino=${ino#*[}
	ino=${ino%]}
	cookie=$(python3 -c 'import socket
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
print(int.from_bytes(s.getsockopt(socket.SOL_SOCKET, 71, 8), "little"))' 2>/dev/null) || cookie=-
	printf '%s %s\n' "$ino" "${cookie:--}"
}

# state_file_for NAME: sets NSID (this namespace's "<inode> <cookie>") and
# STATE_FILE ($STATE_DIR/NAME.net<inode>.state). A state file left by an
# earlier namespace that had the same inode (its recorded cookie differs)
# describes changes that died with that namespace: it is removed, with a
# warning, rather than obeyed. Call it with STATE_DIR locked, or before any
# other script can run.
state_file_for() {
	local rec
	NSID=$(netns_identity) || die "cannot read /proc/self/ns/net"
	STATE_FILE=$STATE_DIR/$1.net${NSID%% *}.state
	[ -e "$STATE_FILE" ] || return 0
	rec=$(sed -n 's/^netns //p' "$STATE_FILE" 2>/dev/null | head -n 1)
	if [ -n "$rec" ] && [ "${rec#* }" != - ] && [ "${NSID#* }" != - ] && [ "$rec" != "$NSID" ]; then
		warn "$STATE_FILE belongs to an earlier network namespace with the same inode (netns $rec, now $NSID): removing it"
		rm -f "$STATE_FILE" || die "cannot remove $STATE_FILE"
	fi
}

# --- state: STATE_LINES, the records of STATE_FILE (one per line) ------------------

has_record() { # PREFIX
	local l
	for l in "${STATE_LINES[@]}"; do
		[[ $l == "$1"* ]] && return 0
	done
	return 1
}

state_value() { # KEY: the rest of the first line "KEY ..."
	local l
	for l in "${STATE_LINES[@]}"; do
		[[ $l == "$1 "* ]] && printf '%s\n' "${l#"$1 "}" && return 0
	done
	return 1
}

# read_state: STATE_LINES from STATE_FILE, without comments, empty lines
# and its "netns" line (state_file_for reads that). Fails when STATE_FILE
# cannot be read.
read_state() {
	local l
	STATE_LINES=()
	while IFS= read -r l; do
		case $l in '' | '#'* | 'netns '*) continue ;; esac
		STATE_LINES+=("$l")
	done <"$STATE_FILE"
}

# write_state [ON_ERROR]: replaces STATE_FILE with STATE_LINES. When that
# fails it calls ON_ERROR MESSAGE if given (fail, which exits), else
# returns 1.
write_state() {
	local tmp
	if ! tmp=$(mktemp "$STATE_FILE.XXXXXX"); then
		[ $# -eq 0 ] || "$1" "cannot write in $STATE_DIR"
		return 1
	fi
	if ! { printf '# written by %s, read by %s\n' "$PROG" "${DOWN##*/}" &&
		printf 'netns %s\n' "$NSID" && printf '%s\n' "${STATE_LINES[@]}"; } >"$tmp" ||
		! mv -f "$tmp" "$STATE_FILE"; then
		rm -f "$tmp"
		[ $# -eq 0 ] || "$1" "cannot write $STATE_FILE"
		return 1
	fi
}

# --- up scripts --------------------------------------------------------------------

# fail MESSAGE: undoes what this run recorded (with the down script, DOWN),
# then exits 1.
fail() {
	printf '%s: %s\n' "$PROG" "$*" >&2
	if [ "$FRESH" = 1 ] && [ -e "$STATE_FILE" ]; then
		exec 9>&- # the down script takes the lock itself
		if [ -x "$DOWN" ]; then
			"$DOWN" ${DOWN_ARG:+-- "$DOWN_ARG"} >&2 ||
				printf '%s: undoing failed too; see above\n' "$PROG" >&2
		else
			printf '%s: run %s to undo the partial changes\n' "$PROG" "${DOWN##*/}${DOWN_ARG:+ $DOWN_ARG}" >&2
		fi
	fi
	exit 1
}

# The kernel sets these when net.ipv4.ip_forward is written.
save_forwarding_side_effects() {
	local d v
	v=$(sysctl_get net/ipv4/conf/all/accept_redirects) &&
		STATE_LINES+=("saved net/ipv4/conf/all/accept_redirects $v")
	for d in /proc/sys/net/ipv4/conf/*/; do
		d=${d%/}
		d=${d##*/}
		[ "$d" = all ] && continue
		v=$(sysctl_get "net/ipv4/conf/$d/forwarding") &&
			STATE_LINES+=("saved net/ipv4/conf/$d/forwarding $v")
	done
}

# ensure_sysctl PATH VALUE: records the old value (once) before changing it.
ensure_sysctl() {
	local path=$1 new=$2 cur
	cur=$(sysctl_get "$path") || fail "cannot read /proc/sys/$path"
	[ "$cur" = "$new" ] && return 0
	if ! has_record "sysctl $path "; then
		STATE_LINES+=("sysctl $path $cur $new")
		[ "$path" = net/ipv4/ip_forward ] && save_forwarding_side_effects
		write_state fail
	fi
	sysctl -q -w "$path=$new" >/dev/null || fail "cannot set $path=$new"
	say "set $path=$new (was $cur)"
}

# --- down scripts ------------------------------------------------------------------

# Only the sysctls the up scripts change, with decimal values, are restored
# from a state file.
valid_record() { # PATH VALUE...
	local path=$1 v
	shift
	[[ $path =~ ^net/ipv4/(ip_forward|conf/[^/]+/(forwarding|proxy_arp|accept_redirects))$ ]] || return 1
	[[ $path != */../* && $path != */./* ]] || return 1
	for v in "$@"; do
		[[ $v =~ ^[0-9]+$ ]] || return 1
	done
}

# restore PATH OLD NEW: OLD again if the value is still NEW. Fails when it
# did not restore (interface gone, or changed by someone else).
restore() {
	local path=$1 old=$2 new=$3 cur
	cur=$(sysctl_get "$path") || return 1 # its interface is gone
	if [ "$cur" != "$new" ]; then
		warn "$path is $cur, not $new as $UP set it: left as it is"
		return 1
	fi
	sysctl -q -w "$path=$old" >/dev/null || {
		warn "cannot set $path=$old"
		return 1
	}
	say "restored $path=$old"
}

# restore_sysctls: the "sysctl PATH OLD NEW" records of STATE_LINES, and
# after ip_forward the "saved PATH VALUE" ones.
restore_sysctls() {
	local l kind path a b forward=""
	for l in "${STATE_LINES[@]}"; do
		read -r kind path a b <<<"$l"
		[ "$kind" = sysctl ] || continue
		if ! valid_record "$path" "$a" "$b"; then
			warn "ignoring a malformed record: $l"
		elif [ "$path" = net/ipv4/ip_forward ]; then
			forward="$a $b"
		else
			restore "$path" "$a" "$b"
		fi
	done
	[ -n "$forward" ] || return 0
	# shellcheck disable=SC2086 # "OLD NEW"
	restore net/ipv4/ip_forward $forward || return 0
	# Writing ip_forward rewrote these: back to what they were before up.
	for l in "${STATE_LINES[@]}"; do
		read -r kind path a b <<<"$l"
		[ "$kind" = saved ] || continue
		valid_record "$path" "$a" || continue
		b=$(sysctl_get "$path") || continue
		[ "$a" = "$b" ] || sysctl -q -w "$path=$a" >/dev/null || warn "cannot set $path=$a"
	done
}
