// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Client contexts for BackendTLSPolicy (user/tls/client.c): the engine's
 * client against the engine's server (and against an OpenSSL server that
 * asks for a client certificate). CA bundles from ConfigMaps and Secrets,
 * SNI and hostname verification, subjectAltNames instead of the hostname,
 * verification failures and their messages, ALPN, resumption, and the
 * errors of building a context from a policy that does not resolve.
 */
#include <unistd.h>

#include "tls/tlstest.h"
#include "user/tls/tls_internal.h"

static struct tt_ca ca, other_ca;
static struct tt_cert backend, wild;
static struct gw_config *scfg, *swcfg;
static struct gw_tls_ctx *server, *wserver;

#define SPIFFE "spiffe://cluster.local/ns/app/sa/backend"

static int setup(void **s)
{
	(void)s;
	ca = tt_ca_new("test CA");
	other_ca = tt_ca_new("other CA");
	backend = tt_cert_new("EC", "backend", "DNS:backend.example.com,URI:" SPIFFE, &ca);
	wild = tt_cert_new("RSA", "wild", "DNS:*.example.com", &ca);
	server = tt_server(&scfg,
			   fx_printf("%s" TT_GW("  - {name: d, protocol: HTTPS, port: 443, tls: "
						"{certificateRefs: [{name: b}]}}\n"),
				     tt_secret("b", &backend)),
			   NULL, GW_TLS_ALPN_HTTP1 | GW_TLS_ALPN_H2);
	wserver = tt_server(&swcfg,
			    fx_printf("%s" TT_GW("  - {name: d, protocol: HTTPS, port: 443, tls: "
						 "{certificateRefs: [{name: w}]}}\n"),
				      tt_secret("w", &wild)),
			    NULL, GW_TLS_ALPN_HTTP1);
	return 0;
}

static int teardown(void **s)
{
	(void)s;
	gw_tls_ctx_put(server);
	gw_tls_ctx_put(wserver);
	fx_free(scfg);
	fx_free(swcfg);
	tt_cert_free(&backend);
	tt_cert_free(&wild);
	tt_ca_free(&ca);
	tt_ca_free(&other_ca);
	return 0;
}

#define SVC                                                                                  \
	"apiVersion: v1\nkind: Service\nmetadata: {name: svc, namespace: infra}\n"           \
	"spec: {ports: [{name: https, port: 443}]}\n---\n"

/* A config with ConfigMap "ca" holding ca_pem and BackendTLSPolicy infra/p. */
static struct gw_config *policy_cfg(const char *ca_pem, const char *validation)
{
	return fx_resolve(fx_printf(
		SVC "%s"
		"apiVersion: gateway.networking.k8s.io/v1\nkind: BackendTLSPolicy\n"
		"metadata: {name: p, namespace: infra}\n"
		"spec:\n  targetRefs: [{group: '', kind: Service, name: svc}]\n"
		"  validation: %s\n---\n",
		ca_pem ? tt_ca_configmap("ca", ca_pem) : "", validation));
}

static struct gw_tls_ctx *client_ctx(struct gw_config *cfg, unsigned alpn, char *err,
				     size_t errlen)
{
	struct gw_tls_client_conf conf = { .alpn = alpn };

	return gw_tls_ctx_new_client(cfg, gw_config_find(cfg, GW_K_BACKENDTLSPOLICY, "infra", "p"),
				     &conf, err, errlen);
}

#define CA_REF "caCertificateRefs: [{group: '', kind: ConfigMap, name: ca}]"

/* Engine client on cx against engine server sx: whether both ends established. */
static bool connect(struct gw_tls_ctx *cx, struct gw_tls_ctx *sx, struct tt_peer *cli,
		    struct tt_peer *srv)
{
	tt_peer_engine(cli, cx);
	tt_peer_engine(srv, sx);
	tt_run(cli, srv);
	return tt_established(cli) && tt_established(srv);
}

