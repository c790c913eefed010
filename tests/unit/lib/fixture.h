/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Test helpers for the config pipeline: load YAML text into a config,
 * resolve it, and look up objects and conditions in the computed status.
 */
#ifndef GW_TEST_FIXTURE_H
#define GW_TEST_FIXTURE_H

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "loader/config/model.h"

/** Parses yaml into a fresh config (controller = default); returns it, never NULL. */
struct gw_config *fx_load(const char *yaml);
/** fx_load + stamp + resolve; asserts there were no structural errors. */
struct gw_config *fx_resolve(const char *yaml);
void fx_free(struct gw_config *cfg);

/** Whether some diagnostic contains every one of the given substrings (NULL-terminated). */
bool fx_has_diag(const struct gw_config *cfg, ...);
/** All diagnostics, one per line, for failure messages. */
const char *fx_diags(const struct gw_config *cfg);

/**
 * Looks up a condition in an object's status by a path:
 *   "conditions"                       object conditions
 *   "listeners/NAME"                   a listener's conditions
 *   "parents/GATEWAYNAME"              a route parent's conditions
 *   "parents/GATEWAYNAME/SECTION"      ... with that sectionName
 * Returns the condition map or NULL.
 */
struct gw_yval *fx_cond(const struct gw_config *cfg, enum gw_kind kind, const char *ns,
			const char *name, const char *where, const char *type);

/** Asserts status and reason of a condition (fails with the status dumped). */
#define assert_cond(cfg, kind, ns, name, where, type, status, reason)                         \
	fx_assert_cond(cfg, kind, ns, name, where, type, status, reason, __FILE__, __LINE__)
void fx_assert_cond(const struct gw_config *cfg, enum gw_kind kind, const char *ns,
		    const char *name, const char *where, const char *type, const char *status,
		    const char *reason, const char *file, int line);

/** attachedRoutes of a Gateway listener, or -1. */
long long fx_attached(const struct gw_config *cfg, const char *ns, const char *gw,
		      const char *listener);

/* Common YAML preambles */
#define FX_CLASS                                                                             \
	"apiVersion: gateway.networking.k8s.io/v1\nkind: GatewayClass\nmetadata: {name: gc}\n" \
	"spec: {controllerName: xdpgw.io/gateway-controller}\n---\n"



/**
 * A kubernetes.io/tls Secret document (ending in "---\n") with a freshly
 * generated self-signed ECDSA certificate for cn. With mismatched, the key
 * belongs to a different certificate.
 */
const char *fx_tls_secret(const char *ns, const char *name, const char *cn, bool mismatched);
/** A ConfigMap document with ca.crt holding a fresh self-signed certificate. */
const char *fx_ca_configmap(const char *ns, const char *name);
/** printf into a buffer that lives until the next fx_free of any config (test-lifetime). */
const char *fx_printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
#endif
