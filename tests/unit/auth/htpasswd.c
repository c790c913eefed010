// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * htpasswd (user/auth/htpasswd.c): hashes written by Apache's htpasswd
 * 2.4 and openssl passwd verify, wrong passwords do not, and every kind
 * of bad line is refused with its line number.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "user/auth/htpasswd.c"

/*
 * Generated with apache2-utils 2.4 and OpenSSL 3.0:
 *   htpasswd -nbs u3 hunter2           -> {SHA}...
 *   htpasswd -nbB -C 5 u2 'correct horse'
 *   htpasswd -nbm u1 secret            -> $apr1$
 *   openssl passwd -apr1 -salt abcdefgh password (and the others below)
 * The $2a$ pair is crypt_blowfish's own test vector (wrapper.c tests[]).
 */
#define SHA_U3	  "{SHA}87u9ZqY9S/F0eUBXjsPQEDUw4h0="
#define BCRYPT_U2 "$2y$05$WpUlKi6uSLRdtQvRNb9K9eDTdPGVhTypzX9KCdRQ2xXX3ORbSWcYa"
#define APR1_U1	  "$apr1$ie4PV6xe$OUxpZmwUJ6zf7sMBLCQ77/"
#define BCRYPT_2A "$2a$05$CCCCCCCCCCCCCCCCCCCCC.E5YPO9kmyuRGyh0XouQYb4YMJKvyOeW"

static struct gw_htpasswd *load(const char *text)
{
	struct gw_htpasswd_error err = {0};
	struct gw_htpasswd *h = NULL;
	int r = gw_htpasswd_parse(text, strlen(text), &h, &err);

	if (r)
		fail_msg("parse failed: line %u: %s", err.line, err.reason);
	return h;
}

/* Parses text that must be refused; returns the error for the asserts. */
static struct gw_htpasswd_error refuse(const char *text)
{
	struct gw_htpasswd_error err = {0};
	struct gw_htpasswd *h = (struct gw_htpasswd *)1;

	assert_int_equal(gw_htpasswd_parse(text, strlen(text), &h, &err), -EINVAL);
	assert_null(h);
	assert_non_null(err.reason);
	return err;
}

static int check(const struct gw_htpasswd *h, const char *user, const char *pw)
{
	return gw_htpasswd_check(h, user, strlen(user), pw, strlen(pw));
}

static void test_schemes_verify(void **state)
{
	struct gw_htpasswd *h = load("u1:" APR1_U1 "\n"
				     "u2:" BCRYPT_U2 "\n"
				     "u3:" SHA_U3 "\n"
				     "u4:" BCRYPT_2A "\n");

	(void)state;
	assert_int_equal(gw_htpasswd_count(h), 4);
	assert_int_equal(check(h, "u1", "secret"), 0);
	assert_int_equal(check(h, "u2", "correct horse"), 0);
	assert_int_equal(check(h, "u3", "hunter2"), 0);
	assert_int_equal(check(h, "u4", "U*U"), 0);
	/* wrong passwords, including prefixes and one-character changes */
	assert_int_equal(check(h, "u1", "secreT"), -EACCES);
	assert_int_equal(check(h, "u1", ""), -EACCES);
	assert_int_equal(check(h, "u2", "correct horse "), -EACCES);
	assert_int_equal(check(h, "u3", "hunter"), -EACCES);
	assert_int_equal(check(h, "u4", "U*U*"), -EACCES);
	/* one user's password is not another's */
	assert_int_equal(check(h, "u1", "hunter2"), -EACCES);
	/* unknown users, and names that differ only in length or case */
	assert_int_equal(check(h, "u5", "secret"), -EACCES);
	assert_int_equal(check(h, "u", "secret"), -EACCES);
	assert_int_equal(check(h, "u11", "secret"), -EACCES);
	assert_int_equal(check(h, "U1", "secret"), -EACCES);
	gw_htpasswd_free(h);
}

