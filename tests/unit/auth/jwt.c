// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * JWT/JWKS verification (user/auth/{b64url,jwks,jwt}.c): the RFC 7515
 * A.2/A.3 and RFC 8037 A.4 vectors, tokens signed here with OpenSSL keys
 * made at start-up for every algorithm, kid selection, and one test per
 * rejection rule of docs/auth.md.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/hmac.h>
#include <openssl/pem.h>

#include "user/auth/b64url.c"
#include "user/auth/jwks.c"
#include "user/auth/jwt.c"

#define NOW 1800000000LL

/* keys made once: two of each kind, so "the other key" exists */
static EVP_PKEY *rsa[2], *p256[2], *p384[2], *ed[2], *rsa1024;

/* ---- helpers: base64url, JWK export, signing ---- */

static char *b64u(const void *data, size_t n)
{
	static const char a[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
	const uint8_t *d = data;
	char *out = malloc(n * 4 / 3 + 4), *o = out;
	size_t i;

	for (i = 0; i + 3 <= n; i += 3) {
		uint32_t v = (uint32_t)d[i] << 16 | (uint32_t)d[i + 1] << 8 | d[i + 2];

		*o++ = a[v >> 18];
		*o++ = a[(v >> 12) & 63];
		*o++ = a[(v >> 6) & 63];
		*o++ = a[v & 63];
	}
	if (n - i == 1) {
		*o++ = a[d[i] >> 2];
		*o++ = a[(d[i] & 3) << 4];
	} else if (n - i == 2) {
		*o++ = a[d[i] >> 2];
		*o++ = a[((d[i] & 3) << 4) | d[i + 1] >> 4];
		*o++ = a[(d[i + 1] & 15) << 2];
	}
	*o = 0;
	return out;
}

static char *b64u_str(const char *s)
{
	return b64u(s, strlen(s));
}

static char *bn_b64u(EVP_PKEY *k, const char *name, size_t pad)
{
	BIGNUM *bn = NULL;
	uint8_t buf[1024];
	int n;

	assert_int_equal(EVP_PKEY_get_bn_param(k, name, &bn), 1);
	n = pad ? BN_bn2binpad(bn, buf, (int)pad) : BN_bn2bin(bn, buf);
	BN_free(bn);
	return b64u(buf, (size_t)n);
}

/* The public JWK of k, with optional kid, alg and extra members (",..." text). */
static char *jwk(EVP_PKEY *k, const char *kid, const char *alg, const char *extra)
{
	char *out = malloc(4096), *a = NULL, *b = NULL, head[256];

	snprintf(head, sizeof(head), "%s%s%s%s%s%s", kid ? "\"kid\":\"" : "", kid ? kid : "",
		 kid ? "\"," : "", alg ? "\"alg\":\"" : "", alg ? alg : "", alg ? "\"," : "");
	if (EVP_PKEY_is_a(k, "RSA")) {
		a = bn_b64u(k, OSSL_PKEY_PARAM_RSA_N, 0);
		b = bn_b64u(k, OSSL_PKEY_PARAM_RSA_E, 0);
		snprintf(out, 4096, "{%s\"kty\":\"RSA\",\"n\":\"%s\",\"e\":\"%s\"%s}", head, a, b,
			 extra ? extra : "");
	} else if (EVP_PKEY_is_a(k, "EC")) {
		size_t c = (size_t)(EVP_PKEY_get_bits(k) + 7) / 8;

		a = bn_b64u(k, OSSL_PKEY_PARAM_EC_PUB_X, c);
		b = bn_b64u(k, OSSL_PKEY_PARAM_EC_PUB_Y, c);
		snprintf(out, 4096, "{%s\"kty\":\"EC\",\"crv\":\"%s\",\"x\":\"%s\",\"y\":\"%s\"%s}",
			 head, c == 32 ? "P-256" : "P-384", a, b, extra ? extra : "");
	} else {
		uint8_t raw[32];
		size_t n = sizeof(raw);

		assert_int_equal(EVP_PKEY_get_raw_public_key(k, raw, &n), 1);
		a = b64u(raw, n);
		snprintf(out, 4096, "{%s\"kty\":\"OKP\",\"crv\":\"Ed25519\",\"x\":\"%s\"%s}", head,
			 a, extra ? extra : "");
	}
	free(a);
	free(b);
	return out;
}

/* {"keys":[a, b, ...]} from jwk() strings (freed). */
static char *set_of(int n, ...)
{
	char *out = calloc(1, 64 * 1024);
	va_list ap;

	strcpy(out, "{\"keys\":[");
	va_start(ap, n);
	for (int i = 0; i < n; i++) {
		char *k = va_arg(ap, char *);

		if (i)
			strcat(out, ",");
		strcat(out, k);
		free(k);
	}
	va_end(ap);
	strcat(out, "]}");
	return out;
}

static struct gw_jwks *jwks_of(char *text)
{
	struct gw_jwt_error err = {0};
	struct gw_jwks *s = NULL;

	if (gw_jwks_parse(text, strlen(text), &s, &err))
		fail_msg("jwks refused: %s (%s)", err.reason, text);
	free(text);
	return s;
}

/* The signature of input by k in alg's JOSE form (ECDSA as R||S). */
static size_t sign(EVP_PKEY *k, const char *alg, const char *input, uint8_t *out)
{
	const char *md = NULL;
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	EVP_PKEY_CTX *pctx = NULL;
	uint8_t der[1024];
	size_t n = sizeof(der);

	if (strcmp(alg, "EdDSA"))
		md = !strcmp(alg + 2, "256")   ? "SHA256"
		     : !strcmp(alg + 2, "384") ? "SHA384"
					       : "SHA512";
	assert_int_equal(EVP_DigestSignInit_ex(ctx, &pctx, md, NULL, NULL, k, NULL), 1);
	if (alg[0] == 'P') {
		assert_int_equal(EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING), 1);
		assert_int_equal(EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, RSA_PSS_SALTLEN_DIGEST), 1);
	}
	assert_int_equal(EVP_DigestSign(ctx, der, &n, (const uint8_t *)input, strlen(input)), 1);
	EVP_MD_CTX_free(ctx);
	if (alg[0] == 'E' && alg[1] == 'S') {
		const uint8_t *p = der;
		ECDSA_SIG *s = d2i_ECDSA_SIG(NULL, &p, (long)n);
		size_t half = !strcmp(alg, "ES256") ? 32 : 48;

		assert_non_null(s);
		BN_bn2binpad(ECDSA_SIG_get0_r(s), out, (int)half);
		BN_bn2binpad(ECDSA_SIG_get0_s(s), out + half, (int)half);
		ECDSA_SIG_free(s);
		return 2 * half;
	}
	memcpy(out, der, n);
	return n;
}

/* header.payload.signature from JSON texts; signed by k with alg (NULL k: sig as given). */
static char *token_raw(const char *header, const char *payload, EVP_PKEY *k, const char *alg)
{
	char *h = b64u_str(header), *p = b64u_str(payload), *input, *s, *out;
	uint8_t sig[1024];
	size_t n = 0;

	input = malloc(strlen(h) + strlen(p) + 2);
	sprintf(input, "%s.%s", h, p);
	if (k)
		n = sign(k, alg, input, sig);
	s = b64u(sig, n);
	out = malloc(strlen(input) + strlen(s) + 2);
	sprintf(out, "%s.%s", input, s);
	free(h);
	free(p);
	free(input);
	free(s);
	return out;
}

