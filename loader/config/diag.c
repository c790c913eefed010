// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <stdarg.h>
#include <string.h>

#include "diag.h"

void gw_diags_init(struct gw_diags *d, struct gw_arena *a)
{
	memset(d, 0, sizeof(*d));
	d->a = a;
}

static const char *dup(struct gw_arena *a, const char *s)
{
	return s ? gw_arena_strdup(a, s) : NULL;
}

void gw_diag_add(struct gw_diags *d, enum gw_diag_level level, const char *file, unsigned line,
		 const char *kind, const char *ns, const char *name, const char *path,
		 const char *fmt, ...)
{
	char msg[1024];
	va_list ap;
	struct gw_diag *g;

	if (level == GW_DIAG_ERROR)
		d->nerrors++;
	if (d->n == d->cap) {
		size_t n = d->cap ? d->cap * 2 : 16;
		struct gw_diag *p = gw_arena_alloc(d->a, n * sizeof(*p));

		if (!p)
			return;	/* the error count above still fails the load */
		if (d->n)
			memcpy(p, d->v, d->n * sizeof(*p));
		d->v = p;
		d->cap = n;
	}
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	g = &d->v[d->n++];
	g->level = level;
	g->file = dup(d->a, file);
	g->line = line;
	g->kind = dup(d->a, kind);
	g->ns = dup(d->a, ns);
	g->name = dup(d->a, name);
	g->path = dup(d->a, path);
	g->msg = dup(d->a, msg);
}

int gw_diag_format(const struct gw_diag *g, char *buf, size_t len)
{
	static const char *const lv[] = { "error", "warning", "notice" };
	size_t o = 0;

#define APPEND(...)                                                                      \
	do {                                                                             \
		int _n = snprintf(buf + o, o < len ? len - o : 0, __VA_ARGS__);          \
		if (_n > 0)                                                              \
			o += (size_t)_n;                                                 \
	} while (0)
	if (g->file && g->line)
		APPEND("%s:%u: ", g->file, g->line);
	else if (g->file)
		APPEND("%s: ", g->file);
	APPEND("%s: ", lv[g->level]);
	if (g->kind) {
		APPEND("%s ", g->kind);
		if (g->ns)
			APPEND("%s/", g->ns);
		APPEND("%s: ", g->name ? g->name : "(unnamed)");
	}
	if (g->path && *g->path)
		APPEND("%s: ", g->path);
	APPEND("%s", g->msg);
#undef APPEND
	return (int)o;
}

void gw_diags_print(const struct gw_diags *d, FILE *f)
{
	char buf[2048];

	for (size_t i = 0; i < d->n; i++) {
		gw_diag_format(&d->v[i], buf, sizeof(buf));
		fprintf(f, "%s\n", buf);
	}
}
