// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Gateway API leaves the regular expression dialect to the implementation
 * (HTTPPathMatch, HTTPHeaderMatch, HTTPQueryParamMatch, GRPCMethodMatch:
 * "Support: Implementation-specific"); xdpgw's is PCRE2, the library gwd
 * matches with. The flags must stay those of re_compile() in
 * user/core/router.c: a pattern accepted here is one gwd can serve.
 */
#define PCRE2_CODE_UNIT_WIDTH 8
#include <errno.h>
#include <stdio.h>

#include <pcre2.h>

#include "regex_check.h"

int gw_regex_check(const char *pattern, char *err, size_t errlen)
{
	PCRE2_UCHAR msg[160];
	PCRE2_SIZE offset;
	pcre2_code *re;
	int code;

	re = pcre2_compile((PCRE2_SPTR)pattern, PCRE2_ZERO_TERMINATED,
			   PCRE2_ANCHORED | PCRE2_ENDANCHORED, &code, &offset, NULL);
	if (re) {
		pcre2_code_free(re);
		return 0;
	}
	if (code == PCRE2_ERROR_NOMEMORY) {
		snprintf(err, errlen, "out of memory compiling a regular expression");
		return -ENOMEM;
	}
	if (pcre2_get_error_message(code, msg, sizeof(msg)) < 0)
		snprintf((char *)msg, sizeof(msg), "PCRE2 error %d", code);
	snprintf(err, errlen, "invalid regular expression at offset %zu: %s", (size_t)offset,
		 (char *)msg);
	return -EINVAL;
}