/* A token signed by k with alg and kid (NULL: none), claims as given. */
static char *token(EVP_PKEY *k, const char *alg, const char *kid, const char *claims)
{
	char header[256];

	if (kid)
		snprintf(header, sizeof(header), "{\"alg\":\"%s\",\"kid\":\"%s\",\"typ\":\"JWT\"}",
			 alg, kid);
	else
		snprintf(header, sizeof(header), "{\"alg\":\"%s\"}", alg);
	return token_raw(header, claims, k, alg);
}

static const struct gw_jwt_claims_policy open_policy = {.now = NOW, .clock_skew = 60};

/* Verifies (signature and claims); returns the error code, GW_JWT_OK on success. */
static enum gw_jwt_err verify_pol(const char *tok, const struct gw_jwks *set,
				  const struct gw_jwt_claims_policy *pol)
{
	struct gw_jwt_error err = {.code = GW_JWT_ERR__COUNT};
	int r = gw_jwt_verify(tok, strlen(tok), set, pol, NULL, &err);

	if (!r)
		return GW_JWT_OK;
	assert_true(r == -EINVAL || r == -EACCES);
	assert_non_null(err.reason);
	assert_true(err.code != GW_JWT_OK && err.code < GW_JWT_ERR__COUNT);
	return err.code;
}

static enum gw_jwt_err verify(const char *tok, const struct gw_jwks *set)
{
	return verify_pol(tok, set, &open_policy);
}

/* The parse error of tok (GW_JWT_OK if it parses). */
static enum gw_jwt_err parse_err(const char *tok, size_t max_len)
{
	struct gw_jwt_error err = {0};
	struct gw_jwt *j = NULL;
	int r = gw_jwt_parse(tok, strlen(tok), max_len, &j, &err);

	gw_jwt_free(j);
	if (!r)
		return GW_JWT_OK;
	assert_int_equal(r, -EINVAL);
	assert_null(j);
	return err.code;
}

static enum gw_jwt_err jwks_err(const char *text, size_t *skipped)
{
	struct gw_jwt_error err = {0};
	struct gw_jwks *s = NULL;
	int r = gw_jwks_parse(text, strlen(text), &s, &err);

	if (skipped)
		*skipped = gw_jwks_skipped(s);
	gw_jwks_free(s);
	if (!r)
		return GW_JWT_OK;
	assert_int_equal(r, -EINVAL);
	return err.code;
}

static int setup(void **state)
{
	(void)state;
	for (int i = 0; i < 2; i++) {
		rsa[i] = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)2048);
		p256[i] = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
		p384[i] = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-384");
		ed[i] = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");
		if (!rsa[i] || !p256[i] || !p384[i] || !ed[i])
			return -1;
	}
	rsa1024 = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)1024);
	return rsa1024 ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	for (int i = 0; i < 2; i++) {
		EVP_PKEY_free(rsa[i]);
		EVP_PKEY_free(p256[i]);
		EVP_PKEY_free(p384[i]);
		EVP_PKEY_free(ed[i]);
	}
	EVP_PKEY_free(rsa1024);
	return 0;
}

/* ---- published vectors ---- */

/* RFC 7515 A.2.1 (the RSA key's public part) and A.2 / A.3 tokens. */
#define A2_N                                                                                       \
	"ofgWCuLjybRlzo0tZWJjNiuSfb4p4fAkd_wWJcyQoTbji9k0l8W26mPddxHmfHQp-Vaw-"                    \
	"4qPCJrcS2mJPMEzP1Pt0"                                                                     \
	"Bm4d4QlL-yRT-SFd2lZS-pCgNMsD1W_YpRPEwOWvG6b32690r2jZ47soMZo9wGzjb_7OMg0LOL-bSf63kpaSHSXn" \
	"dS5z5rexMdbBYUsLA9e-KXBdQOS-UTo7WTBEMa2R2CapHg665xsmtdVMTBQY4uDZlxvb3qCo5ZwKh9kG4LT6_I5I" \
	"hlJH7aGhyxXFvUK-DWNmoudF8NAco9_h9iaGNj8q2ethFkMLs91kzk2PAcDTW9gb54h4FRWyuXpoQ"
#define A_PAYLOAD                                                                                  \
	"eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFtcGxlLmNvbS9pc19yb290Ijp0" \
	"cnVlfQ"
#define A2_TOKEN                                                                                 \
	"eyJhbGciOiJSUzI1NiJ9." A_PAYLOAD                                                        \
	".cC4hiUPoj9Eetdgtv3hF80EGrhuB__dzERat0XF9g2VtQgr9PJbu3XOiZj5RZmh7AAuHIm4Bh-0Qc_lF5YKt_" \
	"O8W"                                                                                    \
	"2Fp5jujGbds9uJdbF9CUAr7t1dnZcAcQjbKBYNX4BAynRFdiuB--f_"                                 \
	"nZLgrnbyTyWzO75vRK5h6xBArLIARNPvkSj"                                                    \
	"tQBMHlb1L07Qe7K0GarZRmB_eSN9383LcOLn6_dO--xi12jzDwusC-"                                 \
	"eOkHWEsqtFZESc6BfI7noOPqvhJ1phCnvWh"                                                    \
	"6IeYI2w9QOYEUipUTI8np6LbgGY9Fs98rqVt5AXLIhWkWywlVmtVrBp0igcN_IoypGlUPQGe77Rw"
#define A3_JWK                                                                                     \
	"{\"kty\":\"EC\",\"crv\":\"P-256\",\"x\":\"f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU\"," \
	"\"y\":\"x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0\"}"
#define A3_TOKEN                          \
	"eyJhbGciOiJFUzI1NiJ9." A_PAYLOAD \
	".DtEhU3ljbEg8L38VWAfUAqOyKAM6-Xx-F4GawxaepmXFCgfTjDxw5djxLa8ISlSApmWQxfKTUJqPP3-Kg6NU1Q"
/* the payload's exp is 1300819380 */
static const struct gw_jwt_claims_policy a_policy = {
	.issuer = "joe", .now = 1300819000, .clock_skew = 60};

static void test_rfc7515_a2_rs256(void **state)
{
	struct gw_jwks *set =
		jwks_of(strdup("{\"keys\":[{\"kty\":\"RSA\",\"n\":\"" A2_N "\",\"e\":\"AQAB\"}]}"));
	struct gw_jwt_claims_policy late = a_policy;
	struct gw_jwt *jwt = NULL;
	struct gw_jwt_error err;
	char buf[64];

	(void)state;
	assert_int_equal(gw_jwt_verify(A2_TOKEN, strlen(A2_TOKEN), set, &a_policy, &jwt, &err), 0);
	assert_int_equal(gw_jwt_alg(jwt), GW_JWT_RS256);
	assert_null(gw_jwt_kid(jwt));
	assert_int_equal(gw_jwt_claim_text(jwt, "iss", buf, sizeof(buf), NULL), 0);
	assert_string_equal(buf, "joe");
	assert_int_equal(gw_jwt_claim_text(jwt, "exp", buf, sizeof(buf), NULL), 0);
	assert_string_equal(buf, "1300819380");
	gw_jwt_free(jwt);
	/* exp 1300819380, skew 60: valid until 1300819440 exclusive */
	late.now = 1300819439;
	assert_int_equal(verify_pol(A2_TOKEN, set, &late), GW_JWT_OK);
	late.now = 1300819440;
	assert_int_equal(verify_pol(A2_TOKEN, set, &late), GW_JWT_ERR_EXPIRED);
	gw_jwks_free(set);
}

