// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The route table (user/core/router.c) against the precedence rules of
 * HTTPRouteRule.matches (apis/v1/httproute_types.go): Exact over
 * PathPrefix, longest prefix on segment boundaries, method, header count,
 * query count, oldest route, namespace/name, rule order; route hostname
 * specificity (HTTPRouteSpec.hostnames); listener hostname precedence and
 * isolation; header, query, method and regex matches (and the PCRE2
 * limits that bound a catastrophic pattern); table contents
 * (weights, invalid and empty backends, filters, ExternalAuth, timeouts,
 * retry); GRPCRouteRule.matches precedence and backend protocols.
 */
#include <errno.h>
#include <string.h>
#include <time.h>

#include "lib/fixture.h"
#include "gw/router.h"

#define GWY(listeners)                                                                       \
	FX_CLASS "apiVersion: gateway.networking.k8s.io/v1\nkind: Gateway\n"                  \
		 "metadata: {name: gw, namespace: default}\n"                                 \
		 "spec:\n  gatewayClassName: gc\n  listeners:\n" listeners "---\n"

#define L80 "  - {name: http, protocol: HTTP, port: 80, allowedRoutes: {namespaces: {from: All}}}\n"

#define SVC(name)                                                                            \
	"apiVersion: v1\nkind: Service\nmetadata: {name: " name ", namespace: default}\n"     \
	"spec: {ports: [{name: http, port: 8080}]}\n---\n"                                    \
	"apiVersion: discovery.k8s.io/v1\nkind: EndpointSlice\n"                              \
	"metadata: {name: " name "-1, namespace: default, labels: "                          \
	"{kubernetes.io/service-name: " name "}}\n"                                           \
	"addressType: IPv4\nports: [{name: http, port: 8080}]\n"                              \
	"endpoints: [{addresses: [10.0.0.1, 10.0.0.2]}]\n---\n"

/* An HTTPRoute in namespace ns with extra spec lines (hostnames/rules). */
#define ROUTE(ns, name, created, spec)                                                       \
	"apiVersion: gateway.networking.k8s.io/v1\nkind: HTTPRoute\n"                         \
	"metadata: {name: " name ", namespace: " ns ", creationTimestamp: '" created "'}\n"   \
	"spec:\n  parentRefs: [{name: gw, namespace: default}]\n" spec "---\n"

#define T0 "2026-01-01T00:00:00Z"
#define T1 "2026-01-02T00:00:00Z"
#define T2 "2026-01-03T00:00:00Z"

/* One rule to backend "be", with the given matches. */
#define RULE(matches) "  - matches: " matches "\n    backendRefs: [{name: be, port: 8080}]\n"

static struct gw_rt_table *tbl;
static void *md;

static struct gw_rt_table *build(const char *yaml)
{
	struct gw_config *cfg = fx_resolve(yaml);
	char err[512];
	struct gw_rt_table *t = gw_rt_build(cfg, err, sizeof(err));

	if (!t)
		fail_msg("gw_rt_build: %s", err);
	return t;
}

struct hdr {
	const char *name, *value;
};

/* "route#rule.match" of what serves the request, or "404". */
static const char *route_of(const char *method, const char *host, const char *target,
			    const struct hdr *hs)
{
	static char out[256];
	struct gw_http1_header h[16];
	struct gw_rt_request rq = { 0 };
	const struct gw_rt_port *p = gw_rt_port_find(tbl, NULL, 80);
	const struct gw_rt_listener *l;
	const struct gw_rt_match *m;
	char hb[256];
	const char *q = strchr(target, '?');
	size_t n = 0;

	assert_non_null(p);
	for (; hs && hs[n].name; n++)
		h[n] = (struct gw_http1_header){ hs[n].name, hs[n].value,
						 (uint32_t)strlen(hs[n].name),
						 (uint32_t)strlen(hs[n].value) };
	rq.method = method;
	rq.method_len = (uint32_t)strlen(method);
	rq.path = target;
	rq.path_len = q ? (uint32_t)(q - target) : (uint32_t)strlen(target);
	rq.query = q ? q + 1 : NULL;
	rq.query_len = q ? (uint32_t)strlen(q + 1) : 0;
	rq.host_len = (uint32_t)strlen(host);
	gw_http1_host_normalize(host, &rq.host_len, hb);
	rq.host = hb;
	rq.headers = h;
	rq.nheaders = n;
	l = gw_rt_listener_select(p, rq.host, rq.host_len);
	if (!l)
		return "404";
	m = gw_rt_lookup(l, &rq, md);
	if (!m)
		return "404";
	snprintf(out, sizeof(out), "%s#%d.%d", m->rule->route, m->rule->index, m->index);
	return out;
}

