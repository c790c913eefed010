/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The XDP side of the per-hook context adaptor (ctx_tc.h is the other):
 * what the shared pipeline needs from its hook, for an xdp_md. Included
 * by the entry file instead of parse.h, before pipeline.h. The pipeline
 * speaks XDP verdicts; on this hook they are the program's verdicts.
 */
#ifndef GW_BPF_CTX_XDP_H
#define GW_BPF_CTX_XDP_H

#define gw_ctx xdp_md

/* The frame's length: XDP frames here are one buffer (no xdp.frags). */
static __always_inline __u32 gw_ctx_len(struct gw_ctx *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;

	return data_end - data;
}

#include "parse.h"
#include "csum.h"

/* An XDP frame (no xdp.frags) is all linear: nothing to pull. */
static __always_inline bool gw_ctx_pull_headers(struct gw_ctx *ctx)
{
	return false;
}

/* The largest IP packet p puts on a link: the datagram itself (no GSO in XDP). */
static __always_inline void gw_ctx_wire_len(struct gw_ctx *ctx, struct gw_pkt *p)
{
	p->wire_len = p->l3_len;
}

/*
 * Folds the L4 checksum changes into the TCP/UDP checksum: pseudo is the
 * sum of the pseudo-header (address) changes, l4 that of the port
 * changes, both as ~from + to. XDP sees complete checksums only (a
 * CHECKSUM_PARTIAL skb is not an XDP frame), so both go in. A UDP/IPv4
 * checksum of 0 means "none" and stays 0; a computed 0 is sent as 0xffff
 * (RFC 768).
 */
static __always_inline int gw_ctx_l4_csum(struct gw_ctx *ctx, struct gw_pkt *p, __u32 pseudo,
					  __u32 l4)
{
	void *data_end = (void *)(long)ctx->data_end;
	__u32 diff = csum_add(pseudo, l4);

	if (p->t.proto == IPPROTO_TCP) {
		struct tcphdr *th = p->l4;

		if ((void *)(th + 1) > data_end)
			return -GW_DROP_MALFORMED;
		th->check = csum_fold(csum_add(~(__u32)th->check, diff));
	} else {
		struct udphdr *uh = p->l4;
		__u16 sum;

		if ((void *)(uh + 1) > data_end)
			return -GW_DROP_MALFORMED;
		if (!uh->check && p->t.family == GW_FAM_V4)
			return 0;
		sum = csum_fold(csum_add(~(__u32)uh->check, diff));
		uh->check = sum ? sum : 0xffff;
	}
	return 0;
}

/* An XDP frame has no checksum state: its checksums are complete. */
static __always_inline bool gw_ctx_csum_partial(struct gw_ctx *ctx, __u32 *start, __u32 *off)
{
	return false;
}

/* Grows the frame by hdrs bytes in front (the ICMP error's new headers). */
static __always_inline int gw_ctx_grow_head(struct gw_ctx *ctx, __u32 hdrs)
{
	return bpf_xdp_adjust_head(ctx, -(int)hdrs) ? -GW_DROP_ADJUST : 0;
}

/* Cuts the frame to len bytes. */
static __always_inline int gw_ctx_trim(struct gw_ctx *ctx, __u32 len)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	int cur = data_end - data;

	/* the length as a scalar first: clang would subtract pkt_end from a pointer */
	barrier_var(cur);
	return bpf_xdp_adjust_tail(ctx, (int)len - cur) ? -GW_DROP_ADJUST : 0;
}

/* Sends the rewritten frame out of ifindex. */
static __always_inline int gw_ctx_redirect(struct gw_ctx *ctx, __u32 ifindex)
{
	return bpf_redirect(ifindex, 0);
}

#endif
