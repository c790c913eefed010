// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * gw_xdp.bpf.c built with a clock the test sets (mock_time_ns), so the
 * time-dependent paths (ICMP error rate limit, conntrack ages) run
 * deterministically through the real code.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

__u64 mock_time_ns;

static __always_inline __u64 mock_now(void)
{
	return mock_time_ns;
}

#define gw_now mock_now
#include "gw_xdp.bpf.c"
