// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * TLS passthrough (TLSRoute on TLS listeners in mode Passthrough): the
 * client's first bytes are kept, not consumed, until they hold a whole
 * ClientHello (gw_tls_sniff_parse(), bounded by GW_TLS_SNIFF_MAX_BYTES and
 * by the request head timeout); its SNI picks the listener of the port and
 * then the TLSRoute (gw_tls_sniff_pick()), the route's weights a backend,
 * and a new connection to one of its endpoints replays the kept bytes.
 * From then on both connections are a tunnel: bytes flow both ways through
 * the usual recv and send completions, with the same backpressure as
 * proxied bodies. TLS is never terminated. Anything that does not route
 * (not TLS, malformed, no listener or route for the SNI, no usable
 * backend) closes the connection.
 *
 * TCP listeners gwd serves (TCPRoute, where the XDP tier is not attached)
 * are the same tunnel without the sniffing: the backend is chosen at
 * accept by the route's Maglev table (the XDP tier's, gw_l4_pick()), and
 * a connection it cannot serve is reset. Tunnels of plain sockets
 * half-close: one side's FIN becomes our FIN to the other once what it
 * sent is delivered, and the other direction keeps flowing until it ends
 * too (RFC 9293 3.6).
 */
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "loader/config/model.h"
#include "gw/log.h"
#include "gw/tls_sniff.h"
#include "gwd_internal.h"

const struct gw_rt_port *gw_port_of(const struct gw_worker *w, uint32_t lsock)
{
	const struct gw_rt_table *t = w->tbl;
	const struct gw_tpriv *p = t ? t->priv : NULL;

	for (int i = 0; p && i < t->nports; i++)
		if (p->ids[i] == lsock)
			return &t->ports[i];
	return NULL;
}

/* The listener of p for sni (hostname precedence), then its TLSRoute for sni. */
static const struct gw_rt_tlsroute *pick_route(const struct gw_rt_port *p, const char *sni)
{
	const char *pats[64];
	const struct gw_attachment *at;
	const struct gw_rt_listener *l;
	int n = p->nlisteners < 64 ? p->nlisteners : 64, i;

	for (i = 0; i < n; i++)
		pats[i] = p->listeners[i]->hostname;
	i = gw_tls_sniff_best(pats, n, sni);
	if (i < 0)
		return NULL;
	l = p->listeners[i];
	at = gw_tls_sniff_pick(l->l, sni);
	if (!at)
		return NULL;
	for (int k = 0; k < l->ntlsroutes; k++)
		if (l->tlsroutes[k].r == at->route)
			return &l->tlsroutes[k];
	return NULL;
}

static const struct gw_rt_backend *pick_backend(struct gw_worker *w,
						const struct gw_rt_tlsroute *tr)
{
	uint64_t x;

	if (!tr->total_weight)
		return NULL;
	x = gw_rand(w) % tr->total_weight;
	for (int i = 0; i < tr->nbackends; i++) {
		if (x < tr->backends[i].weight)
			return &tr->backends[i];
		x -= tr->backends[i].weight;
	}
	return NULL;
}

/* An endpoint of be that is not ejected (else any), from a random start. */
static const struct gw_rt_endpoint *pick_endpoint(struct gw_worker *w,
						  const struct gw_rt_backend *be)
{
	uint32_t n = (uint32_t)be->neps, start = (uint32_t)gw_rand(w);

	for (uint32_t k = 0; k < n; k++) {
		const struct gw_rt_endpoint *e = &be->eps[(start + k) % n];
		struct gw_ep_state *st = gw_ep(w, e->id);

		if (!st || st->ejected_until_ms <= w->now_ms)
			return e;
	}
	return n ? &be->eps[start % n] : NULL;
}

const struct gw_rt_endpoint *gw_l4_pick(const struct gw_rt_tlsroute *tr,
					const struct sockaddr *peer, socklen_t len, uint64_t hash)
{
	const struct sockaddr_in6 *s6 = (const struct sockaddr_in6 *)peer;
	bool v6 = peer->sa_family == AF_INET6 && len >= sizeof(*s6) &&
		  !IN6_IS_ADDR_V4MAPPED(&s6->sin6_addr);
	const struct gw_rt_maglev *m = &tr->maglev[v6];
	const struct gw_rt_l4ep *e;

	/*
	 * The client's family first, as in XDP (same table, same weights);
	 * unlike XDP, a userspace proxy can also reach the other family's
	 * endpoints when there are none of the client's.
	 */
	if (!m->size)
		m = &tr->maglev[!v6];
	if (!m->size)
		return NULL;
	e = &m->eps[m->table[hash % m->size]];
	return e->reject ? NULL : &e->ep;
}

