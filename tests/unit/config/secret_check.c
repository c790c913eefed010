// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Type-specific Secret keys (loader/config/secret_check.c, the API
 * server's ValidateSecret): a Secret missing the keys its type requires is
 * a load error naming file, line, object and key; stringData counts; so
 * does the 1 MiB size limit.
 */
#include <stdlib.h>
#include <string.h>

#include "lib/fixture.h"

#define SECRET(type, body)                                                                   \
	"apiVersion: v1\nkind: Secret\nmetadata: {name: s, namespace: default}\n"             \
	"type: " type "\n" body "---\n"

static void expect_ok(const char *yaml)
{
	struct gw_config *c = fx_load(yaml);

	if (c->diags.nerrors)
		fail_msg("unexpected errors for\n%s:\n%s", yaml, fx_diags(c));
	assert_non_null(gw_config_find(c, GW_K_SECRET, "default", "s"));
	fx_free(c);
}

static void expect_error(const char *yaml, const char *what)
{
	struct gw_config *c = fx_load(yaml);

	/* the type line (4) of the Secret, its name and the missing key */
	if (!fx_has_diag(c, "test.yaml:4:", "error", "Secret default/s", what,
			 "Required value", NULL))
		fail_msg("no error naming %s for\n%s\ngot:\n%s", what, yaml, fx_diags(c));
	assert_null(gw_config_find(c, GW_K_SECRET, "default", "s"));
	fx_free(c);
}

static void test_tls_needs_cert_and_key(void **s)
{
	(void)s;
	expect_error(SECRET("kubernetes.io/tls", "data: {tls.crt: aGVsbG8=}\n"), "data[tls.key]");
	expect_error(SECRET("kubernetes.io/tls", "stringData: {tls.key: x}\n"), "data[tls.crt]");
	expect_error(SECRET("kubernetes.io/tls", ""), "data[tls.key]");
	/* only presence is the API server's business; the PEM is the resolver's */
	expect_ok(SECRET("kubernetes.io/tls", "data: {tls.crt: aGVsbG8=}\nstringData: {tls.key: x}\n"));
}

static void test_other_types(void **s)
{
	(void)s;
	expect_error(SECRET("kubernetes.io/basic-auth", "data: {user: eA==}\n"), "data[username]");
	expect_ok(SECRET("kubernetes.io/basic-auth", "stringData: {password: \"\"}\n"));
	expect_error(SECRET("kubernetes.io/ssh-auth", ""), "data[ssh-privatekey]");
	expect_ok(SECRET("kubernetes.io/ssh-auth", "data: {ssh-privatekey: eA==}\n"));
	expect_error(SECRET("kubernetes.io/dockerconfigjson", ""), "data[.dockerconfigjson]");
	expect_error(SECRET("kubernetes.io/dockercfg", ""), "data[.dockercfg]");
	expect_error(SECRET("kubernetes.io/service-account-token", ""),
		     "kubernetes.io/service-account.name");
	/* Opaque and unknown types require nothing */
	expect_ok(SECRET("Opaque", ""));
	expect_ok(SECRET("example.com/custom", ""));
}

/* MaxSecretSize: 1 MiB of data, counting stringData and decoded data. */
static void test_size_limit(void **s)
{
	size_t max = 1024 * 1024;
	char *big = malloc(max + 2);
	struct gw_config *c;

	(void)s;
	assert_non_null(big);
	memset(big, 'a', max + 1);
	big[max + 1] = '\0';
	c = fx_load(fx_printf(SECRET("Opaque", "stringData: {k: %s}\n"), big));
	assert_true(fx_has_diag(c, "Secret default/s", "data", "Too long: must have at most "
				"1048576 bytes (has 1048577)", NULL));
	fx_free(c);
	big[max] = '\0';
	expect_ok(fx_printf(SECRET("Opaque", "stringData: {k: %s}\n"), big));
	/* data counts decoded: "YWFh" is 3 bytes, so 1 MiB - 2 of stringData plus it is over */
	big[max - 2] = '\0';
	c = fx_load(fx_printf(SECRET("Opaque", "data: {d: YWFh}\nstringData: {k: %s}\n"), big));
	assert_true(fx_has_diag(c, "Too long", "(has 1048577)", NULL));
	fx_free(c);
	free(big);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tls_needs_cert_and_key),
		cmocka_unit_test(test_other_types),
		cmocka_unit_test(test_size_limit),
	};

	return cmocka_run_group_tests_name("config/secret_check", tests, NULL, NULL);
}
