// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Client certificates on server contexts (user/tls/client_auth.c): real
 * handshakes in memory between the engine and OpenSSL clients presenting
 * a valid certificate, none, one from another CA and an expired one, under
 * AllowValidOnly and AllowInsecureFallback, TLS 1.2 and 1.3; listeners
 * without validation never ask; sessions resume with their verification
 * result, and do not resume once the CA bundle changed.
 */
#include "tls/tlstest.h"

static struct tt_ca ca, other_ca;
static struct tt_cert server_cert;
static EVP_PKEY *client_key;
static X509 *good, *foreign, *expired;

static int setup(void **s)
{
	(void)s;
	ca = tt_ca_new("client-ca");
	other_ca = tt_ca_new("other-ca");
	server_cert = tt_cert_new("EC", "srv", "DNS:a.test,DNS:b.test", NULL);
	client_key = tt_key("EC");
	good = tt_x509(client_key, "alice", NULL, ca.x, ca.key, false);
	foreign = tt_x509(client_key, "mallory", NULL, other_ca.x, other_ca.key, false);
	expired = tt_x509(client_key, "bob", NULL, ca.x, ca.key, false);
	X509_gmtime_adj(X509_getm_notAfter(expired), -60);
	assert_true(X509_sign(expired, ca.key, EVP_sha256()) > 0);
	return 0;
}

static int teardown(void **s)
{
	(void)s;
	tt_ca_free(&ca);
	tt_ca_free(&other_ca);
	tt_cert_free(&server_cert);
	X509_free(good);
	X509_free(foreign);
	X509_free(expired);
	return 0;
}

/*
 * Gateway infra/g: listener a (a.test) and b (b.test) on 443, frontend
 * validation as given (a YAML flow map, "" for none), CA ConfigMaps
 * client-ca and other-ca.
 */
static const char *yaml(const char *frontend)
{
	return fx_printf("%s%s%s" FX_CLASS
			 "apiVersion: gateway.networking.k8s.io/v1\nkind: Gateway\n"
			 "metadata: {name: g, namespace: infra}\n"
			 "spec:\n  gatewayClassName: gc\n%s%s%s  listeners:\n"
			 "  - {name: a, protocol: HTTPS, port: 443, hostname: a.test, tls: "
			 "{certificateRefs: [{name: srv}]}}\n"
			 "  - {name: b, protocol: HTTPS, port: 443, hostname: b.test, tls: "
			 "{certificateRefs: [{name: srv}]}}\n---\n",
			 tt_secret("srv", &server_cert), tt_ca_configmap("client-ca", ca.pem),
			 tt_ca_configmap("other-ca", other_ca.pem), *frontend ? "  tls: {frontend: " : "",
			 frontend, *frontend ? "}\n" : "");
}

#define VALIDATION(cm, mode)                                                                 \
	"{validation: {caCertificateRefs: [{group: '', kind: ConfigMap, name: " cm "}]"        \
	", mode: " mode "}}"

struct result {
	bool established;	/* the engine completed the handshake */
	bool client_failed;	/* the client saw the handshake fail */
	bool verified;
	int peer;		/* gw_tls_conn_peer_cert() */
	char subject[128];
	char hash[65];
	char errmsg[320];
	bool resumed;
};

/* One handshake to sni presenting cert (NULL: none), offering sess; *out gets the session. */
static struct result connect_with(struct gw_tls_ctx *x, const char *sni, X509 *cert, int max,
				  SSL_SESSION *sess, SSL_SESSION **out)
{
	SSL_CTX *cctx = tt_ossl_ctx();
	struct tt_peer srv, cli;
	struct result r = { 0 };

	SSL_CTX_set_max_proto_version(cctx, max);
	if (cert) {
		assert_int_equal(SSL_CTX_use_certificate(cctx, cert), 1);
		assert_int_equal(SSL_CTX_use_PrivateKey(cctx, client_key), 1);
	}
	tt_peer_engine(&srv, x);
	tt_peer_ossl(&cli, cctx, sni);
	if (sess)
		assert_int_equal(SSL_set_session(cli.ssl, sess), 1);
	tt_run(&cli, &srv);
	r.established = tt_established(&srv);
	r.client_failed = cli.failed;
	r.verified = gw_tls_conn_peer_verified(srv.g);
	r.peer = gw_tls_conn_peer_cert(srv.g, r.subject, sizeof(r.subject), r.hash);
	r.resumed = gw_tls_conn_resumed(srv.g);
	snprintf(r.errmsg, sizeof(r.errmsg), "%s", gw_tls_conn_errmsg(srv.g));
	if (!r.established)
		assert_ptr_equal(gw_tls_conn_err(srv.g), gw_tls_error_verify);
	if (out) {
		*out = SSL_get1_session(cli.ssl);
		assert_non_null(*out);
	}
	if (r.established)
		tt_shutdown(&cli);
	tt_peer_free(&cli);
	tt_peer_free(&srv);
	SSL_CTX_free(cctx);
	return r;
}

