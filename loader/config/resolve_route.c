// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Route attachment (RouteParentStatus, ParentReference and AllowedRoutes in
 * apis/v1/shared_types.go and gateway_types.go): which listeners each
 * parentRef selects, whether those listeners allow the route (kind and
 * namespace), and the hostnames the route serves on each.
 */
#include <errno.h>
#include <string.h>

#include "resolve_internal.h"

static bool hostnames_apply(enum gw_kind k)
{
	/* TCPRoute and UDPRoute have no hostnames; listener hostnames don't filter them */
	return k == GW_K_HTTPROUTE || k == GW_K_GRPCROUTE || k == GW_K_TLSROUTE;
}

static bool ns_allowed(struct gw_config *cfg, const struct gw_listener *l, const char *route_ns)
{
	switch (l->from) {
	case GW_FROM_ALL:
		return true;
	case GW_FROM_SAME:
		/* "Same": the namespace of the Gateway or ListenerSet that declares it */
		return !strcmp(route_ns, l->owner->ns);
	case GW_FROM_SELECTOR:
		return gw_selector_matches(l->selector, gw_config_ns_labels(cfg, route_ns));
	case GW_FROM_NONE:
		return false;
	}
	return false;
}

static bool kind_supported(const struct gw_listener *l, const struct gw_kind_info *ki)
{
	for (int i = 0; i < l->nsupported; i++)
		if (!strcmp(l->supported[i].kind, ki->kind) &&
		    !strcmp(l->supported[i].group, ki->group))
			return true;
	return false;
}

enum attach_fail {
	AF_NONE,
	AF_HOSTNAME,	/* allowed, but no hostname in common */
	AF_NOT_ALLOWED,	/* kind or namespace not allowed */
};

/* Computes the hostnames route r serves on listener l; AF_NONE on success. */
static enum attach_fail try_attach(struct gw_config *cfg, struct gw_route *r,
				   struct gw_listener *l, int parent)
{
	struct gw_arena *a = &cfg->arena;
	struct gw_attachment *at;
	const char **hosts = NULL;
	int nh = 0;

	if (!kind_supported(l, r->obj->ki) || !ns_allowed(cfg, l, r->obj->ns))
		return AF_NOT_ALLOWED;
	if (hostnames_apply(r->obj->ki->id) && r->nhostnames) {
		hosts = gw_arena_alloc(a, (size_t)r->nhostnames * sizeof(*hosts));
		if (!hosts)
			return AF_NOT_ALLOWED;
		for (int i = 0; i < r->nhostnames; i++) {
			bool any;
			const char *h = gw_hostname_intersect(l->hostname, r->hostnames[i], &any);

			if (h)
				hosts[nh++] = h;
		}
		if (!nh)
			return AF_HOSTNAME;
	} else if (hostnames_apply(r->obj->ki->id) && l->hostname) {
		/* a route without hostnames takes the listener's */
		hosts = gw_arena_alloc(a, sizeof(*hosts));
		if (!hosts)
			return AF_NOT_ALLOWED;
		hosts[nh++] = l->hostname;
	}
	at = gw_arena_alloc(a, sizeof(*at));
	if (!at)
		return AF_NOT_ALLOWED;
	at->route = r;
	at->parent = parent;
	at->hostnames = hosts;
	at->nhostnames = nh;
	/* keep attachments in attach order: append */
	if (l->attachments_tail)
		l->attachments_tail->next = at;
	else
		l->attachments = at;
	l->attachments_tail = at;
	return AF_NONE;
}

/* Listeners a parentRef selects: all of the parent, or by sectionName and/or port. */
static int select_listeners(struct gw_parent *p, struct gw_listener **out, int max)
{
	struct gw_listener *ls;
	int n, k = 0;

	if (p->ls) {
		ls = p->ls->listeners;
		n = p->ls->nlisteners;
	} else {
		ls = p->gw->listeners;
		n = p->gw->nlisteners;
	}
	for (int i = 0; i < n && k < max; i++) {
		if (p->section && strcmp(p->section, ls[i].name))
			continue;
		if (p->port && p->port != ls[i].port)
			continue;
		out[k++] = &ls[i];
	}
	return k;
}

