// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * gwctl get: the persisted objects with their status, shaped like
 * `kubectl get`: a table by default, the object (one name) or a v1 List
 * with -o yaml|json.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/inotify.h>
#include <time.h>
#include <unistd.h>

#include "config/jsonpath.h"
#include "config/state.h"
#include "gwctl.h"

struct get_cfg {
	struct gw_common_cfg common;
	const char *ns;
	bool all_ns;
	bool watch, watch_events;
	const char *output;
};

static const struct gw_opt get_opts[] = {
	GW_OPT("namespace", 'n', GW_OPT_STR, struct get_cfg, ns, "NS", NULL,
	       "namespace (default: default)"),
	GW_OPT("all-namespaces", 'A', GW_OPT_FLAG, struct get_cfg, all_ns, NULL, NULL,
	       "list across all namespaces"),
	GW_OPT("watch", 'w', GW_OPT_FLAG, struct get_cfg, watch, NULL, NULL,
	       "after listing, print each change as the state changes (kubectl get -w)"),
	GW_OPT("output-watch-events", 0, GW_OPT_FLAG, struct get_cfg, watch_events, NULL, NULL,
	       "with --watch: an EVENT column (ADDED, MODIFIED, DELETED)"),
	GW_OPT("output", 'o', GW_OPT_STR, struct get_cfg, output, "FORMAT", NULL,
	       "yaml, json, name, wide or jsonpath=TEMPLATE (kubectl's JSONPath)"),
	GW_COMMON_OPTS(struct get_cfg),
	GW_OPT_END,
};

/* kubectl's AGE column: 5s, 3m, 2h, 4d */
static const char *age(const char *ts, char *buf, size_t len)
{
	struct tm tm = { 0 };
	time_t t, now = time(NULL);
	long d;

	if (!ts || !strptime(ts, "%Y-%m-%dT%H:%M:%SZ", &tm))
		return "<unknown>";
	t = timegm(&tm);
	d = (long)(now - t);
	if (d < 0)
		d = 0;
	if (d < 120)
		snprintf(buf, len, "%lds", d);
	else if (d < 7200)
		snprintf(buf, len, "%ldm", d / 60);
	else if (d < 172800)
		snprintf(buf, len, "%ldh", d / 3600);
	else
		snprintf(buf, len, "%ldd", d / 86400);
	return buf;
}

static const char *cond_status(const struct gw_yval *status, const char *type)
{
	struct gw_yval *cs = gw_yget(status, "conditions");

	for (size_t i = 0; i < gw_ylen(cs); i++)
		if (!strcmp(gw_ygetstr(cs->items[i], "type", ""), type))
			return gw_ygetstr(cs->items[i], "status", "Unknown");
	return "Unknown";
}

static void join(const struct gw_yval *seq, const char *key, char *buf, size_t len)
{
	size_t o = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < gw_ylen(seq) && o < len; i++) {
		const char *s = key ? gw_ygetstr(seq->items[i], key, "") : seq->items[i]->str;
		int n = snprintf(buf + o, len - o, "%s%s", i ? "," : "", s ? s : "");

		if (n > 0)
			o += (size_t)n;
	}
	if (!buf[0])
		snprintf(buf, len, "<none>");
}

