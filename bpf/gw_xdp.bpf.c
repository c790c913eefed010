// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * xdpgw L4 tier: listener filtering for Gateway addresses and TCPRoute/
 * UDPRoute steering, attached to the interfaces given to gwctl load.
 * The logic is in bpf/lib/; this file holds the program and its exit.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

#include "gw_kern_user.h"
#include "lib/consts.h"
#include "lib/types.h"
#include "lib/maps.h"
#include "lib/ctx_xdp.h"
#include "lib/stats.h"
#include "lib/pipeline.h"

SEC("xdp")
int gw_xdp_ingress(struct xdp_md *ctx)
{
	struct gw_pkt p;

	__builtin_memset(&p, 0, sizeof(p));
	return gw_finish(&p, gw_process(ctx, &p));
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
