// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The HTTP/1.1 proxy: one exchange per client request, from its head to
 * the last response byte. Requests on a connection are handled one at a
 * time; pipelined requests wait in the connection's input and are answered
 * in order. Bodies stream in both directions with backpressure (the
 * sender's input pauses while the receiver's output queue is above
 * GW_OQ_HIGH); chunked bodies are decoded strictly and re-encoded, so what
 * a backend receives is always framed by us.
 *
 * Failure handling per attempt: a connect failure or a pooled connection
 * that the server had already closed is retried on another endpoint
 * (failover, at most twice, no request byte was processed); timeouts and
 * retryable status codes are retried per the rule's HTTPRoute retry. A
 * request is replayable only while its body fits GW_REPLAY_MAX.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "gw/htpasswd.h"
#include "gw/log.h"
#include "gw/secpol.h"
#include "gwd_internal.h"
#include "xfcc.h"

enum fail_kind {
	FAIL_CONNECT = GW_UPF_CONNECT,	/* could not connect: 503 */
	FAIL_STALE = GW_UPF_STALE,	/* reused connection closed before any response byte: 502 */
	FAIL_RESET = GW_UPF_RESET,	/* connection lost or response malformed: 502 */
	FAIL_TIMEOUT = GW_UPF_TIMEOUT,	/* backendRequest timeout or upstream silence: 504 */
	/* TLS handshake with the backend failed (BackendTLSPolicy): 502, not retried */
	FAIL_TLS,
};

static void start_attempt(struct gw_exch *x);
static void response_done(struct gw_exch *x, bool extra);

/* ---- exchanges ------------------------------------------------------------ */

static void table_ref(struct gw_worker *w, struct gw_rt_table *t, int d)
{
	if (t == w->tbl) {
		w->tbl_nreq += (uint32_t)d;
		return;
	}
	for (int i = 0; i < w->nold; i++) {
		if (w->old[i].t != t)
			continue;
		w->old[i].nreq += (uint32_t)d;
		if (!w->old[i].nreq) {
			gw_table_unref(t);
			w->old[i] = w->old[--w->nold];
		}
		return;
	}
}

static struct gw_exch *exch_new(struct gw_worker *w, struct gw_rt_table *t)
{
	struct gw_exch *x = calloc(1, sizeof(*x));

	if (!x)
		return NULL;
	x->w = w;
	x->tbl = t;
	table_ref(w, t, 1);
	x->t_req.owner = x;
	x->t_req.kind = T_EX_REQUEST;
	x->t_attempt.owner = x;
	x->t_attempt.kind = T_EX_ATTEMPT;
	x->t_retry.owner = x;
	x->t_retry.kind = T_EX_RETRY;
	x->start_ns = gw_now_ns();
	return x;
}

static void exch_free(struct gw_exch *x)
{
	struct gw_worker *w = x->w;

	if (x->auth && !x->auth_sub)
		gw_extauth_free(x);
	gw_ep_unwait(w, x);
	gw_timer_del(&w->timers, &x->t_req);
	gw_timer_del(&w->timers, &x->t_attempt);
	gw_timer_del(&w->timers, &x->t_retry);
	table_ref(w, x->tbl, -1);
	gw_sbuf_free(&x->head);
	gw_sbuf_free(&x->body);
	gw_sbuf_free(&x->extra_sb);
	gw_sbuf_free(&x->trailers);
	gw_sbuf_free(&x->req_trailers);
	free(x->user_fwd);
	free(x->log);
	free(x);
}

static void set_timer(struct gw_exch *x, struct gw_timer *t, uint64_t ms)
{
	if (gw_timer_set(&x->w->timers, t, x->w->now_ms + ms))
		pr_warn_ratelimited("Couldn't arm a request timer: out of memory");
}

/* Ends the current attempt's hold on its upstream connection (the caller decides its fate). */
static struct gw_conn *detach_up(struct gw_exch *x)
{
	struct gw_conn *u = x->u;
	struct gw_ep_state *st;

	if (!u)
		return NULL;
	x->u = NULL;
	u->x = NULL;
	st = gw_ep(x->w, u->ep);
	if (st && st->active)
		st->active--;
	gw_timer_del(&x->w->timers, &x->t_attempt);
	return u;
}

static void close_up(struct gw_exch *x)
{
	struct gw_conn *u = detach_up(x);

	if (u)
		gw_conn_close(u);
}

static void record(struct gw_exch *x, int status)
{
	uint64_t us = (gw_now_ns() - x->start_ns) / 1000;

	if (x->mirror)
		return;
	gw_stat_record(x->stat, x->w->id, status, us);
	if (gwd.accesslog_fd >= 0)
		gw_accesslog_request(x->w, x, status, us);
}

/*
 * The exchange is over for the client: its response is queued (or the
 * connection is being dropped). Frees x; the client connection continues
 * with the next request or closes.
 */
static void exch_complete(struct gw_exch *x)
{
	struct gw_conn *c = x->c;
	struct gw_worker *w = x->w;
	bool keep;

	record(x, x->status);
	close_up(x);
	keep = x->client_keepalive && x->req_done && !x->resp_close_out && !w->draining &&
	       !(c->flags & (CF_EOF | CF_CLOSING));
	c->x = NULL;
	exch_free(x);
	if (c->flags & CF_CLOSING)
		return;
	if (!keep) {
		c->flags |= CF_DISCARD;
		gw_conn_finish(c);
		return;
	}
	gw_conn_timer(c, T_CONN_IDLE, gwd.o.idle_timeout_ms);
	if (c->in_len)
		gw_conn_pend(c);
	if (c->flags & CF_PAUSED)
		gw_conn_resume(c);
}

/* Drops the client: the response cannot be completed (its head is already out). */
static void abort_client(struct gw_exch *x, const char *why)
{
	struct gw_conn *c = x->c;

	pr_debug("aborting a client connection: %s", why);
	x->client_keepalive = false;
	if (!x->status)
		x->status = 502;
	record(x, x->status);
	close_up(x);
	c->x = NULL;
	exch_free(x);
	gw_conn_close(c);
}

/* logged: the status metrics and the access log record (a gRPC error goes out as 200). */
static void local_reply_as(struct gw_exch *x, int status, int logged, const char *body,
			   size_t blen, const char *ctype, const struct gw_rt_hdr *extra,
			   int nextra)
{
	struct gw_worker *w = x->w;
	bool close;

	close_up(x);
	/* an unread request body cannot be skipped safely: answer and close */
	if (!x->req_done)
		x->client_keepalive = false;
	close = !x->client_keepalive || w->draining;
	gw_sbuf_reset(&w->sb);
	gw_build_local_response_n(&w->sb, status, close, extra, nextra, body, blen, ctype,
				  x->head_req);
	if (w->sb.oom) {
		abort_client(x, "out of memory building a response");
		return;
	}
	x->bytes_out += w->sb.len;
	gw_conn_put(x->c, w->sb.p, w->sb.len);
	x->status = logged;
	x->head_sent = true;
	x->resp_done = true;
	exch_complete(x);
}

static void local_reply(struct gw_exch *x, int status, const char *body,
			const struct gw_rt_hdr *extra, int nextra)
{
	size_t blen = body ? strlen(body) : 0;

	local_reply_as(x, status, status, body, blen, blen ? "text/plain; charset=utf-8" : NULL,
		       extra, nextra);
}

/* A reply of blen bytes of body (any bytes) with its own content type, or none. */
static void local_reply_n(struct gw_exch *x, int status, const char *body, size_t blen,
			  const char *ctype, const struct gw_rt_hdr *extra, int nextra)
{
	local_reply_as(x, status, status, body, blen, ctype, extra, nextra);
}

/*
 * The gRPC status for an error the gateway answers itself: no route is
 * UNIMPLEMENTED (the gRPC answer GRPCRoute implementations give), an
 * invalid or unusable backend UNAVAILABLE (GRPCRouteRule.backendRefs),
 * timeouts DEADLINE_EXCEEDED, the rest as gRPC maps HTTP statuses
 * (doc/http-grpc-status-mapping.md). 0: answer with the HTTP status.
 */
static int grpc_status_for(int status)
{
	switch (status) {
	case 400: case 413: case 431: return 13;	/* INTERNAL */
	case 401: return 16;				/* UNAUTHENTICATED */
	case 403: return 7;				/* PERMISSION_DENIED */
	case 404: return 12;				/* UNIMPLEMENTED */
	case 504: return 4;				/* DEADLINE_EXCEEDED */
	case 429: case 500: case 502: case 503: return 14;	/* UNAVAILABLE */
	default: return 0;
	}
}

