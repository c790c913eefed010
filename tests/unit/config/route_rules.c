// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Rules no data plane implements (loader/config/route_rules.c): invalid
 * RegularExpression values (compiled with PCRE2 as gwd does) and filter
 * types in the unsupported table are dropped, with PartiallyInvalid True /
 * UnsupportedValue (message "Dropped Rule...") when other rules remain, and
 * Accepted False / UnsupportedValue when none does (shared_types.go
 * RouteConditionPartiallyInvalid, HTTPRouteFilter.Type). Each drop is a
 * warning with file, line and field path. A backend appProtocol gwd does
 * not speak (TLS ones) is ResolvedRefs False / UnsupportedProtocol (GEP-1911).
 */
#include <string.h>

#include "lib/fixture.h"

#define GATEWAY                                                                              \
	FX_CLASS                                                                             \
	"apiVersion: gateway.networking.k8s.io/v1\nkind: Gateway\n"                           \
	"metadata: {name: g, namespace: default}\n"                                           \
	"spec:\n  gatewayClassName: gc\n  listeners:\n"                                        \
	"  - {name: http, protocol: HTTP, port: 80}\n---\n"                                    \
	"apiVersion: v1\nkind: Service\nmetadata: {name: s, namespace: default}\n"            \
	"spec: {ports: [{name: http, port: 80}]}\n---\n"

#define ROUTE(parent, rules)                                                                 \
	"apiVersion: gateway.networking.k8s.io/v1\nkind: HTTPRoute\n"                         \
	"metadata: {name: r, namespace: default}\n"                                           \
	"spec:\n  parentRefs: [" parent "]\n  rules:\n" rules "---\n"

#define RULE(match) "  - matches: [" match "]\n    backendRefs: [{name: s, port: 80}]\n"
#define GOOD RULE("{path: {type: RegularExpression, value: \"/ok/[0-9]+\"}}")

static struct gw_route *route(struct gw_config *c)
{
	return gw_config_find(c, GW_K_HTTPROUTE, "default", "r")->u.route;
}

static const char *message(struct gw_config *c, const char *type)
{
	return gw_ygetstr(fx_cond(c, GW_K_HTTPROUTE, "default", "r", "parents/g", type),
			  "message", "");
}

static void test_valid_regexes_keep_every_rule(void **s)
{
	struct gw_config *c = fx_resolve(GATEWAY ROUTE("{name: g}", GOOD
		RULE("{headers: [{type: RegularExpression, name: x-a, value: \"a+|b\"}]}")
		RULE("{queryParams: [{type: RegularExpression, name: q, value: \"(x|y){2}\"}]}")));

	(void)s;
	assert_cond(c, GW_K_HTTPROUTE, "default", "r", "parents/g", "Accepted", "True",
		    "Accepted");
	assert_null(fx_cond(c, GW_K_HTTPROUTE, "default", "r", "parents/g", "PartiallyInvalid"));
	for (int i = 0; i < route(c)->nrules; i++)
		assert_null(route(c)->rules[i].invalid);
	assert_false(fx_has_diag(c, "dropped", NULL));
	fx_free(c);
}

static void test_bad_path_regex_drops_its_rule(void **s)
{
	struct gw_config *c = fx_resolve(GATEWAY ROUTE("{name: g}",
		RULE("{path: {type: RegularExpression, value: \"/api/(v1|v2\"}}") GOOD));

	(void)s;
	assert_cond(c, GW_K_HTTPROUTE, "default", "r", "parents/g", "Accepted", "True",
		    "Accepted");
	assert_cond(c, GW_K_HTTPROUTE, "default", "r", "parents/g", "PartiallyInvalid", "True",
		    "UnsupportedValue");
	/* "The message for this condition MUST start with the prefix "Dropped Rule"" */
	assert_int_equal(strncmp(message(c, "PartiallyInvalid"), "Dropped Rule", 12), 0);
	assert_non_null(strstr(message(c, "PartiallyInvalid"), "rules[0]"));
	assert_non_null(route(c)->rules[0].invalid);
	assert_null(route(c)->rules[1].invalid);
	/* the PCRE2 message and offset, at the line of the value */
	if (!fx_has_diag(c, "test.yaml:25:", "warning", "HTTPRoute default/r",
			 "spec.rules[0].matches[0].path.value",
			 "invalid regular expression at offset 11: missing closing parenthesis",
			 NULL))
		fail_msg("no warning for the bad pattern:\n%s", fx_diags(c));
	fx_free(c);
}

