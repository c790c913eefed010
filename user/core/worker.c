// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The worker loop: one io_uring per thread, multishot accept on every
 * listening socket, multishot recv with provided buffers on every
 * connection, one io_uring_submit_and_wait_timeout() per turn, timers from
 * a heap. Work that a completion causes on other connections (processing
 * buffered input, sending, re-arming recv) is deferred to lists drained at
 * the end of the batch, so no handler ever re-enters another connection's
 * handler and several outputs of one turn leave in one send.
 *
 * TLS (client connections on HTTPS ports) sits below the byte stream the
 * HTTP code sees: received ciphertext is fed to the connection's
 * gw_tls_conn and the plaintext read from it goes where plaintext input
 * goes; output is queued as plaintext in c->out and encrypted when it is
 * sent, GW_TLS_SEND_CHUNK at a time, so c->out still measures what waits
 * (backpressure) and sends come from the engine's pending ciphertext.
 */
#include <errno.h>
#include <malloc.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "loader/config/model.h"
#include "gw/log.h"
#include "gwd_internal.h"

struct gwd gwd;

uint64_t gw_rand(struct gw_worker *w)
{
	/* xorshift64*: per worker, no shared state, good enough for picking */
	w->rng ^= w->rng >> 12;
	w->rng ^= w->rng << 25;
	w->rng ^= w->rng >> 27;
	return w->rng * 0x2545F4914F6CDD1Dull;
}

static struct gw_conn *slot_conn(struct gw_worker *w, uint64_t ud)
{
	uint32_t slot = gw_ud_slot(ud);
	struct gw_conn *c;

	if (slot >= w->nslots)
		return NULL;
	c = w->slots[slot];
	return c && c->gen == gw_ud_gen(ud) ? c : NULL;
}

struct gw_conn *gw_conn_new(struct gw_worker *w, enum gw_conn_kind kind, int fd)
{
	struct gw_conn *c = calloc(1, sizeof(*c));
	uint32_t slot;

	if (!c)
		return NULL;
	if (w->nfree) {
		slot = w->free_slots[--w->nfree];
	} else {
		if (w->nslots == w->capslots) {
			uint32_t ncap = w->capslots ? w->capslots * 2 : 1024;
			struct gw_conn **ns = realloc(w->slots, ncap * sizeof(*ns));
			uint32_t *nf, *ng;

			if (!ns) {
				free(c);
				return NULL;
			}
			w->slots = ns;
			nf = realloc(w->free_slots, ncap * sizeof(*nf));
			if (!nf) {
				free(c);
				return NULL;
			}
			w->free_slots = nf;
			ng = realloc(w->slot_gen, ncap * sizeof(*ng));
			if (!ng) {
				free(c);
				return NULL;
			}
			memset(ng + w->capslots, 0, (ncap - w->capslots) * sizeof(*ng));
			w->slot_gen = ng;
			w->capslots = ncap;
		}
		slot = w->nslots++;
	}
	c->slot = slot;
	c->gen = ++w->slot_gen[slot] & 0xffffff;
	c->fd = fd;
	c->kind = (uint8_t)kind;
	c->w = w;
	c->timer.owner = c;
	w->slots[slot] = c;
	w->nconns++;
	if (kind == CK_CLIENT) {
		w->nclients++;
		GW_GAUGE_ADD(w->id, conns_active, 1);
		GW_GAUGE_ADD(w->id, conns_accepted, 1);
	} else {
		GW_GAUGE_ADD(w->id, upstream_active, 1);
	}
	return c;
}

static void conn_free(struct gw_conn *c)
{
	struct gw_worker *w = c->w;

	gw_timer_del(&w->timers, &c->timer);
	gw_oq_clear(&c->out);
	/* only now: no send refers to its ciphertext any more */
	gw_tls_conn_free(c->tls);
	free(c->tls_label);
	free(c->in);
	w->slots[c->slot] = NULL;
	w->free_slots[w->nfree++] = c->slot;
	w->nconns--;
	free(c);
}

/* A closed connection is freed once no SQE refers to it and no list holds it. */
static void conn_maybe_free(struct gw_conn *c)
{
	if ((c->flags & CF_CLOSING) && !c->nops && !(c->flags & (CF_REARM | CF_PENDING | CF_FLUSH)))
		conn_free(c);
}

void gw_conn_arm_recv(struct gw_conn *c)
{
	struct gw_ring *r = &c->w->r;
	struct io_uring_sqe *sqe;

	if (c->flags & (CF_RECV | CF_CLOSING | CF_PAUSED | CF_EOF | CF_VIRT))
		return;
	/*
	 * The backend of an HTTP/2 client's stream: one single-shot recv at a
	 * time, of what the stream's budgets allow. A multishot recv would go
	 * on taking what the kernel holds (up to 32 buffers a wakeup) until its
	 * cancel lands: 256 KiB a stream of a zero-window client
	 * (CVE-2019-9517) where the backend's socket buffer should have held it.
	 */
	if (c->kind == CK_UPSTREAM && !c->h2up && !(c->flags & CF_PASS) && c->x && c->x->c &&
	    (c->x->c->flags & CF_VIRT)) {
		size_t q = gw_h2_recv_quota(c->x->c, r->bufsz);

		if (!q) {
			c->flags |= CF_PAUSED;	/* resumed when the stream has room */
			return;
		}
		sqe = gw_get_sqe(r);
		io_uring_prep_recv(sqe, c->fd, NULL, (unsigned)q, 0);
		c->recv_quota = (uint32_t)q;
	} else if (r->recv_multishot) {
		sqe = gw_get_sqe(r);
		io_uring_prep_recv_multishot(sqe, c->fd, NULL, 0, 0);
	} else {
		sqe = gw_get_sqe(r);
		io_uring_prep_recv(sqe, c->fd, NULL, r->bufsz, 0);
	}
	sqe->flags |= IOSQE_BUFFER_SELECT;
	sqe->buf_group = r->bgid;
	io_uring_sqe_set_data64(sqe, gw_ud_encode(GW_OP_RECV, c->gen, c->slot));
	c->flags |= CF_RECV;
	c->nops++;
}

