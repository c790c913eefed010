# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# shellcheck shell=bash
#
# ListenerSet (gateway.networking.k8s.io/v1) on the wire. Each test
# reproduces one conformance test of gateway-api v1.6.1
# (conformance/tests/listenerset-*.go and .yaml, named above each test) with
# gwd, curl and gw-echo backends: the same objects, with namespace
# gateway-conformance-infra renamed demo and Services infra-backend-v1..v3
# (port 8080) backed by the pods be1..be3; the same requests with the same
# expected backend or status code; the same status conditions, read with
# `gwctl get KIND NAME -o jsonpath=...`. Objects a conformance manifest does
# not have are marked "not in the manifest": they add a request where the
# conformance test checks status only. Sourced by run.sh.

# gwd_setup, gw_load, service_yaml, gcurl, code (test-gwd.sh), cert_make,
# secret and hcurl (test-gwd-tls.sh) come from there
# shellcheck source=tests/netns/test-gwd-tls.sh
source "$(dirname "${BASH_SOURCE[0]}")/test-gwd-tls.sh"

# shellcheck disable=SC2034 # read by run.sh
ALL_TESTS="test_ls_http_routing test_ls_allowed_ns_none
	test_ls_allowed_ns_same test_ls_allowed_ns_selector
	test_ls_default_not_allowed test_ls_allowed_routes_ns
	test_ls_supported_kinds test_ls_dual_parentref
	test_ls_section_name_not_found test_ls_hostname_conflict
	test_ls_protocol_conflict test_ls_reference_grant
	test_ls_route_status_scoped"

GWAPI=gateway.networking.k8s.io
CONTROLLER=xdpgw.io/gateway-controller

# ls_head: the GatewayClass and Services infra-backend-vI (port 8080, namespace
# demo) with pod beI as endpoint, for each backend of the topology.
ls_head()
{
	local i

	cat <<EOF
apiVersion: $GWAPI/v1
kind: GatewayClass
metadata: {name: xdpgw}
spec: {controllerName: $CONTROLLER}
---
EOF
	for ((i = 1; i <= NUM_BE; i++)); do
		service_yaml "infra-backend-v$i" http 8080 8080 "${BE4[i]}"
	done
}

# hl NAME HOSTNAME [FROM]: an HTTP listener on port 80 whose allowedRoutes
# namespaces are {from: FROM} (default All; FROM may go on with a selector).
hl()
{
	echo "{name: $1, port: 80, protocol: HTTP, hostname: \"$2\", allowedRoutes: {namespaces: {from: ${3:-All}}}}"
}

# gateway NAME ALLOWED LISTENER...: Gateway NAME in demo with
# allowedListeners.namespaces {from: ALLOWED} (none if ALLOWED is empty).
gateway()
{
	local name=$1 allowed='' l

	[ -z "$2" ] || allowed="  allowedListeners: {namespaces: {from: $2}}"
	shift 2
	cat <<EOF
apiVersion: $GWAPI/v1
kind: Gateway
metadata: {name: $name, namespace: demo}
spec:
  gatewayClassName: xdpgw
$allowed
  listeners:
EOF
	for l; do
		echo "  - $l"
	done
	echo ---
}

# lset NAMESPACE NAME GATEWAY LISTENER...: a ListenerSet whose parent is
# Gateway GATEWAY of namespace demo.
lset()
{
	local ns=$1 name=$2 gw=$3 l

	shift 3
	cat <<EOF
apiVersion: $GWAPI/v1
kind: ListenerSet
metadata: {name: $name, namespace: $ns}
spec:
  parentRef: {kind: Gateway, group: $GWAPI, name: $gw, namespace: demo}
  listeners:
EOF
	for l; do
		echo "  - $l"
	done
	echo ---
}

# namespace NAME [LABELS]: a Namespace, LABELS as YAML flow mapping content.
namespace()
{
	local labels=''

	[ -z "${2:-}" ] || labels=", labels: {$2}"
	printf 'apiVersion: v1\nkind: Namespace\nmetadata: {name: %s%s}\n---\n' "$1" "$labels"
}

# gwp NAME [SECTION]: a parentRef to Gateway NAME of namespace demo.
gwp()
{
	echo "{name: $1, namespace: demo${2:+, sectionName: $2}}"
}

# lsp NAME [NAMESPACE] [SECTION]: a parentRef to a ListenerSet (default demo).
lsp()
{
	echo "{kind: ListenerSet, group: $GWAPI, name: $1, namespace: ${2:-demo}${3:+, sectionName: $3}}"
}

# hroute NAMESPACE NAME PARENTREFS PREFIX SERVICE [SERVICE_NAMESPACE]: an
# HTTPRoute with one rule, PathPrefix PREFIX to SERVICE port 8080.
hroute()
{
	cat <<EOF
apiVersion: $GWAPI/v1
kind: HTTPRoute
metadata: {name: $2, namespace: $1}
spec:
  parentRefs: $3
  rules:
  - matches: [{path: {type: PathPrefix, value: $4}}]
    backendRefs: [{name: $5, port: 8080${6:+, namespace: $6}}]
---
EOF
}

