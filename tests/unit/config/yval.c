// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Unit tests for loader/config/yval.c: YAML loading, typing, emitting. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "loader/config/yval.h"

struct ctx {
	struct gw_arena a;
	struct gw_ydoc *docs;
	size_t n;
	char err[512];
};

static int load(struct ctx *c, const char *y)
{
	memset(c, 0, sizeof(*c));
	return gw_yaml_load(&c->a, "t.yaml", y, strlen(y), &c->docs, &c->n, c->err,
			    sizeof(c->err));
}

static char *emit(const struct gw_yval *v, bool json)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	assert_non_null(f);
	if (json)
		gw_yemit_json(f, v, false);
	else
		gw_yemit_yaml(f, v);
	fclose(f);
	return buf;
}

static void test_multi_doc_and_lines(void **state)
{
	struct ctx c;

	(void)state;
	assert_int_equal(load(&c, "a: 1\n---\nb:\n  c: x\n---\n"), 0);
	assert_int_equal(c.n, 3);
	assert_int_equal(c.docs[0].root->type, GW_YMAP);
	assert_int_equal(gw_ygetint(c.docs[0].root, "a", 0), 1);
	assert_string_equal(gw_ypath(c.docs[1].root, "b.c")->str, "x");
	assert_int_equal(gw_ypath(c.docs[1].root, "b.c")->line, 4);
	/* an empty document is a null scalar */
	assert_int_equal(c.docs[2].root->type, GW_YNULL);
	gw_arena_free(&c.a);
}

static void test_scalar_typing(void **state)
{
	struct ctx c;
	struct gw_yval *r;

	(void)state;
	assert_int_equal(load(&c, "i: 80\nq: \"80\"\nb: true\nn: null\nt: ~\ns: yes\n"
				  "h: 0x10\nf: 1.5\ne: ''\n"), 0);
	r = c.docs[0].root;
	assert_int_equal(gw_yget(r, "i")->type, GW_YINT);
	assert_int_equal(gw_yget(r, "q")->type, GW_YSTR);
	assert_int_equal(gw_yget(r, "b")->type, GW_YBOOL);
	assert_int_equal(gw_yget(r, "n")->type, GW_YNULL);
	assert_int_equal(gw_yget(r, "t")->type, GW_YNULL);
	/* YAML 1.2: "yes" is a string */
	assert_int_equal(gw_yget(r, "s")->type, GW_YSTR);
	assert_int_equal(gw_yget(r, "h")->i, 16);
	assert_int_equal(gw_yget(r, "f")->type, GW_YFLOAT);
	assert_int_equal(gw_yget(r, "e")->type, GW_YSTR);
	gw_arena_free(&c.a);
}

static void test_syntax_error_has_position(void **state)
{
	struct ctx c;

	(void)state;
	assert_int_equal(load(&c, "a: 1\nb: [1, 2\nc: 3\n"), -22);
	assert_non_null(strstr(c.err, "t.yaml:"));
	gw_arena_free(&c.a);
	assert_int_equal(load(&c, "a:\n\t- x\n"), -22);
	assert_non_null(strstr(c.err, "t.yaml:2:"));
	gw_arena_free(&c.a);
}

static void test_duplicate_key_rejected(void **state)
{
	struct ctx c;

	(void)state;
	assert_int_equal(load(&c, "a: 1\nb: 2\na: 3\n"), -22);
	assert_non_null(strstr(c.err, "t.yaml:3:"));
	assert_non_null(strstr(c.err, "duplicate key \"a\""));
	gw_arena_free(&c.a);
}

