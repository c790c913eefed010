# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# shellcheck shell=bash
#
# GRPCRoute end to end: real python3-grpcio clients (h2c prior knowledge
# and TLS with ALPN h2) -> gwd -> python3-grpcio servers over h2c, one per
# backend namespace on port 9000 (tests/netns/grpc_peer.py). Assertions
# on what the client got (replies, status codes, initial and trailing
# metadata) and on what the server saw. Sourced by run.sh.

# gwd_setup, cfg_head, gw_load come from test-gwd.sh (which it sources),
# pki_make and secret from test-gwd-tls.sh
# shellcheck source=tests/netns/test-gwd-tls.sh
source "$(dirname "${BASH_SOURCE[0]}")/test-gwd-tls.sh"

# shellcheck disable=SC2034 # read by run.sh
ALL_TESTS="test_grpc_calls test_grpc_matching test_grpc_filters_and_weights
	test_grpc_mirror test_grpc_over_tls test_grpc_multiplexing test_grpc_backend_errors
	test_h2c_backend_for_httproute test_grpc_example test_grpc_zero_window"

PY3=/usr/bin/python3
GRPC_PEER="$REPO/tests/netns/grpc_peer.py"

# grpc_setup N: N backends, each with gw-echo on 8080 and a gRPC server on 9000, and gwd.
grpc_setup()
{
	local n=$1 i

	"$PY3" -c 'import grpc' 2>/dev/null || skip "python3-grpcio is not installed"
	skip_if_missing jq
	gwd_setup "$n"
	for ((i = 1; i <= n; i++)); do
		start_background "${NS_BE[i]}" "grpc$i" "$PY3" "$GRPC_PEER" server --port 9000 \
			--name "be$i"
	done
	for ((i = 1; i <= n; i++)); do
		wait_tcp "${NS_BE[i]}" "${BE4[i]}" 9000 || fail "gRPC server be$i did not start"
	done
}

# grpc_services: Services gsvc1..gsvcN (port 9000, appProtocol
# kubernetes.io/h2c) backed by the gRPC server of the same number.
grpc_services()
{
	local i

	for ((i = 1; i <= NUM_BE; i++)); do
		service_yaml "gsvc$i" grpc 9000 9000 "${BE4[i]}" kubernetes.io/h2c
	done
}

# groute NAME SPEC: a GRPCRoute in namespace demo attached to gw.
groute()
{
	cat <<YAML
apiVersion: gateway.networking.k8s.io/v1
kind: GRPCRoute
metadata: {name: $1, namespace: demo${3:+, creationTimestamp: "$3"}}
spec:
  parentRefs: [{name: gw}]
$2
---
YAML
}

# gcall METHOD [client args]: one call through the gateway's port 80 (h2c
# prior knowledge), authority grpc.example.com; prints the client's JSON.
gcall()
{
	local m=$1

	shift
	ns_exec "$NS_CLI" "$PY3" "$GRPC_PEER" client --target 10.200.0.1:80 \
		--authority grpc.example.com --method "$m" "$@" ||
		fail "gRPC client failed for $m"
}

# expect ACTUAL EXPECTED WHAT: assert_eq with the value first, which reads
# better after a long command substitution.
expect()
{
	assert_eq "$3" "$2" "$1"
}

# gpod METHOD [client args]: which backend answered a unary call.
gpod()
{
	local out

	out=$(gcall "$@")
	jq -r '.replies[0].pod // .code' <<<"$out"
}

