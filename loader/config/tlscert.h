/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Checks of TLS material referenced by configuration: kubernetes.io/tls
 * Secrets (certificate chain + matching private key) and CA bundles. Used
 * by resolution to decide InvalidCertificateRef before anything is served.
 */
#ifndef GW_TLSCERT_H
#define GW_TLSCERT_H

#include <stddef.h>

#include "arena.h"

/** Decodes base64 (whitespace ignored) into the arena; NULL if invalid. */
char *gw_base64_decode(struct gw_arena *a, const char *in, size_t *outlen);

/**
 * Validates a PEM certificate chain and private key. Returns NULL when the
 * chain parses, the key parses and it matches the leaf certificate; else a
 * static string saying what is wrong.
 */
const char *gw_tls_check_pair(const char *cert_pem, size_t cert_len, const char *key_pem,
			      size_t key_len);

/** Validates a PEM CA bundle (at least one certificate); NULL or what is wrong. */
const char *gw_tls_check_ca(const char *pem, size_t len);

#endif
