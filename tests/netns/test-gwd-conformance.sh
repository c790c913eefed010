# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# shellcheck shell=bash
#
# The Gateway API v1.6.1 conformance tests (conformance/tests/NAME.{go,yaml}
# upstream) that send traffic, reproduced against a live gwd: the same
# Gateways, routes and backends as the upstream manifests (namespaces,
# names and ports of conformance/base/manifests.yaml, with an EndpointSlice
# per Service since there is no API server to derive one), the same requests
# and the same expectations as the Go test (status code; for a 200, the pod,
# namespace, method and path the backend saw, as http.CompareRoundTrip
# checks). Each test names the conformance test it reproduces; the map of
# all of them is docs/conformance.md. Sourced by run.sh.

# gwd_start, gw_load, gcurl, URL come from test-gwd.sh, which
# test-gwd-tls.sh sources; cert_make from test-gwd-tls.sh
# shellcheck source=tests/netns/test-gwd-tls.sh
source "$(dirname "${BASH_SOURCE[0]}")/test-gwd-tls.sh"

# shellcheck disable=SC2034 # read by run.sh
ALL_TESTS="test_conf_simple_same_namespace test_conf_matching test_conf_exact_path_matching
	test_conf_path_match_order test_conf_header_matching test_conf_method_matching
	test_conf_matching_across_routes test_conf_hostname_intersection
	test_conf_listener_hostname_matching test_conf_cross_namespace test_conf_weight
	test_conf_service_types test_conf_multiple_gateways test_conf_listener_port_matching
	test_conf_no_backend_refs test_conf_invalid_backend_refs test_conf_invalid_parent_refs
	test_conf_disallowed_kind test_conf_reference_grant test_conf_invalid_reference_grant
	test_conf_partially_invalid_reference_grant test_conf_gateway_observed_generation_bump
	test_conf_httproute_observed_generation_bump test_conf_gatewayclass_observed_generation_bump
	test_conf_gateway_modify_listeners test_conf_gateway_with_attached_routes
	test_conf_gw_attached_8080 test_conf_gateway_invalid_route_kind
	test_conf_gateway_unsupported_protocol test_conf_gateway_invalid_parameters_ref
	test_conf_gateway_invalid_tls_configuration test_conf_gw_secret_grants test_conf_https_listener
	test_conf_request_header_modifier test_conf_backend_request_header_modifier
	test_conf_header_modifier_backend_weights test_conf_response_header_modifier
	test_conf_redirect_host_and_status test_conf_redirect_path test_conf_redirect_port
	test_conf_redirect_scheme test_conf_redirect_port_and_scheme test_conf_redirect_30x
	test_conf_rewrite_host test_conf_rewrite_path test_conf_request_mirror
	test_conf_request_multiple_mirrors test_conf_request_percentage_mirror
	test_conf_timeout_request test_conf_timeout_backend_request test_conf_named_rule
	test_conf_query_param_matching test_conf_http_listener_isolation test_conf_h2c
	test_conf_websocket test_conf_misdirected_requests test_conf_grpc_exact_method_matching
	test_conf_grpc_header_matching test_conf_grpc_listener_hostname_matching test_conf_grpc_named_rule
	test_conf_grpc_weight test_conf_tls_simple test_conf_tls_terminate_simple
	test_conf_tls_hostname_intersection test_conf_tls_invalid_backend_refs
	test_conf_tls_no_matching_listener test_conf_tls_listener_kinds
	test_conf_backend_tls_policy test_conf_btls_invalid test_conf_btls_generation
	test_conf_btls_conflict_resolution test_conf_btls_san test_conf_gw_backend_client_cert
	test_conf_gw_invalid_backend_tls test_conf_frontend_client_cert test_conf_frontend_insecure_fallback
	test_conf_frontend_invalid test_conf_frontend_invalid_default"

# The backends of conformance/base/manifests.yaml: backend i is pod
# CONF_POD[i] in namespace CONF_NS[i] (gw-echo, like echo-basic, reports both),
# behind the Service of the same name on port 8080.
CONF_POD=("" infra-backend-v1 infra-backend-v2 infra-backend-v3 app-backend-v1 app-backend-v2
	web-backend)
CONF_NS=("" gateway-conformance-infra gateway-conformance-infra gateway-conformance-infra
	gateway-conformance-app-backend gateway-conformance-app-backend
	gateway-conformance-web-backend)
INFRA=gateway-conformance-infra

# conf_setup: the six backends and gwd, as a user starts it.
conf_setup()
{
	local i

	skip_if_missing curl jq "$GWD"
	topo_create 6
	for ((i = 1; i <= 6; i++)); do
		start_echo "${NS_BE[i]}" "${CONF_POD[i]}" --namespace "${CONF_NS[i]}" \
			--listen "[::]:8080" -v
	done
	STATE="$GW_RUN_DIR/state"
	mkdir -p "$STATE"
	gwd_start
}

# conf_svc NS NAME ADDRESS [PORT]: a Service on port 8080 and its EndpointSlice.
conf_svc()
{
	cat <<EOF
apiVersion: v1
kind: Service
metadata: {name: $2, namespace: $1}
spec: {ports: [{name: first-port, protocol: TCP, port: ${4:-8080}, targetPort: 8080}]}
---
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata: {name: $2-a, namespace: $1, labels: {kubernetes.io/service-name: $2}}
addressType: IPv4
ports: [{name: first-port, port: 8080, protocol: TCP}]
endpoints: [{addresses: ["$3"], conditions: {ready: true}}]
---
EOF
}

# conf_base [GATEWAY...]: the class, the three namespaces with their labels,
# the backend Services and the named Gateways of the base manifests
# (same-namespace, all-namespaces, backend-namespaces); GATEWAY=ADDRESS
# gives it that spec.addresses entry.
conf_base()
{
	local i g ns addr

	cat <<EOF
apiVersion: gateway.networking.k8s.io/v1
kind: GatewayClass
metadata: {name: xdpgw}
spec: {controllerName: xdpgw.io/gateway-controller}
---
EOF
	for ns in infra:infra app-backend:backend web-backend:backend; do
		cat <<EOF
apiVersion: v1
kind: Namespace
metadata: {name: gateway-conformance-${ns%%:*}, labels: {gateway-conformance: ${ns#*:}}}
---
EOF
	done
	# infra-backend-v1 also has echo-basic's h2c and WebSocket ports (8081
	# and 8082; conformance_peer.py listens on 3001 and 3002 in test_conf_h2c
	# and test_conf_websocket)
	cat <<EOF
apiVersion: v1
kind: Service
metadata: {name: infra-backend-v1, namespace: $INFRA}
spec:
  ports:
  - {name: first-port, protocol: TCP, port: 8080, targetPort: 8080}
  - {name: second-port, protocol: TCP, appProtocol: kubernetes.io/h2c, port: 8081, targetPort: 3001}
  - {name: third-port, protocol: TCP, appProtocol: kubernetes.io/ws, port: 8082, targetPort: 3002}
---
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata: {name: infra-backend-v1-a, namespace: $INFRA, labels: {kubernetes.io/service-name: infra-backend-v1}}
addressType: IPv4
ports:
- {name: first-port, port: 8080, protocol: TCP}
- {name: second-port, port: 3001, protocol: TCP, appProtocol: kubernetes.io/h2c}
- {name: third-port, port: 3002, protocol: TCP, appProtocol: kubernetes.io/ws}
endpoints: [{addresses: ["${BE4[1]}"], conditions: {ready: true}}]
---
EOF
	for ((i = 2; i <= 6; i++)); do
		conf_svc "${CONF_NS[i]}" "${CONF_POD[i]}" "${BE4[i]}"
	done
	for g in "$@"; do
		addr=""
		[[ "$g" == *=* ]] && addr="  addresses: [{type: IPAddress, value: ${g#*=}}]"$'\n'
		g=${g%%=*}
		case $g in
		same-namespace) from="{from: Same}" ;;
		all-namespaces) from="{from: All}" ;;
		backend-namespaces)
			from="{from: Selector, selector: {matchLabels: {gateway-conformance: backend}}}" ;;
		*) fail "conf_base: no base Gateway '$g'" ;;
		esac
		cat <<EOF
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: $g, namespace: $INFRA}
spec:
  gatewayClassName: xdpgw
$addr  listeners: [{name: http, port: 80, protocol: HTTP, allowedRoutes: {namespaces: $from}}]
---
EOF
	done
}

# conf_route NS NAME PARENTREFS SPEC: an HTTPRoute; SPEC is the YAML under
# spec: after parentRefs (indented two spaces).
conf_route()
{
	cat <<EOF
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: $2, namespace: $1}
spec:
  parentRefs: $3
$4
---
EOF
}

# expect METHOD HOST PATH WANT [curl args...]: one http.ExpectedResponse,
# checked as http.CompareRoundTrip does. WANT is a status code, or
# POD[@NAMESPACE] (namespace default gateway-conformance-infra): then the
# answer must be 200 from that pod and namespace, and the backend must have
# seen the same method and path (REQ_PATH, REQ_HOST: another path, a host).
# HOST "-" sends no Host header of ours (curl sends the gateway's address).
# Optional, "|"-separated: REQ_HDRS "Name=value|..." the backend must see
# (repeated fields joined with ","), REQ_ABSENT "Name|..." it must not,
# RESP_HDRS and RESP_ABSENT the same for the response; BE_SET
# "Name:value,..." is sent as X-Echo-Set-Header (BackendSetResponseHeaders);
# PROTO: the HTTP version the answer must come in (curl's %{http_version}).
expect()
{
	local method=$1 host=$2 path=$3 want=$4 out got pod ns kv n hdrs="$GW_RUN_DIR/resp.hdrs"
	local -a list

	shift 4
	[ "$host" = - ] || set -- -H "Host: $host" "$@"
	[ "$method" = HEAD ] && set -- -I "$@"
	out=$(gcurl -X "$method" -D "$hdrs" -w '\n%{http_version} %{http_code}' \
		-H "X-Echo-Set-Header: ${BE_SET:-}" "$@" "$URL$path") || fail "$method $host$path: curl failed"
	got=${out##*$'\n'}
	out=${out%$'\n'*}
	[ -z "${PROTO:-}" ] || assert_eq "$method $host$path HTTP version" "$PROTO" "${got% *}"
	got=${got#* }
	IFS='|' read -ra list <<<"${RESP_HDRS:-}"
	for kv in "${list[@]}"; do
		assert_eq "$method $host$path response $kv" "${kv#*=}" "$(resp_hdr "$hdrs" "${kv%%=*}")"
	done
	IFS='|' read -ra list <<<"${RESP_ABSENT:-}"
	for n in "${list[@]}"; do
		! grep -qi "^$n:" "$hdrs" || fail "$method $host$path: response has $n: $(cat "$hdrs")"
	done
	if [[ "$want" =~ ^[0-9]+$ ]]; then
		assert_eq "$method $host$path status" "$want" "$got"
		return
	fi
	pod=${want%@*}
	ns=$INFRA
	[ "$pod" = "$want" ] || ns=${want#*@}
	assert_eq "$method $host$path status" 200 "$got"
	assert_eq "$method $host$path pod" "$pod" "$(json_get "$out" .pod)"
	assert_eq "$method $host$path namespace" "$ns" "$(json_get "$out" .namespace)"
	assert_eq "$method $host$path method at the backend" "$method" "$(json_get "$out" .method)"
	assert_eq "$method $host$path path at the backend" "${REQ_PATH:-$path}" "$(json_get "$out" .path)"
	[ -z "${REQ_HOST:-}" ] ||
		assert_eq "$method $host$path host at the backend" "$REQ_HOST" "$(json_get "$out" .host)"
	IFS='|' read -ra list <<<"${REQ_HDRS:-}"
	for kv in "${list[@]}"; do
		n=$(tr '[:upper:]' '[:lower:]' <<<"${kv%%=*}")
		# gw-echo joins repeated fields with ", ", the suite with ","
		assert_eq "$method $host$path request $kv" "${kv#*=}" \
			"$(json_get "$out" ".headers[\"$n\"]" | sed 's/, /,/g')"
	done
	IFS='|' read -ra list <<<"${REQ_ABSENT:-}"
	for n in "${list[@]}"; do
		n=$(tr '[:upper:]' '[:lower:]' <<<"$n")
		assert_eq "$method $host$path request without $n" null "$(json_get "$out" ".headers[\"$n\"]")"
	done
}

# resp_hdr FILE NAME: the response field NAME in curl's -D FILE, repeated
# fields joined with "," (as the suite joins them), "" if absent.
resp_hdr()
{
	awk -v n="$2" 'BEGIN { n = tolower(n) } { sub(/\r$/, "") }
		index($0, ":") { f = tolower(substr($0, 1, index($0, ":") - 1))
			if (f == n) { v = substr($0, index($0, ":") + 1); sub(/^[ \t]+/, "", v)
				out = out (c++ ? "," : "") v } }
		END { print out }' "$1"
}

# route_cond NS NAME TYPE: status of the route's condition TYPE under its
# first parent, as gwctl get prints it ("True/Accepted").
route_cond()
{
	ns_exec "$NS_GW" "$GWCTL" get httproute "$2" -n "$1" --state-dir "$STATE" \
		-o jsonpath="{.status.parents[0].conditions[?(@.type==\"$3\")].status}/{.status.parents[0].conditions[?(@.type==\"$3\")].reason}"
}

# route_accepted NS NAME...: GatewayAndHTTPRoutesMustBeAccepted and
# HTTPRouteMustHaveResolvedRefsConditionsTrue for each route.
route_accepted()
{
	local ns=$1 r

	shift
	for r in "$@"; do
		assert_eq "$r Accepted" True/Accepted "$(route_cond "$ns" "$r" Accepted)"
		assert_eq "$r ResolvedRefs" True/ResolvedRefs "$(route_cond "$ns" "$r" ResolvedRefs)"
	done
}

# HTTPRouteSimpleSameNamespace
test_conf_simple_same_namespace()
{
	conf_setup
	{ conf_base same-namespace
	  conf_route $INFRA gateway-conformance-infra-test "[{name: same-namespace}]" \
		"  rules: [{backendRefs: [{name: infra-backend-v1, port: 8080}]}]"
	} | gw_load
	route_accepted $INFRA gateway-conformance-infra-test
	expect GET - / infra-backend-v1
}

# HTTPRouteMatching
test_conf_matching()
{
	conf_setup
	{ conf_base same-namespace
	  conf_route $INFRA matching "[{name: same-namespace}]" "  rules:
  - matches: [{path: {type: PathPrefix, value: /}}, {headers: [{name: version, value: one}]}]
    backendRefs: [{name: infra-backend-v1, port: 8080}]
  - matches: [{path: {type: PathPrefix, value: /v2}}, {headers: [{name: version, value: two}]}]
    backendRefs: [{name: infra-backend-v2, port: 8080}]"
	} | gw_load
	route_accepted $INFRA matching
	expect GET - / infra-backend-v1
	expect GET - /example infra-backend-v1
	expect GET - / infra-backend-v1 -H "Version: one"
	expect GET - /v2 infra-backend-v2
	expect GET - /v2/example infra-backend-v2
	expect GET - / infra-backend-v2 -H "Version: two"
	expect GET - /v2/ infra-backend-v2
	expect GET - /v2example infra-backend-v1
	expect GET - /foo/v2/example infra-backend-v1
}

# HTTPRouteExactPathMatching
test_conf_exact_path_matching()
{
	conf_setup
	{ conf_base same-namespace
	  conf_route $INFRA exact-matching "[{name: same-namespace}]" "  rules:
  - matches: [{path: {type: Exact, value: /one}}]
    backendRefs: [{name: infra-backend-v1, port: 8080}]
  - matches: [{path: {type: Exact, value: /two}}]
    backendRefs: [{name: infra-backend-v2, port: 8080}]"
	} | gw_load
	route_accepted $INFRA exact-matching
	expect GET - /one infra-backend-v1
	expect GET - /two infra-backend-v2
	expect GET - / 404
	expect GET - /one/example 404
	expect GET - /two/ 404
	expect GET - /Two 404
}

# HTTPRoutePathMatchOrder
test_conf_path_match_order()
{
	conf_setup
	{ conf_base same-namespace
	  conf_route $INFRA path-matching-order "[{name: same-namespace}]" "  rules:
  - matches: [{path: {type: Exact, value: /match}}]
    backendRefs: [{name: infra-backend-v1, port: 8080}]
  - matches: [{path: {type: Exact, value: /match/exact}}]
    backendRefs: [{name: infra-backend-v2, port: 8080}]
  - matches: [{path: {type: Exact, value: /match/exact/one}}]
    backendRefs: [{name: infra-backend-v3, port: 8080}]
  - matches: [{path: {type: PathPrefix, value: /match/}}]
    backendRefs: [{name: infra-backend-v3, port: 8080}]
  - matches: [{path: {type: PathPrefix, value: /match/prefix/}}]
    backendRefs: [{name: infra-backend-v1, port: 8080}]
  - matches: [{path: {type: PathPrefix, value: /match/prefix/one}}]
    backendRefs: [{name: infra-backend-v2, port: 8080}]"
	} | gw_load
	route_accepted $INFRA path-matching-order
	expect GET - /match/exact/one infra-backend-v3
	expect GET - /match/exact infra-backend-v2
	expect GET - /match infra-backend-v1
	expect GET - /match/prefix/one/any infra-backend-v2
	expect GET - /match/prefix/any infra-backend-v1
	expect GET - /match/any infra-backend-v3
}

# HTTPRouteHeaderMatching
test_conf_header_matching()
{
	conf_setup
	{ conf_base same-namespace
	  conf_route $INFRA header-matching "[{name: same-namespace}]" "  rules:
  - matches: [{headers: [{name: version, value: one}]}]
    backendRefs: [{name: infra-backend-v1, port: 8080}]
  - matches: [{headers: [{name: version, value: two}]}]
    backendRefs: [{name: infra-backend-v2, port: 8080}]
  - matches: [{headers: [{name: version, value: two}, {name: color, value: orange}]}]
    backendRefs: [{name: infra-backend-v1, port: 8080}]
  - matches: [{headers: [{name: color, value: blue}]}, {headers: [{name: color, value: green}]}]
    backendRefs: [{name: infra-backend-v1, port: 8080}]
  - matches: [{headers: [{name: color, value: red}]}, {headers: [{name: color, value: yellow}]}]
    backendRefs: [{name: infra-backend-v2, port: 8080}]"
	} | gw_load
	route_accepted $INFRA header-matching
	expect GET - / infra-backend-v1 -H "Version: one"
	expect GET - / infra-backend-v2 -H "Version: two"
	expect GET - / infra-backend-v1 -H "Version: two" -H "Color: orange"
	expect GET - / infra-backend-v2 -H "Version: two" -H "Color: blue"
	expect GET - / 404 -H "Color: orange"
	expect GET - / 404 -H "Some-Other-Header: one"
	expect GET - / infra-backend-v1 -H "Color: blue"
	expect GET - / infra-backend-v1 -H "Color: green"
	expect GET - / infra-backend-v2 -H "Color: red"
	expect GET - / infra-backend-v2 -H "Color: yellow"
	expect GET - / 404 -H "Color: purple"
}

# HTTPRouteMethodMatching
test_conf_method_matching()
{
	conf_setup
	{ conf_base same-namespace
	  conf_route $INFRA method-matching "[{name: same-namespace}]" "  rules:
  - matches: [{method: POST}]
    backendRefs: [{name: infra-backend-v1, port: 8080}]
  - matches: [{method: GET}]
    backendRefs: [{name: infra-backend-v2, port: 8080}]
  - matches: [{path: {type: PathPrefix, value: /path1}, method: GET}]
    backendRefs: [{name: infra-backend-v1, port: 8080}]
  - matches: [{headers: [{name: version, value: one}], method: PUT}]
    backendRefs: [{name: infra-backend-v2, port: 8080}]
  - matches: [{path: {type: PathPrefix, value: /path2}, headers: [{name: version, value: two}], method: POST}]
    backendRefs: [{name: infra-backend-v3, port: 8080}]
  - matches:
    - {path: {type: PathPrefix, value: /path3}, method: PATCH}
    - {path: {type: PathPrefix, value: /path4}, headers: [{name: version, value: three}], method: DELETE}
    backendRefs: [{name: infra-backend-v1, port: 8080}]
  - matches: [{path: {type: PathPrefix, value: /path5}}]
    backendRefs: [{name: infra-backend-v1, port: 8080}]
  - matches: [{method: PATCH}]
    backendRefs: [{name: infra-backend-v2, port: 8080}]
  - matches: [{headers: [{name: version, value: four}]}]
    backendRefs: [{name: infra-backend-v3, port: 8080}]"
	} | gw_load
	route_accepted $INFRA method-matching
	expect POST - / infra-backend-v1
	expect GET - / infra-backend-v2
	expect HEAD - / 404
	expect GET - /path1 infra-backend-v1
	expect PUT - / infra-backend-v2 -H "version: one"
	expect POST - /path2 infra-backend-v3 -H "version: two"
	expect PATCH - /path3 infra-backend-v1
	expect DELETE - /path4 infra-backend-v1 -H "version: three"
	expect PUT - / 404
	expect DELETE - /path4 404
	expect PATCH - /path5 infra-backend-v1
	expect PATCH - / infra-backend-v2 -H "version: four"
}

# HTTPRouteMatchingAcrossRoutes
test_conf_matching_across_routes()
{
	conf_setup
	{ conf_base same-namespace
	  conf_route $INFRA matching-part1 "[{name: same-namespace}]" "  hostnames: [example.com, example.net]
  rules:
  - matches: [{path: {type: PathPrefix, value: /}}, {headers: [{name: version, value: one}]}]
    backendRefs: [{name: infra-backend-v1, port: 8080}]"
	  conf_route $INFRA matching-part2 "[{name: same-namespace}]" "  hostnames: [example.com]
  rules:
  - matches: [{path: {type: PathPrefix, value: /v2}}, {headers: [{name: version, value: two}]}]
    backendRefs: [{name: infra-backend-v2, port: 8080}]"
	} | gw_load
	route_accepted $INFRA matching-part1 matching-part2
	expect GET example.com / infra-backend-v1
	expect GET example.com /example infra-backend-v1
	expect GET example.net /example infra-backend-v1
	expect GET example.com /example infra-backend-v1 -H "Version: one"
	expect GET example.com /v2 infra-backend-v2
	expect GET example.net /v2 infra-backend-v1
	expect GET example.com /v2/example infra-backend-v2
	expect GET example.com / infra-backend-v2 -H "Version: two"
}

# HTTPRouteHostnameIntersection. Upstream's two Gateways get an address each
# from the cluster; on one node a Gateway without spec.addresses takes port
# 80 on all of the node's addresses, so here each names its own: 10.200.0.1
# and 10.200.0.3 (added to the gateway's client-side link).
test_conf_hostname_intersection()
{
	local s1=/s1 p

	conf_setup
	ns_exec "$NS_GW" ip addr add 10.200.0.3/24 dev "$GW_CLI_IF"
	{ conf_base
	  cat <<EOF
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: httproute-hostname-intersection, namespace: $INFRA}
spec:
  gatewayClassName: xdpgw
  addresses: [{type: IPAddress, value: 10.200.0.1}]
  listeners:
  - {name: listener-1, port: 80, protocol: HTTP, allowedRoutes: {namespaces: {from: Same}}, hostname: very.specific.com}
  - {name: listener-2, port: 80, protocol: HTTP, allowedRoutes: {namespaces: {from: Same}}, hostname: '*.wildcard.io'}
  - {name: listener-3, port: 80, protocol: HTTP, allowedRoutes: {namespaces: {from: Same}}, hostname: '*.anotherwildcard.io'}
---
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: httproute-hostname-intersection-all, namespace: $INFRA}
spec:
  gatewayClassName: xdpgw
  addresses: [{type: IPAddress, value: 10.200.0.3}]
  listeners:
  - {name: listener-1, port: 80, protocol: HTTP, allowedRoutes: {namespaces: {from: Same}}}
---
EOF
	  p="[{name: httproute-hostname-intersection, namespace: $INFRA}]"
	  conf_route $INFRA specific-host-matches-listener-specific-host "$p" \
		"  hostnames: [non.matching.com, '*.nonmatchingwildcard.io', very.specific.com]
  rules: [{matches: [{path: {type: PathPrefix, value: /s1}}], backendRefs: [{name: infra-backend-v1, port: 8080}]}]"
	  conf_route $INFRA specific-host-matches-listener-wildcard-host "$p" \
		"  hostnames: [non.matching.com, wildcard.io, foo.wildcard.io, bar.wildcard.io, foo.bar.wildcard.io]
  rules: [{matches: [{path: {type: PathPrefix, value: /s2}}], backendRefs: [{name: infra-backend-v2, port: 8080}]}]"
	  conf_route $INFRA wildcard-host-matches-listener-specific-host "$p" \
		"  hostnames: [non.matching.com, '*.specific.com']
  rules: [{matches: [{path: {type: PathPrefix, value: /s3}}], backendRefs: [{name: infra-backend-v3, port: 8080}]}]"
	  conf_route $INFRA wildcard-host-matches-listener-wildcard-host "$p" \
		"  hostnames: ['*.anotherwildcard.io']
  rules: [{matches: [{path: {type: PathPrefix, value: /s4}}], backendRefs: [{name: infra-backend-v1, port: 8080}]}]"
	  conf_route $INFRA no-intersecting-hosts "$p" \
		"  hostnames: [specific.but.wrong.com, wildcard.io]
  rules: [{matches: [{path: {type: PathPrefix, value: /s5}}], backendRefs: [{name: infra-backend-v2, port: 8080}]}]"
	  conf_route $INFRA httproute-hostname-intersection-all \
		"[{name: httproute-hostname-intersection-all, namespace: $INFRA}]" \
		"  hostnames: [first.com, sub.first.com, second.com, sub.second.com]
  rules: [{backendRefs: [{name: infra-backend-v2, port: 8080}]}]"
	} | gw_load
	route_accepted $INFRA specific-host-matches-listener-specific-host \
		specific-host-matches-listener-wildcard-host wildcard-host-matches-listener-specific-host \
		wildcard-host-matches-listener-wildcard-host
	expect GET very.specific.com $s1 infra-backend-v1
	expect GET very.specific.com:1234 $s1 infra-backend-v1
	expect GET non.matching.com $s1 404
	expect GET foo.nonmatchingwildcard.io $s1 404
	expect GET foo.wildcard.io $s1 404
	expect GET very.specific.com /non-matching-prefix 404
	expect GET foo.wildcard.io /s2 infra-backend-v2
	expect GET bar.wildcard.io /s2 infra-backend-v2
	expect GET foo.bar.wildcard.io /s2 infra-backend-v2
	expect GET non.matching.com /s2 404
	expect GET wildcard.io /s2 404
	expect GET very.specific.com /s2 404
	expect GET foo.wildcard.io /non-matching-prefix 404
	expect GET very.specific.com /s3 infra-backend-v3
	expect GET non.matching.com /s3 404
	expect GET foo.specific.com /s3 404
	expect GET foo.wildcard.io /s3 404
	expect GET very.specific.com /non-matching-prefix 404
	expect GET foo.anotherwildcard.io /s4 infra-backend-v1
	expect GET bar.anotherwildcard.io /s4 infra-backend-v1
	expect GET foo.bar.anotherwildcard.io /s4 infra-backend-v1
	expect GET anotherwildcard.io /s4 404
	expect GET foo.wildcard.io /s4 404
	expect GET very.specific.com /s4 404
	expect GET foo.anotherwildcard.io /non-matching-prefix 404
	# the route no listener's hostname intersects
	assert_eq "no-intersecting-hosts Accepted" False/NoMatchingListenerHostname \
		"$(route_cond $INFRA no-intersecting-hosts Accepted)"
	expect GET specific.but.wrong.com /s5 404
	expect GET wildcard.io /s5 404
	assert_eq "listener-1 attachedRoutes" 2 "$(gw_attached httproute-hostname-intersection listener-1)"
	assert_eq "listener-2 attachedRoutes" 1 "$(gw_attached httproute-hostname-intersection listener-2)"
	assert_eq "listener-3 attachedRoutes" 1 "$(gw_attached httproute-hostname-intersection listener-3)"
	# the Gateway without listener hostnames: the route's hostnames only
	route_accepted $INFRA httproute-hostname-intersection-all
	URL=http://10.200.0.3
	for h in first.com sub.first.com second.com sub.second.com; do
		expect GET "$h" / infra-backend-v2
	done
	for h in third.com sub.third.com; do
		expect GET "$h" / 404
	done
}

# gw_attached GATEWAY LISTENER: status.listeners[NAME].attachedRoutes (namespace infra).
gw_attached()
{
	ns_exec "$NS_GW" "$GWCTL" get gateway "$1" -n $INFRA --state-dir "$STATE" \
		-o jsonpath="{.status.listeners[?(@.name==\"$2\")].attachedRoutes}"
}

# HTTPRouteListenerHostnameMatching
test_conf_listener_hostname_matching()
{
	local g=httproute-listener-hostname-matching

	conf_setup
	{ conf_base
	  cat <<EOF
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: $g, namespace: $INFRA}
spec:
  gatewayClassName: xdpgw
  listeners:
  - {name: listener-1, port: 80, protocol: HTTP, allowedRoutes: {namespaces: {from: Same}}, hostname: bar.com}
  - {name: listener-2, port: 80, protocol: HTTP, allowedRoutes: {namespaces: {from: Same}}, hostname: foo.bar.com}
  - {name: listener-3, port: 80, protocol: HTTP, allowedRoutes: {namespaces: {from: Same}}, hostname: '*.bar.com'}
  - {name: listener-4, port: 80, protocol: HTTP, allowedRoutes: {namespaces: {from: Same}}, hostname: '*.foo.com'}
---
EOF
	  conf_route $INFRA backend-v1 "[{name: $g, namespace: $INFRA, sectionName: listener-1}]" \
		"  rules: [{backendRefs: [{name: infra-backend-v1, port: 8080}]}]"
	  conf_route $INFRA backend-v2 "[{name: $g, namespace: $INFRA, sectionName: listener-2}]" \
		"  rules: [{backendRefs: [{name: infra-backend-v2, port: 8080}]}]"
	  conf_route $INFRA backend-v3 "[{name: $g, namespace: $INFRA, sectionName: listener-3},
    {name: $g, namespace: $INFRA, sectionName: listener-4}]" \
		"  rules: [{backendRefs: [{name: infra-backend-v3, port: 8080}]}]"
	} | gw_load
	route_accepted $INFRA backend-v1 backend-v2 backend-v3
	expect GET bar.com / infra-backend-v1
	expect GET foo.bar.com / infra-backend-v2
	expect GET baz.bar.com / infra-backend-v3
	expect GET boo.bar.com / infra-backend-v3
	expect GET multiple.prefixes.bar.com / infra-backend-v3
	expect GET multiple.prefixes.foo.com / infra-backend-v3
	expect GET foo.com / 404
	expect GET no.matching.host / 404
}

