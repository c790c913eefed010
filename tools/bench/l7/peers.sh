# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# shellcheck shell=bash
# Shared by the L7 benchmarks (bench.sh, tls-bench.sh, grpc-bench.sh,
# passthrough-bench.sh): the peer proxies,
# configured the same way in every benchmark, and the CPU accounting.
# Needs tests/netns/lib.sh sourced and REPO, W, NS_GW, NS_CLI, GWIP, BE, HZ
# set (wrk_cpu also CONNS and DUR).

# nginx_main WORKERS [MODULE...]: the main and events contexts of every
# nginx peer, after load_module for each dynamic MODULE
nginx_main()
{
	local w=$1 m

	shift
	for m in "$@"; do
		echo "load_module /usr/lib/nginx/modules/ngx_${m}_module.so;"
	done
	cat <<EOF
user root;
worker_processes $w;
pid $W/nginx/nginx.pid;
error_log $W/nginx/error.log warn;
events { worker_connections 16384; }
EOF
}

# run_nginx WAIT_ADDR PORT: nginx with $W/nginx/nginx.conf in $NS_GW, its
# master and workers in $PROXY_PIDS once it listens
run_nginx()
{
	start_background "$NS_GW" nginx nginx -c "$W/nginx/nginx.conf" -g 'daemon off;'
	wait_tcp "$NS_GW" "$1" "$2"
	sleep 0.3
	PROXY_PIDS="$(bg_pid nginx) $(pgrep -P "$(bg_pid nginx)" | tr '\n' ' ')"
}

# bench_preflight NAME TOOL...: exits unless every TOOL is on PATH, this
# runs as root and gwd is built
bench_preflight()
{
	local name=$1 t

	shift
	for t in "$@"; do
		command -v "$t" >/dev/null || { echo "$name: missing $t" >&2; exit 1; }
	done
	[ "$(id -u)" = 0 ] || { echo "$name: needs root (network namespaces)" >&2; exit 1; }
	[ -x "$REPO/.output/gwd" ] || { echo "$name: build first (make)" >&2; exit 1; }
}

# gwd_yaml_backend PORT_NAME PORT TARGET_PORT: GatewayClass "bench", and
# Service "be" (namespace bench) whose PORT reaches $BE:TARGET_PORT
gwd_yaml_backend()
{
	cat <<EOF
apiVersion: gateway.networking.k8s.io/v1
kind: GatewayClass
metadata: {name: bench}
spec: {controllerName: xdpgw.io/gateway-controller}
---
apiVersion: v1
kind: Service
metadata: {name: be, namespace: bench}
spec: {ports: [{name: $1, port: $2, targetPort: $3}]}
---
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata: {name: be-a, namespace: bench, labels: {kubernetes.io/service-name: be}}
addressType: IPv4
ports: [{name: $1, port: $3, protocol: TCP}]
endpoints: [{addresses: ["$BE"]}]
---
EOF
}

# start_gwd_config WORKERS PORT: gwctl load of $W/gwd.yaml into $W/state,
# then gwd with WORKERS workers in $NS_GW until it listens on PORT
start_gwd_config()
{
	mkdir -p "$W/state"
	"$REPO/.output/gwctl" load -q -f "$W/gwd.yaml" --state-dir "$W/state" >/dev/null 2>&1 ||
		{ echo "gwctl load of $W/gwd.yaml failed" >&2; exit 1; }
	start_background "$NS_GW" gwd "$REPO/.output/gwd" --state-dir "$W/state" --workers "$1" \
		--admin off
	wait_tcp "$NS_GW" "*" "$2"
	PROXY_PIDS=$(bg_pid gwd)
}

