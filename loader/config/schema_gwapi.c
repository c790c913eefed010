// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Structural schemas of the Gateway API kinds, transcribed from the
 * kubebuilder markers of the v1.6 Go types (sigs.k8s.io/gateway-api/apis/v1,
 * plus the older apis/v1alpha2 shapes still served): the experimental
 * channel, i.e. every standard field plus the experimental ones, with their
 * limits, defaults and the CRDs' CEL rules (x-kubernetes-validations), each
 * a rule function that reports the CEL rule's own message. Every Gateway API
 * object is closed: an unknown field is an error, as in the API server.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <stdint.h>
#include <string.h>
#include <strings.h>

#include "kinds.h"

/* ---- helpers ------------------------------------------------------------ */

static const char *sget(const struct gw_yval *o, const char *key)
{
	return gw_ygetstr(o, key, NULL);
}

static bool has(const struct gw_yval *o, const char *key)
{
	return gw_yget(o, key) != NULL;
}

static bool streq(const char *a, const char *b)
{
	return a && b && !strcmp(a, b);
}

/* CEL `!has(x) || x == ''` */
static bool unset_or_empty(const char *s)
{
	return !s || !*s;
}

/* Reports msg at v[i] (plus sub), the element that makes a list rule fail. */
static int item_err(struct gw_sctx *c, const struct gw_yval *list, size_t i, const char *sub,
		    const char *msg)
{
	size_t mark = gw_sctx_push(c, "[%zu]", i);

	gw_schema_error(c, list->items[i], sub, "%s", msg);
	gw_sctx_pop(c, mark);
	return 1;
}

/* +listType=set: items must be distinct. */
static int set_dups(struct gw_sctx *c, const struct gw_yval *v)
{
	int nerr = 0;

	for (size_t i = 1; i < v->n; i++) {
		for (size_t j = 0; j < i; j++) {
			const struct gw_yval *it = v->items[i];
			size_t mark;

			if (!gw_yequal(it, v->items[j]))
				continue;
			mark = gw_sctx_push(c, "[%zu]", i);
			if (it->type == GW_YSTR)
				gw_schema_error(c, it, NULL, "Duplicate value: \"%s\"", it->str);
			else
				gw_schema_error(c, it, NULL, "Duplicate value: %s",
						it->str ? it->str : "object");
			gw_sctx_pop(c, mark);
			nerr++;
			break;
		}
	}
	return nerr;
}

static int rule_set(struct gw_sctx *c, struct gw_yval *v)
{
	return set_dups(c, v);
}

/* map[K]V limits: maxProperties and the values' maxLength. */
static int strmap_limits(struct gw_sctx *c, const struct gw_yval *v, unsigned max_props,
			 unsigned max_len)
{
	int nerr = 0;

	if (v->n > max_props) {
		gw_schema_error(c, v, NULL, "Too many: %u: must have at most %u items", v->n,
				max_props);
		return 1;
	}
	for (size_t i = 0; i < v->n; i++) {
		if (strlen(v->pairs[i].val->str) > max_len) {
			gw_schema_error(c, v->pairs[i].val, v->pairs[i].key,
					"Too long: may not be more than %u bytes", max_len);
			nerr++;
		}
	}
	return nerr;
}


static bool is_ip(const char *s)
{
	unsigned char buf[16];

	return inet_pton(AF_INET, s, buf) == 1 || inet_pton(AF_INET6, s, buf) == 1;
}

/*
 * Annotation/label key as the infrastructure CEL rules match it:
 * ^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/)?
 * ([A-Za-z0-9][-A-Za-z0-9_.]{0,61})?[A-Za-z0-9]$
 */
static bool qualified_key_ok(const char *k)
{
	const char *slash = strchr(k, '/');
	const char *name = slash ? slash + 1 : k;
	size_t n = strlen(name);

	if (slash && !gw_rfc1123_subdomain(k, (size_t)(slash - k)))
		return false;
	if (!n || n > 63 || !isalnum((unsigned char)name[0]) ||
	    !isalnum((unsigned char)name[n - 1]))
		return false;
	for (size_t i = 0; i < n; i++)
		if (!isalnum((unsigned char)name[i]) && !strchr("-_.", name[i]))
			return false;
	return true;
}

/* ---- formats ------------------------------------------------------------ */

/*
 * ProtocolType (apis/v1/gateway_types.go), MinLength=1, MaxLength=255:
 *   ^[a-zA-Z0-9]([-a-zA-Z0-9]*[a-zA-Z0-9])?$|
 *   [a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/[A-Za-z0-9]+$
 * The second alternative is not anchored at the start, so it holds when the
 * value ends in "<lowercase alnum>/<alnum>+".
 */
static const char *fmt_protocol(const char *s)
{
	size_t n = strlen(s);
	const char *slash = strrchr(s, '/');
	bool ok = n && isalnum((unsigned char)s[0]) && isalnum((unsigned char)s[n - 1]);

	for (size_t i = 0; ok && i < n; i++)
		ok = isalnum((unsigned char)s[i]) || s[i] == '-';
	if (ok)
		return NULL;
	if (slash && slash > s && gw_rfc1123_label(slash - 1, 1) && slash[1]) {
		for (ok = true, slash++; *slash; slash++)
			ok = ok && isalnum((unsigned char)*slash);
		if (ok)
			return NULL;
	}
	return "expected a protocol such as HTTP, HTTPS, TLS, TCP, UDP or a domain-prefixed "
	       "name such as example.com/proto";
}

/*
 * AddressType (apis/v1/shared_types.go), MinLength=1, MaxLength=253:
 *   ^Hostname|IPAddress|NamedAddress|
 *   [a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*
 *   \/[A-Za-z0-9\/\-._~%!$&'()*+,;=:]+$
 * Only the first alternative is anchored at the start and only the last at
 * the end, as the API server's regex engine reads it.
 */
static const char *fmt_address_type(const char *s)
{
	if (!strncmp(s, "Hostname", 8) || strstr(s, "IPAddress") || strstr(s, "NamedAddress"))
		return NULL;
	for (const char *sl = strchr(s, '/'); sl; sl = strchr(sl + 1, '/')) {
		const char *p = sl + 1;

		if (sl == s || !gw_rfc1123_label(sl - 1, 1) || !*p)
			continue;
		while (*p && (isalnum((unsigned char)*p) || strchr("/-._~%!$&'()*+,;=:", *p)))
			p++;
		if (!*p)
			return NULL;
	}
	return "expected IPAddress, Hostname, NamedAddress or a domain-prefixed type such as "
	       "example.com/address-type";
}

/*
 * CORSOrigin (apis/v1/shared_types.go), MinLength=1, MaxLength=253:
 * (^\*$)|(^(http(s)?):\/\/(((\*\.)?([a-zA-Z0-9\-]+\.)*[a-zA-Z0-9-]+|\*)(:([0-9]{1,5}))?)$)
 */
static const char *fmt_cors_origin(const char *s)
{
	const char *p;
	size_t digits = 0;

	if (!strcmp(s, "*"))
		return NULL;
	if (!strncmp(s, "http://", 7))
		p = s + 7;
	else if (!strncmp(s, "https://", 8))
		p = s + 8;
	else
		goto bad;
	if (*p == '*' && (!p[1] || p[1] == ':')) {
		p++;
	} else {
		if (p[0] == '*' && p[1] == '.')
			p += 2;
		for (;;) {
			const char *start = p;

			while (isalnum((unsigned char)*p) || *p == '-')
				p++;
			if (p == start)
				goto bad;
			if (*p != '.')
				break;
			p++;
		}
	}
	if (*p == ':') {
		for (p++; isdigit((unsigned char)*p); p++)
			digits++;
		if (!digits || digits > 5)
			goto bad;
	}
	if (!*p)
		return NULL;
bad:
	return "expected \"*\" or an origin such as https://example.com, https://*.example.com "
	       "or http://example.com:8080";
}

/*
 * AbsoluteURI (apis/v1/shared_types.go), MinLength=1, MaxLength=253:
 * ^(([^:/?#]+):)(//([^/?#]*))([^?#]*)(\?([^#]*))?(#(.*))? -- a scheme and an
 * authority; the unanchored end accepts anything after them.
 */
static const char *fmt_absolute_uri(const char *s)
{
	size_t n = strcspn(s, ":/?#");

	if (n && s[n] == ':' && s[n + 1] == '/' && s[n + 2] == '/')
		return NULL;
	return "expected an absolute URI with a scheme and an authority, such as "
	       "spiffe://cluster.local/ns/default/sa/backend";
}

/*
 * HTTPHeader/HTTPHeaderMatch value, experimental channel:
 * ^[!-~]+([\t ]?[!-~]+)*$ -- printable US-ASCII, optionally separated by
 * single tabs or spaces.
 */
static const char *fmt_header_value(const char *s)
{
	bool sep = true;

	for (const char *p = s; *p; p++) {
		if (*p >= '!' && *p <= '~') {
			sep = false;
		} else if ((*p == ' ' || *p == '\t') && !sep) {
			sep = true;
		} else {
			sep = true;
			break;
		}
	}
	if (sep)
		return "must consist of printable US-ASCII characters, optionally separated by "
		       "single tabs or spaces";
	return NULL;
}

/* ^(?:[-A-Za-z0-9/._~!$&'()*+,;=:@]|[%][0-9a-fA-F]{2})+$ */
static bool path_chars_ok(const char *s)
{
	if (!*s)
		return false;
	for (const char *p = s; *p; p++) {
		if (*p == '%') {
			if (!isxdigit((unsigned char)p[1]) || !isxdigit((unsigned char)p[2]))
				return false;
			p += 2;
		} else if (!isalnum((unsigned char)*p) && !strchr("-/._~!$&'()*+,;=:@", *p)) {
			return false;
		}
	}
	return true;
}

/* HTTPAuthConfig.path: Pattern="^(?:[-A-Za-z0-9/._~!$&'()*+,;=:@]|[%][0-9a-fA-F]{2})+$" */
static const char *fmt_path_chars(const char *s)
{
	return path_chars_ok(s) ? NULL
				: "must only contain valid characters (matching "
				  "^(?:[-A-Za-z0-9/._~!$&'()*+,;=:@]|[%][0-9a-fA-F]{2})+$)";
}

/* ---- primitive types (apis/v1/shared_types.go) -------------------------- */

static const struct gw_schema s_str = { .type = GW_ST_STR };
static const struct gw_schema s_bool = { .type = GW_ST_BOOL };
/* Group: MaxLength=253, ^$|^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$ */
static const struct gw_schema s_group = { .type = GW_ST_STR, .max_len = 253,
					  .format = gw_fmt_group };
/* Kind: MinLength=1, MaxLength=63, ^[a-zA-Z]([-a-zA-Z0-9]*[a-zA-Z0-9])?$ */
static const struct gw_schema s_kind = { .type = GW_ST_STR, .min_len = 1, .max_len = 63,
					 .format = gw_fmt_kind };
/* ObjectName: MinLength=1, MaxLength=253 */
static const struct gw_schema s_objname = { .type = GW_ST_STR, .min_len = 1, .max_len = 253 };
/* Namespace: MinLength=1, MaxLength=63, ^[a-z0-9]([-a-z0-9]*[a-z0-9])?$ */
static const struct gw_schema s_namespace = { .type = GW_ST_STR, .min_len = 1, .max_len = 63,
					      .format = gw_fmt_dns_label };
/* SectionName: MinLength=1, MaxLength=253, RFC 1123 subdomain pattern */
static const struct gw_schema s_section = { .type = GW_ST_STR, .min_len = 1, .max_len = 253,
					    .format = gw_fmt_section_name };
/* PortNumber: Minimum=1, Maximum=65535 */
static const struct gw_schema s_port = { .type = GW_ST_INT, .has_range = true, .min = 1,
					 .max = 65535 };
/* Hostname: MinLength=1, MaxLength=253, ^(\*\.)?[a-z0-9]...$ */
static const struct gw_schema s_hostname = { .type = GW_ST_STR, .min_len = 1, .max_len = 253,
					     .format = gw_fmt_hostname };
/* PreciseHostname: MinLength=1, MaxLength=253, no wildcard */
static const struct gw_schema s_precise_hostname = { .type = GW_ST_STR, .min_len = 1,
						     .max_len = 253,
						     .format = gw_fmt_precise_hostname };
/* GatewayController: MinLength=1, MaxLength=253, domain-prefixed path */
static const struct gw_schema s_controller = { .type = GW_ST_STR, .min_len = 1, .max_len = 253,
					       .format = gw_fmt_controller_name };
/* HeaderName / HTTPHeaderName / GRPCHeaderName: MinLength=1, MaxLength=256, RFC 7230 token */
static const struct gw_schema s_header_name = { .type = GW_ST_STR, .min_len = 1,
						.max_len = 256,
						.format = gw_fmt_header_name };
/* Duration: ^([0-9]{1,5}(h|m|s|ms)){1,4}$ (GEP-2257) */
static const struct gw_schema s_duration = { .type = GW_ST_STR, .format = gw_fmt_duration };
/* AbsoluteURI: MinLength=1, MaxLength=253 */
static const struct gw_schema s_absolute_uri = { .type = GW_ST_STR, .min_len = 1,
						 .max_len = 253, .format = fmt_absolute_uri };
