/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Address and port rewriting with incremental checksum updates: the IPv4
 * header checksum for address changes, the TCP/UDP checksum for the
 * pseudo-header addresses and the ports (through the hook's adaptor,
 * ctx_xdp.h / ctx_tc.h). Requires p->l3/p->l4 to be valid packet pointers
 * (no resize since parse).
 */
#ifndef GW_BPF_NAT_H
#define GW_BPF_NAT_H

#include "csum.h"

/* Adds the change of one 32-bit word from 'from' to 'to' to a checksum difference. */
static __always_inline __u32 csum_diff4(__u32 diff, __u32 from, __u32 to)
{
	return csum_add(csum_add(diff, ~from), to);
}

/*
 * Rewrites the packet's addresses and ports from p->t to *nt (same family
 * and protocol). The IPv4 header checksum is updated here; the TCP/UDP
 * checksum changes are summed apart (pseudo-header addresses, ports) and
 * applied by the hook (gw_ctx_l4_csum), since on tc only the kernel knows
 * whether the checksum is complete or CHECKSUM_PARTIAL. Returns 0, or a
 * negated drop reason if the headers moved out of reach (cannot happen
 * after a parse). On tc the packet pointers are derived anew.
 */
static __always_inline int gw_nat_rewrite(struct gw_ctx *ctx, struct gw_pkt *p,
					  const struct gw_ct_key *nt)
{
	void *data_end = (void *)(long)ctx->data_end;
	struct udphdr *uh = p->l4;
	__be16 *ports = p->l4;
	__u32 pseudo = 0, l4 = 0;

	if ((void *)(uh + 1) > data_end)
		return -GW_DROP_MALFORMED;
	if (p->t.family == GW_FAM_V4) {
		struct iphdr *iph = p->l3;

		if ((void *)(iph + 1) > data_end)
			return -GW_DROP_MALFORMED;
		if (nt->saddr.v4 != p->t.saddr.v4) {
			csum_replace4(&iph->check, p->t.saddr.v4, nt->saddr.v4);
			pseudo = csum_diff4(pseudo, p->t.saddr.v4, nt->saddr.v4);
			iph->saddr = nt->saddr.v4;
		}
		if (nt->daddr.v4 != p->t.daddr.v4) {
			csum_replace4(&iph->check, p->t.daddr.v4, nt->daddr.v4);
			pseudo = csum_diff4(pseudo, p->t.daddr.v4, nt->daddr.v4);
			iph->daddr = nt->daddr.v4;
		}
	} else {
		struct ipv6hdr *ip6h = p->l3;

		if ((void *)(ip6h + 1) > data_end)
			return -GW_DROP_MALFORMED;
		/* IPv6 has no header checksum; the pseudo-header is in the L4 one */
#pragma unroll
		for (int i = 0; i < 4; i++) {
			pseudo = csum_diff4(pseudo, p->t.saddr.v6[i], nt->saddr.v6[i]);
			pseudo = csum_diff4(pseudo, p->t.daddr.v6[i], nt->daddr.v6[i]);
		}
		__builtin_memcpy(&ip6h->saddr, nt->saddr.v6, 16);
		__builtin_memcpy(&ip6h->daddr, nt->daddr.v6, 16);
	}
	if (nt->sport != p->t.sport) {
		l4 = csum_diff4(l4, p->t.sport, nt->sport);
		ports[0] = nt->sport;
	}
	if (nt->dport != p->t.dport) {
		l4 = csum_diff4(l4, p->t.dport, nt->dport);
		ports[1] = nt->dport;
	}
	if (p->t.proto != IPPROTO_TCP && p->t.proto != IPPROTO_UDP)
		return 0;
	return gw_ctx_l4_csum(ctx, p, pseudo, l4);
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
