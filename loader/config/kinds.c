// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "kinds.h"

/* ObjectMeta: only what a manifest may set; server-set fields are kept as-is. */
static const struct gw_schema s_str = { .type = GW_ST_STR };
static const struct gw_schema s_any = { .type = GW_ST_ANY };
static const struct gw_schema s_name = { .type = GW_ST_STR, .format = gw_fmt_dns_subdomain };
static const struct gw_schema s_ns = { .type = GW_ST_STR, .format = gw_fmt_dns_label };
static const struct gw_schema s_strmap = { .type = GW_ST_STRMAP };
static const struct gw_schema s_gen = { .type = GW_ST_INT, .has_range = true, .min = 0,
					.max = 1LL << 53 };

static const struct gw_sfield objmeta_fields[] = {
	{ "name", &s_name, true },
	{ "namespace", &s_ns },
	{ "labels", &s_strmap },
	{ "annotations", &s_strmap },
	{ "generation", &s_gen },
	{ "creationTimestamp", &s_any },
	{ "uid", &s_str },
	{ "resourceVersion", &s_str },
	{ "generateName", &s_str },
	{ "finalizers", &s_any },
	{ "ownerReferences", &s_any },
	{ "managedFields", &s_any },
	{ "deletionTimestamp", &s_any },
	{ "deletionGracePeriodSeconds", &s_any },
	{ "selfLink", &s_str },
	{ NULL },
};

const struct gw_schema gw_schema_objmeta = { .type = GW_ST_OBJ, .fields = objmeta_fields };

#define V(ver, f) { ver, f }
#define VEND { NULL, NULL }

static const struct gw_kind_version v_gatewayclass[] = {
	V("v1", gw_fields_gatewayclass), V("v1beta1", gw_fields_gatewayclass), VEND };
static const struct gw_kind_version v_gateway[] = {
	V("v1", gw_fields_gateway), V("v1beta1", gw_fields_gateway), VEND };
static const struct gw_kind_version v_listenerset[] = { V("v1", gw_fields_listenerset), VEND };
static const struct gw_kind_version v_httproute[] = {
	V("v1", gw_fields_httproute), V("v1beta1", gw_fields_httproute), VEND };
static const struct gw_kind_version v_grpcroute[] = {
	V("v1", gw_fields_grpcroute), V("v1alpha2", gw_fields_grpcroute), VEND };
static const struct gw_kind_version v_tlsroute[] = {
	V("v1", gw_fields_tlsroute), V("v1alpha3", gw_fields_tlsroute),
	V("v1alpha2", gw_fields_tlsroute_v1alpha2), VEND };
static const struct gw_kind_version v_tcproute[] = {
	V("v1", gw_fields_tcproute), V("v1alpha2", gw_fields_l4route_v1alpha2), VEND };
static const struct gw_kind_version v_udproute[] = {
	V("v1", gw_fields_udproute), V("v1alpha2", gw_fields_l4route_v1alpha2), VEND };
static const struct gw_kind_version v_refgrant[] = {
	V("v1", gw_fields_referencegrant), V("v1beta1", gw_fields_referencegrant),
	V("v1alpha2", gw_fields_referencegrant), VEND };
static const struct gw_kind_version v_btlsp[] = {
	V("v1", gw_fields_backendtlspolicy), V("v1alpha3", gw_fields_backendtlspolicy),
	V("v1alpha2", gw_fields_backendtlspolicy_v1alpha2), VEND };
static const struct gw_kind_version v_secpol[] = { V("v1alpha1", gw_fields_securitypolicy), VEND };
static const struct gw_kind_version v_namespace[] = { V("v1", gw_fields_namespace), VEND };
static const struct gw_kind_version v_service[] = { V("v1", gw_fields_service), VEND };
static const struct gw_kind_version v_eps[] = { V("v1", gw_fields_endpointslice), VEND };
static const struct gw_kind_version v_secret[] = { V("v1", gw_fields_secret), VEND };
static const struct gw_kind_version v_configmap[] = { V("v1", gw_fields_configmap), VEND };
static const struct gw_kind_version v_none[] = { VEND };

