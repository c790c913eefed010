/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * ICMP/ICMPv6 errors built by the program and sent back out of the
 * ingress interface (XDP_TX; on tc, a redirect to it): refusing a new flow (port unreachable), too big
 * for the path to the backend (fragmentation needed / packet too big),
 * TTL exceeded. The packet is turned into the error about itself, so the
 * quoted header is exactly what the sender sent (before any NAT), which
 * is what the sender's stack needs to match it to a socket. Rate-limited
 * per CPU by gw_cfg.icmp_rate.
 */
#ifndef GW_BPF_ICMP_H
#define GW_BPF_ICMP_H

#include "csum.h"

#define ICMP4_HDRS	(sizeof(struct iphdr) + sizeof(struct icmphdr))		/* 28 */
#define ICMP6_HDRS	(sizeof(struct ipv6hdr) + sizeof(struct icmp6hdr))	/* 48 */

static __always_inline bool icmp_rate_ok(__u32 rate)
{
	__u32 zero = 0;
	__u64 *rl = bpf_map_lookup_elem(&gw_icmp_rl, &zero), sec;

	if (!rl)
		return false;
	sec = gw_now() / NSEC_PER_SEC;
	if (rl[0] != sec) {
		rl[0] = sec;
		rl[1] = 0;
	}
	if (rl[1] >= rate)
		return false;
	rl[1]++;
	return true;
}

/* Moves the L2 header (with its VLAN tags) from 'from' bytes in to the front, MACs swapped. */
static __always_inline int icmp_move_l2(void *data, void *data_end, __u32 from, __u8 nvlan)
{
	struct ethhdr *src = data + from, *dst = data;
	__u8 mac[ETH_ALEN];

	if (from > 64 || (void *)src + sizeof(*src) + GW_MAX_VLANS * 4 > data_end)
		return -1;
	__builtin_memcpy(mac, src->h_source, ETH_ALEN);
	__builtin_memcpy(dst->h_source, src->h_dest, ETH_ALEN);
	__builtin_memcpy(dst->h_dest, mac, ETH_ALEN);
	/* h_proto and the tags: 2 + 4 * nvlan bytes, copied as fixed-size pieces */
	dst->h_proto = src->h_proto;
	if (nvlan > 0)
		__builtin_memcpy((void *)(dst + 1), (void *)(src + 1), 4);
	if (nvlan > 1)
		__builtin_memcpy((void *)(dst + 1) + 4, (void *)(src + 1) + 4, 4);
	return 0;
}

/*
 * Sum of the ICMP message at ic (nwords 32-bit words). With partial, the
 * words from rel bytes in on are counted as ~f, f the 16-bit value at
 * rel + poff: what they sum to once the partial checksum is completed.
 */
static __always_inline __u32 icmp_sum(void *ic, __u32 nwords, void *data_end, __u32 sum,
				      bool partial, __u32 rel, __u32 poff)
{
	__u16 *field, f;

	if (!partial)
		return csum_words(ic, nwords, data_end, sum);
	if (rel > 4 * GW_CSUM_MAX_WORDS || poff > 64)
		return sum;
	/* masks the verifier can see (the checks above are on 32-bit copies) */
	rel &= 0xff;
	poff &= 0x7f;
	field = ic + rel + poff;
	/* the field read before the loop: clang otherwise sinks the load below its check */
	barrier_var(field);
	if ((void *)(field + 1) > data_end)
		return sum;
	f = *field;
	barrier_var(f);
	return csum_add(csum_words(ic, rel / 4, data_end, sum), (__u16)~f);
}

/*
 * Rewrites the packet into the ICMP error req describes. Returns XDP_TX
 * or a negated drop reason. A global function (verified once on its own,
 * with scalar arguments): its checksum loops would otherwise be verified
 * again for every path that can end in an ICMP error.
 */
