// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * ClientHello sniffing (user/common/tls_sniff.c): real ClientHellos made by
 * OpenSSL (TLS 1.3 and 1.2, with and without SNI and ALPN), cut at every
 * byte and re-fragmented into records of every size; crafted malformed
 * ones; SNI matching; and picking the TLSRoute of a resolved config.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/ssl.h>

#include "lib/fixture.h"
#include "user/common/tls_sniff.c"

/* The first flight of an OpenSSL client; returns its length. */
static size_t ossl_hello(uint8_t *out, size_t cap, const char *sni, const char *alpn,
			 size_t alpn_len, int max)
{
	SSL_CTX *c = SSL_CTX_new(TLS_client_method());
	SSL *s = SSL_new(c);
	BIO *r = BIO_new(BIO_s_mem()), *w = BIO_new(BIO_s_mem());
	int n;

	assert_true(c && s && r && w);
	assert_int_equal(SSL_set_max_proto_version(s, max), 1);
	SSL_set_bio(s, r, w);
	SSL_set_connect_state(s);
	if (sni)
		assert_int_equal(SSL_set_tlsext_host_name(s, sni), 1);
	if (alpn)
		assert_int_equal(SSL_set_alpn_protos(s, (const unsigned char *)alpn,
						     (unsigned)alpn_len), 0);
	assert_int_equal(SSL_do_handshake(s), -1);
	n = BIO_read(w, out, (int)cap);
	assert_true(n > 0);
	SSL_free(s);
	SSL_CTX_free(c);
	return (size_t)n;
}

/* The handshake message of a one-record hello, re-cut into records of k bytes. */
static size_t refragment(const uint8_t *in, size_t n, size_t k, uint8_t *out)
{
	size_t o = 0;

	for (size_t off = 5; off < n; off += k) {
		size_t len = n - off < k ? n - off : k;

		out[o++] = 0x16;
		out[o++] = 0x03;
		out[o++] = 0x01;
		out[o++] = (uint8_t)(len >> 8);
		out[o++] = (uint8_t)len;
		memcpy(out + o, in + off, len);
		o += len;
	}
	return o;
}

static void check_hello(const uint8_t *buf, size_t n, const char *sni, const char *alpn,
			size_t alpn_len, uint16_t max_version)
{
	struct gw_tls_hello h;
	int r = gw_tls_sniff_parse(buf, n, &h);

	assert_int_equal(r, (int)n);
	assert_int_equal(h.has_sni, sni != NULL);
	if (sni)
		assert_string_equal(h.sni, sni);
	assert_int_equal(h.sni_len, sni ? strlen(sni) : 0);
	assert_int_equal(h.has_alpn, alpn != NULL);
	assert_int_equal(h.alpn_len, alpn ? alpn_len : 0);
	if (alpn)
		assert_memory_equal(h.alpn, alpn, alpn_len);
	assert_int_equal(h.legacy_version, 0x0303);
	assert_int_equal(h.max_version, max_version);
}

static void test_openssl_hellos(void **s)
{
	static const char alpn[] = "\x02h2\x08http/1.1";
	uint8_t buf[4096], frag[8192];
	size_t n;

	(void)s;
	n = ossl_hello(buf, sizeof(buf), "www.example.com", alpn, sizeof(alpn) - 1,
		       TLS1_3_VERSION);
	check_hello(buf, n, "www.example.com", alpn, sizeof(alpn) - 1, 0x0304);
	n = ossl_hello(buf, sizeof(buf), NULL, NULL, 0, TLS1_3_VERSION);
	check_hello(buf, n, NULL, NULL, 0, 0x0304);
	n = ossl_hello(buf, sizeof(buf), "a.test", NULL, 0, TLS1_2_VERSION);
	check_hello(buf, n, "a.test", NULL, 0, 0x0303);
	/* a trailing dot and upper case are normalised */
	n = ossl_hello(buf, sizeof(buf), "WWW.Example.COM.", alpn, sizeof(alpn) - 1,
		       TLS1_3_VERSION);
	check_hello(buf, n, "www.example.com", alpn, sizeof(alpn) - 1, 0x0304);
	/* followed by other data (early data, the next record): same answer */
	memset(buf + n, 0x17, 64);
	assert_int_equal(gw_tls_sniff_parse(buf, n + 64, &(struct gw_tls_hello){ 0 }), (int)n);
	/* and re-cut into 1.. records (a hello may be fragmented anywhere) */
	for (size_t k = (n - 5 + GW_TLS_SNIFF_MAX_RECORDS - 1) / GW_TLS_SNIFF_MAX_RECORDS;
	     k <= n - 5; k++) {
		size_t m = refragment(buf, n, k, frag);

		check_hello(frag, m, "www.example.com", alpn, sizeof(alpn) - 1, 0x0304);
	}
	/* more records than the cap */
	assert_int_equal(gw_tls_sniff_parse(frag, refragment(buf, n, 1, frag),
					    &(struct gw_tls_hello){ 0 }),
			 GW_TLS_SNIFF_MALFORMED);
}