const struct gw_kind_info gw_kind_infos[GW_K__COUNT] = {
	[GW_K_GATEWAYCLASS] = { GW_K_GATEWAYCLASS, "GatewayClass", GW_GROUP, "gatewayclasses",
				"gc", false, true, v_gatewayclass },
	[GW_K_GATEWAY] = { GW_K_GATEWAY, "Gateway", GW_GROUP, "gateways", "gtw", true, true,
			   v_gateway },
	[GW_K_LISTENERSET] = { GW_K_LISTENERSET, "ListenerSet", GW_GROUP, "listenersets", "lset",
			       true, true, v_listenerset },
	[GW_K_HTTPROUTE] = { GW_K_HTTPROUTE, "HTTPRoute", GW_GROUP, "httproutes", NULL, true,
			     true, v_httproute },
	[GW_K_GRPCROUTE] = { GW_K_GRPCROUTE, "GRPCRoute", GW_GROUP, "grpcroutes", NULL, true,
			     true, v_grpcroute },
	[GW_K_TLSROUTE] = { GW_K_TLSROUTE, "TLSRoute", GW_GROUP, "tlsroutes", NULL, true, true,
			    v_tlsroute },
	[GW_K_TCPROUTE] = { GW_K_TCPROUTE, "TCPRoute", GW_GROUP, "tcproutes", NULL, true, true,
			    v_tcproute },
	[GW_K_UDPROUTE] = { GW_K_UDPROUTE, "UDPRoute", GW_GROUP, "udproutes", NULL, true, true,
			    v_udproute },
	[GW_K_REFERENCEGRANT] = { GW_K_REFERENCEGRANT, "ReferenceGrant", GW_GROUP,
				  "referencegrants", "refgrant", true, false, v_refgrant },
	[GW_K_BACKENDTLSPOLICY] = { GW_K_BACKENDTLSPOLICY, "BackendTLSPolicy", GW_GROUP,
				    "backendtlspolicies", "btlspolicy", true, true, v_btlsp },
	[GW_K_SECURITYPOLICY] = { GW_K_SECURITYPOLICY, "SecurityPolicy", GW_EG_GROUP,
				  "securitypolicies", "sp", true, true, v_secpol },
	[GW_K_NAMESPACE] = { GW_K_NAMESPACE, "Namespace", "", "namespaces", "ns", false, false,
			     v_namespace },
	[GW_K_SERVICE] = { GW_K_SERVICE, "Service", "", "services", "svc", true, false,
			   v_service },
	[GW_K_ENDPOINTSLICE] = { GW_K_ENDPOINTSLICE, "EndpointSlice", "discovery.k8s.io",
				 "endpointslices", NULL, true, false, v_eps },
	[GW_K_SECRET] = { GW_K_SECRET, "Secret", "", "secrets", NULL, true, false, v_secret },
	[GW_K_CONFIGMAP] = { GW_K_CONFIGMAP, "ConfigMap", "", "configmaps", "cm", true, false,
			     v_configmap },
	[GW_K_UNENFORCED] = { GW_K_UNENFORCED, "UnenforcedPolicy", "xdpgw.io",
			      "unenforcedpolicies", NULL, true, false, v_none },
};

const struct gw_kind_info *gw_kind_lookup(const char *group, const char *kind)
{
	for (int i = 0; i < GW_K__COUNT; i++)
		if (!strcmp(gw_kind_infos[i].kind, kind) && !strcmp(gw_kind_infos[i].group, group))
			return &gw_kind_infos[i];
	return NULL;
}

const char *gw_kind_singular(const struct gw_kind_info *ki, char *buf, size_t len)
{
	size_t n = strlen(ki->plural);

	snprintf(buf, len, "%s", ki->plural);
	if (n > 3 && !strcmp(ki->plural + n - 3, "ies") && n - 2 < len)
		strcpy(buf + n - 3, "y");
	else if (n > 4 && !strcmp(ki->plural + n - 4, "sses") && n - 2 < len)
		buf[n - 2] = '\0';
	else if (n > 1 && n - 1 < len)
		buf[n - 1] = '\0';
	return buf;
}

bool gw_kind_matches_cli(const struct gw_kind_info *ki, const char *name)
{
	char sing[64], full[320];

	gw_kind_singular(ki, sing, sizeof(sing));
	if (!strcasecmp(ki->kind, name) || !strcasecmp(ki->plural, name) ||
	    !strcasecmp(sing, name) || (ki->short_name && !strcasecmp(ki->short_name, name)))
		return true;
	/* resource.group, as kubectl accepts ("httproutes.gateway.networking.k8s.io") */
	if (!*ki->group)
		return false;
	snprintf(full, sizeof(full), "%s.%s", ki->plural, ki->group);
	if (!strcasecmp(full, name))
		return true;
	snprintf(full, sizeof(full), "%s.%s", sing, ki->group);
	return !strcasecmp(full, name);
}

const struct gw_kind_info *gw_kind_by_cli_name(const char *name)
{
	for (int i = 0; i < GW_K__COUNT; i++)
		if (gw_kind_matches_cli(&gw_kind_infos[i], name))
			return &gw_kind_infos[i];
	return NULL;
}

/*
 * Top-level schemas are built once per (kind, version): the common
 * apiVersion/kind/metadata/status fields followed by the kind's own.
 */
#define MAX_TOP_FIELDS 16

struct top_schema {
	const struct gw_kind_version *kv;
	struct gw_sfield fields[MAX_TOP_FIELDS];
	struct gw_schema schema;
};

static struct top_schema tops[64];
static size_t ntops;

#include <pthread.h>
static pthread_mutex_t tops_lock = PTHREAD_MUTEX_INITIALIZER;

const struct gw_schema *gw_kind_schema(const struct gw_kind_info *ki, const char *version)
{
	const struct gw_kind_version *kv;
	struct top_schema *t = NULL;
	size_t n = 0;

	for (kv = ki->versions; kv->version; kv++)
		if (!strcmp(kv->version, version))
			break;
	if (!kv->version)
		return NULL;
	pthread_mutex_lock(&tops_lock);
	for (size_t i = 0; i < ntops; i++)
		if (tops[i].kv == kv)
			t = &tops[i];
	if (!t && ntops < sizeof(tops) / sizeof(tops[0])) {
		t = &tops[ntops++];
		t->kv = kv;
		t->fields[n++] = (struct gw_sfield){ "apiVersion", &s_str, true };
		t->fields[n++] = (struct gw_sfield){ "kind", &s_str, true };
		t->fields[n++] = (struct gw_sfield){ "metadata", &gw_schema_objmeta, true };
		/* status in input is ignored: xdpgw computes it */
		t->fields[n++] = (struct gw_sfield){ "status", &s_any };
		for (const struct gw_sfield *f = kv->fields; f->name && n < MAX_TOP_FIELDS - 1; f++)
			t->fields[n++] = *f;
		t->fields[n] = (struct gw_sfield){ NULL };
		t->schema.type = GW_ST_OBJ;
		t->schema.fields = t->fields;
	}
	pthread_mutex_unlock(&tops_lock);
	return t ? &t->schema : NULL;
}
