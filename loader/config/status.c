// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Status trees in the shape the Gateway API CRDs define, built from the
 * conditions resolution computed. lastTransitionTime follows metav1
 * semantics: it changes only when a condition's status changes, so it is
 * carried over from the previously accepted config.
 */
#include <errno.h>
#include <string.h>

#include "features.h"
#include "policy_attach.h"
#include "resolve_internal.h"

#define EPOCH "1970-01-01T00:00:00Z"

void gw_cond_set(struct gw_conds *c, const char *type, const char *status, const char *reason,
		 const char *message)
{
	for (int i = 0; i < c->n; i++) {
		if (!strcmp(c->v[i].type, type)) {
			c->v[i] = (struct gw_cond){ type, status, reason, message };
			return;
		}
	}
	if (c->n < GW_MAX_CONDS)
		c->v[c->n++] = (struct gw_cond){ type, status, reason, message };
}

const struct gw_cond *gw_cond_get(const struct gw_conds *c, const char *type)
{
	for (int i = 0; i < c->n; i++)
		if (!strcmp(c->v[i].type, type))
			return &c->v[i];
	return NULL;
}

struct sb {
	struct gw_config *cfg;
	struct gw_arena *a;
	bool oom;
};

static struct gw_yval *map(struct sb *b)
{
	struct gw_yval *v = gw_ynew(b->a, GW_YMAP);

	b->oom |= !v;
	return v;
}

static struct gw_yval *seq(struct sb *b)
{
	struct gw_yval *v = gw_ynew(b->a, GW_YSEQ);

	b->oom |= !v;
	return v;
}

static void set(struct sb *b, struct gw_yval *m, const char *k, struct gw_yval *v)
{
	if (!m || !v || gw_yset(b->a, m, k, v))
		b->oom = true;
}

/* Status strings are literals or live in the config's arena: no copies. */
static void sets(struct sb *b, struct gw_yval *m, const char *k, const char *s)
{
	set(b, m, k, gw_ystr_ref(b->a, s ? s : ""));
}

static void push(struct sb *b, struct gw_yval *s, struct gw_yval *v)
{
	if (!s || !v || gw_ypush(b->a, s, v))
		b->oom = true;
}

/* The previous lastTransitionTime of `type` if its status is unchanged. */
static const char *prev_ltt(const struct gw_yval *prev_conds, const struct gw_cond *c)
{
	for (size_t i = 0; i < gw_ylen(prev_conds); i++) {
		struct gw_yval *pc = prev_conds->items[i];

		if (!strcmp(gw_ygetstr(pc, "type", ""), c->type) &&
		    !strcmp(gw_ygetstr(pc, "status", ""), c->status))
			return gw_ygetstr(pc, "lastTransitionTime", NULL);
	}
	return NULL;
}

/* Conditions print in one canonical order, summary conditions first. */
static int cond_rank(const char *type)
{
	static const char *const order[] = {
		"Accepted", "Programmed", "ResolvedRefs", "Conflicted", "OverlappingTLSConfig",
		"SupportedVersion", "PartiallyInvalid", NULL,
	};

	for (int i = 0; order[i]; i++)
		if (!strcmp(order[i], type))
			return i;
	return 100;
}

static struct gw_yval *conditions(struct sb *b, const struct gw_conds *c, long long gen,
				  const struct gw_yval *prev_conds)
{
	struct gw_yval *s = seq(b);
	int idx[GW_MAX_CONDS];

	for (int i = 0; i < c->n; i++)
		idx[i] = i;
	for (int i = 1; i < c->n; i++)
		for (int j = i; j > 0 && cond_rank(c->v[idx[j]].type) <
					      cond_rank(c->v[idx[j - 1]].type); j--) {
			int t = idx[j];

			idx[j] = idx[j - 1];
			idx[j - 1] = t;
		}
	for (int k = 0; k < c->n; k++) {
		int i = idx[k];
		struct gw_yval *m = map(b);
		const char *ltt = prev_ltt(prev_conds, &c->v[i]);

		sets(b, m, "type", c->v[i].type);
		sets(b, m, "status", c->v[i].status);
		sets(b, m, "reason", c->v[i].reason);
		sets(b, m, "message", c->v[i].message);
		set(b, m, "observedGeneration", gw_yint(b->a, gen));
		sets(b, m, "lastTransitionTime", ltt ? ltt : gw_strdef(b->cfg->now, EPOCH));
		push(b, s, m);
	}
	return s;
}

/* The CRD's default status for objects no controller of ours reconciles. */
static struct gw_yval *pending_status(struct sb *b, bool programmed)
{
	static const char *const types[] = { "Accepted", "Programmed" };
	struct gw_yval *st = map(b), *cs = seq(b);

