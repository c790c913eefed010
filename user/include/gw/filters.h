/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * What HTTPRoute filters and proxying do to messages, as pure functions
 * over parsed heads: the header list forwarded upstream or downstream
 * (hop-by-hop fields stripped, X-Forwarded-*, header modifiers), request
 * and response heads, redirect Location, URL rewrite, CORS, session
 * persistence tokens. No I/O, so each is unit-tested on its own.
 */
#ifndef GW_FILTERS_H
#define GW_FILTERS_H

#include <stdbool.h>
#include <stdint.h>

#include "gw/buf.h"
#include "gw/http1.h"
#include "gw/router.h"

#define GW_HLIST_MAX (GW_HTTP1_MAX_HEADERS + 4 * GW_RT_MAX_HDR_OPS + 16)

/** A working list of header fields; values made here live in scratch. */
struct gw_hlist {
	struct gw_rt_hdr v[GW_HLIST_MAX];
	int n;
	bool overflow;		/* a field did not fit: the message must be refused */
	size_t used;
	char scratch[16384];
};

void gw_hlist_init(struct gw_hlist *l);
/** Appends a field (name and value are not copied). */
void gw_hlist_add(struct gw_hlist *l, const char *name, uint32_t nlen, const char *value,
		  uint32_t vlen);
/** The first field named name (case-insensitive), or NULL. */
struct gw_rt_hdr *gw_hlist_find(struct gw_hlist *l, const char *name, uint32_t nlen);
/**
 * Applies a header modifier: set replaces every field of the name with
 * one, add appends to the existing value with "," (one field), remove
 * drops every field of the name. Names compare case-insensitively.
 */
void gw_hlist_apply(struct gw_hlist *l, const struct gw_rt_hdrmod *m);

/**
 * Copies the end-to-end fields of a message into l: drops the hop-by-hop
 * fields (Connection, Keep-Alive, Proxy-Connection, TE, Trailer,
 * Transfer-Encoding, Upgrade) and every field named in Connection, and
 * Content-Length (framing is re-decided by the sender).
 */
void gw_hlist_from_message(struct gw_hlist *l, const struct gw_http1_header *hs, size_t n);

/**
 * Copies a trailer section in[0..n) (field lines and the final CRLF, as
 * gw_http1_chunked_decode validated it) to out without the fields a
 * trailer may not carry (RFC 9110 6.5.1: framing, routing, authentication,
 * request modifiers, response control, content format, hop-by-hop) and
 * those gwd sets in the head (X-Forwarded-*, Forwarded). Returns how many
 * fields it dropped.
 */
int gw_trailers_filter(struct gw_sbuf *out, const char *in, size_t n);

/** How X-Forwarded-* are written to requests sent upstream. */
enum gw_xff_mode {
	GW_XFF_APPEND,		/* append the client to X-Forwarded-For, set -Proto and -Host */
	GW_XFF_OFF,		/* forward the client's X-Forwarded-* untouched */
};

struct gw_fwd_req {
	const char *method;
	uint32_t method_len;
	const char *path;	/* path to send (after any rewrite) */
	uint32_t path_len;
	const char *query;	/* without '?', or NULL */
	uint32_t query_len;
	const char *host;	/* Host to send */
	uint32_t host_len;
	const char *orig_host;	/* the client's Host, for X-Forwarded-Host */
	uint32_t orig_host_len;
	const char *client_ip;	/* for X-Forwarded-For */
	const char *proto;	/* "http" or "https" */
	enum gw_xff_mode xff;
	/*
	 * X-Forwarded-Client-Cert, on listeners that validate client
	 * certificates: xfcc_replace removes the client's, then xfcc is set
	 * when xfcc_len > 0; without xfcc_replace it is forwarded as sent
	 */
	bool xfcc_replace;
	const char *xfcc;
	uint32_t xfcc_len;
	bool chunked;		/* Transfer-Encoding: chunked */
	bool has_length;	/* Content-Length: content_length */
	uint64_t content_length;
	const struct gw_http1_header *upgrade;	/* forward Upgrade (WebSocket) */
	/* rule, backendRef, then SecurityPolicy (basicAuth forwardUsernameHeader) modifiers */
	const struct gw_rt_hdrmod *mods[3];
	/*
	 * Field names with '_' are dropped unless allowed; *underscore_drops
	 * (when not NULL) counts them.
	 */
	bool allow_underscores;
	uint64_t *underscore_drops;
};

/**
 * Removes the client's fields whose name has a '_' (see filters.c: the
 * CGI/WSGI shadowing class, CVE-2024-45614), adding one to *drops (if not
 * NULL) per field.
 */
