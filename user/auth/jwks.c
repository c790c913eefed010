// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * JWK sets (RFC 7517) into OpenSSL public keys. Keys that cannot be used
 * are skipped, not fatal, because Envoy's jwt_verify_lib does the same
 * (Jwks::createFromJwksCore keeps the good keys and fails only on none):
 * an EG user's set with, say, an encryption key in it keeps working.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/param_build.h>

#include "jwt_internal.h"

static const char *const err_names[GW_JWT_ERR__COUNT] = {
	[GW_JWT_OK] = "ok",
	[GW_JWT_ERR_NOMEM] = "nomem",
	[GW_JWT_ERR_TOO_LONG] = "too_long",
	[GW_JWT_ERR_SEGMENTS] = "segments",
	[GW_JWT_ERR_BASE64] = "base64",
	[GW_JWT_ERR_JSON] = "json",
	[GW_JWT_ERR_HEADER] = "header",
	[GW_JWT_ERR_ALG_NONE] = "alg_none",
	[GW_JWT_ERR_ALG_HMAC] = "alg_hmac",
	[GW_JWT_ERR_ALG_UNSUPPORTED] = "alg_unsupported",
	[GW_JWT_ERR_CRIT] = "crit",
	[GW_JWT_ERR_NO_KEY] = "no_key",
	[GW_JWT_ERR_SIGNATURE] = "signature",
	[GW_JWT_ERR_CLAIM_TYPE] = "claim_type",
	[GW_JWT_ERR_ISSUER] = "issuer",
	[GW_JWT_ERR_AUDIENCE] = "audience",
	[GW_JWT_ERR_EXPIRED] = "expired",
	[GW_JWT_ERR_NOT_YET_VALID] = "not_yet_valid",
	[GW_JWT_ERR_IAT_FUTURE] = "iat_future",
	[GW_JWKS_ERR_TOO_LONG] = "jwks_too_long",
	[GW_JWKS_ERR_JSON] = "jwks_json",
	[GW_JWKS_ERR_NO_KEYS] = "jwks_no_keys",
};

const char *gw_jwt_err_name(enum gw_jwt_err code)
{
	if ((unsigned)code >= GW_JWT_ERR__COUNT)
		return "unknown";
	return err_names[code];
}

static const char *const alg_names[] = {
	[GW_JWT_RS256] = "RS256", [GW_JWT_RS384] = "RS384", [GW_JWT_RS512] = "RS512",
	[GW_JWT_PS256] = "PS256", [GW_JWT_PS384] = "PS384", [GW_JWT_PS512] = "PS512",
	[GW_JWT_ES256] = "ES256", [GW_JWT_ES384] = "ES384", [GW_JWT_EDDSA] = "EdDSA",
};

const char *gw_jwt_alg_name(enum gw_jwt_alg alg)
{
	if (alg <= GW_JWT_ALG_UNSET || alg > GW_JWT_EDDSA)
		return NULL;
	return alg_names[alg];
}

/* "alg" names are case-sensitive (RFC 7515 section 4.1.1). */
enum gw_jwt_alg gw_jwt_alg_from_name(const char *s)
{
	for (int a = GW_JWT_RS256; a <= GW_JWT_EDDSA; a++)
		if (!strcmp(s, alg_names[a]))
			return (enum gw_jwt_alg)a;
	return GW_JWT_ALG_UNSET;
}

enum gw_jwk_kty gw_jwt_alg_kty(enum gw_jwt_alg alg)
{
	switch (alg) {
	case GW_JWT_RS256 ... GW_JWT_PS512:
		return GW_JWK_RSA;
	case GW_JWT_ES256:
		return GW_JWK_EC_P256;
	case GW_JWT_ES384:
		return GW_JWK_EC_P384;
	case GW_JWT_EDDSA:
		return GW_JWK_OKP_ED25519;
	default:
		return 0;
	}
}

static void set_err(struct gw_jwt_error *err, enum gw_jwt_err code, const char *reason)
{
	if (err) {
		err->code = code;
		err->reason = reason;
	}
}

/* A base64url member of a JWK, decoded into a fresh buffer; NULL with *why set. */
static uint8_t *member_b64(json_t *key, const char *name, size_t *len, const char **why,
			   const char *missing, const char *bad)
{
	json_t *v = json_object_get(key, name);
	const char *s;
	size_t n;
	uint8_t *out;
	long r;

	if (!v || !json_is_string(v)) {
		*why = missing;
		return NULL;
	}
	s = json_string_value(v);
	n = json_string_length(v);
	out = malloc(GW_B64URL_DECODED_MAX(n) + 1);
	if (!out) {
		*why = NULL;
		return NULL;
	}
	r = gw_b64url_decode(s, n, out, 1);
	if (r <= 0) {
		free(out);
		*why = bad;
		return NULL;
	}
	*len = (size_t)r;
	return out;
}

