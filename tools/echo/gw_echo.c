/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * gw-echo: the backend "pod" of xdpgw's network-namespace tests.
 *
 * HTTP/1.1 requests are answered with a JSON object describing what this
 * backend saw (method, request-target, headers, peer and local address, body
 * length), so a test can assert on what the gateway forwarded. --udp sockets
 * send every datagram back verbatim; --tcp-echo sockets reflect the byte
 * stream.
 *
 * Threading: the main thread polls the listening sockets, the UDP sockets and
 * a signalfd; every accepted connection gets its own detached thread. All
 * blocking waits also poll two eventfds that are written once and never read,
 * so they act as level-triggered broadcasts: "drain" (stop waiting for new
 * requests on idle keep-alive connections) and "stop" (abandon everything).
 *
 * Shutdown on SIGTERM/SIGINT: close the listeners, drain, wait up to --grace
 * milliseconds for in-flight requests, then stop, remove the pidfile, exit 0.
 * A second signal skips the grace period.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <net/if.h>
#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/eventfd.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#define GW_ECHO_DEFAULT_LISTEN "[::]:8080"
#define GW_ECHO_MAX_HEAD (64 * 1024) /* request line + header section, incl. empty line */
#define GW_ECHO_MAX_HEADERS 1024
#define GW_ECHO_MAX_CHUNK_LINE 4096
#define GW_ECHO_MAX_SOCKETS 64
#define GW_ECHO_MAX_CONNS 8192
#define GW_ECHO_MAX_DELAY_MS 60000
#define GW_ECHO_MAX_BYTES (256L << 20) /* /bytes/N */
#define GW_ECHO_IO_TIMEOUT_MS 60000 /* idle keep-alive and per-read/write inactivity */
#define GW_ECHO_LINGER_MS 1000	    /* how long to drain input after our FIN */
#define GW_ECHO_DEFAULT_GRACE_MS 5000
#define GW_ECHO_STOP_WAIT_MS 1000
#define GW_ECHO_THREAD_STACK (256 * 1024)
#define GW_ECHO_UDP_BUF 65536
#define GW_ECHO_UDP_BATCH 64
#define GW_ECHO_MAX_BODY (UINT64_C(1) << 60)
#define GW_ECHO_ADDRSTRLEN (INET6_ADDRSTRLEN + IF_NAMESIZE + 16) /* "[addr%scope]:port" */

enum sock_kind {
	KIND_HTTP,
	KIND_TCP_ECHO,
	KIND_UDP,
};

static const char *const kind_names[] = {
	[KIND_HTTP] = "http",
	[KIND_TCP_ECHO] = "tcp-echo",
	[KIND_UDP] = "udp",
};

struct listen_spec {
	enum sock_kind kind;
	const char *arg;
};

struct gw_sock {
	enum sock_kind kind;
	int fd;
	char addr[GW_ECHO_ADDRSTRLEN];
};

struct gw_echo {
	const char *name;
	const char *ns;
	const char *pidfile;
	int status;
	int grace_ms;
	bool verbose;
	int drain_fd; /* eventfd, written once when draining starts */
	int stop_fd;  /* eventfd, written once when everything must stop */
	atomic_bool draining;
	atomic_uint nconns;
	pthread_attr_t thread_attr;
	struct gw_sock socks[GW_ECHO_MAX_SOCKETS];
	unsigned int nsocks;
};

static struct gw_echo g = {
	.ns = "default",
	.status = 200,
	.grace_ms = GW_ECHO_DEFAULT_GRACE_MS,
	.drain_fd = -1,
	.stop_fd = -1,
};

struct conn {
	int fd;
	enum sock_kind kind;
	char remote[GW_ECHO_ADDRSTRLEN];
	char local[GW_ECHO_ADDRSTRLEN];
	char *buf; /* GW_ECHO_MAX_HEAD bytes; [start, end) holds unconsumed input */
	size_t start;
	size_t end;
};

struct hdr {
	char *name; /* lower-cased, NUL-terminated, points into conn->buf */
	char *value;
	size_t value_len;
};

struct req {
	char *method;
	char *target;
	char proto[9];
	int minor;
	struct hdr *hdrs;
	size_t nhdrs;
	const char *host;
	size_t host_len;
	bool keepalive;
	bool chunked;
	bool expect_continue;
	uint64_t content_length;
	uint64_t body_len;
};

struct sbuf {
	char *p;
	size_t len;
	size_t cap;
	bool oom;
};

