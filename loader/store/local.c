// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The node's own store (store.h): every key in memory in one array sorted
 * by key, a write-ahead log in DIR/wal made durable before a commit is
 * acknowledged, and a snapshot in DIR/snapshot that bounds the log.
 *
 * Crash safety, in the order things reach the disk:
 *   commit:   append one record, fdatasync; only then change memory, tell
 *             watchers and return. A failed write is cut off again
 *             (ftruncate), so the log never holds a record that was not
 *             acknowledged except a torn last one, which replay drops.
 *   snapshot: write snapshot.tmp, fdatasync, rename over snapshot, fsync
 *             the directory; then an empty wal.tmp renamed over wal. A crash
 *             between the two leaves the old log, whose records are all at
 *             or below the snapshot's revision and are skipped.
 * The history watchers replay from is every event since the snapshot the
 * store was opened from (or since it started), bounded by max_history.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "store.h"
#include "wal.h"

#define GW_STORE_WAL_LIMIT (64u << 20)	/* snapshot when the log passes 64 MiB */
#define GW_STORE_HISTORY 100000		/* events kept for watchers */

enum rec_kind {
	REC_COMMIT = 1,		/* rev, ops */
	REC_SNAP_HEAD = 2,	/* rev, count */
	REC_SNAP_KV = 3,	/* create_rev, mod_rev, key, value */
};

struct entry {
	char *key;
	uint8_t *val;
	size_t len;
	int64_t create_rev, mod_rev;
	bool dead;			/* deleted by the commit being applied */
};

struct hist {
	enum gw_store_op_type type;
	struct entry e;
	int64_t rev;
};

struct gw_store_watch {
	struct gw_store_watch *next;
	char *prefix;
	size_t plen;
	gw_store_watch_cb cb;
	void *arg;
	bool dead;
};

struct local {
	struct gw_store base;
	int dir_fd, wal_fd;
	size_t wal_size, wal_limit;
	struct entry **v;		/* sorted by key */
	size_t n, cap;
	int64_t rev;
	int64_t compact_rev;		/* history holds every event of a revision above this */
	struct hist *h;
	size_t hn, hcap, max_history;
	struct gw_store_watch *watchers;
	int notifying;
	bool broken;			/* a failed write could not be undone: read-only */
};

static int cmp_key(const char *a, const struct entry *e)
{
	return strcmp(a, e->key);
}

/* Index of key in v[0..n), or of where it would be inserted (*found false). */
static size_t find_in(struct entry *const *v, size_t n, const char *key, bool *found)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = cmp_key(key, v[mid]);

		if (!c) {
			*found = true;
			return mid;
		}
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	*found = false;
	return lo;
}

static size_t find(const struct local *s, const char *key, bool *found)
{
	return find_in(s->v, s->n, key, found);
}

static void entry_free(struct entry *e)
{
	if (!e)
		return;
	free(e->key);
	free(e->val);
	free(e);
}

static int copy_into(struct entry *e, const char *key, const void *val, size_t len)
{
	e->key = strdup(key);
	e->val = malloc(len ? len : 1);
	if (!e->key || !e->val)
		return -ENOMEM;
	if (len)
		memcpy(e->val, val, len);
	e->len = len;
	return 0;
}

/* ---- history and watchers -------------------------------------------- */

static void hist_trim(struct local *s)
{
	size_t drop = 0;

	if (s->hn <= s->max_history)
		return;
	/* drop whole revisions, oldest first */
	drop = s->hn - s->max_history;
	while (drop < s->hn && s->h[drop].rev == s->h[drop - 1].rev)
		drop++;
	s->compact_rev = s->h[drop - 1].rev;
	for (size_t i = 0; i < drop; i++) {
		free(s->h[i].e.key);
		free(s->h[i].e.val);
	}
	memmove(s->h, s->h + drop, (s->hn - drop) * sizeof(*s->h));
	s->hn -= drop;
}

