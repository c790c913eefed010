/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* gwctl commands and the options every command shares. */
#ifndef GW_GWCTL_H
#define GW_GWCTL_H

#include <stdbool.h>

#include "params.h"

/* Options every command takes; first member of each command's cfg. */
struct gw_common_cfg {
	const char *state_dir;
	const char *controller;
	bool verbose;
	bool help;
};

#define GW_COMMON_OPTS(type)                                                                  \
	GW_OPT("state-dir", 0, GW_OPT_STR, type, common.state_dir, "DIR", NULL,               \
	       "state directory (default /var/lib/xdpgw)"),                                   \
	GW_OPT("controller-name", 0, GW_OPT_STR, type, common.controller, "NAME", NULL,       \
	       "GatewayClass controllerName to own (default xdpgw.io/gateway-controller)"),   \
	GW_OPT("verbose", 'v', GW_OPT_FLAG, type, common.verbose, NULL, NULL,                 \
	       "more output"),                                                                \
	GW_OPT("help", 'h', GW_OPT_FLAG, type, common.help, NULL, NULL, "show this help")

extern const struct gw_cmd gw_cmd_load;
extern const struct gw_cmd gw_cmd_apply;
extern const struct gw_cmd gw_cmd_delete;
extern const struct gw_cmd gw_cmd_get;
extern const struct gw_cmd gw_cmd_status;
extern const struct gw_cmd gw_cmd_unload;
extern const struct gw_cmd gw_cmd_stats;

extern const char *const gw_output_formats[];

const char *gw_state_dir(const struct gw_common_cfg *c);
/** Current time as RFC 3339 UTC ("2026-11-27T10:00:00Z") in buf. */
const char *gw_now_rfc3339(char *buf, unsigned long len);

struct gw_obj;
/** kubectl's resource/name: "gateway.gateway.networking.k8s.io/eg", "service/backend". */
const char *gw_resource_name(const struct gw_obj *o, char *buf, unsigned long len);

#endif
