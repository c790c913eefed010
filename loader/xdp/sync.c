// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Model -> maps, one generation at a time. The program reads the live
 * generation slot from gw_config; everything generation-keyed (addresses,
 * listeners, routes, Maglev tables) is written into the other slot first
 * and becomes visible with the single gw_config update that switches the
 * slot, so a packet sees either the old tables or the new ones, never a
 * mix. Backend entries are not generation-keyed: ids are stable, an entry
 * is written before any table refers to it and retired only after the
 * switch. Ids (listener, route, backend, gateway) are kept across loads
 * by name in gw_names, so counters and conntrack survive reloads.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <arpa/inet.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "xdp.h"

/*
 * Packets that read the old slot just before the switch finish within
 * microseconds (XDP runs to completion in softirq); the old generation is
 * removed only after this much longer pause.
 */
#define GRACE_NS (20 * 1000 * 1000L)

int gw_xdp_ncpus(void)
{
	return libbpf_num_possible_cpus();
}

int gw_xdp_local_ports(uint16_t *lo, uint16_t *hi)
{
	FILE *f = fopen("/proc/sys/net/ipv4/ip_local_port_range", "r");
	unsigned int a, b;
	int n;

	*lo = 32768;	/* the kernel's default, if it cannot be read */
	*hi = 60999;
	if (!f)
		return -errno;
	n = fscanf(f, "%u %u", &a, &b);
	fclose(f);
	if (n != 2 || a < GW_SNAT_PORT_FLOOR || b > 65535 || a > b)
		return -EINVAL;
	*lo = (uint16_t)a;
	*hi = (uint16_t)b;
	return 0;
}

/* ---- id registry ----------------------------------------------------- */

struct reg_ent {
	struct gw_name_key k;
	struct gw_name_val v;
	bool used;		/* by the model being synced */
	bool fresh;		/* allocated by this sync */
};

#define NKINDS (GW_NK_BACKEND + 1)

/*
 * gw_names in memory, with an open-addressing index by (kind, name hash)
 * and per kind a bitmap of the ids held: a load of 100,000 endpoints must
 * not compare every name with every other.
 */
struct registry {
	struct reg_ent *v;
	size_t n, cap;
	size_t *slot;		/* index of v + 1, 0 = empty */
	size_t nslots;		/* power of two, > 2 * entries */
	unsigned char *taken[NKINDS];
	uint32_t next_free[NKINDS];
};

static size_t reg_slot(const struct registry *r, uint32_t kind, uint64_t h)
{
	size_t i = (size_t)(h ^ ((uint64_t)kind << 56)) & (r->nslots - 1);

	while (r->slot[i]) {
		const struct reg_ent *e = &r->v[r->slot[i] - 1];

		if (e->k.kind == kind && e->v.hash == h)
			break;
		i = (i + 1) & (r->nslots - 1);
	}
	return i;
}

static int reg_grow_index(struct registry *r, size_t want)
{
	size_t n = 1024;

	while (n < 2 * want + 2)
		n *= 2;
	if (n <= r->nslots)
		return 0;
	free(r->slot);
	r->slot = calloc(n, sizeof(*r->slot));
	if (!r->slot)
		return -ENOMEM;
	r->nslots = n;
	for (size_t i = 0; i < r->n; i++)
		r->slot[reg_slot(r, r->v[i].k.kind, r->v[i].v.hash)] = i + 1;
	return 0;
}

static struct reg_ent *reg_add(struct registry *r)
{
	if (r->n == r->cap) {
		size_t ncap = r->cap ? r->cap * 2 : 256;
		struct reg_ent *v = realloc(r->v, ncap * sizeof(*v));

		if (!v)
			return NULL;
		r->v = v;
		r->cap = ncap;
	}
	memset(&r->v[r->n], 0, sizeof(r->v[0]));
	return &r->v[r->n++];
}