static void gw_log(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static void gw_log(const char *fmt, ...)
{
	char line[1024];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	/* One fprintf per line: stdio locks the stream, so threads do not interleave. */
	fprintf(stderr, "gw-echo[%d]: %s\n", (int)getpid(), line);
}

/* ---------------------------------------------------------------- sbuf -- */

static bool sb_reserve(struct sbuf *b, size_t more)
{
	size_t cap;
	char *p;

	if (b->oom)
		return false;
	if (b->cap - b->len >= more)
		return true;
	cap = b->cap ? b->cap : 1024;
	while (cap - b->len < more) {
		if (cap > SIZE_MAX / 2)
			goto oom;
		cap *= 2;
	}
	p = realloc(b->p, cap);
	if (!p)
		goto oom;
	b->p = p;
	b->cap = cap;
	return true;
oom:
	b->oom = true;
	return false;
}

static void sb_add(struct sbuf *b, const void *s, size_t len)
{
	if (!sb_reserve(b, len))
		return;
	memcpy(b->p + b->len, s, len);
	b->len += len;
}

static void sb_adds(struct sbuf *b, const char *s)
{
	sb_add(b, s, strlen(s));
}

static void sb_printf(struct sbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void sb_printf(struct sbuf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0) {
		b->oom = true;
		return;
	}
	if (!sb_reserve(b, (size_t)n + 1))
		return;
	va_start(ap, fmt);
	vsnprintf(b->p + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
}

/*
 * Length of the well-formed UTF-8 sequence at @s, or 0. Overlong forms,
 * surrogates and code points above U+10FFFF are not well-formed.
 */
static size_t utf8_len(const unsigned char *s, size_t avail)
{
	unsigned char c = s[0];
	unsigned char lo = 0x80, hi = 0xbf;
	size_t n, i;

	if (c >= 0xc2 && c <= 0xdf)
		n = 2;
	else if (c >= 0xe0 && c <= 0xef)
		n = 3;
	else if (c >= 0xf0 && c <= 0xf4)
		n = 4;
	else
		return 0;
	if (avail < n)
		return 0;
	if (c == 0xe0)
		lo = 0xa0;
	else if (c == 0xed)
		hi = 0x9f;
	else if (c == 0xf0)
		lo = 0x90;
	else if (c == 0xf4)
		hi = 0x8f;
	if (s[1] < lo || s[1] > hi)
		return 0;
	for (i = 2; i < n; i++)
		if (s[i] < 0x80 || s[i] > 0xbf)
			return 0;
	return n;
}

/*
 * JSON string. Header values may carry obs-text that is not UTF-8; such bytes
 * are emitted as \u00XX (read as Latin-1) so the output is always valid JSON.
 */
static void json_str(struct sbuf *b, const char *str, size_t len)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t i = 0, n;

	sb_add(b, "\"", 1);
	while (i < len) {
		unsigned char c = s[i];

		if (c == '"' || c == '\\') {
			char esc[2] = { '\\', (char)c };

			sb_add(b, esc, 2);
			i++;
		} else if (c == '\n') {
			sb_add(b, "\\n", 2);
			i++;
		} else if (c == '\r') {
			sb_add(b, "\\r", 2);
			i++;
		} else if (c == '\t') {
			sb_add(b, "\\t", 2);
			i++;
		} else if (c < 0x20 || c == 0x7f) {
			sb_printf(b, "\\u%04x", c);
			i++;
		} else if (c < 0x80) {
			/* Copy the run of plain ASCII at once. */
			n = i + 1;
			while (n < len && s[n] >= 0x20 && s[n] < 0x7f && s[n] != '"' && s[n] != '\\')
				n++;
			sb_add(b, s + i, n - i);
			i = n;
		} else if ((n = utf8_len(s + i, len - i))) {
			sb_add(b, s + i, n);
			i += n;
		} else {
			sb_printf(b, "\\u%04x", c);
			i++;
		}
	}
	sb_add(b, "\"", 1);
}

static void json_cstr(struct sbuf *b, const char *s)
{
	json_str(b, s, strlen(s));
}

/* ------------------------------------------------------------ addresses -- */

/* "ip:port", "[ip6]:port"; v4-mapped IPv6 peers of dual-stack sockets print as IPv4. */
static void format_addr(const struct sockaddr_storage *ss, char *out, size_t outlen)
{
	struct sockaddr_storage tmp;
	const struct sockaddr_in6 *s6 = (const struct sockaddr_in6 *)ss;
	char host[INET6_ADDRSTRLEN + IF_NAMESIZE + 1], serv[8];
	socklen_t len;
	int err;

	if (ss->ss_family == AF_INET6 && IN6_IS_ADDR_V4MAPPED(&s6->sin6_addr)) {
		struct sockaddr_in *s4 = (struct sockaddr_in *)&tmp;

		memset(&tmp, 0, sizeof(tmp));
		s4->sin_family = AF_INET;
		s4->sin_port = s6->sin6_port;
		memcpy(&s4->sin_addr, &s6->sin6_addr.s6_addr[12], 4);
		ss = &tmp;
	}
	len = ss->ss_family == AF_INET6 ? sizeof(struct sockaddr_in6) : sizeof(struct sockaddr_in);
	err = getnameinfo((const struct sockaddr *)ss, len, host, sizeof(host), serv, sizeof(serv),
			  NI_NUMERICHOST | NI_NUMERICSERV);
	if (err) {
		snprintf(out, outlen, "?");
		return;
	}
	if (ss->ss_family == AF_INET6)
		snprintf(out, outlen, "[%s]:%s", host, serv);
	else
		snprintf(out, outlen, "%s:%s", host, serv);
}

/*
 * ADDR:PORT with ADDR an IPv4 literal, a bracketed IPv6 literal (a %scope is
 * allowed), or empty / "*" for the dual-stack wildcard [::]. Returns 0 or -EINVAL.
 */
static int parse_hostport(const char *arg, int socktype, struct sockaddr_storage *ss,
			  socklen_t *sslen)
{
	char host[NI_MAXHOST];
	const char *port, *colon;
	struct addrinfo hints = { 0 }, *ai = NULL;
	char *end;
	unsigned long p;
	size_t hlen;
	int err;

	if (arg[0] == '[') {
		const char *rb = strchr(arg, ']');

		if (!rb || rb[1] != ':')
			return -EINVAL;
		hlen = (size_t)(rb - arg - 1);
		if (hlen == 0 || hlen >= sizeof(host))
			return -EINVAL;
		memcpy(host, arg + 1, hlen);
		host[hlen] = '\0';
		port = rb + 2;
	} else {
		colon = strrchr(arg, ':');
		if (!colon)
			return -EINVAL;
		hlen = (size_t)(colon - arg);
		if (hlen >= sizeof(host) || memchr(arg, ':', hlen))
			return -EINVAL; /* bare IPv6 literal: ambiguous, require brackets */
		memcpy(host, arg, hlen);
		host[hlen] = '\0';
		if (hlen == 0 || strcmp(host, "*") == 0) {
			strcpy(host, "::");
		} else {
			struct in_addr a4;

			/* getaddrinfo would also take inet_aton shorthands like "10.1". */
			if (inet_pton(AF_INET, host, &a4) != 1)
				return -EINVAL;
		}
		port = colon + 1;
	}
	errno = 0;
	p = strtoul(port, &end, 10);
	if (errno || end == port || *end || p == 0 || p > 65535 || port[0] == '-' || port[0] == '+')
		return -EINVAL;

	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = socktype;
	hints.ai_flags = AI_NUMERICHOST | AI_NUMERICSERV | AI_PASSIVE;
	err = getaddrinfo(host, port, &hints, &ai);
	if (err || !ai)
		return -EINVAL;
	if (ai->ai_addrlen > sizeof(*ss)) {
		freeaddrinfo(ai);
		return -EINVAL;
	}
	memset(ss, 0, sizeof(*ss));
	memcpy(ss, ai->ai_addr, ai->ai_addrlen);
	*sslen = ai->ai_addrlen;
	freeaddrinfo(ai);
	return 0;
}

static int set_int_opt(int fd, int level, int name, int val)
{
	return setsockopt(fd, level, name, &val, sizeof(val)) ? -errno : 0;
}

/* Returns 0 and fills @s, or -errno with a message already logged. */
static int open_socket(const struct listen_spec *spec, struct gw_sock *s)
{
	int type = spec->kind == KIND_UDP ? SOCK_DGRAM : SOCK_STREAM;
	struct sockaddr_storage ss;
	socklen_t sslen = 0;
	int fd, err;

	err = parse_hostport(spec->arg, type, &ss, &sslen);
	if (err) {
		gw_log("Invalid %s address '%s' (want 1.2.3.4:80 or [::1]:80)",
		       kind_names[spec->kind], spec->arg);
		return err;
	}
	fd = socket(ss.ss_family, type | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		err = -errno;
		gw_log("Couldn't create %s socket for '%s': %s(%d)", kind_names[spec->kind],
		       spec->arg, strerror(-err), -err);
		return err;
	}
	err = set_int_opt(fd, SOL_SOCKET, SO_REUSEADDR, 1);
	if (!err && ss.ss_family == AF_INET6) {
		const struct sockaddr_in6 *s6 = (const struct sockaddr_in6 *)&ss;

		/* Only the wildcard is dual-stack; do not depend on the bindv6only sysctl. */
		err = set_int_opt(fd, IPPROTO_IPV6, IPV6_V6ONLY,
				  !IN6_IS_ADDR_UNSPECIFIED(&s6->sin6_addr));
	}
	/* UDP replies must leave from the address the client sent to (e.g. a VIP on lo). */
	if (!err && spec->kind == KIND_UDP)
		err = ss.ss_family == AF_INET6 ? set_int_opt(fd, IPPROTO_IPV6, IPV6_RECVPKTINFO, 1)
					       : set_int_opt(fd, IPPROTO_IP, IP_PKTINFO, 1);
	if (err) {
		gw_log("Couldn't set socket options for %s '%s': %s(%d)", kind_names[spec->kind],
		       spec->arg, strerror(-err), -err);
		goto err_close;
	}
	if (bind(fd, (struct sockaddr *)&ss, sslen)) {
		err = -errno;
		gw_log("Couldn't bind %s socket to '%s': %s(%d)", kind_names[spec->kind],
		       spec->arg, strerror(-err), -err);
		goto err_close;
	}
	if (type == SOCK_STREAM && listen(fd, SOMAXCONN)) {
		err = -errno;
		gw_log("Couldn't listen on '%s': %s(%d)", spec->arg, strerror(-err), -err);
		goto err_close;
	}
	s->kind = spec->kind;
	s->fd = fd;
	format_addr(&ss, s->addr, sizeof(s->addr));
	return 0;

err_close:
	close(fd);
	return err;
}

/* ------------------------------------------------------------------- io -- */

static int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/*
 * Wait until @fd (may be -1) reports @events. @idle waits also end when the
 * server starts draining. Returns 0 when @fd is ready (errors and hangups count
 * as ready: the next recv/send reports them), -ETIMEDOUT, or -ECANCELED.
 */
static int wait_fd(int fd, short events, bool idle, int timeout_ms)
{
	struct pollfd p[3] = {
		{ .fd = g.stop_fd, .events = POLLIN },
		{ .fd = idle ? g.drain_fd : -1, .events = POLLIN },
		{ .fd = fd, .events = events },
	};
	int64_t deadline = now_ms() + timeout_ms;
	int r, left;

	for (;;) {
		left = (int)(deadline - now_ms());
		if (left < 0)
			left = 0;
		r = poll(p, 3, left);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (p[0].revents || p[1].revents)
			return -ECANCELED;
		if (r > 0)
			return 0;
		return -ETIMEDOUT;
	}
}

/* Sleep @ms unless stopping. Returns 0 or -ECANCELED. */
static int sleep_ms(int ms)
{
	int err = wait_fd(-1, 0, false, ms);

	return err == -ETIMEDOUT ? 0 : err;
}

/* Read more input into c->buf. Returns bytes read, 0 on EOF, -ENOBUFS if full, or -errno. */
static ssize_t conn_fill(struct conn *c, bool idle)
{
	ssize_t n;
	int err;

	if (c->start == c->end) {
		c->start = 0;
		c->end = 0;
	} else if (c->end == GW_ECHO_MAX_HEAD && c->start > 0) {
		memmove(c->buf, c->buf + c->start, c->end - c->start);
		c->end -= c->start;
		c->start = 0;
	}
	if (c->end == GW_ECHO_MAX_HEAD)
		return -ENOBUFS;
	for (;;) {
		n = recv(c->fd, c->buf + c->end, GW_ECHO_MAX_HEAD - c->end, MSG_DONTWAIT);
		if (n >= 0) {
			c->end += (size_t)n;
			return n;
		}
		if (errno == EINTR)
			continue;
		if (errno != EAGAIN && errno != EWOULDBLOCK)
			return -errno;
		err = wait_fd(c->fd, POLLIN, idle, GW_ECHO_IO_TIMEOUT_MS);
		if (err)
			return err;
	}
}

static int send_iov(int fd, struct iovec *iov, int iovcnt)
{
	struct msghdr mh = { .msg_iov = iov, .msg_iovlen = (size_t)iovcnt };
	ssize_t n;
	int err;

	while (mh.msg_iovlen) {
		n = sendmsg(fd, &mh, MSG_NOSIGNAL | MSG_DONTWAIT);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno != EAGAIN && errno != EWOULDBLOCK)
				return -errno;
			err = wait_fd(fd, POLLOUT, false, GW_ECHO_IO_TIMEOUT_MS);
			if (err)
				return err;
			continue;
		}
		while (mh.msg_iovlen && (size_t)n >= mh.msg_iov->iov_len) {
			n -= (ssize_t)mh.msg_iov->iov_len;
			mh.msg_iov++;
			mh.msg_iovlen--;
		}
		if (mh.msg_iovlen) {
			mh.msg_iov->iov_base = (char *)mh.msg_iov->iov_base + n;
			mh.msg_iov->iov_len -= (size_t)n;
		}
	}
	return 0;
}

