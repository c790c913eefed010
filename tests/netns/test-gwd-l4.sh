# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# shellcheck shell=bash
#
# gwd's userspace L4 path: TCPRoute and UDPRoute on listeners the XDP tier
# does not serve (no --iface), with backends on the gateway node itself and
# clients on loopback or in the client namespace. Real sockets, python
# clients and backends (tests/netns/l4_peer.py), gw-echo. Sourced by run.sh.

# shellcheck disable=SC2034 # read by run.sh
ALL_TESTS="test_tcp_weights_and_status test_tcp_bulk_and_halfclose test_tcp_no_backend
	test_tcp_splice test_udp_sessions test_udp_idle_timeout"

GWD="${GWD:-$REPO/.output/gwd}"
PEER="$REPO/tests/netns/l4_peer.py"

# l4_setup [gwd options...]: topology, gwd in the gateway namespace.
l4_setup()
{
	local i

	skip_if_missing python3 "$GWD"
	topo_create 1
	STATE="$GW_RUN_DIR/state"
	mkdir -p "$STATE"
	start_background "$NS_GW" gwd "$GWD" --state-dir "$STATE" --workers 2 --admin off "$@"
	for ((i = 0; i < 100; i++)); do
		[ -S "$STATE/gwd.sock" ] && return 0
		bg_running gwd || break
		sleep 0.05
	done
	cat "$(bg_log gwd)" >&2
	fail "gwd did not open its control socket"
}

# l4_load: loads the YAML on stdin, without --iface (the XDP tier is not attached).
l4_load()
{
	local f="$GW_RUN_DIR/cfg-$RANDOM.yaml"

	cat >"$f"
	ns_exec "$NS_GW" "$GWCTL" load -q -f "$f" --state-dir "$STATE" \
		--pin-dir "/sys/fs/bpf/gwt-$GW_RUN_ID" 2>"$GW_RUN_DIR/load.err" ||
		fail "gwctl load failed: $(cat "$GW_RUN_DIR/load.err")"
}

# l4_head: class and Gateway "l4" without addresses: TCP 8080, UDP 9000.
l4_head()
{
	cat <<EOF
apiVersion: gateway.networking.k8s.io/v1
kind: GatewayClass
metadata: {name: xdpgw}
spec: {controllerName: xdpgw.io/gateway-controller}
---
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: l4, namespace: demo}
spec:
  gatewayClassName: xdpgw
  listeners:
  - {name: tcp, protocol: TCP, port: 8080, allowedRoutes: {kinds: [{kind: TCPRoute}]}}
  - {name: udp, protocol: UDP, port: 9000, allowedRoutes: {kinds: [{kind: UDPRoute}]}}
---
EOF
}

# svc NAME PORT PROTO ADDR: a Service and its EndpointSlice (one ready endpoint).
svc()
{
	cat <<EOF
apiVersion: v1
kind: Service
metadata: {name: $1, namespace: demo}
spec: {ports: [{name: p, port: $2, protocol: $3}]}
---
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata: {name: $1-a, namespace: demo, labels: {kubernetes.io/service-name: $1}}
addressType: IPv4
ports: [{name: p, port: $2, protocol: $3}]
endpoints: [{addresses: ["$4"], conditions: {ready: true}}]
---
EOF
}

# l4route KIND NAME SECTION BACKENDS: a TCPRoute/UDPRoute; BACKENDS is the flow list.
l4route()
{
	cat <<EOF
apiVersion: gateway.networking.k8s.io/v1alpha2
kind: $1
metadata: {name: $2, namespace: demo}
spec:
  parentRefs: [{name: l4, sectionName: $3}]
  rules: [{backendRefs: [$4]}]
---
EOF
}

