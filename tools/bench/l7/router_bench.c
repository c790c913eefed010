// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * gw-bench-router: nanoseconds per route lookup at 10, 1,000 and 10,000
 * HTTPRoutes (or the counts given as arguments), for two layouts:
 *   hosts:    one route per hostname (h<i>.example.com, prefix /api)
 *   prefixes: every route on one hostname, prefix /svc<i>/v1, plus an
 *             Exact and a header match per route
 * Requests are a fixed random mix of hits and misses. A linear scan would
 * grow 1000x from 10 to 10,000 routes; the index keeps it flat.
 *
 *   .output/gw-bench-router [N...]
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "loader/config/model.h"
#include "gw/router.h"

static char *yaml;
static size_t ylen, ycap;

static void add(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void add(const char *fmt, ...)
{
	va_list ap;
	int n;

	for (;;) {
		va_start(ap, fmt);
		n = vsnprintf(yaml + ylen, ycap - ylen, fmt, ap);
		va_end(ap);
		if ((size_t)n < ycap - ylen)
			break;
		ycap = ycap ? ycap * 2 : 1 << 20;
		yaml = realloc(yaml, ycap);
		if (!yaml) {
			fprintf(stderr, "out of memory\n");
			exit(1);
		}
	}
	ylen += (size_t)n;
}

static struct gw_rt_table *build(int n, bool hosts)
{
	struct gw_config *cfg = calloc(1, sizeof(*cfg));
	struct gw_rt_table *t;
	char err[512];

	ylen = 0;
	add("apiVersion: gateway.networking.k8s.io/v1\nkind: GatewayClass\nmetadata: {name: gc}\n"
	    "spec: {controllerName: xdpgw.io/gateway-controller}\n---\n"
	    "apiVersion: gateway.networking.k8s.io/v1\nkind: Gateway\n"
	    "metadata: {name: gw, namespace: default}\nspec:\n  gatewayClassName: gc\n"
	    "  listeners: [{name: http, protocol: HTTP, port: 80}]\n---\n"
	    "apiVersion: v1\nkind: Service\nmetadata: {name: be, namespace: default}\n"
	    "spec: {ports: [{name: http, port: 80}]}\n---\n");
	for (int i = 0; i < n; i++) {
		add("apiVersion: gateway.networking.k8s.io/v1\nkind: HTTPRoute\n"
		    "metadata: {name: r%d, namespace: default}\nspec:\n"
		    "  parentRefs: [{name: gw}]\n",
		    i);
		if (hosts)
			add("  hostnames: [h%d.example.com]\n  rules:\n"
			    "  - matches: [{path: {value: /api}}]\n"
			    "    backendRefs: [{name: be, port: 80}]\n---\n",
			    i);
		else
			add("  hostnames: [api.example.com]\n  rules:\n"
			    "  - matches: [{path: {type: Exact, value: /svc%d/health}}, "
			    "{path: {value: /svc%d/v1}, headers: [{name: x-tenant, value: t%d}]}, "
			    "{path: {value: /svc%d/v1}}]\n"
			    "    backendRefs: [{name: be, port: 80}]\n---\n",
			    i, i, i, i);
	}
	gw_config_init(cfg, NULL);
	if (gw_config_add_buf(cfg, "bench.yaml", yaml, ylen) || cfg->diags.nerrors ||
	    gw_config_resolve(cfg, NULL)) {
		fprintf(stderr, "config for %d routes did not load\n", n);
		exit(1);
	}
	t = gw_rt_build(cfg, err, sizeof(err));
	if (!t) {
		fprintf(stderr, "route table for %d routes: %s\n", n, err);
		exit(1);
	}
	return t;
}

#define NREQ 4096

struct req {
	char host[64], path[96];
	struct gw_rt_request rq;
	struct gw_http1_header h[3];
	bool hit;
};

static double run(struct gw_rt_table *t, int n, bool hosts, long iters, int *hits)
{
	static struct req r[NREQ];
	const struct gw_rt_port *p = gw_rt_port_find(t, NULL, 80);
	void *md = gw_rt_match_data_new();
	struct timespec a, b;
	unsigned seed = 42;

	*hits = 0;
	for (int i = 0; i < NREQ; i++) {
		int k = (int)(rand_r(&seed) % (unsigned)(n + n / 4 + 1));	/* ~20% misses */

		if (hosts) {
			snprintf(r[i].host, sizeof(r[i].host), "h%d.example.com", k);
			snprintf(r[i].path, sizeof(r[i].path), "/api/items/%d", i);
		} else {
			snprintf(r[i].host, sizeof(r[i].host), "api.example.com");
			snprintf(r[i].path, sizeof(r[i].path),
				 i % 3 == 0 ? "/svc%d/health" : "/svc%d/v1/items/%d", k, i);
		}
		r[i].h[0] = (struct gw_http1_header){ "user-agent", "bench", 10, 5 };
		r[i].h[1] = (struct gw_http1_header){ "accept", "*/*", 6, 3 };
		r[i].h[2] = (struct gw_http1_header){ "x-tenant", "t1", 8, 2 };
		r[i].rq = (struct gw_rt_request){ .method = "GET", .method_len = 3,
						  .path = r[i].path,
						  .path_len = (uint32_t)strlen(r[i].path),
						  .host = r[i].host,
						  .host_len = (uint32_t)strlen(r[i].host),
						  .headers = r[i].h, .nheaders = 3 };
	}
	clock_gettime(CLOCK_MONOTONIC, &a);
	for (long it = 0; it < iters; it++) {
		struct req *q = &r[it & (NREQ - 1)];
		const struct gw_rt_listener *l = gw_rt_listener_select(p, q->rq.host, q->rq.host_len);
		const struct gw_rt_match *m = l ? gw_rt_lookup(l, &q->rq, md) : NULL;

		*hits += m != NULL;
	}
	clock_gettime(CLOCK_MONOTONIC, &b);
	gw_rt_match_data_free(md);
	return ((double)(b.tv_sec - a.tv_sec) * 1e9 + (double)(b.tv_nsec - a.tv_nsec)) / (double)iters;
}

int main(int argc, char **argv)
{
	int counts[8] = { 10, 1000, 10000 }, ncounts = 3;

	if (argc > 1) {
		ncounts = 0;
		for (int i = 1; i < argc && ncounts < 8; i++)
			counts[ncounts++] = atoi(argv[i]);
	}
	printf("%-9s %8s %10s %8s\n", "layout", "routes", "ns/match", "hit%");
	for (int layout = 0; layout < 2; layout++) {
		for (int c = 0; c < ncounts; c++) {
			struct gw_rt_table *t = build(counts[c], layout == 0);
			long iters = 2000000;
			int hits;
			double ns;

			run(t, counts[c], layout == 0, 100000, &hits);	/* warm up */
			ns = run(t, counts[c], layout == 0, iters, &hits);
			printf("%-9s %8d %10.1f %7.1f%%\n", layout ? "prefixes" : "hosts", counts[c], ns,
			       100.0 * hits / (double)iters);
			gw_rt_free(t);
		}
	}
	return 0;
}
