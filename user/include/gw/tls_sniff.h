/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * TLS ClientHello sniffing for TLS passthrough (TLSRoute): read the SNI and
 * ALPN offer from the first bytes of a connection without terminating TLS,
 * then pick the route by SNI. Pure functions over a byte buffer, no I/O
 * and no allocation, so they are unit-tested and fuzzed directly.
 *
 * The parser is re-run over everything received so far (the bytes have to
 * be kept anyway, they are forwarded to the backend unchanged); it follows
 * the ClientHello across as many records as the client split it into, and
 * every size is capped, so its cost per call is bounded.
 */
#ifndef GW_TLS_SNIFF_H
#define GW_TLS_SNIFF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct gw_listener;
struct gw_attachment;

/* Return values of gw_tls_sniff_parse() besides a length (> 0). */
#define GW_TLS_SNIFF_INCOMPLETE (-2)	/* a prefix of a ClientHello: wait for more */
#define GW_TLS_SNIFF_MALFORMED (-1)	/* TLS records, but not a well-formed ClientHello */
#define GW_TLS_SNIFF_NOT_TLS (-3)	/* does not start with a TLS handshake record */

/* Largest ClientHello message body accepted (real ones are 200 B - 2 KiB). */
#define GW_TLS_SNIFF_MAX_HELLO 16384
/* Most records a ClientHello may be split into. */
#define GW_TLS_SNIFF_MAX_RECORDS 32
/* Bytes that always suffice for a verdict: the caller's peek buffer size. */
#define GW_TLS_SNIFF_MAX_BYTES (4 + GW_TLS_SNIFF_MAX_HELLO + 5 * GW_TLS_SNIFF_MAX_RECORDS)

/* ALPN offer kept in wire format; longer offers keep their first names. */
#define GW_TLS_SNIFF_ALPN_BYTES 256

/** What a ClientHello says that routing and logging care about. */
struct gw_tls_hello {
	uint16_t legacy_version;	/* ClientHello.legacy_version (0x0303 for TLS 1.2+) */
	uint16_t max_version;		/* highest supported_versions entry, else legacy_version */
	bool has_sni;
	size_t sni_len;
	/* host_name, lower-cased, trailing dot removed, NUL-terminated */
	char sni[256];
	bool has_alpn;
	int nalpn;			/* protocol names kept in alpn[] */
	bool alpn_truncated;		/* the offer had more names than fit */
	size_t alpn_len;
	uint8_t alpn[GW_TLS_SNIFF_ALPN_BYTES];	/* 1-byte length + name, repeated */
};

/**
 * Parses the ClientHello at the start of buf (len bytes received so far).
 * Returns the number of bytes up to the end of the ClientHello message (> 0)
 * with *h filled, or GW_TLS_SNIFF_INCOMPLETE, GW_TLS_SNIFF_MALFORMED or
 * GW_TLS_SNIFF_NOT_TLS; *h is unspecified then. A result other than
 * INCOMPLETE is final: more bytes never change it. With len >=
 * GW_TLS_SNIFF_MAX_BYTES the result is never INCOMPLETE.
 */
int gw_tls_sniff_parse(const void *buf, size_t len, struct gw_tls_hello *h);

/**
 * The i-th ALPN name of h (0-based) in *name and *len (not NUL-terminated);
 * false when there is no such name.
 */
bool gw_tls_sniff_alpn(const struct gw_tls_hello *h, int i, const char **name, size_t *len);

/**
 * Parses the body of a server_name extension (RFC 6066 section 3) as sent
 * in a ClientHello. Returns 0 with the host name in out (lower-cased,
 * trailing dot removed, NUL-terminated; outsize >= 256), -ENOENT when the
 * list has no host_name entry, -EINVAL when the extension is malformed or
 * the name is not a syntactically valid DNS name.
 */
int gw_tls_sniff_sni_ext(const uint8_t *ext, size_t len, char *out, size_t outsize);

/**
 * How well hostname pattern matches sni, per the Gateway API hostname
 * rules: 0 no match; GW_TLS_SNIFF_MATCH_ANY for pattern NULL (matches
 * everything, including no SNI); a wildcard "*.suffix" matches names that
 * extend suffix by one or more labels and scores more the longer suffix
 * is; an exact (case-insensitive) match scores GW_TLS_SNIFF_MATCH_EXACT,
 * above every wildcard. sni NULL (no SNI sent) matches only pattern NULL.
 */
int gw_tls_sniff_match(const char *pattern, const char *sni);
#define GW_TLS_SNIFF_MATCH_ANY 1
#define GW_TLS_SNIFF_MATCH_EXACT 1024

/**
 * Index of the best pattern for sni among n patterns (NULL = any), or -1
 * when none matches; ties go to the lowest index.
 */
int gw_tls_sniff_best(const char *const *patterns, int n, const char *sni);

/**
 * Picks the TLSRoute attachment of listener l that serves sni (NULL when
 * the client sent none): the best gw_tls_sniff_match() score over each
 * attachment's hostnames wins (an attachment without hostnames matches
 * anything with the lowest score), then route precedence: the oldest
 * creationTimestamp, then namespace/name in alphabetical order. Other
 * route kinds on the listener are ignored. NULL when nothing matches: the
 * connection is to be closed.
 */
const struct gw_attachment *gw_tls_sniff_pick(const struct gw_listener *l, const char *sni);

#endif
