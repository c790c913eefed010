// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * String formats from the Gateway API and Kubernetes validation: each is the
 * kubebuilder pattern or apimachinery validator of the type named in the
 * comment, written as a scanner rather than a regex.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <string.h>

#include "schema.h"

static bool is_lower_alnum(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

bool gw_rfc1123_label(const char *s, size_t n)
{
	if (!n || !is_lower_alnum(s[0]) || !is_lower_alnum(s[n - 1]))
		return false;
	for (size_t i = 0; i < n; i++)
		if (!is_lower_alnum(s[i]) && s[i] != '-')
			return false;
	return true;
}

/* label(\.label)*, optionally with each label <= 63 (apimachinery) */
static bool labels_ok(const char *s, size_t n, bool limit)
{
	size_t start = 0;

	if (!n)
		return false;
	for (size_t i = 0; i <= n; i++) {
		if (i == n || s[i] == '.') {
			if ((limit && i - start > 63) || !gw_rfc1123_label(s + start, i - start))
				return false;
			start = i + 1;
		}
	}
	return true;
}

bool gw_rfc1123_subdomain(const char *s, size_t n)
{
	return labels_ok(s, n, false);
}

static bool subdomain_ok(const char *s, size_t n)
{
	return labels_ok(s, n, true);
}

const char *gw_fmt_dns_label(const char *s)
{
	size_t n = strlen(s);

	if (n > 63)
		return "must be no more than 63 characters";
	if (!gw_rfc1123_label(s, n))
		return "a lowercase RFC 1123 label must consist of lower case alphanumeric "
		       "characters or '-', and must start and end with an alphanumeric character";
	return NULL;
}

const char *gw_fmt_dns_subdomain(const char *s)
{
	size_t n = strlen(s);

	if (n > 253)
		return "must be no more than 253 characters";
	if (!subdomain_ok(s, n))
		return "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric "
		       "characters, '-' or '.', and must start and end with an alphanumeric "
		       "character";
	return NULL;
}

/*
 * Hostname (apis/v1/shared_types.go):
 * ^(\*\.)?[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$, 1..253.
 * IP addresses are not allowed; the pattern alone already rejects IPv6, and
 * the Hostname doc forbids IPv4 literals.
 */
const char *gw_fmt_hostname(const char *s)
{
	const char *p = s;
	struct in_addr a4;

	if (strlen(s) > 253)
		return "must be no more than 253 characters";
	if (p[0] == '*' && p[1] == '.')
		p += 2;
	if (!subdomain_ok(p, strlen(p)))
		return "expected a hostname: lowercase RFC 1123 labels separated by '.', "
		       "optionally prefixed by '*.'";
	if (inet_pton(AF_INET, s, &a4) == 1)
		return "expected a hostname, not an IP address";
	return NULL;
}

const char *gw_fmt_precise_hostname(const char *s)
{
	if (s[0] == '*')
		return "wildcard hostnames are not allowed here";
	return gw_fmt_hostname(s);
}

/* Group: ^$|^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$, <= 253 */
const char *gw_fmt_group(const char *s)
{
	if (!*s)
		return NULL;
	if (strlen(s) > 253 || !subdomain_ok(s, strlen(s)))
		return "expected an API group: empty or a lowercase DNS subdomain";
	return NULL;
}

/* Kind: ^[a-zA-Z]([-a-zA-Z0-9]*[a-zA-Z0-9])?$, 1..63 */
const char *gw_fmt_kind(const char *s)
{
	size_t n = strlen(s);

	if (!n || n > 63 || !isalpha((unsigned char)s[0]) ||
	    !isalnum((unsigned char)s[n - 1]))
		goto bad;
	for (size_t i = 0; i < n; i++)
		if (!isalnum((unsigned char)s[i]) && s[i] != '-')
			goto bad;
	return NULL;
bad:
	return "expected a kind: letters, digits and '-', starting with a letter, at most 63";
}

/* SectionName: same pattern as a DNS subdomain, 1..253 */
const char *gw_fmt_section_name(const char *s)
{
	if (strlen(s) > 253 || !subdomain_ok(s, strlen(s)))
		return "expected a section name: lowercase RFC 1123 labels separated by '.'";
	return NULL;
}

/*
 * GatewayController: domain-prefixed path,
 * ^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/[A-Za-z0-9\/\-._~%!$&'()*+,;=:]+$
 */
const char *gw_fmt_controller_name(const char *s)
{
	const char *slash = strchr(s, '/');

	if (!slash || !subdomain_ok(s, (size_t)(slash - s)) || !slash[1])
		goto bad;
	for (const char *p = slash + 1; *p; p++)
		if (!isalnum((unsigned char)*p) && !strchr("/-._~%!$&'()*+,;=:", *p))
			goto bad;
	return NULL;
bad:
	return "expected a domain-prefixed path such as example.net/gateway-controller";
}

/* HTTPHeaderName: ^[A-Za-z0-9!#$%&'*+\-.^_\x60|~]+$, 1..256 */
const char *gw_fmt_header_name(const char *s)
{
	if (!*s || strlen(s) > 256)
		goto bad;
	for (const char *p = s; *p; p++)
		if (!isalnum((unsigned char)*p) && !strchr("!#$%&'*+-.^_`|~", *p))
			goto bad;
	return NULL;
bad:
	return "expected an HTTP header name (RFC 7230 token)";
}

/*
 * HTTPPathMatch/HTTPPathModifier value: must start with '/', no "//",
 * no "/./" or "/../" segments, no '%2f'/'%2F' or '#' (CEL rules on
 * HTTPPathMatch), characters from ^(?:[-A-Za-z0-9/._~!$&'()*+,;=:@]|[%][0-9a-fA-F]{2})+$
 */
const char *gw_fmt_http_path(const char *s)
{
	size_t n = strlen(s);

	if (s[0] != '/')
		return "must be an absolute path (start with '/')";
	if (strstr(s, "//"))
		return "must not contain '//'";
	if (strstr(s, "/./") || strstr(s, "/../") || (n >= 2 && !strcmp(s + n - 2, "/.")) ||
	    (n >= 3 && !strcmp(s + n - 3, "/..")))
		return "must not contain '/./' or '/../' segments";
	if (strcasestr(s, "%2f"))
		return "must not contain '%2f' or '%2F'";
	for (const char *p = s; *p; p++) {
		if (*p == '%') {
			if (!isxdigit((unsigned char)p[1]) || !isxdigit((unsigned char)p[2]))
				return "'%' must be followed by two hex digits";
			p += 2;
			continue;
		}
		if (!isalnum((unsigned char)*p) && !strchr("-/._~!$&'()*+,;=:@", *p))
			return "contains a character that is not allowed in a path";
	}
	return NULL;
}

/* Duration (GEP-2257): ^([0-9]{1,5}(h|m|s|ms)){1,4}$ */
long long gw_duration_ms(const char *s)
{
	long long total = 0;
	int parts = 0;

	if (!*s)
		return -1;
	while (*s) {
		long long v = 0;
		int digits = 0;

		while (isdigit((unsigned char)*s)) {
			v = v * 10 + (*s++ - '0');
			if (++digits > 5)
				return -1;
		}
		if (!digits || ++parts > 4)
			return -1;
		if (s[0] == 'm' && s[1] == 's')
			total += v, s += 2;
		else if (s[0] == 'h')
			total += v * 3600000, s++;
		else if (s[0] == 'm')
			total += v * 60000, s++;
		else if (s[0] == 's')
			total += v * 1000, s++;
		else
			return -1;
	}
	return total;
}

const char *gw_fmt_duration(const char *s)
{
	return gw_duration_ms(s) < 0 ? "expected a duration such as 1h, 10s, 500ms or 1m30s "
				       "(GEP-2257)"
				     : NULL;
}

const char *gw_fmt_ip(const char *s)
{
	unsigned char buf[16];

	if (inet_pton(AF_INET, s, buf) == 1 || inet_pton(AF_INET6, s, buf) == 1)
		return NULL;
	return "expected an IPv4 or IPv6 address";
}

/* Label key: [prefix/]name, prefix a DNS subdomain, name 1..63 of [A-Za-z0-9_.-] */
const char *gw_fmt_label_key(const char *s)
{
	const char *slash = strchr(s, '/');
	const char *name = slash ? slash + 1 : s;
	size_t n = strlen(name);

	if (slash && (slash == s || (size_t)(slash - s) > 253 ||
		      !subdomain_ok(s, (size_t)(slash - s))))
		return "label key prefix must be a DNS subdomain";
	if (!n || n > 63 || !isalnum((unsigned char)name[0]) ||
	    !isalnum((unsigned char)name[n - 1]))
		goto bad;
	for (const char *p = name; *p; p++)
		if (!isalnum((unsigned char)*p) && !strchr("-_.", *p))
			goto bad;
	return NULL;
bad:
	return "label name must be 1-63 characters of [A-Za-z0-9_.-], starting and ending "
	       "with an alphanumeric character";
}

const char *gw_fmt_label_value(const char *s)
{
	size_t n = strlen(s);

	if (!n)
		return NULL;
	if (n > 63 || !isalnum((unsigned char)s[0]) || !isalnum((unsigned char)s[n - 1]))
		goto bad;
	for (const char *p = s; *p; p++)
		if (!isalnum((unsigned char)*p) && !strchr("-_.", *p))
			goto bad;
	return NULL;
bad:
	return "label value must be empty or 1-63 characters of [A-Za-z0-9_.-], starting and "
	       "ending with an alphanumeric character";
}

const char *gw_fmt_base64(const char *s)
{
	size_t n = 0;

	for (const char *p = s; *p; p++) {
		if (isspace((unsigned char)*p))
			continue;
		if (!isalnum((unsigned char)*p) && *p != '+' && *p != '/' && *p != '=')
			return "expected base64 data";
		n++;
	}
	if (n % 4)
		return "expected base64 data (length not a multiple of 4)";
	return NULL;
}
