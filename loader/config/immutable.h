/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* Fields an update may not change, checked against the previous state. */
#ifndef GW_IMMUTABLE_H
#define GW_IMMUTABLE_H

#include "model.h"

/**
 * Adds an error to cfg->diags (file:line, object, field, old and new value)
 * for every immutable field of an object in prev (may be NULL) that cfg
 * changes: GatewayClass spec.controllerName, Secret type, and the data of
 * Secrets and ConfigMaps marked immutable.
 */
void gw_check_immutable(struct gw_config *cfg, const struct gw_config *prev);

#endif
