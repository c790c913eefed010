#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#
# L7 benchmark: gwd vs nginx vs HAProxy as reverse proxies, side by side in
# the netns topology of the tests (client ns -> gateway ns -> backend ns),
# in one run. Never a test: it prints a table.
#
#   sudo tools/bench/l7/bench.sh [-w "1 2"] [-r ROUNDS] [-d SECONDS] [-c CONNS]
#
# Per proxy and worker count, for ROUNDS interleaved rounds (medians and
# min..max spread reported):
#   keep-alive   wrk -c CONNS over persistent connections: requests/s, p50, p99
#   new-conn     wrk with "Connection: close": requests/s (a TCP handshake each)
#   cpu/req      utime+stime of the proxy's own processes (/proc/PID/stat)
#                during the keep-alive run, divided by the requests served
# plus the direct-to-backend ceiling. The backend is nginx returning a
# small body (one worker) so it is not the bottleneck; every proxy keeps
# upstream connections alive and logs nothing.
set -u
REPO=$(cd "$(dirname "$0")/../../.." && pwd)
WORKERS="1 2"
ROUNDS=3
DUR=8
CONNS=64
while getopts "w:r:d:c:h" o; do
	case $o in
	w) WORKERS=$OPTARG ;;
	r) ROUNDS=$OPTARG ;;
	d) DUR=$OPTARG ;;
	c) CONNS=$OPTARG ;;
	*) sed -n '4,20p' "$0"; exit 2 ;;
	esac
done
for t in wrk nginx haproxy ip nsenter; do
	command -v "$t" >/dev/null || { echo "bench: missing $t" >&2; exit 1; }
done
[ "$(id -u)" = 0 ] || { echo "bench: needs root (network namespaces)" >&2; exit 1; }
[ -x "$REPO/.output/gwd" ] || { echo "bench: build first (make)" >&2; exit 1; }

# shellcheck source=tests/netns/lib.sh
source "$REPO/tests/netns/lib.sh"
# shellcheck source=tools/bench/l7/peers.sh
source "$REPO/tools/bench/l7/peers.sh"
gw_env_init
topo_create 1
# thousands of new connections a second from one client: let it reuse
# TIME_WAIT ports, or the later runs starve on ephemeral ports
_gw_sysctl "$NS_CLI" net.ipv4.tcp_tw_reuse=1 "net.ipv4.ip_local_port_range=1024 65000"
W=$GW_RUN_DIR
# a private copy: a rebuild during the run must not change what is measured
cp "$REPO/.output/gwd" "$REPO/.output/gwctl" "$W/" || exit 1
HZ=$(getconf CLK_TCK)
BE=$BE4_1
GWIP=$GW_CLI4

# ---- backend: nginx, one worker, a small fixed body ----
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
    server {
        listen 8080 reuseport backlog=4096;
        location / { return 200 "hello from the backend\n"; }
    }
}
EOF
start_background "$NS_BE_1" backend nginx -c "$W/be/nginx.conf" -g 'daemon off;'
wait_tcp "$NS_BE_1" "$BE" 8080 || { echo "backend did not start" >&2; exit 1; }

# ---- proxies, each on its own port ----
write_gwd_cfg()
{
	cat >"$W/gwd.yaml" <<EOF
apiVersion: gateway.networking.k8s.io/v1
kind: GatewayClass
metadata: {name: bench}
spec: {controllerName: xdpgw.io/gateway-controller}
---
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: gw, namespace: bench}
spec:
  gatewayClassName: bench
  listeners: [{name: http, protocol: HTTP, port: 8000}]
---
apiVersion: v1
kind: Service
metadata: {name: be, namespace: bench}
spec: {ports: [{name: http, port: 80, targetPort: 8080}]}
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
spec:
  parentRefs: [{name: gw}]
  rules: [{backendRefs: [{name: be, port: 80}]}]
EOF
}

start_gwd()
{
	mkdir -p "$W/state"
	write_gwd_cfg
	"$W/gwctl" load -q -f "$W/gwd.yaml" --state-dir "$W/state" >/dev/null 2>&1 ||
		{ echo "gwctl load failed" >&2; exit 1; }
	start_background "$NS_GW" gwd "$W/gwd" --state-dir "$W/state" --workers "$1" \
		--admin off
	wait_tcp "$NS_GW" "$GWIP" 8000 || { tail -20 "$(bg_log gwd)" >&2; }
	PROXY_PIDS=$(bg_pid gwd)
}

# run_wrk PORT [extra wrk args]: prints "rps p50_ms p99_ms requests"
run_wrk()
{
	local port=$1 out rps p50 p99 n

	shift
	out=$(ns_exec "$NS_CLI" wrk -t2 -c"$CONNS" -d"${DUR}s" --latency "$@" \
		"http://$GWIP:$port/" 2>&1)
	if grep -q 'Non-2xx\|Socket errors' <<<"$out"; then
		echo "bench: errors against port $port:" >&2
		grep 'Non-2xx\|Socket errors' <<<"$out" >&2
	fi
	rps=$(awk '/^Requests\/sec/ { print $2 }' <<<"$out")
	p50=$(awk '$1 == "50%" { print $2 }' <<<"$out")
	p99=$(awk '$1 == "99%" { print $2 }' <<<"$out")
	n=$(awk '/requests in/ { print $1 }' <<<"$out")
	echo "$rps $(to_ms "$p50") $(to_ms "$p99") $n"
}