# jp KIND NAMESPACE NAME TEMPLATE [gwctl args]: gwctl get KIND NAME -o
# jsonpath=TEMPLATE (every object of KIND when NAME is empty)
jp()
{
	local kind=$1 ns=$2 name=$3 tmpl=$4

	shift 4
	ns_exec "$NS_GW" "$GWCTL" get "$kind" ${name:+"$name"} -n "$ns" -o "jsonpath=$tmpl" --state-dir "$STATE" "$@"
}

# cond KIND NAMESPACE NAME TYPE: STATUS/REASON of the object's condition TYPE
cond()
{
	local c="{.status.conditions[?(@.type==\"$4\")]"

	jp "$1" "$2" "$3" "$c.status}/$c.reason}"
}

# lcond KIND NAMESPACE NAME LISTENER TYPE: STATUS/REASON of condition TYPE
# of the listener LISTENER in status.listeners
lcond()
{
	local c="{.status.listeners[?(@.name==\"$4\")].conditions[?(@.type==\"$5\")]"

	jp "$1" "$2" "$3" "$c.status}/$c.reason}"
}

# rcond NAMESPACE ROUTE PARENT TYPE: STATUS/REASON of condition TYPE in the
# HTTPRoute's status.parents entry for the parent named PARENT (as
# HTTPRouteMustHaveCondition finds it: by name)
rcond()
{
	local c="{.status.parents[?(@.parentRef.name==\"$3\")].conditions[?(@.type==\"$4\")]"

	jp httproute "$1" "$2" "$c.status}/$c.reason}"
}

# cond_is WHAT WANT GOT: WANT is STATUS/REASON, or STATUS alone for "any
# reason" (conformance's Reason: "").
cond_is()
{
	if [[ $2 == */* ]]; then
		assert_eq "$1" "$2" "$3"
	else
		assert_eq "$1" "$2" "${3%%/*}"
	fi
}

# gens_latest: ConditionsHaveLatestObservedGeneration, which every
# conformance status check waits for: each condition of every Gateway,
# ListenerSet and HTTPRoute (their listeners' and parents' too) observed the
# object's metadata.generation.
gens_latest()
{
	local kind o gen g n=0

	for kind in gateway listenerset httproute; do
		for o in $(jp "$kind" demo "" '{range .items[*]}{.metadata.namespace}/{.metadata.name} {end}' \
			-A); do
			gen=$(jp "$kind" "${o%%/*}" "${o#*/}" '{.metadata.generation}')
			[ -n "$gen" ] || fail "$kind $o has no metadata.generation"
			for g in $(jp "$kind" "${o%%/*}" "${o#*/}" '{.status..observedGeneration}'); do
				[ "$g" = "$gen" ] || fail "$kind $o: a condition observed generation $g, not $gen"
				n=$((n + 1))
			done
		done
	done
	[ "$n" -gt 0 ] || fail "no condition has an observedGeneration"
	echo "  pass: $n conditions observed their object's generation"
}

# gw_accepted NAME: GatewayMustHaveCondition(Accepted=True)
gw_accepted()
{
	cond_is "Gateway $1 Accepted" True "$(cond gateway demo "$1" Accepted)"
}

# attached_sets GATEWAY N: GatewayMustHaveAttachedListeners (an absent
# status.attachedListenerSets counts as 0 there: ptr.Deref(..., 0))
attached_sets()
{
	local n

	n=$(jp gateway demo "$1" '{.status.attachedListenerSets}') || fail "gwctl get gateway $1"
	assert_eq "Gateway $1 attachedListenerSets" "$2" "${n:-0}"
}

# listeners_ok KIND NAMESPACE NAME [LISTENER...]: generateAcceptedListenerConditions
# (ResolvedRefs, Accepted, Programmed True, any reason) on each LISTENER, or
# on every listener of the object when none is named
listeners_ok()
{
	local kind=$1 ns=$2 name=$3 l t

	shift 3
	# shellcheck disable=SC2046 # listener names have no blanks: split on purpose
	[ "$#" -gt 0 ] || set -- $(jp "$kind" "$ns" "$name" '{.status.listeners[*].name}')
	[ "$#" -gt 0 ] || fail "$kind $ns/$name has no listener status"
	for l; do
		for t in ResolvedRefs Accepted Programmed; do
			cond_is "$kind $name listener $l $t" True "$(lcond "$kind" "$ns" "$name" "$l" "$t")"
		done
	done
}

# listeners_conflicted KIND NAMESPACE NAME LISTENER REASON: Accepted=False,
# Programmed=False and Conflicted=True, all with REASON
listeners_conflicted()
{
	cond_is "$3/$4 Accepted" "False/$5" "$(lcond "$1" "$2" "$3" "$4" Accepted)"
	cond_is "$3/$4 Programmed" "False/$5" "$(lcond "$1" "$2" "$3" "$4" Programmed)"
	cond_is "$3/$4 Conflicted" "True/$5" "$(lcond "$1" "$2" "$3" "$4" Conflicted)"
}

# ls_listeners NAMESPACE LS "NAME ATTACHED"...: ListenerSetStatusMustHaveListeners:
# exactly these listener entries, each with supportedKinds holding
# gateway.networking.k8s.io/HTTPRoute, attachedRoutes ATTACHED, and the
# accepted listener conditions
ls_listeners()
{
	local ns=$1 ls=$2 e names='' l n k

	shift 2
	for e; do
		names="$names${names:+ }${e% *}"
	done
	assert_eq "ListenerSet $ls listeners" "$names" \
		"$(jp listenerset "$ns" "$ls" '{.status.listeners[*].name}')"
	for e; do
		l=${e% *}
		n=${e##* }
		k=$(jp listenerset "$ns" "$ls" \
			"{.status.listeners[?(@.name==\"$l\")].supportedKinds[?(@.kind==\"HTTPRoute\")].group}")
		assert_eq "$ls/$l supportedKinds has HTTPRoute" "$GWAPI" "$k"
		assert_eq "$ls/$l attachedRoutes" "$n" \
			"$(jp listenerset "$ns" "$ls" "{.status.listeners[?(@.name==\"$l\")].attachedRoutes}")"
		listeners_ok listenerset "$ns" "$ls" "$l"
	done
}

# route_parent_ok NAMESPACE ROUTE KIND PARENT [PARENT_NAMESPACE]: the route's
# status.parents entry for PARENT, as RoutesAndParentMustBeAccepted wants it:
# parentRef group, kind and namespace (default demo), our controllerName,
# Accepted=True/Accepted
route_parent_ok()
{
	local ns=$1 r=$2 kind=$3 p=$4 pns=${5:-demo} e

	e="{.status.parents[?(@.parentRef.name==\"$p\")]"
	assert_eq "$r parent $p" "$GWAPI/$kind/$pns/$CONTROLLER" \
		"$(jp httproute "$ns" "$r" "$e.parentRef.group}/$e.parentRef.kind}/$e.parentRef.namespace}/$e.controllerName}")"
	cond_is "$r parent $p Accepted" True/Accepted "$(rcond "$ns" "$r" "$p" Accepted)"
}

