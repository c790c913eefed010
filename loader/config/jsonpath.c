// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * kubectl JSONPath: a template is parsed into a list of nodes (text,
 * expressions, range blocks), then evaluated over the value tree. Every
 * rule here follows k8s.io/client-go/util/jsonpath (parser.go, jsonpath.go)
 * as kubectl v1.32 runs it with allowMissingKeys; the cases were checked
 * against the real kubectl (tests/cli/test-jsonpath.sh compares both).
 * Everything lives in one arena freed at the end of gw_jsonpath().
 */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "jsonpath.h"

enum step_kind {
	ST_ROOT,	/* $ */
	ST_CUR,		/* @ */
	ST_FIELD,	/* .name, ['a','b'] */
	ST_WILD,	/* .* [*] */
	ST_RECURSE,	/* .. */
	ST_SLICE,	/* [n] [a:b:c] */
	ST_FILTER,	/* [?(...)] */
	ST_LIT,		/* "text" 5 true */
};

struct expr;

struct step {
	enum step_kind kind;
	const char **names;	/* ST_FIELD */
	int nnames;
	long long idx[3];	/* ST_SLICE start, end, step */
	bool known[3];
	bool single;		/* [n]: end is start + 1 */
	const char *op;		/* ST_FILTER: == != < <= > >=, or "exists" */
	struct expr *lhs, *rhs;
	struct gw_yval lit;	/* ST_LIT */
	struct step *next;
};

struct expr {
	struct step *first, *last;
};

enum node_kind { N_TEXT, N_EXPR, N_RANGE, N_END };

struct node {
	enum node_kind kind;
	const char *text;	/* N_TEXT */
	size_t len;
	struct expr *expr;	/* N_EXPR, N_RANGE */
	struct node *body;	/* N_RANGE */
	struct node *next;
};

struct parser {
	struct gw_arena *a;
	const char *s;		/* whole template (or filter operand) */
	size_t pos;
	char *err;
	size_t errlen;
	bool failed;
};

struct vec {
	const struct gw_yval **v;
	size_t n, cap;
};

struct ev {
	struct gw_arena *a;
	FILE *out;
	const struct gw_yval *root;
	char *err;
	size_t errlen;
	bool oom;
};

__attribute__((format(printf, 2, 3))) static void perr(struct parser *p, const char *fmt, ...)
{
	va_list ap;

	if (p->failed)
		return;
	p->failed = true;
	va_start(ap, fmt);
	vsnprintf(p->err, p->errlen, fmt, ap);
	va_end(ap);
}

static void *zalloc(struct parser *p, size_t n)
{
	void *m = gw_arena_alloc(p->a, n);

	if (!m)
		perr(p, "out of memory");
	else
		memset(m, 0, n);
	return m;
}

static char peek(const struct parser *p)
{
	return p->s[p->pos];
}

static void skip_spaces(struct parser *p)
{
	while (peek(p) == ' ' || peek(p) == '\t')
		p->pos++;
}

static struct step *add_step(struct parser *p, struct expr *e, enum step_kind k)
{
	struct step *st = zalloc(p, sizeof(*st));

	if (!st)
		return NULL;
	st->kind = k;
	if (e->last)
		e->last->next = st;
	else
		e->first = st;
	e->last = st;
	return st;
}

/* parser.go isAlphaNumeric plus the characters field names may carry */
static bool name_char(char c)
{
	return isalnum((unsigned char)c) || c == '_' || c == '-' || c == '/' || c == '\\' ||
	       (unsigned char)c >= 0x80;
}

/* A field name after '.': backslash escapes the next character (`\.`). */
static const char *parse_name(struct parser *p)
{
	size_t start = p->pos, n = 0;
	char *out;

	while (name_char(peek(p))) {
		if (peek(p) == '\\' && p->s[p->pos + 1])
			p->pos++;
		p->pos++;
	}
	out = gw_arena_alloc(p->a, p->pos - start + 1);
	if (!out) {
		perr(p, "out of memory");
		return NULL;
	}
	for (size_t i = start; i < p->pos; i++) {
		if (p->s[i] == '\\' && i + 1 < p->pos)
			i++;
		out[n++] = p->s[i];
	}
	out[n] = '\0';
	return out;
}

