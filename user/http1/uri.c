// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Host and path normalisation for matching: what the router compares is
 * the Host without port, case or final dot, and the path without dot
 * segments, so "/a/../admin" cannot slip past a "/admin" match.
 */
#include <string.h>

#include "gw/http1.h"

void gw_http1_host_normalize(const char *host, uint32_t *len, char *out)
{
	uint32_t n = *len, i;

	if (n && host[0] == '[') {
		const char *rb = memchr(host, ']', n);

		if (rb)
			n = (uint32_t)(rb - host) + 1;
	} else {
		const char *colon = memchr(host, ':', n);

		if (colon)
			n = (uint32_t)(colon - host);
	}
	if (n && host[n - 1] == '.')
		n--;
	for (i = 0; i < n; i++) {
		char c = host[i];

		out[i] = c >= 'A' && c <= 'Z' ? (char)(c + 32) : c;
	}
	*len = n;
}

uint32_t gw_http1_path_normalize(const char *path, uint32_t len, char *out)
{
	uint32_t i = 0, o = 0;

	/* RFC 3986 5.2.4 on an absolute path; out never grows past the input */
	while (i < len) {
		if (len - i >= 3 && !memcmp(path + i, "/./", 3)) {
			i += 2;
		} else if (len - i == 2 && !memcmp(path + i, "/.", 2)) {
			out[o++] = '/';
			i += 2;
		} else if (len - i >= 4 && !memcmp(path + i, "/../", 4)) {
			i += 3;
			while (o && out[o - 1] != '/')
				o--;
			if (o)
				o--;
		} else if (len - i == 3 && !memcmp(path + i, "/..", 3)) {
			i += 3;
			while (o && out[o - 1] != '/')
				o--;
			if (o)
				o--;
			out[o++] = '/';
		} else {
			do
				out[o++] = path[i++];
			while (i < len && path[i] != '/');
		}
	}
	if (!o)
		out[o++] = '/';
	return o;
}
