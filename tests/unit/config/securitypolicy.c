// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Envoy Gateway SecurityPolicy in the config pipeline: the schema's rules
 * (api/v1alpha1 at v1.9.0) and the fail-closed errors for fields xdpgw does
 * not enforce, status.ancestors (Accepted, Conflicted), and which policy
 * gw_securitypolicy_for() gives a rule.
 */
#include <string.h>

#include "lib/fixture.h"

#define GWY                                                                                  \
	FX_CLASS                                                                             \
	"apiVersion: gateway.networking.k8s.io/v1\nkind: Gateway\nmetadata: {name: gw}\n"      \
	"spec:\n  gatewayClassName: gc\n  listeners:\n  - {name: http, protocol: HTTP, port: 80}\n" \
	"---\napiVersion: gateway.networking.k8s.io/v1\nkind: HTTPRoute\nmetadata: {name: r}\n" \
	"spec:\n  parentRefs: [{name: gw}]\n  rules: [{name: a}, {name: b}]\n---\n"

#define SP(name, body)                                                                       \
	"apiVersion: gateway.envoyproxy.io/v1alpha1\nkind: SecurityPolicy\n"                   \
	"metadata: {name: " name ", creationTimestamp: \"2026-01-01T00:00:00Z\"}\nspec:\n" body \
	"---\n"

#define TO_ROUTE "  targetRefs: [{group: gateway.networking.k8s.io, kind: HTTPRoute, name: r}]\n"
#define ALLOW_LAN                                                                            \
	"  authorization:\n    defaultAction: Deny\n    rules:\n"                              \
	"    - {action: Allow, principal: {clientCIDRs: [10.0.0.0/8]}}\n"

static void test_schema_rules(void **s)
{
	struct gw_config *c;

	(void)s;
	/* every field xdpgw does not enforce is an error naming it: never half enforced */
	c = fx_load(GWY SP("p", TO_ROUTE ALLOW_LAN "  oidc: {provider: {issuer: x}}\n"));
	assert_true(fx_has_diag(c, "SecurityPolicy default/p", "spec.oidc", "not enforced by xdpgw",
				NULL));
	fx_free(c);
	c = fx_load(GWY SP("p", TO_ROUTE "  jwt: {providers: [{name: x, remoteJWKS: {uri: "
			   "'https://x/jwks'}}]}\n"));
	assert_true(fx_has_diag(c, "remoteJWKS", "not enforced by xdpgw yet", NULL));
	fx_free(c);
	c = fx_load(GWY SP("p", TO_ROUTE "  jwt: {failOpen: true, providers: [{name: x, localJWKS: "
			   "{inline: '{}'}}]}\n"));
	assert_true(fx_has_diag(c, "failOpen", "never fails open", NULL));
	fx_free(c);
	c = fx_load(GWY SP("p", TO_ROUTE "  authorization:\n    rules:\n"
			   "    - {action: Allow, principal: {jwt: {provider: x}}}\n"));
	assert_true(fx_has_diag(c, "principal.jwt", "not enforced by xdpgw", NULL));
	fx_free(c);
	c = fx_load(GWY SP("p", TO_ROUTE "  authorization:\n    rules:\n"
			   "    - {action: Allow, cel: \"request.method == 'GET'\"}\n"));
	assert_true(fx_has_diag(c, "cel", "not enforced by xdpgw", NULL));
	fx_free(c);
	/* CRD rules */
	c = fx_load(GWY SP("p", ALLOW_LAN));
	assert_true(fx_has_diag(c, "either targetRef or targetRefs must be used", NULL));
	fx_free(c);
	c = fx_load(GWY SP("p", "  targetRefs: [{group: '', kind: Service, name: s}]\n" ALLOW_LAN));
	assert_true(fx_has_diag(c, "targetRefs[0]", "group of gateway.networking.k8s.io", NULL));
	fx_free(c);
	c = fx_load(GWY SP("p", TO_ROUTE "  authorization:\n    rules:\n"
			   "    - {action: Allow, principal: {clientCIDRs: [10.0.0.0/33]}}\n"));
	assert_true(fx_has_diag(c, "clientCIDRs[0]", "a CIDR", NULL));
	fx_free(c);
	c = fx_load(GWY SP("p", "  targetRefs: [{group: gateway.networking.k8s.io, kind: TCPRoute,"
			   " name: t}]\n" ALLOW_LAN));
	assert_true(fx_has_diag(c, "TCPRoute target is not enforced", NULL));
	fx_free(c);
	c = fx_load(GWY SP("p", "  targetSelectors: [{kind: HTTPRoute, namespaces: {from: All}}]\n"
			   ALLOW_LAN));
	assert_true(fx_has_diag(c, "namespaces.from", "only Same", NULL));
	fx_free(c);
	c = fx_load(GWY SP("p", TO_ROUTE "  cors: {allowOrigins: ['ftp//x']}\n"));
	assert_true(fx_has_diag(c, "cors.allowOrigins[0]", "an origin", NULL));
	fx_free(c);
	c = fx_load(GWY SP("p", TO_ROUTE "  authorization:\n    rules:\n    - {action: Allow}\n"));
	assert_true(fx_has_diag(c, "at least one of principal or cel must be specified", NULL));
	fx_free(c);
	/* a valid one loads, with the defaults the CRD writes */
	c = fx_load(GWY SP("p", TO_ROUTE "  cors: {allowOrigins: ['http://*.foo.com', '*']}\n"
			   "  authorization:\n    rules:\n"
			   "    - {action: Deny, operation: {path: {value: /admin}},"
			   " principal: {clientCIDRs: ['0.0.0.0/0', '::/0']}}\n"));
	assert_int_equal(c->diags.nerrors, 0);
	fx_free(c);
}

