// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <string.h>

#include "schema.h"

void gw_sctx_init(struct gw_sctx *c, struct gw_arena *a, struct gw_diags *d, const char *file,
		  const char *kind, const char *ns, const char *name)
{
	memset(c, 0, sizeof(*c));
	c->a = a;
	c->d = d;
	c->file = file;
	c->kind = kind;
	c->ns = ns;
	c->name = name;
}

size_t gw_sctx_push(struct gw_sctx *c, const char *fmt, ...)
{
	size_t mark = c->plen;
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(c->path + c->plen, sizeof(c->path) - c->plen, fmt, ap);
	va_end(ap);
	if (n > 0)
		c->plen += (size_t)n;
	if (c->plen >= sizeof(c->path))
		c->plen = sizeof(c->path) - 1;
	return mark;
}

void gw_sctx_pop(struct gw_sctx *c, size_t mark)
{
	c->plen = mark;
	c->path[mark] = '\0';
}

void gw_schema_error(struct gw_sctx *c, const struct gw_yval *at, const char *sub,
		     const char *fmt, ...)
{
	char msg[768], path[640];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	snprintf(path, sizeof(path), "%s%s%s", c->path, sub && *sub && c->plen ? "." : "",
		 sub ? sub : "");
	gw_diag_add(c->d, GW_DIAG_ERROR, at && at->file ? at->file : c->file,
		    at ? at->line : 0, c->kind, c->ns, c->name, path, "%s", msg);
	c->nerr++;
}

/*
 * Parsed defaults are cached per snippet: parsing a YAML snippet per
 * object would dominate loading 10k routes. Each use gets a deep copy, since
 * defaulting inside the default may write to it.
 */
struct def_cache_ent {
	const char *snippet;
	struct gw_yval *val;
};
static struct def_cache_ent def_cache[128];
static size_t def_cache_n;
static struct gw_arena def_arena;
static pthread_mutex_t def_lock = PTHREAD_MUTEX_INITIALIZER;

static struct gw_yval *default_value(struct gw_arena *a, const char *snippet)
{
	struct gw_yval *v = NULL;
	size_t i;

	pthread_mutex_lock(&def_lock);
	for (i = 0; i < def_cache_n; i++)
		if (def_cache[i].snippet == snippet)
			break;
	if (i == def_cache_n) {
		struct gw_ydoc *docs;
		size_t n;
		char err[256];

		if (gw_yaml_load(&def_arena, "<default>", snippet, strlen(snippet), &docs, &n,
				 err, sizeof(err)) ||
		    n != 1 || i == sizeof(def_cache) / sizeof(def_cache[0])) {
			pthread_mutex_unlock(&def_lock);
			return NULL;
		}
		def_cache[i].snippet = snippet;
		def_cache[i].val = docs[0].root;
		def_cache_n++;
	}
	v = def_cache[i].val;
	pthread_mutex_unlock(&def_lock);
	return gw_ycopy(a, v);
}

static bool type_ok(enum gw_stype t, const struct gw_yval *v)
{
	switch (t) {
	case GW_ST_ANY:
		return true;
	case GW_ST_STR:
		return v->type == GW_YSTR;
	case GW_ST_INT:
		return v->type == GW_YINT;
	case GW_ST_BOOL:
		return v->type == GW_YBOOL;
	case GW_ST_OBJ:
	case GW_ST_STRMAP:
		return v->type == GW_YMAP;
	case GW_ST_ARR:
		return v->type == GW_YSEQ;
	case GW_ST_INTORSTR:
		return v->type == GW_YINT || v->type == GW_YSTR;
	}
	return false;
}

static const char *stype_name(enum gw_stype t)
{
	switch (t) {
	case GW_ST_STR:
		return "string";
	case GW_ST_INT:
		return "integer";
	case GW_ST_BOOL:
		return "boolean";
	case GW_ST_OBJ:
	case GW_ST_STRMAP:
		return "object";
	case GW_ST_ARR:
		return "array";
	case GW_ST_INTORSTR:
		return "integer or string";
	default:
		return "any";
	}
}

