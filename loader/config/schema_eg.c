// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Schemas of the Envoy Gateway kinds xdpgw enforces, read unmodified
 * (gateway.envoyproxy.io/v1alpha1, the api/v1alpha1 Go types at v1.9.0): the
 * SecurityPolicy fields the data plane implements are validated as the
 * CRD does; every other SecurityPolicy field is a load error naming it
 * (fail closed: a policy is never half enforced), see unenforced_fields.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "kinds.h"
#include "schema.h"

static const struct gw_schema s_str = { .type = GW_ST_STR };
static const struct gw_schema s_bool = { .type = GW_ST_BOOL };
static const struct gw_schema s_any = { .type = GW_ST_ANY };
static const struct gw_schema s_strmap = { .type = GW_ST_STRMAP };
static const struct gw_schema s_group = { .type = GW_ST_STR, .max_len = 253,
					  .format = gw_fmt_group };
static const struct gw_schema s_kind = { .type = GW_ST_STR, .min_len = 1, .max_len = 63,
					 .format = gw_fmt_kind };
static const struct gw_schema s_objname = { .type = GW_ST_STR, .min_len = 1, .max_len = 253 };
static const struct gw_schema s_duration = { .type = GW_ST_STR, .format = gw_fmt_duration };

static const char *str_of(const struct gw_yval *m, const char *k)
{
	return gw_ygetstr(m, k, NULL);
}

/* ---- targets (policy_helpers.go PolicyTargetReferences) ----------------- */

static const char *const target_kinds[] = { "Gateway", "ListenerSet", "HTTPRoute", "GRPCRoute",
					    "TCPRoute", NULL };

static bool in(const char *const *set, const char *s)
{
	for (; s && *set; set++)
		if (!strcmp(*set, s))
			return true;
	return false;
}

/* LocalPolicyTargetReferenceWithSectionName, as the Gateway API schemas have it */
static const struct gw_schema s_target_ref = { .type = GW_ST_OBJ,
					       .fields = gw_sfields_policy_target_ref };

/* TargetSelectorNamespaces: from Same|All|Selector (default Same) */
static const char *const ns_from[] = { "Same", "All", "Selector", NULL };

static int rule_selector_namespaces(struct gw_sctx *c, struct gw_yval *v)
{
	if (!strcmp(gw_ygetstr(v, "from", "Same"), "Selector") && !gw_yget(v, "selector")) {
		gw_schema_error(c, v, NULL, "selector must be specified when from is Selector");
		return 1;
	}
	if (strcmp(gw_ygetstr(v, "from", "Same"), "Same")) {
		gw_schema_error(c, v, "from", "only Same is enforced by xdpgw yet; remove it");
		return 1;
	}
	return 0;
}

static const struct gw_sfield selector_ns_fields[] = {
	{ "from", &(const struct gw_schema){ .type = GW_ST_STR, .enums = ns_from }, false,
	  "Same" },
	{ "selector", &s_any },
	{ NULL },
};

/* TargetSelector: "group must be gateway.networking.k8s.io" */
static int rule_target_selector(struct gw_sctx *c, struct gw_yval *v)
{
	if (strcmp(gw_ygetstr(v, "group", GW_GROUP), GW_GROUP)) {
		gw_schema_error(c, v, "group", "group must be gateway.networking.k8s.io");
		return 1;
	}
	if (!in(target_kinds, str_of(v, "kind")) || !strcmp(str_of(v, "kind"), "TCPRoute")) {
		gw_schema_error(c, v, "kind", "xdpgw enforces this policy on Gateway, ListenerSet, "
				"HTTPRoute and GRPCRoute targets");
		return 1;
	}
	return 0;
}

static const struct gw_sfield target_selector_fields[] = {
	{ "group", &s_group, false, "gateway.networking.k8s.io" },
	{ "kind", &s_kind, true },
	{ "namespaces", &(const struct gw_schema){ .type = GW_ST_OBJ, .fields = selector_ns_fields,
						    .rule = rule_selector_namespaces } },
	{ "matchLabels", &s_strmap },
	{ "matchExpressions", &(const struct gw_schema){ .type = GW_ST_ARR, .items = &s_any } },
	{ NULL },
};

/* ---- CORS (cors_types.go) ----------------------------------------------- */

