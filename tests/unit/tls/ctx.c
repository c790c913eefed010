// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Server contexts (user/tls/ctx.c): real handshakes in memory between the
 * engine and an OpenSSL client, over listeners resolved from YAML: SNI
 * picks the listener and certificate, RSA and ECDSA side by side, TLS 1.2
 * and 1.3, ALPN, per-listener tls.options, listeners that cannot be
 * served, handshake failures and their messages, and reload.
 */
#include <strings.h>

#include "tls/tlstest.h"
#include "user/tls/tls_internal.h"

#define HTTPS(name, host, cert, extra)                                                       \
	"  - {name: " name ", protocol: HTTPS, port: 443" host ", tls: {certificateRefs: "     \
	"[{name: " cert "}]" extra "}}\n"

static struct tt_cert cert_a, cert_w, cert_wb, cert_d;

static int setup(void **s)
{
	(void)s;
	cert_a = tt_cert_new("EC", "a", "DNS:a.example.com", NULL);
	cert_w = tt_cert_new("EC", "w", "DNS:*.example.com", NULL);
	cert_wb = tt_cert_new("EC", "wb", "DNS:*.b.example.com", NULL);
	cert_d = tt_cert_new("EC", "d", "DNS:default.test", NULL);
	return 0;
}

static int teardown(void **s)
{
	(void)s;
	tt_cert_free(&cert_a);
	tt_cert_free(&cert_w);
	tt_cert_free(&cert_wb);
	tt_cert_free(&cert_d);
	return 0;
}

/* Handshake with SNI sni (NULL: none) against x; returns the server end's listener name. */
static const char *connect_sni(struct gw_tls_ctx *x, const char *sni, const char **cn)
{
	static char name[64], cnbuf[64];
	SSL_CTX *cctx = tt_ossl_ctx();
	struct tt_peer srv, cli;

	tt_peer_engine(&srv, x);
	tt_peer_ossl(&cli, cctx, sni);
	tt_run(&cli, &srv);
	if (!tt_established(&srv) || !tt_established(&cli))
		fail_msg("SNI %s: handshake failed: %s", sni ? sni : "(none)",
			 gw_tls_conn_errmsg(srv.g));
	assert_int_equal(srv.ev.hello, 1);
	assert_int_equal(srv.ev.hs, 1);
	assert_null(srv.ev.err);
	/* the engine reports the SNI lower-cased */
	assert_true(!strcasecmp(srv.ev.sni_at_hello, sni ? sni : "(none)"));
	snprintf(name, sizeof(name), "%s", gw_tls_conn_listener(srv.g)->name);
	snprintf(cnbuf, sizeof(cnbuf), "%s", tt_peer_cn(&cli));
	*cn = cnbuf;
	tt_peer_free(&cli);
	tt_peer_free(&srv);
	SSL_CTX_free(cctx);
	return name;
}

static void test_sni_exact_wildcard_default(void **s)
{
	struct gw_config *cfg;
	struct gw_tls_ctx *x = tt_server(
		&cfg,
		fx_printf("%s%s%s%s" TT_GW(HTTPS("w", ", hostname: '*.example.com'", "w", "")
						   HTTPS("a", ", hostname: a.example.com", "a", "")
						   HTTPS("d", "", "d", "")),
			  tt_secret("a", &cert_a), tt_secret("w", &cert_w),
			  tt_secret("d", &cert_d), tt_secret("wb", &cert_wb)),
		NULL, GW_TLS_ALPN_HTTP1);
	const char *cn;

	(void)s;
	/* exact beats wildcard, even though the wildcard listener comes first */
	assert_string_equal(connect_sni(x, "a.example.com", &cn), "a");
	assert_string_equal(cn, "a");
	assert_string_equal(connect_sni(x, "A.Example.COM", &cn), "a");
	/* wildcards match one or more labels, never the bare suffix */
	assert_string_equal(connect_sni(x, "b.example.com", &cn), "w");
	assert_string_equal(cn, "w");
	assert_string_equal(connect_sni(x, "x.b.example.com", &cn), "w");
	assert_string_equal(connect_sni(x, "example.com", &cn), "d");
	/* anything else, and no SNI: the listener without hostname */
	assert_string_equal(connect_sni(x, "other.org", &cn), "d");
	assert_string_equal(cn, "d");
	assert_string_equal(connect_sni(x, NULL, &cn), "d");
	gw_tls_ctx_put(x);
	fx_free(cfg);
}

