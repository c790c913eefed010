// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * ClientHello parsing (RFC 8446 section 4.1.2, RFC 5246 section 7.4.1.2)
 * for routing passthrough connections by SNI, and the SNI -> hostname
 * matching shared with the TLS engine's certificate selection.
 *
 * A handshake message may be fragmented over several records (RFC 8446
 * section 5.1), and the records over several TCP reads. Instead of
 * reassembling into a buffer, the parser reads through a cursor that steps
 * over record headers, so the input is never copied and the only state is
 * the caller's byte buffer. Every length is checked against the enclosing
 * one before it is trusted.
 */
#include <errno.h>
#include <string.h>
#include <strings.h>

#include "gw/tls_sniff.h"
#include "loader/config/model.h"

#define REC_HANDSHAKE 22
#define HS_CLIENT_HELLO 1
#define REC_MAX_PLAINTEXT 16384	/* 2^14: larger is a record_overflow (RFC 8446 5.1) */

#define EXT_SERVER_NAME 0
#define EXT_ALPN 16
#define EXT_SUPPORTED_VERSIONS 43
#define SNI_HOST_NAME 0

/*
 * Reads bytes of one handshake message that may span records. err is
 * sticky: once a read fails every later read fails the same way, so the
 * parsing code checks it once per step rather than after every byte.
 */
struct cur {
	const uint8_t *buf;
	size_t len;
	size_t pos;		/* next byte to read */
	size_t rec_end;		/* end of the current record's payload */
	size_t left;		/* bytes the current vector still holds */
	int nrec;
	bool records;		/* false: buf is one flat vector, no record headers */
	int err;
};

static int set_err(struct cur *c, int err)
{
	if (!c->err)
		c->err = err;
	return c->err;
}

/* Steps over the next record header; only handshake records may carry the hello. */
static int next_record(struct cur *c)
{
	const uint8_t *h;
	size_t n;

	if (!c->records)
		return set_err(c, GW_TLS_SNIFF_MALFORMED);
	if (c->len - c->pos < 5)
		return set_err(c, GW_TLS_SNIFF_INCOMPLETE);
	h = c->buf + c->pos;
	n = (size_t)h[3] << 8 | h[4];
	/* zero-length handshake fragments are forbidden (RFC 8446 5.1) */
	if (h[0] != REC_HANDSHAKE || h[1] != 3 || !n || n > REC_MAX_PLAINTEXT ||
	    ++c->nrec > GW_TLS_SNIFF_MAX_RECORDS)
		return set_err(c, GW_TLS_SNIFF_MALFORMED);
	c->pos += 5;
	c->rec_end = c->pos + n;
	return 0;
}

/* Makes at least one byte of the current record available. */
static int avail(struct cur *c)
{
	if (c->err)
		return c->err;
	if (!c->left)
		return set_err(c, GW_TLS_SNIFF_MALFORMED);
	if (c->pos == c->rec_end && next_record(c))
		return c->err;
	if (c->pos >= c->len)
		return set_err(c, GW_TLS_SNIFF_INCOMPLETE);
	return 0;
}

static unsigned get8(struct cur *c)
{
	if (avail(c))
		return 0;
	c->left--;
	return c->buf[c->pos++];
}

static unsigned get16(struct cur *c)
{
	unsigned hi = get8(c);

	return hi << 8 | get8(c);
}

static unsigned get24(struct cur *c)
{
	unsigned hi = get16(c);

	return hi << 8 | get8(c);
}

/* Copies n bytes to out (NULL: skips them), in record-sized steps. */
static void take(struct cur *c, uint8_t *out, size_t n)
{
	while (n && !avail(c)) {
		size_t k = c->rec_end - c->pos;

		if (k > c->len - c->pos)
			k = c->len - c->pos;
		if (k > c->left)
			k = c->left;
		if (k > n)
			k = n;
		if (out) {
			memcpy(out, c->buf + c->pos, k);
			out += k;
		}
		c->pos += k;
		c->left -= k;
		n -= k;
	}
}

/*
 * Enters a vector of n bytes inside the current one; returns what is left
 * of the outer vector after it, for leave().
 */
static size_t enter(struct cur *c, size_t n)
{
	size_t outer;

	if (c->err)
		return 0;
	if (n > c->left) {
		set_err(c, GW_TLS_SNIFF_MALFORMED);
		return 0;
	}
	outer = c->left - n;
	c->left = n;
	return outer;
}

/* Leaves a vector, which must have been read to its end. */
static void leave(struct cur *c, size_t outer)
{
	if (c->err)
		return;
	if (c->left)
		set_err(c, GW_TLS_SNIFF_MALFORMED);
	c->left = outer;
}

