// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * tls.options (ListenerTLSConfig.options, BackendTLSPolicySpec.options).
 * Gateway API v1.6 defines the field as implementation-specific key/values
 * with domain-prefixed keys and defines no keys of its own; xdpgw's keys
 * live under xdpgw.io/. Keys of other domains are someone else's and are
 * ignored, so one manifest can carry options for several implementations.
 *
 * Defaults follow Mozilla's "intermediate" server profile without the
 * finite-field DHE suites: TLS 1.2 and 1.3, ECDHE with AEAD ciphers only.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/err.h>

#include "loader/config/yval.h"
#include "tls_internal.h"

#define PREFIX "xdpgw.io/"

static const char default_ciphers[] =
	"ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:"
	"ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:"
	"ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305";
static const char default_suites[] =
	"TLS_AES_128_GCM_SHA256:TLS_AES_256_GCM_SHA384:TLS_CHACHA20_POLY1305_SHA256";
static const char default_groups[] = "X25519:P-256:P-384";

const char *gw_tls_ossl_err(char *buf, size_t len, const char *what)
{
	unsigned long e = ERR_peek_error();
	const char *reason, *data = NULL;
	int flags = 0;

	if (!e) {
		snprintf(buf, len, "%s", what);
		return buf;
	}
	/* the first error queued is the cause, later ones are callers adding context */
	e = ERR_get_error_all(NULL, NULL, NULL, &data, &flags);
	reason = ERR_reason_error_string(e);
	if (!(flags & ERR_TXT_STRING))
		data = NULL;
	if (reason)
		snprintf(buf, len, "%s: %s%s%s", what, reason, data && *data ? " " : "",
			 data && *data ? data : "");
	else
		snprintf(buf, len, "%s: OpenSSL error 0x%lx", what, e);
	ERR_clear_error();
	return buf;
}

static int parse_version(const char *s, int *v)
{
	if (!strcmp(s, "1.2") || !strcmp(s, "TLSv1.2"))
		*v = TLS1_2_VERSION;
	else if (!strcmp(s, "1.3") || !strcmp(s, "TLSv1.3"))
		*v = TLS1_3_VERSION;
	else
		return -EINVAL;
	return 0;
}

size_t gw_tls_alpn_wire(unsigned mask, uint8_t *out)
{
	size_t n = 0;

	if (mask & GW_TLS_ALPN_H2) {
		memcpy(out + n, "\x02h2", 3);
		n += 3;
	}
	if (mask & GW_TLS_ALPN_HTTP1) {
		memcpy(out + n, "\x08http/1.1", 9);
		n += 9;
	}
	return n;
}

/* "h2, http/1.1" -> wire format; HTTP listeners only know what the HTTP layer speaks. */
static int parse_alpn(const char *s, bool http, unsigned speaks, struct gw_tls_opts *o,
		      char *err, size_t errlen)
{
	const char *p = s;

	o->alpn_len = 0;
	while (*p) {
		const char *e;
		size_t n;

		while (*p == ' ' || *p == ',')
			p++;
		if (!*p)
			break;
		e = p;
		while (*e && *e != ',' && *e != ' ')
			e++;
		n = (size_t)(e - p);
		if (http) {
			unsigned bit = n == 2 && !memcmp(p, "h2", 2)	    ? GW_TLS_ALPN_H2 :
				       n == 8 && !memcmp(p, "http/1.1", 8) ? GW_TLS_ALPN_HTTP1 :
									     0;

			if (!bit) {
				snprintf(err, errlen, "%salpn: \"%.*s\" is not an HTTP protocol; "
					 "use h2 and/or http/1.1", PREFIX, (int)n, p);
				return -EINVAL;
			}
			/* a protocol gwd cannot speak is not offered */
			if (!(speaks & bit)) {
				p = e;
				continue;
			}
		}
		if (n > 255 || o->alpn_len + 1 + n > sizeof(o->alpn)) {
			snprintf(err, errlen, "%salpn: \"%s\" is too long", PREFIX, s);
			return -EINVAL;
		}
		o->alpn[o->alpn_len] = (uint8_t)n;
		memcpy(o->alpn + o->alpn_len + 1, p, n);
		o->alpn_len += 1 + n;
		p = e;
	}
	if (!o->alpn_len) {
		snprintf(err, errlen, "%salpn: \"%s\" names no protocol%s", PREFIX, s,
			 http ? " that gwd speaks" : "");
		return -EINVAL;
	}
	return 0;
}

static int set_str(char **dst, const char *s, bool commas, char *err, size_t errlen)
{
	free(*dst);
	*dst = strdup(s);
	if (!*dst) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	if (commas)
		for (char *p = *dst; *p; p++)
			if (*p == ',')
				*p = ':';
	return 0;
}

int gw_tls_opts_parse(const struct gw_yval *options, bool http, unsigned speaks,
		      struct gw_tls_opts *o, char *err, size_t errlen)
{
	int err_ = 0;

