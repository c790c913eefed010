// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "gw/metrics.h"
#include "gw/router.h"

const uint64_t gw_lat_bounds_us[GW_LAT_NBUCKETS] = {
	100, 250, 500, 1000, 2500, 5000, 10000, 25000, 50000, 100000, 250000, 500000,
	1000000, 5000000,
};

struct gw_gauges gw_gauges[GW_MAX_WORKERS];

/*
 * Every stat, in a hash on (route, rule, backend) for gw_stat_get() (a
 * table build asks once per rule and backend: a list walk made it
 * quadratic in the routes) and in a list, newest first, for /metrics. The
 * lock covers both and the reference counts: gw_stat_get() and
 * gw_metrics_write() run on the main thread, gw_stat_put() on whichever
 * thread frees a table (a worker dropping the last reference of an old
 * one). Workers only write cells, without the lock.
 */
static pthread_mutex_t stats_lock = PTHREAD_MUTEX_INITIALIZER;
static struct gw_stat *stats_head;
static struct gw_stat **htab;
static size_t hcap, nstats;
static int ncells = GW_MAX_WORKERS;

int gw_metrics_init(int nworkers)
{
	int rc = 0;

	if (nworkers < 1 || nworkers > GW_MAX_WORKERS)
		return -EINVAL;
	pthread_mutex_lock(&stats_lock);
	if (nstats)
		rc = -EBUSY;
	else
		ncells = nworkers;
	pthread_mutex_unlock(&stats_lock);
	return rc;
}

static int same(const char *a, const char *b)
{
	return !strcmp(a ? a : "", b ? b : "");
}

/* FNV-1a over route, NUL, backend, NUL, rule. */
static uint32_t stat_hash(const char *route, int rule, const char *backend)
{
	uint32_t h = 2166136261u;
	const char *p;

	for (p = route ? route : ""; ; p++) {
		h = (h ^ (unsigned char)*p) * 16777619u;
		if (!*p)
			break;
	}
	for (p = backend ? backend : ""; ; p++) {
		h = (h ^ (unsigned char)*p) * 16777619u;
		if (!*p)
			break;
	}
	for (int k = 0; k < 4; k++)
		h = (h ^ (((unsigned)rule >> (8 * k)) & 0xff)) * 16777619u;
	return h;
}

static int htab_grow(void)
{
	size_t ncap = hcap ? hcap * 2 : 256;
	struct gw_stat **nt = calloc(ncap, sizeof(*nt));

	if (!nt)
		return -ENOMEM;
	for (size_t i = 0; i < hcap; i++) {
		for (struct gw_stat *s = htab[i], *n; s; s = n) {
			n = s->hnext;
			s->hnext = nt[s->hash & (ncap - 1)];
			nt[s->hash & (ncap - 1)] = s;
		}
	}
	free(htab);
	htab = nt;
	hcap = ncap;
	return 0;
}

struct gw_stat *gw_stat_get(const char *route, int rule, const char *backend)
{
	uint32_t h = stat_hash(route, rule, backend);
	size_t rl = strlen(route ? route : ""), bl = strlen(backend ? backend : ""), sz;
	struct gw_stat *s;
	char *p;

	pthread_mutex_lock(&stats_lock);
	for (s = hcap ? htab[h & (hcap - 1)] : NULL; s; s = s->hnext) {
		if (s->hash == h && s->rule == rule && same(s->route, route) &&
		    same(s->backend, backend)) {
			s->refs++;
			goto out;
		}
	}
	if (nstats >= hcap && htab_grow())
		goto out;
	/*
	 * One block: the header, one cell per worker (each starts a cache line:
	 * the cell type is 64-byte aligned and a multiple of 64 long), then the
	 * two names. aligned_alloc wants a multiple of the alignment.
	 */
	sz = sizeof(*s) + (size_t)ncells * sizeof(s->cells[0]) + rl + 1 + bl + 1;
	sz = (sz + 63) & ~(size_t)63;
	s = aligned_alloc(64, sz);
	if (!s)
		goto out;
	memset(s, 0, sz);
	p = (char *)&s->cells[ncells];
	memcpy(p, route ? route : "", rl + 1);
	s->route = p;
	p += rl + 1;
	memcpy(p, backend ? backend : "", bl + 1);
	s->backend = p;
	s->rule = rule;
	s->hash = h;
	s->refs = 1;
	s->hnext = htab[h & (hcap - 1)];
	htab[h & (hcap - 1)] = s;
	s->next = stats_head;
	if (stats_head)
		stats_head->prev = s;
	stats_head = s;
	nstats++;
out:
	pthread_mutex_unlock(&stats_lock);
	return s;
}

