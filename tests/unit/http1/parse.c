// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The HTTP/1.1 parser (user/http1/parse.c): valid requests and responses,
 * incremental parsing, and every rejection a smuggling-safe proxy needs
 * (RFC 9112): bare CR/LF, obs-fold, invalid token and value octets,
 * duplicate/conflicting framing, oversize heads (414/431), Host rules.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "user/http1/parse.c"

static struct gw_http1_req req;
static struct gw_http1_resp resp;

/* Parses a whole request; returns the head length or the error status as a negative. */
static int preq(const char *s)
{
	struct gw_http1_info info;
	int r = gw_http1_parse_request(s, strlen(s), 0, &req);

	if (r == GW_HTTP1_ERROR)
		return -req.error_status;
	if (r < 0)
		return r;
	if (gw_http1_request_info(&req, &info))
		return -info.error_status;
	return r;
}

static int info_of(const char *s, struct gw_http1_info *info)
{
	int r = gw_http1_parse_request(s, strlen(s), 0, &req);

	assert_true(r > 0);
	return gw_http1_request_info(&req, info);
}

static bool hdr(size_t i, const char *name, const char *value)
{
	return i < req.nheaders && req.headers[i].name_len == strlen(name) &&
	       !memcmp(req.headers[i].name, name, strlen(name)) &&
	       req.headers[i].value_len == strlen(value) &&
	       !memcmp(req.headers[i].value, value, strlen(value));
}

static void test_simple_get(void **s)
{
	const char *r = "GET /path?q=1 HTTP/1.1\r\nHost: example.com\r\nX-A:  spaced value \t\r\n"
			"Empty:\r\n\r\n";

	(void)s;
	assert_int_equal(preq(r), (int)strlen(r));
	assert_int_equal(req.method_len, 3);
	assert_memory_equal(req.method, "GET", 3);
	assert_int_equal(req.target_len, 9);
	assert_memory_equal(req.target, "/path?q=1", 9);
	assert_int_equal(req.minor, 1);
	assert_int_equal(req.nheaders, 3);
	assert_true(hdr(0, "Host", "example.com"));
	assert_true(hdr(1, "X-A", "spaced value"));
	assert_true(hdr(2, "Empty", ""));
}

static void test_incremental(void **s)
{
	const char *r = "POST /x HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\n\r\nabc";
	size_t head = strlen(r) - 3, last = 0;

	(void)s;
	for (size_t n = 1; n < head; n++) {
		int rc = gw_http1_parse_request(r, n, last, &req);

		assert_int_equal(rc, GW_HTTP1_INCOMPLETE);
		last = n;
	}
	assert_int_equal(gw_http1_parse_request(r, head, last, &req), (int)head);
	/* bytes after the head are not part of it */
	assert_int_equal(gw_http1_parse_request(r, strlen(r), 0, &req), (int)head);
}

static void test_leading_empty_lines(void **s)
{
	(void)s;
	assert_true(preq("\r\n\r\nGET / HTTP/1.1\r\nHost: h\r\n\r\n") > 0);
	assert_int_equal(preq("\r\n\r\n\r\n\r\n\r\nGET / HTTP/1.1\r\nHost: h\r\n\r\n"), -400);
}