static void test_rfc7515_a3_es256(void **state)
{
	struct gw_jwks *set = jwks_of(strdup("{\"keys\":[" A3_JWK "]}"));
	char bad[] = A3_TOKEN;

	(void)state;
	assert_int_equal(verify_pol(A3_TOKEN, set, &a_policy), GW_JWT_OK);
	/* flip one bit of S (last character 'Q' -> 'R' changes the low bits) */
	bad[strlen(bad) - 2] ^= 1;
	assert_int_equal(verify_pol(bad, set, &a_policy), GW_JWT_ERR_SIGNATURE);
	gw_jwks_free(set);
}

static void test_rfc8037_a4_eddsa(void **state)
{
	static const char input[] = "eyJhbGciOiJFZERTQSJ9.RXhhbXBsZSBvZiBFZDI1NTE5IHNpZ25pbmc";
	static const char sig64[] = "hgyY0il_MGCjP0JzlnLWG1PPOt7-09PGcvMg3AIbQR6dWbhijcNR4ki4iylGjg"
				    "5BhVsPt9g7sVvpAr_MuM0KAg";
	struct gw_jwks *set =
		jwks_of(strdup("{\"keys\":[{\"kty\":\"OKP\",\"crv\":\"Ed25519\","
			       "\"x\":\"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo\"}]}"));
	char tok[256];
	uint8_t sig[80];
	long n = gw_b64url_decode(sig64, strlen(sig64), sig, 0);

	(void)state;
	assert_int_equal(n, 64);
	assert_int_equal(jws_verify(set->keys[0].pkey, GW_JWT_EDDSA, input, strlen(input), sig, 64),
			 1);
	sig[10] ^= 1;
	assert_int_equal(jws_verify(set->keys[0].pkey, GW_JWT_EDDSA, input, strlen(input), sig, 64),
			 0);
	/* the A.4 payload is not JSON, so as a JWT it is refused before any key is used */
	snprintf(tok, sizeof(tok), "%s.%s", input, sig64);
	assert_int_equal(parse_err(tok, 0), GW_JWT_ERR_JSON);
	gw_jwks_free(set);
}

/* ---- generated tokens ---- */

#define CLAIMS "{\"sub\":\"alice\",\"exp\":1800000600}"

static void test_every_alg_signs_and_verifies(void **state)
{
	static const struct {
		const char *alg;
		EVP_PKEY **k;
	} v[] = {
		{"RS256", rsa}, {"RS384", rsa},	 {"RS512", rsa},  {"PS256", rsa}, {"PS384", rsa},
		{"PS512", rsa}, {"ES256", p256}, {"ES384", p384}, {"EdDSA", ed},
	};

	(void)state;
	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		struct gw_jwks *set = jwks_of(set_of(1, jwk(v[i].k[0], NULL, NULL, NULL)));
		struct gw_jwks *other = jwks_of(set_of(1, jwk(v[i].k[1], NULL, NULL, NULL)));
		char *t = token(v[i].k[0], v[i].alg, NULL, CLAIMS);
		char *forged;

		if (verify(t, set) != GW_JWT_OK)
			fail_msg("%s: does not verify", v[i].alg);
		/* the same kind of key, not the signer's */
		assert_int_equal(verify(t, other), GW_JWT_ERR_SIGNATURE);
		/* the signature of one claims set on another */
		forged = token(v[i].k[0], v[i].alg, NULL, "{\"sub\":\"mallory\"}");
		memcpy(strrchr(forged, '.') + 1, strrchr(t, '.') + 1, strlen(strrchr(t, '.') + 1));
		assert_int_equal(verify(forged, set), GW_JWT_ERR_SIGNATURE);
		free(forged);
		free(t);
		gw_jwks_free(set);
		gw_jwks_free(other);
	}
}

static void test_es_der_conversion(void **state)
{
	/* R with leading zero octets and the high bit set after them; S with the high bit */
	uint8_t rs[64], der[2 + 2 * 51];
	unsigned char *ref = NULL;
	ECDSA_SIG *s = ECDSA_SIG_new();
	size_t n;
	int rn;

	(void)state;
	memset(rs, 0, 2);
	memset(rs + 2, 0x81, 30);
	memset(rs + 32, 0xff, 32);
	n = jose_to_der(der, rs, 32);
	ECDSA_SIG_set0(s, BN_bin2bn(rs, 32, NULL), BN_bin2bn(rs + 32, 32, NULL));
	rn = i2d_ECDSA_SIG(s, &ref);
	assert_int_equal(n, (size_t)rn);
	assert_memory_equal(der, ref, n);
	OPENSSL_free(ref);
	ECDSA_SIG_free(s);
	/* many real ES256/ES384 signatures: every R/S shape verifies */
	{
		struct gw_jwks *set = jwks_of(
			set_of(2, jwk(p256[0], NULL, NULL, NULL), jwk(p384[0], NULL, NULL, NULL)));

		for (int i = 0; i < 64; i++) {
			char claims[64], *a, *b;

			snprintf(claims, sizeof(claims), "{\"n\":%d}", i);
			a = token(p256[0], "ES256", NULL, claims);
			b = token(p384[0], "ES384", NULL, claims);
			assert_int_equal(verify(a, set), GW_JWT_OK);
			assert_int_equal(verify(b, set), GW_JWT_OK);
			free(a);
			free(b);
		}
		gw_jwks_free(set);
	}
}

static void test_kid_selection(void **state)
{
	struct gw_jwks *set =
		jwks_of(set_of(2, jwk(p256[0], "a", NULL, NULL), jwk(p256[1], "b", NULL, NULL)));
	struct gw_jwks *nokid = jwks_of(set_of(1, jwk(p256[1], NULL, NULL, NULL)));
	char *t;

	(void)state;
	t = token(p256[1], "ES256", "b", CLAIMS);
	assert_int_equal(verify(t, set), GW_JWT_OK);
	/* a key without kid is tried for any kid */
	assert_int_equal(verify(t, nokid), GW_JWT_OK);
	free(t);
	/* kid a names the other key: only it is tried */
	t = token(p256[1], "ES256", "a", CLAIMS);
	assert_int_equal(verify(t, set), GW_JWT_ERR_SIGNATURE);
	free(t);
	t = token(p256[1], "ES256", "zzz", CLAIMS);
	assert_int_equal(verify(t, set), GW_JWT_ERR_NO_KEY);
	free(t);
	/* no kid in the token: every key is tried, as Envoy does */
	t = token(p256[1], "ES256", NULL, CLAIMS);
	assert_int_equal(verify(t, set), GW_JWT_OK);
	free(t);
	gw_jwks_free(set);
	gw_jwks_free(nokid);
}