static void resolve_parent(struct gw_config *cfg, struct gw_route *r, int pi)
{
	struct gw_arena *a = &cfg->arena;
	struct gw_parent *p = &r->parents[pi];
	struct gw_listener *sel[64];
	int nsel, attached = 0;
	enum attach_fail worst = AF_NONE;
	struct gw_obj *po;

	if (strcmp(p->group, GW_GROUP))
		return;
	if (!strcmp(p->kind, "Gateway")) {
		po = gw_config_find(cfg, GW_K_GATEWAY, p->ns, p->name);
		if (!po || !po->ours)
			return;	/* nonexistent or another controller's: no status entry */
		p->gw = po->u.gw;
	} else if (!strcmp(p->kind, "ListenerSet")) {
		po = gw_config_find(cfg, GW_K_LISTENERSET, p->ns, p->name);
		if (!po || !po->ours)
			return;
		p->ls = po->u.ls;
		p->gw = p->ls->parent;
	} else {
		return;
	}
	p->ours = true;
	/* a ListenerSet its Gateway does not allow (NotAllowed) has no parent: p->gw is NULL */
	if (p->ls && !p->ls->parent) {
		const struct gw_cond *why = gw_cond_get(&p->ls->conds, "Accepted");

		gw_cond_set(&p->conds, "Accepted", "False", "NotAllowedByListeners",
			    gw_arena_printf(a, "ListenerSet %s/%s is not attached: %s", p->ns,
					    p->name, why ? why->message : "no parent Gateway"));
		return;
	}
	if (!p->gw->ours) {
		gw_cond_set(&p->conds, "Accepted", "False", "NotAllowedByListeners",
			    "the Gateway's GatewayClass is not accepted");
		return;
	}
	nsel = select_listeners(p, sel, 64);
	if (!nsel) {
		gw_cond_set(&p->conds, "Accepted", "False", "NoMatchingParent",
			    gw_arena_printf(a, "%s %s/%s has no listener%s%s%s%s",
					    p->kind, p->ns, p->name,
					    p->section ? " named " : "", gw_strdef(p->section, ""),
					    p->port ? " on port " : "",
					    p->port ? gw_arena_printf(a, "%d", p->port) : ""));
		return;
	}
	for (int i = 0; i < nsel; i++) {
		enum attach_fail f = try_attach(cfg, r, sel[i], pi);

		if (f == AF_NONE) {
			sel[i]->attached_routes++;
			attached++;
		} else if (f == AF_HOSTNAME || worst == AF_NONE) {
			/* a hostname mismatch is the more telling reason */
			if (worst != AF_HOSTNAME)
				worst = f;
		}
	}
	p->attached = attached;
	if (attached) {
		gw_cond_set(&p->conds, "Accepted", "True", "Accepted",
			    gw_arena_printf(a, "Route is accepted by %d listener%s", attached,
					    attached == 1 ? "" : "s"));
	} else if (worst == AF_HOSTNAME) {
		gw_cond_set(&p->conds, "Accepted", "False", "NoMatchingListenerHostname",
			    "no hostname of the route matches a listener hostname");
	} else {
		gw_cond_set(&p->conds, "Accepted", "False", "NotAllowedByListeners",
			    gw_arena_printf(a, "no listener allows %s from namespace %s",
					    r->obj->ki->kind, r->obj->ns));
	}
}

static void resolve_refs(struct gw_config *cfg, struct gw_route *r)
{
	struct gw_yval *rules = gw_yget(r->obj->spec, "rules");

	for (int i = 0; i < r->nrules; i++) {
		struct gw_rule *ru = &r->rules[i];

		for (int b = 0; b < ru->nbackends; b++)
			gw_resolve_backend(cfg, r, &ru->backends[b]);
		for (int b = 0; b < ru->nmirrors; b++)
			gw_resolve_backend(cfg, r, &ru->mirrors[b]);
		/* ExternalAuth backendRefs follow BackendObjectReference's rules (Service,
		 * ReferenceGrant across namespaces), like every other backendRef */
		for (int b = 0; b < ru->nextauths; b++)
			gw_resolve_backend(cfg, r, &ru->extauths[b]);
		for (int b = 0; b < ru->nbackends + ru->nmirrors + ru->nextauths && !r->rr_reason;
		     b++) {
			struct gw_backend *be =
				b < ru->nbackends ? &ru->backends[b]
				: b < ru->nbackends + ru->nmirrors
					? &ru->mirrors[b - ru->nbackends]
					: &ru->extauths[b - ru->nbackends - ru->nmirrors];

			if (be->reason) {
				r->rr_reason = be->reason;
				r->rr_message = be->message;
			}
		}
		/*
		 * ExtensionRef filters name kinds xdpgw does not implement; the
		 * spec says such a filter must not be skipped (requests get an
		 * error), so the reference is reported as unresolved.
		 */
		struct gw_yval *filters = gw_yget(rules->items[i], "filters");

		for (size_t f = 0; f < gw_ylen(filters) && !r->rr_reason; f++) {
			struct gw_yval *ext = gw_yget(filters->items[f], "extensionRef");

			if (ext) {
				r->rr_reason = "InvalidKind";
				r->rr_message = gw_arena_printf(
					&cfg->arena,
					"rules[%d].filters[%zu]: extensionRef %s/%s is not a filter "
					"kind xdpgw implements", i, f, gw_ygetstr(ext, "group", ""),
					gw_ygetstr(ext, "kind", ""));
			}
		}
	}
}

static bool attachments_overlap(const struct gw_attachment *a, const struct gw_attachment *b)
{
	bool any;

	if (!a->nhostnames || !b->nhostnames)
		return true;
	for (int i = 0; i < a->nhostnames; i++)
		for (int k = 0; k < b->nhostnames; k++)
			if (gw_hostname_intersect(a->hostnames[i], b->hostnames[k], &any))
				return true;
	return false;
}