static void test_versions(void **s)
{
	struct gw_http1_info info;

	(void)s;
	assert_true(preq("GET / HTTP/1.0\r\n\r\n") > 0);
	assert_int_equal(req.minor, 0);
	assert_int_equal(preq("GET / HTTP/2.0\r\nHost: h\r\n\r\n"), -505);
	assert_int_equal(preq("GET / HTTP/3.0\r\nHost: h\r\n\r\n"), -505);
	/* RFC 9110 2.5: a higher minor version is processed as the highest we support */
	assert_true(preq("GET / HTTP/1.2\r\nHost: h\r\n\r\n") > 0);
	assert_int_equal(req.minor, 1);
	assert_true(preq("GET / HTTP/1.9\r\nHost: h\r\n\r\n") > 0);
	assert_int_equal(req.minor, 1);
	/* ... and so with the 1.1 rules: Host is required */
	assert_int_equal(preq("GET / HTTP/1.2\r\n\r\n"), -400);
	assert_int_equal(preq("GET / HTTP/1.10\r\nHost: h\r\n\r\n"), -400);
	assert_int_equal(preq("GET / HTTP/0.9\r\nHost: h\r\n\r\n"), -505);
	assert_int_equal(preq("GET / HTTX/1.1\r\nHost: h\r\n\r\n"), -400);
	assert_int_equal(preq("GET / HTTP/1.1 \r\nHost: h\r\n\r\n"), -400);
	assert_int_equal(preq("GET / http/1.1\r\nHost: h\r\n\r\n"), -400);
	/* keep-alive semantics per version */
	assert_int_equal(info_of("GET / HTTP/1.1\r\nHost: h\r\n\r\n", &info), 0);
	assert_true(info.keepalive);
	assert_int_equal(info_of("GET / HTTP/1.1\r\nHost: h\r\nConnection: x, Close\r\n\r\n", &info),
			 0);
	assert_false(info.keepalive);
	assert_int_equal(info_of("GET / HTTP/1.0\r\n\r\n", &info), 0);
	assert_false(info.keepalive);
	assert_int_equal(info_of("GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n", &info), 0);
	assert_true(info.keepalive);
}

static void test_request_line_rejections(void **s)
{
	(void)s;
	assert_int_equal(preq("G(T / HTTP/1.1\r\nHost: h\r\n\r\n"), -400);
	assert_int_equal(preq(" GET / HTTP/1.1\r\nHost: h\r\n\r\n"), -400);
	assert_int_equal(preq("GET  / HTTP/1.1\r\nHost: h\r\n\r\n"), -400);
	assert_int_equal(preq("GET /a b HTTP/1.1\r\nHost: h\r\n\r\n"), -400);
	assert_int_equal(preq("GET /\x01 HTTP/1.1\r\nHost: h\r\n\r\n"), -400);
	assert_int_equal(preq("GET /\x7f HTTP/1.1\r\nHost: h\r\n\r\n"), -400);
	assert_int_equal(preq("GET /\xc3\xa9 HTTP/1.1\r\nHost: h\r\n\r\n"), -400);
	assert_int_equal(preq("GET\t/ HTTP/1.1\r\nHost: h\r\n\r\n"), -400);
	/* bare LF / CR terminating the request line */
	assert_int_equal(preq("GET / HTTP/1.1\nHost: h\r\n\r\n"), -400);
	assert_int_equal(preq("GET / HTTP/1.1\rHost: h\r\n\r\n"), -400);
}

/*
 * A complete request line is judged at once: an HTTP/0.9-style "GET /"
 * (no version, no header section to wait for) is 400 now, not a 408 when
 * the header timeout fires.
 */
static void test_request_line_early(void **s)
{
	(void)s;
	assert_int_equal(gw_http1_parse_request("GET /\r\n", 7, 0, &req), GW_HTTP1_ERROR);
	assert_int_equal(req.error_status, 400);
	assert_int_equal(gw_http1_parse_request("GET / HTTP/2.0\r\nHo", 20, 0, &req),
			 GW_HTTP1_ERROR);
	assert_int_equal(req.error_status, 505);
	assert_int_equal(gw_http1_parse_request("GET /a b HTTP/1.1\r\n", 19, 0, &req),
			 GW_HTTP1_ERROR);
	assert_int_equal(req.error_status, 400);
	/* a good request line still waits for the rest of the head */
	assert_int_equal(gw_http1_parse_request("GET / HTTP/1.1\r\nHo", 18, 0, &req),
			 GW_HTTP1_INCOMPLETE);
	assert_int_equal(gw_http1_parse_request("\r\nGET / HTTP/1.1\r\n", 18, 0, &req),
			 GW_HTTP1_INCOMPLETE);
	assert_int_equal(gw_http1_parse_request("GET / HTTP/1.1\r", 15, 0, &req),
			 GW_HTTP1_INCOMPLETE);
}

