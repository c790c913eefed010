/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Size limits of configuration files (docs/limits.md). A user's file is
 * checked as it is read, errors naming it. The state files gwctl writes
 * (STATE_DIR/config.yaml and the staged copy gwd reloads) hold every
 * object with its defaults and status, several times the input, so they
 * have their own limits, derived from the user's; gwctl measures the
 * stored form before staging it (gw_state_check_limits()) and refuses a
 * configuration whose stored form would cross them, naming the user's
 * object (file:line) where it does, so gwd never refuses what gwctl
 * accepted. Nesting depth is one limit: the stored form has the user's
 * trees, and status nests less than 8 levels.
 */
#ifndef GW_LIMITS_H
#define GW_LIMITS_H

/* a user's file: bytes read (the file must be smaller), YAML nodes */
#define GW_MAX_INPUT (256u << 20)
#define GW_YAML_NODE_BUDGET (4u << 20)
/* YAML nesting depth, any file */
#define GW_YAML_MAX_DEPTH 64
/* a state file: 4x a user's file (10k generated routes: 3.0x the bytes, 2.1x the nodes) */
#define GW_STATE_MAX_BYTES ((size_t)GW_MAX_INPUT * 4)
#define GW_STATE_NODE_BUDGET ((size_t)GW_YAML_NODE_BUDGET * 4)
/*
 * gwctl checks the staged form; the committed one differs only in the
 * Programmed conditions of listeners, whose messages the data planes
 * write after staging: this much is reserved per listener for them.
 */
#define GW_STATE_LISTENER_RESERVE 4096

#endif