static int validate_str(struct gw_sctx *c, const struct gw_schema *s, struct gw_yval *v)
{
	size_t n = strlen(v->str);
	const char *why;

	if (s->enums) {
		size_t k;
		char list[512];
		size_t o = 0;

		for (k = 0; s->enums[k]; k++)
			if (!strcmp(s->enums[k], v->str))
				return 0;
		list[0] = '\0';
		for (k = 0; s->enums[k] && o < sizeof(list); k++) {
			int w = snprintf(list + o, sizeof(list) - o, "%s\"%s\"", k ? ", " : "",
					 s->enums[k]);
			if (w > 0)
				o += (size_t)w;
		}
		gw_schema_error(c, v, NULL, "Unsupported value: \"%s\": supported values: %s",
				v->str, list);
		return 1;
	}
	if (n < s->min_len) {
		gw_schema_error(c, v, NULL,
				"Invalid value: \"%s\": should be at least %u chars long", v->str,
				s->min_len);
		return 1;
	}
	if (s->max_len && n > s->max_len) {
		gw_schema_error(c, v, NULL, "Too long: may not be more than %u bytes", s->max_len);
		return 1;
	}
	if (s->format && (why = s->format(v->str))) {
		gw_schema_error(c, v, NULL, "Invalid value: \"%s\": %s", v->str, why);
		return 1;
	}
	return 0;
}

/* Appends ".name" (or "name" at the root) to the path; the hot path of validation. */
static size_t push_field(struct gw_sctx *c, const char *name)
{
	size_t mark = c->plen, n = strlen(name);

	if (c->plen + n + 2 >= sizeof(c->path))
		return mark;
	if (c->plen)
		c->path[c->plen++] = '.';
	memcpy(c->path + c->plen, name, n + 1);
	c->plen += n;
	return mark;
}

/* Index of the schema field named key, or -1. */
static int field_index(const struct gw_schema *s, const char *key)
{
	for (int i = 0; s->fields && s->fields[i].name; i++)
		if (!strcmp(s->fields[i].name, key))
			return i;
	return -1;
}

static void drop_pair(struct gw_yval *v, size_t i)
{
	memmove(&v->pairs[i], &v->pairs[i + 1], (v->n - i - 1) * sizeof(v->pairs[0]));
	v->n--;
}

#define MAX_FIELDS 64

static int validate_obj(struct gw_sctx *c, const struct gw_schema *s, struct gw_yval *v)
{
	struct gw_yval *vals[MAX_FIELDS] = { 0 };
	int nerr = 0, nf = 0;

	while (s->fields && s->fields[nf].name)
		nf++;
	if (nf > MAX_FIELDS)
		nf = MAX_FIELDS;
	/*
	 * One pass over the object's keys: unknown fields are errors (they
	 * usually explain a "missing" one), explicit nulls of optional fields
	 * mean unset, as in the API server, and are dropped from the output.
	 */
	for (size_t i = 0; i < v->n;) {
		int k = field_index(s, v->pairs[i].key);
		struct gw_yval *fv = v->pairs[i].val;

		if (k < 0 || k >= nf) {
			if (!s->open) {
				gw_schema_error(c, fv, v->pairs[i].key, "unknown field \"%s\"",
						v->pairs[i].key);
				nerr++;
			}
			i++;
			continue;
		}
		if (fv->type == GW_YNULL && s->fields[k].s->type != GW_ST_ANY) {
			drop_pair(v, i);
			continue;
		}
		vals[k] = fv;
		i++;
	}
	for (int k = 0; k < nf; k++) {
		const struct gw_sfield *f = &s->fields[k];
		struct gw_yval *fv = vals[k];
		size_t mark;

		if (!fv && f->def) {
			fv = default_value(c->a, f->def);
			if (!fv || gw_yset(c->a, v, f->name, fv)) {
				gw_schema_error(c, v, f->name, "out of memory applying default");
				return nerr + 1;
			}
		}
		if (!fv) {
			if (f->required) {
				gw_schema_error(c, v, f->name, "Required value");
				nerr++;
			}
			continue;
		}
		mark = push_field(c, f->name);
		nerr += gw_schema_validate(c, f->s, fv);
		gw_sctx_pop(c, mark);
	}
	return nerr;
}