/* A quoted literal as strconv.Unquote reads it: \n \t \r \\ \" \' escapes. */
static const char *parse_quoted(struct parser *p)
{
	char q = p->s[p->pos++];
	size_t cap = strlen(p->s + p->pos) + 1, n = 0;
	char *out = gw_arena_alloc(p->a, cap);

	if (!out) {
		perr(p, "out of memory");
		return NULL;
	}
	for (;;) {
		char c = p->s[p->pos];

		if (!c) {
			perr(p, "unterminated quoted string");
			return NULL;
		}
		p->pos++;
		if (c == q)
			break;
		if (c == '\\') {
			c = p->s[p->pos++];
			switch (c) {
			case 'n': c = '\n'; break;
			case 't': c = '\t'; break;
			case 'r': c = '\r'; break;
			case '\\': case '"': case '\'': break;
			default:
				perr(p, "invalid escape \\%c in quoted string", c ? c : ' ');
				return NULL;
			}
		}
		out[n++] = c;
	}
	out[n] = '\0';
	return out;
}

static bool parse_int(struct parser *p, long long *v)
{
	char *end;

	errno = 0;
	*v = strtoll(p->s + p->pos, &end, 10);
	if (end == p->s + p->pos || errno)
		return false;
	p->pos = (size_t)(end - p->s);
	return true;
}

static struct expr *parse_operand(struct parser *p, const char *text);

/* [?(lhs OP rhs)] or [?(path)]: p->pos is after "[?(". */
static void parse_filter(struct parser *p, struct expr *e)
{
	size_t start = p->pos, opat = 0, oplen = 0;
	char quote = 0, *inner, *l, *r, *op;
	struct step *st;

	/* the closing ')' is the first one outside quotes (parser.go parseFilter) */
	for (;; p->pos++) {
		char c = peek(p);

		if (!c) {
			perr(p, "unterminated filter");
			return;
		}
		if (quote) {
			if (c == quote && p->s[p->pos - 1] != '\\')
				quote = 0;
		} else if (c == '"' || c == '\'') {
			quote = c;
		} else if (c == ')') {
			break;
		} else if (!oplen && strchr("!<>=", c)) {
			opat = p->pos - start;
			while (strchr("!<>=", p->s[p->pos + oplen]) && p->s[p->pos + oplen])
				oplen++;
		}
	}
	inner = gw_arena_strndup(p->a, p->s + start, p->pos - start);
	p->pos++;
	if (peek(p) != ']') {
		perr(p, "unclosed array expect ]");
		return;
	}
	p->pos++;
	st = add_step(p, e, ST_FILTER);
	if (!st || !inner)
		return;
	if (!oplen) {
		st->op = "exists";
		st->lhs = parse_operand(p, inner);
		return;
	}
	op = gw_arena_strndup(p->a, inner + opat, oplen);
	l = gw_arena_strndup(p->a, inner, opat);
	r = gw_arena_strdup(p->a, inner + opat + oplen);
	if (!op || !l || !r) {
		perr(p, "out of memory");
		return;
	}
	/* operands first: parser.go reports a bad operand before a bad operator */
	st->op = op;
	st->lhs = parse_operand(p, l);
	st->rhs = parse_operand(p, r);
	if (strcmp(op, "==") && strcmp(op, "!=") && strcmp(op, "<") && strcmp(op, "<=") &&
	    strcmp(op, ">") && strcmp(op, ">="))
		perr(p, "unrecognized filter operator %s", op);
}