static void test_bare_crlf_incomplete(void **s)
{
	/* rejected as soon as seen, not after waiting for a head end that never comes */
	(void)s;
	assert_int_equal(gw_http1_parse_request("GET / HTTP/1.1\nHo", 17, 0, &req), GW_HTTP1_ERROR);
	assert_int_equal(req.error_status, 400);
	assert_int_equal(gw_http1_parse_request("GET / HTTP/1.1\r\nA: b\rX", 23, 0, &req),
			 GW_HTTP1_ERROR);
	assert_int_equal(gw_http1_parse_request("GET / HTTP/1.1\r\nA: b\r", 21, 0, &req),
			 GW_HTTP1_INCOMPLETE);
}

static void test_field_rejections(void **s)
{
	(void)s;
	/* obs-fold */
	assert_int_equal(preq("GET / HTTP/1.1\r\nHost: h\r\nX: a\r\n  folded\r\n\r\n"), -400);
	assert_int_equal(preq("GET / HTTP/1.1\r\nHost: h\r\nX: a\r\n\tfolded\r\n\r\n"), -400);
	/* whitespace before the colon */
	assert_int_equal(preq("GET / HTTP/1.1\r\nHost : h\r\n\r\n"), -400);
	assert_int_equal(preq("GET / HTTP/1.1\r\nHost\t: h\r\n\r\n"), -400);
	/* invalid name characters, empty name */
	assert_int_equal(preq("GET / HTTP/1.1\r\nHo(st: h\r\n\r\n"), -400);
	assert_int_equal(preq("GET / HTTP/1.1\r\nHo\"st: h\r\n\r\n"), -400);
	assert_int_equal(preq("GET / HTTP/1.1\r\n: h\r\n\r\n"), -400);
	assert_int_equal(preq("GET / HTTP/1.1\r\nNoColon\r\n\r\n"), -400);
	/* control octets in a value */
	assert_int_equal(preq("GET / HTTP/1.1\r\nHost: h\r\nX: a\x01b\r\n\r\n"), -400);
	assert_int_equal(preq("GET / HTTP/1.1\r\nHost: h\r\nX: a\x7f\r\n\r\n"), -400);
	{
		char nul[] = "GET / HTTP/1.1\r\nHost: h\r\nX: a_b\r\n\r\n";

		nul[29] = '\0';
		assert_int_equal(gw_http1_parse_request(nul, sizeof(nul) - 1, 0, &req),
				 GW_HTTP1_ERROR);
	}
	/* bare CR or LF inside the fields */
	assert_int_equal(preq("GET / HTTP/1.1\r\nHost: h\nX: a\r\n\r\n"), -400);
	assert_int_equal(preq("GET / HTTP/1.1\r\nHost: h\rX: a\r\n\r\n"), -400);
	/* obs-text is allowed in values */
	assert_true(preq("GET / HTTP/1.1\r\nHost: h\r\nX: caf\xc3\xa9\r\n\r\n") > 0);
}

