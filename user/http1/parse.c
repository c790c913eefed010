// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Strict HTTP/1.1 head and chunked-body parsing. A proxy that accepts what
 * its backends would parse differently is a request-smuggling vector, so
 * everything RFC 9112 lets a recipient reject is rejected here: bare CR or
 * LF, obs-fold, whitespace before the colon, invalid token or field-value
 * octets, duplicate or conflicting framing fields.
 */
#include <string.h>
#include <strings.h>

#include "gw/http1.h"

#define T 1
/* tchar: "!" / "#" / "$" / "%" / "&" / "'" / "*" / "+" / "-" / "." / "^" / "_" / "`" / "|" / "~" / DIGIT / ALPHA */
const uint8_t gw_http1_tchar[256] = {
	['!'] = T, ['#'] = T, ['$'] = T, ['%'] = T, ['&'] = T, ['\''] = T, ['*'] = T, ['+'] = T,
	['-'] = T, ['.'] = T, ['^'] = T, ['_'] = T, ['`'] = T, ['|'] = T, ['~'] = T,
	['0'] = T, ['1'] = T, ['2'] = T, ['3'] = T, ['4'] = T, ['5'] = T, ['6'] = T, ['7'] = T,
	['8'] = T, ['9'] = T,
	['A'] = T, ['B'] = T, ['C'] = T, ['D'] = T, ['E'] = T, ['F'] = T, ['G'] = T, ['H'] = T,
	['I'] = T, ['J'] = T, ['K'] = T, ['L'] = T, ['M'] = T, ['N'] = T, ['O'] = T, ['P'] = T,
	['Q'] = T, ['R'] = T, ['S'] = T, ['T'] = T, ['U'] = T, ['V'] = T, ['W'] = T, ['X'] = T,
	['Y'] = T, ['Z'] = T,
	['a'] = T, ['b'] = T, ['c'] = T, ['d'] = T, ['e'] = T, ['f'] = T, ['g'] = T, ['h'] = T,
	['i'] = T, ['j'] = T, ['k'] = T, ['l'] = T, ['m'] = T, ['n'] = T, ['o'] = T, ['p'] = T,
	['q'] = T, ['r'] = T, ['s'] = T, ['t'] = T, ['u'] = T, ['v'] = T, ['w'] = T, ['x'] = T,
	['y'] = T, ['z'] = T,
};
#undef T

/* field-vchar (VCHAR / obs-text) plus SP and HTAB: what a field value may hold */
static inline bool value_char(unsigned char c)
{
	return c == '\t' || (c >= 0x20 && c != 0x7f);
}

/* Request-target octets: visible ASCII only (RFC 3986 never has others). */
static inline bool target_char(unsigned char c)
{
	return c > 0x20 && c < 0x7f;
}

/* Up to this many empty lines before a request-line are skipped (RFC 9112 2.2). */
#define MAX_LEADING_CRLF 4

static int req_error(struct gw_http1_req *req, int status, const char *why)
{
	req->error_status = status;
	req->error = why;
	return GW_HTTP1_ERROR;
}

/*
 * Checks the bytes in [from, len) of an incomplete head for CR or LF that
 * cannot be part of a CRLF: a bare LF is never accepted, and waiting for
 * more input would only let a malformed head grow to the size cap.
 */
static const char *bare_crlf(const char *buf, size_t len, size_t from)
{
	for (size_t i = from; i < len; i++) {
		if (buf[i] == '\n' && (i == 0 || buf[i - 1] != '\r'))
			return "bare LF";
		if (buf[i] == '\r' && i + 1 < len && buf[i + 1] != '\n')
			return "bare CR";
	}
	return NULL;
}

/* Leading empty lines: returns the offset of the start line, or -1 if too many. */
static long skip_leading_crlf(const char *buf, size_t len)
{
	size_t start = 0;
	int n = 0;

	while (start + 1 < len && buf[start] == '\r' && buf[start + 1] == '\n') {
		if (++n > MAX_LEADING_CRLF)
			return -1;
		start += 2;
	}
	return (long)start;
}

/*
 * Finds the end of the head in buf[start..len): returns the offset just
 * past the empty line, or 0 if there is none yet.
 */
