// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The store contract (loader/store/store.h), the same for every backend:
 * compare-and-swap and revisions as etcd has them, atomic commits, list
 * order, reopen, watch from a revision, and a random sequence against a
 * model. Runs on the local store in a temporary directory, or on etcd when
 * GW_STORE_ETCD=http://HOST:PORT is set (tests/netns/test-store-etcd.sh
 * starts a real etcd and runs this binary against it). Revisions are
 * checked relative to the store's revision when a test starts, since etcd's
 * count is shared by every key.
 */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "loader/store/store.h"

static char dir[64], prefix[64];
static int64_t r0;	/* revision when the test opened its store */

static int setup(void **s)
{
	static int n;

	(void)s;
	snprintf(dir, sizeof(dir), "/tmp/gw-store-contract.XXXXXX");
	assert_non_null(mkdtemp(dir));
	snprintf(prefix, sizeof(prefix), "/gwtest-%d-%d/", (int)getpid(), n++);
	return 0;
}

static int teardown(void **s)
{
	char cmd[128];

	(void)s;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	return system(cmd) ? -1 : 0;
}

static struct gw_store *open_store(void)
{
	const char *ep = getenv("GW_STORE_ETCD");
	char err[256];
	struct gw_store *st = ep ? gw_store_open_etcd(ep, prefix, err, sizeof(err))
				 : gw_store_open_local(dir, err, sizeof(err));

	if (!st)
		fail_msg("open %s: %s (%s)", ep ? ep : dir, err, strerror(errno));
	return st;
}

static struct gw_store *start(void)
{
	struct gw_store *st = open_store();

	r0 = gw_store_revision(st);
	return st;
}

static void put_ok(struct gw_store *st, const char *k, const char *v, int64_t expect,
		   int64_t want_rev)
{
	int64_t rev = -1;

	assert_int_equal(gw_store_put(st, k, v, strlen(v), expect, &rev), 0);
	assert_int_equal(rev, want_rev);
}

static void assert_val(struct gw_store *st, const char *k, const char *v)
{
	struct gw_kv kv;

	assert_int_equal(gw_store_get(st, k, &kv), 0);
	assert_int_equal(kv.len, strlen(v));
	assert_memory_equal(kv.val, v, kv.len);
}

static void test_cas_and_revisions(void **s)
{
	struct gw_store *st = start();
	struct gw_kv kv;
	int64_t rev;

	(void)s;
	put_ok(st, "gw/a", "1", GW_STORE_ABSENT, r0 + 1);
	/* create-only again: the key exists now */
	assert_int_equal(gw_store_put(st, "gw/a", "x", 1, GW_STORE_ABSENT, &rev), -ECANCELED);
	/* a stale mod_rev is refused, the current one swaps */
	put_ok(st, "gw/b", "2", GW_STORE_ANY, r0 + 2);
	assert_int_equal(gw_store_put(st, "gw/a", "x", 1, r0 + 2, &rev), -ECANCELED);
	put_ok(st, "gw/a", "3", r0 + 1, r0 + 3);
	assert_int_equal(gw_store_get(st, "gw/a", &kv), 0);
	assert_int_equal(kv.create_rev, r0 + 1);
	assert_int_equal(kv.mod_rev, r0 + 3);
	assert_val(st, "gw/a", "3");
	/* delete: compare, then gone */
	assert_int_equal(gw_store_delete(st, "gw/a", r0 + 1, &rev), -ECANCELED);
	assert_int_equal(gw_store_delete(st, "gw/a", r0 + 3, &rev), 0);
	assert_int_equal(rev, r0 + 4);
	assert_int_equal(gw_store_get(st, "gw/a", &kv), -ENOENT);
	assert_int_equal(gw_store_delete(st, "gw/a", GW_STORE_ANY, &rev), -ENOENT);
	/* recreated: a new create_rev */
	put_ok(st, "gw/a", "5", GW_STORE_ABSENT, r0 + 5);
	assert_int_equal(gw_store_get(st, "gw/a", &kv), 0);
	assert_int_equal(kv.create_rev, r0 + 5);
	/* failed commits did not take a revision */
	assert_int_equal(gw_store_revision(st), r0 + 5);
	gw_store_close(st);
}

