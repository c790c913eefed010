// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * One TLS connection over memory buffers. OpenSSL reads and writes through
 * a BIO of ours that never blocks: reads take from the input the caller
 * fed and report "retry" when it is used up; writes append to a list of
 * fixed chunks whose addresses never change, so a send SQE may point into
 * one while OpenSSL keeps appending. Chunks come from a small per-thread
 * cache, so an idle connection holds no buffers (with
 * SSL_MODE_RELEASE_BUFFERS, neither does OpenSSL).
 *
 * User callbacks never run inside an OpenSSL callback: the OpenSSL side
 * only records what happened, and notify() reports it after the OpenSSL
 * call returned, when re-entering (or freeing) the connection is safe.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>

#include <openssl/err.h>
#include <openssl/x509.h>

#include "tls_internal.h"

const char gw_tls_error_closed[] = "TLS connection closed by the peer (close_notify)";
const char gw_tls_error_eof[] = "TLS connection truncated: transport closed without close_notify";
const char gw_tls_error_handshake[] = "TLS handshake failed";
const char gw_tls_error_verify[] = "TLS peer certificate verification failed";
const char gw_tls_error_protocol[] = "TLS protocol error";
const char gw_tls_error_nomem[] = "out of memory in TLS";

/* Two full records per chunk; a chunk is one allocation. */
#define CHUNK_BYTES (32768 - 2 * sizeof(void *))
#define CHUNK_CACHE_MAX 32
#define IN_MIN_CAP 16384

struct gw_tls_chunk {
	struct gw_tls_chunk *next;
	uint32_t off, len;		/* sent up to off, filled up to len */
	uint8_t data[CHUNK_BYTES];
};

static __thread struct gw_tls_chunk *chunk_cache;
static __thread int chunk_cache_n;

static struct gw_tls_chunk *chunk_get(void)
{
	struct gw_tls_chunk *k = chunk_cache;

	if (k) {
		chunk_cache = k->next;
		chunk_cache_n--;
	} else {
		k = malloc(sizeof(*k));
		if (!k)
			return NULL;
	}
	k->next = NULL;
	k->off = k->len = 0;
	return k;
}

static void chunk_put(struct gw_tls_chunk *k)
{
	if (chunk_cache_n >= CHUNK_CACHE_MAX) {
		free(k);
		return;
	}
	k->next = chunk_cache;
	chunk_cache = k;
	chunk_cache_n++;
}

/* Input buffers of the minimum size are cached the same way. */
static __thread uint8_t *in_cache[CHUNK_CACHE_MAX / 4];
static __thread int in_cache_n;

static void in_release(struct gw_tls_conn *c)
{
	if (c->in_cap == IN_MIN_CAP && in_cache_n < (int)(sizeof(in_cache) / sizeof(in_cache[0])))
		in_cache[in_cache_n++] = c->in;
	else
		free(c->in);
	c->in = NULL;
	c->in_off = c->in_len = c->in_cap = 0;
}

void gw_tls_thread_cleanup(void)
{
	while (in_cache_n)
		free(in_cache[--in_cache_n]);
	while (chunk_cache) {
		struct gw_tls_chunk *k = chunk_cache;

		chunk_cache = k->next;
		free(k);
	}
	chunk_cache_n = 0;
}

/* ---- the BIO ------------------------------------------------------------ */

static int out_append(struct gw_tls_conn *c, const uint8_t *p, size_t n)
{
	while (n) {
		struct gw_tls_chunk *k = c->out_tail;
		size_t room;

		if (!k || k->len == CHUNK_BYTES) {
			k = chunk_get();
			if (!k)
				return -ENOMEM;
			if (c->out_tail)
				c->out_tail->next = k;
			else
				c->out_head = k;
			c->out_tail = k;
		}
		room = CHUNK_BYTES - k->len;
		if (room > n)
			room = n;
		memcpy(k->data + k->len, p, room);
		k->len += (uint32_t)room;
		c->out_bytes += room;
		p += room;
		n -= room;
	}
	return 0;
}

