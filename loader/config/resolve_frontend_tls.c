// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Client certificate validation of HTTPS listeners: Gateway spec.tls.frontend
 * (GatewayTLSConfig.Frontend, FrontendTLSConfig, TLSPortConfig and
 * FrontendTLSValidation in apis/v1/gateway_types.go, GEP-91).
 *
 * "PerPort ... overrides the default configuration for all Listeners
 * handling HTTPS traffic that match this port", so a perPort entry without
 * validation turns validation off on its port. Only HTTPS listeners are
 * concerned; TLS listeners (TLSRoute) are not.
 */
#include <errno.h>
#include <string.h>

#include "resolve_internal.h"
#include "tlscert.h"

/* The TLSConfig that applies to port, and the path it was written at (for messages). */
static struct gw_yval *frontend_for_port(const struct gw_gateway *gw, int port,
					 struct gw_arena *a, const char **where)
{
	struct gw_yval *fe = gw_ypath(gw->obj->spec, "tls.frontend");
	struct gw_yval *per = gw_yget(fe, "perPort");

	for (size_t i = 0; i < gw_ylen(per); i++) {
		if (gw_ygetint(per->items[i], "port", 0) == port) {
			*where = gw_arena_printf(a, "spec.tls.frontend.perPort[%zu].tls", i);
			return gw_yget(per->items[i], "tls");
		}
	}
	*where = "spec.tls.frontend.default";
	return gw_yget(fe, "default");
}

struct ca_ref_result {
	const char *reason;	/* NULL when the reference is valid */
	const char *msg;
	const char *pem;
};

/*
 * One caCertificateRef (FrontendTLSValidation.CACertificateRefs): Core is a
 * ConfigMap with the bundle under ca.crt; another kind is
 * InvalidCACertificateKind, one that does not resolve or holds no
 * certificate InvalidCACertificateRef, another namespace without a
 * ReferenceGrant RefNotPermitted.
 */
static struct ca_ref_result resolve_ca_ref(struct gw_config *cfg, const struct gw_obj *gwo,
					   const struct gw_yval *ref, const char *where)
{
	struct gw_arena *a = &cfg->arena;
	const char *g = gw_ygetstr(ref, "group", "");
	const char *k = gw_ygetstr(ref, "kind", "");
	const char *ns = gw_ygetstr(ref, "namespace", gwo->ns);
	const char *name = gw_ygetstr(ref, "name", "");
	struct ca_ref_result r = { 0 };
	struct gw_obj *cm;
	const char *why;

	if (*g || strcmp(k, "ConfigMap")) {
		r.reason = "InvalidCACertificateKind";
		r.msg = gw_arena_printf(a, "%s: kind %s%s%s is not supported; expected a core "
					"ConfigMap", where, g, *g ? "/" : "", k);
		return r;
	}
	if (strcmp(ns, gwo->ns) &&
	    !gw_refgrant_allows(cfg, GW_GROUP, "Gateway", gwo->ns, "", "ConfigMap", ns, name)) {
		r.reason = "RefNotPermitted";
		r.msg = gw_arena_printf(a, "%s: ConfigMap %s/%s is in another namespace and no "
					"ReferenceGrant in %s allows it", where, ns, name, ns);
		return r;
	}
	cm = gw_config_find(cfg, GW_K_CONFIGMAP, ns, name);
	r.pem = cm ? gw_ygetstr(gw_yget(cm->root, "data"), "ca.crt", NULL) : NULL;
	if (!cm)
		why = "not found";
	else if (!r.pem)
		why = "has no ca.crt key";
	else
		why = gw_tls_check_ca(r.pem, strlen(r.pem));
	if (why) {
		r.reason = "InvalidCACertificateRef";
		r.msg = gw_arena_printf(a, "%s: ConfigMap %s/%s %s", where, ns, name, why);
		r.pem = NULL;
	}
	return r;
}

/* RefNotPermitted outranks the other reasons; otherwise the first problem is reported. */
static void keep_worst(const struct ca_ref_result *r, const char **reason, const char **msg)
{
	if (!r->reason)
		return;
	if (!*reason || (!strcmp(r->reason, "RefNotPermitted") &&
			 strcmp(*reason, "RefNotPermitted"))) {
		*reason = r->reason;
		*msg = r->msg;
	}
}

