// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Upstream connections: per-worker keep-alive pools per endpoint, endpoint
 * choice within a Service (round robin, or least-request by power of two
 * choices), and passive outlier ejection of endpoints whose connects fail.
 * All state is per worker, keyed by process-wide endpoint ids, so it
 * survives reloads that keep an endpoint.
 */
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "gw/log.h"
#include "gwd_internal.h"

/* Consecutive connect failures that eject an endpoint, and the first ejection time. */
#define EJECT_AFTER 2
#define EJECT_BASE_MS 5000
#define EJECT_MAX_SHIFT 4

struct gw_ep_state *gw_ep(struct gw_worker *w, uint32_t id)
{
	if (id >= w->neps) {
		uint32_t ncap = w->neps ? w->neps : 64;
		struct gw_ep_state *ne;

		while (ncap <= id)
			ncap *= 2;
		ne = realloc(w->eps, ncap * sizeof(*ne));
		if (!ne)
			return NULL;
		memset(ne + w->neps, 0, (ncap - w->neps) * sizeof(*ne));
		w->eps = ne;
		w->neps = ncap;
	}
	return &w->eps[id];
}

static bool tried(const struct gw_exch *x, uint32_t id)
{
	for (int i = 0; i < x->ntried; i++)
		if (x->tried[i].id == id)
			return true;
	return false;
}

/* When e last failed this request (attempt number), 0 if it has not. */
static int failed_at(const struct gw_exch *x, uint32_t id)
{
	for (int i = 0; i < x->ntried; i++)
		if (x->tried[i].id == id)
			return x->tried[i].failed_at;
	return 0;
}

static bool ejected(struct gw_worker *w, uint32_t id)
{
	struct gw_ep_state *st = gw_ep(w, id);

	return st && st->ejected_until_ms > w->now_ms;
}

const struct gw_rt_endpoint *gw_pick_endpoint(struct gw_worker *w, struct gw_exch *x,
					      const struct gw_rt_backend *be)
{
	const struct gw_rt_endpoint *best = NULL, *fallback = NULL;
	uint32_t n = (uint32_t)be->neps, start;

	if (!n)
		return NULL;
	if (x->pin && !tried(x, x->pin->id) && !ejected(w, x->pin->id))
		return x->pin;
	if (gwd.o.least_request && n > 1) {
		/* power of two choices among endpoints not yet tried and not ejected */
		for (int k = 0; k < 4 && !best; k++) {
			const struct gw_rt_endpoint *a = &be->eps[gw_rand(w) % n];
			const struct gw_rt_endpoint *b = &be->eps[gw_rand(w) % n];
			struct gw_ep_state *sa, *sb;

			if (tried(x, a->id) || ejected(w, a->id))
				a = NULL;
			if (tried(x, b->id) || ejected(w, b->id))
				b = NULL;
			if (!a || !b) {
				best = a ? a : b;
				continue;
			}
			sa = gw_ep(w, a->id);
			sb = gw_ep(w, b->id);
			best = !sa || !sb || sa->active <= sb->active ? a : b;
		}
		if (best)
			return best;
	}
	start = x->tbl == w->tbl && be->idx < w->nrr ? w->rr[be->idx]++ : (uint32_t)gw_rand(w);
	for (uint32_t k = 0; k < n; k++) {
		const struct gw_rt_endpoint *e = &be->eps[(start + k) % n];

		if (tried(x, e->id))
			continue;
		if (!ejected(w, e->id))
			return e;
		if (!fallback)
			fallback = e;
	}
	if (fallback && !x->may_repeat)
		return fallback;
	/*
	 * A retry with every endpoint tried goes back to a tried one, as Envoy
	 * does: HTTPRouteRetry.Attempts bounds the retries of a request, not the
	 * endpoints it may visit, so a single-endpoint Service is retried too.
	 * The least recently failed healthy endpoint is taken; an ejected one
	 * only when every endpoint is ejected (then an untried ejected one first).
	 */
	if (x->may_repeat) {
		const struct gw_rt_endpoint *lrf = NULL, *lrf_ej = NULL;

		for (uint32_t k = 0; k < n; k++) {
			const struct gw_rt_endpoint *e = &be->eps[k];
			const struct gw_rt_endpoint **slot = ejected(w, e->id) ? &lrf_ej : &lrf;

			if (!*slot || failed_at(x, e->id) < failed_at(x, (*slot)->id))
				*slot = e;
		}
		if (lrf)
			return lrf;
		if (fallback)
			return fallback;
		return lrf_ej;
	}
	/* every untried endpoint is ejected: try one anyway rather than fail */
	return fallback;
}