	for (int i = 0; i < (programmed ? 2 : 1); i++) {
		struct gw_yval *m = map(b);

		sets(b, m, "type", types[i]);
		sets(b, m, "status", "Unknown");
		sets(b, m, "reason", "Pending");
		sets(b, m, "message", "Waiting for controller");
		sets(b, m, "lastTransitionTime", EPOCH);
		push(b, cs, m);
	}
	set(b, st, "conditions", cs);
	return st;
}

static const struct gw_obj *prev_obj(const struct gw_config *prev, const struct gw_obj *o)
{
	return prev ? gw_config_find_like(prev, o) : NULL;
}

static struct gw_yval *prev_status(const struct gw_config *prev, const struct gw_obj *o)
{
	const struct gw_obj *p = prev_obj(prev, o);

	return p ? p->status : NULL;
}

static struct gw_yval *find_by(const struct gw_yval *list, const char *key, const char *val)
{
	for (size_t i = 0; i < gw_ylen(list); i++)
		if (!strcmp(gw_ygetstr(list->items[i], key, ""), val))
			return list->items[i];
	return NULL;
}

static struct gw_yval *listener_status(struct sb *b, const struct gw_listener *l, long long gen,
				       const struct gw_yval *prev_listeners)
{
	struct gw_yval *m = map(b), *kinds = seq(b);
	struct gw_yval *pl = find_by(prev_listeners, "name", l->name);

	sets(b, m, "name", l->name);
	for (int k = 0; k < l->nsupported; k++) {
		struct gw_yval *km = map(b);

		sets(b, km, "group", l->supported[k].group);
		sets(b, km, "kind", l->supported[k].kind);
		push(b, kinds, km);
	}
	set(b, m, "supportedKinds", kinds);
	set(b, m, "attachedRoutes", gw_yint(b->a, l->attached_routes));
	set(b, m, "conditions", conditions(b, &l->conds, gen, gw_yget(pl, "conditions")));
	return m;
}

static struct gw_yval *gateway_status(struct sb *b, struct gw_obj *o, struct gw_yval *ps)
{
	struct gw_gateway *gw = o->u.gw;
	struct gw_yval *st = map(b), *ls = seq(b);

	if (gw->nstatus_addrs) {
		struct gw_yval *addrs = seq(b);

		for (int i = 0; i < gw->nstatus_addrs; i++) {
			struct gw_yval *m = map(b);

			sets(b, m, "type", "IPAddress");
			sets(b, m, "value", gw->status_addrs[i]);
			push(b, addrs, m);
		}
		set(b, st, "addresses", addrs);
	}
	set(b, st, "conditions",
	    conditions(b, &gw->conds, o->generation, gw_yget(ps, "conditions")));
	for (int i = 0; i < gw->nlisteners; i++)
		push(b, ls, listener_status(b, &gw->listeners[i], o->generation,
					    gw_yget(ps, "listeners")));
	set(b, st, "listeners", ls);
	if (gw->ls_from != GW_FROM_NONE)
		set(b, st, "attachedListenerSets", gw_yint(b->a, gw->attached_listenersets));
	return st;
}

static struct gw_yval *listenerset_status(struct sb *b, struct gw_obj *o, struct gw_yval *ps)
{
	struct gw_listenerset *lset = o->u.ls;
	struct gw_yval *st = map(b);

	set(b, st, "conditions",
	    conditions(b, &lset->conds, o->generation, gw_yget(ps, "conditions")));
	if (lset->parent) {
		struct gw_yval *ls = seq(b);

		for (int i = 0; i < lset->nlisteners; i++)
			push(b, ls, listener_status(b, &lset->listeners[i], o->generation,
						    gw_yget(ps, "listeners")));
		set(b, st, "listeners", ls);
	}
	return st;
}

static struct gw_yval *route_status(struct sb *b, struct gw_obj *o, struct gw_yval *ps)
{
	struct gw_route *r = o->u.route;
	struct gw_yval *st = map(b), *parents = seq(b);
	struct gw_yval *pparents = gw_yget(ps, "parents");

	for (int i = 0; i < r->nparents; i++) {
		struct gw_parent *p = &r->parents[i];
		struct gw_yval *m, *prevc = NULL;

		if (!p->ours)
			continue;
		for (size_t k = 0; k < gw_ylen(pparents); k++)
			if (gw_yequal(gw_yget(pparents->items[k], "parentRef"), p->node))
				prevc = gw_yget(pparents->items[k], "conditions");
		m = map(b);
		/* shares the spec's node: status and spec live and die together */
		set(b, m, "parentRef", p->node);
		sets(b, m, "controllerName", b->cfg->controller);
		set(b, m, "conditions", conditions(b, &p->conds, o->generation, prevc));
		push(b, parents, m);
	}
	set(b, st, "parents", parents);
	return st;
}