static int hist_add(struct local *s, enum gw_store_op_type t, const struct entry *e, int64_t rev)
{
	struct hist *h;

	if (s->hn == s->hcap) {
		size_t cap = s->hcap ? s->hcap * 2 : 64;

		h = realloc(s->h, cap * sizeof(*h));
		if (!h)
			return -ENOMEM;
		s->h = h;
		s->hcap = cap;
	}
	h = &s->h[s->hn];
	memset(h, 0, sizeof(*h));
	h->type = t;
	h->rev = rev;
	h->e.create_rev = e->create_rev;
	h->e.mod_rev = e->mod_rev;
	if (copy_into(&h->e, e->key, t == GW_STORE_PUT ? e->val : NULL,
		      t == GW_STORE_PUT ? e->len : 0)) {
		free(h->e.key);
		free(h->e.val);
		return -ENOMEM;
	}
	s->hn++;
	return 0;
}

static void deliver(const struct gw_store_watch *w, const struct hist *h)
{
	struct gw_store_event ev = {
		.type = h->type,
		.rev = h->rev,
		.kv = { .key = h->e.key, .val = h->type == GW_STORE_PUT ? h->e.val : NULL,
			.len = h->e.len, .create_rev = h->e.create_rev, .mod_rev = h->e.mod_rev },
	};

	if (!w->dead && !strncmp(h->e.key, w->prefix, w->plen))
		w->cb(w->arg, &ev);
}

static void reap_watchers(struct local *s)
{
	struct gw_store_watch **pp = &s->watchers;

	if (s->notifying)
		return;
	while (*pp) {
		struct gw_store_watch *w = *pp;

		if (w->dead) {
			*pp = w->next;
			free(w->prefix);
			free(w);
		} else {
			pp = &w->next;
		}
	}
}

/* ---- applying operations to memory ----------------------------------- */

struct pending {
	const struct gw_store_op *op;
	size_t idx;
	bool found;
};

static int cmp_ops(const void *a, const void *b)
{
	return strcmp((*(const struct gw_store_op *const *)a)->key,
		      (*(const struct gw_store_op *const *)b)->key);
}

static int cmp_entries(const void *a, const void *b)
{
	return strcmp((*(struct entry *const *)a)->key, (*(struct entry *const *)b)->key);
}

/*
 * Applies ops under rev (compares already checked, keys unique): updates
 * in place, appends new keys and sorts once, drops deleted ones in one
 * pass, so a commit of k operations costs O((n + k) log n), not O(n k).
 * History is trimmed by the caller, after watchers saw this revision.
 */
static int apply(struct local *s, const struct gw_store_op *ops, size_t nops, int64_t rev)
{
	size_t n0 = s->n;	/* the sorted part; new keys go after it */
	bool sort = false, dead = false;
	int err = 0;

	if (s->n + nops > s->cap) {
		size_t cap = s->cap ? s->cap : 64;
		struct entry **v;

		while (cap < s->n + nops)
			cap *= 2;
		v = realloc(s->v, cap * sizeof(*v));
		if (!v)
			return -ENOMEM;
		s->v = v;
		s->cap = cap;
	}
	for (size_t i = 0; i < nops && !err; i++) {
		const struct gw_store_op *op = &ops[i];
		bool found;
		size_t at = find_in(s->v, n0, op->key, &found);
		struct entry *e = found ? s->v[at] : NULL;

		if (op->type == GW_STORE_DELETE) {
			if (!e)
				continue;	/* replay of a delete the snapshot already has */
			e->mod_rev = rev;
			e->dead = dead = true;
			err = hist_add(s, GW_STORE_DELETE, e, rev);
			continue;
		}
		if (e) {
			uint8_t *val = malloc(op->len ? op->len : 1);

			if (!val)
				return -ENOMEM;
			if (op->len)
				memcpy(val, op->val, op->len);
			free(e->val);
			e->val = val;
			e->len = op->len;
		} else {
			e = calloc(1, sizeof(*e));
			if (!e || copy_into(e, op->key, op->val, op->len)) {
				entry_free(e);
				return -ENOMEM;
			}
			e->create_rev = rev;
			s->v[s->n++] = e;
			sort = true;
		}
		e->mod_rev = rev;
		err = hist_add(s, GW_STORE_PUT, e, rev);
	}
	if (dead) {
		size_t o = 0;

		for (size_t k = 0; k < s->n; k++) {
			if (s->v[k]->dead)
				entry_free(s->v[k]);
			else
				s->v[o++] = s->v[k];
		}
		s->n = o;
	}
	if (sort)
		qsort(s->v, s->n, sizeof(*s->v), cmp_entries);
	s->rev = rev;
	return err;
}

