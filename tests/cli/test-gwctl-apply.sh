#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# gwctl apply and gwctl delete (issue 12's kubectl-shaped verbs): apply
# creates or replaces the objects given and keeps every other one; delete
# removes the objects a file or KIND NAME names; both validate the whole
# result as load does and change nothing when anything is wrong. Prints TAP.
set -u
REPO=$(cd "$(dirname "$0")/../.." && pwd)
GWCTL=${GWCTL:-$REPO/.output/gwctl}
EX=$REPO/examples
WORK=$(mktemp -d /tmp/gwctl-apply.XXXXXX)
trap 'rm -rf "$WORK"' EXIT
D=$WORK/state

ALL_TESTS="apply_adds_and_keeps apply_replaces apply_bad_input_changes_nothing
	delete_by_name_and_file delete_not_found apply_keeps_accepted_unenforced"

fail() { echo "FAIL: $*" >&2; return 1; }

route() {
	cat <<YAML
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: $1, namespace: default}
spec:
  parentRefs: [{name: eg}]
  hostnames: [$2]
  rules: [{backendRefs: [{name: backend, port: 3000}]}]
YAML
}

names() { "$GWCTL" get httproute -o name --state-dir "$D" | sort | tr '\n' ' '; }

apply_adds_and_keeps() {
	"$GWCTL" load -f "$EX/quickstart.yaml" --state-dir "$D" >/dev/null 2>&1 || return 1
	route second two.example.com >"$WORK/second.yaml"
	"$GWCTL" apply -f "$WORK/second.yaml" --state-dir "$D" >"$WORK/out" 2>/dev/null || return 1
	[ "$(cat "$WORK/out")" = "httproute.gateway.networking.k8s.io/second created" ] ||
		fail "apply printed: $(cat "$WORK/out")" || return 1
	[ "$(names)" = "httproute.gateway.networking.k8s.io/backend httproute.gateway.networking.k8s.io/second " ] ||
		fail "routes: $(names)" || return 1
	# the new route is attached and accepted like a loaded one
	[ "$("$GWCTL" get httproute second -o 'jsonpath={.status.parents[0].conditions[?(@.type=="Accepted")].status}' --state-dir "$D")" = True ] ||
		fail "not accepted" || return 1
	[ "$("$GWCTL" get gateway eg -o 'jsonpath={.status.listeners[0].attachedRoutes}' --state-dir "$D")" = 2 ]
}

apply_replaces() {
	local gen
	gen=$("$GWCTL" get httproute second -o 'jsonpath={.metadata.generation}' --state-dir "$D")
	"$GWCTL" apply -f "$WORK/second.yaml" --state-dir "$D" >"$WORK/out" 2>/dev/null || return 1
	grep -qx 'httproute.gateway.networking.k8s.io/second unchanged' "$WORK/out" || return 1
	route second three.example.com | "$GWCTL" apply -f - --state-dir "$D" >"$WORK/out" 2>/dev/null ||
		return 1
	grep -qx 'httproute.gateway.networking.k8s.io/second configured' "$WORK/out" || return 1
	[ "$("$GWCTL" get httproute second -o 'jsonpath={.spec.hostnames[0]} {.metadata.generation}' --state-dir "$D")" = "three.example.com $((gen + 1))" ] ||
		fail "not replaced" || return 1
	[ "$(names)" = "httproute.gateway.networking.k8s.io/backend httproute.gateway.networking.k8s.io/second " ]
}

apply_bad_input_changes_nothing() {
	cp "$D/config.yaml" "$WORK/before"
	route bad 'Not_A_Host!' | "$GWCTL" apply -f - --state-dir "$D" >/dev/null 2>"$WORK/err" &&
		fail "a bad route was applied" && return 1
	grep -q 'nothing was applied' "$WORK/err" || fail "$(cat "$WORK/err")" || return 1
	cmp -s "$D/config.yaml" "$WORK/before" || fail "state changed"
}

delete_by_name_and_file() {
	"$GWCTL" delete httproute backend --state-dir "$D" >"$WORK/out" 2>/dev/null || return 1
	grep -qx 'httproute.gateway.networking.k8s.io/backend deleted' "$WORK/out" || return 1
	[ "$(names)" = "httproute.gateway.networking.k8s.io/second " ] || fail "after delete: $(names)" ||
		return 1
	"$GWCTL" delete -f "$WORK/second.yaml" --state-dir "$D" >"$WORK/out" 2>/dev/null || return 1
	grep -qx 'httproute.gateway.networking.k8s.io/second deleted' "$WORK/out" || return 1
	[ -z "$(names)" ] || return 1
	# everything else is still there
	[ "$("$GWCTL" get gateway eg -o 'jsonpath={.metadata.name}' --state-dir "$D")" = eg ]
}

delete_not_found() {
	cp "$D/config.yaml" "$WORK/before"
	"$GWCTL" delete httproute nope --state-dir "$D" 2>"$WORK/err" && return 1
	grep -q 'NotFound.*"nope" not found' "$WORK/err" || fail "$(cat "$WORK/err")" || return 1
	"$GWCTL" delete -f "$WORK/second.yaml" --state-dir "$D" 2>"$WORK/err" && return 1
	grep -q 'NotFound' "$WORK/err" || return 1
	cmp -s "$D/config.yaml" "$WORK/before" || fail "state changed"
}

# a policy accepted knowingly by an earlier load needs no flag on a later apply
apply_keeps_accepted_unenforced() {
	local d=$WORK/state2
	"$GWCTL" load -f "$EX/quickstart.yaml" -f "$REPO/tests/cli/data/backendtrafficpolicy.yaml" \
		--allow-unenforced BackendTrafficPolicy --state-dir "$d" >/dev/null 2>&1 || return 1
	route second two.example.com | "$GWCTL" apply -f - --state-dir "$d" >/dev/null 2>"$WORK/err" ||
		fail "$(cat "$WORK/err")" || return 1
	"$GWCTL" get backendtrafficpolicy rate-limit -o name --state-dir "$d" >/dev/null
}

# shellcheck source=tests/cli/tap.sh
. "$REPO/tests/cli/tap.sh"
run_tap
