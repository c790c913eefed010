// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Resolved configuration -> XDP model (loader/xdp/compile.c): Gateway
 * addresses, listener actions, per-family routes, endpoint weights, the
 * reject share of unusable backendRefs, and what is left out.
 */
#include <arpa/inet.h>
#include <string.h>

#include "lib/fixture.h"
#include "loader/xdp/compile.c"
#include "loader/xdp/maglev.c"

#define GW_L4(addrs, listeners, annotations)                                                 \
	"apiVersion: gateway.networking.k8s.io/v1\nkind: Gateway\n"                           \
	"metadata: {name: g, namespace: infra" annotations "}\n"                              \
	"spec:\n  gatewayClassName: gc\n" addrs "  listeners:\n" listeners "---\n"

#define ADDRS "  addresses: [{type: IPAddress, value: 192.0.2.1}, " \
	      "{type: IPAddress, value: \"2001:db8::1\"}]\n"

#define L_TCP "  - {name: tcp, protocol: TCP, port: 8080}\n"
#define L_UDP "  - {name: udp, protocol: UDP, port: 53}\n"
#define L_HTTP "  - {name: http, protocol: HTTP, port: 80}\n"

#define SVC(name, port, proto)                                                               \
	"apiVersion: v1\nkind: Service\nmetadata: {name: " name ", namespace: infra}\n"       \
	"spec: {ports: [{name: p, port: " #port ", protocol: " proto "}]}\n---\n"

#define SLICE(svc, n, type, port, proto, addrs)                                              \
	"apiVersion: discovery.k8s.io/v1\nkind: EndpointSlice\n"                              \
	"metadata: {name: " svc "-" n ", namespace: infra, "                                  \
	"labels: {kubernetes.io/service-name: " svc "}}\n"                                    \
	"addressType: " type "\nports: [{name: p, port: " #port ", protocol: " proto "}]\n"  \
	"endpoints: [{addresses: " addrs "}]\n---\n"

#define TCPROUTE(name, section, refs)                                                        \
	"apiVersion: gateway.networking.k8s.io/v1\nkind: TCPRoute\n"                          \
	"metadata: {name: " name ", namespace: infra}\n"                                      \
	"spec:\n  parentRefs: [{name: g, sectionName: " section "}]\n"                        \
	"  rules: [{backendRefs: [" refs "]}]\n---\n"

static struct gw_xdp_model model;

static struct gw_config *compile_yaml(const char *yaml, const struct gw_xdp_iface *ifs,
				      size_t nifs)
{
	struct gw_config *c = fx_resolve(yaml);

	gw_xdp_model_free(&model);
	assert_int_equal(gw_xdp_compile(c, ifs, nifs, &model), 0);
	return c;
}

static const struct gw_xdp_listener *listener(const char *name)
{
	for (size_t i = 0; i < model.nlisteners; i++)
		if (!strcmp(model.listeners[i].name, name))
			return &model.listeners[i];
	fail_msg("no listener %s in the model", name);
	return NULL;
}

static const struct gw_xdp_route *route(const char *name)
{
	for (size_t i = 0; i < model.nroutes; i++)
		if (!strcmp(model.routes[i].name, name))
			return &model.routes[i];
	fail_msg("no route %s in the model", name);
	return NULL;
}

static const struct gw_xdp_ep *ep(const struct gw_xdp_route *r, const char *key)
{
	for (size_t i = 0; i < r->neps; i++)
		if (!strcmp(r->eps[i].key, key))
			return &r->eps[i];
	fail_msg("no endpoint %s in %s", key, r->name);
	return NULL;
}

static size_t slots_of(const struct gw_xdp_route *r, const char *key)
{
	size_t n = 0;

	for (uint32_t s = 0; s < r->size; s++)
		n += !strcmp(r->eps[r->table[s]].key, key);
	return n;
}

