// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Message transformations of the proxy and of HTTPRoute filters. Header
 * values created here (joined lists, X-Forwarded-For) live in the hlist's
 * scratch space, which lasts as long as the head is being written.
 */
#include <errno.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "gw/filters.h"
#include "gw/log.h"

void gw_hlist_init(struct gw_hlist *l)
{
	l->n = 0;
	l->used = 0;
	l->overflow = false;
}

void gw_hlist_add(struct gw_hlist *l, const char *name, uint32_t nlen, const char *value,
		  uint32_t vlen)
{
	if (l->n == GW_HLIST_MAX) {
		l->overflow = true;
		return;
	}
	l->v[l->n++] = (struct gw_rt_hdr){ name, value, nlen, vlen };
}

static char *scratch(struct gw_hlist *l, size_t n)
{
	char *p;

	if (l->used + n > sizeof(l->scratch)) {
		l->overflow = true;
		return NULL;
	}
	p = l->scratch + l->used;
	l->used += n;
	return p;
}

static bool name_eq(const struct gw_rt_hdr *h, const char *name, uint32_t nlen)
{
	return h->name && h->name_len == nlen && !strncasecmp(h->name, name, nlen);
}

struct gw_rt_hdr *gw_hlist_find(struct gw_hlist *l, const char *name, uint32_t nlen)
{
	for (int i = 0; i < l->n; i++)
		if (name_eq(&l->v[i], name, nlen))
			return &l->v[i];
	return NULL;
}

static void compact(struct gw_hlist *l)
{
	int o = 0;

	for (int i = 0; i < l->n; i++)
		if (l->v[i].name)
			l->v[o++] = l->v[i];
	l->n = o;
}

/* Drops every field named name except keep (may be NULL). */
static void drop_named(struct gw_hlist *l, const char *name, uint32_t nlen, struct gw_rt_hdr *keep)
{
	for (int i = 0; i < l->n; i++)
		if (&l->v[i] != keep && name_eq(&l->v[i], name, nlen))
			l->v[i].name = NULL;
}

void gw_hlist_apply(struct gw_hlist *l, const struct gw_rt_hdrmod *m)
{
	if (!m)
		return;
	for (int i = 0; i < m->nremove; i++)
		drop_named(l, m->remove[i].name, m->remove[i].name_len, NULL);
	for (int i = 0; i < m->nset; i++) {
		const struct gw_rt_hdr *s = &m->set[i];
		struct gw_rt_hdr *h = gw_hlist_find(l, s->name, s->name_len);

		if (!h) {
			gw_hlist_add(l, s->name, s->name_len, s->value, s->value_len);
			continue;
		}
		h->value = s->value;
		h->value_len = s->value_len;
		drop_named(l, s->name, s->name_len, h);
	}
	for (int i = 0; i < m->nadd; i++) {
		const struct gw_rt_hdr *a = &m->add[i];
		struct gw_rt_hdr *h = gw_hlist_find(l, a->name, a->name_len);
		size_t len = 0, o = 0;
		char *v;

		if (!h) {
			gw_hlist_add(l, a->name, a->name_len, a->value, a->value_len);
			continue;
		}
		/* "appends to any existing values": one field, values joined with "," */
		for (int k = 0; k < l->n; k++)
			if (name_eq(&l->v[k], a->name, a->name_len))
				len += l->v[k].value_len + 1;
		v = scratch(l, len + a->value_len);
		if (!v)
			return;
		for (int k = 0; k < l->n; k++) {
			if (!name_eq(&l->v[k], a->name, a->name_len))
				continue;
			memcpy(v + o, l->v[k].value, l->v[k].value_len);
			o += l->v[k].value_len;
			v[o++] = ',';
		}
		memcpy(v + o, a->value, a->value_len);
		o += a->value_len;
		h->value = v;
		h->value_len = (uint32_t)o;
		drop_named(l, a->name, a->name_len, h);
	}
	compact(l);
}

static bool hop_by_hop(const struct gw_http1_header *h)
{
	/* by length first: this runs for every field of every message */
	switch (h->name_len) {
	case 2:
		return gw_http1_name_is(h, "te");
	case 7:
		return gw_http1_name_is(h, "trailer") || gw_http1_name_is(h, "upgrade");
	case 10:
		return gw_http1_name_is(h, "connection") || gw_http1_name_is(h, "keep-alive");
	case 14:
		return gw_http1_name_is(h, "content-length");
	case 16:
		return gw_http1_name_is(h, "proxy-connection");
	case 17:
		return gw_http1_name_is(h, "transfer-encoding");
	}
	return false;
}

