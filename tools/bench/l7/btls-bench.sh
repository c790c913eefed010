#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#
# Re-encryption benchmark (BackendTLSPolicy): plain HTTP clients -> proxy ->
# one nginx backend over TLS 1.3 (ECDSA P-256, certificate verified against
# a CA and the hostname, pooled keep-alive backend connections), in the
# netns topology of the tests, one run. Never a test: it prints a table.
#
#   sudo tools/bench/l7/btls-bench.sh [-w WORKERS] [-r ROUNDS] [-d SECONDS] [-c CONNS]
#
# Proxies: gwd to the backend in plaintext (the cost of the proxying alone),
# gwd, nginx (proxy_ssl_verify) and HAProxy (ssl verify required) over TLS.
# Per proxy, ROUNDS interleaved rounds of wrk with keep-alive clients, for a
# 23-byte and a 64 KiB response: req/s and the proxy processes' CPU
# (utime+stime) per request; medians and ratios against nginx.
set -u
REPO=$(cd "$(dirname "$0")/../../.." && pwd)
WORKERS=1
ROUNDS=3
DUR=5
CONNS=64
while getopts "w:r:d:c:h" o; do
	case $o in
	w) WORKERS=$OPTARG ;;
	r) ROUNDS=$OPTARG ;;
	d) DUR=$OPTARG ;;
	c) CONNS=$OPTARG ;;
	*) sed -n '4,15p' "$0"; exit 2 ;;
	esac
done
for t in wrk nginx haproxy openssl ip nsenter; do
	command -v "$t" >/dev/null || { echo "btls-bench: missing $t" >&2; exit 1; }
done
[ "$(id -u)" = 0 ] || { echo "btls-bench: needs root (network namespaces)" >&2; exit 1; }
[ -x "$REPO/.output/gwd" ] || { echo "btls-bench: build first (make)" >&2; exit 1; }

# shellcheck source=tests/netns/lib.sh
source "$REPO/tests/netns/lib.sh"
# shellcheck source=tools/bench/l7/peers.sh
source "$REPO/tools/bench/l7/peers.sh"
gw_env_init
topo_create 1
W=$GW_RUN_DIR
HZ=$(getconf CLK_TCK)
BE=$BE4_1
GWIP=$GW_CLI4
NAME=be.bench.example

# ---- CA and the backend's certificate for $NAME ----
if ! openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 \
	-subj "/CN=bench CA" -keyout "$W/ca.key" -out "$W/ca.crt" 2>/dev/null ||
	! openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -subj "/CN=$NAME" \
		-keyout "$W/be.key" -out "$W/be.csr" 2>/dev/null ||
	! openssl x509 -req -in "$W/be.csr" -CA "$W/ca.crt" -CAkey "$W/ca.key" -CAcreateserial \
		-days 2 -extfile <(echo "subjectAltName=DNS:$NAME") -out "$W/be.crt" 2>/dev/null; then
	echo "btls-bench: cannot make the certificates" >&2
	exit 1
fi

# ---- backend: nginx, one worker, plaintext :8080 and TLS :8443, two bodies ----
mkdir -p "$W/be/www"
printf 'hello from the backend\n' >"$W/be/www/small"
head -c 65536 /dev/zero | tr '\0' x >"$W/be/www/big"
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
        listen 8443 ssl reuseport backlog=4096;
        ssl_protocols TLSv1.3;
        ssl_certificate $W/be.crt;
        ssl_certificate_key $W/be.key;
        root $W/be/www;
    }
}
EOF
start_background "$NS_BE_1" backend nginx -c "$W/be/nginx.conf" -g 'daemon off;'
wait_tcp "$NS_BE_1" "$BE" 8443 || { echo "backend did not start" >&2; exit 1; }

# start_gwd WORKERS PORT tls|plain
start_gwd()
{
	local policy="" bport=8080

	mkdir -p "$W/state-$3"
	if [ "$3" = tls ]; then
		bport=8443
		policy="apiVersion: v1
kind: ConfigMap
metadata: {name: ca, namespace: bench}
data:
  ca.crt: |
$(sed 's/^/    /' "$W/ca.crt")
---
apiVersion: gateway.networking.k8s.io/v1
kind: BackendTLSPolicy
metadata: {name: be, namespace: bench}
spec:
  targetRefs: [{group: '', kind: Service, name: be}]
  validation: {caCertificateRefs: [{group: '', kind: ConfigMap, name: ca}], hostname: $NAME}
---"
	fi
	cat >"$W/gwd-$3.yaml" <<EOF
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
  listeners: [{name: http, protocol: HTTP, port: $2}]
---
apiVersion: v1
kind: Service
metadata: {name: be, namespace: bench}
spec: {ports: [{name: web, port: 80, targetPort: $bport}]}
---
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata: {name: be-a, namespace: bench, labels: {kubernetes.io/service-name: be}}
addressType: IPv4
ports: [{name: web, port: $bport, protocol: TCP}]
endpoints: [{addresses: ["$BE"]}]
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: web, namespace: bench}
spec:
  parentRefs: [{name: gw}]
  rules: [{backendRefs: [{name: be, port: 80}]}]
---
$policy
EOF
	"$REPO/.output/gwctl" load -q -f "$W/gwd-$3.yaml" --state-dir "$W/state-$3" >/dev/null 2>&1 ||
		{ echo "gwctl load failed" >&2; exit 1; }
	start_background "$NS_GW" gwd "$REPO/.output/gwd" --state-dir "$W/state-$3" \
		--workers "$1" --admin off
	wait_tcp "$NS_GW" "*" "$2"
	PROXY_PIDS=$(bg_pid gwd)
}

