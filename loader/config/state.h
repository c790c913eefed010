/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The persisted desired state: every accepted object with its computed
 * status, one YAML stream in STATE_DIR/config.yaml. Written atomically
 * (temp file, fsync, rename, fsync dir) under an exclusive flock on
 * STATE_DIR/lock, so a reader sees the old or the new config, never a mix.
 */
#ifndef GW_STATE_H
#define GW_STATE_H

#include <stdio.h>

#include "model.h"

#define GW_STATE_DIR_DEFAULT "/var/lib/xdpgw"
#define GW_STATE_FILE "config.yaml"

/** Creates dir and its missing parents with mode; 0 if it exists, else -errno. */
int gw_state_mkdir(const char *dir, unsigned mode);
/**
 * The controllerName the state in dir was loaded for (gwctl load
 * --controller-name, recorded in the state file's header) into buf; 0,
 * -ENOENT without a state file or without that header line, or -errno.
 */
int gw_state_controller(const char *dir, char *buf, size_t len);
/** Creates dir if needed and takes the lock; returns an fd to close, or -errno. */
int gw_state_lock(const char *dir, int how);
/**
 * Loads the persisted config into cfg (initialised by the caller). A
 * missing file is an empty config (returns 0). Returns -errno on I/O
 * failure, -EBADMSG if the file does not parse (diagnostics in cfg).
 */
int gw_state_load(const char *dir, struct gw_config *cfg);
/** Writes cfg atomically; -errno on failure, the old file intact. */
int gw_state_save(const char *dir, const struct gw_config *cfg);
/** Same, to DIR/name (e.g. a staged config a data plane reads before commit). */
int gw_state_save_as(const char *dir, const char *name, const struct gw_config *cfg);

/**
 * Measures cfg as gw_state_save() would write it (GW_STATE_* limits of
 * limits.h in gwctl; tests pass smaller ones): more than max_nodes YAML
 * nodes (gw_ycount()), or max_bytes or more (plus
 * GW_STATE_LISTENER_RESERVE per listener), adds an error at the user's
 * object where the stored form crosses the limit and returns -EFBIG.
 * Else 0, or -errno.
 */
int gw_state_check_limits(struct gw_config *cfg, size_t max_bytes, size_t max_nodes);
/** gw_state_save_as(), measuring as gw_state_check_limits() does; -EFBIG: nothing written. */
int gw_state_stage(const char *dir, const char *name, struct gw_config *cfg, size_t max_bytes,
		   size_t max_nodes);

/** The object as kubectl prints it: the stored object plus its status. */
struct gw_yval *gw_obj_view(struct gw_arena *a, const struct gw_obj *o);
/** A v1 List of views, as `kubectl get -o yaml` prints several objects. */
struct gw_yval *gw_list_view(struct gw_arena *a, struct gw_obj *const *objs, size_t n);

#endif