/* Origin: ^(\*|[A-Za-z][A-Za-z0-9+.-]*:\/\/(\*|(\*\.)?(([\w-]+\.?)+)?[\w-]+)(:\d{1,5})?)$ */
static const char *fmt_origin(const char *s)
{
	static const char *const want = "an origin: \"*\" or scheme://host[:port], host may "
					"start with \"*.\" or be \"*\"";
	const char *p = s, *h;

	if (!strcmp(s, "*"))
		return NULL;
	if (!((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z')))
		return want;
	while (*p && *p != ':' && (isalnum((unsigned char)*p) || strchr("+.-", *p)))
		p++;
	if (strncmp(p, "://", 3))
		return want;
	h = p += 3;
	if (*p == '*' && (!p[1] || p[1] == ':')) {
		p++;
	} else {
		if (!strncmp(p, "*.", 2))
			p += 2;
		if (!*p || *p == ':')
			return want;
		while (*p && *p != ':') {
			if (!isalnum((unsigned char)*p) && *p != '_' && *p != '-' && *p != '.')
				return want;
			p++;
		}
		if (p[-1] == '.' || p == h)
			return want;
	}
	if (*p == ':') {
		size_t n = strspn(p + 1, "0123456789");

		if (n < 1 || n > 5 || p[1 + n])
			return want;
	}
	return NULL;
}

static const struct gw_schema s_strlist = { .type = GW_ST_ARR, .items = &s_str };

static const struct gw_sfield cors_fields[] = {
	{ "allowOrigins", &(const struct gw_schema){ .type = GW_ST_ARR,
						      .items = &(const struct gw_schema){
							      .type = GW_ST_STR,
							      .format = fmt_origin } } },
	{ "allowMethods", &s_strlist },
	{ "allowHeaders", &s_strlist },
	{ "exposeHeaders", &s_strlist },
	{ "maxAge", &s_duration },
	{ "allowCredentials", &s_bool },
	{ NULL },
};

/* ---- basicAuth (basic_auth_types.go) ------------------------------------ */

static int rule_secret_ref(struct gw_sctx *c, struct gw_yval *v)
{
	if (*gw_ygetstr(v, "group", "") || strcmp(gw_ygetstr(v, "kind", "Secret"), "Secret")) {
		gw_schema_error(c, v, NULL, "only a core Secret (group \"\", kind Secret) can "
				"hold the users");
		return 1;
	}
	return 0;
}

static const struct gw_sfield basic_auth_fields[] = {
	{ "users", &(const struct gw_schema){ .type = GW_ST_OBJ, .fields = gw_sfields_secret_obj_ref,
					       .rule = rule_secret_ref },
	  true },
	{ "forwardUsernameHeader", &(const struct gw_schema){ .type = GW_ST_STR, .min_len = 1,
							       .format = gw_fmt_header_name } },
	{ NULL },
};

/* ---- authorization (authorization_types.go) ----------------------------- */

static const char *const actions[] = { "Allow", "Deny", NULL };
static const char *const methods[] = { "GET", "HEAD", "POST", "PUT", "DELETE", "CONNECT",
				       "OPTIONS", "TRACE", "PATCH", NULL };
static const char *const path_types[] = { "Exact", "PathPrefix", "RegularExpression", NULL };

/* CIDR: an IPv4 or IPv6 prefix (the CRD's pattern, then a real parse) */
static const char *fmt_cidr(const char *s)
{
	char addr[INET6_ADDRSTRLEN + 1];
	const char *slash = strchr(s, '/');
	unsigned char buf[16];
	int fam, max;
	char *end;
	long len;

	if (!slash || (size_t)(slash - s) >= sizeof(addr))
		return "a CIDR such as 192.168.1.0/24 or 2001:db8::/64";
	memcpy(addr, s, (size_t)(slash - s));
	addr[slash - s] = '\0';
	fam = strchr(addr, ':') ? AF_INET6 : AF_INET;
	max = fam == AF_INET ? 32 : 128;
	len = strtol(slash + 1, &end, 10);
	if (inet_pton(fam, addr, buf) != 1 || *end || end == slash + 1 || len < 0 || len > max)
		return "a CIDR such as 192.168.1.0/24 or 2001:db8::/64";
	return NULL;
}

static const struct gw_sfield path_match_fields[] = {
	{ "type", &(const struct gw_schema){ .type = GW_ST_STR, .enums = path_types }, false,
	  "PathPrefix" },
	{ "value", &(const struct gw_schema){ .type = GW_ST_STR, .max_len = 1024 }, false, "/" },
	{ "invert", &s_bool, false, "false" },
	{ NULL },
};

static int rule_operation(struct gw_sctx *c, struct gw_yval *v)
{
	if (!gw_yget(v, "methods") && !gw_yget(v, "path")) {
		gw_schema_error(c, v, NULL, "at least one of methods or path must be specified");
		return 1;
	}
	if (gw_ygetbool(gw_yget(v, "path"), "invert", false)) {
		gw_schema_error(c, v, "path.invert", "not enforced by xdpgw yet; remove it");
		return 1;
	}
	return 0;
}

static const struct gw_sfield operation_fields[] = {
	{ "methods", &(const struct gw_schema){ .type = GW_ST_ARR,
						 .items = &(const struct gw_schema){
							 .type = GW_ST_STR, .enums = methods },
						 .min_items = 1, .max_items = 16 } },
	{ "path", &(const struct gw_schema){ .type = GW_ST_OBJ, .fields = path_match_fields } },
	{ NULL },
};

static const struct gw_sfield header_match_fields[] = {
	{ "name", &(const struct gw_schema){ .type = GW_ST_STR, .min_len = 1, .max_len = 256 },
	  true },
	{ "values", &(const struct gw_schema){ .type = GW_ST_ARR, .items = &s_str, .min_items = 1,
						.max_items = 256 },
	  true },
	{ NULL },
};

/* Principal: "at least one of clientCIDRs, jwt, headers, or clientIPGeoLocations" */
static int rule_principal(struct gw_sctx *c, struct gw_yval *v)
{
	int nerr = 0;

	if (!gw_yget(v, "clientCIDRs") && !gw_yget(v, "jwt") && !gw_yget(v, "headers") &&
	    !gw_yget(v, "clientIPGeoLocations")) {
		gw_schema_error(c, v, NULL, "at least one of clientCIDRs, jwt, headers, or "
				"clientIPGeoLocations must be specified");
		nerr++;
	}
	if (gw_yget(v, "jwt")) {
		gw_schema_error(c, gw_yget(v, "jwt"), "jwt", "not enforced by xdpgw yet (JWT "
				"claims need SecurityPolicy jwt); remove it");
		nerr++;
	}
	if (gw_yget(v, "clientIPGeoLocations")) {
		gw_schema_error(c, gw_yget(v, "clientIPGeoLocations"), "clientIPGeoLocations",
				"not enforced by xdpgw (no GeoIP database); remove it");
		nerr++;
	}
	return nerr;
}

static const struct gw_sfield principal_fields[] = {
	{ "clientCIDRs", &(const struct gw_schema){ .type = GW_ST_ARR,
						     .items = &(const struct gw_schema){
							     .type = GW_ST_STR,
							     .format = fmt_cidr },
						     .min_items = 1 } },
	{ "jwt", &s_any },
	{ "headers", &(const struct gw_schema){ .type = GW_ST_ARR,
						 .items = &(const struct gw_schema){
							 .type = GW_ST_OBJ,
							 .fields = header_match_fields },
						 .min_items = 1, .max_items = 256 } },
	{ "clientIPGeoLocations", &s_any },
	{ NULL },
};

static int rule_authz_rule(struct gw_sctx *c, struct gw_yval *v)
{
	if (gw_yget(v, "cel")) {
		gw_schema_error(c, gw_yget(v, "cel"), "cel", "not enforced by xdpgw yet (no CEL "
				"evaluator); remove it");
		return 1;
	}
	if (!gw_yget(v, "principal")) {
		gw_schema_error(c, v, NULL, "at least one of principal or cel must be specified");
		return 1;
	}
	return 0;
}

static const struct gw_sfield authz_rule_fields[] = {
	{ "name", &(const struct gw_schema){ .type = GW_ST_STR, .min_len = 1, .max_len = 253 } },
	{ "action", &(const struct gw_schema){ .type = GW_ST_STR, .enums = actions }, true },
	{ "operation", &(const struct gw_schema){ .type = GW_ST_OBJ, .fields = operation_fields,
						   .rule = rule_operation } },
	{ "principal", &(const struct gw_schema){ .type = GW_ST_OBJ, .fields = principal_fields,
						   .rule = rule_principal } },
	{ "cel", &s_any },
	{ NULL },
};

static const struct gw_sfield authorization_fields[] = {
	{ "rules", &(const struct gw_schema){ .type = GW_ST_ARR,
					       .items = &(const struct gw_schema){
						       .type = GW_ST_OBJ,
						       .fields = authz_rule_fields,
						       .rule = rule_authz_rule } } },
	{ "defaultAction", &(const struct gw_schema){ .type = GW_ST_STR, .enums = actions } },
	{ NULL },
};

/* ---- apiKeyAuth (api_key_auth_types.go) ----------------------------------- */

static const struct gw_schema s_namelist = { .type = GW_ST_ARR,
					     .items = &(const struct gw_schema){ .type = GW_ST_STR,
										 .min_len = 1 },
					     .min_items = 1 };

/* ExtractFrom: "exactly one of headers, params, or cookies must be specified" */
static int rule_extract_from(struct gw_sctx *c, struct gw_yval *v)
{
	int n = !!gw_yget(v, "headers") + !!gw_yget(v, "params") + !!gw_yget(v, "cookies");

	if (n != 1) {
		gw_schema_error(c, v, NULL, "exactly one of headers, params, or cookies must be "
				"specified");
		return 1;
	}
	return 0;
}

static const struct gw_sfield api_extract_fields[] = {
	{ "headers", &s_namelist },
	{ "params", &s_namelist },
	{ "cookies", &s_namelist },
	{ NULL },
};

static int rule_api_key_auth(struct gw_sctx *c, struct gw_yval *v)
{
	const struct gw_yval *ex = gw_yget(v, "extractFrom");

	if (!gw_ygetbool(v, "sanitize", false))
		return 0;
	for (size_t i = 0; i < gw_ylen(ex); i++) {
		if (gw_yget(ex->items[i], "params") || gw_yget(ex->items[i], "cookies")) {
			gw_schema_error(c, v, "sanitize", "is enforced for keys in headers only yet; "
					"remove it or extract from headers");
			return 1;
		}
	}
	return 0;
}

static const struct gw_sfield api_key_auth_fields[] = {
	{ "credentialRefs", &(const struct gw_schema){ .type = GW_ST_ARR,
							.items = &(const struct gw_schema){
								.type = GW_ST_OBJ,
								.fields = gw_sfields_secret_obj_ref,
								.rule = rule_secret_ref },
							.min_items = 1 },
	  true },
	{ "extractFrom", &(const struct gw_schema){ .type = GW_ST_ARR,
						     .items = &(const struct gw_schema){
							     .type = GW_ST_OBJ,
							     .fields = api_extract_fields,
							     .rule = rule_extract_from },
						     .min_items = 1 },
	  true },
	{ "forwardClientIDHeader", &(const struct gw_schema){ .type = GW_ST_STR, .min_len = 1,
							       .format = gw_fmt_header_name } },
	{ "sanitize", &s_bool },
	{ NULL },
};

/* ---- jwt (jwt_types.go) -------------------------------------------------- */

static const char *const jwks_types[] = { "Inline", "ValueRef", NULL };

static const struct gw_sfield local_ref_fields[] = {
	{ "group", &s_group, true },
	{ "kind", &s_kind, true },
	{ "name", &s_objname, true },
	{ NULL },
};

/* LocalJWKS: Inline holds the set; ValueRef a ConfigMap (key "jwks") */
static int rule_local_jwks(struct gw_sctx *c, struct gw_yval *v)
{
	bool inl = !strcmp(gw_ygetstr(v, "type", "Inline"), "Inline");
	const struct gw_yval *ref = gw_yget(v, "valueRef");

	if (inl && !gw_yget(v, "inline")) {
		gw_schema_error(c, v, NULL, "inline must be set for type Inline");
		return 1;
	}
	if (!inl && !ref) {
		gw_schema_error(c, v, NULL, "valueRef must be set for type ValueRef");
		return 1;
	}
	if (!inl && (*gw_ygetstr(ref, "group", "") ||
		     strcmp(gw_ygetstr(ref, "kind", ""), "ConfigMap"))) {
		gw_schema_error(c, ref, "valueRef", "only a core ConfigMap can hold the JWKS");
		return 1;
	}
	return 0;
}

static const struct gw_sfield local_jwks_fields[] = {
	{ "type", &(const struct gw_schema){ .type = GW_ST_STR, .enums = jwks_types }, false,
	  "Inline" },
	{ "inline", &(const struct gw_schema){ .type = GW_ST_STR, .min_len = 1 } },
	{ "valueRef", &(const struct gw_schema){ .type = GW_ST_OBJ, .fields = local_ref_fields } },
	{ NULL },
};

static const struct gw_sfield claim_to_header_fields[] = {
	{ "header", &(const struct gw_schema){ .type = GW_ST_STR, .min_len = 1,
						.format = gw_fmt_header_name },
	  true },
	{ "claim", &(const struct gw_schema){ .type = GW_ST_STR, .min_len = 1 }, true },
	{ NULL },
};

static const struct gw_sfield header_extractor_fields[] = {
	{ "name", &(const struct gw_schema){ .type = GW_ST_STR, .min_len = 1,
					      .format = gw_fmt_header_name },
	  true },
	{ "valuePrefix", &s_str },
	{ NULL },
};

static const struct gw_sfield extractor_fields[] = {
	{ "headers", &(const struct gw_schema){ .type = GW_ST_ARR,
						 .items = &(const struct gw_schema){
							 .type = GW_ST_OBJ,
							 .fields = header_extractor_fields } } },
	{ "cookies", &s_strlist },
	{ "params", &s_strlist },
	{ NULL },
};

static int rule_jwt_provider(struct gw_sctx *c, struct gw_yval *v)
{
	int nerr = 0;

	if (gw_yget(v, "remoteJWKS")) {
		gw_schema_error(c, gw_yget(v, "remoteJWKS"), "remoteJWKS", "not enforced by xdpgw "
				"yet (no JWKS fetching); use localJWKS");
		nerr++;
	} else if (!gw_yget(v, "localJWKS")) {
		gw_schema_error(c, v, NULL, "one of remoteJWKS or localJWKS must be specified");
		nerr++;
	}
	if (gw_ygetbool(v, "recomputeRoute", false)) {
		gw_schema_error(c, v, "recomputeRoute", "not enforced by xdpgw yet; remove it");
		nerr++;
	}
	return nerr;
}

static const struct gw_sfield jwt_provider_fields[] = {
	{ "name", &(const struct gw_schema){ .type = GW_ST_STR, .min_len = 1, .max_len = 253 },
	  true },
	{ "issuer", &(const struct gw_schema){ .type = GW_ST_STR, .max_len = 253 } },
	{ "audiences", &(const struct gw_schema){ .type = GW_ST_ARR, .items = &s_str,
						   .max_items = 8 } },
	{ "remoteJWKS", &s_any },
	{ "localJWKS", &(const struct gw_schema){ .type = GW_ST_OBJ, .fields = local_jwks_fields,
						   .rule = rule_local_jwks } },
	{ "claimToHeaders", &(const struct gw_schema){ .type = GW_ST_ARR,
							.items = &(const struct gw_schema){
								.type = GW_ST_OBJ,
								.fields = claim_to_header_fields } } },
	{ "recomputeRoute", &s_bool },
	{ "extractFrom", &(const struct gw_schema){ .type = GW_ST_OBJ, .fields = extractor_fields } },
	{ NULL },
};

static int rule_jwt(struct gw_sctx *c, struct gw_yval *v)
{
	if (gw_ygetbool(v, "failOpen", false)) {
		gw_schema_error(c, v, "failOpen", "not enforced by xdpgw (it never fails open); "
				"remove it");
		return 1;
	}
	return 0;
}

static const struct gw_sfield jwt_fields[] = {
	{ "optional", &s_bool },
	{ "failOpen", &s_bool },
	{ "providers", &(const struct gw_schema){ .type = GW_ST_ARR,
						   .items = &(const struct gw_schema){
							   .type = GW_ST_OBJ,
							   .fields = jwt_provider_fields,
							   .rule = rule_jwt_provider },
						   .min_items = 1, .max_items = 16,
						   .unique_key = "name" },
	  true },
	{ NULL },
};

/* ---- SecurityPolicySpec (securitypolicy_types.go) ------------------------ */

/* SecurityPolicy fields xdpgw does not enforce yet: each is a load error. */
static const char *const unenforced_fields[] = { "csrf", "oidc", "extAuth", "mergeType", NULL };

static int check_target_kind(struct gw_sctx *c, const struct gw_yval *ref, const char *path)
{
	if (strcmp(gw_ygetstr(ref, "group", ""), GW_GROUP)) {
		gw_schema_error(c, ref, path, "this policy can only have a group of "
				"gateway.networking.k8s.io");
		return 1;
	}
	if (!in(target_kinds, str_of(ref, "kind"))) {
		gw_schema_error(c, ref, path, "this policy can only have a kind of "
				"Gateway/ListenerSet/HTTPRoute/GRPCRoute/TCPRoute");
		return 1;
	}
	if (!strcmp(str_of(ref, "kind"), "TCPRoute")) {
		/* gwd enforces SecurityPolicy on HTTP; a TCPRoute's would be skipped */
		gw_schema_error(c, ref, path, "a TCPRoute target is not enforced by xdpgw yet; "
				"remove it");
		return 1;
	}
	return 0;
}

static int rule_secpol_spec(struct gw_sctx *c, struct gw_yval *v)
{
	struct gw_yval *ref = gw_yget(v, "targetRef"), *refs = gw_yget(v, "targetRefs");
	struct gw_yval *sels = gw_yget(v, "targetSelectors");
	char path[48];
	int nerr = 0;

	/* "either targetRef or targetRefs must be used" */
	if (!((ref && !refs) || (!ref && refs) || gw_ylen(sels) > 0)) {
		gw_schema_error(c, v, NULL, "either targetRef or targetRefs must be used");
		nerr++;
	}
	if (ref)
		nerr += check_target_kind(c, ref, "targetRef");
	for (size_t i = 0; i < gw_ylen(refs); i++) {
		snprintf(path, sizeof(path), "targetRefs[%zu]", i);
		nerr += check_target_kind(c, refs->items[i], path);
	}
	for (const char *const *f = unenforced_fields; *f; f++) {
		if (!gw_yget(v, *f))
			continue;
		gw_schema_error(c, gw_yget(v, *f), *f, "not enforced by xdpgw yet (it enforces "
				"cors, basicAuth, apiKeyAuth, jwt and authorization); remove it, or "
				"keep the "
				"policy out of this load");
		nerr++;
	}
	if (!gw_yget(v, "cors") && !gw_yget(v, "basicAuth") && !gw_yget(v, "jwt") &&
	    !gw_yget(v, "apiKeyAuth") && !gw_yget(v, "authorization") && !nerr) {
		gw_schema_error(c, v, NULL, "sets nothing xdpgw could enforce");
		nerr++;
	}
	return nerr;
}

static const struct gw_sfield secpol_spec_fields[] = {
	{ "targetRef", &s_target_ref },
	{ "targetRefs", &(const struct gw_schema){ .type = GW_ST_ARR, .items = &s_target_ref } },
	{ "targetSelectors", &(const struct gw_schema){ .type = GW_ST_ARR,
							.items = &(const struct gw_schema){
								.type = GW_ST_OBJ,
								.fields = target_selector_fields,
								.rule = rule_target_selector } } },
	{ "cors", &(const struct gw_schema){ .type = GW_ST_OBJ, .fields = cors_fields } },
	{ "basicAuth", &(const struct gw_schema){ .type = GW_ST_OBJ, .fields = basic_auth_fields } },
	{ "authorization", &(const struct gw_schema){ .type = GW_ST_OBJ,
						       .fields = authorization_fields } },
	{ "apiKeyAuth", &(const struct gw_schema){ .type = GW_ST_OBJ, .fields = api_key_auth_fields,
						    .rule = rule_api_key_auth } },
	{ "csrf", &s_any },
	{ "jwt", &(const struct gw_schema){ .type = GW_ST_OBJ, .fields = jwt_fields,
					     .rule = rule_jwt } },
	{ "oidc", &s_any },
	{ "extAuth", &s_any },
	{ "mergeType", &s_any },
	{ NULL },
};

const struct gw_sfield gw_fields_securitypolicy[] = {
	{ "spec", &(const struct gw_schema){ .type = GW_ST_OBJ, .fields = secpol_spec_fields,
					      .rule = rule_secpol_spec },
	  true },
	{ NULL },
};
