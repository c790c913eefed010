// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * TCP listener tunnels (TCPRoute) moved by the kernel: with
 * --tcp-tunnel splice, once the backend is connected each direction is a
 * pipe and two io_uring IORING_OP_SPLICE operations, socket -> pipe and
 * pipe -> socket, so the bytes never enter gwd's memory (the recv/send
 * tunnel of passthrough.c copies every byte out of a provided buffer into
 * the output queue and sends it from there).
 *
 * At most one splice in and one splice out are in flight per direction;
 * a splice in is only submitted while the pipe has room for a whole chunk,
 * so it never waits on the pipe, only on its socket. The kernel always
 * runs splices from io-wq (IORING_OP_SPLICE is never tried inline), where
 * a splice in sleeps until its socket has data, and it looks the file
 * descriptors up only then: so no descriptor a pending splice names is
 * closed before that splice completed, or a new connection reusing the
 * number could be read from. Closing shuts both sockets down (which wakes
 * every sleeping splice), hands gw_conn_close() a duplicate to close, and
 * closes the original descriptors and the pipes with the last completion.
 *
 * The source's FIN becomes our FIN to the destination once its pipe is
 * empty (half-close, RFC 9293 3.6); when both directions ended, or on any
 * error, both connections close.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "gw/log.h"
#include "gwd_internal.h"

/* What one splice moves at most, and the pipe it moves through (room for a few). */
#define GW_SPLICE_CHUNK (64 * 1024)
#define GW_SPLICE_PIPE (256 * 1024)

struct gw_splice_dir {
	int pipe[2];		/* [0] read end, [1] write end */
	uint32_t piped;		/* bytes in the pipe, not yet spliced out */
	uint32_t cap;		/* the pipe's size */
	bool in_busy, out_busy;
	bool eof;		/* the source's FIN was read */
	bool done;		/* ... and our FIN went to the destination */
};

/* One tunnel: side[i] is the source of direction d[i]. */
struct gw_splice {
	struct gw_conn *side[2];	/* NULL once that side closed */
	struct gw_splice_dir d[2];
	int fd[2];		/* the sockets as the splices name them */
	int busy;		/* splices in flight */
	bool closing;
};

static int side_of(const struct gw_splice *sp, const struct gw_conn *c)
{
	return sp->side[1] == c;
}

static void submit(struct gw_splice *sp, int i, bool in)
{
	struct gw_conn *src = sp->side[i];
	struct gw_splice_dir *d = &sp->d[i];
	struct io_uring_sqe *sqe = gw_get_sqe(&src->w->r);

	if (in) {
		io_uring_prep_splice(sqe, sp->fd[i], -1, d->pipe[1], -1, GW_SPLICE_CHUNK,
				     SPLICE_F_MOVE);
		d->in_busy = true;
	} else {
		io_uring_prep_splice(sqe, d->pipe[0], -1, sp->fd[!i], -1, d->piped, SPLICE_F_MOVE);
		d->out_busy = true;
	}
	io_uring_sqe_set_data64(sqe, gw_ud_encode(in ? GW_OP_SPLICE_IN : GW_OP_SPLICE_OUT, src->gen,
						  src->slot));
	src->nops++;
	sp->busy++;
}

/* Submits what direction i can do now. */
static void pump(struct gw_splice *sp, int i)
{
	struct gw_splice_dir *d = &sp->d[i];

	if (sp->closing)
		return;
	if (d->piped && !d->out_busy)
		submit(sp, i, false);
	if (!d->eof && !d->in_busy && d->piped + GW_SPLICE_CHUNK <= d->cap)
		submit(sp, i, true);
	if (d->eof && !d->piped && !d->out_busy && !d->done) {
		d->done = true;
		/* our FIN to the destination; a plain syscall, as gw_conn_finish() explains */
		if (shutdown(sp->fd[!i], SHUT_WR) || sp->d[!i].done)
			gw_conn_close(sp->side[i]);	/* closes the other side too */
	}
}