static void test_bcrypt_variants(void **state)
{
	(void)state;
	/* $2b$ and $2y$ hash like $2a$ for passwords without 8-bit octets */
	assert_int_equal(gw_htpasswd_check_hash(BCRYPT_2A, "U*U", 3), 0);
	assert_int_equal(
		gw_htpasswd_check_hash(
			"$2b$05$CCCCCCCCCCCCCCCCCCCCC.E5YPO9kmyuRGyh0XouQYb4YMJKvyOeW", "U*U", 3),
		0);
	assert_int_equal(
		gw_htpasswd_check_hash(
			"$2y$05$CCCCCCCCCCCCCCCCCCCCC.E5YPO9kmyuRGyh0XouQYb4YMJKvyOeW", "U*U", 3),
		0);
	/* one changed hash character */
	assert_int_equal(
		gw_htpasswd_check_hash(
			"$2b$05$CCCCCCCCCCCCCCCCCCCCC.E5YPO9kmyuRGyh0XouQYb4YMJKvyOeX", "U*U", 3),
		-EACCES);
	/* a NUL inside the password would cut it short for crypt_r: refused */
	assert_int_equal(gw_htpasswd_check_hash(BCRYPT_2A, "U*U\0x", 5), -EACCES);
}

static void test_apr1_vectors(void **state)
{
	static const struct {
		const char *pw, *salt, *want;
	} v[] = {
		/* openssl passwd -apr1 -salt SALT PASSWORD */
		{"password", "abcdefgh", "$apr1$abcdefgh$FBwExRW4dCc8aL.OvjpIE1"},
		{"", "x", "$apr1$x$tMwYqBfQwi3FYAr0aJc8M/"},
		{"a-very-long-password-of-more-than-sixteen-bytes-0123456789", "12345678",
		 "$apr1$12345678$ZwuBanNutXICaXnpVgZ7r0"},
		{"\xc3\xbcn\xc3\xaf"
		 "c\xc3\xb6"
		 "d\xc3\xa9",
		 "saltsalt", "$apr1$saltsalt$ZFEQtrtqgMLMWW17C10zY."},
		/* htpasswd -nbm u1 secret */
		{"secret", "ie4PV6xe", APR1_U1},
	};
	char out[64];

	(void)state;
	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		assert_int_equal(gw_htpasswd_apr1(v[i].pw, strlen(v[i].pw), v[i].salt,
						  strlen(v[i].salt), out, sizeof(out)),
				 0);
		assert_string_equal(out, v[i].want);
		assert_int_equal(gw_htpasswd_check_hash(v[i].want, v[i].pw, strlen(v[i].pw)), 0);
	}
	/* a salt over 8 characters is cut to 8, as Apache does */
	assert_int_equal(gw_htpasswd_apr1("password", 8, "abcdefghijk", 11, out, sizeof(out)), 0);
	assert_string_equal(out, "$apr1$abcdefgh$FBwExRW4dCc8aL.OvjpIE1");
	assert_int_equal(gw_htpasswd_apr1("password", 8, "", 0, out, sizeof(out)), -EINVAL);
	assert_int_equal(gw_htpasswd_apr1("password", 8, "a$b", 3, out, sizeof(out)), -EINVAL);
	assert_int_equal(gw_htpasswd_apr1("password", 8, "abcdefgh", 8, out, 37), -EINVAL);
}

static void test_layout(void **state)
{
	/* CRLF, comments, blank and whitespace-only lines, no final newline */
	struct gw_htpasswd *h = load("# users of the example\r\n"
				     "\r\n"
				     "u3:" SHA_U3 "\r\n"
				     "   \t\n"
				     "\n"
				     "u1:" APR1_U1);

	(void)state;
	assert_int_equal(gw_htpasswd_count(h), 2);
	assert_int_equal(check(h, "u3", "hunter2"), 0);
	assert_int_equal(check(h, "u1", "secret"), 0);
	gw_htpasswd_free(h);
}

static void test_many_users_sorted_lookup(void **state)
{
	char *text = malloc(1000 * 64), *p = text, user[16];
	struct gw_htpasswd *h;

	(void)state;
	/* reverse order, so the lookup relies on the sort */
	for (int i = 999; i >= 0; i--)
		p += sprintf(p, "user%d:%s\n", i, SHA_U3);
	h = load(text);
	assert_int_equal(gw_htpasswd_count(h), 1000);
	for (int i = 0; i < 1000; i += 37) {
		snprintf(user, sizeof(user), "user%d", i);
		assert_int_equal(check(h, user, "hunter2"), 0);
	}
	assert_int_equal(check(h, "user1000", "hunter2"), -EACCES);
	assert_int_equal(check(h, "user", "hunter2"), -EACCES);
	gw_htpasswd_free(h);
	free(text);
}

