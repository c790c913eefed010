// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * gw_xdp_ingress on crafted packets (BPF_PROG_TEST_RUN): every verdict
 * (pass, drop by reason, steer, reverse NAT, ICMP errors), header edge
 * cases (truncation, IPv4 options, fragments, IPv6 extension headers,
 * VLAN tags, TCP flags), checksums verified in software after NAT, and
 * conntrack across reloads. Tables are seeded through the loader's model
 * and gw_xdp_sync(), the same path gwctl load takes.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

#include <linux/bpf.h>

#include "lib/pkt.h"
#include "lib/test_progs.h"
#include "lib/xdp_env.h"

#define VIP4 "192.0.2.1"
#define VIP6 "2001:db8::1"
#define SNAT4 "192.0.2.2"
#define SNAT6 "2001:db8::2"
#define CLI4 "10.0.0.2"
#define CLI6 "fd00::2"
#define BE4 "10.1.0.2"
#define BE6 "fd01::2"

#define TF_FIN 0x01
#define TF_SYN 0x02
#define TF_RST 0x04
#define TF_PSH 0x08
#define TF_ACK 0x10

#define IN 0	/* packet arrives from the client side */
#define BE 1	/* from the backend side */

enum { V_BASE, V_MORE, V_MOVED };	/* configurations of the reload subtest */

/*
 * The configuration every subtest runs against:
 *   Gateway infra/g on VIP4/VIP6:  tcp/80 -> BE:8080, udp/53 -> BE:5353,
 *     tcp/443 L7, tcp/81 no route, tcp/82 no backend, tcp/83 backend
 *     without neighbour, tcp/84 backend behind MTU 1280, tcp/85 blackhole,
 *     tcp/86 half the weight refused, tcp/87 the reload subtest's route
 *   Gateway infra/s (SNAT) on SNAT4/SNAT6: tcp/80 -> BE:8080
 *   Gateway infra/node on 10.0.0.1 (the ingress interface's own address): tcp/80 L7
 */
static int seed(struct xdp_env *e, int variant)
{
	struct gw_xdp_model *m = &e->m;
	int g, s, n, t4, t6, u4, u6, x, nn4, nn6, mt4, mt6, bh4, bh6, half, rl;

	gw_xdp_model_free(m);
	g = seed_gateway(m, "infra/g", VIP4 " " VIP6, false);
	s = seed_gateway(m, "infra/s", SNAT4 " " SNAT6, true);
	n = seed_gateway(m, "infra/node", "10.0.0.1", false);
	t4 = seed_route(m, "tcp v4", 4, BE4 ":8080=1");
	t6 = seed_route(m, "tcp v6", 6, "[" BE6 "]:8080=1");
	u4 = seed_route(m, "udp v4", 4, BE4 ":5353=1");
	u6 = seed_route(m, "udp v6", 6, "[" BE6 "]:5353=1");
	x = seed_route(m, "empty", 4, "");
	nn4 = seed_route(m, "noneigh v4", 4, "10.1.0.3:8080=1");
	nn6 = seed_route(m, "noneigh v6", 6, "[fd01::3]:8080=1");
	mt4 = seed_route(m, "mtu v4", 4, "10.2.0.2:8080=1");
	mt6 = seed_route(m, "mtu v6", 6, "[fd02::2]:8080=1");
	bh4 = seed_route(m, "blackhole v4", 4, "10.3.0.2:8080=1");
	bh6 = seed_route(m, "blackhole v6", 6, "[fd03::2]:8080=1");
	half = seed_route(m, "half v4", 4, BE4 ":8080=1 reject=1");
	rl = seed_route(m, "reload v4", 4,
			variant == V_BASE ? BE4 ":9000=1" :
			variant == V_MORE ? BE4 ":9000=1 10.1.0.4:9000=1 10.1.0.5:9000=1" :
					    "10.1.0.4:9000=1");
	if (g < 0 || s < 0 || n < 0 || t4 < 0 || t6 < 0 || u4 < 0 || u6 < 0 || x < 0 ||
	    nn4 < 0 || nn6 < 0 || mt4 < 0 || mt6 < 0 || bh4 < 0 || bh6 < 0 || half < 0 || rl < 0)
		return -1;
	seed_listener(m, g, "infra/g/tcp", IPPROTO_TCP, 80, GW_ACT_STEER, t4, t6);
	seed_listener(m, g, "infra/g/udp", IPPROTO_UDP, 53, GW_ACT_STEER, u4, u6);
	seed_listener(m, g, "infra/g/https", IPPROTO_TCP, 443, GW_ACT_PASS, -1, -1);
	seed_listener(m, g, "infra/g/noroute", IPPROTO_TCP, 81, GW_ACT_REJECT, -1, -1);
	seed_listener(m, g, "infra/g/empty", IPPROTO_TCP, 82, GW_ACT_STEER, x, x);
	seed_listener(m, g, "infra/g/noneigh", IPPROTO_TCP, 83, GW_ACT_STEER, nn4, nn6);
	seed_listener(m, g, "infra/g/mtu", IPPROTO_TCP, 84, GW_ACT_STEER, mt4, mt6);
	seed_listener(m, g, "infra/g/blackhole", IPPROTO_TCP, 85, GW_ACT_STEER, bh4, bh6);
	seed_listener(m, g, "infra/g/half", IPPROTO_TCP, 86, GW_ACT_STEER, half, -1);
	seed_listener(m, g, "infra/g/reload", IPPROTO_TCP, 87, GW_ACT_STEER, rl, -1);
	seed_listener(m, s, "infra/s/tcp", IPPROTO_TCP, 80, GW_ACT_STEER, t4, t6);
	seed_listener(m, n, "infra/node/http", IPPROTO_TCP, 80, GW_ACT_PASS, -1, -1);
	return seed_sync(e);
}

/* ---- packets ------------------------------------------------------------- */

static void l2(struct pkt *p, int from)
{
	pkt_init(p);
	if (from == BE)
		pkt_push_eth(p, MAC_GW_BE, MAC_BACKEND);
	else
		pkt_push_eth(p, MAC_GW_IN, MAC_CLIENT);
}

static void tcp(struct pkt *p, int from, const char *src, const char *dst, uint16_t sport,
		uint16_t dport, uint8_t flags)
{
	l2(p, from);
	if (strchr(src, ':'))
		pkt_push_ipv6(p, src, dst, IPPROTO_TCP, 64);
	else
		pkt_push_ipv4(p, src, dst, IPPROTO_TCP, 64, 0x4000, NULL, 0);
	pkt_push_tcp(p, sport, dport, flags);
	pkt_push_fill(p, 32);
	pkt_finish(p);
}

static void udp(struct pkt *p, int from, const char *src, const char *dst, uint16_t sport,
		uint16_t dport)
{
	l2(p, from);
	if (strchr(src, ':'))
		pkt_push_ipv6(p, src, dst, IPPROTO_UDP, 64);
	else
		pkt_push_ipv4(p, src, dst, IPPROTO_UDP, 64, 0, NULL, 0);
	pkt_push_udp(p, sport, dport);
	pkt_push_fill(p, 21);
	pkt_finish(p);
}

/* ---- running one packet -------------------------------------------------- */

struct result {
	int ret;
	uint8_t out[PKT_MAX];
	size_t len;
	struct pkt_info info;
	bool parsed;
	uint64_t stats[GW_STAT__MAX];	/* counter deltas of this packet */
	uint64_t drops[GW_DROP__MAX];
};

static bool run(struct xdp_env *e, const struct pkt *p, int from, struct result *r)
{
	uint64_t s0[GW_STAT__MAX], d0[GW_DROP__MAX];

	for (uint32_t i = 0; i < GW_STAT__MAX; i++)
		s0[i] = counter(e->maps.stats, i);
	for (uint32_t i = 0; i < GW_DROP__MAX; i++)
		d0[i] = counter(e->maps.drops, i);
	r->ret = run_xdp(e, p, from == BE ? e->if_be : e->if_in, r->out, &r->len);
	for (uint32_t i = 0; i < GW_STAT__MAX; i++)
		r->stats[i] = counter(e->maps.stats, i) - s0[i];
	for (uint32_t i = 0; i < GW_DROP__MAX; i++)
		r->drops[i] = counter(e->maps.drops, i) - d0[i];
	r->parsed = r->ret >= 0 && pkt_parse(r->out, r->len, &r->info);
	return r->ret >= 0;
}

