#!/bin/bash
# SPDX-License-Identifier: MIT
# test_deploy_service.sh - what `make install` puts on a host besides the
# binaries: the ttt-worker@.service template (systemd accepts it, its
# sandbox rates well, the example .conf's arguments start a real tunnel)
# and the man pages (they render without warnings). No systemd manager runs
# here, so the unit itself is checked, not run.
. "$(dirname "$0")/lib.sh"
require_root

D=$TMP/dest
# A build of its own: PREFIX=/usr changes what the plugin is compiled with,
# and the shared build directory must not change under the other tests.
MK=(make -s -j2 -C "$ROOT" BUILD="$TMP/build" PREFIX=/usr CNI_BIN_DIR=/opt/cni/bin)
if ! "${MK[@]}" install DESTDIR="$D" >"$TMP/install.log" 2>&1; then
	not_ok "make install into a staging directory"
	diag "$TMP/install.log"
	done_testing
fi
UNIT=$D/usr/lib/systemd/system/ttt-worker@.service
for f in usr/sbin/ttt-worker usr/sbin/ttt opt/cni/bin/tinytaptunnel usr/share/man/man8/ttt-worker.8 \
	usr/share/man/man8/tinytaptunnel.8 usr/share/man/man8/ttt.8 \
	usr/lib/systemd/system/ttt-worker@.service; do
	check "make install put /$f in place" test -s "$D/$f"
done
check "the unit runs /usr/sbin/ttt-worker, its replay state kept until reboot" \
	grep -q '^ExecStart=/usr/sbin/ttt-worker --replay-state /run/tinytaptunnel/workers/%i.replay \$TTT_ARGS$' "$UNIT"
check "its runtime directories (its own, the control sockets), 0700, kept across restarts" sh -c \
	"grep -qx 'RuntimeDirectory=tinytaptunnel/workers tinytaptunnel/sock' '$UNIT' && grep -qx 'RuntimeDirectoryMode=0700' '$UNIT' &&
	 grep -qx 'RuntimeDirectoryPreserve=yes' '$UNIT'"

# systemd-analyze needs the binary at the path the unit names: verify a copy
# that points into the staging directory.
sed "s|/usr/sbin/ttt-worker|$D/usr/sbin/ttt-worker|" "$UNIT" >"$TMP/ttt-worker@.service"
ln -s ttt-worker@.service "$TMP/ttt-worker@lab.service"
check "systemd-analyze verify accepts the unit" \
	sh -c "systemd-analyze verify --man=no '$TMP/ttt-worker@lab.service' >'$TMP/verify.out' 2>&1 && ! grep -q . '$TMP/verify.out'"
diag "$TMP/verify.out"
systemd-analyze security --offline=true --no-pager "$TMP/ttt-worker@lab.service" >"$TMP/sec.out" 2>&1
score=$(sed -n 's/.*Overall exposure level for .*: \([0-9.]*\).*/\1/p' "$TMP/sec.out")
check "sandbox exposure score ${score:-?} is at most 2.5 (OK)" \
	awk -v s="${score:-99}" 'BEGIN { exit !(s <= 2.5) }'
check "only CAP_NET_ADMIN remains" grep -q '^CapabilityBoundingSet=CAP_NET_ADMIN$' "$UNIT"

# The example configuration's arguments, as systemd would split them.
make_lan 2 || { not_ok "build the LAN"; done_testing; }
key_copy k
conf=$TMP/lab.conf
sed -e "s|/etc/tinytaptunnel/lab.key|$TMP/k|" "$ROOT/deploy/systemd/example.conf" >"$conf"
# shellcheck disable=SC1090
. "$conf"
# shellcheck disable=SC2086 # split like systemd's $TTT_ARGS
check "the example .conf's TTT_ARGS start a tunnel" start_worker w1 h1 $TTT_ARGS
check "with the interface it names" sh -c "ip -n $(ns h1) link show ttt-lab >/dev/null"

# Man pages render cleanly.
for m in ttt-worker tinytaptunnel ttt; do
	check "man page $m(8) renders without warnings" \
		sh -c "LC_ALL=C groff -man -ww -z '$D/usr/share/man/man8/$m.8' 2>'$TMP/$m.warn' && ! grep -q . '$TMP/$m.warn'"
	diag "$TMP/$m.warn"
	check "man -l shows $m(8)" sh -c "MANWIDTH=80 man -l '$D/usr/share/man/man8/$m.8' 2>/dev/null | grep -q 'SYNOPSIS'"
done
"${MK[@]}" uninstall DESTDIR="$D" >/dev/null 2>&1
check "make uninstall removes it all" test -z "$(find "$D" -type f)"
done_testing
