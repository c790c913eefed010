#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#
# HTTPS and HTTP/2 benchmark: gwd vs nginx vs HAProxy terminating TLS
# (ECDSA P-256 certificate, TLS 1.3) in front of one nginx backend, in the
# netns topology of the tests, one run. Never a test: it prints a table.
#
#   sudo tools/bench/l7/tls-bench.sh [-w WORKERS] [-r ROUNDS] [-d SECONDS] [-c CONNS] [-p PROCS]
#
# Per proxy, ROUNDS interleaved rounds (medians reported):
#   ka req/s     wrk over persistent HTTPS connections (HTTP/1.1)
#   ka us/req    the proxy processes' CPU (utime+stime) per request in that run
#   hs/s         wrk with "Connection: close": a full TLS handshake per request
#   us/hs        the proxy's CPU per handshake (and request) in that run
#   res hs/s     PROCS parallel `openssl s_time -reuse -tls1_3 -www /`: each
#                connection resumes the session (ticket) of the one before it
#                and fetches / over HTTP/1.0
#   us/res hs    the proxy's CPU per resumed connection (handshake + request)
#   res %        the share of those connections the proxy really resumed (s_time
#                prints "r" for a resumed one, "*" for a full handshake)
#   h2 req/s     h2load -c CONNS -m 10 -n SECONDS*20000 over TLS (ALPN h2)
# and ratios against nginx. Before the first round each proxy must pass
# `openssl s_client -sess_out` then `-sess_in` with "Reused" (TLS 1.3); the
# exit status is 1 when it did not (the table is printed all the same).
set -u
REPO=$(cd "$(dirname "$0")/../../.." && pwd)
WORKERS=1
ROUNDS=3
DUR=5
CONNS=64
PROCS=4
while getopts "w:r:d:c:p:h" o; do
	case $o in
	w) WORKERS=$OPTARG ;;
	r) ROUNDS=$OPTARG ;;
	d) DUR=$OPTARG ;;
	c) CONNS=$OPTARG ;;
	p) PROCS=$OPTARG ;;
	*) sed -n '4,25p' "$0"; exit 2 ;;
	esac
done
# shellcheck source=tests/netns/lib.sh
source "$REPO/tests/netns/lib.sh"
# shellcheck source=tools/bench/l7/peers.sh
source "$REPO/tools/bench/l7/peers.sh"
bench_preflight tls-bench wrk h2load nginx haproxy openssl ip nsenter
gw_env_init
topo_create 1
_gw_sysctl "$NS_CLI" net.ipv4.tcp_tw_reuse=1 "net.ipv4.ip_local_port_range=1024 65000"
# the proxies' side too: proxies that open upstream connections faster than
# TIME_WAIT ends (nginx past its 256 idle keep-alives, gwd under h2load)
# otherwise exhaust the 28k default ports of the one gateway namespace, and
# every later run pays connect()'s search through them (resumed handshakes
# at 8x the CPU, h2load stalls)
_gw_sysctl "$NS_GW" net.ipv4.tcp_tw_reuse=1 "net.ipv4.ip_local_port_range=1024 65000"
W=$GW_RUN_DIR
HZ=$(getconf CLK_TCK)
BE=$BE4_1
GWIP=$GW_CLI4
NAME=bench.example.com

# ---- certificate: ECDSA P-256 for $NAME ----
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 \
	-subj "/CN=$NAME" -addext "subjectAltName=DNS:$NAME" -keyout "$W/key.pem" \
	-out "$W/crt.pem" 2>/dev/null ||
	{ echo "tls-bench: cannot make a certificate" >&2; exit 1; }
cat "$W/crt.pem" "$W/key.pem" >"$W/both.pem"

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

start_gwd()
{
	{ gwd_yaml_backend http 80 8080; cat; } >"$W/gwd.yaml" <<EOF
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: gw, namespace: bench}
spec:
  gatewayClassName: bench
  listeners: [{name: https, protocol: HTTPS, port: 8100, tls: {certificateRefs: [{name: crt}]}}]
---
apiVersion: v1
kind: Secret
metadata: {name: crt, namespace: bench}
type: kubernetes.io/tls
data:
  tls.crt: $(base64 -w0 "$W/crt.pem")
  tls.key: $(base64 -w0 "$W/key.pem")
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: web, namespace: bench}
spec:
  parentRefs: [{name: gw}]
  rules: [{backendRefs: [{name: be, port: 80}]}]
EOF
	start_gwd_config "$1" 8100
}

h2_run()
{
	local port=$1 out

	# a fixed count (-n), not a duration: h2load -D was seen to stall at its end
	out=$(ns_exec "$NS_CLI" timeout $((DUR + 30)) h2load -c"$CONNS" -m10 -t2 -n$((DUR * 20000)) \
		--connect-to="$GWIP:$port" "https://$NAME:$port/" 2>&1)
	grep -q '^requests:' <<<"$out" ||
		out="requests: h2load did not finish within $((DUR + 30)) s, counted as 0 req/s"
	echo "    h2load: $(grep -E '^requests:' <<<"$out")," \
		"$(grep -E '^status codes:' <<<"$out")" >&2
	awk '/^finished in/ { gsub(",", "", $4); print $4 }' <<<"$out" | grep . || echo 0
}