void gw_drop_underscored(struct gw_hlist *l, uint64_t *drops);

/**
 * Writes the request head sent upstream, from the client's fields hs.
 * l is scratch space. Returns 0, or -E2BIG if the fields do not fit.
 */
int gw_build_request_head(struct gw_sbuf *out, struct gw_hlist *l, const struct gw_fwd_req *f,
			  const struct gw_http1_header *hs, size_t n);

struct gw_fwd_resp {
	int status;
	const char *reason;
	uint32_t reason_len;
	bool chunked;			/* framing sent to the client */
	bool has_length;
	uint64_t content_length;
	bool close;			/* Connection: close */
	bool keepalive_10;		/* HTTP/1.0 client keeping the connection */
	const struct gw_http1_header *upgrade;	/* 101: the Upgrade to confirm */
	const struct gw_rt_hdrmod *mods[2];
	const struct gw_rt_hdr *extra;	/* appended after the modifiers (CORS, session) */
	int nextra;
};

/** Writes the response head sent to the client. Returns 0 or -E2BIG. */
int gw_build_response_head(struct gw_sbuf *out, struct gw_hlist *l, const struct gw_fwd_resp *f,
			   const struct gw_http1_header *hs, size_t n);

/**
 * A response gwd makes itself (404, 502, redirects, CORS preflight...):
 * status line, extra fields, Content-Length, text/plain body.
 */
void gw_build_local_response(struct gw_sbuf *out, int status, bool close,
			     const struct gw_rt_hdr *extra, int nextra, const char *body,
			     bool head_request);
/** The same with a body of body_len bytes and, when ctype is not NULL, that Content-Type. */
void gw_build_local_response_n(struct gw_sbuf *out, int status, bool close,
			       const struct gw_rt_hdr *extra, int nextra, const char *body,
			       size_t body_len, const char *ctype, bool head_request);

/**
 * The path after a ReplaceFullPath / ReplacePrefixMatch modifier, for a
 * request path that matched m (m is a PathPrefix match for PREFIX).
 */
void gw_apply_pathmod(struct gw_sbuf *out, const struct gw_rt_pathmod *pm,
		      const struct gw_rt_match *m, const char *path, uint32_t path_len);

/**
 * The Location of a RequestRedirect (HTTPRequestRedirectFilter): scheme,
 * hostname, port (well-known ports omitted), path modifier, query kept.
 */
void gw_redirect_location(struct gw_sbuf *out, const struct gw_rt_redirect *r,
			  const struct gw_rt_match *m, const char *req_scheme, const char *host,
			  uint32_t host_len, int listener_port, const char *path,
			  uint32_t path_len, const char *query, uint32_t query_len);

/** Whether origin (scheme://host[:port]) is allowed by c (wildcards, default ports). */
bool gw_cors_origin_allowed(const struct gw_rt_cors *c, const char *origin, uint32_t len);

/**
 * CORS response fields. Preflight (OPTIONS with Origin and
 * Access-Control-Request-Method): allow-origin/credentials/methods/
 * headers/max-age/expose-headers. Actual request: allow-origin/credentials/
 * expose-headers. Nothing when the origin is not allowed. Values are written
 * to sb, which must not be reallocated before the fields are used (reserve
 * first). Returns how many fields were written into out (at most
 * GW_CORS_MAX_FIELDS).
 */
#define GW_CORS_MAX_FIELDS 7
int gw_cors_headers(const struct gw_rt_cors *c, bool preflight, const char *origin,
		    uint32_t origin_len, const char *req_method, uint32_t req_method_len,
		    const char *req_headers, uint32_t req_headers_len, struct gw_sbuf *sb,
		    struct gw_rt_hdr *out);

/**
 * Session persistence token: which backend and endpoint, when issued.
 * Encoded as "<backend>.<endpoint>.<issued>.<last>.<mac>" in hex, with a
 * keyed MAC so a client cannot aim at arbitrary endpoints.
 */
struct gw_session_tok {
	uint32_t backend;	/* index in the rule */
	uint32_t endpoint;	/* endpoint id */
	uint64_t issued_s;	/* wall clock seconds */
	uint64_t last_s;
};

void gw_session_key_init(void);
void gw_session_encode(const struct gw_session_tok *t, char *out, size_t outlen);
bool gw_session_decode(const char *s, uint32_t len, struct gw_session_tok *t);
/** Finds cookie name in Cookie fields hs; returns its value or NULL. */
const char *gw_cookie_find(const struct gw_http1_header *hs, size_t n, const char *name,
			   uint32_t *vlen);

#endif
