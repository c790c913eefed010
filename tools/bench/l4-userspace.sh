#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#
# Userspace L4 benchmark: gwd's TCP/UDP listeners without XDP (TCPRoute,
# UDPRoute) vs nginx (stream module: proxy_pass, UDP with proxy_responses
# and a session per client) vs HAProxy (mode tcp; it has no UDP) in front of
# one backend node (nginx, one worker, a 23-byte body; iperf3 server), in
# the netns topology of the tests, one run. Never a test: it prints a table.
#
#   sudo tools/bench/l4-userspace.sh [-w WORKERS] [-r ROUNDS] [-d SECONDS] [-c CONNS] [-u BYTES]
#
# gwd runs twice per round: "gwd" with its TCP tunnels as recv/send through
# its buffers (--tcp-tunnel copy) and "gwd-splice" with io_uring splices
# through a pipe pair per direction (--tcp-tunnel splice); UDP is the same
# code in both.
#
# Per proxy, ROUNDS interleaved rounds (medians reported):
#   conn/s     wrk "Connection: close": a new connection through the proxy
#              (and one from it to the backend) per request
#   us/conn    the proxy processes' CPU (utime+stime, /proc) per connection
#   ka req/s   wrk over CONNS persistent connections: requests per tunnel
#   MB/s       iperf3 -t SECONDS, one TCP stream through one tunnel
#   us/MB      the proxy's CPU per MB (10^6 bytes) of it
#   udp dg/s   iperf3 -u -b 0 -l BYTES (default 512): datagrams the backend
#              received per second through the proxy (HAProxy: none)
#   us/dg      the proxy's CPU per datagram received
# and ratios against nginx and HAProxy. Before the first round each proxy
# must answer through the tunnel (HTTP 200 with the backend's body); the
# exit status is 1 when a check failed (the table is printed all the same).
set -u
REPO=$(cd "$(dirname "$0")/../.." && pwd)
WORKERS=1
ROUNDS=3
DUR=5
CONNS=64
UDPLEN=512
while getopts "w:r:d:c:u:h" o; do
	case $o in
	w) WORKERS=$OPTARG ;;
	r) ROUNDS=$OPTARG ;;
	d) DUR=$OPTARG ;;
	c) CONNS=$OPTARG ;;
	u) UDPLEN=$OPTARG ;;
	*) sed -n '4,24p' "$0"; exit 2 ;;
	esac
done
# shellcheck source=tests/netns/lib.sh
source "$REPO/tests/netns/lib.sh"
# shellcheck source=tools/bench/l7/peers.sh
source "$REPO/tools/bench/l7/peers.sh"
bench_preflight l4-userspace wrk curl nginx haproxy iperf3 jq ip nsenter unshare
[ -e /usr/lib/nginx/modules/ngx_stream_module.so ] ||
	{ echo "l4-userspace: missing nginx's stream module (libnginx-mod-stream)" >&2; exit 1; }
gw_env_init
topo_create 1
_gw_sysctl "$NS_CLI" net.ipv4.tcp_tw_reuse=1 "net.ipv4.ip_local_port_range=1024 65000"
# the proxies open a backend connection per client connection
_gw_sysctl "$NS_GW" net.ipv4.tcp_tw_reuse=1 "net.ipv4.ip_local_port_range=1024 65000"
W=$GW_RUN_DIR
HZ=$(getconf CLK_TCK)
BE=$BE4_1
GWIP=$GW_CLI4

# ---- backend: nginx (HTTP, one worker, a small body) and an iperf3 server ----
mkdir -p "$W/be"
cat >"$W/be/nginx.conf" <<EOF
user root;
worker_processes 1;
pid $W/be/nginx.pid;
error_log $W/be/error.log warn;
events { worker_connections 16384; }
http {
    access_log off;
    keepalive_requests 1000000;
    server {
        listen 8080 reuseport backlog=4096;
        location = / { return 200 "hello from the backend\n"; }
    }
}
EOF
start_background "$NS_BE_1" backend nginx -c "$W/be/nginx.conf" -g 'daemon off;'
wait_tcp "$NS_BE_1" "$BE" 8080 || { echo "backend did not start" >&2; exit 1; }
start_background "$NS_BE_1" iperf3s iperf3 -s -p 5201
wait_tcp "$NS_BE_1" "*" 5201 || { echo "iperf3 server did not start" >&2; exit 1; }

