// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The XDP program with a mocked clock (tests/bpf/progs/xdp_mock.bpf.c):
 * the per-CPU ICMP error rate limit, and conntrack's last-seen stamps.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <sched.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "lib/pkt.h"
#include "lib/test_progs.h"
#include "lib/xdp_env.h"
#include "xdp_mock.skel.h"

#define VIP4 "192.0.2.1"

static void tcp4(struct pkt *p, const char *src, const char *dst, uint16_t sport,
		 uint16_t dport, uint8_t flags, bool from_be)
{
	pkt_init(p);
	if (from_be)
		pkt_push_eth(p, MAC_GW_BE, MAC_BACKEND);
	else
		pkt_push_eth(p, MAC_GW_IN, MAC_CLIENT);
	pkt_push_ipv4(p, src, dst, IPPROTO_TCP, 64, 0x4000, NULL, 0);
	pkt_push_tcp(p, sport, dport, flags);
	pkt_finish(p);
}

static void syn(struct pkt *p, uint16_t sport, uint16_t dport)
{
	pkt_init(p);
	pkt_push_eth(p, MAC_GW_IN, MAC_CLIENT);
	pkt_push_ipv4(p, "10.0.0.2", VIP4, IPPROTO_TCP, 64, 0x4000, NULL, 0);
	pkt_push_tcp(p, sport, dport, 0x02);
	pkt_finish(p);
}