void gw_stat_put(struct gw_stat *s)
{
	struct gw_stat **pp;

	if (!s)
		return;
	pthread_mutex_lock(&stats_lock);
	if (--s->refs) {
		pthread_mutex_unlock(&stats_lock);
		return;
	}
	for (pp = &htab[s->hash & (hcap - 1)]; *pp != s; pp = &(*pp)->hnext)
		;
	*pp = s->hnext;
	if (s->prev)
		s->prev->next = s->next;
	else
		stats_head = s->next;
	if (s->next)
		s->next->prev = s->prev;
	nstats--;
	pthread_mutex_unlock(&stats_lock);
	free(s);
}

size_t gw_stat_count(void)
{
	size_t n;

	pthread_mutex_lock(&stats_lock);
	n = nstats;
	pthread_mutex_unlock(&stats_lock);
	return n;
}

static inline void bump(uint64_t *c, uint64_t v)
{
	__atomic_store_n(c, __atomic_load_n(c, __ATOMIC_RELAXED) + v, __ATOMIC_RELAXED);
}

void gw_stat_record(struct gw_stat *s, int w, int status, uint64_t lat_us)
{
	struct gw_stat_cell *c;
	int b = 0;

	if (!s || w < 0 || w >= ncells)
		return;
	c = &s->cells[w];
	bump(&c->classes[status >= 100 && status < 600 ? status / 100 : 0], 1);
	while (b < GW_LAT_NBUCKETS && lat_us > gw_lat_bounds_us[b])
		b++;
	bump(&c->lat[b], 1);
	bump(&c->lat_sum_us, lat_us);
}

static uint64_t rd(const uint64_t *c)
{
	return __atomic_load_n(c, __ATOMIC_RELAXED);
}

/* Label values are route and Service names: DNS labels, but escape anyway. */
static void label(FILE *f, const char *s)
{
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			fputc('\\', f);
		if (*s == '\n')
			fputs("\\n", f);
		else
			fputc(*s, f);
	}
}

static void labels(FILE *f, const struct gw_stat *s)
{
	fputs("route=\"", f);
	label(f, s->route);
	fprintf(f, "\",rule=\"%d\",backend=\"", s->rule);
	label(f, s->backend);
	fputc('"', f);
}

