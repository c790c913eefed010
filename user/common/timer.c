// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <errno.h>
#include <stdlib.h>

#include "gw/timer.h"

static void place(struct gw_timers *h, uint32_t i, struct gw_timer *t)
{
	h->heap[i] = t;
	t->slot = i + 1;
}

static void sift_up(struct gw_timers *h, uint32_t i)
{
	struct gw_timer *t = h->heap[i];

	while (i) {
		uint32_t p = (i - 1) / 2;

		if (h->heap[p]->deadline_ms <= t->deadline_ms)
			break;
		place(h, i, h->heap[p]);
		i = p;
	}
	place(h, i, t);
}

static void sift_down(struct gw_timers *h, uint32_t i)
{
	struct gw_timer *t = h->heap[i];

	for (;;) {
		uint32_t c = 2 * i + 1;

		if (c >= h->n)
			break;
		if (c + 1 < h->n && h->heap[c + 1]->deadline_ms < h->heap[c]->deadline_ms)
			c++;
		if (t->deadline_ms <= h->heap[c]->deadline_ms)
			break;
		place(h, i, h->heap[c]);
		i = c;
	}
	place(h, i, t);
}

int gw_timer_set(struct gw_timers *h, struct gw_timer *t, uint64_t deadline_ms)
{
	if (t->slot) {
		uint64_t old = t->deadline_ms;

		t->deadline_ms = deadline_ms;
		if (deadline_ms < old)
			sift_up(h, t->slot - 1);
		else
			sift_down(h, t->slot - 1);
		return 0;
	}
	if (h->n == h->cap) {
		uint32_t ncap = h->cap ? h->cap * 2 : 256;
		struct gw_timer **nh = realloc(h->heap, ncap * sizeof(*nh));

		if (!nh)
			return -ENOMEM;
		h->heap = nh;
		h->cap = ncap;
	}
	t->deadline_ms = deadline_ms;
	h->heap[h->n] = t;
	t->slot = ++h->n;
	sift_up(h, h->n - 1);
	return 0;
}

void gw_timer_del(struct gw_timers *h, struct gw_timer *t)
{
	uint32_t i;
	struct gw_timer *last;

	if (!t->slot)
		return;
	i = t->slot - 1;
	t->slot = 0;
	last = h->heap[--h->n];
	if (i == h->n)
		return;
	place(h, i, last);
	if (i && h->heap[(i - 1) / 2]->deadline_ms > last->deadline_ms)
		sift_up(h, i);
	else
		sift_down(h, i);
}

struct gw_timer *gw_timer_first(const struct gw_timers *h)
{
	return h->n ? h->heap[0] : NULL;
}

void gw_timers_free(struct gw_timers *h)
{
	free(h->heap);
	h->heap = NULL;
	h->n = h->cap = 0;
}
