// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Unit tests for the node's store (loader/store/local.c): compare-and-swap
 * semantics and revisions as etcd has them, atomic commits, watch from a
 * revision, and crash safety: a log cut at every byte of its last record,
 * damage in the middle, a crash between snapshot and log restart, and a
 * writer killed with SIGKILL at random points, checked against what it had
 * acknowledged.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>

#include "loader/store/store.h"

static char dir[64];

static int setup(void **s)
{
	(void)s;
	snprintf(dir, sizeof(dir), "/tmp/gw-store-test.XXXXXX");
	assert_non_null(mkdtemp(dir));
	unsetenv("GW_STORE_WAL_LIMIT");
	unsetenv("GW_STORE_HISTORY");
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
	char err[256];
	struct gw_store *st = gw_store_open_local(dir, err, sizeof(err));

	if (!st)
		fail_msg("open %s: %s (%s)", dir, err, strerror(errno));
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
	struct gw_store *st = open_store();
	struct gw_kv kv;
	int64_t rev;

	(void)s;
	assert_int_equal(gw_store_revision(st), 0);
	put_ok(st, "/gw/a", "1", GW_STORE_ABSENT, 1);
	/* create-only again: the key exists now */
	assert_int_equal(gw_store_put(st, "/gw/a", "x", 1, GW_STORE_ABSENT, &rev), -ECANCELED);
	/* a stale mod_rev is refused, the current one swaps */
	put_ok(st, "/gw/b", "2", GW_STORE_ANY, 2);
	assert_int_equal(gw_store_put(st, "/gw/a", "x", 1, 2, &rev), -ECANCELED);
	put_ok(st, "/gw/a", "3", 1, 3);
	assert_int_equal(gw_store_get(st, "/gw/a", &kv), 0);
	assert_int_equal(kv.create_rev, 1);
	assert_int_equal(kv.mod_rev, 3);
	assert_val(st, "/gw/a", "3");
	/* delete: compare, then gone */
	assert_int_equal(gw_store_delete(st, "/gw/a", 1, &rev), -ECANCELED);
	assert_int_equal(gw_store_delete(st, "/gw/a", 3, &rev), 0);
	assert_int_equal(rev, 4);
	assert_int_equal(gw_store_get(st, "/gw/a", &kv), -ENOENT);
	assert_int_equal(gw_store_delete(st, "/gw/a", GW_STORE_ANY, &rev), -ENOENT);
	/* recreated: a new create_rev */
	put_ok(st, "/gw/a", "5", GW_STORE_ABSENT, 5);
	assert_int_equal(gw_store_get(st, "/gw/a", &kv), 0);
	assert_int_equal(kv.create_rev, 5);
	/* failed commits did not take a revision */
	assert_int_equal(gw_store_revision(st), 5);
	gw_store_close(st);
}

static void test_commit_is_atomic(void **s)
{
	struct gw_store *st = open_store();
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
	assert_int_equal(gw_store_revision(st), 0);
	/* all hold: one revision for all three */
	ops[2].expect_rev = GW_STORE_ABSENT;
	assert_int_equal(gw_store_commit(st, ops, 3, &rev), 0);
	assert_int_equal(rev, 1);
	assert_int_equal(gw_store_get(st, "k3", &kv), 0);
	assert_int_equal(kv.mod_rev, 1);
	/* the same key twice in one commit is a caller error */
	ops[1].key = "k1";
	assert_int_equal(gw_store_commit(st, ops, 2, &rev), -EINVAL);
	assert_int_equal(gw_store_commit(st, ops, 0, &rev), -EINVAL);
	gw_store_close(st);
}

struct collect {
	char buf[4096];
	size_t len;
	int n;
};

static int list_cb(void *arg, const struct gw_kv *kv)
{
	struct collect *c = arg;

	c->len += (size_t)snprintf(c->buf + c->len, sizeof(c->buf) - c->len, "%s=%.*s@%lld ",
				   kv->key, (int)kv->len, (const char *)kv->val,
				   (long long)kv->mod_rev);
	c->n++;
	return 0;
}

