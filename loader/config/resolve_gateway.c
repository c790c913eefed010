// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * GatewayClass acceptance, Gateway and ListenerSet listener validation,
 * listener conflicts within a Gateway, and port ownership across the
 * Gateways of this node.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "resolve_internal.h"
#include "tlscert.h"

int gw_resolve_classes(struct gw_config *cfg)
{
	for (size_t i = 0; i < cfg->nby_kind[GW_K_GATEWAYCLASS]; i++) {
		struct gw_obj *gc = cfg->by_kind[GW_K_GATEWAYCLASS][i];
		const char *ctl = gw_ygetstr(gc->spec, "controllerName", "");
		struct gw_yval *params = gw_yget(gc->spec, "parametersRef");

		if (strcmp(ctl, cfg->controller))
			continue;	/* another controller's class: not ours to judge */
		gc->ours = true;
		if (params) {
			/* xdpgw has no parameters resource; a reference cannot resolve */
			gw_cond_set(&gc->conds, "Accepted", "False", "InvalidParameters",
				    gw_arena_printf(&cfg->arena,
						    "parametersRef %s/%s is not supported: xdpgw "
						    "takes no GatewayClass parameters",
						    gw_ygetstr(params, "kind", ""),
						    gw_ygetstr(params, "name", "")));
		} else {
			gw_cond_set(&gc->conds, "Accepted", "True", "Accepted",
				    "GatewayClass is accepted by xdpgw");
			gc->class_accepted = true;
		}
		gw_cond_set(&gc->conds, "SupportedVersion", "True", "SupportedVersion",
			    "Gateway API v1.6 is supported");
	}
	return 0;
}

static bool kind_in(const struct gw_rgk *set, int n, const char *group, const char *kind)
{
	for (int i = 0; i < n; i++)
		if (!strcmp(set[i].group, group) && !strcmp(set[i].kind, kind))
			return true;
	return false;
}

/* Route kinds each protocol can carry (Gateway API "supportedKinds"), less unserved ones. */
static int protocol_kinds(const struct gw_config *cfg, const struct gw_listener *l,
			  struct gw_rgk *out)
{
	struct gw_rgk all[8];
	int n = 0, k = 0;

	switch (l->proto) {
	case GW_PROTO_HTTP:
	case GW_PROTO_HTTPS:
		all[n++] = (struct gw_rgk){ GW_GROUP, "HTTPRoute" };
		all[n++] = (struct gw_rgk){ GW_GROUP, "GRPCRoute" };
		break;
	case GW_PROTO_TLS:
		all[n++] = (struct gw_rgk){ GW_GROUP, "TLSRoute" };
		break;
	case GW_PROTO_TCP:
		all[n++] = (struct gw_rgk){ GW_GROUP, "TCPRoute" };
		break;
	case GW_PROTO_UDP:
		all[n++] = (struct gw_rgk){ GW_GROUP, "UDPRoute" };
		break;
	default:
		break;
	}
	for (int i = 0; i < n; i++) {
		const struct gw_kind_info *ki = gw_kind_lookup(all[i].group, all[i].kind);

		if (!ki || !(cfg->unserved_kinds & (1u << ki->id)))
			out[k++] = all[i];
	}
	n = k;
	return n;
}

static void resolve_kinds(const struct gw_config *cfg, struct gw_listener *l, const char **bad)
{
	struct gw_rgk possible[8];
	int np = protocol_kinds(cfg, l, possible);

	*bad = NULL;
	if (!gw_ylen(l->kinds)) {
		memcpy(l->supported, possible, (size_t)np * sizeof(possible[0]));
		l->nsupported = np;
		return;
	}
	for (size_t i = 0; i < gw_ylen(l->kinds); i++) {
		const char *g = gw_ygetstr(l->kinds->items[i], "group", GW_GROUP);
		const char *k = gw_ygetstr(l->kinds->items[i], "kind", "");

		if (kind_in(possible, np, g, k)) {
			if (!kind_in(l->supported, l->nsupported, g, k) && l->nsupported < 8)
				l->supported[l->nsupported++] = (struct gw_rgk){ g, k };
		} else if (!*bad) {
			*bad = k;
		}
	}
}

/*
 * Listener certificateRefs (ListenerTLSConfig): Secrets of type
 * kubernetes.io/tls; cross-namespace only with a ReferenceGrant from the
 * Gateway (or ListenerSet) namespace.
 */
