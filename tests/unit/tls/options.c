// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * tls.options (user/tls/options.c): xdpgw's keys, their defaults and
 * validation messages, other implementations' keys ignored, unprefixed
 * keys refused, and what OpenSSL itself rejects (ciphers, suites, groups).
 */
#include "tls/tlstest.h"
#include "user/tls/options.c"

static struct gw_arena arena;

static int teardown(void **s)
{
	(void)s;
	gw_arena_free(&arena);
	return 0;
}

static struct gw_yval *yaml(const char *text)
{
	struct gw_ydoc *docs;
	size_t n;
	char err[256];

	if (gw_yaml_load(&arena, "opts.yaml", text, strlen(text), &docs, &n, err, sizeof(err)))
		fail_msg("%s", err);
	assert_int_equal(n, 1);
	return docs[0].root;
}

/* Parses text for an HTTPS listener of a layer speaking h2 and http/1.1; err or "". */
static const char *parse(const char *text, bool http, unsigned speaks, struct gw_tls_opts *o)
{
	static char err[512];

	err[0] = '\0';
	if (gw_tls_opts_parse(text ? yaml(text) : NULL, http, speaks, o, err, sizeof(err)))
		assert_true(err[0]);
	return err;
}

#define BOTH (GW_TLS_ALPN_H2 | GW_TLS_ALPN_HTTP1)

static void test_defaults(void **s)
{
	struct gw_tls_opts o;

	(void)s;
	assert_string_equal(parse(NULL, true, BOTH, &o), "");
	assert_int_equal(o.min_version, TLS1_2_VERSION);
	assert_int_equal(o.max_version, TLS1_3_VERSION);
	assert_true(o.tickets);
	assert_int_equal(o.alpn_len, 12);
	assert_memory_equal(o.alpn, "\x02h2\x08http/1.1", 12);
	assert_non_null(strstr(o.ciphers, "ECDHE-ECDSA-AES128-GCM-SHA256"));
	assert_string_equal(o.groups, "X25519:P-256:P-384");
	gw_tls_opts_free(&o);
	/* the HTTP layer's protocols are the default offer */
	parse(NULL, true, GW_TLS_ALPN_HTTP1, &o);
	assert_int_equal(o.alpn_len, 9);
	gw_tls_opts_free(&o);
	/* a TLS listener offers nothing by default */
	parse(NULL, false, BOTH, &o);
	assert_int_equal(o.alpn_len, 0);
	gw_tls_opts_free(&o);
}

static void test_keys(void **s)
{
	struct gw_tls_opts o;

	(void)s;
	assert_string_equal(parse("{xdpgw.io/min-version: '1.3', xdpgw.io/max-version: TLSv1.3, "
				  "xdpgw.io/alpn: 'http/1.1, h2', xdpgw.io/groups: 'X25519,P-256', "
				  "xdpgw.io/session-tickets: 'false', xdpgw.io/ciphers: "
				  "ECDHE-RSA-AES256-GCM-SHA384, xdpgw.io/ciphersuites: "
				  "TLS_AES_256_GCM_SHA384, example.com/tls-version: '1.0'}",
				  true, BOTH, &o),
			    "");
	assert_int_equal(o.min_version, TLS1_3_VERSION);
	assert_int_equal(o.max_version, TLS1_3_VERSION);
	assert_false(o.tickets);
	assert_int_equal(o.alpn_len, 12);
	assert_memory_equal(o.alpn, "\x08http/1.1\x02h2", 12);
	assert_string_equal(o.groups, "X25519:P-256");
	assert_string_equal(o.ciphers, "ECDHE-RSA-AES256-GCM-SHA384");
	assert_string_equal(o.suites, "TLS_AES_256_GCM_SHA384");
	gw_tls_opts_free(&o);
	/* unquoted YAML numbers are read as their text */
	assert_string_equal(parse("{xdpgw.io/min-version: 1.3}", true, BOTH, &o), "");
	assert_int_equal(o.min_version, TLS1_3_VERSION);
	gw_tls_opts_free(&o);
	/* protocols the HTTP layer does not speak are dropped from the offer */
	assert_string_equal(parse("{xdpgw.io/alpn: 'h2,http/1.1'}", true, GW_TLS_ALPN_HTTP1, &o),
			    "");
	assert_int_equal(o.alpn_len, 9);
	gw_tls_opts_free(&o);
	/* TLS listeners offer any names */
	assert_string_equal(parse("{xdpgw.io/alpn: 'imap, pop3'}", false, BOTH, &o), "");
	assert_int_equal(o.alpn_len, 10);
	assert_memory_equal(o.alpn, "\x04imap\x04pop3", 10);
	gw_tls_opts_free(&o);
}

