# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# shellcheck shell=bash
#
# gwd re-encrypting to backends (BackendTLSPolicy, Gateway
# tls.backend.clientCertificateRef): nginx in the backend namespace serves
# HTTP/1.1 over TLS with a certificate for be.example.net signed by a CA made
# for this run, asks for a client certificate (optional) and logs per request
# its connection number, TLS version, SNI, ALPN and client verification.
# Sourced by run.sh.

# gwd_start, cfg_head, gw_load, route, gcurl, code come from test-gwd.sh;
# cert_make from test-gwd-tls.sh
# shellcheck source=tests/netns/test-gwd-tls.sh
source "$(dirname "${BASH_SOURCE[0]}")/test-gwd-tls.sh"

# shellcheck disable=SC2034 # read by run.sh
ALL_TESTS="test_backend_tls_reencrypt test_backend_tls_resumption
	test_backend_tls_verify_and_reload test_backend_tls_http2 test_backend_tls_system_cas
	test_backend_tls_san_validation"

# btls_setup [gwd options]: two CAs, the backend's and the Gateway's client
# certificate, nginx on BE1:8443, gwd with one worker (one pool, so reuse is
# countable).
btls_setup()
{
	local d

	skip_if_missing nginx openssl curl "$GWD"
	PKI="$GW_RUN_DIR/pki"
	mkdir -p "$PKI"
	openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=xdpgw backend CA" \
		-keyout "$PKI/ca.key" -out "$PKI/ca.crt" 2>/dev/null || fail "cannot make the CA"
	openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=another CA" \
		-keyout "$PKI/ca2.key" -out "$PKI/ca2.crt" 2>/dev/null || fail "cannot make CA 2"
	cert_make "$PKI" be ec be.example.net
	cert_make "$PKI" gw-client ec gw.example.com
	topo_create 1
	d="$GW_RUN_DIR/nginx"
	NGINX_LOG="$d/access.log"
	mkdir -p "$d"
	cat >"$d/nginx.conf" <<EOF
user root;
worker_processes 1;
pid $d/nginx.pid;
error_log $d/error.log info;
events { worker_connections 64; }
http {
    client_body_temp_path $d/body;
    proxy_temp_path $d/proxy;
    fastcgi_temp_path $d/fastcgi;
    uwsgi_temp_path $d/uwsgi;
    scgi_temp_path $d/scgi;
    log_format tls '\$connection \$connection_requests \$ssl_protocol \$ssl_server_name '
                   '\$ssl_alpn_protocol \$ssl_client_verify \$ssl_session_reused';
    access_log $NGINX_LOG tls;
    keepalive_requests 1000;
    server {
        listen 8443 ssl;
        ssl_protocols TLSv1.2 TLSv1.3;
        ssl_certificate $PKI/be.crt;
        ssl_certificate_key $PKI/be.key;
        ssl_client_certificate $PKI/ca.crt;
        ssl_verify_client optional;
        location / {
            default_type text/plain;
            return 200 "tls=\$ssl_protocol sni=\$ssl_server_name alpn=\$ssl_alpn_protocol client=\$ssl_client_verify\n";
        }
    }
    server {
        listen 8444 ssl http2;
        ssl_protocols TLSv1.2 TLSv1.3;
        ssl_certificate $PKI/be.crt;
        ssl_certificate_key $PKI/be.key;
        location / {
            default_type text/plain;
            return 200 "proto=\$server_protocol alpn=\$ssl_alpn_protocol sni=\$ssl_server_name\n";
        }
    }
}
EOF
	start_background "${NS_BE[1]}" nginx nginx -c "$d/nginx.conf" -g 'daemon off;'
	wait_tcp "${NS_BE[1]}" "*" 8443 || fail "nginx is not listening: $(cat "$d/error.log")"
	wait_tcp "${NS_BE[1]}" "*" 8444 || fail "nginx is not listening on 8444"
	STATE="$GW_RUN_DIR/state"
	mkdir -p "$STATE"
	gwd_start --workers 1 "$@"
}

# btls_load HOSTNAME CA_FILE: Services "secure" (port https 443 -> BE1:8443,
# a BackendTLSPolicy for that port) and "secure-h2" (HTTP/2, BE1:8444, a
# policy for the whole Service), both verifying HOSTNAME against the CA in
# ConfigMap backend-ca; a route to the first and, under /h2, the second.
btls_load()
{
	local host=$1 ca=$2
	local LISTENERS="    - {name: http, protocol: HTTP, port: 80, allowedRoutes: {namespaces: {from: All}}}
  tls:
    backend:
      clientCertificateRef: {name: gw-client}"

	{
		cfg_head
		secret gw-client gw-client
		cat <<EOF
apiVersion: v1
kind: ConfigMap
metadata: {name: backend-ca, namespace: demo}
data:
  ca.crt: |
$(sed 's/^/    /' "$ca")
---
EOF
		tls_service secure https 8443 ", appProtocol: https" https
		tls_service secure-h2 h2 8444 ", appProtocol: kubernetes.io/h2c" ""
		route secure "  rules:
  - backendRefs: [{name: secure, port: 443}]
  - matches: [{path: {type: PathPrefix, value: /h2}}]
    backendRefs: [{name: secure-h2, port: 443}]"
	} | gw_load
}

