// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Policies accepted with --allow-unenforced are not applied to traffic.
 * So that nobody reading status mistakes the route for protected, the
 * policy and every route it targets say so in a condition of their own.
 * The type is namespaced (xdpgw.io/) because no Gateway API condition means
 * "a policy targets this and is ignored"; GEP-713 only defines the policy's
 * own ancestor status.
 */
#include <errno.h>
#include <string.h>

#include "policy_attach.h"
#include "resolve_internal.h"

static const enum gw_kind route_kinds[] = { GW_K_HTTPROUTE, GW_K_GRPCROUTE, GW_K_TLSROUTE,
					    GW_K_TCPROUTE, GW_K_UDPROUTE };

/* Adds the condition, naming every unenforced policy when several target the parent. */
static int mark_parent(struct gw_config *cfg, struct gw_parent *p, const char *what)
{
	const struct gw_cond *c = gw_cond_get(&p->conds, GW_COND_POLICY_ENFORCED);
	const char *msg;

	if (c && strstr(c->message, what))
		return 0;
	msg = c ? gw_arena_printf(&cfg->arena, "%s; %s", c->message, what)
		: gw_arena_printf(&cfg->arena, "%s is not enforced by xdpgw (accepted with "
				  "--allow-unenforced): this route is served without it", what);
	if (!msg)
		return -ENOMEM;
	gw_cond_set(&p->conds, GW_COND_POLICY_ENFORCED, "False", "NotEnforced", msg);
	return 0;
}

static int mark_ref(struct gw_config *cfg, const struct gw_obj *pol, const struct gw_yval *ref,
		    const char *what)
{
	const char *group = gw_ygetstr(ref, "group", "");
	const char *kind = gw_ygetstr(ref, "kind", "");
	const char *name = gw_ygetstr(ref, "name", "");
	const char *section = gw_ygetstr(ref, "sectionName", NULL);
	int err;

	/* LocalPolicyTargetReference: the target is in the policy's namespace */
	if (strcmp(group, GW_GROUP))
		return 0;
	for (size_t k = 0; k < sizeof(route_kinds) / sizeof(route_kinds[0]); k++) {
		bool gw_target = !strcmp(kind, "Gateway");

		if (!gw_target && strcmp(kind, gw_kind_infos[route_kinds[k]].kind))
			continue;
		for (size_t i = 0; i < cfg->nby_kind[route_kinds[k]]; i++) {
			struct gw_obj *o = cfg->by_kind[route_kinds[k]][i];
			struct gw_route *r = o->u.route;

			if (!r || (!gw_target && (strcmp(o->ns, pol->ns) || strcmp(o->name, name))))
				continue;
			for (int p = 0; p < r->nparents; p++) {
				struct gw_parent *pa = &r->parents[p];

				if (!pa->ours)
					continue;
				if (gw_target &&
				    (!pa->gw || strcmp(pa->gw->obj->ns, pol->ns) ||
				     strcmp(pa->gw->obj->name, name) ||
				     (section && pa->section && strcmp(section, pa->section))))
					continue;
				if ((err = mark_parent(cfg, pa, what)))
					return err;
			}
		}
	}
	return 0;
}

int gw_resolve_attachments(struct gw_config *cfg)
{
	size_t nu = cfg->nby_kind[GW_K_UNENFORCED], ns = cfg->nby_kind[GW_K_SECURITYPOLICY];
	struct gw_obj **pols = gw_arena_alloc(&cfg->arena, (nu + ns + 1) * sizeof(*pols));

	if (!pols)
		return -ENOMEM;
	if (nu)
		memcpy(pols, cfg->by_kind[GW_K_UNENFORCED], nu * sizeof(*pols));
	if (ns)
		memcpy(pols + nu, cfg->by_kind[GW_K_SECURITYPOLICY], ns * sizeof(*pols));
	return gw_attach_policies(cfg, pols, nu + ns);
}

int gw_mark_unenforced(struct gw_config *cfg)
{
	for (size_t i = 0; i < cfg->nby_kind[GW_K_UNENFORCED]; i++) {
		struct gw_obj *pol = cfg->by_kind[GW_K_UNENFORCED][i];
		struct gw_yval *refs = gw_yget(pol->spec, "targetRefs");
		struct gw_yval *ref = gw_yget(pol->spec, "targetRef");
		const char *what = gw_arena_printf(&cfg->arena, "%s %s/%s", pol->ki->kind, pol->ns,
						   pol->name);
		int err;

		if (!what)
			return -ENOMEM;
		gw_cond_set(&pol->conds, GW_COND_POLICY_ENFORCED, "False", "NotEnforced",
			    "xdpgw does not implement this kind; accepted with --allow-unenforced, "
			    "its targets are served without it");
		for (size_t r = 0; refs && refs->type == GW_YSEQ && r < refs->n; r++)
			if ((err = mark_ref(cfg, pol, refs->items[r], what)))
				return err;
		if (ref && ref->type == GW_YMAP && (err = mark_ref(cfg, pol, ref, what)))
			return err;
	}
	return 0;
}
