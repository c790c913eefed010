/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* Declarations shared by the route table's files (router.c, router_tls.c, l4route.c). */
#ifndef GW_ROUTER_INTERNAL_H
#define GW_ROUTER_INTERNAL_H

#include "gw/router.h"

struct gw_arena;
struct gw_backend;

/**
 * Backend o (built from be, which has a BackendTLSPolicy) is reached over
 * TLS: its client context (shared by the backends of the same policy and
 * client certificate in t) and its endpoints' TLS ids. A context that
 * cannot be built makes o GW_BE_INVALID with the reason. 0 or -ENOMEM.
 */
int gw_rt_backend_tls(struct gw_rt_table *t, const struct gw_backend *be, struct gw_rt_backend *o,
		      struct gw_arena *a);

/** Drops t's references on its client contexts. */
void gw_rt_tls_free(struct gw_rt_table *t);

struct gw_route;
struct gw_listener;

/** The TCPRoute/UDPRoute serving L4 listener l, the one the XDP tier would pick; or NULL. */
const struct gw_route *gw_rt_l4_route_of(const struct gw_listener *l);

/**
 * The Maglev table of L4 route r for endpoints of family af (AF_INET or
 * AF_INET6) into m, allocated in a: the XDP tier's table (one shared
 * function, loader/xdp/compile.c). m stays empty without a usable endpoint
 * of af. 0 or -ENOMEM.
 */
int gw_rt_l4_maglev(const struct gw_route *r, int af, struct gw_rt_maglev *m, struct gw_arena *a);

#endif