static void reg_free(struct registry *r)
{
	free(r->v);
	free(r->slot);
	for (int k = 0; k < NKINDS; k++)
		free(r->taken[k]);
	memset(r, 0, sizeof(*r));
}

static uint32_t kind_max(uint32_t kind)
{
	switch (kind) {
	case GW_NK_GATEWAY:
		return GW_MAX_GATEWAYS;
	case GW_NK_LISTENER:
		return GW_MAX_LISTENERS;
	case GW_NK_ROUTE:
		return GW_MAX_ROUTES;
	default:
		return GW_MAX_BACKENDS;
	}
}

static int reg_load(int fd, struct registry *r)
{
	struct gw_name_key k, next, *prev = NULL;
	int err;

	memset(r, 0, sizeof(*r));
	for (int kind = GW_NK_GATEWAY; kind < NKINDS; kind++) {
		r->taken[kind] = calloc(kind_max((uint32_t)kind), 1);
		if (!r->taken[kind])
			return -ENOMEM;
		r->next_free[kind] = kind == GW_NK_BACKEND ? 1 : 0;
	}
	while (!bpf_map_get_next_key(fd, prev, &next)) {
		struct reg_ent *e = reg_add(r);

		if (!e)
			return -ENOMEM;
		e->k = next;
		if (bpf_map_lookup_elem(fd, &next, &e->v)) {
			err = -errno;
			r->n--;
			if (err != -ENOENT) {
				fprintf(stderr, "gwctl: XDP: cannot read gw_names: %s\n",
					strerror(-err));
				return err;
			}
		} else if (e->k.kind >= GW_NK_GATEWAY && e->k.kind < NKINDS &&
			   e->k.id < kind_max(e->k.kind)) {
			r->taken[e->k.kind][e->k.id] = 1;
		}
		k = next;
		prev = &k;
	}
	if (errno != ENOENT) {
		err = -errno;
		fprintf(stderr, "gwctl: XDP: cannot iterate gw_names: %s\n", strerror(-err));
		return err;
	}
	return reg_grow_index(r, r->n);
}

static const char *kind_name(uint32_t kind)
{
	switch (kind) {
	case GW_NK_GATEWAY:
		return "gateways";
	case GW_NK_LISTENER:
		return "listeners";
	case GW_NK_ROUTE:
		return "routes (per address family)";
	default:
		return "backend endpoints";
	}
}

/* The id of (kind, name): the one it had, else the lowest one nobody holds. */
static int reg_id(struct registry *r, uint32_t kind, const char *name, uint32_t *id)
{
	uint64_t h = gw_hash64(name, strlen(name), kind);
	uint32_t max = kind_max(kind);
	struct reg_ent *e;
	size_t i;
	int err;

	i = reg_slot(r, kind, h);
	if (r->slot[i]) {
		e = &r->v[r->slot[i] - 1];
		e->used = true;
		*id = e->k.id;
		return 0;
	}
	/* ids only become free between loads, so the search never moves back */
	while (r->next_free[kind] < max && r->taken[kind][r->next_free[kind]])
		r->next_free[kind]++;
	if (r->next_free[kind] >= max) {
		fprintf(stderr, "gwctl: XDP: more than %u %s; the maps hold no more\n",
			max - (kind == GW_NK_BACKEND), kind_name(kind));
		return -ENOSPC;
	}
	*id = r->next_free[kind];
	r->taken[kind][*id] = 1;
	if ((err = reg_grow_index(r, r->n + 1)))
		return err;
	i = reg_slot(r, kind, h);
	e = reg_add(r);
	if (!e)
		return -ENOMEM;
	e->k.kind = kind;
	e->k.id = *id;
	e->v.hash = h;
	snprintf(e->v.name, sizeof(e->v.name), "%s", name);
	e->used = e->fresh = true;
	r->slot[i] = r->n;
	return 0;
}