# HTTPRouteCrossNamespace
test_conf_cross_namespace()
{
	conf_setup
	{ conf_base backend-namespaces
	  conf_route gateway-conformance-web-backend cross-namespace \
		"[{name: backend-namespaces, namespace: $INFRA}]" \
		"  rules: [{backendRefs: [{name: web-backend, port: 8080}]}]"
	} | gw_load
	route_accepted gateway-conformance-web-backend cross-namespace
	expect GET - / web-backend@gateway-conformance-web-backend
}

# HTTPRouteWeight: 70/30/0 over one Service each, judged like
# weight.TestWeightedDistribution (500 requests, each share within 0.05 of
# its weight, weight 0 gets none), up to weight.MaxTestRetries (10) tries.
test_conf_weight()
{
	local out n1 n2 n3 try

	conf_setup
	{ conf_base same-namespace
	  conf_route $INFRA weighted-backends "[{name: same-namespace}]" "  rules:
  - backendRefs:
    - {name: infra-backend-v1, port: 8080, weight: 70}
    - {name: infra-backend-v2, port: 8080, weight: 30}
    - {name: infra-backend-v3, port: 8080, weight: 0}"
	} | gw_load
	route_accepted $INFRA weighted-backends
	expect GET - / 200
	for ((try = 1; try <= 10; try++)); do
		out=$(gcurl "$URL/w[1-500]") || fail "curl failed"
		n1=$(grep -o '"pod":"infra-backend-v1"' <<<"$out" | wc -l)
		n2=$(grep -o '"pod":"infra-backend-v2"' <<<"$out" | wc -l)
		n3=$(grep -o '"pod":"infra-backend-v3"' <<<"$out" | wc -l)
		echo "try $try: 70/30/0 over 500: $n1 / $n2 / $n3"
		weight_ok "$n1" "$n2" "$n3" 70 30 0 && return 0
	done
	fail "weighted distribution never within tolerance in 10 tries"
}

# HTTPRouteServiceTypes: a Service with manual EndpointSlices (one per
# address family, the IPv6 one empty as the test leaves it when the pod has
# no IPv6 address), a headless Service and a headless one with manual
# EndpointSlices. The headless Service with a selector has its slice from the
# EndpointSlice controller upstream; here it is written as that controller
# would (no API server).
test_conf_service_types()
{
	local s

	conf_setup
	{ conf_base same-namespace
	  for s in manual-endpointslices headless headless-manual-endpointslices; do
		cat <<EOF
apiVersion: v1
kind: Service
metadata: {name: $s, namespace: $INFRA}
spec:
  $([ "$s" = manual-endpointslices ] || echo "clusterIP: None")
  ports: [{name: first-port, protocol: TCP, port: 8080, targetPort: 8080}]
---
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata: {name: $s-ip4, namespace: $INFRA, labels: {kubernetes.io/service-name: $s}}
addressType: IPv4
ports: [{name: first-port, port: 8080, protocol: TCP}]
endpoints:
- addresses: ["${BE4[1]}"]
  conditions: {ready: true, serving: true, terminating: false}
  targetRef: {kind: Pod, name: infra-backend-v1, namespace: $INFRA}
---
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata: {name: $s-ip6, namespace: $INFRA, labels: {kubernetes.io/service-name: $s}}
addressType: IPv6
ports: [{name: first-port, port: 8080, protocol: TCP}]
---
EOF
	  done
	  conf_route $INFRA service-types "[{name: same-namespace}]" "  rules:
  - matches: [{path: {type: Exact, value: /manual-endpointslices}}]
    backendRefs: [{name: manual-endpointslices, port: 8080}]
  - matches: [{path: {type: Exact, value: /headless}}]
    backendRefs: [{name: headless, port: 8080}]
  - matches: [{path: {type: Exact, value: /headless-manual-endpointslices}}]
    backendRefs: [{name: headless-manual-endpointslices, port: 8080}]"
	} | gw_load
	route_accepted $INFRA service-types
	for s in manual-endpointslices headless headless-manual-endpointslices; do
		expect GET - "/$s" infra-backend-v1
	done
}

# HTTPRouteMultipleGateways: same-namespace on 10.200.0.1, all-namespaces on
# 10.200.0.3 (each Gateway has its own address upstream).
test_conf_multiple_gateways()
{
	conf_setup
	ns_exec "$NS_GW" ip addr add 10.200.0.3/24 dev "$GW_CLI_IF"
	{ conf_base same-namespace=10.200.0.1 all-namespaces=10.200.0.3
	  conf_route $INFRA multiple-gateways-shared-route \
		"[{name: same-namespace}, {name: all-namespaces}]" \
		"  rules: [{matches: [{path: {type: PathPrefix, value: /shared}}], backendRefs: [{name: infra-backend-v1, port: 8080}]}]"
	  conf_route $INFRA same-namespace-dedicated-route "[{name: same-namespace}]" \
		"  rules: [{matches: [{path: {type: PathPrefix, value: /}}], backendRefs: [{name: infra-backend-v2, port: 8080}]}]"
	  conf_route $INFRA all-namespaces-dedicated-route "[{name: all-namespaces}]" \
		"  rules: [{matches: [{path: {type: PathPrefix, value: /}}], backendRefs: [{name: infra-backend-v3, port: 8080}]}]"
	} | gw_load
	route_accepted $INFRA same-namespace-dedicated-route all-namespaces-dedicated-route
	assert_eq "shared route Accepted by both parents" "True True" \
		"$(ns_exec "$NS_GW" "$GWCTL" get httproute multiple-gateways-shared-route -n $INFRA \
			--state-dir "$STATE" \
			-o jsonpath='{.status.parents[*].conditions[?(@.type=="Accepted")].status}')"
	expect GET - /shared infra-backend-v1
	expect GET - / infra-backend-v2
	URL=http://10.200.0.3
	expect GET - /shared infra-backend-v1
	expect GET - / infra-backend-v3
}

# HTTPRouteListenerPortMatching
test_conf_listener_port_matching()
{
	local g=httproute-listener-port-matching l n p h

	conf_setup
	{ conf_base
	  echo "apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: $g, namespace: $INFRA}
spec:
  gatewayClassName: xdpgw
  listeners:"
	  for l in 1:80:foo.com 2:8080:foo.com 3:8080:bar.com 4:8090:foo.com 5:8090:bar.com; do
		IFS=: read -r n p h <<<"$l"
		echo "  - {name: listener-$n, port: $p, protocol: HTTP, allowedRoutes: {namespaces: {from: Same}}, hostname: $h}"
	  done
	  echo "---"
	  conf_route $INFRA backend-v1 "[{name: $g, namespace: $INFRA, port: 80}]" \
		"  rules: [{backendRefs: [{name: infra-backend-v1, port: 8080}]}]"
	  conf_route $INFRA backend-v2 "[{name: $g, namespace: $INFRA, port: 8080}]" \
		"  rules: [{backendRefs: [{name: infra-backend-v2, port: 8080}]}]"
	  conf_route $INFRA backend-v3 "[{name: $g, namespace: $INFRA, port: 8090, sectionName: listener-4}]" \
		"  rules: [{backendRefs: [{name: infra-backend-v3, port: 8080}]}]"
	} | gw_load
	route_accepted $INFRA backend-v1 backend-v2 backend-v3
	expect GET foo.com / infra-backend-v1
	URL=http://10.200.0.1:8080
	expect GET foo.com:8080 / infra-backend-v2
	expect GET bar.com:8080 / infra-backend-v2
	URL=http://10.200.0.1:8090
	expect GET foo.com:8090 / infra-backend-v3
	expect GET bar.com:8090 / 404
}

# HTTPRouteNoBackendRefs (httproute-omitted-backendrefs)
test_conf_no_backend_refs()
{
	conf_setup
	{ conf_base same-namespace
	  conf_route $INFRA omitted-backendrefs "[{name: same-namespace}]" "  rules:
  - matches: [{path: {type: Exact, value: /omitted-no-forward}}]
  - matches: [{path: {type: Exact, value: /empty-no-forward}}]
    backendRefs: []
  - matches: [{path: {type: PathPrefix, value: /}}]
    backendRefs: [{name: infra-backend-v1, port: 8080}]"
	} | gw_load
	route_accepted $INFRA omitted-backendrefs
	expect GET - /forward infra-backend-v1
	expect GET - /omitted-no-forward 500
	expect GET - /empty-no-forward 500
}

# HTTPRouteInvalidBackendRefUnknownKind, HTTPRouteInvalidNonExistentBackendRef
# and HTTPRouteInvalidCrossNamespaceBackendRef: each route alone on
# same-namespace (upstream applies them one test at a time), Accepted, with
# ResolvedRefs False for the reason the test names, and 500 on the wire.
test_conf_invalid_backend_refs()
{
	local spec name reason path ref

	conf_setup
	for spec in \
		"invalid-backend-ref-unknown-kind|InvalidKind|/v2|{group: unknownkind.example.com, kind: NonExistent, name: infra-backend-v1, port: 8080}" \
		"invalid-nonexistent-backend-ref|BackendNotFound|/|{name: nonexistent, namespace: $INFRA, port: 8080}" \
		"invalid-cross-namespace-backend-ref|RefNotPermitted|/|{name: web-backend, namespace: gateway-conformance-web-backend, port: 8080}"; do
		IFS='|' read -r name reason path ref <<<"$spec"
		{ conf_base same-namespace
		  conf_route $INFRA "$name" "[{name: same-namespace}]" "  rules: [{backendRefs: [$ref]}]"
		} | gw_load
		assert_eq "$name Accepted" True/Accepted "$(route_cond $INFRA "$name" Accepted)"
		assert_eq "$name ResolvedRefs" "False/$reason" "$(route_cond $INFRA "$name" ResolvedRefs)"
		expect GET - "$path" 500
	done
}

# gw_routes GATEWAY: attachedRoutes of each of its listeners (namespace infra).
gw_routes()
{
	ns_exec "$NS_GW" "$GWCTL" get gateway "$1" -n $INFRA --state-dir "$STATE" \
		-o jsonpath='{.status.listeners[*].attachedRoutes}'
}

# HTTPRouteInvalidCrossNamespaceParentRef,
# HTTPRouteInvalidParentRefNotMatchingSectionName and
# HTTPRouteInvalidParentRefSectionNameNotMatchingPort: Accepted False with
# the reason the test names, no accepted parent, no route attached.
test_conf_invalid_parent_refs()
{
	local g=gateway-with-one-not-matching-port-and-section-name-route

	conf_setup
	{ conf_base same-namespace
	  conf_route gateway-conformance-web-backend invalid-cross-namespace-parent-ref \
		"[{name: same-namespace, namespace: $INFRA}]" \
		"  rules: [{backendRefs: [{name: web-backend, port: 8080}]}]"
	} | gw_load
	assert_eq "cross-namespace parent ResolvedRefs" True/ResolvedRefs \
		"$(route_cond gateway-conformance-web-backend invalid-cross-namespace-parent-ref ResolvedRefs)"
	assert_eq "cross-namespace parent Accepted" False/NotAllowedByListeners \
		"$(route_cond gateway-conformance-web-backend invalid-cross-namespace-parent-ref Accepted)"
	assert_eq "same-namespace has no routes" 0 "$(gw_routes same-namespace)"

	{ conf_base same-namespace
	  conf_route $INFRA httproute-listener-not-matching-section-name \
		"[{name: same-namespace, namespace: $INFRA, port: 80, sectionName: http1}]" \
		"  rules: [{backendRefs: [{name: infra-backend-v1, kind: Service, port: 8080}]}]"
	} | gw_load
	assert_eq "sectionName http1 Accepted" False/NoMatchingParent \
		"$(route_cond $INFRA httproute-listener-not-matching-section-name Accepted)"
	assert_eq "same-namespace has no routes" 0 "$(gw_routes same-namespace)"

	{ conf_base
	  cat <<EOF
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: $g, namespace: $INFRA}
spec:
  gatewayClassName: xdpgw
  listeners: [{name: http, port: 80, protocol: HTTP, allowedRoutes: {kinds: [{kind: HTTPRoute}], namespaces: {from: All}}}]
---
EOF
	  conf_route $INFRA httproute-listener-section-name-not-matching-port \
		"[{name: $g, namespace: $INFRA, sectionName: http, port: 81}]" \
		"  rules: [{backendRefs: [{name: infra-backend-v1, kind: Service, port: 8080}]}]"
	} | gw_load
	assert_eq "sectionName http port 81 Accepted" False/NoMatchingParent \
		"$(route_cond $INFRA httproute-listener-section-name-not-matching-port Accepted)"
	assert_eq "$g has no routes" 0 "$(gw_routes $g)"
}

# HTTPRouteDisallowedKind: an HTTPRoute on a TLSRoute-only listener.
test_conf_disallowed_kind()
{
	conf_setup
	{ conf_base
	  cat <<EOF
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: tlsroutes-only, namespace: $INFRA}
spec:
  gatewayClassName: xdpgw
  listeners:
  - {name: tls, port: 443, protocol: TLS, tls: {mode: Passthrough}, allowedRoutes: {namespaces: {from: Same}, kinds: [{kind: TLSRoute}]}}
---
EOF
	  conf_route $INFRA disallowed-kind "[{name: tlsroutes-only, namespace: $INFRA}]" \
		"  rules: [{backendRefs: [{name: infra-backend-v1, port: 8080}]}]"
	} | gw_load
	assert_eq "ResolvedRefs" True/ResolvedRefs "$(route_cond $INFRA disallowed-kind ResolvedRefs)"
	assert_eq "Accepted" False/NotAllowedByListeners "$(route_cond $INFRA disallowed-kind Accepted)"
	assert_eq "tlsroutes-only has no routes" 0 "$(gw_routes tlsroutes-only)"
}

# reference_grant NAME NS FROMGROUP FROMKIND FROMNS TOGROUP TOKIND TONAME
reference_grant()
{
	cat <<EOF
apiVersion: gateway.networking.k8s.io/v1beta1
kind: ReferenceGrant
metadata: {name: $1, namespace: $2}
spec:
  from: [{group: "$3", kind: $4, namespace: $5}]
  to: [{group: "$6", kind: $7, name: $8}]
---
EOF
}

# HTTPRouteReferenceGrant: allowed with the grant, 500 once it is deleted.
test_conf_reference_grant()
{
	local route

	conf_setup
	route=$(conf_route $INFRA reference-grant "[{name: same-namespace}]" \
		"  rules: [{backendRefs: [{name: web-backend, namespace: gateway-conformance-web-backend, port: 8080}]}]")
	{ conf_base same-namespace
	  reference_grant reference-grant gateway-conformance-web-backend gateway.networking.k8s.io \
		HTTPRoute $INFRA "" Service web-backend
	  echo "$route"
	} | gw_load
	route_accepted $INFRA reference-grant
	expect GET - / web-backend@gateway-conformance-web-backend
	{ conf_base same-namespace; echo "$route"; } | gw_load
	expect GET - / 500
}

# HTTPRouteInvalidReferenceGrant: seven grants, each wrong in one field.
test_conf_invalid_reference_grant()
{
	local w=gateway-conformance-web-backend k=gateway.networking.k8s.io

	conf_setup
	{ conf_base same-namespace
	  reference_grant reference-grant-wrong-namespace $INFRA $k HTTPRoute $INFRA "" Service web-backend
	  reference_grant reference-grant-wrong-from-group $w not-the-group-youre-looking-for HTTPRoute \
		$INFRA "" Service web-backend
	  reference_grant reference-grant-wrong-from-kind $w $k Gateway $INFRA "" Service web-backend
	  reference_grant reference-grant-wrong-from-namespace $w $k HTTPRoute \
		not-the-namespace-youre-looking-for "" Service web-backend
	  reference_grant reference-grant-wrong-to-group $w $k HTTPRoute $INFRA \
		not-the-group-youre-looking-for Service web-backend
	  reference_grant reference-grant-wrong-to-kind $w $k HTTPRoute $INFRA "" Secret web-backend
	  reference_grant reference-grant-wrong-to-name $w $k HTTPRoute $INFRA "" Secret \
		not-the-service-youre-looking-for
	  conf_route $INFRA reference-grant "[{name: same-namespace}]" \
		"  rules: [{backendRefs: [{name: web-backend, namespace: $w, port: 8080}]}]"
	} | gw_load
	assert_eq "Accepted" True/Accepted "$(route_cond $INFRA reference-grant Accepted)"
	assert_eq "ResolvedRefs" False/RefNotPermitted "$(route_cond $INFRA reference-grant ResolvedRefs)"
	expect GET - / 500
}

# HTTPRoutePartiallyInvalidViaInvalidReferenceGrant
test_conf_partially_invalid_reference_grant()
{
	local a=gateway-conformance-app-backend

	conf_setup
	{ conf_base same-namespace
	  reference_grant invalid-reference-grant $a gateway.networking.k8s.io HTTPRoute $INFRA "" \
		Service app-backend-v1
	  conf_route $INFRA invalid-reference-grant "[{name: same-namespace}]" "  rules:
  - matches: [{path: {type: PathPrefix, value: /v2}}]
    backendRefs: [{name: app-backend-v2, namespace: $a, port: 8080}]
  - backendRefs: [{name: app-backend-v1, namespace: $a, port: 8080}]"
	} | gw_load
	assert_eq "Accepted" True/Accepted "$(route_cond $INFRA invalid-reference-grant Accepted)"
	assert_eq "ResolvedRefs" False/RefNotPermitted \
		"$(route_cond $INFRA invalid-reference-grant ResolvedRefs)"
	expect GET - /v2 500
	expect GET - / app-backend-v1@$a
}

# get KIND NAME NS TEMPLATE: gwctl get -o jsonpath (NS "-" for cluster scope).
get()
{
	local ns=()

	[ "$3" = - ] || ns=(-n "$3")
	ns_exec "$NS_GW" "$GWCTL" get "$1" "$2" "${ns[@]}" --state-dir "$STATE" -o jsonpath="$4"
}