static struct result connect_as(struct gw_tls_ctx *x, X509 *cert, int max)
{
	return connect_with(x, "a.test", cert, max, NULL, NULL);
}

static void hash_of(X509 *cert, char hex[65])
{
	unsigned char md[32];
	unsigned n = 0;

	assert_int_equal(X509_digest(cert, EVP_sha256(), md, &n), 1);
	for (unsigned i = 0; i < n; i++)
		snprintf(hex + 2 * i, 3, "%02x", md[i]);
}

static void valid_only(int max)
{
	struct gw_config *cfg;
	struct gw_tls_ctx *x = tt_server(&cfg, yaml("{default: " VALIDATION("client-ca",
										 "AllowValidOnly") "}"),
					 NULL, GW_TLS_ALPN_HTTP1);
	struct result r;
	char want[65];

	r = connect_as(x, good, max);
	assert_true(r.established);
	assert_true(r.verified);
	assert_int_equal(r.peer, 0);
	assert_string_equal(r.subject, "CN=alice");
	hash_of(good, want);
	assert_string_equal(r.hash, want);

	r = connect_as(x, NULL, max);
	assert_false(r.established);
	assert_true(r.client_failed);
	assert_non_null(strstr(r.errmsg, "client certificate required by listener infra/g/a"));

	r = connect_as(x, foreign, max);
	assert_false(r.established);
	assert_true(r.client_failed);
	assert_non_null(strstr(r.errmsg, "unable to get local issuer certificate"));

	r = connect_as(x, expired, max);
	assert_false(r.established);
	assert_true(r.client_failed);
	assert_non_null(strstr(r.errmsg, "certificate has expired"));
	gw_tls_ctx_put(x);
	fx_free(cfg);
}

static void test_valid_only_tls13(void **s)
{
	(void)s;
	valid_only(TLS1_3_VERSION);
}

static void test_valid_only_tls12(void **s)
{
	(void)s;
	valid_only(TLS1_2_VERSION);
}

static void insecure_fallback(int max)
{
	struct gw_config *cfg;
	struct gw_tls_ctx *x = tt_server(&cfg, yaml("{default: " VALIDATION(
							    "client-ca", "AllowInsecureFallback")
						    "}"),
					 NULL, GW_TLS_ALPN_HTTP1);
	struct result r;

	r = connect_as(x, good, max);
	assert_true(r.established);
	assert_true(r.verified);
	assert_string_equal(r.subject, "CN=alice");

	r = connect_as(x, NULL, max);
	assert_true(r.established);
	assert_false(r.verified);
	assert_int_equal(r.peer, -ENOENT);

	/* served, but the certificate is reported as not verified */
	r = connect_as(x, foreign, max);
	assert_true(r.established);
	assert_false(r.verified);
	assert_int_equal(r.peer, 0);
	assert_string_equal(r.subject, "CN=mallory");

	r = connect_as(x, expired, max);
	assert_true(r.established);
	assert_false(r.verified);
	assert_string_equal(r.subject, "CN=bob");
	gw_tls_ctx_put(x);
	fx_free(cfg);
}

static void test_insecure_fallback_tls13(void **s)
{
	(void)s;
	insecure_fallback(TLS1_3_VERSION);
}

static void test_insecure_fallback_tls12(void **s)
{
	(void)s;
	insecure_fallback(TLS1_2_VERSION);
}

