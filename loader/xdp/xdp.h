/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The XDP L4 tier's loader: compiles a resolved configuration into the
 * model the BPF maps hold (compile.c), fills weighted Maglev tables
 * (maglev.c), writes a model into the pinned maps as a new generation and
 * switches to it (sync.c), and owns bpffs, pins, locking and attachment
 * (attach.c). dp.c glues them into gw_dp_xdp for `gwctl load`.
 */
#ifndef GW_LOADER_XDP_H
#define GW_LOADER_XDP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "bpf/gw_kern_user.h"
#include "maglev.h"

struct gw_config;
struct gw_xdp;

/* ---- logging ----------------------------------------------------------- */

enum gw_log_level { GW_LOG_WARN, GW_LOG_INFO, GW_LOG_DEBUG };

void gw_log(enum gw_log_level level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/** Raises the level to debug (-v); libbpf output follows one level below. */
void gw_log_set_verbose(bool verbose);
/** Silences libbpf around calls that are expected to fail (probes). */
void gw_log_libbpf_quiet(bool quiet);

#define pr_warn(...) gw_log(GW_LOG_WARN, __VA_ARGS__)
#define pr_info(...) gw_log(GW_LOG_INFO, __VA_ARGS__)
#define pr_debug(...) gw_log(GW_LOG_DEBUG, __VA_ARGS__)

struct gw_xdp_gateway {
	char name[120];		/* "ns/name" */
	union gw_ip *addrs;
	uint8_t *fams;
	size_t naddrs;
	bool snat;		/* annotation xdpgw.io/l4-nat: snat */
	uint32_t id;
};

struct gw_xdp_listener {
	char name[120];		/* "ns/gateway/listener" or "ns/listenerset/listener" */
	size_t gateway;		/* index into gateways */
	uint8_t proto;		/* IPPROTO_TCP / IPPROTO_UDP */
	uint16_t port;
	uint8_t action;		/* enum gw_action */
	int route4, route6;	/* indexes into routes, -1 = none */
	uint32_t id;
	const void *src;	/* the struct gw_listener it came from */
};

/** An attached interface and the addresses it contributes. */
struct gw_xdp_iface {
	char name[16];
	int ifindex;
	union gw_ip addrs[16];
	uint8_t fams[16];
	size_t naddrs;
	uint32_t mode;		/* enum gw_xdp_mode, once attached */
	uint32_t prog_id;
	bool fresh;		/* attached by this gwctl (gw_xdp_attach_undo detaches it) */
};

struct gw_xdp_model {
	struct gw_xdp_gateway *gateways;
	size_t ngateways;
	struct gw_xdp_listener *listeners;
	size_t nlisteners;
	struct gw_xdp_route *routes;
	size_t nroutes;
	size_t nl4;		/* TCP/UDP listeners among them */
};

/**
 * Compiles the Gateways of cfg that are ours into m: every valid listener
 * on every Gateway address (spec.addresses, or the addresses of ifaces),
 * steering routes with their endpoints and Maglev tables. Returns 0 or
 * -errno after printing what is wrong (e.g. a capacity exceeded).
 */
int gw_xdp_compile(const struct gw_config *cfg, const struct gw_xdp_iface *ifaces,
		   size_t nifaces, struct gw_xdp_model *m);
void gw_xdp_model_free(struct gw_xdp_model *m);
/** Whether listener l (a struct gw_listener) is in the model with an XDP entry. */
bool gw_xdp_model_has(const struct gw_xdp_model *m, const void *l);

/** Formats an address for people ("10.0.0.1", "fd00::1"). */
const char *gw_xdp_addr_str(const union gw_ip *a, uint8_t family, char *buf, size_t len);
/** Parses a textual IPv4/IPv6 address; returns 0 or -EINVAL. */
int gw_xdp_addr_parse(const char *s, union gw_ip *a, uint8_t *family);

/* ---- maps: generations ---------------------------------------------------- */

/** File descriptors of the pinned maps (from the skeleton or the pins). */
struct gw_xdp_maps {
	int config, addrs, listeners, routes, maglev, backends, conntrack, ifaces, names;
	int stats, drops, lstats, rstats, bstats;
};

struct gw_xdp_sync_opts {
	uint64_t netns_ino;
	const char *pin_dir;
	uint32_t icmp_rate;
	const struct gw_xdp_iface *ifaces;
	size_t nifaces;
	uint16_t local_port_min;	/* the node's ephemeral ports (gw_xdp_local_ports) */
	uint16_t local_port_max;
	bool force;		/* write a new generation even if the digest matches */
};

/** The ephemeral port range of this network namespace (defaults if unreadable: -errno). */
int gw_xdp_local_ports(uint16_t *lo, uint16_t *hi);

/**
 * Writes m into the inactive generation, switches gw_config to it with one
 * update, then (after a grace period) removes the old generation and the
 * ids m no longer uses. Ids are assigned in m (stable across loads, from
 * gw_names). *changed says whether anything was written. Returns 0 or
 * -errno; on failure the live generation is untouched.
 */
int gw_xdp_sync(const struct gw_xdp_maps *maps, struct gw_xdp_model *m,
		const struct gw_xdp_sync_opts *o, bool *changed);

/** The number of possible CPUs per-CPU map values have, or -errno. */
int gw_xdp_ncpus(void);

/* ---- bpffs, pins, lock, attach ------------------------------------------- */

struct gw_xdp_instance {
	char pin_dir[4096];
	int lock_fd;		/* flock on the pin directory */
	struct gw_xdp *skel;	/* loaded skeleton, maps reused from the pins */
	struct gw_xdp_maps maps;
	bool created;		/* the maps were created (not reused) by this open */
	uint64_t netns_ino;
};

/**
 * Makes pin_dir usable: mounts bpffs where it is missing (under `ip netns
 * exec`, /sys is a fresh sysfs without it), creates the directory, takes
 * an exclusive flock on it. Returns 0 or -errno.
 */
int gw_xdp_pin_dir_prepare(const char *pin_dir, int *lock_fd);

/** Whether pin_dir holds this tier's pinned maps. */
bool gw_xdp_pins_exist(const char *pin_dir);

/**
 * Opens and loads the skeleton with its maps reused from (or pinned to)
 * pin_dir, which must be prepared. If the pins are gone but this
 * instance's program is still attached in this network namespace (pins
 * live in a mount namespace that ended), its maps are pinned again first.
 */
int gw_xdp_instance_open(struct gw_xdp_instance *in, const char *pin_dir);
/**
 * Like gw_xdp_instance_open() but without loading the program: the maps
 * are the pinned ones (recovered from the attached program if the pins
 * are gone). For unload, stats and status.
 */
int gw_xdp_instance_open_pinned(struct gw_xdp_instance *in, const char *pin_dir);
void gw_xdp_instance_close(struct gw_xdp_instance *in);
/** Whether the program of the instance pinned at pin_dir is attached in this netns. */
bool gw_xdp_instance_attached(const char *pin_dir);

/** Attached program of this instance on ifindex: its id, or 0 if something else/nothing. */
uint32_t gw_xdp_attached_ours(const struct gw_xdp_instance *in, int ifindex, uint32_t *mode);

/**
 * Attaches the instance's program to each iface not attached yet (native
 * mode if the driver supports it, else generic), replaces an older program
 * of ours, refuses one with somebody else's program, and records every
 * interface in gw_ifaces. On failure the interfaces it attached to are
 * detached again. Returns 0 or -errno.
 */
int gw_xdp_attach_all(struct gw_xdp_instance *in, struct gw_xdp_iface *ifaces, size_t n);
/** Detaches from the ifaces this gwctl attached to (fresh), forgetting them. */
void gw_xdp_attach_undo(struct gw_xdp_instance *in, struct gw_xdp_iface *ifaces, size_t n);
/** Detaches from interfaces recorded in gw_ifaces but not in ifaces; 0 or -errno. */
int gw_xdp_detach_unlisted(struct gw_xdp_instance *in, const struct gw_xdp_iface *ifaces,
			   size_t n);

/** Detaches from every recorded interface; returns the number detached or -errno. */
int gw_xdp_detach_all(struct gw_xdp_instance *in);

/** Unpins every map and removes pin_dir; returns 0 or -errno. */
int gw_xdp_unpin_all(struct gw_xdp_instance *in);

/** Fills ifaces[] (name, ifindex, addresses) for names; returns 0 or -errno. */
int gw_xdp_ifaces_lookup(const char *const *names, size_t n, struct gw_xdp_iface *ifaces);
/** Reads the interfaces recorded in gw_ifaces (name, ifindex, mode); returns count or -errno. */
int gw_xdp_ifaces_recorded(const struct gw_xdp_maps *maps, struct gw_xdp_iface *ifaces,
			   size_t max);

/** Inode number of this process's network namespace (its identity), or 0. */
uint64_t gw_xdp_netns_ino(void);

/** Prints attach mode per interface (gwctl status). */
void gw_xdp_print_status(FILE *f, const char *pin_dir);

#endif