/* AddressType: MinLength=1, MaxLength=253 */
static const struct gw_schema s_address_type = { .type = GW_ST_STR, .min_len = 1,
						 .max_len = 253, .format = fmt_address_type };
/* ProtocolType: MinLength=1, MaxLength=255 */
static const struct gw_schema s_protocol = { .type = GW_ST_STR, .min_len = 1, .max_len = 255,
					     .format = fmt_protocol };

/* Defaults (+kubebuilder:default), one string per distinct snippet. */
static const char DEF_GROUP[] = GW_GROUP;
static const char DEF_CORE_GROUP[] = "\"\"";
static const char DEF_KIND_GATEWAY[] = "Gateway";
static const char DEF_KIND_SERVICE[] = "Service";
static const char DEF_KIND_SECRET[] = "Secret";
static const char DEF_WEIGHT[] = "1";
static const char DEF_EXACT[] = "Exact";

/* ---- metav1.LabelSelector ------------------------------------------------ */

static const char *const e_selector_op[] = { "In", "NotIn", "Exists", "DoesNotExist", NULL };

static const struct gw_schema s_label_key = { .type = GW_ST_STR, .format = gw_fmt_label_key };
static const struct gw_schema s_selector_op = { .type = GW_ST_STR, .enums = e_selector_op };

/*
 * LabelSelectorRequirement (apimachinery ValidateLabelSelectorRequirement):
 * values must be non-empty for In/NotIn and empty for Exists/DoesNotExist.
 */
static int rule_selector_req(struct gw_sctx *c, struct gw_yval *v)
{
	const char *op = sget(v, "operator");
	size_t n = gw_ylen(gw_yget(v, "values"));

	if ((streq(op, "In") || streq(op, "NotIn")) && !n) {
		gw_schema_error(c, v, "values",
				"Required value: must be specified when `operator` is 'In' or "
				"'NotIn'");
		return 1;
	}
	if ((streq(op, "Exists") || streq(op, "DoesNotExist")) && n) {
		gw_schema_error(c, gw_yget(v, "values"), "values",
				"Forbidden: may not be specified when `operator` is 'Exists' or "
				"'DoesNotExist'");
		return 1;
	}
	return 0;
}

static const struct gw_sfield selector_req_fields[] = {
	{ "key", &s_label_key, true },
	{ "operator", &s_selector_op, true },
	{ "values", &(const struct gw_schema){ .type = GW_ST_ARR, .items = &s_str } },
	{ NULL },
};

static const struct gw_schema s_selector_req = { .type = GW_ST_OBJ,
						 .fields = selector_req_fields,
						 .rule = rule_selector_req };

/* matchLabels: label keys and values, as the selector parser requires them */
static int rule_match_labels(struct gw_sctx *c, struct gw_yval *v)
{
	int nerr = 0;
	const char *why;

	for (size_t i = 0; i < v->n; i++) {
		const struct gw_ypair *p = &v->pairs[i];

		if ((why = gw_fmt_label_key(p->key)) ||
		    (why = gw_fmt_label_value(p->val->str))) {
			gw_schema_error(c, p->val, p->key, "Invalid value: \"%s\": %s",
					p->val->str, why);
			nerr++;
		}
	}
	return nerr;
}

static const struct gw_sfield label_selector_fields[] = {
	{ "matchExpressions",
	  &(const struct gw_schema){ .type = GW_ST_ARR, .items = &s_selector_req } },
	{ "matchLabels", &(const struct gw_schema){ .type = GW_ST_STRMAP,
						     .rule = rule_match_labels } },
	{ NULL },
};

static const struct gw_schema s_label_selector = { .type = GW_ST_OBJ,
						   .fields = label_selector_fields };

/* ---- references (apis/v1/object_reference_types.go, shared_types.go) ---- */

/* ParentReference (apis/v1/shared_types.go) */
static const struct gw_sfield parent_ref_fields[] = {
	{ "group", &s_group, .def = DEF_GROUP },
	{ "kind", &s_kind, .def = DEF_KIND_GATEWAY },
	{ "namespace", &s_namespace },
	{ "name", &s_objname, true },
	{ "sectionName", &s_section },
	{ "port", &s_port },
	{ NULL },
};

static const struct gw_schema s_parent_ref = { .type = GW_ST_OBJ, .fields = parent_ref_fields };

static bool same_parent(const struct gw_yval *a, const struct gw_yval *b)
{
	const char *na = sget(a, "namespace"), *nb = sget(b, "namespace");

	return streq(sget(a, "group"), sget(b, "group")) &&
	       streq(sget(a, "kind"), sget(b, "kind")) &&
	       streq(sget(a, "name"), sget(b, "name")) &&
	       ((unset_or_empty(na) && unset_or_empty(nb)) || streq(na, nb));
}

static bool port_unset(const struct gw_yval *p)
{
	return gw_ygetint(p, "port", 0) == 0;
}

/*
 * CommonRouteSpec.parentRefs (apis/v1/shared_types.go), experimental channel:
 *   "sectionName or port must be specified when parentRefs includes 2 or more
 *    references to the same parent"
 *   "sectionName or port must be unique when parentRefs includes 2 or more
 *    references to the same parent"
 */
static int rule_parent_refs(struct gw_sctx *c, struct gw_yval *v)
{
	int nerr = 0;

	for (size_t j = 1; j < v->n; j++) {
		const struct gw_yval *p2 = v->items[j];

		for (size_t i = 0; i < j; i++) {
			const struct gw_yval *p1 = v->items[i];

			if (!same_parent(p1, p2))
				continue;
			if (unset_or_empty(sget(p1, "sectionName")) !=
				    unset_or_empty(sget(p2, "sectionName")) ||
			    port_unset(p1) != port_unset(p2)) {
				return item_err(c, v, j, NULL,
						"sectionName or port must be specified when "
						"parentRefs includes 2 or more references to the "
						"same parent");
			}
		}
	}
	for (size_t j = 1; j < v->n && !nerr; j++) {
		const struct gw_yval *p2 = v->items[j];

		for (size_t i = 0; i < j; i++) {
			const struct gw_yval *p1 = v->items[i];
			const char *s1 = sget(p1, "sectionName"), *s2 = sget(p2, "sectionName");
			bool sec_eq = (unset_or_empty(s1) && unset_or_empty(s2)) || streq(s1, s2);
			bool port_eq = (port_unset(p1) && port_unset(p2)) ||
				       (has(p1, "port") && has(p2, "port") &&
					gw_ygetint(p1, "port", 0) == gw_ygetint(p2, "port", 0));

			if (same_parent(p1, p2) && sec_eq && port_eq) {
				nerr += item_err(c, v, j, NULL,
						 "sectionName or port must be unique when "
						 "parentRefs includes 2 or more references to the "
						 "same parent");
				break;
			}
		}
	}
	return nerr;
}

/* CommonRouteSpec.parentRefs: MaxItems=32 */
static const struct gw_schema s_parent_refs = { .type = GW_ST_ARR, .items = &s_parent_ref,
						.max_items = 32, .rule = rule_parent_refs };

/* GatewayDefaultScope (CommonRouteSpec.useDefaultGateways, experimental, GEP-3793) */
static const char *const e_default_scope[] = { "All", "None", NULL };
static const struct gw_schema s_default_scope = { .type = GW_ST_STR,
						  .enums = e_default_scope };

/*
 * BackendObjectReference (apis/v1/object_reference_types.go)
 *   "Must have port for Service reference"
 */
static int rule_backend_obj_ref(struct gw_sctx *c, struct gw_yval *v)
{
	if (unset_or_empty(sget(v, "group")) && streq(sget(v, "kind"), "Service") &&
	    !has(v, "port")) {
		gw_schema_error(c, v, "port", "Must have port for Service reference");
		return 1;
	}
	return 0;
}

#define BACKEND_OBJ_REF_FIELDS                                   \
	{ "group", &s_group, .def = DEF_CORE_GROUP },           \
	{ "kind", &s_kind, .def = DEF_KIND_SERVICE },           \
	{ "name", &s_objname, true },                           \
	{ "namespace", &s_namespace },                          \
	{ "port", &s_port }

static const struct gw_sfield backend_obj_ref_fields[] = {
	BACKEND_OBJ_REF_FIELDS,
	{ NULL },
};

static const struct gw_schema s_backend_obj_ref = { .type = GW_ST_OBJ,
						    .fields = backend_obj_ref_fields,
						    .rule = rule_backend_obj_ref };

/* BackendRef (apis/v1/shared_types.go): weight Minimum=0, Maximum=1000000, default=1 */
static const struct gw_schema s_weight = { .type = GW_ST_INT, .has_range = true, .min = 0,
					   .max = 1000000 };

#define BACKEND_REF_FIELDS BACKEND_OBJ_REF_FIELDS, { "weight", &s_weight, .def = DEF_WEIGHT }

static const struct gw_sfield backend_ref_fields[] = {
	BACKEND_REF_FIELDS,
	{ NULL },
};

static const struct gw_schema s_backend_ref = { .type = GW_ST_OBJ, .fields = backend_ref_fields,
						.rule = rule_backend_obj_ref };

/* LocalObjectReference (apis/v1/object_reference_types.go) */
static const struct gw_sfield local_obj_ref_fields[] = {
	{ "group", &s_group },
	{ "kind", &s_kind, true },
	{ "name", &s_objname, true },
	{ NULL },
};

static const struct gw_schema s_local_obj_ref = { .type = GW_ST_OBJ,
						  .fields = local_obj_ref_fields };

/* SecretObjectReference (apis/v1/object_reference_types.go) */
const struct gw_sfield gw_sfields_secret_obj_ref[] = {
	{ "group", &s_group, .def = DEF_CORE_GROUP },
	{ "kind", &s_kind, .def = DEF_KIND_SECRET },
	{ "name", &s_objname, true },
	{ "namespace", &s_namespace },
	{ NULL },
};

static const struct gw_schema s_secret_obj_ref = { .type = GW_ST_OBJ,
						   .fields = gw_sfields_secret_obj_ref };

/* ObjectReference (apis/v1/object_reference_types.go) */
static const struct gw_sfield obj_ref_fields[] = {
	{ "group", &s_group, true },
	{ "kind", &s_kind, true },
	{ "name", &s_objname, true },
	{ "namespace", &s_namespace },
	{ NULL },
};

static const struct gw_schema s_obj_ref = { .type = GW_ST_OBJ, .fields = obj_ref_fields };

/* ---- GatewayClass (apis/v1/gatewayclass_types.go) ------------------------ */

/* ParametersReference.name: MinLength=1, MaxLength=253 */
static const struct gw_schema s_param_name = { .type = GW_ST_STR, .min_len = 1,
					       .max_len = 253 };

/* ParametersReference */
static const struct gw_sfield params_ref_fields[] = {
	{ "group", &s_group, true },
	{ "kind", &s_kind, true },
	{ "name", &s_param_name, true },
	{ "namespace", &s_namespace },
	{ NULL },
};

/*
 * GatewayClassSpec. controllerName carries "Value is immutable"
 * (self == oldSelf), which only applies to updates and is not checked here.
 */
static const struct gw_sfield gatewayclass_spec_fields[] = {
	{ "controllerName", &s_controller, true },
	{ "parametersRef", &(const struct gw_schema){ .type = GW_ST_OBJ,
						       .fields = params_ref_fields } },
	{ "description", &(const struct gw_schema){ .type = GW_ST_STR, .max_len = 64 } },
	{ NULL },
};

const struct gw_sfield gw_fields_gatewayclass[] = {
	{ "spec", &(const struct gw_schema){ .type = GW_ST_OBJ,
					      .fields = gatewayclass_spec_fields },
	  true },
	{ NULL },
};

/* ---- Gateway (apis/v1/gateway_types.go) ---------------------------------- */

/* RouteGroupKind */
static const struct gw_sfield route_group_kind_fields[] = {
	{ "group", &s_group, .def = DEF_GROUP },
	{ "kind", &s_kind, true },
	{ NULL },
};

static const struct gw_schema s_route_group_kind = { .type = GW_ST_OBJ,
						     .fields = route_group_kind_fields };

/* RouteNamespaces: from Enum=All;Selector;Same, default=Same */
static const char *const e_from_routes[] = { "All", "Selector", "Same", NULL };

static const struct gw_sfield route_namespaces_fields[] = {
	{ "from", &(const struct gw_schema){ .type = GW_ST_STR, .enums = e_from_routes },
	  .def = "Same" },
	{ "selector", &s_label_selector },
	{ NULL },
};

/* AllowedRoutes: namespaces default={from: Same}, kinds MaxItems=8 */
static const struct gw_sfield allowed_routes_fields[] = {
	{ "namespaces", &(const struct gw_schema){ .type = GW_ST_OBJ,
						    .fields = route_namespaces_fields },
	  .def = "{from: Same}" },
	{ "kinds", &(const struct gw_schema){ .type = GW_ST_ARR, .items = &s_route_group_kind,
					       .max_items = 8 } },
	{ NULL },
};

static const struct gw_schema s_allowed_routes = { .type = GW_ST_OBJ,
						   .fields = allowed_routes_fields };