static void test_list_prefix_in_key_order(void **s)
{
	struct gw_store *st = open_store();
	struct collect c = { 0 };
	int64_t rev;

	(void)s;
	put_ok(st, "/b/2", "y", GW_STORE_ANY, 1);
	put_ok(st, "/a/1", "x", GW_STORE_ANY, 2);
	put_ok(st, "/b/1", "z", GW_STORE_ANY, 3);
	put_ok(st, "/b", "top", GW_STORE_ANY, 4);
	put_ok(st, "/c", "w", GW_STORE_ANY, 5);
	assert_int_equal(gw_store_list(st, "/b/", list_cb, &c, &rev), 0);
	assert_string_equal(c.buf, "/b/1=z@3 /b/2=y@1 ");
	assert_int_equal(rev, 5);
	c = (struct collect){ 0 };
	assert_int_equal(gw_store_list(st, "", list_cb, &c, NULL), 0);
	assert_int_equal(c.n, 5);
	assert_string_equal(c.buf, "/a/1=x@2 /b=top@4 /b/1=z@3 /b/2=y@1 /c=w@5 ");
	gw_store_close(st);
}

static void test_reopen_keeps_everything(void **s)
{
	struct gw_store *st = open_store();
	struct collect a = { 0 }, b = { 0 };
	struct gw_kv kv;
	int64_t rev;

	(void)s;
	for (int i = 0; i < 50; i++) {
		char k[16], v[16];

		snprintf(k, sizeof(k), "/k/%02d", i % 17);
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
	/* /k/01: first written at i = 1 (revision 2), never deleted */
	assert_int_equal(gw_store_get(st, "/k/01", &kv), 0);
	assert_int_equal(kv.create_rev, 2);
	gw_store_close(st);
}

static off_t wal_size(void)
{
	char p[128];
	struct stat sb;

	snprintf(p, sizeof(p), "%s/wal", dir);
	assert_int_equal(stat(p, &sb), 0);
	return sb.st_size;
}

static void cut_wal(off_t len)
{
	char p[128];

	snprintf(p, sizeof(p), "%s/wal", dir);
	assert_int_equal(truncate(p, len), 0);
}

/* A crash while the last record was being written: every possible cut. */
static void test_torn_last_record(void **s)
{
	struct gw_store *st = open_store();
	struct collect before = { 0 }, now;
	off_t good, full;
	int64_t rev;

	(void)s;
	put_ok(st, "a", "1", GW_STORE_ANY, 1);
	put_ok(st, "b", "2", GW_STORE_ANY, 2);
	gw_store_list(st, "", list_cb, &before, NULL);
	good = wal_size();
	put_ok(st, "c", "a longer value for the torn record", GW_STORE_ANY, 3);
	full = wal_size();
	gw_store_close(st);
	for (off_t cut = good; cut < full; cut++) {
		cut_wal(cut);
		st = open_store();
		now = (struct collect){ 0 };
		gw_store_list(st, "", list_cb, &now, NULL);
		if (strcmp(now.buf, before.buf))
			fail_msg("cut at %lld of %lld: '%s', want '%s'", (long long)cut,
				 (long long)full, now.buf, before.buf);
		assert_int_equal(gw_store_revision(st), 2);
		/* the torn bytes are gone: the log ends at the last good record */
		assert_int_equal(wal_size(), good);
		gw_store_close(st);
		/* rebuild the full log for the next cut */
		st = open_store();
		assert_int_equal(gw_store_put(st, "c", "a longer value for the torn record", 34,
					      GW_STORE_ANY, &rev), 0);
		assert_int_equal(rev, 3);
		gw_store_close(st);
		assert_int_equal(wal_size(), full);
	}
}

static void test_damage_before_the_end_is_an_error(void **s)
{
	struct gw_store *st = open_store();
	char p[128], err[256];
	int fd;

	(void)s;
	put_ok(st, "a", "1", GW_STORE_ANY, 1);
	put_ok(st, "b", "2", GW_STORE_ANY, 2);
	gw_store_close(st);
	snprintf(p, sizeof(p), "%s/wal", dir);
	fd = open(p, O_WRONLY);
	assert_true(fd >= 0);
	assert_int_equal(pwrite(fd, "X", 1, 20), 1);	/* inside the first record */
	close(fd);
	assert_null(gw_store_open_local(dir, err, sizeof(err)));
	assert_int_equal(errno, EUCLEAN);
	assert_non_null(strstr(err, "damaged record at offset 0"));
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
				   (long long)ev->rev);
	e->n++;
}

static void unwatch_cb(void *arg, const struct gw_store_event *ev)
{
	struct events *e = arg;

	watch_cb(arg, ev);
	gw_store_unwatch(e->st, e->self);	/* unwatching itself from its callback */
}

