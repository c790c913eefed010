// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * HTTP/2 from clients (libnghttp2 server sessions): over TLS when ALPN chose
 * h2, in cleartext when a connection starts with the HTTP/2 preface (prior
 * knowledge). Each stream becomes a request on the HTTP/1.1 path, so
 * routing, filters, retries, mirrors and the upstream side are the same code:
 *
 *   stream HEADERS -> a virtual client connection (CF_VIRT, no socket)
 *   fed "METHOD path HTTP/1.1" with Host, Connection: close and the
 *   fields, framed by the client's content-length or else chunked; DATA
 *   follows as it arrives (as chunks), END_STREAM ends the body (with the
 *   request's trailers as the trailer section); the proxy answers it like
 *   any client; its output queue is parsed back into a response head
 *   (HEADERS) and raw body bytes (DATA, pulled by nghttp2 as flow control
 *   allows); response trailers come separately (gw_h2_stream_trailers);
 *   the end of the exchange (gw_conn_finish) ends the stream.
 *
 * The proxy answers a virtual connection as an HTTP/1.0 client (raw body,
 * close after it), so no HTTP/1.1 framing has to be undone. Request bodies
 * stream: the stream's flow-control window is only given back
 * (nghttp2_session_consume) while the virtual connection is not paused by
 * the proxy's backpressure, so at most a window (GW_H2_WINDOW) waits in its
 * input. nghttp2 is only driven from the parent connection's input and
 * send paths, so its callbacks never run inside another connection's
 * handler.
 */
#include <errno.h>
#include <malloc.h>
#include <nghttp2/nghttp2.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "gw/log.h"
#include "gwd_internal.h"

#define GW_H2_MAX_STREAMS 128
#define GW_H2_WINDOW (1 << 20)
/*
 * Defences (each answered with GOAWAY and the end of the connection):
 * stream resets (rapid reset, CVE-2023-44487, and "MadeYouReset",
 * CVE-2025-8671): every stream reset the client causes beyond a token
 * bucket of GW_H2_RST_BURST, refilled GW_H2_RST_RATE per second, gets
 * GOAWAY ENHANCE_YOUR_CALM (reset_budget());
 * CONTINUATION floods: more than GW_H2_MAX_CONT CONTINUATION frames after
 * one HEADERS; HPACK bombs: more than GW_H2_MAX_FIELDS decoded bytes (or
 * GW_HTTP1_MAX_HEADERS fields) in one header block; settings and ping
 * floods: more than GW_H2_MAX_ACKS queued ACKs; frames are only pulled
 * from nghttp2 while the output queue is below GW_OQ_HIGH, so the ACKs of
 * a client that does not read queue up there and hit that limit.
 */
#define GW_H2_RST_BURST 200
#define GW_H2_RST_RATE 33
#define GW_H2_MAX_CONT 8
#define GW_H2_MAX_FIELDS (64 * 1024)
#define GW_H2_MAX_ACKS 1000
#define GW_H2_GAPS 8	/* ranges of stream ids the client skipped, remembered */

struct gw_h2_stream {
	struct gw_h2 *h;
	int32_t id;
	struct gw_conn *v;		/* the virtual client connection, once dispatched */
	struct gw_sbuf head;		/* "name: value\r\n" of the request fields */
	struct gw_sbuf req_trailers;	/* the same for the request's trailers */
	struct gw_sbuf cookie;		/* the cookie fields' values, joined with "; " */
	uint64_t begun_ms;		/* when its HEADERS began (the header timeout) */
	uint64_t clen;			/* the request's content-length, if has_clen */
	bool has_clen;
	bool chunked;			/* the request body is fed chunked */
	size_t unacked;			/* DATA bytes not yet given back to the window */
	struct gw_sbuf rh;		/* response field names (lower-cased) and values */
	struct gw_sbuf trailers;	/* the response's trailer section, HTTP/1.1 syntax */
	char method[16];
	char *path, *authority;
	size_t field_bytes;		/* decoded request field bytes so far */
	int nfields;
	bool bad;			/* a field h2 forbids or too much: refused */
	bool resp_started;		/* HEADERS submitted */
	bool nobody;			/* ... with END_STREAM: the response has no body */
	bool deferred;			/* the data source said "later" */
	bool ended;			/* the response is complete on v */
	bool head_done;			/* END_HEADERS of the request's head came */
	uint8_t wait;			/* its backend waits for a budget (WAIT_*) */
	size_t rsv;			/* reserved for its backend's recv in flight */
	size_t acct;			/* counted in the budgets: v->out bytes + rsv */
	struct gw_h2_stream *next, *prev;
};

struct gw_h2 {
	nghttp2_session *s;
	struct gw_conn *c;
	struct gw_h2_stream *streams;
	uint64_t idle_since;		/* when the last stream ended (or the session began) */
	uint64_t rst_credit;		/* reset budget left, in 1/1000 of a reset */
	uint64_t rst_ms;		/* when rst_credit was last refilled */
	bool calm;			/* over the reset budget: GOAWAY ENHANCE_YOUR_CALM queued */
	int32_t max_id;			/* the highest stream id of the client's HEADERS */
	int ngaps;
	struct {
		int32_t lo, hi;
	} gaps[GW_H2_GAPS];		/* stream ids below max_id the client never used */
	size_t buffered;		/* the streams' acct: against --h2-conn-buffer */
	uint32_t nwait;			/* streams with wait set */
	bool wake;			/* buffered dropped while streams wait */
};

/*
 * Response bytes held for clients that do not open their windows
 * (CVE-2019-9517 class) are bounded three times: per stream
 * (GW_H2_STREAM_BUF), per connection (--h2-conn-buffer) and per process
 * (--h2-buffer-max, the sum of the workers' h2_buffered gauges). The
 * backend of a stream is read with single-shot recvs whose length is
 * reserved in all three before they are armed (gw_h2_recv_quota), so a
 * budget is never overrun by what the kernel already had: a stream that
 * finds one full waits, paused, and is resumed when room comes back. A
 * full process budget also closes the worker's connection that holds the
 * most (GOAWAY ENHANCE_YOUR_CALM, RFC 9113 section 7), at least
 * GW_H2_VICTIM_MIN, so one client cannot starve all the others.
 */
#define GW_H2_VICTIM_MIN (64 * 1024)
/* waiting streams are resumed once a budget has room for a new block's read */
#define GW_H2_WAKE_ROOM (GW_OBLK_SIZE + 64)
/* output blocks a worker keeps cached once an HTTP/2 connection's streams are freed */
#define GW_H2_SPARE_KEEP 32

enum { WAIT_NONE, WAIT_CONN, WAIT_PROC };

static bool budget_full;			/* atomic: a stream found the process budget full */
static __thread uint32_t proc_waiters;		/* this worker's streams with WAIT_PROC */

static size_t room(size_t budget, size_t used)
{
	return budget > used ? budget - used : 0;
}

static size_t proc_buffered(void)
{
	uint64_t n = 0;

	for (int i = 0; i < gwd.nworkers; i++)
		n += __atomic_load_n(&gw_gauges[i].h2_buffered, __ATOMIC_RELAXED);
	return (size_t)n;
}

/* Recounts what st holds in its connection's and the process' budgets. */
static void stream_account(struct gw_h2_stream *st)
{
	struct gw_h2 *h = st->h;
	/* blocks, not bytes: 8 KiB read into a 16 KiB block costs 16 KiB */
	size_t now = (st->v ? gw_oq_mem(&st->v->out) : 0) + st->rsv;

	if (now == st->acct)
		return;
	if (now < st->acct && h->nwait)
		h->wake = true;
	/* unsigned arithmetic: adding the difference also subtracts */
	h->buffered += now - st->acct;
	GW_GAUGE_ADD(h->c->w->id, h2_buffered, (uint64_t)(now - st->acct));
	st->acct = now;
}

static size_t budget_wait(struct gw_h2_stream *st, uint8_t kind)
{
	if (st->wait)
		return 0;
	st->wait = kind;
	st->h->nwait++;
	if (kind == WAIT_PROC)
		proc_waiters++;
	GW_GAUGE_ADD(st->h->c->w->id, h2_budget_waits, 1);
	return 0;
}

static void stream_unwait(struct gw_h2_stream *st)
{
	if (!st->wait)
		return;
	if (st->wait == WAIT_PROC)
		proc_waiters--;
	st->h->nwait--;
	st->wait = WAIT_NONE;
}

/* Resumes the backends of h's waiting streams when both budgets have room again. */
static void budget_wake(struct gw_h2 *h)
{
	h->wake = false;
	if (!h->nwait || room(gwd.o.h2_buffer_max, proc_buffered()) < GW_H2_WAKE_ROOM)
		return;
	for (struct gw_h2_stream *st = h->streams; st && h->nwait; st = st->next) {
		struct gw_conn *u = st->v && st->v->x ? st->v->x->u : NULL;

		if (!st->wait)
			continue;
		if (room(gwd.o.h2_conn_buffer, h->buffered) < GW_H2_WAKE_ROOM) {
			/* the connection is full again: its own drain wakes the rest */
			if (st->wait == WAIT_PROC) {
				proc_waiters--;
				st->wait = WAIT_CONN;
			}
			continue;
		}
		stream_unwait(st);
		/* re-armed at once: its reservation counts before the next one's */
		if (u && (u->flags & CF_PAUSED))
			gw_conn_resume(u);
	}
}

/*
 * The connection's timer. A stream whose request head is still coming
 * (HEADERS without END_HEADERS, or CONTINUATION trickling) gets the header
 * timeout from its first HEADERS, as an HTTP/1.1 head does: while it lasts
 * no other frame can be processed (RFC 9113 6.10), so the connection
 * closes with it. With no stream the idle timeout runs from the end of the
 * last stream, and other frames (PING, SETTINGS, WINDOW_UPDATE) do not
 * extend it, as Envoy's idle_timeout ("no active requests") does. Streams
 * with a complete head are bounded by their exchange's timers.
 */
static void h2_timer(struct gw_h2 *h)
{
	struct gw_conn *c = h->c;
	uint64_t now = c->w->now_ms, oldest = UINT64_MAX, at;

	for (struct gw_h2_stream *st = h->streams; st; st = st->next)
		if (!st->head_done && st->begun_ms < oldest)
			oldest = st->begun_ms;
	if (oldest != UINT64_MAX) {
		at = oldest + gwd.o.header_timeout_ms;
		gw_conn_timer(c, T_CONN_HEADER, at > now ? at - now : 0);
	} else if (!h->streams) {
		at = h->idle_since + gwd.o.idle_timeout_ms;
		gw_conn_timer(c, T_CONN_IDLE, at > now ? at - now : 0);
	} else {
		gw_conn_timer_del(c);
	}
}

static void stream_free(struct gw_h2_stream *st)
{
	struct gw_h2 *h = st->h;

	if (st->prev)
		st->prev->next = st->next;
	else
		h->streams = st->next;
	if (st->next)
		st->next->prev = st->prev;
	stream_unwait(st);
	st->rsv = 0;
	stream_account(st);	/* v is gone by now: nothing stays counted */
	gw_sbuf_free(&st->head);
	gw_sbuf_free(&st->req_trailers);
	gw_sbuf_free(&st->cookie);
	gw_sbuf_free(&st->rh);
	gw_sbuf_free(&st->trailers);
	free(st->path);
	free(st->authority);
	free(st);
}

/* Detaches the virtual connection and tells the proxy the client is gone. */
static void stream_drop_v(struct gw_h2_stream *st, bool reset)
{
	struct gw_conn *v = st->v;

	st->rsv = 0;
	if (!v)
		return;
	st->v = NULL;
	v->h2s = NULL;
	stream_account(st);
	if (v->flags & CF_CLOSING)
		return;
	v->flags |= CF_EOF;
	if (v->x && reset)
		gw_client_eof(v, -ECONNRESET);
	else
		gw_conn_close(v);
}

static int on_begin_headers(nghttp2_session *s, const nghttp2_frame *f, void *user)
{
	struct gw_h2 *h = user;
	struct gw_h2_stream *st;

	if (f->hd.type != NGHTTP2_HEADERS || f->headers.cat != NGHTTP2_HCAT_REQUEST)
		return 0;
	st = calloc(1, sizeof(*st));
	if (!st)
		return NGHTTP2_ERR_CALLBACK_FAILURE;
	st->h = h;
	st->id = f->hd.stream_id;
	st->begun_ms = h->c->w->now_ms;
	st->next = h->streams;
	if (h->streams)
		h->streams->prev = st;
	h->streams = st;
	nghttp2_session_set_stream_user_data(s, st->id, st);
	return 0;
}

static bool is_hop_field(const uint8_t *n, size_t len)
{
	static const char *const hop[] = { "connection", "keep-alive", "proxy-connection",
					   "transfer-encoding", "upgrade", "te", "expect",
					   "content-length", "host" };

	for (size_t i = 0; i < sizeof(hop) / sizeof(hop[0]); i++)
		if (strlen(hop[i]) == len && !memcmp(hop[i], n, len))
			return true;
	return false;
}

static int on_header(nghttp2_session *s, const nghttp2_frame *f, const uint8_t *name,
		     size_t namelen, const uint8_t *value, size_t valuelen, uint8_t flags,
		     void *user)
{
	struct gw_h2_stream *st = nghttp2_session_get_stream_user_data(s, f->hd.stream_id);
	struct gw_sbuf *out;

	(void)flags;
	(void)user;
	if (!st || f->hd.type != NGHTTP2_HEADERS)
		return 0;
	st->field_bytes += namelen + valuelen + 32;
	if (st->field_bytes > GW_H2_MAX_FIELDS || ++st->nfields > GW_HTTP1_MAX_HEADERS) {
		pr_debug("HTTP/2 stream %d: header block over %d bytes or %d fields; closing the "
			 "connection", st->id, GW_H2_MAX_FIELDS, GW_HTTP1_MAX_HEADERS);
		return NGHTTP2_ERR_CALLBACK_FAILURE;	/* GOAWAY, connection error */
	}
	if (memchr(value, '\r', valuelen) || memchr(value, '\n', valuelen)) {
		st->bad = true;
		return 0;
	}
	if (namelen && name[0] == ':') {
		if (namelen == 7 && !memcmp(name, ":method", 7) && valuelen < sizeof(st->method)) {
			memcpy(st->method, value, valuelen);
			st->method[valuelen] = '\0';
		} else if (namelen == 5 && !memcmp(name, ":path", 5) && !st->path) {
			st->path = strndup((const char *)value, valuelen);
		} else if (namelen == 10 && !memcmp(name, ":authority", 10) && !st->authority) {
			st->authority = strndup((const char *)value, valuelen);
		}
		return 0;
	}
	if (namelen == 4 && !memcmp(name, "host", 4) && !st->authority) {
		st->authority = strndup((const char *)value, valuelen);
		return 0;
	}
	if (namelen == 14 && !memcmp(name, "content-length", 14) && !st->v) {
		/* nghttp2 checked it is a number that the DATA will match */
		st->has_clen = true;
		st->clen = strtoull((const char *)value, NULL, 10);
		return 0;
	}
	if (namelen == 2 && !memcmp(name, "te", 2))
		return 0;	/* "trailers" is all h2 allows; HTTP/1.1 upstreams get none */
	if (is_hop_field(name, namelen))
		return 0;
	if (namelen == 6 && !memcmp(name, "cookie", 6) && !st->v) {
		/*
		 * h2 may split the cookie into several fields; they MUST be
		 * joined with "; " before an HTTP/1.1 hop (RFC 9113 8.2.3).
		 */
		if (st->cookie.len)
			gw_sbuf_put(&st->cookie, "; ", 2);
		gw_sbuf_put(&st->cookie, value, valuelen);
		return 0;
	}
	/* after the request was dispatched, fields are its trailers */
	out = st->v ? &st->req_trailers : &st->head;
	gw_sbuf_put(out, name, namelen);
	gw_sbuf_put(out, ": ", 2);
	gw_sbuf_put(out, value, valuelen);
	gw_sbuf_put(out, "\r\n", 2);
	return 0;
}

/* Gives n bytes of stream st back to the flow-control windows (the proxy took them). */
static void stream_ack(struct gw_h2 *h, int32_t id, size_t n)
{
	if (n && nghttp2_session_consume(h->s, id, n))
		pr_debug("HTTP/2 stream %d: cannot return %zu bytes to its window", id, n);
}

static int on_data(nghttp2_session *s, uint8_t flags, int32_t id, const uint8_t *data,
		   size_t len, void *user)
{
	struct gw_h2_stream *st = nghttp2_session_get_stream_user_data(s, id);
	struct gw_h2 *h = user;
	struct gw_conn *v = st ? st->v : NULL;
	char hex[24];

	(void)flags;
	if (!v || (v->flags & (CF_CLOSING | CF_DISCARD))) {
		stream_ack(h, id, len);	/* nobody reads it: keep the connection window open */
		return 0;
	}
	if (st->chunked) {
		gw_conn_feed(v, hex, (size_t)snprintf(hex, sizeof(hex), "%zx\r\n", len));
		if (st->v == v)
			gw_conn_feed(v, (const char *)data, len);
		if (st->v == v)
			gw_conn_feed(v, "\r\n", 2);
	} else {
		gw_conn_feed(v, (const char *)data, len);
	}
	/* the proxy paused v on backpressure: the window stays closed until it resumes */
	if (st->v == v && (v->flags & CF_PAUSED))
		st->unacked += len;
	else
		stream_ack(h, id, len);
	return 0;
}

/* The request head is here: hand it to the HTTP/1.1 path on a virtual connection. */
static void dispatch(struct gw_h2 *h, struct gw_h2_stream *st, bool end_stream)
{
	struct gw_conn *c = h->c, *v;
	struct gw_sbuf req = { 0 };

	if (st->bad || !st->method[0] || !st->path || st->head.oom || st->cookie.oom) {
		uint32_t code = st->bad ? NGHTTP2_REFUSED_STREAM : NGHTTP2_PROTOCOL_ERROR;

		nghttp2_submit_rst_stream(h->s, NGHTTP2_FLAG_NONE, st->id, code);
		return;
	}
	v = gw_conn_new(c->w, CK_CLIENT, -1);
	if (!v) {
		nghttp2_submit_rst_stream(h->s, NGHTTP2_FLAG_NONE, st->id, NGHTTP2_INTERNAL_ERROR);
		return;
	}
	v->flags |= CF_VIRT;
	v->lsock = c->lsock;
	v->h2s = st;
	v->h2parent = c;
	memcpy(v->peer, c->peer, sizeof(v->peer));
	st->v = v;
	gw_sbuf_printf(&req, "%s %s HTTP/1.1\r\nHost: %s\r\nConnection: close\r\n", st->method,
		       st->path, st->authority ? st->authority : "");
	gw_sbuf_put(&req, st->head.p, st->head.len);
	if (st->cookie.len) {
		gw_sbuf_puts(&req, "cookie: ");
		gw_sbuf_put(&req, st->cookie.p, st->cookie.len);
		gw_sbuf_put(&req, "\r\n", 2);
	}
	if (st->has_clen)
		gw_sbuf_printf(&req, "Content-Length: %llu\r\n", (unsigned long long)st->clen);
	else if (!end_stream)
		gw_sbuf_puts(&req, "Transfer-Encoding: chunked\r\n");
	else if (strcmp(st->method, "GET") && strcmp(st->method, "HEAD"))
		gw_sbuf_puts(&req, "Content-Length: 0\r\n");
	gw_sbuf_put(&req, "\r\n", 2);
	st->chunked = !st->has_clen && !end_stream;
	gw_sbuf_free(&st->head);
	if (req.oom) {
		gw_sbuf_free(&req);
		stream_drop_v(st, true);
		nghttp2_submit_rst_stream(h->s, NGHTTP2_FLAG_NONE, st->id, NGHTTP2_INTERNAL_ERROR);
		return;
	}
	c->nreq++;
	gw_conn_feed(v, req.p, req.len);
	gw_sbuf_free(&req);
}

/* END_STREAM after the head: the last chunk and the request's trailers. */
static void request_end(struct gw_h2_stream *st)
{
	struct gw_conn *v = st->v;

	if (!v || !st->chunked || (v->flags & (CF_CLOSING | CF_DISCARD)))
		return;
	st->chunked = false;
	gw_conn_feed(v, "0\r\n", 3);
	if (st->v == v && st->req_trailers.len && !st->req_trailers.oom)
		gw_conn_feed(v, st->req_trailers.p, st->req_trailers.len);
	if (st->v == v)
		gw_conn_feed(v, "\r\n", 2);
	gw_sbuf_free(&st->req_trailers);
}

/*
 * One stream reset caused by the client's frames: an RST_STREAM it sent
 * (rapid reset, CVE-2023-44487), or one gwd sends because of what it sent
 * (CVE-2025-8671 "MadeYouReset": a WINDOW_UPDATE overflowing the stream's
 * window, DATA beyond the window or the content-length, malformed or
 * refused fields, streams over SETTINGS_MAX_CONCURRENT_STREAMS). Either way
 * the stream may already have cost a backend request, so both draw on one
 * budget; beyond it the connection ends with GOAWAY ENHANCE_YOUR_CALM
 * (RFC 9113 section 7), as nghttp2 1.67's "glitch" limit and nginx do.
 * nghttp2 1.52's own limit (nghttp2_option_set_stream_reset_rate_limit)
 * sees only the client's RST_STREAM frames, which this counts first.
 */
static void reset_budget(struct gw_h2 *h, int32_t id, uint32_t code, const char *who)
{
	uint64_t now = h->c->w->now_ms, cap = GW_H2_RST_BURST * 1000ull;

	GW_GAUGE_ADD(h->c->w->id, h2_client_resets, 1);
	if (now > h->rst_ms) {
		h->rst_credit += (now - h->rst_ms) * GW_H2_RST_RATE;
		if (h->rst_credit > cap)
			h->rst_credit = cap;
		h->rst_ms = now;
	}
	if (h->rst_credit >= 1000) {
		h->rst_credit -= 1000;
		return;
	}
	if (h->calm)
		return;
	h->calm = true;
	GW_GAUGE_ADD(h->c->w->id, h2_reset_goaways, 1);
	pr_warn_ratelimited("HTTP/2 from %s: stream %d reset by the %s (%s) beyond %d resets + "
			    "%d/s; GOAWAY ENHANCE_YOUR_CALM", h->c->peer, id, who,
			    nghttp2_http2_strerror(code), GW_H2_RST_BURST, GW_H2_RST_RATE);
	if (nghttp2_session_terminate_session(h->s, NGHTTP2_ENHANCE_YOUR_CALM))
		h->c->flags |= CF_DISCARD | CF_CLOSE_AFTER;	/* no memory for a GOAWAY: just close */
}

/* RST_STREAM frames gwd sent: those the client's frames caused count. */
static int on_frame_send(nghttp2_session *s, const nghttp2_frame *f, void *user)
{
	(void)s;
	/*
	 * INTERNAL_ERROR is gwd's own failure (the backend's response, memory),
	 * never the client's; NO_ERROR is not a reset for a fault.
	 */
	if (f->hd.type == NGHTTP2_RST_STREAM && f->rst_stream.error_code != NGHTTP2_NO_ERROR &&
	    f->rst_stream.error_code != NGHTTP2_INTERNAL_ERROR)
		reset_budget(user, f->hd.stream_id, f->rst_stream.error_code, "server");
	return 0;
}

/*
 * A HEADERS that opens a stream with an id lower than one the client
 * already used is a connection error PROTOCOL_ERROR (RFC 9113 section
 * 5.1.1). nghttp2 1.52 ignores a HEADERS on a lower id it does not know,
 * as it cannot tell it from trailers racing the reset of a stream it has
 * forgotten. The ids the client skipped were never opened (the first use
 * of an id closes the idle streams below it, 5.1.1), so a HEADERS on one
 * of them can only open a stream: gwd remembers the last GW_H2_GAPS
 * skipped ranges and answers that with GOAWAY PROTOCOL_ERROR.
 */
static int on_begin_frame(nghttp2_session *s, const nghttp2_frame_hd *hd, void *user)
{
	struct gw_h2 *h = user;
	int32_t id = hd->stream_id;

	if (hd->type != NGHTTP2_HEADERS || !(id & 1))
		return 0;	/* even ids on HEADERS are nghttp2's connection error */
	if (id > h->max_id) {
		if (id > h->max_id + 2) {
			if (h->ngaps == GW_H2_GAPS)
				memmove(&h->gaps[0], &h->gaps[1], sizeof(h->gaps[0]) * --h->ngaps);
			h->gaps[h->ngaps].lo = h->max_id + 2;
			h->gaps[h->ngaps++].hi = id - 2;
		}
		h->max_id = id;
		return 0;
	}
	for (int i = 0; i < h->ngaps; i++) {
		if (id < h->gaps[i].lo || id > h->gaps[i].hi)
			continue;
		pr_debug("HTTP/2 from %s: HEADERS on stream %d after stream %d; GOAWAY "
			 "PROTOCOL_ERROR", h->c->peer, id, h->max_id);
		/* nghttp2 then ignores all input: this HEADERS opens nothing */
		if (nghttp2_session_terminate_session(s, NGHTTP2_PROTOCOL_ERROR))
			return NGHTTP2_ERR_CALLBACK_FAILURE;
		break;
	}
	return 0;
}

static int on_frame_recv(nghttp2_session *s, const nghttp2_frame *f, void *user)
{
	struct gw_h2_stream *st;
	bool end = f->hd.flags & NGHTTP2_FLAG_END_STREAM;

	if (f->hd.type == NGHTTP2_RST_STREAM)
		reset_budget(user, f->hd.stream_id, f->rst_stream.error_code, "client");
	if (f->hd.type != NGHTTP2_HEADERS && f->hd.type != NGHTTP2_DATA)
		return 0;
	st = nghttp2_session_get_stream_user_data(s, f->hd.stream_id);
	if (!st)
		return 0;
	if (f->hd.type == NGHTTP2_HEADERS && f->headers.cat == NGHTTP2_HCAT_REQUEST && !st->v) {
		st->head_done = true;
		dispatch(user, st, end);
	}
	else if (end)
		request_end(st);
	return 0;
}

static int on_stream_close(nghttp2_session *s, int32_t id, uint32_t err, void *user)
{
	struct gw_h2_stream *st = nghttp2_session_get_stream_user_data(s, id);
	struct gw_h2 *h = user;

	if (!st)
		return 0;
	nghttp2_session_set_stream_user_data(s, id, NULL);
	stream_drop_v(st, err != NGHTTP2_NO_ERROR || !(st->ended || st->nobody));
	stream_free(st);
	if (!h->streams)
		h->idle_since = h->c->w->now_ms;
	h2_timer(h);
	return 0;
}

/*
 * Submits the trailer section (HTTP/1.1 field lines, as the proxy kept
 * them) as the stream's trailing HEADERS (RFC 9113 8.1): names
 * lower-cased, connection-specific fields dropped. False if there is none
 * to send (or it cannot be): the DATA then ends the stream.
 */
static bool submit_trailers(struct gw_h2_stream *st)
{
	nghttp2_nv nv[64];
	char *p = st->trailers.p, *end = p + st->trailers.len;
	size_t n = 0;

	while (p < end && n < sizeof(nv) / sizeof(nv[0])) {
		char *eol = memchr(p, '\n', (size_t)(end - p)), *colon, *v, *ve;

		if (!eol || eol == p || (eol == p + 1 && *p == '\r'))
			break;	/* the final empty line */
		ve = eol > p && eol[-1] == '\r' ? eol - 1 : eol;
		colon = memchr(p, ':', (size_t)(ve - p));
		if (!colon)
			break;	/* the decoder validated every line: cannot happen */
		for (char *q = p; q < colon; q++)
			*q = (char)(*q >= 'A' && *q <= 'Z' ? *q + 32 : *q);
		v = colon + 1;
		while (v < ve && (*v == ' ' || *v == '\t'))
			v++;
		while (ve > v && (ve[-1] == ' ' || ve[-1] == '\t'))
			ve--;
		if (!is_hop_field((uint8_t *)p, (size_t)(colon - p)))
			nv[n++] = (nghttp2_nv){ (uint8_t *)p, (uint8_t *)v, (size_t)(colon - p),
						(size_t)(ve - v), NGHTTP2_NV_FLAG_NONE };
		p = eol + 1;
	}
	return n && !nghttp2_submit_trailer(st->h->s, st->id, nv, n);
}

/* DATA for a stream: whatever the proxy queued on the virtual connection. */
static ssize_t read_body(nghttp2_session *s, int32_t id, uint8_t *buf, size_t length,
			 uint32_t *data_flags, nghttp2_data_source *src, void *user)
{
	struct gw_h2_stream *st = src->ptr;
	struct gw_conn *v = st->v;
	struct iovec iov[8];
	size_t n = 0;
	int k;

	(void)s;
	(void)id;
	(void)user;
	if (!v) {
		*data_flags |= NGHTTP2_DATA_FLAG_EOF;
		if (st->ended && st->trailers.len && submit_trailers(st))
			*data_flags |= NGHTTP2_DATA_FLAG_NO_END_STREAM;
		return 0;
	}
	k = gw_oq_iov(&v->out, iov, 8);
	for (int i = 0; i < k && n < length; i++) {
		size_t m = iov[i].iov_len < length - n ? iov[i].iov_len : length - n;

		memcpy(buf + n, iov[i].iov_base, m);
		n += m;
	}
	gw_oq_consume(&v->out, n);
	stream_account(st);
	if (!v->out.bytes && st->ended) {
		*data_flags |= NGHTTP2_DATA_FLAG_EOF;
		if (st->trailers.len && submit_trailers(st))
			*data_flags |= NGHTTP2_DATA_FLAG_NO_END_STREAM;
	} else if (!n) {
		st->deferred = true;
		return NGHTTP2_ERR_DEFERRED;
	}
	if (v->x)
		gw_client_sent(v);	/* the upstream may have been paused on our backlog */
	return (ssize_t)n;
}

/* Parses the response head the proxy queued on v and submits it as HEADERS. */
static int submit_head(struct gw_h2_stream *st)
{
	struct gw_conn *v = st->v;
	struct gw_http1_resp *resp = &v->w->resp;
	nghttp2_data_provider prd = { .source.ptr = st, .read_callback = read_body };
	struct gw_http1_info info;
	nghttp2_nv nv[GW_HTTP1_MAX_HEADERS + 1];
	struct iovec iov[8];
	char status[12], *head;
	size_t len = 0, off;
	int k, r, n = 0;

	k = gw_oq_iov(&v->out, iov, 8);
	for (int i = 0; i < k; i++)
		len += iov[i].iov_len;
	head = malloc(len + 1);
	if (!head)
		return -ENOMEM;
	for (int i = 0, o = 0; i < k; o += (int)iov[i].iov_len, i++)
		memcpy(head + o, iov[i].iov_base, iov[i].iov_len);
	r = gw_http1_parse_response(head, len, 0, resp);
	if (r == GW_HTTP1_INCOMPLETE) {
		free(head);
		return 0;
	}
	if (r < 0 || resp->status < 200) {
		free(head);
		return -EPROTO;
	}
	/* no body (HEAD, 204, 304, Content-Length: 0, gRPC trailers-only): END_STREAM on HEADERS */
	st->nobody = !gw_http1_response_info(resp, !strcmp(st->method, "HEAD"), &info) &&
		     (info.body == GW_BODY_NONE ||
		      (info.body == GW_BODY_LENGTH && !info.content_length));
	snprintf(status, sizeof(status), "%03d", resp->status % 1000);
	nv[n++] = (nghttp2_nv){ (uint8_t *)":status", (uint8_t *)status, 7, 3,
				NGHTTP2_NV_FLAG_NONE };
	/* names lower-cased into st->rh, reserved up front so pointers stay put */
	gw_sbuf_reset(&st->rh);
	gw_sbuf_put(&st->rh, head, (size_t)r);
	if (st->rh.oom) {
		free(head);
		return -ENOMEM;
	}
	for (size_t i = 0; i < resp->nheaders; i++) {
		const struct gw_http1_header *hd = &resp->headers[i];
		char *name = st->rh.p + (hd->name - head);

		for (uint32_t j = 0; j < hd->name_len; j++)
			name[j] = (char)(name[j] >= 'A' && name[j] <= 'Z' ? name[j] + 32 : name[j]);
		/* connection-specific fields do not exist in HTTP/2 (RFC 9113 8.2.2) */
		if (is_hop_field((uint8_t *)name, hd->name_len) &&
		    !(hd->name_len == 14 && !memcmp(name, "content-length", 14)))
			continue;
		off = (size_t)(hd->value - head);
		nv[n++] = (nghttp2_nv){ (uint8_t *)name, (uint8_t *)st->rh.p + off, hd->name_len,
					hd->value_len, NGHTTP2_NV_FLAG_NONE };
	}
	free(head);
	gw_oq_consume(&v->out, (size_t)r);
	if (nghttp2_submit_response(st->h->s, st->id, nv, (size_t)n, st->nobody ? NULL : &prd))
		return -EPROTO;
	st->resp_started = true;
	return 0;
}

void gw_h2_stream_out(struct gw_conn *v)
{
	struct gw_h2_stream *st = v->h2s;
	int err;

	if (!st)
		return;
	if (!st->resp_started && v->out.bytes) {
		err = submit_head(st);
		if (err) {
			pr_debug("HTTP/2 stream %d: response head not usable: %s", st->id,
				 strerror(-err));
			nghttp2_submit_rst_stream(st->h->s, NGHTTP2_FLAG_NONE, st->id,
						  NGHTTP2_INTERNAL_ERROR);
		}
	}
	if (st->resp_started && st->deferred && (v->out.bytes || st->ended)) {
		st->deferred = false;
		nghttp2_session_resume_data(st->h->s, st->id);
	}
	stream_account(st);
	gw_conn_flush(st->h->c);
}

void gw_h2_stream_end(struct gw_conn *v)
{
	struct gw_h2_stream *st = v->h2s;

	v->flags |= CF_DISCARD;
	if (!st) {
		gw_conn_close(v);
		return;
	}
	st->ended = true;
	st->rsv = 0;	/* the backend is read no more */
	gw_h2_stream_out(v);
}

int gw_h2_start(struct gw_conn *c)
{
	static const nghttp2_settings_entry set[] = {
		{ NGHTTP2_SETTINGS_MAX_CONCURRENT_STREAMS, GW_H2_MAX_STREAMS },
		{ NGHTTP2_SETTINGS_INITIAL_WINDOW_SIZE, GW_H2_WINDOW },
	};
	nghttp2_session_callbacks *cb;
	struct gw_h2 *h = calloc(1, sizeof(*h));
	nghttp2_option *opt;
	int rc;

	if (!h)
		return -ENOMEM;
	if (nghttp2_option_new(&opt)) {
		free(h);
		return -ENOMEM;
	}
	nghttp2_option_set_stream_reset_rate_limit(opt, GW_H2_RST_BURST, GW_H2_RST_RATE);
	nghttp2_option_set_max_continuations(opt, GW_H2_MAX_CONT);
	nghttp2_option_set_max_outbound_ack(opt, GW_H2_MAX_ACKS);
	nghttp2_option_set_max_settings(opt, 32);
	/* windows are given back as the proxy takes request bytes (stream_ack) */
	nghttp2_option_set_no_auto_window_update(opt, 1);
	if (nghttp2_session_callbacks_new(&cb)) {
		nghttp2_option_del(opt);
		free(h);
		return -ENOMEM;
	}
	nghttp2_session_callbacks_set_on_begin_headers_callback(cb, on_begin_headers);
	nghttp2_session_callbacks_set_on_header_callback(cb, on_header);
	nghttp2_session_callbacks_set_on_data_chunk_recv_callback(cb, on_data);
	nghttp2_session_callbacks_set_on_frame_recv_callback(cb, on_frame_recv);
	nghttp2_session_callbacks_set_on_stream_close_callback(cb, on_stream_close);
	nghttp2_session_callbacks_set_on_frame_send_callback(cb, on_frame_send);
	nghttp2_session_callbacks_set_on_begin_frame_callback(cb, on_begin_frame);
	rc = nghttp2_session_server_new2(&h->s, cb, h, opt);
	nghttp2_session_callbacks_del(cb);
	nghttp2_option_del(opt);
	if (rc) {
		free(h);
		return -ENOMEM;
	}
	h->c = c;
	c->h2 = h;
	nghttp2_submit_settings(h->s, NGHTTP2_FLAG_NONE, set, sizeof(set) / sizeof(set[0]));
	h->idle_since = c->w->now_ms;
	h->rst_credit = GW_H2_RST_BURST * 1000ull;
	h->rst_ms = c->w->now_ms;
	h2_timer(h);
	gw_conn_flush(c);
	return 0;
}

size_t gw_h2_input(struct gw_conn *c, const char *data, size_t len)
{
	struct gw_h2 *h = c->h2;
	ssize_t r;

	r = nghttp2_session_mem_recv(h->s, (const uint8_t *)data, len);
	if (r < 0) {
		pr_debug("HTTP/2 from %s: %s; closing the connection", c->peer,
			 nghttp2_strerror((int)r));
		c->flags |= CF_DISCARD;
		gw_h2_pull(c);	/* GOAWAY first */
		gw_conn_finish(c);
		return len;
	}
	h2_timer(h);
	gw_conn_flush(c);
	return len;
}

/* Frames nghttp2 has to send, into c's output queue; called by the send path. */
void gw_h2_pull(struct gw_conn *c)
{
	struct gw_h2 *h = c->h2;

	/* beyond the high-water mark frames wait in nghttp2, which bounds its ACK queue */
	while (c->out.bytes <= GW_OQ_HIGH) {
		const uint8_t *p;
		ssize_t n = nghttp2_session_mem_send(h->s, &p);

		if (n <= 0) {
			if (n < 0)
				pr_debug("HTTP/2 to %s: %s", c->peer, nghttp2_strerror((int)n));
			break;
		}
		if (gw_oq_put(&c->out, p, (size_t)n)) {
			pr_warn_ratelimited("Couldn't queue HTTP/2 frames for %s: out of memory",
					    c->peer);
			break;
		}
	}
	if (!nghttp2_session_want_read(h->s) && !nghttp2_session_want_write(h->s) &&
	    !(c->flags & CF_CLOSE_AFTER))
		c->flags |= CF_CLOSE_AFTER;
	/* here, not in read_body: resuming backends is no work for an nghttp2 callback */
	if (h->wake)
		budget_wake(h);
}

/* The connection is closing: every stream's exchange ends. */
void gw_h2_free(struct gw_conn *c)
{
	struct gw_h2 *h = c->h2;

	if (!h)
		return;
	c->h2 = NULL;
	while (h->streams) {
		struct gw_h2_stream *st = h->streams;

		stream_drop_v(st, true);
		stream_free(st);
	}
	nghttp2_session_del(h->s);
	free(h);
	/* the streams' buffers were freed among live blocks: give the pages back to the OS */
	gw_oq_spare_trim(GW_H2_SPARE_KEEP);
	malloc_trim(0);
}

void gw_h2_sent(struct gw_conn *c)
{
	if (c->out.bytes < GW_OQ_LOW && nghttp2_session_want_write(c->h2->s))
		gw_conn_flush(c);
}

/* base64url (RFC 4648 section 5, padding optional) into out; length or -1. */
static ssize_t b64url_decode(const char *s, size_t n, uint8_t *out, size_t cap)
{
	uint32_t acc = 0;
	size_t o = 0;
	int bits = 0;

	for (size_t i = 0; i < n; i++) {
		char ch = s[i];
		int v;

		if (ch >= 'A' && ch <= 'Z')
			v = ch - 'A';
		else if (ch >= 'a' && ch <= 'z')
			v = ch - 'a' + 26;
		else if (ch >= '0' && ch <= '9')
			v = ch - '0' + 52;
		else if (ch == '-' || ch == '+')
			v = 62;
		else if (ch == '_' || ch == '/')
			v = 63;
		else if (ch == '=')
			break;
		else
			return -1;
		acc = acc << 6 | (uint32_t)v;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			if (o == cap)
				return -1;
			out[o++] = (uint8_t)(acc >> bits);
		}
	}
	return (ssize_t)o;
}

