/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Helpers for the TLS engine tests: keys and certificates made on the fly
 * (a CA and leaves with chosen names and key types), configurations whose
 * Secrets hold them, resolved by the real config pipeline, and in-memory
 * pumps between an engine connection and a peer (an OpenSSL client or
 * another engine connection), optionally in small pieces.
 * Header-only: each test binary includes it once.
 */
#ifndef GW_TEST_TLSTEST_H
#define GW_TEST_TLSTEST_H

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include "lib/fixture.h"
#include "gw/tls.h"

/* not every test uses every helper */
#define TT_FN static __attribute__((unused))

/* ---- keys and certificates ---------------------------------------------- */

/* One key per type per process: RSA key generation is slow. */
TT_FN EVP_PKEY *tt_key(const char *type)
{
	static EVP_PKEY *rsa, *ec;
	bool is_rsa = !strcmp(type, "RSA");
	EVP_PKEY **k = is_rsa ? &rsa : &ec;

	if (!*k)
		*k = is_rsa ? EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)2048) :
			      EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
	assert_non_null(*k);
	return *k;
}

TT_FN void tt_ext(X509 *x, X509 *issuer, int nid, const char *value)
{
	X509V3_CTX v3;
	X509_EXTENSION *e;

	X509V3_set_ctx_nodb(&v3);
	X509V3_set_ctx(&v3, issuer ? issuer : x, x, NULL, NULL, 0);
	e = X509V3_EXT_conf_nid(NULL, &v3, nid, value);
	assert_non_null(e);
	assert_int_equal(X509_add_ext(x, e, -1), 1);
	X509_EXTENSION_free(e);
}

/*
 * A certificate for key with subject CN cn and subjectAltName sans
 * ("DNS:a.example.com,URI:spiffe://x" or NULL), signed by issuer (NULL:
 * self-signed); ca makes it a CA.
 */
TT_FN X509 *tt_x509(EVP_PKEY *key, const char *cn, const char *sans, X509 *issuer,
		     EVP_PKEY *issuer_key, bool ca)
{
	X509 *x = X509_new();
	X509_NAME *n;
	uint32_t serial;

	assert_non_null(x);
	assert_int_equal(X509_set_version(x, 2), 1);
	assert_int_equal(RAND_bytes((unsigned char *)&serial, sizeof(serial)), 1);
	ASN1_INTEGER_set(X509_get_serialNumber(x), (long)(serial >> 1) + 1);
	X509_gmtime_adj(X509_getm_notBefore(x), -3600);
	X509_gmtime_adj(X509_getm_notAfter(x), 86400);
	assert_int_equal(X509_set_pubkey(x, key), 1);
	n = X509_get_subject_name(x);
	assert_int_equal(X509_NAME_add_entry_by_txt(n, "CN", MBSTRING_ASC,
						    (const unsigned char *)cn, -1, -1, 0), 1);
	assert_int_equal(X509_set_issuer_name(x, issuer ? X509_get_subject_name(issuer) : n), 1);
	tt_ext(x, issuer, NID_basic_constraints, ca ? "critical,CA:TRUE" : "CA:FALSE");
	if (ca)
		tt_ext(x, issuer, NID_key_usage, "critical,keyCertSign,cRLSign");
	tt_ext(x, issuer, NID_subject_key_identifier, "hash");
	if (sans)
		tt_ext(x, issuer, NID_subject_alt_name, sans);
	assert_true(X509_sign(x, issuer_key ? issuer_key : key, EVP_sha256()) > 0);
	return x;
}

TT_FN char *tt_bio_str(BIO *b)
{
	char *p, *s;
	long n = BIO_get_mem_data(b, &p);

	s = strndup(p, (size_t)n);
	assert_non_null(s);
	BIO_free(b);
	return s;
}

TT_FN char *tt_pem_x509(X509 *x)
{
	BIO *b = BIO_new(BIO_s_mem());

	assert_int_equal(PEM_write_bio_X509(b, x), 1);
	return tt_bio_str(b);
}

TT_FN char *tt_pem_key(EVP_PKEY *k)
{
	BIO *b = BIO_new(BIO_s_mem());

	assert_int_equal(PEM_write_bio_PrivateKey(b, k, NULL, NULL, 0, NULL, NULL), 1);
	return tt_bio_str(b);
}

/* A CA (EC key of its own). */
struct tt_ca {
	EVP_PKEY *key;
	X509 *x;
	char *pem;
};

