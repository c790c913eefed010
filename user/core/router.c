// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Route table build and lookup (see gw/router.h for the lookup order).
 * Everything a table allocates comes from its config's arena, so freeing
 * the config frees the table; only compiled regexes, backend TLS contexts
 * and the references on request stats live outside it.
 */
#define PCRE2_CODE_UNIT_WIDTH 8
#include <arpa/inet.h>
#include <errno.h>
#include <pcre2.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "loader/config/model.h"
#include "loader/config/schema.h"
#include "gw/htpasswd.h"
#include "gw/jwt.h"
#include "gw/log.h"
#include "gw/metrics.h"
#include "gw/router.h"
#include "gw/secpol.h"
#include "router_internal.h"

struct gw_strmap_slot {
	const char *key;
	uint32_t len;
	uint32_t hash;
	void *val;
};

/* FNV-1a: short keys (hosts, paths), one pass, no setup. */
static inline uint32_t hash_bytes(const char *s, uint32_t n)
{
	uint32_t h = 2166136261u;

	for (uint32_t i = 0; i < n; i++) {
		h ^= (unsigned char)s[i];
		h *= 16777619u;
	}
	return h;
}

void *gw_strmap_get(const struct gw_strmap *m, const char *key, uint32_t len)
{
	uint32_t h, i;

	if (!m->n)
		return NULL;
	h = hash_bytes(key, len);
	for (i = h & (m->cap - 1);; i = (i + 1) & (m->cap - 1)) {
		const struct gw_strmap_slot *s = &m->slots[i];

		if (!s->key)
			return NULL;
		if (s->hash == h && s->len == len && !memcmp(s->key, key, len))
			return s->val;
	}
}

/* Returns the value slot for key, inserting it (val NULL) if absent. */
static void **strmap_slot(struct gw_arena *a, struct gw_strmap *m, const char *key, uint32_t len)
{
	uint32_t h = hash_bytes(key, len), i;

	if ((m->n + 1) * 4 > m->cap * 3) {
		/* most maps (a route hostname's paths) hold one to three keys */
		uint32_t ncap = m->cap ? m->cap * 2 : 4;
		struct gw_strmap_slot *ns = gw_arena_alloc(a, ncap * sizeof(*ns));

		if (!ns)
			return NULL;
		for (uint32_t k = 0; k < m->cap; k++) {
			struct gw_strmap_slot *s = &m->slots[k];

			if (!s->key)
				continue;
			for (i = s->hash & (ncap - 1); ns[i].key; i = (i + 1) & (ncap - 1))
				;
			ns[i] = *s;
		}
		m->slots = ns;
		m->cap = ncap;
	}
	for (i = h & (m->cap - 1);; i = (i + 1) & (m->cap - 1)) {
		struct gw_strmap_slot *s = &m->slots[i];

		if (!s->key) {
			s->key = key;
			s->len = len;
			s->hash = h;
			m->n++;
			return &s->val;
		}
		if (s->hash == h && s->len == len && !memcmp(s->key, key, len))
			return &s->val;
	}
}

/* ---- endpoint ids ------------------------------------------------------- */

/*
 * Endpoint ids key per-worker pools and outlier state, so the same address
 * must keep its id across reloads. An address reached over TLS has one id
 * per TLS identity (GW_RT_TLS_TAG bytes; all zero = plaintext), so a pooled
 * TLS connection is never reused for plaintext or for another SNI, CA or
 * client certificate. The registry only grows; it is touched at table
 * build time only.
 */
struct ep_key {
	struct sockaddr_storage sa;
	socklen_t len;
	unsigned char tag[GW_RT_TLS_TAG];
};

static pthread_mutex_t ep_lock = PTHREAD_MUTEX_INITIALIZER;
static struct ep_key *ep_keys;
static uint32_t *ep_slots;	/* open addressing: id + 1, 0 = empty */
static uint32_t ep_n, ep_cap, ep_slot_cap;

static uint32_t sa_hash(const struct sockaddr *sa, socklen_t len)
{
	return hash_bytes((const char *)sa, len);
}

static int ep_grow(void)
{
	uint32_t ncap = ep_slot_cap ? ep_slot_cap * 2 : 256;
	uint32_t *ns = calloc(ncap, sizeof(*ns));

	if (!ns)
		return -ENOMEM;
	for (uint32_t k = 0; k < ep_n; k++) {
		uint32_t i = sa_hash((struct sockaddr *)&ep_keys[k].sa, ep_keys[k].len) & (ncap - 1);

		while (ns[i])
			i = (i + 1) & (ncap - 1);
		ns[i] = k + 1;
	}
	free(ep_slots);
	ep_slots = ns;
	ep_slot_cap = ncap;
	return 0;
}

uint32_t gw_rt_endpoint_id(const struct sockaddr *sa, socklen_t len)
{
	static const unsigned char plain[GW_RT_TLS_TAG];

	return gw_rt_endpoint_id_tls(sa, len, plain);
}

uint32_t gw_rt_endpoint_id_tls(const struct sockaddr *sa, socklen_t len, const unsigned char *tag)
{
	uint32_t id = UINT32_MAX, i;

	pthread_mutex_lock(&ep_lock);
	if ((ep_n + 1) * 2 > ep_slot_cap && ep_grow())
		goto out;
	for (i = sa_hash(sa, len) & (ep_slot_cap - 1); ep_slots[i]; i = (i + 1) & (ep_slot_cap - 1)) {
		struct ep_key *k = &ep_keys[ep_slots[i] - 1];

		if (k->len == len && !memcmp(&k->sa, sa, len) && !memcmp(k->tag, tag, GW_RT_TLS_TAG)) {
			id = ep_slots[i] - 1;
			goto out;
		}
	}
	if (ep_n == ep_cap) {
		uint32_t ncap = ep_cap ? ep_cap * 2 : 128;
		struct ep_key *nk = realloc(ep_keys, ncap * sizeof(*nk));

		if (!nk)
			goto out;
		ep_keys = nk;
		ep_cap = ncap;
	}
	memset(&ep_keys[ep_n], 0, sizeof(ep_keys[ep_n]));
	memcpy(&ep_keys[ep_n].sa, sa, len);
	ep_keys[ep_n].len = len;
	memcpy(ep_keys[ep_n].tag, tag, GW_RT_TLS_TAG);
	ep_slots[i] = ep_n + 1;
	id = ep_n++;
out:
	pthread_mutex_unlock(&ep_lock);
	return id;
}

uint32_t gw_rt_endpoint_count(void)
{
	uint32_t n;

	pthread_mutex_lock(&ep_lock);
	n = ep_n;
	pthread_mutex_unlock(&ep_lock);
	return n;
}

/* ---- build -------------------------------------------------------------- */

struct built_secpol {
	const struct gw_secpol *sp;
	const struct gw_rt_security *sec;
};

struct build {
	struct gw_rt_table *t;
	struct gw_config *cfg;
	struct gw_arena *a;
	/* SecurityPolicies compiled so far, once each (malloc'd) */
	struct built_secpol *secpols;
	size_t nsecpols;
	char *err;
	size_t errlen;
	/* compiled routes, sorted by route pointer for lookup from attachments */
	struct croute *routes;
	size_t nroutes;
	bool grpc;			/* the route being compiled is a GRPCRoute */
	struct gw_strmap eps;		/* backend name -> struct eps_shared (plaintext) */
};

/* Endpoints built for a backend, shared by every plaintext backend of the same name. */
struct eps_shared {
	const struct gw_backend *be;
	struct gw_rt_endpoint *eps;
	int neps;
};

/* Whether x and y resolved to the same endpoints, in the same order. */
static bool same_endpoints(const struct gw_backend *x, const struct gw_backend *y)
{
	if (x->neps != y->neps)
		return false;
	for (int i = 0; i < x->neps; i++)
		if (x->eps[i].family != y->eps[i].family || x->eps[i].port != y->eps[i].port ||
		    strcmp(x->eps[i].addr, y->eps[i].addr))
			return false;
	return true;
}

struct croute {
	const struct gw_route *r;
	struct gw_rt_rule **rules;
	struct gw_rt_match ***matches;	/* per rule */
	int *nmatches;
};

