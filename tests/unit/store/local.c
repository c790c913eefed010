// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * What only the node's store (loader/store/local.c) promises, beyond the
 * contract every backend meets (contract.c): crash safety (a log cut at
 * every byte of its last record, damage in the middle, a crash between
 * snapshot and log restart, a writer killed with SIGKILL at random points,
 * checked against what it had acknowledged) and its bounded watch history.
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
		int64_t acked, got;
		struct gw_store *st;

		/* rounds share the store: a writer killed before its first commit acked nothing new */
		st = open_store();
		acked = gw_store_revision(st);
		gw_store_close(st);
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
		cmocka_unit_test_setup_teardown(test_torn_last_record, setup, teardown),
		cmocka_unit_test_setup_teardown(test_damage_before_the_end_is_an_error, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_watch_past_history_is_stale, setup, teardown),
		cmocka_unit_test_setup_teardown(test_snapshot_bounds_the_log, setup, teardown),
		cmocka_unit_test_setup_teardown(test_sigkill_keeps_acknowledged, setup, teardown),
	};

	srand((unsigned)time(NULL));
	return cmocka_run_group_tests(tests, NULL, NULL);
}
