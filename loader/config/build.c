// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Typed views over validated object trees. The schemas have already checked
 * types, enums and required fields and filled CRD defaults, so reads here
 * use defaults only for fields the CRDs leave optional without a default.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <string.h>

#include "resolve_internal.h"

#define ALLOC(a, n, T) ((T *)gw_arena_alloc((a), (size_t)(n) * sizeof(T) + 1))

enum gw_proto gw_proto_parse(const char *s)
{
	if (!strcmp(s, "HTTP"))
		return GW_PROTO_HTTP;
	if (!strcmp(s, "HTTPS"))
		return GW_PROTO_HTTPS;
	if (!strcmp(s, "TLS"))
		return GW_PROTO_TLS;
	if (!strcmp(s, "TCP"))
		return GW_PROTO_TCP;
	if (!strcmp(s, "UDP"))
		return GW_PROTO_UDP;
	return GW_PROTO_OTHER;
}

static enum gw_from parse_from(const char *s, enum gw_from def)
{
	if (!s)
		return def;
	if (!strcmp(s, "All"))
		return GW_FROM_ALL;
	if (!strcmp(s, "Selector"))
		return GW_FROM_SELECTOR;
	if (!strcmp(s, "None"))
		return GW_FROM_NONE;
	return GW_FROM_SAME;
}

int gw_build_listeners(struct gw_config *cfg, struct gw_obj *owner, struct gw_gateway *gw,
		       struct gw_yval *list, struct gw_listener **out, int *nout)
{
	int n = (int)gw_ylen(list);
	struct gw_listener *ls = ALLOC(&cfg->arena, n, struct gw_listener);

	if (!ls)
		return -ENOMEM;
	for (int i = 0; i < n; i++) {
		struct gw_yval *l = list->items[i];
		struct gw_yval *tls = gw_yget(l, "tls");
		struct gw_yval *ar = gw_yget(l, "allowedRoutes");
		struct gw_yval *nsv = gw_yget(ar, "namespaces");

		ls[i].owner = owner;
		ls[i].gw = gw;
		ls[i].node = l;
		ls[i].index = (size_t)i;
		ls[i].name = gw_ygetstr(l, "name", "");
		ls[i].hostname = gw_ygetstr(l, "hostname", NULL);
		ls[i].protocol = gw_ygetstr(l, "protocol", "");
		ls[i].proto = gw_proto_parse(ls[i].protocol);
		ls[i].port = (int)gw_ygetint(l, "port", 0);
		if (tls) {
			ls[i].tls_mode = gw_ygetstr(tls, "mode", "Terminate");
			ls[i].cert_refs = gw_yget(tls, "certificateRefs");
		}
		/* allowedRoutes defaults to {namespaces: {from: Same}} */
		ls[i].from = parse_from(gw_ygetstr(nsv, "from", NULL), GW_FROM_SAME);
		ls[i].selector = gw_yget(nsv, "selector");
		ls[i].kinds = gw_yget(ar, "kinds");
	}
	*out = ls;
	*nout = n;
	return 0;
}

static int build_gateway(struct gw_config *cfg, struct gw_obj *o)
{
	struct gw_arena *a = &cfg->arena;
	struct gw_gateway *gw = ALLOC(a, 1, struct gw_gateway);
	struct gw_yval *addrs = gw_yget(o->spec, "addresses");
	struct gw_yval *al = gw_ypath(o->spec, "allowedListeners.namespaces");

	if (!gw)
		return -ENOMEM;
	o->u.gw = gw;
	gw->obj = o;
	if (gw_build_listeners(cfg, o, gw, gw_yget(o->spec, "listeners"), &gw->listeners,
			       &gw->nlisteners))
		return -ENOMEM;
	/* ListenerSets may attach only when the Gateway opts in (default None) */
	gw->ls_from = parse_from(gw_ygetstr(al, "from", NULL), GW_FROM_NONE);
	gw->ls_selector = gw_yget(al, "selector");
	gw->addresses = ALLOC(a, gw_ylen(addrs), const char *);
	gw->spec_addrs = ALLOC(a, gw_ylen(addrs), const char *);
	if (!gw->addresses || !gw->spec_addrs)
		return -ENOMEM;
	return 0;
}

static int build_listenerset(struct gw_config *cfg, struct gw_obj *o)
{
	struct gw_listenerset *ls = ALLOC(&cfg->arena, 1, struct gw_listenerset);

	if (!ls)
		return -ENOMEM;
	o->u.ls = ls;
	ls->obj = o;
	return gw_build_listeners(cfg, o, NULL, gw_yget(o->spec, "listeners"), &ls->listeners,
				  &ls->nlisteners);
}

