// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * JWS compact tokens carrying JWTs: decoding (RFC 7515 section 5.2),
 * signature verification against a key set as Envoy's jwt_verify_lib
 * selects keys, and the registered claims (RFC 7519 section 4.1).
 * Error paths never allocate: reasons are static strings.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <openssl/err.h>
#include <openssl/rsa.h>

#include "jwt_internal.h"

struct gw_jwt {
	json_t *header;
	json_t *claims;
	enum gw_jwt_alg alg;
	const char *kid;  /* inside header, or NULL */
	size_t input_len; /* header.payload, the JWS Signing Input */
	size_t sig_len;
	uint8_t *sig; /* inside buf */
	char buf[];   /* signing input, NUL, then the decoded signature */
};

static int jwt_fail(struct gw_jwt_error *err, enum gw_jwt_err code, const char *reason, int ret)
{
	if (err) {
		err->code = code;
		err->reason = reason;
		err->index = -1;
	}
	return ret;
}

/* A segment decoded into scratch and loaded as a JSON object; NULL with *code set. */
static json_t *segment_json(const char *s, size_t len, uint8_t *scratch, enum gw_jwt_err *code)
{
	json_error_t jerr;
	json_t *j;
	long n = gw_b64url_decode(s, len, scratch, 0);

	if (n < 0) {
		*code = GW_JWT_ERR_BASE64;
		return NULL;
	}
	/*
	 * Duplicate names: RFC 7515 section 4 and RFC 7519 section 4 let a
	 * parser reject them or keep the last; two parsers keeping different
	 * ones is how a token means two things, so refuse.
	 */
	j = json_loadb((const char *)scratch, (size_t)n, JSON_REJECT_DUPLICATES, &jerr);
	if (!j || !json_is_object(j)) {
		json_decref(j);
		*code = GW_JWT_ERR_JSON;
		return NULL;
	}
	return j;
}

int gw_jwt_parse(const char *token, size_t len, size_t max_len, struct gw_jwt **out,
		 struct gw_jwt_error *err)
{
	const char *d1, *d2, *alg_s;
	enum gw_jwt_err code;
	struct gw_jwt *jwt;
	uint8_t *scratch;
	json_t *v;
	long sn;

	*out = NULL;
	if (!max_len)
		max_len = GW_JWT_MAX_LEN;
	/* bounded before anything is scanned or decoded */
	if (len > max_len && len - max_len > 1 + GW_JWT_MAX_SIG_LEN)
		return jwt_fail(err, GW_JWT_ERR_TOO_LONG, "token longer than the limit", -EINVAL);
	d1 = memchr(token, '.', len);
	d2 = d1 ? memchr(d1 + 1, '.', len - (size_t)(d1 + 1 - token)) : NULL;
	if (!d2 || memchr(d2 + 1, '.', len - (size_t)(d2 + 1 - token)))
		/* 5 segments would be JWE (RFC 7516 section 7.1): not a signed token */
		return jwt_fail(err, GW_JWT_ERR_SEGMENTS,
				"token is not three '.'-separated segments", -EINVAL);
	if ((size_t)(d2 - token) > max_len)
		return jwt_fail(err, GW_JWT_ERR_TOO_LONG,
				"token header.payload longer than the limit", -EINVAL);
	if (len - (size_t)(d2 + 1 - token) > GW_JWT_MAX_SIG_LEN)
		return jwt_fail(err, GW_JWT_ERR_TOO_LONG, "token signature longer than the limit",
				-EINVAL);

	/* signing input + NUL, signature, then scratch for the larger segment */
	jwt = calloc(1, sizeof(*jwt) + (size_t)(d2 - token) + 1 + GW_JWT_MAX_SIG_LEN +
				GW_B64URL_DECODED_MAX((size_t)(d2 - token)));
	if (!jwt)
		return jwt_fail(err, GW_JWT_ERR_NOMEM, "out of memory", -ENOMEM);
	jwt->input_len = (size_t)(d2 - token);
	memcpy(jwt->buf, token, jwt->input_len);
	jwt->sig = (uint8_t *)jwt->buf + jwt->input_len + 1;
	scratch = jwt->sig + GW_JWT_MAX_SIG_LEN;