to_ms()
{
	awk -v v="$1" 'BEGIN {
		if (v ~ /us$/) { sub(/us$/, "", v); print v / 1000 }
		else if (v ~ /ms$/) { sub(/ms$/, "", v); print v + 0 }
		else if (v ~ /s$/) { sub(/s$/, "", v); print v * 1000 }
		else print "nan" }'
}

# measure NAME WORKERS PORT: one round; appends to $W/results
measure()
{
	local name=$1 workers=$2 port=$3 t0 t1 ka nc cpu_us

	t0=$(cpu_ticks)
	read -r -a ka <<<"$(run_wrk "$port") nan nan nan 0"
	t1=$(cpu_ticks)
	cpu_us=$(awk -v d=$((t1 - t0)) -v hz="$HZ" -v n="${ka[3]:-0}" \
		'BEGIN { if (n > 0) printf "%.2f", d * 1e6 / hz / n; else print "nan" }')
	read -r -a nc <<<"$(run_wrk "$port" -H 'Connection: close') nan"
	echo "$name $workers ${ka[0]} ${ka[1]} ${ka[2]} ${nc[0]} $cpu_us" >>"$W/results"
	echo "  $name w=$workers: keep-alive ${ka[0]} req/s p50 ${ka[1]} ms p99 ${ka[2]} ms," \
		"new-conn ${nc[0]} req/s, cpu ${cpu_us} us/req" >&2
}

: >"$W/results"
echo "bench: $(nproc) CPUs, $ROUNDS rounds x ${DUR}s, $CONNS connections, wrk -t2" >&2
for w in $WORKERS; do
	for r in $(seq 1 "$ROUNDS"); do
		echo "round $r, $w worker(s)" >&2
		PROXY_PIDS=$(bg_pid backend)
		out=$(ns_exec "$NS_CLI" wrk -t2 -c"$CONNS" -d"${DUR}s" --latency "http://$BE:8080/" 2>&1)
		echo "direct $w $(awk '/^Requests\/sec/ { print $2 }' <<<"$out")" \
			"$(to_ms "$(awk '$1 == "50%" { print $2 }' <<<"$out")")" \
			"$(to_ms "$(awk '$1 == "99%" { print $2 }' <<<"$out")") nan nan" >>"$W/results"
		start_gwd "$w"
		measure gwd "$w" 8000
		stop_background gwd >/dev/null
		start_nginx "$w" 8001 "$GWIP"
		measure nginx "$w" 8001
		stop_background nginx >/dev/null
		start_haproxy "$w" 8002
		measure haproxy "$w" 8002
		stop_background haproxy >/dev/null
	done
done

# medians and spread per (proxy, workers); ratios against nginx
awk '
function median(arr, n,    i, j, t) {
	for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (arr[j] < arr[i]) { t = arr[i]; arr[i] = arr[j]; arr[j] = t }
	return n % 2 ? arr[(n + 1) / 2] : (arr[n / 2] + arr[n / 2 + 1]) / 2
}
{
	k = $1 " " $2; keys[k] = 1; n[k]++
	for (f = 3; f <= 7; f++) v[k, f, n[k]] = $f
}
END {
	printf "%-8s %2s %12s %16s %9s %9s %12s %9s\n", "proxy", "w", "ka req/s", "(min..max)", "p50 ms", "p99 ms", "new req/s", "us/req"
	split("direct gwd nginx haproxy", order, " ")
	for (w = 1; w <= 64; w++) for (o = 1; o <= 4; o++) {
		k = order[o] " " w
		if (!(k in keys)) continue
		for (f = 3; f <= 7; f++) {
			mn[f] = 1e18; mx[f] = -1
			for (i = 1; i <= n[k]; i++) { a[i] = v[k, f, i] + 0; if (a[i] < mn[f]) mn[f] = a[i]; if (a[i] > mx[f]) mx[f] = a[i] }
			med[k, f] = median(a, n[k])
		}
		printf "%-8s %2d %12.0f %16s %9.3f %9.3f %12.0f %9s\n", order[o], w, med[k, 3], sprintf("(%.0f..%.0f)", mn[3], mx[3]), med[k, 4], med[k, 5], (order[o] == "direct" ? 0 : med[k, 6]), (order[o] == "direct" ? "-" : sprintf("%.2f", med[k, 7]))
	}
	print ""
	printf "%-8s %2s %14s %14s %14s %14s\n", "ratio", "w", "ka req/s", "new req/s", "p99", "cpu/req"
	for (w = 1; w <= 64; w++) for (o = 2; o <= 4; o++) {
		k = order[o] " " w; b = "nginx " w
		if (!(k in keys) || !(b in keys) || o == 3) continue
		printf "%-8s %2d %13.2fx %13.2fx %13.2fx %13.2fx\n", order[o] "/ngx", w, med[k, 3] / med[b, 3], med[k, 6] / med[b, 6], med[k, 5] / med[b, 5], med[k, 7] / med[b, 7]
	}
}' "$W/results"