/* LDH labels plus '_' (seen in real names); lower-cases; empty labels are invalid. */
static bool valid_host(char *s, size_t *len)
{
	size_t n = *len;

	if (n && s[n - 1] == '.')
		n--;	/* a fully qualified name: RFC 6066 says without the dot */
	if (!n || s[n - 1] == '.')
		return false;
	for (size_t i = 0; i < n; i++) {
		char ch = s[i];

		if (ch >= 'A' && ch <= 'Z')
			s[i] = (char)(ch - 'A' + 'a');
		else if (ch == '.') {
			if (!i || s[i - 1] == '.')
				return false;
		} else if (!((ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch == '-' ||
			     ch == '_')) {
			return false;
		}
	}
	s[n] = '\0';
	*len = n;
	return true;
}

/*
 * server_name extension: ServerNameList <1..2^16-1> of { name_type,
 * opaque<1..2^16-1> }. One host_name at most (RFC 6066 section 3); other
 * name types are skipped with the same layout, as every stack does.
 */
static void parse_sni(struct cur *c, char *out, size_t *outlen, bool *found)
{
	size_t list = get16(c), outer = enter(c, list);

	*found = false;
	if (!list)
		set_err(c, GW_TLS_SNIFF_MALFORMED);
	while (c->left && !c->err) {
		unsigned type = get8(c);
		size_t n = get16(c);

		if (c->err)
			break;
		if (!n || n > c->left) {
			set_err(c, GW_TLS_SNIFF_MALFORMED);
			break;
		}
		if (type != SNI_HOST_NAME) {
			take(c, NULL, n);
			continue;
		}
		if (*found || n > 255) {
			set_err(c, GW_TLS_SNIFF_MALFORMED);
			break;
		}
		take(c, (uint8_t *)out, n);
		if (c->err)
			break;
		*outlen = n;
		if (!valid_host(out, outlen)) {
			set_err(c, GW_TLS_SNIFF_MALFORMED);
			break;
		}
		*found = true;
	}
	leave(c, outer);
}

/* ProtocolNameList <2..2^16-1> of ProtocolName <1..2^8-1> (RFC 7301 section 3.1). */
static void parse_alpn(struct cur *c, struct gw_tls_hello *h)
{
	size_t list = get16(c), outer = enter(c, list);

	if (list < 2)
		set_err(c, GW_TLS_SNIFF_MALFORMED);
	while (c->left && !c->err) {
		size_t n = get8(c);

		if (!n) {
			set_err(c, GW_TLS_SNIFF_MALFORMED);
			break;
		}
		if (!h->alpn_truncated && h->alpn_len + 1 + n <= sizeof(h->alpn)) {
			h->alpn[h->alpn_len] = (uint8_t)n;
			take(c, h->alpn + h->alpn_len + 1, n);
			h->alpn_len += 1 + n;
			h->nalpn++;
		} else {
			h->alpn_truncated = true;
			take(c, NULL, n);
		}
	}
	leave(c, outer);
	h->has_alpn = true;
}

/* supported_versions in a ClientHello: ProtocolVersion versions<2..254>. */
static void parse_versions(struct cur *c, struct gw_tls_hello *h)
{
	size_t list = get8(c), outer = enter(c, list);
	unsigned max = 0;

	if (list < 2 || list & 1)
		set_err(c, GW_TLS_SNIFF_MALFORMED);

	while (c->left && !c->err) {
		unsigned v = get16(c);

		/* GREASE values (RFC 8701) are 0x?A?A and must be ignored */
		if ((v & 0x0f0f) != 0x0a0a && v > max)
			max = v;
	}
	leave(c, outer);
	if (max)
		h->max_version = (uint16_t)max;
}

static void parse_extensions(struct cur *c, struct gw_tls_hello *h)
{
	size_t list = get16(c), outer = enter(c, list);
	uint64_t seen = 0;

	while (c->left && !c->err) {
		unsigned type = get16(c);
		size_t n = get16(c), ext_outer = enter(c, n);

		if (c->err)
			break;
		/* "There MUST NOT be more than one extension of the same type" */
		if (type < 64) {
			if (seen & (1ull << type)) {
				set_err(c, GW_TLS_SNIFF_MALFORMED);
				break;
			}
			seen |= 1ull << type;
		}
		switch (type) {
		case EXT_SERVER_NAME:
			parse_sni(c, h->sni, &h->sni_len, &h->has_sni);
			break;
		case EXT_ALPN:
			parse_alpn(c, h);
			break;
		case EXT_SUPPORTED_VERSIONS:
			parse_versions(c, h);
			break;
		default:
			take(c, NULL, n);
			break;
		}
		leave(c, ext_outer);
	}
	leave(c, outer);
}

int gw_tls_sniff_parse(const void *buf, size_t len, struct gw_tls_hello *h)
{
	struct cur c = { .buf = buf, .len = len, .records = true, .left = 4 };
	const uint8_t *b = buf;
	size_t body, n;

	if (len >= 1 && b[0] != REC_HANDSHAKE)
		return GW_TLS_SNIFF_NOT_TLS;
	if (len >= 2 && b[1] != 3)
		return GW_TLS_SNIFF_NOT_TLS;
	memset(h, 0, sizeof(*h));

	if (get8(&c) != HS_CLIENT_HELLO)
		set_err(&c, GW_TLS_SNIFF_MALFORMED);
	body = get24(&c);
	if (c.err)
		return c.err;
	if (body > GW_TLS_SNIFF_MAX_HELLO)
		return GW_TLS_SNIFF_MALFORMED;
	c.left = body;

	h->legacy_version = (uint16_t)get16(&c);
	h->max_version = h->legacy_version;
	take(&c, NULL, 32);	/* random */
	n = get8(&c);		/* legacy_session_id <0..32> */
	if (n > 32)
		set_err(&c, GW_TLS_SNIFF_MALFORMED);
	take(&c, NULL, n);
	n = get16(&c);		/* cipher_suites <2..2^16-2> */
	if (!c.err && (n < 2 || n & 1))
		set_err(&c, GW_TLS_SNIFF_MALFORMED);
	take(&c, NULL, n);
	n = get8(&c);		/* legacy_compression_methods <1..2^8-1> */
	if (!c.err && !n)
		set_err(&c, GW_TLS_SNIFF_MALFORMED);
	take(&c, NULL, n);
	/* TLS 1.2 allows a ClientHello without the extensions block */
	if (c.left)
		parse_extensions(&c, h);
	leave(&c, 0);
	if (c.err)
		return c.err;
	return (int)c.pos;
}

bool gw_tls_sniff_alpn(const struct gw_tls_hello *h, int i, const char **name, size_t *len)
{
	size_t off = 0;

	if (i < 0 || i >= h->nalpn)
		return false;
	while (i--)
		off += 1 + h->alpn[off];
	*len = h->alpn[off];
	*name = (const char *)h->alpn + off + 1;
	return true;
}

int gw_tls_sniff_sni_ext(const uint8_t *ext, size_t len, char *out, size_t outsize)
{
	struct cur c = { .buf = ext, .len = len, .rec_end = len, .left = len };
	size_t n = 0;
	bool found;

	if (outsize < 256)
		return -EINVAL;
	parse_sni(&c, out, &n, &found);
	if (!c.err && c.pos != len)
		return -EINVAL;
	if (c.err)
		return -EINVAL;
	return found ? 0 : -ENOENT;
}

int gw_tls_sniff_match(const char *pattern, const char *sni)
{
	size_t ls, lh;

	if (!pattern)
		return GW_TLS_SNIFF_MATCH_ANY;
	if (!sni)
		return 0;
	lh = strlen(sni);
	if (lh && sni[lh - 1] == '.')
		lh--;
	if (pattern[0] != '*') {
		return strlen(pattern) == lh && !strncasecmp(pattern, sni, lh) ?
			       GW_TLS_SNIFF_MATCH_EXACT : 0;
	}
	/* "*.example.com" matches a.example.com and a.b.example.com, not example.com */
	if (pattern[1] != '.')
		return 0;
	ls = strlen(pattern + 2);
	if (lh < ls + 2 || sni[lh - ls - 1] != '.' || strncasecmp(sni + lh - ls, pattern + 2, ls))
		return 0;
	return 2 + (int)ls;
}

int gw_tls_sniff_best(const char *const *patterns, int n, const char *sni)
{
	int best = -1, best_score = 0;

	for (int i = 0; i < n; i++) {
		int s = gw_tls_sniff_match(patterns[i], sni);

		if (s > best_score) {
			best = i;
			best_score = s;
		}
	}
	return best;
}

static int attachment_score(const struct gw_attachment *at, const char *sni)
{
	int best = 0;

	if (!at->nhostnames)
		return gw_tls_sniff_match(NULL, sni);
	for (int i = 0; i < at->nhostnames; i++) {
		int s = gw_tls_sniff_match(at->hostnames[i], sni);

		if (s > best)
			best = s;
	}
	return best;
}

static const char *def(const char *s)
{
	return s ? s : "";
}

/* Route precedence (Listener.AllowedRoutes docs): oldest, then namespace/name. */
static bool precedes(const struct gw_obj *a, const struct gw_obj *b)
{
	int c = strcmp(def(a->created), def(b->created));

	if (!c)
		c = strcmp(def(a->ns), def(b->ns));
	if (!c)
		c = strcmp(def(a->name), def(b->name));
	return c < 0;
}

const struct gw_attachment *gw_tls_sniff_pick(const struct gw_listener *l, const char *sni)
{
	const struct gw_attachment *best = NULL;
	int best_score = 0;

	for (const struct gw_attachment *at = l->attachments; at; at = at->next) {
		int s;

		if (at->route->obj->ki->id != GW_K_TLSROUTE)
			continue;
		s = attachment_score(at, sni);
		if (!s)
			continue;
		if (s > best_score ||
		    (s == best_score && precedes(at->route->obj, best->route->obj))) {
			best = at;
			best_score = s;
		}
	}
	return best;
}