	jwt->header = segment_json(token, (size_t)(d1 - token), scratch, &code);
	if (!jwt->header) {
		jwt_fail(err, code,
			 code == GW_JWT_ERR_BASE64
				 ? "header is not unpadded base64url"
				 : "header is not a JSON object without duplicates",
			 0);
		goto bad;
	}
	v = json_object_get(jwt->header, "alg");
	if (!json_is_string(v)) {
		jwt_fail(err, GW_JWT_ERR_HEADER, "header \"alg\" missing or not a string", 0);
		goto bad;
	}
	alg_s = json_string_value(v);
	jwt->alg = gw_jwt_alg_from_name(alg_s);
	if (!jwt->alg) {
		if (!strcmp(alg_s, "none"))
			/* RFC 7518 section 3.6: unsecured; RFC 8725 section 3.2 */
			jwt_fail(err, GW_JWT_ERR_ALG_NONE, "alg \"none\" (unsecured JWS) refused",
				 0);
		else if (!strcmp(alg_s, "HS256") || !strcmp(alg_s, "HS384") ||
			 !strcmp(alg_s, "HS512"))
			/* key confusion: an HMAC keyed with a public key (RFC 8725 section 2.1) */
			jwt_fail(err, GW_JWT_ERR_ALG_HMAC,
				 "HMAC alg refused: only public keys are held", 0);
		else
			jwt_fail(err, GW_JWT_ERR_ALG_UNSUPPORTED, "alg is not supported", 0);
		goto bad;
	}
	v = json_object_get(jwt->header, "kid");
	if (v && !json_is_string(v)) {
		jwt_fail(err, GW_JWT_ERR_HEADER, "header \"kid\" is not a string", 0);
		goto bad;
	}
	jwt->kid = v ? json_string_value(v) : NULL;
	/* RFC 7515 section 4.1.11: an extension named in crit must be understood,
	 * and gwd understands none (not even b64, RFC 7797) */
	if (json_object_get(jwt->header, "crit")) {
		jwt_fail(err, GW_JWT_ERR_CRIT, "header \"crit\" names an extension not understood",
			 0);
		goto bad;
	}
	jwt->claims = segment_json(d1 + 1, (size_t)(d2 - d1 - 1), scratch, &code);
	if (!jwt->claims) {
		jwt_fail(err, code,
			 code == GW_JWT_ERR_BASE64
				 ? "payload is not unpadded base64url"
				 : "payload is not a JSON object without duplicates",
			 0);
		goto bad;
	}
	sn = gw_b64url_decode(d2 + 1, len - (size_t)(d2 + 1 - token), jwt->sig, 0);
	if (sn < 0) {
		jwt_fail(err, GW_JWT_ERR_BASE64, "signature is not unpadded base64url", 0);
		goto bad;
	}
	jwt->sig_len = (size_t)sn;
	*out = jwt;
	return 0;
bad:
	/* jansson's own allocation failures read as JSON errors: fail closed either way */
	gw_jwt_free(jwt);
	return -EINVAL;
}

void gw_jwt_free(struct gw_jwt *jwt)
{
	if (!jwt)
		return;
	json_decref(jwt->header);
	json_decref(jwt->claims);
	free(jwt);
}

enum gw_jwt_alg gw_jwt_alg(const struct gw_jwt *jwt)
{
	return jwt->alg;
}

const char *gw_jwt_kid(const struct gw_jwt *jwt)
{
	return jwt->kid;
}

/* One DER INTEGER from a big-endian unsigned value (X.690 section 8.3). */
static size_t der_int(uint8_t *out, const uint8_t *v, size_t n)
{
	size_t o = 0;

	while (n > 1 && !v[0]) {
		v++;
		n--;
	}
	out[o++] = 0x02;
	out[o++] = (uint8_t)(n + (v[0] & 0x80 ? 1 : 0));
	if (v[0] & 0x80)
		out[o++] = 0;
	memcpy(out + o, v, n);
	return o + n;
}

/*
 * JOSE's ECDSA signature is R || S, each the coordinate size (RFC 7518
 * section 3.4); OpenSSL wants the DER Ecdsa-Sig-Value SEQUENCE. At most
 * 2 * (3 + 48) content octets: short-form lengths throughout.
 */
static size_t jose_to_der(uint8_t *der, const uint8_t *sig, size_t half)
{
	size_t n = 2;

	n += der_int(der + n, sig, half);
	n += der_int(der + n, sig + half, half);
	der[0] = 0x30;
	der[1] = (uint8_t)(n - 2);
	return n;
}

static const char *alg_md(enum gw_jwt_alg alg)
{
	switch (alg) {
	case GW_JWT_RS256:
	case GW_JWT_PS256:
	case GW_JWT_ES256:
		return "SHA256";
	case GW_JWT_RS384:
	case GW_JWT_PS384:
	case GW_JWT_ES384:
		return "SHA384";
	case GW_JWT_RS512:
	case GW_JWT_PS512:
		return "SHA512";
	default:
		return NULL; /* EdDSA hashes internally */
	}
}