static bool expect_drop(struct xdp_env *e, const struct pkt *p, int from, enum gw_drop why,
			const char *name)
{
	struct result r;

	if (!run(e, p, from, &r))
		return false;
	return ASSERT_EQ(r.ret, XDP_DROP, name) && ASSERT_EQ(r.drops[why], 1, "drop reason") &&
	       ASSERT_EQ(r.stats[GW_STAT_DROP], 1, "drop counted");
}

static bool expect_pass(struct xdp_env *e, const struct pkt *p, int from, enum gw_stat stat,
			const char *name)
{
	struct result r;

	if (!run(e, p, from, &r))
		return false;
	return ASSERT_EQ(r.ret, XDP_PASS, name) && ASSERT_EQ(r.stats[stat], 1, "verdict counted") &&
	       ASSERT_EQ(r.len, p->len, "length") &&
	       ASSERT_MEMEQ(r.out, p->buf, p->len, "passed untouched");
}

/* A steered or reverse-NATed packet: verdict, new tuple, TTL, MACs, checksums. */
static bool expect_nat(const struct result *r, int ret, const char *saddr, uint16_t sport,
		       const char *daddr, uint16_t dport, const char *name)
{
	return ASSERT_EQ(r->ret, ret, name) && ASSERT_TRUE(r->parsed, "output parses") &&
	       ASSERT_STREQ(r->info.saddr, saddr, "source address") &&
	       ASSERT_EQ(r->info.sport, sport, "source port") &&
	       ASSERT_STREQ(r->info.daddr, daddr, "destination address") &&
	       ASSERT_EQ(r->info.dport, dport, "destination port") &&
	       ASSERT_TRUE(pkt_csum_ok(r->out, r->len), "checksums after NAT");
}

static bool mac_is(const uint8_t *m, const char *s)
{
	unsigned int b[6];

	sscanf(s, "%x:%x:%x:%x:%x:%x", &b[0], &b[1], &b[2], &b[3], &b[4], &b[5]);
	for (int i = 0; i < 6; i++)
		if (m[i] != b[i])
			return false;
	return true;
}

/* ---- subtests ------------------------------------------------------------ */

static void not_for_us(struct xdp_env *e)
{
	struct pkt p;

	/* ARP: not IP */
	pkt_init(&p);
	pkt_push_eth(&p, "ff:ff:ff:ff:ff:ff", MAC_CLIENT);
	pkt_push_fill(&p, 28);
	pkt_finish(&p);
	expect_pass(e, &p, IN, GW_STAT_PASS, "ARP passes");
	/* too short to read an IPv4 destination */
	pkt_init(&p);
	pkt_push_eth(&p, MAC_GW_IN, MAC_CLIENT);
	pkt_push_fill(&p, 10);
	pkt_finish(&p);
	p.buf[12] = 0x08;
	p.buf[13] = 0x00;
	expect_pass(e, &p, IN, GW_STAT_PASS, "truncated IPv4 passes");
	/* TCP and UDP to an address that is not a Gateway's: untouched, whatever the port */
	tcp(&p, IN, CLI4, "10.9.9.9", 40000, 22, TF_SYN);
	expect_pass(e, &p, IN, GW_STAT_PASS, "TCP to another address");
	udp(&p, IN, CLI6, "fd09::9", 40000, 9999);
	expect_pass(e, &p, IN, GW_STAT_PASS, "UDP/IPv6 to another address");
	/* a malformed packet to someone else is not ours to judge either */
	tcp(&p, IN, CLI4, "10.9.9.9", 40000, 22, TF_SYN);
	p.buf[14] = 0x44;	/* IHL 4 */
	expect_pass(e, &p, IN, GW_STAT_PASS, "bad IHL to another address");
}

static void malformed(struct xdp_env *e)
{
	struct pkt p;

	tcp(&p, IN, CLI4, VIP4, 40000, 80, TF_SYN);
	p.buf[14] = 0x44;	/* IHL 4 < 5 */
	expect_drop(e, &p, IN, GW_DROP_MALFORMED, "IHL below 5");
	tcp(&p, IN, CLI4, VIP4, 40000, 80, TF_SYN);
	p.buf[16] = 0x05;	/* total length beyond the frame */
	expect_drop(e, &p, IN, GW_DROP_MALFORMED, "total length beyond the frame");
	tcp(&p, IN, CLI4, VIP4, 40000, 80, TF_SYN);
	p.len = 14 + 20 + 10;	/* TCP header cut in half (and tot_len says more) */
	expect_drop(e, &p, IN, GW_DROP_MALFORMED, "truncated TCP header");
	/* consistent lengths, but the datagram ends inside the TCP header */
	tcp(&p, IN, CLI4, VIP4, 40000, 80, TF_SYN);
	p.buf[16] = 0;
	p.buf[17] = 20 + 12;
	p.buf[24] = p.buf[25] = 0;
	expect_drop(e, &p, IN, GW_DROP_MALFORMED, "datagram ends inside the TCP header");
	tcp(&p, IN, CLI4, VIP4, 40000, 80, TF_SYN);
	p.buf[14 + 20 + 12] = 4 << 4;	/* TCP data offset 4 */
	expect_drop(e, &p, IN, GW_DROP_MALFORMED, "TCP data offset below 5");
	udp(&p, IN, CLI6, VIP6, 40000, 53);
	p.len = 14 + 40 + 4;
	expect_drop(e, &p, IN, GW_DROP_MALFORMED, "truncated UDP/IPv6");
	udp(&p, IN, CLI4, VIP4, 40000, 53);
	p.buf[14 + 20 + 4] = 0;
	p.buf[14 + 20 + 5] = 4;	/* UDP length 4 < 8 */
	expect_drop(e, &p, IN, GW_DROP_MALFORMED, "UDP length below 8");
}

static void filtering(struct xdp_env *e)
{
	struct pkt p;

	tcp(&p, IN, CLI4, VIP4, 40000, 9999, TF_SYN);
	expect_drop(e, &p, IN, GW_DROP_NO_LISTENER, "TCP SYN to a port without listener");
	tcp(&p, IN, CLI6, VIP6, 40000, 9999, TF_ACK);
	expect_drop(e, &p, IN, GW_DROP_NO_LISTENER, "TCP ACK to a port without listener, IPv6");
	udp(&p, IN, CLI4, VIP4, 40000, 54);
	expect_drop(e, &p, IN, GW_DROP_NO_LISTENER, "UDP to a port without listener");
	/* UDP 80 is not TCP 80: the protocol is part of the listener */
	udp(&p, IN, CLI4, VIP4, 40000, 80);
	expect_drop(e, &p, IN, GW_DROP_NO_LISTENER, "UDP to a TCP listener's port");
	/* other IP protocols to a Gateway address */
	l2(&p, IN);
	pkt_push_ipv4(&p, CLI4, VIP4, 47 /* GRE */, 64, 0, NULL, 0);
	pkt_push_fill(&p, 24);
	pkt_finish(&p);
	expect_drop(e, &p, IN, GW_DROP_PROTO, "GRE to a Gateway address");
	l2(&p, IN);
	pkt_push_ipv6(&p, CLI6, VIP6, 132 /* SCTP */, 64);
	pkt_push_fill(&p, 24);
	pkt_finish(&p);
	expect_drop(e, &p, IN, GW_DROP_PROTO, "SCTP to a Gateway address");
	/* L7 listener: up to the stack, untouched */
	tcp(&p, IN, CLI4, VIP4, 40000, 443, TF_SYN);
	expect_pass(e, &p, IN, GW_STAT_PASS_L7, "HTTPS listener");
	tcp(&p, IN, CLI6, VIP6, 40000, 443, TF_ACK | TF_PSH);
	expect_pass(e, &p, IN, GW_STAT_PASS_L7, "HTTPS listener, IPv6");
	/* ICMP: ping, PMTU, neighbour discovery stay the kernel's */
	l2(&p, IN);
	pkt_push_ipv4(&p, CLI4, VIP4, IPPROTO_ICMP, 64, 0, NULL, 0);
	pkt_push_icmp(&p, 8, 0);
	pkt_push_fill(&p, 16);
	pkt_finish(&p);
	expect_pass(e, &p, IN, GW_STAT_PASS_ICMP, "ICMP echo to a Gateway address");
	l2(&p, IN);
	pkt_push_ipv6(&p, CLI6, VIP6, 58, 255);
	pkt_push_icmp6(&p, 135, 0);	/* neighbour solicitation */
	pkt_push_fill(&p, 16);
	pkt_finish(&p);
	expect_pass(e, &p, IN, GW_STAT_PASS_ICMP, "ICMPv6 neighbour solicitation");
	l2(&p, IN);
	pkt_push_ipv6(&p, CLI6, VIP6, 58, 64);
	pkt_push_icmp6(&p, 2, 0);	/* packet too big, for a connection of the node */
	pkt_push_fill(&p, 48);
	pkt_finish(&p);
	expect_pass(e, &p, IN, GW_STAT_PASS_ICMP, "ICMPv6 packet too big");
}

