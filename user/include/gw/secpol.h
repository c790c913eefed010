/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Envoy Gateway SecurityPolicy as gwd enforces it (compiled by router.c
 * from the resolved config, evaluated per request by proxy.c). Order is
 * Envoy Gateway's HTTP filter order: CORS (a preflight is answered before
 * authentication), basic authentication, then authorization (RBAC).
 */
#ifndef GW_SECPOL_H
#define GW_SECPOL_H

#include <stdbool.h>
#include <stdint.h>

#include "gw/router.h"
#include "loader/config/model.h"

struct gw_rt_cidr {
	uint8_t family;			/* AF_INET or AF_INET6 */
	uint8_t len;			/* prefix length */
	uint8_t addr[16];		/* network byte order, host bits zero */
};

struct gw_rt_authz_hdr {
	const char *name;
	uint32_t name_len;
	const char **values;		/* any one matches the field's value exactly */
	int nvalues;
};

/** AuthorizationRule: all of operation and principal must match. */
struct gw_rt_authz_rule {
	const char *name;
	bool allow;			/* action Allow, else Deny */
	uint32_t methods;		/* bit per enum gw_secpol_method; 0 = any */
	bool has_path;
	enum gw_path_type path_type;
	const char *path;
	uint32_t path_len;
	void *path_re;			/* RegularExpression: pcre2_code */
	struct gw_rt_cidr *cidrs;	/* any one contains the client address; none = any */
	int ncidrs;
	struct gw_rt_authz_hdr *hdrs;	/* all must match; none = any */
	int nhdrs;
};

struct gw_htpasswd;
struct gw_jwks;

/** Where a jwt provider finds its token (JWTExtractor; default Authorization: Bearer). */
struct gw_rt_jwt_header {
	const char *name;
	const char *prefix;		/* valuePrefix, "" for none */
};

struct gw_rt_jwt_claim {
	const char *header;		/* ClaimToHeader: the request field to set */
	const char *claim;		/* dotted claim path */
};

struct gw_rt_jwt_provider {
	const char *name;
	const struct gw_jwks *jwks;
	const char *issuer;		/* NULL: not checked */
	const char **audiences;
	int naudiences;
	struct gw_rt_jwt_header *hdrs;
	int nhdrs;
	const char **cookies;
	int ncookies;
	const char **params;
	int nparams;
	struct gw_rt_jwt_claim *claims;
	int nclaims;
};

struct gw_rt_security {
	const char *policy;		/* "ns/name" for logs */
	const char *invalid;		/* cannot be enforced: every request gets 500 */
	const struct gw_rt_cors *cors;	/* spec.cors, or NULL */
	const struct gw_htpasswd *users;	/* basicAuth, or NULL */
	const char *user_header;	/* basicAuth.forwardUsernameHeader, or NULL */
	const struct gw_apikey *apikeys;	/* apiKeyAuth credentials (resolved config) */
	int napikeys;
	struct gw_rt_key_src {		/* apiKeyAuth extractFrom, in order */
		enum { GW_KEY_HEADER, GW_KEY_PARAM, GW_KEY_COOKIE } type;
		const char *name;
	} *key_srcs;
	int nkey_srcs;
	const char *client_header;	/* forwardClientIDHeader, or NULL */
	bool key_sanitize;		/* remove the key's header before forwarding */
	struct gw_rt_jwt_provider *jwt;	/* jwt.providers: any one verifying is enough */
	int njwt;
	bool jwt_optional;		/* jwt.optional: a request without a token passes */
	bool authz;			/* spec.authorization present */
	bool default_allow;		/* defaultAction (Deny unless Allow) */
	struct gw_rt_authz_rule *rules;
	int nrules;
};

/** The policy of a rule for one listener (policies attach per listener too). */
struct gw_rt_secref {
	const void *listener;		/* struct gw_listener of the resolved config */
	const struct gw_rt_security *sec;
};

/** The SecurityPolicy of rule r served through rt listener l, or NULL. */
const struct gw_rt_security *gw_secpol_of(const struct gw_rt_rule *r,
					  const struct gw_rt_listener *l);

/** Method bit of a request method (0 for one outside the HTTPMethod enum). */
uint32_t gw_secpol_method_bit(const char *m, uint32_t len);

/**
 * Authorization: the action of the first rule whose operation and principal
 * match (the client address peer, "a.b.c.d" or an IPv6 literal), else the
 * default action. Returns true to allow; *rule is the deciding rule's name
 * (NULL for the default). md is the worker's PCRE2 match data.
 */
bool gw_secpol_authorize(const struct gw_rt_security *s, const char *peer,
			 const struct gw_rt_request *rq, void *md, const char **rule);

/**
 * basicAuth (RFC 7617): the request's Authorization: Basic credentials
 * checked against the users. Returns 0 with the user name in user
 * (NUL-terminated), -ENOENT when the request has no Basic credentials,
 * -EACCES when they do not match (or are malformed).
 */
int gw_secpol_basic_auth(const struct gw_rt_security *s, const struct gw_rt_request *rq, char *user,
			 size_t userlen);

/**
 * jwt: the first provider whose token (found where it says) verifies
 * (signature with its JWK set, issuer, audiences, exp/nbf at now with
 * Envoy's 60 s skew) wins, and its claimToHeaders are added to set (which
 * must have room for GW_RT_MAX_HDR_OPS entries; values are copied into
 * buf). Returns 0; -ENOENT when no provider found a token; -EACCES when
 * one was found and none verified.
 */
int gw_secpol_jwt(const struct gw_rt_security *s, const struct gw_rt_request *rq, int64_t now,
		  struct gw_rt_hdrmod *set, char *buf, size_t buflen);

/**
 * apiKeyAuth: the key from the first extractFrom source that has one,
 * compared with every client's key in constant time. Returns 0 with
 * *client set (and *hdr the header the key came in, NULL otherwise),
 * -ENOENT when the request carries no key, -EACCES for an unknown key.
 */
int gw_secpol_api_key(const struct gw_rt_security *s, const struct gw_rt_request *rq,
		      const char **client, const char **hdr);

/** Whether cidr contains the address of family fam at addr. */
bool gw_secpol_cidr_contains(const struct gw_rt_cidr *cidr, int fam, const uint8_t *addr);

#endif