#define GET(host, target) route_of("GET", host, target, NULL)

static int setup(void **s)
{
	(void)s;
	md = gw_rt_match_data_new();
	return md ? 0 : -1;
}

static int teardown(void **s)
{
	(void)s;
	gw_rt_match_data_free(md);
	return 0;
}

static void done(void)
{
	gw_rt_free(tbl);
	tbl = NULL;
}

static void test_exact_beats_prefix(void **s)
{
	(void)s;
	tbl = build(GWY(L80) SVC("be")
		    ROUTE("default", "prefix", T0, "  rules:\n" RULE("[{path: {type: PathPrefix, "
								      "value: /foo}}]"))
		    ROUTE("default", "exact", T1, "  rules:\n" RULE("[{path: {type: Exact, value: "
								     "/foo}}]")));
	/* the exact route is newer, yet wins on its path */
	assert_string_equal(GET("h", "/foo"), "default/exact#0.0");
	assert_string_equal(GET("h", "/foo?x=1"), "default/exact#0.0");
	assert_string_equal(GET("h", "/foo/"), "default/prefix#0.0");
	assert_string_equal(GET("h", "/foo/bar"), "default/prefix#0.0");
	assert_string_equal(GET("h", "/fo"), "404");
	done();
}

static void test_longest_prefix_segments(void **s)
{
	(void)s;
	tbl = build(GWY(L80) SVC("be")
		    ROUTE("default", "r", T0, "  rules:\n"
			  RULE("[{path: {type: PathPrefix, value: /}}]")
			  RULE("[{path: {type: PathPrefix, value: /foo}}]")
			  RULE("[{path: {type: PathPrefix, value: /foo/bar}}]")
			  RULE("[{path: {type: PathPrefix, value: /v2/}}]")));
	assert_string_equal(GET("h", "/foo/bar/baz"), "default/r#2.0");
	assert_string_equal(GET("h", "/foo/bar"), "default/r#2.0");
	assert_string_equal(GET("h", "/foo/bar/"), "default/r#2.0");
	assert_string_equal(GET("h", "/foo/barn"), "default/r#1.0");
	assert_string_equal(GET("h", "/foo/baz"), "default/r#1.0");
	assert_string_equal(GET("h", "/foo"), "default/r#1.0");
	assert_string_equal(GET("h", "/foobar"), "default/r#0.0");
	assert_string_equal(GET("h", "/"), "default/r#0.0");
	/* "a trailing / is ignored": /v2/ matches /v2 and /v2/x, not /v2x */
	assert_string_equal(GET("h", "/v2"), "default/r#3.0");
	assert_string_equal(GET("h", "/v2/x"), "default/r#3.0");
	assert_string_equal(GET("h", "/v2x"), "default/r#0.0");
	done();
}

static void test_trailing_slash_longer(void **s)
{
	/* /abc/ has more characters than /abc: it wins where both match */
	(void)s;
	tbl = build(GWY(L80) SVC("be")
		    ROUTE("default", "a", T0, "  rules:\n" RULE("[{path: {type: PathPrefix, value: "
								 "/abc}}]"))
		    ROUTE("default", "b", T1, "  rules:\n" RULE("[{path: {type: PathPrefix, value: "
								 "/abc/}}]")));
	assert_string_equal(GET("h", "/abc/d"), "default/b#0.0");
	assert_string_equal(GET("h", "/abc"), "default/b#0.0");
	done();
}

