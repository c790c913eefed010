/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Diagnostics collected while loading a configuration. An error names the
 * file and line, the object (kind namespace/name), the field path and what
 * was expected; a load with any error applies nothing.
 */
#ifndef GW_DIAG_H
#define GW_DIAG_H

#include <stdio.h>

#include "arena.h"

enum gw_diag_level {
	GW_DIAG_ERROR,
	GW_DIAG_WARN,
	GW_DIAG_NOTICE,
};

struct gw_diag {
	enum gw_diag_level level;
	const char *file;
	unsigned line;
	const char *kind;	/* may be NULL before the kind is known */
	const char *ns;		/* NULL for cluster-scoped objects */
	const char *name;
	const char *path;	/* field path, e.g. spec.listeners[0].port */
	const char *msg;
};

struct gw_diags {
	struct gw_arena *a;
	struct gw_diag *v;
	size_t n, cap;
	size_t nerrors;
};

void gw_diags_init(struct gw_diags *d, struct gw_arena *a);
/** Records one diagnostic; the strings are copied into the arena. */
void gw_diag_add(struct gw_diags *d, enum gw_diag_level level, const char *file, unsigned line,
		 const char *kind, const char *ns, const char *name, const char *path,
		 const char *fmt, ...) __attribute__((format(printf, 9, 10)));
/** Prints "file:line: error: Kind ns/name: path: msg" lines, one per diagnostic. */
void gw_diags_print(const struct gw_diags *d, FILE *f);
/** Formats one diagnostic into buf. */
int gw_diag_format(const struct gw_diag *g, char *buf, size_t len);

#endif