static void test_sni_longest_wildcard(void **s)
{
	struct gw_config *cfg;
	struct gw_tls_ctx *x = tt_server(
		&cfg,
		fx_printf("%s%s" TT_GW(HTTPS("w", ", hostname: '*.example.com'", "w", "")
				       HTTPS("wb", ", hostname: '*.b.example.com'", "wb", "")),
			  tt_secret("w", &cert_w), tt_secret("wb", &cert_wb)),
		NULL, GW_TLS_ALPN_HTTP1);
	const char *cn;

	(void)s;
	assert_string_equal(connect_sni(x, "x.b.example.com", &cn), "wb");
	assert_string_equal(cn, "wb");
	assert_string_equal(connect_sni(x, "x.c.example.com", &cn), "w");
	/* no SNI and no listener without hostname: the first listener */
	assert_string_equal(connect_sni(x, NULL, &cn), "w");
	gw_tls_ctx_put(x);
	fx_free(cfg);
}

static void test_sni_unknown_is_refused(void **s)
{
	struct gw_config *cfg;
	struct gw_tls_ctx *x = tt_server(
		&cfg, fx_printf("%s" TT_GW(HTTPS("a", ", hostname: a.example.com", "a", "")),
				tt_secret("a", &cert_a)),
		NULL, GW_TLS_ALPN_HTTP1);
	SSL_CTX *cctx = tt_ossl_ctx();
	struct tt_peer srv, cli;

	(void)s;
	tt_peer_engine(&srv, x);
	tt_peer_ossl(&cli, cctx, "other.org");
	tt_run(&cli, &srv);
	assert_false(tt_established(&srv));
	assert_true(cli.failed);
	assert_int_equal(srv.res, -EPROTO);
	assert_ptr_equal(srv.ev.err, gw_tls_error_handshake);
	assert_ptr_equal(gw_tls_conn_err(srv.g), gw_tls_error_handshake);
	assert_int_equal(srv.ev.hs, 1);
	assert_int_equal(srv.ev.hello, 0);
	assert_non_null(strstr(gw_tls_conn_errmsg(srv.g),
			       "no listener on port 443 matches SNI \"other.org\""));
	/* the client learns why: an unrecognized_name alert */
	assert_string_equal(cli.why, "tlsv1 unrecognized name");
	tt_peer_free(&cli);
	tt_peer_free(&srv);
	SSL_CTX_free(cctx);
	gw_tls_ctx_put(x);
	fx_free(cfg);
}

