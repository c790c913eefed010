// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Gateway spec.tls.frontend (client certificate validation): which entry
 * applies to which HTTPS listener, the CA bundle it carries, and the
 * listener and Gateway conditions of apis/v1/gateway_types.go
 * (FrontendTLSValidation, InsecureFrontendValidationMode).
 */
#include <string.h>

#include "lib/fixture.h"

/* A Gateway with HTTPS listeners on 443 and 8443, an HTTP one, and frontend as given. */
#define MTLS_GW(frontend)                                                                    \
	"apiVersion: gateway.networking.k8s.io/v1\nkind: Gateway\n"                           \
	"metadata: {name: g, namespace: infra}\n"                                             \
	"spec:\n  gatewayClassName: gc\n"                                                     \
	"  tls: {frontend: " frontend "}\n"                                                   \
	"  listeners:\n"                                                                      \
	"  - {name: https, protocol: HTTPS, port: 443, tls: {certificateRefs: [{name: cert}]}}\n" \
	"  - {name: alt, protocol: HTTPS, port: 8443, tls: {certificateRefs: [{name: cert}]}}\n" \
	"  - {name: http, protocol: HTTP, port: 80}\n---\n"

#define CA_REF(name) "{group: '', kind: ConfigMap, name: " name "}"

static struct gw_listener *listener(struct gw_config *c, int i)
{
	return &gw_config_find(c, GW_K_GATEWAY, "infra", "g")->u.gw->listeners[i];
}

static struct gw_config *load(const char *frontend_yaml, const char *extra)
{
	return fx_resolve(fx_printf(FX_CLASS "%s%s%s%s", fx_tls_secret("infra", "cert",
									"www.example.com", false),
				    fx_ca_configmap("infra", "ca"), frontend_yaml, extra));
}

static void test_default_applies_to_every_https_listener(void **s)
{
	struct gw_config *c = load(MTLS_GW("{default: {validation: {caCertificateRefs: ["
					   CA_REF("ca") "]}}}"), "");

	(void)s;
	for (int i = 0; i < 2; i++) {
		const struct gw_client_validation *cv = listener(c, i)->client_validation;

		assert_non_null(cv);
		assert_false(cv->insecure_fallback);	/* mode defaults to AllowValidOnly */
		assert_non_null(strstr(cv->ca_pem, "BEGIN CERTIFICATE"));
		assert_int_equal(cv->ca_len, strlen(cv->ca_pem));
	}
	assert_null(listener(c, 2)->client_validation);	/* HTTP */
	assert_cond(c, GW_K_GATEWAY, "infra", "g", "listeners/https", "ResolvedRefs", "True",
		    "ResolvedRefs");
	assert_cond(c, GW_K_GATEWAY, "infra", "g", "listeners/https", "Accepted", "True",
		    "Accepted");
	assert_null(fx_cond(c, GW_K_GATEWAY, "infra", "g", "conditions",
			    "InsecureFrontendValidationMode"));
	fx_free(c);
}

static void test_per_port_overrides_default(void **s)
{
	struct gw_config *c = load(MTLS_GW("{default: {validation: {caCertificateRefs: ["
					   CA_REF("ca") "]}}, perPort: [{port: 8443, tls: "
					   "{validation: {caCertificateRefs: [" CA_REF("ca2") "],"
					   " mode: AllowInsecureFallback}}}]}"),
				   fx_ca_configmap("infra", "ca2"));
	const struct gw_client_validation *a = listener(c, 0)->client_validation;
	const struct gw_client_validation *b = listener(c, 1)->client_validation;

	(void)s;
	assert_non_null(a);
	assert_non_null(b);
	assert_false(a->insecure_fallback);
	assert_true(b->insecure_fallback);
	assert_string_not_equal(a->ca_pem, b->ca_pem);	/* each its own CA */
	assert_cond(c, GW_K_GATEWAY, "infra", "g", "conditions", "InsecureFrontendValidationMode",
		    "True", "ConfigurationChanged");
	fx_free(c);
	/* a perPort entry without validation turns it off on its port */
	c = load(MTLS_GW("{default: {validation: {caCertificateRefs: [" CA_REF("ca") "]}},"
			 " perPort: [{port: 8443, tls: {}}]}"), "");
	assert_non_null(listener(c, 0)->client_validation);
	assert_null(listener(c, 1)->client_validation);
	fx_free(c);
}