# resumed_run PORT: "connections/s cpu_us_per_connection resumed_percent" of
# PROCS parallel s_time clients that resume their session on every connection
resumed_run()
{
	local port=$1 i t0 t1 w0 wall pids=()

	t0=$(cpu_ticks)
	w0=$EPOCHREALTIME
	for i in $(seq 1 "$PROCS"); do
		ns_exec "$NS_CLI" timeout $((DUR + 20)) openssl s_time -connect "$GWIP:$port" \
			-reuse -tls1_3 -time "$DUR" -www / >"$W/s_time.$i" 2>&1 &
		pids+=($!)
	done
	wait "${pids[@]}"
	t1=$(cpu_ticks)
	# s_time runs DUR to DUR+1 s (it checks whole seconds): rate over the wall time
	wall=$(awk -v a="$w0" -v b="$EPOCHREALTIME" 'BEGIN { print b - a }')
	for i in $(seq 1 "$PROCS"); do
		grep -q 'connections in .* real seconds' "$W/s_time.$i" ||
			echo "    s_time $i to port $port ended early: $(tail -c 200 "$W/s_time.$i" |
				tr '\n' ' ')" >&2
	done
	# s_time prints one "r" (resumed) or "*" (full handshake) per connection
	cat "$W"/s_time.* | awk -v d=$((t1 - t0)) -v hz="$HZ" -v dur="$wall" '
		/^[r*]+$/ { r += gsub("r", ""); f += gsub("[*]", "") }
		END { n = r + f; printf "%.0f %.1f %.1f\n", n / dur, (n > 0 ? d * 1e6 / hz / n : 0),
			(n > 0 ? 100 * r / n : 0) }'
}

# resume_check NAME PORT: a TLS 1.3 session saved by s_client must resume
resume_check()
{
	local out

	ns_exec "$NS_CLI" sh -c "printf 'GET / HTTP/1.0\r\n\r\n' | timeout 10 openssl s_client \
		-connect $GWIP:$2 -tls1_3 -ign_eof -sess_out '$W/sess.pem'" >/dev/null 2>&1
	out=$(ns_exec "$NS_CLI" sh -c "printf 'GET / HTTP/1.0\r\n\r\n' | timeout 10 openssl \
		s_client -connect $GWIP:$2 -tls1_3 -ign_eof -sess_in '$W/sess.pem'" 2>&1 |
		grep -E '^(Reused|New),')
	echo "  $1: s_client -sess_in: ${out:-no handshake}" >&2
	[ "${out#Reused}" != "$out" ] || check_failed "$1 does not resume TLS 1.3 sessions"
}

measure()
{
	local name=$1 port=$2 ka hs res h2

	[ "$ROUND" = 1 ] && resume_check "$name" "$port"
	read -r -a ka <<<"$(wrk_cpu "https://$GWIP:$port/" -H "Host: $NAME")"
	read -r -a hs <<<"$(wrk_cpu "https://$GWIP:$port/" -H "Host: $NAME" -H 'Connection: close')"
	read -r -a res <<<"$(resumed_run "$port")"
	h2=$(h2_run "$port")
	echo "$name ${ka[0]} ${ka[2]} ${hs[0]} ${hs[2]} ${res[0]} ${res[1]} ${res[2]} $h2" >>"$W/results"
	echo "  $name: keep-alive ${ka[0]} req/s (${ka[2]} us/req), handshakes ${hs[0]}/s" \
		"(${hs[2]} us/hs), resumed ${res[0]}/s (${res[1]} us, ${res[2]}% resumed)," \
		"h2 $h2 req/s" >&2
}

: >"$W/results"
echo "tls-bench: $(nproc) CPUs, $WORKERS worker(s), $ROUNDS rounds x ${DUR}s, $CONNS conns," \
	"$PROCS s_time clients, load average $(cut -d' ' -f1-3 /proc/loadavg)" >&2
for ROUND in $(seq 1 "$ROUNDS"); do
	echo "round $ROUND" >&2
	start_gwd "$WORKERS"
	measure gwd 8100
	stop_background gwd >/dev/null
	start_nginx "$WORKERS" 8101 "*" tls
	measure nginx 8101
	stop_background nginx >/dev/null
	start_haproxy "$WORKERS" 8102 "ssl crt $W/both.pem alpn h2,http/1.1"
	measure haproxy 8102
	stop_background haproxy >/dev/null
done

median_table "ka req/s,us/req,hs/s,us/hs,res hs/s,us/res hs,res %,h2 req/s" "$W/results"
exit_checks
