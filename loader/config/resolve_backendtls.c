// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * TLS from the Gateway to backends (GEP-1897):
 *
 * - which BackendTLSPolicy applies to a Service port. Policies target a
 *   Service (targetRefs; v1alpha2: targetRef), optionally one port of it
 *   by name (sectionName). "When more than one BackendTLSPolicy selects
 *   the same target and sectionName, ... the older policy by creation
 *   timestamp takes precedence ... then alphabetical order by {name}. For
 *   any BackendTLSPolicy that does not take precedence, the implementation
 *   MUST ensure the Accepted Condition is set to status: False, with
 *   Reason Conflicted" (apis/v1/backendtlspolicy_types.go). A policy for
 *   the port's name is more specific than one for the whole Service and
 *   wins over it; a loser still applies to the targets where it wins.
 *   Invalid policies take part too: "Connections using an invalid
 *   CACertificateRef MUST fail", never fall back to plaintext.
 * - the client certificate the Gateway presents to backends
 *   (GatewayBackendTLS.clientCertificateRef): a kubernetes.io/tls Secret;
 *   ResolvedRefs False with InvalidClientCertificateRef or RefNotPermitted
 *   on the Gateway when it does not resolve.
 */
#include <errno.h>
#include <string.h>

#include "resolve_internal.h"

static const struct gw_yval *target_item(const struct gw_obj *p, size_t i)
{
	const struct gw_yval *refs = gw_yget(p->spec, "targetRefs");

	if (refs)
		return i < gw_ylen(refs) ? refs->items[i] : NULL;
	return i ? NULL : gw_yget(p->spec, "targetRef");	/* v1alpha2: one target */
}

/* Older first, then by name: the policy that takes precedence compares lower. */
static int precedence(const struct gw_obj *a, const struct gw_obj *b)
{
	int c = strcmp(gw_strdef(a->created, ""), gw_strdef(b->created, ""));

	return c ? c : strcmp(a->name, b->name);
}

/* Whether target t of policy p is Service svc (core group), port section ("" = whole). */
static bool targets(const struct gw_obj *p, const struct gw_yval *t, const struct gw_obj *svc,
		    const char *section)
{
	return !*gw_ygetstr(t, "group", "") && !strcmp(gw_ygetstr(t, "kind", ""), "Service") &&
	       !strcmp(p->ns, svc->ns) && !strcmp(gw_ygetstr(t, "name", ""), svc->name) &&
	       !strcmp(gw_ygetstr(t, "sectionName", ""), section);
}

/* The policy taking precedence for (svc, section), or NULL. */
static struct gw_obj *winner(const struct gw_config *cfg, const struct gw_obj *svc,
			     const char *section)
{
	struct gw_obj *best = NULL;

	for (size_t i = 0; i < cfg->nby_kind[GW_K_BACKENDTLSPOLICY]; i++) {
		struct gw_obj *p = cfg->by_kind[GW_K_BACKENDTLSPOLICY][i];
		const struct gw_yval *t;

		for (size_t k = 0; (t = target_item(p, k)); k++)
			if (targets(p, t, svc, section) && (!best || precedence(p, best) < 0))
				best = p;
	}
	return best;
}

struct gw_obj *gw_backend_tls_policy(const struct gw_config *cfg, const struct gw_backend *b)
{
	struct gw_obj *p = NULL;

	if (!b->svc)
		return NULL;
	for (int i = 0; i < b->svc->u.svc->nports && !p; i++) {
		const struct gw_service_port *sp = &b->svc->u.svc->ports[i];

		if (sp->port == b->port && sp->name && *sp->name)
			p = winner(cfg, b->svc, sp->name);
	}
	return p ? p : winner(cfg, b->svc, "");
}

/*
 * A route attached to several Gateways has one backend per backendRef: it
 * presents the client certificate of its first Gateway that has one.
 */
