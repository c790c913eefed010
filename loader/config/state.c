// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

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

int gw_state_save(const char *dir, const struct gw_config *cfg)
{
	return gw_state_save_as(dir, GW_STATE_FILE, cfg);
}

int gw_state_save_as(const char *dir, const char *name, const struct gw_config *cfg)
{
	char path[4096], tmp[4200];
	struct gw_arena a = { 0 };
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
	fputs("# xdpgw accepted configuration; written by gwctl, do not edit\n", f);
	/* whose GatewayClasses these are: gwd serves the same ones without being told */
	fprintf(f, CONTROLLER_HDR "%s\n", cfg->controller);
	/* which tier serves each TCP/UDP listener: gwd serves those not listed */
	for (size_t i = 0; i < cfg->nxdp_listeners; i++)
		fprintf(f, "# xdpListener: %s\n", cfg->xdp_listeners[i]);
	for (size_t i = 0; i < cfg->nobjs; i++) {
		struct gw_yval *v = gw_obj_view(&a, cfg->objs[i]);

		if (!v) {
			err = -ENOMEM;
			goto out;
		}
		fputs("---\n", f);
		if ((err = gw_yemit_yaml(f, v)))
			goto out;
	}
	if (fflush(f) || fsync(fileno(f))) {
		err = -errno;
		goto out;
	}
out:
	if (f && fclose(f) && !err)
		err = -errno;
	gw_arena_free(&a);
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