static void error_reply(struct gw_exch *x, int status, const char *why)
{
	char body[256], code[8];
	int gs = x->grpc ? grpc_status_for(status) : 0;

	if (gs) {
		/* trailers-only response (gRPC over HTTP/2): status in the one HEADERS */
		struct gw_rt_hdr h[3] = {
			{ "content-type", "application/grpc", 12, 16 },
			{ "grpc-status", code, 11, 0 },
			{ "grpc-message", why, 12, (uint32_t)strlen(why) },
		};

		h[1].value_len = (uint32_t)snprintf(code, sizeof(code), "%d", gs);
		local_reply_as(x, 200, status, NULL, 0, NULL, h, 3);
		return;
	}
	snprintf(body, sizeof(body), "%s\n", why);
	local_reply(x, status, body, NULL, 0);
}

/* ---- attempts and failures ----------------------------------------------- */

static bool replayable(const struct gw_exch *x)
{
	return (x->c || x->auth_sub) && !x->head_sent && !x->body_overflow;
}

/* x->ep failed this request: remembered for the next pick (upstream.c). */
static void note_failed(struct gw_exch *x)
{
	int i, old = 0;

	if (!x->ep)
		return;
	for (i = 0; i < x->ntried && x->tried[i].id != x->ep->id; i++)
		if (x->tried[i].failed_at < x->tried[old].failed_at)
			old = i;
	if (i == x->ntried && x->ntried < 4)
		x->ntried++;
	else if (i == x->ntried)
		i = old;	/* full: the least recently failed entry makes room */
	x->tried[i].id = x->ep->id;
	x->tried[i].failed_at = x->attempts;
}

/*
 * The next try of a retry, after the rule's backoff: HTTPRouteRetry.Backoff
 * is a minimum ("not retried before the configured minimum duration"), so the
 * wait is backoff * 2^(n-1) for retry n (capped at 16x) plus up to half of
 * that again as jitter, never less.
 */
static void retry_later(struct gw_exch *x)
{
	uint64_t d = x->rule->retry.backoff_ms << (x->attempts > 4 ? 4 : x->attempts - 1);

	x->may_repeat = true;
	if (!d) {
		start_attempt(x);
		return;
	}
	set_timer(x, &x->t_retry, d + gw_rand(x->w) % (d / 2 + 1));
}

static void attempt_failed(struct gw_exch *x, enum fail_kind kind, const char *why)
{
	static const int status[] = { [FAIL_CONNECT] = 503, [FAIL_STALE] = 502,
				      [FAIL_RESET] = 502, [FAIL_TIMEOUT] = 504,
				      [FAIL_TLS] = 502 };
	bool retry = false, backoff = false;

	gw_ep_unwait(x->w, x);
	close_up(x);
	if (x->mirror) {
		exch_free(x);
		return;
	}
	if (kind != FAIL_STALE)
		note_failed(x);	/* a stale pooled connection says nothing about the endpoint */
	if (replayable(x)) {
		if ((kind == FAIL_STALE ||
		     (kind == FAIL_CONNECT && gw_untried_left(x, x->be))) &&
		    x->failovers_left > 0) {
			/* failover: free of the retry budget, to an endpoint not yet tried */
			x->failovers_left--;
			retry = true;
		} else if (kind != FAIL_TLS && x->retries_left > 0) {
			/*
			 * "Implementations SHOULD retry on connection errors (disconnect,
			 * reset, timeout, TCP failure) if a retry stanza is configured"
			 * (HTTPRouteRetry); a TLS handshake failure is configuration.
			 */
			x->retries_left--;
			retry = backoff = true;
		}
	}
	pr_debug("attempt %d to %s failed: %s%s", x->attempts, x->ep ? x->ep->name : "?", why,
		 retry ? "; retrying" : "");
	if (retry) {
		if (backoff) {
			retry_later(x);
		} else {
			x->may_repeat = false;
			start_attempt(x);
		}
		return;
	}
	if (kind == FAIL_TIMEOUT)
		GW_GAUGE_ADD(x->w->id, timeouts, 1);
	if (x->auth_sub)
		gw_extauth_failed(x, why);
	else if (x->head_sent)
		abort_client(x, why);
	else
		error_reply(x, status[kind], why);
}

/* Request bytes to the current upstream (through HTTP/2 framing for h2c backends). */
static void up_put(struct gw_exch *x, const void *p, size_t n)
{
	if (!x->u)
		return;
	if (x->u->flags & CF_VIRT)
		gw_h2up_write(x->u, p, n);
	else
		gw_conn_put(x->u, p, n);
}

/* What the upstream has yet to take: above GW_OQ_HIGH the client pauses. */
static size_t up_backlog(const struct gw_conn *u)
{
	return u->flags & CF_VIRT ? gw_h2up_backlog(u) : u->out.bytes;
}

/* One attempt on endpoint ep: a pooled or new connection, or a place in its queue. */
static void attempt_on(struct gw_exch *x, const struct gw_rt_endpoint *ep)
{
	struct gw_worker *w = x->w;
	struct gw_ep_state *st;
	struct gw_conn *u;
	bool reused = false, busy;

	x->ep = ep;
	/* h2c backends: a stream of an HTTP/2 session (h2_up.c), else a pooled connection */
	if (x->be->proto == GW_BE_H2C)
		u = gw_h2up_open(w, ep, &busy);
	else
		u = gw_up_get(w, ep, &reused, &busy);
	if (!u && busy) {
		if (x->mirror) {
			/* mirrors are best effort: never queued behind real traffic */
			exch_free(x);
			return;
		}
		gw_ep_wait(w, x, ep->id);
		/* the wait counts against the attempt's time like a slow backend */
		set_timer(x, &x->t_attempt, x->rule->timeout_backend_ms ? x->rule->timeout_backend_ms
								       : gwd.o.upstream_timeout_ms);
		return;
	}
	if (x->attempts++)
		GW_GAUGE_ADD(w->id, retries, 1);
	if (!u) {
		attempt_failed(x, FAIL_CONNECT, "cannot create a socket");
		return;
	}
	x->u = u;
	u->x = x;
	/* the pooled connection's multishot recv gives way to budgeted ones (h2.c) */
	if (reused && x->c && (x->c->flags & CF_VIRT))
		gw_conn_recv_restart(u);
	st = gw_ep(w, ep->id);
	if (st)
		st->active++;
	x->resp_head_seen = false;
	x->up_bytes = false;
	memset(&x->resp_ck, 0, sizeof(x->resp_ck));
	gw_sbuf_reset(&x->trailers);
	u->last_len = 0;
	up_put(x, x->head.p, x->head.len);
	if (x->body.len)
		up_put(x, x->body.p, x->body.len);
	/* a client paused while no upstream could take its body continues now */
	if (x->c && !x->req_done && (x->c->flags & CF_PAUSED))
		gw_conn_resume(x->c);
	if (x->rule->timeout_backend_ms)
		set_timer(x, &x->t_attempt, x->rule->timeout_backend_ms);
	else
		set_timer(x, &x->t_attempt, x->mirror ? 30000 : gwd.o.upstream_timeout_ms);
}

static void start_attempt(struct gw_exch *x)
{
	const struct gw_rt_endpoint *ep = gw_pick_endpoint(x->w, x, x->be);

	if (!ep) {
		if (x->mirror) {
			exch_free(x);
			return;
		}
		if (x->auth_sub) {
			gw_extauth_failed(x, "no healthy endpoint");
			return;
		}
		error_reply(x, 503, "no healthy endpoint");
		return;
	}
	attempt_on(x, ep);
}

void gw_exch_resume(struct gw_exch *x)
{
	attempt_on(x, x->ep);
}

/* ---- request side ---------------------------------------------------------- */

static void spawn_mirrors(struct gw_exch *x, const struct gw_rt_filters *f)
{
	struct gw_worker *w = x->w;

	for (int i = 0; f && i < f->nmirrors; i++) {
		const struct gw_rt_mirror *m = &f->mirrors[i];
		struct gw_exch *mx;

		if (!m->num || (m->num < m->den && gw_rand(w) % m->den >= m->num))
			continue;
		if (m->be.state != GW_BE_OK)
			continue;
		if (x->body_overflow) {
			pr_debug("request body over %d bytes is not mirrored", GW_REPLAY_MAX);
			continue;
		}
		mx = exch_new(w, x->tbl);
		if (!mx)
			return;
		mx->mirror = true;
		mx->rule = x->rule;
		mx->be = &m->be;
		mx->req_done = true;
		mx->head_req = x->head_req;
		gw_sbuf_put(&mx->head, x->head.p, x->head.len);
		gw_sbuf_put(&mx->body, x->body.p, x->body.len);
		if (mx->head.oom || mx->body.oom) {
			exch_free(mx);
			continue;
		}
		GW_GAUGE_ADD(w->id, mirrors, 1);
		start_attempt(mx);
	}
}