int gw_resolve_client_validation(struct gw_config *cfg, struct gw_listener *l,
				 const char **reason, const char **msg)
{
	struct gw_arena *a = &cfg->arena;
	const char *where;
	struct gw_yval *val, *refs;
	struct gw_client_validation *cv;
	size_t n;

	*reason = NULL;
	l->client_validation = NULL;
	if (l->proto != GW_PROTO_HTTPS || !l->gw)
		return 0;
	val = gw_yget(frontend_for_port(l->gw, l->port, a, &where), "validation");
	if (!val)
		return 0;
	refs = gw_yget(val, "caCertificateRefs");
	n = gw_ylen(refs);
	cv = gw_arena_alloc(a, sizeof(*cv));
	if (!cv)
		return -ENOMEM;
	cv->insecure_fallback = !strcmp(gw_ygetstr(val, "mode", "AllowValidOnly"),
					"AllowInsecureFallback");
	cv->ca_pem = "";
	for (size_t i = 0; i < n; i++) {
		const char *ref_where = gw_arena_printf(a, "%s.validation.caCertificateRefs[%zu]",
							where, i);
		struct ca_ref_result r = resolve_ca_ref(cfg, l->gw->obj, refs->items[i], ref_where);

		if (!ref_where || (r.reason && !r.msg))
			return -ENOMEM;
		keep_worst(&r, reason, msg);
		if (!r.pem)
			continue;
		/* PEM blocks are self-delimiting; the newline keeps a bundle without one apart */
		cv->ca_pem = gw_arena_printf(a, "%s%s\n", cv->ca_pem, r.pem);
		if (!cv->ca_pem)
			return -ENOMEM;
	}
	cv->ca_len = strlen(cv->ca_pem);
	if (!cv->ca_len && !*reason) {
		/* unreachable through the schema (MinItems=1), kept so msg is always set */
		*reason = "InvalidCACertificateRef";
		*msg = gw_arena_printf(a, "%s.validation has no caCertificateRefs", where);
	}
	if (!cv->ca_len) {
		/*
		 * "If ALL CACertificateRefs are invalid, the implementation MUST
		 * also ensure the Accepted condition on the listener is set to
		 * status: False, with the Reason NoValidCACertificate": the
		 * listener is not served rather than served without validation.
		 */
		gw_cond_set(&l->conds, "Accepted", "False", "NoValidCACertificate",
			    gw_arena_printf(a, "no caCertificateRef of %s.validation is valid: %s",
					    where, *msg));
		l->valid = false;
		return 0;
	}
	l->client_validation = cv;
	return 0;
}

/*
 * Gateway condition InsecureFrontendValidationMode: True with reason
 * ConfigurationChanged while the default or a perPort entry says
 * AllowInsecureFallback, absent otherwise.
 */
void gw_frontend_tls_gateway_conds(struct gw_config *cfg, struct gw_gateway *gw)
{
	struct gw_yval *fe = gw_ypath(gw->obj->spec, "tls.frontend");
	struct gw_yval *per = gw_yget(fe, "perPort");
	const char *where = NULL;

	if (!strcmp(gw_ygetstr(gw_ypath(fe, "default.validation"), "mode", ""),
		    "AllowInsecureFallback"))
		where = "spec.tls.frontend.default";
	for (size_t i = 0; i < gw_ylen(per) && !where; i++)
		if (!strcmp(gw_ygetstr(gw_ypath(per->items[i], "tls.validation"), "mode", ""),
			    "AllowInsecureFallback"))
			where = gw_arena_printf(&cfg->arena, "spec.tls.frontend.perPort[%zu] (port "
						"%lld)", i, gw_ygetint(per->items[i], "port", 0));
	if (where)
		gw_cond_set(&gw->conds, "InsecureFrontendValidationMode", "True",
			    "ConfigurationChanged",
			    gw_arena_printf(&cfg->arena, "%s accepts clients without a valid "
					    "certificate (mode AllowInsecureFallback)", where));
}
