// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Reading objects into a gw_config: YAML documents -> kind lookup ->
 * structural validation and defaulting -> one gw_obj each, indexed by
 * (kind, namespace, name).
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include "immutable.h"
#include "limits.h"
#include "model.h"
#include "resolve_internal.h"
#include "secret_check.h"

struct gw_index {
	struct gw_obj **slots;
	size_t cap, n;
};

static uint64_t hash_key(enum gw_kind k, const char *ns, const char *name)
{
	uint64_t h = 1469598103934665603ULL ^ (uint64_t)k;

	for (const char *p = ns ? ns : ""; *p; p++)
		h = (h ^ (unsigned char)*p) * 1099511628211ULL;
	h = (h ^ '/') * 1099511628211ULL;
	for (const char *p = name; *p; p++)
		h = (h ^ (unsigned char)*p) * 1099511628211ULL;
	return h;
}

static bool same_ns(const char *a, const char *b)
{
	return (!a && !b) || (a && b && !strcmp(a, b));
}

static struct gw_obj **index_slot(struct gw_index *ix, enum gw_kind k, const char *ns,
				  const char *name)
{
	size_t i = hash_key(k, ns, name) & (ix->cap - 1);

	for (;; i = (i + 1) & (ix->cap - 1)) {
		struct gw_obj *o = ix->slots[i];

		if (!o || (o->ki->id == k && !strcmp(o->name, name) && same_ns(o->ns, ns)))
			return &ix->slots[i];
	}
}

static int index_insert(struct gw_index *ix, struct gw_obj *o)
{
	if ((ix->n + 1) * 2 > ix->cap) {
		size_t ncap = ix->cap ? ix->cap * 2 : 1024;
		struct gw_obj **old = ix->slots;
		size_t ocap = ix->cap;

		ix->slots = calloc(ncap, sizeof(*ix->slots));
		if (!ix->slots) {
			ix->slots = old;
			return -ENOMEM;
		}
		ix->cap = ncap;
		for (size_t i = 0; i < ocap; i++)
			if (old[i])
				*index_slot(ix, old[i]->ki->id, old[i]->ns, old[i]->name) = old[i];
		free(old);
	}
	*index_slot(ix, o->ki->id, o->ns, o->name) = o;
	ix->n++;
	return 0;
}

void gw_config_init(struct gw_config *cfg, const char *controller)
{
	memset(cfg, 0, sizeof(*cfg));
	gw_diags_init(&cfg->diags, &cfg->arena);
	cfg->controller = controller ? controller : GW_DEFAULT_CONTROLLER;
}

void gw_config_free(struct gw_config *cfg)
{
	if (cfg->index) {
		free(cfg->index->slots);
		free(cfg->index);
	}
	gw_nscache_free(cfg->nscache);
	for (int k = 0; k < GW_K__COUNT; k++)
		free(cfg->by_kind[k]);
	free(cfg->objs);
	gw_arena_free(&cfg->arena);
	memset(cfg, 0, sizeof(*cfg));
}

struct gw_obj *gw_config_find(const struct gw_config *cfg, enum gw_kind kind, const char *ns,
			      const char *name)
{
	if (!cfg->index || !cfg->index->cap || !name)
		return NULL;
	if (!gw_kind_infos[kind].namespaced)
		ns = NULL;
	return *index_slot(cfg->index, kind, ns, name);
}

struct gw_obj *gw_config_find_like(const struct gw_config *cfg, const struct gw_obj *o)
{
	if (o->ki->id != GW_K_UNENFORCED)
		return gw_config_find(cfg, o->ki->id, o->ns, o->name);
	for (size_t i = 0; i < cfg->nby_kind[GW_K_UNENFORCED]; i++) {
		struct gw_obj *p = cfg->by_kind[GW_K_UNENFORCED][i];

		if (!strcmp(p->ki->kind, o->ki->kind) && !strcmp(p->ki->group, o->ki->group) &&
		    !strcmp(p->name, o->name) && same_ns(p->ns, o->ns))
			return p;
	}
	return NULL;
}