static void test_commit_is_atomic(void **s)
{
	struct gw_store *st = start();
	struct gw_store_op ops[3] = {
		{ .type = GW_STORE_PUT, .key = "k1", .val = "a", .len = 1, .expect_rev = GW_STORE_ANY },
		{ .type = GW_STORE_PUT, .key = "k2", .val = "b", .len = 1, .expect_rev = GW_STORE_ANY },
		{ .type = GW_STORE_PUT, .key = "k3", .val = "c", .len = 1, .expect_rev = 7 },
	};
	struct gw_kv kv;
	int64_t rev;

	(void)s;
	/* one compare fails: nothing of the commit applies */
	assert_int_equal(gw_store_commit(st, ops, 3, &rev), -ECANCELED);
	assert_int_equal(gw_store_get(st, "k1", &kv), -ENOENT);
	assert_int_equal(gw_store_revision(st), r0);
	/* all hold: one revision for all three */
	ops[2].expect_rev = GW_STORE_ABSENT;
	assert_int_equal(gw_store_commit(st, ops, 3, &rev), 0);
	assert_int_equal(rev, r0 + 1);
	assert_int_equal(gw_store_get(st, "k3", &kv), 0);
	assert_int_equal(kv.mod_rev, r0 + 1);
	/* a delete of a missing key fails the commit as -ENOENT */
	ops[0] = (struct gw_store_op){ .type = GW_STORE_DELETE, .key = "nope",
				       .expect_rev = GW_STORE_ANY };
	assert_int_equal(gw_store_commit(st, ops, 1, &rev), -ENOENT);
	/* the same key twice in one commit is a caller error */
	ops[0].type = GW_STORE_PUT;
	ops[0].key = ops[1].key = "k1";
	assert_int_equal(gw_store_commit(st, ops, 2, &rev), -EINVAL);
	assert_int_equal(gw_store_commit(st, ops, 0, &rev), -EINVAL);
	gw_store_close(st);
}

struct collect {
	char buf[4096];
	size_t len;
	int n;
};

/* "key=value@mod_rev-r0 " per key */
static int list_cb(void *arg, const struct gw_kv *kv)
{
	struct collect *c = arg;

	c->len += (size_t)snprintf(c->buf + c->len, sizeof(c->buf) - c->len, "%s=%.*s@%lld ",
				   kv->key, (int)kv->len, (const char *)kv->val,
				   (long long)(kv->mod_rev - r0));
	c->n++;
	return 0;
}

static void test_list_prefix_in_key_order(void **s)
{
	struct gw_store *st = start();
	struct collect c = { 0 };
	int64_t rev;

	(void)s;
	put_ok(st, "b/2", "y", GW_STORE_ANY, r0 + 1);
	put_ok(st, "a/1", "x", GW_STORE_ANY, r0 + 2);
	put_ok(st, "b/1", "z", GW_STORE_ANY, r0 + 3);
	put_ok(st, "b", "top", GW_STORE_ANY, r0 + 4);
	put_ok(st, "c", "w", GW_STORE_ANY, r0 + 5);
	assert_int_equal(gw_store_list(st, "b/", list_cb, &c, &rev), 0);
	assert_string_equal(c.buf, "b/1=z@3 b/2=y@1 ");
	assert_int_equal(rev, r0 + 5);
	c = (struct collect){ 0 };
	assert_int_equal(gw_store_list(st, "", list_cb, &c, NULL), 0);
	assert_int_equal(c.n, 5);
	assert_string_equal(c.buf, "a/1=x@2 b=top@4 b/1=z@3 b/2=y@1 c=w@5 ");
	gw_store_close(st);
}

static void test_reopen_keeps_everything(void **s)
{
	struct gw_store *st = start();
	struct collect a = { 0 }, b = { 0 };
	struct gw_kv kv;
	int64_t rev;

	(void)s;
	for (int i = 0; i < 50; i++) {
		char k[16], v[16];

		snprintf(k, sizeof(k), "k/%02d", i % 17);
		snprintf(v, sizeof(v), "v%d", i);
		assert_int_equal(gw_store_put(st, k, v, strlen(v), GW_STORE_ANY, &rev), 0);
		if (i % 7 == 6)
			assert_int_equal(gw_store_delete(st, k, GW_STORE_ANY, &rev), 0);
	}
	gw_store_list(st, "", list_cb, &a, NULL);
	rev = gw_store_revision(st);
	gw_store_close(st);
	st = open_store();
	gw_store_list(st, "", list_cb, &b, NULL);
	assert_string_equal(a.buf, b.buf);
	assert_int_equal(gw_store_revision(st), rev);
	/* k/01: first written at i = 1 (the second revision), never deleted */
	assert_int_equal(gw_store_get(st, "k/01", &kv), 0);
	assert_int_equal(kv.create_rev, r0 + 2);
	gw_store_close(st);
}