static void tcp_flags(struct xdp_env *e)
{
	static const struct {
		uint8_t flags;
		const char *name;
	} bad[] = {
		{ TF_SYN | TF_FIN, "SYN+FIN" },
		{ TF_SYN | TF_RST, "SYN+RST" },
		{ TF_SYN | TF_FIN | TF_ACK, "SYN+FIN+ACK" },
		{ 0, "no flags (NULL scan)" },
		{ TF_PSH, "PSH only" },
	};
	struct result r;
	struct pkt p;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		tcp(&p, IN, CLI4, VIP4, (uint16_t)(41000 + i), 80, bad[i].flags);
		expect_drop(e, &p, IN, GW_DROP_TCP_FLAGS, bad[i].name);
	}
	/* refused listeners drop bad flags too, without an ICMP error */
	tcp(&p, IN, CLI4, VIP4, 41100, 81, TF_SYN | TF_FIN);
	expect_drop(e, &p, IN, GW_DROP_TCP_FLAGS, "SYN+FIN to a listener without route");
	/* unusual but legal: FIN+PSH+URG (Xmas without ACK) still goes to a backend */
	tcp(&p, IN, CLI4, VIP4, 41200, 80, TF_FIN | TF_PSH | 0x20);
	if (run(e, &p, IN, &r))
		expect_nat(&r, XDP_REDIRECT, CLI4, 41200, BE4, 8080, "FIN+PSH+URG steered");
	/* a RST without a flow is forwarded (the backend may hold the other half) */
	tcp(&p, IN, CLI4, VIP4, 41201, 80, TF_RST);
	if (run(e, &p, IN, &r))
		expect_nat(&r, XDP_REDIRECT, CLI4, 41201, BE4, 8080, "lone RST steered");
}

static void steer_and_reply(struct xdp_env *e, const char *cli, const char *vip,
			    const char *be, bool v6)
{
	struct result r;
	struct pkt p;
	uint64_t flows0 = counter(e->maps.stats, GW_STAT_NEW_FLOW);

	tcp(&p, IN, cli, vip, 40000, 80, TF_SYN);
	if (!run(e, &p, IN, &r) ||
	    !expect_nat(&r, XDP_REDIRECT, cli, 40000, be, 8080, "SYN steered to the backend"))
		return;
	ASSERT_EQ(r.info.ttl, 63, v6 ? "hop limit decremented" : "TTL decremented");
	ASSERT_TRUE(mac_is(r.info.dmac, MAC_BACKEND), "destination MAC is the backend's");
	ASSERT_TRUE(mac_is(r.info.smac, MAC_GW_BE), "source MAC is the egress interface's");
	ASSERT_EQ(r.info.tcp_flags, TF_SYN, "flags untouched");
	ASSERT_EQ(r.stats[GW_STAT_FWD], 1, "fwd counted");
	ASSERT_EQ(counter(e->maps.stats, GW_STAT_NEW_FLOW) - flows0, 1, "new flow counted");
	/* the next packet of the flow: conntrack, same backend, no new flow */
	tcp(&p, IN, cli, vip, 40000, 80, TF_ACK | TF_PSH);
	if (run(e, &p, IN, &r))
		expect_nat(&r, XDP_REDIRECT, cli, 40000, be, 8080, "established packet");
	ASSERT_EQ(counter(e->maps.stats, GW_STAT_NEW_FLOW) - flows0, 1, "still one flow");
	/* the reply from the backend is reverse-NATed toward the client */
	tcp(&p, BE, be, cli, 8080, 40000, TF_SYN | TF_ACK);
	if (!run(e, &p, BE, &r) ||
	    !expect_nat(&r, XDP_REDIRECT, vip, 80, cli, 40000, "reply reverse-NATed"))
		return;
	ASSERT_TRUE(mac_is(r.info.dmac, MAC_CLIENT), "reply to the client's MAC");
	ASSERT_TRUE(mac_is(r.info.smac, MAC_GW_IN), "reply from the client-side interface");
	ASSERT_EQ(r.info.ttl, 63, "reply TTL decremented");
	ASSERT_EQ(r.stats[GW_STAT_REV], 1, "rev counted");
	/* a reply for a flow we never saw is somebody else's traffic */
	tcp(&p, BE, be, cli, 8080, 40999, TF_SYN | TF_ACK);
	expect_pass(e, &p, BE, GW_STAT_PASS, "unknown reply passes");
}

static void steer_v4(struct xdp_env *e)
{
	steer_and_reply(e, CLI4, VIP4, BE4, false);
}

static void steer_v6(struct xdp_env *e)
{
	steer_and_reply(e, CLI6, VIP6, BE6, true);
}

static void steer_udp(struct xdp_env *e)
{
	struct result r;
	struct pkt p;

	udp(&p, IN, CLI4, VIP4, 5000, 53);
	if (run(e, &p, IN, &r))
		expect_nat(&r, XDP_REDIRECT, CLI4, 5000, BE4, 5353, "UDP steered");
	udp(&p, BE, BE4, CLI4, 5353, 5000);
	if (run(e, &p, BE, &r))
		expect_nat(&r, XDP_REDIRECT, VIP4, 53, CLI4, 5000, "UDP reply");
	udp(&p, IN, CLI6, VIP6, 5000, 53);
	if (run(e, &p, IN, &r))
		expect_nat(&r, XDP_REDIRECT, CLI6, 5000, BE6, 5353, "UDP/IPv6 steered");
	udp(&p, BE, BE6, CLI6, 5353, 5000);
	if (run(e, &p, BE, &r))
		expect_nat(&r, XDP_REDIRECT, VIP6, 53, CLI6, 5000, "UDP/IPv6 reply");
	/* UDP over IPv4 without a checksum stays without one */
	l2(&p, IN);
	p.keep_udp_zero_csum = true;
	pkt_push_ipv4(&p, CLI4, VIP4, IPPROTO_UDP, 64, 0, NULL, 0);
	pkt_push_udp(&p, 5001, 53);
	pkt_push_fill(&p, 9);
	pkt_finish(&p);
	if (run(e, &p, IN, &r) &&
	    expect_nat(&r, XDP_REDIRECT, CLI4, 5001, BE4, 5353, "UDP without checksum"))
		ASSERT_EQ(r.info.udp_csum, 0, "UDP checksum stays 0");
}