static void test_method_headers_queries(void **s)
{
	static const struct hdr h2[] = { { "X-A", "1" }, { "x-b", "2" }, { NULL } };
	static const struct hdr h1[] = { { "x-a", "1" }, { NULL } };

	(void)s;
	tbl = build(GWY(L80) SVC("be")
		    ROUTE("default", "r", T0, "  rules:\n"
			  RULE("[{path: {value: /p}, headers: [{name: X-A, value: '1'}, {name: X-B, "
			       "value: '2'}]}]")
			  RULE("[{path: {value: /p}, method: POST}]")
			  RULE("[{path: {value: /p}, headers: [{name: x-a, value: '1'}]}]")
			  RULE("[{path: {value: /p}, queryParams: [{name: q, value: v}, {name: r, "
			       "value: w}]}]")
			  RULE("[{path: {value: /p}, queryParams: [{name: q, value: v}]}]")
			  RULE("[{path: {value: /p}}]")));
	/* method beats any number of header matches */
	assert_string_equal(route_of("POST", "h", "/p", h2), "default/r#1.0");
	/* more headers beat fewer */
	assert_string_equal(route_of("GET", "h", "/p", h2), "default/r#0.0");
	assert_string_equal(route_of("GET", "h", "/p", h1), "default/r#2.0");
	/* headers beat query params; more query params beat fewer */
	assert_string_equal(route_of("GET", "h", "/p?q=v&r=w", h1), "default/r#2.0");
	assert_string_equal(GET("h", "/p?q=v&r=w"), "default/r#3.0");
	assert_string_equal(GET("h", "/p?r=w&q=v"), "default/r#3.0");
	assert_string_equal(GET("h", "/p?q=v"), "default/r#4.0");
	assert_string_equal(GET("h", "/p?q=x"), "default/r#5.0");
	assert_string_equal(GET("h", "/p"), "default/r#5.0");
	done();
}

static void test_route_age_and_name(void **s)
{
	(void)s;
	tbl = build(GWY(L80) SVC("be")
		    ROUTE("default", "newer", T2, "  rules:\n" RULE("[{path: {value: /x}}]"))
		    ROUTE("default", "older", T1, "  rules:\n" RULE("[{path: {value: /x}}]"))
		    ROUTE("b", "same-age", T0, "  rules:\n" RULE("[{path: {value: /y}}]"))
		    ROUTE("a", "same-age", T0, "  rules:\n" RULE("[{path: {value: /y}}]"))
		    ROUTE("a", "same-age2", T0, "  rules:\n" RULE("[{path: {value: /y}}]")));
	assert_string_equal(GET("h", "/x"), "default/older#0.0");
	/* equal age: "{namespace}/{name}" alphabetically */
	assert_string_equal(GET("h", "/y"), "a/same-age#0.0");
	done();
}

static void test_first_rule_and_match(void **s)
{
	(void)s;
	tbl = build(GWY(L80) SVC("be")
		    ROUTE("default", "r", T0, "  rules:\n"
			  RULE("[{path: {value: /z}, headers: [{name: a, value: b}]}, "
			       "{path: {value: /q}}]")
			  RULE("[{path: {value: /z}}, {path: {value: /q}}]")));
	assert_string_equal(GET("h", "/q"), "default/r#0.1");
	assert_string_equal(GET("h", "/z"), "default/r#1.0");
	done();
}

static void test_route_hostnames(void **s)
{
	(void)s;
	tbl = build(GWY(L80) SVC("be")
		    ROUTE("default", "exact", T2, "  hostnames: [foo.example.com]\n  rules:\n"
			  RULE("[{path: {value: /only}}]"))
		    ROUTE("default", "wild", T1, "  hostnames: ['*.example.com']\n  rules:\n"
			  RULE("[{path: {value: /}}]"))
		    ROUTE("default", "deeper", T1, "  hostnames: ['*.b.example.com']\n  rules:\n"
			  RULE("[{path: {value: /}}]"))
		    ROUTE("default", "any", T0, "  rules:\n" RULE("[{path: {value: /}}]")));
	/* exact hostname first, then longer wildcards, then routes without hostnames */
	assert_string_equal(GET("foo.example.com", "/only/x"), "default/exact#0.0");
	assert_string_equal(GET("FOO.Example.COM:8080", "/only"), "default/exact#0.0");
	assert_string_equal(GET("foo.example.com.", "/only"), "default/exact#0.0");
	/* a path the exact route does not match falls to the next hostname bucket */
	assert_string_equal(GET("foo.example.com", "/other"), "default/wild#0.0");
	assert_string_equal(GET("a.b.example.com", "/"), "default/deeper#0.0");
	assert_string_equal(GET("x.example.com", "/"), "default/wild#0.0");
	/* *.example.com does not match example.com itself */
	assert_string_equal(GET("example.com", "/"), "default/any#0.0");
	assert_string_equal(GET("other.org", "/"), "default/any#0.0");
	done();
}