static const struct gw_http1_header *req_field(const struct gw_http1_req *rq, const char *lower)
{
	for (size_t i = 0; i < rq->nheaders; i++)
		if (gw_http1_name_is_fn(&rq->headers[i], lower))
			return &rq->headers[i];
	return NULL;
}

/*
 * An HTTP/1.1 request asking for "Upgrade: h2c" (RFC 7540 section 3.2) on
 * a cleartext connection: answers 101, starts the session with the
 * request as stream 1 and returns the head's length. -1 when the request
 * is not such an upgrade (or is incomplete, or has a body): the HTTP/1.1
 * path handles it then, ignoring the Upgrade.
 */
ssize_t gw_h2_upgrade(struct gw_conn *c, const char *data, size_t len)
{
	static const char resp[] = "HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\n"
				   "Upgrade: h2c\r\n\r\n";
	struct gw_http1_req *rq = &c->w->req;
	const struct gw_http1_header *up, *hs, *host;
	struct gw_h2_stream *st;
	uint8_t settings[256];
	ssize_t slen;
	int r, err;

	if (c->tls || len < 16 || memcmp(data + len - 4, "\r\n\r\n", 4) ||
	    !memmem(data, len, "2-Settings", 10))
		return -1;	/* cheap checks first: most requests stop here */
	r = gw_http1_parse_request(data, len, 0, rq);
	if (r <= 0 || (size_t)r != len || rq->minor != 1)
		return -1;
	up = req_field(rq, "upgrade");
	hs = req_field(rq, "http2-settings");
	if (!up || !hs || up->value_len != 3 || strncasecmp(up->value, "h2c", 3) ||
	    req_field(rq, "content-length") || req_field(rq, "transfer-encoding") ||
	    rq->method_len >= sizeof(st->method))
		return -1;
	slen = b64url_decode(hs->value, hs->value_len, settings, sizeof(settings));
	if (slen < 0)
		return -1;
	host = req_field(rq, "host");
	err = gw_h2_start(c);
	if (err) {
		pr_warn_ratelimited("Couldn't start an HTTP/2 session for %s: %s", c->peer,
				    strerror(-err));
		return -1;
	}
	/* the 101 goes out before the session's SETTINGS, which gw_h2_pull queues later */
	gw_oq_put(&c->out, resp, sizeof(resp) - 1);
	st = calloc(1, sizeof(*st));
	if (!st || nghttp2_session_upgrade2(c->h2->s, settings, (size_t)slen,
					    rq->method_len == 4 && !memcmp(rq->method, "HEAD", 4),
					    st)) {
		free(st);
		pr_debug("HTTP/2 upgrade from %s refused: bad HTTP2-Settings", c->peer);
		gw_h2_free(c);
		gw_oq_clear(&c->out);
		return -1;
	}
	st->h = c->h2;
	st->id = 1;
	c->h2->max_id = 1;
	st->head_done = true;
	st->next = c->h2->streams;
	c->h2->streams = st;
	memcpy(st->method, rq->method, rq->method_len);
	st->path = strndup(rq->target, rq->target_len);
	st->authority = host ? strndup(host->value, host->value_len) : NULL;
	for (size_t i = 0; i < rq->nheaders; i++) {
		const struct gw_http1_header *f = &rq->headers[i];
		char name[64];

		if (f->name_len >= sizeof(name) || gw_http1_name_is(f, "http2-settings"))
			continue;
		for (uint32_t k = 0; k < f->name_len; k++)
			name[k] = (char)(f->name[k] >= 'A' && f->name[k] <= 'Z' ? f->name[k] + 32
										 : f->name[k]);
		if (is_hop_field((const uint8_t *)name, f->name_len))
			continue;
		gw_sbuf_put(&st->head, f->name, f->name_len);
		gw_sbuf_put(&st->head, ": ", 2);
		gw_sbuf_put(&st->head, f->value, f->value_len);
		gw_sbuf_put(&st->head, "\r\n", 2);
	}
	dispatch(c->h2, st, true);
	h2_timer(c->h2);
	gw_conn_flush(c);
	return r;
}