# gwd WORKERS [gwd options]: TCP listeners for HTTP (8100) and iperf3 (5300,
# also UDP) without XDP
start_gwd()
{
	local workers=$1

	shift
	cat >"$W/gwd.yaml" <<EOF
apiVersion: gateway.networking.k8s.io/v1
kind: GatewayClass
metadata: {name: bench}
spec: {controllerName: xdpgw.io/gateway-controller}
---
apiVersion: v1
kind: Service
metadata: {name: be, namespace: bench}
spec: {ports: [{name: http, port: 8080}, {name: iperf, port: 5201},
               {name: iperfu, port: 5201, protocol: UDP}]}
---
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata: {name: be-a, namespace: bench, labels: {kubernetes.io/service-name: be}}
addressType: IPv4
ports: [{name: http, port: 8080, protocol: TCP}, {name: iperf, port: 5201, protocol: TCP},
        {name: iperfu, port: 5201, protocol: UDP}]
endpoints: [{addresses: ["$BE"]}]
---
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: gw, namespace: bench}
spec:
  gatewayClassName: bench
  listeners:
  - {name: http, protocol: TCP, port: 8100}
  - {name: iperf, protocol: TCP, port: 5300}
  - {name: iperfu, protocol: UDP, port: 5300}
---
apiVersion: gateway.networking.k8s.io/v1alpha2
kind: TCPRoute
metadata: {name: http, namespace: bench}
spec:
  parentRefs: [{name: gw, sectionName: http}]
  rules: [{backendRefs: [{name: be, port: 8080}]}]
---
apiVersion: gateway.networking.k8s.io/v1alpha2
kind: TCPRoute
metadata: {name: iperf, namespace: bench}
spec:
  parentRefs: [{name: gw, sectionName: iperf}]
  rules: [{backendRefs: [{name: be, port: 5201}]}]
---
apiVersion: gateway.networking.k8s.io/v1alpha2
kind: UDPRoute
metadata: {name: iperfu, namespace: bench}
spec:
  parentRefs: [{name: gw, sectionName: iperfu}]
  rules: [{backendRefs: [{name: be, port: 5201}]}]
EOF
	mkdir -p "$W/state"
	# a pin directory that does not exist: the XDP tier is not attached, gwd serves all three
	"$REPO/.output/gwctl" load -q -f "$W/gwd.yaml" --state-dir "$W/state" \
		--pin-dir "/sys/fs/bpf/gwb-$GW_RUN_ID" >/dev/null 2>&1 ||
		{ echo "gwctl load of $W/gwd.yaml failed" >&2; exit 1; }
	start_background "$NS_GW" gwd "$REPO/.output/gwd" --state-dir "$W/state" \
		--workers "$workers" --admin off "$@"
	wait_tcp "$NS_GW" "*" 8100
	wait_udp "$NS_GW" "*" 5300
	PROXY_PIDS=$(bg_pid gwd)
}

# nginx stream: the same three listeners
start_nginx_l4()
{
	mkdir -p "$W/nginx"
	{ nginx_main "$1" stream; cat; } >"$W/nginx/nginx.conf" <<EOF
stream {
    server { listen 8101 reuseport backlog=4096; proxy_pass $BE:8080; }
    server { listen 5301 reuseport; proxy_pass $BE:5201; }
    server { listen 5301 udp reuseport; proxy_pass $BE:5201; proxy_timeout 60s; }
}
EOF
	run_nginx "*" 8101
}

# HAProxy mode tcp: HTTP and iperf3 (TCP only: HAProxy has no UDP proxy)
start_haproxy_l4()
{
	mkdir -p "$W/haproxy"
	{ haproxy_head "$1" tcp; cat; } >"$W/haproxy/haproxy.cfg" <<EOF
frontend http
    bind $GWIP:8102
    default_backend http
backend http
    server s1 $BE:8080
frontend iperf
    bind $GWIP:5302
    default_backend iperf
backend iperf
    server s1 $BE:5201
EOF
	run_haproxy 8102
}