/* Every prefix is incomplete, whichever way the hello is cut into records. */
static void test_every_prefix(void **s)
{
	static const char alpn[] = "\x08http/1.1";
	uint8_t buf[4096], frag[8192];
	struct gw_tls_hello h;
	size_t n = ossl_hello(buf, sizeof(buf), "split.example.com", alpn, sizeof(alpn) - 1,
			      TLS1_3_VERSION);

	(void)s;
	for (size_t k = 20; k <= n; k += 37) {
		size_t m = k >= n - 5 ? n : refragment(buf, n, k, frag);
		const uint8_t *b = k >= n - 5 ? buf : frag;

		for (size_t p = 0; p < m; p++)
			if (gw_tls_sniff_parse(b, p, &h) != GW_TLS_SNIFF_INCOMPLETE)
				fail_msg("records of %zu: prefix %zu of %zu not incomplete", k,
					 p, m);
		assert_int_equal(gw_tls_sniff_parse(b, m, &h), (int)m);
		assert_string_equal(h.sni, "split.example.com");
	}
}

static void test_alpn_kept_and_truncated(void **s)
{
	uint8_t wire[600], buf[4096];
	struct gw_tls_hello h;
	size_t n, w = 0;
	const char *name;
	size_t len;

	(void)s;
	/* 30 names of 15 bytes: more than fits, the first ones are kept */
	for (int i = 0; i < 30; i++) {
		wire[w++] = 15;
		w += (size_t)snprintf((char *)wire + w, sizeof(wire) - w, "proto-%02d-xxxxxx", i);
	}
	n = ossl_hello(buf, sizeof(buf), "a.test", (const char *)wire, w, TLS1_3_VERSION);
	assert_int_equal(gw_tls_sniff_parse(buf, n, &h), (int)n);
	assert_true(h.alpn_truncated);
	assert_int_equal(h.nalpn, GW_TLS_SNIFF_ALPN_BYTES / 16);
	assert_true(gw_tls_sniff_alpn(&h, 0, &name, &len));
	assert_int_equal(len, 15);
	assert_memory_equal(name, "proto-00-xxxxxx", 15);
	assert_true(gw_tls_sniff_alpn(&h, h.nalpn - 1, &name, &len));
	assert_memory_equal(name, "proto-15-xxxxxx", 15);
	assert_false(gw_tls_sniff_alpn(&h, h.nalpn, &name, &len));
	assert_false(gw_tls_sniff_alpn(&h, -1, &name, &len));
}

/* ---- crafted hellos ------------------------------------------------------ */

/* A minimal ClientHello with the given extensions block (NULL: none at all). */
static size_t craft(uint8_t *out, const uint8_t *exts, size_t extlen, bool ext_block)
{
	size_t body = 2 + 32 + 1 + 4 + 2 + (ext_block ? 2 + extlen : 0), n = 0;

	out[n++] = 0x16;
	out[n++] = 0x03;
	out[n++] = 0x01;
	out[n++] = (uint8_t)((body + 4) >> 8);
	out[n++] = (uint8_t)(body + 4);
	out[n++] = 0x01;
	out[n++] = 0;
	out[n++] = (uint8_t)(body >> 8);
	out[n++] = (uint8_t)body;
	out[n++] = 0x03;
	out[n++] = 0x03;
	memset(out + n, 0xab, 32);
	n += 32;
	out[n++] = 0;			/* session id */
	out[n++] = 0;
	out[n++] = 2;
	out[n++] = 0x13;		/* TLS_AES_128_GCM_SHA256 */
	out[n++] = 0x01;
	out[n++] = 1;
	out[n++] = 0;			/* null compression */
	if (ext_block) {
		out[n++] = (uint8_t)(extlen >> 8);
		out[n++] = (uint8_t)extlen;
		if (extlen)
			memcpy(out + n, exts, extlen);
		n += extlen;
	}
	return n;
}