static void test_listener_isolation(void **s)
{
	(void)s;
	tbl = build(GWY("  - {name: a, protocol: HTTP, port: 80, hostname: a.example.com}\n"
			"  - {name: wild, protocol: HTTP, port: 80, hostname: '*.example.com'}\n"
			"  - {name: any, protocol: HTTP, port: 80}\n")
		    SVC("be")
		    "apiVersion: gateway.networking.k8s.io/v1\nkind: HTTPRoute\n"
		    "metadata: {name: ra, namespace: default}\nspec:\n"
		    "  parentRefs: [{name: gw, sectionName: a}]\n  rules:\n"
		    RULE("[{path: {value: /a-only}}]") "---\n"
		    "apiVersion: gateway.networking.k8s.io/v1\nkind: HTTPRoute\n"
		    "metadata: {name: rw, namespace: default}\nspec:\n"
		    "  parentRefs: [{name: gw, sectionName: wild}]\n  rules:\n"
		    RULE("[{path: {value: /}}]") "---\n"
		    "apiVersion: gateway.networking.k8s.io/v1\nkind: HTTPRoute\n"
		    "metadata: {name: rany, namespace: default}\nspec:\n"
		    "  parentRefs: [{name: gw, sectionName: any}]\n  rules:\n"
		    RULE("[{path: {value: /}}]") "---\n");
	assert_string_equal(GET("a.example.com", "/a-only"), "default/ra#0.0");
	/* GatewayHTTPListenerIsolation: a.example.com belongs to listener a only */
	assert_string_equal(GET("a.example.com", "/elsewhere"), "404");
	assert_string_equal(GET("b.example.com", "/x"), "default/rw#0.0");
	assert_string_equal(GET("example.com", "/x"), "default/rany#0.0");
	assert_string_equal(GET("b.other", "/x"), "default/rany#0.0");
	done();
}

static void test_header_query_regex_matches(void **s)
{
	static const struct hdr v12[] = { { "Version", "v1" }, { "version", "v2" }, { NULL } };
	static const struct hdr upper[] = { { "X-ID", "AB-123" }, { NULL } };
	static const struct hdr lower[] = { { "x-id", "ab-123" }, { NULL } };

	(void)s;
	tbl = build(GWY(L80) SVC("be")
		    ROUTE("default", "r", T0, "  rules:\n"
			  RULE("[{path: {type: RegularExpression, value: '/api/v[0-9]+/.*'}}]")
			  RULE("[{path: {value: /h}, headers: [{name: version, value: 'v1, v2'}]}]")
			  RULE("[{path: {value: /h}, headers: [{type: RegularExpression, "
			       "name: x-id, value: '[A-Z]+-[0-9]+'}]}]")
			  RULE("[{path: {value: /q}, queryParams: [{type: RegularExpression, "
			       "name: id, value: '[0-9]{3}'}]}]")
			  RULE("[{path: {value: /q}, queryParams: [{name: s, value: 'a b'}]}]")
			  RULE("[{path: {value: /}}]")));
	assert_string_equal(GET("h", "/api/v12/users"), "default/r#0.0");
	/* regular expressions match the whole value */
	assert_string_equal(GET("h", "/x/api/v1/users"), "default/r#5.0");
	assert_string_equal(GET("h", "/api/vx/users"), "default/r#5.0");
	/* a repeated header is its comma-joined list */
	assert_string_equal(route_of("GET", "h", "/h", v12), "default/r#1.0");
	assert_string_equal(route_of("GET", "h", "/h", upper), "default/r#2.0");
	assert_string_equal(route_of("GET", "h", "/h", lower), "default/r#5.0");
	assert_string_equal(GET("h", "/q?id=123"), "default/r#3.0");
	assert_string_equal(GET("h", "/q?id=1234"), "default/r#5.0");
	/* the first occurrence counts; values are percent-decoded */
	assert_string_equal(GET("h", "/q?id=12&id=123"), "default/r#5.0");
	assert_string_equal(GET("h", "/q?s=a%20b"), "default/r#4.0");
	assert_string_equal(GET("h", "/q?s=a+b"), "default/r#5.0");
	done();
}

/* CPU time of this thread, in ms. */
static double cpu_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

/*
 * Catastrophic backtracking ("(a+)+b" and "(a|a)*b" against 30 a's and no
 * b where one is needed: 2^30 ways to fail) stops at GW_RT_RE_MATCH_LIMIT:
 * the rule does not match, the next one serves, each stop is counted, and
 * 20 such lookups take well under 100 ms of CPU. With PCRE2's default
 * limit (10,000,000) they take 300-600 ms, without a limit minutes.
 */