/* Draining: GOAWAY now; the streams already begun finish, then the connection ends. */
void gw_h2_drain(struct gw_conn *c)
{
	nghttp2_session *s = c->h2->s;

	if (nghttp2_submit_goaway(s, NGHTTP2_FLAG_NONE, nghttp2_session_get_last_proc_stream_id(s),
				  NGHTTP2_NO_ERROR, NULL, 0))
		pr_warn_ratelimited("Couldn't queue a GOAWAY for %s; it ends at the drain timeout",
				    c->peer);
	gw_conn_flush(c);
}

bool gw_h2_idle(const struct gw_conn *c)
{
	return !c->h2 || !c->h2->streams;
}

/* The virtual connection v goes away before its stream ended: reset the stream. */
void gw_h2_stream_gone(struct gw_conn *v)
{
	struct gw_h2_stream *st = v->h2s;

	if (!st)
		return;
	v->h2s = NULL;
	st->v = NULL;
	st->rsv = 0;
	stream_account(st);
	if (!st->ended)
		nghttp2_submit_rst_stream(st->h->s, NGHTTP2_FLAG_NONE, st->id,
					  NGHTTP2_INTERNAL_ERROR);
	else if (st->deferred)
		nghttp2_session_resume_data(st->h->s, st->id);
	gw_conn_flush(st->h->c);
}

