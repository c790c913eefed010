// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * SecurityPolicy authorization as gwd evaluates it (user/core/secpol.c),
 * against Envoy Gateway's rules (authorization_types.go): first matching
 * rule decides, a rule needs its operation and every principal part,
 * clientCIDRs is any-of, headers all-of with any-of values, and no match
 * is defaultAction, Deny when unset.
 */
#include <arpa/inet.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "gw/secpol.h"

static struct gw_rt_cidr cidr(const char *a, int len)
{
	struct gw_rt_cidr c = { .len = (uint8_t)len };

	c.family = strchr(a, ':') ? AF_INET6 : AF_INET;
	assert_int_equal(inet_pton(c.family, a, c.addr), 1);
	return c;
}

static struct gw_rt_request req(const char *method, const char *path,
				const struct gw_http1_header *h, size_t nh)
{
	return (struct gw_rt_request){ .method = method, .method_len = (uint32_t)strlen(method),
				       .path = path, .path_len = (uint32_t)strlen(path),
				       .headers = h, .nheaders = nh };
}

static bool allow(const struct gw_rt_security *s, const char *peer, struct gw_rt_request rq,
		  const char **rule)
{
	return gw_secpol_authorize(s, peer, &rq, NULL, rule);
}

static void test_cidr_contains(void **st)
{
	struct gw_rt_cidr c = cidr("10.0.1.0", 24), all = cidr("0.0.0.0", 0);
	struct gw_rt_cidr odd = cidr("192.168.128.0", 17), six = cidr("2001:db8::", 32);
	uint8_t a[16];

	(void)st;
	inet_pton(AF_INET, "10.0.1.77", a);
	assert_true(gw_secpol_cidr_contains(&c, AF_INET, a));
	inet_pton(AF_INET, "10.0.2.1", a);
	assert_false(gw_secpol_cidr_contains(&c, AF_INET, a));
	assert_true(gw_secpol_cidr_contains(&all, AF_INET, a));
	inet_pton(AF_INET, "192.168.200.1", a);
	assert_true(gw_secpol_cidr_contains(&odd, AF_INET, a));
	inet_pton(AF_INET, "192.168.127.255", a);
	assert_false(gw_secpol_cidr_contains(&odd, AF_INET, a));
	inet_pton(AF_INET6, "2001:db8:ffff::1", a);
	assert_true(gw_secpol_cidr_contains(&six, AF_INET6, a));
	/* families never mix */
	assert_false(gw_secpol_cidr_contains(&all, AF_INET6, a));
}

/* Envoy Gateway's restrict-ip-access task: Deny by default, allow 10.0.1.0/24 */
static void test_client_cidrs_and_default(void **st)
{
	struct gw_rt_cidr c = cidr("10.0.1.0", 24);
	struct gw_rt_authz_rule r = { .allow = true, .cidrs = &c, .ncidrs = 1, .name = "ip" };
	struct gw_rt_security s = { .authz = true, .rules = &r, .nrules = 1 };
	const char *rule;

	(void)st;
	assert_true(allow(&s, "10.0.1.5", req("GET", "/", NULL, 0), &rule));
	assert_string_equal(rule, "ip");
	/* an IPv4 client seen on a dual-stack socket */
	assert_true(allow(&s, "::ffff:10.0.1.5", req("GET", "/", NULL, 0), &rule));
	assert_false(allow(&s, "10.0.2.5", req("GET", "/", NULL, 0), &rule));
	assert_null(rule);	/* decided by the default action */
	assert_false(allow(&s, "fd00::5", req("GET", "/", NULL, 0), &rule));
	s.default_allow = true;
	assert_true(allow(&s, "10.0.2.5", req("GET", "/", NULL, 0), &rule));
	/* no authorization section: nothing to check */
	s.authz = false;
	s.default_allow = false;
	assert_true(allow(&s, "10.0.2.5", req("GET", "/", NULL, 0), &rule));
}

