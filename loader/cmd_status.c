// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * gwctl status: a short human summary of what this node serves: Gateways,
 * their listeners and attached routes, and every condition that is not
 * True (the things an operator has to look at).
 */
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include "config/state.h"
#include "dataplane.h"
#include "gwctl.h"
#include "xdp/xdp.h"

struct status_cfg {
	struct gw_common_cfg common;
	const char *pin_dir;
	const char *gwd_socket;
};

static const struct gw_opt status_opts[] = {
	GW_OPT("pin-dir", 0, GW_OPT_STR, struct status_cfg, pin_dir, "DIR", NULL,
	       "bpffs directory of the XDP tier (default /sys/fs/bpf/xdpgw)"),
	GW_OPT("gwd-socket", 0, GW_OPT_STR, struct status_cfg, gwd_socket, "PATH", NULL,
	       "gwd control socket (default STATE_DIR/gwd.sock)"),
	GW_COMMON_OPTS(struct status_cfg),
	GW_OPT_END,
};

/* Negative-polarity conditions are healthy when False. */
static bool healthy(const char *type, const char *status)
{
	if (!strcmp(type, "Conflicted") || !strcmp(type, "OverlappingTLSConfig") ||
	    !strcmp(type, "PartiallyInvalid"))
		return strcmp(status, "True") != 0;
	return !strcmp(status, "True");
}

static int print_problems(const char *indent, const struct gw_yval *conds)
{
	int n = 0;

	for (size_t i = 0; i < gw_ylen(conds); i++) {
		const struct gw_yval *c = conds->items[i];
		const char *type = gw_ygetstr(c, "type", ""), *st = gw_ygetstr(c, "status", "");

		if (healthy(type, st))
			continue;
		printf("%s! %s=%s (%s): %s\n", indent, type, st, gw_ygetstr(c, "reason", ""),
		       gw_ygetstr(c, "message", ""));
		n++;
	}
	return n;
}

static const char *summary(const struct gw_yval *conds, char *buf, size_t len)
{
	size_t o = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < gw_ylen(conds) && o < len; i++) {
		const struct gw_yval *c = conds->items[i];
		const char *type = gw_ygetstr(c, "type", "");
		const char *st = gw_ygetstr(c, "status", "");
		int w;

		if (!strcmp(type, "Conflicted") && !strcmp(st, "False"))
			continue;
		w = snprintf(buf + o, len - o, "%s%s%s", o ? " " : "", type,
			     !strcmp(st, "True") ? "" : !strcmp(st, "False") ? "=False" : "=Unknown");
		if (w > 0)
			o += (size_t)w;
	}
	return buf;
}

/*
 * The stored status says what was true at the last load; gwd may have
 * stopped or lost a listener since. For listeners gwd serves and the status
 * calls Programmed, ask gwd now and say so when it disagrees.
 */
/* Which tier serves a listener: XDP for the TCP/UDP ones gwctl load recorded, else gwd. */
static const char *tier(const struct gw_config *cfg, const char *key, const char *proto)
{
	if (strcmp(proto, "TCP") && strcmp(proto, "UDP"))
		return "gwd";
	for (size_t i = 0; i < cfg->nxdp_listeners; i++)
		if (!strcmp(cfg->xdp_listeners[i], key))
			return "xdp";
	return "gwd";
}

static void live_check(struct gw_dp_ctx *dp, const char *key, const char *tier,
		       const struct gw_yval *conds)
{
	const char *why;
	bool programmed = false;

	if (strcmp(tier, "gwd"))
		return;
	for (size_t i = 0; i < gw_ylen(conds); i++)
		programmed |= !strcmp(gw_ygetstr(conds->items[i], "type", ""), "Programmed") &&
			      !strcmp(gw_ygetstr(conds->items[i], "status", ""), "True");
	if (!programmed)
		return;
	if (!gw_gwd_live_listener(dp, key, &why))
		printf("    ! not served now, though Programmed at the last load: %s\n", why);
}

