/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* Type-specific Secret validation, as the API server does it. */
#ifndef GW_SECRET_CHECK_H
#define GW_SECRET_CHECK_H

#include "schema.h"

/* MaxSecretSize (k8s.io/api core/v1): data after merging stringData */
#define GW_SECRET_MAX_SIZE (1024 * 1024)

/**
 * Checks that a (schema-validated) Secret has the keys its type requires
 * (kubernetes.io/tls: tls.crt and tls.key; basic-auth: username or
 * password; ssh-auth: ssh-privatekey; dockercfg, dockerconfigjson; a
 * service-account-token names its ServiceAccount) and is at most
 * GW_SECRET_MAX_SIZE bytes. Reports through
 * gw_schema_error; returns the number of errors.
 */
int gw_secret_check(struct gw_sctx *c, const struct gw_yval *secret);

#endif