# expect HOST PATH WANT: a GET of PATH with Host HOST is answered with status
# WANT (a number), or 200 by pod WANT of namespace demo
expect()
{
	local host=$1 path=$2 want=$3 out

	if [[ $want =~ ^[0-9]+$ ]]; then
		assert_eq "$host$path" "$want" "$(code "$host" "$path")"
		return
	fi
	out=$(gcurl -H "Host: $host" -w '\n%{http_code}' "$URL$path") || fail "curl $host$path failed"
	assert_eq "$host$path status" 200 "$(tail -n 1 <<<"$out")"
	out=$(sed '$d' <<<"$out")
	assert_eq "$host$path backend" "demo/$want" \
		"$(json_get "$out" .namespace)/$(json_get "$out" .pod)"
}

# expect_table HOST... <<< "PATH WANT...": one expect per PATH and HOST, WANT
# in the order of the HOSTs
expect_table()
{
	local hosts=("$@") path want i

	while read -r path want <&3; do
		[ -n "$path" ] || continue
		# shellcheck disable=SC2206 # split on purpose
		want=($want)
		[ "${#want[@]}" -eq "${#hosts[@]}" ] || fail "expect_table: bad row $path"
		for ((i = 0; i < ${#hosts[@]}; i++)); do
			expect "${hosts[i]}" "$path" "${want[i]}"
		done
	done 3<&0
}

# ListenerSetHTTPRouting (listenerset-http-routing.go): routes attached to the
# Gateway reach only its own listeners, routes attached to a ListenerSet only
# that set's listeners, sectionName narrows either to one listener.
test_ls_http_routing()
{
	local g=gateway-with-listener-sets-http-routing ls1=listener-set-http-routing-1
	local ls2=listener-set-http-routing-2 r

	skip_if_missing jq
	gwd_setup 3
	{
		ls_head
		gateway $g All "$(hl gateway-listener-1 gateway-listener-1.com)" \
			"$(hl gateway-listener-2 gateway-listener-2.com)"
		lset demo $ls1 $g "$(hl $ls1-listener-1 $ls1-listener-1.com)" \
			"$(hl $ls1-listener-2 $ls1-listener-2.com)"
		lset demo $ls2 $g "$(hl $ls2-listener-1 $ls2-listener-1.com)" \
			"$(hl $ls2-listener-2 $ls2-listener-2.com)"
		hroute demo attaches-to-all-listeners "[$(gwp $g), $(lsp $ls1), $(lsp $ls2)]" \
			/route infra-backend-v1
		hroute demo gateway-route "[$(gwp $g)]" /gateway-route infra-backend-v2
		hroute demo gateway-section-route "[$(gwp $g gateway-listener-1)]" \
			/gateway-section-route infra-backend-v3
		hroute demo $ls1-route "[$(lsp $ls1)]" /$ls1-route infra-backend-v2
		hroute demo $ls1-section-route "[$(lsp $ls1 demo $ls1-listener-1)]" \
			/$ls1-section-route infra-backend-v3
		hroute demo $ls2-route "[$(lsp $ls2)]" /$ls2-route infra-backend-v2
	} | gw_load
	gens_latest
	# GatewayAndHTTPRoutesMustBeAccepted, GatewayMustHaveAttachedListeners
	[ -n "$(jp gateway demo $g '{.status.addresses[0].value}')" ] || fail "no Gateway address"
	for r in attaches-to-all-listeners gateway-route gateway-section-route; do
		route_parent_ok demo "$r" Gateway $g
	done
	listeners_ok gateway demo $g
	attached_sets $g 2
	for r in attaches-to-all-listeners $ls1-route $ls1-section-route; do
		route_parent_ok demo "$r" ListenerSet $ls1
	done
	ls_listeners demo $ls1 "$ls1-listener-1 3" "$ls1-listener-2 2"
	for r in attaches-to-all-listeners $ls2-route; do
		route_parent_ok demo "$r" ListenerSet $ls2
	done
	ls_listeners demo $ls2 "$ls2-listener-1 2" "$ls2-listener-2 2"
	# the 36 requests: infra-backend-vN is pod beN
	expect_table gateway-listener-1.com gateway-listener-2.com $ls1-listener-1.com \
		$ls1-listener-2.com $ls2-listener-1.com $ls2-listener-2.com <<EOF
/route be1 be1 be1 be1 be1 be1
/gateway-route be2 be2 404 404 404 404
/gateway-section-route be3 404 404 404 404 404
/$ls1-route 404 404 be2 be2 404 404
/$ls1-section-route 404 404 be3 404 404 404
/$ls2-route 404 404 404 404 be2 be2
EOF
}

# not_allowed_case GATEWAY ALLOWED LS LISTENER_HOST: the manifest of
# ListenerSetAllowedNamespaceNone / ListenerSetDefaultNotAllowed, and their
# checks. Not in the manifests: route r, attached to the Gateway and the
# ListenerSet, shows that only the Gateway's listener serves.
not_allowed_case()
{
	local g=$1 allowed=$2 ls=$3 host=$4

	gwd_setup 1
	{
		ls_head
		gateway "$g" "$allowed" "$(hl gateway-listener gateway-listener.com)"
		lset demo "$ls" "$g" "$(hl "${host%.com}" "$host")"
		hroute demo r "[$(gwp "$g"), $(lsp "$ls")]" / infra-backend-v1
	} | gw_load
	gens_latest
	gw_accepted "$g"
	attached_sets "$g" 0
	cond_is "$ls Accepted" False/NotAllowed "$(cond listenerset demo "$ls" Accepted)"
	cond_is "$ls Programmed" False/NotAllowed "$(cond listenerset demo "$ls" Programmed)"
	expect gateway-listener.com /x be1
	expect "$host" /x 404
}

# ListenerSetAllowedNamespaceNone (listenerset-allowed-namespace-none.go)
test_ls_allowed_ns_none()
{
	not_allowed_case gateway-does-not-allow-listenerset None listenerset-not-allowed \
		listener-set-listener.com
}

# ListenerSetDefaultNotAllowed (listenerset-default-not-allowed.go): no
# allowedListeners at all
test_ls_default_not_allowed()
{
	not_allowed_case gateway-default-does-not-allow-listenerset "" \
		listenerset-default-not-allowed listenerset-default-not-allowed-listener.com
}

# allowed_case GATEWAY ALLOWED OKNS OKLS OKHOST BADNS BADLS BADHOST [NAMESPACES]:
# ListenerSetAllowedNamespaceSame / ListenerSetAllowedNamespaceSelector: the
# set in OKNS attaches, the one in BADNS is NotAllowed. Not in the manifests:
# route r in demo, attached to both sets, serves only on the allowed one.
allowed_case()
{
	local g=$1 allowed=$2 okns=$3 okls=$4 okhost=$5 badns=$6 badls=$7 badhost=$8

	gwd_setup 1
	{
		ls_head
		printf '%s\n' "${9:-}"
		gateway "$g" "$allowed" "$(hl gateway-listener gateway-listener.com)"
		lset "$okns" "$okls" "$g" "$(hl "$okls-listener" "$okhost")"
		lset "$badns" "$badls" "$g" "$(hl "$badls-listener" "$badhost")"
		hroute demo r "[$(lsp "$okls" "$okns"), $(lsp "$badls" "$badns")]" / infra-backend-v1
	} | gw_load
	gens_latest
	gw_accepted "$g"
	attached_sets "$g" 1
	cond_is "$okls Accepted" True/Accepted "$(cond listenerset "$okns" "$okls" Accepted)"
	cond_is "$okls Programmed" True/Programmed "$(cond listenerset "$okns" "$okls" Programmed)"
	listeners_ok listenerset "$okns" "$okls" "$okls-listener"
	cond_is "$badls Accepted" False/NotAllowed "$(cond listenerset "$badns" "$badls" Accepted)"
	cond_is "$badls Programmed" False/NotAllowed \
		"$(cond listenerset "$badns" "$badls" Programmed)"
	expect "$okhost" /x be1
	expect "$badhost" /x 404
}

# ListenerSetAllowedNamespaceSame (listenerset-allowed-namespace-same.go)
test_ls_allowed_ns_same()
{
	allowed_case gateway-allows-listenerset-in-same-namespace Same \
		demo listenerset-in-same-namespace listenerset-in-same-namespace-listener.com \
		gateway-api-listenerset-not-allowed-ns listenerset-in-different-namespace \
		listenerset-in-different-namespace-listener \
		"$(namespace gateway-api-listenerset-not-allowed-ns)"
}

# ListenerSetAllowedNamespaceSelector (listenerset-allowed-namespace-selector.go)
test_ls_allowed_ns_selector()
{
	allowed_case gateway-allows-listenerset-in-selected-namespace \
		"Selector, selector: {matchLabels: {allowed: ns}}" \
		gateway-api-listenerset-selector-allowed-ns listenerset-in-selected-namespace \
		listenerset-in-selected-namespace-listener.com \
		gateway-api-listenerset-selector-not-allowed-ns listenerset-not-in-selected-namespace \
		listenerset-not-in-selected-namespace-listener.com \
		"$(namespace gateway-api-listenerset-selector-allowed-ns "allowed: ns"
		   namespace gateway-api-listenerset-selector-not-allowed-ns)"
}

# ListenerSetAllowedRoutesNamespaces (listenerset-allowed-routes-namespaces.go):
# a ListenerSet listener's allowedRoutes (All, Same, Selector) judge the
# route's namespace against the ListenerSet's, not the Gateway's.
test_ls_allowed_routes_ns()
{
	local g=gateway-with-listener-sets-test-allowed-routes
	local ls=listenerset-test-allowed-routes-namespaces
	local xls=listenerset-test-allowed-routes-cross-ns xns=gateway-api-ls-cross-ns
	local okns=gateway-api-routes-allowed-ns badns=gateway-api-routes-not-allowed-ns
	local p=listener-set-listener-allowed-routes

	skip_if_missing jq
	gwd_setup 3
	{
		ls_head
		gateway $g All "$(hl gateway-listener gateway-listener.com)"
		lset demo $ls $g "$(hl $p-all $p-all.com)" "$(hl $p-same $p-same.com Same)" \
			"$(hl $p-selector $p-selector.com \
				"Selector, selector: {matchLabels: {allowed: ns}}")"
		hroute demo route-in-same-namespace "[$(lsp $ls)]" /route-in-same-namespace \
			infra-backend-v1
		namespace $okns "allowed: ns"
		hroute $okns route-in-selected-namespace "[$(lsp $ls)]" \
			/route-in-selected-namespace infra-backend-v2 demo
		namespace $badns
		hroute $badns route-not-in-selected-namespace "[$(lsp $ls)]" \
			/route-not-in-selected-namespace infra-backend-v3 demo
		namespace $xns
		lset $xns $xls $g "$(hl $p-cross-ns-same $p-cross-ns-same.com Same)"
		hroute $xns route-in-listenerset-namespace "[$(lsp $xls $xns)]" \
			/route-in-listenerset-namespace infra-backend-v1 demo
		hroute demo route-in-gateway-namespace "[$(lsp $xls $xns)]" \
			/route-in-gateway-namespace infra-backend-v2
		cat <<EOF
kind: ReferenceGrant
apiVersion: $GWAPI/v1
metadata: {name: listenerset-test-allowed-routes-namespaces-reference-grant, namespace: demo}
spec:
  from:
  - {group: $GWAPI, kind: HTTPRoute, namespace: $okns}
  - {group: $GWAPI, kind: HTTPRoute, namespace: $badns}
  - {group: $GWAPI, kind: HTTPRoute, namespace: $xns}
  to: [{group: "", kind: Service}]
---
EOF
	} | gw_load
	gens_latest
	[ -n "$(jp gateway demo $g '{.status.addresses[0].value}')" ] || fail "no Gateway address"
	gw_accepted $g
	attached_sets $g 2
	# Same-namespace ListenerSet
	route_parent_ok demo route-in-same-namespace ListenerSet $ls
	route_parent_ok $okns route-in-selected-namespace ListenerSet $ls
	route_parent_ok $badns route-not-in-selected-namespace ListenerSet $ls
	listeners_ok listenerset demo $ls
	ls_listeners demo $ls "$p-all 3" "$p-same 1" "$p-selector 1"
	expect_table $p-all.com $p-same.com $p-selector.com <<EOF
/route-in-same-namespace be1 be1 404
/route-in-selected-namespace be2 404 be2
/route-not-in-selected-namespace be3 404 404
EOF
	# Cross-namespace ListenerSet
	route_parent_ok $xns route-in-listenerset-namespace ListenerSet $xls $xns
	listeners_ok listenerset $xns $xls
	cond_is "route-in-gateway-namespace parent $xls Accepted" False/NotAllowedByListeners \
		"$(rcond demo route-in-gateway-namespace $xls Accepted)"
	ls_listeners $xns $xls "$p-cross-ns-same 1"
	expect $p-cross-ns-same.com /route-in-listenerset-namespace be1
	expect $p-cross-ns-same.com /route-in-gateway-namespace 404
}

# ListenerSetAllowedRoutesSupportedKinds
# (listenerset-allowed-routes-supported-kinds.go): HTTPRoute on a TLS
# listener is ResolvedRefs=False/InvalidRouteKinds.
test_ls_supported_kinds()
{
	local g=gateway-with-listener-sets-test-supported-route-kinds
	local ls=listenerset-test-allowed-routes-supported-kinds
	local l=listener-set-listener-allowed-routes-tls-only

	gwd_setup 1
	{
		ls_head
		gateway $g All "$(hl gateway-listener gateway-listener.com)"
		lset demo $ls $g "{name: $l, port: 443, protocol: TLS, hostname: \"$l.com\",
      allowedRoutes: {namespaces: {from: All}, kinds: [{kind: HTTPRoute}]},
      tls: {mode: Passthrough}}"
	} | gw_load
	gens_latest
	gw_accepted $g
	cond_is "$ls/$l ResolvedRefs" False/InvalidRouteKinds \
		"$(lcond listenerset demo $ls $l ResolvedRefs)"
}

# ListenerSetDualParentRefIndependence
# (listenerset-dual-parentref-independence.go): a route's Gateway and
# ListenerSet parentRefs are judged each on its own listeners.
test_ls_dual_parentref()
{
	local g=gateway-dual-parentref ls=ls-dual-parentref

	skip_if_missing jq
	gwd_setup 2
	{
		ls_head
		gateway $g Same "$(hl gw-dual-parentref-listener gw-dual.com Same)"
		lset demo $ls $g "$(hl ls-dual-parentref-listener ls-dual.com Same)"
		hroute demo route-dual-parentref-both "[$(gwp $g), $(lsp $ls)]" /dualboth \
			infra-backend-v1
		hroute demo route-dual-parentref-one "[$(gwp $g ls-dual-parentref-listener),
    $(lsp $ls demo ls-dual-parentref-listener)]" /dualone infra-backend-v2
	} | gw_load
	gens_latest
	[ -n "$(jp gateway demo $g '{.status.addresses[0].value}')" ] || fail "no Gateway address"
	gw_accepted $g
	attached_sets $g 1
	ls_listeners demo $ls "ls-dual-parentref-listener 2"
	# Both parentRefs are Accepted
	cond_is "both: Gateway parent" True "$(rcond demo route-dual-parentref-both $g Accepted)"
	cond_is "both: ListenerSet parent" True "$(rcond demo route-dual-parentref-both $ls Accepted)"
	expect gw-dual.com /dualboth be1
	expect ls-dual.com /dualboth be1
	# One of two parentRefs is Accepted
	cond_is "one: Gateway parent" False/NoMatchingParent \
		"$(rcond demo route-dual-parentref-one $g Accepted)"
	cond_is "one: ListenerSet parent" True "$(rcond demo route-dual-parentref-one $ls Accepted)"
	route_parent_ok demo route-dual-parentref-one ListenerSet $ls
	listeners_ok listenerset demo $ls
	expect ls-dual.com /dualone be2
	expect gw-dual.com /dualone 404
}