TT_FN struct tt_ca tt_ca_new(const char *cn)
{
	struct tt_ca ca;

	ca.key = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
	assert_non_null(ca.key);
	ca.x = tt_x509(ca.key, cn, NULL, NULL, NULL, true);
	ca.pem = tt_pem_x509(ca.x);
	return ca;
}

TT_FN void tt_ca_free(struct tt_ca *ca)
{
	EVP_PKEY_free(ca->key);
	X509_free(ca->x);
	free(ca->pem);
}

/* A leaf certificate and key as a listener's Secret holds them (PEM). */
struct tt_cert {
	char *crt;	/* leaf, then the CA when signed by one */
	char *key;
	struct gw_cert gc;
};

TT_FN struct tt_cert tt_cert_new(const char *type, const char *cn, const char *sans,
				  const struct tt_ca *ca)
{
	EVP_PKEY *key = tt_key(type);
	X509 *x = tt_x509(key, cn, sans, ca ? ca->x : NULL, ca ? ca->key : NULL, false);
	char *leaf = tt_pem_x509(x);
	struct tt_cert c;

	if (ca) {
		c.crt = malloc(strlen(leaf) + strlen(ca->pem) + 1);
		assert_non_null(c.crt);
		strcpy(c.crt, leaf);
		strcat(c.crt, ca->pem);
		free(leaf);
	} else {
		c.crt = leaf;
	}
	c.key = tt_pem_key(key);
	X509_free(x);
	memset(&c.gc, 0, sizeof(c.gc));
	c.gc.cert_pem = c.crt;
	c.gc.cert_len = strlen(c.crt);
	c.gc.key_pem = c.key;
	c.gc.key_len = strlen(c.key);
	return c;
}

TT_FN void tt_cert_free(struct tt_cert *c)
{
	free(c->crt);
	free(c->key);
}

/* ---- configuration ------------------------------------------------------ */

TT_FN const char *tt_b64(const char *s)
{
	size_t n = strlen(s);
	unsigned char *out = malloc(4 * ((n + 2) / 3) + 1);
	const char *r;

	assert_non_null(out);
	EVP_EncodeBlock(out, (const unsigned char *)s, (int)n);
	r = fx_printf("%s", (char *)out);
	free(out);
	return r;
}

/* A kubernetes.io/tls Secret in namespace infra. */
TT_FN const char *tt_secret(const char *name, const struct tt_cert *c)
{
	return fx_printf("apiVersion: v1\nkind: Secret\nmetadata: {name: %s, namespace: infra}\n"
			 "type: kubernetes.io/tls\ndata:\n  tls.crt: %s\n  tls.key: %s\n---\n",
			 name, tt_b64(c->crt), tt_b64(c->key));
}

/* A ConfigMap with ca.crt in namespace infra. */
TT_FN const char *tt_ca_configmap(const char *name, const char *pem)
{
	char ind[8192];
	size_t n = 0;

	for (const char *p = pem; *p && n < sizeof(ind) - 8; p++) {
		if (p == pem || p[-1] == '\n')
			n += (size_t)snprintf(ind + n, sizeof(ind) - n, "    ");
		ind[n++] = *p;
	}
	ind[n] = '\0';
	return fx_printf("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: %s, namespace: infra}\n"
			 "data:\n  ca.crt: |\n%s---\n", name, ind);
}

/* Gateway infra/g with the given listener lines ("  - {...}\n"). */
#define TT_GW(listeners)                                                                     \
	FX_CLASS "apiVersion: gateway.networking.k8s.io/v1\nkind: Gateway\n"                  \
		 "metadata: {name: g, namespace: infra}\n"                                    \
		 "spec:\n  gatewayClassName: gc\n  listeners:\n" listeners "---\n"

/* Listeners of Gateway infra/g on port, in order; returns how many. */
TT_FN int tt_port_listeners(struct gw_config *cfg, int port, const struct gw_listener **out,
			     int max)
{
	struct gw_obj *o = gw_config_find(cfg, GW_K_GATEWAY, "infra", "g");
	int n = 0;

	assert_non_null(o);
	for (int i = 0; i < o->u.gw->nlisteners && n < max; i++)
		if (o->u.gw->listeners[i].port == port)
			out[n++] = &o->u.gw->listeners[i];
	return n;
}

