// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * libFuzzer target: arbitrary bytes as the input of an HTTP/2 client
 * connection of gwd (after the preface, which the target prepends), run
 * through user/core/h2.c with the worker and the proxy stubbed: every
 * stream request is answered at once with a small response, then the
 * session's output is pulled, as gwd's send path does. Finds crashes, leaks
 * and undefined behaviour in the stream bookkeeping and the request and
 * response translation.
 */
#include <stdlib.h>
#include <string.h>

#include "user/core/h2.c"

struct gwd gwd = { .o = { .idle_timeout_ms = 1000 } };
struct gw_gauges gw_gauges[GW_MAX_WORKERS];	/* h2.c counts resets in them */
static struct gw_worker fw;
static struct gw_conn *vs[256];
static int nvs;

struct gw_conn *gw_conn_new(struct gw_worker *w, enum gw_conn_kind kind, int fd)
{
	struct gw_conn *c;

	if (nvs == 256)
		return NULL;
	c = calloc(1, sizeof(*c));
	if (!c)
		return NULL;
	c->w = w;
	c->kind = (uint8_t)kind;
	c->fd = fd;
	vs[nvs++] = c;
	return c;
}

/* The proxy's answer to a request, queued like local_reply() does. */
void gw_conn_feed(struct gw_conn *c, const char *data, size_t len)
{
	static const char resp[] = "HTTP/1.0 200 OK\r\nContent-Length: 2\r\nX-A: b\r\n"
				   "Connection: close\r\n\r\nok";

	(void)data;
	(void)len;
	gw_oq_put(&c->out, resp, sizeof(resp) - 1);
}

void gw_conn_flush(struct gw_conn *c) { (void)c; }
void gw_conn_pend(struct gw_conn *c) { (void)c; }
void gw_conn_resume(struct gw_conn *c) { (void)c; }	/* a stream's backend, in gwd */
void gw_conn_timer(struct gw_conn *c, int kind, uint64_t ms) { (void)c; (void)kind; (void)ms; }
void gw_conn_timer_del(struct gw_conn *c) { (void)c; }
void gw_client_sent(struct gw_conn *c) { (void)c; }

void gw_conn_close(struct gw_conn *c)
{
	if (c->flags & CF_CLOSING)
		return;
	c->flags |= CF_CLOSING;
	if (c->flags & CF_VIRT)
		gw_h2_stream_gone(c);
}

void gw_client_eof(struct gw_conn *c, int err)
{
	(void)err;
	gw_conn_close(c);
}

void gw_conn_finish(struct gw_conn *c)
{
	if (c->flags & CF_VIRT)
		gw_h2_stream_end(c);
	else
		c->flags |= CF_CLOSE_AFTER;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char preface[] = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n";
	struct gw_conn c = { .w = &fw, .kind = CK_CLIENT, .fd = -1 };

	nvs = 0;
	if (gw_h2_start(&c))
		return 0;
	gw_h2_input(&c, preface, sizeof(preface) - 1);
	/* in two pieces, as two recv completions would deliver it */
	gw_h2_input(&c, (const char *)data, size / 2);
	for (int round = 0; round < 2 && c.h2; round++) {
		for (int i = 0; i < nvs; i++) {
			struct gw_conn *v = vs[i];

			if (!(v->flags & CF_CLOSING) && v->h2s) {
				gw_h2_stream_out(v);
				gw_conn_finish(v);
			}
		}
		gw_h2_pull(&c);
		gw_oq_clear(&c.out);
		if (!round && c.h2)
			gw_h2_input(&c, (const char *)data + size / 2, size - size / 2);
	}
	gw_h2_free(&c);
	gw_oq_clear(&c.out);
	for (int i = 0; i < nvs; i++) {
		gw_oq_clear(&vs[i]->out);
		free(vs[i]);
	}
	return 0;
}
