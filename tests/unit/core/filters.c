// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Filters and message transformations (user/core/filters.c): header
 * modifiers (set/add/remove, case-insensitive), hop-by-hop stripping,
 * X-Forwarded-*, request and response heads, ReplacePrefixMatch (every row
 * of the table in HTTPPathModifier.ReplacePrefixMatch), redirect Location
 * (HTTPRequestRedirectFilter port rules), CORS, session tokens.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "gw/filters.h"
#include "user/core/filters.c"

static struct gw_hlist hl;

#define H(n, v) { n, v, (uint32_t)sizeof(n) - 1, (uint32_t)sizeof(v) - 1 }

static const char *head_str(struct gw_sbuf *b)
{
	gw_sbuf_put(b, "", 1);
	return b->p;
}

static void test_hdrmod(void **s)
{
	struct gw_rt_hdrmod m = { .set = { H("X-Set", "new") },
				  .add = { H("x-add", "added"), H("X-Fresh", "f") },
				  .remove = { H("x-remove", "") },
				  .nset = 1,
				  .nadd = 2,
				  .nremove = 1 };

	(void)s;
	gw_hlist_init(&hl);
	gw_hlist_add(&hl, "x-set", 5, "old1", 4);
	gw_hlist_add(&hl, "X-Add", 5, "a", 1);
	gw_hlist_add(&hl, "X-Remove", 8, "r", 1);
	gw_hlist_add(&hl, "Keep", 4, "k", 1);
	gw_hlist_add(&hl, "X-SET", 5, "old2", 4);
	gw_hlist_add(&hl, "x-add", 5, "b", 1);
	gw_hlist_apply(&hl, &m);
	assert_int_equal(hl.n, 4);
	/* set: one field, in place of the first */
	assert_memory_equal(hl.v[0].value, "new", 3);
	assert_int_equal(hl.v[0].value_len, 3);
	/* add: appended to the existing values with "," */
	assert_int_equal(hl.v[1].value_len, strlen("a,b,added"));
	assert_memory_equal(hl.v[1].value, "a,b,added", 9);
	assert_memory_equal(hl.v[2].name, "Keep", 4);
	assert_memory_equal(hl.v[3].name, "X-Fresh", 7);
	assert_null(gw_hlist_find(&hl, "x-remove", 8));
}

static void test_hop_by_hop(void **s)
{
	const struct gw_http1_header hs[] = {
		{ "Connection", "keep-alive, X-Private", 10, 21 },
		{ "Keep-Alive", "timeout=5", 10, 9 },
		{ "X-Private", "secret", 9, 6 },
		{ "TE", "trailers", 2, 8 },
		{ "Transfer-Encoding", "chunked", 17, 7 },
		{ "Upgrade", "h2c", 7, 3 },
		{ "Proxy-Connection", "x", 16, 1 },
		{ "Trailer", "x", 7, 1 },
		{ "Content-Length", "5", 14, 1 },
		{ "X-End", "to-end", 5, 6 },
	};

	(void)s;
	gw_hlist_init(&hl);
	gw_hlist_from_message(&hl, hs, sizeof(hs) / sizeof(hs[0]));
	assert_int_equal(hl.n, 1);
	assert_memory_equal(hl.v[0].name, "X-End", 5);
}

