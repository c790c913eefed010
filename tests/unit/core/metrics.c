// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Request stats (user/core/metrics.c): one stat per (route, rule,
 * backend), found again by a later build (a counter of a route that
 * survives a reload keeps its value), one cache-line cell per worker of
 * gw_metrics_init(), freed with the last route table that references it,
 * and the /metrics lines for it.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lib/fixture.h"
#include "gw/metrics.h"
#include "gw/router.h"

#define CFG(routes)                                                                          \
	FX_CLASS "apiVersion: gateway.networking.k8s.io/v1\nkind: Gateway\n"                  \
		 "metadata: {name: gw, namespace: default}\n"                                 \
		 "spec:\n  gatewayClassName: gc\n  listeners:\n"                              \
		 "  - {name: http, protocol: HTTP, port: 80}\n---\n"                          \
		 "apiVersion: v1\nkind: Service\nmetadata: {name: be, namespace: default}\n"  \
		 "spec: {ports: [{name: http, port: 8080}]}\n---\n" routes

#define ROUTE(name)                                                                          \
	"apiVersion: gateway.networking.k8s.io/v1\nkind: HTTPRoute\n"                         \
	"metadata: {name: " name ", namespace: default}\n"                                    \
	"spec:\n  parentRefs: [{name: gw}]\n  hostnames: [" name ".example]\n"                \
	"  rules:\n  - backendRefs: [{name: be, port: 8080}]\n---\n"

static char *scrape(void)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	assert_non_null(f);
	gw_metrics_write(f, 2);
	fclose(f);
	return buf;
}

static struct gw_rt_table *build(const char *yaml)
{
	char err[256];
	struct gw_rt_table *t = gw_rt_build(fx_resolve(yaml), err, sizeof(err));

	if (!t)
		fail_msg("gw_rt_build: %s", err);
	return t;
}

static struct gw_stat *stat_of(const struct gw_rt_table *t, const char *route)
{
	for (uint32_t i = 0; i < t->nrules; i++)
		if (!strcmp(t->rules[i]->route, route))
			return t->rules[i]->backends[0].stat;
	return NULL;
}

static void test_intern_cells_and_free(void **state)
{
	struct gw_stat *a, *b, *c;
	size_t n0 = gw_stat_count();
	char *m;

	(void)state;
	a = gw_stat_get("default/r", 0, "default/be:8080");
	assert_non_null(a);
	assert_int_equal(gw_stat_count(), n0 + 1);
	/* the cells of workers 0 and 1 are on cache lines of their own */
	assert_int_equal((uintptr_t)&a->cells[0] % 64, 0);
	assert_int_equal((uintptr_t)&a->cells[1] % 64, 0);
	assert_int_equal(gw_metrics_init(4), -EBUSY);
	gw_stat_record(a, 1, 200, 300);
	gw_stat_record(a, 2, 500, 300);	/* beyond the 2 cells: ignored */
	b = gw_stat_get("default/r", 0, "default/be:8080");
	assert_ptr_equal(a, b);
	c = gw_stat_get("default/r", 1, "default/be:8080");
	assert_ptr_not_equal(c, a);
	m = scrape();
	assert_non_null(strstr(m, "gwd_requests_total{route=\"default/r\",rule=\"0\","
				  "backend=\"default/be:8080\",code_class=\"2xx\"} 1\n"));
	assert_null(strstr(m, "code_class=\"5xx\""));
	assert_non_null(strstr(m, "gwd_request_duration_seconds_bucket{route=\"default/r\","
				  "rule=\"0\",backend=\"default/be:8080\",le=\"0.0005\"} 1\n"));
	free(m);
	gw_stat_put(b);
	assert_int_equal(gw_stat_count(), n0 + 2);
	gw_stat_put(a);
	assert_int_equal(gw_stat_count(), n0 + 1);
	gw_stat_put(c);
	assert_int_equal(gw_stat_count(), n0);
	m = scrape();
	assert_null(strstr(m, "route=\"default/r\""));
	free(m);
}

/* A reload keeps the counters of the routes it keeps and frees the others' with the old table. */
static void test_reload_keeps_and_frees(void **state)
{
	struct gw_rt_table *t1, *t2, *t3;
	size_t n0 = gw_stat_count();
	char *m;

	(void)state;
	t1 = build(CFG(ROUTE("a") ROUTE("b")));
	/* per rule: one for its backend, one for outcomes before a backend */
	assert_int_equal(gw_stat_count(), n0 + 4);
	gw_stat_record(stat_of(t1, "default/a"), 0, 200, 10);
	gw_stat_record(stat_of(t1, "default/b"), 1, 404, 10);
	t2 = build(CFG(ROUTE("a")));
	assert_ptr_equal(stat_of(t2, "default/a"), stat_of(t1, "default/a"));
	gw_rt_free(t1);
	assert_int_equal(gw_stat_count(), n0 + 2);
	m = scrape();
	assert_non_null(strstr(m, "{route=\"default/a\",rule=\"0\",backend=\"default/be:8080\","
				  "code_class=\"2xx\"} 1\n"));
	assert_null(strstr(m, "route=\"default/b\""));
	free(m);
	t3 = build(CFG(ROUTE("b")));
	gw_rt_free(t2);
	assert_int_equal(gw_stat_count(), n0 + 2);
	m = scrape();
	/* b came back: a new series; a is gone */
	assert_null(strstr(m, "route=\"default/a\""));
	assert_null(strstr(m, "route=\"default/b\""));
	free(m);
	gw_rt_free(t3);
	assert_int_equal(gw_stat_count(), n0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_intern_cells_and_free),
		cmocka_unit_test(test_reload_keeps_and_frees),
	};

	if (gw_metrics_init(2))
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
