# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# shellcheck shell=bash
#
# gwd HTTPS termination end to end: certificates made with openssl(1) for
# this run, put in kubernetes.io/tls Secrets, two HTTPS listeners on :443
# (www.example.com with an RSA and an ECDSA certificate, *.example.com with
# an RSA one), real curl --cacert and openssl s_client from the client
# namespace. Sourced by run.sh.

# gwd_setup, cfg_head, gw_load, route, gcurl and json_get come from there
# shellcheck source=tests/netns/test-gwd.sh
source "$(dirname "${BASH_SOURCE[0]}")/test-gwd.sh"

# shellcheck disable=SC2034 # read by run.sh
ALL_TESTS="test_https_proxy test_https_sni_selection test_https_versions_and_keys
	test_https_unknown_sni test_https_resumption test_https_reload_keeps_connection
	test_https_unserved_listener test_tls_passthrough test_http2 test_http2_attacks
	test_http2_made_you_reset test_http2_slow_and_fields test_slow_reader_body test_http2_drain
	test_tls_terminate test_passthrough_example test_https_example test_http2_zero_window
	test_http2_buffer_budget"

VIP=10.200.0.1

# pki_make DIR: a CA and the server certificates the tests use.
pki_make()
{
	local d=$1 name

	mkdir -p "$d"
	openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=xdpgw test CA" \
		-keyout "$d/ca.key" -out "$d/ca.crt" 2>/dev/null || fail "cannot make the CA"
	cert_make "$d" www-rsa rsa www.example.com
	cert_make "$d" www-ec ec www.example.com
	cert_make "$d" wild rsa '*.example.com'
	cert_make "$d" www-new ec www.example.com
	for name in www-rsa www-ec wild www-new; do
		[ -s "$d/$name.crt" ] || fail "certificate $name missing"
	done
}

# cert_make DIR NAME rsa|ec CN: a server certificate for CN signed by DIR/ca.
cert_make()
{
	local d=$1 name=$2 kind=$3 cn=$4

	if [ "$kind" = ec ]; then
		openssl ecparam -name prime256v1 -genkey -noout -out "$d/$name.key" 2>/dev/null
	else
		openssl genrsa -out "$d/$name.key" 2048 2>/dev/null
	fi || fail "cannot make the key of $name"
	openssl req -new -key "$d/$name.key" -subj "/O=$name/CN=$cn" -out "$d/$name.csr" \
		2>/dev/null || fail "cannot make the request of $name"
	printf 'subjectAltName=DNS:%s\n' "$cn" >"$d/$name.ext"
	openssl x509 -req -in "$d/$name.csr" -CA "$d/ca.crt" -CAkey "$d/ca.key" \
		-CAcreateserial -days 2 -extfile "$d/$name.ext" -out "$d/$name.crt" 2>/dev/null ||
		fail "cannot sign $name"
}

# secret NAME CERTNAME [NAMESPACE]: a kubernetes.io/tls Secret in namespace
# NAMESPACE (default demo).
secret()
{
	cat <<EOF
apiVersion: v1
kind: Secret
metadata: {name: $1, namespace: ${3:-demo}}
type: kubernetes.io/tls
data:
  tls.crt: $(base64 -w0 "$PKI/$2.crt")
  tls.key: $(base64 -w0 "$PKI/$2.key")
---
EOF
}

# tls_setup [WWW_CERTS]: backends, gwd, and the configuration with the HTTPS
# listeners; WWW_CERTS are the Secrets of the www listener (default: the
# RSA and the ECDSA one).
tls_setup()
{
	PKI="$GW_RUN_DIR/pki"
	skip_if_missing openssl jq
	pki_make "$PKI"
	# shellcheck disable=SC2086 # word-split on purpose: extra gwd flags
	gwd_setup 2 ${TLS_GWD_ARGS:-}
	tls_load "${1:-www-rsa www-ec}"
}

tls_load()
{
	local www=$1 refs="" s opts=${2:-}

	for s in $www; do
		refs="$refs${refs:+, }{name: $s}"
	done
	[ -z "$opts" ] || opts=", options: {$opts}"
	LISTENERS="    - {name: www, protocol: HTTPS, port: 443, hostname: www.example.com,
       tls: {mode: Terminate, certificateRefs: [$refs]$opts},
       allowedRoutes: {namespaces: {from: All}}}
    - {name: wild, protocol: HTTPS, port: 443, hostname: '*.example.com',
       tls: {certificateRefs: [{name: wild}]}, allowedRoutes: {namespaces: {from: All}}}
    - {name: http, protocol: HTTP, port: 80, allowedRoutes: {namespaces: {from: All}}}"
	{
		cfg_head
		for s in $www wild; do
			secret "$s" "$s"
		done
		sroute www svc1
		sroute wild svc2
		sroute http svc1
	} | gw_load
}

# sroute LISTENER SERVICE: an HTTPRoute attached to that listener of gw only.
sroute()
{
	cat <<EOF
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: $1, namespace: demo}
spec:
  parentRefs: [{name: gw, sectionName: $1}]
  rules:
  - backendRefs: [{name: $2, port: 80}]
---
EOF
}

