// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#include "limits.h"
#include "yval.h"

/*
 * Aliases are shared, not copied, so an alias bomb cannot exhaust memory
 * while loading; the node budget (limits.h) still bounds how many nodes a document
 * may reference in total, so emitting or walking it stays bounded too.
 */

struct gw_yval *gw_ynew(struct gw_arena *a, enum gw_ytype t)
{
	struct gw_yval *v = gw_arena_alloc(a, sizeof(*v));

	if (v)
		v->type = t;
	return v;
}

struct gw_yval *gw_ystr(struct gw_arena *a, const char *s)
{
	struct gw_yval *v = gw_ynew(a, GW_YSTR);

	if (v && !(v->str = gw_arena_strdup(a, s)))
		return NULL;
	return v;
}

struct gw_yval *gw_ystr_ref(struct gw_arena *a, const char *s)
{
	struct gw_yval *v = gw_ynew(a, GW_YSTR);

	if (v)
		v->str = s;
	return v;
}

struct gw_yval *gw_yint(struct gw_arena *a, long long i)
{
	struct gw_yval *v = gw_ynew(a, GW_YINT);

	if (!v)
		return NULL;
	v->i = i;
	v->str = gw_arena_printf(a, "%lld", i);
	return v->str ? v : NULL;
}

struct gw_yval *gw_ybool(struct gw_arena *a, bool b)
{
	struct gw_yval *v = gw_ynew(a, GW_YBOOL);

	if (!v)
		return NULL;
	v->i = b;
	v->str = b ? "true" : "false";
	return v;
}

static int grow(struct gw_arena *a, struct gw_yval *c, size_t elsz)
{
	size_t ncap = c->cap ? c->cap * 2 : 4;
	void *p = gw_arena_alloc(a, ncap * elsz);

	if (!p)
		return -ENOMEM;
	if (c->n)
		memcpy(p, c->type == GW_YSEQ ? (void *)c->items : (void *)c->pairs, c->n * elsz);
	if (c->type == GW_YSEQ)
		c->items = p;
	else
		c->pairs = p;
	c->cap = ncap;
	return 0;
}

int gw_ypush(struct gw_arena *a, struct gw_yval *seq, struct gw_yval *v)
{
	if (seq->n == seq->cap && grow(a, seq, sizeof(*seq->items)))
		return -ENOMEM;
	seq->items[seq->n++] = v;
	return 0;
}

int gw_yset(struct gw_arena *a, struct gw_yval *map, const char *key, struct gw_yval *v)
{
	for (size_t i = 0; i < map->n; i++) {
		if (!strcmp(map->pairs[i].key, key)) {
			map->pairs[i].val = v;
			return 0;
		}
	}
	if (map->n == map->cap && grow(a, map, sizeof(*map->pairs)))
		return -ENOMEM;
	map->pairs[map->n].key = key;
	map->pairs[map->n].val = v;
	map->n++;
	return 0;
}

struct gw_yval *gw_ycopy(struct gw_arena *a, const struct gw_yval *v)
{
	struct gw_yval *c;

	if (!v)
		return NULL;
	c = gw_ynew(a, v->type);
	if (!c)
		return NULL;
	c->line = v->line;
	c->file = v->file;
	c->str = v->str;
	if (v->type != GW_YSEQ && v->type != GW_YMAP)
		c->i = v->i;
	for (size_t k = 0; k < v->n; k++) {
		if (v->type == GW_YSEQ) {
			struct gw_yval *it = gw_ycopy(a, v->items[k]);

			if (!it || gw_ypush(a, c, it))
				return NULL;
		} else {
			struct gw_yval *it = gw_ycopy(a, v->pairs[k].val);

			if (!it || gw_yset(a, c, v->pairs[k].key, it))
				return NULL;
		}
	}
	return c;
}

struct gw_yval *gw_yget(const struct gw_yval *m, const char *key)
{
	if (!m || m->type != GW_YMAP)
		return NULL;
	for (size_t i = 0; i < m->n; i++)
		if (!strcmp(m->pairs[i].key, key))
			return m->pairs[i].val;
	return NULL;
}

struct gw_yval *gw_ypath(const struct gw_yval *v, const char *path)
{
	char key[128];
	const char *dot;

