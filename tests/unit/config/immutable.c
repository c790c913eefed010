// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Updates against the previous state (loader/config/immutable.c): a
 * GatewayClass controllerName, a Secret's type and the data of immutable
 * Secrets and ConfigMaps cannot change; creates and other changes can.
 */
#include <string.h>

#include "lib/fixture.h"

#define CLASS(name, controller)                                                              \
	"apiVersion: gateway.networking.k8s.io/v1\nkind: GatewayClass\nmetadata: {name: " name \
	"}\nspec: {controllerName: " controller "}\n---\n"

#define SECRET(type, extra)                                                                  \
	"apiVersion: v1\nkind: Secret\nmetadata: {name: s, namespace: default}\n"             \
	"type: " type "\n" extra "---\n"

#define CM(extra)                                                                            \
	"apiVersion: v1\nkind: ConfigMap\nmetadata: {name: cm, namespace: default}\n" extra "---\n"

/* Loads next over prev as `gwctl load` does; returns next's diagnostics. */
static struct gw_config *update(const char *prev_yaml, const char *next_yaml)
{
	struct gw_config *prev = fx_resolve(prev_yaml), *next = fx_load(next_yaml);

	if (next->diags.nerrors)
		fail_msg("unexpected parse errors:\n%s", fx_diags(next));
	assert_int_equal(gw_config_stamp(next, prev, "2026-01-02T00:00:00Z"), 0);
	fx_free(prev);
	return next;
}

static void test_controller_name_immutable(void **s)
{
	struct gw_config *c = update(CLASS("gc", "xdpgw.io/gateway-controller"),
				     CLASS("gc", "example.com/other"));

	(void)s;
	if (!fx_has_diag(c, "test.yaml:4:", "error", "GatewayClass gc", "spec.controllerName",
			 "\"example.com/other\": Value is immutable",
			 "was \"xdpgw.io/gateway-controller\"", NULL))
		fail_msg("no immutability error:\n%s", fx_diags(c));
	fx_free(c);
	/* unchanged, or a new class: fine */
	c = update(CLASS("gc", "xdpgw.io/gateway-controller"),
		   CLASS("gc", "xdpgw.io/gateway-controller") CLASS("gc2", "example.com/other"));
	assert_int_equal(c->diags.nerrors, 0);
	fx_free(c);
}

static void test_secret_type_immutable(void **s)
{
	struct gw_config *c = update(SECRET("Opaque", ""), SECRET("example.com/x", ""));

	(void)s;
	assert_true(fx_has_diag(c, "Secret default/s", "type", "field is immutable",
				"was \"Opaque\"", NULL));
	fx_free(c);
}

static void test_immutable_data(void **s)
{
	struct gw_config *c;

	(void)s;
	c = update(SECRET("Opaque", "immutable: true\ndata: {a: eA==}\n"),
		   SECRET("Opaque", "immutable: true\ndata: {a: eQ==}\n"));
	assert_true(fx_has_diag(c, "Secret default/s", "data",
				"field is immutable when `immutable` is set", NULL));
	fx_free(c);
	c = update(SECRET("Opaque", "immutable: true\ndata: {a: eA==}\n"),
		   SECRET("Opaque", "data: {a: eA==}\n"));
	assert_true(fx_has_diag(c, "Secret default/s", "immutable", NULL));
	fx_free(c);
	c = update(CM("immutable: true\ndata: {k: v}\n"), CM("immutable: true\ndata: {k: w}\n"));
	assert_true(fx_has_diag(c, "ConfigMap default/cm", "data", "immutable", NULL));
	fx_free(c);
	/* unchanged immutable data, and mutable data changing: fine */
	c = update(SECRET("Opaque", "immutable: true\ndata: {a: eA==}\n") CM("data: {k: v}\n"),
		   SECRET("Opaque", "immutable: true\ndata: {a: eA==}\n") CM("data: {k: w}\n"));
	assert_int_equal(c->diags.nerrors, 0);
	fx_free(c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_controller_name_immutable),
		cmocka_unit_test(test_secret_type_immutable),
		cmocka_unit_test(test_immutable_data),
	};

	return cmocka_run_group_tests_name("config/immutable", tests, NULL, NULL);
}