/* ---- encoding --------------------------------------------------------- */

static void encode_commit(struct gw_wbuf *b, const struct gw_store_op *ops, size_t n, int64_t rev)
{
	gw_wbuf_u8(b, REC_COMMIT);
	gw_wbuf_i64(b, rev);
	gw_wbuf_u32(b, (uint32_t)n);
	for (size_t i = 0; i < n; i++) {
		size_t kl = strlen(ops[i].key), vl = ops[i].type == GW_STORE_PUT ? ops[i].len : 0;

		gw_wbuf_u8(b, (uint8_t)ops[i].type);
		gw_wbuf_u32(b, (uint32_t)kl);
		gw_wbuf_u32(b, (uint32_t)vl);
		gw_wbuf_bytes(b, ops[i].key, kl);
		gw_wbuf_bytes(b, ops[i].val, vl);
	}
}

/* Decodes one op; key is copied to a NUL-terminated buffer the caller frees. */
static int decode_op(struct gw_rbuf *r, struct gw_store_op *op, char **key)
{
	uint8_t t = gw_rbuf_u8(r);
	uint32_t kl = gw_rbuf_u32(r), vl = gw_rbuf_u32(r);
	const uint8_t *k = gw_rbuf_bytes(r, kl), *v = gw_rbuf_bytes(r, vl);

	if (r->err || (t != GW_STORE_PUT && t != GW_STORE_DELETE) || !kl)
		return -EUCLEAN;
	*key = strndup((const char *)k, kl);
	if (!*key)
		return -ENOMEM;
	op->type = t;
	op->key = *key;
	op->val = v;
	op->len = vl;
	op->expect_rev = GW_STORE_ANY;
	return 0;
}

struct replay {
	struct local *s;
	char *err;
	size_t errlen;
	int64_t snap_rev;
	int64_t snap_count, snap_seen;
};

__attribute__((format(printf, 2, 3))) static int bad(struct replay *rp, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(rp->err, rp->errlen, fmt, ap);
	va_end(ap);
	return -EUCLEAN;
}

static int replay_commit(void *arg, const uint8_t *p, size_t len)
{
	struct replay *rp = arg;
	struct local *s = rp->s;
	struct gw_rbuf r = { .p = p, .len = len };
	struct gw_store_op *ops;
	char **keys;
	uint32_t n;
	int64_t rev;
	int err = 0;

	if (gw_rbuf_u8(&r) != REC_COMMIT)
		return bad(rp, "wal: a record that is not a commit");
	rev = gw_rbuf_i64(&r);
	n = gw_rbuf_u32(&r);
	if (r.err || !n || n > len)
		return bad(rp, "wal: revision %lld: malformed commit", (long long)rev);
	if (rev <= s->rev)
		return 0;	/* already in the snapshot */
	if (rev != s->rev + 1)
		return bad(rp, "wal: revision %lld follows %lld", (long long)rev,
			   (long long)s->rev);
	ops = calloc(n, sizeof(*ops));
	keys = calloc(n, sizeof(*keys));
	if (!ops || !keys) {
		free(ops);
		free(keys);
		return -ENOMEM;
	}
	for (uint32_t i = 0; i < n && !err; i++)
		err = decode_op(&r, &ops[i], &keys[i]);
	if (!err && r.off != r.len)
		err = -EUCLEAN;
	if (err == -EUCLEAN)
		bad(rp, "wal: revision %lld: malformed operation", (long long)rev);
	if (!err)
		err = apply(s, ops, n, rev);
	hist_trim(s);
	for (uint32_t i = 0; i < n; i++)
		free(keys[i]);
	free(keys);
	free(ops);
	return err;
}

