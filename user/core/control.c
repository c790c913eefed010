// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The main thread: loads configurations into route tables, owns the
 * listening sockets, publishes tables to the workers, and serves the Unix
 * control socket that `gwctl load` and `gwctl status` talk to:
 *
 *   "reload PATH\n"  parse, resolve and build PATH; bind new listeners;
 *                    swap; answer "OK generation N" or "ERR why" (the old
 *                    table keeps serving on any error).
 *   "status\n"       "generation N", then per listener
 *                    "bound KEY ADDR PORT" | "failed KEY why" |
 *                    "unserved KEY why", then "OK".
 *
 * KEY is OwnerKind/namespace/owner/listener. Reloads are serialized: each
 * waits until every worker runs the new table, so a worker never skips a
 * generation and old tables are released by exactly who used them.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <malloc.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "loader/config/diag.h"
#include "loader/config/model.h"
#include "loader/config/state.h"
#include "gw/log.h"
#include "gwd_internal.h"

static int open_listener(const char *addr, int port, bool udp, char *err, size_t errlen)
{
	int type = (udp ? SOCK_DGRAM : SOCK_STREAM) | SOCK_CLOEXEC;
	struct sockaddr_storage ss = { 0 };
	socklen_t sl;
	int fd, one = 1, zero = 0, fam;

	if (!addr || strchr(addr, ':')) {
		struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&ss;

		fam = AF_INET6;
		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons((uint16_t)port);
		if (addr && inet_pton(AF_INET6, addr, &s6->sin6_addr) != 1) {
			snprintf(err, errlen, "'%s' is not an IP address", addr);
			return -EINVAL;
		}
		sl = sizeof(*s6);
	} else {
		struct sockaddr_in *s4 = (struct sockaddr_in *)&ss;

		fam = AF_INET;
		s4->sin_family = AF_INET;
		s4->sin_port = htons((uint16_t)port);
		if (inet_pton(AF_INET, addr, &s4->sin_addr) != 1) {
			snprintf(err, errlen, "'%s' is not an IP address", addr);
			return -EINVAL;
		}
		sl = sizeof(*s4);
	}
	fd = socket(fam, type, 0);
	if (fd < 0 && !addr && errno == EAFNOSUPPORT) {
		/* no IPv6 on this host: the wildcard is IPv4 only */
		struct sockaddr_in *s4 = (struct sockaddr_in *)&ss;

		memset(&ss, 0, sizeof(ss));
		s4->sin_family = AF_INET;
		s4->sin_port = htons((uint16_t)port);
		sl = sizeof(*s4);
		fam = AF_INET;
		fd = socket(AF_INET, type, 0);
	}
	if (fd < 0) {
		int e = errno;

		snprintf(err, errlen, "Couldn't create a socket for %s:%d: %s", addr ? addr : "*",
			 port, strerror(e));
		return -e;
	}
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	/* one socket per worker on the same address: the kernel spreads connections */
	if (setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof(one)))
		goto fail;
	if (fam == AF_INET6 && !addr)
		setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &zero, sizeof(zero));
	/* a Gateway address may be configured after us (e.g. by the XDP tier): bind anyway */
	if (addr)
		setsockopt(fd, fam == AF_INET6 ? IPPROTO_IPV6 : IPPROTO_IP,
			   fam == AF_INET6 ? IPV6_FREEBIND : IP_FREEBIND, &one, sizeof(one));
	if (udp) {
		/* a burst of datagrams waits in the socket, not on the wire */
		int rcv = 4 << 20;

		setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcv, sizeof(rcv));
		if (bind(fd, (struct sockaddr *)&ss, sl))
			goto fail;
		return fd;
	}
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	if (bind(fd, (struct sockaddr *)&ss, sl) || listen(fd, 4096))
		goto fail;
	return fd;
fail:;
	int e = errno;

	snprintf(err, errlen, "Couldn't listen on %s%s%s%s:%d: %s", udp ? "UDP " : "",
		 addr && fam == AF_INET6 ? "[" : "", addr ? addr : "*",
		 addr && fam == AF_INET6 ? "]" : "", port, strerror(e));
	close(fd);
	return -e;
}

