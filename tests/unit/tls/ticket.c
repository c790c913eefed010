// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Session resumption by ticket (user/tls/ticket.c): TLS 1.2 and 1.3, after
 * one rotation (the previous key still decrypts and the ticket is renewed)
 * and after two (full handshake), across a reload, never across listeners,
 * not at all when tickets are off; and the key ring's lock-free readers
 * against a rotating writer.
 */
#include <pthread.h>

#include "tls/tlstest.h"
#include "user/tls/ticket.c"

static struct tt_cert cert_a, cert_b;

static int setup(void **s)
{
	(void)s;
	cert_a = tt_cert_new("EC", "a", "DNS:a.test", NULL);
	cert_b = tt_cert_new("EC", "b", "DNS:b.test", NULL);
	return 0;
}

static int teardown(void **s)
{
	(void)s;
	tt_cert_free(&cert_a);
	tt_cert_free(&cert_b);
	return 0;
}

#define TWO_LISTENERS(extra_b)                                                               \
	TT_GW("  - {name: a, protocol: HTTPS, port: 443, hostname: a.test, tls: "              \
	      "{certificateRefs: [{name: a}]}}\n"                                              \
	      "  - {name: b, protocol: HTTPS, port: 443, hostname: b.test, tls: "              \
	      "{certificateRefs: [{name: b}]" extra_b "}}\n")

static const char *yaml(const char *gw)
{
	return fx_printf("%s%s%s", tt_secret("a", &cert_a), tt_secret("b", &cert_b), gw);
}

/*
 * One handshake offering sess (NULL: none); returns whether the server
 * resumed, and in *out the session the client ends up with (a new ticket).
 */
static bool connect(struct gw_tls_ctx *x, const char *sni, int max, SSL_SESSION *sess,
		    SSL_SESSION **out)
{
	SSL_CTX *cctx = tt_ossl_ctx();
	struct tt_peer srv, cli;
	bool resumed;

	SSL_CTX_set_max_proto_version(cctx, max);
	tt_peer_engine(&srv, x);
	tt_peer_ossl(&cli, cctx, sni);
	if (sess)
		assert_int_equal(SSL_set_session(cli.ssl, sess), 1);
	tt_run(&cli, &srv);
	if (!tt_established(&srv) || !tt_established(&cli))
		fail_msg("%s: %s", sni, gw_tls_conn_errmsg(srv.g));
	resumed = gw_tls_conn_resumed(srv.g);
	assert_int_equal(resumed, SSL_session_reused(cli.ssl));
	if (out) {
		*out = SSL_get1_session(cli.ssl);
		assert_non_null(*out);
	}
	/* OpenSSL marks the session of an SSL freed without close_notify not resumable */
	tt_shutdown(&cli);
	tt_peer_free(&cli);
	tt_peer_free(&srv);
	SSL_CTX_free(cctx);
	return resumed;
}

static bool has_ticket(const SSL_SESSION *sess)
{
	return SSL_SESSION_has_ticket(sess) == 1;
}

static void resume(int max)
{
	struct gw_tls_tickets *t = gw_tls_tickets_new(3600);
	struct gw_config *cfg;
	struct gw_tls_ctx *x = tt_server(&cfg, yaml(TWO_LISTENERS("")), t, GW_TLS_ALPN_HTTP1);
	SSL_SESSION *s1, *s2, *s3, *s4;

	assert_false(connect(x, "a.test", max, NULL, &s1));
	assert_true(has_ticket(s1));
	assert_true(SSL_SESSION_is_resumable(s1));
	assert_int_equal(SSL_SESSION_get_ticket_lifetime_hint(s1), 3600);
	assert_true(connect(x, "a.test", max, s1, &s2));
	/* TLS 1.3 clients use a ticket once: a resumption hands out a fresh one */
	assert_true(has_ticket(s2));
	assert_true(connect(x, "a.test", max, s2, NULL));
	/* one rotation: the previous key still decrypts, and the session gets a new ticket */
	assert_int_equal(gw_tls_tickets_rotate(t), 0);
	assert_true(connect(x, "a.test", max, s1, &s3));
	assert_true(has_ticket(s3));
	/* two rotations: the key is gone, a full handshake; the renewed ticket still works */
	assert_int_equal(gw_tls_tickets_rotate(t), 0);
	assert_false(connect(x, "a.test", max, s1, NULL));
	assert_true(connect(x, "a.test", max, s3, &s4));
	/* a session of listener a never resumes on listener b */
	assert_false(connect(x, "b.test", max, s4, NULL));
	SSL_SESSION_free(s1);
	SSL_SESSION_free(s2);
	SSL_SESSION_free(s3);
	SSL_SESSION_free(s4);
	gw_tls_ctx_put(x);
	gw_tls_tickets_put(t);
	fx_free(cfg);
}