	while (v && *path) {
		size_t n;

		dot = strchr(path, '.');
		n = dot ? (size_t)(dot - path) : strlen(path);
		if (n >= sizeof(key))
			return NULL;
		memcpy(key, path, n);
		key[n] = '\0';
		v = gw_yget(v, key);
		path += n + (dot ? 1 : 0);
	}
	return (struct gw_yval *)v;
}

const char *gw_ygetstr(const struct gw_yval *m, const char *key, const char *def)
{
	struct gw_yval *v = gw_yget(m, key);

	return v && v->type == GW_YSTR ? v->str : def;
}

long long gw_ygetint(const struct gw_yval *m, const char *key, long long def)
{
	struct gw_yval *v = gw_yget(m, key);

	return v && v->type == GW_YINT ? v->i : def;
}

bool gw_ygetbool(const struct gw_yval *m, const char *key, bool def)
{
	struct gw_yval *v = gw_yget(m, key);

	return v && v->type == GW_YBOOL ? v->i : def;
}

size_t gw_ylen(const struct gw_yval *v)
{
	return v && (v->type == GW_YSEQ || v->type == GW_YMAP) ? v->n : 0;
}

bool gw_yequal(const struct gw_yval *a, const struct gw_yval *b)
{
	if (a == b)
		return true;
	if (!a || !b || a->type != b->type || a->n != b->n)
		return false;
	switch (a->type) {
	case GW_YNULL:
		return true;
	case GW_YBOOL:
	case GW_YINT:
		return a->i == b->i;
	case GW_YFLOAT:
	case GW_YSTR:
		return !strcmp(a->str, b->str);
	case GW_YSEQ:
		for (size_t i = 0; i < a->n; i++)
			if (!gw_yequal(a->items[i], b->items[i]))
				return false;
		return true;
	case GW_YMAP:
		for (size_t i = 0; i < a->n; i++)
			if (!gw_yequal(a->pairs[i].val, gw_yget(b, a->pairs[i].key)))
				return false;
		return true;
	}
	return false;
}

const char *gw_ytype_name(enum gw_ytype t)
{
	static const char *const names[] = {
		[GW_YNULL] = "null",	[GW_YBOOL] = "boolean", [GW_YINT] = "integer",
		[GW_YFLOAT] = "number", [GW_YSTR] = "string",	[GW_YSEQ] = "array",
		[GW_YMAP] = "object",
	};
	return t <= GW_YMAP ? names[t] : "?";
}

/* ---- loading ---------------------------------------------------------- */

/* YAML 1.2 core schema resolution of a plain scalar. */
static void resolve_plain(struct gw_yval *v, const char *s)
{
	char *end;

	if (!*s || !strcmp(s, "~") || !strcmp(s, "null") || !strcmp(s, "Null") ||
	    !strcmp(s, "NULL")) {
		v->type = GW_YNULL;
		return;
	}
	if (!strcmp(s, "true") || !strcmp(s, "True") || !strcmp(s, "TRUE")) {
		v->type = GW_YBOOL;
		v->i = 1;
		return;
	}
	if (!strcmp(s, "false") || !strcmp(s, "False") || !strcmp(s, "FALSE")) {
		v->type = GW_YBOOL;
		v->i = 0;
		return;
	}
	if (isdigit((unsigned char)s[0]) ||
	    ((s[0] == '-' || s[0] == '+') && isdigit((unsigned char)s[1]))) {
		int base = 10;
		const char *p = s;

		if (s[0] == '0' && s[1] == 'x')
			base = 16, p = s + 2;
		else if (s[0] == '0' && s[1] == 'o')
			base = 8, p = s + 2;
		errno = 0;
		v->i = strtoll(p, &end, base);
		if (!*end && end != p && !errno) {
			v->type = GW_YINT;
			return;
		}
		errno = 0;
		strtod(s, &end);
		if (!*end && !errno) {
			v->type = GW_YFLOAT;
			return;
		}
	}
	v->type = GW_YSTR;
}

struct anchor {
	const char *name;
	struct gw_yval *val;
	size_t weight;	/* nodes in the subtree */
};

/*
 * Scalars and keys repeat a lot in Kubernetes YAML ("name", "kind",
 * "Service", "PathPrefix", ...): short strings are interned per load, which
 * roughly halves the memory a large configuration takes.
 */
#define INTERN_MAX_LEN 64

struct intern {
	const char **slots;
	size_t cap, n;
};

