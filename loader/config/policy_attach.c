// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Policy attachment and precedence (see policy_attach.h). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "policy_attach.h"
#include "resolve_internal.h"

static const enum gw_kind route_kinds[] = { GW_K_HTTPROUTE, GW_K_GRPCROUTE, GW_K_TLSROUTE,
					    GW_K_TCPROUTE, GW_K_UDPROUTE };

struct acc {
	struct gw_config *cfg;
	struct gw_pol_attach *v;
	size_t n, cap;
};

static int add(struct acc *a, struct gw_obj *pol, enum gw_pol_level level, struct gw_obj *target,
	       const char *section)
{
	for (size_t i = 0; i < a->n; i++)	/* a ref and a selector may name the same point */
		if (a->v[i].policy == pol && a->v[i].target == target &&
		    !strcmp(gw_strdef(a->v[i].section, ""), gw_strdef(section, "")))
			return 0;
	if (a->n == a->cap) {
		size_t cap = a->cap ? a->cap * 2 : 16;
		struct gw_pol_attach *v = gw_arena_alloc(&a->cfg->arena, cap * sizeof(*v));

		if (!v)
			return -ENOMEM;
		if (a->n)
			memcpy(v, a->v, a->n * sizeof(*v));
		a->v = v;
		a->cap = cap;
	}
	a->v[a->n++] = (struct gw_pol_attach){ .policy = pol, .level = level, .target = target,
					       .section = section, .winner = pol };
	return 0;
}

static bool has_listener(const struct gw_listener *ls, int n, const char *name)
{
	for (int i = 0; i < n; i++)
		if (!strcmp(ls[i].name, name))
			return true;
	return false;
}

static bool has_rule(const struct gw_route *r, const char *name)
{
	for (int i = 0; i < r->nrules; i++)
		if (r->rules[i].name && !strcmp(r->rules[i].name, name))
			return true;
	return false;
}

/* The point obj/section as a level, or 0 if section names nothing there. */
static enum gw_pol_level level_of(const struct gw_obj *t, const char *section)
{
	switch (t->ki->id) {
	case GW_K_GATEWAY:
		if (!section)
			return GW_PL_GATEWAY;
		return has_listener(t->u.gw->listeners, t->u.gw->nlisteners, section) ? GW_PL_LISTENER
										       : 0;
	case GW_K_LISTENERSET:
		if (!section)
			return GW_PL_LISTENERSET;
		return has_listener(t->u.ls->listeners, t->u.ls->nlisteners, section) ? GW_PL_LISTENER
										      : 0;
	default:
		if (!section)
			return GW_PL_ROUTE;
		return has_rule(t->u.route, section) ? GW_PL_RULE : 0;
	}
}

static enum gw_kind target_kind(const char *kind)
{
	if (!strcmp(kind, "Gateway"))
		return GW_K_GATEWAY;
	if (!strcmp(kind, "ListenerSet"))
		return GW_K_LISTENERSET;
	for (size_t k = 0; k < sizeof(route_kinds) / sizeof(route_kinds[0]); k++)
		if (!strcmp(kind, gw_kind_infos[route_kinds[k]].kind))
			return route_kinds[k];
	return GW_K__COUNT;
}

/* LocalPolicyTargetReference[WithSectionName]: group, kind, name in the policy's namespace. */
static int attach_ref(struct acc *a, struct gw_obj *pol, const struct gw_yval *ref)
{
	enum gw_kind k = target_kind(gw_ygetstr(ref, "kind", ""));
	const char *section = gw_ygetstr(ref, "sectionName", NULL);
	struct gw_obj *t;
	enum gw_pol_level lv;

	if (strcmp(gw_ygetstr(ref, "group", ""), GW_GROUP) || k == GW_K__COUNT)
		return 0;
	t = gw_config_find(a->cfg, k, pol->ns, gw_ygetstr(ref, "name", ""));
	if (!t || !t->u.any || !(lv = level_of(t, section)))
		return 0;	/* TargetNotFound: nothing attaches */
	return add(a, pol, lv, t, section);
}

/* Envoy Gateway TargetSelector: group (default gateway.networking.k8s.io), kind, labels. */
static int attach_selector(struct acc *a, struct gw_obj *pol, const struct gw_yval *sel)
{
	enum gw_kind k = target_kind(gw_ygetstr(sel, "kind", ""));
	int err;

	if (strcmp(gw_ygetstr(sel, "group", GW_GROUP), GW_GROUP) || k == GW_K__COUNT)
		return 0;
	for (size_t i = 0; i < a->cfg->nby_kind[k]; i++) {
		struct gw_obj *t = a->cfg->by_kind[k][i];

		if (strcmp(t->ns, pol->ns) || !t->u.any || !gw_selector_matches(sel, t->labels))
			continue;
		if ((err = add(a, pol, level_of(t, NULL), t, NULL)))
			return err;
	}
	return 0;
}

