/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Per-CPU counters and the program's single exit: gw_finish() turns a
 * helper result (verdict >= 0, or negated enum gw_drop) into the XDP
 * verdict after counting it per verdict/reason and per listener, route
 * and backend the packet was attributed to.
 */
#ifndef GW_BPF_STATS_H
#define GW_BPF_STATS_H

static __always_inline void count(void *map, __u32 idx, __u64 bytes)
{
	struct gw_counter *c = bpf_map_lookup_elem(map, &idx);

	if (c) {
		c->packets++;
		c->bytes += bytes;
	}
}

static __always_inline void count_traffic(void *map, __u32 idx, __u64 bytes, bool drop,
					  bool flow)
{
	struct gw_traffic *t = bpf_map_lookup_elem(map, &idx);

	if (!t)
		return;
	if (drop) {
		t->drops++;
		return;
	}
	t->packets++;
	t->bytes += bytes;
	t->flows += flow;
}

/* Counts a flow creation or re-selection (not a verdict of its own). */
static __always_inline void gw_count_flow(struct gw_pkt *p, bool reselect)
{
	count(&gw_stats, reselect ? GW_STAT_RESELECT : GW_STAT_NEW_FLOW, 0);
	p->has |= GW_PKT_NEW_FLOW;
}

static __always_inline int gw_finish(struct gw_pkt *p, int rc)
{
	bool drop = rc < 0, flow = p->has & GW_PKT_NEW_FLOW;

	/* GW_CONTINUE escaping to here would be a bug: drop it visibly */
	if (rc == GW_CONTINUE)
		rc = -GW_DROP_NO_CONFIG;
	if (drop) {
		count(&gw_drops, (__u32)-rc, p->len);
		count(&gw_stats, GW_STAT_DROP, p->len);
	} else {
		count(&gw_stats, p->stat, p->len);
	}
	/* an ICMP error sent on a flow's behalf is a refusal for it */
	if (p->stat == GW_STAT_ICMP_SENT)
		drop = true;
	if (p->has & GW_PKT_HAS_LISTENER)
		count_traffic(&gw_lstats, p->listener, p->len, drop, flow);
	if (p->has & GW_PKT_HAS_ROUTE)
		count_traffic(&gw_rstats, p->route, p->len, drop, flow);
	if (p->has & GW_PKT_HAS_BACKEND)
		count_traffic(&gw_bstats, p->backend, p->len, drop, flow);
	return drop && rc < 0 ? XDP_DROP : rc;
}

#endif