static int resolve_certs(struct gw_config *cfg, struct gw_listener *l, const char **reason,
			 const char **msg)
{
	struct gw_arena *a = &cfg->arena;
	int n = (int)gw_ylen(l->cert_refs);

	*reason = NULL;
	l->certs = gw_arena_alloc(a, (size_t)(n + 1) * sizeof(*l->certs));
	if (!l->certs)
		return -ENOMEM;
	if (!n) {
		*reason = "InvalidCertificateRef";
		*msg = "TLS mode Terminate needs at least one certificateRef";
		return 0;
	}
	for (int i = 0; i < n; i++) {
		const char *r, *m;

		gw_resolve_cert_ref(cfg, l->owner, gw_arena_printf(a, "certificateRefs[%d]", i),
				    "InvalidCertificateRef", l->cert_refs->items[i],
				    &l->certs[l->ncerts], &r, &m);
		if (!r)
			l->ncerts++;
		/* RefNotPermitted wins over InvalidCertificateRef, as the spec says */
		if (r && (!*reason || (!strcmp(r, "RefNotPermitted") &&
				       strcmp(*reason, "RefNotPermitted")))) {
			*reason = r;
			*msg = m;
		}
	}
	return 0;
}

/* Validates one listener in isolation: protocol, kinds, TLS. */
static int validate_listener(struct gw_config *cfg, struct gw_listener *l)
{
	const char *bad_kind, *rr = NULL, *rr_msg = NULL;
	struct gw_arena *a = &cfg->arena;

	l->valid = true;
	if (l->proto == GW_PROTO_OTHER) {
		gw_cond_set(&l->conds, "Accepted", "False", "UnsupportedProtocol",
			    gw_arena_printf(a, "protocol %s is not supported; xdpgw supports "
					    "HTTP, HTTPS, TLS, TCP and UDP", l->protocol));
		l->valid = false;
	}
	resolve_kinds(cfg, l, &bad_kind);
	if (bad_kind) {
		rr = "InvalidRouteKinds";
		rr_msg = gw_arena_printf(a, "route kind %s is not supported on a %s listener",
					 bad_kind, l->protocol);
	}
	if ((l->proto == GW_PROTO_HTTPS || l->proto == GW_PROTO_TLS) && l->tls_mode &&
	    !strcmp(l->tls_mode, "Terminate")) {
		const char *cr, *cm;

		if (resolve_certs(cfg, l, &cr, &cm))
			return -ENOMEM;
		if (cr && !rr) {
			rr = cr;
			rr_msg = cm;
		}
		gw_check_listener_tls_options(cfg, l);
		if (gw_resolve_client_validation(cfg, l, &cr, &cm))
			return -ENOMEM;
		if (cr && !rr) {
			rr = cr;
			rr_msg = cm;
		}
	}
	if (rr)
		gw_cond_set(&l->conds, "ResolvedRefs", "False", rr, rr_msg);
	else
		gw_cond_set(&l->conds, "ResolvedRefs", "True", "ResolvedRefs",
			    "All references are resolved");
	return 0;
}

enum proto_group { PG_HTTP, PG_TLS, PG_TCP, PG_UDP, PG_OTHER };

static enum proto_group pgroup(enum gw_proto p)
{
	switch (p) {
	case GW_PROTO_HTTP:
		return PG_HTTP;
	case GW_PROTO_HTTPS:
	case GW_PROTO_TLS:
		return PG_TLS;
	case GW_PROTO_TCP:
		return PG_TCP;
	case GW_PROTO_UDP:
		return PG_UDP;
	default:
		return PG_OTHER;
	}
}

/*
 * Listener distinctness (Listener doc, apis/v1/gateway_types.go): on one
 * port, HTTP listeners with unique hostnames, HTTPS/TLS listeners with
 * unique hostnames, and TCP/UDP with no repeated protocol are distinct;
 * anything else conflicts. Returns NULL, "ProtocolConflict" or
 * "HostnameConflict".
 */
static const char *conflict(const struct gw_listener *x, const struct gw_listener *y)
{
	enum proto_group gx = pgroup(x->proto), gy = pgroup(y->proto);

	if (x->port != y->port || gx == PG_OTHER || gy == PG_OTHER)
		return NULL;
	if ((gx == PG_UDP) != (gy == PG_UDP))
		return NULL;	/* different transports never collide */
	if (gx != gy)
		return "ProtocolConflict";
	if (gx == PG_TCP || gx == PG_UDP)
		return "HostnameConflict";
	if ((!x->hostname && !y->hostname) ||
	    (x->hostname && y->hostname && !strcmp(x->hostname, y->hostname)))
		return "HostnameConflict";
	return NULL;
}