static int assign_ids(struct registry *r, struct gw_xdp_model *m)
{
	int err;

	for (size_t i = 0; i < m->ngateways; i++)
		if ((err = reg_id(r, GW_NK_GATEWAY, m->gateways[i].name, &m->gateways[i].id)))
			return err;
	for (size_t i = 0; i < m->nlisteners; i++)
		if ((err = reg_id(r, GW_NK_LISTENER, m->listeners[i].name, &m->listeners[i].id)))
			return err;
	for (size_t i = 0; i < m->nroutes; i++) {
		struct gw_xdp_route *ro = &m->routes[i];

		if ((err = reg_id(r, GW_NK_ROUTE, ro->name, &ro->id)))
			return err;
		for (size_t e = 0; e < ro->neps; e++) {
			if (ro->eps[e].reject) {
				ro->eps[e].id = GW_BACKEND_REJECT;
				continue;
			}
			if ((err = reg_id(r, GW_NK_BACKEND, ro->eps[e].key, &ro->eps[e].id)))
				return err;
		}
	}
	return 0;
}

/* ---- digest ------------------------------------------------------------ */

static void mix(uint64_t *d, const void *p, size_t len)
{
	*d = gw_hash64(p, len, *d);
}

/* Everything a generation holds, so an identical reload can be recognised. */
static uint64_t model_digest(const struct gw_xdp_model *m, const struct gw_xdp_sync_opts *o)
{
	uint64_t d = 0x6777;

	for (size_t i = 0; i < m->ngateways; i++) {
		const struct gw_xdp_gateway *g = &m->gateways[i];

		mix(&d, &g->id, sizeof(g->id));
		mix(&d, &g->snat, sizeof(g->snat));
		mix(&d, g->addrs, g->naddrs * sizeof(*g->addrs));
		mix(&d, g->fams, g->naddrs);
	}
	for (size_t i = 0; i < m->nlisteners; i++) {
		const struct gw_xdp_listener *l = &m->listeners[i];
		uint32_t r4 = l->route4 >= 0 ? m->routes[l->route4].id : UINT32_MAX;
		uint32_t r6 = l->route6 >= 0 ? m->routes[l->route6].id : UINT32_MAX;

		mix(&d, &l->id, sizeof(l->id));
		mix(&d, &l->gateway, sizeof(l->gateway));
		mix(&d, &l->proto, sizeof(l->proto));
		mix(&d, &l->port, sizeof(l->port));
		mix(&d, &l->action, sizeof(l->action));
		mix(&d, &r4, sizeof(r4));
		mix(&d, &r6, sizeof(r6));
	}
	for (size_t i = 0; i < m->nroutes; i++) {
		const struct gw_xdp_route *r = &m->routes[i];

		mix(&d, &r->id, sizeof(r->id));
		mix(&d, &r->size, sizeof(r->size));
		for (size_t e = 0; e < r->neps; e++) {
			mix(&d, &r->eps[e].id, sizeof(r->eps[e].id));
			mix(&d, r->eps[e].key, strlen(r->eps[e].key));
		}
		if (r->table)
			mix(&d, r->table, r->size * sizeof(*r->table));
	}
	mix(&d, &o->icmp_rate, sizeof(o->icmp_rate));
	mix(&d, &o->local_port_min, sizeof(o->local_port_min));
	mix(&d, &o->local_port_max, sizeof(o->local_port_max));
	return d;
}

/* ---- map helpers -------------------------------------------------------- */

static int update(int fd, const void *k, const void *v, const char *map)
{
	if (bpf_map_update_elem(fd, k, v, BPF_ANY)) {
		int err = -errno;

		fprintf(stderr, "gwctl: XDP: cannot update %s: %s\n", map, strerror(-err));
		return err;
	}
	return 0;
}

/* Zeroes a per-CPU counter entry so a reused id starts from nothing. */
static int zero_percpu(int fd, uint32_t id, size_t vsize, const char *map)
{
	int ncpus = gw_xdp_ncpus();
	void *z;
	int err;

	if (ncpus < 0)
		return ncpus;
	z = calloc((size_t)ncpus, vsize);
	if (!z)
		return -ENOMEM;
	err = update(fd, &id, z, map);
	free(z);
	return err;
}

