// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gw/buf.h"

static bool sbuf_grow(struct gw_sbuf *b, size_t need)
{
	size_t ncap;
	char *np;

	if (b->oom)
		return false;
	if (b->len + need <= b->cap)
		return true;
	ncap = b->cap ? b->cap * 2 : 512;
	while (ncap < b->len + need)
		ncap *= 2;
	np = realloc(b->p, ncap);
	if (!np) {
		b->oom = true;
		return false;
	}
	b->p = np;
	b->cap = ncap;
	return true;
}

void gw_sbuf_put(struct gw_sbuf *b, const void *s, size_t n)
{
	if (!n || !sbuf_grow(b, n))
		return;
	memcpy(b->p + b->len, s, n);
	b->len += n;
}

void gw_sbuf_puts(struct gw_sbuf *b, const char *s)
{
	gw_sbuf_put(b, s, strlen(s));
}

void gw_sbuf_printf(struct gw_sbuf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0 || !sbuf_grow(b, (size_t)n + 1))
		return;
	va_start(ap, fmt);
	vsnprintf(b->p + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
}

void gw_sbuf_u64(struct gw_sbuf *b, uint64_t v)
{
	char d[20];
	int n = 0;

	do
		d[sizeof(d) - 1 - n++] = (char)('0' + v % 10);
	while ((v /= 10));
	gw_sbuf_put(b, d + sizeof(d) - n, (size_t)n);
}

void gw_sbuf_reset(struct gw_sbuf *b)
{
	b->len = 0;
	b->oom = false;
}

void gw_sbuf_free(struct gw_sbuf *b)
{
	free(b->p);
	memset(b, 0, sizeof(*b));
}

/*
 * Spare standard-size blocks per thread: a proxied response allocates and
 * frees one per message, and the cache keeps that off malloc.
 */
#define SPARE_MAX 256
static __thread struct gw_oblk *spare;
static __thread int nspare;

/*
 * The first block of an empty queue for a small put (a response head, an
 * error answer) is sized to it: a client that reads nothing (an HTTP/2
 * stream with a zero window, CVE-2019-9517 class) then holds 1-2 KiB for
 * such an answer, not a 16 KiB block.
 */
#define GW_OBLK_SMALL 2048

static size_t blk_cap(size_t n, bool first)
{
	if (first && n <= GW_OBLK_SMALL - sizeof(struct gw_oblk))
		return n <= 1024 - sizeof(struct gw_oblk) ? 1024 - sizeof(struct gw_oblk)
							   : GW_OBLK_SMALL - sizeof(struct gw_oblk);
	return n > GW_OBLK_SIZE - sizeof(struct gw_oblk) ? n
							 : GW_OBLK_SIZE - sizeof(struct gw_oblk);
}

static struct gw_oblk *blk_new(size_t n, bool first)
{
	struct gw_oblk *b;
	size_t cap = blk_cap(n, first);

	if (cap == GW_OBLK_SIZE - sizeof(*b) && spare) {
		b = spare;
		spare = b->next;
		nspare--;
	} else {
		b = malloc(sizeof(*b) + cap);
		if (!b)
			return NULL;
	}
	b->next = NULL;
	b->start = b->end = 0;
	b->cap = (uint32_t)cap;
	return b;
}

static void blk_free(struct gw_oblk *b)
{
	if (b->cap == GW_OBLK_SIZE - sizeof(*b) && nspare < SPARE_MAX) {
		b->next = spare;
		spare = b;
		nspare++;
		return;
	}
	free(b);
}

int gw_oq_put(struct gw_oq *q, const void *p, size_t n)
{
	struct gw_oblk *t = q->tail;
	size_t room;

	if (!n)
		return 0;
	room = t ? t->cap - t->end : 0;
	if (room >= n) {
		memcpy(t->data + t->end, p, n);
		t->end += (uint32_t)n;
		q->bytes += n;
		return 0;
	}
	/* fill the tail, then one block for the rest, so a put never fails half done */
	struct gw_oblk *nb = blk_new(n - room, !t);

	if (!nb)
		return -ENOMEM;
	if (room) {
		memcpy(t->data + t->end, p, room);
		t->end += (uint32_t)room;
	}
	memcpy(nb->data, (const char *)p + room, n - room);
	nb->end = (uint32_t)(n - room);
	if (t)
		t->next = nb;
	else
		q->head = nb;
	q->tail = nb;
	q->bytes += n;
	return 0;
}

int gw_oq_iov(const struct gw_oq *q, struct iovec *iov, int max)
{
	int n = 0;

	for (struct gw_oblk *b = q->head; b && n < max; b = b->next) {
		if (b->end == b->start)
			continue;
		iov[n].iov_base = b->data + b->start;
		iov[n].iov_len = b->end - b->start;
		n++;
	}
	return n;
}

void gw_oq_consume(struct gw_oq *q, size_t n)
{
	q->bytes -= n;
	while (n && q->head) {
		struct gw_oblk *b = q->head;
		size_t avail = b->end - b->start;

		if (n < avail) {
			b->start += (uint32_t)n;
			return;
		}
		n -= avail;
		q->head = b->next;
		if (!q->head)
			q->tail = NULL;
		blk_free(b);
	}
}

void gw_oq_clear(struct gw_oq *q)
{
	while (q->head) {
		struct gw_oblk *b = q->head;

		q->head = b->next;
		blk_free(b);
	}
	q->tail = NULL;
	q->bytes = 0;
}

size_t gw_oq_mem(const struct gw_oq *q)
{
	size_t n = 0;

	for (const struct gw_oblk *b = q->head; b; b = b->next)
		n += sizeof(*b) + b->cap;
	return n;
}

size_t gw_oq_cost(const struct gw_oq *q, size_t n)
{
	size_t room = q->tail ? q->tail->cap - q->tail->end : 0;

	size_t cap = GW_OBLK_SIZE - sizeof(struct gw_oblk);

	if (n <= room)
		return 0;
	n -= room;
	/*
	 * Puts fill the tail before a new block: standard blocks, full but
	 * the last, after a small first block if the queue is empty.
	 */
	return (q->tail ? 0 : GW_OBLK_SMALL) + (n + cap - 1) / cap * GW_OBLK_SIZE;
}

void gw_oq_spare_trim(int keep)
{
	while (spare && nspare > keep) {
		struct gw_oblk *b = spare;

		spare = b->next;
		nspare--;
		free(b);
	}
}

void gw_oq_thread_cleanup(void)
{
	gw_oq_spare_trim(0);
}