static int replay_snapshot(void *arg, const uint8_t *p, size_t len)
{
	struct replay *rp = arg;
	struct local *s = rp->s;
	struct gw_rbuf r = { .p = p, .len = len };
	uint8_t kind = gw_rbuf_u8(&r);
	struct entry *e;

	if (kind == REC_SNAP_HEAD && !rp->snap_seen && rp->snap_count < 0) {
		rp->snap_rev = gw_rbuf_i64(&r);
		rp->snap_count = gw_rbuf_u32(&r);
		return r.err ? bad(rp, "snapshot: malformed header") : 0;
	}
	if (kind != REC_SNAP_KV || rp->snap_count < 0)
		return bad(rp, "snapshot: record %lld is not a key", (long long)rp->snap_seen);
	if (s->n == s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 64;
		struct entry **v = realloc(s->v, cap * sizeof(*v));

		if (!v)
			return -ENOMEM;
		s->v = v;
		s->cap = cap;
	}
	e = calloc(1, sizeof(*e));
	if (!e)
		return -ENOMEM;
	e->create_rev = gw_rbuf_i64(&r);
	e->mod_rev = gw_rbuf_i64(&r);
	uint32_t kl = gw_rbuf_u32(&r), vl = gw_rbuf_u32(&r);
	const uint8_t *k = gw_rbuf_bytes(&r, kl), *v = gw_rbuf_bytes(&r, vl);

	if (r.err || !kl || r.off != r.len) {
		free(e);
		return bad(rp, "snapshot: malformed key record %lld", (long long)rp->snap_seen);
	}
	e->key = strndup((const char *)k, kl);
	e->val = malloc(vl ? vl : 1);
	if (!e->key || !e->val) {
		entry_free(e);
		return -ENOMEM;
	}
	memcpy(e->val, v, vl);
	e->len = vl;
	/* written in key order: keep the array sorted without a sort */
	if (s->n && strcmp(s->v[s->n - 1]->key, e->key) >= 0) {
		entry_free(e);
		return bad(rp, "snapshot: keys out of order");
	}
	s->v[s->n++] = e;
	rp->snap_seen++;
	return 0;
}

/* ---- files ------------------------------------------------------------ */

static int read_all(int dir_fd, const char *name, uint8_t **buf, size_t *size)
{
	int fd = openat(dir_fd, name, O_RDONLY | O_CLOEXEC);
	struct stat st;
	size_t off = 0;
	int err = 0;

	*buf = NULL;
	*size = 0;
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st)) {
		err = -errno;
		goto out;
	}
	*buf = malloc(st.st_size ? (size_t)st.st_size : 1);
	if (!*buf) {
		err = -ENOMEM;
		goto out;
	}
	while (off < (size_t)st.st_size) {
		ssize_t r = read(fd, *buf + off, (size_t)st.st_size - off);

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0) {
			err = r < 0 ? -errno : -EIO;
			goto out;
		}
		off += (size_t)r;
	}
	*size = off;
out:
	close(fd);
	return err;
}