# tls_service NAME PORT_NAME TARGET_PORT PORT_EXTRA SECTION: Service NAME (port
# PORT_NAME 443 -> BE1:TARGET_PORT) and a BackendTLSPolicy for it (for port
# SECTION, or the whole Service when empty) checking $host against backend-ca
# (or what $CA_SOURCE says), and the certificate against $SANS when set.
tls_service()
{
	cat <<EOF
apiVersion: v1
kind: Service
metadata: {name: $1, namespace: demo}
spec: {ports: [{name: $2, port: 443, targetPort: $3$4}]}
---
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata: {name: $1-a, namespace: demo, labels: {kubernetes.io/service-name: $1}}
addressType: IPv4
ports: [{name: $2, port: $3, protocol: TCP}]
endpoints: [{addresses: ["${BE4[1]}"], conditions: {ready: true}}]
---
apiVersion: gateway.networking.k8s.io/v1
kind: BackendTLSPolicy
metadata: {name: $1-tls, namespace: demo}
spec:
  targetRefs: [{group: '', kind: Service, name: $1${5:+, sectionName: $5}}]
  validation:
    ${CA_SOURCE:-"caCertificateRefs: [{group: '', kind: ConfigMap, name: backend-ca}]"}
    hostname: $host${SANS:+
    subjectAltNames: $SANS}
---
EOF
}

# metric NAME: a gwd counter from the admin endpoint.
metric()
{
	ns_exec "$NS_GW" curl -sS -m 5 http://127.0.0.1:9901/metrics |
		awk -v n="gwd_$1" '$1 == n { print $2 }'
}

test_backend_tls_reencrypt()
{
	local body i conns

	btls_setup
	btls_load be.example.net "$PKI/ca.crt"
	body=$(gcurl -H "Host: any.example.com" "$URL/") || fail "curl failed"
	assert_eq "what nginx saw of gwd's connection" \
		"tls=TLSv1.3 sni=be.example.net alpn=http/1.1 client=SUCCESS" "$body"
	# keep-alive: four more requests, each on a new client connection, reuse the pooled one
	for i in 1 2 3 4; do
		assert_eq "request $i on the pooled connection" 200 "$(code any.example.com /)"
	done
	[ "$(wc -l <"$NGINX_LOG")" -eq 5 ] || fail "nginx logged $(wc -l <"$NGINX_LOG") requests"
	conns=$(awk '{ print $1 }' "$NGINX_LOG" | sort -u | wc -l)
	assert_eq "backend TLS connections for 5 requests (nginx \$connection)" 1 "$conns"
	assert_eq "requests on that connection" 5 "$(awk 'END { print $2 }' "$NGINX_LOG")"
	assert_eq "gwd's backend TLS handshakes" 1 "$(metric upstream_tls_handshakes_total)"
	assert_eq "gwd's failed backend TLS handshakes" 0 "$(metric upstream_tls_errors_total)"
}

# A new backend connection resumes the session of the previous one (TLS 1.3 ticket).
test_backend_tls_resumption()
{
	btls_setup --pool-idle-timeout 1
	btls_load be.example.net "$PKI/ca.crt"
	assert_eq "first request" 200 "$(code any.example.com /)"
	sleep 1.5	# the pooled connection times out
	assert_eq "second request" 200 "$(code any.example.com /)"
	assert_eq "backend connections" 2 "$(awk '{ print $1 }' "$NGINX_LOG" | sort -u | wc -l)"
	assert_eq "sessions nginx saw reused" ". r" "$(awk '{ printf("%s%s", (NR > 1 ? " " : ""), $7) }' \
		"$NGINX_LOG")"
	assert_eq "gwd's resumed handshakes" 1 "$(metric upstream_tls_resumed_total)"
}