static struct gw_lsock *lsock_find(const char *addr, int port, bool udp)
{
	for (struct gw_lsock *ls = gwd.lsocks; ls; ls = ls->next)
		if (ls->port == port && ls->udp == udp &&
		    !strcmp(ls->addr ? ls->addr : "", addr ? addr : ""))
			return ls;
	return NULL;
}

static void lsock_destroy(struct gw_lsock *ls)
{
	struct gw_lsock **pp;

	for (pp = &gwd.lsocks; *pp && *pp != ls; pp = &(*pp)->next)
		;
	if (*pp)
		*pp = ls->next;
	for (int i = 0; i < gwd.nworkers; i++)
		if (ls->fds[i] >= 0)
			close(ls->fds[i]);
	pr_info("stopped listening on %s%s:%d", ls->udp ? "UDP " : "", ls->addr ? ls->addr : "*",
		ls->port);
	free(ls->addr);
	free(ls);
}

static struct gw_lsock *lsock_create(const char *addr, int port, bool udp, char *err,
				     size_t errlen)
{
	struct gw_lsock *ls = calloc(1, sizeof(*ls));

	if (!ls) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	for (int i = 0; i < GW_MAX_WORKERS; i++)
		ls->fds[i] = -1;
	ls->addr = addr ? strdup(addr) : NULL;
	ls->port = port;
	ls->udp = udp;
	ls->id = ++gwd.next_lsock_id;
	for (int i = 0; i < gwd.nworkers; i++) {
		ls->fds[i] = open_listener(addr, port, udp, err, errlen);
		if (ls->fds[i] < 0) {
			for (int k = 0; k < i; k++)
				close(ls->fds[k]);
			free(ls->addr);
			free(ls);
			return NULL;
		}
	}
	ls->next = gwd.lsocks;
	gwd.lsocks = ls;
	pr_info("listening on %s%s:%d (%d sockets, SO_REUSEPORT)", udp ? "UDP " : "",
		addr ? addr : "*", port, gwd.nworkers);
	return ls;
}

/*
 * The TLS server context of an HTTPS port, from the listeners on it. NULL
 * with err filled when no listener of the port can be served; listeners
 * left out of a context say why in gw_tls_ctx_listener()->error.
 */
static struct gw_tls_ctx *port_tls_ctx(const struct gw_rt_port *pt, char *err, size_t errlen)
{
	const struct gw_listener *ls[GW_MAX_LSOCKS];
	struct gw_tls_server_conf conf = { .alpn = GW_TLS_ALPN_H2 | GW_TLS_ALPN_HTTP1 };
	struct gw_tls_ctx *x;
	char why[1024];
	int n = 0;

	if (!gwd.tickets) {
		gwd.tickets = gw_tls_tickets_new(GW_TLS_TICKET_PERIOD_S);
		if (!gwd.tickets)
			pr_warn("Couldn't create the TLS session-ticket keys: %s; sessions will "
				"not resume", strerror(errno));
		gwd.tickets_rotated_ms = gw_now_ms();
	}
	conf.tickets = gwd.tickets;
	if (pt->tcp)
		conf.alpn = 0;	/* TLSRoute: no HTTP; ALPN only from xdpgw.io/alpn */
	for (int k = 0; k < pt->nlisteners && n < GW_MAX_LSOCKS; k++)
		ls[n++] = pt->listeners[k]->l;
	x = gw_tls_ctx_new_server(ls, n, &conf, why, sizeof(why));
	if (!x)
		snprintf(err, errlen, "no TLS listener of port %d can be served: %s", pt->port,
			 why);
	return x;
}

static void tpriv_put_tls(struct gw_tpriv *p, int nports)
{
	for (int i = 0; p->tls && i < nports; i++)
		gw_tls_ctx_put(p->tls[i]);
	free(p->tls);
	p->tls = NULL;
}

/*
 * Gives every port of t its listening socket, reusing the ones that exist.
 * strict (reload): any bind failure undoes the new sockets and fails.
 * Otherwise (start): a port that cannot be bound is recorded and skipped.
 */
