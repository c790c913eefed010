// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Fail closed on policies xdpgw does not enforce (issue 9): the
 * classification table of loader/config/policy_kinds.c, the load error,
 * and what --allow-unenforced accepts and marks.
 */
#include <stdlib.h>
#include <string.h>

#include "lib/fixture.h"
#include "loader/config/kinds.h"

static void test_classify_table(void **s)
{
	static const struct {
		const char *group, *kind;
		enum gw_kind_class want;
	} t[] = {
		/* implemented: accepted */
		{ "gateway.networking.k8s.io", "BackendTLSPolicy", GW_KC_READ },
		{ "gateway.networking.k8s.io", "HTTPRoute", GW_KC_READ },
		{ "", "Service", GW_KC_READ },
		/* Envoy Gateway policies and filters: errors */
		{ "gateway.envoyproxy.io", "SecurityPolicy", GW_KC_READ },	/* enforced now */
		{ "gateway.envoyproxy.io", "BackendTrafficPolicy", GW_KC_UNENFORCED },
		{ "gateway.envoyproxy.io", "ClientTrafficPolicy", GW_KC_UNENFORCED },
		{ "gateway.envoyproxy.io", "EnvoyExtensionPolicy", GW_KC_UNENFORCED },
		{ "gateway.envoyproxy.io", "EnvoyPatchPolicy", GW_KC_UNENFORCED },
		{ "gateway.envoyproxy.io", "HTTPRouteFilter", GW_KC_UNENFORCED },
		/* Gateway API policies xdpgw does not implement: errors */
		{ "gateway.networking.k8s.io", "BackendLBPolicy", GW_KC_UNENFORCED },
		{ "gateway.networking.x-k8s.io", "XBackendTrafficPolicy", GW_KC_UNENFORCED },
		{ "gateway.networking.x-k8s.io", "BackendTrafficPolicy", GW_KC_UNENFORCED },
		/* any kind ending in Policy or Filter of a group naming "gateway" */
		{ "gateway.example.com", "RateLimitPolicy", GW_KC_UNENFORCED },
		{ "kuadrant.io.gateway", "AuthFilter", GW_KC_UNENFORCED },
		/* config kinds, not policies: skipped */
		{ "gateway.envoyproxy.io", "EnvoyProxy", GW_KC_IGNORED },
		{ "gateway.envoyproxy.io", "Backend", GW_KC_IGNORED },
		{ "gateway.networking.x-k8s.io", "XListenerSet", GW_KC_IGNORED },
		/* not a gateway group: skipped, even when named *Policy */
		{ "networking.k8s.io", "NetworkPolicy", GW_KC_IGNORED },
		{ "policy", "PodDisruptionBudget", GW_KC_IGNORED },
		{ "apps", "Deployment", GW_KC_IGNORED },
		/* "Policy" alone is no *Policy kind */
		{ "gateway.envoyproxy.io", "Policy", GW_KC_IGNORED },
	};

	(void)s;
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++)
		if (gw_kind_classify(t[i].group, t[i].kind) != t[i].want)
			fail_msg("%s/%s: class %d, want %d", t[i].group, t[i].kind,
				 gw_kind_classify(t[i].group, t[i].kind), t[i].want);
}

#define ROUTE                                                                                \
	"apiVersion: gateway.networking.k8s.io/v1\nkind: Gateway\nmetadata: {name: gw}\n"      \
	"spec:\n  gatewayClassName: gc\n  listeners:\n  - {name: http, protocol: HTTP, port: 80}\n" \
	"---\napiVersion: gateway.networking.k8s.io/v1\nkind: HTTPRoute\nmetadata: {name: r}\n" \
	"spec:\n  parentRefs: [{name: gw}]\n---\n"                                             \
	"apiVersion: gateway.networking.k8s.io/v1\nkind: HTTPRoute\nmetadata: {name: other}\n" \
	"spec:\n  parentRefs: [{name: gw}]\n---\n"
