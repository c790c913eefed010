// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * BackendTLSPolicy in the route table (user/core/router_tls.c): which
 * backends get a client context, that endpoint ids (the pool key) differ
 * between plaintext and TLS and between TLS identities (hostname, CA) for
 * the same address but stay the same across a rebuild of the same
 * configuration, and that a policy whose CA does not resolve makes its
 * backend invalid instead of plaintext.
 */
#include <string.h>

#include "lib/fixture.h"
#include "gw/router.h"
#include "gw/tls.h"

#define GWY                                                                                  \
	FX_CLASS "apiVersion: gateway.networking.k8s.io/v1\nkind: Gateway\n"                  \
		 "metadata: {name: gw, namespace: default}\n"                                 \
		 "spec:\n  gatewayClassName: gc\n  listeners:\n"                              \
		 "  - {name: http, protocol: HTTP, port: 80}\n---\n"

/* Services on the same endpoint address and port (HTTP/2 ones with SVC_AP) */
#define SVC(name) SVC_AP(name, "")
#define SVC_AP(name, ap)                                                                     \
	"apiVersion: v1\nkind: Service\nmetadata: {name: " name ", namespace: default}\n"     \
	"spec: {ports: [{name: https, port: 8443" ap "}]}\n---\n"                              \
	"apiVersion: discovery.k8s.io/v1\nkind: EndpointSlice\n"                              \
	"metadata: {name: " name "-1, namespace: default, labels: "                          \
	"{kubernetes.io/service-name: " name "}}\n"                                           \
	"addressType: IPv4\nports: [{name: https, port: 8443}]\n"                             \
	"endpoints: [{addresses: [10.0.0.1]}]\n---\n"

#define ROUTE                                                                                \
	"apiVersion: gateway.networking.k8s.io/v1\nkind: HTTPRoute\n"                         \
	"metadata: {name: r, namespace: default}\n"                                           \
	"spec:\n  parentRefs: [{name: gw}]\n  rules:\n"                                       \
	"  - {matches: [{path: {value: /a}}], backendRefs: [{name: plain, port: 8443}]}\n"   \
	"  - {matches: [{path: {value: /b}}], backendRefs: [{name: a, port: 8443}]}\n"       \
	"  - {matches: [{path: {value: /c}}], backendRefs: [{name: b, port: 8443}]}\n---\n"

#define POLICY(name, svc, host, ca)                                                          \
	"apiVersion: gateway.networking.k8s.io/v1\nkind: BackendTLSPolicy\n"                  \
	"metadata: {name: " name ", namespace: default}\n"                                    \
	"spec:\n  targetRefs: [{group: '', kind: Service, name: " svc "}]\n"                 \
	"  validation: {caCertificateRefs: [{group: '', kind: ConfigMap, name: " ca "}],"     \
	" hostname: " host "}\n---\n"

static struct gw_rt_table *build(const char *yaml)
{
	char err[512];
	struct gw_rt_table *t = gw_rt_build(fx_resolve(yaml), err, sizeof(err));

	if (!t)
		fail_msg("gw_rt_build: %s", err);
	return t;
}

static const struct gw_rt_backend *backend(const struct gw_rt_table *t, const char *name)
{
	for (uint32_t i = 0; i < t->nrules; i++)
		if (!strcmp(t->rules[i]->backends[0].name, name))
			return &t->rules[i]->backends[0];
	fail_msg("no backend %s", name);
	return NULL;
}