void gw_h2_stream_trailers(struct gw_conn *v, const char *p, size_t n)
{
	struct gw_h2_stream *st = v->h2s;

	if (!st)
		return;
	gw_sbuf_reset(&st->trailers);
	gw_sbuf_put(&st->trailers, p, n);
	if (st->trailers.oom)
		gw_sbuf_free(&st->trailers);	/* sent without: the stream still ends */
}

/* The proxy resumed v: what it took while paused goes back to the window. */
void gw_h2_stream_resumed(struct gw_conn *v)
{
	struct gw_h2_stream *st = v->h2s;

	if (!st || !st->unacked)
		return;
	stream_ack(st->h, st->id, st->unacked);
	st->unacked = 0;
	gw_conn_flush(st->h->c);
}

size_t gw_h2_recv_quota(struct gw_conn *v, size_t max)
{
	struct gw_h2_stream *st = v->h2s;
	size_t cost;

	if (!st)
		return max;	/* the client is gone: the exchange ends, nothing is held for it */
	st->rsv = 0;
	stream_account(st);
	stream_unwait(st);
	/*
	 * What the read costs: a new output block unless its bytes fit the
	 * tail's room (the proxy's head rewrite aside, they land in v->out).
	 */
	cost = gw_oq_cost(&v->out, max);
	if (cost < max)
		cost = max;
	if (room(GW_H2_STREAM_BUF, st->acct) < cost)
		return 0;	/* resumed by gw_client_sent as the client's window takes bytes */
	if (room(gwd.o.h2_conn_buffer, st->h->buffered) < cost)
		return budget_wait(st, WAIT_CONN);
	if (room(gwd.o.h2_buffer_max, proc_buffered()) < cost) {
		__atomic_store_n(&budget_full, true, __ATOMIC_RELAXED);
		return budget_wait(st, WAIT_PROC);
	}
	st->rsv = cost;
	stream_account(st);
	return max;
}

