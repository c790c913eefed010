/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * HTTP/1.1 message parsing (RFC 9110/9112), written to be strict and
 * smuggling-safe, picohttpparser style: pure functions over a byte buffer,
 * no I/O and no allocation, so they are unit-tested and fuzzed directly.
 *
 * Parsers take (buf, len, last_len): last_len is how much of buf an earlier
 * call already saw (0 the first time), so a head arriving in pieces is not
 * rescanned from the start for its end. They return the length of the head
 * (> 0), GW_HTTP1_INCOMPLETE, or GW_HTTP1_ERROR with the status to answer
 * (400, 414, 431, 501, 505) and a reason in the message struct. Every cap
 * is hard: a head still incomplete at a cap is an error, never a wait.
 *
 * Pointers in parsed messages point into buf.
 */
#ifndef GW_HTTP1_H
#define GW_HTTP1_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <strings.h>
#include <sys/types.h>

#define GW_HTTP1_INCOMPLETE (-2)
#define GW_HTTP1_ERROR (-1)

/* Request line longer than this: 414. */
#define GW_HTTP1_MAX_REQLINE 8192
/* Whole head (start line, fields, empty line) longer than this: 431. */
#define GW_HTTP1_MAX_HEAD 32768
/* More header fields than this: 431. */
#define GW_HTTP1_MAX_HEADERS 100
/* Chunk-size line (with extensions) longer than this: error. */
#define GW_HTTP1_MAX_CHUNK_LINE 1024
/* Trailer section longer than this: error. */
#define GW_HTTP1_MAX_TRAILERS 8192

struct gw_http1_header {
	const char *name;
	const char *value;	/* OWS trimmed on both sides */
	uint32_t name_len;
	uint32_t value_len;
};

struct gw_http1_req {
	const char *method;
	const char *target;
	uint32_t method_len;
	uint32_t target_len;
	int minor;		/* HTTP/1.minor: 0 or 1 */
	int error_status;	/* on GW_HTTP1_ERROR */
	const char *error;	/* on GW_HTTP1_ERROR: what was wrong (for logs) */
	size_t nheaders;
	struct gw_http1_header headers[GW_HTTP1_MAX_HEADERS];
};

struct gw_http1_resp {
	int status;
	int minor;
	const char *reason;
	uint32_t reason_len;
	const char *error;
	size_t nheaders;
	struct gw_http1_header headers[GW_HTTP1_MAX_HEADERS];
};

/** How a message body is delimited (RFC 9112 section 6.3). */
enum gw_http1_body {
	GW_BODY_NONE,
	GW_BODY_LENGTH,		/* Content-Length bytes */
	GW_BODY_CHUNKED,
	GW_BODY_CLOSE,		/* response only: until the connection closes */
};

/** What a head means, beyond its syntax. */
struct gw_http1_info {
	enum gw_http1_body body;
	uint64_t content_length;	/* GW_BODY_LENGTH, or a HEAD/304 response's field */
	bool has_length;		/* a Content-Length field was present */
	bool keepalive;		/* the connection persists after this message */
	bool upgrade;		/* Connection: upgrade with an Upgrade field */
	bool expect_continue;	/* request: Expect: 100-continue */
	const struct gw_http1_header *host;	/* request: the Host field (NULL for 1.0 without) */
	const struct gw_http1_header *upgrade_hdr;
	int error_status;	/* 0, or the status to answer */
	const char *error;
};

/** Parses a request head. */
int gw_http1_parse_request(const char *buf, size_t len, size_t last_len, struct gw_http1_req *req);

/**
 * Framing and connection semantics of a parsed request: rejects duplicate or
 * conflicting Content-Length, Transfer-Encoding other than a final chunked
 * (501 for other codings, 400 otherwise), Transfer-Encoding in HTTP/1.0,
 * Content-Length with Transfer-Encoding, a missing, repeated or malformed
 * Host in HTTP/1.1, CONNECT (501) and request targets that are not
 * origin-form, absolute-form or OPTIONS *. Returns 0 or -1 with
 * info->error_status set.
 */
int gw_http1_request_info(const struct gw_http1_req *req, struct gw_http1_info *info);

/** Parses a response head (status line and fields). */
int gw_http1_parse_response(const char *buf, size_t len, size_t last_len,
			    struct gw_http1_resp *resp);

