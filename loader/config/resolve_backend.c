// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * backendRefs to Services (BackendObjectReference, apis/v1/object_reference_types.go),
 * ReferenceGrant checks for cross-namespace references, and Service ->
 * EndpointSlice -> ready endpoint resolution.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <string.h>
#include <sys/socket.h>

#include "resolve_internal.h"
#include "tlscert.h"

/*
 * ReferenceGrant (apis/v1beta1/referencegrant_types.go): lives in the
 * namespace of the target; some `from` entry must match the referrer's
 * group, kind and namespace, and some `to` entry the target's group and
 * kind, with name either unset (all) or equal.
 */
bool gw_refgrant_allows(struct gw_config *cfg, const char *from_group, const char *from_kind,
			const char *from_ns, const char *to_group, const char *to_kind,
			const char *to_ns, const char *to_name)
{
	for (size_t i = 0; i < cfg->nby_kind[GW_K_REFERENCEGRANT]; i++) {
		struct gw_obj *g = cfg->by_kind[GW_K_REFERENCEGRANT][i];
		struct gw_yval *from = gw_yget(g->spec, "from"), *to = gw_yget(g->spec, "to");
		bool fok = false, tok = false;

		if (strcmp(g->ns, to_ns))
			continue;
		for (size_t f = 0; f < gw_ylen(from) && !fok; f++) {
			struct gw_yval *e = from->items[f];

			fok = !strcmp(gw_ygetstr(e, "group", ""), from_group) &&
			      !strcmp(gw_ygetstr(e, "kind", ""), from_kind) &&
			      !strcmp(gw_ygetstr(e, "namespace", ""), from_ns);
		}
		for (size_t t = 0; t < gw_ylen(to) && fok && !tok; t++) {
			struct gw_yval *e = to->items[t];
			const char *n = gw_ygetstr(e, "name", NULL);

			tok = !strcmp(gw_ygetstr(e, "group", ""), to_group) &&
			      !strcmp(gw_ygetstr(e, "kind", ""), to_kind) &&
			      (!n || !*n || !strcmp(n, to_name));
		}
		if (fok && tok)
			return true;
	}
	return false;
}

/* appProtocols xdpgw can speak to a backend, per route kind (GEP-1911). */
static bool app_protocol_ok(enum gw_kind k, const char *ap)
{
	static const char *const l7[] = {
		"http", "HTTP", "https", "HTTPS", "kubernetes.io/h2c", "kubernetes.io/ws",
		"kubernetes.io/wss", "h2c", "grpc", "http2", NULL,
	};

	if (!ap || !*ap)
		return true;
	if (k == GW_K_TCPROUTE || k == GW_K_UDPROUTE || k == GW_K_TLSROUTE)
		return true;	/* bytes are forwarded as they are */
	for (int i = 0; l7[i]; i++)
		if (!strcmp(ap, l7[i]))
			return true;
	return false;
}

static bool ep_ready(const struct gw_yval *ep)
{
	struct gw_yval *c = gw_yget(ep, "conditions");
	struct gw_yval *ready = gw_yget(c, "ready");

	/* EndpointConditions.ready: "nil should be interpreted as true" */
	if (ready && ready->type == GW_YBOOL)
		return ready->i != 0;
	return !gw_ygetbool(c, "terminating", false);
}

/*
 * Endpoints of Service port sp: every ready address of every slice, with the
 * slice port of the same name as the Service port (that is how Kubernetes
 * maps a Service port to its targetPort per slice).
 */
static int collect_endpoints(struct gw_config *cfg, struct gw_service *s,
			     struct gw_service_port *sp, struct gw_backend *b)
{
	struct gw_arena *a = &cfg->arena;
	int cap = 0;