static int bio_write(BIO *b, const char *data, int len)
{
	struct gw_tls_conn *c = BIO_get_data(b);

	BIO_clear_retry_flags(b);
	if (len <= 0)
		return 0;
	/* no retry flag: OpenSSL reports SSL_ERROR_SYSCALL, mapped to -ENOMEM */
	if (out_append(c, (const uint8_t *)data, (size_t)len))
		return -1;
	return len;
}

static int bio_read(BIO *b, char *buf, int size)
{
	struct gw_tls_conn *c = BIO_get_data(b);
	size_t n = c->in_len - c->in_off;

	BIO_clear_retry_flags(b);
	if (!n) {
		if (c->in_eof)
			return 0;
		BIO_set_retry_read(b);
		return -1;
	}
	if (size < 0)
		return 0;
	if (n > (size_t)size)
		n = (size_t)size;
	memcpy(buf, c->in + c->in_off, n);
	c->in_off += n;
	return (int)n;
}

static long bio_ctrl(BIO *b, int cmd, long num, void *ptr)
{
	struct gw_tls_conn *c = BIO_get_data(b);

	(void)num;
	(void)ptr;
	switch (cmd) {
	case BIO_CTRL_FLUSH:
		return 1;	/* writes are already "sent" into the chunks */
	case BIO_CTRL_PENDING:
		return (long)(c->in_len - c->in_off);
	case BIO_CTRL_WPENDING:
		return (long)c->out_bytes;
	case BIO_CTRL_EOF:
		return c->in_eof && c->in_len == c->in_off;
	default:
		return 0;
	}
}

static BIO_METHOD *bio_method;
static pthread_once_t bio_once = PTHREAD_ONCE_INIT;

static void bio_method_init(void)
{
	BIO_METHOD *m = BIO_meth_new(BIO_get_new_index() | BIO_TYPE_SOURCE_SINK, "gw_tls");

	if (!m)
		return;
	if (!BIO_meth_set_write(m, bio_write) || !BIO_meth_set_read(m, bio_read) ||
	    !BIO_meth_set_ctrl(m, bio_ctrl)) {
		BIO_meth_free(m);
		return;
	}
	bio_method = m;
}

/* ---- errors ------------------------------------------------------------- */

static void set_errmsg(struct gw_tls_conn *c, const char *what)
{
	char buf[sizeof(c->errmsg) - 64];

	gw_tls_ossl_err(buf, sizeof(buf), what);
	if (c->alert_sent >= 0)
		snprintf(c->errmsg, sizeof(c->errmsg), "%s (sent alert %s)", buf,
			 SSL_alert_desc_string_long(c->alert_sent));
	else
		snprintf(c->errmsg, sizeof(c->errmsg), "%s", buf);
}

/* Classifies a failed OpenSSL call; -EAGAIN and close_notify are not failures. */
static ssize_t ssl_fail(struct gw_tls_conn *c, int ret)
{
	int e = SSL_get_error(c->ssl, ret);
	unsigned long first;

	switch (e) {
	case SSL_ERROR_WANT_READ:
		ERR_clear_error();
		return -EAGAIN;
	case SSL_ERROR_ZERO_RETURN:
		ERR_clear_error();
		c->err = gw_tls_error_closed;
		snprintf(c->errmsg, sizeof(c->errmsg), "%s", gw_tls_error_closed);
		return 0;
	case SSL_ERROR_SSL:
		break;
	default:
		/* our BIO fails only to allocate; WANT_WRITE cannot happen with it */
		ERR_clear_error();
		c->err = gw_tls_error_nomem;
		snprintf(c->errmsg, sizeof(c->errmsg), "%s (SSL error %d)", gw_tls_error_nomem, e);
		return -ENOMEM;
	}
	first = ERR_peek_error();
	if (ERR_GET_LIB(first) == ERR_LIB_SSL &&
	    ERR_GET_REASON(first) == SSL_R_UNEXPECTED_EOF_WHILE_READING) {
		ERR_clear_error();
		c->err = gw_tls_error_eof;
		snprintf(c->errmsg, sizeof(c->errmsg), "%s", gw_tls_error_eof);
		return -ECONNRESET;
	}
	if (!c->established && c->ctx->server && gw_tls_client_auth_failed(c, first))
		return -EPROTO;
	if (!c->established && !c->ctx->server && SSL_get_verify_result(c->ssl) != X509_V_OK) {
		c->err = gw_tls_error_verify;
		if (!c->detail) {
			long v = SSL_get_verify_result(c->ssl);

			snprintf(c->errmsg, sizeof(c->errmsg),
				 "certificate of %s did not verify: %s", c->sni,
				 X509_verify_cert_error_string(v));
		}
		ERR_clear_error();
		return -EPROTO;
	}
	c->err = c->established ? gw_tls_error_protocol : gw_tls_error_handshake;
	if (!c->detail) {
		set_errmsg(c, c->err);
	} else if (c->alert_sent >= 0) {
		size_t n = strlen(c->errmsg);

		ERR_clear_error();
		snprintf(c->errmsg + n, sizeof(c->errmsg) - n, " (sent alert %s)",
			 SSL_alert_desc_string_long(c->alert_sent));
	}
	return -EPROTO;
}