/* Whether some Connection field of hs lists h's name. */
static bool connection_listed(const struct gw_http1_header *hs, size_t n,
			      const struct gw_http1_header *h)
{
	for (size_t i = 0; i < n; i++) {
		char name[256];

		if (!gw_http1_name_is(&hs[i], "connection") || h->name_len >= sizeof(name))
			continue;
		memcpy(name, h->name, h->name_len);
		name[h->name_len] = '\0';
		if (gw_http1_list_has(hs[i].value, hs[i].value_len, name))
			return true;
	}
	return false;
}

void gw_hlist_from_message(struct gw_hlist *l, const struct gw_http1_header *hs, size_t n)
{
	bool has_conn = false;

	for (size_t i = 0; i < n && !has_conn; i++)
		has_conn = hs[i].name_len == 10 && gw_http1_name_is(&hs[i], "connection");
	for (size_t i = 0; i < n; i++) {
		if (hop_by_hop(&hs[i]) || (has_conn && connection_listed(hs, n, &hs[i])))
			continue;
		gw_hlist_add(l, hs[i].name, hs[i].name_len, hs[i].value, hs[i].value_len);
	}
}

/*
 * Fields that must not arrive in a trailer section. RFC 9110 6.5.1 names
 * the classes (framing, routing, authentication, request modifiers,
 * response control, content format); the names are RFC 7230 4.1.2's list
 * of them, plus the hop-by-hop fields, Proxy-*, and what gwd writes into
 * the head itself (X-Forwarded-*, Forwarded): a backend that merges
 * trailers into the header fields would otherwise take the client's.
 */
static bool trailer_forbidden(const char *name, size_t len)
{
	static const char *const names[] = {
		"age", "authorization", "cache-control", "connection", "content-encoding",
		"content-length", "content-range", "content-type", "cookie", "date", "expect",
		"expires", "forwarded", "host", "keep-alive", "location", "max-forwards",
		"pragma", "range", "retry-after", "set-cookie", "te", "trailer",
		"transfer-encoding", "upgrade", "vary", "warning", "www-authenticate",
	};

	if ((len > 6 && !strncasecmp(name, "proxy-", 6)) ||
	    (len > 12 && !strncasecmp(name, "x-forwarded-", 12)))
		return true;
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (strlen(names[i]) == len && !strncasecmp(name, names[i], len))
			return true;
	return false;
}

int gw_trailers_filter(struct gw_sbuf *out, const char *in, size_t n)
{
	size_t p = 0;
	int dropped = 0;

	while (p < n) {
		const char *eol = memmem(in + p, n - p, "\r\n", 2);
		const char *colon;
		size_t len;

		if (!eol)
			break;	/* not a section the decoder accepted: nothing more is copied */
		len = (size_t)(eol - (in + p));
		if (!len)
			break;	/* the empty line ends the section */
		colon = memchr(in + p, ':', len);
		if (colon && !trailer_forbidden(in + p, (size_t)(colon - (in + p))))
			gw_sbuf_put(out, in + p, len + 2);
		else
			dropped++;
		p += len + 2;
	}
	gw_sbuf_put(out, "\r\n", 2);
	return dropped;
}

static void put_length(struct gw_sbuf *out, uint64_t len)
{
	gw_sbuf_put(out, "Content-Length: ", 16);
	gw_sbuf_u64(out, len);
	gw_sbuf_put(out, "\r\n", 2);
}

static void put_fields(struct gw_sbuf *out, const struct gw_hlist *l)
{
	for (int i = 0; i < l->n; i++) {
		gw_sbuf_put(out, l->v[i].name, l->v[i].name_len);
		gw_sbuf_put(out, ": ", 2);
		gw_sbuf_put(out, l->v[i].value, l->v[i].value_len);
		gw_sbuf_put(out, "\r\n", 2);
	}
}

/*
 * Backends behind CGI, WSGI, Rack and PHP see fields as variables where
 * '-' and '_' both become '_' (HTTP_X_FORWARDED_FOR): a client's
 * X_Forwarded_For or Content_Length would shadow the field gwd writes or
 * strips (the Puma CVE-2024-45614 class). Field names may contain '_'
 * (RFC 9110 5.1 tchar), so this is policy, not parsing: dropped by default,
 * as nginx does (underscores_in_headers off); gwd --allow-underscores-in-headers
 * keeps them. Client-supplied only: the route's own header modifiers run
 * afterwards and may still add such a name.
 */
