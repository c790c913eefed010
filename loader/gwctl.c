// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * gwctl: loads Gateway API configuration on this node and shows its state.
 * Subcommands are declared in a table; each owns its option table.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "config/state.h"
#include "gwctl.h"

const char *const gw_output_formats[] = { "yaml", "json", "name", "wide", NULL };

static const struct gw_cmd *const commands[] = {
	&gw_cmd_load,
	&gw_cmd_apply,
	&gw_cmd_delete,
	&gw_cmd_get,
	&gw_cmd_status,
	&gw_cmd_unload,
	&gw_cmd_stats,
	NULL,
};

const char *gw_state_dir(const struct gw_common_cfg *c)
{
	return c->state_dir ? c->state_dir : GW_STATE_DIR_DEFAULT;
}

const char *gw_now_rfc3339(char *buf, unsigned long len)
{
	time_t t = time(NULL);
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(buf, len, "%Y-%m-%dT%H:%M:%SZ", &tm);
	return buf;
}

const char *gw_resource_name(const struct gw_obj *o, char *buf, unsigned long len)
{
	char sing[64];

	gw_kind_singular(o->ki, sing, sizeof(sing));
	if (*o->ki->group)
		snprintf(buf, len, "%s.%s/%s", sing, o->ki->group, o->name);
	else
		snprintf(buf, len, "%s/%s", sing, o->name);
	return buf;
}

static void usage(FILE *f)
{
	fprintf(f, "Usage: gwctl COMMAND [options]\n\n"
		   "xdpgw control: load Kubernetes Gateway API YAML on this node and inspect it.\n\n"
		   "Commands:\n");
	for (int i = 0; commands[i]; i++)
		fprintf(f, "  %-8s %s\n", commands[i]->name, commands[i]->help);
	fprintf(f, "  %-8s %s\n", "help", "show help for a command");
	fprintf(f, "\nRun 'gwctl COMMAND --help' for a command's options.\n");
}

int main(int argc, char **argv)
{
	const struct gw_cmd *cmd = NULL;
	char **pos;
	void *cfg;
	int npos, err;

	if (argc < 2) {
		usage(stderr);
		return 2;
	}
	if (!strcmp(argv[1], "help") || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
		for (int i = 0; argc > 2 && commands[i]; i++)
			if (!strcmp(commands[i]->name, argv[2]))
				cmd = commands[i];
		if (cmd)
			gw_params_usage("gwctl", cmd);
		else
			usage(stdout);
		return 0;
	}
	for (int i = 0; commands[i]; i++)
		if (!strcmp(commands[i]->name, argv[1]))
			cmd = commands[i];
	if (!cmd) {
		fprintf(stderr, "gwctl: unknown command '%s'\n\n", argv[1]);
		usage(stderr);
		return 2;
	}
	cfg = calloc(1, cmd->cfg_size);
	pos = calloc((size_t)argc, sizeof(*pos));
	if (!cfg || !pos) {
		fprintf(stderr, "gwctl: out of memory\n");
		return 1;
	}
	err = gw_params_parse(cmd, cfg, argc - 2, argv + 2, &npos, pos);
	if (err) {
		free(cfg);
		free(pos);
		return 2;
	}
	if (((struct gw_common_cfg *)cfg)->help) {
		gw_params_usage("gwctl", cmd);
		err = 0;
	} else {
		err = cmd->run(cfg, npos, pos);
	}
	free(pos);
	free(cfg);
	return err;
}
