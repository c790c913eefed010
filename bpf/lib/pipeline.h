/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The per-packet pipeline: parse, conntrack (established flows and their
 * replies), Gateway address check (everything else passes untouched),
 * listener filtering, and steering of new flows by weighted Maglev.
 * gw_process() returns a verdict or a negated drop reason for gw_finish().
 */
#ifndef GW_BPF_PIPELINE_H
#define GW_BPF_PIPELINE_H

#include "parse.h"
#include "lb.h"
#include "icmp_nat.h"

static __always_inline bool tcp_syn_only(const struct gw_pkt *p)
{
	return p->t.proto == IPPROTO_TCP && (p->tcp_flags & (TCP_SYN | TCP_ACK)) == TCP_SYN;
}

/* A packet that may open a flow: a TCP SYN, or any UDP datagram. */
static __always_inline bool opens_flow(const struct gw_pkt *p)
{
	return p->t.proto == IPPROTO_UDP || tcp_syn_only(p);
}

/*
 * Flag combinations no TCP stack sends: SYN with FIN or RST, and no
 * control flag at all (the NULL scan). Dropped before they reach a backend.
 */
static __always_inline bool tcp_flags_invalid(const struct gw_pkt *p)
{
	__u8 f = p->tcp_flags;

	if (p->t.proto != IPPROTO_TCP)
		return false;
	if ((f & TCP_SYN) && (f & (TCP_FIN | TCP_RST)))
		return true;
	return !(f & (TCP_SYN | TCP_ACK | TCP_RST | TCP_FIN));
}

/*
 * Whether the packet belongs to a connection the node itself opened from
 * a Gateway address (gwd's upstream connections, DNS, ...): a connected
 * local socket exists. New connections (SYN) never qualify, so filtering
 * of inbound connections does not depend on it.
 */
static __always_inline bool local_conn(struct gw_ctx *ctx, const struct gw_pkt *p)
{
	struct bpf_sock_tuple tup = {};
	struct bpf_sock *sk;
	__u32 size;
	bool ok;

	if (tcp_syn_only(p))
		return false;
	if (p->t.family == GW_FAM_V4) {
		tup.ipv4.saddr = p->t.saddr.v4;
		tup.ipv4.daddr = p->t.daddr.v4;
		tup.ipv4.sport = p->t.sport;
		tup.ipv4.dport = p->t.dport;
		size = sizeof(tup.ipv4);
	} else {
		__builtin_memcpy(tup.ipv6.saddr, p->t.saddr.v6, 16);
		__builtin_memcpy(tup.ipv6.daddr, p->t.daddr.v6, 16);
		tup.ipv6.sport = p->t.sport;
		tup.ipv6.dport = p->t.dport;
		size = sizeof(tup.ipv6);
	}
	if (p->t.proto == IPPROTO_TCP) {
		sk = bpf_skc_lookup_tcp(ctx, &tup, size, BPF_F_CURRENT_NETNS, 0);
		if (!sk)
			return false;
		ok = sk->state != BPF_TCP_LISTEN;
	} else {
		sk = bpf_sk_lookup_udp(ctx, &tup, size, BPF_F_CURRENT_NETNS, 0);
		if (!sk)
			return false;
		/* a bound but unconnected socket is a server: that is what listeners are for */
		ok = sk->dst_port != 0;
	}
	bpf_sk_release(sk);
	return ok;
}

/*
 * Refuses a new flow with ICMP port unreachable (TCP and UDP alike: a
 * Linux client fails connect() at once with ECONNREFUSED); packets that
 * do not open a flow are just dropped.
 */
static __always_inline int gw_reject(struct gw_pkt *p, struct gw_fwd *fw)
{
	if (!opens_flow(p))
		return -GW_DROP_NO_BACKEND;
	fw->reject = 1;
	if (p->t.family == GW_FAM_V4)
		return want_icmp(fw, ICMP_DEST_UNREACH, ICMP_PORT_UNREACH, 0);
	return want_icmp(fw, ICMPV6_DEST_UNREACH, ICMPV6_PORT_UNREACH, 0);
}