static void test_reject_plaintext(void **state)
{
	struct gw_htpasswd_error e = refuse("u3:" SHA_U3 "\nu5:plain\n");

	(void)state;
	assert_int_equal(e.code, GW_HTPASSWD_ERR_PLAINTEXT);
	assert_int_equal(e.line, 2);
	assert_non_null(strstr(e.reason, "plaintext"));
}

static void test_reject_des(void **state)
{
	/* htpasswd -nbd u4 des */
	struct gw_htpasswd_error e = refuse("\n\nu4:0ULWlqW89xRhk\n");

	(void)state;
	assert_int_equal(e.code, GW_HTPASSWD_ERR_DES);
	assert_int_equal(e.line, 3);
	assert_non_null(strstr(e.reason, "DES"));
}

static void test_reject_unsupported_schemes(void **state)
{
	/* htpasswd -nb2 / -nb5 (SHA-crypt), MD5-crypt $1$, bcrypt's buggy $2x$ */
	static const char *const lines[] = {
		"u6:$5$tHfBlvLexQJnz16A$MDqOy/6G3C94T/ohqScoL0fEulUc7e8Ya72FzIdowxD\n",
		"u7:$6$JagGSR9nGZtcmNgr$o1TyrgYALMi2tGl5NXVSyC3r3EDdGaUzlzdstFeCzWfgcLrTzr"
		"idLDQhxHoc36kh1y.MSNitGpuFA14KZIagY1\n",
		"u8:$1$abc$BXBqpb9BZcZhXLgbee.0s/\n",
		"u9:$2x$05$CCCCCCCCCCCCCCCCCCCCC.E5YPO9kmyuRGyh0XouQYb4YMJKvyOeW\n",
	};

	(void)state;
	for (size_t i = 0; i < sizeof(lines) / sizeof(lines[0]); i++) {
		struct gw_htpasswd_error e = refuse(lines[i]);

		assert_int_equal(e.code, GW_HTPASSWD_ERR_SCHEME);
		assert_int_equal(e.line, 1);
	}
}

static void test_reject_malformed_hashes(void **state)
{
	static const char *const lines[] = {
		"u:{SHA}87u9ZqY9S/F0eUBXjsPQEDUw4h0\n",	  /* one short */
		"u:{SHA}87u9ZqY9S/F0eUBXjsPQEDUw4h0==\n", /* one long */
		"u:{SHA}87u9ZqY9S/F0eUBXjsPQEDUw4h*=\n",  /* not base64 */
		"u:{SHA}\n",
		"u:$2y$05$WpUlKi6uSLRdtQvRNb9K9eDTdPGVhTypzX9KCdRQ2xXX3ORbSWcY\n",  /* 59 */
		"u:$2y$03$WpUlKi6uSLRdtQvRNb9K9eDTdPGVhTypzX9KCdRQ2xXX3ORbSWcYa\n", /* cost 3 */
		"u:$2y$18$WpUlKi6uSLRdtQvRNb9K9eDTdPGVhTypzX9KCdRQ2xXX3ORbSWcYa\n", /* cost 18 */
		"u:$2y$5a$WpUlKi6uSLRdtQvRNb9K9eDTdPGVhTypzX9KCdRQ2xXX3ORbSWcYa\n",
		"u:$apr1$ie4PV6xe$OUxpZmwUJ6zf7sMBLCQ77\n",   /* 21 */
		"u:$apr1$$OUxpZmwUJ6zf7sMBLCQ77/\n",	      /* no salt */
		"u:$apr1$123456789$OUxpZmwUJ6zf7sMBLCQ77/\n", /* salt of 9 */
		"u:$apr1$ie4PV6xeOUxpZmwUJ6zf7sMBLCQ77/\n",   /* no '$' */
	};

	(void)state;
	for (size_t i = 0; i < sizeof(lines) / sizeof(lines[0]); i++) {
		struct gw_htpasswd_error e = refuse(lines[i]);

		if (e.code != GW_HTPASSWD_ERR_HASH)
			fail_msg("line %zu: code %d (%s)", i, e.code, e.reason);
	}
	assert_int_equal(gw_htpasswd_check_hash("plain", "plain", 5), -EINVAL);
}