/* ListenerTLSConfig.options: map[AnnotationKey]AnnotationValue, MaxProperties=16 */
static int rule_tls_options(struct gw_sctx *c, struct gw_yval *v)
{
	return strmap_limits(c, v, 16, 4096);
}

static const struct gw_schema s_tls_options = { .type = GW_ST_STRMAP,
						.rule = rule_tls_options };

/*
 * ListenerTLSConfig
 *   "certificateRefs or options must be specified when mode is Terminate"
 */
static int rule_listener_tls(struct gw_sctx *c, struct gw_yval *v)
{
	if (streq(sget(v, "mode"), "Terminate") && !gw_ylen(gw_yget(v, "certificateRefs")) &&
	    !gw_ylen(gw_yget(v, "options"))) {
		gw_schema_error(c, v, NULL,
				"certificateRefs or options must be specified when mode is "
				"Terminate");
		return 1;
	}
	return 0;
}

/* TLSModeType: Enum=Terminate;Passthrough */
static const char *const e_tls_mode[] = { "Terminate", "Passthrough", NULL };

static const struct gw_sfield listener_tls_fields[] = {
	{ "mode", &(const struct gw_schema){ .type = GW_ST_STR, .enums = e_tls_mode },
	  .def = "Terminate" },
	{ "certificateRefs", &(const struct gw_schema){ .type = GW_ST_ARR,
							 .items = &s_secret_obj_ref,
							 .max_items = 64 } },
	{ "options", &s_tls_options },
	{ NULL },
};

/* Listener, and ListenerEntry (apis/v1/listenerset_types.go) which has the same fields */
static const struct gw_sfield listener_fields[] = {
	{ "name", &s_section, true },
	{ "hostname", &s_hostname },
	{ "port", &s_port, true },
	{ "protocol", &s_protocol, true },
	{ "tls", &(const struct gw_schema){ .type = GW_ST_OBJ, .fields = listener_tls_fields,
					     .rule = rule_listener_tls } },
	{ "allowedRoutes", &s_allowed_routes, .def = "{namespaces: {from: Same}}" },
	{ NULL },
};

static const struct gw_schema s_listener = { .type = GW_ST_OBJ, .fields = listener_fields };

static bool opt_str_eq(const char *a, const char *b)
{
	return (!a && !b) || streq(a, b);
}

/*
 * GatewaySpec.listeners and ListenerSetSpec.listeners:
 *   "tls must not be specified for protocols ['HTTP', 'TCP', 'UDP']"
 *   "tls mode must be Terminate for protocol HTTPS"
 *   "tls mode must be set for protocol TLS"
 *   "hostname must not be specified for protocols ['TCP', 'UDP']"
 *   "Listener name must be unique within the Gateway" (also +listMapKey=name)
 *   "Combination of port, protocol and hostname must be unique for each listener"
 * The Gateway compares protocols as written, the ListenerSet lowercased.
 */
static int listeners_rule(struct gw_sctx *c, struct gw_yval *v, bool fold_protocol)
{
	static const char *const msgs[] = {
		"tls must not be specified for protocols ['HTTP', 'TCP', 'UDP']",
		"tls mode must be Terminate for protocol HTTPS",
		"tls mode must be set for protocol TLS",
		"hostname must not be specified for protocols ['TCP', 'UDP']",
		"Listener name must be unique within the Gateway",
		"Combination of port, protocol and hostname must be unique for each listener",
	};
	static const char *const subs[] = { "tls", "tls", "tls", "hostname", "name", NULL };
	int nerr = 0;

	for (size_t r = 0; r < 6; r++) {
		for (size_t i = 0; i < v->n; i++) {
			const struct gw_yval *l = v->items[i];
			const char *proto = sget(l, "protocol");
			const struct gw_yval *tls = gw_yget(l, "tls");
			const char *mode = sget(tls, "mode");
			bool bad = false;

			switch (r) {
			case 0:
				bad = (!strcasecmp(proto, "HTTP") || !strcasecmp(proto, "TCP") ||
				       !strcasecmp(proto, "UDP")) &&
				      tls;
				break;
			case 1:
				bad = !strcasecmp(proto, "HTTPS") && tls &&
				      !(unset_or_empty(mode) || streq(mode, "Terminate"));
				break;
			case 2:
				bad = !strcasecmp(proto, "TLS") && unset_or_empty(mode);
				break;
			case 3:
				bad = (!strcasecmp(proto, "TCP") || !strcasecmp(proto, "UDP")) &&
				      !unset_or_empty(sget(l, "hostname"));
				break;
			case 4:
			case 5:
				for (size_t j = 0; j < i && !bad; j++) {
					const struct gw_yval *l2 = v->items[j];
					const char *p2 = sget(l2, "protocol");

					if (r == 4)
						bad = streq(sget(l, "name"), sget(l2, "name"));
					else
						bad = gw_ygetint(l, "port", 0) ==
							      gw_ygetint(l2, "port", 0) &&
						      (fold_protocol ? !strcasecmp(proto, p2)
								     : streq(proto, p2)) &&
						      opt_str_eq(sget(l, "hostname"),
								 sget(l2, "hostname"));
				}
				break;
			}
			if (bad) {
				nerr += item_err(c, v, i, subs[r], msgs[r]);
				break;
			}
		}
	}
	return nerr;
}

static int rule_gateway_listeners(struct gw_sctx *c, struct gw_yval *v)
{
	return listeners_rule(c, v, false);
}

/* GatewaySpec.listeners: +listType=map +listMapKey=name, MinItems=1, MaxItems=64 */
static const struct gw_schema s_gateway_listeners = { .type = GW_ST_ARR, .items = &s_listener,
						      .min_items = 1, .max_items = 64,
						      .unique_key = "name",
						      .rule = rule_gateway_listeners };

/*
 * GatewaySpecAddress
 *   "Hostname value must be empty or contain only valid characters (matching
 *    ^(\*\.)?[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$)"
 * plus the CRD's oneOf <gateway:validateIPAddress>: an IPAddress value must be
 * an IPv4 or IPv6 address.
 */
static int rule_gateway_address(struct gw_sctx *c, struct gw_yval *v)
{
	const char *type = sget(v, "type"), *value = sget(v, "value");

	if (streq(type, "Hostname") && value) {
		const char *h = value[0] == '*' && value[1] == '.' ? value + 2 : value;

		if (!gw_rfc1123_subdomain(h, strlen(h))) {
			gw_schema_error(c, v, "value",
					"Hostname value must be empty or contain only valid "
					"characters (matching ^(\\*\\.)?"
					"[a-z0-9]([-a-z0-9]*[a-z0-9])?"
					"(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$)");
			return 1;
		}
	}
	if (streq(type, "IPAddress") && !unset_or_empty(value) && !is_ip(value)) {
		gw_schema_error(c, gw_yget(v, "value"), "value",
				"Invalid value: \"%s\": must be an IPv4 or IPv6 address when "
				"type is IPAddress",
				value);
		return 1;
	}
	return 0;
}

static const struct gw_sfield gateway_address_fields[] = {
	{ "type", &s_address_type, .def = "IPAddress" },
	{ "value", &(const struct gw_schema){ .type = GW_ST_STR, .max_len = 253 } },
	{ NULL },
};

static const struct gw_schema s_gateway_address = { .type = GW_ST_OBJ,
						    .fields = gateway_address_fields,
						    .rule = rule_gateway_address };

/*
 * GatewaySpec.addresses
 *   "IPAddress values must be unique"
 *   "Hostname values must be unique"
 */
static int rule_gateway_addresses(struct gw_sctx *c, struct gw_yval *v)
{
	static const char *const types[] = { "IPAddress", "Hostname" };
	static const char *const msgs[] = { "IPAddress values must be unique",
					    "Hostname values must be unique" };
	int nerr = 0;

	for (size_t r = 0; r < 2; r++) {
		bool bad = false;

		for (size_t i = 1; i < v->n && !bad; i++) {
			const struct gw_yval *a = v->items[i];

			if (!streq(sget(a, "type"), types[r]) || !has(a, "value"))
				continue;
			for (size_t j = 0; j < i && !bad; j++) {
				const struct gw_yval *b = v->items[j];

				bad = streq(sget(b, "type"), types[r]) &&
				      streq(sget(a, "value"), sget(b, "value"));
			}
			if (bad)
				nerr += item_err(c, v, i, "value", msgs[r]);
		}
	}
	return nerr;
}

/*
 * GatewayInfrastructure.labels / .annotations
 *   "Label keys must be in the form of an optional DNS subdomain prefix
 *    followed by a required name segment of up to 63 characters."
 *   "If specified, the label key's prefix must be a DNS subdomain not longer
 *    than 253 characters in total."
 * (and the same two for "Annotation keys" / "annotation key's")
 */
static int infra_keys(struct gw_sctx *c, struct gw_yval *v, const char *what,
		      const char *what_lc)
{
	int nerr = 0;

	for (size_t i = 0; i < v->n; i++) {
		if (!qualified_key_ok(v->pairs[i].key)) {
			gw_schema_error(c, v->pairs[i].val, v->pairs[i].key,
					"%s keys must be in the form of an optional DNS subdomain "
					"prefix followed by a required name segment of up to 63 "
					"characters.",
					what);
			nerr++;
			break;
		}
	}
	for (size_t i = 0; i < v->n; i++) {
		if (strcspn(v->pairs[i].key, "/") >= 253) {
			gw_schema_error(c, v->pairs[i].val, v->pairs[i].key,
					"If specified, the %s key's prefix must be a DNS subdomain "
					"not longer than 253 characters in total.",
					what_lc);
			nerr++;
			break;
		}
	}
	return nerr;
}

/* labels: map[LabelKey]LabelValue, MaxProperties=8 */
static int rule_infra_labels(struct gw_sctx *c, struct gw_yval *v)
{
	int nerr = strmap_limits(c, v, 8, 63);
	const char *why;

	if (nerr)
		return nerr;
	for (size_t i = 0; i < v->n; i++) {
		if ((why = gw_fmt_label_value(v->pairs[i].val->str))) {
			gw_schema_error(c, v->pairs[i].val, v->pairs[i].key,
					"Invalid value: \"%s\": %s", v->pairs[i].val->str, why);
			nerr++;
		}
	}
	return nerr + infra_keys(c, v, "Label", "label");
}

/* annotations: map[AnnotationKey]AnnotationValue, MaxProperties=16 */
static int rule_infra_annotations(struct gw_sctx *c, struct gw_yval *v)
{
	int nerr = strmap_limits(c, v, 16, 4096);

	return nerr ? nerr : infra_keys(c, v, "Annotation", "annotation");
}

/* LocalParametersReference */
static const struct gw_sfield local_params_ref_fields[] = {
	{ "group", &s_group, true },
	{ "kind", &s_kind, true },
	{ "name", &s_param_name, true },
	{ NULL },
};

/* GatewayInfrastructure */
static const struct gw_sfield infrastructure_fields[] = {
	{ "labels", &(const struct gw_schema){ .type = GW_ST_STRMAP,
						.rule = rule_infra_labels } },
	{ "annotations", &(const struct gw_schema){ .type = GW_ST_STRMAP,
						     .rule = rule_infra_annotations } },
	{ "parametersRef", &(const struct gw_schema){ .type = GW_ST_OBJ,
						       .fields = local_params_ref_fields } },
	{ NULL },
};

/* ListenerNamespaces: from Enum=All;Selector;Same;None, default=None */
static const char *const e_from_listeners[] = { "All", "Selector", "Same", "None", NULL };

static const struct gw_sfield listener_namespaces_fields[] = {
	{ "from", &(const struct gw_schema){ .type = GW_ST_STR, .enums = e_from_listeners },
	  .def = "None" },
	{ "selector", &s_label_selector },
	{ NULL },
};

/* AllowedListeners: namespaces default={from: None} */
static const struct gw_sfield allowed_listeners_fields[] = {
	{ "namespaces", &(const struct gw_schema){ .type = GW_ST_OBJ,
						    .fields = listener_namespaces_fields },
	  .def = "{from: None}" },
	{ NULL },
};

/* FrontendValidationModeType: Enum=AllowValidOnly;AllowInsecureFallback */
static const char *const e_frontend_mode[] = { "AllowValidOnly", "AllowInsecureFallback", NULL };

/* FrontendTLSValidation: caCertificateRefs MinItems=1 MaxItems=8, mode default=AllowValidOnly */
static const struct gw_sfield frontend_validation_fields[] = {
	{ "caCertificateRefs", &(const struct gw_schema){ .type = GW_ST_ARR,
							   .items = &s_obj_ref,
							   .min_items = 1, .max_items = 8 },
	  true },
	{ "mode", &(const struct gw_schema){ .type = GW_ST_STR, .enums = e_frontend_mode },
	  .def = "AllowValidOnly" },
	{ NULL },
};

/* TLSConfig */
static const struct gw_sfield tls_config_fields[] = {
	{ "validation", &(const struct gw_schema){ .type = GW_ST_OBJ,
						    .fields = frontend_validation_fields } },
	{ NULL },
};

static const struct gw_schema s_tls_config = { .type = GW_ST_OBJ, .fields = tls_config_fields };

