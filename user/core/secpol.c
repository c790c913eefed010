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
#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "gw/filters.h"
#include "gw/htpasswd.h"
#include "gw/jwt.h"
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

static const struct gw_http1_header *find_header(const struct gw_rt_request *rq, const char *name)
{
	size_t n = strlen(name);

	for (size_t i = 0; i < rq->nheaders; i++)
		if (rq->headers[i].name_len == n && !strncasecmp(rq->headers[i].name, name, n))
			return &rq->headers[i];
	return NULL;
}

/* name=value in a query string (sep '&'; cookies are gw_cookie_find's), value in *v */
static bool find_pair(const char *s, size_t n, char sep, const char *name, const char **v,
		      size_t *vlen)
{
	size_t nl = strlen(name);

	while (n) {
		const char *end = memchr(s, sep, n);
		size_t len = end ? (size_t)(end - s) : n;

		while (len && *s == ' ')
			s++, len--, n--;
		if (len > nl && s[nl] == '=' && !memcmp(s, name, nl)) {
			*v = s + nl + 1;
			*vlen = len - nl - 1;
			return true;
		}
		if (!end)
			break;
		n -= (size_t)(end + 1 - s);
		s = end + 1;
	}
	return false;
}

/* The provider's token: headers, then cookies, then params (Envoy's jwt_authn order). */
static bool extract(const struct gw_rt_jwt_provider *p, const struct gw_rt_request *rq,
		    const char **tok, size_t *len)
{
	static const struct gw_rt_jwt_header bearer = { "Authorization", "Bearer " };
	const struct gw_rt_jwt_header *hs = p->nhdrs ? p->hdrs : &bearer;
	int nh = p->nhdrs ? p->nhdrs : (p->ncookies || p->nparams ? 0 : 1);

	for (int i = 0; i < nh; i++) {
		const struct gw_http1_header *h = find_header(rq, hs[i].name);
		size_t pl = strlen(hs[i].prefix);

		if (!h || h->value_len < pl || strncasecmp(h->value, hs[i].prefix, pl))
			continue;
		*tok = h->value + pl;
		*len = h->value_len - pl;
		while (*len && **tok == ' ')
			(*tok)++, (*len)--;
		return *len > 0;
	}
	for (int i = 0; i < p->ncookies; i++) {
		uint32_t vl;

		if ((*tok = gw_cookie_find(rq->headers, rq->nheaders, p->cookies[i], &vl))) {
			*len = vl;
			return *len > 0;
		}
	}
	for (int i = 0; rq->query && i < p->nparams; i++)
		if (find_pair(rq->query, rq->query_len, '&', p->params[i], tok, len))
			return *len > 0;
	return false;
}

int gw_secpol_jwt(const struct gw_rt_security *s, const struct gw_rt_request *rq, int64_t now,
		  struct gw_rt_hdrmod *set, char *buf, size_t buflen)
{
	bool found = false;

	for (int i = 0; i < s->njwt; i++) {
		const struct gw_rt_jwt_provider *p = &s->jwt[i];
		struct gw_jwt_claims_policy pol = { .issuer = p->issuer, .audiences = p->audiences,
						    .n_audiences = (size_t)p->naudiences,
						    .now = now, .clock_skew = GW_JWT_DEFAULT_SKEW };
		struct gw_jwt_error err;
		struct gw_jwt *jwt = NULL;
		const char *tok;
		size_t len, used = 0;

		if (!extract(p, rq, &tok, &len))
			continue;
		found = true;
		if (gw_jwt_verify(tok, len, p->jwks, &pol, &jwt, &err))
			continue;
		for (int c = 0; c < p->nclaims && set->nset < GW_RT_MAX_HDR_OPS; c++) {
			size_t vl;

			if (gw_jwt_claim_text(jwt, p->claims[c].claim, buf + used, buflen - used,
					      &vl)) {
				/* absent: no value, and none the client made up either */
				if (set->nremove < GW_RT_MAX_HDR_OPS)
					set->remove[set->nremove++] = (struct gw_rt_hdr){
						p->claims[c].header, NULL,
						(uint32_t)strlen(p->claims[c].header), 0 };
				continue;
			}
			set->set[set->nset++] = (struct gw_rt_hdr){
				p->claims[c].header, buf + used, (uint32_t)strlen(p->claims[c].header),
				(uint32_t)vl };
			used += vl + 1;
		}
		gw_jwt_free(jwt);
		return 0;
	}
	return found ? -EACCES : -ENOENT;
}

int gw_secpol_api_key(const struct gw_rt_security *s, const struct gw_rt_request *rq,
		      const char **client, const char **hdr)
{
	const char *v = NULL;
	size_t vlen = 0;
	int match = -1;

	*client = *hdr = NULL;
	/* extractFrom in order, each entry's names in order: the first value wins */
	for (int i = 0; !v && i < s->nkey_srcs; i++) {
		const struct gw_rt_key_src *src = &s->key_srcs[i];

		if (src->type == GW_KEY_HEADER) {
			const struct gw_http1_header *h = find_header(rq, src->name);

			if (h && h->value_len) {
				v = h->value;
				vlen = h->value_len;
				*hdr = src->name;
			}
		} else if (src->type == GW_KEY_PARAM) {
			if (rq->query)
				find_pair(rq->query, rq->query_len, '&', src->name, &v, &vlen);
		} else {
			uint32_t vl;

			if ((v = gw_cookie_find(rq->headers, rq->nheaders, src->name, &vl)))
				vlen = vl;
		}
		if (v && !vlen)
			v = NULL;
	}
	if (!v)
		return -ENOENT;
	/* every key is compared, so timing does not tell which clients exist */
	for (int i = 0; i < s->napikeys; i++) {
		const struct gw_apikey *k = &s->apikeys[i];
		bool eq = k->len == vlen && !CRYPTO_memcmp(k->key, v, vlen);

		if (eq && match < 0)
			match = i;
	}
	if (match < 0)
		return -EACCES;
	*client = s->apikeys[match].client;
	return 0;
}
