// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Connections (user/tls/conn.c): the data path over memory buffers. Large
 * transfers fed in pieces of every small size, output chunks that do not
 * move while a send is in flight, close_notify both ways, truncation,
 * corrupted records, KeyUpdate answered from a read, callbacks (and a
 * callback that frees its connection), and the API's edge cases.
 */
#include "tls/tlstest.h"
#include "user/tls/conn.c"

static struct tt_cert cert;
static struct gw_config *cfg;
static struct gw_tls_ctx *ctx;

static int setup(void **s)
{
	(void)s;
	cert = tt_cert_new("EC", "d", "DNS:d.test", NULL);
	ctx = tt_server(&cfg,
			fx_printf("%s" TT_GW("  - {name: d, protocol: HTTPS, port: 443, tls: "
					     "{certificateRefs: [{name: d}]}}\n"),
				  tt_secret("d", &cert)),
			NULL, GW_TLS_ALPN_HTTP1);
	return 0;
}

static int teardown(void **s)
{
	(void)s;
	gw_tls_ctx_put(ctx);
	fx_free(cfg);
	tt_cert_free(&cert);
	gw_tls_thread_cleanup();
	return 0;
}

/* An established pair: engine server, OpenSSL client (max version given). */
static void pair(struct tt_peer *srv, struct tt_peer *cli, SSL_CTX **cctx, int max)
{
	*cctx = tt_ossl_ctx();
	SSL_CTX_set_max_proto_version(*cctx, max);
	tt_peer_engine(srv, ctx);
	tt_peer_ossl(cli, *cctx, "d.test");
	tt_run(cli, srv);
	if (!tt_established(srv) || !tt_established(cli))
		fail_msg("handshake: %s", gw_tls_conn_errmsg(srv->g));
}

static void unpair(struct tt_peer *srv, struct tt_peer *cli, SSL_CTX *cctx)
{
	tt_peer_free(cli);
	tt_peer_free(srv);
	SSL_CTX_free(cctx);
}

static uint8_t *pattern(size_t n, unsigned seed)
{
	uint8_t *p = malloc(n);

	assert_non_null(p);
	for (size_t i = 0; i < n; i++)
		p[i] = (uint8_t)((i * 31 + seed) ^ (i >> 8));
	return p;
}

/* Both directions; the engine is fed ciphertext step bytes at a time. */
static void transfer(size_t step, size_t n, int max)
{
	struct tt_peer srv, cli;
	SSL_CTX *cctx;
	uint8_t *up = pattern(n, 1), *down = pattern(n, 2);

	pair(&srv, &cli, &cctx, max);
	srv.step = step;
	for (size_t off = 0; off < n; off += 16384)
		tt_write(&cli, up + off, n - off < 16384 ? n - off : 16384);
	/* one big write: the engine cuts it into records */
	tt_write(&srv, down, n);
	tt_run(&cli, &srv);
	assert_int_equal(srv.nsink, n);
	assert_memory_equal(srv.sink, up, n);
	assert_int_equal(cli.nsink, n);
	assert_memory_equal(cli.sink, down, n);
	assert_int_equal(srv.res, -EAGAIN);
	assert_int_equal(gw_tls_out_bytes(srv.g), 0);
	unpair(&srv, &cli, cctx);
	free(up);
	free(down);
}

static void test_transfer_small_feeds(void **s)
{
	(void)s;
	for (size_t step = 1; step <= 8; step++) {
		transfer(step, 40000 + step * 1000, TLS1_3_VERSION);
		transfer(step, 20000, TLS1_2_VERSION);
	}
}

static void test_transfer_large(void **s)
{
	(void)s;
	transfer(0, 1 << 20, TLS1_3_VERSION);
	transfer(4093, 1 << 20, TLS1_3_VERSION);
	transfer(0, 1 << 20, TLS1_2_VERSION);
}

