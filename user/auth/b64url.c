// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Strict base64url decoding for JWS segments and JWK members. */
#include <errno.h>

#include "jwt_internal.h"

static int b64url_val(unsigned char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '-')
		return 62;
	if (c == '_')
		return 63;
	return -1;
}

long gw_b64url_decode(const char *in, size_t len, uint8_t *out, int allow_pad)
{
	uint32_t acc = 0;
	size_t o = 0;
	int bits = 0;

	if (allow_pad && len % 4 == 0) {
		/* "xx==" / "xxx=": JWKS written by encoders that pad (Envoy reads them) */
		if (len && in[len - 1] == '=')
			len--;
		if (len && in[len - 1] == '=' && len % 4 == 3)
			len--;
	}
	/* one leftover character carries 6 bits: never a whole octet */
	if (len % 4 == 1)
		return -EINVAL;
	for (size_t i = 0; i < len; i++) {
		int v = b64url_val((unsigned char)in[i]);

		if (v < 0)
			return -EINVAL;
		acc = (acc << 6) | (uint32_t)v;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			out[o++] = (uint8_t)(acc >> bits);
			acc &= (1u << bits) - 1;
		}
	}
	/* the pad bits of the last character must be zero: one encoding per value */
	if (acc)
		return -EINVAL;
	return (long)o;
}
