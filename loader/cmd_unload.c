// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * gwctl unload: detach the XDP tier from every interface and remove every
 * pin, leaving the node as it was before the first load. The persisted
 * configuration in the state directory stays; `gwctl load` brings it back.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "dataplane.h"
#include "gwctl.h"
#include "xdp/xdp.h"

struct unload_cfg {
	struct gw_common_cfg common;
	const char *pin_dir;
};

static const struct gw_opt unload_opts[] = {
	GW_OPT("pin-dir", 0, GW_OPT_STR, struct unload_cfg, pin_dir, "DIR", NULL,
	       "bpffs directory of the pinned maps (default /sys/fs/bpf/xdpgw)"),
	GW_COMMON_OPTS(struct unload_cfg),
	GW_OPT_END,
};

static int run_unload(void *vcfg, int argc, char **argv)
{
	struct unload_cfg *uc = vcfg;
	const char *pin_dir = uc->pin_dir ? uc->pin_dir : GW_PIN_DIR_DEFAULT;
	struct gw_xdp_instance in = { .lock_fd = -1 };
	int n, err, ret = 1;

	(void)argv;
	if (argc) {
		fprintf(stderr, "gwctl unload: takes no arguments\n");
		return 2;
	}
	gw_log_set_verbose(uc->common.verbose);
	if (!gw_xdp_pins_exist(pin_dir) && !gw_xdp_instance_attached(pin_dir)) {
		printf("XDP tier not loaded (no pins in %s, no program attached); nothing to do\n",
		       pin_dir);
		return 0;
	}
	/* without pins (another mount namespace) there is no directory to lock */
	if (gw_xdp_pins_exist(pin_dir) && (err = gw_xdp_pin_dir_prepare(pin_dir, &in.lock_fd)))
		goto out;
	if ((err = gw_xdp_instance_open_pinned(&in, pin_dir)))
		goto out;
	n = gw_xdp_detach_all(&in);
	if (n < 0) {
		fprintf(stderr, "gwctl unload: the pins stay so that unload can be retried\n");
		goto out;
	}
	if ((err = gw_xdp_unpin_all(&in)))
		goto out;
	printf("XDP tier unloaded: detached from %d interface%s, removed the pins in %s\n", n,
	       n == 1 ? "" : "s", pin_dir);
	ret = 0;
out:
	gw_xdp_instance_close(&in);
	return ret;
}

const struct gw_cmd gw_cmd_unload = {
	.name = "unload",
	.help = "detach the XDP tier and remove its pinned maps",
	.opts = unload_opts,
	.cfg_size = sizeof(struct unload_cfg),
	.run = run_unload,
};
