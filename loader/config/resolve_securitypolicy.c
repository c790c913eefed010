// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Envoy Gateway SecurityPolicy (gateway.envoyproxy.io/v1alpha1): where it
 * attaches (policy_attach.c) and whether it can be enforced. What cannot be
 * (a missing users Secret, a cross-namespace one without a ReferenceGrant,
 * a Secret without .htpasswd) fails closed, as Envoy Gateway does: the
 * policy is Accepted=False and gwd answers its targets' requests with 500,
 * never unauthenticated (security-policy.md, "a SecurityPolicy that cannot
 * be translated ... returns 500").
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "policy_attach.h"
#include "resolve_internal.h"
#include "tlscert.h"

static void invalid(struct gw_config *cfg, struct gw_secpol *sp, const char *reason,
		    const char *msg)
{
	if (sp->invalid)
		return;	/* the first problem is the one reported */
	sp->invalid_reason = reason;
	sp->invalid = msg ? msg : "out of memory";
	(void)cfg;
}

/* basicAuth.users: a Secret with key .htpasswd (basic_auth_types.go) */
static void resolve_users(struct gw_config *cfg, struct gw_obj *o, struct gw_secpol *sp)
{
	struct gw_arena *a = &cfg->arena;
	const struct gw_yval *ref = gw_ypath(o->spec, "basicAuth.users");
	const char *name = gw_ygetstr(ref, "name", "");
	const char *ns = gw_ygetstr(ref, "namespace", o->ns);
	const struct gw_obj *sec;
	const char *data;

	if (!ref)
		return;
	if (strcmp(ns, o->ns) &&
	    !gw_refgrant_allows(cfg, GW_EG_GROUP, o->ki->kind, o->ns, "", "Secret", ns, name)) {
		invalid(cfg, sp, "Invalid",
			gw_arena_printf(a, "basicAuth.users: Secret %s/%s is in another namespace "
					"and no ReferenceGrant in %s allows it", ns, name, ns));
		return;
	}
	sec = gw_config_find(cfg, GW_K_SECRET, ns, name);
	if (!sec) {
		invalid(cfg, sp, "Invalid",
			gw_arena_printf(a, "basicAuth.users: Secret %s/%s does not exist", ns, name));
		return;
	}
	data = gw_ygetstr(gw_yget(sec->root, "data"), ".htpasswd", NULL);
	if (!data) {
		invalid(cfg, sp, "Invalid",
			gw_arena_printf(a, "basicAuth.users: Secret %s/%s has no .htpasswd key",
					ns, name));
		return;
	}
	sp->htpasswd = gw_base64_decode(a, data, &sp->htpasswd_len);
	if (!sp->htpasswd) {
		invalid(cfg, sp, "Invalid",
			gw_arena_printf(a, "basicAuth.users: Secret %s/%s: .htpasswd is not base64",
					ns, name));
		return;
	}
	if (cfg->htpasswd_check) {
		char why[256];

		if (cfg->htpasswd_check(sp->htpasswd, sp->htpasswd_len, why, sizeof(why)))
			invalid(cfg, sp, "Invalid",
				gw_arena_printf(a, "basicAuth.users: Secret %s/%s: .htpasswd %s", ns,
						name, why));
	}
}

int gw_resolve_securitypolicies(struct gw_config *cfg)
{
	for (size_t i = 0; i < cfg->nby_kind[GW_K_SECURITYPOLICY]; i++) {
		struct gw_obj *o = cfg->by_kind[GW_K_SECURITYPOLICY][i];
		struct gw_secpol *sp = gw_arena_alloc(&cfg->arena, sizeof(*sp));

		if (!sp)
			return -ENOMEM;
		sp->obj = o;
		o->u.secpol = sp;
		resolve_users(cfg, o, sp);
	}
	return 0;
}

const struct gw_secpol *gw_securitypolicy_for(const struct gw_config *cfg, const struct gw_route *r,
					      int rule, const struct gw_listener *l)
{
	const struct gw_obj *o = gw_policy_for(cfg, GW_EG_GROUP, "SecurityPolicy", r, rule, l);

	return o && o->ki->id == GW_K_SECURITYPOLICY ? o->u.secpol : NULL;
}