static int attach_listeners(struct gw_rt_table *t, bool strict, char *err, size_t errlen)
{
	struct gw_tpriv *p = calloc(1, sizeof(*p));
	struct gw_lsock *created[GW_MAX_LSOCKS];
	int ncreated = 0;

	if (!p || !(p->lsocks = calloc((size_t)t->nports + 1, sizeof(*p->lsocks))) ||
	    !(p->ids = calloc((size_t)t->nports + 1, sizeof(*p->ids))) ||
	    !(p->bind_errors = calloc((size_t)t->nports + 1, sizeof(*p->bind_errors))) ||
	    !(p->tls = calloc((size_t)t->nports + 1, sizeof(*p->tls)))) {
		if (p) {
			free(p->lsocks);
			free(p->ids);
			free(p->bind_errors);
		}
		free(p);
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	for (struct gw_lsock *ls = gwd.lsocks; ls; ls = ls->next)
		ls->keep = false;
	for (int i = 0; i < t->nports; i++) {
		struct gw_rt_port *pt = &t->ports[i];
		struct gw_lsock *ls = lsock_find(pt->addr, pt->port, pt->udp);

		if (pt->tls) {
			/* certificates first: a port without any is not bound at all */
			p->tls[i] = port_tls_ctx(pt, err, errlen);
			if (!p->tls[i]) {
				pr_warn("%s; its listeners are not served", err);
				p->bind_errors[i] = gw_arena_strdup(&t->cfg->arena, err);
				continue;
			}
		}
		if (!ls && ncreated < GW_MAX_LSOCKS) {
			ls = lsock_create(pt->addr, pt->port, pt->udp, err, errlen);
			if (ls)
				created[ncreated++] = ls;
		} else if (!ls) {
			snprintf(err, errlen, "more than %d listening addresses", GW_MAX_LSOCKS);
		}
		if (!ls) {
			if (strict) {
				while (ncreated)
					lsock_destroy(created[--ncreated]);
				tpriv_put_tls(p, t->nports);
				free(p->lsocks);
				free(p->ids);
				free(p->bind_errors);
				free(p);
				return -EADDRNOTAVAIL;
			}
			pr_warn("%s; its listeners are not served", err);
			p->bind_errors[i] = gw_arena_strdup(&t->cfg->arena, err);
			continue;
		}
		ls->keep = true;
		p->lsocks[i] = ls;
		p->ids[i] = ls->id;
	}
	t->priv = p;
	return 0;
}

static bool workers_caught_up(uint64_t gen)
{
	for (int i = 0; i < gwd.nworkers; i++)
		if (!__atomic_load_n(&gwd.w[i].exited, __ATOMIC_ACQUIRE) &&
		    __atomic_load_n(&gwd.w[i].seen_gen, __ATOMIC_ACQUIRE) < gen)
			return false;
	return true;
}

/* Makes t current. Workers release the old one when their requests on it end. */
static void publish(struct gw_rt_table *t)
{
	struct gw_rt_table *old = gwd.table;
	uint64_t gen = gwd.gen + 1, t0 = gw_now_ms();

	t->gen = gen;
	__atomic_store_n(&t->refs, gwd.nworkers + 1, __ATOMIC_RELAXED);
	__atomic_store_n(&gwd.table, t, __ATOMIC_RELEASE);
	__atomic_store_n(&gwd.gen, gen, __ATOMIC_RELEASE);
	for (int i = 0; i < gwd.nworkers && gwd.w; i++)
		if (gwd.w[i].wake_fd > 0)
			gw_worker_wake(&gwd.w[i]);
	while (gwd.running && !workers_caught_up(gen)) {
		if (gw_now_ms() - t0 > 10000) {
			pr_warn("A worker has not picked up route table generation %llu after 10 s",
				(unsigned long long)gen);
			break;
		}
		usleep(500);
	}
	/* only now can no worker still be accepting on a socket the new table dropped */
	for (struct gw_lsock *ls = gwd.lsocks, *next; ls; ls = next) {
		next = ls->next;
		if (!ls->keep)
			lsock_destroy(ls);
	}
	if (old)
		gw_table_unref(old);
}

/* Loads a state-format file into a new table; NULL with err on failure. */
static struct gw_rt_table *load_table(const char *path, bool from_state_dir, char *err,
				      size_t errlen)
{
	struct gw_config *cfg = calloc(1, sizeof(*cfg));
	struct gw_rt_table *t;
	int rc;

	if (!cfg) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	gw_config_init(cfg, gwd.o.controller);
	/* status is gwctl's to write: gwd neither keeps the file's nor computes its own */
	cfg->no_status = true;
	if (from_state_dir) {
		char ctl[512];

		/* the GatewayClasses gwctl loaded this state for (prepare_state_dir() in main.c) */
		if (!gw_state_controller(path, ctl, sizeof(ctl))) {
			if (gwd.o.controller && strcmp(gwd.o.controller, ctl)) {
				snprintf(err, errlen, "Couldn't load the configuration from %s: it "
					 "was loaded for controllerName %s, gwd runs with "
					 "--controller-name %s", path, ctl, gwd.o.controller);
				goto fail;
			}
			if (!(cfg->controller = gw_arena_strdup(&cfg->arena, ctl))) {
				snprintf(err, errlen, "out of memory");
				goto fail;
			}
		}
		rc = gw_state_load(path, cfg);
	} else {
		cfg->trusted = true;	/* our own state format: keep creation times */
		rc = gw_config_add_file(cfg, path);
	}
	if (!rc && cfg->diags.nerrors)
		rc = -EBADMSG;
	if (rc) {
		char d[1024] = "";

		for (size_t i = 0; i < cfg->diags.n; i++) {
			if (cfg->diags.v[i].level == GW_DIAG_ERROR) {
				gw_diag_format(&cfg->diags.v[i], d, sizeof(d));
				break;
			}
		}
		snprintf(err, errlen, "Couldn't load the configuration from %s%s: %s%s%s", path,
			 from_state_dir ? "/" GW_STATE_FILE : "", strerror(-rc), *d ? ": " : "",
			 d);
		goto fail;
	}
	/* the same listener verdicts as gwctl: bad tls.options make a listener invalid */
	cfg->tls_options_check = gw_tls_options_check;
	if ((rc = gw_config_resolve(cfg, NULL))) {
		snprintf(err, errlen, "Couldn't resolve the configuration from %s: %s", path,
			 strerror(-rc));
		goto fail;
	}
	t = gw_rt_build(cfg, err, errlen);
	if (!t)
		goto fail;
	return t;
fail:
	gw_config_free(cfg);
	free(cfg);
	return NULL;
}

static void table_summary(const struct gw_rt_table *t, const char *what)
{
	pr_info("%s: route table generation %llu: %d bound address(es), %u route(s), %u rule(s), "
		"%u match(es), %d listener(s) not served",
		what, (unsigned long long)t->gen, t->nports, t->nroutes, t->nrules, t->nmatches,
		t->nunserved);
}

int gw_control_load_initial(char *err, size_t errlen)
{
	struct gw_rt_table *t = load_table(gwd.o.state_dir, true, err, errlen);

	if (!t)
		return -EINVAL;
	attach_listeners(t, false, err, errlen);
	publish(t);
	table_summary(t, "started");
	return 0;
}

int gw_control_reload(const char *path, bool from_state_dir, char *err, size_t errlen)
{
	struct gw_rt_table *t = load_table(path, from_state_dir, err, errlen);
	int rc;

	if (!t) {
		gwd.reloads_failed++;
		malloc_trim(0);	/* what the refused configuration took */
		return -EINVAL;
	}
	if ((rc = attach_listeners(t, true, err, errlen))) {
		gw_rt_free(t);
		gwd.reloads_failed++;
		malloc_trim(0);
		return rc;
	}
	publish(t);
	gwd.reloads_ok++;
	table_summary(t, "reloaded");
	return 0;
}

void gw_control_status(FILE *f)
{
	const struct gw_rt_table *t = gwd.table;
	const struct gw_tpriv *p = t ? t->priv : NULL;

	fprintf(f, "generation %llu\n", (unsigned long long)(t ? t->gen : 0));
	for (int i = 0; t && i < t->nports; i++) {
		const struct gw_rt_port *pt = &t->ports[i];

		for (int k = 0; k < pt->nlisteners; k++) {
			if (p && p->lsocks[i])
				fprintf(f, "bound %s %s %d\n", pt->listeners[k]->key,
					pt->addr ? pt->addr : "*", pt->port);
			else
				fprintf(f, "failed %s %s\n", pt->listeners[k]->key,
					p && p->bind_errors[i] ? p->bind_errors[i]
							       : "not bound");
		}
	}
	for (int i = 0; t && i < t->nunserved; i++)
		fprintf(f, "unserved %s %s\n", t->unserved[i].key, t->unserved[i].why);
	/* HTTPS listeners whose certificate or options did not load */
	for (int i = 0; p && p->tls && i < t->nports; i++) {
		const struct gw_rt_port *pt = &t->ports[i];

		for (int k = 0; p->tls[i] && k < gw_tls_ctx_nlisteners(p->tls[i]); k++) {
			const struct gw_tls_listener_info *li = gw_tls_ctx_listener(p->tls[i], k);

			if (li->error && li->index >= 0 && li->index < pt->nlisteners)
				fprintf(f, "unserved %s %s\n", pt->listeners[li->index]->key,
					li->error);
		}
	}
	fprintf(f, "OK\n");
}

int gw_control_open(const char *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd, err;

	if (strlen(path) >= sizeof(sa.sun_path)) {
		pr_warn("Control socket path '%s' is too long", path);
		return -ENAMETOOLONG;
	}
	strcpy(sa.sun_path, path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		err = -errno;
		pr_warn("Couldn't create the control socket: %s", strerror(errno));
		return err;
	}
	/* a stale socket of a dead gwd: remove it; a live one: refuse to start */
	if (!connect(fd, (struct sockaddr *)&sa, sizeof(sa))) {
		pr_warn("Another gwd is serving control socket %s; not starting", path);
		close(fd);
		return -EADDRINUSE;
	}
	close(fd);
	unlink(path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof(sa)) || chmod(path, 0600) ||
	    listen(fd, 16)) {
		err = -errno;
		pr_warn("Couldn't listen on control socket %s: %s", path, strerror(errno));
		if (fd >= 0)
			close(fd);
		return err;
	}
	return fd;
}

