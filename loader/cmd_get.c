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
#include <time.h>
#include <unistd.h>

#include "config/jsonpath.h"
#include "config/state.h"
#include "gwctl.h"

struct get_cfg {
	struct gw_common_cfg common;
	const char *ns;
	bool all_ns;
	const char *output;
};

static const struct gw_opt get_opts[] = {
	GW_OPT("namespace", 'n', GW_OPT_STR, struct get_cfg, ns, "NS", NULL,
	       "namespace (default: default)"),
	GW_OPT("all-namespaces", 'A', GW_OPT_FLAG, struct get_cfg, all_ns, NULL, NULL,
	       "list across all namespaces"),
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
static void print_table(struct gw_obj **objs, size_t n, const struct gw_kind_info *ki, bool all_ns)
{
	char agebuf[32], b1[512];

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

static int run_get(void *vcfg, int argc, char **argv)
{
	struct get_cfg *gc = vcfg;
	const char *dir = gw_state_dir(&gc->common);
	const struct gw_kind_info *ki;
	struct gw_config cfg;
	struct gw_obj **sel = NULL;
	const char *ns = gc->ns ? gc->ns : "default";
	const char *name = argc > 1 ? argv[1] : NULL;
	const char *jsonpath;
	size_t nsel = 0;
	int lock = -1, err, ret = 1;
	char path[4096];

	gw_config_init(&cfg, gc->common.controller);
	if (argc < 1 || argc > 2) {
		fprintf(stderr, "gwctl get: usage: gwctl get KIND [NAME] [-n NS | -A] "
				"[-o yaml|json|name|wide|jsonpath=TEMPLATE]\n");
		return 2;
	}
	if (parse_output(gc->output, &jsonpath))
		return 2;
	ki = gw_kind_by_cli_name(argv[0]);
	snprintf(path, sizeof(path), "%s/%s", dir, GW_STATE_FILE);
	if (!access(path, F_OK)) {
		lock = gw_state_lock(dir, LOCK_SH);
		if (lock < 0) {
			fprintf(stderr, "gwctl get: cannot lock '%s': %s\n", dir, strerror(-lock));
			goto out;
		}
		if ((err = gw_state_load(dir, &cfg))) {
			fprintf(stderr, "gwctl get: cannot read state in '%s': %s\n", dir,
				strerror(-err));
			gw_diags_print(&cfg.diags, stderr);
			goto out;
		}
	}
	/* a policy kind accepted with --allow-unenforced: known by its objects only */
	for (size_t i = 0; !ki && i < cfg.nby_kind[GW_K_UNENFORCED]; i++)
		if (gw_kind_matches_cli(cfg.by_kind[GW_K_UNENFORCED][i]->ki, argv[0]))
			ki = cfg.by_kind[GW_K_UNENFORCED][i]->ki;
	if (!ki) {
		fprintf(stderr, "error: the server doesn't have a resource type \"%s\"\n", argv[0]);
		goto out;
	}
	sel = calloc(cfg.nby_kind[ki->id] + 1, sizeof(*sel));
	if (!sel)
		goto out;
	for (size_t i = 0; i < cfg.nby_kind[ki->id]; i++) {
		struct gw_obj *o = cfg.by_kind[ki->id][i];

		if (ki->id == GW_K_UNENFORCED && (strcmp(o->ki->kind, ki->kind) ||
						  strcmp(o->ki->group, ki->group)))
			continue;

		if (ki->namespaced && !gc->all_ns && strcmp(o->ns, ns))
			continue;
		if (name && strcmp(o->name, name))
			continue;
		sel[nsel++] = o;
	}
	if (name && !nsel) {
		fprintf(stderr, "Error from server (NotFound): %s%s%s \"%s\" not found\n",
			ki->plural, *ki->group ? "." : "", ki->group, name);
		goto out;
	}
	if (!nsel && (!gc->output || !strcmp(gc->output, "wide"))) {
		if (ki->namespaced && !gc->all_ns)
			fprintf(stderr, "No resources found in %s namespace.\n", ns);
		else
			fprintf(stderr, "No resources found\n");
		ret = 0;
		goto out;
	}
	if (!gc->output || !strcmp(gc->output, "wide")) {
		print_table(sel, nsel, ki, gc->all_ns);
	} else if (!strcmp(gc->output, "name")) {
		char buf[512];

		for (size_t i = 0; i < nsel; i++)
			printf("%s\n", gw_resource_name(sel[i], buf, sizeof(buf)));
	} else {
		/* one named object prints bare; anything else is a List */
		struct gw_yval *v = name ? gw_obj_view(&cfg.arena, sel[0])
					 : gw_list_view(&cfg.arena, sel, nsel);

		if (!v)
			goto out;
		if (jsonpath) {
			if (print_jsonpath(jsonpath, v))
				goto out;
		} else if (!strcmp(gc->output, "json"))
			gw_yemit_json(stdout, v, true);
		else
			gw_yemit_yaml(stdout, v);
	}
	ret = 0;
out:
	if (lock >= 0)
		close(lock);
	free(sel);
	gw_config_free(&cfg);
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