static void test_listener_actions_and_addresses(void **state)
{
	struct gw_config *c = compile_yaml(
		FX_CLASS GW_L4(ADDRS, L_TCP L_UDP L_HTTP, "")
		SVC("a", 8080, "TCP") SLICE("a", "1", "IPv4", 8080, "TCP", "[10.0.0.1]")
		TCPROUTE("r", "tcp", "{name: a, port: 8080}"), NULL, 0);
	char buf[64];

	(void)state;
	assert_int_equal(model.ngateways, 1);
	assert_string_equal(model.gateways[0].name, "infra/g");
	assert_int_equal(model.gateways[0].naddrs, 2);
	assert_string_equal(gw_xdp_addr_str(&model.gateways[0].addrs[0], model.gateways[0].fams[0],
					    buf, sizeof(buf)), "192.0.2.1");
	assert_int_equal(model.gateways[1 - 1].fams[1], GW_FAM_V6);
	assert_int_equal(model.nlisteners, 3);
	assert_int_equal(model.nl4, 2);
	/* TCP with a route steers; UDP without one refuses; HTTP goes up to gwd */
	assert_int_equal(listener("infra/g/tcp")->action, GW_ACT_STEER);
	assert_int_equal(listener("infra/g/tcp")->proto, IPPROTO_TCP);
	assert_int_equal(listener("infra/g/tcp")->port, 8080);
	assert_int_equal(listener("infra/g/udp")->action, GW_ACT_REJECT);
	assert_int_equal(listener("infra/g/udp")->proto, IPPROTO_UDP);
	assert_int_equal(listener("infra/g/http")->action, GW_ACT_PASS);
	assert_int_equal(listener("infra/g/http")->proto, IPPROTO_TCP);
	/* one route per address family the Gateway has */
	assert_int_equal(listener("infra/g/tcp")->route4 >= 0, 1);
	assert_int_equal(listener("infra/g/tcp")->route6 >= 0, 1);
	assert_int_equal(model.nroutes, 2);
	/* the IPv6 route has no IPv6 endpoint: no table, it refuses */
	assert_null(route("TCPRoute infra/r IPv6")->table);
	assert_non_null(route("TCPRoute infra/r IPv4")->table);
	assert_int_equal(route("TCPRoute infra/r IPv4")->neps, 1);
	assert_string_equal(route("TCPRoute infra/r IPv4")->eps[0].key, "10.0.0.1:8080");
	fx_free(c);
}

static void test_weights_split_over_endpoints(void **state)
{
	struct gw_config *c = compile_yaml(
		FX_CLASS GW_L4(ADDRS, L_TCP, "")
		SVC("a", 8080, "TCP") SLICE("a", "1", "IPv4", 8080, "TCP", "[10.0.0.1, 10.0.0.2]")
		SVC("b", 8080, "TCP") SLICE("b", "1", "IPv4", 8080, "TCP", "[10.0.1.1]")
		SLICE("b", "6", "IPv6", 8080, "TCP", "[\"2001:db8:1::1\"]")
		TCPROUTE("r", "tcp", "{name: a, port: 8080, weight: 60}, "
				     "{name: b, port: 8080, weight: 40}"), NULL, 0);
	const struct gw_xdp_route *r4, *r6;

	(void)state;
	r4 = route("TCPRoute infra/r IPv4");
	/* a's 60 over two endpoints, b's 40 on one */
	assert_true(ep(r4, "10.0.0.1:8080")->weight == ep(r4, "10.0.0.2:8080")->weight);
	assert_true(ep(r4, "10.0.0.1:8080")->weight * 4 == ep(r4, "10.0.1.1:8080")->weight * 3);
	assert_true(slots_of(r4, "10.0.1.1:8080") * 100 / r4->size >= 39);
	assert_true(slots_of(r4, "10.0.1.1:8080") * 100 / r4->size <= 41);
	/* IPv6: only b has endpoints, a's share is refused rather than given to b */
	r6 = route("TCPRoute infra/r IPv6");
	assert_int_equal(r6->neps, 2);
	assert_true(ep(r6, "reject")->reject);
	assert_true(ep(r6, "[2001:db8:1::1]:8080")->family == GW_FAM_V6);
	assert_true(slots_of(r6, "reject") * 100 / r6->size >= 59);
	assert_true(slots_of(r6, "reject") * 100 / r6->size <= 61);
	fx_free(c);
}

