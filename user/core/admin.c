// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The admin endpoint (--admin, default 127.0.0.1:9901), served by the main
 * thread one connection at a time, never by the workers:
 *   GET /metrics  Prometheus text: per route rule and backend request
 *                 counts by status class and latency histograms, gauges
 *   GET /ready    200 once a configuration is loaded and workers run,
 *                 503 while starting or draining
 *   GET /config   the route table being served, as JSON
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "loader/config/model.h"
#include "gw/log.h"
#include "gwd_internal.h"

int gw_admin_open(const char *spec)
{
	struct sockaddr_storage ss = { 0 };
	const char *colon = strrchr(spec, ':');
	char host[64];
	int fd, one = 1, port;
	socklen_t sl;

	if (!colon || colon == spec || (size_t)(colon - spec) >= sizeof(host) ||
	    (port = atoi(colon + 1)) <= 0 || port > 65535) {
		pr_warn("--admin '%s': expected ADDRESS:PORT (e.g. 127.0.0.1:9901) or 'off'", spec);
		return -EINVAL;
	}
	memcpy(host, spec, (size_t)(colon - spec));
	host[colon - spec] = '\0';
	if (host[0] == '[') {
		struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&ss;

		host[strlen(host) - 1] = '\0';
		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons((uint16_t)port);
		if (inet_pton(AF_INET6, host + 1, &s6->sin6_addr) != 1)
			goto bad;
		sl = sizeof(*s6);
	} else {
		struct sockaddr_in *s4 = (struct sockaddr_in *)&ss;

		s4->sin_family = AF_INET;
		s4->sin_port = htons((uint16_t)port);
		if (inet_pton(AF_INET, host, &s4->sin_addr) != 1)
			goto bad;
		sl = sizeof(*s4);
	}
	fd = socket(ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		pr_warn("Couldn't create the admin socket: %s", strerror(errno));
		return -errno;
	}
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(fd, (struct sockaddr *)&ss, sl) || listen(fd, 64)) {
		int e = errno;

		pr_warn("Couldn't listen on admin address %s: %s", spec, strerror(e));
		close(fd);
		return -e;
	}
	pr_info("admin endpoint on http://%s/ (/metrics /ready /config)", spec);
	return fd;
bad:
	pr_warn("--admin '%s': '%s' is not an IP address", spec, host);
	return -EINVAL;
}

static void jstr(FILE *f, const char *s)
{
	fputc('"', f);
	for (; s && *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\')
			fprintf(f, "\\%c", c);
		else if (c < 0x20)
			fprintf(f, "\\u%04x", c);
		else
			fputc(c, f);
	}
	fputc('"', f);
}

static const char *be_state(enum gw_be_state s)
{
	return s == GW_BE_OK ? "ok" : s == GW_BE_INVALID ? "invalid (500)" : "no endpoints (503)";
}

static void dump_backend(FILE *f, const struct gw_rt_backend *b)
{
	fputs("{\"name\":", f);
	jstr(f, b->name);
	fprintf(f, ",\"weight\":%u,\"state\":", b->weight);
	jstr(f, be_state(b->state));
	if (b->reason) {
		fputs(",\"reason\":", f);
		jstr(f, b->reason);
	}
	fputs(",\"endpoints\":[", f);
	for (int i = 0; i < b->neps; i++) {
		if (i)
			fputc(',', f);
		jstr(f, b->eps[i].name);
	}
	fputs("]}", f);
}

static void dump_filters(FILE *f, const struct gw_rt_filters *fl)
{
	bool first = true;

	fputc('[', f);
#define F(cond, name)                                                                         \
	if (cond) {                                                                           \
		fprintf(f, "%s\"%s\"", first ? "" : ",", name);                               \
		first = false;                                                                \
	}
	F(fl->req_hdr, "RequestHeaderModifier");
	F(fl->resp_hdr, "ResponseHeaderModifier");
	F(fl->redirect, "RequestRedirect");
	F(fl->rewrite, "URLRewrite");
	F(fl->cors, "CORS");
	F(fl->nmirrors, "RequestMirror");
	F(fl->extauth, "ExternalAuth");
	F(fl->unsupported, "unsupported (500)");
#undef F
	fputc(']', f);
}