static void test_pool_keys_per_tls_identity(void **s)
{
	const char *yaml = fx_printf("%s%s", GWY SVC("plain") SVC("a") SVC("b") ROUTE
				     POLICY("pa", "a", "a.example.net", "ca")
				     POLICY("pb", "b", "b.example.net", "ca"),
				     fx_ca_configmap("default", "ca"));
	struct gw_rt_table *t = build(yaml), *t2;
	const struct gw_rt_backend *plain = backend(t, "default/plain:8443");
	const struct gw_rt_backend *a = backend(t, "default/a:8443");
	const struct gw_rt_backend *b = backend(t, "default/b:8443");

	(void)s;
	assert_null(plain->tls);
	assert_null(plain->eps[0].tls);
	assert_non_null(a->tls);
	assert_ptr_equal(a->eps[0].tls, a->tls);
	assert_string_equal(a->tls_policy, "default/pa");
	assert_int_equal(a->state, GW_BE_OK);
	/* one address, three identities: plaintext, SNI a.example.net, SNI b.example.net */
	assert_int_not_equal(plain->eps[0].id, a->eps[0].id);
	assert_int_not_equal(plain->eps[0].id, b->eps[0].id);
	assert_int_not_equal(a->eps[0].id, b->eps[0].id);
	assert_ptr_not_equal(a->tls, b->tls);
	/* the same configuration again (a reload that changes nothing) keeps the pools */
	t2 = build(yaml);
	assert_int_equal(backend(t2, "default/a:8443")->eps[0].id, a->eps[0].id);
	assert_int_equal(backend(t2, "default/plain:8443")->eps[0].id, plain->eps[0].id);
	assert_ptr_not_equal(backend(t2, "default/a:8443")->tls, a->tls);
	gw_rt_free(t2);
	/* another CA (a fresh certificate in ConfigMap ca) for the same hostname */
	t2 = build(fx_printf("%s%s", GWY SVC("plain") SVC("a") SVC("b") ROUTE
			     POLICY("pa", "a", "a.example.net", "ca")
			     POLICY("pb", "b", "b.example.net", "ca"),
			     fx_ca_configmap("default", "ca")));
	assert_int_not_equal(backend(t2, "default/a:8443")->eps[0].id, a->eps[0].id);
	gw_rt_free(t2);
	gw_rt_free(t);
}

/* One policy for an HTTP/2 and an HTTP/1.1 Service: ALPN h2 vs http/1.1, two identities */
static void test_alpn_is_part_of_the_identity(void **s)
{
	struct gw_rt_table *t = build(fx_printf("%s%s", GWY SVC("plain")
		SVC_AP("a", ", appProtocol: kubernetes.io/h2c") SVC("b") ROUTE
		"apiVersion: gateway.networking.k8s.io/v1\nkind: BackendTLSPolicy\n"
		"metadata: {name: p, namespace: default}\n"
		"spec:\n  targetRefs: [{group: '', kind: Service, name: a},"
		" {group: '', kind: Service, name: b}]\n"
		"  validation: {caCertificateRefs: [{group: '', kind: ConfigMap, name: ca}],"
		" hostname: same.example.net}\n---\n",
		fx_ca_configmap("default", "ca")));
	const struct gw_rt_backend *a = backend(t, "default/a:8443");
	const struct gw_rt_backend *b = backend(t, "default/b:8443");

	(void)s;
	assert_int_equal(a->proto, GW_BE_H2C);
	assert_int_equal(a->eps[0].tls_alpn, GW_TLS_ALPN_H2);
	assert_int_equal(b->eps[0].tls_alpn, GW_TLS_ALPN_HTTP1);
	assert_int_not_equal(a->eps[0].id, b->eps[0].id);
	assert_ptr_not_equal(a->tls, b->tls);
	gw_rt_free(t);
}

/* "Connections using an invalid CACertificateRef MUST fail": never plaintext */
static void test_unresolved_ca_makes_backend_invalid(void **s)
{
	struct gw_rt_table *t = build(GWY SVC("plain") SVC("a") SVC("b") ROUTE
				      POLICY("pa", "a", "a.example.net", "missing"));
	const struct gw_rt_backend *a = backend(t, "default/a:8443");

	(void)s;
	assert_int_equal(a->state, GW_BE_INVALID);
	assert_null(a->tls);
	assert_non_null(strstr(a->reason, "ConfigMap default/missing not found"));
	assert_int_equal(backend(t, "default/b:8443")->state, GW_BE_OK);
	assert_null(backend(t, "default/b:8443")->tls);
	gw_rt_free(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pool_keys_per_tls_identity),
		cmocka_unit_test(test_alpn_is_part_of_the_identity),
		cmocka_unit_test(test_unresolved_ca_makes_backend_invalid),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