#define SECPOL(target)                                                                       \
	"apiVersion: gateway.envoyproxy.io/v1alpha1\nkind: BackendTrafficPolicy\n"                   \
	"metadata: {name: auth}\nspec:\n  targetRefs:\n"                                       \
	"  - {group: gateway.networking.k8s.io, " target "}\n"

static void test_unenforced_is_error(void **s)
{
	struct gw_config *c = fx_load(FX_CLASS ROUTE SECPOL("kind: HTTPRoute, name: r"));

	(void)s;
	assert_true(c->diags.nerrors == 1);
	assert_true(fx_has_diag(c, "BackendTrafficPolicy", "auth", "not enforced by xdpgw",
				"--allow-unenforced BackendTrafficPolicy", NULL));
	assert_int_equal(c->nby_kind[GW_K_UNENFORCED], 0);
	fx_free(c);
}

static struct gw_config *load_allowed(const char *yaml, const char *kind)
{
	static const char *allow[1];
	struct gw_config *c = calloc(1, sizeof(*c));

	assert_non_null(c);
	allow[0] = kind;
	gw_config_init(c, NULL);
	c->allow_unenforced = allow;
	c->nallow_unenforced = 1;
	assert_int_equal(gw_config_add_buf(c, "t.yaml", yaml, strlen(yaml)), 0);
	assert_int_equal(gw_config_stamp(c, NULL, "2026-01-01T00:00:00Z"), 0);
	assert_int_equal(gw_config_resolve(c, NULL), 0);
	return c;
}

static void test_allowed_marks_targeted_route_only(void **s)
{
	struct gw_config *c = load_allowed(FX_CLASS ROUTE SECPOL("kind: HTTPRoute, name: r"),
					   "backendtrafficpolicy");

	(void)s;
	assert_int_equal(c->diags.nerrors, 0);
	assert_int_equal(c->nby_kind[GW_K_UNENFORCED], 1);
	assert_string_equal(c->by_kind[GW_K_UNENFORCED][0]->ki->kind, "BackendTrafficPolicy");
	assert_cond(c, GW_K_HTTPROUTE, "default", "r", "parents/gw", "xdpgw.io/PolicyEnforced",
		    "False", "NotEnforced");
	assert_null(fx_cond(c, GW_K_HTTPROUTE, "default", "other", "parents/gw",
			    "xdpgw.io/PolicyEnforced"));
	/* the route is still served: accepted, only marked */
	assert_cond(c, GW_K_HTTPROUTE, "default", "r", "parents/gw", "Accepted", "True",
		    "Accepted");
	fx_free(c);
}

static void test_gateway_target_marks_every_route(void **s)
{
	struct gw_config *c = load_allowed(FX_CLASS ROUTE SECPOL("kind: Gateway, name: gw"),
					   "BackendTrafficPolicy");

	(void)s;
	assert_int_equal(c->diags.nerrors, 0);
	assert_cond(c, GW_K_HTTPROUTE, "default", "r", "parents/gw", "xdpgw.io/PolicyEnforced",
		    "False", "NotEnforced");
	assert_cond(c, GW_K_HTTPROUTE, "default", "other", "parents/gw",
		    "xdpgw.io/PolicyEnforced", "False", "NotEnforced");
	fx_free(c);
}

/* Allowing one kind does not allow another. */
static void test_allow_is_per_kind(void **s)
{
	struct gw_config *c = load_allowed(FX_CLASS ROUTE SECPOL("kind: HTTPRoute, name: r"),
					   "ClientTrafficPolicy");

	(void)s;
	assert_int_equal(c->diags.nerrors, 1);
	fx_free(c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_classify_table),
		cmocka_unit_test(test_unenforced_is_error),
		cmocka_unit_test(test_allowed_marks_targeted_route_only),
		cmocka_unit_test(test_gateway_target_marks_every_route),
		cmocka_unit_test(test_allow_is_per_kind),
	};

	return cmocka_run_group_tests_name("config/policy_kinds", tests, NULL, NULL);
}
