# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# shellcheck shell=bash
#
# gwd frontend mTLS end to end (Gateway spec.tls.frontend): a server CA and
# two client CAs made with openssl(1) for this run, HTTPS listeners on 443
# (default: AllowValidOnly) and 8443 (perPort: AllowInsecureFallback),
# loaded with gwctl; real curl --cert/--key from the client namespace to
# gw-echo backends. Sourced by run.sh.

# gwd_setup, cfg_head, gw_load, json_get, cert_make, secret, sroute and hcurl come from there
# shellcheck source=tests/netns/test-gwd-tls.sh
source "$(dirname "${BASH_SOURCE[0]}")/test-gwd-tls.sh"

# shellcheck disable=SC2034 # read by run.sh
ALL_TESTS="test_mtls_modes_and_per_port test_mtls_ca_change_on_reload"

# mtls_pki: the server CA and www certificate in $PKI, client CAs with one
# client each in $PKI/good (alice) and $PKI/other (mallory).
mtls_pki()
{
	local d

	PKI="$GW_RUN_DIR/pki"
	for d in "$PKI" "$PKI/good" "$PKI/other"; do
		mkdir -p "$d"
		openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 \
			-subj "/CN=CA $(basename "$d")" -keyout "$d/ca.key" -out "$d/ca.crt" \
			2>/dev/null || fail "cannot make the CA in $d"
	done
	cert_make "$PKI" www-ec ec www.example.com
	cert_make "$PKI/good" alice ec alice.client.test
	cert_make "$PKI/other" mallory ec mallory.client.test
}

# spec.tls.frontend: every HTTPS port AllowValidOnly, 8443 AllowInsecureFallback
MTLS_FRONTEND='  tls:
    frontend:
      default:
        validation: {caCertificateRefs: [{group: "", kind: ConfigMap, name: client-ca}]}
      perPort:
      - port: 8443
        tls:
          validation:
            caCertificateRefs: [{group: "", kind: ConfigMap, name: client-ca}]
            mode: AllowInsecureFallback'

# mtls_load CA_DIR: listeners www (443) and alt (8443), the frontend
# validation with the CA of CA_DIR, routes www -> svc1, alt -> svc2.
mtls_load()
{
	LISTENERS="    - {name: www, protocol: HTTPS, port: 443, hostname: www.example.com,
       tls: {certificateRefs: [{name: www-ec}]}, allowedRoutes: {namespaces: {from: All}}}
    - {name: alt, protocol: HTTPS, port: 8443, hostname: www.example.com,
       tls: {certificateRefs: [{name: www-ec}]}, allowedRoutes: {namespaces: {from: All}}}"
	{
		cfg_head | awk -v fe="$MTLS_FRONTEND" '{ print } /^  gatewayClassName: xdpgw$/ { print fe }'
		cat <<EOF
apiVersion: v1
kind: ConfigMap
metadata: {name: client-ca, namespace: demo}
data:
  ca.crt: |
$(sed 's/^/    /' "$1/ca.crt")
---
EOF
		secret www-ec www-ec
		sroute www svc1
		sroute alt svc2
	} | gw_load
}

# mcurl PORT PATH [curl args]: HTTPS to www.example.com:PORT (hcurl, test-gwd-tls.sh).
mcurl()
{
	local port=$1

	shift
	hcurl "www.example.com:$port" "$@"
}

# as NAME: curl arguments presenting client certificate NAME (alice or mallory).
as()
{
	local d=good

	[ "$1" = alice ] || d=other
	echo "--cert $PKI/$d/$1.crt --key $PKI/$d/$1.key"
}