static int route_precedence(const struct gw_route *a, const struct gw_route *b)
{
	int c = strcmp(gw_strdef(a->obj->created, ""), gw_strdef(b->obj->created, ""));

	if (c)
		return c;
	c = strcmp(a->obj->ns, b->obj->ns);
	return c ? c : strcmp(a->obj->name, b->obj->name);
}

/*
 * GRPCRouteSpec.Hostnames: when an HTTPRoute and a GRPCRoute attached to one
 * listener have intersecting hostnames, exactly one is accepted there: the
 * oldest, then the first by "{namespace}/{name}". The other is detached from
 * that listener, and loses Accepted for its parentRef if nothing else of
 * that parent took it.
 */
static void resolve_http_grpc_conflicts(struct gw_config *cfg, struct gw_listener *l)
{
	struct gw_attachment **pp, *at;
	bool has_grpc = false;

	for (at = l->attachments; at; at = at->next)
		has_grpc |= at->route->obj->ki->id == GW_K_GRPCROUTE;
	if (!has_grpc)
		return;
	for (pp = &l->attachments; (at = *pp);) {
		const struct gw_attachment *winner = NULL;

		for (const struct gw_attachment *o = l->attachments; o && !winner; o = o->next) {
			if (o == at || o->route->obj->ki->id == at->route->obj->ki->id)
				continue;
			if (attachments_overlap(at, o) && route_precedence(o->route, at->route) < 0)
				winner = o;
		}
		if (!winner) {
			pp = &at->next;
			continue;
		}
		*pp = at->next;
		l->attached_routes--;
		at->route->parents[at->parent].conflicts++;
		at->route->parents[at->parent].conflict_with = winner->route;
	}
	l->attachments_tail = NULL;
	for (at = l->attachments; at; at = at->next)
		l->attachments_tail = at;
	(void)cfg;
}

static void finish_conflicted_parents(struct gw_config *cfg, struct gw_route *r)
{
	for (int p = 0; p < r->nparents; p++) {
		struct gw_parent *pp = &r->parents[p];

		if (!pp->conflicts || pp->attached > pp->conflicts)
			continue;
		gw_cond_set(&pp->conds, "Accepted", "False", "NotAllowedByListeners",
			    gw_arena_printf(&cfg->arena,
					    "%s %s/%s on the same listener has an intersecting "
					    "hostname and takes precedence (older)",
					    pp->conflict_with->obj->ki->kind, pp->conflict_with->obj->ns,
					    pp->conflict_with->obj->name));
	}
}

int gw_resolve_routes(struct gw_config *cfg)
{
	static const enum gw_kind kinds[] = {
		GW_K_HTTPROUTE, GW_K_GRPCROUTE, GW_K_TLSROUTE, GW_K_TCPROUTE, GW_K_UDPROUTE,
	};

	for (size_t k = 0; k < sizeof(kinds) / sizeof(kinds[0]); k++) {
		for (size_t i = 0; i < cfg->nby_kind[kinds[k]]; i++) {
			struct gw_obj *o = cfg->by_kind[kinds[k]][i];
			struct gw_route *r = o->u.route;

			for (int p = 0; p < r->nparents; p++)
				resolve_parent(cfg, r, p);
			resolve_refs(cfg, r);
			if (gw_check_route_rules(cfg, r))
				return -ENOMEM;
			for (int p = 0; p < r->nparents; p++) {
				struct gw_parent *pp = &r->parents[p];

				if (!pp->ours)
					continue;
				o->ours = true;
				if (r->rr_reason)
					gw_cond_set(&pp->conds, "ResolvedRefs", "False",
						    r->rr_reason, r->rr_message);
				else
					gw_cond_set(&pp->conds, "ResolvedRefs", "True",
						    "ResolvedRefs", "All references are resolved");
			}
		}
	}
	for (size_t i = 0; i < cfg->nby_kind[GW_K_GATEWAY]; i++) {
		struct gw_gateway *gw = cfg->by_kind[GW_K_GATEWAY][i]->u.gw;

		for (int k = 0; gw->ours && k < gw->nall; k++)
			resolve_http_grpc_conflicts(cfg, gw->all[k]);
	}
	for (size_t i = 0; i < cfg->nby_kind[GW_K_GRPCROUTE]; i++)
		finish_conflicted_parents(cfg, cfg->by_kind[GW_K_GRPCROUTE][i]->u.route);
	for (size_t i = 0; i < cfg->nby_kind[GW_K_HTTPROUTE]; i++)
		finish_conflicted_parents(cfg, cfg->by_kind[GW_K_HTTPROUTE][i]->u.route);
	for (size_t k = 0; k < sizeof(kinds) / sizeof(kinds[0]); k++)
		for (size_t i = 0; i < cfg->nby_kind[kinds[k]]; i++)
			if (gw_route_rules_status(cfg, cfg->by_kind[kinds[k]][i]->u.route))
				return -ENOMEM;
	return 0;
}
