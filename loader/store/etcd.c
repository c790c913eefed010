// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The store on etcd v3 (store.h), through etcd's JSON gateway (the
 * grpc-gateway in front of the KV and Watch services: POST /v3/kv/range,
 * /v3/kv/txn, /v3/watch; keys and values base64, int64 as strings), with
 * libcurl and jansson. Every operation maps onto one etcd call:
 *
 *   get/list  Range (list: range_end = the prefix with its last byte + 1)
 *   commit    one Txn: a compare per op (MOD == expect, or CREATE == 0 for
 *             "absent", VERSION > 0 for a delete's "must exist"), success
 *             = the puts and deletes; on failure the same txn returns a
 *             Range per key, from which -ENOENT and -ECANCELED are told apart
 *   watch     one streaming POST /v3/watch per watch (start_revision =
 *             from_rev + 1), read by gw_store_dispatch() through curl multi;
 *             a compacted start is -ESTALE, as etcd answers it
 *
 * so revisions are etcd's own: the same numbers on every node sharing the
 * cluster, which is what lets nodes compare what they serve.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>
#include <jansson.h>
#include <openssl/evp.h>

#include "store.h"

struct buf {
	char *p;
	size_t len;
};

struct gw_store_watch {
	struct gw_store_watch *next;
	struct etcd *s;
	CURL *h;
	struct buf in;
	char *body;
	gw_store_watch_cb cb;
	void *arg;
	bool created, canceled, dead;
	int64_t compact_rev;
	int delivered;
};

struct etcd {
	struct gw_store base;
	char *endpoint;
	char *prefix;
	size_t plen;
	CURL *h;		/* unary calls */
	CURLM *multi;		/* watch streams */
	struct curl_slist *hdr;
	struct gw_store_watch *watchers;
	int64_t rev;		/* last header revision seen */
	struct gw_kv last;	/* gw_store_get's view */
	char *last_key;
	void *last_val;
};

/* ---- encoding helpers -------------------------------------------------- */

static char *b64(const void *p, size_t n)
{
	char *out = malloc(4 * ((n + 2) / 3) + 1);

	if (out)
		EVP_EncodeBlock((unsigned char *)out, p, (int)n);
	return out;
}

/* Decodes base64 (as etcd writes it, padded) into a malloc'd buffer. */
static void *unb64(const char *s, size_t *n)
{
	size_t len = strlen(s), pad = 0;
	unsigned char *out = malloc(len / 4 * 3 + 1);
	int r;

	if (!out)
		return NULL;
	if (!len) {
		*n = 0;
		return out;
	}
	r = EVP_DecodeBlock(out, (const unsigned char *)s, (int)len);
	if (r < 0) {
		free(out);
		return NULL;
	}
	pad = (len >= 1 && s[len - 1] == '=') + (len >= 2 && s[len - 2] == '=');
	*n = (size_t)r - pad;
	out[*n] = '\0';
	return out;
}

static int64_t i64(const json_t *o, const char *key)
{
	const json_t *v = json_object_get(o, key);

	if (json_is_string(v))
		return strtoll(json_string_value(v), NULL, 10);
	return json_is_integer(v) ? json_integer_value(v) : 0;
}

/* prefix + key, base64 */
static char *full_key(const struct etcd *s, const char *key, bool range_end)
{
	size_t kl = strlen(key), n = s->plen + kl;
	unsigned char *k = malloc(n + 1);
	char *out;

	if (!k)
		return NULL;
	memcpy(k, s->prefix, s->plen);
	memcpy(k + s->plen, key, kl);
	if (range_end) {
		/* the first key after every key with this prefix (clientv3.GetPrefixRangeEnd) */
		while (n && k[n - 1] == 0xff)
			n--;
		if (!n) {
			free(k);
			return strdup("AA==");	/* "\0": to the end of the keyspace */
		}
		k[n - 1]++;
	}
	out = b64(k, n);
	free(k);
	return out;
}

/* ---- one JSON call ------------------------------------------------------ */

static size_t collect(char *p, size_t size, size_t n, void *arg)
{
	struct buf *b = arg;
	char *q = realloc(b->p, b->len + size * n + 1);

	if (!q)
		return 0;
	memcpy(q + b->len, p, size * n);
	b->p = q;
	b->len += size * n;
	b->p[b->len] = '\0';
	return size * n;
}

/* POSTs body to path; *out is the parsed answer. 0, -EIO (no answer), -EPROTO. */
static int call(struct etcd *s, const char *path, json_t *body, json_t **out)
{
	char url[512], *text = json_dumps(body, JSON_COMPACT);
	struct buf b = { 0 };
	long code = 0;
	CURLcode rc;
	json_error_t jerr;

	*out = NULL;
	if (!text)
		return -ENOMEM;
	snprintf(url, sizeof(url), "%s%s", s->endpoint, path);
	curl_easy_setopt(s->h, CURLOPT_URL, url);
	curl_easy_setopt(s->h, CURLOPT_POSTFIELDS, text);
	curl_easy_setopt(s->h, CURLOPT_WRITEFUNCTION, collect);
	curl_easy_setopt(s->h, CURLOPT_WRITEDATA, &b);
	rc = curl_easy_perform(s->h);
	free(text);
	if (rc != CURLE_OK) {
		free(b.p);
		return -EIO;
	}
	curl_easy_getinfo(s->h, CURLINFO_RESPONSE_CODE, &code);
	*out = b.p ? json_loads(b.p, 0, &jerr) : NULL;
	free(b.p);
	if (!*out || code != 200) {
		json_decref(*out);
		*out = NULL;
		return code == 400 ? -EINVAL : -EPROTO;
	}
	s->rev = i64(json_object_get(*out, "header"), "revision");
	return 0;
}

/* kv (etcd mvccpb.KeyValue JSON) into a gw_kv with malloc'd key and value */
static int kv_from(const struct etcd *s, const json_t *kv, struct gw_kv *out, char **key,
		   void **val)
{
	size_t kl, vl = 0;
	const char *v = json_string_value(json_object_get(kv, "value"));

	*key = unb64(json_string_value(json_object_get(kv, "key")) ?: "", &kl);
	*val = unb64(v ? v : "", &vl);
	if (!*key || !*val || kl < s->plen) {
		free(*key);
		free(*val);
		return -EPROTO;
	}
	out->key = *key + s->plen;
	out->val = *val;
	out->len = vl;
	out->create_rev = i64(kv, "create_revision");
	out->mod_rev = i64(kv, "mod_revision");
	return 0;
}

/* ---- operations --------------------------------------------------------- */

static int e_get(struct gw_store *base, const char *key, struct gw_kv *out)
{
	struct etcd *s = (struct etcd *)base;
	json_t *req = json_object(), *resp, *kvs;
	char *k = full_key(s, key, false);
	int err;

	if (!req || !k) {
		json_decref(req);
		free(k);
		return -ENOMEM;
	}
	json_object_set_new(req, "key", json_string(k));
	free(k);
	err = call(s, "/v3/kv/range", req, &resp);
	json_decref(req);
	if (err)
		return err;
	kvs = json_object_get(resp, "kvs");
	if (!json_array_size(kvs)) {
		json_decref(resp);
		return -ENOENT;
	}
	free(s->last_key);
	free(s->last_val);
	err = kv_from(s, json_array_get(kvs, 0), &s->last, &s->last_key, &s->last_val);
	if (err)
		s->last_key = s->last_val = NULL;
	else
		*out = s->last;
	json_decref(resp);
	return err;
}

static int e_list(struct gw_store *base, const char *prefix, gw_store_list_cb cb, void *arg,
		  int64_t *rev)
{
	struct etcd *s = (struct etcd *)base;
	json_t *req = json_object(), *resp, *kvs;
	char *k = full_key(s, prefix, false), *end = full_key(s, prefix, true);
	int err = 0;
	size_t i;

	if (!req || !k || !end) {
		json_decref(req);
		free(k);
		free(end);
		return -ENOMEM;
	}
	json_object_set_new(req, "key", json_string(k));
	json_object_set_new(req, "range_end", json_string(end));
	free(k);
	free(end);
	err = call(s, "/v3/kv/range", req, &resp);
	json_decref(req);
	if (err)
		return err;
	if (rev)
		*rev = s->rev;
	kvs = json_object_get(resp, "kvs");
	/* etcd answers in key order */
	for (i = 0; i < json_array_size(kvs) && !err; i++) {
		struct gw_kv kv;
		char *kk;
		void *vv;

		if (!(err = kv_from(s, json_array_get(kvs, i), &kv, &kk, &vv))) {
			err = cb(arg, &kv);
			free(kk);
			free(vv);
		}
	}
	json_decref(resp);
	return err;
}

static json_t *compare_for(const char *k, const struct gw_store_op *op)
{
	if (op->type == GW_STORE_DELETE && op->expect_rev == GW_STORE_ANY)
		/* delete needs the key to exist: version > 0 */
		return json_pack("{s:s, s:s, s:s, s:s}", "key", k, "target", "VERSION", "result",
				 "GREATER", "version", "0");
	if (op->expect_rev == GW_STORE_ANY)
		return NULL;
	if (op->expect_rev == GW_STORE_ABSENT)
		return json_pack("{s:s, s:s, s:s, s:s}", "key", k, "target", "CREATE", "result",
				 "EQUAL", "create_revision", "0");
	char rev[24];

	snprintf(rev, sizeof(rev), "%lld", (long long)op->expect_rev);
	return json_pack("{s:s, s:s, s:s, s:s}", "key", k, "target", "MOD", "result", "EQUAL",
			 "mod_revision", rev);
}

/* A failed txn: which compare failed? A delete of a missing key is -ENOENT. */
static int failure_reason(const json_t *resp, const struct gw_store_op *ops, size_t n)
{
	const json_t *rs = json_object_get(resp, "responses");

	for (size_t i = 0; i < n && i < json_array_size(rs); i++) {
		const json_t *r = json_object_get(json_array_get(rs, i), "response_range");

		if (ops[i].type == GW_STORE_DELETE && !json_array_size(json_object_get(r, "kvs")))
			return -ENOENT;
	}
	return -ECANCELED;
}

static int e_commit(struct gw_store *base, const struct gw_store_op *ops, size_t n, int64_t *rev)
{
	struct etcd *s = (struct etcd *)base;
	json_t *req = json_object(), *cmp = json_array(), *ok = json_array(), *ko = json_array();
	json_t *resp = NULL;
	int err = 0;

	if (!n) {
		err = -EINVAL;
		goto out;
	}
	if (!req || !cmp || !ok || !ko) {
		err = -ENOMEM;
		goto out;
	}
	for (size_t i = 0; i < n && !err; i++) {
		char *k, *v = NULL;
		json_t *c;

		if (!ops[i].key || !*ops[i].key) {
			err = -EINVAL;
			break;
		}
		for (size_t j = 0; j < i; j++)
			if (!strcmp(ops[i].key, ops[j].key))
				err = -EINVAL;	/* etcd refuses a key twice in a txn too */
		if (err || !(k = full_key(s, ops[i].key, false))) {
			err = err ? err : -ENOMEM;
			break;
		}
		if ((c = compare_for(k, &ops[i])))
			json_array_append_new(cmp, c);
		if (ops[i].type == GW_STORE_PUT) {
			v = b64(ops[i].val, ops[i].len);
			json_array_append_new(ok, json_pack("{s:{s:s, s:s}}", "request_put", "key", k,
							    "value", v ? v : ""));
		} else {
			json_array_append_new(ok, json_pack("{s:{s:s}}", "request_delete_range", "key",
							    k));
		}
		json_array_append_new(ko, json_pack("{s:{s:s}}", "request_range", "key", k));
		free(k);
		free(v);
	}
	if (err)
		goto out;
	json_object_set(req, "compare", cmp);
	json_object_set(req, "success", ok);
	json_object_set(req, "failure", ko);
	if ((err = call(s, "/v3/kv/txn", req, &resp)))
		goto out;
	if (!json_is_true(json_object_get(resp, "succeeded"))) {
		err = failure_reason(resp, ops, n);
		goto out;
	}
	if (rev)
		*rev = s->rev;
out:
	json_decref(resp);
	json_decref(req);
	json_decref(cmp);
	json_decref(ok);
	json_decref(ko);
	return err;
}

/* ---- watch --------------------------------------------------------------- */

static void deliver(struct gw_store_watch *w, const json_t *result)
{
	const json_t *evs = json_object_get(result, "events");
	int64_t rev = i64(json_object_get(result, "header"), "revision");

	for (size_t i = 0; i < json_array_size(evs); i++) {
		const json_t *e = json_array_get(evs, i);
		struct gw_store_event ev = { 0 };
		char *k;
		void *v;

		if (kv_from(w->s, json_object_get(e, "kv"), &ev.kv, &k, &v))
			continue;
		/* mvccpb.Event.type: PUT = 0 is left out of the JSON */
		ev.type = json_object_get(e, "type") ? GW_STORE_DELETE : GW_STORE_PUT;
		ev.rev = ev.kv.mod_rev ? ev.kv.mod_rev : rev;
		if (ev.type == GW_STORE_DELETE)
			ev.kv.val = NULL;
		if (!w->dead) {
			w->cb(w->arg, &ev);
			w->delivered++;
		}
		free(k);
		free(v);
	}
}

/* Newline-delimited WatchResponse messages: {"result": {...}} */
static size_t watch_data(char *p, size_t size, size_t n, void *arg)
{
	struct gw_store_watch *w = arg;
	char *nl;

	if (collect(p, size, n, &w->in) != size * n)
		return 0;
	while ((nl = memchr(w->in.p, '\n', w->in.len))) {
		json_error_t jerr;
		json_t *msg = json_loadb(w->in.p, (size_t)(nl - w->in.p), 0, &jerr);
		const json_t *res = json_object_get(msg, "result");

		if (json_is_true(json_object_get(res, "created")))
			w->created = true;
		if (json_is_true(json_object_get(res, "canceled"))) {
			w->canceled = true;
			w->compact_rev = i64(res, "compact_revision");
		}
		if (res)
			deliver(w, res);
		json_decref(msg);
		memmove(w->in.p, nl + 1, w->in.len - (size_t)(nl + 1 - w->in.p));
		w->in.len -= (size_t)(nl + 1 - w->in.p);
	}
	return size * n;
}

static void watch_free(struct etcd *s, struct gw_store_watch *w)
{
	curl_multi_remove_handle(s->multi, w->h);
	curl_easy_cleanup(w->h);
	free(w->in.p);
	free(w->body);
	free(w);
}

/* Unwatched ones are freed here, never inside curl's callback of their handle. */
static void reap(struct etcd *s)
{
	for (struct gw_store_watch **pp = &s->watchers; *pp;) {
		struct gw_store_watch *w = *pp;

		if (w->dead) {
			*pp = w->next;
			watch_free(s, w);
		} else {
			pp = &w->next;
		}
	}
}

static int pump(struct etcd *s, int timeout_ms)
{
	int running = 0, delivered = 0;

	for (struct gw_store_watch *w = s->watchers; w; w = w->next)
		w->delivered = 0;
	if (curl_multi_poll(s->multi, NULL, 0, timeout_ms, NULL) != CURLM_OK ||
	    curl_multi_perform(s->multi, &running) != CURLM_OK)
		return -EIO;
	for (struct gw_store_watch *w = s->watchers; w; w = w->next)
		delivered += w->delivered;
	reap(s);
	return delivered;
}

static int e_watch(struct gw_store *base, const char *prefix, int64_t from_rev,
		   gw_store_watch_cb cb, void *arg, struct gw_store_watch **out)
{
	struct etcd *s = (struct etcd *)base;
	struct gw_store_watch *w = calloc(1, sizeof(*w));
	char *k = full_key(s, prefix, false), *end = full_key(s, prefix, true), url[512];
	char start[24];
	json_t *req;

	if (!w || !k || !end) {
		free(w);
		free(k);
		free(end);
		return -ENOMEM;
	}
	snprintf(start, sizeof(start), "%lld", (long long)(from_rev + 1));
	req = from_rev ? json_pack("{s:{s:s, s:s, s:s}}", "create_request", "key", k, "range_end",
				   end, "start_revision", start)
		       : json_pack("{s:{s:s, s:s}}", "create_request", "key", k, "range_end", end);
	free(k);
	free(end);
	w->body = req ? json_dumps(req, JSON_COMPACT) : NULL;
	json_decref(req);
	w->h = curl_easy_init();
	if (!w->body || !w->h) {
		watch_free(s, w);
		return -ENOMEM;
	}
	w->s = s;
	w->cb = cb;
	w->arg = arg;
	snprintf(url, sizeof(url), "%s/v3/watch", s->endpoint);
	curl_easy_setopt(w->h, CURLOPT_URL, url);
	curl_easy_setopt(w->h, CURLOPT_POSTFIELDS, w->body);
	curl_easy_setopt(w->h, CURLOPT_WRITEFUNCTION, watch_data);
	curl_easy_setopt(w->h, CURLOPT_WRITEDATA, w);
	curl_easy_setopt(w->h, CURLOPT_CONNECTTIMEOUT_MS, 5000L);
	curl_multi_add_handle(s->multi, w->h);
	w->next = s->watchers;
	s->watchers = w;
	/* until etcd confirms (or refuses a compacted start), so the caller knows */
	for (int i = 0; i < 100 && !w->created && !w->canceled; i++)
		if (pump(s, 50) < 0)
			break;
	if (w->canceled || !w->created) {
		int err = w->canceled && w->compact_rev ? -ESTALE : -EIO;

		s->watchers = w->next;
		watch_free(s, w);
		return err;
	}
	*out = w;
	return 0;
}

static void e_unwatch(struct gw_store *base, struct gw_store_watch *w)
{
	(void)base;
	if (w)
		w->dead = true;	/* freed by the next pump: this may be its own callback */
}

static int64_t e_revision(struct gw_store *base)
{
	struct etcd *s = (struct etcd *)base;
	json_t *req = json_pack("{s:s, s:s}", "key", "AA==", "limit", "1"), *resp = NULL;

	/* any range answers with the store revision in its header */
	if (req && !call(s, "/v3/kv/range", req, &resp))
		json_decref(resp);
	json_decref(req);
	return s->rev;
}

static int e_dispatch(struct gw_store *base, int timeout_ms)
{
	return pump((struct etcd *)base, timeout_ms);
}

static int e_fd(struct gw_store *base)
{
	(void)base;
	return -1;	/* one connection per watch: call gw_store_dispatch on a timer */
}

static void e_close(struct gw_store *base)
{
	struct etcd *s = (struct etcd *)base;

	while (s->watchers) {
		struct gw_store_watch *w = s->watchers;

		s->watchers = w->next;
		watch_free(s, w);
	}
	if (s->multi)
		curl_multi_cleanup(s->multi);
	if (s->h)
		curl_easy_cleanup(s->h);
	curl_slist_free_all(s->hdr);
	free(s->last_key);
	free(s->last_val);
	free(s->endpoint);
	free(s->prefix);
	free(s);
}

static const struct gw_store_ops etcd_ops = {
	.name = "etcd",
	.get = e_get,
	.list = e_list,
	.commit = e_commit,
	.watch = e_watch,
	.unwatch = e_unwatch,
	.revision = e_revision,
	.dispatch = e_dispatch,
	.fd = e_fd,
	.close = e_close,
};

struct gw_store *gw_store_open_etcd(const char *endpoint, const char *prefix, char *err,
				    size_t errlen)
{
	struct etcd *s = calloc(1, sizeof(*s));

	if (!s) {
		errno = ENOMEM;
		return NULL;
	}
	err[0] = '\0';
	s->base.ops = &etcd_ops;
	curl_global_init(CURL_GLOBAL_DEFAULT);
	s->endpoint = strdup(endpoint);
	s->prefix = strdup(prefix);
	s->h = curl_easy_init();
	s->multi = curl_multi_init();
	if (!s->endpoint || !s->prefix || !s->h || !s->multi) {
		e_close(&s->base);
		errno = ENOMEM;
		return NULL;
	}
	s->plen = strlen(prefix);
	s->hdr = curl_slist_append(NULL, "Content-Type: application/json");
	curl_easy_setopt(s->h, CURLOPT_HTTPHEADER, s->hdr);
	curl_easy_setopt(s->h, CURLOPT_TIMEOUT_MS, 10000L);
	curl_easy_setopt(s->h, CURLOPT_CONNECTTIMEOUT_MS, 5000L);
	if (!e_revision(&s->base)) {
		snprintf(err, errlen, "etcd at %s does not answer on its v3 JSON API", endpoint);
		e_close(&s->base);
		errno = EHOSTUNREACH;
		return NULL;
	}
	return &s->base;
}
