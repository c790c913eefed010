/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The kinds xdpgw reads, their API groups and accepted versions, and their
 * structural schemas. Schema tables live in schema_gwapi.c (Gateway API
 * kinds) and schema_core.c (core/discovery kinds); kinds.c composes them
 * with the common apiVersion/kind/metadata fields.
 */
#ifndef GW_KINDS_H
#define GW_KINDS_H

#include <stdbool.h>
#include <stddef.h>

#include "schema.h"

#define GW_GROUP "gateway.networking.k8s.io"
#define GW_EG_GROUP "gateway.envoyproxy.io"	/* Envoy Gateway extensions */

enum gw_kind {
	GW_K_GATEWAYCLASS,
	GW_K_GATEWAY,
	GW_K_LISTENERSET,
	GW_K_HTTPROUTE,
	GW_K_GRPCROUTE,
	GW_K_TLSROUTE,
	GW_K_TCPROUTE,
	GW_K_UDPROUTE,
	GW_K_REFERENCEGRANT,
	GW_K_BACKENDTLSPOLICY,
	GW_K_SECURITYPOLICY,	/* gateway.envoyproxy.io/v1alpha1 (Envoy Gateway) */
	GW_K_NAMESPACE,
	GW_K_SERVICE,
	GW_K_ENDPOINTSLICE,
	GW_K_SECRET,
	GW_K_CONFIGMAP,
	/*
	 * A policy or filter of a gateway API group that xdpgw does not
	 * enforce, accepted only with gwctl load --allow-unenforced. Each such
	 * object carries its own arena copy of this entry with the real kind,
	 * group and plural (see policy_kinds.c).
	 */
	GW_K_UNENFORCED,
	GW_K__COUNT,
};

struct gw_kind_version {
	const char *version;
	/** Top-level fields other than apiVersion, kind, metadata and status. */
	const struct gw_sfield *fields;
};

struct gw_kind_info {
	enum gw_kind id;
	const char *kind;
	const char *group;	/* "" for the core group */
	const char *plural;	/* lowercase resource name, as kubectl accepts it */
	const char *short_name;	/* kubectl short name or NULL */
	bool namespaced;
	bool has_status;	/* status is computed by xdpgw and printed */
	const struct gw_kind_version *versions;	/* terminated by { NULL } */
};

extern const struct gw_kind_info gw_kind_infos[GW_K__COUNT];

/** Looks a kind up by apiVersion group and kind; NULL if not one of ours. */
const struct gw_kind_info *gw_kind_lookup(const char *group, const char *kind);
/** What xdpgw does with an object of a (group, kind) it may not read. */
enum gw_kind_class {
	GW_KC_READ,		/* in gw_kind_infos: read and served (or statused) */
	GW_KC_UNENFORCED,	/* a gateway policy/filter xdpgw does not enforce: an error */
	GW_KC_IGNORED,		/* unrelated to routing (or config only): skipped with a notice */
};

/**
 * Classifies a (group, kind) pair. Policies and filters of the Gateway API
 * groups, of Envoy Gateway (gateway.envoyproxy.io), and any kind named
 * *Policy or *Filter in a group whose name contains "gateway" are
 * GW_KC_UNENFORCED unless gw_kind_lookup() knows them (BackendTLSPolicy).
 */
enum gw_kind_class gw_kind_classify(const char *group, const char *kind);

/** Whether name is what a user would type after `gwctl get` for ki. */
bool gw_kind_matches_cli(const struct gw_kind_info *ki, const char *name);
/** Looks a kind up by what a user types after `gwctl get` (kind, plural, short name). */
const struct gw_kind_info *gw_kind_by_cli_name(const char *name);
/** kubectl's singular resource name ("gatewayclass", "backendtlspolicy") into buf. */
const char *gw_kind_singular(const struct gw_kind_info *ki, char *buf, size_t len);
/** The top-level schema of kind ki at version, or NULL if the version is unknown. */
const struct gw_schema *gw_kind_schema(const struct gw_kind_info *ki, const char *version);

/* Per-version top-level field tables (schema_gwapi.c, schema_core.c). */
extern const struct gw_sfield gw_fields_gatewayclass[];
extern const struct gw_sfield gw_fields_gateway[];
extern const struct gw_sfield gw_fields_listenerset[];
extern const struct gw_sfield gw_fields_httproute[];
extern const struct gw_sfield gw_fields_grpcroute[];
extern const struct gw_sfield gw_fields_tlsroute[];
extern const struct gw_sfield gw_fields_tlsroute_v1alpha2[];
extern const struct gw_sfield gw_fields_tcproute[];
extern const struct gw_sfield gw_fields_udproute[];
extern const struct gw_sfield gw_fields_l4route_v1alpha2[];
extern const struct gw_sfield gw_fields_referencegrant[];
extern const struct gw_sfield gw_fields_backendtlspolicy[];
extern const struct gw_sfield gw_fields_securitypolicy[];
extern const struct gw_sfield gw_fields_backendtlspolicy_v1alpha2[];
extern const struct gw_sfield gw_fields_namespace[];
extern const struct gw_sfield gw_fields_service[];
extern const struct gw_sfield gw_fields_endpointslice[];
extern const struct gw_sfield gw_fields_secret[];
extern const struct gw_sfield gw_fields_configmap[];

/* The common ObjectMeta schema (kinds.c). */
extern const struct gw_schema gw_schema_objmeta;

#endif
