// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * HTTP/2 to backends (GRPCRoute, and Service ports with appProtocol
 * kubernetes.io/h2c): libnghttp2 client sessions on upstream sockets
 * (prior knowledge, RFC 9113 3.3), many streams per session.
 *
 * The proxy speaks HTTP/1.1 to every upstream connection. For an h2c
 * backend it gets a virtual upstream connection (CK_UPSTREAM | CF_VIRT,
 * no socket) per exchange, each one stream of a session socket of the
 * endpoint (the socket has no exchange; its input and output belong to
 * nghttp2):
 *
 *   request:  the HTTP/1.1 head the proxy writes is parsed back and
 *             submitted as HEADERS (pseudo-fields from the request line and
 *             Host, connection-specific fields dropped, te: trailers added);
 *             body bytes (Content-Length or chunked, decoded) are queued and
 *             pulled by nghttp2 as the backend's windows allow.
 *   response: HEADERS become an HTTP/1.1 head; without a content-length the
 *             body is re-framed chunked so trailers (grpc-status) survive
 *             as its trailer section; a trailers-only response (END_STREAM
 *             on HEADERS) gets Content-Length: 0. All of it is fed to the
 *             virtual connection as if received, so the proxy parses it as
 *             from any backend.
 *
 * Flow control: the stream's receive window is only given back while the
 * proxy is not holding the stream back (the virtual connection is not
 * paused), so a slow client holds at most a window (64 KiB) per stream
 * here, counted in the HTTP/2 client's budgets when it is one.
 * Streams are opened on a session of the endpoint below its concurrency
 * limit (the backend's SETTINGS, at most GW_H2UP_MAX_STREAMS), else a new
 * session is connected (the endpoint's connection limit applies to
 * sessions). A session without streams idles like a pooled connection.
 *
 * A stream that fails (reset, refused, GOAWAY, the session lost) fails its
 * exchange's attempt through gw_up_stream_failed, never inside an nghttp2
 * callback: callbacks only mark streams, which are reaped after nghttp2
 * returns. Frames are produced lazily by the socket's send path
 * (gw_h2up_pull), once per loop turn for all streams.
 */
#include <errno.h>
#include <nghttp2/nghttp2.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "gw/log.h"
#include "gwd_internal.h"

/*
 * What a backend may send a stream beyond what its client took: the proxy
 * pauses the stream when its client's buffer is full (GW_H2_STREAM_BUF, the
 * HTTP/2 client budgets of h2.c, GW_OQ_HIGH for HTTP/1.1), after which
 * the window is not given back. Was 1 MiB: that much a stream of a
 * zero-window client (CVE-2019-9517 class).
 */
#define GW_H2UP_STREAM_WINDOW (64 * 1024)
#define GW_H2UP_MAX_STREAMS 100
#define GW_H2UP_CONN_WINDOW (GW_H2UP_MAX_STREAMS * GW_H2UP_STREAM_WINDOW)
#define GW_H2UP_MAX_NV (GW_HTTP1_MAX_HEADERS + 8)

enum rq_state {
	RQ_HEAD,		/* collecting the head */
	RQ_BODY,		/* head submitted, body bytes follow */
	RQ_DONE,		/* the whole request is queued */
};

struct gw_h2up_stream {
	struct gw_h2up *h;
	struct gw_h2up_stream *next, *prev;
	struct gw_conn *vu;		/* the exchange's connection; NULL once it is gone */
	int32_t id;			/* 0 until the head is submitted */
	bool closed;			/* nghttp2 closed the stream (or never opened it) */
	bool failed;			/* ... before its response ended: the exchange fails */
	int fail;			/* GW_UPF_* */
	const char *why;
	size_t unacked;			/* DATA bytes not yet given back to the window */
	/* request */
	enum rq_state rq;
	bool head_req;
	struct gw_sbuf head;
	enum gw_http1_body body;
	uint64_t left;
	struct gw_http1_chunked ck;
	struct gw_sbuf data;		/* body bytes nghttp2 has not pulled yet */
	size_t data_off;
	bool data_eof;
	bool deferred;
	/* response */
	struct gw_sbuf fields;		/* the header block being received, HTTP/1.1 lines */
	int nfields;
	struct gw_sbuf out;		/* translated bytes, fed to vu at once */
	int status;
	bool has_length;
	bool head_out;			/* the final head went out */
	bool chunked;
	bool ended;			/* END_STREAM from the backend */
	bool got_bytes;			/* any response byte reached the proxy */
};

struct gw_h2up {
	nghttp2_session *s;
	struct gw_conn *u;		/* the socket */
	struct gw_h2up_stream *streams;
	uint32_t nstreams;
	uint32_t opened;		/* streams ever opened here */
	bool heard;			/* a frame came from the backend */
	bool goaway;			/* the backend takes no new stream */
	bool broken;			/* protocol error or the socket going away */
	const char *why;
};

static const char *const hop_fields[] = {
	"connection", "keep-alive", "proxy-connection", "transfer-encoding", "upgrade", "te",
	"host", NULL,
};

static bool hop_field(const char *n, size_t len)
{
	for (int i = 0; hop_fields[i]; i++)
		if (strlen(hop_fields[i]) == len && !strncasecmp(hop_fields[i], n, len))
			return true;
	return false;
}

static void ack(struct gw_h2up *h, int32_t id, size_t n)
{
	if (n && nghttp2_session_consume(h->s, id, n))
		pr_debug("HTTP/2 stream %d to a backend: cannot return %zu bytes to its window", id,
			 n);
}

static void stream_fail(struct gw_h2up_stream *st, int kind, const char *why)
{
	if (st->failed || st->ended)
		return;
	st->failed = true;
	st->fail = kind;
	st->why = why;
}

/* Hands the translated bytes to the proxy as the virtual connection's input. */
static void feed(struct gw_h2up_stream *st)
{
	struct gw_conn *vu = st->vu;

	if (!st->out.len)
		return;
	if (st->out.oom) {
		stream_fail(st, GW_UPF_RESET, "out of memory");
	} else if (vu && !(vu->flags & CF_CLOSING)) {
		st->got_bytes = true;
		gw_conn_feed(vu, st->out.p, st->out.len);
	}
	gw_sbuf_reset(&st->out);
}

/* ---- response: HTTP/2 frames to HTTP/1.1 bytes ---------------------------- */

static int on_begin_headers(nghttp2_session *s, const nghttp2_frame *f, void *user)
{
	struct gw_h2up_stream *st = nghttp2_session_get_stream_user_data(s, f->hd.stream_id);

	(void)user;
	if (st && f->hd.type == NGHTTP2_HEADERS) {
		gw_sbuf_reset(&st->fields);
		st->nfields = 0;
		st->status = 0;
	}
	return 0;
}

static int on_header(nghttp2_session *s, const nghttp2_frame *f, const uint8_t *name,
		     size_t namelen, const uint8_t *value, size_t valuelen, uint8_t flags,
		     void *user)
{
	struct gw_h2up_stream *st = nghttp2_session_get_stream_user_data(s, f->hd.stream_id);

	(void)flags;
	(void)user;
	if (!st || f->hd.type != NGHTTP2_HEADERS)
		return 0;
	/* nghttp2 has checked names and values (RFC 9113 8.2.1): no CR, LF or NUL */
	if (namelen == 7 && !memcmp(name, ":status", 7)) {
		st->status = 0;
		for (size_t i = 0; i < valuelen && i < 3; i++)
			st->status = st->status * 10 + (value[i] - '0');
		return 0;
	}
	if ((namelen && name[0] == ':') || hop_field((const char *)name, namelen))
		return 0;
	/* what the HTTP/1.1 head may hold, with room for our framing field */
	if (++st->nfields > GW_HTTP1_MAX_HEADERS - 2 ||
	    st->fields.len + namelen + valuelen + 4 > GW_HTTP1_MAX_HEAD - 512) {
		stream_fail(st, GW_UPF_RESET, "response header block too large");
		return NGHTTP2_ERR_TEMPORAL_CALLBACK_FAILURE;	/* resets the stream */
	}
	if (f->headers.cat == NGHTTP2_HCAT_RESPONSE && namelen == 14 &&
	    !memcmp(name, "content-length", 14))
		st->has_length = true;
	gw_sbuf_put(&st->fields, name, namelen);
	gw_sbuf_put(&st->fields, ": ", 2);
	gw_sbuf_put(&st->fields, value, valuelen);
	gw_sbuf_put(&st->fields, "\r\n", 2);
	return 0;
}

static void response_head(struct gw_h2up_stream *st, bool end_stream)
{
	bool bodyless = st->head_req || st->status == 204 || st->status == 304;

	if (st->status < 200) {
		/* interim: 100 matters to a client that sent Expect; others end here */
		if (st->status == 100)
			gw_sbuf_puts(&st->out, "HTTP/1.1 100 Continue\r\n\r\n");
		return;
	}
	gw_sbuf_printf(&st->out, "HTTP/1.1 %d %s\r\n", st->status, gw_http1_reason(st->status));
	gw_sbuf_put(&st->out, st->fields.p, st->fields.len);
	if (!st->has_length && !bodyless) {
		if (end_stream) {
			gw_sbuf_puts(&st->out, "content-length: 0\r\n");
		} else {
			gw_sbuf_puts(&st->out, "transfer-encoding: chunked\r\n");
			st->chunked = true;
		}
	}
	gw_sbuf_put(&st->out, "\r\n", 2);
	st->head_out = true;
}

static int on_frame_recv(nghttp2_session *s, const nghttp2_frame *f, void *user)
{
	struct gw_h2up *h = user;
	struct gw_h2up_stream *st;
	bool end = f->hd.flags & NGHTTP2_FLAG_END_STREAM;

	h->heard = true;
	if (f->hd.type == NGHTTP2_GOAWAY) {
		/* streams above last_stream_id are closed as refused by nghttp2 */
		h->goaway = true;
		return 0;
	}
	if (f->hd.type != NGHTTP2_HEADERS && f->hd.type != NGHTTP2_DATA)
		return 0;
	st = nghttp2_session_get_stream_user_data(s, f->hd.stream_id);
	if (!st)
		return 0;
	if (f->hd.type == NGHTTP2_HEADERS) {
		if (!st->head_out) {
			response_head(st, end);
		} else if (st->chunked) {
			/* trailers: the chunked body's trailer section */
			gw_sbuf_puts(&st->out, "0\r\n");
			gw_sbuf_put(&st->out, st->fields.p, st->fields.len);
			gw_sbuf_put(&st->out, "\r\n", 2);
			st->chunked = false;
		}
		/* trailers after a content-length body have no HTTP/1.1 form: dropped */
		gw_sbuf_reset(&st->fields);
	} else if (end && st->chunked) {
		gw_sbuf_puts(&st->out, "0\r\n\r\n");
		st->chunked = false;
	}
	if (end && st->head_out)
		st->ended = true;
	feed(st);
	return 0;
}

static int on_data(nghttp2_session *s, uint8_t flags, int32_t id, const uint8_t *data,
		   size_t len, void *user)
{
	struct gw_h2up_stream *st = nghttp2_session_get_stream_user_data(s, id);
	struct gw_h2up *h = user;

	(void)flags;
	if (!st || !st->vu || !st->head_out || st->head_req) {
		ack(h, id, len);
		return 0;
	}
	if (st->chunked)
		gw_sbuf_printf(&st->out, "%zx\r\n", len);
	gw_sbuf_put(&st->out, data, len);
	if (st->chunked)
		gw_sbuf_put(&st->out, "\r\n", 2);
	feed(st);
	/* the proxy paused the stream (slow client): its window stays closed */
	if (st->vu && (st->vu->flags & CF_PAUSED))
		st->unacked += len;
	else
		ack(h, id, len);
	return 0;
}

static int on_stream_close(nghttp2_session *s, int32_t id, uint32_t err, void *user)
{
	struct gw_h2up_stream *st = nghttp2_session_get_stream_user_data(s, id);

	(void)user;
	if (!st)
		return 0;
	nghttp2_session_set_stream_user_data(s, id, NULL);
	st->closed = true;
	if (!st->ended) {
		/* refused streams were never processed: another endpoint may take them */
		if (err == NGHTTP2_REFUSED_STREAM)
			stream_fail(st, GW_UPF_STALE, "stream refused by the backend");
		else
			stream_fail(st, GW_UPF_RESET, nghttp2_http2_strerror(err));
	}
	return 0;
}

/* ---- request: HTTP/1.1 bytes to HTTP/2 frames ----------------------------- */

static ssize_t read_body(nghttp2_session *s, int32_t id, uint8_t *buf, size_t length,
			 uint32_t *data_flags, nghttp2_data_source *src, void *user)
{
	struct gw_h2up_stream *st = src->ptr;
	size_t n = st->data.len - st->data_off;

	(void)s;
	(void)id;
	(void)user;
	if (n > length)
		n = length;
	if (n) {
		memcpy(buf, st->data.p + st->data_off, n);
		st->data_off += n;
		if (st->data_off == st->data.len) {
			gw_sbuf_reset(&st->data);
			st->data_off = 0;
		}
	}
	if (st->data_eof && st->data_off == st->data.len) {
		*data_flags |= NGHTTP2_DATA_FLAG_EOF;
	} else if (!n) {
		st->deferred = true;
		return NGHTTP2_ERR_DEFERRED;
	}
	return (ssize_t)n;
}

/* Submits the head in st->head[0..len); -errno on a head it cannot express. */
static int submit_head(struct gw_h2up_stream *st, size_t len)
{
	static __thread struct gw_http1_req req;
	nghttp2_data_provider prd = { .source.ptr = st, .read_callback = read_body };
	struct gw_http1_info info;
	nghttp2_nv nv[GW_H2UP_MAX_NV];
	size_t n = 0;
	int32_t id;
	int r;

	r = gw_http1_parse_request(st->head.p, len, 0, &req);
	if (r != (int)len || gw_http1_request_info(&req, &info) || !info.host)
		return -EPROTO;
	st->head_req = req.method_len == 4 && !memcmp(req.method, "HEAD", 4);
	st->body = info.body;
	st->left = info.content_length;
	nv[n++] = (nghttp2_nv){ (uint8_t *)":method", (uint8_t *)req.method, 7, req.method_len,
				NGHTTP2_NV_FLAG_NONE };
	nv[n++] = (nghttp2_nv){ (uint8_t *)":scheme", (uint8_t *)"http", 7, 4,
				NGHTTP2_NV_FLAG_NONE };
	nv[n++] = (nghttp2_nv){ (uint8_t *)":authority", (uint8_t *)info.host->value, 10,
				info.host->value_len, NGHTTP2_NV_FLAG_NONE };
	nv[n++] = (nghttp2_nv){ (uint8_t *)":path", (uint8_t *)req.target, 5, req.target_len,
				NGHTTP2_NV_FLAG_NONE };
	for (size_t i = 0; i < req.nheaders && n < GW_H2UP_MAX_NV - 1; i++) {
		struct gw_http1_header *hd = &req.headers[i];
		char *name = (char *)hd->name;

		if (hop_field(name, hd->name_len))
			continue;
		/* field names are lower case in HTTP/2 (RFC 9113 8.2.1); the head is ours */
		for (uint32_t j = 0; j < hd->name_len; j++)
			name[j] = (char)(name[j] >= 'A' && name[j] <= 'Z' ? name[j] + 32 : name[j]);
		nv[n++] = (nghttp2_nv){ (uint8_t *)name, (uint8_t *)hd->value, hd->name_len,
					hd->value_len, NGHTTP2_NV_FLAG_NONE };
	}
	/* gRPC servers want to know trailers are understood end to end */
	nv[n++] = (nghttp2_nv){ (uint8_t *)"te", (uint8_t *)"trailers", 2, 8,
				NGHTTP2_NV_FLAG_NONE };
	if (st->body == GW_BODY_LENGTH && !st->left)
		st->body = GW_BODY_NONE;
	st->data_eof = st->body == GW_BODY_NONE;
	id = nghttp2_submit_request(st->h->s, NULL, nv, n, st->data_eof ? NULL : &prd, st);
	if (id < 0)
		return -EPROTO;
	st->id = id;
	return 0;
}

/* Body bytes of the request, decoded into st->data. */
static void request_body(struct gw_h2up_stream *st, const char *p, size_t n)
{
	size_t off = 0;

	if (st->body == GW_BODY_LENGTH) {
		size_t k = n < st->left ? n : (size_t)st->left;

		gw_sbuf_put(&st->data, p, k);
		st->left -= k;
		if (!st->left) {
			st->data_eof = true;
			st->rq = RQ_DONE;
		}
		return;
	}
	while (off < n && st->rq == RQ_BODY) {
		const char *d;
		size_t dn;
		ssize_t r = gw_http1_chunked_decode(&st->ck, p + off, n - off, &d, &dn);

		/* the proxy framed this itself: an error is ours, not the client's */
		if (r < 0) {
			stream_fail(st, GW_UPF_RESET, st->ck.error);
			return;
		}
		if (dn)
			gw_sbuf_put(&st->data, d, dn);
		off += (size_t)r;
		if (st->ck.state == GW_CHUNK_DONE) {
			st->data_eof = true;
			st->rq = RQ_DONE;
		}
		if (!r)
			break;
	}
}

void gw_h2up_write(struct gw_conn *vu, const char *p, size_t n)
{
	struct gw_h2up_stream *st = vu->h2us;
	const char *end;

	if (!st || st->failed || st->closed)
		return;	/* failing, or the backend already finished the stream: dropped */
	if (st->rq == RQ_HEAD) {
		size_t before = st->head.len;

		gw_sbuf_put(&st->head, p, n);
		if (st->head.oom) {
			stream_fail(st, GW_UPF_RESET, "out of memory");
		} else if ((end = memmem(st->head.p, st->head.len, "\r\n\r\n", 4))) {
			size_t hl = (size_t)(end - st->head.p) + 4;

			if (submit_head(st, hl)) {
				stream_fail(st, GW_UPF_RESET, "request head not expressible in HTTP/2");
			} else {
				st->rq = st->data_eof ? RQ_DONE : RQ_BODY;
				if (hl - before < n)
					request_body(st, p + (hl - before), n - (hl - before));
			}
			gw_sbuf_free(&st->head);
		}
	} else if (st->rq == RQ_BODY) {
		request_body(st, p, n);
	}
	if (st->data.oom)
		stream_fail(st, GW_UPF_RESET, "out of memory");
	if (st->id && st->deferred && (st->data.len > st->data_off || st->data_eof)) {
		st->deferred = false;
		nghttp2_session_resume_data(st->h->s, st->id);
	}
	/* frames (and a failure) are dealt with by the socket's send path */
	gw_conn_flush(st->h->u);
}

size_t gw_h2up_backlog(const struct gw_conn *vu)
{
	const struct gw_h2up_stream *st = vu->h2us;

	return st ? st->data.len - st->data_off : 0;
}

/* ---- streams and sessions ------------------------------------------------- */

static void stream_destroy(struct gw_h2up_stream *st)
{
	gw_sbuf_free(&st->head);
	gw_sbuf_free(&st->data);
	gw_sbuf_free(&st->fields);
	gw_sbuf_free(&st->out);
	free(st);
}

/* Unlinks a finished stream; the session idles when it was the last. */
static void stream_free(struct gw_h2up_stream *st)
{
	struct gw_h2up *h = st->h;

	if (st->prev)
		st->prev->next = st->next;
	else
		h->streams = st->next;
	if (st->next)
		st->next->prev = st->prev;
	if (st->vu)
		st->vu->h2us = NULL;
	stream_destroy(st);
	if (!--h->nstreams && !(h->u->flags & CF_CLOSING))
		gw_conn_timer(h->u, T_CONN_IDLE, gwd.o.pool_idle_ms);
	gw_ep_kick(h->u->w, h->u->ep);
}

/*
 * Fails the exchanges of failed streams and frees the streams that are done
 * (closed by nghttp2, their connection gone). Never inside a callback.
 */
static void reap(struct gw_h2up *h)
{
	struct gw_h2up_stream *st = h->streams, *next;

	for (; st; st = next) {
		next = st->next;
		if (st->failed && st->vu) {
			struct gw_conn *vu = st->vu;

			st->vu = NULL;
			vu->h2us = NULL;
			if (!st->closed && st->id)
				nghttp2_submit_rst_stream(h->s, NGHTTP2_FLAG_NONE, st->id,
							  NGHTTP2_CANCEL);
			st->closed |= !st->id;
			gw_up_stream_failed(vu, st->fail, st->why);
			/* the proxy may have opened streams since: start over, once */
			next = h->streams;
			continue;
		}
		if (st->closed && !st->vu)
			stream_free(st);
	}
}

/* Frames nghttp2 has to send, into the socket's output queue (its send path). */
void gw_h2up_pull(struct gw_conn *u)
{
	struct gw_h2up *h = u->h2up;

	reap(h);
	while (u->out.bytes <= GW_OQ_HIGH && !h->broken) {
		const uint8_t *p;
		ssize_t n = nghttp2_session_mem_send(h->s, &p);

		if (n < 0) {
			h->broken = true;
			h->why = nghttp2_strerror((int)n);
			break;
		}
		if (!n)
			break;
		if (gw_oq_put(&u->out, p, (size_t)n)) {
			h->broken = true;
			h->why = "out of memory";
			break;
		}
	}
	/* request bodies moved on: clients the proxy paused on them may go on */
	for (struct gw_h2up_stream *st = h->streams; st; st = st->next)
		if (st->vu && st->vu->x && st->data.len - st->data_off < GW_OQ_LOW)
			gw_up_sent(st->vu);
	/* streams nghttp2 closed while sending (our END_STREAM, RST_STREAM) */
	reap(h);
	if (h->broken || (h->goaway && !h->nstreams))
		gw_conn_close(u);
	else if (nghttp2_session_want_write(h->s) && u->out.bytes <= GW_OQ_HIGH)
		gw_conn_flush(u);
}

void gw_h2up_sent(struct gw_conn *u)
{
	if (u->out.bytes < GW_OQ_LOW && nghttp2_session_want_write(u->h2up->s))
		gw_conn_flush(u);
}

size_t gw_h2up_input(struct gw_conn *u, const char *data, size_t len)
{
	struct gw_h2up *h = u->h2up;
	ssize_t r = nghttp2_session_mem_recv(h->s, (const uint8_t *)data, len);

	if (r < 0) {
		pr_debug("HTTP/2 from backend %s: %s", u->peer, nghttp2_strerror((int)r));
		h->broken = true;
		h->why = nghttp2_strerror((int)r);
	}
	gw_conn_flush(u);	/* ACKs, WINDOW_UPDATEs, and the reaping */
	return len;
}

void gw_h2up_stream_resumed(struct gw_conn *vu)
{
	struct gw_h2up_stream *st = vu->h2us;

	if (!st || !st->unacked)
		return;
	if (st->id && !st->closed)
		ack(st->h, st->id, st->unacked);
	st->unacked = 0;
	gw_conn_flush(st->h->u);
}

void gw_h2up_stream_gone(struct gw_conn *vu)
{
	struct gw_h2up_stream *st = vu->h2us;

	if (!st)
		return;
	vu->h2us = NULL;
	st->vu = NULL;
	/*
	 * The exchange is over. A stream whose response ended and whose request
	 * is all queued closes by itself once our END_STREAM is out; any other
	 * is cancelled (RFC 9113 8.1), which also returns its window.
	 */
	if (!st->closed && st->id && !(st->ended && st->rq == RQ_DONE))
		nghttp2_submit_rst_stream(st->h->s, NGHTTP2_FLAG_NONE, st->id, NGHTTP2_CANCEL);
	st->closed |= !st->id;
	gw_conn_flush(st->h->u);
}

static int session_start(struct gw_conn *u)
{
	static const nghttp2_settings_entry set[] = {
		{ NGHTTP2_SETTINGS_ENABLE_PUSH, 0 },
		{ NGHTTP2_SETTINGS_INITIAL_WINDOW_SIZE, GW_H2UP_STREAM_WINDOW },
	};
	nghttp2_session_callbacks *cb;
	nghttp2_option *opt;
	struct gw_h2up *h = calloc(1, sizeof(*h));
	int rc;

	if (!h)
		return -ENOMEM;
	if (nghttp2_option_new(&opt)) {
		free(h);
		return -ENOMEM;
	}
	/* windows are given back as the proxy takes response bytes (ack) */
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
	rc = nghttp2_session_client_new2(&h->s, cb, h, opt);
	nghttp2_session_callbacks_del(cb);
	nghttp2_option_del(opt);
	if (rc) {
		free(h);
		return -ENOMEM;
	}
	h->u = u;
	u->h2up = h;
	if (nghttp2_submit_settings(h->s, NGHTTP2_FLAG_NONE, set, sizeof(set) / sizeof(set[0])) ||
	    nghttp2_session_set_local_window_size(h->s, NGHTTP2_FLAG_NONE, 0,
						  GW_H2UP_CONN_WINDOW))
		return -ENOMEM;	/* the caller closes u, which frees h */
	return 0;
}

static bool session_open(const struct gw_h2up *h)
{
	uint32_t max = nghttp2_session_get_remote_settings(h->s,
							   NGHTTP2_SETTINGS_MAX_CONCURRENT_STREAMS);

	if (max > GW_H2UP_MAX_STREAMS)
		max = GW_H2UP_MAX_STREAMS;
	return !h->goaway && !h->broken && !(h->u->flags & (CF_CLOSING | CF_EOF)) &&
	       h->nstreams < max;
}

struct gw_conn *gw_h2up_open(struct gw_worker *w, const struct gw_rt_endpoint *ep, bool *busy)
{
	struct gw_ep_state *es = gw_ep(w, ep->id);
	struct gw_conn *u = NULL, *vu;
	struct gw_h2up_stream *st;
	bool reused;

	*busy = false;
	for (struct gw_conn *s = es ? es->h2 : NULL; s && !u; s = s->pool_next)
		if (session_open(s->h2up))
			u = s;
	reused = u != NULL;
	if (reused) {
		GW_GAUGE_ADD(w->id, upstream_reused, 1);
	} else {
		if (es && es->nconns >= (uint32_t)gwd.o.upstream_max_conns) {
			*busy = true;
			return NULL;
		}
		u = gw_up_connect(w, ep, 0);
		if (!u)
			return NULL;
		if (session_start(u)) {
			gw_conn_close(u);
			return NULL;
		}
		if (es) {
			u->pool_prev = NULL;
			u->pool_next = es->h2;
			if (es->h2)
				es->h2->pool_prev = u;
			es->h2 = u;
		}
	}
	st = calloc(1, sizeof(*st));
	vu = st ? gw_conn_new(w, CK_UPSTREAM, -1) : NULL;
	if (!vu) {
		free(st);
		return NULL;
	}
	vu->flags |= CF_VIRT;
	vu->ep = ep->id;
	vu->uses = ++u->h2up->opened;
	vu->h2us = st;
	memcpy(vu->peer, u->peer, sizeof(vu->peer));
	st->h = u->h2up;
	st->vu = vu;
	st->next = st->h->streams;
	if (st->next)
		st->next->prev = st;
	st->h->streams = st;
	/* a reused session idled on its pool timer (a new one has its connect timer) */
	if (!st->h->nstreams++ && reused)
		gw_conn_timer_del(u);
	return vu;
}

void gw_h2up_free(struct gw_conn *u)
{
	struct gw_h2up *h = u->h2up;
	struct gw_ep_state *es = gw_ep(u->w, u->ep);
	/* a session that never heard from the backend failed to connect: try elsewhere */
	int kind = h && !h->heard ? GW_UPF_CONNECT : GW_UPF_RESET;

	if (!h)
		return;
	if (u->pool_prev)
		u->pool_prev->pool_next = u->pool_next;
	else if (es && es->h2 == u)
		es->h2 = u->pool_next;
	if (u->pool_next)
		u->pool_next->pool_prev = u->pool_prev;
	u->pool_next = u->pool_prev = NULL;
	h->broken = true;
	/* every exchange still on it fails (and may be retried on another session) */
	while (h->streams) {
		struct gw_h2up_stream *st = h->streams;
		struct gw_conn *vu = st->vu;

		if (vu) {
			st->vu = NULL;
			vu->h2us = NULL;
			if (!st->ended)
				gw_up_stream_failed(vu, kind == GW_UPF_RESET && !st->got_bytes &&
							    vu->uses > 1 ? GW_UPF_STALE : kind,
						    h->why ? h->why : "backend connection lost");
		}
		st->closed = true;
		h->streams = st->next;
		if (h->streams)
			h->streams->prev = NULL;
		stream_destroy(st);
	}
	u->h2up = NULL;
	nghttp2_session_del(h->s);
	free(h);
}

void gw_h2up_close_idle(struct gw_worker *w)
{
	for (uint32_t i = 0; i < w->neps; i++) {
		struct gw_conn *s = w->eps[i].h2, *next;

		for (; s; s = next) {
			next = s->pool_next;
			if (!s->h2up->nstreams)
				gw_conn_close(s);
		}
	}
}
