/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Declarative command-line options: each command has a table of options
 * that write into its typed cfg struct by offsetof, with typed kinds
 * validated here, and positional arguments collected in order.
 */
#ifndef GW_PARAMS_H
#define GW_PARAMS_H

#include <stdbool.h>
#include <stddef.h>

enum gw_opt_kind {
	GW_OPT_FLAG,	/* bool */
	GW_OPT_STR,	/* const char * */
	GW_OPT_STRLIST,	/* struct gw_strlist, repeatable */
	GW_OPT_ENUM,	/* const char *, one of .enums */
};

struct gw_strlist {
	const char **v;
	int n;
};

struct gw_opt {
	const char *name;	/* long name without "--" */
	char short_name;	/* 0 = none */
	enum gw_opt_kind kind;
	size_t offset;
	const char *metavar;
	const char *const *enums;
	const char *help;
};

#define GW_OPT(name, sh, kind, type, field, metavar, enums, help)                            \
	{ name, sh, kind, offsetof(type, field), metavar, enums, help }
#define GW_OPT_END { NULL }

struct gw_cmd {
	const char *name;
	const char *args;	/* positional synopsis for help */
	const char *help;
	const struct gw_opt *opts;
	size_t cfg_size;
	/** cfg filled from options; argv/argc are the positional arguments. */
	int (*run)(void *cfg, int argc, char **argv);
};

/** Parses argv (after the command word) into cfg; prints errors; -EINVAL on bad usage. */
int gw_params_parse(const struct gw_cmd *cmd, void *cfg, int argc, char **argv, int *npos,
		    char **pos);
void gw_params_usage(const char *prog, const struct gw_cmd *cmd);

#endif