static void test_resume_tls13(void **s)
{
	(void)s;
	resume(TLS1_3_VERSION);
}

static void test_resume_tls12(void **s)
{
	(void)s;
	resume(TLS1_2_VERSION);
}

/* Ticket keys outlive contexts: sessions resume on the context of a new config. */
static void test_resume_across_reload(void **s)
{
	struct gw_tls_tickets *t = gw_tls_tickets_new(600);
	struct gw_config *cfg1, *cfg2;
	struct gw_tls_ctx *x1 = tt_server(&cfg1, yaml(TWO_LISTENERS("")), t, GW_TLS_ALPN_HTTP1);
	struct gw_tls_ctx *x2;
	SSL_SESSION *sess;

	(void)s;
	assert_false(connect(x1, "a.test", TLS1_3_VERSION, NULL, &sess));
	gw_tls_ctx_put(x1);
	fx_free(cfg1);
	x2 = tt_server(&cfg2, yaml(TWO_LISTENERS(", options: {xdpgw.io/min-version: '1.3'}")), t,
		       GW_TLS_ALPN_HTTP1);
	assert_true(connect(x2, "a.test", TLS1_3_VERSION, sess, NULL));
	SSL_SESSION_free(sess);
	gw_tls_ctx_put(x2);
	gw_tls_tickets_put(t);
	fx_free(cfg2);
}

static void test_no_tickets(void **s)
{
	struct gw_tls_tickets *t = gw_tls_tickets_new(600);
	struct gw_config *cfg;
	struct gw_tls_ctx *x;
	SSL_SESSION *sess;

	(void)s;
	/* no key ring: no tickets at all */
	x = tt_server(&cfg, yaml(TWO_LISTENERS("")), NULL, GW_TLS_ALPN_HTTP1);
	for (int max = TLS1_2_VERSION; max <= TLS1_3_VERSION; max++) {
		assert_false(connect(x, "a.test", max, NULL, &sess));
		assert_false(has_ticket(sess));
		assert_false(connect(x, "a.test", max, sess, NULL));
		SSL_SESSION_free(sess);
	}
	gw_tls_ctx_put(x);
	fx_free(cfg);
	/* xdpgw.io/session-tickets: "false" on listener b only */
	x = tt_server(&cfg, yaml(TWO_LISTENERS(", options: {xdpgw.io/session-tickets: 'false'}")),
		      t, GW_TLS_ALPN_HTTP1);
	for (int max = TLS1_2_VERSION; max <= TLS1_3_VERSION; max++) {
		assert_false(connect(x, "b.test", max, NULL, &sess));
		assert_false(has_ticket(sess));
		SSL_SESSION_free(sess);
		assert_false(connect(x, "a.test", max, NULL, &sess));
		assert_true(has_ticket(sess));
		SSL_SESSION_free(sess);
	}
	gw_tls_ctx_put(x);
	gw_tls_tickets_put(t);
	fx_free(cfg);
}