static bool route_uses_service(const struct gw_route *r, const struct gw_obj *svc)
{
	for (int i = 0; i < r->nrules; i++)
		for (int k = 0; k < r->rules[i].nbackends; k++)
			if (r->rules[i].backends[k].svc == svc)
				return true;
	return false;
}

/* GatewayClassStatus.SupportedFeatures: [{name}], in the table's (ascending) order. */
static struct gw_yval *supported_features(struct sb *b)
{
	struct gw_yval *s = seq(b);

	for (size_t i = 0; i < gw_nsupported_features; i++) {
		struct gw_yval *m = map(b);

		sets(b, m, "name", gw_supported_features[i]);
		push(b, s, m);
	}
	return s;
}

/* PolicyAncestorStatus: one entry per Gateway whose routes reach a targeted Service. */
static struct gw_yval *policy_status(struct sb *b, struct gw_obj *o, struct gw_yval *ps)
{
	static const enum gw_kind rk[] = { GW_K_HTTPROUTE, GW_K_GRPCROUTE, GW_K_TLSROUTE,
					   GW_K_TCPROUTE, GW_K_UDPROUTE };
	struct gw_config *cfg = b->cfg;
	struct gw_yval *st = map(b), *anc = seq(b);
	struct gw_yval *targets = gw_yget(o->spec, "targetRefs");
	struct gw_gateway *seen[32];
	int nseen = 0;

	for (size_t t = 0; t < gw_ylen(targets); t++) {
		struct gw_obj *svc;

		if (*gw_ygetstr(targets->items[t], "group", "") ||
		    strcmp(gw_ygetstr(targets->items[t], "kind", ""), "Service"))
			continue;
		svc = gw_config_find(cfg, GW_K_SERVICE, o->ns,
				     gw_ygetstr(targets->items[t], "name", ""));
		if (!svc)
			continue;
		for (size_t k = 0; k < sizeof(rk) / sizeof(rk[0]); k++) {
			for (size_t i = 0; i < cfg->nby_kind[rk[k]]; i++) {
				struct gw_route *r = cfg->by_kind[rk[k]][i]->u.route;

				if (!route_uses_service(r, svc))
					continue;
				for (int p = 0; p < r->nparents; p++) {
					struct gw_gateway *g = r->parents[p].gw;
					bool dup = false;

					if (!g || !r->parents[p].ours)
						continue;
					for (int s = 0; s < nseen; s++)
						dup |= seen[s] == g;
					if (!dup && nseen < 32)
						seen[nseen++] = g;
				}
			}
		}
	}
	for (int s = 0; s < nseen; s++) {
		struct gw_yval *m = map(b), *ref = map(b), *prevc = NULL;
		struct gw_yval *pa = gw_yget(ps, "ancestors");

		sets(b, ref, "group", GW_GROUP);
		sets(b, ref, "kind", "Gateway");
		sets(b, ref, "namespace", seen[s]->obj->ns);
		sets(b, ref, "name", seen[s]->obj->name);
		for (size_t k = 0; k < gw_ylen(pa); k++)
			if (gw_yequal(gw_yget(pa->items[k], "ancestorRef"), ref))
				prevc = gw_yget(pa->items[k], "conditions");
		set(b, m, "ancestorRef", ref);
		sets(b, m, "controllerName", cfg->controller);
		set(b, m, "conditions", conditions(b, &o->conds, o->generation, prevc));
		push(b, anc, m);
	}
	set(b, st, "ancestors", anc);
	return st;
}

static struct gw_yval *ancestor_ref(struct sb *b, const struct gw_obj *t, const char *section)
{
	struct gw_yval *ref = map(b);

	sets(b, ref, "group", GW_GROUP);
	sets(b, ref, "kind", t->ki->kind);
	sets(b, ref, "namespace", t->ns);
	sets(b, ref, "name", t->name);
	if (section)
		sets(b, ref, "sectionName", section);
	return ref;
}

/* Adds ref to anc (PolicyAncestorStatus) unless there; returns its conditions holder. */
static void add_ancestor(struct sb *b, struct gw_yval *anc, struct gw_yval *ref,
			 const struct gw_conds *c, long long gen, const struct gw_yval *ps)
{
	struct gw_yval *m, *pa = gw_yget(ps, "ancestors"), *prevc = NULL;

	for (size_t i = 0; i < gw_ylen(anc); i++)
		if (gw_yequal(gw_yget(anc->items[i], "ancestorRef"), ref))
			return;
	for (size_t k = 0; k < gw_ylen(pa); k++)
		if (gw_yequal(gw_yget(pa->items[k], "ancestorRef"), ref))
			prevc = gw_yget(pa->items[k], "conditions");
	m = map(b);
	set(b, m, "ancestorRef", ref);
	sets(b, m, "controllerName", b->cfg->controller);
	set(b, m, "conditions", conditions(b, c, gen, prevc));
	push(b, anc, m);
}

