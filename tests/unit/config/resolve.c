// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Resolution rules and every status reason they produce, one test per rule,
 * positive and negative. Spec references are to gateway-api apis/v1.
 */
#include <string.h>

#include "lib/fixture.h"

#define GW(name, listeners)                                                                  \
	"apiVersion: gateway.networking.k8s.io/v1\nkind: Gateway\n"                           \
	"metadata: {name: " name ", namespace: infra}\n"                                      \
	"spec:\n  gatewayClassName: gc\n  listeners:\n" listeners "---\n"

#define L_HTTP "  - {name: http, protocol: HTTP, port: 80}\n"
#define L_HTTP_ALL "  - {name: http, protocol: HTTP, port: 80, allowedRoutes: {namespaces: {from: All}}}\n"

#define SVC(ns, name, port)                                                                  \
	"apiVersion: v1\nkind: Service\nmetadata: {name: " name ", namespace: " ns "}\n"     \
	"spec: {ports: [{name: http, port: " #port "}]}\n---\n"

#define ROUTE(ns, name, parent, extra)                                                       \
	"apiVersion: gateway.networking.k8s.io/v1\nkind: HTTPRoute\n"                         \
	"metadata: {name: " name ", namespace: " ns "}\n"                                     \
	"spec:\n  parentRefs: [" parent "]\n" extra "---\n"

#define BACKEND(name, port) "  rules: [{backendRefs: [{name: " name ", port: " #port "}]}]\n"

/* ---- GatewayClass ---------------------------------------------------- */

static void test_class_accepted(void **s)
{
	struct gw_config *c = fx_resolve(FX_CLASS);

	(void)s;
	assert_cond(c, GW_K_GATEWAYCLASS, NULL, "gc", "conditions", "Accepted", "True", "Accepted");
	assert_cond(c, GW_K_GATEWAYCLASS, NULL, "gc", "conditions", "SupportedVersion", "True",
		    "SupportedVersion");
	fx_free(c);
}

static void test_class_invalid_parameters(void **s)
{
	struct gw_config *c = fx_resolve(
		"apiVersion: gateway.networking.k8s.io/v1\nkind: GatewayClass\nmetadata: {name: gc}\n"
		"spec:\n  controllerName: xdpgw.io/gateway-controller\n"
		"  parametersRef: {group: example.com, kind: Params, name: p}\n---\n"
		GW("g", L_HTTP));

	(void)s;
	assert_cond(c, GW_K_GATEWAYCLASS, NULL, "gc", "conditions", "Accepted", "False",
		    "InvalidParameters");
	/* a Gateway of a class that is ours but not accepted is not accepted either */
	assert_cond(c, GW_K_GATEWAY, "infra", "g", "conditions", "Accepted", "False", "Invalid");
	fx_free(c);
}

static void test_other_controller_left_pending(void **s)
{
	struct gw_config *c = fx_resolve(
		"apiVersion: gateway.networking.k8s.io/v1\nkind: GatewayClass\nmetadata: {name: gc}\n"
		"spec: {controllerName: example.com/other}\n---\n" GW("g", L_HTTP)
		ROUTE("infra", "r", "{name: g}", ""));

	(void)s;
	/* CRD default status: Unknown/Pending "Waiting for controller" */
	assert_cond(c, GW_K_GATEWAYCLASS, NULL, "gc", "conditions", "Accepted", "Unknown",
		    "Pending");
	assert_cond(c, GW_K_GATEWAY, "infra", "g", "conditions", "Programmed", "Unknown",
		    "Pending");
	/* routes of other controllers' Gateways get no status from us */
	assert_null(gw_config_find(c, GW_K_HTTPROUTE, "infra", "r")->status);
	fx_free(c);
}

/* ---- Gateway and listeners ------------------------------------------- */

static void test_gateway_accepted_not_programmed_without_dataplane(void **s)
{
	struct gw_config *c = fx_resolve(FX_CLASS GW("g", L_HTTP));

	(void)s;
	assert_cond(c, GW_K_GATEWAY, "infra", "g", "conditions", "Accepted", "True", "Accepted");
	assert_cond(c, GW_K_GATEWAY, "infra", "g", "conditions", "Programmed", "False", "Pending");
	assert_cond(c, GW_K_GATEWAY, "infra", "g", "listeners/http", "Accepted", "True",
		    "Accepted");
	assert_cond(c, GW_K_GATEWAY, "infra", "g", "listeners/http", "Conflicted", "False",
		    "NoConflicts");
	assert_cond(c, GW_K_GATEWAY, "infra", "g", "listeners/http", "ResolvedRefs", "True",
		    "ResolvedRefs");
	assert_cond(c, GW_K_GATEWAY, "infra", "g", "listeners/http", "Programmed", "False",
		    "Pending");
	assert_int_equal(fx_attached(c, "infra", "g", "http"), 0);
	fx_free(c);
}

static bool all_programmed(void *ctx, const struct gw_listener *l, const char **msg)
{
	(void)ctx, (void)l, (void)msg;
	return true;
}

static void test_gateway_programmed_with_dataplane(void **s)
{
	static const struct gw_dataplane dp = { .listener_programmed = all_programmed };
	struct gw_config *c = fx_load(FX_CLASS GW("g", L_HTTP));

	(void)s;
	c->dataplane = &dp;
	assert_int_equal(gw_config_stamp(c, NULL, "2026-01-01T00:00:00Z"), 0);
	assert_int_equal(gw_config_resolve(c, NULL), 0);
	assert_cond(c, GW_K_GATEWAY, "infra", "g", "conditions", "Programmed", "True",
		    "Programmed");
	assert_cond(c, GW_K_GATEWAY, "infra", "g", "listeners/http", "Programmed", "True",
		    "Programmed");
	fx_free(c);
}

static void test_gateway_unsupported_address(void **s)
{
	struct gw_config *c = fx_resolve(
		FX_CLASS "apiVersion: gateway.networking.k8s.io/v1\nkind: Gateway\n"
		"metadata: {name: g, namespace: infra}\nspec:\n  gatewayClassName: gc\n"
		"  addresses: [{type: Hostname, value: gw.example.com}]\n  listeners:\n" L_HTTP
		"---\n");

	(void)s;
	assert_cond(c, GW_K_GATEWAY, "infra", "g", "conditions", "Accepted", "False",
		    "UnsupportedAddress");
	assert_cond(c, GW_K_GATEWAY, "infra", "g", "conditions", "Programmed", "False", "Invalid");
	fx_free(c);
}

static void test_gateway_ip_address_in_status(void **s)
{
	struct gw_config *c = fx_resolve(
		FX_CLASS "apiVersion: gateway.networking.k8s.io/v1\nkind: Gateway\n"
		"metadata: {name: g, namespace: infra}\nspec:\n  gatewayClassName: gc\n"
		"  addresses: [{type: IPAddress, value: 192.0.2.10}]\n  listeners:\n" L_HTTP
		"---\n");
	struct gw_yval *addrs;

	(void)s;
	assert_cond(c, GW_K_GATEWAY, "infra", "g", "conditions", "Accepted", "True", "Accepted");
	addrs = gw_yget(gw_config_find(c, GW_K_GATEWAY, "infra", "g")->status, "addresses");
	assert_int_equal(gw_ylen(addrs), 1);
	assert_string_equal(gw_ygetstr(addrs->items[0], "value", ""), "192.0.2.10");
	fx_free(c);
}

/* ---- Gateway addresses (GatewayStatus.addresses, AddressNotUsable) -------- */

static const char *const node_addrs[] = { "192.0.2.5", "2001:db8::5" };
static const char *const node_lo[] = { "127.0.0.1", "::1" };

#define GW_ADDRS(addrs, listeners)                                                           \
	"apiVersion: gateway.networking.k8s.io/v1\nkind: Gateway\n"                           \
	"metadata: {name: g, namespace: infra}\nspec:\n  gatewayClassName: gc\n"              \
	"  addresses: " addrs "\n  listeners:\n" listeners "---\n"

/* resolves yaml as gwctl load does on a node with these addresses */
static struct gw_config *resolve_on_node(const char *yaml, const struct gw_node *node)
{
	struct gw_config *c = fx_load(yaml);

	c->node = node;
	assert_int_equal(gw_config_stamp(c, NULL, "2026-01-01T00:00:00Z"), 0);
	assert_int_equal(gw_config_resolve(c, NULL), 0);
	return c;
}

static const char *status_addr(const struct gw_config *c, size_t i)
{
	struct gw_yval *addrs =
		gw_yget(gw_config_find(c, GW_K_GATEWAY, "infra", "g")->status, "addresses");

	if (i >= gw_ylen(addrs))
		return NULL;
	assert_string_equal(gw_ygetstr(addrs->items[i], "type", ""), "IPAddress");
	return gw_ygetstr(addrs->items[i], "value", "");
}

