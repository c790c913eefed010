/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The messages of the HTTPRoute ExternalAuth filter with protocol HTTP
 * (apis/v1/httproute_types.go: HTTPExternalAuthFilter, HTTPAuthConfig,
 * ForwardBodyConfig), as pure functions: which client fields go to the
 * authorization service, the head of the request to it, which fields of
 * its answer are copied into the request to the backend, and that copy.
 * No I/O; user/core/extauth.c drives the exchange.
 */
#ifndef GW_EXTAUTH_H
#define GW_EXTAUTH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "gw/buf.h"
#include "gw/filters.h"
#include "gw/http1.h"
#include "gw/router.h"

/* The most of a denial's body relayed to the client; a longer one fails closed. */
#define GW_EXTAUTH_DENY_BODY_MAX (64 * 1024)
/* The largest forwardBody.maxSize gwd honours (a larger one acts as this). */
#define GW_EXTAUTH_BODY_MAX (1024 * 1024)

/**
 * Whether a client request field goes to the authorization service:
 * Authorization always, plus the names in http.allowedHeaders. Host and
 * Content-Length are written by gw_extauth_request_head itself; hop-by-hop
 * fields never travel (l comes from gw_hlist_from_message).
 */
bool gw_extauth_sends_field(const struct gw_rt_extauth *e, const char *name, uint32_t len);

/**
 * The head of the request to the authorization service, without its
 * Content-Length and final CRLF (gw_extauth_request_end adds them once the
 * forwarded body is known): the client's method, http.path prepended to
 * the (normalized) request path and its query, Host as the client sent
 * it, then the fields gw_extauth_sends_field selects from l.
 */
void gw_extauth_request_head(struct gw_sbuf *out, const struct gw_rt_extauth *e,
			     const char *method, uint32_t method_len, const char *path,
			     uint32_t path_len, const char *query, uint32_t query_len,
			     const char *host, uint32_t host_len, const struct gw_hlist *l);

/** Ends a head from gw_extauth_request_head: Content-Length of the body forwarded. */
void gw_extauth_request_end(struct gw_sbuf *out, size_t body_len);

/**
 * Whether a field of the authorization service's 200 answer is copied into
 * the request to the backend: the names in http.allowedResponseHeaders, or
 * when there are none every field but Host (and :authority). Framing and
 * hop-by-hop fields are never copied (the caller's list has none).
 */
bool gw_extauth_copies_field(const struct gw_rt_extauth *e, const char *name, uint32_t len);

/**
 * A request head (as gw_build_request_head wrote it) without the fields
 * named in drop (names only) or in set, with the fields of set appended at
 * the end (names compare case-insensitively; the other fields keep their
 * order). Returns 0, or -ENOMEM (out->oom) or -EINVAL when head is not a
 * complete head.
 */
int gw_extauth_merge_head(struct gw_sbuf *out, const char *head, size_t len,
			  const struct gw_rt_hdr *set, int nset, const struct gw_rt_hdr *drop,
			  int ndrop);

#endif
