// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Fuzzes the ClientHello parser of TLS passthrough with arbitrary first
 * bytes of a connection, and the server_name extension parser with
 * arbitrary extension bodies. Invariants besides "no sanitizer report":
 *   - a parsed hello ends inside the input, its SNI is a NUL-terminated
 *     lower-case DNS name that matches itself exactly, its ALPN names stay
 *     inside the buffer;
 *   - results are final: the bytes up to the end of the hello give the same
 *     result, any shorter prefix is INCOMPLETE, and a prefix of an input
 *     that failed is INCOMPLETE or fails the same way;
 *   - GW_TLS_SNIFF_MAX_BYTES bytes always suffice for a verdict.
 * The corpus holds real ClientHellos (tests/fuzz/tls_sniff/gen-corpus.py).
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "gw/tls_sniff.h"

static void check_name(const char *s, size_t len)
{
	if (strlen(s) != len || !len || len > 255)
		abort();
	for (size_t i = 0; i < len; i++) {
		char c = s[i];

		if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_' ||
		      (c == '.' && i && s[i - 1] != '.' && i + 1 < len)))
			abort();
	}
	if (gw_tls_sniff_match(s, s) != GW_TLS_SNIFF_MATCH_EXACT)
		abort();
}

static void check_hello(const struct gw_tls_hello *h)
{
	size_t total = 0;
	const char *name;
	size_t len;

	if (h->has_sni)
		check_name(h->sni, h->sni_len);
	else if (h->sni_len || h->sni[0])
		abort();
	if (h->alpn_len > sizeof(h->alpn) || h->nalpn < 0)
		abort();
	for (int i = 0; i < h->nalpn; i++) {
		if (!gw_tls_sniff_alpn(h, i, &name, &len) || !len)
			abort();
		total += 1 + len;
		if ((const uint8_t *)name + len > h->alpn + h->alpn_len)
			abort();
	}
	if (total != h->alpn_len || gw_tls_sniff_alpn(h, h->nalpn, &name, &len))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct gw_tls_hello h, again;
	char sni[256];
	int r = gw_tls_sniff_parse(data, size, &h);

	if (r > 0) {
		if ((size_t)r > size)
			abort();
		check_hello(&h);
		if (gw_tls_sniff_parse(data, (size_t)r, &again) != r ||
		    again.has_sni != h.has_sni || strcmp(again.sni, h.sni) ||
		    again.alpn_len != h.alpn_len || memcmp(again.alpn, h.alpn, h.alpn_len))
			abort();
		if (gw_tls_sniff_parse(data, (size_t)r - 1, &again) != GW_TLS_SNIFF_INCOMPLETE ||
		    gw_tls_sniff_parse(data, (size_t)r / 2, &again) != GW_TLS_SNIFF_INCOMPLETE)
			abort();
	} else if (r == GW_TLS_SNIFF_INCOMPLETE) {
		if (size >= GW_TLS_SNIFF_MAX_BYTES)
			abort();
	} else if (r == GW_TLS_SNIFF_MALFORMED || r == GW_TLS_SNIFF_NOT_TLS) {
		int p = gw_tls_sniff_parse(data, size / 2, &again);

		if (p != r && p != GW_TLS_SNIFF_INCOMPLETE)
			abort();
	} else {
		abort();
	}

	/* the same bytes as a server_name extension body */
	r = gw_tls_sniff_sni_ext(data, size, sni, sizeof(sni));
	if (r == 0)
		check_name(sni, strlen(sni));
	else if (r != -ENOENT && r != -EINVAL)
		abort();
	return 0;
}
