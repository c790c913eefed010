// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <errno.h>
#include <string.h>
#include <sys/mman.h>

#include "gw/log.h"
#include "gw/uring.h"

int gw_ring_init(struct gw_ring *r, unsigned entries, unsigned nbufs, unsigned bufsz)
{
	struct io_uring_params p;
	struct io_uring_buf_reg reg = { 0 };
	size_t brsz;
	int err;

	memset(r, 0, sizeof(*r));
	memset(&p, 0, sizeof(p));
	/*
	 * SINGLE_ISSUER: only this worker thread submits, so the kernel skips
	 * submission locking. DEFER_TASKRUN: completion work runs when we
	 * wait, in batches, instead of interrupting us with task work.
	 * CQSIZE well above the SQ: each multishot recv and accept can post
	 * many completions per SQE. CLAMP: accept smaller limits rather than fail.
	 */
	p.flags = IORING_SETUP_SINGLE_ISSUER | IORING_SETUP_DEFER_TASKRUN | IORING_SETUP_CQSIZE |
		  IORING_SETUP_CLAMP;
	p.cq_entries = entries * 8;
	err = io_uring_queue_init_params(entries, &r->ring, &p);
	if (err == -EINVAL) {
		/* pre-6.1 kernels: COOP_TASKRUN still avoids IPIs for task work */
		pr_info("io_uring: DEFER_TASKRUN unsupported; falling back to COOP_TASKRUN");
		memset(&p, 0, sizeof(p));
		p.flags = IORING_SETUP_COOP_TASKRUN | IORING_SETUP_CQSIZE | IORING_SETUP_CLAMP;
		p.cq_entries = entries * 8;
		err = io_uring_queue_init_params(entries, &r->ring, &p);
	}
	if (err == -EINVAL) {
		pr_info("io_uring: COOP_TASKRUN unsupported; using a plain ring");
		memset(&p, 0, sizeof(p));
		p.flags = IORING_SETUP_CQSIZE | IORING_SETUP_CLAMP;
		p.cq_entries = entries * 8;
		err = io_uring_queue_init_params(entries, &r->ring, &p);
	}
	if (err) {
		pr_warn("Couldn't set up io_uring with %u entries: %s(%d)", entries, strerror(-err),
			-err);
		return err;
	}
	r->defer_taskrun = p.flags & IORING_SETUP_DEFER_TASKRUN;
	if (!(p.features & IORING_FEAT_NODROP))
		pr_info("io_uring: kernel may drop completions on CQ overflow (no FEAT_NODROP)");
	if (!(p.features & IORING_FEAT_EXT_ARG))
		pr_info("io_uring: no FEAT_EXT_ARG; timed waits cost an extra timeout SQE");
	/* the registered ring fd saves an fdget per io_uring_enter */
	if (io_uring_register_ring_fd(&r->ring) < 0)
		pr_debug("io_uring: cannot register the ring fd; continuing without");

	r->nbufs = nbufs;
	r->bufsz = bufsz;
	r->bgid = 1;
	brsz = (size_t)nbufs * sizeof(struct io_uring_buf);
	r->br = mmap(NULL, brsz, PROT_READ | PROT_WRITE, MAP_ANONYMOUS | MAP_PRIVATE, -1, 0);
	if (r->br == MAP_FAILED) {
		err = -errno;
		pr_warn("Couldn't map the provided buffer ring (%zu bytes): %s", brsz,
			strerror(errno));
		r->br = NULL;
		goto fail;
	}
	r->bufs = mmap(NULL, (size_t)nbufs * bufsz, PROT_READ | PROT_WRITE,
		       MAP_ANONYMOUS | MAP_PRIVATE, -1, 0);
	if (r->bufs == MAP_FAILED) {
		err = -errno;
		pr_warn("Couldn't map %u receive buffers of %u bytes: %s", nbufs, bufsz,
			strerror(errno));
		r->bufs = NULL;
		goto fail;
	}
	io_uring_buf_ring_init(r->br);
	reg.ring_addr = (unsigned long)r->br;
	reg.ring_entries = nbufs;
	reg.bgid = r->bgid;
	err = io_uring_register_buf_ring(&r->ring, &reg, 0);
	if (err) {
		pr_warn("Couldn't register the provided buffer ring: %s(%d); gwd needs Linux 5.19+",
			strerror(-err), -err);
		goto fail;
	}
	for (unsigned i = 0; i < nbufs; i++)
		io_uring_buf_ring_add(r->br, r->bufs + (size_t)i * bufsz, bufsz, (unsigned short)i,
				      io_uring_buf_ring_mask(nbufs), (int)i);
	io_uring_buf_ring_advance(r->br, (int)nbufs);
	r->recv_multishot = true;
	return 0;
fail:
	gw_ring_exit(r);
	return err;
}

void gw_ring_exit(struct gw_ring *r)
{
	if (r->ring.ring_fd > 0)
		io_uring_queue_exit(&r->ring);
	if (r->br)
		munmap(r->br, (size_t)r->nbufs * sizeof(struct io_uring_buf));
	if (r->bufs)
		munmap(r->bufs, (size_t)r->nbufs * r->bufsz);
	memset(r, 0, sizeof(*r));
}

struct io_uring_sqe *gw_get_sqe(struct gw_ring *r)
{
	struct io_uring_sqe *sqe = io_uring_get_sqe(&r->ring);

	while (!sqe) {
		int err = io_uring_submit(&r->ring);

		if (err < 0 && err != -EINTR && err != -EAGAIN && err != -EBUSY)
			gw_fatal("io_uring_submit failed while flushing a full SQ");
		sqe = io_uring_get_sqe(&r->ring);
	}
	return sqe;
}