/* After '[': [*], [?(...)], ['a','b'], [n], [a:b], [a:b:c]. */
static void parse_bracket(struct parser *p, struct expr *e)
{
	struct step *st;
	int part = 0;

	skip_spaces(p);
	if (peek(p) == '*') {
		p->pos++;
		skip_spaces(p);
		if (peek(p) != ']') {
			perr(p, "unclosed array expect ]");
			return;
		}
		p->pos++;
		add_step(p, e, ST_WILD);
		return;
	}
	if (peek(p) == '?' && p->s[p->pos + 1] == '(') {
		p->pos += 2;
		parse_filter(p, e);
		return;
	}
	st = add_step(p, e, ST_SLICE);
	if (!st)
		return;
	if (peek(p) == '\'' || peek(p) == '"') {
		const char *names[64];

		st->kind = ST_FIELD;
		for (;;) {
			skip_spaces(p);
			if (peek(p) != '\'' && peek(p) != '"') {
				perr(p, "expected a quoted key in []");
				return;
			}
			if (st->nnames == 64) {
				perr(p, "too many keys in []");
				return;
			}
			names[st->nnames] = parse_quoted(p);
			if (!names[st->nnames++])
				return;
			skip_spaces(p);
			if (peek(p) == ',') {
				p->pos++;
				continue;
			}
			break;
		}
		if (peek(p) != ']') {
			perr(p, "unclosed array expect ]");
			return;
		}
		p->pos++;
		st->names = gw_arena_alloc(p->a, (size_t)st->nnames * sizeof(*st->names));
		if (!st->names) {
			perr(p, "out of memory");
			return;
		}
		memcpy(st->names, names, (size_t)st->nnames * sizeof(*names));
		return;
	}
	for (;;) {
		skip_spaces(p);
		if (peek(p) == '-' || isdigit((unsigned char)peek(p))) {
			if (!parse_int(p, &st->idx[part])) {
				perr(p, "invalid array index");
				return;
			}
			st->known[part] = true;
		}
		skip_spaces(p);
		if (peek(p) == ':' && part < 2) {
			p->pos++;
			part++;
			continue;
		}
		if (peek(p) != ']') {
			perr(p, "invalid array index");
			return;
		}
		p->pos++;
		break;
	}
	if (part == 0) {
		/* parser.go: [n] is [n:n+1], and [-1] is [-1:0] with 0 meaning "the end" */
		if (!st->known[0]) {
			perr(p, "invalid array index");
			return;
		}
		st->single = true;
		st->idx[1] = st->idx[0] + 1;
		st->known[1] = true;
	}
}

/*
 * One expression: steps until a character that ends it (space, '}' or the
 * end of a filter operand). A quoted string, a number or true/false is a
 * literal.
 */
static struct expr *parse_expr(struct parser *p)
{
	struct expr *e = zalloc(p, sizeof(*e));
	struct step *st;

	if (!e)
		return NULL;
	skip_spaces(p);
	if (peek(p) == '"' || peek(p) == '\'') {
		if ((st = add_step(p, e, ST_LIT))) {
			st->lit.type = GW_YSTR;
			st->lit.str = parse_quoted(p);
		}
		return e;
	}
	if (peek(p) == '-' || isdigit((unsigned char)peek(p))) {
		const char *s = p->s + p->pos;
		char *end;

		if ((st = add_step(p, e, ST_LIT))) {
			st->lit.i = strtoll(s, &end, 10);
			st->lit.type = GW_YINT;
			if (*end == '.' || *end == 'e' || *end == 'E') {
				strtod(s, &end);
				st->lit.type = GW_YFLOAT;
			}
			if (end == s) {
				perr(p, "invalid number");
				return e;
			}
			st->lit.str = gw_arena_strndup(p->a, s, (size_t)(end - s));
			p->pos += (size_t)(end - s);
		}
		return e;
	}
	if ((!strncmp(p->s + p->pos, "true", 4) || !strncmp(p->s + p->pos, "false", 5)) &&
	    !name_char(p->s[p->pos + (peek(p) == 't' ? 4 : 5)])) {
		if ((st = add_step(p, e, ST_LIT))) {
			st->lit.type = GW_YBOOL;
			st->lit.i = peek(p) == 't';
			st->lit.str = st->lit.i ? "true" : "false";
			p->pos += st->lit.i ? 4 : 5;
		}
		return e;
	}
	while (!p->failed) {
		char c = peek(p);

		if (c == '$' || c == '@') {
			p->pos++;
			add_step(p, e, c == '$' ? ST_ROOT : ST_CUR);
		} else if (c == '.') {
			p->pos++;
			if (peek(p) == '.') {
				p->pos++;
				add_step(p, e, ST_RECURSE);
			}
			if (peek(p) == '*') {
				p->pos++;
				add_step(p, e, ST_WILD);
			} else if (name_char(peek(p))) {
				const char *n = parse_name(p);

				if (n && (st = add_step(p, e, ST_FIELD))) {
					st->names = gw_arena_alloc(p->a, sizeof(*st->names));
					if (!st->names) {
						perr(p, "out of memory");
						break;
					}
					st->names[0] = n;
					st->nnames = 1;
				}
			}
			/* a lone '.' is the current object: {.} */
		} else if (c == '[') {
			p->pos++;
			parse_bracket(p, e);
		} else {
			break;
		}
	}
	return e;
}

