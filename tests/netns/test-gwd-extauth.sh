# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# shellcheck shell=bash
#
# gwd's HTTPRoute ExternalAuth filter (protocol HTTP) end to end: a real
# authorization service (tests/netns/extauth_server.py, python3) in backend
# namespace 2 (Service svc2), gw-echo as the application in backend
# namespace 1 (Service svc1), curl from the client namespace over HTTP/1.1
# and HTTP/2 (prior knowledge). Asserts on what the client got, on what the
# authorization service saw (its JSON lines) and on what the application saw
# (gw-echo's JSON). Sourced by run.sh.

# gwd_setup, cfg_head, gw_load, route, gcurl and json_get come from there
# shellcheck source=tests/netns/test-gwd.sh
source "$(dirname "${BASH_SOURCE[0]}")/test-gwd.sh"

# shellcheck disable=SC2034 # read by run.sh
ALL_TESTS="test_extauth_http test_extauth_forward_body test_extauth_fail_closed"

AUTH_PY="$(dirname "${BASH_SOURCE[0]}")/extauth_server.py"

# extauth_setup: gw-echo be1 (Service svc1) is the application; the
# authorization service replaces gw-echo be2, so Service svc2 port 80 is it.
extauth_setup()
{
	skip_if_missing python3 jq
	gwd_setup 2
	stop_background be2
	start_background "${NS_BE[2]}" auth python3 -u "$AUTH_PY" 8080
	wait_tcp "${NS_BE[2]}" "${BE4[2]}" 8080 || fail "the authorization service did not start"
}

# auth_seen N: the Nth request the authorization service received (JSON), 1 = first.
auth_seen()
{
	grep '^{' "$(bg_log auth)" | sed -n "${1}p"
}

auth_count()
{
	grep -c '^{' "$(bg_log auth)"
}

