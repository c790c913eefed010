/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * BPF-internal types: the parsed packet, the forwarding decision, and the
 * per-CPU scratch space that holds what does not fit the 512-byte stack.
 * Never seen by user space (that is gw_kern_user.h).
 */
#ifndef GW_BPF_TYPES_H
#define GW_BPF_TYPES_H

enum gw_frag {
	GW_FRAG_NONE = 0,
	GW_FRAG_FIRST = 1,	/* offset 0, more fragments follow: carries the L4 header */
	GW_FRAG_LATER = 2,	/* offset > 0: no L4 header */
};

enum gw_pkt_state {
	GW_PKT_OK = 0,
	GW_PKT_MALFORMED = 1,	/* addresses readable, the rest is not consistent */
	GW_PKT_EXTHDRS = 2,	/* more IPv6 extension headers than we walk */
};

#define GW_PKT_HAS_LISTENER	(1U << 0)
#define GW_PKT_HAS_ROUTE	(1U << 1)
#define GW_PKT_HAS_BACKEND	(1U << 2)
#define GW_PKT_NEW_FLOW		(1U << 3)	/* this packet created or moved a flow */

/** One packet as the program sees it; lives on the stack of the entry program. */
struct gw_pkt {
	struct gw_ct_key t;	/* addresses and ports as received */
	void *eth;		/* packet pointers, valid until the packet is resized */
	void *l3;
	void *l4;
	__u32 len;		/* frame length */
	__u32 l3_off;		/* from the start of the frame */
	__u32 l4_off;
	__u32 l3_len;		/* IP datagram length per its header (<= frame) */
	__u32 wire_len;		/* largest IP packet it becomes on a link (GSO: one segment) */
	__u8 nvlan;
	__u8 tcp_flags;
	__u8 frag;		/* enum gw_frag */
	__u8 state;		/* enum gw_pkt_state */
	__u8 ttl;		/* TTL / hop limit as received */
	__u8 df;		/* IPv4 DF set (IPv6 never fragments in flight) */
	__u8 l4_valid;		/* an L4 header was parsed */
	__u8 stat;		/* enum gw_stat of a non-drop verdict */
	/* what the counters attribute this packet to (GW_PKT_HAS_*) */
	__u32 has;
	__u32 listener;
	__u32 route;
	__u32 backend;
};

#define GW_FIB_NONE	(-1000)	/* fwd.frc before the lookup */

/*
 * What the pipeline decided to do with a packet that is not simply passed
 * or dropped: rewrite it to nt and forward it, or answer with an ICMP
 * error. Filled by the stages, acted on once at the end of gw_process()
 * so each large step (FIB lookup, ICMP builder) is inlined only once:
 * the 512-byte BPF stack does not fit several inlined copies.
 */
struct gw_fwd {
	struct gw_ct_key nt;		/* the packet's tuple after NAT */
	struct bpf_fib_lookup fib;
	int frc;			/* FIB result, GW_FIB_NONE until looked up */
	__u8 ready;			/* nt is set: forward */
	__u8 reply;			/* a reply being reverse-NATed */
	__u8 icmp;			/* send ICMP error icmp_type/icmp_code instead */
	__u8 icmp_type;
	__u8 icmp_code;
	__u8 reject;			/* the ICMP error refuses a new flow */
	__u8 pad[2];
	__u32 icmp_info;		/* MTU for frag needed / packet too big */
	__u8 from_ct;			/* nt comes from the conntrack entry found (FIB cache) */
	__u8 quiet;			/* never answer with an ICMP error (it is one) */
	__u8 icmp_from_iface;		/* the error's source: the ingress interface's address */
	__u8 pad2[5];
};

/* An ICMP error to build: scalars only, as a global function's argument. */
struct gw_icmp_req {
	union gw_ip from;	/* our (Gateway) address the offending packet was sent to */
	union gw_ip to;		/* its sender */
	__u32 l3_off;
	__u32 l3_len;
	__u32 info;		/* MTU for frag needed / packet too big */
	__u32 rate;		/* gw_cfg.icmp_rate */
	__u8 family;
	__u8 nvlan;
	__u8 type;
	__u8 code;
};

/*
 * Per-CPU scratch for one packet: everything inlined into one program
 * shares the 512-byte stack, and clang 14 does not overlap the locals of
 * inlined functions well, so the larger structures live here.
 */
struct gw_scratch {
	struct gw_fwd fw;
	struct gw_ct_val fv;	/* conntrack entries of a new flow */
	struct gw_ct_val rv;
	struct gw_ct_key rk;
	/*
	 * Unused, but it makes clang 14 put the whole struct in BTF: as the
	 * value of an inner map only, it gets a forward declaration, which
	 * libbpf cannot size (bpftool gen skeleton fails).
	 */
	struct gw_maglev_pair btf_anchor;
};

#endif