static void mark_conflicted(struct gw_config *cfg, struct gw_listener *l, const char *reason,
			    const struct gw_listener *other)
{
	const char *msg;

	if (gw_cond_get(&l->conds, "Conflicted"))
		return;
	msg = gw_arena_printf(&cfg->arena, "conflicts with listener %s%s%s (port %d, %s)",
			      other->owner != l->owner ? other->owner->name : "",
			      other->owner != l->owner ? "/" : "", other->name, other->port,
			      other->protocol);
	gw_cond_set(&l->conds, "Conflicted", "True", reason, msg);
	if (!gw_cond_get(&l->conds, "Accepted"))
		gw_cond_set(&l->conds, "Accepted", "False", reason, msg);
	l->valid = false;
}

static int cmp_precedence(const struct gw_obj *a, const struct gw_obj *b)
{
	int c = strcmp(gw_strdef(a->created, ""), gw_strdef(b->created, ""));

	if (c)
		return c;
	c = strcmp(gw_strdef(a->ns, ""), gw_strdef(b->ns, ""));
	return c ? c : strcmp(a->name, b->name);
}

static int cmp_objs(const void *x, const void *y)
{
	return cmp_precedence(*(struct gw_obj *const *)x, *(struct gw_obj *const *)y);
}

/*
 * ListenerSet attachment (apis/v1/listenerset_types.go): the parent
 * Gateway's spec.allowedListeners decides; Gateway listeners take
 * precedence, then ListenerSets oldest first, then by namespace/name.
 */
static int attach_listenersets(struct gw_config *cfg)
{
	struct gw_arena *a = &cfg->arena;
	size_t n = cfg->nby_kind[GW_K_LISTENERSET];
	struct gw_obj **sorted;

	if (!n)
		return 0;
	sorted = malloc(n * sizeof(*sorted));
	if (!sorted)
		return -ENOMEM;
	memcpy(sorted, cfg->by_kind[GW_K_LISTENERSET], n * sizeof(*sorted));
	qsort(sorted, n, sizeof(*sorted), cmp_objs);
	for (size_t i = 0; i < n; i++) {
		struct gw_obj *o = sorted[i];
		struct gw_listenerset *ls = o->u.ls;
		struct gw_yval *pr = gw_yget(o->spec, "parentRef");
		const char *pg = gw_ygetstr(pr, "group", GW_GROUP);
		const char *pk = gw_ygetstr(pr, "kind", "Gateway");
		const char *pns = gw_ygetstr(pr, "namespace", o->ns);
		struct gw_obj *go = NULL;
		struct gw_gateway *gw;
		bool allowed = false;

		if (!strcmp(pg, GW_GROUP) && !strcmp(pk, "Gateway"))
			go = gw_config_find(cfg, GW_K_GATEWAY, pns, gw_ygetstr(pr, "name", ""));
		if (!go || !go->u.gw->ours)
			continue;	/* not a parent we manage: no status from us */
		o->ours = true;
		gw = go->u.gw;
		switch (gw->ls_from) {
		case GW_FROM_ALL:
			allowed = true;
			break;
		case GW_FROM_SAME:
			allowed = !strcmp(o->ns, go->ns);
			break;
		case GW_FROM_SELECTOR:
			allowed = gw_selector_matches(gw->ls_selector,
						      gw_config_ns_labels(cfg, o->ns));
			break;
		case GW_FROM_NONE:
			allowed = false;
			break;
		}
		if (!allowed) {
			gw_cond_set(&ls->conds, "Accepted", "False", "NotAllowed",
				    gw_arena_printf(a, "Gateway %s/%s does not allow ListenerSets "
						    "from namespace %s (spec.allowedListeners)",
						    go->ns, go->name, o->ns));
			gw_cond_set(&ls->conds, "Programmed", "False", "NotAllowed",
				    "ListenerSet is not attached");
			continue;
		}
		ls->parent = gw;
		for (int k = 0; k < ls->nlisteners; k++)
			ls->listeners[k].gw = gw;
	}
	free(sorted);
	return 0;
}

/* Builds gw->all: Gateway listeners, then attached ListenerSets' in precedence. */
static int collect_listeners(struct gw_config *cfg, struct gw_gateway *gw,
			     struct gw_obj **sorted_ls, size_t nls)
{
	int n = gw->nlisteners;