static void test_all_refs_invalid_listener_not_accepted(void **s)
{
	struct gw_config *c = load(MTLS_GW("{default: {validation: {caCertificateRefs: ["
					   CA_REF("nope") "]}}}"), "");
	struct gw_yval *cond = fx_cond(c, GW_K_GATEWAY, "infra", "g", "listeners/https",
				       "ResolvedRefs");

	(void)s;
	assert_cond(c, GW_K_GATEWAY, "infra", "g", "listeners/https", "ResolvedRefs", "False",
		    "InvalidCACertificateRef");
	assert_non_null(strstr(gw_ygetstr(cond, "message", ""),
			       "spec.tls.frontend.default.validation.caCertificateRefs[0]: "
			       "ConfigMap infra/nope not found"));
	assert_cond(c, GW_K_GATEWAY, "infra", "g", "listeners/https", "Accepted", "False",
		    "NoValidCACertificate");
	assert_cond(c, GW_K_GATEWAY, "infra", "g", "listeners/https", "Programmed", "False",
		    "Invalid");
	assert_false(listener(c, 0)->valid);
	assert_null(listener(c, 0)->client_validation);
	/* the HTTP listener is untouched */
	assert_cond(c, GW_K_GATEWAY, "infra", "g", "listeners/http", "Accepted", "True",
		    "Accepted");
	assert_cond(c, GW_K_GATEWAY, "infra", "g", "conditions", "ResolvedRefs", "False",
		    "ListenersNotResolved");
	fx_free(c);
}

static void test_bad_ca_content_and_kind(void **s)
{
	struct gw_config *c = load(MTLS_GW("{default: {validation: {caCertificateRefs: ["
					   CA_REF("junk") "]}}}"),
				   "apiVersion: v1\nkind: ConfigMap\n"
				   "metadata: {name: junk, namespace: infra}\n"
				   "data: {ca.crt: hello}\n---\n");
	struct gw_yval *cond = fx_cond(c, GW_K_GATEWAY, "infra", "g", "listeners/https",
				       "ResolvedRefs");

	(void)s;
	assert_cond(c, GW_K_GATEWAY, "infra", "g", "listeners/https", "ResolvedRefs", "False",
		    "InvalidCACertificateRef");
	assert_non_null(strstr(gw_ygetstr(cond, "message", ""), "PEM certificate"));
	fx_free(c);
	c = load(MTLS_GW("{default: {validation: {caCertificateRefs: [{group: '', kind: "
			 "Secret, name: ca}]}}}"), "");
	assert_cond(c, GW_K_GATEWAY, "infra", "g", "listeners/https", "ResolvedRefs", "False",
		    "InvalidCACertificateKind");
	assert_cond(c, GW_K_GATEWAY, "infra", "g", "listeners/https", "Accepted", "False",
		    "NoValidCACertificate");
	fx_free(c);
}

static void test_some_refs_invalid_listener_accepted(void **s)
{
	struct gw_config *c = load(MTLS_GW("{default: {validation: {caCertificateRefs: ["
					   CA_REF("ca") ", " CA_REF("nope") "]}}}"), "");

	(void)s;
	assert_cond(c, GW_K_GATEWAY, "infra", "g", "listeners/https", "ResolvedRefs", "False",
		    "InvalidCACertificateRef");
	assert_cond(c, GW_K_GATEWAY, "infra", "g", "listeners/https", "Accepted", "True",
		    "Accepted");
	/* the valid CA is in the model; ResolvedRefs False keeps it unprogrammed here */
	assert_non_null(listener(c, 0)->client_validation);
	assert_cond(c, GW_K_GATEWAY, "infra", "g", "listeners/https", "Programmed", "False",
		    "Invalid");
	fx_free(c);
}

