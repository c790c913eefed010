// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The gwd data plane as gwctl sees it: apply() asks a running gwd to load
 * the staged configuration over its Unix control socket ("reload PATH");
 * listener_programmed() asks it which listeners it has bound ("status").
 * When gwd is not running, apply() succeeds with a notice: the committed
 * state is what gwd reads when it starts.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <unistd.h>

#include "dataplane.h"

/* ctx->priv slot of this data plane */
#define GWD_PRIV 1
/* reload of a large configuration takes seconds; a wedged gwd must not hang gwctl */
#define GWD_TIMEOUT_S 60

struct gwd_state {
	bool asked;		/* status fetched (or gwd found absent) */
	bool running;
	char *status;		/* the "status" reply */
};

static struct gwd_state *state(struct gw_dp_ctx *ctx)
{
	if (!ctx->priv[GWD_PRIV])
		ctx->priv[GWD_PRIV] = calloc(1, sizeof(struct gwd_state));
	return ctx->priv[GWD_PRIV];
}

/* Connects to gwd; -ENOENT/-ECONNREFUSED mean it is not running. */
static int gwd_connect(const char *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct timeval tv = { .tv_sec = GWD_TIMEOUT_S };
	int fd, err;

	if (strlen(path) >= sizeof(sa.sun_path))
		return -ENAMETOOLONG;
	strcpy(sa.sun_path, path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa))) {
		err = -errno;
		close(fd);
		return err;
	}
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	return fd;
}

/* Sends one request line and reads the whole reply (gwd closes after it). */
static int gwd_request(const char *path, const char *req, char **reply)
{
	size_t len = strlen(req), off = 0, cap = 4096, n = 0;
	char *buf;
	int fd = gwd_connect(path), err = 0;

	if (fd < 0)
		return fd;
	while (off < len) {
		ssize_t w = write(fd, req + off, len - off);

		if (w <= 0) {
			err = w < 0 ? -errno : -EPIPE;
			close(fd);
			return err;
		}
		off += (size_t)w;
	}
	buf = malloc(cap);
	if (!buf) {
		close(fd);
		return -ENOMEM;
	}
	for (;;) {
		ssize_t r;

		if (n + 1 == cap) {
			char *nb = realloc(buf, cap * 2);

			if (!nb) {
				err = -ENOMEM;
				break;
			}
			buf = nb;
			cap *= 2;
		}
		r = read(fd, buf + n, cap - 1 - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			err = errno == EAGAIN ? -ETIMEDOUT : -errno;
			break;
		}
		if (!r)
			break;
		n += (size_t)r;
	}
	close(fd);
	if (err) {
		free(buf);
		return err;
	}
	buf[n] = '\0';
	*reply = buf;
	return 0;
}

/* The last line of a reply: "OK ..." or "ERR ...". */
static const char *last_line(char *reply)
{
	size_t n = strlen(reply);
	char *p;

	while (n && reply[n - 1] == '\n')
		reply[--n] = '\0';
	p = strrchr(reply, '\n');
	return p ? p + 1 : reply;
}

static bool not_running(int err)
{
	return err == -ENOENT || err == -ECONNREFUSED;
}

static int gwd_apply(struct gw_dp_ctx *ctx, const struct gw_config *cfg,
		     const struct gw_config *prev, const char *staged)
{
	struct gwd_state *st = state(ctx);
	char abs[PATH_MAX], req[PATH_MAX + 16], *reply = NULL;
	const char *last;
	int err;

	(void)cfg;
	(void)prev;
	if (!st)
		return -ENOMEM;
	/* a later status question must see the new listeners */
	free(st->status);
	st->status = NULL;
	st->asked = false;
	/* gwd resolves the path itself, from its own working directory */
	if (!realpath(staged, abs)) {
		fprintf(stderr, "gwctl load: gwd: cannot resolve staged config path '%s': %s\n",
			staged, strerror(errno));
		return -errno;
	}
	snprintf(req, sizeof(req), "reload %s\n", abs);
	err = gwd_request(ctx->gwd_socket, req, &reply);
	if (not_running(err)) {
		st->asked = true;
		st->running = false;
		fprintf(stderr, "gwctl load: gwd is not running (no control socket at %s); "
			"it will serve this configuration when it starts\n",
			ctx->gwd_socket);
		return 0;
	}
	if (err) {
		fprintf(stderr, "gwctl load: cannot ask gwd at %s to reload: %s\n",
			ctx->gwd_socket, strerror(-err));
		return err;
	}
	last = last_line(reply);
	if (strncmp(last, "OK", 2)) {
		fprintf(stderr, "gwctl load: gwd rejected the configuration: %s\n",
			!strncmp(last, "ERR ", 4) ? last + 4 : last);
		free(reply);
		return -EINVAL;
	}
	if (ctx->verbose)
		fprintf(stderr, "gwctl load: gwd: %s\n", last);
	free(reply);
	return 0;
}

