#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# gwctl get -o jsonpath=TEMPLATE against the real kubectl: for each template,
# gwctl's output and exit status must be kubectl's for the same object
# (kubectl reads gwctl's own -o json of it: `kubectl patch --local` prints a
# local file through the same JSONPath printer as `kubectl get`). Prints TAP.
set -u
REPO=$(cd "$(dirname "$0")/../.." && pwd)
GWCTL=${GWCTL:-$REPO/.output/gwctl}
KUBECTL=${KUBECTL:-kubectl}
EX=$REPO/examples
WORK=$(mktemp -d /tmp/gwctl-jsonpath.XXXXXX)
trap 'rm -rf "$WORK"' EXIT
D=$WORK/state

ALL_TESTS="load_fixture jsonpath_matches_kubectl jsonpath_on_lists status_addresses_are_the_nodes
	static_address_in_status output_format_errors"

fail() { echo "FAIL: $*" >&2; return 1; }

load_fixture() {
	cat >"$WORK/static.yaml" <<'YAML'
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: static, namespace: default}
spec:
  gatewayClassName: eg
  addresses: [{type: IPAddress, value: 127.0.0.1}]
  listeners: [{name: http, protocol: HTTP, port: 8080}, {name: alt, protocol: HTTP, port: 8081}]
YAML
	"$GWCTL" load -f "$EX/quickstart.yaml" -f "$WORK/static.yaml" --state-dir "$D" \
		>/dev/null 2>"$WORK/err" || { cat "$WORK/err" >&2; return 1; }
	"$GWCTL" get gateway eg -o json --state-dir "$D" >"$WORK/eg.json" &&
		"$GWCTL" get gateway static -o json --state-dir "$D" >"$WORK/static.json"
}

# same stdout, same success/failure, and the same first error line
# (kubectl adds a dump of the template and the object after its message).
# Go visits map keys in random order, so the templates below only use ..
# and * where one map key at most leads to a match.
same_as_kubectl() {
	local obj=$1 tmpl=$2 a b ra rb ea eb
	a=$("$GWCTL" get gateway "$obj" -o "jsonpath=$tmpl" --state-dir "$D" 2>"$WORK/ea"); ra=$?
	b=$("$KUBECTL" patch --local -f "$WORK/$obj.json" --type merge -p '{}' \
		-o "jsonpath=$tmpl" 2>"$WORK/eb"); rb=$?
	ea=$(head -1 "$WORK/ea")
	eb=$(head -1 "$WORK/eb" | sed 's/ Printing more information for debugging the template:$//')
	[ "$a" == "$b" ] || fail "$obj '$tmpl': gwctl printed '$a', kubectl '$b'" || return 1
	[ $((ra != 0)) == $((rb != 0)) ] || fail "$obj '$tmpl': gwctl rc $ra, kubectl rc $rb" || return 1
	[ "$ea" == "$eb" ] || fail "$obj '$tmpl': gwctl error '$ea', kubectl '$eb'"
}

jsonpath_matches_kubectl() {
	command -v "$KUBECTL" >/dev/null || fail "kubectl not installed" || return 1
	local t obj
	while IFS= read -r t; do
		[ -n "$t" ] || continue
		for obj in eg static; do
			same_as_kubectl "$obj" "$t" || return 1
		done
	done <<'TEMPLATES'
{.status.addresses[0].value}
{.status.addresses[*].value}
{.status.addresses[-1:].type}
{.metadata.name}/{.metadata.namespace}
{range .spec.listeners[*]}{.name}:{.port}{"\n"}{end}
{range .status.listeners[*]}{.name}{range .conditions[*]} {.type}={.status}{end}{"\n"}{end}
{.status.conditions[?(@.type=="Programmed")].status}
{.status.conditions[?(@.status!="True")].reason}
{.status.conditions[?(@.observedGeneration>=1)].type}
{.status.listeners[?(@.attachedRoutes>0)].name}
{.status.listeners[?(@.supportedKinds)].name}
{.spec.listeners[0]}
{.spec.listeners[5].name}
{.spec.listeners[1:3].name}
{.spec.nothere}{.nothere[0]}
{.spec..port}
{.status.listeners[0]..kind}
{.metadata}
{$.kind} {@.apiVersion}
{.metadata['name','namespace']}
{.kind[0]}
{.spec
{.a,.b}
{end}
{.status.conditions[?(@.type==1)]}
literal text only
TEMPLATES
}

jsonpath_on_lists() {
	local out
	out=$("$GWCTL" get gateway -A -o 'jsonpath={.kind}:{.items[*].metadata.name}' --state-dir "$D") || return 1
	[ "$out" == "List:eg static" ] || fail "list: '$out'" || return 1
	out=$("$GWCTL" get httproute -o 'jsonpath={range .items[*]}{.spec.hostnames[0]}{"\n"}{end}' \
		--state-dir "$D") || return 1
	[ "$out" == "www.example.com" ] || fail "range over items: '$out'"
}

# A Gateway without spec.addresses (the quickstart's) lists the addresses of
# this node, so `curl http://$GATEWAY_HOST/` reaches it (issue 9).
status_addresses_are_the_nodes() {
	local first all a
	first=$("$GWCTL" get gateway eg -o 'jsonpath={.status.addresses[0].value}' --state-dir "$D") || return 1
	[ -n "$first" ] || fail "no status.addresses[0] for a Gateway without spec.addresses" || return 1
	all=$("$GWCTL" get gateway eg -o 'jsonpath={.status.addresses[*].value}' --state-dir "$D") || return 1
	for a in $all; do
		ip -o addr show up | grep -qF " $a/" || fail "$a is not an address of this node" || return 1
	done
	case $first in *:*) ip -o -4 addr show up scope global | grep -q . &&
		fail "IPv6 $first listed before the node's IPv4 addresses" ;; esac
	[ "$("$GWCTL" get gateway eg -o 'jsonpath={.status.addresses[0].type}' --state-dir "$D")" == IPAddress ]
}

static_address_in_status() {
	[ "$("$GWCTL" get gateway static -o 'jsonpath={.status.addresses[*].value}' --state-dir "$D")" == 127.0.0.1 ] ||
		fail "static address not the status" || return 1
	[ "$("$GWCTL" get gateway static -o 'jsonpath={.status.conditions[?(@.type=="Accepted")].reason}' \
		--state-dir "$D")" == Accepted ]
}

output_format_errors() {
	"$GWCTL" get gateway eg -o jsonpath --state-dir "$D" 2>"$WORK/err" && return 1
	grep -q 'allowed formats are: json,jsonpath,name,wide,yaml' "$WORK/err" || return 1
	"$GWCTL" get gateway eg -o jsonpath='{.spec' --state-dir "$D" >"$WORK/out" 2>"$WORK/err" && return 1
	grep -q 'error parsing jsonpath {.spec, unclosed action' "$WORK/err" || return 1
	# an error half-way prints nothing on stdout, like kubectl
	"$GWCTL" get gateway eg -o jsonpath='{.metadata.name}{.spec.listeners[9]}' --state-dir "$D" \
		>"$WORK/out" 2>/dev/null && return 1
	[ ! -s "$WORK/out" ] || fail "partial output: $(cat "$WORK/out")"
}

# shellcheck source=tests/cli/tap.sh
. "$REPO/tests/cli/tap.sh"
run_tap