static int send_all(int fd, const void *p, size_t len)
{
	struct iovec iov = { .iov_base = (void *)p, .iov_len = len };

	return send_iov(fd, &iov, 1);
}

/*
 * Close after sending our last response. Closing with unread input makes the
 * kernel send RST, which can destroy the response before the client reads it,
 * so half-close and drain for a moment first.
 */
static void linger_close(struct conn *c)
{
	int64_t deadline = now_ms() + GW_ECHO_LINGER_MS;
	int left;
	ssize_t n;

	if (shutdown(c->fd, SHUT_WR) == 0) {
		for (;;) {
			left = (int)(deadline - now_ms());
			if (left <= 0 || wait_fd(c->fd, POLLIN, false, left))
				break;
			n = recv(c->fd, c->buf, GW_ECHO_MAX_HEAD, MSG_DONTWAIT);
			if (n == 0 || (n < 0 && errno != EINTR && errno != EAGAIN))
				break;
		}
	}
	close(c->fd);
	c->fd = -1;
}

/* ------------------------------------------------------------- http/1.1 -- */

static bool is_tchar(unsigned char c)
{
	if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))
		return true;
	return c && strchr("!#$%&'*+-.^_`|~", c);
}

static bool is_field_vchar(unsigned char c)
{
	return c == '\t' || (c >= 0x20 && c != 0x7f);
}

static const char *reason_phrase(int status)
{
	switch (status) {
	case 100: return "Continue";
	case 200: return "OK";
	case 201: return "Created";
	case 202: return "Accepted";
	case 204: return "No Content";
	case 206: return "Partial Content";
	case 301: return "Moved Permanently";
	case 302: return "Found";
	case 303: return "See Other";
	case 304: return "Not Modified";
	case 307: return "Temporary Redirect";
	case 308: return "Permanent Redirect";
	case 400: return "Bad Request";
	case 401: return "Unauthorized";
	case 403: return "Forbidden";
	case 404: return "Not Found";
	case 405: return "Method Not Allowed";
	case 408: return "Request Timeout";
	case 409: return "Conflict";
	case 413: return "Content Too Large";
	case 417: return "Expectation Failed";
	case 418: return "I'm a teapot";
	case 429: return "Too Many Requests";
	case 431: return "Request Header Fields Too Large";
	case 500: return "Internal Server Error";
	case 501: return "Not Implemented";
	case 502: return "Bad Gateway";
	case 503: return "Service Unavailable";
	case 504: return "Gateway Timeout";
	case 505: return "HTTP Version Not Supported";
	default: return "Status";
	}
}

/*
 * Length of the head (request line + fields + empty line) at @p, or 0 if the
 * empty line has not arrived yet. *scan remembers where the last incomplete
 * line starts so a slowly trickling head is not rescanned from the start.
 */
static size_t find_head_end(const char *p, size_t len, size_t *scan)
{
	size_t line = *scan;
	const char *nl;

	while (line < len && (nl = memchr(p + line, '\n', len - line))) {
		size_t eol = (size_t)(nl - p);

		if (eol == line || (eol == line + 1 && p[line] == '\r'))
			return eol + 1;
		line = eol + 1;
	}
	*scan = line;
	return 0;
}

/* Next line of [*pos, end): NUL-terminates it in place, strips CRLF or LF. */
static char *next_line(char *p, size_t end, size_t *pos, size_t *len)
{
	char *line = p + *pos;
	char *nl = memchr(line, '\n', end - *pos);
	size_t l;

	if (!nl)
		return NULL;
	l = (size_t)(nl - line);
	*pos += l + 1;
	if (l && line[l - 1] == '\r')
		l--;
	line[l] = '\0';
	*len = l;
	return line;
}

static bool token_eq(const char *s, size_t len, const char *tok)
{
	return strlen(tok) == len && strncasecmp(s, tok, len) == 0;
}

/*
 * Calls @fn for each element of a comma-separated field value, OWS trimmed,
 * empty elements skipped (RFC 9110 5.6.1). Stops at the first non-zero return.
 */
static int for_each_elem(const char *v, size_t len, int (*fn)(const char *, size_t, void *),
			 void *ctx)
{
	size_t i = 0, s, e;
	int ret;

	while (i <= len) {
		s = i;
		while (i < len && v[i] != ',')
			i++;
		e = i;
		while (s < e && (v[s] == ' ' || v[s] == '\t'))
			s++;
		while (e > s && (v[e - 1] == ' ' || v[e - 1] == '\t'))
			e--;
		if (e > s) {
			ret = fn(v + s, e - s, ctx);
			if (ret)
				return ret;
		}
		i++;
	}
	return 0;
}

struct cl_ctx {
	unsigned int n;
	uint64_t value;
};

static int cl_elem(const char *s, size_t len, void *arg)
{
	struct cl_ctx *cl = arg;
	uint64_t v = 0;
	size_t i;

	for (i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return 400;
		v = v * 10 + (uint64_t)(s[i] - '0');
		if (v > GW_ECHO_MAX_BODY)
			return 413;
	}
	if (len == 0)
		return 400;
	/* Repeated Content-Length is only acceptable when every value agrees. */
	if (cl->n && cl->value != v)
		return 400;
	cl->n++;
	cl->value = v;
	return 0;
}

struct te_ctx {
	unsigned int n;
	bool last_chunked;
	bool chunked_twice;
	bool other;
};

static int te_elem(const char *s, size_t len, void *arg)
{
	struct te_ctx *te = arg;
	size_t nl = 0;

	while (nl < len && is_tchar((unsigned char)s[nl]))
		nl++;
	if (nl == 0)
		return 400;
	if (te->last_chunked)
		te->chunked_twice = true; /* chunked must be the final coding, exactly once */
	te->last_chunked = token_eq(s, nl, "chunked");
	if (!te->last_chunked)
		te->other = true;
	te->n++;
	return 0;
}

struct conn_ctx {
	bool close;
	bool keep_alive;
};

static int conn_elem(const char *s, size_t len, void *arg)
{
	struct conn_ctx *cc = arg;

	if (token_eq(s, len, "close"))
		cc->close = true;
	else if (token_eq(s, len, "keep-alive"))
		cc->keep_alive = true;
	return 0;
}

/*
 * Parse the head at @p (@len bytes, ending with the empty line) in place.
 * Returns 0, or the status to answer with before closing the connection.
 */
