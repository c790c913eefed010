// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * GatewayClass status.supportedFeatures (GatewayClassStatus in
 * apis/v1/gatewayclass_types.go): published for our classes only, every
 * entry a {name}, in strictly ascending order, no duplicates, and every
 * name one of gateway-api pkg/features.
 */
#include <string.h>

#include "lib/fixture.h"
#include "loader/config/features.h"

#define OTHER_CLASS                                                                          \
	"apiVersion: gateway.networking.k8s.io/v1\nkind: GatewayClass\nmetadata: {name: other}\n" \
	"spec: {controllerName: example.com/other}\n---\n"

static void test_features_sorted_and_unique(void **s)
{
	(void)s;
	assert_true(gw_nsupported_features > 0);
	for (size_t i = 1; i < gw_nsupported_features; i++)
		if (strcmp(gw_supported_features[i - 1], gw_supported_features[i]) >= 0)
			fail_msg("supportedFeatures out of order or repeated: %s before %s",
				 gw_supported_features[i - 1], gw_supported_features[i]);
}

/* Names the release defines (pkg/features v1.6.1); anything else is not a feature of it. */
static void test_features_are_spec_names(void **s)
{
	/* every feature name in gateway-api v1.6.1 pkg/features */
	static const char *const known[] = {
		"BackendTLSPolicy",
		"BackendTLSPolicySANValidation",
		"GRPCRoute",
		"GRPCRouteNamedRouteRule",
		"Gateway",
		"GatewayAddressEmpty",
		"GatewayBackendClientCertificate",
		"GatewayFrontendClientCertificateValidation",
		"GatewayFrontendClientCertificateValidationInsecureFallback",
		"GatewayHTTPListenerIsolation",
		"GatewayHTTPSListenerDetectMisdirectedRequests",
		"GatewayInfrastructurePropagation",
		"GatewayPort8080",
		"GatewayStaticAddresses",
		"HTTPRoute",
		"HTTPRoute303RedirectStatusCode",
		"HTTPRoute307RedirectStatusCode",
		"HTTPRoute308RedirectStatusCode",
		"HTTPRouteBackendProtocolH2C",
		"HTTPRouteBackendProtocolWebSocket",
		"HTTPRouteBackendRequestHeaderModification",
		"HTTPRouteBackendTimeout",
		"HTTPRouteCORS",
		"HTTPRouteDestinationPortMatching",
		"HTTPRouteHostRewrite",
		"HTTPRouteMethodMatching",
		"HTTPRouteNamedRouteRule",
		"HTTPRouteParentRefPort",
		"HTTPRoutePathRedirect",
		"HTTPRoutePathRewrite",
		"HTTPRoutePortRedirect",
		"HTTPRouteQueryParamMatching",
		"HTTPRouteRequestMirror",
		"HTTPRouteRequestMultipleMirrors",
		"HTTPRouteRequestPercentageMirror",
		"HTTPRouteRequestTimeout",
		"HTTPRouteResponseHeaderModification",
		"HTTPRouteRetry",
		"HTTPRouteRetryBackendTimeout",
		"HTTPRouteRetryConnectionError",
		"HTTPRouteSchemeRedirect",
		"ListenerSet",
		"Mesh",
		"MeshClusterIPMatching",
		"MeshConsumerRoute",
		"MeshHTTPRouteBackendRequestHeaderModification",
		"MeshHTTPRouteNamedRouteRule",
		"MeshHTTPRouteQueryParamMatching",
		"MeshHTTPRouteRedirectPath",
		"MeshHTTPRouteRedirectPort",
		"MeshHTTPRouteRewritePath",
		"MeshHTTPRouteSchemeRedirect",
		"ReferenceGrant",
		"TCPRoute",
		"TLSRoute",
		"TLSRouteModeMixed",
		"TLSRouteModeTerminate",
		"UDPRoute",
		NULL,
	};

	(void)s;
	for (size_t i = 0; i < gw_nsupported_features; i++) {
		bool found = false;

		for (size_t k = 0; known[k] && !found; k++)
			found = !strcmp(known[k], gw_supported_features[i]);
		if (!found)
			fail_msg("%s is not a gateway-api v1.6 feature name", gw_supported_features[i]);
	}
}

static void test_status_publishes_table_for_our_class_only(void **s)
{
	struct gw_config *c = fx_resolve(FX_CLASS OTHER_CLASS);
	struct gw_yval *ours = gw_config_find(c, GW_K_GATEWAYCLASS, NULL, "gc")->status;
	struct gw_yval *theirs = gw_config_find(c, GW_K_GATEWAYCLASS, NULL, "other")->status;
	struct gw_yval *list = gw_yget(ours, "supportedFeatures");

	(void)s;
	assert_int_equal(gw_ylen(list), gw_nsupported_features);
	for (size_t i = 0; i < gw_ylen(list); i++) {
		assert_int_equal(list->items[i]->type, GW_YMAP);
		assert_int_equal(list->items[i]->n, 1);
		assert_string_equal(gw_ygetstr(list->items[i], "name", ""),
				    gw_supported_features[i]);
	}
	/* another controller's class keeps the CRD default status, without features */
	assert_null(gw_yget(theirs, "supportedFeatures"));
	fx_free(c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_features_sorted_and_unique),
		cmocka_unit_test(test_features_are_spec_names),
		cmocka_unit_test(test_status_publishes_table_for_our_class_only),
	};

	return cmocka_run_group_tests_name("config/features", tests, NULL, NULL);
}
