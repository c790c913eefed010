// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * pr_warn/pr_info/pr_debug for the XDP loader, and libbpf's messages
 * routed through them one level lower (libbpf warns about things that are
 * expected here, such as probing native XDP on a driver without it).
 */
#include <stdarg.h>
#include <stdio.h>

#include <bpf/libbpf.h>

#include "xdp.h"

static enum gw_log_level log_level = GW_LOG_INFO;
static bool hooked, quiet;

void gw_log(enum gw_log_level level, const char *fmt, ...)
{
	va_list ap;

	if (level > log_level)
		return;
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
}

static int libbpf_print(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	/* libbpf's debug chatter (every relocation) is not worth even -v */
	if (quiet || level == LIBBPF_DEBUG)
		return 0;
	if ((level == LIBBPF_WARN ? GW_LOG_INFO : GW_LOG_DEBUG) > log_level)
		return 0;
	return vfprintf(stderr, fmt, ap);
}

void gw_log_libbpf_quiet(bool q)
{
	quiet = q;
}

void gw_log_set_verbose(bool verbose)
{
	log_level = verbose ? GW_LOG_DEBUG : GW_LOG_INFO;
	if (!hooked) {
		libbpf_set_print(libbpf_print);
		hooked = true;
	}
}
