/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Request statistics for /metrics. One gw_stat per (route, rule, backend),
 * interned process-wide in a hash so a counter of a route that survives a
 * reload keeps its value; each holds one cache line aligned cell per
 * worker (as many cells as gw_metrics_init() says), written only by that
 * worker (relaxed stores, no atomic read-modify-write on the hot path) and
 * summed by the admin thread when scraped. Route tables hold a reference
 * on each stat they point at and drop it when they are freed (after the
 * last worker released the table), so the stats of routes a reload
 * removed are freed with the last table that had them.
 */
#ifndef GW_METRICS_H
#define GW_METRICS_H

#include <stdint.h>
#include <stdio.h>

#define GW_MAX_WORKERS 64
/* Latency histogram upper bounds in microseconds; one more bucket for +Inf. */
#define GW_LAT_NBUCKETS 14

extern const uint64_t gw_lat_bounds_us[GW_LAT_NBUCKETS];

struct gw_stat_cell {
	uint64_t classes[6];		/* 1xx..5xx, [0] = other */
	uint64_t lat[GW_LAT_NBUCKETS + 1];
	uint64_t lat_sum_us;
} __attribute__((aligned(64)));

struct gw_stat {
	struct gw_stat *next, *prev;	/* every stat, newest first (the /metrics order) */
	struct gw_stat *hnext;		/* hash chain */
	const char *route;		/* "ns/name" or "" */
	const char *backend;		/* "ns/svc:port" or "" */
	int rule;			/* -1 when not from a rule */
	uint32_t hash;
	uint32_t refs;			/* under the stats lock */
	/* gw_metrics_init()'s worker count, each cell in its own cache lines */
	struct gw_stat_cell cells[];
};

/**
 * Sets how many workers record stats (cells per stat); call before the
 * first gw_stat_get(). -EBUSY once a stat exists, -EINVAL outside
 * 1..GW_MAX_WORKERS. Without it a stat has GW_MAX_WORKERS cells.
 */
int gw_metrics_init(int nworkers);

/**
 * The stat for (route, rule, backend), created on first use, with one
 * more reference for the caller; NULL on ENOMEM. Called by the thread
 * that builds tables; thread-safe.
 */
struct gw_stat *gw_stat_get(const char *route, int rule, const char *backend);

/**
 * Drops a reference from gw_stat_get(); the last one frees s, so no
 * worker may still record into it (route tables put theirs when freed).
 * NULL-safe.
 */
void gw_stat_put(struct gw_stat *s);

/** How many stats exist (tests and the benchmark). */
size_t gw_stat_count(void);

/** Records one request outcome by worker w. */
void gw_stat_record(struct gw_stat *s, int w, int status, uint64_t lat_us);

/** Process-wide gauges and counters, per worker (same single-writer rule). */
struct gw_gauges {
	uint64_t conns_accepted;
	uint64_t conns_active;
	uint64_t conns_rejected;	/* over the connection limit */
	uint64_t requests;
	uint64_t parse_errors;
	uint64_t upstream_connects;
	uint64_t upstream_connect_errors;
	uint64_t upstream_tls_handshakes;	/* BackendTLSPolicy: completed, resumed or not */
	uint64_t upstream_tls_resumed;
	uint64_t upstream_tls_errors;		/* handshakes that failed (verification, alert) */
	uint64_t upstream_reused;
	uint64_t upstream_active;
	uint64_t upstream_idle;
	uint64_t retries;
	uint64_t mirrors;
	uint64_t ejections;
	uint64_t timeouts;
	uint64_t underscore_headers_dropped;	/* request fields with '_' in the name */
	uint64_t h2_client_resets;	/* HTTP/2 stream resets the client caused (either side) */
	uint64_t h2_reset_goaways;	/* ... connections ended for too many of them */
	uint64_t h2_buffered;		/* response bytes held for HTTP/2 clients (h2.c) */
	uint64_t h2_budget_waits;	/* stream backend reads that waited for a budget */
	uint64_t h2_budget_closes;	/* connections closed: the process budget was full */
} __attribute__((aligned(64)));

extern struct gw_gauges gw_gauges[GW_MAX_WORKERS];

#define GW_GAUGE_ADD(w, field, v)                                                             \
	__atomic_store_n(&gw_gauges[w].field,                                                 \
			 __atomic_load_n(&gw_gauges[w].field, __ATOMIC_RELAXED) + (v),        \
			 __ATOMIC_RELAXED)

/** Writes every stat in Prometheus text format (version 0.0.4). */
void gw_metrics_write(FILE *f, int nworkers);

#endif
