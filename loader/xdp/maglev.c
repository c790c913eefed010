// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Weighted Maglev (Eisenbud et al., NSDI '16, section 3.4) with weights
 * as in Katran's MaglevV2: each round, every endpoint adds its weight to a
 * credit and takes its next preferred free slot when the credit reaches
 * the largest weight. Endpoints get slots in proportion to their weights,
 * and removing one moves little more than its own share of the slots.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "xdp.h"

#define FNV64_OFFSET 0xcbf29ce484222325ULL
#define FNV64_PRIME 0x100000001b3ULL

uint64_t gw_hash64(const void *buf, size_t len, uint64_t seed)
{
	const unsigned char *p = buf;
	uint64_t h = FNV64_OFFSET ^ seed;

	for (size_t i = 0; i < len; i++) {
		h ^= p[i];
		h *= FNV64_PRIME;
	}
	/* FNV alone mixes its last bytes poorly; the murmur3 finaliser fixes that */
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdULL;
	h ^= h >> 33;
	h *= 0xc4ceb9fe1a85ec53ULL;
	h ^= h >> 33;
	return h;
}

static bool is_prime(uint32_t n)
{
	if (n < 2)
		return false;
	for (uint32_t d = 2; (uint64_t)d * d <= n; d++)
		if (n % d == 0)
			return false;
	return true;
}

uint32_t gw_maglev_size(size_t n)
{
	uint64_t want = (uint64_t)n * GW_MAGLEV_PER_BACKEND;
	uint32_t m;

	if (want < GW_MAGLEV_MIN)
		want = GW_MAGLEV_MIN;
	if (want >= GW_MAGLEV_MAX)
		return GW_MAGLEV_MAX;
	for (m = (uint32_t)want; !is_prime(m); m++)
		;
	return m;
}

/* Seeds of the two permutation hashes (Maglev's h1/h2); fixed so tables are reproducible. */
#define SEED_OFFSET 0x6d61676c65763031ULL
#define SEED_SKIP 0x6d61676c65763032ULL

int gw_maglev_fill(const struct gw_maglev_ep *eps, size_t n, uint32_t m, uint32_t *table)
{
	uint64_t *offset = NULL, *skip = NULL, *next = NULL, *credit = NULL, wmax = 0;
	size_t live = 0, *order = NULL;
	uint32_t filled = 0;
	int err = -ENOMEM;

	for (size_t i = 0; i < n; i++) {
		if (eps[i].weight)
			live++;
		if (eps[i].weight > wmax)
			wmax = eps[i].weight;
	}
	if (!live || m < 2 || m <= live || !is_prime(m))
		return -EINVAL;
	offset = calloc(n, sizeof(*offset));
	skip = calloc(n, sizeof(*skip));
	next = calloc(n, sizeof(*next));
	credit = calloc(n, sizeof(*credit));
	if (!offset || !skip || !next || !credit)
		goto out;
	for (size_t i = 0; i < n; i++) {
		size_t len = strlen(eps[i].key);

		offset[i] = gw_hash64(eps[i].key, len, SEED_OFFSET) % m;
		skip[i] = gw_hash64(eps[i].key, len, SEED_SKIP) % (m - 1) + 1;
	}
	for (uint32_t s = 0; s < m; s++)
		table[s] = UINT32_MAX;
	/*
	 * Ties within a round go to endpoints in key order, not input order,
	 * so the table depends on the set of endpoints only.
	 */
	order = calloc(n, sizeof(*order));
	if (!order)
		goto out;
	for (size_t i = 0; i < n; i++)
		order[i] = i;
	for (size_t i = 1; i < n; i++)
		for (size_t j = i; j > 0 && strcmp(eps[order[j - 1]].key, eps[order[j]].key) > 0;
		     j--) {
			size_t t = order[j];

			order[j] = order[j - 1];
			order[j - 1] = t;
		}
	while (filled < m) {
		for (size_t k = 0; k < n && filled < m; k++) {
			size_t i = order[k];
			uint32_t c;

			if (!eps[i].weight)
				continue;
			credit[i] += eps[i].weight;
			if (credit[i] < wmax)
				continue;
			credit[i] -= wmax;
			do {
				c = (uint32_t)((offset[i] + next[i] * skip[i]) % m);
				next[i]++;
			} while (table[c] != UINT32_MAX);
			table[c] = (uint32_t)i;
			filled++;
		}
	}
	err = 0;
out:
	free(order);
	free(offset);
	free(skip);
	free(next);
	free(credit);
	return err;
}