/* Closes c with a reset (SO_LINGER 0): the nearest a TCP proxy gets to refusing it. */
static void pass_reset(struct gw_conn *c)
{
	struct linger lg = { .l_onoff = 1, .l_linger = 0 };

	(void)setsockopt(c->fd, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
	gw_conn_close(c);
}

/* A new (never pooled) connection to ep, tied to client c. */
static struct gw_conn *pass_connect(struct gw_conn *c, const struct gw_rt_endpoint *ep)
{
	struct gw_conn *u = gw_up_connect(c->w, ep, CF_PASS);

	if (!u)
		return NULL;
	u->tun = c;
	c->tun = u;
	return u;
}

/* Picks the TLSRoute for sni and connects to a backend; false (c closed) when none. */
static bool route(struct gw_conn *c, const char *sni)
{
	struct gw_worker *w = c->w;
	const struct gw_rt_tlsroute *tr;
	const struct gw_rt_backend *be;
	const struct gw_rt_endpoint *ep;
	const struct gw_rt_port *p;

	p = gw_port_of(w, c->lsock);
	tr = p && (p->passthrough || p->tcp) ? pick_route(p, sni) : NULL;
	if (!tr) {
		pr_debug("TLS passthrough: no TLSRoute for SNI '%s' from %s; closing it",
			 sni ? sni : "(none)", c->peer);
		gw_conn_close(c);
		return false;
	}
	be = pick_backend(w, tr);
	if (!be || be->state != GW_BE_OK || !(ep = pick_endpoint(w, be))) {
		pr_warn_ratelimited("TLSRoute %s: backend %s is not usable (%s); closing a "
				    "connection for SNI '%s'", tr->name, be ? be->name : "(none)",
				    !be ? "no backend with weight" : be->reason ? be->reason
				    : "no ready endpoint", sni ? sni : "(none)");
		gw_conn_close(c);
		return false;
	}
	if (!pass_connect(c, ep)) {
		gw_conn_close(c);
		return false;
	}
	pr_debug("TLS %s: SNI '%s' from %s -> TLSRoute %s, %s",
		 c->tls ? "terminated" : "passthrough", sni ? sni : "(none)", c->peer, tr->name,
		 ep->name);
	/* input stays in c->in; the client waits until the backend is connected */
	gw_conn_timer_del(c);
	gw_conn_pause(c);
	return true;
}

bool gw_pass_l4_accept(struct gw_conn *c, const struct sockaddr *peer, socklen_t len)
{
	struct gw_worker *w = c->w;
	const struct gw_rt_port *p = gw_port_of(w, c->lsock);
	const struct gw_rt_listener *l = p && p->l4 && p->nlisteners ? p->listeners[0] : NULL;
	const struct gw_rt_tlsroute *tr = l && l->ntlsroutes ? &l->tlsroutes[0] : NULL;
	const struct gw_rt_endpoint *ep;

	if (!p || !p->l4)
		return false;
	/* a flow's hash as XDP would pick by it; a random term so one client's connections spread */
	ep = tr ? gw_l4_pick(tr, peer, len, gw_rand(w)) : NULL;
	if (!ep) {
		pr_debug("TCP listener %s: %s for a connection from %s; resetting it",
			 l ? l->key : "?", !tr ? "no TCPRoute" : "no usable backend", c->peer);
		pass_reset(c);
		return true;
	}
	if (!pass_connect(c, ep)) {
		pass_reset(c);
		return true;
	}
	pr_debug("TCP %s from %s -> TCPRoute %s, %s", l->key, c->peer, tr->name, ep->name);
	/* nothing is read from the client until the backend is connected */
	gw_conn_pause(c);
	return true;
}

/* The first bytes of a client: routes by the ClientHello, or closes. */
static size_t sniff(struct gw_conn *c, const char *data, size_t len)
{
	struct gw_tls_hello h;
	int r;

	r = gw_tls_sniff_parse(data, len, &h);
	if (r == GW_TLS_SNIFF_INCOMPLETE)
		return 0;	/* kept in c->in until the rest arrives (or the timer fires) */
	if (r < 0) {
		pr_debug("TLS passthrough: %s from %s; closing it",
			 r == GW_TLS_SNIFF_NOT_TLS ? "not TLS" : "malformed ClientHello", c->peer);
		gw_conn_close(c);
		return len;
	}
	return route(c, h.has_sni ? h.sni : NULL) ? 0 : len;
}

/* TLS terminated by gwd (mode Terminate): the handshake's SNI routes. */
static void pass_handshake(struct gw_tls_conn *t, void *user, const char *err)
{
	struct gw_conn *c = user;

	(void)t;
	if (err || (c->flags & CF_CLOSING) || c->tun)
		return;	/* a failed handshake is handled by the read that reports it */
	route(c, gw_tls_conn_sni(c->tls));
}

const struct gw_tls_conn_cbs gw_pass_tls_cbs = { .on_handshake = pass_handshake };

size_t gw_pass_input(struct gw_conn *c, const char *data, size_t len)
{
	struct gw_conn *t = c->tun;

	if (!t) {
		if (c->kind == CK_CLIENT && !c->tls && !(c->flags & CF_DISCARD))
			return sniff(c, data, len);
		return len;	/* the other side is gone: nothing to forward to */
	}
	if (t->flags & CF_CONNECTING)
		return 0;	/* replayed once connected */
	gw_conn_put(t, data, len);
	if (t->out.bytes > GW_OQ_HIGH)
		gw_conn_pause(c);
	return len;
}

/* Both directions ended (each side's FIN received, ours sent to each): close both. */
static void pass_done(struct gw_conn *c)
{
	const uint32_t done = CF_EOF | CF_SHUT;
	struct gw_conn *t = c->tun;

	if ((c->flags & done) != done || (t && (t->flags & done) != done))
		return;
	if (t) {
		t->tun = NULL;
		c->tun = NULL;
		gw_conn_close(t);
	}
	gw_conn_close(c);
}

/*
 * Our FIN to c, once everything its peer's other half sent is delivered
 * to it: the tunnel's output to c sent, nothing of the other side's input
 * still waiting to be forwarded (replayed after a connect).
 */
static void pass_shut(struct gw_conn *c)
{
	struct gw_conn *t = c->tun;

	if (c->flags & (CF_SHUT | CF_CLOSING))
		return;
	c->flags |= CF_SHUT_AFTER;
	if (c->out.bytes || (c->flags & (CF_SENDING | CF_CONNECTING)) || (t && t->in_len))
		return;	/* gw_pass_sent() / gw_pass_connected() come back */
	c->flags &= ~CF_SHUT_AFTER;
	c->flags |= CF_SHUT;
	/* a plain syscall, as gw_conn_finish() explains */
	if (shutdown(c->fd, SHUT_WR)) {
		if (t) {
			t->tun = NULL;
			c->tun = NULL;
			gw_conn_close(t);
		}
		gw_conn_close(c);
		return;
	}
	pass_done(c);
}

void gw_pass_sent(struct gw_conn *c)
{
	struct gw_conn *t = c->tun;

	if (t && (t->flags & CF_PAUSED) && !(t->flags & CF_CONNECTING) &&
	    c->out.bytes < GW_OQ_LOW && !(c->flags & CF_CONNECTING))
		gw_conn_resume(t);
	if ((c->flags & CF_SHUT_AFTER) && !c->out.bytes && !(c->flags & CF_SENDING))
		pass_shut(c);
}

/*
 * One side ended. Plain tunnels half-close: the other side gets what is
 * queued for it, then our FIN, and keeps sending to this one. Over TLS
 * (terminated) both ends finish: close_notify has no half-close.
 */
void gw_pass_eof(struct gw_conn *c, int err)
{
	struct gw_conn *t = c->tun;

	if (t && !err && !c->tls && !t->tls) {
		pass_shut(t);
		return;
	}
	if (t) {
		t->tun = NULL;
		c->tun = NULL;
		if (err)
			gw_conn_close(t);
		else
			gw_conn_finish(t);
	}
	if (err)
		gw_conn_close(c);
	else
		gw_conn_finish(c);
}

void gw_pass_connected(struct gw_conn *u, int res)
{
	struct gw_worker *w = u->w;
	struct gw_conn *c = u->tun;

	gw_conn_timer_del(u);
	if (res < 0) {
		gw_ep_connect_failed(w, u->ep, "tunnel backend", res);
		pr_warn_ratelimited("Tunnel (TLS passthrough or TCP listener): connect to a "
				    "backend failed: %s; closing the client connection",
				    strerror(-res));
		if (c) {
			c->tun = NULL;
			u->tun = NULL;
			if (gw_port_of(w, c->lsock) && gw_port_of(w, c->lsock)->l4)
				pass_reset(c);
			else
				gw_conn_close(c);
		}
		gw_conn_close(u);
		return;
	}
	gw_ep_connect_ok(w, u->ep);
	if (!c) {
		gw_conn_close(u);
		return;
	}
	/* a TCP listener's tunnel (nothing read from the client yet) may be spliced */
	if (gwd.o.tcp_splice && !c->in_len && !(c->flags & CF_EOF) && gw_port_of(w, c->lsock) &&
	    gw_port_of(w, c->lsock)->l4 && gw_splice_start(c, u))
		return;
	gw_conn_arm_recv(u);
	/* the kept ClientHello (and whatever followed) goes first */
	gw_conn_resume(c);
	gw_conn_pend(c);
	/* the client's FIN came while connecting */
	if (u->flags & CF_SHUT_AFTER)
		pass_shut(u);
}

void gw_pass_timer(struct gw_conn *c, int kind)
{
	if (kind == T_UP_CONNECT) {
		gw_pass_connected(c, -ETIMEDOUT);
		return;
	}
	if (kind == T_CONN_HEADER && !c->tun)
		pr_debug("TLS passthrough: no complete ClientHello from %s in time; closing it",
			 c->peer);
	if (c->tun) {
		c->tun->tun = NULL;
		gw_conn_close(c->tun);
		c->tun = NULL;
	}
	gw_conn_close(c);
}