static void test_request_head(void **s)
{
	const struct gw_http1_header hs[] = {
		{ "Host", "www.example.com", 4, 15 },
		{ "X-Forwarded-For", "1.1.1.1", 15, 7 },
		{ "X-Forwarded-Proto", "https", 17, 5 },
		{ "Connection", "close", 10, 5 },
		{ "Accept", "*/*", 6, 3 },
	};
	struct gw_rt_hdrmod rule = { .add = { H("X-Rule", "r") }, .nadd = 1 };
	struct gw_rt_hdrmod be = { .set = { H("x-rule", "backend-wins") }, .nset = 1 };
	struct gw_fwd_req f = { .method = "POST", .method_len = 4, .path = "/new", .path_len = 4,
				.query = "a=1", .query_len = 3, .host = "rewritten",
				.host_len = 9, .orig_host = "www.example.com",
				.orig_host_len = 15, .client_ip = "10.0.0.9", .proto = "http",
				.xff = GW_XFF_APPEND, .has_length = true, .content_length = 7,
				.mods = { &rule, &be } };
	struct gw_sbuf b = { 0 };

	(void)s;
	assert_int_equal(gw_build_request_head(&b, &hl, &f, hs, 5), 0);
	assert_string_equal(head_str(&b),
			    "POST /new?a=1 HTTP/1.1\r\n"
			    "Host: rewritten\r\n"
			    "Accept: */*\r\n"
			    "X-Forwarded-For: 1.1.1.1, 10.0.0.9\r\n"
			    "X-Forwarded-Proto: http\r\n"
			    "X-Forwarded-Host: www.example.com\r\n"
			    "X-Rule: backend-wins\r\n"
			    "Content-Length: 7\r\n\r\n");
	gw_sbuf_reset(&b);
	f.xff = GW_XFF_OFF;
	f.has_length = false;
	f.chunked = true;
	f.mods[0] = f.mods[1] = NULL;
	f.query = NULL;
	assert_int_equal(gw_build_request_head(&b, &hl, &f, hs, 5), 0);
	assert_string_equal(head_str(&b),
			    "POST /new HTTP/1.1\r\n"
			    "Host: rewritten\r\n"
			    "X-Forwarded-For: 1.1.1.1\r\n"
			    "X-Forwarded-Proto: https\r\n"
			    "Accept: */*\r\n"
			    "Transfer-Encoding: chunked\r\n\r\n");
	gw_sbuf_free(&b);
}

/* Names with '_' shadow gwd's fields in CGI-style backends: dropped unless allowed. */
static void test_request_head_underscores(void **s)
{
	const struct gw_http1_header hs[] = {
		{ "Host", "h", 4, 1 },
		{ "X_Forwarded_For", "6.6.6.6", 15, 7 },
		{ "Content_Length", "5", 14, 1 },
		{ "Accept", "*/*", 6, 3 },
	};
	struct gw_fwd_req f = { .method = "GET", .method_len = 3, .path = "/", .path_len = 1,
				.host = "h", .host_len = 1, .orig_host = "h", .orig_host_len = 1,
				.client_ip = "10.0.0.9", .proto = "http", .xff = GW_XFF_OFF };
	struct gw_sbuf b = { 0 };
	uint64_t drops = 0;

	(void)s;
	f.underscore_drops = &drops;
	assert_int_equal(gw_build_request_head(&b, &hl, &f, hs, 4), 0);
	assert_string_equal(head_str(&b), "GET / HTTP/1.1\r\nHost: h\r\nAccept: */*\r\n\r\n");
	assert_int_equal(drops, 2);
	gw_sbuf_reset(&b);
	f.allow_underscores = true;
	assert_int_equal(gw_build_request_head(&b, &hl, &f, hs, 4), 0);
	assert_string_equal(head_str(&b), "GET / HTTP/1.1\r\nHost: h\r\nX_Forwarded_For: 6.6.6.6\r\n"
					  "Content_Length: 5\r\nAccept: */*\r\n\r\n");
	assert_int_equal(drops, 2);
	gw_sbuf_free(&b);
}