static int push_obj(struct gw_config *cfg, struct gw_obj *o)
{
	enum gw_kind k = o->ki->id;
	size_t n = cfg->nby_kind[k];

	if (cfg->nobjs == cfg->capobjs) {
		size_t ncap = cfg->capobjs ? cfg->capobjs * 2 : 64;
		struct gw_obj **p = realloc(cfg->objs, ncap * sizeof(*p));

		if (!p)
			return -ENOMEM;
		cfg->objs = p;
		cfg->capobjs = ncap;
	}
	/* per-kind arrays grow by powers of two */
	if ((n & (n - 1)) == 0) {
		struct gw_obj **p = realloc(cfg->by_kind[k], (n ? n * 2 : 8) * sizeof(*p));

		if (!p)
			return -ENOMEM;
		cfg->by_kind[k] = p;
	}
	if (!cfg->index && !(cfg->index = calloc(1, sizeof(*cfg->index))))
		return -ENOMEM;
	/* unenforced kinds share one id: gw_config_find_like() scans them instead */
	if (k != GW_K_UNENFORCED && index_insert(cfg->index, o))
		return -ENOMEM;
	o->seq = cfg->nobjs;
	cfg->objs[cfg->nobjs++] = o;
	cfg->by_kind[k][cfg->nby_kind[k]++] = o;
	return 0;
}

/* "group/version" or "version" (core) */
static void split_api_version(struct gw_arena *a, const char *av, const char **group,
			      const char **version)
{
	const char *slash = strrchr(av, '/');

	if (!slash) {
		*group = "";
		*version = av;
		return;
	}
	*group = gw_arena_strndup(a, av, (size_t)(slash - av));
	*version = slash + 1;
}

static void diag_obj(struct gw_config *cfg, enum gw_diag_level lv, const struct gw_yval *at,
		     const char *file, const char *kind, const char *ns, const char *name,
		     const char *path, const char *msg)
{
	gw_diag_add(&cfg->diags, lv, at && at->file ? at->file : file, at ? at->line : 0, kind,
		    ns, name, path, "%s", msg);
}

static int add_object(struct gw_config *cfg, const char *file, struct gw_yval *root);

static bool unenforced_allowed(const struct gw_config *cfg, const char *kind)
{
	for (int i = 0; i < cfg->nallow_unenforced; i++)
		if (!strcasecmp(cfg->allow_unenforced[i], kind))
			return true;
	return false;
}

/*
 * The GW_K_UNENFORCED entry with o's own kind, group and plural, so that
 * names, `gwctl get` and messages show what the user wrote.
 */
static const struct gw_kind_info *unenforced_kind(struct gw_arena *a, const char *group,
						  const char *kind)
{
	struct gw_kind_info *ki = gw_arena_alloc(a, sizeof(*ki));
	size_t n = strlen(kind);
	char *pl;

	if (!ki || !(pl = gw_arena_alloc(a, n + 4)))
		return NULL;
	*ki = gw_kind_infos[GW_K_UNENFORCED];
	for (size_t i = 0; i <= n; i++)
		pl[i] = (char)tolower((unsigned char)kind[i]);
	if (n && pl[n - 1] == 'y')
		strcpy(pl + n - 1, "ies");
	else
		strcpy(pl + n, "s");
	ki->kind = gw_arena_strdup(a, kind);
	ki->group = group;
	ki->plural = pl;
	return ki->kind ? ki : NULL;
}

/* kubectl accepts a v1 List and applies its items; so do we. */
static int add_list(struct gw_config *cfg, const char *file, struct gw_yval *root)
{
	struct gw_yval *items = gw_yget(root, "items");
	int err;

	if (items && items->type != GW_YSEQ) {
		diag_obj(cfg, GW_DIAG_ERROR, items, file, "List", NULL, NULL, "items",
			 "Invalid value: must be of type array");
		return 0;
	}
	for (size_t i = 0; i < gw_ylen(items); i++)
		if ((err = add_object(cfg, file, items->items[i])))
			return err;
	return 0;
}

