/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The Gateway API features xdpgw implements, by their conformance names
 * (gateway-api pkg/features), for GatewayClass status.supportedFeatures.
 */
#ifndef GW_FEATURES_H
#define GW_FEATURES_H

#include <stddef.h>

/**
 * Feature names in ascending order (GatewayClassStatus.SupportedFeatures
 * "MUST be sorted in ascending alphabetical order by the Name key").
 */
extern const char *const gw_supported_features[];
extern const size_t gw_nsupported_features;

#endif