/* One listener, an RSA and an ECDSA certificate for the same name. */
static void test_rsa_and_ecdsa(void **s)
{
	struct tt_cert rsa = tt_cert_new("RSA", "rsa", "DNS:www.example.com", NULL);
	struct tt_cert ec = tt_cert_new("EC", "ec", "DNS:www.example.com", NULL);
	struct gw_config *cfg;
	struct gw_tls_ctx *x = tt_server(
		&cfg,
		fx_printf("%s%s" TT_GW("  - {name: www, protocol: HTTPS, port: 443, hostname: "
				       "www.example.com, tls: {certificateRefs: [{name: rsa}, "
				       "{name: ec}]}}\n"),
			  tt_secret("rsa", &rsa), tt_secret("ec", &ec)),
		NULL, GW_TLS_ALPN_HTTP1);
	static const struct {
		int max;
		const char *sigalgs, *ciphers;
		int want;
	} cases[] = {
		{ TLS1_3_VERSION, NULL, NULL, EVP_PKEY_EC },
		{ TLS1_3_VERSION, "rsa_pss_rsae_sha256:RSA+SHA256", NULL, EVP_PKEY_RSA },
		{ TLS1_3_VERSION, "ECDSA+SHA256", NULL, EVP_PKEY_EC },
		{ TLS1_2_VERSION, NULL, "ECDHE-RSA-AES128-GCM-SHA256", EVP_PKEY_RSA },
		{ TLS1_2_VERSION, NULL, "ECDHE-ECDSA-AES128-GCM-SHA256", EVP_PKEY_EC },
	};

	(void)s;
	assert_int_equal(x->ls[0].nslots, 1);	/* both in one SSL_CTX: OpenSSL chooses */
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		SSL_CTX *cctx = tt_ossl_ctx();
		struct tt_peer srv, cli;

		SSL_CTX_set_max_proto_version(cctx, cases[i].max);
		if (cases[i].sigalgs)
			assert_int_equal(SSL_CTX_set1_sigalgs_list(cctx, cases[i].sigalgs), 1);
		if (cases[i].ciphers)
			assert_int_equal(SSL_CTX_set_cipher_list(cctx, cases[i].ciphers), 1);
		tt_peer_engine(&srv, x);
		tt_peer_ossl(&cli, cctx, "www.example.com");
		tt_run(&cli, &srv);
		if (!tt_established(&srv))
			fail_msg("case %zu: %s", i, gw_tls_conn_errmsg(srv.g));
		assert_int_equal(tt_peer_keytype(&cli), cases[i].want);
		tt_peer_free(&cli);
		tt_peer_free(&srv);
		SSL_CTX_free(cctx);
	}
	gw_tls_ctx_put(x);
	fx_free(cfg);
	tt_cert_free(&rsa);
	tt_cert_free(&ec);
}

/* A listener without hostname with certificates for different names: SNI picks. */
static void test_several_names_one_listener(void **s)
{
	struct tt_cert b = tt_cert_new("EC", "b", "DNS:b.test", NULL);
	struct gw_config *cfg;
	struct gw_tls_ctx *x = tt_server(
		&cfg,
		fx_printf("%s%s" TT_GW("  - {name: any, protocol: HTTPS, port: 443, tls: "
				       "{certificateRefs: [{name: a}, {name: b}]}}\n"),
			  tt_secret("a", &cert_a), tt_secret("b", &b)),
		NULL, GW_TLS_ALPN_HTTP1);
	const char *cn;

	(void)s;
	assert_int_equal(x->ls[0].nslots, 2);
	connect_sni(x, "b.test", &cn);
	assert_string_equal(cn, "b");
	connect_sni(x, "a.example.com", &cn);
	assert_string_equal(cn, "a");
	connect_sni(x, NULL, &cn);
	assert_string_equal(cn, "a");
	gw_tls_ctx_put(x);
	fx_free(cfg);
	tt_cert_free(&b);
}

/* Returns the negotiated version name, or NULL when the handshake failed. */
static const char *try_version(struct gw_tls_ctx *x, const char *sni, int client_max,
			       char *errmsg, size_t len)
{
	SSL_CTX *cctx = tt_ossl_ctx();
	struct tt_peer srv, cli;
	const char *v = NULL;

	SSL_CTX_set_max_proto_version(cctx, client_max);
	tt_peer_engine(&srv, x);
	tt_peer_ossl(&cli, cctx, sni);
	tt_run(&cli, &srv);
	if (tt_established(&srv) && tt_established(&cli)) {
		v = gw_tls_conn_version(srv.g);
		assert_string_equal(v, SSL_get_version(cli.ssl));
	}
	snprintf(errmsg, len, "%s", gw_tls_conn_errmsg(srv.g));
	tt_peer_free(&cli);
	tt_peer_free(&srv);
	SSL_CTX_free(cctx);
	return v;
}