/* A filter operand: its own text, parsed as an expression that must use all of it. */
static struct expr *parse_operand(struct parser *p, const char *text)
{
	struct parser sub = { .a = p->a, .s = text, .err = p->err, .errlen = p->errlen };
	struct expr *e;

	if (p->failed)
		return NULL;
	e = parse_expr(&sub);
	skip_spaces(&sub);
	if (!sub.failed && peek(&sub))
		perr(&sub, "unrecognized character in action: U+%04X '%c'", (unsigned char)peek(&sub),
		     peek(&sub));
	p->failed = sub.failed;
	return e;
}

/* Nodes until the end of the template, or until {end} when in_range. */
static struct node *parse_nodes(struct parser *p, bool in_range, bool *ended)
{
	struct node *head = NULL, **tail = &head;

	*ended = false;
	while (peek(p) && !p->failed) {
		struct node *n = zalloc(p, sizeof(*n));

		if (!n)
			break;
		if (peek(p) != '{') {
			size_t start = p->pos;

			while (peek(p) && peek(p) != '{')
				p->pos++;
			n->kind = N_TEXT;
			n->text = p->s + start;
			n->len = p->pos - start;
		} else {
			p->pos++;
			skip_spaces(p);
			if (!strncmp(p->s + p->pos, "range", 5) && !name_char(p->s[p->pos + 5])) {
				p->pos += 5;
				n->kind = N_RANGE;
			} else if (!strncmp(p->s + p->pos, "end", 3) &&
				   !name_char(p->s[p->pos + 3])) {
				p->pos += 3;
				n->kind = N_END;
			} else {
				n->kind = N_EXPR;
			}
			if (n->kind != N_END)
				n->expr = parse_expr(p);
			skip_spaces(p);
			if (p->failed)
				break;
			if (!peek(p)) {
				perr(p, "unclosed action");
				break;
			}
			if (peek(p) != '}') {
				perr(p, "unrecognized character in action: U+%04X '%c'",
				     (unsigned char)peek(p), peek(p));
				break;
			}
			p->pos++;
			if (n->kind == N_END && in_range) {
				*ended = true;
				return head;
			}
			if (n->kind == N_RANGE) {
				bool sub_ended;

				/* kubectl runs an unterminated range to the end of the template */
				n->body = parse_nodes(p, true, &sub_ended);
			}
		}
		*tail = n;
		tail = &n->next;
	}
	return head;
}

/* ---- evaluation ------------------------------------------------------- */

__attribute__((format(printf, 2, 3))) static int everr(struct ev *ev, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(ev->err, ev->errlen, fmt, ap);
	va_end(ap);
	return -EINVAL;
}

static int push(struct ev *ev, struct vec *v, const struct gw_yval *y)
{
	if (v->n == v->cap) {
		size_t cap = v->cap ? v->cap * 2 : 8;
		const struct gw_yval **n = gw_arena_alloc(ev->a, cap * sizeof(*n));

		if (!n) {
			ev->oom = true;
			return -ENOMEM;
		}
		if (v->n)
			memcpy(n, v->v, v->n * sizeof(*n));
		v->v = n;
		v->cap = cap;
	}
	v->v[v->n++] = y;
	return 0;
}

/* Go's reflect kind names, as kubectl's errors print them */
static const char *go_type(const struct gw_yval *y)
{
	switch (y->type) {
	case GW_YMAP: return "map[string]interface {}";
	case GW_YSEQ: return "[]interface {}";
	case GW_YSTR: return "string";
	case GW_YINT: return "int64";
	case GW_YFLOAT: return "float64";
	case GW_YBOOL: return "bool";
	default: return "interface {}";
	}
}

static int children(struct ev *ev, const struct gw_yval *y, struct vec *out)
{
	int err = 0;

	if (y->type == GW_YSEQ) {
		for (size_t i = 0; i < y->n && !err; i++)
			err = push(ev, out, y->items[i]);
	} else if (y->type == GW_YMAP && y->n) {
		/* Go iterates maps in no fixed order; sorted keys are one such order */
		const struct gw_ypair **pairs = gw_ysorted_pairs(y);

		if (!pairs) {
			ev->oom = true;
			return -ENOMEM;
		}
		for (size_t i = 0; i < y->n && !err; i++)
			err = push(ev, out, pairs[i]->val);
		free(pairs);
	}
	return err;
}

