/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The BPF/user boundary of the XDP L4 tier: every map key and value, the
 * drop reasons and counter indices, shared by bpf/gw_xdp.bpf.c and
 * loader/xdp/. Fixed-width types, explicit padding, byte order in the
 * type, and a size assertion per struct: a change here is an ABI change
 * and renames the affected pinned map (gw_foo -> gw_foo_v2).
 */
#ifndef GW_KERN_USER_H
#define GW_KERN_USER_H

#ifndef __VMLINUX_H__
#include <linux/types.h>
#endif

/* Capacities; each sizes a pinned map, so changing one renames the map. */
#define GW_MAX_ADDRS		1024	/* Gateway addresses per generation */
#define GW_MAX_LENTRIES		16384	/* (address, listener) pairs per generation */
#define GW_MAX_LISTENERS	4096	/* listener ids (counters) */
#define GW_MAX_ROUTES		4096	/* route ids (counters, Maglev tables) */
#define GW_MAX_BACKENDS		131072	/* backend endpoint ids (counters) */
#define GW_MAX_GATEWAYS		1024
#define GW_MAX_IFACES		64
#define GW_CT_ENTRIES		262144	/* two per flow: forward and reply */
#define GW_MAX_NAMES		(GW_MAX_LISTENERS + GW_MAX_ROUTES + GW_MAX_BACKENDS + GW_MAX_GATEWAYS)

/*
 * Maglev table sizes are primes between these bounds: at least
 * GW_MAGLEV_PER_BACKEND slots per endpoint keeps the share of each
 * endpoint within ~1% of its weight.
 */
#define GW_MAGLEV_MIN		1021
#define GW_MAGLEV_MAX		65537
#define GW_MAGLEV_PER_BACKEND	131

/* Generations: two slots, the live one named by gw_config.gen. */
#define GW_GENS			2

/*
 * SNAT source ports. The client's own port is kept, as masquerade does,
 * unless a flow or a local socket holds it; otherwise a port from the
 * range below the node's ephemeral one (net.ipv4.ip_local_port_range,
 * read at load time), or above it if that leaves more room, where the
 * node's own connections do not pick their ports.
 */
#define GW_SNAT_PORT_FLOOR	1024
/* a port held by a flow that closed this long ago, or idled this long, may be reused */
#define GW_SNAT_CLOSED_NS	(2ULL * 1000000000ULL)
#define GW_SNAT_IDLE_NS		(120ULL * 1000000000ULL)

/* Address families in keys (not AF_*: those differ between BPF and libc views). */
#define GW_FAM_V4		4
#define GW_FAM_V6		6

/**
 * An IPv4 or IPv6 address in network byte order. IPv4 uses v4 (= v6[0])
 * and leaves v6[1..3] zero, so one key layout serves both families.
 */
union gw_ip {
	__be32 v4;
	__be32 v6[4];
};

/* ---- gw_config: single entry, runtime configuration ----------------- */

#define GW_CFG_F_ACTIVE		(1U << 0)	/* tables of .gen are complete */

struct gw_cfg {
	__u32 gen;		/* live generation slot, 0 or 1 */
	__u32 flags;		/* GW_CFG_F_* */
	__u64 serial;		/* bumped by every load that changed the tables */
	__u64 digest;		/* hash of the compiled tables in .gen (idempotent reloads) */
	__u64 netns_ino;	/* network namespace this instance programs (st_ino of ns/net) */
	__u64 instance;		/* hash of the pin directory: tells instances apart */
	__u16 snat_port_min;	/* host order: SNAT ports when the client's cannot be kept */
	__u16 snat_port_max;
	__u32 icmp_rate;	/* ICMP errors per second per CPU the program may send */
	char pin_dir[64];	/* pin directory as given (truncated), for people */
	__u16 local_port_min;	/* host order: the node's ephemeral ports (not probed for SNAT) */
	__u16 local_port_max;
	__u32 pad;
};
_Static_assert(sizeof(struct gw_cfg) == 120, "gw_cfg layout");

/* ---- gw_addrs: which destinations are subject to listener filtering --- */

struct gw_addr_key {
	union gw_ip addr;
	__u8 family;		/* GW_FAM_V4 / GW_FAM_V6 */
	__u8 gen;
	__u16 pad;
};
_Static_assert(sizeof(struct gw_addr_key) == 20, "gw_addr_key layout");

struct gw_addr_val {
	__u32 gateway;		/* gateway id (gw_names) */
	__u32 flags;
};
_Static_assert(sizeof(struct gw_addr_val) == 8, "gw_addr_val layout");

/* ---- gw_listeners: (address, port, protocol) -> what to do ---------- */

enum gw_action {
	GW_ACT_PASS = 1,	/* L7 listener: up to the kernel stack (gwd) */
	GW_ACT_STEER = 2,	/* L4 listener with a route: load-balance in XDP */
	GW_ACT_REJECT = 3,	/* L4 listener without a route: refuse new flows */
};

#define GW_LF_SNAT		(1U << 0)	/* also rewrite the source (annotation xdpgw.io/l4-nat: snat) */

