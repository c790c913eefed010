#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#
# TLS passthrough benchmark: gwd (TLS listener in mode Passthrough, TLSRoute
# by SNI) vs nginx (stream, ssl_preread, map on $ssl_preread_server_name) vs
# HAProxy (mode tcp, inspect-delay, req.ssl_sni) in front of one nginx
# backend that terminates TLS itself (ECDSA P-256, TLS 1.3), in the netns
# topology of the tests, one run. Never a test: it prints a table.
#
#   sudo tools/bench/l7/passthrough-bench.sh [-w WORKERS] [-r ROUNDS] [-d SECONDS] [-c CONNS] [-m MIB]
#
# Per proxy, ROUNDS interleaved rounds (medians reported):
#   conn/s     wrk with "Connection: close" over https with SNI: a new TCP
#              connection through the proxy and a full handshake with the
#              backend per request
#   us/conn    the proxy processes' CPU (utime+stime) per connection
#   ka req/s   wrk over persistent connections: many requests per tunnel
#   us/req     the proxy's CPU per request in that run
#   MB/s       one curl download of a MIB MiB file through one tunnel
#   us/MB      the proxy's CPU per MB (10^6 bytes) of it
# and ratios against nginx. Before the first round each proxy must deliver
# the backend's own certificate (curl --cacert it, verify result 0) and
# close a connection whose SNI has no route; the exit status is 1 when a
# check failed (the table is printed all the same).
set -u
REPO=$(cd "$(dirname "$0")/../../.." && pwd)
WORKERS=1
ROUNDS=3
DUR=5
CONNS=64
MIB=1024
while getopts "w:r:d:c:m:h" o; do
	case $o in
	w) WORKERS=$OPTARG ;;
	r) ROUNDS=$OPTARG ;;
	d) DUR=$OPTARG ;;
	c) CONNS=$OPTARG ;;
	m) MIB=$OPTARG ;;
	*) sed -n '4,24p' "$0"; exit 2 ;;
	esac
done
# shellcheck source=tests/netns/lib.sh
source "$REPO/tests/netns/lib.sh"
# shellcheck source=tools/bench/l7/peers.sh
source "$REPO/tools/bench/l7/peers.sh"
bench_preflight passthrough-bench wrk curl nginx haproxy openssl ip nsenter unshare
[ -e /usr/lib/nginx/modules/ngx_stream_module.so ] ||
	{ echo "passthrough-bench: missing nginx's stream module (libnginx-mod-stream)" >&2; exit 1; }
gw_env_init
topo_create 1
_gw_sysctl "$NS_CLI" net.ipv4.tcp_tw_reuse=1 "net.ipv4.ip_local_port_range=1024 65000"
# the proxies open a backend connection per client connection
_gw_sysctl "$NS_GW" net.ipv4.tcp_tw_reuse=1 "net.ipv4.ip_local_port_range=1024 65000"
W=$GW_RUN_DIR
HZ=$(getconf CLK_TCK)
BE=$BE4_1
GWIP=$GW_CLI4
NAME=bench.example.com
# wrk resolves $NAME to the proxy's address through this file (see cli_exec)
CLI_HOSTS=$W/hosts
printf '127.0.0.1 localhost\n%s %s\n' "$GWIP" "$NAME" >"$CLI_HOSTS"

# ---- backend: nginx with TLS, one worker, a small body and a big file ----
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 \
	-subj "/CN=$NAME" -addext "subjectAltName=DNS:$NAME" -keyout "$W/key.pem" \
	-out "$W/crt.pem" 2>/dev/null ||
	{ echo "passthrough-bench: cannot make a certificate" >&2; exit 1; }
mkdir -p "$W/be/www"
# sparse: the backend reads zeros from the page cache, no disk involved
truncate -s "${MIB}M" "$W/be/www/big"
cat >"$W/be/nginx.conf" <<EOF
user root;
worker_processes 1;
pid $W/be/nginx.pid;
error_log $W/be/error.log warn;
events { worker_connections 4096; }
http {
    access_log off;
    keepalive_requests 1000000;
    server {
        listen 8443 ssl reuseport backlog=4096;
        ssl_certificate $W/crt.pem;
        ssl_certificate_key $W/key.pem;
        ssl_protocols TLSv1.3;
        root $W/be/www;
        location = / { return 200 "hello from the backend\n"; }
    }
}
EOF
start_background "$NS_BE_1" backend nginx -c "$W/be/nginx.conf" -g 'daemon off;'
wait_tcp "$NS_BE_1" "$BE" 8443 || { echo "backend did not start" >&2; exit 1; }