static void test_versions(void **s)
{
	struct gw_config *cfg;
	struct gw_tls_ctx *x = tt_server(
		&cfg,
		fx_printf("%s%s%s" TT_GW(HTTPS("a", ", hostname: a.example.com", "a",
					       ", options: {xdpgw.io/min-version: '1.3'}")
					 HTTPS("w", ", hostname: '*.example.com'", "w",
					       ", options: {xdpgw.io/max-version: '1.2'}")
					 HTTPS("d", "", "d", "")),
			  tt_secret("a", &cert_a), tt_secret("w", &cert_w),
			  tt_secret("d", &cert_d)),
		NULL, GW_TLS_ALPN_HTTP1);
	char msg[400];

	(void)s;
	/* defaults: 1.2 and 1.3 */
	assert_string_equal(try_version(x, "d.test", TLS1_3_VERSION, msg, sizeof(msg)), "TLSv1.3");
	assert_string_equal(try_version(x, "d.test", TLS1_2_VERSION, msg, sizeof(msg)), "TLSv1.2");
	/* per listener, although the connection started on the default listener's SSL_CTX */
	assert_string_equal(try_version(x, "a.example.com", TLS1_3_VERSION, msg, sizeof(msg)),
			    "TLSv1.3");
	assert_null(try_version(x, "a.example.com", TLS1_2_VERSION, msg, sizeof(msg)));
	assert_non_null(strstr(msg, "TLS handshake failed: unsupported protocol"));
	assert_string_equal(try_version(x, "b.example.com", TLS1_3_VERSION, msg, sizeof(msg)),
			    "TLSv1.2");
	gw_tls_ctx_put(x);
	fx_free(cfg);
}

static const char *try_cipher(struct gw_tls_ctx *x, const char *sni, int client_max)
{
	static char name[64];
	SSL_CTX *cctx = tt_ossl_ctx();
	struct tt_peer srv, cli;

	SSL_CTX_set_max_proto_version(cctx, client_max);
	tt_peer_engine(&srv, x);
	tt_peer_ossl(&cli, cctx, sni);
	tt_run(&cli, &srv);
	if (!tt_established(&srv))
		fail_msg("%s: %s", sni, gw_tls_conn_errmsg(srv.g));
	snprintf(name, sizeof(name), "%s", gw_tls_conn_cipher(srv.g));
	tt_peer_free(&cli);
	tt_peer_free(&srv);
	SSL_CTX_free(cctx);
	return name;
}

static void test_cipher_options_per_listener(void **s)
{
	struct gw_config *cfg;
	struct gw_tls_ctx *x = tt_server(
		&cfg,
		fx_printf("%s%s" TT_GW(HTTPS("a", ", hostname: a.example.com", "a",
					     ", options: {xdpgw.io/ciphers: "
					     "ECDHE-ECDSA-CHACHA20-POLY1305, "
					     "xdpgw.io/ciphersuites: "
					     "TLS_CHACHA20_POLY1305_SHA256, xdpgw.io/groups: "
					     "'P-384', other.example/ignored: x}")
				       HTTPS("d", "", "d", "")),
			  tt_secret("a", &cert_a), tt_secret("d", &cert_d)),
		NULL, GW_TLS_ALPN_HTTP1);

	(void)s;
	assert_true(x->ls[0].custom);
	assert_false(x->ls[1].custom);
	assert_string_equal(try_cipher(x, "a.example.com", TLS1_2_VERSION),
			    "ECDHE-ECDSA-CHACHA20-POLY1305");
	assert_string_equal(try_cipher(x, "a.example.com", TLS1_3_VERSION),
			    "TLS_CHACHA20_POLY1305_SHA256");
	assert_string_equal(try_cipher(x, "d.test", TLS1_2_VERSION),
			    "ECDHE-ECDSA-AES128-GCM-SHA256");
	assert_string_equal(try_cipher(x, "d.test", TLS1_3_VERSION), "TLS_AES_128_GCM_SHA256");
	gw_tls_ctx_put(x);
	fx_free(cfg);
}