# latest KIND NAME NS: kubernetes.*MustHaveLatestConditions: every condition
# of the object (a route's: under every parent) has observedGeneration equal
# to metadata.generation. Prints the generation.
latest()
{
	local gen ogs og where=.status.conditions

	[ "$1" = httproute ] && where='.status.parents[*].conditions'
	gen=$(get "$1" "$2" "$3" '{.metadata.generation}')
	ogs=$(get "$1" "$2" "$3" "{${where}[*].observedGeneration}")
	[ -n "$gen" ] && [ -n "$ogs" ] || fail "$1 $2: no generation ('$gen') or conditions ('$ogs')"
	for og in $ogs; do
		[ "$og" = "$gen" ] || fail "$1 $2: a condition has observedGeneration $og, generation is $gen"
	done
	echo "$gen"
}

# GatewayObservedGenerationBump: a listener added to the Gateway.
test_conf_gateway_observed_generation_bump()
{
	local g=gateway-observed-generation-bump l g1 g2

	conf_setup
	l="  - {name: http, hostname: bar.com, port: 80, protocol: HTTP, allowedRoutes: {namespaces: {from: All}}}"
	for pass in 1 2; do
		{ conf_base
		  printf 'apiVersion: gateway.networking.k8s.io/v1\nkind: Gateway\n'
		  printf 'metadata: {name: %s, namespace: %s}\n' $g $INFRA
		  printf 'spec:\n  gatewayClassName: xdpgw\n  listeners:\n%s\n---\n' "$l"
		} | gw_load
		[ $pass = 1 ] && g1=$(latest gateway $g $INFRA) || g2=$(latest gateway $g $INFRA)
		l="$l
  - {name: alternate, hostname: foo.com, port: 80, protocol: HTTP, allowedRoutes: {namespaces: {from: All}}}"
	done
	[ "$g1" != "$g2" ] || fail "generation should change after an update (stays $g1)"
	assert_eq "Programmed after the update" True \
		"$(get gateway $g $INFRA '{.status.conditions[?(@.type=="Programmed")].status}')"
}

# HTTPRouteObservedGenerationBump: the backendRef changed to infra-backend-v2.
test_conf_httproute_observed_generation_bump()
{
	local g1 g2

	conf_setup
	for be in infra-backend-v1 infra-backend-v2; do
		{ conf_base same-namespace
		  conf_route $INFRA observed-generation-bump "[{name: same-namespace}]" \
			"  rules: [{backendRefs: [{name: $be, port: 8080}]}]"
		} | gw_load
		if [ $be = infra-backend-v1 ]; then
			g1=$(latest httproute observed-generation-bump $INFRA)
		else
			g2=$(latest httproute observed-generation-bump $INFRA)
		fi
	done
	route_accepted $INFRA observed-generation-bump
	[ "$g1" != "$g2" ] || fail "generation should change after an update (stays $g1)"
}

# GatewayClassObservedGenerationBump: spec.description "old" -> "new".
test_conf_gatewayclass_observed_generation_bump()
{
	local c=gatewayclass-observed-generation-bump g1 g2 d

	conf_setup
	for d in old new; do
		{ conf_base
		  printf 'apiVersion: gateway.networking.k8s.io/v1\nkind: GatewayClass\n'
		  printf 'metadata: {name: %s}\nspec: {controllerName: xdpgw.io/gateway-controller, description: %s}\n---\n' $c $d
		} | gw_load
		assert_eq "$c Accepted" True \
			"$(get gatewayclass $c - '{.status.conditions[?(@.type=="Accepted")].status}')"
		[ $d = old ] && g1=$(latest gatewayclass $c -) || g2=$(latest gatewayclass $c -)
	done
	[ "$g1" != "$g2" ] || fail "generation should change after an update (stays $g1)"
}

# conf_secret NS NAME CERTNAME: a kubernetes.io/tls Secret from $PKI.
conf_secret()
{
	cat <<EOF
apiVersion: v1
kind: Secret
metadata: {name: $2, namespace: $1}
type: kubernetes.io/tls
data:
  tls.crt: $(base64 -w0 "$PKI/$3.crt")
  tls.key: $(base64 -w0 "$PKI/$3.key")
---
EOF
}

# listener_ok GATEWAY LISTENER ATTACHED: GatewayStatusMustHaveListeners for
# one listener: HTTPRoute among supportedKinds (gatewayListenersMatch checks
# that the expected kinds are present), Accepted and ResolvedRefs True,
# attachedRoutes. The caller checks the listener names (their count must
# match too).
listener_ok()
{
	local f="{.status.listeners[?(@.name==\"$2\")]"

	assert_eq "$1/$2 Accepted" True \
		"$(get gateway "$1" $INFRA "$f.conditions[?(@.type==\"Accepted\")].status}")"
	assert_eq "$1/$2 ResolvedRefs" True \
		"$(get gateway "$1" $INFRA "$f.conditions[?(@.type==\"ResolvedRefs\")].status}")"
	assert_eq "$1/$2 attachedRoutes" "$3" "$(get gateway "$1" $INFRA "$f.attachedRoutes}")"
	get gateway "$1" $INFRA "$f.supportedKinds[*].kind}" | grep -qw HTTPRoute ||
		fail "$1/$2: HTTPRoute is not among supportedKinds"
}

# GatewayModifyListeners: a listener added to gateway-add-listener, one
# removed from gateway-remove-listener.
test_conf_gateway_modify_listeners()
{
	local https http http2 g1 g2 r1 r2 gr1 gr2

	PKI="$GW_RUN_DIR/pki"
	skip_if_missing openssl
	mkdir -p "$PKI"
	openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=xdpgw test CA" \
		-keyout "$PKI/ca.key" -out "$PKI/ca.crt" 2>/dev/null || fail "cannot make the CA"
	cert_make "$PKI" secure rsa secure.test.com
	conf_setup
	https="  - {name: https, port: 443, protocol: HTTPS, hostname: secure.test.com, allowedRoutes: {namespaces: {from: All}},
     tls: {certificateRefs: [{group: '', kind: Secret, name: tls-validity-checks-certificate, namespace: $INFRA}]}}"
	http="  - {name: http, port: 80, protocol: HTTP, hostname: data.test.com, allowedRoutes: {namespaces: {from: All}}}"
	http2="  - {name: http, port: 80, protocol: HTTP, allowedRoutes: {namespaces: {from: All}}}"
	r1=$(conf_route $INFRA http-route-1 "[{kind: Gateway, name: gateway-add-listener, namespace: $INFRA}]" \
		"  rules: [{backendRefs: [{name: infra-backend-v1, port: 8080}]}]")
	r2=$(conf_route $INFRA http-route-2 "[{kind: Gateway, name: gateway-remove-listener, namespace: $INFRA}]" \
		"  rules: [{backendRefs: [{name: infra-backend-v1, port: 8080}]}]")
	# two Gateways with HTTPS on 443: each has its own address
	ns_exec "$NS_GW" ip addr add 10.200.0.3/24 dev "$GW_CLI_IF"
	conf_gws()
	{
		conf_base
		conf_secret $INFRA tls-validity-checks-certificate secure
		printf 'apiVersion: gateway.networking.k8s.io/v1\nkind: Gateway\nmetadata: {name: gateway-add-listener, namespace: %s}\n' $INFRA
		printf 'spec:\n  gatewayClassName: xdpgw\n  addresses: [{type: IPAddress, value: 10.200.0.1}]\n  listeners:\n%s\n---\n' "$1"
		printf 'apiVersion: gateway.networking.k8s.io/v1\nkind: Gateway\nmetadata: {name: gateway-remove-listener, namespace: %s}\n' $INFRA
		printf 'spec:\n  gatewayClassName: xdpgw\n  addresses: [{type: IPAddress, value: 10.200.0.3}]\n  listeners:\n%s\n---\n' "$2"
		echo "$r1"
		echo "$r2"
	}
	conf_gws "$https" "$https
$http2" | gw_load
	g1=$(latest gateway gateway-add-listener $INFRA)
	gr1=$(latest gateway gateway-remove-listener $INFRA)
	conf_gws "$https
$http" "$http2" | gw_load
	listener_ok gateway-add-listener https 1
	listener_ok gateway-add-listener http 1
	assert_eq "gateway-add-listener listeners" "https http" \
		"$(get gateway gateway-add-listener $INFRA '{.status.listeners[*].name}')"
	g2=$(latest gateway gateway-add-listener $INFRA)
	[ "$g1" != "$g2" ] || fail "gateway-add-listener: generation should change (stays $g1)"
	listener_ok gateway-remove-listener http 1
	assert_eq "gateway-remove-listener listeners" http \
		"$(get gateway gateway-remove-listener $INFRA '{.status.listeners[*].name}')"
	gr2=$(latest gateway gateway-remove-listener $INFRA)
	[ "$gr1" != "$gr2" ] || fail "gateway-remove-listener: generation should change (stays $gr1)"
}

# GatewayWithAttachedRoutes
test_conf_gateway_with_attached_routes()
{
	local sel="{kinds: [{kind: HTTPRoute}], namespaces: {from: Selector, selector: {matchLabels: {kubernetes.io/metadata.name: $INFRA}}}}"
	local be="  rules: [{backendRefs: [{name: infra-backend-v1, port: 8080}]}]"
	local u=unresolved-gateway-with-one-attached-unresolved-route g

	conf_setup
	ns_exec "$NS_GW" ip addr add 10.200.0.3/24 dev "$GW_CLI_IF"
	{ conf_base
	  cat <<EOF
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: gateway-with-one-attached-route, namespace: $INFRA}
spec:
  gatewayClassName: xdpgw
  addresses: [{type: IPAddress, value: 10.200.0.1}]
  listeners: [{name: http, port: 80, protocol: HTTP, allowedRoutes: $sel}]
---
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: gateway-with-two-attached-routes, namespace: $INFRA}
spec:
  gatewayClassName: xdpgw
  addresses: [{type: IPAddress, value: 10.200.0.3}]
  listeners: [{name: http, port: 80, protocol: HTTP, hostname: foo.example.com, allowedRoutes: $sel}]
---
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: $u, namespace: $INFRA, annotations: {gateway-api/skip-this-for-readiness: "true"}}
spec:
  gatewayClassName: xdpgw
  listeners:
  - {name: tls, port: 443, protocol: HTTPS, allowedRoutes: $sel,
     tls: {certificateRefs: [{group: '', kind: Secret, name: does-not-exist}], mode: Terminate}}
---
EOF
	  conf_route $INFRA http-route-1 "[{kind: Gateway, name: gateway-with-one-attached-route, namespace: $INFRA}]" "$be"
	  conf_route $INFRA http-route-2 "[{kind: Gateway, name: gateway-with-two-attached-routes, namespace: $INFRA}]" "$be"
	  conf_route $INFRA http-route-3 "[{kind: Gateway, name: gateway-with-two-attached-routes, namespace: $INFRA}]" "$be"
	  conf_route $INFRA http-route-not-accepted "[{kind: Gateway, name: gateway-with-two-attached-routes, namespace: $INFRA}]" \
		"  hostnames: [not-accepted.test.com]
$be"
	  conf_route $INFRA http-route-4 "[{kind: Gateway, name: $u, namespace: $INFRA, sectionName: tls}]" \
		"  rules: [{backendRefs: [{name: does-not-exist, port: 8080}]}]"
	} | gw_load
	listener_ok gateway-with-one-attached-route http 1
	listener_ok gateway-with-two-attached-routes http 2
	for g in gateway-with-one-attached-route gateway-with-two-attached-routes $u; do
		assert_eq "$g: one listener" 1 "$(get gateway $g $INFRA '{.status.listeners[*].name}' | wc -w)"
	done
	assert_eq "http-route-not-accepted" False/NoMatchingListenerHostname \
		"$(route_cond $INFRA http-route-not-accepted Accepted)"
	local f='{.status.listeners[?(@.name=="tls")]'
	assert_eq "$u/tls Programmed" False \
		"$(get gateway $u $INFRA "$f.conditions[?(@.type==\"Programmed\")].status}")"
	assert_eq "$u/tls ResolvedRefs" False \
		"$(get gateway $u $INFRA "$f.conditions[?(@.type==\"ResolvedRefs\")].status}")"
	assert_eq "$u/tls attachedRoutes" 1 "$(get gateway $u $INFRA "$f.attachedRoutes}")"
	assert_eq "http-route-4 ResolvedRefs" False \
		"$(route_cond $INFRA http-route-4 ResolvedRefs | cut -d/ -f1)"
}

# gw_cond GATEWAY LISTENER|- TYPE: "Status/Reason" of a condition of the
# Gateway (LISTENER "-") or of one of its listeners (namespace infra).
gw_cond()
{
	local f=.status

	[ "$2" = - ] || f=".status.listeners[?(@.name==\"$2\")]"
	get gateway "$1" $INFRA \
		"{$f.conditions[?(@.type==\"$3\")].status}/{$f.conditions[?(@.type==\"$3\")].reason}"
}

# conf_gw NAME LISTENERS [SPEC]: a Gateway of class xdpgw in the infra
# namespace; LISTENERS is the YAML list, SPEC more lines under spec:.
conf_gw()
{
	printf 'apiVersion: gateway.networking.k8s.io/v1\nkind: Gateway\n'
	printf 'metadata: {name: %s, namespace: %s}\n' "$1" $INFRA
	printf 'spec:\n  gatewayClassName: xdpgw\n%s  listeners: %s\n---\n' "${3:+$3$'\n'}" "$2"
}

# GatewayWithAttachedRoutesWithPort8080
test_conf_gw_attached_8080()
{
	local g=gateway-with-two-listeners-and-one-attached-route

	conf_setup
	{ conf_base
	  conf_gw $g "
  - {name: http-unattached, port: 8080, protocol: HTTP, allowedRoutes: {kinds: [{kind: HTTPRoute}], namespaces: {from: All}}}
  - {name: http, port: 80, protocol: HTTP, allowedRoutes: {kinds: [{kind: HTTPRoute}], namespaces: {from: All}}}"
	  conf_route $INFRA http-route-4-port-8080 "[{kind: Gateway, name: $g, namespace: $INFRA, sectionName: http}]" \
		"  rules: [{backendRefs: [{name: infra-backend-v1, port: 8080}]}]"
	} | gw_load
	listener_ok $g http-unattached 0
	listener_ok $g http 1
	assert_eq "$g listeners" "http-unattached http" "$(get gateway $g $INFRA '{.status.listeners[*].name}')"
}

# GatewayInvalidRouteKind: one Gateway at a time (upstream gives each its
# own address; here both would want port 80 of the node).
test_conf_gateway_invalid_route_kind()
{
	local g kinds

	conf_setup
	for g in gateway-only-invalid-route-kind:"[{kind: InvalidRoute}]" \
		gateway-supported-and-invalid-route-kind:"[{kind: InvalidRoute}, {kind: HTTPRoute}]"; do
		kinds=${g#*:}
		g=${g%%:*}
		{ conf_base
		  conf_gw $g "[{name: http, port: 80, protocol: HTTP, allowedRoutes: {namespaces: {from: All}, kinds: $kinds}}]"
		} | gw_load
		assert_eq "$g/http ResolvedRefs" False/InvalidRouteKinds "$(gw_cond $g http ResolvedRefs)"
		assert_eq "$g/http attachedRoutes" 0 "$(gw_routes $g)"
		assert_eq "$g listeners" http "$(get gateway $g $INFRA '{.status.listeners[*].name}')"
	done
}

# GatewayListenerUnsupportedProtocol
test_conf_gateway_unsupported_protocol()
{
	local g=gateway-only-unsupported-protocols

	conf_setup
	{ conf_base; conf_gw $g "[{name: invalid, port: 1111, protocol: INVALID}]"; } | gw_load
	latest gateway $g $INFRA >/dev/null
	assert_eq "$g Accepted" False/ListenersNotValid "$(gw_cond $g - Accepted)"
	assert_eq "$g/invalid Accepted" False/UnsupportedProtocol "$(gw_cond $g invalid Accepted)"
	assert_eq "$g attachedRoutes" 0 "$(gw_routes $g)"
	g=gateway-supported-and-unsupported-protocols
	{ conf_base
	  conf_gw $g "[{name: http, port: 80, protocol: HTTP}, {name: invalid, port: 1111, protocol: INVALID}]"
	} | gw_load
	latest gateway $g $INFRA >/dev/null
	assert_eq "$g Accepted" True/ListenersNotValid "$(gw_cond $g - Accepted)"
	assert_eq "$g/http Accepted" True/Accepted "$(gw_cond $g http Accepted)"
	get gateway $g $INFRA '{.status.listeners[?(@.name=="http")].supportedKinds[*].kind}' |
		grep -qw HTTPRoute || fail "$g/http: HTTPRoute is not among supportedKinds"
	assert_eq "$g/invalid Accepted" False/UnsupportedProtocol "$(gw_cond $g invalid Accepted)"
	assert_eq "$g attachedRoutes" "0 0" "$(gw_routes $g)"
}

# GatewayInvalidParametersRef
test_conf_gateway_invalid_parameters_ref()
{
	local g=gateway-invalid-parameters-ref

	conf_setup
	{ conf_base
	  conf_gw $g "[{name: http, port: 80, protocol: HTTP}]" \
		"  infrastructure: {parametersRef: {group: invalid.io, kind: InvalidParameters, name: invalid}}"
	} | gw_load
	latest gateway $g $INFRA >/dev/null
	assert_eq "$g Accepted" False/InvalidParameters "$(gw_cond $g - Accepted)"
}

# GatewayInvalidTLSConfiguration: a nonexistent Secret, a ref of the wrong
# group, of the wrong kind, and a malformed Secret; one Gateway at a time.
test_conf_gateway_invalid_tls_configuration()
{
	local spec g ref

	conf_setup
	for spec in "gateway-certificate-nonexistent-secret|{group: '', kind: Secret, name: nonexistent-certificate}" \
		"gateway-certificate-unsupported-group|{group: wrong.group.company.io, kind: Secret, name: tls-validity-checks-certificate}" \
		"gateway-certificate-unsupported-kind|{group: '', kind: WrongKind, name: tls-validity-checks-certificate}" \
		"gateway-certificate-malformed-secret|{group: '', kind: Secret, name: malformed-certificate}"; do
		IFS='|' read -r g ref <<<"$spec"
		{ conf_base
		  cat <<EOF
apiVersion: v1
kind: Secret
metadata: {name: malformed-certificate, namespace: $INFRA}
data: {tls.crt: SGVsbG8gd29ybGQK, tls.key: SGVsbG8gd29ybGQK}
type: kubernetes.io/tls
---
EOF
		  conf_gw $g "[{name: https, port: 443, protocol: HTTPS, allowedRoutes: {namespaces: {from: All}}, tls: {certificateRefs: [$ref]}}]"
		} | gw_load
		assert_eq "$g/https ResolvedRefs" False/InvalidCertificateRef "$(gw_cond $g https ResolvedRefs)"
		assert_eq "$g attachedRoutes" 0 "$(gw_routes $g)"
	done
}

# conf_pki: $PKI with a CA and the suite's two certificates (suite.go):
# "certificate" in the web-backend namespace for "*", and
# tls-validity-checks-certificate for "*", "*.org", "*.wildcard.org". curl
# (OpenSSL) does not match "*.org" as Go does, so the latter also names the
# hosts the tests send.
conf_pki()
{
	PKI="$GW_RUN_DIR/pki"
	skip_if_missing openssl
	mkdir -p "$PKI"
	openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=xdpgw test CA" \
		-keyout "$PKI/ca.key" -out "$PKI/ca.crt" 2>/dev/null || fail "cannot make the CA"
	conf_cert certificate 'DNS:*'
	conf_cert tls-validity-checks-certificate 'DNS:*,DNS:*.org,DNS:*.wildcard.org,DNS:example.org,DNS:second-example.org,DNS:unknown-example.org,DNS:third-example.wildcard.org,DNS:fourth-example.wildcard.org,DNS:https-listener.org'
}

# conf_cert NAME SANS: $PKI/NAME.{crt,key} signed by $PKI/ca for SANS.
conf_cert()
{
	openssl req -newkey rsa:2048 -nodes -subj "/O=$1/CN=conformance" -keyout "$PKI/$1.key" \
		-out "$PKI/$1.csr" 2>/dev/null || fail "cannot make the request of $1"
	printf 'subjectAltName=%s\n' "$2" >"$PKI/$1.ext"
	openssl x509 -req -in "$PKI/$1.csr" -CA "$PKI/ca.crt" -CAkey "$PKI/ca.key" -CAcreateserial \
		-days 2 -extfile "$PKI/$1.ext" -out "$PKI/$1.crt" 2>/dev/null || fail "cannot sign $1"
}

# GatewaySecretMissingReferenceGrant, GatewaySecretInvalidReferenceGrant,
# GatewaySecretReferenceGrantAllInNamespace,
# GatewaySecretReferenceGrantSpecific: a listener's certificateRef to the
# web-backend namespace, one Gateway at a time.
test_conf_gw_secret_grants()
{
	local w=gateway-conformance-web-backend k=gateway.networking.k8s.io g
	local l="[{name: https, port: 443, protocol: HTTPS, allowedRoutes: {namespaces: {from: All}},
    tls: {certificateRefs: [{group: '', kind: Secret, name: certificate, namespace: $w}]}}]"

	conf_pki
	conf_setup
	g=gateway-secret-missing-reference-grant
	{ conf_base; conf_secret $w certificate certificate; conf_gw $g "$l"; } | gw_load
	assert_eq "$g/https ResolvedRefs" False/RefNotPermitted "$(gw_cond $g https ResolvedRefs)"
	assert_eq "$g attachedRoutes" 0 "$(gw_routes $g)"

	g=gateway-secret-invalid-reference-grant
	{ conf_base; conf_secret $w certificate certificate; conf_gw $g "$l"
	  reference_grant reference-grant-wrong-namespace gateway-conformance-app-backend $k Gateway \
		$INFRA "" Secret certificate
	  reference_grant reference-grant-wrong-from-group $w not-the-group-youre-looking-for Gateway \
		$INFRA "" Secret certificate
	  reference_grant reference-grant-wrong-from-kind $w $k HTTPRoute $INFRA "" Secret certificate
	  reference_grant reference-grant-wrong-from-namespace $w $k Gateway \
		not-the-namespace-youre-looking-for "" Secret certificate
	  reference_grant reference-grant-wrong-to-group $w $k Gateway $INFRA \
		not-the-group-youre-looking-for Secret not-the-certificate-youre-looking-for
	  reference_grant reference-grant-wrong-to-kind $w $k Gateway $INFRA "" Service certificate
	  reference_grant reference-grant-wrong-to-name $w $k Gateway $INFRA "" Secret \
		not-the-certificate-youre-looking-for
	} | gw_load
	assert_eq "$g/https ResolvedRefs" False/RefNotPermitted "$(gw_cond $g https ResolvedRefs)"
	assert_eq "$g attachedRoutes" 0 "$(gw_routes $g)"

	for g in gateway-secret-reference-grant-all-in-namespace gateway-secret-reference-grant-specific; do
		{ conf_base; conf_secret $w certificate certificate; conf_gw $g "$l"
		  if [ $g = gateway-secret-reference-grant-specific ]; then
			reference_grant reference-grant-specific $w $k Gateway $INFRA "" Secret certificate
		  else
			cat <<EOF
apiVersion: gateway.networking.k8s.io/v1beta1
kind: ReferenceGrant
metadata: {name: reference-grant-all-in-namespace, namespace: $w}
spec:
  from: [{group: $k, kind: Gateway, namespace: $INFRA}]
  to: [{group: "", kind: Secret}]
---
EOF
		  fi
		} | gw_load
		assert_eq "$g/https Programmed" True/Programmed "$(gw_cond $g https Programmed)"
		assert_eq "$g/https ResolvedRefs" True "$(gw_cond $g https ResolvedRefs | cut -d/ -f1)"
		assert_eq "$g attachedRoutes" 0 "$(gw_routes $g)"
	done
}

# tls_expect HOST PATH WANT: expect over HTTPS to 10.200.0.1:443 with SNI
# and Host HOST, trusting the suite's certificate (as
# tls.MakeTLSRequestAndExpectEventuallyConsistentResponse does).
tls_expect()
{
	URL="https://$1" expect GET "$1" "$2" "$3" --cacert "$PKI/ca.crt" --resolve "$1:443:10.200.0.1"
}

