// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * gwctl stats: the XDP tier's per-CPU counters summed over CPUs, per
 * verdict, per drop reason, per listener, route and backend, with the
 * flows conntrack holds. Text for people, -o json for scripts.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <bpf/bpf.h>

#include "dataplane.h"
#include "gwctl.h"
#include "xdp/xdp.h"

/* A flow counts as active if it saw a packet this recently and did not close. */
#define ACTIVE_NS (60ULL * 1000000000ULL)

static const char *const stats_formats[] = { "text", "json", NULL };

struct stats_cfg {
	struct gw_common_cfg common;
	const char *pin_dir;
	const char *output;
};

static const struct gw_opt stats_opts[] = {
	GW_OPT("pin-dir", 0, GW_OPT_STR, struct stats_cfg, pin_dir, "DIR", NULL,
	       "bpffs directory of the pinned maps (default /sys/fs/bpf/xdpgw)"),
	GW_OPT("output", 'o', GW_OPT_ENUM, struct stats_cfg, output, "FORMAT", stats_formats,
	       "text (default) or json"),
	GW_COMMON_OPTS(struct stats_cfg),
	GW_OPT_END,
};

static const char *const stat_names[] = {
#define GW_X_NAME(n, s, d) s,
	GW_STATS(GW_X_NAME)
#undef GW_X_NAME
};

static const char *drop_name(uint32_t r)
{
	switch (r) {
#define GW_X_CASE(n, v, s, d)                                                                \
	case v:                                                                               \
		return s;
		GW_DROPS(GW_X_CASE)
#undef GW_X_CASE
	}
	return NULL;
}

/* One listener/route/backend with its counters summed over CPUs. */
struct item {
	uint32_t kind, id;
	char name[120];
	struct gw_traffic t;
	uint64_t active;
};

struct items {
	struct item *v;
	size_t n;
};

static int percpu_sum(int fd, uint32_t key, size_t vsize, int ncpus, uint64_t *out, size_t nfields)
{
	uint64_t *vals = calloc((size_t)ncpus, vsize);

	if (!vals)
		return -ENOMEM;
	memset(out, 0, nfields * sizeof(*out));
	if (bpf_map_lookup_elem(fd, &key, vals)) {
		int err = -errno;

		free(vals);
		return err;
	}
	for (int c = 0; c < ncpus; c++)
		for (size_t f = 0; f < nfields; f++)
			out[f] += vals[c * (vsize / sizeof(*vals)) + f];
	free(vals);
	return 0;
}

static int cmp_item(const void *a, const void *b)
{
	const struct item *x = a, *y = b;

	if (x->kind != y->kind)
		return x->kind < y->kind ? -1 : 1;
	return x->id < y->id ? -1 : x->id > y->id;
}

static int load_items(const struct gw_xdp_maps *maps, int ncpus, struct items *it)
{
	struct gw_name_key k, next, *prev = NULL;
	int err;

	while (!bpf_map_get_next_key(maps->names, prev, &next)) {
		struct gw_name_val v;
		struct item *x;
		int fd;

		k = next;
		prev = &k;
		if (bpf_map_lookup_elem(maps->names, &k, &v))
			continue;
		x = realloc(it->v, (it->n + 1) * sizeof(*x));
		if (!x)
			return -ENOMEM;
		it->v = x;
		x = &it->v[it->n++];
		memset(x, 0, sizeof(*x));
		x->kind = k.kind;
		x->id = k.id;
		snprintf(x->name, sizeof(x->name), "%s", v.name);
		fd = k.kind == GW_NK_LISTENER ? maps->lstats :
		     k.kind == GW_NK_ROUTE    ? maps->rstats :
		     k.kind == GW_NK_BACKEND  ? maps->bstats : -1;
		if (fd >= 0 && (err = percpu_sum(fd, k.id, sizeof(struct gw_traffic), ncpus,
						 (uint64_t *)&x->t, 4)))
			return err;
	}
	qsort(it->v, it->n, sizeof(*it->v), cmp_item);
	return 0;
}

static struct item *find_item(struct items *it, uint32_t kind, uint32_t id)
{
	for (size_t i = 0; i < it->n; i++)
		if (it->v[i].kind == kind && it->v[i].id == id)
			return &it->v[i];
	return NULL;
}