static void submit_cancel(struct gw_conn *c, enum gw_op op)
{
	struct io_uring_sqe *sqe = gw_get_sqe(&c->w->r);

	io_uring_prep_cancel64(sqe, gw_ud_encode(op, c->gen, c->slot), 0);
	io_uring_sqe_set_data64(sqe, gw_ud_encode(GW_OP_CANCEL, c->gen, c->slot));
	c->nops++;
}

void gw_conn_flush(struct gw_conn *c)
{
	if (c->flags & (CF_FLUSH | CF_CLOSING))
		return;
	c->flags |= CF_FLUSH;
	c->flush_next = c->w->flush;
	c->w->flush = c;
}

const char *gw_conn_scheme(const struct gw_conn *c)
{
	if (c && c->h2parent)
		c = c->h2parent;
	return c && c->tls ? "https" : "http";
}


bool gw_conn_misdirected(const struct gw_conn *c, const struct gw_rt_listener *lst)
{
	const struct gw_tls_listener_info *li;
	const struct gw_obj *o = lst->l->owner;
	char owner[512];

	if (c->h2parent)
		c = c->h2parent;
	if (!c->tls)
		return false;
	li = gw_tls_conn_listener(c->tls);
	if (!li)
		return true;
	/* by name, as the engine spells the owner: the context may be older than the table */
	snprintf(owner, sizeof(owner), "%s%s%s", o->ns ? o->ns : "", o->ns ? "/" : "",
		 o->name);
	return strcmp(li->name, lst->l->name) || strcmp(li->owner, owner);
}

/* Output still to send: queued plaintext plus, over TLS, pending ciphertext. */
static size_t conn_out_bytes(const struct gw_conn *c)
{
	return c->out.bytes + (c->tls ? gw_tls_out_bytes(c->tls) : 0);
}

/*
 * Encrypts queued plaintext until max ciphertext bytes are pending. False
 * when the TLS connection can no longer write (after a fatal error).
 */
static bool tls_encrypt(struct gw_conn *c, size_t max)
{
	struct iovec iov[8];

	while (c->out.bytes && gw_tls_out_bytes(c->tls) < max) {
		size_t room = max - gw_tls_out_bytes(c->tls), used = 0;
		int n = gw_oq_iov(&c->out, iov, 8);

		for (int i = 0; i < n && used < room; i++) {
			size_t len = iov[i].iov_len < room - used ? iov[i].iov_len : room - used;
			ssize_t r = gw_tls_write(c->tls, iov[i].iov_base, len);

			if (r == -EAGAIN)
				break;	/* handshake not done: the plaintext waits */
			if (r < 0) {
				pr_debug("Couldn't encrypt %zu bytes for %s: %s %s", len, c->peer,
					 strerror((int)-r), gw_tls_conn_errmsg(c->tls));
				return false;
			}
			used += len;
		}
		if (!used)
			break;
		gw_oq_consume(&c->out, used);
	}
	return true;
}

static void conn_send(struct gw_conn *c)
{
	struct io_uring_sqe *sqe;
	int n;

	if (c->flags & (CF_SENDING | CF_CONNECTING | CF_CLOSING))
		return;
	if (c->flags & CF_VIRT) {
		if (c->kind == CK_CLIENT)
			gw_h2_stream_out(c);
		return;
	}
	if (c->h2up)
		gw_h2up_pull(c);
	if (c->flags & CF_CLOSING)
		return;
	if (c->h2) {
		gw_h2_pull(c);
		if ((c->flags & CF_CLOSE_AFTER) && !conn_out_bytes(c)) {
			gw_conn_finish(c);
			return;
		}
	}
	if (c->tls) {
		if (!tls_encrypt(c, GW_TLS_SEND_CHUNK)) {
			gw_conn_close(c);
			return;
		}
		n = gw_tls_pending_outv(c->tls, c->iov, 8);
		if (!n)
			return;
	} else {
		if (!c->out.bytes)
			return;
		n = gw_oq_iov(&c->out, c->iov, 8);
	}
	c->sending = 0;
	for (int i = 0; i < n; i++)
		c->sending += (uint32_t)c->iov[i].iov_len;
	sqe = gw_get_sqe(&c->w->r);
	if (n == 1) {
		io_uring_prep_send(sqe, c->fd, c->iov[0].iov_base, c->iov[0].iov_len, MSG_NOSIGNAL);
	} else {
		memset(&c->msg, 0, sizeof(c->msg));
		c->msg.msg_iov = c->iov;
		c->msg.msg_iovlen = (size_t)n;
		io_uring_prep_sendmsg(sqe, c->fd, &c->msg, MSG_NOSIGNAL);
	}
	io_uring_sqe_set_data64(sqe, gw_ud_encode(GW_OP_SEND, c->gen, c->slot));
	c->flags |= CF_SENDING;
	c->nops++;
}

bool gw_conn_put(struct gw_conn *c, const void *p, size_t n)
{
	if (c->flags & CF_CLOSING)
		return false;
	if (gw_oq_put(&c->out, p, n)) {
		pr_warn_ratelimited("Couldn't queue %zu bytes for a connection: out of memory; "
				    "closing it", n);
		gw_conn_close(c);
		return false;
	}
	gw_conn_flush(c);
	return true;
}