static void test_all_rules_invalid_not_accepted(void **s)
{
	struct gw_config *c = fx_resolve(GATEWAY ROUTE("{name: g}",
		RULE("{headers: [{type: RegularExpression, name: x-a, value: \"a(?\"}]}")
		RULE("{queryParams: [{type: RegularExpression, name: q, value: \"[z-a]\"}]}")));

	(void)s;
	assert_cond(c, GW_K_HTTPROUTE, "default", "r", "parents/g", "Accepted", "False",
		    "UnsupportedValue");
	/* PartiallyInvalid "MUST NOT be set if a Route is ... fully invalid" */
	assert_null(fx_cond(c, GW_K_HTTPROUTE, "default", "r", "parents/g", "PartiallyInvalid"));
	assert_true(fx_has_diag(c, "spec.rules[0].matches[0].headers[0].value", NULL));
	assert_true(fx_has_diag(c, "spec.rules[1].matches[0].queryParams[0].value",
				"range out of order", NULL));
	fx_free(c);
}

static void test_unsupported_filter_type_dropped(void **s)
{
	struct gw_config *c = fx_resolve(GATEWAY ROUTE("{name: g}", GOOD
		"  - filters:\n"
		"    - type: ExternalAuth\n"
		"      externalAuth: {protocol: HTTP, http: {}, backendRef: {name: s, port: 80}}\n"
		"    backendRefs: [{name: s, port: 80}]\n"
		"  - backendRefs:\n"
		"    - name: s\n      port: 80\n      filters:\n"
		"      - type: ExternalAuth\n"
		"        externalAuth: {protocol: HTTP, http: {}, backendRef: {name: s, port: 80}}\n"));

	(void)s;
	assert_cond(c, GW_K_HTTPROUTE, "default", "r", "parents/g", "PartiallyInvalid", "True",
		    "UnsupportedValue");
	assert_null(route(c)->rules[0].invalid);
	assert_non_null(route(c)->rules[1].invalid);
	assert_non_null(route(c)->rules[2].invalid);
	assert_non_null(strstr(message(c, "PartiallyInvalid"), "Dropped Rules rules[1]"));
	assert_true(fx_has_diag(c, "spec.rules[1].filters[0].type", "ExternalAuth", NULL));
	assert_true(fx_has_diag(c, "spec.rules[2].backendRefs[0].filters[0].type", NULL));
	fx_free(c);
}

static void test_not_accepted_route_keeps_its_reason(void **s)
{
	struct gw_config *c = fx_resolve(GATEWAY ROUTE("{name: g, sectionName: nope}",
		RULE("{path: {type: RegularExpression, value: \"(\"}}") GOOD));

	(void)s;
	assert_cond(c, GW_K_HTTPROUTE, "default", "r", "parents/g/nope", "Accepted", "False",
		    "NoMatchingParent");
	assert_null(fx_cond(c, GW_K_HTTPROUTE, "default", "r", "parents/g/nope",
			    "PartiallyInvalid"));
	/* the rule is still marked, so no data plane builds it */
	assert_non_null(route(c)->rules[0].invalid);
	fx_free(c);
}

static void test_grpc_method_regex_checked(void **s)
{
	struct gw_config *c = fx_resolve(GATEWAY
		"apiVersion: gateway.networking.k8s.io/v1\nkind: GRPCRoute\n"
		"metadata: {name: gr, namespace: default}\n"
		"spec:\n  parentRefs: [{name: g}]\n  rules:\n"
		"  - matches: [{method: {type: RegularExpression, service: \"svc.*\", "
		"method: \"Get(\"}}]\n    backendRefs: [{name: s, port: 80}]\n---\n");
	struct gw_route *r = gw_config_find(c, GW_K_GRPCROUTE, "default", "gr")->u.route;

	(void)s;
	assert_non_null(r->rules[0].invalid);
	assert_true(fx_has_diag(c, "GRPCRoute default/gr", "spec.rules[0].matches[0].method.method",
				"invalid regular expression at offset 4", NULL));
	assert_false(fx_has_diag(c, "method.service", NULL));
	fx_free(c);
}

/*
 * PartiallyInvalid is judged after attachment is final: a route that loses
 * its listener to an older GRPCRoute with an intersecting hostname is not
 * Accepted there, so it gets no PartiallyInvalid.
 */