static void test_gateway_without_addresses_lists_the_nodes(void **s)
{
	static const struct gw_node node = { .addrs = node_addrs, .naddrs = 2,
					     .loopback = node_lo, .nloopback = 2 };
	struct gw_config *c = resolve_on_node(FX_CLASS GW("g", L_HTTP), &node);

	(void)s;
	/* "no addresses are specified, all addresses are dynamically assigned" */
	assert_string_equal(status_addr(c, 0), "192.0.2.5");
	assert_string_equal(status_addr(c, 1), "2001:db8::5");
	assert_null(status_addr(c, 2));	/* loopback only when there is nothing else */
	fx_free(c);

	/* a node with only loopback (a private network namespace) */
	static const struct gw_node lo_only = { .loopback = node_lo, .nloopback = 1 };
	c = resolve_on_node(FX_CLASS GW("g", L_HTTP), &lo_only);
	assert_string_equal(status_addr(c, 0), "127.0.0.1");
	assert_null(status_addr(c, 1));
	fx_free(c);

	/* unknown node (gwd, or no probe): no status.addresses rather than a guess */
	c = fx_resolve(FX_CLASS GW("g", L_HTTP));
	assert_null(status_addr(c, 0));
	fx_free(c);
}

static void test_gateway_address_without_value_is_assigned(void **s)
{
	static const struct gw_node node = { .addrs = node_addrs, .naddrs = 2 };
	struct gw_config *c = resolve_on_node(FX_CLASS GW_ADDRS("[{type: IPAddress}]", L_HTTP),
					      &node);

	(void)s;
	/* GatewaySpecAddress.value: unspecified -> "SHOULD automatically assign" */
	assert_cond(c, GW_K_GATEWAY, "infra", "g", "conditions", "Accepted", "True", "Accepted");
	assert_string_equal(status_addr(c, 0), "192.0.2.5");
	assert_null(status_addr(c, 1));
	/* gwd binds every address, as for a Gateway without spec.addresses */
	assert_int_equal(gw_config_find(c, GW_K_GATEWAY, "infra", "g")->u.gw->naddresses, 0);
	fx_free(c);
}

static void test_gateway_address_not_usable(void **s)
{
	static const struct gw_node node = { .addrs = node_addrs, .naddrs = 2,
					     .loopback = node_lo, .nloopback = 2 };
	struct gw_config *c = resolve_on_node(
		FX_CLASS GW_ADDRS("[{value: 192.0.2.5}, {value: 198.51.100.7}]", L_HTTP), &node);
	const char *p;

	(void)s;
	/* conformance GatewayStaticAddresses: Accepted, Programmed=False/AddressNotUsable */
	assert_cond(c, GW_K_GATEWAY, "infra", "g", "conditions", "Accepted", "True", "Accepted");
	assert_cond(c, GW_K_GATEWAY, "infra", "g", "conditions", "Programmed", "False",
		    "AddressNotUsable");
	p = gw_ygetstr(fx_cond(c, GW_K_GATEWAY, "infra", "g", "conditions", "Programmed"),
		       "message", "");
	assert_non_null(strstr(p, "198.51.100.7 is on no interface"));
	assert_non_null(strstr(p, "ip addr add 198.51.100.7/32 dev lo"));
	/* "should not contain the unusable address", should contain the usable one */
	assert_string_equal(status_addr(c, 0), "192.0.2.5");
	assert_null(status_addr(c, 1));
	fx_free(c);

	/* loopback addresses are the node's too */
	c = resolve_on_node(FX_CLASS GW_ADDRS("[{value: 127.0.0.1}]", L_HTTP), &node);
	assert_cond(c, GW_K_GATEWAY, "infra", "g", "conditions", "Programmed", "False", "Pending");
	assert_string_equal(status_addr(c, 0), "127.0.0.1");
	fx_free(c);

	/* no host can own a multicast or unspecified address */
	c = resolve_on_node(FX_CLASS GW_ADDRS("[{value: 224.0.0.1}]", L_HTTP), &node);
	assert_cond(c, GW_K_GATEWAY, "infra", "g", "conditions", "Programmed", "False",
		    "AddressNotUsable");
	fx_free(c);
	c = resolve_on_node(FX_CLASS GW_ADDRS("[{value: \"::\"}]", L_HTTP), &node);
	assert_cond(c, GW_K_GATEWAY, "infra", "g", "conditions", "Programmed", "False",
		    "AddressNotUsable");
	fx_free(c);
}

static void test_gateway_vip_usable_only_through_xdp(void **s)
{
	static const struct gw_node xdp = { .addrs = node_addrs, .naddrs = 2, .xdp = true };
	static const struct gw_node noxdp = { .addrs = node_addrs, .naddrs = 2 };
	const char *yaml = FX_CLASS GW_ADDRS("[{value: 10.200.255.1}]",
					     "  - {name: tcp, protocol: TCP, port: 9000}\n");
	struct gw_config *c = resolve_on_node(yaml, &xdp);

	(void)s;
	/* the XDP tier steers a VIP that no interface has */
	assert_cond(c, GW_K_GATEWAY, "infra", "g", "conditions", "Programmed", "False", "Pending");
	assert_string_equal(status_addr(c, 0), "10.200.255.1");
	fx_free(c);
	/* without it gwd serves the listener and the kernel never delivers that traffic */
	c = resolve_on_node(yaml, &noxdp);
	assert_cond(c, GW_K_GATEWAY, "infra", "g", "conditions", "Programmed", "False",
		    "AddressNotUsable");
	assert_null(status_addr(c, 0));
	fx_free(c);
	/* an HTTP listener is never XDP-served: the VIP is unusable even with the tier */
	c = resolve_on_node(FX_CLASS GW_ADDRS("[{value: 10.200.255.1}]", L_HTTP), &xdp);
	assert_cond(c, GW_K_GATEWAY, "infra", "g", "conditions", "Programmed", "False",
		    "AddressNotUsable");
	fx_free(c);
}

static void test_gateway_infrastructure_parameters_ref(void **s)
{
	struct gw_config *c = fx_resolve(
		FX_CLASS "apiVersion: gateway.networking.k8s.io/v1\nkind: Gateway\n"
		"metadata: {name: g, namespace: infra}\nspec:\n  gatewayClassName: gc\n"
		"  infrastructure: {parametersRef: {group: example.com, kind: Params, name: p}}\n"
		"  listeners:\n" L_HTTP "---\n");

	(void)s;
	/* GatewayInfrastructure.parametersRef: unsupported kind -> Accepted=False */
	assert_cond(c, GW_K_GATEWAY, "infra", "g", "conditions", "Accepted", "False",
		    "InvalidParameters");
	assert_cond(c, GW_K_GATEWAY, "infra", "g", "conditions", "Programmed", "False", "Invalid");
	fx_free(c);
}

static void test_listener_unsupported_protocol(void **s)
{
	struct gw_config *c = fx_resolve(FX_CLASS GW("g", L_HTTP
		"  - {name: sctp, protocol: example.com/sctp, port: 9000}\n"));

	(void)s;
	assert_cond(c, GW_K_GATEWAY, "infra", "g", "listeners/sctp", "Accepted", "False",
		    "UnsupportedProtocol");
	assert_cond(c, GW_K_GATEWAY, "infra", "g", "listeners/sctp", "Programmed", "False",
		    "Invalid");
	/* one listener still valid: the Gateway is accepted, with the reason saying so */
	assert_cond(c, GW_K_GATEWAY, "infra", "g", "conditions", "Accepted", "True",
		    "ListenersNotValid");
	fx_free(c);
}

static void test_all_listeners_invalid_gateway_not_accepted(void **s)
{
	struct gw_config *c = fx_resolve(FX_CLASS GW("g",
		"  - {name: x, protocol: example.com/x, port: 9000}\n"));

	(void)s;
	assert_cond(c, GW_K_GATEWAY, "infra", "g", "conditions", "Accepted", "False",
		    "ListenersNotValid");
	fx_free(c);
}

static void test_listener_protocol_conflict(void **s)
{
	struct gw_config *c = fx_resolve(FX_CLASS GW("g",
		"  - {name: a, protocol: HTTP, port: 8080}\n"
		"  - {name: b, protocol: TCP, port: 8080}\n"
		"  - {name: u, protocol: UDP, port: 8080}\n"));

	(void)s;
	assert_cond(c, GW_K_GATEWAY, "infra", "g", "listeners/a", "Conflicted", "True",
		    "ProtocolConflict");
	assert_cond(c, GW_K_GATEWAY, "infra", "g", "listeners/b", "Conflicted", "True",
		    "ProtocolConflict");
	/* UDP on the same port number is a different transport: no conflict */
	assert_cond(c, GW_K_GATEWAY, "infra", "g", "listeners/u", "Conflicted", "False",
		    "NoConflicts");
	fx_free(c);
}

