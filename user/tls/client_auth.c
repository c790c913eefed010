// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Client certificates on server contexts (Gateway spec.tls.frontend,
 * GEP-91): each listener's CA bundle goes into the certificate store of
 * its SSL_CTXs; its verify mode is set on the SSL when the ClientHello
 * picked the listener, because SSL_set_SSL_CTX() switches the store but
 * keeps the verify mode the SSL was created with.
 *
 * AllowValidOnly: SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, so a
 * missing or invalid certificate fails the handshake with an alert.
 * AllowInsecureFallback: the certificate is asked for, verified, and any
 * outcome is accepted; gw_tls_conn_peer_verified() says what it was (an
 * error the callback overrode stays in the store context, and OpenSSL
 * copies it into the session's verify result, which resumption keeps).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "loader/config/model.h"
#include "tls_internal.h"

int gw_tls_client_auth_mode(const struct gw_client_validation *cv)
{
	if (!cv)
		return SSL_VERIFY_NONE;
	return cv->insecure_fallback ? SSL_VERIFY_PEER
				     : SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT;
}

int gw_tls_client_auth_load(SSL_CTX *ssl, const struct gw_client_validation *cv, char *err,
			    size_t errlen)
{
	X509_STORE *store = SSL_CTX_get_cert_store(ssl);
	BIO *b;
	X509 *ca;
	int n = 0, ret = 0;

	ERR_clear_error();
	b = BIO_new_mem_buf(cv->ca_pem, (int)cv->ca_len);
	if (!b) {
		snprintf(err, errlen, "Couldn't load the client CA bundle: out of memory");
		return -ENOMEM;
	}
	while (!ret && (ca = PEM_read_bio_X509(b, NULL, NULL, NULL))) {
		/*
		 * The store verifies; the CA list tells the client which issuers
		 * are accepted (certificate_authorities, RFC 8446 4.2.4), so a
		 * client with several certificates can pick the right one.
		 */
		if (!X509_STORE_add_cert(store, ca) || !SSL_CTX_add_client_CA(ssl, ca)) {
			gw_tls_ossl_err(err, errlen, "Couldn't add a client CA certificate");
			ret = -EINVAL;
		}
		X509_free(ca);
		n++;
	}
	/* the loop ends at "no start line": the end of the bundle */
	ERR_clear_error();
	BIO_free(b);
	if (!ret && !n) {
		snprintf(err, errlen, "the client CA bundle holds no PEM certificate");
		ret = -EINVAL;
	}
	return ret;
}

/* AllowInsecureFallback: verify, remember the outcome, accept the connection anyway. */
static int accept_any(int preverify_ok, X509_STORE_CTX *sctx)
{
	(void)preverify_ok;
	(void)sctx;
	return 1;
}

void gw_tls_client_auth_apply(SSL *s, int verify_mode)
{
	SSL_set_verify(s, verify_mode, verify_mode == SSL_VERIFY_PEER ? accept_any : NULL);
}

bool gw_tls_client_auth_failed(struct gw_tls_conn *c, unsigned long first)
{
	long v = SSL_get_verify_result(c->ssl);

	if (ERR_GET_LIB(first) == ERR_LIB_SSL &&
	    ERR_GET_REASON(first) == SSL_R_PEER_DID_NOT_RETURN_A_CERTIFICATE) {
		snprintf(c->errmsg, sizeof(c->errmsg),
			 "client certificate required by listener %s/%s: the client sent none",
			 c->lst ? c->lst->info.owner : "", c->lst ? c->lst->info.name : "");
	} else if (v != X509_V_OK) {
		snprintf(c->errmsg, sizeof(c->errmsg),
			 "client certificate did not verify for listener %s/%s: %s",
			 c->lst ? c->lst->info.owner : "", c->lst ? c->lst->info.name : "",
			 X509_verify_cert_error_string(v));
	} else {
		return false;
	}
	ERR_clear_error();
	c->err = gw_tls_error_verify;
	return true;
}

bool gw_tls_conn_peer_verified(const struct gw_tls_conn *c)
{
	return c->established && SSL_get0_peer_certificate(c->ssl) &&
	       SSL_get_verify_result(c->ssl) == X509_V_OK;
}

int gw_tls_conn_peer_cert(const struct gw_tls_conn *c, char *subject, size_t sublen,
			  char hash_hex[65])
{
	X509 *peer = c->established ? SSL_get0_peer_certificate(c->ssl) : NULL;
	unsigned char md[32];
	unsigned mdlen = 0;
	BIO *b;
	int n;

	if (!peer)
		return -ENOENT;
	if (X509_digest(peer, EVP_sha256(), md, &mdlen) != 1 || mdlen != sizeof(md)) {
		ERR_clear_error();
		return -ENOMEM;
	}
	for (unsigned i = 0; i < mdlen; i++)
		snprintf(hash_hex + 2 * i, 3, "%02x", md[i]);
	b = BIO_new(BIO_s_mem());
	if (!b || X509_NAME_print_ex(b, X509_get_subject_name(peer), 0, XN_FLAG_RFC2253) < 0) {
		BIO_free(b);
		ERR_clear_error();
		return -ENOMEM;
	}
	if ((size_t)BIO_pending(b) >= sublen) {
		BIO_free(b);
		return -E2BIG;
	}
	n = BIO_read(b, subject, (int)sublen - 1);
	subject[n > 0 ? n : 0] = '\0';
	BIO_free(b);
	return 0;
}