	memset(o, 0, sizeof(*o));
	o->min_version = TLS1_2_VERSION;
	o->max_version = TLS1_3_VERSION;
	o->tickets = true;
	if (set_str(&o->ciphers, default_ciphers, false, err, errlen) ||
	    set_str(&o->suites, default_suites, false, err, errlen) ||
	    set_str(&o->groups, default_groups, false, err, errlen))
		return -ENOMEM;
	if (http)
		o->alpn_len = gw_tls_alpn_wire(speaks, o->alpn);
	if (options && options->type != GW_YMAP) {
		snprintf(err, errlen, "tls.options is not a map");
		return -EINVAL;
	}
	for (size_t i = 0; options && i < options->n && !err_; i++) {
		const char *k = options->pairs[i].key;
		const struct gw_yval *v = options->pairs[i].val;
		const char *s = v ? v->str : NULL;
		const char *slash = strchr(k, '/');

		if (!slash) {
			snprintf(err, errlen,
				 "tls.options key \"%s\" has no domain prefix: Gateway API v1.6 "
				 "defines no option keys; xdpgw's are %s*", k, PREFIX);
			return -EINVAL;
		}
		if (strncmp(k, PREFIX, strlen(PREFIX)))
			continue;	/* another implementation's */
		if (!s) {
			snprintf(err, errlen, "%s: value must be a string", k);
			return -EINVAL;
		}
		k += strlen(PREFIX);
		if (!strcmp(k, "min-version") || !strcmp(k, "max-version")) {
			int *dst = k[1] == 'i' ? &o->min_version : &o->max_version;

			if (parse_version(s, dst)) {
				snprintf(err, errlen,
					 "%s%s: \"%s\" is not supported; use 1.2 or 1.3", PREFIX,
					 k, s);
				return -EINVAL;
			}
		} else if (!strcmp(k, "ciphers")) {
			err_ = set_str(&o->ciphers, s, false, err, errlen);
		} else if (!strcmp(k, "ciphersuites")) {
			err_ = set_str(&o->suites, s, false, err, errlen);
		} else if (!strcmp(k, "groups")) {
			err_ = set_str(&o->groups, s, true, err, errlen);
		} else if (!strcmp(k, "alpn")) {
			err_ = parse_alpn(s, http, speaks, o, err, errlen);
		} else if (!strcmp(k, "session-tickets")) {
			if (strcmp(s, "true") && strcmp(s, "false")) {
				snprintf(err, errlen,
					 "%ssession-tickets: \"%s\" is not true or false", PREFIX,
					 s);
				return -EINVAL;
			}
			o->tickets = !strcmp(s, "true");
		} else {
			snprintf(err, errlen, "%s%s: unknown option; xdpgw knows min-version, "
				 "max-version, ciphers, ciphersuites, groups, alpn and "
				 "session-tickets", PREFIX, k);
			return -EINVAL;
		}
	}
	if (err_)
		return err_;
	if (o->min_version > o->max_version) {
		snprintf(err, errlen, "%smin-version is above %smax-version", PREFIX, PREFIX);
		return -EINVAL;
	}
	return 0;
}

void gw_tls_opts_free(struct gw_tls_opts *o)
{
	free(o->ciphers);
	free(o->suites);
	free(o->groups);
	o->ciphers = o->suites = o->groups = NULL;
}

int gw_tls_opts_apply(SSL_CTX *ssl, const struct gw_tls_opts *o, char *err, size_t errlen)
{
	const char *ciphers = o->ciphers, *suites = o->suites, *groups = o->groups;

	ERR_clear_error();
	if (!SSL_CTX_set_min_proto_version(ssl, o->min_version) ||
	    !SSL_CTX_set_max_proto_version(ssl, o->max_version)) {
		gw_tls_ossl_err(err, errlen, "Couldn't set the TLS version range");
		return -EINVAL;
	}
	/* a TLS 1.3-only context has no use for a TLS 1.2 cipher list, and vice versa */
	if (o->min_version <= TLS1_2_VERSION && !SSL_CTX_set_cipher_list(ssl, ciphers)) {
		ERR_clear_error();
		snprintf(err, errlen, "%sciphers: \"%s\" selects no TLS 1.2 cipher", PREFIX,
			 ciphers);
		return -EINVAL;
	}
	if (o->max_version >= TLS1_3_VERSION && !SSL_CTX_set_ciphersuites(ssl, suites)) {
		ERR_clear_error();
		snprintf(err, errlen, "%sciphersuites: \"%s\" is not a list of TLS 1.3 suites",
			 PREFIX, suites);
		return -EINVAL;
	}
	if (!SSL_CTX_set1_groups_list(ssl, groups)) {
		ERR_clear_error();
		snprintf(err, errlen, "%sgroups: \"%s\" is not a list of key exchange groups",
			 PREFIX, groups);
		return -EINVAL;
	}
	/* no TLS 1.2 tickets and no TLS 1.3 NewSessionTicket: every handshake is full */
	if (!o->tickets && (!SSL_CTX_set_num_tickets(ssl, 0) ||
			    !(SSL_CTX_set_options(ssl, SSL_OP_NO_TICKET) & SSL_OP_NO_TICKET))) {
		gw_tls_ossl_err(err, errlen, "Couldn't disable session tickets");
		return -EINVAL;
	}
	return 0;
}

int gw_tls_options_check(const struct gw_yval *options, bool http, char *err, size_t errlen)
{
	struct gw_tls_opts o;
	SSL_CTX *ssl = NULL;
	int ret;

	ret = gw_tls_opts_parse(options, http, GW_TLS_ALPN_H2 | GW_TLS_ALPN_HTTP1, &o, err,
				errlen);
	if (ret)
		goto out;
	ERR_clear_error();
	ssl = SSL_CTX_new(TLS_method());
	if (!ssl) {
		gw_tls_ossl_err(err, errlen, "Couldn't create an SSL_CTX");
		ret = -ENOMEM;
		goto out;
	}
	ret = gw_tls_opts_apply(ssl, &o, err, errlen);
out:
	SSL_CTX_free(ssl);
	gw_tls_opts_free(&o);
	return ret;
}
