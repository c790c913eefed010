/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Record framing of the store's write-ahead log and snapshot files:
 *
 *   u32 magic "GWR1" | u32 payload length | u32 crc32(payload) | payload
 *
 * little-endian. A record is appended with one write and made durable
 * with fdatasync before its commit is acknowledged, so after a crash only
 * the last record can be incomplete: replay drops a bad record when no
 * valid record follows it (a torn tail) and fails with -EUCLEAN when one
 * does (an acknowledged record was damaged afterwards).
 */
#ifndef GW_STORE_WAL_H
#define GW_STORE_WAL_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define GW_WAL_MAGIC 0x31525747u	/* "GWR1" */
#define GW_WAL_HDR 12
#define GW_WAL_MAX_RECORD (256u << 20)	/* one commit: at most 256 MiB */

/** Appends one record at the end of fd (O_APPEND); 0 or -errno. Not synced. */
int gw_wal_append(int fd, const void *payload, size_t len);

/** Called per valid record; a nonzero return stops the replay with that value. */
typedef int (*gw_wal_record_cb)(void *arg, const uint8_t *payload, size_t len);

/**
 * Reads the records of buf[start..size), calling cb for each. *end is the
 * offset just past the last valid record (where a torn tail begins).
 * Returns 0, cb's nonzero value, or -EUCLEAN with *end at the damage.
 */
int gw_wal_scan(const uint8_t *buf, size_t size, size_t start, gw_wal_record_cb cb, void *arg,
		size_t *end);

/* Little-endian field helpers for payload encoding. */
struct gw_wbuf {
	uint8_t *p;
	size_t len, cap;
	int err;
};

void gw_wbuf_u8(struct gw_wbuf *b, uint8_t v);
void gw_wbuf_u32(struct gw_wbuf *b, uint32_t v);
void gw_wbuf_i64(struct gw_wbuf *b, int64_t v);
void gw_wbuf_bytes(struct gw_wbuf *b, const void *p, size_t n);

struct gw_rbuf {
	const uint8_t *p;
	size_t len, off;
	int err;		/* -EUCLEAN once a read ran past the end */
};

uint8_t gw_rbuf_u8(struct gw_rbuf *b);
uint32_t gw_rbuf_u32(struct gw_rbuf *b);
int64_t gw_rbuf_i64(struct gw_rbuf *b);
/** A view of the next n bytes, or NULL (and err set) past the end. */
const uint8_t *gw_rbuf_bytes(struct gw_rbuf *b, size_t n);

#endif
