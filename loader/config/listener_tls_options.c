// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Listener tls.options checked at load time. ListenerTLSConfig.options is
 * "implementation-specific" (apis/v1/gateway_types.go); a value xdpgw cannot
 * apply makes the listener not Accepted with reason UnsupportedValue
 * (ListenerReasonUnsupportedValue), hence Programmed False / Invalid and no
 * routes attached, instead of gwd leaving the listener out at reload.
 *
 * The check itself is the TLS engine's (gw_tls_options_check() in
 * user/tls/options.c, OpenSSL), which the config library does not link:
 * programs that have it set cfg->tls_options_check (gwctl, gwd). Passthrough
 * listeners never terminate TLS, so their options are not checked.
 */
#include <string.h>

#include "resolve_internal.h"

void gw_check_listener_tls_options(struct gw_config *cfg, struct gw_listener *l)
{
	const struct gw_yval *opts = gw_yget(gw_yget(l->node, "tls"), "options");
	char err[512];

	if (!cfg->tls_options_check || !opts || !l->tls_mode || strcmp(l->tls_mode, "Terminate"))
		return;
	if (l->proto != GW_PROTO_HTTPS && l->proto != GW_PROTO_TLS)
		return;
	err[0] = '\0';
	if (!cfg->tls_options_check(opts, l->proto == GW_PROTO_HTTPS, err, sizeof(err)))
		return;
	gw_cond_set(&l->conds, "Accepted", "False", "UnsupportedValue",
		    gw_arena_printf(&cfg->arena, "tls.options: %s", err[0] ? err : "rejected"));
	l->valid = false;
}