# Two backends on the gateway node itself, weights 3:1; 400 connections on
# loopback split roughly 3:1; clients over IPv4 and IPv6 from the client
# namespace; status says Programmed on the gwd tier.
test_tcp_weights_and_status()
{
	local out a b st

	l4_setup
	start_echo "$NS_GW" bea --namespace demo --listen "127.0.0.1:18081"
	start_echo "$NS_GW" beb --namespace demo --listen "127.0.0.1:18082"
	{ l4_head; svc a 18081 TCP 127.0.0.1; svc b 18082 TCP 127.0.0.1
	  l4route TCPRoute t tcp "{name: a, port: 18081, weight: 3}, {name: b, port: 18082, weight: 1}"
	} | l4_load
	grep -q 'served by gwd in userspace' "$GW_RUN_DIR/load.err" ||
		fail "gwctl did not say who serves the L4 listeners: $(cat "$GW_RUN_DIR/load.err")"
	wait_tcp "$NS_GW" 0.0.0.0 8080 || fail "gwd does not listen on TCP 8080"
	out=$(ns_exec "$NS_GW" python3 "$PEER" pods 127.0.0.1 8080 400) || fail "requests failed: $out"
	echo "$out"
	a=$(awk '$1 == "bea" {print $2}' <<<"$out")
	b=$(awk '$1 == "beb" {print $2}' <<<"$out")
	# 300/100 expected; Maglev slots by weight, hashed per connection
	[ "${a:-0}" -ge 255 ] && [ "${a:-0}" -le 345 ] && [ "${b:-0}" -ge 55 ] ||
		fail "weights 3:1 gave bea=${a:-0} beb=${b:-0} of 400"
	# also from the client namespace, to the gateway's address on its link
	out=$(ns_exec "$NS_CLI" python3 "$PEER" pods "$GW_CLI4" 8080 20) || fail "from the client: $out"
	# an IPv6 client reaches the IPv4 endpoints (no IPv6 ones: the IPv4 table serves)
	out=$(ns_exec "$NS_CLI" python3 "$PEER" pods "$GW_CLI6" 8080 20) || fail "over IPv6: $out"
	echo "IPv6 clients: $out"
	st=$(ns_exec "$NS_GW" "$GWCTL" status --state-dir "$STATE" --pin-dir "/sys/fs/bpf/gwt-$GW_RUN_ID")
	echo "$st"
	grep -q 'listener tcp TCP/8080 tier=gwd: 1 route; Accepted Programmed' <<<"$st" ||
		fail "TCP listener not Programmed on the gwd tier"
	grep -q 'listener udp UDP/9000 tier=gwd: 0 routes; Accepted Programmed' <<<"$st" ||
		fail "UDP listener not Programmed on the gwd tier"
	grep -q 'TCPRoute demo/t: Accepted ResolvedRefs' <<<"$st" || fail "TCPRoute not Accepted"
}

# 50 MiB both ways through the tunnel, sha256-checked; then a half-close:
# the backend answers only after the client's FIN, through the tunnel.
test_tcp_bulk_and_halfclose()
{
	_bulk_and_halfclose
}

# The same through spliced tunnels (--tcp-tunnel splice), 20 connections at
# once, and a route whose backend is down.
test_tcp_splice()
{
	local out i pids=()

	_bulk_and_halfclose --tcp-tunnel splice
	for ((i = 0; i < 20; i++)); do
		ns_exec "$NS_GW" python3 "$PEER" echo-bulk 127.0.0.1 8080 5 >"$GW_RUN_DIR/par.$i" 2>&1 &
		pids+=($!)
	done
	for ((i = 0; i < 20; i++)); do
		wait "${pids[i]}" || fail "parallel bulk $i: $(cat "$GW_RUN_DIR/par.$i")"
	done
	echo "20 parallel spliced tunnels intact"
	{ l4_head; svc down 18089 TCP 127.0.0.1
	  l4route TCPRoute t tcp "{name: down, port: 18089}"
	} | l4_load
	out=$(ns_exec "$NS_GW" python3 "$PEER" refused 127.0.0.1 8080) || fail "backend down: $out"
	bg_running gwd || fail "gwd died"
}

# _bulk_yaml: Gateway l4 (echo at 18081 on TCP 8080) and l4b (sink at 18082 on TCP 8081)
_bulk_yaml()
{
	l4_head
	cat <<EOF
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: l4b, namespace: demo}
spec:
  gatewayClassName: xdpgw
  listeners:
  - {name: tcp, protocol: TCP, port: 8081, allowedRoutes: {kinds: [{kind: TCPRoute}]}}
---
apiVersion: gateway.networking.k8s.io/v1alpha2
kind: TCPRoute
metadata: {name: sink, namespace: demo}
spec:
  parentRefs: [{name: l4b, sectionName: tcp}]
  rules: [{backendRefs: [{name: sink, port: 18082}]}]
---
EOF
	svc echo 18081 TCP 127.0.0.1
	svc sink 18082 TCP 127.0.0.1
	l4route TCPRoute t tcp "{name: echo, port: 18081}"
}