static void request_done(struct gw_exch *x)
{
	x->req_done = true;
	if (x->auth) {
		/* the authorization service decides first; mirrors follow it */
		gw_extauth_request_done(x);
		return;
	}
	spawn_mirrors(x, &x->rule->filters);
	if (x->be)
		spawn_mirrors(x, x->be->filters);
}

/* Request body x->body may hold: GW_REPLAY_MAX, or more while ExternalAuth forwardBody waits. */
static size_t hold_max(const struct gw_exch *x)
{
	size_t h = x->auth ? gw_extauth_hold(x) : 0;

	return h > GW_REPLAY_MAX ? h : GW_REPLAY_MAX;
}

/* Body bytes to the upstream: kept for replay while small enough. */
static bool req_put(struct gw_exch *x, const void *p, size_t n)
{
	if (x->auth && !gw_extauth_body(x, p, n))
		return false;
	x->bytes_in += n;
	if (!x->body_overflow) {
		if (x->body.len + n > hold_max(x)) {
			x->body_overflow = true;
			gw_sbuf_free(&x->body);
		} else {
			gw_sbuf_put(&x->body, p, n);
			if (x->body.oom) {
				x->body_overflow = true;
				gw_sbuf_free(&x->body);
			}
		}
	}
	if (!x->u) {
		/* between attempts: only the replay copy can hold it */
		if (x->body_overflow) {
			error_reply(x, 502, "request body too large to hold for a retry");
			return false;
		}
		return true;
	}
	up_put(x, p, n);
	if (x->u && up_backlog(x->u) > GW_OQ_HIGH)
		gw_conn_pause(x->c);
	return true;
}

/*
 * Replaces a trailer section with itself minus the fields a trailer may not
 * carry (RFC 9110 6.5.1, gw_trailers_filter). False when out of memory;
 * *s is then empty.
 */
static bool trailers_clean(struct gw_sbuf *s)
{
	struct gw_sbuf t = { 0 };

	gw_trailers_filter(&t, s->p, s->len);
	gw_sbuf_free(s);
	if (t.oom) {
		gw_sbuf_free(&t);
		return false;
	}
	*s = t;
	return true;
}

static size_t client_body(struct gw_exch *x, const char *data, size_t len)
{
	size_t off = 0, n;
	char hex[24];

	switch (x->req_body) {
	case GW_BODY_LENGTH:
		n = len < x->req_left ? len : (size_t)x->req_left;
		x->req_left -= n;
		if (!req_put(x, data, n))
			return len;
		if (!x->req_left)
			request_done(x);
		return n;
	case GW_BODY_CHUNKED:
		while (off < len && !x->req_done) {
			const char *d;
			size_t dn;
			bool in_trailers = x->req_ck.state >= GW_CHUNK_TRAILER;
			ssize_t r = gw_http1_chunked_decode(&x->req_ck, data + off, len - off, &d, &dn);

			if (r < 0) {
				pr_warn_ratelimited("client %s: bad chunked request body: %s",
						    x->c->peer, x->req_ck.error);
				GW_GAUGE_ADD(x->w->id, parse_errors, 1);
				if (x->head_sent)
					abort_client(x, "bad chunked request body");
				else
					error_reply(x, 400, "bad chunked request body");
				return len;
			}
			if (in_trailers)
				gw_sbuf_put(&x->req_trailers, data + off, (size_t)r);
			off += (size_t)r;
			if (dn) {
				int hl = snprintf(hex, sizeof(hex), "%zx\r\n", dn);

				if (!req_put(x, hex, (size_t)hl) || !req_put(x, d, dn) ||
				    !req_put(x, "\r\n", 2))
					return len;
			}
			if (x->req_ck.state == GW_CHUNK_DONE) {
				/*
				 * The last chunk and the trailer section (validated), without
				 * the fields a trailer may not carry (RFC 9110 6.5.1). HTTP/2
				 * request trailers come this way too (h2.c).
				 */
				bool ok = trailers_clean(&x->req_trailers) &&
					  req_put(x, "0\r\n", 3) &&
					  req_put(x, x->req_trailers.p, x->req_trailers.len);

				gw_sbuf_free(&x->req_trailers);
				if (!ok)
					return len;
				request_done(x);
			}
			if (!r)
				break;
		}
		return off;
	default:
		return 0;
	}
}

static void parse_error(struct gw_conn *c, int status, const char *why)
{
	struct gw_worker *w = c->w;

	GW_GAUGE_ADD(w->id, parse_errors, 1);
	pr_debug("client %s: rejected request: %s (%d)", c->peer, why, status);
	gw_sbuf_reset(&w->sb);
	gw_build_local_response(&w->sb, status, true, NULL, 0, gw_http1_reason(status), false);
	gw_conn_put(c, w->sb.p, w->sb.len);
	c->flags |= CF_DISCARD;
	gw_conn_finish(c);
}

static const struct gw_rt_port *conn_port(const struct gw_rt_table *t, uint32_t lsock)
{
	const struct gw_tpriv *p = t->priv;

	for (int i = 0; p && i < t->nports; i++)
		if (p->ids[i] == lsock)
			return &t->ports[i];
	return NULL;
}

static const struct gw_http1_header *find_header(const struct gw_http1_req *req,
						 const char *name)
{
	for (size_t i = 0; i < req->nheaders; i++)
		if (gw_http1_name_is_fn(&req->headers[i], name))
			return &req->headers[i];
	return NULL;
}

/*
 * x->extra_sb holds the values of the extra response fields (CORS,
 * session). x->extra points into it, so it is allocated once at its full
 * size and never grows: an append that would not fit is refused.
 */
#define GW_EXTRA_SB 8192

static bool extra_room(struct gw_exch *x, size_t need)
{
	if (!x->extra_sb.cap) {
		x->extra_sb.p = malloc(GW_EXTRA_SB);
		if (!x->extra_sb.p)
			return false;
		x->extra_sb.cap = GW_EXTRA_SB;
	}
	return x->extra_sb.cap - x->extra_sb.len >= need;
}

/* CORS of a filter list: answers a preflight (true) or prepares response fields. */
static bool apply_cors(struct gw_exch *x, const struct gw_rt_cors *cors,
		       const struct gw_http1_req *req)
{
	const struct gw_http1_header *origin = find_header(req, "origin");
	const struct gw_http1_header *acrm = find_header(req, "access-control-request-method");
	const struct gw_http1_header *acrh = find_header(req, "access-control-request-headers");
	bool preflight = origin && acrm && req->method_len == 7 &&
			 !memcmp(req->method, "OPTIONS", 7);
	struct gw_rt_hdr h[GW_CORS_MAX_FIELDS];
	size_t need;
	int n = 0;

	if (!cors || !origin)
		return false;
	need = origin->value_len + (acrm ? acrm->value_len : 0) + (acrh ? acrh->value_len : 0) +
	       (cors->methods ? strlen(cors->methods) : 0) +
	       (cors->headers ? strlen(cors->headers) : 0) +
	       (cors->expose ? strlen(cors->expose) : 0) + 64;
	if (extra_room(x, need))
		n = gw_cors_headers(cors, preflight, origin->value, origin->value_len,
				    acrm ? acrm->value : NULL, acrm ? acrm->value_len : 0,
				    acrh ? acrh->value : NULL, acrh ? acrh->value_len : 0,
				    &x->extra_sb, h);
	else
		pr_warn_ratelimited("CORS response fields of %s do not fit in %d bytes; omitted",
				    x->rule->route, GW_EXTRA_SB);
	if (preflight) {
		/* a preflight is answered by the gateway, allowed or not (without headers then) */
		local_reply(x, 200, NULL, h, n);
		return true;
	}
	for (int i = 0; i < n && x->nextra < 8; i++)
		x->extra[x->nextra++] = h[i];
	return false;
}