	for (size_t i = 0; i < nls; i++)
		if (sorted_ls[i]->u.ls->parent == gw)
			n += sorted_ls[i]->u.ls->nlisteners;
	gw->all = gw_arena_alloc(&cfg->arena, (size_t)(n + 1) * sizeof(*gw->all));
	if (!gw->all)
		return -ENOMEM;
	for (int i = 0; i < gw->nlisteners; i++)
		gw->all[gw->nall++] = &gw->listeners[i];
	for (size_t i = 0; i < nls; i++) {
		struct gw_listenerset *ls = sorted_ls[i]->u.ls;

		if (ls->parent != gw)
			continue;
		for (int k = 0; k < ls->nlisteners; k++)
			gw->all[gw->nall++] = &ls->listeners[k];
	}
	return 0;
}

static void find_conflicts(struct gw_config *cfg, struct gw_gateway *gw)
{
	for (int i = 0; i < gw->nall; i++) {
		for (int j = 0; j < i; j++) {
			struct gw_listener *x = gw->all[j], *y = gw->all[i];
			const char *why = conflict(x, y);

			if (!why)
				continue;
			/*
			 * Within the Gateway's own listeners every conflicting
			 * listener is marked; a ListenerSet's listener yields
			 * to any listener of higher precedence.
			 */
			if (x->owner == gw->obj && y->owner == gw->obj) {
				mark_conflicted(cfg, x, why, y);
				mark_conflicted(cfg, y, why, x);
			} else if (x->valid || x->owner == gw->obj) {
				mark_conflicted(cfg, y, why, x);
			}
		}
	}
}

struct port_claim {
	struct gw_gateway *gw;
	int port;
	bool udp;
	const struct gw_listener *l;
};

/* Whether two Gateways can see the same destination address. */
static bool addresses_overlap(const struct gw_gateway *a, const struct gw_gateway *b)
{
	if (!a->naddresses || !b->naddresses)
		return true;	/* no spec.addresses: the node's own addresses */
	for (int i = 0; i < a->naddresses; i++)
		for (int j = 0; j < b->naddresses; j++)
			if (!strcmp(a->addresses[i], b->addresses[j]))
				return true;
	return false;
}

/*
 * One node, one kernel: a (address, port, transport) can be served by one
 * Gateway only. The oldest Gateway keeps it; later ones get PortUnavailable.
 */
static int claim_ports(struct gw_config *cfg, struct gw_obj **gws, size_t ngws)
{
	struct port_claim *claims = NULL;
	size_t nclaims = 0, cap = 0;

	for (size_t g = 0; g < ngws; g++) {
		struct gw_gateway *gw = gws[g]->u.gw;

		if (!gw->ours)
			continue;
		for (int i = 0; i < gw->nall; i++) {
			struct gw_listener *l = gw->all[i];
			bool udp = l->proto == GW_PROTO_UDP, taken = false;

			if (!l->valid)
				continue;
			for (size_t c = 0; c < nclaims; c++) {
				struct port_claim *pc = &claims[c];

				if (pc->gw != gw && pc->port == l->port && pc->udp == udp &&
				    addresses_overlap(pc->gw, gw)) {
					gw_cond_set(&l->conds, "Accepted", "False",
						    "PortUnavailable",
						    gw_arena_printf(&cfg->arena,
								    "port %d/%s is already served "
								    "by Gateway %s/%s on this node",
								    l->port, udp ? "UDP" : "TCP",
								    pc->gw->obj->ns,
								    pc->gw->obj->name));
					l->valid = false;
					taken = true;
					break;
				}
			}
			if (taken)
				continue;
			if (nclaims == cap) {
				size_t ncap = cap ? cap * 2 : 16;
				struct port_claim *p = realloc(claims, ncap * sizeof(*p));

				if (!p) {
					free(claims);
					return -ENOMEM;
				}
				claims = p;
				cap = ncap;
			}
			claims[nclaims++] = (struct port_claim){ gw, l->port, udp, l };
		}
	}
	free(claims);
	return 0;
}

