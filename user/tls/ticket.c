// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Session-ticket keys with rotation. Tickets are AES-256-CBC + HMAC-SHA256
 * (RFC 5077's recommended construction, what OpenSSL's own keys use), keyed
 * by a ring of two keys: the current one encrypts, the previous one still
 * decrypts for one more period and asks OpenSSL to issue a fresh ticket.
 *
 * Every worker reads the keys on every full handshake and resumption while
 * a timer rotates them rarely, so readers take no lock: the keys sit behind
 * a sequence counter (seqlock) and are copied out word by word with relaxed
 * atomics, which keeps the scheme free of data races in the C11 sense.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include "tls_internal.h"

struct tkey {
	uint8_t name[16];
	uint8_t aes[32];
	uint8_t hmac[32];
};

#define KEY_WORDS (sizeof(struct tkey) / sizeof(uint64_t))
_Static_assert(sizeof(struct tkey) % sizeof(uint64_t) == 0, "tkey must be whole words");

struct gw_tls_tickets {
	atomic_int refs;
	unsigned period;
	EVP_CIPHER *aes;		/* fetched once: implicit fetches cost a lookup each */
	pthread_mutex_t wlock;		/* serialises writers */
	atomic_uint seq;		/* odd while a writer is in the middle */
	_Atomic uint64_t cur[KEY_WORDS];
	_Atomic uint64_t prev[KEY_WORDS];
	_Atomic uint64_t have_prev;
};

static void store_key(_Atomic uint64_t *dst, const struct tkey *k)
{
	uint64_t w[KEY_WORDS];

	memcpy(w, k, sizeof(w));
	for (size_t i = 0; i < KEY_WORDS; i++)
		atomic_store_explicit(&dst[i], w[i], memory_order_relaxed);
	OPENSSL_cleanse(w, sizeof(w));
}

static void load_key(_Atomic uint64_t *src, struct tkey *k)
{
	uint64_t w[KEY_WORDS];

	for (size_t i = 0; i < KEY_WORDS; i++)
		w[i] = atomic_load_explicit(&src[i], memory_order_relaxed);
	memcpy(k, w, sizeof(w));
	OPENSSL_cleanse(w, sizeof(w));
}

/*
 * A consistent copy of the ring (Boehm, "Can seqlocks get along with
 * programming language memory models?", MSPC 2012).
 */
static bool snapshot(struct gw_tls_tickets *t, struct tkey *cur, struct tkey *prev)
{
	unsigned s1, s2;
	bool have_prev;

	do {
		s1 = atomic_load_explicit(&t->seq, memory_order_acquire);
		load_key(t->cur, cur);
		load_key(t->prev, prev);
		have_prev = atomic_load_explicit(&t->have_prev, memory_order_relaxed);
		atomic_thread_fence(memory_order_acquire);
		s2 = atomic_load_explicit(&t->seq, memory_order_relaxed);
	} while (s1 != s2 || (s1 & 1));
	return have_prev;
}

static int new_key(struct tkey *k)
{
	ERR_clear_error();
	if (RAND_bytes((unsigned char *)k, sizeof(*k)) != 1) {
		ERR_clear_error();
		return -EIO;
	}
	return 0;
}

struct gw_tls_tickets *gw_tls_tickets_new(unsigned period_s)
{
	struct gw_tls_tickets *t;
	struct tkey k;

	if (!period_s) {
		errno = EINVAL;
		return NULL;
	}
	t = calloc(1, sizeof(*t));
	if (!t)
		return NULL;
	atomic_init(&t->refs, 1);
	t->period = period_s;
	if (pthread_mutex_init(&t->wlock, NULL)) {
		free(t);
		errno = ENOMEM;
		return NULL;
	}
	ERR_clear_error();
	t->aes = EVP_CIPHER_fetch(NULL, "AES-256-CBC", NULL);
	if (!t->aes || new_key(&k)) {
		ERR_clear_error();
		gw_tls_tickets_put(t);
		errno = EIO;
		return NULL;
	}
	store_key(t->cur, &k);
	OPENSSL_cleanse(&k, sizeof(k));
	return t;
}

