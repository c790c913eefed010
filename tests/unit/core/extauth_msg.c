// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * ExternalAuth messages (user/core/extauth_msg.c), per HTTPAuthConfig in
 * apis/v1/httproute_types.go: the fields sent to the authorization service
 * (Host, Authorization and Content-Length always, plus allowedHeaders), the
 * http.path prefix, the fields of its answer copied to the backend request
 * (allowedResponseHeaders, or all but Host), and that copy into a head.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "gw/extauth.h"
#include "user/core/extauth_msg.c"

#define H(n, v) { n, v, (uint32_t)sizeof(n) - 1, (uint32_t)sizeof(v) - 1 }

static struct gw_hlist hl;

static const char *str(struct gw_sbuf *b)
{
	gw_sbuf_put(b, "", 1);
	return b->p;
}

static void test_sends_field(void **s)
{
	struct gw_rt_hdr allowed[] = { H("X-Tenant", ""), H("cookie", "") };
	struct gw_rt_extauth e = { .req_hdrs = allowed, .nreq_hdrs = 2 };
	struct gw_rt_extauth none = { 0 };

	(void)s;
	assert_true(gw_extauth_sends_field(&none, "Authorization", 13));
	assert_true(gw_extauth_sends_field(&none, "AUTHORIZATION", 13));
	assert_false(gw_extauth_sends_field(&none, "X-Tenant", 8));
	assert_false(gw_extauth_sends_field(&none, "Cookie", 6));
	assert_true(gw_extauth_sends_field(&e, "x-tenant", 8));
	assert_true(gw_extauth_sends_field(&e, "Cookie", 6));
	assert_false(gw_extauth_sends_field(&e, "X-Tenant-Id", 11));
	/* written by the head builder itself, never copied */
	assert_false(gw_extauth_sends_field(&e, "Host", 4));
	assert_false(gw_extauth_sends_field(&e, "content-length", 14));
}

static const char *head_for(struct gw_sbuf *b, const char *prefix, const char *path,
			    const char *query, const struct gw_rt_extauth *base)
{
	struct gw_rt_extauth e = *base;

	e.path = prefix;
	e.path_len = (uint32_t)strlen(prefix);
	gw_sbuf_reset(b);
	gw_extauth_request_head(b, &e, "GET", 3, path, (uint32_t)strlen(path), query,
				query ? (uint32_t)strlen(query) : 0, "h.example", 9, &hl);
	gw_extauth_request_end(b, 0);
	return str(b);
}

static void test_request_path_prefix(void **s)
{
	struct gw_rt_extauth e = { 0 };
	struct gw_sbuf b = { 0 };

	(void)s;
	gw_hlist_init(&hl);
	assert_string_equal(head_for(&b, "", "/api/x", "q=1", &e),
			    "GET /api/x?q=1 HTTP/1.1\r\nHost: h.example\r\n"
			    "Content-Length: 0\r\n\r\n");
	assert_string_equal(head_for(&b, "/check", "/api/x", "q=1", &e),
			    "GET /check/api/x?q=1 HTTP/1.1\r\nHost: h.example\r\n"
			    "Content-Length: 0\r\n\r\n");
	/* a trailing '/' of the prefix does not double the separator */
	assert_string_equal(head_for(&b, "/check/", "/api", NULL, &e),
			    "GET /check/api HTTP/1.1\r\nHost: h.example\r\n"
			    "Content-Length: 0\r\n\r\n");
	assert_string_equal(head_for(&b, "/", "/", NULL, &e),
			    "GET / HTTP/1.1\r\nHost: h.example\r\nContent-Length: 0\r\n\r\n");
	/* the prefix is sanitized into origin-form */
	assert_string_equal(head_for(&b, "auth", "/p", NULL, &e),
			    "GET /auth/p HTTP/1.1\r\nHost: h.example\r\nContent-Length: 0\r\n\r\n");
	gw_sbuf_free(&b);
}