/* TLSPortConfig */
static const struct gw_sfield tls_port_config_fields[] = {
	{ "port", &s_port, true },
	{ "tls", &s_tls_config, true },
	{ NULL },
};

/*
 * FrontendTLSConfig.perPort: +listType=map +listMapKey=port, MaxItems=64
 *   "Port for TLS configuration must be unique within the Gateway"
 */
static int rule_per_port(struct gw_sctx *c, struct gw_yval *v)
{
	for (size_t i = 1; i < v->n; i++)
		for (size_t j = 0; j < i; j++)
			if (gw_ygetint(v->items[i], "port", 0) ==
			    gw_ygetint(v->items[j], "port", 0))
				return item_err(c, v, i, "port",
						"Port for TLS configuration must be unique within "
						"the Gateway");
	return 0;
}

/* FrontendTLSConfig */
static const struct gw_sfield frontend_tls_fields[] = {
	{ "default", &s_tls_config, true },
	{ "perPort", &(const struct gw_schema){ .type = GW_ST_ARR,
						 .items = &(const struct gw_schema){
							 .type = GW_ST_OBJ,
							 .fields = tls_port_config_fields },
						 .max_items = 64, .rule = rule_per_port } },
	{ NULL },
};

/* GatewayBackendTLS */
static const struct gw_sfield gateway_backend_tls_fields[] = {
	{ "clientCertificateRef", &s_secret_obj_ref },
	{ NULL },
};

/* GatewayTLSConfig */
static const struct gw_sfield gateway_tls_fields[] = {
	{ "backend", &(const struct gw_schema){ .type = GW_ST_OBJ,
						 .fields = gateway_backend_tls_fields } },
	{ "frontend", &(const struct gw_schema){ .type = GW_ST_OBJ,
						  .fields = frontend_tls_fields } },
	{ NULL },
};

/* GatewaySpec */
static const struct gw_sfield gateway_spec_fields[] = {
	{ "gatewayClassName", &s_objname, true },
	{ "listeners", &s_gateway_listeners, true },
	{ "addresses", &(const struct gw_schema){ .type = GW_ST_ARR,
						   .items = &s_gateway_address,
						   .max_items = 16,
						   .rule = rule_gateway_addresses } },
	{ "infrastructure", &(const struct gw_schema){ .type = GW_ST_OBJ,
							.fields = infrastructure_fields } },
	{ "allowedListeners", &(const struct gw_schema){ .type = GW_ST_OBJ,
							  .fields = allowed_listeners_fields } },
	{ "tls", &(const struct gw_schema){ .type = GW_ST_OBJ, .fields = gateway_tls_fields } },
	/* experimental (GEP-3793) */
	{ "defaultScope", &s_default_scope },
	{ NULL },
};

const struct gw_sfield gw_fields_gateway[] = {
	{ "spec", &(const struct gw_schema){ .type = GW_ST_OBJ, .fields = gateway_spec_fields },
	  true },
	{ NULL },
};

/* ---- ListenerSet (apis/v1/listenerset_types.go) -------------------------- */

/* ParentGatewayReference */
static const struct gw_sfield parent_gateway_ref_fields[] = {
	{ "group", &s_group, .def = DEF_GROUP },
	{ "kind", &s_kind, .def = DEF_KIND_GATEWAY },
	{ "name", &s_objname, true },
	{ "namespace", &s_namespace },
	{ NULL },
};

static int rule_listenerset_listeners(struct gw_sctx *c, struct gw_yval *v)
{
	return listeners_rule(c, v, true);
}

/* ListenerSetSpec */
static const struct gw_sfield listenerset_spec_fields[] = {
	{ "parentRef", &(const struct gw_schema){ .type = GW_ST_OBJ,
						   .fields = parent_gateway_ref_fields },
	  true },
	{ "listeners", &(const struct gw_schema){ .type = GW_ST_ARR, .items = &s_listener,
						   .min_items = 1, .max_items = 64,
						   .unique_key = "name",
						   .rule = rule_listenerset_listeners },
	  true },
	{ NULL },
};

const struct gw_sfield gw_fields_listenerset[] = {
	{ "spec", &(const struct gw_schema){ .type = GW_ST_OBJ,
					      .fields = listenerset_spec_fields },
	  true },
	{ NULL },
};

/* ---- route rule helpers -------------------------------------------------- */

/* "Rule name must be unique within the route" */
static int rule_names_unique(struct gw_sctx *c, const struct gw_yval *v)
{
	for (size_t i = 1; i < v->n; i++) {
		const char *n = sget(v->items[i], "name");

		for (size_t j = 0; n && j < i; j++)
			if (streq(n, sget(v->items[j], "name")))
				return item_err(c, v, i, "name",
						"Rule name must be unique within the route");
	}
	return 0;
}

/*
 * "While 16 rules and 64 matches per rule are allowed, the total number of
 *  matches across all rules in a route must be less than 128"
 */
static int rules_total_matches(struct gw_sctx *c, const struct gw_yval *v)
{
	size_t total = 0;

	for (size_t i = 0; i < v->n; i++)
		total += gw_ylen(gw_yget(v->items[i], "matches"));
	if (total > 128) {
		gw_schema_error(c, v, NULL,
				"While 16 rules and 64 matches per rule are allowed, the total "
				"number of matches across all rules in a route must be less than "
				"128");
		return 1;
	}
	return 0;
}

static int rule_route_rules(struct gw_sctx *c, struct gw_yval *v)
{
	return rule_names_unique(c, v) + rules_total_matches(c, v);
}

static int rule_route_rules_names(struct gw_sctx *c, struct gw_yval *v)
{
	return rule_names_unique(c, v);
}

/* ---- HTTPRoute (apis/v1/httproute_types.go) ------------------------------ */

/*
 * HTTPPathMatch
 *   "value must be an absolute path and start with '/' when type one of ['Exact', 'PathPrefix']"
 *   "must not contain '//' when type one of ['Exact', 'PathPrefix']"
 *   "must not contain '/./' when type one of ['Exact', 'PathPrefix']"
 *   "must not contain '/../' when type one of ['Exact', 'PathPrefix']"
 *   "must not contain '%2f' when type one of ['Exact', 'PathPrefix']"
 *   "must not contain '%2F' when type one of ['Exact', 'PathPrefix']"
 *   "must not contain '#' when type one of ['Exact', 'PathPrefix']"
 *   "must not end with '/..' when type one of ['Exact', 'PathPrefix']"
 *   "must not end with '/.' when type one of ['Exact', 'PathPrefix']"
 *   "type must be one of ['Exact', 'PathPrefix', 'RegularExpression']" (the enum)
 *   "must only contain valid characters (matching
 *    ^(?:[-A-Za-z0-9/._~!$&'()*+,;=:@]|[%][0-9a-fA-F]{2})+$) for types ['Exact', 'PathPrefix']"
 * RegularExpression values are only bounded by MaxLength=1024.
 */
static bool ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);

	return n >= m && !strcmp(s + n - m, suffix);
}

static int rule_http_path_match(struct gw_sctx *c, struct gw_yval *v)
{
	static const char *const seqs[] = { "//", "/./", "/../", "%2f", "%2F", "#" };
	static const char *const sufs[] = { "/..", "/." };
	const char *type = sget(v, "type"), *value = sget(v, "value");
	const struct gw_yval *at = gw_yget(v, "value");
	int nerr = 0;

	if (!(streq(type, "Exact") || streq(type, "PathPrefix")) || !value)
		return 0;
	if (value[0] != '/') {
		gw_schema_error(c, at, "value",
				"value must be an absolute path and start with '/' when type one "
				"of ['Exact', 'PathPrefix']");
		nerr++;
	}
	for (size_t k = 0; k < sizeof(seqs) / sizeof(seqs[0]); k++) {
		if (strstr(value, seqs[k])) {
			gw_schema_error(c, at, "value",
					"must not contain '%s' when type one of ['Exact', "
					"'PathPrefix']",
					seqs[k]);
			nerr++;
		}
	}
	for (size_t k = 0; k < sizeof(sufs) / sizeof(sufs[0]); k++) {
		if (ends_with(value, sufs[k])) {
			gw_schema_error(c, at, "value",
					"must not end with '%s' when type one of ['Exact', "
					"'PathPrefix']",
					sufs[k]);
			nerr++;
		}
	}
	if (!path_chars_ok(value)) {
		gw_schema_error(c, at, "value",
				"must only contain valid characters (matching "
				"^(?:[-A-Za-z0-9/._~!$&'()*+,;=:@]|[%%][0-9a-fA-F]{2})+$) "
				"for types ['Exact', 'PathPrefix']");
		nerr++;
	}
	return nerr;
}

/* PathMatchType: Enum=Exact;PathPrefix;RegularExpression */
static const char *const e_path_match[] = { "Exact", "PathPrefix", "RegularExpression", NULL };
/* HeaderMatchType / QueryParamMatchType / GRPCHeaderMatchType: Enum=Exact;RegularExpression */
static const char *const e_exact_regex[] = { "Exact", "RegularExpression", NULL };
/* HTTPMethod */
static const char *const e_http_method[] = { "GET",	  "HEAD",  "POST",  "PUT", "DELETE",
					     "CONNECT", "OPTIONS", "TRACE", "PATCH", NULL };
/* HTTPMethodWithWildcard */
static const char *const e_http_method_wc[] = { "GET",	   "HEAD",    "POST",  "PUT",
						"DELETE",  "CONNECT", "OPTIONS", "TRACE",
						"PATCH",   "*",	      NULL };

static const struct gw_schema s_exact_regex = { .type = GW_ST_STR, .enums = e_exact_regex };

/* HTTPPathMatch: type default=PathPrefix, value default="/" MaxLength=1024 */
static const struct gw_sfield http_path_match_fields[] = {
	{ "type", &(const struct gw_schema){ .type = GW_ST_STR, .enums = e_path_match },
	  .def = "PathPrefix" },
	{ "value", &(const struct gw_schema){ .type = GW_ST_STR, .max_len = 1024 }, .def = "/" },
	{ NULL },
};

/* HTTPHeader/HTTPHeaderMatch value: MinLength=1, MaxLength=4096 (+ experimental Pattern) */
static const struct gw_schema s_header_value = { .type = GW_ST_STR, .min_len = 1,
						 .max_len = 4096,
						 .format = fmt_header_value };

/* HTTPHeaderMatch */
static const struct gw_sfield http_header_match_fields[] = {
	{ "type", &s_exact_regex, .def = DEF_EXACT },
	{ "name", &s_header_name, true },
	{ "value", &s_header_value, true },
	{ NULL },
};

/* HTTPQueryParamMatch: value MinLength=1, MaxLength=1024 */
static const struct gw_sfield http_query_match_fields[] = {
	{ "type", &s_exact_regex, .def = DEF_EXACT },
	{ "name", &s_header_name, true },
	{ "value", &(const struct gw_schema){ .type = GW_ST_STR, .min_len = 1,
					       .max_len = 1024 },
	  true },
	{ NULL },
};

/*
 * HTTPRouteMatch: path default={type: PathPrefix, value: /}; headers and
 * queryParams +listType=map +listMapKey=name, MaxItems=16
 */
static const struct gw_sfield http_route_match_fields[] = {
	{ "path", &(const struct gw_schema){ .type = GW_ST_OBJ, .fields = http_path_match_fields,
					      .rule = rule_http_path_match },
	  .def = "{type: PathPrefix, value: /}" },
	{ "headers", &(const struct gw_schema){ .type = GW_ST_ARR,
						 .items = &(const struct gw_schema){
							 .type = GW_ST_OBJ,
							 .fields = http_header_match_fields },
						 .max_items = 16, .unique_key = "name" } },
	{ "queryParams", &(const struct gw_schema){ .type = GW_ST_ARR,
						     .items = &(const struct gw_schema){
							     .type = GW_ST_OBJ,
							     .fields = http_query_match_fields },
						     .max_items = 16, .unique_key = "name" } },
	{ "method", &(const struct gw_schema){ .type = GW_ST_STR, .enums = e_http_method } },
	{ NULL },
};

/* HTTPHeader */
static const struct gw_sfield http_header_fields[] = {
	{ "name", &s_header_name, true },
	{ "value", &s_header_value, true },
	{ NULL },
};

/* HTTPHeaderFilter.set / .add: +listType=map +listMapKey=name, MaxItems=16 */
static const struct gw_schema s_http_headers = {
	.type = GW_ST_ARR,
	.items = &(const struct gw_schema){ .type = GW_ST_OBJ, .fields = http_header_fields },
	.max_items = 16,
	.unique_key = "name",
};

/*
 * HTTPHeaderFilter: "Only one action for a given header name is permitted";
 * header names compare case-insensitively (the former webhook's
 * validateHTTPHeaderModifier: "cannot specify multiple actions for header").
 */