static void ipv4_options(struct xdp_env *e)
{
	/* record route (7 bytes) and end of options */
	static const uint8_t rr[8] = { 7, 7, 4, 0, 0, 0, 0, 0 };
	struct result r;
	struct pkt p;

	l2(&p, IN);
	pkt_push_ipv4(&p, CLI4, VIP4, IPPROTO_TCP, 64, 0x4000, rr, sizeof(rr));
	pkt_push_tcp(&p, 40100, 80, TF_SYN);
	pkt_push_fill(&p, 8);
	pkt_finish(&p);
	if (run(e, &p, IN, &r) &&
	    expect_nat(&r, XDP_REDIRECT, CLI4, 40100, BE4, 8080, "SYN with IPv4 options")) {
		ASSERT_EQ(r.out[14] & 0xf, 7, "options kept");
		ASSERT_MEMEQ(r.out + 14 + 20, rr, sizeof(rr), "option bytes untouched");
	}
	/* options on a packet to a port without listener change nothing */
	l2(&p, IN);
	pkt_push_ipv4(&p, CLI4, VIP4, IPPROTO_TCP, 64, 0, rr, sizeof(rr));
	pkt_push_tcp(&p, 40101, 9999, TF_SYN);
	pkt_finish(&p);
	expect_drop(e, &p, IN, GW_DROP_NO_LISTENER, "options, no listener");
}

static void fragments(struct xdp_env *e)
{
	struct pkt p;

	/* IPv4 first fragment (MF, offset 0) of a TCP flow to an L4 route */
	l2(&p, IN);
	pkt_push_ipv4(&p, CLI4, VIP4, IPPROTO_TCP, 64, 0x2000, NULL, 0);
	pkt_push_tcp(&p, 40200, 80, TF_ACK);
	pkt_push_fill(&p, 64);
	pkt_finish(&p);
	expect_drop(e, &p, IN, GW_DROP_FRAG, "first fragment to an L4 route");
	/* a later fragment has no ports: left to reassembly, which needs the (dropped) first */
	l2(&p, IN);
	pkt_push_ipv4(&p, CLI4, VIP4, IPPROTO_TCP, 64, 100, NULL, 0);
	pkt_push_fill(&p, 64);
	pkt_finish(&p);
	expect_pass(e, &p, IN, GW_STAT_PASS_FRAG, "later fragment");
	/* fragments for an L7 listener go up whole */
	l2(&p, IN);
	pkt_push_ipv4(&p, CLI4, VIP4, IPPROTO_TCP, 64, 0x2000, NULL, 0);
	pkt_push_tcp(&p, 40201, 443, TF_ACK);
	pkt_push_fill(&p, 64);
	pkt_finish(&p);
	expect_pass(e, &p, IN, GW_STAT_PASS_L7, "first fragment to an L7 listener");
	/* and the first fragment still filters by port */
	l2(&p, IN);
	pkt_push_ipv4(&p, CLI4, VIP4, IPPROTO_UDP, 64, 0x2000, NULL, 0);
	pkt_push_udp(&p, 40202, 9999);
	pkt_push_fill(&p, 64);
	pkt_finish(&p);
	expect_drop(e, &p, IN, GW_DROP_NO_LISTENER, "first fragment to no listener");
	/* IPv6 fragment header, first and later */
	l2(&p, IN);
	pkt_push_ipv6(&p, CLI6, VIP6, 44, 64);
	pkt_push_frag(&p, IPPROTO_UDP, 0, true);
	pkt_push_udp(&p, 40203, 53);
	pkt_push_fill(&p, 64);
	pkt_finish(&p);
	expect_drop(e, &p, IN, GW_DROP_FRAG, "IPv6 first fragment to an L4 route");
	l2(&p, IN);
	pkt_push_ipv6(&p, CLI6, VIP6, 44, 64);
	pkt_push_frag(&p, IPPROTO_UDP, 100, false);
	pkt_push_fill(&p, 64);
	pkt_finish(&p);
	expect_pass(e, &p, IN, GW_STAT_PASS_FRAG, "IPv6 later fragment");
}

static void ipv6_ext_headers(struct xdp_env *e)
{
	struct result r;
	struct pkt p;

	/* hop-by-hop, then destination options (16 bytes), then TCP */
	l2(&p, IN);
	pkt_push_ipv6(&p, CLI6, VIP6, 0, 64);
	pkt_push_ext(&p, 60, 0);
	pkt_push_ext(&p, IPPROTO_TCP, 1);
	pkt_push_tcp(&p, 40300, 80, TF_SYN);
	pkt_push_fill(&p, 8);
	pkt_finish(&p);
	if (run(e, &p, IN, &r))
		expect_nat(&r, XDP_REDIRECT, CLI6, 40300, BE6, 8080, "SYN after two extension "
			   "headers");
	/* a routing header too */
	l2(&p, IN);
	pkt_push_ipv6(&p, CLI6, VIP6, 43, 64);
	pkt_push_ext(&p, IPPROTO_UDP, 0);
	pkt_push_udp(&p, 40301, 54);
	pkt_finish(&p);
	expect_drop(e, &p, IN, GW_DROP_NO_LISTENER, "UDP after a routing header, no listener");
	/* more extension headers than the program walks */
	l2(&p, IN);
	pkt_push_ipv6(&p, CLI6, VIP6, 60, 64);
	for (int i = 0; i < 7; i++)
		pkt_push_ext(&p, i < 6 ? 60 : IPPROTO_TCP, 0);
	pkt_push_tcp(&p, 40302, 80, TF_SYN);
	pkt_finish(&p);
	expect_drop(e, &p, IN, GW_DROP_EXTHDR, "seven extension headers");
	/* an extension header running past the packet */
	l2(&p, IN);
	pkt_push_ipv6(&p, CLI6, VIP6, 60, 64);
	pkt_push_ext(&p, IPPROTO_TCP, 0);
	pkt_push_tcp(&p, 40303, 80, TF_SYN);
	pkt_finish(&p);
	p.buf[14 + 40 + 1] = 200;	/* hdrlen: 1608 bytes */
	expect_drop(e, &p, IN, GW_DROP_MALFORMED, "extension header past the end");
}

static void vlan(struct xdp_env *e)
{
	struct result r;
	struct pkt p;

	/* 802.1Q: rewritten, then to the kernel, which owns the VLAN device */
	l2(&p, IN);
	pkt_push_vlan(&p, 0x8100, 42);
	pkt_push_ipv4(&p, CLI4, VIP4, IPPROTO_TCP, 64, 0x4000, NULL, 0);
	pkt_push_tcp(&p, 40400, 80, TF_SYN);
	pkt_finish(&p);
	if (run(e, &p, IN, &r) &&
	    expect_nat(&r, XDP_PASS, CLI4, 40400, BE4, 8080, "VLAN-tagged SYN")) {
		ASSERT_EQ(r.info.nvlan, 1, "tag kept");
		ASSERT_EQ(r.info.ttl, 64, "TTL left to the kernel");
		ASSERT_EQ(r.stats[GW_STAT_FWD_KERNEL], 1, "fwd_kernel counted");
	}
	/* QinQ (802.1ad outside 802.1Q) to a port without listener */
	l2(&p, IN);
	pkt_push_vlan(&p, 0x88a8, 7);
	pkt_push_vlan(&p, 0x8100, 42);
	pkt_push_ipv6(&p, CLI6, VIP6, IPPROTO_TCP, 64);
	pkt_push_tcp(&p, 40401, 9999, TF_SYN);
	pkt_finish(&p);
	expect_drop(e, &p, IN, GW_DROP_NO_LISTENER, "QinQ to no listener");
	/* three tags: more than we look into, so not recognisably IP */
	l2(&p, IN);
	pkt_push_vlan(&p, 0x88a8, 7);
	pkt_push_vlan(&p, 0x8100, 42);
	pkt_push_vlan(&p, 0x8100, 43);
	pkt_push_ipv4(&p, CLI4, VIP4, IPPROTO_TCP, 64, 0, NULL, 0);
	pkt_push_tcp(&p, 40402, 9999, TF_SYN);
	pkt_finish(&p);
	expect_pass(e, &p, IN, GW_STAT_PASS, "three VLAN tags");
}