/* X-Forwarded-Client-Cert: replaced on listeners that validate clients, else untouched. */
static void test_request_head_client_cert(void **s)
{
	const struct gw_http1_header hs[] = {
		{ "Host", "a", 4, 1 },
		{ "x-forwarded-client-cert", "Hash=forged", 23, 11 },
	};
	struct gw_fwd_req f = { .method = "GET", .method_len = 3, .path = "/", .path_len = 1,
				.host = "a", .host_len = 1, .xff = GW_XFF_OFF,
				.xfcc_replace = true, .xfcc = "Hash=ab;Subject=\"CN=x\"",
				.xfcc_len = 22 };
	struct gw_sbuf b = { 0 };

	(void)s;
	assert_int_equal(gw_build_request_head(&b, &hl, &f, hs, 2), 0);
	assert_string_equal(head_str(&b), "GET / HTTP/1.1\r\nHost: a\r\n"
			    "X-Forwarded-Client-Cert: Hash=ab;Subject=\"CN=x\"\r\n\r\n");
	/* no verified certificate: the client's is only removed */
	gw_sbuf_reset(&b);
	f.xfcc_len = 0;
	assert_int_equal(gw_build_request_head(&b, &hl, &f, hs, 2), 0);
	assert_string_equal(head_str(&b), "GET / HTTP/1.1\r\nHost: a\r\n\r\n");
	/* a listener without client validation forwards it as sent */
	gw_sbuf_reset(&b);
	f.xfcc_replace = false;
	assert_int_equal(gw_build_request_head(&b, &hl, &f, hs, 2), 0);
	assert_string_equal(head_str(&b), "GET / HTTP/1.1\r\nHost: a\r\n"
			    "x-forwarded-client-cert: Hash=forged\r\n\r\n");
	gw_sbuf_free(&b);
}

static void test_response_head(void **s)
{
	const struct gw_http1_header hs[] = {
		{ "Content-Type", "text/plain", 12, 10 },
		{ "Transfer-Encoding", "chunked", 17, 7 },
		{ "Connection", "keep-alive", 10, 10 },
		{ "Server", "echo", 6, 4 },
	};
	struct gw_rt_hdrmod m = { .remove = { H("server", "") }, .nremove = 1,
				  .add = { H("X-Resp", "1") }, .nadd = 1 };
	struct gw_rt_hdr extra[] = { H("Set-Cookie", "s=1") };
	struct gw_fwd_resp f = { .status = 200, .reason = "OK", .reason_len = 2, .chunked = true,
				 .close = true, .mods = { &m, NULL }, .extra = extra,
				 .nextra = 1 };
	struct gw_sbuf b = { 0 };

	(void)s;
	assert_int_equal(gw_build_response_head(&b, &hl, &f, hs, 4), 0);
	assert_string_equal(head_str(&b),
			    "HTTP/1.1 200 OK\r\n"
			    "Content-Type: text/plain\r\n"
			    "X-Resp: 1\r\n"
			    "Set-Cookie: s=1\r\n"
			    "Transfer-Encoding: chunked\r\n"
			    "Connection: close\r\n\r\n");
	gw_sbuf_reset(&b);
	memset(&f, 0, sizeof(f));
	f.status = 304;
	f.has_length = true;
	f.content_length = 12;
	f.keepalive_10 = true;
	assert_int_equal(gw_build_response_head(&b, &hl, &f, NULL, 0), 0);
	assert_string_equal(head_str(&b), "HTTP/1.1 304 Not Modified\r\nContent-Length: 12\r\n"
					  "Connection: keep-alive\r\n\r\n");
	gw_sbuf_reset(&b);
	gw_build_local_response(&b, 404, false, NULL, 0, "nope\n", false);
	assert_string_equal(head_str(&b), "HTTP/1.1 404 Not Found\r\nContent-Type: text/plain; "
					  "charset=utf-8\r\nContent-Length: 5\r\n\r\nnope\n");
	gw_sbuf_reset(&b);
	gw_build_local_response(&b, 503, true, NULL, 0, "x\n", true);
	assert_string_equal(head_str(&b), "HTTP/1.1 503 Service Unavailable\r\nContent-Type: "
					  "text/plain; charset=utf-8\r\nContent-Length: 2\r\n"
					  "Connection: close\r\n\r\n");
	gw_sbuf_free(&b);
}