static void test_size_caps(void **s)
{
	static char buf[80000];
	int n;

	(void)s;
	/* request line over the cap: 414, complete or not */
	n = snprintf(buf, sizeof(buf), "GET /%0*d HTTP/1.1\r\nHost: h\r\n\r\n",
		     GW_HTTP1_MAX_REQLINE, 0);
	assert_int_equal(preq(buf), -414);
	n = snprintf(buf, sizeof(buf), "GET /%0*d", GW_HTTP1_MAX_REQLINE + 10, 0);
	assert_int_equal(gw_http1_parse_request(buf, (size_t)n, 0, &req), GW_HTTP1_ERROR);
	assert_int_equal(req.error_status, 414);
	/* just under the request line cap is fine */
	snprintf(buf, sizeof(buf), "GET /%0*d HTTP/1.1\r\nHost: h\r\n\r\n",
		 GW_HTTP1_MAX_REQLINE - 20, 0);
	assert_true(preq(buf) > 0);
	/* head over the cap: 431, complete or not */
	n = snprintf(buf, sizeof(buf), "GET / HTTP/1.1\r\nHost: h\r\nX: %0*d\r\n\r\n",
		     GW_HTTP1_MAX_HEAD, 0);
	assert_int_equal(preq(buf), -431);
	assert_int_equal(gw_http1_parse_request(buf, (size_t)n - 6, 0, &req), GW_HTTP1_ERROR);
	assert_int_equal(req.error_status, 431);
	/* too many fields: 431 */
	n = snprintf(buf, sizeof(buf), "GET / HTTP/1.1\r\nHost: h\r\n");
	for (int i = 0; i < GW_HTTP1_MAX_HEADERS; i++)
		n += snprintf(buf + n, sizeof(buf) - (size_t)n, "X-%d: v\r\n", i);
	snprintf(buf + n, sizeof(buf) - (size_t)n, "\r\n");
	assert_int_equal(preq(buf), -431);
	/* exactly the cap is fine */
	n = snprintf(buf, sizeof(buf), "GET / HTTP/1.1\r\nHost: h\r\n");
	for (int i = 1; i < GW_HTTP1_MAX_HEADERS; i++)
		n += snprintf(buf + n, sizeof(buf) - (size_t)n, "X-%d: v\r\n", i);
	snprintf(buf + n, sizeof(buf) - (size_t)n, "\r\n");
	assert_true(preq(buf) > 0);
	assert_int_equal(req.nheaders, GW_HTTP1_MAX_HEADERS);
}

static void test_content_length(void **s)
{
	struct gw_http1_info info;

	(void)s;
	assert_int_equal(info_of("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 42\r\n\r\n", &info), 0);
	assert_int_equal(info.body, GW_BODY_LENGTH);
	assert_int_equal(info.content_length, 42);
	assert_int_equal(info_of("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 0\r\n\r\n", &info), 0);
	assert_int_equal(info.body, GW_BODY_LENGTH);
	assert_int_equal(info.content_length, 0);
	assert_int_equal(info_of("GET / HTTP/1.1\r\nHost: h\r\n\r\n", &info), 0);
	assert_int_equal(info.body, GW_BODY_NONE);
	/* duplicates, conflicts, lists, signs, junk, overflow */
	assert_int_equal(preq("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 5\r\n"
			      "Content-Length: 5\r\n\r\n"), -400);
	assert_int_equal(preq("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 5\r\n"
			      "Content-Length: 6\r\n\r\n"), -400);
	assert_int_equal(preq("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 5, 5\r\n\r\n"), -400);
	assert_int_equal(preq("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: +5\r\n\r\n"), -400);
	assert_int_equal(preq("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 5a\r\n\r\n"), -400);
	assert_int_equal(preq("POST / HTTP/1.1\r\nHost: h\r\nContent-Length:\r\n\r\n"), -400);
	assert_int_equal(preq("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: "
			      "99999999999999999999\r\n\r\n"), -400);
}

static void test_transfer_encoding(void **s)
{
	struct gw_http1_info info;

	(void)s;
	assert_int_equal(info_of("POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n",
				 &info), 0);
	assert_int_equal(info.body, GW_BODY_CHUNKED);
	assert_int_equal(info_of("POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: ChUnKeD\r\n\r\n",
				 &info), 0);
	assert_int_equal(info.body, GW_BODY_CHUNKED);
	/* chunked not final, or repeated: 400; another coding before it: 501 */
	assert_int_equal(preq("POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: gzip\r\n\r\n"), -400);
	assert_int_equal(preq("POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked, gzip\r\n\r\n"),
			 -400);
	assert_int_equal(preq("POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked, chunked\r\n"
			      "\r\n"), -400);
	assert_int_equal(preq("POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n"
			      "Transfer-Encoding: chunked\r\n\r\n"), -400);
	assert_int_equal(preq("POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: gzip, chunked\r\n\r\n"),
			 -501);
	assert_int_equal(preq("POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: xchunked\r\n\r\n"),
			 -400);
	/* with Content-Length, or in HTTP/1.0 */
	assert_int_equal(preq("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\n"
			      "Transfer-Encoding: chunked\r\n\r\n"), -400);
	assert_int_equal(preq("POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n"), -400);
}