struct loader {
	struct gw_arena *a;
	struct intern in;
	const char *file;
	struct gw_yval *stack[GW_YAML_MAX_DEPTH];
	const char *keys[GW_YAML_MAX_DEPTH];	/* pending key per map level */
	unsigned key_lines[GW_YAML_MAX_DEPTH];
	const char *anchor_at[GW_YAML_MAX_DEPTH];
	size_t weight_at[GW_YAML_MAX_DEPTH];
	int depth;
	/*
	 * The children of the open collection at each depth grow here, in
	 * malloc'd buffers reused from one collection to the next; the arena
	 * gets an exact-size copy when the collection ends (growing in the
	 * arena left every smaller array behind, about half of it unused).
	 */
	struct {
		void *buf;
		size_t cap;	/* bytes */
	} scratch[GW_YAML_MAX_DEPTH];
	struct anchor *anchors;
	size_t nanchors, capanchors;
	size_t budget;
	char too_large[96];
	char *err;
	size_t errlen;
};

static uint64_t str_hash(const char *s, size_t n)
{
	uint64_t h = 1469598103934665603ULL;

	for (size_t i = 0; i < n; i++)
		h = (h ^ (unsigned char)s[i]) * 1099511628211ULL;
	return h;
}

/* The arena copy of s[0..n), shared with earlier equal strings when short. */
static const char *intern(struct loader *l, const char *s, size_t n)
{
	struct intern *in = &l->in;
	size_t i;

	if (n > INTERN_MAX_LEN)
		return gw_arena_strndup(l->a, s, n);
	if ((in->n + 1) * 2 > in->cap) {
		size_t ncap = in->cap ? in->cap * 2 : 1024;
		const char **ns = calloc(ncap, sizeof(*ns));

		if (!ns)
			return NULL;
		for (size_t k = 0; k < in->cap; k++) {
			const char *o = in->slots[k];

			if (!o)
				continue;
			for (i = str_hash(o, strlen(o)) & (ncap - 1); ns[i]; i = (i + 1) & (ncap - 1))
				;
			ns[i] = o;
		}
		free(in->slots);
		in->slots = ns;
		in->cap = ncap;
	}
	for (i = str_hash(s, n) & (in->cap - 1); in->slots[i]; i = (i + 1) & (in->cap - 1))
		if (!strncmp(in->slots[i], s, n) && !in->slots[i][n])
			return in->slots[i];
	in->slots[i] = gw_arena_strndup(l->a, s, n);
	if (in->slots[i])
		in->n++;
	return in->slots[i];
}

static int lerr(struct loader *l, unsigned line, unsigned col, const char *msg)
{
	snprintf(l->err, l->errlen, "%s:%u:%u: %s", l->file, line, col, msg);
	return -EINVAL;
}

static int add_anchor(struct loader *l, const char *name, struct gw_yval *v, size_t weight)
{
	if (l->nanchors == l->capanchors) {
		size_t n = l->capanchors ? l->capanchors * 2 : 8;
		struct anchor *p = gw_arena_alloc(l->a, n * sizeof(*p));

		if (!p)
			return -ENOMEM;
		if (l->nanchors)
			memcpy(p, l->anchors, l->nanchors * sizeof(*p));
		l->anchors = p;
		l->capanchors = n;
	}
	l->anchors[l->nanchors].name = name;
	l->anchors[l->nanchors].val = v;
	l->anchors[l->nanchors].weight = weight;
	l->nanchors++;
	return 0;
}

/* Room for one more child of the open collection p (at depth - 1). */
static int child_room(struct loader *l, struct gw_yval *p, size_t elsz)
{
	typeof(l->scratch[0]) *sc = &l->scratch[l->depth - 1];

	if (p->n == p->cap) {
		size_t need = (p->n ? (size_t)p->n * 2 : 8) * elsz;

		if (need > sc->cap) {
			void *nb = realloc(sc->buf, need);

			if (!nb)
				return -ENOMEM;
			sc->buf = nb;
			sc->cap = need;
		}
		p->cap = (unsigned)(sc->cap / elsz);
	}
	if (p->type == GW_YSEQ)
		p->items = sc->buf;
	else
		p->pairs = sc->buf;
	return 0;
}

