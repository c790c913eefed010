// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * xdpgw L4 tier on the tc hook (sched_cls, attached to tcx ingress): the
 * same pipeline, maps, conntrack, Maglev tables and counters as
 * gw_xdp.bpf.c, for interfaces where the packet already is an skb with
 * GSO and checksum-offload state worth keeping (veths, devices without
 * native XDP). The loader picks the hook per interface; the logic is in
 * bpf/lib/, the hook's differences in bpf/lib/ctx_tc.h.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

#include "gw_kern_user.h"
#include "lib/consts.h"
#include "lib/types.h"
#include "lib/maps.h"
#include "lib/ctx_tc.h"
#include "lib/stats.h"
#include "lib/pipeline.h"

/* Ethernet, two VLAN tags, IPv6 with extension headers up to GW_L4_OFF_MAX, TCP with options */
#define GW_TC_LINEAR	(GW_L4_OFF_MAX + 60)

SEC("tc")
int gw_tc_ingress(struct __sk_buff *ctx)
{
	__u32 want = ctx->len < GW_TC_LINEAR ? ctx->len : GW_TC_LINEAR;
	struct gw_pkt p;

	/*
	 * Direct access reaches the linear part only. Senders and drivers put
	 * the headers there, but nothing promises it: pull them in if not
	 * (payload stays in the pages).
	 */
	if ((__u32)(ctx->data_end - ctx->data) < want)
		bpf_skb_pull_data(ctx, want);
	__builtin_memset(&p, 0, sizeof(p));
	return gw_tc_verdict(ctx, gw_finish(&p, gw_process(ctx, &p)));
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