# ListenerSetGatewayParentSectionNameNotFound
# (listenerset-gateway-parent-section-name-not-found.go): a Gateway parentRef
# cannot name a ListenerSet's listener.
test_ls_section_name_not_found()
{
	local g=gateway-section-name ls=listenerset-section-name

	skip_if_missing jq
	gwd_setup 2
	{
		ls_head
		gateway $g Same "$(hl gw-listener gw-section.com Same)"
		lset demo $ls $g "$(hl ls-only-listener ls-section-name.com Same)"
		hroute demo route-via-listenerset "[$(lsp $ls demo ls-only-listener)]" /goodsection \
			infra-backend-v1
		hroute demo route-via-gateway "[$(gwp $g ls-only-listener)]" /badsection \
			infra-backend-v2
	} | gw_load
	gens_latest
	[ -n "$(jp gateway demo $g '{.status.addresses[0].value}')" ] || fail "no Gateway address"
	gw_accepted $g
	attached_sets $g 1
	route_parent_ok demo route-via-listenerset ListenerSet $ls
	listeners_ok listenerset demo $ls
	cond_is "route-via-gateway parent $g Accepted" False/NoMatchingParent \
		"$(rcond demo route-via-gateway $g Accepted)"
	expect ls-section-name.com /goodsection be1
	expect gw-section.com /badsection 404
}

