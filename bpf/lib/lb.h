/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Load balancing and forwarding: the flow hash, the Maglev lookup of a
 * route's table, conntrack entries for both directions of a flow, and
 * sending a rewritten packet on its way (bpf_fib_lookup + redirect, or the
 * kernel when the neighbour is not resolved yet). Functions follow the
 * helper contract: >= 0 verdict, GW_CONTINUE, or a negated enum gw_drop.
 */
#ifndef GW_BPF_LB_H
#define GW_BPF_LB_H

#include "csum.h"
#include "nat.h"
#include "icmp.h"

/* ---- flow hash: Bob Jenkins' lookup3, as the kernel's jhash --------- */

#define GW_JHASH_INITVAL	0xdeadbeef
/* fixed seed: the same flow must hash the same after a restart or reload */
#define GW_FLOW_SEED		0x5f3759dfU

static __always_inline __u32 rol32(__u32 w, unsigned int s)
{
	return (w << s) | (w >> (32 - s));
}

#define __jhash_mix(a, b, c)                                                                  \
	do {                                                                                  \
		a -= c; a ^= rol32(c, 4); c += b;                                             \
		b -= a; b ^= rol32(a, 6); a += c;                                             \
		c -= b; c ^= rol32(b, 8); b += a;                                             \
		a -= c; a ^= rol32(c, 16); c += b;                                            \
		b -= a; b ^= rol32(a, 19); a += c;                                            \
		c -= b; c ^= rol32(b, 4); b += a;                                             \
	} while (0)

#define __jhash_final(a, b, c)                                                                \
	do {                                                                                  \
		c ^= b; c -= rol32(b, 14);                                                    \
		a ^= c; a -= rol32(c, 11);                                                    \
		b ^= a; b -= rol32(a, 25);                                                    \
		c ^= b; c -= rol32(b, 16);                                                    \
		a ^= c; a -= rol32(c, 4);                                                     \
		b ^= a; b -= rol32(a, 14);                                                    \
		c ^= b; c -= rol32(b, 24);                                                    \
	} while (0)

/* Hash of the flow as the client sent it; picks the Maglev slot. */
static __always_inline __u32 gw_flow_hash(const struct gw_ct_key *t)
{
	__u32 ports = ((__u32)t->sport << 16) | t->dport;
	__u32 a, b, c;

	if (t->family == GW_FAM_V4) {
		a = t->saddr.v4 + GW_JHASH_INITVAL;
		b = t->daddr.v4 + GW_JHASH_INITVAL;
		c = (ports ^ t->proto) + GW_JHASH_INITVAL + GW_FLOW_SEED;
		__jhash_final(a, b, c);
		return c;
	}
	/* jhash2 over saddr, daddr, ports: nine words */
	a = b = c = GW_JHASH_INITVAL + (9 << 2) + GW_FLOW_SEED + t->proto;
	a += t->saddr.v6[0];
	b += t->saddr.v6[1];
	c += t->saddr.v6[2];
	__jhash_mix(a, b, c);
	a += t->saddr.v6[3];
	b += t->daddr.v6[0];
	c += t->daddr.v6[1];
	__jhash_mix(a, b, c);
	a += t->daddr.v6[2];
	b += t->daddr.v6[3];
	c += ports;
	__jhash_final(a, b, c);
	return c;
}

/* ---- Maglev ---------------------------------------------------------- */

/* Backend id for hash in route rid's table of generation gen, or a negated drop reason. */
static __always_inline int gw_maglev_pick(__u32 gen, __u32 rid, const struct gw_route_val *r,
					  __u32 hash, __u32 *backend)
{
	__u32 slot = gen * GW_MAX_ROUTES + rid, idx, elem;
	struct gw_maglev_pair *pair;
	void *tbl;

	tbl = bpf_map_lookup_elem(&gw_maglev, &slot);
	if (!tbl || !r->maglev_size)
		return -GW_DROP_NO_BACKEND;
	idx = hash % r->maglev_size;
	elem = idx / 2;
	pair = bpf_map_lookup_elem(tbl, &elem);
	if (!pair)
		return -GW_DROP_NO_BACKEND;
	*backend = pair->id[idx & 1];
	return 0;
}

/* ---- conntrack ------------------------------------------------------- */

/* Key of the replies to a packet sent with tuple nt. */
static __always_inline void ct_reply_key(const struct gw_ct_key *nt, struct gw_ct_key *rk)
{
	rk->saddr = nt->daddr;
	rk->daddr = nt->saddr;
	rk->sport = nt->dport;
	rk->dport = nt->sport;
	rk->proto = nt->proto;
	rk->family = nt->family;
	rk->pad = 0;
}