static size_t head_end(const char *buf, size_t len, size_t start, size_t last_len)
{
	size_t from = last_len > start + 3 ? last_len - 3 : start;
	const char *p;

	if (len < from + 4)
		return 0;
	p = memmem(buf + from, len - from, "\r\n\r\n", 4);
	return p ? (size_t)(p - buf) + 4 : 0;
}

/*
 * Parses header lines in buf[p..end) (end is just past the final CRLF CRLF)
 * into hs. Returns 0, or an error status with *why set.
 */
static int parse_fields(const char *buf, size_t p, size_t end, struct gw_http1_header *hs,
			size_t *nhs, const char **why)
{
	size_t n = 0;

	for (;;) {
		size_t name, name_end, v, v_end;

		if (buf[p] == '\r') {
			if (buf[p + 1] != '\n') {
				*why = "bare CR";
				return 400;
			}
			if (p + 2 != end) {
				*why = "data after the empty line";
				return 400;
			}
			break;
		}
		if (buf[p] == ' ' || buf[p] == '\t') {
			*why = "obs-fold (line folding) or whitespace before a field name";
			return 400;
		}
		name = p;
		while (gw_http1_tchar[(unsigned char)buf[p]])
			p++;
		name_end = p;
		if (buf[p] != ':') {
			*why = buf[p] == ' ' || buf[p] == '\t' ? "whitespace before the colon"
				: name_end == name	       ? "empty field name"
							       : "invalid character in a field name";
			return 400;
		}
		if (name_end == name) {
			*why = "empty field name";
			return 400;
		}
		p++;
		while (buf[p] == ' ' || buf[p] == '\t')
			p++;
		v = p;
		while (value_char((unsigned char)buf[p]))
			p++;
		if (buf[p] != '\r') {
			*why = buf[p] == '\n' ? "bare LF" : "invalid character in a field value";
			return 400;
		}
		if (buf[p + 1] != '\n') {
			*why = "bare CR";
			return 400;
		}
		v_end = p;
		while (v_end > v && (buf[v_end - 1] == ' ' || buf[v_end - 1] == '\t'))
			v_end--;
		if (n == GW_HTTP1_MAX_HEADERS) {
			*why = "too many header fields";
			return 431;
		}
		hs[n].name = buf + name;
		hs[n].name_len = (uint32_t)(name_end - name);
		hs[n].value = buf + v;
		hs[n].value_len = (uint32_t)(v_end - v);
		n++;
		p += 2;
	}
	*nhs = n;
	return 0;
}

/*
 * "HTTP/d.d" at buf: returns the minor version, -1 if malformed, -2 if the
 * major version is not 1. RFC 9110 2.5: a recipient of a higher minor
 * version than it implements MUST process the message as the highest it
 * supports, so HTTP/1.2..1.9 are HTTP/1.1.
 */
static int parse_version(const char *buf)
{
	if (memcmp(buf, "HTTP/", 5))
		return -1;
	if (buf[5] < '0' || buf[5] > '9' || buf[6] != '.' || buf[7] < '0' || buf[7] > '9')
		return -1;
	if (buf[5] != '1')
		return -2;
	return buf[7] == '0' ? 0 : 1;
}

/*
 * request-line = method SP request-target SP HTTP-version CRLF, in
 * buf[start..line_end] (line_end is the LF). Returns 0 or an error status
 * with *why set.
 */
static int parse_request_line(const char *buf, size_t start, size_t line_end,
			      struct gw_http1_req *req, const char **why)
{
	size_t p = start;
	int st;

	if (line_end - start > GW_HTTP1_MAX_REQLINE + 1) {
		*why = "request line too long";
		return 414;
	}
	req->method = buf + p;
	while (gw_http1_tchar[(unsigned char)buf[p]])
		p++;
	req->method_len = (uint32_t)(p - start);
	if (!req->method_len || buf[p] != ' ') {
		*why = "malformed method";
		return 400;
	}
	p++;
	req->target = buf + p;
	while (target_char((unsigned char)buf[p]))
		p++;
	req->target_len = (uint32_t)(buf + p - req->target);
	/* also "GET /" CRLF: HTTP/0.9 has no version and is not supported */
	if (!req->target_len || buf[p] != ' ') {
		*why = "malformed request target";
		return 400;
	}
	p++;
	if (line_end - p != 9 || buf[p + 8] != '\r') {
		*why = "malformed HTTP version";
		return 400;
	}
	st = parse_version(buf + p);
	if (st == -1) {
		*why = "malformed HTTP version";
		return 400;
	}
	if (st == -2) {
		*why = "HTTP version not supported";
		return 505;
	}
	req->minor = st;
	return 0;
}