/* A collection is complete: its children move from the scratch buffer to the arena. */
static int children_settle(struct loader *l, struct gw_yval *v)
{
	size_t elsz = v->type == GW_YSEQ ? sizeof(*v->items) : sizeof(*v->pairs);
	void *arr = NULL;

	if (v->n) {
		arr = gw_arena_alloc(l->a, v->n * elsz);
		if (!arr)
			return -ENOMEM;
		memcpy(arr, v->type == GW_YSEQ ? (void *)v->items : (void *)v->pairs, v->n * elsz);
	}
	if (v->type == GW_YSEQ)
		v->items = arr;
	else
		v->pairs = arr;
	v->cap = v->n;
	return 0;
}

/* Attaches a finished node to its parent (or makes it the root). */
static int attach(struct loader *l, struct gw_yval *v, struct gw_ydoc *doc, unsigned line,
		  unsigned col, size_t weight, size_t charge)
{
	struct gw_yval *p;

	if (l->budget < charge)
		return lerr(l, line, col, l->too_large);
	l->budget -= charge;
	if (l->depth == 0) {
		doc->root = v;
		return 0;
	}
	p = l->stack[l->depth - 1];
	l->weight_at[l->depth - 1] += weight;
	if (p->type == GW_YSEQ) {
		if (child_room(l, p, sizeof(*p->items)))
			return -ENOMEM;
		p->items[p->n++] = v;
		return 0;
	}
	if (!l->keys[l->depth - 1]) {
		if (v->type != GW_YSTR && v->type != GW_YINT && v->type != GW_YBOOL &&
		    v->type != GW_YFLOAT && v->type != GW_YNULL)
			return lerr(l, line, col, "mapping keys must be scalars");
		if (v->type == GW_YNULL && !v->str)
			return lerr(l, line, col, "mapping keys must be scalars");
		if (gw_yget(p, v->str)) {
			char msg[256];

			snprintf(msg, sizeof(msg), "duplicate key \"%.200s\"", v->str);
			return lerr(l, line, col, msg);
		}
		l->keys[l->depth - 1] = v->str;
		l->key_lines[l->depth - 1] = line;
		return 0;
	}
	/* Append directly: duplicates were rejected when the key arrived. */
	if (child_room(l, p, sizeof(*p->pairs)))
		return -ENOMEM;
	p->pairs[p->n].key = l->keys[l->depth - 1];
	p->pairs[p->n].val = v;
	p->n++;
	l->keys[l->depth - 1] = NULL;
	return 0;
}

int gw_yaml_load(struct gw_arena *a, const char *file, const char *buf, size_t len,
		 struct gw_ydoc **docsp, size_t *ndocsp, char *err, size_t errlen)
{
	struct gw_yload_opts o = { .budget = GW_YAML_NODE_BUDGET };

	return gw_yaml_load_opts(a, file, buf, len, &o, docsp, ndocsp, err, errlen);
}

size_t gw_ycount(const struct gw_yval *v)
{
	size_t n = 1;

	if (!v)
		return 0;
	/* as gw_yaml_load charges them: a mapping key is one node, its value the rest */
	if (v->type == GW_YMAP)
		for (size_t i = 0; i < v->n; i++)
			n += 1 + gw_ycount(v->pairs[i].val);
	else if (v->type == GW_YSEQ)
		for (size_t i = 0; i < v->n; i++)
			n += gw_ycount(v->items[i]);
	return n;
}

