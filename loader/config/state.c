// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "limits.h"
#include "state.h"

#define CONTROLLER_HDR "# controllerName: "

static int mkdir_p(const char *dir, unsigned mode)
{
	char buf[4096];
	size_t n = strlen(dir);

	if (n == 0 || n >= sizeof(buf))
		return -ENAMETOOLONG;
	memcpy(buf, dir, n + 1);
	for (char *p = buf + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(buf, mode) && errno != EEXIST)
			return -errno;
		*p = '/';
	}
	if (mkdir(buf, mode) && errno != EEXIST)
		return -errno;
	return 0;
}

int gw_state_mkdir(const char *dir, unsigned mode)
{
	return mkdir_p(dir, mode);
}

int gw_state_controller(const char *dir, char *buf, size_t len)
{
	char path[4096], line[1024];
	int err = -ENOENT;
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, GW_STATE_FILE);
	f = fopen(path, "re");
	if (!f)
		return -errno;
	/* the header is the leading comment lines, before the first "---" */
	while (fgets(line, sizeof(line), f) && line[0] == '#') {
		size_t n = strlen(CONTROLLER_HDR);

		if (strncmp(line, CONTROLLER_HDR, n))
			continue;
		line[strcspn(line, "\n")] = '\0';
		snprintf(buf, len, "%s", line + n);
		err = buf[0] ? 0 : -ENOENT;
		break;
	}
	fclose(f);
	return err;
}

int gw_state_lock(const char *dir, int how)
{
	char path[4096];
	int fd, err;

	if ((err = mkdir_p(dir, 0755)))
		return err;
	snprintf(path, sizeof(path), "%s/lock", dir);
	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
	if (fd < 0)
		return -errno;
	while (flock(fd, how)) {
		if (errno == EINTR)
			continue;
		err = -errno;
		close(fd);
		return err;
	}
	return fd;
}

int gw_state_load(const char *dir, struct gw_config *cfg)
{
	char path[4096];
	int err;

	snprintf(path, sizeof(path), "%s/%s", dir, GW_STATE_FILE);
	if (access(path, F_OK)) {
		if (errno == ENOENT)
			return 0;
		return -errno;
	}
	cfg->trusted = true;
	err = gw_config_add_file(cfg, path);
	if (err)
		return err;
	return cfg->diags.nerrors ? -EBADMSG : 0;
}

struct gw_yval *gw_obj_view(struct gw_arena *a, const struct gw_obj *o)
{
	struct gw_yval *v = gw_ynew(a, GW_YMAP);

	if (!v)
		return NULL;
	for (size_t i = 0; i < o->root->n; i++)
		if (strcmp(o->root->pairs[i].key, "status") &&
		    gw_yset(a, v, o->root->pairs[i].key, o->root->pairs[i].val))
			return NULL;
	if (o->status && gw_yset(a, v, "status", o->status))
		return NULL;
	return v;
}

struct gw_yval *gw_list_view(struct gw_arena *a, struct gw_obj *const *objs, size_t n)
{
	struct gw_yval *list = gw_ynew(a, GW_YMAP), *items = gw_ynew(a, GW_YSEQ);
	struct gw_yval *meta = gw_ynew(a, GW_YMAP);

	if (!list || !items || !meta)
		return NULL;
	for (size_t i = 0; i < n; i++) {
		struct gw_yval *v = gw_obj_view(a, objs[i]);

		if (!v || gw_ypush(a, items, v))
			return NULL;
	}
	if (gw_yset(a, meta, "resourceVersion", gw_ystr(a, "")) ||
	    gw_yset(a, list, "apiVersion", gw_ystr(a, "v1")) ||
	    gw_yset(a, list, "items", items) || gw_yset(a, list, "kind", gw_ystr(a, "List")) ||
	    gw_yset(a, list, "metadata", meta))
		return NULL;
	return list;
}

struct state_limits {
	size_t max_bytes, max_nodes;
};

/*
 * The state file: a header, then each object's view. With lim, also
 * measures what it writes and stops at the first object where the file
 * crosses a limit, with an error at that object (the user's file:line).
 */
