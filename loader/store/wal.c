// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Write-ahead log records (see wal.h for the format and the crash rule). */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#include "wal.h"

static void put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
	p[2] = (uint8_t)(v >> 16);
	p[3] = (uint8_t)(v >> 24);
}

static uint32_t get32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint32_t crc(const uint8_t *p, size_t n)
{
	return (uint32_t)crc32(crc32(0L, Z_NULL, 0), p, (uInt)n);
}

int gw_wal_append(int fd, const void *payload, size_t len)
{
	uint8_t *rec;
	size_t off = 0, n = GW_WAL_HDR + len;
	int err = 0;

	if (!len || len > GW_WAL_MAX_RECORD)
		return -E2BIG;
	rec = malloc(n);
	if (!rec)
		return -ENOMEM;
	put32(rec, GW_WAL_MAGIC);
	put32(rec + 4, (uint32_t)len);
	put32(rec + 8, crc(payload, len));
	memcpy(rec + GW_WAL_HDR, payload, len);
	/* one write per record: a crash tears at most this one */
	while (off < n) {
		ssize_t w = write(fd, rec + off, n - off);

		if (w < 0) {
			if (errno == EINTR)
				continue;
			err = -errno;
			break;
		}
		off += (size_t)w;
	}
	free(rec);
	return err;
}

/* A valid record at off: magic, a length that fits, a matching crc. */
static bool valid_at(const uint8_t *buf, size_t size, size_t off, size_t *len)
{
	uint32_t n;

	if (size - off < GW_WAL_HDR || get32(buf + off) != GW_WAL_MAGIC)
		return false;
	n = get32(buf + off + 4);
	if (!n || n > GW_WAL_MAX_RECORD || n > size - off - GW_WAL_HDR)
		return false;
	if (crc(buf + off + GW_WAL_HDR, n) != get32(buf + off + 8))
		return false;
	*len = n;
	return true;
}

int gw_wal_scan(const uint8_t *buf, size_t size, size_t start, gw_wal_record_cb cb, void *arg,
		size_t *end)
{
	size_t off = start, len;
	int rc;

	while (off < size) {
		if (!valid_at(buf, size, off, &len)) {
			/* torn tail if nothing valid follows; else damage after the fact */
			for (size_t k = off + 1; k + GW_WAL_HDR <= size; k++) {
				if (valid_at(buf, size, k, &len)) {
					*end = off;
					return -EUCLEAN;
				}
			}
			break;
		}
		if ((rc = cb(arg, buf + off + GW_WAL_HDR, len))) {
			*end = off;
			return rc;
		}
		off += GW_WAL_HDR + len;
	}
	*end = off;
	return 0;
}

static void grow(struct gw_wbuf *b, size_t n)
{
	if (b->err || b->len + n <= b->cap)
		return;
	size_t cap = b->cap ? b->cap : 256;

	while (cap < b->len + n)
		cap *= 2;
	uint8_t *p = realloc(b->p, cap);

	if (!p) {
		b->err = -ENOMEM;
		return;
	}
	b->p = p;
	b->cap = cap;
}

void gw_wbuf_bytes(struct gw_wbuf *b, const void *p, size_t n)
{
	grow(b, n);
	if (b->err)
		return;
	if (n)
		memcpy(b->p + b->len, p, n);
	b->len += n;
}

void gw_wbuf_u8(struct gw_wbuf *b, uint8_t v)
{
	gw_wbuf_bytes(b, &v, 1);
}

void gw_wbuf_u32(struct gw_wbuf *b, uint32_t v)
{
	uint8_t p[4];

	put32(p, v);
	gw_wbuf_bytes(b, p, 4);
}

void gw_wbuf_i64(struct gw_wbuf *b, int64_t v)
{
	gw_wbuf_u32(b, (uint32_t)(uint64_t)v);
	gw_wbuf_u32(b, (uint32_t)((uint64_t)v >> 32));
}

const uint8_t *gw_rbuf_bytes(struct gw_rbuf *b, size_t n)
{
	const uint8_t *p;

	if (b->err || n > b->len - b->off) {
		b->err = -EUCLEAN;
		return NULL;
	}
	p = b->p + b->off;
	b->off += n;
	return p;
}

uint8_t gw_rbuf_u8(struct gw_rbuf *b)
{
	const uint8_t *p = gw_rbuf_bytes(b, 1);

	return p ? *p : 0;
}

uint32_t gw_rbuf_u32(struct gw_rbuf *b)
{
	const uint8_t *p = gw_rbuf_bytes(b, 4);

	return p ? get32(p) : 0;
}

int64_t gw_rbuf_i64(struct gw_rbuf *b)
{
	uint64_t lo = gw_rbuf_u32(b), hi = gw_rbuf_u32(b);

	return (int64_t)(lo | hi << 32);
}
