/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Policy attachment (GEP-713) for policies that target Gateways,
 * ListenerSets, routes and route rules, with Envoy Gateway's precedence
 * (site/content/en/latest/concepts/gateway_api_extensions/security-policy.md,
 * "Precedence"):
 *
 *   route rule (sectionName) > route > ListenerSet listener > ListenerSet
 *   > Gateway (for routes attached through a ListenerSet)
 *   route rule > route > Gateway listener > Gateway (attached directly)
 *
 * and, for several policies of one kind on the same target and section,
 * the oldest creationTimestamp, then namespace/name, wins; the others are
 * Conflicted there. Targets are `targetRef`, `targetRefs[]` (local: the
 * policy's namespace, group gateway.networking.k8s.io) and
 * `targetSelectors[]` (kind + matchLabels/matchExpressions).
 */
#ifndef GW_POLICY_ATTACH_H
#define GW_POLICY_ATTACH_H

#include "model.h"

/* Attachment levels, in increasing precedence. */
enum gw_pol_level {
	GW_PL_GATEWAY = 1,
	GW_PL_LISTENERSET,
	GW_PL_LISTENER,		/* a Gateway's or a ListenerSet's listener (sectionName) */
	GW_PL_ROUTE,
	GW_PL_RULE,		/* a route rule by name (sectionName) */
};

/** One point a policy attaches to. */
struct gw_pol_attach {
	struct gw_obj *policy;
	enum gw_pol_level level;
	struct gw_obj *target;		/* Gateway, ListenerSet or route object */
	const char *section;		/* listener or rule name; NULL for the whole target */
	struct gw_obj *winner;		/* the policy holding this point (itself unless Conflicted) */
};

/**
 * Computes every attachment of the policies in pols (objects of one kind
 * each; the kind is compared by name) into cfg->attach. Targets that do not
 * exist are left out. Returns 0 or -ENOMEM.
 */
int gw_attach_policies(struct gw_config *cfg, struct gw_obj *const *pols, size_t n);

/**
 * The policy of kind (group and kind name) that applies to rule `rule` of
 * route r when served through listener l, by the precedence above; NULL
 * if none does.
 */
struct gw_obj *gw_policy_for(const struct gw_config *cfg, const char *group, const char *kind,
			     const struct gw_route *r, int rule, const struct gw_listener *l);

#endif
