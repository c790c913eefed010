// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * X-Forwarded-Client-Cert for listeners with client validation. Only a
 * certificate that verified is described, so a backend can take the
 * header's presence as proof (under AllowInsecureFallback, a client with
 * no certificate or one that did not verify gets no header); whatever the
 * client sent under that name is removed first, so it cannot be forged.
 * Computed per request (a SHA-256 over the DER and a name print, a few
 * microseconds), which keeps the connection state unchanged.
 */
#include <stdio.h>

#include "gw/tls.h"
#include "gwd_internal.h"
#include "xfcc.h"

int gw_xfcc_value(const struct gw_conn *c, char *buf, size_t len)
{
	const struct gw_conn *top = c->h2parent ? c->h2parent : c;
	const struct gw_tls_listener_info *li = top->tls ? gw_tls_conn_listener(top->tls) : NULL;
	char subject[512], hash[65];
	size_t n;

	if (!li || !li->verifies_clients)
		return -1;
	if (!gw_tls_conn_peer_verified(top->tls) ||
	    gw_tls_conn_peer_cert(top->tls, subject, sizeof(subject), hash))
		return 0;
	n = (size_t)snprintf(buf, len, "Hash=%s;Subject=\"", hash);
	/* a quoted-string: backslash before '"' and '\' (RFC 9110 5.6.4) */
	for (const char *p = subject; *p; p++) {
		if (n + 4 > len)
			return 0;	/* never a cut subject; GW_XFCC_MAX leaves room */
		if (*p == '"' || *p == '\\')
			buf[n++] = '\\';
		buf[n++] = *p;
	}
	buf[n++] = '"';
	buf[n] = '\0';
	return (int)n;
}