static EVP_PKEY *pkey_fromdata(const char *type, OSSL_PARAM *params)
{
	EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_name(NULL, type, NULL);
	EVP_PKEY *pkey = NULL;

	if (ctx && EVP_PKEY_fromdata_init(ctx) == 1)
		EVP_PKEY_fromdata(ctx, &pkey, EVP_PKEY_PUBLIC_KEY, params);
	EVP_PKEY_CTX_free(ctx);
	return pkey;
}

/* RFC 7518 section 6.3.1: n and e; RFC 7518 section 3.3: at least 2048 bits. */
static EVP_PKEY *rsa_key(json_t *key, const char **why)
{
	uint8_t *n = NULL, *e = NULL;
	size_t nlen = 0, elen = 0;
	BIGNUM *bn = NULL, *be = NULL;
	OSSL_PARAM_BLD *bld = NULL;
	OSSL_PARAM *params = NULL;
	EVP_PKEY *pkey = NULL;
	uint64_t ev = 0;

	n = member_b64(key, "n", &nlen, why, "RSA key without \"n\"", "RSA \"n\" not base64url");
	if (!n)
		goto out;
	e = member_b64(key, "e", &elen, why, "RSA key without \"e\"", "RSA \"e\" not base64url");
	if (!e)
		goto out;
	for (size_t i = 0; i < elen; i++) {
		if (ev >> 56) {
			ev = 0;
			break;
		}
		ev = ev << 8 | e[i];
	}
	/* as jwt_verify_lib: other exponents are non-standard, refuse them early */
	if (ev != 3 && ev != 65537) {
		*why = "RSA \"e\" is neither 3 nor 65537";
		goto out;
	}
	*why = NULL;
	bn = BN_bin2bn(n, (int)nlen, NULL);
	be = BN_bin2bn(e, (int)elen, NULL);
	bld = OSSL_PARAM_BLD_new();
	if (!bn || !be || !bld || !OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_N, bn) ||
	    !OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_E, be))
		goto out;
	params = OSSL_PARAM_BLD_to_param(bld);
	if (!params)
		goto out;
	pkey = pkey_fromdata("RSA", params);
	if (!pkey) {
		*why = "RSA key refused by OpenSSL";
		goto out;
	}
	if (EVP_PKEY_get_bits(pkey) < 2048) {
		*why = "RSA key shorter than 2048 bits (RFC 7518 section 3.3)";
		EVP_PKEY_free(pkey);
		pkey = NULL;
	} else if (EVP_PKEY_get_bits(pkey) > 8 * 1024) {
		/* its signatures would exceed GW_JWT_MAX_SIG_LEN: it could never verify */
		*why = "RSA key longer than 8192 bits";
		EVP_PKEY_free(pkey);
		pkey = NULL;
	}
out:
	OSSL_PARAM_free(params);
	OSSL_PARAM_BLD_free(bld);
	BN_free(bn);
	BN_free(be);
	free(n);
	free(e);
	return pkey;
}

