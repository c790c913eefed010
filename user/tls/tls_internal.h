/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Declarations shared by the TLS engine's files: the context and connection
 * layouts, tls.options, ticket keys, and the OpenSSL callbacks that need
 * both a connection and its context.
 */
#ifndef GW_TLS_INTERNAL_H
#define GW_TLS_INTERNAL_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>

#include <openssl/ssl.h>

#include "gw/tls.h"

/* ---- tls.options (options.c) ---- */

#define GW_TLS_ALPN_WIRE 256

/** Parsed tls.options, defaults filled in. */
struct gw_tls_opts {
	int min_version, max_version;	/* TLS1_2_VERSION, TLS1_3_VERSION */
	char *ciphers;
	char *suites;
	char *groups;
	bool tickets;
	/* ALPN the server offers (preference order) or the client sends, wire format */
	size_t alpn_len;
	uint8_t alpn[GW_TLS_ALPN_WIRE];
};

/**
 * Parses options (NULL = none). http: an HTTPS listener or a backend, whose
 * ALPN names are limited to what the HTTP layer speaks (speaks, a
 * GW_TLS_ALPN_* mask, which is also the default offer). 0 or -EINVAL/-ENOMEM
 * with err filled; o is always safe to gw_tls_opts_free().
 */
int gw_tls_opts_parse(const struct gw_yval *options, bool http, unsigned speaks,
		      struct gw_tls_opts *o, char *err, size_t errlen);
void gw_tls_opts_free(struct gw_tls_opts *o);
/** Versions, ciphers, suites and groups into an SSL_CTX; 0 or -EINVAL with err. */
int gw_tls_opts_apply(SSL_CTX *ssl, const struct gw_tls_opts *o, char *err, size_t errlen);
/** ALPN wire list for a GW_TLS_ALPN_* mask, h2 first. */
size_t gw_tls_alpn_wire(unsigned mask, uint8_t *out);
/** "what: OpenSSL reason" from the thread's error queue (cleared), into buf. */
const char *gw_tls_ossl_err(char *buf, size_t len, const char *what);

/* ---- ticket keys (ticket.c) ---- */

/** SSL_CTX_set_tlsext_ticket_key_evp_cb() body for a key ring. */
int gw_tls_tickets_cb(struct gw_tls_tickets *t, unsigned char *name, unsigned char *iv,
		      EVP_CIPHER_CTX *cctx, EVP_MAC_CTX *hctx, int enc);

/* ---- contexts (ctx.c, client.c) ---- */

/* A set of certificates OpenSSL chooses among by key type (one per type). */
struct gw_tls_slot {
	SSL_CTX *ssl;
	char **names;		/* DNS names of its certificates (SANs, else CN) */
	int nnames;
	unsigned types;		/* bit per key type present */
};

struct gw_tls_lst {
	struct gw_tls_listener_info info;
	struct gw_tls_opts opts;
	int verify_mode;	/* SSL_VERIFY_* for client certificates (client_auth.c) */
	struct gw_tls_slot *slots;
	int nslots;
	bool served;
	/* ciphers/suites/groups differ from the default listener's: set per connection */
	bool custom;
};

struct gw_tls_ctx {
	atomic_int refs;
	bool server;

	/* server */
	struct gw_tls_lst *ls;
	int nls;
	int dflt;			/* listener whose first slot new connections start on */
	const char **hosts;		/* hostnames of served listeners, for gw_tls_sniff_best */
	int *host_lst;			/* ... and their listener index */
	int nhosts;
	struct gw_tls_tickets *tickets;

	/* client */
	SSL_CTX *cssl;
	char *hostname;			/* SNI, and the verified name without subjectAltNames */
	char **san_hosts;
	int nsan_hosts;
	char **san_uris;
	int nsan_uris;
	struct gw_tls_opts copts;
	pthread_mutex_t sess_lock;	/* guards sess: workers share the context */
	SSL_SESSION *sess;		/* latest session from the backend, for resumption */
};

/* ---- connections (conn.c) ---- */

struct gw_tls_chunk;

struct gw_tls_conn {
	SSL *ssl;
	struct gw_tls_ctx *ctx;
	struct gw_tls_conn_cbs cbs;
	void *user;

	/* ciphertext received, not yet read by OpenSSL */
	uint8_t *in;
	size_t in_off, in_len, in_cap;
	bool in_eof;

	/* ciphertext to send: a list of chunks that never move */
	struct gw_tls_chunk *out_head, *out_tail;
	size_t out_bytes;

	const struct gw_tls_lst *lst;	/* server: the listener the SNI picked */
	char sni[256];
	bool has_sni;

	bool established;
	bool hello;			/* GW_TLS_STEP_HELLO happened, not yet reported */
	bool hello_reported;
	bool hs_reported;
	bool shut;
	int in_callback;
	bool dead;			/* freed from a callback: free when it returns */
	const char *err;
	bool detail;			/* errmsg was set by a callback with more context */
	int alert_sent;			/* last alert we sent, -1 = none */
	char errmsg[320];
};

/** SSL_get_app_data() for an SSL of ours. */
static inline struct gw_tls_conn *gw_tls_conn_of(const SSL *s)
{
	return SSL_get_app_data(s);
}

/** Loads a certificate chain and key from the config into ssl; 0 or -errno with err. */
int gw_tls_use_cert(SSL_CTX *ssl, const struct gw_cert *gc, char *err, size_t errlen);

/* ---- client certificates on server contexts (client_auth.c) ---- */

struct gw_client_validation;

/** SSL_VERIFY_* for a listener's validation (NULL = no client certificates). */
int gw_tls_client_auth_mode(const struct gw_client_validation *cv);
/** Adds the CA bundle to ssl's store and CA list; 0 or -errno with err. */
int gw_tls_client_auth_load(SSL_CTX *ssl, const struct gw_client_validation *cv, char *err,
			    size_t errlen);
/** Sets the verify mode (and its callback) of a connection's listener on s. */
void gw_tls_client_auth_apply(SSL *s, int verify_mode);
/**
 * Server handshake failure: true (c->err and errmsg set) when it was the
 * client certificate, missing or not verified; first is the first queued error.
 */
bool gw_tls_client_auth_failed(struct gw_tls_conn *c, unsigned long first);

/* Client side (client.c): the SSL of a new client connection. */
int gw_tls_client_setup(struct gw_tls_conn *c);
void gw_tls_client_free(struct gw_tls_ctx *x);

#endif