static int parse_head(char *p, size_t len, struct req *r)
{
	struct cl_ctx cl = { 0 };
	struct te_ctx te = { 0 };
	struct conn_ctx cc = { 0 };
	size_t pos = 0, l, i, nhost = 0;
	unsigned char *sp;
	char *line, *ver;
	int ret;

	line = next_line(p, len, &pos, &l);
	if (!line)
		return 400;

	/* request-line = method SP request-target SP HTTP-version */
	for (i = 0; i < l && is_tchar((unsigned char)line[i]); i++)
		;
	if (i == 0 || line[i] != ' ')
		return 400;
	line[i] = '\0';
	r->method = line;
	r->target = line + i + 1;
	for (sp = (unsigned char *)r->target; *sp > 0x20 && *sp < 0x7f; sp++)
		;
	if (sp == (unsigned char *)r->target || *sp != ' ')
		return 400;
	*sp = '\0';
	ver = (char *)sp + 1;
	if (strlen(ver) != 8 || strncmp(ver, "HTTP/", 5) || ver[5] < '0' || ver[5] > '9' ||
	    ver[6] != '.' || ver[7] < '0' || ver[7] > '9')
		return 400;
	if (ver[5] != '1')
		return 505;
	memcpy(r->proto, ver, 9);
	r->minor = ver[7] - '0';

	/* field-line = field-name ":" OWS field-value OWS */
	r->nhdrs = 0;
	while ((line = next_line(p, len, &pos, &l)) && l) {
		char *v, *ve;

		if (line[0] == ' ' || line[0] == '\t')
			return 400; /* obs-fold (RFC 9112 5.2) */
		for (i = 0; i < l && is_tchar((unsigned char)line[i]); i++)
			if (line[i] >= 'A' && line[i] <= 'Z')
				line[i] = (char)(line[i] - 'A' + 'a');
		if (i == 0 || line[i] != ':')
			return 400; /* empty name, or whitespace/garbage before the colon */
		line[i] = '\0';
		v = line + i + 1;
		ve = line + l;
		while (v < ve && (*v == ' ' || *v == '\t'))
			v++;
		while (ve > v && (ve[-1] == ' ' || ve[-1] == '\t'))
			ve--;
		for (sp = (unsigned char *)v; sp < (unsigned char *)ve; sp++)
			if (!is_field_vchar(*sp))
				return 400; /* NUL, bare CR, other CTLs */
		*ve = '\0';
		if (r->nhdrs == GW_ECHO_MAX_HEADERS)
			return 431;
		r->hdrs[r->nhdrs++] = (struct hdr){ .name = line, .value = v,
						    .value_len = (size_t)(ve - v) };
	}

	for (i = 0; i < r->nhdrs; i++) {
		const struct hdr *h = &r->hdrs[i];
		unsigned int before;

		if (!strcmp(h->name, "host")) {
			nhost++;
			r->host = h->value;
			r->host_len = h->value_len;
		} else if (!strcmp(h->name, "content-length")) {
			before = cl.n;
			ret = for_each_elem(h->value, h->value_len, cl_elem, &cl);
			if (ret)
				return ret;
			if (cl.n == before)
				return 400;
		} else if (!strcmp(h->name, "transfer-encoding")) {
			ret = for_each_elem(h->value, h->value_len, te_elem, &te);
			if (ret)
				return ret;
		} else if (!strcmp(h->name, "connection")) {
			for_each_elem(h->value, h->value_len, conn_elem, &cc);
		} else if (!strcmp(h->name, "expect")) {
			if (!token_eq(h->value, h->value_len, "100-continue"))
				return 417;
			r->expect_continue = r->minor >= 1; /* RFC 9110 10.1.1: ignore in 1.0 */
		}
	}
	/* RFC 9112 3.2: exactly one Host in HTTP/1.1. */
	if (nhost > 1 || (nhost == 0 && r->minor >= 1))
		return 400;
	if (te.n) {
		/* RFC 9112 6.1/6.3: TE in 1.0, or TE with CL, is a smuggling vector. */
		if (r->minor == 0 || cl.n || !te.last_chunked || te.chunked_twice)
			return 400;
		if (te.other)
			return 501;
		r->chunked = true;
	} else if (cl.n) {
		r->content_length = cl.value;
	}
	r->keepalive = !cc.close && (r->minor >= 1 || cc.keep_alive);
	return 0;
}

/* Discard @len body bytes. Returns 0 or -errno (-EPIPE: peer closed early). */
static int discard_body(struct conn *c, uint64_t len)
{
	size_t avail, take;
	ssize_t n;

	while (len) {
		avail = c->end - c->start;
		if (!avail) {
			n = conn_fill(c, false);
			if (n == 0)
				return -EPIPE;
			if (n < 0)
				return (int)n;
			continue;
		}
		take = avail < len ? avail : (size_t)len;
		c->start += take;
		len -= take;
	}
	return 0;
}

/*
 * Next CRLF- or LF-terminated line of at most @max bytes, NUL-terminated in
 * place. Returns 0, 400 when the line is too long, or -errno.
 */
static int read_line(struct conn *c, size_t max, char **line, size_t *len)
{
	size_t scanned = 0, avail, l;
	char *s, *nl;
	ssize_t n;

	for (;;) {
		s = c->buf + c->start;
		avail = c->end - c->start;
		nl = memchr(s + scanned, '\n', avail - scanned);
		if (nl) {
			l = (size_t)(nl - s);
			c->start += l + 1;
			if (l && s[l - 1] == '\r')
				l--;
			s[l] = '\0';
			*line = s;
			*len = l;
			return 0;
		}
		scanned = avail;
		if (avail >= max)
			return 400;
		n = conn_fill(c, false); /* may move the data; @scanned stays relative */
		if (n == 0)
			return -EPIPE;
		if (n == -ENOBUFS)
			return 400;
		if (n < 0)
			return (int)n;
	}
}

static int hexval(char ch)
{
	if (ch >= '0' && ch <= '9')
		return ch - '0';
	if (ch >= 'a' && ch <= 'f')
		return ch - 'a' + 10;
	if (ch >= 'A' && ch <= 'F')
		return ch - 'A' + 10;
	return -1;
}

/* RFC 9112 7.1. Returns 0 with *total set, an HTTP status, or -errno. */
static int read_chunked(struct conn *c, uint64_t *total)
{
	size_t len, i, trailer = 0;
	uint64_t size;
	char *line;
	int err, h;

	*total = 0;
	for (;;) {
		err = read_line(c, GW_ECHO_MAX_CHUNK_LINE, &line, &len);
		if (err)
			return err;
		size = 0;
		for (i = 0; i < len && (h = hexval(line[i])) >= 0; i++) {
			if (size > (GW_ECHO_MAX_BODY >> 4))
				return 413;
			size = size * 16 + (uint64_t)h;
		}
		if (i == 0)
			return 400;
		while (i < len && (line[i] == ' ' || line[i] == '\t'))
			i++;
		if (i < len && line[i] != ';')
			return 400;
		for (; i < len; i++)
			if (!is_field_vchar((unsigned char)line[i]))
				return 400;
		if (size == 0)
			break;
		*total += size;
		if (*total > GW_ECHO_MAX_BODY)
			return 413;
		err = discard_body(c, size);
		if (err)
			return err;
		err = read_line(c, 2, &line, &len);
		if (err)
			return err;
		if (len)
			return 400; /* chunk data longer than its size */
	}
	/* Trailer fields are read and dropped; they do not show up in "headers". */
	for (;;) {
		err = read_line(c, GW_ECHO_MAX_HEAD - trailer, &line, &len);
		if (err)
			return err;
		if (!len)
			return 0;
		trailer += len + 2;
		if (trailer >= GW_ECHO_MAX_HEAD)
			return 431;
		for (i = 0; i < len && is_tchar((unsigned char)line[i]); i++)
			;
		if (i == 0 || line[i] != ':')
			return 400;
		for (i++; i < len; i++)
			if (!is_field_vchar((unsigned char)line[i]))
				return 400;
	}
}

/*
 * If the path of @target is @prefix followed by decimal digits (and then the
 * end, a query or a fragment), returns the number, capped at @cap; else -1.
 */
static long path_number(const char *target, const char *prefix, long cap)
{
	size_t pl = strlen(prefix), n;
	const char *s;
	long v = 0;

	if (strncmp(target, prefix, pl))
		return -1;
	s = target + pl;
	for (n = 0; s[n] >= '0' && s[n] <= '9'; n++)
		if (v <= cap)
			v = v * 10 + (s[n] - '0');
	if (n == 0 || (s[n] && s[n] != '?' && s[n] != '#'))
		return -1;
	return v > cap ? cap : v;
}

