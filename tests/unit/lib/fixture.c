// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fixture.h"
#include "loader/config/state.h"

struct gw_config *fx_load(const char *yaml)
{
	struct gw_config *cfg = calloc(1, sizeof(*cfg));

	assert_non_null(cfg);
	gw_config_init(cfg, NULL);
	assert_int_equal(gw_config_add_buf(cfg, "test.yaml", yaml, strlen(yaml)), 0);
	return cfg;
}

struct gw_config *fx_resolve(const char *yaml)
{
	struct gw_config *cfg = fx_load(yaml);

	if (cfg->diags.nerrors)
		fail_msg("unexpected errors:\n%s", fx_diags(cfg));
	cfg->now = "2026-01-01T00:00:00Z";
	assert_int_equal(gw_config_stamp(cfg, NULL, cfg->now), 0);
	assert_int_equal(gw_config_resolve(cfg, NULL), 0);
	return cfg;
}

void fx_free(struct gw_config *cfg)
{
	gw_config_free(cfg);
	free(cfg);
}

const char *fx_diags(const struct gw_config *cfg)
{
	static char buf[16384];
	size_t o = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < cfg->diags.n && o < sizeof(buf) - 2; i++) {
		int n = gw_diag_format(&cfg->diags.v[i], buf + o, sizeof(buf) - o - 1);

		if (n > 0)
			o += (size_t)n;
		if (o >= sizeof(buf) - 2)
			break;
		buf[o++] = '\n';
		buf[o] = '\0';
	}
	return buf;
}

bool fx_has_diag(const struct gw_config *cfg, ...)
{
	char line[2048];

	for (size_t i = 0; i < cfg->diags.n; i++) {
		va_list ap;
		const char *s;
		bool all = true;

		gw_diag_format(&cfg->diags.v[i], line, sizeof(line));
		va_start(ap, cfg);
		while ((s = va_arg(ap, const char *)))
			if (!strstr(line, s))
				all = false;
		va_end(ap);
		if (all)
			return true;
	}
	return false;
}

static struct gw_yval *find_named(struct gw_yval *list, const char *key, const char *name)
{
	for (size_t i = 0; i < gw_ylen(list); i++)
		if (!strcmp(gw_ygetstr(list->items[i], key, ""), name))
			return list->items[i];
	return NULL;
}

struct gw_yval *fx_cond(const struct gw_config *cfg, enum gw_kind kind, const char *ns,
			const char *name, const char *where, const char *type)
{
	struct gw_obj *o = gw_config_find(cfg, kind, ns, name);
	struct gw_yval *holder = NULL;
	char w[256], *slash, *rest;

	if (!o || !o->status)
		return NULL;
	snprintf(w, sizeof(w), "%s", where);
	slash = strchr(w, '/');
	if (slash)
		*slash = '\0';
	rest = slash ? slash + 1 : NULL;
	if (!strcmp(w, "conditions")) {
		holder = o->status;
	} else if (!strcmp(w, "listeners") && rest) {
		holder = find_named(gw_yget(o->status, "listeners"), "name", rest);
	} else if (!strcmp(w, "parents") && rest) {
		struct gw_yval *ps = gw_yget(o->status, "parents");
		char *sec = strchr(rest, '/');

		if (sec)
			*sec++ = '\0';
		for (size_t i = 0; i < gw_ylen(ps); i++) {
			struct gw_yval *pr = gw_yget(ps->items[i], "parentRef");
			const char *s = gw_ygetstr(pr, "sectionName", NULL);

			if (strcmp(gw_ygetstr(pr, "name", ""), rest))
				continue;
			if ((sec && (!s || strcmp(s, sec))) || (!sec && s))
				continue;
			holder = ps->items[i];
			break;
		}
	} else if (!strcmp(w, "ancestors") && rest) {
		struct gw_yval *as = gw_yget(o->status, "ancestors");

		for (size_t i = 0; i < gw_ylen(as); i++)
			if (!strcmp(gw_ygetstr(gw_yget(as->items[i], "ancestorRef"), "name", ""),
				    rest))
				holder = as->items[i];
	}
	return find_named(gw_yget(holder, "conditions"), "type", type);
}

void fx_assert_cond(const struct gw_config *cfg, enum gw_kind kind, const char *ns,
		    const char *name, const char *where, const char *type, const char *status,
		    const char *reason, const char *file, int line)
{
	struct gw_yval *c = fx_cond(cfg, kind, ns, name, where, type);
	struct gw_obj *o = gw_config_find(cfg, kind, ns, name);

	if (c && !strcmp(gw_ygetstr(c, "status", ""), status) &&
	    !strcmp(gw_ygetstr(c, "reason", ""), reason))
		return;
	fprintf(stderr, "%s:%d: %s %s %s: want %s=%s/%s, got %s\n", file, line,
		gw_kind_infos[kind].kind, name, where, type, status, reason,
		c ? "(below)" : "no such condition");
	if (o && o->status)
		gw_yemit_yaml(stderr, o->status);
	fail_msg("%s:%d: condition mismatch", file, line);
}