/* Handshake fed one byte at a time, with the callbacks in order. */
static void test_handshake_byte_by_byte(void **s)
{
	SSL_CTX *cctx = tt_ossl_ctx();
	struct tt_peer srv, cli;

	(void)s;
	tt_peer_engine(&srv, ctx);
	tt_peer_ossl(&cli, cctx, "d.test");
	srv.step = 1;
	tt_run(&cli, &srv);
	assert_true(tt_established(&srv));
	assert_true(tt_established(&cli));
	assert_int_equal(srv.ev.hello, 1);
	assert_int_equal(srv.ev.hs, 1);
	assert_string_equal(srv.ev.sni_at_hello, "d.test");
	assert_string_equal(gw_tls_conn_version(srv.g), "TLSv1.3");
	unpair(&srv, &cli, cctx);
}

/* Chunks do not move: a pointer handed to a send stays valid while more is written. */
static void test_output_does_not_move(void **s)
{
	struct tt_peer srv, cli;
	SSL_CTX *cctx;
	uint8_t *data = pattern(300000, 3), copy[4096];
	const void *p, *p2;
	struct iovec iov[64] = { 0 };
	size_t len, len2, total = 0;
	int n;

	(void)s;
	pair(&srv, &cli, &cctx, TLS1_3_VERSION);
	tt_write(&srv, data, 200000);
	assert_true(gw_tls_pending_out(srv.g, &p, &len));
	assert_true(len <= CHUNK_BYTES);
	memcpy(copy, p, sizeof(copy));
	tt_write(&srv, data + 200000, 100000);
	assert_true(gw_tls_pending_out(srv.g, &p2, &len2));
	assert_ptr_equal(p, p2);
	assert_memory_equal(p, copy, sizeof(copy));
	n = gw_tls_pending_outv(srv.g, iov, 64);
	assert_true(n > 2);
	assert_ptr_equal(iov[0].iov_base, p);
	for (int i = 0; i < n; i++)
		total += iov[i].iov_len;
	assert_int_equal(total, gw_tls_out_bytes(srv.g));
	assert_int_equal(gw_tls_pending_outv(srv.g, iov, 2), 2);
	/* sends complete in odd amounts, across chunk boundaries */
	while (gw_tls_pending_out(srv.g, &p, &len)) {
		size_t k = len < 1237 ? len : 1237;

		tt_give(&cli, p, k);
		gw_tls_consume_out(srv.g, k);
	}
	assert_int_equal(gw_tls_out_bytes(srv.g), 0);
	tt_drive(&cli);
	assert_int_equal(cli.nsink, 300000);
	assert_memory_equal(cli.sink, data, 300000);
	/* an idle connection holds no buffer */
	assert_null(srv.g->out_head);
	tt_drive(&srv);
	assert_null(srv.g->in);
	/* consuming more than pending is clamped */
	tt_write(&srv, "x", 1);
	gw_tls_consume_out(srv.g, 1 << 20);
	assert_int_equal(gw_tls_out_bytes(srv.g), 0);
	assert_false(gw_tls_pending_out(srv.g, &p, &len));
	unpair(&srv, &cli, cctx);
	free(data);
}

static void test_close_notify(void **s)
{
	struct tt_peer srv, cli;
	SSL_CTX *cctx;
	char buf[8];

	(void)s;
	/* the server closes */
	pair(&srv, &cli, &cctx, TLS1_3_VERSION);
	assert_int_equal(gw_tls_shutdown(srv.g), 0);
	assert_int_equal(gw_tls_shutdown(srv.g), 0);	/* once */
	assert_int_equal(gw_tls_write(srv.g, "x", 1), -EPIPE);
	tt_run(&cli, &srv);
	assert_true(cli.closed);
	unpair(&srv, &cli, cctx);

	/* the client closes: read returns 0, and keeps returning 0 */
	pair(&srv, &cli, &cctx, TLS1_3_VERSION);
	tt_write(&cli, "last", 4);
	tt_shutdown(&cli);
	tt_run(&cli, &srv);
	assert_int_equal(srv.nsink, 4);
	assert_true(srv.closed);
	assert_int_equal(srv.res, 0);
	assert_ptr_equal(gw_tls_conn_err(srv.g), gw_tls_error_closed);
	assert_int_equal(gw_tls_read(srv.g, buf, sizeof(buf)), 0);
	/* half-close: the server may still answer, then close */
	tt_write(&srv, "bye", 3);
	assert_int_equal(gw_tls_shutdown(srv.g), 0);
	tt_run(&cli, &srv);
	assert_int_equal(cli.nsink, 3);
	assert_memory_equal(cli.sink, "bye", 3);
	assert_true(cli.closed);
	unpair(&srv, &cli, cctx);
}