static void test_reject_syntax(void **state)
{
	struct gw_htpasswd_error e;

	(void)state;
	e = refuse("u3:" SHA_U3 "\nno-colon-here\n");
	assert_int_equal(e.code, GW_HTPASSWD_ERR_SYNTAX);
	assert_int_equal(e.line, 2);
	e = refuse(":" SHA_U3 "\n");
	assert_int_equal(e.code, GW_HTPASSWD_ERR_USER);
	assert_int_equal(e.line, 1);
	e = refuse("u\x01x:" SHA_U3 "\n");
	assert_int_equal(e.code, GW_HTPASSWD_ERR_USER);
	e = refuse("u3:" SHA_U3 ":comment\n");
	assert_int_equal(e.code, GW_HTPASSWD_ERR_SYNTAX);
	{
		static const char nul[] = "u3:{SHA}87u9ZqY9S/F0\0eUBXjsPQEDUw4h0=\n";
		struct gw_htpasswd *h;

		assert_int_equal(gw_htpasswd_parse(nul, sizeof(nul) - 1, &h, &e), -EINVAL);
		assert_int_equal(e.code, GW_HTPASSWD_ERR_SYNTAX);
	}
	{
		char *big = malloc(GW_HTPASSWD_MAX_LINE + 64);

		memset(big, 'a', GW_HTPASSWD_MAX_LINE + 1);
		strcpy(big + GW_HTPASSWD_MAX_LINE + 1, ":x\n");
		e = refuse(big);
		assert_int_equal(e.code, GW_HTPASSWD_ERR_SYNTAX);
		free(big);
	}
	e = refuse("# only a comment\n\n");
	assert_int_equal(e.code, GW_HTPASSWD_ERR_EMPTY);
	e = refuse("");
	assert_int_equal(e.code, GW_HTPASSWD_ERR_EMPTY);
}

static void test_reject_duplicate_user(void **state)
{
	struct gw_htpasswd_error e = refuse("alice:" SHA_U3 "\n"
					    "bob:" APR1_U1 "\n"
					    "# the second alice\n"
					    "alice:" APR1_U1 "\n");

	(void)state;
	assert_int_equal(e.code, GW_HTPASSWD_ERR_DUPLICATE);
	assert_int_equal(e.line, 4);
}

static void test_unknown_user_costs_a_check(void **state)
{
	/* the costliest entry is the one checked for unknown users */
	struct gw_htpasswd *h =
		load("a:" SHA_U3 "\n"
		     "b:" APR1_U1 "\n"
		     "c:$2y$04$WpUlKi6uSLRdtQvRNb9K9eDTdPGVhTypzX9KCdRQ2xXX3ORbSWcYa\n"
		     "d:" BCRYPT_U2 "\n"
		     "e:" SHA_U3 "\n");

	(void)state;
	assert_string_equal(h->v[h->dummy].user, "d");
	/* and its password lets nobody else in */
	assert_int_equal(check(h, "zed", "correct horse"), -EACCES);
	assert_int_equal(check(h, "d", "correct horse"), 0);
	gw_htpasswd_free(h);
	h = load("only:" APR1_U1 "\n");
	assert_int_equal(h->dummy, 0);
	assert_int_equal(check(h, "other", "secret"), -EACCES);
	gw_htpasswd_free(h);
}

static void test_password_limits(void **state)
{
	struct gw_htpasswd *h = load("u3:" SHA_U3 "\n");
	char *big = calloc(1, GW_HTPASSWD_MAX_PASSWORD + 2);

	(void)state;
	memset(big, 'x', GW_HTPASSWD_MAX_PASSWORD + 1);
	assert_int_equal(check(h, "u3", big), -EACCES);
	assert_int_equal(gw_htpasswd_check(h, "u3", 2, "hunter2\0", 8), -EACCES);
	gw_htpasswd_free(h);
	free(big);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_schemes_verify),
		cmocka_unit_test(test_bcrypt_variants),
		cmocka_unit_test(test_apr1_vectors),
		cmocka_unit_test(test_layout),
		cmocka_unit_test(test_many_users_sorted_lookup),
		cmocka_unit_test(test_reject_plaintext),
		cmocka_unit_test(test_reject_des),
		cmocka_unit_test(test_reject_unsupported_schemes),
		cmocka_unit_test(test_reject_malformed_hashes),
		cmocka_unit_test(test_reject_syntax),
		cmocka_unit_test(test_reject_duplicate_user),
		cmocka_unit_test(test_unknown_user_costs_a_check),
		cmocka_unit_test(test_password_limits),
	};

	return cmocka_run_group_tests_name("auth/htpasswd", tests, NULL, NULL);
}
