# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# shellcheck shell=bash
#
# Envoy Gateway SecurityPolicy (issue 14) enforced by gwd on the wire, with
# the policies of Envoy Gateway's own task pages (tasks/security/
# restrict-ip-access.md, http-header-method-auth.md, cors.md at v1.9.0),
# only their names adapted to this topology: authorization by client CIDR,
# header and method, rule/route/Gateway precedence, CORS, and the status
# kubectl would show. Sourced by run.sh.

# gwd_setup, cfg_head, gw_load, route, gcurl, code and json_get come from there
# shellcheck source=tests/netns/test-gwd.sh
source "$(dirname "${BASH_SOURCE[0]}")/test-gwd.sh"

# shellcheck disable=SC2034 # read by run.sh
ALL_TESTS="test_secpol_client_ip test_secpol_headers_methods_precedence test_secpol_cors
	test_secpol_basic_auth test_secpol_jwt test_secpol_api_key"

# secpol NAME TARGET_KIND TARGET_NAME [SECTION] BODY: a SecurityPolicy in demo
secpol()
{
	cat <<EOF
apiVersion: gateway.envoyproxy.io/v1alpha1
kind: SecurityPolicy
metadata: {name: $1, namespace: demo}
spec:
  targetRefs:
  - group: gateway.networking.k8s.io
    kind: $2
    name: $3
${4:+    sectionName: $4
}$5
---
EOF
}

sp_jp()
{
	ns_exec "$NS_GW" "$GWCTL" get securitypolicy "$1" -n demo -o "jsonpath=$2" --state-dir "$STATE"
}

web_route()
{
	route web "  hostnames: [www.example.com]
  rules:
  - backendRefs: [{name: svc1, port: 80}]"
}

