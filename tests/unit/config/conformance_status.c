// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Status rules that Gateway API v1.6.1 conformance tests check, with the
 * test's manifests (conformance/tests/NAME.yaml). Their traffic side, and
 * most status-only tests, run against a live gwd in
 * tests/netns/test-gwd-conformance.sh; docs/conformance.md maps them all.
 */
#include <string.h>

#include "lib/fixture.h"

#define INFRA "gateway-conformance-infra"

#define GW(name, listeners)                                                                  \
	"apiVersion: gateway.networking.k8s.io/v1\nkind: Gateway\n"                           \
	"metadata: {name: " name ", namespace: " INFRA "}\n"                                  \
	"spec:\n  gatewayClassName: gc\n  listeners:\n" listeners "---\n"

#define K_TLSROUTE "allowedRoutes: {namespaces: {from: Same}, kinds: [{kind: TLSRoute}]}"

/*
 * TLSRouteListenerMixedTerminationNotSupported: without TLSRouteModeMixed
 * (not in supportedFeatures), a Terminate and a Passthrough TLS listener on
 * one port both get Accepted=False, ProtocolConflict, no routes.
 */
static void test_tls_mixed_termination_not_supported(void **s)
{
	struct gw_config *c = fx_resolve(fx_printf(
		FX_CLASS "%s" GW("gateway-tlsroute-mixed-termination-not-supported",
				 "  - {name: tls-terminate, port: 8443, protocol: TLS, hostname: "
				 "terminate.example.com, " K_TLSROUTE ",\n"
				 "     tls: {mode: Terminate, certificateRefs: [{name: tls-terminate-checks-certificate}]}}\n"
				 "  - {name: tls-passthrough, port: 8443, protocol: TLS, hostname: "
				 "passthrough.example.com, " K_TLSROUTE ", tls: {mode: Passthrough}}\n"),
		fx_tls_secret(INFRA, "tls-terminate-checks-certificate", "terminate.example.com",
			      false)));
	const char *g = "gateway-tlsroute-mixed-termination-not-supported";

	(void)s;
	assert_cond(c, GW_K_GATEWAY, INFRA, g, "listeners/tls-terminate", "Accepted", "False",
		    "ProtocolConflict");
	assert_cond(c, GW_K_GATEWAY, INFRA, g, "listeners/tls-passthrough", "Accepted", "False",
		    "ProtocolConflict");
	assert_cond(c, GW_K_GATEWAY, INFRA, g, "listeners/tls-terminate", "Conflicted", "True",
		    "ProtocolConflict");
	assert_int_equal(fx_attached(c, INFRA, g, "tls-terminate"), 0);
	assert_int_equal(fx_attached(c, INFRA, g, "tls-passthrough"), 0);
	fx_free(c);
}

/*
 * Only Terminate beside Passthrough conflicts: two Terminate TLS listeners
 * with distinct hostnames, or two Passthrough ones, stay distinct on one port
 * (Listener doc), and so does HTTPS beside TLS Passthrough
 * (resolve.c test_listener_hostname_conflict_https_tls).
 */
static void test_tls_same_mode_distinct(void **s)
{
	struct gw_config *c = fx_resolve(fx_printf(
		FX_CLASS "%s"
		GW("same", "  - {name: t1, port: 8443, protocol: TLS, hostname: a.example.com,\n"
			   "     tls: {mode: Terminate, certificateRefs: [{name: cert}]}}\n"
			   "  - {name: t2, port: 8443, protocol: TLS, hostname: b.example.com,\n"
			   "     tls: {mode: Terminate, certificateRefs: [{name: cert}]}}\n"
			   "  - {name: p1, port: 9443, protocol: TLS, hostname: a.example.com,\n"
			   "     tls: {mode: Passthrough}}\n"
			   "  - {name: p2, port: 9443, protocol: TLS, hostname: b.example.com,\n"
			   "     tls: {mode: Passthrough}}\n"),
		fx_tls_secret(INFRA, "cert", "*.example.com", false)));
	static const char *const ls[] = { "listeners/t1", "listeners/t2", "listeners/p1",
					  "listeners/p2" };

	(void)s;
	for (size_t i = 0; i < sizeof(ls) / sizeof(ls[0]); i++) {
		assert_cond(c, GW_K_GATEWAY, INFRA, "same", ls[i], "Accepted", "True", "Accepted");
		assert_cond(c, GW_K_GATEWAY, INFRA, "same", ls[i], "Conflicted", "False",
			    "NoConflicts");
	}
	fx_free(c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tls_mixed_termination_not_supported),
		cmocka_unit_test(test_tls_same_mode_distinct),
	};

	return cmocka_run_group_tests_name("config/conformance_status", tests, NULL, NULL);
}