/*
 * The query parameter delay=N(ms|s) of @target in milliseconds (at most
 * GW_ECHO_MAX_DELAY_MS), as echo-basic's "?delay=1s" that the conformance
 * timeout tests send; -1 without one.
 */
static long query_delay(const char *target)
{
	const char *q = strchr(target, '?'), *s;
	long v = 0;
	size_t n;

	for (s = q; s; s = strchr(s + 1, '&')) {
		if (strncmp(s + 1, "delay=", 6))
			continue;
		s += 7;
		for (n = 0; s[n] >= '0' && s[n] <= '9'; n++)
			if (v <= GW_ECHO_MAX_DELAY_MS)
				v = v * 10 + (s[n] - '0');
		if (n == 0)
			return -1;
		if (!strncmp(s + n, "ms", 2))
			;
		else if (s[n] == 's')
			v = v > GW_ECHO_MAX_DELAY_MS ? v : v * 1000;
		else
			return -1;
		return v > GW_ECHO_MAX_DELAY_MS ? GW_ECHO_MAX_DELAY_MS : v;
	}
	return -1;
}

/*
 * @extra: more header lines ("Name: value\r\n" each, may be NULL), those the
 * request asked for with X-Echo-Set-Header (see echo_set_headers()).
 */
static int send_response(struct conn *c, int status, bool keepalive, bool http10, bool head,
			 const struct sbuf *body, const struct sbuf *extra)
{
	bool has_body = status != 204 && status != 304;
	struct iovec iov[4];
	char hdr[512];
	int n;

	n = snprintf(hdr, sizeof(hdr), "HTTP/1.1 %d %s\r\nServer: gw-echo\r\n", status,
		     reason_phrase(status));
	if (has_body)
		n += snprintf(hdr + n, sizeof(hdr) - (size_t)n,
			      "Content-Type: application/json\r\nContent-Length: %zu\r\n",
			      body->len);
	if (!keepalive)
		n += snprintf(hdr + n, sizeof(hdr) - (size_t)n, "Connection: close\r\n");
	else if (http10)
		n += snprintf(hdr + n, sizeof(hdr) - (size_t)n, "Connection: keep-alive\r\n");

	iov[0] = (struct iovec){ .iov_base = hdr, .iov_len = (size_t)n };
	iov[1] = (struct iovec){ .iov_base = extra ? extra->p : NULL,
				 .iov_len = extra ? extra->len : 0 };
	iov[2] = (struct iovec){ .iov_base = "\r\n", .iov_len = 2 };
	iov[3] = (struct iovec){ .iov_base = body->p, .iov_len = body->len };
	return send_iov(c->fd, iov, has_body && !head ? 4 : 3);
}

/*
 * Response header lines from the request's X-Echo-Set-Header fields, as
 * echo-basic (gateway-api conformance/echo-basic) does for
 * BackendSetResponseHeaders: "Name:value" items separated by ",". Items
 * whose name is not a token, or that hold CR or LF, are skipped.
 */
static void echo_set_headers(struct sbuf *b, const struct req *r)
{
	size_t i;

	for (i = 0; i < r->nhdrs; i++) {
		const char *v = r->hdrs[i].value, *end = v + r->hdrs[i].value_len;

		if (strcmp(r->hdrs[i].name, "x-echo-set-header"))
			continue;
		while (v < end) {
			const char *item_end = memchr(v, ',', (size_t)(end - v)), *colon, *p;
			bool ok = true;

			if (!item_end)
				item_end = end;
			colon = memchr(v, ':', (size_t)(item_end - v));
			ok = colon && colon > v;
			for (p = v; ok && p < colon; p++)
				ok = (*p >= '0' && *p <= '9') || (*p >= 'A' && *p <= 'Z') ||
				     (*p >= 'a' && *p <= 'z') || strchr("!#$%&'*+-.^_`|~", *p);
			for (p = colon; ok && p < item_end; p++)
				ok = *p != '\r' && *p != '\n';
			if (ok) {
				sb_add(b, v, (size_t)(colon - v));
				sb_add(b, ": ", 2);
				sb_add(b, colon + 1, (size_t)(item_end - colon - 1));
				sb_add(b, "\r\n", 2);
			}
			v = item_end + 1;
		}
	}
}

/*
 * The body of /bytes/N: line k (16 bytes) is k*16 in 15 hex digits and a
 * newline, cut at N bytes. Every offset is distinct, so a test that compares
 * a checksum notices bytes lost, repeated or reordered anywhere.
 */
static void bytes_fill(char *p, uint64_t off, size_t len)
{
	char line[24];

	/* callers pass 16-byte aligned offsets and lengths, but the last piece */
	for (size_t i = 0; i < len; i += 16, off += 16) {
		snprintf(line, sizeof(line), "%015" PRIx64 "\n", off & (uint64_t)0xfffffffffffffff);
		memcpy(p + i, line, len - i < 16 ? len - i : 16);
	}
}

/* Answer /bytes/N: N pattern bytes, sent as the peer takes them. */
static int send_bytes(struct conn *c, uint64_t n, bool keepalive, bool head)
{
	char hdr[256], *buf;
	uint64_t off;
	int len, err = 0;

	len = snprintf(hdr, sizeof(hdr),
		       "HTTP/1.1 200 OK\r\nServer: gw-echo\r\n"
		       "Content-Type: application/octet-stream\r\nContent-Length: %" PRIu64
		       "\r\n%s\r\n", n, keepalive ? "" : "Connection: close\r\n");
	err = send_all(c->fd, hdr, (size_t)len);
	if (err || head)
		return err;
	buf = malloc(65536);
	if (!buf)
		return -ENOMEM;
	for (off = 0; off < n && !err; off += 65536) {
		size_t m = n - off < 65536 ? (size_t)(n - off) : 65536;

		bytes_fill(buf, off, m);
		err = send_all(c->fd, buf, m);
	}
	free(buf);
	return err;
}

/* Answer @status with a JSON error and mark the connection for closing. Returns 0. */
static int http_error(struct conn *c, int status, const char *why)
{
	struct sbuf b = { 0 };

	sb_adds(&b, "{\"error\":");
	json_cstr(&b, why);
	sb_printf(&b, ",\"status\":%d}\n", status);
	if (!b.oom)
		send_response(c, status, false, false, false, &b, NULL);
	free(b.p);
	if (g.verbose)
		gw_log("%s: %d %s", c->remote, status, why);
	return 0;
}

/* Everything except "body_len", which is only known once the body is read. */
static void json_begin(struct sbuf *b, const struct conn *c, const struct req *r)
{
	size_t i, j;

	sb_adds(b, "{\"pod\":");
	json_cstr(b, g.name);
	sb_adds(b, ",\"namespace\":");
	json_cstr(b, g.ns);
	sb_adds(b, ",\"method\":");
	json_cstr(b, r->method);
	sb_adds(b, ",\"path\":");
	json_cstr(b, r->target);
	sb_adds(b, ",\"host\":");
	if (r->host)
		json_str(b, r->host, r->host_len);
	else
		sb_adds(b, "null");
	sb_adds(b, ",\"proto\":");
	json_cstr(b, r->proto);
	sb_adds(b, ",\"headers\":{");
	for (i = 0; i < r->nhdrs; i++) {
		const struct hdr *h = &r->hdrs[i];
		bool first = true;

		for (j = 0; j < i && strcmp(r->hdrs[j].name, h->name); j++)
			;
		if (j < i)
			continue; /* already emitted together with its first occurrence */
		if (b->len && b->p[b->len - 1] != '{')
			sb_add(b, ",", 1);
		json_cstr(b, h->name);
		sb_adds(b, ":\"");
		/* Repeated fields are joined with ", " (RFC 9110 5.3). */
		for (j = i; j < r->nhdrs; j++) {
			struct sbuf tmp = { 0 };

			if (strcmp(r->hdrs[j].name, h->name))
				continue;
			if (!first)
				sb_add(b, ", ", 2);
			first = false;
			json_str(&tmp, r->hdrs[j].value, r->hdrs[j].value_len);
			if (tmp.oom)
				b->oom = true;
			else
				sb_add(b, tmp.p + 1, tmp.len - 2); /* without the quotes */
			free(tmp.p);
		}
		sb_add(b, "\"", 1);
	}
	sb_adds(b, "},\"remote\":");
	json_cstr(b, c->remote);
	sb_adds(b, ",\"local\":");
	json_cstr(b, c->local);
	sb_adds(b, ",\"body_len\":");
}

