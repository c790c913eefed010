#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# gwctl load-time validation and status, without root: RegularExpression
# matches compiled with PCRE2, unsupported route fields, listener
# tls.options, GatewayClass supportedFeatures, Secret keys and updates of
# immutable fields. Prints TAP; each test is a function in ALL_TESTS.
set -u
REPO=$(cd "$(dirname "$0")/../.." && pwd)
GWCTL=${GWCTL:-$REPO/.output/gwctl}
WORK=$(mktemp -d /tmp/gwctl-validation.XXXXXX)
trap 'rm -rf "$WORK"' EXIT

ALL_TESTS="regex_bad_pattern_drops_rule regex_no_rule_left_not_accepted
	unsupported_filter_dropped tls_options_listener_not_accepted
	supported_features_published secret_missing_key_rejected
	controller_name_immutable_across_loads"

fail() { echo "FAIL: $*" >&2; return 1; }

# head: GatewayClass, Gateway g (HTTP :80), Service s, then an HTTPRoute r
# whose rules (YAML lines) are read from stdin.
route_manifest() {
	cat <<-'Y'
	apiVersion: gateway.networking.k8s.io/v1
	kind: GatewayClass
	metadata: {name: gc}
	spec: {controllerName: xdpgw.io/gateway-controller}
	---
	apiVersion: gateway.networking.k8s.io/v1
	kind: Gateway
	metadata: {name: g, namespace: default}
	spec:
	  gatewayClassName: gc
	  listeners:
	  - {name: http, protocol: HTTP, port: 80}
	---
	apiVersion: v1
	kind: Service
	metadata: {name: s, namespace: default}
	spec: {ports: [{name: http, port: 80}]}
	---
	apiVersion: gateway.networking.k8s.io/v1
	kind: HTTPRoute
	metadata: {name: r, namespace: default}
	spec:
	  parentRefs: [{name: g}]
	  rules:
	Y
	cat
}

# cond JSON TYPE: "status reason" of the route's condition TYPE on Gateway g
cond() {
	jq -r --arg t "$2" '.items[] | select(.kind == "HTTPRoute") | .status.parents[0].conditions[] |
		select(.type == $t) | "\(.status) \(.reason)"' "$1"
}

regex_bad_pattern_drops_rule() {
	route_manifest >"$WORK/rx.yaml" <<-'Y'
	  - matches: [{path: {type: RegularExpression, value: "/api/(v1|v2"}}]
	    backendRefs: [{name: s, port: 80}]
	  - matches: [{path: {type: RegularExpression, value: "/ok/[0-9]+"}}]
	    backendRefs: [{name: s, port: 80}]
	Y
	"$GWCTL" load --dry-run -o json -f "$WORK/rx.yaml" --state-dir "$WORK/s1" \
		>"$WORK/o.json" 2>"$WORK/err" || { cat "$WORK/err" >&2; return 1; }
	grep -q 'rx.yaml:25: warning: HTTPRoute default/r: spec.rules\[0\].matches\[0\].path.value: invalid regular expression at offset 11: missing closing parenthesis; rules\[0\] is dropped' "$WORK/err" ||
		fail "no warning: $(cat "$WORK/err")" || return 1
	[ "$(cond "$WORK/o.json" Accepted)" = "True Accepted" ] || fail "Accepted" || return 1
	[ "$(cond "$WORK/o.json" PartiallyInvalid)" = "True UnsupportedValue" ] ||
		fail "PartiallyInvalid: $(cond "$WORK/o.json" PartiallyInvalid)" || return 1
	jq -r '.items[] | select(.kind == "HTTPRoute") | .status.parents[0].conditions[] |
		select(.type == "PartiallyInvalid") | .message' "$WORK/o.json" | grep -q '^Dropped Rule rules\[0\]'
}

