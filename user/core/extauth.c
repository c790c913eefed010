// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The HTTPRoute ExternalAuth filter, protocol HTTP (apis/v1/httproute_types.go,
 * HTTPExternalAuthFilter; GEP-1494). Before a request's first attempt its
 * exchange waits while a sub-request asks the authorization service: the
 * sub-request is an exchange without a client (proxy.c), so it uses the
 * same endpoint choice, keep-alive pools, connection limits, connect
 * timeout and failover as every backend request; its response comes here
 * instead of going to a client.
 *
 *   200          the request goes on, with the fields the answer carries
 *                (http.allowedResponseHeaders) set on the request to the
 *                backend ("each backend must respond with a 200 status
 *                code ... Any other code is considered an authorization
 *                failure");
 *   other        the client gets the authorization service's status,
 *                fields and body;
 *   no answer    fail closed: 503 (no endpoint, connect failure, timeout,
 *                reset, malformed answer), 500 for an unresolved backendRef.
 *
 * forwardBody.maxSize: the decoded body is held (at most
 * GW_EXTAUTH_BODY_MAX; proxy.c holds the body for the backend as long) and
 * sent with its exact Content-Length; a larger body gets 413 ("Bodies over that size must be
 * rejected with a 4xx series error ... and fail processing of the filter").
 * A rule filter and a backendRef filter both ask, rule first.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "gw/extauth.h"
#include "gw/log.h"
#include "gwd_internal.h"

struct gw_extauth_call {
	struct gw_exch *x;		/* the client's exchange, waiting */
	struct gw_exch *sub;		/* the request to the authorization service, or NULL */
	const struct gw_rt_extauth *e[2];	/* rule filter, then backendRef filter */
	int n, cur;
	struct gw_sbuf head[2];		/* their request heads, without Content-Length */
	/* forwardBody: the client's body, decoded */
	bool want_body;			/* the first request waits for the whole body */
	uint32_t body_max;
	struct gw_sbuf body;
	bool chunked;
	struct gw_http1_chunked ck;
	/* the answer */
	int status;
	struct gw_sbuf fields;		/* copied names and values of hdrs */
	struct gw_rt_hdr hdrs[GW_HTTP1_MAX_HEADERS];
	int nhdrs;
	struct gw_sbuf deny_body;
	bool deny_too_big;
};

static void call_free(struct gw_extauth_call *a)
{
	if (a->sub) {
		a->sub->auth = NULL;
		gw_exch_sub_free(a->sub);
	}
	gw_sbuf_free(&a->head[0]);
	gw_sbuf_free(&a->head[1]);
	gw_sbuf_free(&a->body);
	gw_sbuf_free(&a->fields);
	gw_sbuf_free(&a->deny_body);
	free(a);
}

void gw_extauth_free(struct gw_exch *x)
{
	struct gw_extauth_call *a = x->auth;

	x->auth = NULL;
	if (a)
		call_free(a);
}

static const char *service(const struct gw_extauth_call *a)
{
	return a->e[a->cur]->be.name;
}

/* Asks the authorization service of e[cur]; false when x was answered instead. */
static bool ask(struct gw_extauth_call *a)
{
	const struct gw_rt_extauth *e = a->e[a->cur];
	struct gw_exch *x = a->x, *sub;
	size_t blen = e->body_max ? a->body.len : 0;

	if (e->be.state == GW_BE_INVALID) {
		pr_warn_ratelimited("HTTPRoute %s rule %d: ExternalAuth backendRef %s is invalid "
				    "(%s): 500", x->rule->route, x->rule->index, e->be.name,
				    e->be.reason);
		gw_exch_error(x, 500, "invalid ExternalAuth backendRef");
		return false;
	}
	if (e->be.state == GW_BE_NOEPS) {
		pr_warn_ratelimited("HTTPRoute %s rule %d: authorization service %s has no ready "
				    "endpoints: 503 (fail closed)", x->rule->route, x->rule->index,
				    e->be.name);
		gw_exch_error(x, 503, "the authorization service has no ready endpoints");
		return false;
	}
	if (blen > e->body_max) {
		gw_exch_error(x, 413, "request body over the ExternalAuth forwardBody.maxSize");
		return false;
	}
	sub = gw_exch_sub_new(x, &e->be);
	if (!sub) {
		gw_exch_error(x, 500, "out of memory");
		return false;
	}
	sub->auth = a;
	a->sub = sub;
	a->status = 0;
	a->nhdrs = 0;
	a->deny_too_big = false;
	gw_sbuf_reset(&a->fields);
	gw_sbuf_reset(&a->deny_body);
	gw_sbuf_put(&sub->head, a->head[a->cur].p, a->head[a->cur].len);
	gw_extauth_request_end(&sub->head, blen);
	gw_sbuf_put(&sub->body, a->body.p, blen);
	if (sub->head.oom || sub->body.oom) {
		gw_exch_error(x, 500, "out of memory");
		return false;
	}
	gw_exch_sub_start(sub);
	return true;
}

bool gw_extauth_begin(struct gw_exch *x, const struct gw_http1_req *req,
		      const struct gw_rt_request *rq, const char *host, uint32_t host_len,
		      const struct gw_rt_extauth *rule_e, const struct gw_rt_extauth *be_e)
{
	struct gw_extauth_call *a;
	struct gw_worker *w = x->w;

	if (!rule_e && !be_e)
		return false;
	a = calloc(1, sizeof(*a));
	if (!a) {
		gw_exch_error(x, 500, "out of memory");
		return true;
	}
	a->x = x;
	x->auth = a;
	if (rule_e)
		a->e[a->n++] = rule_e;
	if (be_e)
		a->e[a->n++] = be_e;
	gw_hlist_init(&w->hl);
	gw_hlist_from_message(&w->hl, req->headers, req->nheaders);
	/*
	 * The authorization service is a backend too: the same '_' rule as for
	 * the request forwarded later (counted there, once per field).
	 */
	if (!gwd.o.allow_underscores)
		gw_drop_underscored(&w->hl, NULL);
	for (int i = 0; i < a->n; i++) {
		if (a->e[i]->body_max > a->body_max)
			a->body_max = a->e[i]->body_max;
		gw_extauth_request_head(&a->head[i], a->e[i], req->method, req->method_len,
					rq->path, rq->path_len, rq->query, rq->query_len, host,
					host_len, &w->hl);
		if (a->head[i].oom) {
			gw_exch_error(x, 500, "out of memory");
			return true;
		}
	}
	if (a->body_max > GW_EXTAUTH_BODY_MAX)
		a->body_max = GW_EXTAUTH_BODY_MAX;
	a->chunked = x->req_body == GW_BODY_CHUNKED;
	a->want_body = a->body_max && !x->req_done;
	if (a->want_body && x->req_body == GW_BODY_LENGTH && x->req_left > a->body_max) {
		gw_exch_error(x, 413, "request body over the ExternalAuth forwardBody.maxSize");
		return true;
	}
	if (a->want_body && x->expect_continue) {
		/* the authorization service needs the body first: ask the client for
		 * it now (RFC 9110 10.1.1); the backend's own 100 is then not relayed */
		x->expect_continue = false;
		gw_conn_put(x->c, "HTTP/1.1 100 Continue\r\n\r\n", 25);
	}
	if (!a->want_body)
		ask(a);
	return true;
}

bool gw_extauth_body(struct gw_exch *x, const void *p, size_t n)
{
	struct gw_extauth_call *a = x->auth;
	size_t off = 0;

	if (!a || !a->want_body)
		return true;
	if (!a->chunked) {
		gw_sbuf_put(&a->body, p, n);
	} else {
		/* the chunked framing proxy.c wrote: decode it back */
		while (off < n && a->ck.state != GW_CHUNK_DONE) {
			const char *d;
			size_t dn;
			ssize_t r = gw_http1_chunked_decode(&a->ck, (const char *)p + off, n - off,
							    &d, &dn);

			if (r < 0)
				break;
			off += (size_t)r;
			gw_sbuf_put(&a->body, d, dn);
			if (!r)
				break;
		}
	}
	if (a->body.len > a->body_max) {
		gw_exch_error(x, 413, "request body over the ExternalAuth forwardBody.maxSize");
		return false;
	}
	if (a->body.oom) {
		gw_exch_error(x, 500, "out of memory");
		return false;
	}
	return true;
}

void gw_extauth_request_done(struct gw_exch *x)
{
	struct gw_extauth_call *a = x->auth;

	if (a && a->want_body) {
		a->want_body = false;
		ask(a);
	}
}

size_t gw_extauth_hold(const struct gw_exch *x)
{
	const struct gw_extauth_call *a = x->auth;

	/* x->body holds the body as framed for the backend: room for chunk framing */
	return a && a->want_body ? (size_t)a->body_max + a->body_max / 4 + 4096 : 0;
}

void gw_extauth_held(struct gw_exch *x)
{
	struct gw_extauth_call *a = x->auth;

	/* the body outgrew what gwd holds before the authorization service answers */
	if (a && a->want_body)
		gw_exch_error(x, 413, "request body over the ExternalAuth forwardBody.maxSize");
}

/* Copies the fields keep selects from l into a->fields / a->hdrs (they live in input buffers). */
static void keep_fields(struct gw_extauth_call *a, const struct gw_hlist *l, bool copy_upstream)
{
	size_t offs[GW_HTTP1_MAX_HEADERS][2];

	for (int i = 0; i < l->n && a->nhdrs < GW_HTTP1_MAX_HEADERS; i++) {
		const struct gw_rt_hdr *h = &l->v[i];

		if (copy_upstream && !gw_extauth_copies_field(a->e[a->cur], h->name, h->name_len))
			continue;
		offs[a->nhdrs][0] = a->fields.len;
		gw_sbuf_put(&a->fields, h->name, h->name_len);
		offs[a->nhdrs][1] = a->fields.len;
		gw_sbuf_put(&a->fields, h->value, h->value_len);
		a->hdrs[a->nhdrs].name_len = h->name_len;
		a->hdrs[a->nhdrs].value_len = h->value_len;
		a->nhdrs++;
	}
	for (int i = 0; i < a->nhdrs && !a->fields.oom; i++) {
		a->hdrs[i].name = a->fields.p + offs[i][0];
		a->hdrs[i].value = a->fields.p + offs[i][1];
	}
}

bool gw_extauth_response(struct gw_exch *sub, const struct gw_http1_resp *resp)
{
	struct gw_extauth_call *a = sub->auth;
	struct gw_worker *w = sub->w;

	a->status = resp->status;
	gw_hlist_init(&w->hl);
	gw_hlist_from_message(&w->hl, resp->headers, resp->nheaders);
	keep_fields(a, &w->hl, resp->status == 200);
	return true;
}

void gw_extauth_response_body(struct gw_exch *sub, const char *p, size_t n)
{
	struct gw_extauth_call *a = sub->auth;

	if (a->status == 200 || a->deny_too_big)
		return;
	if (a->deny_body.len + n > GW_EXTAUTH_DENY_BODY_MAX) {
		a->deny_too_big = true;
		return;
	}
	gw_sbuf_put(&a->deny_body, p, n);
}

void gw_extauth_failed(struct gw_exch *sub, const char *why)
{
	struct gw_extauth_call *a = sub->auth;
	struct gw_exch *x = a->x;

	pr_warn_ratelimited("HTTPRoute %s rule %d: authorization service %s: %s; answering 503 "
			    "(fail closed)", x->rule->route, x->rule->index, service(a), why);
	a->sub = NULL;
	sub->auth = NULL;
	gw_exch_sub_free(sub);
	gw_exch_error(x, 503, "the authorization service could not be asked");
}

void gw_extauth_response_done(struct gw_exch *sub)
{
	struct gw_extauth_call *a = sub->auth;
	struct gw_exch *x = a->x;
	struct gw_sbuf merged = { 0 };

	a->sub = NULL;
	sub->auth = NULL;
	gw_exch_sub_free(sub);
	if (a->fields.oom || a->deny_body.oom) {
		gw_exch_error(x, 500, "out of memory");
		return;
	}
	if (a->status != 200) {
		if (a->deny_too_big) {
			pr_warn_ratelimited("HTTPRoute %s rule %d: authorization service %s denied "
					    "with a body over %d bytes; answering 503", x->rule->route,
					    x->rule->index, service(a), GW_EXTAUTH_DENY_BODY_MAX);
			gw_exch_error(x, 503, "the authorization service's answer is too large");
			return;
		}
		pr_debug("HTTPRoute %s rule %d: authorization service %s denied: %d",
			 x->rule->route, x->rule->index, service(a), a->status);
		gw_exch_reply(x, a->status, a->hdrs, a->nhdrs, a->deny_body.p, a->deny_body.len);
		return;
	}
	/*
	 * The names in allowedResponseHeaders belong to the authorization
	 * service: what the client sent under them never reaches the backend,
	 * even when the answer leaves one out (so a client cannot forge them).
	 */
	if (a->nhdrs || a->e[a->cur]->nresp_hdrs) {
		if (gw_extauth_merge_head(&merged, x->head.p, x->head.len, a->hdrs, a->nhdrs,
					  a->e[a->cur]->resp_hdrs, a->e[a->cur]->nresp_hdrs)) {
			gw_sbuf_free(&merged);
			gw_exch_error(x, 500, "cannot add the authorization fields to the request");
			return;
		}
		gw_sbuf_free(&x->head);
		x->head = merged;
	}
	if (++a->cur < a->n) {
		ask(a);
		return;
	}
	gw_extauth_free(x);
	gw_exch_authorized(x);
}