/* Resolves yaml and builds the server context of its port 443. */
TT_FN struct gw_tls_ctx *tt_server(struct gw_config **cfgp, const char *yaml,
				    struct gw_tls_tickets *tickets, unsigned alpn)
{
	const struct gw_listener *ls[16];
	struct gw_tls_server_conf conf = { .alpn = alpn, .tickets = tickets };
	char err[512] = "";
	struct gw_tls_ctx *x;
	int n;

	*cfgp = fx_resolve(yaml);
	n = tt_port_listeners(*cfgp, 443, ls, 16);
	assert_true(n > 0);
	x = gw_tls_ctx_new_server(ls, n, &conf, err, sizeof(err));
	if (!x)
		fail_msg("gw_tls_ctx_new_server: %s", err);
	return x;
}

/* ---- peers and pumps ---------------------------------------------------- */

struct tt_events {
	int hello, hs;
	const char *err;
	char sni_at_hello[256];
};

TT_FN void tt_on_progress(struct gw_tls_conn *c, void *user, enum gw_tls_step step)
{
	struct tt_events *ev = user;
	const char *sni = gw_tls_conn_sni(c);

	assert_int_equal(step, GW_TLS_STEP_HELLO);
	ev->hello++;
	snprintf(ev->sni_at_hello, sizeof(ev->sni_at_hello), "%s", sni ? sni : "(none)");
}

TT_FN void tt_on_handshake(struct gw_tls_conn *c, void *user, const char *err)
{
	struct tt_events *ev = user;

	(void)c;
	ev->hs++;
	ev->err = err;
}

TT_FN const struct gw_tls_conn_cbs tt_cbs = { tt_on_progress, tt_on_handshake };

/* One end: an engine connection (g) or an OpenSSL client (ssl). */
struct tt_peer {
	struct gw_tls_conn *g;
	struct tt_events ev;
	SSL *ssl;
	BIO *rb, *wb;		/* ssl reads from rb, writes to wb */
	size_t step;		/* feed ciphertext in pieces of this size (0: at once) */
	ssize_t res;		/* the last read result of g */
	bool closed;		/* the peer's close_notify arrived */
	bool failed;
	char why[256];		/* the OpenSSL client's failure reason */
	uint8_t *sink;		/* plaintext received */
	size_t nsink, capsink;
};

TT_FN void tt_peer_engine(struct tt_peer *p, struct gw_tls_ctx *x)
{
	memset(p, 0, sizeof(*p));
	p->g = gw_tls_conn_new(x, &tt_cbs, &p->ev);
	assert_non_null(p->g);
}

TT_FN SSL_CTX *tt_ossl_ctx(void)
{
	SSL_CTX *c = SSL_CTX_new(TLS_client_method());

	assert_non_null(c);
	SSL_CTX_set_verify(c, SSL_VERIFY_NONE, NULL);
	return c;
}

TT_FN void tt_peer_ossl(struct tt_peer *p, SSL_CTX *ctx, const char *sni)
{
	memset(p, 0, sizeof(*p));
	p->ssl = SSL_new(ctx);
	p->rb = BIO_new(BIO_s_mem());
	p->wb = BIO_new(BIO_s_mem());
	assert_true(p->ssl && p->rb && p->wb);
	BIO_set_mem_eof_return(p->rb, -1);
	SSL_set_bio(p->ssl, p->rb, p->wb);
	SSL_set_connect_state(p->ssl);
	if (sni)
		assert_int_equal(SSL_set_tlsext_host_name(p->ssl, sni), 1);
}

TT_FN void tt_peer_free(struct tt_peer *p)
{
	gw_tls_conn_free(p->g);
	SSL_free(p->ssl);
	free(p->sink);
	memset(p, 0, sizeof(*p));
}

TT_FN void tt_sink(struct tt_peer *p, const void *buf, size_t n)
{
	if (p->nsink + n > p->capsink) {
		p->capsink = (p->nsink + n) * 2;
		p->sink = realloc(p->sink, p->capsink);
		assert_non_null(p->sink);
	}
	memcpy(p->sink + p->nsink, buf, n);
	p->nsink += n;
}

