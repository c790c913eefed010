// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * One reference to a kubernetes.io/tls Secret (SecretObjectReference),
 * resolved into a gw_cert: listener certificateRefs (ListenerTLSConfig)
 * and the Gateway's client certificate for backends
 * (GatewayBackendTLS.clientCertificateRef) follow the same rules: a core
 * Secret, cross-namespace only with a ReferenceGrant, type
 * kubernetes.io/tls, tls.crt and tls.key a matching PEM pair.
 */
#include <string.h>

#include "resolve_internal.h"
#include "tlscert.h"

/* Decoded data[key] (base64), else stringData[key] (merged by the API server), or NULL. */
static const char *secret_pem(struct gw_arena *a, const struct gw_obj *sec, const char *key,
			      size_t *len)
{
	const char *b64 = gw_ygetstr(gw_yget(sec->root, "data"), key, NULL);
	const char *s = b64 ? gw_base64_decode(a, b64, len) : NULL;

	if (!s && (s = gw_ygetstr(gw_yget(sec->root, "stringData"), key, NULL)))
		*len = strlen(s);
	return s;
}

void gw_resolve_cert_ref(struct gw_config *cfg, const struct gw_obj *from, const char *field,
			 const char *bad_reason, const struct gw_yval *ref, struct gw_cert *out,
			 const char **reason, const char **msg)
{
	struct gw_arena *a = &cfg->arena;
	const char *g = gw_ygetstr(ref, "group", "");
	const char *k = gw_ygetstr(ref, "kind", "Secret");
	const char *ns = gw_ygetstr(ref, "namespace", from->ns);
	const char *name = gw_ygetstr(ref, "name", "");
	const char *why, *type;
	struct gw_obj *sec;

	*reason = NULL;
	*msg = NULL;
	memset(out, 0, sizeof(*out));
	if (*g || strcmp(k, "Secret")) {
		*reason = bad_reason;
		*msg = gw_arena_printf(a, "%s: unsupported kind %s%s%s; expected a core Secret",
				       field, g, *g ? "/" : "", k);
		return;
	}
	if (strcmp(ns, from->ns) &&
	    !gw_refgrant_allows(cfg, GW_GROUP, from->ki->kind, from->ns, "", "Secret", ns, name)) {
		*reason = "RefNotPermitted";
		*msg = gw_arena_printf(a, "%s: Secret %s/%s is in another namespace and no "
				       "ReferenceGrant in %s allows it", field, ns, name, ns);
		return;
	}
	sec = gw_config_find(cfg, GW_K_SECRET, ns, name);
	if (!sec) {
		*reason = bad_reason;
		*msg = gw_arena_printf(a, "%s: Secret %s/%s not found", field, ns, name);
		return;
	}
	type = gw_ygetstr(sec->root, "type", "Opaque");
	if (strcmp(type, "kubernetes.io/tls")) {
		*reason = bad_reason;
		*msg = gw_arena_printf(a, "%s: Secret %s/%s has type %s, expected "
				       "kubernetes.io/tls", field, ns, name, type);
		return;
	}
	out->cert_pem = secret_pem(a, sec, "tls.crt", &out->cert_len);
	out->key_pem = secret_pem(a, sec, "tls.key", &out->key_len);
	if (!out->cert_pem || !out->key_pem)
		why = "tls.crt and tls.key must both be set (base64 PEM)";
	else
		why = gw_tls_check_pair(out->cert_pem, out->cert_len, out->key_pem, out->key_len);
	if (why) {
		*reason = bad_reason;
		*msg = gw_arena_printf(a, "%s: Secret %s/%s: %s", field, ns, name, why);
		return;
	}
	out->secret = sec;
}
