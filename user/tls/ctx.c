// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Server contexts: every Terminate listener of one port, each with its
 * certificates and tls.options, chosen per connection by SNI.
 *
 * Each listener gets its own SSL_CTX (more than one when its certificates
 * cannot share one, see struct gw_tls_slot) and a connection starts on the
 * default listener's. The ClientHello callback runs before OpenSSL looks at
 * versions, ciphers, session tickets or the certificate, so switching the
 * SSL_CTX there (as HAProxy does) gives the connection the listener's
 * certificates; settings OpenSSL copies into the SSL at SSL_new (versions,
 * options, tickets, and ciphers/groups when they differ) are set on the SSL
 * there too. Putting RSA and ECDSA certificates in one SSL_CTX lets OpenSSL
 * pick by the client's signature algorithms and cipher suites.
 *
 * Ticket encryption and decryption use the SSL_CTX the connection started
 * on, so one ticket key ring serves all listeners; each listener has its
 * own session id context, so a session of one listener never resumes on
 * another.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include "gw/tls_sniff.h"
#include "loader/config/model.h"
#include "tls_internal.h"

/* ---- OpenSSL callbacks -------------------------------------------------- */

static const struct gw_tls_slot *pick_slot(const struct gw_tls_lst *l, const char *sni)
{
	const struct gw_tls_slot *best = &l->slots[0];
	int best_score = 0;

	for (int i = 0; sni && i < l->nslots; i++) {
		for (int j = 0; j < l->slots[i].nnames; j++) {
			int s = gw_tls_sniff_match(l->slots[i].names[j], sni);

			if (s > best_score) {
				best = &l->slots[i];
				best_score = s;
			}
		}
	}
	return best;
}

static int apply_listener(SSL *s, const struct gw_tls_ctx *x, const struct gw_tls_lst *l)
{
	const struct gw_tls_opts *o = &l->opts;
	bool tickets = x->tickets && o->tickets;

	if (!SSL_set_min_proto_version(s, o->min_version) ||
	    !SSL_set_max_proto_version(s, o->max_version))
		return -1;
	if (l->custom) {
		/* validated when the context was built */
		if ((o->min_version <= TLS1_2_VERSION && !SSL_set_cipher_list(s, o->ciphers)) ||
		    (o->max_version >= TLS1_3_VERSION && !SSL_set_ciphersuites(s, o->suites)) ||
		    !SSL_set1_groups_list(s, o->groups))
			return -1;
	}
	gw_tls_client_auth_apply(s, l->verify_mode);
	if (tickets)
		SSL_clear_options(s, SSL_OP_NO_TICKET);
	else
		SSL_set_options(s, SSL_OP_NO_TICKET);
	/*
	 * One TLS 1.3 ticket per handshake, not OpenSSL's two: each costs a
	 * session encoding and an encryption (about 12% of a full handshake's
	 * server CPU here), and every resumption hands out a fresh one anyway.
	 */
	return SSL_set_num_tickets(s, tickets ? 1 : 0) ? 0 : -1;
}

static int client_hello_cb(SSL *s, int *al, void *arg)
{
	struct gw_tls_ctx *x = arg;
	struct gw_tls_conn *c = gw_tls_conn_of(s);
	const struct gw_tls_lst *l;
	const struct gw_tls_slot *slot;
	const unsigned char *p;
	size_t len;
	int i;

	c->has_sni = false;
	if (SSL_client_hello_get0_ext(s, TLSEXT_TYPE_server_name, &p, &len)) {
		int r = gw_tls_sniff_sni_ext(p, len, c->sni, sizeof(c->sni));

		if (r == -EINVAL) {
			*al = SSL_AD_DECODE_ERROR;
			snprintf(c->errmsg, sizeof(c->errmsg),
				 "TLS handshake failed: malformed server_name extension");
			c->detail = true;
			return SSL_CLIENT_HELLO_ERROR;
		}
		c->has_sni = !r;
	}
	i = gw_tls_sniff_best(x->hosts, x->nhosts, c->has_sni ? c->sni : NULL);
	if (i < 0 && c->has_sni) {
		*al = SSL_AD_UNRECOGNIZED_NAME;
		snprintf(c->errmsg, sizeof(c->errmsg),
			 "TLS handshake failed: no listener on port %d matches SNI \"%s\"",
			 x->ls[x->dflt].info.port, c->sni);
		c->detail = true;
		return SSL_CLIENT_HELLO_ERROR;
	}
	/* no SNI and no listener without hostname: the first one */
	l = &x->ls[i < 0 ? x->dflt : x->host_lst[i]];
	slot = pick_slot(l, c->has_sni ? c->sni : NULL);
	if ((SSL_get_SSL_CTX(s) != slot->ssl && !SSL_set_SSL_CTX(s, slot->ssl)) ||
	    apply_listener(s, x, l)) {
		*al = SSL_AD_INTERNAL_ERROR;
		gw_tls_ossl_err(c->errmsg, sizeof(c->errmsg),
				"TLS handshake failed: couldn't switch to the listener's settings");
		c->detail = true;
		return SSL_CLIENT_HELLO_ERROR;
	}
	c->lst = l;
	c->hello = true;
	return SSL_CLIENT_HELLO_SUCCESS;
}

