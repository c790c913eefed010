// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * SecurityPolicy evaluation (gw/secpol.h): pure functions over a compiled
 * policy and one request, so they are unit-tested directly
 * (tests/unit/core/secpol.c). Semantics are Envoy Gateway's
 * authorization_types.go: rules in order, the first match decides; a rule
 * matches when its operation (methods, path) and every principal part
 * (one of clientCIDRs contains the client; all headers match one of their
 * values) match; no match -> defaultAction, Deny when unset.
 */
#include <arpa/inet.h>
#include <string.h>
#include <strings.h>

#include <errno.h>
#include <openssl/evp.h>

#include "gw/htpasswd.h"
#include "gw/secpol.h"

const struct gw_rt_security *gw_secpol_of(const struct gw_rt_rule *r,
					  const struct gw_rt_listener *l)
{
	for (int i = 0; l && i < r->nsecs; i++)
		if (r->secs[i].listener == l->l)
			return r->secs[i].sec;
	return NULL;
}

uint32_t gw_secpol_method_bit(const char *m, uint32_t len)
{
	static const char *const names[] = { "GET", "HEAD", "POST", "PUT", "DELETE", "CONNECT",
					     "OPTIONS", "TRACE", "PATCH" };

	for (uint32_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (strlen(names[i]) == len && !memcmp(names[i], m, len))
			return 1u << i;
	return 0;
}

bool gw_secpol_cidr_contains(const struct gw_rt_cidr *cidr, int fam, const uint8_t *addr)
{
	unsigned full = cidr->len / 8, rest = cidr->len % 8;

	if (cidr->family != fam)
		return false;
	if (memcmp(cidr->addr, addr, full))
		return false;
	return !rest || !((cidr->addr[full] ^ addr[full]) & (uint8_t)(0xff << (8 - rest)));
}

/* PathMatch: Gateway API semantics (PathPrefix matches whole path elements) */
static bool path_matches(const struct gw_rt_authz_rule *r, const struct gw_rt_request *rq, void *md)
{
	uint32_t n = r->path_len;

	switch (r->path_type) {
	case GW_PM_EXACT:
		return rq->path_len == n && !memcmp(rq->path, r->path, n);
	case GW_PM_PREFIX:
		while (n > 1 && r->path[n - 1] == '/')
			n--;	/* "/foo/" is "/foo" */
		if (rq->path_len < n || memcmp(rq->path, r->path, n))
			return false;
		return n == 1 || rq->path_len == n || rq->path[n] == '/';
	case GW_PM_REGEX:
		return gw_rt_re_match(r->path_re, rq->path, rq->path_len, md);
	}
	return false;
}

static bool header_matches(const struct gw_rt_authz_hdr *h, const struct gw_rt_request *rq)
{
	for (size_t i = 0; i < rq->nheaders; i++) {
		const struct gw_http1_header *f = &rq->headers[i];

		if (f->name_len != h->name_len || strncasecmp(f->name, h->name, h->name_len))
			continue;
		for (int v = 0; v < h->nvalues; v++)
			if (strlen(h->values[v]) == f->value_len &&
			    !memcmp(h->values[v], f->value, f->value_len))
				return true;
	}
	return false;
}

static bool rule_matches(const struct gw_rt_authz_rule *r, int fam, const uint8_t *addr,
			 const struct gw_rt_request *rq, void *md)
{
	if (r->methods && !(r->methods & gw_secpol_method_bit(rq->method, rq->method_len)))
		return false;
	if (r->has_path && !path_matches(r, rq, md))
		return false;
	if (r->ncidrs) {
		bool in = false;

		for (int i = 0; i < r->ncidrs && !in; i++)
			in = fam && gw_secpol_cidr_contains(&r->cidrs[i], fam, addr);
		if (!in)
			return false;
	}
	for (int i = 0; i < r->nhdrs; i++)
		if (!header_matches(&r->hdrs[i], rq))
			return false;
	return true;
}

bool gw_secpol_authorize(const struct gw_rt_security *s, const char *peer,
			 const struct gw_rt_request *rq, void *md, const char **rule)
{
	uint8_t addr[16] = { 0 };
	int fam = 0;

	*rule = NULL;
	if (!s->authz)
		return true;
	/* an IPv4 client on a dual-stack socket is ::ffff:a.b.c.d: match it as IPv4 */
	if (!strncmp(peer, "::ffff:", 7) && strchr(peer + 7, '.'))
		peer += 7;
	if (inet_pton(AF_INET, peer, addr) == 1)
		fam = AF_INET;
	else if (inet_pton(AF_INET6, peer, addr) == 1)
		fam = AF_INET6;
	for (int i = 0; i < s->nrules; i++) {
		if (rule_matches(&s->rules[i], fam, addr, rq, md)) {
			*rule = s->rules[i].name;
			return s->rules[i].allow;
		}
	}
	return s->default_allow;
}

int gw_secpol_basic_auth(const struct gw_rt_security *s, const struct gw_rt_request *rq, char *user,
			 size_t userlen)
{
	const struct gw_http1_header *h = NULL;
	unsigned char dec[1024];
	const char *b64, *colon;
	size_t n, pad = 0;
	int len, rc;

	for (size_t i = 0; i < rq->nheaders; i++)
		if (rq->headers[i].name_len == 13 &&
		    !strncasecmp(rq->headers[i].name, "authorization", 13))
			h = &rq->headers[i];
	/* RFC 7617 2: credentials = "Basic" 1*SP token68; the scheme is case-insensitive */
	if (!h || h->value_len < 6 || strncasecmp(h->value, "Basic ", 6))
		return -ENOENT;
	b64 = h->value + 6;
	n = h->value_len - 6;
	while (n && *b64 == ' ')
		b64++, n--;
	if (!n || n % 4 || n / 4 * 3 > sizeof(dec) - 1)
		return -EACCES;
	len = EVP_DecodeBlock(dec, (const unsigned char *)b64, (int)n);
	if (len < 0)
		return -EACCES;
	pad = (b64[n - 1] == '=') + (n > 1 && b64[n - 2] == '=');
	len -= (int)pad;
	colon = memchr(dec, ':', (size_t)len);
	if (!colon || (size_t)((const unsigned char *)colon - dec) >= userlen)
		return -EACCES;
	n = (size_t)((const unsigned char *)colon - dec);
	memcpy(user, dec, n);
	user[n] = '\0';
	rc = gw_htpasswd_check(s->users, user, n, colon + 1, (size_t)len - n - 1);
	OPENSSL_cleanse(dec, sizeof(dec));
	return rc ? -EACCES : 0;
}