/* A session token from the request, if valid for this rule. */
static const struct gw_rt_backend *session_pick(struct gw_exch *x, const struct gw_http1_req *req,
						const struct gw_rt_endpoint **pin)
{
	const struct gw_rt_session *s = &x->rule->session;
	const struct gw_http1_header *h;
	struct gw_session_tok tok;
	const char *v = NULL;
	uint32_t vlen = 0;
	uint64_t now = (uint64_t)time(NULL);
	const struct gw_rt_backend *be;

	if (s->header) {
		for (size_t i = 0; i < req->nheaders && !v; i++) {
			h = &req->headers[i];
			if (h->name_len == strlen(s->name) && !strncasecmp(h->name, s->name, h->name_len)) {
				v = h->value;
				vlen = h->value_len;
			}
		}
	} else {
		v = gw_cookie_find(req->headers, req->nheaders, s->name, &vlen);
	}
	if (!v || !gw_session_decode(v, vlen, &tok) || tok.backend >= (uint32_t)x->rule->nbackends)
		return NULL;
	if ((s->absolute_ms && (now - tok.issued_s) * 1000 > s->absolute_ms) ||
	    (s->idle_ms && (now - tok.last_s) * 1000 > s->idle_ms))
		return NULL;
	be = &x->rule->backends[tok.backend];
	if (be->state != GW_BE_OK || !be->weight)
		return NULL;
	for (int i = 0; i < be->neps; i++) {
		if (be->eps[i].id == tok.endpoint) {
			*pin = &be->eps[i];
			x->session_issued_s = tok.issued_s;
			return be;
		}
	}
	return NULL;
}

static const struct gw_rt_backend *weighted_pick(struct gw_exch *x)
{
	const struct gw_rt_rule *r = x->rule;
	uint64_t p;

	if (!r->total_weight)
		return NULL;
	p = gw_rand(x->w) % r->total_weight;
	for (int i = 0; i < r->nbackends; i++) {
		if (p < r->backends[i].weight)
			return &r->backends[i];
		p -= r->backends[i].weight;
	}
	return NULL;
}

/*
 * basicAuth failed (Envoy's basic_auth filter bodies): 401 with the Basic
 * challenge RFC 7617 section 2 defines, realm = the request's host.
 */
static void basic_auth_denied(struct gw_exch *x, int rc, const char *host, uint32_t host_len)
{
	const char *why = rc == -ENOENT
				  ? "User authentication failed. Missing username and password."
				  : "User authentication failed. Invalid username/password combination.";
	char realm[320], body[128];
	struct gw_rt_hdr h = { "WWW-Authenticate", realm, 16, 0 };

	if (x->grpc) {
		error_reply(x, 401, why);
		return;
	}
	h.value_len = (uint32_t)snprintf(realm, sizeof(realm), "Basic realm=\"%.*s\"",
					 (int)(host_len > 256 ? 256 : host_len), host);
	snprintf(body, sizeof(body), "%s\n", why);
	local_reply(x, 401, body, &h, 1);
}

/*
 * The fields a SecurityPolicy adds for the backend (basicAuth's
 * forwardUsernameHeader, jwt claimToHeaders): set, so a client cannot
 * forge them. One allocation: the modifier, then the values it points at.
 */
#define POLICY_HDR_BUF 4096

static struct gw_rt_hdrmod *policy_hdrs(struct gw_exch *x)
{
	if (!x->user_fwd)
		x->user_fwd = calloc(1, sizeof(*x->user_fwd) + POLICY_HDR_BUF);
	return x->user_fwd;
}

static bool user_header(struct gw_exch *x, const char *name, const char *user)
{
	struct gw_rt_hdrmod *m = policy_hdrs(x);
	size_t ul = strlen(user);
	char *v = (char *)(m + 1) + POLICY_HDR_BUF - GW_HTPASSWD_MAX_USER - 1;

	if (!m || m->nset == GW_RT_MAX_HDR_OPS)
		return false;
	/* the user name lives at the end of the buffer, jwt claims at its start */
	memcpy(v, user, ul + 1);
	m->set[m->nset++] = (struct gw_rt_hdr){ name, v, (uint32_t)strlen(name), (uint32_t)ul };
	return true;
}

/* jwt failed (Envoy's jwt_authn bodies and its RFC 6750 challenge) */
static void jwt_denied(struct gw_exch *x, int rc)
{
	const char *why = rc == -ENOENT ? "Jwt is missing" : "Jwt verification fails";
	char body[64];
	struct gw_rt_hdr h = { "WWW-Authenticate",
			       rc == -ENOENT ? "Bearer realm=\"xdpgw\""
					     : "Bearer realm=\"xdpgw\", error=\"invalid_token\"",
			       16, 0 };

	if (x->grpc) {
		error_reply(x, 401, why);
		return;
	}
	h.value_len = (uint32_t)strlen(h.value);
	snprintf(body, sizeof(body), "%s\n", why);
	local_reply(x, 401, body, &h, 1);
}