/*
 * PolicyStatus (GEP-713) of a policy that targets Gateways, ListenerSets
 * and routes: one ancestor per Gateway (or ListenerSet) it reaches through
 * its targets (policy_attach.c). A SecurityPolicy is Accepted, or
 * Accepted=False/Invalid when it cannot be enforced; a policy accepted with
 * --allow-unenforced says it is not enforced; either is Conflicted where an
 * older policy of its kind holds the same target.
 */
static struct gw_yval *attached_policy_status(struct sb *b, struct gw_obj *o, struct gw_yval *ps)
{
	struct gw_config *cfg = b->cfg;
	struct gw_yval *st = map(b), *anc = seq(b);
	const struct gw_secpol *sp = o->ki->id == GW_K_SECURITYPOLICY ? o->u.secpol : NULL;

	for (size_t i = 0; i < cfg->nattach; i++) {
		const struct gw_pol_attach *p = &cfg->attach[i];
		struct gw_conds c = o->conds;

		if (p->policy != o)
			continue;
		if (p->winner != o) {
			gw_cond_set(&c, "Accepted", "False", "Conflicted",
				    gw_arena_printf(b->a, "Unable to target %s %s/%s%s%s, another %s "
						    "(%s/%s) has already attached to it",
						    p->target->ki->kind, p->target->ns,
						    p->target->name, p->section ? "/" : "",
						    gw_strdef(p->section, ""), o->ki->kind,
						    p->winner->ns, p->winner->name));
		} else if (sp && sp->invalid) {
			gw_cond_set(&c, "Accepted", "False", sp->invalid_reason,
				    gw_arena_printf(b->a, "%s; its targets answer 500 until this is "
						    "fixed", sp->invalid));
		} else if (sp) {
			gw_cond_set(&c, "Accepted", "True", "Accepted", "Policy has been accepted.");
		} else {
			gw_cond_set(&c, "Accepted", "False", "NotEnforced",
				    gw_arena_printf(b->a, "xdpgw does not enforce %s; accepted with "
						    "--allow-unenforced, %s %s/%s is served without it",
						    o->ki->kind, p->target->ki->kind, p->target->ns,
						    p->target->name));
		}
		if (p->target->ki->id == GW_K_GATEWAY || p->target->ki->id == GW_K_LISTENERSET) {
			add_ancestor(b, anc, ancestor_ref(b, p->target, p->section), &c,
				     o->generation, ps);
			continue;
		}
		/* a route's ancestors are the Gateways it is attached to */
		for (int k = 0; k < p->target->u.route->nparents; k++) {
			const struct gw_parent *pa = &p->target->u.route->parents[k];
			const struct gw_obj *t = pa->ls ? pa->ls->obj : pa->gw ? pa->gw->obj : NULL;

			if (pa->ours && t)
				add_ancestor(b, anc, ancestor_ref(b, t, pa->section), &c,
					     o->generation, ps);
		}
	}
	set(b, st, "ancestors", anc);
	return st;
}

int gw_build_status(struct gw_config *cfg, const struct gw_config *prev)
{
	struct sb b = { .cfg = cfg, .a = &cfg->arena };

	for (size_t i = 0; i < cfg->nobjs; i++) {
		struct gw_obj *o = cfg->objs[i];
		struct gw_yval *ps = prev_status(prev, o);

		o->status = NULL;
		switch (o->ki->id) {
		case GW_K_GATEWAYCLASS:
			if (o->ours) {
				o->status = map(&b);
				set(&b, o->status, "conditions",
				    conditions(&b, &o->conds, o->generation,
					       gw_yget(ps, "conditions")));
				set(&b, o->status, "supportedFeatures", supported_features(&b));
			} else {
				o->status = pending_status(&b, false);
			}
			break;
		case GW_K_GATEWAY:
			o->status = o->ours ? gateway_status(&b, o, ps) : pending_status(&b, true);
			break;
		case GW_K_LISTENERSET:
			o->status = o->ours ? listenerset_status(&b, o, ps)
					    : pending_status(&b, true);
			break;
		case GW_K_HTTPROUTE:
		case GW_K_GRPCROUTE:
		case GW_K_TLSROUTE:
		case GW_K_TCPROUTE:
		case GW_K_UDPROUTE:
			if (o->ours)
				o->status = route_status(&b, o, ps);
			break;
		case GW_K_BACKENDTLSPOLICY:
			o->status = policy_status(&b, o, ps);
			break;
		case GW_K_UNENFORCED:
		case GW_K_SECURITYPOLICY:
			o->status = attached_policy_status(&b, o, ps);
			break;
		default:
			break;
		}
		if (b.oom)
			return -ENOMEM;
	}
	return 0;
}
