/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * TLS engine: OpenSSL 3 over memory buffers, shaped for an io_uring loop.
 * OpenSSL never touches a socket; the caller moves ciphertext:
 *
 *   recv CQE  -> gw_tls_feed_in()  -> gw_tls_read() until -EAGAIN -> HTTP layer
 *   HTTP layer -> gw_tls_write()
 *   after any call: gw_tls_pending_out() -> send SQE -> CQE -> gw_tls_consume_out()
 *
 * Reads produce ciphertext too (handshake flights, session tickets,
 * alerts), so the caller checks gw_tls_pending_out() after every call, not
 * only after writes. Pending ciphertext lives in fixed chunks that
 * never move: a pointer from gw_tls_pending_out() stays valid while a send
 * is in flight, even if more is written meanwhile, until gw_tls_consume_out()
 * passes it or the connection is freed.
 *
 * Threads: a gw_tls_ctx is immutable once built, shared by every worker and
 * refcounted; each connection holds a reference, so a reload builds a new
 * context, swaps it in, drops the old one, and existing connections finish
 * on the one they started with. A gw_tls_conn belongs to one thread.
 * Session-ticket keys (gw_tls_tickets) outlive contexts, so sessions resume
 * across reloads, and may be rotated from any thread.
 *
 * Server contexts serve every Terminate listener of one port: the
 * ClientHello's SNI picks the listener (exact hostname, then the longest
 * wildcard, then the listener without hostname; without SNI the listener
 * without hostname, else the first), the listener's certificateRefs give
 * the certificates (RSA and ECDSA for one name: OpenSSL picks per client),
 * and its tls.options the versions, ciphers, groups and ALPN. A SNI that no
 * listener matches fails the handshake with an unrecognized_name alert.
 * HTTPS listeners with client validation (gw_listener.client_validation)
 * ask for a client certificate and verify it against their CA bundle:
 * AllowValidOnly fails the handshake without a valid one,
 * AllowInsecureFallback accepts any (see gw_tls_conn_peer_verified()).
 *
 * Client contexts implement one BackendTLSPolicy: CA bundle from its
 * ConfigMaps (or the system bundle), SNI = validation.hostname, the peer
 * certificate checked against the hostname or validation.subjectAltNames.
 *
 * Functions return 0 / a count, or -errno; constructors return NULL with
 * errno set, and fill err with "what failed: why" where they take one.
 */
#ifndef GW_TLS_H
#define GW_TLS_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

struct iovec;
struct gw_cert;
struct gw_config;
struct gw_listener;
struct gw_obj;
struct gw_yval;

struct gw_tls_ctx;
struct gw_tls_conn;
struct gw_tls_tickets;

/*
 * Why a connection failed or ended, as passed to on_handshake and returned
 * by gw_tls_conn_err(); compare by pointer. gw_tls_conn_errmsg() has the
 * detail (OpenSSL's reason, the alert, the verification error).
 */
extern const char gw_tls_error_closed[];	/* the peer sent close_notify */
extern const char gw_tls_error_eof[];		/* the transport ended without close_notify */
/* the handshake failed: version, cipher, SNI, ALPN, an alert */
extern const char gw_tls_error_handshake[];
extern const char gw_tls_error_verify[];	/* the peer's certificate did not verify */
extern const char gw_tls_error_protocol[];	/* TLS error after the handshake */
extern const char gw_tls_error_nomem[];		/* out of memory */

/* ALPN protocols the HTTP layer speaks (bit mask). */
#define GW_TLS_ALPN_HTTP1 (1u << 0)	/* "http/1.1" */
#define GW_TLS_ALPN_H2 (1u << 1)	/* "h2" */

/** The negotiated application protocol. */
enum gw_tls_proto {
	GW_TLS_PROTO_NONE,	/* no ALPN: HTTP/1.1 by default on HTTPS listeners */
	GW_TLS_PROTO_HTTP1,
	GW_TLS_PROTO_H2,
	GW_TLS_PROTO_OTHER,	/* a name from a TLS listener's xdpgw.io/alpn option */
};