static void control_conn(int fd)
{
	struct timeval tv = { .tv_sec = 5 };
	char line[4200], err[2048];
	size_t n = 0;
	char *resp = NULL;
	size_t rlen = 0;
	FILE *f;

	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	while (n < sizeof(line) - 1) {
		ssize_t r = read(fd, line + n, sizeof(line) - 1 - n);

		if (r <= 0)
			break;
		n += (size_t)r;
		if (memchr(line, '\n', n))
			break;
	}
	line[n] = '\0';
	if (n && line[n - 1] == '\n')
		line[--n] = '\0';
	f = open_memstream(&resp, &rlen);
	if (!f)
		return;
	if (!strncmp(line, "reload ", 7)) {
		pr_info("reload of %s requested over the control socket", line + 7);
		if (gw_control_reload(line + 7, false, err, sizeof(err))) {
			pr_warn("reload rejected, still serving generation %llu: %s",
				(unsigned long long)gwd.gen, err);
			fprintf(f, "ERR %s\n", err);
		} else {
			fprintf(f, "OK generation %llu\n", (unsigned long long)gwd.gen);
		}
	} else if (!strcmp(line, "status")) {
		gw_control_status(f);
	} else {
		fprintf(f, "ERR unknown request '%.64s' (expected 'reload PATH' or 'status')\n",
			line);
	}
	fclose(f);
	for (size_t off = 0; off < rlen;) {
		ssize_t w = write(fd, resp + off, rlen - off);

		if (w <= 0)
			break;
		off += (size_t)w;
	}
	free(resp);
}