int gw_yaml_load_opts(struct gw_arena *a, const char *file, const char *buf, size_t len,
		      const struct gw_yload_opts *o, struct gw_ydoc **docsp, size_t *ndocsp,
		      char *err, size_t errlen)
{
	yaml_parser_t parser;
	yaml_event_t ev;
	struct loader l = { .a = a, .file = file, .err = err, .errlen = errlen,
			    .budget = o->budget };
	/* with o->skip_status: inside a left-out value, its nesting (1 = at its start) */
	int skip = 0;
	struct gw_ydoc *docs = NULL, *doc = NULL;
	size_t ndocs = 0, capdocs = 0;
	int ret = 0;
	bool done = false;

	/* aliases count as the nodes they stand for, so this also bounds alias expansion */
	snprintf(l.too_large, sizeof(l.too_large),
		 "document too large: more than %zu YAML nodes in one file", o->budget);
	*docsp = NULL;
	*ndocsp = 0;
	if (!yaml_parser_initialize(&parser))
		return -ENOMEM;
	yaml_parser_set_input_string(&parser, (const unsigned char *)buf, len);

	while (!done) {
		if (!yaml_parser_parse(&parser, &ev)) {
			ret = lerr(&l, (unsigned)parser.problem_mark.line + 1,
				   (unsigned)parser.problem_mark.column + 1,
				   parser.problem ? parser.problem : "YAML syntax error");
			if (parser.context) {
				size_t o = strlen(err);

				snprintf(err + o, errlen - o, " (%s at line %zu)", parser.context,
					 parser.context_mark.line + 1);
			}
			break;
		}
		unsigned line = (unsigned)ev.start_mark.line + 1;
		unsigned col = (unsigned)ev.start_mark.column + 1;
		struct gw_yval *v = NULL;
		const char *anchor = NULL;

		if (skip) {
			/* inside a left-out value: charge its nodes, keep none */
			bool start = ev.type == YAML_SEQUENCE_START_EVENT ||
				     ev.type == YAML_MAPPING_START_EVENT;

			if (start)
				skip++;
			else if (ev.type == YAML_SEQUENCE_END_EVENT ||
				 ev.type == YAML_MAPPING_END_EVENT)
				skip--;
			if ((start || ev.type == YAML_SCALAR_EVENT ||
			     ev.type == YAML_ALIAS_EVENT) && !l.budget--)
				ret = lerr(&l, line, col, l.too_large);
			if (skip == 1 && !start)
				skip = 0;	/* the value (scalar, alias, collection) is over */
			yaml_event_delete(&ev);
			if (ret)
				break;
			continue;
		}
		switch (ev.type) {
		case YAML_STREAM_END_EVENT:
			done = true;
			break;
		case YAML_DOCUMENT_START_EVENT:
			if (ndocs == capdocs) {
				size_t n = capdocs ? capdocs * 2 : 8;
				struct gw_ydoc *p = gw_arena_alloc(a, n * sizeof(*p));

				if (!p) {
					ret = -ENOMEM;
					break;
				}
				if (ndocs)
					memcpy(p, docs, ndocs * sizeof(*p));
				docs = p;
				capdocs = n;
			}
			doc = &docs[ndocs++];
			doc->root = NULL;
			doc->line = line;
			l.nanchors = 0;	/* anchors are document-scoped */
			break;
		case YAML_ALIAS_EVENT: {
			size_t k;

			for (k = l.nanchors; k-- > 0;)
				if (!strcmp(l.anchors[k].name, (const char *)ev.data.alias.anchor))
					break;
			if (k == (size_t)-1) {
				ret = lerr(&l, line, col, "unknown alias");
				break;
			}
			ret = attach(&l, l.anchors[k].val, doc, line, col, l.anchors[k].weight,
				     l.anchors[k].weight);
			break;
		}
		case YAML_SCALAR_EVENT: {
			const char *s;

			if (strlen((const char *)ev.data.scalar.value) != ev.data.scalar.length) {
				ret = lerr(&l, line, col, "NUL byte in scalar");
				break;
			}
			/* a mapping key needs only its (interned) text, not a node */
			if (l.depth > 0 && l.stack[l.depth - 1]->type == GW_YMAP &&
			    !l.keys[l.depth - 1] && !ev.data.scalar.anchor) {
				s = intern(&l, (const char *)ev.data.scalar.value,
					   ev.data.scalar.length);
				if (!s) {
					ret = -ENOMEM;
					break;
				}
				if (gw_yget(l.stack[l.depth - 1], s)) {
					char msg[256];

					snprintf(msg, sizeof(msg), "duplicate key \"%.200s\"", s);
					ret = lerr(&l, line, col, msg);
					break;
				}
				if (!l.budget--) {
					ret = lerr(&l, line, col, l.too_large);
					break;
				}
				if (o->skip_status && l.depth == 1 && !strcmp(s, "status")) {
					skip = 1;
					break;
				}
				l.keys[l.depth - 1] = s;
				l.key_lines[l.depth - 1] = line;
				break;
			}
			v = gw_ynew(a, GW_YSTR);
			s = v ? intern(&l, (const char *)ev.data.scalar.value, ev.data.scalar.length)
			      : NULL;
			if (!s) {
				ret = -ENOMEM;
				break;
			}
			v->str = s;
			v->line = line;
			v->file = file;
			if (ev.data.scalar.plain_implicit && !ev.data.scalar.tag)
				resolve_plain(v, s);
			else if (ev.data.scalar.tag &&
				 strcmp((const char *)ev.data.scalar.tag, "tag:yaml.org,2002:str") &&
				 strcmp((const char *)ev.data.scalar.tag, "!")) {
				/* !!int, !!bool, ... : resolve as the plain scalar would be */
				resolve_plain(v, s);
			}
			anchor = (const char *)ev.data.scalar.anchor;
			if (anchor && (ret = add_anchor(&l, gw_arena_strdup(a, anchor), v, 1)))
				break;
			ret = attach(&l, v, doc, line, col, 1, 1);
			break;
		}
		case YAML_SEQUENCE_START_EVENT:
		case YAML_MAPPING_START_EVENT:
			if (l.depth == GW_YAML_MAX_DEPTH) {
				ret = lerr(&l, line, col, "nesting too deep");
				break;
			}
			if (l.depth > 0 && l.stack[l.depth - 1]->type == GW_YMAP &&
			    !l.keys[l.depth - 1]) {
				ret = lerr(&l, line, col, "mapping keys must be scalars");
				break;
			}
			v = gw_ynew(a, ev.type == YAML_SEQUENCE_START_EVENT ? GW_YSEQ : GW_YMAP);
			if (!v) {
				ret = -ENOMEM;
				break;
			}
			v->line = line;
			v->file = file;
			if (!l.budget--) {
				ret = lerr(&l, line, col, l.too_large);
				break;
			}
			anchor = (const char *)(ev.type == YAML_SEQUENCE_START_EVENT
							? ev.data.sequence_start.anchor
							: ev.data.mapping_start.anchor);
			l.anchor_at[l.depth] = anchor ? gw_arena_strdup(a, anchor) : NULL;
			l.weight_at[l.depth] = 1;
			l.keys[l.depth] = NULL;
			l.stack[l.depth++] = v;
			break;
		case YAML_SEQUENCE_END_EVENT:
		case YAML_MAPPING_END_EVENT: {
			size_t w;

			v = l.stack[--l.depth];
			w = l.weight_at[l.depth];
			if ((ret = children_settle(&l, v)))
				break;
			if (l.anchor_at[l.depth] &&
			    (ret = add_anchor(&l, l.anchor_at[l.depth], v, w)))
				break;
			/* its nodes were charged as they arrived */
			ret = attach(&l, v, doc, v->line, col, w, 0);
			break;
		}
		default:
			break;
		}
		yaml_event_delete(&ev);
		if (ret)
			break;
	}
	yaml_parser_delete(&parser);
	free(l.in.slots);
	for (int k = 0; k < GW_YAML_MAX_DEPTH; k++)
		free(l.scratch[k].buf);
	*docsp = docs;
	*ndocsp = ndocs;
	if (ret == -ENOMEM)
		snprintf(err, errlen, "%s: out of memory", file);
	return ret;
}

