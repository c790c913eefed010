// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * gw_dp_xdp: the XDP L4 tier as a data plane of `gwctl load`. apply()
 * compiles the resolved configuration, attaches to the interfaces, writes
 * the tables as a new generation and switches to it; a failure at any
 * step leaves the previous configuration running. The tier filters every
 * listener of our Gateways but serves (owns) only TCP and UDP ones, and
 * only where it is attached: gwd serves the TCP/UDP listeners it does not.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "config/model.h"
#include "config/state.h"
#include "dataplane.h"
#include "xdp.h"

/* ICMP errors (refusals, frag needed, TTL) one CPU may send per second. */
#define GW_ICMP_RATE_DEFAULT 1000

/* What apply() left for listener_programmed(); gwctl is one load per process. */
static struct {
	bool applied;		/* tables written and the program attached */
	const char *why;	/* if not, why not */
	struct gw_xdp_model model;
} st;

static bool l4(const struct gw_listener *l)
{
	return l->proto == GW_PROTO_TCP || l->proto == GW_PROTO_UDP;
}

/* Valid listeners of our Gateways: any, and any TCP/UDP one. */
static void scan(const struct gw_config *cfg, bool *any, bool *any_l4)
{
	*any = *any_l4 = false;
	for (size_t i = 0; i < cfg->nby_kind[GW_K_GATEWAY]; i++) {
		const struct gw_obj *o = cfg->by_kind[GW_K_GATEWAY][i];

		if (!o->ours || !o->u.gw || !o->u.gw->ours)
			continue;
		for (int k = 0; k < o->u.gw->nall; k++) {
			*any |= o->u.gw->all[k]->valid;
			*any_l4 |= o->u.gw->all[k]->valid && l4(o->u.gw->all[k]);
		}
	}
}

/*
 * cmd_load hands over the previous configuration as read from the state
 * file, unresolved, when it rolls back; staged is then that file. A
 * private copy is loaded and resolved from it.
 */
static int resolved_copy(const char *path, struct gw_config *own, const char *controller)
{
	int err;

	gw_config_init(own, controller);
	own->trusted = true;
	if ((err = gw_config_add_file(own, path)))
		return err;
	if (own->diags.nerrors)
		return -EBADMSG;
	return gw_config_resolve(own, NULL);
}