/* Deletes the entries of a generation-keyed hash map whose key's gen byte is gen. */
static int clear_gen(int fd, size_t ksize, size_t gen_off, uint8_t gen, const char *map)
{
	unsigned char k[64], next[64], *prev = NULL;
	unsigned char (*dead)[64] = NULL;
	size_t ndead = 0;
	int err = 0;

	while (!bpf_map_get_next_key(fd, prev, next)) {
		if (next[gen_off] == gen) {
			void *p = realloc(dead, (ndead + 1) * sizeof(*dead));

			if (!p) {
				free(dead);
				return -ENOMEM;
			}
			dead = p;
			memcpy(dead[ndead++], next, ksize);
		}
		memcpy(k, next, ksize);
		prev = k;
	}
	for (size_t i = 0; i < ndead; i++) {
		if (bpf_map_delete_elem(fd, dead[i]) && errno != ENOENT) {
			err = -errno;
			fprintf(stderr, "gwctl: XDP: cannot delete from %s: %s\n", map,
				strerror(-err));
			break;
		}
	}
	free(dead);
	return err;
}

/*
 * Maglev tables are inner maps of gw_maglev. Every update or delete of an
 * outer map-in-map entry waits for an RCU grace period (milliseconds), so
 * a thousand routes must not mean a thousand of them: the changes of one
 * sync are collected per slot and applied with one batch update, which
 * waits once. A slot is emptied by pointing it at a one-element
 * "tombstone" table (arrays of maps have no batch delete); the program
 * never reads slots of routes it has no entry for.
 */
struct slot_batch {
	__u32 *keys;
	__u32 *fds;
	size_t n, cap;
	int tomb;		/* the empty table, created on first use */
};

static void batch_free(struct slot_batch *b)
{
	for (size_t i = 0; i < b->n; i++)
		if ((int)b->fds[i] != b->tomb)
			close((int)b->fds[i]);
	if (b->tomb >= 0)
		close(b->tomb);
	free(b->keys);
	free(b->fds);
	memset(b, 0, sizeof(*b));
	b->tomb = -1;
}

/* Sets slot to fd (taking it over; -1 = the tombstone), replacing an earlier change of it. */
static int batch_set(struct slot_batch *b, __u32 slot, int fd)
{
	if (fd < 0) {
		if (b->tomb < 0) {
			LIBBPF_OPTS(bpf_map_create_opts, o, .map_flags = BPF_F_INNER_MAP);

			b->tomb = bpf_map_create(BPF_MAP_TYPE_ARRAY, "gw_mgl_none", sizeof(__u32),
						 sizeof(struct gw_maglev_pair), 1, &o);
			if (b->tomb < 0)
				return -errno;
		}
		fd = b->tomb;
	}
	for (size_t i = 0; i < b->n; i++) {
		if (b->keys[i] == slot) {
			if ((int)b->fds[i] != b->tomb)
				close((int)b->fds[i]);
			b->fds[i] = (__u32)fd;
			return 0;
		}
	}
	if (b->n == b->cap) {
		size_t ncap = b->cap ? b->cap * 2 : 64;
		__u32 *k = realloc(b->keys, ncap * sizeof(*k)), *f;

		if (!k)
			return -ENOMEM;
		b->keys = k;
		f = realloc(b->fds, ncap * sizeof(*f));
		if (!f)
			return -ENOMEM;
		b->fds = f;
		b->cap = ncap;
	}
	b->keys[b->n] = slot;
	b->fds[b->n++] = (__u32)fd;
	return 0;
}

