#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# Installs every Debian package xdpgw builds, tests and benchmarks with.
# Idempotent; needs root (apt-get).
set -euo pipefail

PKGS=(
	# build
	build-essential clang llvm bpftool libbpf-dev libxdp-dev xdp-tools
	liburing-dev libssl-dev libnghttp2-dev libpcre2-dev libyaml-dev libcap-dev
	libelf-dev zlib1g-dev pkg-config
	# user/auth/: JSON of JWTs and JWK sets, bcrypt through crypt_r (libxcrypt)
	libjansson-dev libcrypt-dev
	# tests
	libcmocka-dev iproute2 iputils-ping ethtool socat jq curl tcpdump python3
	# gRPC clients and servers of tests/netns/test-gwd-grpc.sh (Debian's, in /usr/bin/python3)
	python3-grpcio
	# a newer clang: tests/bpf checks verifier acceptance with both
	clang-16
	# clients and peers for integration tests and benchmarks
	nghttp2-client wrk iperf3 nginx-light haproxy nftables openssl
	# nginx's stream module: the ssl_preread peer of tools/bench/l7/passthrough-bench.sh
	libnginx-mod-stream
	# the configuration store's etcd backend (loader/store/etcd.c) and the etcd it is tested on
	libcurl4-openssl-dev libjansson-dev etcd-server
	# htpasswd for the SecurityPolicy basicAuth tests (tests/netns/test-gwd-secpol.sh)
	apache2-utils
)

if [ "$(id -u)" != 0 ]; then
	echo "install-deps: run as root (apt-get)" >&2
	exit 1
fi
missing=()
for p in "${PKGS[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
	echo "install-deps: all ${#PKGS[@]} packages present"
	exit 0
fi
echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}"
# nginx and haproxy are benchmark peers, started by the benchmarks themselves
for svc in nginx haproxy; do
	systemctl disable --now "$svc" >/dev/null 2>&1 || true
done