regex_no_rule_left_not_accepted() {
	route_manifest >"$WORK/rx2.yaml" <<-'Y'
	  - matches: [{headers: [{type: RegularExpression, name: x-a, value: "a{2,1}"}]}]
	    backendRefs: [{name: s, port: 80}]
	Y
	"$GWCTL" load --dry-run -o json -f "$WORK/rx2.yaml" --state-dir "$WORK/s2" \
		>"$WORK/o.json" 2>"$WORK/err" || return 1
	grep -q 'spec.rules\[0\].matches\[0\].headers\[0\].value: invalid regular expression at offset [0-9]*: numbers out of order' "$WORK/err" ||
		fail "no warning: $(cat "$WORK/err")" || return 1
	[ "$(cond "$WORK/o.json" Accepted)" = "False UnsupportedValue" ] || fail "Accepted" || return 1
	[ -z "$(cond "$WORK/o.json" PartiallyInvalid)" ] || fail "PartiallyInvalid set"
}

unsupported_filter_dropped() {
	route_manifest >"$WORK/f.yaml" <<-'Y'
	  - matches: [{path: {type: PathPrefix, value: /open}}]
	    backendRefs: [{name: s, port: 80}]
	  - matches: [{path: {type: PathPrefix, value: /private}}]
	    filters:
	    - type: ExternalAuth
	      externalAuth: {protocol: GRPC, grpc: {}, backendRef: {name: s, port: 80}}
	    backendRefs: [{name: s, port: 80}]
	Y
	"$GWCTL" load --dry-run -o json -f "$WORK/f.yaml" --state-dir "$WORK/s3" \
		>"$WORK/o.json" 2>"$WORK/err" || return 1
	grep -q 'f.yaml:29: warning: HTTPRoute default/r: spec.rules\[1\].filters\[0\].type: filter ExternalAuth with protocol GRPC is not supported' "$WORK/err" ||
		fail "no warning: $(cat "$WORK/err")" || return 1
	[ "$(cond "$WORK/o.json" PartiallyInvalid)" = "True UnsupportedValue" ]
}