static int rule_header_filter(struct gw_sctx *c, struct gw_yval *v)
{
	static const char *const actions[] = { "add", "set", "remove" };
	const char *seen[48];
	size_t nseen = 0;
	int nerr = 0;

	for (size_t a = 0; a < 3; a++) {
		const struct gw_yval *list = gw_yget(v, actions[a]);

		for (size_t i = 0; i < gw_ylen(list); i++) {
			const struct gw_yval *it = list->items[i];
			const char *name = a == 2 ? it->str : sget(it, "name");
			size_t k, mark;

			for (k = 0; k < nseen; k++)
				if (!strcasecmp(seen[k], name))
					break;
			if (k == nseen) {
				if (nseen < sizeof(seen) / sizeof(seen[0]))
					seen[nseen++] = name;
				continue;
			}
			mark = gw_sctx_push(c, "%s%s[%zu]", c->plen ? "." : "", actions[a], i);
			gw_schema_error(c, it, NULL,
					"Invalid value: \"%s\": cannot specify multiple "
					"actions for header",
					name);
			gw_sctx_pop(c, mark);
			nerr++;
		}
	}
	return nerr;
}

/* HTTPHeaderFilter: remove +listType=set, MaxItems=16 */
static const struct gw_sfield http_header_filter_fields[] = {
	{ "set", &s_http_headers },
	{ "add", &s_http_headers },
	{ "remove", &(const struct gw_schema){ .type = GW_ST_ARR, .items = &s_str,
						.max_items = 16, .rule = rule_set } },
	{ NULL },
};

static const struct gw_schema s_http_header_filter = { .type = GW_ST_OBJ,
						       .fields = http_header_filter_fields,
						       .rule = rule_header_filter };

/*
 * HTTPPathModifier
 *   "replaceFullPath must be specified when type is set to 'ReplaceFullPath'"
 *   "type must be 'ReplaceFullPath' when replaceFullPath is set"
 *   "replacePrefixMatch must be specified when type is set to 'ReplacePrefixMatch'"
 *   "type must be 'ReplacePrefixMatch' when replacePrefixMatch is set"
 */
static int rule_path_modifier(struct gw_sctx *c, struct gw_yval *v)
{
	const char *type = sget(v, "type");
	int nerr = 0;

	if (streq(type, "ReplaceFullPath") && !has(v, "replaceFullPath")) {
		gw_schema_error(c, v, "replaceFullPath",
				"replaceFullPath must be specified when type is set to "
				"'ReplaceFullPath'");
		nerr++;
	}
	if (has(v, "replaceFullPath") && !streq(type, "ReplaceFullPath")) {
		gw_schema_error(c, v, "type",
				"type must be 'ReplaceFullPath' when replaceFullPath is set");
		nerr++;
	}
	if (streq(type, "ReplacePrefixMatch") && !has(v, "replacePrefixMatch")) {
		gw_schema_error(c, v, "replacePrefixMatch",
				"replacePrefixMatch must be specified when type is set to "
				"'ReplacePrefixMatch'");
		nerr++;
	}
	if (has(v, "replacePrefixMatch") && !streq(type, "ReplacePrefixMatch")) {
		gw_schema_error(c, v, "type",
				"type must be 'ReplacePrefixMatch' when replacePrefixMatch is set");
		nerr++;
	}
	return nerr;
}

/* HTTPPathModifierType: Enum=ReplaceFullPath;ReplacePrefixMatch */
static const char *const e_path_modifier[] = { "ReplaceFullPath", "ReplacePrefixMatch", NULL };
static const struct gw_schema s_path_value = { .type = GW_ST_STR, .max_len = 1024 };

/* HTTPPathModifier */
static const struct gw_sfield path_modifier_fields[] = {
	{ "type", &(const struct gw_schema){ .type = GW_ST_STR, .enums = e_path_modifier },
	  true },
	{ "replaceFullPath", &s_path_value },
	{ "replacePrefixMatch", &s_path_value },
	{ NULL },
};

static const struct gw_schema s_path_modifier = { .type = GW_ST_OBJ,
						  .fields = path_modifier_fields,
						  .rule = rule_path_modifier };

/* HTTPRequestRedirectFilter.statusCode: Enum=301;302;303;307;308 */
static int rule_redirect_status(struct gw_sctx *c, struct gw_yval *v)
{
	static const long long codes[] = { 301, 302, 303, 307, 308 };

	for (size_t k = 0; k < sizeof(codes) / sizeof(codes[0]); k++)
		if (v->i == codes[k])
			return 0;
	gw_schema_error(c, v, NULL,
			"Unsupported value: %lld: supported values: \"301\", \"302\", \"303\", "
			"\"307\", \"308\"",
			v->i);
	return 1;
}

static const char *const e_scheme[] = { "http", "https", NULL };

/* HTTPRequestRedirectFilter: statusCode default=302 */
static const struct gw_sfield redirect_fields[] = {
	{ "scheme", &(const struct gw_schema){ .type = GW_ST_STR, .enums = e_scheme } },
	{ "hostname", &s_precise_hostname },
	{ "path", &s_path_modifier },
	{ "port", &s_port },
	{ "statusCode", &(const struct gw_schema){ .type = GW_ST_INT,
						    .rule = rule_redirect_status },
	  .def = "302" },
	{ NULL },
};

/* HTTPURLRewriteFilter */
static const struct gw_sfield url_rewrite_fields[] = {
	{ "hostname", &s_precise_hostname },
	{ "path", &s_path_modifier },
	{ NULL },
};

/*
 * Fraction (apis/v1/shared_types.go)
 *   "numerator must be less than or equal to denominator"
 */
static int rule_fraction(struct gw_sctx *c, struct gw_yval *v)
{
	if (gw_ygetint(v, "numerator", 0) > gw_ygetint(v, "denominator", 100)) {
		gw_schema_error(c, v, "numerator",
				"numerator must be less than or equal to denominator");
		return 1;
	}
	return 0;
}

/* Fraction: numerator Minimum=0, denominator Minimum=1 default=100 (int32) */
static const struct gw_sfield fraction_fields[] = {
	{ "numerator", &(const struct gw_schema){ .type = GW_ST_INT, .has_range = true,
						   .min = 0, .max = INT32_MAX },
	  true },
	{ "denominator", &(const struct gw_schema){ .type = GW_ST_INT, .has_range = true,
						     .min = 1, .max = INT32_MAX },
	  .def = "100" },
	{ NULL },
};

/* HTTPRequestMirrorFilter: percent Minimum=0 Maximum=100 */
static const struct gw_sfield mirror_fields[] = {
	{ "backendRef", &s_backend_obj_ref, true },
	{ "percent", &(const struct gw_schema){ .type = GW_ST_INT, .has_range = true, .min = 0,
						 .max = 100 } },
	{ "fraction", &(const struct gw_schema){ .type = GW_ST_OBJ, .fields = fraction_fields,
						  .rule = rule_fraction } },
	{ NULL },
};

/*
 * HTTPRouteFilter.requestMirror (a field-level marker, so GRPCRoute's mirror
 * does not carry it)
 *   "Only one of percent or fraction may be specified in HTTPRequestMirrorFilter"
 */
static int rule_http_mirror(struct gw_sctx *c, struct gw_yval *v)
{
	if (has(v, "percent") && has(v, "fraction")) {
		gw_schema_error(c, v, NULL,
				"Only one of percent or fraction may be specified in "
				"HTTPRequestMirrorFilter");
		return 1;
	}
	return 0;
}

/*
 * HTTPCORSFilter list rules:
 *   "AllowOrigins cannot contain '*' alongside other origins"
 *   "AllowMethods cannot contain '*' alongside other methods"
 *   "AllowHeaders cannot contain '*' alongside other methods"
 */
static int star_alone(struct gw_sctx *c, struct gw_yval *v, const char *msg)
{
	int nerr = set_dups(c, v);

	if (nerr)
		return nerr;
	for (size_t i = 0; i < v->n && v->n > 1; i++)
		if (streq(v->items[i]->str, "*"))
			return item_err(c, v, i, NULL, msg);
	return 0;
}

static int rule_cors_origins(struct gw_sctx *c, struct gw_yval *v)
{
	return star_alone(c, v, "AllowOrigins cannot contain '*' alongside other origins");
}

static int rule_cors_methods(struct gw_sctx *c, struct gw_yval *v)
{
	return star_alone(c, v, "AllowMethods cannot contain '*' alongside other methods");
}

static int rule_cors_headers(struct gw_sctx *c, struct gw_yval *v)
{
	return star_alone(c, v, "AllowHeaders cannot contain '*' alongside other methods");
}

/* HTTPCORSFilter */
static const struct gw_sfield cors_fields[] = {
	{ "allowOrigins",
	  &(const struct gw_schema){ .type = GW_ST_ARR,
				     .items = &(const struct gw_schema){
					     .type = GW_ST_STR, .min_len = 1, .max_len = 253,
					     .format = fmt_cors_origin },
				     .max_items = 64, .rule = rule_cors_origins } },
	{ "allowCredentials", &s_bool },
	{ "allowMethods", &(const struct gw_schema){ .type = GW_ST_ARR,
						      .items = &(const struct gw_schema){
							      .type = GW_ST_STR,
							      .enums = e_http_method_wc },
						      .max_items = 9,
						      .rule = rule_cors_methods } },
	{ "allowHeaders", &(const struct gw_schema){ .type = GW_ST_ARR, .items = &s_header_name,
						      .max_items = 64,
						      .rule = rule_cors_headers } },
	{ "exposeHeaders", &(const struct gw_schema){ .type = GW_ST_ARR, .items = &s_header_name,
						       .max_items = 64, .rule = rule_set } },
	{ "maxAge", &(const struct gw_schema){ .type = GW_ST_INT, .has_range = true, .min = 1,
						.max = INT32_MAX },
	  .def = "5" },
	{ NULL },
};

/* GRPCAuthConfig: allowedHeaders +listType=set MaxItems=64 */
static const struct gw_schema s_auth_headers = { .type = GW_ST_ARR, .items = &s_str,
						 .max_items = 64, .rule = rule_set };

static const struct gw_sfield grpc_auth_fields[] = {
	{ "allowedHeaders", &s_auth_headers },
	{ NULL },
};

/* HTTPAuthConfig: path MaxLength=1024 */
static const struct gw_sfield http_auth_fields[] = {
	{ "path", &(const struct gw_schema){ .type = GW_ST_STR, .max_len = 1024,
					      .format = fmt_path_chars } },
	{ "allowedHeaders", &s_auth_headers },
	{ "allowedResponseHeaders", &s_auth_headers },
	{ NULL },
};

/* ForwardBodyConfig: maxSize Minimum=0 */
static const struct gw_sfield forward_body_fields[] = {
	{ "maxSize", &(const struct gw_schema){ .type = GW_ST_INT, .has_range = true, .min = 0,
						 .max = INT32_MAX } },
	{ NULL },
};

/*
 * HTTPExternalAuthFilter (experimental)
 *   "grpc must be specified when protocol is set to 'GRPC'"
 *   "protocol must be 'GRPC' when grpc is set"
 *   "http must be specified when protocol is set to 'HTTP'"
 *   "protocol must be 'HTTP' when http is set"
 */
static int rule_external_auth(struct gw_sctx *c, struct gw_yval *v)
{
	const char *proto = sget(v, "protocol");
	int nerr = 0;

	if (streq(proto, "GRPC") && !has(v, "grpc")) {
		gw_schema_error(c, v, "grpc", "grpc must be specified when protocol is set to "
					      "'GRPC'");
		nerr++;
	}
	if (has(v, "grpc") && !streq(proto, "GRPC")) {
		gw_schema_error(c, v, "protocol", "protocol must be 'GRPC' when grpc is set");
		nerr++;
	}
	if (streq(proto, "HTTP") && !has(v, "http")) {
		gw_schema_error(c, v, "http", "http must be specified when protocol is set to "
					      "'HTTP'");
		nerr++;
	}
	if (has(v, "http") && !streq(proto, "HTTP")) {
		gw_schema_error(c, v, "protocol", "protocol must be 'HTTP' when http is set");
		nerr++;
	}
	return nerr;
}

/* HTTPRouteExternalAuthProtocol: Enum=HTTP;GRPC */
static const char *const e_auth_protocol[] = { "HTTP", "GRPC", NULL };

static const struct gw_sfield external_auth_fields[] = {
	{ "protocol", &(const struct gw_schema){ .type = GW_ST_STR, .enums = e_auth_protocol },
	  true },
	{ "backendRef", &s_backend_obj_ref, true },
	{ "grpc", &(const struct gw_schema){ .type = GW_ST_OBJ, .fields = grpc_auth_fields } },
	{ "http", &(const struct gw_schema){ .type = GW_ST_OBJ, .fields = http_auth_fields } },
	{ "forwardBody", &(const struct gw_schema){ .type = GW_ST_OBJ,
						     .fields = forward_body_fields } },
	{ NULL },
};

/*
 * HTTPRouteFilter / GRPCRouteFilter union members: for each, the CEL pair
 *   "filter.<field> must be nil if the filter.type is not <Type>"
 *   "filter.<field> must be specified for <Type> filter.type"
 */
struct filter_member {
	const char *field, *type;
};

