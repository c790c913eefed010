#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#
# gRPC benchmark: gwd (GRPCRoute) vs nginx (grpc_pass) vs HAProxy (proto h2)
# proxying unary gRPC calls over h2c, from h2load to one h2c backend (nginx
# answering every POST with a small application/grpc body and a
# grpc-status trailer), in the netns topology of the tests, one run. Never
# a test: it prints a table.
#
#   sudo tools/bench/l7/grpc-bench.sh [-w WORKERS] [-r ROUNDS] [-n CALLS] [-c CONNS] [-m STREAMS]
#
# Per proxy, ROUNDS interleaved rounds (medians reported):
#   req/s    h2load -c CONNS -m STREAMS -n CALLS, POST with content-type
#            application/grpc and te: trailers (2xx counted)
#   us/req   the proxy processes' CPU (utime+stime) per call in that run
#   p50/p99  h2load's request time percentiles are not printed per request;
#            the mean and sd of request time are, in ms
# and ratios against nginx.
set -u
REPO=$(cd "$(dirname "$0")/../../.." && pwd)
WORKERS=1
ROUNDS=3
CALLS=100000
CONNS=32
STREAMS=10
while getopts "w:r:n:c:m:h" o; do
	case $o in
	w) WORKERS=$OPTARG ;;
	r) ROUNDS=$OPTARG ;;
	n) CALLS=$OPTARG ;;
	c) CONNS=$OPTARG ;;
	m) STREAMS=$OPTARG ;;
	*) sed -n '4,20p' "$0"; exit 2 ;;
	esac
done

# shellcheck source=tests/netns/lib.sh
source "$REPO/tests/netns/lib.sh"
# shellcheck source=tools/bench/l7/peers.sh
source "$REPO/tools/bench/l7/peers.sh"
bench_preflight grpc-bench h2load nginx haproxy ip nsenter
gw_env_init
topo_create 1
W=$GW_RUN_DIR
HZ=$(getconf CLK_TCK)
BE=$BE4_1
GWIP=$GW_CLI4
PATH_=/bench.Echo/Unary

# ---- backend: nginx over h2c, one worker, a gRPC-shaped answer ----
mkdir -p "$W/be"
cat >"$W/be/nginx.conf" <<EOF
user root;
worker_processes 1;
pid $W/be/nginx.pid;
error_log $W/be/error.log warn;
events { worker_connections 4096; }
http {
    access_log off;
    keepalive_requests 1000000;
    http2_max_requests 1000000;
    server {
        listen 9000 http2 reuseport backlog=4096;
        location / {
            default_type application/grpc;
            add_trailer grpc-status 0;
            return 200 "grpc-bench-reply";
        }
    }
}
EOF
start_background "$NS_BE_1" backend nginx -c "$W/be/nginx.conf" -g 'daemon off;'
wait_tcp "$NS_BE_1" "$BE" 9000 || { echo "backend did not start" >&2; exit 1; }
# a 5-byte gRPC frame header and a 10-byte message
printf '\0\0\0\0\nbench-call' >"$W/req.bin"

# GRPCRoute backends are reached over HTTP/2 whatever the port's appProtocol
start_gwd()
{
	{ gwd_yaml_backend grpc 9000 9000; cat; } >"$W/gwd.yaml" <<EOF
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: gw, namespace: bench}
spec:
  gatewayClassName: bench
  listeners: [{name: grpc, protocol: HTTP, port: 8100}]
---
apiVersion: gateway.networking.k8s.io/v1
kind: GRPCRoute
metadata: {name: grpc, namespace: bench}
spec:
  parentRefs: [{name: gw}]
  rules: [{backendRefs: [{name: be, port: 9000}]}]
EOF
	start_gwd_config "$1" 8100
}

start_nginx_grpc()
{
	mkdir -p "$W/nginx"
	{ nginx_main "$1"; cat; } >"$W/nginx/nginx.conf" <<EOF
http {
    access_log off;
    keepalive_requests 1000000;
    http2_max_requests 1000000;
    upstream be { server $BE:9000; keepalive 256; keepalive_requests 1000000; }
    server {
        listen 8101 http2 reuseport backlog=4096;
        location / { grpc_pass grpc://be; }
    }
}
EOF
	run_nginx "*" 8101
}

start_haproxy_grpc()
{
	mkdir -p "$W/haproxy"
	{ haproxy_head "$1" http; cat; } >"$W/haproxy/haproxy.cfg" <<EOF
    http-reuse always
frontend fe
    bind $GWIP:8102 proto h2
    default_backend be
backend be
    server s1 $BE:9000 proto h2
EOF
	run_haproxy 8102
}

# measure NAME PORT: one h2load run; appends "NAME req/s us/req mean_ms"
measure()
{
	local name=$1 port=$2 out t0 t1 rps ok mean

	t0=$(cpu_ticks)
	out=$(ns_exec "$NS_CLI" timeout 120 h2load -c"$CONNS" -m"$STREAMS" -t2 -n"$CALLS" \
		-d "$W/req.bin" -H 'content-type: application/grpc' -H 'te: trailers' \
		"http://$GWIP:$port$PATH_" 2>&1)
	t1=$(cpu_ticks)
	rps=$(awk '/^finished in/ { gsub(",", "", $4); print $4 }' <<<"$out")
	ok=$(awk '/^status codes:/ { print $3 }' <<<"$out")
	mean=$(awk '/^time for request:/ { print $6 }' <<<"$out")
	echo "    $name: $(grep -E '^requests:' <<<"$out"), $(grep -E '^status codes:' <<<"$out")" >&2
	awk -v n="${name}" -v r="${rps:-0}" -v ok="${ok:-0}" -v d=$((t1 - t0)) -v hz="$HZ" \
		-v m="${mean:-0}" 'BEGIN { printf "%s %s %.1f %s\n", n, r, (ok > 0 ? d * 1e6 / hz / ok : 0), m }' \
		>>"$W/results"
	tail -1 "$W/results" >&2
}

: >"$W/results"
echo "grpc-bench: $(nproc) CPUs, $WORKERS worker(s), $ROUNDS rounds x $CALLS calls," \
	"$CONNS conns x $STREAMS streams" >&2
for r in $(seq 1 "$ROUNDS"); do
	echo "round $r" >&2
	start_gwd "$WORKERS"
	measure gwd 8100
	stop_background gwd >/dev/null
	start_nginx_grpc "$WORKERS"
	measure nginx 8101
	stop_background nginx >/dev/null
	start_haproxy_grpc "$WORKERS"
	measure haproxy 8102
	stop_background haproxy >/dev/null
done

median_table "req/s,us/req,mean ms" "$W/results"
