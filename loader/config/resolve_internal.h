/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* Declarations shared by the resolution passes (build, gateway, route, backend, status). */
#ifndef GW_RESOLVE_INTERNAL_H
#define GW_RESOLVE_INTERNAL_H

#include "model.h"

/* build.c: typed views of validated trees */
int gw_build_views(struct gw_config *cfg);
enum gw_proto gw_proto_parse(const char *s);
int gw_build_listeners(struct gw_config *cfg, struct gw_obj *owner, struct gw_gateway *gw,
		       struct gw_yval *list, struct gw_listener **out, int *nout);

/* resolve_gateway.c */
int gw_resolve_classes(struct gw_config *cfg);
int gw_resolve_gateways(struct gw_config *cfg);
void gw_finish_gateways(struct gw_config *cfg);

/* listener_tls_options.c: Accepted False / UnsupportedValue for options xdpgw cannot apply */
void gw_check_listener_tls_options(struct gw_config *cfg, struct gw_listener *l);
/* resolve_frontend_tls.c */
int gw_resolve_client_validation(struct gw_config *cfg, struct gw_listener *l,
				 const char **reason, const char **msg);
void gw_frontend_tls_gateway_conds(struct gw_config *cfg, struct gw_gateway *gw);

/* resolve_route.c */
int gw_resolve_routes(struct gw_config *cfg);

/*
 * route_rules.c: gw_check_route_rules marks the rules no data plane
 * implements (and backendRefs to unsupported appProtocols, before
 * ResolvedRefs is set); gw_route_rules_status, once attachment is final,
 * sets PartiallyInvalid or Accepted False on the parents that accepted r.
 */
int gw_check_route_rules(struct gw_config *cfg, struct gw_route *r);
int gw_route_rules_status(struct gw_config *cfg, struct gw_route *r);

/* resolve_backend.c */
bool gw_refgrant_allows(struct gw_config *cfg, const char *from_group, const char *from_kind,
			const char *from_ns, const char *to_group, const char *to_kind,
			const char *to_ns, const char *to_name);
void gw_resolve_backend(struct gw_config *cfg, struct gw_route *r, struct gw_backend *b);
int gw_resolve_policies(struct gw_config *cfg);

/* resolve_cert.c */
/**
 * Resolves ref (a SecretObjectReference written in from, named field in
 * messages) into out. On failure *reason is bad_reason or RefNotPermitted
 * and *msg says why; else both are NULL and out->secret is set.
 */
void gw_resolve_cert_ref(struct gw_config *cfg, const struct gw_obj *from, const char *field,
			 const char *bad_reason, const struct gw_yval *ref, struct gw_cert *out,
			 const char **reason, const char **msg);

/* resolve_backendtls.c */
/** Gateway spec.tls.backend.clientCertificateRef of every Gateway of ours. */
void gw_resolve_gateway_client_certs(struct gw_config *cfg);
/**
 * BackendTLSPolicy precedence per targeted Service (and sectionName): the
 * losers get Accepted False Conflicted; every route backendRef learns the
 * policy that applies to its Service port (gw_backend.tls_policy).
 */
int gw_resolve_policy_targets(struct gw_config *cfg);
/** The BackendTLSPolicy that applies to backendRef b's Service port (by precedence), or NULL. */
struct gw_obj *gw_backend_tls_policy(const struct gw_config *cfg, const struct gw_backend *b);

/* resolve_unenforced.c */
#define GW_COND_POLICY_ENFORCED "xdpgw.io/PolicyEnforced"
/**
 * Every accepted GW_K_UNENFORCED policy gets PolicyEnforced=False, and each
 * route it targets (directly, or through a targeted Gateway and optional
 * sectionName) gets the same condition on every parent status of ours.
 */
int gw_mark_unenforced(struct gw_config *cfg);
/* resolve_securitypolicy.c */
int gw_resolve_securitypolicies(struct gw_config *cfg);
/** Where the route/Gateway-targeting policies attach (unenforced and SecurityPolicy). */
int gw_resolve_attachments(struct gw_config *cfg);

/* status.c */
void gw_cond_set(struct gw_conds *c, const char *type, const char *status, const char *reason,
		 const char *message);
const struct gw_cond *gw_cond_get(const struct gw_conds *c, const char *type);
int gw_build_status(struct gw_config *cfg, const struct gw_config *prev);

void gw_nscache_free(struct gw_nscache *c);

/* helpers */
static inline const char *gw_strdef(const char *s, const char *def)
{
	return s ? s : def;
}

#endif