/**
 * Framing of a response to a request with method head_request (true for
 * HEAD): 1xx, 204 and 304 have no body, nor does any response to HEAD.
 * Returns 0 or -1 (info->error says why: duplicate Content-Length, ...).
 */
int gw_http1_response_info(const struct gw_http1_resp *resp, bool head_request,
			   struct gw_http1_info *info);

/** Chunked transfer coding decoder (RFC 9112 section 7.1). */
enum gw_chunked_state {
	GW_CHUNK_SIZE,
	GW_CHUNK_EXT,
	GW_CHUNK_SIZE_LF,
	GW_CHUNK_DATA,
	GW_CHUNK_DATA_CR,
	GW_CHUNK_DATA_LF,
	GW_CHUNK_TRAILER,	/* at the start of a trailer line */
	GW_CHUNK_TRAILER_LINE,
	GW_CHUNK_TRAILER_LF,
	GW_CHUNK_END_LF,	/* the CR of the final empty line was seen */
	GW_CHUNK_DONE,
	GW_CHUNK_ERROR,
};

struct gw_http1_chunked {
	enum gw_chunked_state state;
	uint64_t remaining;	/* data bytes left in the current chunk */
	uint32_t line_len;	/* bytes of the current size/trailer line */
	uint32_t trailer_len;	/* bytes of the trailer section so far */
	uint32_t ndigits;
	const char *error;
};

/**
 * Decodes buf[0..len). Returns how many bytes it consumed (>= 0) and, when
 * a piece of chunk data lies within them, *data and *data_len (at most one
 * piece per call; *data_len is 0 otherwise). Call again with the rest until it
 * consumes nothing or d->state is GW_CHUNK_DONE. Returns -1 on a framing
 * error (d->error). Chunk extensions are validated and dropped. A call
 * returns at the end of the last-chunk line, so what calls starting in
 * GW_CHUNK_TRAILER or later consume is exactly the trailer section: the
 * validated fields and the final CRLF, for a caller that forwards them.
 */
ssize_t gw_http1_chunked_decode(struct gw_http1_chunked *d, const char *buf, size_t len,
				const char **data, size_t *data_len);

/* Helpers shared by the proxy and the router. */

/** RFC 9110 tchar. */
extern const uint8_t gw_http1_tchar[256];
/** ASCII case-insensitive equality of a field name with a NUL-terminated lowercase name. */
bool gw_http1_name_is_fn(const struct gw_http1_header *h, const char *lower);
/* The same for a string literal (the "" make anything else a compile error). */
#define gw_http1_name_is(h, lower)                                                            \
	((h)->name_len == sizeof("" lower "") - 1 &&                                          \
	 !strncasecmp((h)->name, "" lower "", sizeof("" lower "") - 1))
/** True if the comma-separated list v[0..n) contains token (case-insensitive). */
bool gw_http1_list_has(const char *v, size_t n, const char *token);
/** Canonical reason phrase for a status code ("Unknown" if none). */
const char *gw_http1_reason(int status);

/**
 * Lowercases host[0..*len) into out (at least *len bytes), dropping a port
 * and a trailing dot; updates *len. IPv6 literals keep their brackets.
 */
void gw_http1_host_normalize(const char *host, uint32_t *len, char *out);

/**
 * Removes dot segments (RFC 3986 5.2.4) from path[0..len) into out (at
 * least len + 1 bytes). Returns the new length, never more than len.
 */
uint32_t gw_http1_path_normalize(const char *path, uint32_t len, char *out);

/** What a percent-encoded "/" or "\\" (%2F, %5C) or a literal "\\" in a path does. */
enum gw_escaped_slash {
	GW_ESCAPED_SLASH_REJECT,	/* 400 (default) */
	GW_ESCAPED_SLASH_KEEP,		/* forwarded as sent, not a separator for matching */
};

/**
 * The path the router matches and the backend receives: percent-encoded
 * unreserved characters decoded, other escapes with uppercase hex, then dot
 * segments removed. out holds at least len + 1 bytes; *out_len is never more
 * than len. Returns 0, or -EINVAL with *why set (invalid or NUL escape, an
 * escaped slash when slash is GW_ESCAPED_SLASH_REJECT): answer 400.
 */
int gw_http1_path_canon(const char *path, uint32_t len, char *out, uint32_t *out_len,
			enum gw_escaped_slash slash, const char **why);

#endif