static void test_truncation(void **s)
{
	struct tt_peer srv, cli;
	SSL_CTX *cctx;
	char buf[8];

	(void)s;
	pair(&srv, &cli, &cctx, TLS1_2_VERSION);
	gw_tls_feed_eof(srv.g);
	assert_int_equal(gw_tls_read(srv.g, buf, sizeof(buf)), -ECONNRESET);
	assert_ptr_equal(gw_tls_conn_err(srv.g), gw_tls_error_eof);
	assert_string_equal(gw_tls_conn_errmsg(srv.g), gw_tls_error_eof);
	assert_int_equal(gw_tls_read(srv.g, buf, sizeof(buf)), -ECONNRESET);
	unpair(&srv, &cli, cctx);

	/* in the middle of the handshake: the handshake fails with the same reason */
	tt_peer_engine(&srv, ctx);
	assert_int_equal(gw_tls_feed_in(srv.g, "\x16\x03\x01\x00\x10\x01", 6), 0);
	gw_tls_feed_eof(srv.g);
	assert_int_equal(gw_tls_read(srv.g, buf, sizeof(buf)), -ECONNRESET);
	assert_int_equal(srv.ev.hs, 1);
	assert_ptr_equal(srv.ev.err, gw_tls_error_eof);
	tt_peer_free(&srv);
}

static void test_corrupted_record(void **s)
{
	struct tt_peer srv, cli;
	SSL_CTX *cctx;
	uint8_t rec[256];
	char buf[64];
	int n;

	(void)s;
	for (int max = TLS1_2_VERSION; max <= TLS1_3_VERSION; max++) {
		pair(&srv, &cli, &cctx, max);
		tt_write(&cli, "hello, world", 12);
		n = BIO_read(cli.wb, rec, sizeof(rec));
		assert_true(n > 20);
		rec[n - 3] ^= 0x40;
		assert_int_equal(gw_tls_feed_in(srv.g, rec, (size_t)n), 0);
		assert_int_equal(gw_tls_read(srv.g, buf, sizeof(buf)), -EPROTO);
		assert_ptr_equal(gw_tls_conn_err(srv.g), gw_tls_error_protocol);
		assert_non_null(strstr(gw_tls_conn_errmsg(srv.g), "TLS protocol error: "));
		assert_non_null(strstr(gw_tls_conn_errmsg(srv.g), "bad record mac"));
		/* the engine told the client why */
		assert_true(gw_tls_out_bytes(srv.g) > 0);
		assert_int_equal(srv.ev.hs, 1);	/* the handshake was reported once, fine */
		assert_null(srv.ev.err);
		unpair(&srv, &cli, cctx);
	}
}

/* A TLS 1.3 KeyUpdate: the engine answers with its own on its next write. */
static void test_key_update(void **s)
{
	struct tt_peer srv, cli;
	SSL_CTX *cctx;

	(void)s;
	pair(&srv, &cli, &cctx, TLS1_3_VERSION);
	assert_int_equal(SSL_key_update(cli.ssl, SSL_KEY_UPDATE_REQUESTED), 1);
	tt_write(&cli, "after update", 12);
	tt_move(&cli, &srv);
	tt_drive(&srv);
	assert_int_equal(srv.nsink, 12);
	assert_int_equal(SSL_get_key_update_type(srv.g->ssl), SSL_KEY_UPDATE_NOT_REQUESTED);
	tt_write(&srv, "answer", 6);
	assert_int_equal(SSL_get_key_update_type(srv.g->ssl), SSL_KEY_UPDATE_NONE);
	tt_run(&cli, &srv);
	assert_int_equal(cli.nsink, 6);
	assert_memory_equal(cli.sink, "answer", 6);
	unpair(&srv, &cli, cctx);
}

struct freeing {
	int calls;
	struct tt_events ev;
};