/* Columns follow the Gateway API CRDs' additionalPrinterColumns. */
static void print_table(struct gw_obj **objs, size_t n, const struct gw_kind_info *ki, bool all_ns,
			bool header, bool event_col)
{
	char agebuf[32], b1[512];

	if (!header)
		goto rows;
	if (event_col)
		printf("%-9s ", "EVENT");
	if (all_ns && ki->namespaced)
		printf("%-16s ", "NAMESPACE");
	switch (ki->id) {
	case GW_K_GATEWAYCLASS:
		printf("%-24s %-36s %-9s %s\n", "NAME", "CONTROLLER", "ACCEPTED", "AGE");
		break;
	case GW_K_GATEWAY:
		printf("%-24s %-16s %-20s %-11s %s\n", "NAME", "CLASS", "ADDRESS", "PROGRAMMED",
		       "AGE");
		break;
	case GW_K_HTTPROUTE:
	case GW_K_GRPCROUTE:
	case GW_K_TLSROUTE:
		printf("%-24s %-40s %s\n", "NAME", "HOSTNAMES", "AGE");
		break;
	default:
		printf("%-24s %s\n", "NAME", "AGE");
	}
rows:
	for (size_t i = 0; i < n; i++) {
		struct gw_obj *o = objs[i];
		const char *a = age(o->created, agebuf, sizeof(agebuf));

		if (all_ns && ki->namespaced)
			printf("%-16s ", o->ns);
		switch (ki->id) {
		case GW_K_GATEWAYCLASS:
			printf("%-24s %-36s %-9s %s\n", o->name,
			       gw_ygetstr(o->spec, "controllerName", ""),
			       cond_status(o->status, "Accepted"), a);
			break;
		case GW_K_GATEWAY: {
			struct gw_yval *addrs = gw_yget(o->status, "addresses");

			printf("%-24s %-16s %-20s %-11s %s\n", o->name,
			       gw_ygetstr(o->spec, "gatewayClassName", ""),
			       gw_ylen(addrs) ? gw_ygetstr(addrs->items[0], "value", "") : "",
			       cond_status(o->status, "Programmed"), a);
			break;
		}
		case GW_K_HTTPROUTE:
		case GW_K_GRPCROUTE:
		case GW_K_TLSROUTE:
			join(gw_yget(o->spec, "hostnames"), NULL, b1, sizeof(b1));
			printf("%-24s %-40s %s\n", o->name, b1, a);
			break;
		default:
			printf("%-24s %s\n", o->name, a);
		}
	}
}

/*
 * -o: one of gw_output_formats, or jsonpath=TEMPLATE as kubectl takes it
 * (also `jsonpath='{...}'` with the quotes left on by a caller).
 */
static int parse_output(const char *o, const char **jsonpath)
{
	*jsonpath = NULL;
	if (!o)
		return 0;
	if (!strncmp(o, "jsonpath=", 9)) {
		*jsonpath = o + 9;
		return 0;
	}
	for (int i = 0; gw_output_formats[i]; i++)
		if (!strcmp(o, gw_output_formats[i]))
			return 0;
	fprintf(stderr, "error: unable to match a printer suitable for the output format \"%s\", "
			"allowed formats are: json,jsonpath,name,wide,yaml\n", o);
	return -EINVAL;
}

/*
 * Prints the template's output only once all of it evaluated, so an error
 * half-way leaves no partial line (kubectl prints the error alone, too).
 */
static int print_jsonpath(const char *tmpl, const struct gw_yval *v)
{
	char *buf = NULL, err[1024];
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	int rc;

	if (!f) {
		fprintf(stderr, "gwctl get: %s\n", strerror(errno));
		return -ENOMEM;
	}
	rc = gw_jsonpath(f, tmpl, v, err, sizeof(err));
	if (fclose(f) && !rc)
		rc = -EIO;
	if (rc)
		fprintf(stderr, "error: %s\n", rc == -EIO ? strerror(EIO) : err);
	else
		fwrite(buf, 1, len, stdout);
	free(buf);
	return rc;
}

/* One reading of the state: the objects `gwctl get` selects, in state order. */
struct snap {
	struct gw_config cfg;
	struct gw_obj **sel;
	size_t n;
	const struct gw_kind_info *ki;
};

/* 0, or 1 with the error printed (unknown kind, unreadable state). */
static int snap_load(struct get_cfg *gc, const char *kind, const char *name, struct snap *s)
{
	const char *dir = gw_state_dir(&gc->common);
	const char *ns = gc->ns ? gc->ns : "default";
	const struct gw_kind_info *ki = gw_kind_by_cli_name(kind);
	char path[4096];
	int lock = -1, err, ret = 1;

	memset(s, 0, sizeof(*s));
	gw_config_init(&s->cfg, gc->common.controller);
	snprintf(path, sizeof(path), "%s/%s", dir, GW_STATE_FILE);
	if (!access(path, F_OK)) {
		lock = gw_state_lock(dir, LOCK_SH);
		if (lock < 0) {
			fprintf(stderr, "gwctl get: cannot lock '%s': %s\n", dir, strerror(-lock));
			return 1;
		}
		if ((err = gw_state_load(dir, &s->cfg))) {
			fprintf(stderr, "gwctl get: cannot read state in '%s': %s\n", dir,
				strerror(-err));
			gw_diags_print(&s->cfg.diags, stderr);
			goto out;
		}
	}
	/* a policy kind accepted with --allow-unenforced: known by its objects only */
	for (size_t i = 0; !ki && i < s->cfg.nby_kind[GW_K_UNENFORCED]; i++)
		if (gw_kind_matches_cli(s->cfg.by_kind[GW_K_UNENFORCED][i]->ki, kind))
			ki = s->cfg.by_kind[GW_K_UNENFORCED][i]->ki;
	if (!ki) {
		fprintf(stderr, "error: the server doesn't have a resource type \"%s\"\n", kind);
		goto out;
	}
	s->ki = ki;
	s->sel = calloc(s->cfg.nby_kind[ki->id] + 1, sizeof(*s->sel));
	if (!s->sel)
		goto out;
	for (size_t i = 0; i < s->cfg.nby_kind[ki->id]; i++) {
		struct gw_obj *o = s->cfg.by_kind[ki->id][i];

		if (ki->id == GW_K_UNENFORCED && (strcmp(o->ki->kind, ki->kind) ||
						  strcmp(o->ki->group, ki->group)))
			continue;
		if (ki->namespaced && !gc->all_ns && strcmp(o->ns, ns))
			continue;
		if (name && strcmp(o->name, name))
			continue;
		s->sel[s->n++] = o;
	}
	ret = 0;
out:
	if (lock >= 0)
		close(lock);
	return ret;
}

