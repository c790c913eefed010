// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "params.h"

static const struct gw_opt *find_long(const struct gw_opt *o, const char *name, size_t n)
{
	for (; o && o->name; o++)
		if (strlen(o->name) == n && !strncmp(o->name, name, n))
			return o;
	return NULL;
}

static const struct gw_opt *find_short(const struct gw_opt *o, char c)
{
	for (; o && o->name; o++)
		if (o->short_name == c)
			return o;
	return NULL;
}

static int store(const struct gw_cmd *cmd, const struct gw_opt *o, void *cfg, const char *val)
{
	char *field = (char *)cfg + o->offset;

	switch (o->kind) {
	case GW_OPT_FLAG:
		*(bool *)field = true;
		return 0;
	case GW_OPT_STR:
		*(const char **)field = val;
		return 0;
	case GW_OPT_ENUM:
		for (int i = 0; o->enums[i]; i++) {
			if (!strcmp(o->enums[i], val)) {
				*(const char **)field = val;
				return 0;
			}
		}
		fprintf(stderr, "gwctl %s: --%s: invalid value \"%s\"; expected one of:", cmd->name,
			o->name, val);
		for (int i = 0; o->enums[i]; i++)
			fprintf(stderr, " %s", o->enums[i]);
		fputc('\n', stderr);
		return -EINVAL;
	case GW_OPT_STRLIST: {
		struct gw_strlist *l = (struct gw_strlist *)field;
		const char **p = realloc(l->v, (size_t)(l->n + 1) * sizeof(*p));

		if (!p)
			return -ENOMEM;
		l->v = p;
		l->v[l->n++] = val;
		return 0;
	}
	}
	return -EINVAL;
}

int gw_params_parse(const struct gw_cmd *cmd, void *cfg, int argc, char **argv, int *npos,
		    char **pos)
{
	bool only_pos = false;
	int err;

	*npos = 0;
	for (int i = 0; i < argc; i++) {
		const char *a = argv[i], *val = NULL;
		const struct gw_opt *o = NULL;

		if (only_pos || a[0] != '-' || !a[1]) {
			pos[(*npos)++] = argv[i];
			continue;
		}
		if (!strcmp(a, "--")) {
			only_pos = true;
			continue;
		}
		if (a[1] == '-') {
			const char *eq = strchr(a + 2, '=');
			size_t n = eq ? (size_t)(eq - a - 2) : strlen(a + 2);

			o = find_long(cmd->opts, a + 2, n);
			if (eq)
				val = eq + 1;
		} else {
			o = find_short(cmd->opts, a[1]);
			if (o && a[2])
				val = a + 2;
		}
		if (!o) {
			fprintf(stderr, "gwctl %s: unknown option '%s' (see 'gwctl %s --help')\n",
				cmd->name, a, cmd->name);
			return -EINVAL;
		}
		if (o->kind != GW_OPT_FLAG && !val) {
			if (i + 1 >= argc) {
				fprintf(stderr, "gwctl %s: option '%s' needs a value (%s)\n",
					cmd->name, a, o->metavar ? o->metavar : "VALUE");
				return -EINVAL;
			}
			val = argv[++i];
		} else if (o->kind == GW_OPT_FLAG && val) {
			fprintf(stderr, "gwctl %s: option '--%s' takes no value\n", cmd->name,
				o->name);
			return -EINVAL;
		}
		if ((err = store(cmd, o, cfg, val)))
			return err;
	}
	return 0;
}

void gw_params_usage(const char *prog, const struct gw_cmd *cmd)
{
	printf("Usage: %s %s [options] %s\n\n%s\n\nOptions:\n", prog, cmd->name,
	       cmd->args ? cmd->args : "", cmd->help);
	for (const struct gw_opt *o = cmd->opts; o && o->name; o++) {
		char left[64];

		snprintf(left, sizeof(left), "%c%c%s--%s%s%s", o->short_name ? '-' : ' ',
			 o->short_name ? o->short_name : ' ', o->short_name ? ", " : "  ",
			 o->name, o->kind == GW_OPT_FLAG ? "" : " ",
			 o->kind == GW_OPT_FLAG ? "" : (o->metavar ? o->metavar : "VALUE"));
		printf("  %-34s %s\n", left, o->help);
	}
	printf("  %-34s %s\n", " -h, --help", "show this help");
}