static void test_listener_hostname_conflict_https_tls(void **s)
{
	const char *y = fx_printf(
		FX_CLASS "%s" GW("g",
		"  - {name: a, protocol: HTTPS, port: 443, hostname: a.example.com,"
		" tls: {certificateRefs: [{name: cert}]}}\n"
		"  - {name: b, protocol: TLS, port: 443, hostname: a.example.com,"
		" tls: {mode: Passthrough}}\n"
		"  - {name: c, protocol: TLS, port: 443, hostname: c.example.com,"
		" tls: {mode: Passthrough}}\n"),
		fx_tls_secret("infra", "cert", "a.example.com", false));
	struct gw_config *c = fx_resolve(y);

	(void)s;
	assert_cond(c, GW_K_GATEWAY, "infra", "g", "listeners/a", "Conflicted", "True",
		    "HostnameConflict");
	assert_cond(c, GW_K_GATEWAY, "infra", "g", "listeners/b", "Conflicted", "True",
		    "HostnameConflict");
	assert_cond(c, GW_K_GATEWAY, "infra", "g", "listeners/c", "Conflicted", "False",
		    "NoConflicts");
	fx_free(c);
}

static void test_port_unavailable_across_gateways(void **s)
{
	struct gw_config *c = fx_resolve(FX_CLASS
		"apiVersion: gateway.networking.k8s.io/v1\nkind: Gateway\n"
		"metadata: {name: old, namespace: infra, creationTimestamp: '2025-01-01T00:00:00Z'}\n"
		"spec: {gatewayClassName: gc, listeners: [{name: http, protocol: HTTP, port: 80}]}\n"
		"---\n"
		"apiVersion: gateway.networking.k8s.io/v1\nkind: Gateway\n"
		"metadata: {name: new, namespace: infra, creationTimestamp: '2025-06-01T00:00:00Z'}\n"
		"spec: {gatewayClassName: gc, listeners: [{name: http, protocol: HTTP, port: 80},"
		" {name: alt, protocol: HTTP, port: 81}]}\n---\n");

	(void)s;
	assert_cond(c, GW_K_GATEWAY, "infra", "old", "listeners/http", "Accepted", "True",
		    "Accepted");
	assert_cond(c, GW_K_GATEWAY, "infra", "new", "listeners/http", "Accepted", "False",
		    "PortUnavailable");
	assert_cond(c, GW_K_GATEWAY, "infra", "new", "listeners/alt", "Accepted", "True",
		    "Accepted");
	fx_free(c);
}

static void test_port_shared_on_distinct_addresses(void **s)
{
	struct gw_config *c = fx_resolve(FX_CLASS
		"apiVersion: gateway.networking.k8s.io/v1\nkind: Gateway\n"
		"metadata: {name: a, namespace: infra}\n"
		"spec: {gatewayClassName: gc, addresses: [{value: 192.0.2.1}],"
		" listeners: [{name: http, protocol: HTTP, port: 80}]}\n---\n"
		"apiVersion: gateway.networking.k8s.io/v1\nkind: Gateway\n"
		"metadata: {name: b, namespace: infra}\n"
		"spec: {gatewayClassName: gc, addresses: [{value: 192.0.2.2}],"
		" listeners: [{name: http, protocol: HTTP, port: 80}]}\n---\n");

	(void)s;
	assert_cond(c, GW_K_GATEWAY, "infra", "a", "listeners/http", "Accepted", "True", "Accepted");
	assert_cond(c, GW_K_GATEWAY, "infra", "b", "listeners/http", "Accepted", "True", "Accepted");
	fx_free(c);
}

static void test_invalid_route_kinds(void **s)
{
	struct gw_config *c = fx_resolve(FX_CLASS GW("g",
		"  - name: http\n    protocol: HTTP\n    port: 80\n"
		"    allowedRoutes: {kinds: [{kind: HTTPRoute}, {kind: TCPRoute}]}\n"));
	struct gw_yval *l = gw_yget(gw_config_find(c, GW_K_GATEWAY, "infra", "g")->status,
				    "listeners")->items[0];

	(void)s;
	assert_cond(c, GW_K_GATEWAY, "infra", "g", "listeners/http", "ResolvedRefs", "False",
		    "InvalidRouteKinds");
	/* only the valid kind is listed */
	assert_int_equal(gw_ylen(gw_yget(l, "supportedKinds")), 1);
	assert_string_equal(gw_ygetstr(gw_yget(l, "supportedKinds")->items[0], "kind", ""),
			    "HTTPRoute");
	assert_cond(c, GW_K_GATEWAY, "infra", "g", "conditions", "ResolvedRefs", "False",
		    "ListenersNotResolved");
	fx_free(c);
}

#define HTTPS_GW(refns)                                                                      \
	GW("g", "  - {name: https, protocol: HTTPS, port: 443, tls: {certificateRefs:"         \
		" [{name: cert" refns "}]}}\n")

static void test_certificate_valid(void **s)
{
	struct gw_config *c = fx_resolve(fx_printf(FX_CLASS "%s" HTTPS_GW(""),
		fx_tls_secret("infra", "cert", "www.example.com", false)));
	struct gw_listener *l = &gw_config_find(c, GW_K_GATEWAY, "infra", "g")->u.gw->listeners[0];

	(void)s;
	assert_cond(c, GW_K_GATEWAY, "infra", "g", "listeners/https", "ResolvedRefs", "True",
		    "ResolvedRefs");
	assert_int_equal(l->ncerts, 1);
	assert_non_null(strstr(l->certs[0].cert_pem, "BEGIN CERTIFICATE"));
	fx_free(c);
}

static void test_certificate_missing(void **s)
{
	struct gw_config *c = fx_resolve(FX_CLASS HTTPS_GW(""));

	(void)s;
	assert_cond(c, GW_K_GATEWAY, "infra", "g", "listeners/https", "ResolvedRefs", "False",
		    "InvalidCertificateRef");
	assert_cond(c, GW_K_GATEWAY, "infra", "g", "listeners/https", "Programmed", "False",
		    "Invalid");
	fx_free(c);
}

static void test_certificate_key_mismatch(void **s)
{
	struct gw_config *c = fx_resolve(fx_printf(FX_CLASS "%s" HTTPS_GW(""),
		fx_tls_secret("infra", "cert", "www.example.com", true)));
	struct gw_yval *cond = fx_cond(c, GW_K_GATEWAY, "infra", "g", "listeners/https",
				       "ResolvedRefs");

	(void)s;
	assert_cond(c, GW_K_GATEWAY, "infra", "g", "listeners/https", "ResolvedRefs", "False",
		    "InvalidCertificateRef");
	assert_non_null(strstr(gw_ygetstr(cond, "message", ""), "does not match"));
	fx_free(c);
}

static void test_certificate_wrong_type_and_garbage(void **s)
{
	struct gw_config *c = fx_resolve(FX_CLASS HTTPS_GW("")
		"apiVersion: v1\nkind: Secret\nmetadata: {name: cert, namespace: infra}\n"
		"type: kubernetes.io/tls\ndata: {tls.crt: aGVsbG8=, tls.key: aGVsbG8=}\n---\n");
	struct gw_yval *cond = fx_cond(c, GW_K_GATEWAY, "infra", "g", "listeners/https",
				       "ResolvedRefs");

	(void)s;
	assert_cond(c, GW_K_GATEWAY, "infra", "g", "listeners/https", "ResolvedRefs", "False",
		    "InvalidCertificateRef");
	assert_non_null(strstr(gw_ygetstr(cond, "message", ""), "PEM certificate"));
	fx_free(c);
	c = fx_resolve(FX_CLASS HTTPS_GW("")
		"apiVersion: v1\nkind: Secret\nmetadata: {name: cert, namespace: infra}\n"
		"type: Opaque\ndata: {a: aGVsbG8=}\n---\n");
	cond = fx_cond(c, GW_K_GATEWAY, "infra", "g", "listeners/https", "ResolvedRefs");
	assert_non_null(strstr(gw_ygetstr(cond, "message", ""), "kubernetes.io/tls"));
	fx_free(c);
}

