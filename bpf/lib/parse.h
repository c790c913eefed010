/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Header parsing with a bounds-checked cursor (xdp-tools style): Ethernet
 * with up to two VLAN tags, IPv4 with options and fragments, IPv6 with
 * extension headers, TCP/UDP/ICMP. gw_parse() fills a struct gw_pkt and
 * says whether the packet is well-formed; what a malformed packet means
 * is decided by the caller once it knows whether the destination is ours.
 */
#ifndef GW_BPF_PARSE_H
#define GW_BPF_PARSE_H

#include "consts.h"

struct hdr_cursor {
	void *pos;
};

/* Ethernet, then up to GW_MAX_VLANS 802.1Q/802.1ad tags; returns the inner ethertype. */
static __always_inline int parse_ethhdr(struct hdr_cursor *nh, void *data_end,
					struct ethhdr **ethhdr, __u8 *nvlan)
{
	struct ethhdr *eth = nh->pos;
	__u16 h_proto;
	int i;

	if ((void *)(eth + 1) > data_end)
		return -1;
	nh->pos = eth + 1;
	*ethhdr = eth;
	h_proto = eth->h_proto;
	*nvlan = 0;
#pragma unroll
	for (i = 0; i < GW_MAX_VLANS; i++) {
		struct vlan_hdr *vlh = nh->pos;

		if (h_proto != bpf_htons(ETH_P_8021Q) && h_proto != bpf_htons(ETH_P_8021AD))
			break;
		if ((void *)(vlh + 1) > data_end)
			return -1;
		h_proto = vlh->h_vlan_encapsulated_proto;
		nh->pos = vlh + 1;
		(*nvlan)++;
	}
	return bpf_ntohs(h_proto);
}

/* TCP/UDP/ICMP header at nh->pos, l4_end = end of the IP datagram. */
static __always_inline int parse_l4(struct hdr_cursor *nh, void *data, void *data_end,
				    void *l4_end, struct gw_pkt *p)
{
	__u8 proto = p->t.proto;

	p->l4_off = nh->pos - data;
	if (proto == IPPROTO_TCP) {
		struct tcphdr *th = nh->pos;
		__u32 hlen;

		if ((void *)(th + 1) > data_end || (void *)(th + 1) > l4_end)
			return -1;
		hlen = th->doff * 4;
		if (hlen < sizeof(*th) || nh->pos + hlen > l4_end)
			return -1;
		p->t.sport = th->source;
		p->t.dport = th->dest;
		/* the flag byte follows the data offset nibble */
		p->tcp_flags = ((__u8 *)th)[13];
	} else if (proto == IPPROTO_UDP) {
		struct udphdr *uh = nh->pos;
		__u16 ulen;

		if ((void *)(uh + 1) > data_end || (void *)(uh + 1) > l4_end)
			return -1;
		ulen = bpf_ntohs(uh->len);
		/* a first fragment carries the datagram's full length; only check it whole */
		if (ulen < sizeof(*uh) || (p->frag == GW_FRAG_NONE && nh->pos + ulen > l4_end))
			return -1;
		p->t.sport = uh->source;
		p->t.dport = uh->dest;
	} else if (proto == IPPROTO_ICMP || proto == IPPROTO_ICMPV6) {
		/* type, code, checksum, and 4 bytes that every ICMP message has */
		if (nh->pos + 8 > data_end || nh->pos + 8 > l4_end)
			return -1;
	} else {
		return 0;
	}
	p->l4_valid = 1;
	return 0;
}

static __always_inline void parse_ipv4(struct hdr_cursor *nh, void *data, void *data_end,
				       struct gw_pkt *p)
{
	struct iphdr *iph = nh->pos;
	__u32 hlen, tot;
	__u16 frag;

	/* the caller checked that 20 bytes are there, so the addresses can be read */
	p->t.family = GW_FAM_V4;
	p->t.saddr.v4 = iph->saddr;
	p->t.daddr.v4 = iph->daddr;
	p->t.proto = iph->protocol;
	p->ttl = iph->ttl;
	hlen = iph->ihl * 4;
	tot = bpf_ntohs(iph->tot_len);
	/* tot against the packet's length: on tc, data_end ends the linear part only */
	if (iph->version != 4 || hlen < sizeof(*iph) || tot < hlen || nh->pos + hlen > data_end ||
	    (__u32)(nh->pos - data) + tot > p->len) {
		p->state = GW_PKT_MALFORMED;
		return;
	}
	p->l3_len = tot;
	frag = bpf_ntohs(iph->frag_off);
	p->df = !!(frag & IP_DF);
	if (frag & IP_OFFSET)
		p->frag = GW_FRAG_LATER;
	else if (frag & IP_MF)
		p->frag = GW_FRAG_FIRST;
	if (p->frag == GW_FRAG_LATER)
		return;
	nh->pos += hlen;
	if (parse_l4(nh, data, data_end, (void *)iph + tot, p))
		p->state = GW_PKT_MALFORMED;
}

static __always_inline void parse_ipv6(struct hdr_cursor *nh, void *data, void *data_end,
				       struct gw_pkt *p)
{
	struct ipv6hdr *ip6h = nh->pos;
	void *l3_end;
	__u8 nexthdr;
	int i;

