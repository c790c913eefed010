/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Bump allocator for one configuration generation. Everything parsed,
 * defaulted, resolved and emitted for one `load` lives in one arena and is
 * freed with it, so the pipeline has no per-object free paths.
 */
#ifndef GW_ARENA_H
#define GW_ARENA_H

#include <stddef.h>

struct gw_arena_blk;

struct gw_arena {
	struct gw_arena_blk *head;
	size_t used;	/* bytes handed out, for benchmarks */
};

/** Zero-filled, 8-byte aligned (enough for any type here); NULL with errno=ENOMEM on failure. */
void *gw_arena_alloc(struct gw_arena *a, size_t n);
/** Copy of s[0..n) plus NUL. */
char *gw_arena_strndup(struct gw_arena *a, const char *s, size_t n);
char *gw_arena_strdup(struct gw_arena *a, const char *s);
/** printf into the arena. */
char *gw_arena_printf(struct gw_arena *a, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/** Frees every block; the arena is reusable afterwards. */
void gw_arena_free(struct gw_arena *a);

#endif