# start_nginx WORKERS PORT WAIT_ADDR [tls]: reverse proxy to $BE:8080 with
# upstream keep-alive and no logging; with tls, HTTPS and h2 from $W/crt.pem.
start_nginx()
{
	local tls=""

	[ "${4:-}" = tls ] && tls="
        ssl_certificate $W/crt.pem;
        ssl_certificate_key $W/key.pem;
        ssl_protocols TLSv1.2 TLSv1.3;"
	mkdir -p "$W/nginx"
	{ nginx_main "$1"; cat; } >"$W/nginx/nginx.conf" <<EOF
http {
    access_log off;
    keepalive_requests 1000000;
    upstream be { server $BE:8080; keepalive 256; keepalive_requests 1000000; }
    server {
        listen $2${tls:+ ssl http2} reuseport backlog=4096;$tls
        location / {
            proxy_pass http://be;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_set_header Host \$host;
            proxy_set_header X-Forwarded-For \$proxy_add_x_forwarded_for;
        }
    }
}
EOF
	run_nginx "$3" "$2"
}

# haproxy_head THREADS MODE: the global and defaults sections of every
# HAProxy peer
haproxy_head()
{
	cat <<EOF
global
    nbthread $1
    maxconn 8000
defaults
    mode $2
    timeout connect 5s
    timeout client 60s
    timeout server 60s
EOF
}

# run_haproxy PORT: HAProxy with $W/haproxy/haproxy.cfg in $NS_GW, in
# $PROXY_PIDS once it listens on $GWIP:PORT
run_haproxy()
{
	start_background "$NS_GW" haproxy haproxy -f "$W/haproxy/haproxy.cfg" -db
	wait_tcp "$NS_GW" "$GWIP" "$1"
	PROXY_PIDS=$(bg_pid haproxy)
}

# start_haproxy THREADS PORT [BIND_OPTIONS [SERVER]]: HTTP mode with connection
# reuse, to SERVER (address and server options; default $BE:8080).
start_haproxy()
{
	mkdir -p "$W/haproxy"
	{ haproxy_head "$1" http; cat; } >"$W/haproxy/haproxy.cfg" <<EOF
    option forwardfor
    http-reuse always
frontend fe
    bind $GWIP:$2${3:+ $3}
    default_backend be
backend be
    server s1 ${4:-$BE:8080}
EOF
	run_haproxy "$2"
}

# check_failed WHAT: a benchmark's sanity check failed; exit_checks makes
# the exit status 1 at the end (the numbers are still printed)
CHECKS_FAILED=0
check_failed()
{
	echo "CHECK FAILED: $*" >&2
	CHECKS_FAILED=$((CHECKS_FAILED + 1))
}

exit_checks()
{
	[ "$CHECKS_FAILED" = 0 ] || { echo "$CHECKS_FAILED check(s) failed" >&2; exit 1; }
}