static int write_snapshot(struct local *s)
{
	struct gw_wbuf b = { 0 };
	int fd, err = 0;

	fd = openat(s->dir_fd, "snapshot.tmp", O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0)
		return -errno;
	gw_wbuf_u8(&b, REC_SNAP_HEAD);
	gw_wbuf_i64(&b, s->rev);
	gw_wbuf_u32(&b, (uint32_t)s->n);
	err = b.err ? b.err : gw_wal_append(fd, b.p, b.len);
	for (size_t i = 0; i < s->n && !err; i++) {
		const struct entry *e = s->v[i];
		size_t kl = strlen(e->key);

		b.len = 0;
		gw_wbuf_u8(&b, REC_SNAP_KV);
		gw_wbuf_i64(&b, e->create_rev);
		gw_wbuf_i64(&b, e->mod_rev);
		gw_wbuf_u32(&b, (uint32_t)kl);
		gw_wbuf_u32(&b, (uint32_t)e->len);
		gw_wbuf_bytes(&b, e->key, kl);
		gw_wbuf_bytes(&b, e->val, e->len);
		err = b.err ? b.err : gw_wal_append(fd, b.p, b.len);
	}
	free(b.p);
	if (!err && fdatasync(fd))
		err = -errno;
	if (close(fd) && !err)
		err = -errno;
	if (!err && renameat(s->dir_fd, "snapshot.tmp", s->dir_fd, "snapshot"))
		err = -errno;
	if (!err && fsync(s->dir_fd))
		err = -errno;
	return err;
}

/* Starts an empty log once a snapshot holds everything (see the file comment). */
static int restart_wal(struct local *s)
{
	int fd = openat(s->dir_fd, "wal.tmp", O_WRONLY | O_CREAT | O_TRUNC | O_APPEND | O_CLOEXEC,
			0600);
	int err = 0;

	if (fd < 0)
		return -errno;
	if (fsync(fd) || renameat(s->dir_fd, "wal.tmp", s->dir_fd, "wal") || fsync(s->dir_fd)) {
		err = -errno;
		close(fd);
		return err;
	}
	close(s->wal_fd);
	s->wal_fd = fd;
	s->wal_size = 0;
	return 0;
}

/* ---- operations ------------------------------------------------------- */

static int l_get(struct gw_store *base, const char *key, struct gw_kv *out)
{
	struct local *s = (struct local *)base;
	bool found;
	size_t i = find(s, key, &found);

	if (!found)
		return -ENOENT;
	*out = (struct gw_kv){ .key = s->v[i]->key, .val = s->v[i]->val, .len = s->v[i]->len,
			       .create_rev = s->v[i]->create_rev, .mod_rev = s->v[i]->mod_rev };
	return 0;
}

static int l_list(struct gw_store *base, const char *prefix, gw_store_list_cb cb, void *arg,
		  int64_t *rev)
{
	struct local *s = (struct local *)base;
	size_t plen = strlen(prefix);
	bool found;
	int err;

	if (rev)
		*rev = s->rev;
	for (size_t i = find(s, prefix, &found); i < s->n; i++) {
		const struct entry *e = s->v[i];
		struct gw_kv kv = { .key = e->key, .val = e->val, .len = e->len,
				    .create_rev = e->create_rev, .mod_rev = e->mod_rev };

		if (strncmp(e->key, prefix, plen))
			break;	/* sorted: the prefix range has ended */
		if ((err = cb(arg, &kv)))
			return err;
	}
	return 0;
}

static int check(struct local *s, const struct gw_store_op *ops, size_t n)
{
	const struct gw_store_op **sorted;
	int err = 0;

	if (!n)
		return -EINVAL;
	for (size_t i = 0; i < n; i++) {
		bool found;
		size_t at;

		if (!ops[i].key || !*ops[i].key ||
		    (ops[i].type != GW_STORE_PUT && ops[i].type != GW_STORE_DELETE))
			return -EINVAL;
		at = find(s, ops[i].key, &found);
		if (ops[i].type == GW_STORE_DELETE && !found)
			return -ENOENT;
		if (ops[i].expect_rev != GW_STORE_ANY &&
		    (found ? s->v[at]->mod_rev : GW_STORE_ABSENT) != ops[i].expect_rev)
			return -ECANCELED;
	}
	sorted = malloc(n * sizeof(*sorted));
	if (!sorted)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++)
		sorted[i] = &ops[i];
	qsort(sorted, n, sizeof(*sorted), cmp_ops);
	for (size_t i = 1; i < n && !err; i++)
		if (!strcmp(sorted[i - 1]->key, sorted[i]->key))
			err = -EINVAL;	/* one key twice in a commit */
	free(sorted);
	return err;
}