/* ---- session-ticket keys ------------------------------------------------- */

/**
 * A ticket key ring: the current key encrypts new tickets, the previous one
 * still decrypts (and the session gets a fresh ticket) until the next
 * rotation. Sessions live period_s seconds, so a ticket is always
 * decryptable for its whole lifetime when gw_tls_tickets_rotate() runs every
 * period_s seconds. Refcounted; starts with one reference.
 */
struct gw_tls_tickets *gw_tls_tickets_new(unsigned period_s);
/** Makes a fresh key current; the current one becomes the previous one. Any thread. */
int gw_tls_tickets_rotate(struct gw_tls_tickets *t);
struct gw_tls_tickets *gw_tls_tickets_ref(struct gw_tls_tickets *t);
/** Drops a reference; NULL-safe. */
void gw_tls_tickets_put(struct gw_tls_tickets *t);
unsigned gw_tls_tickets_period(const struct gw_tls_tickets *t);

/* ---- contexts ------------------------------------------------------------ */

/** What gwd adds to the listeners' configuration. */
struct gw_tls_server_conf {
	unsigned alpn;			/* GW_TLS_ALPN_* the HTTP layer speaks; 0 = none */
	struct gw_tls_tickets *tickets;	/* NULL: no session tickets */
};

/** One listener of a server context; owned by the context. */
struct gw_tls_listener_info {
	int index;		/* position in the array given to gw_tls_ctx_new_server() */
	int port;
	const char *owner;	/* "namespace/name" of the Gateway or ListenerSet */
	const char *name;	/* listener name */
	const char *hostname;	/* NULL = any */
	/* NULL when the listener is served; else why not (certificate, option) */
	const char *error;
	/* asks for client certificates (Gateway spec.tls.frontend validation) */
	bool verifies_clients;
};

/**
 * Builds the server context for one port from the listeners on it (all of
 * the same port). Listeners that are not TLS mode Terminate, not valid, or
 * whose certificates or tls.options fail to load are not served; each says
 * why in gw_tls_ctx_listener(x, i)->error, so status can report it. NULL
 * (errno EINVAL, err filled) when no listener can be served. Reads no files.
 */
struct gw_tls_ctx *gw_tls_ctx_new_server(const struct gw_listener *const *ls, int n,
					 const struct gw_tls_server_conf *conf, char *err,
					 size_t errlen);

/** What gwd adds to a BackendTLSPolicy. */
struct gw_tls_client_conf {
	unsigned alpn;			/* offered by default (GW_TLS_ALPN_*) */
	/* presented when the backend asks (Gateway tls.backend), or NULL */
	const struct gw_cert *client_cert;
};

/**
 * Builds the client context for a BackendTLSPolicy (v1/v1alpha3
 * spec.validation, or v1alpha2 spec.tls) of cfg. CA bundles come from the
 * policy's ConfigMaps (key ca.crt; Secrets are accepted too, base64);
 * wellKnownCACertificates System loads the OpenSSL default CA file (file
 * I/O: call from the control thread, like every context build). NULL with
 * err filled when a reference does not resolve or holds no certificate:
 * connections to the policy's targets must then fail, never go plaintext.
 */
struct gw_tls_ctx *gw_tls_ctx_new_client(const struct gw_config *cfg, const struct gw_obj *policy,
					 const struct gw_tls_client_conf *conf, char *err,
					 size_t errlen);

struct gw_tls_ctx *gw_tls_ctx_ref(struct gw_tls_ctx *x);
/** Drops a reference; the last one frees the context. NULL-safe. */
void gw_tls_ctx_put(struct gw_tls_ctx *x);
/** Listeners given to gw_tls_ctx_new_server() (0 for a client context). */
int gw_tls_ctx_nlisteners(const struct gw_tls_ctx *x);
const struct gw_tls_listener_info *gw_tls_ctx_listener(const struct gw_tls_ctx *x, int i);