/* RFC 7518 section 6.2.1: x and y, each the full coordinate size. */
static EVP_PKEY *ec_key(json_t *key, enum gw_jwk_kty kty, const char **why)
{
	size_t clen = kty == GW_JWK_EC_P256 ? 32 : 48, xlen = 0, ylen = 0;
	const char *group = kty == GW_JWK_EC_P256 ? "P-256" : "P-384";
	uint8_t *x = NULL, *y = NULL, pub[1 + 2 * 48];
	OSSL_PARAM params[3];
	EVP_PKEY_CTX *ctx = NULL;
	EVP_PKEY *pkey = NULL;

	x = member_b64(key, "x", &xlen, why, "EC key without \"x\"", "EC \"x\" not base64url");
	if (!x)
		goto out;
	y = member_b64(key, "y", &ylen, why, "EC key without \"y\"", "EC \"y\" not base64url");
	if (!y)
		goto out;
	if (xlen != clen || ylen != clen) {
		*why = "EC \"x\" or \"y\" not the curve's coordinate size (RFC 7518 section "
		       "6.2.1.2)";
		goto out;
	}
	*why = NULL;
	pub[0] = 0x04; /* uncompressed point (SEC 1 section 2.3.3) */
	memcpy(pub + 1, x, clen);
	memcpy(pub + 1 + clen, y, clen);
	params[0] = OSSL_PARAM_construct_utf8_string(OSSL_PKEY_PARAM_GROUP_NAME, (char *)group, 0);
	params[1] = OSSL_PARAM_construct_octet_string(OSSL_PKEY_PARAM_PUB_KEY, pub, 1 + 2 * clen);
	params[2] = OSSL_PARAM_construct_end();
	pkey = pkey_fromdata("EC", params);
	if (!pkey) {
		*why = "EC point refused by OpenSSL";
		goto out;
	}
	/* on the curve, not the point at infinity: an invalid point leaks nothing
	 * for verification, but such a key is certainly a broken set */
	ctx = EVP_PKEY_CTX_new_from_pkey(NULL, pkey, NULL);
	if (!ctx || EVP_PKEY_public_check(ctx) != 1) {
		*why = "EC point not on the curve";
		EVP_PKEY_free(pkey);
		pkey = NULL;
	}
out:
	EVP_PKEY_CTX_free(ctx);
	free(x);
	free(y);
	return pkey;
}

/* RFC 8037 section 2: crv Ed25519, x the 32-octet public key. */
static EVP_PKEY *okp_key(json_t *key, const char **why)
{
	uint8_t *x;
	size_t xlen = 0;
	EVP_PKEY *pkey = NULL;

	x = member_b64(key, "x", &xlen, why, "OKP key without \"x\"", "OKP \"x\" not base64url");
	if (!x)
		return NULL;
	if (xlen != 32) {
		*why = "Ed25519 \"x\" not 32 octets (RFC 8037 section 2)";
	} else {
		*why = NULL;
		pkey = EVP_PKEY_new_raw_public_key_ex(NULL, "ED25519", NULL, x, xlen);
		if (!pkey)
			*why = "Ed25519 key refused by OpenSSL";
	}
	free(x);
	return pkey;
}

static const char *opt_string(json_t *key, const char *name, int *bad)
{
	json_t *v = json_object_get(key, name);

	if (!v)
		return NULL;
	if (!json_is_string(v)) {
		*bad = 1;
		return NULL;
	}
	return json_string_value(v);
}

/*
 * One key into k; returns 1 when kept, 0 when skipped (*why says why), or
 * -ENOMEM. Whatever is not said here (key_ops, x5c, private members) is
 * ignored: only the public parts are ever used.
 */
static int parse_key(json_t *key, struct gw_jwk *k, const char **why)
{
	const char *kty, *kid, *alg, *use, *crv;
	int bad = 0;

	*why = NULL;
	if (!json_is_object(key)) {
		*why = "key is not a JSON object";
		return 0;
	}
	kty = opt_string(key, "kty", &bad);
	kid = opt_string(key, "kid", &bad);
	alg = opt_string(key, "alg", &bad);
	use = opt_string(key, "use", &bad);
	crv = opt_string(key, "crv", &bad);
	if (bad) {
		*why = "kty, kid, alg, use or crv is not a string";
		return 0;
	}
	if (!kty) {
		*why = "key without \"kty\" (RFC 7517 section 4.1)";
		return 0;
	}
	/* RFC 7517 section 4.2: "enc" keys are for encryption, not signatures */
	if (use && strcmp(use, "sig")) {
		*why = "key \"use\" is not \"sig\"";
		return 0;
	}
	k->alg = GW_JWT_ALG_UNSET;
	if (alg) {
		k->alg = gw_jwt_alg_from_name(alg);
		if (!k->alg) {
			*why = "key \"alg\" is not a supported signature algorithm";
			return 0;
		}
	}
	if (!strcmp(kty, "RSA")) {
		k->kty = GW_JWK_RSA;
	} else if (!strcmp(kty, "EC")) {
		/* jwt_verify_lib's rule: crv, else the alg's curve, else P-256 */
		if (crv && !strcmp(crv, "P-256"))
			k->kty = GW_JWK_EC_P256;
		else if (crv && !strcmp(crv, "P-384"))
			k->kty = GW_JWK_EC_P384;
		else if (crv)
			k->kty = 0;
		else if (k->alg == GW_JWT_ES384)
			k->kty = GW_JWK_EC_P384;
		else
			k->kty = GW_JWK_EC_P256;
		if (!k->kty) {
			*why = "EC \"crv\" is neither P-256 nor P-384";
			return 0;
		}
	} else if (!strcmp(kty, "OKP")) {
		if (!crv || strcmp(crv, "Ed25519")) {
			*why = "OKP \"crv\" is not Ed25519";
			return 0;
		}
		k->kty = GW_JWK_OKP_ED25519;
	} else if (!strcmp(kty, "oct")) {
		/* symmetric keys would let HS256 tokens in: never (docs/auth.md) */
		*why = "symmetric (oct) keys are not accepted";
		return 0;
	} else {
		*why = "unknown \"kty\"";
		return 0;
	}
	if (k->alg && gw_jwt_alg_kty(k->alg) != k->kty) {
		*why = "key \"alg\" does not fit its kty/crv";
		return 0;
	}
	if (k->kty == GW_JWK_RSA)
		k->pkey = rsa_key(key, why);
	else if (k->kty == GW_JWK_OKP_ED25519)
		k->pkey = okp_key(key, why);
	else
		k->pkey = ec_key(key, k->kty, why);
	/* a refused key leaves OpenSSL errors behind: not ours to keep */
	ERR_clear_error();
	if (!k->pkey)
		return *why ? 0 : -ENOMEM;
	k->kid = NULL;
	if (kid) {
		k->kid = strdup(kid);
		if (!k->kid) {
			EVP_PKEY_free(k->pkey);
			return -ENOMEM;
		}
	}
	return 1;
}

