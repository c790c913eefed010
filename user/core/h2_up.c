// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * HTTP/2 to backends (GRPCRoute, and Service ports with appProtocol
 * kubernetes.io/h2c): an adapter between the proxy, which speaks HTTP/1.1
 * on every upstream connection, and a libnghttp2 client session on the
 * socket (prior knowledge, RFC 9113 3.3).
 *
 *   request:  the HTTP/1.1 head the proxy writes is parsed back and
 *             submitted as HEADERS (pseudo-fields from the request line and
 *             Host, connection-specific fields dropped, te: trailers added);
 *             body bytes (Content-Length or chunked, decoded) are queued and
 *             pulled by nghttp2 as flow control allows.
 *   response: HEADERS become an HTTP/1.1 head; without a content-length the
 *             body is re-framed chunked so trailers (grpc-status) survive
 *             as its trailer section; a trailers-only response (END_STREAM
 *             on HEADERS) gets Content-Length: 0. The proxy parses that as
 *             from any backend (gw_up_http1_input).
 *
 * One stream at a time per connection: the pool, retries, timeouts and
 * least-request accounting of the proxy stay as they are, and a connection
 * goes back to the pool when its stream closed cleanly and no GOAWAY came.
 * nghttp2 runs only inside gw_h2up_input and gw_h2up_write; the translated
 * response is handed to the proxy after nghttp2 returns, as the last thing
 * (the proxy may close the connection, which frees the adapter).
 */
#include <errno.h>
#include <nghttp2/nghttp2.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>

#include "gw/log.h"
#include "gwd_internal.h"

#define GW_H2UP_STREAM_WINDOW (1 << 20)
#define GW_H2UP_CONN_WINDOW (4 << 20)
#define GW_H2UP_MAX_NV (GW_HTTP1_MAX_HEADERS + 8)

enum rq_state {
	RQ_IDLE,		/* no request: the next bytes start a head */
	RQ_HEAD,		/* collecting the head */
	RQ_BODY,		/* head submitted, body bytes follow */
	RQ_DONE,		/* the whole request is queued */
};

