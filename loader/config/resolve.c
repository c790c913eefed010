// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Resolution driver plus the small rules every pass shares: label
 * selectors, namespace labels and hostname intersection.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "resolve_internal.h"

#define NS_NAME_LABEL "kubernetes.io/metadata.name"

struct gw_nscache {
	const char **names;
	struct gw_yval **labels;
	size_t cap, n;
};

static size_t ns_slot(const struct gw_nscache *c, const char *ns)
{
	uint64_t h = 1469598103934665603ULL;
	size_t i;

	for (const char *p = ns; *p; p++)
		h = (h ^ (unsigned char)*p) * 1099511628211ULL;
	for (i = h & (c->cap - 1); c->names[i] && strcmp(c->names[i], ns); i = (i + 1) & (c->cap - 1))
		;
	return i;
}

void gw_nscache_free(struct gw_nscache *c)
{
	if (!c)
		return;
	free(c->names);
	free(c->labels);
	free(c);
}

/*
 * Namespaces need not be declared; an undeclared one has only the label
 * every namespace gets from the API server, kubernetes.io/metadata.name.
 * Those label maps are made once per namespace and cached in the config.
 */
struct gw_yval *gw_config_ns_labels(struct gw_config *cfg, const char *ns)
{
	struct gw_obj *o = gw_config_find(cfg, GW_K_NAMESPACE, NULL, ns);
	struct gw_nscache *c;
	struct gw_yval *m;
	size_t i;

	if (o)
		return o->labels;
	if (!cfg->nscache && !(cfg->nscache = calloc(1, sizeof(*cfg->nscache))))
		return NULL;
	c = cfg->nscache;
	if ((c->n + 1) * 2 > c->cap) {
		struct gw_nscache nc = { .cap = c->cap ? c->cap * 2 : 64 };

		nc.names = calloc(nc.cap, sizeof(*nc.names));
		nc.labels = calloc(nc.cap, sizeof(*nc.labels));
		if (!nc.names || !nc.labels) {
			free(nc.names);
			free(nc.labels);
			return NULL;
		}
		for (size_t k = 0; k < c->cap; k++) {
			if (!c->names[k])
				continue;
			i = ns_slot(&nc, c->names[k]);
			nc.names[i] = c->names[k];
			nc.labels[i] = c->labels[k];
		}
		nc.n = c->n;
		free(c->names);
		free(c->labels);
		*c = nc;
	}
	i = ns_slot(c, ns);
	if (c->names[i])
		return c->labels[i];
	m = gw_ynew(&cfg->arena, GW_YMAP);
	if (!m || gw_yset(&cfg->arena, m, NS_NAME_LABEL, gw_ystr(&cfg->arena, ns)) ||
	    !(c->names[i] = gw_arena_strdup(&cfg->arena, ns)))
		return NULL;
	c->labels[i] = m;
	c->n++;
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
	gw_resolve_gateway_client_certs(cfg);
	gw_finish_gateways(cfg);
	if ((err = gw_resolve_policies(cfg)) || (err = gw_resolve_attachments(cfg)) ||
	    (err = gw_resolve_securitypolicies(cfg)) || (err = gw_mark_unenforced(cfg)))
		return err;
	cfg->resolved = true;
	return cfg->no_status ? 0 : gw_build_status(cfg, prev);
}

int gw_config_refresh_status(struct gw_config *cfg, const struct gw_config *prev)
{
	if (!cfg->resolved)
		return -EINVAL;
	gw_finish_gateways(cfg);
	return gw_build_status(cfg, prev);
}