static void build_backend(struct gw_obj *route, struct gw_yval *ref, struct gw_backend *b)
{
	b->node = ref;
	b->group = gw_ygetstr(ref, "group", "");
	b->kind = gw_ygetstr(ref, "kind", "Service");
	b->ns = gw_ygetstr(ref, "namespace", route->ns);
	b->name = gw_ygetstr(ref, "name", "");
	b->port = (int)gw_ygetint(ref, "port", 0);
	b->weight = (int)gw_ygetint(ref, "weight", 1);
}

/*
 * The backendRefs inside filters of one kind (path names the reference,
 * e.g. "requestMirror.backendRef"): the rule's filters first, then each
 * backendRef's, in order. The router walks the same order.
 */
static int build_filter_refs(struct gw_obj *route, struct gw_arena *a, struct gw_yval *rule,
			     const char *path, struct gw_backend **out, int *n)
{
	struct gw_yval *brs = gw_yget(rule, "backendRefs");
	struct gw_yval *lists[1 + 16];
	int nlists = 0, cap = 0;

	lists[nlists++] = gw_yget(rule, "filters");
	for (size_t b = 0; b < gw_ylen(brs) && nlists < (int)(sizeof(lists) / sizeof(lists[0]));
	     b++)
		lists[nlists++] = gw_yget(brs->items[b], "filters");
	for (int l = 0; l < nlists; l++)
		for (size_t f = 0; f < gw_ylen(lists[l]); f++)
			cap += gw_ypath(lists[l]->items[f], path) != NULL;
	*n = 0;
	*out = ALLOC(a, cap, struct gw_backend);
	if (!*out)
		return -ENOMEM;
	for (int l = 0; l < nlists; l++) {
		for (size_t f = 0; f < gw_ylen(lists[l]); f++) {
			struct gw_yval *ref = gw_ypath(lists[l]->items[f], path);

			if (ref)
				build_backend(route, ref, &(*out)[(*n)++]);
		}
	}
	return 0;
}

static int build_route(struct gw_config *cfg, struct gw_obj *o)
{
	struct gw_arena *a = &cfg->arena;
	struct gw_route *r = ALLOC(a, 1, struct gw_route);
	struct gw_yval *parents = gw_yget(o->spec, "parentRefs");
	struct gw_yval *hosts = gw_yget(o->spec, "hostnames");
	struct gw_yval *rules = gw_yget(o->spec, "rules");

	if (!r)
		return -ENOMEM;
	o->u.route = r;
	r->obj = o;
	r->nparents = (int)gw_ylen(parents);
	r->parents = ALLOC(a, r->nparents, struct gw_parent);
	r->nhostnames = (int)gw_ylen(hosts);
	r->hostnames = ALLOC(a, r->nhostnames, const char *);
	r->nrules = (int)gw_ylen(rules);
	r->rules = ALLOC(a, r->nrules, struct gw_rule);
	if (!r->parents || !r->hostnames || !r->rules)
		return -ENOMEM;
	for (int i = 0; i < r->nparents; i++) {
		struct gw_yval *p = parents->items[i];
		struct gw_parent *pp = &r->parents[i];

		pp->node = p;
		pp->group = gw_ygetstr(p, "group", GW_GROUP);
		pp->kind = gw_ygetstr(p, "kind", "Gateway");
		pp->ns = gw_ygetstr(p, "namespace", o->ns);
		pp->name = gw_ygetstr(p, "name", "");
		pp->section = gw_ygetstr(p, "sectionName", NULL);
		pp->port = (int)gw_ygetint(p, "port", 0);
	}
	for (int i = 0; i < r->nhostnames; i++)
		r->hostnames[i] = hosts->items[i]->str;
	for (int i = 0; i < r->nrules; i++) {
		struct gw_yval *rule = rules->items[i];
		struct gw_yval *brs = gw_yget(rule, "backendRefs");
		struct gw_rule *ru = &r->rules[i];

		ru->node = rule;
		ru->name = gw_ygetstr(rule, "name", NULL);
		ru->nbackends = (int)gw_ylen(brs);
		ru->backends = ALLOC(a, ru->nbackends, struct gw_backend);
		if (!ru->backends)
			return -ENOMEM;
		for (int b = 0; b < ru->nbackends; b++)
			build_backend(o, brs->items[b], &ru->backends[b]);
		if (build_filter_refs(o, a, rule, "requestMirror.backendRef", &ru->mirrors,
				      &ru->nmirrors) ||
		    build_filter_refs(o, a, rule, "externalAuth.backendRef", &ru->extauths,
				      &ru->nextauths))
			return -ENOMEM;
	}
	return 0;
}

