// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * JSON-lines access log (--access-log PATH, off by default). Each worker
 * formats into its own buffer and writes it with one write() when it is
 * 16 KiB full or a second old, so logging costs no syscall per request.
 * O_APPEND keeps the workers' writes from interleaving within a line batch.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "gw/log.h"
#include "gwd_internal.h"

int gw_accesslog_open(const char *path)
{
	int fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0640);

	if (fd < 0)
		return -errno;
	return fd;
}

static void json_str(struct gw_sbuf *b, const char *s, size_t n)
{
	gw_sbuf_put(b, "\"", 1);
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '"' || c == '\\') {
			gw_sbuf_put(b, "\\", 1);
			gw_sbuf_put(b, &s[i], 1);
		} else if (c < 0x20 || c == 0x7f) {
			gw_sbuf_printf(b, "\\u%04x", c);
		} else {
			gw_sbuf_put(b, &s[i], 1);
		}
	}
	gw_sbuf_put(b, "\"", 1);
}

static void field(struct gw_sbuf *b, const char *name, const char *v)
{
	gw_sbuf_printf(b, ",\"%s\":", name);
	json_str(b, v ? v : "", v ? strlen(v) : 0);
}

void gw_accesslog_request(struct gw_worker *w, const struct gw_exch *x, int status,
			  uint64_t dur_us)
{
	struct gw_sbuf *b = &w->alog;
	struct timeval tv;
	struct tm tm;
	char ts[40];
	const char *method = "", *host = "", *target = "";
	char rule[16];

	gettimeofday(&tv, NULL);
	gmtime_r(&tv.tv_sec, &tm);
	strftime(ts, sizeof(ts), "%Y-%m-%dT%H:%M:%S", &tm);
	if (x->log) {
		/* "method host target", split at the first two spaces */
		static __thread char buf[GW_HTTP1_MAX_REQLINE + 1024];
		char *sp1, *sp2;

		snprintf(buf, sizeof(buf), "%s", x->log);
		method = buf;
		sp1 = strchr(buf, ' ');
		if (sp1) {
			*sp1 = '\0';
			host = sp1 + 1;
			sp2 = strchr(host, ' ');
			if (sp2) {
				*sp2 = '\0';
				target = sp2 + 1;
			}
		}
	}
	snprintf(rule, sizeof(rule), "%d", x->rule ? x->rule->index : -1);
	gw_sbuf_printf(b, "{\"time\":\"%s.%03ldZ\"", ts, (long)(tv.tv_usec / 1000));
	field(b, "client", x->c ? x->c->peer : "");
	field(b, "method", method);
	field(b, "host", host);
	field(b, "target", target);
	gw_sbuf_printf(b, ",\"status\":%d", status);
	field(b, "route", x->rule ? x->rule->route : "");
	gw_sbuf_printf(b, ",\"rule\":%s", rule);
	field(b, "backend", x->be ? x->be->name : "");
	field(b, "endpoint", x->ep ? x->ep->name : "");
	gw_sbuf_printf(b, ",\"attempts\":%d,\"duration_ms\":%.3f,\"bytes_in\":%llu,"
			  "\"bytes_out\":%llu}\n",
		       x->attempts, (double)dur_us / 1000.0, (unsigned long long)x->bytes_in,
		       (unsigned long long)x->bytes_out);
	if (b->len > 16384)
		gw_accesslog_flush(w, true);
}

void gw_accesslog_flush(struct gw_worker *w, bool force)
{
	struct gw_sbuf *b = &w->alog;
	size_t off = 0;

	if (!b->len || gwd.accesslog_fd < 0)
		return;
	if (!force && w->now_ms - w->alog_flushed_ms < 1000)
		return;
	while (off < b->len) {
		ssize_t n = write(gwd.accesslog_fd, b->p + off, b->len - off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			pr_warn_ratelimited("Couldn't write the access log: %s; %zu bytes dropped",
					    n < 0 ? strerror(errno) : "short write", b->len - off);
			break;
		}
		off += (size_t)n;
	}
	gw_sbuf_reset(b);
	w->alog_flushed_ms = w->now_ms;
}