void gw_h2_recv_done(struct gw_conn *v)
{
	struct gw_h2_stream *st = v->h2s;

	if (!st)
		return;
	/* recounted when v is flushed, after the bytes landed in v->out */
	st->rsv = 0;
	gw_conn_flush(v);
}

bool gw_h2_stream_full(struct gw_conn *v)
{
	struct gw_h2_stream *st = v->h2s;

	if (!st)
		return false;
	stream_account(st);
	if (v->out.bytes > GW_H2_STREAM_BUF)
		return true;	/* resumed by gw_client_sent */
	if (st->h->buffered > gwd.o.h2_conn_buffer) {
		budget_wait(st, WAIT_CONN);
		return true;
	}
	if (proc_buffered() > gwd.o.h2_buffer_max) {
		__atomic_store_n(&budget_full, true, __ATOMIC_RELAXED);
		budget_wait(st, WAIT_PROC);
		return true;
	}
	return false;
}

/* The process budget is full and h holds the most: its streams are reset, then it closes. */
static void budget_close(struct gw_h2 *h)
{
	struct gw_conn *c = h->c;

	pr_warn_ratelimited("HTTP/2 connection from %s holds %zu KiB of responses and the "
			    "process buffer budget (--h2-buffer-max %zu KiB) is full; closing it",
			    c->peer, h->buffered / 1024, gwd.o.h2_buffer_max / 1024);
	GW_GAUGE_ADD(c->w->id, h2_budget_closes, 1);
	for (struct gw_h2_stream *st = h->streams; st; st = st->next) {
		stream_unwait(st);
		if (!st->v)
			continue;
		nghttp2_submit_rst_stream(h->s, NGHTTP2_FLAG_NONE, st->id,
					  NGHTTP2_ENHANCE_YOUR_CALM);
		stream_drop_v(st, true);
	}
	nghttp2_submit_goaway(h->s, NGHTTP2_FLAG_NONE,
			      nghttp2_session_get_last_proc_stream_id(h->s),
			      NGHTTP2_ENHANCE_YOUR_CALM, NULL, 0);
	c->flags |= CF_DISCARD;
	gw_h2_pull(c);	/* the RST_STREAMs and the GOAWAY before our FIN */
	gw_conn_finish(c);
}