static void test_reject_alg_key_mismatch(void **state)
{
	struct gw_jwks *rs = jwks_of(set_of(1, jwk(rsa[0], NULL, "RS256", NULL)));
	struct gw_jwks *ec = jwks_of(set_of(1, jwk(p256[0], NULL, NULL, NULL)));
	struct gw_jwks *okp = jwks_of(set_of(1, jwk(ed[0], NULL, NULL, NULL)));
	char *t;

	(void)state;
	/* the key says RS256: a PS256 token by the same private key finds no key */
	t = token(rsa[0], "PS256", NULL, CLAIMS);
	assert_int_equal(verify(t, rs), GW_JWT_ERR_NO_KEY);
	free(t);
	t = token(p384[0], "ES384", NULL, CLAIMS);
	assert_int_equal(verify(t, ec), GW_JWT_ERR_NO_KEY); /* P-256 key, ES384 token */
	free(t);
	t = token(rsa[0], "RS256", NULL, CLAIMS);
	assert_int_equal(verify(t, ec), GW_JWT_ERR_NO_KEY);
	assert_int_equal(verify(t, okp), GW_JWT_ERR_NO_KEY);
	free(t);
	t = token(ed[0], "EdDSA", NULL, CLAIMS);
	assert_int_equal(verify(t, rs), GW_JWT_ERR_NO_KEY);
	free(t);
	gw_jwks_free(rs);
	gw_jwks_free(ec);
	gw_jwks_free(okp);
}

static void test_reject_alg_none(void **state)
{
	struct gw_jwks *set = jwks_of(set_of(1, jwk(rsa[0], NULL, NULL, NULL)));
	char *t = token_raw("{\"alg\":\"none\"}", CLAIMS, NULL, NULL);

	(void)state;
	assert_int_equal(verify(t, set), GW_JWT_ERR_ALG_NONE);
	free(t);
	/* names are case-sensitive: "None" is simply unknown */
	t = token_raw("{\"alg\":\"None\"}", CLAIMS, NULL, NULL);
	assert_int_equal(verify(t, set), GW_JWT_ERR_ALG_UNSUPPORTED);
	free(t);
	gw_jwks_free(set);
}

static void test_reject_hmac_key_confusion(void **state)
{
	/* the classic forgery: HS256 keyed with the RSA public key's PEM */
	struct gw_jwks *set = jwks_of(set_of(1, jwk(rsa[0], NULL, NULL, NULL)));
	BIO *bio = BIO_new(BIO_s_mem());
	char *h = b64u_str("{\"alg\":\"HS256\"}"), *p = b64u_str(CLAIMS), input[512], *s, *tok;
	uint8_t mac[32];
	unsigned ml = 32;
	char *pem;
	long pl;

	(void)state;
	PEM_write_bio_PUBKEY(bio, rsa[0]);
	pl = BIO_get_mem_data(bio, &pem);
	snprintf(input, sizeof(input), "%s.%s", h, p);
	HMAC(EVP_sha256(), pem, (int)pl, (uint8_t *)input, strlen(input), mac, &ml);
	s = b64u(mac, ml);
	tok = malloc(strlen(input) + strlen(s) + 2);
	sprintf(tok, "%s.%s", input, s);
	assert_int_equal(verify(tok, set), GW_JWT_ERR_ALG_HMAC);
	assert_int_equal(parse_err(tok, 0), GW_JWT_ERR_ALG_HMAC);
	free(tok);
	BIO_free(bio);
	free(h);
	free(p);
	free(s);
	gw_jwks_free(set);
}

static void test_reject_hs_variants(void **state)
{
	char *t;

	(void)state;
	t = token_raw("{\"alg\":\"HS384\"}", CLAIMS, NULL, NULL);
	assert_int_equal(parse_err(t, 0), GW_JWT_ERR_ALG_HMAC);
	free(t);
	t = token_raw("{\"alg\":\"HS512\"}", CLAIMS, NULL, NULL);
	assert_int_equal(parse_err(t, 0), GW_JWT_ERR_ALG_HMAC);
	free(t);
}

static void test_reject_unsupported_alg(void **state)
{
	static const char *const algs[] = {"ES512", "RS1", "ES256K", "Ed25519", "", "rs256"};

	(void)state;
	for (size_t i = 0; i < sizeof(algs) / sizeof(algs[0]); i++) {
		char h[64], *t;

		snprintf(h, sizeof(h), "{\"alg\":\"%s\"}", algs[i]);
		t = token_raw(h, CLAIMS, NULL, NULL);
		assert_int_equal(parse_err(t, 0), GW_JWT_ERR_ALG_UNSUPPORTED);
		free(t);
	}
}

static void test_reject_crit(void **state)
{
	struct gw_jwks *set = jwks_of(set_of(1, jwk(p256[0], NULL, NULL, NULL)));
	char *t = token_raw("{\"alg\":\"ES256\",\"crit\":[\"exp\"],\"exp\":1}", CLAIMS, p256[0],
			    "ES256");

	(void)state;
	assert_int_equal(verify(t, set), GW_JWT_ERR_CRIT);
	free(t);
	t = token_raw("{\"alg\":\"ES256\",\"b64\":false,\"crit\":[\"b64\"]}", CLAIMS, p256[0],
		      "ES256");
	assert_int_equal(verify(t, set), GW_JWT_ERR_CRIT);
	free(t);
	/* malformed crit is refused as well */
	t = token_raw("{\"alg\":\"ES256\",\"crit\":\"x\"}", CLAIMS, p256[0], "ES256");
	assert_int_equal(verify(t, set), GW_JWT_ERR_CRIT);
	free(t);
	gw_jwks_free(set);
}

static void test_reject_oversize(void **state)
{
	char *claims = malloc(GW_JWT_MAX_LEN + 64), *t;
	char *h = b64u_str("{\"alg\":\"ES256\"}");
	size_t hl = strlen(h), room;

	(void)state;
	free(h);
	/* a token whose header.payload is exactly the limit parses */
	room = (GW_JWT_MAX_LEN - hl - 1) / 4 * 3 - 10;
	sprintf(claims, "{\"p\":\"%0*d\"}", (int)room, 0);
	t = token(p256[0], "ES256", NULL, claims);
	assert_true(strchr(strchr(t, '.') + 1, '.') - t <= GW_JWT_MAX_LEN);
	assert_int_equal(parse_err(t, 0), GW_JWT_OK);
	/* a caller's huge limit does not wrap around */
	assert_int_equal(parse_err(t, SIZE_MAX), GW_JWT_OK);
	free(t);
	sprintf(claims, "{\"p\":\"%0*d\"}", (int)room + 8, 0);
	t = token(p256[0], "ES256", NULL, claims);
	assert_true(strchr(strchr(t, '.') + 1, '.') - t > GW_JWT_MAX_LEN);
	assert_int_equal(parse_err(t, 0), GW_JWT_ERR_TOO_LONG);
	free(t);
	/* a smaller limit from the caller */
	t = token(p256[0], "ES256", NULL, CLAIMS);
	assert_int_equal(parse_err(t, 64), GW_JWT_OK); /* 20 + 1 + 43: exactly 64 */
	assert_int_equal(parse_err(t, 63), GW_JWT_ERR_TOO_LONG);
	assert_int_equal(parse_err(t, 0), GW_JWT_OK);
	free(t);
	/* a signature segment over GW_JWT_MAX_SIG_LEN */
	t = malloc(64 + GW_JWT_MAX_SIG_LEN + 8);
	strcpy(t, "eyJhbGciOiJFUzI1NiJ9.e30.");
	memset(t + strlen(t), 'A', GW_JWT_MAX_SIG_LEN + 4);
	t[25 + GW_JWT_MAX_SIG_LEN + 4] = 0;
	assert_int_equal(parse_err(t, 0), GW_JWT_ERR_TOO_LONG);
	free(t);
	free(claims);
}