/* ---- emitting --------------------------------------------------------- */

static int cmp_pairs(const void *x, const void *y)
{
	const struct gw_ypair *a = *(const struct gw_ypair *const *)x;
	const struct gw_ypair *b = *(const struct gw_ypair *const *)y;

	return strcmp(a->key, b->key);
}

/* Sorted view of a map's pairs; caller frees. */
const struct gw_ypair **gw_ysorted_pairs(const struct gw_yval *m)
{
	const struct gw_ypair **p = malloc((m->n ? m->n : 1) * sizeof(*p));

	if (!p)
		return NULL;
	for (size_t i = 0; i < m->n; i++)
		p[i] = &m->pairs[i];
	qsort(p, m->n, sizeof(*p), cmp_pairs);
	return p;
}

/*
 * Whether a string must be quoted in YAML output so it reads back as the
 * same string. Covers YAML 1.1 booleans too (yes/no/on/off), because
 * Kubernetes tooling (go-yaml v2) still resolves those.
 */
static bool yaml_needs_quotes(const char *s)
{
	static const char *const reserved[] = {
		"y", "Y", "yes", "Yes", "YES", "n", "N", "no", "No", "NO", "on", "On", "ON",
		"off", "Off", "OFF", "true", "True", "TRUE", "false", "False", "FALSE",
		"null", "Null", "NULL", "~", ".inf", ".Inf", ".INF", "-.inf", ".nan", ".NaN",
		NULL,
	};
	struct gw_yval probe = { 0 };
	size_t n = strlen(s);

	if (!n)
		return true;
	for (int i = 0; reserved[i]; i++)
		if (!strcmp(s, reserved[i]))
			return true;
	resolve_plain(&probe, s);
	if (probe.type != GW_YSTR)
		return true;
	if (strchr("-?:,[]{}#&*!|>'\"%@` \t", s[0]) && !(s[0] == '-' && n > 1 && s[1] != ' ' &&
							      s[1] != '-'))
		return true;
	if (s[n - 1] == ' ' || s[n - 1] == ':')
		return true;
	for (const char *p = s; *p; p++) {
		unsigned char c = (unsigned char)*p;

		if (c < 0x20 || c == 0x7f)
			return true;
		if ((c == ':' && p[1] == ' ') || (c == ' ' && p[1] == '#'))
			return true;
	}
	/* YAML 1.1 timestamps (go-yaml quotes these, so kubectl output does) */
	if (n >= 8 && isdigit((unsigned char)s[0]) && isdigit((unsigned char)s[1]) &&
	    isdigit((unsigned char)s[2]) && isdigit((unsigned char)s[3]) && s[4] == '-' &&
	    isdigit((unsigned char)s[5]))
		return true;
	/* numbers with leading signs/dots that strtod would not take */
	if (s[0] == '.' && isdigit((unsigned char)s[1]))
		return true;
	return false;
}

