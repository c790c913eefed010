// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Path canonicalisation invariants (issue 10, item 1): an accepted path is
 * never longer than its input, starts with '/', holds no "." or ".."
 * segment and no escape of an unreserved character (so no later decoding
 * can make one), has uppercase hex in every escape left, and is a fixed
 * point: canonicalising it again changes nothing. With the default action,
 * no "/" or "\" is hidden in an escape.
 */
#include <assert.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "gw/http1.h"

static bool has_dot_segment(const char *p, uint32_t n)
{
	for (uint32_t i = 0; i < n; i++) {
		uint32_t e;

		if (p[i] != '/')
			continue;
		for (e = i + 1; e < n && p[e] != '/'; e++)
			;
		if ((e - i == 2 && p[i + 1] == '.') ||
		    (e - i == 3 && p[i + 1] == '.' && p[i + 2] == '.'))
			return true;
	}
	return false;
}

static void check(const char *in, uint32_t len, enum gw_escaped_slash slash)
{
	static char out[8192 + 2], again[8192 + 2];
	const char *why = NULL;
	uint32_t n = 0, m = 0;

	if (gw_http1_path_canon(in, len, out, &n, slash, &why)) {
		assert(why);
		return;
	}
	assert(n <= len || (len == 0 && n == 1));
	assert(n >= 1 && out[0] == '/');
	assert(!has_dot_segment(out, n));
	for (uint32_t i = 0; i < n; i++) {
		if (out[i] != '%')
			continue;
		assert(i + 2 < n);
		for (int k = 1; k <= 2; k++)
			assert((out[i + k] >= '0' && out[i + k] <= '9') ||
			       (out[i + k] >= 'A' && out[i + k] <= 'F'));
		assert(strncmp(out + i, "%2E", 3) && strncmp(out + i, "%7E", 3));
		if (slash == GW_ESCAPED_SLASH_REJECT)
			assert(strncmp(out + i, "%2F", 3) && strncmp(out + i, "%5C", 3));
	}
	assert(!gw_http1_path_canon(out, n, again, &m, slash, &why));
	assert(m == n && !memcmp(again, out, n));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char in[8192];

	/* a request target's path: starts with '/', no '?' (the query is apart) */
	if (size + 1 > sizeof(in) || memchr(data, '?', size))
		return 0;
	in[0] = '/';
	memcpy(in + 1, data, size);
	check(in, (uint32_t)size + 1, GW_ESCAPED_SLASH_REJECT);
	check(in, (uint32_t)size + 1, GW_ESCAPED_SLASH_KEEP);
	return 0;
}
