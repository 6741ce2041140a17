#!/bin/sh
# SPDX-License-Identifier: MIT
# fetch-debian-source.sh [--update] [VERSION] - checks the vendored cJSON
# against Debian's source package (default VERSION: the one README.md names),
# or with --update replaces it. Needs apt and dpkg-dev (dpkg-source) and the
# Debian archive; changes nothing on the system: apt runs on a private
# configuration (deb-src lines made from the deb lines apt uses here) in a
# temporary directory.
set -eu

HERE=$(cd "$(dirname "$0")" && pwd)
UPDATE=0
[ "${1:-}" = --update ] && { UPDATE=1; shift; }
# shellcheck disable=SC2016 # backquotes of README.md, not a command
VERSION=${1:-$(sed -n 's/^Debian version: `\(.*\)`$/\1/p' "$HERE/README.md")}
[ -n "$VERSION" ] || { echo "fetch-debian-source: no version" >&2; exit 2; }
command -v dpkg-source >/dev/null || { echo "fetch-debian-source: needs dpkg-dev" >&2; exit 2; }

T=$(mktemp -d "${TMPDIR:-/tmp}/cjson-src.XXXXXX")
trap 'rm -rf "$T"' EXIT
mkdir -p "$T/state/lists/partial" "$T/cache/archives/partial"

# deb-src lines for every deb line (one-line and deb822 formats).
{
	[ ! -e /etc/apt/sources.list ] || sed -n 's/^deb \(.*\)/deb-src \1/p' /etc/apt/sources.list
	for f in /etc/apt/sources.list.d/*.sources; do
		[ -e "$f" ] || continue
		awk '
		function flush() {
			if (types ~ /(^| )deb( |$)/ && uris != "") {
				n = split(suites, s, " ")
				for (i = 1; i <= n; i++)
					printf "deb-src %s%s %s %s\n", (key != "" ? "[signed-by=" key "] " : ""), uris, s[i], comps
			}
			types = uris = suites = comps = key = ""
		}
		/^[[:space:]]*$/ { flush(); next }
		/^Types:/ { sub(/^Types:[[:space:]]*/, ""); types = $0 }
		/^URIs:/ { sub(/^URIs:[[:space:]]*/, ""); uris = $0 }
		/^Suites:/ { sub(/^Suites:[[:space:]]*/, ""); suites = $0 }
		/^Components:/ { sub(/^Components:[[:space:]]*/, ""); comps = $0 }
		/^Signed-By:/ { sub(/^Signed-By:[[:space:]]*/, ""); key = $0 }
		END { flush() }' "$f"
	done
} >"$T/sources.list"

APT="-o Dir::Etc::SourceList=$T/sources.list -o Dir::Etc::SourceParts=/dev/null
     -o Dir::State=$T/state -o Dir::Cache=$T/cache -o APT::Sandbox::User=root"
# shellcheck disable=SC2086
apt-get -q $APT update >"$T/update.log" 2>&1 || { cat "$T/update.log" >&2; exit 1; }
# shellcheck disable=SC2086
(cd "$T" && apt-get -q $APT source "cjson=$VERSION" >"$T/source.log" 2>&1) ||
	{ cat "$T/source.log" >&2; exit 1; }
SRC=$(find "$T" -mindepth 1 -maxdepth 1 -type d -name 'cjson-*' | head -n 1)
echo "Debian cjson $VERSION:"
sha256sum "$T"/cjson_*.dsc "$T"/cjson_*.tar.* | sed "s|$T/||"

if [ "$UPDATE" = 1 ]; then
	cp "$SRC/cJSON.c" "$SRC/cJSON.h" "$HERE/cjson/"
	cp "$SRC/LICENSE" "$HERE/LICENSE"
	echo "updated; now put the version and these checksums in README.md:"
	(cd "$HERE" && sha256sum cjson/cJSON.c cjson/cJSON.h LICENSE)
	exit 0
fi
rc=0
for f in cJSON.c cJSON.h; do
	cmp -s "$SRC/$f" "$HERE/cjson/$f" || { echo "differs: cjson/$f"; rc=1; }
done
cmp -s "$SRC/LICENSE" "$HERE/LICENSE" || { echo "differs: LICENSE"; rc=1; }
[ "$rc" = 0 ] && echo "the vendored files are Debian's, byte for byte"
exit "$rc"
