// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The runner: tests/bpf/run [-t TEST[/SUBTEST]]... Runs every test listed
 * in tests.h (or those selected) in a private network and mount namespace
 * of its own, so routes, neighbours and interfaces the tests create never
 * touch the machine, and prints TAP.
 */
#include <errno.h>
#include <sched.h>
#include <stdlib.h>
#include <sys/mount.h>
#include <unistd.h>

#include <bpf/libbpf.h>

#include "test_progs.h"

#define DEFINE_TEST(name) void name(void);
#include "tests.h"
#undef DEFINE_TEST

struct test_def {
	const char *name;
	void (*fn)(void);
};

#define DEFINE_TEST(name) { #name + 5, name },
static const struct test_def tests[] = {
#include "tests.h"
};
#undef DEFINE_TEST

static struct {
	const char *test;		/* running test, without "test_" */
	char sub[128];			/* running subtest, "" = none */
	bool failed, skipped, had_subtests;
	char skip_why[256];
	int n, npass, nfail, nskip;
	const char *filters[64];
	int nfilters;
} env;

void test__fail(void)
{
	env.failed = true;
}

void test__skip(const char *why)
{
	env.skipped = true;
	snprintf(env.skip_why, sizeof(env.skip_why), "%s", why);
}

static bool selected(const char *test, const char *sub)
{
	char full[256];

	if (!env.nfilters)
		return true;
	snprintf(full, sizeof(full), "%s/%s", test, sub ? sub : "");
	for (int i = 0; i < env.nfilters; i++) {
		const char *f = env.filters[i];
		size_t n = strlen(f);

		if (!strchr(f, '/') && !strcmp(f, test))
			return true;
		if (strchr(f, '/') && sub && !strcmp(f, full))
			return true;
		if (strchr(f, '/') && !sub && !strncmp(f, full, strlen(test) + 1) && n > 0)
			return true;
	}
	return false;
}

static void report(void)
{
	const char *name = env.test;
	char full[256];

	if (env.sub[0]) {
		snprintf(full, sizeof(full), "%s/%s", env.test, env.sub);
		name = full;
	}
	env.n++;
	if (env.failed) {
		printf("not ok %d - %s\n", env.n, name);
		env.nfail++;
	} else if (env.skipped) {
		printf("ok %d - %s # SKIP %s\n", env.n, name, env.skip_why);
		env.nskip++;
	} else {
		printf("ok %d - %s\n", env.n, name);
		env.npass++;
	}
	fflush(stdout);
	env.failed = env.skipped = false;
}

bool test__start_subtest(const char *name)
{
	if (env.sub[0])
		report();
	env.sub[0] = '\0';
	env.had_subtests = true;
	if (!selected(env.test, name))
		return false;
	snprintf(env.sub, sizeof(env.sub), "%s", name);
	return true;
}

static int libbpf_print(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	if (level == LIBBPF_DEBUG)
		return 0;
	printf("# ");
	return vprintf(fmt, ap);
}

int main(int argc, char **argv)
{
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "-t") && i + 1 < argc && env.nfilters < 64) {
			env.filters[env.nfilters++] = argv[++i];
		} else {
			fprintf(stderr, "usage: %s [-t TEST[/SUBTEST]]...\n", argv[0]);
			return 2;
		}
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	libbpf_set_print(libbpf_print);
	if (geteuid()) {
		printf("ok 1 - bpf # SKIP BPF_PROG_TEST_RUN needs root\n");
		return 0;
	}
	/* a private network namespace for the interfaces and routes the tests build */
	if (unshare(CLONE_NEWNET | CLONE_NEWNS)) {
		printf("not ok 1 - bpf: unshare(CLONE_NEWNET|CLONE_NEWNS): %s\n", strerror(errno));
		return 1;
	}
	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL)) {
		printf("not ok 1 - bpf: mount --make-rprivate /: %s\n", strerror(errno));
		return 1;
	}
	for (size_t t = 0; t < sizeof(tests) / sizeof(tests[0]); t++) {
		if (!selected(tests[t].name, NULL))
			continue;
		env.test = tests[t].name;
		env.sub[0] = '\0';
		env.had_subtests = false;
		env.failed = env.skipped = false;
		tests[t].fn();
		if (env.sub[0] || !env.had_subtests)
			report();
		env.sub[0] = '\0';
	}
	if (!env.n)
		printf("# no test matched\n");
	printf("1..%d\n# %d passed, %d failed, %d skipped\n", env.n, env.npass, env.nfail,
	       env.nskip);
	return env.nfail ? 1 : 0;
}
