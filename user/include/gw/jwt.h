/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * JWT verification for Envoy Gateway's SecurityPolicy jwt providers
 * (api/v1alpha1/jwt_types.go): JWS compact serialization (RFC 7515), JWT
 * claims (RFC 7519), JWK sets (RFC 7517), the asymmetric algorithms of
 * RFC 7518 and EdDSA (RFC 8037), with OpenSSL 3 EVP and jansson.
 * Pure library code: no I/O, no clock (the caller passes "now"), no
 * global state; a struct gw_jwks is immutable after parsing and may be
 * shared by threads. Not yet called by gwd (docs/auth.md).
 */
#ifndef GW_JWT_H
#define GW_JWT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Largest header.payload (the JWS Signing Input, still encoded) accepted. */
#define GW_JWT_MAX_LEN 8192
/* Largest encoded signature segment: an RSA-8192 signature, 1024 octets. */
#define GW_JWT_MAX_SIG_LEN 1366
/* Largest JWK set text, and the most keys one set may hold. */
#define GW_JWKS_MAX_LEN	 (512 * 1024)
#define GW_JWKS_MAX_KEYS 256
/* Envoy's default clock skew (jwt_authn JwtProvider.clock_skew_seconds). */
#define GW_JWT_DEFAULT_SKEW 60

/* The signature algorithms accepted (RFC 7518 section 3.1, RFC 8037 section 3.1). */
enum gw_jwt_alg {
	GW_JWT_ALG_UNSET = 0,
	GW_JWT_RS256,
	GW_JWT_RS384,
	GW_JWT_RS512,
	GW_JWT_PS256,
	GW_JWT_PS384,
	GW_JWT_PS512,
	GW_JWT_ES256,
	GW_JWT_ES384,
	GW_JWT_EDDSA,
};

/* Why a token or a key set was refused; gw_jwt_err_name() spells each. */
enum gw_jwt_err {
	GW_JWT_OK = 0,
	GW_JWT_ERR_NOMEM,
	GW_JWT_ERR_TOO_LONG,	    /* signing input or signature over the limits */
	GW_JWT_ERR_SEGMENTS,	    /* not three '.'-separated segments */
	GW_JWT_ERR_BASE64,	    /* a segment is not canonical unpadded base64url */
	GW_JWT_ERR_JSON,	    /* header/payload not a JSON object, or duplicate keys */
	GW_JWT_ERR_HEADER,	    /* alg missing or not a string, kid not a string */
	GW_JWT_ERR_ALG_NONE,	    /* alg "none": unsecured JWS */
	GW_JWT_ERR_ALG_HMAC,	    /* HS256/384/512: symmetric, never accepted */
	GW_JWT_ERR_ALG_UNSUPPORTED, /* any other alg */
	GW_JWT_ERR_CRIT,	    /* a crit header (no extension is understood) */
	GW_JWT_ERR_NO_KEY,	    /* no key of the set fits the token's kid and alg */
	GW_JWT_ERR_SIGNATURE,	    /* signature wrong size or does not verify */
	GW_JWT_ERR_CLAIM_TYPE,	    /* iss/sub/jti/aud/exp/nbf/iat of the wrong type */
	GW_JWT_ERR_ISSUER,	    /* iss differs from the provider's issuer */
	GW_JWT_ERR_AUDIENCE,	    /* no aud value in the provider's audiences */
	GW_JWT_ERR_EXPIRED,	    /* now is at or after exp (+ skew) */
	GW_JWT_ERR_NOT_YET_VALID,   /* now is before nbf (- skew) */
	GW_JWT_ERR_IAT_FUTURE,	    /* iat after now (+ skew), when asked to check */
	GW_JWKS_ERR_TOO_LONG,	    /* key set text or key count over the limits */
	GW_JWKS_ERR_JSON,	    /* not a JSON object with a "keys" array */
	GW_JWKS_ERR_NO_KEYS,	    /* no usable key in the set */
	GW_JWT_ERR__COUNT,
};

/**
 * The error of a refused token or key set: a code and a short static
 * reason (never allocated, valid for the program's life). For a key set,
 * index is the position in "keys" of the last key skipped, or -1.
 */
struct gw_jwt_error {
	enum gw_jwt_err code;
	const char *reason;
	int index;
};

/** The code's name, e.g. "alg_none" (for logs and metrics labels). */
const char *gw_jwt_err_name(enum gw_jwt_err code);

/** "RS256" ... "EdDSA" for an alg, NULL for GW_JWT_ALG_UNSET. */
const char *gw_jwt_alg_name(enum gw_jwt_alg alg);

struct gw_jwks;
struct gw_jwt;