/* 1 when sig is alg's signature of input under pkey, 0 when not, -ENOMEM. */
static int jws_verify(EVP_PKEY *pkey, enum gw_jwt_alg alg, const void *input, size_t len,
		      const uint8_t *sig, size_t sig_len)
{
	uint8_t der[2 + 2 * (3 + 48)];
	EVP_PKEY_CTX *pctx = NULL;
	EVP_MD_CTX *ctx;
	int ok = 0;

	if (alg == GW_JWT_ES256 || alg == GW_JWT_ES384) {
		size_t half = alg == GW_JWT_ES256 ? 32 : 48;

		/* a DER signature, or R||S of another curve, is not the JOSE form */
		if (sig_len != 2 * half)
			return 0;
		sig_len = jose_to_der(der, sig, half);
		sig = der;
	}
	ctx = EVP_MD_CTX_new();
	if (!ctx)
		return -ENOMEM;
	if (EVP_DigestVerifyInit_ex(ctx, &pctx, alg_md(alg), NULL, NULL, pkey, NULL) != 1)
		goto out;
	if (alg >= GW_JWT_PS256 && alg <= GW_JWT_PS512 &&
	    /* RFC 7518 section 3.5: MGF1 with the same hash, salt the hash's size */
	    (EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING) != 1 ||
	     EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, RSA_PSS_SALTLEN_DIGEST) != 1))
		goto out;
	ok = EVP_DigestVerify(ctx, sig, sig_len, input, len) == 1;
out:
	EVP_MD_CTX_free(ctx);
	/* a failed verification queues OpenSSL errors on this thread: drop them */
	ERR_clear_error();
	return ok;
}

int gw_jwt_verify_signature(const struct gw_jwt *jwt, const struct gw_jwks *jwks,
			    struct gw_jwt_error *err)
{
	enum gw_jwk_kty kty = gw_jwt_alg_kty(jwt->alg);
	size_t tried = 0;

	for (size_t i = 0; i < jwks->n; i++) {
		const struct gw_jwk *k = &jwks->keys[i];
		int r;

		/* jwt_verify_lib's selection: kid only narrows when both have one */
		if (jwt->kid && k->kid && strcmp(jwt->kid, k->kid))
			continue;
		if (k->alg && k->alg != jwt->alg)
			continue;
		/* the alg decides the key type, never the other way (RFC 8725 section 3.1) */
		if (k->kty != kty)
			continue;
		tried++;
		r = jws_verify(k->pkey, jwt->alg, jwt->buf, jwt->input_len, jwt->sig, jwt->sig_len);
		if (r < 0)
			return jwt_fail(err, GW_JWT_ERR_NOMEM, "out of memory", r);
		if (r)
			return 0;
	}
	if (!tried)
		return jwt_fail(err, GW_JWT_ERR_NO_KEY,
				"no key in the set fits the token's kid and alg", -EACCES);
	return jwt_fail(err, GW_JWT_ERR_SIGNATURE, "signature does not verify", -EACCES);
}

/* A NumericDate claim (RFC 7519 section 2): absent, or a non-negative number. */
static int numeric_date(json_t *claims, const char *name, double *out, bool *present)
{
	json_t *v = json_object_get(claims, name);

	*present = v != NULL;
	if (!v)
		return 0;
	if (!json_is_number(v) || json_number_value(v) < 0)
		return -1;
	*out = json_number_value(v);
	return 0;
}

int gw_jwt_check_claims(const struct gw_jwt *jwt, const struct gw_jwt_claims_policy *pol,
			struct gw_jwt_error *err)
{
	static const char *const string_claims[] = {"iss", "sub", "jti"};
	double exp = 0, nbf = 0, iat = 0, now = (double)pol->now, skew = pol->clock_skew;
	bool has_exp, has_nbf, has_iat;
	json_t *iss, *aud;

	for (size_t i = 0; i < sizeof(string_claims) / sizeof(string_claims[0]); i++) {
		json_t *v = json_object_get(jwt->claims, string_claims[i]);

		if (v && !json_is_string(v))
			return jwt_fail(err, GW_JWT_ERR_CLAIM_TYPE,
					"iss, sub or jti is not a string", -EACCES);
	}
	aud = json_object_get(jwt->claims, "aud");
	if (json_is_array(aud)) {
		for (size_t i = 0; i < json_array_size(aud); i++)
			if (!json_is_string(json_array_get(aud, i)))
				aud = NULL;
		if (!aud)
			return jwt_fail(err, GW_JWT_ERR_CLAIM_TYPE, "aud holds a non-string",
					-EACCES);
	} else if (aud && !json_is_string(aud)) {
		/* RFC 7519 section 4.1.3: a string or an array of strings */
		return jwt_fail(err, GW_JWT_ERR_CLAIM_TYPE, "aud is neither string nor array",
				-EACCES);
	}
	if (numeric_date(jwt->claims, "exp", &exp, &has_exp) ||
	    numeric_date(jwt->claims, "nbf", &nbf, &has_nbf) ||
	    numeric_date(jwt->claims, "iat", &iat, &has_iat))
		return jwt_fail(err, GW_JWT_ERR_CLAIM_TYPE, "exp, nbf or iat is not a NumericDate",
				-EACCES);