void gw_metrics_write(FILE *f, int nworkers)
{
	static const char *const cls[] = { "other", "1xx", "2xx", "3xx", "4xx", "5xx" };
	struct gw_gauges g = { 0 };
	int nc = nworkers < ncells ? nworkers : ncells;

	/* f is a memory stream: the lock (which a worker freeing a table waits for) is brief */
	pthread_mutex_lock(&stats_lock);
	fputs("# HELP gwd_requests_total Requests answered, by route rule, backend and status "
	      "class.\n# TYPE gwd_requests_total counter\n", f);
	for (const struct gw_stat *s = stats_head; s; s = s->next) {
		for (int k = 0; k < 6; k++) {
			uint64_t n = 0;

			for (int w = 0; w < nc; w++)
				n += rd(&s->cells[w].classes[k]);
			if (!n)
				continue;
			fputs("gwd_requests_total{", f);
			labels(f, s);
			fprintf(f, ",code_class=\"%s\"} %llu\n", cls[k], (unsigned long long)n);
		}
	}
	fputs("# HELP gwd_request_duration_seconds Time from a complete request head to the "
	      "last response byte queued.\n# TYPE gwd_request_duration_seconds histogram\n", f);
	for (const struct gw_stat *s = stats_head; s; s = s->next) {
		uint64_t cum = 0, sum = 0, b[GW_LAT_NBUCKETS + 1] = { 0 };

		for (int w = 0; w < nc; w++) {
			for (int k = 0; k <= GW_LAT_NBUCKETS; k++)
				b[k] += rd(&s->cells[w].lat[k]);
			sum += rd(&s->cells[w].lat_sum_us);
		}
		for (int k = 0; k <= GW_LAT_NBUCKETS; k++)
			cum += b[k];
		if (!cum)
			continue;
		cum = 0;
		for (int k = 0; k <= GW_LAT_NBUCKETS; k++) {
			cum += b[k];
			fputs("gwd_request_duration_seconds_bucket{", f);
			labels(f, s);
			if (k < GW_LAT_NBUCKETS)
				fprintf(f, ",le=\"%g\"} %llu\n", (double)gw_lat_bounds_us[k] / 1e6,
					(unsigned long long)cum);
			else
				fprintf(f, ",le=\"+Inf\"} %llu\n", (unsigned long long)cum);
		}
		fputs("gwd_request_duration_seconds_sum{", f);
		labels(f, s);
		fprintf(f, "} %.6f\n", (double)sum / 1e6);
		fputs("gwd_request_duration_seconds_count{", f);
		labels(f, s);
		fprintf(f, "} %llu\n", (unsigned long long)cum);
	}
	pthread_mutex_unlock(&stats_lock);
	for (int w = 0; w < nworkers; w++) {
#define SUM(x) g.x += rd(&gw_gauges[w].x)
		SUM(conns_accepted);
		SUM(conns_active);
		SUM(conns_rejected);
		SUM(requests);
		SUM(parse_errors);
		SUM(upstream_connects);
		SUM(upstream_connect_errors);
		SUM(upstream_tls_handshakes);
		SUM(upstream_tls_resumed);
		SUM(upstream_tls_errors);
		SUM(upstream_reused);
		SUM(upstream_active);
		SUM(upstream_idle);
		SUM(retries);
		SUM(mirrors);
		SUM(ejections);
		SUM(timeouts);
		SUM(underscore_headers_dropped);
		SUM(h2_client_resets);
		SUM(h2_reset_goaways);
		SUM(h2_buffered);
		SUM(h2_budget_waits);
		SUM(h2_budget_closes);
#undef SUM
	}
#define OUT(name, type, help, v)                                                              \
	fprintf(f, "# HELP gwd_" name " " help "\n# TYPE gwd_" name " " type "\ngwd_" name      \
		   " %llu\n",                                                                 \
		(unsigned long long)(v))
	OUT("http_underscore_headers_dropped_total", "counter",
	    "Request header fields dropped because their name has '_' "
	    "(gwd --allow-underscores-in-headers keeps them).",
	    g.underscore_headers_dropped);
	OUT("connections_accepted_total", "counter", "Client connections accepted.",
	    g.conns_accepted);
	OUT("connections_active", "gauge", "Client connections open.", g.conns_active);
	OUT("connections_rejected_total", "counter",
	    "Client connections closed at once: over --max-conns.", g.conns_rejected);
	OUT("http_requests_total", "counter", "Request heads parsed.", g.requests);
	OUT("http_parse_errors_total", "counter", "Requests rejected by the HTTP/1.1 parser.",
	    g.parse_errors);
	OUT("upstream_connects_total", "counter", "Upstream connections opened.",
	    g.upstream_connects);
	OUT("upstream_connect_errors_total", "counter", "Upstream connects that failed.",
	    g.upstream_connect_errors);
	OUT("upstream_tls_handshakes_total", "counter",
	    "TLS handshakes with backends (BackendTLSPolicy) that completed.",
	    g.upstream_tls_handshakes);
	OUT("upstream_tls_resumed_total", "counter", "Of those, handshakes that resumed a session.",
	    g.upstream_tls_resumed);
	OUT("upstream_tls_errors_total", "counter",
	    "TLS handshakes with backends that failed (verification, alert, protocol).",
	    g.upstream_tls_errors);
	OUT("upstream_reused_total", "counter", "Requests sent on a pooled upstream connection.",
	    g.upstream_reused);
	OUT("upstream_connections_active", "gauge", "Upstream connections open.",
	    g.upstream_active);
	OUT("upstream_connections_idle", "gauge", "Upstream connections idle in the pools.",
	    g.upstream_idle);
	OUT("retries_total", "counter", "Upstream attempts after the first.", g.retries);
	OUT("mirrored_requests_total", "counter", "Requests mirrored (RequestMirror).",
	    g.mirrors);
	OUT("endpoint_ejections_total", "counter", "Endpoints ejected after connect failures.",
	    g.ejections);
	OUT("timeouts_total", "counter", "Requests answered 504 or aborted by a timeout.",
	    g.timeouts);
	OUT("http2_client_resets_total", "counter",
	    "HTTP/2 streams reset by the client or by gwd because of the client's frames.",
	    g.h2_client_resets);
	OUT("http2_reset_goaways_total", "counter",
	    "HTTP/2 connections ended with GOAWAY ENHANCE_YOUR_CALM: too many stream resets.",
	    g.h2_reset_goaways);
	OUT("regex_match_limit_total", "counter",
	    "RegularExpression matches stopped by the PCRE2 match or depth limit (no match).",
	    __atomic_load_n(&gw_rt_regex_limit_hits, __ATOMIC_RELAXED));
	OUT("http2_buffered_bytes", "gauge",
	    "Response bytes held for HTTP/2 clients, waiting for their flow-control windows "
	    "(--h2-conn-buffer, --h2-buffer-max).",
	    g.h2_buffered);
	OUT("http2_budget_waits_total", "counter",
	    "Backend reads of HTTP/2 streams that waited: their connection's or the process' "
	    "buffer budget was full.",
	    g.h2_budget_waits);
	OUT("http2_budget_closes_total", "counter",
	    "HTTP/2 client connections closed (GOAWAY ENHANCE_YOUR_CALM) because the process "
	    "buffer budget (--h2-buffer-max) was full and they held the most.",
	    g.h2_budget_closes);
#undef OUT
}