/* Attributes the packet to a flow's listener, route and backend for the counters. */
static __always_inline void attribute(struct gw_pkt *p, __u32 listener, __u32 route,
				      __u32 backend)
{
	p->listener = listener;
	p->route = route;
	p->backend = backend;
	p->has |= GW_PKT_HAS_LISTENER | GW_PKT_HAS_ROUTE | GW_PKT_HAS_BACKEND;
}

/* Whether ct still points at backend id b as the loader describes it now. */
static __always_inline bool backend_current(const struct gw_ct_val *ct, __u32 b)
{
	struct gw_backend_val *be = bpf_map_lookup_elem(&gw_backends, &b);

	return be && (be->flags & GW_BF_LIVE) && be->port == ct->nat_dport &&
	       be->addr.v6[0] == ct->nat_daddr.v6[0] && be->addr.v6[1] == ct->nat_daddr.v6[1] &&
	       be->addr.v6[2] == ct->nat_daddr.v6[2] && be->addr.v6[3] == ct->nat_daddr.v6[3];
}

/* Sets fw to forward the packet with conntrack entry ct applied. */
static __always_inline int forward_with(struct gw_pkt *p, struct gw_fwd *fw,
					struct gw_ct_val *ct, bool reply)
{
	attribute(p, ct->listener, ct->route, ct->backend);
	gw_nat_tuple(p, ct, &fw->nt);
	fw->reply = reply;
	fw->ready = 1;
	fw->from_ct = 1;
	return GW_CONTINUE;
}

/*
 * A new flow (or one whose backend left): pick a backend by Maglev, route
 * toward it (the SNAT address depends on the egress interface), record
 * both directions in conntrack.
 */
static __always_inline int gw_new_flow(struct gw_ctx *ctx, struct gw_pkt *p,
				       const struct gw_cfg *cfg, const struct gw_listener_val *l,
				       const struct gw_route_val *r, struct gw_ct_val *old,
				       struct gw_scratch *sc)
{
	struct gw_ct_val *fv = &sc->fv, *rv = &sc->rv;
	struct gw_fwd *fw = &sc->fw;
	struct gw_backend_val *be;
	__u32 hash, b;
	bool moved;
	int rc;

	/*
	 * Read before the entry is replaced (an LRU node may be reused at
	 * once): a SYN reusing a closed connection's tuple is a new flow, any
	 * other existing flow here is moving off its backend.
	 */
	moved = old && !(old->flags & GW_CT_F_CLOSING);
	hash = gw_flow_hash(&p->t);
	rc = gw_maglev_pick(cfg->gen, l->route, r, hash, &b);
	if (rc)
		return rc;
	if (b == GW_BACKEND_REJECT)
		return gw_reject(p, fw);
	be = bpf_map_lookup_elem(&gw_backends, &b);
	if (!be || !(be->flags & GW_BF_LIVE) || be->family != p->t.family)
		return -GW_DROP_BACKEND_GONE;
	attribute(p, l->id, l->route, b);
	fw->nt = p->t;
	fw->nt.daddr = be->addr;
	fw->nt.dport = be->port;
	rc = gw_fib(ctx, p, fw);
	if (rc != GW_CONTINUE)
		return rc;
	rc = gw_fib_verdict(p, fw);
	if (rc != GW_CONTINUE || fw->icmp)
		return rc;