static int batch_apply(const struct gw_xdp_maps *maps, struct slot_batch *b)
{
	__u32 count = (__u32)b->n;
	int err = 0;

	if (b->n && bpf_map_update_batch(maps->maglev, b->keys, b->fds, &count, NULL)) {
		err = -errno;
		fprintf(stderr, "gwctl: XDP: cannot install %zu Maglev tables in gw_maglev: %s\n",
			b->n, strerror(-err));
	}
	for (size_t i = 0; i < b->n; i++)
		if ((int)b->fds[i] != b->tomb)
			close((int)b->fds[i]);
	b->n = 0;
	return err;
}

/* Whether slot s points at a real table (not empty, not a tombstone). */
static bool slot_used(const struct gw_xdp_maps *maps, uint32_t s)
{
	struct bpf_map_info info = { 0 };
	__u32 len = sizeof(info), id;
	bool used;
	int fd;

	if (bpf_map_lookup_elem(maps->maglev, &s, &id))
		return false;
	fd = bpf_map_get_fd_by_id(id);
	if (fd < 0)
		return false;
	used = !bpf_obj_get_info_by_fd(fd, &info, &len) && info.max_entries > 1;
	close(fd);
	return used;
}

/* Empties route slot s: its route value now, its table with the batch. */
static int clear_route_slot(const struct gw_xdp_maps *maps, uint32_t s, struct slot_batch *b)
{
	struct gw_route_val zero = { 0 }, cur;

	if (!bpf_map_lookup_elem(maps->routes, &s, &cur) && memcmp(&cur, &zero, sizeof(cur)) &&
	    update(maps->routes, &s, &zero, "gw_routes"))
		return -errno;
	return slot_used(maps, s) ? batch_set(b, s, -1) : 0;
}

/*
 * Empties the route slots of generation gen into batch b. Only ids in
 * gw_names can have entries (names are written before tables and removed
 * after them), so with reg given only those are visited; without, all.
 */
static int clear_routes_gen(const struct gw_xdp_maps *maps, uint8_t gen,
			    const struct registry *reg, struct slot_batch *b)
{
	int err;

	if (reg) {
		for (size_t i = 0; i < reg->n; i++)
			if (reg->v[i].k.kind == GW_NK_ROUTE && reg->v[i].k.id < GW_MAX_ROUTES &&
			    (err = clear_route_slot(maps, gen * GW_MAX_ROUTES + reg->v[i].k.id, b)))
				return err;
		return 0;
	}
	for (uint32_t id = 0; id < GW_MAX_ROUTES; id++)
		if ((err = clear_route_slot(maps, gen * GW_MAX_ROUTES + id, b)))
			return err;
	return 0;
}

/* Maglev slots packed two per element (an array element takes 8 bytes anyway). */
static uint32_t pairs_of(uint32_t size)
{
	return (size + 1) / 2;
}

/* The Maglev table of slot s if it holds exactly want, else -1. */
static int same_table_fd(const struct gw_xdp_maps *maps, uint32_t s,
			 const struct gw_maglev_pair *want, uint32_t n)
{
	struct bpf_map_info info = { 0 };
	__u32 len = sizeof(info), id, *keys = NULL, count = n;
	struct gw_maglev_pair *cur = NULL;
	int fd = -1;

	if (bpf_map_lookup_elem(maps->maglev, &s, &id))
		return -1;
	fd = bpf_map_get_fd_by_id(id);
	if (fd < 0)
		return -1;
	if (bpf_obj_get_info_by_fd(fd, &info, &len) || info.max_entries != n)
		goto no;
	cur = calloc(n, sizeof(*cur));
	keys = calloc(n, sizeof(*keys));
	if (!cur || !keys)
		goto no;
	if (bpf_map_lookup_batch(fd, NULL, &(__u32){ 0 }, keys, cur, &count, NULL) &&
	    errno != ENOENT)
		goto no;
	if (count != n || memcmp(cur, want, n * sizeof(*cur)))
		goto no;
	free(cur);
	free(keys);
	return fd;
no:
	free(cur);
	free(keys);
	close(fd);
	return -1;
}