static __always_inline void ct_touch(struct gw_ct_val *ct, __u8 tcp_flags, __u8 proto)
{
	__u64 now = gw_now();

	/*
	 * A shared cache line: written at most once a second per flow. The
	 * FIB cache goes with it, so a route or neighbour change is seen
	 * within a second.
	 */
	if (now - ct->last_seen > NSEC_PER_SEC) {
		ct->last_seen = now;
		ct->fib_ifindex = 0;
	}
	if (proto == IPPROTO_TCP && (tcp_flags & (TCP_FIN | TCP_RST)) &&
	    !(ct->flags & GW_CT_F_CLOSING))
		ct->flags |= GW_CT_F_CLOSING;
}

/* Removes the reply entry belonging to forward entry ct of flow t. */
static __always_inline void ct_delete_reply(const struct gw_ct_key *t, const struct gw_ct_val *ct)
{
	struct gw_ct_key nt = *t, rk;

	if (ct->flags & GW_CT_F_RW_SRC) {
		nt.saddr = ct->nat_saddr;
		nt.sport = ct->nat_sport;
	}
	nt.daddr = ct->nat_daddr;
	nt.dport = ct->nat_dport;
	ct_reply_key(&nt, &rk);
	bpf_map_delete_elem(&gw_conntrack, &rk);
}

/*
 * Whether a reply entry that holds a SNAT port may be taken over: its flow
 * closed (FIN or RST seen) a while ago, or it has been idle for long.
 * Its forward entry goes with it.
 */
static __always_inline bool ct_snat_reclaim(const struct gw_ct_key *rk, struct gw_ct_val *old)
{
	__u64 age = gw_now() - old->last_seen;
	struct gw_ct_key fk;

	if (old->dir != GW_CT_REV || !((old->flags & GW_CT_F_CLOSING) ? age > GW_SNAT_CLOSED_NS
								       : age > GW_SNAT_IDLE_NS))
		return false;
	fk.saddr = old->nat_daddr;
	fk.daddr = old->nat_saddr;
	fk.sport = old->nat_dport;
	fk.dport = old->nat_sport;
	fk.proto = rk->proto;
	fk.family = rk->family;
	fk.pad = 0;
	bpf_map_delete_elem(&gw_conntrack, &fk);
	return true;
}

/*
 * Whether a socket of the node itself is connected with the reply tuple rk
 * (the backend talking to our address and port): then that port is taken.
 * Sockets the node opens later are not seen; the fallback range keeps out
 * of the node's ephemeral ports so that those rarely meet.
 */
static __always_inline bool port_used_locally(struct gw_ctx *ctx, const struct gw_ct_key *rk)
{
	struct bpf_sock_tuple tup = {};
	struct bpf_sock *sk;
	__u32 size;

	if (rk->family == GW_FAM_V4) {
		tup.ipv4.saddr = rk->saddr.v4;
		tup.ipv4.daddr = rk->daddr.v4;
		tup.ipv4.sport = rk->sport;
		tup.ipv4.dport = rk->dport;
		size = sizeof(tup.ipv4);
	} else {
		__builtin_memcpy(tup.ipv6.saddr, rk->saddr.v6, 16);
		__builtin_memcpy(tup.ipv6.daddr, rk->daddr.v6, 16);
		tup.ipv6.sport = rk->sport;
		tup.ipv6.dport = rk->dport;
		size = sizeof(tup.ipv6);
	}
	if (rk->proto == IPPROTO_TCP)
		sk = bpf_skc_lookup_tcp(ctx, &tup, size, BPF_F_CURRENT_NETNS, 0);
	else
		sk = bpf_sk_lookup_udp(ctx, &tup, size, BPF_F_CURRENT_NETNS, 0);
	if (!sk)
		return false;
	bpf_sk_release(sk);
	return true;
}

/* Claims SNAT port (network order) for the flow by inserting its reply entry rv. */
static __always_inline bool ct_claim_port(struct gw_ctx *ctx, struct gw_ct_key *nt,
					  const struct gw_ct_val *rv, struct gw_ct_key *rk,
					  __be16 port)
{
	struct gw_ct_val *old;

	nt->sport = port;
	ct_reply_key(nt, rk);
	if (!bpf_map_update_elem(&gw_conntrack, rk, rv, BPF_NOEXIST))
		return true;
	old = bpf_map_lookup_elem(&gw_conntrack, rk);
	return old && ct_snat_reclaim(rk, old) &&
	       !bpf_map_update_elem(&gw_conntrack, rk, rv, BPF_ANY);
}

