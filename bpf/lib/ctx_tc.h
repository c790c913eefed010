/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The tc (sched_cls, tcx ingress) side of the per-hook context adaptor:
 * the shared pipeline on an skb. The packet keeps the node's offloads:
 * a GSO packet is steered whole (one rewrite, one redirect for up to 64
 * KB), and a CHECKSUM_PARTIAL packet (a local sender with tx checksum
 * offload, e.g. a pod behind a veth) carries only the pseudo-header sum
 * in its L4 checksum field, which bpf_l4_csum_replace() updates the way
 * the kernel's own NAT does (inet_proto_csum_replace_by_diff). The
 * pipeline returns XDP verdicts; gw_tc_verdict() maps them.
 */
#ifndef GW_BPF_CTX_TC_H
#define GW_BPF_CTX_TC_H

#define gw_ctx __sk_buff

/* The packet's length, paged data included (data_end covers the linear part only). */
static __always_inline __u32 gw_ctx_len(struct gw_ctx *ctx)
{
	return ctx->len;
}

#include "parse.h"
#include "csum.h"

extern void *bpf_cast_to_kern_ctx(void *obj) __ksym;	/* kernel 6.3 */

/* Ethernet, two VLAN tags, IPv6 with extension headers up to GW_L4_OFF_MAX, TCP with options */
#define GW_TC_LINEAR	(GW_L4_OFF_MAX + 60)

/*
 * Direct access reaches the linear part only. Senders and drivers put the
 * headers there (a TCP GSO packet: headers linear, payload in pages), but
 * nothing promises it: when the parse ran out of linear data, the headers
 * are pulled in (payload stays in the pages) and the packet parsed again.
 * Not up front: pulling copies, for every packet. True if it pulled.
 */
static __always_inline bool gw_ctx_pull_headers(struct gw_ctx *ctx)
{
	__u32 want = ctx->len < GW_TC_LINEAR ? ctx->len : GW_TC_LINEAR;

	if ((__u32)(ctx->data_end - ctx->data) >= want)
		return false;
	return !bpf_skb_pull_data(ctx, want);
}

/*
 * The largest IP packet p puts on a link: for a GSO packet one segment
 * (headers + gso_size), which is what the FIB's MTU check must see; the
 * kernel's forwarding checks the same (skb_gso_validate_network_len).
 */
static __always_inline void gw_ctx_wire_len(struct gw_ctx *ctx, struct gw_pkt *p)
{
	void *data_end = (void *)(long)ctx->data_end;
	__u32 gso = ctx->gso_size, l4hdr = sizeof(struct udphdr);

	p->wire_len = p->l3_len;
	if (!gso || !p->l4_valid)
		return;
	if (p->t.proto == IPPROTO_TCP) {
		struct tcphdr *th = p->l4;

		if ((void *)(th + 1) > data_end)
			return;
		l4hdr = th->doff * 4;
	}
	p->wire_len = p->l4_off - p->l3_off + l4hdr + gso;
}

/*
 * The L4 checksum update through the kernel, which knows the skb's
 * checksum state: complete checksums get both sums, CHECKSUM_PARTIAL ones
 * only the pseudo-header part (the ports are summed by whoever completes
 * it), and a CHECKSUM_COMPLETE skb->csum follows the IPv4 pseudo-header
 * change (BPF_F_IPV6: in IPv6 the address bytes are in skb->csum and
 * cancel the checksum change; kernel 6.16+). BPF_F_MARK_MANGLED_0 keeps a
 * UDP checksum of 0 ("none") and sends a computed 0 as 0xffff (RFC 768).
 * The helpers move packet data: the packet pointers are derived anew.
 */
static __always_inline int gw_ctx_l4_csum(struct gw_ctx *ctx, struct gw_pkt *p, __u32 pseudo,
					  __u32 l4)
{
	__u32 off = p->l4_off;
	__u64 flags = 0;

	if (p->t.proto == IPPROTO_TCP) {
		off += offsetof(struct tcphdr, check);
	} else {
		off += offsetof(struct udphdr, check);
		flags |= BPF_F_MARK_MANGLED_0;
	}
	if (p->t.family == GW_FAM_V6)
		flags |= BPF_F_IPV6;
	if (pseudo && bpf_l4_csum_replace(ctx, off, 0, pseudo, flags | BPF_F_PSEUDO_HDR))
		return -GW_DROP_MALFORMED;
	if (l4 && bpf_l4_csum_replace(ctx, off, 0, l4, flags))
		return -GW_DROP_MALFORMED;
	return gw_pkt_ptrs(ctx, p) == GW_CONTINUE ? 0 : -GW_DROP_MALFORMED;
}

/*
 * Whether the skb is CHECKSUM_PARTIAL, and then where its checksum starts
 * (from the start of the frame, which tc ingress sees at the MAC header)
 * and where the field is from there. __sk_buff does not say; the kernel's
 * sk_buff does (bpf_cast_to_kern_ctx).
 */
static __always_inline bool gw_ctx_csum_partial(struct gw_ctx *ctx, __u32 *start, __u32 *off)
{
	struct sk_buff *skb = bpf_cast_to_kern_ctx(ctx);

	if (BPF_CORE_READ_BITFIELD(skb, ip_summed) != CHECKSUM_PARTIAL)
		return false;
	*start = (__u32)skb->csum_start - skb->mac_header;
	*off = skb->csum_offset;
	return true;
}

/*
 * Grows the packet by hdrs bytes in front (the ICMP error's new headers).
 * Not for GSO packets: the error quotes one packet. A CHECKSUM_PARTIAL skb
 * stays so (gw_icmp_send() builds the error to match).
 */
static __always_inline int gw_ctx_grow_head(struct gw_ctx *ctx, __u32 hdrs)
{
	if (ctx->gso_size)
		return -GW_DROP_ADJUST;
	return bpf_skb_change_head(ctx, hdrs, 0) ? -GW_DROP_ADJUST : 0;
}

/* Cuts the packet to len bytes (a CHECKSUM_COMPLETE skb becomes CHECKSUM_NONE). */
static __always_inline int gw_ctx_trim(struct gw_ctx *ctx, __u32 len)
{
	return bpf_skb_change_tail(ctx, len, 0) ? -GW_DROP_ADJUST : 0;
}

/*
 * Sends the rewritten packet out of ifindex: to its egress queue, whole
 * (GSO is segmented there, or by the device, if at all: a veth passes it).
 */
static __always_inline int gw_ctx_redirect(struct gw_ctx *ctx, __u32 ifindex)
{
	return bpf_redirect(ifindex, 0);
}

/*
 * The pipeline's verdict (after gw_finish) as a tc action: XDP_PASS goes
 * on into the stack, XDP_TX leaves by the interface it came in on,
 * bpf_redirect() already returned TC_ACT_REDIRECT.
 */
static __always_inline int gw_tc_verdict(struct gw_ctx *ctx, int rc)
{
	switch (rc) {
	case XDP_PASS:
		return TC_ACT_OK;
	case XDP_TX:
		return bpf_redirect(ctx->ifindex, 0);
	case TC_ACT_REDIRECT:
		return TC_ACT_REDIRECT;
	default:
		return TC_ACT_SHOT;
	}
}

#endif
