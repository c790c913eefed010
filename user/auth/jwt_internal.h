/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Declarations shared by user/auth/{b64url,jwks,jwt}.c: the key set's
 * layout and the strict base64url decoder both sides use.
 */
#ifndef GW_JWT_INTERNAL_H
#define GW_JWT_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include <openssl/evp.h>

#include "gw/jwt.h"

enum gw_jwk_kty {
	GW_JWK_RSA = 1,
	GW_JWK_EC_P256,
	GW_JWK_EC_P384,
	GW_JWK_OKP_ED25519,
};

struct gw_jwk {
	char *kid; /* NULL: the key has none */
	enum gw_jwk_kty kty;
	enum gw_jwt_alg alg; /* GW_JWT_ALG_UNSET: the key names none */
	EVP_PKEY *pkey;
};

struct gw_jwks {
	size_t n;
	size_t skipped;
	struct gw_jwk keys[];
};

/* Decoded size bound of n base64url characters. */
#define GW_B64URL_DECODED_MAX(n) (((n) / 4) * 3 + 2)

/*
 * Decodes base64url (RFC 4648 section 5) into out (room for
 * GW_B64URL_DECODED_MAX(len)); returns the decoded length or -EINVAL.
 * Without allow_pad the input must be unpadded as RFC 7515 section 2
 * requires; in both cases the unused bits of the last character must be
 * zero (RFC 4648 section 3.5), so every value has one encoding.
 */
long gw_b64url_decode(const char *in, size_t len, uint8_t *out, int allow_pad);

/* The alg named s (case-sensitive, RFC 7515 section 4.1.1), or GW_JWT_ALG_UNSET. */
enum gw_jwt_alg gw_jwt_alg_from_name(const char *s);

/* The key type an algorithm needs (RFC 7518 sections 3.3-3.5, RFC 8037 section 3.1). */
enum gw_jwk_kty gw_jwt_alg_kty(enum gw_jwt_alg alg);

#endif /* GW_JWT_INTERNAL_H */