	if (old)
		ct_delete_reply(&p->t, old);
	__builtin_memset(fv, 0, sizeof(*fv));
	__builtin_memset(rv, 0, sizeof(*rv));
	fv->dir = GW_CT_FWD;
	fv->flags = GW_CT_F_RW_DST;
	fv->nat_daddr = be->addr;
	fv->nat_dport = be->port;
	fv->backend = b;
	fv->route = l->route;
	fv->listener = l->id;
	fv->serial = (__u32)cfg->serial;
	fv->last_seen = gw_now();
	if (fw->frc == BPF_FIB_LKUP_RET_SUCCESS && !p->nvlan) {
		fv->fib_ifindex = fw->fib.ifindex;
		fv->fib_len = p->wire_len;
		__builtin_memcpy(fv->fib_dmac, fw->fib.dmac, ETH_ALEN);
		__builtin_memcpy(fv->fib_smac, fw->fib.smac, ETH_ALEN);
	}
	rv->dir = GW_CT_REV;
	rv->flags = GW_CT_F_RW_SRC;
	rv->nat_saddr = p->t.daddr;
	rv->nat_sport = p->t.dport;
	rv->backend = b;
	rv->route = l->route;
	rv->listener = l->id;
	rv->serial = fv->serial;
	rv->last_seen = fv->last_seen;
	if (l->flags & GW_LF_SNAT) {
		__u32 ifindex = fw->fib.ifindex;
		struct gw_iface *ifc = bpf_map_lookup_elem(&gw_ifaces, &ifindex);

		if (!ifc)
			return -GW_DROP_NO_SNAT_ADDR;
		if (p->t.family == GW_FAM_V4) {
			if (!ifc->snat4)
				return -GW_DROP_NO_SNAT_ADDR;
			fw->nt.saddr.v4 = ifc->snat4;
		} else {
			if (!(ifc->snat6[0] | ifc->snat6[1] | ifc->snat6[2] | ifc->snat6[3]))
				return -GW_DROP_NO_SNAT_ADDR;
			__builtin_memcpy(fw->nt.saddr.v6, ifc->snat6, 16);
		}
		rv->flags |= GW_CT_F_RW_DST;
		rv->nat_daddr = p->t.saddr;
		rv->nat_dport = p->t.sport;
		rc = ct_claim_snat(ctx, cfg, &fw->nt, rv, &sc->rk, hash);
		if (rc)
			return rc;
		fv->flags |= GW_CT_F_RW_SRC;
		fv->nat_saddr = fw->nt.saddr;
		fv->nat_sport = fw->nt.sport;
	} else {
		ct_reply_key(&fw->nt, &sc->rk);
		if (bpf_map_update_elem(&gw_conntrack, &sc->rk, rv, BPF_ANY))
			return -GW_DROP_CT_FULL;
	}
	if (bpf_map_update_elem(&gw_conntrack, &p->t, fv, BPF_ANY))
		return -GW_DROP_CT_FULL;
	gw_count_flow(p, moved);
	fw->ready = 1;
	return GW_CONTINUE;
}

/*
 * To a steering listener: keep the flow's backend if conntrack has one
 * that is still current for this route, else choose one.
 */
static __always_inline int gw_steer(struct gw_ctx *ctx, struct gw_pkt *p,
				    const struct gw_cfg *cfg, const struct gw_listener_val *l,
				    struct gw_ct_val *old, struct gw_scratch *sc)
{
	struct gw_fwd *fw = &sc->fw;
	__u32 rkey = cfg->gen * GW_MAX_ROUTES + l->route;
	struct gw_route_val *r;

	if (l->route >= GW_MAX_ROUTES)
		return -GW_DROP_NO_CONFIG;
	r = bpf_map_lookup_elem(&gw_routes, &rkey);
	if (!r)
		return -GW_DROP_NO_CONFIG;
	p->route = l->route;
	p->has |= GW_PKT_HAS_ROUTE;
	if (!r->maglev_size)
		return gw_reject(p, fw);
	if (old && old->route == l->route && !(tcp_syn_only(p) && (old->flags & GW_CT_F_CLOSING)) &&
	    backend_current(old, old->backend)) {
		/* still valid under the new configuration: keep it (its route looked up anew) */
		old->serial = (__u32)cfg->serial;
		old->listener = l->id;
		old->fib_ifindex = 0;
		ct_touch(old, p->tcp_flags, p->t.proto);
		return forward_with(p, fw, old, false);
	}
	if (tcp_flags_invalid(p))
		return -GW_DROP_TCP_FLAGS;
	return gw_new_flow(ctx, p, cfg, l, r, old, sc);
}

/* Listener filtering for a packet to a Gateway address. */
static __always_inline int gw_filter(struct gw_ctx *ctx, struct gw_pkt *p,
				     const struct gw_cfg *cfg, struct gw_ct_val *old,
				     struct gw_scratch *sc)
{
	struct gw_fwd *fw = &sc->fw;
	struct gw_listener_key lk = {};
	struct gw_listener_val *l;