/*
 * Serve one request. Returns 1 to keep the connection open, 0 to close it
 * after a lingering half-close, or -1 to close it at once.
 */
static int http_one(struct conn *c, struct hdr *hdrs)
{
	struct req r = { .hdrs = hdrs };
	struct sbuf body = { 0 }, extra = { 0 };
	char logline[160] = "";
	size_t scan = 0, head_len = 0;
	long special, bytes;
	int status = g.status, delay = 0, err, ret = -1;
	bool head;
	ssize_t n;

	for (;;) {
		/* RFC 9112 2.2: ignore empty lines received before the request-line. */
		while (c->start < c->end &&
		       (c->buf[c->start] == '\n' ||
			(c->buf[c->start] == '\r' && c->start + 1 < c->end &&
			 c->buf[c->start + 1] == '\n'))) {
			c->start += c->buf[c->start] == '\r' ? 2 : 1;
			scan = 0;
		}
		if (c->end > c->start) {
			head_len = find_head_end(c->buf + c->start, c->end - c->start, &scan);
			if (head_len)
				break;
		}
		/* Nothing of the next request yet: an idle keep-alive wait. */
		n = conn_fill(c, c->start == c->end);
		if (n == -ENOBUFS)
			return http_error(c, 431, "request head exceeds 64 KiB");
		if (n == 0 && c->start != c->end)
			return http_error(c, 400, "connection closed inside the request head");
		if (n <= 0)
			return -1;
	}

	status = parse_head(c->buf + c->start, head_len, &r);
	c->start += head_len;
	if (status)
		return http_error(c, status, "malformed or unsupported request");
	status = g.status;
	head = !strcmp(r.method, "HEAD");

	special = path_number(r.target, "/status/", 1000);
	if (special >= 0) {
		if (special < 200 || special > 599)
			return http_error(c, 400, "/status/NNN wants 200..599");
		status = (int)special;
	}
	special = path_number(r.target, "/delay/", GW_ECHO_MAX_DELAY_MS);
	if (special >= 0)
		delay = (int)special;
	special = query_delay(r.target);
	if (special >= 0)
		delay = (int)special;
	bytes = path_number(r.target, "/bytes/", GW_ECHO_MAX_BYTES);

	/* The head lives in c->buf, which reading the body reuses: serialize it first. */
	json_begin(&body, c, &r);
	echo_set_headers(&extra, &r);
	if (g.verbose)
		snprintf(logline, sizeof(logline), "%.16s %.120s", r.method, r.target);

	if (r.expect_continue && (r.chunked || r.content_length)) {
		static const char cont[] = "HTTP/1.1 100 Continue\r\n\r\n";

		if (send_all(c->fd, cont, sizeof(cont) - 1))
			goto out;
	}
	if (r.chunked) {
		err = read_chunked(c, &r.body_len);
	} else {
		r.body_len = r.content_length;
		err = discard_body(c, r.content_length);
	}
	if (err > 0) {
		ret = http_error(c, err, "malformed request body");
		goto out;
	}
	if (err < 0)
		goto out;

	if (delay && sleep_ms(delay))
		goto out;

	sb_printf(&body, "%" PRIu64 "}\n", r.body_len);
	if (body.oom) {
		ret = http_error(c, 500, "out of memory");
		goto out;
	}
	if (atomic_load(&g.draining))
		r.keepalive = false;
	if (bytes >= 0) {
		r.keepalive = r.keepalive && r.minor;	/* no "Connection: keep-alive" for 1.0 */
		if (send_bytes(c, (uint64_t)bytes, r.keepalive, head))
			goto out;
	} else if (extra.oom) {
		ret = http_error(c, 500, "out of memory");
		goto out;
	} else if (send_response(c, status, r.keepalive, r.minor == 0, head, &body, &extra)) {
		goto out;
	}
	if (g.verbose)
		gw_log("%s: %s %s -> %d", c->remote, r.proto, logline, status);
	ret = r.keepalive ? 1 : 0;
out:
	free(extra.p);
	free(body.p);
	return ret;
}

static void http_conn(struct conn *c)
{
	struct hdr *hdrs = calloc(GW_ECHO_MAX_HEADERS, sizeof(*hdrs));
	int ret;

	if (!hdrs) {
		gw_log("Couldn't allocate header table for %s: out of memory", c->remote);
		return;
	}
	do
		ret = http_one(c, hdrs);
	while (ret > 0);
	if (ret == 0)
		linger_close(c);
	free(hdrs);
}

static void tcp_echo_conn(struct conn *c)
{
	ssize_t n;

	for (;;) {
		/* Everything read is echoed at once, so conn_fill always starts empty. */
		n = conn_fill(c, true);
		if (n <= 0)
			break;
		if (send_all(c->fd, c->buf + c->start, c->end - c->start))
			return;
		c->start = c->end;
	}
	if (n == 0)
		linger_close(c); /* peer half-closed: pass the FIN on */
}

static void *conn_main(void *arg)
{
	struct conn *c = arg;

	if (c->kind == KIND_HTTP)
		http_conn(c);
	else
		tcp_echo_conn(c);
	if (c->fd >= 0)
		close(c->fd);
	free(c->buf);
	free(c);
	atomic_fetch_sub(&g.nconns, 1);
	return NULL;
}

/* ------------------------------------------------------------ main loop -- */

static bool ratelimit(int64_t *last)
{
	int64_t now = now_ms();

	if (now - *last < 1000)
		return false;
	*last = now;
	return true;
}

/* Accept what is pending on @s. Returns true if accepting should back off. */
static bool accept_ready(struct gw_sock *s)
{
	static int64_t last_warn;
	struct sockaddr_storage peer, local;
	socklen_t plen, llen;
	struct conn *c;
	pthread_t tid;
	int fd, err, i;

	for (i = 0; i < 64; i++) {
		plen = sizeof(peer);
		fd = accept4(s->fd, (struct sockaddr *)&peer, &plen, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd < 0) {
			err = errno;
			if (err == EINTR || err == ECONNABORTED)
				continue;
			if (err == EAGAIN || err == EWOULDBLOCK)
				return false;
			if (ratelimit(&last_warn))
				gw_log("Couldn't accept on %s: %s(%d)", s->addr, strerror(err), err);
			return true;
		}
		if (atomic_load(&g.nconns) >= GW_ECHO_MAX_CONNS) {
			if (ratelimit(&last_warn))
				gw_log("Refusing connection on %s: %d connections open", s->addr,
				       GW_ECHO_MAX_CONNS);
			close(fd);
			continue;
		}
		c = calloc(1, sizeof(*c));
		if (!c || !(c->buf = malloc(GW_ECHO_MAX_HEAD))) {
			if (ratelimit(&last_warn))
				gw_log("Couldn't allocate connection on %s: out of memory", s->addr);
			free(c);
			close(fd);
			return true;
		}
		c->fd = fd;
		c->kind = s->kind;
		format_addr(&peer, c->remote, sizeof(c->remote));
		llen = sizeof(local);
		if (getsockname(fd, (struct sockaddr *)&local, &llen))
			snprintf(c->local, sizeof(c->local), "?");
		else
			format_addr(&local, c->local, sizeof(c->local));
		/* Responses are single writes; Nagle would only delay "100 Continue" + answer. */
		if (set_int_opt(fd, IPPROTO_TCP, TCP_NODELAY, 1) && ratelimit(&last_warn))
			gw_log("Couldn't set TCP_NODELAY for %s: %s", c->remote, strerror(errno));

		atomic_fetch_add(&g.nconns, 1);
		err = pthread_create(&tid, &g.thread_attr, conn_main, c);
		if (err) {
			atomic_fetch_sub(&g.nconns, 1);
			if (ratelimit(&last_warn))
				gw_log("Couldn't create thread for %s: %s(%d)", c->remote,
				       strerror(err), err);
			close(fd);
			free(c->buf);
			free(c);
			return true;
		}
	}
	return false;
}