/* Listeners whose protocols overlap hostnames on TLS (OverlappingTLSConfig). */
static void find_tls_overlaps(struct gw_gateway *gw)
{
	for (int i = 0; i < gw->nall; i++) {
		for (int j = 0; j < gw->nall; j++) {
			struct gw_listener *x = gw->all[i], *y = gw->all[j];
			bool any;

			if (i == j || x->port != y->port || pgroup(x->proto) != PG_TLS ||
			    pgroup(y->proto) != PG_TLS || !x->valid || !y->valid)
				continue;
			/* identical hostnames are a conflict, not an overlap */
			if (!x->hostname || !y->hostname || !strcmp(x->hostname, y->hostname))
				continue;
			if (gw_hostname_intersect(x->hostname, y->hostname, &any))
				gw_cond_set(&x->conds, "OverlappingTLSConfig", "True",
					    "OverlappingHostnames",
					    "hostname overlaps with another TLS listener on the "
					    "same port");
		}
	}
}

int gw_resolve_gateways(struct gw_config *cfg)
{
	struct gw_arena *a = &cfg->arena;
	size_t ngw = cfg->nby_kind[GW_K_GATEWAY], nls = cfg->nby_kind[GW_K_LISTENERSET];
	struct gw_obj **gws = NULL, **lss = NULL;
	int err = -ENOMEM;

	for (size_t i = 0; i < ngw; i++) {
		struct gw_obj *o = cfg->by_kind[GW_K_GATEWAY][i];
		struct gw_gateway *gw = o->u.gw;
		struct gw_yval *addrs = gw_yget(o->spec, "addresses");

		gw->cls = gw_config_find(cfg, GW_K_GATEWAYCLASS, NULL,
					 gw_ygetstr(o->spec, "gatewayClassName", ""));
		if (!gw->cls || !gw->cls->ours)
			continue;
		o->ours = true;
		gw->ours = gw->cls->class_accepted;
		for (size_t k = 0; k < gw_ylen(addrs); k++) {
			const char *t = gw_ygetstr(addrs->items[k], "type", "IPAddress");
			const char *v = gw_ygetstr(addrs->items[k], "value", "");

			if (!strcmp(t, "IPAddress") && !*v) {
				/*
				 * GatewaySpecAddress.value: "When a value is unspecified, an
				 * implementation SHOULD automatically assign an address
				 * matching the requested type": the node's, and gwd binds
				 * every address (gw_finish_gateways() reports which).
				 */
				gw->auto_addr = true;
				continue;
			}
			if (strcmp(t, "IPAddress") || gw_fmt_ip(v)) {
				gw_cond_set(&gw->conds, "Accepted", "False", "UnsupportedAddress",
					    gw_arena_printf(a, "spec.addresses[%zu]: only IPAddress "
							    "addresses are supported, "
							    "got %s \"%s\"", k, t, v));
				continue;
			}
			gw->addresses[gw->naddresses++] = v;
			gw->spec_addrs[gw->nspec_addrs++] = v;
		}
		if (gw->auto_addr)
			gw->naddresses = 0;	/* bound on every address, as without spec.addresses */
		if (gw_yget(gw_yget(o->spec, "infrastructure"), "parametersRef")) {
			struct gw_yval *pr = gw_ypath(o->spec, "infrastructure.parametersRef");

			/*
			 * GatewayInfrastructure.parametersRef: "If the referent cannot be
			 * found, refers to an unsupported kind ... the Gateway SHOULD be
			 * rejected with the Accepted status condition set to False and an
			 * InvalidParameters reason." xdpgw has no parameters kind.
			 */
			gw_cond_set(&gw->conds, "Accepted", "False", "InvalidParameters",
				    gw_arena_printf(a, "spec.infrastructure.parametersRef %s/%s "
						    "\"%s\" is not supported: xdpgw takes no Gateway "
						    "parameters; remove the reference",
						    gw_ygetstr(pr, "group", ""),
						    gw_ygetstr(pr, "kind", ""),
						    gw_ygetstr(pr, "name", "")));
		}
		if (!gw->ours) {
			gw_cond_set(&gw->conds, "Accepted", "False", "Invalid",
				    gw_arena_printf(a, "GatewayClass %s is not accepted",
						    gw->cls->name));
		}
		for (int k = 0; k < gw->nlisteners; k++)
			if (validate_listener(cfg, &gw->listeners[k]))
				return -ENOMEM;
		gw_frontend_tls_gateway_conds(cfg, gw);
	}
	if (attach_listenersets(cfg))
		return -ENOMEM;
	for (size_t i = 0; i < nls; i++) {
		struct gw_listenerset *ls = cfg->by_kind[GW_K_LISTENERSET][i]->u.ls;

		for (int k = 0; ls->parent && k < ls->nlisteners; k++)
			if (validate_listener(cfg, &ls->listeners[k]))
				return -ENOMEM;
	}
	gws = malloc((ngw + 1) * sizeof(*gws));
	lss = malloc((nls + 1) * sizeof(*lss));
	if (!gws || !lss)
		goto out;
	/* by_kind arrays are NULL for kinds with no objects */
	if (ngw)
		memcpy(gws, cfg->by_kind[GW_K_GATEWAY], ngw * sizeof(*gws));
	if (nls)
		memcpy(lss, cfg->by_kind[GW_K_LISTENERSET], nls * sizeof(*lss));
	qsort(gws, ngw, sizeof(*gws), cmp_objs);
	qsort(lss, nls, sizeof(*lss), cmp_objs);
	for (size_t i = 0; i < ngw; i++) {
		struct gw_gateway *gw = gws[i]->u.gw;

		if (!gws[i]->ours)
			continue;
		if (collect_listeners(cfg, gw, lss, nls))
			goto out;
		find_conflicts(cfg, gw);
	}
	if (claim_ports(cfg, gws, ngw))
		goto out;
	for (size_t i = 0; i < ngw; i++)
		if (gws[i]->ours)
			find_tls_overlaps(gws[i]->u.gw);
	err = 0;
out:
	free(gws);
	free(lss);
	return err;
}