test_backend_tls_verify_and_reload()
{
	btls_setup
	# a hostname the backend's certificate does not carry
	btls_load wrong.example.net "$PKI/ca.crt"
	assert_eq "status with a hostname mismatch" 502 "$(code any.example.com /)"
	grep -q "BackendTLSPolicy demo/secure-tls, SNI wrong.example.net).*handshake failed" \
		"$(bg_log gwd)" || fail "no log line naming the policy: $(tail -5 "$(bg_log gwd)")"
	grep -qi "hostname mismatch" "$(bg_log gwd)" ||
		fail "no OpenSSL reason in the log: $(tail -5 "$(bg_log gwd)")"
	# passive outlier ejection counts handshake failures as connect failures
	assert_eq "status of a second attempt" 502 "$(code any.example.com /)"
	grep -q "Endpoint ${BE4[1]}:8443 ejected .* after 2 failed connects" "$(bg_log gwd)" ||
		fail "the endpoint was not ejected: $(tail -5 "$(bg_log gwd)")"
	# the right hostname but a CA that did not sign the backend's certificate
	sleep 1	# the failure log line is rate-limited to one a second
	btls_load be.example.net "$PKI/ca2.crt"
	assert_eq "status with an unknown CA" 502 "$(code any.example.com /)"
	grep -qi "unable to get local issuer certificate\|certificate verify failed" \
		"$(bg_log gwd)" || fail "no verification reason in the log"
	[ ! -s "$NGINX_LOG" ] || fail "a request reached the backend: $(cat "$NGINX_LOG")"
	# the ConfigMap fixed by a reload: new connections verify against the new CA
	btls_load be.example.net "$PKI/ca.crt"
	assert_eq "status after the CA was fixed" 200 "$(code any.example.com /)"
	[ "$(metric upstream_tls_errors_total)" -ge 2 ] || fail "failed handshakes not counted"
}

# An HTTP/2 backend (appProtocol kubernetes.io/h2c, h2_up.c) with a policy:
# HTTP/2 over TLS, ALPN h2; a failed handshake fails its streams.
test_backend_tls_http2()
{
	local body

	btls_setup
	btls_load be.example.net "$PKI/ca.crt"
	body=$(gcurl -H "Host: any.example.com" "$URL/h2") || fail "curl failed"
	assert_eq "what the HTTP/2 backend saw" "proto=HTTP/2.0 alpn=h2 sni=be.example.net" "$body"
	assert_eq "the HTTP/1.1 backend on the same address" 200 "$(code any.example.com /)"
	assert_eq "gwd's backend TLS handshakes" 2 "$(metric upstream_tls_handshakes_total)"
	# a session whose handshake fails is a session that never connected: 503
	btls_load wrong.example.net "$PKI/ca.crt"
	assert_eq "HTTP/2 backend with a hostname mismatch" 503 "$(code any.example.com /h2)"
	grep -q "BackendTLSPolicy demo/secure-h2-tls, SNI wrong.example.net).*hostname mismatch" \
		"$(bg_log gwd)" || fail "no log line for the HTTP/2 backend: $(tail -3 "$(bg_log gwd)")"
}

# wellKnownCACertificates System: OpenSSL's default CA file, here pointed at
# the test CA by SSL_CERT_FILE in gwd's environment (read when the route
# table is built); without it the backend's certificate does not verify.
test_backend_tls_system_cas()
{
	local CA_SOURCE="wellKnownCACertificates: System"

	SSL_CERT_FILE="$GW_RUN_DIR/pki/ca.crt" btls_setup
	btls_load be.example.net "$PKI/ca2.crt"
	assert_eq "status with the system CAs" 200 "$(code any.example.com /)"
	stop_background gwd
	SSL_CERT_FILE="$PKI/ca2.crt" gwd_start --workers 1
	wait_tcp "$NS_GW" "*" 80 || fail "gwd did not listen again after its restart"
	assert_eq "status with other system CAs" 502 "$(code any.example.com /)"
}

# subjectAltNames: the certificate must carry one of them, and the hostname
# (still the SNI) "MUST NOT be used for authentication" then.
test_backend_tls_san_validation()
{
	local SANS="[{type: Hostname, hostname: be.example.net}]" body

	btls_setup
	btls_load sni-only.example.net "$PKI/ca.crt"
	body=$(gcurl -H "Host: any.example.com" "$URL/") || fail "curl failed"
	assert_eq "SAN matches, hostname only the SNI" \
		"tls=TLSv1.3 sni=sni-only.example.net alpn=http/1.1 client=SUCCESS" "$body"
	SANS="[{type: Hostname, hostname: other.example.net}, {type: URI, uri: 'spiffe://x/y'}]"
	btls_load be.example.net "$PKI/ca.crt"
	assert_eq "no SAN matches though the hostname would" 502 "$(code any.example.com /)"
	grep -q "has no subjectAltName of the policy's subjectAltNames" "$(bg_log gwd)" ||
		fail "no SAN reason in the log: $(tail -3 "$(bg_log gwd)")"
}