/* jsonpath.go evalRecursive: every container, then its descendants, in order */
static int recurse(struct ev *ev, const struct gw_yval *y, struct vec *out)
{
	struct vec kids = { 0 };
	int err;

	if ((err = children(ev, y, &kids)) || !kids.n)
		return err;
	if ((err = push(ev, out, y)))
		return err;
	for (size_t i = 0; i < kids.n && !err; i++)
		err = recurse(ev, kids.v[i], out);
	return err;
}

static int slice(struct ev *ev, const struct step *st, const struct gw_yval *y, struct vec *out)
{
	long long len, a, b, step = 1;

	if (y->type != GW_YSEQ)
		return everr(ev, "%s is not array or slice", go_type(y));
	len = (long long)y->n;
	a = st->known[0] ? st->idx[0] : 0;
	b = st->known[1] ? st->idx[1] : len;
	if (a < 0)
		a += len;
	/* [-1] became [-1:0]: that 0 is "the end", as parser.go marks it Derived */
	if (b < 0 || (st->single && b == 0))
		b += len;
	if (a == b)
		return 0;
	if (a >= len || a < 0)
		return everr(ev, "array index out of bounds: index %lld, length %lld", a, len);
	if (b > len || b < 0)
		return everr(ev, "array index out of bounds: index %lld, length %lld", b - 1, len);
	if (a > b)
		return everr(ev, "starting index %lld is greater than ending index %lld", a, b);
	if (st->known[2]) {
		if (st->idx[2] <= 0)
			return everr(ev, "step must be > 0");
		step = st->idx[2];
	}
	for (long long i = a; i < b; i += step)
		if (push(ev, out, y->items[i]))
			return -ENOMEM;
	return 0;
}

static int eval_expr(struct ev *ev, const struct expr *e, const struct gw_yval *cur,
		     struct vec *out);

static bool is_num(const struct gw_yval *y)
{
	return y->type == GW_YINT || y->type == GW_YFLOAT;
}

/* text/template's eq/lt rules: same basic kind, else "incompatible types" */
static int compare(struct ev *ev, const char *op, const struct gw_yval *l, const struct gw_yval *r,
		   bool *pass)
{
	int c;
	bool ordered = op[0] == '<' || op[0] == '>';

	if (l->type != r->type || !(is_num(l) || l->type == GW_YSTR || l->type == GW_YBOOL))
		return everr(ev, "incompatible types for comparison");
	if (l->type == GW_YBOOL) {
		if (ordered)
			return everr(ev, "invalid type for comparison");
		c = (int)(l->i - r->i);
	} else if (l->type == GW_YSTR) {
		c = strcmp(l->str, r->str);
	} else if (l->type == GW_YINT) {
		c = l->i < r->i ? -1 : l->i > r->i;
	} else {
		double x = strtod(l->str, NULL), y = strtod(r->str, NULL);

		c = x < y ? -1 : x > y;
	}
	if (!strcmp(op, "=="))
		*pass = c == 0;
	else if (!strcmp(op, "!="))
		*pass = c != 0;
	else if (!strcmp(op, "<"))
		*pass = c < 0;
	else if (!strcmp(op, "<="))
		*pass = c <= 0;
	else if (!strcmp(op, ">"))
		*pass = c > 0;
	else
		*pass = c >= 0;
	return 0;
}

/* jsonpath.go evalFilter */
static int filter(struct ev *ev, const struct step *st, const struct gw_yval *y, struct vec *out)
{
	if (y->type != GW_YSEQ)
		return everr(ev, "%s is not array or slice and cannot be filtered", go_type(y));
	for (size_t i = 0; i < y->n; i++) {
		struct vec l = { 0 }, r = { 0 };
		bool pass = false;
		int err = eval_expr(ev, st->lhs, y->items[i], &l);

		if (!strcmp(st->op, "exists")) {
			if (l.n && push(ev, out, y->items[i]))
				return -ENOMEM;
			continue;
		}
		if (err)
			return err;
		if (!l.n)
			continue;
		if (l.n > 1)
			return everr(ev, "can only compare one element at a time");
		if ((err = eval_expr(ev, st->rhs, y->items[i], &r)))
			return err;
		if (!r.n)
			continue;
		if (r.n > 1)
			return everr(ev, "can only compare one element at a time");
		if ((err = compare(ev, st->op, l.v[0], r.v[0], &pass)))
			return err;
		if (pass && push(ev, out, y->items[i]))
			return -ENOMEM;
	}
	return 0;
}

