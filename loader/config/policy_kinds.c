// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Which kinds xdpgw must refuse rather than skip. A policy attaches
 * behaviour (authentication, rate limits, timeouts) to a route or Gateway
 * through targetRefs (GEP-713); skipping one serves its targets without
 * that behaviour, i.e. open. So any policy or filter of a gateway API group
 * xdpgw does not implement is an error unless the operator accepts it with
 * --allow-unenforced (issue 9, "never fail open").
 */
#include <string.h>

#include "kinds.h"

static bool ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);

	return n > m && !strcmp(s + n - m, suffix);
}

enum gw_kind_class gw_kind_classify(const char *group, const char *kind)
{
	if (gw_kind_lookup(group, kind))
		return GW_KC_READ;
	/*
	 * Envoy Gateway's EnvoyProxy is infrastructure configuration a
	 * GatewayClass names by parametersRef, and its Backend a backendRef
	 * target (routes that use it get ResolvedRefs InvalidKind): neither
	 * attaches behaviour to traffic by itself, so they stay skipped.
	 */
	if (!strstr(group, "gateway"))
		return GW_KC_IGNORED;
	if (ends_with(kind, "Policy") || ends_with(kind, "Filter"))
		return GW_KC_UNENFORCED;
	return GW_KC_IGNORED;
}
