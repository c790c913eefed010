// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * JWK set parsing invariants (issue 14): gw_jwks_parse either refuses
 * with a code and a reason, or keeps at least one key and never more
 * than GW_JWKS_MAX_KEYS; the published RFC 7515 A.2/A.3 tokens are then
 * verified against the kept keys without fault (they verify only if the
 * input holds the RFC's own public keys).
 */
#include <assert.h>
#include <errno.h>
#include <stdint.h>
#include <string.h>

#include "gw/jwt.h"

#define PAYLOAD                                                                                    \
	"eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFtcGxlLmNvbS9pc19yb290Ijp0" \
	"cnVlfQ"
static const char *const tokens[] = {
	"eyJhbGciOiJSUzI1NiJ9." PAYLOAD
	".cC4hiUPoj9Eetdgtv3hF80EGrhuB__dzERat0XF9g2VtQgr9PJbu3XOiZj5RZmh7AAuHIm4Bh-0Qc_lF5YKt_O8W"
	"2Fp5jujGbds9uJdbF9CUAr7t1dnZcAcQjbKBYNX4BAynRFdiuB--f_nZLgrnbyTyWzO75vRK5h6xBArLIARNPvkSj"
	"tQBMHlb1L07Qe7K0GarZRmB_eSN9383LcOLn6_dO--xi12jzDwusC-eOkHWEsqtFZESc6BfI7noOPqvhJ1phCnvWh"
	"6IeYI2w9QOYEUipUTI8np6LbgGY9Fs98rqVt5AXLIhWkWywlVmtVrBp0igcN_IoypGlUPQGe77Rw",
	"eyJhbGciOiJFUzI1NiJ9." PAYLOAD
	".DtEhU3ljbEg8L38VWAfUAqOyKAM6-Xx-F4GawxaepmXFCgfTjDxw5djxLa8ISlSApmWQxfKTUJqPP3-Kg6NU1Q",
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct gw_jwt_error err = {0};
	struct gw_jwks *set = NULL;
	int r = gw_jwks_parse((const char *)data, size, &set, &err);

	if (r) {
		assert(r == -EINVAL || r == -ENOMEM);
		assert(!set && err.reason && err.code > GW_JWT_OK && err.code < GW_JWT_ERR__COUNT);
		return 0;
	}
	assert(gw_jwks_count(set) >= 1 && gw_jwks_count(set) <= GW_JWKS_MAX_KEYS);
	assert(gw_jwks_count(set) + gw_jwks_skipped(set) <= GW_JWKS_MAX_KEYS);
	for (size_t i = 0; i < sizeof(tokens) / sizeof(tokens[0]); i++) {
		struct gw_jwt *jwt = NULL;

		if (gw_jwt_parse(tokens[i], strlen(tokens[i]), 0, &jwt, &err))
			__builtin_trap();
		r = gw_jwt_verify_signature(jwt, set, &err);
		assert(r == 0 || r == -EACCES || r == -ENOMEM);
		gw_jwt_free(jwt);
	}
	gw_jwks_free(set);
	return 0;
}