int gw_tls_tickets_rotate(struct gw_tls_tickets *t)
{
	struct tkey k, cur, prev;
	unsigned s;
	int err;

	err = new_key(&k);
	if (err)
		return err;
	pthread_mutex_lock(&t->wlock);
	snapshot(t, &cur, &prev);
	s = atomic_load_explicit(&t->seq, memory_order_relaxed);
	atomic_store_explicit(&t->seq, s + 1, memory_order_relaxed);
	atomic_thread_fence(memory_order_release);
	store_key(t->prev, &cur);
	store_key(t->cur, &k);
	atomic_store_explicit(&t->have_prev, 1, memory_order_relaxed);
	atomic_store_explicit(&t->seq, s + 2, memory_order_release);
	pthread_mutex_unlock(&t->wlock);
	OPENSSL_cleanse(&k, sizeof(k));
	OPENSSL_cleanse(&cur, sizeof(cur));
	OPENSSL_cleanse(&prev, sizeof(prev));
	return 0;
}

struct gw_tls_tickets *gw_tls_tickets_ref(struct gw_tls_tickets *t)
{
	atomic_fetch_add_explicit(&t->refs, 1, memory_order_relaxed);
	return t;
}

void gw_tls_tickets_put(struct gw_tls_tickets *t)
{
	if (!t || atomic_fetch_sub_explicit(&t->refs, 1, memory_order_acq_rel) != 1)
		return;
	EVP_CIPHER_free(t->aes);
	pthread_mutex_destroy(&t->wlock);
	OPENSSL_cleanse(t, sizeof(*t));
	free(t);
}

unsigned gw_tls_tickets_period(const struct gw_tls_tickets *t)
{
	return t->period;
}

static int set_mac(EVP_MAC_CTX *hctx, const struct tkey *k)
{
	OSSL_PARAM params[] = {
		OSSL_PARAM_construct_octet_string(OSSL_MAC_PARAM_KEY, (void *)k->hmac,
						  sizeof(k->hmac)),
		OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, (char *)"SHA256", 0),
		OSSL_PARAM_construct_end(),
	};

	return EVP_MAC_CTX_set_params(hctx, params) == 1 ? 0 : -1;
}

/*
 * OpenSSL's contract: enc=1 fills name and iv and initialises both
 * contexts, returning 1 (or < 0 on error); enc=0 returns 0 for an unknown
 * key (full handshake), 1 to accept, 2 to accept and renew the ticket.
 */
int gw_tls_tickets_cb(struct gw_tls_tickets *t, unsigned char *name, unsigned char *iv,
		      EVP_CIPHER_CTX *cctx, EVP_MAC_CTX *hctx, int enc)
{
	struct tkey cur, prev;
	const struct tkey *k;
	bool have_prev = snapshot(t, &cur, &prev);
	int ret;

	if (enc) {
		k = &cur;
		memcpy(name, k->name, sizeof(k->name));
		if (RAND_bytes(iv, EVP_CIPHER_get_iv_length(t->aes)) != 1 ||
		    EVP_EncryptInit_ex2(cctx, t->aes, k->aes, iv, NULL) != 1 || set_mac(hctx, k))
			ret = -1;
		else
			ret = 1;
	} else {
		if (!memcmp(name, cur.name, sizeof(cur.name))) {
			k = &cur;
			ret = 1;
		} else if (have_prev && !memcmp(name, prev.name, sizeof(prev.name))) {
			k = &prev;
			ret = 2;
		} else {
			k = NULL;
			ret = 0;
		}
		if (k && (EVP_DecryptInit_ex2(cctx, t->aes, k->aes, iv, NULL) != 1 ||
			  set_mac(hctx, k)))
			ret = -1;
	}
	OPENSSL_cleanse(&cur, sizeof(cur));
	OPENSSL_cleanse(&prev, sizeof(prev));
	return ret;
}