static int add_object(struct gw_config *cfg, const char *file, struct gw_yval *root)
{
	struct gw_arena *a = &cfg->arena;
	const struct gw_kind_info *ki;
	const struct gw_schema *schema;
	const char *av, *kind, *group, *version, *name, *ns;
	struct gw_yval *meta;
	struct gw_sctx sc;
	struct gw_obj *o, *dup;

	if (!root || root->type == GW_YNULL)
		return 0;	/* empty document, as between two "---" */
	if (root->type != GW_YMAP) {
		diag_obj(cfg, GW_DIAG_ERROR, root, file, NULL, NULL, NULL, NULL,
			 "expected a Kubernetes object (a mapping with apiVersion and kind)");
		return 0;
	}
	av = gw_ygetstr(root, "apiVersion", NULL);
	kind = gw_ygetstr(root, "kind", NULL);
	meta = gw_yget(root, "metadata");
	name = gw_ygetstr(meta, "name", NULL);
	ns = gw_ygetstr(meta, "namespace", NULL);
	if (!av || !kind) {
		diag_obj(cfg, GW_DIAG_ERROR, root, file, kind, ns, name,
			 !av ? "apiVersion" : "kind", "Required value: every object needs a "
			 "string apiVersion and kind");
		return 0;
	}
	split_api_version(a, av, &group, &version);
	if (!strcmp(kind, "List") && !*group)
		return add_list(cfg, file, root);
	ki = gw_kind_lookup(group, kind);
	if (!ki && gw_kind_classify(group, kind) == GW_KC_UNENFORCED) {
		if (!cfg->trusted && !unenforced_allowed(cfg, kind)) {
			gw_diag_add(&cfg->diags, GW_DIAG_ERROR, file, root->line, kind, ns, name,
				    NULL, "not enforced by xdpgw: %s %s would leave its targets "
				    "served without it; remove it, or load with "
				    "--allow-unenforced %s to accept that", av, kind, kind);
			return 0;
		}
		if (!name || !*name) {
			diag_obj(cfg, GW_DIAG_ERROR, root, file, kind, ns, name, "metadata.name",
				 "Required value");
			return 0;
		}
		if (!(ki = unenforced_kind(a, group, kind)))
			return -ENOMEM;
		goto accept;
	}
	if (!ki) {
		gw_diag_add(&cfg->diags, GW_DIAG_NOTICE, file, root->line, kind, ns, name, NULL,
			    "skipped: %s %s is not a kind xdpgw reads", av, kind);
		cfg->nskipped++;
		return 0;
	}
	schema = gw_kind_schema(ki, version);
	if (!schema) {
		char msg[256], list[160];
		size_t o2 = 0;

		list[0] = '\0';
		for (const struct gw_kind_version *kv = ki->versions; kv->version; kv++) {
			int w = snprintf(list + o2, sizeof(list) - o2, "%s%s%s%s",
					 kv != ki->versions ? ", " : "", *ki->group ? ki->group : "",
					 *ki->group ? "/" : "", kv->version);
			if (w > 0 && (size_t)w < sizeof(list) - o2)
				o2 += (size_t)w;
		}
		snprintf(msg, sizeof(msg), "Unsupported value: \"%s\": supported versions: %s", av,
			 list);
		diag_obj(cfg, GW_DIAG_ERROR, gw_yget(root, "apiVersion"), file, kind, ns, name,
			 "apiVersion", msg);
		return 0;
	}
	gw_sctx_init(&sc, a, &cfg->diags, file, ki->kind, ki->namespaced ? (ns ? ns : "default")
									 : NULL, name);
	if (gw_schema_validate(&sc, schema, root))
		return 0;
	if (ki->id == GW_K_SECRET && gw_secret_check(&sc, root))
		return 0;
accept:
	meta = gw_yget(root, "metadata");
	o = gw_arena_alloc(a, sizeof(*o));
	if (!o)
		return -ENOMEM;
	o->ki = ki;
	o->api_version = av;
	o->version = version;
	o->name = gw_ygetstr(meta, "name", NULL);
	o->file = file;
	o->line = root->line;
	o->root = root;
	o->meta = meta;
	o->spec = gw_yget(root, "spec");
	o->labels = gw_yget(meta, "labels");
	if (ki->namespaced) {
		o->ns = gw_ygetstr(meta, "namespace", NULL);
		if (!o->ns) {
			/* what kubectl apply does without -n: the default namespace */
			o->ns = "default";
			if (gw_yset(a, meta, "namespace", gw_ystr(a, o->ns)))
				return -ENOMEM;
		}
	} else if (gw_yget(meta, "namespace")) {
		gw_diag_add(&cfg->diags, GW_DIAG_NOTICE, file, gw_yget(meta, "namespace")->line,
			    ki->kind, NULL, o->name, "metadata.namespace",
			    "ignored: %s is cluster-scoped", ki->kind);
		for (size_t i = 0; i < meta->n; i++) {
			if (!strcmp(meta->pairs[i].key, "namespace")) {
				memmove(&meta->pairs[i], &meta->pairs[i + 1],
					(meta->n - i - 1) * sizeof(meta->pairs[0]));
				meta->n--;
				break;
			}
		}
	}
	o->generation = gw_ygetint(meta, "generation", 0);
	o->created = gw_ygetstr(meta, "creationTimestamp", NULL);
	/* the status of user input is never trusted: drop it (state files keep theirs) */
	for (size_t i = 0; !cfg->trusted && i < root->n; i++) {
		if (!strcmp(root->pairs[i].key, "status")) {
			memmove(&root->pairs[i], &root->pairs[i + 1],
				(root->n - i - 1) * sizeof(root->pairs[0]));
			root->n--;
			break;
		}
	}
	dup = gw_config_find_like(cfg, o);
	if (dup) {
		char msg[512];

		snprintf(msg, sizeof(msg), "Duplicate value: already defined at %s:%u", dup->file,
			 dup->line);
		diag_obj(cfg, GW_DIAG_ERROR, gw_yget(meta, "name"), file, ki->kind, o->ns, o->name,
			 "metadata.name", msg);
		return 0;
	}
	if (cfg->trusted)
		o->status = gw_yget(root, "status");
	return push_obj(cfg, o);
}