static void test_alias_bomb_bounded(void **state)
{
	struct ctx c;
	char y[4096];
	size_t o = 0;

	(void)state;
	/* each level references the previous one ten times: 10^9 nodes if expanded */
	o += (size_t)snprintf(y + o, sizeof(y) - o, "a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
	for (int i = 1; i < 10; i++)
		o += (size_t)snprintf(y + o, sizeof(y) - o,
				      "a%d: &a%d [*a%d, *a%d, *a%d, *a%d, *a%d, *a%d, *a%d, *a%d, "
				      "*a%d, *a%d]\n", i, i, i - 1, i - 1, i - 1, i - 1, i - 1,
				      i - 1, i - 1, i - 1, i - 1, i - 1);
	assert_int_equal(load(&c, y), -22);
	assert_non_null(strstr(c.err, "too large"));
	gw_arena_free(&c.a);
}

static void test_alias_small_ok(void **state)
{
	struct ctx c;

	(void)state;
	assert_int_equal(load(&c, "base: &b {port: 80}\nuse: *b\n"), 0);
	assert_int_equal(gw_ygetint(gw_yget(c.docs[0].root, "use"), "port", 0), 80);
	gw_arena_free(&c.a);
}

static void test_emit_yaml_kubectl_style(void **state)
{
	struct ctx c;
	char *out;

	(void)state;
	assert_int_equal(load(&c, "z: 1\na:\n  - x: \"80\"\n    b: true\n  - plain\n"
				  "e: {}\nl: []\nt: '2026-01-01T00:00:00Z'\ns: 'yes'\n"
				  "c: 'a: b'\n"), 0);
	out = emit(c.docs[0].root, false);
	assert_string_equal(out, "a:\n"
				 "- b: true\n"
				 "  x: \"80\"\n"
				 "- plain\n"
				 "c: \"a: b\"\n"
				 "e: {}\n"
				 "l: []\n"
				 "s: \"yes\"\n"
				 "t: \"2026-01-01T00:00:00Z\"\n"
				 "z: 1\n");
	free(out);
	gw_arena_free(&c.a);
}

static void test_emit_roundtrip(void **state)
{
	struct ctx c, d;
	char *out;

	(void)state;
	assert_int_equal(load(&c, "m:\n  k: \"line\\nbreak\\t\\\"q\\\"\"\n  n: -3\n"
				  "  nested: [[1, 2], {a: ''}]\n"), 0);
	out = emit(c.docs[0].root, false);
	assert_int_equal(load(&d, out), 0);
	assert_true(gw_yequal(c.docs[0].root, d.docs[0].root));
	free(out);
	gw_arena_free(&c.a);
	gw_arena_free(&d.a);
}

static void test_emit_json(void **state)
{
	struct ctx c;
	char *out;

	(void)state;
	assert_int_equal(load(&c, "b: [1, 'x<y']\na: {c: null, d: false}\n"), 0);
	out = emit(c.docs[0].root, true);
	assert_string_equal(out, "{\"a\":{\"c\":null,\"d\":false},\"b\":[1,\"x\\u003cy\"]}\n");
	free(out);
	gw_arena_free(&c.a);
}

static void test_json_input(void **state)
{
	struct ctx c;

	(void)state;
	assert_int_equal(load(&c, "{\"kind\": \"Gateway\", \"spec\": {\"port\": 443}}"), 0);
	assert_int_equal(gw_ygetint(gw_yget(c.docs[0].root, "spec"), "port", 0), 443);
	gw_arena_free(&c.a);
}

static void test_equal_ignores_key_order(void **state)
{
	struct ctx c, d;

	(void)state;
	assert_int_equal(load(&c, "a: 1\nb: [x]\n"), 0);
	assert_int_equal(load(&d, "b: [x]\na: 1\n"), 0);
	assert_true(gw_yequal(c.docs[0].root, d.docs[0].root));
	gw_arena_free(&d.a);
	assert_int_equal(load(&d, "b: [y]\na: 1\n"), 0);
	assert_false(gw_yequal(c.docs[0].root, d.docs[0].root));
	gw_arena_free(&c.a);
	gw_arena_free(&d.a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_multi_doc_and_lines),
		cmocka_unit_test(test_scalar_typing),
		cmocka_unit_test(test_syntax_error_has_position),
		cmocka_unit_test(test_duplicate_key_rejected),
		cmocka_unit_test(test_alias_bomb_bounded),
		cmocka_unit_test(test_alias_small_ok),
		cmocka_unit_test(test_emit_yaml_kubectl_style),
		cmocka_unit_test(test_emit_roundtrip),
		cmocka_unit_test(test_emit_json),
		cmocka_unit_test(test_json_input),
		cmocka_unit_test(test_equal_ignores_key_order),
	};

	return cmocka_run_group_tests_name("config/yval", tests, NULL, NULL);
}
