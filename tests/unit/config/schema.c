// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Structural validation through the real kind schemas: each bad manifest
 * yields an error naming line, object, field path and what was expected;
 * each good one loads with the CRD defaults applied.
 */
#include <string.h>

#include "lib/fixture.h"

#define GWHEAD "apiVersion: gateway.networking.k8s.io/v1\nkind: Gateway\nmetadata: {name: g, namespace: n}\n"
#define RTHEAD "apiVersion: gateway.networking.k8s.io/v1\nkind: HTTPRoute\nmetadata: {name: r, namespace: n}\n"

struct bad_case {
	const char *desc;
	const char *yaml;
	const char *want[4];	/* substrings of one diagnostic */
};

static const struct bad_case bad[] = {
	{ "port out of range",
	  GWHEAD "spec:\n  gatewayClassName: gc\n  listeners:\n  - {name: a, protocol: HTTP, port: 70000}\n",
	  { "test.yaml:7:", "Gateway n/g", "spec.listeners[0].port", "between 1 and 65535" } },
	{ "missing listeners",
	  GWHEAD "spec: {gatewayClassName: gc}\n",
	  { "Gateway n/g", "spec.listeners", "Required value" } },
	{ "duplicate listener names",
	  GWHEAD "spec:\n  gatewayClassName: gc\n  listeners:\n  - {name: a, protocol: HTTP, port: 80}\n"
	  "  - {name: a, protocol: HTTP, port: 81}\n",
	  { "test.yaml:8:", "spec.listeners[1].name", "Duplicate value: \"a\"" } },
	{ "port+protocol+hostname not unique",
	  GWHEAD "spec:\n  gatewayClassName: gc\n  listeners:\n  - {name: a, protocol: HTTP, port: 80}\n"
	  "  - {name: b, protocol: HTTP, port: 80}\n",
	  { "spec.listeners", "Combination of port, protocol and hostname must be unique" } },
	{ "tls on HTTP listener",
	  GWHEAD "spec:\n  gatewayClassName: gc\n  listeners:\n"
	  "  - {name: a, protocol: HTTP, port: 80, tls: {mode: Terminate, certificateRefs: [{name: c}]}}\n",
	  { "tls must not be specified for protocols" } },
	{ "hostname on TCP listener",
	  GWHEAD "spec:\n  gatewayClassName: gc\n  listeners:\n"
	  "  - {name: a, protocol: TCP, port: 80, hostname: a.com}\n",
	  { "hostname must not be specified for protocols" } },
	{ "wrong type",
	  GWHEAD "spec:\n  gatewayClassName: gc\n  listeners: {name: a}\n",
	  { "spec.listeners", "must be of type array" } },
	{ "unknown field",
	  GWHEAD "spec:\n  gatewayClassName: gc\n  listners: []\n  listeners:\n"
	  "  - {name: a, protocol: HTTP, port: 80}\n",
	  { "test.yaml:6:", "spec.listners", "unknown field \"listners\"" } },
	{ "bad hostname",
	  RTHEAD "spec:\n  hostnames: [Foo.Example.com]\n",
	  { "spec.hostnames[0]", "Invalid value: \"Foo.Example.com\"" } },
	{ "17 hostnames",
	  RTHEAD "spec:\n  hostnames: [a1.com, a2.com, a3.com, a4.com, a5.com, a6.com, a7.com,"
	  " a8.com, a9.com, a10.com, a11.com, a12.com, a13.com, a14.com, a15.com, a16.com, a17.com]\n",
	  { "spec.hostnames", "Too many: 17: must have at most 16 items" } },
	{ "path type enum",
	  RTHEAD "spec:\n  rules:\n  - matches: [{path: {type: Prefix, value: /}}]\n",
	  { "spec.rules[0].matches[0].path.type", "Unsupported value: \"Prefix\"" } },
	{ "relative path",
	  RTHEAD "spec:\n  rules:\n  - matches: [{path: {type: PathPrefix, value: api}}]\n",
	  { "spec.rules[0].matches[0].path" } },
	{ "service backend without port",
	  RTHEAD "spec:\n  rules:\n  - backendRefs: [{name: svc}]\n",
	  { "spec.rules[0].backendRefs[0]", "Must have port for Service reference" } },
	{ "weight out of range",
	  RTHEAD "spec:\n  rules:\n  - backendRefs: [{name: svc, port: 80, weight: -1}]\n",
	  { "spec.rules[0].backendRefs[0].weight", "between 0 and 1000000" } },
	{ "filter type/field mismatch",
	  RTHEAD "spec:\n  rules:\n  - filters: [{type: RequestHeaderModifier,"
	  " responseHeaderModifier: {add: [{name: a, value: b}]}}]\n",
	  { "spec.rules[0].filters[0]", "requestHeaderModifier must be specified" } },
	{ "missing name",
	  "apiVersion: v1\nkind: Service\nmetadata: {namespace: n}\nspec: {ports: [{port: 80}]}\n",
	  { "Service", "metadata.name", "Required value" } },
	{ "no kind",
	  "apiVersion: v1\nmetadata: {name: x}\n",
	  { "kind", "Required value" } },
	{ "unsupported version",
	  "apiVersion: gateway.networking.k8s.io/v2\nkind: Gateway\nmetadata: {name: x}\n",
	  { "apiVersion", "Unsupported value", "supported versions" } },
	{ "EndpointSlice addressType",
	  "apiVersion: discovery.k8s.io/v1\nkind: EndpointSlice\nmetadata: {name: e}\n"
	  "addressType: IPv5\nendpoints: []\n",
	  { "addressType", "Unsupported value: \"IPv5\"" } },
	{ "v1 TCPRoute has one rule",
	  "apiVersion: gateway.networking.k8s.io/v1\nkind: TCPRoute\nmetadata: {name: t}\n"
	  "spec:\n  rules: [{backendRefs: [{name: a, port: 1}]}, {backendRefs: [{name: b, port: 2}]}]\n",
	  { "spec.rules", "must have at most 1 items" } },
};

