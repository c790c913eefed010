#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#
# Memory per idle keep-alive client connection: opens N connections (default
# 10,000) through the proxy, one request each, keeps them idle, and reports
# the growth of the proxy's resident memory (VmRSS of all its processes)
# divided by N. For gwd, nginx and HAProxy, in the netns topology of the
# tests. Not a test: it prints a table.
#
#   sudo tools/bench/l7/idle-mem.sh [-n N] [-w WORKERS]
set -u
REPO=$(cd "$(dirname "$0")/../../.." && pwd)
N=10000
WORKERS=2
while getopts "n:w:h" o; do
	case $o in
	n) N=$OPTARG ;;
	w) WORKERS=$OPTARG ;;
	*) sed -n '4,12p' "$0"; exit 2 ;;
	esac
done
[ "$(id -u)" = 0 ] || { echo "idle-mem: needs root" >&2; exit 1; }
# shellcheck source=tests/netns/lib.sh
source "$REPO/tests/netns/lib.sh"
gw_env_init
topo_create 1
_gw_sysctl "$NS_CLI" "net.ipv4.ip_local_port_range=1024 65000"
W=$GW_RUN_DIR
# a private copy: a rebuild during the run must not change what is measured
cp "$REPO/.output/gwd" "$REPO/.output/gwctl" "$W/" || exit 1
BE=$BE4_1
GWIP=$GW_CLI4

mkdir -p "$W/be" "$W/nginx" "$W/haproxy" "$W/state"
cat >"$W/be/nginx.conf" <<EOF
user root;
worker_processes 1;
pid $W/be/nginx.pid;
error_log $W/be/error.log warn;
events { worker_connections 4096; }
http { access_log off; server { listen 8080; location / { return 200 "ok\n"; } } }
EOF
start_background "$NS_BE_1" backend nginx -c "$W/be/nginx.conf" -g 'daemon off;'
wait_tcp "$NS_BE_1" "$BE" 8080

rss_kib()
{
	local sum=0 p v

	for p in "$@"; do
		v=$(awk '/^VmRSS:/ { print $2 }' "/proc/$p/status" 2>/dev/null)
		sum=$((sum + ${v:-0}))
	done
	echo "$sum"
}

# hold PORT: opens $N connections, one GET each, and keeps them until stdin closes.
CLIENT='
import os, socket, sys, resource
port, n = int(sys.argv[2]), int(sys.argv[3])
resource.setrlimit(resource.RLIMIT_NOFILE, (20000, 20000))
socks = []
for i in range(n):
    s = socket.create_connection((sys.argv[1], port))
    s.sendall(b"GET / HTTP/1.1\r\nHost: h\r\n\r\n")
    d = b""
    while b"ok" not in d:
        d += s.recv(4096)
    socks.append(s)
print("ready", flush=True)
sys.stdin.read()
'

# measure NAME PORT COUNT PID...
measure()
{
	local name=$1 port=$2 n=$3 before after fifo="$W/fifo-$1" client
	shift 3

	sleep 1
	before=$(rss_kib "$@")
	mkfifo "$fifo"
	ns_exec "$NS_CLI" python3 -c "$CLIENT" "$GWIP" "$port" "$n" <"$fifo" >"$W/$name.client" &
	client=$!
	exec 7>"$fifo"
	for ((i = 0; i < 600; i++)); do
		grep -q ready "$W/$name.client" 2>/dev/null && break
		sleep 0.1
	done
	grep -q ready "$W/$name.client" || { echo "$name: client did not get ready" >&2; }
	sleep 1
	after=$(rss_kib "$@")
	exec 7>&-
	wait "$client"
	rm -f "$fifo"
	awk -v n="$name" -v b="$before" -v a="$after" -v c="$n" \
		'BEGIN { printf "%-8s %8d %10d %10d %12.2f\n", n, c, b, a, (a - b) * 1024 / c / 1024 }'
}

printf '%-8s %8s %10s %10s %12s\n' proxy conns "rss KiB" "+idle KiB" "KiB/conn"

cat >"$W/gwd.yaml" <<EOF
apiVersion: gateway.networking.k8s.io/v1
kind: GatewayClass
metadata: {name: bench}
spec: {controllerName: xdpgw.io/gateway-controller}
---
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: gw, namespace: bench}
spec: {gatewayClassName: bench, listeners: [{name: http, protocol: HTTP, port: 8000}]}
---
apiVersion: v1
kind: Service
metadata: {name: be, namespace: bench}
spec: {ports: [{name: http, port: 80}]}
---
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata: {name: be-a, namespace: bench, labels: {kubernetes.io/service-name: be}}
addressType: IPv4
ports: [{name: http, port: 8080, protocol: TCP}]
endpoints: [{addresses: ["$BE"]}]
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: web, namespace: bench}
spec: {parentRefs: [{name: gw}], rules: [{backendRefs: [{name: be, port: 80}]}]}
EOF
"$W/gwctl" load -q -f "$W/gwd.yaml" --state-dir "$W/state" >/dev/null 2>&1
start_background "$NS_GW" gwd "$W/gwd" --state-dir "$W/state" --workers "$WORKERS" \
	--admin off --max-conns $((N + 1000))
wait_tcp "$NS_GW" "$GWIP" 8000
measure gwd 8000 "$N" "$(bg_pid gwd)"
stop_background gwd >/dev/null

cat >"$W/nginx/nginx.conf" <<EOF
user root;
worker_processes $WORKERS;
worker_rlimit_nofile 20000;
pid $W/nginx/nginx.pid;
error_log $W/nginx/error.log warn;
events { worker_connections 16000; }
http {
    access_log off;
    upstream be { server $BE:8080; keepalive 64; }
    server {
        listen 8001 reuseport;
        location / { proxy_pass http://be; proxy_http_version 1.1; proxy_set_header Connection ""; }
    }
}
EOF
start_background "$NS_GW" nginx nginx -c "$W/nginx/nginx.conf" -g 'daemon off;'
wait_tcp "$NS_GW" "$GWIP" 8001
sleep 0.3
# shellcheck disable=SC2046
measure nginx 8001 "$N" $(bg_pid nginx) $(pgrep -P "$(bg_pid nginx)")
stop_background nginx >/dev/null

# HAProxy reserves two descriptors per connection: stay within the 20000 limit
HN=$((N < 9000 ? N : 9000))
cat >"$W/haproxy/haproxy.cfg" <<EOF
global
    nbthread $WORKERS
    maxconn $((HN + 200))
defaults
    mode http
    timeout connect 5s
    timeout client 120s
    timeout server 60s
    http-reuse always
frontend fe
    bind $GWIP:8002
    default_backend be
backend be
    server s1 $BE:8080
EOF
start_background "$NS_GW" haproxy haproxy -f "$W/haproxy/haproxy.cfg" -db
wait_tcp "$NS_GW" "$GWIP" 8002
measure haproxy 8002 "$HN" "$(bg_pid haproxy)"
stop_background haproxy >/dev/null
