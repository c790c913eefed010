// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The API server's type-specific Secret checks (ValidateSecret in
 * k8s.io/kubernetes pkg/apis/core/validation): the keys each well-known
 * type requires, and the size limit. stringData counts, since the API
 * server merges it into data (its keys winning) before validating.
 */
#include <string.h>

#include "secret_check.h"

static bool has_key(const struct gw_yval *secret, const char *key)
{
	return gw_yget(gw_yget(secret, "data"), key) || gw_yget(gw_yget(secret, "stringData"), key);
}

static int require(struct gw_sctx *c, const struct gw_yval *secret, const char *type,
		   const char *key)
{
	if (has_key(secret, key))
		return 0;
	gw_schema_error(c, gw_yget(secret, "type"), NULL, "data[%s]: Required value: a Secret of "
			"type %s must have the key %s in data or stringData", key, type, key);
	return 1;
}

/* Bytes a base64 value decodes to (the schema checked it is base64). */
static size_t decoded_len(const char *b64)
{
	size_t n = strlen(b64), pad = 0;

	while (n > pad && b64[n - 1 - pad] == '=')
		pad++;
	return n / 4 * 3 - (pad > 2 ? 2 : pad) + (n % 4 ? (n % 4) * 3 / 4 : 0);
}

/* MaxSecretSize: data and stringData together at most 1 MiB (ValidateSecret). */
static int check_size(struct gw_sctx *c, const struct gw_yval *secret)
{
	const struct gw_yval *data = gw_yget(secret, "data"), *sd = gw_yget(secret, "stringData");
	size_t total = 0;

	for (size_t i = 0; data && data->type == GW_YMAP && i < data->n; i++)
		if (data->pairs[i].val->str && !gw_yget(sd, data->pairs[i].key))
			total += decoded_len(data->pairs[i].val->str);
	for (size_t i = 0; sd && sd->type == GW_YMAP && i < sd->n; i++)
		if (sd->pairs[i].val->str)
			total += strlen(sd->pairs[i].val->str);
	if (total <= GW_SECRET_MAX_SIZE)
		return 0;
	gw_schema_error(c, data ? data : sd, "data", "Too long: must have at most %d bytes (has %zu)",
			GW_SECRET_MAX_SIZE, total);
	return 1;
}

int gw_secret_check(struct gw_sctx *c, const struct gw_yval *secret)
{
	const char *type = gw_ygetstr(secret, "type", "Opaque");
	const struct gw_yval *ann = gw_yget(gw_yget(secret, "metadata"), "annotations");
	int nerr = check_size(c, secret);

	if (!strcmp(type, "kubernetes.io/tls")) {
		nerr += require(c, secret, type, "tls.crt");
		nerr += require(c, secret, type, "tls.key");
	} else if (!strcmp(type, "kubernetes.io/basic-auth")) {
		/* "username or password might be empty, but the field must be present" */
		if (!has_key(secret, "username") && !has_key(secret, "password")) {
			gw_schema_error(c, gw_yget(secret, "type"), NULL,
					"data[username]: Required value: a Secret of type %s must "
					"have the key username or password", type);
			nerr++;
		}
	} else if (!strcmp(type, "kubernetes.io/ssh-auth")) {
		nerr += require(c, secret, type, "ssh-privatekey");
	} else if (!strcmp(type, "kubernetes.io/dockercfg")) {
		nerr += require(c, secret, type, ".dockercfg");
	} else if (!strcmp(type, "kubernetes.io/dockerconfigjson")) {
		nerr += require(c, secret, type, ".dockerconfigjson");
	} else if (!strcmp(type, "kubernetes.io/service-account-token") &&
		   !*gw_ygetstr(ann, "kubernetes.io/service-account.name", "")) {
		gw_schema_error(c, gw_yget(secret, "type"), NULL,
				"metadata.annotations[kubernetes.io/service-account.name]: Required "
				"value: a Secret of type %s names its ServiceAccount", type);
		nerr++;
	}
	return nerr;
}