static void test_bad_manifests(void **s)
{
	(void)s;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct gw_config *c = fx_load(bad[i].yaml);
		bool ok = c->diags.nerrors > 0 && c->nobjs == 0;

		for (size_t k = 0; ok && k < sizeof(bad[i].want) / sizeof(bad[i].want[0]) &&
				   bad[i].want[k]; k++) {
			bool found = false;

			for (size_t d = 0; d < c->diags.n && !found; d++) {
				char line[2048];
				bool all = true;

				gw_diag_format(&c->diags.v[d], line, sizeof(line));
				for (size_t j = 0; j < 4 && bad[i].want[j]; j++)
					all &= strstr(line, bad[i].want[j]) != NULL;
				found = all;
			}
			ok = found;
		}
		if (!ok)
			fail_msg("case '%s': diagnostics were:\n%s", bad[i].desc, fx_diags(c));
		fx_free(c);
	}
}

static void test_defaults_applied(void **s)
{
	struct gw_config *c = fx_load(RTHEAD "spec:\n  parentRefs: [{name: g}]\n"
				      "  rules:\n  - backendRefs: [{name: svc, port: 80}]\n");
	struct gw_obj *o;
	struct gw_yval *rule, *m, *br, *pr;

	(void)s;
	assert_int_equal(c->diags.nerrors, 0);
	o = gw_config_find(c, GW_K_HTTPROUTE, "n", "r");
	assert_non_null(o);
	pr = gw_ypath(o->spec, "parentRefs")->items[0];
	assert_string_equal(gw_ygetstr(pr, "group", ""), "gateway.networking.k8s.io");
	assert_string_equal(gw_ygetstr(pr, "kind", ""), "Gateway");
	rule = gw_yget(o->spec, "rules")->items[0];
	m = gw_yget(rule, "matches")->items[0];
	assert_string_equal(gw_ygetstr(gw_yget(m, "path"), "type", ""), "PathPrefix");
	assert_string_equal(gw_ygetstr(gw_yget(m, "path"), "value", ""), "/");
	br = gw_yget(rule, "backendRefs")->items[0];
	assert_int_equal(gw_ygetint(br, "weight", 0), 1);
	assert_string_equal(gw_ygetstr(br, "kind", ""), "Service");
	assert_string_equal(gw_ygetstr(br, "group", "x"), "");
	fx_free(c);
}

static void test_namespace_defaulted_and_unknown_kinds_skipped(void **s)
{
	struct gw_config *c = fx_load(
		"apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: d}\nspec: {replicas: 1}\n---\n"
		"apiVersion: v1\nkind: Service\nmetadata: {name: s}\nspec: {ports: [{port: 80}]}\n");

	(void)s;
	assert_int_equal(c->diags.nerrors, 0);
	assert_int_equal(c->nskipped, 1);
	assert_true(fx_has_diag(c, "notice", "Deployment", "skipped", NULL));
	assert_non_null(gw_config_find(c, GW_K_SERVICE, "default", "s"));
	fx_free(c);
}