static int filter_union(struct gw_sctx *c, struct gw_yval *v, const struct filter_member *m,
			size_t n)
{
	const char *type = sget(v, "type");
	int nerr = 0;

	for (size_t k = 0; k < n; k++) {
		bool present = has(v, m[k].field), selected = streq(type, m[k].type);

		if (present && !selected) {
			gw_schema_error(c, gw_yget(v, m[k].field), m[k].field,
					"filter.%s must be nil if the filter.type is not %s",
					m[k].field, m[k].type);
			nerr++;
		}
		if (!present && selected) {
			gw_schema_error(c, v, m[k].field,
					"filter.%s must be specified for %s filter.type",
					m[k].field, m[k].type);
			nerr++;
		}
	}
	return nerr;
}

static int rule_http_filter(struct gw_sctx *c, struct gw_yval *v)
{
	static const struct filter_member members[] = {
		{ "cors", "CORS" },
		{ "requestHeaderModifier", "RequestHeaderModifier" },
		{ "responseHeaderModifier", "ResponseHeaderModifier" },
		{ "requestMirror", "RequestMirror" },
		{ "requestRedirect", "RequestRedirect" },
		{ "urlRewrite", "URLRewrite" },
		{ "externalAuth", "ExternalAuth" },
		{ "extensionRef", "ExtensionRef" },
	};

	return filter_union(c, v, members, sizeof(members) / sizeof(members[0]));
}

/* HTTPRouteFilterType: standard enum plus the experimental ExternalAuth */
static const char *const e_http_filter[] = { "RequestHeaderModifier",
					     "ResponseHeaderModifier",
					     "RequestMirror",
					     "RequestRedirect",
					     "URLRewrite",
					     "ExtensionRef",
					     "CORS",
					     "ExternalAuth",
					     NULL };

/* HTTPRouteFilter */
static const struct gw_sfield http_filter_fields[] = {
	{ "type", &(const struct gw_schema){ .type = GW_ST_STR, .enums = e_http_filter }, true },
	{ "requestHeaderModifier", &s_http_header_filter },
	{ "responseHeaderModifier", &s_http_header_filter },
	{ "requestMirror", &(const struct gw_schema){ .type = GW_ST_OBJ, .fields = mirror_fields,
						       .rule = rule_http_mirror } },
	{ "requestRedirect", &(const struct gw_schema){ .type = GW_ST_OBJ,
							 .fields = redirect_fields } },
	{ "urlRewrite", &(const struct gw_schema){ .type = GW_ST_OBJ,
						    .fields = url_rewrite_fields } },
	{ "cors", &(const struct gw_schema){ .type = GW_ST_OBJ, .fields = cors_fields } },
	/* experimental */
	{ "externalAuth", &(const struct gw_schema){ .type = GW_ST_OBJ,
						      .fields = external_auth_fields,
						      .rule = rule_external_auth } },
	{ "extensionRef", &s_local_obj_ref },
	{ NULL },
};

/* Reports a repeated filter type at its second occurrence. */
static int filter_not_repeated(struct gw_sctx *c, const struct gw_yval *v, const char *type)
{
	bool seen = false;

	for (size_t i = 0; i < v->n; i++) {
		if (!streq(sget(v->items[i], "type"), type))
			continue;
		if (seen) {
			char msg[96];

			snprintf(msg, sizeof(msg), "%s filter cannot be repeated", type);
			return item_err(c, v, i, NULL, msg);
		}
		seen = true;
	}
	return 0;
}

/*
 * HTTPRouteRule.filters and HTTPBackendRef.filters
 *   "May specify either httpRouteFilterRequestRedirect or
 *    httpRouteFilterRequestRewrite, but not both"
 *   "CORS filter cannot be repeated"
 *   "RequestHeaderModifier filter cannot be repeated"
 *   "ResponseHeaderModifier filter cannot be repeated"
 *   "RequestRedirect filter cannot be repeated"
 *   "URLRewrite filter cannot be repeated"
 */
static int rule_http_filters(struct gw_sctx *c, struct gw_yval *v)
{
	static const char *const once[] = { "CORS", "RequestHeaderModifier",
					    "ResponseHeaderModifier", "RequestRedirect",
					    "URLRewrite" };
	bool redirect = false, rewrite = false;
	int nerr = 0;

	for (size_t i = 0; i < v->n; i++) {
		const char *t = sget(v->items[i], "type");

		redirect |= streq(t, "RequestRedirect");
		rewrite |= streq(t, "URLRewrite");
		if (redirect && rewrite) {
			nerr += item_err(c, v, i, NULL,
					 "May specify either httpRouteFilterRequestRedirect or "
					 "httpRouteFilterRequestRewrite, but not both");
			break;
		}
	}
	for (size_t k = 0; k < sizeof(once) / sizeof(once[0]); k++)
		nerr += filter_not_repeated(c, v, once[k]);
	return nerr;
}

/* HTTPRouteRule.filters / HTTPBackendRef.filters: MaxItems=16 */
static const struct gw_schema s_http_filters = {
	.type = GW_ST_ARR,
	.items = &(const struct gw_schema){ .type = GW_ST_OBJ, .fields = http_filter_fields,
					    .rule = rule_http_filter },
	.max_items = 16,
	.rule = rule_http_filters,
};

/* HTTPBackendRef */
static const struct gw_sfield http_backend_ref_fields[] = {
	BACKEND_REF_FIELDS,
	{ "filters", &s_http_filters },
	{ NULL },
};

/*
 * HTTPRouteTimeouts
 *   "backendRequest timeout cannot be longer than request timeout"
 */
static int rule_http_timeouts(struct gw_sctx *c, struct gw_yval *v)
{
	const char *req = sget(v, "request"), *breq = sget(v, "backendRequest");
	long long r, b;

	if (!req || !breq)
		return 0;
	r = gw_duration_ms(req);
	b = gw_duration_ms(breq);
	if (r != 0 && b > r) {
		gw_schema_error(c, v, "backendRequest",
				"backendRequest timeout cannot be longer than request timeout");
		return 1;
	}
	return 0;
}

static const struct gw_sfield http_timeouts_fields[] = {
	{ "request", &s_duration },
	{ "backendRequest", &s_duration },
	{ NULL },
};

/* HTTPRouteRetryStatusCode: Minimum=400, Maximum=599; codes +listType=set */
static const struct gw_sfield http_retry_fields[] = {
	{ "codes", &(const struct gw_schema){ .type = GW_ST_ARR,
					       .items = &(const struct gw_schema){
						       .type = GW_ST_INT, .has_range = true,
						       .min = 400, .max = 599 },
					       .rule = rule_set } },
	{ "attempts", &(const struct gw_schema){ .type = GW_ST_INT } },
	{ "backoff", &s_duration },
	{ NULL },
};

/* CookieLifetimeType: Enum=Permanent;Session, default=Session */
static const char *const e_cookie_lifetime[] = { "Permanent", "Session", NULL };

static const struct gw_sfield cookie_config_fields[] = {
	{ "lifetimeType", &(const struct gw_schema){ .type = GW_ST_STR,
						      .enums = e_cookie_lifetime },
	  .def = "Session" },
	{ NULL },
};

/*
 * SessionPersistence (apis/v1/shared_types.go, experimental)
 *   "AbsoluteTimeout must be specified when cookie lifetimeType is Permanent"
 */
static int rule_session_persistence(struct gw_sctx *c, struct gw_yval *v)
{
	if (streq(sget(gw_yget(v, "cookieConfig"), "lifetimeType"), "Permanent") &&
	    !has(v, "absoluteTimeout")) {
		gw_schema_error(c, v, "absoluteTimeout",
				"AbsoluteTimeout must be specified when cookie lifetimeType is "
				"Permanent");
		return 1;
	}
	return 0;
}

/* SessionPersistenceType: Enum=Cookie;Header, default=Cookie; sessionName MaxLength=128 */
static const char *const e_session_type[] = { "Cookie", "Header", NULL };

static const struct gw_sfield session_persistence_fields[] = {
	{ "sessionName", &(const struct gw_schema){ .type = GW_ST_STR, .max_len = 128 } },
	{ "absoluteTimeout", &s_duration },
	{ "idleTimeout", &s_duration },
	{ "type", &(const struct gw_schema){ .type = GW_ST_STR, .enums = e_session_type },
	  .def = "Cookie" },
	{ "cookieConfig", &(const struct gw_schema){ .type = GW_ST_OBJ,
						      .fields = cookie_config_fields } },
	{ NULL },
};

static const struct gw_schema s_session_persistence = { .type = GW_ST_OBJ,
							.fields = session_persistence_fields,
							.rule = rule_session_persistence };

/* A filter list holds exactly one filter with <kind>.path.type == ReplacePrefixMatch. */
static bool one_prefix_modifier(const struct gw_yval *filters, const char *kind)
{
	size_t n = 0;

	for (size_t i = 0; i < gw_ylen(filters); i++) {
		const struct gw_yval *p = gw_ypath(filters->items[i], kind);

		p = gw_yget(p, "path");
		if (streq(sget(p, "type"), "ReplacePrefixMatch") && has(p, "replacePrefixMatch"))
			n++;
	}
	return n == 1;
}

/*
 * HTTPRouteRule
 *   "RequestRedirect filter must not be used together with backendRefs"
 *   "When using RequestRedirect filter with path.replacePrefixMatch, exactly one
 *    PathPrefix match must be specified"
 *   "When using URLRewrite filter with path.replacePrefixMatch, exactly one PathPrefix
 *    match must be specified"
 *   "Within backendRefs, when using RequestRedirect filter with path.replacePrefixMatch,
 *    exactly one PathPrefix match must be specified"
 *   "Within backendRefs, When using URLRewrite filter with path.replacePrefixMatch,
 *    exactly one PathPrefix match must be specified"
 * (the backendRefs rules use exists_one over backendRefs, as the CEL does)
 */
static int rule_http_route_rule(struct gw_sctx *c, struct gw_yval *v)
{
	static const char *const kinds[] = { "requestRedirect", "urlRewrite" };
	static const char *const msgs[] = {
		"When using RequestRedirect filter with path.replacePrefixMatch, exactly one "
		"PathPrefix match must be specified",
		"When using URLRewrite filter with path.replacePrefixMatch, exactly one "
		"PathPrefix match must be specified",
		"Within backendRefs, when using RequestRedirect filter with "
		"path.replacePrefixMatch, exactly one PathPrefix match must be specified",
		"Within backendRefs, When using URLRewrite filter with path.replacePrefixMatch, "
		"exactly one PathPrefix match must be specified",
	};
	const struct gw_yval *filters = gw_yget(v, "filters");
	const struct gw_yval *backends = gw_yget(v, "backendRefs");
	const struct gw_yval *matches = gw_yget(v, "matches");
	const struct gw_yval *m0 = gw_ylen(matches) ? matches->items[0] : NULL;
	bool one_prefix = gw_ylen(matches) == 1 && has(m0, "path") &&
			  streq(sget(gw_yget(m0, "path"), "type"), "PathPrefix");
	int nerr = 0;

	if (gw_ylen(backends)) {
		for (size_t i = 0; i < gw_ylen(filters); i++) {
			if (has(filters->items[i], "requestRedirect")) {
				gw_schema_error(c, v, "filters",
						"RequestRedirect filter must not be used together "
						"with backendRefs");
				nerr++;
				break;
			}
		}
	}
	for (size_t k = 0; k < 2; k++) {
		size_t nb = 0;

		if (one_prefix_modifier(filters, kinds[k]) && !one_prefix) {
			gw_schema_error(c, v, "matches", "%s", msgs[k]);
			nerr++;
		}
		for (size_t i = 0; i < gw_ylen(backends); i++)
			nb += one_prefix_modifier(gw_yget(backends->items[i], "filters"), kinds[k]);
		if (nb == 1 && !one_prefix) {
			gw_schema_error(c, v, "matches", "%s", msgs[2 + k]);
			nerr++;
		}
	}
	return nerr;
}

/* HTTPRouteRule.matches default={{path:{type: "PathPrefix", value: "/"}}} */
static const char DEF_HTTP_MATCHES[] = "[{path: {type: PathPrefix, value: /}}]";

/* HTTPRouteRule: matches MaxItems=64, filters MaxItems=16, backendRefs MaxItems=16 */
static const struct gw_sfield http_route_rule_fields[] = {
	{ "name", &s_section },
	{ "matches", &(const struct gw_schema){ .type = GW_ST_ARR,
						 .items = &(const struct gw_schema){
							 .type = GW_ST_OBJ,
							 .fields = http_route_match_fields },
						 .max_items = 64 },
	  .def = DEF_HTTP_MATCHES },
	{ "filters", &s_http_filters },
	{ "backendRefs", &(const struct gw_schema){ .type = GW_ST_ARR,
						     .items = &(const struct gw_schema){
							     .type = GW_ST_OBJ,
							     .fields = http_backend_ref_fields,
							     .rule = rule_backend_obj_ref },
						     .max_items = 16 } },
	{ "timeouts", &(const struct gw_schema){ .type = GW_ST_OBJ,
						  .fields = http_timeouts_fields,
						  .rule = rule_http_timeouts } },
	{ "retry", &(const struct gw_schema){ .type = GW_ST_OBJ, .fields = http_retry_fields } },
	/* experimental, deprecated in favour of the Backend resource (GEP-4894) */
	{ "sessionPersistence", &s_session_persistence },
	{ NULL },
};