/*
 * Control message making the reply leave from the address the datagram was
 * sent to. Returns its length, or 0 to let the kernel choose (multicast and
 * broadcast destinations are not valid source addresses).
 */
static size_t reply_pktinfo(struct msghdr *rx, void *buf, size_t buflen)
{
	struct msghdr tx = { .msg_control = buf, .msg_controllen = buflen };
	struct cmsghdr *cm, *out;

	memset(buf, 0, buflen);
	out = CMSG_FIRSTHDR(&tx);
	for (cm = CMSG_FIRSTHDR(rx); cm; cm = CMSG_NXTHDR(rx, cm)) {
		if (cm->cmsg_level == IPPROTO_IP && cm->cmsg_type == IP_PKTINFO) {
			struct in_pktinfo in, reply = { 0 };

			memcpy(&in, CMSG_DATA(cm), sizeof(in));
			if (IN_MULTICAST(ntohl(in.ipi_addr.s_addr)) ||
			    in.ipi_addr.s_addr == htonl(INADDR_BROADCAST))
				return 0;
			reply.ipi_spec_dst = in.ipi_addr;
			out->cmsg_level = IPPROTO_IP;
			out->cmsg_type = IP_PKTINFO;
			out->cmsg_len = CMSG_LEN(sizeof(reply));
			memcpy(CMSG_DATA(out), &reply, sizeof(reply));
			return CMSG_SPACE(sizeof(reply));
		}
		if (cm->cmsg_level == IPPROTO_IPV6 && cm->cmsg_type == IPV6_PKTINFO) {
			struct in6_pktinfo in, reply = { 0 };
			uint32_t v4;

			memcpy(&in, CMSG_DATA(cm), sizeof(in));
			if (IN6_IS_ADDR_MULTICAST(&in.ipi6_addr))
				return 0;
			if (IN6_IS_ADDR_V4MAPPED(&in.ipi6_addr)) {
				memcpy(&v4, &in.ipi6_addr.s6_addr[12], 4);
				if (IN_MULTICAST(ntohl(v4)) || v4 == htonl(INADDR_BROADCAST))
					return 0;
			}
			/* The kernel accepts a v4-mapped source here for dual-stack sockets. */
			reply.ipi6_addr = in.ipi6_addr;
			out->cmsg_level = IPPROTO_IPV6;
			out->cmsg_type = IPV6_PKTINFO;
			out->cmsg_len = CMSG_LEN(sizeof(reply));
			memcpy(CMSG_DATA(out), &reply, sizeof(reply));
			return CMSG_SPACE(sizeof(reply));
		}
	}
	return 0;
}

static void udp_ready(struct gw_sock *s)
{
	static char buf[GW_ECHO_UDP_BUF]; /* main thread only */
	static int64_t last_warn;
	union {
		char b[CMSG_SPACE(sizeof(struct in6_pktinfo)) + CMSG_SPACE(sizeof(struct in_pktinfo))];
		struct cmsghdr align;
	} rxc, txc;
	struct sockaddr_storage peer;
	struct iovec iov;
	struct msghdr rx, tx;
	size_t clen;
	ssize_t n;
	int i;

	for (i = 0; i < GW_ECHO_UDP_BATCH; i++) {
		iov = (struct iovec){ .iov_base = buf, .iov_len = sizeof(buf) };
		rx = (struct msghdr){ .msg_name = &peer, .msg_namelen = sizeof(peer),
				      .msg_iov = &iov, .msg_iovlen = 1,
				      .msg_control = rxc.b, .msg_controllen = sizeof(rxc.b) };
		n = recvmsg(s->fd, &rx, MSG_DONTWAIT);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno != EAGAIN && errno != EWOULDBLOCK && ratelimit(&last_warn))
				gw_log("Couldn't receive on udp %s: %s(%d)", s->addr,
				       strerror(errno), errno);
			return;
		}
		if (rx.msg_flags & MSG_TRUNC) {
			if (ratelimit(&last_warn))
				gw_log("Dropping datagram larger than %d bytes on udp %s",
				       GW_ECHO_UDP_BUF, s->addr);
			continue;
		}
		iov.iov_len = (size_t)n;
		clen = reply_pktinfo(&rx, txc.b, sizeof(txc.b));
		tx = (struct msghdr){ .msg_name = &peer, .msg_namelen = rx.msg_namelen,
				      .msg_iov = &iov, .msg_iovlen = 1,
				      .msg_control = clen ? txc.b : NULL, .msg_controllen = clen };
		n = sendmsg(s->fd, &tx, MSG_DONTWAIT | MSG_NOSIGNAL);
		if (n < 0 && errno == EINVAL && clen) {
			/* e.g. a subnet broadcast destination: let the kernel pick the source */
			tx.msg_control = NULL;
			tx.msg_controllen = 0;
			n = sendmsg(s->fd, &tx, MSG_DONTWAIT | MSG_NOSIGNAL);
		}
		if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && ratelimit(&last_warn))
			gw_log("Couldn't send on udp %s: %s(%d)", s->addr, strerror(errno), errno);
	}
}

/* Returns the signal that ended the loop, or -errno. */
static int run_loop(int sfd)
{
	struct pollfd pfd[1 + GW_ECHO_MAX_SOCKETS];
	struct signalfd_siginfo si;
	int64_t backoff_until = 0;
	unsigned int i;
	bool backoff;
	int r;

	for (;;) {
		backoff = now_ms() < backoff_until;
		pfd[0] = (struct pollfd){ .fd = sfd, .events = POLLIN };
		for (i = 0; i < g.nsocks; i++) {
			bool pause = backoff && g.socks[i].kind != KIND_UDP;

			pfd[1 + i] = (struct pollfd){ .fd = g.socks[i].fd,
						      .events = pause ? 0 : POLLIN };
		}
		r = poll(pfd, 1 + g.nsocks, backoff ? 100 : -1);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			r = -errno;
			gw_log("poll failed: %s(%d)", strerror(-r), -r);
			return r;
		}
		if (pfd[0].revents & POLLIN) {
			if (read(sfd, &si, sizeof(si)) != sizeof(si))
				return -EIO;
			return (int)si.ssi_signo;
		}
		for (i = 0; i < g.nsocks; i++) {
			if (!pfd[1 + i].revents)
				continue;
			if (g.socks[i].kind == KIND_UDP)
				udp_ready(&g.socks[i]);
			else if (accept_ready(&g.socks[i]))
				backoff_until = now_ms() + 100;
		}
	}
}

static void close_sockets(void)
{
	unsigned int i;

	for (i = 0; i < g.nsocks; i++)
		if (g.socks[i].fd >= 0)
			close(g.socks[i].fd);
	g.nsocks = 0;
}

static void broadcast(int efd)
{
	uint64_t one = 1;

	if (write(efd, &one, sizeof(one)) != sizeof(one))
		gw_log("Couldn't signal worker threads: %s", strerror(errno));
}

/* Stop accepting, let in-flight requests finish within the grace period, then stop. */
static void drain(int sfd)
{
	struct signalfd_siginfo si;
	struct pollfd p = { .fd = sfd, .events = POLLIN };
	int64_t deadline = now_ms() + g.grace_ms;

	close_sockets();
	atomic_store(&g.draining, true);
	broadcast(g.drain_fd);
	while (atomic_load(&g.nconns) && now_ms() < deadline) {
		if (poll(&p, 1, 20) > 0 && read(sfd, &si, sizeof(si)) == sizeof(si)) {
			gw_log("Second signal (%d): not waiting for in-flight requests",
			       (int)si.ssi_signo);
			break;
		}
	}
	broadcast(g.stop_fd);
	deadline = now_ms() + GW_ECHO_STOP_WAIT_MS;
	while (atomic_load(&g.nconns) && now_ms() < deadline)
		poll(NULL, 0, 10);
	if (atomic_load(&g.nconns))
		gw_log("Exiting with %u connections still open", atomic_load(&g.nconns));
}

/* Written to a temporary name and renamed, so readers never see a partial file. */
static int write_pidfile(const char *path)
{
	char tmp[PATH_MAX], line[32];
	int fd, n, err = 0;

	n = snprintf(tmp, sizeof(tmp), "%s.tmp.%d", path, (int)getpid());
	if (n < 0 || (size_t)n >= sizeof(tmp))
		return -ENAMETOOLONG;
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		return -errno;
	n = snprintf(line, sizeof(line), "%d\n", (int)getpid());
	if (write(fd, line, (size_t)n) != n)
		err = errno ? -errno : -EIO;
	if (close(fd) && !err)
		err = -errno;
	if (!err && rename(tmp, path))
		err = -errno;
	if (err)
		unlink(tmp);
	return err;
}