/* Without spec.tls.frontend no certificate is asked for, so a client's is never sent. */
static void test_no_validation_never_asks(void **s)
{
	struct gw_config *cfg;
	struct gw_tls_ctx *x = tt_server(&cfg, yaml(""), NULL, GW_TLS_ALPN_HTTP1);
	struct result r = connect_as(x, good, TLS1_3_VERSION);

	(void)s;
	assert_true(r.established);
	assert_false(r.verified);
	assert_int_equal(r.peer, -ENOENT);
	gw_tls_ctx_put(x);
	fx_free(cfg);
}

/*
 * A reload to another CA bundle: the old certificate is refused, the new
 * CA's accepted, and a session made under the old CA does not resume
 * (it would skip the check): the session id context covers the policy.
 */
static void test_reload_changes_ca_and_drops_sessions(void **s)
{
	struct gw_tls_tickets *t = gw_tls_tickets_new(3600);
	struct gw_config *c1, *c2;
	struct gw_tls_ctx *x1, *x2;
	SSL_SESSION *sess = NULL, *again = NULL;
	struct result r;

	(void)s;
	assert_non_null(t);
	x1 = tt_server(&c1, yaml("{default: " VALIDATION("client-ca", "AllowValidOnly") "}"), t,
		       GW_TLS_ALPN_HTTP1);
	r = connect_with(x1, "a.test", good, TLS1_3_VERSION, NULL, &sess);
	assert_true(r.established);
	/* the same config resumes, and the resumed session keeps the verified certificate */
	r = connect_with(x1, "a.test", good, TLS1_3_VERSION, sess, &again);
	assert_true(r.resumed);
	assert_true(r.verified);
	assert_string_equal(r.subject, "CN=alice");
	SSL_SESSION_free(again);

	x2 = tt_server(&c2, yaml("{default: " VALIDATION("other-ca", "AllowValidOnly") "}"), t,
		       GW_TLS_ALPN_HTTP1);
	r = connect_with(x2, "a.test", good, TLS1_3_VERSION, sess, NULL);
	assert_false(r.resumed);
	assert_false(r.established);
	assert_non_null(strstr(r.errmsg, "did not verify"));
	r = connect_as(x2, foreign, TLS1_3_VERSION);
	assert_true(r.established);
	assert_true(r.verified);
	SSL_SESSION_free(sess);
	gw_tls_ctx_put(x1);
	gw_tls_ctx_put(x2);
	fx_free(c1);
	fx_free(c2);
	gw_tls_tickets_put(t);
}

/* A session made without a certificate under AllowInsecureFallback resumes as unverified. */
static void test_insecure_session_resumes_unverified(void **s)
{
	struct gw_tls_tickets *t = gw_tls_tickets_new(3600);
	struct gw_config *cfg;
	struct gw_tls_ctx *x;
	SSL_SESSION *sess = NULL;
	struct result r;

	(void)s;
	x = tt_server(&cfg, yaml("{default: " VALIDATION("client-ca", "AllowInsecureFallback")
				 "}"), t, GW_TLS_ALPN_HTTP1);
	r = connect_with(x, "b.test", foreign, TLS1_2_VERSION, NULL, &sess);
	assert_false(r.verified);
	r = connect_with(x, "b.test", foreign, TLS1_2_VERSION, sess, NULL);
	assert_true(r.resumed);
	assert_false(r.verified);
	assert_string_equal(r.subject, "CN=mallory");
	SSL_SESSION_free(sess);
	gw_tls_ctx_put(x);
	fx_free(cfg);
	gw_tls_tickets_put(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_valid_only_tls13),
		cmocka_unit_test(test_valid_only_tls12),
		cmocka_unit_test(test_insecure_fallback_tls13),
		cmocka_unit_test(test_insecure_fallback_tls12),
		cmocka_unit_test(test_no_validation_never_asks),
		cmocka_unit_test(test_reload_changes_ca_and_drops_sessions),
		cmocka_unit_test(test_insecure_session_resumes_unverified),
	};

	return cmocka_run_group_tests_name("tls/client_auth", tests, setup, teardown);
}
