/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * RegularExpression values of route matches, compiled the way gwd's router
 * compiles them (PCRE2, anchored at both ends), so a pattern gwd would
 * refuse is found when the configuration is loaded.
 */
#ifndef GW_REGEX_CHECK_H
#define GW_REGEX_CHECK_H

#include <stddef.h>

/**
 * Compiles pattern with PCRE2 and frees it. Returns 0, or -EINVAL with err
 * set to "invalid regular expression at offset N: <PCRE2 message>", or
 * -ENOMEM.
 */
int gw_regex_check(const char *pattern, char *err, size_t errlen);

#endif
