/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * htpasswd files for Envoy Gateway's basicAuth (api/v1alpha1/
 * basic_auth_types.go: the ".htpasswd" key of a Secret): parsing with
 * line-numbered errors, and password checks against {SHA} (what Envoy's
 * basic_auth filter supports), bcrypt $2a$/$2b$/$2y$ cost 4-17 (crypt_r)
 * and Apache's $apr1$ MD5-crypt (OpenSSL MD5), compared in constant time.
 * Pure library code, no I/O; not yet called by gwd (docs/auth.md).
 */
#ifndef GW_HTPASSWD_H
#define GW_HTPASSWD_H

#include <stddef.h>

/* Longest line, user name and password accepted. */
#define GW_HTPASSWD_MAX_LINE	 4096
#define GW_HTPASSWD_MAX_USER	 255
#define GW_HTPASSWD_MAX_PASSWORD 4096

enum gw_htpasswd_scheme {
	GW_HTPASSWD_SHA1 = 1, /* {SHA}base64(sha1(password)) */
	GW_HTPASSWD_BCRYPT,   /* $2a$ $2b$ $2y$ */
	GW_HTPASSWD_APR1,     /* $apr1$ */
};

enum gw_htpasswd_err {
	GW_HTPASSWD_OK = 0,
	GW_HTPASSWD_ERR_NOMEM,
	GW_HTPASSWD_ERR_SYNTAX,	   /* no ':', NUL octet, line too long, second ':' */
	GW_HTPASSWD_ERR_USER,	   /* empty, too long, or holds a control octet */
	GW_HTPASSWD_ERR_DUPLICATE, /* a user named twice */
	GW_HTPASSWD_ERR_PLAINTEXT, /* no hash scheme: a plaintext password */
	GW_HTPASSWD_ERR_DES,	   /* crypt(3) DES: 13 characters, 56-bit, refused */
	GW_HTPASSWD_ERR_SCHEME,	   /* $1$, $5$, $6$, $2x$, ... : not supported */
	GW_HTPASSWD_ERR_HASH,	   /* a supported scheme, malformed */
	GW_HTPASSWD_ERR_EMPTY,	   /* no user at all */
};

/** Where and why a file was refused; reason is a static string. line counts from 1. */
struct gw_htpasswd_error {
	enum gw_htpasswd_err code;
	const char *reason;
	unsigned line;
};

struct gw_htpasswd;

/**
 * Parses an htpasswd file: one "user:hash" per line ('\n' or "\r\n"),
 * blank lines and lines starting with '#' ignored. Every hash must be of
 * a supported scheme; the whole file is refused at the first bad line
 * (fail closed: a policy with a broken Secret is not enforced half).
 * Returns 0 with *out set, -EINVAL with err filled, or -ENOMEM.
 */
int gw_htpasswd_parse(const char *text, size_t len, struct gw_htpasswd **out,
		      struct gw_htpasswd_error *err);

/** Frees a file from gw_htpasswd_parse (NULL is fine). */
void gw_htpasswd_free(struct gw_htpasswd *h);

/** Number of users. */
size_t gw_htpasswd_count(const struct gw_htpasswd *h);

/**
 * Checks user's password. Returns 0 when it matches, -EACCES when the
 * user is unknown, the password differs, or holds a NUL or is longer than
 * GW_HTPASSWD_MAX_PASSWORD; -ENOMEM. bcrypt reads only the first 72 bytes
 * of a password (its definition). An unknown user costs one check of the
 * file's costliest hash, whose result is ignored.
 */
int gw_htpasswd_check(const struct gw_htpasswd *h, const char *user, size_t user_len,
		      const char *password, size_t password_len);

/**
 * Checks a password against one hash as gw_htpasswd_parse accepts it
 * (NUL-terminated). Returns 0, -EACCES, -EINVAL (unsupported or malformed
 * hash) or -ENOMEM.
 */
int gw_htpasswd_check_hash(const char *hash, const char *password, size_t password_len);

/**
 * Apache's MD5-crypt: writes "$apr1$<salt>$<22 characters>" and a NUL
 * into out (at least 38 bytes); salt is at most 8 characters (more are
 * ignored, as Apache does) without '$'. Returns 0, -EINVAL or -ENOMEM.
 */
int gw_htpasswd_apr1(const char *password, size_t password_len, const char *salt, size_t salt_len,
		     char *out, size_t size);

#endif /* GW_HTPASSWD_H */