struct events {
	char buf[4096];
	size_t len;
	struct gw_store *st;
	struct gw_store_watch *self;
	int n;
};

static void watch_cb(void *arg, const struct gw_store_event *ev)
{
	struct events *e = arg;

	e->len += (size_t)snprintf(e->buf + e->len, sizeof(e->buf) - e->len, "%s %s@%lld ",
				   ev->type == GW_STORE_PUT ? "put" : "del", ev->kv.key,
				   (long long)(ev->rev - r0));
	e->n++;
}

static void unwatch_cb(void *arg, const struct gw_store_event *ev)
{
	struct events *e = arg;

	watch_cb(arg, ev);
	gw_store_unwatch(e->st, e->self);	/* unwatching itself from its callback */
}

/* Dispatches until every e[i] has seen want[i] events (2 s at most). */
static void wait_for(struct gw_store *st, struct events **e, const int *want, int n)
{
	for (int tries = 0; tries < 40; tries++) {
		bool done = true;

		for (int i = 0; i < n; i++)
			done &= e[i]->n >= want[i];
		if (done)
			break;
		assert_true(gw_store_dispatch(st, 50) >= 0);
	}
	/* and nothing more than that arrives */
	assert_true(gw_store_dispatch(st, 100) >= 0);
}

static void test_watch_from_revision(void **s)
{
	struct gw_store *st = start();
	struct events all = { 0 }, now = { 0 }, once = { 0 };
	struct events *ev[] = { &all, &now, &once };
	struct gw_store_watch *w1, *w2;
	int64_t rev;

	(void)s;
	put_ok(st, "r/a", "1", GW_STORE_ANY, r0 + 1);
	put_ok(st, "x/b", "2", GW_STORE_ANY, r0 + 2);
	put_ok(st, "r/c", "3", GW_STORE_ANY, r0 + 3);
	/* from revision r0+1: the changes after it under r/, then live ones */
	assert_int_equal(gw_store_watch(st, "r/", r0 + 1, watch_cb, &all, &w1), 0);
	wait_for(st, ev, (const int[]){ 1, 0, 0 }, 3);
	assert_string_equal(all.buf, "put r/c@3 ");
	assert_int_equal(gw_store_watch(st, "r/", 0, watch_cb, &now, &w2), 0);
	once.st = st;
	assert_int_equal(gw_store_watch(st, "", 0, unwatch_cb, &once, &once.self), 0);
	wait_for(st, ev, (const int[]){ 1, 0, 0 }, 3);
	assert_int_equal(now.n, 0);	/* 0: from now on */
	assert_int_equal(gw_store_delete(st, "r/a", GW_STORE_ANY, &rev), 0);
	wait_for(st, ev, (const int[]){ 2, 1, 1 }, 3);
	put_ok(st, "x/d", "4", GW_STORE_ANY, r0 + 5);
	put_ok(st, "r/e", "5", GW_STORE_ANY, r0 + 6);
	wait_for(st, ev, (const int[]){ 3, 2, 1 }, 3);
	assert_string_equal(all.buf, "put r/c@3 del r/a@4 put r/e@6 ");
	assert_string_equal(now.buf, "del r/a@4 put r/e@6 ");
	assert_string_equal(once.buf, "del r/a@4 ");
	gw_store_unwatch(st, w1);
	put_ok(st, "r/f", "6", GW_STORE_ANY, r0 + 7);
	wait_for(st, ev, (const int[]){ 3, 3, 1 }, 3);
	assert_int_equal(all.n, 3);
	assert_int_equal(now.n, 3);
	gw_store_unwatch(st, w2);
	gw_store_close(st);
}

