/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The configuration store: the one narrow interface every owner of
 * accepted objects uses (the resident configuration, the node API that
 * serves kubectl, and, in a cluster of nodes, etcd), with etcd's model:
 *
 *   - a key holds an opaque value and two revisions: the store revision
 *     that created it and the one that last modified it (create_rev,
 *     mod_rev), as etcd's mvccpb.KeyValue;
 *   - every commit of one or more operations is atomic and takes the next
 *     store revision; a commit whose compare fails changes nothing
 *     (etcd Txn with mod_revision compares: optimistic concurrency, the
 *     resourceVersion of the Kubernetes API);
 *   - watch from a revision replays every change after it, then follows
 *     new ones, or fails with -ESTALE when the history from that revision
 *     is no longer kept (etcd ErrCompacted).
 *
 * Implementations register a struct gw_store_ops: gw_store_open_local() is
 * the node's own (a write-ahead log with fsync, loader/store/local.c),
 * gw_store_open_etcd() a shared etcd v3 cluster (loader/store/etcd.c).
 * Functions return 0 or -errno; -ECANCELED means a compare failed.
 *
 * Watch callbacks run from gw_store_dispatch(), which the owner's event
 * loop calls when gw_store_fd() is readable (or on a timer); the local
 * store also delivers its own commits from gw_store_commit().
 */
#ifndef GW_STORE_H
#define GW_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct gw_store;

/** One key as the store holds it (views into store memory unless said otherwise). */
struct gw_kv {
	const char *key;
	const void *val;
	size_t len;
	int64_t create_rev;
	int64_t mod_rev;
};

enum gw_store_op_type {
	GW_STORE_PUT,
	GW_STORE_DELETE,
};

/** Expected mod_rev for a compare: any value, or "the key must not exist". */
#define GW_STORE_ANY (-1)
#define GW_STORE_ABSENT 0

/** One operation of a commit. */
struct gw_store_op {
	enum gw_store_op_type type;
	const char *key;
	const void *val;	/* PUT */
	size_t len;
	/*
	 * Compare before anything is applied: the key's mod_rev must equal
	 * this (GW_STORE_ABSENT: the key must not exist), or GW_STORE_ANY.
	 */
	int64_t expect_rev;
};

/** A change delivered to a watcher; kv.val is NULL for a delete. */
struct gw_store_event {
	enum gw_store_op_type type;
	struct gw_kv kv;	/* for a delete: the key, mod_rev = the deleting revision */
	int64_t rev;		/* store revision of the commit */
};

/**
 * Called once per event, in revision order: from gw_store_dispatch(), from
 * gw_store_commit() of the same process for the local store (after the
 * commit is durable), or from gw_store_watch() for the replayed history of
 * the local store. The event's memory lives only during the call.
 */
typedef void (*gw_store_watch_cb)(void *arg, const struct gw_store_event *ev);
/** Called once per key by gw_store_list(), in key order. */
typedef int (*gw_store_list_cb)(void *arg, const struct gw_kv *kv);

struct gw_store_watch;

struct gw_store_ops {
	const char *name;
	int (*get)(struct gw_store *s, const char *key, struct gw_kv *out);
	int (*list)(struct gw_store *s, const char *prefix, gw_store_list_cb cb, void *arg,
		    int64_t *rev);
	int (*commit)(struct gw_store *s, const struct gw_store_op *ops, size_t n,
		      int64_t *rev);
	int (*watch)(struct gw_store *s, const char *prefix, int64_t from_rev, gw_store_watch_cb cb,
		     void *arg, struct gw_store_watch **w);
	void (*unwatch)(struct gw_store *s, struct gw_store_watch *w);
	int64_t (*revision)(struct gw_store *s);
	int (*dispatch)(struct gw_store *s, int timeout_ms);
	int (*fd)(struct gw_store *s);
	void (*close)(struct gw_store *s);
};

struct gw_store {
	const struct gw_store_ops *ops;
};