static int build_service(struct gw_config *cfg, struct gw_obj *o)
{
	struct gw_arena *a = &cfg->arena;
	struct gw_service *s = ALLOC(a, 1, struct gw_service);
	struct gw_yval *ports = gw_yget(o->spec, "ports");

	if (!s)
		return -ENOMEM;
	o->u.svc = s;
	s->obj = o;
	s->nports = (int)gw_ylen(ports);
	s->ports = ALLOC(a, s->nports, struct gw_service_port);
	if (!s->ports)
		return -ENOMEM;
	for (int i = 0; i < s->nports; i++) {
		struct gw_yval *p = ports->items[i];

		s->ports[i].name = gw_ygetstr(p, "name", "");
		s->ports[i].port = (int)gw_ygetint(p, "port", 0);
		s->ports[i].protocol = gw_ygetstr(p, "protocol", "TCP");
		s->ports[i].app_protocol = gw_ygetstr(p, "appProtocol", NULL);
		s->ports[i].target_port = gw_yget(p, "targetPort");
	}
	return 0;
}

/* EndpointSlices belong to the Service named by their kubernetes.io/service-name label. */
static int link_slices(struct gw_config *cfg)
{
	struct gw_arena *a = &cfg->arena;
	size_t n = cfg->nby_kind[GW_K_ENDPOINTSLICE];

	for (int pass = 0; pass < 2; pass++) {
		for (size_t i = 0; i < n; i++) {
			struct gw_obj *es = cfg->by_kind[GW_K_ENDPOINTSLICE][i];
			const char *svc = gw_ygetstr(es->labels, "kubernetes.io/service-name", NULL);
			struct gw_obj *so;

			if (!svc) {
				if (pass == 0)
					gw_diag_add(&cfg->diags, GW_DIAG_WARN, es->file, es->line,
						    "EndpointSlice", es->ns, es->name,
						    "metadata.labels",
						    "has no kubernetes.io/service-name label; it "
						    "belongs to no Service and is ignored");
				continue;
			}
			so = gw_config_find(cfg, GW_K_SERVICE, es->ns, svc);
			if (!so) {
				if (pass == 0)
					gw_diag_add(&cfg->diags, GW_DIAG_WARN, es->file, es->line,
						    "EndpointSlice", es->ns, es->name,
						    "metadata.labels",
						    "Service %s/%s does not exist; the slice is "
						    "ignored", es->ns, svc);
				continue;
			}
			if (pass == 0)
				so->u.svc->nslices++;
			else
				so->u.svc->slices[so->u.svc->nslices++] = es;
		}
		if (pass == 0) {
			for (size_t i = 0; i < cfg->nby_kind[GW_K_SERVICE]; i++) {
				struct gw_service *s = cfg->by_kind[GW_K_SERVICE][i]->u.svc;

				s->slices = ALLOC(a, s->nslices, struct gw_obj *);
				if (!s->slices)
					return -ENOMEM;
				s->nslices = 0;
			}
		}
	}
	return 0;
}

int gw_build_views(struct gw_config *cfg)
{
	static const enum gw_kind route_kinds[] = {
		GW_K_HTTPROUTE, GW_K_GRPCROUTE, GW_K_TLSROUTE, GW_K_TCPROUTE, GW_K_UDPROUTE,
	};
	int err;

	for (size_t i = 0; i < cfg->nby_kind[GW_K_GATEWAY]; i++)
		if ((err = build_gateway(cfg, cfg->by_kind[GW_K_GATEWAY][i])))
			return err;
	for (size_t i = 0; i < cfg->nby_kind[GW_K_LISTENERSET]; i++)
		if ((err = build_listenerset(cfg, cfg->by_kind[GW_K_LISTENERSET][i])))
			return err;
	for (size_t k = 0; k < sizeof(route_kinds) / sizeof(route_kinds[0]); k++)
		for (size_t i = 0; i < cfg->nby_kind[route_kinds[k]]; i++)
			if ((err = build_route(cfg, cfg->by_kind[route_kinds[k]][i])))
				return err;
	for (size_t i = 0; i < cfg->nby_kind[GW_K_SERVICE]; i++)
		if ((err = build_service(cfg, cfg->by_kind[GW_K_SERVICE][i])))
			return err;
	return link_slices(cfg);
}
