// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Host and path normalisation for matching: what the router compares is
 * the Host without port, case or final dot, and the path without dot
 * segments, so "/a/../admin" cannot slip past a "/admin" match, in any
 * encoding ("/a/%2e%2e/admin" included).
 */
#include <errno.h>
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

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c |= 0x20;
	return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* RFC 3986 2.3: unreserved = ALPHA / DIGIT / "-" / "." / "_" / "~" */
static bool unreserved(unsigned char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
	       c == '-' || c == '.' || c == '_' || c == '~';
}

int gw_http1_path_canon(const char *path, uint32_t len, char *out, uint32_t *out_len,
			enum gw_escaped_slash slash, const char **why)
{
	uint32_t o = 0;

	/*
	 * RFC 3986 6.2.2.2: percent-encoded unreserved characters are
	 * equivalent to the characters, so they are decoded before dot
	 * segments are removed ("%2e%2e" is ".."); other escapes keep their
	 * meaning and get uppercase hex (6.2.2.1). Envoy's normalize_path does
	 * the same. An encoded "/" or "\" would be a separator to many backends
	 * but not to the match: rejected by default (Envoy's
	 * path_with_escaped_slashes_action REJECT_REQUEST), or kept as is.
	 */
	for (uint32_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)path[i];
		int hi, lo;

		if (c == '\\' && slash == GW_ESCAPED_SLASH_REJECT) {
			*why = "backslash in the path";
			return -EINVAL;
		}
		if (c != '%') {
			out[o++] = (char)c;
			continue;
		}
		if (len - i < 3 || (hi = hexval(path[i + 1])) < 0 || (lo = hexval(path[i + 2])) < 0) {
			*why = "invalid percent-encoding in the path";
			return -EINVAL;
		}
		c = (unsigned char)(hi << 4 | lo);
		i += 2;
		if (!c) {
			*why = "encoded NUL in the path";
			return -EINVAL;
		}
		if ((c == '/' || c == '\\') && slash == GW_ESCAPED_SLASH_REJECT) {
			*why = "encoded slash or backslash in the path";
			return -EINVAL;
		}
		if (unreserved(c)) {
			out[o++] = (char)c;
		} else {
			out[o++] = '%';
			out[o++] = "0123456789ABCDEF"[c >> 4];
			out[o++] = "0123456789ABCDEF"[c & 15];
		}
	}
	/* dot segments are removed in place: the function never writes ahead of its read */
	*out_len = gw_http1_path_normalize(out, o, out);
	return 0;
}
