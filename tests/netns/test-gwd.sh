# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# shellcheck shell=bash
#
# gwd end to end: client -> gwd (gateway namespace) -> gw-echo backends,
# configured with `gwctl load`, real curl, assertions on what the client got
# and on what the backend saw (gw-echo's JSON). Sourced by run.sh.

# shellcheck disable=SC2034 # read by run.sh
ALL_TESTS="test_basic_proxy test_path_matches test_path_encoded_dots test_header_query_method test_precedence
	test_listener_isolation test_header_modifiers test_redirect test_url_rewrite
	test_mirror test_cors test_weighted_split test_error_statuses test_timeouts
	test_retry test_retry_single_endpoint test_cors_conformance test_session_persistence
	test_http1_semantics test_interim_and_trailers test_client_abort_cancels_upstream
	test_websocket test_gateway_static_addresses test_admin_and_log
	test_reload_under_load test_gwd_restart_and_status test_restart_l4_keeps_working
	test_sigterm_drain test_large_config_stored_form"

GWD="${GWD:-$REPO/.output/gwd}"

# gwd_setup N [gwd options...]: topology with N echo backends (pods be1..beN
# on port 8080, namespace demo), gwd started in the gateway namespace.
gwd_setup()
{
	local n=$1 i

	shift
	skip_if_missing curl "$GWD"
	topo_create "$n"
	for ((i = 1; i <= n; i++)); do
		start_echo "${NS_BE[i]}" "be$i" --namespace demo --listen "[::]:8080" -v
	done
	STATE="$GW_RUN_DIR/state"
	mkdir -p "$STATE"
	gwd_start "$@"
}

gwd_start()
{
	local i

	start_background "$NS_GW" gwd "$GWD" --state-dir "$STATE" --workers 2 \
		--admin 127.0.0.1:9901 "$@"
	for ((i = 0; i < 100; i++)); do
		[ -S "$STATE/gwd.sock" ] && return 0
		bg_running gwd || break
		sleep 0.05
	done
	cat "$(bg_log gwd)" >&2
	fail "gwd did not open its control socket"
}

# gw_load: loads the YAML on stdin with gwctl (which tells gwd to reload).
gw_load()
{
	local f="$GW_RUN_DIR/cfg-$RANDOM.yaml"

	cat >"$f"
	ns_exec "$NS_GW" "$GWCTL" load -q -f "$f" --state-dir "$STATE" ||
		fail "gwctl load failed for $f: $(cat "$f")"
}

# The head of every config: class, Gateway "gw" (HTTP port 80, routes from
# all namespaces unless $LISTENERS says otherwise; spec.addresses
# $GW_ADDRESSES if set), Services svc1..svcN with the backend of the same
# number as endpoint.
cfg_head()
{
	local i def='    - {name: http, protocol: HTTP, port: 80, allowedRoutes: {namespaces: {from: All}}}'

	cat <<EOF
apiVersion: gateway.networking.k8s.io/v1
kind: GatewayClass
metadata: {name: xdpgw}
spec: {controllerName: xdpgw.io/gateway-controller}
---
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: gw, namespace: demo}
spec:
  gatewayClassName: xdpgw
${GW_ADDRESSES:+  addresses: $GW_ADDRESSES
}  listeners:
${LISTENERS:-$def}
---
EOF
	for ((i = 1; i <= NUM_BE; i++)); do
		service_yaml "svc$i" http 80 8080 "${BE4[i]}"
	done
}

# service_yaml NAME PORTNAME PORT TARGETPORT ADDRESS [APPPROTOCOL]: a Service
# in namespace demo and its EndpointSlice with one ready endpoint.
service_yaml()
{
	cat <<EOF
apiVersion: v1
kind: Service
metadata: {name: $1, namespace: demo}
spec: {ports: [{name: $2, port: $3, targetPort: $4${6:+, appProtocol: $6}}]}
---
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata: {name: $1-a, namespace: demo, labels: {kubernetes.io/service-name: $1}}
addressType: IPv4
ports: [{name: $2, port: $4, protocol: TCP}]
endpoints: [{addresses: ["$5"], conditions: {ready: true}}]
---
EOF
}

# route NAME SPEC: an HTTPRoute in namespace demo attached to gw; SPEC is the
# YAML under spec: after parentRefs (indented two spaces).
route()
{
	cat <<EOF
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: $1, namespace: demo${3:+, creationTimestamp: "$3"}}
spec:
  parentRefs: [{name: gw}]
$2
---
EOF
}

# gcurl [curl args...]: from the client namespace to the gateway on port 80.
gcurl()
{
	ns_exec "$NS_CLI" curl -sS --noproxy '*' -m 10 "$@"
}

URL="http://10.200.0.1"

# code HOST PATH [curl args]: the status code only.
code()
{
	local host=$1 path=$2

	shift 2
	gcurl -o /dev/null -w '%{http_code}' -H "Host: $host" "$@" "$URL$path"
}

# pod HOST PATH [curl args]: which backend answered.
pod()
{
	local out host=$1 path=$2

	shift 2
	out=$(gcurl -H "Host: $host" "$@" "$URL$path") || fail "curl $host$path failed"
	json_get "$out" .pod
}