static void finish_listener(struct gw_config *cfg, struct gw_listener *l)
{
	const struct gw_cond *rr = gw_cond_get(&l->conds, "ResolvedRefs");
	const char *pmsg = "waiting for the data plane to program this listener";
	bool accepted, programmed = false;

	if (!gw_cond_get(&l->conds, "Accepted"))
		gw_cond_set(&l->conds, "Accepted", "True", "Accepted", "Listener is accepted");
	if (!gw_cond_get(&l->conds, "Conflicted"))
		gw_cond_set(&l->conds, "Conflicted", "False", "NoConflicts", "No conflicts");
	accepted = !strcmp(gw_cond_get(&l->conds, "Accepted")->status, "True");
	if (!accepted || (rr && !strcmp(rr->status, "False"))) {
		const struct gw_cond *cf = gw_cond_get(&l->conds, "Conflicted");

		l->valid = false;
		/*
		 * A conflicted listener is Programmed=False with the conflict's
		 * reason, as conformance ListenerSetHostnameConflict and
		 * ListenerSetProtocolConflict (v1.6.1) expect of Accepted,
		 * Programmed and Conflicted alike.
		 */
		gw_cond_set(&l->conds, "Programmed", "False",
			    !strcmp(cf->status, "True") ? cf->reason : "Invalid",
			    accepted ? rr->message : gw_cond_get(&l->conds, "Accepted")->message);
		return;
	}
	if (cfg->dataplane && cfg->dataplane->listener_programmed)
		programmed = cfg->dataplane->listener_programmed(cfg->dataplane->ctx, l, &pmsg);
	if (programmed)
		gw_cond_set(&l->conds, "Programmed", "True", "Programmed", "Listener is programmed");
	else
		gw_cond_set(&l->conds, "Programmed", "False", "Pending", pmsg);
}

/* Family and bytes of an address literal; false if s is not one. */
static bool parse_ip(const char *s, int *fam, unsigned char b[16])
{
	memset(b, 0, 16);
	*fam = strchr(s, ':') ? AF_INET6 : AF_INET;
	return inet_pton(*fam, s, b) == 1;
}

static bool in_list(const char *const *list, int n, int fam, const unsigned char b[16])
{
	for (int i = 0; i < n; i++) {
		unsigned char c[16];
		int f;

		if (parse_ip(list[i], &f, c) && f == fam && !memcmp(b, c, 16))
			return true;
	}
	return false;
}

/* Not an address a host can own: unspecified, "this network", multicast, class E, broadcast. */
static bool not_unicast(int fam, const unsigned char b[16])
{
	static const unsigned char zero[16];

	if (fam == AF_INET)
		return b[0] == 0 || b[0] >= 224;
	return !memcmp(b, zero, 16) || b[0] == 0xff;
}

/*
 * Why spec.addresses[k] cannot carry gw's traffic on this node, or NULL
 * (GatewayReasonAddressNotUsable: "a provided static address can't be
 * used"). gwd binds with IP_FREEBIND, so binding itself never fails, but
 * the kernel delivers traffic to a socket only for the node's own
 * addresses; only the XDP tier (TCP/UDP listeners, gwctl load --iface)
 * serves a VIP that no interface has.
 */
