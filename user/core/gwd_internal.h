/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * gwd's private structures, shared by the worker loop (worker.c), the HTTP
 * proxy state machine (proxy.c), upstream pools (upstream.c) and the main
 * thread (control.c, admin.c, main.c).
 *
 * Threads: one main thread (config, listener sockets, control socket,
 * admin endpoint, signals) and one worker per core. Workers share nothing
 * on the hot path: each has its ring, its connections, its upstream pools
 * and its own stats cells. The main thread publishes a new route table by
 * storing gwd.table then gwd.gen; a worker adopts it at its next loop
 * turn and acknowledges with seen_gen.
 */
#ifndef GW_GWD_INTERNAL_H
#define GW_GWD_INTERNAL_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/socket.h>

#include "gw/buf.h"
#include "gw/filters.h"
#include "gw/http1.h"
#include "gw/metrics.h"
#include "gw/router.h"
#include "gw/tls.h"
#include "gw/timer.h"
#include "gw/uring.h"

#define GW_RING_ENTRIES 1024
#define GW_RECV_BUFS 1024
#define GW_RECV_BUFSZ 8192
/* Output queued to a peer above HIGH pauses the sender's input; below LOW resumes it. */
#define GW_OQ_HIGH (256 * 1024)
#define GW_OQ_LOW (64 * 1024)
/*
 * An HTTP/2 stream's backend is read only while less than this waits for
 * the client's window (CVE-2019-9517: zero-window clients), resumed below half.
 * The stream's connection and the process have budgets too (--h2-conn-buffer,
 * --h2-buffer-max; h2.c, docs/memory.md). Below 128 KiB a fast client's
 * download runs short of data: backends are read one 8 KiB recv at a time.
 */
#define GW_H2_STREAM_BUF (128 * 1024)
/* Request bodies up to this size are kept for retries and mirrors. */
#define GW_REPLAY_MAX (64 * 1024)
#define GW_MAX_LSOCKS 256
/* Session-ticket key rotation period; a ticket stays valid up to twice as long. */
#define GW_TLS_TICKET_PERIOD_S 3600
/* Plaintext encrypted per send of a TLS connection (the rest waits in its output queue). */
#define GW_TLS_SEND_CHUNK (64 * 1024)

struct gwd_opts {
	const char *state_dir;
	const char *socket;
	const char *admin;		/* "127.0.0.1:9901", or "off" */
	const char *access_log;		/* path, or NULL (off) */
	const char *controller;
	enum gw_xff_mode xff;
	bool allow_underscores;		/* forward request fields named with '_' */
	enum gw_escaped_slash escaped_slash;	/* %2F, %5C, '\\' in a path: 400 or kept */
	bool least_request;		/* endpoint choice: least-request (P2C) vs round robin */
	int workers;
	int max_conns;			/* client connections, whole process */
	uint64_t idle_timeout_ms;	/* keep-alive idle client connection */
	uint64_t header_timeout_ms;	/* a request head must arrive within */
	uint64_t upstream_timeout_ms;	/* upstream silence during a response (no backendRequest) */
	uint64_t connect_timeout_ms;
	uint64_t pool_idle_ms;		/* idle pooled upstream connection lifetime */
	int pool_max_idle;		/* per endpoint per worker */
	int upstream_max_conns;		/* per endpoint per worker; more requests wait */
	uint64_t drain_timeout_ms;
	uint64_t udp_idle_ms;		/* a UDP session without datagrams either way ends */
	int udp_max_sessions;		/* UDP sessions, whole process */
	bool tcp_splice;		/* TCP listener tunnels: splice instead of recv/send */
	size_t h2_conn_buffer;		/* response bytes one HTTP/2 client connection may hold */
	size_t h2_buffer_max;		/* ... all of them together, whole process */
};

/** A listening address; one SO_REUSEPORT socket per worker. */
struct gw_lsock {
	struct gw_lsock *next;
	uint32_t id;
	char *addr;			/* NULL = wildcard */
	int port;
	bool udp;			/* a UDP listener's socket (l4udp.c), else TCP */
	int fds[GW_MAX_WORKERS];
	bool keep;			/* reconcile mark */
};

/** What gwd attaches to a table: the listening sockets of its ports. */
struct gw_tpriv {
	struct gw_lsock **lsocks;	/* per table port, NULL if binding failed; valid
					 * only while the table is the newest */
	uint32_t *ids;			/* per table port: lsock id (0 = none), always valid */
	const char **bind_errors;	/* per table port: why not bound */
	struct gw_tls_ctx **tls;	/* per table port: TLS server context (HTTPS) or NULL */
};