/* HTTPPathModifier.ReplacePrefixMatch, every row of the spec's table. */
/* RFC 9110 6.5.1: fields a trailer may not carry are dropped, the rest kept in order. */
static void test_trailers_filter(void **s)
{
	struct gw_sbuf out = { 0 };
	const char *in = "x-sum: 42\r\nContent-Length: 5\r\nHOST: evil\r\n"
			 "Transfer-Encoding: chunked\r\nX-Forwarded-For: 1.2.3.4\r\n"
			 "forwarded: for=1.2.3.4\r\nAuthorization: x\r\nCookie: a=b\r\n"
			 "set-cookie: c=d\r\nProxy-Authorization: y\r\nconnection: close\r\n"
			 "Content-Type: text/html\r\nTrailer: x\r\nTE: trailers\r\n"
			 "X-Forwarded-Client-Cert: z\r\ngrpc-status: 0\r\n"
			 "Content-MD5: q\r\n\r\n";

	(void)s;
	assert_int_equal(gw_trailers_filter(&out, in, strlen(in)), 14);
	assert_string_equal(head_str(&out), "x-sum: 42\r\ngrpc-status: 0\r\nContent-MD5: q\r\n\r\n");
	gw_sbuf_reset(&out);
	assert_int_equal(gw_trailers_filter(&out, "\r\n", 2), 0);
	assert_string_equal(head_str(&out), "\r\n");
	gw_sbuf_reset(&out);
	assert_int_equal(gw_trailers_filter(&out, "Host: h\r\n\r\n", 11), 1);
	assert_string_equal(head_str(&out), "\r\n");
	gw_sbuf_free(&out);
}

static void test_replace_prefix_table(void **s)
{
	static const struct {
		const char *path, *prefix, *replace, *want;
	} rows[] = {
		{ "/foo/bar", "/foo", "/xyz", "/xyz/bar" },
		{ "/foo/bar", "/foo", "/xyz/", "/xyz/bar" },
		{ "/foo/bar", "/foo/", "/xyz", "/xyz/bar" },
		{ "/foo/bar", "/foo/", "/xyz/", "/xyz/bar" },
		{ "/foo", "/foo", "/xyz", "/xyz" },
		{ "/foo/", "/foo", "/xyz", "/xyz/" },
		{ "/foo/bar", "/foo", "", "/bar" },
		{ "/foo/", "/foo", "", "/" },
		{ "/foo", "/foo", "", "/" },
		{ "/foo/", "/foo", "/", "/" },
		{ "/foo", "/foo", "/", "/" },
	};

	(void)s;
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		size_t pl = strlen(rows[i].prefix);
		struct gw_rt_match m = { .ptype = GW_PM_PREFIX, .path = rows[i].prefix,
					 .path_len = (uint32_t)(rows[i].prefix[pl - 1] == '/' ? pl - 1
											      : pl) };
		struct gw_rt_pathmod pm = { GW_PATHMOD_PREFIX, rows[i].replace,
					    (uint32_t)strlen(rows[i].replace) };
		struct gw_sbuf b = { 0 };

		gw_apply_pathmod(&b, &pm, &m, rows[i].path, (uint32_t)strlen(rows[i].path));
		if (strcmp(head_str(&b), rows[i].want))
			fail_msg("%s with prefix %s replaced by '%s': got %s, want %s",
				 rows[i].path, rows[i].prefix, rows[i].replace, b.p, rows[i].want);
		gw_sbuf_free(&b);
	}
	{
		struct gw_rt_pathmod full = { GW_PATHMOD_FULL, "/full", 5 };
		struct gw_sbuf b = { 0 };

		gw_apply_pathmod(&b, &full, NULL, "/a/b", 4);
		assert_string_equal(head_str(&b), "/full");
		gw_sbuf_free(&b);
	}
}