# start_nginx_tls WORKERS PORT: proxy_pass https:// with verification and keep-alive.
start_nginx_tls()
{
	mkdir -p "$W/nginx"
	cat >"$W/nginx/nginx.conf" <<EOF
user root;
worker_processes $1;
pid $W/nginx/nginx.pid;
error_log $W/nginx/error.log warn;
events { worker_connections 16384; }
http {
    access_log off;
    keepalive_requests 1000000;
    upstream be { server $BE:8443; keepalive 256; keepalive_requests 1000000; }
    server {
        listen $2 reuseport backlog=4096;
        location / {
            proxy_pass https://be;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_ssl_verify on;
            proxy_ssl_trusted_certificate $W/ca.crt;
            proxy_ssl_name $NAME;
            proxy_ssl_server_name on;
            proxy_ssl_protocols TLSv1.3;
            proxy_ssl_session_reuse on;
        }
    }
}
EOF
	start_background "$NS_GW" nginx nginx -c "$W/nginx/nginx.conf" -g 'daemon off;'
	wait_tcp "$NS_GW" "*" "$2"
	sleep 0.3
	PROXY_PIDS="$(bg_pid nginx) $(pgrep -P "$(bg_pid nginx)" | tr '\n' ' ')"
}

# wrk_run PORT PATH: "req/s cpu_us_per_request"
wrk_run()
{
	local out t0 t1 rps n

	t0=$(cpu_ticks)
	out=$(ns_exec "$NS_CLI" wrk -t2 -c"$CONNS" -d"${DUR}s" -H "Host: bench" \
		"http://$GWIP:$1$2" 2>&1)
	t1=$(cpu_ticks)
	grep -q 'Non-2xx\|Socket errors' <<<"$out" &&
		echo "btls-bench: port $1: $(grep 'Non-2xx\|Socket errors' <<<"$out")" >&2
	rps=$(awk '/^Requests\/sec/ { print $2 }' <<<"$out")
	n=$(awk '/requests in/ { print $1 }' <<<"$out")
	awk -v r="${rps:-0}" -v n="${n:-0}" -v d=$((t1 - t0)) -v hz="$HZ" \
		'BEGIN { printf "%s %.1f\n", r, (n > 0 ? d * 1e6 / hz / n : 0) }'
}

measure()
{
	local name=$1 port=$2 s b

	read -r -a s <<<"$(wrk_run "$port" /small)"
	read -r -a b <<<"$(wrk_run "$port" /big)"
	echo "$name ${s[0]} ${s[1]} ${b[0]} ${b[1]}" >>"$W/results"
	echo "  $name: small ${s[0]} req/s (${s[1]} us/req), 64 KiB ${b[0]} req/s" \
		"(${b[1]} us/req)" >&2
}

: >"$W/results"
echo "btls-bench: $(nproc) CPUs, $WORKERS worker(s), $ROUNDS rounds x ${DUR}s, $CONNS conns" >&2
for r in $(seq 1 "$ROUNDS"); do
	echo "round $r" >&2
	start_gwd "$WORKERS" 8100 plain
	measure gwd-plain 8100
	stop_background gwd >/dev/null
	start_gwd "$WORKERS" 8101 tls
	measure gwd-tls 8101
	stop_background gwd >/dev/null
	start_nginx_tls "$WORKERS" 8102
	measure nginx-tls 8102
	stop_background nginx >/dev/null
	start_haproxy "$WORKERS" 8103 "" \
		"$BE:8443 ssl verify required ca-file $W/ca.crt sni str($NAME) verifyhost $NAME"
	measure haproxy-tls 8103
	stop_background haproxy >/dev/null
done

awk '
function median(arr, n,    i, j, t) {
	for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (arr[j] < arr[i]) { t = arr[i]; arr[i] = arr[j]; arr[j] = t }
	return n % 2 ? arr[(n + 1) / 2] : (arr[n / 2] + arr[n / 2 + 1]) / 2
}
{ k = $1; n[k]++; for (f = 2; f <= 5; f++) v[k, f, n[k]] = $f }
END {
	split("gwd-plain gwd-tls nginx-tls haproxy-tls", order, " ")
	printf "%-12s %12s %10s %12s %10s\n", "proxy", "small req/s", "us/req", "64K req/s", "us/req"
	for (o = 1; o <= 4; o++) {
		k = order[o]
		for (f = 2; f <= 5; f++) { for (i = 1; i <= n[k]; i++) a[i] = v[k, f, i] + 0; m[k, f] = median(a, n[k]) }
		printf "%-12s %12.0f %10.1f %12.0f %10.1f\n", k, m[k, 2], m[k, 3], m[k, 4], m[k, 5]
	}
	print ""
	printf "%-18s %12s %10s %12s %10s\n", "ratio", "small req/s", "us/req", "64K req/s", "us/req"
	for (o = 2; o <= 4; o += 2) {
		k = order[o]
		printf "%-18s %11.2fx %9.2fx %11.2fx %9.2fx\n", k "/nginx-tls", m[k, 2] / m["nginx-tls", 2], m[k, 3] / m["nginx-tls", 3], m[k, 4] / m["nginx-tls", 4], m[k, 5] / m["nginx-tls", 5]
	}
}' "$W/results"