static void test_certificate_cross_namespace_needs_grant(void **s)
{
	const char *secret = fx_tls_secret("certs", "cert", "www.example.com", false);
	struct gw_config *c = fx_resolve(fx_printf(FX_CLASS "%s" HTTPS_GW(", namespace: certs"),
						   secret));

	(void)s;
	assert_cond(c, GW_K_GATEWAY, "infra", "g", "listeners/https", "ResolvedRefs", "False",
		    "RefNotPermitted");
	fx_free(c);
	c = fx_resolve(fx_printf(FX_CLASS "%s" HTTPS_GW(", namespace: certs")
		"apiVersion: gateway.networking.k8s.io/v1beta1\nkind: ReferenceGrant\n"
		"metadata: {name: allow, namespace: certs}\n"
		"spec:\n  from: [{group: gateway.networking.k8s.io, kind: Gateway, namespace: infra}]\n"
		"  to: [{group: '', kind: Secret}]\n---\n", secret));
	assert_cond(c, GW_K_GATEWAY, "infra", "g", "listeners/https", "ResolvedRefs", "True",
		    "ResolvedRefs");
	fx_free(c);
}

static void test_overlapping_tls_hostnames(void **s)
{
	const char *sec = fx_tls_secret("infra", "cert", "example.com", false);
	struct gw_config *c = fx_resolve(fx_printf(FX_CLASS "%s" GW("g",
		"  - {name: a, protocol: HTTPS, port: 443, hostname: foo.example.com,"
		" tls: {certificateRefs: [{name: cert}]}}\n"
		"  - {name: b, protocol: HTTPS, port: 443, hostname: foo.example.org,"
		" tls: {certificateRefs: [{name: cert}]}}\n"
		"  - {name: c, protocol: HTTPS, port: 443, hostname: '*.example.com',"
		" tls: {certificateRefs: [{name: cert}]}}\n"), sec));

	(void)s;
	/* the spec's own example: A and C overlap, B does not */
	assert_cond(c, GW_K_GATEWAY, "infra", "g", "listeners/a", "OverlappingTLSConfig", "True",
		    "OverlappingHostnames");
	assert_cond(c, GW_K_GATEWAY, "infra", "g", "listeners/c", "OverlappingTLSConfig", "True",
		    "OverlappingHostnames");
	assert_null(fx_cond(c, GW_K_GATEWAY, "infra", "g", "listeners/b", "OverlappingTLSConfig"));
	fx_free(c);
}

/* ---- Route attachment ------------------------------------------------- */

static void test_route_accepted_and_counted(void **s)
{
	struct gw_config *c = fx_resolve(FX_CLASS GW("g", L_HTTP) SVC("infra", "svc", 8080)
		ROUTE("infra", "r", "{name: g}", BACKEND("svc", 8080)));
	struct gw_obj *r = gw_config_find(c, GW_K_HTTPROUTE, "infra", "r");

	(void)s;
	assert_cond(c, GW_K_HTTPROUTE, "infra", "r", "parents/g", "Accepted", "True", "Accepted");
	assert_cond(c, GW_K_HTTPROUTE, "infra", "r", "parents/g", "ResolvedRefs", "True",
		    "ResolvedRefs");
	assert_int_equal(fx_attached(c, "infra", "g", "http"), 1);
	assert_string_equal(gw_ygetstr(gw_yget(r->status, "parents")->items[0],
				       "controllerName", ""), "xdpgw.io/gateway-controller");
	assert_int_equal(gw_ygetint(fx_cond(c, GW_K_HTTPROUTE, "infra", "r", "parents/g",
					    "Accepted"), "observedGeneration", 0), 1);
	fx_free(c);
}

static void test_route_other_namespace_not_allowed_by_same(void **s)
{
	struct gw_config *c = fx_resolve(FX_CLASS GW("g", L_HTTP)
		ROUTE("apps", "r", "{name: g, namespace: infra}", ""));

	(void)s;
	assert_cond(c, GW_K_HTTPROUTE, "apps", "r", "parents/g", "Accepted", "False",
		    "NotAllowedByListeners");
	assert_int_equal(fx_attached(c, "infra", "g", "http"), 0);
	fx_free(c);
	c = fx_resolve(FX_CLASS GW("g", L_HTTP_ALL)
		ROUTE("apps", "r", "{name: g, namespace: infra}", ""));
	assert_cond(c, GW_K_HTTPROUTE, "apps", "r", "parents/g", "Accepted", "True", "Accepted");
	fx_free(c);
}

static void test_route_namespace_selector(void **s)
{
	const char *gw = GW("g",
		"  - name: http\n    protocol: HTTP\n    port: 80\n    allowedRoutes:\n"
		"      namespaces:\n        from: Selector\n        selector:\n"
		"          matchLabels: {team: web}\n"
		"          matchExpressions: [{key: env, operator: In, values: [prod, stage]},"
		" {key: frozen, operator: DoesNotExist}]\n");
	struct gw_config *c = fx_resolve(fx_printf(FX_CLASS "%s"
		"apiVersion: v1\nkind: Namespace\nmetadata: {name: a, labels: {team: web, env: prod}}\n---\n"
		"apiVersion: v1\nkind: Namespace\nmetadata: {name: b, labels: {team: web, env: dev}}\n---\n"
		"apiVersion: v1\nkind: Namespace\nmetadata: {name: c, labels: {team: web, env: prod, frozen: 'yes'}}\n---\n"
		ROUTE("a", "r", "{name: g, namespace: infra}", "")
		ROUTE("b", "r", "{name: g, namespace: infra}", "")
		ROUTE("c", "r", "{name: g, namespace: infra}", "")
		ROUTE("d", "r", "{name: g, namespace: infra}", ""), gw));

	(void)s;
	assert_cond(c, GW_K_HTTPROUTE, "a", "r", "parents/g", "Accepted", "True", "Accepted");
	assert_cond(c, GW_K_HTTPROUTE, "b", "r", "parents/g", "Accepted", "False",
		    "NotAllowedByListeners");
	assert_cond(c, GW_K_HTTPROUTE, "c", "r", "parents/g", "Accepted", "False",
		    "NotAllowedByListeners");
	/* an undeclared namespace has no labels but kubernetes.io/metadata.name */
	assert_cond(c, GW_K_HTTPROUTE, "d", "r", "parents/g", "Accepted", "False",
		    "NotAllowedByListeners");
	assert_int_equal(fx_attached(c, "infra", "g", "http"), 1);
	fx_free(c);
}

static void test_route_selector_by_metadata_name(void **s)
{
	struct gw_config *c = fx_resolve(FX_CLASS GW("g",
		"  - name: http\n    protocol: HTTP\n    port: 80\n    allowedRoutes:\n"
		"      namespaces: {from: Selector, selector: {matchLabels:"
		" {kubernetes.io/metadata.name: apps}}}\n")
		ROUTE("apps", "r", "{name: g, namespace: infra}", ""));

	(void)s;
	assert_cond(c, GW_K_HTTPROUTE, "apps", "r", "parents/g", "Accepted", "True", "Accepted");
	fx_free(c);
}

static void test_route_kind_not_allowed(void **s)
{
	struct gw_config *c = fx_resolve(FX_CLASS GW("g",
		"  - {name: tcp, protocol: TCP, port: 9000}\n")
		ROUTE("infra", "r", "{name: g}", ""));

	(void)s;
	assert_cond(c, GW_K_HTTPROUTE, "infra", "r", "parents/g", "Accepted", "False",
		    "NotAllowedByListeners");
	fx_free(c);
}

static void test_route_no_matching_hostname(void **s)
{
	struct gw_config *c = fx_resolve(FX_CLASS GW("g",
		"  - {name: http, protocol: HTTP, port: 80, hostname: '*.example.com'}\n")
		ROUTE("infra", "bad", "{name: g}", "  hostnames: [example.com, www.example.org]\n")
		ROUTE("infra", "good", "{name: g}", "  hostnames: [a.b.example.com, x.org]\n"));
	struct gw_listener *l = &gw_config_find(c, GW_K_GATEWAY, "infra", "g")->u.gw->listeners[0];

	(void)s;
	assert_cond(c, GW_K_HTTPROUTE, "infra", "bad", "parents/g", "Accepted", "False",
		    "NoMatchingListenerHostname");
	assert_cond(c, GW_K_HTTPROUTE, "infra", "good", "parents/g", "Accepted", "True",
		    "Accepted");
	/* only the intersecting hostname is served on the listener */
	assert_non_null(l->attachments);
	assert_int_equal(l->attachments->nhostnames, 1);
	assert_string_equal(l->attachments->hostnames[0], "a.b.example.com");
	fx_free(c);
}