# conflict_checks KIND GATEWAY PREFIX REASON: the condition checks
# ListenerSetHostnameConflict and ListenerSetProtocolConflict share; PREFIX is
# hostname or protocol, REASON HostnameConflict or ProtocolConflict.
conflict_checks()
{
	local g=$1 p=$2 why=$3 s=listenerset-with-$2-conflict-with

	gw_accepted "$g"
	listeners_ok gateway demo "$g" gateway-listener "$p-conflict-with-gateway-listener"
	attached_sets "$g" 2
	cond_is "$s-gateway-1 Accepted" True "$(cond listenerset demo "$s-gateway-1" Accepted)"
	cond_is "$s-gateway-1 Programmed" True/Programmed \
		"$(cond listenerset demo "$s-gateway-1" Programmed)"
	listeners_ok listenerset demo "$s-gateway-1" listener-set-1-listener \
		"$p-conflict-with-listener-set-listener"
	listeners_conflicted listenerset demo "$s-gateway-1" "$p-conflict-with-gateway-listener" "$why"
	cond_is "$s-gateway-2 Accepted" False/ListenersNotValid \
		"$(cond listenerset demo "$s-gateway-2" Accepted)"
	cond_is "$s-gateway-2 Programmed" False/ListenersNotValid \
		"$(cond listenerset demo "$s-gateway-2" Programmed)"
	listeners_conflicted listenerset demo "$s-gateway-2" "$p-conflict-with-gateway-listener" "$why"
	cond_is "$s-listener-set-1 Accepted" True \
		"$(cond listenerset demo "$s-listener-set-1" Accepted)"
	cond_is "$s-listener-set-1 Programmed" True/Programmed \
		"$(cond listenerset demo "$s-listener-set-1" Programmed)"
	listeners_ok listenerset demo "$s-listener-set-1" listener-set-2-listener
	listeners_conflicted listenerset demo "$s-listener-set-1" \
		"$p-conflict-with-listener-set-listener" "$why"
	cond_is "$s-listener-set-2 Accepted" False/ListenersNotValid \
		"$(cond listenerset demo "$s-listener-set-2" Accepted)"
	cond_is "$s-listener-set-2 Programmed" False/ListenersNotValid \
		"$(cond listenerset demo "$s-listener-set-2" Programmed)"
	listeners_conflicted listenerset demo "$s-listener-set-2" \
		"$p-conflict-with-listener-set-listener" "$why"
}