test_extauth_http()
{
	local out seen hdrs body

	extauth_setup
	{ cfg_head; route web "  rules:
  - matches: [{path: {value: /api}}]
    filters:
    - type: ExternalAuth
      externalAuth:
        protocol: HTTP
        backendRef: {name: svc2, port: 80}
        http: {path: /check, allowedHeaders: [X-Tenant, X_Tenant], allowedResponseHeaders: [x-auth-user]}
    backendRefs: [{name: svc1, port: 80}]
  - matches: [{path: {value: /plain}}]
    backendRefs: [{name: svc2, port: 80}]"; } | gw_load

	# the admin endpoint shows the filter and its authorization service
	out=$(ns_exec "$NS_GW" curl -sS -m 5 http://127.0.0.1:9901/config) || fail "admin /config"
	assert_eq "admin: filter" ExternalAuth "$(json_get "$out" '.rules[0].filters[0]')"
	assert_eq "admin: service" "demo/svc2:80 ok ${BE4[2]}:8080" "$(json_get "$out" \
		'.rules[0].externalAuth | "\(.name) \(.state) \(.endpoints[0])"')"

	# allowed: the backend sees the field the authorization service added
	out=$(gcurl -H "Host: h" -H "Authorization: Bearer good" -H "X-Tenant: t1" \
		-H "X_Tenant: shadow" -H "X-Secret: s" "$URL/api/items?q=1") ||
		fail "allowed request failed"
	echo "$out"
	assert_eq "allowed reaches the backend" be1 "$(json_get "$out" .pod)"
	assert_eq "backend path untouched" "/api/items?q=1" "$(json_get "$out" .path)"
	assert_eq "allowed response header copied" alice "$(json_get "$out" '.headers["x-auth-user"]')"
	assert_eq "unlisted response header not copied" null \
		"$(json_get "$out" '.headers["x-auth-request-path"]')"
	assert_eq "client Authorization still forwarded" "Bearer good" \
		"$(json_get "$out" '.headers.authorization')"
	# what the authorization service saw
	seen=$(auth_seen 1)
	echo "auth saw: $seen"
	assert_eq "auth method" GET "$(json_get "$seen" .method)"
	assert_eq "auth path: prefix + path + query" "/check/api/items?q=1" "$(json_get "$seen" .path)"
	assert_eq "auth Host" h "$(json_get "$seen" .headers.host)"
	assert_eq "auth Authorization" "Bearer good" "$(json_get "$seen" .headers.authorization)"
	assert_eq "auth allowed header" t1 "$(json_get "$seen" '.headers["x-tenant"]')"
	assert_eq "auth unlisted header" null "$(json_get "$seen" '.headers["x-secret"]')"
	# issue 10 item 7: a '_' name is dropped for the authorization service too,
	# even where allowedHeaders names it (WSGI would read it as X-Tenant)
	assert_eq "auth '_' header dropped" null "$(json_get "$seen" '.headers["x_tenant"]')"
	assert_eq "auth Content-Length 0 without forwardBody" 0 \
		"$(json_get "$seen" '.headers["content-length"]')"

	# denied: the client gets the service's status, fields and body; the backend nothing
	hdrs="$GW_RUN_DIR/deny.hdrs"
	body=$(gcurl -D "$hdrs" -H "Host: h" "$URL/api/denied") || fail "denied request failed"
	cat "$hdrs"
	assert_eq "401 relayed" 401 "$(awk 'NR==1{print $2}' "$hdrs")"
	assert_eq "denial body relayed" "denied by the auth service" "$body"
	grep -qi '^www-authenticate: Bearer realm="xdpgw-test"' "$hdrs" ||
		fail "WWW-Authenticate not relayed"
	body=$(gcurl -D "$hdrs" -H "Host: h" -H "Authorization: Bearer forbidden" "$URL/api/denied") ||
		fail "forbidden request failed"
	assert_eq "403 relayed" 403 "$(awk 'NR==1{print $2}' "$hdrs")"
	assert_eq "403 body relayed" "forbidden by the auth service" "$body"
	grep -qi '^x-deny-reason: policy' "$hdrs" || fail "denial field not relayed"
	grep -q 'GET /api/denied' "$(bg_log be1)" && fail "a denied request reached the backend"

	# HTTP/2 clients take the same path
	out=$(gcurl --http2-prior-knowledge -H "Authorization: Bearer good" "http://h/api/h2" \
		--connect-to "h:80:10.200.0.1:80") || fail "HTTP/2 allowed request failed"
	assert_eq "h2 allowed" alice "$(json_get "$out" '.headers["x-auth-user"]')"
	assert_eq "h2 backend path" /api/h2 "$(json_get "$out" .path)"
	body=$(gcurl --http2-prior-knowledge -D "$hdrs" "http://h/api/h2" \
		--connect-to "h:80:10.200.0.1:80") || fail "HTTP/2 denied request failed"
	assert_eq "h2 401" "HTTP/2 401" "$(awk 'NR==1{print $1" "$2}' "$hdrs")"
	assert_eq "h2 denial body" "denied by the auth service" "$body"
	# denials are the rule's outcomes, not the backend's
	out=$(ns_exec "$NS_GW" curl -sS -m 5 http://127.0.0.1:9901/metrics) || fail "admin /metrics"
	assert_eq "denials counted before a backend" 3 "$(sed -n \
		's/^gwd_requests_total{route="demo\/web",rule="0",backend="",code_class="4xx"} //p' \
		<<<"$out")"
	grep -q 'backend="demo/svc1:80",code_class="4xx"' <<<"$out" &&
		fail "denials counted as the backend's"
	# each client request asked the authorization service exactly once
	assert_eq "requests the auth service saw" 5 "$(auth_count)"
	# its empty 200 (Content-Length: 0) as a plain backend ends without waiting
	assert_eq "empty 200 from a backend, at once" 200 \
		"$(code h /plain -m 2 -H "Authorization: Bearer good")"
	# an allowedResponseHeaders name is the service's: a client cannot forge it
	out=$(gcurl -H "Host: h" -H "Authorization: Bearer good" -H "X-Auth-User: mallory" \
		"$URL/api/forged") || fail "forged request failed"
	assert_eq "forged field replaced" alice "$(json_get "$out" '.headers["x-auth-user"]')"
	out=$(gcurl -H "Host: h" -H "Authorization: Bearer quiet" -H "X-Auth-User: mallory" \
		"$URL/api/forged") || fail "forged request failed"
	assert_eq "forged field dropped when the answer has none" null \
		"$(json_get "$out" '.headers["x-auth-user"]')"
}

test_extauth_forward_body()
{
	local out seen

	extauth_setup
	{ cfg_head; route web "  rules:
  - filters:
    - type: ExternalAuth
      externalAuth:
        protocol: HTTP
        backendRef: {name: svc2, port: 80}
        http: {}
        forwardBody: {maxSize: 16}
    backendRefs: [{name: svc1, port: 80}]
  - matches: [{path: {value: /large}}]
    filters:
    - type: ExternalAuth
      externalAuth:
        protocol: HTTP
        backendRef: {name: svc2, port: 80}
        http: {}
        forwardBody: {maxSize: 200000}
    backendRefs: [{name: svc1, port: 80}]"; } | gw_load

	out=$(gcurl -H "Host: h" -H "Authorization: Bearer good" -d "hello=world" "$URL/up") ||
		fail "POST with a body failed"
	echo "$out"
	assert_eq "backend got the body" 11 "$(json_get "$out" .body_len)"
	# no allowedResponseHeaders: every field of the answer but Host is copied
	assert_eq "all response fields copied" /up "$(json_get "$out" '.headers["x-auth-request-path"]')"
	seen=$(auth_seen 1)
	echo "auth saw: $seen"
	assert_eq "auth got the body" "hello=world" "$(json_get "$seen" .body)"
	assert_eq "auth Content-Length is what was sent" 11 "$(json_get "$seen" '.headers["content-length"]')"
	# chunked from the client: the authorization service gets it decoded, with a length
	out=$(printf 'abcdefgh' | gcurl -H "Host: h" -H "Authorization: Bearer good" \
		-H "Transfer-Encoding: chunked" --data-binary @- "$URL/chunked") ||
		fail "chunked POST failed"
	assert_eq "chunked body to the backend" 8 "$(json_get "$out" .body_len)"
	seen=$(auth_seen 2)
	assert_eq "auth got the chunked body decoded" abcdefgh "$(json_get "$seen" .body)"
	assert_eq "auth chunked Content-Length" 8 "$(json_get "$seen" '.headers["content-length"]')"
	# Expect: 100-continue: gwd asks for the body itself (curl would wait 5 s)
	out=$(gcurl -m 3 --expect100-timeout 5 -H "Host: h" -H "Authorization: Bearer good" \
		-H "Expect: 100-continue" -d "0123456789" "$URL/expect") ||
		fail "Expect: 100-continue with forwardBody stalled"
	assert_eq "body after 100-continue" 10 "$(json_get "$out" .body_len)"
	assert_eq "auth got it" 0123456789 "$(json_get "$(auth_seen 3)" .body)"
	# over forwardBody.maxSize: 413, and neither the service nor the backend is asked
	assert_eq "body over maxSize" 413 \
		"$(code h /big -H "Authorization: Bearer good" -d "0123456789abcdefX")"
	assert_eq "chunked body over maxSize" 413 "$(printf '0123456789abcdefX' | code h /big \
		-H "Authorization: Bearer good" -H "Transfer-Encoding: chunked" --data-binary @-)"
	assert_eq "the service was not asked about bodies over maxSize" 3 "$(auth_count)"
	grep -q 'POST /big' "$(bg_log be1)" && fail "a body over maxSize reached the backend"
	# a maxSize beyond the 64 KiB gwd holds for retries is held in full
	head -c 150000 /dev/zero | tr '\0' a >"$GW_RUN_DIR/large"
	out=$(gcurl -H "Host: h" -H "Authorization: Bearer good" \
		--data-binary @"$GW_RUN_DIR/large" "$URL/large/x") || fail "150000-byte POST failed"
	assert_eq "large body to the backend" 150000 "$(json_get "$out" .body_len)"
	assert_eq "large body to the auth service" 150000 "$(json_get "$(auth_seen 4)" '.body | length')"
	head -c 200001 /dev/zero | tr '\0' a >"$GW_RUN_DIR/large"
	assert_eq "large body over maxSize" 413 "$(code h /large/y -H "Authorization: Bearer good" \
		--data-binary @"$GW_RUN_DIR/large")"
	assert_eq "large chunked body over maxSize" 413 "$(code h /large/z \
		-H "Authorization: Bearer good" -H "Transfer-Encoding: chunked" \
		--data-binary @"$GW_RUN_DIR/large")"
	return 0
}

test_extauth_fail_closed()
{
	extauth_setup
	{ cfg_head; route web "  rules:
  - matches: [{path: {value: /api}}]
    filters:
    - type: ExternalAuth
      externalAuth: {protocol: HTTP, backendRef: {name: svc2, port: 80}, http: {}}
    backendRefs: [{name: svc1, port: 80}]
  - matches: [{path: {value: /missing}}]
    filters:
    - type: ExternalAuth
      externalAuth: {protocol: HTTP, backendRef: {name: nosuch, port: 9000}, http: {}}
    backendRefs: [{name: svc1, port: 80}]
  - matches: [{path: {value: /backend-filter}}]
    backendRefs:
    - name: svc1
      port: 80
      filters:
      - type: ExternalAuth
        externalAuth: {protocol: HTTP, backendRef: {name: svc2, port: 80}, http: {}}
  - matches: [{path: {value: /slow}}]
    filters:
    - type: ExternalAuth
      externalAuth: {protocol: HTTP, backendRef: {name: svc2, port: 80}, http: {}}
    backendRefs: [{name: svc1, port: 80}]
    timeouts: {request: 300ms}
  - matches: [{path: {value: /grpc}}]
    filters:
    - type: ExternalAuth
      externalAuth: {protocol: GRPC, backendRef: {name: svc2, port: 80}, grpc: {}}
    backendRefs: [{name: svc1, port: 80}]"; } | gw_load

	assert_eq "service up: allowed" 200 "$(code h /api/a -H "Authorization: Bearer good")"
	# a backendRef's ExternalAuth filter asks too
	assert_eq "backendRef filter: allowed" 200 \
		"$(code h /backend-filter -H "Authorization: Bearer good")"
	assert_eq "backendRef filter: denied" 401 "$(code h /backend-filter)"
	# timeouts.request ends the request while the authorization service is
	# still thinking: 504, the sub-request is dropped, its late 200 goes nowhere
	assert_eq "request timeout during the authorization" 504 \
		"$(code h /slow -H "Authorization: Bearer slow")"
	sleep 1
	grep -q 'GET /slow' "$(bg_log be1)" && fail "a timed-out request reached the backend"
	assert_eq "still serving after dropped sub-requests" 200 \
		"$(code h /api/b -H "Authorization: Bearer good")"
	stop_background auth
	# connection refused: fail closed, the backend never sees the request
	assert_eq "service down: 503" 503 "$(code h /api/down -H "Authorization: Bearer good")"
	assert_eq "service down over HTTP/2: 503" 503 "$(gcurl --http2-prior-knowledge -o /dev/null \
		-w '%{http_code}' -H "Authorization: Bearer good" "http://h/api/down2" \
		--connect-to "h:80:10.200.0.1:80")"
	grep -q 'GET /api/down' "$(bg_log be1)" && fail "the backend got a request nobody authorized"
	grep -q 'authorization service demo/svc2:80.*fail closed' "$(bg_log gwd)" ||
		fail "no log line naming the authorization service"
	# an unresolved backendRef: ResolvedRefs False, requests 500
	assert_eq "unresolved auth backendRef: 500" 500 "$(code h /missing -H "Authorization: Bearer good")"
	ns_exec "$NS_GW" "$GWCTL" get httproute web -n demo -o yaml --state-dir "$STATE" |
		grep -B2 'type: ResolvedRefs' | grep -q 'reason: BackendNotFound' ||
		fail "ResolvedRefs does not say BackendNotFound"
	# protocol GRPC is not implemented: gwctl drops that rule (PartiallyInvalid,
	# UnsupportedValue), so nothing reaches its backend unauthorized
	assert_eq "GRPC protocol: rule dropped" 404 \
		"$(code h /grpc -H "Authorization: Bearer good")"
}
