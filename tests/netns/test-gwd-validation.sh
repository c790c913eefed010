# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# shellcheck shell=bash
#
# Load-time validation seen from a client: a route with a rule the loader
# drops (a pattern PCRE2 rejects, an ExternalAuth filter) still loads into
# the running gwd, its other rules serve real curl requests, and the
# dropped rules match nothing. Sourced by run.sh.

# gwd_setup, cfg_head, gw_load, route, pod and code come from there
# shellcheck source=tests/netns/test-gwd.sh
source "$(dirname "${BASH_SOURCE[0]}")/test-gwd.sh"

# shellcheck disable=SC2034 # read by run.sh
ALL_TESTS="test_dropped_rules_served_around"

test_dropped_rules_served_around()
{
	local out

	skip_if_missing jq
	gwd_setup 2
	# before, gwd refused the whole reload for the pattern and gwctl rolled back
	{ cfg_head; route r "  rules:
  - matches: [{path: {type: RegularExpression, value: '/api/(v1'}}]
    backendRefs: [{name: svc1, port: 80}]
  - matches: [{path: {type: PathPrefix, value: /api}}]
    backendRefs: [{name: svc2, port: 80}]
  - matches: [{path: {type: Exact, value: /private}}]
    filters:
    - type: ExternalAuth
      externalAuth: {protocol: HTTP, http: {}, backendRef: {name: svc1, port: 80}}
    backendRefs: [{name: svc1, port: 80}]"; } | gw_load
	assert_eq "the valid rule serves" be2 "$(pod h /api/x)"
	assert_eq "the bad pattern's path goes to the valid rule" be2 "$(pod h '/api/(v1')"
	assert_eq "the ExternalAuth rule is gone" 404 "$(code h /private)"
	out=$(ns_exec "$NS_GW" "$GWCTL" get httproute r -n demo -o json --state-dir "$STATE")
	assert_eq "PartiallyInvalid" "True UnsupportedValue" "$(jq -r '.status.parents[0].conditions[] |
		select(.type == "PartiallyInvalid") | "\(.status) \(.reason)"' <<<"$out")"
	assert_eq "Accepted" True "$(jq -r '.status.parents[0].conditions[] |
		select(.type == "Accepted") | .status' <<<"$out")"
}
