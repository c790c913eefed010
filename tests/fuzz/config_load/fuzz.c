// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Fuzzes the configuration pipeline with arbitrary bytes as a manifest:
 * parse, validate, stamp, resolve and emit the result. Invariants: no
 * crash, no sanitizer report; an accepted config re-emits as YAML that
 * loads again with the same number of objects and no errors.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "loader/config/state.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct gw_config cfg, again;
	struct gw_yval *list;
	char *buf = NULL;
	size_t len = 0;
	FILE *f;

	gw_config_init(&cfg, NULL);
	if (gw_config_add_buf(&cfg, "fuzz.yaml", (const char *)data, size) || cfg.diags.nerrors ||
	    !cfg.nobjs)
		goto out;
	cfg.now = "2026-01-01T00:00:00Z";
	if (gw_config_stamp(&cfg, NULL, cfg.now) || gw_config_resolve(&cfg, NULL))
		abort();	/* only ENOMEM may fail here, and the fuzzer does not run out */
	list = gw_list_view(&cfg.arena, cfg.objs, cfg.nobjs);
	if (!list)
		abort();
	f = open_memstream(&buf, &len);
	if (!f)
		goto out;
	gw_yemit_yaml(f, list);
	fclose(f);
	/* what we print must load back: the state file depends on it */
	gw_config_init(&again, NULL);
	again.trusted = true;
	if (gw_config_add_buf(&again, "again.yaml", buf, len) || again.diags.nerrors ||
	    again.nobjs != cfg.nobjs) {
		fprintf(stderr, "re-emitted config does not load back (%zu errors, %zu vs %zu)\n",
			again.diags.nerrors, again.nobjs, cfg.nobjs);
		gw_diags_print(&again.diags, stderr);
		fwrite(buf, 1, len, stderr);
		abort();
	}
	gw_config_free(&again);
	free(buf);
out:
	gw_config_free(&cfg);
	return 0;
}