static const char *address_unusable(struct gw_config *cfg, const struct gw_gateway *gw, int k)
{
	const struct gw_node *n = cfg->node;
	const char *v = gw->spec_addrs[k];
	unsigned char b[16];
	int fam;

	if (!parse_ip(v, &fam, b))
		return NULL;	/* reported as UnsupportedAddress already */
	if (not_unicast(fam, b))
		return gw_arena_printf(&cfg->arena, "spec.addresses %s is not a unicast address "
				       "a node can own; use one of the node's addresses", v);
	if (in_list(n->addrs, n->naddrs, fam, b) || in_list(n->loopback, n->nloopback, fam, b))
		return NULL;
	for (int i = 0; i < gw->nall; i++) {
		const struct gw_listener *l = gw->all[i];

		if (!l->valid || (n->xdp && (l->proto == GW_PROTO_TCP || l->proto == GW_PROTO_UDP)))
			continue;
		return gw_arena_printf(&cfg->arena,
				       "spec.addresses %s is on no interface of this node, and "
				       "listener %s is served by %s, which receives traffic only "
				       "for the node's own addresses: add it to an interface "
				       "(ip addr add %s%s dev lo) or remove it", v, l->name,
				       l->proto == GW_PROTO_TCP || l->proto == GW_PROTO_UDP
					       ? "gwd (no XDP tier attached: gwctl load --iface)"
					       : "gwd",
				       v, fam == AF_INET ? "/32" : "/128");
	}
	return NULL;
}

static void add_status_addr(struct gw_gateway *gw, const char *v)
{
	int cap = (int)(sizeof(gw->status_addrs) / sizeof(gw->status_addrs[0]));

	for (int i = 0; i < gw->nstatus_addrs; i++)
		if (!strcmp(gw->status_addrs[i], v))
			return;
	if (gw->nstatus_addrs < cap)	/* GatewayStatus.addresses MaxItems=16 */
		gw->status_addrs[gw->nstatus_addrs++] = v;
}

/*
 * GatewayStatus.addresses: the usable static addresses, and where the
 * Gateway names none (or an entry without a value), the node's addresses
 * gwd answers on ("no addresses are specified, all addresses are
 * dynamically assigned"). Returns why an address is unusable, or NULL.
 */
static const char *gateway_addresses(struct gw_config *cfg, struct gw_gateway *gw)
{
	const struct gw_node *n = cfg->node;
	const char *unusable = NULL;

	gw->nstatus_addrs = 0;
	for (int k = 0; k < gw->nspec_addrs; k++) {
		const char *why = n ? address_unusable(cfg, gw, k) : NULL;

		if (why)
			unusable = unusable ? unusable : why;
		else
			add_status_addr(gw, gw->spec_addrs[k]);
	}
	if (!n)
		return unusable;
	if (!gw->nspec_addrs || gw->auto_addr) {
		const char *const *list = n->naddrs ? n->addrs : n->loopback;
		int cnt = n->naddrs ? n->naddrs : n->nloopback;

		/* an entry without a value gets one address: the node's first */
		for (int i = 0; i < cnt && (!gw->auto_addr || i < 1); i++)
			add_status_addr(gw, list[i]);
	}
	return unusable;
}