_bulk_and_halfclose()
{
	local out pid

	l4_setup "$@"
	start_echo "$NS_GW" echo --namespace demo --tcp-echo "127.0.0.1:18081" \
		--listen 127.0.0.1:18090
	start_background "$NS_GW" sink python3 "$PEER" sink-backend 18082
	wait_tcp "$NS_GW" 127.0.0.1 18082 || fail "sink backend did not start"
	_bulk_yaml | l4_load
	wait_tcp "$NS_GW" 0.0.0.0 8081 || fail "gwd does not listen on TCP 8081"
	# a reload while a tunnel carries data: the tunnel is not touched
	ns_exec "$NS_CLI" python3 "$PEER" echo-bulk "$GW_CLI4" 8080 200 >"$GW_RUN_DIR/reload.out" 2>&1 &
	pid=$!
	sleep 0.3
	{ _bulk_yaml; svc extra 18083 TCP 127.0.0.1; } | l4_load
	wait "$pid" || fail "bulk across a reload: $(cat "$GW_RUN_DIR/reload.out")"
	echo "across a reload: $(cat "$GW_RUN_DIR/reload.out")"
	out=$(ns_exec "$NS_GW" python3 "$PEER" echo-bulk 127.0.0.1 8080 50) || fail "bulk: $out"
	echo "$out"
	out=$(ns_exec "$NS_CLI" python3 "$PEER" echo-bulk "$GW_CLI4" 8080 50) ||
		fail "bulk from the client namespace: $out"
	echo "$out"
	out=$(ns_exec "$NS_GW" python3 "$PEER" halfclose 127.0.0.1 8081 20) || fail "half-close: $out"
	echo "$out"
}

# Backend down (nothing listens) and an unresolved backendRef: the client's
# connection is reset or closed without a byte; a second route still works.
test_tcp_no_backend()
{
	local out i

	l4_setup
	{ l4_head; svc down 18089 TCP 127.0.0.1
	  l4route TCPRoute t tcp "{name: down, port: 18089}"
	} | l4_load
	wait_tcp "$NS_GW" 0.0.0.0 8080 || fail "gwd does not listen on TCP 8080"
	for i in 1 2 3; do
		out=$(ns_exec "$NS_GW" python3 "$PEER" refused 127.0.0.1 8080) ||
			fail "backend down: $out"
	done
	echo "backend down: $out"
	{ l4_head; l4route TCPRoute t tcp "{name: missing, port: 80}"; } | l4_load
	out=$(ns_exec "$NS_GW" python3 "$PEER" refused 127.0.0.1 8080) || fail "unresolved: $out"
	echo "unresolved backendRef: $out"
}

# Two UDP backends on the node: each of 200 clients gets its own payload
# back, from one backend for both of its datagrams; both backends serve; a
# datagram too big for gwd's buffers is dropped, not cut.
test_udp_sessions()
{
	local out a b

	l4_setup
	start_background "$NS_GW" ua python3 "$PEER" udp-backend ua 19001
	start_background "$NS_GW" ub python3 "$PEER" udp-backend ub 19002
	wait_udp "$NS_GW" 127.0.0.1 19001 && wait_udp "$NS_GW" 127.0.0.1 19002 ||
		fail "UDP backends did not start"
	{ l4_head; svc ua 19001 UDP 127.0.0.1; svc ub 19002 UDP 127.0.0.1
	  l4route UDPRoute u udp "{name: ua, port: 19001}, {name: ub, port: 19002}"
	} | l4_load
	wait_udp "$NS_GW" 0.0.0.0 9000 || fail "gwd does not listen on UDP 9000"
	out=$(ns_exec "$NS_GW" python3 "$PEER" udp-clients 127.0.0.1 9000 200) || fail "UDP: $out"
	echo "$out"
	a=$(awk '$1 == "ua" {print $2}' <<<"$out")
	b=$(awk '$1 == "ub" {print $2}' <<<"$out")
	[ "${a:-0}" -ge 60 ] && [ "${b:-0}" -ge 60 ] ||
		fail "weights 1:1 gave ua=${a:-0} ub=${b:-0} of 200 clients"
	out=$(ns_exec "$NS_CLI" python3 "$PEER" udp-clients "$GW_CLI4" 9000 10) ||
		fail "UDP from the client namespace: $out"
	out=$(ns_exec "$NS_GW" python3 "$PEER" udp-big 127.0.0.1 9000) || fail "big datagram: $out"
	echo "$out"
}

# A session ends after --udp-idle-timeout without datagrams.
test_udp_idle_timeout()
{
	local out

	l4_setup --udp-idle-timeout 1
	start_background "$NS_GW" ua python3 "$PEER" udp-backend ua 19001
	wait_udp "$NS_GW" 127.0.0.1 19001 || fail "UDP backend did not start"
	{ l4_head; svc ua 19001 UDP 127.0.0.1
	  l4route UDPRoute u udp "{name: ua, port: 19001}"
	} | l4_load
	wait_udp "$NS_GW" 0.0.0.0 9000 || fail "gwd does not listen on UDP 9000"
	out=$(ns_exec "$NS_GW" python3 "$PEER" udp-idle 127.0.0.1 9000 2.5) || fail "$out"
	echo "$out"
}