static const struct gw_yval *ancestor(const struct gw_config *c, const char *pol, size_t i)
{
	const struct gw_obj *o = gw_config_find(c, GW_K_SECURITYPOLICY, "default", pol);
	const struct gw_yval *anc = gw_yget(o->status, "ancestors");

	return i < gw_ylen(anc) ? anc->items[i] : NULL;
}

static const char *accepted(const struct gw_config *c, const char *pol, const char *what)
{
	const struct gw_yval *a = ancestor(c, pol, 0), *cs = gw_yget(a, "conditions");

	for (size_t i = 0; i < gw_ylen(cs); i++)
		if (!strcmp(gw_ygetstr(cs->items[i], "type", ""), "Accepted"))
			return gw_ygetstr(cs->items[i], what, "");
	return "-";
}

static void test_status_and_precedence(void **s)
{
	struct gw_config *c = fx_resolve(GWY SP("route", TO_ROUTE ALLOW_LAN)
		SP("rule-b", "  targetRefs: [{group: gateway.networking.k8s.io, kind: HTTPRoute,"
			     " name: r, sectionName: b}]\n" ALLOW_LAN)
		"apiVersion: gateway.envoyproxy.io/v1alpha1\nkind: SecurityPolicy\n"
		"metadata: {name: later, creationTimestamp: \"2026-02-01T00:00:00Z\"}\nspec:\n"
		TO_ROUTE ALLOW_LAN "---\n"
		SP("gw", "  targetRefs: [{group: gateway.networking.k8s.io, kind: Gateway, name: gw}]\n"
			 ALLOW_LAN));
	const struct gw_route *r = gw_config_find(c, GW_K_HTTPROUTE, "default", "r")->u.route;
	const struct gw_listener *l =
		&gw_config_find(c, GW_K_GATEWAY, "default", "gw")->u.gw->listeners[0];

	(void)s;
	/* GEP-713 ancestors: the route's parent Gateway */
	assert_string_equal(gw_ygetstr(gw_yget(ancestor(c, "route", 0), "ancestorRef"), "kind", ""),
			    "Gateway");
	assert_string_equal(gw_ygetstr(gw_yget(ancestor(c, "route", 0), "ancestorRef"), "name", ""),
			    "gw");
	assert_string_equal(accepted(c, "route", "status"), "True");
	assert_string_equal(accepted(c, "route", "reason"), "Accepted");
	/* the younger one on the same route loses there */
	assert_string_equal(accepted(c, "later", "reason"), "Conflicted");
	assert_non_null(strstr(accepted(c, "later", "message"), "(default/route)"));
	/* rule b has its own; rule a gets the route's; the Gateway's is below both */
	assert_string_equal(gw_securitypolicy_for(c, r, 1, l)->obj->name, "rule-b");
	assert_string_equal(gw_securitypolicy_for(c, r, 0, l)->obj->name, "route");
	fx_free(c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_schema_rules),
		cmocka_unit_test(test_status_and_precedence),
	};

	return cmocka_run_group_tests_name("config/securitypolicy", tests, NULL, NULL);
}