/* Sticky results once the connection ended. */
static ssize_t ended(const struct gw_tls_conn *c)
{
	if (c->err == gw_tls_error_closed)
		return 0;
	if (c->err == gw_tls_error_eof)
		return -ECONNRESET;
	if (c->err == gw_tls_error_nomem)
		return -ENOMEM;
	return -EPROTO;
}

static void really_free(struct gw_tls_conn *c)
{
	struct gw_tls_chunk *k = c->out_head;

	while (k) {
		struct gw_tls_chunk *next = k->next;

		chunk_put(k);
		k = next;
	}
	SSL_free(c->ssl);
	in_release(c);
	gw_tls_ctx_put(c->ctx);
	free(c);
}

/*
 * Reports what the last OpenSSL call did. Returns -ECANCELED when a
 * callback freed the connection, else ret.
 */
static ssize_t notify(struct gw_tls_conn *c, ssize_t ret)
{
	if (!c->established && SSL_is_init_finished(c->ssl) && !c->err)
		c->established = true;
	c->in_callback++;
	if (c->hello && !c->hello_reported) {
		c->hello_reported = true;
		if (c->cbs.on_progress)
			c->cbs.on_progress(c, c->user, GW_TLS_STEP_HELLO);
	}
	if (!c->hs_reported && !c->dead && (c->established || (c->err && ret != -EAGAIN))) {
		c->hs_reported = true;
		if (c->cbs.on_handshake)
			c->cbs.on_handshake(c, c->user, c->established ? NULL : c->err);
	}
	c->in_callback--;
	if (c->dead && !c->in_callback) {
		really_free(c);
		return -ECANCELED;
	}
	/* a connection waiting for input keeps no input buffer */
	if (c->in && c->in_off == c->in_len && ret == -EAGAIN)
		in_release(c);
	return ret;
}

static void info_cb(const SSL *s, int where, int val)
{
	struct gw_tls_conn *c = gw_tls_conn_of(s);

	if ((where & SSL_CB_ALERT) && (where & SSL_CB_WRITE))
		c->alert_sent = val & 0xff;
	/* client: the ServerHello was read (the server reports from its hello callback) */
	if (!c->ctx->server && (where & SSL_CB_CONNECT_LOOP) &&
	    SSL_get_state(s) == TLS_ST_CR_SRVR_HELLO)
		c->hello = true;
}

/* ---- API ---------------------------------------------------------------- */

struct gw_tls_conn *gw_tls_conn_new(struct gw_tls_ctx *x, const struct gw_tls_conn_cbs *cbs,
				    void *user)
{
	struct gw_tls_conn *c;
	BIO *b;

	pthread_once(&bio_once, bio_method_init);
	if (!bio_method) {
		errno = ENOMEM;
		return NULL;
	}
	c = calloc(1, sizeof(*c));
	if (!c)
		return NULL;
	c->alert_sent = -1;
	c->user = user;
	if (cbs)
		c->cbs = *cbs;
	c->ctx = gw_tls_ctx_ref(x);
	ERR_clear_error();
	c->ssl = SSL_new(x->server ? x->ls[x->dflt].slots[0].ssl : x->cssl);
	b = c->ssl ? BIO_new(bio_method) : NULL;
	if (!b) {
		ERR_clear_error();
		goto fail;
	}
	BIO_set_data(b, c);
	BIO_set_init(b, 1);
	SSL_set_bio(c->ssl, b, b);	/* one reference, for both directions */
	SSL_set_app_data(c->ssl, c);
	SSL_set_info_callback(c->ssl, info_cb);
	if (x->server) {
		SSL_set_accept_state(c->ssl);
	} else {
		if (gw_tls_client_setup(c))
			goto fail;
		SSL_set_connect_state(c->ssl);
	}
	return c;
fail:
	ERR_clear_error();
	really_free(c);
	errno = ENOMEM;
	return NULL;
}