static void test_unresolved_backend_share_is_refused(void **state)
{
	struct gw_config *c = compile_yaml(
		FX_CLASS GW_L4("  addresses: [{type: IPAddress, value: 192.0.2.1}]\n", L_TCP, "")
		SVC("a", 8080, "TCP") SLICE("a", "1", "IPv4", 8080, "TCP", "[10.0.0.1]")
		TCPROUTE("r", "tcp", "{name: a, port: 8080, weight: 1}, "
				     "{name: missing, port: 8080, weight: 3}"), NULL, 0);
	const struct gw_xdp_route *r = route("TCPRoute infra/r IPv4");

	(void)state;
	assert_int_equal(r->neps, 2);
	/* three quarters of new connections are refused, as for an invalid backendRef */
	assert_true(slots_of(r, "reject") * 100 / r->size >= 74);
	assert_true(slots_of(r, "reject") * 100 / r->size <= 76);
	assert_int_equal(ep(r, "reject")->port, 0);
	fx_free(c);
}

static void test_zero_weights_and_no_endpoints(void **state)
{
	struct gw_config *c = compile_yaml(
		FX_CLASS GW_L4("  addresses: [{type: IPAddress, value: 192.0.2.1}]\n", L_TCP L_UDP, "")
		SVC("a", 8080, "TCP") SLICE("a", "1", "IPv4", 8080, "TCP", "[10.0.0.1]")
		SVC("u", 53, "UDP")
		TCPROUTE("r", "tcp", "{name: a, port: 8080, weight: 0}")
		"apiVersion: gateway.networking.k8s.io/v1\nkind: UDPRoute\n"
		"metadata: {name: u, namespace: infra}\n"
		"spec:\n  parentRefs: [{name: g, sectionName: udp}]\n"
		"  rules: [{backendRefs: [{name: u, port: 53}]}]\n---\n", NULL, 0);

	(void)state;
	/* weight 0 everywhere, and a Service without endpoints: both refuse every flow */
	assert_null(route("TCPRoute infra/r IPv4")->table);
	assert_int_equal(route("TCPRoute infra/r IPv4")->neps, 0);
	assert_null(route("UDPRoute infra/u IPv4")->table);
	assert_int_equal(listener("infra/g/udp")->action, GW_ACT_STEER);
	fx_free(c);
}

static void test_interface_addresses_when_no_spec_addresses(void **state)
{
	struct gw_xdp_iface ifs[2] = { { .name = "eth0", .ifindex = 2, .naddrs = 2 },
				       { .name = "eth1", .ifindex = 3, .naddrs = 1 } };
	struct gw_config *c;

	(void)state;
	inet_pton(AF_INET, "198.51.100.7", &ifs[0].addrs[0].v4);
	ifs[0].fams[0] = GW_FAM_V4;
	inet_pton(AF_INET6, "2001:db8::7", ifs[0].addrs[1].v6);
	ifs[0].fams[1] = GW_FAM_V6;
	/* the same address on two interfaces counts once */
	ifs[1].addrs[0] = ifs[0].addrs[0];
	ifs[1].fams[0] = GW_FAM_V4;
	c = compile_yaml(FX_CLASS GW_L4("", L_HTTP, ""), ifs, 2);
	assert_int_equal(model.gateways[0].naddrs, 2);
	assert_true(gw_xdp_model_has(&model, model.listeners[0].src));
	fx_free(c);
	/* without interfaces and spec.addresses the Gateway has no address: not programmed */
	c = compile_yaml(FX_CLASS GW_L4("", L_HTTP, ""), NULL, 0);
	assert_int_equal(model.gateways[0].naddrs, 0);
	assert_false(gw_xdp_model_has(&model, model.listeners[0].src));
	fx_free(c);
}

