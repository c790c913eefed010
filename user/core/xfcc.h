/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * X-Forwarded-Client-Cert: what gwd tells backends about the client
 * certificate of an HTTPS connection whose listener validates clients
 * (Gateway spec.tls.frontend).
 */
#ifndef GW_XFCC_H
#define GW_XFCC_H

#include <stddef.h>

struct gw_conn;

/* A subject of up to 511 bytes, each escaped, + hash + separators fit. */
#define GW_XFCC_MAX 1200

/**
 * The X-Forwarded-Client-Cert value for a request on c, into buf (at
 * least GW_XFCC_MAX bytes): Hash=<SHA-256 of the DER, hex>;Subject="<RFC
 * 2253 subject>", the fields Envoy uses. Returns its length; 0 when the
 * listener validates clients but this one has no verified certificate
 * (the header is then only removed); -1 when the listener does not
 * validate clients (the header is left alone).
 */
int gw_xfcc_value(const struct gw_conn *c, char *buf, size_t len);

#endif
