/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * ICMP errors about steered flows (fragmentation needed / packet too big,
 * unreachable, time exceeded, from a router on the path): the quoted
 * packet carries the addresses of one side of the NAT; the flow's other
 * end needs to see its own. Two cases, told apart by the conntrack entry
 * the quoted tuple leads to:
 *   - about a reply we sent from the Gateway address (toward the client):
 *     it goes to the backend, quoting the reply as the backend sent it;
 *   - about a packet we sent to the backend: it goes to the client,
 *     quoting the packet as the client sent it.
 * Without this, PMTU discovery of a steered flow is a black hole.
 * gw_icmp_nat() rewrites the quoted packet; the outer destination is
 * rewritten by the usual gw_xmit() path (which keeps the outer IPv4
 * header checksum right). Checksums kept right here: ICMP/ICMPv6 (with
 * the ICMPv6 pseudo-header's destination), the quoted IPv4 header, a
 * quoted UDP checksum. A quoted TCP checksum (beyond the 8 bytes an error
 * must quote) is left alone: no receiver checks it.
 */
#ifndef GW_BPF_ICMP_NAT_H
#define GW_BPF_ICMP_NAT_H

#include "csum.h"

/* In and out of gw_icmp_nat() (scalars only: a global function's argument). */
struct gw_icmp_nat {
	__u32 l4_off;		/* in: the ICMP header */
	__u8 family;		/* in */
	__u8 to_client;		/* out: 1 toward the client, 0 toward the backend */
	__u8 pad[2];
	union gw_ip old_daddr;	/* in: outer destination as received */
	union gw_ip daddr;	/* out: outer destination to send to */
	__u32 listener, route, backend;	/* out: the flow's, for the counters */
};

static __always_inline bool icmp_is_error(__u8 family, __u8 type)
{
	if (family == GW_FAM_V4)
		return type == ICMP_DEST_UNREACH || type == ICMP_TIME_EXCEEDED ||
		       type == 12 /* parameter problem */;
	return type >= 1 && type <= 4;	/* unreachable, too big, time exceeded, param problem */
}

/*
 * The quoted IPv4 address *a becomes b: the quoted header checksum *isum,
 * the quoted UDP checksum *usum if udp, and the ICMP checksum *osum, which
 * covers all three. usum always points into the packet (where a UDP
 * checksum would be): a maybe-NULL packet pointer trips the verifier.
 */
static __always_inline void quote_addr4(__be32 *a, __be32 b, __u16 *isum, __u16 *usum, bool udp,
					__u16 *osum)
{
	__u16 i0 = *isum, u0 = *usum;

	csum_replace4(isum, *a, b);
	csum_replace4(osum, *a, b);
	csum_replace2(osum, i0, *isum);
	if (udp) {
		csum_replace4(usum, *a, b);
		csum_replace2(osum, u0, *usum);
	}
	*a = b;
}

/* The same for a quoted IPv6 address (no header checksum in IPv6). */
static __always_inline void quote_addr6(__be32 *a, const __be32 *b, __u16 *usum, bool udp,
					__u16 *osum)
{
	__u16 u0 = *usum;

	csum_replace16(osum, a, b);
	if (udp) {
		csum_replace16(usum, a, b);
		csum_replace2(osum, u0, *usum);
	}
	a[0] = b[0];
	a[1] = b[1];
	a[2] = b[2];
	a[3] = b[3];
}

/* A quoted port. */
static __always_inline void quote_port(__be16 *p, __be16 b, __u16 *usum, bool udp, __u16 *osum)
{
	__u16 u0 = *usum;

	csum_replace2(osum, *p, b);
	if (udp) {
		csum_replace2(usum, *p, b);
		csum_replace2(osum, u0, *usum);
	}
	*p = b;
}

/*
 * Translates the ICMP error at q->l4_off if it is about a steered flow.
 * Returns 1 (translated: forward it to q->daddr), 0 (not about one of our
 * flows: the caller goes on as for any ICMP), or a negated drop reason.
 * A global function, verified once on its own; it does not resize the
 * packet, so the caller's packet pointers stay valid.
 */
__noinline int gw_icmp_nat(struct gw_ctx *ctx, struct gw_icmp_nat *q)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct gw_ct_key k = {};
	struct gw_ct_val *ct;
	__u16 *usum;
	__be16 *iports;
	bool udp;
	__u32 off;

	if (!q)
		return 0;
	off = q->l4_off;
	if (off > GW_L4_OFF_MAX)
		return 0;
	if (q->family == GW_FAM_V4) {
		struct icmphdr *ic = data + off;
		struct iphdr *in = (void *)(ic + 1);
		__u32 ihl;

		if ((void *)(in + 1) > data_end)
			return 0;
		ihl = in->ihl * 4;
		if (in->version != 4 || ihl < sizeof(*in) || ihl > 60)
			return 0;
		iports = (void *)in + ihl;
		if ((void *)(iports + 4) > data_end)
			return 0;
		if (in->protocol != IPPROTO_TCP && in->protocol != IPPROTO_UDP)
			return 0;
		/* the reverse of the quoted packet: the flow as its other end sends it */
		k.family = GW_FAM_V4;
		k.proto = in->protocol;
		k.saddr.v4 = in->daddr;
		k.daddr.v4 = in->saddr;
		k.sport = iports[1];
		k.dport = iports[0];
		ct = bpf_map_lookup_elem(&gw_conntrack, &k);
		if (!ct)
			return 0;
		usum = (__u16 *)&iports[3];
		/* UDP over IPv4 may have no checksum (0): it stays so */
		udp = in->protocol == IPPROTO_UDP && iports[3];
		if (ct->dir == GW_CT_FWD) {
			/* quoted: our reply, Gateway address -> client (or SNAT address) */
			q->to_client = 0;
			q->daddr = ct->nat_daddr;
			quote_addr4(&in->saddr, ct->nat_daddr.v4, &in->check, usum, udp, &ic->checksum);
			quote_port(&iports[0], ct->nat_dport, usum, udp, &ic->checksum);
			if (ct->flags & GW_CT_F_RW_SRC) {
				quote_addr4(&in->daddr, ct->nat_saddr.v4, &in->check, usum, udp,
					    &ic->checksum);
				quote_port(&iports[1], ct->nat_sport, usum, udp, &ic->checksum);
			}
		} else {
			/* quoted: what we sent the backend, client (or SNAT address) -> backend */
			q->to_client = 1;
			if (ct->flags & GW_CT_F_RW_DST)
				q->daddr = ct->nat_daddr;
			else
				q->daddr.v4 = in->saddr;
			quote_addr4(&in->daddr, ct->nat_saddr.v4, &in->check, usum, udp, &ic->checksum);
			quote_port(&iports[1], ct->nat_sport, usum, udp, &ic->checksum);
			if (ct->flags & GW_CT_F_RW_DST) {
				quote_addr4(&in->saddr, ct->nat_daddr.v4, &in->check, usum, udp,
					    &ic->checksum);
				quote_port(&iports[0], ct->nat_dport, usum, udp, &ic->checksum);
			}
		}
	} else {
		struct icmp6hdr *ic = data + off;
		struct ipv6hdr *in = (void *)(ic + 1);
		__be32 *isrc, *idst;

		if ((void *)(in + 1) > data_end)
			return 0;
		iports = (void *)(in + 1);
		if ((void *)(iports + 4) > data_end)
			return 0;
		if (in->nexthdr != IPPROTO_TCP && in->nexthdr != IPPROTO_UDP)
			return 0;
		isrc = in->saddr.in6_u.u6_addr32;
		idst = in->daddr.in6_u.u6_addr32;
		k.family = GW_FAM_V6;
		k.proto = in->nexthdr;
		__builtin_memcpy(k.saddr.v6, idst, 16);
		__builtin_memcpy(k.daddr.v6, isrc, 16);
		k.sport = iports[1];
		k.dport = iports[0];
		ct = bpf_map_lookup_elem(&gw_conntrack, &k);
		if (!ct)
			return 0;
		usum = (__u16 *)&iports[3];
		udp = in->nexthdr == IPPROTO_UDP;
		if (ct->dir == GW_CT_FWD) {
			q->to_client = 0;
			q->daddr = ct->nat_daddr;
			quote_addr6(isrc, ct->nat_daddr.v6, usum, udp, &ic->icmp6_cksum);
			quote_port(&iports[0], ct->nat_dport, usum, udp, &ic->icmp6_cksum);
			if (ct->flags & GW_CT_F_RW_SRC) {
				quote_addr6(idst, ct->nat_saddr.v6, usum, udp, &ic->icmp6_cksum);
				quote_port(&iports[1], ct->nat_sport, usum, udp, &ic->icmp6_cksum);
			}
		} else {
			q->to_client = 1;
			if (ct->flags & GW_CT_F_RW_DST)
				q->daddr = ct->nat_daddr;
			else
				__builtin_memcpy(q->daddr.v6, isrc, 16);
			quote_addr6(idst, ct->nat_saddr.v6, usum, udp, &ic->icmp6_cksum);
			quote_port(&iports[1], ct->nat_sport, usum, udp, &ic->icmp6_cksum);
			if (ct->flags & GW_CT_F_RW_DST) {
				quote_addr6(isrc, ct->nat_daddr.v6, usum, udp, &ic->icmp6_cksum);
				quote_port(&iports[0], ct->nat_dport, usum, udp, &ic->icmp6_cksum);
			}
		}
		/* the ICMPv6 pseudo-header has the outer destination, which changes too */
		csum_replace16(&ic->icmp6_cksum, q->old_daddr.v6, q->daddr.v6);
	}
	q->listener = ct->listener;
	q->route = ct->route;
	q->backend = ct->backend;
	return 1;
}

#endif