static void test_watch_from_revision(void **s)
{
	struct gw_store *st = open_store();
	struct events all = { 0 }, now = { 0 }, once = { 0 };
	struct gw_store_watch *w1, *w2;
	int64_t rev;

	(void)s;
	put_ok(st, "/r/a", "1", GW_STORE_ANY, 1);
	put_ok(st, "/x/b", "2", GW_STORE_ANY, 2);
	put_ok(st, "/r/c", "3", GW_STORE_ANY, 3);
	/* from revision 1: the changes after it under /r/, then live ones */
	assert_int_equal(gw_store_watch(st, "/r/", 1, watch_cb, &all, &w1), 0);
	assert_string_equal(all.buf, "put /r/c@3 ");
	assert_int_equal(gw_store_watch(st, "/r/", 0, watch_cb, &now, &w2), 0);
	assert_int_equal(now.n, 0);	/* 0: from now on */
	once.st = st;
	assert_int_equal(gw_store_watch(st, "", 0, unwatch_cb, &once, &once.self), 0);
	assert_int_equal(gw_store_delete(st, "/r/a", GW_STORE_ANY, &rev), 0);
	put_ok(st, "/x/d", "4", GW_STORE_ANY, 5);
	put_ok(st, "/r/e", "5", GW_STORE_ANY, 6);
	assert_string_equal(all.buf, "put /r/c@3 del /r/a@4 put /r/e@6 ");
	assert_string_equal(now.buf, "del /r/a@4 put /r/e@6 ");
	assert_string_equal(once.buf, "del /r/a@4 ");
	gw_store_unwatch(st, w1);
	put_ok(st, "/r/f", "6", GW_STORE_ANY, 7);
	assert_int_equal(all.n, 3);
	assert_int_equal(now.n, 3);
	gw_store_unwatch(st, w2);
	gw_store_close(st);
}

static void test_watch_past_history_is_stale(void **s)
{
	struct gw_store *st;
	struct events e = { 0 };
	struct gw_store_watch *w;

	(void)s;
	setenv("GW_STORE_HISTORY", "2", 1);
	st = open_store();
	for (int i = 1; i <= 5; i++)
		put_ok(st, "k", "v", GW_STORE_ANY, i);
	/* revisions 4 and 5 are kept: watching from 3 works, from 2 does not */
	assert_int_equal(gw_store_watch(st, "", 2, watch_cb, &e, &w), -ESTALE);
	assert_int_equal(gw_store_watch(st, "", 3, watch_cb, &e, &w), 0);
	assert_string_equal(e.buf, "put k@4 put k@5 ");
	gw_store_unwatch(st, w);
	gw_store_close(st);
}

static void test_snapshot_bounds_the_log(void **s)
{
	struct gw_store *st;
	struct collect a = { 0 }, b = { 0 };
	struct events e = { 0 };
	struct gw_store_watch *w;
	char p[128], q[128], cmd[300];

	(void)s;
	st = open_store();
	for (int i = 1; i <= 5; i++) {
		char k[8];

		snprintf(k, sizeof(k), "k%d", i);
		put_ok(st, k, "v", GW_STORE_ANY, i);
	}
	gw_store_close(st);
	snprintf(p, sizeof(p), "%s/wal", dir);
	snprintf(q, sizeof(q), "%s/wal.old", dir);
	snprintf(cmd, sizeof(cmd), "cp '%s' '%s'", p, q);
	assert_int_equal(system(cmd), 0);
	/* every commit over the limit writes a snapshot and starts an empty log */
	setenv("GW_STORE_WAL_LIMIT", "1", 1);
	st = open_store();
	put_ok(st, "k6", "v", GW_STORE_ANY, 6);
	assert_int_equal(wal_size(), 0);
	gw_store_list(st, "", list_cb, &a, NULL);
	gw_store_close(st);
	unsetenv("GW_STORE_WAL_LIMIT");
	/* a crash after the snapshot but before the log restart: the old log's
	 * records are all at or below the snapshot's revision */
	assert_int_equal(rename(q, p), 0);
	st = open_store();
	gw_store_list(st, "", list_cb, &b, NULL);
	assert_string_equal(a.buf, b.buf);
	assert_int_equal(gw_store_revision(st), 6);
	/* history starts at the snapshot */
	assert_int_equal(gw_store_watch(st, "", 5, watch_cb, &e, &w), -ESTALE);
	put_ok(st, "k7", "v", GW_STORE_ANY, 7);
	assert_int_equal(gw_store_watch(st, "", 6, watch_cb, &e, &w), 0);
	assert_string_equal(e.buf, "put k7@7 ");
	gw_store_unwatch(st, w);
	gw_store_close(st);
}

