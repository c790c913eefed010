/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Every map of the XDP tier, BTF-typed, pinned by name under the pin
 * directory (default /sys/fs/bpf/xdpgw). Keys and values are in
 * gw_kern_user.h. "Writes" says who changes a map; the program reads all.
 * Included by entry programs only.
 */
#ifndef GW_BPF_MAPS_H
#define GW_BPF_MAPS_H

/* Live generation slot, serial, NAT knobs. Writes: loader (one update = generation switch). */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct gw_cfg);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} gw_config SEC(".maps");

/* {gen, address} of every Gateway address: filtering applies. Writes: loader. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, GW_GENS * GW_MAX_ADDRS);
	__type(key, struct gw_addr_key);
	__type(value, struct gw_addr_val);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} gw_addrs SEC(".maps");

/* {gen, address, port, protocol} -> pass / steer to route / reject. Writes: loader. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, GW_GENS * GW_MAX_LENTRIES);
	__type(key, struct gw_listener_key);
	__type(value, struct gw_listener_val);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} gw_listeners SEC(".maps");

/* gen * GW_MAX_ROUTES + route id -> Maglev table size, backend count. Writes: loader. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, GW_GENS * GW_MAX_ROUTES);
	__type(key, __u32);
	__type(value, struct gw_route_val);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} gw_routes SEC(".maps");

/*
 * Inner Maglev table: two slots -> backend ids per element. BPF_F_INNER_MAP
 * lets each route's table have its own (prime) size; the loader creates them.
 */
struct gw_maglev_inner {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, (GW_MAGLEV_MIN + 1) / 2);
	__uint(map_flags, BPF_F_INNER_MAP);
	__type(key, __u32);
	__type(value, struct gw_maglev_pair);
};

/* gen * GW_MAX_ROUTES + route id -> that route's Maglev table. Writes: loader. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY_OF_MAPS);
	__uint(max_entries, GW_GENS * GW_MAX_ROUTES);
	__type(key, __u32);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
	__array(values, struct gw_maglev_inner);	/* must be last: a flexible array */
} gw_maglev SEC(".maps");

/* backend id -> endpoint address/port, live flag. Writes: loader. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, GW_MAX_BACKENDS);
	__type(key, __u32);
	__type(value, struct gw_backend_val);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} gw_backends SEC(".maps");

/* Flows, both directions. Writes: program (entries), loader (flush on unload only). */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, GW_CT_ENTRIES);
	__type(key, struct gw_ct_key);
	__type(value, struct gw_ct_val);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} gw_conntrack SEC(".maps");

/* ifindex -> attach mode and SNAT source addresses. Writes: loader. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, GW_MAX_IFACES);
	__type(key, __u32);
	__type(value, struct gw_iface);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} gw_ifaces SEC(".maps");

/* {kind, id} -> name of a gateway/listener/route/backend. Writes: loader; program never reads. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, GW_MAX_NAMES);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, struct gw_name_key);
	__type(value, struct gw_name_val);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} gw_names SEC(".maps");

/* enum gw_stat -> packets/bytes per verdict. Writes: program. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, GW_STAT__MAX);
	__type(key, __u32);
	__type(value, struct gw_counter);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} gw_stats SEC(".maps");

/* enum gw_drop -> packets/bytes dropped per reason. Writes: program. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, GW_DROP__MAX);
	__type(key, __u32);
	__type(value, struct gw_counter);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} gw_drops SEC(".maps");

/* listener id -> traffic. Writes: program; loader zeroes an id before reusing it. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, GW_MAX_LISTENERS);
	__type(key, __u32);
	__type(value, struct gw_traffic);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} gw_lstats SEC(".maps");

/* route id -> traffic. Writes: program; loader zeroes an id before reusing it. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, GW_MAX_ROUTES);
	__type(key, __u32);
	__type(value, struct gw_traffic);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} gw_rstats SEC(".maps");

/* backend id -> traffic. Writes: program; loader zeroes an id before reusing it. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, GW_MAX_BACKENDS);
	__type(key, __u32);
	__type(value, struct gw_traffic);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} gw_bstats SEC(".maps");

/* Room for per-packet structures the stack cannot hold. Program only; not pinned. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct gw_scratch);
} gw_scratch SEC(".maps");

/* ICMP error rate limit state, per CPU: {second, count}. Writes: program. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64[2]);
} gw_icmp_rl SEC(".maps");

#endif