static void test_verify_ok(void **s)
{
	struct gw_config *cfg = policy_cfg(ca.pem, "{" CA_REF ", hostname: backend.example.com}");
	char err[512] = "";
	struct gw_tls_ctx *cx = client_ctx(cfg, GW_TLS_ALPN_HTTP1 | GW_TLS_ALPN_H2, err,
					   sizeof(err));
	struct tt_peer cli, srv;

	(void)s;
	if (!cx)
		fail_msg("%s", err);
	assert_int_equal(gw_tls_ctx_nlisteners(cx), 0);
	assert_null(gw_tls_ctx_listener(cx, 0));
	if (!connect(cx, server, &cli, &srv))
		fail_msg("client: %s; server: %s", gw_tls_conn_errmsg(cli.g),
			 gw_tls_conn_errmsg(srv.g));
	/* SNI is the policy's hostname */
	assert_string_equal(gw_tls_conn_sni(cli.g), "backend.example.com");
	assert_string_equal(gw_tls_conn_sni(srv.g), "backend.example.com");
	assert_int_equal(cli.ev.hello, 1);	/* the ServerHello */
	assert_int_equal(cli.ev.hs, 1);
	assert_null(cli.ev.err);
	assert_null(gw_tls_conn_listener(cli.g));
	assert_int_equal(gw_tls_conn_proto(cli.g), GW_TLS_PROTO_H2);
	assert_int_equal(gw_tls_conn_offer_alpn(cli.g, GW_TLS_ALPN_HTTP1), -EINVAL);
	tt_write(&cli, "GET / HTTP/1.1\r\n\r\n", 18);
	tt_write(&srv, "HTTP/1.1 200 OK\r\n\r\n", 19);
	tt_run(&cli, &srv);
	assert_int_equal(srv.nsink, 18);
	assert_int_equal(cli.nsink, 19);
	tt_peer_free(&cli);
	tt_peer_free(&srv);

	/* the offer is per connection: an HTTP/1.1 backend */
	tt_peer_engine(&cli, cx);
	assert_int_equal(gw_tls_conn_offer_alpn(cli.g, GW_TLS_ALPN_HTTP1), 0);
	tt_peer_engine(&srv, server);
	tt_run(&cli, &srv);
	assert_true(tt_established(&cli));
	assert_int_equal(gw_tls_conn_proto(cli.g), GW_TLS_PROTO_HTTP1);
	tt_peer_free(&cli);
	tt_peer_free(&srv);
	gw_tls_ctx_put(cx);
	fx_free(cfg);
}

/* Builds a client for validation, connects to sx; returns the client's errmsg or NULL. */
static const char *verify(const char *ca_pem, const char *validation, struct gw_tls_ctx *sx,
			  char *srv_err, size_t srv_errlen)
{
	static char msg[400];
	struct gw_config *cfg = policy_cfg(ca_pem, validation);
	char err[512] = "";
	struct gw_tls_ctx *cx = client_ctx(cfg, GW_TLS_ALPN_HTTP1, err, sizeof(err));
	struct tt_peer cli, srv;
	const char *ret = NULL;

	if (!cx)
		fail_msg("%s", err);
	if (!connect(cx, sx, &cli, &srv)) {
		assert_ptr_equal(cli.ev.err, gw_tls_error_verify);
		assert_ptr_equal(gw_tls_conn_err(cli.g), gw_tls_error_verify);
		assert_int_equal(cli.res, -EPROTO);
		snprintf(msg, sizeof(msg), "%s", gw_tls_conn_errmsg(cli.g));
		ret = msg;
	}
	if (srv_err)
		snprintf(srv_err, srv_errlen, "%s", gw_tls_conn_errmsg(srv.g));
	tt_peer_free(&cli);
	tt_peer_free(&srv);
	gw_tls_ctx_put(cx);
	fx_free(cfg);
	return ret;
}

