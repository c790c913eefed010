// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Client contexts for BackendTLSPolicy (apis/v1/backendtlspolicy_types.go):
 *
 * - validation.caCertificateRefs: ConfigMaps (key ca.crt) in the policy's
 *   namespace; every certificate of every bundle is a trust anchor. Secrets
 *   are accepted too (base64 ca.crt), as the resolver accepts them.
 * - validation.wellKnownCACertificates System: the OpenSSL default CA file,
 *   read into memory when the context is built. The default CA directory
 *   is not used: OpenSSL reads it lazily during verification, which would
 *   be blocking file I/O on a worker.
 * - validation.hostname is the SNI, and the name the certificate must
 *   match unless subjectAltNames is given; then it must match one of
 *   those instead ("Hostname MUST NOT be used for authentication").
 *
 * The latest session the backend gave is kept per context, so new
 * connections to the same backends resume.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include "loader/config/model.h"
#include "loader/config/tlscert.h"
#include "tls_internal.h"

static bool san_match(const struct gw_tls_ctx *x, X509 *leaf)
{
	GENERAL_NAMES *gens = X509_get_ext_d2i(leaf, NID_subject_alt_name, NULL, NULL);
	bool ok = false;

	for (int i = 0; i < x->nsan_hosts && !ok; i++) {
		const char *h = x->san_hosts[i];

		/* a name given as a wildcard matches the same wildcard in the certificate */
		for (int j = 0; gens && j < sk_GENERAL_NAME_num(gens) && !ok; j++) {
			const GENERAL_NAME *g = sk_GENERAL_NAME_value(gens, j);

			ok = g->type == GEN_DNS &&
			     (size_t)ASN1_STRING_length(g->d.dNSName) == strlen(h) &&
			     !strncasecmp((const char *)ASN1_STRING_get0_data(g->d.dNSName), h,
					  strlen(h));
		}
		if (!ok && h[0] != '*')
			ok = X509_check_host(leaf, h, 0, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS,
					     NULL) == 1;
	}
	for (int i = 0; i < x->nsan_uris && !ok; i++) {
		const char *u = x->san_uris[i];

		for (int j = 0; gens && j < sk_GENERAL_NAME_num(gens) && !ok; j++) {
			const GENERAL_NAME *g = sk_GENERAL_NAME_value(gens, j);

			ok = g->type == GEN_URI &&
			     (size_t)ASN1_STRING_length(g->d.uniformResourceIdentifier) ==
				     strlen(u) &&
			     !memcmp(ASN1_STRING_get0_data(g->d.uniformResourceIdentifier), u,
				     strlen(u));
		}
	}
	GENERAL_NAMES_free(gens);
	ERR_clear_error();
	return ok;
}

static int verify_cb(int ok, X509_STORE_CTX *st)
{
	SSL *s = X509_STORE_CTX_get_ex_data(st, SSL_get_ex_data_X509_STORE_CTX_idx());
	struct gw_tls_conn *c = gw_tls_conn_of(s);
	const struct gw_tls_ctx *x = c->ctx;
	size_t n;

	/* the chain verified up to the leaf: now the policy's names */
	if (!ok || X509_STORE_CTX_get_error_depth(st) || (!x->nsan_hosts && !x->nsan_uris))
		return ok;
	if (san_match(x, X509_STORE_CTX_get_current_cert(st)))
		return 1;
	X509_STORE_CTX_set_error(st, X509_V_ERR_HOSTNAME_MISMATCH);
	n = (size_t)snprintf(c->errmsg, sizeof(c->errmsg),
			     "certificate of %s did not verify: it has no subjectAltName of the "
			     "policy's subjectAltNames (", x->hostname);
	for (int i = 0; i < x->nsan_hosts + x->nsan_uris && n < sizeof(c->errmsg); i++)
		n += (size_t)snprintf(c->errmsg + n, sizeof(c->errmsg) - n, "%s%s", i ? ", " : "",
				      i < x->nsan_hosts ? x->san_hosts[i] :
							  x->san_uris[i - x->nsan_hosts]);
	if (n < sizeof(c->errmsg))
		snprintf(c->errmsg + n, sizeof(c->errmsg) - n, ")");
	c->detail = true;
	return 0;
}

static int new_session_cb(SSL *s, SSL_SESSION *sess)
{
	struct gw_tls_ctx *x = gw_tls_conn_of(s)->ctx;
	SSL_SESSION *old;

	pthread_mutex_lock(&x->sess_lock);
	old = x->sess;
	x->sess = sess;
	pthread_mutex_unlock(&x->sess_lock);
	SSL_SESSION_free(old);
	return 1;	/* we keep the reference */
}

int gw_tls_client_setup(struct gw_tls_conn *c)
{
	struct gw_tls_ctx *x = c->ctx;
	int ret = 0;

	if (!SSL_set_tlsext_host_name(c->ssl, x->hostname))
		return -ENOMEM;
	snprintf(c->sni, sizeof(c->sni), "%s", x->hostname);
	c->has_sni = true;
	/* SSL_set_alpn_protos returns 0 on success */
	if (x->copts.alpn_len && SSL_set_alpn_protos(c->ssl, x->copts.alpn,
						     (unsigned)x->copts.alpn_len))
		return -ENOMEM;
	pthread_mutex_lock(&x->sess_lock);
	if (x->sess && !SSL_set_session(c->ssl, x->sess))
		ret = -ENOMEM;
	pthread_mutex_unlock(&x->sess_lock);
	return ret;
}