/* Routing, filters and the first attempt for a parsed request head. */
static void start_exchange(struct gw_conn *c, const struct gw_http1_req *req)
{
	struct gw_worker *w = c->w;
	struct gw_http1_info info;
	struct gw_rt_request rq = { 0 };
	const struct gw_rt_port *port;
	const struct gw_rt_filters *f, *bf;
	const struct gw_rt_security *sec;
	const char *authz_rule;
	const struct gw_rt_rewrite *rw;
	const struct gw_rt_endpoint *pin = NULL;
	const struct gw_http1_header *ct;
	struct gw_fwd_req fr = { 0 };
	uint64_t underscore_drops = 0;
	char xfcc[GW_XFCC_MAX];
	int xfcc_len;
	struct gw_exch *x;
	const char *tgt = req->target, *host, *q;
	uint32_t tlen = req->target_len, hlen;
	char hbuf[1024], pbuf[GW_HTTP1_MAX_REQLINE + 2], nbuf[GW_HTTP1_MAX_REQLINE + 2];
	struct gw_sbuf path = { 0 };

	gw_conn_timer_del(c);
	GW_GAUGE_ADD(w->id, requests, 1);
	c->nreq++;
	if (gw_http1_request_info(req, &info)) {
		parse_error(c, info.error_status, info.error);
		return;
	}
	x = exch_new(w, w->tbl);
	if (!x) {
		parse_error(c, 503, "out of memory");
		return;
	}
	x->c = c;
	c->x = x;
	ct = find_header(req, "content-type");
	x->grpc = ct && ct->value_len >= 16 && !strncasecmp(ct->value, "application/grpc", 16);
	/* an HTTP/2 stream takes the response raw, as an HTTP/1.0 client would (h2.c) */
	x->client_minor = c->flags & CF_VIRT ? 0 : (uint8_t)req->minor;
	x->client_keepalive = info.keepalive;
	x->head_req = req->method_len == 4 && !memcmp(req->method, "HEAD", 4);
	x->expect_continue = info.expect_continue;
	x->req_body = info.body;
	x->req_left = info.content_length;
	x->failovers_left = 2;
	if (info.body == GW_BODY_NONE || (info.body == GW_BODY_LENGTH && !info.content_length))
		x->req_done = true;

	/* the target: origin-form, absolute-form (authority overrides Host) or "*" */
	host = info.host ? info.host->value : "";
	hlen = info.host ? info.host->value_len : 0;
	if (tgt[0] != '/' && tgt[0] != '*') {
		const char *a = memchr(tgt, ':', tlen) + 3, *e = tgt + tlen, *p = a;

		while (p < e && *p != '/' && *p != '?')
			p++;
		host = a;
		hlen = (uint32_t)(p - a);
		tgt = p < e ? p : "/";
		tlen = p < e ? (uint32_t)(e - p) : 1;
		if (*tgt == '?') {
			/* "http://h?q": the path is "/" */
			memcpy(pbuf, "/", 1);
			memcpy(pbuf + 1, tgt, tlen);
			tgt = pbuf;
			tlen++;
		}
	}
	if (hlen >= sizeof(hbuf)) {
		error_reply(x, 400, "Host too long");
		return;
	}
	rq.host_len = hlen;
	gw_http1_host_normalize(host, &rq.host_len, hbuf);
	rq.host = hbuf;
	q = memchr(tgt, '?', tlen);
	rq.path = tgt;
	rq.path_len = q ? (uint32_t)(q - tgt) : tlen;
	if (q) {
		rq.query = q + 1;
		rq.query_len = tlen - rq.path_len - 1;
	}
	/* the path is matched and forwarded canonical (issue 10, item 1) */
	if (memchr(rq.path, '%', rq.path_len) || memchr(rq.path, '\\', rq.path_len) ||
	    (rq.path_len > 1 && memmem(rq.path, rq.path_len, "/.", 2))) {
		const char *why = NULL;

		if (gw_http1_path_canon(rq.path, rq.path_len, nbuf, &rq.path_len,
					gwd.o.escaped_slash, &why)) {
			error_reply(x, 400, why);
			return;
		}
		rq.path = nbuf;
	}
	rq.method = req->method;
	rq.method_len = req->method_len;
	rq.headers = req->headers;
	rq.nheaders = req->nheaders;
	if (gwd.accesslog_fd >= 0) {
		x->log = malloc(req->method_len + rq.host_len + req->target_len + 3);
		if (x->log)
			sprintf(x->log, "%.*s %.*s %.*s", (int)req->method_len, req->method,
				(int)rq.host_len, rq.host, (int)req->target_len, req->target);
	}

	/* routing */
	port = conn_port(x->tbl, c->lsock);
	x->lst = port ? gw_rt_listener_select(port, rq.host, rq.host_len) : NULL;
	if (x->lst && gw_conn_misdirected(c, x->lst)) {
		x->stat = gwd.noroute;
		error_reply(x, 421, "the Host is not served by this connection's TLS listener");
		return;
	}
	x->m = x->lst ? gw_rt_lookup(x->lst, &rq, w->md) : NULL;
	if (!x->m) {
		x->stat = gwd.noroute;
		error_reply(x, 404, "no route matches this request");
		return;
	}
	x->rule = x->m->rule;
	x->stat = x->rule->stat_nobackend;
	f = &x->rule->filters;
	if (f->unsupported) {
		pr_warn_ratelimited("HTTPRoute %s rule %d: %s; answering 500", x->rule->route,
				    x->rule->index, f->unsupported);
		error_reply(x, 500, f->unsupported);
		return;
	}
	/* SecurityPolicy, in Envoy Gateway's filter order: CORS, then authorization */
	sec = gw_secpol_of(x->rule, x->lst);
	if (sec && sec->invalid) {
		/* fail closed: a policy that cannot be enforced is never skipped */
		pr_warn_ratelimited("SecurityPolicy %s cannot be enforced (%s); answering 500",
				    sec->policy, sec->invalid);
		error_reply(x, 500, "the SecurityPolicy of this route cannot be enforced");
		return;
	}
	if (apply_cors(x, f->cors ? f->cors : sec ? sec->cors : NULL, req))
		return;
	if (sec && sec->users) {
		char user[GW_HTPASSWD_MAX_USER + 1];
		int rc = gw_secpol_basic_auth(sec, &rq, user, sizeof(user));

		if (rc) {
			basic_auth_denied(x, rc, rq.host, rq.host_len);
			return;
		}
		if (sec->user_header && !user_header(x, sec->user_header, user)) {
			error_reply(x, 500, "out of memory");
			return;
		}
	}
	if (sec && sec->napikeys) {
		const char *client, *keyhdr;
		int rc = gw_secpol_api_key(sec, &rq, &client, &keyhdr);
		struct gw_rt_hdrmod *m;

		if (rc) {
			/* Envoy's api_key_auth filter answers a missing key and a wrong one alike */
			error_reply(x, 401, "Client authentication failed.");
			return;
		}
		if ((sec->client_header || (sec->key_sanitize && keyhdr)) && !(m = policy_hdrs(x))) {
			error_reply(x, 500, "out of memory");
			return;
		}
		if (sec->client_header && m->nset < GW_RT_MAX_HDR_OPS)
			m->set[m->nset++] = (struct gw_rt_hdr){ sec->client_header, client,
							       (uint32_t)strlen(sec->client_header),
							       (uint32_t)strlen(client) };
		if (sec->key_sanitize && keyhdr && m->nremove < GW_RT_MAX_HDR_OPS)
			m->remove[m->nremove++] = (struct gw_rt_hdr){ keyhdr, NULL,
								     (uint32_t)strlen(keyhdr), 0 };
	}
	if (sec && sec->njwt) {
		struct gw_rt_hdrmod *m = policy_hdrs(x);
		int rc = m ? gw_secpol_jwt(sec, &rq, (int64_t)time(NULL), m, (char *)(m + 1),
					  POLICY_HDR_BUF - GW_HTPASSWD_MAX_USER - 1)
			   : -ENOMEM;

		if (rc == -ENOMEM) {
			error_reply(x, 500, "out of memory");
			return;
		}
		if (rc && !(rc == -ENOENT && sec->jwt_optional)) {
			jwt_denied(x, rc);
			return;
		}
	}
	if (sec && !gw_secpol_authorize(sec, c->peer, &rq, w->md, &authz_rule)) {
		pr_debug("SecurityPolicy %s: %s denied %.*s %.*s (%s)", sec->policy, c->peer,
			 (int)rq.method_len, rq.method, (int)rq.path_len, rq.path,
			 authz_rule ? authz_rule : "defaultAction");
		/* Envoy's RBAC filter answers 403 "RBAC: access denied" */
		error_reply(x, 403, "RBAC: access denied");
		return;
	}
	if (f->redirect) {
		struct gw_rt_hdr loc = { "Location", NULL, 8, 0 };

		gw_sbuf_reset(&w->sb);
		gw_redirect_location(&w->sb, f->redirect, x->m, gw_conn_scheme(c), rq.host,
				     rq.host_len, x->lst->port, rq.path, rq.path_len, rq.query,
				     rq.query_len);
		if (w->sb.oom) {
			error_reply(x, 500, "out of memory");
			return;
		}
		/* local_reply reuses w->sb: keep the Location elsewhere */
		gw_sbuf_reset(&x->extra_sb);
		gw_sbuf_put(&x->extra_sb, w->sb.p, w->sb.len);
		loc.value = x->extra_sb.p;
		loc.value_len = (uint32_t)x->extra_sb.len;
		local_reply(x, f->redirect->status, NULL, &loc, 1);
		return;
	}

	/* backend */
	if (x->rule->session.enabled)
		x->be = session_pick(x, req, &pin);
	if (!x->be)
		x->be = weighted_pick(x);
	if (!x->be) {
		error_reply(x, 500, x->rule->nbackends ? "every backendRef has weight 0"
						       : "the rule has no backendRefs");
		return;
	}
	x->stat = x->be->stat;
	if (x->be->state == GW_BE_INVALID) {
		pr_debug("HTTPRoute %s rule %d: backend %s is invalid (%s): 500", x->rule->route,
			 x->rule->index, x->be->name, x->be->reason);
		error_reply(x, 500, "invalid backendRef");
		return;
	}
	if (x->be->state == GW_BE_NOEPS) {
		error_reply(x, 503, "the backend has no ready endpoints");
		return;
	}
	bf = x->be->filters;
	if (bf && bf->unsupported) {
		error_reply(x, 500, bf->unsupported);
		return;
	}
	if (bf && apply_cors(x, bf->cors, req))
		return;
	if (bf && bf->redirect) {
		struct gw_rt_hdr loc = { "Location", NULL, 8, 0 };

		gw_sbuf_reset(&x->extra_sb);
		gw_redirect_location(&x->extra_sb, bf->redirect, x->m, gw_conn_scheme(c), rq.host,
				     rq.host_len, x->lst->port, rq.path, rq.path_len, rq.query,
				     rq.query_len);
		loc.value = x->extra_sb.p;
		loc.value_len = (uint32_t)x->extra_sb.len;
		local_reply(x, bf->redirect->status, NULL, &loc, 1);
		return;
	}
	if (x->rule->session.enabled) {
		x->session_name = x->rule->session.name;
		x->session_header = x->rule->session.header;
		x->pin = pin;
	}

	/* the request head for the backend (backendRef filters override the rule's) */
	rw = bf && bf->rewrite ? bf->rewrite : f->rewrite;
	fr.method = req->method;
	fr.method_len = req->method_len;
	fr.path = rq.path;
	fr.path_len = rq.path_len;
	if ((rw && rw->path.type != GW_PATHMOD_NONE) ||
	    (bf && bf->rewrite && f->rewrite && f->rewrite->path.type != GW_PATHMOD_NONE)) {
		const struct gw_rt_rewrite *pr = rw->path.type != GW_PATHMOD_NONE ? rw : f->rewrite;

		gw_apply_pathmod(&path, &pr->path, x->m, rq.path, rq.path_len);
		if (path.oom) {
			error_reply(x, 500, "out of memory");
			return;
		}
		fr.path = path.p;
		fr.path_len = (uint32_t)path.len;
	}
	fr.query = rq.query;
	fr.query_len = rq.query_len;
	fr.orig_host = host;
	fr.orig_host_len = hlen;
	fr.host = host;
	fr.host_len = hlen;
	if ((bf && bf->rewrite && bf->rewrite->hostname) || (f->rewrite && f->rewrite->hostname)) {
		fr.host = bf && bf->rewrite && bf->rewrite->hostname ? bf->rewrite->hostname
								     : f->rewrite->hostname;
		fr.host_len = (uint32_t)strlen(fr.host);
	}
	fr.client_ip = c->peer;
	fr.proto = gw_conn_scheme(c);
	fr.xff = gwd.o.xff;
	xfcc_len = gw_xfcc_value(c, xfcc, sizeof(xfcc));
	fr.xfcc_replace = xfcc_len >= 0;
	fr.xfcc = xfcc;
	fr.xfcc_len = xfcc_len > 0 ? (uint32_t)xfcc_len : 0;
	fr.chunked = info.body == GW_BODY_CHUNKED;
	fr.has_length = info.body == GW_BODY_LENGTH;
	fr.content_length = info.content_length;
	fr.mods[0] = f->req_hdr;
	fr.mods[1] = bf ? bf->req_hdr : NULL;
	fr.mods[2] = x->user_fwd;
	fr.allow_underscores = gwd.o.allow_underscores;
	fr.underscore_drops = &underscore_drops;
	if (info.upgrade && info.upgrade_hdr->value_len == 9 &&
	    !strncasecmp(info.upgrade_hdr->value, "websocket", 9)) {
		fr.upgrade = info.upgrade_hdr;
		x->upgrade = true;
	}
	int head_err = gw_build_request_head(&x->head, &w->hl, &fr, req->headers, req->nheaders);

	if (underscore_drops)
		GW_GAUGE_ADD(w->id, underscore_headers_dropped, underscore_drops);
	if (head_err) {
		gw_sbuf_free(&path);
		error_reply(x, 431, "request header fields too large after modification");
		return;
	}
	gw_sbuf_free(&path);
	x->resp_mods[0] = f->resp_hdr;
	x->resp_mods[1] = bf ? bf->resp_hdr : NULL;
	if (x->rule->timeout_request_ms)
		set_timer(x, &x->t_req, x->rule->timeout_request_ms);
	if (x->rule->retry.enabled)
		x->retries_left = x->rule->retry.attempts;
	if (gw_extauth_begin(x, req, &rq, host, hlen, f->extauth, bf ? bf->extauth : NULL))
		return;
	start_attempt(x);
	if (c->x == x && x->req_done)
		request_done(x);
}