enum gw_conn_kind {
	CK_CLIENT = 1,
	CK_UPSTREAM,
};

#define CF_RECV 0x0001		/* multishot recv armed */
#define CF_SENDING 0x0002	/* a send is in flight */
#define CF_CLOSING 0x0004	/* closed: no new operations, freed when nops reaches 0 */
#define CF_PAUSED 0x0008	/* input paused by backpressure: recv not re-armed */
#define CF_EOF 0x0010		/* the peer finished sending */
#define CF_CONNECTING 0x0020
#define CF_REARM 0x0040		/* on the worker's re-arm list */
#define CF_LINGER 0x0080	/* our FIN is sent; discard input until EOF or timer */
#define CF_CLOSE_AFTER 0x0100	/* close once the output queue is sent */
#define CF_PENDING 0x0200	/* on the worker's pending-input list */
#define CF_DISCARD 0x0400	/* ignore further input (answered early, closing) */
#define CF_POOLED 0x0800	/* upstream: idle in a pool */
#define CF_RECV_CANCEL 0x1000	/* a cancel for the recv is in flight */
#define CF_FLUSH 0x2000		/* on the worker's flush list */
#define CF_PASS 0x4000		/* TLS passthrough (sniffing the ClientHello, then a tunnel),
				 * or a TCP listener's tunnel (TCPRoute) */
#define CF_VIRT 0x8000		/* an HTTP/2 stream's request: no socket (h2.c) */
#define CF_UDP 0x10000		/* a UDP session's socket to its backend (l4udp.c) */
#define CF_SHUT 0x20000		/* tunnel: our FIN is sent (SHUT_WR), input goes on */
#define CF_SHUT_AFTER 0x40000	/* tunnel: send our FIN once the output is sent */
#define CF_SPLICE 0x80000	/* tunnel moved by splices through pipes (l4splice.c) */

/* Timer kinds (gw_timer.kind) */
enum {
	T_CONN_IDLE = 1,	/* client keep-alive idle / upstream pooled idle */
	T_CONN_HEADER,		/* client: request head timeout */
	T_CONN_LINGER,
	T_UP_CONNECT,
	T_EX_REQUEST,		/* rules[].timeouts.request */
	T_EX_ATTEMPT,		/* backendRequest timeout or upstream silence */
	T_EX_RETRY,		/* retry backoff */
};

struct gw_exch;
struct gw_worker;
struct gw_udp_sess;
struct gw_udp_tab;
struct gw_splice;

struct gw_conn {
	uint32_t slot, gen;
	int fd;
	uint8_t kind;
	uint16_t nops;			/* SQEs in flight that carry this slot */
	uint32_t flags;
	struct gw_worker *w;
	struct gw_exch *x;
	struct gw_oq out;
	uint32_t sending;		/* bytes of the in-flight send */
	struct msghdr msg;
	struct iovec iov[8];
	char *in;			/* unconsumed input [0, in_len) */
	uint32_t in_len, in_cap;
	uint32_t last_len;		/* parser resume point within in */
	uint32_t recv_quota;		/* upstream of an HTTP/2 stream: bytes its armed
					 * single-shot recv reserved (h2.c), or 0 */
	struct gw_tls_conn *tls;	/* client on an HTTPS port: TLS below the byte stream */
	struct gw_conn *tun;		/* CF_PASS: the other end of the tunnel, or NULL */
	struct gw_h2 *h2;		/* client speaking HTTP/2, or NULL */
	struct gw_h2_stream *h2s;	/* CF_VIRT: its stream, or NULL once gone */
	struct gw_h2up *h2up;		/* upstream socket carrying an HTTP/2 session, or NULL */
	char *tls_label;		/* upstream over TLS: who it is, for logs (upstream_tls.c) */
	struct gw_h2up_stream *h2us;	/* CF_VIRT upstream: its stream, or NULL once gone */
	struct gw_conn *h2parent;	/* CF_VIRT: the HTTP/2 connection */
	struct gw_udp_sess *udp;	/* CF_UDP: its session */
	struct gw_splice *sp;		/* CF_SPLICE: the tunnel's pipes, shared by both ends */
	struct gw_timer timer;
	struct gw_conn *pend_next;	/* worker lists; a connection may be on all three */
	struct gw_conn *flush_next;
	struct gw_conn *rearm_next;
	/* client */
	uint32_t lsock;
	uint32_t nreq;
	char peer[48];
	/* upstream */
	uint32_t ep;
	uint32_t uses;
	struct gw_conn *pool_next, *pool_prev;
};

