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

/* One (Service, sectionName) a policy targets. */
struct target {
	const struct gw_obj *svc;
	const char *section;	/* "" = the whole Service */
	struct gw_obj *policy;
};

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

static int collect_targets(struct gw_config *cfg, struct target **out, size_t *n)
{
	size_t cap = 0;

	for (size_t i = 0; i < cfg->nby_kind[GW_K_BACKENDTLSPOLICY]; i++) {
		const struct gw_obj *p = cfg->by_kind[GW_K_BACKENDTLSPOLICY][i];

		for (size_t k = 0; target_item(p, k); k++)
			cap++;
	}
	*out = gw_arena_alloc(&cfg->arena, (cap + 1) * sizeof(**out));
	if (!*out)
		return -ENOMEM;
	*n = 0;
	for (size_t i = 0; i < cfg->nby_kind[GW_K_BACKENDTLSPOLICY]; i++) {
		struct gw_obj *p = cfg->by_kind[GW_K_BACKENDTLSPOLICY][i];
		const struct gw_yval *t;

		for (size_t k = 0; (t = target_item(p, k)); k++) {
			const struct gw_obj *svc;

			/* only core Services are targets xdpgw knows */
			if (*gw_ygetstr(t, "group", "") || strcmp(gw_ygetstr(t, "kind", ""), "Service"))
				continue;
			svc = gw_config_find(cfg, GW_K_SERVICE, p->ns, gw_ygetstr(t, "name", ""));
			if (!svc)
				continue;
			(*out)[*n].svc = svc;
			(*out)[*n].section = gw_ygetstr(t, "sectionName", "");
			(*out)[*n].policy = p;
			(*n)++;
		}
	}
	return 0;
}

/* The policy taking precedence for (svc, section) among ts, or NULL. */
static struct gw_obj *winner(const struct target *ts, size_t n, const struct gw_obj *svc,
			     const char *section)
{
	struct gw_obj *best = NULL;

	for (size_t i = 0; i < n; i++)
		if (ts[i].svc == svc && !strcmp(ts[i].section, section) &&
		    (!best || precedence(ts[i].policy, best) < 0))
			best = ts[i].policy;
	return best;
}

static const char *port_name(const struct gw_obj *svc, int port)
{
	for (int i = 0; i < svc->u.svc->nports; i++)
		if (svc->u.svc->ports[i].port == port)
			return svc->u.svc->ports[i].name;
	return NULL;
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

static void apply_to(const struct target *ts, size_t n, const struct gw_route *r,
		     struct gw_backend *b)
{
	const char *pn;

	if (!b->svc)
		return;
	pn = port_name(b->svc, b->port);
	b->tls_policy = pn && *pn ? winner(ts, n, b->svc, pn) : NULL;
	if (!b->tls_policy)
		b->tls_policy = winner(ts, n, b->svc, "");
	if (b->tls_policy)
		b->tls_client_cert = route_client_cert(r);
}

int gw_resolve_policy_targets(struct gw_config *cfg)
{
	/* TLSRoute and TCPRoute backends get the client's bytes as they are */
	static const enum gw_kind rk[] = { GW_K_HTTPROUTE, GW_K_GRPCROUTE };
	struct target *ts;
	size_t n;

	if (collect_targets(cfg, &ts, &n))
		return -ENOMEM;
	for (size_t i = 0; i < n; i++) {
		struct gw_obj *w = winner(ts, n, ts[i].svc, ts[i].section);

		if (w == ts[i].policy || ts[i].policy->conflicted)
			continue;
		ts[i].policy->conflicted = true;
		gw_cond_set(&ts[i].policy->conds, "Accepted", "False", "Conflicted",
			    gw_arena_printf(&cfg->arena, "BackendTLSPolicy %s/%s takes precedence "
					    "for Service %s%s%s (older, or same age and first by "
					    "name)", w->ns, w->name, ts[i].svc->name,
					    *ts[i].section ? " port " : "", ts[i].section));
	}
	for (size_t k = 0; k < sizeof(rk) / sizeof(rk[0]); k++) {
		for (size_t i = 0; i < cfg->nby_kind[rk[k]]; i++) {
			struct gw_route *r = cfg->by_kind[rk[k]][i]->u.route;

			for (int ru = 0; ru < r->nrules; ru++) {
				for (int b = 0; b < r->rules[ru].nbackends; b++)
					apply_to(ts, n, r, &r->rules[ru].backends[b]);
				for (int m = 0; m < r->rules[ru].nmirrors; m++)
					apply_to(ts, n, r, &r->rules[ru].mirrors[m]);
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