void gw_drop_underscored(struct gw_hlist *l, uint64_t *drops)
{
	for (int i = 0; i < l->n; i++) {
		if (!l->v[i].name || !memchr(l->v[i].name, '_', l->v[i].name_len))
			continue;
		l->v[i].name = NULL;
		if (drops)
			(*drops)++;
	}
}

int gw_build_request_head(struct gw_sbuf *out, struct gw_hlist *l, const struct gw_fwd_req *f,
			  const struct gw_http1_header *hs, size_t n)
{
	gw_hlist_init(l);
	/* Host first, where a modifier can still set or remove it */
	gw_hlist_add(l, "Host", 4, f->host, f->host_len);
	gw_hlist_from_message(l, hs, n);
	if (!f->allow_underscores)
		gw_drop_underscored(l, f->underscore_drops);
	for (int i = 1; i < l->n; i++)
		if (l->v[i].name_len == 4 && !strncasecmp(l->v[i].name, "host", 4))
			l->v[i].name = NULL;
	if (f->xff == GW_XFF_APPEND) {
		struct gw_rt_hdr *x = gw_hlist_find(l, "x-forwarded-for", 15);
		size_t ip = strlen(f->client_ip), len = ip, o = 0;
		char *v;

		for (int i = 0; i < l->n; i++)
			if (name_eq(&l->v[i], "x-forwarded-for", 15))
				len += l->v[i].value_len + 2;
		v = scratch(l, len);
		if (!v)
			return -E2BIG;
		for (int i = 0; x && i < l->n; i++) {
			if (!name_eq(&l->v[i], "x-forwarded-for", 15))
				continue;
			memcpy(v + o, l->v[i].value, l->v[i].value_len);
			o += l->v[i].value_len;
			memcpy(v + o, ", ", 2);
			o += 2;
		}
		memcpy(v + o, f->client_ip, ip);
		o += ip;
		drop_named(l, "x-forwarded-for", 15, NULL);
		drop_named(l, "x-forwarded-proto", 17, NULL);
		drop_named(l, "x-forwarded-host", 16, NULL);
		gw_hlist_add(l, "X-Forwarded-For", 15, v, (uint32_t)o);
		gw_hlist_add(l, "X-Forwarded-Proto", 17, f->proto, (uint32_t)strlen(f->proto));
		gw_hlist_add(l, "X-Forwarded-Host", 16, f->orig_host, f->orig_host_len);
	}
	if (f->xfcc_replace)
		drop_named(l, "x-forwarded-client-cert", 23, NULL);
	if (f->xfcc_replace && f->xfcc_len)
		gw_hlist_add(l, "X-Forwarded-Client-Cert", 23, f->xfcc, f->xfcc_len);
	compact(l);
	gw_hlist_apply(l, f->mods[0]);
	gw_hlist_apply(l, f->mods[1]);
	gw_hlist_apply(l, f->mods[2]);
	if (l->overflow)
		return -E2BIG;
	gw_sbuf_put(out, f->method, f->method_len);
	gw_sbuf_put(out, " ", 1);
	gw_sbuf_put(out, f->path, f->path_len);
	if (f->query) {
		gw_sbuf_put(out, "?", 1);
		gw_sbuf_put(out, f->query, f->query_len);
	}
	gw_sbuf_put(out, " HTTP/1.1\r\n", 11);
	put_fields(out, l);
	if (f->chunked)
		gw_sbuf_puts(out, "Transfer-Encoding: chunked\r\n");
	else if (f->has_length)
		put_length(out, f->content_length);
	if (f->upgrade) {
		gw_sbuf_puts(out, "Connection: upgrade\r\nUpgrade: ");
		gw_sbuf_put(out, f->upgrade->value, f->upgrade->value_len);
		gw_sbuf_put(out, "\r\n", 2);
	}
	gw_sbuf_put(out, "\r\n", 2);
	return out->oom ? -ENOMEM : 0;
}