static int l_commit(struct gw_store *base, const struct gw_store_op *ops, size_t n, int64_t *rev)
{
	struct local *s = (struct local *)base;
	struct gw_wbuf b = { 0 };
	size_t first;
	int err;

	if (s->broken)
		return -EIO;
	if ((err = check(s, ops, n)))
		return err;
	encode_commit(&b, ops, n, s->rev + 1);
	err = b.err ? b.err : gw_wal_append(s->wal_fd, b.p, b.len);
	if (!err && fdatasync(s->wal_fd))
		err = -errno;
	if (err) {
		/* not acknowledged: it must not come back at replay */
		if (ftruncate(s->wal_fd, (off_t)s->wal_size) || fdatasync(s->wal_fd))
			s->broken = true;
		free(b.p);
		return err;
	}
	s->wal_size += GW_WAL_HDR + b.len;
	free(b.p);
	if ((err = apply(s, ops, n, s->rev + 1))) {
		/* durable but not in memory: only a restart makes them agree again */
		s->broken = true;
		return err;
	}
	if (rev)
		*rev = s->rev;
	/* this revision's events are the last ones in the history */
	for (first = s->hn; first > 0 && s->h[first - 1].rev == s->rev; first--)
		;
	s->notifying++;
	for (size_t i = first; i < s->hn; i++)
		for (struct gw_store_watch *w = s->watchers; w; w = w->next)
			deliver(w, &s->h[i]);
	s->notifying--;
	reap_watchers(s);
	hist_trim(s);
	if (s->wal_size > s->wal_limit && !write_snapshot(s))
		restart_wal(s);	/* on failure the log simply keeps growing */
	return 0;
}

static int l_watch(struct gw_store *base, const char *prefix, int64_t from_rev,
		   gw_store_watch_cb cb, void *arg, struct gw_store_watch **out)
{
	struct local *s = (struct local *)base;
	struct gw_store_watch *w;

	if (!from_rev)
		from_rev = s->rev;
	if (from_rev < s->compact_rev)
		return -ESTALE;
	w = calloc(1, sizeof(*w));
	if (!w || !(w->prefix = strdup(prefix))) {
		free(w);
		return -ENOMEM;
	}
	w->plen = strlen(prefix);
	w->cb = cb;
	w->arg = arg;
	s->notifying++;
	for (size_t i = 0; i < s->hn; i++)
		if (s->h[i].rev > from_rev)
			deliver(w, &s->h[i]);
	s->notifying--;
	w->next = s->watchers;
	s->watchers = w;
	*out = w;
	reap_watchers(s);
	return 0;
}

static void l_unwatch(struct gw_store *base, struct gw_store_watch *w)
{
	if (!w)
		return;
	w->dead = true;
	reap_watchers((struct local *)base);
}

static int64_t l_revision(struct gw_store *base)
{
	return ((struct local *)base)->rev;
}

/* the local store delivers every event from the commit that makes it */
static int l_dispatch(struct gw_store *base, int timeout_ms)
{
	(void)base, (void)timeout_ms;
	return 0;
}

static int l_fd(struct gw_store *base)
{
	(void)base;
	return -1;
}

static void l_close(struct gw_store *base)
{
	struct local *s = (struct local *)base;

	for (struct gw_store_watch *w = s->watchers; w; w = w->next)
		w->dead = true;
	s->notifying = 0;
	reap_watchers(s);
	for (size_t i = 0; i < s->n; i++)
		entry_free(s->v[i]);
	for (size_t i = 0; i < s->hn; i++) {
		free(s->h[i].e.key);
		free(s->h[i].e.val);
	}
	free(s->v);
	free(s->h);
	if (s->wal_fd >= 0)
		close(s->wal_fd);
	if (s->dir_fd >= 0)
		close(s->dir_fd);
	free(s);
}