/* server_name extension with one host_name entry. */
static size_t sni_ext(uint8_t *out, const char *name)
{
	size_t l = strlen(name);

	out[0] = 0;
	out[1] = 0;
	out[2] = (uint8_t)((l + 5) >> 8);
	out[3] = (uint8_t)(l + 5);
	out[4] = (uint8_t)((l + 3) >> 8);
	out[5] = (uint8_t)(l + 3);
	out[6] = 0;
	out[7] = (uint8_t)(l >> 8);
	out[8] = (uint8_t)l;
	memcpy(out + 9, name, l);
	return l + 9;
}

static int parse_crafted(const uint8_t *exts, size_t extlen, struct gw_tls_hello *h)
{
	uint8_t buf[1024];

	return gw_tls_sniff_parse(buf, craft(buf, exts, extlen, true), h);
}

static void test_crafted(void **s)
{
	uint8_t buf[1024], ext[512];
	struct gw_tls_hello h;
	size_t n, e;

	(void)s;
	/* TLS 1.2 permits no extensions block at all */
	n = craft(buf, NULL, 0, false);
	assert_int_equal(gw_tls_sniff_parse(buf, n, &h), (int)n);
	assert_false(h.has_sni);
	assert_int_equal(h.max_version, 0x0303);
	/* SNI alone */
	e = sni_ext(ext, "crafted.test");
	assert_int_equal(parse_crafted(ext, e, &h), (int)(52 + e));
	assert_string_equal(h.sni, "crafted.test");
	/* other name types are skipped, the host_name is found */
	memcpy(ext, "\x00\x00\x00\x11\x00\x0f\x07\x00\x03xyz\x00\x00\x06" "ab.com", 21);
	assert_true(parse_crafted(ext, 21, &h) > 0);
	assert_string_equal(h.sni, "ab.com");
	/* supported_versions with GREASE */
	memcpy(ext, "\x00\x2b\x00\x07\x06\x3a\x3a\x03\x04\x03\x03", 11);
	assert_true(parse_crafted(ext, 11, &h) > 0);
	assert_int_equal(h.max_version, 0x0304);
	/* unknown extensions, including an empty one, are skipped */
	memcpy(ext, "\xfa\xfa\x00\x00\x00\x17\x00\x00", 8);
	assert_true(parse_crafted(ext, 8, &h) > 0);
	assert_false(h.has_sni);
}