bool gw_untried_left(const struct gw_exch *x, const struct gw_rt_backend *be)
{
	for (int k = 0; k < be->neps; k++)
		if (!tried(x, be->eps[k].id))
			return true;
	return false;
}

void gw_pool_remove(struct gw_conn *u)
{
	struct gw_ep_state *st = gw_ep(u->w, u->ep);

	if (!(u->flags & CF_POOLED) || !st)
		return;
	if (u->pool_prev)
		u->pool_prev->pool_next = u->pool_next;
	else
		st->idle = u->pool_next;
	if (u->pool_next)
		u->pool_next->pool_prev = u->pool_prev;
	u->pool_next = u->pool_prev = NULL;
	u->flags &= ~CF_POOLED;
	st->nidle--;
	GW_GAUGE_ADD(u->w->id, upstream_idle, (uint64_t)-1);
}

struct gw_conn *gw_up_get(struct gw_worker *w, const struct gw_rt_endpoint *ep, bool *reused,
			  bool *busy)
{
	struct gw_ep_state *st = gw_ep(w, ep->id);
	struct gw_conn *u;

	*reused = false;
	*busy = false;
	while (st && st->idle) {
		u = st->idle;
		gw_pool_remove(u);
		if (u->flags & (CF_CLOSING | CF_EOF)) {
			gw_conn_close(u);
			continue;
		}
		gw_conn_timer_del(u);
		u->uses++;
		*reused = true;
		GW_GAUGE_ADD(w->id, upstream_reused, 1);
		return u;
	}
	if (st && st->nconns >= (uint32_t)gwd.o.upstream_max_conns) {
		*busy = true;
		return NULL;
	}
	return gw_up_connect(w, ep, 0);
}

struct gw_conn *gw_up_connect(struct gw_worker *w, const struct gw_rt_endpoint *ep,
			      unsigned flags)
{
	struct gw_ep_state *st = gw_ep(w, ep->id);
	struct io_uring_sqe *sqe;
	struct gw_conn *u;
	int fd, one = 1;

	fd = socket(ep->sa.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		pr_warn_ratelimited("Couldn't create a socket to connect to %s: %s", ep->name,
				    strerror(errno));
		return NULL;
	}
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	u = gw_conn_new(w, CK_UPSTREAM, fd);
	if (!u) {
		close(fd);
		return NULL;
	}
	u->ep = ep->id;
	u->uses = 1;
	if (st)
		st->nconns++;
	if (ep->tls && !(flags & CF_PASS) && gw_up_tls_attach(u, ep)) {
		pr_warn_ratelimited("Couldn't start TLS to %s: out of memory", ep->name);
		gw_conn_close(u);
		return NULL;
	}
	u->flags |= CF_CONNECTING | flags;
	sqe = gw_get_sqe(&w->r);
	/* the kernel copies the address when the SQE is submitted, this turn */
	io_uring_prep_connect(sqe, fd, (const struct sockaddr *)&ep->sa, ep->salen);
	io_uring_sqe_set_data64(sqe, gw_ud_encode(GW_OP_CONNECT, u->gen, u->slot));
	u->nops++;
	gw_conn_timer(u, T_UP_CONNECT, gwd.o.connect_timeout_ms);
	GW_GAUGE_ADD(w->id, upstream_connects, 1);
	return u;
}