static const char *loc(const struct gw_rt_redirect *r, const char *path, const char *query,
		       int lport)
{
	static struct gw_sbuf b;
	struct gw_rt_match m = { .ptype = GW_PM_PREFIX, .path = "/old", .path_len = 4 };

	gw_sbuf_reset(&b);
	gw_redirect_location(&b, r, &m, "http", "h.example", 9, lport, path,
			     (uint32_t)strlen(path), query, query ? (uint32_t)strlen(query) : 0);
	return head_str(&b);
}

static void test_redirect_location(void **s)
{
	struct gw_rt_redirect r = { .status = 302 };

	(void)s;
	/* no scheme: the listener's port, omitted when it is 80 for http */
	assert_string_equal(loc(&r, "/p", NULL, 80), "http://h.example/p");
	assert_string_equal(loc(&r, "/p", "a=1", 8080), "http://h.example:8080/p?a=1");
	/* a scheme: its well-known port, never the listener's */
	r.scheme = "https";
	assert_string_equal(loc(&r, "/p", NULL, 8080), "https://h.example/p");
	r.port = 8443;
	assert_string_equal(loc(&r, "/p", NULL, 8080), "https://h.example:8443/p");
	r.port = 443;
	assert_string_equal(loc(&r, "/p", NULL, 8080), "https://h.example/p");
	r.scheme = NULL;
	r.port = 80;
	assert_string_equal(loc(&r, "/p", NULL, 8080), "http://h.example/p");
	r.port = 0;
	r.hostname = "other.example";
	assert_string_equal(loc(&r, "/p", NULL, 80), "http://other.example/p");
	r.path = (struct gw_rt_pathmod){ GW_PATHMOD_PREFIX, "/new", 4 };
	assert_string_equal(loc(&r, "/old/x", "q", 80), "http://other.example/new/x?q");
	r.path = (struct gw_rt_pathmod){ GW_PATHMOD_FULL, "/full", 5 };
	assert_string_equal(loc(&r, "/old/x", NULL, 80), "http://other.example/full");
}