/* The client offers wire (NULL: no ALPN); returns the server's view, or -1 on failure. */
static int try_alpn(struct gw_tls_ctx *x, const char *sni, const char *wire, size_t len,
		    char *errmsg, size_t errlen)
{
	SSL_CTX *cctx = tt_ossl_ctx();
	struct tt_peer srv, cli;
	int proto = -1;

	tt_peer_engine(&srv, x);
	tt_peer_ossl(&cli, cctx, sni);
	if (wire)
		assert_int_equal(SSL_set_alpn_protos(cli.ssl, (const unsigned char *)wire,
						     (unsigned)len), 0);
	tt_run(&cli, &srv);
	if (tt_established(&srv)) {
		const unsigned char *p;
		unsigned n;
		size_t sn = 0;
		const char *sp = gw_tls_conn_alpn(srv.g, &sn);

		proto = gw_tls_conn_proto(srv.g);
		SSL_get0_alpn_selected(cli.ssl, &p, &n);
		/* both ends agree */
		assert_int_equal(n, sp ? sn : 0);
		if (sp)
			assert_memory_equal(p, sp, sn);
	}
	snprintf(errmsg, errlen, "%s", gw_tls_conn_errmsg(srv.g));
	tt_peer_free(&cli);
	tt_peer_free(&srv);
	SSL_CTX_free(cctx);
	return proto;
}

#define ALPN(s) s, sizeof(s) - 1

static void test_alpn(void **s)
{
	struct gw_config *cfg;
	struct gw_tls_ctx *x = tt_server(
		&cfg,
		fx_printf("%s%s" TT_GW(HTTPS("a", ", hostname: a.example.com", "a",
					     ", options: {xdpgw.io/alpn: http/1.1}")
				       HTTPS("d", "", "d", "")),
			  tt_secret("a", &cert_a), tt_secret("d", &cert_d)),
		NULL, GW_TLS_ALPN_HTTP1 | GW_TLS_ALPN_H2);
	char msg[400];

	(void)s;
	/* the listener's preference (h2 first) wins over the client's order */
	assert_int_equal(try_alpn(x, "d.test", ALPN("\x08http/1.1\x02h2"), msg, sizeof(msg)),
			 GW_TLS_PROTO_H2);
	assert_int_equal(try_alpn(x, "d.test", ALPN("\x08http/1.1"), msg, sizeof(msg)),
			 GW_TLS_PROTO_HTTP1);
	assert_int_equal(try_alpn(x, "d.test", NULL, 0, msg, sizeof(msg)), GW_TLS_PROTO_NONE);
	/* xdpgw.io/alpn limits what a listener offers */
	assert_int_equal(try_alpn(x, "a.example.com", ALPN("\x02h2\x08http/1.1"), msg,
				  sizeof(msg)), GW_TLS_PROTO_HTTP1);
	/* no protocol in common: no_application_protocol (RFC 7301 section 3.2) */
	assert_int_equal(try_alpn(x, "a.example.com", ALPN("\x02h2"), msg, sizeof(msg)), -1);
	assert_non_null(strstr(msg, "the client offers no ALPN protocol listener infra/g/a "
				    "serves"));
	assert_non_null(strstr(msg, "no application protocol"));
	gw_tls_ctx_put(x);
	fx_free(cfg);

	/* the HTTP layer speaks only HTTP/1.1: h2 is never offered */
	x = tt_server(&cfg, fx_printf("%s" TT_GW(HTTPS("d", "", "d", "")),
				      tt_secret("d", &cert_d)), NULL, GW_TLS_ALPN_HTTP1);
	assert_int_equal(try_alpn(x, "d.test", ALPN("\x02h2\x08http/1.1"), msg, sizeof(msg)),
			 GW_TLS_PROTO_HTTP1);
	gw_tls_ctx_put(x);
	fx_free(cfg);
}

static void test_alpn_tls_listener(void **s)
{
	struct gw_config *cfg;
	struct gw_tls_ctx *x = tt_server(
		&cfg,
		fx_printf("%s%s" TT_GW("  - {name: t, protocol: TLS, port: 443, hostname: "
				       "t.test, tls: {mode: Terminate, certificateRefs: [{name: "
				       "d}], options: {xdpgw.io/alpn: 'imap, pop3'}}}\n"
				       "  - {name: u, protocol: TLS, port: 443, hostname: u.test, "
				       "tls: {mode: Terminate, certificateRefs: [{name: d}]}}\n"),
			  tt_secret("d", &cert_d), ""),
		NULL, GW_TLS_ALPN_HTTP1 | GW_TLS_ALPN_H2);
	char msg[400];
	size_t n;

	(void)s;
	assert_int_equal(try_alpn(x, "t.test", ALPN("\x04pop3\x04imap"), msg, sizeof(msg)),
			 GW_TLS_PROTO_OTHER);
	/* a TLS listener without the option negotiates no ALPN, whatever is offered */
	assert_int_equal(try_alpn(x, "u.test", ALPN("\x02h2"), msg, sizeof(msg)),
			 GW_TLS_PROTO_NONE);
	(void)n;
	gw_tls_ctx_put(x);
	fx_free(cfg);
}