void gw_tls_conn_free(struct gw_tls_conn *c)
{
	if (!c)
		return;
	if (c->in_callback) {
		c->dead = true;
		return;
	}
	really_free(c);
}

int gw_tls_conn_offer_alpn(struct gw_tls_conn *c, unsigned alpn)
{
	uint8_t wire[16];
	size_t n;

	/* the offer is in the ClientHello: too late once the handshake started */
	if (c->ctx->server || !SSL_in_before(c->ssl))
		return -EINVAL;
	n = gw_tls_alpn_wire(alpn, wire);
	/* SSL_set_alpn_protos returns 0 on success */
	if (SSL_set_alpn_protos(c->ssl, n ? wire : NULL, (unsigned)n)) {
		ERR_clear_error();
		return -ENOMEM;
	}
	return 0;
}

int gw_tls_handshake(struct gw_tls_conn *c)
{
	int ret;

	if (c->err)
		return c->err == gw_tls_error_nomem ? -ENOMEM : -EPROTO;
	if (c->established)
		return 0;
	ERR_clear_error();
	ret = SSL_do_handshake(c->ssl);
	return (int)notify(c, ret == 1 ? 0 : ssl_fail(c, ret));
}

int gw_tls_feed_in(struct gw_tls_conn *c, const void *buf, size_t len)
{
	size_t have = c->in_len - c->in_off;

	if (!len)
		return 0;
	if (have + len > GW_TLS_MAX_INPUT)
		return -ENOBUFS;
	if (c->in_off && (c->in_off == c->in_len || c->in_len + len > c->in_cap)) {
		memmove(c->in, c->in + c->in_off, have);
		c->in_off = 0;
		c->in_len = have;
	}
	if (!c->in && len <= IN_MIN_CAP && in_cache_n) {
		c->in = in_cache[--in_cache_n];
		c->in_cap = IN_MIN_CAP;
	}
	if (c->in_len + len > c->in_cap) {
		size_t cap = c->in_cap ? c->in_cap : IN_MIN_CAP;
		uint8_t *p;

		while (cap < c->in_len + len)
			cap *= 2;
		p = realloc(c->in, cap);
		if (!p)
			return -ENOMEM;
		c->in = p;
		c->in_cap = cap;
	}
	memcpy(c->in + c->in_len, buf, len);
	c->in_len += len;
	return 0;
}

void gw_tls_feed_eof(struct gw_tls_conn *c)
{
	c->in_eof = true;
}

ssize_t gw_tls_read(struct gw_tls_conn *c, void *buf, size_t cap)
{
	size_t n = 0;
	ssize_t r;
	int ret;

	if (!cap)
		return -EINVAL;
	if (c->err)
		return ended(c);
	ERR_clear_error();
	ret = SSL_read_ex(c->ssl, buf, cap, &n);
	r = ret == 1 ? (ssize_t)n : ssl_fail(c, ret);
	return notify(c, r);
}

ssize_t gw_tls_write(struct gw_tls_conn *c, const void *buf, size_t len)
{
	size_t n = 0;
	int ret;

	if (c->err && c->err != gw_tls_error_closed)
		return c->err == gw_tls_error_nomem ? -ENOMEM : -EPIPE;
	if (c->shut)
		return -EPIPE;
	if (!c->established)
		return -EAGAIN;
	if (!len)
		return 0;
	ERR_clear_error();
	ret = SSL_write_ex(c->ssl, buf, len, &n);
	if (ret == 1)
		return notify(c, (ssize_t)n);
	if (SSL_get_error(c->ssl, ret) == SSL_ERROR_SSL) {
		set_errmsg(c, "TLS write failed");
		c->err = gw_tls_error_protocol;
		return notify(c, -EPIPE);
	}
	ERR_clear_error();
	c->err = gw_tls_error_nomem;
	return notify(c, -ENOMEM);
}