test_grpc_calls()
{
	local out

	grpc_setup 1
	{ cfg_head; grpc_services; groute echo "  hostnames: [grpc.example.com]
  rules:
  - matches: [{method: {service: test.Echo}}]
    backendRefs: [{name: gsvc1, port: 9000}]"; } | gw_load

	out=$(gcall /test.Echo/Unary --data hi --meta x-client=yes)
	expect "$(jq -r .code <<<"$out")" OK "unary call status"
	expect "$(jq -r '.replies[0].request' <<<"$out")" hi "the server got the message"
	expect "$(jq -r '.replies[0].metadata["x-client"]' <<<"$out")" yes \
		"the server got the client's metadata"
	expect "$(jq -r '.replies[0].metadata["x-forwarded-for"]' <<<"$out")" \
		10.200.0.2 "X-Forwarded-For added"
	expect "$(jq -r '.trailing["x-trailer"]' <<<"$out")" be1 \
		"trailing metadata passed through"

	out=$(gcall /test.Echo/ServerStream --kind sstream --data 5)
	expect "$(jq -r '[.replies[].i] | join(",")' <<<"$out")" 0,1,2,3,4 \
		"server streaming: every message in order"
	expect "$(jq -r .code <<<"$out")" OK "server streaming status"

	out=$(gcall /test.Echo/ClientStream --kind cstream --data a --data b --data c)
	expect "$(jq -r '.replies[0].count, .replies[0].joined' <<<"$out" | paste -sd/)" \
		3/abc "client streaming: the server got every message"

	out=$(gcall /test.Echo/Bidi --kind bidi --data x --data y)
	expect "$(jq -r '[.replies[].echo] | join(",")' <<<"$out")" x,y \
		"bidirectional streaming"

	# each message waits for the previous reply: the request body must stream
	out=$(gcall /test.Echo/Bidi --kind pingpong --data p1 --data p2 --data p3 --timeout 5)
	expect "$(jq -r '.code, ([.replies[].echo] | join(","))' <<<"$out" | paste -sd/)" \
		OK/p1,p2,p3 "bidirectional ping-pong (streamed request body)"

	out=$(gcall /test.Echo/Fail)
	expect "$(jq -r '.code, .details' <<<"$out" | paste -sd/)" \
		"NOT_FOUND/no such thing" "the backend's gRPC status and message pass through"
	expect "$(jq -r '.trailing["x-trailer"]' <<<"$out")" be1 \
		"trailing metadata of a failed call"

	# several calls on one client connection reuse pooled upstream connections
	for _ in 1 2 3 4 5; do
		expect "$(gpod /test.Echo/Unary)" be1 "repeated call"
	done
}

test_grpc_matching()
{
	grpc_setup 3
	{ cfg_head; grpc_services
	groute exact "  hostnames: [grpc.example.com]
  rules:
  - matches: [{method: {service: test.Echo, method: Unary}}]
    backendRefs: [{name: gsvc1, port: 9000}]
  - matches: [{method: {service: test.Echo}}]
    backendRefs: [{name: gsvc2, port: 9000}]
  - matches:
    - method: {service: test.Echo, method: Unary}
      headers: [{name: x-canary, value: 'yes'}]
    backendRefs: [{name: gsvc3, port: 9000}]
  - matches: [{method: {method: Bidi}}]
    backendRefs: [{name: gsvc3, port: 9000}]
  - matches: [{method: {type: RegularExpression, service: 'test\\.Re.*', method: 'Un.*'}}]
    backendRefs: [{name: gsvc3, port: 9000}]"
	groute other "  hostnames: [other.example.com]
  rules:
  - backendRefs: [{name: gsvc2, port: 9000}]"; } | gw_load

	expect "$(gpod /test.Echo/Unary)" be1 "exact service and method"
	expect "$(gpod /test.Echo/Other)" be2 "service alone matches its other methods"
	expect "$(gpod /test.Echo/Unary --meta x-canary=yes)" be3 \
		"a header match ranks above the same method without one"
	expect "$(gpod /test.Echo/Unary --meta x-canary=no)" be1 \
		"header value must match"
	expect "$(gcall /test.Echo/Bidi --kind bidi | jq -r '.replies[0].pod')" be2 \
		"an exact service outranks a method-only match"
	expect "$(gcall /any.Svc/Bidi --kind bidi | jq -r '.replies[0].pod')" be3 \
		"method-only match in any service"
	expect "$(gpod /test.Regex/Unary)" be3 "RegularExpression service and method"
	expect "$(gpod /test.Regex/Other)" UNIMPLEMENTED \
		"no match: gRPC UNIMPLEMENTED"
	expect "$(gpod /nope.Svc/Unary)" UNIMPLEMENTED "unknown service: UNIMPLEMENTED"
	expect "$(ns_exec "$NS_CLI" "$PY3" "$GRPC_PEER" client --target 10.200.0.1:80 \
		--authority other.example.com --method /x.Y/Z | jq -r '.replies[0].pod')" be2 \
		"a rule without matches matches every call of its hostname"
}

test_grpc_filters_and_weights()
{
	local out i n1=0 n2=0 p

	grpc_setup 2
	{ cfg_head; grpc_services; groute f "  hostnames: [grpc.example.com]
  rules:
  - matches: [{method: {service: test.Echo}}]
    filters:
    - type: RequestHeaderModifier
      requestHeaderModifier: {set: [{name: x-route, value: f}], remove: [x-drop]}
    - type: ResponseHeaderModifier
      responseHeaderModifier: {add: [{name: x-resp, value: added}]}
    backendRefs: [{name: gsvc1, port: 9000, weight: 1}, {name: gsvc2, port: 9000, weight: 1}]"
	} | gw_load

	out=$(gcall /test.Echo/Unary --meta x-drop=1)
	expect "$(jq -r '.replies[0].metadata["x-route"]' <<<"$out")" f \
		"RequestHeaderModifier set"
	expect "$(jq -r '.replies[0].metadata["x-drop"]' <<<"$out")" null \
		"RequestHeaderModifier remove"
	expect "$(jq -r '.initial["x-resp"]' <<<"$out")" added \
		"ResponseHeaderModifier on the response headers"
	for ((i = 0; i < 40; i++)); do
		p=$(gpod /test.Echo/Unary)
		case $p in
		be1) n1=$((n1 + 1)) ;;
		be2) n2=$((n2 + 1)) ;;
		*) fail "call $i answered by '$p'" ;;
		esac
	done
	_gw_msg "weights 1:1 over 40 calls: be1 $n1, be2 $n2"
	[ "$n1" -ge 8 ] && [ "$n2" -ge 8 ] || fail "1:1 split came out $n1:$n2"
}