static void test_errors(void **s)
{
	static const struct {
		const char *yaml, *want;
		bool http;
		unsigned speaks;
	} cases[] = {
		{ "{xdpgw.io/min-version: '1.1'}",
		  "xdpgw.io/min-version: \"1.1\" is not supported; use 1.2 or 1.3", true, BOTH },
		{ "{xdpgw.io/max-version: 'TLSv1'}",
		  "xdpgw.io/max-version: \"TLSv1\" is not supported; use 1.2 or 1.3", true, BOTH },
		{ "{xdpgw.io/min-version: '1.3', xdpgw.io/max-version: '1.2'}",
		  "xdpgw.io/min-version is above xdpgw.io/max-version", true, BOTH },
		{ "{xdpgw.io/alpn: 'spdy/3'}",
		  "xdpgw.io/alpn: \"spdy/3\" is not an HTTP protocol; use h2 and/or http/1.1",
		  true, BOTH },
		{ "{xdpgw.io/alpn: 'h2'}",
		  "xdpgw.io/alpn: \"h2\" names no protocol that gwd speaks", true,
		  GW_TLS_ALPN_HTTP1 },
		{ "{xdpgw.io/alpn: ' , '}", "xdpgw.io/alpn: \" , \" names no protocol", false,
		  BOTH },
		{ "{xdpgw.io/session-tickets: 'maybe'}",
		  "xdpgw.io/session-tickets: \"maybe\" is not true or false", true, BOTH },
		{ "{xdpgw.io/frobnicate: 'x'}",
		  "xdpgw.io/frobnicate: unknown option; xdpgw knows min-version, max-version, "
		  "ciphers, ciphersuites, groups, alpn and session-tickets", true, BOTH },
		{ "{min-version: '1.2'}",
		  "tls.options key \"min-version\" has no domain prefix: Gateway API v1.6 defines "
		  "no option keys; xdpgw's are xdpgw.io/*", true, BOTH },
		{ "{xdpgw.io/ciphers: {a: b}}", "xdpgw.io/ciphers: value must be a string", true,
		  BOTH },
		{ "[a, b]", "tls.options is not a map", true, BOTH },
	};

	(void)s;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct gw_tls_opts o;
		const char *err = parse(cases[i].yaml, cases[i].http, cases[i].speaks, &o);

		if (strcmp(err, cases[i].want))
			fail_msg("%s: got \"%s\", want \"%s\"", cases[i].yaml, err, cases[i].want);
		gw_tls_opts_free(&o);
	}
}

static void test_check(void **s)
{
	char err[512];

	(void)s;
	assert_int_equal(gw_tls_options_check(NULL, true, err, sizeof(err)), 0);
	assert_int_equal(gw_tls_options_check(yaml("{xdpgw.io/ciphers: 'ECDHE-ECDSA-AES128-GCM-"
						   "SHA256:ECDHE-RSA-AES128-GCM-SHA256'}"),
					      true, err, sizeof(err)), 0);
	assert_int_equal(gw_tls_options_check(yaml("{xdpgw.io/ciphers: NOPE}"), true, err,
					      sizeof(err)), -EINVAL);
	assert_string_equal(err, "xdpgw.io/ciphers: \"NOPE\" selects no TLS 1.2 cipher");
	/* a TLS 1.3-only listener has no use for the TLS 1.2 list */
	assert_int_equal(gw_tls_options_check(yaml("{xdpgw.io/ciphers: NOPE, "
						   "xdpgw.io/min-version: '1.3'}"),
					      true, err, sizeof(err)), 0);
	assert_int_equal(gw_tls_options_check(yaml("{xdpgw.io/ciphersuites: TLS_NOPE_SHA1}"),
					      true, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "xdpgw.io/ciphersuites: \"TLS_NOPE_SHA1\" is not a list of TLS "
				 "1.3 suites");
	assert_int_equal(gw_tls_options_check(yaml("{xdpgw.io/groups: 'P-999'}"), true, err,
					      sizeof(err)), -EINVAL);
	assert_string_equal(err, "xdpgw.io/groups: \"P-999\" is not a list of key exchange groups");
	assert_int_equal(gw_tls_options_check(yaml("{xdpgw.io/alpn: 'x'}"), true, err,
					      sizeof(err)), -EINVAL);
	assert_int_equal(gw_tls_options_check(yaml("{xdpgw.io/alpn: 'x'}"), false, err,
					      sizeof(err)), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_keys),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_check),
	};

	return cmocka_run_group_tests_name("tls/options", tests, NULL, teardown);
}
