// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The packet builder (see pkt.h). Checksums are computed from scratch over
 * the bytes, never incrementally, so they are an independent check of the
 * program's incremental updates.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#include "pkt.h"

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = v >> 8;
	p[1] = v & 0xff;
}

static uint16_t get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static uint8_t *push(struct pkt *p, enum pkt_hdr type, size_t n)
{
	uint8_t *h = p->buf + p->len;

	if (p->len + n > PKT_MAX || p->nhdrs >= PKT_MAX_HDRS) {
		fprintf(stderr, "pkt: frame too large\n");
		return p->buf;	/* tests then fail on the content */
	}
	memset(h, 0, n);
	p->hdrs[p->nhdrs].type = type;
	p->hdrs[p->nhdrs++].off = p->len;
	p->len += n;
	return h;
}

static void mac(const char *s, uint8_t *out)
{
	unsigned int b[6] = { 0 };

	sscanf(s, "%x:%x:%x:%x:%x:%x", &b[0], &b[1], &b[2], &b[3], &b[4], &b[5]);
	for (int i = 0; i < 6; i++)
		out[i] = (uint8_t)b[i];
}

void pkt_init(struct pkt *p)
{
	memset(p, 0, sizeof(*p));
}

void pkt_push_eth(struct pkt *p, const char *dst_mac, const char *src_mac)
{
	uint8_t *h = push(p, PH_ETH, 14);

	mac(dst_mac, h);
	mac(src_mac, h + 6);
	put16(h + 12, 0x0806);	/* replaced by pkt_finish when an IP header follows */
}

void pkt_push_vlan(struct pkt *p, uint16_t tpid, uint16_t vid)
{
	uint8_t *h;

	/* the TPID goes in the previous ethertype field */
	put16(p->buf + p->len - 2, tpid);
	h = push(p, PH_VLAN, 4);
	put16(h, vid & 0x0fff);
	put16(h + 2, 0x0806);
}

void pkt_push_ipv4(struct pkt *p, const char *src, const char *dst, uint8_t proto, uint8_t ttl,
		   uint16_t frag_off, const uint8_t *opts, size_t opt_len)
{
	uint8_t *h = push(p, PH_IPV4, 20 + opt_len);

	h[0] = (uint8_t)(0x40 | ((20 + opt_len) / 4));
	put16(h + 4, 0x1234);
	put16(h + 6, frag_off);
	h[8] = ttl;
	h[9] = proto;
	inet_pton(AF_INET, src, h + 12);
	inet_pton(AF_INET, dst, h + 16);
	if (opt_len)
		memcpy(h + 20, opts, opt_len);
}

void pkt_push_ipv6(struct pkt *p, const char *src, const char *dst, uint8_t nexthdr,
		   uint8_t hop_limit)
{
	uint8_t *h = push(p, PH_IPV6, 40);

	h[0] = 0x60;
	h[6] = nexthdr;
	h[7] = hop_limit;
	inet_pton(AF_INET6, src, h + 8);
	inet_pton(AF_INET6, dst, h + 24);
}

void pkt_push_ext(struct pkt *p, uint8_t nexthdr, uint8_t hdrlen)
{
	size_t n = 8 * ((size_t)hdrlen + 1);
	uint8_t *h = push(p, PH_EXT, n);

	h[0] = nexthdr;
	h[1] = hdrlen;
	/* one PadN option filling the rest */
	h[2] = 1;
	h[3] = (uint8_t)(n - 4);
}

void pkt_push_frag(struct pkt *p, uint8_t nexthdr, uint16_t offset, bool more)
{
	uint8_t *h = push(p, PH_FRAG, 8);

	h[0] = nexthdr;
	put16(h + 2, (uint16_t)(offset << 3 | (more ? 1 : 0)));
	h[7] = 0x42;
}

void pkt_push_tcp(struct pkt *p, uint16_t sport, uint16_t dport, uint8_t flags)
{
	uint8_t *h = push(p, PH_TCP, 20);

	put16(h, sport);
	put16(h + 2, dport);
	h[7] = 1;	/* seq 1 */
	h[12] = 5 << 4;
	h[13] = flags;
	put16(h + 14, 65535);
}

void pkt_push_udp(struct pkt *p, uint16_t sport, uint16_t dport)
{
	uint8_t *h = push(p, PH_UDP, 8);

	put16(h, sport);
	put16(h + 2, dport);
}

void pkt_push_icmp(struct pkt *p, uint8_t type, uint8_t code)
{
	uint8_t *h = push(p, PH_ICMP, 8);

	h[0] = type;
	h[1] = code;
	put16(h + 4, 0x77);
	put16(h + 6, 1);
}

void pkt_push_icmp6(struct pkt *p, uint8_t type, uint8_t code)
{
	uint8_t *h = push(p, PH_ICMP6, 8);

	h[0] = type;
	h[1] = code;
}

void pkt_push_payload(struct pkt *p, const void *data, size_t len)
{
	memcpy(push(p, PH_DATA, len), data, len);
}