static void test_regex_match_limit(void **s)
{
	char bomb[64] = "/", hv[64];
	struct hdr hbomb[] = { { "x-a", hv }, { NULL } };
	uint64_t hits;
	double t;

	(void)s;
	memset(bomb + 1, 'a', 30);
	strcpy(bomb + 31, "!b");
	memset(hv, 'a', 30);
	strcpy(hv + 30, "!b");
	tbl = build(GWY(L80) SVC("be")
		    ROUTE("default", "r", T0, "  rules:\n"
			  RULE("[{path: {type: RegularExpression, value: '/(a+)+b'}}]")
			  RULE("[{path: {value: /h}, headers: [{type: RegularExpression, "
			       "name: x-a, value: '(a|a)*b'}]}]")
			  RULE("[{path: {value: /}}]")));
	/* the patterns work on what they match and what they do not */
	assert_string_equal(GET("h", "/aaab"), "default/r#0.0");
	assert_string_equal(GET("h", "/aaa!b"), "default/r#2.0");
	assert_int_equal(__atomic_load_n(&gw_rt_regex_limit_hits, __ATOMIC_RELAXED), 0);
	t = cpu_ms();
	for (int i = 0; i < 10; i++) {
		assert_string_equal(GET("h", bomb), "default/r#2.0");
		assert_string_equal(route_of("GET", "h", "/h", hbomb), "default/r#2.0");
	}
	t = cpu_ms() - t;
	hits = __atomic_load_n(&gw_rt_regex_limit_hits, __ATOMIC_RELAXED);
	print_message("# 20 catastrophic regex lookups: %.1f ms CPU, %llu limit hits\n", t,
		      (unsigned long long)hits);
	/* one stop per lookup ("/h" has no b: the path regex fails at once) */
	assert_int_equal(hits, 20);
	if (t > 100)
		fail_msg("20 lookups took %.1f ms of CPU: the match limit does not bound them", t);
	done();
	/*
	 * Memory: a group repeated over a long value nests one backtracking
	 * frame per repetition; past the depth limit (interpreter) or the
	 * 32 KiB JIT stack the match stops too, even one that would succeed.
	 */
	static char longp[6002];
	longp[0] = '/';
	for (int i = 1; i < 6000; i++)
		longp[i] = i % 2 ? 'a' : 'b';
	strcpy(longp + 6000, "x");
	tbl = build(GWY(L80) SVC("be")
		    ROUTE("default", "r", T0, "  rules:\n"
			  RULE("[{path: {type: RegularExpression, value: '/((a|b))*x'}}]")
			  RULE("[{path: {value: /}}]")));
	assert_string_equal(GET("h", "/ababx"), "default/r#0.0");
	assert_string_equal(GET("h", longp), "default/r#1.0");
	assert_int_equal(__atomic_load_n(&gw_rt_regex_limit_hits, __ATOMIC_RELAXED), hits + 1);
	done();
}

static void test_table_contents(void **s)
{
	const struct gw_rt_rule *r;

	(void)s;
	tbl = build(GWY(L80) SVC("be") SVC("empty2")
		    "apiVersion: v1\nkind: Service\nmetadata: {name: empty, namespace: default}\n"
		    "spec: {ports: [{name: http, port: 8080}]}\n---\n"
		    ROUTE("default", "r", T0, "  rules:\n"
			  "  - name: canary\n    backendRefs:\n"
			  "    - {name: be, port: 8080, weight: 90}\n"
			  "    - {name: empty, port: 8080, weight: 10}\n"
			  "    - {name: missing, port: 8080, weight: 0}\n"
			  "    timeouts: {request: 10s, backendRequest: 2s}\n"
			  "    retry: {attempts: 3, codes: [503, 502], backoff: 50ms}\n"
			  "    filters:\n"
			  "    - type: RequestHeaderModifier\n"
			  "      requestHeaderModifier: {set: [{name: a, value: b}], "
			  "remove: [c]}\n"
			  "    - type: RequestMirror\n"
			  "      requestMirror: {backendRef: {name: be, port: 8080}, percent: 25}\n"));
	assert_int_equal(tbl->nrules, 1);
	r = tbl->rules[0];
	assert_string_equal(r->name, "canary");
	assert_int_equal(r->nbackends, 3);
	assert_int_equal(r->total_weight, 100);
	assert_int_equal(r->backends[0].state, GW_BE_OK);
	assert_int_equal(r->backends[0].neps, 2);
	assert_string_equal(r->backends[0].eps[1].name, "10.0.0.2:8080");
	assert_int_equal(r->backends[1].state, GW_BE_NOEPS);
	assert_int_equal(r->backends[2].state, GW_BE_INVALID);
	assert_int_equal(r->backends[2].weight, 0);
	assert_int_equal(r->timeout_request_ms, 10000);
	assert_int_equal(r->timeout_backend_ms, 2000);
	assert_true(r->retry.enabled);
	assert_int_equal(r->retry.attempts, 3);
	assert_int_equal(r->retry.backoff_ms, 50);
	assert_true(r->retry.codes[(503 - 400) / 8] & (1u << ((503 - 400) % 8)));
	assert_false(r->retry.codes[(504 - 400) / 8] & (1u << ((504 - 400) % 8)));
	assert_non_null(r->filters.req_hdr);
	assert_int_equal(r->filters.req_hdr->nset, 1);
	assert_int_equal(r->filters.req_hdr->nremove, 1);
	assert_int_equal(r->filters.nmirrors, 1);
	assert_int_equal(r->filters.mirrors[0].num, 25);
	assert_int_equal(r->filters.mirrors[0].den, 100);
	/* endpoint ids are stable per address */
	assert_int_equal(r->backends[0].eps[0].id, r->filters.mirrors[0].be.eps[0].id);
	done();
}