struct gw_listener_key {
	union gw_ip addr;
	__be16 port;
	__u8 proto;		/* IPPROTO_TCP / IPPROTO_UDP */
	__u8 family;
	__u8 gen;
	__u8 pad[3];
};
_Static_assert(sizeof(struct gw_listener_key) == 24, "gw_listener_key layout");

struct gw_listener_val {
	__u32 id;		/* listener id: gw_lstats index */
	__u32 route;		/* route id (GW_ACT_STEER) */
	__u32 gateway;		/* gateway id */
	__u8 action;		/* enum gw_action */
	__u8 flags;		/* GW_LF_* */
	__u16 pad;
};
_Static_assert(sizeof(struct gw_listener_val) == 16, "gw_listener_val layout");

/* ---- gw_routes: key gen * GW_MAX_ROUTES + route id ------------------ */

struct gw_route_val {
	__u32 maglev_size;	/* slots in the route's Maglev table; 0: no usable backend */
	__u32 nbackends;	/* distinct endpoints with weight > 0 */
	__u32 id;		/* route id (gw_rstats index) */
	__u32 flags;
};
_Static_assert(sizeof(struct gw_route_val) == 16, "gw_route_val layout");

/* ---- Maglev tables (inner maps of gw_maglev): slot s is id[s % 2] of element s / 2 */

/* Two slots per element: an array element takes 8 bytes whatever its value's size. */
struct gw_maglev_pair {
	__u32 id[2];		/* backend ids (GW_BACKEND_REJECT = refuse) */
};
_Static_assert(sizeof(struct gw_maglev_pair) == 8, "gw_maglev_pair layout");

/* ---- gw_backends: backend id -> endpoint ----------------------------- */

#define GW_BF_LIVE		(1U << 0)	/* part of the live configuration */

/*
 * Backend id 0 is no endpoint: Maglev slots holding it belong to the
 * weight share of a backendRef that cannot be used, and those new flows
 * are refused, as Gateway API asks for invalid backendRefs.
 */
#define GW_BACKEND_REJECT	0

struct gw_backend_val {
	union gw_ip addr;
	__be16 port;
	__u8 family;
	__u8 flags;		/* GW_BF_* */
};
_Static_assert(sizeof(struct gw_backend_val) == 20, "gw_backend_val layout");

/* ---- gw_conntrack: LRU, one entry per direction of each flow -------- */

struct gw_ct_key {
	union gw_ip saddr;
	union gw_ip daddr;
	__be16 sport;
	__be16 dport;
	__u8 proto;
	__u8 family;
	__u16 pad;
};
_Static_assert(sizeof(struct gw_ct_key) == 40, "gw_ct_key layout");

enum gw_ct_dir {
	GW_CT_FWD = 1,		/* client -> Gateway address: rewrite toward the backend */
	GW_CT_REV = 2,		/* backend -> client (or SNAT address): rewrite back */
};

#define GW_CT_F_RW_SRC		(1U << 0)	/* rewrite source to nat_saddr:nat_sport */
#define GW_CT_F_RW_DST		(1U << 1)	/* rewrite destination to nat_daddr:nat_dport */
#define GW_CT_F_CLOSING		(1U << 2)	/* TCP FIN or RST seen */

struct gw_ct_val {
	union gw_ip nat_saddr;
	union gw_ip nat_daddr;
	__be16 nat_sport;
	__be16 nat_dport;
	__u8 dir;		/* enum gw_ct_dir */
	__u8 flags;		/* GW_CT_F_* */
	__u16 pad;
	__u32 backend;		/* backend id */
	__u32 route;		/* route id */
	__u32 listener;		/* listener id */
	__u32 serial;		/* low bits of gw_cfg.serial when (re)validated */
	__u64 last_seen;	/* coarse ns, refreshed at most once a second */
	/*
	 * The FIB result for this direction, so established packets skip
	 * bpf_fib_lookup(): dropped whenever last_seen is refreshed (at
	 * most a second old) or the configuration changes, and used only
	 * for packets no longer than fib_len (the MTU was checked for that).
	 */
	__u32 fib_ifindex;	/* egress interface, 0 = nothing cached */
	__u16 fib_len;		/* largest IP length the route was looked up with */
	__u8 fib_dmac[6];
	__u8 fib_smac[6];
	__u8 pad2[6];
};
_Static_assert(sizeof(struct gw_ct_val) == 88, "gw_ct_val layout");

/* ---- gw_ifaces: interfaces this instance is attached to ------------- */

enum gw_xdp_mode {
	GW_XDP_MODE_NATIVE = 1,
	GW_XDP_MODE_GENERIC = 2,
	GW_XDP_MODE_TC = 3,	/* gw_tc_ingress on tcx ingress, not XDP */
};

struct gw_iface {
	__be32 snat4;		/* IPv4 source for SNAT toward this interface, or 0 */
	__be32 snat6[4];	/* IPv6 source for SNAT, or :: */
	__u32 mode;		/* enum gw_xdp_mode it was attached in */
	__u32 prog_id;		/* program attached there */
	char name[16];
};
_Static_assert(sizeof(struct gw_iface) == 44, "gw_iface layout");