	for (int i = 0; i < s->nslices; i++) {
		struct gw_yval *eps = gw_yget(s->slices[i]->root, "endpoints");

		for (size_t e = 0; e < gw_ylen(eps); e++)
			cap += (int)gw_ylen(gw_yget(eps->items[e], "addresses"));
	}
	b->eps = gw_arena_alloc(a, (size_t)(cap + 1) * sizeof(*b->eps));
	if (!b->eps)
		return -ENOMEM;
	for (int i = 0; i < s->nslices; i++) {
		struct gw_obj *so = s->slices[i];
		const char *at = gw_ygetstr(so->root, "addressType", "IPv4");
		struct gw_yval *ports = gw_yget(so->root, "ports");
		struct gw_yval *eps = gw_yget(so->root, "endpoints");
		int family = !strcmp(at, "IPv6") ? AF_INET6 : AF_INET;
		int port = -1;

		if (!strcmp(at, "FQDN"))
			continue;	/* FQDN endpoints would need DNS on the data path */
		for (size_t p = 0; p < gw_ylen(ports); p++) {
			const char *pn = gw_ygetstr(ports->items[p], "name", "");

			if (!strcmp(pn, sp->name) &&
			    !strcmp(gw_ygetstr(ports->items[p], "protocol", "TCP"), sp->protocol)) {
				port = (int)gw_ygetint(ports->items[p], "port", -1);
				break;
			}
		}
		if (port <= 0)
			continue;	/* the slice does not serve this Service port */
		for (size_t e = 0; e < gw_ylen(eps); e++) {
			struct gw_yval *ep = eps->items[e];
			struct gw_yval *addrs = gw_yget(ep, "addresses");
			struct gw_yval *tr = gw_yget(ep, "targetRef");

			if (!ep_ready(ep))
				continue;
			for (size_t k = 0; k < gw_ylen(addrs); k++) {
				unsigned char buf[16];
				struct gw_endpoint *out = &b->eps[b->neps];

				if (inet_pton(family, addrs->items[k]->str, buf) != 1) {
					gw_diag_add(&cfg->diags, GW_DIAG_WARN, so->file,
						    addrs->items[k]->line, "EndpointSlice", so->ns,
						    so->name, "endpoints.addresses",
						    "\"%s\" is not an %s address; skipped",
						    addrs->items[k]->str, at);
					continue;
				}
				out->addr = addrs->items[k]->str;
				out->family = family;
				out->port = port;
				out->target = tr ? gw_arena_printf(a, "%s/%s",
								   gw_ygetstr(tr, "namespace", so->ns),
								   gw_ygetstr(tr, "name", ""))
						 : NULL;
				b->neps++;
			}
		}
	}
	return 0;
}

void gw_resolve_backend(struct gw_config *cfg, struct gw_route *r, struct gw_backend *b)
{
	struct gw_arena *a = &cfg->arena;
	struct gw_obj *ro = r->obj, *so;
	struct gw_service *s;
	struct gw_service_port *sp = NULL;

	if (*b->group || strcmp(b->kind, "Service")) {
		b->reason = "InvalidKind";
		b->message = gw_arena_printf(a, "backendRef %s%s%s %s: only core Services are "
					     "supported", b->group, *b->group ? "/" : "", b->kind,
					     b->name);
		return;
	}
	if (strcmp(b->ns, ro->ns) &&
	    !gw_refgrant_allows(cfg, GW_GROUP, ro->ki->kind, ro->ns, "", "Service", b->ns,
				b->name)) {
		b->reason = "RefNotPermitted";
		b->message = gw_arena_printf(a, "backendRef Service %s/%s is in another namespace "
					     "and no ReferenceGrant in %s allows it", b->ns,
					     b->name, b->ns);
		return;
	}
	so = gw_config_find(cfg, GW_K_SERVICE, b->ns, b->name);
	if (!so) {
		b->reason = "BackendNotFound";
		b->message = gw_arena_printf(a, "Service %s/%s not found", b->ns, b->name);
		return;
	}
	s = so->u.svc;
	for (int i = 0; i < s->nports; i++) {
		if (s->ports[i].port == b->port) {
			sp = &s->ports[i];
			break;
		}
	}
	if (!sp) {
		b->reason = "BackendNotFound";
		b->message = gw_arena_printf(a, "Service %s/%s has no port %d", b->ns, b->name,
					     b->port);
		return;
	}
	b->svc = so;
	b->app_protocol = sp->app_protocol;
	if (!app_protocol_ok(ro->ki->id, sp->app_protocol)) {
		b->reason = "UnsupportedProtocol";
		b->message = gw_arena_printf(a, "Service %s/%s port %d has appProtocol %s, which "
					     "xdpgw cannot speak", b->ns, b->name, b->port,
					     sp->app_protocol);
		return;
	}
	if (collect_endpoints(cfg, s, sp, b))
		b->message = "out of memory";
}