struct gw_exch {
	struct gw_worker *w;
	struct gw_conn *c;		/* client; NULL for a mirror */
	struct gw_conn *u;		/* upstream of the current attempt */
	struct gw_rt_table *tbl;
	const struct gw_rt_listener *lst;
	const struct gw_rt_match *m;
	const struct gw_rt_rule *rule;
	const struct gw_rt_backend *be;
	const struct gw_rt_endpoint *ep;
	struct gw_stat *stat;

	/* request */
	struct gw_sbuf head;		/* as sent upstream */
	struct gw_sbuf body;		/* encoded body as sent, for retries and mirrors */
	bool body_overflow;		/* too large to keep: no replay */
	enum gw_http1_body req_body;
	uint64_t req_left;
	struct gw_http1_chunked req_ck;
	struct gw_sbuf req_trailers;	/* trailer section of a chunked request body */
	bool req_done;
	bool req_chunked_out;
	bool head_req;
	bool expect_continue;
	bool upgrade;
	bool tunnel;
	bool client_keepalive;
	bool grpc;			/* content-type application/grpc: errors as gRPC status */
	uint8_t client_minor;

	/* response */
	bool resp_head_seen;
	bool head_sent;
	bool resp_done;
	bool resp_chunked_out;
	bool resp_close_out;
	bool up_keepalive;
	bool up_bytes;			/* the current attempt received response bytes */
	enum gw_http1_body resp_body;
	uint64_t resp_left;
	struct gw_http1_chunked resp_ck;
	struct gw_sbuf trailers;	/* trailer section of a chunked body, while it arrives */
	int status;
	const struct gw_rt_hdrmod *resp_mods[2];
	struct gw_sbuf extra_sb;
	struct gw_rt_hdr extra[8];
	int nextra;
	char session_val[96];
	const char *session_name;	/* set a session token on the response */
	bool session_header;
	uint64_t session_issued_s;	/* of the client's valid token, or 0 */
	const struct gw_rt_endpoint *pin;	/* session persistence: try this endpoint first */

	/* attempts */
	int attempts;
	int retries_left;		/* HTTPRoute retry */
	int failovers_left;		/* connect failures and stale pooled connections */
	/* endpoints that failed this request, and the attempt number of their last failure */
	struct gw_tried {
		uint32_t id;
		int failed_at;
	} tried[4];
	int ntried;
	bool may_repeat;		/* the next pick may take a tried endpoint (a retry) */
	struct gw_timer t_req, t_attempt, t_retry;

	/* waiting for a connection to ep (upstream_max_conns reached) */
	struct gw_exch *wait_prev, *wait_next;
	bool waiting;

	/* ExternalAuth (extauth.c): the authorization pending before the first
	 * attempt, or for a sub-request (auth_sub) the one it answers */
	struct gw_extauth_call *auth;
	bool auth_sub;
	/* SecurityPolicy basicAuth forwardUsernameHeader for this request (malloc'd), or NULL */
	struct gw_rt_hdrmod *user_fwd;

	/* log */
	uint64_t start_ns;
	uint64_t bytes_in, bytes_out;
	char *log;			/* "method host path" for the access log, or NULL */
	bool mirror;
};

struct gw_ep_state {
	struct gw_conn *idle;		/* pooled connections, most recent first */
	uint32_t nidle;
	uint32_t nconns;		/* open connections, idle or busy */
	struct gw_exch *wait_head, *wait_tail;	/* requests waiting for a connection */
	bool kicked;			/* on the worker's kick list */
	uint32_t active;		/* requests in flight (least-request) */
	uint32_t fails;			/* consecutive connect failures */
	uint32_t ejections;
	uint64_t ejected_until_ms;
	struct gw_conn *h2;		/* HTTP/2 sessions (h2_up.c), via pool_next/pool_prev */
};

struct gw_tref {
	struct gw_rt_table *t;
	uint32_t nreq;
};

struct gw_acc {
	struct gw_lsock *ls;
	int fd;
	bool armed;
	bool wanted;
	struct msghdr msg;		/* UDP: the multishot recvmsg's layout (name only) */
};