/* After routes attached: summary conditions of listeners, ListenerSets, Gateways. */
void gw_finish_gateways(struct gw_config *cfg)
{
	/* re-runnable: a data plane's report may arrive after the first pass */
	for (size_t i = 0; i < cfg->nby_kind[GW_K_GATEWAY]; i++)
		cfg->by_kind[GW_K_GATEWAY][i]->u.gw->attached_listenersets = 0;
	for (size_t i = 0; i < cfg->nby_kind[GW_K_LISTENERSET]; i++)
		cfg->by_kind[GW_K_LISTENERSET][i]->u.ls->accepted = false;
	for (size_t i = 0; i < cfg->nby_kind[GW_K_LISTENERSET]; i++) {
		struct gw_obj *o = cfg->by_kind[GW_K_LISTENERSET][i];
		struct gw_listenerset *ls = o->u.ls;
		int valid = 0, programmed = 0;

		if (!o->ours || !ls->parent)
			continue;
		for (int k = 0; k < ls->nlisteners; k++) {
			finish_listener(cfg, &ls->listeners[k]);
			valid += ls->listeners[k].valid;
			programmed += !strcmp(gw_cond_get(&ls->listeners[k].conds,
							  "Programmed")->status, "True");
		}
		if (!strcmp(gw_strdef(gw_cond_get(&ls->parent->conds, "Accepted") ?
				      gw_cond_get(&ls->parent->conds, "Accepted")->status : NULL,
				      "True"), "False")) {
			gw_cond_set(&ls->conds, "Accepted", "False", "ParentNotAccepted",
				    "the parent Gateway is not accepted");
		} else if (!valid) {
			gw_cond_set(&ls->conds, "Accepted", "False", "ListenersNotValid",
				    "no listener of this ListenerSet is valid");
		} else {
			gw_cond_set(&ls->conds, "Accepted", "True",
				    valid < ls->nlisteners ? "ListenersNotValid" : "Accepted",
				    valid < ls->nlisteners ? "some listeners are not valid"
							   : "ListenerSet is accepted");
			ls->accepted = true;
			ls->parent->attached_listenersets++;
		}
		if (ls->accepted && programmed == valid)
			gw_cond_set(&ls->conds, "Programmed", "True", "Programmed",
				    "ListenerSet is programmed");
		else if (ls->accepted)
			gw_cond_set(&ls->conds, "Programmed", "False", "Pending",
				    "waiting for the data plane");
		else
			/*
			 * ListenerSetConditionProgrammed (apis/v1/listenerset_types.go
			 * v1.6.1) lists ListenersNotValid as a False reason; a set
			 * none of whose listeners is valid carries it on both.
			 */
			gw_cond_set(&ls->conds, "Programmed", "False",
				    !strcmp(gw_cond_get(&ls->conds, "Accepted")->reason,
					    "ListenersNotValid") ? "ListenersNotValid" : "Invalid",
				    gw_cond_get(&ls->conds, "Accepted")->message);
	}
	for (size_t i = 0; i < cfg->nby_kind[GW_K_GATEWAY]; i++) {
		struct gw_obj *o = cfg->by_kind[GW_K_GATEWAY][i];
		struct gw_gateway *gw = o->u.gw;
		int valid = 0, programmed = 0, unresolved = 0;
		const struct gw_cond *acc;
		const char *unusable;

		if (!o->ours)
			continue;
		for (int k = 0; k < gw->nlisteners; k++) {
			struct gw_listener *l = &gw->listeners[k];

			finish_listener(cfg, l);
			valid += l->valid;
			programmed += !strcmp(gw_cond_get(&l->conds, "Programmed")->status, "True");
			unresolved += !strcmp(gw_cond_get(&l->conds, "ResolvedRefs")->status,
					      "False");
		}
		acc = gw_cond_get(&gw->conds, "Accepted");
		if (!acc) {
			if (!valid)
				gw_cond_set(&gw->conds, "Accepted", "False", "ListenersNotValid",
					    "no listener is valid");
			else if (valid < gw->nlisteners)
				gw_cond_set(&gw->conds, "Accepted", "True", "ListenersNotValid",
					    "some listeners are not valid");
			else
				gw_cond_set(&gw->conds, "Accepted", "True", "Accepted",
					    "Gateway is accepted");
			acc = gw_cond_get(&gw->conds, "Accepted");
		}
		unusable = gateway_addresses(cfg, gw);
		if (!strcmp(acc->status, "False"))
			gw_cond_set(&gw->conds, "Programmed", "False", "Invalid", acc->message);
		else if (unusable)
			gw_cond_set(&gw->conds, "Programmed", "False", "AddressNotUsable", unusable);
		else if (valid && programmed == valid)
			gw_cond_set(&gw->conds, "Programmed", "True", "Programmed",
				    "Gateway is programmed");
		else
			gw_cond_set(&gw->conds, "Programmed", "False", "Pending",
				    "waiting for the data plane to program the listeners");
		if (gw->client_cert_reason)
			gw_cond_set(&gw->conds, "ResolvedRefs", "False", gw->client_cert_reason,
				    gw->client_cert_message);
		else if (unresolved)
			gw_cond_set(&gw->conds, "ResolvedRefs", "False", "ListenersNotResolved",
				    "one or more listeners have unresolved references");
		else
			gw_cond_set(&gw->conds, "ResolvedRefs", "True", "ResolvedRefs",
				    "All references are resolved");
	}
}