# conflict_routes GATEWAY PREFIX: not in the manifests: route gw (to be1) on
# the Gateway, route ls-gw-1 (be2) on the first ListenerSet, route ls-ls-1
# (be3) on the third, so requests show which listener serves each hostname.
conflict_routes()
{
	local s=listenerset-with-$2-conflict-with

	hroute demo gw "[$(gwp "$1")]" /gw infra-backend-v1
	hroute demo ls-gw-1 "[$(lsp "$s-gateway-1")]" /ls infra-backend-v2
	hroute demo ls-ls-1 "[$(lsp "$s-listener-set-1")]" /ls infra-backend-v3
}

# ListenerSetHostnameConflict (listenerset-hostname-conflict.go): a
# ListenerSet listener with the hostname of a listener of higher precedence
# (the Gateway's, then older or first-named ListenerSets') is conflicted.
test_ls_hostname_conflict()
{
	local g=gateway-with-listenerset-hostname-conflict s=listenerset-with-hostname-conflict-with
	local c=hostname-conflict-with

	skip_if_missing jq
	gwd_setup 3
	{
		ls_head
		gateway $g Same "$(hl gateway-listener gateway-listener.com)" \
			"$(hl $c-gateway-listener $c-gateway-listener.com)"
		lset demo $s-gateway-1 $g "$(hl listener-set-1-listener listener-set-1-listener.com)" \
			"$(hl $c-gateway-listener $c-gateway-listener.com)" \
			"$(hl $c-listener-set-listener $c-listener-set-listener.com)"
		lset demo $s-gateway-2 $g "$(hl $c-gateway-listener $c-gateway-listener.com)"
		lset demo $s-listener-set-1 $g "$(hl listener-set-2-listener listener-set-2-listener.com)" \
			"$(hl $c-listener-set-listener $c-listener-set-listener.com)"
		lset demo $s-listener-set-2 $g "$(hl $c-listener-set-listener $c-listener-set-listener.com)"
		conflict_routes $g hostname
	} | gw_load
	gens_latest
	conflict_checks $g hostname HostnameConflict
	# the hostname goes to the listener that won
	expect $c-gateway-listener.com /gw be1
	expect $c-gateway-listener.com /ls 404
	expect listener-set-1-listener.com /ls be2
	expect $c-listener-set-listener.com /ls be2
	expect listener-set-2-listener.com /ls be3
}