static void raise_nofile_limit(void)
{
	struct rlimit rl;

	/* A few hundred concurrent connections do not fit in the usual soft limit of 1024. */
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		if (setrlimit(RLIMIT_NOFILE, &rl))
			gw_log("Couldn't raise RLIMIT_NOFILE: %s", strerror(errno));
	}
}

static void usage(FILE *f, const char *prog)
{
	fprintf(f,
		"Usage: %s [options]\n"
		"Echo backend for xdpgw tests: answers HTTP/1.1 with a JSON view of the request.\n"
		"\n"
		"  -l, --listen ADDR:PORT     HTTP listener, repeatable (default " GW_ECHO_DEFAULT_LISTEN
		",\n"
		"                             dual-stack); ADDR is 1.2.3.4, [::1] or * for [::]\n"
		"  -u, --udp ADDR:PORT        UDP echo (datagrams sent back verbatim), repeatable\n"
		"  -t, --tcp-echo ADDR:PORT   raw TCP echo (bytes reflected), repeatable\n"
		"  -n, --name POD             pod name reported in responses (default: hostname)\n"
		"  -N, --namespace NS         namespace reported in responses (default: default)\n"
		"  -s, --status CODE          status of ordinary responses, 200..599 (default 200)\n"
		"  -p, --pidfile FILE         write the PID to FILE once all sockets are bound\n"
		"  -g, --grace MS             on SIGTERM/SIGINT, wait up to MS for in-flight\n"
		"                             requests (default %d)\n"
		"  -v, --verbose              log every request to stderr\n"
		"  -h, --help                 this text\n"
		"\n"
		"Special paths: /status/NNN answers with status NNN; /delay/MS waits MS\n"
		"milliseconds (at most %d) before answering; /bytes/N answers N bytes\n"
		"(at most %ld) of lines \"<offset, 15 hex digits>\\n\".\n"
		"A query delay=N(ms|s) delays too (echo-basic's ?delay=1s).\n"
		"A request field X-Echo-Set-Header: Name:value,Name:value adds those\n"
		"response header fields (as the conformance suite's echo-basic does).\n",
		prog, GW_ECHO_DEFAULT_GRACE_MS, GW_ECHO_MAX_DELAY_MS, GW_ECHO_MAX_BYTES);
}

static int parse_int(const char *s, long min, long max, int *out)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || end == s || *end || v < min || v > max)
		return -EINVAL;
	*out = (int)v;
	return 0;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "listen", required_argument, NULL, 'l' },
		{ "udp", required_argument, NULL, 'u' },
		{ "tcp-echo", required_argument, NULL, 't' },
		{ "name", required_argument, NULL, 'n' },
		{ "namespace", required_argument, NULL, 'N' },
		{ "status", required_argument, NULL, 's' },
		{ "pidfile", required_argument, NULL, 'p' },
		{ "grace", required_argument, NULL, 'g' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	struct listen_spec specs[GW_ECHO_MAX_SOCKETS];
	unsigned int nspecs = 0, i;
	bool have_http = false, pidfile_written = false;
	char hostname[256];
	int opt, err, sig, sfd = -1, ret = 1;
	sigset_t mask;

	while ((opt = getopt_long(argc, argv, "l:u:t:n:N:s:p:g:vh", opts, NULL)) != -1) {
		switch (opt) {
		case 'l':
		case 'u':
		case 't':
			if (nspecs == GW_ECHO_MAX_SOCKETS) {
				fprintf(stderr, "%s: at most %d sockets\n", argv[0],
					GW_ECHO_MAX_SOCKETS);
				return 2;
			}
			specs[nspecs].kind = opt == 'l' ? KIND_HTTP :
					     opt == 'u' ? KIND_UDP : KIND_TCP_ECHO;
			specs[nspecs++].arg = optarg;
			have_http |= opt == 'l';
			break;
		case 'n':
			g.name = optarg;
			break;
		case 'N':
			g.ns = optarg;
			break;
		case 's':
			if (parse_int(optarg, 200, 599, &g.status)) {
				fprintf(stderr, "%s: --status wants 200..599, got '%s'\n", argv[0],
					optarg);
				return 2;
			}
			break;
		case 'p':
			g.pidfile = optarg;
			break;
		case 'g':
			if (parse_int(optarg, 0, 600000, &g.grace_ms)) {
				fprintf(stderr, "%s: --grace wants 0..600000 ms, got '%s'\n",
					argv[0], optarg);
				return 2;
			}
			break;
		case 'v':
			g.verbose = true;
			break;
		case 'h':
			usage(stdout, argv[0]);
			return 0;
		default:
			usage(stderr, argv[0]);
			return 2;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "%s: unexpected argument '%s'\n", argv[0], argv[optind]);
		usage(stderr, argv[0]);
		return 2;
	}
	if (!have_http) {
		if (nspecs == GW_ECHO_MAX_SOCKETS) {
			fprintf(stderr, "%s: at most %d sockets\n", argv[0], GW_ECHO_MAX_SOCKETS);
			return 2;
		}
		specs[nspecs++] = (struct listen_spec){ KIND_HTTP, GW_ECHO_DEFAULT_LISTEN };
	}
	if (!g.name) {
		if (gethostname(hostname, sizeof(hostname)))
			snprintf(hostname, sizeof(hostname), "gw-echo");
		hostname[sizeof(hostname) - 1] = '\0';
		g.name = hostname;
	}

	raise_nofile_limit();
	signal(SIGPIPE, SIG_IGN);

	/* Block before any thread exists so only the signalfd ever sees these. */
	sigemptyset(&mask);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGINT);
	err = pthread_sigmask(SIG_BLOCK, &mask, NULL);
	if (err) {
		gw_log("Couldn't block signals: %s(%d)", strerror(err), err);
		return 1;
	}
	sfd = signalfd(-1, &mask, SFD_CLOEXEC);
	g.drain_fd = eventfd(0, EFD_CLOEXEC);
	g.stop_fd = eventfd(0, EFD_CLOEXEC);
	if (sfd < 0 || g.drain_fd < 0 || g.stop_fd < 0) {
		gw_log("Couldn't create signalfd/eventfd: %s(%d)", strerror(errno), errno);
		goto out;
	}
	err = pthread_attr_init(&g.thread_attr);
	if (!err)
		err = pthread_attr_setdetachstate(&g.thread_attr, PTHREAD_CREATE_DETACHED);
	if (!err)
		err = pthread_attr_setstacksize(&g.thread_attr, GW_ECHO_THREAD_STACK);
	if (err) {
		gw_log("Couldn't set up thread attributes: %s(%d)", strerror(err), err);
		goto out_fds;
	}

	for (i = 0; i < nspecs; i++) {
		if (open_socket(&specs[i], &g.socks[g.nsocks]))
			goto out_attr;
		g.nsocks++;
	}
	if (g.pidfile) {
		err = write_pidfile(g.pidfile);
		if (err) {
			gw_log("Couldn't write pidfile '%s': %s(%d)", g.pidfile, strerror(-err),
			       -err);
			goto out_attr;
		}
		pidfile_written = true;
	}
	for (i = 0; i < g.nsocks; i++)
		gw_log("%s listening on %s (pod %s, namespace %s)", kind_names[g.socks[i].kind],
		       g.socks[i].addr, g.name, g.ns);

	sig = run_loop(sfd);
	if (sig > 0) {
		gw_log("Got signal %d, shutting down", sig);
		ret = 0;
	}
	drain(sfd);

out_attr:
	close_sockets();
	pthread_attr_destroy(&g.thread_attr);
out_fds:
	if (pidfile_written && unlink(g.pidfile))
		gw_log("Couldn't remove pidfile '%s': %s", g.pidfile, strerror(errno));
out:
	if (sfd >= 0)
		close(sfd);
	/* Worker threads still blocked after the stop wait may poll these: keep them open. */
	if (atomic_load(&g.nconns) == 0) {
		if (g.drain_fd >= 0)
			close(g.drain_fd);
		if (g.stop_fd >= 0)
			close(g.stop_fd);
	}
	return ret;
}
