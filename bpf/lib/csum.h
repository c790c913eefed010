/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Internet checksum arithmetic (RFC 1071/1624) on raw network-order
 * words: incremental updates for NAT and TTL changes, and a bounded
 * word-by-word sum for the few headers the program builds itself.
 * Done inline rather than with bpf_csum_diff(): a helper call per field
 * costs more than the dozen instructions of the arithmetic.
 */
#ifndef GW_BPF_CSUM_H
#define GW_BPF_CSUM_H

static __always_inline __u32 csum_add(__u32 csum, __u32 addend)
{
	csum += addend;
	return csum + (csum < addend);
}

static __always_inline __u16 csum_fold(__u32 csum)
{
	csum = (csum & 0xffff) + (csum >> 16);
	csum = (csum & 0xffff) + (csum >> 16);
	return (__u16)~csum;
}

/* *sum covers a 32-bit word that changes from 'from' to 'to' (Linux csum_replace4). */
static __always_inline void csum_replace4(__u16 *sum, __u32 from, __u32 to)
{
	__u32 tmp = csum_add(~(__u32)*sum, ~from);

	*sum = csum_fold(csum_add(tmp, to));
}

static __always_inline void csum_replace2(__u16 *sum, __u16 from, __u16 to)
{
	csum_replace4(sum, from, to);
}

static __always_inline void csum_replace16(__u16 *sum, const __be32 *from, const __be32 *to)
{
#pragma unroll
	for (int i = 0; i < 4; i++)
		csum_replace4(sum, from[i], to[i]);
}

/*
 * Sum of nwords 32-bit words from start (bounded by GW_CSUM_MAX_WORDS),
 * re-checked against data_end on each step for the verifier. Returns the
 * unfolded sum; a word past data_end ends the sum early (callers only ask
 * for bytes they already bounds-checked as a whole).
 */
#define GW_CSUM_MAX_WORDS	40

static __always_inline __u32 csum_words(void *start, __u32 nwords, void *data_end, __u32 sum)
{
	__u32 *w = start;

	for (int i = 0; i < GW_CSUM_MAX_WORDS; i++) {
		if (i >= nwords)
			break;
		/*
		 * clang 14 rotates this loop so the bounds check and the load
		 * use different registers, which the verifier cannot relate
		 * ("invalid access to packet"); the barrier pins the pointer.
		 */
		barrier_var(w);
		if ((void *)(w + 1) > data_end)
			break;
		sum = csum_add(sum, *w);
		w++;
	}
	return sum;
}

/* IPv4 header checksum of a fresh 20-byte header (no options). */
static __always_inline __u16 csum_ipv4_hdr(struct iphdr *iph)
{
	__u32 *w = (__u32 *)iph, sum = 0;

	iph->check = 0;
#pragma unroll
	for (int i = 0; i < 5; i++)
		sum = csum_add(sum, w[i]);
	return csum_fold(sum);
}

/* TTL drop by one, header checksum adjusted as Linux ip_decrease_ttl() does. */
static __always_inline void ipv4_decrease_ttl(struct iphdr *iph)
{
	__u32 check = iph->check;

	check += bpf_htons(0x0100);
	iph->check = (__u16)(check + (check >= 0xFFFF));
	iph->ttl--;
}

#endif