# conf_https_gw: same-namespace-with-https-listener of the base manifests.
conf_https_gw()
{
	local l="" n h tls="tls: {certificateRefs: [{group: '', kind: Secret, name: tls-validity-checks-certificate, namespace: $INFRA}]}"

	for n in https https-with-hostname:second-example.org https-with-wildcard-hostname:'"*.wildcard.org"' \
		https-with-hostname-matching-wildcard:fourth-example.wildcard.org; do
		h=""
		[[ "$n" == *:* ]] && h="hostname: ${n#*:}, "
		l="$l
  - {name: ${n%%:*}, port: 443, ${h}protocol: HTTPS, allowedRoutes: {namespaces: {from: Same}}, $tls}"
	done
	conf_secret $INFRA tls-validity-checks-certificate tls-validity-checks-certificate
	conf_gw same-namespace-with-https-listener "$l"
}

# HTTPRouteHTTPSListener
test_conf_https_listener()
{
	local g=same-namespace-with-https-listener

	conf_pki
	conf_setup
	{ conf_base; conf_https_gw
	  conf_route $INFRA httproute-https-test "[{name: $g}]" "  hostnames: [example.org]
  rules: [{backendRefs: [{name: infra-backend-v1, port: 8080}]}]"
	  conf_route $INFRA httproute-https-test-no-hostname "[{name: $g, sectionName: https-with-hostname}]" \
		"  rules: [{backendRefs: [{name: infra-backend-v2, port: 8080}]}]"
	} | gw_load
	route_accepted $INFRA httproute-https-test httproute-https-test-no-hostname
	tls_expect example.org / infra-backend-v1
	tls_expect unknown-example.org / 404
	tls_expect second-example.org / infra-backend-v2
}

# rhm_rule PATH WHERE MODIFIER: a rule of httproute-request-header-modifier:
# the RequestHeaderModifier MODIFIER (flow YAML) on the rule (WHERE=rule) or
# on its backendRef (WHERE=backend, the -backend.yaml variant).
rhm_rule()
{
	local f="[{type: RequestHeaderModifier, requestHeaderModifier: $3}]"

	if [ "$2" = rule ]; then
		echo "  - {matches: [{path: {type: PathPrefix, value: $1}}], filters: $f, backendRefs: [{name: infra-backend-v1, port: 8080}]}"
	else
		echo "  - {matches: [{path: {type: PathPrefix, value: $1}}], backendRefs: [{name: infra-backend-v1, port: 8080, filters: $f}]}"
	fi
}

# The cases of HTTPRouteRequestHeaderModifier, on the rule or the backendRef.
request_header_modifier()
{
	conf_setup
	{ conf_base same-namespace
	  conf_route $INFRA request-header-modifier "[{name: same-namespace}]" "  rules:
$(rhm_rule /set "$1" "{set: [{name: X-Header-Set, value: set-overwrites-values}]}")
$(rhm_rule /add "$1" "{add: [{name: X-Header-Add, value: add-appends-values}]}")
$(rhm_rule /remove "$1" "{remove: [X-Header-Remove]}")
$(rhm_rule /multiple "$1" "{set: [{name: X-Header-Set-1, value: header-set-1}, {name: X-Header-Set-2, value: header-set-2}],
      add: [{name: X-Header-Add-1, value: header-add-1}, {name: X-Header-Add-2, value: header-add-2}, {name: X-Header-Add-3, value: header-add-3}],
      remove: [X-Header-Remove-1, X-Header-Remove-2]}")
$(rhm_rule /case-insensitivity "$1" "{set: [{name: X-Header-Set, value: header-set}],
      add: [{name: X-Header-Add, value: header-add}], remove: [X-Header-Remove]}")"
	} | gw_load
	route_accepted $INFRA request-header-modifier
	REQ_HDRS="Some-Other-Header=val|X-Header-Set=set-overwrites-values" \
		expect GET - /set infra-backend-v1 -H "Some-Other-Header: val"
	REQ_HDRS="Some-Other-Header=val|X-Header-Set=set-overwrites-values" \
		expect GET - /set infra-backend-v1 -H "Some-Other-Header: val" -H "X-Header-Set: some-other-value"
	REQ_HDRS="Some-Other-Header=val|X-Header-Add=add-appends-values" \
		expect GET - /add infra-backend-v1 -H "Some-Other-Header: val"
	REQ_HDRS="Some-Other-Header=val|X-Header-Add=some-other-value,add-appends-values" \
		expect GET - /add infra-backend-v1 -H "Some-Other-Header: val" -H "X-Header-Add: some-other-value"
	REQ_ABSENT=X-Header-Remove expect GET - /remove infra-backend-v1 -H "X-Header-Remove: val"
	REQ_HDRS="X-Header-Set-1=header-set-1|X-Header-Set-2=header-set-2|X-Header-Add-1=header-add-1|X-Header-Add-2=add-val-2,header-add-2|X-Header-Add-3=header-add-3|Another-Header=another-header-val" \
	REQ_ABSENT="X-Header-Remove-1|X-Header-Remove-2" \
		expect GET - /multiple infra-backend-v1 -H "X-Header-Set-2: set-val-2" \
		-H "X-Header-Add-2: add-val-2" -H "X-Header-Remove-2: remove-val-2" \
		-H "Another-Header: another-header-val"
	REQ_HDRS="X-Header-Set=header-set|X-Header-Add=original-val-add,header-add|Another-Header=another-header-val" \
	REQ_ABSENT="x-header-remove|X-Header-Remove" \
		expect GET - /case-insensitivity infra-backend-v1 -H "x-header-set: original-val-set" \
		-H "x-header-add: original-val-add" -H "x-header-remove: original-val-remove" \
		-H "Another-Header: another-header-val"
}

# HTTPRouteRequestHeaderModifier
test_conf_request_header_modifier()
{
	request_header_modifier rule
}

# HTTPRouteBackendRequestHeaderModifier: the same cases, filters on backendRefs.
test_conf_backend_request_header_modifier()
{
	request_header_modifier backend
}

# HTTPRouteRequestHeaderModifierBackendWeights: 100 requests over two
# weighted backendRefs, each setting "Backend" to its own name; every
# request carries exactly one Backend field naming the pod that answered.
test_conf_header_modifier_backend_weights()
{
	local out i b

	conf_setup
	{ conf_base same-namespace
	  conf_route $INFRA request-header-modifier-backend-weights "[{name: same-namespace}]" "  rules:
  - backendRefs:
    - {name: infra-backend-v1, port: 8080, weight: 10, filters: [{type: RequestHeaderModifier, requestHeaderModifier: {set: [{name: Backend, value: infra-backend-v1}]}}]}
    - {name: infra-backend-v2, port: 8080, weight: 10, filters: [{type: RequestHeaderModifier, requestHeaderModifier: {set: [{name: Backend, value: infra-backend-v2}]}}]}"
	} | gw_load
	route_accepted $INFRA request-header-modifier-backend-weights
	out=$(gcurl "$URL/[1-100]") || fail "curl failed"
	i=0
	while read -r b; do
		i=$((i + 1))
		[[ "$b" =~ ^(infra-backend-v[12])\ ([^,]+)$ ]] && [ "${BASH_REMATCH[1]}" = "${BASH_REMATCH[2]}" ] ||
			fail "request $i: pod and its single Backend field differ: '$b'"
	done < <(jq -r '"\(.pod) \(.headers.backend)"' <<<"$out")
	assert_eq "requests checked" 100 "$i"
}

# HTTPRouteResponseHeaderModifier: the backend adds fields on request
# (X-Echo-Set-Header), the filter sets, adds and removes.
test_conf_response_header_modifier()
{
	local f

	conf_setup
	f() { echo "  - {matches: [{path: {type: PathPrefix, value: $1}}], filters: [$2], backendRefs: [{name: infra-backend-v1, port: 8080}]}"; }
	{ conf_base same-namespace
	  conf_route $INFRA response-header-modifier "[{name: same-namespace}]" "  rules:
$(f /set "{type: ResponseHeaderModifier, responseHeaderModifier: {set: [{name: X-Header-Set, value: set-overwrites-values}]}}")
$(f /add "{type: ResponseHeaderModifier, responseHeaderModifier: {add: [{name: X-Header-Add, value: add-appends-values}]}}")
$(f /remove "{type: ResponseHeaderModifier, responseHeaderModifier: {remove: [X-Header-Remove]}}")
$(f /multiple "{type: ResponseHeaderModifier, responseHeaderModifier: {set: [{name: X-Header-Set-1, value: header-set-1}, {name: X-Header-Set-2, value: header-set-2}],
      add: [{name: X-Header-Add-1, value: header-add-1}, {name: X-Header-Add-2, value: header-add-2}, {name: X-Header-Add-3, value: header-add-3}],
      remove: [X-Header-Remove-1, X-Header-Remove-2]}}")
$(f /case-insensitivity "{type: ResponseHeaderModifier, responseHeaderModifier: {set: [{name: X-Header-Set, value: header-set}],
      add: [{name: X-Header-Add, value: header-add}, {name: x-lowercase-add, value: lowercase-add}, {name: x-Mixedcase-ADD-1, value: mixedcase-add-1},
        {name: X-mixeDcase-add-2, value: mixedcase-add-2}, {name: X-UPPERCASE-ADD, value: uppercase-add}],
      remove: [X-Header-Remove]}}")
$(f /response-and-request-header-modifiers "{type: ResponseHeaderModifier, responseHeaderModifier: {set: [{name: X-Header-Set-1, value: header-set-1}, {name: X-Header-Set-2, value: header-set-2}],
      add: [{name: X-Header-Add-1, value: header-add-1}, {name: X-Header-Add-2, value: header-add-2}], remove: [X-Header-Remove-1, X-Header-Remove-2]}},
    {type: RequestHeaderModifier, requestHeaderModifier: {set: [{name: X-Header-Set, value: set-overwrites-values}],
      add: [{name: X-Header-Add, value: header-val-1}, {name: X-Header-Add-Append, value: header-val-2}], remove: [X-Header-Remove]}}")"
	} | gw_load
	route_accepted $INFRA response-header-modifier
	BE_SET="Some-Other-Header:val" RESP_HDRS="Some-Other-Header=val|X-Header-Set=set-overwrites-values" \
		expect GET - /set infra-backend-v1
	BE_SET="Some-Other-Header:val,X-Header-Set:some-other-value" \
	RESP_HDRS="Some-Other-Header=val|X-Header-Set=set-overwrites-values" \
		expect GET - /set infra-backend-v1
	BE_SET="Some-Other-Header:val" RESP_HDRS="Some-Other-Header=val|X-Header-Add=add-appends-values" \
		expect GET - /add infra-backend-v1
	BE_SET="Some-Other-Header:val,X-Header-Add:some-other-value" \
	RESP_HDRS="Some-Other-Header=val|X-Header-Add=some-other-value,add-appends-values" \
		expect GET - /add infra-backend-v1
	BE_SET="X-Header-Remove:val" RESP_ABSENT=X-Header-Remove expect GET - /remove infra-backend-v1
	BE_SET="X-Header-Set-2:set-val-2,X-Header-Add-2:add-val-2,X-Header-Remove-2:remove-val-2,Another-Header:another-header-val,X-Header-Remove-1:val" \
	RESP_HDRS="X-Header-Set-1=header-set-1|X-Header-Set-2=header-set-2|X-Header-Add-1=header-add-1|X-Header-Add-2=add-val-2,header-add-2|X-Header-Add-3=header-add-3|Another-Header=another-header-val" \
	RESP_ABSENT="X-Header-Remove-1|X-Header-Remove-2" \
		expect GET - /multiple infra-backend-v1
	BE_SET="x-header-set:original-val-set,x-header-add:original-val-add,x-header-remove:original-val-remove,Another-Header:another-header-val" \
	RESP_HDRS="X-Header-Set=header-set|X-Header-Add=original-val-add,header-add|X-Lowercase-Add=lowercase-add|X-Mixedcase-Add-1=mixedcase-add-1|X-Mixedcase-Add-2=mixedcase-add-2|X-Uppercase-Add=uppercase-add|Another-Header=another-header-val" \
	RESP_ABSENT="x-header-remove|X-Header-Remove" \
		expect GET - /case-insensitivity infra-backend-v1
	BE_SET="X-Header-Set-2:set-val-2,X-Header-Add-2:add-val-2,X-Header-Remove-2:remove-val-2,Another-Header:another-header-val,X-Header-Remove-1:remove-val-1,X-Header-Echo:echo" \
	REQ_HDRS="X-Header-Add=header-val-1|X-Header-Set=set-overwrites-values|X-Header-Add-Append=append-val-1,header-val-2|X-Header-Echo=echo" \
	REQ_ABSENT=X-Header-Remove \
	RESP_HDRS="X-Header-Set-1=header-set-1|X-Header-Set-2=header-set-2|X-Header-Add-1=header-add-1|X-Header-Add-2=add-val-2,header-add-2|Another-Header=another-header-val|X-Header-Echo=echo" \
	RESP_ABSENT="X-Header-Remove-1|X-Header-Remove-2" \
		expect GET - /response-and-request-header-modifiers infra-backend-v1 \
		-H "X-Header-Remove: remove-val" -H "X-Header-Add-Append: append-val-1" -H "X-Header-Echo: echo"
}

# redirect METHOD HOST PATH CODE SCHEME RHOST PORT RPATH [curl args]: a
# redirect answer and its Location as http.CompareRoundTrip judges it: an
# empty RHOST is not checked, an empty SCHEME or RPATH means the request's,
# an empty PORT means none or the scheme's default.
redirect()
{
	local method=$1 host=$2 path=$3 code=$4 scheme=$5 rhost=$6 port=$7 rpath=$8 out loc
	local re='^([a-zA-Z]+)://(\[[^]]*\]|[^/:?#]*)(:([0-9]+))?([^?#]*)'

	shift 8
	[ "$host" = - ] || set -- -H "Host: $host" "$@"
	out=$(gcurl -X "$method" -o /dev/null -w '%{http_code} %{redirect_url}' "$@" "$URL$path") ||
		fail "$method $host$path: curl failed"
	assert_eq "$method $host$path status" "$code" "${out%% *}"
	loc=${out#* }
	[[ "$loc" =~ $re ]] || fail "$method $host$path: Location '$loc' is no absolute URL"
	assert_eq "$method $host$path redirect scheme" "${scheme:-${URL%%:*}}" "${BASH_REMATCH[1]}"
	[ -z "$rhost" ] || assert_eq "$method $host$path redirect host" "$rhost" "${BASH_REMATCH[2]}"
	if [ -n "$port" ]; then
		assert_eq "$method $host$path redirect port" "$port" "${BASH_REMATCH[4]}"
	else
		case ${BASH_REMATCH[1]}:${BASH_REMATCH[4]} in
		http: | http:80 | https: | https:443) ;;
		*) fail "$method $host$path: redirect port '${BASH_REMATCH[4]}' for ${BASH_REMATCH[1]}" ;;
		esac
	fi
	assert_eq "$method $host$path redirect path" "${rpath:-$path}" "${BASH_REMATCH[5]}"
}

# rr PATH REDIRECT: a rule of PathPrefix PATH with that requestRedirect.
rr()
{
	echo "  - {matches: [{path: {type: PathPrefix, value: $1}}], filters: [{type: RequestRedirect, requestRedirect: $2}]}"
}

# HTTPRouteRedirectHostAndStatus
test_conf_redirect_host_and_status()
{
	conf_setup
	{ conf_base same-namespace
	  conf_route $INFRA redirect-host-and-status "[{name: same-namespace}]" "  rules:
$(rr /hostname-redirect "{hostname: example.org}")
$(rr /host-and-status "{statusCode: 301, hostname: example.org}")"
	} | gw_load
	route_accepted $INFRA redirect-host-and-status
	redirect GET - /hostname-redirect 302 "" example.org "" ""
	redirect GET - /host-and-status 301 "" example.org "" ""
}

# HTTPRouteRedirectPath
test_conf_redirect_path()
{
	conf_setup
	{ conf_base same-namespace
	  conf_route $INFRA redirect-path "[{name: same-namespace}]" "  rules:
$(rr /original-prefix "{path: {type: ReplacePrefixMatch, replacePrefixMatch: /replacement-prefix}}")
$(rr /full "{path: {type: ReplaceFullPath, replaceFullPath: /full-path-replacement}}")
$(rr /path-and-host "{hostname: example.org, path: {type: ReplacePrefixMatch, replacePrefixMatch: /replacement-prefix}}")
$(rr /path-and-status "{path: {type: ReplacePrefixMatch, replacePrefixMatch: /replacement-prefix}, statusCode: 301}")
$(rr /full-path-and-host "{hostname: example.org, path: {type: ReplaceFullPath, replaceFullPath: /replacement-full}}")
$(rr /full-path-and-status "{path: {type: ReplaceFullPath, replaceFullPath: /replacement-full}, statusCode: 301}")"
	} | gw_load
	route_accepted $INFRA redirect-path
	redirect GET - /original-prefix/lemon 302 "" "" "" /replacement-prefix/lemon
	redirect GET - /full/path/original 302 "" "" "" /full-path-replacement
	redirect GET - /path-and-host 302 "" example.org "" /replacement-prefix
	redirect GET - /path-and-status 301 "" "" "" /replacement-prefix
	redirect GET - /full-path-and-host 302 "" example.org "" /replacement-full
	redirect GET - /full-path-and-status 301 "" "" "" /replacement-full
}

# HTTPRouteRedirectPort
test_conf_redirect_port()
{
	conf_setup
	{ conf_base same-namespace
	  conf_route $INFRA redirect-port "[{name: same-namespace}]" "  rules:
$(rr /port "{port: 8083}")
$(rr /port-and-host "{hostname: example.org, port: 8083}")
$(rr /port-and-status "{port: 8083, statusCode: 301}")
$(rr /port-and-host-and-status "{port: 8083, hostname: example.org, statusCode: 302}")"
	} | gw_load
	route_accepted $INFRA redirect-port
	redirect GET - /port 302 "" "" 8083 ""
	redirect GET - /port-and-host 302 "" example.org 8083 ""
	redirect GET - /port-and-status 301 "" "" 8083 ""
	redirect GET - /port-and-host-and-status 302 "" example.org 8083 ""
}

# HTTPRouteRedirectScheme
test_conf_redirect_scheme()
{
	conf_setup
	{ conf_base same-namespace
	  conf_route $INFRA redirect-scheme "[{name: same-namespace}]" "  rules:
$(rr /scheme "{scheme: https}")
$(rr /scheme-and-host "{hostname: example.org, scheme: https}")
$(rr /scheme-and-status "{scheme: https, statusCode: 301}")
$(rr /scheme-and-host-and-status "{scheme: https, statusCode: 302, hostname: example.org}")"
	} | gw_load
	route_accepted $INFRA redirect-scheme
	redirect GET - /scheme 302 https "" "" ""
	redirect GET - /scheme-and-host 302 https example.org "" ""
	redirect GET - /scheme-and-status 301 https "" "" ""
	redirect GET - /scheme-and-host-and-status 302 https example.org "" ""
}

# HTTPRouteRedirectPortAndScheme: listeners on 80, 8080 and 443 (HTTPS).
test_conf_redirect_port_and_scheme()
{
	local h="hostname: example.org"

	conf_pki
	conf_setup
	{ conf_base same-namespace; conf_https_gw
	  conf_gw same-namespace-with-http-listener-on-8080 \
		"[{name: http, port: 8080, protocol: HTTP, allowedRoutes: {namespaces: {from: Same}}}]"
	  conf_route $INFRA http-route-for-listener-on-port-80 "[{name: same-namespace}]" "  rules:
$(rr /scheme-nil-and-port-nil "{$h}")
$(rr /scheme-nil-and-port-80 "{port: 80, $h}")
$(rr /scheme-nil-and-port-8080 "{port: 8080, $h}")
$(rr /scheme-https-and-port-nil "{scheme: https, $h}")
$(rr /scheme-https-and-port-443 "{scheme: https, port: 443, $h}")
$(rr /scheme-https-and-port-8443 "{scheme: https, port: 8443, $h}")"
	  conf_route $INFRA http-route-for-listener-on-port-8080 \
		"[{name: same-namespace-with-http-listener-on-8080}]" "  rules:
$(rr /scheme-nil-and-port-nil "{$h}")
$(rr /scheme-nil-and-port-80 "{port: 80, $h}")
$(rr /scheme-https-and-port-nil "{scheme: https, $h}")"
	  conf_route $INFRA http-route-for-listener-on-port-443 "[{name: same-namespace-with-https-listener}]" "  rules:
$(rr /scheme-nil-and-port-nil "{$h}")
$(rr /scheme-nil-and-port-443 "{port: 443, $h}")
$(rr /scheme-nil-and-port-8443 "{port: 8443, $h}")
$(rr /scheme-http-and-port-nil "{scheme: http, $h}")
$(rr /scheme-http-and-port-80 "{scheme: http, port: 80, $h}")
$(rr /scheme-http-and-port-8080 "{scheme: http, port: 8080, $h}")"
	} | gw_load
	route_accepted $INFRA http-route-for-listener-on-port-80 http-route-for-listener-on-port-8080 \
		http-route-for-listener-on-port-443
	redirect GET - /scheme-nil-and-port-nil 302 http example.org "" ""
	redirect GET - /scheme-nil-and-port-80 302 http example.org "" ""
	redirect GET - /scheme-nil-and-port-8080 302 http example.org 8080 ""
	redirect GET - /scheme-https-and-port-nil 302 https example.org "" ""
	redirect GET - /scheme-https-and-port-443 302 https example.org "" ""
	redirect GET - /scheme-https-and-port-8443 302 https example.org 8443 ""
	URL=http://10.200.0.1:8080
	redirect GET - /scheme-nil-and-port-nil 302 http example.org 8080 ""
	redirect GET - /scheme-nil-and-port-80 302 http example.org "" ""
	redirect GET - /scheme-https-and-port-nil 302 https example.org "" ""
	URL=https://example.org
	local tlsargs=(--cacert "$PKI/ca.crt" --resolve "example.org:443:10.200.0.1")
	redirect GET example.org /scheme-nil-and-port-nil 302 https example.org "" "" "${tlsargs[@]}"
	redirect GET example.org /scheme-nil-and-port-443 302 https example.org "" "" "${tlsargs[@]}"
	redirect GET example.org /scheme-nil-and-port-8443 302 https example.org 8443 "" "${tlsargs[@]}"
	redirect GET example.org /scheme-http-and-port-nil 302 http example.org "" "" "${tlsargs[@]}"
	redirect GET example.org /scheme-http-and-port-80 302 http example.org "" "" "${tlsargs[@]}"
	redirect GET example.org /scheme-http-and-port-8080 302 http example.org 8080 "" "${tlsargs[@]}"
}

# HTTPRoute303Redirect, HTTPRoute307Redirect, HTTPRoute308Redirect (one
# route each upstream; here the three in one configuration).
test_conf_redirect_30x()
{
	conf_setup
	{ conf_base same-namespace
	  conf_route $INFRA 303-redirect "[{name: same-namespace}]" "  rules:
$(rr /see-other "{statusCode: 303}")"
	  conf_route $INFRA 307-redirect "[{name: same-namespace}]" "  rules:
$(rr /temporary "{statusCode: 307}")"
	  conf_route $INFRA 308-redirect "[{name: same-namespace}]" "  rules:
$(rr /permanent "{statusCode: 308}")"
	} | gw_load
	route_accepted $INFRA 303-redirect 307-redirect 308-redirect
	redirect POST - /see-other 303 "" "" "" /see-other
	redirect GET - /temporary 307 "" "" "" /temporary
	redirect GET - /permanent 308 "" "" "" /permanent
}

# The RequestHeaderModifier of the rewrite tests' "-and-modify-headers" rules.
RW_RHM="{type: RequestHeaderModifier, requestHeaderModifier: {set: [{name: X-Header-Set, value: set-overwrites-values}],
      add: [{name: X-Header-Add, value: header-val-1}, {name: X-Header-Add-Append, value: header-val-2}], remove: [X-Header-Remove]}}"