int gw_http1_parse_request(const char *buf, size_t len, size_t last_len, struct gw_http1_req *req)
{
	long lstart;
	size_t start, end, p, line_end;
	const char *why = NULL;
	int st;

	req->nheaders = 0;
	req->error = NULL;
	req->error_status = 0;
	lstart = skip_leading_crlf(buf, len);
	if (lstart < 0)
		return req_error(req, 400, "too many empty lines before the request line");
	start = (size_t)lstart;
	end = head_end(buf, len, start, last_len);
	if (!end) {
		const char *nl;
		size_t from = last_len > start + 1 ? last_len - 1 : start;

		if ((why = bare_crlf(buf, len, from)))
			return req_error(req, 400, why);
		nl = memchr(buf + start, '\n', len - start);
		if (!nl && len - start > GW_HTTP1_MAX_REQLINE + 1)
			return req_error(req, 414, "request line too long");
		/*
		 * A complete request line is judged now: a client that sent a
		 * bad one (HTTP/0.9's "GET /") may never send a header section,
		 * and should get its 400 at once, not a 408 at the header timeout.
		 */
		if (nl && (st = parse_request_line(buf, start, (size_t)(nl - buf), req, &why)))
			return req_error(req, st, why);
		if (len - start >= GW_HTTP1_MAX_HEAD)
			return req_error(req, 431, "request head too large");
		return GW_HTTP1_INCOMPLETE;
	}
	if (end - start > GW_HTTP1_MAX_HEAD)
		return req_error(req, 431, "request head too large");

	line_end = (size_t)((const char *)memchr(buf + start, '\n', end - start) - buf);
	st = parse_request_line(buf, start, line_end, req, &why);
	if (st)
		return req_error(req, st, why);
	p = line_end + 1;
	st = parse_fields(buf, p, end, req->headers, &req->nheaders, &why);
	if (st)
		return req_error(req, st, why);
	return (int)end;
}

int gw_http1_parse_response(const char *buf, size_t len, size_t last_len,
			    struct gw_http1_resp *resp)
{
	size_t end, p, line_end;
	const char *why = NULL;
	int st;

	resp->nheaders = 0;
	resp->error = NULL;
	end = head_end(buf, len, 0, last_len);
	if (!end) {
		if ((why = bare_crlf(buf, len, last_len ? last_len - 1 : 0))) {
			resp->error = why;
			return GW_HTTP1_ERROR;
		}
		if (len >= GW_HTTP1_MAX_HEAD) {
			resp->error = "response head too large";
			return GW_HTTP1_ERROR;
		}
		return GW_HTTP1_INCOMPLETE;
	}
	if (end > GW_HTTP1_MAX_HEAD) {
		resp->error = "response head too large";
		return GW_HTTP1_ERROR;
	}
	/* status-line = HTTP-version SP status-code SP [ reason-phrase ] CRLF */
	line_end = (size_t)((const char *)memchr(buf, '\n', end) - buf);
	if (line_end < 13 || buf[8] != ' ') {
		resp->error = "malformed status line";
		return GW_HTTP1_ERROR;
	}
	st = parse_version(buf);
	if (st < 0) {
		resp->error = "unsupported HTTP version in the status line";
		return GW_HTTP1_ERROR;
	}
	resp->minor = st;
	p = 9;
	if (buf[p] < '1' || buf[p] > '9' || buf[p + 1] < '0' || buf[p + 1] > '9' ||
	    buf[p + 2] < '0' || buf[p + 2] > '9') {
		resp->error = "malformed status code";
		return GW_HTTP1_ERROR;
	}
	resp->status = (buf[p] - '0') * 100 + (buf[p + 1] - '0') * 10 + (buf[p + 2] - '0');
	p += 3;
	/* a missing reason phrase (and its SP) is tolerated: many servers send one */
	if (buf[p] == ' ') {
		p++;
	} else if (buf[p] != '\r') {
		resp->error = "malformed status code";
		return GW_HTTP1_ERROR;
	}
	resp->reason = buf + p;
	while (p < line_end - 1 && value_char((unsigned char)buf[p]))
		p++;
	if (p != line_end - 1 || buf[p] != '\r') {
		resp->error = "malformed reason phrase";
		return GW_HTTP1_ERROR;
	}
	resp->reason_len = (uint32_t)(buf + p - resp->reason);
	st = parse_fields(buf, line_end + 1, end, resp->headers, &resp->nheaders, &why);
	if (st) {
		resp->error = why;
		return GW_HTTP1_ERROR;
	}
	return (int)end;
}