static void test_first_match_decides(void **st)
{
	struct gw_rt_cidr c = cidr("10.0.0.0", 8);
	struct gw_rt_authz_rule r[2] = {
		{ .name = "deny-admin", .allow = false, .has_path = true, .path_type = GW_PM_PREFIX,
		  .path = "/admin/", .path_len = 7, .cidrs = &c, .ncidrs = 1 },
		{ .name = "allow-lan", .allow = true, .cidrs = &c, .ncidrs = 1 },
	};
	struct gw_rt_security s = { .authz = true, .rules = r, .nrules = 2 };
	const char *rule;

	(void)st;
	assert_false(allow(&s, "10.1.1.1", req("GET", "/admin", NULL, 0), &rule));
	assert_string_equal(rule, "deny-admin");
	assert_false(allow(&s, "10.1.1.1", req("GET", "/admin/users", NULL, 0), &rule));
	/* PathPrefix matches whole path elements: /administrator is not under /admin */
	assert_true(allow(&s, "10.1.1.1", req("GET", "/administrator", NULL, 0), &rule));
	assert_string_equal(rule, "allow-lan");
	r[0].path_type = GW_PM_EXACT;
	r[0].path = "/admin";
	r[0].path_len = 6;
	assert_false(allow(&s, "10.1.1.1", req("GET", "/admin", NULL, 0), &rule));
	assert_true(allow(&s, "10.1.1.1", req("GET", "/admin/users", NULL, 0), &rule));
}

/* The http-header-method-auth task: headers all-of, values any-of; methods */
static void test_headers_and_methods(void **st)
{
	const char *ids[] = { "example-user", "other-user" }, *roles[] = { "admin" };
	struct gw_rt_authz_hdr h[2] = {
		{ .name = "x-user-id", .name_len = 9, .values = ids, .nvalues = 2 },
		{ .name = "x-role", .name_len = 6, .values = roles, .nvalues = 1 },
	};
	struct gw_rt_authz_rule r = { .allow = true, .hdrs = h, .nhdrs = 2,
				      .methods = gw_secpol_method_bit("GET", 3) |
						 gw_secpol_method_bit("POST", 4) };
	struct gw_rt_security s = { .authz = true, .rules = &r, .nrules = 1 };
	struct gw_http1_header both[2] = {
		{ .name = "X-User-Id", .name_len = 9, .value = "other-user", .value_len = 10 },
		{ .name = "x-role", .name_len = 6, .value = "admin", .value_len = 5 },
	};
	struct gw_http1_header one[1] = {
		{ .name = "x-user-id", .name_len = 9, .value = "example-user", .value_len = 12 },
	};
	struct gw_http1_header wrong[2] = {
		{ .name = "x-user-id", .name_len = 9, .value = "example-user2", .value_len = 13 },
		{ .name = "x-role", .name_len = 6, .value = "admin", .value_len = 5 },
	};
	const char *rule;

	(void)st;
	assert_true(allow(&s, "10.0.0.1", req("GET", "/", both, 2), &rule));
	assert_true(allow(&s, "10.0.0.1", req("POST", "/", both, 2), &rule));
	assert_false(allow(&s, "10.0.0.1", req("DELETE", "/", both, 2), &rule));
	assert_false(allow(&s, "10.0.0.1", req("GET", "/", one, 1), &rule));	/* x-role missing */
	assert_false(allow(&s, "10.0.0.1", req("GET", "/", wrong, 2), &rule));	/* exact values */
	assert_int_equal(gw_secpol_method_bit("get", 3), 0);	/* methods are case-sensitive */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cidr_contains),
		cmocka_unit_test(test_client_cidrs_and_default),
		cmocka_unit_test(test_first_match_decides),
		cmocka_unit_test(test_headers_and_methods),
	};

	return cmocka_run_group_tests_name("core/secpol", tests, NULL, NULL);
}