static void test_lost_listener_no_partially_invalid(void **s)
{
	struct gw_config *c = fx_resolve(GATEWAY
		"apiVersion: gateway.networking.k8s.io/v1\nkind: GRPCRoute\n"
		"metadata: {name: rpc, namespace: default, creationTimestamp: '2025-01-01T00:00:00Z'}\n"
		"spec: {parentRefs: [{name: g}], hostnames: [a.example.com]}\n---\n"
		"apiVersion: gateway.networking.k8s.io/v1\nkind: HTTPRoute\n"
		"metadata: {name: r, namespace: default, creationTimestamp: '2025-02-01T00:00:00Z'}\n"
		"spec:\n  parentRefs: [{name: g}]\n  hostnames: [a.example.com]\n  rules:\n"
		RULE("{path: {type: RegularExpression, value: \"(\"}}") GOOD "---\n");

	(void)s;
	assert_cond(c, GW_K_HTTPROUTE, "default", "r", "parents/g", "Accepted", "False",
		    "NotAllowedByListeners");
	assert_null(fx_cond(c, GW_K_HTTPROUTE, "default", "r", "parents/g", "PartiallyInvalid"));
	assert_non_null(route(c)->rules[0].invalid);
	fx_free(c);
}

/* GEP-1911: an appProtocol no data plane speaks is ResolvedRefs False / UnsupportedProtocol. */
static void test_unsupported_app_protocol(void **s)
{
	struct gw_config *c = fx_resolve(
		FX_CLASS
		"apiVersion: gateway.networking.k8s.io/v1\nkind: Gateway\n"
		"metadata: {name: g, namespace: default}\n"
		"spec:\n  gatewayClassName: gc\n  listeners:\n"
		"  - {name: http, protocol: HTTP, port: 80}\n---\n"
		"apiVersion: v1\nkind: Service\nmetadata: {name: s, namespace: default}\n"
		"spec: {ports: [{name: http, port: 80, appProtocol: kubernetes.io/ws}, "
		"{name: h2c, port: 81, appProtocol: kubernetes.io/h2c}, "
		"{name: tls, port: 443, appProtocol: https}]}\n---\n"
		"apiVersion: gateway.networking.k8s.io/v1\nkind: HTTPRoute\n"
		"metadata: {name: ws, namespace: default}\n"
		"spec:\n  parentRefs: [{name: g}]\n  rules:\n"
		"  - backendRefs: [{name: s, port: 80}]\n---\n"
		"apiVersion: gateway.networking.k8s.io/v1\nkind: HTTPRoute\n"
		"metadata: {name: h2, namespace: default}\n"
		"spec:\n  parentRefs: [{name: g}]\n  rules:\n"
		"  - backendRefs: [{name: s, port: 80}, {name: s, port: 81}]\n---\n"
		"apiVersion: gateway.networking.k8s.io/v1\nkind: HTTPRoute\n"
		"metadata: {name: tls, namespace: default}\n"
		"spec:\n  parentRefs: [{name: g}]\n  rules:\n"
		"  - backendRefs: [{name: s, port: 80}, {name: s, port: 443}]\n---\n");
	struct gw_route *tls = gw_config_find(c, GW_K_HTTPROUTE, "default", "tls")->u.route;

	(void)s;
	/* WebSocket over HTTP/1.1 and HTTP/2 with prior knowledge are spoken */
	assert_cond(c, GW_K_HTTPROUTE, "default", "ws", "parents/g", "ResolvedRefs", "True",
		    "ResolvedRefs");
	assert_cond(c, GW_K_HTTPROUTE, "default", "h2", "parents/g", "ResolvedRefs", "True",
		    "ResolvedRefs");
	/* TLS to backends is not: plaintext to an https port would never work */
	assert_cond(c, GW_K_HTTPROUTE, "default", "tls", "parents/g", "ResolvedRefs", "False",
		    "UnsupportedProtocol");
	/* the route stays Accepted: only that backendRef's share is answered 500 */
	assert_cond(c, GW_K_HTTPROUTE, "default", "tls", "parents/g", "Accepted", "True",
		    "Accepted");
	assert_null(tls->rules[0].backends[0].reason);
	assert_string_equal(tls->rules[0].backends[1].reason, "UnsupportedProtocol");
	assert_non_null(strstr(tls->rules[0].backends[1].message, "appProtocol https"));
	fx_free(c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_valid_regexes_keep_every_rule),
		cmocka_unit_test(test_bad_path_regex_drops_its_rule),
		cmocka_unit_test(test_all_rules_invalid_not_accepted),
		cmocka_unit_test(test_unsupported_filter_type_dropped),
		cmocka_unit_test(test_not_accepted_route_keeps_its_reason),
		cmocka_unit_test(test_grpc_method_regex_checked),
		cmocka_unit_test(test_unsupported_app_protocol),
		cmocka_unit_test(test_lost_listener_no_partially_invalid),
	};

	return cmocka_run_group_tests_name("config/route_rules", tests, NULL, NULL);
}