static void snap_free(struct snap *s)
{
	free(s->sel);
	gw_config_free(&s->cfg);
	memset(s, 0, sizeof(*s));
}

/*
 * Prints objs in the -o format. bare: one object (or, when watching, each
 * object) prints as itself, else several as a List. events (watch with
 * --output-watch-events): the event of each row, as kubectl's EVENT column.
 */
static int print_objs(struct get_cfg *gc, struct snap *s, struct gw_obj **objs, size_t n,
		      bool bare, bool header, const char *const *events, const char *jsonpath)
{
	if (!gc->output || !strcmp(gc->output, "wide")) {
		if (header)
			print_table(objs, 0, s->ki, gc->all_ns, true, !!events);
		for (size_t i = 0; i < n; i++) {
			if (events)
				printf("%-9s ", events[i]);
			print_table(objs + i, 1, s->ki, gc->all_ns, false, false);
		}
		return 0;
	}
	if (!strcmp(gc->output, "name")) {
		char buf[512];

		for (size_t i = 0; i < n; i++)
			printf("%s\n", gw_resource_name(objs[i], buf, sizeof(buf)));
		return 0;
	}
	for (size_t i = 0; i < (bare ? n : 1); i++) {
		struct gw_yval *v = bare ? gw_obj_view(&s->cfg.arena, objs[i])
					 : gw_list_view(&s->cfg.arena, objs, n);

		if (!v)
			return -ENOMEM;
		if (jsonpath) {
			if (print_jsonpath(jsonpath, v))
				return -EINVAL;
		} else if (!strcmp(gc->output, "json")) {
			gw_yemit_json(stdout, v, true);
		} else {
			if (bare && n > 1)
				printf("---\n");
			gw_yemit_yaml(stdout, v);
		}
	}
	return 0;
}

/* Waits until the state file is replaced or rewritten (gwctl load commits by rename). */
static int wait_state_change(int ifd)
{
	char buf[4096] __attribute__((aligned(__alignof__(struct inotify_event))));

	for (;;) {
		ssize_t len = read(ifd, buf, sizeof(buf));

		if (len < 0 && errno == EINTR)
			continue;
		if (len <= 0)
			return len < 0 ? -errno : -EIO;
		for (char *p = buf; p < buf + len;) {
			const struct inotify_event *ev = (const struct inotify_event *)p;

			if (ev->len && !strcmp(ev->name, GW_STATE_FILE))
				return 0;
			p += sizeof(*ev) + ev->len;
		}
	}
}

static struct gw_obj *find_same(const struct snap *s, const struct gw_obj *o)
{
	for (size_t i = 0; i < s->n; i++)
		if (!strcmp(s->sel[i]->ns ? s->sel[i]->ns : "", o->ns ? o->ns : "") &&
		    !strcmp(s->sel[i]->name, o->name))
			return s->sel[i];
	return NULL;
}

/*
 * kubectl get -w: after the listing, one row (or object) per change as the
 * state changes: added and modified objects from the new state, deleted
 * ones as they last were. Runs until interrupted.
 */