static void test_route_no_matching_parent(void **s)
{
	struct gw_config *c = fx_resolve(FX_CLASS GW("g", L_HTTP)
		ROUTE("infra", "bysection", "{name: g, sectionName: nope}", "")
		ROUTE("infra", "byport", "{name: g, port: 8443}", "")
		ROUTE("infra", "ok", "{name: g, sectionName: http, port: 80}", ""));

	(void)s;
	assert_cond(c, GW_K_HTTPROUTE, "infra", "bysection", "parents/g/nope", "Accepted", "False",
		    "NoMatchingParent");
	assert_cond(c, GW_K_HTTPROUTE, "infra", "byport", "parents/g", "Accepted", "False",
		    "NoMatchingParent");
	assert_cond(c, GW_K_HTTPROUTE, "infra", "ok", "parents/g/http", "Accepted", "True",
		    "Accepted");
	fx_free(c);
}

static void test_route_missing_gateway_no_status(void **s)
{
	struct gw_config *c = fx_resolve(FX_CLASS ROUTE("infra", "r", "{name: nosuch}", ""));

	(void)s;
	/* "parent references that cannot be resolved ... will not be added" */
	assert_null(gw_config_find(c, GW_K_HTTPROUTE, "infra", "r")->status);
	fx_free(c);
}

static void test_http_grpc_hostname_conflict(void **s)
{
	struct gw_config *c = fx_resolve(FX_CLASS GW("g", L_HTTP)
		"apiVersion: gateway.networking.k8s.io/v1\nkind: HTTPRoute\n"
		"metadata: {name: web, namespace: infra, creationTimestamp: '2025-01-01T00:00:00Z'}\n"
		"spec: {parentRefs: [{name: g}], hostnames: [a.example.com]}\n---\n"
		"apiVersion: gateway.networking.k8s.io/v1\nkind: GRPCRoute\n"
		"metadata: {name: rpc, namespace: infra, creationTimestamp: '2025-02-01T00:00:00Z'}\n"
		"spec: {parentRefs: [{name: g}], hostnames: ['*.example.com']}\n---\n"
		"apiVersion: gateway.networking.k8s.io/v1\nkind: GRPCRoute\n"
		"metadata: {name: other, namespace: infra, creationTimestamp: '2025-02-01T00:00:00Z'}\n"
		"spec: {parentRefs: [{name: g}], hostnames: [b.example.org]}\n---\n");

	(void)s;
	/* GRPCRouteSpec.Hostnames: the older of the two kinds wins the listener */
	assert_cond(c, GW_K_HTTPROUTE, "infra", "web", "parents/g", "Accepted", "True", "Accepted");
	assert_cond(c, GW_K_GRPCROUTE, "infra", "rpc", "parents/g", "Accepted", "False",
		    "NotAllowedByListeners");
	assert_cond(c, GW_K_GRPCROUTE, "infra", "other", "parents/g", "Accepted", "True",
		    "Accepted");
	assert_int_equal(fx_attached(c, "infra", "g", "http"), 2);
	fx_free(c);
}

static void test_unserved_kinds_not_supported(void **s)
{
	const char *y = FX_CLASS GW("g", L_HTTP
		"  - name: rpc\n    protocol: HTTP\n    port: 81\n"
		"    allowedRoutes: {kinds: [{kind: GRPCRoute}]}\n")
		"apiVersion: gateway.networking.k8s.io/v1\nkind: GRPCRoute\n"
		"metadata: {name: rpc, namespace: infra}\nspec: {parentRefs: [{name: g}]}\n---\n";
	struct gw_config *c = fx_load(y);
	struct gw_yval *kinds;

	(void)s;
	c->unserved_kinds = 1u << GW_K_GRPCROUTE;
	assert_int_equal(gw_config_stamp(c, NULL, "2026-01-01T00:00:00Z"), 0);
	assert_int_equal(gw_config_resolve(c, NULL), 0);
	kinds = gw_yget(gw_yget(gw_config_find(c, GW_K_GATEWAY, "infra", "g")->status,
				"listeners")->items[0], "supportedKinds");
	assert_int_equal(gw_ylen(kinds), 1);
	assert_string_equal(gw_ygetstr(kinds->items[0], "kind", ""), "HTTPRoute");
	assert_cond(c, GW_K_GATEWAY, "infra", "g", "listeners/rpc", "ResolvedRefs", "False",
		    "InvalidRouteKinds");
	assert_cond(c, GW_K_GRPCROUTE, "infra", "rpc", "parents/g", "Accepted", "False",
		    "NotAllowedByListeners");
	fx_free(c);
}

/* ---- backendRefs ------------------------------------------------------ */

static void test_backend_not_found(void **s)
{
	struct gw_config *c = fx_resolve(FX_CLASS GW("g", L_HTTP) SVC("infra", "svc", 8080)
		ROUTE("infra", "nosvc", "{name: g}", BACKEND("missing", 8080))
		ROUTE("infra", "noport", "{name: g}", BACKEND("svc", 9999)));

	(void)s;
	/* an unresolved backend does not stop the route from being accepted */
	assert_cond(c, GW_K_HTTPROUTE, "infra", "nosvc", "parents/g", "Accepted", "True",
		    "Accepted");
	assert_cond(c, GW_K_HTTPROUTE, "infra", "nosvc", "parents/g", "ResolvedRefs", "False",
		    "BackendNotFound");
	assert_cond(c, GW_K_HTTPROUTE, "infra", "noport", "parents/g", "ResolvedRefs", "False",
		    "BackendNotFound");
	fx_free(c);
}

static void test_backend_invalid_kind(void **s)
{
	struct gw_config *c = fx_resolve(FX_CLASS GW("g", L_HTTP)
		ROUTE("infra", "r", "{name: g}",
		      "  rules: [{backendRefs: [{group: example.com, kind: Bucket, name: b}]}]\n"));

	(void)s;
	assert_cond(c, GW_K_HTTPROUTE, "infra", "r", "parents/g", "ResolvedRefs", "False",
		    "InvalidKind");
	fx_free(c);
}

static void test_backend_cross_namespace_grant(void **s)
{
	const char *base = FX_CLASS GW("g", L_HTTP) SVC("data", "svc", 8080)
		ROUTE("infra", "r", "{name: g}",
		      "  rules: [{backendRefs: [{name: svc, namespace: data, port: 8080}]}]\n");
	struct gw_config *c = fx_resolve(base);

	(void)s;
	assert_cond(c, GW_K_HTTPROUTE, "infra", "r", "parents/g", "ResolvedRefs", "False",
		    "RefNotPermitted");
	fx_free(c);
	/* a grant for another kind or name does not help */
	c = fx_resolve(fx_printf("%s"
		"apiVersion: gateway.networking.k8s.io/v1beta1\nkind: ReferenceGrant\n"
		"metadata: {name: g1, namespace: data}\n"
		"spec:\n  from: [{group: gateway.networking.k8s.io, kind: GRPCRoute, namespace: infra}]\n"
		"  to: [{group: '', kind: Service}]\n---\n"
		"apiVersion: gateway.networking.k8s.io/v1beta1\nkind: ReferenceGrant\n"
		"metadata: {name: g2, namespace: data}\n"
		"spec:\n  from: [{group: gateway.networking.k8s.io, kind: HTTPRoute, namespace: infra}]\n"
		"  to: [{group: '', kind: Service, name: other}]\n---\n", base));
	assert_cond(c, GW_K_HTTPROUTE, "infra", "r", "parents/g", "ResolvedRefs", "False",
		    "RefNotPermitted");
	fx_free(c);
	c = fx_resolve(fx_printf("%s"
		"apiVersion: gateway.networking.k8s.io/v1beta1\nkind: ReferenceGrant\n"
		"metadata: {name: g3, namespace: data}\n"
		"spec:\n  from: [{group: gateway.networking.k8s.io, kind: HTTPRoute, namespace: infra}]\n"
		"  to: [{group: '', kind: Service, name: svc}]\n---\n", base));
	assert_cond(c, GW_K_HTTPROUTE, "infra", "r", "parents/g", "ResolvedRefs", "True",
		    "ResolvedRefs");
	fx_free(c);
}

/*
 * HTTPExternalAuthFilter.BackendRef is a BackendObjectReference: the same
 * rules as every backendRef (Service, existing port, ReferenceGrant across
 * namespaces), reported in the route's ResolvedRefs.
 */
#define EXTAUTH(ns, name, port)                                                              \
	"  rules:\n  - filters:\n    - type: ExternalAuth\n      externalAuth:\n"                \
	"        protocol: HTTP\n        http: {}\n"                                            \
	"        backendRef: {name: " name ", namespace: " ns ", port: " #port "}\n"