/**
 * Parses a JWK set (RFC 7517 section 5) into public keys: kty RSA (n, e;
 * 2048 to 8192 bits, e 3 or 65537), EC (crv P-256 or P-384; x and y the
 * full coordinate size, on the curve), OKP (crv Ed25519, x of 32 octets).
 * As Envoy does, a key that cannot be used (unknown kty or crv, "use"
 * other than "sig", kty "oct", a bad member) is skipped, and the set is
 * refused only when no key is left. Returns 0 with *out set, -EINVAL with
 * err filled (err->index names the last key skipped), or -ENOMEM.
 */
int gw_jwks_parse(const char *json, size_t len, struct gw_jwks **out, struct gw_jwt_error *err);

/** Frees a set from gw_jwks_parse (NULL is fine). */
void gw_jwks_free(struct gw_jwks *jwks);

/** Keys kept, and keys skipped, by gw_jwks_parse. */
size_t gw_jwks_count(const struct gw_jwks *jwks);
size_t gw_jwks_skipped(const struct gw_jwks *jwks);

/**
 * Decodes a JWS compact serialization carrying a JWT (RFC 7515 section
 * 7.1, RFC 7519 section 7.2) without verifying it: three segments, each
 * canonical unpadded base64url, header and payload JSON objects without
 * duplicate member names, a supported asymmetric alg, no crit. max_len
 * bounds the encoded header.payload (0 means GW_JWT_MAX_LEN) and is
 * checked before anything is decoded. Returns 0 with *out set, -EINVAL
 * (err filled) or -ENOMEM.
 */
int gw_jwt_parse(const char *token, size_t len, size_t max_len, struct gw_jwt **out,
		 struct gw_jwt_error *err);

/** Frees a token from gw_jwt_parse (NULL is fine). */
void gw_jwt_free(struct gw_jwt *jwt);

/** The token's alg and kid (NULL when it has none). */
enum gw_jwt_alg gw_jwt_alg(const struct gw_jwt *jwt);
const char *gw_jwt_kid(const struct gw_jwt *jwt);

/**
 * Verifies the token's signature with the set, as Envoy's jwt_verify does:
 * a key is tried when its kid equals the token's kid or either has none
 * (so a token without kid tries every key), its alg (if any) equals the
 * token's, and its kty/crv is the one the alg needs. Returns 0 when one
 * verifies; -EACCES with err NO_KEY (none tried) or SIGNATURE.
 */
int gw_jwt_verify_signature(const struct gw_jwt *jwt, const struct gw_jwks *jwks,
			    struct gw_jwt_error *err);

/* What a provider requires of the claims (RFC 7519 section 4.1). */
struct gw_jwt_claims_policy {
	const char *issuer;	      /* NULL or "": not checked */
	const char *const *audiences; /* n_audiences == 0: not checked */
	size_t n_audiences;
	int64_t now;	     /* seconds since the epoch, from the caller */
	uint32_t clock_skew; /* seconds allowed on exp, nbf (and iat) */
	bool check_iat;	     /* refuse iat in the future (Envoy does not) */
};

/**
 * Checks the registered claims: types (iss, sub, jti strings; aud a
 * string or an array of strings; exp, nbf, iat non-negative numbers),
 * iss equal to the policy's issuer, one aud in its audiences, now before
 * exp + skew, now not before nbf - skew, and with check_iat iat not after
 * now + skew. Returns 0 or -EACCES with err filled.
 */
int gw_jwt_check_claims(const struct gw_jwt *jwt, const struct gw_jwt_claims_policy *pol,
			struct gw_jwt_error *err);

/**
 * gw_jwt_parse, gw_jwt_verify_signature and gw_jwt_check_claims in turn;
 * *out (may be NULL) receives the verified token for claim look-ups.
 * Returns 0, -EINVAL/-EACCES with err filled, or -ENOMEM.
 */
int gw_jwt_verify(const char *token, size_t len, const struct gw_jwks *jwks,
		  const struct gw_jwt_claims_policy *pol, struct gw_jwt **out,
		  struct gw_jwt_error *err);

/**
 * The claim at a dotted path ("sub", "claim.nested.key", EG's
 * ClaimToHeader.claim) as header text: a string as is, a boolean as
 * "true"/"false", an integer in decimal, another number in the shortest
 * form that reads back the same. Writes at most size bytes including a
 * NUL; *len (may be NULL) gets the text's length. Returns 0, -ENOENT (no
 * such claim, or null), -EINVAL (an object or array: EG supports neither)
 * or -ENOSPC (buf too small).
 */
int gw_jwt_claim_text(const struct gw_jwt *jwt, const char *path, char *buf, size_t size,
		      size_t *len);

#endif /* GW_JWT_H */