static void test_host(void **s)
{
	struct gw_http1_info info;

	(void)s;
	assert_int_equal(preq("GET / HTTP/1.1\r\n\r\n"), -400);
	assert_int_equal(preq("GET / HTTP/1.1\r\nHost: a\r\nHost: a\r\n\r\n"), -400);
	assert_int_equal(preq("GET / HTTP/1.1\r\nHost: a b\r\n\r\n"), -400);
	assert_int_equal(preq("GET / HTTP/1.1\r\nHost: a/b\r\n\r\n"), -400);
	assert_int_equal(preq("GET / HTTP/1.1\r\nHost: a:8x\r\n\r\n"), -400);
	assert_int_equal(preq("GET / HTTP/1.1\r\nHost: [::1\r\n\r\n"), -400);
	assert_true(preq("GET / HTTP/1.1\r\nHost: [fd00::1]:8080\r\n\r\n") > 0);
	assert_true(preq("GET / HTTP/1.1\r\nHost: www.Example.com:80\r\n\r\n") > 0);
	assert_true(preq("GET / HTTP/1.1\r\nHost:\r\n\r\n") > 0);
	assert_int_equal(info_of("GET / HTTP/1.0\r\n\r\n", &info), 0);
	assert_null(info.host);
}

static void test_targets_and_methods(void **s)
{
	struct gw_http1_info info;

	(void)s;
	assert_true(preq("GET http://a.example/p?q HTTP/1.1\r\nHost: b\r\n\r\n") > 0);
	assert_true(preq("OPTIONS * HTTP/1.1\r\nHost: b\r\n\r\n") > 0);
	assert_int_equal(preq("GET * HTTP/1.1\r\nHost: b\r\n\r\n"), -400);
	assert_int_equal(preq("GET foo HTTP/1.1\r\nHost: b\r\n\r\n"), -400);
	assert_int_equal(preq("GET /a#frag HTTP/1.1\r\nHost: b\r\n\r\n"), -400);
	assert_int_equal(preq("CONNECT a:443 HTTP/1.1\r\nHost: a:443\r\n\r\n"), -501);
	assert_true(preq("PROPFIND / HTTP/1.1\r\nHost: b\r\n\r\n") > 0);
	assert_int_equal(preq("GET / HTTP/1.1\r\nHost: b\r\nExpect: 100-continue\r\n\r\n") > 0, 1);
	assert_int_equal(preq("GET / HTTP/1.1\r\nHost: b\r\nExpect: other\r\n\r\n"), -417);
	assert_int_equal(info_of("POST / HTTP/1.1\r\nHost: b\r\nExpect: 100-Continue\r\n"
				 "Content-Length: 1\r\n\r\n", &info), 0);
	assert_true(info.expect_continue);
	assert_int_equal(info_of("GET /ws HTTP/1.1\r\nHost: b\r\nConnection: Upgrade\r\n"
				 "Upgrade: websocket\r\n\r\n", &info), 0);
	assert_true(info.upgrade);
	assert_int_equal(info_of("GET /ws HTTP/1.1\r\nHost: b\r\nUpgrade: websocket\r\n\r\n", &info),
			 0);
	assert_false(info.upgrade);
}

/* Decodes all of s in pieces of step bytes; returns the data or NULL on error. */
static char *dechunk(const char *s, size_t step, size_t *consumed)
{
	static char out[4096];
	struct gw_http1_chunked d = { 0 };
	size_t n = strlen(s), off = 0, o = 0;

	while (off < n && d.state != GW_CHUNK_DONE) {
		size_t end = off + step < n ? off + step : n, p = off;

		while (p < end && d.state != GW_CHUNK_DONE) {
			const char *data;
			size_t dn;
			ssize_t r = gw_http1_chunked_decode(&d, s + p, end - p, &data, &dn);

			if (r < 0)
				return NULL;
			memcpy(out + o, data, dn);
			o += dn;
			p += (size_t)r;
			if (!r)
				break;
		}
		off = p;
		if (p < end && d.state != GW_CHUNK_DONE)
			return NULL;
	}
	if (d.state != GW_CHUNK_DONE)
		return NULL;
	out[o] = '\0';
	*consumed = off;
	return out;
}