static void test_cors(void **s)
{
	const char *origins[] = { "https://app.example.com", "http://*.example.org",
				  "https://svc.example.net:8443" };
	struct gw_rt_cors c = { .origins = origins, .norigins = 3, .methods = "GET, PUT",
				.headers = "x-a, x-b", .expose = "x-e", .max_age = 5 };
	struct gw_sbuf sb = { 0 };
	struct gw_rt_hdr h[GW_CORS_MAX_FIELDS];
	int n;

	(void)s;
	assert_true(gw_cors_origin_allowed(&c, "https://app.example.com", 23));
	assert_true(gw_cors_origin_allowed(&c, "https://app.example.com:443", 27));
	assert_false(gw_cors_origin_allowed(&c, "http://app.example.com", 22));
	assert_true(gw_cors_origin_allowed(&c, "http://a.b.example.org", 22));
	assert_false(gw_cors_origin_allowed(&c, "http://example.org", 18));
	assert_true(gw_cors_origin_allowed(&c, "https://svc.example.net:8443", 28));
	assert_false(gw_cors_origin_allowed(&c, "https://svc.example.net", 23));
	assert_false(gw_cors_origin_allowed(&c, "garbage", 7));
	/* preflight: allow-origin echoes the origin, methods, headers, max-age, expose, Vary */
	n = gw_cors_headers(&c, true, "https://app.example.com", 23, "PUT", 3, "x-a", 3, &sb, h);
	assert_int_equal(n, 6);
	assert_memory_equal(h[0].name, "Access-Control-Allow-Origin", 27);
	assert_memory_equal(h[0].value, "https://app.example.com", 23);
	assert_memory_equal(h[1].value, "GET, PUT", 8);
	assert_memory_equal(h[2].value, "x-a, x-b", 8);
	assert_memory_equal(h[3].name, "Access-Control-Max-Age", 22);
	assert_memory_equal(h[3].value, "5", 1);
	/* HTTPRouteCORS conformance (v1.6.1) wants exposeHeaders on the preflight too */
	assert_memory_equal(h[4].name, "Access-Control-Expose-Headers", 29);
	assert_memory_equal(h[4].value, "x-e", 3);
	/* not allowed: nothing */
	gw_sbuf_reset(&sb);
	assert_int_equal(gw_cors_headers(&c, true, "https://evil.com", 16, "PUT", 3, NULL, 0, &sb,
					 h), 0);
	/* actual request: expose headers */
	gw_sbuf_reset(&sb);
	n = gw_cors_headers(&c, false, "http://x.example.org", 20, NULL, 0, NULL, 0, &sb, h);
	assert_int_equal(n, 3);
	assert_memory_equal(h[1].name, "Access-Control-Expose-Headers", 29);
	/* wildcards: '*' without credentials, echoes with them */
	c.any_origin = c.any_method = c.any_header = true;
	c.methods = c.headers = "*";
	gw_sbuf_reset(&sb);
	n = gw_cors_headers(&c, true, "https://z.com", 13, "DELETE", 6, "x-q", 3, &sb, h);
	assert_memory_equal(h[0].value, "*", 1);
	assert_memory_equal(h[1].value, "*", 1);
	c.credentials = true;
	gw_sbuf_reset(&sb);
	n = gw_cors_headers(&c, true, "https://z.com", 13, "DELETE", 6, "x-q", 3, &sb, h);
	assert_int_equal(n, GW_CORS_MAX_FIELDS);
	assert_memory_equal(h[0].value, "https://z.com", 13);
	assert_memory_equal(h[1].value, "true", 4);
	assert_memory_equal(h[2].value, "DELETE", 6);
	assert_memory_equal(h[3].value, "x-q", 3);
	gw_sbuf_free(&sb);
}

static void test_session_token(void **s)
{
	struct gw_session_tok t = { 3, 77, 1700000000, 1700000100 }, u;
	const struct gw_http1_header hs[] = {
		{ "Cookie", "a=1; gw-session=\"tok\"; b=2", 6, 26 },
	};
	char buf[96];
	const char *v;
	uint32_t vl;

	(void)s;
	gw_session_key_init();
	gw_session_encode(&t, buf, sizeof(buf));
	assert_true(gw_session_decode(buf, (uint32_t)strlen(buf), &u));
	assert_int_equal(u.backend, 3);
	assert_int_equal(u.endpoint, 77);
	assert_int_equal(u.issued_s, 1700000000);
	assert_int_equal(u.last_s, 1700000100);
	/* any change breaks the MAC */
	buf[0] = buf[0] == '3' ? '2' : '3';
	assert_false(gw_session_decode(buf, (uint32_t)strlen(buf), &u));
	assert_false(gw_session_decode("garbage", 7, &u));
	v = gw_cookie_find(hs, 1, "gw-session", &vl);
	assert_non_null(v);
	assert_int_equal(vl, 3);
	assert_memory_equal(v, "tok", 3);
	assert_null(gw_cookie_find(hs, 1, "gw-sess", &vl));
	v = gw_cookie_find(hs, 1, "b", &vl);
	assert_memory_equal(v, "2", 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_hdrmod),
		cmocka_unit_test(test_hop_by_hop),
		cmocka_unit_test(test_request_head),
		cmocka_unit_test(test_request_head_client_cert),
		cmocka_unit_test(test_request_head_underscores),
		cmocka_unit_test(test_response_head),
		cmocka_unit_test(test_trailers_filter),
		cmocka_unit_test(test_replace_prefix_table),
		cmocka_unit_test(test_redirect_location),
		cmocka_unit_test(test_cors),
		cmocka_unit_test(test_session_token),
	};

	return cmocka_run_group_tests_name("core/filters", tests, NULL, NULL);
}