	iss = json_object_get(jwt->claims, "iss");
	if (pol->issuer && pol->issuer[0] && (!iss || strcmp(json_string_value(iss), pol->issuer)))
		return jwt_fail(err, GW_JWT_ERR_ISSUER, "iss is not the provider's issuer",
				-EACCES);
	if (pol->n_audiences) {
		bool found = false;

		for (size_t i = 0; i < pol->n_audiences && !found; i++) {
			if (json_is_string(aud)) {
				found = !strcmp(json_string_value(aud), pol->audiences[i]);
				continue;
			}
			for (size_t j = 0; j < json_array_size(aud) && !found; j++)
				found = !strcmp(json_string_value(json_array_get(aud, j)),
						pol->audiences[i]);
		}
		if (!found)
			return jwt_fail(err, GW_JWT_ERR_AUDIENCE, "no aud is one of the provider's",
					-EACCES);
	}
	/* RFC 7519 section 4.1.4: the current time MUST be before exp */
	if (has_exp && now >= exp + skew)
		return jwt_fail(err, GW_JWT_ERR_EXPIRED, "token expired (exp)", -EACCES);
	/* RFC 7519 section 4.1.5: not accepted before nbf */
	if (has_nbf && now + skew < nbf)
		return jwt_fail(err, GW_JWT_ERR_NOT_YET_VALID, "token not yet valid (nbf)",
				-EACCES);
	/* RFC 7519 section 4.1.6 makes iat informative; refusing a future one is opt-in */
	if (pol->check_iat && has_iat && iat > now + skew)
		return jwt_fail(err, GW_JWT_ERR_IAT_FUTURE, "token issued in the future (iat)",
				-EACCES);
	return 0;
}

int gw_jwt_verify(const char *token, size_t len, const struct gw_jwks *jwks,
		  const struct gw_jwt_claims_policy *pol, struct gw_jwt **out,
		  struct gw_jwt_error *err)
{
	struct gw_jwt *jwt;
	int r;

	if (out)
		*out = NULL;
	r = gw_jwt_parse(token, len, 0, &jwt, err);
	if (r)
		return r;
	r = gw_jwt_verify_signature(jwt, jwks, err);
	/* claims are looked at only once the signature says who wrote them */
	if (!r)
		r = gw_jwt_check_claims(jwt, pol, err);
	if (r || !out)
		gw_jwt_free(jwt);
	else
		*out = jwt;
	return r;
}

/* The shortest %g form that reads back as the same double. */
static int format_real(char *tmp, size_t size, double v)
{
	int n = 0;

	for (int prec = 1; prec <= 17; prec++) {
		n = snprintf(tmp, size, "%.*g", prec, v);
		if (strtod(tmp, NULL) == v)
			break;
	}
	return n;
}

int gw_jwt_claim_text(const struct gw_jwt *jwt, const char *path, char *buf, size_t size,
		      size_t *len)
{
	char tmp[40];
	const char *s = tmp, *seg = path;
	json_t *v = jwt->claims;
	size_t n;

	/* EG's ClaimToHeader.claim: names separated by '.', each an object member */
	for (;;) {
		const char *dot = strchr(seg, '.');
		size_t sl = dot ? (size_t)(dot - seg) : strlen(seg);

		if (!json_is_object(v))
			return -ENOENT;
		v = json_object_getn(v, seg, sl);
		if (!v)
			return -ENOENT;
		if (!dot)
			break;
		seg = dot + 1;
	}
	switch (json_typeof(v)) {
	case JSON_STRING:
		s = json_string_value(v);
		n = json_string_length(v);
		/* header text: a field value holds no CR, LF, NUL (RFC 9110 section 5.5) */
		for (size_t i = 0; i < n; i++)
			if ((unsigned char)s[i] < 0x20 && s[i] != '\t')
				return -EINVAL;
		if (memchr(s, 0x7f, n))
			return -EINVAL;
		break;
	case JSON_TRUE:
		s = "true";
		n = 4;
		break;
	case JSON_FALSE:
		s = "false";
		n = 5;
		break;
	case JSON_INTEGER:
		n = (size_t)snprintf(tmp, sizeof(tmp), "%" JSON_INTEGER_FORMAT,
				     json_integer_value(v));
		break;
	case JSON_REAL:
		n = (size_t)format_real(tmp, sizeof(tmp), json_real_value(v));
		break;
	case JSON_NULL:
		return -ENOENT;
	default:
		return -EINVAL;
	}
	if (len)
		*len = n;
	if (n + 1 > size)
		return -ENOSPC;
	memcpy(buf, s, n);
	buf[n] = 0;
	return 0;
}