void pkt_push_fill(struct pkt *p, size_t n)
{
	uint8_t *h = push(p, PH_DATA, n);

	for (size_t i = 0; i < n; i++)
		h[i] = (uint8_t)(i * 7 + 3);
}

static uint32_t sum16(const uint8_t *b, size_t n, uint32_t s)
{
	for (size_t i = 0; i + 1 < n; i += 2)
		s += get16(b + i);
	if (n & 1)
		s += (uint32_t)b[n - 1] << 8;
	return s;
}

static uint16_t fold(uint32_t s)
{
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return (uint16_t)~s;
}

/* L4 checksum with the pseudo-header of the IP header at l3 (family 4/6). */
static uint16_t l4_sum(const uint8_t *l3, int family, uint8_t proto, const uint8_t *l4,
		       size_t l4len)
{
	uint32_t s = 0;

	if (family == 4) {
		s = sum16(l3 + 12, 8, 0);
		s += proto;
		s += (uint32_t)l4len;
	} else if (proto != 1) {
		s = sum16(l3 + 8, 32, 0);
		s += (uint32_t)(l4len >> 16) + (uint32_t)(l4len & 0xffff);
		s += proto;
	}
	return fold(sum16(l4, l4len, s));
}

void pkt_finish(struct pkt *p)
{
	int l3 = -1;

	/* ethertypes */
	for (int i = 0; i + 1 < p->nhdrs; i++) {
		enum pkt_hdr t = p->hdrs[i].type, next = p->hdrs[i + 1].type;
		uint8_t *h = p->buf + p->hdrs[i].off;
		uint8_t *et = t == PH_ETH ? h + 12 : t == PH_VLAN ? h + 2 : NULL;

		if (et && next == PH_IPV4)
			put16(et, 0x0800);
		else if (et && next == PH_IPV6)
			put16(et, 0x86dd);
	}
	/* lengths, outer to inner */
	for (int i = 0; i < p->nhdrs; i++) {
		uint8_t *h = p->buf + p->hdrs[i].off;
		size_t rest = p->len - p->hdrs[i].off;

		if (p->keep_lengths)
			break;
		if (p->hdrs[i].type == PH_IPV4)
			put16(h + 2, (uint16_t)rest);
		else if (p->hdrs[i].type == PH_IPV6)
			put16(h + 4, (uint16_t)(rest - 40));
		else if (p->hdrs[i].type == PH_UDP)
			put16(h + 4, (uint16_t)rest);
	}
	/*
	 * Checksums, inner to outer (an ICMP error quoting a packet covers the
	 * quote's final bytes); each L4 header's pseudo-header is the nearest
	 * IP header before it.
	 */
	for (int i = p->nhdrs - 1; i >= 0; i--) {
		uint8_t *h = p->buf + p->hdrs[i].off;
		size_t rest = p->len - p->hdrs[i].off;
		int fam;

		l3 = -1;
		for (int j = i - (p->hdrs[i].type == PH_IPV4 ? 0 : 1); j >= 0; j--) {
			if (p->hdrs[j].type == PH_IPV4 || p->hdrs[j].type == PH_IPV6) {
				l3 = j;
				break;
			}
		}
		if (l3 < 0)
			continue;
		fam = p->hdrs[l3].type == PH_IPV4 ? 4 : 6;
		switch (p->hdrs[i].type) {
		case PH_TCP:
			put16(h + 16, 0);
			put16(h + 16, l4_sum(p->buf + p->hdrs[l3].off, fam, 6, h, rest));
			break;
		case PH_UDP: {
			uint16_t c;

			put16(h + 6, 0);
			if (fam == 4 && p->keep_udp_zero_csum)
				break;
			c = l4_sum(p->buf + p->hdrs[l3].off, fam, 17, h, rest);
			put16(h + 6, c ? c : 0xffff);
			break;
		}
		case PH_ICMP:
			put16(h + 2, 0);
			put16(h + 2, fold(sum16(h, rest, 0)));
			break;
		case PH_ICMP6:
			put16(h + 2, 0);
			put16(h + 2, l4_sum(p->buf + p->hdrs[l3].off, 6, 58, h, rest));
			break;
		case PH_IPV4:
			put16(h + 10, 0);
			put16(h + 10, fold(sum16(h, (size_t)(h[0] & 0xf) * 4, 0)));
			break;
		default:
			break;
		}
	}
}

