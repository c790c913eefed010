/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Declarative structural schemas: the CRD OpenAPI validation the API server
 * would apply (types, required fields, enums, lengths, ranges, maxItems,
 * patterns, CEL rules) plus CRD defaulting, over a gw_yval tree. Every kind
 * xdpgw reads has one schema; validation collects all errors (it does not
 * stop at the first) and fills defaults in place, so `gwctl get -o yaml`
 * shows what kubectl would show after the API server stored the object.
 */
#ifndef GW_SCHEMA_H
#define GW_SCHEMA_H

#include <stdbool.h>
#include <stddef.h>

#include "diag.h"
#include "yval.h"

enum gw_stype {
	GW_ST_ANY,	/* any value, not inspected (x-kubernetes-preserve-unknown-fields) */
	GW_ST_STR,
	GW_ST_INT,
	GW_ST_BOOL,
	GW_ST_OBJ,
	GW_ST_ARR,
	GW_ST_STRMAP,	/* map[string]string */
	GW_ST_INTORSTR,	/* intstr.IntOrString */
};

struct gw_sctx;
struct gw_schema;

/** Returns NULL when s is valid, otherwise what was expected. */
typedef const char *(*gw_sformat_fn)(const char *s);
/**
 * A cross-field rule (the CRDs' x-kubernetes-validations). Called after the
 * node itself validated; reports through gw_schema_error() and returns the
 * number of errors it reported.
 */
typedef int (*gw_srule_fn)(struct gw_sctx *c, struct gw_yval *v);

struct gw_sfield {
	const char *name;
	const struct gw_schema *s;
	bool required;
	/** CRD default as a YAML snippet, applied when the field is absent. */
	const char *def;
};

struct gw_schema {
	enum gw_stype type;
	/* strings */
	unsigned min_len, max_len;	/* max_len 0 = unlimited */
	const char *const *enums;	/* NULL-terminated */
	gw_sformat_fn format;
	/* integers */
	bool has_range;
	long long min, max;
	/* arrays */
	const struct gw_schema *items;
	unsigned min_items, max_items;	/* max_items 0 = unlimited */
	/* objects; fields is terminated by a { NULL } entry */
	const struct gw_sfield *fields;
	bool open;			/* unknown fields are kept, not errors */
	/* list-type=map: items must be unique by this key (e.g. "name") */
	const char *unique_key;
	gw_srule_fn rule;
};

/** Validation context: where errors go and which object is being checked. */
struct gw_sctx {
	struct gw_arena *a;
	struct gw_diags *d;
	const char *file;
	const char *kind, *ns, *name;
	char path[512];
	size_t plen;
	int nerr;
};

void gw_sctx_init(struct gw_sctx *c, struct gw_arena *a, struct gw_diags *d, const char *file,
		  const char *kind, const char *ns, const char *name);

/**
 * Validates *vp against s at the context's current path and applies
 * defaults (which may replace *vp when it is absent/NULL and s has one).
 * Returns the number of errors found.
 */
int gw_schema_validate(struct gw_sctx *c, const struct gw_schema *s, struct gw_yval *v);

/** Reports an error at node `at` (for its line); sub is appended to the path. */
void gw_schema_error(struct gw_sctx *c, const struct gw_yval *at, const char *sub,
		     const char *fmt, ...) __attribute__((format(printf, 4, 5)));

/** Path helpers for rules that recurse into children. */
size_t gw_sctx_push(struct gw_sctx *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void gw_sctx_pop(struct gw_sctx *c, size_t mark);

/* Gateway API reference types other kinds' schemas reuse (schema_gwapi.c). */
extern const struct gw_sfield gw_sfields_secret_obj_ref[];	/* SecretObjectReference */
/* LocalPolicyTargetReferenceWithSectionName */
extern const struct gw_sfield gw_sfields_policy_target_ref[];

/* Formats shared by schemas and the resolver. */
const char *gw_fmt_dns_label(const char *s);		/* RFC 1123 label */
const char *gw_fmt_dns_subdomain(const char *s);	/* RFC 1123 subdomain */
const char *gw_fmt_hostname(const char *s);		/* Gateway API Hostname (may be "*.x") */
const char *gw_fmt_precise_hostname(const char *s);	/* no wildcard */
const char *gw_fmt_group(const char *s);		/* "" or a DNS subdomain */
const char *gw_fmt_kind(const char *s);
const char *gw_fmt_section_name(const char *s);
const char *gw_fmt_controller_name(const char *s);
const char *gw_fmt_header_name(const char *s);
const char *gw_fmt_http_path(const char *s);
const char *gw_fmt_duration(const char *s);		/* GEP-2257 duration */
const char *gw_fmt_ip(const char *s);
const char *gw_fmt_label_key(const char *s);
const char *gw_fmt_label_value(const char *s);
const char *gw_fmt_base64(const char *s);

/** [a-z0-9]([-a-z0-9]*[a-z0-9])? over s[0..n): the pattern only, no length limit. */
bool gw_rfc1123_label(const char *s, size_t n);
/** label(\.label)* over s[0..n), as the CRD regexes write it (no length limits). */
bool gw_rfc1123_subdomain(const char *s, size_t n);

/** GEP-2257 duration to milliseconds; -1 if invalid. */
long long gw_duration_ms(const char *s);

#endif
