/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Logging for gwd: one line per event on stderr (journald adds the time),
 * "gwd[worker]: level: message". Hot paths log only through
 * pr_warn_ratelimited, so a flood of bad clients cannot flood the log.
 */
#ifndef GW_LOG_H
#define GW_LOG_H

#include <stdint.h>

enum gw_log_level {
	GW_LOG_ERROR = -1,	/* gwd cannot go on: the line says what to do */
	GW_LOG_WARN,
	GW_LOG_INFO,
	GW_LOG_DEBUG,
};

/** Messages above this level are dropped; -v raises it. */
extern int gw_log_level;

/** Name printed in each line ("main", "w0", ...); per thread. */
void gw_log_set_thread(const char *name);

void gw_log(enum gw_log_level level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#define pr_err(fmt, ...) gw_log(GW_LOG_ERROR, fmt, ##__VA_ARGS__)
#define pr_warn(fmt, ...) gw_log(GW_LOG_WARN, fmt, ##__VA_ARGS__)
#define pr_info(fmt, ...) gw_log(GW_LOG_INFO, fmt, ##__VA_ARGS__)
#define pr_debug(fmt, ...)                                                                    \
	do {                                                                                  \
		if (gw_log_level >= GW_LOG_DEBUG)                                             \
			gw_log(GW_LOG_DEBUG, fmt, ##__VA_ARGS__);                             \
	} while (0)

/** Per call site and thread: at most one line per second, counting what it dropped. */
struct gw_ratelimit {
	uint64_t last_ms;
	uint64_t dropped;
};

/** True if a line may be printed now; *dropped is how many were suppressed before it. */
int gw_ratelimit_ok(struct gw_ratelimit *rl, uint64_t *dropped);

#define pr_warn_ratelimited(fmt, ...)                                                         \
	do {                                                                                  \
		static __thread struct gw_ratelimit _rl;                                      \
		uint64_t _dropped;                                                            \
		if (gw_ratelimit_ok(&_rl, &_dropped))                                         \
			gw_log(GW_LOG_WARN, fmt "%s", ##__VA_ARGS__,                          \
			       _dropped ? " (similar messages were suppressed)" : "");        \
	} while (0)

/** A broken invariant: logs file:line and the message, then aborts. */
#define gw_fatal(msg) gw_fatal_at(__FILE__, __LINE__, (msg))
void gw_fatal_at(const char *file, int line, const char *msg) __attribute__((noreturn));

/** Monotonic milliseconds. */
uint64_t gw_now_ms(void);
/** Monotonic nanoseconds. */
uint64_t gw_now_ns(void);

#endif