void test_xdp_mock(void)
{
	struct xdp_env e = { 0 };
	struct xdp_mock *skel = NULL;
	struct gw_ct_key k = { .proto = IPPROTO_TCP, .family = GW_FAM_V4 };
	struct gw_ct_val v;
	uint8_t out[PKT_MAX];
	struct bpf_map *map;
	cpu_set_t cpus;
	size_t len;
	struct pkt p;
	int g, s, r, ret;

	/* the limit is per CPU: keep every run on one */
	CPU_ZERO(&cpus);
	CPU_SET(0, &cpus);
	if (!ASSERT_OK(sched_setaffinity(0, sizeof(cpus), &cpus), "pin to CPU 0") ||
	    !ASSERT_OK(xdp_env_net(&e), "test network"))
		return;
	skel = xdp_mock__open();
	if (!ASSERT_OK_PTR(skel, "open the mock build"))
		return;
	bpf_object__for_each_map(map, skel->obj)
		bpf_map__set_pin_path(map, NULL);
	if (!ASSERT_OK(xdp_mock__load(skel), "load the mock build"))
		goto out;
	XDP_ENV_MAPS(&e, skel);
	g = seed_gateway(&e.m, "infra/g", VIP4, false);
	s = seed_gateway(&e.m, "infra/s", "192.0.2.2", true);
	r = seed_route(&e.m, "tcp", 4, "10.1.0.2:8080=1");
	seed_listener(&e.m, g, "infra/g/closed", IPPROTO_TCP, 81, GW_ACT_REJECT, -1, -1);
	seed_listener(&e.m, g, "infra/g/tcp", IPPROTO_TCP, 80, GW_ACT_STEER, r, -1);
	seed_listener(&e.m, s, "infra/s/tcp", IPPROTO_TCP, 80, GW_ACT_STEER, r, -1);
	if (!ASSERT_OK(seed_sync_rate(&e, 2), "seed with 2 ICMP errors per second"))
		goto out;

	if (test__start_subtest("icmp_rate_limit")) {
		skel->bss->mock_time_ns = 100ULL * 1000000000ULL;
		for (int i = 0; i < 3; i++) {
			syn(&p, (uint16_t)(20000 + i), 81);
			ret = run_xdp(&e, &p, e.if_in, out, &len);
			ASSERT_EQ(ret, i < 2 ? XDP_TX : XDP_DROP, "ICMP within / over the limit");
		}
		ASSERT_EQ(counter(e.maps.drops, GW_DROP_ICMP_RATE), 1, "rate-limited counted");
		/* the next second has a fresh allowance */
		skel->bss->mock_time_ns += 1000000000ULL;
		syn(&p, 20003, 81);
		ASSERT_EQ(run_xdp(&e, &p, e.if_in, out, &len), XDP_TX, "next second");
	}
	if (test__start_subtest("conntrack_last_seen")) {
		skel->bss->mock_time_ns = 500ULL * 1000000000ULL;
		syn(&p, 21000, 80);
		if (!ASSERT_EQ(run_xdp(&e, &p, e.if_in, out, &len), XDP_REDIRECT, "steered"))
			goto out;
		inet_pton(AF_INET, "10.0.0.2", &k.saddr.v4);
		inet_pton(AF_INET, VIP4, &k.daddr.v4);
		k.sport = htons(21000);
		k.dport = htons(80);
		if (!ASSERT_OK(bpf_map_lookup_elem(e.maps.conntrack, &k, &v), "forward entry"))
			goto out;
		ASSERT_EQ(v.last_seen, 500ULL * 1000000000ULL, "stamped at creation");
		ASSERT_EQ(v.dir, GW_CT_FWD, "forward");
		/* within a second: not rewritten (a shared cache line); after: refreshed */
		skel->bss->mock_time_ns += 500000000ULL;
		run_xdp(&e, &p, e.if_in, out, &len);
		bpf_map_lookup_elem(e.maps.conntrack, &k, &v);
		ASSERT_EQ(v.last_seen, 500ULL * 1000000000ULL, "not refreshed within a second");
		skel->bss->mock_time_ns += 1000000000ULL;
		run_xdp(&e, &p, e.if_in, out, &len);
		bpf_map_lookup_elem(e.maps.conntrack, &k, &v);
		ASSERT_EQ(v.last_seen, 501500000000ULL, "refreshed after a second");
	}
	if (test__start_subtest("snat_port_reclaim")) {
		struct pkt_info in;

		/* client A keeps its port 20000 as SNAT port, then the flow closes */
		skel->bss->mock_time_ns = 900ULL * 1000000000ULL;
		tcp4(&p, "10.0.0.2", "192.0.2.2", 20000, 80, 0x02, false);
		if (!ASSERT_EQ(run_xdp(&e, &p, e.if_in, out, &len), XDP_REDIRECT, "A steered") ||
		    !pkt_parse(out, len, &in) || !ASSERT_EQ(in.sport, 20000, "A keeps its port"))
			goto out;
		tcp4(&p, "10.1.0.2", "10.1.0.1", 8080, 20000, 0x11, true);	/* FIN+ACK back */
		ASSERT_EQ(run_xdp(&e, &p, e.if_be, out, &len), XDP_REDIRECT, "A's FIN");
		/* client B, same port, a second later: A's mapping is too fresh to take over */
		skel->bss->mock_time_ns += 1000000000ULL;
		tcp4(&p, "10.0.0.3", "192.0.2.2", 20000, 80, 0x02, false);
		if (run_xdp(&e, &p, e.if_in, out, &len) == XDP_REDIRECT && pkt_parse(out, len, &in))
			ASSERT_TRUE(in.sport != 20000, "closed a second ago: kept");
		/* client C, same port, 3 s after the close: the closed flow's port is reused */
		skel->bss->mock_time_ns += 2000000000ULL;
		tcp4(&p, "10.0.0.4", "192.0.2.2", 20000, 80, 0x02, false);
		if (run_xdp(&e, &p, e.if_in, out, &len) == XDP_REDIRECT && pkt_parse(out, len, &in))
			ASSERT_EQ(in.sport, 20000, "closed 3 s ago: reclaimed");
		inet_pton(AF_INET, "10.0.0.2", &k.saddr.v4);
		inet_pton(AF_INET, "192.0.2.2", &k.daddr.v4);
		k.sport = htons(20000);
		k.dport = htons(80);
		ASSERT_TRUE(bpf_map_lookup_elem(e.maps.conntrack, &k, &v) && errno == ENOENT,
			    "A's forward entry went with its port");
	}
out:
	gw_xdp_model_free(&e.m);
	xdp_mock__destroy(skel);
}
