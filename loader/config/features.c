// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The one table of Gateway API features this build implements, published
 * as GatewayClass status.supportedFeatures. A name goes here when the
 * feature works end to end and a test in this repository shows it; names
 * are the values of gateway-api pkg/features (v1.6), kept in ascending
 * order (tests/unit/config/features.c checks both order and spelling
 * against the status).
 *
 * Not listed yet, and why:
 * - BackendTLSPolicyClusterTrustBundle: no ClusterTrustBundle references.
 * - HTTPRouteExternalAuth*: gwd implements the HTTP ExternalAuth filter,
 *   but gateway-api v1.6.1 pkg/features defines no ExternalAuth feature
 *   name, so publishing one would name a feature the release lacks.
 * - GatewayInfrastructurePropagation, HTTPRouteDestinationPortMatching,
 *   TLSRouteModeMixed and session persistence: not implemented, or no test
 *   here shows the conformance behaviour yet.
 */
#include "features.h"

const char *const gw_supported_features[] = {
	"BackendTLSPolicy",			/* tests/netns/test-gwd-btls.sh */
	"BackendTLSPolicySANValidation",	/* test_backend_tls_san_validation */
	"GRPCRoute",
	"GRPCRouteNamedRouteRule",
	"Gateway",
	"GatewayAddressEmpty",			/* test-gwd/test_gateway_static_addresses */
	"GatewayBackendClientCertificate",	/* test_backend_tls_reencrypt (nginx verifies it) */
	"GatewayFrontendClientCertificateValidation",
	"GatewayFrontendClientCertificateValidationInsecureFallback",
	"GatewayHTTPListenerIsolation",
	"GatewayHTTPSListenerDetectMisdirectedRequests",
	"GatewayPort8080",
	"GatewayStaticAddresses",		/* test-gwd/test_gateway_static_addresses */
	"HTTPRoute",
	"HTTPRoute303RedirectStatusCode",
	"HTTPRoute307RedirectStatusCode",
	"HTTPRoute308RedirectStatusCode",
	"HTTPRouteBackendProtocolH2C",
	"HTTPRouteBackendProtocolWebSocket",
	"HTTPRouteBackendRequestHeaderModification",
	"HTTPRouteBackendTimeout",
	"HTTPRouteCORS",
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
	"HTTPRouteRetryBackendTimeout",		/* test-gwd/test_retry_single_endpoint */
	"HTTPRouteRetryConnectionError",	/* test-gwd/test_retry_single_endpoint (resets) */
	"HTTPRouteSchemeRedirect",
	"ListenerSet",				/* tests/netns/test-gwd-listenerset.sh (all 13) */
	"ReferenceGrant",
	"TCPRoute",
	"TLSRoute",
	"TLSRouteModeTerminate",
	"UDPRoute",
};

const size_t gw_nsupported_features =
	sizeof(gw_supported_features) / sizeof(gw_supported_features[0]);