/* Server preference: the listener's order wins over the client's (RFC 7301 3.2). */
static int alpn_cb(SSL *s, const unsigned char **out, unsigned char *outlen,
		   const unsigned char *in, unsigned inlen, void *arg)
{
	struct gw_tls_conn *c = gw_tls_conn_of(s);
	const struct gw_tls_lst *l = c->lst;

	(void)arg;
	if (!l || !l->opts.alpn_len)
		return SSL_TLSEXT_ERR_NOACK;
	for (size_t i = 0; i < l->opts.alpn_len; i += 1 + l->opts.alpn[i]) {
		const uint8_t *want = &l->opts.alpn[i];

		for (unsigned j = 0; j < inlen; j += 1u + in[j]) {
			if (in[j] == want[0] && j + 1u + in[j] <= inlen &&
			    !memcmp(in + j + 1, want + 1, want[0])) {
				*out = in + j + 1;
				*outlen = in[j];
				return SSL_TLSEXT_ERR_OK;
			}
		}
	}
	snprintf(c->errmsg, sizeof(c->errmsg),
		 "TLS handshake failed: the client offers no ALPN protocol listener %s/%s serves",
		 l->info.owner, l->info.name);
	c->detail = true;
	return SSL_TLSEXT_ERR_ALERT_FATAL;	/* no_application_protocol */
}

static int ticket_cb(SSL *s, unsigned char *name, unsigned char *iv, EVP_CIPHER_CTX *cctx,
		     EVP_MAC_CTX *hctx, int enc)
{
	int ret = gw_tls_tickets_cb(gw_tls_conn_of(s)->ctx->tickets, name, iv, cctx, hctx, enc);

	/*
	 * TLS 1.3 clients use a ticket once (RFC 8446 appendix C.4), and OpenSSL
	 * sends a new one after a resumption only when asked to renew: always ask.
	 */
	if (!enc && ret == 1 && SSL_version(s) == TLS1_3_VERSION)
		ret = 2;
	return ret;
}

/* ---- certificates ------------------------------------------------------- */

static int no_password(char *buf, int size, int rwflag, void *u)
{
	/* never prompt on a terminal for an encrypted key: fail instead */
	(void)buf;
	(void)size;
	(void)rwflag;
	(void)u;
	return -1;
}

struct loaded {
	X509 *leaf;
	STACK_OF(X509) *chain;
	EVP_PKEY *key;
	char **names;
	int nnames;
	unsigned type;
};

static void free_names(char **names, int n)
{
	for (int i = 0; i < n; i++)
		free(names[i]);
	free(names);
}

static void loaded_free(struct loaded *ld)
{
	X509_free(ld->leaf);
	sk_X509_pop_free(ld->chain, X509_free);
	EVP_PKEY_free(ld->key);
	free_names(ld->names, ld->nnames);
	memset(ld, 0, sizeof(*ld));
}

static int add_name(struct loaded *ld, const unsigned char *p, int len)
{
	char **names = realloc(ld->names, (size_t)(ld->nnames + 1) * sizeof(*names));
	char *s;

	if (!names)
		return -ENOMEM;
	ld->names = names;
	s = strndup((const char *)p, (size_t)len);
	if (!s)
		return -ENOMEM;
	for (char *q = s; *q; q++)
		if (*q >= 'A' && *q <= 'Z')
			*q = (char)(*q - 'A' + 'a');
	ld->names[ld->nnames++] = s;
	return 0;
}