static void test_cross_namespace_ca_needs_grant(void **s)
{
	const char *gw = MTLS_GW("{default: {validation: {caCertificateRefs: [{group: '', kind: "
				 "ConfigMap, name: ca, namespace: pki}]}}}");
	const char *grant = "apiVersion: gateway.networking.k8s.io/v1beta1\nkind: ReferenceGrant\n"
			    "metadata: {name: allow, namespace: pki}\n"
			    "spec:\n  from: [{group: gateway.networking.k8s.io, kind: Gateway,"
			    " namespace: infra}]\n  to: [{group: '', kind: ConfigMap}]\n---\n";
	struct gw_config *c = load(gw, fx_ca_configmap("pki", "ca"));

	(void)s;
	assert_cond(c, GW_K_GATEWAY, "infra", "g", "listeners/https", "ResolvedRefs", "False",
		    "RefNotPermitted");
	assert_cond(c, GW_K_GATEWAY, "infra", "g", "listeners/https", "Accepted", "False",
		    "NoValidCACertificate");
	fx_free(c);
	c = load(gw, fx_printf("%s%s", fx_ca_configmap("pki", "ca"), grant));
	assert_cond(c, GW_K_GATEWAY, "infra", "g", "listeners/https", "ResolvedRefs", "True",
		    "ResolvedRefs");
	assert_non_null(listener(c, 0)->client_validation);
	fx_free(c);
}

/* A ListenerSet's HTTPS listener on 8443 gets its parent Gateway's perPort entry. */
static void test_listenerset_listener_uses_parent_frontend(void **s)
{
	struct gw_config *c = load(
		"apiVersion: gateway.networking.k8s.io/v1\nkind: Gateway\n"
		"metadata: {name: g, namespace: infra}\n"
		"spec:\n  gatewayClassName: gc\n  allowedListeners: {namespaces: {from: Same}}\n"
		"  tls: {frontend: {default: {validation: {caCertificateRefs: [" CA_REF("ca") "]}},"
		" perPort: [{port: 8443, tls: {validation: {caCertificateRefs: [" CA_REF("ca") "],"
		" mode: AllowInsecureFallback}}}]}}\n"
		"  listeners:\n  - {name: http, protocol: HTTP, port: 80}\n---\n"
		"apiVersion: gateway.networking.k8s.io/v1\nkind: ListenerSet\n"
		"metadata: {name: ls, namespace: infra}\n"
		"spec:\n  parentRef: {name: g}\n  listeners:\n"
		"  - {name: alt, protocol: HTTPS, port: 8443, tls: {certificateRefs: [{name: cert}]}}\n"
		"---\n", "");
	struct gw_listenerset *ls = gw_config_find(c, GW_K_LISTENERSET, "infra", "ls")->u.ls;

	(void)s;
	assert_non_null(ls->parent);
	assert_non_null(ls->listeners[0].client_validation);
	assert_true(ls->listeners[0].client_validation->insecure_fallback);
	assert_cond(c, GW_K_LISTENERSET, "infra", "ls", "listeners/alt", "ResolvedRefs", "True",
		    "ResolvedRefs");
	fx_free(c);
}

static void test_frontend_needs_default(void **s)
{
	/* FrontendTLSConfig.Default is +required: a schema error, nothing is resolved */
	struct gw_config *c = fx_load(fx_printf(FX_CLASS "%s", MTLS_GW("{perPort: []}")));

	(void)s;
	assert_true(fx_has_diag(c, "default", NULL));
	fx_free(c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_default_applies_to_every_https_listener),
		cmocka_unit_test(test_per_port_overrides_default),
		cmocka_unit_test(test_all_refs_invalid_listener_not_accepted),
		cmocka_unit_test(test_bad_ca_content_and_kind),
		cmocka_unit_test(test_some_refs_invalid_listener_accepted),
		cmocka_unit_test(test_cross_namespace_ca_needs_grant),
		cmocka_unit_test(test_listenerset_listener_uses_parent_frontend),
		cmocka_unit_test(test_frontend_needs_default),
	};

	return cmocka_run_group_tests_name("config/resolve_frontend_tls", tests, NULL, NULL);
}
