// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * ExternalAuth (protocol HTTP) messages; see gw/extauth.h. The rules quoted
 * are from apis/v1/httproute_types.go (Gateway API v1.6, HTTPAuthConfig).
 */
#include <errno.h>
#include <string.h>
#include <strings.h>

#include "gw/extauth.h"

static bool name_is(const char *name, uint32_t len, const char *lower)
{
	return strlen(lower) == len && !strncasecmp(name, lower, len);
}

static bool listed(const struct gw_rt_hdr *names, int n, const char *name, uint32_t len)
{
	for (int i = 0; i < n; i++)
		if (names[i].name_len == len && !strncasecmp(names[i].name, name, len))
			return true;
	return false;
}

bool gw_extauth_sends_field(const struct gw_rt_extauth *e, const char *name, uint32_t len)
{
	/* "The following headers must always be sent ... Host, Method, Path,
	 * Content-Length, Authorization": Host and Content-Length are ours to
	 * write (Content-Length "must reflect the actual number of bytes sent") */
	if (name_is(name, len, "host") || name_is(name, len, "content-length"))
		return false;
	return name_is(name, len, "authorization") || listed(e->req_hdrs, e->nreq_hdrs, name, len);
}

void gw_extauth_request_head(struct gw_sbuf *out, const struct gw_rt_extauth *e,
			     const char *method, uint32_t method_len, const char *path,
			     uint32_t path_len, const char *query, uint32_t query_len,
			     const char *host, uint32_t host_len, const struct gw_hlist *l)
{
	uint32_t plen = e->path_len;

	gw_sbuf_put(out, method, method_len);
	gw_sbuf_put(out, " ", 1);
	/* "Path sets the prefix that paths from the client request will have
	 * added": one '/' between them, and the result is origin-form */
	while (plen && e->path[plen - 1] == '/')
		plen--;
	if (plen && e->path[0] != '/')
		gw_sbuf_put(out, "/", 1);
	gw_sbuf_put(out, e->path, plen);
	if (!path_len || path[0] != '/')
		gw_sbuf_put(out, "/", 1);
	gw_sbuf_put(out, path, path_len);
	if (query) {
		gw_sbuf_put(out, "?", 1);
		gw_sbuf_put(out, query, query_len);
	}
	gw_sbuf_puts(out, " HTTP/1.1\r\nHost: ");
	gw_sbuf_put(out, host, host_len);
	gw_sbuf_put(out, "\r\n", 2);
	for (int i = 0; i < l->n; i++) {
		const struct gw_rt_hdr *h = &l->v[i];

		/* a NULL name is a removed field (gw_hlist convention) */
		if (!h->name || !gw_extauth_sends_field(e, h->name, h->name_len))
			continue;
		gw_sbuf_put(out, h->name, h->name_len);
		gw_sbuf_put(out, ": ", 2);
		gw_sbuf_put(out, h->value, h->value_len);
		gw_sbuf_put(out, "\r\n", 2);
	}
}

void gw_extauth_request_end(struct gw_sbuf *out, size_t body_len)
{
	gw_sbuf_printf(out, "Content-Length: %zu\r\n\r\n", body_len);
}

bool gw_extauth_copies_field(const struct gw_rt_extauth *e, const char *name, uint32_t len)
{
	/* "If this list is empty, then all headers from the authorization
	 * server except Authority or Host must be copied." */
	if (!e->nresp_hdrs)
		return !name_is(name, len, "host") && !name_is(name, len, ":authority");
	return !name_is(name, len, "host") && listed(e->resp_hdrs, e->nresp_hdrs, name, len);
}

int gw_extauth_merge_head(struct gw_sbuf *out, const char *head, size_t len,
			  const struct gw_rt_hdr *set, int nset, const struct gw_rt_hdr *drop,
			  int ndrop)
{
	const char *p = head, *end = head + len, *eol;

	if (len < 4 || memcmp(end - 4, "\r\n\r\n", 4))
		return -EINVAL;
	eol = memmem(p, (size_t)(end - p), "\r\n", 2);
	gw_sbuf_put(out, p, (size_t)(eol - p) + 2);
	for (p = eol + 2; p < end - 2; p = eol + 2) {
		const char *colon;

		eol = memmem(p, (size_t)(end - p), "\r\n", 2);
		colon = memchr(p, ':', (size_t)(eol - p));
		if (!colon)
			return -EINVAL;
		if (!listed(set, nset, p, (uint32_t)(colon - p)) &&
		    !listed(drop, ndrop, p, (uint32_t)(colon - p)))
			gw_sbuf_put(out, p, (size_t)(eol - p) + 2);
	}
	for (int i = 0; i < nset; i++) {
		gw_sbuf_put(out, set[i].name, set[i].name_len);
		gw_sbuf_put(out, ": ", 2);
		gw_sbuf_put(out, set[i].value, set[i].value_len);
		gw_sbuf_put(out, "\r\n", 2);
	}
	gw_sbuf_put(out, "\r\n", 2);
	return out->oom ? -ENOMEM : 0;
}