/* Conntrack: entries, active forward flows, and their attribution. */
static void count_flows(const struct gw_xdp_maps *maps, struct items *it, uint64_t *entries,
			uint64_t *active)
{
	struct gw_ct_key k, next, *prev = NULL;
	struct timespec ts;
	uint64_t now;

	clock_gettime(CLOCK_MONOTONIC_COARSE, &ts);
	now = (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
	*entries = *active = 0;
	while (!bpf_map_get_next_key(maps->conntrack, prev, &next)) {
		struct gw_ct_val v;
		struct item *x;

		k = next;
		prev = &k;
		if (bpf_map_lookup_elem(maps->conntrack, &k, &v))
			continue;
		(*entries)++;
		if (v.dir != GW_CT_FWD || (v.flags & GW_CT_F_CLOSING) ||
		    now - v.last_seen > ACTIVE_NS)
			continue;
		(*active)++;
		if ((x = find_item(it, GW_NK_LISTENER, v.listener)))
			x->active++;
		if ((x = find_item(it, GW_NK_ROUTE, v.route)))
			x->active++;
		if ((x = find_item(it, GW_NK_BACKEND, v.backend)))
			x->active++;
	}
}

static void json_str(const char *s)
{
	putchar('"');
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			printf("\\%c", *s);
		else if ((unsigned char)*s < 0x20)
			printf("\\u%04x", *s);
		else
			putchar(*s);
	}
	putchar('"');
}

static const char *section(uint32_t kind)
{
	return kind == GW_NK_LISTENER ? "listeners" :
	       kind == GW_NK_ROUTE    ? "routes" :
	       kind == GW_NK_BACKEND  ? "backends" : "gateways";
}

static const char *hook_name(uint32_t mode)
{
	return mode == GW_XDP_MODE_TC ? "tc" : mode == GW_XDP_MODE_GENERIC ? "xdp-generic"
									   : "xdp-native";
}

