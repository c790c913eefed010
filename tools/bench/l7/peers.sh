# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# Shared by the L7 benchmarks (bench.sh, tls-bench.sh): the peer proxies,
# configured the same way in every benchmark, and the CPU accounting.
# Needs tests/netns/lib.sh sourced and W, NS_GW, GWIP, BE set.

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
	cat >"$W/nginx/nginx.conf" <<EOF
user root;
worker_processes $1;
pid $W/nginx/nginx.pid;
error_log $W/nginx/error.log warn;
events { worker_connections 16384; }
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
	start_background "$NS_GW" nginx nginx -c "$W/nginx/nginx.conf" -g 'daemon off;'
	wait_tcp "$NS_GW" "$3" "$2"
	sleep 0.3
	PROXY_PIDS="$(bg_pid nginx) $(pgrep -P "$(bg_pid nginx)" | tr '\n' ' ')"
}

# start_haproxy THREADS PORT [BIND_OPTIONS [SERVER]]: HTTP mode with connection
# reuse, to SERVER (address and server options; default $BE:8080).
start_haproxy()
{
	mkdir -p "$W/haproxy"
	cat >"$W/haproxy/haproxy.cfg" <<EOF
global
    nbthread $1
    maxconn 8000
defaults
    mode http
    timeout connect 5s
    timeout client 60s
    timeout server 60s
    option forwardfor
    http-reuse always
frontend fe
    bind $GWIP:$2${3:+ $3}
    default_backend be
backend be
    server s1 ${4:-$BE:8080}
EOF
	start_background "$NS_GW" haproxy haproxy -f "$W/haproxy/haproxy.cfg" -db
	wait_tcp "$NS_GW" "$GWIP" "$2"
	PROXY_PIDS=$(bg_pid haproxy)
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