/* HTTPRouteSpec.hostnames / GRPCRouteSpec.hostnames: MaxItems=16 */
static const struct gw_schema s_route_hostnames = { .type = GW_ST_ARR, .items = &s_hostname,
						    .max_items = 16 };

/* HTTPRouteSpec: rules MinItems=1 MaxItems=16, default one PathPrefix "/" rule */
static const struct gw_sfield http_route_spec_fields[] = {
	{ "parentRefs", &s_parent_refs },
	/* experimental (GEP-3793) */
	{ "useDefaultGateways", &s_default_scope },
	{ "hostnames", &s_route_hostnames },
	{ "rules", &(const struct gw_schema){ .type = GW_ST_ARR,
					       .items = &(const struct gw_schema){
						       .type = GW_ST_OBJ,
						       .fields = http_route_rule_fields,
						       .rule = rule_http_route_rule },
					       .min_items = 1, .max_items = 16,
					       .rule = rule_route_rules },
	  .def = "[{matches: [{path: {type: PathPrefix, value: /}}]}]" },
	{ NULL },
};

const struct gw_sfield gw_fields_httproute[] = {
	{ "spec", &(const struct gw_schema){ .type = GW_ST_OBJ,
					      .fields = http_route_spec_fields },
	  true },
	{ NULL },
};

/* ---- GRPCRoute (apis/v1/grpcroute_types.go) ------------------------------ */

static bool grpc_ident_ok(const char *s, bool dotted, bool fold)
{
	bool start = true;

	if (dotted && *s == '.')
		s++;
	if (!*s)
		return false;
	for (; *s; s++) {
		int ch = fold ? tolower((unsigned char)*s) : (unsigned char)*s;

		if (dotted && ch == '.' && !start) {
			start = true;
			continue;
		}
		if (ch == '_' || (fold ? (ch >= 'a' && ch <= 'z') : isalpha(ch)) ||
		    (!start && isdigit(ch))) {
			start = false;
			continue;
		}
		return false;
	}
	return !start;
}

/*
 * GRPCMethodMatch
 *   "One or both of 'service' or 'method' must be specified"
 *   "service must only contain valid characters (matching
 *    ^(?i)\.?[a-z_][a-z_0-9]*(\.[a-z_][a-z_0-9]*)*$)"
 *   "method must only contain valid characters (matching ^[A-Za-z_][A-Za-z_0-9]*$)"
 */
static int rule_grpc_method_match(struct gw_sctx *c, struct gw_yval *v)
{
	const char *type = sget(v, "type");
	const char *service = sget(v, "service"), *method = sget(v, "method");
	bool exact = !type || streq(type, "Exact");
	int nerr = 0;

	if (type && !service && !method) {
		gw_schema_error(c, v, NULL, "One or both of 'service' or 'method' must be "
					    "specified");
		nerr++;
	}
	if (exact && service && !grpc_ident_ok(service, true, true)) {
		gw_schema_error(c, gw_yget(v, "service"), "service",
				"service must only contain valid characters (matching "
				"^(?i)\\.?[a-z_][a-z_0-9]*(\\.[a-z_][a-z_0-9]*)*$)");
		nerr++;
	}
	if (exact && method && !grpc_ident_ok(method, false, false)) {
		gw_schema_error(c, gw_yget(v, "method"), "method",
				"method must only contain valid characters (matching "
				"^[A-Za-z_][A-Za-z_0-9]*$)");
		nerr++;
	}
	return nerr;
}

/* GRPCMethodMatch: type default=Exact, service/method MaxLength=1024 */
static const struct gw_sfield grpc_method_match_fields[] = {
	{ "type", &s_exact_regex, .def = DEF_EXACT },
	{ "service", &s_path_value },
	{ "method", &s_path_value },
	{ NULL },
};

/* GRPCHeaderMatch: value MinLength=1 MaxLength=4096 */
static const struct gw_sfield grpc_header_match_fields[] = {
	{ "type", &s_exact_regex, .def = DEF_EXACT },
	{ "name", &s_header_name, true },
	{ "value", &(const struct gw_schema){ .type = GW_ST_STR, .min_len = 1,
					       .max_len = 4096 },
	  true },
	{ NULL },
};

/* GRPCRouteMatch: headers +listType=map +listMapKey=name, MaxItems=16 */
static const struct gw_sfield grpc_route_match_fields[] = {
	{ "method", &(const struct gw_schema){ .type = GW_ST_OBJ,
						.fields = grpc_method_match_fields,
						.rule = rule_grpc_method_match } },
	{ "headers", &(const struct gw_schema){ .type = GW_ST_ARR,
						 .items = &(const struct gw_schema){
							 .type = GW_ST_OBJ,
							 .fields = grpc_header_match_fields },
						 .max_items = 16, .unique_key = "name" } },
	{ NULL },
};

static int rule_grpc_filter(struct gw_sctx *c, struct gw_yval *v)
{
	static const struct filter_member members[] = {
		{ "requestHeaderModifier", "RequestHeaderModifier" },
		{ "responseHeaderModifier", "ResponseHeaderModifier" },
		{ "requestMirror", "RequestMirror" },
		{ "extensionRef", "ExtensionRef" },
	};

	return filter_union(c, v, members, sizeof(members) / sizeof(members[0]));
}

/* GRPCRouteFilterType */
static const char *const e_grpc_filter[] = { "ResponseHeaderModifier", "RequestHeaderModifier",
					     "RequestMirror", "ExtensionRef", NULL };

/* GRPCRouteFilter */
static const struct gw_sfield grpc_filter_fields[] = {
	{ "type", &(const struct gw_schema){ .type = GW_ST_STR, .enums = e_grpc_filter }, true },
	{ "requestHeaderModifier", &s_http_header_filter },
	{ "responseHeaderModifier", &s_http_header_filter },
	{ "requestMirror", &(const struct gw_schema){ .type = GW_ST_OBJ,
						       .fields = mirror_fields } },
	{ "extensionRef", &s_local_obj_ref },
	{ NULL },
};

/*
 * GRPCRouteRule.filters and GRPCBackendRef.filters
 *   "RequestHeaderModifier filter cannot be repeated"
 *   "ResponseHeaderModifier filter cannot be repeated"
 */
static int rule_grpc_filters(struct gw_sctx *c, struct gw_yval *v)
{
	return filter_not_repeated(c, v, "RequestHeaderModifier") +
	       filter_not_repeated(c, v, "ResponseHeaderModifier");
}

static const struct gw_schema s_grpc_filters = {
	.type = GW_ST_ARR,
	.items = &(const struct gw_schema){ .type = GW_ST_OBJ, .fields = grpc_filter_fields,
					    .rule = rule_grpc_filter },
	.max_items = 16,
	.rule = rule_grpc_filters,
};

/* GRPCBackendRef */
static const struct gw_sfield grpc_backend_ref_fields[] = {
	BACKEND_REF_FIELDS,
	{ "filters", &s_grpc_filters },
	{ NULL },
};

/* GRPCRouteRule: matches MaxItems=8, filters MaxItems=16, backendRefs MaxItems=16 */
static const struct gw_sfield grpc_route_rule_fields[] = {
	{ "name", &s_section },
	{ "matches", &(const struct gw_schema){ .type = GW_ST_ARR,
						 .items = &(const struct gw_schema){
							 .type = GW_ST_OBJ,
							 .fields = grpc_route_match_fields },
						 .max_items = 8 } },
	{ "filters", &s_grpc_filters },
	{ "backendRefs", &(const struct gw_schema){ .type = GW_ST_ARR,
						     .items = &(const struct gw_schema){
							     .type = GW_ST_OBJ,
							     .fields = grpc_backend_ref_fields,
							     .rule = rule_backend_obj_ref },
						     .max_items = 16 } },
	/* experimental */
	{ "sessionPersistence", &s_session_persistence },
	{ NULL },
};

/* GRPCRouteSpec: rules MaxItems=16 */
static const struct gw_sfield grpc_route_spec_fields[] = {
	{ "parentRefs", &s_parent_refs },
	/* experimental (GEP-3793) */
	{ "useDefaultGateways", &s_default_scope },
	{ "hostnames", &s_route_hostnames },
	{ "rules", &(const struct gw_schema){ .type = GW_ST_ARR,
					       .items = &(const struct gw_schema){
						       .type = GW_ST_OBJ,
						       .fields = grpc_route_rule_fields },
					       .max_items = 16, .rule = rule_route_rules } },
	{ NULL },
};

/* GRPCRoute.spec is `json:"spec,omitempty"` without +required */
const struct gw_sfield gw_fields_grpcroute[] = {
	{ "spec", &(const struct gw_schema){ .type = GW_ST_OBJ,
					      .fields = grpc_route_spec_fields } },
	{ NULL },
};

/* ---- TLSRoute, TCPRoute, UDPRoute ---------------------------------------- */

/* BackendRef lists of the L4 routes: MinItems=1, MaxItems=16 */
static const struct gw_schema s_l4_backend_refs = { .type = GW_ST_ARR, .items = &s_backend_ref,
						    .min_items = 1, .max_items = 16 };

/* TLSRouteRule / TCPRouteRule / UDPRouteRule (apis/v1): backendRefs required */
static const struct gw_sfield l4_rule_fields[] = {
	{ "name", &s_section },
	{ "backendRefs", &s_l4_backend_refs, true },
	{ NULL },
};

/* v1 L4 rules: +required, MinItems=1, MaxItems=1 (+ experimental rule name uniqueness) */
static const struct gw_schema s_l4_rules = {
	.type = GW_ST_ARR,
	.items = &(const struct gw_schema){ .type = GW_ST_OBJ, .fields = l4_rule_fields },
	.min_items = 1,
	.max_items = 1,
	.rule = rule_route_rules_names,
};

/*
 * TLSRouteSpec.hostnames (apis/v1/tlsroute_types.go)
 *   "Hostnames cannot contain an IP"
 *   "Hostnames must be valid based on RFC-1123"
 *   "Wildcards on hostnames must be the first label, and the rest of hostname must be
 *    valid based on RFC-1123"
 */
static int rule_tls_hostnames(struct gw_sctx *c, struct gw_yval *v)
{
	static const char *const msgs[] = {
		"Hostnames cannot contain an IP",
		"Hostnames must be valid based on RFC-1123",
		"Wildcards on hostnames must be the first label, and the rest of hostname must "
		"be valid based on RFC-1123",
	};
	int nerr = 0;

	for (size_t r = 0; r < 3; r++) {
		for (size_t i = 0; i < v->n; i++) {
			const char *h = v->items[i]->str;
			bool wild = strchr(h, '*') != NULL, bad;

			if (r == 0)
				bad = is_ip(h);
			else if (r == 1)
				bad = !wild && !gw_rfc1123_subdomain(h, strlen(h));
			else
				bad = wild && (strncmp(h, "*.", 2) ||
					       !gw_rfc1123_subdomain(h + 2, strlen(h + 2)));
			if (bad) {
				nerr += item_err(c, v, i, NULL, msgs[r]);
				break;
			}
		}
	}
	return nerr;
}

/* TLSRouteSpec (v1, also served as v1alpha3): hostnames +required MinItems=1 MaxItems=1024 */
static const struct gw_sfield tls_route_spec_fields[] = {
	{ "parentRefs", &s_parent_refs },
	/* experimental (GEP-3793) */
	{ "useDefaultGateways", &s_default_scope },
	{ "hostnames", &(const struct gw_schema){ .type = GW_ST_ARR, .items = &s_hostname,
						   .min_items = 1, .max_items = 1024,
						   .rule = rule_tls_hostnames },
	  true },
	{ "rules", &s_l4_rules, true },
	{ NULL },
};

const struct gw_sfield gw_fields_tlsroute[] = {
	{ "spec", &(const struct gw_schema){ .type = GW_ST_OBJ, .fields = tls_route_spec_fields },
	  true },
	{ NULL },
};

/* TLSRouteRule (apis/v1alpha2): backendRefs MinItems=1 MaxItems=16, optional */
static const struct gw_sfield l4_rule_v1alpha2_fields[] = {
	{ "name", &s_section },
	{ "backendRefs", &s_l4_backend_refs },
	{ NULL },
};

/* v1alpha2 L4 rules (TLS/TCP/UDP): MinItems=1 MaxItems=16 */
static const struct gw_schema s_l4_rules_v1alpha2 = {
	.type = GW_ST_ARR,
	.items = &(const struct gw_schema){ .type = GW_ST_OBJ, .fields = l4_rule_v1alpha2_fields },
	.min_items = 1,
	.max_items = 16,
	.rule = rule_route_rules_names,
};

/* TLSRouteSpec (apis/v1alpha2): hostnames MaxItems=16, rules MinItems=1 MaxItems=16 */
static const struct gw_sfield tls_route_v1alpha2_spec_fields[] = {
	{ "parentRefs", &s_parent_refs },
	/* experimental (GEP-3793) */
	{ "useDefaultGateways", &s_default_scope },
	{ "hostnames", &s_route_hostnames },
	{ "rules", &s_l4_rules_v1alpha2, true },
	{ NULL },
};

