// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Response parser invariants: whole and split parsing agree, accepted
 * fields are well-formed, framing analysis is consistent for HEAD and
 * non-HEAD requests, and chunked bodies decode the same in one piece or
 * in random-sized pieces.
 */
#include <assert.h>
#include <stdint.h>
#include <string.h>

#include "gw/http1.h"

static struct gw_http1_resp a, b;

static size_t decode(const char *body, size_t len, const uint8_t *steps, size_t nsteps, int *err,
		     enum gw_chunked_state *st)
{
	struct gw_http1_chunked d = { 0 };
	size_t off = 0, total = 0, k = 0;

	*err = 0;
	while (off < len && d.state != GW_CHUNK_DONE) {
		size_t step = nsteps ? 1 + steps[k++ % nsteps] % 16 : len - off;
		size_t end = off + step < len ? off + step : len;

		while (off < end && d.state != GW_CHUNK_DONE) {
			const char *p;
			size_t n;
			ssize_t r = gw_http1_chunked_decode(&d, body + off, end - off, &p, &n);

			if (r < 0) {
				*err = 1;
				*st = d.state;
				return total;
			}
			assert((size_t)r <= end - off);
			total += n;
			off += (size_t)r;
			if (!r)
				break;
		}
	}
	*st = d.state;
	return total;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *buf = (const char *)data;
	struct gw_http1_info info, hinfo;
	size_t split;
	int r1, r2;

	if (size < 2)
		return 0;
	split = 1 + data[0] % (size - 1);
	buf++;
	size--;
	r1 = gw_http1_parse_response(buf, size, 0, &a);
	if (split > size)
		split = size;
	r2 = gw_http1_parse_response(buf, split, 0, &b);
	if (r2 == GW_HTTP1_INCOMPLETE)
		r2 = gw_http1_parse_response(buf, size, split, &b);
	if (r1 == GW_HTTP1_ERROR)
		assert(r2 == GW_HTTP1_ERROR && a.error);
	if (r1 <= 0)
		return 0;
	assert((size_t)r1 <= size && r2 == r1);
	assert(a.status >= 100 && a.status <= 999 && a.status == b.status);
	for (size_t i = 0; i < a.nheaders; i++) {
		assert(a.headers[i].name_len > 0);
		for (uint32_t k = 0; k < a.headers[i].value_len; k++)
			assert(a.headers[i].value[k] != '\r' && a.headers[i].value[k] != '\n');
	}
	if (gw_http1_response_info(&a, false, &info))
		return 0;
	assert(!gw_http1_response_info(&a, true, &hinfo));
	assert(hinfo.body == GW_BODY_NONE);
	if (info.body == GW_BODY_CLOSE)
		assert(!info.keepalive);
	if (info.body == GW_BODY_CHUNKED) {
		int e1, e2;
		enum gw_chunked_state s1, s2;
		size_t t1 = decode(buf + r1, size - (size_t)r1, NULL, 0, &e1, &s1);
		size_t t2 = decode(buf + r1, size - (size_t)r1, data, size < 64 ? size : 64, &e2, &s2);

		assert(e1 == e2);
		if (!e1) {
			assert(t1 == t2);
			assert(s1 == s2);
		}
	}
	return 0;
}
