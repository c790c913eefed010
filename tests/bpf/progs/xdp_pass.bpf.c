// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * XDP_PASS and nothing else, for the client and backend ends of the test
 * veths: a veth delivers frames that XDP redirected into it only when its
 * peer runs NAPI, which an attached XDP program (or GRO) turns on.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

SEC("xdp")
int gw_xdp_pass(struct xdp_md *ctx)
{
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