static void test_extauth_backend_refs(void **s)
{
	const char *base = FX_CLASS GW("g", L_HTTP) SVC("infra", "local", 9000)
		SVC("data", "auth", 9000)
		ROUTE("infra", "same", "{name: g}", EXTAUTH("infra", "local", 9000))
		ROUTE("infra", "missing", "{name: g}", EXTAUTH("infra", "nosuch", 9000))
		ROUTE("infra", "noport", "{name: g}", EXTAUTH("infra", "local", 9999))
		ROUTE("infra", "cross", "{name: g}", EXTAUTH("data", "auth", 9000));
	struct gw_config *c = fx_resolve(base);

	(void)s;
	assert_cond(c, GW_K_HTTPROUTE, "infra", "same", "parents/g", "ResolvedRefs", "True",
		    "ResolvedRefs");
	assert_cond(c, GW_K_HTTPROUTE, "infra", "missing", "parents/g", "ResolvedRefs", "False",
		    "BackendNotFound");
	assert_cond(c, GW_K_HTTPROUTE, "infra", "noport", "parents/g", "ResolvedRefs", "False",
		    "BackendNotFound");
	assert_cond(c, GW_K_HTTPROUTE, "infra", "cross", "parents/g", "ResolvedRefs", "False",
		    "RefNotPermitted");
	fx_free(c);
	c = fx_resolve(fx_printf("%s"
		"apiVersion: gateway.networking.k8s.io/v1beta1\nkind: ReferenceGrant\n"
		"metadata: {name: g1, namespace: data}\n"
		"spec:\n  from: [{group: gateway.networking.k8s.io, kind: HTTPRoute, namespace: infra}]\n"
		"  to: [{group: '', kind: Service, name: auth}]\n---\n", base));
	assert_cond(c, GW_K_HTTPROUTE, "infra", "cross", "parents/g", "ResolvedRefs", "True",
		    "ResolvedRefs");
	fx_free(c);
}

static void test_backend_unsupported_protocol(void **s)
{
	struct gw_config *c = fx_resolve(FX_CLASS GW("g", L_HTTP)
		"apiVersion: v1\nkind: Service\nmetadata: {name: svc, namespace: infra}\n"
		"spec: {ports: [{port: 6379, appProtocol: redis}]}\n---\n"
		ROUTE("infra", "r", "{name: g}", BACKEND("svc", 6379)));

	(void)s;
	assert_cond(c, GW_K_HTTPROUTE, "infra", "r", "parents/g", "ResolvedRefs", "False",
		    "UnsupportedProtocol");
	fx_free(c);
}

static void test_extension_ref_filter_unresolved(void **s)
{
	struct gw_config *c = fx_resolve(FX_CLASS GW("g", L_HTTP)
		ROUTE("infra", "r", "{name: g}",
		      "  rules: [{filters: [{type: ExtensionRef, extensionRef:"
		      " {group: example.com, kind: Auth, name: a}}]}]\n"));

	(void)s;
	assert_cond(c, GW_K_HTTPROUTE, "infra", "r", "parents/g", "ResolvedRefs", "False",
		    "InvalidKind");
	fx_free(c);
}

static void test_endpoints_ready_and_port_mapping(void **s)
{
	struct gw_config *c = fx_resolve(FX_CLASS GW("g", L_HTTP)
		"apiVersion: v1\nkind: Service\nmetadata: {name: svc, namespace: infra}\n"
		"spec: {ports: [{name: web, port: 80, targetPort: 8080}, {name: admin, port: 9000}]}\n---\n"
		"apiVersion: discovery.k8s.io/v1\nkind: EndpointSlice\n"
		"metadata: {name: s1, namespace: infra, labels: {kubernetes.io/service-name: svc}}\n"
		"addressType: IPv4\nports: [{name: web, port: 8080}, {name: admin, port: 9001}]\n"
		"endpoints:\n"
		"  - {addresses: [10.0.0.1], conditions: {ready: true}}\n"
		"  - {addresses: [10.0.0.2], conditions: {ready: false}}\n"
		"  - {addresses: [10.0.0.3]}\n---\n"
		"apiVersion: discovery.k8s.io/v1\nkind: EndpointSlice\n"
		"metadata: {name: s6, namespace: infra, labels: {kubernetes.io/service-name: svc}}\n"
		"addressType: IPv6\nports: [{name: web, port: 8443}]\n"
		"endpoints: [{addresses: ['fd00::5']}]\n---\n"
		ROUTE("infra", "r", "{name: g}", BACKEND("svc", 80)));
	struct gw_backend *b =
		&gw_config_find(c, GW_K_HTTPROUTE, "infra", "r")->u.route->rules[0].backends[0];

	(void)s;
	assert_int_equal(b->neps, 3);
	assert_string_equal(b->eps[0].addr, "10.0.0.1");
	assert_int_equal(b->eps[0].port, 8080);
	/* nil ready counts as ready */
	assert_string_equal(b->eps[1].addr, "10.0.0.3");
	assert_string_equal(b->eps[2].addr, "fd00::5");
	assert_int_equal(b->eps[2].port, 8443);
	assert_int_equal(b->weight, 1);
	fx_free(c);
}

/* ---- hostname intersection and selectors (pure rules) ----------------- */

static void test_hostname_intersection(void **s)
{
	bool any;

	(void)s;
	assert_string_equal(gw_hostname_intersect(NULL, "a.com", &any), "a.com");
	assert_string_equal(gw_hostname_intersect("a.com", NULL, &any), "a.com");
	assert_non_null(gw_hostname_intersect(NULL, NULL, &any));
	assert_true(any);
	assert_string_equal(gw_hostname_intersect("*.ex.com", "a.ex.com", &any), "a.ex.com");
	/* a wildcard matches one or more labels, never the bare suffix */
	assert_string_equal(gw_hostname_intersect("*.ex.com", "a.b.ex.com", &any), "a.b.ex.com");
	assert_null(gw_hostname_intersect("*.ex.com", "ex.com", &any));
	assert_null(gw_hostname_intersect("*.ex.com", "aex.com", &any));
	assert_string_equal(gw_hostname_intersect("a.ex.com", "*.ex.com", &any), "a.ex.com");
	assert_string_equal(gw_hostname_intersect("*.ex.com", "*.a.ex.com", &any), "*.a.ex.com");
	assert_string_equal(gw_hostname_intersect("*.a.ex.com", "*.ex.com", &any), "*.a.ex.com");
	assert_null(gw_hostname_intersect("*.ex.com", "*.ex.org", &any));
	assert_null(gw_hostname_intersect("a.com", "b.com", &any));
}

/* ---- ListenerSet ------------------------------------------------------ */

#define LSET(ns, name, listeners)                                                             \
	"apiVersion: gateway.networking.k8s.io/v1\nkind: ListenerSet\n"                       \
	"metadata: {name: " name ", namespace: " ns "}\n"                                     \
	"spec:\n  parentRef: {name: g, namespace: infra}\n  listeners:\n" listeners "---\n"

static void test_listenerset_not_allowed_by_default(void **s)
{
	struct gw_config *c = fx_resolve(FX_CLASS GW("g", L_HTTP)
		LSET("infra", "ls", "  - {name: extra, protocol: HTTP, port: 8080}\n"));

	(void)s;
	assert_cond(c, GW_K_LISTENERSET, "infra", "ls", "conditions", "Accepted", "False",
		    "NotAllowed");
	fx_free(c);
}

/*
 * A route naming a ListenerSet its Gateway does not allow (conformance
 * ListenerSetDefaultNotAllowed plus such a route): the set has no parent
 * Gateway, so the route's parentRef is not accepted; this used to
 * dereference the missing parent. The Gateway parentRef attaches as usual.
 */
static void test_listenerset_not_allowed_route_parent(void **s)
{
	struct gw_config *c = fx_resolve(FX_CLASS GW("g", L_HTTP_ALL)
		LSET("infra", "ls", "  - {name: extra, protocol: HTTP, port: 8080}\n")
		ROUTE("infra", "r", "{name: g}, {kind: ListenerSet, name: ls}", ""));

	(void)s;
	assert_cond(c, GW_K_LISTENERSET, "infra", "ls", "conditions", "Accepted", "False",
		    "NotAllowed");
	assert_cond(c, GW_K_HTTPROUTE, "infra", "r", "parents/ls", "Accepted", "False",
		    "NotAllowedByListeners");
	assert_cond(c, GW_K_HTTPROUTE, "infra", "r", "parents/g", "Accepted", "True", "Accepted");
	fx_free(c);
}