# hcurl HOST[:PORT] PATH [curl args]: HTTPS from the client namespace, HOST
# resolved to the VIP, PORT 443 by default.
hcurl()
{
	local host=${1%:*} port=443 authority=$1 path=$2

	[[ $1 != *:* ]] || port=${1##*:}
	shift 2
	ns_exec "$NS_CLI" curl -sS --noproxy '*' -m 10 --cacert "$PKI/ca.crt" \
		--resolve "$host:$port:$VIP" "$@" "https://$authority$path"
}

# peer_cert SNI [s_client args]: the certificate gwd presents for SNI, as text.
peer_cert()
{
	local sni=$1

	shift
	ns_exec "$NS_CLI" timeout 10 openssl s_client -connect "$VIP:443" -servername "$sni" \
		-CAfile "$PKI/ca.crt" "$@" </dev/null 2>/dev/null |
		openssl x509 -noout -subject -text 2>/dev/null
}

# subject_o TEXT: the O= of the subject line (which of our certificates it is).
subject_o()
{
	sed -n 's/^subject=.*O *= *\([^,]*\),.*/\1/p' <<<"$1"
}

test_https_proxy()
{
	local out

	tls_setup
	out=$(hcurl www.example.com '/get?x=1') || fail "HTTPS request through gwd failed"
	echo "$out"
	assert_eq pod be1 "$(json_get "$out" .pod)"
	assert_eq path "/get?x=1" "$(json_get "$out" .path)"
	assert_eq "x-forwarded-proto" https "$(json_get "$out" '.headers["x-forwarded-proto"]')"
	assert_eq "wildcard listener routes" be2 "$(json_get "$(hcurl a.example.com /w)" .pod)"
	# a POST body through TLS, larger than one TLS record and one recv buffer
	head -c 200000 /dev/zero | tr '\0' 'a' >"$GW_RUN_DIR/body"
	out=$(hcurl www.example.com /post --data-binary "@$GW_RUN_DIR/body") ||
		fail "HTTPS POST failed"
	assert_eq "request body length" 200000 "$(json_get "$out" .body_len)"
	# keep-alive: several requests, one TLS connection
	out=$(hcurl www.example.com /k1 -v -o /dev/null --next --cacert "$PKI/ca.crt" \
		--resolve "www.example.com:443:$VIP" -o /dev/null https://www.example.com/k2 2>&1)
	grep -q "Re-using existing connection" <<<"$out" || fail "no keep-alive over TLS: $out"
	# status reports both listeners bound and served
	out=$(printf 'status\n' | ns_exec "$NS_GW" socat - "UNIX-CONNECT:$STATE/gwd.sock")
	echo "$out"
	grep -q "^bound Gateway/demo/gw/www \* 443" <<<"$out" || fail "www not bound: $out"
	grep -q "^bound Gateway/demo/gw/wild \* 443" <<<"$out" || fail "wild not bound: $out"
	! grep -q "^unserved" <<<"$out" || fail "a listener is not served: $out"
}

test_https_sni_selection()
{
	local c

	tls_setup
	c=$(peer_cert www.example.com)
	assert_eq "exact hostname beats the wildcard" www.example.com \
		"$(sed -n 's/^subject=.*CN *= *//p' <<<"$c")"
	c=$(peer_cert a.example.com)
	assert_eq "wildcard listener" wild "$(subject_o "$c")"
	c=$(peer_cert deep.sub.example.com)
	assert_eq "wildcard covers several labels" wild "$(subject_o "$c")"
	# a request whose Host belongs to another listener than the SNI's: 421
	assert_eq "misdirected request" 421 "$(hcurl a.example.com / -o /dev/null \
		-w '%{http_code}' -H 'Host: www.example.com')"
	assert_eq "Host of the SNI's listener" be2 \
		"$(json_get "$(hcurl a.example.com / -H 'Host: c.example.com')" .pod)"
	# and the certificate verifies for the name curl asks for
	hcurl www.example.com / -o /dev/null || fail "curl does not accept www's certificate"
	hcurl b.example.com / -o /dev/null || fail "curl does not accept the wildcard certificate"
}

test_https_versions_and_keys()
{
	local out c

	tls_setup
	out=$(hcurl www.example.com /v12 --tlsv1.2 --tls-max 1.2 -v 2>&1) ||
		fail "TLS 1.2 failed: $out"
	grep -q "SSL connection using TLSv1.2" <<<"$out" || fail "not TLS 1.2: $out"
	grep -q '"path": *"/v12"' <<<"$out" || fail "no answer over TLS 1.2: $out"
	out=$(hcurl www.example.com /v13 --tlsv1.3 -v 2>&1) || fail "TLS 1.3 failed: $out"
	grep -q "SSL connection using TLSv1.3" <<<"$out" || fail "not TLS 1.3: $out"
	# the client's signature algorithms pick the RSA or the ECDSA certificate
	c=$(peer_cert www.example.com -sigalgs ECDSA+SHA256)
	assert_eq "ECDSA certificate" www-ec "$(subject_o "$c")"
	grep -q "id-ecPublicKey" <<<"$c" || fail "not an EC key: $c"
	c=$(peer_cert www.example.com -sigalgs RSA-PSS+SHA256:RSA+SHA256)
	assert_eq "RSA certificate" www-rsa "$(subject_o "$c")"
	grep -q "rsaEncryption" <<<"$c" || fail "not an RSA key: $c"
	c=$(peer_cert www.example.com -tls1_2 -cipher ECDHE-ECDSA-AES128-GCM-SHA256)
	assert_eq "TLS 1.2 ECDSA" www-ec "$(subject_o "$c")"
	c=$(peer_cert www.example.com -tls1_2 -cipher ECDHE-RSA-AES128-GCM-SHA256)
	assert_eq "TLS 1.2 RSA" www-rsa "$(subject_o "$c")"
	# TLS 1.1 is refused
	if ns_exec "$NS_CLI" timeout 10 openssl s_client -connect "$VIP:443" \
		-servername www.example.com -tls1_1 </dev/null >/dev/null 2>&1; then
		fail "TLS 1.1 was accepted"
	fi
}

test_https_unknown_sni()
{
	local out

	tls_setup
	if out=$(hcurl other.test / 2>&1); then
		fail "a SNI no listener matches got an answer: $out"
	fi
	echo "$out"
	out=$(ns_exec "$NS_CLI" timeout 10 openssl s_client -connect "$VIP:443" \
		-servername other.test </dev/null 2>&1) && fail "handshake for other.test succeeded"
	grep -qi "unrecognized name" <<<"$out" || fail "no unrecognized_name alert: $out"
	# gwd is fine afterwards
	hcurl www.example.com / -o /dev/null || fail "HTTPS broken after a refused handshake"
}

# resumed VERSION_FLAG: "Reused" when the second handshake resumed the first's session.
resumed()
{
	local sess="$GW_RUN_DIR/sess$1"

	rm -f "$sess"
	# stdin stays open a moment so s_client reads the TLS 1.3 ticket
	sleep 0.5 | ns_exec "$NS_CLI" timeout 10 openssl s_client -connect "$VIP:443" \
		-servername www.example.com -CAfile "$PKI/ca.crt" "$1" -sess_out "$sess" \
		>/dev/null 2>&1
	[ -s "$sess" ] || fail "no session saved ($1)"
	sleep 0.5 | ns_exec "$NS_CLI" timeout 10 openssl s_client -connect "$VIP:443" \
		-servername www.example.com -CAfile "$PKI/ca.crt" "$1" -sess_in "$sess" 2>/dev/null |
		grep -o '^Reused\|^New' | head -1
}

test_https_resumption()
{
	tls_setup
	assert_eq "TLS 1.3 resumption" Reused "$(resumed -tls1_3)"
	assert_eq "TLS 1.2 resumption" Reused "$(resumed -tls1_2)"
}

test_https_reload_keeps_connection()
{
	local out c

	tls_setup
	c=$(peer_cert www.example.com -sigalgs ECDSA+SHA256)
	assert_eq "before the change" www-ec "$(subject_o "$c")"
	# a keep-alive connection with a request in flight across the reload
	ns_exec "$NS_CLI" curl -sS --noproxy '*' -m 20 --cacert "$PKI/ca.crt" \
		--resolve "www.example.com:443:$VIP" -v -o "$GW_RUN_DIR/r1" \
		https://www.example.com/delay/2000 --next -o "$GW_RUN_DIR/r2" \
		--cacert "$PKI/ca.crt" --resolve "www.example.com:443:$VIP" \
		https://www.example.com/after >"$GW_RUN_DIR/keep.log" 2>&1 &
	local cpid=$!
	sleep 0.7
	tls_load "www-rsa www-new"
	c=$(peer_cert www.example.com -sigalgs ECDSA+SHA256)
	assert_eq "the new certificate after the reload" www-new "$(subject_o "$c")"
	wait "$cpid" || fail "the keep-alive connection failed across the reload: \
$(cat "$GW_RUN_DIR/keep.log")"
	out=$(cat "$GW_RUN_DIR/keep.log")
	grep -q "Re-using existing connection" <<<"$out" || fail "connection not reused: $out"
	assert_eq "in-flight request" /delay/2000 "$(json_get "$(cat "$GW_RUN_DIR/r1")" .path)"
	assert_eq "next request on the old connection" /after \
		"$(json_get "$(cat "$GW_RUN_DIR/r2")" .path)"
	hcurl www.example.com / -o /dev/null || fail "new connections fail after the reload"
}

test_https_unserved_listener()
{
	local out

	PKI="$GW_RUN_DIR/pki"
	skip_if_missing openssl jq
	pki_make "$PKI"
	gwd_setup 2
	# a cipher list OpenSSL rejects: gwctl does not accept the www listener
	# (Accepted False / UnsupportedValue, checked with the engine's own
	# gw_tls_options_check), and gwd, resolving the same way, leaves it out
	tls_load www-rsa "xdpgw.io/ciphers: NO-SUCH-CIPHER"
	out=$(ns_exec "$NS_GW" "$GWCTL" get gateway gw -n demo -o json --state-dir "$STATE")
	assert_eq "www Accepted reason" UnsupportedValue "$(jq -r '.status.listeners[] |
		select(.name == "www") | .conditions[] | select(.type == "Accepted") | .reason' <<<"$out")"
	jq -r '.status.listeners[] | select(.name == "www") | .conditions[] |
		select(.type == "Accepted") | .message' <<<"$out" | grep -q "cipher" ||
		fail "no cipher message: $out"
	assert_eq "www Programmed reason" Invalid "$(jq -r '.status.listeners[] |
		select(.name == "www") | .conditions[] | select(.type == "Programmed") | .reason' <<<"$out")"
	out=$(printf 'status\n' | ns_exec "$NS_GW" socat - "UNIX-CONNECT:$STATE/gwd.sock")
	echo "$out"
	! grep -q "Gateway/demo/gw/www " <<<"$out" || fail "www bound or reported: $out"
	grep -q "^bound Gateway/demo/gw/wild \* 443" <<<"$out" || fail "wild not bound: $out"
	assert_eq "wild still serves" be2 "$(json_get "$(hcurl b.example.com /)" .pod)"
	# with www not accepted, *.example.com is the listener for www.example.com:
	# its certificate and its routes, never www's route to be1
	assert_eq "www.example.com on the wildcard listener" be2 \
		"$(json_get "$(hcurl www.example.com /)" .pod)"
}

# --- TLS passthrough (TLSRoute) -------------------------------------------------

# pass_setup: backends be1 and be2 running openssl s_server -WWW on 8443 with
# their own certificates (a.example.net, b.example.net), gwd with a TLS
# listener in mode Passthrough on 443 and TLSRoutes a.example.net -> be1,
# *.example.net -> be2.
pass_setup()
{
	local i

	PKI="$GW_RUN_DIR/pki"
	skip_if_missing openssl curl "$GWD"
	mkdir -p "$PKI"
	openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=xdpgw test CA" \
		-keyout "$PKI/ca.key" -out "$PKI/ca.crt" 2>/dev/null || fail "cannot make the CA"
	cert_make "$PKI" be1 ec a.example.net
	cert_make "$PKI" be2 rsa '*.example.net'
	topo_create 2
	# s_server -WWW serves files of its working directory
	mkdir -p "$GW_RUN_DIR/www"
	head -c 3000000 /dev/urandom >"$GW_RUN_DIR/www/big"
	for i in 1 2; do
		start_background "${NS_BE[i]}" "tls$i" sh -c "cd '$GW_RUN_DIR/www' && exec openssl \
s_server -accept 8443 -WWW -cert '$PKI/be$i.crt' -key '$PKI/be$i.key'"
		wait_tcp "${NS_BE[i]}" "*" 8443 || fail "s_server of be$i is not listening"
	done
	STATE="$GW_RUN_DIR/state"
	mkdir -p "$STATE"
	gwd_start --verbose
	{
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
  listeners:
  - {name: pass, protocol: TLS, port: 443, tls: {mode: Passthrough},
     allowedRoutes: {namespaces: {from: All}}}
---
EOF
		for i in 1 2; do
			cat <<EOF
apiVersion: v1
kind: Service
metadata: {name: tls$i, namespace: demo}
spec: {ports: [{name: tls, port: 443, targetPort: 8443}]}
---
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata: {name: tls$i-a, namespace: demo, labels: {kubernetes.io/service-name: tls$i}}
addressType: IPv4
ports: [{name: tls, port: 8443, protocol: TCP}]
endpoints: [{addresses: ["${BE4[i]}"], conditions: {ready: true}}]
---
EOF
		done
		cat <<EOF
apiVersion: gateway.networking.k8s.io/v1
kind: TLSRoute
metadata: {name: a, namespace: demo}
spec:
  parentRefs: [{name: gw}]
  hostnames: [a.example.net]
  rules: [{backendRefs: [{name: tls1, port: 443}]}]
---
apiVersion: gateway.networking.k8s.io/v1
kind: TLSRoute
metadata: {name: wild, namespace: demo}
spec:
  parentRefs: [{name: gw}]
  hostnames: ['*.example.net']
  rules: [{backendRefs: [{name: tls2, port: 443}]}]
---
apiVersion: gateway.networking.k8s.io/v1
kind: TLSRoute
metadata: {name: split, namespace: demo}
spec:
  parentRefs: [{name: gw}]
  hostnames: [split.example.net]
  rules: [{backendRefs: [{name: tls1, port: 443, weight: 0}, {name: tls2, port: 443, weight: 3}]}]
---
EOF
	} | gw_load
}

test_tls_passthrough()
{
	local c out

	pass_setup
	out=$(printf 'status\n' | ns_exec "$NS_GW" socat - "UNIX-CONNECT:$STATE/gwd.sock")
	echo "$out"
	grep -q "^bound Gateway/demo/gw/pass \* 443" <<<"$out" || fail "pass not bound: $out"
	# the backend's own certificate reaches the client: TLS is not terminated
	c=$(peer_cert a.example.net)
	assert_eq "exact TLSRoute, backend be1's certificate" be1 "$(subject_o "$c")"
	c=$(peer_cert z.example.net)
	assert_eq "wildcard TLSRoute, backend be2's certificate" be2 "$(subject_o "$c")"
	# weights: tls1 has weight 0, so every connection goes to be2
	for _ in 1 2 3 4 5 6; do
		c=$(peer_cert split.example.net)
		assert_eq "weighted backendRefs" be2 "$(subject_o "$c")"
	done
	# real HTTPS end to end with the backend: a 3 MB file, verified by the client
	out=$(hcurl a.example.net /big -o "$GW_RUN_DIR/got1" \
		-w '%{http_code} %{ssl_verify_result}') || fail "curl through passthrough failed"
	assert_eq "curl to be1 through passthrough" "200 0" "$out"
	cmp -s "$GW_RUN_DIR/www/big" "$GW_RUN_DIR/got1" || fail "the file arrived damaged"
	out=$(hcurl q.example.net /big --tlsv1.2 --tls-max 1.2 -o "$GW_RUN_DIR/got2" \
		-w '%{http_code}') || fail "TLS 1.2 through passthrough failed"
	assert_eq "TLS 1.2 to be2" 200 "$out"
	cmp -s "$GW_RUN_DIR/www/big" "$GW_RUN_DIR/got2" || fail "the file arrived damaged (1.2)"
	# no TLSRoute for the SNI, no SNI, not TLS at all: the connection is closed
	if out=$(hcurl other.test / 2>&1); then
		fail "a SNI without TLSRoute got through: $out"
	fi
	out=$(ns_exec "$NS_CLI" timeout 10 openssl s_client -connect "$VIP:443" -noservername \
		</dev/null 2>&1) && fail "a ClientHello without SNI got through: $out"
	out=$(printf 'GET / HTTP/1.1\r\nHost: a.example.net\r\n\r\n' |
		ns_exec "$NS_CLI" timeout 10 socat -t 5 - "TCP:$VIP:443" 2>&1) || true
	assert_eq "plain HTTP on a passthrough port gets nothing" "" "$out"
	# gwd still routes afterwards
	c=$(peer_cert a.example.net)
	assert_eq "still routing" be1 "$(subject_o "$c")"
}

# --- HTTP/2 ---------------------------------------------------------------------

test_http2()
{
	local out

	skip_if_missing h2load nghttp
	tls_setup
	# ALPN h2 over TLS
	out=$(hcurl www.example.com '/h2?q=1' --http2 -w '\n%{http_version}') ||
		fail "HTTP/2 over TLS failed"
	echo "$out"
	assert_eq "negotiated" 2 "$(tail -1 <<<"$out")"
	out=$(head -n -1 <<<"$out")
	assert_eq "h2 pod" be1 "$(json_get "$out" .pod)"
	assert_eq "h2 path" "/h2?q=1" "$(json_get "$out" .path)"
	assert_eq "h2 host" www.example.com "$(json_get "$out" .host)"
	assert_eq "h2 x-forwarded-proto" https "$(json_get "$out" '.headers["x-forwarded-proto"]')"
	assert_eq "h2 wildcard listener" be2 "$(json_get "$(hcurl z.example.com / --http2)" .pod)"
	assert_eq "h2 misdirected" 421 "$(hcurl a.example.com / --http2 -o /dev/null \
		-w '%{http_code}' -H 'Host: www.example.com')"
	assert_eq "h2 no route" 404 "$(hcurl www.example.com /x --http2 -o /dev/null \
		-w '%{http_code}' -H 'Host: nope.other')"
	# a request body
	head -c 300000 /dev/zero | tr '\0' 'b' >"$GW_RUN_DIR/body"
	out=$(hcurl www.example.com /post --http2 --data-binary "@$GW_RUN_DIR/body") ||
		fail "HTTP/2 POST failed"
	assert_eq "h2 body length" 300000 "$(json_get "$out" .body_len)"
	assert_eq "h2 method" POST "$(json_get "$out" .method)"
	# bodies stream to the backend with flow control, whatever their size:
	# 24 MiB with a content-length, 2 MiB from stdin without one (chunked upstream)
	head -c 25165824 /dev/zero >"$GW_RUN_DIR/big-body"
	out=$(hcurl www.example.com /big --http2 --data-binary "@$GW_RUN_DIR/big-body") ||
		fail "HTTP/2 24 MiB POST failed"
	assert_eq "h2 24 MiB body" 25165824 "$(json_get "$out" .body_len)"
	out=$(head -c 2097152 /dev/zero | hcurl www.example.com /stdin --http2 -T -) ||
		fail "HTTP/2 PUT without a length failed"
	assert_eq "h2 body without content-length" 2097152 "$(json_get "$out" .body_len)"
	assert_eq "h2 PUT" PUT "$(json_get "$out" .method)"
	# HTTP/1.1 still works on the same listener when the client offers only it
	assert_eq "http/1.1 over TLS" 1.1 "$(hcurl www.example.com / --http1.1 -o /dev/null \
		-w '%{http_version}')"
	# h2c with prior knowledge on the HTTP listener
	out=$(ns_exec "$NS_CLI" curl -sS --noproxy '*' -m 10 --http2-prior-knowledge \
		-H "Host: h.example.org" -w '\n%{http_version}' "http://$VIP/h2c") ||
		fail "h2c failed"
	assert_eq "h2c negotiated" 2 "$(tail -1 <<<"$out")"
	assert_eq "h2c path" /h2c "$(json_get "$(head -n -1 <<<"$out")" .path)"
	assert_eq "h2c x-forwarded-proto" http \
		"$(json_get "$(head -n -1 <<<"$out")" '.headers["x-forwarded-proto"]')"
	# h2c by upgrade: curl --http2 on http:// sends "Upgrade: h2c"; 101, then HTTP/2
	out=$(ns_exec "$NS_CLI" curl -sS --noproxy '*' -m 10 --http2 -v \
		-H "Host: h.example.org" "http://$VIP/up?x=1" 2>&1) || fail "h2c upgrade failed: $out"
	grep -q "HTTP/1.1 101" <<<"$out" || fail "no 101 for the h2c upgrade: $out"
	grep -q "< HTTP/2 200" <<<"$out" || fail "no HTTP/2 response after the upgrade: $out"
	grep -q '"path":"/up?x=1"' <<<"$out" || fail "the upgraded request was not proxied: $out"
	# an upgrade with a body stays HTTP/1.1 (allowed by RFC 7540; gwd declines)
	out=$(ns_exec "$NS_CLI" curl -sS --noproxy '*' -m 10 --http2 -d x=1 \
		-H "Host: h.example.org" -w '\n%{http_version}' "http://$VIP/up2") ||
		fail "POST with an h2c upgrade offer failed"
	assert_eq "declined upgrade" 1.1 "$(tail -1 <<<"$out")"
	assert_eq "declined upgrade body" 3 "$(json_get "$(head -n -1 <<<"$out")" .body_len)"
	# many concurrent streams on few connections, every one answered
	out=$(ns_exec "$NS_CLI" timeout 60 h2load -n 2000 -c 4 -m 20 \
		--connect-to="$VIP:443" https://www.example.com/load 2>&1) ||
		fail "h2load failed: $out"
	echo "$out" | grep -E "requests:|status codes:"
	grep -q "2000 succeeded, 0 failed, 0 errored" <<<"$out" || fail "h2load: $out"
	grep -q "2000 2xx" <<<"$out" || fail "h2load statuses: $out"
	out=$(ns_exec "$NS_CLI" timeout 60 h2load -n 1000 -c 2 -m 10 \
		"http://$VIP/h2c-load" -H "host: h.example.org" 2>&1) || fail "h2load h2c: $out"
	grep -q "1000 succeeded, 0 failed, 0 errored" <<<"$out" || fail "h2load h2c: $out"
	# nghttp: several requests on one connection
	out=$(ns_exec "$NS_CLI" timeout 20 nghttp -n -s "http://$VIP/a" "http://$VIP/b" \
		-H "host: h.example.org" 2>&1) || fail "nghttp failed: $out"
	echo "$out"
	[ "$(grep -cE ' (200|2xx) ' <<<"$out")" -ge 2 ] || fail "nghttp: $out"
}

# h2attack KIND [ARGS]: runs tests/netns/h2attack.py against the h2c listener.
h2attack()
{
	ns_exec "$NS_CLI" timeout 40 python3 "$GW_NETNS_DIR/h2attack.py" "$VIP" 80 h.example.org "$@"
}

test_http2_attacks()
{
	local out n

	skip_if_missing python3
	tls_setup
	# the attack client's frames are well-formed: a normal request gets its response
	out=$(h2attack normal)
	[[ "$out" =~ ^response ]] || fail "the attack client cannot make a request: $out"
	grep -q "GET /ok" "$(bg_log be1)" || fail "the normal request did not reach be1"
	# rapid reset (CVE-2023-44487): 5000 HEADERS + RST_STREAM pairs; GOAWAY
	# ENHANCE_YOUR_CALM (11) long before the end, as for the resets gwd sends
	# itself (test_http2_made_you_reset): one budget
	out=$(h2attack rapid-reset)
	echo "rapid reset: $out"
	[[ "$out" =~ ^goaway\ 11\ frames\ ([0-9]+) ]] ||
		fail "rapid reset: no GOAWAY ENHANCE_YOUR_CALM: $out"
	n=$(grep -c "GET /rr" "$(bg_log be1)")
	echo "requests that reached the backend: $n"
	[ "$n" -lt 1000 ] || fail "rapid reset: $n of 5000 requests reached the backend"
	# CONTINUATION flood: 10000 empty CONTINUATION frames after a HEADERS
	out=$(h2attack continuation)
	echo "continuation flood: $out"
	[[ "$out" =~ ^goaway|^closed ]] || fail "continuation flood: still open: $out"
	# HPACK bomb: 4 MB of fields decoded from a 5 kB header block
	out=$(h2attack hpack-bomb)
	echo "hpack bomb: $out"
	[[ "$out" =~ ^goaway|^closed ]] || fail "hpack bomb: still open: $out"
	# SETTINGS flood from a client that never reads its ACKs
	out=$(h2attack settings-flood)
	echo "settings flood: $out"
	[[ "$out" =~ ^goaway|^closed ]] || fail "settings flood: connection still open: $out"
	# gwd is unharmed
	out=$(ns_exec "$NS_CLI" curl -sS --noproxy '*' -m 10 --http2-prior-knowledge \
		-H "Host: h.example.org" "http://$VIP/after") || fail "h2c broken after the attacks"
	assert_eq "after the attacks" /after "$(json_get "$out" .path)"
	assert_eq "gwd still running" 0 "$(bg_running gwd; echo $?)"
}

# metric NAME: the value of gwd's counter NAME from the admin /metrics.
metric()
{
	ns_exec "$NS_GW" curl -sS -m 5 http://127.0.0.1:9901/metrics |
		awk -v m="$1" '$1 == m { print $2 }'
}

# CVE-2025-8671 "MadeYouReset": the client makes gwd reset its streams (a
# WINDOW_UPDATE that overflows each stream's window) 40 at a time for 10 s.
# Those resets draw on the rapid-reset budget: GOAWAY ENHANCE_YOUR_CALM (11)
# after about GW_H2_RST_BURST (200) of them, few requests reach the backend
# (nginx: GOAWAY after 1000); a reset stream's upstream request is cancelled.
test_http2_made_you_reset()
{
	local out n pid i

	skip_if_missing python3 ss
	tls_setup
	out=$(h2attack made-you-reset /myr 10 40 0.01)
	echo "made you reset: $out"
	n=$(grep -c "GET /myr" "$(bg_log be1)")
	echo "requests that reached the backend: $n"
	[[ "$out" =~ ^goaway\ 11\  ]] || fail "made you reset: no GOAWAY ENHANCE_YOUR_CALM: $out"
	[ "$n" -lt 1000 ] || fail "made you reset: $n requests reached the backend"
	echo "stream resets counted by gwd: $(metric gwd_http2_client_resets_total)"
	assert_eq "connections ended for resets" 1 "$(metric gwd_http2_reset_goaways_total)"
	# a well-behaved client on another connection is not affected
	out=$(ns_exec "$NS_CLI" curl -sS --noproxy '*' -m 10 --http2-prior-knowledge \
		-H "Host: h.example.org" "http://$VIP/after") || fail "h2c broken after the attack"
	assert_eq "after the attack" /after "$(json_get "$out" .path)"
	# the upstream request of a stream gwd resets is cancelled at the reset:
	# 10 streams wait on a backend that never answers, then each gets the
	# overflowing WINDOW_UPDATE; the client keeps its connection open 2 s more
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
	{
		LISTENERS="" cfg_head
		service_yaml hang http 81 8081 "${BE4[1]}"
		route hang "  rules:
  - matches: [{path: {type: PathPrefix, value: /hang}}]
    backendRefs: [{name: hang, port: 81}]
  - backendRefs: [{name: svc1, port: 80}]"
	} | gw_load
	h2attack made-you-reset /hang 1 10 2 >"$GW_RUN_DIR/myr-hang.out" &
	pid=$!
	sleep 1.5
	assert_eq "upstream requests while the streams wait" 10 \
		"$(ns_exec "$NS_GW" ss -Htn state established "dst ${BE4[1]}:8081" | wc -l)"
	# the WINDOW_UPDATEs go at 2 s, the client closes at 4 s: look in between
	for ((i = 0; i < 15; i++)); do
		sleep 0.1
		n=$(ns_exec "$NS_GW" ss -Htn state established "dst ${BE4[1]}:8081" | wc -l)
		[ "$i" -ge 8 ] && [ "$n" -eq 0 ] && break
	done
	assert_eq "the client's connection is still open" 1 \
		"$(ns_exec "$NS_GW" ss -Htn state established "sport = :80" | wc -l)"
	assert_eq "upstream requests after their streams were reset" 0 "$n"
	wait "$pid"
	echo "hang: $(cat "$GW_RUN_DIR/myr-hang.out")"
	grep -q "streams 10 resets 10" "$GW_RUN_DIR/myr-hang.out" ||
		fail "not every hanging stream was reset: $(cat "$GW_RUN_DIR/myr-hang.out")"
}

# slowloris over h2c and TLS, cookie joining, stream id regression
test_http2_slow_and_fields()
{
	local out

	skip_if_missing python3
	TLS_GWD_ARGS="--header-timeout 3 --idle-timeout 10" tls_setup
	out=$(ns_exec "$NS_CLI" timeout 60 python3 "$GW_NETNS_DIR/h2attack.py" "$VIP" 80 \
		h.example.org slow-headers 20)
	echo "h2c: $out"
	[[ "$out" =~ ^slow\ closed\ 20\ of\ 20\ after\ ([0-9]+) ]] || fail "h2c slowloris: $out"
	[ "${BASH_REMATCH[1]}" -lt 6 ] || fail "h2c slowloris closed late: $out"
	out=$(ns_exec "$NS_CLI" timeout 60 python3 "$GW_NETNS_DIR/h2attack.py" "$VIP" 443 \
		www.example.com slow-headers 5 tls)
	echo "tls: $out"
	[[ "$out" =~ ^slow\ closed\ 5\ of\ 5\ after\ ([0-9]+) ]] || fail "TLS slowloris: $out"
	[ "${BASH_REMATCH[1]}" -lt 6 ] || fail "TLS slowloris closed late: $out"
	out=$(h2attack cookies)
	assert_eq "cookies joined" "a=1; b=2; c=3" "$(json_get "$out" .headers.cookie)"
	# a HEADERS on a lower stream id is a connection error PROTOCOL_ERROR
	# (RFC 9113 5.1.1): GOAWAY with error code 1 reaches the client, then the end
	out=$(h2attack stream-id-regress)
	echo "stream id regression: $out"
	[[ "$out" =~ ^goaway\ 1\  ]] || fail "stream id regression: no GOAWAY PROTOCOL_ERROR: $out"
}

# rss_kb PID: VmRSS of PID in KiB.
rss_kb()
{
	awk '/^VmRSS:/ {print $2}' "/proc/$1/status"
}

# metric NAME: the value of gwd's metric NAME (no labels).
metric()
{
	ns_exec "$NS_GW" curl -sS http://127.0.0.1:9901/metrics | awk -v m="$1" '$1 == m { print $2 }'
}

# CVE-2019-9517 class: clients that set their window to 0 and ask for 1 MB
# bodies on 128 streams; gwd must stop reading the backends, not buffer them.
test_http2_zero_window()
{
	local pid before during after out i held pids="" conns=${ZW_CONNS:-30}

	skip_if_missing python3
	tls_setup
	pid=$(bg_pid gwd)
	# warm up (workers, pools, TLS contexts) so the baseline is a running gwd:
	# 64 MiB of downloads on 16 connections cycle each worker's ring of
	# provided receive buffers (1024 x 8 KiB, fixed, touched in turn as
	# traffic flows) as any busy gwd has
	for ((i = 0; i < 16; i++)); do
		ns_exec "$NS_CLI" curl -sS --noproxy '*' -m 20 --http2-prior-knowledge -o /dev/null \
			-H "Host: h.example.org" "http://$VIP/bytes/4194304" &
		pids="$pids $!"
	done
	for i in $pids; do
		wait "$i" || fail "a warm-up download failed"
	done
	h2attack zero-window 128 /bytes/1048576 1 2 >/dev/null
	sleep 1
	before=$(rss_kb "$pid")
	ns_exec "$NS_CLI" timeout 60 python3 "$GW_NETNS_DIR/h2attack.py" "$VIP" 80 \
		h.example.org zero-window 128 /bytes/1048576 "$conns" 16 >"$GW_RUN_DIR/zw.out" &
	sleep 10
	during=$(rss_kb "$pid")
	held=$(metric gwd_http2_buffered_bytes)
	wait $! || fail "the zero-window client failed: $(cat "$GW_RUN_DIR/zw.out")"
	out=$(cat "$GW_RUN_DIR/zw.out")
	echo "zero window: $out"
	[[ "$out" =~ ^zero-window\ conns\ $conns\ headers\ ([0-9]+) ]] ||
		fail "zero window: not all connections were made: $out"
	sleep 2
	after=$(rss_kb "$pid")
	echo "gwd VmRSS KiB: before $before, after 10 s of $conns zero-window connections" \
		"$during (+$(((during - before) / 1024)) MiB), 2 s after they left $after" \
		"(+$(((after - before) / 1024)) MiB)"
	[ $((during - before)) -lt $((64 * 1024)) ] ||
		fail "zero window: gwd grew by $(((during - before) / 1024)) MiB (limit 64)"
	[ $((after - before)) -lt $((16 * 1024)) ] ||
		fail "zero window: $(((after - before) / 1024)) MiB not returned after the clients left"
	# the budgets count it: --h2-conn-buffer (512 KiB) a connection for what
	# backends send, plus 1-2 KiB a stream for answers gwd makes itself (a
	# 504 when a loaded backend did not accept in time); all back after
	echo "http2_buffered_bytes during: $held, waits $(metric gwd_http2_budget_waits_total)"
	[ "$held" -gt 0 ] && [ "$held" -le $((conns * (512 + 128 * 2) * 1024)) ] ||
		fail "zero window: $held bytes counted held for $conns connections"
	assert_eq "nothing held after the clients left" 0 "$(metric gwd_http2_buffered_bytes)"
	[ "$(metric gwd_http2_budget_waits_total)" -gt 0 ] || fail "no stream waited for a budget"
	# gwd is unharmed
	out=$(ns_exec "$NS_CLI" curl -sS --noproxy '*' -m 10 --http2-prior-knowledge \
		-H "Host: h.example.org" "http://$VIP/after") || fail "h2c broken after the attack"
	assert_eq "after the zero-window attack" /after "$(json_get "$out" .path)"
}

# The process budget (--h2-buffer-max): when zero-window clients fill it,
# the connections holding the most are closed with GOAWAY ENHANCE_YOUR_CALM
# (counted), what is held stays within it, and other clients are served.
# 32 streams a connection fill its 512 KiB and do not swamp the backends
# (with 128, connects to gw-echo failed and 503s answered most streams).
test_http2_buffer_budget()
{
	local out held max=0 i

	skip_if_missing python3
	TLS_GWD_ARGS="--h2-buffer-max 2048" tls_setup
	h2attack zero-window 32 /bytes/1048576 10 8 >"$GW_RUN_DIR/zw.out" &
	for ((i = 0; i < 12; i++)); do
		sleep 0.5
		held=$(metric gwd_http2_buffered_bytes)
		[ "$held" -le "$max" ] || max=$held
	done
	wait $! || fail "the zero-window client failed: $(cat "$GW_RUN_DIR/zw.out")"
	out=$(cat "$GW_RUN_DIR/zw.out")
	echo "zero window: $out; most held: $max bytes"
	[[ "$out" =~ ^zero-window\ conns\ 10\ .*\ calm\ ([0-9]+)$ ]] || fail "zero window: $out"
	[ "${BASH_REMATCH[1]}" -ge 1 ] || fail "no connection got GOAWAY ENHANCE_YOUR_CALM: $out"
	[ "$(metric gwd_http2_budget_closes_total)" -ge "${BASH_REMATCH[1]}" ] ||
		fail "closes not counted: $(metric gwd_http2_budget_closes_total)"
	# plus 1-2 KiB a stream for answers gwd makes itself (a 503), not held back
	[ "$max" -gt 0 ] && [ "$max" -le $(((2048 + 320 * 2) * 1024)) ] ||
		fail "held $max bytes with a 2 MiB process budget"
	assert_eq "nothing held after the clients left" 0 "$(metric gwd_http2_buffered_bytes)"
	out=$(ns_exec "$NS_CLI" curl -sS --noproxy '*' -m 10 --http2-prior-knowledge \
		-H "Host: h.example.org" "http://$VIP/after") || fail "h2c broken after the attack"
	assert_eq "after the budget closes" /after "$(json_get "$out" .path)"
}

# A slow but legitimate reader gets the whole body, byte for byte, through
# the backpressure path: HTTP/2 opening its window 16 KiB at a time, and
# HTTP/1.1 over a small receive buffer read slowly.
test_slow_reader_body()
{
	local n=8388608 want out

	skip_if_missing python3 sha256sum
	tls_setup
	want=$(python3 -c "import hashlib; n=$n; print(hashlib.sha256(b''.join(b'%015x\\n' % o for o in range(0, n, 16))[:n]).hexdigest())")
	out=$(h2attack slow-window /bytes/$n 2>&1 | tail -1)
	echo "HTTP/2 slow window: $out"
	assert_eq "h2 slow-window body" "body $n sha256 $want" "$out"
	out=$(ns_exec "$NS_CLI" timeout 60 curl -sS --noproxy '*' --limit-rate 2M \
		-H "Host: h.example.org" "http://$VIP/bytes/$n" | sha256sum)
	assert_eq "http/1.1 slow reader body" "$want  -" "$out"
}

test_http2_drain()
{
	local pidc pidn i

	skip_if_missing nghttp
	tls_setup
	# a stream in flight on an HTTP/2 connection finishes although gwd is told to stop
	hcurl www.example.com /delay/1500 --http2 -o "$GW_RUN_DIR/slow.out" \
		-w '%{http_code} %{http_version}' >"$GW_RUN_DIR/slow.code" &
	pidc=$!
	# and one over h2c, whose frames nghttp shows: a GOAWAY must come before the end
	ns_exec "$NS_CLI" timeout 20 nghttp -v -H "host: h.example.org" "http://$VIP/delay/1500" \
		>"$GW_RUN_DIR/nghttp.log" 2>&1 &
	pidn=$!
	sleep 0.5
	kill -TERM "$(bg_pid gwd)"
	wait "$pidc" || fail "the HTTP/2 request in flight failed during the drain"
	wait "$pidn" || fail "nghttp failed during the drain: $(cat "$GW_RUN_DIR/nghttp.log")"
	grep -A1 "recv GOAWAY frame" "$GW_RUN_DIR/nghttp.log" | grep -q "error_code=NO_ERROR" ||
		fail "no GOAWAY on the draining h2c connection: $(cat "$GW_RUN_DIR/nghttp.log")"
	grep -q '"path":"/delay/1500"' "$GW_RUN_DIR/nghttp.log" ||
		fail "the h2c stream did not complete: $(cat "$GW_RUN_DIR/nghttp.log")"
	assert_eq "in-flight HTTP/2 stream completed" "200 2" "$(cat "$GW_RUN_DIR/slow.code")"
	assert_eq "its response" /delay/1500 "$(json_get "$(cat "$GW_RUN_DIR/slow.out")" .path)"
	for ((i = 0; i < 50; i++)); do
		bg_running gwd || break
		sleep 0.1
	done
	bg_running gwd && fail "gwd did not exit after draining its HTTP/2 connection"
	grep -q "gwd stopped" "$(bg_log gwd)" || fail "no clean stop in the log"
}

# TLS listener in mode Terminate: gwd does the handshake, TLSRoutes get the bytes.
test_tls_terminate()
{
	local out c

	PKI="$GW_RUN_DIR/pki"
	skip_if_missing openssl jq
	pki_make "$PKI"
	gwd_setup 2
	LISTENERS="    - {name: term, protocol: TLS, port: 8443, hostname: '*.example.com',
       tls: {mode: Terminate, certificateRefs: [{name: wild}]},
       allowedRoutes: {namespaces: {from: All}, kinds: [{kind: TLSRoute}]}}"
	{
		cfg_head
		secret wild wild
		cat <<EOF
apiVersion: gateway.networking.k8s.io/v1
kind: TLSRoute
metadata: {name: t1, namespace: demo}
spec:
  parentRefs: [{name: gw, sectionName: term}]
  hostnames: [t1.example.com]
  rules: [{backendRefs: [{name: svc1, port: 80}]}]
---
apiVersion: gateway.networking.k8s.io/v1
kind: TLSRoute
metadata: {name: t2, namespace: demo}
spec:
  parentRefs: [{name: gw, sectionName: term}]
  hostnames: ['*.example.com']
  rules: [{backendRefs: [{name: svc2, port: 80}]}]
---
EOF
	} | gw_load
	out=$(printf 'status\n' | ns_exec "$NS_GW" socat - "UNIX-CONNECT:$STATE/gwd.sock")
	echo "$out"
	grep -q "^bound Gateway/demo/gw/term \* 8443" <<<"$out" || fail "term not bound: $out"
	# gwd presents the listener's certificate (not the backend's: it has none)
	c=$(ns_exec "$NS_CLI" timeout 10 openssl s_client -connect "$VIP:8443" \
		-servername t1.example.com -CAfile "$PKI/ca.crt" </dev/null 2>/dev/null |
		openssl x509 -noout -subject)
	assert_eq "listener certificate" wild "$(subject_o "$c")"
	# the decrypted bytes reach the TLSRoute's backend unchanged: gw-echo answers
	# the HTTP it receives, with no X-Forwarded-* (gwd did not parse HTTP)
	out=$(ns_exec "$NS_CLI" curl -sS --noproxy '*' -m 10 --cacert "$PKI/ca.crt" \
		--resolve "t1.example.com:8443:$VIP" https://t1.example.com:8443/tt) ||
		fail "curl through a TLS-terminate listener failed"
	assert_eq "exact TLSRoute" be1 "$(json_get "$out" .pod)"
	assert_eq "path" /tt "$(json_get "$out" .path)"
	assert_eq "no X-Forwarded-Proto: TCP, not HTTP" null \
		"$(json_get "$out" '.headers["x-forwarded-proto"]')"
	out=$(ns_exec "$NS_CLI" curl -sS --noproxy '*' -m 10 --cacert "$PKI/ca.crt" \
		--resolve "z.example.com:8443:$VIP" https://z.example.com:8443/zz) ||
		fail "curl to the wildcard TLSRoute failed"
	assert_eq "wildcard TLSRoute" be2 "$(json_get "$out" .pod)"
	# no ALPN is negotiated on a TLS listener
	out=$(ns_exec "$NS_CLI" timeout 10 openssl s_client -connect "$VIP:8443" \
		-servername t1.example.com -alpn h2,http/1.1 </dev/null 2>&1)
	grep -q "No ALPN negotiated" <<<"$out" || fail "ALPN negotiated on a TLS listener: $out"
}

# examples/tls-passthrough.yaml as shipped: its backends are 127.0.0.1 ports
# of the gateway namespace (openssl s_server with their own certificates);
# the client gets the backend's certificate by SNI, an unknown SNI is closed.
test_passthrough_example()
{
	local c

	PKI="$GW_RUN_DIR/pki"
	skip_if_missing openssl "$GWD"
	mkdir -p "$PKI"
	openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=xdpgw test CA" \
		-keyout "$PKI/ca.key" -out "$PKI/ca.crt" 2>/dev/null || fail "cannot make the CA"
	cert_make "$PKI" db ec db.example.com
	cert_make "$PKI" web ec www.example.com
	topo_create 1
	start_background "$NS_GW" db openssl s_server -accept 127.0.0.1:5443 -www \
		-cert "$PKI/db.crt" -key "$PKI/db.key"
	start_background "$NS_GW" web openssl s_server -accept 127.0.0.1:9443 -www \
		-cert "$PKI/web.crt" -key "$PKI/web.key"
	wait_tcp "$NS_GW" 127.0.0.1 5443 && wait_tcp "$NS_GW" 127.0.0.1 9443 ||
		fail "s_server backends are not listening"
	STATE="$GW_RUN_DIR/state"
	mkdir -p "$STATE"
	gwd_start
	check_run ns_exec "$NS_GW" "$GWCTL" load -q -f "$REPO/examples/tls-passthrough.yaml" \
		--state-dir "$STATE"
	wait_tcp "$NS_GW" "*" 8443 || fail "gwd does not listen on 8443"
	c=$(ns_exec "$NS_CLI" timeout 10 openssl s_client -connect "$VIP:8443" \
		-servername db.example.com -CAfile "$PKI/ca.crt" </dev/null 2>/dev/null |
		openssl x509 -noout -subject 2>/dev/null)
	assert_eq "db.example.com: the db backend's own certificate" db "$(subject_o "$c")"
	# *.example.com: 3:1 between web (9443) and web-canary (9444, not running):
	# web's share answers with web's certificate
	for _ in 1 2 3 4 5 6; do
		c=$(ns_exec "$NS_CLI" timeout 10 openssl s_client -connect "$VIP:8443" \
			-servername www.example.com </dev/null 2>/dev/null |
			openssl x509 -noout -subject 2>/dev/null)
		[ "$(subject_o "$c")" = web ] && break
	done
	assert_eq "wildcard TLSRoute: web's certificate" web "$(subject_o "$c")"
	c=$(ns_exec "$NS_CLI" timeout 10 openssl s_client -connect "$VIP:8443" \
		-servername other.example.org </dev/null 2>/dev/null |
		openssl x509 -noout -subject 2>/dev/null)
	assert_eq "no route for the SNI: closed, no certificate" "" "$c"
}

# examples/https.yaml as shipped: its backend is 127.0.0.1:8080 of the
# gateway namespace (gw-echo); its certificate is the example's own
# self-signed one, which the client trusts.
test_https_example()
{
	local out

	skip_if_missing curl "$GWD"
	topo_create 1
	start_echo "$NS_GW" www --namespace web --listen "127.0.0.1:8080"
	STATE="$GW_RUN_DIR/state"
	mkdir -p "$STATE"
	gwd_start
	check_run ns_exec "$NS_GW" "$GWCTL" load -q -f "$REPO/examples/https.yaml" --state-dir "$STATE"
	wait_tcp "$NS_GW" "*" 443 || fail "gwd does not listen on 443"
	grep -m1 'tls.crt:' "$REPO/examples/https.yaml" | awk '{ print $2 }' | base64 -d \
		>"$GW_RUN_DIR/example.crt" || fail "cannot read the example's certificate"
	out=$(ns_exec "$NS_CLI" curl -sS --noproxy '*' -m 10 --cacert "$GW_RUN_DIR/example.crt" \
		--resolve "www.example.com:443:$VIP" https://www.example.com/get) ||
		fail "HTTPS to the example failed"
	assert_eq "the example's backend answers over HTTPS" /get "$(json_get "$out" .path)"
	assert_eq "X-Forwarded-Proto" https "$(json_get "$out" '.headers["x-forwarded-proto"]')"
	out=$(ns_exec "$NS_CLI" curl -sS --noproxy '*' -m 10 -o /dev/null \
		-w '%{http_code} %{redirect_url}' -H 'Host: www.example.com' "http://$VIP/get")
	assert_eq "HTTP redirects to HTTPS" "301 https://www.example.com/get" "$out"
}