int gw_build_response_head(struct gw_sbuf *out, struct gw_hlist *l, const struct gw_fwd_resp *f,
			   const struct gw_http1_header *hs, size_t n)
{
	gw_hlist_init(l);
	gw_hlist_from_message(l, hs, n);
	gw_hlist_apply(l, f->mods[0]);
	gw_hlist_apply(l, f->mods[1]);
	for (int i = 0; i < f->nextra; i++)
		gw_hlist_add(l, f->extra[i].name, f->extra[i].name_len, f->extra[i].value,
			     f->extra[i].value_len);
	if (l->overflow)
		return -E2BIG;
	gw_sbuf_put(out, "HTTP/1.1 ", 9);
	gw_sbuf_u64(out, (uint64_t)f->status);
	gw_sbuf_put(out, " ", 1);
	if (f->reason_len)
		gw_sbuf_put(out, f->reason, f->reason_len);
	else
		gw_sbuf_puts(out, gw_http1_reason(f->status));
	gw_sbuf_put(out, "\r\n", 2);
	put_fields(out, l);
	if (f->chunked)
		gw_sbuf_puts(out, "Transfer-Encoding: chunked\r\n");
	else if (f->has_length)
		put_length(out, f->content_length);
	if (f->upgrade) {
		gw_sbuf_puts(out, "Connection: upgrade\r\nUpgrade: ");
		gw_sbuf_put(out, f->upgrade->value, f->upgrade->value_len);
		gw_sbuf_put(out, "\r\n", 2);
	} else if (f->close) {
		gw_sbuf_puts(out, "Connection: close\r\n");
	} else if (f->keepalive_10) {
		gw_sbuf_puts(out, "Connection: keep-alive\r\n");
	}
	gw_sbuf_put(out, "\r\n", 2);
	return out->oom ? -ENOMEM : 0;
}

void gw_build_local_response(struct gw_sbuf *out, int status, bool close,
			     const struct gw_rt_hdr *extra, int nextra, const char *body,
			     bool head_request)
{
	size_t blen = body ? strlen(body) : 0;

	gw_build_local_response_n(out, status, close, extra, nextra, body, blen,
				  blen ? "text/plain; charset=utf-8" : NULL, head_request);
}

void gw_build_local_response_n(struct gw_sbuf *out, int status, bool close,
			       const struct gw_rt_hdr *extra, int nextra, const char *body,
			       size_t blen, const char *ctype, bool head_request)
{
	gw_sbuf_printf(out, "HTTP/1.1 %d %s\r\n", status, gw_http1_reason(status));
	for (int i = 0; i < nextra; i++) {
		gw_sbuf_put(out, extra[i].name, extra[i].name_len);
		gw_sbuf_put(out, ": ", 2);
		gw_sbuf_put(out, extra[i].value, extra[i].value_len);
		gw_sbuf_put(out, "\r\n", 2);
	}
	if (ctype)
		gw_sbuf_printf(out, "Content-Type: %s\r\n", ctype);
	gw_sbuf_printf(out, "Content-Length: %zu\r\n", blen);
	if (close)
		gw_sbuf_puts(out, "Connection: close\r\n");
	gw_sbuf_put(out, "\r\n", 2);
	if (!head_request)
		gw_sbuf_put(out, body, blen);
}

void gw_apply_pathmod(struct gw_sbuf *out, const struct gw_rt_pathmod *pm,
		      const struct gw_rt_match *m, const char *path, uint32_t path_len)
{
	uint32_t rlen;
	const char *rest;

	if (pm->type == GW_PATHMOD_FULL || !m || m->ptype != GW_PM_PREFIX ||
	    m->path_len > path_len) {
		if (pm->len)
			gw_sbuf_put(out, pm->value, pm->len);
		else
			gw_sbuf_put(out, "/", 1);
		return;
	}
	/* ReplacePrefixMatch: whole segments, trailing '/' ignored on both sides */
	rest = path + m->path_len;
	rlen = pm->len;
	while (rlen && pm->value[rlen - 1] == '/')
		rlen--;
	if (!rlen) {
		if (path_len > m->path_len)
			gw_sbuf_put(out, rest, path_len - m->path_len);
		else
			gw_sbuf_put(out, "/", 1);
		return;
	}
	gw_sbuf_put(out, pm->value, rlen);
	gw_sbuf_put(out, rest, path_len - m->path_len);
}

void gw_redirect_location(struct gw_sbuf *out, const struct gw_rt_redirect *r,
			  const struct gw_rt_match *m, const char *req_scheme, const char *host,
			  uint32_t host_len, int listener_port, const char *path,
			  uint32_t path_len, const char *query, uint32_t query_len)
{
	const char *scheme = r->scheme ? r->scheme : req_scheme;
	bool https = !strcmp(scheme, "https");
	int port;

	/* HTTPRequestRedirectFilter.port: explicit, else the scheme's, else the listener's */
	if (r->port)
		port = r->port;
	else if (r->scheme)
		port = https ? 443 : 80;
	else
		port = listener_port;
	gw_sbuf_puts(out, scheme);
	gw_sbuf_put(out, "://", 3);
	if (r->hostname)
		gw_sbuf_puts(out, r->hostname);
	else
		gw_sbuf_put(out, host, host_len);
	if (!((https && port == 443) || (!https && port == 80)))
		gw_sbuf_printf(out, ":%d", port);
	if (r->path.type == GW_PATHMOD_NONE)
		gw_sbuf_put(out, path, path_len);
	else
		gw_apply_pathmod(out, &r->path, m, path, path_len);
	if (query) {
		gw_sbuf_put(out, "?", 1);
		gw_sbuf_put(out, query, query_len);
	}
}

