/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Packet builder and checker for BPF_PROG_TEST_RUN fixtures: push headers
 * outermost first (pkt_push_eth, _vlan, _ipv4, _ipv6, _ext, _frag, _tcp,
 * _udp, _icmp, _payload), then pkt_finish() fills in every length and
 * checksum. pkt_parse() reads a frame back (after the program rewrote
 * it) and pkt_csum_ok() verifies its checksums in software.
 */
#ifndef GW_TEST_PKT_H
#define GW_TEST_PKT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define PKT_MAX 2048
#define PKT_MAX_HDRS 16

enum pkt_hdr {
	PH_ETH, PH_VLAN, PH_IPV4, PH_IPV6, PH_EXT, PH_FRAG, PH_TCP, PH_UDP, PH_ICMP, PH_ICMP6,
	PH_DATA,
};

struct pkt {
	uint8_t buf[PKT_MAX];
	size_t len;
	struct {
		enum pkt_hdr type;
		size_t off;
	} hdrs[PKT_MAX_HDRS];
	int nhdrs;
	bool keep_udp_zero_csum;	/* UDP over IPv4 sent without a checksum */
	bool keep_lengths;		/* pkt_finish leaves IP/UDP lengths as pushed (malformed tests) */
};

void pkt_init(struct pkt *p);
void pkt_push_eth(struct pkt *p, const char *dst_mac, const char *src_mac);
void pkt_push_vlan(struct pkt *p, uint16_t tpid, uint16_t vid);
/** IPv4 with optional options (opt_len multiple of 4), frag_off in host order (flags|offset). */
void pkt_push_ipv4(struct pkt *p, const char *src, const char *dst, uint8_t proto, uint8_t ttl,
		   uint16_t frag_off, const uint8_t *opts, size_t opt_len);
void pkt_push_ipv6(struct pkt *p, const char *src, const char *dst, uint8_t nexthdr,
		   uint8_t hop_limit);
/** An IPv6 extension header (hop-by-hop, routing, destination options) of 8 * (1 + hdrlen) bytes. */
void pkt_push_ext(struct pkt *p, uint8_t nexthdr, uint8_t hdrlen);
/** IPv6 fragment header; offset in 8-byte units. */
void pkt_push_frag(struct pkt *p, uint8_t nexthdr, uint16_t offset, bool more);
void pkt_push_tcp(struct pkt *p, uint16_t sport, uint16_t dport, uint8_t flags);
void pkt_push_udp(struct pkt *p, uint16_t sport, uint16_t dport);
void pkt_push_icmp(struct pkt *p, uint8_t type, uint8_t code);
void pkt_push_icmp6(struct pkt *p, uint8_t type, uint8_t code);
void pkt_push_payload(struct pkt *p, const void *data, size_t len);
/** Pads with n bytes of a pattern. */
void pkt_push_fill(struct pkt *p, size_t n);
/** Lengths, ethertypes/next headers and checksums, inner to outer. */
void pkt_finish(struct pkt *p);

/** What a frame says, as pkt_parse() reads it. */
struct pkt_info {
	uint8_t dmac[6], smac[6];
	int nvlan;
	int family;			/* 4 or 6, 0 = not IP */
	char saddr[64], daddr[64];
	uint8_t proto;			/* L4 protocol after extension headers */
	uint8_t ttl;
	uint16_t sport, dport;		/* host order */
	uint8_t tcp_flags;
	uint8_t icmp_type, icmp_code;
	uint32_t icmp_info;		/* rest of header (MTU for frag needed / too big) */
	size_t l3_off, l4_off;
	uint16_t udp_csum;
};

/** Parses frame; returns false if it is not a complete IPv4/IPv6 packet. */
bool pkt_parse(const uint8_t *frame, size_t len, struct pkt_info *info);
/**
 * Verifies the IPv4 header checksum and the TCP/UDP/ICMP/ICMPv6
 * checksum of frame in software; prints what is wrong.
 */
bool pkt_csum_ok(const uint8_t *frame, size_t len);
/**
 * The packet an ICMP error in frame quotes: addresses, protocol, ports.
 * False if there is none, or its IPv4 header checksum is wrong, or a whole
 * quoted UDP datagram has a wrong checksum.
 */
bool pkt_quoted(const uint8_t *frame, size_t len, struct pkt_info *quoted);

#endif
