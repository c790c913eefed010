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
#include <bpf/bpf_core_read.h>

#include "gw_kern_user.h"
#include "lib/consts.h"
#include "lib/types.h"
#include "lib/maps.h"
#include "lib/ctx_tc.h"
#include "lib/stats.h"
#include "lib/pipeline.h"

SEC("tc")
int gw_tc_ingress(struct __sk_buff *ctx)
{
	struct gw_pkt p;

	__builtin_memset(&p, 0, sizeof(p));
	/*
	 * A VLAN tag the driver (or a veth) carries beside the packet
	 * (skb->vlan_tci) is not in its bytes: steered, it would lose it.
	 * Left to the kernel's VLAN device, where the tier can be attached
	 * too (XDP sees such tags in the frame and passes steered packets to
	 * that device as well: fwd_kernel).
	 */
	if (ctx->vlan_present) {
		p.len = ctx->len;
		p.stat = GW_STAT_PASS;
		return gw_tc_verdict(ctx, gw_finish(&p, XDP_PASS));
	}
	return gw_tc_verdict(ctx, gw_finish(&p, gw_process(ctx, &p)));
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