struct origin {
	const char *scheme, *host;
	uint32_t scheme_len, host_len;
	int port;
};

static bool parse_origin(const char *s, uint32_t len, struct origin *o)
{
	const char *sep = len > 3 ? memmem(s, len, "://", 3) : NULL;
	const char *h, *end = s + len, *colon;

	if (!sep)
		return false;
	o->scheme = s;
	o->scheme_len = (uint32_t)(sep - s);
	h = sep + 3;
	colon = memrchr(h, ':', (size_t)(end - h));
	if (colon && (h[0] != '[' || memchr(colon, ']', (size_t)(end - colon)) == NULL) &&
	    colon + 1 < end) {
		o->port = 0;
		for (const char *p = colon + 1; p < end; p++) {
			if (*p < '0' || *p > '9')
				return false;
			o->port = o->port * 10 + (*p - '0');
			if (o->port > 65535)
				return false;
		}
		o->host = h;
		o->host_len = (uint32_t)(colon - h);
	} else {
		o->host = h;
		o->host_len = (uint32_t)(end - h);
		if (o->scheme_len == 5 && !strncasecmp(s, "https", 5))
			o->port = 443;
		else if (o->scheme_len == 4 && !strncasecmp(s, "http", 4))
			o->port = 80;
		else
			o->port = 0;
	}
	return o->host_len > 0;
}

/* Host glob with '*' greedy to the left (it may span labels and dots). */
static bool host_glob(const char *pat, uint32_t plen, const char *h, uint32_t hlen)
{
	const char *star = memchr(pat, '*', plen);
	uint32_t pre, suf;

	if (!star)
		return plen == hlen && !strncasecmp(pat, h, hlen);
	pre = (uint32_t)(star - pat);
	suf = plen - pre - 1;
	return hlen >= pre + suf && !strncasecmp(h, pat, pre) &&
	       !strncasecmp(h + hlen - suf, star + 1, suf);
}

bool gw_cors_origin_allowed(const struct gw_rt_cors *c, const char *origin, uint32_t len)
{
	struct origin req, cfg;

	if (c->any_origin)
		return true;
	if (!parse_origin(origin, len, &req))
		return false;
	for (int i = 0; i < c->norigins; i++) {
		if (!parse_origin(c->origins[i], (uint32_t)strlen(c->origins[i]), &cfg))
			continue;
		if (cfg.scheme_len == req.scheme_len &&
		    !strncasecmp(cfg.scheme, req.scheme, req.scheme_len) && cfg.port == req.port &&
		    host_glob(cfg.host, cfg.host_len, req.host, req.host_len))
			return true;
	}
	return false;
}

int gw_cors_headers(const struct gw_rt_cors *c, bool preflight, const char *origin,
		    uint32_t origin_len, const char *req_method, uint32_t req_method_len,
		    const char *req_headers, uint32_t req_headers_len, struct gw_sbuf *sb,
		    struct gw_rt_hdr *out)
{
	size_t off[GW_CORS_MAX_FIELDS];
	int n = 0;
	char ma[24];