# ListenerSetProtocolConflict (listenerset-protocol-conflict.go): a TCP
# listener on the HTTP port 80 is conflicted; the HTTP listeners of the same
# ListenerSets are not.
test_ls_protocol_conflict()
{
	local g=gateway-with-listenerset-protocol-conflict s=listenerset-with-protocol-conflict-with
	local c=protocol-conflict-with
	local tcp1="{name: $c-gateway-listener, port: 80, protocol: TCP, allowedRoutes: {namespaces: {from: All}}}"
	local tcp2="{name: $c-listener-set-listener, port: 80, protocol: TCP, allowedRoutes: {namespaces: {from: All}}}"

	skip_if_missing jq
	gwd_setup 3
	{
		ls_head
		gateway $g Same "$(hl gateway-listener gateway-listener.com)" \
			"$(hl $c-gateway-listener $c-gateway-listener.com)"
		lset demo $s-gateway-1 $g "$(hl listener-set-1-listener listener-set-1-listener.com)" \
			"$tcp1" "$(hl $c-listener-set-listener $c-listener-set-listener.com)"
		lset demo $s-gateway-2 $g "$tcp1"
		lset demo $s-listener-set-1 $g "$(hl listener-set-2-listener listener-set-2-listener.com)" \
			"$tcp2"
		lset demo $s-listener-set-2 $g "$tcp2"
		conflict_routes $g protocol
	} | gw_load
	gens_latest
	conflict_checks $g protocol ProtocolConflict
	# port 80 still speaks HTTP, to the listeners that won
	expect $c-gateway-listener.com /gw be1
	expect listener-set-1-listener.com /ls be2
	expect $c-listener-set-listener.com /ls be2
	expect listener-set-2-listener.com /ls be3
}