static void print_routes_for(const struct gw_config *cfg, const struct gw_obj *gw,
			     const char *listener)
{
	static const enum gw_kind rk[] = { GW_K_HTTPROUTE, GW_K_GRPCROUTE, GW_K_TLSROUTE,
					   GW_K_TCPROUTE, GW_K_UDPROUTE };
	char buf[256];

	for (size_t k = 0; k < sizeof(rk) / sizeof(rk[0]); k++) {
		for (size_t i = 0; i < cfg->nby_kind[rk[k]]; i++) {
			const struct gw_obj *o = cfg->by_kind[rk[k]][i];
			struct gw_yval *parents = gw_yget(o->status, "parents");

			for (size_t p = 0; p < gw_ylen(parents); p++) {
				struct gw_yval *pr = gw_yget(parents->items[p], "parentRef");
				struct gw_yval *cs = gw_yget(parents->items[p], "conditions");
				const char *sec = gw_ygetstr(pr, "sectionName", NULL);

				if (strcmp(gw_ygetstr(pr, "kind", "Gateway"), "Gateway") ||
				    strcmp(gw_ygetstr(pr, "name", ""), gw->name) ||
				    strcmp(gw_ygetstr(pr, "namespace", o->ns), gw->ns))
					continue;
				if (listener ? (!sec || strcmp(sec, listener)) : sec != NULL)
					continue;
				printf("    %s %s/%s: %s\n", o->ki->kind, o->ns, o->name,
				       summary(cs, buf, sizeof(buf)));
				print_problems("      ", cs);
			}
		}
	}
}

