/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * io_uring plumbing for gwd workers: ring setup with feature fallbacks, a
 * provided-buffer ring for multishot recv, and the user_data encoding every
 * SQE carries: op (8 bits) | generation (24 bits) | slot (32 bits). The
 * generation tells a completion for a connection slot apart from one for
 * an earlier connection that used the same slot.
 */
#ifndef GW_URING_H
#define GW_URING_H

#include <liburing.h>
#include <stdbool.h>
#include <stdint.h>

enum gw_op {
	GW_OP_NONE,
	GW_OP_ACCEPT,		/* slot = listener socket id */
	GW_OP_RECV,
	GW_OP_SEND,
	GW_OP_CONNECT,
	GW_OP_CANCEL,
	GW_OP_CLOSE,
	GW_OP_WAKE,		/* eventfd read: main thread wants attention */
	GW_OP_UDP,		/* multishot recvmsg on a UDP listener; slot = its socket id */
	GW_OP_SPLICE_IN,	/* tunnel socket -> pipe (l4splice.c); slot = the source */
	GW_OP_SPLICE_OUT,	/* pipe -> the other socket */
	GW_OP__COUNT,
};

static inline uint64_t gw_ud_encode(enum gw_op op, uint32_t gen, uint32_t slot)
{
	return (uint64_t)op << 56 | (uint64_t)(gen & 0xffffff) << 32 | slot;
}

static inline enum gw_op gw_ud_op(uint64_t ud)
{
	return (enum gw_op)(ud >> 56);
}

static inline uint32_t gw_ud_gen(uint64_t ud)
{
	return (uint32_t)(ud >> 32) & 0xffffff;
}

static inline uint32_t gw_ud_slot(uint64_t ud)
{
	return (uint32_t)ud;
}

struct gw_ring {
	struct io_uring ring;
	bool defer_taskrun;	/* SINGLE_ISSUER|DEFER_TASKRUN accepted */
	/* provided buffers for multishot recv */
	struct io_uring_buf_ring *br;
	char *bufs;
	unsigned nbufs;
	unsigned bufsz;
	unsigned short bgid;
	bool recv_multishot;	/* kernel supports multishot recv with provided buffers */
};

/**
 * Sets up the calling thread's ring (entries SQEs, CQ 8x) and a buffer ring
 * of nbufs buffers of bufsz bytes. Flags degrade with a log line when the
 * kernel refuses them. Returns 0 or -errno.
 */
int gw_ring_init(struct gw_ring *r, unsigned entries, unsigned nbufs, unsigned bufsz);
void gw_ring_exit(struct gw_ring *r);

/** An SQE, submitting the queue first if it is full. Never NULL. */
struct io_uring_sqe *gw_get_sqe(struct gw_ring *r);

/** Gives provided buffer bid back to the kernel. */
static inline void gw_buf_recycle(struct gw_ring *r, unsigned bid)
{
	io_uring_buf_ring_add(r->br, r->bufs + (size_t)bid * r->bufsz, r->bufsz, (unsigned short)bid,
			      io_uring_buf_ring_mask(r->nbufs), 0);
	io_uring_buf_ring_advance(r->br, 1);
}

static inline char *gw_buf_addr(struct gw_ring *r, unsigned bid)
{
	return r->bufs + (size_t)bid * r->bufsz;
}

#endif
