/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * A small test_progs (tools/testing/selftests/bpf) for xdpgw: tests are
 * `void test_<area>(void)` functions in tests/bpf/<area>.c, found by a sed
 * rule into tests.h; subtests via test__start_subtest(); ASSERT_* return
 * whether they held so a test can bail out. Output is TAP, one line per
 * subtest (or per test without subtests); diagnostics are "# " lines.
 */
#ifndef GW_TEST_PROGS_H
#define GW_TEST_PROGS_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

/** Starts subtest name of the running test; false if -t filters it out. */
bool test__start_subtest(const char *name);
/** Marks the running (sub)test failed. */
void test__fail(void);
/** Marks the running (sub)test skipped with a reason. */
void test__skip(const char *why);

#define ASSERT_TRUE(cond, name)                                                               \
	({                                                                                    \
		bool ___ok = (cond);                                                          \
		if (!___ok) {                                                                 \
			test__fail();                                                         \
			printf("# %s:%d: %s: unexpectedly false: %s\n", __func__, __LINE__,   \
			       name, #cond);                                                  \
		}                                                                             \
		___ok;                                                                        \
	})

#define ASSERT_EQ(actual, expected, name)                                                     \
	({                                                                                    \
		long long ___a = (long long)(actual), ___e = (long long)(expected);          \
		bool ___ok = ___a == ___e;                                                    \
		if (!___ok) {                                                                 \
			test__fail();                                                         \
			printf("# %s:%d: %s: expected %lld, got %lld\n", __func__, __LINE__,  \
			       name, ___e, ___a);                                             \
		}                                                                             \
		___ok;                                                                        \
	})

#define ASSERT_GE(actual, bound, name)                                                        \
	({                                                                                    \
		long long ___a = (long long)(actual), ___b = (long long)(bound);             \
		bool ___ok = ___a >= ___b;                                                    \
		if (!___ok) {                                                                 \
			test__fail();                                                         \
			printf("# %s:%d: %s: expected >= %lld, got %lld\n", __func__,         \
			       __LINE__, name, ___b, ___a);                                   \
		}                                                                             \
		___ok;                                                                        \
	})

#define ASSERT_OK(err, name) ASSERT_EQ(err, 0, name)

#define ASSERT_OK_PTR(ptr, name)                                                              \
	({                                                                                    \
		bool ___ok = (ptr) != NULL;                                                   \
		if (!___ok) {                                                                 \
			test__fail();                                                         \
			printf("# %s:%d: %s: NULL (%s)\n", __func__, __LINE__, name,          \
			       strerror(errno));                                              \
		}                                                                             \
		___ok;                                                                        \
	})

#define ASSERT_STREQ(actual, expected, name)                                                  \
	({                                                                                    \
		const char *___a = (actual), *___e = (expected);                              \
		bool ___ok = ___a && !strcmp(___a, ___e);                                     \
		if (!___ok) {                                                                 \
			test__fail();                                                         \
			printf("# %s:%d: %s: expected \"%s\", got \"%s\"\n", __func__,        \
			       __LINE__, name, ___e, ___a ? ___a : "(null)");                 \
		}                                                                             \
		___ok;                                                                        \
	})

#define ASSERT_MEMEQ(actual, expected, len, name)                                             \
	({                                                                                    \
		bool ___ok = !memcmp(actual, expected, len);                                  \
		if (!___ok) {                                                                 \
			test__fail();                                                         \
			printf("# %s:%d: %s: %zu bytes differ\n", __func__, __LINE__, name,   \
			       (size_t)(len));                                                \
		}                                                                             \
		___ok;                                                                        \
	})

/* Runs a shell command for the test environment; fails the test and jumps to 'out' if it fails. */
#define SYS(label, fmt, ...)                                                                  \
	do {                                                                                  \
		char ___cmd[1024];                                                            \
		snprintf(___cmd, sizeof(___cmd), fmt, ##__VA_ARGS__);                         \
		if (!ASSERT_OK(system(___cmd), ___cmd))                                       \
			goto label;                                                           \
	} while (0)

#endif