static void test_tickets_api(void **s)
{
	struct gw_tls_tickets *t = gw_tls_tickets_new(42);
	struct tkey c1, p1, c2, p2;

	(void)s;
	assert_null(gw_tls_tickets_new(0));
	assert_int_equal(errno, EINVAL);
	assert_non_null(t);
	assert_int_equal(gw_tls_tickets_period(t), 42);
	assert_false(snapshot(t, &c1, &p1));
	assert_int_equal(gw_tls_tickets_rotate(t), 0);
	assert_true(snapshot(t, &c2, &p2));
	assert_memory_equal(&p2, &c1, sizeof(c1));
	assert_memory_not_equal(&c2, &c1, sizeof(c1));
	assert_ptr_equal(gw_tls_tickets_ref(t), t);
	assert_int_equal(atomic_load(&t->refs), 2);
	gw_tls_tickets_put(t);
	gw_tls_tickets_put(t);
	gw_tls_tickets_put(NULL);
}

/*
 * The seqlock: a writer stores keys whose bytes are all one value, readers
 * must never see a key mixing two of them, or a ring where the previous
 * key is not the one before the current key.
 */
struct race {
	struct gw_tls_tickets *t;
	atomic_bool stop;
	atomic_long torn;
	atomic_long reads;
};

static void fill(struct tkey *k, uint8_t v)
{
	memset(k, v, sizeof(*k));
}

static void *reader(void *arg)
{
	struct race *r = arg;
	struct tkey cur, prev;

	while (!atomic_load(&r->stop)) {
		bool hp = snapshot(r->t, &cur, &prev);
		const uint8_t *c = (const uint8_t *)&cur, *p = (const uint8_t *)&prev;

		for (size_t i = 1; i < sizeof(cur); i++)
			if (c[i] != c[0] || p[i] != p[0])
				atomic_fetch_add(&r->torn, 1);
		if (hp && (uint8_t)(p[0] + 1) != c[0])
			atomic_fetch_add(&r->torn, 1);
		atomic_fetch_add(&r->reads, 1);
	}
	return NULL;
}

static void test_seqlock_race(void **s)
{
	struct race r = { .t = gw_tls_tickets_new(1) };
	pthread_t th[3];
	struct tkey k;

	(void)s;
	fill(&k, 0);
	store_key(r.t->cur, &k);
	for (int i = 0; i < 3; i++)
		assert_int_equal(pthread_create(&th[i], NULL, reader, &r), 0);
	/* what gw_tls_tickets_rotate does, with recognisable keys */
	for (unsigned v = 1; v < 200000 || atomic_load(&r.reads) < 1000; v++) {
		struct tkey cur, prev;
		unsigned sq;

		pthread_mutex_lock(&r.t->wlock);
		snapshot(r.t, &cur, &prev);
		fill(&k, (uint8_t)v);
		sq = atomic_load_explicit(&r.t->seq, memory_order_relaxed);
		atomic_store_explicit(&r.t->seq, sq + 1, memory_order_relaxed);
		atomic_thread_fence(memory_order_release);
		store_key(r.t->prev, &cur);
		store_key(r.t->cur, &k);
		atomic_store_explicit(&r.t->have_prev, 1, memory_order_relaxed);
		atomic_store_explicit(&r.t->seq, sq + 2, memory_order_release);
		pthread_mutex_unlock(&r.t->wlock);
	}
	atomic_store(&r.stop, true);
	for (int i = 0; i < 3; i++)
		pthread_join(th[i], NULL);
	assert_int_equal(atomic_load(&r.torn), 0);
	assert_true(atomic_load(&r.reads) >= 1000);
	gw_tls_tickets_put(r.t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_resume_tls13),
		cmocka_unit_test(test_resume_tls12),
		cmocka_unit_test(test_resume_across_reload),
		cmocka_unit_test(test_no_tickets),
		cmocka_unit_test(test_tickets_api),
		cmocka_unit_test(test_seqlock_race),
	};

	return cmocka_run_group_tests_name("tls/ticket", tests, setup, teardown);
}