/* Oldest first, then namespace/name (Envoy Gateway's tie-break). */
static int older(const struct gw_obj *x, const struct gw_obj *y)
{
	int c = strcmp(gw_strdef(x->created, ""), gw_strdef(y->created, ""));

	if (c)
		return c;
	if ((c = strcmp(x->ns, y->ns)))
		return c;
	return strcmp(x->name, y->name);
}

static bool same_kind(const struct gw_obj *x, const struct gw_obj *y)
{
	return !strcmp(x->ki->group, y->ki->group) && !strcmp(x->ki->kind, y->ki->kind);
}

int gw_attach_policies(struct gw_config *cfg, struct gw_obj *const *pols, size_t n)
{
	struct acc a = { .cfg = cfg };
	int err = 0;

	for (size_t i = 0; i < n && !err; i++) {
		struct gw_obj *pol = pols[i];
		struct gw_yval *refs = gw_yget(pol->spec, "targetRefs");
		struct gw_yval *sels = gw_yget(pol->spec, "targetSelectors");
		struct gw_yval *ref = gw_yget(pol->spec, "targetRef");

		if (!pol->ns)
			continue;
		for (size_t r = 0; r < gw_ylen(refs) && !err && refs->type == GW_YSEQ; r++)
			err = attach_ref(&a, pol, refs->items[r]);
		if (!err && ref && ref->type == GW_YMAP)
			err = attach_ref(&a, pol, ref);
		for (size_t s = 0; s < gw_ylen(sels) && !err && sels->type == GW_YSEQ; s++)
			err = attach_selector(&a, pol, sels->items[s]);
	}
	if (err)
		return err;
	/* one winner per kind and point */
	for (size_t i = 0; i < a.n; i++) {
		for (size_t j = 0; j < a.n; j++) {
			struct gw_pol_attach *x = &a.v[i], *y = &a.v[j];

			if (i == j || x->target != y->target || !same_kind(x->policy, y->policy) ||
			    strcmp(gw_strdef(x->section, ""), gw_strdef(y->section, "")))
				continue;
			if (older(y->policy, x->winner) < 0)
				x->winner = y->policy;
		}
	}
	cfg->attach = a.v;
	cfg->nattach = a.n;
	return 0;
}

/* Whether attachment p reaches rule `rule` of r through listener l, and at which level. */
static enum gw_pol_level reaches(const struct gw_pol_attach *p, const struct gw_route *r, int rule,
				 const struct gw_listener *l)
{
	switch (p->level) {
	case GW_PL_RULE:
		return p->target == r->obj && r->rules[rule].name &&
		       !strcmp(p->section, r->rules[rule].name) ? GW_PL_RULE : 0;
	case GW_PL_ROUTE:
		return p->target == r->obj ? GW_PL_ROUTE : 0;
	case GW_PL_LISTENER:
		return l && p->target == l->owner && !strcmp(p->section, l->name) ? GW_PL_LISTENER
										     : 0;
	case GW_PL_LISTENERSET:
		return l && p->target == l->owner ? GW_PL_LISTENERSET : 0;
	case GW_PL_GATEWAY:
		/* a Gateway's policy covers its ListenerSets' listeners too */
		return l && l->gw && p->target == l->gw->obj ? GW_PL_GATEWAY : 0;
	}
	return 0;
}

struct gw_obj *gw_policy_for(const struct gw_config *cfg, const char *group, const char *kind,
			     const struct gw_route *r, int rule, const struct gw_listener *l)
{
	const struct gw_pol_attach *best = NULL;
	enum gw_pol_level best_lv = 0;

	for (size_t i = 0; i < cfg->nattach; i++) {
		const struct gw_pol_attach *p = &cfg->attach[i];
		enum gw_pol_level lv;

		if (p->winner != p->policy || strcmp(p->policy->ki->group, group) ||
		    strcmp(p->policy->ki->kind, kind))
			continue;
		if ((lv = reaches(p, r, rule, l)) > best_lv) {
			best = p;
			best_lv = lv;
		}
	}
	return best ? best->policy : NULL;
}
