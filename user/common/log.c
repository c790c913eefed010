// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "gw/log.h"

int gw_log_level = GW_LOG_INFO;
static __thread char thread_name[16] = "main";

void gw_log_set_thread(const char *name)
{
	snprintf(thread_name, sizeof(thread_name), "%s", name);
}

void gw_log(enum gw_log_level level, const char *fmt, ...)
{
	static const char *const names[] = { "error", "warn", "info", "debug" };
	char line[2048];
	va_list ap;
	int n;

	if ((int)level > gw_log_level)
		return;
	n = snprintf(line, sizeof(line), "gwd[%s]: %s: ", thread_name, names[level + 1]);
	va_start(ap, fmt);
	vsnprintf(line + n, sizeof(line) - (size_t)n - 1, fmt, ap);
	va_end(ap);
	n = (int)strlen(line);
	line[n++] = '\n';
	/* one write per line keeps lines whole when workers log at once */
	fwrite(line, 1, (size_t)n, stderr);
}

int gw_ratelimit_ok(struct gw_ratelimit *rl, uint64_t *dropped)
{
	uint64_t now = gw_now_ms();

	if (rl->last_ms && now - rl->last_ms < 1000) {
		rl->dropped++;
		return 0;
	}
	rl->last_ms = now;
	*dropped = rl->dropped;
	rl->dropped = 0;
	return 1;
}

void gw_fatal_at(const char *file, int line, const char *msg)
{
	fprintf(stderr, "gwd[%s]: fatal: %s:%d: %s\n", thread_name, file, line, msg);
	abort();
}

uint64_t gw_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

uint64_t gw_now_ms(void)
{
	return gw_now_ns() / 1000000ull;
}
