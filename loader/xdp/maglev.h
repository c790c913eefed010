/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * L4 route weighting shared by both L4 tiers: the XDP tier (compile.c
 * writes these tables into its maps) and gwd's userspace L4 path
 * (user/core/router.c builds the same tables for the TCP/UDP listeners
 * XDP does not serve). Pure functions: no BPF, no syscalls, no logging
 * macros, so the daemon can include this without loader/xdp/xdp.h.
 */
#ifndef GW_LOADER_XDP_MAGLEV_H
#define GW_LOADER_XDP_MAGLEV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <linux/types.h>
#include "bpf/gw_kern_user.h"

struct gw_route;
struct gw_listener;

/** One endpoint in a Maglev table: its stable identity and its weight. */
struct gw_maglev_ep {
	const char *key;	/* "10.0.0.1:80": the permutation depends on it only */
	uint64_t weight;	/* 0 = takes no slot */
};

/** 64-bit hash (FNV-1a with a murmur3 finaliser) used for Maglev and digests. */
uint64_t gw_hash64(const void *buf, size_t len, uint64_t seed);

/** Smallest prime table size for n endpoints (GW_MAGLEV_MIN..GW_MAGLEV_MAX). */
uint32_t gw_maglev_size(size_t n);

/**
 * Fills table[0..m) with indexes into eps by weighted Maglev: each
 * endpoint walks its own permutation of the slots (from its key) and takes
 * turns in proportion to its weight. m must be a prime larger than the
 * number of endpoints with weight > 0. The result depends on the keys and
 * weights, not on the order of eps. Returns 0, or -EINVAL when no
 * endpoint has weight or m is unusable, -ENOMEM.
 */
int gw_maglev_fill(const struct gw_maglev_ep *eps, size_t n, uint32_t m, uint32_t *table);

/** A backend endpoint of a route, per address family. */
struct gw_xdp_ep {
	union gw_ip addr;
	uint16_t port;		/* host order */
	uint8_t family;		/* GW_FAM_V4 / GW_FAM_V6 */
	bool reject;		/* the share of an unusable backendRef: refuse those flows */
	uint64_t weight;
	char key[64];		/* "10.0.0.1:80", "[fd00::1]:80", "reject" */
	uint32_t id;		/* backend id (sync) */
};

struct gw_xdp_route {
	char name[120];		/* "TCPRoute ns/name IPv4" */
	uint8_t family;
	struct gw_xdp_ep *eps;	/* sorted by key */
	size_t neps;
	uint32_t *table;	/* Maglev: index into eps per slot; NULL: no usable backend */
	uint32_t size;
	uint32_t id;		/* route id (sync) */
};

/**
 * The TCPRoute/UDPRoute that serves L4 listener l (TCP or UDP): they have
 * no match criteria, so with several attached the first in attachment
 * order (the oldest) serves. NULL when none is attached.
 */
const struct gw_route *gw_l4_route_of(const struct gw_listener *l);

/**
 * The weighted endpoints of route ro for family fam (GW_FAM_V4/V6) and
 * their Maglev table, into r (zeroed by the caller; free with
 * gw_l4_route_free). A backendRef's weight is split evenly over its ready
 * endpoints of fam; the weight of one that cannot be used (unresolved, no
 * ready endpoint of fam) stays as a "reject" endpoint. r->table is NULL
 * when no endpoint of fam is usable. Returns 0 or -ENOMEM.
 */
int gw_l4_route_compile(const struct gw_route *ro, uint8_t fam, struct gw_xdp_route *r);
void gw_l4_route_free(struct gw_xdp_route *r);

#endif
