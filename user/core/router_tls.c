// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * BackendTLSPolicy in the route table: each table builds, on the main
 * thread, one client context per (policy, client certificate) its
 * backends use, and holds one reference on each until it is freed; a
 * connection takes its own reference (gw_tls_conn_new), so a reload with
 * another CA or hostname applies to new connections while open ones keep
 * theirs. The endpoints of such a backend get an id per TLS identity: a
 * SHA-256 over the policy's spec, the data of the ConfigMaps or Secrets it
 * names, the client certificate and the ALPN offer (h2 for HTTP/2
 * backends, http/1.1 for the others), so the pools never mix connections
 * of different identities, and a reload that changes nothing keeps the
 * pool.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/sha.h>

#include "loader/config/model.h"
#include "gw/log.h"
#include "gw/tls.h"
#include "router_internal.h"

struct gw_rt_tls {
	const struct gw_obj *policy;
	const struct gw_cert *cert;
	unsigned alpn;			/* what the backend is spoken to in (GW_TLS_ALPN_*) */
	struct gw_tls_ctx *ctx;		/* NULL when it could not be built */
	const char *error;		/* then why */
	unsigned char tag[GW_RT_TLS_TAG];
};

/* The policy's CA references: v1 and v1alpha3 validation.caCertificateRefs, v1alpha2 tls.caCertRefs. */
static const struct gw_yval *ca_refs(const struct gw_obj *p)
{
	const struct gw_yval *val = gw_yget(p->spec, "validation");

	return val ? gw_yget(val, "caCertificateRefs") : gw_yget(gw_yget(p->spec, "tls"), "caCertRefs");
}

static int identity(const struct gw_config *cfg, const struct gw_obj *p, const struct gw_cert *cert,
		    unsigned alpn, unsigned char *tag)
{
	const struct gw_yval *cas = ca_refs(p);
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	int err = 0;

	if (!f)
		return -ENOMEM;
	err |= gw_yemit_json(f, p->spec, false);
	for (size_t i = 0; i < gw_ylen(cas); i++) {
		const char *kind = gw_ygetstr(cas->items[i], "kind", "ConfigMap");
		const struct gw_obj *o = gw_config_find(cfg, !strcmp(kind, "Secret") ? GW_K_SECRET :
							GW_K_CONFIGMAP, p->ns,
							gw_ygetstr(cas->items[i], "name", ""));

		const struct gw_yval *data = o ? gw_yget(o->root, "data") : NULL;

		/* a ConfigMap without data (conformance BackendTLSPolicyInvalidCACertificateRef) */
		if (data)
			err |= gw_yemit_json(f, data, false);
		fputc('\n', f);
	}
	if (cert && cert->cert_pem)
		fwrite(cert->cert_pem, 1, cert->cert_len, f);
	fprintf(f, "\nalpn %u", alpn);
	if (fclose(f) || err) {
		free(buf);
		return -ENOMEM;
	}
	SHA256((const unsigned char *)buf, len, tag);
	free(buf);
	return 0;
}

static struct gw_rt_tls *get_tls(struct gw_rt_table *t, const struct gw_backend *be,
				 unsigned alpn, struct gw_arena *a)
{
	struct gw_tls_client_conf conf = { .alpn = alpn, .client_cert = be->tls_client_cert };
	struct gw_rt_tls *e;
	char err[512];

	for (uint32_t i = 0; i < t->ntls; i++)
		if (t->tls[i].policy == be->tls_policy && t->tls[i].cert == be->tls_client_cert &&
		    t->tls[i].alpn == alpn)
			return &t->tls[i];
	if (t->ntls == t->captls) {
		uint32_t ncap = t->captls ? t->captls * 2 : 8;
		struct gw_rt_tls *nt = realloc(t->tls, ncap * sizeof(*nt));

		if (!nt)
			return NULL;
		t->tls = nt;
		t->captls = ncap;
	}
	e = &t->tls[t->ntls];
	memset(e, 0, sizeof(*e));
	e->policy = be->tls_policy;
	e->cert = be->tls_client_cert;
	e->alpn = alpn;
	if (identity(t->cfg, e->policy, e->cert, alpn, e->tag))
		return NULL;
	e->ctx = gw_tls_ctx_new_client(t->cfg, e->policy, &conf, err, sizeof(err));
	if (!e->ctx) {
		if (errno == ENOMEM)
			return NULL;
		e->error = gw_arena_strdup(a, err);
		if (!e->error)
			return NULL;
		pr_warn("%s; its backends answer 500", err);
	}
	t->ntls++;
	return e;
}

int gw_rt_backend_tls(struct gw_rt_table *t, const struct gw_backend *be, struct gw_rt_backend *o,
		      struct gw_arena *a)
{
	struct gw_rt_tls *e = get_tls(t, be, o->proto == GW_BE_H2C ? GW_TLS_ALPN_H2 : GW_TLS_ALPN_HTTP1,
				      a);

	if (!e)
		return -ENOMEM;
	o->tls_policy = gw_arena_printf(a, "%s/%s", be->tls_policy->ns, be->tls_policy->name);
	if (!o->tls_policy)
		return -ENOMEM;
	if (!e->ctx) {
		/* "Connections using an invalid CACertificateRef MUST fail" (5xx) */
		o->state = GW_BE_INVALID;
		o->reason = e->error;
		return 0;
	}
	o->tls = e->ctx;
	for (int i = 0; i < o->neps; i++) {
		struct gw_rt_endpoint *ep = &o->eps[i];

		ep->tls = e->ctx;
		ep->tls_alpn = e->alpn;
		ep->tls_label = gw_arena_printf(a, "Backend %s endpoint %s (BackendTLSPolicy %s",
						o->name, ep->name, o->tls_policy);
		if (!ep->tls_label)
			return -ENOMEM;
		ep->id = gw_rt_endpoint_id_tls((const struct sockaddr *)&ep->sa, ep->salen, e->tag);
		if (ep->id == UINT32_MAX)
			return -ENOMEM;
	}
	return 0;
}

void gw_rt_tls_free(struct gw_rt_table *t)
{
	for (uint32_t i = 0; i < t->ntls; i++)
		gw_tls_ctx_put(t->tls[i].ctx);
	free(t->tls);
	t->tls = NULL;
	t->ntls = t->captls = 0;
}