/* ---- for extauth.c ----------------------------------------------------------- */

struct gw_exch *gw_exch_sub_new(struct gw_exch *x, const struct gw_rt_backend *be)
{
	struct gw_exch *sub = exch_new(x->w, x->tbl);

	if (!sub)
		return NULL;
	sub->auth_sub = true;
	sub->rule = x->rule;
	sub->be = be;
	sub->req_done = true;
	sub->head_req = x->head_req;
	sub->failovers_left = 2;
	return sub;
}

void gw_exch_sub_start(struct gw_exch *sub)
{
	start_attempt(sub);
}

void gw_exch_sub_free(struct gw_exch *sub)
{
	close_up(sub);
	exch_free(sub);
}

/* extauth.c answers before any backend is asked: counted as the rule's, not the backend's */
void gw_exch_reply(struct gw_exch *x, int status, const struct gw_rt_hdr *extra, int nextra,
		   const char *body, size_t body_len)
{
	x->stat = x->rule->stat_nobackend;
	local_reply_n(x, status, body, body_len, NULL, extra, nextra);
}

void gw_exch_error(struct gw_exch *x, int status, const char *why)
{
	x->stat = x->rule->stat_nobackend;
	error_reply(x, status, why);
}

void gw_exch_authorized(struct gw_exch *x)
{
	struct gw_conn *c = x->c;

	start_attempt(x);
	if (c->x == x && x->req_done)
		request_done(x);
}

size_t gw_client_input(struct gw_conn *c, const char *data, size_t len)
{
	struct gw_worker *w = c->w;
	size_t off = 0;

	while (off < len) {
		struct gw_exch *x = c->x;
		int r;

		if (c->flags & (CF_CLOSING | CF_DISCARD | CF_LINGER))
			return len;
		if (x) {
			if (x->tunnel) {
				if (x->u) {
					gw_conn_put(x->u, data + off, len - off);
					if (x->u && x->u->out.bytes > GW_OQ_HIGH)
						gw_conn_pause(c);
				}
				return len;
			}
			if (x->req_done) {
				/* pipelined requests wait their turn; stop reading past one head */
				if (len - off > GW_HTTP1_MAX_HEAD)
					gw_conn_pause(c);
				return off;
			}
			if (!x->u && x->body.len + (len - off) > hold_max(x)) {
				/* no upstream yet (queued, or between attempts): wait for one */
				gw_conn_pause(c);
				if (x->auth)
					gw_extauth_held(x);
				return off;
			}
			off += client_body(x, data + off, len - off);
			if (c->flags & CF_PAUSED)
				return off;
			continue;
		}
		r = gw_http1_parse_request(data + off, len - off, c->last_len, &w->req);
		if (r == GW_HTTP1_INCOMPLETE) {
			if (!c->last_len)
				gw_conn_timer(c, T_CONN_HEADER, gwd.o.header_timeout_ms);
			c->last_len = (uint32_t)(len - off);
			return off;
		}
		c->last_len = 0;
		if (r == GW_HTTP1_ERROR) {
			parse_error(c, w->req.error_status, w->req.error);
			return len;
		}
		start_exchange(c, &w->req);
		off += (size_t)r;
	}
	return off;
}

void gw_client_eof(struct gw_conn *c, int err)
{
	struct gw_exch *x = c->x;

	if (!x) {
		gw_conn_close(c);
		return;
	}
	if (x->tunnel) {
		struct gw_conn *u = detach_up(x);

		if (u)
			gw_conn_finish(u);
		x->c->x = NULL;
		record(x, 101);
		exch_free(x);
		gw_conn_close(c);
		return;
	}
	/*
	 * The client is gone, or reset, or half-closed: a read EOF cannot tell a
	 * half-close from a client that left (a killed curl sends a FIN). Like
	 * nginx (proxy_ignore_client_abort off: "client prematurely closed
	 * connection, so upstream connection is closed too") and Envoy, the
	 * exchange ends here and its upstream connection is closed, so a backend
	 * that hangs does not hold one connection per departed client until
	 * --upstream-timeout (issue 10, item 8).
	 */
	if (!x->status)
		x->status = 499;	/* nginx's "client closed request", when nothing was answered */
	abort_client(x, err ? "client connection reset" :
			 x->req_done ? "client closed while waiting for the response" :
				       "client closed mid-request");
}

void gw_client_sent(struct gw_conn *c)
{
	struct gw_exch *x = c->x;

	if (x && x->u && (x->u->flags & CF_PAUSED) &&
	    c->out.bytes < (c->flags & CF_VIRT ? GW_H2_STREAM_BUF / 2 : GW_OQ_LOW))
		gw_conn_resume(x->u);
}

void gw_client_drain(struct gw_conn *c)
{
	/* idle: close now; busy: the exchange sees w->draining and closes after */
	if (!c->x && !c->out.bytes && !(c->flags & CF_SENDING))
		gw_conn_close(c);
}

/* ---- response side --------------------------------------------------------- */

static void client_put(struct gw_exch *x, const void *p, size_t n)
{
	if (x->auth_sub) {
		gw_extauth_response_body(x, p, n);
		return;
	}
	if (x->mirror)
		return;
	x->bytes_out += n;
	gw_conn_put(x->c, p, n);
	if (x->u &&
	    (x->c->flags & CF_VIRT ? gw_h2_stream_full(x->c) : x->c->out.bytes > GW_OQ_HIGH))
		gw_conn_pause(x->u);
}

/* The response's trailer section: to HTTP/1.1 clients in the chunked framing, to HTTP/2 streams. */
static void put_trailers(struct gw_exch *x)
{
	if (x->mirror)
		return;
	if (x->resp_chunked_out) {
		client_put(x, "0\r\n", 3);
		if (x->trailers.len)
			client_put(x, x->trailers.p, x->trailers.len);
		else
			client_put(x, "\r\n", 2);
	} else if ((x->c->flags & CF_VIRT) && x->trailers.len > 2) {
		gw_h2_stream_trailers(x->c, x->trailers.p, x->trailers.len);
	}
}