/* "OwnerKind/ns/owner/listener", as gwd names listeners in its status. */
static void listener_key(const struct gw_listener *l, char *buf, size_t len)
{
	snprintf(buf, len, "%s/%s/%s/%s", l->owner->ki->kind, l->owner->ns ? l->owner->ns : "",
		 l->owner->name, l->name);
}

bool gw_gwd_live_listener(struct gw_dp_ctx *ctx, const char *key, const char **msg)
{
	static __thread char why[512];
	struct gwd_state *st = state(ctx);
	size_t klen = strlen(key);
	bool bound = false;
	const char *failed = NULL;

	if (!st) {
		*msg = "out of memory";
		return false;
	}
	if (!st->asked) {
		int err = gwd_request(ctx->gwd_socket, "status\n", &st->status);

		st->asked = true;
		st->running = !err;
		if (err && !not_running(err)) {
			snprintf(why, sizeof(why), "cannot ask gwd for its status: %s",
				 strerror(-err));
			*msg = why;
			return false;
		}
	}
	if (!st->running || !st->status) {
		*msg = "gwd is not running";
		return false;
	}
	for (char *line = st->status; line && *line;) {
		char *nl = strchr(line, '\n');
		const char *rest = NULL;

		if (!strncmp(line, "bound ", 6))
			rest = line + 6;
		else if (!strncmp(line, "failed ", 7) || !strncmp(line, "unserved ", 9))
			rest = strchr(line, ' ') + 1;
		if (rest && !strncmp(rest, key, klen) && rest[klen] == ' ') {
			if (line[0] == 'b') {
				bound = true;
			} else if (!failed) {
				size_t n = nl ? (size_t)(nl - rest - klen - 1) : strlen(rest + klen + 1);

				snprintf(why, sizeof(why), "gwd: %.*s", (int)n, rest + klen + 1);
				failed = why;
			}
		}
		line = nl ? nl + 1 : NULL;
	}
	if (bound && !failed)
		return true;
	*msg = failed ? failed : "gwd does not serve this listener";
	return false;
}

const char *gw_gwd_generation(struct gw_dp_ctx *ctx)
{
	static __thread char gen[64];
	struct gwd_state *st = state(ctx);
	const char *msg, *g;

	if (!st->asked)
		(void)gw_gwd_live_listener(ctx, "", &msg);
	if (!st->running || !st->status || !(g = strstr(st->status, "generation ")))
		return NULL;
	snprintf(gen, sizeof(gen), "%.*s", (int)strcspn(g + 11, "\n"), g + 11);
	return gen;
}

static bool gwd_listener_programmed(struct gw_dp_ctx *ctx, const struct gw_listener *l,
				    const char **msg)
{
	char key[512];

	listener_key(l, key, sizeof(key));
	return gw_gwd_live_listener(ctx, key, msg);
}

static bool gwd_owns_listener(const struct gw_listener *l)
{
	/* TCP/UDP: the listeners the XDP tier does not serve (gwd's userspace L4 path) */
	return l->proto == GW_PROTO_HTTP || l->proto == GW_PROTO_HTTPS ||
	       l->proto == GW_PROTO_TLS || l->proto == GW_PROTO_TCP || l->proto == GW_PROTO_UDP;
}

const struct gw_dp_ops gw_dp_gwd = {
	.name = "gwd",
	.apply = gwd_apply,
	.listener_programmed = gwd_listener_programmed,
	.owns_listener = gwd_owns_listener,
};
