// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * htpasswd parsing and password checks. Users are kept sorted for
 * bsearch; every comparison of a computed hash with a stored one is
 * CRYPTO_memcmp over equal lengths, so the time taken says nothing about
 * how much of a guess was right.
 */
#include <crypt.h>
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "gw/htpasswd.h"

struct gw_htpasswd_entry {
	char *user;
	char *hash;
	size_t user_len;
	enum gw_htpasswd_scheme scheme;
	unsigned line;
};

struct gw_htpasswd {
	size_t n;
	struct gw_htpasswd_entry *v;
	/* the costliest entry: checked, and ignored, for an unknown user */
	size_t dummy;
};

static const char itoa64[] = "./0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

static bool is_itoa64(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!s[i] || !strchr(itoa64, s[i]))
			return false;
	return true;
}

static bool is_b64(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		char c = s[i];

		if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
		      c == '+' || c == '/'))
			return false;
	}
	return true;
}

/*
 * The scheme of a stored hash, or an error code with *why. The shapes are
 * those htpasswd(1) writes: {SHA} + 28 base64 characters; $2y$NN$ + 53;
 * $apr1$ + salt of 1-8 + '$' + 22.
 */
static enum gw_htpasswd_err classify(const char *h, size_t n, enum gw_htpasswd_scheme *scheme,
				     const char **why)
{
	if (n >= 5 && !memcmp(h, "{SHA}", 5)) {
		*scheme = GW_HTPASSWD_SHA1;
		if (n != 5 + 28 || !is_b64(h + 5, 27) || h[32] != '=') {
			*why = "{SHA} hash is not 28 base64 characters of a SHA-1 digest";
			return GW_HTPASSWD_ERR_HASH;
		}
		return GW_HTPASSWD_OK;
	}
	if (n >= 4 && h[0] == '$' && h[1] == '2' && h[3] == '$' &&
	    (h[2] == 'a' || h[2] == 'b' || h[2] == 'y')) {
		int cost;

		*scheme = GW_HTPASSWD_BCRYPT;
		if (n != 60 || h[4] < '0' || h[4] > '9' || h[5] < '0' || h[5] > '9' ||
		    h[6] != '$' || !is_itoa64(h + 7, 53)) {
			*why = "bcrypt hash is not $2?$NN$ and 53 characters";
			return GW_HTPASSWD_ERR_HASH;
		}
		cost = (h[4] - '0') * 10 + (h[5] - '0');
		/*
		 * htpasswd -C takes 4-17; each step doubles the work a wrong
		 * password costs gwd, so a higher cost is a denial of service
		 */
		if (cost < 4 || cost > 17) {
			*why = "bcrypt cost outside 04-17 (htpasswd -C)";
			return GW_HTPASSWD_ERR_HASH;
		}
		return GW_HTPASSWD_OK;
	}
	if (n >= 6 && !memcmp(h, "$apr1$", 6)) {
		const char *d = memchr(h + 6, '$', n - 6);
		size_t sl = d ? (size_t)(d - h - 6) : 0;

		*scheme = GW_HTPASSWD_APR1;
		if (!d || sl < 1 || sl > 8 || n != 6 + sl + 1 + 22 || !is_itoa64(d + 1, 22)) {
			*why = "$apr1$ hash is not $apr1$salt$ and 22 characters";
			return GW_HTPASSWD_ERR_HASH;
		}
		return GW_HTPASSWD_OK;
	}
	if (n && h[0] == '$') {
		*why = "hash scheme not supported (only {SHA}, bcrypt $2a$/$2b$/$2y$, $apr1$)";
		return GW_HTPASSWD_ERR_SCHEME;
	}
	if (n == 13 && is_itoa64(h, 13)) {
		/* crypt(3) DES: 8 password characters, 56-bit key; htpasswd -d */
		*why = "crypt(3) DES hash refused: weak; use bcrypt (htpasswd -B)";
		return GW_HTPASSWD_ERR_DES;
	}
	*why = "plaintext password refused: use bcrypt (htpasswd -B) or {SHA} (htpasswd -s)";
	return GW_HTPASSWD_ERR_PLAINTEXT;
}

static int cmp_entry(const void *a, const void *b)
{
	const struct gw_htpasswd_entry *x = a, *y = b;
	size_t n = x->user_len < y->user_len ? x->user_len : y->user_len;
	int c = memcmp(x->user, y->user, n);

	if (c)
		return c;
	if (x->user_len != y->user_len)
		return x->user_len < y->user_len ? -1 : 1;
	/* equal names: file order, so a duplicate reports its later line */
	return x->line < y->line ? -1 : x->line > y->line;
}

