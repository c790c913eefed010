# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# shellcheck shell=bash
#
# Issue 9 with a real gwd: a load refused for an unenforced policy leaves the
# previous configuration serving; gwd creates a missing --state-dir and
# serves the GatewayClasses of the controllerName gwctl loaded the state for.
# Uses the topology and helpers of test-gwd.sh. Sourced by run.sh.

# shellcheck source=tests/netns/test-gwd.sh
source "$(dirname "${BASH_SOURCE[0]}")/test-gwd.sh"

# shellcheck disable=SC2034 # read by run.sh
ALL_TESTS="test_failed_load_keeps_serving test_gwd_creates_state_dir
	test_gwd_controller_from_state"

secpol()
{
	cat <<EOF2
apiVersion: gateway.envoyproxy.io/v1alpha1
kind: BackendTrafficPolicy
metadata: {name: limit, namespace: demo}
spec:
  targetRefs: [{group: gateway.networking.k8s.io, kind: HTTPRoute, name: web}]
  rateLimit: {type: Local, local: {rules: [{limit: {requests: 10, unit: Minute}}]}}
---
EOF2
}

test_failed_load_keeps_serving()
{
	local f="$GW_RUN_DIR/secpol.yaml" rc

	skip_if_missing jq
	gwd_setup 2
	{ cfg_head; route web "  hostnames: [www.example.com]
  rules:
  - backendRefs: [{name: svc1, port: 80}]"; } | gw_load
	assert_eq "before" be1 "$(pod www.example.com /get)"
	cp "$STATE/config.yaml" "$GW_RUN_DIR/before.yaml"
	# the new config moves the route to be2 and adds a policy xdpgw cannot enforce
	{ cfg_head; route web "  hostnames: [www.example.com]
  rules:
  - backendRefs: [{name: svc2, port: 80}]"; secpol; } >"$f"
	ns_exec "$NS_GW" "$GWCTL" load -q -f "$f" --state-dir "$STATE" 2>"$GW_RUN_DIR/err"
	rc=$?
	cat "$GW_RUN_DIR/err"
	[ "$rc" -ne 0 ] || fail "gwctl load accepted an unenforced BackendTrafficPolicy"
	grep -q "secpol.yaml:[0-9]*: error: BackendTrafficPolicy demo/limit: not enforced by xdpgw" \
		"$GW_RUN_DIR/err" || fail "no file:line error for the BackendTrafficPolicy"
	cmp -s "$STATE/config.yaml" "$GW_RUN_DIR/before.yaml" || fail "the state changed"
	# the old route still answers, several times (every worker)
	for _ in 1 2 3 4; do
		assert_eq "after the refused load" be1 "$(pod www.example.com /get)"
	done
	# accepted knowingly, the new route is served (without the policy)
	ns_exec "$NS_GW" "$GWCTL" load -q -f "$f" --allow-unenforced BackendTrafficPolicy \
		--state-dir "$STATE" || fail "load with --allow-unenforced failed"
	assert_eq "after --allow-unenforced" be2 "$(pod www.example.com /get)"
}

test_gwd_creates_state_dir()
{
	skip_if_missing jq
	topo_create 1
	start_echo "${NS_BE[1]}" be1 --namespace demo --listen "[::]:8080" -v
	STATE="$GW_RUN_DIR/new/state"
	[ ! -e "$STATE" ] || fail "state dir exists already"
	gwd_start
	assert_eq "state dir mode" 750 "$(stat -c %a "$STATE")"
	{ cfg_head; route web "  hostnames: [www.example.com]
  rules:
  - backendRefs: [{name: svc1, port: 80}]"; } | gw_load
	assert_eq "served" be1 "$(pod www.example.com /get)"
}

test_gwd_controller_from_state()
{
	local f="$GW_RUN_DIR/other.yaml" rc

	skip_if_missing jq
	topo_create 1
	start_echo "${NS_BE[1]}" be1 --namespace demo --listen "[::]:8080" -v
	STATE="$GW_RUN_DIR/state"
	{ cfg_head; route web "  hostnames: [www.example.com]
  rules:
  - backendRefs: [{name: svc1, port: 80}]"; } |
		sed 's|controllerName: xdpgw.io/gateway-controller|controllerName: example.com/other|' >"$f"
	ns_exec "$NS_GW" "$GWCTL" load -q -f "$f" --controller-name example.com/other \
		--state-dir "$STATE" || fail "gwctl load --controller-name failed"
	# an explicit, different controller is refused with an error line
	ns_exec "$NS_GW" "$GWD" --state-dir "$STATE" --admin off \
		--controller-name xdpgw.io/gateway-controller 2>"$GW_RUN_DIR/err"
	rc=$?
	cat "$GW_RUN_DIR/err"
	assert_eq "gwd exit status" 1 "$rc"
	grep -q 'error: --controller-name xdpgw.io/gateway-controller differs from example.com/other' \
		"$GW_RUN_DIR/err" || fail "no error line"
	# without --controller-name gwd serves the classes the state was loaded for
	gwd_start
	assert_eq "served" be1 "$(pod www.example.com /get)"
}