bool gw_h2_budget_poll(struct gw_worker *w)
{
	static __thread uint64_t last_ms;
	struct gw_h2 *victim = NULL;
	bool did = false;

	if (!proc_waiters && !__atomic_load_n(&budget_full, __ATOMIC_RELAXED))
		return false;
	/* the scans below walk every connection of the worker: at most every 10 ms */
	if (w->now_ms < last_ms + 10)
		return false;
	last_ms = w->now_ms;
	if (room(gwd.o.h2_buffer_max, proc_buffered()) >= GW_H2_WAKE_ROOM) {
		__atomic_store_n(&budget_full, false, __ATOMIC_RELAXED);
	} else {
		/* one connection per worker and turn: each close frees at least VICTIM_MIN */
		for (uint32_t i = 0; i < w->nslots; i++) {
			struct gw_conn *c = w->slots[i];

			if (c && c->h2 && !(c->flags & (CF_CLOSING | CF_DISCARD)) &&
			    c->h2->buffered >= GW_H2_VICTIM_MIN &&
			    (!victim || c->h2->buffered > victim->buffered))
				victim = c->h2;
		}
		if (victim) {
			budget_close(victim);
			did = true;
		}
	}
	if (proc_waiters && room(gwd.o.h2_buffer_max, proc_buffered()) >= GW_H2_WAKE_ROOM) {
		for (uint32_t i = 0; i < w->nslots && proc_waiters; i++) {
			struct gw_conn *c = w->slots[i];

			if (c && c->h2 && c->h2->nwait && !(c->flags & CF_CLOSING)) {
				budget_wake(c->h2);
				did = true;
			}
		}
	}
	return did;
}