static void test_reject_segments(void **state)
{
	static const char *const toks[] = {
		"",
		"eyJhbGciOiJFUzI1NiJ9",
		"eyJhbGciOiJFUzI1NiJ9.e30",
		"eyJhbGciOiJFUzI1NiJ9.e30.AAAA.AAAA",
		/* JWE compact: five segments */
		"eyJhbGciOiJSU0EtT0FFUCJ9.AAAA.AAAA.AAAA.AAAA",
	};

	(void)state;
	for (size_t i = 0; i < sizeof(toks) / sizeof(toks[0]); i++)
		assert_int_equal(parse_err(toks[i], 0), GW_JWT_ERR_SEGMENTS);
}

static void test_reject_base64(void **state)
{
	struct gw_jwks *set = jwks_of(set_of(1, jwk(p256[0], NULL, NULL, NULL)));
	char *t = token(p256[0], "ES256", NULL, CLAIMS), buf[1024];
	const char *d1 = strchr(t, '.'), *d2 = strchr(d1 + 1, '.');

	(void)state;
	assert_int_equal(verify(t, set), GW_JWT_OK);
	/* '=' padding on the header ({"alg":"ES256"} encodes to 20 characters, padded 20) */
	snprintf(buf, sizeof(buf), "eyJhbGciOiJFUzI1NiJ9==%s", d1);
	assert_int_equal(parse_err(buf, 0), GW_JWT_ERR_BASE64);
	/* the standard alphabet's '+' and '/' */
	snprintf(buf, sizeof(buf), "eyJhbGciOiJFUzI1NiJ9.%.*s+%s", (int)(d2 - d1 - 2), d1 + 1, d2);
	assert_int_equal(parse_err(buf, 0), GW_JWT_ERR_BASE64);
	/* padding on the signature */
	snprintf(buf, sizeof(buf), "%s==", t);
	assert_int_equal(parse_err(buf, 0), GW_JWT_ERR_BASE64);
	/* a lone trailing character: 86 + 3 characters, length mod 4 == 1 */
	snprintf(buf, sizeof(buf), "%sAAA", t);
	assert_int_equal(parse_err(buf, 0), GW_JWT_ERR_BASE64);
	/* non-zero pad bits: "e30" is {}, "e31" decodes the same octets in a lax decoder */
	assert_int_equal(parse_err("eyJhbGciOiJFUzI1NiJ9.e30.AAAA", 0), GW_JWT_OK);
	assert_int_equal(parse_err("eyJhbGciOiJFUzI1NiJ9.e31.AAAA", 0), GW_JWT_ERR_BASE64);
	/* whitespace inside a segment */
	assert_int_equal(parse_err("eyJhbGciOiJFUzI1NiJ9.e3 0.AAAA", 0), GW_JWT_ERR_BASE64);
	free(t);
	gw_jwks_free(set);
}

static void test_reject_json(void **state)
{
	static const struct {
		const char *header, *payload;
	} v[] = {
		/* duplicate names: RFC 7515 section 4, RFC 7519 section 4 */
		{"{\"alg\":\"ES256\",\"alg\":\"none\"}", "{}"},
		{"{\"alg\":\"ES256\"}", "{\"sub\":\"alice\",\"sub\":\"admin\"}"},
		/* not objects */
		{"[\"alg\",\"ES256\"]", "{}"},
		{"{\"alg\":\"ES256\"}", "[1]"},
		{"{\"alg\":\"ES256\"}", "\"sub\""},
		/* not JSON */
		{"{\"alg\":\"ES256\"", "{}"},
		{"{\"alg\":\"ES256\"}", "{} x"},
		{"{\"alg\":\"ES256\"}", ""},
		{"{\"alg\":\"ES256\"}", "{\"a\":\"\\u0000\"}"},
		{"{\"alg\":\"ES256\"}", "{\"a\":\"\xff\"}"},
	};

	(void)state;
	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		char *t = token_raw(v[i].header, v[i].payload, NULL, NULL);

		if (parse_err(t, 0) != GW_JWT_ERR_JSON)
			fail_msg("case %zu: %s . %s not refused as JSON", i, v[i].header,
				 v[i].payload);
		free(t);
	}
}

static void test_reject_header_members(void **state)
{
	static const char *const headers[] = {
		"{}",
		"{\"typ\":\"JWT\"}",
		"{\"alg\":256}",
		"{\"alg\":null}",
		"{\"alg\":\"ES256\",\"kid\":7}",
		"{\"alg\":\"ES256\",\"kid\":[\"a\"]}",
	};

	(void)state;
	for (size_t i = 0; i < sizeof(headers) / sizeof(headers[0]); i++) {
		char *t = token_raw(headers[i], CLAIMS, NULL, NULL);

		assert_int_equal(parse_err(t, 0), GW_JWT_ERR_HEADER);
		free(t);
	}
}

static void test_reject_embedded_key_ignored(void **state)
{
	/* a jwk header (RFC 7515 section 4.1.3) with the attacker's key is never used */
	struct gw_jwks *set = jwks_of(set_of(1, jwk(p256[0], NULL, NULL, NULL)));
	char *k = jwk(p256[1], NULL, NULL, NULL), header[1024], *t;

	(void)state;
	snprintf(header, sizeof(header), "{\"alg\":\"ES256\",\"jwk\":%s}", k);
	t = token_raw(header, CLAIMS, p256[1], "ES256");
	assert_int_equal(verify(t, set), GW_JWT_ERR_SIGNATURE);
	free(t);
	free(k);
	gw_jwks_free(set);
}

static void test_reject_es_signature_shape(void **state)
{
	struct gw_jwks *set = jwks_of(set_of(1, jwk(p256[0], NULL, NULL, NULL)));
	char *h = b64u_str("{\"alg\":\"ES256\"}"), *p = b64u_str(CLAIMS), input[256], *s, tok[512];
	uint8_t der[128];
	size_t n = sizeof(der);
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();

	(void)state;
	snprintf(input, sizeof(input), "%s.%s", h, p);
	/* the right signature in DER (OpenSSL's form), not JOSE's R||S */
	EVP_DigestSignInit_ex(ctx, NULL, "SHA256", NULL, NULL, p256[0], NULL);
	EVP_DigestSign(ctx, der, &n, (uint8_t *)input, strlen(input));
	EVP_MD_CTX_free(ctx);
	s = b64u(der, n);
	snprintf(tok, sizeof(tok), "%s.%s", input, s);
	assert_int_equal(verify(tok, set), GW_JWT_ERR_SIGNATURE);
	free(s);
	/* R||S of 63 and of 0 octets */
	memset(der, 1, 63);
	s = b64u(der, 63);
	snprintf(tok, sizeof(tok), "%s.%s", input, s);
	assert_int_equal(verify(tok, set), GW_JWT_ERR_SIGNATURE);
	snprintf(tok, sizeof(tok), "%s.", input);
	assert_int_equal(verify(tok, set), GW_JWT_ERR_SIGNATURE);
	free(s);
	free(h);
	free(p);
	gw_jwks_free(set);
}