/* DNS names the certificate is for: its SAN dNSNames, else its subject CN. */
static int cert_names(struct loaded *ld)
{
	GENERAL_NAMES *gens = X509_get_ext_d2i(ld->leaf, NID_subject_alt_name, NULL, NULL);
	X509_NAME *subj;
	int err = 0, idx;

	for (int i = 0; gens && i < sk_GENERAL_NAME_num(gens) && !err; i++) {
		const GENERAL_NAME *g = sk_GENERAL_NAME_value(gens, i);

		if (g->type == GEN_DNS)
			err = add_name(ld, ASN1_STRING_get0_data(g->d.dNSName),
				       ASN1_STRING_length(g->d.dNSName));
	}
	GENERAL_NAMES_free(gens);
	if (err || ld->nnames)
		return err;
	subj = X509_get_subject_name(ld->leaf);
	idx = X509_NAME_get_index_by_NID(subj, NID_commonName, -1);
	if (idx >= 0) {
		ASN1_STRING *cn = X509_NAME_ENTRY_get_data(X509_NAME_get_entry(subj, idx));

		err = add_name(ld, ASN1_STRING_get0_data(cn), ASN1_STRING_length(cn));
	}
	ERR_clear_error();
	return err;
}

static unsigned key_type(EVP_PKEY *key)
{
	switch (EVP_PKEY_get_base_id(key)) {
	case EVP_PKEY_RSA:
		return 1u << 0;
	case EVP_PKEY_RSA_PSS:
		return 1u << 1;
	case EVP_PKEY_EC:
		return 1u << 2;
	case EVP_PKEY_ED25519:
		return 1u << 3;
	case EVP_PKEY_ED448:
		return 1u << 4;
	default:
		return 1u << 5;
	}
}

static const char *secret_name(const struct gw_cert *gc, char *buf, size_t len)
{
	if (gc->secret)
		snprintf(buf, len, "Secret %s/%s", gc->secret->ns ? gc->secret->ns : "",
			 gc->secret->name);
	else
		snprintf(buf, len, "certificate");
	return buf;
}

static int load_cert(const struct gw_cert *gc, struct loaded *ld, char *err, size_t errlen)
{
	char what[400], sec[300];
	BIO *b = NULL;
	X509 *x;
	int ret = -EINVAL;

	secret_name(gc, sec, sizeof(sec));
	ERR_clear_error();
	b = BIO_new_mem_buf(gc->cert_pem, (int)gc->cert_len);
	if (!b)
		goto nomem;
	ld->leaf = PEM_read_bio_X509(b, NULL, no_password, NULL);
	if (!ld->leaf) {
		snprintf(what, sizeof(what), "Couldn't read the certificate in tls.crt of %s", sec);
		gw_tls_ossl_err(err, errlen, what);
		goto out;
	}
	ld->chain = sk_X509_new_null();
	if (!ld->chain)
		goto nomem;
	while ((x = PEM_read_bio_X509(b, NULL, no_password, NULL))) {
		if (!sk_X509_push(ld->chain, x)) {
			X509_free(x);
			goto nomem;
		}
	}
	/* the loop ends at "no start line": the end of the chain, not an error */
	ERR_clear_error();
	BIO_free(b);
	b = BIO_new_mem_buf(gc->key_pem, (int)gc->key_len);
	if (!b)
		goto nomem;
	ld->key = PEM_read_bio_PrivateKey(b, NULL, no_password, NULL);
	if (!ld->key) {
		snprintf(what, sizeof(what), "Couldn't read the private key in tls.key of %s", sec);
		gw_tls_ossl_err(err, errlen, what);
		goto out;
	}
	ld->type = key_type(ld->key);
	if (cert_names(ld))
		goto nomem;
	ret = 0;
	goto out;
nomem:
	snprintf(err, errlen, "Couldn't load %s: out of memory", sec);
	ret = -ENOMEM;
out:
	BIO_free(b);
	ERR_clear_error();
	return ret;
}

static bool same_names(const struct gw_tls_slot *s, const struct loaded *ld)
{
	if (s->nnames != ld->nnames)
		return false;
	for (int i = 0; i < ld->nnames; i++) {
		bool found = false;

		for (int j = 0; j < s->nnames && !found; j++)
			found = !strcmp(s->names[j], ld->names[i]);
		if (!found)
			return false;
	}
	return true;
}