	if (p->state == GW_PKT_EXTHDRS)
		return -GW_DROP_EXTHDR;
	if (p->state != GW_PKT_OK)
		return -GW_DROP_MALFORMED;
	if (p->t.proto == IPPROTO_ICMP || p->t.proto == IPPROTO_ICMPV6) {
		/* ping, PMTU and neighbour discovery are the kernel's business */
		p->stat = GW_STAT_PASS_ICMP;
		return XDP_PASS;
	}
	if (p->frag == GW_FRAG_LATER) {
		/*
		 * No ports to filter on. The first fragment was filtered (and
		 * dropped unless it was for an L7 listener), so reassembly can
		 * only complete for what the filter let through.
		 */
		p->stat = GW_STAT_PASS_FRAG;
		return XDP_PASS;
	}
	if (p->t.proto != IPPROTO_TCP && p->t.proto != IPPROTO_UDP)
		return -GW_DROP_PROTO;
	lk.addr = p->t.daddr;
	lk.port = p->t.dport;
	lk.proto = p->t.proto;
	lk.family = p->t.family;
	lk.gen = cfg->gen;
	l = bpf_map_lookup_elem(&gw_listeners, &lk);
	if (!l) {
		if (old)
			bpf_map_delete_elem(&gw_conntrack, &p->t);
		if (local_conn(ctx, p)) {
			p->stat = GW_STAT_PASS_LOCAL;
			return XDP_PASS;
		}
		return -GW_DROP_NO_LISTENER;
	}
	p->listener = l->id;
	p->has |= GW_PKT_HAS_LISTENER;
	if (l->action == GW_ACT_PASS) {
		p->stat = GW_STAT_PASS_L7;
		return XDP_PASS;
	}
	if (p->frag == GW_FRAG_FIRST)
		return -GW_DROP_FRAG;
	if (l->action == GW_ACT_REJECT) {
		if (tcp_flags_invalid(p))
			return -GW_DROP_TCP_FLAGS;
		return gw_reject(p, fw);
	}
	return gw_steer(ctx, p, cfg, l, old, sc);
}

/*
 * A conntrack hit. Replies are reverse-NATed at once. Forward packets go
 * straight to their backend unless the configuration changed since the
 * entry was validated (then the listener path re-checks it) or a SYN
 * reuses the tuple of a closed connection (then it is a new flow).
 */
static __always_inline int gw_ct_hit(struct gw_pkt *p, const struct gw_cfg *cfg,
				     struct gw_ct_val *ct, struct gw_fwd *fw)
{
	if (ct->dir == GW_CT_REV) {
		ct_touch(ct, p->tcp_flags, p->t.proto);
		return forward_with(p, fw, ct, true);
	}
	if (ct->serial != (__u32)cfg->serial || (tcp_syn_only(p) && (ct->flags & GW_CT_F_CLOSING)))
		return GW_CONTINUE;
	ct_touch(ct, p->tcp_flags, p->t.proto);
	return forward_with(p, fw, ct, false);
}

/*
 * An ICMP error about one of our flows: its quoted packet rewritten for
 * the other side, the error forwarded there. GW_CONTINUE with fw ready, or
 * GW_CONTINUE as it was when it is not about one of our flows.
 */
static __always_inline int gw_icmp_error(struct gw_ctx *ctx, struct gw_pkt *p, struct gw_fwd *fw)
{
	struct gw_icmp_nat q = {
		.l4_off = p->l4_off,
		.family = p->t.family,
		.old_daddr = p->t.daddr,
	};
	int rc = gw_icmp_nat(ctx, &q);

	if (rc <= 0)
		return rc ? rc : GW_CONTINUE;
	attribute(p, q.listener, q.route, q.backend);
	fw->nt = p->t;
	fw->nt.daddr = q.daddr;
	fw->reply = q.to_client;
	fw->quiet = 1;
	fw->ready = 1;
	return GW_CONTINUE;
}