static int apply(struct gw_dp_ctx *ctx, const struct gw_config *cfg,
		 const struct gw_config *prev, const char *staged)
{
	struct gw_xdp_iface ifaces[GW_MAX_IFACES];
	struct gw_xdp_instance in = { .lock_fd = -1 };
	struct gw_xdp_sync_opts so = { 0 };
	struct gw_xdp_model m = { 0 };
	struct gw_config own;
	bool own_used = false, any, any_l4, changed, known;
	int nifaces = 0, err;

	(void)prev;
	gw_log_set_verbose(ctx->verbose);
	gw_xdp_model_free(&st.model);
	st.applied = false;
	st.why = "the XDP tier is not attached to any interface (gwctl load --iface IFNAME)";
	if (!cfg->resolved && cfg->nobjs) {
		if ((err = resolved_copy(staged, &own, cfg->controller))) {
			fprintf(stderr, "gwctl: XDP: cannot resolve the configuration in '%s': %s\n",
				staged, strerror(-err));
			gw_config_free(&own);
			return err;
		}
		own_used = true;
		cfg = &own;
	}
	scan(cfg, &any, &any_l4);
	known = ctx->ifaces.n || gw_xdp_pins_exist(ctx->pin_dir) ||
		gw_xdp_instance_attached(ctx->pin_dir);
	/*
	 * No objects at all is only ever a rollback to the state before the
	 * first load (gwctl load refuses empty input): leave no trace.
	 */
	if (!cfg->nobjs) {
		err = 0;
		if (known && !(err = gw_xdp_pin_dir_prepare(ctx->pin_dir, &in.lock_fd)) &&
		    !(err = gw_xdp_instance_open_pinned(&in, ctx->pin_dir))) {
			err = gw_xdp_detach_all(&in);
			err = err < 0 ? err : gw_xdp_unpin_all(&in);
		}
		goto out;
	}
	if (!known) {
		err = 0;
		if (any_l4) {
			/* gwd's userspace L4 path serves them (docs/l4.md) */
			fprintf(stderr, "gwctl: XDP: no --iface given and the XDP tier is not attached "
				"yet: TCP/UDP listeners are served by gwd in userspace, not in "
				"XDP\n");
		} else if (any) {
			fprintf(stderr, "gwctl: XDP: no --iface given and the XDP tier is not attached "
				"yet: listeners are not filtered in XDP\n");
		}
		goto out;
	}
	if ((err = gw_xdp_pin_dir_prepare(ctx->pin_dir, &in.lock_fd)) ||
	    (err = gw_xdp_instance_open(&in, ctx->pin_dir)))
		goto out;
	if (ctx->ifaces.n) {
		if (ctx->ifaces.n > GW_MAX_IFACES) {
			fprintf(stderr, "gwctl: XDP: at most %d interfaces\n", GW_MAX_IFACES);
			err = -E2BIG;
			goto out;
		}
		nifaces = ctx->ifaces.n;
		err = gw_xdp_ifaces_lookup(ctx->ifaces.v, (size_t)nifaces, ifaces);
	} else {
		/* a reload: the interfaces recorded at the first load, addresses read anew */
		struct gw_xdp_iface rec[GW_MAX_IFACES];
		const char *names[GW_MAX_IFACES];

		nifaces = gw_xdp_ifaces_recorded(&in.maps, rec, GW_MAX_IFACES);
		if (nifaces < 0) {
			err = nifaces;
			goto out;
		}
		for (int i = 0; i < nifaces; i++)
			names[i] = rec[i].name;
		err = gw_xdp_ifaces_lookup(names, (size_t)nifaces, ifaces);
	}
	if (err)
		goto out;
	if (!nifaces && any_l4) {
		fprintf(stderr, "gwctl: XDP: no interface recorded in '%s'; give --iface IFNAME\n",
			ctx->pin_dir);
		err = -EINVAL;
		goto out;
	}
	if ((err = gw_xdp_compile(cfg, ifaces, (size_t)nifaces, &m)))
		goto out;
	so.netns_ino = in.netns_ino;
	so.pin_dir = ctx->pin_dir;
	so.icmp_rate = GW_ICMP_RATE_DEFAULT;
	so.ifaces = ifaces;
	so.nifaces = (size_t)nifaces;
	if ((err = gw_xdp_local_ports(&so.local_port_min, &so.local_port_max)))
		pr_warn("gwctl: XDP: cannot read net.ipv4.ip_local_port_range (%s); assuming "
			"%u-%u\n", strerror(-err), so.local_port_min, so.local_port_max);
	/*
	 * Attach first: on an interface new to it the program judges by the
	 * live tables (or passes everything before the first ones exist), so
	 * if anything fails from here on, the previous configuration is what
	 * runs, on the previous interfaces.
	 */
	if ((err = gw_xdp_attach_all(&in, ifaces, (size_t)nifaces)))
		goto out;
	if ((err = gw_xdp_sync(&in.maps, &m, &so, &changed))) {
		gw_xdp_attach_undo(&in, ifaces, (size_t)nifaces);
		goto out;
	}
	if ((err = gw_xdp_detach_unlisted(&in, ifaces, (size_t)nifaces))) {
		/* the new tables are live; a stale attachment judges by them too */
		fprintf(stderr, "gwctl: XDP: cannot detach from an interface no longer listed: "
			"%s\n", strerror(-err));
		err = 0;
	}
	if (!m.ngateways && in.created) {
		/* nothing to serve and nothing was there before: leave no trace */
		gw_xdp_detach_all(&in);
		err = gw_xdp_unpin_all(&in);
		goto out;
	}
	pr_debug("XDP: %zu gateway(s), %zu listener(s), %zu route table(s)%s\n", m.ngateways,
		 m.nlisteners, m.nroutes, changed ? "" : ", unchanged");
	st.applied = true;
	st.model = m;
	memset(&m, 0, sizeof(m));
out:
	gw_xdp_model_free(&m);
	if (in.skel || in.lock_fd >= 0)
		gw_xdp_instance_close(&in);
	if (own_used) {
		/* the model points into own; status is never asked about this one */
		gw_xdp_model_free(&st.model);
		st.applied = false;
		gw_config_free(&own);
	}
	return err;
}

static bool listener_programmed(struct gw_dp_ctx *ctx, const struct gw_listener *l,
				const char **msg)
{
	(void)ctx;
	if (!st.applied) {
		*msg = st.why;
		return false;
	}
	if (!gw_xdp_model_has(&st.model, l)) {
		*msg = "the XDP tier has no address for this listener's Gateway (no spec.addresses "
		       "and no address on the --iface interfaces)";
		return false;
	}
	return true;
}

static bool owns_listener(const struct gw_listener *l)
{
	return l4(l);
}

const struct gw_dp_ops gw_dp_xdp = {
	.name = "xdp",
	.apply = apply,
	.listener_programmed = listener_programmed,
	.owns_listener = owns_listener,
};