static void release(struct gw_splice *sp)
{
	for (int i = 0; i < 2; i++) {
		close(sp->d[i].pipe[0]);
		close(sp->d[i].pipe[1]);
		close(sp->fd[i]);
	}
	free(sp);
}

bool gw_splice_start(struct gw_conn *c, struct gw_conn *u)
{
	struct gw_splice *sp = calloc(1, sizeof(*sp));
	int n = 0;

	if (!sp)
		goto fail;
	for (n = 0; n < 2; n++) {
		int sz;

		if (pipe2(sp->d[n].pipe, O_CLOEXEC | O_NONBLOCK))
			goto fail;
		sz = fcntl(sp->d[n].pipe[1], F_SETPIPE_SZ, GW_SPLICE_PIPE);
		sp->d[n].cap = sz > 0 ? (uint32_t)sz : 65536;
	}
	sp->side[0] = c;
	sp->side[1] = u;
	sp->fd[0] = c->fd;
	sp->fd[1] = u->fd;
	c->sp = u->sp = sp;
	c->flags |= CF_SPLICE;
	u->flags |= CF_SPLICE;
	pump(sp, 0);
	pump(sp, 1);
	return true;
fail:
	pr_warn_ratelimited("Couldn't create a pipe to splice a tunnel: %s; copying instead",
			    sp ? strerror(errno) : "out of memory");
	while (sp && n-- > 0) {
		close(sp->d[n].pipe[0]);
		close(sp->d[n].pipe[1]);
	}
	free(sp);
	return false;
}

void gw_splice_done(struct gw_conn *src, bool in, int res)
{
	struct gw_splice *sp = src->sp;
	struct gw_splice_dir *d;
	int i;

	if (!sp)
		return;
	sp->busy--;
	if (sp->closing) {
		if (!sp->busy)
			release(sp);
		return;
	}
	i = side_of(sp, src);
	d = &sp->d[i];
	if (in)
		d->in_busy = false;
	else
		d->out_busy = false;
	if (res < 0 && res != -EAGAIN && res != -EINTR) {
		/* a reset or error on either socket: both end, as the recv/send tunnel does */
		pr_debug("Tunnel from %s: splice %s failed: %s; closing it", src->peer,
			 in ? "in" : "out", strerror(-res));
		gw_conn_close(src);
		return;
	}
	if (res > 0 && in)
		d->piped += (uint32_t)res;
	else if (res > 0)
		d->piped -= (uint32_t)res;
	else if (!res && in)
		d->eof = true;
	pump(sp, i);
}

void gw_splice_close(struct gw_conn *c)
{
	struct gw_splice *sp = c->sp;
	struct gw_conn *t;

	if (!sp || sp->closing)
		return;
	sp->closing = true;
	for (int i = 0; i < 2; i++) {
		struct gw_conn *s = sp->side[i];

		s->flags &= ~CF_SPLICE;
		s->tun = NULL;
		/* wakes the splices sleeping on this socket in io-wq */
		(void)shutdown(sp->fd[i], SHUT_RDWR);
		/* gw_conn_close() closes a duplicate; the number the splices name stays ours */
		if (sp->busy && (s->fd = dup(sp->fd[i])) < 0) {
			pr_warn_ratelimited("Couldn't duplicate a tunnel socket: %s; it closes "
					    "late", strerror(errno));
			s->fd = -1;
		}
	}
	t = sp->side[!side_of(sp, c)];
	if (!sp->busy) {
		/* nothing refers to the descriptors: gw_conn_close() closes the sockets */
		for (int i = 0; i < 2; i++) {
			close(sp->d[i].pipe[0]);
			close(sp->d[i].pipe[1]);
			sp->side[i]->sp = NULL;
		}
		free(sp);
	}
	gw_conn_close(t);
}
