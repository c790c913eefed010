/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Generic value tree for Kubernetes objects: what a YAML/JSON document says,
 * with the file and line of every node so every later error can point at
 * its source. Scalars keep their text; YAML 1.2 core-schema typing (int,
 * bool, null) is resolved at load, and quoted scalars are always strings.
 * Emitters print trees the way kubectl does (keys sorted, 2-space YAML).
 */
#ifndef GW_YVAL_H
#define GW_YVAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "arena.h"

enum gw_ytype {
	GW_YNULL,
	GW_YBOOL,
	GW_YINT,
	GW_YFLOAT,
	GW_YSTR,
	GW_YSEQ,
	GW_YMAP,
};

struct gw_yval;

struct gw_ypair {
	const char *key;
	struct gw_yval *val;
};

struct gw_yval {
	enum gw_ytype type;
	unsigned line;		/* 1-based; 0 for synthesized nodes */
	const char *file;	/* shared, not owned */
	const char *str;	/* scalar text (NULL for SEQ/MAP) */
	unsigned n, cap;	/* items in seq/map */
	/* one of them by type: 40 bytes a node, a large configuration has millions */
	union {
		long long i;		/* GW_YINT value, GW_YBOOL 0/1 */
		struct gw_yval **items;	/* GW_YSEQ */
		struct gw_ypair *pairs;	/* GW_YMAP, in document order */
	};
};

/** One YAML document of a stream. */
struct gw_ydoc {
	struct gw_yval *root;
	unsigned line;		/* line where the document starts */
};

/**
 * Parses every document in buf (a file's content) into the arena.
 * On a syntax error returns -EINVAL and fills err (at most errlen bytes) with
 * "file:line:col: problem"; documents before it are still returned, the
 * caller decides. *docs is arena memory.
 */
int gw_yaml_load(struct gw_arena *a, const char *file, const char *buf, size_t len,
		 struct gw_ydoc **docs, size_t *ndocs, char *err, size_t errlen);
struct gw_yload_opts {
	/*
	 * YAML nodes for the whole buf (GW_YAML_NODE_BUDGET of limits.h for
	 * gw_yaml_load): every mapping, sequence, scalar and mapping key
	 * counts, an alias as the nodes it stands for.
	 */
	size_t budget;
	/*
	 * Leave out the value of "status" in each document's root mapping
	 * (counted, not stored): gwd reads state files without their status.
	 * An alias to an anchor inside a left-out value is unknown.
	 */
	bool skip_status;
};

/** gw_yaml_load with options. */
int gw_yaml_load_opts(struct gw_arena *a, const char *file, const char *buf, size_t len,
		      const struct gw_yload_opts *o, struct gw_ydoc **docs, size_t *ndocs,
		      char *err, size_t errlen);
/** The nodes gw_yaml_load charges for v as emitted (gw_yemit_yaml()). */
size_t gw_ycount(const struct gw_yval *v);

/* Constructors (arena-allocated; NULL on ENOMEM). */
struct gw_yval *gw_ynew(struct gw_arena *a, enum gw_ytype t);
struct gw_yval *gw_ystr(struct gw_arena *a, const char *s);
/** A string node that points at s without copying: s must outlive the tree. */
struct gw_yval *gw_ystr_ref(struct gw_arena *a, const char *s);
struct gw_yval *gw_yint(struct gw_arena *a, long long v);
struct gw_yval *gw_ybool(struct gw_arena *a, bool v);
/** Appends to a sequence; -ENOMEM on failure. */
int gw_ypush(struct gw_arena *a, struct gw_yval *seq, struct gw_yval *v);
/** Sets key in a map (replacing an existing value); -ENOMEM on failure. */
int gw_yset(struct gw_arena *a, struct gw_yval *map, const char *key, struct gw_yval *v);
/** Deep copy (keeps source positions). */
struct gw_yval *gw_ycopy(struct gw_arena *a, const struct gw_yval *v);

/* Accessors: all NULL-safe, return NULL/default on type mismatch. */
struct gw_yval *gw_yget(const struct gw_yval *map, const char *key);
/** Follows a dotted path of map keys: "spec.tls.mode". */
struct gw_yval *gw_ypath(const struct gw_yval *v, const char *path);
const char *gw_ygetstr(const struct gw_yval *map, const char *key, const char *def);
long long gw_ygetint(const struct gw_yval *map, const char *key, long long def);
bool gw_ygetbool(const struct gw_yval *map, const char *key, bool def);
/** Number of items for SEQ/MAP, 0 otherwise. */
size_t gw_ylen(const struct gw_yval *v);
/** Structural equality (ignores positions and map key order). */
bool gw_yequal(const struct gw_yval *a, const struct gw_yval *b);

/** A map's pairs sorted by key (as the emitters print them); malloc'd, NULL on ENOMEM. */
const struct gw_ypair **gw_ysorted_pairs(const struct gw_yval *map);

/** Human name of a type for error messages ("string", "object", ...). */
const char *gw_ytype_name(enum gw_ytype t);

/**
 * Emitters. Map keys are printed sorted (as kubectl prints unstructured
 * objects); indent is the starting indentation in spaces for YAML.
 */
int gw_yemit_yaml(FILE *f, const struct gw_yval *v);
int gw_yemit_json(FILE *f, const struct gw_yval *v, bool pretty);
/** A float scalar's text as Go prints a float64 (1.50 -> 1.5, 1e21 -> 1e+21). */
void gw_yprint_float(FILE *f, const char *text);
/** One line of JSON with no newline after it, as Go's json.Marshal writes it. */
int gw_yemit_json_compact(FILE *f, const struct gw_yval *v);

#endif
