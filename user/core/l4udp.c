// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * UDP listeners gwd serves (UDPRoute, where the XDP tier is not attached):
 * one session per client address and port. The listening socket (one per
 * worker, SO_REUSEPORT, whose hash keeps a client's datagrams on one
 * worker) is read with a multishot recvmsg into the worker's provided
 * buffers; a client's first datagram picks a backend endpoint by the
 * route's Maglev table (the XDP tier's, hashed by the client's address and
 * port, so a flow lands where XDP would send it) and opens a connected UDP
 * socket to it, read with multishot recv like any connection (CF_UDP).
 * Datagrams go to the backend on that socket and its answers go back to
 * the client from the listening socket, so the client sees replies from
 * the address it sent to. A session ends after --udp-idle-timeout without
 * a datagram either way, when the backend refuses (ICMP port unreachable
 * surfaces as ECONNREFUSED), on drain, or when its listener is gone; at
 * most --udp-max-sessions exist (new clients' datagrams are dropped
 * beyond that). Datagrams that do not fit a provided buffer
 * (GW_RECV_BUFSZ, less the recvmsg header for the client's) are dropped.
 */
#include <errno.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "gw/log.h"
#include "gwd_internal.h"

struct gw_udp_sess {
	struct gw_udp_sess *hnext;		/* bucket chain */
	struct gw_udp_sess *prev, *next;	/* every session of the worker */
	struct gw_conn *c;			/* the socket to the backend */
	struct gw_acc *acc;			/* the listening socket replies leave from */
	uint32_t lsock;				/* its id: acc is only valid while it matches */
	uint64_t hash;
	uint64_t last_ms;			/* last datagram either way */
	socklen_t plen;
	struct sockaddr_storage peer;		/* the client */
};

struct gw_udp_tab {
	struct gw_udp_sess **b;
	uint32_t nb;				/* power of two */
	uint32_t n;
	struct gw_udp_sess *all;
};

/* FNV-1a over the client's address bytes and the listener; stable for a flow. */
static uint64_t flow_hash(uint32_t lsock, const void *name, socklen_t len)
{
	const unsigned char *p = name;
	uint64_t h = 0xcbf29ce484222325ULL ^ lsock;

	for (socklen_t i = 0; i < len; i++) {
		h ^= p[i];
		h *= 0x100000001b3ULL;
	}
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdULL;
	h ^= h >> 33;
	return h;
}

static struct gw_udp_tab *tab(struct gw_worker *w)
{
	struct gw_udp_tab *t = w->udp;

	if (t)
		return t;
	t = calloc(1, sizeof(*t));
	if (!t)
		return NULL;
	t->nb = 1024;
	t->b = calloc(t->nb, sizeof(*t->b));
	if (!t->b) {
		free(t);
		return NULL;
	}
	w->udp = t;
	return t;
}

/* Doubles the buckets when the sessions outnumber them. */
static void tab_grow(struct gw_udp_tab *t)
{
	uint32_t nb = t->nb * 2;
	struct gw_udp_sess **b = calloc(nb, sizeof(*b));

	if (!b)
		return;	/* longer chains, still correct */
	for (struct gw_udp_sess *s = t->all; s; s = s->next) {
		s->hnext = b[s->hash & (nb - 1)];
		b[s->hash & (nb - 1)] = s;
	}
	free(t->b);
	t->b = b;
	t->nb = nb;
}

static struct gw_udp_sess *lookup(struct gw_udp_tab *t, uint32_t lsock, uint64_t h,
				  const void *name, socklen_t len)
{
	for (struct gw_udp_sess *s = t->b[h & (t->nb - 1)]; s; s = s->hnext)
		if (s->hash == h && s->lsock == lsock && s->plen == len &&
		    !memcmp(&s->peer, name, len))
			return s;
	return NULL;
}

static void sess_close(struct gw_worker *w, struct gw_udp_sess *s)
{
	struct gw_udp_tab *t = w->udp;
	struct gw_udp_sess **pp = &t->b[s->hash & (t->nb - 1)];

	while (*pp && *pp != s)
		pp = &(*pp)->hnext;
	if (*pp)
		*pp = s->hnext;
	if (s->prev)
		s->prev->next = s->next;
	else
		t->all = s->next;
	if (s->next)
		s->next->prev = s->prev;
	t->n--;
	s->c->udp = NULL;
	gw_conn_close(s->c);
	free(s);
}

/* A client's first datagram: its backend by Maglev, and a connected socket to it. */
static struct gw_udp_sess *sess_new(struct gw_worker *w, struct gw_acc *a, uint64_t h,
				    const struct sockaddr *name, socklen_t len)
{
	const struct gw_rt_port *p = gw_port_of(w, a->ls->id);
	const struct gw_rt_listener *l = p && p->udp && p->nlisteners ? p->listeners[0] : NULL;
	const struct gw_rt_tlsroute *tr = l && l->ntlsroutes ? &l->tlsroutes[0] : NULL;
	uint32_t limit = (uint32_t)((gwd.o.udp_max_sessions + gwd.nworkers - 1) / gwd.nworkers);
	const struct gw_rt_endpoint *ep;
	struct gw_udp_tab *t = tab(w);
	struct gw_udp_sess *s;
	struct gw_ep_state *st;
	char who[48];
	int fd;

	gw_peer_str(name, who, sizeof(who));
	ep = tr ? gw_l4_pick(tr, name, len, h) : NULL;
	if (!ep) {
		pr_debug("UDP listener %s: %s for datagrams from %s; dropping them",
			 l ? l->key : "?", !tr ? "no UDPRoute" : "no usable backend", who);
		return NULL;
	}
	if (!t || t->n >= limit) {
		pr_warn_ratelimited("UDP session limit (--udp-max-sessions %d) reached; dropping "
				    "a datagram from %s", gwd.o.udp_max_sessions, who);
		return NULL;
	}
	fd = socket(ep->sa.ss_family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		pr_warn_ratelimited("Couldn't create a UDP socket to %s: %s", ep->name,
				    strerror(errno));
		return NULL;
	}
	/* connected: the kernel filters the backend's answers and reports its ICMP errors */
	if (connect(fd, (const struct sockaddr *)&ep->sa, ep->salen)) {
		pr_warn_ratelimited("Couldn't connect a UDP socket to %s: %s", ep->name,
				    strerror(errno));
		close(fd);
		return NULL;
	}
	s = calloc(1, sizeof(*s));
	if (!s || !(s->c = gw_conn_new(w, CK_UPSTREAM, fd))) {
		pr_warn_ratelimited("Couldn't allocate a UDP session: out of memory");
		free(s);
		close(fd);
		return NULL;
	}
	s->c->flags |= CF_UDP;
	s->c->udp = s;
	s->c->ep = ep->id;
	snprintf(s->c->peer, sizeof(s->c->peer), "%s", who);
	/* counted like any upstream connection of ep: gw_conn_close() takes it off again */
	if ((st = gw_ep(w, ep->id)))
		st->nconns++;
	s->acc = a;
	s->lsock = a->ls->id;
	s->hash = h;
	s->plen = len;
	memcpy(&s->peer, name, len);
	s->hnext = t->b[h & (t->nb - 1)];
	t->b[h & (t->nb - 1)] = s;
	s->next = t->all;
	if (t->all)
		t->all->prev = s;
	t->all = s;
	if (++t->n > t->nb)
		tab_grow(t);
	gw_conn_arm_recv(s->c);
	gw_conn_timer(s->c, T_CONN_IDLE, gwd.o.udp_idle_ms);
	pr_debug("UDP %s from %s -> UDPRoute %s, %s", l->key, who, tr->name, ep->name);
	return s;
}

void gw_udp_arm(struct gw_worker *w, struct gw_acc *a)
{
	struct io_uring_sqe *sqe;

	/* the kernel lays each datagram out as header, client address, payload */
	memset(&a->msg, 0, sizeof(a->msg));
	a->msg.msg_namelen = sizeof(struct sockaddr_in6);
	sqe = gw_get_sqe(&w->r);
	io_uring_prep_recvmsg_multishot(sqe, a->fd, &a->msg, 0);
	sqe->flags |= IOSQE_BUFFER_SELECT;
	sqe->buf_group = w->r.bgid;
	io_uring_sqe_set_data64(sqe, gw_ud_encode(GW_OP_UDP, 0, a->ls->id));
	a->armed = true;
}

static void datagram(struct gw_worker *w, struct gw_acc *a, void *buf, int len)
{
	struct io_uring_recvmsg_out *o = io_uring_recvmsg_validate(buf, len, &a->msg);
	struct gw_udp_sess *s;
	struct gw_udp_tab *t;
	const void *name;
	void *payload;
	unsigned plen;
	uint64_t h;

	if (!o || o->namelen > a->msg.msg_namelen || !o->namelen) {
		pr_debug("UDP datagram without a valid source address on port %d; dropped",
			 a->ls->port);
		return;
	}
	if (o->flags & MSG_TRUNC) {
		pr_warn_ratelimited("UDP datagram of %u bytes on port %d is larger than a receive "
				    "buffer (%u); dropped", o->payloadlen, a->ls->port,
				    w->r.bufsz);
		return;
	}
	name = io_uring_recvmsg_name(o);
	payload = io_uring_recvmsg_payload(o, &a->msg);
	plen = io_uring_recvmsg_payload_length(o, len, &a->msg);
	h = flow_hash(a->ls->id, name, o->namelen);
	t = tab(w);
	s = t ? lookup(t, a->ls->id, h, name, o->namelen) : NULL;
	if (!s && !(s = sess_new(w, a, h, name, o->namelen)))
		return;
	s->last_ms = w->now_ms;
	if (send(s->c->fd, payload, plen, MSG_DONTWAIT) < 0) {
		int e = errno;

		/* a refusal reported by an earlier datagram: the next one picks again */
		if (e == ECONNREFUSED) {
			pr_debug("UDP backend of %s refused; ending the session", s->c->peer);
			sess_close(w, s);
		} else if (e != EAGAIN && e != ENOBUFS) {
			pr_warn_ratelimited("Couldn't send a datagram of %s to its backend: %s",
					    s->c->peer, strerror(e));
		}
	}
}

void gw_udp_listener_cqe(struct gw_worker *w, struct gw_acc *a, struct io_uring_cqe *cqe)
{
	int res = cqe->res;

	if (cqe->flags & IORING_CQE_F_BUFFER) {
		unsigned bid = cqe->flags >> IORING_CQE_BUFFER_SHIFT;

		if (a && a->ls && a->wanted && res > 0)
			datagram(w, a, gw_buf_addr(&w->r, bid), res);
		gw_buf_recycle(&w->r, bid);
		return;
	}
	if (res < 0 && res != -ENOBUFS && res != -ECANCELED)
		pr_warn_ratelimited("Couldn't receive on UDP port %d: %s",
				    a && a->ls ? a->ls->port : 0, strerror(-res));
}

size_t gw_udp_reply(struct gw_conn *c, const char *data, size_t len)
{
	struct gw_udp_sess *s = c->udp;

	if (!s)
		return len;
	if (!s->acc->ls || s->acc->ls->id != s->lsock) {
		/* the listener went away with a reload: so does the session */
		sess_close(c->w, s);
		return len;
	}
	s->last_ms = c->w->now_ms;
	/* a full buffer may be the head of a larger datagram: never forward part of one */
	if (len >= c->w->r.bufsz) {
		pr_warn_ratelimited("UDP datagram from the backend of %s fills a receive buffer "
				    "(%u bytes) and may be truncated; dropped", c->peer,
				    c->w->r.bufsz);
		return len;
	}
	if (sendto(s->acc->fd, data, len, MSG_DONTWAIT, (struct sockaddr *)&s->peer, s->plen) < 0 &&
	    errno != EAGAIN && errno != ENOBUFS)
		pr_debug("Couldn't send a datagram to %s: %s", c->peer, strerror(errno));
	return len;
}

void gw_udp_eof(struct gw_conn *c, int err)
{
	struct gw_udp_sess *s = c->udp;

	if (!err && s) {
		/* not an end: a datagram without payload, which UDP allows */
		c->flags &= ~CF_EOF;
		gw_udp_reply(c, "", 0);
		return;
	}
	pr_debug("UDP session of %s: the backend %s; ending it", c->peer,
		 err == -ECONNREFUSED ? "refused" : "failed");
	if (s)
		sess_close(c->w, s);
	else
		gw_conn_close(c);
}

void gw_udp_timer(struct gw_conn *c, int kind)
{
	struct gw_udp_sess *s = c->udp;
	uint64_t idle;

	(void)kind;
	if (!s) {
		gw_conn_close(c);
		return;
	}
	/* the timer is not moved per datagram: it checks when it fires */
	idle = c->w->now_ms - s->last_ms;
	if (idle < gwd.o.udp_idle_ms) {
		gw_conn_timer(c, T_CONN_IDLE, gwd.o.udp_idle_ms - idle);
		return;
	}
	pr_debug("UDP session of %s idle for %llu ms; ending it", c->peer,
		 (unsigned long long)idle);
	sess_close(c->w, s);
}

void gw_udp_close_all(struct gw_worker *w)
{
	while (w->udp && w->udp->all)
		sess_close(w, w->udp->all);
}