/* Lets p process its input: handshake, then plaintext into the sink. */
TT_FN void tt_drive(struct tt_peer *p)
{
	uint8_t buf[16384];

	if (p->g) {
		ssize_t r;

		while ((r = gw_tls_read(p->g, buf, sizeof(buf))) > 0)
			tt_sink(p, buf, (size_t)r);
		p->res = r;
		p->closed = r == 0;
		p->failed = r < 0 && r != -EAGAIN;
		return;
	}
	for (;;) {
		size_t n = 0;
		int r = SSL_read_ex(p->ssl, buf, sizeof(buf), &n);

		if (r == 1) {
			tt_sink(p, buf, n);
			continue;
		}
		switch (SSL_get_error(p->ssl, r)) {
		case SSL_ERROR_WANT_READ:
			break;
		case SSL_ERROR_ZERO_RETURN:
			p->closed = true;
			break;
		default:
			p->failed = true;
			if (ERR_peek_error())
				snprintf(p->why, sizeof(p->why), "%s",
					 ERR_reason_error_string(ERR_peek_error()));
			break;
		}
		ERR_clear_error();
		return;
	}
}

TT_FN void tt_give(struct tt_peer *p, const uint8_t *buf, size_t n)
{
	size_t step = p->step ? p->step : n;

	for (size_t off = 0; off < n; off += step) {
		size_t k = n - off < step ? n - off : step;

		if (p->g) {
			assert_int_equal(gw_tls_feed_in(p->g, buf + off, k), 0);
			/* each piece is a receive completion: records arrive split anywhere */
			tt_drive(p);
		} else {
			assert_int_equal(BIO_write(p->rb, buf + off, (int)k), (int)k);
		}
	}
}

/* Moves what a has to send into b; returns the bytes moved. */
TT_FN size_t tt_move(struct tt_peer *a, struct tt_peer *b)
{
	uint8_t buf[8192];
	size_t total = 0;

	for (;;) {
		size_t n;

		if (a->g) {
			const void *p;
			size_t len;

			if (!gw_tls_pending_out(a->g, &p, &len))
				break;
			n = len < sizeof(buf) ? len : sizeof(buf);
			memcpy(buf, p, n);
			gw_tls_consume_out(a->g, n);
		} else {
			int r = BIO_read(a->wb, buf, sizeof(buf));

			if (r <= 0)
				break;
			n = (size_t)r;
		}
		tt_give(b, buf, n);
		total += n;
	}
	return total;
}

/* Runs both ends until nothing moves any more. */
TT_FN void tt_run(struct tt_peer *a, struct tt_peer *b)
{
	for (int i = 0; i < 1000; i++) {
		size_t moved;

		tt_drive(a);
		tt_drive(b);
		moved = tt_move(a, b) + tt_move(b, a);
		if (!moved)
			return;
	}
	fail_msg("TLS pump did not settle");
}

TT_FN bool tt_established(const struct tt_peer *p)
{
	return p->g ? gw_tls_conn_established(p->g) : SSL_is_init_finished(p->ssl);
}

TT_FN void tt_write(struct tt_peer *p, const void *buf, size_t n)
{
	if (p->g) {
		assert_int_equal(gw_tls_write(p->g, buf, n), (ssize_t)n);
	} else {
		size_t w = 0;

		assert_int_equal(SSL_write_ex(p->ssl, buf, n, &w), 1);
		assert_int_equal(w, n);
	}
}

TT_FN void tt_shutdown(struct tt_peer *p)
{
	if (p->g)
		assert_int_equal(gw_tls_shutdown(p->g), 0);
	else
		assert_true(SSL_shutdown(p->ssl) >= 0);
}

/* The CN of the certificate the OpenSSL client got. */
TT_FN const char *tt_peer_cn(const struct tt_peer *p)
{
	static char buf[256];
	X509 *x = SSL_get0_peer_certificate(p->ssl);

	assert_non_null(x);
	assert_true(X509_NAME_get_text_by_NID(X509_get_subject_name(x), NID_commonName, buf,
					      sizeof(buf)) > 0);
	return buf;
}

TT_FN int tt_peer_keytype(const struct tt_peer *p)
{
	X509 *x = SSL_get0_peer_certificate(p->ssl);

	assert_non_null(x);
	return EVP_PKEY_get_base_id(X509_get0_pubkey(x));
}

/* Client ALPN offer in wire format, e.g. TT_ALPN("\x02h2\x08http/1.1"). */
#define TT_ALPN(ssl, wire)                                                                   \
	assert_int_equal(SSL_set_alpn_protos(ssl, (const unsigned char *)(wire),             \
					     sizeof(wire) - 1), 0)

#endif