static int perr(struct gw_htpasswd_error *err, enum gw_htpasswd_err code, const char *reason,
		unsigned line)
{
	if (err) {
		err->code = code;
		err->reason = reason;
		err->line = line;
	}
	return code == GW_HTPASSWD_ERR_NOMEM ? -ENOMEM : -EINVAL;
}

/* bcrypt by cost (its two digits), then apr1, then {SHA}. */
static unsigned entry_cost(const struct gw_htpasswd_entry *e)
{
	if (e->scheme == GW_HTPASSWD_BCRYPT)
		return 100 + (unsigned)((e->hash[4] - '0') * 10 + (e->hash[5] - '0'));
	return e->scheme == GW_HTPASSWD_APR1 ? 2 : 1;
}

static size_t costliest(const struct gw_htpasswd *h)
{
	size_t best = 0;

	for (size_t i = 1; i < h->n; i++)
		if (entry_cost(&h->v[i]) > entry_cost(&h->v[best]))
			best = i;
	return best;
}

int gw_htpasswd_parse(const char *text, size_t len, struct gw_htpasswd **out,
		      struct gw_htpasswd_error *err)
{
	struct gw_htpasswd *h;
	const char *p = text, *end = text + len;
	size_t cap = 0;
	unsigned line = 0;
	int ret;

	*out = NULL;
	h = calloc(1, sizeof(*h));
	if (!h)
		return perr(err, GW_HTPASSWD_ERR_NOMEM, "out of memory", 0);
	while (p < end) {
		const char *ls = p, *nl = memchr(p, '\n', (size_t)(end - p));
		const char *colon, *hash, *why = NULL;
		enum gw_htpasswd_scheme scheme = 0;
		struct gw_htpasswd_entry *ent;
		enum gw_htpasswd_err code;
		size_t ll = (size_t)((nl ? nl : end) - ls), hl, ul;
		bool blank = true;

		line++;
		p = nl ? nl + 1 : end;
		if (ll && ls[ll - 1] == '\r')
			ll--;
		for (size_t i = 0; i < ll && blank; i++)
			blank = ls[i] == ' ' || ls[i] == '\t';
		if (blank || ls[0] == '#')
			continue;
		if (ll > GW_HTPASSWD_MAX_LINE) {
			ret = perr(err, GW_HTPASSWD_ERR_SYNTAX, "line too long", line);
			goto fail;
		}
		if (memchr(ls, 0, ll)) {
			ret = perr(err, GW_HTPASSWD_ERR_SYNTAX, "NUL octet in line", line);
			goto fail;
		}
		colon = memchr(ls, ':', ll);
		if (!colon) {
			ret = perr(err, GW_HTPASSWD_ERR_SYNTAX, "no ':' between user and hash",
				   line);
			goto fail;
		}
		ul = (size_t)(colon - ls);
		hash = colon + 1;
		hl = ll - ul - 1;
		if (!ul || ul > GW_HTPASSWD_MAX_USER) {
			ret = perr(err, GW_HTPASSWD_ERR_USER, "user name empty or too long", line);
			goto fail;
		}
		for (size_t i = 0; i < ul; i++) {
			unsigned char c = (unsigned char)ls[i];

			if (c < 0x20 || c == 0x7f) {
				ret = perr(err, GW_HTPASSWD_ERR_USER,
					   "control character in user name", line);
				goto fail;
			}
		}
		if (memchr(hash, ':', hl)) {
			ret = perr(err, GW_HTPASSWD_ERR_SYNTAX, "second ':' after the hash", line);
			goto fail;
		}
		code = classify(hash, hl, &scheme, &why);
		if (code) {
			ret = perr(err, code, why, line);
			goto fail;
		}
		if (h->n == cap) {
			size_t nc = cap ? cap * 2 : 16;
			void *nv = realloc(h->v, nc * sizeof(*h->v));

			if (!nv) {
				ret = perr(err, GW_HTPASSWD_ERR_NOMEM, "out of memory", line);
				goto fail;
			}
			h->v = nv;
			cap = nc;
		}
		ent = &h->v[h->n];
		ent->user = strndup(ls, ul);
		ent->hash = strndup(hash, hl);
		if (!ent->user || !ent->hash) {
			free(ent->user);
			free(ent->hash);
			ret = perr(err, GW_HTPASSWD_ERR_NOMEM, "out of memory", line);
			goto fail;
		}
		ent->user_len = ul;
		ent->scheme = scheme;
		ent->line = line;
		h->n++;
	}
	if (!h->n) {
		ret = perr(err, GW_HTPASSWD_ERR_EMPTY, "no user in the file", line);
		goto fail;
	}
	qsort(h->v, h->n, sizeof(*h->v), cmp_entry);
	for (size_t i = 1; i < h->n; i++) {
		/* Envoy refuses these too ("duplicate users"): which one wins is unclear */
		if (h->v[i].user_len == h->v[i - 1].user_len &&
		    !memcmp(h->v[i].user, h->v[i - 1].user, h->v[i].user_len)) {
			ret = perr(err, GW_HTPASSWD_ERR_DUPLICATE, "user named twice",
				   h->v[i].line);
			goto fail;
		}
	}
	h->dummy = costliest(h);
	*out = h;
	return 0;
fail:
	gw_htpasswd_free(h);
	return ret;
}