test_mtls_modes_and_per_port()
{
	local out hash

	skip_if_missing openssl jq
	mtls_pki
	gwd_setup 2
	mtls_load "$PKI/good"
	# 443, AllowValidOnly: a certificate from the client CA is served ...
	# shellcheck disable=SC2046 # as prints separate arguments
	out=$(mcurl 443 /get $(as alice) -H "X-Forwarded-Client-Cert: Hash=forged") ||
		fail "alice refused on 443"
	assert_eq "alice on 443" be1 "$(json_get "$out" .pod)"
	# the backend learns who it was; what the client sent under that name is gone
	hash=$(openssl x509 -in "$PKI/good/alice.crt" -outform DER | sha256sum | cut -d' ' -f1)
	assert_eq "x-forwarded-client-cert" "Hash=$hash;Subject=\"CN=alice.client.test,O=alice\"" \
		"$(json_get "$out" '.headers["x-forwarded-client-cert"]')"
	# shellcheck disable=SC2046
	out=$(mcurl 443 /h2 $(as alice) --http2 -w '%{http_version}') || fail "HTTP/2 with alice"
	assert_eq "HTTP/2 stream" "Hash=$hash;Subject=\"CN=alice.client.test,O=alice\"" \
		"$(json_get "${out%2}" '.headers["x-forwarded-client-cert"]')"
	assert_eq "over HTTP/2" 2 "${out: -1}"
	# ... none, or one from another CA, fails the handshake
	out=$(mcurl 443 /get 2>&1) && fail "no certificate accepted on 443: $out"
	echo "no certificate: $out"
	grep -qi "certificate required" <<<"$out" || fail "no certificate_required alert: $out"
	# shellcheck disable=SC2046
	out=$(mcurl 443 /get $(as mallory) 2>&1) && fail "mallory accepted on 443: $out"
	echo "other CA: $out"
	grep -qi "unknown ca" <<<"$out" || fail "no unknown_ca alert for the other CA: $out"
	# 8443, perPort AllowInsecureFallback: all three are served, and only a
	# verified certificate is described to the backend
	out=$(mcurl 8443 /get -H "X-Forwarded-Client-Cert: Hash=forged")
	assert_eq "no certificate on 8443" be2 "$(json_get "$out" .pod)"
	assert_eq "no certificate, no header" null \
		"$(json_get "$out" '.headers["x-forwarded-client-cert"]')"
	# shellcheck disable=SC2046
	out=$(mcurl 8443 /get $(as mallory))
	assert_eq "other CA on 8443" be2 "$(json_get "$out" .pod)"
	assert_eq "unverified, no header" null \
		"$(json_get "$out" '.headers["x-forwarded-client-cert"]')"
	# shellcheck disable=SC2046
	out=$(mcurl 8443 /get $(as alice))
	assert_eq "alice on 8443" be2 "$(json_get "$out" .pod)"
	assert_eq "verified on 8443" "Hash=$hash;Subject=\"CN=alice.client.test,O=alice\"" \
		"$(json_get "$out" '.headers["x-forwarded-client-cert"]')"
}

test_mtls_ca_change_on_reload()
{
	local out cpid

	skip_if_missing openssl jq
	mtls_pki
	gwd_setup 2
	mtls_load "$PKI/good"
	# a keep-alive connection of alice with a request in flight across the reload
	# shellcheck disable=SC2046
	ns_exec "$NS_CLI" curl -sS --noproxy '*' -m 20 --cacert "$PKI/ca.crt" \
		--resolve "www.example.com:443:$VIP" $(as alice) -v -o "$GW_RUN_DIR/r1" \
		https://www.example.com/delay/2000 --next -o "$GW_RUN_DIR/r2" \
		--cacert "$PKI/ca.crt" --resolve "www.example.com:443:$VIP" $(as alice) \
		https://www.example.com/after >"$GW_RUN_DIR/keep.log" 2>&1 &
	cpid=$!
	sleep 0.7
	mtls_load "$PKI/other"
	wait "$cpid" || fail "alice's connection failed across the reload: \
$(cat "$GW_RUN_DIR/keep.log")"
	grep -q "Re-using existing connection" "$GW_RUN_DIR/keep.log" ||
		fail "connection not reused: $(cat "$GW_RUN_DIR/keep.log")"
	assert_eq "in-flight request" /delay/2000 "$(json_get "$(cat "$GW_RUN_DIR/r1")" .path)"
	assert_eq "request on the old connection" /after \
		"$(json_get "$(cat "$GW_RUN_DIR/r2")" .path)"
	# new connections: the new CA's client is served, alice no longer
	# shellcheck disable=SC2046
	assert_eq "mallory after the reload" be1 "$(json_get "$(mcurl 443 /get $(as mallory))" .pod)"
	# shellcheck disable=SC2046
	out=$(mcurl 443 /get $(as alice) 2>&1) && fail "alice accepted after the reload: $out"
	return 0
}