static const struct gw_store_ops local_ops = {
	.name = "local",
	.get = l_get,
	.list = l_list,
	.commit = l_commit,
	.watch = l_watch,
	.unwatch = l_unwatch,
	.revision = l_revision,
	.dispatch = l_dispatch,
	.fd = l_fd,
	.close = l_close,
};

__attribute__((format(printf, 4, 5))) static int ferr(char *err, size_t errlen, int code,
							 const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return code;
}

static int open_files(struct local *s, const char *dir, char *err, size_t errlen)
{
	struct replay rp = { .s = s, .err = err, .errlen = errlen, .snap_count = -1 };
	uint8_t *buf;
	size_t size, end;
	int rc;

	if (mkdir(dir, 0700) && errno != EEXIST)
		return ferr(err, errlen, -errno, "cannot create '%s': %s", dir, strerror(errno));
	s->dir_fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (s->dir_fd < 0)
		return ferr(err, errlen, -errno, "cannot open '%s': %s", dir, strerror(errno));
	rc = read_all(s->dir_fd, "snapshot", &buf, &size);
	if (!rc) {
		/* renamed into place only complete and synced: any damage is real */
		rc = gw_wal_scan(buf, size, 0, replay_snapshot, &rp, &end);
		free(buf);
		if (!rc && (end != size || rp.snap_count != rp.snap_seen))
			rc = bad(&rp, "snapshot: %lld of %lld keys", (long long)rp.snap_seen,
				 (long long)rp.snap_count);
		if (rc)
			return rc;
		s->rev = s->compact_rev = rp.snap_rev;
	} else if (rc != -ENOENT) {
		return ferr(err, errlen, rc, "cannot read '%s/snapshot': %s", dir, strerror(-rc));
	}
	s->wal_fd = openat(s->dir_fd, "wal", O_RDWR | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
	if (s->wal_fd < 0)
		return ferr(err, errlen, -errno, "cannot open '%s/wal': %s", dir, strerror(errno));
	if ((rc = read_all(s->dir_fd, "wal", &buf, &size)))
		return ferr(err, errlen, rc, "cannot read '%s/wal': %s", dir, strerror(-rc));
	rc = gw_wal_scan(buf, size, 0, replay_commit, &rp, &end);
	free(buf);
	if (rc == -EUCLEAN && !*err)
		snprintf(err, errlen, "wal: damaged record at offset %zu followed by valid ones", end);
	if (rc)
		return rc;
	if (end != size) {
		/* a torn last record: its commit was never acknowledged */
		if (ftruncate(s->wal_fd, (off_t)end) || fdatasync(s->wal_fd))
			return ferr(err, errlen, -errno, "cannot cut the torn end of '%s/wal': %s",
				    dir, strerror(errno));
	}
	s->wal_size = end;
	return 0;
}

struct gw_store *gw_store_open_local(const char *dir, char *err, size_t errlen)
{
	struct local *s = calloc(1, sizeof(*s));
	int rc;

	if (!s) {
		errno = ENOMEM;
		return NULL;
	}
	err[0] = '\0';
	s->base.ops = &local_ops;
	s->dir_fd = s->wal_fd = -1;
	s->wal_limit = GW_STORE_WAL_LIMIT;
	s->max_history = GW_STORE_HISTORY;
	if (getenv("GW_STORE_WAL_LIMIT"))	/* tests: make compaction happen */
		s->wal_limit = strtoul(getenv("GW_STORE_WAL_LIMIT"), NULL, 10);
	if (getenv("GW_STORE_HISTORY"))
		s->max_history = strtoul(getenv("GW_STORE_HISTORY"), NULL, 10);
	if ((rc = open_files(s, dir, err, errlen))) {
		if (!*err)
			snprintf(err, errlen, "%s", strerror(-rc));
		l_close(&s->base);
		errno = -rc;
		return NULL;
	}
	return &s->base;
}