static void test_verify_failures(void **s)
{
	char srv[400];
	const char *m;

	(void)s;
	m = verify(other_ca.pem, "{" CA_REF ", hostname: backend.example.com}", server, srv,
		   sizeof(srv));
	assert_non_null(m);
	assert_string_equal(m, "certificate of backend.example.com did not verify: self-signed "
			       "certificate in certificate chain");
	/* the server learns it from the client's alert */
	assert_non_null(strstr(srv, "TLS handshake failed: tlsv1 alert unknown ca"));

	m = verify(ca.pem, "{" CA_REF ", hostname: other.example.com}", server, NULL, 0);
	assert_non_null(m);
	assert_string_equal(m, "certificate of other.example.com did not verify: hostname "
			       "mismatch");
	/* a wildcard certificate covers one label only (RFC 6125) */
	assert_null(verify(ca.pem, "{" CA_REF ", hostname: backend.example.com}", wserver, NULL,
			   0));
	m = verify(ca.pem, "{" CA_REF ", hostname: a.b.example.com}", wserver, NULL, 0);
	assert_non_null(m);
	assert_non_null(strstr(m, "hostname mismatch"));
}

static void test_subject_alt_names(void **s)
{
	const char *m;

	(void)s;
	/* subjectAltNames replace the hostname for authentication; the hostname is only SNI */
	assert_null(verify(ca.pem, "{" CA_REF ", hostname: sni-only.example.com, "
			   "subjectAltNames: [{type: URI, uri: '" SPIFFE "'}]}", server, NULL, 0));
	assert_null(verify(ca.pem, "{" CA_REF ", hostname: sni-only.example.com, "
			   "subjectAltNames: [{type: Hostname, hostname: nope.example.com}, "
			   "{type: Hostname, hostname: backend.example.com}]}", server, NULL, 0));
	/* a wildcard name matches the same wildcard in the certificate */
	assert_null(verify(ca.pem, "{" CA_REF ", hostname: x.example.com, subjectAltNames: "
			   "[{type: Hostname, hostname: '*.example.com'}]}", wserver, NULL, 0));
	/* and a plain name matches a wildcard certificate */
	assert_null(verify(ca.pem, "{" CA_REF ", hostname: x.example.com, subjectAltNames: "
			   "[{type: Hostname, hostname: y.example.com}]}", wserver, NULL, 0));
	m = verify(ca.pem, "{" CA_REF ", hostname: backend.example.com, subjectAltNames: "
		   "[{type: Hostname, hostname: nope.example.com}, {type: URI, uri: "
		   "'spiffe://cluster.local/ns/app/sa/other'}]}", server, NULL, 0);
	assert_non_null(m);
	assert_string_equal(m, "certificate of backend.example.com did not verify: it has no "
			       "subjectAltName of the policy's subjectAltNames (nope.example.com, "
			       "spiffe://cluster.local/ns/app/sa/other)");
}

/* CA bundle in a Secret, and the v1alpha2 shape of the policy. */
static void test_secret_ca_and_v1alpha2(void **s)
{
	struct gw_config *cfg = fx_resolve(fx_printf(
		SVC "apiVersion: v1\nkind: Secret\nmetadata: {name: cas, namespace: infra}\n"
		"data: {ca.crt: %s}\n---\n"
		"apiVersion: gateway.networking.k8s.io/v1alpha2\nkind: BackendTLSPolicy\n"
		"metadata: {name: p, namespace: infra}\n"
		"spec:\n  targetRef: {group: '', kind: Service, name: svc}\n"
		"  tls: {caCertRefs: [{group: '', kind: Secret, name: cas}], "
		"hostname: backend.example.com}\n---\n",
		tt_b64(fx_printf("%s%s", other_ca.pem, ca.pem))));
	char err[512] = "";
	struct gw_tls_ctx *cx = client_ctx(cfg, GW_TLS_ALPN_HTTP1, err, sizeof(err));
	struct tt_peer cli, srv;

	(void)s;
	if (!cx)
		fail_msg("%s", err);
	assert_true(connect(cx, server, &cli, &srv));
	tt_peer_free(&cli);
	tt_peer_free(&srv);
	gw_tls_ctx_put(cx);
	fx_free(cfg);
}

static const char *build_error(const char *ca_pem, const char *validation)
{
	static char err[512];
	struct gw_config *cfg = policy_cfg(ca_pem, validation);
	struct gw_tls_ctx *cx = client_ctx(cfg, GW_TLS_ALPN_HTTP1, err, sizeof(err));

	assert_null(cx);
	fx_free(cfg);
	return err;
}