static void test_chunked(void **s)
{
	const char *ok = "5\r\nhello\r\n6;ext=1;e2=\"q\"\r\n world\r\n0\r\nTrailer: x\r\n\r\nNEXT";
	size_t used;

	(void)s;
	for (size_t step = 1; step < 40; step++) {
		char *d = dechunk(ok, step, &used);

		assert_non_null(d);
		assert_string_equal(d, "hello world");
		assert_int_equal(used, strlen(ok) - 4);
	}
	assert_non_null(dechunk("A\r\n0123456789\r\n0\r\n\r\n", 3, &used));
	assert_non_null(dechunk("0\r\n\r\n", 1, &used));
	assert_null(dechunk("g\r\nabc\r\n0\r\n\r\n", 64, &used));		/* bad hex */
	assert_null(dechunk("\r\nabc\r\n0\r\n\r\n", 64, &used));		/* no size */
	assert_null(dechunk("3\r\nabcX\r\n0\r\n\r\n", 64, &used));		/* data too long */
	assert_null(dechunk("3\nabc\r\n0\r\n\r\n", 64, &used));		/* bare LF */
	assert_null(dechunk("3\r\nabc\n0\r\n\r\n", 64, &used));		/* bare LF after data */
	assert_null(dechunk("3\r\nabc\r\n0\r\nNoColon\r\n\r\n", 64, &used));	/* trailer */
	assert_null(dechunk("3\r\nabc\r\n0\r\n\r\r", 64, &used));
	assert_null(dechunk("1000000000000000\r\n", 64, &used));		/* overflow */
	assert_null(dechunk("3;a\x01\r\nabc\r\n0\r\n\r\n", 64, &used));	/* CTL in ext */
	{
		static char longext[3000];

		snprintf(longext, sizeof(longext), "3;%02000d\r\nabc\r\n0\r\n\r\n", 0);
		assert_null(dechunk(longext, 64, &used));
	}
}

/*
 * What calls starting in the trailer states consume is the trailer section
 * (fields and the final CRLF), whatever the pieces: the proxy forwards it.
 */
static void test_chunked_trailer_section(void **s)
{
	const char *msg = "3\r\nabc\r\n0\r\ngrpc-status: 0\r\nx-t: a b\r\n\r\n";
	const char *want = "grpc-status: 0\r\nx-t: a b\r\n\r\n";

	(void)s;
	for (size_t step = 1; step <= strlen(msg); step++) {
		struct gw_http1_chunked d = { 0 };
		char tr[128] = "";
		size_t off = 0, n = strlen(msg), tl = 0;

		while (off < n && d.state != GW_CHUNK_DONE) {
			size_t end = off + step < n ? off + step : n;
			bool in_trailers = d.state >= GW_CHUNK_TRAILER;
			const char *data;
			size_t dn;
			ssize_t r = gw_http1_chunked_decode(&d, msg + off, end - off, &data, &dn);

			assert_true(r >= 0);
			if (in_trailers) {
				memcpy(tr + tl, msg + off, (size_t)r);
				tl += (size_t)r;
			}
			off += (size_t)r;
		}
		assert_int_equal(d.state, GW_CHUNK_DONE);
		tr[tl] = '\0';
		assert_string_equal(tr, want);
	}
}

static int presp(const char *s, bool head, struct gw_http1_info *info)
{
	int r = gw_http1_parse_response(s, strlen(s), 0, &resp);

	if (r < 0)
		return r;
	if (gw_http1_response_info(&resp, head, info))
		return -info->error_status;
	return r;
}