	p->t.family = GW_FAM_V6;
	__builtin_memcpy(p->t.saddr.v6, &ip6h->saddr, 16);
	__builtin_memcpy(p->t.daddr.v6, &ip6h->daddr, 16);
	p->ttl = ip6h->hop_limit;
	p->l3_len = sizeof(*ip6h) + bpf_ntohs(ip6h->payload_len);
	l3_end = (void *)ip6h + p->l3_len;
	nexthdr = ip6h->nexthdr;
	/* payload_len 0 is a jumbogram (hop-by-hop option): not on Ethernet */
	if (ip6h->version != 6 || !ip6h->payload_len ||
	    (__u32)((void *)ip6h - data) + p->l3_len > p->len) {
		p->state = GW_PKT_MALFORMED;
		return;
	}
	nh->pos = ip6h + 1;
	for (i = 0; i < GW_MAX_EXTHDRS; i++) {
		struct ipv6_opt_hdr *oh = nh->pos;
		struct frag_hdr *fh = nh->pos;

		switch (nexthdr) {
		case NEXTHDR_HOP:
		case NEXTHDR_ROUTING:
		case NEXTHDR_DEST:
			if ((void *)(oh + 1) > data_end) {
				p->state = GW_PKT_MALFORMED;
				return;
			}
			nexthdr = oh->nexthdr;
			nh->pos += (oh->hdrlen + 1) * 8;
			break;
		case NEXTHDR_AUTH:
			if ((void *)(oh + 1) > data_end) {
				p->state = GW_PKT_MALFORMED;
				return;
			}
			nexthdr = oh->nexthdr;
			nh->pos += (oh->hdrlen + 2) * 4;
			break;
		case NEXTHDR_FRAGMENT:
			if ((void *)(fh + 1) > data_end) {
				p->state = GW_PKT_MALFORMED;
				return;
			}
			nexthdr = fh->nexthdr;
			if (bpf_ntohs(fh->frag_off) & IP6_OFFSET)
				p->frag = GW_FRAG_LATER;
			else if (bpf_ntohs(fh->frag_off) & IP6_MF)
				p->frag = GW_FRAG_FIRST;
			nh->pos = fh + 1;
			break;
		default:
			goto done;
		}
		if (nh->pos > l3_end) {
			p->state = GW_PKT_MALFORMED;
			return;
		}
		if (p->frag == GW_FRAG_LATER) {
			p->t.proto = nexthdr;
			return;
		}
	}
	/* still an extension header after GW_MAX_EXTHDRS: we stop walking */
	if (nexthdr == NEXTHDR_HOP || nexthdr == NEXTHDR_ROUTING || nexthdr == NEXTHDR_DEST ||
	    nexthdr == NEXTHDR_AUTH || nexthdr == NEXTHDR_FRAGMENT) {
		p->state = GW_PKT_EXTHDRS;
		return;
	}
done:
	p->t.proto = nexthdr;
	if (parse_l4(nh, data, data_end, l3_end, p))
		p->state = GW_PKT_MALFORMED;
}

/*
 * Returns GW_CONTINUE for an IPv4/IPv6 packet whose addresses could be
 * read (p->state says whether the rest is well-formed), XDP_PASS for
 * anything else: not IP, or too short to know where it goes. Fills
 * offsets, not pointers: gw_pkt_ptrs() derives those afterwards.
 *
 * A global function, so the verifier checks it once on its own: inlined,
 * every path through the VLAN and extension-header walks multiplied the
 * states of everything after it past the 1M-instruction limit (6.18).
 * Global functions may not store packet pointers into memory they get.
 */
__noinline int gw_parse(struct gw_ctx *ctx, struct gw_pkt *p)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct hdr_cursor nh = { .pos = data };
	struct ethhdr *eth;
	int proto;

	if (!p)
		return XDP_PASS;
	p->len = gw_ctx_len(ctx);
	proto = parse_ethhdr(&nh, data_end, &eth, &p->nvlan);
	p->l3_off = nh.pos - data;
	if (proto == ETH_P_IP) {
		if (nh.pos + sizeof(struct iphdr) > data_end)
			return XDP_PASS;
		parse_ipv4(&nh, data, data_end, p);
	} else if (proto == ETH_P_IPV6) {
		if (nh.pos + sizeof(struct ipv6hdr) > data_end)
			return XDP_PASS;
		parse_ipv6(&nh, data, data_end, p);
	} else {
		return XDP_PASS;
	}
	/* gw_pkt_ptrs() bounds these; longer header chains are not ours to steer */
	if (p->l4_off > GW_L4_OFF_MAX)
		p->state = GW_PKT_EXTHDRS;
	return GW_CONTINUE;
}

/*
 * Packet pointers from the offsets gw_parse() found. They are not range
 * checked here (every user checks what it reads), only bounded, which is
 * what the verifier needs to accept the arithmetic.
 */
static __always_inline int gw_pkt_ptrs(struct gw_ctx *ctx, struct gw_pkt *p)
{
	void *data = (void *)(long)ctx->data;
	__u32 l3 = p->l3_off, l4 = p->l4_off;

	if (l3 > 22 || l4 > GW_L4_OFF_MAX)
		return XDP_PASS;
	p->eth = data;
	p->l3 = data + l3;
	p->l4 = p->l4_valid ? data + l4 : data + l3;
	return GW_CONTINUE;
}

#endif