static void test_malformed(void **s)
{
	static const struct {
		const char *desc;
		const char *ext;
		size_t len;
	} bad_exts[] = {
		{ "duplicate server_name", "\x00\x00\x00\x06\x00\x04\x00\x00\x01\x61"
					   "\x00\x00\x00\x06\x00\x04\x00\x00\x01\x62", 20 },
		{ "two host_names",
		  "\x00\x00\x00\x0a\x00\x08\x00\x00\x01\x61\x00\x00\x01\x62", 14 },
		{ "empty host_name", "\x00\x00\x00\x05\x00\x03\x00\x00\x00", 9 },
		{ "empty server_name list", "\x00\x00\x00\x02\x00\x00", 6 },
		{ "space in name", "\x00\x00\x00\x08\x00\x06\x00\x00\x03\x61\x20\x62", 12 },
		{ "empty label", "\x00\x00\x00\x09\x00\x07\x00\x00\x04\x61\x2e\x2e\x62", 13 },
		{ "two trailing dots", "\x00\x00\x00\x09\x00\x07\x00\x00\x04\x61\x62\x2e\x2e", 13 },
		{ "leading dot", "\x00\x00\x00\x08\x00\x06\x00\x00\x03\x2e\x61\x62", 12 },
		{ "NUL in name", "\x00\x00\x00\x08\x00\x06\x00\x00\x03\x61\x00\x62", 12 },
		{ "name past its list", "\x00\x00\x00\x08\x00\x06\x00\x00\x09\x61\x62\x63", 12 },
		{ "list shorter than extension", "\x00\x00\x00\x08\x00\x02\x00\x00\x03\x61\x62\x63",
		  12 },
		{ "extension past the block", "\x00\x17\x00\x09\x00", 5 },
		{ "truncated extension header", "\x00\x17\x00", 3 },
		{ "empty ALPN list", "\x00\x10\x00\x02\x00\x00", 6 },
		{ "empty ALPN name", "\x00\x10\x00\x04\x00\x02\x00\x00", 8 },
		{ "ALPN name past its list", "\x00\x10\x00\x05\x00\x03\x05\x61\x62", 9 },
		{ "odd supported_versions", "\x00\x2b\x00\x04\x03\x03\x04\x03", 8 },
	};
	uint8_t buf[1024];
	struct gw_tls_hello h;
	size_t n;

	(void)s;
	for (size_t i = 0; i < sizeof(bad_exts) / sizeof(bad_exts[0]); i++)
		if (parse_crafted((const uint8_t *)bad_exts[i].ext, bad_exts[i].len, &h) !=
		    GW_TLS_SNIFF_MALFORMED)
			fail_msg("%s: not rejected", bad_exts[i].desc);

	n = craft(buf, NULL, 0, true);
	/* not a ClientHello */
	buf[5] = 2;
	assert_int_equal(gw_tls_sniff_parse(buf, n, &h), GW_TLS_SNIFF_MALFORMED);
	buf[5] = 1;
	/* session id longer than 32 */
	buf[43] = 33;
	assert_int_equal(gw_tls_sniff_parse(buf, n, &h), GW_TLS_SNIFF_MALFORMED);
	buf[43] = 0;
	/* odd and empty cipher suite lists, no compression method */
	buf[45] = 3;
	assert_int_equal(gw_tls_sniff_parse(buf, n, &h), GW_TLS_SNIFF_MALFORMED);
	buf[45] = 0;
	assert_int_equal(gw_tls_sniff_parse(buf, n, &h), GW_TLS_SNIFF_MALFORMED);
	buf[45] = 2;
	buf[48] = 0;
	assert_int_equal(gw_tls_sniff_parse(buf, n, &h), GW_TLS_SNIFF_MALFORMED);
	buf[48] = 1;
	/* the extensions block claims more than the body holds */
	buf[51] = 4;
	assert_int_equal(gw_tls_sniff_parse(buf, n, &h), GW_TLS_SNIFF_MALFORMED);
	buf[51] = 0;
	/* bytes left over in the body */
	buf[8] += 1;
	buf[4] += 1;
	buf[n] = 0;
	assert_int_equal(gw_tls_sniff_parse(buf, n + 1, &h), GW_TLS_SNIFF_MALFORMED);
	buf[8] -= 1;
	buf[4] -= 1;
	assert_int_equal(gw_tls_sniff_parse(buf, n, &h), (int)n);
	/* a hello larger than the cap, a zero-length and an oversized record */
	buf[6] = 1;
	assert_int_equal(gw_tls_sniff_parse(buf, n, &h), GW_TLS_SNIFF_MALFORMED);
	buf[6] = 0;
	buf[3] = 0;
	buf[4] = 0;
	assert_int_equal(gw_tls_sniff_parse(buf, n, &h), GW_TLS_SNIFF_MALFORMED);
	buf[3] = 0x40;
	buf[4] = 0x01;
	assert_int_equal(gw_tls_sniff_parse(buf, n, &h), GW_TLS_SNIFF_MALFORMED);
	/* the hello continued in a record of another type */
	n = craft(buf, NULL, 0, true);
	buf[4] = 20;
	memmove(buf + 30, buf + 25, n - 25);
	memcpy(buf + 25, "\x17\x03\x03\x00\x20", 5);
	assert_int_equal(gw_tls_sniff_parse(buf, n + 5, &h), GW_TLS_SNIFF_MALFORMED);
	buf[25] = 0x16;
	buf[28] = 0;
	buf[29] = (uint8_t)(n - 25);
	assert_int_equal(gw_tls_sniff_parse(buf, n + 5, &h), (int)n + 5);
}

static void test_not_tls(void **s)
{
	struct gw_tls_hello h;

	(void)s;
	assert_int_equal(gw_tls_sniff_parse("GET / HTTP/1.1\r\n", 16, &h), GW_TLS_SNIFF_NOT_TLS);
	assert_int_equal(gw_tls_sniff_parse("\x16\x04\x00", 3, &h), GW_TLS_SNIFF_NOT_TLS);
	assert_int_equal(gw_tls_sniff_parse("\x80\x2e\x01", 3, &h), GW_TLS_SNIFF_NOT_TLS);
	assert_int_equal(gw_tls_sniff_parse("\x15\x03\x03\x00\x02\x02\x28", 7, &h),
			 GW_TLS_SNIFF_NOT_TLS);
	assert_int_equal(gw_tls_sniff_parse("", 0, &h), GW_TLS_SNIFF_INCOMPLETE);
	assert_int_equal(gw_tls_sniff_parse("\x16", 1, &h), GW_TLS_SNIFF_INCOMPLETE);
	assert_int_equal(gw_tls_sniff_parse("\x16\x03\x01\x02", 4, &h), GW_TLS_SNIFF_INCOMPLETE);
}