	if (!origin || !gw_cors_origin_allowed(c, origin, origin_len))
		return 0;
	/* values are copied into sb; offsets become pointers once sb stops growing */
#define FIELD(nm, v, vl)                                                                      \
	do {                                                                                  \
		off[n] = sb->len;                                                             \
		gw_sbuf_put(sb, v, vl);                                                       \
		out[n].name = nm;                                                             \
		out[n].name_len = (uint32_t)strlen(nm);                                       \
		out[n].value_len = (uint32_t)(vl);                                            \
		n++;                                                                          \
	} while (0)
	if (c->any_origin && !c->credentials)
		FIELD("Access-Control-Allow-Origin", "*", 1);
	else
		FIELD("Access-Control-Allow-Origin", origin, origin_len);
	if (c->credentials)
		FIELD("Access-Control-Allow-Credentials", "true", 4);
	if (preflight) {
		if (c->any_method) {
			if (!c->credentials)
				FIELD("Access-Control-Allow-Methods", "*", 1);
			else if (req_method)
				FIELD("Access-Control-Allow-Methods", req_method, req_method_len);
		} else if (c->methods) {
			FIELD("Access-Control-Allow-Methods", c->methods, strlen(c->methods));
		}
		if (c->any_header) {
			if (!c->credentials)
				FIELD("Access-Control-Allow-Headers", "*", 1);
			else if (req_headers)
				FIELD("Access-Control-Allow-Headers", req_headers, req_headers_len);
		} else if (c->headers) {
			FIELD("Access-Control-Allow-Headers", c->headers, strlen(c->headers));
		}
		snprintf(ma, sizeof(ma), "%lld", c->max_age);
		FIELD("Access-Control-Max-Age", ma, strlen(ma));
	}
	/*
	 * Both answers carry exposeHeaders: the v1.6 conformance test
	 * HTTPRouteCORS expects it on the preflight too. "*" is not allowed with
	 * credentials (HTTPCORSFilter.ExposeHeaders), and without a list of the
	 * response's own names to put instead it is left out.
	 */
	if (c->expose && !(c->any_expose && c->credentials))
		FIELD("Access-Control-Expose-Headers", c->expose, strlen(c->expose));
	if (!(c->any_origin && !c->credentials))
		FIELD("Vary", "Origin", 6);
#undef FIELD
	if (sb->oom)
		return 0;
	for (int i = 0; i < n; i++)
		out[i].value = sb->p + off[i];
	return n;
}

static unsigned char session_key[32];

void gw_session_key_init(void)
{
	if (RAND_bytes(session_key, sizeof(session_key)) != 1)
		gw_fatal("Couldn't get random bytes for the session persistence key");
}

static uint64_t session_mac(const struct gw_session_tok *t)
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;
	uint64_t in[4] = { t->backend, t->endpoint, t->issued_s, t->last_s }, mac;

	HMAC(EVP_sha256(), session_key, sizeof(session_key), (unsigned char *)in, sizeof(in), md,
	     &mdlen);
	memcpy(&mac, md, sizeof(mac));
	return mac;
}

void gw_session_encode(const struct gw_session_tok *t, char *out, size_t outlen)
{
	snprintf(out, outlen, "%x.%x.%llx.%llx.%016llx", t->backend, t->endpoint,
		 (unsigned long long)t->issued_s, (unsigned long long)t->last_s,
		 (unsigned long long)session_mac(t));
}

bool gw_session_decode(const char *s, uint32_t len, struct gw_session_tok *t)
{
	unsigned long long v[5];
	char buf[128], *p, *end;

	if (len >= sizeof(buf))
		return false;
	memcpy(buf, s, len);
	buf[len] = '\0';
	p = buf;
	for (int i = 0; i < 5; i++) {
		if (!*p || !strchr("0123456789abcdef", *p))
			return false;
		v[i] = strtoull(p, &end, 16);
		if (*end != (i == 4 ? '\0' : '.'))
			return false;
		p = end + (i < 4);
	}
	t->backend = (uint32_t)v[0];
	t->endpoint = (uint32_t)v[1];
	t->issued_s = v[2];
	t->last_s = v[3];
	return CRYPTO_memcmp(&(uint64_t){ session_mac(t) }, &(uint64_t){ v[4] }, 8) == 0;
}

const char *gw_cookie_find(const struct gw_http1_header *hs, size_t n, const char *name,
			   uint32_t *vlen)
{
	size_t nl = strlen(name);

	for (size_t i = 0; i < n; i++) {
		const char *v = hs[i].value, *end = v + hs[i].value_len;

		if (!gw_http1_name_is(&hs[i], "cookie"))
			continue;
		while (v < end) {
			const char *semi = memchr(v, ';', (size_t)(end - v));
			const char *pe = semi ? semi : end, *eq;

			while (v < pe && (*v == ' ' || *v == '\t'))
				v++;
			eq = memchr(v, '=', (size_t)(pe - v));
			if (eq && (size_t)(eq - v) == nl && !memcmp(v, name, nl)) {
				const char *val = eq + 1, *ve = pe;

				if (ve - val >= 2 && *val == '"' && ve[-1] == '"') {
					val++;
					ve--;
				}
				*vlen = (uint32_t)(ve - val);
				return val;
			}
			v = pe + 1;
		}
	}
	return NULL;
}