bool gw_http1_name_is_fn(const struct gw_http1_header *h, const char *lower)
{
	size_t n = strlen(lower);

	return h->name_len == n && !strncasecmp(h->name, lower, n);
}

/* Iterates the non-empty elements of a comma-separated list, OWS trimmed. */
static bool next_elem(const char *v, size_t n, size_t *pos, const char **e, size_t *elen)
{
	while (*pos <= n) {
		size_t s = *pos, t;

		while (*pos < n && v[*pos] != ',')
			(*pos)++;
		t = *pos;
		(*pos)++;
		while (s < t && (v[s] == ' ' || v[s] == '\t'))
			s++;
		while (t > s && (v[t - 1] == ' ' || v[t - 1] == '\t'))
			t--;
		if (t > s) {
			*e = v + s;
			*elen = t - s;
			return true;
		}
	}
	return false;
}

bool gw_http1_list_has(const char *v, size_t n, const char *token)
{
	size_t pos = 0, elen, tl = strlen(token);
	const char *e;

	while (next_elem(v, n, &pos, &e, &elen))
		if (elen == tl && !strncasecmp(e, token, tl))
			return true;
	return false;
}

/* 1*DIGIT without sign or list syntax; false on overflow. */
static bool parse_length(const char *v, size_t n, uint64_t *out)
{
	uint64_t x = 0;

	if (!n || n > 19)
		return false;
	for (size_t i = 0; i < n; i++) {
		if (v[i] < '0' || v[i] > '9')
			return false;
		x = x * 10 + (uint64_t)(v[i] - '0');
	}
	*out = x;
	return true;
}

/* uri-host [ ":" port ] (RFC 9110 7.2, RFC 3986 3.2.2), or empty. */
static bool host_valid(const char *v, size_t n)
{
	size_t i = 0;

	if (n && v[0] == '[') {
		for (i = 1; i < n && v[i] != ']'; i++)
			if (!strchr("0123456789abcdefABCDEF:.vV-_~!$&'()*+,;=", v[i]))
				return false;
		if (i == n || i == 1)
			return false;
		i++;
	} else {
		for (; i < n && v[i] != ':'; i++) {
			unsigned char c = (unsigned char)v[i];

			if (!(c >= 'a' && c <= 'z') && !(c >= 'A' && c <= 'Z') &&
			    !(c >= '0' && c <= '9') && !strchr("-._~!$&'()*+,;=%", c))
				return false;
		}
	}
	if (i == n)
		return true;
	if (v[i] != ':')
		return false;
	for (i++; i < n; i++)
		if (v[i] < '0' || v[i] > '9')
			return false;
	return true;
}

static int info_error(struct gw_http1_info *info, int status, const char *why)
{
	info->error_status = status;
	info->error = why;
	return -1;
}

/*
 * Transfer-Encoding across all its field lines: chunked must be the final
 * coding and appear once. Returns 0 (*chunked_final, *other set) or -1.
 */
static int scan_te(const struct gw_http1_header *h, bool *chunked_final, int *nchunked,
		   bool *other)
{
	size_t pos = 0, elen;
	const char *e;

	while (next_elem(h->value, h->value_len, &pos, &e, &elen)) {
		if (elen == 7 && !strncasecmp(e, "chunked", 7)) {
			(*nchunked)++;
			*chunked_final = true;
		} else {
			*other = true;
			*chunked_final = false;
		}
	}
	return 0;
}