static void test_listeners_not_served(void **s)
{
	struct gw_config *cfg = fx_resolve(fx_printf(
		"%s%s" TT_GW(HTTPS("bad", ", hostname: bad.test", "a",
				   ", options: {xdpgw.io/min-version: '1.1'}")
			     HTTPS("unknown", ", hostname: unknown.test", "a",
				   ", options: {xdpgw.io/frobnicate: 'yes'}")
			     HTTPS("nodomain", ", hostname: nodomain.test", "a",
				   ", options: {min-version: '1.3'}")
			     HTTPS("missing", ", hostname: missing.test", "nosuch", "")
			     "  - {name: pass, protocol: TLS, port: 443, hostname: pass.test, "
			     "tls: {mode: Passthrough}}\n"
			     HTTPS("d", "", "d", "")),
		tt_secret("a", &cert_a), tt_secret("d", &cert_d)));
	const struct gw_listener *ls[8];
	struct gw_tls_server_conf conf = { .alpn = GW_TLS_ALPN_HTTP1 };
	char err[512];
	struct gw_tls_ctx *x;
	int n = tt_port_listeners(cfg, 443, ls, 8);

	(void)s;
	assert_int_equal(n, 6);
	x = gw_tls_ctx_new_server(ls, n, &conf, err, sizeof(err));
	assert_non_null(x);
	assert_int_equal(gw_tls_ctx_nlisteners(x), 6);
	assert_non_null(strstr(gw_tls_ctx_listener(x, 0)->error,
			       "listener infra/g/bad (port 443): xdpgw.io/min-version: \"1.1\" is "
			       "not supported"));
	assert_non_null(strstr(gw_tls_ctx_listener(x, 1)->error, "xdpgw.io/frobnicate: unknown "
			       "option"));
	assert_non_null(strstr(gw_tls_ctx_listener(x, 2)->error, "has no domain prefix"));
	assert_non_null(strstr(gw_tls_ctx_listener(x, 3)->error, "the listener is not accepted"));
	assert_non_null(strstr(gw_tls_ctx_listener(x, 4)->error, "not a TLS listener in mode "
			       "Terminate"));
	assert_null(gw_tls_ctx_listener(x, 5)->error);
	assert_string_equal(gw_tls_ctx_listener(x, 5)->owner, "infra/g");
	assert_null(gw_tls_ctx_listener(x, 6));
	/* a listener that is not served is not chosen by SNI either */
	{
		const char *cn;

		assert_string_equal(connect_sni(x, "bad.test", &cn), "d");
	}
	gw_tls_ctx_put(x);

	/* nothing to serve: no context, and the reason */
	x = gw_tls_ctx_new_server(ls, 1, &conf, err, sizeof(err));
	assert_null(x);
	assert_int_equal(errno, EINVAL);
	assert_non_null(strstr(err, "Couldn't build the TLS context for port 443: no listener "
				    "can be served; listener infra/g/bad"));
	fx_free(cfg);
}