/* The table of route r for slot: the live one if identical, else a new one; into b. */
static int write_table(const struct gw_xdp_maps *maps, uint32_t slot, uint32_t live_slot,
		       bool have_live, const struct gw_xdp_route *r, struct slot_batch *b)
{
	LIBBPF_OPTS(bpf_map_create_opts, copts, .map_flags = BPF_F_INNER_MAP);
	uint32_t n = pairs_of(r->size);
	struct gw_maglev_pair *vals;
	__u32 *keys, count = n;
	char name[16];
	int fd = -1, err = 0;

	vals = calloc(n, sizeof(*vals));
	keys = calloc(n, sizeof(*keys));
	if (!vals || !keys) {
		err = -ENOMEM;
		goto out;
	}
	for (uint32_t i = 0; i < r->size; i++)
		vals[i / 2].id[i % 2] = r->eps[r->table[i]].id;
	for (uint32_t i = 0; i < n; i++)
		keys[i] = i;
	/* unchanged routes share the live table instead of copying it */
	if (have_live)
		fd = same_table_fd(maps, live_slot, vals, n);
	if (fd < 0) {
		snprintf(name, sizeof(name), "gw_mgl_%u", r->id);
		fd = bpf_map_create(BPF_MAP_TYPE_ARRAY, name, sizeof(__u32), sizeof(*vals), n,
				    &copts);
		if (fd < 0) {
			err = -errno;
			fprintf(stderr, "gwctl: XDP: cannot create the Maglev table of %s (%u "
				"slots): %s\n", r->name, r->size, strerror(-err));
			goto out;
		}
		if (bpf_map_update_batch(fd, keys, vals, &count, NULL)) {
			err = -errno;
			fprintf(stderr, "gwctl: XDP: cannot fill the Maglev table of %s: %s\n",
				r->name, strerror(-err));
			close(fd);
			goto out;
		}
	}
	err = batch_set(b, slot, fd);
out:
	free(vals);
	free(keys);
	return err;
}

/* ---- generation write ------------------------------------------------- */

static int write_gen(const struct gw_xdp_maps *maps, const struct gw_xdp_model *m, uint8_t gen,
		     uint8_t live_gen, bool have_live, struct slot_batch *b)
{
	int err;

	for (size_t i = 0; i < m->ngateways; i++) {
		const struct gw_xdp_gateway *g = &m->gateways[i];

		for (size_t a = 0; a < g->naddrs; a++) {
			struct gw_addr_key k = { .addr = g->addrs[a], .family = g->fams[a],
						 .gen = gen };
			struct gw_addr_val v = { .gateway = g->id };

			if ((err = update(maps->addrs, &k, &v, "gw_addrs")))
				return err;
		}
	}
	for (size_t i = 0; i < m->nroutes; i++) {
		const struct gw_xdp_route *r = &m->routes[i];
		uint32_t slot = gen * GW_MAX_ROUTES + r->id;
		struct gw_route_val v = { .id = r->id };

		if (r->table) {
			if ((err = write_table(maps, slot, live_gen * GW_MAX_ROUTES + r->id,
					       have_live, r, b)))
				return err;
			v.maglev_size = r->size;
			for (size_t e = 0; e < r->neps; e++)
				v.nbackends += !r->eps[e].reject;
		}
		if ((err = update(maps->routes, &slot, &v, "gw_routes")))
			return err;
	}
	for (size_t i = 0; i < m->nlisteners; i++) {
		const struct gw_xdp_listener *l = &m->listeners[i];
		const struct gw_xdp_gateway *g = &m->gateways[l->gateway];

		for (size_t a = 0; a < g->naddrs; a++) {
			struct gw_listener_key k = { .addr = g->addrs[a], .port = htons(l->port),
						     .proto = l->proto, .family = g->fams[a],
						     .gen = gen };
			struct gw_listener_val v = { .id = l->id, .gateway = g->id,
						     .action = l->action,
						     .flags = g->snat ? GW_LF_SNAT : 0 };
			int ri = g->fams[a] == GW_FAM_V4 ? l->route4 : l->route6;

			if (l->action == GW_ACT_STEER) {
				if (ri < 0)
					continue;
				v.route = m->routes[ri].id;
			}
			/*
			 * Two listeners on one (address, port, protocol) were
			 * accepted together only if both go to L7 (hostname
			 * matching in gwd): the first entry is as good as any.
			 */
			if (bpf_map_update_elem(maps->listeners, &k, &v, BPF_NOEXIST) &&
			    errno != EEXIST) {
				err = -errno;
				fprintf(stderr, "gwctl: XDP: cannot add listener %s to gw_listeners: "
					"%s\n", l->name, strerror(-err));
				return err;
			}
		}
	}
	return 0;
}