void gw_tls_client_free(struct gw_tls_ctx *x)
{
	if (x->server)
		return;
	SSL_CTX_free(x->cssl);
	SSL_SESSION_free(x->sess);
	free(x->hostname);
	for (int i = 0; i < x->nsan_hosts; i++)
		free(x->san_hosts[i]);
	for (int i = 0; i < x->nsan_uris; i++)
		free(x->san_uris[i]);
	free(x->san_hosts);
	free(x->san_uris);
	gw_tls_opts_free(&x->copts);
	pthread_mutex_destroy(&x->sess_lock);
}

/* Adds every certificate of a PEM bundle to store; how many, or -errno. */
static int add_bundle(X509_STORE *store, const char *pem, size_t len)
{
	BIO *b = BIO_new_mem_buf(pem, (int)len);
	X509 *cert;
	int n = 0;

	if (!b)
		return -ENOMEM;
	while ((cert = PEM_read_bio_X509(b, NULL, NULL, NULL))) {
		int ok = X509_STORE_add_cert(store, cert);

		X509_free(cert);
		if (!ok) {
			BIO_free(b);
			return -EINVAL;
		}
		n++;
	}
	ERR_clear_error();
	BIO_free(b);
	return n;
}

static int load_ca_ref(const struct gw_config *cfg, const struct gw_obj *policy,
		       const struct gw_yval *ref, int k, X509_STORE *store, char *err,
		       size_t errlen)
{
	const char *group = gw_ygetstr(ref, "group", "");
	const char *kind = gw_ygetstr(ref, "kind", "ConfigMap");
	const char *name = gw_ygetstr(ref, "name", "");
	bool secret = !strcmp(kind, "Secret");
	struct gw_arena a = { 0 };
	const struct gw_obj *o;
	const char *pem;
	size_t len;
	int n;

	if (*group || (strcmp(kind, "ConfigMap") && !secret)) {
		snprintf(err, errlen, "caCertificateRefs[%d]: kind %s%s%s is not supported; use a "
			 "ConfigMap", k, group, *group ? "/" : "", kind);
		return -EINVAL;
	}
	o = gw_config_find(cfg, secret ? GW_K_SECRET : GW_K_CONFIGMAP, policy->ns, name);
	pem = o ? gw_ygetstr(gw_yget(o->root, "data"), "ca.crt", NULL) : NULL;
	if (!pem) {
		snprintf(err, errlen, "caCertificateRefs[%d]: %s %s/%s %s", k, kind, policy->ns,
			 name, o ? "has no ca.crt key" : "not found");
		return -EINVAL;
	}
	len = strlen(pem);
	if (secret && !(pem = gw_base64_decode(&a, pem, &len))) {
		snprintf(err, errlen, "caCertificateRefs[%d]: Secret %s/%s: ca.crt is not base64",
			 k, policy->ns, name);
		gw_arena_free(&a);
		return -EINVAL;
	}
	n = add_bundle(store, pem, len);
	gw_arena_free(&a);
	if (n <= 0) {
		snprintf(err, errlen, "caCertificateRefs[%d]: %s %s/%s: %s", k, kind, policy->ns,
			 name, n == -ENOMEM ? "out of memory" :
			 "ca.crt holds no usable PEM certificate");
		return n == -ENOMEM ? n : -EINVAL;
	}
	return 0;
}

static int load_system_cas(X509_STORE *store, char *err, size_t errlen)
{
	const char *file = getenv(X509_get_default_cert_file_env());

	if (!file || !*file)
		file = X509_get_default_cert_file();
	ERR_clear_error();
	if (X509_STORE_load_file(store, file) != 1) {
		char what[300];

		snprintf(what, sizeof(what), "wellKnownCACertificates System: couldn't load %s",
			 file);
		gw_tls_ossl_err(err, errlen, what);
		return -EINVAL;
	}
	return 0;
}

static char *dup_lower(const char *s)
{
	char *d = strdup(s);

	for (char *p = d; p && *p; p++)
		if (*p >= 'A' && *p <= 'Z')
			*p = (char)(*p - 'A' + 'a');
	return d;
}

static int load_sans(struct gw_tls_ctx *x, const struct gw_yval *sans)
{
	size_t n = gw_ylen(sans);

	x->san_hosts = calloc(n + 1, sizeof(char *));
	x->san_uris = calloc(n + 1, sizeof(char *));
	if (!x->san_hosts || !x->san_uris)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++) {
		const struct gw_yval *s = sans->items[i];
		const char *type = gw_ygetstr(s, "type", "");

		if (!strcmp(type, "Hostname")) {
			x->san_hosts[x->nsan_hosts] = dup_lower(gw_ygetstr(s, "hostname", ""));
			if (!x->san_hosts[x->nsan_hosts++])
				return -ENOMEM;
		} else if (!strcmp(type, "URI")) {
			x->san_uris[x->nsan_uris] = strdup(gw_ygetstr(s, "uri", ""));
			if (!x->san_uris[x->nsan_uris++])
				return -ENOMEM;
		}
	}
	return 0;
}