static void scan_connection(const struct gw_http1_header *h, bool *close, bool *ka, bool *upg)
{
	size_t pos = 0, elen;
	const char *e;

	while (next_elem(h->value, h->value_len, &pos, &e, &elen)) {
		if (elen == 5 && !strncasecmp(e, "close", 5))
			*close = true;
		else if (elen == 10 && !strncasecmp(e, "keep-alive", 10))
			*ka = true;
		else if (elen == 7 && !strncasecmp(e, "upgrade", 7))
			*upg = true;
	}
}

int gw_http1_request_info(const struct gw_http1_req *req, struct gw_http1_info *info)
{
	bool te = false, chunked_final = false, other = false, cl = false;
	bool close = false, ka = false, conn_upg = false;
	int nchunked = 0, nhost = 0;

	memset(info, 0, sizeof(*info));
	for (size_t i = 0; i < req->nheaders; i++) {
		const struct gw_http1_header *h = &req->headers[i];

		switch (h->name_len) {
		case 4:
			if (gw_http1_name_is(h, "host")) {
				if (nhost++)
					return info_error(info, 400, "more than one Host field");
				info->host = h;
			}
			break;
		case 6:
			if (gw_http1_name_is(h, "expect")) {
				if (h->value_len == 12 && !strncasecmp(h->value, "100-continue", 12))
					info->expect_continue = true;
				else
					return info_error(info, 417, "unsupported expectation");
			}
			break;
		case 7:
			if (gw_http1_name_is(h, "upgrade"))
				info->upgrade_hdr = h;
			break;
		case 10:
			if (gw_http1_name_is(h, "connection"))
				scan_connection(h, &close, &ka, &conn_upg);
			break;
		case 14:
			if (gw_http1_name_is(h, "content-length")) {
				if (cl)
					return info_error(info, 400, "more than one Content-Length");
				if (!parse_length(h->value, h->value_len, &info->content_length))
					return info_error(info, 400, "invalid Content-Length");
				cl = info->has_length = true;
			}
			break;
		case 17:
			if (gw_http1_name_is(h, "transfer-encoding")) {
				te = true;
				scan_te(h, &chunked_final, &nchunked, &other);
			}
			break;
		}
	}
	if (te) {
		if (req->minor == 0)
			return info_error(info, 400, "Transfer-Encoding in an HTTP/1.0 request");
		if (cl)
			return info_error(info, 400, "both Content-Length and Transfer-Encoding");
		if (!chunked_final || nchunked != 1)
			return info_error(info, 400, "Transfer-Encoding is not a single final chunked");
		if (other)
			return info_error(info, 501, "unsupported transfer coding");
		info->body = GW_BODY_CHUNKED;
	} else if (cl) {
		/* Content-Length: 0 stays explicit: some servers want it on a POST */
		info->body = GW_BODY_LENGTH;
	}
	if (req->minor == 1 && !nhost)
		return info_error(info, 400, "missing Host field");
	if (info->host && !host_valid(info->host->value, info->host->value_len))
		return info_error(info, 400, "invalid Host field");
	if (req->method_len == 7 && !memcmp(req->method, "CONNECT", 7))
		return info_error(info, 501, "CONNECT is not supported");
	if (req->target[0] == '*') {
		if (req->target_len != 1 || req->method_len != 7 ||
		    memcmp(req->method, "OPTIONS", 7))
			return info_error(info, 400, "asterisk-form target without OPTIONS");
	} else if (req->target[0] != '/') {
		if (!(req->target_len > 7 && !strncasecmp(req->target, "http://", 7)) &&
		    !(req->target_len > 8 && !strncasecmp(req->target, "https://", 8)))
			return info_error(info, 400, "request target is not origin or absolute form");
	}
	if (memchr(req->target, '#', req->target_len))
		return info_error(info, 400, "fragment in the request target");
	info->keepalive = req->minor == 1 ? !close : ka && !close;
	info->upgrade = conn_upg && info->upgrade_hdr && req->minor == 1;
	return 0;
}