/* ---- claims ---- */

static enum gw_jwt_err claims_err(const char *claims, const struct gw_jwt_claims_policy *pol)
{
	static struct gw_jwks *set;
	enum gw_jwt_err e;
	char *t;

	if (!set)
		set = jwks_of(set_of(1, jwk(ed[0], NULL, NULL, NULL)));
	t = token(ed[0], "EdDSA", NULL, claims);
	e = verify_pol(t, set, pol);
	free(t);
	return e;
}

static void test_issuer(void **state)
{
	struct gw_jwt_claims_policy pol = {.issuer = "https://idp.example", .now = NOW};

	(void)state;
	assert_int_equal(claims_err("{\"iss\":\"https://idp.example\"}", &pol), GW_JWT_OK);
	assert_int_equal(claims_err("{\"iss\":\"https://idp.example/\"}", &pol), GW_JWT_ERR_ISSUER);
	assert_int_equal(claims_err("{\"iss\":\"https://evil.example\"}", &pol), GW_JWT_ERR_ISSUER);
	assert_int_equal(claims_err("{}", &pol), GW_JWT_ERR_ISSUER);
	assert_int_equal(claims_err("{\"iss\":1}", &pol), GW_JWT_ERR_CLAIM_TYPE);
	/* no issuer configured: not checked (EG: "If not provided, the JWT issuer is not checked")
	 */
	pol.issuer = NULL;
	assert_int_equal(claims_err("{\"iss\":\"anyone\"}", &pol), GW_JWT_OK);
}

static void test_audience(void **state)
{
	static const char *const auds[] = {"api", "web"};
	struct gw_jwt_claims_policy pol = {.audiences = auds, .n_audiences = 2, .now = NOW};

	(void)state;
	assert_int_equal(claims_err("{\"aud\":\"web\"}", &pol), GW_JWT_OK);
	assert_int_equal(claims_err("{\"aud\":[\"x\",\"api\"]}", &pol), GW_JWT_OK);
	assert_int_equal(claims_err("{\"aud\":\"apix\"}", &pol), GW_JWT_ERR_AUDIENCE);
	assert_int_equal(claims_err("{\"aud\":[]}", &pol), GW_JWT_ERR_AUDIENCE);
	assert_int_equal(claims_err("{}", &pol), GW_JWT_ERR_AUDIENCE);
	assert_int_equal(claims_err("{\"aud\":[\"api\",1]}", &pol), GW_JWT_ERR_CLAIM_TYPE);
	assert_int_equal(claims_err("{\"aud\":{\"api\":1}}", &pol), GW_JWT_ERR_CLAIM_TYPE);
	pol.n_audiences = 0;
	assert_int_equal(claims_err("{\"aud\":\"other\"}", &pol), GW_JWT_OK);
	assert_int_equal(claims_err("{\"aud\":7}", &pol), GW_JWT_ERR_CLAIM_TYPE);
}

static void test_time_claims(void **state)
{
	struct gw_jwt_claims_policy pol = {.now = NOW, .clock_skew = 60};
	char c[128];

	(void)state;
	/* exp: valid while now < exp + skew (RFC 7519 section 4.1.4) */
	snprintf(c, sizeof(c), "{\"exp\":%lld}", NOW - 59);
	assert_int_equal(claims_err(c, &pol), GW_JWT_OK);
	snprintf(c, sizeof(c), "{\"exp\":%lld}", NOW - 60);
	assert_int_equal(claims_err(c, &pol), GW_JWT_ERR_EXPIRED);
	snprintf(c, sizeof(c), "{\"exp\":%lld.5}", NOW - 60);
	assert_int_equal(claims_err(c, &pol), GW_JWT_OK);
	/* nbf: valid once now >= nbf - skew (section 4.1.5) */
	snprintf(c, sizeof(c), "{\"nbf\":%lld}", NOW + 60);
	assert_int_equal(claims_err(c, &pol), GW_JWT_OK);
	snprintf(c, sizeof(c), "{\"nbf\":%lld}", NOW + 61);
	assert_int_equal(claims_err(c, &pol), GW_JWT_ERR_NOT_YET_VALID);
	/* no exp: accepted, as EG does (no requireExpiration field) */
	assert_int_equal(claims_err("{}", &pol), GW_JWT_OK);
	/* iat in the future: accepted unless check_iat (Envoy does not look at iat) */
	snprintf(c, sizeof(c), "{\"iat\":%lld}", NOW + 3600);
	assert_int_equal(claims_err(c, &pol), GW_JWT_OK);
	pol.check_iat = true;
	assert_int_equal(claims_err(c, &pol), GW_JWT_ERR_IAT_FUTURE);
	snprintf(c, sizeof(c), "{\"iat\":%lld}", NOW + 60);
	assert_int_equal(claims_err(c, &pol), GW_JWT_OK);
	/* no skew */
	pol.clock_skew = 0;
	snprintf(c, sizeof(c), "{\"exp\":%lld}", NOW);
	assert_int_equal(claims_err(c, &pol), GW_JWT_ERR_EXPIRED);
	snprintf(c, sizeof(c), "{\"exp\":%lld}", NOW + 1);
	assert_int_equal(claims_err(c, &pol), GW_JWT_OK);
}

static void test_reject_claim_types(void **state)
{
	static const char *const claims[] = {
		"{\"exp\":\"1800000600\"}", "{\"exp\":-1}", "{\"nbf\":true}", "{\"iat\":[1]}",
		"{\"exp\":null}",	    "{\"sub\":42}", "{\"jti\":{}}",   "{\"iss\":[\"a\"]}",
	};

	(void)state;
	for (size_t i = 0; i < sizeof(claims) / sizeof(claims[0]); i++)
		if (claims_err(claims[i], &open_policy) != GW_JWT_ERR_CLAIM_TYPE)
			fail_msg("%s not refused", claims[i]);
}