static const struct gw_cert *route_client_cert(const struct gw_route *r)
{
	for (int p = 0; p < r->nparents; p++)
		if (r->parents[p].gw && r->parents[p].ours && r->parents[p].gw->client_cert)
			return r->parents[p].gw->client_cert;
	return NULL;
}

static void apply_to(const struct gw_config *cfg, const struct gw_route *r, struct gw_backend *b)
{
	b->tls_policy = gw_backend_tls_policy(cfg, b);
	if (b->tls_policy)
		b->tls_client_cert = route_client_cert(r);
}

/* Policies that lose some (Service, sectionName) they target: Accepted False / Conflicted. */
static void mark_conflicts(struct gw_config *cfg)
{
	for (size_t i = 0; i < cfg->nby_kind[GW_K_BACKENDTLSPOLICY]; i++) {
		struct gw_obj *p = cfg->by_kind[GW_K_BACKENDTLSPOLICY][i];
		const struct gw_yval *t;

		for (size_t k = 0; (t = target_item(p, k)) && !p->conflicted; k++) {
			const char *section = gw_ygetstr(t, "sectionName", "");
			const struct gw_obj *svc;
			const struct gw_obj *w;

			if (*gw_ygetstr(t, "group", "") || strcmp(gw_ygetstr(t, "kind", ""), "Service"))
				continue;
			svc = gw_config_find(cfg, GW_K_SERVICE, p->ns, gw_ygetstr(t, "name", ""));
			w = svc ? winner(cfg, svc, section) : p;
			if (w == p)
				continue;
			p->conflicted = true;
			gw_cond_set(&p->conds, "Accepted", "False", "Conflicted",
				    gw_arena_printf(&cfg->arena, "BackendTLSPolicy %s/%s takes "
						    "precedence for Service %s%s%s (older, or same age "
						    "and first by name)", w->ns, w->name, svc->name,
						    *section ? " port " : "", section));
		}
	}
}

int gw_resolve_policy_targets(struct gw_config *cfg)
{
	/* TLSRoute and TCPRoute backends get the client's bytes as they are */
	static const enum gw_kind rk[] = { GW_K_HTTPROUTE, GW_K_GRPCROUTE };

	mark_conflicts(cfg);
	for (size_t k = 0; k < sizeof(rk) / sizeof(rk[0]); k++) {
		for (size_t i = 0; i < cfg->nby_kind[rk[k]]; i++) {
			struct gw_route *r = cfg->by_kind[rk[k]][i]->u.route;

			for (int ru = 0; ru < r->nrules; ru++) {
				for (int b = 0; b < r->rules[ru].nbackends; b++)
					apply_to(cfg, r, &r->rules[ru].backends[b]);
				for (int m = 0; m < r->rules[ru].nmirrors; m++)
					apply_to(cfg, r, &r->rules[ru].mirrors[m]);
			}
		}
	}
	return 0;
}

void gw_resolve_gateway_client_certs(struct gw_config *cfg)
{
	for (size_t i = 0; i < cfg->nby_kind[GW_K_GATEWAY]; i++) {
		struct gw_obj *o = cfg->by_kind[GW_K_GATEWAY][i];
		struct gw_gateway *gw = o->u.gw;
		const struct gw_yval *ref =
			gw_yget(gw_yget(gw_yget(o->spec, "tls"), "backend"), "clientCertificateRef");
		struct gw_cert *c;

		gw->client_cert = NULL;
		gw->client_cert_reason = gw->client_cert_message = NULL;
		if (!gw->ours || !ref)
			continue;
		c = gw_arena_alloc(&cfg->arena, sizeof(*c));
		if (!c) {
			gw->client_cert_reason = "InvalidClientCertificateRef";
			gw->client_cert_message = "out of memory";
			continue;
		}
		gw_resolve_cert_ref(cfg, o, "tls.backend.clientCertificateRef",
				    "InvalidClientCertificateRef", ref, c, &gw->client_cert_reason,
				    &gw->client_cert_message);
		if (!gw->client_cert_reason)
			gw->client_cert = c;
	}
}