static int build_error(struct build *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static int build_error(struct build *b, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(b->err, b->errlen, fmt, ap);
	va_end(ap);
	return -EINVAL;
}

#define ALLOC(b, n, T) ((T *)gw_arena_alloc((b)->a, (size_t)(n) * sizeof(T) + 1))

static void *re_compile(struct build *b, const char *pat, const char *what)
{
	int ec;
	PCRE2_SIZE eo;
	pcre2_code *re;

	/* full match, like Envoy's safe_regex: the pattern must cover the whole value */
	re = pcre2_compile((PCRE2_SPTR)pat, PCRE2_ZERO_TERMINATED,
			   PCRE2_ANCHORED | PCRE2_ENDANCHORED, &ec, &eo, NULL);
	if (!re) {
		PCRE2_UCHAR msg[160];

		pcre2_get_error_message(ec, msg, sizeof(msg));
		build_error(b, "%s: invalid regular expression \"%s\" at offset %zu: %s", what, pat,
			    (size_t)eo, (char *)msg);
		return NULL;
	}
	if (pcre2_jit_compile(re, PCRE2_JIT_COMPLETE))
		pr_debug("%s: JIT unavailable for \"%s\"; using the interpreter", what, pat);
	if (b->t->nregexes == b->t->capregexes) {
		uint32_t ncap = b->t->capregexes ? b->t->capregexes * 2 : 16;
		void **nr = realloc(b->t->regexes, ncap * sizeof(*nr));

		if (!nr) {
			pcre2_code_free(re);
			build_error(b, "%s: out of memory", what);
			return NULL;
		}
		b->t->regexes = nr;
		b->t->capregexes = ncap;
	}
	b->t->regexes[b->t->nregexes++] = re;
	return re;
}

static int build_endpoints(struct build *b, const struct gw_backend *be, struct gw_rt_backend *o)
{
	o->eps = ALLOC(b, be->neps, struct gw_rt_endpoint);
	if (!o->eps)
		return -ENOMEM;
	for (int i = 0; i < be->neps; i++) {
		const struct gw_endpoint *e = &be->eps[i];
		struct gw_rt_endpoint *x = &o->eps[o->neps];

		if (e->family == AF_INET6) {
			struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&x->sa;

			s6->sin6_family = AF_INET6;
			s6->sin6_port = htons((uint16_t)e->port);
			if (inet_pton(AF_INET6, e->addr, &s6->sin6_addr) != 1)
				continue;
			x->salen = sizeof(*s6);
			snprintf(x->name, sizeof(x->name), "[%s]:%d", e->addr, e->port);
		} else {
			struct sockaddr_in *s4 = (struct sockaddr_in *)&x->sa;

			s4->sin_family = AF_INET;
			s4->sin_port = htons((uint16_t)e->port);
			if (inet_pton(AF_INET, e->addr, &s4->sin_addr) != 1)
				continue;
			x->salen = sizeof(*s4);
			snprintf(x->name, sizeof(x->name), "%s:%d", e->addr, e->port);
		}
		x->id = gw_rt_endpoint_id((struct sockaddr *)&x->sa, x->salen);
		if (x->id == UINT32_MAX)
			return -ENOMEM;
		o->neps++;
	}
	return 0;
}

/* The stat for (route, rule, backend), its reference held by the table until gw_rt_free. */
static struct gw_stat *table_stat(struct build *b, const char *route, int rule,
				  const char *backend)
{
	struct gw_rt_table *t = b->t;
	struct gw_stat *s;

	if (t->nstats == t->capstats) {
		uint32_t ncap = t->capstats ? t->capstats * 2 : 64;
		struct gw_stat **ns = realloc(t->stats, ncap * sizeof(*ns));

		if (!ns)
			return NULL;
		t->stats = ns;
		t->capstats = ncap;
	}
	s = gw_stat_get(route, rule, backend);
	if (s)
		t->stats[t->nstats++] = s;
	return s;
}

static int build_backend(struct build *b, const char *route, int rule, const struct gw_backend *be,
			 struct gw_rt_backend *o)
{
	const char *ap = be->app_protocol;

	o->weight = be->weight < 0 ? 0 : (uint32_t)be->weight;
	o->idx = b->t->nbackends++;
	/* gRPC is HTTP/2 only; an HTTPRoute backend speaks it when its appProtocol says so */
	if (b->grpc || (ap && (!strcmp(ap, "kubernetes.io/h2c") || !strcmp(ap, "h2c") ||
			       !strcmp(ap, "grpc") || !strcmp(ap, "http2"))))
		o->proto = GW_BE_H2C;
	o->name = gw_arena_printf(b->a, "%s/%s:%d", be->ns, be->name, be->port);
	if (!o->name)
		return -ENOMEM;
	if (be->reason) {
		o->state = GW_BE_INVALID;
		o->reason = be->message ? be->message : be->reason;
	} else if (!be->tls_policy) {
		/*
		 * Plaintext endpoints are the same for every backendRef to a Service
		 * port (the table only reads them; TLS ones carry their policy): one
		 * copy, not one per rule.
		 */
		struct eps_shared **slot = (struct eps_shared **)strmap_slot(
			b->a, &b->eps, o->name, (uint32_t)strlen(o->name));

		if (!slot)
			return -ENOMEM;
		if (*slot && same_endpoints((*slot)->be, be)) {
			o->eps = (*slot)->eps;
			o->neps = (*slot)->neps;
		} else {
			if (build_endpoints(b, be, o))
				return -ENOMEM;
			if (!*slot && !(*slot = gw_arena_alloc(b->a, sizeof(**slot))))
				return -ENOMEM;
			**slot = (struct eps_shared){ be, o->eps, o->neps };
		}
		o->state = o->neps ? GW_BE_OK : GW_BE_NOEPS;
	} else {
		if (build_endpoints(b, be, o))
			return -ENOMEM;
		o->state = o->neps ? GW_BE_OK : GW_BE_NOEPS;
		if (be->tls_policy && gw_rt_backend_tls(b->t, be, o, b->a))
			return -ENOMEM;
	}
	o->stat = table_stat(b, route, rule, o->name);
	return o->stat ? 0 : -ENOMEM;
}

static int hdr_list(struct build *b, const struct gw_yval *list, struct gw_rt_hdr *out, int *n,
		    bool names_only)
{
	for (size_t i = 0; i < gw_ylen(list) && *n < GW_RT_MAX_HDR_OPS; i++) {
		const struct gw_yval *it = list->items[i];
		struct gw_rt_hdr *h = &out[*n];

		h->name = names_only ? it->str : gw_ygetstr(it, "name", NULL);
		h->value = names_only ? "" : gw_ygetstr(it, "value", "");
		if (!h->name)
			continue;
		h->name_len = (uint32_t)strlen(h->name);
		h->value_len = (uint32_t)strlen(h->value);
		(*n)++;
	}
	(void)b;
	return 0;
}

static const struct gw_rt_hdrmod *build_hdrmod(struct build *b, const struct gw_yval *v)
{
	struct gw_rt_hdrmod *m = ALLOC(b, 1, struct gw_rt_hdrmod);

	if (!m)
		return NULL;
	hdr_list(b, gw_yget(v, "set"), m->set, &m->nset, false);
	hdr_list(b, gw_yget(v, "add"), m->add, &m->nadd, false);
	hdr_list(b, gw_yget(v, "remove"), m->remove, &m->nremove, true);
	return m;
}

static void build_pathmod(const struct gw_yval *v, struct gw_rt_pathmod *p)
{
	const char *type = gw_ygetstr(v, "type", NULL);

	if (!type)
		return;
	if (!strcmp(type, "ReplaceFullPath")) {
		p->type = GW_PATHMOD_FULL;
		p->value = gw_ygetstr(v, "replaceFullPath", "/");
	} else if (!strcmp(type, "ReplacePrefixMatch")) {
		p->type = GW_PATHMOD_PREFIX;
		p->value = gw_ygetstr(v, "replacePrefixMatch", "");
	}
	if (p->value)
		p->len = (uint32_t)strlen(p->value);
}

static const char *join_list(struct build *b, const struct gw_yval *list, bool *star)
{
	size_t len = 0;
	char *s, *p;

	*star = false;
	if (!gw_ylen(list))
		return NULL;
	for (size_t i = 0; i < list->n; i++) {
		if (!strcmp(list->items[i]->str, "*"))
			*star = true;
		len += strlen(list->items[i]->str) + 2;
	}
	s = p = gw_arena_alloc(b->a, len + 1);
	if (!s)
		return NULL;
	for (size_t i = 0; i < list->n; i++)
		p += sprintf(p, "%s%s", i ? ", " : "", list->items[i]->str);
	return s;
}

static const struct gw_rt_cors *build_cors(struct build *b, const struct gw_yval *v)
{
	struct gw_rt_cors *c = ALLOC(b, 1, struct gw_rt_cors);
	const struct gw_yval *o = gw_yget(v, "allowOrigins");

	if (!c)
		return NULL;
	c->origins = ALLOC(b, gw_ylen(o), const char *);
	if (!c->origins)
		return NULL;
	for (size_t i = 0; i < gw_ylen(o); i++) {
		if (!strcmp(o->items[i]->str, "*"))
			c->any_origin = true;
		else
			c->origins[c->norigins++] = o->items[i]->str;
	}
	c->credentials = gw_ygetbool(v, "allowCredentials", false);
	c->methods = join_list(b, gw_yget(v, "allowMethods"), &c->any_method);
	c->headers = join_list(b, gw_yget(v, "allowHeaders"), &c->any_header);
	c->expose = join_list(b, gw_yget(v, "exposeHeaders"), &c->any_expose);
	c->max_age = gw_ygetint(v, "maxAge", 5);
	return c;
}

/* ExternalAuth with protocol HTTP; the backendRef was resolved by the config layer. */
static const struct gw_rt_extauth *build_extauth(struct build *b, const struct gw_yval *v,
						 const struct gw_backend *be, const char *route,
						 int rule)
{
	struct gw_rt_extauth *e = ALLOC(b, 1, struct gw_rt_extauth);
	const struct gw_yval *http = gw_yget(v, "http");
	const struct gw_yval *req = gw_yget(http, "allowedHeaders");
	const struct gw_yval *resp = gw_yget(http, "allowedResponseHeaders");

	if (!e)
		return NULL;
	e->req_hdrs = ALLOC(b, gw_ylen(req), struct gw_rt_hdr);
	e->resp_hdrs = ALLOC(b, gw_ylen(resp), struct gw_rt_hdr);
	if (!e->req_hdrs || !e->resp_hdrs || build_backend(b, route, rule, be, &e->be))
		return NULL;
	e->path = gw_ygetstr(http, "path", "");
	e->path_len = (uint32_t)strlen(e->path);
	for (size_t i = 0; i < gw_ylen(req); i++)
		e->req_hdrs[e->nreq_hdrs++] = (struct gw_rt_hdr){
			req->items[i]->str, "", (uint32_t)strlen(req->items[i]->str), 0 };
	for (size_t i = 0; i < gw_ylen(resp); i++)
		e->resp_hdrs[e->nresp_hdrs++] = (struct gw_rt_hdr){
			resp->items[i]->str, "", (uint32_t)strlen(resp->items[i]->str), 0 };
	e->body_max = (uint32_t)gw_ygetint(gw_yget(v, "forwardBody"), "maxSize", 0);
	return e;
}

/*
 * Filters of a rule or a backendRef. Mirror and ExternalAuth targets were
 * resolved by the config layer in one list each per rule (rule filters
 * first, then each backendRef's, in order); *mirror and *extauth walk those
 * lists in the same order.
 */
static int build_filters(struct build *b, const struct gw_yval *filters, const struct gw_rule *ru,
			 int *mirror, int *extauth, const char *route, int rule,
			 struct gw_rt_filters *f)
{
	int nm = 0;

	for (size_t i = 0; i < gw_ylen(filters); i++)
		nm += gw_yget(filters->items[i], "requestMirror") != NULL;
	f->mirrors = ALLOC(b, nm, struct gw_rt_mirror);
	if (!f->mirrors)
		return -ENOMEM;
	for (size_t i = 0; i < gw_ylen(filters); i++) {
		const struct gw_yval *fl = filters->items[i], *x;
		const char *type = gw_ygetstr(fl, "type", "");

		if ((x = gw_yget(fl, "requestHeaderModifier"))) {
			if (!(f->req_hdr = build_hdrmod(b, x)))
				return -ENOMEM;
		} else if ((x = gw_yget(fl, "responseHeaderModifier"))) {
			if (!(f->resp_hdr = build_hdrmod(b, x)))
				return -ENOMEM;
		} else if ((x = gw_yget(fl, "requestRedirect"))) {
			struct gw_rt_redirect *r = ALLOC(b, 1, struct gw_rt_redirect);

			if (!r)
				return -ENOMEM;
			r->scheme = gw_ygetstr(x, "scheme", NULL);
			r->hostname = gw_ygetstr(x, "hostname", NULL);
			r->port = (int)gw_ygetint(x, "port", 0);
			r->status = (int)gw_ygetint(x, "statusCode", 302);
			build_pathmod(gw_yget(x, "path"), &r->path);
			f->redirect = r;
		} else if ((x = gw_yget(fl, "urlRewrite"))) {
			struct gw_rt_rewrite *r = ALLOC(b, 1, struct gw_rt_rewrite);

			if (!r)
				return -ENOMEM;
			r->hostname = gw_ygetstr(x, "hostname", NULL);
			build_pathmod(gw_yget(x, "path"), &r->path);
			f->rewrite = r;
		} else if ((x = gw_yget(fl, "requestMirror"))) {
			struct gw_rt_mirror *m = &f->mirrors[f->nmirrors];
			const struct gw_yval *frac = gw_yget(x, "fraction");

			if (*mirror >= ru->nmirrors)
				return build_error(b, "%s %s rules[%d]: mirror targets out of "
						   "step with the resolved config",
						   b->grpc ? "GRPCRoute" : "HTTPRoute", route, rule);
			if (build_backend(b, route, rule, &ru->mirrors[(*mirror)++], &m->be))
				return -ENOMEM;
			if (frac) {
				m->num = (uint32_t)gw_ygetint(frac, "numerator", 0);
				m->den = (uint32_t)gw_ygetint(frac, "denominator", 100);
			} else if (gw_yget(x, "percent")) {
				m->num = (uint32_t)gw_ygetint(x, "percent", 100);
				m->den = 100;
			} else {
				m->num = m->den = 1;
			}
			f->nmirrors++;
		} else if ((x = gw_yget(fl, "cors"))) {
			if (!(f->cors = build_cors(b, x)))
				return -ENOMEM;
		} else if (!strcmp(type, "ExtensionRef")) {
			f->unsupported = "ExtensionRef filters are not implemented by xdpgw";
		} else if ((x = gw_yget(fl, "externalAuth"))) {
			if (*extauth >= ru->nextauths)
				return build_error(b, "HTTPRoute %s rules[%d]: ExternalAuth targets "
						   "out of step with the resolved config", route, rule);
			if (strcmp(gw_ygetstr(x, "protocol", ""), "HTTP")) {
				/* never skipped: requests on this rule fail closed */
				f->unsupported = "ExternalAuth protocol GRPC is not implemented by "
						 "gwd (no HTTP/2 upstreams, no ext_authz protobuf)";
				(*extauth)++;
			} else if (!(f->extauth = build_extauth(b, x, &ru->extauths[(*extauth)++],
								 route, rule))) {
				return -ENOMEM;
			}
		}
	}
	return 0;
}

static long long duration(const struct gw_yval *v, const char *key)
{
	const char *s = gw_ygetstr(v, key, NULL);
	long long ms = s ? gw_duration_ms(s) : 0;

	return ms < 0 ? 0 : ms;
}

static int build_rule(struct build *b, const struct gw_route *r, int ri, struct gw_rt_rule *o)
{
	const struct gw_rule *ru = &r->rules[ri];
	const struct gw_yval *node = ru->node, *x;
	int mirror = 0, extauth = 0;

	o->route = gw_arena_printf(b->a, "%s/%s", r->obj->ns, r->obj->name);
	if (!o->route)
		return -ENOMEM;
	o->created = r->obj->created ? r->obj->created : "";
	o->name = ru->name;
	o->grpc = b->grpc;
	o->index = ri;
	o->idx = b->t->nrules;
	if (build_filters(b, gw_yget(node, "filters"), ru, &mirror, &extauth, o->route, ri,
			  &o->filters))
		return -ENOMEM;
	o->nbackends = ru->nbackends;
	o->backends = ALLOC(b, ru->nbackends, struct gw_rt_backend);
	if (!o->backends)
		return -ENOMEM;
	for (int i = 0; i < ru->nbackends; i++) {
		struct gw_rt_backend *be = &o->backends[i];
		const struct gw_yval *bf = gw_yget(ru->backends[i].node, "filters");

		if (build_backend(b, o->route, ri, &ru->backends[i], be))
			return -ENOMEM;
		o->total_weight += be->weight;
		if (gw_ylen(bf)) {
			struct gw_rt_filters *f = ALLOC(b, 1, struct gw_rt_filters);

			if (!f || build_filters(b, bf, ru, &mirror, &extauth, o->route, ri, f))
				return -ENOMEM;
			be->filters = f;
		}
	}
	if ((x = gw_yget(node, "timeouts"))) {
		o->timeout_request_ms = (uint64_t)duration(x, "request");
		o->timeout_backend_ms = (uint64_t)duration(x, "backendRequest");
	}
	if ((x = gw_yget(node, "retry"))) {
		const struct gw_yval *codes = gw_yget(x, "codes");

		o->retry.enabled = true;
		/* attempts unset: one retry (the spec leaves the default to us) */
		o->retry.attempts = (int)gw_ygetint(x, "attempts", 1);
		o->retry.backoff_ms = gw_yget(x, "backoff") ? (uint64_t)duration(x, "backoff") : 25;
		for (size_t i = 0; i < gw_ylen(codes); i++) {
			long long c = codes->items[i]->i;

			if (c >= 400 && c <= 599)
				o->retry.codes[(c - 400) / 8] |= (uint8_t)(1u << ((c - 400) % 8));
		}
	}
	if ((x = gw_yget(node, "sessionPersistence"))) {
		const char *type = gw_ygetstr(x, "type", "Cookie");

		o->session.enabled = true;
		o->session.header = !strcmp(type, "Header");
		o->session.permanent = !strcmp(gw_ygetstr(gw_yget(x, "cookieConfig"),
							  "lifetimeType", "Session"),
					       "Permanent");
		o->session.name = gw_ygetstr(x, "sessionName", NULL);
		if (!o->session.name)
			o->session.name = o->session.header ? "x-gw-session" : "gw-session";
		o->session.absolute_ms = (uint64_t)duration(x, "absoluteTimeout");
		o->session.idle_ms = (uint64_t)duration(x, "idleTimeout");
	}
	o->stat_nobackend = table_stat(b, o->route, ri, "");
	return o->stat_nobackend ? 0 : -ENOMEM;
}

static int build_kv(struct build *b, const struct gw_yval *list, struct gw_rt_kvmatch **out,
		    int *n, bool fold, const char *what)
{
	*out = ALLOC(b, gw_ylen(list), struct gw_rt_kvmatch);
	if (!*out)
		return -ENOMEM;
	for (size_t i = 0; i < gw_ylen(list); i++) {
		const struct gw_yval *it = list->items[i];
		struct gw_rt_kvmatch *k = &(*out)[*n];
		bool dup = false;

		k->name = gw_ygetstr(it, "name", "");
		k->name_len = (uint32_t)strlen(k->name);
		k->value = gw_ygetstr(it, "value", "");
		k->value_len = (uint32_t)strlen(k->value);
		/* equivalent names: only the first entry counts (HTTPHeaderMatch.name) */
		for (int j = 0; j < *n; j++)
			dup |= (*out)[j].name_len == k->name_len &&
			       !(fold ? strncasecmp : strncmp)((*out)[j].name, k->name,
							      k->name_len);
		if (dup)
			continue;
		if (!strcmp(gw_ygetstr(it, "type", "Exact"), "RegularExpression")) {
			k->re = re_compile(b, k->value, what);
			if (!k->re)
				return -EINVAL;
		}
		(*n)++;
	}
	return 0;
}

static int build_match(struct build *b, const struct gw_route *r, int ri, int mi,
		       const struct gw_yval *m, struct gw_rt_match *o)
{
	const struct gw_yval *path = gw_yget(m, "path");
	const char *type = gw_ygetstr(path, "type", "PathPrefix");
	const char *value = gw_ygetstr(path, "value", "/");
	char what[512];

	snprintf(what, sizeof(what), "HTTPRoute %s/%s rules[%d].matches[%d]", r->obj->ns,
		 r->obj->name, ri, mi);
	o->index = mi;
	o->path = value;
	o->written_len = (uint32_t)strlen(value);
	o->path_len = o->written_len;
	if (!strcmp(type, "Exact")) {
		o->ptype = GW_PM_EXACT;
	} else if (!strcmp(type, "RegularExpression")) {
		o->ptype = GW_PM_REGEX;
		o->re = re_compile(b, value, what);
		if (!o->re)
			return -EINVAL;
	} else {
		/* "a trailing / is ignored": /abc/ is stored as /abc and / as "" */
		o->ptype = GW_PM_PREFIX;
		if (o->path_len && value[o->path_len - 1] == '/')
			o->path_len--;
	}
	o->method = gw_ygetstr(m, "method", NULL);
	if (build_kv(b, gw_yget(m, "headers"), &o->headers, &o->nheaders, true, what) ||
	    build_kv(b, gw_yget(m, "queryParams"), &o->queries, &o->nqueries, false, what))
		return -EINVAL;
	b->t->nmatches++;
	return 0;
}

/*
 * A GRPCRouteMatch (apis/v1/grpcroute_types.go) as a path match on
 * "/service/method". Exact service and method: the exact path; Exact
 * service alone: every method of it, the prefix "/service"; the rest is
 * matched after those (grpc_late): method alone, RegularExpression (PCRE2,
 * each part a whole-value match, a missing part any segment), no method.
 */
static int build_grpc_match(struct build *b, const struct gw_route *r, int ri, int mi,
			    const struct gw_yval *m, struct gw_rt_match *o)
{
	const struct gw_yval *mm = m ? gw_yget(m, "method") : NULL;
	const char *svc = gw_ygetstr(mm, "service", NULL), *meth = gw_ygetstr(mm, "method", NULL);
	bool exact = strcmp(gw_ygetstr(mm, "type", "Exact"), "RegularExpression") != 0;
	char what[512];

	snprintf(what, sizeof(what), "GRPCRoute %s/%s rules[%d].matches[%d]", r->obj->ns,
		 r->obj->name, ri, mi);
	o->index = mi;
	if (svc && !*svc)
		svc = NULL;
	if (meth && !*meth)
		meth = NULL;
	o->svc_len = svc ? (uint32_t)strlen(svc) : 0;
	o->meth_len = meth ? (uint32_t)strlen(meth) : 0;
	o->written_len = o->svc_len + o->meth_len;
	if (exact && svc) {
		o->ptype = meth ? GW_PM_EXACT : GW_PM_PREFIX;
		o->path = meth ? gw_arena_printf(b->a, "/%s/%s", svc, meth)
			       : gw_arena_printf(b->a, "/%s", svc);
		if (!o->path)
			return -ENOMEM;
		o->path_len = (uint32_t)strlen(o->path);
	} else {
		o->ptype = GW_PM_REGEX;
		o->path = "";
		if (svc || meth) {
			/* an Exact method is [A-Za-z_][A-Za-z_0-9]* (CRD rule): no quoting needed */
			const char *pat = gw_arena_printf(b->a, "/(?:%s)/(?:%s)", svc ? svc : "[^/]+",
							  meth ? meth : "[^/]+");

			if (!pat)
				return -ENOMEM;
			o->re = re_compile(b, pat, what);
			if (!o->re)
				return -EINVAL;
		}
	}
	if (build_kv(b, m ? gw_yget(m, "headers") : NULL, &o->headers, &o->nheaders, true, what))
		return -EINVAL;
	b->t->nmatches++;
	return 0;
}

static int build_route(struct build *b, const struct gw_route *r, struct croute *c)
{
	const struct gw_yval *rules = gw_yget(r->obj->spec, "rules");
	int err;

	b->grpc = r->obj->ki->id == GW_K_GRPCROUTE;
	c->r = r;
	c->rules = ALLOC(b, r->nrules, struct gw_rt_rule *);
	c->matches = ALLOC(b, r->nrules, struct gw_rt_match **);
	c->nmatches = ALLOC(b, r->nrules, int);
	if (!c->rules || !c->matches || !c->nmatches)
		return -ENOMEM;
	for (int i = 0; i < r->nrules; i++) {
		const struct gw_yval *ms = gw_yget(rules->items[i], "matches");
		struct gw_rt_rule *ru = ALLOC(b, 1, struct gw_rt_rule);
		struct gw_rt_match *arr;

		if (!ru)
			return -ENOMEM;
		if ((err = build_rule(b, r, i, ru)))
			return err == -ENOMEM && !b->err[0] ? build_error(b, "out of memory") : err;
		c->rules[i] = ru;
		b->t->nrules++;
		/* a rule the loader dropped (gw_rule.invalid, GEP-1364) is never matched */
		c->nmatches[i] = r->rules[i].invalid ? 0 : (int)gw_ylen(ms);
		/* a GRPCRoute rule without matches matches every request */
		if (b->grpc && !r->rules[i].invalid && !c->nmatches[i])
			c->nmatches[i] = 1;
		arr = ALLOC(b, c->nmatches[i], struct gw_rt_match);
		c->matches[i] = ALLOC(b, c->nmatches[i], struct gw_rt_match *);
		if (!arr || !c->matches[i])
			return -ENOMEM;
		for (int k = 0; k < c->nmatches[i]; k++) {
			if (b->grpc)
				err = build_grpc_match(b, r, i, k, gw_ylen(ms) ? ms->items[k] : NULL,
						       &arr[k]);
			else
				err = build_match(b, r, i, k, ms->items[k], &arr[k]);
			if (err)
				return err;
			arr[k].rule = ru;
			c->matches[i][k] = &arr[k];
		}
	}
	return 0;
}

static int list_add(struct build *b, struct gw_rt_list *l, const struct gw_rt_match *m)
{
	if (l->n == l->cap) {
		uint32_t ncap = l->cap ? l->cap * 2 : 4;
		const struct gw_rt_match **nv = gw_arena_alloc(b->a, ncap * sizeof(*nv));

		if (!nv)
			return -ENOMEM;
		if (l->n)
			memcpy(nv, l->v, l->n * sizeof(*nv));
		l->v = nv;
		l->cap = ncap;
	}
	l->v[l->n++] = m;
	return 0;
}

static int bucket_add(struct build *b, struct gw_rt_bucket *bk, const struct gw_rt_match *m)
{
	struct gw_strmap *map = m->ptype == GW_PM_EXACT ? &bk->exact : &bk->prefix;
	void **slot;

	if (m->ptype == GW_PM_REGEX)
		return list_add(b, m->rule->grpc ? &bk->grpc_late : &bk->regex, m);
	slot = strmap_slot(b->a, map, m->path, m->path_len);
	if (!slot)
		return -ENOMEM;
	if (!*slot && !(*slot = gw_arena_alloc(b->a, sizeof(struct gw_rt_list))))
		return -ENOMEM;
	return list_add(b, *slot, m);
}

static struct gw_rt_bucket *bucket_for(struct build *b, struct gw_rt_listener *l, const char *h)
{
	struct gw_rt_bucket **slot;

	if (!h) {
		if (!l->any)
			l->any = gw_arena_alloc(b->a, sizeof(*l->any));
		return l->any;
	}
	if (h[0] == '*' && h[1] == '.')
		slot = (struct gw_rt_bucket **)strmap_slot(b->a, &l->wild, h + 1,
							    (uint32_t)strlen(h + 1));
	else
		slot = (struct gw_rt_bucket **)strmap_slot(b->a, &l->hosts, h,
							    (uint32_t)strlen(h));
	if (!slot)
		return NULL;
	if (!*slot)
		*slot = gw_arena_alloc(b->a, sizeof(**slot));
	return *slot;
}

static int cmp_croute(const void *a, const void *b)
{
	const struct gw_route *x = ((const struct croute *)a)->r, *y = ((const struct croute *)b)->r;

	return x < y ? -1 : x > y;
}

static struct croute *find_croute(struct build *b, const struct gw_route *r)
{
	struct croute key = { .r = r };

	return bsearch(&key, b->routes, b->nroutes, sizeof(key), cmp_croute);
}

/* SecurityPolicy clientCIDRs entry ("10.0.0.0/8"; the schema checked it) */
static int parse_cidr(const char *s, struct gw_rt_cidr *c)
{
	char addr[64];
	const char *slash = strchr(s, '/');
	size_t n = slash ? (size_t)(slash - s) : strlen(s);

	if (n >= sizeof(addr))
		return -EINVAL;
	memcpy(addr, s, n);
	addr[n] = '\0';
	c->family = strchr(addr, ':') ? AF_INET6 : AF_INET;
	if (inet_pton(c->family, addr, c->addr) != 1)
		return -EINVAL;
	c->len = (uint8_t)(slash ? atoi(slash + 1) : c->family == AF_INET ? 32 : 128);
	/* host bits cleared, so a match compares prefix bytes only */
	for (unsigned bit = c->len; bit < 128; bit++)
		c->addr[bit / 8] &= (uint8_t)~(0x80 >> (bit % 8));
	return 0;
}

static int build_authz_rule(struct build *b, const char *pol, int i, const struct gw_yval *v,
			    struct gw_rt_authz_rule *o)
{
	const struct gw_yval *op = gw_yget(v, "operation"), *pr = gw_yget(v, "principal");
	const struct gw_yval *ms = gw_yget(op, "methods"), *path = gw_yget(op, "path");
	const struct gw_yval *cidrs = gw_yget(pr, "clientCIDRs"), *hdrs = gw_yget(pr, "headers");
	char what[320];

	o->name = gw_ygetstr(v, "name", NULL);
	o->allow = !strcmp(gw_ygetstr(v, "action", "Deny"), "Allow");
	for (size_t k = 0; k < gw_ylen(ms); k++)
		o->methods |= gw_secpol_method_bit(ms->items[k]->str,
						   (uint32_t)strlen(ms->items[k]->str));
	if (path) {
		const char *t = gw_ygetstr(path, "type", "PathPrefix");

		o->has_path = true;
		o->path = gw_ygetstr(path, "value", "/");
		o->path_len = (uint32_t)strlen(o->path);
		o->path_type = !strcmp(t, "Exact") ? GW_PM_EXACT
			       : !strcmp(t, "RegularExpression") ? GW_PM_REGEX : GW_PM_PREFIX;
		snprintf(what, sizeof(what), "SecurityPolicy %s authorization.rules[%d]", pol, i);
		if (o->path_type == GW_PM_REGEX && !(o->path_re = re_compile(b, o->path, what)))
			return -EINVAL;
	}
	o->cidrs = ALLOC(b, gw_ylen(cidrs), struct gw_rt_cidr);
	o->hdrs = ALLOC(b, gw_ylen(hdrs), struct gw_rt_authz_hdr);
	if (!o->cidrs || !o->hdrs)
		return -ENOMEM;
	for (size_t k = 0; k < gw_ylen(cidrs); k++)
		if (!parse_cidr(cidrs->items[k]->str, &o->cidrs[o->ncidrs]))
			o->ncidrs++;
	for (size_t k = 0; k < gw_ylen(hdrs); k++) {
		struct gw_rt_authz_hdr *h = &o->hdrs[o->nhdrs++];
		const struct gw_yval *vals = gw_yget(hdrs->items[k], "values");

		h->name = gw_ygetstr(hdrs->items[k], "name", "");
		h->name_len = (uint32_t)strlen(h->name);
		h->values = ALLOC(b, gw_ylen(vals), const char *);
		if (!h->values)
			return -ENOMEM;
		for (size_t j = 0; j < gw_ylen(vals); j++)
			h->values[h->nvalues++] = vals->items[j]->str;
	}
	return 0;
}

static const char **str_array(struct build *b, const struct gw_yval *list, int *n)
{
	const char **v = ALLOC(b, gw_ylen(list), const char *);

	*n = 0;
	for (size_t i = 0; v && i < gw_ylen(list); i++)
		v[(*n)++] = list->items[i]->str;
	return v;
}

/* apiKeyAuth: the resolved credentials, extractFrom flattened in order */
static int build_apikey(struct build *b, const struct gw_secpol *sp, struct gw_rt_security *s)
{
	const struct gw_yval *ak = gw_yget(sp->obj->spec, "apiKeyAuth"), *ex = gw_yget(ak, "extractFrom");
	static const char *const srcs[] = { "headers", "params", "cookies" };
	size_t n = 0;

	for (size_t i = 0; i < gw_ylen(ex); i++)
		for (int t = 0; t < 3; t++)
			n += gw_ylen(gw_yget(ex->items[i], srcs[t]));
	s->key_srcs = ALLOC(b, n, struct gw_rt_key_src);
	if (!s->key_srcs)
		return -ENOMEM;
	for (size_t i = 0; i < gw_ylen(ex); i++) {
		for (int t = 0; t < 3; t++) {
			const struct gw_yval *l = gw_yget(ex->items[i], srcs[t]);

			for (size_t k = 0; k < gw_ylen(l); k++)
				s->key_srcs[s->nkey_srcs++] = (struct gw_rt_key_src){
					t == 0 ? GW_KEY_HEADER : t == 1 ? GW_KEY_PARAM : GW_KEY_COOKIE,
					l->items[k]->str };
		}
	}
	s->apikeys = sp->apikeys;
	s->napikeys = sp->napikeys;
	s->client_header = gw_ygetstr(ak, "forwardClientIDHeader", NULL);
	s->key_sanitize = gw_ygetbool(ak, "sanitize", false);
	return 0;
}

/* jwt.providers: key sets parsed once, extractors and claim headers as written */
static int build_jwt(struct build *b, const struct gw_secpol *sp, struct gw_rt_security *s)
{
	const struct gw_yval *jwt = gw_yget(sp->obj->spec, "jwt"), *ps = gw_yget(jwt, "providers");

	s->jwt_optional = gw_ygetbool(jwt, "optional", false);
	s->jwt = ALLOC(b, gw_ylen(ps), struct gw_rt_jwt_provider);
	if (!s->jwt)
		return -ENOMEM;
	for (size_t i = 0; i < gw_ylen(ps) && (int)i < sp->njwks; i++) {
		const struct gw_yval *pv = ps->items[i], *ex = gw_yget(pv, "extractFrom");
		const struct gw_yval *hs = gw_yget(ex, "headers"), *cl = gw_yget(pv, "claimToHeaders");
		struct gw_rt_jwt_provider *p = &s->jwt[s->njwt];
		struct gw_jwt_error je = { 0 };
		struct gw_jwks *k = NULL, **v;

		if (gw_jwks_parse(sp->jwks[i], strlen(sp->jwks[i]), &k, &je)) {
			/* gwctl ran the same parser; this gwd still fails closed */
			s->invalid = gw_arena_printf(b->a, "jwt provider %s: local JWKS: %s",
						     gw_ygetstr(pv, "name", ""), je.reason);
			return 0;
		}
		v = realloc(b->t->jwks, (b->t->njwks + 1) * sizeof(*v));
		if (!v) {
			gw_jwks_free(k);
			return -ENOMEM;
		}
		b->t->jwks = v;
		v[b->t->njwks++] = k;
		p->name = gw_ygetstr(pv, "name", "");
		p->jwks = k;
		p->issuer = gw_ygetstr(pv, "issuer", NULL);
		p->audiences = str_array(b, gw_yget(pv, "audiences"), &p->naudiences);
		p->cookies = str_array(b, gw_yget(ex, "cookies"), &p->ncookies);
		p->params = str_array(b, gw_yget(ex, "params"), &p->nparams);
		p->hdrs = ALLOC(b, gw_ylen(hs), struct gw_rt_jwt_header);
		p->claims = ALLOC(b, gw_ylen(cl), struct gw_rt_jwt_claim);
		if (!p->audiences || !p->cookies || !p->params || !p->hdrs || !p->claims)
			return -ENOMEM;
		for (size_t k2 = 0; k2 < gw_ylen(hs); k2++)
			p->hdrs[p->nhdrs++] = (struct gw_rt_jwt_header){
				gw_ygetstr(hs->items[k2], "name", ""),
				gw_ygetstr(hs->items[k2], "valuePrefix", "") };
		for (size_t k2 = 0; k2 < gw_ylen(cl); k2++)
			p->claims[p->nclaims++] = (struct gw_rt_jwt_claim){
				gw_ygetstr(cl->items[k2], "header", ""),
				gw_ygetstr(cl->items[k2], "claim", "") };
		s->njwt++;
	}
	return 0;
}

/* A SecurityPolicy compiled for the data plane, once per policy. */
static const struct gw_rt_security *build_security(struct build *b, const struct gw_secpol *sp)
{
	const struct gw_yval *spec = sp->obj->spec, *cors = gw_yget(spec, "cors");
	const struct gw_yval *az = gw_yget(spec, "authorization"), *rules = gw_yget(az, "rules");
	struct gw_rt_security *s;
	struct built_secpol *nb;

	for (size_t i = 0; i < b->nsecpols; i++)
		if (b->secpols[i].sp == sp)
			return b->secpols[i].sec;
	s = ALLOC(b, 1, struct gw_rt_security);
	if (!s)
		return NULL;
	s->policy = gw_arena_printf(b->a, "%s/%s", sp->obj->ns, sp->obj->name);
	s->invalid = sp->invalid;
	if (cors && !s->invalid) {
		/*
		 * Envoy Gateway's CORS is the HTTPCORSFilter with maxAge a duration;
		 * unset, Envoy Gateway sends 86400 (tasks/security/cors.md).
		 */
		struct gw_yval *c = gw_ycopy(b->a, cors);
		long long age = gw_yget(cors, "maxAge") ? duration(cors, "maxAge") / 1000 : 86400;

		if (!c || gw_yset(b->a, c, "maxAge", gw_yint(b->a, age)))
			return NULL;
		if (!(s->cors = build_cors(b, c)))
			return NULL;
	}
	if (gw_yget(spec, "basicAuth") && !s->invalid) {
		struct gw_htpasswd_error he;
		struct gw_htpasswd *users = NULL, **v;

		/* the loader decoded the Secret; a file gwd cannot use fails closed */
		if (gw_htpasswd_parse(sp->htpasswd ? sp->htpasswd : "", sp->htpasswd_len, &users,
				      &he)) {
			s->invalid = gw_arena_printf(b->a, "basicAuth.users .htpasswd line %u: %s",
						     he.line, he.reason);
		} else {
			v = realloc(b->t->htpasswds, (b->t->nhtpasswds + 1) * sizeof(*v));
			if (!v) {
				gw_htpasswd_free(users);
				return NULL;
			}
			b->t->htpasswds = v;
			v[b->t->nhtpasswds++] = users;
			s->users = users;
			s->user_header = gw_ypath(spec, "basicAuth.forwardUsernameHeader")
						 ? gw_ygetstr(gw_yget(spec, "basicAuth"),
							      "forwardUsernameHeader", NULL)
						 : NULL;
		}
	}
	if (gw_yget(spec, "jwt") && !s->invalid && build_jwt(b, sp, s))
		return NULL;
	if (gw_yget(spec, "apiKeyAuth") && !s->invalid && build_apikey(b, sp, s))
		return NULL;
	if (az && !s->invalid) {
		s->authz = true;
		s->default_allow = !strcmp(gw_ygetstr(az, "defaultAction", "Deny"), "Allow");
		s->rules = ALLOC(b, gw_ylen(rules), struct gw_rt_authz_rule);
		if (!s->rules)
			return NULL;
		for (size_t i = 0; i < gw_ylen(rules); i++)
			if (build_authz_rule(b, s->policy, (int)i, rules->items[i],
					     &s->rules[s->nrules++]))
				return NULL;
	}
	nb = realloc(b->secpols, (b->nsecpols + 1) * sizeof(*nb));
	if (!nb)
		return NULL;
	b->secpols = nb;
	b->secpols[b->nsecpols++] = (struct built_secpol){ .sp = sp, .sec = s };
	return s;
}

/* Records which SecurityPolicy (if any) each rule of c has through listener l. */
static int attach_security(struct build *b, const struct croute *c, const struct gw_listener *l)
{
	for (int i = 0; i < c->r->nrules; i++) {
		const struct gw_secpol *sp = gw_securitypolicy_for(b->cfg, c->r, i, l);
		struct gw_rt_rule *ru = c->rules[i];
		const struct gw_rt_security *sec;
		struct gw_rt_secref *v;

		if (!sp)
			continue;
		for (int k = 0; k < ru->nsecs; k++)
			if (ru->secs[k].listener == l)
				goto next;	/* the route attaches twice through l */
		if (!(sec = build_security(b, sp)))
			return b->err[0] ? -EINVAL : -ENOMEM;
		v = ALLOC(b, ru->nsecs + 1, struct gw_rt_secref);
		if (!v)
			return -ENOMEM;
		if (ru->nsecs)
			memcpy(v, ru->secs, (size_t)ru->nsecs * sizeof(*v));
		v[ru->nsecs] = (struct gw_rt_secref){ .listener = l, .sec = sec };
		ru->secs = v;
		ru->nsecs++;
next:;
	}
	return 0;
}

static int build_listener(struct build *b, const struct gw_listener *l, struct gw_rt_listener *o)
{
	int err;

	o->l = l;
	o->hostname = l->hostname;
	o->port = l->port;
	o->key = gw_arena_printf(b->a, "%s/%s/%s/%s", l->owner->ki->kind, l->owner->ns,
				 l->owner->name, l->name);
	if (!o->key)
		return -ENOMEM;
	for (const struct gw_attachment *at = l->attachments; at; at = at->next) {
		const struct croute *c;
		int nh = at->nhostnames ? at->nhostnames : 1;

		if (at->route->obj->ki->id != GW_K_HTTPROUTE &&
		    at->route->obj->ki->id != GW_K_GRPCROUTE)
			continue;
		c = find_croute(b, at->route);
		if (!c)
			continue;
		if ((err = attach_security(b, c, l)))
			return err;
		for (int h = 0; h < nh; h++) {
			struct gw_rt_bucket *bk = bucket_for(b, o, at->nhostnames ? at->hostnames[h]
										  : NULL);

			if (!bk)
				return -ENOMEM;
			for (int i = 0; i < c->r->nrules; i++)
				for (int k = 0; k < c->nmatches[i]; k++)
					if (bucket_add(b, bk, c->matches[i][k]))
						return -ENOMEM;
		}
	}
	return 0;
}

/* The last tie-breakers of both route kinds: oldest route, namespace/name, rule, match. */
static int cmp_age_name_order(const struct gw_rt_match *a, const struct gw_rt_match *b)
{
	int c;

	if ((c = strcmp(a->rule->created, b->rule->created)))
		return c;
	if ((c = strcmp(a->rule->route, b->rule->route)))
		return c;
	if (a->rule->index != b->rule->index)
		return a->rule->index < b->rule->index ? -1 : 1;
	return a->index < b->index ? -1 : a->index > b->index;
}

/*
 * Precedence within one candidate list (HTTPRouteRule.matches): longest
 * path value, method, header matches, query matches, oldest route,
 * namespace/name, then rule and match order within the route.
 */
static int cmp_match(const void *pa, const void *pb)
{
	const struct gw_rt_match *a = *(const struct gw_rt_match *const *)pa;
	const struct gw_rt_match *b = *(const struct gw_rt_match *const *)pb;

	if (a->written_len != b->written_len)
		return a->written_len > b->written_len ? -1 : 1;
	if (!a->method != !b->method)
		return a->method ? -1 : 1;
	if (a->nheaders != b->nheaders)
		return a->nheaders > b->nheaders ? -1 : 1;
	if (a->nqueries != b->nqueries)
		return a->nqueries > b->nqueries ? -1 : 1;
	return cmp_age_name_order(a, b);
}

/*
 * GRPCRouteRule.matches precedence: service characters, method
 * characters, header matches, then oldest route, namespace/name, rule and
 * match order.
 */
static int cmp_grpc_match(const void *pa, const void *pb)
{
	const struct gw_rt_match *a = *(const struct gw_rt_match *const *)pa;
	const struct gw_rt_match *b = *(const struct gw_rt_match *const *)pb;

	if (a->svc_len != b->svc_len)
		return a->svc_len > b->svc_len ? -1 : 1;
	if (a->meth_len != b->meth_len)
		return a->meth_len > b->meth_len ? -1 : 1;
	if (a->nheaders != b->nheaders)
		return a->nheaders > b->nheaders ? -1 : 1;
	return cmp_age_name_order(a, b);
}

static void sort_list(struct gw_rt_list *l)
{
	if (l && l->n > 1)
		qsort(l->v, l->n, sizeof(*l->v), cmp_match);
}

static void sort_map(struct gw_strmap *m)
{
	for (uint32_t i = 0; i < m->cap; i++)
		if (m->slots[i].key)
			sort_list(m->slots[i].val);
}

static void sort_bucket(struct gw_rt_bucket *bk)
{
	if (!bk)
		return;
	sort_map(&bk->exact);
	sort_map(&bk->prefix);
	sort_list(&bk->regex);
	if (bk->grpc_late.n > 1)
		qsort(bk->grpc_late.v, bk->grpc_late.n, sizeof(*bk->grpc_late.v), cmp_grpc_match);
}

static void sort_listener(struct gw_rt_listener *l)
{
	sort_bucket(l->any);
	for (uint32_t i = 0; i < l->hosts.cap; i++)
		if (l->hosts.slots[i].key)
			sort_bucket(l->hosts.slots[i].val);
	for (uint32_t i = 0; i < l->wild.cap; i++)
		if (l->wild.slots[i].key)
			sort_bucket(l->wild.slots[i].val);
}

static int add_unserved(struct build *b, const struct gw_listener *l, const char *why)
{
	struct gw_rt_unserved *u;

	u = gw_arena_alloc(b->a, (size_t)(b->t->nunserved + 1) * sizeof(*u));
	if (!u)
		return -ENOMEM;
	if (b->t->nunserved)
		memcpy(u, b->t->unserved, (size_t)b->t->nunserved * sizeof(*u));
	u[b->t->nunserved].key = gw_arena_printf(b->a, "%s/%s/%s/%s", l->owner->ki->kind,
						  l->owner->ns, l->owner->name, l->name);
	u[b->t->nunserved].why = why;
	b->t->unserved = u;
	b->t->nunserved++;
	return 0;
}

static struct gw_rt_port *port_get(struct build *b, const char *addr, int port, bool udp)
{
	struct gw_rt_table *t = b->t;
	struct gw_rt_port *np;

	for (int i = 0; i < t->nports; i++)
		if (t->ports[i].port == port && t->ports[i].udp == udp &&
		    !strcmp(t->ports[i].addr ? t->ports[i].addr : "", addr ? addr : ""))
			return &t->ports[i];
	np = gw_arena_alloc(b->a, (size_t)(t->nports + 1) * sizeof(*np));
	if (!np)
		return NULL;
	if (t->nports)
		memcpy(np, t->ports, (size_t)t->nports * sizeof(*np));
	t->ports = np;
	np = &t->ports[t->nports++];
	np->addr = addr;
	np->port = port;
	np->udp = udp;
	return np;
}

static int port_add_listener(struct build *b, struct gw_rt_port *p, struct gw_rt_listener *l)
{
	struct gw_rt_listener **nl = gw_arena_alloc(b->a, (size_t)(p->nlisteners + 1) * sizeof(*nl));
	void **slot;

	if (!nl)
		return -ENOMEM;
	if (p->nlisteners)
		memcpy(nl, p->listeners, (size_t)p->nlisteners * sizeof(*nl));
	nl[p->nlisteners++] = l;
	p->listeners = nl;
	if (!l->hostname) {
		/* the resolver marks same-port same-hostname listeners Conflicted: one at most */
		if (!p->any)
			p->any = l;
		return 0;
	}
	if (l->hostname[0] == '*' && l->hostname[1] == '.')
		slot = strmap_slot(b->a, &p->wild, l->hostname + 1, (uint32_t)strlen(l->hostname + 1));
	else
		slot = strmap_slot(b->a, &p->hosts, l->hostname, (uint32_t)strlen(l->hostname));
	if (!slot)
		return -ENOMEM;
	if (!*slot)
		*slot = l;
	return 0;
}

/* Route r's backends (every rule's, flattened) into tr. */
static int build_tunnel_route(struct build *b, const struct gw_route *r, struct gw_rt_tlsroute *tr)
{
	int nb = 0;

	tr->r = r;
	tr->name = gw_arena_printf(b->a, "%s/%s", r->obj->ns, r->obj->name);
	for (int i = 0; i < r->nrules; i++)
		nb += r->rules[i].nbackends;
	tr->backends = ALLOC(b, nb, struct gw_rt_backend);
	if (!tr->name || !tr->backends)
		return -ENOMEM;
	for (int rule = 0; rule < r->nrules; rule++) {
		const struct gw_rule *ru = &r->rules[rule];

		for (int k = 0; k < ru->nbackends; k++) {
			struct gw_rt_backend *be = &tr->backends[tr->nbackends++];

			if (build_backend(b, tr->name, rule, &ru->backends[k], be))
				return -ENOMEM;
			tr->total_weight += be->weight;
		}
	}
	return 0;
}

/*
 * The TLSRoutes attached to a passthrough listener, or the TCPRoute /
 * UDPRoute of an L4 listener (the one the XDP tier would pick).
 */
static int build_passthrough(struct build *b, const struct gw_listener *l, struct gw_rt_listener *o)
{
	bool l4 = l->proto == GW_PROTO_TCP || l->proto == GW_PROTO_UDP;
	const struct gw_route *r4 = l4 ? gw_rt_l4_route_of(l) : NULL;
	int n = 0;

	o->l = l;
	o->hostname = l->hostname;
	o->port = l->port;
	o->key = gw_arena_printf(b->a, "%s/%s/%s/%s", l->owner->ki->kind, l->owner->ns,
				 l->owner->name, l->name);
	if (!o->key)
		return -ENOMEM;
	if (l4) {
		struct gw_rt_tlsroute *tr;

		if (!r4)
			return 0;
		tr = o->tlsroutes = ALLOC(b, 1, struct gw_rt_tlsroute);
		o->ntlsroutes = 1;
		if (!tr || build_tunnel_route(b, r4, tr) ||
		    gw_rt_l4_maglev(r4, AF_INET, &tr->maglev[0], b->a) ||
		    gw_rt_l4_maglev(r4, AF_INET6, &tr->maglev[1], b->a))
			return -ENOMEM;
		return 0;
	}
	for (const struct gw_attachment *at = l->attachments; at; at = at->next)
		n += at->route->obj->ki->id == GW_K_TLSROUTE;
	o->tlsroutes = ALLOC(b, n, struct gw_rt_tlsroute);
	if (!o->tlsroutes)
		return -ENOMEM;
	for (const struct gw_attachment *at = l->attachments; at; at = at->next)
		if (at->route->obj->ki->id == GW_K_TLSROUTE &&
		    build_tunnel_route(b, at->route, &o->tlsroutes[o->ntlsroutes++]))
			return -ENOMEM;
	return 0;
}

static int build_gateway(struct build *b, const struct gw_gateway *gw)
{
	for (int i = 0; i < gw->nall; i++) {
		const struct gw_listener *l = gw->all[i];
		struct gw_rt_listener *rl;
		int nb = gw->naddresses ? gw->naddresses : 1;

		if (!l->valid)
			continue;
		bool tls = l->proto == GW_PROTO_HTTPS;
		bool pass = l->proto == GW_PROTO_TLS;
		/* TLS listener in mode Terminate: TLSRoutes get the decrypted stream */
		bool term = pass && l->tls_mode && !strcmp(l->tls_mode, "Terminate");
		/* TCP/UDP listeners the XDP tier does not serve (gwctl load recorded which) */
		bool l4 = l->proto == GW_PROTO_TCP, udp = l->proto == GW_PROTO_UDP;

		if (term)
			pass = false;
		if (tls && l->tls_mode && strcmp(l->tls_mode, "Terminate")) {
			if (add_unserved(b, l, "an HTTPS listener must terminate TLS (tls.mode "
					 "Terminate)"))
				return -ENOMEM;
			continue;
		}
		if ((l4 || udp) && gw_config_xdp_serves(b->t->cfg, l)) {
			if (add_unserved(b, l, "served by the XDP tier"))
				return -ENOMEM;
			continue;
		}
		if (l->proto != GW_PROTO_HTTP && !tls && !pass && !term && !l4 && !udp)
			continue;
		rl = gw_arena_alloc(b->a, sizeof(*rl));
		if (!rl)
			return -ENOMEM;
		memset(rl, 0, sizeof(*rl));
		if (pass || term || l4 || udp) {
			if (build_passthrough(b, l, rl))
				return -ENOMEM;
		} else {
			if (build_listener(b, l, rl))
				return -ENOMEM;
			sort_listener(rl);
		}
		for (int k = 0; k < nb; k++) {
			struct gw_rt_port *p = port_get(b, gw->naddresses ? gw->addresses[k] : NULL,
							l->port, udp);

			if (!p)
				return -ENOMEM;
			/*
			 * One socket speaks one protocol: the first listener of a port
			 * decides; a TCP or UDP listener has its port to itself.
			 */
			if (p->nlisteners && (p->tls != (tls || term) || p->passthrough != pass ||
					      p->tcp != term || p->l4 != l4 || l4 || udp)) {
				const char *why = p->passthrough ? "its port serves TLS passthrough"
						  : p->tcp ? "its port serves TLS listeners"
						  : p->l4 ? "its port serves a TCP listener"
						  : p->udp ? "its port serves a UDP listener"
						  : p->tls ? "its port serves HTTPS listeners"
							   : "its port serves HTTP listeners";

				if (add_unserved(b, l, why))
					return -ENOMEM;
				break;
			}
			p->tls = tls || term;
			p->passthrough = pass;
			p->tcp = term;
			p->l4 = l4;
			if (port_add_listener(b, p, rl))
				return -ENOMEM;
		}
	}
	return 0;
}

struct gw_rt_table *gw_rt_build(struct gw_config *cfg, char *err, size_t errlen)
{
	struct gw_rt_table *t = calloc(1, sizeof(*t));
	struct build b = { .t = t, .cfg = cfg, .a = &cfg->arena, .err = err, .errlen = errlen };
	static const enum gw_kind kinds[] = { GW_K_HTTPROUTE, GW_K_GRPCROUTE };
	size_t nr = cfg->nby_kind[GW_K_HTTPROUTE] + cfg->nby_kind[GW_K_GRPCROUTE];
	int rc = 0;

	err[0] = '\0';
	if (!t) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	t->cfg = cfg;
	b.routes = calloc(nr + 1, sizeof(*b.routes));
	if (!b.routes) {
		rc = -ENOMEM;
		goto out;
	}
	/* only routes attached somewhere matter; the rest need no compiling */
	for (size_t k = 0; k < sizeof(kinds) / sizeof(kinds[0]); k++) {
		for (size_t i = 0; i < cfg->nby_kind[kinds[k]]; i++) {
			const struct gw_route *r = cfg->by_kind[kinds[k]][i]->u.route;
			bool attached = false;

			for (int p = 0; p < r->nparents && !attached; p++)
				attached = r->parents[p].gw && r->parents[p].ours;
			if (!attached)
				continue;
			if ((rc = build_route(&b, r, &b.routes[b.nroutes])))
				goto out;
			b.nroutes++;
		}
	}
	t->nroutes = (uint32_t)b.nroutes;
	qsort(b.routes, b.nroutes, sizeof(*b.routes), cmp_croute);
	for (size_t i = 0; i < cfg->nby_kind[GW_K_GATEWAY]; i++) {
		const struct gw_gateway *gw = cfg->by_kind[GW_K_GATEWAY][i]->u.gw;

		if (gw->ours && (rc = build_gateway(&b, gw)))
			goto out;
	}
	/* every rule, for per-worker state and the /config dump */
	t->rules = gw_arena_alloc(b.a, (t->nrules + 1) * sizeof(*t->rules));
	if (!t->rules) {
		rc = -ENOMEM;
		goto out;
	}
	for (size_t i = 0; i < b.nroutes; i++)
		for (int k = 0; k < b.routes[i].r->nrules; k++)
			t->rules[b.routes[i].rules[k]->idx] = b.routes[i].rules[k];
out:
	free(b.routes);
	free(b.secpols);
	if (rc) {
		if (!err[0])
			snprintf(err, errlen, "building the route table: %s", strerror(-rc));
		t->cfg = NULL;
		gw_rt_free(t);
		return NULL;
	}
	return t;
}

void gw_rt_free(struct gw_rt_table *t)
{
	if (!t)
		return;
	gw_rt_tls_free(t);
	for (uint32_t i = 0; i < t->nregexes; i++)
		pcre2_code_free(t->regexes[i]);
	free(t->regexes);
	for (uint32_t i = 0; i < t->nhtpasswds; i++)
		gw_htpasswd_free(t->htpasswds[i]);
	free(t->htpasswds);
	for (uint32_t i = 0; i < t->njwks; i++)
		gw_jwks_free(t->jwks[i]);
	free(t->jwks);
	/* the last table holding a stat frees it: no worker runs this table any more */
	for (uint32_t i = 0; i < t->nstats; i++)
		gw_stat_put(t->stats[i]);
	free(t->stats);
	if (t->cfg) {
		gw_config_free(t->cfg);
		free(t->cfg);
	}
	free(t);
}

/* ---- lookup ------------------------------------------------------------- */

const struct gw_rt_port *gw_rt_port_find(const struct gw_rt_table *t, const char *addr, int port)
{
	for (int i = 0; i < t->nports; i++)
		if (t->ports[i].port == port && !t->ports[i].udp &&
		    !strcmp(t->ports[i].addr ? t->ports[i].addr : "", addr ? addr : ""))
			return &t->ports[i];
	return NULL;
}

const struct gw_rt_listener *gw_rt_listener_select(const struct gw_rt_port *p, const char *host,
						  uint32_t host_len)
{
	const struct gw_rt_listener *l;

	if ((l = gw_strmap_get(&p->hosts, host, host_len)))
		return l;
	for (uint32_t i = 1; i < host_len && p->wild.n; i++)
		if (host[i] == '.' && (l = gw_strmap_get(&p->wild, host + i, host_len - i)))
			return l;
	return p->any;
}

struct gw_match_data {
	pcre2_match_data *md;
	pcre2_match_context *mc;
};

void *gw_rt_match_data_new(void)
{
	struct gw_match_data *d = calloc(1, sizeof(*d));

	if (!d)
		return NULL;
	d->md = pcre2_match_data_create(1, NULL);
	d->mc = pcre2_match_context_create(NULL);
	if (!d->md || !d->mc) {
		gw_rt_match_data_free(d);
		return NULL;
	}
	/*
	 * Bound backtracking: a pathological pattern ("(a+)+b") must not stall
	 * a worker. The match limit counts the matcher's internal steps in
	 * the interpreter and in JIT code alike (pcre2jit(3)): at 200,000 a
	 * match gives up within about a millisecond (tests/unit/router/match.c;
	 * PCRE2's default of 10,000,000 takes 15-30 ms). JIT ignores the depth
	 * limit, its own bound is the 32 KiB JIT stack (PCRE2_ERROR_JIT_STACKLIMIT).
	 */
	pcre2_set_match_limit(d->mc, GW_RT_RE_MATCH_LIMIT);
	pcre2_set_depth_limit(d->mc, GW_RT_RE_DEPTH_LIMIT);
	return d;
}

void gw_rt_match_data_free(void *md)
{
	struct gw_match_data *d = md;

	if (!d)
		return;
	pcre2_match_data_free(d->md);
	pcre2_match_context_free(d->mc);
	free(d);
}

uint64_t gw_rt_regex_limit_hits;

/*
 * A match stopped by the match, depth or JIT stack limit (or any other
 * PCRE2 error) is no match: the rule does not apply and the lookup goes
 * on to the matches below it. (Envoy's RE2 runs in linear time and needs
 * no such limit; PCRE2 backtracks.) Counted for gwd_regex_match_limit_total.
 */
static bool re_match(void *re, const char *s, size_t n, struct gw_match_data *d);

bool gw_rt_re_match(void *re, const char *s, size_t n, void *match_data)
{
	return re_match(re, s, n, match_data);
}

static bool re_match(void *re, const char *s, size_t n, struct gw_match_data *d)
{
	int rc = pcre2_match(re, (PCRE2_SPTR)s, n, 0, 0, d->md, d->mc);

	if (rc >= 0)
		return true;
	if (rc != PCRE2_ERROR_NOMATCH) {
		PCRE2_UCHAR msg[120];

		__atomic_add_fetch(&gw_rt_regex_limit_hits, 1, __ATOMIC_RELAXED);
		pcre2_get_error_message(rc, msg, sizeof(msg));
		pr_warn_ratelimited("RegularExpression match on %zu bytes stopped: %s; taken as no "
				    "match", n, (char *)msg);
	}
	return false;
}

/*
 * A field repeated in a request means the comma-joined list (RFC 9110
 * 5.3); header matches compare against that.
 */
static bool header_match(const struct gw_rt_kvmatch *k, const struct gw_rt_request *rq,
			 struct gw_match_data *d)
{
	const struct gw_http1_header *first = NULL;
	char joined[8192];
	size_t n = 0;
	int count = 0;

	for (size_t i = 0; i < rq->nheaders; i++) {
		const struct gw_http1_header *h = &rq->headers[i];

		if (h->name_len != k->name_len || strncasecmp(h->name, k->name, k->name_len))
			continue;
		if (!count++)
			first = h;
		if (n + h->value_len + 2 > sizeof(joined))
			return false;
		if (n) {
			joined[n++] = ',';
			joined[n++] = ' ';
		}
		memcpy(joined + n, h->value, h->value_len);
		n += h->value_len;
	}
	if (!count)
		return false;
	if (count == 1) {
		if (k->re)
			return re_match(k->re, first->value, first->value_len, d);
		return first->value_len == k->value_len &&
		       !memcmp(first->value, k->value, k->value_len);
	}
	if (k->re)
		return re_match(k->re, joined, n, d);
	return n == k->value_len && !memcmp(joined, k->value, n);
}

static int unhex(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c |= 0x20;
	return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* Percent-decodes s[0..n) into out (n bytes at most); returns the length. */
static size_t pct_decode(const char *s, size_t n, char *out)
{
	size_t o = 0;

	for (size_t i = 0; i < n; i++) {
		int h, l;

		if (s[i] == '%' && i + 2 < n && (h = unhex(s[i + 1])) >= 0 &&
		    (l = unhex(s[i + 2])) >= 0) {
			out[o++] = (char)(h * 16 + l);
			i += 2;
		} else {
			out[o++] = s[i];
		}
	}
	return o;
}

/*
 * Query parameter matches compare the first occurrence of the name (as the
 * spec recommends); the request's value is percent-decoded first.
 */
static bool query_match(const struct gw_rt_kvmatch *k, const struct gw_rt_request *rq,
			struct gw_match_data *d)
{
	const char *q = rq->query, *end = rq->query + rq->query_len;

	if (!q)
		return false;
	while (q < end) {
		const char *amp = memchr(q, '&', (size_t)(end - q));
		const char *pe = amp ? amp : end, *eq = memchr(q, '=', (size_t)(pe - q));
		const char *ne = eq ? eq : pe;

		if ((size_t)(ne - q) == k->name_len && !memcmp(q, k->name, k->name_len)) {
			const char *v = eq ? eq + 1 : pe;
			char buf[2048];
			size_t vn = (size_t)(pe - v);

			if (vn > sizeof(buf))
				return false;
			vn = pct_decode(v, vn, buf);
			if (k->re)
				return re_match(k->re, buf, vn, d);
			return vn == k->value_len && !memcmp(buf, k->value, vn);
		}
		q = pe + 1;
	}
	return false;
}

static bool match_rest(const struct gw_rt_match *m, const struct gw_rt_request *rq,
		       struct gw_match_data *d)
{
	if (m->method && (strlen(m->method) != rq->method_len ||
			  memcmp(m->method, rq->method, rq->method_len)))
		return false;
	for (int i = 0; i < m->nheaders; i++)
		if (!header_match(&m->headers[i], rq, d))
			return false;
	for (int i = 0; i < m->nqueries; i++)
		if (!query_match(&m->queries[i], rq, d))
			return false;
	return true;
}

static const struct gw_rt_match *list_first(const struct gw_rt_list *l,
					    const struct gw_rt_request *rq,
					    struct gw_match_data *d)
{
	if (!l)
		return NULL;
	for (uint32_t i = 0; i < l->n; i++)
		if (match_rest(l->v[i], rq, d))
			return l->v[i];
	return NULL;
}

/*
 * Prefix candidates end at segment boundaries: the path without a trailing
 * '/', then each shorter prefix ending before a '/', down to the root
 * (stored as "").
 */
static const struct gw_rt_match *prefix_lookup(const struct gw_rt_bucket *b,
					       const struct gw_rt_request *rq,
					       struct gw_match_data *d)
{
	const struct gw_rt_match *m;
	uint32_t c = rq->path_len;

	if (!b->prefix.n)
		return NULL;
	if (c && rq->path[c - 1] == '/')
		c--;
	for (;;) {
		if ((m = list_first(gw_strmap_get(&b->prefix, rq->path, c), rq, d)))
			return m;
		if (!c)
			return NULL;
		while (c && rq->path[c - 1] != '/')
			c--;
		if (c)
			c--;
	}
}

static const struct gw_rt_match *bucket_lookup(const struct gw_rt_bucket *b,
					       const struct gw_rt_request *rq,
					       struct gw_match_data *d)
{
	const struct gw_rt_match *m;

	if ((m = list_first(gw_strmap_get(&b->exact, rq->path, rq->path_len), rq, d)))
		return m;
	for (uint32_t i = 0; i < b->regex.n; i++) {
		m = b->regex.v[i];
		if (re_match(m->re, rq->path, rq->path_len, d) && match_rest(m, rq, d))
			return m;
	}
	if ((m = prefix_lookup(b, rq, d)))
		return m;
	for (uint32_t i = 0; i < b->grpc_late.n; i++) {
		m = b->grpc_late.v[i];
		if ((!m->re || re_match(m->re, rq->path, rq->path_len, d)) && match_rest(m, rq, d))
			return m;
	}
	return NULL;
}

const struct gw_rt_match *gw_rt_lookup(const struct gw_rt_listener *l,
				       const struct gw_rt_request *rq, void *match_data)
{
	const struct gw_rt_bucket *b;
	const struct gw_rt_match *m;

	if ((b = gw_strmap_get(&l->hosts, rq->host, rq->host_len)) &&
	    (m = bucket_lookup(b, rq, match_data)))
		return m;
	for (uint32_t i = 1; i < rq->host_len && l->wild.n; i++) {
		if (rq->host[i] != '.')
			continue;
		b = gw_strmap_get(&l->wild, rq->host + i, rq->host_len - i);
		if (b && (m = bucket_lookup(b, rq, match_data)))
			return m;
	}
	if (l->any)
		return bucket_lookup(l->any, rq, match_data);
	return NULL;
}