/* Listeners built by hand: what the resolver would not let through. */
static void test_certificate_errors(void **s)
{
	struct tt_cert other = tt_cert_new("RSA", "other", "DNS:other.test", NULL);
	EVP_PKEY *k2 = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
	char *k2pem = tt_pem_key(k2);
	struct gw_cert mismatched = cert_a.gc, garbage = cert_a.gc, badkey = cert_a.gc;
	struct gw_listener l = { .name = "h", .proto = GW_PROTO_HTTPS, .port = 8443,
				 .tls_mode = "Terminate", .valid = true, .ncerts = 1 };
	const struct gw_listener *ls[] = { &l };
	char err[512];

	(void)s;
	mismatched.key_pem = other.key;
	mismatched.key_len = strlen(other.key);
	l.certs = &mismatched;
	assert_null(gw_tls_ctx_new_server(ls, 1, NULL, err, sizeof(err)));
	assert_non_null(strstr(err, "Couldn't build the TLS context for port 8443: no listener "
				    "can be served; listener h (port 8443): Couldn't use the "
				    "certificate and key of certificate: different key types"));
	mismatched.key_pem = k2pem;
	mismatched.key_len = strlen(k2pem);
	assert_null(gw_tls_ctx_new_server(ls, 1, NULL, err, sizeof(err)));
	assert_non_null(strstr(err, "Couldn't use the certificate and key of certificate: "
				    "private key mismatch"));
	garbage.cert_pem = "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n";
	garbage.cert_len = strlen(garbage.cert_pem);
	l.certs = &garbage;
	assert_null(gw_tls_ctx_new_server(ls, 1, NULL, err, sizeof(err)));
	assert_non_null(strstr(err, "Couldn't read the certificate in tls.crt of certificate: "));
	badkey.key_pem = "not a key";
	badkey.key_len = strlen(badkey.key_pem);
	l.certs = &badkey;
	assert_null(gw_tls_ctx_new_server(ls, 1, NULL, err, sizeof(err)));
	assert_non_null(strstr(err, "Couldn't read the private key in tls.key of certificate"));
	l.ncerts = 0;
	assert_null(gw_tls_ctx_new_server(ls, 1, NULL, err, sizeof(err)));
	assert_non_null(strstr(err, "listener h (port 8443): no usable certificate"));
	tt_cert_free(&other);
	EVP_PKEY_free(k2);
	free(k2pem);
}

static void test_ports_must_match(void **s)
{
	struct gw_listener a = { .name = "a", .port = 443 }, b = { .name = "b", .port = 8443 };
	const struct gw_listener *ls[] = { &a, &b };
	char err[256];

	(void)s;
	assert_null(gw_tls_ctx_new_server(ls, 2, NULL, err, sizeof(err)));
	assert_int_equal(errno, EINVAL);
	assert_non_null(strstr(err, "listeners a and b are on different ports (443, 8443)"));
	assert_null(gw_tls_ctx_new_server(ls, 0, NULL, err, sizeof(err)));
}

static void test_handshake_failures(void **s)
{
	struct gw_config *cfg;
	struct gw_tls_ctx *x = tt_server(&cfg, fx_printf("%s" TT_GW(HTTPS("d", "", "d", "")),
							tt_secret("d", &cert_d)),
					 NULL, GW_TLS_ALPN_HTTP1);
	SSL_CTX *cctx = tt_ossl_ctx();
	struct tt_peer srv, cli;
	static const char http[] = "GET / HTTP/1.1\r\nHost: d.test\r\n\r\n";

	(void)s;
	/* no cipher in common */
	SSL_CTX_set_max_proto_version(cctx, TLS1_2_VERSION);
	assert_int_equal(SSL_CTX_set_cipher_list(cctx, "AES128-SHA"), 1);
	tt_peer_engine(&srv, x);
	tt_peer_ossl(&cli, cctx, "d.test");
	tt_run(&cli, &srv);
	assert_true(cli.failed);
	assert_int_equal(srv.res, -EPROTO);
	assert_ptr_equal(srv.ev.err, gw_tls_error_handshake);
	assert_non_null(strstr(gw_tls_conn_errmsg(srv.g),
			       "TLS handshake failed: no shared cipher (sent alert handshake "
			       "failure)"));
	/* sticky */
	assert_int_equal(gw_tls_read(srv.g, (char[8]){ 0 }, 8), -EPROTO);
	assert_int_equal(gw_tls_write(srv.g, "x", 1), -EPIPE);
	assert_int_equal(gw_tls_shutdown(srv.g), 0);
	tt_peer_free(&cli);
	tt_peer_free(&srv);

	/* plain HTTP on the TLS port */
	tt_peer_engine(&srv, x);
	assert_int_equal(gw_tls_feed_in(srv.g, http, sizeof(http) - 1), 0);
	assert_int_equal(gw_tls_read(srv.g, (char[8]){ 0 }, 8), -EPROTO);
	assert_non_null(strstr(gw_tls_conn_errmsg(srv.g), "TLS handshake failed: http request"));
	assert_int_equal(srv.ev.hs, 1);
	tt_peer_free(&srv);
	SSL_CTX_free(cctx);
	gw_tls_ctx_put(x);
	fx_free(cfg);
}