static void test_extension_ref_unsupported(void **s)
{
	(void)s;
	tbl = build(GWY(L80) SVC("be")
		    ROUTE("default", "r", T0, "  rules:\n"
			  "  - backendRefs: [{name: be, port: 8080}]\n    filters:\n"
			  "    - type: ExtensionRef\n"
			  "      extensionRef: {group: example.com, kind: Foo, name: f}\n"));
	assert_non_null(tbl->rules[0]->filters.unsupported);
	done();
}

/* A GRPCRoute in namespace default with extra spec lines. */
#define GROUTE(name, created, spec)                                                          \
	"apiVersion: gateway.networking.k8s.io/v1\nkind: GRPCRoute\n"                         \
	"metadata: {name: " name ", namespace: default, creationTimestamp: '" created "'}\n"  \
	"spec:\n  parentRefs: [{name: gw, namespace: default}]\n" spec "---\n"

#define POST(target, hs) route_of("POST", "h", target, hs)

/*
 * GRPCRouteRule.matches precedence: service characters, method
 * characters, header matches, then age; a rule without matches matches
 * every call; no match is 404 (gwd answers UNIMPLEMENTED to gRPC clients).
 */
static void test_grpc_precedence(void **s)
{
	static const struct hdr canary[] = { { "x-canary", "yes" }, { NULL, NULL } };

	(void)s;
	tbl = build(GWY(L80) SVC("be")
		    GROUTE("g", T1, "  rules:\n"
			   RULE("[{method: {service: pkg.Svc, method: Get}}]")
			   RULE("[{method: {service: pkg.Svc}}]")
			   RULE("[{method: {service: pkg.Svc, method: Get}, "
				"headers: [{name: x-canary, value: 'yes'}]}]")
			   RULE("[{method: {method: Get}}]")
			   RULE("[{method: {type: RegularExpression, service: 'pkg\\.S.*', "
				"method: 'Li.*'}}]"))
		    GROUTE("any", T2, "  hostnames: [other]\n  rules:\n"
			   "  - backendRefs: [{name: be, port: 8080}]\n"));
	assert_true(tbl->rules[0]->grpc);
	assert_int_equal(tbl->rules[0]->backends[0].proto, GW_BE_H2C);
	assert_string_equal(POST("/pkg.Svc/Get", NULL), "default/g#0.0");
	assert_string_equal(POST("/pkg.Svc/Get", canary), "default/g#2.0");
	assert_string_equal(POST("/pkg.Svc/Put", NULL), "default/g#1.0");
	/* an exact service outranks a method-only or regular-expression match */
	assert_string_equal(POST("/pkg.Svc/List", NULL), "default/g#1.0");
	assert_string_equal(POST("/pkg.Sx/List", NULL), "default/g#4.0");
	assert_string_equal(POST("/other.Svc/Get", NULL), "default/g#3.0");
	assert_string_equal(POST("/other.Svc/Put", NULL), "404");
	assert_string_equal(route_of("POST", "other", "/x.Y/Z", NULL), "default/any#0.0");
	done();
}