static int run_status(void *vcfg, int argc, char **argv)
{
	struct status_cfg *sc = vcfg;
	const char *dir = gw_state_dir(&sc->common);
	struct gw_config cfg;
	struct gw_dp_ctx dp = { 0 };
	const char *gen;
	char path[4096], sock[4096], buf[256], ctl[512];
	int lock, err, ret = 1;

	(void)argv;
	if (argc) {
		fprintf(stderr, "gwctl status: takes no arguments\n");
		return 2;
	}
	gw_config_init(&cfg, sc->common.controller);
	snprintf(path, sizeof(path), "%s/%s", dir, GW_STATE_FILE);
	if (access(path, F_OK)) {
		printf("No configuration loaded (state directory %s). Run: gwctl load -f FILE\n",
		       dir);
		gw_config_free(&cfg);
		return 0;
	}
	lock = gw_state_lock(dir, LOCK_SH);
	if (lock < 0) {
		fprintf(stderr, "gwctl status: cannot lock '%s': %s\n", dir, strerror(-lock));
		goto out;
	}
	if ((err = gw_state_load(dir, &cfg))) {
		fprintf(stderr, "gwctl status: cannot read state in '%s': %s\n", dir,
			strerror(-err));
		goto out;
	}
	/* without --controller-name: the classes the state was loaded for */
	if (!sc->common.controller && !gw_state_controller(dir, ctl, sizeof(ctl)))
		cfg.controller = ctl;
	snprintf(sock, sizeof(sock), "%s/gwd.sock", dir);
	dp.gwd_socket = sc->gwd_socket ? sc->gwd_socket : sock;
	gen = gw_gwd_generation(&dp);
	if (gen)
		printf("gwd: running, route table generation %s\n", gen);
	else
		printf("gwd: not running (%s)\n", dp.gwd_socket);
	for (size_t i = 0; i < cfg.nby_kind[GW_K_GATEWAYCLASS]; i++) {
		const struct gw_obj *o = cfg.by_kind[GW_K_GATEWAYCLASS][i];

		if (strcmp(gw_ygetstr(o->spec, "controllerName", ""), cfg.controller))
			continue;
		printf("GatewayClass %s: %s\n", o->name,
		       summary(gw_yget(o->status, "conditions"), buf, sizeof(buf)));
		print_problems("  ", gw_yget(o->status, "conditions"));
	}
	for (size_t i = 0; i < cfg.nby_kind[GW_K_GATEWAY]; i++) {
		const struct gw_obj *o = cfg.by_kind[GW_K_GATEWAY][i];
		struct gw_yval *st = o->status;
		struct gw_yval *ls = gw_yget(st, "listeners");
		struct gw_yval *spec_ls = gw_yget(o->spec, "listeners");
		struct gw_yval *addrs = gw_yget(st, "addresses");

		const struct gw_obj *cls = gw_config_find(&cfg, GW_K_GATEWAYCLASS, NULL,
							  gw_ygetstr(o->spec, "gatewayClassName", ""));

		if (!cls || strcmp(gw_ygetstr(cls->spec, "controllerName", ""), cfg.controller))
			continue;	/* not ours */
		printf("Gateway %s/%s (class %s): %s\n", o->ns, o->name,
		       gw_ygetstr(o->spec, "gatewayClassName", ""),
		       summary(gw_yget(st, "conditions"), buf, sizeof(buf)));
		for (size_t a = 0; a < gw_ylen(addrs); a++)
			printf("  address %s\n", gw_ygetstr(addrs->items[a], "value", ""));
		print_problems("  ", gw_yget(st, "conditions"));
		print_routes_for(&cfg, o, NULL);
		for (size_t l = 0; l < gw_ylen(ls); l++) {
			struct gw_yval *le = ls->items[l];
			const char *name = gw_ygetstr(le, "name", "");
			struct gw_yval *spec_l = NULL;
			const char *t;
			char key[512];

			for (size_t k = 0; k < gw_ylen(spec_ls); k++)
				if (!strcmp(gw_ygetstr(spec_ls->items[k], "name", ""), name))
					spec_l = spec_ls->items[k];
			snprintf(key, sizeof(key), "Gateway/%s/%s/%s", o->ns, o->name, name);
			t = tier(&cfg, key, gw_ygetstr(spec_l, "protocol", ""));
			printf("  listener %s %s/%lld%s%s tier=%s: %lld route%s; %s\n", name,
			       gw_ygetstr(spec_l, "protocol", "?"), gw_ygetint(spec_l, "port", 0),
			       gw_ygetstr(spec_l, "hostname", NULL) ? " " : "",
			       gw_ygetstr(spec_l, "hostname", ""), t,
			       gw_ygetint(le, "attachedRoutes", 0),
			       gw_ygetint(le, "attachedRoutes", 0) == 1 ? "" : "s",
			       summary(gw_yget(le, "conditions"), buf, sizeof(buf)));
			print_problems("    ", gw_yget(le, "conditions"));
			live_check(&dp, key, t, gw_yget(le, "conditions"));
			print_routes_for(&cfg, o, name);
		}
	}
	/* SecurityPolicies: where each attaches and whether it is enforced there */
	for (size_t i = 0; i < cfg.nby_kind[GW_K_SECURITYPOLICY]; i++) {
		const struct gw_obj *o = cfg.by_kind[GW_K_SECURITYPOLICY][i];
		const struct gw_yval *anc = gw_yget(o->status, "ancestors");

		printf("SecurityPolicy %s/%s: %zu ancestor%s\n", o->ns, o->name, gw_ylen(anc),
		       gw_ylen(anc) == 1 ? "" : "s");
		for (size_t k = 0; k < gw_ylen(anc); k++) {
			const struct gw_yval *ref = gw_yget(anc->items[k], "ancestorRef");

			printf("  %s %s/%s%s%s: %s\n", gw_ygetstr(ref, "kind", ""),
			       gw_ygetstr(ref, "namespace", ""), gw_ygetstr(ref, "name", ""),
			       gw_ygetstr(ref, "sectionName", NULL) ? "/" : "",
			       gw_ygetstr(ref, "sectionName", ""),
			       summary(gw_yget(anc->items[k], "conditions"), buf, sizeof(buf)));
			print_problems("    ", gw_yget(anc->items[k], "conditions"));
		}
	}
	/* policies accepted with gwctl load --allow-unenforced: never silently open */
	for (size_t i = 0; i < cfg.nby_kind[GW_K_UNENFORCED]; i++) {
		const struct gw_obj *o = cfg.by_kind[GW_K_UNENFORCED][i];

		printf("%s %s/%s (%s): NOT ENFORCED (accepted with --allow-unenforced; its "
		       "targets are served without it)\n", o->ki->kind, o->ns, o->name,
		       o->ki->group);
	}
	/* routes whose parents are ours but that did not attach anywhere */
	gw_xdp_print_status(stdout, sc->pin_dir ? sc->pin_dir : GW_PIN_DIR_DEFAULT);
	ret = 0;
out:
	if (lock >= 0)
		close(lock);
	gw_config_free(&cfg);
	return ret;
}

const struct gw_cmd gw_cmd_status = {
	.name = "status",
	.help = "summarise Gateways, listeners, attached routes and problems",
	.opts = status_opts,
	.cfg_size = sizeof(struct status_cfg),
	.run = run_status,
};