tunnel_check()
{
	local out

	out=$(ns_exec "$NS_CLI" curl -s --max-time 10 -w ' %{http_code}' "http://$GWIP:$2/")
	echo "  $1: curl through the tunnel: $out (want: hello from the backend 200)" >&2
	[ "$out" = "hello from the backend
 200" ] || check_failed "$1 does not tunnel to the backend"
}

# bulk_run PORT: "MB/s cpu_us_per_MB" of one iperf3 TCP stream
bulk_run()
{
	local out t0 t1 bytes secs

	t0=$(cpu_ticks)
	out=$(ns_exec "$NS_CLI" iperf3 -c "$GWIP" -p "$1" -t "$DUR" -J 2>&1)
	t1=$(cpu_ticks)
	bytes=$(jq -r '.end.sum_received.bytes // 0' <<<"$out" 2>/dev/null)
	secs=$(jq -r '.end.sum_received.seconds // 0' <<<"$out" 2>/dev/null)
	[ "${bytes:-0}" != 0 ] || check_failed "iperf3 through port $1: $(jq -r .error <<<"$out" 2>/dev/null || head -c 300 <<<"$out")"
	awk -v b="${bytes:-0}" -v s="${secs:-0}" -v d=$((t1 - t0)) -v hz="$HZ" \
		'BEGIN { printf "%.1f %.1f\n", (s > 0 ? b / s / 1e6 : 0), (b > 0 ? d * 1e6 / hz / (b / 1e6) : 0) }'
}

# udp_run PORT: "datagrams/s cpu_us_per_datagram" of iperf3 -u at full rate
udp_run()
{
	local out t0 t1 pk lost secs

	t0=$(cpu_ticks)
	out=$(ns_exec "$NS_CLI" iperf3 -c "$GWIP" -p "$1" -u -b 0 -l "$UDPLEN" -t "$DUR" -J 2>&1)
	t1=$(cpu_ticks)
	pk=$(jq -r '.end.sum.packets // 0' <<<"$out" 2>/dev/null)
	lost=$(jq -r '.end.sum.lost_packets // 0' <<<"$out" 2>/dev/null)
	secs=$(jq -r '.end.sum.seconds // 0' <<<"$out" 2>/dev/null)
	[ "${pk:-0}" != 0 ] || check_failed "iperf3 -u through port $1: $(jq -r .error <<<"$out" 2>/dev/null || head -c 300 <<<"$out")"
	awk -v p="${pk:-0}" -v l="${lost:-0}" -v s="${secs:-0}" -v d=$((t1 - t0)) -v hz="$HZ" \
		'BEGIN { r = p - l; printf "%.0f %.2f\n", (s > 0 ? r / s : 0), (r > 0 ? d * 1e6 / hz / r : 0) }'
}

measure()
{
	local name=$1 port=$2 iport=$3 conn ka bulk udp=(0 0)

	[ "$ROUND" = 1 ] && tunnel_check "$name" "$port"
	read -r -a conn <<<"$(wrk_cpu "http://$GWIP:$port/" -H 'Connection: close')"
	read -r -a ka <<<"$(wrk_cpu "http://$GWIP:$port/")"
	read -r -a bulk <<<"$(bulk_run "$iport")"
	[ "$name" != haproxy ] && read -r -a udp <<<"$(udp_run "$iport")"
	echo "$name ${conn[0]} ${conn[2]} ${ka[0]} ${bulk[0]} ${bulk[1]} ${udp[0]} ${udp[1]}" \
		>>"$W/results"
	echo "  $name: new connections ${conn[0]}/s (${conn[2]} us/conn), keep-alive" \
		"${ka[0]} req/s, bulk ${bulk[0]} MB/s (${bulk[1]} us/MB), UDP ${udp[0]} dg/s" \
		"(${udp[1]} us/dg)" >&2
}

: >"$W/results"
echo "l4-userspace: $(nproc) CPUs, $WORKERS worker(s), $ROUNDS rounds x ${DUR}s," \
	"$CONNS conns, UDP ${UDPLEN}-byte datagrams, load average $(cut -d' ' -f1-3 /proc/loadavg)" >&2
for ROUND in $(seq 1 "$ROUNDS"); do
	echo "round $ROUND" >&2
	start_gwd "$WORKERS" --tcp-tunnel copy
	[ -n "${SPLICE_ONLY:-}" ] || measure gwd 8100 5300
	stop_background gwd >/dev/null
	start_gwd "$WORKERS" --tcp-tunnel splice
	measure gwd-splice 8100 5300
	stop_background gwd >/dev/null
	[ -n "${SPLICE_ONLY:-}" ] && continue
	start_nginx_l4 "$WORKERS"
	measure nginx 8101 5301
	stop_background nginx >/dev/null
	start_haproxy_l4 "$WORKERS"
	measure haproxy 8102 5302
	stop_background haproxy >/dev/null
done

MEDIAN_ORDER="gwd gwd-splice nginx haproxy" \
	median_table "conn/s,us/conn,ka req/s,MB/s,us/MB,udp dg/s,us/dg" "$W/results"
for g in gwd gwd-splice; do
echo
echo "$g against HAProxy (mode tcp; no UDP):"
awk -v g="$g" '
function median(arr, n,    i, j, t) {
	for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (arr[j] < arr[i]) { t = arr[i]; arr[i] = arr[j]; arr[j] = t }
	return n % 2 ? arr[(n + 1) / 2] : (arr[n / 2] + arr[n / 2 + 1]) / 2
}
{ k = $1; n[k]++; for (f = 2; f <= 6; f++) v[k, f, n[k]] = $f }
END {
	split("conn/s us/conn ka_req/s MB/s us/MB", h, " ")
	for (f = 2; f <= 6; f++) {
		for (i = 1; i <= n[g]; i++) a[i] = v[g, f, i] + 0
		m = median(a, n[g])
		for (i = 1; i <= n["haproxy"]; i++) a[i] = v["haproxy", f, i] + 0
		x = median(a, n["haproxy"])
		printf "  %-9s %.2fx\n", h[f - 1], (x ? m / x : 0)
	}
}' "$W/results"
done
exit_checks