/* HTTPRoute backends speak HTTP/2 when the Service port's appProtocol says h2c. */
static void test_backend_proto(void **s)
{
	(void)s;
	tbl = build(GWY(L80) SVC("be")
		    "apiVersion: v1\nkind: Service\nmetadata: {name: h2, namespace: default}\n"
		    "spec: {ports: [{name: h, port: 8080, appProtocol: kubernetes.io/h2c}]}\n---\n"
		    ROUTE("default", "r", T0, "  rules:\n"
			  "  - backendRefs: [{name: be, port: 8080}, {name: h2, port: 8080}]\n"));
	assert_false(tbl->rules[0]->grpc);
	assert_int_equal(tbl->rules[0]->backends[0].proto, GW_BE_HTTP1);
	assert_int_equal(tbl->rules[0]->backends[1].proto, GW_BE_H2C);
	done();
}

/*
 * ExternalAuth (HTTPExternalAuthFilter): protocol HTTP becomes the rule's or
 * backendRef's extauth with its resolved service; GRPC is not implemented,
 * so the rule answers 500 (never skipped); an unresolved backendRef stays
 * in the table as invalid (500 at request time).
 */
static void test_external_auth(void **s)
{
	const struct gw_rt_extauth *e, *be;

	(void)s;
	tbl = build(GWY(L80) SVC("be") SVC("auth")
		    ROUTE("default", "r", T0, "  rules:\n"
			  "  - filters:\n    - type: ExternalAuth\n      externalAuth:\n"
			  "        protocol: HTTP\n        backendRef: {name: auth, port: 8080}\n"
			  "        http: {path: /check, allowedHeaders: [X-A, X-B],"
			  " allowedResponseHeaders: [X-User]}\n"
			  "        forwardBody: {maxSize: 512}\n"
			  "    backendRefs:\n    - name: be\n      port: 8080\n      filters:\n"
			  "      - type: ExternalAuth\n        externalAuth: {protocol: HTTP, http: {},"
			  " backendRef: {name: nosuch, port: 8080}}\n"
			  "  - filters:\n    - type: ExternalAuth\n      externalAuth: {protocol: GRPC,"
			  " grpc: {}, backendRef: {name: auth, port: 8080}}\n"
			  "    backendRefs: [{name: be, port: 8080}]\n"));
	e = tbl->rules[0]->filters.extauth;
	assert_non_null(e);
	assert_null(tbl->rules[0]->filters.unsupported);
	assert_string_equal(e->be.name, "default/auth:8080");
	assert_int_equal(e->be.state, GW_BE_OK);
	assert_int_equal(e->be.neps, 2);
	assert_string_equal(e->path, "/check");
	assert_int_equal(e->nreq_hdrs, 2);
	assert_string_equal(e->req_hdrs[1].name, "X-B");
	assert_int_equal(e->nresp_hdrs, 1);
	assert_string_equal(e->resp_hdrs[0].name, "X-User");
	assert_int_equal(e->body_max, 512);
	be = tbl->rules[0]->backends[0].filters->extauth;
	assert_non_null(be);
	assert_string_equal(be->be.name, "default/nosuch:8080");
	assert_int_equal(be->be.state, GW_BE_INVALID);
	assert_string_equal(be->path, "");
	assert_int_equal(be->body_max, 0);
	assert_null(tbl->rules[1]->filters.extauth);
	assert_non_null(tbl->rules[1]->filters.unsupported);
	done();
}

static void test_many_routes_index(void **s)
{
	static char yaml[2 << 20];
	int n;

	/* 2000 routes with distinct hosts and prefixes: every one is found */
	(void)s;
	n = snprintf(yaml, sizeof(yaml), "%s", GWY(L80) SVC("be"));
	for (int i = 0; i < 2000; i++)
		n += snprintf(yaml + n, sizeof(yaml) - (size_t)n,
			      ROUTE("default", "r%d", T0, "  hostnames: [h%d.example.com]\n"
				    "  rules:\n" RULE("[{path: {value: /p%d}}]")),
			      i, i, i);
	tbl = build(yaml);
	for (int i = 0; i < 2000; i += 7) {
		char host[64], path[64], want[64];

		snprintf(host, sizeof(host), "h%d.example.com", i);
		snprintf(path, sizeof(path), "/p%d/x", i);
		snprintf(want, sizeof(want), "default/r%d#0.0", i);
		assert_string_equal(GET(host, path), want);
		snprintf(path, sizeof(path), "/p%d", i + 1);
		assert_string_equal(GET(host, path), "404");
	}
	done();
}

