/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Constants BPF code needs that vmlinux.h cannot carry (UAPI #defines),
 * plus the helper return contract: >= 0 is an XDP verdict, GW_CONTINUE
 * means "keep going", < -1 is a negated enum gw_drop reason.
 */
#ifndef GW_BPF_CONSTS_H
#define GW_BPF_CONSTS_H

#define GW_CONTINUE		(-1)

#define ETH_ALEN		6
#define ETH_P_IP		0x0800
#define ETH_P_IPV6		0x86DD
#define ETH_P_8021Q		0x8100
#define ETH_P_8021AD		0x88A8
#define GW_MAX_VLANS		2

#define AF_INET			2
#define AF_INET6		10

/* a #define in linux/in6.h, unlike the IPPROTO_* enum vmlinux.h has */
#define IPPROTO_ICMPV6		58

#define IP_CE			0x8000
#define IP_DF			0x4000
#define IP_MF			0x2000
#define IP_OFFSET		0x1FFF

/* IPv6 next-header values of the extension headers we walk. */
#define NEXTHDR_HOP		0
#define NEXTHDR_ROUTING		43
#define NEXTHDR_FRAGMENT	44
#define NEXTHDR_AUTH		51
#define NEXTHDR_NONE		59
#define NEXTHDR_DEST		60
#define GW_MAX_EXTHDRS		6
/* furthest L4 header we handle: Ethernet, 2 VLANs, IPv6 and 448 bytes of extension headers */
#define GW_L4_OFF_MAX		512

#define IP6_MF			0x0001
#define IP6_OFFSET		0xFFF8

/* TCP flag bits in the 14th header byte */
#define TCP_FIN			0x01
#define TCP_SYN			0x02
#define TCP_RST			0x04
#define TCP_PSH			0x08
#define TCP_ACK			0x10
#define TCP_URG			0x20

#define ICMP_DEST_UNREACH	3
#define ICMP_PORT_UNREACH	3
#define ICMP_FRAG_NEEDED	4
#define ICMP_TIME_EXCEEDED	11
#define ICMP_EXC_TTL		0
#define ICMPV6_DEST_UNREACH	1
#define ICMPV6_PORT_UNREACH	4
#define ICMPV6_PKT_TOOBIG	2
#define ICMPV6_TIME_EXCEED	3
#define ICMPV6_EXC_HOPLIMIT	0

/* Bytes of the offending packet an ICMP error quotes (RFC 792: header + 8; RFC 4443: more). */
#define GW_ICMP4_QUOTE_MAX	(60 + 8)
#define GW_ICMP6_QUOTE_MAX	128
#define GW_ICMP_TTL		64

#define NSEC_PER_SEC		1000000000ULL

/* tc actions (linux/pkt_cls.h; macros, so vmlinux.h cannot carry them) */
#define TC_ACT_OK		0
#define TC_ACT_SHOT		2
#define TC_ACT_REDIRECT		7

/* skb->ip_summed (linux/skbuff.h) */
#define CHECKSUM_PARTIAL	3

/*
 * Helpers whose results depend on the machine (routing table, clock) are
 * called through these names, so a test object can #define a mock before
 * including the program and drive the real code path deterministically.
 */
#ifndef gw_fib_lookup
#define gw_fib_lookup bpf_fib_lookup
#endif
#ifndef gw_now
/* coarse clock (jiffy resolution) is enough for ages and rate limits, and cheaper */
#define gw_now bpf_ktime_get_coarse_ns
#endif

#endif
