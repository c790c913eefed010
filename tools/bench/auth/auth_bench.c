// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Cost of one credential check with user/auth/, one thread, keys cached:
 * a whole gw_jwt_verify (parse, signature, claims) of ES256, RS256
 * (2048-bit), PS256, ES384 and EdDSA tokens, parsing alone, and
 * gw_htpasswd_check of bcrypt cost 5, apr1 and {SHA} entries. Prints
 * verifications per second and CPU microseconds per operation; not a test.
 *   .output/gw-bench-auth [seconds per case, default 1]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/rsa.h>

#include "gw/htpasswd.h"
#include "gw/jwt.h"

static double now_s(clockid_t c)
{
	struct timespec ts;

	clock_gettime(c, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static char *b64u(const unsigned char *d, size_t n)
{
	static const char a[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
	char *out = malloc(n * 4 / 3 + 4), *o = out;
	size_t i;

	for (i = 0; i + 3 <= n; i += 3) {
		unsigned v = (unsigned)d[i] << 16 | (unsigned)d[i + 1] << 8 | d[i + 2];

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

static char *bn_b64u(EVP_PKEY *k, const char *name, int pad)
{
	BIGNUM *bn = NULL;
	unsigned char buf[512];
	int n;

	EVP_PKEY_get_bn_param(k, name, &bn);
	n = pad ? BN_bn2binpad(bn, buf, pad) : BN_bn2bin(bn, buf);
	BN_free(bn);
	return b64u(buf, (size_t)n);
}

static struct gw_jwks *jwks_for(EVP_PKEY *k)
{
	char text[4096], *a, *b;
	struct gw_jwks *set;
	struct gw_jwt_error err;

	if (EVP_PKEY_is_a(k, "RSA")) {
		a = bn_b64u(k, OSSL_PKEY_PARAM_RSA_N, 0);
		b = bn_b64u(k, OSSL_PKEY_PARAM_RSA_E, 0);
		snprintf(text, sizeof(text),
			 "{\"keys\":[{\"kty\":\"RSA\",\"n\":\"%s\",\"e\":\"%s\"}]}", a, b);
	} else if (EVP_PKEY_is_a(k, "EC")) {
		int c = (EVP_PKEY_get_bits(k) + 7) / 8;

		a = bn_b64u(k, OSSL_PKEY_PARAM_EC_PUB_X, c);
		b = bn_b64u(k, OSSL_PKEY_PARAM_EC_PUB_Y, c);
		snprintf(text, sizeof(text),
			 "{\"keys\":[{\"kty\":\"EC\",\"crv\":\"%s\",\"x\":\"%s\",\"y\":\"%s\"}]}",
			 c == 32 ? "P-256" : "P-384", a, b);
	} else {
		unsigned char raw[32];
		size_t n = sizeof(raw);

		EVP_PKEY_get_raw_public_key(k, raw, &n);
		a = b64u(raw, n);
		b = NULL;
		snprintf(text, sizeof(text),
			 "{\"keys\":[{\"kty\":\"OKP\",\"crv\":\"Ed25519\",\"x\":\"%s\"}]}", a);
	}
	free(a);
	free(b);
	if (gw_jwks_parse(text, strlen(text), &set, &err)) {
		fprintf(stderr, "Couldn't parse the bench key set: %s\n", err.reason);
		exit(1);
	}
	return set;
}

/* A typical access token: kid, iss, aud, sub, scope, exp/iat/nbf. */
static char *token_for(EVP_PKEY *k, const char *alg)
{
	static const char claims[] =
		"{\"iss\":\"https://idp.example.com/realms/main\",\"aud\":[\"api\",\"web\"],"
		"\"sub\":\"6f1c2a9e-3d4b-4c8e-9a1f-0b2c3d4e5f60\",\"scope\":\"openid profile "
		"email\","
		"\"exp\":1800003600,\"iat\":1800000000,\"nbf\":1800000000,\"azp\":\"web-client\"}";
	char header[128], input[2048], *h, *p, *s, *out;
	const char *md = NULL;
	unsigned char sig[1024], jose[96];
	size_t n = sizeof(sig);
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	EVP_PKEY_CTX *pctx = NULL;

	snprintf(header, sizeof(header), "{\"alg\":\"%s\",\"typ\":\"JWT\",\"kid\":\"k1\"}", alg);
	h = b64u((const unsigned char *)header, strlen(header));
	p = b64u((const unsigned char *)claims, strlen(claims));
	snprintf(input, sizeof(input), "%s.%s", h, p);
	if (strcmp(alg, "EdDSA"))
		md = !strcmp(alg + 2, "256") ? "SHA256" : "SHA384";
	EVP_DigestSignInit_ex(ctx, &pctx, md, NULL, NULL, k, NULL);
	if (alg[0] == 'P') {
		EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING);
		EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, RSA_PSS_SALTLEN_DIGEST);
	}
	EVP_DigestSign(ctx, sig, &n, (const unsigned char *)input, strlen(input));
	EVP_MD_CTX_free(ctx);
	if (alg[0] == 'E' && alg[1] == 'S') {
		const unsigned char *q = sig;
		ECDSA_SIG *es = d2i_ECDSA_SIG(NULL, &q, (long)n);
		int half = !strcmp(alg, "ES256") ? 32 : 48;

		BN_bn2binpad(ECDSA_SIG_get0_r(es), jose, half);
		BN_bn2binpad(ECDSA_SIG_get0_s(es), jose + half, half);
		ECDSA_SIG_free(es);
		memcpy(sig, jose, (size_t)(2 * half));
		n = (size_t)(2 * half);
	}
	s = b64u(sig, n);
	out = malloc(strlen(input) + strlen(s) + 2);
	sprintf(out, "%s.%s", input, s);
	free(h);
	free(p);
	free(s);
	return out;
}

static double secs = 1.0;

/* Runs op until secs of wall time pass; prints ops/s and CPU us per op. */
static void run(const char *name, int (*op)(void *), void *arg)
{
	double w0, c0, w, c;
	long n = 0;

	int r = op(arg);

	if (r) {
		fprintf(stderr, "Couldn't run bench case '%s': the first check failed: %s\n", name,
			strerror(-r));
		exit(1);
	}
	w0 = now_s(CLOCK_MONOTONIC);
	c0 = now_s(CLOCK_PROCESS_CPUTIME_ID);
	do {
		for (int i = 0; i < 16; i++)
			op(arg);
		n += 16;
		w = now_s(CLOCK_MONOTONIC) - w0;
	} while (w < secs);
	c = now_s(CLOCK_PROCESS_CPUTIME_ID) - c0;
	printf("%-28s %10.0f verifications/s %9.2f us CPU/op  (%ld ops)\n", name, (double)n / w,
	       c / (double)n * 1e6, n);
}

struct jwt_case {
	const char *tok;
	struct gw_jwks *set;
};

static const char *const auds[] = {"api"};
static const struct gw_jwt_claims_policy pol = {.issuer = "https://idp.example.com/realms/main",
						.audiences = auds,
						.n_audiences = 1,
						.now = 1800000100,
						.clock_skew = 60};

static int op_jwt(void *arg)
{
	struct jwt_case *c = arg;

	struct gw_jwt_error err;
	int r = gw_jwt_verify(c->tok, strlen(c->tok), c->set, &pol, NULL, &err);

	if (r)
		fprintf(stderr, "Couldn't verify the bench token: %s\n", err.reason);
	return r;
}

static int op_parse(void *arg)
{
	struct jwt_case *c = arg;
	struct gw_jwt *j;
	int r = gw_jwt_parse(c->tok, strlen(c->tok), 0, &j, NULL);

	gw_jwt_free(j);
	return r;
}

struct pw_case {
	struct gw_htpasswd *h;
	const char *user, *pw;
};

static int op_pw(void *arg)
{
	struct pw_case *c = arg;

	return gw_htpasswd_check(c->h, c->user, strlen(c->user), c->pw, strlen(c->pw));
}

int main(int argc, char **argv)
{
	static const struct {
		const char *name, *alg, *type;
		const void *param;
	} jwts[] = {
		{"JWT ES256 (P-256)", "ES256", "EC", "P-256"},
		{"JWT RS256 (RSA-2048)", "RS256", "RSA", NULL},
		{"JWT PS256 (RSA-2048)", "PS256", "RSA", NULL},
		{"JWT ES384 (P-384)", "ES384", "EC", "P-384"},
		{"JWT EdDSA (Ed25519)", "EdDSA", "ED25519", NULL},
	};
	/* htpasswd 2.4: -nbB -C 5, -nbm, -nbs (tests/unit/auth/htpasswd.c has the same) */
	static const char file[] =
		"bc:$2y$05$WpUlKi6uSLRdtQvRNb9K9eDTdPGVhTypzX9KCdRQ2xXX3ORbSWcYa\n"
		"md:$apr1$ie4PV6xe$OUxpZmwUJ6zf7sMBLCQ77/\n"
		"sha:{SHA}87u9ZqY9S/F0eUBXjsPQEDUw4h0=\n";
	struct gw_htpasswd_error herr;
	struct gw_htpasswd *h;
	struct jwt_case es = {0};

	if (argc > 1)
		secs = atof(argv[1]);
	printf("# user/auth/ verification cost, one thread, %s, %.1f s per case\n",
	       OpenSSL_version(OPENSSL_VERSION), secs);
	for (size_t i = 0; i < sizeof(jwts) / sizeof(jwts[0]); i++) {
		EVP_PKEY *k =
			jwts[i].param && !strcmp(jwts[i].type, "EC")
				? EVP_PKEY_Q_keygen(NULL, NULL, "EC", (const char *)jwts[i].param)
			: !strcmp(jwts[i].type, "RSA")
				? EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)2048)
				: EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");
		struct jwt_case c = {token_for(k, jwts[i].alg), jwks_for(k)};

		run(jwts[i].name, op_jwt, &c);
		if (i == 0)
			es = c;
		else {
			free((char *)c.tok);
			gw_jwks_free(c.set);
		}
		EVP_PKEY_free(k);
	}
	run("JWT parse only (ES256 token)", op_parse, &es);
	free((char *)es.tok);
	gw_jwks_free(es.set);
	if (gw_htpasswd_parse(file, strlen(file), &h, &herr)) {
		fprintf(stderr, "Couldn't parse the bench htpasswd: line %u: %s\n", herr.line,
			herr.reason);
		return 1;
	}
	run("htpasswd bcrypt cost 5", op_pw, &(struct pw_case){h, "bc", "correct horse"});
	run("htpasswd apr1", op_pw, &(struct pw_case){h, "md", "secret"});
	run("htpasswd {SHA}", op_pw, &(struct pw_case){h, "sha", "hunter2"});
	gw_htpasswd_free(h);
	return 0;
}