/* An ICMP error in r about original p: addresses, type, quote, checksums. */
static bool expect_icmp(const struct result *r, const struct pkt *p, bool v6, uint8_t type,
			uint8_t code, const char *from, const char *to, const char *name)
{
	size_t l3 = 14, hdrs = v6 ? 48 : 28, quote = v6 ? (p->len - l3 < 128 ? p->len - l3 : 128) & ~3U
						   : (size_t)(p->buf[l3] & 0xf) * 4 + 8;

	return ASSERT_EQ(r->ret, XDP_TX, name) && ASSERT_TRUE(r->parsed, "ICMP parses") &&
	       ASSERT_EQ(r->info.proto, v6 ? 58 : 1, "ICMP protocol") &&
	       ASSERT_EQ(r->info.icmp_type, type, "ICMP type") &&
	       ASSERT_EQ(r->info.icmp_code, code, "ICMP code") &&
	       ASSERT_STREQ(r->info.saddr, from, "ICMP source") &&
	       ASSERT_STREQ(r->info.daddr, to, "ICMP destination") &&
	       ASSERT_TRUE(mac_is(r->info.dmac, MAC_CLIENT), "back to the sender's MAC") &&
	       ASSERT_TRUE(mac_is(r->info.smac, MAC_GW_IN), "from our MAC") &&
	       ASSERT_EQ(r->len, l3 + hdrs + quote, "ICMP length") &&
	       ASSERT_MEMEQ(r->out + l3 + hdrs, p->buf + l3, quote, "quotes the original") &&
	       ASSERT_TRUE(pkt_csum_ok(r->out, r->len), "ICMP checksums");
}

static void reject(struct xdp_env *e)
{
	struct result r;
	struct pkt p;

	tcp(&p, IN, CLI4, VIP4, 40500, 81, TF_SYN);
	if (run(e, &p, IN, &r) &&
	    expect_icmp(&r, &p, false, 3, 3, VIP4, CLI4, "SYN to a listener without route")) {
		ASSERT_EQ(r.stats[GW_STAT_ICMP_SENT], 1, "icmp_sent counted");
		ASSERT_EQ(r.drops[GW_DROP_REJECT], 1, "reject counted");
	}
	tcp(&p, IN, CLI6, VIP6, 40501, 82, TF_SYN);
	if (run(e, &p, IN, &r))
		expect_icmp(&r, &p, true, 1, 4, VIP6, CLI6, "SYN to a route without backend, v6");
	udp(&p, IN, CLI4, VIP4, 40502, 82);
	expect_drop(e, &p, IN, GW_DROP_NO_LISTENER, "UDP: 82 is a TCP listener");
	/* only what opens a flow gets an answer */
	tcp(&p, IN, CLI4, VIP4, 40503, 82, TF_ACK);
	expect_drop(e, &p, IN, GW_DROP_NO_BACKEND, "ACK to a route without backend");
	/* with options the quote grows with the header */
	{
		static const uint8_t nops[4] = { 1, 1, 1, 0 };

		l2(&p, IN);
		pkt_push_ipv4(&p, CLI4, VIP4, IPPROTO_TCP, 64, 0x4000, nops, 4);
		pkt_push_tcp(&p, 40504, 81, TF_SYN);
		pkt_finish(&p);
		if (run(e, &p, IN, &r))
			expect_icmp(&r, &p, false, 3, 3, VIP4, CLI4, "reject with IPv4 options");
	}
	/* half the weight is an unusable backendRef's: those new flows are refused */
	{
		int steered = 0, refused = 0;

		for (uint16_t port = 20000; port < 20200; port++) {
			tcp(&p, IN, CLI4, VIP4, port, 86, TF_SYN);
			if (!run(e, &p, IN, &r))
				return;
			steered += r.ret == XDP_REDIRECT;
			refused += r.ret == XDP_TX && r.info.icmp_type == 3;
		}
		printf("# half refused: %d steered, %d refused of 200\n", steered, refused);
		ASSERT_EQ(steered + refused, 200, "every SYN steered or refused");
		ASSERT_TRUE(steered > 70 && refused > 70, "about half and half");
	}
}

static void fib_outcomes(struct xdp_env *e)
{
	struct result r;
	struct pkt p;

	/* neighbour not resolved: rewritten, handed to the kernel to resolve and forward */
	tcp(&p, IN, CLI4, VIP4, 40600, 83, TF_SYN);
	if (run(e, &p, IN, &r) &&
	    expect_nat(&r, XDP_PASS, CLI4, 40600, "10.1.0.3", 8080, "unresolved neighbour")) {
		ASSERT_EQ(r.stats[GW_STAT_FWD_KERNEL], 1, "fwd_kernel counted");
		ASSERT_EQ(r.info.ttl, 64, "TTL left to the kernel");
	}
	tcp(&p, IN, CLI6, VIP6, 40600, 83, TF_SYN);
	if (run(e, &p, IN, &r))
		expect_nat(&r, XDP_PASS, CLI6, 40600, "fd01::3", 8080, "unresolved neighbour, v6");
	/* blackhole route to the backend */
	tcp(&p, IN, CLI4, VIP4, 40601, 85, TF_SYN);
	expect_drop(e, &p, IN, GW_DROP_FIB, "blackhole");
	tcp(&p, IN, CLI6, VIP6, 40601, 85, TF_SYN);
	expect_drop(e, &p, IN, GW_DROP_FIB, "blackhole, v6");
	/* too big for the path (MTU 1280) with DF: fragmentation needed, quoting the original */
	l2(&p, IN);
	pkt_push_ipv4(&p, CLI4, VIP4, IPPROTO_TCP, 64, 0x4000, NULL, 0);
	pkt_push_tcp(&p, 40602, 84, TF_ACK);
	pkt_push_fill(&p, 1400);
	pkt_finish(&p);
	if (run(e, &p, IN, &r) &&
	    expect_icmp(&r, &p, false, 3, 4, VIP4, CLI4, "frag needed"))
		ASSERT_EQ(r.info.icmp_info & 0xffff, 1280, "next-hop MTU");
	l2(&p, IN);
	pkt_push_ipv6(&p, CLI6, VIP6, IPPROTO_TCP, 64);
	pkt_push_tcp(&p, 40602, 84, TF_ACK);
	pkt_push_fill(&p, 1400);
	pkt_finish(&p);
	if (run(e, &p, IN, &r) && expect_icmp(&r, &p, true, 2, 0, VIP6, CLI6, "packet too big"))
		ASSERT_EQ(r.info.icmp_info, 1280, "MTU");
	/* without DF the kernel fragments it */
	l2(&p, IN);
	pkt_push_ipv4(&p, CLI4, VIP4, IPPROTO_TCP, 64, 0, NULL, 0);
	pkt_push_tcp(&p, 40603, 84, TF_ACK);
	pkt_push_fill(&p, 1400);
	pkt_finish(&p);
	if (run(e, &p, IN, &r))
		expect_nat(&r, XDP_PASS, CLI4, 40603, "10.2.0.2", 8080, "too big without DF");
	/* small enough: redirected */
	tcp(&p, IN, CLI4, VIP4, 40604, 84, TF_SYN);
	if (run(e, &p, IN, &r))
		expect_nat(&r, XDP_REDIRECT, CLI4, 40604, "10.2.0.2", 8080, "fits the MTU");
	/*
	 * A reply too big for the client's side (a client behind gwt-mtu):
	 * fragmentation needed goes to the backend, from our address on its link.
	 */
	{
		size_t len;

		tcp(&p, IN, "10.2.0.2", VIP4, 43000, 80, TF_SYN);
		if (!ASSERT_EQ(run_xdp(e, &p, e->if_mtu, r.out, &len), XDP_REDIRECT,
			       "flow of a client behind the small MTU"))
			return;
		l2(&p, BE);
		pkt_push_ipv4(&p, BE4, "10.2.0.2", IPPROTO_TCP, 64, 0x4000, NULL, 0);
		pkt_push_tcp(&p, 8080, 43000, TF_ACK);
		pkt_push_fill(&p, 1400);
		pkt_finish(&p);
		if (run(e, &p, BE, &r) && ASSERT_EQ(r.ret, XDP_TX, "frag needed about a reply") &&
		    ASSERT_TRUE(r.parsed, "parses")) {
			ASSERT_EQ(r.info.icmp_type, 3, "type");
			ASSERT_EQ(r.info.icmp_code, 4, "code");
			ASSERT_EQ(r.info.icmp_info & 0xffff, 1280, "MTU");
			ASSERT_STREQ(r.info.saddr, "10.1.0.1", "from our address on the backend's link");
			ASSERT_STREQ(r.info.daddr, BE4, "to the backend");
			ASSERT_TRUE(mac_is(r.info.dmac, MAC_BACKEND), "backend's MAC");
			ASSERT_TRUE(pkt_csum_ok(r.out, r.len), "checksums");
			ASSERT_MEMEQ(r.out + 14 + 28, p.buf + 14, 28, "quotes the reply as sent");
		}
	}
	/* TTL 1: time exceeded from the Gateway address */
	l2(&p, IN);
	pkt_push_ipv4(&p, CLI4, VIP4, IPPROTO_TCP, 1, 0x4000, NULL, 0);
	pkt_push_tcp(&p, 40605, 80, TF_SYN);
	pkt_finish(&p);
	if (run(e, &p, IN, &r))
		expect_icmp(&r, &p, false, 11, 0, VIP4, CLI4, "TTL exceeded");
	l2(&p, IN);
	pkt_push_ipv6(&p, CLI6, VIP6, IPPROTO_TCP, 1);
	pkt_push_tcp(&p, 40605, 80, TF_SYN);
	pkt_finish(&p);
	if (run(e, &p, IN, &r))
		expect_icmp(&r, &p, true, 3, 0, VIP6, CLI6, "hop limit exceeded");
}

