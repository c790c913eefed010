// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * gwd's route table for TCP/UDP listeners (user/core/router.c, l4route.c):
 * the listeners the XDP tier serves (cfg->xdp_listeners, from the state
 * header gwctl writes) are left to it; the others get a port of their own
 * (UDP apart from TCP on the same number) and the route's Maglev tables,
 * slot for slot the ones the XDP tier builds (gw_l4_route_compile()), with
 * the share of an unusable backendRef as "reject".
 */
#include <arpa/inet.h>
#include <string.h>

#include "lib/fixture.h"
#include "gw/router.h"
#define gw_stat gw_kern_stat
#include "loader/xdp/maglev.h"
#undef gw_stat

#define EPS(name, port, proto, a, b)                                                         \
	"apiVersion: v1\nkind: Service\nmetadata: {name: " name ", namespace: default}\n"     \
	"spec: {ports: [{name: p, port: " port ", protocol: " proto "}]}\n---\n"               \
	"apiVersion: discovery.k8s.io/v1\nkind: EndpointSlice\n"                              \
	"metadata: {name: " name "-a, namespace: default, labels: "                           \
	"{kubernetes.io/service-name: " name "}}\n"                                           \
	"addressType: IPv4\nports: [{name: p, port: " port ", protocol: " proto "}]\n"        \
	"endpoints: [{addresses: [\"" a "\", \"" b "\"], conditions: {ready: true}}]\n---\n"

#define CONFIG                                                                               \
	FX_CLASS "apiVersion: gateway.networking.k8s.io/v1\nkind: Gateway\n"                  \
		 "metadata: {name: gw, namespace: default}\n"                                 \
		 "spec:\n  gatewayClassName: gc\n  listeners:\n"                              \
		 "  - {name: tcp, protocol: TCP, port: 9000}\n"                               \
		 "  - {name: udp, protocol: UDP, port: 9000}\n"                               \
		 "  - {name: http, protocol: HTTP, port: 80}\n---\n"                          \
	EPS("a", "7000", "TCP", "10.0.0.1", "10.0.0.2")                                       \
	EPS("b", "7001", "TCP", "10.0.1.1", "10.0.1.2")                                       \
	EPS("u", "7002", "UDP", "10.0.2.1", "10.0.2.2")                                       \
		 "apiVersion: gateway.networking.k8s.io/v1alpha2\nkind: TCPRoute\n"           \
		 "metadata: {name: t, namespace: default}\n"                                  \
		 "spec:\n  parentRefs: [{name: gw, sectionName: tcp}]\n  rules:\n"            \
		 "  - backendRefs: [{name: a, port: 7000, weight: 3}, {name: b, port: 7001},"  \
		 " {name: missing, port: 1, weight: 2}]\n---\n"                               \
		 "apiVersion: gateway.networking.k8s.io/v1alpha2\nkind: UDPRoute\n"           \
		 "metadata: {name: u, namespace: default}\n"                                  \
		 "spec:\n  parentRefs: [{name: gw, sectionName: udp}]\n  rules:\n"            \
		 "  - backendRefs: [{name: u, port: 7002}]\n---\n"

static const struct gw_rt_port *port(const struct gw_rt_table *t, int num, bool udp)
{
	for (int i = 0; i < t->nports; i++)
		if (t->ports[i].port == num && t->ports[i].udp == udp)
			return &t->ports[i];
	return NULL;
}

/* The table gwd built for the listener's route equals the XDP tier's, slot by slot. */
static void assert_same_as_xdp(const struct gw_rt_tlsroute *tr)
{
	struct gw_xdp_route xr = { 0 };

	assert_int_equal(gw_l4_route_compile(tr->r, GW_FAM_V4, &xr), 0);
	assert_non_null(xr.table);
	assert_int_equal(tr->maglev[0].size, xr.size);
	assert_int_equal(tr->maglev[0].neps, xr.neps);
	for (uint32_t s = 0; s < xr.size; s++) {
		const struct gw_rt_l4ep *e = &tr->maglev[0].eps[tr->maglev[0].table[s]];
		const struct gw_xdp_ep *x = &xr.eps[xr.table[s]];

		assert_int_equal(e->reject, x->reject);
		if (!x->reject)
			assert_string_equal(e->ep.name, x->key);
	}
	/* no IPv6 endpoint: no IPv6 table (the IPv4 one serves IPv6 clients) */
	assert_int_equal(tr->maglev[1].size, 0);
	gw_l4_route_free(&xr);
}

static void test_l4_ports_and_maglev(void **s)
{
	struct gw_config *cfg = fx_resolve(CONFIG);
	const struct gw_rt_port *tp, *up;
	struct gw_rt_table *t;
	char err[512] = "";
	uint32_t n[4] = { 0 };

	(void)s;
	t = gw_rt_build(cfg, err, sizeof(err));
	if (!t)
		fail_msg("gw_rt_build: %s", err);
	tp = port(t, 9000, false);
	up = port(t, 9000, true);
	assert_non_null(tp);
	assert_non_null(up);
	assert_true(tp->l4 && !tp->udp && !tp->tls);
	assert_true(up->udp && !up->l4);
	/* HTTP lookups never see the UDP port */
	assert_ptr_equal(gw_rt_port_find(t, NULL, 9000), tp);
	assert_int_equal(tp->listeners[0]->ntlsroutes, 1);
	assert_same_as_xdp(&tp->listeners[0]->tlsroutes[0]);
	assert_same_as_xdp(&up->listeners[0]->tlsroutes[0]);
	/* weights 3 (a, two endpoints), 1 (b, two), 2 (unresolved): slots 3/2/3/2/1/1/4 of 16 */
	for (uint32_t i = 0; i < tp->listeners[0]->tlsroutes[0].maglev[0].size; i++) {
		const struct gw_rt_maglev *m = &tp->listeners[0]->tlsroutes[0].maglev[0];
		const struct gw_rt_l4ep *e = &m->eps[m->table[i]];

		n[e->reject ? 3 : !strncmp(e->ep.name, "10.0.0.", 7) ? 0 : 1]++;
	}
	n[2] = tp->listeners[0]->tlsroutes[0].maglev[0].size;
	assert_in_range(n[0] * 100 / n[2], 48, 52);	/* 3/6 */
	assert_in_range(n[1] * 100 / n[2], 15, 18);	/* 1/6 */
	assert_in_range(n[3] * 100 / n[2], 32, 35);	/* 2/6 refused */
	assert_int_equal(t->nunserved, 0);
	gw_rt_free(t);
}

static void test_xdp_served_left_out(void **s)
{
	struct gw_config *cfg = fx_resolve(CONFIG);
	struct gw_rt_table *t;
	char err[512] = "";

	(void)s;
	assert_int_equal(gw_config_add_xdp_listener(cfg, "Gateway/default/gw/tcp"), 0);
	t = gw_rt_build(cfg, err, sizeof(err));
	if (!t)
		fail_msg("gw_rt_build: %s", err);
	assert_null(port(t, 9000, false));
	assert_non_null(port(t, 9000, true));
	assert_int_equal(t->nunserved, 1);
	assert_string_equal(t->unserved[0].key, "Gateway/default/gw/tcp");
	assert_string_equal(t->unserved[0].why, "served by the XDP tier");
	gw_rt_free(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_l4_ports_and_maglev),
		cmocka_unit_test(test_xdp_served_left_out),
	};

	return cmocka_run_group_tests_name("router/l4", tests, NULL, NULL);
}