static void test_normalize(void **s)
{
	char out[64];
	uint32_t n;

	(void)s;
	n = 15;
	gw_http1_host_normalize("WWW.Example.COM", &n, out);
	assert_int_equal(n, 15);
	assert_memory_equal(out, "www.example.com", 15);
	n = 9;
	gw_http1_host_normalize("[::1]:443", &n, out);
	assert_int_equal(n, 5);
	assert_memory_equal(out, "[::1]", 5);
	n = 7;
	gw_http1_host_normalize("a.b.:80", &n, out);
	assert_int_equal(n, 3);
	assert_memory_equal(out, "a.b", 3);
#define NORM(in, want)                                                                        \
	do {                                                                                  \
		uint32_t k = gw_http1_path_normalize(in, (uint32_t)strlen(in), out);             \
		assert_int_equal(k, strlen(want));                                            \
		assert_memory_equal(out, want, k);                                            \
	} while (0)
	NORM("/a/b/../c", "/a/c");
	NORM("/a/./b", "/a/b");
	NORM("/a/..", "/");
	NORM("/../a", "/a");
	NORM("/a/b/.", "/a/b/");
	NORM("/.hidden/x", "/.hidden/x");
	NORM("/a/b/..", "/a/");
#undef NORM
}

/* Issue 10 item 1: every encoding of ".." is a dot segment before matching. */
static void test_path_canon(void **s)
{
	static const struct {
		const char *in, *want;	/* want NULL: rejected (400) */
		enum gw_escaped_slash slash;
	} cases[] = {
		{ "/public/%2e%2e/private/secret.txt", "/private/secret.txt" },
		{ "/public/.%2e/private", "/private" },
		{ "/public/%2E%2E/private", "/private" },
		{ "/public/%2e./private", "/private" },
		{ "/public/%2e/x", "/public/x" },
		{ "/public/..%2fprivate", NULL },
		{ "/public/%2e%2e%2fprivate", NULL },
		{ "/public/%2e%2e%5cprivate", NULL },
		{ "/public/..\\private", NULL },
		{ "/public/%2e%2e%2fprivate", "/public/..%2Fprivate", GW_ESCAPED_SLASH_KEEP },
		{ "/a/%2F/b", "/a/%2F/b", GW_ESCAPED_SLASH_KEEP },
		{ "/public/a/./b/%7Efoo", "/public/a/b/~foo" },
		{ "/%41%62c", "/Abc" },
		{ "/a%20b%3f", "/a%20b%3F" },
		{ "/a%zz", NULL },
		{ "/a%2", NULL },
		{ "/a%", NULL },
		{ "/a%00b", NULL },
		{ "/plain/path", "/plain/path" },
	};
	char out[128];

	(void)s;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const char *why = NULL;
		uint32_t n = 0;
		int r = gw_http1_path_canon(cases[i].in, (uint32_t)strlen(cases[i].in), out, &n,
					    cases[i].slash, &why);

		if (!cases[i].want) {
			if (r != -EINVAL || !why)
				fail_msg("%s: expected a rejection, got %d", cases[i].in, r);
			continue;
		}
		if (r)
			fail_msg("%s: rejected (%s)", cases[i].in, why);
		if (n != strlen(cases[i].want) || memcmp(out, cases[i].want, n))
			fail_msg("%s: got '%.*s', want '%s'", cases[i].in, (int)n, out,
				 cases[i].want);
		/* canonical is a fixed point */
		char again[128];
		uint32_t m = 0;

		assert_int_equal(gw_http1_path_canon(out, n, again, &m, cases[i].slash, &why), 0);
		assert_int_equal(m, n);
		assert_memory_equal(again, out, n);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_exact_beats_prefix),
		cmocka_unit_test(test_path_canon),
		cmocka_unit_test(test_longest_prefix_segments),
		cmocka_unit_test(test_trailing_slash_longer),
		cmocka_unit_test(test_method_headers_queries),
		cmocka_unit_test(test_route_age_and_name),
		cmocka_unit_test(test_first_rule_and_match),
		cmocka_unit_test(test_route_hostnames),
		cmocka_unit_test(test_listener_isolation),
		cmocka_unit_test(test_header_query_regex_matches),
		cmocka_unit_test(test_regex_match_limit),
		cmocka_unit_test(test_table_contents),
		cmocka_unit_test(test_extension_ref_unsupported),
		cmocka_unit_test(test_grpc_precedence),
		cmocka_unit_test(test_backend_proto),
		cmocka_unit_test(test_external_auth),
		cmocka_unit_test(test_many_routes_index),
		cmocka_unit_test(test_normalize),
	};

	return cmocka_run_group_tests_name("router/match", tests, setup, teardown);
}
