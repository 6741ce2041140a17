#!/bin/sh
# SPDX-License-Identifier: MIT
# install-deps.sh [--demo|--bench] - installs the Debian packages tinytaptunnel
# needs to build and test (or only to build and run the demo, or to build
# and benchmark), when they are missing. Safe to run again: with everything
# present it does nothing. Needs root only when something must be installed.
set -eu

BUILD_PKGS="make gcc libc6-dev pkg-config libnl-3-dev libnl-route-3-dev libcjson-dev libsodium-dev"
TEST_PKGS="libcmocka-dev iproute2 iputils-ping python3 procps coreutils util-linux
containernetworking-plugins golang-go golang-github-appc-cni-dev podman runc conmon busybox-static
golang-github-containernetworking-plugins-dev debootstrap containerd python3-grpcio
nftables shellcheck python3-yaml python3-prometheus-client libfaketime valgrind clang-14 libclang-rt-14-dev"

BENCH_PKGS="iperf3"
WANT="$BUILD_PKGS $TEST_PKGS"
case "${1:-}" in
--bench) WANT="$BUILD_PKGS $BENCH_PKGS containernetworking-plugins iproute2 iputils-ping python3" ;;
--demo) WANT="$BUILD_PKGS iproute2 iputils-ping" ;;
esac

missing=""
for p in $WANT; do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
		missing="$missing $p"
	fi
done
[ -z "$missing" ] && exit 0

if [ "$(id -u)" != 0 ]; then
	echo "install-deps: missing Debian packages:$missing (run as root to install them)" >&2
	exit 1
fi
echo "install-deps: installing$missing"
export DEBIAN_FRONTEND=noninteractive
# shellcheck disable=SC2086
if ! apt-get install -y --no-install-recommends $missing; then
	apt-get update
	# shellcheck disable=SC2086
	apt-get install -y --no-install-recommends $missing
fi