static void test_listenerset_attached_and_conflict(void **s)
{
	struct gw_config *c = fx_resolve(FX_CLASS
		"apiVersion: gateway.networking.k8s.io/v1\nkind: Gateway\n"
		"metadata: {name: g, namespace: infra}\n"
		"spec:\n  gatewayClassName: gc\n  allowedListeners: {namespaces: {from: All}}\n"
		"  listeners:\n" L_HTTP "---\n"
		LSET("team", "ls", "  - {name: extra, protocol: HTTP, port: 8080}\n"
				   "  - {name: clash, protocol: TCP, port: 80}\n")
		ROUTE("team", "r", "{kind: ListenerSet, name: ls, sectionName: extra}", ""));

	(void)s;
	assert_cond(c, GW_K_LISTENERSET, "team", "ls", "conditions", "Accepted", "True",
		    "ListenersNotValid");
	assert_cond(c, GW_K_LISTENERSET, "team", "ls", "listeners/clash", "Conflicted", "True",
		    "ProtocolConflict");
	/* conformance ListenerSetProtocolConflict: the same reason on all three */
	assert_cond(c, GW_K_LISTENERSET, "team", "ls", "listeners/clash", "Accepted", "False",
		    "ProtocolConflict");
	assert_cond(c, GW_K_LISTENERSET, "team", "ls", "listeners/clash", "Programmed", "False",
		    "ProtocolConflict");
	/* the Gateway's own listener keeps precedence */
	assert_cond(c, GW_K_GATEWAY, "infra", "g", "listeners/http", "Conflicted", "False",
		    "NoConflicts");
	assert_cond(c, GW_K_HTTPROUTE, "team", "r", "parents/ls/extra", "Accepted", "True",
		    "Accepted");
	assert_int_equal(gw_ygetint(gw_config_find(c, GW_K_GATEWAY, "infra", "g")->status,
				    "attachedListenerSets", -1), 1);
	fx_free(c);
}

/* conformance ListenerSetHostnameConflict: no valid listener, ListenersNotValid twice */
static void test_listenerset_all_listeners_conflicted(void **s)
{
	struct gw_config *c = fx_resolve(FX_CLASS
		"apiVersion: gateway.networking.k8s.io/v1\nkind: Gateway\n"
		"metadata: {name: g, namespace: infra}\n"
		"spec:\n  gatewayClassName: gc\n  allowedListeners: {namespaces: {from: All}}\n"
		"  listeners:\n" L_HTTP "---\n"
		LSET("team", "ls", "  - {name: dup, protocol: HTTP, port: 80}\n"));

	(void)s;
	assert_cond(c, GW_K_LISTENERSET, "team", "ls", "conditions", "Accepted", "False",
		    "ListenersNotValid");
	assert_cond(c, GW_K_LISTENERSET, "team", "ls", "conditions", "Programmed", "False",
		    "ListenersNotValid");
	assert_cond(c, GW_K_LISTENERSET, "team", "ls", "listeners/dup", "Accepted", "False",
		    "HostnameConflict");
	assert_cond(c, GW_K_LISTENERSET, "team", "ls", "listeners/dup", "Programmed", "False",
		    "HostnameConflict");
	assert_cond(c, GW_K_LISTENERSET, "team", "ls", "listeners/dup", "Conflicted", "True",
		    "HostnameConflict");
	fx_free(c);
}

/* ---- BackendTLSPolicy ------------------------------------------------- */

static void test_backend_tls_policy(void **s)
{
	const char *base = FX_CLASS GW("g", L_HTTP) SVC("infra", "svc", 443)
		ROUTE("infra", "r", "{name: g}", BACKEND("svc", 443))
		"apiVersion: gateway.networking.k8s.io/v1\nkind: BackendTLSPolicy\n"
		"metadata: {name: p, namespace: infra}\n"
		"spec:\n  targetRefs: [{group: '', kind: Service, name: svc}]\n"
		"  validation: {caCertificateRefs: [{group: '', kind: ConfigMap, name: ca}],"
		" hostname: svc.example.com}\n---\n";
	struct gw_config *c = fx_resolve(fx_printf("%s%s", base, fx_ca_configmap("infra", "ca")));

	(void)s;
	assert_cond(c, GW_K_BACKENDTLSPOLICY, "infra", "p", "ancestors/g", "Accepted", "True",
		    "Accepted");
	fx_free(c);
	c = fx_resolve(base);
	assert_cond(c, GW_K_BACKENDTLSPOLICY, "infra", "p", "ancestors/g", "ResolvedRefs", "False",
		    "InvalidCACertificateRef");
	fx_free(c);
}

#define BTLS(name, created, target)                                                          \
	"apiVersion: gateway.networking.k8s.io/v1\nkind: BackendTLSPolicy\n"                  \
	"metadata: {name: " name ", namespace: infra, creationTimestamp: '" created "'}\n"    \
	"spec:\n  targetRefs: [{group: '', kind: Service, name: svc" target "}]\n"           \
	"  validation: {wellKnownCACertificates: System, hostname: " name ".example.com}\n---\n"

static const struct gw_obj *backend_policy(const struct gw_config *c)
{
	const struct gw_route *r = gw_config_find(c, GW_K_HTTPROUTE, "infra", "r")->u.route;

	return r->rules[0].backends[0].tls_policy;
}

/* "the older policy by creation timestamp takes precedence", then by name; losers Conflicted */
static void test_backend_tls_policy_precedence(void **s)
{
	struct gw_config *c = fx_resolve(FX_CLASS GW("g", L_HTTP) SVC("infra", "svc", 443)
		ROUTE("infra", "r", "{name: g}", BACKEND("svc", 443))
		BTLS("young", "2026-01-02T00:00:00Z", "") BTLS("old", "2026-01-01T00:00:00Z", ""));

	(void)s;
	assert_cond(c, GW_K_BACKENDTLSPOLICY, "infra", "old", "ancestors/g", "Accepted", "True",
		    "Accepted");
	assert_cond(c, GW_K_BACKENDTLSPOLICY, "infra", "young", "ancestors/g", "Accepted",
		    "False", "Conflicted");
	assert_string_equal(backend_policy(c)->name, "old");
	fx_free(c);
	/* same age: alphabetical order by name */
	c = fx_resolve(FX_CLASS GW("g", L_HTTP) SVC("infra", "svc", 443)
		ROUTE("infra", "r", "{name: g}", BACKEND("svc", 443))
		BTLS("b", "2026-01-01T00:00:00Z", "") BTLS("a", "2026-01-01T00:00:00Z", ""));
	assert_cond(c, GW_K_BACKENDTLSPOLICY, "infra", "a", "ancestors/g", "Accepted", "True",
		    "Accepted");
	assert_cond(c, GW_K_BACKENDTLSPOLICY, "infra", "b", "ancestors/g", "Accepted", "False",
		    "Conflicted");
	assert_string_equal(backend_policy(c)->name, "a");
	fx_free(c);
}

/* sectionName names a Service port: more specific than the whole Service, no conflict */
static void test_backend_tls_policy_section_name(void **s)
{
	struct gw_config *c = fx_resolve(FX_CLASS GW("g", L_HTTP) SVC("infra", "svc", 443)
		ROUTE("infra", "r", "{name: g}", BACKEND("svc", 443))
		BTLS("whole", "2026-01-01T00:00:00Z", "")
		BTLS("port", "2026-01-02T00:00:00Z", ", sectionName: http"));

	(void)s;
	assert_cond(c, GW_K_BACKENDTLSPOLICY, "infra", "whole", "ancestors/g", "Accepted", "True",
		    "Accepted");
	assert_cond(c, GW_K_BACKENDTLSPOLICY, "infra", "port", "ancestors/g", "Accepted", "True",
		    "Accepted");
	assert_string_equal(backend_policy(c)->name, "port");
	fx_free(c);
	/* a policy for another port does not apply; without any policy: plaintext */
	c = fx_resolve(FX_CLASS GW("g", L_HTTP) SVC("infra", "svc", 443)
		ROUTE("infra", "r", "{name: g}", BACKEND("svc", 443))
		BTLS("other", "2026-01-01T00:00:00Z", ", sectionName: admin"));
	assert_null(backend_policy(c));
	fx_free(c);
}

/* appProtocol https (GEP-1911) is spoken when a policy says how to verify the backend */
static void test_https_app_protocol_needs_policy(void **s)
{
	const char *svc = "apiVersion: v1\nkind: Service\nmetadata: {name: svc, namespace: infra}\n"
			  "spec: {ports: [{name: http, port: 443, appProtocol: https}]}\n---\n";
	struct gw_config *c = fx_resolve(fx_printf(FX_CLASS GW("g", L_HTTP) "%s"
		ROUTE("infra", "r", "{name: g}", BACKEND("svc", 443)), svc));
	const struct gw_route *r = gw_config_find(c, GW_K_HTTPROUTE, "infra", "r")->u.route;

	(void)s;
	assert_non_null(r->rules[0].backends[0].reason);
	assert_string_equal(r->rules[0].backends[0].reason, "UnsupportedProtocol");
	assert_non_null(strstr(r->rules[0].backends[0].message, "BackendTLSPolicy"));
	fx_free(c);
	c = fx_resolve(fx_printf(FX_CLASS GW("g", L_HTTP) "%s"
		ROUTE("infra", "r", "{name: g}", BACKEND("svc", 443))
		BTLS("p", "2026-01-01T00:00:00Z", ""), svc));
	r = gw_config_find(c, GW_K_HTTPROUTE, "infra", "r")->u.route;
	assert_null(r->rules[0].backends[0].reason);
	assert_string_equal(backend_policy(c)->name, "p");
	assert_cond(c, GW_K_HTTPROUTE, "infra", "r", "parents/g", "ResolvedRefs", "True",
		    "ResolvedRefs");
	fx_free(c);
}

