/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* Declarations shared by the route table's files (router.c, router_tls.c). */
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

#endif