static void test_build_errors(void **s)
{
	const char *prefix = "Couldn't build the TLS client context of BackendTLSPolicy infra/p: ";

	(void)s;
	assert_string_equal(build_error(NULL, "{" CA_REF ", hostname: b.test}"),
			    fx_printf("%scaCertificateRefs[0]: ConfigMap infra/ca not found",
				      prefix));
	assert_int_equal(errno, EINVAL);
	assert_string_equal(build_error("not a certificate\n", "{" CA_REF ", hostname: b.test}"),
			    fx_printf("%scaCertificateRefs[0]: ConfigMap infra/ca: ca.crt holds no "
				      "usable PEM certificate", prefix));
	assert_string_equal(
		build_error(NULL, "{caCertificateRefs: [{group: example.com, kind: Bundle, name: "
				  "x}], hostname: b.test}"),
		fx_printf("%scaCertificateRefs[0]: kind example.com/Bundle is not supported; use "
			  "a ConfigMap", prefix));
	assert_non_null(strstr(build_error(ca.pem, "{" CA_REF ", hostname: b.test}\n  options: "
						   "{xdpgw.io/max-version: '1.0'}"),
			       "xdpgw.io/max-version: \"1.0\" is not supported"));
}

static void test_system_cas(void **s)
{
	const char *file = getenv(X509_get_default_cert_file_env());
	struct gw_config *cfg = policy_cfg(NULL, "{wellKnownCACertificates: System, hostname: "
						 "backend.example.com}");
	char err[512] = "";
	struct gw_tls_ctx *cx;
	struct tt_peer cli, srv;

	(void)s;
	if (!file)
		file = X509_get_default_cert_file();
	if (access(file, R_OK)) {
		/* without a system bundle the build fails, saying which file */
		assert_null(client_ctx(cfg, GW_TLS_ALPN_HTTP1, err, sizeof(err)));
		assert_non_null(strstr(err, file));
		fx_free(cfg);
		skip();
	}
	cx = client_ctx(cfg, GW_TLS_ALPN_HTTP1, err, sizeof(err));
	if (!cx)
		fail_msg("%s", err);
	/* our test CA is not a well-known one */
	assert_false(connect(cx, server, &cli, &srv));
	assert_ptr_equal(gw_tls_conn_err(cli.g), gw_tls_error_verify);
	tt_peer_free(&cli);
	tt_peer_free(&srv);
	gw_tls_ctx_put(cx);
	fx_free(cfg);
}

/* Connections to the same backend resume the latest session, TLS 1.3 and 1.2. */
static void test_client_resumption(void **s)
{
	struct gw_tls_tickets *t = gw_tls_tickets_new(600);
	struct gw_config *scfg2;
	struct gw_tls_ctx *sx = tt_server(&scfg2,
					  fx_printf("%s" TT_GW("  - {name: d, protocol: HTTPS, "
							       "port: 443, tls: {certificateRefs: "
							       "[{name: b}]}}\n"),
						    tt_secret("b", &backend)),
					  t, GW_TLS_ALPN_HTTP1);

	(void)s;
	for (int v = 2; v <= 3; v++) {
		struct gw_config *cfg = policy_cfg(
			ca.pem, fx_printf("{" CA_REF ", hostname: backend.example.com}\n  options: "
					  "{xdpgw.io/max-version: '1.%d'}", v));
		char err[512] = "";
		struct gw_tls_ctx *cx = client_ctx(cfg, GW_TLS_ALPN_HTTP1, err, sizeof(err));

		if (!cx)
			fail_msg("%s", err);
		for (int i = 0; i < 3; i++) {
			struct tt_peer cli, srv;

			assert_true(connect(cx, sx, &cli, &srv));
			assert_string_equal(gw_tls_conn_version(cli.g), v == 2 ? "TLSv1.2" :
										  "TLSv1.3");
			assert_int_equal(gw_tls_conn_resumed(cli.g), i > 0);
			assert_int_equal(gw_tls_conn_resumed(srv.g), i > 0);
			/* a connection closed cleanly leaves its session resumable */
			assert_int_equal(gw_tls_shutdown(cli.g), 0);
			tt_run(&cli, &srv);
			assert_true(srv.closed);
			tt_peer_free(&cli);
			tt_peer_free(&srv);
		}
		gw_tls_ctx_put(cx);
		fx_free(cfg);
	}
	gw_tls_ctx_put(sx);
	gw_tls_tickets_put(t);
	fx_free(scfg2);
}