#define XDP_LISTENER_HDR "# xdpListener: "

int gw_config_add_xdp_listener(struct gw_config *cfg, const char *key)
{
	const char **v = gw_arena_alloc(&cfg->arena, (cfg->nxdp_listeners + 1) * sizeof(*v));

	if (!v)
		return -ENOMEM;
	if (cfg->nxdp_listeners)
		memcpy(v, cfg->xdp_listeners, cfg->nxdp_listeners * sizeof(*v));
	if (!(v[cfg->nxdp_listeners] = gw_arena_strdup(&cfg->arena, key)))
		return -ENOMEM;
	cfg->xdp_listeners = v;
	cfg->nxdp_listeners++;
	return 0;
}

bool gw_config_xdp_serves(const struct gw_config *cfg, const struct gw_listener *l)
{
	char key[512];

	snprintf(key, sizeof(key), "%s/%s/%s/%s", l->owner->ki->kind,
		 l->owner->ns ? l->owner->ns : "", l->owner->name, l->name);
	for (size_t i = 0; i < cfg->nxdp_listeners; i++)
		if (!strcmp(cfg->xdp_listeners[i], key))
			return true;
	return false;
}

/* The state file's header (leading comment lines): the listeners XDP serves. */
static int read_header(struct gw_config *cfg, const char *buf, size_t len)
{
	const size_t hl = strlen(XDP_LISTENER_HDR);
	size_t off = 0;

	while (off < len && buf[off] == '#') {
		const char *nl = memchr(buf + off, '\n', len - off);
		size_t n = nl ? (size_t)(nl - (buf + off)) : len - off;
		char key[512];

		if (n > hl && n - hl < sizeof(key) && !memcmp(buf + off, XDP_LISTENER_HDR, hl)) {
			memcpy(key, buf + off + hl, n - hl);
			key[n - hl] = '\0';
			if (gw_config_add_xdp_listener(cfg, key))
				return -ENOMEM;
		}
		off += n + 1;
	}
	return 0;
}

int gw_config_add_buf(struct gw_config *cfg, const char *file, const char *buf, size_t len)
{
	struct gw_ydoc *docs;
	size_t ndocs;
	char err[512];
	const char *fname = gw_arena_strdup(&cfg->arena, file);
	/* our own state files hold the stored form, which gwctl checked against these */
	struct gw_yload_opts yo = {
		.budget = cfg->trusted ? GW_STATE_NODE_BUDGET : GW_YAML_NODE_BUDGET,
		.skip_status = cfg->no_status,
	};
	int ret;

	if (!fname)
		return -ENOMEM;
	if (cfg->trusted && read_header(cfg, buf, len))
		return -ENOMEM;
	ret = gw_yaml_load_opts(&cfg->arena, fname, buf, len, &yo, &docs, &ndocs, err, sizeof(err));
	if (ret == -ENOMEM)
		return ret;
	if (ret) {
		/* a syntax error poisons the whole file: report it, add nothing from it */
		gw_diag_add(&cfg->diags, GW_DIAG_ERROR, NULL, 0, NULL, NULL, NULL, NULL, "%s", err);
		return 0;
	}
	for (size_t i = 0; i < ndocs; i++)
		if ((ret = add_object(cfg, fname, docs[i].root)))
			return ret;
	return 0;
}

/* The whole of fd, which must be shorter than max bytes (-EFBIG). */
static char *read_all(int fd, size_t max, size_t *lenp, int *errp)
{
	size_t cap = 1 << 16, len = 0;
	char *buf = malloc(cap), *p;
	ssize_t n;

	if (!buf) {
		*errp = -ENOMEM;
		return NULL;
	}
	for (;;) {
		if (len == cap) {
			if (cap >= max) {
				free(buf);
				*errp = -EFBIG;
				return NULL;
			}
			p = realloc(buf, cap * 2 < max ? cap * 2 : max);
			if (!p) {
				free(buf);
				*errp = -ENOMEM;
				return NULL;
			}
			buf = p;
			cap = cap * 2 < max ? cap * 2 : max;
		}
		n = read(fd, buf + len, cap - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			*errp = -errno;
			free(buf);
			return NULL;
		}
		if (n == 0)
			break;
		len += (size_t)n;
	}
	*lenp = len;
	return buf;
}

