// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"

/*
 * Blocks come from calloc, which gets them zeroed from fresh mmap'd pages at
 * this size, so allocations need no memset of their own.
 */
#define BLK_SIZE (1024 * 1024)

struct gw_arena_blk {
	struct gw_arena_blk *next;
	size_t size, off;
	/* 16-byte aligned payload follows (allocations are 8-byte aligned) */
	_Alignas(16) unsigned char data[];
};

void *gw_arena_alloc(struct gw_arena *a, size_t n)
{
	struct gw_arena_blk *b = a->head;

	/* 8, not 16: nothing here needs more, and most allocations are small nodes and strings */
	n = (n + 7) & ~(size_t)7;
	if (!b || b->size - b->off < n) {
		size_t sz = n > BLK_SIZE / 4 ? n : BLK_SIZE;

		b = calloc(1, sizeof(*b) + sz);
		if (!b) {
			errno = ENOMEM;
			return NULL;
		}
		b->size = sz;
		b->off = 0;
		/* Big one-off allocations go behind the current block so the
		 * remaining space of the current block is not wasted. */
		if (sz != BLK_SIZE && a->head) {
			b->next = a->head->next;
			a->head->next = b;
		} else {
			b->next = a->head;
			a->head = b;
		}
	}
	void *p = b->data + b->off;

	b->off += n;
	a->used += n;
	return p;
}

char *gw_arena_strndup(struct gw_arena *a, const char *s, size_t n)
{
	char *p = gw_arena_alloc(a, n + 1);

	if (!p)
		return NULL;
	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

char *gw_arena_strdup(struct gw_arena *a, const char *s)
{
	return gw_arena_strndup(a, s, strlen(s));
}

char *gw_arena_printf(struct gw_arena *a, const char *fmt, ...)
{
	va_list ap;
	int n;
	char *p;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		return NULL;
	p = gw_arena_alloc(a, (size_t)n + 1);
	if (!p)
		return NULL;
	va_start(ap, fmt);
	vsnprintf(p, (size_t)n + 1, fmt, ap);
	va_end(ap);
	return p;
}

void gw_arena_free(struct gw_arena *a)
{
	struct gw_arena_blk *b = a->head, *n;

	while (b) {
		n = b->next;
		free(b);
		b = n;
	}
	a->head = NULL;
	a->used = 0;
}