static void test_claim_text(void **state)
{
	struct gw_jwks *set = jwks_of(set_of(1, jwk(ed[0], NULL, NULL, NULL)));
	char *t = token(ed[0], "EdDSA", NULL,
			"{\"sub\":\"alice\",\"n\":42,\"neg\":-7,\"r\":0.1,\"big\":1e300,\"t\":true,"
			"\"f\":false,\"z\":null,\"a\":[1],\"o\":{\"k\":{\"deep\":\"v\"},\"i\":3},"
			"\"crlf\":\"a\\r\\nInjected: 1\",\"tab\":\"a\\tb\",\"u\":\"\\u00e9\"}");
	struct gw_jwt *jwt = NULL;
	char buf[64], small[4];
	size_t len = 0;

	(void)state;
	assert_int_equal(gw_jwt_verify(t, strlen(t), set, &open_policy, &jwt, NULL), 0);
#define TEXT(path, want)                                                                   \
	do {                                                                               \
		assert_int_equal(gw_jwt_claim_text(jwt, path, buf, sizeof(buf), &len), 0); \
		assert_string_equal(buf, want);                                            \
		assert_int_equal(len, strlen(want));                                       \
	} while (0)
	TEXT("sub", "alice");
	TEXT("n", "42");
	TEXT("neg", "-7");
	TEXT("r", "0.1");
	TEXT("big", "1e+300");
	TEXT("t", "true");
	TEXT("f", "false");
	TEXT("o.k.deep", "v");
	TEXT("o.i", "3");
	TEXT("tab", "a\tb");
	TEXT("u", "\xc3\xa9");
#undef TEXT
	assert_int_equal(gw_jwt_claim_text(jwt, "z", buf, sizeof(buf), NULL), -ENOENT);
	assert_int_equal(gw_jwt_claim_text(jwt, "missing", buf, sizeof(buf), NULL), -ENOENT);
	assert_int_equal(gw_jwt_claim_text(jwt, "sub.x", buf, sizeof(buf), NULL), -ENOENT);
	assert_int_equal(gw_jwt_claim_text(jwt, "o.k.deep.er", buf, sizeof(buf), NULL), -ENOENT);
	assert_int_equal(gw_jwt_claim_text(jwt, "o.", buf, sizeof(buf), NULL), -ENOENT);
	assert_int_equal(gw_jwt_claim_text(jwt, "a", buf, sizeof(buf), NULL), -EINVAL);
	assert_int_equal(gw_jwt_claim_text(jwt, "o", buf, sizeof(buf), NULL), -EINVAL);
	/* a claim that would split the header it is copied into */
	assert_int_equal(gw_jwt_claim_text(jwt, "crlf", buf, sizeof(buf), NULL), -EINVAL);
	assert_int_equal(gw_jwt_claim_text(jwt, "sub", small, sizeof(small), &len), -ENOSPC);
	assert_int_equal(len, 5);
	gw_jwt_free(jwt);
	free(t);
	gw_jwks_free(set);
}

/* ---- key sets ---- */

static void test_jwks_kinds(void **state)
{
	struct gw_jwks *set;
	size_t skipped = 9;

	(void)state;
	set = jwks_of(set_of(4, jwk(rsa[0], "r", "RS256", ",\"use\":\"sig\""),
			     jwk(p256[0], "e1", "ES256", NULL), jwk(p384[0], "e2", NULL, NULL),
			     jwk(ed[0], "o", "EdDSA", NULL)));
	assert_int_equal(gw_jwks_count(set), 4);
	assert_int_equal(gw_jwks_skipped(set), 0);
	assert_int_equal(set->keys[2].kty, GW_JWK_EC_P384);
	assert_string_equal(set->keys[3].kid, "o");
	gw_jwks_free(set);
	/* private members are ignored, only the public part is kept */
	set = jwks_of(
		strdup("{\"keys\":[{\"kty\":\"EC\",\"crv\":\"P-256\",\"x\":\"f83OJ3D2xF1Bg8vub"
		       "9tLe1gHMzV76e8Tus9uPHvRVEU\",\"y\":\"x_FEzRu9m36HLN_tue659LNpXW6pCySt"
		       "ikYjKIWI5a0\",\"d\":\"jpsQnnGQmL-YBIffH1136cspYG6-0iY7X1fCE9-E9LI\"}],"
		       "\"other\":1}"));
	assert_int_equal(gw_jwks_count(set), 1);
	gw_jwks_free(set);
	/* base64url with '=' padding in a key set: Envoy's decoder takes it, so do we */
	assert_int_equal(
		jwks_err("{\"keys\":[{\"kty\":\"OKP\",\"crv\":\"Ed25519\",\"x\":\"11qYAYKxC"
			 "rfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo=\"}]}",
			 &skipped),
		GW_JWT_OK);
	assert_int_equal(skipped, 0);
}

static void test_jwks_skips_unusable_keys(void **state)
{
	char *good = jwk(p256[0], "good", NULL, NULL);
	char *s;
	struct gw_jwks *set;

	(void)state;
	s = set_of(11, jwk(p256[1], "enc", NULL, ",\"use\":\"enc\""),
		   strdup("{\"kty\":\"oct\",\"k\":\"c2VjcmV0\",\"alg\":\"HS256\"}"),
		   strdup("{\"kty\":\"XYZ\"}"), strdup("{\"kid\":\"nokty\"}"), strdup("42"),
		   jwk(rsa1024, "short", NULL, NULL), jwk(p256[1], "rsalg", "RS256", NULL),
		   jwk(p256[1], "hs", "HS256", NULL), jwk(ed[1], "x25519", NULL, NULL),
		   strdup("{\"kty\":\"EC\",\"crv\":\"P-521\",\"x\":\"AA\",\"y\":\"AA\"}"), good);
	/* the Ed25519 JWK above, turned into X25519 */
	{
		char *x = strstr(s, "\"Ed25519\"");

		memcpy(x + 1, "X25519\"", 7);
		memmove(x + 8, x + 9, strlen(x + 9) + 1);
	}
	set = jwks_of(s);
	assert_int_equal(gw_jwks_count(set), 1);
	assert_int_equal(gw_jwks_skipped(set), 10);
	assert_string_equal(set->keys[0].kid, "good");
	gw_jwks_free(set);
}

static void test_jwks_bad_members(void **state)
{
	static const char *const keys[] = {
		/* EC x one octet short */
		"{\"kty\":\"EC\",\"crv\":\"P-256\",\"x\":"
		"\"f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVA\","
		"\"y\":\"x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0\"}",
		/* EC point not on the curve (y of A.3 with the last octet changed) */
		"{\"kty\":\"EC\",\"crv\":\"P-256\",\"x\":"
		"\"f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU\","
		"\"y\":\"x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a4\"}",
		/* EC x not base64url */
		"{\"kty\":\"EC\",\"crv\":\"P-256\",\"x\":"
		"\"f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVE+\","
		"\"y\":\"x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0\"}",
		/* missing y */
		"{\"kty\":\"EC\",\"crv\":\"P-256\",\"x\":"
		"\"f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU\"}",
		/* RSA exponent 17 */
		"{\"kty\":\"RSA\",\"n\":\"" A2_N "\",\"e\":\"EQ\"}",
		/* RSA without n */
		"{\"kty\":\"RSA\",\"e\":\"AQAB\"}",
		/* OKP x of 31 octets */
		"{\"kty\":\"OKP\",\"crv\":\"Ed25519\",\"x\":\"11qYAYKxCrfVS_"
		"7TyWQHOg7hcvPapiMlrwIaaPcHUQ\"}",
		/* OKP without crv */
		"{\"kty\":\"OKP\",\"x\":\"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo\"}",
		/* kid not a string */
		"{\"kty\":\"OKP\",\"kid\":1,\"crv\":\"Ed25519\",\"x\":\"11qYAYKxCrfVS_"
		"7TyWQHOg7hcvPapiMl"
		"rwIaaPcHURo\"}",
	};

	(void)state;
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		char text[1024];
		size_t skipped = 0;

		snprintf(text, sizeof(text), "{\"keys\":[%s]}", keys[i]);
		if (jwks_err(text, &skipped) != GW_JWKS_ERR_NO_KEYS)
			fail_msg("key %zu accepted: %s", i, keys[i]);
	}
}