int gw_tls_shutdown(struct gw_tls_conn *c)
{
	int ret;

	if (c->shut)
		return 0;
	c->shut = true;
	/* nothing to close politely before the handshake or after a fatal alert */
	if (!c->established || (c->err && c->err != gw_tls_error_closed))
		return 0;
	ERR_clear_error();
	ret = SSL_shutdown(c->ssl);
	if (ret < 0) {
		int e = SSL_get_error(c->ssl, ret);

		/* close_notify is queued; OpenSSL only wants to read the peer's */
		if (e != SSL_ERROR_WANT_READ) {
			set_errmsg(c, "Couldn't send close_notify");
			return e == SSL_ERROR_SSL ? -EPROTO : -ENOMEM;
		}
	}
	ERR_clear_error();
	return 0;
}

bool gw_tls_pending_out(struct gw_tls_conn *c, const void **ptr, size_t *len)
{
	struct gw_tls_chunk *k = c->out_head;

	if (!k || k->off == k->len)
		return false;
	*ptr = k->data + k->off;
	*len = k->len - k->off;
	return true;
}

int gw_tls_pending_outv(struct gw_tls_conn *c, struct iovec *iov, int max)
{
	int n = 0;

	for (struct gw_tls_chunk *k = c->out_head; k && n < max; k = k->next) {
		if (k->off == k->len)
			continue;
		iov[n].iov_base = k->data + k->off;
		iov[n].iov_len = k->len - k->off;
		n++;
	}
	return n;
}

void gw_tls_consume_out(struct gw_tls_conn *c, size_t n)
{
	if (n > c->out_bytes)
		n = c->out_bytes;
	c->out_bytes -= n;
	while (n) {
		struct gw_tls_chunk *k = c->out_head;
		size_t take = k->len - k->off;

		if (take > n)
			take = n;
		k->off += (uint32_t)take;
		n -= take;
		if (k->off < k->len)
			break;
		/* sent: back to the cache, so an idle connection holds no chunk */
		c->out_head = k->next;
		if (!c->out_head)
			c->out_tail = NULL;
		chunk_put(k);
	}
}

size_t gw_tls_out_bytes(const struct gw_tls_conn *c)
{
	return c->out_bytes;
}

bool gw_tls_conn_established(const struct gw_tls_conn *c)
{
	return c->established;
}

bool gw_tls_conn_resumed(const struct gw_tls_conn *c)
{
	return c->established && SSL_session_reused(c->ssl);
}

const char *gw_tls_conn_alpn(const struct gw_tls_conn *c, size_t *len)
{
	const unsigned char *p = NULL;
	unsigned n = 0;

	SSL_get0_alpn_selected(c->ssl, &p, &n);
	if (!p || !n)
		return NULL;
	*len = n;
	return (const char *)p;
}

enum gw_tls_proto gw_tls_conn_proto(const struct gw_tls_conn *c)
{
	size_t n = 0;
	const char *p = gw_tls_conn_alpn(c, &n);

	if (!p)
		return GW_TLS_PROTO_NONE;
	if (n == 2 && !memcmp(p, "h2", 2))
		return GW_TLS_PROTO_H2;
	if (n == 8 && !memcmp(p, "http/1.1", 8))
		return GW_TLS_PROTO_HTTP1;
	return GW_TLS_PROTO_OTHER;
}

const char *gw_tls_conn_sni(const struct gw_tls_conn *c)
{
	return c->has_sni ? c->sni : NULL;
}

const struct gw_tls_listener_info *gw_tls_conn_listener(const struct gw_tls_conn *c)
{
	return c->lst ? &c->lst->info : NULL;
}

const char *gw_tls_conn_version(const struct gw_tls_conn *c)
{
	return c->established ? SSL_get_version(c->ssl) : NULL;
}

const char *gw_tls_conn_cipher(const struct gw_tls_conn *c)
{
	return c->established ? SSL_get_cipher_name(c->ssl) : NULL;
}

const char *gw_tls_conn_err(const struct gw_tls_conn *c)
{
	return c->err;
}

const char *gw_tls_conn_errmsg(const struct gw_tls_conn *c)
{
	return c->errmsg;
}