struct gw_worker {
	int id;
	pthread_t thr;
	struct gw_ring r;
	int wake_fd;
	uint64_t wake_val;
	struct gw_conn **slots;
	uint32_t nslots, capslots;
	uint32_t *free_slots;
	uint32_t nfree;
	uint32_t *slot_gen;
	uint32_t nclients;
	uint32_t nconns;
	struct gw_timers timers;
	/* tables */
	struct gw_rt_table *tbl;
	uint64_t gen;
	uint32_t tbl_nreq;
	struct gw_tref *old;
	int nold, capold;
	uint32_t *rr;			/* round robin position per backend of tbl */
	uint32_t nrr;
	struct gw_ep_state *eps;
	uint32_t neps;
	struct gw_acc acc[GW_MAX_LSOCKS];
	int nacc;
	struct gw_udp_tab *udp;		/* UDP sessions by client address (l4udp.c) */
	/* scratch for parsing and head building, one request at a time */
	void *md;
	struct gw_http1_req req;
	struct gw_http1_resp resp;
	struct gw_hlist hl;
	struct gw_sbuf sb;
	uint64_t rng;
	struct gw_conn *rearm;
	struct gw_conn *pending;
	struct gw_conn *flush;
	uint32_t *kick;			/* endpoints whose waiters may proceed */
	uint32_t nkick, capkick;
	uint64_t now_ms;
	bool draining;
	/* access log buffer */
	struct gw_sbuf alog;
	uint64_t alog_flushed_ms;
	uint64_t seen_gen;		/* atomic: main reads it */
	bool exited;			/* atomic */
};

struct gwd {
	struct gwd_opts o;
	int nworkers;
	struct gw_worker *w;
	struct gw_rt_table *table;	/* atomic: current */
	uint64_t gen;			/* atomic */
	struct gw_lsock *lsocks;
	uint32_t next_lsock_id;
	int stop;			/* atomic: 1 drain, 2 stop now */
	bool ready;
	bool running;			/* workers started: publish waits for their acks */
	int accesslog_fd;
	uint64_t reloads_ok, reloads_failed;
	uint64_t start_s;
	struct gw_stat *noroute;	/* requests no rule matched (404) and bad requests */
	struct gw_tls_tickets *tickets;	/* session-ticket keys of every HTTPS context */
	uint64_t tickets_rotated_ms;
};

extern struct gwd gwd;

/* worker.c */
int gw_worker_start(struct gw_worker *w);
void gw_worker_wake(struct gw_worker *w);
struct gw_conn *gw_conn_new(struct gw_worker *w, enum gw_conn_kind kind, int fd);
void gw_conn_arm_recv(struct gw_conn *c);
/**
 * Cancels c's armed recv so that the next one is armed anew (a pooled
 * upstream taken by an HTTP/2 stream gets budgeted single-shot recvs).
 */
void gw_conn_recv_restart(struct gw_conn *c);
void gw_conn_flush(struct gw_conn *c);
void gw_conn_close(struct gw_conn *c);
void gw_conn_pause(struct gw_conn *c);
void gw_conn_resume(struct gw_conn *c);
void gw_conn_pend(struct gw_conn *c);
/** Input for c as if received (HTTP/2 streams feed their virtual connection). */
void gw_conn_feed(struct gw_conn *c, const char *data, size_t len);
/** Queues bytes to c and sends; false (and closes c) if memory runs out. */
bool gw_conn_put(struct gw_conn *c, const void *p, size_t n);
void gw_conn_timer(struct gw_conn *c, int kind, uint64_t ms);
void gw_conn_timer_del(struct gw_conn *c);
/** Shuts down our side once output is sent, then closes (lingering close). */
void gw_conn_finish(struct gw_conn *c);
void gw_table_unref(struct gw_rt_table *t);
/** The scheme a client connection speaks: "https" over TLS, else "http". */
const char *gw_conn_scheme(const struct gw_conn *c);
/**
 * True when c is a TLS connection whose SNI chose another listener than
 * lst, the one the request's Host selects (answer 421).
 */
bool gw_conn_misdirected(const struct gw_conn *c, const struct gw_rt_listener *lst);
uint64_t gw_rand(struct gw_worker *w);
/** The address of sa for people and X-Forwarded-For ("10.0.0.1", "fd00::1"; v4-mapped as v4). */
void gw_peer_str(const struct sockaddr *sa, char *buf, size_t len);