static int write_state(FILE *f, struct gw_config *cfg, const struct state_limits *lim)
{
	size_t nodes = 0, reserve = 0;
	struct gw_arena a = { 0 };
	int err = 0;

	/* room for the Programmed messages the data planes write before the commit */
	for (size_t i = 0; lim && i < cfg->nby_kind[GW_K_GATEWAY]; i++)
		reserve += (size_t)cfg->by_kind[GW_K_GATEWAY][i]->u.gw->nall *
			   GW_STATE_LISTENER_RESERVE;
	fputs("# xdpgw accepted configuration; written by gwctl, do not edit\n", f);
	/* whose GatewayClasses these are: gwd serves the same ones without being told */
	fprintf(f, CONTROLLER_HDR "%s\n", cfg->controller);
	/* which tier serves each TCP/UDP listener: gwd serves those not listed */
	for (size_t i = 0; i < cfg->nxdp_listeners; i++)
		fprintf(f, "# xdpListener: %s\n", cfg->xdp_listeners[i]);
	for (size_t i = 0; i < cfg->nobjs; i++) {
		struct gw_obj *o = cfg->objs[i];
		struct gw_yval *v = gw_obj_view(&a, o);
		long bytes;

		if (!v) {
			err = -ENOMEM;
			break;
		}
		fputs("---\n", f);
		if ((err = gw_yemit_yaml(f, v)))
			break;
		if (!lim)
			continue;
		nodes += gw_ycount(v);
		bytes = ftell(f);
		if (bytes < 0) {
			err = -errno;
			break;
		}
		if ((size_t)bytes + reserve >= lim->max_bytes || nodes > lim->max_nodes) {
			bool b = (size_t)bytes + reserve >= lim->max_bytes;

			gw_diag_add(&cfg->diags, GW_DIAG_ERROR, o->file, o->line, o->ki->kind,
				    o->ns, o->name, NULL,
				    "configuration too large: the stored form gwd reads (every "
				    "object with its defaults and status) reaches %zu %s at this "
				    "object (object %zu of %zu), over the limit of %zu%s; load "
				    "fewer or smaller objects", b ? (size_t)bytes + reserve : nodes,
				    b ? "bytes" : "YAML nodes", i + 1, cfg->nobjs,
				    b ? lim->max_bytes - 1 : lim->max_nodes,
				    b && reserve ? ", counting 4 KiB per listener for its "
						   "Programmed condition" : "");
			err = -EFBIG;
			break;
		}
	}
	gw_arena_free(&a);
	return err;
}

static ssize_t count_write(void *cookie, const char *buf, size_t n)
{
	(void)buf;
	*(size_t *)cookie += n;
	return (ssize_t)n;
}

/* ftell() asks the position this way */
static int count_seek(void *cookie, off64_t *off, int whence)
{
	if (whence != SEEK_CUR || *off)
		return -1;
	*off = (off64_t)*(size_t *)cookie;
	return 0;
}

int gw_state_check_limits(struct gw_config *cfg, size_t max_bytes, size_t max_nodes)
{
	static const cookie_io_functions_t counter = { .write = count_write, .seek = count_seek };
	struct state_limits lim = { max_bytes, max_nodes };
	size_t bytes = 0;
	int err;
	FILE *f;

	f = fopencookie(&bytes, "w", counter);
	if (!f)
		return -errno;
	err = write_state(f, cfg, &lim);
	fclose(f);
	return err;
}

int gw_state_save(const char *dir, const struct gw_config *cfg)
{
	return gw_state_save_as(dir, GW_STATE_FILE, cfg);
}

static int save(const char *dir, const char *name, struct gw_config *cfg,
		const struct state_limits *lim)
{
	char path[4096], tmp[4200];
	int fd = -1, dfd, err = 0;
	FILE *f = NULL;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	snprintf(tmp, sizeof(tmp), "%s.tmp.%d", path, (int)getpid());
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0640);
	if (fd < 0)
		return -errno;
	f = fdopen(fd, "w");
	if (!f) {
		err = -errno;
		close(fd);
		goto out;
	}
	if ((err = write_state(f, cfg, lim)))
		goto out;
	if (fflush(f) || fsync(fileno(f))) {
		err = -errno;
		goto out;
	}
out:
	if (f && fclose(f) && !err)
		err = -errno;
	if (err) {
		unlink(tmp);
		return err;
	}
	if (rename(tmp, path)) {
		err = -errno;
		unlink(tmp);
		return err;
	}
	dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd >= 0) {
		fsync(dfd);
		close(dfd);
	}
	return 0;
}

int gw_state_save_as(const char *dir, const char *name, const struct gw_config *cfg)
{
	/* without limits write_state() adds no diagnostic: cfg is not changed */
	return save(dir, name, (struct gw_config *)cfg, NULL);
}

int gw_state_stage(const char *dir, const char *name, struct gw_config *cfg, size_t max_bytes,
		   size_t max_nodes)
{
	struct state_limits lim = { max_bytes, max_nodes };

	return save(dir, name, cfg, &lim);
}