/*
 * A double-quoted string, valid both as YAML and as JSON. For JSON, Go's
 * encoding/json (and so kubectl) also escapes <, > and &.
 */
static void write_quoted(FILE *f, const char *s, bool json)
{
	fputc('"', f);
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		switch (*p) {
		case '"':
			fputs("\\\"", f);
			break;
		case '\\':
			fputs("\\\\", f);
			break;
		case '\n':
			fputs("\\n", f);
			break;
		case '\t':
			fputs("\\t", f);
			break;
		case '\r':
			fputs("\\r", f);
			break;
		default:
			if (*p < 0x20 || *p == 0x7f || (json && (*p == '<' || *p == '>' || *p == '&')))
				fprintf(f, "\\u%04x", *p);
			else
				fputc(*p, f);
		}
	}
	fputc('"', f);
}

static void emit_quoted(FILE *f, const char *s)
{
	write_quoted(f, s, false);
}

static void yaml_scalar(FILE *f, const struct gw_yval *v)
{
	switch (v->type) {
	case GW_YNULL:
		fputs("null", f);
		break;
	case GW_YBOOL:
		fputs(v->i ? "true" : "false", f);
		break;
	case GW_YINT:
		fprintf(f, "%lld", v->i);
		break;
	case GW_YFLOAT:
		fputs(v->str, f);
		break;
	default:
		if (yaml_needs_quotes(v->str))
			emit_quoted(f, v->str);
		else
			fputs(v->str, f);
	}
}

static bool is_empty_container(const struct gw_yval *v)
{
	return (v->type == GW_YSEQ || v->type == GW_YMAP) && v->n == 0;
}

static int yaml_node(FILE *f, const struct gw_yval *v, int indent);

/* Emits the map's pairs; the first key goes at the current cursor. */
static int yaml_map_body(FILE *f, const struct gw_yval *m, int indent, bool first_inline)
{
	const struct gw_ypair **p = gw_ysorted_pairs(m);

	if (!p)
		return -ENOMEM;
	for (size_t i = 0; i < m->n; i++) {
		const struct gw_yval *v = p[i]->val;

		if (i || !first_inline)
			fprintf(f, "%*s", indent, "");
		if (yaml_needs_quotes(p[i]->key))
			emit_quoted(f, p[i]->key);
		else
			fputs(p[i]->key, f);
		fputc(':', f);
		if (v->type == GW_YMAP && v->n) {
			fputc('\n', f);
			yaml_map_body(f, v, indent + 2, false);
		} else if (v->type == GW_YSEQ && v->n) {
			fputc('\n', f);
			/* kubectl style: sequences are not indented under their key */
			yaml_node(f, v, indent);
		} else {
			fputc(' ', f);
			yaml_node(f, v, indent + 2);
		}
	}
	free(p);
	return 0;
}