static void test_request_fields(void **s)
{
	/* as a client sent them; gw_hlist_from_message drops the hop-by-hop ones */
	const struct gw_http1_header req[] = {
		H("Host", "h.example"),	 H("Authorization", "Bearer t"),
		H("X-Tenant", "t1"),		 H("X-Secret", "s"),
		H("Connection", "X-Tenant"),	 H("Content-Length", "5"),
		H("x-tenant", "t2"),		 H("Cookie", "a=1"),
	};
	struct gw_rt_hdr allowed[] = { H("x-tenant", ""), H("Connection", ""),
				       H("Content-Length", "") };
	struct gw_rt_extauth e = { .req_hdrs = allowed, .nreq_hdrs = 3 };
	struct gw_sbuf b = { 0 };

	(void)s;
	gw_hlist_init(&hl);
	gw_hlist_from_message(&hl, req, sizeof(req) / sizeof(req[0]));
	gw_extauth_request_head(&b, &e, "POST", 4, "/p", 2, NULL, 0, "h.example", 9, &hl);
	gw_extauth_request_end(&b, 5);
	/*
	 * X-Tenant is listed in Connection, so it is hop-by-hop and never
	 * travels; Connection and Content-Length are ours whatever the list says
	 */
	assert_string_equal(str(&b), "POST /p HTTP/1.1\r\nHost: h.example\r\n"
				     "Authorization: Bearer t\r\nContent-Length: 5\r\n\r\n");
	gw_sbuf_free(&b);
	/* without the Connection listing, both X-Tenant fields go, in order */
	gw_hlist_init(&hl);
	gw_hlist_from_message(&hl, req, 4);
	gw_hlist_from_message(&hl, req + 6, 2);
	gw_extauth_request_head(&b, &e, "GET", 3, "/p", 2, NULL, 0, "h.example", 9, &hl);
	gw_extauth_request_end(&b, 0);
	assert_string_equal(str(&b), "GET /p HTTP/1.1\r\nHost: h.example\r\n"
				     "Authorization: Bearer t\r\nX-Tenant: t1\r\nx-tenant: t2\r\n"
				     "Content-Length: 0\r\n\r\n");
	gw_sbuf_free(&b);
}

static void test_copies_field(void **s)
{
	struct gw_rt_hdr allowed[] = { H("X-Auth-User", "") };
	struct gw_rt_extauth e = { .resp_hdrs = allowed, .nresp_hdrs = 1 };
	struct gw_rt_extauth all = { 0 };

	(void)s;
	/* empty list: everything but Authority or Host */
	assert_true(gw_extauth_copies_field(&all, "X-Auth-User", 11));
	assert_true(gw_extauth_copies_field(&all, "Date", 4));
	assert_false(gw_extauth_copies_field(&all, "Host", 4));
	assert_false(gw_extauth_copies_field(&all, ":authority", 10));
	/* a list: only its names, case-insensitively */
	assert_true(gw_extauth_copies_field(&e, "x-auth-user", 11));
	assert_false(gw_extauth_copies_field(&e, "Date", 4));
	assert_false(gw_extauth_copies_field(&e, "X-Auth-User-Id", 14));
}

static void test_merge_head(void **s)
{
	static const char head[] = "GET /p HTTP/1.1\r\nHost: h\r\nX-Auth-User: forged\r\n"
				   "Accept: */*\r\nx-auth-user: again\r\nContent-Length: 3\r\n\r\n";
	struct gw_rt_hdr set[] = { H("X-Auth-User", "alice"), H("X-Groups", "a,b") };
	struct gw_sbuf b = { 0 };

	(void)s;
	/* a client cannot smuggle its own value past the authorization service */
	assert_int_equal(gw_extauth_merge_head(&b, head, sizeof(head) - 1, set, 2, NULL, 0), 0);
	assert_string_equal(str(&b), "GET /p HTTP/1.1\r\nHost: h\r\nAccept: */*\r\n"
				     "Content-Length: 3\r\nX-Auth-User: alice\r\nX-Groups: a,b\r\n"
				     "\r\n");
	gw_sbuf_reset(&b);
	assert_int_equal(gw_extauth_merge_head(&b, head, sizeof(head) - 1, NULL, 0, NULL, 0), 0);
	assert_string_equal(str(&b), head);
	/* an allowed name the answer did not carry: the client's fields are dropped */
	gw_sbuf_reset(&b);
	assert_int_equal(gw_extauth_merge_head(&b, head, sizeof(head) - 1, set + 1, 1, set, 1), 0);
	assert_string_equal(str(&b), "GET /p HTTP/1.1\r\nHost: h\r\nAccept: */*\r\n"
				     "Content-Length: 3\r\nX-Groups: a,b\r\n\r\n");
	gw_sbuf_reset(&b);
	assert_int_equal(gw_extauth_merge_head(&b, "GET / HTTP/1.1\r\nHost: h\r\n", 25, set, 1,
					       NULL, 0),
			 -EINVAL);
	gw_sbuf_reset(&b);
	assert_int_equal(gw_extauth_merge_head(&b, "GET / HTTP/1.1\r\nbroken\r\n\r\n", 27, set, 1,
					       NULL, 0),
			 -EINVAL);
	gw_sbuf_free(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sends_field),
		cmocka_unit_test(test_request_path_prefix),
		cmocka_unit_test(test_request_fields),
		cmocka_unit_test(test_copies_field),
		cmocka_unit_test(test_merge_head),
	};

	return cmocka_run_group_tests_name("core/extauth_msg", tests, NULL, NULL);
}