/* A random sequence of operations against a plain model, through reopens. */
static void test_random_against_model(void **s)
{
	enum { NKEYS = 24 };
	char vals[NKEYS][16];
	int64_t mods[NKEYS] = { 0 };
	int steps = getenv("GW_STORE_ETCD") ? 600 : 3000;
	struct gw_store *st;
	unsigned seed = 12345;

	(void)s;
	setenv("GW_STORE_WAL_LIMIT", "2048", 1);	/* the local store snapshots along the way */
	st = start();
	for (int step = 0; step < steps; step++) {
		int k = (int)(rand_r(&seed) % NKEYS), r = (int)(rand_r(&seed) % 10);
		char key[16], val[16];
		int64_t rev, expect;

		snprintf(key, sizeof(key), "m/%02d", k);
		snprintf(val, sizeof(val), "%d", step);
		expect = r < 3 ? (mods[k] ? mods[k] : GW_STORE_ABSENT) : r < 4 ? r0 + step + 100000
							      : GW_STORE_ANY;
		if (r < 8) {
			int rc = gw_store_put(st, key, val, strlen(val), expect, &rev);

			if (expect != GW_STORE_ANY && expect != (mods[k] ? mods[k] : GW_STORE_ABSENT)) {
				assert_int_equal(rc, -ECANCELED);
			} else {
				assert_int_equal(rc, 0);
				mods[k] = rev;
				strcpy(vals[k], val);
			}
		} else {
			int rc = gw_store_delete(st, key, GW_STORE_ANY, &rev);

			assert_int_equal(rc, mods[k] ? 0 : -ENOENT);
			mods[k] = 0;
		}
		if (step % 500 == 499) {
			gw_store_close(st);
			st = open_store();
		}
		for (int i = 0; i < NKEYS && (step % 50 == 0 || i == k); i++) {
			struct gw_kv kv;

			snprintf(key, sizeof(key), "m/%02d", i);
			if (!mods[i]) {
				assert_int_equal(gw_store_get(st, key, &kv), -ENOENT);
				continue;
			}
			assert_int_equal(gw_store_get(st, key, &kv), 0);
			assert_int_equal(kv.mod_rev, mods[i]);
			assert_int_equal(kv.len, strlen(vals[i]));
			assert_memory_equal(kv.val, vals[i], kv.len);
		}
	}
	unsetenv("GW_STORE_WAL_LIMIT");
	gw_store_close(st);
}

/*
 * GW_STORE_RESTART=before|after (with GW_STORE_ETCD): the halves of
 * tests/netns/test-store-etcd.sh's restart test, around an etcd restart.
 * before: ten CAS creates; after: they are all there with their revisions,
 * and a watch from the sixth replays exactly the four after it.
 */
static int restart_phase(const char *phase)
{
	struct events e = { 0 };
	struct gw_store_watch *w;
	struct gw_store *st;
	int64_t revs[10], rev;
	char key[16];

	snprintf(prefix, sizeof(prefix), "/gwtest-restart/");
	st = open_store();
	for (int i = 0; i < 10; i++) {
		struct gw_kv kv;

		snprintf(key, sizeof(key), "k%d", i);
		if (!strcmp(phase, "before")) {
			if (gw_store_put(st, key, key, strlen(key), GW_STORE_ABSENT, &revs[i]))
				return printf("put %s failed\n", key), 1;
			continue;
		}
		if (gw_store_get(st, key, &kv) || kv.len != strlen(key) || memcmp(kv.val, key, kv.len))
			return printf("%s lost across the restart\n", key), 1;
		revs[i] = kv.mod_rev;
		if (i && revs[i] != revs[i - 1] + 1)
			return printf("%s: revision %lld after %lld\n", key, (long long)revs[i],
				      (long long)revs[i - 1]), 1;
	}
	if (!strcmp(phase, "after")) {
		r0 = revs[5];
		if (gw_store_watch(st, "", revs[5], watch_cb, &e, &w))
			return printf("watch from %lld failed\n", (long long)revs[5]), 1;
		for (int i = 0; i < 40 && e.n < 4; i++)
			gw_store_dispatch(st, 50);
		gw_store_dispatch(st, 100);
		if (strcmp(e.buf, "put k6@1 put k7@2 put k8@3 put k9@4 "))
			return printf("replayed after the restart: '%s'\n", e.buf), 1;
		gw_store_unwatch(st, w);
	}
	rev = gw_store_revision(st);
	printf("%s: 10 keys, revisions %lld..%lld, store at %lld\n", phase, (long long)revs[0],
	       (long long)revs[9], (long long)rev);
	gw_store_close(st);
	return 0;
}

int main(void)
{
	if (getenv("GW_STORE_RESTART"))
		return restart_phase(getenv("GW_STORE_RESTART"));

	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_cas_and_revisions, setup, teardown),
		cmocka_unit_test_setup_teardown(test_commit_is_atomic, setup, teardown),
		cmocka_unit_test_setup_teardown(test_list_prefix_in_key_order, setup, teardown),
		cmocka_unit_test_setup_teardown(test_reopen_keeps_everything, setup, teardown),
		cmocka_unit_test_setup_teardown(test_watch_from_revision, setup, teardown),
		cmocka_unit_test_setup_teardown(test_random_against_model, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
