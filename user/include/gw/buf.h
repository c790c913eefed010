/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Byte buffers. gw_sbuf is a growable string for building heads.
 * gw_oq is a socket's output queue: a chain of blocks that only grows at
 * the tail, so bytes already handed to an in-flight send never move while
 * more output is appended behind them.
 */
#ifndef GW_BUF_H
#define GW_BUF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/uio.h>

struct gw_sbuf {
	char *p;
	size_t len, cap;
	bool oom;		/* an append failed; the content is incomplete */
};

void gw_sbuf_put(struct gw_sbuf *b, const void *s, size_t n);
void gw_sbuf_puts(struct gw_sbuf *b, const char *s);
void gw_sbuf_printf(struct gw_sbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/** Appends v in decimal (no printf: this is on every proxied head). */
void gw_sbuf_u64(struct gw_sbuf *b, uint64_t v);
void gw_sbuf_reset(struct gw_sbuf *b);
void gw_sbuf_free(struct gw_sbuf *b);

#define GW_OBLK_SIZE 16384

struct gw_oblk {
	struct gw_oblk *next;
	uint32_t start, end, cap;
	char data[];
};

struct gw_oq {
	struct gw_oblk *head, *tail;
	uint64_t bytes;		/* queued, not yet sent */
};

/** Appends a copy of p[0..n); -ENOMEM on failure (nothing appended then). */
int gw_oq_put(struct gw_oq *q, const void *p, size_t n);
/** Fills up to max iovecs with queued bytes from the head; returns the count. */
int gw_oq_iov(const struct gw_oq *q, struct iovec *iov, int max);
/** Drops n sent bytes from the head. */
void gw_oq_consume(struct gw_oq *q, size_t n);
/** Drops everything. */
void gw_oq_clear(struct gw_oq *q);

/** Bytes q's blocks take from the allocator (what a memory budget counts). */
size_t gw_oq_mem(const struct gw_oq *q);
/**
 * At most what appending n bytes to q, in one put or several, takes from
 * the allocator: 0 if they fit its tail block.
 */
size_t gw_oq_cost(const struct gw_oq *q, size_t n);

/** Frees this thread's cache of spare blocks. */
void gw_oq_thread_cleanup(void);
/** Frees this thread's spare blocks beyond keep (before returning memory to the OS). */
void gw_oq_spare_trim(int keep);

#endif
