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
	if (!data && (sp->htpasswd = gw_ygetstr(gw_yget(sec->root, "stringData"), ".htpasswd",
						NULL))) {
		sp->htpasswd_len = strlen(sp->htpasswd);
		goto check;
	}
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
check:
	if (cfg->htpasswd_check) {
		char why[256];

		if (cfg->htpasswd_check(sp->htpasswd, sp->htpasswd_len, why, sizeof(why)))
			invalid(cfg, sp, "Invalid",
				gw_arena_printf(a, "basicAuth.users: Secret %s/%s: .htpasswd %s", ns,
						name, why));
	}
}

/*
 * apiKeyAuth.credentialRefs: Opaque Secrets, one key per client id ("If the
 * secrets have a key for a duplicated client, the first one will be used").
 */
static void resolve_apikeys(struct gw_config *cfg, struct gw_obj *o, struct gw_secpol *sp)
{
	struct gw_arena *a = &cfg->arena;
	const struct gw_yval *refs = gw_ypath(o->spec, "apiKeyAuth.credentialRefs");
	size_t cap = 0;

	for (size_t i = 0; i < gw_ylen(refs); i++) {
		const struct gw_obj *sec = gw_config_find(cfg, GW_K_SECRET,
							  gw_ygetstr(refs->items[i], "namespace", o->ns),
							  gw_ygetstr(refs->items[i], "name", ""));

		cap += sec ? gw_ylen(gw_yget(sec->root, "data")) +
				     gw_ylen(gw_yget(sec->root, "stringData"))
			   : 0;
	}
	sp->apikeys = gw_arena_alloc(a, (cap + 1) * sizeof(*sp->apikeys));
	if (!sp->apikeys) {
		invalid(cfg, sp, "Invalid", NULL);
		return;
	}
	for (size_t i = 0; i < gw_ylen(refs); i++) {
		const char *name = gw_ygetstr(refs->items[i], "name", "");
		const char *ns = gw_ygetstr(refs->items[i], "namespace", o->ns);
		const struct gw_obj *sec;
		const struct gw_yval *data;

		if (strcmp(ns, o->ns) && !gw_refgrant_allows(cfg, GW_EG_GROUP, o->ki->kind, o->ns,
							    "", "Secret", ns, name)) {
			invalid(cfg, sp, "Invalid",
				gw_arena_printf(a, "apiKeyAuth.credentialRefs[%zu]: Secret %s/%s is in "
						"another namespace and no ReferenceGrant in %s "
						"allows it", i, ns, name, ns));
			return;
		}
		if (!(sec = gw_config_find(cfg, GW_K_SECRET, ns, name))) {
			invalid(cfg, sp, "Invalid",
				gw_arena_printf(a, "apiKeyAuth.credentialRefs[%zu]: Secret %s/%s does "
						"not exist", i, ns, name));
			return;
		}
		/* data (base64), then stringData (the API server merges it into data) */
		for (int raw = 0; raw < 2; raw++) {
			data = gw_yget(sec->root, raw ? "stringData" : "data");
			for (size_t k = 0; data && data->type == GW_YMAP && k < data->n; k++) {
				struct gw_apikey *ak = &sp->apikeys[sp->napikeys];
				bool dup = false;

				for (int j = 0; j < sp->napikeys; j++)
					dup |= !strcmp(sp->apikeys[j].client, data->pairs[k].key);
				if (dup || !data->pairs[k].val->str)
					continue;
				ak->client = data->pairs[k].key;
				ak->key = raw ? data->pairs[k].val->str
					      : gw_base64_decode(a, data->pairs[k].val->str, &ak->len);
				if (raw && ak->key)
					ak->len = strlen(ak->key);
				if (!ak->key || !ak->len) {
					invalid(cfg, sp, "Invalid",
						gw_arena_printf(a, "apiKeyAuth: Secret %s/%s key %s is "
								"empty or not base64", ns, name,
								ak->client));
					return;
				}
				sp->napikeys++;
			}
		}
	}
	if (!sp->napikeys)
		invalid(cfg, sp, "Invalid", "apiKeyAuth: the credential Secrets hold no key");
}

/* jwt.providers[].localJWKS: inline, or a ConfigMap's "jwks" key (securitypolicy.go) */
static void resolve_jwks(struct gw_config *cfg, struct gw_obj *o, struct gw_secpol *sp)
{
	struct gw_arena *a = &cfg->arena;
	const struct gw_yval *ps = gw_ypath(o->spec, "jwt.providers");

	sp->jwks = gw_arena_alloc(a, (gw_ylen(ps) + 1) * sizeof(*sp->jwks));
	if (!sp->jwks) {
		invalid(cfg, sp, "Invalid", NULL);
		return;
	}
	for (size_t i = 0; i < gw_ylen(ps); i++) {
		const struct gw_yval *lj = gw_yget(ps->items[i], "localJWKS");
		const char *pname = gw_ygetstr(ps->items[i], "name", "");
		const char *text = gw_ygetstr(lj, "inline", NULL);
		char why[256];

		if (strcmp(gw_ygetstr(lj, "type", "Inline"), "Inline")) {
			const char *cm = gw_ygetstr(gw_yget(lj, "valueRef"), "name", "");
			const struct gw_obj *o2 = gw_config_find(cfg, GW_K_CONFIGMAP, o->ns, cm);
			const struct gw_yval *data = o2 ? gw_yget(o2->root, "data") : NULL;

			text = gw_ygetstr(data, "jwks", NULL);
			/* "Fallback to the first entry in the ConfigMap data" */
			if (!text && gw_ylen(data) && data->type == GW_YMAP)
				text = data->pairs[0].val->str;
			if (!text) {
				invalid(cfg, sp, "Invalid",
					gw_arena_printf(a, "jwt provider %s: ConfigMap %s/%s %s", pname,
							o->ns, cm, o2 ? "holds no JWKS" : "does not exist"));
				return;
			}
		}
		sp->jwks[sp->njwks++] = text;
		if (cfg->jwks_check && text &&
		    cfg->jwks_check(text, strlen(text), why, sizeof(why))) {
			invalid(cfg, sp, "Invalid",
				gw_arena_printf(a, "jwt provider %s: local JWKS: %s", pname, why));
			return;
		}
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
		if (gw_yget(o->spec, "jwt"))
			resolve_jwks(cfg, o, sp);
		if (gw_yget(o->spec, "apiKeyAuth"))
			resolve_apikeys(cfg, o, sp);
	}
	return 0;
}

const struct gw_secpol *gw_securitypolicy_for(const struct gw_config *cfg, const struct gw_route *r,
					      int rule, const struct gw_listener *l)
{
	const struct gw_obj *o = gw_policy_for(cfg, GW_EG_GROUP, "SecurityPolicy", r, rule, l);

	return o && o->ki->id == GW_K_SECURITYPOLICY ? o->u.secpol : NULL;
}