const struct gw_sfield gw_fields_tlsroute_v1alpha2[] = {
	{ "spec", &(const struct gw_schema){ .type = GW_ST_OBJ,
					      .fields = tls_route_v1alpha2_spec_fields },
	  true },
	{ NULL },
};

/* TCPRouteSpec / UDPRouteSpec (apis/v1, also served as v1alpha2) */
static const struct gw_sfield l4_route_spec_fields[] = {
	{ "parentRefs", &s_parent_refs },
	/* experimental (GEP-3793) */
	{ "useDefaultGateways", &s_default_scope },
	{ "rules", &s_l4_rules, true },
	{ NULL },
};

static const struct gw_schema s_l4_route_spec = { .type = GW_ST_OBJ,
						  .fields = l4_route_spec_fields };

/* TCPRoute (apis/v1/tcproute_types.go) */
const struct gw_sfield gw_fields_tcproute[] = {
	{ "spec", &s_l4_route_spec, true },
	{ NULL },
};

/* UDPRoute (apis/v1, GEP for UDPRoute's standard promotion) */
const struct gw_sfield gw_fields_udproute[] = {
	{ "spec", &s_l4_route_spec, true },
	{ NULL },
};

/*
 * TCPRouteSpec / UDPRouteSpec (apis/v1alpha2), what manifests written for
 * Gateway API v1.3/v1.4 use: rules MinItems=1 MaxItems=16, each rule's
 * backendRefs MinItems=1 MaxItems=16.
 */
static const struct gw_sfield l4_route_v1alpha2_spec_fields[] = {
	{ "parentRefs", &s_parent_refs },
	{ "useDefaultGateways", &s_default_scope },
	{ "rules", &s_l4_rules_v1alpha2, true },
	{ NULL },
};

const struct gw_sfield gw_fields_l4route_v1alpha2[] = {
	{ "spec", &(const struct gw_schema){ .type = GW_ST_OBJ,
					      .fields = l4_route_v1alpha2_spec_fields },
	  true },
	{ NULL },
};

/* ---- ReferenceGrant (apis/v1/referencegrant_types.go) -------------------- */

/* ReferenceGrantFrom */
static const struct gw_sfield refgrant_from_fields[] = {
	{ "group", &s_group, true },
	{ "kind", &s_kind, true },
	{ "namespace", &s_namespace, true },
	{ NULL },
};

/* ReferenceGrantTo */
static const struct gw_sfield refgrant_to_fields[] = {
	{ "group", &s_group, true },
	{ "kind", &s_kind, true },
	{ "name", &s_objname },
	{ NULL },
};

/* ReferenceGrantSpec: from/to +required MinItems=1 MaxItems=16 */
static const struct gw_sfield refgrant_spec_fields[] = {
	{ "from", &(const struct gw_schema){ .type = GW_ST_ARR,
					      .items = &(const struct gw_schema){
						      .type = GW_ST_OBJ,
						      .fields = refgrant_from_fields },
					      .min_items = 1, .max_items = 16 },
	  true },
	{ "to", &(const struct gw_schema){ .type = GW_ST_ARR,
					    .items = &(const struct gw_schema){
						    .type = GW_ST_OBJ,
						    .fields = refgrant_to_fields },
					    .min_items = 1, .max_items = 16 },
	  true },
	{ NULL },
};

/* ReferenceGrant.spec is +optional */
const struct gw_sfield gw_fields_referencegrant[] = {
	{ "spec", &(const struct gw_schema){ .type = GW_ST_OBJ,
					      .fields = refgrant_spec_fields } },
	{ NULL },
};

/* ---- BackendTLSPolicy (apis/v1/backendtlspolicy_types.go) --------------- */

/* LocalPolicyTargetReferenceWithSectionName (apis/v1/policy_types.go) */
const struct gw_sfield gw_sfields_policy_target_ref[] = {
	{ "group", &s_group, true },
	{ "kind", &s_kind, true },
	{ "name", &s_objname, true },
	{ "sectionName", &s_section },
	{ NULL },
};

/*
 * BackendTLSPolicySpec.targetRefs
 *   "sectionName must be specified when targetRefs includes 2 or more references to
 *    the same target"
 *   "sectionName must be unique when targetRefs includes 2 or more references to the
 *    same target"
 */
static bool same_target(const struct gw_yval *a, const struct gw_yval *b)
{
	return streq(sget(a, "group"), sget(b, "group")) &&
	       streq(sget(a, "kind"), sget(b, "kind")) && streq(sget(a, "name"), sget(b, "name"));
}

static int rule_target_refs(struct gw_sctx *c, struct gw_yval *v)
{
	int nerr = 0;

	for (size_t j = 1; j < v->n; j++)
		for (size_t i = 0; i < j; i++)
			if (same_target(v->items[i], v->items[j]) &&
			    unset_or_empty(sget(v->items[i], "sectionName")) !=
				    unset_or_empty(sget(v->items[j], "sectionName")))
				return item_err(c, v, j, "sectionName",
						"sectionName must be specified when targetRefs "
						"includes 2 or more references to the same target");
	for (size_t j = 1; j < v->n && !nerr; j++) {
		for (size_t i = 0; i < j; i++) {
			const char *s1 = sget(v->items[i], "sectionName");
			const char *s2 = sget(v->items[j], "sectionName");

			if (same_target(v->items[i], v->items[j]) &&
			    ((unset_or_empty(s1) && unset_or_empty(s2)) || streq(s1, s2))) {
				nerr += item_err(c, v, j, "sectionName",
						 "sectionName must be unique when targetRefs "
						 "includes 2 or more references to the same "
						 "target");
				break;
			}
		}
	}
	return nerr;
}

/*
 * SubjectAltName
 *   "SubjectAltName element must contain Hostname, if Type is set to Hostname"
 *   "SubjectAltName element must not contain Hostname, if Type is not set to Hostname"
 *   "SubjectAltName element must contain URI, if Type is set to URI"
 *   "SubjectAltName element must not contain URI, if Type is not set to URI"
 */
static int rule_subject_alt_name(struct gw_sctx *c, struct gw_yval *v)
{
	const char *type = sget(v, "type");
	const char *host = sget(v, "hostname"), *uri = sget(v, "uri");
	int nerr = 0;

	if (streq(type, "Hostname") && unset_or_empty(host)) {
		gw_schema_error(c, v, "hostname", "SubjectAltName element must contain Hostname, "
						  "if Type is set to Hostname");
		nerr++;
	}
	if (!streq(type, "Hostname") && !unset_or_empty(host)) {
		gw_schema_error(c, v, "hostname", "SubjectAltName element must not contain "
						  "Hostname, if Type is not set to Hostname");
		nerr++;
	}
	if (streq(type, "URI") && unset_or_empty(uri)) {
		gw_schema_error(c, v, "uri", "SubjectAltName element must contain URI, if Type is "
					     "set to URI");
		nerr++;
	}
	if (!streq(type, "URI") && !unset_or_empty(uri)) {
		gw_schema_error(c, v, "uri", "SubjectAltName element must not contain URI, if "
					     "Type is not set to URI");
		nerr++;
	}
	return nerr;
}

/* SubjectAltNameType: Enum=Hostname;URI */
static const char *const e_san_type[] = { "Hostname", "URI", NULL };

static const struct gw_sfield subject_alt_name_fields[] = {
	{ "type", &(const struct gw_schema){ .type = GW_ST_STR, .enums = e_san_type }, true },
	{ "hostname", &s_hostname },
	{ "uri", &s_absolute_uri },
	{ NULL },
};

/*
 * BackendTLSPolicyValidation
 *   "must not contain both CACertificateRefs and WellKnownCACertificates"
 *   "must specify either CACertificateRefs or WellKnownCACertificates"
 */
static int rule_btls_validation(struct gw_sctx *c, struct gw_yval *v)
{
	bool refs = gw_ylen(gw_yget(v, "caCertificateRefs")) > 0;
	bool wk = !unset_or_empty(sget(v, "wellKnownCACertificates"));

	if (refs && wk) {
		gw_schema_error(c, v, NULL, "must not contain both CACertificateRefs and "
					    "WellKnownCACertificates");
		return 1;
	}
	if (!refs && !wk) {
		gw_schema_error(c, v, NULL, "must specify either CACertificateRefs or "
					    "WellKnownCACertificates");
		return 1;
	}
	return 0;
}

/* WellKnownCACertificatesType: Enum=System */
static const char *const e_well_known_ca[] = { "System", NULL };
static const struct gw_schema s_well_known_ca = { .type = GW_ST_STR, .enums = e_well_known_ca };

/* BackendTLSPolicyValidation: caCertificateRefs MaxItems=8, subjectAltNames MaxItems=5 */
static const struct gw_sfield btls_validation_fields[] = {
	{ "caCertificateRefs", &(const struct gw_schema){ .type = GW_ST_ARR,
							   .items = &s_local_obj_ref,
							   .max_items = 8 } },
	{ "wellKnownCACertificates", &s_well_known_ca },
	{ "hostname", &s_precise_hostname, true },
	{ "subjectAltNames", &(const struct gw_schema){ .type = GW_ST_ARR,
							 .items = &(const struct gw_schema){
								 .type = GW_ST_OBJ,
								 .fields = subject_alt_name_fields,
								 .rule = rule_subject_alt_name },
							 .max_items = 5 } },
	{ NULL },
};

/* BackendTLSPolicySpec: targetRefs +required MinItems=1 MaxItems=16, options MaxProperties=16 */
static const struct gw_sfield btls_spec_fields[] = {
	{ "targetRefs", &(const struct gw_schema){ .type = GW_ST_ARR,
						    .items = &(const struct gw_schema){
							    .type = GW_ST_OBJ,
							    .fields = gw_sfields_policy_target_ref },
						    .min_items = 1, .max_items = 16,
						    .rule = rule_target_refs },
	  true },
	{ "validation", &(const struct gw_schema){ .type = GW_ST_OBJ,
						    .fields = btls_validation_fields,
						    .rule = rule_btls_validation },
	  true },
	{ "options", &s_tls_options },
	{ NULL },
};

/* BackendTLSPolicy v1 (also served as v1alpha3) */
const struct gw_sfield gw_fields_backendtlspolicy[] = {
	{ "spec", &(const struct gw_schema){ .type = GW_ST_OBJ, .fields = btls_spec_fields },
	  true },
	{ NULL },
};

/* PolicyTargetReferenceWithSectionName (apis/v1alpha2/policy_types.go) */
static const struct gw_sfield policy_target_ref_v1alpha2_fields[] = {
	{ "group", &s_group, true },
	{ "kind", &s_kind, true },
	{ "name", &s_objname, true },
	{ "namespace", &s_namespace },
	{ "sectionName", &s_section },
	{ NULL },
};

/*
 * BackendTLSPolicyConfig (apis/v1alpha2/backendtlspolicy_types.go)
 *   "must not contain both CertRefs and WellKnownCACerts"
 *   "must specify either CertRefs or WellKnownCACerts"
 */
static int rule_btls_config_v1alpha2(struct gw_sctx *c, struct gw_yval *v)
{
	bool refs = gw_ylen(gw_yget(v, "caCertRefs")) > 0;
	bool wk = !unset_or_empty(sget(v, "wellKnownCACerts"));

	if (refs && wk) {
		gw_schema_error(c, v, NULL, "must not contain both CertRefs and WellKnownCACerts");
		return 1;
	}
	if (!refs && !wk) {
		gw_schema_error(c, v, NULL, "must specify either CertRefs or WellKnownCACerts");
		return 1;
	}
	return 0;
}

/* v1beta1.LocalObjectReference of that release: group, kind and name required */
static const struct gw_sfield local_obj_ref_v1alpha2_fields[] = {
	{ "group", &s_group, true },
	{ "kind", &s_kind, true },
	{ "name", &s_objname, true },
	{ NULL },
};

static const struct gw_schema s_local_obj_ref_v1alpha2 = {
	.type = GW_ST_OBJ,
	.fields = local_obj_ref_v1alpha2_fields,
};

/* BackendTLSPolicyConfig: caCertRefs MaxItems=8 */
static const struct gw_sfield btls_config_v1alpha2_fields[] = {
	{ "caCertRefs", &(const struct gw_schema){ .type = GW_ST_ARR,
						    .items = &s_local_obj_ref_v1alpha2,
						    .max_items = 8 } },
	{ "wellKnownCACerts", &s_well_known_ca },
	{ "hostname", &s_precise_hostname, true },
	{ NULL },
};

/* BackendTLSPolicySpec (apis/v1alpha2) */
static const struct gw_sfield btls_spec_v1alpha2_fields[] = {
	{ "targetRef", &(const struct gw_schema){ .type = GW_ST_OBJ,
						   .fields = policy_target_ref_v1alpha2_fields },
	  true },
	{ "tls", &(const struct gw_schema){ .type = GW_ST_OBJ,
					     .fields = btls_config_v1alpha2_fields,
					     .rule = rule_btls_config_v1alpha2 },
	  true },
	{ NULL },
};

const struct gw_sfield gw_fields_backendtlspolicy_v1alpha2[] = {
	{ "spec", &(const struct gw_schema){ .type = GW_ST_OBJ,
					      .fields = btls_spec_v1alpha2_fields },
	  true },
	{ NULL },
};