/*
 * BackendTLSPolicy (apis/v1/backendtlspolicy_types.go): status per ancestor
 * (the Gateways whose routes use a targeted Service). Accepted when the
 * targets and validation resolve; ResolvedRefs covers caCertificateRefs.
 */
int gw_resolve_policies(struct gw_config *cfg)
{
	struct gw_arena *a = &cfg->arena;

	for (size_t i = 0; i < cfg->nby_kind[GW_K_BACKENDTLSPOLICY]; i++) {
		struct gw_obj *o = cfg->by_kind[GW_K_BACKENDTLSPOLICY][i];
		struct gw_yval *val = gw_yget(o->spec, "validation");
		struct gw_yval *cas = gw_yget(val, "caCertificateRefs");
		const char *rr = NULL, *rr_msg = NULL;

		for (size_t k = 0; k < gw_ylen(cas) && !rr; k++) {
			struct gw_yval *ref = cas->items[k];
			const char *g = gw_ygetstr(ref, "group", "");
			const char *kind = gw_ygetstr(ref, "kind", "");
			const char *name = gw_ygetstr(ref, "name", "");
			struct gw_obj *cm;
			const char *pem, *why;

			if (*g || (strcmp(kind, "ConfigMap") && strcmp(kind, "Secret"))) {
				rr = "InvalidKind";
				rr_msg = gw_arena_printf(a, "caCertificateRefs[%zu]: kind %s is not "
							 "supported; use a ConfigMap", k, kind);
				break;
			}
			cm = gw_config_find(cfg, !strcmp(kind, "Secret") ? GW_K_SECRET
									  : GW_K_CONFIGMAP,
					    o->ns, name);
			if (!cm) {
				rr = "InvalidCACertificateRef";
				rr_msg = gw_arena_printf(a, "caCertificateRefs[%zu]: %s %s/%s not "
							 "found", k, kind, o->ns, name);
				break;
			}
			pem = gw_ygetstr(gw_yget(cm->root, "data"), "ca.crt", NULL);
			if (pem && !strcmp(kind, "Secret")) {
				size_t n;

				pem = gw_base64_decode(a, pem, &n);
			}
			why = pem ? gw_tls_check_ca(pem, strlen(pem)) : "has no ca.crt key";
			if (why) {
				rr = "InvalidCACertificateRef";
				rr_msg = gw_arena_printf(a, "caCertificateRefs[%zu]: %s %s/%s %s", k,
							 kind, o->ns, name, why);
			}
		}
		o->ours = true;
		if (rr) {
			gw_cond_set(&o->conds, "Accepted", "False", "NoValidCACertificate", rr_msg);
			gw_cond_set(&o->conds, "ResolvedRefs", "False", rr, rr_msg);
		} else {
			gw_cond_set(&o->conds, "Accepted", "True", "Accepted", "Policy is accepted");
			gw_cond_set(&o->conds, "ResolvedRefs", "True", "ResolvedRefs",
				    "All references are resolved");
		}
	}
	return gw_resolve_policy_targets(cfg);
}