static void test_sni_ext(void **s)
{
	uint8_t ext[300];
	char out[256];
	size_t n = sni_ext(ext, "Host.Example.");

	(void)s;
	/* the extension body, as SSL_client_hello_get0_ext gives it */
	assert_int_equal(gw_tls_sniff_sni_ext(ext + 4, n - 4, out, sizeof(out)), 0);
	assert_string_equal(out, "host.example");
	assert_int_equal(gw_tls_sniff_sni_ext(ext + 4, n - 5, out, sizeof(out)), -EINVAL);
	assert_int_equal(gw_tls_sniff_sni_ext(ext + 4, n - 4, out, 100), -EINVAL);
	assert_int_equal(gw_tls_sniff_sni_ext((const uint8_t *)"\x00\x06\x07\x00\x03xyz", 8, out,
					      sizeof(out)), -ENOENT);
	assert_int_equal(gw_tls_sniff_sni_ext((const uint8_t *)"\x00", 1, out, sizeof(out)),
			 -EINVAL);
	/* trailing bytes after the list */
	memcpy(ext + n, "\x00", 1);
	ext[3]++;
	assert_int_equal(gw_tls_sniff_sni_ext(ext + 4, n - 3, out, sizeof(out)), -EINVAL);
}

static void test_match(void **s)
{
	static const char *const pats[] = { "*.example.com", NULL, "a.example.com",
					    "*.b.example.com" };

	(void)s;
	assert_int_equal(gw_tls_sniff_match("a.example.com", "a.example.com"),
			 GW_TLS_SNIFF_MATCH_EXACT);
	assert_int_equal(gw_tls_sniff_match("a.example.com", "A.EXAMPLE.com."),
			 GW_TLS_SNIFF_MATCH_EXACT);
	assert_int_equal(gw_tls_sniff_match("a.example.com", "b.example.com"), 0);
	assert_int_equal(gw_tls_sniff_match("*.example.com", "a.example.com"), 2 + 11);
	assert_int_equal(gw_tls_sniff_match("*.example.com", "x.a.example.com"), 2 + 11);
	assert_int_equal(gw_tls_sniff_match("*.example.com", "example.com"), 0);
	assert_int_equal(gw_tls_sniff_match("*.example.com", ".example.com"), 0);
	assert_int_equal(gw_tls_sniff_match("*.example.com", "aexample.com"), 0);
	assert_int_equal(gw_tls_sniff_match("*example.com", "aexample.com"), 0);
	assert_int_equal(gw_tls_sniff_match(NULL, "anything"), GW_TLS_SNIFF_MATCH_ANY);
	assert_int_equal(gw_tls_sniff_match(NULL, NULL), GW_TLS_SNIFF_MATCH_ANY);
	assert_int_equal(gw_tls_sniff_match("a.example.com", NULL), 0);
	assert_true(gw_tls_sniff_match("*.b.example.com", "x.b.example.com") >
		    gw_tls_sniff_match("*.example.com", "x.b.example.com"));
	assert_int_equal(gw_tls_sniff_best(pats, 4, "a.example.com"), 2);
	assert_int_equal(gw_tls_sniff_best(pats, 4, "x.b.example.com"), 3);
	assert_int_equal(gw_tls_sniff_best(pats, 4, "c.example.com"), 0);
	assert_int_equal(gw_tls_sniff_best(pats, 4, "other.org"), 1);
	assert_int_equal(gw_tls_sniff_best(pats, 4, NULL), 1);
	assert_int_equal(gw_tls_sniff_best(pats, 1, "other.org"), -1);
	assert_int_equal(gw_tls_sniff_best(pats, 0, "a.example.com"), -1);
}

/* ---- picking the TLSRoute ------------------------------------------------ */