struct gw_tls_ctx *gw_tls_ctx_new_client(const struct gw_config *cfg, const struct gw_obj *policy,
					 const struct gw_tls_client_conf *conf, char *err,
					 size_t errlen)
{
	const struct gw_yval *spec = policy->spec, *val, *cas;
	const char *hostname, *wk;
	char msg[512] = "";
	struct gw_tls_ctx *x;
	X509_STORE *store;
	int ret = -ENOMEM;

	/* v1 and v1alpha3: spec.validation; v1alpha2: spec.tls with shorter names */
	val = gw_yget(spec, "validation");
	cas = val ? gw_yget(val, "caCertificateRefs") : gw_yget(gw_yget(spec, "tls"), "caCertRefs");
	wk = val ? gw_ygetstr(val, "wellKnownCACertificates", NULL) :
		   gw_ygetstr(gw_yget(spec, "tls"), "wellKnownCACerts", NULL);
	if (!val)
		val = gw_yget(spec, "tls");
	hostname = gw_ygetstr(val, "hostname", NULL);
	if (!hostname) {
		snprintf(err, errlen, "Couldn't build the TLS client context of BackendTLSPolicy "
			 "%s/%s: no validation.hostname", policy->ns, policy->name);
		errno = EINVAL;
		return NULL;
	}
	x = calloc(1, sizeof(*x));
	if (!x)
		goto nomem;
	atomic_init(&x->refs, 1);
	if (pthread_mutex_init(&x->sess_lock, NULL)) {
		free(x);
		goto nomem;
	}
	x->hostname = dup_lower(hostname);
	if (!x->hostname || load_sans(x, gw_yget(val, "subjectAltNames")))
		goto fail;
	ret = gw_tls_opts_parse(gw_yget(spec, "options"), true,
				conf ? conf->alpn : GW_TLS_ALPN_HTTP1, &x->copts, msg, sizeof(msg));
	if (ret)
		goto fail;
	ERR_clear_error();
	x->cssl = SSL_CTX_new(TLS_client_method());
	if (!x->cssl) {
		gw_tls_ossl_err(msg, sizeof(msg), "Couldn't create an SSL_CTX");
		ret = -ENOMEM;
		goto fail;
	}
	ret = gw_tls_opts_apply(x->cssl, &x->copts, msg, sizeof(msg));
	if (ret)
		goto fail;
	SSL_CTX_set_options(x->cssl, SSL_OP_NO_RENEGOTIATION | SSL_OP_NO_COMPRESSION);
	SSL_CTX_set_mode(x->cssl, SSL_MODE_RELEASE_BUFFERS);
	store = SSL_CTX_get_cert_store(x->cssl);
	for (size_t i = 0; i < gw_ylen(cas) && !ret; i++)
		ret = load_ca_ref(cfg, policy, cas->items[i], (int)i, store, msg, sizeof(msg));
	if (!ret && wk) {
		if (!strcmp(wk, "System")) {
			ret = load_system_cas(store, msg, sizeof(msg));
		} else {
			snprintf(msg, sizeof(msg), "wellKnownCACertificates %s is not supported",
				 wk);
			ret = -EINVAL;
		}
	}
	if (!ret && !gw_ylen(cas) && !wk) {
		snprintf(msg, sizeof(msg), "no CA certificates to verify with");
		ret = -EINVAL;
	}
	if (ret)
		goto fail;
	SSL_CTX_set_verify(x->cssl, SSL_VERIFY_PEER, verify_cb);
	if (!x->nsan_hosts && !x->nsan_uris) {
		X509_VERIFY_PARAM *param = SSL_CTX_get0_param(x->cssl);

		X509_VERIFY_PARAM_set_hostflags(param, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
		if (!X509_VERIFY_PARAM_set1_host(param, x->hostname, 0)) {
			ret = -ENOMEM;
			goto fail;
		}
	}
	SSL_CTX_set_session_cache_mode(x->cssl,
				       SSL_SESS_CACHE_CLIENT | SSL_SESS_CACHE_NO_INTERNAL_STORE);
	SSL_CTX_sess_set_new_cb(x->cssl, new_session_cb);
	if (conf && conf->client_cert) {
		ret = gw_tls_use_cert(x->cssl, conf->client_cert, msg, sizeof(msg));
		if (ret)
			goto fail;
	}
	return x;
fail:
	snprintf(err, errlen, "Couldn't build the TLS client context of BackendTLSPolicy %s/%s: %s",
		 policy->ns, policy->name, *msg ? msg : "out of memory");
	ERR_clear_error();
	gw_tls_ctx_put(x);
	errno = -ret;
	return NULL;
nomem:
	snprintf(err, errlen, "Couldn't build the TLS client context of BackendTLSPolicy %s/%s: "
		 "out of memory", policy->ns, policy->name);
	errno = ENOMEM;
	return NULL;
}