static int eval_step(struct ev *ev, const struct step *st, const struct vec *in, struct vec *out)
{
	int err = 0;

	for (size_t i = 0; i < in->n && !err; i++) {
		const struct gw_yval *y = in->v[i];

		switch (st->kind) {
		case ST_ROOT:
			err = push(ev, out, ev->root);
			break;
		case ST_CUR:
			err = push(ev, out, y);
			break;
		case ST_FIELD:
			for (int k = 0; k < st->nnames && !err; k++) {
				const struct gw_yval *f = gw_yget(y, st->names[k]);

				if (f)	/* allowMissingKeys: a missing key yields nothing */
					err = push(ev, out, f);
			}
			break;
		case ST_WILD:
			err = children(ev, y, out);
			break;
		case ST_RECURSE:
			err = recurse(ev, y, out);
			break;
		case ST_SLICE:
			err = slice(ev, st, y, out);
			break;
		case ST_FILTER:
			err = filter(ev, st, y, out);
			break;
		case ST_LIT:
			err = push(ev, out, &st->lit);
			break;
		}
	}
	return err;
}

static int eval_expr(struct ev *ev, const struct expr *e, const struct gw_yval *cur,
		     struct vec *out)
{
	struct vec in = { 0 };
	int err = push(ev, &in, cur);

	if (!e)
		return -EINVAL;
	for (const struct step *st = e->first; st && !err; st = st->next) {
		struct vec next = { 0 };

		err = eval_step(ev, st, &in, &next);
		in = next;
	}
	if (!err)
		*out = in;
	return err;
}

/* jsonpath.go PrintResults: containers as JSON, scalars as text, ' ' between */
static int print_results(struct ev *ev, const struct vec *v)
{
	for (size_t i = 0; i < v->n; i++) {
		const struct gw_yval *y = v->v[i];

		switch (y->type) {
		case GW_YMAP:
		case GW_YSEQ:
		case GW_YNULL:
			if (gw_yemit_json_compact(ev->out, y))
				return -EIO;
			break;
		case GW_YSTR:
			fputs(y->str, ev->out);
			break;
		case GW_YINT:
			fprintf(ev->out, "%lld", y->i);
			break;
		case GW_YFLOAT:
			gw_yprint_float(ev->out, y->str);
			break;
		case GW_YBOOL:
			fputs(y->i ? "true" : "false", ev->out);
			break;
		}
		if (i + 1 < v->n)
			fputc(' ', ev->out);
	}
	return 0;
}

static int eval_nodes(struct ev *ev, const struct node *n, const struct gw_yval *cur)
{
	for (; n; n = n->next) {
		struct vec v = { 0 };
		int err = 0;

		switch (n->kind) {
		case N_TEXT:
			fwrite(n->text, 1, n->len, ev->out);
			break;
		case N_EXPR:
			if (!(err = eval_expr(ev, n->expr, cur, &v)))
				err = print_results(ev, &v);
			break;
		case N_RANGE:
			if ((err = eval_expr(ev, n->expr, cur, &v)))
				break;
			for (size_t i = 0; i < v.n && !err; i++)
				err = eval_nodes(ev, n->body, v.v[i]);
			break;
		case N_END:
			err = everr(ev, "not in range, nothing to end");
			break;
		}
		if (err)
			return ev->oom ? -ENOMEM : err;
	}
	return 0;
}

int gw_jsonpath(FILE *out, const char *tmpl, const struct gw_yval *root, char *err,
		size_t errlen)
{
	struct gw_arena a = { 0 };
	char why[256] = "";
	struct parser p = { .a = &a, .s = tmpl, .err = why, .errlen = sizeof(why) };
	struct ev ev = { .a = &a, .out = out, .root = root, .err = why, .errlen = sizeof(why) };
	struct node *nodes;
	bool ended;
	int ret = 0;

	nodes = parse_nodes(&p, false, &ended);
	if (p.failed) {
		snprintf(err, errlen, "error parsing jsonpath %s, %s", tmpl, why);
		ret = strcmp(why, "out of memory") ? -EINVAL : -ENOMEM;
	} else if ((ret = eval_nodes(&ev, nodes, root))) {
		/* kubectl's words, less its dump of the template and the object */
		snprintf(err, errlen, "error executing jsonpath \"%s\": Error executing template: %s.",
			 tmpl, ret == -ENOMEM ? "out of memory" : why);
	}
	gw_arena_free(&a);
	return ret;
}