/* A random sequence of operations against a plain model, through reopens. */
static void test_random_against_model(void **s)
{
	enum { NKEYS = 24 };
	char vals[NKEYS][16];
	int64_t mods[NKEYS] = { 0 };
	struct gw_store *st;
	unsigned seed = 12345;

	(void)s;
	setenv("GW_STORE_WAL_LIMIT", "2048", 1);	/* snapshots along the way */
	st = open_store();
	for (int step = 0; step < 3000; step++) {
		int k = (int)(rand_r(&seed) % NKEYS), r = (int)(rand_r(&seed) % 10);
		char key[16], val[16];
		int64_t rev, expect;

		snprintf(key, sizeof(key), "/m/%02d", k);
		snprintf(val, sizeof(val), "%d", step);
		expect = r < 3 ? mods[k] : r < 4 ? mods[k] + 1 : GW_STORE_ANY;
		if (r < 8) {
			int rc = gw_store_put(st, key, val, strlen(val), expect, &rev);

			if (expect != GW_STORE_ANY && expect != mods[k]) {
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
		for (int i = 0; i < NKEYS; i++) {
			struct gw_kv kv;

			snprintf(key, sizeof(key), "/m/%02d", i);
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
	gw_store_close(st);
}

/*
 * A writer killed with SIGKILL at a random moment: everything it reported
 * as committed (after gw_store_put returned) is there, and the store is at
 * most one revision ahead (a commit durable but not yet reported).
 */
static void test_sigkill_keeps_acknowledged(void **s)
{
	(void)s;
	for (int round = 0; round < 8; round++) {
		int pfd[2];
		pid_t pid;
		int64_t acked = 0, got;
		struct gw_store *st;

		assert_int_equal(pipe(pfd), 0);
		pid = fork();
		assert_true(pid >= 0);
		if (!pid) {
			struct gw_store *w;
			char err[256];

			close(pfd[0]);
			setenv("GW_STORE_WAL_LIMIT", "4096", 1);
			w = gw_store_open_local(dir, err, sizeof(err));
			if (!w)
				_exit(2);
			for (;;) {
				char key[16], val[64];
				int64_t rev = gw_store_revision(w) + 1;

				/* key = revision mod 10, value = the revision it was written at */
				snprintf(key, sizeof(key), "/c/%lld", (long long)(rev % 10));
				snprintf(val, sizeof(val), "%lld", (long long)rev);
				if (gw_store_put(w, key, val, strlen(val), GW_STORE_ANY, &rev))
					_exit(3);
				if (write(pfd[1], &rev, sizeof(rev)) != sizeof(rev))
					_exit(4);
			}
		}
		close(pfd[1]);
		usleep(20000 + (useconds_t)(rand() % 80000));
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
		while (read(pfd[0], &got, sizeof(got)) == sizeof(got))
			acked = got;
		close(pfd[0]);
		st = open_store();
		int64_t now = gw_store_revision(st);

		if (now < acked || now > acked + 1)
			fail_msg("round %d: store at revision %lld, writer acknowledged %lld", round,
				 (long long)now, (long long)acked);
		/* the last ten revisions are each in their key, value = revision */
		for (int64_t r = now > 9 ? now - 9 : 1; r <= now; r++) {
			char key[16], want[32];
			struct gw_kv kv;

			snprintf(key, sizeof(key), "/c/%lld", (long long)(r % 10));
			snprintf(want, sizeof(want), "%lld", (long long)r);
			assert_int_equal(gw_store_get(st, key, &kv), 0);
			assert_int_equal(kv.mod_rev, r);
			assert_int_equal(kv.len, strlen(want));
			assert_memory_equal(kv.val, want, kv.len);
		}
		gw_store_close(st);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_cas_and_revisions, setup, teardown),
		cmocka_unit_test_setup_teardown(test_commit_is_atomic, setup, teardown),
		cmocka_unit_test_setup_teardown(test_list_prefix_in_key_order, setup, teardown),
		cmocka_unit_test_setup_teardown(test_reopen_keeps_everything, setup, teardown),
		cmocka_unit_test_setup_teardown(test_torn_last_record, setup, teardown),
		cmocka_unit_test_setup_teardown(test_damage_before_the_end_is_an_error, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_watch_from_revision, setup, teardown),
		cmocka_unit_test_setup_teardown(test_watch_past_history_is_stale, setup, teardown),
		cmocka_unit_test_setup_teardown(test_snapshot_bounds_the_log, setup, teardown),
		cmocka_unit_test_setup_teardown(test_random_against_model, setup, teardown),
		cmocka_unit_test_setup_teardown(test_sigkill_keeps_acknowledged, setup, teardown),
	};

	srand((unsigned)time(NULL));
	return cmocka_run_group_tests(tests, NULL, NULL);
}
