/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * What tests/bpf needs around the XDP program: the real skeleton loaded
 * without pins, a small routed network in the test's private namespace
 * (so bpf_fib_lookup gives real answers: resolved, unresolved neighbour,
 * too-small MTU, blackhole), map seeding through the loader's own model
 * and gw_xdp_sync(), one-packet BPF_PROG_TEST_RUN, counter reads.
 *
 *   client 10.0.0.2 / fd00::2 --- gwt-in  10.0.0.1 / fd00::1
 *   backends 10.1.0.2, fd01::2 --- gwt-be  10.1.0.1 / fd01::1  (10.1.0.3: no neighbour)
 *   backend 10.2.0.2, fd02::2  --- gwt-mtu 10.2.0.1 / fd02::1  (MTU 1280)
 *   10.3.0.0/24, fd03::/64: blackhole
 */
#ifndef GW_TEST_XDP_ENV_H
#define GW_TEST_XDP_ENV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "loader/xdp/xdp.h"
#include "pkt.h"

#define MAC_CLIENT "02:00:00:00:00:02"
#define MAC_GW_IN "02:00:00:00:00:01"
#define MAC_BACKEND "02:00:00:00:01:02"
#define MAC_GW_BE "02:00:00:00:01:01"
#define MAC_MTU_BACKEND "02:00:00:00:02:02"

struct xdp_env {
	struct gw_xdp *skel;
	struct gw_xdp_maps maps;
	struct gw_xdp_model m;
	int prog_fd;
	int if_in, if_be, if_mtu;	/* ifindexes */
};

/* Map fds of any skeleton of gw_xdp.bpf.c (the real one or a mock build of it). */
#define XDP_ENV_MAPS(e, sk)                                                                   \
	do {                                                                                  \
		(e)->maps.config = bpf_map__fd((sk)->maps.gw_config);                         \
		(e)->maps.addrs = bpf_map__fd((sk)->maps.gw_addrs);                           \
		(e)->maps.listeners = bpf_map__fd((sk)->maps.gw_listeners);                   \
		(e)->maps.routes = bpf_map__fd((sk)->maps.gw_routes);                         \
		(e)->maps.maglev = bpf_map__fd((sk)->maps.gw_maglev);                         \
		(e)->maps.backends = bpf_map__fd((sk)->maps.gw_backends);                     \
		(e)->maps.conntrack = bpf_map__fd((sk)->maps.gw_conntrack);                   \
		(e)->maps.ifaces = bpf_map__fd((sk)->maps.gw_ifaces);                         \
		(e)->maps.names = bpf_map__fd((sk)->maps.gw_names);                           \
		(e)->maps.stats = bpf_map__fd((sk)->maps.gw_stats);                           \
		(e)->maps.drops = bpf_map__fd((sk)->maps.gw_drops);                           \
		(e)->maps.lstats = bpf_map__fd((sk)->maps.gw_lstats);                         \
		(e)->maps.rstats = bpf_map__fd((sk)->maps.gw_rstats);                         \
		(e)->maps.bstats = bpf_map__fd((sk)->maps.gw_bstats);                         \
		(e)->prog_fd = bpf_program__fd((sk)->progs.gw_xdp_ingress);                   \
	} while (0)

/** Builds the network once per process; returns 0 or -1. */
int xdp_env_net(struct xdp_env *e);
/** Opens and loads the real skeleton, unpinned; returns 0 or -errno. */
int xdp_env_open(struct xdp_env *e);
void xdp_env_close(struct xdp_env *e);

/** Model building; every function returns the index of what it added, or -1. */
int seed_gateway(struct gw_xdp_model *m, const char *name, const char *addrs, bool snat);
/** eps: "ADDR:PORT=WEIGHT ..." ("[v6]:PORT=W" for IPv6, "reject=W" for a refused share). */
int seed_route(struct gw_xdp_model *m, const char *name, uint8_t family, const char *eps);
int seed_listener(struct gw_xdp_model *m, int gw, const char *name, uint8_t proto, uint16_t port,
		  uint8_t action, int route4, int route6);
/** Writes e->m as a new generation (and gw_ifaces SNAT addresses of the test interfaces). */
int seed_sync(struct xdp_env *e);
/** Same, with the ICMP error rate limit given. */
int seed_sync_rate(struct xdp_env *e, uint32_t icmp_rate);

/**
 * Runs the program once on p as received on ifindex; the output frame
 * goes to out (PKT_MAX bytes), its length to *outlen. Returns the
 * program's return value, or -1 if the run itself failed.
 */
int run_xdp(struct xdp_env *e, const struct pkt *p, int ifindex, uint8_t *out, size_t *outlen);

/** Packets of index idx of a per-CPU counter map (struct gw_counter or gw_traffic), all CPUs. */
uint64_t counter(int map_fd, uint32_t idx);
/** Field f (0 packets, 1 bytes, 2 flows, 3 drops) of a struct gw_traffic counter. */
uint64_t traffic(int map_fd, uint32_t idx, int f);

#endif
