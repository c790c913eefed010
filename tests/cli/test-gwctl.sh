#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# gwctl end to end, without root: load/dry-run/get/status against a private
# --state-dir. Prints TAP; each test is a function listed in ALL_TESTS.
set -u
REPO=$(cd "$(dirname "$0")/../.." && pwd)
GWCTL=${GWCTL:-$REPO/.output/gwctl}
EX=$REPO/examples
WORK=$(mktemp -d /tmp/gwctl-test.XXXXXX)
trap 'rm -rf "$WORK"' EXIT

ALL_TESTS="dry_run_examples dry_run_yaml_status dry_run_json load_persists_and_get
	get_kubectl_shapes get_not_found status_summary reload_unchanged_and_prune
	bad_yaml_nothing_applied structural_errors_name_file_line_field
	duplicate_object_rejected stdin_input directory_input controller_name_override
	state_survives_failed_load frontend_tls_status frontend_tls_bad_mode_nothing_applied
	unenforced_policy_fails_closed unenforced_policy_allowed securitypolicy_status"

fail() { echo "FAIL: $*" >&2; return 1; }
sd() { echo "$WORK/state-$1"; }

dry_run_examples() {
	local f
	for f in "$EX"/*.yaml; do
		"$GWCTL" load --dry-run -f "$f" >"$WORK/out" 2>"$WORK/err" ||
			{ cat "$WORK/err" >&2; fail "dry-run of $f failed"; return 1; }
	done
}

dry_run_yaml_status() {
	"$GWCTL" load --dry-run -o yaml -f "$EX/quickstart.yaml" --state-dir "$(sd a)" >"$WORK/o.yaml" || return 1
	grep -q '^kind: List$' "$WORK/o.yaml" || fail "not a List" || return 1
	# the route is accepted by Gateway eg and its backend resolves
	grep -A3 'reason: Accepted' "$WORK/o.yaml" | grep -q 'status: "True"' || fail "no Accepted=True" || return 1
	grep -q 'attachedRoutes: 1' "$WORK/o.yaml" || fail "attachedRoutes" || return 1
	grep -q 'controllerName: xdpgw.io/gateway-controller' "$WORK/o.yaml" || return 1
	# dry-run applies nothing
	[ ! -e "$(sd a)/config.yaml" ] || fail "dry-run wrote state"
}

dry_run_json() {
	"$GWCTL" load --dry-run -o json -f "$EX/quickstart.yaml" --state-dir "$(sd j)" >"$WORK/o.json" || return 1
	if command -v jq >/dev/null; then
		[ "$(jq -r '.items[] | select(.kind=="HTTPRoute") | .status.parents[0].conditions[] | select(.type=="Accepted") | .status' "$WORK/o.json")" = True ] ||
			fail "json route status" || return 1
		[ "$(jq -r '.kind' "$WORK/o.json")" = List ] || return 1
	else
		grep -q '"kind": "List"' "$WORK/o.json"
	fi
}

load_persists_and_get() {
	local d; d=$(sd b)
	"$GWCTL" load -f "$EX/quickstart.yaml" --state-dir "$d" >"$WORK/out" || return 1
	grep -q '^gateway.gateway.networking.k8s.io/eg created$' "$WORK/out" || fail "created line" || return 1
	grep -q '^httproute.gateway.networking.k8s.io/backend created$' "$WORK/out" || return 1
	[ -s "$d/config.yaml" ] || fail "no state file" || return 1
	"$GWCTL" get gateway eg -o yaml --state-dir "$d" >"$WORK/gw.yaml" || return 1
	grep -q '^kind: Gateway$' "$WORK/gw.yaml" || return 1
	grep -q 'attachedRoutes: 1' "$WORK/gw.yaml" || return 1
}

get_kubectl_shapes() {
	local d; d=$(sd b)
	"$GWCTL" get httproutes --state-dir "$d" >"$WORK/t" || return 1
	grep -q '^NAME  *HOSTNAMES  *AGE' "$WORK/t" || fail "table header" || return 1
	grep -q '^backend  *www.example.com' "$WORK/t" || return 1
	"$GWCTL" get gtw -A -o name --state-dir "$d" | grep -qx 'gateway.gateway.networking.k8s.io/eg' || return 1
	# several objects print as a List, one named object bare
	"$GWCTL" get gatewayclass -o yaml --state-dir "$d" | grep -q '^kind: List$' || return 1
	"$GWCTL" get gatewayclass eg -o yaml --state-dir "$d" | grep -q '^kind: GatewayClass$' || return 1
	"$GWCTL" get httproute.gateway.networking.k8s.io backend -o json --state-dir "$d" | grep -q '"kind": "HTTPRoute"'
}

get_not_found() {
	local d rc; d=$(sd b)
	"$GWCTL" get gateway nope --state-dir "$d" 2>"$WORK/err"; rc=$?
	[ $rc -ne 0 ] || return 1
	grep -q 'NotFound' "$WORK/err" || return 1
	"$GWCTL" get frobnicators --state-dir "$d" 2>/dev/null && return 1
	"$GWCTL" get gateways -n elsewhere --state-dir "$d" 2>&1 | grep -q 'No resources found in elsewhere namespace'
}

status_summary() {
	local d; d=$(sd b)
	"$GWCTL" status --state-dir "$d" >"$WORK/s" || return 1
	grep -q '^Gateway default/eg (class eg)' "$WORK/s" || return 1
	grep -q 'listener http HTTP/80 tier=gwd: 1 route' "$WORK/s" || return 1
	grep -q 'HTTPRoute default/backend: Accepted ResolvedRefs' "$WORK/s" || return 1
	# the not-True Programmed condition is shown as a problem
	grep -q '! Programmed=False (Pending)' "$WORK/s"
}

reload_unchanged_and_prune() {
	local d; d=$(sd c)
	"$GWCTL" load -f "$EX/quickstart.yaml" --state-dir "$d" >/dev/null || return 1
	"$GWCTL" load -f "$EX/quickstart.yaml" --state-dir "$d" >"$WORK/out" || return 1
	grep -q 'gateway.gateway.networking.k8s.io/eg unchanged' "$WORK/out" || fail "unchanged" || return 1
	# drop the HTTPRoute from the input: it is pruned
	awk 'BEGIN{RS="---\n"; ORS="---\n"} !/kind: HTTPRoute/' "$EX/quickstart.yaml" >"$WORK/noroute.yaml"
	"$GWCTL" load -f "$WORK/noroute.yaml" --state-dir "$d" >"$WORK/out" || return 1
	grep -q 'httproute.gateway.networking.k8s.io/backend pruned' "$WORK/out" || fail "pruned" || return 1
	"$GWCTL" get httproute backend --state-dir "$d" 2>/dev/null && fail "still there"
	"$GWCTL" get gateway eg -o yaml --state-dir "$d" | grep -q 'attachedRoutes: 0'
}

bad_yaml_nothing_applied() {
	local d rc; d=$(sd d)
	"$GWCTL" load -f "$EX/quickstart.yaml" --state-dir "$d" >/dev/null || return 1
	cp "$d/config.yaml" "$WORK/before"
	printf 'apiVersion: v1\nkind: Service\nmetadata: {name: x\nspec: [\n' >"$WORK/broken.yaml"
	"$GWCTL" load -f "$EX/quickstart.yaml" -f "$WORK/broken.yaml" --state-dir "$d" 2>"$WORK/err"; rc=$?
	[ $rc -ne 0 ] || fail "broken yaml accepted" || return 1
	grep -q "broken.yaml:[0-9]*:[0-9]*:" "$WORK/err" || fail "no file:line:col" || return 1
	grep -q 'nothing was applied' "$WORK/err" || return 1
	cmp -s "$d/config.yaml" "$WORK/before" || fail "state changed"
}

structural_errors_name_file_line_field() {
	local rc
	cat >"$WORK/bad.yaml" <<-'Y'
	apiVersion: gateway.networking.k8s.io/v1
	kind: Gateway
	metadata:
	  name: g
	  namespace: infra
	spec:
	  gatewayClassName: gc
	  listeners:
	  - name: http
	    protocol: HTTP
	    port: 70000
	Y
	"$GWCTL" load --dry-run -f "$WORK/bad.yaml" 2>"$WORK/err"; rc=$?
	[ $rc -ne 0 ] || return 1
	grep -q 'bad.yaml:11: error: Gateway infra/g: spec.listeners\[0\].port: Invalid value: 70000: must be between 1 and 65535' "$WORK/err" ||
		{ cat "$WORK/err" >&2; return 1; }
	cat >"$WORK/bad2.yaml" <<-'Y'
	apiVersion: gateway.networking.k8s.io/v1
	kind: HTTPRoute
	metadata: {name: r}
	spec:
	  parentRefs: [{name: eg}]
	  rules:
	  - matches: [{path: {type: Prefix, value: /}}]
	Y
	"$GWCTL" load --dry-run -f "$WORK/bad2.yaml" 2>"$WORK/err" && return 1
	grep -q 'bad2.yaml:7: error: HTTPRoute default/r: spec.rules\[0\].matches\[0\].path.type: Unsupported value: "Prefix"' "$WORK/err" ||
		{ cat "$WORK/err" >&2; return 1; }
	printf 'apiVersion: gateway.networking.k8s.io/v9\nkind: Gateway\nmetadata: {name: g}\nspec: {}\n' >"$WORK/bad3.yaml"
	"$GWCTL" load --dry-run -f "$WORK/bad3.yaml" 2>"$WORK/err" && return 1
	grep -q 'apiVersion: Unsupported value' "$WORK/err"
}

duplicate_object_rejected() {
	"$GWCTL" load --dry-run -f "$EX/quickstart.yaml" -f "$EX/quickstart.yaml" 2>"$WORK/err" && return 1
	grep -q 'metadata.name: Duplicate value: already defined at .*quickstart.yaml:' "$WORK/err"
}

stdin_input() {
	"$GWCTL" load --dry-run -o name -f - <"$EX/quickstart.yaml" | grep -qx 'httproute.gateway.networking.k8s.io/backend'
}

directory_input() {
	mkdir -p "$WORK/dir"
	cp "$EX/quickstart.yaml" "$WORK/dir/a.yaml"
	echo "not yaml" >"$WORK/dir/README"
	"$GWCTL" load --dry-run -o name -f "$WORK/dir" | grep -qx 'gateway.gateway.networking.k8s.io/eg'
}

controller_name_override() {
	sed 's|xdpgw.io/gateway-controller|gateway.envoyproxy.io/gatewayclass-controller|' \
		"$EX/quickstart.yaml" >"$WORK/envoy.yaml"
	# not ours by default: Gateway stays Pending (CRD default status)
	"$GWCTL" load --dry-run -o yaml -f "$WORK/envoy.yaml" | grep -q 'Waiting for controller' || return 1
	"$GWCTL" load --dry-run -o yaml -f "$WORK/envoy.yaml" \
		--controller-name gateway.envoyproxy.io/gatewayclass-controller | grep -q 'attachedRoutes: 1'
}

state_survives_failed_load() {
	local d; d=$(sd e)
	"$GWCTL" load -f "$EX/quickstart.yaml" --state-dir "$d" >/dev/null || return 1
	printf 'apiVersion: v1\nkind: Service\nmetadata: {name: s}\nspec: {ports: [{port: 0}]}\n' >"$WORK/p0.yaml"
	"$GWCTL" load -f "$WORK/p0.yaml" --state-dir "$d" 2>/dev/null && return 1
	"$GWCTL" get httproute backend --state-dir "$d" >/dev/null
}

# https.yaml with Gateway spec.tls.frontend (client certificates) set to $1.
with_frontend() {
	awk -v fe="$1" '{ print } /^  gatewayClassName: xdpgw$/ { print fe }' "$EX/https.yaml"
}

frontend_tls_status() {
	local j
	with_frontend '  tls:
    frontend:
      default:
        validation:
          caCertificateRefs: [{group: "", kind: ConfigMap, name: missing-ca}]
      perPort:
      - port: 8443
        tls: {validation: {caCertificateRefs: [{group: "", kind: ConfigMap, name: x}], mode: AllowInsecureFallback}}' >"$WORK/mtls.yaml"
	"$GWCTL" load --dry-run -o json -f "$WORK/mtls.yaml" >"$WORK/mtls.json" || return 1
	command -v jq >/dev/null || { grep -q NoValidCACertificate "$WORK/mtls.json"; return; }
	j='.items[] | select(.kind=="Gateway") | .status'
	# the CA ConfigMap of the default does not exist: the HTTPS listener is not accepted
	[ "$(jq -r "$j"' | .listeners[] | select(.name=="https") | .conditions[] | select(.type=="ResolvedRefs") | .reason' "$WORK/mtls.json")" = InvalidCACertificateRef ] ||
		fail "ResolvedRefs reason" || return 1
	jq -r "$j"' | .listeners[] | select(.name=="https") | .conditions[] | select(.type=="ResolvedRefs") | .message' "$WORK/mtls.json" |
		grep -q 'spec.tls.frontend.default.validation.caCertificateRefs\[0\]: ConfigMap web/missing-ca not found' ||
		fail "ResolvedRefs message" || return 1
	[ "$(jq -r "$j"' | .listeners[] | select(.name=="https") | .conditions[] | select(.type=="Accepted") | .reason' "$WORK/mtls.json")" = NoValidCACertificate ] ||
		fail "Accepted reason" || return 1
	[ "$(jq -r "$j"' | .listeners[] | select(.name=="http") | .conditions[] | select(.type=="Accepted") | .status' "$WORK/mtls.json")" = True ] ||
		fail "HTTP listener affected" || return 1
	# a perPort entry in AllowInsecureFallback is flagged on the Gateway
	[ "$(jq -r "$j"' | .conditions[] | select(.type=="InsecureFrontendValidationMode") | .reason' "$WORK/mtls.json")" = ConfigurationChanged ] ||
		fail "InsecureFrontendValidationMode" || return 1
}

frontend_tls_bad_mode_nothing_applied() {
	local d rc; d=$(sd f)
	with_frontend '  tls: {frontend: {default: {validation: {caCertificateRefs: [{group: "", kind: ConfigMap, name: ca}], mode: Sometimes}}}}' >"$WORK/mode.yaml"
	"$GWCTL" load -f "$WORK/mode.yaml" --state-dir "$d" 2>"$WORK/err"; rc=$?
	[ $rc -ne 0 ] || return 1
	grep -q 'mode.yaml:23: error: Gateway web/eg-tls: spec.tls.frontend.default.validation.mode: Unsupported value: "Sometimes"' "$WORK/err" ||
		{ cat "$WORK/err" >&2; return 1; }
	[ ! -e "$d/config.yaml" ] || fail "a bad load wrote state"
}

# issue 9: an Envoy Gateway BackendTrafficPolicy (not enforced yet) is refused, the state untouched
unenforced_policy_fails_closed() {
	local d rc; d=$(sd u)
	"$GWCTL" load -f "$EX/quickstart.yaml" --state-dir "$d" >/dev/null 2>&1 || return 1
	cp "$d/config.yaml" "$WORK/before.yaml"
	"$GWCTL" load -f "$EX/quickstart.yaml" -f "$REPO/tests/cli/data/backendtrafficpolicy.yaml" \
		--state-dir "$d" >"$WORK/out" 2>"$WORK/err"; rc=$?
	[ $rc -ne 0 ] || fail "load with a BackendTrafficPolicy succeeded" || return 1
	grep -qx "$REPO/tests/cli/data/backendtrafficpolicy.yaml:3: error: BackendTrafficPolicy rate-limit: not enforced by xdpgw: gateway.envoyproxy.io/v1alpha1 BackendTrafficPolicy would leave its targets served without it; remove it, or load with --allow-unenforced BackendTrafficPolicy to accept that" "$WORK/err" ||
		{ cat "$WORK/err" >&2; fail "error line"; return 1; }
	grep -q 'nothing was applied' "$WORK/err" || return 1
	cmp -s "$d/config.yaml" "$WORK/before.yaml" || fail "state changed" || return 1
	# allowing another kind does not help
	"$GWCTL" load -f "$REPO/tests/cli/data/backendtrafficpolicy.yaml" -f "$EX/quickstart.yaml" \
		--allow-unenforced ClientTrafficPolicy --state-dir "$d" >/dev/null 2>&1 && return 1
	cmp -s "$d/config.yaml" "$WORK/before.yaml" || fail "state changed"
}

unenforced_policy_allowed() {
	local d; d=$(sd u2)
	"$GWCTL" load -f "$EX/quickstart.yaml" -f "$REPO/tests/cli/data/backendtrafficpolicy.yaml" \
		--allow-unenforced XBackendTrafficPolicy,BackendTrafficPolicy --state-dir "$d" \
		>"$WORK/out" 2>"$WORK/err" || { cat "$WORK/err" >&2; return 1; }
	grep -qx 'backendtrafficpolicy.gateway.envoyproxy.io/rate-limit created' "$WORK/out" || return 1
	"$GWCTL" status --state-dir "$d" >"$WORK/st" || return 1
	grep -q '^BackendTrafficPolicy default/rate-limit (gateway.envoyproxy.io): NOT ENFORCED' "$WORK/st" ||
		{ cat "$WORK/st" >&2; fail "status"; return 1; }
	grep -q 'HTTPRoute default/backend: .*xdpgw.io/PolicyEnforced=False' "$WORK/st" || return 1
	"$GWCTL" get httproute backend -o yaml --state-dir "$d" >"$WORK/r.yaml" || return 1
	grep -B3 'type: xdpgw.io/PolicyEnforced' "$WORK/r.yaml" | grep -q 'reason: NotEnforced' ||
		{ cat "$WORK/r.yaml" >&2; fail "route condition"; return 1; }
	grep -q 'message: .*BackendTrafficPolicy default/rate-limit is not enforced by xdpgw' "$WORK/r.yaml" || return 1
	# the same load again is unchanged (found in the state, not re-created)
	"$GWCTL" load -f "$EX/quickstart.yaml" -f "$REPO/tests/cli/data/backendtrafficpolicy.yaml" \
		--allow-unenforced BackendTrafficPolicy --state-dir "$d" >"$WORK/out" 2>/dev/null || return 1
	grep -qx 'backendtrafficpolicy.gateway.envoyproxy.io/rate-limit unchanged' "$WORK/out" || return 1
	# the flag is per load: without it the same policy fails again, state kept
	cp "$d/config.yaml" "$WORK/before.yaml"
	"$GWCTL" load -f "$EX/quickstart.yaml" -f "$REPO/tests/cli/data/backendtrafficpolicy.yaml" \
		--state-dir "$d" >/dev/null 2>&1 && fail "accepted without the flag" && return 1
	cmp -s "$d/config.yaml" "$WORK/before.yaml" || fail "state changed" || return 1
	# dropping the policy prunes it
	"$GWCTL" load -f "$EX/quickstart.yaml" --state-dir "$d" >"$WORK/out" 2>/dev/null || return 1
	grep -qx 'backendtrafficpolicy.gateway.envoyproxy.io/rate-limit pruned' "$WORK/out"
}

# issue 14: a SecurityPolicy is enforced; one that cannot be says why in status
securitypolicy_status() {
	local d; d=$(sd sp)
	cat >"$WORK/sp.yaml" <<'YAML'
apiVersion: gateway.envoyproxy.io/v1alpha1
kind: SecurityPolicy
metadata: {name: ip, namespace: default}
spec:
  targetRefs: [{group: gateway.networking.k8s.io, kind: HTTPRoute, name: backend}]
  authorization: {defaultAction: Deny, rules: [{action: Allow, principal: {clientCIDRs: [10.0.0.0/8]}}]}
---
apiVersion: gateway.envoyproxy.io/v1alpha1
kind: SecurityPolicy
metadata: {name: users, namespace: default}
spec:
  targetRefs: [{group: gateway.networking.k8s.io, kind: Gateway, name: eg}]
  basicAuth: {users: {name: nosuch}}
YAML
	"$GWCTL" load -f "$EX/quickstart.yaml" -f "$WORK/sp.yaml" --state-dir "$d" >/dev/null 2>&1 ||
		return 1
	"$GWCTL" status --state-dir "$d" >"$WORK/st" 2>/dev/null
	grep -A1 '^SecurityPolicy default/ip: 1 ancestor' "$WORK/st" | grep -q 'Gateway default/eg: Accepted$' ||
		fail "ip: $(cat "$WORK/st")" || return 1
	grep -q 'Accepted=False (Invalid): basicAuth.users: Secret default/nosuch does not exist' \
		"$WORK/st" || fail "users: $(cat "$WORK/st")" || return 1
	[ "$("$GWCTL" get sp ip -o 'jsonpath={.status.ancestors[0].conditions[0].reason}' --state-dir "$d")" = Accepted ]
}

# shellcheck source=tests/cli/tap.sh
. "$REPO/tests/cli/tap.sh"
run_tap