static int yaml_node(FILE *f, const struct gw_yval *v, int indent)
{
	if (is_empty_container(v)) {
		fputs(v->type == GW_YSEQ ? "[]\n" : "{}\n", f);
		return 0;
	}
	if (v->type == GW_YMAP)
		return yaml_map_body(f, v, indent, false);
	if (v->type == GW_YSEQ) {
		for (size_t i = 0; i < v->n; i++) {
			const struct gw_yval *it = v->items[i];

			fprintf(f, "%*s- ", indent, "");
			if (it->type == GW_YMAP && it->n)
				yaml_map_body(f, it, indent + 2, true);
			else if (it->type == GW_YSEQ && it->n) {
				/* nested sequence: start on its own line */
				fputc('\n', f);
				yaml_node(f, it, indent + 2);
			} else
				yaml_node(f, it, indent + 2);
		}
		return 0;
	}
	yaml_scalar(f, v);
	fputc('\n', f);
	return 0;
}

int gw_yemit_yaml(FILE *f, const struct gw_yval *v)
{
	int err = yaml_node(f, v, 0);

	if (!err && ferror(f))
		err = -EIO;
	return err;
}

static void json_string(FILE *f, const char *s)
{
	write_quoted(f, s, true);
}

/*
 * A float as Go's fmt and encoding/json print a float64 (and so kubectl):
 * the shortest digits that read back to the same value, in %e form below
 * 1e-4 or from 1e21 on. Text strtod cannot read whole is printed as is.
 */
void gw_yprint_float(FILE *f, const char *text)
{
	char buf[64], *end;
	double d = strtod(text, &end);
	int prec, x;

	if (*end || !isfinite(d)) {
		fputs(text, f);
		return;
	}
	for (prec = 1; prec < 17; prec++) {
		snprintf(buf, sizeof(buf), "%.*e", prec - 1, d);
		if (strtod(buf, NULL) == d)
			break;
	}
	snprintf(buf, sizeof(buf), "%.*e", prec - 1, d);
	end = strchr(buf, 'e');
	x = atoi(end + 1);
	if (d != 0 && (x < -4 || x >= 21))
		/* Go writes at least two exponent digits: 1e+21, 1e-05 */
		fprintf(f, "%.*se%c%02d", (int)(end - buf), buf, x < 0 ? '-' : '+', abs(x));
	else
		fprintf(f, "%.*f", prec - 1 - x > 0 ? prec - 1 - x : 0, d);
}

static int json_node(FILE *f, const struct gw_yval *v, int indent, bool pretty)
{
	const char *nl = pretty ? "\n" : "";
	int step = pretty ? 4 : 0;

	switch (v->type) {
	case GW_YNULL:
		fputs("null", f);
		return 0;
	case GW_YBOOL:
		fputs(v->i ? "true" : "false", f);
		return 0;
	case GW_YINT:
		fprintf(f, "%lld", v->i);
		return 0;
	case GW_YFLOAT:
		gw_yprint_float(f, v->str);
		return 0;
	case GW_YSTR:
		json_string(f, v->str);
		return 0;
	case GW_YSEQ:
		if (!v->n) {
			fputs("[]", f);
			return 0;
		}
		fprintf(f, "[%s", nl);
		for (size_t i = 0; i < v->n; i++) {
			fprintf(f, "%*s", indent + step, "");
			json_node(f, v->items[i], indent + step, pretty);
			fprintf(f, "%s%s", i + 1 < v->n ? "," : "", nl);
		}
		fprintf(f, "%*s]", indent, "");
		return 0;
	case GW_YMAP: {
		const struct gw_ypair **p;

		if (!v->n) {
			fputs("{}", f);
			return 0;
		}
		p = gw_ysorted_pairs(v);
		if (!p)
			return -ENOMEM;
		fprintf(f, "{%s", nl);
		for (size_t i = 0; i < v->n; i++) {
			fprintf(f, "%*s", indent + step, "");
			json_string(f, p[i]->key);
			fputs(pretty ? ": " : ":", f);
			json_node(f, p[i]->val, indent + step, pretty);
			fprintf(f, "%s%s", i + 1 < v->n ? "," : "", nl);
		}
		fprintf(f, "%*s}", indent, "");
		free(p);
		return 0;
	}
	}
	return -EINVAL;
}

int gw_yemit_json_compact(FILE *f, const struct gw_yval *v)
{
	int err = json_node(f, v, 0, false);

	if (!err && ferror(f))
		err = -EIO;
	return err;
}

int gw_yemit_json(FILE *f, const struct gw_yval *v, bool pretty)
{
	int err = json_node(f, v, 0, pretty);

	fputc('\n', f);
	if (!err && ferror(f))
		err = -EIO;
	return err;
}
