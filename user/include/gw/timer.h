/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Per-worker timers: a binary min-heap of deadlines. The event loop waits
 * in io_uring_submit_and_wait_timeout() until the earliest deadline, so
 * timers cost no SQEs and no syscalls of their own.
 */
#ifndef GW_TIMER_H
#define GW_TIMER_H

#include <stdbool.h>
#include <stdint.h>

struct gw_timer {
	uint64_t deadline_ms;
	uint32_t slot;		/* position in the heap + 1; 0 = not armed */
	uint8_t kind;		/* what fired, for the owner's dispatch */
	void *owner;
};

struct gw_timers {
	struct gw_timer **heap;
	uint32_t n, cap;
};

static inline bool gw_timer_armed(const struct gw_timer *t)
{
	return t->slot != 0;
}

/** Arms (or re-arms) t for deadline_ms; -ENOMEM if the heap cannot grow. */
int gw_timer_set(struct gw_timers *h, struct gw_timer *t, uint64_t deadline_ms);
/** Disarms t if armed. */
void gw_timer_del(struct gw_timers *h, struct gw_timer *t);
/** The earliest armed timer, or NULL. */
struct gw_timer *gw_timer_first(const struct gw_timers *h);
void gw_timers_free(struct gw_timers *h);

#endif