static void config_dump(FILE *f)
{
	const struct gw_rt_table *t = gwd.table;
	const struct gw_tpriv *p = t ? t->priv : NULL;

	if (!t) {
		fputs("{\"generation\":0}\n", f);
		return;
	}
	fprintf(f, "{\"generation\":%llu,\"reloads\":{\"ok\":%llu,\"failed\":%llu},\"binds\":[",
		(unsigned long long)t->gen, (unsigned long long)gwd.reloads_ok,
		(unsigned long long)gwd.reloads_failed);
	for (int i = 0; i < t->nports; i++) {
		const struct gw_rt_port *pt = &t->ports[i];

		fprintf(f, "%s{\"address\":", i ? "," : "");
		jstr(f, pt->addr ? pt->addr : "*");
		fprintf(f, ",\"port\":%d,\"bound\":%s,\"listeners\":[", pt->port,
			p && p->lsocks[i] ? "true" : "false");
		for (int k = 0; k < pt->nlisteners; k++) {
			fputs(k ? ",{\"listener\":" : "{\"listener\":", f);
			jstr(f, pt->listeners[k]->key);
			fputs(",\"hostname\":", f);
			if (pt->listeners[k]->hostname)
				jstr(f, pt->listeners[k]->hostname);
			else
				fputs("null", f);
			fputc('}', f);
		}
		fputs("]}", f);
	}
	fputs("],\"unserved\":[", f);
	for (int i = 0; i < t->nunserved; i++) {
		fputs(i ? ",{\"listener\":" : "{\"listener\":", f);
		jstr(f, t->unserved[i].key);
		fputs(",\"why\":", f);
		jstr(f, t->unserved[i].why);
		fputc('}', f);
	}
	fprintf(f, "],\"matches\":%u,\"rules\":[", t->nmatches);
	for (uint32_t i = 0; i < t->nrules; i++) {
		const struct gw_rt_rule *r = t->rules[i];

		fputs(i ? ",{\"route\":" : "{\"route\":", f);
		jstr(f, r->route);
		fprintf(f, ",\"rule\":%d,\"name\":", r->index);
		if (r->name)
			jstr(f, r->name);
		else
			fputs("null", f);
		fputs(",\"filters\":", f);
		dump_filters(f, &r->filters);
		fprintf(f, ",\"timeouts_ms\":{\"request\":%llu,\"backendRequest\":%llu}",
			(unsigned long long)r->timeout_request_ms,
			(unsigned long long)r->timeout_backend_ms);
		if (r->retry.enabled)
			fprintf(f, ",\"retry\":{\"attempts\":%d,\"backoff_ms\":%llu}",
				r->retry.attempts, (unsigned long long)r->retry.backoff_ms);
		if (r->session.enabled) {
			fprintf(f, ",\"sessionPersistence\":{\"type\":\"%s\",\"name\":",
				r->session.header ? "Header" : "Cookie");
			jstr(f, r->session.name);
			fputc('}', f);
		}
		if (r->filters.extauth) {
			fputs(",\"externalAuth\":", f);
			dump_backend(f, &r->filters.extauth->be);
		}
		fputs(",\"backends\":[", f);
		for (int b = 0; b < r->nbackends; b++) {
			if (b)
				fputc(',', f);
			dump_backend(f, &r->backends[b]);
		}
		fputs("],\"mirrors\":[", f);
		for (int m = 0; m < r->filters.nmirrors; m++) {
			if (m)
				fputc(',', f);
			dump_backend(f, &r->filters.mirrors[m].be);
		}
		fputs("]}", f);
	}
	fputs("]}\n", f);
}

static bool write_all(int fd, const char *p, size_t n)
{
	while (n) {
		ssize_t w = write(fd, p, n);

		if (w <= 0)
			return false;
		p += w;
		n -= (size_t)w;
	}
	return true;
}

static void reply(int fd, int status, const char *ctype, const char *body, size_t len)
{
	char head[256];
	int n = snprintf(head, sizeof(head),
			 "HTTP/1.1 %d %s\r\nContent-Type: %s\r\nContent-Length: %zu\r\n"
			 "Connection: close\r\n\r\n",
			 status, gw_http1_reason(status), ctype, len);

	if (write_all(fd, head, (size_t)n))
		write_all(fd, body, len);
}

void gw_admin_serve(int fd)
{
	static struct gw_http1_req req;
	struct timeval tv = { .tv_sec = 2 };
	char buf[8192];
	size_t n = 0, last = 0;
	char *body = NULL;
	size_t blen = 0;
	FILE *f;
	int r = GW_HTTP1_INCOMPLETE;

	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	while (r == GW_HTTP1_INCOMPLETE && n < sizeof(buf)) {
		ssize_t k = read(fd, buf + n, sizeof(buf) - n);

		if (k <= 0)
			return;
		last = n;
		n += (size_t)k;
		r = gw_http1_parse_request(buf, n, last, &req);
	}
	if (r < 0) {
		reply(fd, 400, "text/plain", "bad request\n", 12);
		return;
	}
	f = open_memstream(&body, &blen);
	if (!f)
		return;
#define PATH_IS(p) (req.target_len == strlen(p) && !memcmp(req.target, p, strlen(p)))
	if (req.method_len != 3 || memcmp(req.method, "GET", 3)) {
		fclose(f);
		reply(fd, 405, "text/plain", "only GET\n", 9);
	} else if (PATH_IS("/metrics")) {
		gw_metrics_write(f, gwd.nworkers);
		fprintf(f, "# HELP gwd_config_generation Route table generation being served.\n"
			   "# TYPE gwd_config_generation gauge\ngwd_config_generation %llu\n"
			   "# HELP gwd_reloads_total Reloads by result.\n"
			   "# TYPE gwd_reloads_total counter\n"
			   "gwd_reloads_total{result=\"ok\"} %llu\n"
			   "gwd_reloads_total{result=\"failed\"} %llu\n",
			(unsigned long long)gwd.gen, (unsigned long long)gwd.reloads_ok,
			(unsigned long long)gwd.reloads_failed);
		fclose(f);
		reply(fd, 200, "text/plain; version=0.0.4", body, blen);
	} else if (PATH_IS("/ready")) {
		bool ready = gwd.ready && !__atomic_load_n(&gwd.stop, __ATOMIC_ACQUIRE);

		fclose(f);
		if (ready)
			reply(fd, 200, "text/plain", "ready\n", 6);
		else
			reply(fd, 503, "text/plain", "not ready\n", 10);
	} else if (PATH_IS("/config")) {
		config_dump(f);
		fclose(f);
		reply(fd, 200, "application/json", body, blen);
	} else {
		fclose(f);
		reply(fd, 404, "text/plain", "not found: try /metrics, /ready or /config\n", 43);
	}
#undef PATH_IS
	free(body);
}