# HTTPRouteRewriteHost
test_conf_rewrite_host()
{
	conf_setup
	{ conf_base same-namespace
	  conf_route $INFRA rewrite-host "[{name: same-namespace}]" "  hostnames: [rewrite.example]
  rules:
  - {matches: [{path: {type: PathPrefix, value: /one}}], filters: [{type: URLRewrite, urlRewrite: {hostname: one.example.org}}],
     backendRefs: [{name: infra-backend-v1, port: 8080}]}
  - {filters: [{type: URLRewrite, urlRewrite: {hostname: example.org}}], backendRefs: [{name: infra-backend-v2, port: 8080}]}
  - matches: [{path: {type: PathPrefix, value: /rewrite-host-and-modify-headers}}]
    filters: [{type: URLRewrite, urlRewrite: {hostname: test.example.org}}, $RW_RHM]
    backendRefs: [{name: infra-backend-v2, port: 8080}]"
	} | gw_load
	route_accepted $INFRA rewrite-host
	REQ_HOST=one.example.org expect GET rewrite.example /one infra-backend-v1
	REQ_HOST=example.org expect GET rewrite.example /two infra-backend-v2
	REQ_HOST=test.example.org \
	REQ_HDRS="X-Header-Add=header-val-1|X-Header-Add-Append=append-val-1,header-val-2|X-Header-Set=set-overwrites-values" \
	REQ_ABSENT=X-Header-Remove \
		expect GET rewrite.example /rewrite-host-and-modify-headers infra-backend-v2 \
		-H "X-Header-Remove: remove-val" -H "X-Header-Add-Append: append-val-1"
}

# HTTPRouteRewritePath
test_conf_rewrite_path()
{
	local hdrs="X-Header-Add=header-val-1|X-Header-Add-Append=append-val-1,header-val-2|X-Header-Set=set-overwrites-values"
	local send=(-H "X-Header-Remove: remove-val" -H "X-Header-Add-Append: append-val-1" -H "X-Header-Set: set-val")
	local be="backendRefs: [{name: infra-backend-v1, port: 8080}]"

	conf_setup
	{ conf_base same-namespace
	  conf_route $INFRA rewrite-path "[{name: same-namespace}]" "  rules:
  - {matches: [{path: {type: PathPrefix, value: /prefix/one}}],
     filters: [{type: URLRewrite, urlRewrite: {path: {type: ReplacePrefixMatch, replacePrefixMatch: /one}}}], $be}
  - {matches: [{path: {type: PathPrefix, value: /strip-prefix}}],
     filters: [{type: URLRewrite, urlRewrite: {path: {type: ReplacePrefixMatch, replacePrefixMatch: /}}}], $be}
  - {matches: [{path: {type: PathPrefix, value: /full/one}}],
     filters: [{type: URLRewrite, urlRewrite: {path: {type: ReplaceFullPath, replaceFullPath: /one}}}], $be}
  - matches: [{path: {type: PathPrefix, value: /full/rewrite-path-and-modify-headers}}]
    filters: [{type: URLRewrite, urlRewrite: {path: {type: ReplaceFullPath, replaceFullPath: /test}}}, $RW_RHM]
    $be
  - matches: [{path: {type: PathPrefix, value: /prefix/rewrite-path-and-modify-headers}}]
    filters: [{type: URLRewrite, urlRewrite: {path: {type: ReplacePrefixMatch, replacePrefixMatch: /prefix}}}, $RW_RHM]
    $be"
	} | gw_load
	route_accepted $INFRA rewrite-path
	REQ_PATH=/one/two expect GET - /prefix/one/two infra-backend-v1
	REQ_PATH=/three expect GET - /strip-prefix/three infra-backend-v1
	REQ_PATH=/ expect GET - /strip-prefix infra-backend-v1
	REQ_PATH=/one expect GET - /full/one/two infra-backend-v1
	REQ_PATH=/test REQ_HDRS=$hdrs REQ_ABSENT=X-Header-Remove \
		expect GET - /full/rewrite-path-and-modify-headers/test infra-backend-v1 "${send[@]}"
	REQ_PATH=/prefix/one REQ_HDRS=$hdrs REQ_ABSENT=X-Header-Remove \
		expect GET - /prefix/rewrite-path-and-modify-headers/one infra-backend-v1 "${send[@]}"
}

# mirrored POD PATH: how many requests for PATH (query included) POD's log
# shows, once the count has been stable for 0.3 s (mirrors are sent
# asynchronously), as ExpectMirroredRequest reads the mirror pod's log.
mirrored()
{
	local n=-1 prev i

	for ((i = 0; i < 50; i++)); do
		prev=$n
		n=$(grep -cF " $2 -> " "$(bg_log "$1")")
		[ "$n" = "$prev" ] && [ "$n" -gt 0 ] && break
		sleep 0.3
	done
	echo "$n"
}