void gw_htpasswd_free(struct gw_htpasswd *h)
{
	if (!h)
		return;
	for (size_t i = 0; i < h->n; i++) {
		free(h->v[i].user);
		OPENSSL_clear_free(h->v[i].hash, strlen(h->v[i].hash));
	}
	free(h->v);
	free(h);
}

size_t gw_htpasswd_count(const struct gw_htpasswd *h)
{
	return h ? h->n : 0;
}

static void to64(char *s, uint32_t v, int n)
{
	while (n-- > 0) {
		*s++ = itoa64[v & 0x3f];
		v >>= 6;
	}
}

/*
 * Poul-Henning Kamp's MD5-crypt with Apache's "$apr1$" magic (apr_md5.c
 * apr_md5_encode): the magic takes part in the first digest, then 1000
 * rounds, then a permuted radix-64 output.
 */
int gw_htpasswd_apr1(const char *pw, size_t pl, const char *salt, size_t sl, char *out, size_t size)
{
	static const char magic[] = "$apr1$";
	unsigned char fin[16];
	EVP_MD_CTX *ctx = NULL, *alt = NULL;
	const EVP_MD *md5 = EVP_md5();
	char *o;
	int ret = -ENOMEM;

	if (sl > 8)
		sl = 8;
	if (!sl || memchr(salt, '$', sl) || size < 6 + sl + 1 + 22 + 1)
		return -EINVAL;
	ctx = EVP_MD_CTX_new();
	alt = EVP_MD_CTX_new();
	if (!ctx || !alt)
		goto out;
	if (!EVP_DigestInit_ex(alt, md5, NULL) || !EVP_DigestUpdate(alt, pw, pl) ||
	    !EVP_DigestUpdate(alt, salt, sl) || !EVP_DigestUpdate(alt, pw, pl) ||
	    !EVP_DigestFinal_ex(alt, fin, NULL))
		goto out;
	if (!EVP_DigestInit_ex(ctx, md5, NULL) || !EVP_DigestUpdate(ctx, pw, pl) ||
	    !EVP_DigestUpdate(ctx, magic, 6) || !EVP_DigestUpdate(ctx, salt, sl))
		goto out;
	for (size_t n = pl; n > 0; n -= n > 16 ? 16 : n)
		if (!EVP_DigestUpdate(ctx, fin, n > 16 ? 16 : n))
			goto out;
	memset(fin, 0, sizeof(fin));
	/* the historical quirk: a zero octet for 1 bits, the first password octet for 0 bits */
	for (size_t i = pl; i; i >>= 1)
		if (!EVP_DigestUpdate(ctx, (i & 1) ? (const void *)fin : (const void *)pw, 1))
			goto out;
	if (!EVP_DigestFinal_ex(ctx, fin, NULL))
		goto out;
	for (int i = 0; i < 1000; i++) {
		if (!EVP_DigestInit_ex(alt, md5, NULL))
			goto out;
		if (!((i & 1) ? EVP_DigestUpdate(alt, pw, pl) : EVP_DigestUpdate(alt, fin, 16)))
			goto out;
		if (i % 3 && !EVP_DigestUpdate(alt, salt, sl))
			goto out;
		if (i % 7 && !EVP_DigestUpdate(alt, pw, pl))
			goto out;
		if (!((i & 1) ? EVP_DigestUpdate(alt, fin, 16) : EVP_DigestUpdate(alt, pw, pl)))
			goto out;
		if (!EVP_DigestFinal_ex(alt, fin, NULL))
			goto out;
	}
	memcpy(out, magic, 6);
	memcpy(out + 6, salt, sl);
	o = out + 6 + sl;
	*o++ = '$';
	to64(o, (uint32_t)fin[0] << 16 | (uint32_t)fin[6] << 8 | fin[12], 4);
	to64(o + 4, (uint32_t)fin[1] << 16 | (uint32_t)fin[7] << 8 | fin[13], 4);
	to64(o + 8, (uint32_t)fin[2] << 16 | (uint32_t)fin[8] << 8 | fin[14], 4);
	to64(o + 12, (uint32_t)fin[3] << 16 | (uint32_t)fin[9] << 8 | fin[15], 4);
	to64(o + 16, (uint32_t)fin[4] << 16 | (uint32_t)fin[10] << 8 | fin[5], 4);
	to64(o + 20, fin[11], 2);
	o[22] = 0;
	ret = 0;
out:
	OPENSSL_cleanse(fin, sizeof(fin));
	EVP_MD_CTX_free(ctx);
	EVP_MD_CTX_free(alt);
	return ret;
}