__noinline int gw_icmp_send(struct gw_ctx *ctx, struct gw_icmp_req *req)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	__u32 l2, quote, hdrs, sum, pstart = 0, poff = 0, rel = 0;
	bool partial;
	__u8 nvlan;

	if (!req)
		return -GW_DROP_NO_CONFIG;
	l2 = req->l3_off;
	nvlan = req->nvlan;
	if (!icmp_rate_ok(req->rate))
		return -GW_DROP_ICMP_RATE;
	if (l2 > 22)
		return -GW_DROP_MALFORMED;
	if (req->family == GW_FAM_V4) {
		struct iphdr *iph = data + l2;

		if ((void *)(iph + 1) > data_end)
			return -GW_DROP_MALFORMED;
		/* RFC 792: the IP header and the first 64 bits of the datagram */
		quote = iph->ihl * 4 + 8;
		hdrs = ICMP4_HDRS;
	} else {
		/* RFC 4443 asks for as much as fits in 1280 bytes; 128 covers every header */
		quote = req->l3_len < GW_ICMP6_QUOTE_MAX ? req->l3_len : GW_ICMP6_QUOTE_MAX;
		quote &= ~3U;
		hdrs = ICMP6_HDRS;
	}
	if (quote > req->l3_len || quote > GW_ICMP6_QUOTE_MAX || data + l2 + quote > data_end)
		return -GW_DROP_MALFORMED;
	/*
	 * A CHECKSUM_PARTIAL skb (tc: a local sender's SYN) stays partial,
	 * nothing can reset that, and whoever completes it (a device without
	 * checksum offload on the way: skb_checksum_help()) sums from
	 * csum_start and writes at csum_start + csum_offset, now inside the
	 * quote. So the quote reaches that field (RFC 1812 4.3.2.3 allows
	 * more than 8 bytes), and the ICMP checksum counts the bytes from
	 * csum_start on as they will be once completed: a region that holds
	 * its own checksum sums to -0, so with the field's value f replaced
	 * by the completed one it sums to ~f. A receiver that gets it still
	 * partial (a local stack) does not verify it.
	 */
	partial = gw_ctx_csum_partial(ctx, &pstart, &poff);
	if (partial) {
		if (pstart < l2 || pstart > l2 + GW_ICMP6_QUOTE_MAX || poff > 64)
			return -GW_DROP_ADJUST;
		if (((pstart - l2 + poff + 2 + 3) & ~3U) > quote)
			quote = (pstart - l2 + poff + 2 + 3) & ~3U;
		/* from the ICMP header to csum_start, after the growth */
		rel = pstart - l2 + hdrs - (req->family == GW_FAM_V4 ? sizeof(struct iphdr)
								     : sizeof(struct ipv6hdr));
		if (quote > req->l3_len || quote > GW_ICMP6_QUOTE_MAX ||
		    data + l2 + quote > data_end || (rel & 3) || rel < 8 || rel > 8 + quote - 4)
			return -GW_DROP_ADJUST;
	}
	if (gw_ctx_grow_head(ctx, hdrs))
		return -GW_DROP_ADJUST;
	data = (void *)(long)ctx->data;
	data_end = (void *)(long)ctx->data_end;
	if (icmp_move_l2(data, data_end, hdrs, nvlan))
		return -GW_DROP_ADJUST;
	if (gw_ctx_trim(ctx, l2 + hdrs + quote))
		return -GW_DROP_ADJUST;
	data = (void *)(long)ctx->data;
	data_end = (void *)(long)ctx->data_end;

	if (req->family == GW_FAM_V4) {
		struct iphdr *iph = data + l2;
		struct icmphdr *ic = (void *)(iph + 1);

		if ((void *)(ic + 1) > data_end)
			return -GW_DROP_ADJUST;
		iph->version = 4;
		iph->ihl = 5;
		iph->tos = 0xc0;	/* internetwork control, as Linux sends its ICMP errors */
		iph->tot_len = bpf_htons(ICMP4_HDRS + quote);
		iph->id = 0;
		iph->frag_off = 0;
		iph->ttl = GW_ICMP_TTL;
		iph->protocol = IPPROTO_ICMP;
		iph->saddr = req->from.v4;
		iph->daddr = req->to.v4;
		iph->check = csum_ipv4_hdr(iph);
		ic->type = req->type;
		ic->code = req->code;
		ic->checksum = 0;
		ic->un.gateway = 0;
		if (req->type == ICMP_DEST_UNREACH && req->code == ICMP_FRAG_NEEDED)
			ic->un.frag.mtu = bpf_htons(req->info);
		sum = icmp_sum(ic, (sizeof(*ic) + quote) / 4, data_end, 0, partial, rel, poff);
		ic->checksum = csum_fold(sum);
	} else {
		struct ipv6hdr *ip6h = data + l2;
		struct icmp6hdr *ic = (void *)(ip6h + 1);

		if ((void *)(ic + 1) > data_end)
			return -GW_DROP_ADJUST;
		*(__be32 *)ip6h = bpf_htonl(0x60000000);
		ip6h->payload_len = bpf_htons(sizeof(*ic) + quote);
		ip6h->nexthdr = IPPROTO_ICMPV6;
		ip6h->hop_limit = GW_ICMP_TTL;
		__builtin_memcpy(&ip6h->saddr, req->from.v6, 16);
		__builtin_memcpy(&ip6h->daddr, req->to.v6, 16);
		ic->icmp6_type = req->type;
		ic->icmp6_code = req->code;
		ic->icmp6_cksum = 0;
		ic->icmp6_dataun.un_data32[0] =
			req->type == ICMPV6_PKT_TOOBIG ? bpf_htonl(req->info) : 0;
		/* pseudo-header: addresses, upper-layer length, next header */
		sum = csum_words(&ip6h->saddr, 8, data_end, 0);
		sum = csum_add(sum, bpf_htonl(sizeof(*ic) + quote));
		sum = csum_add(sum, bpf_htonl(IPPROTO_ICMPV6));
		sum = icmp_sum(ic, (sizeof(*ic) + quote) / 4, data_end, sum, partial, rel, poff);
		ic->icmp6_cksum = csum_fold(sum);
	}
	return XDP_TX;
}

/* Sends the ICMP error fw asked for about packet p, from the address p was sent to. */
static __always_inline int gw_icmp_reply(struct gw_ctx *ctx, struct gw_pkt *p,
					 const struct gw_cfg *cfg, const struct gw_fwd *fw)
{
	struct gw_icmp_req req = {
		.from = p->t.daddr,
		.to = p->t.saddr,
		.l3_off = p->l3_off,
		.l3_len = p->l3_len,
		.info = fw->icmp_info,
		.rate = cfg->icmp_rate,
		.family = p->t.family,
		.nvlan = p->nvlan,
		.type = fw->icmp_type,
		.code = fw->icmp_code,
	};
	int rc;

	if (fw->icmp_from_iface) {
		/* not to a Gateway address: answer from ours on the link it came in on */
		__u32 ifindex = ctx->ingress_ifindex;
		struct gw_iface *ifc = bpf_map_lookup_elem(&gw_ifaces, &ifindex);

		if (!ifc)
			return -GW_DROP_FIB;
		if (p->t.family == GW_FAM_V4)
			req.from.v4 = ifc->snat4;
		else
			__builtin_memcpy(req.from.v6, ifc->snat6, 16);
		if (!(req.from.v6[0] | req.from.v6[1] | req.from.v6[2] | req.from.v6[3]))
			return -GW_DROP_FIB;
	}
	rc = gw_icmp_send(ctx, &req);
	if (rc >= 0)
		p->stat = GW_STAT_ICMP_SENT;
	return rc;
}

#endif