void gw_pool_put(struct gw_conn *u)
{
	struct gw_worker *w = u->w;
	struct gw_ep_state *st = gw_ep(w, u->ep);

	u->x = NULL;
	if (!st || w->draining || st->nidle >= (uint32_t)gwd.o.pool_max_idle ||
	    (u->flags & (CF_CLOSING | CF_EOF))) {
		gw_conn_close(u);
		return;
	}
	/* the pooled connection keeps its recv armed to notice the server closing it */
	if (u->flags & CF_PAUSED)
		gw_conn_resume(u);
	u->pool_prev = NULL;
	u->pool_next = st->idle;
	if (st->idle)
		st->idle->pool_prev = u;
	st->idle = u;
	st->nidle++;
	u->flags |= CF_POOLED;
	gw_conn_timer(u, T_CONN_IDLE, gwd.o.pool_idle_ms);
	GW_GAUGE_ADD(w->id, upstream_idle, 1);
	if (st->wait_head)
		gw_ep_kick(w, u->ep);
}

void gw_ep_wait(struct gw_worker *w, struct gw_exch *x, uint32_t id)
{
	struct gw_ep_state *st = gw_ep(w, id);

	x->waiting = true;
	x->wait_next = NULL;
	x->wait_prev = st->wait_tail;
	if (st->wait_tail)
		st->wait_tail->wait_next = x;
	else
		st->wait_head = x;
	st->wait_tail = x;
}

void gw_ep_unwait(struct gw_worker *w, struct gw_exch *x)
{
	struct gw_ep_state *st;

	if (!x->waiting)
		return;
	st = gw_ep(w, x->ep->id);
	if (x->wait_prev)
		x->wait_prev->wait_next = x->wait_next;
	else
		st->wait_head = x->wait_next;
	if (x->wait_next)
		x->wait_next->wait_prev = x->wait_prev;
	else
		st->wait_tail = x->wait_prev;
	x->waiting = false;
	x->wait_prev = x->wait_next = NULL;
}

void gw_ep_kick(struct gw_worker *w, uint32_t id)
{
	struct gw_ep_state *st = gw_ep(w, id);

	if (!st || st->kicked || !st->wait_head)
		return;
	if (w->nkick == w->capkick) {
		uint32_t ncap = w->capkick ? w->capkick * 2 : 64;
		uint32_t *nk = realloc(w->kick, ncap * sizeof(*nk));

		if (!nk)
			return;
		w->kick = nk;
		w->capkick = ncap;
	}
	st->kicked = true;
	w->kick[w->nkick++] = id;
}

/* Deferred to the end of a batch: waiters take freed capacity in arrival order. */
void gw_ep_run_kicks(struct gw_worker *w)
{
	while (w->nkick) {
		uint32_t id = w->kick[--w->nkick];
		struct gw_ep_state *st = &w->eps[id];

		st->kicked = false;
		while (st->wait_head &&
		       (st->idle || st->nconns < (uint32_t)gwd.o.upstream_max_conns)) {
			struct gw_exch *x = st->wait_head;

			gw_ep_unwait(w, x);
			gw_exch_resume(x);
		}
	}
}

void gw_pool_close_all(struct gw_worker *w)
{
	for (uint32_t i = 0; i < w->neps; i++)
		while (w->eps[i].idle)
			gw_conn_close(w->eps[i].idle);
	gw_h2up_close_idle(w);
}

void gw_ep_connect_failed(struct gw_worker *w, uint32_t id, const char *name, int err)
{
	struct gw_ep_state *st = gw_ep(w, id);
	uint64_t ms;

	GW_GAUGE_ADD(w->id, upstream_connect_errors, 1);
	if (!st)
		return;
	if (++st->fails < EJECT_AFTER)
		return;
	ms = (uint64_t)EJECT_BASE_MS << (st->ejections < EJECT_MAX_SHIFT ? st->ejections
									  : EJECT_MAX_SHIFT);
	st->ejected_until_ms = w->now_ms + ms;
	st->ejections++;
	st->fails = 0;
	GW_GAUGE_ADD(w->id, ejections, 1);
	pr_info("Endpoint %s ejected for %llu ms after %d failed connects (last: %s)", name,
		(unsigned long long)ms, EJECT_AFTER, strerror(-err));
}

void gw_ep_connect_ok(struct gw_worker *w, uint32_t id)
{
	struct gw_ep_state *st = gw_ep(w, id);

	if (st) {
		st->fails = 0;
		if (st->ejected_until_ms <= w->now_ms)
			st->ejections = 0;
	}
}