# restrict-ip-access.md: Deny by default, Allow a client CIDR
test_secpol_client_ip()
{
	local out

	gwd_setup 1
	{ cfg_head; web_route; secpol authorization-client-ip HTTPRoute web "" "  authorization:
    defaultAction: Deny
    rules:
    - action: Allow
      principal:
        clientCIDRs:
        - 10.200.0.0/24"; } | gw_load
	assert_eq "status" "Gateway/gw True Accepted" \
		"$(sp_jp authorization-client-ip '{.status.ancestors[0].ancestorRef.kind}/{.status.ancestors[0].ancestorRef.name} {.status.ancestors[0].conditions[?(@.type=="Accepted")].status} {.status.ancestors[0].conditions[?(@.type=="Accepted")].reason}')"
	assert_eq "client in the CIDR" 200 "$(code www.example.com /ip)"
	assert_eq "client in the CIDR, HTTP/2" 200 "$(code www.example.com /ip2 --http2-prior-knowledge)"
	out=$(ns_exec "$NS_CLI" curl -sS -g --noproxy '*' -m 10 -o /dev/null -w '%{http_code}' \
		-H "Host: www.example.com" "http://[$GW_CLI6]/ip6")
	assert_eq "IPv6 client outside the IPv4 CIDR" 403 "$out"
	{ cfg_head; web_route; secpol authorization-client-ip HTTPRoute web "" "  authorization:
    defaultAction: Deny
    rules:
    - action: Allow
      principal:
        clientCIDRs:
        - 10.0.1.0/24"; } | gw_load
	assert_eq "client outside the CIDR" 403 "$(code www.example.com /ip)"
	assert_eq "client outside the CIDR, HTTP/2" 403 \
		"$(code www.example.com /ip2 --http2-prior-knowledge)"
	assert_eq "the body says why" "RBAC: access denied" \
		"$(gcurl -H "Host: www.example.com" "$URL/ip" | head -c 19)"
	grep -q 'GET /ip ' "$(bg_log be1)" && grep -c 'GET /ip ' "$(bg_log be1)" | grep -qx 1 ||
		fail "the denied request reached the backend"
	# the policy removed: served again
	{ cfg_head; web_route; } | gw_load
	assert_eq "without the policy" 200 "$(code www.example.com /ip)"
}

# http-header-method-auth.md on the Gateway; a route's own policy takes precedence
test_secpol_headers_methods_precedence()
{
	gwd_setup 1
	{ cfg_head; web_route
	  route open "  hostnames: [open.example.com]
  rules:
  - name: all
    backendRefs: [{name: svc1, port: 80}]
  - name: locked
    matches: [{path: {type: PathPrefix, value: /locked}}]
    backendRefs: [{name: svc1, port: 80}]"
	  secpol header-auth Gateway gw "" "  authorization:
    defaultAction: Deny
    rules:
      - name: allow-specific-users
        action: Allow
        principal:
          headers:
            - name: x-user-id
              values:
                - example-user"
	  secpol open-route HTTPRoute open "" "  authorization:
    defaultAction: Allow"
	  secpol locked-rule HTTPRoute open locked "  authorization:
    defaultAction: Deny
    rules:
      - name: allow-read-methods
        action: Allow
        operation:
          methods:
            - GET
            - POST
        principal:
          clientCIDRs: [0.0.0.0/0]"; } | gw_load
	# Gateway level: the header decides
	assert_eq "no x-user-id" 403 "$(code www.example.com /h)"
	assert_eq "x-user-id example-user" 200 "$(code www.example.com /h -H 'x-user-id: example-user')"
	assert_eq "another user" 403 "$(code www.example.com /h -H 'x-user-id: mallory')"
	# route level beats the Gateway's: open without the header
	assert_eq "route policy over the Gateway's" 200 "$(code open.example.com /any)"
	# rule level beats the route's: methods
	assert_eq "rule policy: GET" 200 "$(code open.example.com /locked)"
	assert_eq "rule policy: POST" 200 "$(code open.example.com /locked -X POST)"
	assert_eq "rule policy: DELETE" 403 "$(code open.example.com /locked -X DELETE)"
	assert_eq "gateway policy status" "True" \
		"$(sp_jp header-auth '{.status.ancestors[0].conditions[?(@.type=="Accepted")].status}')"
}

# cors.md: the policy's CORS on a route, preflight and actual request
test_secpol_cors()
{
	local h="$GW_RUN_DIR/h"

	gwd_setup 1
	{ cfg_head; web_route; secpol cors-example HTTPRoute web "" "  cors:
    allowOrigins:
    - \"http://*.foo.com\"
    allowCredentials: true
    allowMethods:
    - GET
    - POST
    allowHeaders:
    - \"x-header-1\"
    - \"x-header-2\"
    exposeHeaders:
    - \"x-header-3\"
    - \"x-header-4\""; } | gw_load
	gcurl -o /dev/null -D "$h" -H "Host: www.example.com" -H "Origin: http://www.foo.com" \
		-H "Access-Control-Request-Method: GET" -X OPTIONS "$URL/" || fail "preflight failed"
	cat "$h"
	grep -qi '^access-control-allow-origin: http://www.foo.com' "$h" || fail "allow-origin"
	grep -qi '^access-control-allow-credentials: true' "$h" || fail "allow-credentials"
	grep -qi '^access-control-allow-methods: GET, POST' "$h" || fail "allow-methods"
	grep -qi '^access-control-allow-headers: x-header-1, x-header-2' "$h" || fail "allow-headers"
	grep -qi '^access-control-max-age: 86400' "$h" || fail "max-age (Envoy Gateway's 86400)"
	grep -qi '^access-control-expose-headers: x-header-3, x-header-4' "$h" || fail "expose-headers"
	# an origin the policy does not list gets no CORS fields, nor one on another port
	gcurl -o /dev/null -D "$h" -H "Host: www.example.com" -H "Origin: http://www.bar.com" \
		-H "Access-Control-Request-Method: GET" -X OPTIONS "$URL/" || fail "preflight 2 failed"
	grep -qi '^access-control-allow-origin' "$h" && fail "www.bar.com allowed"
	gcurl -o /dev/null -D "$h" -H "Host: www.example.com" -H "Origin: http://www.foo.com:8080" \
		-H "Access-Control-Request-Method: GET" -X OPTIONS "$URL/" || fail "preflight 3 failed"
	grep -qi '^access-control-allow-origin' "$h" && fail "www.foo.com:8080 allowed"
	# an actual request from an allowed origin reaches the backend with the fields added
	gcurl -o /dev/null -D "$h" -H "Host: www.example.com" -H "Origin: http://a.foo.com" "$URL/get" ||
		fail "actual request failed"
	grep -qi '^access-control-allow-origin: http://a.foo.com' "$h" || fail "actual: allow-origin"
	grep -qi '^access-control-expose-headers: x-header-3, x-header-4' "$h" || fail "actual: expose"
}

# basic-auth.md: users from a Secret's .htpasswd ({SHA} as Envoy supports,
# plus bcrypt and apr1); 401 with Envoy's bodies; forwardUsernameHeader; a
# missing Secret fails closed (500, Accepted=False).
test_secpol_basic_auth()
{
	local f="$GW_RUN_DIR/.htpasswd" h="$GW_RUN_DIR/h" out

	skip_if_missing htpasswd openssl base64 jq
	gwd_setup 1
	htpasswd -cbs "$f" foo bar 2>/dev/null || fail "htpasswd"
	htpasswd -bB -C 5 "$f" foo1 bar1 2>/dev/null || fail "htpasswd bcrypt"
	echo "foo2:$(openssl passwd -apr1 bar2)" >>"$f"
	basic_cfg()
	{
		cfg_head; web_route
		cat <<EOF
apiVersion: v1
kind: Secret
metadata: {name: basic-auth, namespace: demo}
type: Opaque
data: {.htpasswd: $(base64 -w0 "$f")}
---
EOF
		secpol basic-auth-example HTTPRoute web "" "  basicAuth:
    users:
      name: \"${1:-basic-auth}\"
${2:+    forwardUsernameHeader: $2}"
	}
	basic_cfg | gw_load
	assert_eq "accepted" True \
		"$(sp_jp basic-auth-example '{.status.ancestors[0].conditions[?(@.type=="Accepted")].status}')"
	out=$(gcurl -D "$h" -H "Host: www.example.com" "$URL/")
	assert_eq "no credentials: 401" 401 "$(awk 'NR==1{print $2}' "$h")"
	assert_eq "Envoy's body" "User authentication failed. Missing username and password." "$out"
	grep -qi '^www-authenticate: Basic realm="www.example.com"' "$h" || fail "no Basic challenge"
	assert_eq "foo:bar ({SHA})" 200 "$(code www.example.com /sha -u foo:bar)"
	assert_eq "foo1:bar1 (bcrypt)" 200 "$(code www.example.com /bcrypt -u foo1:bar1)"
	assert_eq "foo2:bar2 (apr1)" 200 "$(code www.example.com /apr1 -u foo2:bar2)"
	assert_eq "wrong password" 401 "$(code www.example.com / -u foo:baz)"
	assert_eq "unknown user" 401 "$(code www.example.com / -u nobody:bar)"
	assert_eq "another user's password" 401 "$(code www.example.com / -u foo1:bar)"
	out=$(gcurl -H "Host: www.example.com" -u foo:baz "$URL/")
	assert_eq "Envoy's body" "User authentication failed. Invalid username/password combination." "$out"
	grep -q 'GET / ' "$(bg_log be1)" && fail "an unauthenticated request reached the backend"
	# forwardUsernameHeader: the backend learns who, and a client cannot say it itself
	basic_cfg basic-auth x-user | gw_load
	out=$(gcurl -H "Host: www.example.com" -u foo1:bar1 -H "x-user: mallory" "$URL/who") ||
		fail "curl /who"
	assert_eq "forwarded user name" foo1 "$(json_get "$out" '.headers["x-user"]')"
	# a plaintext password in the file: refused by gwctl's status and gwd alike
	echo "plain:secret" >>"$f"
	basic_cfg | gw_load
	assert_eq "plaintext entry: Accepted" False/Invalid \
		"$(sp_jp basic-auth-example '{.status.ancestors[0].conditions[?(@.type=="Accepted")].status}/{.status.ancestors[0].conditions[?(@.type=="Accepted")].reason}')"
	sp_jp basic-auth-example '{.status.ancestors[0].conditions[?(@.type=="Accepted")].message}' |
		grep -q '.htpasswd line 4' || fail "the message does not name the line"
	assert_eq "plaintext entry: fails closed" 500 "$(code www.example.com / -u foo:bar)"
	# the Secret gone: the policy cannot be enforced, so the route answers 500
	basic_cfg no-such-secret | gw_load
	assert_eq "missing Secret: Accepted" False/Invalid \
		"$(sp_jp basic-auth-example '{.status.ancestors[0].conditions[?(@.type=="Accepted")].status}/{.status.ancestors[0].conditions[?(@.type=="Accepted")].reason}')"
	assert_eq "missing Secret: fails closed" 500 "$(code www.example.com / -u foo:bar)"
}

# jwt-authentication.md with a local JWK set (remoteJWKS is not enforced
# yet): RS256 tokens made with openssl; Envoy's 401 bodies; claimToHeaders;
# every refusal (no token, expired, wrong issuer, another key, alg none);
# optional; a ConfigMap JWKS; a broken JWKS fails closed.
test_secpol_jwt()
{
	local d="$GW_RUN_DIR/jwt" jwks other good out mint="$GW_NETNS_DIR/jwt_mint.py"

	skip_if_missing python3 openssl jq
	mkdir -p "$d"
	jwks=$(python3 "$mint" keygen "$d" k1) || fail "keygen"
	python3 "$mint" keygen "$d" k2 >/dev/null || fail "keygen 2"
	gwd_setup 1
	jwt_cfg()
	{
		cfg_head; web_route
		cat <<EOF
apiVersion: v1
kind: ConfigMap
metadata: {name: jwks, namespace: demo}
data:
  jwks: '$jwks'
---
EOF
		secpol jwt-example HTTPRoute web "" "  jwt:
${2:+    optional: $2
}    providers:
    - name: example
      issuer: https://foo.bar.com
      audiences: [gw-test]
      claimToHeaders:
      - {header: x-sub, claim: sub}
      localJWKS:
${1:-        type: Inline
        inline: '$jwks'}"
	}
	jwt_cfg | gw_load
	assert_eq "accepted" True \
		"$(sp_jp jwt-example '{.status.ancestors[0].conditions[?(@.type=="Accepted")].status}')"
	good=$(python3 "$mint" sign "$d" k1 '{"sub":"1234567890","iss":"https://foo.bar.com","aud":"gw-test","exp":"+600"}')
	out=$(gcurl -D "$GW_RUN_DIR/h" -H "Host: www.example.com" "$URL/")
	assert_eq "no token: 401" 401 "$(awk 'NR==1{print $2}' "$GW_RUN_DIR/h")"
	assert_eq "Envoy's body" "Jwt is missing" "$out"
	out=$(gcurl -H "Host: www.example.com" -H "Authorization: Bearer $good" -H "x-sub: forged" \
		"$URL/who") || fail "curl with a good token"
	assert_eq "verified: claimToHeaders" 1234567890 "$(json_get "$out" '.headers["x-sub"]')"
	assert_eq "expired" 401 "$(code www.example.com / -H "Authorization: Bearer $(python3 "$mint" sign \
		"$d" k1 '{"sub":"1","iss":"https://foo.bar.com","aud":"gw-test","exp":"-600"}')")"
	assert_eq "wrong issuer" 401 "$(code www.example.com / -H "Authorization: Bearer $(python3 \
		"$mint" sign "$d" k1 '{"iss":"https://evil","aud":"gw-test","exp":"+600"}')")"
	assert_eq "wrong audience" 401 "$(code www.example.com / -H "Authorization: Bearer $(python3 \
		"$mint" sign "$d" k1 '{"iss":"https://foo.bar.com","aud":"other","exp":"+600"}')")"
	assert_eq "another key" 401 "$(code www.example.com / -H "Authorization: Bearer $(python3 "$mint" \
		sign "$d" k2 '{"iss":"https://foo.bar.com","aud":"gw-test","exp":"+600"}')")"
	assert_eq "alg none" 401 "$(code www.example.com / -H "Authorization: Bearer $(python3 "$mint" \
		none '{"iss":"https://foo.bar.com","aud":"gw-test","exp":"+600"}')")"
	out=$(gcurl -H "Host: www.example.com" -H "Authorization: Bearer ${good}x" "$URL/")
	assert_eq "bad signature body" "Jwt verification fails" "$out"
	grep -q 'GET / ' "$(bg_log be1)" && fail "an unverified request reached the backend"
	# optional: no token passes, a bad one still does not
	jwt_cfg "" true | gw_load
	assert_eq "optional, no token" 200 "$(code www.example.com /opt)"
	assert_eq "optional, bad token" 401 "$(code www.example.com /opt -H "Authorization: Bearer ${good}x")"
	# another provider, finding its token in a cookie or a query parameter
	{ cfg_head; web_route; secpol jwt-example HTTPRoute web "" "  jwt:
    providers:
    - name: header
      issuer: https://other.example
      localJWKS: {type: Inline, inline: '$jwks'}
    - name: elsewhere
      issuer: https://foo.bar.com
      extractFrom: {cookies: [session], params: [access_token]}
      localJWKS: {type: Inline, inline: '$jwks'}"; } | gw_load
	assert_eq "token in a cookie" 200 "$(code www.example.com /c -H "Cookie: a=1; session=$good; b=2")"
	assert_eq "token in a parameter" 200 "$(code www.example.com "/p?x=1&access_token=$good")"
	assert_eq "the header is not where this provider looks" 401 \
		"$(code www.example.com /h -H "Authorization: Bearer $good")"
	# the key set from a ConfigMap
	jwt_cfg "        type: ValueRef
        valueRef: {group: '', kind: ConfigMap, name: jwks}" | gw_load
	assert_eq "ConfigMap JWKS" 200 "$(code www.example.com /cm -H "Authorization: Bearer $good")"
	# a key set with no usable key: Invalid, and the route fails closed
	jwt_cfg "        type: Inline
        inline: '{\"keys\": [{\"kty\": \"oct\", \"k\": \"AAAA\"}]}'" | gw_load
	assert_eq "broken JWKS: Accepted" False \
		"$(sp_jp jwt-example '{.status.ancestors[0].conditions[?(@.type=="Accepted")].status}')"
	assert_eq "broken JWKS: fails closed" 500 "$(code www.example.com / -H "Authorization: Bearer $good")"
}

# apikey-auth.md: keys in an Opaque Secret's stringData, one per client id;
# Envoy's 401; forwardClientIDHeader; sanitize removes the key's header.
test_secpol_api_key()
{
	local out

	gwd_setup 1
	api_cfg()
	{
		cfg_head; web_route
		cat <<EOF
apiVersion: v1
kind: Secret
type: Opaque
metadata: {name: apikey-secret, namespace: demo}
stringData:
  client1: supersecret
  client2: other-key
---
EOF
		secpol apikey-auth-example HTTPRoute web "" "  apiKeyAuth:
    credentialRefs:
    - group: \"\"
      kind: Secret
      name: apikey-secret
    extractFrom:
    - headers:
      - x-api-key
${1:-    - params:
      - api_key}"
	}
	api_cfg | gw_load
	out=$(gcurl -D "$GW_RUN_DIR/h" -H "Host: www.example.com" "$URL/")
	assert_eq "no key: 401" 401 "$(awk 'NR==1{print $2}' "$GW_RUN_DIR/h")"
	assert_eq "Envoy's body" "Client authentication failed." "$out"
	assert_eq "client1's key" 200 "$(code www.example.com /k -H 'x-api-key: supersecret')"
	assert_eq "client2's key in a parameter" 200 "$(code www.example.com '/k?api_key=other-key')"
	assert_eq "an unknown key" 401 "$(code www.example.com / -H 'x-api-key: supersecre')"
	grep -q 'GET / ' "$(bg_log be1)" && fail "a request without a valid key reached the backend"
	# sanitize is enforced for header keys (a parameter would need the path rewritten)
	api_cfg "    forwardClientIDHeader: x-client-id
    sanitize: true" | gw_load
	out=$(gcurl -H "Host: www.example.com" -H 'x-api-key: other-key' -H 'x-client-id: forged' \
		"$URL/who") || fail "curl /who"
	assert_eq "client id forwarded" client2 "$(json_get "$out" '.headers["x-client-id"]')"
	assert_eq "key removed (sanitize)" null "$(json_get "$out" '.headers["x-api-key"]')"
}