/* equal lengths are public (the stored hash's shape), the contents are not */
static int same(const char *a, const char *b, size_t n)
{
	return strlen(a) == n && CRYPTO_memcmp(a, b, n) == 0;
}

static int check_sha1(const char *hash, const char *pw, size_t pl)
{
	unsigned char d[20];
	char b64[29];

	if (!EVP_Digest(pw, pl, d, NULL, EVP_sha1(), NULL))
		return -ENOMEM;
	EVP_EncodeBlock((unsigned char *)b64, d, sizeof(d));
	return CRYPTO_memcmp(b64, hash + 5, 28) ? -EACCES : 0;
}

static int check_bcrypt(const char *hash, const char *pw, size_t pl)
{
	struct crypt_data *cd;
	char *phrase;
	const char *r;
	int ret = -ENOMEM;

	/* crypt_r wants C strings; its scratch is ~32 KiB, too much for a stack */
	cd = calloc(1, sizeof(*cd));
	phrase = malloc(pl + 1);
	if (!cd || !phrase)
		goto out;
	memcpy(phrase, pw, pl);
	phrase[pl] = 0;
	r = crypt_r(phrase, hash, cd);
	/* libxcrypt fails with NULL or a string starting with '*' */
	if (!r || r[0] == '*')
		ret = -EINVAL;
	else
		ret = same(r, hash, strlen(hash)) ? 0 : -EACCES;
out:
	if (phrase)
		OPENSSL_clear_free(phrase, pl + 1);
	if (cd)
		OPENSSL_clear_free(cd, sizeof(*cd));
	return ret;
}

static int check_apr1(const char *hash, const char *pw, size_t pl)
{
	const char *salt = hash + 6, *d = strchr(salt, '$');
	char buf[6 + 8 + 1 + 22 + 1];
	int r;

	r = gw_htpasswd_apr1(pw, pl, salt, (size_t)(d - salt), buf, sizeof(buf));
	if (r)
		return r;
	r = same(buf, hash, strlen(hash)) ? 0 : -EACCES;
	OPENSSL_cleanse(buf, sizeof(buf));
	return r;
}

static int check_scheme(enum gw_htpasswd_scheme scheme, const char *hash, const char *pw, size_t pl)
{
	/* a NUL would end the password early for crypt_r: refuse it for all schemes */
	if (pl > GW_HTPASSWD_MAX_PASSWORD || memchr(pw, 0, pl))
		return -EACCES;
	switch (scheme) {
	case GW_HTPASSWD_SHA1:
		return check_sha1(hash, pw, pl);
	case GW_HTPASSWD_BCRYPT:
		return check_bcrypt(hash, pw, pl);
	case GW_HTPASSWD_APR1:
		return check_apr1(hash, pw, pl);
	}
	return -EINVAL;
}

int gw_htpasswd_check_hash(const char *hash, const char *pw, size_t pl)
{
	enum gw_htpasswd_scheme scheme = 0;
	const char *why;

	if (classify(hash, strlen(hash), &scheme, &why))
		return -EINVAL;
	return check_scheme(scheme, hash, pw, pl);
}

int gw_htpasswd_check(const struct gw_htpasswd *h, const char *user, size_t ul, const char *pw,
		      size_t pl)
{
	struct gw_htpasswd_entry key = {.user = (char *)user, .user_len = ul, .line = 0};
	size_t lo = 0, hi = h->n;

	/* bsearch by name alone (cmp_entry also orders by line) */
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const struct gw_htpasswd_entry *e = &h->v[mid];
		size_t n = e->user_len < ul ? e->user_len : ul;
		int c = memcmp(e->user, key.user, n);

		if (!c && e->user_len == ul) {
			int r = check_scheme(e->scheme, e->hash, pw, pl);

			/* a hash crypt_r cannot compute fails closed, as a mismatch */
			return r == -EINVAL ? -EACCES : r;
		}
		if (c < 0 || (!c && e->user_len < ul))
			lo = mid + 1;
		else
			hi = mid;
	}
	/*
	 * An unknown user costs what a wrong password of the costliest entry
	 * costs, so the answer's time does not say which names exist (in a
	 * file of one scheme; with mixed schemes it bounds the difference).
	 */
	check_scheme(h->v[h->dummy].scheme, h->v[h->dummy].hash, pw, pl);
	return -EACCES;
}