# RequestMirror: every call also reaches the mirror backend, whose answer is ignored.
test_grpc_mirror()
{
	local i

	grpc_setup 2
	{ cfg_head; grpc_services; groute m "  hostnames: [grpc.example.com]
  rules:
  - filters:
    - type: RequestMirror
      requestMirror: {backendRef: {name: gsvc2, port: 9000}}
    backendRefs: [{name: gsvc1, port: 9000}]"; } | gw_load

	for ((i = 0; i < 5; i++)); do
		expect "$(gpod /test.Echo/Unary)" be1 "the client gets the primary's answer"
	done
	expect "$(jq -r .code <<<"$(gcall /test.Echo/Fail)")" NOT_FOUND \
		"the primary's status, not the mirror's"
	for ((i = 0; i < 50; i++)); do
		[ "$(grep -c 'call /test.Echo/Unary' "$(bg_log grpc2)")" -ge 5 ] && break
		sleep 0.05
	done
	expect "$(grep -c 'call /test.Echo/Unary' "$(bg_log grpc2)")" 5 \
		"the mirror backend saw every call"
}

# gRPC over TLS: ALPN h2 on an HTTPS listener, the client verifies the certificate.
test_grpc_over_tls()
{
	local out

	PKI="$GW_RUN_DIR/pki"
	grpc_setup 1
	pki_make "$PKI"
	LISTENERS="    - {name: www, protocol: HTTPS, port: 443, hostname: www.example.com,
       tls: {certificateRefs: [{name: www-ec}]}, allowedRoutes: {namespaces: {from: All}}}"
	{ cfg_head; grpc_services; secret www-ec www-ec; groute t "  rules:
  - backendRefs: [{name: gsvc1, port: 9000}]"; } | gw_load

	out=$(ns_exec "$NS_CLI" "$PY3" "$GRPC_PEER" client --target 10.200.0.1:443 \
		--authority www.example.com --tls "$PKI/ca.crt" --method /test.Echo/ServerStream \
		--kind sstream --data 3) || fail "gRPC client over TLS failed"
	expect "$(jq -r '[.replies[].i] | join(",")' <<<"$out")" 0,1,2 "server streaming over TLS"
	expect "$(jq -r '.trailing["x-trailer"]' <<<"$out")" be1 "trailers over TLS"
	out=$(ns_exec "$NS_CLI" "$PY3" "$GRPC_PEER" client --target 10.200.0.1:443 \
		--authority www.example.com --tls "$PKI/ca.crt" --method /test.Echo/Unary) ||
		fail "gRPC client over TLS failed"
	expect "$(jq -r '.replies[0].metadata["x-forwarded-proto"]' <<<"$out")" https \
		"X-Forwarded-Proto https"
}

# Concurrent calls share HTTP/2 sessions to the backend: 40 calls in flight
# at once (each held 500 ms by the server) over one client connection reach
# the backend on a single upstream connection, as streams.
test_grpc_multiplexing()
{
	local out n

	grpc_setup 1
	{ cfg_head; grpc_services; groute m "  hostnames: [grpc.example.com]
  rules:
  - backendRefs: [{name: gsvc1, port: 9000}]"; } | gw_load

	out=$(gcall /test.Echo/Unary --parallel 40 --meta x-sleep-ms=500)
	expect "$(jq -r '.code, (.replies | length)' <<<"$out" | paste -sd/)" OK/40 \
		"40 concurrent calls answered"
	n=$(ns_exec "${NS_BE[1]}" ss -Htn state established "sport = :9000" | wc -l)
	expect "$n" 1 "upstream connections that carried them"
}

test_grpc_backend_errors()
{
	local out

	grpc_setup 1
	{ cfg_head; grpc_services
	cat <<YAML
apiVersion: v1
kind: Service
metadata: {name: empty, namespace: demo}
spec: {ports: [{name: grpc, port: 9000}]}
---
YAML
	groute e "  hostnames: [grpc.example.com]
  rules:
  - matches: [{method: {service: test.Missing}}]
    backendRefs: [{name: nosuch, port: 9000}]
  - matches: [{method: {service: test.Empty}}]
    backendRefs: [{name: empty, port: 9000}]
  - matches: [{method: {service: test.Echo}}]
    backendRefs: [{name: gsvc1, port: 9000}]"; } | gw_load

	out=$(gcall /test.Missing/Unary)
	expect "$(jq -r .code <<<"$out")" UNAVAILABLE \
		"an invalid backendRef answers UNAVAILABLE"
	out=$(gcall /test.Empty/Unary)
	expect "$(jq -r .code <<<"$out")" UNAVAILABLE \
		"a backend without endpoints answers UNAVAILABLE"
	expect "$(gpod /test.Echo/Unary)" be1 "the valid rule still serves"
	stop_background grpc1
	out=$(gcall /test.Echo/Unary)
	expect "$(jq -r .code <<<"$out")" UNAVAILABLE \
		"a backend that refuses connections: UNAVAILABLE"
	# a call that outlives its deadline: the client's DEADLINE_EXCEEDED, gwd stays up
	start_background "${NS_BE[1]}" grpc1b "$PY3" "$GRPC_PEER" server --port 9000 --name be1
	wait_tcp "${NS_BE[1]}" "${BE4[1]}" 9000 || fail "gRPC server did not restart"
	out=$(gcall /test.Echo/Unary --meta x-sleep-ms=2000 --timeout 0.5)
	expect "$(jq -r .code <<<"$out")" DEADLINE_EXCEEDED "client deadline"
	expect "$(gpod /test.Echo/Unary)" be1 "served after a cancelled call"
}

# An HTTPRoute to a Service port with appProtocol kubernetes.io/h2c: an
# HTTP/1.1 client's request goes to the backend over HTTP/2, and the
# response's trailers come back as the chunked body's trailer section.
test_h2c_backend_for_httproute()
{
	local out

	grpc_setup 1
	{ cfg_head; grpc_services; route h "  hostnames: [h2c.example.com]
  rules:
  - backendRefs: [{name: gsvc1, port: 9000}]"; } | gw_load

	# a gRPC frame: no compression, length 2, "hi"
	out=$(ns_exec "$NS_CLI" "$PY3" - <<'PY'
import socket
s = socket.create_connection(("10.200.0.1", 80), timeout=10)
body = b"\x00\x00\x00\x00\x02hi"
s.sendall(b"POST /test.Echo/Unary HTTP/1.1\r\nHost: h2c.example.com\r\n"
          b"Content-Type: application/grpc\r\nTE: trailers\r\n"
          b"Content-Length: %d\r\n\r\n" % len(body) + body)
buf = b""
while not buf.endswith(b"\r\n\r\n") or b"\r\n0\r\n" not in buf:
    d = s.recv(65536)
    if not d:
        break
    buf += d
print(buf.decode(errors="replace").replace("\r\n", "|"))
PY
)
	_gw_msg "response: $out"
	[[ "$out" == "HTTP/1.1 200 OK|"* ]] || fail "expected a 200, got: $out"
	[[ "$out" == *"|Transfer-Encoding: chunked|"* || "$out" == *"|transfer-encoding: chunked|"* ]] ||
		fail "the response is not chunked: $out"
	[[ "$out" == *'"pod": "be1"'* ]] || fail "the gRPC server's reply is missing: $out"
	[[ "$out" == *"|0|grpc-status: 0|"* ]] || fail "grpc-status trailer missing: $out"
	[[ "$out" == *"|x-trailer: be1|"* ]] || fail "x-trailer trailer missing: $out"
}

# examples/grpc.yaml as shipped: greeter-v1 and greeter-v2 are gRPC servers
# on 127.0.0.1:50051 and :50052 of the gateway namespace.
test_grpc_example()
{
	local out n1=0 n2=0 p i

	"$PY3" -c 'import grpc' 2>/dev/null || skip "python3-grpcio is not installed"
	skip_if_missing jq "$GWD"
	topo_create 1
	start_background "$NS_GW" v1 "$PY3" "$GRPC_PEER" server --port 50051 --name v1
	start_background "$NS_GW" v2 "$PY3" "$GRPC_PEER" server --port 50052 --name v2
	wait_tcp "$NS_GW" 127.0.0.1 50051 && wait_tcp "$NS_GW" 127.0.0.1 50052 ||
		fail "gRPC servers did not start"
	STATE="$GW_RUN_DIR/state"
	mkdir -p "$STATE"
	gwd_start
	check_run ns_exec "$NS_GW" "$GWCTL" load -q -f "$REPO/examples/grpc.yaml" --state-dir "$STATE"
	wait_tcp "$NS_GW" "*" 80 || fail "gwd does not listen on 80"
	out=$(gcall /helloworld.Greeter/SayHello --meta x-canary=always)
	expect "$(jq -r '.replies[0].pod' <<<"$out")" v2 "x-canary: always goes to the canary"
	for ((i = 0; i < 30; i++)); do
		out=$(gcall /helloworld.Greeter/SayHello)
		p=$(jq -r '.replies[0].pod' <<<"$out")
		case $p in
		v1) n1=$((n1 + 1)) ;;
		v2) n2=$((n2 + 1)) ;;
		*) fail "call $i: $out" ;;
		esac
	done
	_gw_msg "90/10 over 30 calls: v1 $n1, v2 $n2"
	[ "$n1" -ge 22 ] || fail "90/10 came out $n1/$n2"
	expect "$(jq -r '.replies[0].metadata["x-gateway"]' <<<"$out")" xdpgw \
		"the rule's RequestHeaderModifier"
	expect "$(gpod /grpc.health.v1.Health/Check)" v1 "regular expression service, exact method"
	expect "$(gpod /helloworld.Other/SayHello)" UNIMPLEMENTED "no route: UNIMPLEMENTED"
}

# CVE-2019-9517 class through an HTTP/2 backend: a client with a zero window
# asks for 2 MiB server streams on 8 calls (the server runs 8 at once). Each
# backend stream's window (64 KiB, was 1 MiB) bounds what gwd takes from the
# backend for a client that reads nothing, beyond the client's budgets.
test_grpc_zero_window()
{
	local pid before during held out

	grpc_setup 1
	{ cfg_head; grpc_services; groute echo "  hostnames: [grpc.example.com]
  rules:
  - matches: [{method: {service: test.Echo}}]
    backendRefs: [{name: gsvc1, port: 9000}]"; } | gw_load
	pid=$(bg_pid gwd)
	out=$(gcall /test.Echo/ServerStream --kind sstream --data 64:32768)
	expect "$(jq -r '.code, (.replies | length), (.replies[63].pad | length)' <<<"$out" |
		paste -sd/)" OK/64/32768 "2 MiB server stream to a client that reads"
	sleep 1
	before=$(rss_kb "$pid")
	ns_exec "$NS_CLI" timeout 40 "$PY3" "$GW_NETNS_DIR/h2attack.py" 10.200.0.1 80 \
		grpc.example.com zero-window-grpc 8 /test.Echo/ServerStream 64:32768 8 \
		>"$GW_RUN_DIR/zw.out" &
	sleep 5
	during=$(rss_kb "$pid")
	held=$(metric gwd_http2_buffered_bytes)
	wait $! || fail "the zero-window client failed: $(cat "$GW_RUN_DIR/zw.out")"
	_gw_msg "zero window: $(cat "$GW_RUN_DIR/zw.out"); gwd VmRSS KiB: before $before," \
		"during $during (+$(((during - before) / 1024)) MiB); http2_buffered_bytes $held"
	[[ "$(cat "$GW_RUN_DIR/zw.out")" =~ ^zero-window\ conns\ 1\ headers\ 8\  ]] ||
		fail "not all 8 calls were answered: $(cat "$GW_RUN_DIR/zw.out")"
	[ $((during - before)) -lt $((4 * 1024)) ] ||
		fail "gwd grew by $(((during - before) / 1024)) MiB for 8 zero-window gRPC streams"
	# the connection's budget (512 KiB), then 8 streams' windows (64 KiB) in 16 KiB blocks
	[ "$held" -gt 0 ] && [ "$held" -le $(((512 + 8 * 80) * 1024)) ] ||
		fail "gwd holds $held bytes for 8 zero-window gRPC streams"
	out=$(gcall /test.Echo/Unary --data after)
	expect "$(jq -r .code <<<"$out")" OK "a call after the zero-window client"
}