int gw_tls_use_cert(SSL_CTX *ssl, const struct gw_cert *gc, char *err, size_t errlen)
{
	struct loaded ld = { 0 };
	char what[400], sec[300];
	int ret = load_cert(gc, &ld, err, errlen);

	if (!ret && SSL_CTX_use_cert_and_key(ssl, ld.leaf, ld.key, ld.chain, 1) != 1) {
		snprintf(what, sizeof(what), "Couldn't use the certificate and key of %s",
			 secret_name(gc, sec, sizeof(sec)));
		gw_tls_ossl_err(err, errlen, what);
		ret = -EINVAL;
	}
	loaded_free(&ld);
	return ret;
}

/* ---- building ----------------------------------------------------------- */

static SSL_CTX *new_ssl(struct gw_tls_ctx *x, struct gw_tls_lst *l, const unsigned char *sid,
			char *err, size_t errlen)
{
	SSL_CTX *ssl;
	bool tickets = x->tickets && l->opts.tickets;

	ERR_clear_error();
	ssl = SSL_CTX_new(TLS_server_method());
	if (!ssl) {
		gw_tls_ossl_err(err, errlen, "Couldn't create an SSL_CTX");
		return NULL;
	}
	if (gw_tls_opts_apply(ssl, &l->opts, err, errlen))
		goto fail;
	SSL_CTX_set_options(ssl, SSL_OP_NO_RENEGOTIATION | SSL_OP_CIPHER_SERVER_PREFERENCE |
					 SSL_OP_NO_COMPRESSION);
	SSL_CTX_set_mode(ssl, SSL_MODE_RELEASE_BUFFERS);
	/* sessions live in tickets only: no server-side cache shared across workers */
	SSL_CTX_set_session_cache_mode(ssl, SSL_SESS_CACHE_OFF);
	SSL_CTX_set_timeout(ssl, tickets ? (long)gw_tls_tickets_period(x->tickets) : 300);
	if (tickets)
		SSL_CTX_set_tlsext_ticket_key_evp_cb(ssl, ticket_cb);
	else if (!(SSL_CTX_set_options(ssl, SSL_OP_NO_TICKET) & SSL_OP_NO_TICKET) ||
		 !SSL_CTX_set_num_tickets(ssl, 0))
		goto ossl_fail;
	SSL_CTX_set_client_hello_cb(ssl, client_hello_cb, x);
	SSL_CTX_set_alpn_select_cb(ssl, alpn_cb, x);
	if (!SSL_CTX_set_session_id_context(ssl, sid, SSL_MAX_SID_CTX_LENGTH))
		goto ossl_fail;
	return ssl;
ossl_fail:
	gw_tls_ossl_err(err, errlen, "Couldn't configure an SSL_CTX");
fail:
	SSL_CTX_free(ssl);
	return NULL;
}

static int add_cert(struct gw_tls_ctx *x, struct gw_tls_lst *l, struct loaded *ld,
		    const unsigned char *sid, const struct gw_cert *gc, char *err, size_t errlen)
{
	struct gw_tls_slot *s = NULL;
	char what[400], sec[300];

	for (int i = 0; i < l->nslots && !s; i++)
		if (!(l->slots[i].types & ld->type) && same_names(&l->slots[i], ld))
			s = &l->slots[i];
	if (!s) {
		struct gw_tls_slot *slots =
			realloc(l->slots, (size_t)(l->nslots + 1) * sizeof(*slots));

		if (!slots) {
			snprintf(err, errlen, "out of memory");
			return -ENOMEM;
		}
		l->slots = slots;
		s = &l->slots[l->nslots];
		memset(s, 0, sizeof(*s));
		s->ssl = new_ssl(x, l, sid, err, errlen);
		if (!s->ssl)
			return -EINVAL;
		l->nslots++;
		/* the slot keeps the names: steal them */
		s->names = ld->names;
		s->nnames = ld->nnames;
		ld->names = NULL;
		ld->nnames = 0;
	}
	ERR_clear_error();
	if (SSL_CTX_use_cert_and_key(s->ssl, ld->leaf, ld->key, ld->chain, 1) != 1) {
		snprintf(what, sizeof(what), "Couldn't use the certificate and key of %s",
			 secret_name(gc, sec, sizeof(sec)));
		gw_tls_ossl_err(err, errlen, what);
		return -EINVAL;
	}
	s->types |= ld->type;
	return 0;
}