static void test_jwks_rsa_size_limits(void **state)
{
	/* n of all-ones octets: 8192 bits kept, 8200 skipped (could never verify) */
	uint8_t n[1025];
	char text[2048], *b;

	(void)state;
	memset(n, 0xff, sizeof(n));
	b = b64u(n, 1024);
	snprintf(text, sizeof(text), "{\"keys\":[{\"kty\":\"RSA\",\"n\":\"%s\",\"e\":\"AQAB\"}]}",
		 b);
	free(b);
	assert_int_equal(jwks_err(text, NULL), GW_JWT_OK);
	b = b64u(n, 1025);
	snprintf(text, sizeof(text), "{\"keys\":[{\"kty\":\"RSA\",\"n\":\"%s\",\"e\":\"AQAB\"}]}",
		 b);
	free(b);
	assert_int_equal(jwks_err(text, NULL), GW_JWKS_ERR_NO_KEYS);
}

static void test_jwks_refused_sets(void **state)
{
	(void)state;
	assert_int_equal(jwks_err("", NULL), GW_JWKS_ERR_JSON);
	assert_int_equal(jwks_err("{\"keys\":", NULL), GW_JWKS_ERR_JSON);
	assert_int_equal(jwks_err("[]", NULL), GW_JWKS_ERR_JSON);
	assert_int_equal(jwks_err("{}", NULL), GW_JWKS_ERR_JSON);
	assert_int_equal(jwks_err("{\"keys\":{}}", NULL), GW_JWKS_ERR_JSON);
	assert_int_equal(jwks_err("{\"keys\":[]}", NULL), GW_JWKS_ERR_NO_KEYS);
	assert_int_equal(jwks_err("{\"keys\":[],\"keys\":[]}", NULL), GW_JWKS_ERR_JSON);
	/* Envoy's kid-to-PEM-certificate map is not read (docs/auth.md) */
	assert_int_equal(jwks_err("{\"k1\":\"-----BEGIN CERTIFICATE-----\\nMII\\n-----END "
				  "CERTIFICATE-----\\n\"}",
				  NULL),
			 GW_JWKS_ERR_JSON);
	{
		char *big = malloc(GW_JWKS_MAX_LEN + 16);

		memset(big, ' ', GW_JWKS_MAX_LEN + 1);
		memcpy(big, "{\"keys\":[]}", 11);
		big[GW_JWKS_MAX_LEN + 1] = 0;
		assert_int_equal(jwks_err(big, NULL), GW_JWKS_ERR_TOO_LONG);
		free(big);
	}
	{
		char *many = malloc((GW_JWKS_MAX_KEYS + 1) * 3 + 16), *p = many;

		p += sprintf(p, "{\"keys\":[");
		for (int i = 0; i <= GW_JWKS_MAX_KEYS; i++)
			p += sprintf(p, "%s{}", i ? "," : "");
		strcpy(p, "]}");
		assert_int_equal(jwks_err(many, NULL), GW_JWKS_ERR_TOO_LONG);
		free(many);
	}
}

static void test_b64url(void **state)
{
	uint8_t out[16];

	(void)state;
	assert_int_equal(gw_b64url_decode("", 0, out, 0), 0);
	assert_int_equal(gw_b64url_decode("AQAB", 4, out, 0), 3);
	assert_memory_equal(out, "\x01\x00\x01", 3);
	assert_int_equal(gw_b64url_decode("-_8", 3, out, 0), 2);
	assert_memory_equal(out, "\xfb\xff", 2);
	assert_int_equal(gw_b64url_decode("-_9", 3, out, 0), -EINVAL); /* pad bits */
	assert_int_equal(gw_b64url_decode("QQ==", 4, out, 0), -EINVAL);
	assert_int_equal(gw_b64url_decode("QQ==", 4, out, 1), 1);
	assert_int_equal(gw_b64url_decode("QUI=", 4, out, 1), 2);
	assert_int_equal(gw_b64url_decode("Q===", 4, out, 1), -EINVAL);
	assert_int_equal(gw_b64url_decode("QQ=", 3, out, 1), -EINVAL);
	assert_int_equal(gw_b64url_decode("A", 1, out, 0), -EINVAL);
	assert_int_equal(gw_b64url_decode("QR", 2, out, 0), -EINVAL);
}

static void test_error_names(void **state)
{
	(void)state;
	for (int c = 0; c < GW_JWT_ERR__COUNT; c++)
		assert_non_null(err_names[c]);
	assert_string_equal(gw_jwt_err_name(GW_JWT_ERR_ALG_NONE), "alg_none");
	assert_string_equal(gw_jwt_err_name(GW_JWT_ERR__COUNT), "unknown");
	assert_string_equal(gw_jwt_alg_name(GW_JWT_EDDSA), "EdDSA");
	assert_null(gw_jwt_alg_name(GW_JWT_ALG_UNSET));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rfc7515_a2_rs256),
		cmocka_unit_test(test_rfc7515_a3_es256),
		cmocka_unit_test(test_rfc8037_a4_eddsa),
		cmocka_unit_test(test_every_alg_signs_and_verifies),
		cmocka_unit_test(test_es_der_conversion),
		cmocka_unit_test(test_kid_selection),
		cmocka_unit_test(test_reject_alg_key_mismatch),
		cmocka_unit_test(test_reject_alg_none),
		cmocka_unit_test(test_reject_hmac_key_confusion),
		cmocka_unit_test(test_reject_hs_variants),
		cmocka_unit_test(test_reject_unsupported_alg),
		cmocka_unit_test(test_reject_crit),
		cmocka_unit_test(test_reject_oversize),
		cmocka_unit_test(test_reject_segments),
		cmocka_unit_test(test_reject_base64),
		cmocka_unit_test(test_reject_json),
		cmocka_unit_test(test_reject_header_members),
		cmocka_unit_test(test_reject_embedded_key_ignored),
		cmocka_unit_test(test_reject_es_signature_shape),
		cmocka_unit_test(test_issuer),
		cmocka_unit_test(test_audience),
		cmocka_unit_test(test_time_claims),
		cmocka_unit_test(test_reject_claim_types),
		cmocka_unit_test(test_claim_text),
		cmocka_unit_test(test_jwks_kinds),
		cmocka_unit_test(test_jwks_skips_unusable_keys),
		cmocka_unit_test(test_jwks_bad_members),
		cmocka_unit_test(test_jwks_rsa_size_limits),
		cmocka_unit_test(test_jwks_refused_sets),
		cmocka_unit_test(test_b64url),
		cmocka_unit_test(test_error_names),
	};

	return cmocka_run_group_tests_name("auth/jwt", tests, setup, teardown);
}