static int run_stats(void *vcfg, int argc, char **argv)
{
	struct stats_cfg *sc = vcfg;
	const char *pin_dir = sc->pin_dir ? sc->pin_dir : GW_PIN_DIR_DEFAULT;
	bool json = sc->output && !strcmp(sc->output, "json");
	struct gw_xdp_instance in = { .lock_fd = -1 };
	struct gw_counter verdicts[GW_STAT__MAX], drops[GW_DROP__MAX];
	struct items it = { 0 };
	uint64_t entries, active;
	struct gw_cfg cfg;
	uint32_t zero = 0;
	struct gw_xdp_iface rec[GW_MAX_IFACES];
	struct gw_xdp_ifloss loss[GW_MAX_IFACES];
	int ncpus, err, ret = 1, nrec = 0;
	bool first;

	(void)argv;
	if (argc) {
		fprintf(stderr, "gwctl stats: takes no arguments\n");
		return 2;
	}
	gw_log_set_verbose(sc->common.verbose);
	if (!gw_xdp_pins_exist(pin_dir) && !gw_xdp_instance_attached(pin_dir)) {
		fprintf(stderr, "gwctl stats: the XDP tier is not loaded (no pins in %s)\n",
			pin_dir);
		return 1;
	}
	ncpus = gw_xdp_ncpus();
	if (ncpus < 0) {
		fprintf(stderr, "gwctl stats: cannot count CPUs: %s\n", strerror(-ncpus));
		return 1;
	}
	if ((err = gw_xdp_instance_open_pinned(&in, pin_dir)))
		goto out;
	if (bpf_map_lookup_elem(in.maps.config, &zero, &cfg)) {
		fprintf(stderr, "gwctl stats: cannot read gw_config: %s\n", strerror(errno));
		goto out;
	}
	for (uint32_t i = 0; i < GW_STAT__MAX; i++)
		if ((err = percpu_sum(in.maps.stats, i, sizeof(struct gw_counter), ncpus,
				      (uint64_t *)&verdicts[i], 2)))
			goto read_failed;
	for (uint32_t i = 0; i < GW_DROP__MAX; i++)
		if ((err = percpu_sum(in.maps.drops, i, sizeof(struct gw_counter), ncpus,
				      (uint64_t *)&drops[i], 2)))
			goto read_failed;
	if ((err = load_items(&in.maps, ncpus, &it)))
		goto read_failed;
	count_flows(&in.maps, &it, &entries, &active);
	nrec = gw_xdp_ifaces_recorded(&in.maps, rec, GW_MAX_IFACES);
	if (nrec < 0)
		nrec = 0;
	for (int i = 0; i < nrec; i++)
		if (gw_xdp_iface_losses(rec[i].name, &loss[i]))
			memset(&loss[i], 0, sizeof(loss[i]));	/* gone since: nothing to say */

	if (json) {
		printf("{\"pin_dir\":");
		json_str(pin_dir);
		printf(",\"generation\":%u,\"serial\":%llu,\"verdicts\":{", cfg.gen,
		       (unsigned long long)cfg.serial);
		for (uint32_t i = 0; i < GW_STAT__MAX; i++)
			printf("%s\"%s\":{\"packets\":%llu,\"bytes\":%llu}", i ? "," : "",
			       stat_names[i], (unsigned long long)verdicts[i].packets,
			       (unsigned long long)verdicts[i].bytes);
		printf("},\"drops\":{");
		first = true;
		for (uint32_t i = 0; i < GW_DROP__MAX; i++) {
			if (!drop_name(i))
				continue;
			printf("%s\"%s\":{\"packets\":%llu,\"bytes\":%llu}", first ? "" : ",",
			       drop_name(i), (unsigned long long)drops[i].packets,
			       (unsigned long long)drops[i].bytes);
			first = false;
		}
		printf("}");
		for (uint32_t kind = GW_NK_LISTENER; kind <= GW_NK_BACKEND; kind++) {
			printf(",\"%s\":[", section(kind));
			first = true;
			for (size_t i = 0; i < it.n; i++) {
				struct item *x = &it.v[i];

				if (x->kind != kind)
					continue;
				printf("%s{\"id\":%u,\"name\":", first ? "" : ",", x->id);
				json_str(x->name);
				printf(",\"packets\":%llu,\"bytes\":%llu,\"flows\":%llu,\"drops\":%llu,"
				       "\"active\":%llu}", (unsigned long long)x->t.packets,
				       (unsigned long long)x->t.bytes, (unsigned long long)x->t.flows,
				       (unsigned long long)x->t.drops, (unsigned long long)x->active);
				first = false;
			}
			printf("]");
		}
		printf(",\"flows\":{\"active\":%llu,\"conntrack_entries\":%llu},\"interfaces\":[",
		       (unsigned long long)active, (unsigned long long)entries);
		for (int i = 0; i < nrec; i++) {
			printf("%s{\"name\":", i ? "," : "");
			json_str(rec[i].name);
			printf(",\"hook\":\"%s\",\"kernel_losses\":{", hook_name(rec[i].mode));
			for (size_t k = 0; k < loss[i].n; k++)
				printf("%s\"%s\":%llu", k ? "," : "", loss[i].reason[k],
				       (unsigned long long)loss[i].count[k]);
			printf("}}");
		}
		printf("]}\n");
	} else {
		printf("XDP L4 tier: generation %u (serial %llu), pins %s\n", cfg.gen,
		       (unsigned long long)cfg.serial, pin_dir);
		printf("%-34s %14s %16s\n", "verdicts", "packets", "bytes");
		for (uint32_t i = 0; i < GW_STAT__MAX; i++)
			printf("  %-32s %14llu %16llu\n", stat_names[i],
			       (unsigned long long)verdicts[i].packets,
			       (unsigned long long)verdicts[i].bytes);
		printf("%-34s %14s %16s\n", "drops by reason", "packets", "bytes");
		for (uint32_t i = 0; i < GW_DROP__MAX; i++)
			if (drop_name(i))
				printf("  %-32s %14llu %16llu\n", drop_name(i),
				       (unsigned long long)drops[i].packets,
				       (unsigned long long)drops[i].bytes);
		for (uint32_t kind = GW_NK_LISTENER; kind <= GW_NK_BACKEND; kind++) {
			printf("%-34s %14s %16s %9s %9s %9s\n", section(kind), "packets", "bytes",
			       "flows", "drops", "active");
			for (size_t i = 0; i < it.n; i++) {
				struct item *x = &it.v[i];

				if (x->kind == kind)
					printf("  %-32s %14llu %16llu %9llu %9llu %9llu\n", x->name,
					       (unsigned long long)x->t.packets,
					       (unsigned long long)x->t.bytes,
					       (unsigned long long)x->t.flows,
					       (unsigned long long)x->t.drops,
					       (unsigned long long)x->active);
			}
		}
		printf("flows: %llu active, %llu conntrack entries\n", (unsigned long long)active,
		       (unsigned long long)entries);
		printf("interfaces (hook; frames the kernel lost after the program)\n");
		for (int i = 0; i < nrec; i++) {
			printf("  %-16s %-12s", rec[i].name, hook_name(rec[i].mode));
			for (size_t k = 0; k < loss[i].n; k++)
				printf(" %s %llu", loss[i].reason[k],
				       (unsigned long long)loss[i].count[k]);
			printf("\n");
		}
	}
	ret = 0;
	goto out;
read_failed:
	fprintf(stderr, "gwctl stats: cannot read the counters in %s: %s\n", pin_dir,
		strerror(-err));
out:
	free(it.v);
	gw_xdp_instance_close(&in);
	return ret;
}

const struct gw_cmd gw_cmd_stats = {
	.name = "stats",
	.help = "show the XDP tier's counters (packets, bytes, drops by reason, flows)",
	.opts = stats_opts,
	.cfg_size = sizeof(struct stats_cfg),
	.run = run_stats,
};
