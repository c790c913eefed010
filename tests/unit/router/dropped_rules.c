// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Rules the loader dropped (gw_rule.invalid, loader/config/route_rules.c:
 * a RegularExpression PCRE2 rejects, an unsupported filter type) are left
 * out of gwd's route table: the table still builds, the rest of the route
 * is served, and a dropped rule never matches (GEP-1364 "Drop Rule(s)").
 */
#include <string.h>

#include "lib/fixture.h"
#include "gw/router.h"

#define CONFIG                                                                               \
	FX_CLASS "apiVersion: gateway.networking.k8s.io/v1\nkind: Gateway\n"                  \
		 "metadata: {name: gw, namespace: default}\n"                                 \
		 "spec:\n  gatewayClassName: gc\n  listeners:\n"                              \
		 "  - {name: http, protocol: HTTP, port: 80}\n---\n"                          \
		 "apiVersion: v1\nkind: Service\nmetadata: {name: be, namespace: default}\n"  \
		 "spec: {ports: [{name: http, port: 8080}]}\n---\n"                           \
		 "apiVersion: gateway.networking.k8s.io/v1\nkind: HTTPRoute\n"                \
		 "metadata: {name: r, namespace: default}\n"                                  \
		 "spec:\n  parentRefs: [{name: gw}]\n  rules:\n"                              \
		 "  - matches: [{path: {type: RegularExpression, value: \"/a/(x\"}}]\n"       \
		 "    backendRefs: [{name: be, port: 8080}]\n"                                \
		 "  - matches: [{path: {type: PathPrefix, value: /a}}]\n"                     \
		 "    backendRefs: [{name: be, port: 8080}]\n"                                \
		 "  - matches: [{path: {type: Exact, value: /secret}}]\n"                     \
		 "    filters:\n    - type: ExternalAuth\n"                                   \
		 "      externalAuth: {protocol: HTTP, http: {}, backendRef: {name: be, port: 8080}}\n" \
		 "    backendRefs: [{name: be, port: 8080}]\n---\n"

static const char *route_of(const struct gw_rt_table *t, void *md, const char *path)
{
	static char out[128];
	struct gw_rt_request rq = { 0 };
	const struct gw_rt_port *p = gw_rt_port_find(t, NULL, 80);
	const struct gw_rt_listener *l;
	const struct gw_rt_match *m;

	assert_non_null(p);
	rq.method = "GET";
	rq.method_len = 3;
	rq.path = path;
	rq.path_len = (uint32_t)strlen(path);
	rq.host = "h";
	rq.host_len = 1;
	l = gw_rt_listener_select(p, rq.host, rq.host_len);
	if (!l || !(m = gw_rt_lookup(l, &rq, md)))
		return "404";
	snprintf(out, sizeof(out), "%s#%d", m->rule->route, m->rule->index);
	return out;
}

static void test_dropped_rules_not_in_table(void **s)
{
	struct gw_config *cfg = fx_resolve(CONFIG);
	struct gw_route *r = gw_config_find(cfg, GW_K_HTTPROUTE, "default", "r")->u.route;
	void *md = gw_rt_match_data_new();
	struct gw_rt_table *t;
	char err[512] = "";

	(void)s;
	assert_non_null(md);
	assert_non_null(r->rules[0].invalid);
	assert_null(r->rules[1].invalid);
	assert_non_null(r->rules[2].invalid);
	/* the pattern gwd used to refuse the whole reload for */
	t = gw_rt_build(cfg, err, sizeof(err));
	if (!t)
		fail_msg("gw_rt_build: %s", err);
	assert_string_equal(route_of(t, md, "/a/(x"), "default/r#1");
	assert_string_equal(route_of(t, md, "/a/b"), "default/r#1");
	/* the rule with the unsupported filter is gone, not answering 500 */
	assert_string_equal(route_of(t, md, "/secret"), "404");
	gw_rt_free(t);	/* owns cfg */
	gw_rt_match_data_free(md);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_dropped_rules_not_in_table),
	};

	return cmocka_run_group_tests_name("router/dropped_rules", tests, NULL, NULL);
}
