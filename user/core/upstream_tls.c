// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * TLS to backends (BackendTLSPolicy), below the upstream byte stream as it
 * is below client connections (worker.c): received ciphertext goes through
 * the connection's gw_tls_conn and the plaintext to gw_up_input(); what
 * the proxy queues is encrypted when it is sent. The HTTP side sees a
 * connected byte stream only once the handshake completed and the
 * backend's certificate verified: until then the upstream counts as
 * connecting (the connect timer runs on), and a failed handshake is a
 * failed connect answered 502 (gw_up_tls_failed), with a log line naming
 * the backend, the endpoint, the policy and OpenSSL's reason. HTTP/2
 * backends (h2_up.c) sit above the same plaintext stream and offer ALPN h2;
 * their session connection has no exchange, so its streams fail the way a
 * session that never connected fails (503, tried on another endpoint).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gw/log.h"
#include "gwd_internal.h"

static void on_handshake(struct gw_tls_conn *tc, void *user, const char *err)
{
	struct gw_conn *u = user;
	char why[384];

	if (!err) {
		GW_GAUGE_ADD(u->w->id, upstream_tls_handshakes, 1);
		if (gw_tls_conn_resumed(tc))
			GW_GAUGE_ADD(u->w->id, upstream_tls_resumed, 1);
		gw_up_connected(u, 0);
		return;
	}
	GW_GAUGE_ADD(u->w->id, upstream_tls_errors, 1);
	snprintf(why, sizeof(why), "TLS handshake with the backend failed: %s: %s", err,
		 gw_tls_conn_errmsg(tc));
	pr_warn_ratelimited("%s, SNI %s): TLS handshake failed: %s: %s",
			    u->tls_label ? u->tls_label : "Backend ? endpoint ? (BackendTLSPolicy ?",
			    gw_tls_conn_sni(tc) ? gw_tls_conn_sni(tc) : "-", err,
			    gw_tls_conn_errmsg(tc));
	gw_up_tls_failed(u, why);
}

static const struct gw_tls_conn_cbs up_tls_cbs = { .on_handshake = on_handshake };

int gw_up_tls_attach(struct gw_conn *u, const struct gw_rt_endpoint *ep)
{
	u->tls = gw_tls_conn_new(ep->tls, &up_tls_cbs, u);
	if (!u->tls)
		return -ENOMEM;
	/* a copy: the route table may be gone when the handshake ends (a session without exchange) */
	u->tls_label = ep->tls_label ? strdup(ep->tls_label) : NULL;
	/* what gwd speaks to this backend (h2 or http/1.1), whatever the policy's xdpgw.io/alpn */
	return gw_tls_conn_offer_alpn(u->tls, ep->tls_alpn);
}

void gw_up_tls_connected(struct gw_conn *u, int res)
{
	int err;

	if (res < 0) {
		gw_up_connected(u, res);
		return;
	}
	/* the ClientHello goes out now; the server's flight arrives through recv */
	gw_conn_arm_recv(u);
	err = gw_tls_handshake(u->tls);
	if (err && err != -EAGAIN) {
		/* on_handshake reported a handshake failure already */
		if (!(u->flags & CF_CLOSING))
			gw_up_tls_failed(u, "TLS handshake could not start");
		return;
	}
	gw_conn_flush(u);
}
