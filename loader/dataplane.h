/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The data planes gwctl programs after a configuration validated: the XDP
 * L4 tier (loader/xdp/) and the gwd L7 daemon (loader/gwd_client.c). Each
 * registers one gw_dp_ops. `gwctl load` runs them in order:
 *
 *   stage config -> apply(xdp) -> apply(gwd) -> commit state -> status
 *
 * and if any apply fails, the ones before it get apply(prev) again, so the
 * node keeps running the previous configuration and nothing half-applies.
 */
#ifndef GW_DATAPLANE_H
#define GW_DATAPLANE_H

#include <stdbool.h>

#include "config/model.h"
#include "params.h"

#define GW_PIN_DIR_DEFAULT "/sys/fs/bpf/xdpgw"

/*
 * Route kinds the data planes of this build do not serve, left out of
 * listeners' supportedKinds so such routes are never reported Accepted
 * (none today: gwd serves GRPCRoute since it speaks HTTP/2 to backends).
 */
#define GW_UNSERVED_KINDS 0u

/** What the command line says about where and how to program. */
struct gw_dp_ctx {
	const char *state_dir;
	const char *pin_dir;		/* bpffs directory for pinned maps and links */
	struct gw_strlist ifaces;	/* --iface, interfaces to attach XDP to */
	const char *l4_hook;		/* --l4-hook: "xdp", "tc" or "auto" (NULL: auto) */
	const char *gwd_socket;		/* gwd control socket (default STATE_DIR/gwd.sock) */
	bool verbose;
	void *priv[4];			/* per data plane state between calls */
};

struct gw_dp_ops {
	const char *name;
	/**
	 * Programs cfg (resolved). prev is what runs now (possibly empty).
	 * staged is the path of cfg written in state format, for data planes
	 * that read files (gwd). Returns 0 or -errno after printing a clear
	 * error; on failure the data plane must still run prev.
	 */
	int (*apply)(struct gw_dp_ctx *ctx, const struct gw_config *cfg,
		     const struct gw_config *prev, const char *staged);
	/** Whether listener l is served by this data plane now (else *msg says why). */
	bool (*listener_programmed)(struct gw_dp_ctx *ctx, const struct gw_listener *l,
				    const char **msg);
	/** Whether this data plane serves listeners of l's protocol at all. */
	bool (*owns_listener)(const struct gw_listener *l);
};

/*
 * Weak so each data plane lands with its own file; a build without one
 * simply has no such data plane.
 */
extern const struct gw_dp_ops gw_dp_xdp __attribute__((weak));
extern const struct gw_dp_ops gw_dp_gwd __attribute__((weak));

/*
 * gwd's live view, for gwctl status: true when gwd binds the listener
 * "OwnerKind/ns/owner/listener" now, else *msg says why (gwd not running,
 * bind failure, unserved). gwd is asked once per ctx.
 */
bool gw_gwd_live_listener(struct gw_dp_ctx *ctx, const char *key, const char **msg);
/** The route table generation gwd serves, or NULL when it is not running. */
const char *gw_gwd_generation(struct gw_dp_ctx *ctx);

#endif