static void test_older_api_versions_accepted(void **s)
{
	struct gw_config *c = fx_load(
		"apiVersion: gateway.networking.k8s.io/v1beta1\nkind: HTTPRoute\nmetadata: {name: a}\n"
		"spec: {parentRefs: [{name: g}]}\n---\n"
		"apiVersion: gateway.networking.k8s.io/v1alpha2\nkind: TCPRoute\nmetadata: {name: t}\n"
		"spec:\n  parentRefs: [{name: g}]\n  rules:\n  - backendRefs: [{name: a, port: 1}]\n"
		"  - backendRefs: [{name: b, port: 2}]\n---\n"
		"apiVersion: gateway.networking.k8s.io/v1alpha2\nkind: UDPRoute\nmetadata: {name: u}\n"
		"spec:\n  rules: [{backendRefs: [{name: a, port: 53}]}]\n---\n"
		"apiVersion: gateway.networking.k8s.io/v1alpha2\nkind: TLSRoute\nmetadata: {name: tl}\n"
		"spec:\n  rules: [{backendRefs: [{name: a, port: 443}]}]\n---\n"
		"apiVersion: gateway.networking.k8s.io/v1alpha2\nkind: ReferenceGrant\nmetadata: {name: g}\n"
		"spec: {from: [{group: gateway.networking.k8s.io, kind: HTTPRoute, namespace: x}],"
		" to: [{group: '', kind: Service}]}\n---\n"
		"apiVersion: gateway.networking.k8s.io/v1alpha3\nkind: BackendTLSPolicy\nmetadata: {name: p}\n"
		"spec:\n  targetRefs: [{group: '', kind: Service, name: s}]\n"
		"  validation: {wellKnownCACertificates: System, hostname: s.example.com}\n");

	(void)s;
	if (c->diags.nerrors)
		fail_msg("%s", fx_diags(c));
	assert_int_equal(c->nobjs, 6);
	fx_free(c);
}

static void test_list_kind_items(void **s)
{
	struct gw_config *c = fx_load(
		"apiVersion: v1\nkind: List\nitems:\n"
		"- apiVersion: v1\n  kind: Service\n  metadata: {name: a}\n  spec: {ports: [{port: 1}]}\n"
		"- apiVersion: v1\n  kind: Service\n  metadata: {name: b}\n  spec: {ports: [{port: 2}]}\n");

	(void)s;
	assert_int_equal(c->diags.nerrors, 0);
	assert_int_equal(c->nobjs, 2);
	fx_free(c);
}

static void test_formats(void **s)
{
	(void)s;
	assert_null(gw_fmt_hostname("*.example.com"));
	assert_non_null(gw_fmt_hostname("*example.com"));
	assert_non_null(gw_fmt_hostname("a.*.com"));
	assert_non_null(gw_fmt_hostname("10.0.0.1"));
	assert_non_null(gw_fmt_precise_hostname("*.a.com"));
	assert_null(gw_fmt_controller_name("xdpgw.io/gateway-controller"));
	assert_non_null(gw_fmt_controller_name("xdpgw.io"));
	assert_null(gw_fmt_http_path("/a/b%20c"));
	assert_non_null(gw_fmt_http_path("/a//b"));
	assert_non_null(gw_fmt_http_path("/a/../b"));
	assert_non_null(gw_fmt_http_path("/a%2fb"));
	assert_int_equal(gw_duration_ms("1h30m"), 5400000);
	assert_int_equal(gw_duration_ms("500ms"), 500);
	assert_int_equal(gw_duration_ms("1.5s"), -1);
	assert_int_equal(gw_duration_ms("123456s"), -1);
	assert_null(gw_fmt_label_key("kubernetes.io/metadata.name"));
	assert_non_null(gw_fmt_label_key("-bad"));
	assert_null(gw_fmt_header_name("X-Forwarded-For"));
	assert_non_null(gw_fmt_header_name("bad header"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bad_manifests),
		cmocka_unit_test(test_defaults_applied),
		cmocka_unit_test(test_namespace_defaulted_and_unknown_kinds_skipped),
		cmocka_unit_test(test_older_api_versions_accepted),
		cmocka_unit_test(test_list_kind_items),
		cmocka_unit_test(test_formats),
	};

	return cmocka_run_group_tests_name("config/schema", tests, NULL, NULL);
}