static void snat(struct xdp_env *e)
{
	struct result r;
	struct pkt p;
	uint16_t port;

	tcp(&p, IN, CLI4, SNAT4, 40700, 80, TF_SYN);
	if (!run(e, &p, IN, &r) || !ASSERT_EQ(r.ret, XDP_REDIRECT, "SNAT SYN") || !r.parsed)
		return;
	port = r.info.sport;
	ASSERT_STREQ(r.info.saddr, "10.1.0.1", "source is the egress interface's address");
	/* the client's port is kept while free, as masquerade does */
	ASSERT_EQ(port, 40700, "client port kept");
	expect_nat(&r, XDP_REDIRECT, "10.1.0.1", port, BE4, 8080, "SNAT forward");
	tcp(&p, BE, BE4, "10.1.0.1", 8080, port, TF_SYN | TF_ACK);
	if (run(e, &p, BE, &r))
		expect_nat(&r, XDP_REDIRECT, SNAT4, 80, CLI4, 40700, "SNAT reply");
	/* a second client with the same port gets another one, outside the ephemeral range */
	tcp(&p, IN, "10.0.0.3", SNAT4, 40700, 80, TF_SYN);
	if (run(e, &p, IN, &r) && ASSERT_TRUE(r.parsed, "second client")) {
		ASSERT_TRUE(r.info.sport != port, "distinct SNAT ports");
		ASSERT_TRUE(r.info.sport >= 1024 && r.info.sport < 32768,
			    "below the ephemeral range (32768-60999 here)");
	}
	/* a port a socket of the node uses toward the backend is not taken */
	{
		struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(20001) };
		int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);

		inet_pton(AF_INET, "10.1.0.1", &a.sin_addr);
		if (ASSERT_TRUE(fd >= 0, "socket") &&
		    ASSERT_OK(bind(fd, (void *)&a, sizeof(a)), "bind 10.1.0.1:20001")) {
			a.sin_port = htons(8080);
			inet_pton(AF_INET, BE4, &a.sin_addr);
			/* stays in SYN_SENT: nobody answers behind gwt-be */
			ASSERT_TRUE(connect(fd, (void *)&a, sizeof(a)) && errno == EINPROGRESS,
				    "connect to the backend");
			tcp(&p, IN, CLI4, SNAT4, 20001, 80, TF_SYN);
			if (run(e, &p, IN, &r) && ASSERT_TRUE(r.parsed, "SNAT with a local socket"))
				ASSERT_TRUE(r.info.sport != 20001, "the local socket's port avoided");
		}
		if (fd >= 0)
			close(fd);
	}
	tcp(&p, IN, CLI6, SNAT6, 40701, 80, TF_SYN);
	if (!run(e, &p, IN, &r) || !r.parsed)
		return;
	port = r.info.sport;
	expect_nat(&r, XDP_REDIRECT, "fd01::1", port, BE6, 8080, "SNAT forward, v6");
	tcp(&p, BE, BE6, "fd01::1", 8080, port, TF_ACK);
	if (run(e, &p, BE, &r))
		expect_nat(&r, XDP_REDIRECT, SNAT6, 80, CLI6, 40701, "SNAT reply, v6");
}

static void local_connections(struct xdp_env *e)
{
	struct sockaddr_in a = { .sin_family = AF_INET };
	int u = -1, l = -1;
	struct pkt p;

	/* the node's own connected UDP socket on a Gateway address (DNS, upstreams) */
	u = socket(AF_INET, SOCK_DGRAM, 0);
	l = socket(AF_INET, SOCK_STREAM, 0);
	if (!ASSERT_TRUE(u >= 0 && l >= 0, "sockets"))
		goto out;
	a.sin_port = htons(40000);
	inet_pton(AF_INET, "10.0.0.1", &a.sin_addr);
	if (!ASSERT_OK(bind(u, (void *)&a, sizeof(a)), "bind UDP"))
		goto out;
	a.sin_port = htons(53);
	inet_pton(AF_INET, CLI4, &a.sin_addr);
	if (!ASSERT_OK(connect(u, (void *)&a, sizeof(a)), "connect UDP"))
		goto out;
	udp(&p, IN, CLI4, "10.0.0.1", 53, 40000);
	expect_pass(e, &p, IN, GW_STAT_PASS_LOCAL, "reply to the node's own UDP socket");
	udp(&p, IN, CLI4, "10.0.0.1", 53, 40001);
	expect_drop(e, &p, IN, GW_DROP_NO_LISTENER, "no socket: dropped");
	/* a listening socket is a server, not a connection: no way around the listeners */
	a.sin_port = htons(2222);
	inet_pton(AF_INET, "10.0.0.1", &a.sin_addr);
	if (!ASSERT_OK(bind(l, (void *)&a, sizeof(a)), "bind TCP") ||
	    !ASSERT_OK(listen(l, 1), "listen"))
		goto out;
	tcp(&p, IN, CLI4, "10.0.0.1", 40001, 2222, TF_SYN);
	expect_drop(e, &p, IN, GW_DROP_NO_LISTENER, "SYN to a listening socket");
	tcp(&p, IN, CLI4, "10.0.0.1", 40001, 2222, TF_ACK);
	expect_drop(e, &p, IN, GW_DROP_NO_LISTENER, "ACK to a listening socket");
	tcp(&p, IN, CLI4, "10.0.0.1", 40001, 80, TF_SYN);
	expect_pass(e, &p, IN, GW_STAT_PASS_L7, "the node address's own listener");
out:
	if (u >= 0)
		close(u);
	if (l >= 0)
		close(l);
}