/**
 * Checks a tls.options map (ListenerTLSConfig.options or
 * BackendTLSPolicySpec.options) without building anything: 0, or -EINVAL
 * with err naming the key and the problem. http: the options belong to an
 * HTTPS listener (ALPN limited to h2 and http/1.1). Keys (see README, TLS):
 *   xdpgw.io/min-version, xdpgw.io/max-version   "1.2" or "1.3"
 *   xdpgw.io/ciphers        OpenSSL cipher list for TLS 1.2
 *   xdpgw.io/ciphersuites   TLS 1.3 suites, ':'-separated
 *   xdpgw.io/groups         key exchange groups, ':' or ','-separated
 *   xdpgw.io/alpn           protocols offered, in preference order, ','-separated
 *   xdpgw.io/session-tickets "true" or "false"
 * Other xdpgw.io/ keys and keys without a domain are errors; keys of other
 * domains belong to other implementations and are ignored.
 */
int gw_tls_options_check(const struct gw_yval *options, bool http, char *err, size_t errlen);

/* ---- connections --------------------------------------------------------- */

/** Handshake milestones reported through on_progress. */
enum gw_tls_step {
	/*
	 * Server: the ClientHello was read, its SNI picked the listener and
	 * the certificate (gw_tls_conn_sni/_listener are set). Client: the
	 * ServerHello was read.
	 */
	GW_TLS_STEP_HELLO,
};

/**
 * Callbacks run from inside gw_tls_handshake(), _read() and _write(), after
 * OpenSSL returned, so they may call any gw_tls_* function on the
 * connection, including gw_tls_conn_free(): the call that ran the callback
 * then returns -ECANCELED and the connection must not be touched again.
 */
struct gw_tls_conn_cbs {
	void (*on_progress)(struct gw_tls_conn *c, void *user, enum gw_tls_step step);
	/* once per connection: err NULL = established, else why the handshake failed */
	void (*on_handshake)(struct gw_tls_conn *c, void *user, const char *err);
};

/**
 * A connection on x: the server side for a server context, the client side
 * (SNI and verification from the policy) for a client context. cbs may be
 * NULL; it is copied. Takes a reference on x.
 */
struct gw_tls_conn *gw_tls_conn_new(struct gw_tls_ctx *x, const struct gw_tls_conn_cbs *cbs,
				    void *user);
/** NULL-safe; see gw_tls_conn_cbs for calls from callbacks. */
void gw_tls_conn_free(struct gw_tls_conn *c);

/**
 * Client, before the handshake started: the ALPN offer for this connection
 * (GW_TLS_ALPN_*, 0 = none) instead of the context's. -EINVAL on a server
 * connection or once the ClientHello was produced.
 */
int gw_tls_conn_offer_alpn(struct gw_tls_conn *c, unsigned alpn);

/**
 * Advances the handshake (a client starts it with this: its ClientHello is
 * then pending). 0 once established, -EAGAIN while more input is needed,
 * -EPROTO (see gw_tls_conn_err) or -ENOMEM on failure.
 */
int gw_tls_handshake(struct gw_tls_conn *c);

/**
 * Hands over ciphertext received from the peer (copied; the receive buffer
 * can be recycled right away). -ENOBUFS beyond GW_TLS_MAX_INPUT unread
 * bytes: read before feeding more. No processing happens here.
 */
int gw_tls_feed_in(struct gw_tls_conn *c, const void *buf, size_t len);
#define GW_TLS_MAX_INPUT (1u << 20)

/** The transport reached EOF: once the fed input is used up, reads end. */
void gw_tls_feed_eof(struct gw_tls_conn *c);

/**
 * Drives the handshake and decrypts: > 0 plaintext bytes, -EAGAIN when more
 * ciphertext is needed (also during the handshake), 0 when the peer sent
 * close_notify, -ECONNRESET when the transport ended without it,
 * -EPROTO on a TLS error, -ENOMEM, -ECANCELED (a callback freed c). Once
 * it returned 0 or an error other than -EAGAIN it keeps returning it.
 */