long long fx_attached(const struct gw_config *cfg, const char *ns, const char *gw,
		      const char *listener)
{
	struct gw_obj *o = gw_config_find(cfg, GW_K_GATEWAY, ns, gw);
	struct gw_yval *l;

	if (!o || !o->status)
		return -1;
	l = find_named(gw_yget(o->status, "listeners"), "name", listener);
	return l ? gw_ygetint(l, "attachedRoutes", -1) : -1;
}

#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

static char *bio_string(BIO *b)
{
	char *data;
	long n = BIO_get_mem_data(b, &data);
	char *s = malloc((size_t)n + 1);

	assert_non_null(s);
	memcpy(s, data, (size_t)n);
	s[n] = '\0';
	return s;
}

static char *b64(const char *s)
{
	BIO *mem = BIO_new(BIO_s_mem()), *f = BIO_new(BIO_f_base64());
	char *out;

	BIO_set_flags(f, BIO_FLAGS_BASE64_NO_NL);
	f = BIO_push(f, mem);
	BIO_write(f, s, (int)strlen(s));
	(void)BIO_flush(f);
	out = bio_string(mem);
	BIO_free_all(f);
	return out;
}

static void make_pair(const char *cn, char **cert_pem, char **key_pem)
{
	EVP_PKEY *key = EVP_EC_gen("P-256");
	X509 *x = X509_new();
	X509_NAME *nm;
	BIO *cb = BIO_new(BIO_s_mem()), *kb = BIO_new(BIO_s_mem());

	assert_non_null(key);
	assert_non_null(x);
	ASN1_INTEGER_set(X509_get_serialNumber(x), 1);
	X509_gmtime_adj(X509_getm_notBefore(x), 0);
	X509_gmtime_adj(X509_getm_notAfter(x), 86400);
	X509_set_pubkey(x, key);
	nm = X509_get_subject_name(x);
	X509_NAME_add_entry_by_txt(nm, "CN", MBSTRING_ASC, (const unsigned char *)cn, -1, -1, 0);
	X509_set_issuer_name(x, nm);
	assert_true(X509_sign(x, key, EVP_sha256()) > 0);
	PEM_write_bio_X509(cb, x);
	PEM_write_bio_PrivateKey(kb, key, NULL, NULL, 0, NULL, NULL);
	*cert_pem = bio_string(cb);
	*key_pem = bio_string(kb);
	BIO_free(cb);
	BIO_free(kb);
	X509_free(x);
	EVP_PKEY_free(key);
}

static char *fx_bufs[256];
static int fx_nbufs;

const char *fx_printf(const char *fmt, ...)
{
	va_list ap;
	char *s;

	va_start(ap, fmt);
	assert_true(vasprintf(&s, fmt, ap) >= 0);
	va_end(ap);
	if (fx_nbufs == 256) {
		for (int i = 0; i < fx_nbufs; i++)
			free(fx_bufs[i]);
		fx_nbufs = 0;
	}
	fx_bufs[fx_nbufs++] = s;
	return s;
}

const char *fx_tls_secret(const char *ns, const char *name, const char *cn, bool mismatched)
{
	char *c1, *k1, *c2, *k2, *bc, *bk;
	const char *out;

	make_pair(cn, &c1, &k1);
	if (mismatched) {
		make_pair(cn, &c2, &k2);
		free(k1);
		k1 = k2;
		free(c2);
	}
	bc = b64(c1);
	bk = b64(k1);
	out = fx_printf("apiVersion: v1\nkind: Secret\nmetadata: {name: %s, namespace: %s}\n"
			"type: kubernetes.io/tls\ndata:\n  tls.crt: %s\n  tls.key: %s\n---\n",
			name, ns, bc, bk);
	free(c1);
	free(k1);
	free(bc);
	free(bk);
	return out;
}

const char *fx_ca_configmap(const char *ns, const char *name)
{
	char *c, *k, *ind;
	const char *out;
	size_t n = 0;

	make_pair("test-ca", &c, &k);
	/* indent the PEM for a YAML block scalar */
	ind = malloc(strlen(c) * 2 + 16);
	assert_non_null(ind);
	for (const char *p = c; *p; p++) {
		if (p == c || p[-1] == '\n')
			n += (size_t)sprintf(ind + n, "    ");
		ind[n++] = *p;
	}
	ind[n] = '\0';
	out = fx_printf("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: %s, namespace: %s}\n"
			"data:\n  ca.crt: |\n%s---\n", name, ns, ind);
	free(c);
	free(k);
	free(ind);
	return out;
}