static void counters(struct xdp_env *e)
{
	const struct gw_xdp_listener *l = NULL;
	uint32_t lid, rid, bid;
	struct result r;
	struct pkt p;
	uint64_t lp, rp, bp, bf, ld;

	for (size_t i = 0; i < e->m.nlisteners; i++)
		if (!strcmp(e->m.listeners[i].name, "infra/g/tcp"))
			l = &e->m.listeners[i];
	if (!ASSERT_OK_PTR(l, "listener"))
		return;
	lid = l->id;
	rid = e->m.routes[l->route4].id;
	bid = e->m.routes[l->route4].eps[0].id;
	lp = traffic(e->maps.lstats, lid, 0);
	rp = traffic(e->maps.rstats, rid, 0);
	bp = traffic(e->maps.bstats, bid, 0);
	bf = traffic(e->maps.bstats, bid, 2);
	tcp(&p, IN, CLI4, VIP4, 40800, 80, TF_SYN);
	if (!run(e, &p, IN, &r))
		return;
	tcp(&p, BE, BE4, CLI4, 8080, 40800, TF_SYN | TF_ACK);
	if (!run(e, &p, BE, &r))
		return;
	ASSERT_EQ(traffic(e->maps.lstats, lid, 0) - lp, 2, "listener packets, both directions");
	ASSERT_EQ(traffic(e->maps.rstats, rid, 0) - rp, 2, "route packets");
	ASSERT_EQ(traffic(e->maps.bstats, bid, 0) - bp, 2, "backend packets");
	ASSERT_EQ(traffic(e->maps.bstats, bid, 2) - bf, 1, "backend flows");
	ASSERT_GE(traffic(e->maps.bstats, bid, 1), 2 * p.len, "backend bytes");
	/* refusals count as drops of the listener */
	ld = traffic(e->maps.lstats, e->m.listeners[3].id, 3);
	tcp(&p, IN, CLI4, VIP4, 40801, 81, TF_SYN);
	if (run(e, &p, IN, &r))
		ASSERT_EQ(traffic(e->maps.lstats, e->m.listeners[3].id, 3) - ld, 1,
			  "refusal counted on the listener");
}

/*
 * An ICMP error quoting packet q_* (proto TCP/UDP) sent by router 'from'
 * to 'to', arriving on side 'side'.
 */
static void icmp_error(struct pkt *p, int side, const char *from, const char *to, uint8_t type,
		       uint8_t code, const char *qsrc, const char *qdst, uint8_t qproto,
		       uint16_t qsport, uint16_t qdport)
{
	bool v6 = strchr(from, ':');

	l2(p, side);
	if (v6) {
		pkt_push_ipv6(p, from, to, 58, 64);
		pkt_push_icmp6(p, type, code);
		pkt_push_ipv6(p, qsrc, qdst, qproto, 63);
	} else {
		pkt_push_ipv4(p, from, to, IPPROTO_ICMP, 64, 0, NULL, 0);
		pkt_push_icmp(p, type, code);
		pkt_push_ipv4(p, qsrc, qdst, qproto, 63, 0x4000, NULL, 0);
	}
	if (qproto == IPPROTO_UDP)
		pkt_push_udp(p, qsport, qdport);
	else
		pkt_push_tcp(p, qsport, qdport, TF_ACK);
	pkt_push_fill(p, 24);
	pkt_finish(p);
	/* the MTU in a fragmentation-needed / packet-too-big error */
	if (!v6 && type == 3 && code == 4)
		p->buf[14 + 20 + 7] = 0xe8, p->buf[14 + 20 + 6] = 0x03;	/* 1000 */
	if (v6 || (type == 3 && code == 4)) {
		/* recompute after the MTU edit */
		pkt_finish(p);
	}
}

static bool expect_quoted(const struct result *r, const char *src, uint16_t sport,
			  const char *dst, uint16_t dport, const char *name)
{
	struct pkt_info q;

	return ASSERT_TRUE(pkt_quoted(r->out, r->len, &q), name) &&
	       ASSERT_STREQ(q.saddr, src, "quoted source") &&
	       ASSERT_EQ(q.sport, sport, "quoted source port") &&
	       ASSERT_STREQ(q.daddr, dst, "quoted destination") &&
	       ASSERT_EQ(q.dport, dport, "quoted destination port");
}

/* ICMP errors about steered flows reach the flow's other end, in its own terms. */
static void icmp_errors(struct xdp_env *e)
{
	struct result r;
	struct pkt p;
	uint16_t port;

	/* flows: TCP v4 and v6, UDP v4 (DNAT), TCP v4 through SNAT */
	tcp(&p, IN, CLI4, VIP4, 42000, 80, TF_SYN);
	run(e, &p, IN, &r);
	tcp(&p, IN, CLI6, VIP6, 42000, 80, TF_SYN);
	run(e, &p, IN, &r);
	udp(&p, IN, CLI4, VIP4, 42001, 53);
	run(e, &p, IN, &r);
	tcp(&p, IN, CLI4, SNAT4, 42002, 80, TF_SYN);
	if (!run(e, &p, IN, &r) || !ASSERT_TRUE(r.parsed, "SNAT flow"))
		return;
	port = r.info.sport;

	/* a router toward the client: too big, about our reply -> to the backend */
	icmp_error(&p, IN, "10.0.0.254", VIP4, 3, 4, VIP4, CLI4, IPPROTO_TCP, 80, 42000);
	if (run(e, &p, IN, &r) &&
	    ASSERT_EQ(r.ret, XDP_REDIRECT, "frag needed about a reply") && r.parsed) {
		ASSERT_STREQ(r.info.daddr, BE4, "to the backend");
		ASSERT_STREQ(r.info.saddr, "10.0.0.254", "from the router still");
		ASSERT_EQ(r.info.icmp_info & 0xffff, 1000, "MTU kept");
		ASSERT_TRUE(mac_is(r.info.dmac, MAC_BACKEND), "backend's MAC");
		ASSERT_TRUE(pkt_csum_ok(r.out, r.len), "outer and ICMP checksums");
		expect_quoted(&r, BE4, 8080, CLI4, 42000, "quotes the backend's packet");
	}
	icmp_error(&p, IN, "fd00::fe", VIP6, 2, 0, VIP6, CLI6, IPPROTO_TCP, 80, 42000);
	if (run(e, &p, IN, &r) && ASSERT_EQ(r.ret, XDP_REDIRECT, "packet too big, v6") &&
	    r.parsed) {
		ASSERT_STREQ(r.info.daddr, BE6, "to the backend, v6");
		ASSERT_TRUE(pkt_csum_ok(r.out, r.len), "ICMPv6 checksum (pseudo-header too)");
		expect_quoted(&r, BE6, 8080, CLI6, 42000, "quotes the backend's packet, v6");
	}
	/* the backend refuses a datagram: port unreachable about what we sent it -> client */
	icmp_error(&p, BE, BE4, CLI4, 3, 3, CLI4, BE4, IPPROTO_UDP, 42001, 5353);
	if (run(e, &p, BE, &r) && ASSERT_EQ(r.ret, XDP_REDIRECT, "port unreachable, UDP") &&
	    r.parsed) {
		ASSERT_STREQ(r.info.daddr, CLI4, "to the client");
		ASSERT_TRUE(mac_is(r.info.dmac, MAC_CLIENT), "client's MAC");
		ASSERT_TRUE(pkt_csum_ok(r.out, r.len), "checksums");
		expect_quoted(&r, CLI4, 42001, VIP4, 53, "quotes what the client sent (UDP sum)");
	}
	/* SNAT: the error comes to our SNAT address; the client gets it about its own packet */
	icmp_error(&p, BE, "10.1.0.254", "10.1.0.1", 3, 4, "10.1.0.1", BE4, IPPROTO_TCP, port, 8080);
	if (run(e, &p, BE, &r) && ASSERT_EQ(r.ret, XDP_REDIRECT, "frag needed, SNAT") &&
	    r.parsed) {
		ASSERT_STREQ(r.info.daddr, CLI4, "to the client, SNAT");
		ASSERT_TRUE(pkt_csum_ok(r.out, r.len), "checksums, SNAT");
		expect_quoted(&r, CLI4, 42002, SNAT4, 80, "quotes what the client sent, SNAT");
	}
	/* about no flow of ours: an ICMP error like any other */
	icmp_error(&p, IN, "10.0.0.254", VIP4, 3, 4, VIP4, CLI4, IPPROTO_TCP, 80, 42999);
	expect_pass(e, &p, IN, GW_STAT_PASS_ICMP, "error about no flow of ours");
	/* an error with TTL 1 is never answered with another error */
	icmp_error(&p, IN, "10.0.0.254", VIP4, 3, 4, VIP4, CLI4, IPPROTO_TCP, 80, 42000);
	p.buf[14 + 8] = 1;
	pkt_finish(&p);
	expect_drop(e, &p, IN, GW_DROP_TTL, "ICMP error with TTL 1");
}

