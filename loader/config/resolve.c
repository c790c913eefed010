// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Resolution driver plus the small rules every pass shares: label
 * selectors, namespace labels and hostname intersection.
 */
#include <errno.h>
#include <string.h>

#include "resolve_internal.h"

#define NS_NAME_LABEL "kubernetes.io/metadata.name"

/*
 * Namespaces need not be declared; an undeclared one has only the label
 * every namespace gets from the API server, kubernetes.io/metadata.name.
 */
struct gw_yval *gw_config_ns_labels(struct gw_config *cfg, const char *ns)
{
	static __thread struct gw_config *cache_cfg;
	static __thread const char *cache_ns;
	static __thread struct gw_yval *cache_labels;
	struct gw_obj *o = gw_config_find(cfg, GW_K_NAMESPACE, NULL, ns);
	struct gw_yval *m;

	if (o)
		return o->labels;
	if (cache_cfg == cfg && cache_ns && !strcmp(cache_ns, ns))
		return cache_labels;
	m = gw_ynew(&cfg->arena, GW_YMAP);
	if (!m || gw_yset(&cfg->arena, m, NS_NAME_LABEL, gw_ystr(&cfg->arena, ns)))
		return NULL;
	cache_cfg = cfg;
	cache_ns = gw_arena_strdup(&cfg->arena, ns);
	cache_labels = m;
	return m;
}

static bool in_values(const struct gw_yval *values, const char *v)
{
	for (size_t i = 0; i < gw_ylen(values); i++)
		if (values->items[i]->str && !strcmp(values->items[i]->str, v))
			return true;
	return false;
}

/* metav1.LabelSelector: all matchLabels and all matchExpressions must hold. */
bool gw_selector_matches(const struct gw_yval *sel, const struct gw_yval *labels)
{
	struct gw_yval *ml = gw_yget(sel, "matchLabels");
	struct gw_yval *me = gw_yget(sel, "matchExpressions");

	if (!sel)
		return false;	/* a nil selector selects nothing */
	for (size_t i = 0; i < gw_ylen(ml); i++) {
		const char *have = gw_ygetstr(labels, ml->pairs[i].key, NULL);

		if (!have || !ml->pairs[i].val->str || strcmp(have, ml->pairs[i].val->str))
			return false;
	}
	for (size_t i = 0; i < gw_ylen(me); i++) {
		const char *key = gw_ygetstr(me->items[i], "key", "");
		const char *op = gw_ygetstr(me->items[i], "operator", "");
		struct gw_yval *values = gw_yget(me->items[i], "values");
		const char *have = gw_ygetstr(labels, key, NULL);

		if (!strcmp(op, "In")) {
			if (!have || !in_values(values, have))
				return false;
		} else if (!strcmp(op, "NotIn")) {
			if (have && in_values(values, have))
				return false;
		} else if (!strcmp(op, "Exists")) {
			if (!have)
				return false;
		} else if (!strcmp(op, "DoesNotExist")) {
			if (have)
				return false;
		} else {
			return false;
		}
	}
	return true;
}

/* Whether exact hostname h is covered by wildcard suffix s ("*.s"): one or more labels. */
static bool wild_covers(const char *suffix, const char *h)
{
	size_t ls = strlen(suffix), lh = strlen(h);

	return lh > ls + 1 && h[lh - ls - 1] == '.' && !strcmp(h + lh - ls, suffix);
}

/*
 * Listener/route hostname intersection (HTTPRouteSpec.Hostnames, Listener
 * Hostname docs): an exact name matches itself or a wildcard whose suffix
 * it extends by at least one label; two wildcards intersect in the more
 * specific one. The result is the more specific of the pair.
 */
const char *gw_hostname_intersect(const char *l, const char *r, bool *any)
{
	bool lw, rw;

	*any = false;
	if (!l && !r) {
		*any = true;
		return "";
	}
	if (!l)
		return r;
	if (!r)
		return l;
	if (!strcmp(l, r))
		return l;
	lw = l[0] == '*';
	rw = r[0] == '*';
	if (lw && !rw)
		return wild_covers(l + 2, r) ? r : NULL;
	if (!lw && rw)
		return wild_covers(r + 2, l) ? l : NULL;
	if (lw && rw) {
		if (wild_covers(l + 2, r + 2))
			return r;
		if (wild_covers(r + 2, l + 2))
			return l;
	}
	return NULL;
}

int gw_config_resolve(struct gw_config *cfg, const struct gw_config *prev)
{
	struct gw_arena *a = &cfg->arena;
	int err;

	/* every Namespace carries kubernetes.io/metadata.name (set by the API server) */
	for (size_t i = 0; i < cfg->nby_kind[GW_K_NAMESPACE]; i++) {
		struct gw_obj *o = cfg->by_kind[GW_K_NAMESPACE][i];

		if (!o->labels) {
			o->labels = gw_ynew(a, GW_YMAP);
			if (!o->labels || gw_yset(a, o->meta, "labels", o->labels))
				return -ENOMEM;
		}
		if (gw_yset(a, o->labels, NS_NAME_LABEL, gw_ystr(a, o->name)))
			return -ENOMEM;
	}
	if ((err = gw_build_views(cfg)) || (err = gw_resolve_classes(cfg)) ||
	    (err = gw_resolve_gateways(cfg)) || (err = gw_resolve_routes(cfg)))
		return err;
	gw_finish_gateways(cfg);
	if ((err = gw_resolve_policies(cfg)))
		return err;
	cfg->resolved = true;
	return gw_build_status(cfg, prev);
}

int gw_config_refresh_status(struct gw_config *cfg, const struct gw_config *prev)
{
	if (!cfg->resolved)
		return -EINVAL;
	gw_finish_gateways(cfg);
	return gw_build_status(cfg, prev);
}