static int watch(struct get_cfg *gc, const char *kind, const char *name, struct snap *cur,
		 const char *jsonpath)
{
	const char *dir = gw_state_dir(&gc->common);
	int ifd = inotify_init1(IN_CLOEXEC), err = 0;

	if (ifd < 0 || inotify_add_watch(ifd, dir, IN_MOVED_TO | IN_CLOSE_WRITE) < 0) {
		fprintf(stderr, "gwctl get: cannot watch '%s': %s\n", dir, strerror(errno));
		if (ifd >= 0)
			close(ifd);
		return 1;
	}
	fflush(stdout);
	while (!(err = wait_state_change(ifd))) {
		struct snap next;
		struct gw_obj **changed;
		const char **events;
		size_t n = 0;

		if (snap_load(gc, kind, name, &next))
			continue;	/* printed; the next change may be readable */
		changed = calloc(next.n + cur->n + 1, sizeof(*changed));
		events = calloc(next.n + cur->n + 1, sizeof(*events));
		if (!changed || !events) {
			free(changed);
			free(events);
			snap_free(&next);
			err = -ENOMEM;
			break;
		}
		for (size_t i = 0; i < next.n; i++) {
			struct gw_obj *was = find_same(cur, next.sel[i]);

			if (was && gw_yequal(gw_obj_view(&cur->cfg.arena, was),
					     gw_obj_view(&next.cfg.arena, next.sel[i])))
				continue;
			events[n] = was ? "MODIFIED" : "ADDED";
			changed[n++] = next.sel[i];
		}
		/* deleted: printed from the old state, where they still are */
		for (size_t i = 0; i < cur->n; i++) {
			if (find_same(&next, cur->sel[i]))
				continue;
			events[0] = "DELETED";
			print_objs(gc, cur, &cur->sel[i], 1, true, false,
				   gc->watch_events ? events : NULL, jsonpath);
		}
		print_objs(gc, &next, changed, n, true, false, gc->watch_events ? events : NULL,
			   jsonpath);
		fflush(stdout);
		free(changed);
		free(events);
		snap_free(cur);
		*cur = next;
	}
	close(ifd);
	fprintf(stderr, "gwctl get: watch ended: %s\n", strerror(-err));
	return 1;
}

static int run_get(void *vcfg, int argc, char **argv)
{
	struct get_cfg *gc = vcfg;
	const char *ns = gc->ns ? gc->ns : "default";
	const char *name = argc > 1 ? argv[1] : NULL;
	const char *jsonpath;
	struct snap s;
	int ret = 1;

	if (argc < 1 || argc > 2) {
		fprintf(stderr, "gwctl get: usage: gwctl get KIND [NAME] [-n NS | -A] [-w] "
				"[-o yaml|json|name|wide|jsonpath=TEMPLATE]\n");
		return 2;
	}
	if (parse_output(gc->output, &jsonpath))
		return 2;
	gc->watch |= gc->watch_events;
	if (snap_load(gc, argv[0], name, &s))
		goto out;
	if (name && !s.n && !gc->watch) {
		fprintf(stderr, "Error from server (NotFound): %s%s%s \"%s\" not found\n",
			s.ki->plural, *s.ki->group ? "." : "", s.ki->group, name);
		goto out;
	}
	if (!s.n && (!gc->output || !strcmp(gc->output, "wide")) && !gc->watch) {
		if (s.ki->namespaced && !gc->all_ns)
			fprintf(stderr, "No resources found in %s namespace.\n", ns);
		else
			fprintf(stderr, "No resources found\n");
		ret = 0;
		goto out;
	}
	if (gc->watch) {
		const char **events = calloc(s.n + 1, sizeof(*events));

		for (size_t i = 0; events && i < s.n; i++)
			events[i] = "ADDED";
		if (!events || print_objs(gc, &s, s.sel, s.n, true, true,
					  gc->watch_events ? events : NULL, jsonpath)) {
			free(events);
			goto out;
		}
		free(events);
		ret = watch(gc, argv[0], name, &s, jsonpath);
		goto out;
	}
	/* one named object prints bare; anything else is a List */
	if (print_objs(gc, &s, s.sel, s.n, !!name, true, NULL, jsonpath))
		goto out;
	ret = 0;
out:
	snap_free(&s);
	return ret;
}

const struct gw_cmd gw_cmd_get = {
	.name = "get",
	.args = "KIND [NAME]",
	.help = "show objects with their status, like kubectl get",
	.opts = get_opts,
	.cfg_size = sizeof(struct get_cfg),
	.run = run_get,
};