#define TLSROUTE(name, created, hostnames)                                                   \
	"apiVersion: gateway.networking.k8s.io/v1\nkind: TLSRoute\n"                          \
	"metadata: {name: " name ", namespace: infra, creationTimestamp: '" created "'}\n"    \
	"spec:\n  parentRefs: [{name: g}]\n  hostnames: " hostnames "\n"                      \
	"  rules: [{backendRefs: [{name: svc, port: 443}]}]\n---\n"

static const char *pick(const struct gw_listener *l, const char *sni)
{
	const struct gw_attachment *at = gw_tls_sniff_pick(l, sni);

	return at ? at->route->obj->name : NULL;
}

static void test_pick_route(void **s)
{
	struct gw_config *c = fx_resolve(
		FX_CLASS
		"apiVersion: gateway.networking.k8s.io/v1\nkind: Gateway\n"
		"metadata: {name: g, namespace: infra}\nspec:\n  gatewayClassName: gc\n"
		"  listeners:\n  - {name: pass, protocol: TLS, port: 443, tls: {mode: "
		"Passthrough}}\n---\n"
		"apiVersion: v1\nkind: Service\nmetadata: {name: svc, namespace: infra}\n"
		"spec: {ports: [{name: tls, port: 443}]}\n---\n"
		TLSROUTE("exact", "2026-03-01T00:00:00Z", "[a.example.com]")
		TLSROUTE("wild-new", "2026-02-01T00:00:00Z", "['*.example.com']")
		TLSROUTE("wild-old", "2026-01-01T00:00:00Z", "['*.example.com']")
		TLSROUTE("wild-aaa", "2026-01-01T00:00:00Z", "['*.example.com', x.other.org]")
		TLSROUTE("deep", "2026-03-01T00:00:00Z", "['*.b.example.com']")
		"apiVersion: gateway.networking.k8s.io/v1alpha2\nkind: TLSRoute\n"
		"metadata: {name: any, namespace: infra, creationTimestamp: "
		"'2026-03-01T00:00:00Z'}\n"
		"spec:\n  parentRefs: [{name: g}]\n"
		"  rules: [{backendRefs: [{name: svc, port: 443}]}]\n---\n"
		"apiVersion: gateway.networking.k8s.io/v1\nkind: HTTPRoute\n"
		"metadata: {name: http, namespace: infra}\nspec:\n  parentRefs: [{name: g}]\n"
		"  hostnames: [a.example.com]\n---\n");
	struct gw_listener *l = &gw_config_find(c, GW_K_GATEWAY, "infra", "g")->u.gw->listeners[0];
	struct gw_attachment *ats[8], copy[8];
	struct gw_listener only_named = *l;
	int n = 0;

	(void)s;
	assert_int_equal(fx_attached(c, "infra", "g", "pass"), 6);
	/* exact beats every wildcard, whatever the age */
	assert_string_equal(pick(l, "a.example.com"), "exact");
	/* the longest wildcard, then the oldest route, then namespace/name */
	assert_string_equal(pick(l, "x.b.example.com"), "deep");
	assert_string_equal(pick(l, "c.example.com"), "wild-aaa");
	assert_string_equal(pick(l, "x.other.org"), "wild-aaa");
	/* a route without hostnames takes the rest, and connections without SNI */
	assert_string_equal(pick(l, "other.org"), "any");
	assert_string_equal(pick(l, NULL), "any");

	/* without it, nothing matches: the connection is closed */
	for (struct gw_attachment *at = l->attachments; at; at = at->next)
		if (strcmp(at->route->obj->name, "any"))
			ats[n++] = at;
	for (int i = 0; i < n; i++) {
		copy[i] = *ats[i];
		copy[i].next = i + 1 < n ? &copy[i + 1] : NULL;
	}
	only_named.attachments = copy;
	assert_null(pick(&only_named, "other.org"));
	assert_null(pick(&only_named, NULL));
	assert_string_equal(pick(&only_named, "a.example.com"), "exact");
	fx_free(c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_openssl_hellos),
		cmocka_unit_test(test_every_prefix),
		cmocka_unit_test(test_alpn_kept_and_truncated),
		cmocka_unit_test(test_crafted),
		cmocka_unit_test(test_malformed),
		cmocka_unit_test(test_not_tls),
		cmocka_unit_test(test_sni_ext),
		cmocka_unit_test(test_match),
		cmocka_unit_test(test_pick_route),
	};

	return cmocka_run_group_tests_name("common/tls_sniff", tests, NULL, NULL);
}