bool pkt_parse(const uint8_t *f, size_t len, struct pkt_info *in)
{
	size_t off = 14, ipend;
	uint16_t et;
	uint8_t nh;

	memset(in, 0, sizeof(*in));
	if (len < 14)
		return false;
	memcpy(in->dmac, f, 6);
	memcpy(in->smac, f + 6, 6);
	et = get16(f + 12);
	while ((et == 0x8100 || et == 0x88a8) && off + 4 <= len) {
		et = get16(f + off + 2);
		off += 4;
		in->nvlan++;
	}
	in->l3_off = off;
	if (et == 0x0800) {
		if (off + 20 > len)
			return false;
		in->family = 4;
		inet_ntop(AF_INET, f + off + 12, in->saddr, sizeof(in->saddr));
		inet_ntop(AF_INET, f + off + 16, in->daddr, sizeof(in->daddr));
		in->ttl = f[off + 8];
		nh = f[off + 9];
		ipend = off + get16(f + off + 2);
		if (get16(f + off + 6) & 0x1fff)
			return true;	/* a later fragment: no L4 header */
		off += (size_t)(f[off] & 0xf) * 4;
	} else if (et == 0x86dd) {
		if (off + 40 > len)
			return false;
		in->family = 6;
		inet_ntop(AF_INET6, f + off + 8, in->saddr, sizeof(in->saddr));
		inet_ntop(AF_INET6, f + off + 24, in->daddr, sizeof(in->daddr));
		in->ttl = f[off + 7];
		nh = f[off + 6];
		ipend = off + 40 + get16(f + off + 4);
		off += 40;
		while ((nh == 0 || nh == 43 || nh == 60 || nh == 44) && off + 8 <= len) {
			uint8_t next = f[off];

			if (nh == 44) {
				if (get16(f + off + 2) & 0xfff8)
					return true;
				off += 8;
			} else {
				off += 8 * ((size_t)f[off + 1] + 1);
			}
			nh = next;
		}
	} else {
		return false;
	}
	if (ipend > len)
		return false;
	in->proto = nh;
	in->l4_off = off;
	if ((nh == 6 && off + 20 <= len) || (nh == 17 && off + 8 <= len)) {
		in->sport = get16(f + off);
		in->dport = get16(f + off + 2);
		if (nh == 6)
			in->tcp_flags = f[off + 13];
		else
			in->udp_csum = get16(f + off + 6);
	} else if ((nh == 1 || nh == 58) && off + 8 <= len) {
		in->icmp_type = f[off];
		in->icmp_code = f[off + 1];
		in->icmp_info = (uint32_t)get16(f + off + 4) << 16 | get16(f + off + 6);
	}
	return true;
}

bool pkt_csum_ok(const uint8_t *f, size_t len)
{
	struct pkt_info in;
	const uint8_t *l3, *l4;
	size_t ipend, l4len;

	if (!pkt_parse(f, len, &in)) {
		printf("# pkt_csum_ok: frame does not parse\n");
		return false;
	}
	l3 = f + in.l3_off;
	if (in.family == 4) {
		if (fold(sum16(l3, (size_t)(l3[0] & 0xf) * 4, 0))) {
			printf("# IPv4 header checksum wrong\n");
			return false;
		}
		ipend = in.l3_off + get16(l3 + 2);
	} else {
		ipend = in.l3_off + 40 + get16(l3 + 4);
	}
	if (!in.l4_off)
		return true;
	l4 = f + in.l4_off;
	l4len = ipend - in.l4_off;
	if (in.proto == 17 && in.family == 4 && !in.udp_csum)
		return true;	/* UDP without checksum */
	if (in.proto == 6 || in.proto == 17 || in.proto == 58) {
		if (l4_sum(l3, in.family, in.proto, l4, l4len) != 0) {
			printf("# %s checksum wrong (proto %u)\n", in.family == 4 ? "IPv4" : "IPv6",
			       in.proto);
			return false;
		}
	} else if (in.proto == 1 && fold(sum16(l4, l4len, 0))) {
		printf("# ICMP checksum wrong\n");
		return false;
	}
	return true;
}

bool pkt_quoted(const uint8_t *f, size_t len, struct pkt_info *q)
{
	struct pkt_info out;
	const uint8_t *in;
	size_t off, n;

	memset(q, 0, sizeof(*q));
	if (!pkt_parse(f, len, &out) || (out.proto != 1 && out.proto != 58) || !out.l4_off)
		return false;
	off = out.l4_off + 8;
	if (off + 20 > len)
		return false;
	in = f + off;
	n = len - off;
	if (out.family == 4) {
		size_t ihl = (size_t)(in[0] & 0xf) * 4;

		if ((in[0] >> 4) != 4 || ihl < 20 || ihl + 8 > n)
			return false;
		if (fold(sum16(in, ihl, 0))) {
			printf("# quoted IPv4 header checksum wrong\n");
			return false;
		}
		q->family = 4;
		inet_ntop(AF_INET, in + 12, q->saddr, sizeof(q->saddr));
		inet_ntop(AF_INET, in + 16, q->daddr, sizeof(q->daddr));
		q->proto = in[9];
		in += ihl;
		n -= ihl;
	} else {
		if (n < 48 || (in[0] >> 4) != 6)
			return false;
		q->family = 6;
		inet_ntop(AF_INET6, in + 8, q->saddr, sizeof(q->saddr));
		inet_ntop(AF_INET6, in + 24, q->daddr, sizeof(q->daddr));
		q->proto = in[6];
		in += 40;
		n -= 40;
	}
	q->sport = get16(in);
	q->dport = get16(in + 2);
	/* a whole quoted UDP datagram: its checksum must hold too */
	if (q->proto == 17 && get16(in + 6) && get16(in + 4) == n) {
		const uint8_t *l3 = f + off;

		if (l4_sum(l3, q->family, 17, in, n)) {
			printf("# quoted UDP checksum wrong\n");
			return false;
		}
	}
	return true;
}