static int validate_arr(struct gw_sctx *c, const struct gw_schema *s, struct gw_yval *v)
{
	int nerr = 0;

	if (v->n < s->min_items) {
		gw_schema_error(c, v, NULL, "Required value: must have at least %u item%s",
				s->min_items, s->min_items == 1 ? "" : "s");
		nerr++;
	}
	if (s->max_items && v->n > s->max_items) {
		gw_schema_error(c, v, NULL, "Too many: %u: must have at most %u items", v->n,
				s->max_items);
		return nerr + 1;	/* items beyond the cap are not worth checking */
	}
	for (size_t i = 0; i < v->n; i++) {
		size_t mark = gw_sctx_push(c, "[%zu]", i);

		nerr += gw_schema_validate(c, s->items, v->items[i]);
		if (s->unique_key) {
			const char *k = gw_ygetstr(v->items[i], s->unique_key, NULL);

			for (size_t j = 0; k && j < i; j++) {
				const char *kj = gw_ygetstr(v->items[j], s->unique_key, NULL);

				if (kj && !strcmp(k, kj)) {
					gw_schema_error(c, v->items[i], s->unique_key,
							"Duplicate value: \"%s\"", k);
					nerr++;
					break;
				}
			}
		}
		gw_sctx_pop(c, mark);
	}
	return nerr;
}

int gw_schema_validate(struct gw_sctx *c, const struct gw_schema *s, struct gw_yval *v)
{
	int nerr = 0;

	if (!type_ok(s->type, v)) {
		if (v->type == GW_YSTR || v->type == GW_YINT || v->type == GW_YBOOL ||
		    v->type == GW_YFLOAT)
			gw_schema_error(c, v, NULL, "Invalid value: %s \"%s\": must be of type %s",
					gw_ytype_name(v->type), v->str, stype_name(s->type));
		else
			gw_schema_error(c, v, NULL, "Invalid value: %s: must be of type %s",
					gw_ytype_name(v->type), stype_name(s->type));
		return 1;
	}
	switch (s->type) {
	case GW_ST_STR:
		nerr = validate_str(c, s, v);
		break;
	case GW_ST_INT:
		if (s->has_range && (v->i < s->min || v->i > s->max)) {
			gw_schema_error(c, v, NULL,
					"Invalid value: %lld: must be between %lld and %lld, inclusive",
					v->i, s->min, s->max);
			nerr = 1;
		}
		break;
	case GW_ST_INTORSTR:
		if (v->type == GW_YINT && s->has_range && (v->i < s->min || v->i > s->max)) {
			gw_schema_error(c, v, NULL,
					"Invalid value: %lld: must be between %lld and %lld, inclusive",
					v->i, s->min, s->max);
			nerr = 1;
		}
		break;
	case GW_ST_OBJ:
		nerr = validate_obj(c, s, v);
		break;
	case GW_ST_ARR:
		nerr = validate_arr(c, s, v);
		break;
	case GW_ST_STRMAP:
		for (size_t i = 0; i < v->n; i++) {
			struct gw_yval *iv = v->pairs[i].val;

			/* values like `app: 1` are ints in YAML but strings in a label map */
			if (iv->type != GW_YSTR && iv->type != GW_YSEQ && iv->type != GW_YMAP &&
			    iv->type != GW_YNULL) {
				iv->type = GW_YSTR;
			} else if (iv->type != GW_YSTR) {
				gw_schema_error(c, iv, v->pairs[i].key,
						"Invalid value: %s: must be of type string",
						gw_ytype_name(iv->type));
				nerr++;
			}
		}
		break;
	default:
		break;
	}
	if (!nerr && s->rule)
		nerr += s->rule(c, v);
	return nerr;
}