ssize_t gw_tls_read(struct gw_tls_conn *c, void *buf, size_t cap);

/**
 * Encrypts all of buf into pending output and returns len; -EAGAIN before
 * the handshake completed, -EPIPE after gw_tls_shutdown() or a fatal error,
 * -ENOMEM. There is no limit: apply backpressure with gw_tls_out_bytes().
 */
ssize_t gw_tls_write(struct gw_tls_conn *c, const void *buf, size_t len);

/**
 * Queues close_notify (once); afterwards writes fail with -EPIPE. A no-op
 * before the handshake completed or after a fatal error. 0 or -errno.
 */
int gw_tls_shutdown(struct gw_tls_conn *c);

/** The first contiguous piece of pending ciphertext; false when there is none. */
bool gw_tls_pending_out(struct gw_tls_conn *c, const void **ptr, size_t *len);
/** Pending ciphertext as up to max pieces (for sendmsg); returns how many. */
int gw_tls_pending_outv(struct gw_tls_conn *c, struct iovec *iov, int max);
/** Marks n bytes (at most gw_tls_out_bytes()) as sent. */
void gw_tls_consume_out(struct gw_tls_conn *c, size_t n);
/** All pending ciphertext bytes. */
size_t gw_tls_out_bytes(const struct gw_tls_conn *c);

/** True once the handshake completed. */
bool gw_tls_conn_established(const struct gw_tls_conn *c);
/** True when the handshake resumed a session (ticket). */
bool gw_tls_conn_resumed(const struct gw_tls_conn *c);
/** The negotiated ALPN protocol; gw_tls_conn_alpn() has its name. */
enum gw_tls_proto gw_tls_conn_proto(const struct gw_tls_conn *c);
/** The negotiated ALPN name (not NUL-terminated) or NULL. */
const char *gw_tls_conn_alpn(const struct gw_tls_conn *c, size_t *len);
/** Server: the SNI the client sent (lower case), or NULL. Client: the SNI sent. */
const char *gw_tls_conn_sni(const struct gw_tls_conn *c);
/** Server: the listener the SNI picked (NULL before GW_TLS_STEP_HELLO). */
const struct gw_tls_listener_info *gw_tls_conn_listener(const struct gw_tls_conn *c);
/** "TLSv1.2", "TLSv1.3" once established. */
const char *gw_tls_conn_version(const struct gw_tls_conn *c);
/** The cipher suite's OpenSSL name once established. */
const char *gw_tls_conn_cipher(const struct gw_tls_conn *c);
/**
 * Server: true when the client presented a certificate that verified
 * against its listener's CA bundle (Gateway spec.tls.frontend), on this
 * handshake or the one whose session it resumed. Always false on listeners
 * without client validation; under AllowInsecureFallback, false for a
 * client that sent no certificate or one that did not verify.
 */
bool gw_tls_conn_peer_verified(const struct gw_tls_conn *c);
/**
 * The peer's certificate, verified or not: its subject (RFC 2253) and the
 * SHA-256 of its DER as 64 hex digits. -ENOENT when the peer sent none (or
 * before the handshake completed), -E2BIG when the subject does not fit in
 * sublen, -ENOMEM.
 */
int gw_tls_conn_peer_cert(const struct gw_tls_conn *c, char *subject, size_t sublen,
			  char hash_hex[65]);
/** Why the connection ended (gw_tls_error_*), or NULL while it is fine. */
const char *gw_tls_conn_err(const struct gw_tls_conn *c);
/** Human-readable detail for gw_tls_conn_err() ("" when none). */
const char *gw_tls_conn_errmsg(const struct gw_tls_conn *c);

/** Frees the calling thread's cache of output chunks (worker exit). */
void gw_tls_thread_cleanup(void);

#endif