static bool retry_status(const struct gw_exch *x, int status)
{
	const struct gw_rt_retry *r = &x->rule->retry;

	return r->enabled && x->retries_left > 0 && status >= 400 && status <= 599 &&
	       (r->codes[(status - 400) / 8] & (1u << ((status - 400) % 8))) && replayable(x);
}

static void session_fields(struct gw_exch *x)
{
	const struct gw_rt_session *s = &x->rule->session;
	struct gw_session_tok tok = { 0 };
	uint64_t now = (uint64_t)time(NULL);
	struct gw_rt_hdr *h;
	size_t off;

	if (!x->session_name || x->nextra >= 8 || !x->ep)
		return;
	tok.backend = (uint32_t)(x->be - x->rule->backends);
	tok.endpoint = x->ep->id;
	tok.issued_s = x->session_issued_s && x->pin == x->ep ? x->session_issued_s : now;
	tok.last_s = now;
	gw_session_encode(&tok, x->session_val, sizeof(x->session_val));
	if (!extra_room(x, strlen(x->session_name) + sizeof(x->session_val) + 64))
		return;
	off = x->extra_sb.len;
	h = &x->extra[x->nextra];
	if (x->session_header) {
		gw_sbuf_puts(&x->extra_sb, x->session_val);
		h->name = x->session_name;
		h->name_len = (uint32_t)strlen(x->session_name);
	} else {
		gw_sbuf_printf(&x->extra_sb, "%s=%s; Path=/; HttpOnly", x->session_name,
			       x->session_val);
		if (s->permanent && s->absolute_ms)
			gw_sbuf_printf(&x->extra_sb, "; Max-Age=%llu",
				       (unsigned long long)(s->absolute_ms / 1000));
		h->name = "Set-Cookie";
		h->name_len = 10;
	}
	if (x->extra_sb.oom)
		return;
	h->value = x->extra_sb.p + off;
	h->value_len = (uint32_t)(x->extra_sb.len - off);
	x->nextra++;
}

/* A final response head from the upstream: forward it (or retry on its status). */
static bool response_head(struct gw_exch *x, const struct gw_http1_resp *resp)
{
	struct gw_worker *w = x->w;
	struct gw_http1_info info;
	struct gw_fwd_resp fr = { 0 };

	if (gw_http1_response_info(resp, x->head_req, &info)) {
		attempt_failed(x, FAIL_RESET, info.error);
		return false;
	}
	x->resp_head_seen = true;
	x->resp_body = info.body;
	x->resp_left = info.content_length;
	x->up_keepalive = info.keepalive;
	if (x->auth_sub)
		return gw_extauth_response(x, resp);
	if (x->mirror)
		return true;
	if (retry_status(x, resp->status)) {
		char why[64];

		x->retries_left--;
		snprintf(why, sizeof(why), "status %d", resp->status);
		close_up(x);
		note_failed(x);
		pr_debug("retrying after %s from %s", why, x->ep->name);
		retry_later(x);
		return false;
	}
	fr.status = resp->status;
	fr.reason = resp->reason;
	fr.reason_len = resp->reason_len;
	if (info.body == GW_BODY_NONE) {
		fr.has_length = info.has_length;
		fr.content_length = info.content_length;
	} else if (info.body == GW_BODY_LENGTH) {
		fr.has_length = true;
		fr.content_length = info.content_length;
	} else if (x->client_minor == 1) {
		fr.chunked = x->resp_chunked_out = true;
	} else {
		x->resp_close_out = true;
	}
	if (!x->req_done)
		x->client_keepalive = false;	/* answered before the request ended */
	fr.close = !x->client_keepalive || x->resp_close_out || w->draining;
	fr.keepalive_10 = x->client_minor == 0 && !fr.close;
	fr.mods[0] = x->resp_mods[0];
	fr.mods[1] = x->resp_mods[1];
	session_fields(x);
	fr.extra = x->extra;
	fr.nextra = x->nextra;
	gw_sbuf_reset(&w->sb);
	if (gw_build_response_head(&w->sb, &w->hl, &fr, resp->headers, resp->nheaders)) {
		attempt_failed(x, FAIL_RESET, "response header fields too large");
		return false;
	}
	x->status = resp->status;
	x->head_sent = true;
	client_put(x, w->sb.p, w->sb.len);
	return true;
}

/* extra: bytes followed the response, so the connection is out of step and not reused. */
static void response_done(struct gw_exch *x, bool extra)
{
	struct gw_conn *u = detach_up(x);
	bool reuse;

	x->resp_done = true;
	if (u && (u->flags & CF_VIRT))
		reuse = false;	/* an HTTP/2 stream: closing it ends the stream */
	else
		reuse = u && !extra && x->up_keepalive && x->req_done && !u->out.bytes &&
			!u->in_len && !(u->flags & (CF_SENDING | CF_EOF | CF_CLOSING));
	if (reuse)
		gw_pool_put(u);
	else if (u)
		gw_conn_close(u);
	if (x->auth_sub) {
		gw_extauth_response_done(x);
		return;
	}
	if (x->mirror) {
		exch_free(x);
		return;
	}
	exch_complete(x);
}

/* The 101 of a WebSocket upgrade: from here on both directions are raw bytes. */
static void start_tunnel(struct gw_exch *x, const struct gw_http1_resp *resp)
{
	struct gw_worker *w = x->w;
	struct gw_fwd_resp fr = { 0 };
	const struct gw_http1_header *upg = NULL;

	for (size_t i = 0; i < resp->nheaders; i++)
		if (gw_http1_name_is(&resp->headers[i], "upgrade"))
			upg = &resp->headers[i];
	if (!upg) {
		attempt_failed(x, FAIL_RESET, "101 without Upgrade");
		return;
	}
	fr.status = 101;
	fr.reason = resp->reason;
	fr.reason_len = resp->reason_len;
	fr.upgrade = upg;
	fr.mods[0] = x->resp_mods[0];
	fr.mods[1] = x->resp_mods[1];
	gw_sbuf_reset(&w->sb);
	if (gw_build_response_head(&w->sb, &w->hl, &fr, resp->headers, resp->nheaders)) {
		attempt_failed(x, FAIL_RESET, "response header fields too large");
		return;
	}
	x->status = 101;
	x->head_sent = true;
	x->tunnel = true;
	/* a tunnel has no request or response timeout: only the peers end it */
	gw_timer_del(&w->timers, &x->t_req);
	gw_timer_del(&w->timers, &x->t_attempt);
	client_put(x, w->sb.p, w->sb.len);
	if (x->c->in_len)
		gw_conn_pend(x->c);
}

/*
 * Forwards response body bytes; sets x->resp_done at the end of the body.
 * Returns what it consumed, or SIZE_MAX when it dropped the exchange.
 */
static size_t up_body(struct gw_exch *x, const char *data, size_t len)
{
	size_t off = 0, n;
	char hex[24];

	switch (x->resp_body) {
	case GW_BODY_LENGTH:
		n = len < x->resp_left ? len : (size_t)x->resp_left;
		client_put(x, data, n);
		x->resp_left -= n;
		if (!x->resp_left)
			x->resp_done = true;
		return n;
	case GW_BODY_CLOSE:
		client_put(x, data, len);
		return len;
	case GW_BODY_CHUNKED:
		while (off < len) {
			const char *d;
			size_t dn;
			bool in_trailers = x->resp_ck.state >= GW_CHUNK_TRAILER;
			ssize_t r = gw_http1_chunked_decode(&x->resp_ck, data + off, len - off, &d, &dn);

			if (r < 0) {
				pr_warn_ratelimited("upstream %s: bad chunked response body: %s",
						    x->ep ? x->ep->name : "?", x->resp_ck.error);
				if (x->mirror) {
					close_up(x);
					exch_free(x);
				} else if (x->auth_sub) {
					close_up(x);
					gw_extauth_failed(x, "bad chunked response body");
				} else {
					abort_client(x, "bad chunked response body");
				}
				return SIZE_MAX;
			}
			if (in_trailers)
				gw_sbuf_put(&x->trailers, data + off, (size_t)r);
			off += (size_t)r;
			if (dn) {
				if (x->resp_chunked_out) {
					int hl = snprintf(hex, sizeof(hex), "%zx\r\n", dn);

					client_put(x, hex, (size_t)hl);
					client_put(x, d, dn);
					client_put(x, "\r\n", 2);
				} else {
					client_put(x, d, dn);
				}
			}
			if (x->resp_ck.state == GW_CHUNK_DONE) {
				/* a backend's trailers get the same filter (none left on ENOMEM) */
				trailers_clean(&x->trailers);
				put_trailers(x);
				x->resp_done = true;
				return off;
			}
			if (!r)
				break;
		}
		return off;
	default:
		x->resp_done = true;
		return 0;
	}
}

