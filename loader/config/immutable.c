// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Updates the API server refuses, checked against the previously accepted
 * configuration (the state directory), which is what an update is here:
 *   - GatewayClass spec.controllerName: the CRD's CEL rule self == oldSelf,
 *     "Value is immutable" (apis/v1/gatewayclass_types.go);
 *   - Secret type: "field is immutable" (ValidateSecretUpdate);
 *   - Secret and ConfigMap data once `immutable: true`: "field is immutable
 *     when `immutable` is set" (ValidateSecretUpdate, ValidateConfigMapUpdate).
 * An object absent from the previous state is a create and may have any
 * value; to change such a field, load without the object, then with it
 * (as kubectl delete and create).
 */
#include <string.h>

#include "immutable.h"

static void refuse(struct gw_config *cfg, const struct gw_obj *o, const struct gw_yval *at,
		   const char *path, const char *msg)
{
	gw_diag_add(&cfg->diags, GW_DIAG_ERROR, at && at->file ? at->file : o->file,
		    at && at->line ? at->line : o->line, o->ki->kind, o->ns, o->name, path,
		    "%s", msg);
}

static void check_controller_name(struct gw_config *cfg, const struct gw_obj *o,
				  const struct gw_obj *p)
{
	const char *now = gw_ygetstr(o->spec, "controllerName", "");
	const char *was = gw_ygetstr(p->spec, "controllerName", "");
	char msg[640];

	if (!strcmp(now, was))
		return;
	snprintf(msg, sizeof(msg), "Invalid value: \"%s\": Value is immutable (was \"%s\"; "
		 "load once without this GatewayClass to replace it)", now, was);
	refuse(cfg, o, gw_yget(o->spec, "controllerName"), "spec.controllerName", msg);
}

static void check_data(struct gw_config *cfg, const struct gw_obj *o, const struct gw_obj *p,
		       const char *const *keys)
{
	if (!gw_yget(p->root, "immutable") || !gw_yget(p->root, "immutable")->i)
		return;
	for (int i = 0; keys[i]; i++)
		if (!gw_yequal(gw_yget(o->root, keys[i]), gw_yget(p->root, keys[i])))
			refuse(cfg, o, gw_yget(o->root, keys[i]), keys[i],
			       "Forbidden: field is immutable when `immutable` is set");
	if (!gw_yget(o->root, "immutable") || !gw_yget(o->root, "immutable")->i)
		refuse(cfg, o, gw_yget(o->root, "immutable"), "immutable",
		       "Forbidden: field is immutable when `immutable` is set");
}

void gw_check_immutable(struct gw_config *cfg, const struct gw_config *prev)
{
	static const char *const secret_keys[] = { "data", "stringData", NULL };
	static const char *const configmap_keys[] = { "data", "binaryData", NULL };

	for (size_t i = 0; prev && i < cfg->nobjs; i++) {
		const struct gw_obj *o = cfg->objs[i];
		const struct gw_obj *p = gw_config_find_like(prev, o);
		char msg[640];

		if (!p)
			continue;
		switch (o->ki->id) {
		case GW_K_GATEWAYCLASS:
			check_controller_name(cfg, o, p);
			break;
		case GW_K_SECRET:
			if (strcmp(gw_ygetstr(o->root, "type", ""), gw_ygetstr(p->root, "type", ""))) {
				snprintf(msg, sizeof(msg), "Invalid value: \"%s\": field is immutable "
					 "(was \"%s\")", gw_ygetstr(o->root, "type", ""),
					 gw_ygetstr(p->root, "type", ""));
				refuse(cfg, o, gw_yget(o->root, "type"), "type", msg);
			}
			check_data(cfg, o, p, secret_keys);
			break;
		case GW_K_CONFIGMAP:
			check_data(cfg, o, p, configmap_keys);
			break;
		default:
			break;
		}
	}
}