test_basic_proxy()
{
	local out

	skip_if_missing jq
	gwd_setup 1
	{ cfg_head; route web "  hostnames: [www.example.com]
  rules:
  - backendRefs: [{name: svc1, port: 80}]"; } | gw_load
	out=$(gcurl -H "Host: www.example.com" -H "X-Forwarded-For: 192.0.2.1" \
		-H "Connection: keep-alive, X-Hop" -H "X-Hop: secret" "$URL/get?x=1") ||
		fail "curl through gwd failed"
	echo "$out"
	assert_eq pod be1 "$(json_get "$out" .pod)"
	assert_eq path "/get?x=1" "$(json_get "$out" .path)"
	assert_eq host www.example.com "$(json_get "$out" .host)"
	assert_eq "x-forwarded-for appended" "192.0.2.1, $CLI4" \
		"$(json_get "$out" '.headers["x-forwarded-for"]')"
	assert_eq x-forwarded-proto http "$(json_get "$out" '.headers["x-forwarded-proto"]')"
	assert_eq x-forwarded-host www.example.com "$(json_get "$out" '.headers["x-forwarded-host"]')"
	assert_eq "hop-by-hop stripped" null "$(json_get "$out" '.headers["x-hop"]')"
	assert_eq "connection stripped" null "$(json_get "$out" '.headers.connection')"
	# '_' names shadow X-Forwarded-For in CGI-style backends: dropped, counted
	out=$(gcurl -H "Host: www.example.com" -H "X_Forwarded_For: 6.6.6.6" \
		-H "Content_Length: 5" "$URL/under") || fail "curl with '_' fields failed"
	assert_eq "X_Forwarded_For dropped" null "$(json_get "$out" '.headers["x_forwarded_for"]')"
	assert_eq "Content_Length dropped" null "$(json_get "$out" '.headers["content_length"]')"
	assert_eq "xff is gwd's" "$CLI4" "$(json_get "$out" '.headers["x-forwarded-for"]')"
	assert_eq "underscore drops counted" 2 "$(ns_exec "$NS_GW" curl -sS \
		http://127.0.0.1:9901/metrics | awk '$1 == "gwd_http_underscore_headers_dropped_total" { print $2 }')"
	# the backend saw gwd's backend-side address, not the client's
	assert_eq "remote is the gateway" "$GW_BE4_1" "$(json_get "$out" .remote | cut -d: -f1)"
	assert_eq "unknown host" 404 "$(code nope.example.com /get)"
	# IPv6 client
	out=$(ns_exec "$NS_CLI" curl -sS -g --noproxy '*' -m 10 -H "Host: www.example.com" \
		"http://[$GW_CLI6]/v6") || fail "IPv6 curl failed"
	assert_eq "v6 path" /v6 "$(json_get "$out" .path)"
	assert_eq "v6 xff" "$CLI6" "$(json_get "$out" '.headers["x-forwarded-for"]')"
}

# Issue 10 item 1: with only PathPrefix /public routed, no encoding of ".."
# reaches /private through the /public backend (nginx answers 404 too);
# encoded slashes are 400. HTTP/1.1 and h2c, curl --path-as-is.
test_path_encoded_dots()
{
	local p h2 out

	gwd_setup 1
	{ cfg_head; route pub "  rules:
  - matches: [{path: {type: PathPrefix, value: /public}}]
    backendRefs: [{name: svc1, port: 80}]"; } | gw_load
	assert_eq "the prefix itself" be1 "$(pod h /public/x)"
	for h2 in "" --http2-prior-knowledge; do
		for p in /public/%2e%2e/private/secret.txt /public/.%2e/private/secret.txt \
			/public/%2E%2E/private/secret.txt /public/%2e./private/secret.txt; do
			assert_eq "$p ${h2:-http/1.1}" 404 "$(code h "$p" --path-as-is $h2)"
		done
		for p in /public/..%2fprivate/secret.txt /public/%2e%2e%2fprivate/secret.txt \
			/public/%2e%2e%5cprivate/secret.txt /public/a%00b; do
			assert_eq "$p ${h2:-http/1.1}" 400 "$(code h "$p" --path-as-is $h2)"
		done
		out=$(gcurl -H "Host: h" --path-as-is $h2 "$URL/public/a/./b/%7Efoo") ||
			fail "curl of a legitimate path failed"
		assert_eq "the backend gets the canonical path" /public/a/b/~foo \
			"$(json_get "$out" .path)"
	done
}

test_path_matches()
{
	gwd_setup 3
	{ cfg_head; route paths "  rules:
  - matches: [{path: {type: Exact, value: /exact}}]
    backendRefs: [{name: svc1, port: 80}]
  - matches: [{path: {type: PathPrefix, value: /prefix}}]
    backendRefs: [{name: svc2, port: 80}]
  - matches: [{path: {type: RegularExpression, value: '/re/[0-9]+/x'}}]
    backendRefs: [{name: svc3, port: 80}]"; } | gw_load
	assert_eq "exact" be1 "$(pod h /exact)"
	assert_eq "exact with query" be1 "$(pod h '/exact?a=b')"
	assert_eq "exact is not a prefix" 404 "$(code h /exact/more)"
	assert_eq "prefix itself" be2 "$(pod h /prefix)"
	assert_eq "prefix segment" be2 "$(pod h /prefix/a/b)"
	assert_eq "prefix trailing slash" be2 "$(pod h /prefix/)"
	assert_eq "prefix not mid-segment" 404 "$(code h /prefixes)"
	assert_eq "regex" be3 "$(pod h /re/123/x)"
	assert_eq "regex is a full match" 404 "$(code h /re/123/xy)"
	# dot segments are resolved before matching
	assert_eq "dot segments" be1 "$(pod h /prefix/../exact)"
}

test_header_query_method()
{
	gwd_setup 3
	{ cfg_head; route m "  rules:
  - matches: [{headers: [{name: X-Env, value: canary}]}]
    backendRefs: [{name: svc1, port: 80}]
  - matches: [{queryParams: [{name: tier, value: gold}]}, {method: DELETE}]
    backendRefs: [{name: svc2, port: 80}]
  - matches: [{headers: [{type: RegularExpression, name: x-id, value: 'u-[0-9]+'}]}]
    backendRefs: [{name: svc3, port: 80}]"; } | gw_load
	assert_eq "header exact" be1 "$(pod h / -H 'x-env: canary')"
	local out
	out=$(gcurl -H "Host: h" -H "X-ENV: canary" "$URL/") || fail curl
	assert_eq "header name case-insensitive" be1 "$(json_get "$out" .pod)"
	assert_eq "header value mismatch" 404 "$(code h / -H 'X-Env: stable')"
	assert_eq "query" be2 "$(pod h '/?tier=gold')"
	assert_eq "query mismatch" 404 "$(code h '/?tier=silver')"
	out=$(gcurl -X DELETE -H "Host: h" "$URL/x") || fail curl
	assert_eq "method" be2 "$(json_get "$out" .pod)"
	assert_eq "method mismatch" 404 "$(code h /x -X PUT)"
	out=$(gcurl -H "Host: h" -H "X-Id: u-42" "$URL/") || fail curl
	assert_eq "header regex" be3 "$(json_get "$out" .pod)"
}

test_precedence()
{
	gwd_setup 3
	# newer exact route beats older prefix route; the older of two equal
	# routes wins; within a route the first matching rule wins
	{ cfg_head
	  route old-prefix "  rules:
  - matches: [{path: {type: PathPrefix, value: /api}}]
    backendRefs: [{name: svc1, port: 80}]" 2026-01-01T00:00:00Z
	  route new-exact "  rules:
  - matches: [{path: {type: Exact, value: /api/v1}}]
    backendRefs: [{name: svc2, port: 80}]" 2026-03-01T00:00:00Z
	  route newer-same "  rules:
  - matches: [{path: {type: PathPrefix, value: /api}}]
    backendRefs: [{name: svc3, port: 80}]" 2026-02-01T00:00:00Z
	  route longer "  rules:
  - matches: [{path: {type: PathPrefix, value: /api/v2}, method: GET}]
    backendRefs: [{name: svc2, port: 80}]
  - matches: [{path: {type: PathPrefix, value: /api/v2}, headers: [{name: a, value: b}]}]
    backendRefs: [{name: svc3, port: 80}]" 2026-04-01T00:00:00Z
	} | gw_load
	assert_eq "exact over prefix" be2 "$(pod h /api/v1)"
	assert_eq "oldest of equal prefixes" be1 "$(pod h /api/v1/x)"
	assert_eq "longest prefix" be2 "$(pod h /api/v2/x)"
	assert_eq "method over headers" be2 "$(pod h /api/v2 -H 'a: b')"
	local out
	out=$(gcurl -X POST -H "Host: h" -H "a: b" "$URL/api/v2") || fail curl
	assert_eq "headers when the method differs" be3 "$(json_get "$out" .pod)"
}

test_listener_isolation()
{
	gwd_setup 3
	LISTENERS="    - {name: exact, protocol: HTTP, port: 80, hostname: a.example.com}
    - {name: wild, protocol: HTTP, port: 80, hostname: '*.example.com'}
    - {name: other, protocol: HTTP, port: 8080}"
	{ cfg_head
	  cat <<EOF
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: a, namespace: demo}
spec:
  parentRefs: [{name: gw, sectionName: exact}]
  rules: [{matches: [{path: {value: /a}}], backendRefs: [{name: svc1, port: 80}]}]
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: wild, namespace: demo}
spec:
  parentRefs: [{name: gw, sectionName: wild}]
  hostnames: ['*.example.com', exact.only.example.com]
  rules: [{backendRefs: [{name: svc2, port: 80}]}]
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: other, namespace: demo}
spec:
  parentRefs: [{name: gw, sectionName: other}]
  rules: [{backendRefs: [{name: svc3, port: 80}]}]
---
EOF
	} | gw_load
	assert_eq "exact listener" be1 "$(pod a.example.com /a)"
	assert_eq "isolation: no fallback to the wildcard listener" 404 "$(code a.example.com /b)"
	assert_eq "wildcard listener" be2 "$(pod b.example.com /b)"
	assert_eq "deeper wildcard" be2 "$(pod x.y.example.com /)"
	assert_eq "no listener for the host" 404 "$(code example.org /)"
	local out
	out=$(gcurl -H "Host: anything" "http://10.200.0.1:8080/") || fail "port 8080"
	assert_eq "second port" be3 "$(json_get "$out" .pod)"
}

test_header_modifiers()
{
	local out hdrs

	gwd_setup 1
	{ cfg_head; route mod "  rules:
  - filters:
    - type: RequestHeaderModifier
      requestHeaderModifier:
        set: [{name: X-Set, value: set-value}]
        add: [{name: X-Add, value: added}]
        remove: [X-Remove]
    - type: ResponseHeaderModifier
      responseHeaderModifier:
        set: [{name: Content-Type, value: application/x-test}]
        add: [{name: X-Resp, value: r1}]
        remove: [X-Echo-Unused]
    backendRefs:
    - name: svc1
      port: 80
      filters:
      - type: RequestHeaderModifier
        requestHeaderModifier: {add: [{name: X-Backend, value: b}]}"; } | gw_load
	out=$(gcurl -H "Host: h" -H "X-Set: original" -H "x-add: first" -H "X-Remove: gone" \
		"$URL/") || fail curl
	echo "$out"
	assert_eq "set replaces" set-value "$(json_get "$out" '.headers["x-set"]')"
	assert_eq "add appends" "first,added" "$(json_get "$out" '.headers["x-add"]')"
	assert_eq "remove" null "$(json_get "$out" '.headers["x-remove"]')"
	assert_eq "backendRef filter" b "$(json_get "$out" '.headers["x-backend"]')"
	hdrs=$(gcurl -D - -o /dev/null -H "Host: h" "$URL/") || fail curl
	echo "$hdrs"
	grep -qi '^content-type: application/x-test' <<<"$hdrs" || fail "response set"
	grep -qi '^x-resp: r1' <<<"$hdrs" || fail "response add"
}

test_redirect()
{
	local hdrs

	gwd_setup 1
	{ cfg_head; route redir "  rules:
  - matches: [{path: {value: /old}}]
    filters:
    - type: RequestRedirect
      requestRedirect:
        path: {type: ReplacePrefixMatch, replacePrefixMatch: /new}
        statusCode: 301
  - matches: [{path: {value: /secure}}]
    filters:
    - type: RequestRedirect
      requestRedirect: {scheme: https, hostname: secure.example.com}
  - matches: [{path: {value: /port}}]
    filters:
    - type: RequestRedirect
      requestRedirect: {port: 8443, statusCode: 308, path: {type: ReplaceFullPath, replaceFullPath: /full}}"
	} | gw_load
	hdrs=$(gcurl -D - -o /dev/null -H "Host: r.example" "$URL/old/page?q=1") || fail curl
	grep -q '^HTTP/1.1 301' <<<"$hdrs" || fail "301: $hdrs"
	grep -qi '^location: http://r.example/new/page?q=1' <<<"$hdrs" || fail "location: $hdrs"
	hdrs=$(gcurl -D - -o /dev/null -H "Host: r.example" "$URL/secure/x") || fail curl
	grep -q '^HTTP/1.1 302' <<<"$hdrs" || fail "302: $hdrs"
	grep -qi '^location: https://secure.example.com/secure/x' <<<"$hdrs" || fail "https: $hdrs"
	hdrs=$(gcurl -D - -o /dev/null -H "Host: r.example" "$URL/port/x") || fail curl
	grep -q '^HTTP/1.1 308' <<<"$hdrs" || fail "308: $hdrs"
	grep -qi '^location: http://r.example:8443/full' <<<"$hdrs" || fail "port: $hdrs"
}

test_url_rewrite()
{
	local out

	gwd_setup 1
	{ cfg_head; route rw "  rules:
  - matches: [{path: {value: /api}}]
    filters:
    - type: URLRewrite
      urlRewrite:
        hostname: internal.svc
        path: {type: ReplacePrefixMatch, replacePrefixMatch: /v2}
    backendRefs: [{name: svc1, port: 80}]
  - matches: [{path: {value: /full}}]
    filters:
    - type: URLRewrite
      urlRewrite: {path: {type: ReplaceFullPath, replaceFullPath: /replaced}}
    backendRefs: [{name: svc1, port: 80}]"; } | gw_load
	out=$(gcurl -H "Host: public.example" "$URL/api/users?id=7") || fail curl
	assert_eq "prefix rewritten" "/v2/users?id=7" "$(json_get "$out" .path)"
	assert_eq "host rewritten" internal.svc "$(json_get "$out" .host)"
	assert_eq "x-forwarded-host keeps the original" public.example \
		"$(json_get "$out" '.headers["x-forwarded-host"]')"
	out=$(gcurl -H "Host: public.example" "$URL/full/a/b") || fail curl
	assert_eq "full path" /replaced "$(json_get "$out" .path)"
	assert_eq "host kept" public.example "$(json_get "$out" .host)"
}

test_mirror()
{
	local out n2 n3 i

	gwd_setup 3
	{ cfg_head; route mir "  rules:
  - matches: [{path: {value: /all}}]
    filters:
    - {type: RequestMirror, requestMirror: {backendRef: {name: svc2, port: 80}}}
    - {type: RequestMirror, requestMirror: {backendRef: {name: svc3, port: 80}, percent: 50}}
    backendRefs: [{name: svc1, port: 80}]"; } | gw_load
	for i in $(seq 1 40); do
		out=$(gcurl -H "Host: h" -d "body$i" "$URL/all/$i") || fail "curl $i"
		[ "$(json_get "$out" .pod)" = be1 ] || fail "the primary must answer: $out"
	done
	sleep 0.5
	n2=$(grep -c 'POST /all/' "$(bg_log be2)")
	n3=$(grep -c 'POST /all/' "$(bg_log be3)")
	echo "mirrored: be2 $n2/40 (100%), be3 $n3/40 (50%)"
	assert_eq "100% mirror" 40 "$n2"
	[ "$n3" -ge 8 ] && [ "$n3" -le 32 ] || fail "50% mirror got $n3 of 40"
}

test_cors()
{
	local hdrs

	gwd_setup 1
	{ cfg_head; route cors "  rules:
  - filters:
    - type: CORS
      cors:
        allowOrigins: ['https://app.example.com', 'https://*.example.org']
        allowMethods: [GET, PUT]
        allowHeaders: [x-token]
        exposeHeaders: [x-trace]
        allowCredentials: true
        maxAge: 60
    backendRefs: [{name: svc1, port: 80}]"; } | gw_load
	hdrs=$(gcurl -D - -o /dev/null -X OPTIONS -H "Host: h" -H "Origin: https://app.example.com" \
		-H "Access-Control-Request-Method: PUT" "$URL/res") || fail curl
	echo "$hdrs"
	grep -q '^HTTP/1.1 200' <<<"$hdrs" || fail "preflight status"
	grep -qi '^access-control-allow-origin: https://app.example.com' <<<"$hdrs" || fail "acao"
	grep -qi '^access-control-allow-methods: GET, PUT' <<<"$hdrs" || fail "acam"
	grep -qi '^access-control-allow-headers: x-token' <<<"$hdrs" || fail "acah"
	grep -qi '^access-control-allow-credentials: true' <<<"$hdrs" || fail "acac"
	grep -qi '^access-control-max-age: 60' <<<"$hdrs" || fail "max-age"
	# the preflight never reaches the backend
	grep -q 'OPTIONS /res' "$(bg_log be1)" && fail "preflight was forwarded"
	hdrs=$(gcurl -D - -o /dev/null -H "Host: h" -H "Origin: https://a.b.example.org" "$URL/res") ||
		fail curl
	grep -qi '^access-control-allow-origin: https://a.b.example.org' <<<"$hdrs" || fail "actual"
	grep -qi '^access-control-expose-headers: x-trace' <<<"$hdrs" || fail "expose"
	hdrs=$(gcurl -D - -o /dev/null -H "Host: h" -H "Origin: https://evil.example.com" "$URL/res") ||
		fail curl
	grep -qi '^access-control-allow-origin' <<<"$hdrs" && fail "disallowed origin got CORS headers"
	return 0
}

test_weighted_split()
{
	local out n1 n2 n3 total=2000

	gwd_setup 3
	{ cfg_head; route canary "  rules:
  - backendRefs:
    - {name: svc1, port: 80, weight: 90}
    - {name: svc2, port: 80, weight: 10}
    - {name: svc3, port: 80, weight: 0}"; } | gw_load
	# one keep-alive connection, $total requests (curl URL globbing)
	out=$(gcurl -H "Host: h" "$URL/w[1-$total]") || fail "curl failed"
	n1=$(grep -o '"pod":"be1"' <<<"$out" | wc -l)
	n2=$(grep -o '"pod":"be2"' <<<"$out" | wc -l)
	n3=$(grep -o '"pod":"be3"' <<<"$out" | wc -l)
	echo "90/10/0 split over $total: $n1 / $n2 / $n3"
	assert_eq "all answered" "$total" "$((n1 + n2 + n3))"
	assert_eq "weight 0 gets nothing" 0 "$n3"
	# 90% +- 3% (5 sigma is about 3.4%)
	[ "$n1" -ge $((total * 87 / 100)) ] && [ "$n1" -le $((total * 93 / 100)) ] ||
		fail "be1 got $n1 of $total, expected about 90%"
}

test_error_statuses()
{
	local n500=0 i c

	gwd_setup 2
	ns_exec "${NS_BE[2]}" true
	stop_background be2
	# be2 now reflects bytes: whatever it sends back is no HTTP response
	start_echo "${NS_BE[2]}" be2-raw --listen "[::]:8081" --tcp-echo "[::]:8080"
	{ cfg_head
	  cat <<EOF
apiVersion: v1
kind: Service
metadata: {name: noeps, namespace: demo}
spec: {ports: [{name: http, port: 80}]}
---
apiVersion: v1
kind: Service
metadata: {name: refused, namespace: demo}
spec: {ports: [{name: http, port: 80}]}
---
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata: {name: refused-a, namespace: demo, labels: {kubernetes.io/service-name: refused}}
addressType: IPv4
ports: [{name: http, port: 9999, protocol: TCP}]
endpoints: [{addresses: ["$BE4_1"]}]
---
EOF
	  route errs "  rules:
  - matches: [{path: {value: /missing}}]
    backendRefs: [{name: nosuchsvc, port: 80}]
  - matches: [{path: {value: /half}}]
    backendRefs: [{name: nosuchsvc, port: 80}, {name: svc1, port: 80}]
  - matches: [{path: {value: /noeps}}]
    backendRefs: [{name: noeps, port: 80}]
  - matches: [{path: {value: /refused}}]
    backendRefs: [{name: refused, port: 80}]
  - matches: [{path: {value: /garbage}}]
    backendRefs: [{name: svc2, port: 80}]
  - matches: [{path: {value: /nobackends}}]
    filters: [{type: RequestHeaderModifier, requestHeaderModifier: {set: [{name: a, value: b}]}}]"
	} | ns_exec "$NS_GW" "$GWCTL" load -q -f - --state-dir "$STATE" ||
		fail "gwctl load"
	assert_eq "no route: 404" 404 "$(code h /nothing)"
	assert_eq "invalid backendRef: 500" 500 "$(code h /missing)"
	assert_eq "no backendRefs: 500" 500 "$(code h /nobackends)"
	assert_eq "no endpoints: 503" 503 "$(code h /noeps)"
	assert_eq "connection refused: 503" 503 "$(code h /refused)"
	assert_eq "malformed response: 502" 502 "$(code h /garbage)"
	# half the weight is invalid: about half the requests get 500
	for i in $(seq 1 200); do
		c=$(code h "/half/$i")
		[ "$c" = 500 ] && n500=$((n500 + 1))
		[ "$c" = 500 ] || [ "$c" = 200 ] || fail "unexpected $c"
	done
	echo "invalid half: $n500/200 got 500"
	[ "$n500" -ge 70 ] && [ "$n500" -le 130 ] || fail "500 share $n500/200 not about half"
}

test_timeouts()
{
	local t0 t1

	gwd_setup 1
	# gw-echo delays answers to /delay/MS; a header picks the rule
	{ cfg_head; route slow "  rules:
  - matches: [{path: {value: /delay}, headers: [{name: x-t, value: req}]}]
    timeouts: {request: 500ms}
    backendRefs: [{name: svc1, port: 80}]
  - matches: [{path: {value: /delay}, headers: [{name: x-t, value: be}]}]
    timeouts: {request: 5s, backendRequest: 300ms}
    backendRefs: [{name: svc1, port: 80}]"; } | gw_load
	assert_eq "fast enough" 200 "$(code h /delay/100 -H 'x-t: req')"
	t0=$(date +%s%N)
	assert_eq "request timeout: 504" 504 "$(code h /delay/3000 -H 'x-t: req')"
	t1=$(date +%s%N)
	[ $(((t1 - t0) / 1000000)) -lt 2000 ] || fail "504 took $(((t1 - t0) / 1000000)) ms"
	assert_eq "backendRequest timeout: 504" 504 "$(code h /delay/1000 -H 'x-t: be')"
	assert_eq "within backendRequest" 200 "$(code h /delay/50 -H 'x-t: be')"
	assert_eq "timeouts counted" 1 "$(ns_exec "$NS_GW" curl -sS http://127.0.0.1:9901/metrics |
		awk '/^gwd_timeouts_total/ { print ($2 >= 2) }')"
}

test_retry()
{
	local i c ok=0

	gwd_setup 2
	stop_background be2
	start_echo "${NS_BE[2]}" be2-503 --namespace demo --listen "[::]:8080" --status 503 -v
	# one Service with both pods: one always answers 503
	{ cfg_head | sed "s/addresses: \[\"${BE4[1]}\"\]/addresses: [\"${BE4[1]}\", \"${BE4[2]}\"]/"
	  route retry "  rules:
  - matches: [{path: {value: /r}}]
    retry: {attempts: 2, codes: [503], backoff: 10ms}
    backendRefs: [{name: svc1, port: 80}]
  - matches: [{path: {value: /n}}]
    backendRefs: [{name: svc1, port: 80}]"; } | gw_load
	for i in $(seq 1 20); do
		c=$(code h "/r/$i")
		[ "$c" = 200 ] && ok=$((ok + 1))
	done
	assert_eq "every request retried onto the healthy pod" 20 "$ok"
	grep -q 'GET /r/' "$(bg_log be2-503)" || fail "the failing pod never got a request"
	ok=0
	for i in $(seq 1 20); do
		[ "$(code h "/n/$i")" = 503 ] && ok=$((ok + 1))
	done
	[ "$ok" -ge 4 ] || fail "without retry, 503s must reach the client ($ok/20)"
}

# The cases of the Gateway API v1.6.1 conformance tests HTTPRouteRetry
# (conformance/tests/httproute-retry.{go,yaml}) and, from upstream main,
# HTTPRouteRetryConnectionError, against one endpoint that fails the first
# succeedAfter requests of a uuid (tests/netns/retry_backend.py, like
# echo-basic's retry simulator). attempts is the number of retries
# (HTTPRouteRetry.Attempts: "the maximum number of times an individual
# request ... should be retried"), so a request is tried attempts + 1 times.
test_retry_single_endpoint()
{
	local id=0 c n t0 t1

	skip_if_missing python3
	gwd_setup 1
	start_background "${NS_BE[1]}" flaky python3 "$REPO/tests/netns/retry_backend.py" 8081
	wait_tcp "${NS_BE[1]}" "${BE4[1]}" 8081 || fail "retry backend did not start"
	{ cfg_head; service_yaml flaky http 81 8081 "${BE4[1]}"
	  route retries "  rules:
  - matches: [{path: {value: /retry/code-500-attempts-3}}]
    retry: {codes: [500], attempts: 3, backoff: 10ms}
    backendRefs: [{name: flaky, port: 81}]
  - matches: [{path: {value: /retry/code-all-attempts-2}}]
    retry: {codes: [500, 502, 503, 504], attempts: 2, backoff: 10ms}
    backendRefs: [{name: flaky, port: 81}]
  - matches: [{path: {value: /retry/no-status-code-attempts-3}}]
    retry: {attempts: 3, backoff: 10ms}
    backendRefs: [{name: flaky, port: 81}]
  - matches: [{path: {value: /backoff}}]
    retry: {codes: [500], attempts: 2, backoff: 200ms}
    backendRefs: [{name: flaky, port: 81}]
  - matches: [{path: {value: /retry/backend-timeout}}]
    timeouts: {request: 5s, backendRequest: 300ms}
    retry: {attempts: 2, backoff: 10ms}
    backendRefs: [{name: flaky, port: 81}]
  - matches: [{path: {value: /count}}]
    backendRefs: [{name: flaky, port: 81}]"; } | gw_load
	# case PATH QUERY WANT_STATUS WANT_TRIES
	case_()
	{
		id=$((id + 1))
		c=$(code h "$1?uuid=u$id&$2")
		n=$(gcurl -H "Host: h" "$URL/count?uuid=u$id") || fail "count"
		echo "$1?$2: status $c after $n tries"
		assert_eq "$1?$2 status" "$3" "$c"
		assert_eq "$1?$2 tries" "$4" "$n"
	}
	case_ /retry/code-500-attempts-3 "responseCode=500&succeedAfter=2" 200 3
	case_ /retry/code-500-attempts-3 "responseCode=500&succeedAfter=3" 200 4
	case_ /retry/code-500-attempts-3 "responseCode=500&succeedAfter=4" 500 4
	case_ /retry/code-500-attempts-3 "responseCode=503&succeedAfter=2" 503 1
	for s in 500 502 503 504; do
		case_ /retry/code-all-attempts-2 "responseCode=$s&succeedAfter=1" 200 2
		case_ /retry/code-all-attempts-2 "responseCode=$s&succeedAfter=2" 200 3
		case_ /retry/code-all-attempts-2 "responseCode=$s&succeedAfter=3" $s 3
	done
	# connection reset before any answer (upstream conformance accepts 500
	# or 503 when retries run out; gwd answers a reset 502)
	case_ /retry/no-status-code-attempts-3 "succeedAfter=2" 200 3
	# a reset on a reused pooled connection counts as a stale connection
	# (up to 2 free failovers), so the budget runs out later than 4 tries
	id=$((id + 1))
	assert_eq "resets exhaust the retries" 502 \
		"$(code h "/retry/no-status-code-attempts-3?uuid=u$id&succeedAfter=9")"
	# HTTPRouteRetryBackendTimeout: an attempt without a response within
	# backendRequest is cancelled and retried ("any retry attempts which reach
	# the configured BackendRequest timeout ... SHOULD be canceled")
	case_ /retry/backend-timeout "delayMs=2000&succeedAfter=1" 200 2
	case_ /retry/backend-timeout "delayMs=2000&succeedAfter=2" 200 3
	case_ /retry/backend-timeout "delayMs=2000&succeedAfter=3" 504 3
	# Backoff is the minimum wait before each retry: two retries, >= 400 ms
	t0=$(date +%s%N)
	case_ /backoff "responseCode=500&succeedAfter=2" 200 3
	t1=$(date +%s%N)
	echo "two retries with backoff 200ms took $(((t1 - t0) / 1000000)) ms"
	[ $(((t1 - t0) / 1000000)) -ge 400 ] || fail "retried before the backoff elapsed"
}

# Every case of the Gateway API v1.6.1 conformance test HTTPRouteCORS
# (conformance/tests/httproute-cors.{go,yaml}): same routes, same requests,
# same expected and absent response fields.
test_cors_conformance()
{
	local hdrs

	gwd_setup 1
	{ cfg_head
	  route cors-multiple-origins-methods-headers "  rules:
  - filters:
    - type: CORS
      cors:
        allowOrigins: ['https://www.foo.com', 'https://*.bar.com']
        allowMethods: [GET, OPTIONS]
        allowHeaders: [x-header-1, x-header-2]
        exposeHeaders: [x-header-3, x-header-4]
        allowCredentials: true
        maxAge: 3600
    matches: [{path: {type: PathPrefix, value: /cors-1}}]
    backendRefs: [{name: svc1, port: 80}]"
	  route cors-wildcard-methods "  rules:
  - filters:
    - type: CORS
      cors: {allowOrigins: ['https://www.foo.com'], allowMethods: ['*']}
    matches: [{path: {type: PathPrefix, value: /cors-2}}]
    backendRefs: [{name: svc1, port: 80}]"
	  route cors-wildcard-origin "  rules:
  - filters:
    - type: CORS
      cors: {allowOrigins: ['*'], allowMethods: [PUT], allowCredentials: false}
    matches: [{path: {type: PathPrefix, value: /cors-wildcard-origin}}]
    backendRefs: [{name: svc1, port: 80}]"
	  route cors-wildcard-methods-headers "  rules:
  - filters:
    - type: CORS
      cors: {allowOrigins: ['*'], allowMethods: ['*'], allowHeaders: ['*'], allowCredentials: true}
    matches: [{path: {type: PathPrefix, value: /cors-wildcard-methods-headers}}]
    backendRefs: [{name: svc1, port: 80}]
  - filters:
    - type: CORS
      cors: {allowOrigins: ['*'], allowMethods: ['*'], allowHeaders: ['*'], allowCredentials: false}
    matches: [{path: {type: PathPrefix, value: /cors-wildcard-methods-headers-unauth}}]
    backendRefs: [{name: svc1, port: 80}]"; } | gw_load
	# req METHOD PATH [header...]: the response head, lower-cased names, no CR
	req()
	{
		local m=$1 p=$2 a=() h

		shift 2
		for h in "$@"; do a+=(-H "$h"); done
		hdrs=$(gcurl -D - -o /dev/null -X "$m" -H "Host: h" "${a[@]}" "$URL$p" | tr -d '\r' |
			sed 's/^\([^:]*\):/\L\1:/') || fail "curl $m $p"
		echo "== $m $p $*"; echo "$hdrs"
	}
	# want NAME VALUE...: the field NAME is present once with one of the
	# values (compared without whitespace, as IgnoreWhitespace does)
	want()
	{
		local name=$1 got v

		shift
		[ "$(grep -c "^$name:" <<<"$hdrs")" = 1 ] || fail "$name: not exactly one field"
		got=$(sed -n "s/^$name://p" <<<"$hdrs" | tr -d ' ')
		for v in "$@"; do
			[ "$got" = "${v// /}" ] && return 0
		done
		fail "$name: got '$got', want one of: $*"
	}
	absent() { grep -q "^$1:" <<<"$hdrs" && fail "$1 must be absent"; return 0; }
	status() { [[ " $* " == *" $(sed -n '1s/^HTTP\/[0-9.]* \([0-9]*\).*/\1/p' <<<"$hdrs") "* ]] ||
			fail "status $(head -1 <<<"$hdrs"), want one of $*"; }
	local o
	for o in https://www.foo.com https://www.bar.com https://xpto.www.bar.com; do
		req OPTIONS /cors-1 "Origin: $o" "access-control-request-method: GET" \
			"access-control-request-headers: x-header-1, x-header-2"
		status 200 204
		want access-control-allow-origin "$o"
		want access-control-allow-methods "GET, OPTIONS" "OPTIONS, GET"
		want access-control-allow-headers "x-header-1, x-header-2" "x-header-2, x-header-1"
		want access-control-expose-headers "x-header-3, x-header-4" "x-header-4, x-header-3"
		want access-control-max-age 3600
		want access-control-allow-credentials true
	done
	req OPTIONS /cors-1 "Origin: https://foobar.com" "access-control-request-method: GET"
	status 200 204 403
	absent access-control-allow-origin
	for o in https://www.foo.com https://www.bar.com; do
		req GET /cors-1 "Origin: $o" "access-control-request-method: GET" \
			"access-control-request-headers: x-header-1, x-header-2"
		status 200
		want access-control-allow-origin "$o"
	done
	req GET /cors-1 "Origin: https://foobar.com" "access-control-request-method: GET"
	absent access-control-allow-origin
	req OPTIONS /cors-2 "Origin: https://www.foo.com" "access-control-request-method: POST"
	status 200 204
	want access-control-allow-methods POST "*"
	want access-control-allow-origin https://www.foo.com
	absent access-control-allow-credentials
	for o in https://foobar.com https://foobar.com:12345; do
		req OPTIONS /cors-wildcard-origin "Origin: $o" "access-control-request-method: PUT"
		status 200 204
		want access-control-allow-origin "$o" "*"
		want access-control-allow-methods PUT
		absent access-control-allow-credentials
		req PUT /cors-wildcard-origin "Origin: $o"
		status 200
		want access-control-allow-origin "$o" "*"
	done
	absent access-control-allow-credentials
	req OPTIONS /cors-wildcard-methods-headers "Origin: https://other.foo.com" \
		"access-control-request-method: PUT" "access-control-request-headers: x-header-1, x-header-2"
	status 200 204
	want access-control-allow-origin https://other.foo.com
	want access-control-allow-methods PUT
	want access-control-allow-headers "x-header-1, x-header-2" "x-header-2, x-header-1"
	want access-control-allow-credentials true
	req OPTIONS /cors-wildcard-methods-headers-unauth "Origin: https://other.foo.com" \
		"access-control-request-method: PUT" "access-control-request-headers: x-header-1, x-header-2"
	status 200 204
	want access-control-allow-origin https://other.foo.com "*"
	want access-control-allow-methods PUT "*"
	want access-control-allow-headers "x-header-1, x-header-2" "x-header-2, x-header-1" "*"
	absent access-control-allow-credentials
	req GET /cors-wildcard-methods-headers "Origin: https://other.foo.com"
	status 200
	want access-control-allow-origin https://other.foo.com
	want access-control-allow-credentials true
	req GET /cors-wildcard-methods-headers-unauth "Origin: https://other.foo.com"
	status 200
	want access-control-allow-origin https://other.foo.com "*"
	absent access-control-allow-credentials
}

test_session_persistence()
{
	local jar="$GW_RUN_DIR/jar" first i p hdr tok

	gwd_setup 3
	{ cfg_head | sed "s/addresses: \[\"${BE4[1]}\"\]/addresses: [\"${BE4[1]}\", \"${BE4[2]}\", \"${BE4[3]}\"]/"
	  route sticky "  rules:
  - matches: [{path: {value: /c}}]
    sessionPersistence: {sessionName: sticky, type: Cookie}
    backendRefs: [{name: svc1, port: 80}]
  - matches: [{path: {value: /h}}]
    sessionPersistence: {sessionName: X-Session, type: Header}
    backendRefs: [{name: svc1, port: 80}]"; } | gw_load
	first=$(json_get "$(gcurl -c "$jar" -H "Host: h" "$URL/c")" .pod)
	grep -q sticky "$jar" || fail "no session cookie set"
	for i in $(seq 1 15); do
		p=$(json_get "$(gcurl -b "$jar" -H "Host: h" "$URL/c/$i")" .pod)
		assert_eq "cookie keeps the pod" "$first" "$p"
	done
	# without the cookie the pods rotate
	declare -A seen=()
	for i in $(seq 1 9); do
		seen[$(pod h "/c/$i")]=1
	done
	[ "${#seen[@]}" -ge 2 ] || fail "without a session all requests went to one pod"
	hdr=$(gcurl -D - -o /dev/null -H "Host: h" "$URL/h") || fail curl
	tok=$(sed -n 's/^[Xx]-[Ss]ession: \([^\r]*\).*/\1/p' <<<"$hdr")
	[ -n "$tok" ] || fail "no session header in $hdr"
	first=$(json_get "$(gcurl -H "Host: h" -H "X-Session: $tok" "$URL/h")" .pod)
	for i in $(seq 1 10); do
		assert_eq "header keeps the pod" "$first" \
			"$(json_get "$(gcurl -H "Host: h" -H "X-Session: $tok" "$URL/h/$i")" .pod)"
	done
	# a forged token is ignored, not trusted
	assert_eq "forged token" 200 "$(code h /h -H 'X-Session: 0.0.0.0.0000000000000000')"
}

# A backend that sends 103 Early Hints and chunked trailers (raw socket
# server): the interim response and the trailer section reach an HTTP/1.1
# client; the client's request trailers reach the backend.
test_interim_and_trailers()
{
	local out

	skip_if_missing python3
	gwd_setup 1
	cat >"$GW_RUN_DIR/rawbe.py" <<'EOF'
import socket
srv = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
srv.bind(("0.0.0.0", 8081))
srv.listen(16)
while True:
    c, _ = srv.accept()
    buf = b""
    while b"\r\n\r\n" not in buf:
        buf += c.recv(65536)
    head = buf.split(b"\r\n\r\n", 1)[0]
    if b"chunked" in head.lower():
        while not buf.endswith(b"\r\n\r\n") or buf.count(b"\r\n\r\n") < 2:
            buf += c.recv(65536)
    trailer = buf.split(b"\r\n0\r\n", 1)[1] if b"\r\n0\r\n" in buf else b""
    body = b"saw-trailers:" + trailer.replace(b"\r\n", b"|")
    c.sendall(b"HTTP/1.1 103 Early Hints\r\nLink: </s.css>; rel=preload\r\n\r\n"
              b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nTrailer: x-sum\r\n\r\n"
              b"%x\r\n%s\r\n0\r\nx-sum: 42\r\nSet-Cookie: s=1\r\nContent-Length: 9\r\n\r\n"
              % (len(body), body))
    c.close()
EOF
	start_background "${NS_BE[1]}" rawbe python3 "$GW_RUN_DIR/rawbe.py"
	wait_tcp "${NS_BE[1]}" "${BE4[1]}" 8081 || fail "raw backend did not start"
	{ cfg_head; service_yaml raw http 81 8081 "${BE4[1]}"
	route raw "  rules:
  - backendRefs: [{name: raw, port: 81}]"; } | gw_load
	out=$(ns_exec "$NS_CLI" python3 - <<'EOF'
import socket
s = socket.create_connection(("10.200.0.1", 80), timeout=10)
s.sendall(b"POST /t HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\nTE: trailers\r\n\r\n"
          b"2\r\nhi\r\n0\r\nx-client-sum: 7\r\nContent-Length: 99\r\nHost: evil\r\n"
          b"Transfer-Encoding: chunked\r\nX-Forwarded-For: 6.6.6.6\r\n\r\n")
buf = b""
while not buf.endswith(b"\r\n\r\n") or b"\r\n0\r\n" not in buf:
    d = s.recv(65536)
    if not d:
        break
    buf += d
print(buf.decode(errors="replace").replace("\r\n", "|"))
EOF
)
	_gw_msg "response: $out"
	[[ "$out" == "HTTP/1.1 103 Early Hints|Link: </s.css>; rel=preload||HTTP/1.1 200 OK|"* ]] ||
		fail "the 103 did not come first: $out"
	[[ "$out" == *"|0|x-sum: 42||" ]] || fail "the response trailer is missing: $out"
	# RFC 9110 6.5.1: framing, routing and gwd's own fields never travel as trailers
	[[ "$out" == *"saw-trailers:x-client-sum: 7||"* ]] ||
		fail "the backend did not get the request trailer alone: $out"
}

# Clients that leave while their request waits on a backend that never
# answers: each upstream connection closes with its client (as nginx does,
# proxy_ignore_client_abort off), not at --upstream-timeout.
test_client_abort_cancels_upstream()
{
	local i n pids=()

	skip_if_missing python3 ss
	gwd_setup 1 --upstream-timeout 120
	cat >"$GW_RUN_DIR/hangbe.py" <<'EOF'
import socket
srv = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
srv.bind(("0.0.0.0", 8081))
srv.listen(256)
held = []
while True:
    c, _ = srv.accept()
    held.append(c)   # read nothing, answer nothing, close nothing
EOF
	start_background "${NS_BE[1]}" hangbe python3 "$GW_RUN_DIR/hangbe.py"
	wait_tcp "${NS_BE[1]}" "${BE4[1]}" 8081 || fail "hanging backend did not start"
	{ cfg_head; service_yaml hang http 81 8081 "${BE4[1]}"
	route hang "  rules:
  - backendRefs: [{name: hang, port: 81}]"; } | gw_load
	for ((i = 0; i < 50; i++)); do
		# nsenter execs curl: $! is the client itself (ns_exec would fork a subshell)
		nsenter --net="/run/netns/$NS_CLI" -- curl -s -o /dev/null -m 60 -H "Host: h" \
			"$URL/hang/$i" &
		pids+=($!)
	done
	sleep 1
	n=$(ns_exec "$NS_GW" ss -Htn state established "dst ${BE4[1]}:8081" | wc -l)
	assert_eq "upstream connections while the clients wait" 50 "$n"
	kill -9 "${pids[@]}" 2>/dev/null
	wait "${pids[@]}" 2>/dev/null
	# the clients are gone: none of their connections to gwd is established
	assert_eq "client connections after the kill" 0 \
		"$(ns_exec "$NS_GW" ss -Htn state established "sport = :80" | wc -l)"
	for ((i = 0; i < 20; i++)); do
		n=$(ns_exec "$NS_GW" ss -Htn state established "dst ${BE4[1]}:8081" | wc -l)
		[ "$n" -eq 0 ] && break
		sleep 0.1
	done
	_gw_msg "upstream connections $((i * 100)) ms after the clients left: $n"
	assert_eq "upstream connections 2 s after the clients left" 0 "$n"
}

test_http1_semantics()
{
	local out

	skip_if_missing python3
	gwd_setup 1
	{ cfg_head; route any "  rules:
  - backendRefs: [{name: svc1, port: 80}]"; } | gw_load
	# pipelining, bodies (length, chunked), bad requests, all over raw sockets
	out=$(ns_exec "$NS_CLI" python3 - 10.200.0.1 <<'EOF'
import socket, sys, re, os
host = sys.argv[1]
def talk(data, timeout=5):
    s = socket.create_connection((host, 80), timeout=timeout)
    s.sendall(data)
    out = b''
    try:
        while True:
            d = s.recv(65536)
            if not d: break
            out += d
    except socket.timeout:
        pass
    s.close()
    return out
r = talk(b'GET /1 HTTP/1.1\r\nHost: h\r\n\r\nPOST /2 HTTP/1.1\r\nHost: h\r\nContent-Length: 5\r\n\r\nhello'
         b'GET /3 HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n')
print("pipelined", re.findall(rb'"path":"([^"]*)"', r), re.findall(rb'"body_len":(\d+)', r))
body = os.urandom(200000)
chunks = b''.join(b'%x\r\n' % len(body[i:i+7000]) + body[i:i+7000] + b'\r\n' for i in range(0, len(body), 7000))
r = talk(b'POST /c HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n' + chunks + b'0\r\n\r\n')
print("chunked", re.findall(rb'"body_len":(\d+)', r))
r = talk(b'POST /e HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\nExpect: 100-continue\r\nConnection: close\r\n\r\nabc')
print("expect", r.count(b'100 Continue'), re.findall(rb'"body_len":(\d+)', r))
for name, req in [("dupcl", b'POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 1\r\nContent-Length: 1\r\n\r\na'),
                  ("clte", b'POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 1\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n'),
                  ("fold", b'GET / HTTP/1.1\r\nHost: h\r\nX: a\r\n b\r\n\r\n'),
                  ("barelf", b'GET / HTTP/1.1\nHost: h\n\n'),
                  ("te", b'POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: gzip, chunked\r\n\r\n'),
                  ("long", b'GET /' + b'a' * 9000 + b' HTTP/1.1\r\nHost: h\r\n\r\n'),
                  ("big", b'GET / HTTP/1.1\r\nHost: h\r\nX: ' + b'a' * 40000 + b'\r\n\r\n'),
                  ("nohost", b'GET / HTTP/1.1\r\n\r\n')]:
    print(name, talk(req).split(b'\r\n')[0].decode())
EOF
) || fail "python client failed"
	echo "$out"
	grep -q "pipelined \[b'/1', b'/2', b'/3'\] \[b'0', b'5', b'0'\]" <<<"$out" || fail pipelining
	grep -q "chunked \[b'200000'\]" <<<"$out" || fail "chunked body"
	grep -q "expect 1 \[b'3'\]" <<<"$out" || fail "100-continue"
	grep -q "dupcl HTTP/1.1 400" <<<"$out" || fail dupcl
	grep -q "clte HTTP/1.1 400" <<<"$out" || fail clte
	grep -q "fold HTTP/1.1 400" <<<"$out" || fail fold
	grep -q "barelf HTTP/1.1 400" <<<"$out" || fail barelf
	grep -q "te HTTP/1.1 501" <<<"$out" || fail te
	grep -q "long HTTP/1.1 414" <<<"$out" || fail long
	grep -q "big HTTP/1.1 431" <<<"$out" || fail big
	grep -q "nohost HTTP/1.1 400" <<<"$out" || fail nohost
	# HEAD, and a 1 MB response streamed back
	assert_eq HEAD 200 "$(code h /head -I)"
	out=$(gcurl -H "Host: h" -o /dev/null -w '%{size_download}' --data-binary @<(head -c 1000000 /dev/zero) "$URL/big")
	[ "$out" -gt 0 ] || fail "1 MB upload"
}

test_websocket()
{
	local out

	skip_if_missing python3
	gwd_setup 1
	# a WebSocket-ish backend on 9000: 101 to an Upgrade, then upper-cases bytes
	start_background "${NS_BE[1]}" ws python3 -c '
import socket, threading
srv = socket.socket(socket.AF_INET6)
srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
srv.bind(("::", 9000)); srv.listen(16)
def serve(c):
    head = b""
    while b"\r\n\r\n" not in head:
        d = c.recv(4096)
        if not d: return
        head += d
    if b"upgrade: websocket" not in head.lower():
        c.sendall(b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n"); c.close(); return
    c.sendall(b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n")
    while True:
        d = c.recv(4096)
        if not d: break
        c.sendall(d.upper())
    c.close()
while True:
    c, _ = srv.accept()
    threading.Thread(target=serve, args=(c,), daemon=True).start()
'
	check_run wait_tcp "${NS_BE[1]}" "$BE4_1" 9000
	{ cfg_head | sed 's/port: 8080, protocol: TCP/port: 9000, protocol: TCP/'
	  route ws "  rules:
  - backendRefs: [{name: svc1, port: 80}]"; } | gw_load
	out=$(ns_exec "$NS_CLI" python3 -c '
import socket, sys
s = socket.create_connection((sys.argv[1], 80), timeout=5)
s.sendall(b"GET /chat HTTP/1.1\r\nHost: h\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n"
          b"Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n")
head = b""
while b"\r\n\r\n" not in head:
    head += s.recv(4096)
print(head.split(b"\r\n")[0].decode())
for msg in (b"hello", b"through", b"the tunnel" * 1000):
    s.sendall(msg)
    got = b""
    while len(got) < len(msg):
        got += s.recv(65536)
    print("echo ok" if got == msg.upper() else "echo mismatch")
s.close()
' 10.200.0.1) || fail "websocket client failed"
	echo "$out"
	grep -q "^HTTP/1.1 101" <<<"$out" || fail "no 101"
	assert_eq "tunnelled messages" 3 "$(grep -c 'echo ok' <<<"$out")"
}

# gw_addrs_cfg ADDRESSES: cfg_head with spec.addresses ADDRESSES, and a route to be1.
gw_addrs_cfg()
{
	GW_ADDRESSES=$1 cfg_head
	route web "  rules:
  - backendRefs: [{name: svc1, port: 80}]"
}

# gw_jp TEMPLATE: gwctl get gateway gw -o jsonpath=TEMPLATE
gw_jp()
{
	ns_exec "$NS_GW" "$GWCTL" get gateway gw -n demo -o "jsonpath=$1" --state-dir "$STATE"
}

# gw_cond TYPE: STATUS/REASON of the Gateway's condition TYPE
gw_cond()
{
	gw_jp "{.status.conditions[?(@.type==\"$1\")].status}/{.status.conditions[?(@.type==\"$1\")].reason}"
}

# Issue 9: the steps of conformance GatewayStaticAddresses (v1.6.1) and
# GatewayAddressEmpty, on the wire: an unsupported address type is
# Accepted=False/UnsupportedAddress; an address no interface of the node has
# is Programmed=False/AddressNotUsable and left out of status.addresses;
# the usable one alone is Programmed and serves; an entry without a value is
# assigned one of the node's addresses, and that address serves.
test_gateway_static_addresses()
{
	local a

	gwd_setup 1
	gw_addrs_cfg '[{type: test/fake-invalid-type, value: "fake address"}, {value: 203.0.113.9}, {value: 10.200.0.1}]' |
		gw_load
	assert_eq "invalid type" False/UnsupportedAddress "$(gw_cond Accepted)"
	gw_addrs_cfg '[{value: 203.0.113.9}, {value: 10.200.0.1}]' | gw_load
	assert_eq "accepted once the invalid address is gone" True/Accepted "$(gw_cond Accepted)"
	assert_eq "unusable address" False/AddressNotUsable "$(gw_cond Programmed)"
	assert_eq "unusable address not in status" 10.200.0.1 "$(gw_jp '{.status.addresses[*].value}')"
	gw_addrs_cfg '[{value: 10.200.0.1}]' | gw_load
	assert_eq "usable address programmed" True/Programmed "$(gw_cond Programmed)"
	assert_eq "status address" IPAddress/10.200.0.1 \
		"$(gw_jp '{.status.addresses[0].type}/{.status.addresses[0].value}')"
	assert_eq "served at its address" be1 \
		"$(json_get "$(gcurl "http://$(gw_jp '{.status.addresses[0].value}')/s")" .pod)"
	# GatewayAddressEmpty: {type: IPAddress} without a value
	gw_addrs_cfg '[{type: IPAddress}]' | gw_load
	a=$(gw_jp '{.status.addresses[0].value}')
	[ -n "$a" ] || fail "no address assigned to an entry without a value"
	ns_exec "$NS_GW" ip -o addr show | grep -qF " $a/" || fail "assigned $a is not the node's"
	assert_eq "assigned address programmed" True/Programmed "$(gw_cond Programmed)"
	assert_eq "served at the assigned address" be1 \
		"$(json_get "$(ns_exec "$NS_GW" curl -sS -g --noproxy '*' -m 10 "http://$a/e")" .pod)"
}

test_admin_and_log()
{
	local m cfg

	gwd_setup 1 --access-log "$GW_RUN_DIR/access.log"
	{ cfg_head; route web "  rules:
  - matches: [{method: GET}]
    backendRefs: [{name: svc1, port: 80}]"; } | gw_load
	assert_eq ok 200 "$(code h /x)"
	assert_eq miss 404 "$(code h /x -X DELETE)"
	sleep 1.2
	m=$(ns_exec "$NS_GW" curl -sS http://127.0.0.1:9901/metrics) || fail "metrics"
	grep -q 'gwd_requests_total{route="demo/web",rule="0",backend="demo/svc1:80",code_class="2xx"} [1-9]' <<<"$m" ||
		fail "per-route counter missing: $(grep requests_total <<<"$m")"
	grep -q 'gwd_request_duration_seconds_bucket{route="demo/web"' <<<"$m" || fail "histogram"
	assert_eq ready 200 "$(ns_exec "$NS_GW" curl -sS -o /dev/null -w '%{http_code}' http://127.0.0.1:9901/ready)"
	cfg=$(ns_exec "$NS_GW" curl -sS http://127.0.0.1:9901/config) || fail config
	assert_eq "config route" demo/web "$(json_get "$cfg" '.rules[0].route')"
	assert_eq "config endpoint" "$BE4_1:8080" "$(json_get "$cfg" '.rules[0].backends[0].endpoints[0]')"
	grep -q '"status":200' "$GW_RUN_DIR/access.log" || fail "access log: $(cat "$GW_RUN_DIR/access.log")"
	jq -e . "$GW_RUN_DIR/access.log" >/dev/null || fail "access log is not JSON lines"
}

test_reload_under_load()
{
	local out i

	skip_if_missing wrk
	gwd_setup 2
	{ cfg_head; route web "  rules:
  - backendRefs: [{name: svc1, port: 80}]"; } >"$GW_RUN_DIR/a.yaml"
	{ cfg_head; route web "  rules:
  - backendRefs: [{name: svc2, port: 80}]"; route extra "  hostnames: [extra.example]
  rules:
  - backendRefs: [{name: svc1, port: 80}]"; } >"$GW_RUN_DIR/b.yaml"
	ns_exec "$NS_GW" "$GWCTL" load -q -f "$GW_RUN_DIR/a.yaml" --state-dir "$STATE" || fail load
	# a slow answer on this busy 2-CPU box is not a failure: --timeout 10s
	ns_exec "$NS_CLI" wrk -t2 -c32 -d8s --timeout 10s -H "Host: h" "$URL/" >"$GW_RUN_DIR/wrk.out" 2>&1 &
	local wrk=$!
	sleep 0.5
	for i in $(seq 1 12); do
		ns_exec "$NS_GW" "$GWCTL" load -q -f "$GW_RUN_DIR/$([ $((i % 2)) = 1 ] && echo b || echo a).yaml" \
			--state-dir "$STATE" || fail "reload $i failed"
		sleep 0.4
	done
	wait "$wrk"
	out=$(cat "$GW_RUN_DIR/wrk.out")
	echo "$out"
	grep -q 'Requests/sec' <<<"$out" || fail "wrk did not run"
	grep -q 'Non-2xx' <<<"$out" && fail "non-2xx responses during reloads"
	grep -q 'Socket errors' <<<"$out" && fail "socket errors during reloads"
	grep -q 'GET /' "$(bg_log be1)" || fail "be1 never served"
	grep -q 'GET /' "$(bg_log be2)" || fail "be2 never served (reloads had no effect)"
	# generation 1 is the empty start, 2 the first load, then 12 reloads
	assert_eq "generation" 14 "$(ns_exec "$NS_GW" curl -sS http://127.0.0.1:9901/config | jq .generation)"
}

test_gwd_restart_and_status()
{
	local st

	gwd_setup 1
	{ cfg_head; route web "  rules:
  - backendRefs: [{name: svc1, port: 80}]"; } | gw_load
	st=$(ns_exec "$NS_GW" "$GWCTL" status --state-dir "$STATE")
	echo "$st"
	grep -q 'listener http HTTP/80 tier=gwd: 1 route; Accepted Programmed' <<<"$st" ||
		fail "listener not Programmed while gwd serves it"
	grep -q '^gwd: running, route table generation' <<<"$st" || fail "gwd not reported: $st"
	stop_background gwd || fail "gwd had died"
	assert_eq "down" 000 "$(code h / 2>/dev/null)"
	# the stored status is as of the last load: status asks gwd itself too
	st=$(ns_exec "$NS_GW" "$GWCTL" status --state-dir "$STATE")
	echo "$st"
	grep -q '^gwd: not running' <<<"$st" || fail "gwd still reported running: $st"
	grep -q 'not served now, though Programmed at the last load: gwd is not running' \
		<<<"$st" || fail "the listener still looks served: $st"
	# loading while gwd is down: persisted, and status says why it is not programmed
	{ cfg_head; route web "  rules:
  - backendRefs: [{name: svc1, port: 80}]"; route two "  hostnames: [two.example]
  rules:
  - backendRefs: [{name: svc1, port: 80}]"; } >"$GW_RUN_DIR/two.yaml"
	out=$(ns_exec "$NS_GW" "$GWCTL" load -f "$GW_RUN_DIR/two.yaml" --state-dir "$STATE" 2>&1) ||
		fail "load without gwd must succeed"
	grep -q "gwd is not running" <<<"$out" || fail "no notice: $out"
	st=$(ns_exec "$NS_GW" "$GWCTL" status --state-dir "$STATE")
	grep -q "gwd is not running" <<<"$st" || fail "status: $st"
	# restart: it serves the persisted config, including what was loaded meanwhile
	gwd_start
	local i
	for ((i = 0; i < 50; i++)); do
		[ "$(code two.example / 2>/dev/null)" = 200 ] && break
		sleep 0.1
	done
	assert_eq "after restart" 200 "$(code two.example /)"
}

# gwd restarts while the XDP tier keeps load-balancing TCP: both tiers from
# one `gwctl load` (examples/tcp.yaml plus an HTTPRoute on its HTTP listener).
test_restart_l4_keeps_working()
{
	local xdp_pass="$REPO/.output/tests/bpf/xdp_pass.bpf.o" i ifs pod

	skip_if_missing curl ethtool "$GWD"
	[ -f "$xdp_pass" ] || skip "XDP tier not built: $xdp_pass"
	topo_create 3
	PIN="/sys/fs/bpf/gwt-$GW_RUN_ID"
	trap 'ns_exec "$NS_GW" "$GWCTL" unload --pin-dir "$PIN" >/dev/null 2>&1; rm -rf "$PIN"; cleanup_tests $?' EXIT
	# XDP redirects into the far ends' veths: they need an XDP program to take frames
	check_run ns_exec "$NS_CLI" ip link set dev "$CLI_IF" xdpdrv obj "$xdp_pass" sec xdp
	check_run ns_exec "$NS_GW" ip addr add "$VIP4/32" dev lo
	ifs="--iface $GW_CLI_IF"
	for ((i = 1; i <= 3; i++)); do
		check_run ns_exec "${NS_BE[i]}" ip link set dev "$BE_IF" xdpdrv obj "$xdp_pass" sec xdp
		start_echo "${NS_BE[i]}" "be$i" --namespace xdp --listen "[::]:8080"
		ifs+=" --iface ${GW_BE_IF[i]}"
	done
	STATE="$GW_RUN_DIR/state"
	mkdir -p "$STATE"
	gwd_start
	{ cat "$REPO/examples/tcp.yaml"; cat <<EOF
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: web}
spec:
  parentRefs: [{name: l4, sectionName: http}]
  rules: [{backendRefs: [{name: echo-1, port: 8080}]}]
EOF
	} >"$GW_RUN_DIR/both.yaml"
	# shellcheck disable=SC2086
	check_run ns_exec "$NS_GW" "$GWCTL" load -q -f "$GW_RUN_DIR/both.yaml" $ifs \
		--pin-dir "$PIN" --state-dir "$STATE"
	pod=$(json_get "$(gcurl "http://$VIP4/l7")" .pod)
	assert_eq "HTTP through gwd on the Gateway address" be1 "$pod"
	pod=$(json_get "$(gcurl "http://$VIP4:8080/l4")" .pod)
	[[ "$pod" == be[123] ]] || fail "TCP through XDP failed: '$pod'"
	# XDP serves the L4 listeners where it is attached: gwd leaves them alone
	_gw_listening "$NS_GW" tcp "$VIP4" 8080 && fail "gwd binds the TCP listener XDP serves"
	ns_exec "$NS_GW" "$GWCTL" status --state-dir "$STATE" --pin-dir "$PIN" |
		grep -q 'listener tcp TCP/8080 tier=xdp: 1 route; Accepted Programmed' ||
		fail "TCP listener not on the XDP tier"
	stop_background gwd || fail "gwd had died"
	assert_eq "HTTP is down with gwd" 000 "$(gcurl -o /dev/null -w '%{http_code}' "http://$VIP4/" 2>/dev/null)"
	for i in 1 2 3 4 5 6; do
		pod=$(json_get "$(gcurl "http://$VIP4:8080/l4-$i")" .pod)
		[[ "$pod" == be[123] ]] || fail "TCP through XDP failed while gwd was down: '$pod'"
	done
	echo "  pass: TCP kept working through XDP while gwd was down"
	gwd_start
	for ((i = 0; i < 50; i++)); do
		[ "$(gcurl -o /dev/null -w '%{http_code}' "http://$VIP4/" 2>/dev/null)" = 200 ] && break
		sleep 0.1
	done
	pod=$(json_get "$(gcurl "http://$VIP4/back")" .pod)
	assert_eq "HTTP again after the restart (persisted state)" be1 "$pod"
}

test_sigterm_drain()
{
	local pidc out

	gwd_setup 1
	{ cfg_head; route web "  rules:
  - backendRefs: [{name: svc1, port: 80}]"; } | gw_load
	# an in-flight request of 1.5 s finishes although gwd is told to stop
	gcurl -H "Host: h" -o "$GW_RUN_DIR/slow.out" -w '%{http_code}' "$URL/delay/1500" \
		>"$GW_RUN_DIR/slow.code" &
	pidc=$!
	sleep 0.4
	kill -TERM "$(bg_pid gwd)"
	sleep 0.2
	assert_eq "new connections refused while draining" 000 "$(code h / 2>/dev/null)"
	wait "$pidc"
	assert_eq "in-flight request completed" 200 "$(cat "$GW_RUN_DIR/slow.code")"
	for ((i = 0; i < 50; i++)); do
		bg_running gwd || break
		sleep 0.1
	done
	bg_running gwd && fail "gwd did not exit after draining"
	grep -q "gwd stopped" "$(bg_log gwd)" || fail "no clean stop in the log"
}

# docs/limits.md: 36000 generated routes are within a user's file limits
# (2.0 Mi YAML nodes of 4 Mi) but their stored form, the staged file gwd
# reloads (objects with defaults and status), has 4.2 Mi nodes. gwd used to
# parse it with the user-file budget and refuse "document too large" at a
# line of the staged copy; now state files have their own limits, which
# gwctl checks while staging, so what gwctl accepts gwd serves.
test_large_config_stored_form()
{
	local f="$GW_RUN_DIR/large.yaml" out

	gwd_setup 1
	"$REPO/tools/bench/gen-routes.py" 36000 --port 80 --backend "${BE4[1]}:8080" --extra 1 >"$f"
	out=$(ns_exec "$NS_GW" "$GWCTL" load -q -f "$f" --state-dir "$STATE" 2>&1) ||
		fail "gwctl load of 36000 routes failed: $out"
	assert_eq "the route that only this file has" 200 "$(code route-extra-1.bench.example /)"
	assert_eq "the last generated route" 200 "$(code route-35999.bench.example /api)"
}