# utime+stime clock ticks of the processes in $PROXY_PIDS
cpu_ticks()
{
	local sum=0 p f

	for p in $PROXY_PIDS; do
		[ -r "/proc/$p/stat" ] || continue
		f=$(cat "/proc/$p/stat")
		f=${f##*) }
		# shellcheck disable=SC2086
		set -- $f
		sum=$((sum + ${12} + ${13}))
	done
	echo "$sum"
}

# start_nginx_stream WORKERS PORT NAME BACKEND: TCP proxy (stream module)
# that reads the ClientHello (ssl_preread) and sends connections whose SNI
# is NAME to BACKEND (addr:port); other SNIs map to no upstream and close.
start_nginx_stream()
{
	mkdir -p "$W/nginx"
	{ nginx_main "$1" stream; cat; } >"$W/nginx/nginx.conf" <<EOF
stream {
    map \$ssl_preread_server_name \$sni_upstream { $3 be; }
    upstream be { server $4; }
    server {
        listen $2 reuseport backlog=4096;
        ssl_preread on;
        proxy_pass \$sni_upstream;
    }
}
EOF
	run_nginx "*" "$2"
}

# start_haproxy_sni THREADS PORT NAME BACKEND: mode tcp, waits for the
# ClientHello (inspect-delay) and routes SNI NAME to BACKEND; others close.
start_haproxy_sni()
{
	mkdir -p "$W/haproxy"
	{ haproxy_head "$1" tcp; cat; } >"$W/haproxy/haproxy.cfg" <<EOF
frontend fe
    bind $GWIP:$2
    tcp-request inspect-delay 5s
    tcp-request content accept if { req.ssl_hello_type 1 }
    use_backend be if { req.ssl_sni -i $3 }
backend be
    server s1 $4
EOF
	run_haproxy "$2"
}

# cli_exec CMD...: CMD in the client namespace; with CLI_HOSTS set, in a
# private mount namespace whose /etc/hosts is that file (wrk takes the TLS
# SNI from the URL's host and has no --resolve).
cli_exec()
{
	if [ -n "${CLI_HOSTS:-}" ]; then
		# shellcheck disable=SC2016 # expanded by the inner sh
		ns_exec "$NS_CLI" unshare -m sh -c 'mount --bind "$0" /etc/hosts && exec "$@"' \
			"$CLI_HOSTS" "$@"
	else
		ns_exec "$NS_CLI" "$@"
	fi
}

# wrk_cpu URL [wrk args]: wrk -t2 -c CONNS -d DUR from the client namespace,
# "req/s requests cpu_us_per_request" with the CPU of $PROXY_PIDS; errors
# and non-2xx answers are reported on stderr.
wrk_cpu()
{
	local url=$1 out t0 t1 rps n

	shift
	t0=$(cpu_ticks)
	out=$(cli_exec wrk -t2 -c"$CONNS" -d"${DUR}s" "$@" "$url" 2>&1)
	t1=$(cpu_ticks)
	grep -q 'Non-2xx\|Socket errors' <<<"$out" &&
		echo "    $url: $(grep 'Non-2xx\|Socket errors' <<<"$out")" >&2
	rps=$(awk '/^Requests\/sec/ { print $2 }' <<<"$out")
	n=$(awk '/requests in/ { print $1 }' <<<"$out")
	awk -v r="${rps:-0}" -v n="${n:-0}" -v d=$((t1 - t0)) -v hz="$HZ" \
		'BEGIN { printf "%s %s %.1f\n", r, n, (n > 0 ? d * 1e6 / hz / n : 0) }'
}

# median_table HEADS FILE: FILE has lines "proxy v1 v2 ..." (one per round);
# prints the median of each column per proxy (gwd, nginx, haproxy, or the
# names in $MEDIAN_ORDER, nginx second), then each against nginx. HEADS
# names the columns, comma-separated; a column whose name ends in "%" gets
# no ratio.
median_table()
{
	awk -v heads="$1" -v order_s="${MEDIAN_ORDER:-gwd nginx haproxy}" '
function median(arr, n,    i, j, t) {
	for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (arr[j] < arr[i]) { t = arr[i]; arr[i] = arr[j]; arr[j] = t }
	return n % 2 ? arr[(n + 1) / 2] : (arr[n / 2] + arr[n / 2 + 1]) / 2
}
{ k = $1; n[k]++; for (f = 2; f <= NF; f++) v[k, f, n[k]] = $f }
END {
	no = split(order_s, order, " ")
	nh = split(heads, head, ",")
	printf "%-14s", "proxy"; for (f = 1; f <= nh; f++) printf " %11s", head[f]; print ""
	for (o = 1; o <= no; o++) {
		k = order[o]
		printf "%-14s", k
		for (f = 1; f <= nh; f++) {
			for (i = 1; i <= n[k]; i++) a[i] = v[k, f + 1, i] + 0
			m[k, f] = median(a, n[k])
			printf(m[k, f] >= 100 ? " %11.0f" : " %11.1f", m[k, f])
		}
		print ""
	}
	print ""
	printf "%-14s", "ratio"; for (f = 1; f <= nh; f++) if (head[f] !~ /%$/) printf " %11s", head[f]; print ""
	for (o = 1; o <= no; o++) {
		k = order[o]
		if (k == "nginx")
			continue
		printf "%-14s", k "/nginx"
		for (f = 1; f <= nh; f++) if (head[f] !~ /%$/) printf " %10.2fx", (m["nginx", f] ? m[k, f] / m["nginx", f] : 0)
		print ""
	}
}' "$2"
}
