// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Config pipeline benchmark: generates N HTTPRoutes across N/10 Services
 * (each with an EndpointSlice of 3 ready endpoints) behind one Gateway,
 * then times parse+validate, stamp, and resolve+status, several rounds.
 * Prints medians and the cost ratio between sizes, so growth is visible:
 *
 *   .output/bench/config_resolve [ROUTES...]     (default: 1000 10000)
 *
 * It measures wall and CPU time of this process only; no peers apply here.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "loader/config/model.h"

#define ROUNDS 5

static double now_ms(clockid_t c)
{
	struct timespec ts;

	clock_gettime(c, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static char *generate(int routes, size_t *len)
{
	int services = routes / 10 > 0 ? routes / 10 : 1;
	size_t cap = (size_t)routes * 900 + (size_t)services * 700 + 4096, o = 0;
	char *b = malloc(cap);

#define P(...) o += (size_t)snprintf(b + o, cap - o, __VA_ARGS__)
	if (!b)
		return NULL;
	P("apiVersion: gateway.networking.k8s.io/v1\nkind: GatewayClass\nmetadata: {name: gc}\n"
	  "spec: {controllerName: xdpgw.io/gateway-controller}\n---\n"
	  "apiVersion: gateway.networking.k8s.io/v1\nkind: Gateway\n"
	  "metadata: {name: gw, namespace: infra}\nspec:\n  gatewayClassName: gc\n  listeners:\n"
	  "  - {name: http, protocol: HTTP, port: 80, hostname: '*.example.com',"
	  " allowedRoutes: {namespaces: {from: All}}}\n---\n");
	for (int s = 0; s < services; s++) {
		P("apiVersion: v1\nkind: Service\nmetadata: {name: svc-%d, namespace: ns-%d}\n"
		  "spec: {ports: [{name: http, port: 8080}]}\n---\n"
		  "apiVersion: discovery.k8s.io/v1\nkind: EndpointSlice\n"
		  "metadata: {name: svc-%d-x, namespace: ns-%d,"
		  " labels: {kubernetes.io/service-name: svc-%d}}\n"
		  "addressType: IPv4\nports: [{name: http, port: 8080}]\nendpoints:\n"
		  "- {addresses: [10.%d.%d.1], conditions: {ready: true}}\n"
		  "- {addresses: [10.%d.%d.2], conditions: {ready: true}}\n"
		  "- {addresses: [10.%d.%d.3], conditions: {ready: true}}\n---\n",
		  s, s % 100, s, s % 100, s, s / 256 % 256, s % 256, s / 256 % 256, s % 256,
		  s / 256 % 256, s % 256);
	}
	for (int r = 0; r < routes; r++) {
		int s = r % services;

		P("apiVersion: gateway.networking.k8s.io/v1\nkind: HTTPRoute\n"
		  "metadata: {name: route-%d, namespace: ns-%d}\nspec:\n"
		  "  parentRefs: [{name: gw, namespace: infra}]\n"
		  "  hostnames: [r%d.example.com]\n  rules:\n"
		  "  - matches: [{path: {type: PathPrefix, value: /api/v%d}},"
		  " {headers: [{name: x-canary, value: 'true'}]}]\n"
		  "    backendRefs: [{name: svc-%d, port: 8080, weight: 90},"
		  " {name: svc-%d, port: 8080, weight: 10}]\n"
		  "  - matches: [{path: {type: Exact, value: /health}, method: GET}]\n"
		  "    filters: [{type: RequestHeaderModifier, requestHeaderModifier:"
		  " {add: [{name: x-route, value: r%d}]}}]\n"
		  "    backendRefs: [{name: svc-%d, port: 8080}]\n---\n",
		  r, s % 100, r, r % 7, s, (s + 1) % services, r, s);
	}
#undef P
	*len = o;
	return b;
}

static int cmp_d(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

struct result {
	double parse, stamp, resolve, total, cpu;
	size_t arena;
};

static int run(int routes, struct result *med)
{
	double p[ROUNDS], s[ROUNDS], r[ROUNDS], t[ROUNDS], c[ROUNDS];
	size_t len, arena = 0;
	char *yaml = generate(routes, &len);

	if (!yaml)
		return -1;
	for (int i = 0; i < ROUNDS; i++) {
		struct gw_config cfg;
		double t0 = now_ms(CLOCK_MONOTONIC), c0 = now_ms(CLOCK_PROCESS_CPUTIME_ID), t1, t2;

		gw_config_init(&cfg, NULL);
		if (gw_config_add_buf(&cfg, "bench.yaml", yaml, len) || cfg.diags.nerrors) {
			gw_diags_print(&cfg.diags, stderr);
			return -1;
		}
		t1 = now_ms(CLOCK_MONOTONIC);
		cfg.now = "2026-01-01T00:00:00Z";
		if (gw_config_stamp(&cfg, NULL, cfg.now))
			return -1;
		t2 = now_ms(CLOCK_MONOTONIC);
		if (gw_config_resolve(&cfg, NULL))
			return -1;
		t[i] = now_ms(CLOCK_MONOTONIC) - t0;
		c[i] = now_ms(CLOCK_PROCESS_CPUTIME_ID) - c0;
		p[i] = t1 - t0;
		s[i] = t2 - t1;
		r[i] = t[i] - (t2 - t0);
		arena = cfg.arena.used;
		/* sanity: every route must have attached */
		if (gw_config_find(&cfg, GW_K_GATEWAY, "infra", "gw")->u.gw->listeners[0]
			    .attached_routes != routes) {
			fprintf(stderr, "bench: not all routes attached\n");
			return -1;
		}
		gw_config_free(&cfg);
	}
	qsort(p, ROUNDS, sizeof(double), cmp_d);
	qsort(s, ROUNDS, sizeof(double), cmp_d);
	qsort(r, ROUNDS, sizeof(double), cmp_d);
	qsort(t, ROUNDS, sizeof(double), cmp_d);
	qsort(c, ROUNDS, sizeof(double), cmp_d);
	*med = (struct result){ p[ROUNDS / 2], s[ROUNDS / 2], r[ROUNDS / 2], t[ROUNDS / 2],
				c[ROUNDS / 2], arena };
	printf("%6d routes %5d services  yaml %6.1f MiB  parse+validate %7.1f ms  stamp %5.1f ms"
	       "  resolve+status %6.1f ms  total %7.1f ms (min %.1f max %.1f)  cpu %7.1f ms"
	       "  arena %.1f MiB\n",
	       routes, routes / 10, len / 1048576.0, med->parse, med->stamp, med->resolve,
	       med->total, t[0], t[ROUNDS - 1], med->cpu, arena / 1048576.0);
	free(yaml);
	return 0;
}

int main(int argc, char **argv)
{
	int sizes[8] = { 1000, 10000 }, n = 2;
	struct result res[8];

	if (argc > 1) {
		n = 0;
		for (int i = 1; i < argc && n < 8; i++)
			sizes[n++] = atoi(argv[i]);
	}
	printf("config pipeline benchmark, %d rounds each, medians\n", ROUNDS);
	for (int i = 0; i < n; i++)
		if (run(sizes[i], &res[i]))
			return 1;
	for (int i = 1; i < n; i++)
		printf("growth %d -> %d routes (x%.1f): total time x%.2f, per route %.1f us -> "
		       "%.1f us\n", sizes[i - 1], sizes[i], (double)sizes[i] / sizes[i - 1],
		       res[i].total / res[i - 1].total, res[i - 1].total * 1e3 / sizes[i - 1],
		       res[i].total * 1e3 / sizes[i]);
	return 0;
}