/* proxy.c */
size_t gw_client_input(struct gw_conn *c, const char *data, size_t len);
void gw_client_eof(struct gw_conn *c, int err);
void gw_client_sent(struct gw_conn *c);
size_t gw_up_input(struct gw_conn *u, const char *data, size_t len);
/** The HTTP/1.1 response path. */
size_t gw_up_http1_input(struct gw_conn *u, const char *data, size_t len);
/** How an HTTP/2 stream to a backend failed (h2_up.c), for the retry decision. */
enum gw_up_fail {
	GW_UPF_CONNECT,		/* the session never got going: 503, try another endpoint */
	GW_UPF_STALE,		/* refused, or a reused session lost before any answer */
	GW_UPF_RESET,		/* reset or lost mid-exchange: 502 */
	GW_UPF_TIMEOUT,
};
void gw_up_stream_failed(struct gw_conn *u, int kind, const char *why);
void gw_up_eof(struct gw_conn *u, int err);
void gw_up_sent(struct gw_conn *u);
void gw_up_connected(struct gw_conn *u, int res);
/** The TLS handshake of u failed (why: for the log): like a failed connect, answered 502. */
void gw_up_tls_failed(struct gw_conn *u, const char *why);
void gw_exch_timer(struct gw_exch *x, int kind);
void gw_exch_resume(struct gw_exch *x);
void gw_conn_timer_fired(struct gw_conn *c, int kind);
void gw_client_drain(struct gw_conn *c);

/* proxy.c, for extauth.c: sub-requests and the waiting exchange's outcomes */
/** An exchange without a client asking be, for x (its head and body are the caller's to fill). */
struct gw_exch *gw_exch_sub_new(struct gw_exch *x, const struct gw_rt_backend *be);
void gw_exch_sub_start(struct gw_exch *sub);
/** Frees a sub-request, closing its upstream connection if it still has one. */
void gw_exch_sub_free(struct gw_exch *sub);
/**
 * Answers x with a local response (fields and body as given, no Content-Type
 * added), counted as decided before a backend (the rule's stats); frees x.
 */
void gw_exch_reply(struct gw_exch *x, int status, const struct gw_rt_hdr *extra, int nextra,
		   const char *body, size_t body_len);
/** Answers x with status and a text body, counted like gw_exch_reply; frees x. */
void gw_exch_error(struct gw_exch *x, int status, const char *why);
/** The authorization passed: x goes on to its first attempt. */
void gw_exch_authorized(struct gw_exch *x);

/* extauth.c: the ExternalAuth filter, protocol HTTP */
struct gw_extauth_call;
/**
 * Starts the authorization of x (rule filter, then backendRef filter; NULL
 * = none) before its first attempt. False when there is none: go on. True
 * when x waits for the authorization service or was answered.
 */
bool gw_extauth_begin(struct gw_exch *x, const struct gw_http1_req *req,
		      const struct gw_rt_request *rq, const char *host, uint32_t host_len,
		      const struct gw_rt_extauth *rule_e, const struct gw_rt_extauth *be_e);
/** Client body bytes as framed for the backend; false when x was answered (413). */
bool gw_extauth_body(struct gw_exch *x, const void *p, size_t n);
/** The client's request is complete (forwardBody: the authorization request goes now). */
void gw_extauth_request_done(struct gw_exch *x);
/** Request body bytes x may hold while forwardBody waits for them (0: none beyond the default). */
size_t gw_extauth_hold(const struct gw_exch *x);
/** The client paused because the held body is full: 413 when forwardBody waits for it. */
void gw_extauth_held(struct gw_exch *x);
/** The authorization service's answer (a sub-request's head, body, end or failure). */
bool gw_extauth_response(struct gw_exch *sub, const struct gw_http1_resp *resp);
void gw_extauth_response_body(struct gw_exch *sub, const char *p, size_t n);
void gw_extauth_response_done(struct gw_exch *sub);
void gw_extauth_failed(struct gw_exch *sub, const char *why);
/** Drops x's pending authorization (x is being freed). */
void gw_extauth_free(struct gw_exch *x);