int gw_jwks_parse(const char *text, size_t len, struct gw_jwks **out, struct gw_jwt_error *err)
{
	struct gw_jwks *set = NULL;
	const char *why = "empty \"keys\" array";
	json_error_t jerr;
	json_t *root, *keys;
	size_t n;
	int ret;

	*out = NULL;
	if (err)
		err->index = -1;
	if (len > GW_JWKS_MAX_LEN) {
		set_err(err, GW_JWKS_ERR_TOO_LONG, "key set longer than GW_JWKS_MAX_LEN");
		return -EINVAL;
	}
	/* member names are unique (RFC 7517 section 4 / RFC 8259 section 4) */
	root = json_loadb(text, len, JSON_REJECT_DUPLICATES, &jerr);
	if (!root) {
		set_err(err, GW_JWKS_ERR_JSON, "key set is not JSON (or has duplicate names)");
		return -EINVAL;
	}
	keys = json_object_get(root, "keys");
	if (!json_is_object(root) || !json_is_array(keys)) {
		/* Envoy also reads {"kid": "-----BEGIN CERTIFICATE-----..."}: not yet */
		set_err(err, GW_JWKS_ERR_JSON,
			"key set has no \"keys\" array (RFC 7517 section 5)");
		ret = -EINVAL;
		goto out;
	}
	n = json_array_size(keys);
	if (n > GW_JWKS_MAX_KEYS) {
		set_err(err, GW_JWKS_ERR_TOO_LONG, "key set holds more than GW_JWKS_MAX_KEYS keys");
		ret = -EINVAL;
		goto out;
	}
	set = calloc(1, sizeof(*set) + n * sizeof(set->keys[0]));
	if (!set) {
		set_err(err, GW_JWT_ERR_NOMEM, "out of memory");
		ret = -ENOMEM;
		goto out;
	}
	for (size_t i = 0; i < n; i++) {
		const char *w;
		int r = parse_key(json_array_get(keys, i), &set->keys[set->n], &w);

		if (r < 0) {
			set_err(err, GW_JWT_ERR_NOMEM, "out of memory");
			ret = -ENOMEM;
			goto out;
		}
		if (r) {
			set->n++;
			continue;
		}
		set->skipped++;
		why = w;
		if (err)
			err->index = (int)i;
	}
	if (!set->n) {
		set_err(err, GW_JWKS_ERR_NO_KEYS, why);
		ret = -EINVAL;
		goto out;
	}
	*out = set;
	set = NULL;
	ret = 0;
out:
	gw_jwks_free(set);
	json_decref(root);
	return ret;
}

void gw_jwks_free(struct gw_jwks *jwks)
{
	if (!jwks)
		return;
	for (size_t i = 0; i < jwks->n; i++) {
		EVP_PKEY_free(jwks->keys[i].pkey);
		free(jwks->keys[i].kid);
	}
	free(jwks);
}

size_t gw_jwks_count(const struct gw_jwks *jwks)
{
	return jwks ? jwks->n : 0;
}

size_t gw_jwks_skipped(const struct gw_jwks *jwks)
{
	return jwks ? jwks->skipped : 0;
}