/*
 * SNAT: a source port whose reply key is free, claimed by inserting the
 * reply entry rv. The client's own port first, as masquerade does (one
 * client reusing a port after a close gets the same mapping back), unless
 * a local socket has that tuple; then a few probes from a hash-chosen
 * start in the SNAT range, outside the node's ephemeral ports. nt->sport
 * is set on success.
 */
#define GW_SNAT_PROBES 8

static __always_inline int ct_claim_snat(struct gw_ctx *ctx, const struct gw_cfg *cfg,
					 struct gw_ct_key *nt, const struct gw_ct_val *rv,
					 struct gw_ct_key *rk, __u32 hash)
{
	__u32 lo = cfg->snat_port_min, hi = cfg->snat_port_max, range;

	ct_reply_key(nt, rk);
	if (bpf_ntohs(nt->sport) >= GW_SNAT_PORT_FLOOR && !port_used_locally(ctx, rk) &&
	    ct_claim_port(ctx, nt, rv, rk, nt->sport))
		return 0;
	if (!lo || hi < lo)
		return -GW_DROP_SNAT_PORTS;
	range = hi - lo + 1;
	for (int i = 0; i < GW_SNAT_PROBES; i++) {
		nt->sport = bpf_htons((__u16)(lo + (hash + i * 2654435761U) % range));
		ct_reply_key(nt, rk);
		if (!port_used_locally(ctx, rk) && ct_claim_port(ctx, nt, rv, rk, nt->sport))
			return 0;
	}
	return -GW_DROP_SNAT_PORTS;
}

/* ---- forwarding ------------------------------------------------------ */

static __always_inline int want_icmp(struct gw_fwd *fw, __u8 type, __u8 code, __u32 info)
{
	fw->icmp = 1;
	fw->icmp_type = type;
	fw->icmp_code = code;
	fw->icmp_info = info;
	return GW_CONTINUE;
}

/* Routes the packet as if it already carried tuple fw->nt; sets fw->frc. */
static __always_inline int gw_fib(struct gw_ctx *ctx, const struct gw_pkt *p, struct gw_fwd *fw)
{
	void *data_end = (void *)(long)ctx->data_end;
	struct bpf_fib_lookup *fib = &fw->fib;
	const struct gw_ct_key *nt = &fw->nt;

	__builtin_memset(fib, 0, sizeof(*fib));
	fib->ifindex = ctx->ingress_ifindex;
	fib->l4_protocol = nt->proto;
	fib->sport = nt->sport;
	fib->dport = nt->dport;
	fib->tot_len = p->wire_len;
	if (nt->family == GW_FAM_V4) {
		struct iphdr *iph = p->l3;

		if ((void *)(iph + 1) > data_end)
			return -GW_DROP_MALFORMED;
		fib->family = AF_INET;
		fib->tos = iph->tos;
		fib->ipv4_src = nt->saddr.v4;
		fib->ipv4_dst = nt->daddr.v4;
	} else {
		struct ipv6hdr *ip6h = p->l3;

		if ((void *)(ip6h + 1) > data_end)
			return -GW_DROP_MALFORMED;
		fib->family = AF_INET6;
		fib->flowinfo = *(__be32 *)ip6h & bpf_htonl(0x0FFFFFFF);
		__builtin_memcpy(fib->ipv6_src, nt->saddr.v6, 16);
		__builtin_memcpy(fib->ipv6_dst, nt->daddr.v6, 16);
	}
	fw->frc = gw_fib_lookup(ctx, fib, sizeof(*fib), 0);
	return GW_CONTINUE;
}

/* A cached FIB result of ct for this packet, if there is a usable one. */
static __always_inline bool fib_cached(const struct gw_pkt *p, const struct gw_ct_val *ct,
				       struct gw_fwd *fw)
{
	if (!ct || !ct->fib_ifindex || p->wire_len > ct->fib_len || p->nvlan)
		return false;
	fw->fib.ifindex = ct->fib_ifindex;
	__builtin_memcpy(fw->fib.dmac, ct->fib_dmac, ETH_ALEN);
	__builtin_memcpy(fw->fib.smac, ct->fib_smac, ETH_ALEN);
	fw->frc = BPF_FIB_LKUP_RET_SUCCESS;
	return true;
}