int gw_control_run(int ctl_fd, int admin_fd)
{
	sigset_t set;
	int sfd;
	uint64_t drain_start = 0;

	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGHUP);
	sfd = signalfd(-1, &set, SFD_CLOEXEC);
	if (sfd < 0) {
		pr_warn("Couldn't create a signalfd: %s", strerror(errno));
		return -errno;
	}
	for (;;) {
		struct pollfd pf[3] = { { sfd, POLLIN, 0 }, { ctl_fd, POLLIN, 0 },
					{ admin_fd, POLLIN, 0 } };
		int stop = __atomic_load_n(&gwd.stop, __ATOMIC_ACQUIRE);

		if (stop) {
			bool all = true;

			for (int i = 0; i < gwd.nworkers; i++)
				all &= __atomic_load_n(&gwd.w[i].exited, __ATOMIC_ACQUIRE);
			if (all)
				break;
			if (stop == 1 && gw_now_ms() - drain_start > gwd.o.drain_timeout_ms) {
				pr_warn("drain timeout (%llu ms) reached; closing the remaining "
					"connections", (unsigned long long)gwd.o.drain_timeout_ms);
				__atomic_store_n(&gwd.stop, 2, __ATOMIC_RELEASE);
				for (int i = 0; i < gwd.nworkers; i++)
					gw_worker_wake(&gwd.w[i]);
			}
		}
		if (gwd.tickets && gw_now_ms() - gwd.tickets_rotated_ms >=
				   (uint64_t)GW_TLS_TICKET_PERIOD_S * 1000) {
			/* tickets of the previous key still resume for one more period */
			int rc = gw_tls_tickets_rotate(gwd.tickets);

			if (rc)
				pr_warn("Couldn't rotate the TLS session-ticket keys: %s; "
					"keeping the current key", strerror(-rc));
			gwd.tickets_rotated_ms = gw_now_ms();
		}
		if (poll(pf, 3, stop ? 100 : 1000) < 0) {
			if (errno == EINTR)
				continue;
			pr_warn("poll on the control sockets failed: %s", strerror(errno));
			break;
		}
		if (pf[0].revents & POLLIN) {
			struct signalfd_siginfo si;

			if (read(sfd, &si, sizeof(si)) == sizeof(si)) {
				if (si.ssi_signo == SIGHUP) {
					char err[2048];

					pr_info("SIGHUP: reloading %s/%s", gwd.o.state_dir,
						GW_STATE_FILE);
					if (gw_control_reload(gwd.o.state_dir, true, err, sizeof(err)))
						pr_warn("reload rejected: %s", err);
				} else if (!stop) {
					pr_info("%s: draining (up to %llu ms): no new connections, "
						"in-flight requests finish",
						strsignal((int)si.ssi_signo),
						(unsigned long long)gwd.o.drain_timeout_ms);
					drain_start = gw_now_ms();
					__atomic_store_n(&gwd.stop, 1, __ATOMIC_RELEASE);
					for (int i = 0; i < gwd.nworkers; i++)
						gw_worker_wake(&gwd.w[i]);
				} else {
					__atomic_store_n(&gwd.stop, 2, __ATOMIC_RELEASE);
					for (int i = 0; i < gwd.nworkers; i++)
						gw_worker_wake(&gwd.w[i]);
				}
			}
		}
		if (ctl_fd >= 0 && (pf[1].revents & POLLIN)) {
			int c = accept4(ctl_fd, NULL, NULL, SOCK_CLOEXEC);

			if (c >= 0) {
				control_conn(c);
				close(c);
			}
		}
		if (admin_fd >= 0 && (pf[2].revents & POLLIN)) {
			int c = accept4(admin_fd, NULL, NULL, SOCK_CLOEXEC);

			if (c >= 0) {
				gw_admin_serve(c);
				close(c);
			}
		}
	}
	close(sfd);
	return 0;
}

void gw_control_shutdown(void)
{
	while (gwd.lsocks)
		lsock_destroy(gwd.lsocks);
	if (gwd.table)
		gw_table_unref(gwd.table);
	gwd.table = NULL;
}