/*
 * Stable across reloads and distinct per listener (see the file comment).
 * The client validation is part of it: a session made under one CA bundle
 * or mode must not resume once they changed (it would skip the check).
 */
static int session_id_context(const struct gw_tls_lst *l, const struct gw_client_validation *cv,
			      unsigned char *sid)
{
	char buf[600];
	unsigned n = 0;
	int len = snprintf(buf, sizeof(buf), "xdpgw:%d:%s:%s:%d", l->info.port, l->info.owner,
			   l->info.name, l->verify_mode);
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	int ret = -EINVAL;

	ERR_clear_error();
	if (md && EVP_DigestInit_ex(md, EVP_sha256(), NULL) == 1 &&
	    EVP_DigestUpdate(md, buf, (size_t)len) == 1 &&
	    (!cv || EVP_DigestUpdate(md, cv->ca_pem, cv->ca_len) == 1) &&
	    EVP_DigestFinal_ex(md, sid, &n) == 1 && n == SSL_MAX_SID_CTX_LENGTH)
		ret = 0;
	ERR_clear_error();
	EVP_MD_CTX_free(md);
	return ret;
}

static bool terminates(const struct gw_listener *l)
{
	return (l->proto == GW_PROTO_HTTPS || l->proto == GW_PROTO_TLS) && l->tls_mode &&
	       !strcmp(l->tls_mode, "Terminate");
}

/* Loads one listener; on failure l->info.error says why and 0 is returned. */
static int load_listener(struct gw_tls_ctx *x, struct gw_tls_lst *l, const struct gw_listener *gl,
			 const struct gw_tls_server_conf *conf)
{
	char err[512] = "", msg[600];
	unsigned char sid[SSL_MAX_SID_CTX_LENGTH];
	int ret = 0;

	l->verify_mode = gw_tls_client_auth_mode(gl->client_validation);
	l->info.verifies_clients = gl->client_validation != NULL;
	if (!terminates(gl)) {
		snprintf(err, sizeof(err), "not a TLS listener in mode Terminate");
	} else if (!gl->valid) {
		snprintf(err, sizeof(err), "the listener is not accepted (see its conditions)");
	} else if (!gl->ncerts) {
		snprintf(err, sizeof(err), "no usable certificate (see ResolvedRefs)");
	} else if (gw_tls_opts_parse(gw_ypath(gl->node, "tls.options"),
				     gl->proto == GW_PROTO_HTTPS, conf ? conf->alpn : 0, &l->opts,
				     err, sizeof(err))) {
		;
	} else if (session_id_context(l, gl->client_validation, sid)) {
		snprintf(err, sizeof(err), "Couldn't derive the session id context");
	} else {
		for (int i = 0; i < gl->ncerts && !ret; i++) {
			struct loaded ld = { 0 };

			ret = load_cert(&gl->certs[i], &ld, err, sizeof(err));
			if (!ret)
				ret = add_cert(x, l, &ld, sid, &gl->certs[i], err, sizeof(err));
			loaded_free(&ld);
		}
		for (int i = 0; i < l->nslots && !ret && gl->client_validation; i++)
			ret = gw_tls_client_auth_load(l->slots[i].ssl, gl->client_validation, err,
						      sizeof(err));
		if (!ret) {
			l->served = true;
			return 0;
		}
	}
	snprintf(msg, sizeof(msg), "listener %s%s%s (port %d): %s", l->info.owner,
		 *l->info.owner ? "/" : "", l->info.name, l->info.port, err);
	l->info.error = strdup(msg);
	return l->info.error ? 0 : -ENOMEM;
}

static void ctx_free(struct gw_tls_ctx *x)
{
	for (int i = 0; i < x->nls; i++) {
		struct gw_tls_lst *l = &x->ls[i];

		for (int j = 0; j < l->nslots; j++) {
			SSL_CTX_free(l->slots[j].ssl);
			free_names(l->slots[j].names, l->slots[j].nnames);
		}
		free(l->slots);
		gw_tls_opts_free(&l->opts);
		free((char *)l->info.owner);
		free((char *)l->info.name);
		free((char *)l->info.hostname);
		free((char *)l->info.error);
	}
	free(x->ls);
	free(x->hosts);
	free(x->host_lst);
	gw_tls_tickets_put(x->tickets);
	gw_tls_client_free(x);
	free(x);
}