start_gwd()
{
	{ gwd_yaml_backend tls 443 8443; cat; } >"$W/gwd.yaml" <<EOF
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: gw, namespace: bench}
spec:
  gatewayClassName: bench
  listeners: [{name: pass, protocol: TLS, port: 8100, tls: {mode: Passthrough}}]
---
apiVersion: gateway.networking.k8s.io/v1
kind: TLSRoute
metadata: {name: pass, namespace: bench}
spec:
  parentRefs: [{name: gw}]
  hostnames: [$NAME]
  rules: [{backendRefs: [{name: be, port: 443}]}]
EOF
	start_gwd_config "$1" 8100
}

# route_check NAME PORT: the backend's certificate verifies through the
# proxy, and a SNI without a route gets no answer
route_check()
{
	local out

	out=$(cli_exec curl -s --max-time 10 --cacert "$W/crt.pem" -o /dev/null \
		-w '%{http_code} %{ssl_verify_result}' "https://$NAME:$2/")
	echo "  $1: curl --cacert <backend's certificate>: $out (want 200 0)" >&2
	[ "$out" = "200 0" ] || check_failed "$1 does not pass $NAME through"
	out=$(cli_exec curl -s -k --max-time 10 -o /dev/null -w '%{http_code}' \
		--resolve "other.example.com:$2:$GWIP" "https://other.example.com:$2/")
	echo "  $1: SNI other.example.com: HTTP $out (want 000)" >&2
	[ "$out" = 000 ] || check_failed "$1 answers a SNI without a route"
}

# bulk_run PORT: "MB/s cpu_us_per_MB" of one download of the big file
bulk_run()
{
	local out t0 t1

	t0=$(cpu_ticks)
	out=$(cli_exec curl -s --max-time 120 --cacert "$W/crt.pem" -o /dev/null \
		-w '%{http_code} %{size_download} %{speed_download}' "https://$NAME:$1/big")
	t1=$(cpu_ticks)
	read -r -a out <<<"$out 0 0 0"
	if [ "${out[0]}" != 200 ] || [ "${out[1]}" != $((MIB << 20)) ]; then
		check_failed "bulk through port $1: HTTP ${out[0]}, ${out[1]} bytes"
	fi
	awk -v b="${out[1]}" -v s="${out[2]}" -v d=$((t1 - t0)) -v hz="$HZ" \
		'BEGIN { printf "%.1f %.1f\n", s / 1e6, (b > 0 ? d * 1e6 / hz / (b / 1e6) : 0) }'
}

measure()
{
	local name=$1 port=$2 conn ka bulk

	[ "$ROUND" = 1 ] && route_check "$name" "$port"
	read -r -a conn <<<"$(wrk_cpu "https://$NAME:$port/" -H 'Connection: close')"
	read -r -a ka <<<"$(wrk_cpu "https://$NAME:$port/")"
	read -r -a bulk <<<"$(bulk_run "$port")"
	echo "$name ${conn[0]} ${conn[2]} ${ka[0]} ${ka[2]} ${bulk[0]} ${bulk[1]}" >>"$W/results"
	echo "  $name: new connections ${conn[0]}/s (${conn[2]} us/conn), keep-alive" \
		"${ka[0]} req/s (${ka[2]} us/req), bulk ${bulk[0]} MB/s (${bulk[1]} us/MB)" >&2
}

: >"$W/results"
echo "passthrough-bench: $(nproc) CPUs, $WORKERS worker(s), $ROUNDS rounds x ${DUR}s," \
	"$CONNS conns, $MIB MiB bulk, load average $(cut -d' ' -f1-3 /proc/loadavg)" >&2
for ROUND in $(seq 1 "$ROUNDS"); do
	echo "round $ROUND" >&2
	start_gwd "$WORKERS"
	measure gwd 8100
	stop_background gwd >/dev/null
	start_nginx_stream "$WORKERS" 8101 "$NAME" "$BE:8443"
	measure nginx 8101
	stop_background nginx >/dev/null
	start_haproxy_sni "$WORKERS" 8102 "$NAME" "$BE:8443"
	measure haproxy 8102
	stop_background haproxy >/dev/null
done

median_table "conn/s,us/conn,ka req/s,us/req,MB/s,us/MB" "$W/results"
exit_checks