static void free_on_handshake(struct gw_tls_conn *c, void *user, const char *err)
{
	struct freeing *f = user;

	(void)err;
	f->calls++;
	/* calls back into the connection, then frees it */
	assert_true(gw_tls_conn_established(c));
	assert_int_equal(gw_tls_write(c, "hi", 2), 2);
	gw_tls_conn_free(c);
}

static void test_free_from_callback(void **s)
{
	static const struct gw_tls_conn_cbs cbs = { NULL, free_on_handshake };
	SSL_CTX *cctx = tt_ossl_ctx();
	struct freeing f = { 0 };
	struct gw_tls_conn *c = gw_tls_conn_new(ctx, &cbs, &f);
	struct tt_peer cli;
	uint8_t buf[16384];
	ssize_t r = 0;

	(void)s;
	tt_peer_ossl(&cli, cctx, "d.test");
	for (int i = 0; i < 10 && !f.calls; i++) {
		const void *p;
		size_t len;
		int n;

		tt_drive(&cli);
		while ((n = BIO_read(cli.wb, buf, sizeof(buf))) > 0)
			assert_int_equal(gw_tls_feed_in(c, buf, (size_t)n), 0);
		r = gw_tls_read(c, buf, sizeof(buf));
		if (f.calls)
			break;
		assert_int_equal(r, -EAGAIN);
		while (gw_tls_pending_out(c, &p, &len)) {
			assert_int_equal(BIO_write(cli.rb, p, (int)len), (int)len);
			gw_tls_consume_out(c, len);
		}
	}
	assert_int_equal(f.calls, 1);
	assert_int_equal(r, -ECANCELED);
	tt_peer_free(&cli);
	SSL_CTX_free(cctx);
}

static void test_api_edges(void **s)
{
	struct gw_tls_conn *c = gw_tls_conn_new(ctx, NULL, NULL);
	static uint8_t big[GW_TLS_MAX_INPUT];
	const void *p;
	size_t len;
	char buf[8];

	(void)s;
	assert_non_null(c);
	assert_false(gw_tls_conn_established(c));
	assert_null(gw_tls_conn_version(c));
	assert_null(gw_tls_conn_cipher(c));
	assert_null(gw_tls_conn_listener(c));
	assert_null(gw_tls_conn_sni(c));
	assert_null(gw_tls_conn_err(c));
	assert_string_equal(gw_tls_conn_errmsg(c), "");
	assert_false(gw_tls_conn_resumed(c));
	assert_int_equal(gw_tls_conn_proto(c), GW_TLS_PROTO_NONE);
	assert_int_equal(gw_tls_conn_offer_alpn(c, GW_TLS_ALPN_H2), -EINVAL);	/* server */
	assert_int_equal(gw_tls_write(c, "x", 1), -EAGAIN);
	assert_int_equal(gw_tls_read(c, buf, 0), -EINVAL);
	assert_int_equal(gw_tls_read(c, buf, sizeof(buf)), -EAGAIN);
	assert_int_equal(gw_tls_handshake(c), -EAGAIN);
	assert_false(gw_tls_pending_out(c, &p, &len));
	assert_int_equal(gw_tls_shutdown(c), 0);	/* nothing to close before the handshake */
	assert_int_equal(gw_tls_out_bytes(c), 0);
	assert_int_equal(gw_tls_feed_in(c, buf, 0), 0);
	assert_int_equal(gw_tls_feed_in(c, big, sizeof(big)), 0);
	assert_int_equal(gw_tls_feed_in(c, buf, 1), -ENOBUFS);
	gw_tls_conn_free(c);
	gw_tls_conn_free(NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_transfer_small_feeds),
		cmocka_unit_test(test_transfer_large),
		cmocka_unit_test(test_handshake_byte_by_byte),
		cmocka_unit_test(test_output_does_not_move),
		cmocka_unit_test(test_close_notify),
		cmocka_unit_test(test_truncation),
		cmocka_unit_test(test_corrupted_record),
		cmocka_unit_test(test_key_update),
		cmocka_unit_test(test_free_from_callback),
		cmocka_unit_test(test_api_edges),
	};

	return cmocka_run_group_tests_name("tls/conn", tests, setup, teardown);
}