void gw_conn_close(struct gw_conn *c)
{
	struct gw_worker *w = c->w;
	struct io_uring_sqe *sqe;

	if (c->flags & CF_CLOSING)
		return;
	if (c->flags & CF_VIRT) {
		/* no socket: the stream is reset if it did not end */
		c->flags |= CF_CLOSING;
		gw_timer_del(&w->timers, &c->timer);
		if (c->kind == CK_CLIENT) {
			w->nclients--;
			GW_GAUGE_ADD(w->id, conns_active, (uint64_t)-1);
			gw_h2_stream_gone(c);
		} else {
			GW_GAUGE_ADD(w->id, upstream_active, (uint64_t)-1);
			gw_h2up_stream_gone(c);
		}
		conn_maybe_free(c);
		return;
	}
	if (c->flags & CF_SPLICE)
		gw_splice_close(c);	/* closes the other end too */
	if (c->h2)
		gw_h2_free(c);
	if (c->h2up)
		gw_h2up_free(c);
	if (c->tls && !(c->flags & CF_SENDING) && !gw_tls_shutdown(c->tls)) {
		/* best effort: close_notify (and what else is pending) if the socket takes it */
		struct msghdr msg = { .msg_iov = c->iov };

		msg.msg_iovlen = (size_t)gw_tls_pending_outv(c->tls, c->iov, 8);
		if (msg.msg_iovlen)
			(void)sendmsg(c->fd, &msg, MSG_DONTWAIT | MSG_NOSIGNAL);
	}
	if (c->flags & CF_POOLED)
		gw_pool_remove(c);
	c->flags |= CF_CLOSING;
	if (c->tun) {
		/* the other end of a passthrough tunnel sends what it has, then its FIN */
		struct gw_conn *t = c->tun;

		t->tun = NULL;
		c->tun = NULL;
		gw_conn_finish(t);
	}
	gw_timer_del(&w->timers, &c->timer);
	if (c->kind == CK_CLIENT) {
		w->nclients--;
		GW_GAUGE_ADD(w->id, conns_active, (uint64_t)-1);
	} else {
		struct gw_ep_state *st = gw_ep(w, c->ep);

		GW_GAUGE_ADD(w->id, upstream_active, (uint64_t)-1);
		if (st && st->nconns) {
			st->nconns--;
			gw_ep_kick(w, c->ep);
		}
	}
	/*
	 * An upstream connection gwd closes (pool overflow, idle timeout,
	 * error) is reset, not shut down: its TIME_WAIT would stay on this
	 * node's ports, and with enough churn connect() spends whole loop
	 * turns searching for a free port (seen: a worker stalled for seconds
	 * in __inet_hash_connect). Not TLS (close_notify is owed) and not
	 * passthrough tunnels (their ends are the peers').
	 */
	if (c->kind == CK_UPSTREAM && !c->tls && !(c->flags & CF_PASS)) {
		struct linger lg = { .l_onoff = 1, .l_linger = 0 };

		(void)setsockopt(c->fd, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
	}
	/* io_uring holds its own file reference: a pending recv must be cancelled */
	if ((c->flags & CF_RECV) && !(c->flags & CF_RECV_CANCEL)) {
		submit_cancel(c, GW_OP_RECV);
		c->flags |= CF_RECV_CANCEL;
	}
	if (c->flags & CF_CONNECTING)
		submit_cancel(c, GW_OP_CONNECT);
	sqe = gw_get_sqe(&w->r);
	io_uring_prep_close(sqe, c->fd);
	io_uring_sqe_set_data64(sqe, gw_ud_encode(GW_OP_CLOSE, c->gen, c->slot));
	c->nops++;
	c->fd = -1;
}

void gw_conn_recv_restart(struct gw_conn *c)
{
	/* the final completion of the cancelled recv arms the next one (handle_recv) */
	if ((c->flags & CF_RECV) && !(c->flags & (CF_RECV_CANCEL | CF_CLOSING))) {
		submit_cancel(c, GW_OP_RECV);
		c->flags |= CF_RECV_CANCEL;
	}
}

void gw_conn_pause(struct gw_conn *c)
{
	if (c->flags & (CF_PAUSED | CF_CLOSING))
		return;
	c->flags |= CF_PAUSED;
	if ((c->flags & CF_RECV) && !(c->flags & CF_RECV_CANCEL)) {
		submit_cancel(c, GW_OP_RECV);
		c->flags |= CF_RECV_CANCEL;
	}
}

void gw_conn_resume(struct gw_conn *c)
{
	if (!(c->flags & CF_PAUSED) || (c->flags & CF_CLOSING))
		return;
	c->flags &= ~CF_PAUSED;
	if (c->flags & CF_VIRT) {
		if (c->kind == CK_CLIENT)
			gw_h2_stream_resumed(c);
		else
			gw_h2up_stream_resumed(c);
	}
	/* with the cancel still in flight, the final recv completion re-arms */
	if (!(c->flags & CF_RECV))
		gw_conn_arm_recv(c);
	gw_conn_pend(c);
}

void gw_conn_pend(struct gw_conn *c)
{
	struct gw_worker *w = c->w;

	if (c->flags & (CF_PENDING | CF_CLOSING))
		return;
	c->flags |= CF_PENDING;
	c->pend_next = w->pending;
	w->pending = c;
}

static void rearm_later(struct gw_conn *c)
{
	struct gw_worker *w = c->w;

	if (c->flags & (CF_REARM | CF_CLOSING))
		return;
	c->flags |= CF_REARM;
	c->rearm_next = w->rearm;
	w->rearm = c;
}

void gw_conn_timer(struct gw_conn *c, int kind, uint64_t ms)
{
	c->timer.kind = (uint8_t)kind;
	if (gw_timer_set(&c->w->timers, &c->timer, c->w->now_ms + ms))
		pr_warn_ratelimited("Couldn't arm a connection timer: out of memory");
}

void gw_conn_timer_del(struct gw_conn *c)
{
	gw_timer_del(&c->w->timers, &c->timer);
}

void gw_conn_finish(struct gw_conn *c)
{
	if (c->flags & (CF_CLOSING | CF_LINGER))
		return;
	if (c->flags & CF_VIRT) {
		if (c->kind == CK_CLIENT)
			gw_h2_stream_end(c);
		else
			gw_conn_close(c);
		return;
	}
	if (c->tls) {
		/* all of the response, then close_notify, before our FIN */
		if (!tls_encrypt(c, SIZE_MAX)) {
			gw_conn_close(c);
			return;
		}
		gw_tls_shutdown(c->tls);
	}
	if (conn_out_bytes(c) && !(c->flags & (CF_SENDING | CF_CONNECTING))) {
		/*
		 * The last response of a closing connection goes out now, with
		 * our FIN right behind it: then the client closes second and
		 * TIME_WAIT stays here, not on its ephemeral ports (what nginx
		 * does too). Whatever does not fit is sent the usual way.
		 */
		struct msghdr msg = { .msg_iov = c->iov };
		ssize_t n;

		if (c->tls)
			msg.msg_iovlen = (size_t)gw_tls_pending_outv(c->tls, c->iov, 8);
		else
			msg.msg_iovlen = (size_t)gw_oq_iov(&c->out, c->iov, 8);
		n = sendmsg(c->fd, &msg, MSG_DONTWAIT | MSG_NOSIGNAL);
		if (n > 0 && c->tls) {
			gw_tls_consume_out(c->tls, (size_t)n);
		} else if (n > 0) {
			gw_oq_consume(&c->out, (size_t)n);
		} else if (n < 0 && errno != EAGAIN && errno != EINTR) {
			gw_conn_close(c);
			return;
		}
	}
	if (conn_out_bytes(c) || (c->flags & CF_SENDING)) {
		c->flags |= CF_CLOSE_AFTER;
		return;
	}
	if (c->flags & CF_EOF) {
		gw_conn_close(c);
		return;
	}
	/*
	 * Lingering close: FIN first and keep reading until the peer's FIN,
	 * so unread input (a pipelined request, a body we refused) does not
	 * turn our close into a RST that destroys the response in flight.
	 */
	c->flags |= CF_LINGER | CF_DISCARD;
	c->flags &= ~CF_CLOSE_AFTER;
	/*
	 * A plain syscall, not IORING_OP_SHUTDOWN: on Linux 6.18 the ring's
	 * shutdown runs from io-wq and, when the peer closes at once and the
	 * fd number is reused by the next accept, it was seen to shut down
	 * that new connection (clients got an empty reply, ~4% of
	 * Connection: close requests). One syscall per server-closed
	 * connection, none per request.
	 */
	if (shutdown(c->fd, SHUT_WR)) {
		/* the peer is gone already: nothing to linger for */
		gw_conn_close(c);
		return;
	}
	gw_conn_timer(c, T_CONN_LINGER, 2000);
	if (c->flags & CF_PAUSED)
		gw_conn_resume(c);
}

/* Copies input into c->in, which only grows past a head while a message is split. */
static bool in_append(struct gw_conn *c, const char *data, size_t len)
{
	size_t need = c->in_len + len;

	if (need > 4 * 1024 * 1024) {
		pr_warn_ratelimited("Input buffer of a connection over 4 MiB; closing it");
		return false;
	}
	if (need > c->in_cap) {
		size_t ncap = c->in_cap ? c->in_cap : 4096;
		char *p;

		while (ncap < need)
			ncap *= 2;
		p = realloc(c->in, ncap);
		if (!p) {
			pr_warn_ratelimited("Couldn't grow a connection's input buffer to %zu bytes",
					    ncap);
			return false;
		}
		c->in = p;
		c->in_cap = (uint32_t)ncap;
	}
	memcpy(c->in + c->in_len, data, len);
	c->in_len += (uint32_t)len;
	return true;
}

static size_t dispatch_input(struct gw_conn *c, const char *data, size_t len)
{
	static const char preface[] = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n";

	if (c->flags & CF_PASS)
		return gw_pass_input(c, data, len);
	if (c->flags & CF_UDP)
		return gw_udp_reply(c, data, len);
	if (c->h2)
		return gw_h2_input(c, data, len);
	if (c->kind == CK_CLIENT && !(c->flags & CF_VIRT) && !c->x && !c->nreq) {
		/* HTTP/2: chosen by ALPN, or prior knowledge (the connection preface) */
		bool alpn = c->tls && gw_tls_conn_proto(c->tls) == GW_TLS_PROTO_H2;
		size_t n = len < sizeof(preface) - 1 ? len : sizeof(preface) - 1;

		if (!alpn && !memcmp(data, preface, n) && n < sizeof(preface) - 1)
			return 0;	/* maybe the preface: wait for all of it */
		if (alpn || !memcmp(data, preface, n)) {
			int err = gw_h2_start(c);

			if (err) {
				pr_warn_ratelimited("Couldn't start an HTTP/2 session for %s: %s",
						    c->peer, strerror(-err));
				gw_conn_close(c);
				return len;
			}
			return gw_h2_input(c, data, len);
		}
		if (!c->tls) {
			ssize_t used = gw_h2_upgrade(c, data, len);

			if (used >= 0) {
				/* what follows (the client preface) is HTTP/2 */
				if ((size_t)used < len)
					gw_conn_pend(c);
				return (size_t)used;
			}
		}
	}
	return c->kind == CK_CLIENT ? gw_client_input(c, data, len) : gw_up_input(c, data, len);
}

/* Processes what c->in holds. */
static void conn_process(struct gw_conn *c)
{
	size_t used;

	if (!c->in_len || (c->flags & CF_CLOSING))
		return;
	used = dispatch_input(c, c->in, c->in_len);
	if (c->flags & CF_CLOSING)
		return;
	if (used) {
		memmove(c->in, c->in + used, c->in_len - used);
		c->in_len -= (uint32_t)used;
	}
	/* an idle connection keeps no buffer */
	if (!c->in_len) {
		free(c->in);
		c->in = NULL;
		c->in_cap = 0;
	}
}

/* New bytes: parsed in place from the provided buffer unless older input waits. */
static void conn_input(struct gw_conn *c, const char *data, size_t len)
{
	size_t used;

	if (c->in_len) {
		if (!in_append(c, data, len)) {
			gw_conn_close(c);
			return;
		}
		conn_process(c);
		return;
	}
	used = dispatch_input(c, data, len);
	if (c->flags & CF_CLOSING)
		return;
	if (used < len && !in_append(c, data + used, len - used))
		gw_conn_close(c);
}

static void conn_eof(struct gw_conn *c, int err)
{
	c->flags |= CF_EOF;
	if (c->flags & CF_PASS)
		gw_pass_eof(c, err);
	else if (c->flags & CF_UDP)
		gw_udp_eof(c, err);
	else if (c->kind == CK_CLIENT)
		gw_client_eof(c, err);
	else
		gw_up_eof(c, err);
}

/* Decrypts what the TLS connection holds and hands the plaintext on as input. */
static void tls_pump(struct gw_conn *c)
{
	char buf[16384];

	while (!(c->flags & (CF_CLOSING | CF_DISCARD | CF_EOF))) {
		ssize_t n = gw_tls_read(c->tls, buf, sizeof(buf));

		if (n > 0) {
			conn_input(c, buf, (size_t)n);
			continue;
		}
		if (n == -EAGAIN)
			break;
		if (n == 0 || n == -ECONNRESET) {
			/* close_notify, or the transport ended: like a FIN */
			conn_eof(c, 0);
			break;
		}
		pr_debug("TLS connection from %s failed: %s: %s", c->peer,
			 gw_tls_conn_err(c->tls) ? gw_tls_conn_err(c->tls) : strerror((int)-n),
			 gw_tls_conn_errmsg(c->tls));
		if (c->x) {
			conn_eof(c, -ECONNRESET);
		} else {
			/* a handshake failure: its alert goes out, then our FIN */
			c->flags |= CF_DISCARD;
			gw_conn_finish(c);
		}
		break;
	}
	if (!(c->flags & CF_CLOSING) && gw_tls_out_bytes(c->tls))
		gw_conn_flush(c);
}

static void tls_input(struct gw_conn *c, const char *data, size_t len)
{
	int err;

	if (c->flags & CF_EOF)
		return;
	err = gw_tls_feed_in(c->tls, data, len);
	if (err) {
		pr_warn_ratelimited("Couldn't take %zu TLS bytes from %s: %s; closing it", len,
				    c->peer, strerror(-err));
		gw_conn_close(c);
		return;
	}
	tls_pump(c);
}

void gw_conn_feed(struct gw_conn *c, const char *data, size_t len)
{
	/*
	 * A virtual connection has no operations in flight to keep it alive:
	 * the handler may close it (and, without this hold, free it) while
	 * conn_input still looks at it.
	 */
	c->nops++;
	conn_input(c, data, len);
	c->nops--;
	conn_maybe_free(c);
}

static void handle_recv(struct gw_worker *w, struct io_uring_cqe *cqe)
{
	struct gw_conn *c = slot_conn(w, cqe->user_data);
	bool more = cqe->flags & IORING_CQE_F_MORE;
	int res = cqe->res;

	if (c && !more) {
		c->flags &= ~(CF_RECV | CF_RECV_CANCEL);
		c->nops--;
		if (c->recv_quota) {
			/* its bytes are input now: counted in the stream's output from here */
			c->recv_quota = 0;
			if (c->x && c->x->c && (c->x->c->flags & CF_VIRT))
				gw_h2_recv_done(c->x->c);
		}
	}
	if (cqe->flags & IORING_CQE_F_BUFFER) {
		unsigned bid = cqe->flags >> IORING_CQE_BUFFER_SHIFT;

		if (c && res > 0 && !(c->flags & (CF_CLOSING | CF_DISCARD))) {
			if (c->tls)
				tls_input(c, gw_buf_addr(&w->r, bid), (size_t)res);
			else
				conn_input(c, gw_buf_addr(&w->r, bid), (size_t)res);
		}
		/* the data was consumed or copied: the buffer goes back at once */
		gw_buf_recycle(&w->r, bid);
	}
	if (!c)
		return;
	if (res == 0 && !(c->flags & CF_CLOSING)) {
		if (c->flags & CF_LINGER) {
			c->flags |= CF_EOF;
			gw_conn_close(c);
		} else if (c->tls && !(c->flags & CF_EOF)) {
			/* records still buffered are read first; the engine then reports the end */
			gw_tls_feed_eof(c->tls);
			if (!(c->flags & CF_DISCARD))
				tls_pump(c);
			if (!(c->flags & (CF_EOF | CF_CLOSING)))
				conn_eof(c, 0);
		} else if (!c->tls) {
			conn_eof(c, 0);
		} else {
			/* close_notify came first and was handled */
		}
	} else if (res < 0 && res != -ENOBUFS && res != -ECANCELED && !(c->flags & CF_CLOSING)) {
		if (res == -EINVAL && w->r.recv_multishot) {
			pr_info("io_uring: multishot recv unsupported; using single-shot recv");
			w->r.recv_multishot = false;
		} else if (!(c->flags & CF_EOF)) {
			conn_eof(c, res);
		}
	}
	if (!(c->flags & (CF_RECV | CF_CLOSING | CF_PAUSED | CF_EOF)))
		rearm_later(c);
	conn_maybe_free(c);
}

static void handle_send(struct gw_worker *w, struct io_uring_cqe *cqe)
{
	struct gw_conn *c = slot_conn(w, cqe->user_data);

	if (!c)
		return;
	c->nops--;
	c->flags &= ~CF_SENDING;
	if (c->flags & CF_CLOSING) {
		conn_maybe_free(c);
		return;
	}
	if (cqe->res < 0) {
		conn_eof(c, cqe->res);
		conn_maybe_free(c);
		return;
	}
	if (c->tls)
		gw_tls_consume_out(c->tls, (size_t)cqe->res);
	else
		gw_oq_consume(&c->out, (size_t)cqe->res);
	if (conn_out_bytes(c))
		conn_send(c);
	if (c->flags & CF_PASS)
		gw_pass_sent(c);
	else if (c->h2)
		gw_h2_sent(c);
	else if (c->kind == CK_CLIENT)
		gw_client_sent(c);
	else
		gw_up_sent(c);
	if (!conn_out_bytes(c) && !(c->flags & CF_SENDING) && (c->flags & CF_CLOSE_AFTER))
		gw_conn_finish(c);
	conn_maybe_free(c);
}

static void handle_connect(struct gw_worker *w, struct io_uring_cqe *cqe)
{
	struct gw_conn *c = slot_conn(w, cqe->user_data);

	if (!c)
		return;
	c->nops--;
	c->flags &= ~CF_CONNECTING;
	if (!(c->flags & CF_CLOSING) && (c->flags & CF_PASS))
		gw_pass_connected(c, cqe->res);
	else if (!(c->flags & CF_CLOSING) && c->tls)
		gw_up_tls_connected(c, cqe->res);
	else if (!(c->flags & CF_CLOSING))
		gw_up_connected(c, cqe->res);
	conn_maybe_free(c);
}

static struct gw_acc *find_acc(struct gw_worker *w, uint32_t id)
{
	for (int i = 0; i < w->nacc; i++)
		if (w->acc[i].ls && w->acc[i].ls->id == id)
			return &w->acc[i];
	return NULL;
}

static void acc_arm(struct gw_worker *w, struct gw_acc *a)
{
	struct io_uring_sqe *sqe;

	if (a->ls->udp) {
		gw_udp_arm(w, a);
		return;
	}
	sqe = gw_get_sqe(&w->r);
	io_uring_prep_multishot_accept(sqe, a->fd, NULL, NULL, SOCK_CLOEXEC);
	io_uring_sqe_set_data64(sqe, gw_ud_encode(GW_OP_ACCEPT, 0, a->ls->id));
	a->armed = true;
}

static void acc_cancel(struct gw_worker *w, struct gw_acc *a)
{
	struct io_uring_sqe *sqe = gw_get_sqe(&w->r);

	io_uring_prep_cancel64(sqe,
			       gw_ud_encode(a->ls->udp ? GW_OP_UDP : GW_OP_ACCEPT, 0, a->ls->id), 0);
	io_uring_sqe_set_data64(sqe, gw_ud_encode(GW_OP_CANCEL, 0, UINT32_MAX));
	a->wanted = false;
}

/* The TLS server context of a listening socket's port in the current table, or NULL. */
static struct gw_tls_ctx *port_tls_ctx(struct gw_worker *w, uint32_t lsock)
{
	const struct gw_rt_table *t = w->tbl;
	const struct gw_tpriv *p = t ? t->priv : NULL;

	for (int i = 0; p && p->tls && i < t->nports; i++)
		if (p->ids[i] == lsock)
			return p->tls[i];
	return NULL;
}

static bool port_passthrough(struct gw_worker *w, uint32_t lsock)
{
	const struct gw_rt_table *t = w->tbl;
	const struct gw_tpriv *p = t ? t->priv : NULL;

	for (int i = 0; p && i < t->nports; i++)
		if (p->ids[i] == lsock)
			return t->ports[i].passthrough || t->ports[i].tcp || t->ports[i].l4;
	return false;
}

void gw_peer_str(const struct sockaddr *sa, char *buf, size_t len)
{
	const struct sockaddr_in6 *s6 = (const struct sockaddr_in6 *)sa;

	buf[0] = '\0';
	if (sa->sa_family == AF_INET6 && IN6_IS_ADDR_V4MAPPED(&s6->sin6_addr))
		inet_ntop(AF_INET, &s6->sin6_addr.s6_addr[12], buf, (socklen_t)len);
	else if (sa->sa_family == AF_INET6)
		inet_ntop(AF_INET6, &s6->sin6_addr, buf, (socklen_t)len);
	else if (sa->sa_family == AF_INET)
		inet_ntop(AF_INET, &((const struct sockaddr_in *)sa)->sin_addr, buf, (socklen_t)len);
}

static void handle_accept(struct gw_worker *w, struct io_uring_cqe *cqe)
{
	struct gw_acc *a = find_acc(w, gw_ud_slot(cqe->user_data));
	struct sockaddr_storage ss = { 0 };
	socklen_t sl = sizeof(ss);
	uint32_t limit = (uint32_t)((gwd.o.max_conns + gwd.nworkers - 1) / gwd.nworkers);
	struct gw_tls_ctx *tctx;
	struct gw_conn *c;
	int fd = cqe->res, one = 1;

	if (a && !(cqe->flags & IORING_CQE_F_MORE)) {
		a->armed = false;
		if (a->wanted && !w->draining)
			acc_arm(w, a);
	}
	if (fd < 0) {
		if (fd != -ECANCELED)
			pr_warn_ratelimited("Couldn't accept a connection on port %d: %s",
					    a ? a->ls->port : 0, strerror(-fd));
		return;
	}
	if (!a || !a->wanted || w->draining || w->nclients >= limit) {
		if (w->nclients >= limit) {
			GW_GAUGE_ADD(w->id, conns_rejected, 1);
			pr_warn_ratelimited("Connection limit (--max-conns %d) reached; closing a "
					    "new connection", gwd.o.max_conns);
		}
		close(fd);
		return;
	}
	c = gw_conn_new(w, CK_CLIENT, fd);
	if (!c) {
		pr_warn_ratelimited("Couldn't allocate a connection: out of memory");
		close(fd);
		return;
	}
	c->lsock = a->ls->id;
	if (port_passthrough(w, a->ls->id))
		c->flags |= CF_PASS;
	tctx = port_tls_ctx(w, a->ls->id);
	if (tctx) {
		/* takes a reference: the context outlives a reload for this connection */
		c->tls = gw_tls_conn_new(tctx, (c->flags & CF_PASS) ? &gw_pass_tls_cbs : NULL, c);
		if (!c->tls) {
			pr_warn_ratelimited("Couldn't set up TLS for a connection on port %d: %s",
					    a->ls->port, strerror(errno));
			gw_conn_close(c);
			return;
		}
	}
	/* per connection, not per request: the peer address for X-Forwarded-For */
	if (!getpeername(fd, (struct sockaddr *)&ss, &sl))
		gw_peer_str((struct sockaddr *)&ss, c->peer, sizeof(c->peer));
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	/* a TCP listener's tunnel connects to its backend at once (passthrough.c) */
	if ((c->flags & CF_PASS) && gw_pass_l4_accept(c, (struct sockaddr *)&ss, sl))
		return;
	gw_conn_arm_recv(c);
	gw_conn_timer(c, T_CONN_HEADER, gwd.o.header_timeout_ms);
}

static void arm_wake(struct gw_worker *w)
{
	struct io_uring_sqe *sqe = gw_get_sqe(&w->r);

	io_uring_prep_read(sqe, w->wake_fd, &w->wake_val, sizeof(w->wake_val), 0);
	io_uring_sqe_set_data64(sqe, gw_ud_encode(GW_OP_WAKE, 0, 0));
}

void gw_worker_wake(struct gw_worker *w)
{
	uint64_t one = 1;

	if (write(w->wake_fd, &one, sizeof(one)) != sizeof(one))
		pr_warn("Couldn't wake worker %d: %s", w->id, strerror(errno));
}

static void handle_cqe(struct gw_worker *w, struct io_uring_cqe *cqe)
{
	struct gw_conn *c;

	switch (gw_ud_op(cqe->user_data)) {
	case GW_OP_ACCEPT:
		handle_accept(w, cqe);
		break;
	case GW_OP_RECV:
		handle_recv(w, cqe);
		break;
	case GW_OP_SEND:
		handle_send(w, cqe);
		break;
	case GW_OP_CONNECT:
		handle_connect(w, cqe);
		break;
	case GW_OP_CANCEL:
	case GW_OP_CLOSE:
		/* bookkeeping only: the operation's own completion carries its outcome */
		if (gw_ud_slot(cqe->user_data) == UINT32_MAX)
			break;
		c = slot_conn(w, cqe->user_data);
		if (!c)
			break;
		c->nops--;
		conn_maybe_free(c);
		break;
	case GW_OP_WAKE:
		arm_wake(w);
		break;
	case GW_OP_SPLICE_IN:
	case GW_OP_SPLICE_OUT:
		c = slot_conn(w, cqe->user_data);
		if (!c)
			break;
		c->nops--;
		gw_splice_done(c, gw_ud_op(cqe->user_data) == GW_OP_SPLICE_IN, cqe->res);
		conn_maybe_free(c);
		break;
	case GW_OP_UDP: {
		struct gw_acc *a = find_acc(w, gw_ud_slot(cqe->user_data));

		if (a && !(cqe->flags & IORING_CQE_F_MORE)) {
			a->armed = false;
			if (a->wanted && !w->draining)
				acc_arm(w, a);
		}
		gw_udp_listener_cqe(w, a, cqe);
		break;
	}
	default:
		pr_warn_ratelimited("Completion with unknown op %u", gw_ud_op(cqe->user_data));
	}
}

void gw_table_unref(struct gw_rt_table *t)
{
	if (__atomic_sub_fetch(&t->refs, 1, __ATOMIC_ACQ_REL))
		return;
	if (t->priv) {
		struct gw_tpriv *p = t->priv;

		for (int i = 0; p->tls && i < t->nports; i++)
			gw_tls_ctx_put(p->tls[i]);
		free(p->tls);
		free(p->lsocks);
		free(p->ids);
		free(p->bind_errors);
		free(p);
	}
	gw_rt_free(t);
	/*
	 * A table is megabytes of small blocks: give the freed pages back
	 * (glibc keeps them otherwise, and a reload would grow gwd by the old
	 * table). Once per table, on whichever thread dropped it last.
	 */
	malloc_trim(0);
}

/* Switches to the newest table; the old one lives while requests use it. */
static void adopt_table(struct gw_worker *w)
{
	uint64_t gen = __atomic_load_n(&gwd.gen, __ATOMIC_ACQUIRE);
	struct gw_rt_table *t;
	struct gw_tpriv *p;
	uint32_t *rr;

	if (gen == w->gen)
		return;
	t = __atomic_load_n(&gwd.table, __ATOMIC_ACQUIRE);
	if (w->tbl) {
		if (w->tbl_nreq) {
			if (w->nold == w->capold) {
				int ncap = w->capold ? w->capold * 2 : 8;
				struct gw_tref *no = realloc(w->old, (size_t)ncap * sizeof(*no));

				if (!no)
					return;	/* try again next turn */
				w->old = no;
				w->capold = ncap;
			}
			w->old[w->nold++] = (struct gw_tref){ w->tbl, w->tbl_nreq };
		} else {
			gw_table_unref(w->tbl);
		}
	}
	rr = calloc(t->nbackends + 1, sizeof(*rr));
	if (rr) {
		free(w->rr);
		w->rr = rr;
		w->nrr = t->nbackends;
	} else {
		w->nrr = 0;
	}
	w->tbl = t;
	w->tbl_nreq = 0;
	w->gen = gen;
	gw_ep(w, gw_rt_endpoint_count());
	/* listening sockets: arm the new, cancel the gone */
	p = t->priv;
	for (int i = 0; i < w->nacc; i++)
		w->acc[i].wanted = false;
	for (int i = 0; p && i < t->nports; i++) {
		struct gw_lsock *ls = p->lsocks[i];
		struct gw_acc *a;

		if (!ls)
			continue;
		a = find_acc(w, ls->id);
		if (!a) {
			int k;

			for (k = 0; k < w->nacc && w->acc[k].ls; k++)
				;
			if (k == GW_MAX_LSOCKS)
				continue;
			if (k == w->nacc)
				w->nacc++;
			a = &w->acc[k];
			a->ls = ls;
			a->fd = ls->fds[w->id];
			a->armed = false;
		}
		a->wanted = true;
	}
	for (int i = 0; i < w->nacc; i++) {
		struct gw_acc *a = &w->acc[i];

		if (!a->ls)
			continue;
		if (a->wanted && !a->armed && !w->draining)
			acc_arm(w, a);
		else if (!a->wanted) {
			if (a->armed)
				acc_cancel(w, a);
			a->ls = NULL;
		}
	}
	__atomic_store_n(&w->seen_gen, gen, __ATOMIC_RELEASE);
	pr_debug("serving route table generation %llu", (unsigned long long)gen);
}

static void start_drain(struct gw_worker *w)
{
	w->draining = true;
	for (int i = 0; i < w->nacc; i++) {
		if (w->acc[i].ls && w->acc[i].armed)
			acc_cancel(w, &w->acc[i]);
		w->acc[i].ls = NULL;
	}
	gw_udp_close_all(w);
	for (uint32_t i = 0; i < w->nslots; i++) {
		struct gw_conn *c = w->slots[i];

		if (!c || c->kind != CK_CLIENT || (c->flags & CF_CLOSING))
			continue;
		/* established passthrough tunnels run on until their peers end them */
		if ((c->flags & CF_PASS) && c->tun)
			continue;
		if (!gw_h2_idle(c))
			gw_h2_drain(c);	/* busy HTTP/2: GOAWAY, its streams finish */
		else
			gw_client_drain(c);
	}
	gw_pool_close_all(w);
}

static void run_lists(struct gw_worker *w)
{
	while (w->pending || w->flush || w->rearm || w->nkick) {
		gw_ep_run_kicks(w);
		while (w->pending) {
			struct gw_conn *c = w->pending;

			w->pending = c->pend_next;
			c->flags &= ~CF_PENDING;
			if (c->flags & CF_CLOSING)
				conn_maybe_free(c);
			else if (!(c->flags & CF_PAUSED))
				conn_process(c);
		}
		while (w->flush) {
			struct gw_conn *c = w->flush;

			w->flush = c->flush_next;
			c->flags &= ~CF_FLUSH;
			if (c->flags & CF_CLOSING)
				conn_maybe_free(c);
			else
				conn_send(c);
		}
		while (w->rearm) {
			struct gw_conn *c = w->rearm;

			w->rearm = c->rearm_next;
			c->flags &= ~CF_REARM;
			if (c->flags & CF_CLOSING)
				conn_maybe_free(c);
			else
				gw_conn_arm_recv(c);
		}
	}
}

static void run_timers(struct gw_worker *w)
{
	struct gw_timer *t;

	while ((t = gw_timer_first(&w->timers)) && t->deadline_ms <= w->now_ms) {
		gw_timer_del(&w->timers, t);
		if (t->kind >= T_EX_REQUEST)
			gw_exch_timer(t->owner, t->kind);
		else if (((struct gw_conn *)t->owner)->flags & CF_PASS)
			gw_pass_timer(t->owner, t->kind);
		else if (((struct gw_conn *)t->owner)->flags & CF_UDP)
			gw_udp_timer(t->owner, t->kind);
		else
			gw_conn_timer_fired(t->owner, t->kind);
	}
}

static void *worker_main(void *arg)
{
	struct gw_worker *w = arg;
	char name[16];
	bool stopping = false;

	snprintf(name, sizeof(name), "w%d", w->id);
	gw_log_set_thread(name);
	w->md = gw_rt_match_data_new();
	if (!w->md)
		gw_fatal("Couldn't allocate PCRE2 match data");
	arm_wake(w);
	for (;;) {
		struct __kernel_timespec ts;
		struct io_uring_cqe *cqe;
		struct gw_timer *t;
		unsigned head, n = 0;
		uint64_t wait_ms = 1000;
		int stop, ret;

		w->now_ms = gw_now_ms();
		adopt_table(w);
		stop = __atomic_load_n(&gwd.stop, __ATOMIC_ACQUIRE);
		if (stop && !w->draining)
			start_drain(w);
		if (stop == 2 || (w->draining && !w->nclients)) {
			if (!stopping)
				gw_pool_close_all(w);
			stopping = true;
			if (stop == 2 || !w->nconns)
				break;
		}
		run_timers(w);
		run_lists(w);
		if (gw_h2_budget_poll(w))
			run_lists(w);
		gw_accesslog_flush(w, false);
		if ((t = gw_timer_first(&w->timers)))
			wait_ms = t->deadline_ms > w->now_ms ? t->deadline_ms - w->now_ms : 0;
		if (wait_ms > 1000)
			wait_ms = 1000;
		if (stopping && wait_ms > 50)
			wait_ms = 50;
		ts.tv_sec = (long long)(wait_ms / 1000);
		ts.tv_nsec = (long long)(wait_ms % 1000) * 1000000;
		ret = io_uring_submit_and_wait_timeout(&w->r.ring, &cqe, 1, &ts, NULL);
		if (ret < 0 && ret != -ETIME && ret != -EINTR && ret != -EBUSY && ret != -EAGAIN)
			gw_fatal("io_uring_submit_and_wait_timeout failed");
		w->now_ms = gw_now_ms();
		io_uring_for_each_cqe(&w->r.ring, head, cqe) {
			handle_cqe(w, cqe);
			n++;
		}
		io_uring_cq_advance(&w->r.ring, n);
		if (*w->r.ring.cq.koverflow)
			pr_warn_ratelimited("io_uring completion queue overflowed (%u); the kernel "
					    "buffers completions until we catch up",
					    *w->r.ring.cq.koverflow);
		run_lists(w);
	}
	gw_accesslog_flush(w, true);
	gw_rt_match_data_free(w->md);
	gw_oq_thread_cleanup();
	gw_tls_thread_cleanup();
	__atomic_store_n(&w->exited, true, __ATOMIC_RELEASE);
	return NULL;
}

/* The ring is made in the worker's own thread (SINGLE_ISSUER); this waits for it. */
struct start_arg {
	struct gw_worker *w;
	int err;
	int done;
};

static void *worker_boot(void *arg)
{
	struct start_arg *sa = arg;
	struct gw_worker *w = sa->w;
	int err;

	err = gw_ring_init(&w->r, GW_RING_ENTRIES, GW_RECV_BUFS, GW_RECV_BUFSZ);
	sa->err = err;
	__atomic_store_n(&sa->done, 1, __ATOMIC_RELEASE);
	if (err)
		return NULL;
	return worker_main(w);
}

int gw_worker_start(struct gw_worker *w)
{
	struct start_arg sa = { .w = w };
	int err;

	w->wake_fd = eventfd(0, EFD_CLOEXEC);
	if (w->wake_fd < 0) {
		err = -errno;
		pr_warn("Couldn't create the wakeup eventfd of worker %d: %s", w->id,
			strerror(errno));
		return err;
	}
	w->rng = 0x9E3779B97F4A7C15ull ^ ((uint64_t)w->id << 32) ^ gw_now_ns();
	err = pthread_create(&w->thr, NULL, worker_boot, &sa);
	if (err) {
		pr_warn("Couldn't start worker thread %d: %s", w->id, strerror(err));
		return -err;
	}
	while (!__atomic_load_n(&sa.done, __ATOMIC_ACQUIRE))
		usleep(1000);
	if (sa.err) {
		pthread_join(w->thr, NULL);
		return sa.err;
	}
	return 0;
}