static int check_capacity(const struct gw_xdp_model *m)
{
	size_t naddrs = 0, nentries = 0;

	for (size_t i = 0; i < m->ngateways; i++)
		naddrs += m->gateways[i].naddrs;
	for (size_t i = 0; i < m->nlisteners; i++)
		nentries += m->gateways[m->listeners[i].gateway].naddrs;
	if (naddrs > GW_MAX_ADDRS) {
		fprintf(stderr, "gwctl: XDP: %zu Gateway addresses, the maps hold %u\n", naddrs,
			GW_MAX_ADDRS);
		return -ENOSPC;
	}
	if (nentries > GW_MAX_LENTRIES) {
		fprintf(stderr, "gwctl: XDP: %zu (address, listener) pairs, the maps hold %u\n",
			nentries, GW_MAX_LENTRIES);
		return -ENOSPC;
	}
	return 0;
}

static void backend_of(const struct gw_xdp_ep *e, struct gw_backend_val *b)
{
	memset(b, 0, sizeof(*b));
	b->addr = e->addr;
	b->port = htons(e->port);
	b->family = e->family;
	b->flags = GW_BF_LIVE;
}

int gw_xdp_sync(const struct gw_xdp_maps *maps, struct gw_xdp_model *m,
		const struct gw_xdp_sync_opts *o, bool *changed)
{
	struct slot_batch tables = { .tomb = -1 };
	struct gw_cfg cur = { 0 }, next;
	struct registry reg = { 0 };
	struct timespec grace = { 0, GRACE_NS };
	uint32_t zero = 0;
	uint8_t gen, live;
	bool have_live;
	int err;

	*changed = false;
	if ((err = check_capacity(m)))
		return err;
	if (bpf_map_lookup_elem(maps->config, &zero, &cur)) {
		err = -errno;
		fprintf(stderr, "gwctl: XDP: cannot read gw_config: %s\n", strerror(-err));
		return err;
	}
	have_live = cur.flags & GW_CFG_F_ACTIVE;
	live = (uint8_t)(cur.gen & 1);
	gen = have_live ? live ^ 1 : 0;
	if ((err = reg_load(maps->names, &reg)) || (err = assign_ids(&reg, m)))
		goto out;
	next = cur;
	next.digest = model_digest(m, o);
	if (have_live && next.digest == cur.digest && !o->force) {
		pr_debug("XDP: tables unchanged (digest %016llx, generation %u)\n",
			 (unsigned long long)cur.digest, cur.gen);
		goto out;
	}

	/* 1. names and zeroed counters for new ids, backend entries */
	for (size_t i = 0; i < reg.n; i++) {
		struct reg_ent *e = &reg.v[i];

		if (!e->fresh)
			continue;
		if ((err = update(maps->names, &e->k, &e->v, "gw_names")))
			goto out;
		if (e->k.kind == GW_NK_LISTENER)
			err = zero_percpu(maps->lstats, e->k.id, sizeof(struct gw_traffic),
					  "gw_lstats");
		else if (e->k.kind == GW_NK_ROUTE)
			err = zero_percpu(maps->rstats, e->k.id, sizeof(struct gw_traffic),
					  "gw_rstats");
		else if (e->k.kind == GW_NK_BACKEND)
			err = zero_percpu(maps->bstats, e->k.id, sizeof(struct gw_traffic),
					  "gw_bstats");
		if (err)
			goto out;
	}
	for (size_t i = 0; i < m->nroutes; i++) {
		for (size_t e = 0; e < m->routes[i].neps; e++) {
			struct gw_backend_val b;

			if (m->routes[i].eps[e].reject)
				continue;
			backend_of(&m->routes[i].eps[e], &b);
			if ((err = update(maps->backends, &m->routes[i].eps[e].id, &b,
					  "gw_backends")))
				goto out;
		}
	}

	/* 2. the inactive slot: emptied (a failed load may have left things), then filled */
	if ((err = clear_gen(maps->addrs, sizeof(struct gw_addr_key),
			     offsetof(struct gw_addr_key, gen), gen, "gw_addrs")) ||
	    (err = clear_gen(maps->listeners, sizeof(struct gw_listener_key),
			     offsetof(struct gw_listener_key, gen), gen, "gw_listeners")) ||
	    (err = clear_routes_gen(maps, gen, &reg, &tables)) ||
	    (err = write_gen(maps, m, gen, live, have_live, &tables)) ||
	    (err = batch_apply(maps, &tables)))
		goto out;

	/* 3. the switch: one update */
	next.gen = gen;
	next.flags |= GW_CFG_F_ACTIVE;
	next.serial = cur.serial + 1;
	next.netns_ino = o->netns_ino;
	next.instance = gw_hash64(o->pin_dir, strlen(o->pin_dir), 0);
	next.local_port_min = o->local_port_min;
	next.local_port_max = o->local_port_max;
	/* SNAT ports: the larger free stretch beside the node's ephemeral range */
	if (o->local_port_min - GW_SNAT_PORT_FLOOR >= 65535 - o->local_port_max) {
		next.snat_port_min = GW_SNAT_PORT_FLOOR;
		next.snat_port_max = o->local_port_min - 1;
	} else {
		next.snat_port_min = o->local_port_max + 1;
		next.snat_port_max = 65535;
	}
	next.icmp_rate = o->icmp_rate;
	snprintf(next.pin_dir, sizeof(next.pin_dir), "%s", o->pin_dir);
	if ((err = update(maps->config, &zero, &next, "gw_config")))
		goto out;
	*changed = true;
	pr_debug("XDP: generation %u live (serial %llu)\n", gen, (unsigned long long)next.serial);

	/* 4. after a grace period: the old slot and what only it used */
	if (have_live) {
		nanosleep(&grace, NULL);
		if ((err = clear_gen(maps->addrs, sizeof(struct gw_addr_key),
				     offsetof(struct gw_addr_key, gen), live, "gw_addrs")) ||
		    (err = clear_gen(maps->listeners, sizeof(struct gw_listener_key),
				     offsetof(struct gw_listener_key, gen), live, "gw_listeners")) ||
		    (err = clear_routes_gen(maps, live, &reg, &tables)) ||
		    (err = batch_apply(maps, &tables)))
			goto cleanup_failed;
	}
	for (size_t i = 0; i < reg.n; i++) {
		struct reg_ent *e = &reg.v[i];
		struct gw_backend_val dead = { 0 };

		if (e->used)
			continue;
		/* a retired backend: flows on it move at their next packet */
		if (e->k.kind == GW_NK_BACKEND &&
		    (err = update(maps->backends, &e->k.id, &dead, "gw_backends")))
			goto cleanup_failed;
		if (bpf_map_delete_elem(maps->names, &e->k) && errno != ENOENT) {
			err = -errno;
			goto cleanup_failed;
		}
	}
	err = 0;
	goto out;
cleanup_failed:
	/* the new generation is live and complete; only leftovers remain */
	fprintf(stderr, "gwctl: XDP: new configuration is live, but removing the previous "
		"generation failed: %s; the next load retries\n", strerror(-err));
	err = 0;
out:
	batch_free(&tables);
	reg_free(&reg);
	return err;
}