/* h2.c: HTTP/2 client connections and their streams (CF_VIRT connections) */
struct gw_h2;
struct gw_h2_stream;
int gw_h2_start(struct gw_conn *c);
ssize_t gw_h2_upgrade(struct gw_conn *c, const char *data, size_t len);
size_t gw_h2_input(struct gw_conn *c, const char *data, size_t len);
void gw_h2_pull(struct gw_conn *c);
void gw_h2_sent(struct gw_conn *c);
void gw_h2_free(struct gw_conn *c);
bool gw_h2_idle(const struct gw_conn *c);
void gw_h2_drain(struct gw_conn *c);
void gw_h2_stream_out(struct gw_conn *v);
void gw_h2_stream_end(struct gw_conn *v);
void gw_h2_stream_gone(struct gw_conn *v);
/** v is no longer paused: its stream's flow-control window opens again. */
void gw_h2_stream_resumed(struct gw_conn *v);
/**
 * Bytes the backend of stream v may be read for now (at most max), reserved
 * in the stream's, its connection's and the process' budgets until
 * gw_h2_recv_done; 0 when one of them is full: the caller pauses the
 * backend, which is resumed when room comes back.
 */
size_t gw_h2_recv_quota(struct gw_conn *v, size_t max);
/** The recv that gw_h2_recv_quota reserved for completed. */
void gw_h2_recv_done(struct gw_conn *v);
/**
 * True when stream v holds as much as it, its connection or the process may
 * (the proxy then pauses v's backend); it is resumed when room comes back.
 */
bool gw_h2_stream_full(struct gw_conn *v);
/**
 * Process budget work of worker w, once per loop turn: closes its largest
 * HTTP/2 client connection while the process budget is full, wakes streams
 * that waited for it. True if it did something (lists to run again).
 */
bool gw_h2_budget_poll(struct gw_worker *w);
/** The response's trailer section ("name: value\r\n"... "\r\n") for v's stream. */
void gw_h2_stream_trailers(struct gw_conn *v, const char *p, size_t n);

/*
 * h2_up.c: HTTP/2 to backends (GW_BE_H2C). The proxy gets a virtual
 * upstream connection (CF_VIRT) per exchange, one stream of a session
 * socket of the endpoint; it writes an HTTP/1.1 request to it and reads an
 * HTTP/1.1 response from it, as for any backend (trailers as a chunked
 * trailer section).
 */
struct gw_h2up;
struct gw_h2up_stream;
/** A new stream to ep (a session with room, or a new session); NULL, *busy at the limit. */
struct gw_conn *gw_h2up_open(struct gw_worker *w, const struct gw_rt_endpoint *ep, bool *busy);
/** HTTP/1.1 request bytes from the proxy for the stream of vu (head, then body). */
void gw_h2up_write(struct gw_conn *vu, const char *p, size_t n);
/** Request bytes of vu's stream accepted but not yet taken by nghttp2 (backpressure). */
size_t gw_h2up_backlog(const struct gw_conn *vu);
void gw_h2up_stream_resumed(struct gw_conn *vu);
void gw_h2up_stream_gone(struct gw_conn *vu);
/* the session socket: input, its send path, send completions, close */
size_t gw_h2up_input(struct gw_conn *u, const char *data, size_t len);
void gw_h2up_pull(struct gw_conn *u);
void gw_h2up_sent(struct gw_conn *u);
void gw_h2up_free(struct gw_conn *u);
/** Draining: sessions without streams close. */
void gw_h2up_close_idle(struct gw_worker *w);

/* passthrough.c (connections with CF_PASS) */
size_t gw_pass_input(struct gw_conn *c, const char *data, size_t len);
void gw_pass_sent(struct gw_conn *c);
void gw_pass_eof(struct gw_conn *c, int err);
void gw_pass_connected(struct gw_conn *u, int res);
void gw_pass_timer(struct gw_conn *c, int kind);
/* TLS listeners in mode Terminate: route when the handshake completes */
extern const struct gw_tls_conn_cbs gw_pass_tls_cbs;
/** The table port of listening socket lsock in w's table, or NULL. */
const struct gw_rt_port *gw_port_of(const struct gw_worker *w, uint32_t lsock);
/**
 * A new connection on a TCP listener gwd serves (TCPRoute): a backend
 * chosen now by the route's Maglev table from the client's address, the
 * tunnel connecting. False when lsock's port is not such a listener.
 */