int gw_http1_response_info(const struct gw_http1_resp *resp, bool head_request,
			   struct gw_http1_info *info)
{
	bool te = false, chunked_final = false, other = false, cl = false;
	bool close = false, ka = false, conn_upg = false;
	int nchunked = 0;

	memset(info, 0, sizeof(*info));
	for (size_t i = 0; i < resp->nheaders; i++) {
		const struct gw_http1_header *h = &resp->headers[i];

		if (h->name_len == 14 && gw_http1_name_is(h, "content-length")) {
			if (cl)
				return info_error(info, 502, "more than one Content-Length");
			if (!parse_length(h->value, h->value_len, &info->content_length))
				return info_error(info, 502, "invalid Content-Length");
			cl = info->has_length = true;
		} else if (h->name_len == 17 && gw_http1_name_is(h, "transfer-encoding")) {
			te = true;
			scan_te(h, &chunked_final, &nchunked, &other);
		} else if (h->name_len == 10 && gw_http1_name_is(h, "connection")) {
			scan_connection(h, &close, &ka, &conn_upg);
		} else if (h->name_len == 7 && gw_http1_name_is(h, "upgrade")) {
			info->upgrade_hdr = h;
		}
	}
	if (te && cl)
		return info_error(info, 502, "both Content-Length and Transfer-Encoding");
	info->keepalive = resp->minor == 1 ? !close : ka && !close;
	info->upgrade = resp->status == 101;
	if (resp->status < 200 || resp->status == 204 || resp->status == 304 || head_request) {
		info->body = GW_BODY_NONE;
	} else if (te) {
		if (chunked_final && nchunked == 1 && !other) {
			info->body = GW_BODY_CHUNKED;
		} else if (chunked_final || nchunked) {
			return info_error(info, 502, "unsupported transfer coding");
		} else {
			/* RFC 9112 6.3: a final coding other than chunked: read until close */
			info->body = GW_BODY_CLOSE;
			info->keepalive = false;
		}
	} else if (cl) {
		info->body = GW_BODY_LENGTH;
	} else {
		info->body = GW_BODY_CLOSE;
		info->keepalive = false;
	}
	return 0;
}