static void test_response(void **s)
{
	struct gw_http1_info info;

	(void)s;
	assert_true(presp("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello", false, &info) > 0);
	assert_int_equal(resp.status, 200);
	assert_int_equal(info.body, GW_BODY_LENGTH);
	assert_int_equal(info.content_length, 5);
	assert_true(info.keepalive);
	assert_true(presp("HTTP/1.1 204\r\n\r\n", false, &info) > 0);
	assert_int_equal(info.body, GW_BODY_NONE);
	assert_int_equal(resp.reason_len, 0);
	assert_true(presp("HTTP/1.1 304 Not Modified\r\nContent-Length: 10\r\n\r\n", false, &info) > 0);
	assert_int_equal(info.body, GW_BODY_NONE);
	assert_true(info.has_length);
	assert_true(presp("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n", true, &info) > 0);
	assert_int_equal(info.body, GW_BODY_NONE);
	assert_true(presp("HTTP/1.1 100 Continue\r\n\r\n", false, &info) > 0);
	assert_int_equal(info.body, GW_BODY_NONE);
	assert_true(presp("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n", false, &info) > 0);
	assert_int_equal(info.body, GW_BODY_CHUNKED);
	assert_true(presp("HTTP/1.1 200 OK\r\n\r\n", false, &info) > 0);
	assert_int_equal(info.body, GW_BODY_CLOSE);
	assert_false(info.keepalive);
	assert_true(presp("HTTP/1.0 200 OK\r\nContent-Length: 1\r\n\r\n", false, &info) > 0);
	assert_false(info.keepalive);
	assert_true(presp("HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\n", false, &info) > 0);
	assert_int_equal(info.body, GW_BODY_CLOSE);
	/* rejections */
	assert_int_equal(presp("HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 1\r\n\r\n",
			       false, &info), -502);
	assert_int_equal(presp("HTTP/1.1 200 OK\r\nContent-Length: 1\r\n"
			       "Transfer-Encoding: chunked\r\n\r\n", false, &info), -502);
	assert_int_equal(presp("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked, gzip\r\n\r\n",
			       false, &info), -502);
	assert_int_equal(presp("HTTP/2.0 200 OK\r\n\r\n", false, &info), GW_HTTP1_ERROR);
	assert_int_equal(presp("HTTP/1.1 20 OK\r\n\r\n", false, &info), GW_HTTP1_ERROR);
	assert_int_equal(presp("HTTP/1.1 2000 OK\r\n\r\n", false, &info), GW_HTTP1_ERROR);
	assert_int_equal(presp("HTTP/1.1 200 OK\r\nX: a\r\n b\r\n\r\n", false, &info),
			 GW_HTTP1_ERROR);
	assert_int_equal(presp("HTTP/1.1 200 OK\nX: a\r\n\r\n", false, &info), GW_HTTP1_ERROR);
	assert_int_equal(gw_http1_parse_response("HTTP/1.1 200 OK\r\nX: a", 22, 0, &resp),
			 GW_HTTP1_INCOMPLETE);
}

static void test_helpers(void **s)
{
	struct gw_http1_header h = { "Connection", " x", 10, 2 };

	(void)s;
	assert_true(gw_http1_name_is(&h, "connection"));
	assert_false(gw_http1_name_is(&h, "connectio"));
	assert_true(gw_http1_list_has("a, Keep-Alive ,b", 16, "keep-alive"));
	assert_false(gw_http1_list_has("a, keep-alivex", 14, "keep-alive"));
	assert_true(gw_http1_list_has(",,close", 7, "close"));
	assert_string_equal(gw_http1_reason(404), "Not Found");
	assert_string_equal(gw_http1_reason(599), "Unknown");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_simple_get),
		cmocka_unit_test(test_incremental),
		cmocka_unit_test(test_leading_empty_lines),
		cmocka_unit_test(test_versions),
		cmocka_unit_test(test_request_line_rejections),
		cmocka_unit_test(test_request_line_early),
		cmocka_unit_test(test_bare_crlf_incomplete),
		cmocka_unit_test(test_field_rejections),
		cmocka_unit_test(test_size_caps),
		cmocka_unit_test(test_content_length),
		cmocka_unit_test(test_transfer_encoding),
		cmocka_unit_test(test_host),
		cmocka_unit_test(test_targets_and_methods),
		cmocka_unit_test(test_chunked),
		cmocka_unit_test(test_chunked_trailer_section),
		cmocka_unit_test(test_response),
		cmocka_unit_test(test_helpers),
	};

	return cmocka_run_group_tests_name("http1/parse", tests, NULL, NULL);
}
