/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Address and port rewriting with incremental checksum updates: the IPv4
 * header checksum for address changes, the TCP/UDP checksum for the
 * pseudo-header addresses and the ports. A UDP/IPv4 checksum of 0 means
 * "none" and stays 0; a computed 0 is sent as 0xffff (RFC 768).
 * Requires p->l3/p->l4 to be valid packet pointers (no resize since parse).
 */
#ifndef GW_BPF_NAT_H
#define GW_BPF_NAT_H

#include "csum.h"

/*
 * Rewrites the packet's addresses and ports from p->t to *nt (same family
 * and protocol). The L4 checksum is updated in a local and stored once:
 * a maybe-NULL pointer into the packet confuses the verifier after clang
 * turns the NULL test into arithmetic. Returns 0, or a negated drop
 * reason if the headers moved out of reach (cannot happen after a parse).
 */
static __always_inline int gw_nat_rewrite(struct xdp_md *ctx, struct gw_pkt *p,
					  const struct gw_ct_key *nt)
{
	void *data_end = (void *)(long)ctx->data_end;
	struct tcphdr *th = p->l4;
	struct udphdr *uh = p->l4;
	__be16 *ports = p->l4;
	bool l4 = false, udp = p->t.proto == IPPROTO_UDP;
	__u16 sum = 0;

	if ((void *)(th + 1) > data_end && p->t.proto == IPPROTO_TCP)
		return -GW_DROP_MALFORMED;
	if ((void *)(uh + 1) > data_end)
		return -GW_DROP_MALFORMED;
	if (p->t.proto == IPPROTO_TCP) {
		if ((void *)(th + 1) > data_end)
			return -GW_DROP_MALFORMED;
		sum = th->check;
		l4 = true;
	} else if (udp) {
		sum = uh->check;
		/* UDP over IPv4 may go without a checksum: keep it that way */
		l4 = sum || p->t.family == GW_FAM_V6;
	}
	if (p->t.family == GW_FAM_V4) {
		struct iphdr *iph = p->l3;

		if ((void *)(iph + 1) > data_end)
			return -GW_DROP_MALFORMED;
		if (nt->saddr.v4 != p->t.saddr.v4) {
			csum_replace4(&iph->check, p->t.saddr.v4, nt->saddr.v4);
			csum_replace4(&sum, p->t.saddr.v4, nt->saddr.v4);
			iph->saddr = nt->saddr.v4;
		}
		if (nt->daddr.v4 != p->t.daddr.v4) {
			csum_replace4(&iph->check, p->t.daddr.v4, nt->daddr.v4);
			csum_replace4(&sum, p->t.daddr.v4, nt->daddr.v4);
			iph->daddr = nt->daddr.v4;
		}
	} else {
		struct ipv6hdr *ip6h = p->l3;

		if ((void *)(ip6h + 1) > data_end)
			return -GW_DROP_MALFORMED;
		/* IPv6 has no header checksum; the pseudo-header is in the L4 one */
		csum_replace16(&sum, p->t.saddr.v6, nt->saddr.v6);
		csum_replace16(&sum, p->t.daddr.v6, nt->daddr.v6);
		__builtin_memcpy(&ip6h->saddr, nt->saddr.v6, 16);
		__builtin_memcpy(&ip6h->daddr, nt->daddr.v6, 16);
	}
	if (nt->sport != p->t.sport) {
		csum_replace2(&sum, p->t.sport, nt->sport);
		ports[0] = nt->sport;
	}
	if (nt->dport != p->t.dport) {
		csum_replace2(&sum, p->t.dport, nt->dport);
		ports[1] = nt->dport;
	}
	if (!l4)
		return 0;
	if (udp) {
		/* 0 means "no checksum" in UDP: a computed 0 is sent as all ones */
		uh->check = sum ? sum : 0xffff;
	} else {
		if ((void *)(th + 1) > data_end)
			return -GW_DROP_MALFORMED;
		th->check = sum;
	}
	return 0;
}

/* The tuple after applying a conntrack entry's rewrite to p->t. */
static __always_inline void gw_nat_tuple(const struct gw_pkt *p, const struct gw_ct_val *ct,
					 struct gw_ct_key *nt)
{
	*nt = p->t;
	if (ct->flags & GW_CT_F_RW_SRC) {
		nt->saddr = ct->nat_saddr;
		nt->sport = ct->nat_sport;
	}
	if (ct->flags & GW_CT_F_RW_DST) {
		nt->daddr = ct->nat_daddr;
		nt->dport = ct->nat_dport;
	}
}

#endif
