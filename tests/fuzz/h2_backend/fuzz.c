// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * libFuzzer target: arbitrary bytes as what an h2c backend sends on a
 * session of gwd (user/core/h2_up.c) that carries three requests (a POST
 * with a length, a GET, a chunked POST), with the worker and the proxy
 * stubbed. The stub proxy checks what the adapter hands it: every byte
 * must parse as HTTP/1.1 responses (heads, chunked or sized bodies,
 * trailer sections), else the target traps. Finds crashes, leaks and
 * undefined behaviour in the stream bookkeeping and the translation, and
 * translations the proxy would reject.
 */
#include <stdlib.h>
#include <string.h>

#include "user/core/h2_up.c"

struct gwd gwd = { .o = { .pool_idle_ms = 1000, .upstream_max_conns = 8 } };
struct gw_gauges gw_gauges[GW_MAX_WORKERS];
static struct gw_worker fw;
static struct gw_ep_state eps;
static struct gw_conn *conns[64];
static int nconns;

/* What the stub proxy knows of a stream's response. */
struct oracle {
	struct gw_conn *vu;
	char buf[1 << 16];
	size_t len;
	bool head_seen;
	enum gw_http1_body body;
	uint64_t left;
	struct gw_http1_chunked ck;
};
static struct oracle orc[8];
static int norc;

struct gw_conn *gw_conn_new(struct gw_worker *w, enum gw_conn_kind kind, int fd)
{
	struct gw_conn *c;

	if (nconns == 64)
		return NULL;
	c = calloc(1, sizeof(*c));
	if (!c)
		return NULL;
	c->w = w;
	c->kind = (uint8_t)kind;
	c->fd = fd;
	conns[nconns++] = c;
	return c;
}

struct gw_conn *gw_up_connect(struct gw_worker *w, const struct gw_rt_endpoint *ep,
			      unsigned flags)
{
	struct gw_conn *u = gw_conn_new(w, CK_UPSTREAM, -1);

	(void)flags;
	if (u)
		u->ep = ep->id;
	return u;
}

struct gw_ep_state *gw_ep(struct gw_worker *w, uint32_t id)
{
	(void)w;
	(void)id;
	return &eps;
}

void gw_ep_kick(struct gw_worker *w, uint32_t id) { (void)w; (void)id; }
void gw_conn_flush(struct gw_conn *c) { (void)c; }
void gw_conn_timer(struct gw_conn *c, int kind, uint64_t ms) { (void)c; (void)kind; (void)ms; }
void gw_conn_timer_del(struct gw_conn *c) { (void)c; }
void gw_up_sent(struct gw_conn *u) { (void)u; }

void gw_conn_close(struct gw_conn *c)
{
	if (c->flags & CF_CLOSING)
		return;
	if (c->flags & CF_VIRT)
		gw_h2up_stream_gone(c);
	else
		gw_h2up_free(c);
	c->flags |= CF_CLOSING;
}

void gw_up_stream_failed(struct gw_conn *u, int kind, const char *why)
{
	(void)kind;
	(void)why;
	gw_conn_close(u);
}

static struct oracle *oracle_of(struct gw_conn *vu)
{
	for (int i = 0; i < norc; i++)
		if (orc[i].vu == vu)
			return &orc[i];
	__builtin_trap();
}

/* The proxy's side: parse what the adapter translated, as gw_up_http1_input would. */
void gw_conn_feed(struct gw_conn *c, const char *data, size_t len)
{
	static struct gw_http1_resp resp;
	struct oracle *o = oracle_of(c);
	size_t off = 0;

	if (c->flags & CF_CLOSING)
		__builtin_trap();	/* fed after the proxy was done with it */
	if (o->len + len > sizeof(o->buf))
		return;		/* longer than the oracle keeps: not checked further */
	memcpy(o->buf + o->len, data, len);
	o->len += len;
	while (off < o->len) {
		if (!o->head_seen) {
			struct gw_http1_info info;
			int r = gw_http1_parse_response(o->buf + off, o->len - off, 0, &resp);

			if (r == GW_HTTP1_INCOMPLETE)
				break;
			if (r < 0 || gw_http1_response_info(&resp, false, &info))
				__builtin_trap();	/* a head the proxy would reject */
			off += (size_t)r;
			if (resp.status < 200)
				continue;
			o->head_seen = true;
			o->body = info.body;
			o->left = info.content_length;
			if (info.body == GW_BODY_CLOSE)
				__builtin_trap();	/* the adapter always frames bodies */
		}
		if (o->body == GW_BODY_LENGTH && o->left) {
			size_t n = o->len - off < o->left ? o->len - off : (size_t)o->left;

			o->left -= n;
			off += n;
		} else if (o->body == GW_BODY_CHUNKED && o->ck.state != GW_CHUNK_DONE) {
			const char *d;
			size_t dn;
			ssize_t r = gw_http1_chunked_decode(&o->ck, o->buf + off, o->len - off, &d,
							    &dn);

			if (r < 0)
				__builtin_trap();	/* bad chunked framing from the adapter */
			off += (size_t)r;
			if (!r)
				break;
			continue;
		}
		if ((o->body == GW_BODY_LENGTH && !o->left) || o->body == GW_BODY_NONE ||
		    (o->body == GW_BODY_CHUNKED && o->ck.state == GW_CHUNK_DONE)) {
			/* complete: the proxy is done with the exchange */
			if (off != o->len)
				__builtin_trap();	/* bytes after the response */
			o->len = 0;
			gw_conn_close(c);
			return;
		}
	}
	memmove(o->buf, o->buf + off, o->len - off);
	o->len -= off;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const reqs[] = {
		"POST /pkg.Svc/Get HTTP/1.1\r\nHost: b\r\nContent-Type: application/grpc\r\n"
		"Content-Length: 7\r\n\r\n\0\0\0\0\2hi",
		"GET /x HTTP/1.1\r\nHost: b\r\nX-A: b\r\n\r\n",
		"POST /c HTTP/1.1\r\nHost: b\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n",
	};
	static const size_t lens[] = { 97, 36, 70 };
	struct gw_rt_endpoint ep = { .id = 1 };
	struct gw_conn *s = NULL;
	bool busy;

	nconns = norc = 0;
	memset(&eps, 0, sizeof(eps));
	memset(orc, 0, sizeof(orc));
	for (int i = 0; i < 3; i++) {
		struct gw_conn *vu = gw_h2up_open(&fw, &ep, &busy);

		if (!vu)
			goto out;
		orc[norc++].vu = vu;
		gw_h2up_write(vu, reqs[i], lens[i]);
	}
	s = eps.h2;
	if (!s)
		goto out;
	gw_h2up_pull(s);
	gw_oq_clear(&s->out);
	/* in two pieces, as two recv completions would deliver it */
	if (s->h2up)
		gw_h2up_input(s, (const char *)data, size / 2);
	if (s->h2up)
		gw_h2up_pull(s);
	if (s->h2up)
		gw_h2up_input(s, (const char *)data + size / 2, size - size / 2);
	if (s->h2up)
		gw_h2up_pull(s);
out:
	for (int i = 0; i < nconns; i++)
		if (conns[i]->flags & CF_VIRT)
			gw_conn_close(conns[i]);
	for (int i = 0; i < nconns; i++) {
		gw_conn_close(conns[i]);
		gw_oq_clear(&conns[i]->out);
		free(conns[i]->in);
		free(conns[i]);
	}
	return 0;
}
