// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Unit tests for loader/config/jsonpath.c. Every expected output below is
 * what kubectl v1.32 printed for the same template and object
 * (`kubectl patch --local -f obj.json --type merge -p '{}' -o jsonpath=T`);
 * tests/cli/test-jsonpath.sh checks the same against a live kubectl.
 */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "loader/config/jsonpath.h"

static const char OBJ[] =
	"{\"apiVersion\":\"example.com/v1\",\"kind\":\"Thing\",\"metadata\":{\"name\":\"x\"},"
	"\"spec\":{\"a\":null,\"b\":\"<&>\",\"c\":1.50,\"d\":true,\"e\":[1,\"x\",{\"z\":1,\"a\":2}],"
	"\"f\":{\"k\":\"v\"}},"
	"\"status\":{\"conditions\":[{\"type\":\"Accepted\",\"status\":\"True\",\"gen\":1},"
	"{\"type\":\"Programmed\",\"status\":\"False\",\"gen\":2}],"
	"\"addresses\":[{\"type\":\"IPAddress\",\"value\":\"192.0.2.2\"},"
	"{\"type\":\"IPAddress\",\"value\":\"fd00::2\"}]}}";

struct res {
	int rc;
	char *out;
	char err[1024];
};

static struct res run(const char *tmpl)
{
	struct gw_arena a = { 0 };
	struct gw_ydoc *docs;
	size_t ndocs, len = 0;
	struct res r = { 0 };
	FILE *f;

	assert_int_equal(gw_yaml_load(&a, "obj.json", OBJ, strlen(OBJ), &docs, &ndocs, r.err,
				      sizeof(r.err)), 0);
	f = open_memstream(&r.out, &len);
	assert_non_null(f);
	r.rc = gw_jsonpath(f, tmpl, docs[0].root, r.err, sizeof(r.err));
	fclose(f);
	gw_arena_free(&a);
	return r;
}

static void expect(const char *tmpl, const char *want)
{
	struct res r = run(tmpl);

	if (r.rc)
		fail_msg("%s: %s", tmpl, r.err);
	if (strcmp(r.out, want))
		fail_msg("%s: got '%s', want '%s'", tmpl, r.out, want);
	free(r.out);
}

static void expect_err(const char *tmpl, const char *want)
{
	struct res r = run(tmpl);

	assert_int_equal(r.rc, -EINVAL);
	if (!strstr(r.err, want))
		fail_msg("%s: error '%s' lacks '%s'", tmpl, r.err, want);
	free(r.out);
}

static void test_fields_and_indexes(void **s)
{
	(void)s;
	expect("{.status.addresses[0].value}", "192.0.2.2");
	expect("{.status.addresses[-1].value}", "fd00::2");
	expect("{$.kind} {@.apiVersion}", "Thing example.com/v1");
	expect("{.metadata['name','namespace']}", "x");
	expect("{.spec.e[-1].z}", "1");
	expect("{.spec.e[*]}", "1 x {\"a\":2,\"z\":1}");
	expect("{.spec.e[1:]}", "x {\"a\":2,\"z\":1}");
	expect("{.spec.e[::2]}", "1 {\"a\":2,\"z\":1}");
	expect("{.spec.e[0:0]}", "");
	expect("{.spec.f.*}", "v");
	expect("{.metadata.name}-{.spec.f.k}", "x-v");
}

static void test_scalars_and_containers(void **s)
{
	(void)s;
	expect("{.spec.a}", "null");
	expect("{.spec.c}", "1.5");		/* Go prints float64 shortest */
	expect("{.spec.d}x{\"\\t\"}y", "truex\ty");
	expect("{.spec.b}", "<&>");		/* raw string */
	/* containers are json.Marshal: sorted keys, compact, HTML escaped */
	expect("{.spec}", "{\"a\":null,\"b\":\"\\u003c\\u0026\\u003e\",\"c\":1.5,\"d\":true,"
			  "\"e\":[1,\"x\",{\"a\":2,\"z\":1}],\"f\":{\"k\":\"v\"}}");
	expect("{5}", "5");
}

static void test_missing_keys_print_nothing(void **s)
{
	(void)s;
	expect("{.spec.nothere}", "");
	expect("{.spec.e.z}", "");
	expect("{.nope[0].value}", "");	/* nothing to index: no error */
}

static void test_filters(void **s)
{
	(void)s;
	expect("{.status.conditions[?(@.type==\"Programmed\")].status}", "False");
	expect("{.status.conditions[?(@.status != 'True')].type}", "Programmed");
	expect("{.status.conditions[?(@.gen>=2)].type}", "Programmed");
	expect("{.status.conditions[?(@.gen<2)].type}", "Accepted");
	expect("{.spec.e[?(@.z)]}", "{\"a\":2,\"z\":1}");
	expect("{.spec.e[?(@.z>0)].a}", "2");
	/* kubectl: comparing 1 with "x" is an error, not a non-match */
	expect_err("{.spec.e[?(@ == 1)]}", "incompatible types for comparison");
	expect_err("{.spec.f[?(@.k)]}", "is not array or slice and cannot be filtered");
}

static void test_range_and_recursion(void **s)
{
	(void)s;
	expect("{range .status.conditions[*]}{.type}={.status}{\"\\n\"}{end}",
	       "Accepted=True\nProgrammed=False\n");
	expect("{range .spec.e[*]}[{@}]{end}", "[1][x][{\"a\":2,\"z\":1}]");
	expect("{range .status.conditions[*]}{range .status}<{@}>{end};{end}",
	       "<True>;<False>;");
	expect("{..value}", "192.0.2.2 fd00::2");
	expect("{..name}", "x");
}

static void test_errors(void **s)
{
	(void)s;
	expect_err("{.spec.e[3]}", "array index out of bounds: index 3, length 3");
	expect_err("{.status.addresses[5].value}", "index 5, length 2");
	expect_err("{.spec.e[2:1]}", "starting index 2 is greater than ending index 1");
	expect_err("{.kind[0]}", "string is not array or slice");
	expect_err("{end}", "not in range, nothing to end");
	expect_err("{.spec", "error parsing jsonpath {.spec, unclosed action");
	expect_err("{.a,.b}", "unrecognized character in action: U+002C ','");
	expect_err("{.spec.e[?(@.z=!1)]}", "unrecognized filter operator =!");
	expect_err("{.spec.e[?(@.z=~1)]}", "unrecognized character in action: U+007E '~'");
	expect_err("{.spec.e[1}", "invalid array index");
	expect_err("{\"abc}", "unterminated quoted string");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fields_and_indexes),
		cmocka_unit_test(test_scalars_and_containers),
		cmocka_unit_test(test_missing_keys_print_nothing),
		cmocka_unit_test(test_filters),
		cmocka_unit_test(test_range_and_recursion),
		cmocka_unit_test(test_errors),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