/* Remembers a successful lookup in ct (the interface last: readers test it first). */
static __always_inline void fib_cache(const struct gw_pkt *p, struct gw_ct_val *ct,
				      const struct gw_fwd *fw)
{
	if (!ct || fw->frc != BPF_FIB_LKUP_RET_SUCCESS || p->nvlan)
		return;
	if (ct->fib_ifindex == fw->fib.ifindex && ct->fib_len >= p->wire_len)
		return;
	__builtin_memcpy(ct->fib_dmac, fw->fib.dmac, ETH_ALEN);
	__builtin_memcpy(ct->fib_smac, fw->fib.smac, ETH_ALEN);
	if (p->wire_len > ct->fib_len || ct->fib_ifindex != fw->fib.ifindex)
		ct->fib_len = p->wire_len;
	ct->fib_ifindex = fw->fib.ifindex;
}

/*
 * What the FIB result means before anything is rewritten: GW_CONTINUE to
 * go on (redirect or kernel, or the ICMP error it asked for: frag needed,
 * TTL exceeded, built from the original packet so it quotes what the
 * sender sent), or a drop. Errors about replies (from a backend) come from
 * the address of the interface the reply arrived on (a backend needs its
 * fragmentation-needed as much as a client does); errors about errors are
 * never sent.
 */
static __always_inline int gw_fib_verdict(const struct gw_pkt *p, struct gw_fwd *fw)
{
	int frc = fw->frc;

	if (frc == BPF_FIB_LKUP_RET_BLACKHOLE || frc == BPF_FIB_LKUP_RET_UNREACHABLE ||
	    frc == BPF_FIB_LKUP_RET_PROHIBIT)
		return -GW_DROP_FIB;
	if (frc == BPF_FIB_LKUP_RET_FRAG_NEEDED && (p->t.family == GW_FAM_V6 || p->df)) {
		if (fw->quiet)
			return -GW_DROP_FIB;
		fw->icmp_from_iface = fw->reply;
		if (p->t.family == GW_FAM_V4)
			return want_icmp(fw, ICMP_DEST_UNREACH, ICMP_FRAG_NEEDED,
					 fw->fib.mtu_result);
		return want_icmp(fw, ICMPV6_PKT_TOOBIG, 0, fw->fib.mtu_result);
	}
	if (p->ttl <= 1) {
		if (fw->reply || fw->quiet)
			return -GW_DROP_TTL;
		if (p->t.family == GW_FAM_V4)
			return want_icmp(fw, ICMP_TIME_EXCEEDED, ICMP_EXC_TTL, 0);
		return want_icmp(fw, ICMPV6_TIME_EXCEED, ICMPV6_EXC_HOPLIMIT, 0);
	}
	return GW_CONTINUE;
}

/*
 * Rewrites the packet to fw->nt and sends it: with a resolved neighbour
 * and no VLAN tag, TTL - 1, new MACs, XDP_TX or bpf_redirect(); otherwise
 * XDP_PASS, and the kernel forwards the rewritten packet (resolving the
 * neighbour, or handling the VLAN device), so no first packet is lost.
 */
static __always_inline int gw_xmit(struct gw_ctx *ctx, struct gw_pkt *p, struct gw_fwd *fw)
{
	void *data_end;
	struct ethhdr *eth;
	int rc;

	rc = gw_nat_rewrite(ctx, p, &fw->nt);
	if (rc)
		return rc;
	/* read after the rewrite: on tc its checksum helpers move packet data */
	data_end = (void *)(long)ctx->data_end;
	eth = p->eth;
	/* the kernel decrements the TTL itself on this path */
	if (fw->frc != BPF_FIB_LKUP_RET_SUCCESS || p->nvlan) {
		p->stat = fw->reply ? GW_STAT_REV_KERNEL : GW_STAT_FWD_KERNEL;
		return XDP_PASS;
	}
	if ((void *)(eth + 1) > data_end)
		return -GW_DROP_MALFORMED;
	if (p->t.family == GW_FAM_V4) {
		struct iphdr *iph = p->l3;

		if ((void *)(iph + 1) > data_end)
			return -GW_DROP_MALFORMED;
		ipv4_decrease_ttl(iph);
	} else {
		struct ipv6hdr *ip6h = p->l3;

		if ((void *)(ip6h + 1) > data_end)
			return -GW_DROP_MALFORMED;
		ip6h->hop_limit--;
	}
	__builtin_memcpy(eth->h_dest, fw->fib.dmac, ETH_ALEN);
	__builtin_memcpy(eth->h_source, fw->fib.smac, ETH_ALEN);
	p->stat = fw->reply ? GW_STAT_REV : GW_STAT_FWD;
	if (fw->fib.ifindex == ctx->ingress_ifindex)
		return XDP_TX;
	return gw_ctx_redirect(ctx, fw->fib.ifindex);
}

#endif
