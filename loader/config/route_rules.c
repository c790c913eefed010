// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Route rules no data plane of this build can implement, found at load
 * time instead of at request time.
 *
 * The spec treats them as status, not as input errors (the API server
 * stores such routes): an unknown or unsupported filter type "must result
 * in the implementation setting the Accepted Condition for the Route to
 * status: False, with a Reason of UnsupportedValue" (HTTPRouteFilter.Type),
 * and a route mixing valid and invalid rules follows
 * RouteConditionPartiallyInvalid (apis/v1/shared_types.go, GEP-1364). xdpgw
 * takes its "Drop Rule(s)" approach: an invalid rule is left out of the
 * route table (gwd builds no match for it), the parent keeps Accepted True
 * ("A Route MUST be considered Accepted if at least one of the Route's
 * rules is implemented") with PartiallyInvalid True / UnsupportedValue and a
 * message starting "Dropped Rule"; with no rule left, Accepted is False /
 * UnsupportedValue. Every dropped rule is also a warning naming the file,
 * line and field, which `gwctl load` prints.
 *
 * Invalid means: a value in unsupported[] below, or a RegularExpression
 * match PCRE2 does not compile (GEP-4359 leaves failure modes of regexes
 * to implementations; gwd would otherwise refuse the whole reload).
 *
 * Backends are not rules: a backendRef to a Service port whose appProtocol
 * gwd cannot speak (unsupported_app_protocols[]) gets ResolvedRefs False /
 * UnsupportedProtocol, as GEP-1911 requires, and its share of requests the
 * 500 of an invalid backendRef.
 */
#include <errno.h>
#include <stdint.h>
#include <string.h>

#include "regex_check.h"
#include "resolve_internal.h"

/*
 * The one table of route fields whose values no data plane of this build
 * implements. Remove an entry when its feature lands.
 */
static const struct {
	enum gw_kind kind;
	const char *filter_type;	/* HTTPRouteFilter / GRPCRouteFilter type */
	const char *conf;		/* the field holding the filter's config, */
	const char *key, *value;	/* ... unsupported only when key has value */
	const char *why;
} unsupported[] = {
	{ GW_K_HTTPROUTE, "ExternalAuth", "externalAuth", "protocol", "GRPC",
	  "gwd asks authorization services over HTTP only (no ext_authz gRPC client)" },
};

/*
 * Service appProtocols (GEP-1911) the resolver knows but no data plane of
 * this build speaks to a backend of the route kind. Remove an entry when
 * its protocol lands. HTTP/2 (kubernetes.io/h2c, h2c, grpc, http2) has
 * landed: user/core/h2_up.c. The TLS ones are spoken when a
 * BackendTLSPolicy applies to the port (it says how to verify the
 * backend; gwd then connects over TLS: user/core/upstream_tls.c), and only
 * then.
 */
#define NEEDS_POLICY "it needs a BackendTLSPolicy for the port (gwd would connect in plaintext)"
static const struct {
	enum gw_kind kind;
	const char *app_protocol;
	const char *why;
} unsupported_app_protocols[] = {
	{ GW_K_HTTPROUTE, "https", NEEDS_POLICY },
	{ GW_K_HTTPROUTE, "HTTPS", NEEDS_POLICY },
	{ GW_K_HTTPROUTE, "kubernetes.io/wss", NEEDS_POLICY },
	{ GW_K_GRPCROUTE, "https", NEEDS_POLICY },
	{ GW_K_GRPCROUTE, "HTTPS", NEEDS_POLICY },
};

static void check_app_protocol(struct gw_config *cfg, struct gw_route *r, struct gw_backend *b)
{
	if (b->reason || !b->app_protocol)
		return;
	for (size_t i = 0;
	     i < sizeof(unsupported_app_protocols) / sizeof(unsupported_app_protocols[0]); i++) {
		if (unsupported_app_protocols[i].kind != r->obj->ki->id ||
		    strcmp(unsupported_app_protocols[i].app_protocol, b->app_protocol) ||
		    gw_backend_tls_policy(cfg, b))
			continue;
		b->reason = "UnsupportedProtocol";
		b->message = gw_arena_printf(&cfg->arena, "Service %s/%s port %d has appProtocol "
					     "%s, which xdpgw does not speak yet: %s", b->ns,
					     b->name, b->port, b->app_protocol,
					     unsupported_app_protocols[i].why);
		b->neps = 0;
		if (!r->rr_reason) {
			r->rr_reason = b->reason;
			r->rr_message = b->message;
		}
		return;
	}
}

struct rule_check {
	struct gw_config *cfg;
	struct gw_route *r;
	int rule;
	int err;	/* -ENOMEM */
};

/*
 * Where a value sits in the rule: a format taking the rule index and up to
 * two more indices, spelled out only when the rule is dropped (10,000
 * routes are checked for free when nothing is wrong).
 */
struct place {
	const char *fmt;
	size_t i, j;
};

static void drop(struct rule_check *c, const struct gw_yval *at, struct place where,
		 const char *why)
{
	struct gw_rule *ru = &c->r->rules[c->rule];
	const struct gw_obj *o = c->r->obj;
	const char *file = at && at->file ? at->file : o->file;
	unsigned line = at && at->line ? at->line : o->line;
	const char *path = gw_arena_printf(&c->cfg->arena, where.fmt, c->rule, where.i, where.j);

	if (!path || !why) {
		c->err = -ENOMEM;
		return;
	}
	if (!ru->invalid && !(ru->invalid = gw_arena_printf(&c->cfg->arena, "%s: %s", path, why)))
		c->err = -ENOMEM;
	gw_diag_add(&c->cfg->diags, GW_DIAG_WARN, file, line, o->ki->kind, o->ns, o->name, path,
		    "%s; rules[%d] is dropped (status PartiallyInvalid, or Accepted False when "
		    "no rule is left)", why, c->rule);
}

#define RULE_FILTER "spec.rules[%d].filters[%zu].type"
#define BACKEND_FILTER "spec.rules[%d].backendRefs[%zu].filters[%zu].type"
#define NO_BACKEND SIZE_MAX

/* filters of the rule (backend NO_BACKEND) or of its backendRefs[backend] */
static void check_filters(struct rule_check *c, const struct gw_yval *filters, size_t backend)
{
	for (size_t f = 0; f < gw_ylen(filters); f++) {
		const char *type = gw_ygetstr(filters->items[f], "type", "");
		struct place where = backend == NO_BACKEND ? (struct place){ RULE_FILTER, f }
							   : (struct place){ BACKEND_FILTER, backend, f };

		for (size_t u = 0; u < sizeof(unsupported) / sizeof(unsupported[0]); u++) {
			const struct gw_yval *conf;

			if (unsupported[u].kind != c->r->obj->ki->id ||
			    strcmp(unsupported[u].filter_type, type))
				continue;
			conf = unsupported[u].conf ? gw_yget(filters->items[f], unsupported[u].conf)
						   : NULL;
			if (unsupported[u].key &&
			    strcmp(gw_ygetstr(conf, unsupported[u].key, ""), unsupported[u].value))
				continue;
			drop(c, gw_yget(filters->items[f], "type"), where,
			     unsupported[u].key
				     ? gw_arena_printf(&c->cfg->arena, "filter %s with %s %s is not "
						       "supported: %s", type, unsupported[u].key,
						       unsupported[u].value, unsupported[u].why)
				     : gw_arena_printf(&c->cfg->arena, "filter type %s is not "
						       "supported: %s", type, unsupported[u].why));
		}
	}
}

/* value (a string under key in m) when m's type is RegularExpression */
static void check_regex(struct rule_check *c, const struct gw_yval *m, const char *key,
			struct place where)
{
	const struct gw_yval *v = gw_yget(m, key);
	char err[256];
	int ret;

	if (!v || !v->str || strcmp(gw_ygetstr(m, "type", ""), "RegularExpression"))
		return;
	ret = gw_regex_check(v->str, err, sizeof(err));
	if (ret == -ENOMEM)
		c->err = ret;
	else if (ret)
		drop(c, v, where, gw_arena_printf(&c->cfg->arena, "%s", err));
}

static void check_list(struct rule_check *c, const struct gw_yval *list, const char *fmt,
		       size_t match)
{
	for (size_t i = 0; i < gw_ylen(list); i++)
		check_regex(c, list->items[i], "value", (struct place){ fmt, match, i });
}

static void check_matches(struct rule_check *c, const struct gw_yval *matches)
{
	bool grpc = c->r->obj->ki->id == GW_K_GRPCROUTE;

	for (size_t i = 0; i < gw_ylen(matches); i++) {
		const struct gw_yval *m = matches->items[i];

		if (grpc) {
			/* GRPCMethodMatch: service and method are each a pattern */
			check_regex(c, gw_yget(m, "method"), "service",
				    (struct place){ "spec.rules[%d].matches[%zu].method.service", i });
			check_regex(c, gw_yget(m, "method"), "method",
				    (struct place){ "spec.rules[%d].matches[%zu].method.method", i });
		} else {
			check_regex(c, gw_yget(m, "path"), "value",
				    (struct place){ "spec.rules[%d].matches[%zu].path.value", i });
			check_list(c, gw_yget(m, "queryParams"),
				   "spec.rules[%d].matches[%zu].queryParams[%zu].value", i);
		}
		check_list(c, gw_yget(m, "headers"), "spec.rules[%d].matches[%zu].headers[%zu].value",
			   i);
	}
}

/* Appends "rules[i]: why" of every dropped rule: the PartiallyInvalid message. */
static const char *dropped_list(struct gw_config *cfg, const struct gw_route *r, int *n)
{
	const char *s = "";

	*n = 0;
	for (int i = 0; i < r->nrules && s; i++) {
		if (!r->rules[i].invalid)
			continue;
		s = gw_arena_printf(&cfg->arena, "%s%srules[%d] (%s)", s, *n ? ", " : "", i,
				    r->rules[i].invalid);
		(*n)++;
	}
	return s;
}

int gw_check_route_rules(struct gw_config *cfg, struct gw_route *r)
{
	struct rule_check c = { .cfg = cfg, .r = r };
	const struct gw_yval *rules = gw_yget(r->obj->spec, "rules");

	for (c.rule = 0; c.rule < r->nrules && c.rule < (int)gw_ylen(rules); c.rule++) {
		const struct gw_yval *rule = rules->items[c.rule];
		const struct gw_yval *brefs = gw_yget(rule, "backendRefs");

		for (int b = 0; b < r->rules[c.rule].nbackends; b++)
			check_app_protocol(cfg, r, &r->rules[c.rule].backends[b]);
		for (int b = 0; b < r->rules[c.rule].nmirrors; b++)
			check_app_protocol(cfg, r, &r->rules[c.rule].mirrors[b]);
		check_matches(&c, gw_yget(rule, "matches"));
		check_filters(&c, gw_yget(rule, "filters"), NO_BACKEND);
		for (size_t b = 0; b < gw_ylen(brefs); b++)
			check_filters(&c, gw_yget(brefs->items[b], "filters"), b);
	}
	return c.err;
}

int gw_route_rules_status(struct gw_config *cfg, struct gw_route *r)
{
	const char *list;
	int ndropped;

	list = dropped_list(cfg, r, &ndropped);
	if (!list)
		return -ENOMEM;
	if (!ndropped)
		return 0;
	for (int p = 0; p < r->nparents; p++) {
		struct gw_parent *pp = &r->parents[p];
		const struct gw_cond *acc = gw_cond_get(&pp->conds, "Accepted");
		const char *msg;

		/* "This condition MUST NOT be set if a Route is ... not accepted" */
		if (!pp->ours || !acc || strcmp(acc->status, "True"))
			continue;
		if (ndropped == r->nrules) {
			msg = gw_arena_printf(&cfg->arena, "no rule can be implemented: %s", list);
			gw_cond_set(&pp->conds, "Accepted", "False", "UnsupportedValue", msg);
		} else {
			msg = gw_arena_printf(&cfg->arena, "Dropped Rule%s %s",
					      ndropped == 1 ? "" : "s", list);
			gw_cond_set(&pp->conds, "PartiallyInvalid", "True", "UnsupportedValue", msg);
		}
		if (!msg)
			return -ENOMEM;
	}
	return 0;
}
