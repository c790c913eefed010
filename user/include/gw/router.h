/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The route table: an immutable index built from one resolved gw_config,
 * answering "which HTTPRoute rule serves this request on this socket" per
 * Gateway API (apis/v1/httproute_types.go). A table owns its config (its
 * strings point into the config's arena) and is swapped whole on reload.
 *
 * Lookup order, each step a hash probe, so the cost depends on the depth
 * of the request path and the labels of its host, not on the number of
 * routes:
 *   1. bind (address, port) -> its listeners; the listener whose hostname
 *      matches the Host most specifically (exact, then the longest
 *      wildcard, then none). Only that listener's routes are considered
 *      (GatewayHTTPListenerIsolation).
 *   2. within the listener, the route hostname bucket: exact host, then
 *      wildcard suffixes longest first, then routes without hostnames.
 *   3. within a bucket: Exact path matches, then RegularExpression matches
 *      (implementation-specific precedence: after Exact, before any
 *      PathPrefix), then PathPrefix matches from the longest matching
 *      prefix (on segment boundaries) to "/". Each candidate list is
 *      pre-sorted by the spec's precedence: longest path value, method
 *      match, most header matches, most query matches, oldest route,
 *      namespace/name, rule order, match order.
 *      GRPCRoute matches live in the same index: Exact service+method is an
 *      exact path "/svc/method", Exact service alone the prefix "/svc";
 *      the rest (method alone, RegularExpression, no method match) come
 *      last, in GRPCRoute precedence (service characters, method
 *      characters, header matches, oldest, namespace/name).
 * A bucket without a match falls through to the next, less specific one.
 */
#ifndef GW_ROUTER_H
#define GW_ROUTER_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>

#include "gw/http1.h"

struct gw_config;
struct gw_listener;
struct gw_stat;

/** Open-addressing string map, built once, read-only afterwards. */
struct gw_strmap {
	struct gw_strmap_slot *slots;
	uint32_t cap;	/* power of two, or 0 when empty */
	uint32_t n;
};

struct gw_tls_ctx;

struct gw_rt_endpoint {
	struct sockaddr_storage sa;
	socklen_t salen;
	uint32_t id;			/* process-wide, stable across reloads */
	char name[64];			/* "10.0.0.1:8080", "[fd00::1]:8080" */
	struct gw_tls_ctx *tls;		/* reached over TLS with this client context, or NULL */
	unsigned tls_alpn;		/* with tls: the ALPN offer (GW_TLS_ALPN_*) */
	/* with tls, for logs: "Backend NS/SVC:PORT endpoint ADDR (BackendTLSPolicy NS/NAME" */
	const char *tls_label;
};

/** How gwd speaks to a backend (Service port appProtocol, or the route kind). */
enum gw_be_proto {
	GW_BE_HTTP1,
	GW_BE_H2C,			/* HTTP/2 with prior knowledge: GRPCRoute, appProtocol h2c */
};

enum gw_be_state {
	GW_BE_OK,
	GW_BE_INVALID,			/* unresolved backendRef: its share gets 500 */
	GW_BE_NOEPS,			/* no ready endpoints: its share gets 503 */
};

struct gw_rt_filters;
struct gw_rt_tls;

struct gw_rt_backend {
	uint32_t weight;
	enum gw_be_state state;
	enum gw_be_proto proto;
	uint32_t idx;			/* index of this backend in its table */
	const char *name;		/* "ns/service:port" */
	const char *reason;		/* GW_BE_INVALID: the ResolvedRefs message */
	struct gw_rt_endpoint *eps;
	int neps;
	const struct gw_rt_filters *filters;	/* backendRef filters, or NULL */
	struct gw_stat *stat;
	/*
	 * BackendTLSPolicy: the client context every endpoint uses (one
	 * reference held by the table, freed with it), and "ns/name" of the
	 * policy for logs. A policy whose context cannot be built makes the
	 * backend GW_BE_INVALID: never plaintext instead.
	 */
	struct gw_tls_ctx *tls;
	const char *tls_policy;
};

/** A header name/value pair owned by the table. */
struct gw_rt_hdr {
	const char *name;
	const char *value;
	uint32_t name_len;
	uint32_t value_len;
};

#define GW_RT_MAX_HDR_OPS 16

/** RequestHeaderModifier / ResponseHeaderModifier. */
struct gw_rt_hdrmod {
	struct gw_rt_hdr set[GW_RT_MAX_HDR_OPS];
	struct gw_rt_hdr add[GW_RT_MAX_HDR_OPS];
	struct gw_rt_hdr remove[GW_RT_MAX_HDR_OPS];	/* names only */
	int nset, nadd, nremove;
};

enum gw_pathmod_type {
	GW_PATHMOD_NONE,
	GW_PATHMOD_FULL,		/* ReplaceFullPath */
	GW_PATHMOD_PREFIX,		/* ReplacePrefixMatch */
};

struct gw_rt_pathmod {
	enum gw_pathmod_type type;
	const char *value;
	uint32_t len;
};

struct gw_rt_redirect {
	const char *scheme;		/* NULL = the request's */
	const char *hostname;		/* NULL = the request's */
	int port;			/* 0 = derived (spec rules) */
	int status;
	struct gw_rt_pathmod path;
};

struct gw_rt_rewrite {
	const char *hostname;		/* NULL = keep Host */
	struct gw_rt_pathmod path;
};

struct gw_rt_mirror {
	struct gw_rt_backend be;
	uint32_t num, den;		/* mirror num/den of requests */
};

struct gw_rt_cors {
	const char **origins;
	int norigins;
	bool any_origin;
	bool credentials;
	const char *methods;		/* joined with ", ", or NULL */
	bool any_method;
	const char *headers;
	bool any_header;
	const char *expose;
	bool any_expose;
	long long max_age;
};

/**
 * ExternalAuth filter with protocol HTTP (HTTPExternalAuthFilter,
 * HTTPAuthConfig, ForwardBodyConfig): the authorization service and what
 * travels to it and back. Header names are compared case-insensitively.
 */
struct gw_rt_extauth {
	struct gw_rt_backend be;	/* backendRef: the authorization service */
	const char *path;		/* http.path, prepended to the request path; "" = none */
	uint32_t path_len;
	struct gw_rt_hdr *req_hdrs;	/* http.allowedHeaders (names only) */
	int nreq_hdrs;
	struct gw_rt_hdr *resp_hdrs;	/* http.allowedResponseHeaders; none = every field */
	int nresp_hdrs;
	uint32_t body_max;		/* forwardBody.maxSize; 0 = the body is not forwarded */
};

struct gw_rt_filters {
	const struct gw_rt_hdrmod *req_hdr;
	const struct gw_rt_hdrmod *resp_hdr;
	const struct gw_rt_redirect *redirect;
	const struct gw_rt_rewrite *rewrite;
	const struct gw_rt_cors *cors;
	struct gw_rt_mirror *mirrors;
	int nmirrors;
	const struct gw_rt_extauth *extauth;	/* ExternalAuth (HTTP), or NULL */
	/* a filter xdpgw cannot apply (ExtensionRef, ExternalAuth GRPC): answer 500, never skip it */
	const char *unsupported;
};

struct gw_rt_session {
	bool enabled;
	bool header;			/* Header type; else Cookie */
	bool permanent;			/* cookie lifetimeType Permanent */
	const char *name;
	uint64_t absolute_ms;		/* 0 = none */
	uint64_t idle_ms;		/* 0 = none */
};

struct gw_rt_retry {
	bool enabled;
	int attempts;
	uint64_t backoff_ms;
	uint8_t codes[25];		/* bitmap of 400..599 */
};

struct gw_rt_rule {
	const char *route;		/* "ns/name" */
	const char *created;		/* route creationTimestamp */
	const char *name;		/* rule name or NULL */
	bool grpc;			/* a GRPCRoute rule */
	int index;
	uint32_t idx;			/* index of the rule in its table */
	struct gw_rt_filters filters;
	struct gw_rt_backend *backends;
	int nbackends;
	uint64_t total_weight;
	uint64_t timeout_request_ms;	/* 0 = none */
	uint64_t timeout_backend_ms;	/* 0 = none */
	struct gw_rt_retry retry;
	struct gw_rt_session session;
	struct gw_stat *stat_nobackend;	/* outcomes decided before a backend */
	/* SecurityPolicies by listener (gw/secpol.h gw_secpol_of()) */
	const struct gw_rt_secref *secs;
	int nsecs;
};

enum gw_path_type {
	GW_PM_EXACT,
	GW_PM_PREFIX,
	GW_PM_REGEX,
};

struct gw_rt_kvmatch {
	const char *name;
	const char *value;
	uint32_t name_len;
	uint32_t value_len;
	void *re;			/* pcre2_code for RegularExpression, else NULL */
};

struct gw_rt_match {
	enum gw_path_type ptype;
	const char *path;		/* PathPrefix: without its trailing '/'; "/" is "" */
	uint32_t path_len;
	uint32_t written_len;		/* length as written, for precedence */
	void *re;			/* pcre2_code for RegularExpression paths */
	const char *method;		/* NULL = any */
	struct gw_rt_kvmatch *headers;
	struct gw_rt_kvmatch *queries;
	int nheaders, nqueries;
	/* GRPCRoute: characters of the service and method matched, for precedence */
	uint32_t svc_len, meth_len;
	int index;			/* position in the rule's matches */
	const struct gw_rt_rule *rule;
};

struct gw_rt_list {
	const struct gw_rt_match **v;
	uint32_t n, cap;
};

/** Candidate matches for one route hostname on one listener. */
struct gw_rt_bucket {
	struct gw_strmap exact;		/* path -> struct gw_rt_list */
	struct gw_strmap prefix;	/* normalized prefix -> struct gw_rt_list */
	struct gw_rt_list regex;
	/*
	 * GRPCRoute matches without an exact service (method only, regular
	 * expressions, match-all), after every exact service, in GRPCRoute
	 * precedence (re NULL: any path).
	 */
	struct gw_rt_list grpc_late;
};

/** A slot target of an L4 route's Maglev table. */
struct gw_rt_l4ep {
	struct gw_rt_endpoint ep;	/* unset when reject */
	bool reject;			/* the share of an unusable backendRef: refuse */
};

/**
 * A TCPRoute/UDPRoute's weighted Maglev table for one address family: the
 * same table the XDP tier would program (gw_l4_route_compile()).
 */
struct gw_rt_maglev {
	struct gw_rt_l4ep *eps;
	uint32_t neps;
	uint32_t *table;		/* size slots: index into eps; NULL: no endpoint */
	uint32_t size;
};

/**
 * A TLSRoute of a passthrough listener: its backends (every rule's,
 * flattened); or the TCPRoute/UDPRoute of an L4 listener gwd serves, with
 * its Maglev tables.
 */
struct gw_rt_tlsroute {
	const struct gw_route *r;
	const char *name;		/* "ns/name" */
	struct gw_rt_backend *backends;
	int nbackends;
	uint64_t total_weight;
	struct gw_rt_maglev maglev[2];	/* L4 routes: [0] IPv4, [1] IPv6 endpoints */
};

struct gw_rt_listener {
	const struct gw_listener *l;
	const char *key;		/* "Gateway/ns/name/listener" as gwctl asks about it */
	const char *hostname;		/* NULL = any */
	int port;
	struct gw_strmap hosts;		/* exact route host -> bucket */
	struct gw_strmap wild;		/* ".suffix" of a wildcard route host -> bucket */
	struct gw_rt_bucket *any;	/* routes without hostnames, or NULL */
	struct gw_rt_tlsroute *tlsroutes;	/* TLS passthrough listener: its TLSRoutes */
	int ntlsroutes;
};

/** One socket address gwd binds: its listeners, by hostname. */
struct gw_rt_port {
	const char *addr;		/* NULL = wildcard (all addresses, v4 and v6) */
	int port;
	struct gw_strmap hosts;		/* listener hostname -> struct gw_rt_listener */
	struct gw_strmap wild;		/* ".suffix" of a wildcard listener hostname */
	struct gw_rt_listener *any;	/* listener without hostname */
	struct gw_rt_listener **listeners;
	int nlisteners;
	bool tls;			/* HTTPS listeners (TLS mode Terminate) */
	bool passthrough;		/* TLS listeners, mode Passthrough: routed by SNI */
	bool tcp;			/* TLS listeners, mode Terminate (TLSRoute) */
	bool l4;			/* TCP listener: a byte tunnel by TCPRoute (passthrough.c) */
	bool udp;			/* UDP listener: datagram sessions by UDPRoute (l4udp.c) */
};

/** A listener gwd does not serve, and why (reported by status). */
struct gw_rt_unserved {
	const char *key;
	const char *why;
};

struct gw_rt_table {
	struct gw_config *cfg;		/* owned; every string points into its arena */
	uint64_t gen;
	struct gw_rt_port *ports;
	int nports;
	struct gw_rt_unserved *unserved;
	int nunserved;
	struct gw_rt_rule **rules;
	uint32_t nrules;
	uint32_t nbackends;		/* backend idx space, for per-worker state */
	uint32_t nroutes;
	uint32_t nmatches;
	void **regexes;			/* every compiled pattern, freed with the table */
	uint32_t nregexes, capregexes;
	struct gw_htpasswd **htpasswds;	/* SecurityPolicy basicAuth users, freed with it */
	uint32_t nhtpasswds;
	struct gw_jwks **jwks;		/* SecurityPolicy jwt providers' key sets, likewise */
	uint32_t njwks;
	struct gw_rt_tls *tls;		/* backend TLS client contexts, freed with the table */
	uint32_t ntls, captls;
	struct gw_stat **stats;		/* one reference each (gw_stat_get), put when freed */
	uint32_t nstats, capstats;
	/* gwd bookkeeping */
	int refs;			/* atomic: holders (workers + main) */
	void *priv;
};

/** A request as the router sees it. host is lowercased, without port or final dot. */
struct gw_rt_request {
	const char *method;
	const char *path;		/* without the query */
	const char *query;		/* after '?', or NULL */
	const char *host;
	uint32_t method_len, path_len, query_len, host_len;
	const struct gw_http1_header *headers;
	size_t nheaders;
};

/**
 * Builds the table for a resolved config. On success the table owns cfg
 * (freed by gw_rt_free). On failure returns NULL, cfg still the caller's,
 * with err naming the object and the problem.
 */
struct gw_rt_table *gw_rt_build(struct gw_config *cfg, char *err, size_t errlen);
void gw_rt_free(struct gw_rt_table *t);

/** The TCP bind for (addr, port), or NULL. addr NULL = wildcard. */
const struct gw_rt_port *gw_rt_port_find(const struct gw_rt_table *t, const char *addr,
					 int port);

/** Listener of p serving host (listener hostname precedence), or NULL. */
const struct gw_rt_listener *gw_rt_listener_select(const struct gw_rt_port *p, const char *host,
						  uint32_t host_len);

/**
 * The highest-precedence match for rq on listener l, or NULL (404).
 * match_data is a per-thread pcre2_match_data (gw_rt_match_data_new()).
 */
const struct gw_rt_match *gw_rt_lookup(const struct gw_rt_listener *l,
				       const struct gw_rt_request *rq, void *match_data);

/**
 * Per-thread PCRE2 match data for gw_rt_lookup, with the limits every
 * RegularExpression match runs under: GW_RT_RE_MATCH_LIMIT (PCRE2's match
 * limit, which bounds the time of one match, JIT or not) and
 * GW_RT_RE_DEPTH_LIMIT (backtracking depth, interpreter only; the JIT's
 * bound is its 32 KiB stack). A match stopped by a limit is a non-match,
 * counted in gw_rt_regex_limit_hits (docs/gwd.md).
 */
#define GW_RT_RE_MATCH_LIMIT 200000
#define GW_RT_RE_DEPTH_LIMIT 10000
void *gw_rt_match_data_new(void);
/** A full match of a compiled RegularExpression (limits as for route matches). */
bool gw_rt_re_match(void *re, const char *s, size_t n, void *match_data);
void gw_rt_match_data_free(void *md);

/** RegularExpression matches stopped by a PCRE2 limit or error, every thread (atomic). */
extern uint64_t gw_rt_regex_limit_hits;

/** Process-wide endpoint id for an address (pool and health state key). */
uint32_t gw_rt_endpoint_id(const struct sockaddr *sa, socklen_t len);
/** Bytes of a backend TLS identity (SHA-256 of what its client context is built from). */
#define GW_RT_TLS_TAG 32
/** The endpoint id of an address reached with the TLS identity tag (all zero = plaintext). */
uint32_t gw_rt_endpoint_id_tls(const struct sockaddr *sa, socklen_t len, const unsigned char *tag);
/** How many endpoint ids exist. */
uint32_t gw_rt_endpoint_count(void);

/** String map access (exposed for tests and the admin dump). */
void *gw_strmap_get(const struct gw_strmap *m, const char *key, uint32_t len);

#endif