static __always_inline int gw_process(struct gw_ctx *ctx, struct gw_pkt *p)
{
	struct gw_ct_val *ct = NULL;
	struct gw_addr_key ak = {};
	struct gw_scratch *sc;
	struct gw_fwd *fw;
	struct gw_cfg *cfg;
	__u32 zero = 0;
	int rc;

	p->stat = GW_STAT_PASS;
	rc = gw_parse(ctx, p);
	if ((rc != GW_CONTINUE || p->state == GW_PKT_MALFORMED) && gw_ctx_pull_headers(ctx)) {
		__builtin_memset(p, 0, sizeof(*p));
		p->stat = GW_STAT_PASS;
		rc = gw_parse(ctx, p);
	}
	if (rc != GW_CONTINUE)
		return rc;
	rc = gw_pkt_ptrs(ctx, p);
	if (rc != GW_CONTINUE)
		return rc;
	gw_ctx_wire_len(ctx, p);
	cfg = bpf_map_lookup_elem(&gw_config, &zero);
	/* attached before the first tables were complete: stay out of the way */
	if (!cfg || !(cfg->flags & GW_CFG_F_ACTIVE))
		return XDP_PASS;
	sc = bpf_map_lookup_elem(&gw_scratch, &zero);
	if (!sc)
		return -GW_DROP_NO_CONFIG;
	fw = &sc->fw;
	fw->frc = GW_FIB_NONE;
	fw->ready = 0;
	fw->reply = 0;
	fw->icmp = 0;
	fw->reject = 0;
	fw->from_ct = 0;
	fw->quiet = 0;
	fw->icmp_from_iface = 0;
	if (p->state == GW_PKT_OK && p->frag == GW_FRAG_NONE && p->l4_valid &&
	    (p->t.proto == IPPROTO_ICMP || p->t.proto == IPPROTO_ICMPV6)) {
		struct icmphdr *ic = p->l4;

		if ((void *)(ic + 1) <= (void *)(long)ctx->data_end &&
		    icmp_is_error(p->t.family, ic->type)) {
			rc = gw_icmp_error(ctx, p, fw);
			if (rc != GW_CONTINUE)
				return rc;
		}
	} else if (p->state == GW_PKT_OK && p->frag == GW_FRAG_NONE &&
		   (p->t.proto == IPPROTO_TCP || p->t.proto == IPPROTO_UDP)) {
		ct = bpf_map_lookup_elem(&gw_conntrack, &p->t);
		if (ct) {
			rc = gw_ct_hit(p, cfg, ct, fw);
			if (rc != GW_CONTINUE)
				return rc;
		}
	}
	if (!fw->ready) {
		ak.addr = p->t.daddr;
		ak.family = p->t.family;
		ak.gen = cfg->gen;
		if (!bpf_map_lookup_elem(&gw_addrs, &ak)) {
			/* a flow whose Gateway address went away in a reload */
			if (ct)
				bpf_map_delete_elem(&gw_conntrack, &p->t);
			return XDP_PASS;
		}
		rc = gw_filter(ctx, p, cfg, ct, sc);
		if (rc != GW_CONTINUE)
			return rc;
	}
	/* one place each for the FIB lookup, the ICMP builder and the rewrite */
	if (!fw->icmp && fw->ready && fw->frc == GW_FIB_NONE) {
		/* the map value pointer stays on the stack: it cannot be stored in a map */
		struct gw_ct_val *cached = fw->from_ct ? ct : NULL;

		if (!fib_cached(p, cached, fw)) {
			rc = gw_fib(ctx, p, fw);
			if (rc != GW_CONTINUE)
				return rc;
			fib_cache(p, cached, fw);
		}
		rc = gw_fib_verdict(p, fw);
		if (rc != GW_CONTINUE)
			return rc;
	}
	if (fw->icmp) {
		rc = gw_icmp_reply(ctx, p, cfg, fw);
		if (rc >= 0 && fw->reject)
			count(&gw_drops, GW_DROP_REJECT, p->len);
		return rc;
	}
	if (!fw->ready)
		return -GW_DROP_NO_CONFIG;
	return gw_xmit(ctx, p, fw);
}

#endif