struct gw_h2up {
	nghttp2_session *s;
	struct gw_conn *u;
	int32_t sid;			/* the stream in progress, or 0 */
	bool goaway;			/* the server will take no new stream */
	bool failed;			/* the stream was reset or the session broke */
	const char *why;		/* ... and why, for the log */
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
	int status;
	bool has_length;
	bool head_out;			/* the final head went to resp */
	bool chunked;
	bool ended;			/* END_STREAM from the server */
	struct gw_sbuf resp;		/* translated bytes for the proxy */
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

static void stream_reset_state(struct gw_h2up *h)
{
	h->sid = 0;
	h->rq = RQ_IDLE;
	gw_sbuf_reset(&h->head);
	gw_sbuf_free(&h->data);
	h->data_off = 0;
	h->data_eof = false;
	h->deferred = false;
	memset(&h->ck, 0, sizeof(h->ck));
	gw_sbuf_reset(&h->fields);
	h->status = 0;
	h->has_length = h->head_out = h->chunked = h->ended = false;
}

/* Frames nghttp2 has ready, into the socket's output queue. */
static void flush_frames(struct gw_h2up *h)
{
	for (;;) {
		const uint8_t *p;
		ssize_t n = nghttp2_session_mem_send(h->s, &p);

		if (n < 0) {
			h->failed = true;
			h->why = nghttp2_strerror((int)n);
			return;
		}
		if (!n || !gw_conn_put(h->u, p, (size_t)n))
			return;
	}
}

/* ---- response: HTTP/2 frames to HTTP/1.1 bytes ---------------------------- */

static int on_begin_headers(nghttp2_session *s, const nghttp2_frame *f, void *user)
{
	struct gw_h2up *h = user;

	(void)s;
	if (f->hd.type == NGHTTP2_HEADERS && f->hd.stream_id == h->sid) {
		gw_sbuf_reset(&h->fields);
		h->status = 0;
	}
	return 0;
}

static int on_header(nghttp2_session *s, const nghttp2_frame *f, const uint8_t *name,
		     size_t namelen, const uint8_t *value, size_t valuelen, uint8_t flags,
		     void *user)
{
	struct gw_h2up *h = user;

	(void)s;
	(void)flags;
	if (f->hd.type != NGHTTP2_HEADERS || f->hd.stream_id != h->sid)
		return 0;
	/* nghttp2 has checked names and values (RFC 9113 8.2.1): no CR, LF or NUL */
	if (namelen == 7 && !memcmp(name, ":status", 7)) {
		h->status = 0;
		for (size_t i = 0; i < valuelen && i < 3; i++)
			h->status = h->status * 10 + (value[i] - '0');
		return 0;
	}
	if (namelen && name[0] == ':')
		return 0;
	if (hop_field((const char *)name, namelen))
		return 0;
	if (f->headers.cat == NGHTTP2_HCAT_RESPONSE && namelen == 14 &&
	    !memcmp(name, "content-length", 14))
		h->has_length = true;
	gw_sbuf_put(&h->fields, name, namelen);
	gw_sbuf_put(&h->fields, ": ", 2);
	gw_sbuf_put(&h->fields, value, valuelen);
	gw_sbuf_put(&h->fields, "\r\n", 2);
	return 0;
}

static void response_head(struct gw_h2up *h, bool end_stream)
{
	bool bodyless = h->head_req || h->status == 204 || h->status == 304;

	if (h->status < 200) {
		/* interim: 100 matters to a client that sent Expect; others end here */
		if (h->status == 100)
			gw_sbuf_puts(&h->resp, "HTTP/1.1 100 Continue\r\n\r\n");
		return;
	}
	gw_sbuf_printf(&h->resp, "HTTP/1.1 %d %s\r\n", h->status, gw_http1_reason(h->status));
	gw_sbuf_put(&h->resp, h->fields.p, h->fields.len);
	if (!h->has_length && !bodyless) {
		if (end_stream) {
			gw_sbuf_puts(&h->resp, "content-length: 0\r\n");
		} else {
			gw_sbuf_puts(&h->resp, "transfer-encoding: chunked\r\n");
			h->chunked = true;
		}
	}
	gw_sbuf_put(&h->resp, "\r\n", 2);
	h->head_out = true;
}

static int on_frame_recv(nghttp2_session *s, const nghttp2_frame *f, void *user)
{
	struct gw_h2up *h = user;
	bool end = f->hd.flags & NGHTTP2_FLAG_END_STREAM;

	(void)s;
	if (f->hd.type == NGHTTP2_GOAWAY) {
		h->goaway = true;
		return 0;
	}
	if (!h->sid || f->hd.stream_id != h->sid)
		return 0;
	if (f->hd.type == NGHTTP2_HEADERS) {
		if (!h->head_out) {
			response_head(h, end);
		} else if (h->chunked) {
			/* trailers: the chunked body's trailer section */
			gw_sbuf_puts(&h->resp, "0\r\n");
			gw_sbuf_put(&h->resp, h->fields.p, h->fields.len);
			gw_sbuf_put(&h->resp, "\r\n", 2);
			h->chunked = false;	/* the body is complete */
		}
		/* trailers after a content-length body have no HTTP/1.1 form: dropped */
		gw_sbuf_reset(&h->fields);
	} else if (f->hd.type == NGHTTP2_DATA && end && h->chunked) {
		gw_sbuf_puts(&h->resp, "0\r\n\r\n");
		h->chunked = false;
	}
	if (end && (f->hd.type == NGHTTP2_HEADERS || f->hd.type == NGHTTP2_DATA) && h->head_out)
		h->ended = true;
	return 0;
}

static int on_data(nghttp2_session *s, uint8_t flags, int32_t id, const uint8_t *data,
		   size_t len, void *user)
{
	struct gw_h2up *h = user;

	(void)s;
	(void)flags;
	if (id != h->sid || !h->head_out || h->head_req || !len)
		return 0;
	if (h->chunked)
		gw_sbuf_printf(&h->resp, "%zx\r\n", len);
	gw_sbuf_put(&h->resp, data, len);
	if (h->chunked)
		gw_sbuf_put(&h->resp, "\r\n", 2);
	return 0;
}

static int on_stream_close(nghttp2_session *s, int32_t id, uint32_t err, void *user)
{
	struct gw_h2up *h = user;

	(void)s;
	if (id != h->sid)
		return 0;
	if (!h->ended || (err != NGHTTP2_NO_ERROR && !h->head_out)) {
		h->failed = true;
		h->why = err == NGHTTP2_REFUSED_STREAM ? "stream refused by the backend"
						       : nghttp2_http2_strerror(err);
	}
	stream_reset_state(h);
	return 0;
}

/* ---- request: HTTP/1.1 bytes to HTTP/2 frames ----------------------------- */

static ssize_t read_body(nghttp2_session *s, int32_t id, uint8_t *buf, size_t length,
			 uint32_t *data_flags, nghttp2_data_source *src, void *user)
{
	struct gw_h2up *h = user;
	size_t n = h->data.len - h->data_off;

	(void)s;
	(void)id;
	(void)src;
	if (n > length)
		n = length;
	if (n) {
		memcpy(buf, h->data.p + h->data_off, n);
		h->data_off += n;
		if (h->data_off == h->data.len) {
			gw_sbuf_reset(&h->data);
			h->data_off = 0;
		}
	}
	if (h->data_eof && h->data_off == h->data.len) {
		*data_flags |= NGHTTP2_DATA_FLAG_EOF;
	} else if (!n) {
		h->deferred = true;
		return NGHTTP2_ERR_DEFERRED;
	}
	return (ssize_t)n;
}

/* Submits the head in h->head[0..len); -errno on a head it cannot express. */
static int submit_head(struct gw_h2up *h, size_t len)
{
	static __thread struct gw_http1_req req;
	nghttp2_data_provider prd = { .read_callback = read_body };
	struct gw_http1_info info;
	nghttp2_nv nv[GW_H2UP_MAX_NV];
	size_t n = 0;
	int32_t id;
	int r;

	r = gw_http1_parse_request(h->head.p, len, 0, &req);
	if (r != (int)len || gw_http1_request_info(&req, &info) || !info.host)
		return -EPROTO;
	h->head_req = req.method_len == 4 && !memcmp(req.method, "HEAD", 4);
	h->body = info.body;
	h->left = info.content_length;
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
	if (h->body == GW_BODY_LENGTH && !h->left)
		h->body = GW_BODY_NONE;
	id = nghttp2_submit_request(h->s, NULL, nv, n, h->body == GW_BODY_NONE ? NULL : &prd, h);
	if (id < 0)
		return -EPROTO;
	h->sid = id;
	h->data_eof = h->body == GW_BODY_NONE;
	return 0;
}

/* Body bytes of the request in progress, decoded into h->data. */
static void request_body(struct gw_h2up *h, const char *p, size_t n)
{
	size_t off = 0;

	if (h->body == GW_BODY_LENGTH) {
		size_t k = n < h->left ? n : (size_t)h->left;

		gw_sbuf_put(&h->data, p, k);
		h->left -= k;
		if (!h->left) {
			h->data_eof = true;
			h->rq = RQ_DONE;
		}
		return;
	}
	while (off < n && h->rq == RQ_BODY) {
		const char *d;
		size_t dn;
		ssize_t r = gw_http1_chunked_decode(&h->ck, p + off, n - off, &d, &dn);

		/* the proxy framed this itself: an error is ours, not the client's */
		if (r < 0) {
			h->failed = true;
			h->why = h->ck.error;
			return;
		}
		if (dn)
			gw_sbuf_put(&h->data, d, dn);
		off += (size_t)r;
		if (h->ck.state == GW_CHUNK_DONE) {
			h->data_eof = true;
			h->rq = RQ_DONE;
		}
		if (!r)
			break;
	}
}

void gw_h2up_write(struct gw_conn *u, const char *p, size_t n)
{
	struct gw_h2up *h = u->h2up;

	if (h->rq == RQ_IDLE) {
		if (h->sid || h->goaway) {
			h->failed = true;
			h->why = h->goaway ? "the backend sent GOAWAY" : "a stream is still open";
		}
		gw_sbuf_reset(&h->head);
		h->rq = RQ_HEAD;
	}
	if (h->rq == RQ_HEAD && !h->failed) {
		size_t before = h->head.len;
		const char *end;

		gw_sbuf_put(&h->head, p, n);
		if (h->head.oom) {
			h->failed = true;
			h->why = "out of memory";
		} else if ((end = memmem(h->head.p, h->head.len, "\r\n\r\n", 4))) {
			size_t hl = (size_t)(end - h->head.p) + 4;

			if (submit_head(h, hl)) {
				h->failed = true;
				h->why = "request head not expressible in HTTP/2";
			} else {
				h->rq = h->data_eof ? RQ_DONE : RQ_BODY;
				if (hl - before < n)
					request_body(h, p + (hl - before), n - (hl - before));
			}
		}
	} else if (h->rq == RQ_BODY && h->sid) {
		request_body(h, p, n);
	}
	/* bytes for a stream the server already closed are dropped */
	if (h->data.oom) {
		h->failed = true;
		h->why = "out of memory";
	}
	if (h->sid && h->deferred && (h->data.len > h->data_off || h->data_eof)) {
		h->deferred = false;
		nghttp2_session_resume_data(h->s, h->sid);
	}
	flush_frames(h);
	if (h->failed && !(u->flags & CF_CLOSING)) {
		/*
		 * The proxy is in the middle of writing: it learns of the failure
		 * from its receive path, as of a backend that hung up.
		 */
		pr_debug("HTTP/2 to %s: %s", u->x && u->x->ep ? u->x->ep->name : "?", h->why);
		shutdown(u->fd, SHUT_RDWR);
	}
}

size_t gw_h2up_backlog(const struct gw_conn *u)
{
	const struct gw_h2up *h = u->h2up;

	return h->data.len - h->data_off;
}

bool gw_h2up_reusable(const struct gw_conn *u)
{
	const struct gw_h2up *h = u->h2up;

	return !h->sid && !h->goaway && !h->failed && nghttp2_session_want_read(h->s) &&
	       !(u->flags & (CF_EOF | CF_CLOSING));
}

size_t gw_h2up_input(struct gw_conn *u, const char *data, size_t len)
{
	struct gw_h2up *h = u->h2up;
	struct gw_sbuf out;
	ssize_t r = 0;
	size_t used;

	if (len)
		r = nghttp2_session_mem_recv(h->s, (const uint8_t *)data, len);
	if (r < 0) {
		h->failed = true;
		h->why = nghttp2_strerror((int)r);
	}
	flush_frames(h);
	if (u->flags & CF_CLOSING)
		return len;
	if (!u->x) {
		/* idle in the pool: control frames only; GOAWAY or garbage ends it */
		if (h->failed || h->goaway || h->resp.len)
			gw_conn_close(u);
		return len;
	}
	/* the proxy may close u (and free h): hand it a buffer h does not own */
	out = h->resp;
	memset(&h->resp, 0, sizeof(h->resp));
	if (out.oom) {
		gw_sbuf_free(&out);
		gw_up_eof(u, -ENOMEM);
		return len;
	}
	used = out.len ? gw_up_http1_input(u, out.p, out.len) : 0;
	if (!(u->flags & CF_CLOSING) && u->h2up == h && u->x) {
		if (used < out.len) {
			/* the proxy waits for more (it never does with whole heads): keep the rest */
			gw_sbuf_put(&h->resp, out.p + used, out.len - used);
		}
		if (h->failed) {
			pr_debug("HTTP/2 from %s: %s", u->x->ep ? u->x->ep->name : "?", h->why);
			gw_up_eof(u, -ECONNRESET);
		}
	} else if (!(u->flags & CF_CLOSING) && u->h2up == h && h->failed) {
		gw_conn_close(u);
	}
	gw_sbuf_free(&out);
	return len;
}

/* ---- session ----------------------------------------------------------------- */

int gw_h2up_start(struct gw_conn *u)
{
	static const nghttp2_settings_entry set[] = {
		{ NGHTTP2_SETTINGS_ENABLE_PUSH, 0 },
		{ NGHTTP2_SETTINGS_INITIAL_WINDOW_SIZE, GW_H2UP_STREAM_WINDOW },
	};
	nghttp2_session_callbacks *cb;
	struct gw_h2up *h = calloc(1, sizeof(*h));
	int rc;

	if (!h)
		return -ENOMEM;
	if (nghttp2_session_callbacks_new(&cb)) {
		free(h);
		return -ENOMEM;
	}
	nghttp2_session_callbacks_set_on_begin_headers_callback(cb, on_begin_headers);
	nghttp2_session_callbacks_set_on_header_callback(cb, on_header);
	nghttp2_session_callbacks_set_on_data_chunk_recv_callback(cb, on_data);
	nghttp2_session_callbacks_set_on_frame_recv_callback(cb, on_frame_recv);
	nghttp2_session_callbacks_set_on_stream_close_callback(cb, on_stream_close);
	rc = nghttp2_session_client_new(&h->s, cb, h);
	nghttp2_session_callbacks_del(cb);
	if (rc) {
		free(h);
		return -ENOMEM;
	}
	h->u = u;
	u->h2up = h;
	if (nghttp2_submit_settings(h->s, NGHTTP2_FLAG_NONE, set, sizeof(set) / sizeof(set[0])) ||
	    nghttp2_session_set_local_window_size(h->s, NGHTTP2_FLAG_NONE, 0,
						  GW_H2UP_CONN_WINDOW)) {
		gw_h2up_free(u);
		return -ENOMEM;
	}
	/* the preface and SETTINGS wait in the output queue until the connect completes */
	flush_frames(h);
	return h->failed ? -EPROTO : 0;
}

void gw_h2up_free(struct gw_conn *u)
{
	struct gw_h2up *h = u->h2up;

	if (!h)
		return;
	u->h2up = NULL;
	nghttp2_session_del(h->s);
	gw_sbuf_free(&h->head);
	gw_sbuf_free(&h->data);
	gw_sbuf_free(&h->fields);
	gw_sbuf_free(&h->resp);
	free(h);
}
