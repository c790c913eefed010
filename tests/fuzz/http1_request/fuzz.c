// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Request parser invariants: a head is accepted the same whole or split at
 * any point (incremental parsing with last_len); accepted fields are
 * well-formed (token names, no CR/LF/NUL in values, within the input);
 * framing analysis never contradicts itself; a chunked body after the head
 * decodes the same in one piece or byte by byte. Host and path
 * normalisation (user/http1/uri.c) on accepted heads: never longer, no
 * uppercase host, no dot segments left, idempotent.
 */
#include <assert.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "gw/http1.h"

static struct gw_http1_req a, b;

static void check_normalize(const struct gw_http1_req *r, const struct gw_http1_info *info)
{
	static char p1[GW_HTTP1_MAX_REQLINE + 8], p2[GW_HTTP1_MAX_REQLINE + 8], h[GW_HTTP1_MAX_HEAD];
	uint32_t n1, n2, hl;
	const char *q;

	if (r->target[0] == '/') {
		q = memchr(r->target, '?', r->target_len);
		n1 = gw_http1_path_normalize(r->target, q ? (uint32_t)(q - r->target) : r->target_len,
					     p1);
		assert(n1 >= 1 && n1 <= r->target_len && p1[0] == '/');
		assert(!memmem(p1, n1, "/./", 3) && !memmem(p1, n1, "/../", 4));
		assert(!(n1 >= 3 && !memcmp(p1 + n1 - 3, "/..", 3)));
		n2 = gw_http1_path_normalize(p1, n1, p2);
		assert(n2 == n1 && !memcmp(p1, p2, n1));
	}
	if (info->host) {
		hl = info->host->value_len;
		gw_http1_host_normalize(info->host->value, &hl, h);
		assert(hl <= info->host->value_len);
		for (uint32_t i = 0; i < hl; i++)
			assert(!(h[i] >= 'A' && h[i] <= 'Z'));
	}
}

static void check_fields(const char *buf, size_t len, const struct gw_http1_req *r)
{
	for (size_t i = 0; i < r->nheaders; i++) {
		const struct gw_http1_header *h = &r->headers[i];

		assert(h->name >= buf && h->name + h->name_len <= buf + len);
		assert(h->value >= buf && h->value + h->value_len <= buf + len);
		assert(h->name_len > 0);
		for (uint32_t k = 0; k < h->name_len; k++)
			assert(gw_http1_tchar[(unsigned char)h->name[k]]);
		for (uint32_t k = 0; k < h->value_len; k++)
			assert(h->value[k] != '\r' && h->value[k] != '\n' && h->value[k] != '\0');
		if (h->value_len)
			assert(h->value[0] != ' ' && h->value[h->value_len - 1] != ' ');
	}
	assert(r->method_len > 0 && r->target_len > 0);
	for (uint32_t k = 0; k < r->target_len; k++)
		assert((unsigned char)r->target[k] > 0x20 && (unsigned char)r->target[k] < 0x7f);
}

/* Decodes body all at once and byte by byte; both must agree. */
static void check_chunked(const char *body, size_t len)
{
	struct gw_http1_chunked d1 = { 0 }, d2 = { 0 };
	size_t o1 = 0, o2 = 0, total1 = 0, total2 = 0;
	int e1 = 0, e2 = 0;

	while (o1 < len && d1.state != GW_CHUNK_DONE) {
		const char *p;
		size_t n;
		ssize_t r = gw_http1_chunked_decode(&d1, body + o1, len - o1, &p, &n);

		if (r < 0) {
			e1 = 1;
			break;
		}
		assert((size_t)r <= len - o1);
		if (n)
			assert(p >= body + o1 && p + n <= body + o1 + (size_t)r);
		total1 += n;
		o1 += (size_t)r;
		if (!r)
			break;
	}
	for (size_t i = 0; i < len && d2.state != GW_CHUNK_DONE && !e2; i++) {
		const char *p;
		size_t n;
		ssize_t r = gw_http1_chunked_decode(&d2, body + i, 1, &p, &n);

		if (r < 0)
			e2 = 1;
		else
			total2 += n, o2 += (size_t)r;
	}
	assert(e1 == e2);
	if (!e1) {
		assert(total1 == total2);
		assert((d1.state == GW_CHUNK_DONE) == (d2.state == GW_CHUNK_DONE));
		if (d1.state == GW_CHUNK_DONE)
			assert(o1 == o2);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *buf = (const char *)data;
	struct gw_http1_info info;
	int r1, r2;
	size_t split;

	if (size < 2)
		return 0;
	/* the first byte picks where to split the input for the incremental parse */
	split = 1 + data[0] % (size - 1);
	buf++;
	size--;
	r1 = gw_http1_parse_request(buf, size, 0, &a);
	assert(r1 == GW_HTTP1_ERROR || r1 == GW_HTTP1_INCOMPLETE || (r1 > 0 && (size_t)r1 <= size));
	if (split > size)
		split = size;
	r2 = gw_http1_parse_request(buf, split, 0, &b);
	if (r2 == GW_HTTP1_INCOMPLETE)
		r2 = gw_http1_parse_request(buf, size, split, &b);
	if (r1 > 0) {
		/* a prefix can only be incomplete or the same head */
		assert(r2 == r1);
		assert(a.nheaders == b.nheaders);
		check_fields(buf, size, &a);
		if (!gw_http1_request_info(&a, &info)) {
			assert(info.error_status == 0);
			assert(!(info.body == GW_BODY_CHUNKED && info.has_length));
			assert(info.body != GW_BODY_CLOSE);
			if (a.minor == 0)
				assert(info.body != GW_BODY_CHUNKED);
			check_normalize(&a, &info);
			if (info.body == GW_BODY_CHUNKED)
				check_chunked(buf + r1, size - (size_t)r1);
		} else {
			assert(info.error_status >= 400 && info.error_status < 600);
			assert(info.error);
		}
	} else if (r1 == GW_HTTP1_ERROR) {
		assert(a.error_status == 400 || a.error_status == 414 || a.error_status == 431 ||
		       a.error_status == 505);
		/* an error seen in a prefix stays an error (never turns into success) */
		assert(r2 == GW_HTTP1_ERROR);
	}
	return 0;
}
