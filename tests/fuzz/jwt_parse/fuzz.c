// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * JWT parsing invariants (issue 14): gw_jwt_parse either refuses with a
 * code and a reason, or yields a token with a supported alg whose
 * header.payload is within the limit; whatever it yields can be
 * verified against a key set (RSA, P-256, P-384, Ed25519), checked for
 * claims and looked up by path without fault. Two input modes: byte 0 even, the rest is a token;
 * odd, the rest is "header\npayload\nsignature" whose first two parts are
 * base64url-encoded here, so mutations reach the JSON inside.
 */
#include <assert.h>
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "gw/jwt.h"

static const char jwks_text[] =
	"{\"keys\":["
	/* RFC 7515 A.2 */
	"{\"kty\":\"RSA\",\"kid\":\"r\",\"e\":\"AQAB\",\"n\":\"ofgWCuLjybRlzo0tZWJjNiuSfb4p4fAkd_"
	"wWJcyQo"
	"Tbji9k0l8W26mPddxHmfHQp-Vaw-4qPCJrcS2mJPMEzP1Pt0Bm4d4QlL-yRT-SFd2lZS-pCgNMsD1W_"
	"YpRPEwOWvG6b"
	"32690r2jZ47soMZo9wGzjb_7OMg0LOL-bSf63kpaSHSXndS5z5rexMdbBYUsLA9e-KXBdQOS-"
	"UTo7WTBEMa2R2CapHg"
	"665xsmtdVMTBQY4uDZlxvb3qCo5ZwKh9kG4LT6_I5IhlJH7aGhyxXFvUK-DWNmoudF8NAco9_"
	"h9iaGNj8q2ethFkMLs"
	"91kzk2PAcDTW9gb54h4FRWyuXpoQ\"},"
	/* RFC 7515 A.3 */
	"{\"kty\":\"EC\",\"crv\":\"P-256\",\"x\":\"f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU\","
	"\"y\":\"x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0\"},"
	/* a P-384 key made with OpenSSL for this target */
	"{\"kty\":\"EC\",\"crv\":\"P-384\",\"kid\":\"p384\","
	"\"x\":\"ZZPpdFJhnE2RaEjQ6OyCCMsqja5P-E8u9HMIhqLD4CeOdE7eFFn1AJw03U6To2f6\","
	"\"y\":\"V1EjClcN_flIFO3Wp7sWjeAvFkkq95j_49sndevDrOvNeprDoF7udJOr8vlof2Tj\"},"
	/* RFC 8037 A.2 */
	"{\"kty\":\"OKP\",\"crv\":\"Ed25519\",\"x\":\"11qYAYKxCrfVS_"
	"7TyWQHOg7hcvPapiMlrwIaaPcHURo\"}"
	"]}";

static struct gw_jwks *jwks;

static size_t b64u(const uint8_t *d, size_t n, char *out)
{
	static const char a[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
	size_t o = 0, i;

	for (i = 0; i + 3 <= n; i += 3) {
		uint32_t v = (uint32_t)d[i] << 16 | (uint32_t)d[i + 1] << 8 | d[i + 2];

		out[o++] = a[v >> 18];
		out[o++] = a[(v >> 12) & 63];
		out[o++] = a[(v >> 6) & 63];
		out[o++] = a[v & 63];
	}
	if (n - i == 1) {
		out[o++] = a[d[i] >> 2];
		out[o++] = a[(d[i] & 3) << 4];
	} else if (n - i == 2) {
		out[o++] = a[d[i] >> 2];
		out[o++] = a[((d[i] & 3) << 4) | d[i + 1] >> 4];
		out[o++] = a[(d[i + 1] & 15) << 2];
	}
	return o;
}

static void run(const char *tok, size_t len)
{
	static const char *const auds[] = {"api", "joe"};
	struct gw_jwt_claims_policy pol = {.issuer = "joe",
					   .audiences = auds,
					   .n_audiences = 2,
					   .now = 1300819000,
					   .clock_skew = 60,
					   .check_iat = true};
	struct gw_jwt_error err = {0};
	struct gw_jwt *jwt = NULL;
	char buf[64];
	int r = gw_jwt_parse(tok, len, 0, &jwt, &err);

	if (r) {
		assert(r == -EINVAL || r == -ENOMEM);
		assert(!jwt && err.reason && err.code > GW_JWT_OK && err.code < GW_JWT_ERR__COUNT);
		return;
	}
	assert(gw_jwt_alg_name(gw_jwt_alg(jwt)));
	{
		const char *d1 = memchr(tok, '.', len);
		const char *d2 = d1 ? memchr(d1 + 1, '.', len - (size_t)(d1 + 1 - tok)) : NULL;

		assert(d2 && (size_t)(d2 - tok) <= GW_JWT_MAX_LEN);
	}
	r = gw_jwt_verify_signature(jwt, jwks, &err);
	assert(r == 0 || r == -EACCES || r == -ENOMEM);
	if (r == -EACCES)
		assert(err.code == GW_JWT_ERR_NO_KEY || err.code == GW_JWT_ERR_SIGNATURE);
	r = gw_jwt_check_claims(jwt, &pol, &err);
	assert(r == 0 || (r == -EACCES && err.reason));
	pol.issuer = NULL;
	pol.n_audiences = 0;
	pol.clock_skew = UINT32_MAX;
	gw_jwt_check_claims(jwt, &pol, &err);
	for (int i = 0; i < 4; i++) {
		static const char *const paths[] = {"sub", "iss", "a.b.c", ""};
		size_t n = 0;

		r = gw_jwt_claim_text(jwt, paths[i], buf, sizeof(buf), &n);
		assert(r == 0 || r == -ENOENT || r == -EINVAL || r == -ENOSPC);
		if (!r)
			assert(strlen(buf) == n && n < sizeof(buf));
	}
	gw_jwt_free(jwt);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char tok[3 * 8192];

	if (!jwks) {
		struct gw_jwt_error err;

		if (gw_jwks_parse(jwks_text, strlen(jwks_text), &jwks, &err) ||
		    gw_jwks_count(jwks) != 4)
			abort();
	}
	if (!size || size > 8192)
		return 0;
	if (!(data[0] & 1)) {
		run((const char *)data + 1, size - 1);
		return 0;
	}
	{
		const uint8_t *p = data + 1, *end = data + size;
		const uint8_t *nl1 = memchr(p, '\n', (size_t)(end - p));
		const uint8_t *nl2 = nl1 ? memchr(nl1 + 1, '\n', (size_t)(end - nl1 - 1)) : NULL;
		size_t o;

		if (!nl2)
			return 0;
		o = b64u(p, (size_t)(nl1 - p), tok);
		tok[o++] = '.';
		o += b64u(nl1 + 1, (size_t)(nl2 - nl1 - 1), tok + o);
		tok[o++] = '.';
		memcpy(tok + o, nl2 + 1, (size_t)(end - nl2 - 1));
		o += (size_t)(end - nl2 - 1);
		run(tok, o);
	}
	return 0;
}