bool gw_pass_l4_accept(struct gw_conn *c, const struct sockaddr *peer, socklen_t len);
/** The endpoint of L4 route tr for a flow from peer (Maglev by family); NULL: refuse. */
const struct gw_rt_endpoint *gw_l4_pick(const struct gw_rt_tlsroute *tr,
					const struct sockaddr *peer, socklen_t len, uint64_t hash);

/* l4udp.c: UDP listeners gwd serves (UDPRoute), one session per client address */
/** Arms the multishot recvmsg of a UDP listening socket. */
void gw_udp_arm(struct gw_worker *w, struct gw_acc *a);
/** A datagram (or the end of the recvmsg) on UDP listening socket a (NULL: gone). */
void gw_udp_listener_cqe(struct gw_worker *w, struct gw_acc *a, struct io_uring_cqe *cqe);
/** A datagram from the backend of session socket c: to its client. */
size_t gw_udp_reply(struct gw_conn *c, const char *data, size_t len);
/** Session socket c failed (ICMP unreachable from the backend) or ended. */
void gw_udp_eof(struct gw_conn *c, int err);
void gw_udp_timer(struct gw_conn *c, int kind);
/** Ends every session of w (drain). */
void gw_udp_close_all(struct gw_worker *w);

/* l4splice.c: TCP listener tunnels through pipes (--tcp-tunnel splice) */
/** Client c and its connected backend u become a splice tunnel; false: keep recv/send. */
bool gw_splice_start(struct gw_conn *c, struct gw_conn *u);
/** A splice of the direction whose source is src completed (also while src is closing). */
void gw_splice_done(struct gw_conn *src, bool in, int res);
/** c is closing: both ends of its tunnel close, descriptors kept until no splice names them. */
void gw_splice_close(struct gw_conn *c);

/* upstream.c */
struct gw_ep_state *gw_ep(struct gw_worker *w, uint32_t id);
const struct gw_rt_endpoint *gw_pick_endpoint(struct gw_worker *w, struct gw_exch *x,
					      const struct gw_rt_backend *be);
/** Whether be has an endpoint x has not failed on yet (ejected or not). */
bool gw_untried_left(const struct gw_exch *x, const struct gw_rt_backend *be);
/** A pooled or new connection to ep; NULL with *busy set when ep is at its limit. */
/** A new upstream connection to ep, connect submitted (CF_CONNECTING | flags); NULL on failure. */
struct gw_conn *gw_up_connect(struct gw_worker *w, const struct gw_rt_endpoint *ep,
			      unsigned flags);
struct gw_conn *gw_up_get(struct gw_worker *w, const struct gw_rt_endpoint *ep, bool *reused,
			  bool *busy);
void gw_ep_wait(struct gw_worker *w, struct gw_exch *x, uint32_t id);
void gw_ep_unwait(struct gw_worker *w, struct gw_exch *x);
/** An upstream connection to id closed or went idle: waiters may proceed. */
void gw_ep_kick(struct gw_worker *w, uint32_t id);
void gw_ep_run_kicks(struct gw_worker *w);
void gw_pool_put(struct gw_conn *u);
void gw_pool_remove(struct gw_conn *u);
void gw_pool_close_all(struct gw_worker *w);
void gw_ep_connect_failed(struct gw_worker *w, uint32_t id, const char *name, int err);
void gw_ep_connect_ok(struct gw_worker *w, uint32_t id);

/* upstream_tls.c: BackendTLSPolicy, TLS below the upstream byte stream */
/** u (not connected yet) will speak TLS to ep (its client context and ALPN); 0 or -errno. */
int gw_up_tls_attach(struct gw_conn *u, const struct gw_rt_endpoint *ep);
/** TCP connect of a TLS upstream completed: the handshake starts; gw_up_connected() follows it. */
void gw_up_tls_connected(struct gw_conn *u, int res);

/* accesslog.c */
int gw_accesslog_open(const char *path);
void gw_accesslog_request(struct gw_worker *w, const struct gw_exch *x, int status,
			  uint64_t dur_us);
void gw_accesslog_flush(struct gw_worker *w, bool force);

/* control.c (main thread) */
int gw_control_load_initial(char *err, size_t errlen);
int gw_control_reload(const char *path, bool from_state_dir, char *err, size_t errlen);
void gw_control_status(FILE *f);
int gw_control_open(const char *path);
int gw_control_run(int ctl_fd, int admin_fd);
void gw_control_shutdown(void);

/* admin.c (main thread) */
int gw_admin_open(const char *spec);
void gw_admin_serve(int fd);

#endif
