// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The route table's side of gwd's userspace L4 path: the Maglev tables of
 * the TCPRoutes/UDPRoutes gwd serves are the XDP tier's own
 * (gw_l4_route_compile() in loader/xdp/compile.c: a backendRef's weight
 * split evenly over its ready endpoints of a family, an unusable
 * backendRef's share kept as "reject"), converted into socket addresses.
 * Its own file to keep the XDP ABI header (bpf/gw_kern_user.h) out of
 * the rest of gwd.
 */
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "loader/config/arena.h"
/* the ABI header's enum gw_stat (XDP counters) is not gwd's struct gw_stat */
#define gw_stat gw_kern_stat
#include "loader/xdp/maglev.h"
#undef gw_stat
#include "router_internal.h"

const struct gw_route *gw_rt_l4_route_of(const struct gw_listener *l)
{
	return gw_l4_route_of(l);
}

int gw_rt_l4_maglev(const struct gw_route *r, int af, struct gw_rt_maglev *m, struct gw_arena *a)
{
	uint8_t fam = af == AF_INET ? GW_FAM_V4 : GW_FAM_V6;
	struct gw_xdp_route xr = { 0 };
	int err = gw_l4_route_compile(r, fam, &xr);

	if (err || !xr.table)
		goto out;
	m->eps = gw_arena_alloc(a, xr.neps * sizeof(*m->eps));
	m->table = gw_arena_alloc(a, xr.size * sizeof(*m->table));
	if (!m->eps || !m->table) {
		err = -ENOMEM;
		goto out;
	}
	memset(m->eps, 0, xr.neps * sizeof(*m->eps));
	memcpy(m->table, xr.table, xr.size * sizeof(*m->table));
	m->size = xr.size;
	m->neps = (uint32_t)xr.neps;
	for (size_t i = 0; i < xr.neps; i++) {
		const struct gw_xdp_ep *x = &xr.eps[i];
		struct gw_rt_endpoint *e = &m->eps[i].ep;

		m->eps[i].reject = x->reject;
		if (x->reject)
			continue;
		if (fam == GW_FAM_V4) {
			struct sockaddr_in *s4 = (struct sockaddr_in *)&e->sa;

			s4->sin_family = AF_INET;
			s4->sin_port = htons(x->port);
			s4->sin_addr.s_addr = x->addr.v4;
			e->salen = sizeof(*s4);
		} else {
			struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&e->sa;

			s6->sin6_family = AF_INET6;
			s6->sin6_port = htons(x->port);
			memcpy(&s6->sin6_addr, x->addr.v6, sizeof(s6->sin6_addr));
			e->salen = sizeof(*s6);
		}
		e->id = gw_rt_endpoint_id((struct sockaddr *)&e->sa, e->salen);
		snprintf(e->name, sizeof(e->name), "%s", x->key);
	}
out:
	gw_l4_route_free(&xr);
	return err;
}