static void test_nat_annotation(void **state)
{
	struct gw_config *c = compile_yaml(
		FX_CLASS GW_L4(ADDRS, L_HTTP, ", annotations: {xdpgw.io/l4-nat: snat}"), NULL, 0);

	(void)state;
	assert_true(model.gateways[0].snat);
	fx_free(c);
	c = compile_yaml(FX_CLASS GW_L4(ADDRS, L_HTTP, ""), NULL, 0);
	assert_false(model.gateways[0].snat);
	fx_free(c);
	/* anything but dnat/snat is an error, not a silent default */
	c = fx_resolve(FX_CLASS GW_L4(ADDRS, L_HTTP, ", annotations: {xdpgw.io/l4-nat: masq}"));
	gw_xdp_model_free(&model);
	assert_int_equal(gw_xdp_compile(c, NULL, 0, &model), -EINVAL);
	fx_free(c);
}

static void test_invalid_and_foreign_listeners_left_out(void **state)
{
	struct gw_config *c = compile_yaml(
		FX_CLASS
		/* TCP and HTTP on one port: both conflicted, neither programmed */
		GW_L4(ADDRS, "  - {name: x, protocol: TCP, port: 80}\n" L_HTTP L_UDP, "")
		"apiVersion: gateway.networking.k8s.io/v1\nkind: Gateway\n"
		"metadata: {name: other, namespace: infra}\n"
		"spec:\n  gatewayClassName: not-ours\n  listeners:\n" L_TCP "---\n", NULL, 0);

	(void)state;
	assert_int_equal(model.ngateways, 1);
	assert_int_equal(model.nlisteners, 1);
	assert_string_equal(model.listeners[0].name, "infra/g/udp");
	fx_free(c);
}

static void test_shared_route_compiled_once(void **state)
{
	struct gw_config *c = compile_yaml(
		FX_CLASS GW_L4("  addresses: [{type: IPAddress, value: 192.0.2.1}]\n",
			       L_TCP "  - {name: tcp2, protocol: TCP, port: 8081}\n", "")
		SVC("a", 8080, "TCP") SLICE("a", "1", "IPv4", 8080, "TCP", "[10.0.0.1, 10.0.0.2]")
		"apiVersion: gateway.networking.k8s.io/v1\nkind: TCPRoute\n"
		"metadata: {name: r, namespace: infra}\n"
		"spec:\n  parentRefs: [{name: g}]\n"
		"  rules: [{backendRefs: [{name: a, port: 8080}]}]\n---\n", NULL, 0);
	const struct gw_xdp_listener *a = listener("infra/g/tcp"), *b = listener("infra/g/tcp2");
	struct gw_xdp_model first;

	(void)state;
	assert_int_equal(model.nroutes, 1);
	assert_int_equal(a->route4, b->route4);
	/* the same input compiles to the same tables */
	first = model;
	memset(&model, 0, sizeof(model));
	assert_int_equal(gw_xdp_compile(c, NULL, 0, &model), 0);
	assert_int_equal(first.routes[0].size, model.routes[0].size);
	assert_memory_equal(first.routes[0].table, model.routes[0].table,
			    model.routes[0].size * sizeof(uint32_t));
	gw_xdp_model_free(&first);
	fx_free(c);
}

static int teardown(void **state)
{
	(void)state;
	gw_xdp_model_free(&model);
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_listener_actions_and_addresses, teardown),
		cmocka_unit_test_teardown(test_weights_split_over_endpoints, teardown),
		cmocka_unit_test_teardown(test_unresolved_backend_share_is_refused, teardown),
		cmocka_unit_test_teardown(test_zero_weights_and_no_endpoints, teardown),
		cmocka_unit_test_teardown(test_interface_addresses_when_no_spec_addresses, teardown),
		cmocka_unit_test_teardown(test_nat_annotation, teardown),
		cmocka_unit_test_teardown(test_invalid_and_foreign_listeners_left_out, teardown),
		cmocka_unit_test_teardown(test_shared_route_compiled_once, teardown),
	};

	return cmocka_run_group_tests_name("xdp/compile", tests, NULL, NULL);
}