tls_options_listener_not_accepted() {
	local crt key
	command -v openssl >/dev/null || fail "openssl missing" || return 1
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 \
		-subj /CN=example.com -keyout "$WORK/k.pem" -out "$WORK/c.pem" 2>/dev/null || return 1
	crt=$(base64 -w0 "$WORK/c.pem"); key=$(base64 -w0 "$WORK/k.pem")
	{
		route_manifest </dev/null | head -n 11	# class, Gateway g up to its listeners
		cat <<-Y
		  - {name: bad, protocol: HTTPS, port: 443, hostname: a.example.com, tls: {certificateRefs: [{name: c}], options: {xdpgw.io/groups: "no-such-group"}}}
		  - {name: good, protocol: HTTPS, port: 443, hostname: b.example.com, tls: {certificateRefs: [{name: c}], options: {xdpgw.io/groups: "X25519"}}}
		---
		apiVersion: v1
		kind: Secret
		metadata: {name: c, namespace: default}
		type: kubernetes.io/tls
		data: {tls.crt: $crt, tls.key: $key}
		Y
	} >"$WORK/t.yaml"
	"$GWCTL" load -q -f "$WORK/t.yaml" --state-dir "$WORK/s4" 2>"$WORK/err" ||
		{ cat "$WORK/err" >&2; return 1; }
	"$GWCTL" get gateway g -o json --state-dir "$WORK/s4" >"$WORK/g.json" || return 1
	[ "$(jq -r '.status.listeners[] | select(.name == "bad") | .conditions[] |
		select(.type == "Accepted") | "\(.status) \(.reason)"' "$WORK/g.json")" = "False UnsupportedValue" ] ||
		fail "bad listener accepted" || return 1
	jq -r '.status.listeners[] | select(.name == "bad") | .conditions[] | select(.type == "Accepted") |
		.message' "$WORK/g.json" | grep -q 'xdpgw.io/groups: "no-such-group" is not a list of key exchange groups' ||
		fail "message" || return 1
	[ "$(jq -r '.status.listeners[] | select(.name == "bad") | .conditions[] |
		select(.type == "Programmed") | .reason' "$WORK/g.json")" = Invalid ] || return 1
	[ "$(jq -r '.status.listeners[] | select(.name == "good") | .conditions[] |
		select(.type == "Accepted") | .status' "$WORK/g.json")" = True ] || fail "good listener"
}

supported_features_published() {
	route_manifest </dev/null | head -n 17 >"$WORK/sf.yaml"	# without the route
	"$GWCTL" load --dry-run -o json -f "$WORK/sf.yaml" --state-dir "$WORK/s5" >"$WORK/o.json" 2>/dev/null || return 1
	jq -r '.items[] | select(.kind == "GatewayClass") | .status.supportedFeatures[].name' "$WORK/o.json" >"$WORK/names"
	grep -qx HTTPRoute "$WORK/names" || fail "HTTPRoute missing" || return 1
	grep -qx Gateway "$WORK/names" || return 1
	grep -qx GRPCRoute "$WORK/names" || fail "GRPCRoute missing" || return 1
	grep -qx HTTPRouteBackendProtocolH2C "$WORK/names" || fail "h2c missing" || return 1
	# not implemented: never published
	! grep -qx GatewayInfrastructurePropagation "$WORK/names" ||
		fail "InfrastructurePropagation published" || return 1
	grep -qx GatewayStaticAddresses "$WORK/names" || fail "StaticAddresses missing" || return 1
	grep -qx ListenerSet "$WORK/names" || fail "ListenerSet missing" || return 1
	LC_ALL=C sort -c -u "$WORK/names" || fail "not sorted ascending"
}

secret_missing_key_rejected() {
	local rc
	printf 'apiVersion: v1\nkind: Secret\nmetadata: {name: c, namespace: default}\ntype: kubernetes.io/tls\ndata: {tls.crt: aGVsbG8=}\n' >"$WORK/sec.yaml"
	"$GWCTL" load -f "$WORK/sec.yaml" --state-dir "$WORK/s6" 2>"$WORK/err"; rc=$?
	[ $rc -ne 0 ] || fail "accepted" || return 1
	grep -q 'sec.yaml:4: error: Secret default/c: data\[tls.key\]: Required value' "$WORK/err" ||
		fail "$(cat "$WORK/err")" || return 1
	grep -q 'nothing was applied' "$WORK/err" || return 1
	[ ! -e "$WORK/s6/config.yaml" ] || fail "state written"
}

controller_name_immutable_across_loads() {
	local d=$WORK/s7 rc
	route_manifest </dev/null | head -n 17 >"$WORK/c1.yaml"	# without the route
	"$GWCTL" load -q -f "$WORK/c1.yaml" --state-dir "$d" || return 1
	cp "$d/config.yaml" "$WORK/before"
	sed 's|xdpgw.io/gateway-controller|example.com/other|' "$WORK/c1.yaml" >"$WORK/c2.yaml"
	"$GWCTL" load -f "$WORK/c2.yaml" --state-dir "$d" 2>"$WORK/err"; rc=$?
	[ $rc -ne 0 ] || fail "controllerName changed" || return 1
	grep -q 'c2.yaml:4: error: GatewayClass gc: spec.controllerName: Invalid value: "example.com/other": Value is immutable' "$WORK/err" ||
		fail "$(cat "$WORK/err")" || return 1
	cmp -s "$d/config.yaml" "$WORK/before" || fail "state changed" || return 1
	# a dry run against the state reports it too; a load without the class, then with it, is allowed
	"$GWCTL" load --dry-run -f "$WORK/c2.yaml" --state-dir "$d" 2>/dev/null && return 1
	tail -n +6 "$WORK/c1.yaml" >"$WORK/noclass.yaml"	# without the GatewayClass
	"$GWCTL" load -q -f "$WORK/noclass.yaml" --state-dir "$d" 2>/dev/null || return 1
	"$GWCTL" load -q -f "$WORK/c2.yaml" --state-dir "$d" 2>/dev/null
}

# shellcheck source=tests/cli/tap.sh
. "$REPO/tests/cli/tap.sh"
run_tap