int gw_config_add_file(struct gw_config *cfg, const char *path)
{
	int fd, err = 0;
	size_t len;
	char *buf;

	if (!strcmp(path, "-")) {
		fd = STDIN_FILENO;
		path = "<stdin>";
	} else {
		fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0) {
			err = -errno;
			gw_diag_add(&cfg->diags, GW_DIAG_ERROR, path, 0, NULL, NULL, NULL, NULL,
				    "cannot open: %s", strerror(-err));
			return 0;
		}
	}
	buf = read_all(fd, cfg->trusted ? GW_STATE_MAX_BYTES : GW_MAX_INPUT, &len, &err);
	if (fd != STDIN_FILENO)
		close(fd);
	if (!buf) {
		if (err == -ENOMEM)
			return err;
		if (err == -EFBIG)
			gw_diag_add(&cfg->diags, GW_DIAG_ERROR, path, 0, NULL, NULL, NULL, NULL,
				    "cannot read: %s: a %s must be smaller than %zu MiB",
				    strerror(-err),
				    cfg->trusted ? "state file" : "configuration file",
				    (cfg->trusted ? GW_STATE_MAX_BYTES : GW_MAX_INPUT) >> 20);
		else
			gw_diag_add(&cfg->diags, GW_DIAG_ERROR, path, 0, NULL, NULL, NULL, NULL,
				    "cannot read: %s", strerror(-err));
		return 0;
	}
	err = gw_config_add_buf(cfg, path, buf, len);
	free(buf);
	return err;
}

static const char *make_uid(struct gw_arena *a)
{
	unsigned char r[16];

	if (getrandom(r, sizeof(r), 0) != (ssize_t)sizeof(r)) {
		/* not fatal: fall back to a counter-derived id */
		static unsigned long ctr;

		for (size_t i = 0; i < sizeof(r); i++)
			r[i] = (unsigned char)((++ctr * 2654435761u) >> (i % 4 * 8));
	}
	r[6] = (r[6] & 0x0f) | 0x40;
	r[8] = (r[8] & 0x3f) | 0x80;
	return gw_arena_printf(a, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-"
			       "%02x%02x%02x%02x%02x%02x",
			       r[0], r[1], r[2], r[3], r[4], r[5], r[6], r[7], r[8], r[9], r[10],
			       r[11], r[12], r[13], r[14], r[15]);
}

/* Everything but metadata and status: what a generation bump tracks. */
static bool content_equal(const struct gw_obj *a, const struct gw_obj *b)
{
	const struct gw_yval *ra = a->root, *rb = b->root;
	size_t na = 0, nb = 0;

	for (size_t i = 0; i < ra->n; i++) {
		const char *k = ra->pairs[i].key;

		if (!strcmp(k, "metadata") || !strcmp(k, "status") || !strcmp(k, "apiVersion"))
			continue;
		na++;
		if (!gw_yequal(ra->pairs[i].val, gw_yget(rb, k)))
			return false;
	}
	for (size_t i = 0; i < rb->n; i++) {
		const char *k = rb->pairs[i].key;

		if (strcmp(k, "metadata") && strcmp(k, "status") && strcmp(k, "apiVersion"))
			nb++;
	}
	return na == nb;
}

int gw_config_stamp(struct gw_config *cfg, const struct gw_config *prev, const char *now)
{
	struct gw_arena *a = &cfg->arena;

	gw_check_immutable(cfg, prev);

	for (size_t i = 0; i < cfg->nobjs; i++) {
		struct gw_obj *o = cfg->objs[i];
		struct gw_obj *p = prev ? gw_config_find_like(prev, o) : NULL;
		const char *created = gw_ygetstr(o->meta, "creationTimestamp", NULL);
		const char *uid = p ? gw_ygetstr(p->meta, "uid", NULL) : NULL;
		long long gen = 1;

		if (p) {
			gen = p->generation ? p->generation : 1;
			if (!content_equal(o, p))
				gen++;
			/* a user-given timestamp wins, so precedence can be pinned */
			if (!created)
				created = p->created;
		}
		if (!created)
			created = now;
		if (!uid && !(uid = make_uid(a)))
			return -ENOMEM;
		o->generation = gen;
		o->created = gw_arena_strdup(a, created);
		if (!o->created || gw_yset(a, o->meta, "generation", gw_yint(a, gen)) ||
		    gw_yset(a, o->meta, "creationTimestamp", gw_ystr(a, o->created)) ||
		    gw_yset(a, o->meta, "uid", gw_ystr(a, uid)))
			return -ENOMEM;
	}
	return 0;
}