/* Gateway tls.backend: the client certificate, to an OpenSSL server that asks for one. */
static void test_client_certificate(void **s)
{
	struct tt_cert mine = tt_cert_new("EC", "gwd-client", "DNS:gwd.test", &other_ca);
	struct gw_config *cfg = policy_cfg(ca.pem, "{" CA_REF ", hostname: backend.example.com}");
	struct gw_tls_client_conf conf = { .alpn = GW_TLS_ALPN_HTTP1, .client_cert = &mine.gc };
	struct gw_cert broken = mine.gc;
	char err[512] = "";
	struct gw_tls_ctx *cx = gw_tls_ctx_new_client(
		cfg, gw_config_find(cfg, GW_K_BACKENDTLSPOLICY, "infra", "p"), &conf, err,
		sizeof(err));
	SSL_CTX *sctx = SSL_CTX_new(TLS_server_method());
	struct tt_peer cli, srv;
	BIO *b;
	X509 *leaf;
	EVP_PKEY *key, *other_key;
	char *other_pem;

	(void)s;
	if (!cx)
		fail_msg("%s", err);
	/* an OpenSSL backend with the backend certificate, requiring a client certificate */
	b = BIO_new_mem_buf(backend.crt, -1);
	leaf = PEM_read_bio_X509(b, NULL, NULL, NULL);
	BIO_free(b);
	b = BIO_new_mem_buf(backend.key, -1);
	key = PEM_read_bio_PrivateKey(b, NULL, NULL, NULL);
	BIO_free(b);
	assert_int_equal(SSL_CTX_use_certificate(sctx, leaf), 1);
	assert_int_equal(SSL_CTX_use_PrivateKey(sctx, key), 1);
	assert_int_equal(X509_STORE_add_cert(SSL_CTX_get_cert_store(sctx), other_ca.x), 1);
	SSL_CTX_set_verify(sctx, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, NULL);
	tt_peer_engine(&cli, cx);
	tt_peer_ossl(&srv, sctx, NULL);
	SSL_set_accept_state(srv.ssl);
	tt_run(&cli, &srv);
	if (!tt_established(&cli) || !tt_established(&srv))
		fail_msg("client: %s; server: %s", gw_tls_conn_errmsg(cli.g), srv.why);
	assert_string_equal(tt_peer_cn(&srv), "gwd-client");
	tt_peer_free(&cli);
	tt_peer_free(&srv);
	gw_tls_ctx_put(cx);

	/* a client certificate that does not load fails the build */
	other_key = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
	other_pem = tt_pem_key(other_key);
	broken.key_pem = other_pem;
	broken.key_len = strlen(other_pem);
	conf.client_cert = &broken;
	assert_null(gw_tls_ctx_new_client(cfg, gw_config_find(cfg, GW_K_BACKENDTLSPOLICY,
							      "infra", "p"),
					  &conf, err, sizeof(err)));
	assert_non_null(strstr(err, "Couldn't use the certificate and key of certificate: "
				    "private key mismatch"));
	EVP_PKEY_free(other_key);
	free(other_pem);
	SSL_CTX_free(sctx);
	X509_free(leaf);
	EVP_PKEY_free(key);
	fx_free(cfg);
	tt_cert_free(&mine);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_verify_ok),
		cmocka_unit_test(test_verify_failures),
		cmocka_unit_test(test_subject_alt_names),
		cmocka_unit_test(test_secret_ca_and_v1alpha2),
		cmocka_unit_test(test_build_errors),
		cmocka_unit_test(test_system_cas),
		cmocka_unit_test(test_client_resumption),
		cmocka_unit_test(test_client_certificate),
	};

	return cmocka_run_group_tests_name("tls/client", tests, setup, teardown);
}