# mirror_case PATH MIRRORS... [-- curl args]: the request reaches
# infra-backend-v1 and each mirror pod logs it (with a request id query,
# AddRequestIDQueryParam).
mirror_case()
{
	local path="$1?X-Request-Id=$RANDOM$RANDOM" m
	local -a mirrors=()

	shift
	while [ $# -gt 0 ] && [ "$1" != -- ]; do
		mirrors+=("$1")
		shift
	done
	[ $# -eq 0 ] || shift
	REQ_PATH=$path expect GET - "$path" infra-backend-v1 "$@"
	for m in "${mirrors[@]}"; do
		assert_eq "$path mirrored to $m" 1 "$(mirrored "$m" "$path")"
	done
}

MIRROR_HDRS="X-Header-Add=header-val-1|X-Header-Add-Append=append-val-1,header-val-2|X-Header-Set=set-overwrites-values"

# HTTPRouteRequestMirror
test_conf_request_mirror()
{
	local mirror="{type: RequestMirror, requestMirror: {backendRef: {name: infra-backend-v2, port: 8080}}}"

	conf_setup
	{ conf_base same-namespace
	  conf_route $INFRA request-mirror "[{name: same-namespace}]" "  rules:
  - {matches: [{path: {type: PathPrefix, value: /mirror}}], filters: [$mirror], backendRefs: [{name: infra-backend-v1, port: 8080}]}
  - matches: [{path: {type: PathPrefix, value: /mirror-and-modify-headers}}]
    filters: [$RW_RHM, $mirror]
    backendRefs: [{name: infra-backend-v1, port: 8080}]"
	} | gw_load
	route_accepted $INFRA request-mirror
	mirror_case /mirror infra-backend-v2
	REQ_HDRS=$MIRROR_HDRS REQ_ABSENT=X-Header-Remove mirror_case /mirror-and-modify-headers \
		infra-backend-v2 -- -H "X-Header-Remove: remove-val" -H "X-Header-Add-Append: append-val-1"
}

# HTTPRouteRequestMultipleMirrors
test_conf_request_multiple_mirrors()
{
	local m="{type: RequestMirror, requestMirror: {backendRef: {name: infra-backend-v2, port: 8080}}},
      {type: RequestMirror, requestMirror: {backendRef: {name: infra-backend-v3, port: 8080}}}"

	conf_setup
	{ conf_base same-namespace
	  conf_route $INFRA request-multiple-mirrors "[{name: same-namespace}]" "  rules:
  - {matches: [{path: {type: PathPrefix, value: /multi-mirror}}], filters: [$m], backendRefs: [{name: infra-backend-v1, port: 8080}]}
  - matches: [{path: {type: PathPrefix, value: /multi-mirror-and-modify-request-headers}}]
    filters: [$RW_RHM, $m]
    backendRefs: [{name: infra-backend-v1, port: 8080}]"
	} | gw_load
	route_accepted $INFRA request-multiple-mirrors
	mirror_case /multi-mirror infra-backend-v2 infra-backend-v3
	REQ_HDRS=$MIRROR_HDRS REQ_ABSENT=X-Header-Remove \
		mirror_case /multi-mirror-and-modify-request-headers infra-backend-v2 infra-backend-v3 \
		-- -H "X-Header-Remove: remove-val" -H "X-Header-Add-Append: append-val-1"
}

# HTTPRouteRequestPercentageMirror: 500 requests per case, the mirrored
# count within 3 binomial standard deviations of 500 * p (the Go test's
# testMirroredRequestsDistribution band).
test_conf_request_percentage_mirror()
{
	local spec path p args id out n lo hi

	conf_setup
	{ conf_base same-namespace
	  conf_route $INFRA request-percentage-mirror "[{name: same-namespace}]" "  rules:
  - matches: [{path: {type: PathPrefix, value: /percent-mirror}}]
    filters: [{type: RequestMirror, requestMirror: {backendRef: {name: infra-backend-v2, port: 8080}, percent: 20}}]
    backendRefs: [{name: infra-backend-v1, port: 8080}]
  - matches: [{path: {type: PathPrefix, value: /percent-mirror-fraction}}]
    filters: [{type: RequestMirror, requestMirror: {backendRef: {name: infra-backend-v2, port: 8080}, fraction: {numerator: 25, denominator: 50}}}]
    backendRefs: [{name: infra-backend-v1, port: 8080}]
  - matches: [{path: {type: PathPrefix, value: /percent-mirror-and-modify-headers}}]
    filters: [$RW_RHM, {type: RequestMirror, requestMirror: {backendRef: {name: infra-backend-v2, port: 8080}, percent: 35}}]
    backendRefs: [{name: infra-backend-v1, port: 8080}]"
	} | gw_load
	route_accepted $INFRA request-percentage-mirror
	for spec in /percent-mirror:20 /percent-mirror-fraction:50 /percent-mirror-and-modify-headers:35; do
		path=${spec%:*}
		p=${spec#*:}
		args=()
		[ "$path" = /percent-mirror-and-modify-headers ] &&
			args=(-H "X-Header-Remove: remove-val" -H "X-Header-Add-Append: append-val-1")
		# the single request first, with its expectations
		if [ ${#args[@]} -gt 0 ]; then
			REQ_HDRS=$MIRROR_HDRS REQ_ABSENT=X-Header-Remove expect GET - "$path" infra-backend-v1 "${args[@]}"
		else
			expect GET - "$path" infra-backend-v1
		fi
		id=$RANDOM$RANDOM
		out=$(gcurl "${args[@]}" "$URL$path?X-Request-Id=$id-[1-500]") || fail "curl $path"
		assert_eq "$path: 500 answers from infra-backend-v1" 500 \
			"$(grep -o '"pod":"infra-backend-v1"' <<<"$out" | wc -l)"
		sleep 1
		n=$(grep -c " $path?X-Request-Id=$id-[0-9]* -> " "$(bg_log infra-backend-v2)")
		read -r lo hi < <(awk -v p="$p" 'BEGIN { e = 500 * p / 100; m = 3 * sqrt(500 * p / 100 * (1 - p / 100))
			printf "%d %d\n", int(e - m + 0.999), int(e + m) }')
		echo "$path: $n of 500 mirrored (want $p%: $lo..$hi)"
		[ "$n" -ge "$lo" ] && [ "$n" -le "$hi" ] || fail "$path: $n of 500 mirrored, want $lo..$hi"
	done
}

# timeouts_case NAME FIELD PREFIX: HTTPRouteTimeoutRequest (FIELD request)
# or HTTPRouteTimeoutBackendRequest (backendRequest): 500ms gives 504 for a
# backend that answers after 1s (?delay=1s), "0s" disables the timeout.
timeouts_case()
{
	conf_setup
	{ conf_base same-namespace
	  conf_route $INFRA "$1" "[{name: same-namespace}]" "  rules:
  - {matches: [{path: {type: PathPrefix, value: /$3-timeout}}], backendRefs: [{name: infra-backend-v1, port: 8080}],
     timeouts: {$2: 500ms}}
  - {matches: [{path: {type: PathPrefix, value: /disable-$3-timeout}}], backendRefs: [{name: infra-backend-v1, port: 8080}],
     timeouts: {$2: 0s}}"
	} | gw_load
	route_accepted $INFRA "$1"
	expect GET - "/$3-timeout" infra-backend-v1
	expect GET - "/$3-timeout?delay=1s" 504
	expect GET - "/disable-$3-timeout?delay=1s" infra-backend-v1
}

# HTTPRouteTimeoutRequest
test_conf_timeout_request()
{
	timeouts_case request-timeout request request
}

# HTTPRouteTimeoutBackendRequest
test_conf_timeout_backend_request()
{
	timeouts_case backend-request-timeout backendRequest backend
}

# HTTPRouteNamedRule
test_conf_named_rule()
{
	conf_setup
	{ conf_base same-namespace
	  conf_route $INFRA http-named-rules "[{name: same-namespace}]" "  rules:
  - {name: named-rule, matches: [{path: {type: PathPrefix, value: /named}}], backendRefs: [{name: infra-backend-v1, port: 8080}]}
  - {matches: [{path: {type: PathPrefix, value: /unnamed}}], backendRefs: [{name: infra-backend-v2, port: 8080}]}"
	} | gw_load
	route_accepted $INFRA http-named-rules
	expect GET - /named infra-backend-v1
	expect GET - /unnamed infra-backend-v2
}

# HTTPRouteQueryParamMatching (the rules are the upstream YAML as JSON)
test_conf_query_param_matching()
{
	conf_setup
	{ conf_base same-namespace
	  conf_route $INFRA query-param-matching "[{name: same-namespace}]" '  rules:
  - {"matches": [{"queryParams": [{"name": "animal", "value": "whale"}]}], "backendRefs": [{"name": "infra-backend-v1", "port": 8080}]}
  - {"matches": [{"queryParams": [{"name": "animal", "value": "dolphin"}]}], "backendRefs": [{"name": "infra-backend-v2", "port": 8080}]}
  - {"matches": [{"queryParams": [{"name": "animal", "value": "dolphin"}, {"name": "color", "value": "blue"}]}, {"queryParams": [{"name": "ANIMAL", "value": "Whale"}]}], "backendRefs": [{"name": "infra-backend-v3", "port": 8080}]}
  - {"matches": [{"path": {"type": "PathPrefix", "value": "/path1"}, "queryParams": [{"name": "animal", "value": "whale"}]}], "backendRefs": [{"name": "infra-backend-v1", "port": 8080}]}
  - {"matches": [{"headers": [{"name": "version", "value": "one"}], "queryParams": [{"name": "animal", "value": "whale"}]}], "backendRefs": [{"name": "infra-backend-v2", "port": 8080}]}
  - {"matches": [{"path": {"type": "PathPrefix", "value": "/path2"}, "headers": [{"name": "version", "value": "two"}], "queryParams": [{"name": "animal", "value": "whale"}]}], "backendRefs": [{"name": "infra-backend-v3", "port": 8080}]}
  - {"matches": [{"path": {"type": "PathPrefix", "value": "/path3"}, "queryParams": [{"name": "animal", "value": "shark"}]}, {"path": {"type": "PathPrefix", "value": "/path4"}, "headers": [{"name": "version", "value": "three"}], "queryParams": [{"name": "animal", "value": "kraken"}]}], "backendRefs": [{"name": "infra-backend-v1", "port": 8080}]}
  - {"matches": [{"path": {"type": "PathPrefix", "value": "/path5"}}], "backendRefs": [{"name": "infra-backend-v1", "port": 8080}]}
  - {"matches": [{"queryParams": [{"name": "animal", "value": "hydra"}]}], "backendRefs": [{"name": "infra-backend-v2", "port": 8080}]}
  - {"matches": [{"headers": [{"name": "version", "value": "four"}]}], "backendRefs": [{"name": "infra-backend-v3", "port": 8080}]}'
	} | gw_load
	route_accepted $INFRA query-param-matching
	expect GET - "/?animal=whale" infra-backend-v1
	expect GET - "/?animal=dolphin" infra-backend-v2
	expect GET - "/?animal=dolphin&color=blue" infra-backend-v3
	expect GET - "/?ANIMAL=Whale" infra-backend-v3
	expect GET - "/?animal=whale&otherparam=irrelevant" infra-backend-v1
	expect GET - "/?animal=dolphin&color=yellow" infra-backend-v2
	expect GET - "/?color=blue" 404
	expect GET - "/?animal=dog" 404
	expect GET - "/?animal=whaledolphin" 404
	expect GET - / 404
	expect GET - "/path1?animal=whale" infra-backend-v1
	expect GET - "/?animal=whale" infra-backend-v2 -H "version: one"
	expect GET - "/path2?animal=whale" infra-backend-v3 -H "version: two"
	expect GET - "/path3?animal=shark" infra-backend-v1
	expect GET - "/path4?animal=kraken" infra-backend-v1 -H "version: three"
	expect GET - "/?animal=shark" 404
	expect GET - "/path4?animal=kraken" 404
	expect GET - "/path5?animal=hydra" infra-backend-v1
	expect GET - "/?animal=hydra" infra-backend-v3 -H "version: four"
}

# GatewayHTTPListenerIsolation
test_conf_http_listener_isolation()
{
	local g=http-listener-isolation l h p want

	conf_setup
	{ conf_base
	  conf_gw $g "
  - {name: empty-hostname, port: 80, protocol: HTTP, allowedRoutes: {namespaces: {from: All}}}
  - {name: wildcard-example-com, port: 80, protocol: HTTP, hostname: '*.example.com', allowedRoutes: {namespaces: {from: All}}}
  - {name: wildcard-foo-example-com, port: 80, protocol: HTTP, hostname: '*.foo.example.com', allowedRoutes: {namespaces: {from: All}}}
  - {name: abc-foo-example-com, port: 80, protocol: HTTP, hostname: abc.foo.example.com, allowedRoutes: {namespaces: {from: All}}}"
	  for l in empty-hostname wildcard-example-com wildcard-foo-example-com abc-foo-example-com; do
		conf_route $INFRA "attaches-to-$l" "[{name: $g, sectionName: $l}]" \
			"  rules: [{matches: [{path: {type: PathPrefix, value: /$l}}], backendRefs: [{name: infra-backend-v1, port: 8080}]}]"
	  done
	} | gw_load
	route_accepted $INFRA attaches-to-empty-hostname attaches-to-wildcard-example-com \
		attaches-to-wildcard-foo-example-com attaches-to-abc-foo-example-com
	# each host reaches only the most specific listener's route
	for h in bar.com:empty-hostname bar.example.com:wildcard-example-com \
		bar.foo.example.com:wildcard-foo-example-com abc.foo.example.com:abc-foo-example-com; do
		for p in empty-hostname wildcard-example-com wildcard-foo-example-com abc-foo-example-com; do
			want=404
			[ "$p" = "${h#*:}" ] && want=infra-backend-v1
			expect GET "${h%%:*}" "/$p" $want
		done
	done
}

CONF_PEER="$REPO/tests/netns/conformance_peer.py"

# conf_peer MODE PORT: conformance_peer.py MODE on PORT in infra-backend-v1's namespace.
conf_peer()
{
	/usr/bin/python3 -c 'import h2, websockets' 2>/dev/null ||
		skip "python3-h2 and python3-websockets are not installed"
	start_background "${NS_BE[1]}" "$1" /usr/bin/python3 "$CONF_PEER" "$1" --port "$2" \
		--name infra-backend-v1 --namespace $INFRA
	wait_tcp "${NS_BE[1]}" "${BE4[1]}" "$2" || fail "$1 did not start on port $2"
}

# HTTPRouteBackendProtocolH2C: an h2c prior-knowledge client, the Service
# port of appProtocol kubernetes.io/h2c.
test_conf_h2c()
{
	conf_setup
	conf_peer h2c-server 3001
	{ conf_base same-namespace
	  conf_route $INFRA backend-protocol-h2c "[{name: same-namespace}]" \
		"  rules: [{backendRefs: [{name: infra-backend-v1, port: 8081}]}]"
	} | gw_load
	route_accepted $INFRA backend-protocol-h2c
	PROTO=2 expect GET - / infra-backend-v1 --http2-prior-knowledge
	assert_eq "the backend spoke HTTP/2" HTTP/2.0 \
		"$(json_get "$(gcurl --http2-prior-knowledge "$URL/")" .proto)"
}

# HTTPRouteBackendProtocolWebSocket: ws://GATEWAY/ws, a text and a binary
# message echoed through the Service port of appProtocol kubernetes.io/ws.
test_conf_websocket()
{
	conf_setup
	conf_peer ws-server 3002
	{ conf_base same-namespace
	  conf_route $INFRA backend-protocol-ws "[{name: same-namespace}]" \
		"  rules: [{backendRefs: [{name: infra-backend-v1, port: 8082}]}]"
	} | gw_load
	route_accepted $INFRA backend-protocol-ws
	ns_exec "$NS_CLI" /usr/bin/python3 "$CONF_PEER" ws-client --url ws://10.200.0.1/ws \
		--origin ws://gateway/HTTPRouteBackendProtocolWebSocket ||
		fail "the WebSocket text and binary messages did not come back unchanged"
}

# HTTPRouteHTTPSListenerDetectMisdirectedRequests: HTTP/2 over TLS with an
# SNI and a :authority that may belong to different listeners (421).
test_conf_misdirected_requests()
{
	local g=same-namespace-with-https-listener c sni host want n=0
	local p=/detect-misdirected-requests

	conf_pki
	conf_setup
	{ conf_base; conf_https_gw
	  conf_route $INFRA https-listener-detect-misdirected-requests-test-1 "[{name: $g, sectionName: https}]" \
		"  hostnames: [example.org]
  rules: [{matches: [{path: {type: PathPrefix, value: $p}}], backendRefs: [{name: infra-backend-v1, port: 8080}]}]"
	  for c in 2:https-with-hostname:infra-backend-v2 3:https-with-wildcard-hostname:infra-backend-v3 \
		4:https-with-hostname-matching-wildcard:infra-backend-v1; do
		IFS=: read -r n sni host <<<"$c"
		conf_route $INFRA "https-listener-detect-misdirected-requests-test-$n" "[{name: $g, sectionName: $sni}]" \
			"  rules: [{matches: [{path: {type: PathPrefix, value: $p}}], backendRefs: [{name: $host, port: 8080}]}]"
	  done
	} | gw_load
	for n in 1 2 3 4; do
		route_accepted $INFRA "https-listener-detect-misdirected-requests-test-$n"
	done
	for c in example.org:example.org:infra-backend-v1 example.org:second-example.org:421 \
		example.org:unknown-example.org:404 second-example.org:second-example.org:infra-backend-v2 \
		second-example.org:example.org:421 second-example.org:unknown-example.org:421 \
		third-example.wildcard.org:third-example.wildcard.org:infra-backend-v3 \
		third-example.wildcard.org:fith-example.wildcard.org:infra-backend-v3 \
		third-example.wildcard.org:fourth-example.wildcard.org:421 \
		third-example.wildcard.org:second-example.org:421 third-example.wildcard.org:unknown-example.org:421 \
		fourth-example.wildcard.org:fourth-example.wildcard.org:infra-backend-v1 \
		fourth-example.wildcard.org:fith-example.wildcard.org:421 \
		unknown-example.org:example.org:infra-backend-v1 unknown-example.org:unknown-example.org:404; do
		IFS=: read -r sni host want <<<"$c"
		PROTO=2 URL="https://$sni" expect GET "$host" $p "$want" --http2 --cacert "$PKI/ca.crt" \
			--resolve "$sni:443:10.200.0.1"
	done
}

GRPC_PEER="$REPO/tests/netns/grpc_peer.py"
ECHO_SVC=/gateway_api_conformance.echo_basic.grpcecho.GrpcEcho

# grpc_conf_setup: conf_setup plus gRPC servers grpc-infra-backend-v1..v3
# (port 9000 of backends 1..3) behind the base manifests' Services of those
# names (port 8080, appProtocol kubernetes.io/h2c); GRPC_SVCS has their YAML.
grpc_conf_setup()
{
	local i

	/usr/bin/python3 -c 'import grpc' 2>/dev/null || skip "python3-grpcio is not installed"
	conf_setup
	GRPC_SVCS=""
	for ((i = 1; i <= 3; i++)); do
		start_background "${NS_BE[i]}" "grpc$i" /usr/bin/python3 "$GRPC_PEER" server --port 9000 \
			--name "grpc-infra-backend-v$i" --namespace $INFRA
		GRPC_SVCS+="apiVersion: v1
kind: Service
metadata: {name: grpc-infra-backend-v$i, namespace: $INFRA}
spec: {ports: [{name: grpc, protocol: TCP, appProtocol: kubernetes.io/h2c, port: 8080, targetPort: 9000}]}
---
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata: {name: grpc-infra-backend-v$i-a, namespace: $INFRA, labels: {kubernetes.io/service-name: grpc-infra-backend-v$i}}
addressType: IPv4
ports: [{name: grpc, port: 9000, protocol: TCP, appProtocol: kubernetes.io/h2c}]
endpoints: [{addresses: [\"${BE4[i]}\"], conditions: {ready: true}}]
---
"
	done
	for ((i = 1; i <= 3; i++)); do
		wait_tcp "${NS_BE[i]}" "${BE4[i]}" 9000 || fail "gRPC server $i did not start"
	done
}

# grpc_route NAME PARENTREFS SPEC: a GRPCRoute in the infra namespace.
grpc_route()
{
	printf 'apiVersion: gateway.networking.k8s.io/v1\nkind: GRPCRoute\n'
	printf 'metadata: {name: %s, namespace: %s}\nspec:\n  parentRefs: %s\n%s\n---\n' "$1" $INFRA "$2" "$3"
}

# gexpect AUTHORITY METHOD WANT [--meta k=v]...: one grpc.ExpectedResponse
# (h2c to the gateway's port 80): WANT is a gRPC status name, or the pod that
# must answer OK (and report the infra namespace). AUTHORITY "-" is the
# gateway's address.
gexpect()
{
	local auth=$1 m=$2 want=$3 out

	shift 3
	[ "$auth" = - ] && auth=10.200.0.1
	out=$(ns_exec "$NS_CLI" /usr/bin/python3 "$GRPC_PEER" client --target 10.200.0.1:80 \
		--authority "$auth" --method "$m" --timeout 10 "$@") || fail "gRPC client failed for $m"
	if [[ "$want" =~ ^[A-Z_]+$ ]]; then
		assert_eq "$auth $m $* code" "$want" "$(jq -r .code <<<"$out")"
		return
	fi
	assert_eq "$auth $m $* code" OK "$(jq -r .code <<<"$out")"
	assert_eq "$auth $m $* pod" "$want" "$(jq -r '.replies[0].pod' <<<"$out")"
	assert_eq "$auth $m $* namespace" $INFRA "$(jq -r '.replies[0].namespace' <<<"$out")"
}

# grpc_route_accepted NAME...: the GRPCRoutes' Accepted and ResolvedRefs.
grpc_route_accepted()
{
	local r f

	for r in "$@"; do
		for f in Accepted ResolvedRefs; do
			assert_eq "$r $f" "True/$f" "$(get grpcroute "$r" $INFRA \
				"{.status.parents[0].conditions[?(@.type==\"$f\")].status}/{.status.parents[0].conditions[?(@.type==\"$f\")].reason}")"
		done
	done
}

# GRPCExactMethodMatching
test_conf_grpc_exact_method_matching()
{
	grpc_conf_setup
	{ conf_base same-namespace; echo "$GRPC_SVCS"
	  grpc_route exact-matching "[{name: same-namespace}]" "  rules:
  - matches: [{method: {service: ${ECHO_SVC#/}, method: Echo}}]
    backendRefs: [{name: grpc-infra-backend-v1, port: 8080}]
  - matches: [{method: {service: ${ECHO_SVC#/}, method: EchoTwo}}]
    backendRefs: [{name: grpc-infra-backend-v2, port: 8080}]"
	} | gw_load
	grpc_route_accepted exact-matching
	gexpect - $ECHO_SVC/Echo grpc-infra-backend-v1
	gexpect - $ECHO_SVC/EchoTwo grpc-infra-backend-v2
	gexpect - $ECHO_SVC/EchoThree UNIMPLEMENTED
}

# GRPCRouteHeaderMatching
test_conf_grpc_header_matching()
{
	grpc_conf_setup
	{ conf_base same-namespace; echo "$GRPC_SVCS"
	  grpc_route grpc-header-matching "[{name: same-namespace}]" "  rules:
  - matches: [{headers: [{name: version, value: one}]}]
    backendRefs: [{name: grpc-infra-backend-v1, port: 8080}]
  - matches: [{headers: [{name: version, value: two}]}]
    backendRefs: [{name: grpc-infra-backend-v2, port: 8080}]
  - matches: [{headers: [{name: version, value: two}, {name: color, value: orange}]}]
    backendRefs: [{name: grpc-infra-backend-v1, port: 8080}]
  - matches: [{headers: [{name: color, value: blue}]}, {headers: [{name: color, value: green}]}]
    backendRefs: [{name: grpc-infra-backend-v1, port: 8080}]
  - matches: [{headers: [{name: color, value: red}]}, {headers: [{name: color, value: yellow}]}]
    backendRefs: [{name: grpc-infra-backend-v2, port: 8080}]"
	} | gw_load
	grpc_route_accepted grpc-header-matching
	# gRPC metadata keys are lower case on the wire (the Go client lower-cases them)
	gexpect - $ECHO_SVC/Echo grpc-infra-backend-v1 --meta version=one
	gexpect - $ECHO_SVC/Echo grpc-infra-backend-v2 --meta version=two
	gexpect - $ECHO_SVC/Echo grpc-infra-backend-v1 --meta version=two --meta color=orange
	gexpect - $ECHO_SVC/Echo grpc-infra-backend-v2 --meta version=two --meta color=blue
	gexpect - $ECHO_SVC/Echo UNIMPLEMENTED --meta color=orange
	gexpect - $ECHO_SVC/Echo UNIMPLEMENTED --meta some-other-header=one
	gexpect - $ECHO_SVC/Echo grpc-infra-backend-v1 --meta color=blue
	gexpect - $ECHO_SVC/Echo grpc-infra-backend-v1 --meta color=green
	gexpect - $ECHO_SVC/Echo grpc-infra-backend-v2 --meta color=red
	gexpect - $ECHO_SVC/Echo grpc-infra-backend-v2 --meta color=yellow
	gexpect - $ECHO_SVC/Echo UNIMPLEMENTED --meta color=purple
}

# GRPCRouteListenerHostnameMatching
test_conf_grpc_listener_hostname_matching()
{
	local g=grpcroute-listener-hostname-matching

	grpc_conf_setup
	{ conf_base; echo "$GRPC_SVCS"
	  conf_gw $g "
  - {name: listener-1, port: 80, protocol: HTTP, allowedRoutes: {namespaces: {from: Same}}, hostname: bar.com}
  - {name: listener-2, port: 80, protocol: HTTP, allowedRoutes: {namespaces: {from: Same}}, hostname: foo.bar.com}
  - {name: listener-3, port: 80, protocol: HTTP, allowedRoutes: {namespaces: {from: Same}}, hostname: '*.bar.com'}
  - {name: listener-4, port: 80, protocol: HTTP, allowedRoutes: {namespaces: {from: Same}}, hostname: '*.foo.com'}"
	  grpc_route backend-v1 "[{name: $g, sectionName: listener-1}]" \
		"  rules: [{backendRefs: [{name: grpc-infra-backend-v1, port: 8080}]}]"
	  grpc_route backend-v2 "[{name: $g, sectionName: listener-2}]" \
		"  rules: [{backendRefs: [{name: grpc-infra-backend-v2, port: 8080}]}]"
	  grpc_route backend-v3 "[{name: $g, sectionName: listener-3}, {name: $g, sectionName: listener-4}]" \
		"  rules: [{backendRefs: [{name: grpc-infra-backend-v3, port: 8080}]}]"
	} | gw_load
	grpc_route_accepted backend-v1 backend-v2 backend-v3
	gexpect bar.com $ECHO_SVC/Echo grpc-infra-backend-v1
	gexpect foo.bar.com $ECHO_SVC/Echo grpc-infra-backend-v2
	gexpect baz.bar.com $ECHO_SVC/Echo grpc-infra-backend-v3
	gexpect boo.bar.com $ECHO_SVC/Echo grpc-infra-backend-v3
	gexpect multiple.prefixes.bar.com $ECHO_SVC/Echo grpc-infra-backend-v3
	gexpect multiple.prefixes.foo.com $ECHO_SVC/Echo grpc-infra-backend-v3
	gexpect foo.com $ECHO_SVC/Echo UNIMPLEMENTED
	gexpect no.matching.host $ECHO_SVC/Echo UNIMPLEMENTED
}

# GRPCRouteNamedRule
test_conf_grpc_named_rule()
{
	grpc_conf_setup
	{ conf_base same-namespace; echo "$GRPC_SVCS"
	  grpc_route grpc-named-rules "[{name: same-namespace}]" "  rules:
  - name: named-rule
    matches: [{method: {service: ${ECHO_SVC#/}, method: Echo}}]
    backendRefs: [{name: grpc-infra-backend-v1, port: 8080}]
  - matches: [{method: {service: ${ECHO_SVC#/}, method: EchoTwo}}]
    backendRefs: [{name: grpc-infra-backend-v2, port: 8080}]"
	} | gw_load
	grpc_route_accepted grpc-named-rules
	gexpect - $ECHO_SVC/Echo grpc-infra-backend-v1
	gexpect - $ECHO_SVC/EchoTwo grpc-infra-backend-v2
}

# weight_ok N1 N2 N3 W1 W2 W3: weight.TestWeightedDistribution's verdict on
# 500 answers: each backend's share within 0.05 of its weight's.
weight_ok()
{
	awk -v a="$1" -v b="$2" -v c="$3" -v x="$4" -v y="$5" -v z="$6" 'BEGIN {
		t = a + b + c; w = x + y + z
		ok = t == 500 && (c > 0) == (z > 0)
		ok = ok && (a / t - x / w)^2 <= 0.0025 && (b / t - y / w)^2 <= 0.0025 && (c / t - z / w)^2 <= 0.0025
		exit !ok }'
}

# GRPCRouteWeight: 500 calls (10 at a time), up to weight.MaxTestRetries (10) tries.
test_conf_grpc_weight()
{
	local out n1 n2 n3 try

	grpc_conf_setup
	{ conf_base same-namespace; echo "$GRPC_SVCS"
	  grpc_route weighted-backends "[{name: same-namespace}]" "  rules:
  - backendRefs:
    - {name: grpc-infra-backend-v1, port: 8080, weight: 70}
    - {name: grpc-infra-backend-v2, port: 8080, weight: 30}
    - {name: grpc-infra-backend-v3, port: 8080, weight: 0}"
	} | gw_load
	grpc_route_accepted weighted-backends
	gexpect - $ECHO_SVC/Echo OK
	for ((try = 1; try <= 10; try++)); do
		out=$(for i in $(seq 50); do
			ns_exec "$NS_CLI" /usr/bin/python3 "$GRPC_PEER" client --target 10.200.0.1:80 \
				--method $ECHO_SVC/Echo --parallel 10 --timeout 10
		done | jq -r '.replies[].pod')
		n1=$(grep -cx grpc-infra-backend-v1 <<<"$out")
		n2=$(grep -cx grpc-infra-backend-v2 <<<"$out")
		n3=$(grep -cx grpc-infra-backend-v3 <<<"$out")
		echo "try $try: 70/30/0 over 500 calls: $n1 / $n2 / $n3"
		weight_ok "$n1" "$n2" "$n3" 70 30 0 && return 0
	done
	fail "weighted distribution never within tolerance in 10 tries"
}

# tcp_backend: echo-basic's tcp-backend (TCP_ECHO_SERVER) in backend 1's
# namespace as pod tcp-backend-0: plain on 3000, TLS on 8443 with the
# certificate tls-passthrough-checks-certificate (abc.example.com); and its
# Service (ports 3000 and 8443).
tcp_backend()
{
	/usr/bin/python3 -c 'import ssl' 2>/dev/null || skip "no python3 ssl"
	start_background "${NS_BE[1]}" tcp-backend /usr/bin/python3 "$CONF_PEER" tcp-server --port 3000 \
		--tls-port 8443 --cert "$PKI/tls-passthrough-checks-certificate.crt" \
		--key "$PKI/tls-passthrough-checks-certificate.key" --name tcp-backend-0 --namespace $INFRA
	wait_tcp "${NS_BE[1]}" "${BE4[1]}" 8443 || fail "tcp-backend did not start"
	TCP_BACKEND_SVC="apiVersion: v1
kind: Service
metadata: {name: tcp-backend, namespace: $INFRA}
spec: {ports: [{name: echo-tcp-plain, protocol: TCP, port: 3000}, {name: echo-tcp-tls, protocol: TCP, port: 8443}]}
---
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata: {name: tcp-backend-a, namespace: $INFRA, labels: {kubernetes.io/service-name: tcp-backend}}
addressType: IPv4
ports: [{name: echo-tcp-plain, port: 3000, protocol: TCP}, {name: echo-tcp-tls, port: 8443, protocol: TCP}]
endpoints: [{addresses: [\"${BE4[1]}\"], conditions: {ready: true}}]
---"
}

# tls_backends: echo-basic's tls-backend and tls-backend-2 (HTTPS with
# tls-checks-certificate): gw-echo pods behind socat TLS on 443 of backends
# 2 and 3; TLS_BACKEND_SVCS has their Services (port 443).
tls_backends()
{
	local i n

	skip_if_missing socat
	TLS_BACKEND_SVCS=""
	for i in 2 3; do
		n="tls-backend"
		[ $i = 3 ] && n="tls-backend-2"
		start_echo "${NS_BE[i]}" "$n-0" --namespace $INFRA --listen 127.0.0.1:3000
		start_background "${NS_BE[i]}" "$n-tls" socat \
			"OPENSSL-LISTEN:443,reuseaddr,fork,cert=$PKI/tls-checks-certificate.crt,key=$PKI/tls-checks-certificate.key,verify=0" \
			TCP:127.0.0.1:3000
		wait_tcp "${NS_BE[i]}" "${BE4[i]}" 443 || fail "$n did not start"
		TLS_BACKEND_SVCS+="apiVersion: v1
kind: Service
metadata: {name: $n, namespace: $INFRA}
spec: {ports: [{name: https, protocol: TCP, port: 443}]}
---
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata: {name: $n-a, namespace: $INFRA, labels: {kubernetes.io/service-name: $n}}
addressType: IPv4
ports: [{name: https, port: 443, protocol: TCP}]
endpoints: [{addresses: [\"${BE4[i]}\"], conditions: {ready: true}}]
---
"
	done
}

# tls_pki: the suite's TLS certificates (suite.go), one CA for all:
# tls-checks-certificate (abc.example.com, spiffe://abc.example.com/test-identity,
# other.example.com), tls-passthrough-checks-certificate (abc.example.com),
# tls-terminate-checks-certificate (tls.example.com; terminate.example.com
# too, which the listener-kind tests' Gateways name).
tls_pki()
{
	conf_pki
	conf_cert tls-checks-certificate 'DNS:abc.example.com,URI:spiffe://abc.example.com/test-identity,DNS:other.example.com'
	conf_cert tls-passthrough-checks-certificate 'DNS:abc.example.com'
	conf_cert tls-terminate-checks-certificate 'DNS:tls.example.com,DNS:terminate.example.com'
}

# tls_route NAME PARENTREFS SPEC: a TLSRoute (v1alpha3 has hostnames) in infra.
tls_route()
{
	printf 'apiVersion: gateway.networking.k8s.io/v1alpha3\nkind: TLSRoute\n'
	printf 'metadata: {name: %s, namespace: %s}\nspec:\n  parentRefs: %s\n%s\n---\n' "$1" $INFRA "$2" "$3"
}

# tls_route_cond NAME TYPE: "Status/Reason" of the TLSRoute's first parent.
tls_route_cond()
{
	get tlsroute "$1" $INFRA \
		"{.status.parents[0].conditions[?(@.type==\"$2\")].status}/{.status.parents[0].conditions[?(@.type==\"$2\")].reason}"
}

# tcp_expect ADDR:PORT SNI|- TLS POD [SERVERNAME]: tcp.WaitForValidTCPResponse.
tcp_expect()
{
	local out args=()

	[ "$2" = - ] || args=(--sni "$2" --ca "$PKI/ca.crt")
	out=$(ns_exec "$NS_CLI" /usr/bin/python3 "$CONF_PEER" tcp-client --target "$1" "${args[@]}") ||
		fail "TCP dialogue with $1 (SNI $2) failed"
	echo "$out"
	assert_eq "IS_TLS via $1" "$3" "$(jq -r .isTLSAnswer <<<"$out")"
	assert_eq "pod via $1" "$4" "$(jq -r .pod <<<"$out")"
	assert_eq "namespace via $1" $INFRA "$(jq -r .namespace <<<"$out")"
	[ -z "${5:-}" ] || assert_eq "SNI at the backend" "$5" "$(jq -r .tls.serverName <<<"$out")"
}

# TLSRouteSimpleSameNamespace
test_conf_tls_simple()
{
	tls_pki
	conf_setup
	tcp_backend
	{ conf_base; echo "$TCP_BACKEND_SVC"
	  conf_gw gateway-tlsroute "[{name: https, port: 443, protocol: TLS, hostname: '*.example.com',
    allowedRoutes: {namespaces: {from: Same}, kinds: [{kind: TLSRoute}]}, tls: {mode: Passthrough}}]"
	  tls_route gateway-conformance-infra-test "[{name: gateway-tlsroute}]" "  hostnames: [abc.example.com]
  rules: [{backendRefs: [{name: tcp-backend, port: 8443}]}]"
	} | gw_load
	assert_eq Accepted True/Accepted "$(tls_route_cond gateway-conformance-infra-test Accepted)"
	assert_eq ResolvedRefs True/ResolvedRefs "$(tls_route_cond gateway-conformance-infra-test ResolvedRefs)"
	tcp_expect 10.200.0.1:443 abc.example.com true tcp-backend-0 abc.example.com
}

# TLSRouteTerminateSimpleSameNamespace
test_conf_tls_terminate_simple()
{
	tls_pki
	conf_setup
	tcp_backend
	{ conf_base; echo "$TCP_BACKEND_SVC"
	  conf_secret $INFRA tls-terminate-checks-certificate tls-terminate-checks-certificate
	  conf_gw gateway-tlsroute-terminate "[{name: tlsterminate, port: 8443, protocol: TLS, hostname: tls.example.com,
    allowedRoutes: {namespaces: {from: Same}, kinds: [{kind: TLSRoute}]},
    tls: {mode: Terminate, certificateRefs: [{name: tls-terminate-checks-certificate}]}}]"
	  tls_route tlsroute-terminated-test "[{name: gateway-tlsroute-terminate}]" "  hostnames: [tls.example.com]
  rules: [{backendRefs: [{name: tcp-backend, port: 3000}]}]"
	} | gw_load
	assert_eq Accepted True/Accepted "$(tls_route_cond tlsroute-terminated-test Accepted)"
	assert_eq ResolvedRefs True/ResolvedRefs "$(tls_route_cond tlsroute-terminated-test ResolvedRefs)"
	tcp_expect 10.200.0.1:8443 tls.example.com false tcp-backend-0
}

# tls_get ADDR SNI WANT: tls.MakeTLSRequestAndExpectEventuallyConsistentResponse
# (HTTPS GET / with SNI and Host SNI, WANT the pod) or, WANT "reject",
# MakeTLSConnectionAndExpectEventuallyConnectionRejection.
tls_get()
{
	local out

	out=$(ns_exec "$NS_CLI" curl -sS --noproxy '*' -m 10 --cacert "$PKI/ca.crt" \
		--resolve "$2:443:$1" "https://$2/" 2>&1)
	if [ "$3" = reject ]; then
		! jq -e .pod >/dev/null 2>&1 <<<"$out" || fail "TLS to $1 with SNI $2 was not rejected: $out"
		return
	fi
	assert_eq "$1 SNI $2 pod" "$3" "$(jq -r .pod <<<"$out" 2>/dev/null || echo "$out")"
	assert_eq "$1 SNI $2 namespace" $INFRA "$(jq -r .namespace <<<"$out")"
}

# TLSRouteHostnameIntersection: four Passthrough Gateways on 443, each with
# its own address (10.200.0.1, .3, .4, .5; upstream each has its own).
test_conf_tls_hostname_intersection()
{
	local a n l h i
	local gws=(gw-tlsroute-exact-hostname-x-1:abc.example.com gw-tlsroute-more-specific-wc-hostname-x-2:'*.example.com'
		gw-tlsroute-less-specific-wc-hostname-x-3:'*.com' gw-tlsroute-empty-hostname-x-4:)
	local addrs=(10.200.0.1 10.200.0.3 10.200.0.4 10.200.0.5)

	tls_pki
	conf_setup
	tls_backends
	for a in 10.200.0.3 10.200.0.4 10.200.0.5; do
		ns_exec "$NS_GW" ip addr add "$a/24" dev "$GW_CLI_IF"
	done
	{ conf_base; echo "$TLS_BACKEND_SVCS"
	  for i in 0 1 2 3; do
		n=${gws[i]%%:*}
		h=${gws[i]#*:}
		l=listener-$(sed 's/gw-tlsroute-//; s/-x-[0-9]$//' <<<"$n")
		conf_gw "$n" "[{name: $l, protocol: TLS, port: 443${h:+, hostname: '$h'},
    allowedRoutes: {namespaces: {from: Same}, kinds: [{kind: TLSRoute}]}, tls: {mode: Passthrough}}]" \
			"  addresses: [{type: IPAddress, value: ${addrs[i]}}]"
	  done
	  tls_route tlsroute-more-specific-wc-hostname-x-1 "[{name: gw-tlsroute-exact-hostname-x-1}]" \
		"  hostnames: ['*.example.com']
  rules: [{backendRefs: [{name: tls-backend, port: 443}]}]"
	  tls_route tlsroute-exact-hostname-x-2 "[{name: gw-tlsroute-more-specific-wc-hostname-x-2}]" \
		"  hostnames: [abc.example.com]
  rules: [{backendRefs: [{name: tls-backend, port: 443}]}]"
	  tls_route tlsroute-less-specific-wc-hostname-x-2 "[{name: gw-tlsroute-more-specific-wc-hostname-x-2}]" \
		"  hostnames: ['*.com']
  rules: [{backendRefs: [{name: tls-backend-2, port: 443}]}]"
	  tls_route tlsroute-exact-hostname-x-3 "[{name: gw-tlsroute-less-specific-wc-hostname-x-3}]" \
		"  hostnames: [abc.example.com]
  rules: [{backendRefs: [{name: tls-backend, port: 443}]}]"
	  tls_route tlsroute-more-specific-wc-hostname-x-3 "[{name: gw-tlsroute-less-specific-wc-hostname-x-3}]" \
		"  hostnames: ['*.example.com']
  rules: [{backendRefs: [{name: tls-backend-2, port: 443}]}]"
	  tls_route tlsroute-exact-hostname-x-4 "[{name: gw-tlsroute-empty-hostname-x-4}]" \
		"  hostnames: [abc.example.com]
  rules: [{backendRefs: [{name: tls-backend, port: 443}]}]"
	  tls_route tlsroute-less-specific-wc-hostname-x-4 "[{name: gw-tlsroute-empty-hostname-x-4}]" \
		"  hostnames: ['*.com']
  rules: [{backendRefs: [{name: tls-backend-2, port: 443}]}]"
	} | gw_load
	for n in tlsroute-more-specific-wc-hostname-x-1 tlsroute-exact-hostname-x-2 \
		tlsroute-less-specific-wc-hostname-x-2 tlsroute-exact-hostname-x-3 \
		tlsroute-more-specific-wc-hostname-x-3 tlsroute-exact-hostname-x-4 \
		tlsroute-less-specific-wc-hostname-x-4; do
		assert_eq "$n Accepted" True/Accepted "$(tls_route_cond $n Accepted)"
		assert_eq "$n ResolvedRefs" True/ResolvedRefs "$(tls_route_cond $n ResolvedRefs)"
	done
	tls_get 10.200.0.1 abc.example.com tls-backend-0
	tls_get 10.200.0.1 non.matching.com reject
	for a in 10.200.0.3 10.200.0.4 10.200.0.5; do
		tls_get $a abc.example.com tls-backend-0
		tls_get $a other.example.com tls-backend-2-0
	done
	# the empty-hostname Gateway's "*.com" route takes non.matching.com:
	# upstream sends non.matching.org there
	tls_get 10.200.0.3 non.matching.com reject
	tls_get 10.200.0.4 non.matching.com reject
	tls_get 10.200.0.5 non.matching.org reject
}

# TLSRouteInvalidBackendRefNonexistent, TLSRouteInvalidBackendRefUnknownKind
# and TLSRouteInvalidReferenceGrant: ResolvedRefs False with the reason each
# names; for the first two the connection is rejected. One at a time.
test_conf_tls_invalid_backend_refs()
{
	local k=gateway.networking.k8s.io a=gateway-conformance-app-backend g r

	tls_pki
	conf_setup
	tls_backends
	for g in nonexistent unknown-kind; do
		r="{name: nonexistent, namespace: $INFRA, port: 443}"
		[ $g = unknown-kind ] && r="{group: unknownkind.example.com, kind: NonExistent, name: tls-backend, port: 443}"
		{ conf_base; echo "$TLS_BACKEND_SVCS"
		  conf_gw gateway-tlsroute-invalid-backend-ref-$g \
			"[{name: tls, protocol: TLS, port: 443, allowedRoutes: {namespaces: {from: Same}}, tls: {mode: Passthrough}}]"
		  tls_route invalid-backend-ref-$g "[{name: gateway-tlsroute-invalid-backend-ref-$g, namespace: $INFRA}]" \
			"  hostnames: [example.com]
  rules: [{backendRefs: [$r]}]"
		} | gw_load
		assert_eq "$g Accepted" True/Accepted "$(tls_route_cond invalid-backend-ref-$g Accepted)"
		local want=BackendNotFound
		[ $g = unknown-kind ] && want=InvalidKind
		assert_eq "$g ResolvedRefs" "False/$want" "$(tls_route_cond invalid-backend-ref-$g ResolvedRefs)"
		tls_get 10.200.0.1 example.com reject
	done
	# TLSRouteInvalidReferenceGrant: a tls-backend in the app-backend namespace
	{ conf_base; echo "${TLS_BACKEND_SVCS//namespace: $INFRA/namespace: $a}"
	  reference_grant reference-grant-wrong-namespace $INFRA $k TLSRoute $INFRA "" Service tls-backend
	  reference_grant reference-grant-wrong-from-group $a not-the-group-youre-looking-for TLSRoute $INFRA "" Service tls-backend
	  reference_grant reference-grant-wrong-from-kind $a $k Gateway $INFRA "" Service tls-backend
	  reference_grant reference-grant-wrong-from-namespace $a $k TLSRoute not-the-namespace-youre-looking-for "" Service tls-backend
	  reference_grant reference-grant-wrong-to-group $a $k TLSRoute $INFRA not-the-group-youre-looking-for Service tls-backend
	  reference_grant reference-grant-wrong-to-kind $a $k TLSRoute $INFRA "" Secret tls-backend
	  reference_grant reference-grant-wrong-to-name $a $k TLSRoute $INFRA "" Service not-the-service-youre-looking-for
	  conf_gw gateway-tlsroute-referencegrant "[{name: https, port: 443, protocol: TLS, hostname: '*.example.com',
    allowedRoutes: {namespaces: {from: Same}, kinds: [{kind: TLSRoute}]}, tls: {mode: Passthrough}}]"
	  tls_route gateway-conformance-infra-test "[{name: gateway-tlsroute-referencegrant}]" "  hostnames: [abc.example.com]
  rules: [{backendRefs: [{name: tls-backend, namespace: $a, port: 443}]}]"
	} | gw_load
	assert_eq "reference grant Accepted" True/Accepted "$(tls_route_cond gateway-conformance-infra-test Accepted)"
	assert_eq "reference grant ResolvedRefs" False/RefNotPermitted \
		"$(tls_route_cond gateway-conformance-infra-test ResolvedRefs)"
}

# TLSRouteInvalidNoMatchingListenerHostname and TLSRouteInvalidNoMatchingListener
test_conf_tls_no_matching_listener()
{
	local n

	tls_pki
	conf_setup
	tls_backends
	ns_exec "$NS_GW" ip addr add 10.200.0.3/24 dev "$GW_CLI_IF"
	{ conf_base; echo "$TLS_BACKEND_SVCS"
	  conf_gw gateway-tls-exact-hostname "[{name: tls, port: 443, protocol: TLS, hostname: www.example.com,
    allowedRoutes: {namespaces: {from: Same}, kinds: [{kind: TLSRoute}]}, tls: {mode: Passthrough}}]" \
		"  addresses: [{type: IPAddress, value: 10.200.0.1}]"
	  conf_gw gateway-tls-wildcard-hostname "[{name: tls, port: 443, protocol: TLS, hostname: '*.example.com',
    allowedRoutes: {namespaces: {from: Same}, kinds: [{kind: TLSRoute}]}, tls: {mode: Passthrough}}]" \
		"  addresses: [{type: IPAddress, value: 10.200.0.3}]"
	  tls_route tlsroute-hostname-mismatch-1 "[{name: gateway-tls-exact-hostname}]" \
		"  hostnames: [www.nomatch.com, '*.nomatch.com']
  rules: [{backendRefs: [{name: tls-backend, port: 443}]}]"
	  tls_route tlsroute-hostname-mismatch-2 "[{name: gateway-tls-wildcard-hostname}]" \
		"  hostnames: [www.different.com, '*.different.com']
  rules: [{backendRefs: [{name: tls-backend, port: 443}]}]"
	} | gw_load
	for n in 1 2; do
		assert_eq "mismatch-$n Accepted" False/NoMatchingListenerHostname \
			"$(tls_route_cond tlsroute-hostname-mismatch-$n Accepted)"
	done
	assert_eq "exact-hostname routes" 0 "$(gw_routes gateway-tls-exact-hostname)"
	assert_eq "wildcard-hostname routes" 0 "$(gw_routes gateway-tls-wildcard-hostname)"

	# TLSRouteInvalidNoMatchingListener: three Gateways on 443, 80 and 443
	{ conf_base; echo "$TLS_BACKEND_SVCS"; conf_https_gw >/dev/null
	  conf_secret $INFRA tls-validity-checks-certificate tls-validity-checks-certificate
	  conf_gw gateway-tlsroute-tls-passthrough-only \
		"[{name: tls-passthrough, protocol: TLS, port: 443, allowedRoutes: {namespaces: {from: Same}}, tls: {mode: Passthrough}}]" \
		"  addresses: [{type: IPAddress, value: 10.200.0.1}]"
	  conf_gw gateway-tlsroute-http-only "[{name: http, port: 80, protocol: HTTP, allowedRoutes: {namespaces: {from: Same}}}]"
	  conf_gw gateway-tlsroute-https-only "[{name: https, port: 443, protocol: HTTPS, allowedRoutes: {namespaces: {from: Same}},
    tls: {mode: Terminate, certificateRefs: [{name: tls-validity-checks-certificate, namespace: $INFRA}]}}]" \
		"  addresses: [{type: IPAddress, value: 10.200.0.3}]"
	  tls_route tlsroute-not-allowed-protocol-http "[{name: gateway-tlsroute-http-only}]" "  hostnames: [tls.example.com]
  rules: [{backendRefs: [{name: tls-backend, port: 443}]}]"
	  tls_route tlsroute-not-allowed-protocol-https "[{name: gateway-tlsroute-https-only}]" "  hostnames: [tls.example.com]
  rules: [{backendRefs: [{name: tls-backend, port: 443}]}]"
	  tls_route tlsroute-no-matching-section-name \
		"[{name: gateway-tlsroute-tls-passthrough-only, sectionName: nonexistent-listener}]" "  hostnames: [tls.example.com]
  rules: [{backendRefs: [{name: tls-backend, port: 443}]}]"
	} | gw_load
	assert_eq "not-allowed-protocol-http" False/NotAllowedByListeners \
		"$(tls_route_cond tlsroute-not-allowed-protocol-http Accepted)"
	assert_eq "not-allowed-protocol-https" False/NotAllowedByListeners \
		"$(tls_route_cond tlsroute-not-allowed-protocol-https Accepted)"
	assert_eq "no-matching-section-name" False/NoMatchingParent \
		"$(tls_route_cond tlsroute-no-matching-section-name Accepted)"
	assert_eq "http-only routes" 0 "$(gw_routes gateway-tlsroute-http-only)"
	assert_eq "https-only routes" 0 "$(gw_routes gateway-tlsroute-https-only)"
}

# TLSRouteListenerMixedTerminationNotSupported, TLSRouteListenerPassthroughSupportedKinds,
# TLSRouteListenerTerminateSupportedKinds (and TLSRouteListenerTerminateNotSupported,
# which returns at once when TLSRouteModeTerminate is claimed). One Gateway at a time.
test_conf_tls_listener_kinds()
{
	local g t="tls: {mode: Terminate, certificateRefs: [{name: tls-terminate-checks-certificate}]}"
	local k="allowedRoutes: {namespaces: {from: Same}, kinds: [{kind: TLSRoute}]}"

	tls_pki
	conf_setup
	g=gateway-tlsroute-mixed-termination-not-supported
	{ conf_base; conf_secret $INFRA tls-terminate-checks-certificate tls-terminate-checks-certificate
	  conf_gw $g "
  - {name: tls-terminate, port: 8443, protocol: TLS, hostname: terminate.example.com, $k, $t}
  - {name: tls-passthrough, port: 8443, protocol: TLS, hostname: passthrough.example.com, $k, tls: {mode: Passthrough}}"
	} | gw_load
	assert_eq "$g/tls-terminate Accepted" False/ProtocolConflict "$(gw_cond $g tls-terminate Accepted)"
	assert_eq "$g/tls-passthrough Accepted" False/ProtocolConflict "$(gw_cond $g tls-passthrough Accepted)"
	assert_eq "$g routes" "0 0" "$(gw_routes $g)"

	g=gateway-tlsroute-passthrough-supported-kind
	{ conf_base
	  conf_gw $g "[{name: tls-passthrough, port: 443, protocol: TLS,
    allowedRoutes: {namespaces: {from: Same}, kinds: [{kind: TCPRoute}, {kind: TLSRoute}]}, tls: {mode: Passthrough}}]"
	} | gw_load
	assert_eq "$g ResolvedRefs" False/InvalidRouteKinds "$(gw_cond $g tls-passthrough ResolvedRefs)"
	assert_eq "$g supportedKinds" TLSRoute \
		"$(get gateway $g $INFRA '{.status.listeners[0].supportedKinds[*].kind}')"
	assert_eq "$g routes" 0 "$(gw_routes $g)"

	g=gateway-tlsroute-terminate-supported
	{ conf_base; conf_secret $INFRA tls-terminate-checks-certificate tls-terminate-checks-certificate
	  conf_gw $g "[{name: tls-terminate, port: 8443, protocol: TLS, hostname: terminate.example.com, $k, $t}]"
	} | gw_load
	assert_eq "$g Accepted" True/Accepted "$(gw_cond $g tls-terminate Accepted)"
	assert_eq "$g supportedKinds" TLSRoute \
		"$(get gateway $g $INFRA '{.status.listeners[0].supportedKinds[*].kind}')"
	assert_eq "$g routes" 0 "$(gw_routes $g)"
}

# https_backend NAME I [peer args]: echo-basic's TLS backend as pod NAME-0 in
# backend I's namespace, port 8443, certificate tls-checks-certificate.
https_backend()
{
	local n=$1 i=$2

	shift 2
	/usr/bin/python3 -c 'import ssl' 2>/dev/null || skip "no python3 ssl"
	start_background "${NS_BE[i]}" "$n" /usr/bin/python3 "$CONF_PEER" https-server --port 8443 \
		--cert "$PKI/tls-checks-certificate.crt" --key "$PKI/tls-checks-certificate.key" \
		--name "$n-0" --namespace $INFRA "$@"
	wait_tcp "${NS_BE[i]}" "${BE4[i]}" 8443 || fail "$n did not start"
}

# ca_configmap NAME [FILE]: a ConfigMap with ca.crt from FILE (default the
# suite's CA; "" for an empty ca.crt).
ca_configmap()
{
	local f=${2-$PKI/ca.crt}

	printf 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: %s, namespace: %s}\ndata:\n' "$1" $INFRA
	if [ -n "$f" ]; then
		printf '  ca.crt: |\n'
		sed 's/^/    /' "$f"
	else
		printf '  ca.crt: ""\n'
	fi
	printf -- '---\n'
}

# btls_cond POLICY GATEWAY TYPE: "Status/Reason" of the BackendTLSPolicy's
# condition under the ancestor GATEWAY (BackendTLSPolicyMustHaveCondition).
btls_cond()
{
	get backendtlspolicy "$1" $INFRA \
		"{.status.ancestors[?(@.ancestorRef.name==\"$2\")].conditions[?(@.type==\"$3\")].status}/{.status.ancestors[?(@.ancestorRef.name==\"$2\")].conditions[?(@.type==\"$3\")].reason}"
}

# btls_ok POLICY GATEWAY: Accepted and ResolvedRefs True.
btls_ok()
{
	assert_eq "$1 Accepted under $2" True/Accepted "$(btls_cond "$1" "$2" Accepted)"
	assert_eq "$1 ResolvedRefs under $2" True/ResolvedRefs "$(btls_cond "$1" "$2" ResolvedRefs)"
}

# expect_failure HOST PATH: MakeRequestAndExpectFailure: an answer, not 200
# and not a timeout.
expect_failure()
{
	local c

	c=$(gcurl -o /dev/null -w '%{http_code}' -H "Host: $1" "$URL$2") || fail "GET $1$2: no answer"
	[ "$c" != 200 ] && [ "$c" != 504 ] && [ "$c" != 408 ] || fail "GET $1$2: got $c, want a failure"
}

# BackendTLSPolicy
test_conf_backend_tls_policy()
{
	local cfg s mism ap n svc cm h

	tls_pki
	mism="$GW_RUN_DIR/mismatch-ca"
	mkdir -p "$mism"
	openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=other CA" \
		-keyout "$mism/ca.key" -out "$mism/ca.crt" 2>/dev/null || fail "cannot make the other CA"
	conf_setup
	https_backend tls-backend 3
	# btls_cfg REFS: the configuration; REFS the reconcile-test policy's caCertificateRefs,
	# EXTRA more documents
	btls_cfg()
	{
		conf_base same-namespace; conf_https_gw
		ca_configmap tls-checks-ca-certificate
		ca_configmap mismatch-ca-certificate "$mism/ca.crt"
		echo "${EXTRA:-}"
		for s in backendtlspolicy-test: backendtlspolicy-host-mismatch-test:HTTPS \
			backendtlspolicy-cert-mismatch-test:HTTPS backendtlspolicy-reconcile-test:; do
			ap=""
			[ -z "${s#*:}" ] || ap="appProtocol: ${s#*:}, "
			cat <<EOF
apiVersion: v1
kind: Service
metadata: {name: ${s%:*}, namespace: $INFRA}
spec: {ports: [{name: btls, protocol: TCP, ${ap}port: 443, targetPort: 8443}]}
---
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata: {name: ${s%:*}-a, namespace: $INFRA, labels: {kubernetes.io/service-name: ${s%:*}}}
addressType: IPv4
ports: [{name: btls, port: 8443, protocol: TCP}]
endpoints: [{addresses: ["${BE4[3]}"], conditions: {ready: true}}]
---
EOF
		done
		conf_route $INFRA backendtlspolicy "[{name: same-namespace, namespace: $INFRA}]" "  hostnames: [abc.example.com]
  rules:
  - {backendRefs: [{group: '', kind: Service, name: backendtlspolicy-test, port: 443}], matches: [{path: {type: Exact, value: /backendtlspolicy}}]}
  - {backendRefs: [{group: '', kind: Service, name: backendtlspolicy-host-mismatch-test, port: 443}], matches: [{path: {type: Exact, value: /backendtlspolicy-host-mismatch}}]}
  - {backendRefs: [{group: '', kind: Service, name: backendtlspolicy-cert-mismatch-test, port: 443}], matches: [{path: {type: Exact, value: /backendtlspolicy-cert-mismatch}}]}
  - {backendRefs: [{group: '', kind: Service, name: backendtlspolicy-reconcile-test, port: 443}], matches: [{path: {type: Exact, value: /backendtlspolicy-reconcile-test}}]}"
		conf_route $INFRA backendtlspolicy-reencrypt "[{name: same-namespace-with-https-listener, namespace: $INFRA}]" \
			"  hostnames: [https-listener.org]
  rules: [{backendRefs: [{group: '', kind: Service, name: backendtlspolicy-test, port: 443}], matches: [{path: {type: Exact, value: /backendtlspolicy}}]}]"
		for s in normative-test:backendtlspolicy-test:tls-checks-ca-certificate:abc.example.com \
			host-mismatch:backendtlspolicy-host-mismatch-test:tls-checks-ca-certificate:mismatch.example.com \
			cert-mismatch:backendtlspolicy-cert-mismatch-test:mismatch-ca-certificate:abc.example.com \
			"reconcile-test:backendtlspolicy-reconcile-test:$1:abc.example.com"; do
			IFS=: read -r n svc cm h <<<"$s"
			cat <<EOF
apiVersion: gateway.networking.k8s.io/v1
kind: BackendTLSPolicy
metadata: {name: $n, namespace: $INFRA}
spec:
  targetRefs: [{group: '', kind: Service, name: $svc, sectionName: btls}]
  validation: {caCertificateRefs: [{group: '', kind: ConfigMap, name: $cm}], hostname: $h}
---
EOF
		done
	}
	btls_cfg tls-checks-ca-certificate | gw_load
	route_accepted $INFRA backendtlspolicy backendtlspolicy-reencrypt
	# re-encrypt from the HTTPS listener: the backend gets SNI abc.example.com
	btls_ok normative-test same-namespace-with-https-listener
	local out
	out=$(ns_exec "$NS_CLI" curl -sS --noproxy '*' -m 10 --cacert "$PKI/ca.crt" \
		--resolve https-listener.org:443:10.200.0.1 https://https-listener.org/backendtlspolicy) ||
		fail "HTTPS to https-listener.org failed"
	assert_eq "reencrypt path" /backendtlspolicy "$(jq -r .path <<<"$out")"
	assert_eq "reencrypt namespace" $INFRA "$(jq -r .namespace <<<"$out")"
	assert_eq "reencrypt SNI at the backend" abc.example.com "$(jq -r .tls.serverName <<<"$out")"
	# from the HTTP listener
	btls_ok normative-test same-namespace
	out=$(gcurl -H "Host: abc.example.com" "$URL/backendtlspolicy") || fail "HTTP to abc.example.com failed"
	assert_eq "path" /backendtlspolicy "$(jq -r .path <<<"$out")"
	assert_eq "SNI at the backend" abc.example.com "$(jq -r .tls.serverName <<<"$out")"
	# a hostname the backend's certificate does not name, a CA that did not sign it
	btls_ok host-mismatch same-namespace
	expect_failure abc.example.org /backendtlspolicy-host-mismatch
	btls_ok cert-mismatch same-namespace
	expect_failure abc.example.com /backendtlspolicy-cert-mismatch
	# reconcile-test: its CA ConfigMap missing, then present, then empty, then back
	btls_ok reconcile-test same-namespace
	btls_cfg tls-checks-ca-certificate-reconcile-test | gw_load
	assert_eq "missing ConfigMap Accepted" False/NoValidCACertificate \
		"$(btls_cond reconcile-test same-namespace Accepted)"
	assert_eq "missing ConfigMap ResolvedRefs" False/InvalidCACertificateRef \
		"$(btls_cond reconcile-test same-namespace ResolvedRefs)"
	EXTRA=$(ca_configmap tls-checks-ca-certificate-reconcile-test) btls_cfg \
		tls-checks-ca-certificate-reconcile-test | gw_load
	btls_ok reconcile-test same-namespace
	EXTRA=$(ca_configmap tls-checks-ca-certificate-reconcile-test "") btls_cfg \
		tls-checks-ca-certificate-reconcile-test | gw_load
	assert_eq "empty ca.crt Accepted" False/NoValidCACertificate \
		"$(btls_cond reconcile-test same-namespace Accepted)"
	assert_eq "empty ca.crt ResolvedRefs" False/InvalidCACertificateRef \
		"$(btls_cond reconcile-test same-namespace ResolvedRefs)"
	EXTRA=$(ca_configmap tls-checks-ca-certificate-reconcile-test) btls_cfg \
		tls-checks-ca-certificate-reconcile-test | gw_load
	btls_ok reconcile-test same-namespace
}

# btls_svc NAME PORTNAME [APPPROTOCOL]: a Service on 443 to backend 3's 8443.
btls_svc()
{
	cat <<EOF
apiVersion: v1
kind: Service
metadata: {name: $1, namespace: $INFRA}
spec: {ports: [{name: $2, protocol: TCP, ${3:+appProtocol: $3, }port: 443, targetPort: 8443}]}
---
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata: {name: $1-a, namespace: $INFRA, labels: {kubernetes.io/service-name: $1}}
addressType: IPv4
ports: [{name: $2, port: 8443, protocol: TCP}]
endpoints: [{addresses: ["${BE4[3]}"], conditions: {ready: true}}]
---
EOF
}

# btls_policy NAME SERVICE SECTION CAREF HOSTNAME
btls_policy()
{
	cat <<EOF
apiVersion: gateway.networking.k8s.io/v1
kind: BackendTLSPolicy
metadata: {name: $1, namespace: $INFRA}
spec:
  targetRefs: [{group: '', kind: Service, name: $2${3:+, sectionName: $3}}]
  validation: {caCertificateRefs: [$4], hostname: $5}
---
EOF
}

# BackendTLSPolicyInvalidKind and BackendTLSPolicyInvalidCACertificateRef:
# the policy is not accepted, its ResolvedRefs says why, requests get 500,
# 502 or 503.
test_conf_btls_invalid()
{
	local c p

	tls_pki
	conf_setup
	https_backend tls-backend 3
	{ conf_base same-namespace
	  btls_svc backendtlspolicy-invalid-kind-test https HTTPS
	  btls_policy invalid-kind backendtlspolicy-invalid-kind-test "" \
		"{group: invalid.io, kind: InvalidKind, name: invalid-kind}" abc.example.com
	  conf_route $INFRA backendtlspolicy-invalid-kind-test "[{name: same-namespace, namespace: $INFRA}]" \
		"  hostnames: [abc.example.com]
  rules: [{backendRefs: [{name: backendtlspolicy-invalid-kind-test, port: 443}], matches: [{path: {type: Exact, value: /backendtlspolicy-invalid-kind}}]}]"
	  for p in nonexistent malformed; do
		btls_svc backendtlspolicy-$p-ca-certificate-ref-test https HTTPS
		btls_policy $p-ca-certificate-ref backendtlspolicy-$p-ca-certificate-ref-test "" \
			"{group: '', kind: ConfigMap, name: $p-ca-certificate}" abc.example.com
	  done
	  printf 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: malformed-ca-certificate, namespace: %s}\n---\n' $INFRA
	  conf_route $INFRA backendtlspolicy-invalid-ca-certificate-ref "[{name: same-namespace, namespace: $INFRA}]" \
		"  hostnames: [abc.example.com]
  rules:
  - {backendRefs: [{name: backendtlspolicy-nonexistent-ca-certificate-ref-test, port: 443}], matches: [{path: {type: Exact, value: /backendtlspolicy-nonexistent-ca-certificate-ref}}]}
  - {backendRefs: [{name: backendtlspolicy-malformed-ca-certificate-ref-test, port: 443}], matches: [{path: {type: Exact, value: /backendtlspolicy-malformed-ca-certificate-ref}}]}"
	} | gw_load
	for p in invalid-kind:InvalidKind nonexistent-ca-certificate-ref:InvalidCACertificateRef \
		malformed-ca-certificate-ref:InvalidCACertificateRef; do
		assert_eq "${p%:*} Accepted" False/NoValidCACertificate "$(btls_cond ${p%:*} same-namespace Accepted)"
		assert_eq "${p%:*} ResolvedRefs" "False/${p#*:}" "$(btls_cond ${p%:*} same-namespace ResolvedRefs)"
		c=$(code abc.example.com "/backendtlspolicy-${p%:*}")
		[[ "$c" =~ ^50[023]$ ]] || fail "/backendtlspolicy-${p%:*}: got $c, want 500, 502 or 503"
	done
}

# BackendTLSPolicyObservedGenerationBump: validation.hostname changed.
test_conf_btls_generation()
{
	local h g1 g2 gen ogs og

	tls_pki
	conf_setup
	for h in abc.example.com foo.example.com; do
		{ conf_base same-namespace
		  ca_configmap tls-checks-ca-certificate
		  btls_svc observed-generation-bump-test https
		  btls_policy observed-generation-bump observed-generation-bump-test https \
			"{group: '', kind: ConfigMap, name: tls-checks-ca-certificate}" $h
		  conf_route $INFRA backendtlspolicy-observed-generation-bump "[{name: same-namespace}]" \
			"  rules: [{backendRefs: [{name: observed-generation-bump-test, port: 443}]}]"
		} | gw_load
		# BackendTLSPolicyMustHaveLatestConditions: every ancestor's conditions
		gen=$(get backendtlspolicy observed-generation-bump $INFRA '{.metadata.generation}')
		ogs=$(get backendtlspolicy observed-generation-bump $INFRA '{.status.ancestors[*].conditions[*].observedGeneration}')
		[ -n "$ogs" ] || fail "the policy has no conditions"
		for og in $ogs; do
			[ "$og" = "$gen" ] || fail "a condition has observedGeneration $og, generation is $gen"
		done
		assert_eq "Accepted ($h)" True "$(btls_cond observed-generation-bump same-namespace Accepted | cut -d/ -f1)"
		[ $h = abc.example.com ] && g1=$gen || g2=$gen
	done
	[ "$g1" != "$g2" ] || fail "generation should change after an update (stays $g1)"
}

# btls_svc2 NAME: a Service with ports https-1 (443) and https-2 (8443), both
# to backend 3's 8443.
btls_svc2()
{
	cat <<EOF
apiVersion: v1
kind: Service
metadata: {name: $1, namespace: $INFRA}
spec: {ports: [{name: https-1, protocol: TCP, port: 443, targetPort: 8443}, {name: https-2, protocol: TCP, port: 8443, targetPort: 8443}]}
---
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata: {name: $1-a, namespace: $INFRA, labels: {kubernetes.io/service-name: $1}}
addressType: IPv4
ports: [{name: https-1, port: 8443, protocol: TCP}, {name: https-2, port: 8443, protocol: TCP}]
endpoints: [{addresses: ["${BE4[3]}"], conditions: {ready: true}}]
---
EOF
}

# sni_expect PATH SNI: a 200 through same-namespace (Host abc.example.com)
# whose backend saw SNI.
sni_expect()
{
	local out

	out=$(gcurl -w '\n%{http_code}' -H "Host: abc.example.com" "$URL$1") || fail "GET $1 failed"
	assert_eq "GET $1 status" 200 "${out##*$'\n'}"
	out=${out%$'\n'*}
	assert_eq "GET $1 path" "$1" "$(jq -r .path <<<"$out")"
	assert_eq "GET $1 SNI at the backend" "$2" "$(jq -r .tls.serverName <<<"$out")"
}

# BackendTLSPolicyConflictResolution: of two policies on one target the
# older (then by name) applies, the other is Accepted=False/Conflicted; a
# policy naming the port wins over one naming the Service.
test_conf_btls_conflict_resolution()
{
	local ca="{group: '', kind: ConfigMap, name: tls-checks-ca-certificate}" p

	tls_pki
	conf_setup
	https_backend tls-backend 3
	{ conf_base same-namespace
	  ca_configmap tls-checks-ca-certificate
	  btls_svc backendtlspolicy-conflicted-without-section-name-test https
	  btls_svc2 backendtlspolicy-conflicted-with-section-name-test
	  btls_svc2 backendtlspolicy-not-conflicted-test
	  btls_policy conflicted-without-section-name-1 backendtlspolicy-conflicted-without-section-name-test "" "$ca" other.example.com
	  btls_policy conflicted-without-section-name-2 backendtlspolicy-conflicted-without-section-name-test "" "$ca" abc.example.com
	  btls_policy conflicted-with-section-name-1 backendtlspolicy-conflicted-with-section-name-test https-1 "$ca" other.example.com
	  btls_policy conflicted-with-section-name-2 backendtlspolicy-conflicted-with-section-name-test https-1 "$ca" abc.example.com
	  btls_policy not-conflicted-with-section-name backendtlspolicy-not-conflicted-test https-1 "$ca" other.example.com
	  btls_policy not-conflicted-without-section-name backendtlspolicy-not-conflicted-test "" "$ca" abc.example.com
	  conf_route $INFRA backendtlspolicy-conflict-resolution "[{name: same-namespace}]" "  hostnames: [abc.example.com]
  rules:
  - {backendRefs: [{group: '', kind: Service, name: backendtlspolicy-conflicted-without-section-name-test, port: 443}], matches: [{path: {type: Exact, value: /backendtlspolicy-conflicted-without-section-name}}]}
  - {backendRefs: [{group: '', kind: Service, name: backendtlspolicy-conflicted-with-section-name-test, port: 443}], matches: [{path: {type: Exact, value: /backendtlspolicy-conflicted-with-section-name}}]}
  - {backendRefs: [{group: '', kind: Service, name: backendtlspolicy-not-conflicted-test, port: 443}], matches: [{path: {type: Exact, value: /backendtlspolicy-not-conflicted-with-section-name}}]}
  - {backendRefs: [{group: '', kind: Service, name: backendtlspolicy-not-conflicted-test, port: 8443}], matches: [{path: {type: Exact, value: /backendtlspolicy-not-conflicted-without-section-name}}]}"
	} | gw_load
	route_accepted $INFRA backendtlspolicy-conflict-resolution
	for p in without-section-name with-section-name; do
		assert_eq "conflicted-$p-1 Accepted" True/Accepted "$(btls_cond conflicted-$p-1 same-namespace Accepted)"
		assert_eq "conflicted-$p-2 Accepted" False/Conflicted "$(btls_cond conflicted-$p-2 same-namespace Accepted)"
		sni_expect /backendtlspolicy-conflicted-$p other.example.com
	done
	assert_eq "not-conflicted-with-section-name Accepted" True/Accepted \
		"$(btls_cond not-conflicted-with-section-name same-namespace Accepted)"
	assert_eq "not-conflicted-without-section-name Accepted" True/Accepted \
		"$(btls_cond not-conflicted-without-section-name same-namespace Accepted)"
	sni_expect /backendtlspolicy-not-conflicted-with-section-name other.example.com
	sni_expect /backendtlspolicy-not-conflicted-without-section-name abc.example.com
}

# BackendTLSPolicySANValidation: subjectAltNames of type Hostname and URI,
# matching and not.
test_conf_btls_san()
{
	local ca="{group: '', kind: ConfigMap, name: tls-checks-ca-certificate}" spec n sans rules=""

	tls_pki
	conf_setup
	https_backend tls-backend 3
	{ conf_base same-namespace
	  ca_configmap tls-checks-ca-certificate
	  for spec in "san-dns|{type: Hostname, hostname: abc.example.com}" \
		"san-dns-mismatch|{type: Hostname, hostname: dce.example.com}" \
		"san-uri|{type: URI, uri: 'spiffe://abc.example.com/test-identity'}" \
		"san-uri-mismatch|{type: URI, uri: 'spiffe://def.example.com/test-identity'}" \
		"multiple-sans|{type: URI, uri: 'spiffe://abc.example.com/test-identity'}, {type: Hostname, hostname: abc.example.com}" \
		"multiple-mismatch-sans|{type: URI, uri: 'spiffe://def.example.com/test-identity'}, {type: Hostname, hostname: def.example.com}"; do
		IFS='|' read -r n sans <<<"$spec"
		btls_svc backendtlspolicy-$n-test btls "$([ $n = san-dns ] || echo HTTPS)"
		cat <<EOF
apiVersion: gateway.networking.k8s.io/v1
kind: BackendTLSPolicy
metadata: {name: $n, namespace: $INFRA}
spec:
  targetRefs: [{group: '', kind: Service, name: backendtlspolicy-$n-test, sectionName: btls}]
  validation: {caCertificateRefs: [$ca], hostname: abc.example.com, subjectAltNames: [$sans]}
---
EOF
		rules+="
  - {backendRefs: [{group: '', kind: Service, name: backendtlspolicy-$n-test, port: 443}], matches: [{path: {type: Exact, value: /backendtlspolicy-$n}}]}"
	  done
	  conf_route $INFRA backendtlspolicy-san-test "[{name: same-namespace, namespace: $INFRA}]" \
		"  hostnames: [abc.example.com]
  rules:$rules"
	} | gw_load
	route_accepted $INFRA backendtlspolicy-san-test
	for n in san-dns san-dns-mismatch san-uri san-uri-mismatch multiple-sans multiple-mismatch-sans; do
		assert_eq "$n Accepted" True/Accepted "$(btls_cond $n same-namespace Accepted)"
	done
	sni_expect /backendtlspolicy-san-dns abc.example.com
	expect_failure abc.example.com /backendtlspolicy-san-dns-mismatch
	sni_expect /backendtlspolicy-san-uri abc.example.com
	expect_failure abc.example.com /backendtlspolicy-san-uri-mismatch
	sni_expect /backendtlspolicy-multiple-sans abc.example.com
	expect_failure abc.example.com /backendtlspolicy-multiple-mismatch-sans
}

# GatewayTLSBackendClientCertificate: the Gateway's backend client
# certificate (tls.backend.clientCertificateRef) reaches a backend that
# requires one of the suite's CA.
test_conf_gw_backend_client_cert()
{
	local g=gateway-tls-backend-client-certificate out

	tls_pki
	printf 'extendedKeyUsage=clientAuth\n' >"$PKI/client.ext"
	openssl req -newkey rsa:2048 -nodes -subj "/O=tls-checks-client-certificate/CN=client" \
		-keyout "$PKI/tls-checks-client-certificate.key" -out "$PKI/client.csr" 2>/dev/null &&
		openssl x509 -req -in "$PKI/client.csr" -CA "$PKI/ca.crt" -CAkey "$PKI/ca.key" \
			-CAcreateserial -days 2 -extfile "$PKI/client.ext" \
			-out "$PKI/tls-checks-client-certificate.crt" 2>/dev/null || fail "cannot make the client certificate"
	conf_setup
	https_backend tls-backend-with-client-cert-validation 3 --client-ca "$PKI/ca.crt"
	{ conf_base
	  ca_configmap tls-checks-ca-certificate
	  conf_secret $INFRA tls-checks-client-certificate tls-checks-client-certificate
	  conf_gw $g "[{name: http, port: 80, protocol: HTTP, allowedRoutes: {namespaces: {from: Same}}}]" \
		"  tls: {backend: {clientCertificateRef: {group: '', kind: Secret, name: tls-checks-client-certificate}}}"
	  btls_svc tls-backend-with-client-cert-validation https
	  btls_policy $g-test tls-backend-with-client-cert-validation "" \
		"{group: '', kind: ConfigMap, name: tls-checks-ca-certificate}" abc.example.com
	  conf_route $INFRA $g "[{name: $g, namespace: $INFRA}]" "  hostnames: [abc.example.com]
  rules: [{backendRefs: [{group: '', kind: Service, name: tls-backend-with-client-cert-validation, port: 443}], matches: [{path: {type: Exact, value: /}}]}]"
	} | gw_load
	route_accepted $INFRA $g
	assert_eq "policy Accepted" True "$(btls_cond $g-test $g Accepted | cut -d/ -f1)"
	assert_eq "Gateway ResolvedRefs" True/ResolvedRefs "$(gw_cond $g - ResolvedRefs)"
	out=$(gcurl -w '\n%{http_code}' -H "Host: abc.example.com" "$URL/") || fail "GET / failed"
	assert_eq status 200 "${out##*$'\n'}"
	out=${out%$'\n'*}
	assert_eq "SNI at the backend" abc.example.com "$(jq -r .tls.serverName <<<"$out")"
	assert_eq "client certificate at the backend" "organizationName=tls-checks-client-certificate,commonName=client" \
		"$(jq -r '.tls.peerCertificates[0]' <<<"$out")"
}

# GatewayInvalidTLSBackendConfiguration: ResolvedRefs False on the Gateway
# for each bad tls.backend.clientCertificateRef, the Gateway still
# Accepted; one Gateway at a time.
test_conf_gw_invalid_backend_tls()
{
	local spec g ref reason

	tls_pki
	conf_setup
	for spec in "gateway-client-certificate-nonexistent-secret|{group: '', kind: Secret, name: nonexistent-certificate}|InvalidClientCertificateRef" \
		"gateway-client-certificate-unsupported-group|{group: wrong.group.company.io, kind: Secret, name: tls-validity-checks-certificate}|InvalidClientCertificateRef" \
		"gateway-client-certificate-unsupported-kind|{group: '', kind: WrongKind, name: tls-validity-checks-certificate}|InvalidClientCertificateRef" \
		"gateway-client-certificate-malformed-secret|{group: '', kind: Secret, name: malformed-client-certificate}|InvalidClientCertificateRef" \
		"gateway-client-certificate-missing-reference-grant|{group: '', kind: Secret, name: certificate, namespace: gateway-conformance-web-backend}|RefNotPermitted"; do
		IFS='|' read -r g ref reason <<<"$spec"
		{ conf_base
		  conf_secret $INFRA tls-validity-checks-certificate tls-validity-checks-certificate
		  conf_secret gateway-conformance-web-backend certificate certificate
		  printf 'apiVersion: v1\nkind: Secret\nmetadata: {name: malformed-client-certificate, namespace: %s}\ndata: {}\ntype: Opaque\n---\n' $INFRA
		  conf_gw $g "[{name: http, port: 80, protocol: HTTP, allowedRoutes: {namespaces: {from: Same}}}]" \
			"  tls: {backend: {clientCertificateRef: $ref}}"
		} | gw_load
		latest gateway $g $INFRA >/dev/null
		assert_eq "$g ResolvedRefs" "False/$reason" "$(gw_cond $g - ResolvedRefs)"
		assert_eq "$g Accepted" True/Accepted "$(gw_cond $g - Accepted)"
	done
}

# client_pki: the suite's frontend validation material (suite.go): CAs
# tls-validity-checks-ca-certificate and tls-validity-checks-per-port-ca-certificate
# ($PKI/validity-ca, $PKI/per-port-ca) and a client certificate of each
# (tls-validity-checks-client-certificate, tls-validity-checks-per-port-client-certificate).
client_pki()
{
	local ca c

	conf_pki
	for ca in validity per-port; do
		mkdir -p "$PKI/$ca-ca"
		openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=$ca CA" \
			-keyout "$PKI/$ca-ca/ca.key" -out "$PKI/$ca-ca/ca.crt" 2>/dev/null || fail "cannot make the $ca CA"
		c="$PKI/$ca-client"
		openssl req -newkey rsa:2048 -nodes -subj "/CN=$ca client" -keyout "$c.key" -out "$c.csr" \
			2>/dev/null || fail "cannot make the $ca client request"
		printf 'extendedKeyUsage=clientAuth\n' >"$c.ext"
		openssl x509 -req -in "$c.csr" -CA "$PKI/$ca-ca/ca.crt" -CAkey "$PKI/$ca-ca/ca.key" \
			-CAcreateserial -days 2 -extfile "$c.ext" -out "$c.crt" 2>/dev/null ||
			fail "cannot sign the $ca client certificate"
	done
}

# mtls_code PORT HOST CLIENT: status of GET / over TLS to 10.200.0.1:PORT with
# SNI and Host HOST and client certificate CLIENT (validity, per-port or -
# for none); "000" when the handshake or the request fails.
mtls_code()
{
	local cert=()

	[ "$3" = - ] || cert=(--cert "$PKI/$3-client.crt" --key "$PKI/$3-client.key")
	ns_exec "$NS_CLI" curl -s --noproxy '*' -m 10 -o /dev/null -w '%{http_code}' \
		--cacert "$PKI/ca.crt" --resolve "$2:$1:10.200.0.1" "${cert[@]}" "https://$2:$1/" || true
}

# frontend_gw NAME MODE: the Gateway of the two validation tests, mode
# "" (AllowValidOnly) or AllowInsecureFallback, and its two routes.
frontend_gw()
{
	local mode=${2:+mode: $2, } tls="tls: {certificateRefs: [{group: '', kind: Secret, name: tls-validity-checks-certificate, namespace: $INFRA}]}"

	conf_base
	conf_secret $INFRA tls-validity-checks-certificate tls-validity-checks-certificate
	ca_configmap tls-validity-checks-ca-certificate "$PKI/validity-ca/ca.crt"
	ca_configmap tls-validity-checks-per-port-ca-certificate "$PKI/per-port-ca/ca.crt"
	conf_gw "$1" "
  - {name: https, port: 443, protocol: HTTPS, allowedRoutes: {namespaces: {from: Same}}, $tls}
  - {name: https-with-hostname, port: 8443, hostname: second-example.org, protocol: HTTPS, allowedRoutes: {namespaces: {from: Same}}, $tls}" \
		"  tls:
    frontend:
      default: {validation: {${mode}caCertificateRefs: [{kind: ConfigMap, group: '', name: tls-validity-checks-ca-certificate}]}}
      perPort: [{port: 8443, tls: {validation: {${mode}caCertificateRefs: [{kind: ConfigMap, group: '', name: tls-validity-checks-per-port-ca-certificate}]}}}]"
}

# GatewayFrontendClientCertificateValidation: the default CA on 443, the
# per-port CA on 8443, each refusing the other's client certificate.
test_conf_frontend_client_cert()
{
	local g=client-validation-default c

	client_pki
	conf_setup
	{ frontend_gw $g ""
	  conf_route $INFRA client-certificate-validation-https-test "[{name: $g}]" "  hostnames: [example.org]
  rules: [{backendRefs: [{name: infra-backend-v1, port: 8080}]}]"
	  conf_route $INFRA client-certificate-validation-https-test-no-hostname "[{name: $g, sectionName: https-with-hostname}]" \
		"  rules: [{backendRefs: [{name: infra-backend-v2, port: 8080}]}]"
	} | gw_load
	route_accepted $INFRA client-certificate-validation-https-test client-certificate-validation-https-test-no-hostname
	assert_eq "443 with the default CA's client" 200 "$(mtls_code 443 example.org validity)"
	c=$(mtls_code 443 example.org per-port)
	[ "$c" != 200 ] || fail "443 accepted the per-port CA's client certificate"
	assert_eq "8443 with the per-port CA's client" 200 "$(mtls_code 8443 second-example.org per-port)"
	c=$(mtls_code 8443 second-example.org validity)
	[ "$c" != 200 ] || fail "8443 accepted the default CA's client certificate"
}

# GatewayFrontendClientCertificateValidationInsecureFallback: any client
# certificate, or none, is let through; the Gateway says so.
test_conf_frontend_insecure_fallback()
{
	local g=client-validation-insecure-fallback c

	client_pki
	conf_setup
	{ frontend_gw $g AllowInsecureFallback
	  conf_route $INFRA client-cert-validation-insecure-fallback-test "[{name: $g}]" "  hostnames: [example.org]
  rules: [{backendRefs: [{name: infra-backend-v1, port: 8080}]}]"
	  conf_route $INFRA client-cert-validation-insecure-fallback-test-no-hostname "[{name: $g, sectionName: https-with-hostname}]" \
		"  rules: [{backendRefs: [{name: infra-backend-v2, port: 8080}]}]"
	} | gw_load
	route_accepted $INFRA client-cert-validation-insecure-fallback-test client-cert-validation-insecure-fallback-test-no-hostname
	assert_eq "InsecureFrontendValidationMode" True/ConfigurationChanged \
		"$(gw_cond $g - InsecureFrontendValidationMode)"
	for c in validity per-port -; do
		assert_eq "443 with client $c" 200 "$(mtls_code 443 example.org $c)"
		assert_eq "8443 with client $c" 200 "$(mtls_code 8443 second-example.org $c)"
	done
}

# GatewayInvalidFrontendClientCertificateValidation: per-port CA references
# that do not resolve (missing, wrong kind, other namespace without a grant).
test_conf_frontend_invalid()
{
	local g=gateway-with-invalid-client-cert-validation l
	local tls="tls: {certificateRefs: [{group: '', kind: Secret, name: tls-validity-checks-certificate, namespace: $INFRA}]}"

	client_pki
	conf_setup
	{ conf_base
	  conf_secret $INFRA tls-validity-checks-certificate tls-validity-checks-certificate
	  ca_configmap tls-validity-checks-ca-certificate "$PKI/validity-ca/ca.crt"
	  ca_configmap web-backend-cm "$PKI/per-port-ca/ca.crt" | sed "s/namespace: $INFRA/namespace: gateway-conformance-web-backend/"
	  conf_gw $g "
  - {name: https, port: 443, protocol: HTTPS, allowedRoutes: {namespaces: {from: Same}}, $tls}
  - {name: https-unresolved, port: 7443, hostname: first-example.org, protocol: HTTPS, allowedRoutes: {namespaces: {from: Same}}, $tls}
  - {name: https-invalid-kind, port: 8443, hostname: second-example.org, protocol: HTTPS, allowedRoutes: {namespaces: {from: Same}}, $tls}
  - {name: https-grant-missing, port: 6443, hostname: fourth-example.org, protocol: HTTPS, allowedRoutes: {namespaces: {from: Same}}, $tls}" \
		"  tls:
    frontend:
      default: {validation: {caCertificateRefs: [{kind: ConfigMap, group: '', name: tls-validity-checks-ca-certificate}]}}
      perPort:
      - {port: 7443, tls: {validation: {caCertificateRefs: [{kind: ConfigMap, group: '', name: non-exisitng-cm}]}}}
      - {port: 8443, tls: {validation: {caCertificateRefs: [{kind: Service, group: '', name: infra-backend-v2}]}}}
      - {port: 6443, tls: {validation: {caCertificateRefs: [{kind: ConfigMap, group: '', name: web-backend-cm, namespace: gateway-conformance-web-backend}]}}}"
	  conf_route $INFRA misconfigured-client-certificate-validation-https-test "[{name: client-validation-invalid}]" \
		"  hostnames: [example.org]
  rules: [{backendRefs: [{name: infra-backend-v1, port: 8080}]}]"
	} | gw_load
	assert_eq "https ResolvedRefs" True "$(gw_cond $g https ResolvedRefs | cut -d/ -f1)"
	assert_eq "https Accepted" True "$(gw_cond $g https Accepted | cut -d/ -f1)"
	assert_eq "https Programmed" True "$(gw_cond $g https Programmed | cut -d/ -f1)"
	for l in https-unresolved:InvalidCACertificateRef https-invalid-kind:InvalidCACertificateKind \
		https-grant-missing:RefNotPermitted; do
		assert_eq "${l%:*} ResolvedRefs" "False/${l#*:}" "$(gw_cond $g ${l%:*} ResolvedRefs)"
		assert_eq "${l%:*} Accepted" False/NoValidCACertificate "$(gw_cond $g ${l%:*} Accepted)"
		assert_eq "${l%:*} Programmed" False "$(gw_cond $g ${l%:*} Programmed | cut -d/ -f1)"
	done
}

# GatewayFrontendInvalidDefaultClientCertificateValidation: a default CA
# reference that does not resolve fails the HTTPS listener only; HTTP
# serves.
test_conf_frontend_invalid_default()
{
	local g=invalid-default-client-validation-config c

	client_pki
	conf_setup
	{ conf_base
	  conf_secret $INFRA tls-validity-checks-certificate tls-validity-checks-certificate
	  ca_configmap tls-validity-checks-per-port-ca-certificate "$PKI/per-port-ca/ca.crt"
	  conf_gw $g "
  - {name: https, port: 443, protocol: HTTPS, allowedRoutes: {namespaces: {from: Same}},
     tls: {certificateRefs: [{group: '', kind: Secret, name: tls-validity-checks-certificate, namespace: $INFRA}]}}
  - {name: http, port: 80, protocol: HTTP, allowedRoutes: {namespaces: {from: Same}}}" \
		"  tls:
    frontend:
      default: {validation: {caCertificateRefs: [{kind: ConfigMap, group: '', name: does-not-exist}]}}
      perPort: [{port: 80, tls: {validation: {caCertificateRefs: [{kind: ConfigMap, group: '', name: tls-validity-checks-per-port-ca-certificate}]}}}]"
	  conf_route $INFRA $g "[{name: $g}]" "  hostnames: [example.org]
  rules: [{backendRefs: [{name: infra-backend-v1, port: 8080}]}]"
	} | gw_load
	for c in ResolvedRefs Accepted Programmed; do
		assert_eq "http $c" True "$(gw_cond $g http $c | cut -d/ -f1)"
	done
	expect GET example.org / infra-backend-v1
	assert_eq "https ResolvedRefs" False/InvalidCACertificateRef "$(gw_cond $g https ResolvedRefs)"
	assert_eq "https Accepted" False/NoValidCACertificate "$(gw_cond $g https Accepted)"
	assert_eq "https Programmed" False "$(gw_cond $g https Programmed | cut -d/ -f1)"
	c=$(mtls_code 443 example.org -)
	[ "$c" != 200 ] || fail "the HTTPS listener with an unresolved default CA served a request"
}