# ListenerSetReferenceGrant (listenerset-reference-grant.go): a ListenerSet
# listener's cross-namespace certificateRef needs a ReferenceGrant from
# ListenerSets of its namespace; the Gateway's grant does not count.
test_ls_reference_grant()
{
	local g=gateway-with-listener-sets-test-reference-grant web=gateway-conformance-web-backend
	local ok=listenerset-with-reference-grant bad=listenerset-without-reference-grant
	local badns=gateway-api-listener-sets-test-reference-grant-ns out tls

	skip_if_missing openssl jq
	PKI="$GW_RUN_DIR/pki"
	mkdir -p "$PKI"
	openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=xdpgw test CA" \
		-keyout "$PKI/ca.key" -out "$PKI/ca.crt" 2>/dev/null || fail "cannot make the CA"
	cert_make "$PKI" certificate ec $ok-listener.com
	tls="tls: {certificateRefs: [{group: \"\", kind: Secret, name: certificate, namespace: $web}]}"
	gwd_setup 1
	{
		ls_head
		namespace $web
		secret certificate certificate $web
		gateway $g All "{name: gateway-listener, port: 443, protocol: HTTPS,
      hostname: gateway-listener.com, allowedRoutes: {namespaces: {from: All}}, $tls}"
		cat <<EOF
apiVersion: $GWAPI/v1
kind: ReferenceGrant
metadata: {name: reference-grant-for-gateway, namespace: $web}
spec:
  from: [{group: $GWAPI, kind: Gateway, namespace: demo}]
  to: [{group: "", kind: Secret}]
---
apiVersion: $GWAPI/v1
kind: ReferenceGrant
metadata: {name: reference-grant-for-listener-set, namespace: $web}
spec:
  from: [{group: $GWAPI, kind: ListenerSet, namespace: demo}]
  to: [{group: "", kind: Secret}]
---
EOF
		lset demo $ok $g "{name: $ok-listener, port: 443, protocol: HTTPS,
      hostname: $ok-listener.com, allowedRoutes: {namespaces: {from: All}}, $tls}"
		namespace $badns
		lset $badns $bad $g "{name: $bad-listener, port: 443, protocol: HTTPS,
      hostname: $bad-listener-1.com, allowedRoutes: {namespaces: {from: All}}, $tls}"
		# not in the manifest: a route on each ListenerSet
		hroute demo r "[$(lsp $ok), $(lsp $bad $badns)]" / infra-backend-v1
	} | gw_load
	gens_latest
	gw_accepted $g
	cond_is "$ok Accepted" True "$(cond listenerset demo $ok Accepted)"
	cond_is "$ok Programmed" True "$(cond listenerset demo $ok Programmed)"
	cond_is "$ok listener ResolvedRefs" True \
		"$(lcond listenerset demo $ok $ok-listener ResolvedRefs)"
	cond_is "$bad Accepted" False/ListenersNotValid "$(cond listenerset $badns $bad Accepted)"
	cond_is "$bad Programmed" False/ListenersNotValid \
		"$(cond listenerset $badns $bad Programmed)"
	cond_is "$bad listener ResolvedRefs" False/RefNotPermitted \
		"$(lcond listenerset $badns $bad $bad-listener ResolvedRefs)"
	# the granted certificate serves its listener; the other listener serves nothing
	out=$(hcurl $ok-listener.com /x) || fail "HTTPS to $ok-listener.com failed"
	assert_eq "HTTPS backend" be1 "$(json_get "$out" .pod)"
	out=$(hcurl $bad-listener-1.com /x -k -o /dev/null -w '%{http_code}' 2>/dev/null)
	[ "$out" != 200 ] || fail "$bad-listener-1.com is served without a ReferenceGrant"
}

# ListenerSetRouteStatusScopedToParentRef
# (listenerset-route-status-scoped-to-parentref.go): a route's status.parents
# has entries for its own parentRefs only, though the ListenerSet's
# listeners belong to the Gateway too.
test_ls_route_status_scoped()
{
	local g=gateway-parentref ls=listenerset-parentref

	skip_if_missing jq
	gwd_setup 2
	{
		ls_head
		gateway $g Same "$(hl gw-parentref-listener gw-parentref.com Same)"
		lset demo $ls $g "$(hl listenerset-parentref-listener listenerset-parentref.com Same)"
		hroute demo route-parentref-gwonly "[$(gwp $g)]" /gwonly infra-backend-v1
		hroute demo route-parentref-lsonly "[$(lsp $ls)]" /lsonly infra-backend-v2
	} | gw_load
	gens_latest
	gw_accepted $g
	attached_sets $g 1
	ls_listeners demo $ls "listenerset-parentref-listener 1"
	# Gateway-only parentRef
	route_parent_ok demo route-parentref-gwonly Gateway $g
	assert_eq "gwonly: parents" $g \
		"$(jp httproute demo route-parentref-gwonly '{.status.parents[*].parentRef.name}')"
	# ListenerSet-only parentRef
	route_parent_ok demo route-parentref-lsonly ListenerSet $ls
	listeners_ok listenerset demo $ls
	assert_eq "lsonly: parents" $ls \
		"$(jp httproute demo route-parentref-lsonly '{.status.parents[*].parentRef.name}')"
	# not in the conformance test: each route answers on its parent's listener only
	expect gw-parentref.com /gwonly be1
	expect listenerset-parentref.com /gwonly 404
	expect listenerset-parentref.com /lsonly be2
	expect gw-parentref.com /lsonly 404
}