/**
 * Opens (creating it 0700 if needed) the node's store in dir: replays its
 * snapshot and write-ahead log; a record cut short by a crash is dropped,
 * as the commit it held was never acknowledged. Returns NULL with errno set;
 * a corrupt record before the end of the log is -EUCLEAN, with why in err.
 */
struct gw_store *gw_store_open_local(const char *dir, char *err, size_t errlen);

/**
 * Connects to etcd at endpoint ("http://127.0.0.1:2379", the v3 JSON
 * gateway) and keeps every key under prefix there ("/xdpgw/"): keys given
 * to the other calls are relative to it. Returns NULL with errno set and
 * why in err when etcd does not answer.
 */
struct gw_store *gw_store_open_etcd(const char *endpoint, const char *prefix, char *err,
				    size_t errlen);

/** *out is a view valid until the next commit; -ENOENT if the key does not exist. */
static inline int gw_store_get(struct gw_store *s, const char *key, struct gw_kv *out)
{
	return s->ops->get(s, key, out);
}

/** Every key starting with prefix, in key order; *rev (if not NULL) is the store revision. */
static inline int gw_store_list(struct gw_store *s, const char *prefix, gw_store_list_cb cb,
				void *arg, int64_t *rev)
{
	return s->ops->list(s, prefix, cb, arg, rev);
}

/**
 * Applies ops atomically and durably (fsync before return): all compares
 * hold and every op applies under one new revision (*rev), or -ECANCELED
 * and nothing changes. A key appears at most once per commit (-EINVAL).
 */
static inline int gw_store_commit(struct gw_store *s, const struct gw_store_op *ops, size_t n,
				  int64_t *rev)
{
	return s->ops->commit(s, ops, n, rev);
}

/** Compare-and-swap put of one key (expect_rev as in struct gw_store_op). */
static inline int gw_store_put(struct gw_store *s, const char *key, const void *val, size_t len,
			       int64_t expect_rev, int64_t *rev)
{
	struct gw_store_op op = { .type = GW_STORE_PUT, .key = key, .val = val, .len = len,
				  .expect_rev = expect_rev };

	return s->ops->commit(s, &op, 1, rev);
}

/** Deletes one key; -ENOENT if it does not exist, -ECANCELED if expect_rev differs. */
static inline int gw_store_delete(struct gw_store *s, const char *key, int64_t expect_rev,
				  int64_t *rev)
{
	struct gw_store_op op = { .type = GW_STORE_DELETE, .key = key, .expect_rev = expect_rev };

	return s->ops->commit(s, &op, 1, rev);
}

/**
 * Watches keys under prefix: events of revisions after from_rev are
 * replayed now, later ones delivered as they are committed. from_rev 0
 * means "from now". -ESTALE if that history is no longer kept.
 */
static inline int gw_store_watch(struct gw_store *s, const char *prefix, int64_t from_rev,
				 gw_store_watch_cb cb, void *arg, struct gw_store_watch **w)
{
	return s->ops->watch(s, prefix, from_rev, cb, arg, w);
}

static inline void gw_store_unwatch(struct gw_store *s, struct gw_store_watch *w)
{
	s->ops->unwatch(s, w);
}

/** The store's current revision (0 for an empty store that never committed). */
static inline int64_t gw_store_revision(struct gw_store *s)
{
	return s->ops->revision(s);
}

/**
 * Delivers the watch events that arrived, waiting up to timeout_ms for one
 * (0: only what is there). Returns the number of events delivered or -errno.
 */
static inline int gw_store_dispatch(struct gw_store *s, int timeout_ms)
{
	return s->ops->dispatch(s, timeout_ms);
}

/** A descriptor that becomes readable when gw_store_dispatch() has work, or -1. */
static inline int gw_store_fd(struct gw_store *s)
{
	return s->ops->fd(s);
}

static inline void gw_store_close(struct gw_store *s)
{
	if (s)
		s->ops->close(s);
}

#endif