size_t gw_up_input(struct gw_conn *u, const char *data, size_t len)
{
	return u->h2up ? gw_h2up_input(u, data, len) : gw_up_http1_input(u, data, len);
}

size_t gw_up_http1_input(struct gw_conn *u, const char *data, size_t len)
{
	struct gw_worker *w = u->w;
	struct gw_exch *x = u->x;
	size_t off = 0, n;

	if (!x) {
		/* a pooled connection must stay silent; anything else is a broken server */
		pr_debug("unexpected %zu bytes on an idle upstream connection; closing it", len);
		gw_conn_close(u);
		return len;
	}
	x->up_bytes = true;
	if (x->tunnel) {
		client_put(x, data, len);
		return len;
	}
	if (!x->rule->timeout_backend_ms && gw_timer_armed(&x->t_attempt))
		set_timer(x, &x->t_attempt, x->mirror ? 30000 : gwd.o.upstream_timeout_ms);
	while (off < len) {
		if (!x->resp_head_seen) {
			int r = gw_http1_parse_response(data + off, len - off, u->last_len, &w->resp);

			if (r == GW_HTTP1_INCOMPLETE) {
				u->last_len = (uint32_t)(len - off);
				return off;
			}
			u->last_len = 0;
			if (r == GW_HTTP1_ERROR) {
				pr_warn_ratelimited("upstream %s: malformed response: %s",
						    x->ep ? x->ep->name : "?", w->resp.error);
				attempt_failed(x, FAIL_RESET, "malformed response from the backend");
				return len;
			}
			off += (size_t)r;
			if (w->resp.status < 200) {
				if (w->resp.status == 101 && x->upgrade && !x->mirror) {
					start_tunnel(x, &w->resp);
					if (x->c && x->c->x == x && x->tunnel && off < len)
						client_put(x, data + off, len - off);
					return len;
				}
				if (w->resp.status == 101) {
					attempt_failed(x, FAIL_RESET, "unexpected 101 from the backend");
					return len;
				}
				if (w->resp.status == 100 && x->expect_continue && !x->mirror)
					client_put(x, "HTTP/1.1 100 Continue\r\n\r\n", 25);
				/*
				 * Other interim responses (103 Early Hints...) go to HTTP/1.1
				 * clients as they came (RFC 9110 15.2: a proxy MUST forward
				 * them unless it generated the request's Expect itself).
				 */
				else if (w->resp.status != 100 && x->client_minor == 1 &&
					 !x->mirror && !x->head_sent)
					client_put(x, data + off - r, (size_t)r);
				continue;
			}
			if (!response_head(x, &w->resp))
				return len;
			/* "Content-Length: 0" ends the response here too */
			if (x->resp_body == GW_BODY_NONE ||
			    (x->resp_body == GW_BODY_LENGTH && !x->resp_left)) {
				response_done(x, off < len);
				return len;
			}
			continue;
		}
		n = up_body(x, data + off, len - off);
		if (n == SIZE_MAX)
			return len;
		off += n;
		if (x->resp_done) {
			response_done(x, off < len);
			return len;
		}
	}
	return off;
}

void gw_up_eof(struct gw_conn *u, int err)
{
	struct gw_exch *x = u->x;
	char why[96];

	if (!x || (u->flags & CF_POOLED)) {
		gw_conn_close(u);
		return;
	}
	if (x->tunnel) {
		detach_up(x);
		gw_conn_close(u);
		x->c->x = NULL;
		record(x, 101);
		gw_conn_finish(x->c);
		exch_free(x);
		return;
	}
	if (!x->resp_head_seen) {
		snprintf(why, sizeof(why), "connection %s before a response%s",
			 err ? strerror(-err) : "closed", u->uses > 1 ? " (pooled)" : "");
		attempt_failed(x, u->uses > 1 && !x->up_bytes ? FAIL_STALE : FAIL_RESET, why);
		return;
	}
	if (x->resp_body == GW_BODY_CLOSE && !err) {
		x->up_keepalive = false;
		response_done(x, false);
		return;
	}
	if (x->mirror) {
		close_up(x);
		exch_free(x);
		return;
	}
	if (x->auth_sub) {
		close_up(x);
		gw_extauth_failed(x, "closed mid-response");
		return;
	}
	abort_client(x, "backend closed mid-response");
}

void gw_up_sent(struct gw_conn *u)
{
	struct gw_exch *x = u->x;

	if (u->h2up) {
		gw_h2up_sent(u);
		return;
	}
	if (x && x->c && (x->c->flags & CF_PAUSED) && up_backlog(u) < GW_OQ_LOW && !x->req_done)
		gw_conn_resume(x->c);
	if (x && x->tunnel && x->c && (x->c->flags & CF_PAUSED) && u->out.bytes < GW_OQ_LOW)
		gw_conn_resume(x->c);
}

void gw_up_stream_failed(struct gw_conn *u, int kind, const char *why)
{
	struct gw_exch *x = u->x;

	if (!x) {
		gw_conn_close(u);
		return;
	}
	if (!x->resp_head_seen) {
		attempt_failed(x, (enum fail_kind)kind, why);
		return;
	}
	if (x->mirror) {
		close_up(x);
		exch_free(x);
		return;
	}
	abort_client(x, why);
}

void gw_up_connected(struct gw_conn *u, int res)
{
	struct gw_worker *w = u->w;
	struct gw_exch *x = u->x;
	const struct gw_rt_endpoint *ep = x ? x->ep : NULL;

	gw_conn_timer_del(u);
	if (res < 0) {
		/*
		 * Out of local ports or descriptors is this node's problem, not the
		 * endpoint's: the attempt fails, the endpoint is not ejected for it.
		 */
		if (res == -EADDRNOTAVAIL || res == -EMFILE || res == -ENFILE || res == -ENOBUFS)
			pr_warn_ratelimited("connect to %s: %s (a local limit; the endpoint "
					    "is not counted as failing)", ep ? ep->name : "?",
					    strerror(-res));
		else
			gw_ep_connect_failed(w, u->ep, ep ? ep->name : "?", res);
		if (x) {
			char why[96];

			snprintf(why, sizeof(why), "connect to %s failed: %s", ep ? ep->name : "?",
				 strerror(-res));
			attempt_failed(x, FAIL_CONNECT, why);
		} else {
			gw_conn_close(u);
		}
		return;
	}
	gw_ep_connect_ok(w, u->ep);
	gw_conn_arm_recv(u);
	gw_conn_flush(u);
}

void gw_up_tls_failed(struct gw_conn *u, const char *why)
{
	struct gw_exch *x = u->x;

	gw_conn_timer_del(u);
	gw_ep_connect_failed(u->w, u->ep, x && x->ep ? x->ep->name : "?", -EPROTO);
	if (x)
		attempt_failed(x, FAIL_TLS, why);
	else
		gw_conn_close(u);
}

void gw_exch_timer(struct gw_exch *x, int kind)
{
	switch (kind) {
	case T_EX_REQUEST:
		GW_GAUGE_ADD(x->w->id, timeouts, 1);
		close_up(x);
		if (x->head_sent)
			abort_client(x, "request timeout");
		else
			error_reply(x, 504, "request timeout");
		break;
	case T_EX_ATTEMPT:
		attempt_failed(x, FAIL_TIMEOUT, "backend request timeout");
		break;
	case T_EX_RETRY:
		start_attempt(x);
		break;
	}
}

void gw_conn_timer_fired(struct gw_conn *c, int kind)
{
	switch (kind) {
	case T_CONN_IDLE:
	case T_CONN_LINGER:
		gw_conn_close(c);
		break;
	case T_CONN_HEADER:
		if (c->h2) {
			/* an HTTP/2 request head not complete in time (h2.c h2_timer) */
			gw_conn_close(c);
		} else if (c->in_len && !c->x) {
			/* part of a head arrived but not the rest in time */
			parse_error(c, 408, "request head timeout");
		} else {
			gw_conn_close(c);
		}
		break;
	case T_UP_CONNECT:
		gw_up_connected(c, -ETIMEDOUT);
		if (!(c->flags & CF_CLOSING))
			gw_conn_close(c);
		break;
	}
}