/*
 * Reload: a new context from a new config while a connection on the old
 * one keeps working; the old context lives as long as its connections.
 */
static void test_reload_keeps_connections(void **s)
{
	struct tt_cert v2 = tt_cert_new("EC", "v2", "DNS:d.test", NULL);
	struct gw_config *cfg1, *cfg2;
	struct gw_tls_ctx *x1 = tt_server(&cfg1, fx_printf("%s" TT_GW(HTTPS("d", "", "d", "")),
							  tt_secret("d", &cert_d)),
					  NULL, GW_TLS_ALPN_HTTP1);
	struct gw_tls_ctx *x2;
	SSL_CTX *cctx = tt_ossl_ctx();
	struct tt_peer srv1, cli1, srv2, cli2;

	(void)s;
	tt_peer_engine(&srv1, x1);
	tt_peer_ossl(&cli1, cctx, "d.test");
	tt_run(&cli1, &srv1);
	assert_true(tt_established(&srv1));
	assert_int_equal(atomic_load(&x1->refs), 2);
	/* the config changes: new certificate, new context; the old config is gone */
	x2 = tt_server(&cfg2, fx_printf("%s" TT_GW(HTTPS("d", "", "d", "")), tt_secret("d", &v2)),
		       NULL, GW_TLS_ALPN_HTTP1);
	gw_tls_ctx_put(x1);
	fx_free(cfg1);
	assert_int_equal(atomic_load(&x1->refs), 1);
	tt_write(&cli1, "ping", 4);
	tt_write(&srv1, "pong", 4);
	tt_run(&cli1, &srv1);
	assert_int_equal(srv1.nsink, 4);
	assert_memory_equal(srv1.sink, "ping", 4);
	assert_int_equal(cli1.nsink, 4);
	assert_string_equal(gw_tls_conn_listener(srv1.g)->name, "d");
	assert_string_equal(tt_peer_cn(&cli1), "d");
	/* new connections get the new certificate */
	tt_peer_engine(&srv2, x2);
	tt_peer_ossl(&cli2, cctx, "d.test");
	tt_run(&cli2, &srv2);
	assert_true(tt_established(&srv2));
	assert_string_equal(tt_peer_cn(&cli2), "v2");
	tt_peer_free(&cli1);
	tt_peer_free(&srv1);	/* drops the last reference on x1 */
	tt_peer_free(&cli2);
	tt_peer_free(&srv2);
	SSL_CTX_free(cctx);
	gw_tls_ctx_put(x2);
	fx_free(cfg2);
	tt_cert_free(&v2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sni_exact_wildcard_default),
		cmocka_unit_test(test_sni_longest_wildcard),
		cmocka_unit_test(test_sni_unknown_is_refused),
		cmocka_unit_test(test_rsa_and_ecdsa),
		cmocka_unit_test(test_several_names_one_listener),
		cmocka_unit_test(test_versions),
		cmocka_unit_test(test_cipher_options_per_listener),
		cmocka_unit_test(test_alpn),
		cmocka_unit_test(test_alpn_tls_listener),
		cmocka_unit_test(test_listeners_not_served),
		cmocka_unit_test(test_certificate_errors),
		cmocka_unit_test(test_ports_must_match),
		cmocka_unit_test(test_handshake_failures),
		cmocka_unit_test(test_reload_keeps_connections),
	};

	return cmocka_run_group_tests_name("tls/ctx", tests, setup, teardown);
}