#define GW_CLIENT_CERT(ref)                                                                  \
	"apiVersion: gateway.networking.k8s.io/v1\nkind: Gateway\n"                           \
	"metadata: {name: g, namespace: infra}\n"                                             \
	"spec:\n  gatewayClassName: gc\n  listeners:\n" L_HTTP                                 \
	"  tls: {backend: {clientCertificateRef: " ref "}}\n---\n"

/* GatewayBackendTLS.clientCertificateRef: ResolvedRefs on the Gateway */
static void test_gateway_client_certificate(void **s)
{
	const char *secret = fx_tls_secret("certs", "client", "gw.example.com", false);
	struct gw_config *c = fx_resolve(fx_printf(FX_CLASS "%s" GW_CLIENT_CERT(
		"{name: client, namespace: certs}")
		"apiVersion: gateway.networking.k8s.io/v1beta1\nkind: ReferenceGrant\n"
		"metadata: {name: allow, namespace: certs}\n"
		"spec:\n  from: [{group: gateway.networking.k8s.io, kind: Gateway, namespace: infra}]\n"
		"  to: [{group: '', kind: Secret}]\n---\n", secret));
	const struct gw_gateway *gw = gw_config_find(c, GW_K_GATEWAY, "infra", "g")->u.gw;

	(void)s;
	assert_cond(c, GW_K_GATEWAY, "infra", "g", "conditions", "ResolvedRefs", "True",
		    "ResolvedRefs");
	assert_non_null(gw->client_cert);
	assert_non_null(strstr(gw->client_cert->key_pem, "PRIVATE KEY"));
	fx_free(c);
	c = fx_resolve(fx_printf(FX_CLASS "%s" GW_CLIENT_CERT("{name: client, namespace: certs}"),
				 secret));
	assert_cond(c, GW_K_GATEWAY, "infra", "g", "conditions", "ResolvedRefs", "False",
		    "RefNotPermitted");
	assert_null(gw_config_find(c, GW_K_GATEWAY, "infra", "g")->u.gw->client_cert);
	fx_free(c);
	c = fx_resolve(FX_CLASS GW_CLIENT_CERT("{name: nope}"));
	assert_cond(c, GW_K_GATEWAY, "infra", "g", "conditions", "ResolvedRefs", "False",
		    "InvalidClientCertificateRef");
	assert_cond(c, GW_K_GATEWAY, "infra", "g", "conditions", "Accepted", "True", "Accepted");
	fx_free(c);
}

/* ---- generations and transition times --------------------------------- */

static void test_stamp_generation_and_transition_time(void **s)
{
	const char *v1 = FX_CLASS GW("g", L_HTTP);
	const char *v2 = FX_CLASS GW("g", L_HTTP "  - {name: b, protocol: HTTP, port: 81}\n");
	struct gw_config *a = fx_load(v1), *b, *d;
	struct gw_obj *g;

	(void)s;
	assert_int_equal(gw_config_stamp(a, NULL, "2026-01-01T00:00:00Z"), 0);
	a->now = "2026-01-01T00:00:00Z";
	assert_int_equal(gw_config_resolve(a, NULL), 0);
	/* same spec again: generation and transition times stay */
	b = fx_load(v1);
	b->now = "2026-02-01T00:00:00Z";
	assert_int_equal(gw_config_stamp(b, a, b->now), 0);
	assert_int_equal(gw_config_resolve(b, a), 0);
	g = gw_config_find(b, GW_K_GATEWAY, "infra", "g");
	assert_int_equal(g->generation, 1);
	assert_string_equal(g->created, "2026-01-01T00:00:00Z");
	assert_string_equal(gw_ygetstr(fx_cond(b, GW_K_GATEWAY, "infra", "g", "conditions",
					       "Accepted"), "lastTransitionTime", ""),
			    "2026-01-01T00:00:00Z");
	/* changed spec: generation 2, observedGeneration follows */
	d = fx_load(v2);
	d->now = "2026-03-01T00:00:00Z";
	assert_int_equal(gw_config_stamp(d, b, d->now), 0);
	assert_int_equal(gw_config_resolve(d, b), 0);
	g = gw_config_find(d, GW_K_GATEWAY, "infra", "g");
	assert_int_equal(g->generation, 2);
	assert_int_equal(gw_ygetint(fx_cond(d, GW_K_GATEWAY, "infra", "g", "conditions",
					    "Accepted"), "observedGeneration", 0), 2);
	fx_free(a);
	fx_free(b);
	fx_free(d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_class_accepted),
		cmocka_unit_test(test_class_invalid_parameters),
		cmocka_unit_test(test_other_controller_left_pending),
		cmocka_unit_test(test_gateway_accepted_not_programmed_without_dataplane),
		cmocka_unit_test(test_gateway_programmed_with_dataplane),
		cmocka_unit_test(test_gateway_unsupported_address),
		cmocka_unit_test(test_gateway_ip_address_in_status),
		cmocka_unit_test(test_gateway_without_addresses_lists_the_nodes),
		cmocka_unit_test(test_gateway_address_without_value_is_assigned),
		cmocka_unit_test(test_gateway_address_not_usable),
		cmocka_unit_test(test_gateway_vip_usable_only_through_xdp),
		cmocka_unit_test(test_gateway_infrastructure_parameters_ref),
		cmocka_unit_test(test_listener_unsupported_protocol),
		cmocka_unit_test(test_all_listeners_invalid_gateway_not_accepted),
		cmocka_unit_test(test_listener_protocol_conflict),
		cmocka_unit_test(test_listener_hostname_conflict_https_tls),
		cmocka_unit_test(test_port_unavailable_across_gateways),
		cmocka_unit_test(test_port_shared_on_distinct_addresses),
		cmocka_unit_test(test_invalid_route_kinds),
		cmocka_unit_test(test_certificate_valid),
		cmocka_unit_test(test_certificate_missing),
		cmocka_unit_test(test_certificate_key_mismatch),
		cmocka_unit_test(test_certificate_wrong_type_and_garbage),
		cmocka_unit_test(test_certificate_cross_namespace_needs_grant),
		cmocka_unit_test(test_overlapping_tls_hostnames),
		cmocka_unit_test(test_route_accepted_and_counted),
		cmocka_unit_test(test_route_other_namespace_not_allowed_by_same),
		cmocka_unit_test(test_route_namespace_selector),
		cmocka_unit_test(test_route_selector_by_metadata_name),
		cmocka_unit_test(test_route_kind_not_allowed),
		cmocka_unit_test(test_route_no_matching_hostname),
		cmocka_unit_test(test_route_no_matching_parent),
		cmocka_unit_test(test_route_missing_gateway_no_status),
		cmocka_unit_test(test_http_grpc_hostname_conflict),
		cmocka_unit_test(test_unserved_kinds_not_supported),
		cmocka_unit_test(test_backend_not_found),
		cmocka_unit_test(test_backend_invalid_kind),
		cmocka_unit_test(test_backend_cross_namespace_grant),
		cmocka_unit_test(test_backend_unsupported_protocol),
		cmocka_unit_test(test_extauth_backend_refs),
		cmocka_unit_test(test_extension_ref_filter_unresolved),
		cmocka_unit_test(test_endpoints_ready_and_port_mapping),
		cmocka_unit_test(test_hostname_intersection),
		cmocka_unit_test(test_listenerset_not_allowed_by_default),
		cmocka_unit_test(test_listenerset_not_allowed_route_parent),
		cmocka_unit_test(test_listenerset_attached_and_conflict),
		cmocka_unit_test(test_listenerset_all_listeners_conflicted),
		cmocka_unit_test(test_backend_tls_policy),
		cmocka_unit_test(test_backend_tls_policy_precedence),
		cmocka_unit_test(test_backend_tls_policy_section_name),
		cmocka_unit_test(test_https_app_protocol_needs_policy),
		cmocka_unit_test(test_gateway_client_certificate),
		cmocka_unit_test(test_stamp_generation_and_transition_time),
	};

	return cmocka_run_group_tests_name("config/resolve", tests, NULL, NULL);
}