static int hexval(unsigned char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c |= 0x20;
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

static ssize_t chunk_error(struct gw_http1_chunked *d, const char *why)
{
	d->state = GW_CHUNK_ERROR;
	d->error = why;
	return -1;
}

ssize_t gw_http1_chunked_decode(struct gw_http1_chunked *d, const char *buf, size_t len,
				const char **data, size_t *data_len)
{
	size_t i = 0;

	*data = NULL;
	*data_len = 0;
	if (d->state == GW_CHUNK_ERROR)
		return -1;
	while (i < len) {
		unsigned char c = (unsigned char)buf[i];
		int v;

		switch (d->state) {
		case GW_CHUNK_SIZE:
			v = hexval(c);
			if (v >= 0) {
				/* 15 hex digits keep remaining far from overflow */
				if (d->ndigits == 15)
					return chunk_error(d, "chunk size too large");
				d->remaining = d->remaining * 16 + (uint64_t)v;
				d->ndigits++;
				break;
			}
			if (!d->ndigits)
				return chunk_error(d, "missing chunk size");
			if (c == ';' || c == ' ' || c == '\t')
				d->state = GW_CHUNK_EXT;
			else if (c == '\r')
				d->state = GW_CHUNK_SIZE_LF;
			else
				return chunk_error(d, "invalid character in chunk size");
			break;
		case GW_CHUNK_EXT:
			if (c == '\r')
				d->state = GW_CHUNK_SIZE_LF;
			else if (!value_char(c))
				return chunk_error(d, "invalid character in chunk extension");
			break;
		case GW_CHUNK_SIZE_LF:
			if (c != '\n')
				return chunk_error(d, "bare CR after chunk size");
			d->line_len = 0;
			d->ndigits = 0;
			if (!d->remaining) {
				/* the trailer section starts with the next call (see http1.h) */
				d->state = GW_CHUNK_TRAILER;
				return (ssize_t)(i + 1);
			}
			d->state = GW_CHUNK_DATA;
			i++;
			continue;
		case GW_CHUNK_DATA: {
			size_t n = len - i;

			if (n > d->remaining)
				n = (size_t)d->remaining;
			*data = buf + i;
			*data_len = n;
			d->remaining -= n;
			i += n;
			if (!d->remaining)
				d->state = GW_CHUNK_DATA_CR;
			return (ssize_t)i;
		}
		case GW_CHUNK_DATA_CR:
			if (c != '\r')
				return chunk_error(d, "chunk data not followed by CRLF");
			d->state = GW_CHUNK_DATA_LF;
			break;
		case GW_CHUNK_DATA_LF:
			if (c != '\n')
				return chunk_error(d, "chunk data not followed by CRLF");
			d->state = GW_CHUNK_SIZE;
			d->remaining = 0;
			d->line_len = 0;
			i++;
			continue;
		case GW_CHUNK_TRAILER:
			if (c == '\r') {
				d->state = GW_CHUNK_END_LF;
			} else if (gw_http1_tchar[c]) {
				d->state = GW_CHUNK_TRAILER_LINE;
				d->ndigits = 0;	/* reused: colon seen */
			} else {
				return chunk_error(d, "malformed trailer field");
			}
			break;
		case GW_CHUNK_TRAILER_LINE:
			if (c == '\r') {
				if (!d->ndigits)
					return chunk_error(d, "trailer field without a colon");
				d->state = GW_CHUNK_TRAILER_LF;
			} else if (c == ':') {
				d->ndigits = 1;
			} else if (!value_char(c) ||
				   (!d->ndigits && !gw_http1_tchar[c])) {
				return chunk_error(d, "invalid character in a trailer field");
			}
			break;
		case GW_CHUNK_TRAILER_LF:
			if (c != '\n')
				return chunk_error(d, "bare CR in trailer section");
			d->state = GW_CHUNK_TRAILER;
			break;
		case GW_CHUNK_END_LF:
			if (c != '\n')
				return chunk_error(d, "bare CR at end of chunked body");
			d->state = GW_CHUNK_DONE;
			return (ssize_t)(i + 1);
		case GW_CHUNK_DONE:
			return (ssize_t)i;
		case GW_CHUNK_ERROR:
			return -1;
		}
		if (d->state == GW_CHUNK_SIZE || d->state == GW_CHUNK_EXT ||
		    d->state == GW_CHUNK_SIZE_LF) {
			if (++d->line_len > GW_HTTP1_MAX_CHUNK_LINE)
				return chunk_error(d, "chunk size line too long");
		} else if (d->state >= GW_CHUNK_TRAILER && d->state <= GW_CHUNK_END_LF) {
			if (++d->trailer_len > GW_HTTP1_MAX_TRAILERS)
				return chunk_error(d, "trailer section too large");
		}
		i++;
	}
	return (ssize_t)i;
}

const char *gw_http1_reason(int status)
{
	switch (status) {
	case 100: return "Continue";
	case 101: return "Switching Protocols";
	case 200: return "OK";
	case 201: return "Created";
	case 202: return "Accepted";
	case 204: return "No Content";
	case 206: return "Partial Content";
	case 301: return "Moved Permanently";
	case 302: return "Found";
	case 303: return "See Other";
	case 304: return "Not Modified";
	case 307: return "Temporary Redirect";
	case 308: return "Permanent Redirect";
	case 400: return "Bad Request";
	case 401: return "Unauthorized";
	case 403: return "Forbidden";
	case 404: return "Not Found";
	case 405: return "Method Not Allowed";
	case 408: return "Request Timeout";
	case 411: return "Length Required";
	case 413: return "Content Too Large";
	case 414: return "URI Too Long";
	case 417: return "Expectation Failed";
	case 421: return "Misdirected Request";
	case 431: return "Request Header Fields Too Large";
	case 500: return "Internal Server Error";
	case 501: return "Not Implemented";
	case 502: return "Bad Gateway";
	case 503: return "Service Unavailable";
	case 504: return "Gateway Timeout";
	case 505: return "HTTP Version Not Supported";
	}
	return "Unknown";
}