/* A closed connection's tuple reused by a new SYN is a new flow. */
static void tuple_reuse(struct xdp_env *e)
{
	uint64_t flows = counter(e->maps.stats, GW_STAT_NEW_FLOW);
	struct result r;
	struct pkt p;

	tcp(&p, IN, CLI4, VIP4, 40900, 80, TF_SYN);
	run(e, &p, IN, &r);
	tcp(&p, IN, CLI4, VIP4, 40900, 80, TF_SYN);	/* retransmission: same flow */
	run(e, &p, IN, &r);
	ASSERT_EQ(counter(e->maps.stats, GW_STAT_NEW_FLOW) - flows, 1, "retransmitted SYN");
	tcp(&p, IN, CLI4, VIP4, 40900, 80, TF_FIN | TF_ACK);
	run(e, &p, IN, &r);
	tcp(&p, IN, CLI4, VIP4, 40900, 80, TF_SYN);
	if (run(e, &p, IN, &r))
		expect_nat(&r, XDP_REDIRECT, CLI4, 40900, BE4, 8080, "SYN on a closed tuple");
	ASSERT_EQ(counter(e->maps.stats, GW_STAT_NEW_FLOW) - flows, 2, "a new flow");
}

/*
 * Reloads: a flow keeps its backend while that backend remains (even when
 * Maglev would now pick another), and moves when it is removed.
 */
static void reload_keeps_flows(struct xdp_env *e)
{
	uint64_t resel;
	struct result r;
	struct pkt p;
	uint16_t port;
	int moved_away = 0;

	/* many flows on the one backend */
	for (port = 30000; port < 30100; port++) {
		tcp(&p, IN, CLI4, VIP4, port, 87, TF_SYN);
		if (!run(e, &p, IN, &r) ||
		    !expect_nat(&r, XDP_REDIRECT, CLI4, port, BE4, 9000, "flow before reload"))
			return;
	}
	if (!ASSERT_OK(seed(e, V_MORE), "reload adding two backends"))
		return;
	for (port = 30000; port < 30100; port++) {
		tcp(&p, IN, CLI4, VIP4, port, 87, TF_ACK);
		if (!run(e, &p, IN, &r) ||
		    !expect_nat(&r, XDP_REDIRECT, CLI4, port, BE4, 9000, "flow kept its backend"))
			return;
	}
	/* new flows spread over the new table (the added backends have no neighbour: PASS) */
	for (port = 31000; port < 31100; port++) {
		tcp(&p, IN, CLI4, VIP4, port, 87, TF_SYN);
		if (!run(e, &p, IN, &r))
			return;
		moved_away += r.parsed && strcmp(r.info.daddr, BE4);
	}
	printf("# after adding two backends, %d of 100 new flows went to them\n", moved_away);
	ASSERT_TRUE(moved_away > 40 && moved_away < 90, "new flows use the added backends");
	/* remove the original backend: its flows move at their next packet */
	resel = counter(e->maps.stats, GW_STAT_RESELECT);
	if (!ASSERT_OK(seed(e, V_MOVED), "reload removing the first backend"))
		return;
	tcp(&p, IN, CLI4, VIP4, 30000, 87, TF_ACK);
	if (run(e, &p, IN, &r))
		expect_nat(&r, XDP_PASS, CLI4, 30000, "10.1.0.4", 9000, "flow moved off");
	ASSERT_EQ(counter(e->maps.stats, GW_STAT_RESELECT) - resel, 1, "reselect counted");
	/* and a reply of the old backend for a flow it lost is not ours anymore */
	tcp(&p, BE, BE4, CLI4, 9000, 30000, TF_ACK);
	expect_pass(e, &p, BE, GW_STAT_PASS, "reply of the old backend");
}

/* NAT over many random tuples: the incremental checksums always match a full recomputation. */
static void checksum_fuzz(struct xdp_env *e)
{
	char src[64];
	struct result r;
	struct pkt p;
	int bad = 0;

	srand(42);
	for (int i = 0; i < 400; i++) {
		bool v6 = i & 1, isudp = i & 2;
		uint16_t sport = (uint16_t)(1024 + rand() % 60000);
		size_t fill = (size_t)(rand() % 300);

		if (v6)
			snprintf(src, sizeof(src), "fd00::%x:%x", rand() & 0xffff, rand() & 0xffff);
		else
			snprintf(src, sizeof(src), "10.0.%d.%d", rand() % 256, 1 + rand() % 254);
		l2(&p, IN);
		if (v6)
			pkt_push_ipv6(&p, src, VIP6, isudp ? IPPROTO_UDP : IPPROTO_TCP, 64);
		else
			pkt_push_ipv4(&p, src, VIP4, isudp ? IPPROTO_UDP : IPPROTO_TCP, 64, 0, NULL, 0);
		if (isudp)
			pkt_push_udp(&p, sport, 53);
		else
			pkt_push_tcp(&p, sport, 80, TF_SYN);
		pkt_push_fill(&p, fill);
		pkt_finish(&p);
		if (!run(e, &p, IN, &r))
			return;
		if (r.ret != XDP_REDIRECT || !pkt_csum_ok(r.out, r.len)) {
			printf("# case %d (%s %s from %s:%u, %zu bytes): ret %d\n", i,
			       v6 ? "IPv6" : "IPv4", isudp ? "UDP" : "TCP", src, sport, fill, r.ret);
			bad++;
		}
	}
	ASSERT_EQ(bad, 0, "packets with wrong checksums after NAT");
}

void test_xdp(void)
{
	static const struct {
		const char *name;
		void (*fn)(struct xdp_env *e);
	} subtests[] = {
		{ "not_for_us", not_for_us },
		{ "malformed", malformed },
		{ "filtering", filtering },
		{ "tcp_flags", tcp_flags },
		{ "steer_v4", steer_v4 },
		{ "steer_v6", steer_v6 },
		{ "steer_udp", steer_udp },
		{ "ipv4_options", ipv4_options },
		{ "fragments", fragments },
		{ "ipv6_ext_headers", ipv6_ext_headers },
		{ "vlan", vlan },
		{ "reject", reject },
		{ "fib_outcomes", fib_outcomes },
		{ "snat", snat },
		{ "local_connections", local_connections },
		{ "counters", counters },
		{ "tuple_reuse", tuple_reuse },
		{ "icmp_errors", icmp_errors },
		{ "reload_keeps_flows", reload_keeps_flows },
		{ "checksum_fuzz", checksum_fuzz },
	};
	struct xdp_env e = { 0 };

	if (!ASSERT_OK(xdp_env_net(&e), "test network"))
		return;
	for (size_t i = 0; i < sizeof(subtests) / sizeof(subtests[0]); i++) {
		if (!test__start_subtest(subtests[i].name))
			continue;
		/* a fresh program and maps per subtest: no state leaks between them */
		if (!ASSERT_OK(xdp_env_open(&e), "load the XDP program") ||
		    !ASSERT_OK(seed(&e, V_BASE), "seed the maps")) {
			xdp_env_close(&e);
			continue;
		}
		subtests[i].fn(&e);
		xdp_env_close(&e);
	}
}

/* Before the loader has written a first generation the program stays out of the way. */
void test_xdp_unconfigured(void)
{
	struct xdp_env e = { 0 };
	struct result r;
	struct pkt p;

	if (!ASSERT_OK(xdp_env_net(&e), "test network") ||
	    !ASSERT_OK(xdp_env_open(&e), "load the XDP program"))
		goto out;
	tcp(&p, IN, CLI4, VIP4, 40000, 9999, TF_SYN);
	if (run(&e, &p, IN, &r)) {
		ASSERT_EQ(r.ret, XDP_PASS, "passes everything");
		ASSERT_MEMEQ(r.out, p.buf, p.len, "untouched");
	}
out:
	xdp_env_close(&e);
}