/* ---- gw_names: ids of listeners, routes, backends, gateways --------- */

enum gw_name_kind {
	GW_NK_GATEWAY = 1,
	GW_NK_LISTENER = 2,
	GW_NK_ROUTE = 3,
	GW_NK_BACKEND = 4,
};

struct gw_name_key {
	__u32 kind;		/* enum gw_name_kind */
	__u32 id;
};
_Static_assert(sizeof(struct gw_name_key) == 8, "gw_name_key layout");

struct gw_name_val {
	__u64 hash;		/* of the full name: identity across reloads */
	char name[120];		/* "ns/gateway/listener", "TCPRoute ns/name", "10.0.0.1:80" */
};
_Static_assert(sizeof(struct gw_name_val) == 128, "gw_name_val layout");

/* ---- counters (per-CPU arrays) -------------------------------------- */

struct gw_counter {
	__u64 packets;
	__u64 bytes;
};
_Static_assert(sizeof(struct gw_counter) == 16, "gw_counter layout");

/** Per listener, route and backend: forwarded traffic, new flows, refusals. */
struct gw_traffic {
	__u64 packets;
	__u64 bytes;
	__u64 flows;		/* flows that got a backend (new or re-selected) */
	__u64 drops;		/* packets dropped or refused (ICMP) for it */
};
_Static_assert(sizeof(struct gw_traffic) == 32, "gw_traffic layout");

/* What happened to a packet that was not dropped: gw_stats index. */
#define GW_STATS(X)                                                                          \
	X(PASS, "pass", "not for a Gateway address: untouched")                             \
	X(PASS_L7, "pass_l7", "to an L7 listener: up to the stack (gwd)")                   \
	X(PASS_ICMP, "pass_icmp", "ICMP/ICMPv6 to a Gateway address")                        \
	X(PASS_FRAG, "pass_frag", "non-first IP fragment: left to reassembly")               \
	X(PASS_LOCAL, "pass_local", "reply to a connection the node opened itself")          \
	X(FWD, "fwd", "steered to a backend (redirect/tx)")                                  \
	X(FWD_KERNEL, "fwd_kernel", "steered, rewritten, forwarded by the kernel")           \
	X(REV, "rev", "reply reverse-NATed (redirect/tx)")                                   \
	X(REV_KERNEL, "rev_kernel", "reply reverse-NATed, forwarded by the kernel")          \
	X(ICMP_SENT, "icmp_sent", "ICMP error sent (reject, frag needed, TTL)")              \
	X(NEW_FLOW, "new_flow", "flows created (not a verdict)")                             \
	X(RESELECT, "reselect", "flows moved off a backend that left (not a verdict)")       \
	X(DROP, "drop", "dropped (by reason in gw_drops)")

enum gw_stat {
#define GW_X_ENUM(n, s, d) GW_STAT_##n,
	GW_STATS(GW_X_ENUM)
#undef GW_X_ENUM
	GW_STAT__MAX
};

/*
 * Why a packet was dropped: gw_drops index. Helpers return the negated
 * value (see GW_CONTINUE in bpf/lib/consts.h), so reasons start at 2.
 */
#define GW_DROPS(X)                                                                          \
	X(MALFORMED, 2, "malformed", "truncated or inconsistent headers to a Gateway address")  \
	X(NO_LISTENER, 3, "no_listener", "no listener for the port/protocol")                   \
	X(PROTO, 4, "proto", "IP protocol other than TCP/UDP/ICMP to a Gateway address")        \
	X(FRAG, 5, "frag", "IP fragment of a flow to an L4 route (not supported)")              \
	X(TCP_FLAGS, 6, "tcp_flags", "invalid TCP flag combination")                          \
	X(NO_BACKEND, 7, "no_backend", "route without usable backend (non-initial packet)")     \
	X(REJECT, 8, "reject", "new flow refused: ICMP unreachable sent")                       \
	X(FIB, 9, "fib", "no route to the backend or client (blackhole/unreachable)")          \
	X(NO_SNAT_ADDR, 10, "no_snat_addr", "SNAT mode: egress interface has no address")       \
	X(SNAT_PORTS, 11, "snat_ports", "SNAT mode: no free source port")                      \
	X(CT_FULL, 12, "ct_full", "conntrack insert failed")                                   \
	X(ADJUST, 13, "adjust", "packet resize failed")                                        \
	X(EXTHDR, 14, "exthdr", "too many IPv6 extension headers")                             \
	X(NO_CONFIG, 15, "no_config", "tables not loaded")                                     \
	X(TTL, 16, "ttl", "TTL/hop limit exceeded on a reply")                                 \
	X(ICMP_RATE, 17, "icmp_rate", "ICMP error suppressed by the rate limit")               \
	X(BACKEND_GONE, 18, "backend_gone", "selected backend left during a reload")

enum gw_drop {
#define GW_X_ENUM(n, v, s, d) GW_DROP_##n = v,
	GW_DROPS(GW_X_ENUM)
#undef GW_X_ENUM
	GW_DROP__MAX
};

#endif