struct gw_tls_ctx *gw_tls_ctx_new_server(const struct gw_listener *const *ls, int n,
					 const struct gw_tls_server_conf *conf, char *err,
					 size_t errlen)
{
	struct gw_tls_ctx *x;
	const char *first_err = NULL;
	int e = ENOMEM;

	if (n <= 0) {
		snprintf(err, errlen, "Couldn't build a TLS context: no listeners");
		errno = EINVAL;
		return NULL;
	}
	for (int i = 1; i < n; i++) {
		if (ls[i]->port != ls[0]->port) {
			snprintf(err, errlen, "Couldn't build a TLS context: listeners %s and %s "
				 "are on different ports (%d, %d)", ls[0]->name, ls[i]->name,
				 ls[0]->port, ls[i]->port);
			errno = EINVAL;
			return NULL;
		}
	}
	x = calloc(1, sizeof(*x));
	if (!x)
		goto nomem;
	atomic_init(&x->refs, 1);
	x->server = true;
	x->dflt = -1;
	if (conf && conf->tickets)
		x->tickets = gw_tls_tickets_ref(conf->tickets);
	x->ls = calloc((size_t)n, sizeof(*x->ls));
	x->hosts = calloc((size_t)n, sizeof(*x->hosts));
	x->host_lst = calloc((size_t)n, sizeof(*x->host_lst));
	if (!x->ls || !x->hosts || !x->host_lst)
		goto nomem;
	x->nls = n;
	for (int i = 0; i < n; i++) {
		const struct gw_listener *gl = ls[i];
		struct gw_tls_lst *l = &x->ls[i];
		const struct gw_obj *o = gl->owner;

		l->info.index = i;
		l->info.port = gl->port;
		if (asprintf((char **)&l->info.owner, "%s%s%s", o && o->ns ? o->ns : "",
			     o && o->ns ? "/" : "", o ? o->name : "") < 0) {
			l->info.owner = NULL;
			goto nomem;
		}
		l->info.name = strdup(gl->name ? gl->name : "");
		if (!l->info.name || (gl->hostname && !(l->info.hostname = strdup(gl->hostname))))
			goto nomem;
		if (load_listener(x, l, gl, conf))
			goto nomem;
		if (!l->served) {
			if (!first_err)
				first_err = l->info.error;
			continue;
		}
		if (x->dflt < 0 || (!l->info.hostname && x->ls[x->dflt].info.hostname))
			x->dflt = i;
		x->hosts[x->nhosts] = l->info.hostname;
		x->host_lst[x->nhosts++] = i;
	}
	if (x->dflt < 0) {
		snprintf(err, errlen, "Couldn't build the TLS context for port %d: no listener can "
			 "be served; %s", ls[0]->port, first_err ? first_err : "");
		e = EINVAL;
		goto fail;
	}
	/* which listeners need their own cipher settings applied per connection */
	for (int i = 0; i < n; i++) {
		struct gw_tls_lst *l = &x->ls[i];
		const struct gw_tls_opts *d = &x->ls[x->dflt].opts;

		l->custom = l->served && (strcmp(l->opts.ciphers, d->ciphers) ||
					  strcmp(l->opts.suites, d->suites) ||
					  strcmp(l->opts.groups, d->groups));
	}
	return x;
nomem:
	snprintf(err, errlen, "Couldn't build the TLS context for port %d: out of memory",
		 ls[0]->port);
fail:
	if (x)
		ctx_free(x);
	errno = e;
	return NULL;
}

struct gw_tls_ctx *gw_tls_ctx_ref(struct gw_tls_ctx *x)
{
	atomic_fetch_add_explicit(&x->refs, 1, memory_order_relaxed);
	return x;
}

void gw_tls_ctx_put(struct gw_tls_ctx *x)
{
	if (x && atomic_fetch_sub_explicit(&x->refs, 1, memory_order_acq_rel) == 1)
		ctx_free(x);
}

int gw_tls_ctx_nlisteners(const struct gw_tls_ctx *x)
{
	return x->server ? x->nls : 0;
}

const struct gw_tls_listener_info *gw_tls_ctx_listener(const struct gw_tls_ctx *x, int i)
{
	return x->server && i >= 0 && i < x->nls ? &x->ls[i].info : NULL;
}
