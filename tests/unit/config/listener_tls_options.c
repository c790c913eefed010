// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Listener tls.options checked at load time with the TLS engine's checker
 * (loader/config/listener_tls_options.c + gw_tls_options_check()): a value
 * xdpgw cannot apply makes the listener Accepted False / UnsupportedValue
 * (ListenerReasonUnsupportedValue), Programmed False / Invalid, and no data
 * plane serves it; other implementations' keys are ignored; Passthrough
 * listeners are not checked.
 */
#include <string.h>

#include "lib/fixture.h"
#include "gw/tls.h"

#define GATEWAY(listeners)                                                                   \
	FX_CLASS "%s"                                                                        \
	"apiVersion: gateway.networking.k8s.io/v1\nkind: Gateway\n"                           \
	"metadata: {name: g, namespace: default}\n"                                           \
	"spec:\n  gatewayClassName: gc\n  listeners:\n" listeners "---\n"                      \
	"apiVersion: gateway.networking.k8s.io/v1\nkind: HTTPRoute\n"                         \
	"metadata: {name: r, namespace: default}\nspec:\n  parentRefs: [{name: g}]\n---\n"

#define HTTPS(name, host, options)                                                           \
	"  - {name: " name ", protocol: HTTPS, port: 443, hostname: " host ", "               \
	"tls: {certificateRefs: [{name: cert}], options: " options "}}\n"

static struct gw_config *resolve(const char *listeners_fmt)
{
	struct gw_config *c = fx_load(fx_printf(listeners_fmt,
					       fx_tls_secret("default", "cert", "example.com",
							     false)));

	if (c->diags.nerrors)
		fail_msg("unexpected errors:\n%s", fx_diags(c));
	c->tls_options_check = gw_tls_options_check;
	c->now = "2026-01-01T00:00:00Z";
	assert_int_equal(gw_config_stamp(c, NULL, c->now), 0);
	assert_int_equal(gw_config_resolve(c, NULL), 0);
	return c;
}

static const char *accepted_message(struct gw_config *c, const char *listener)
{
	return gw_ygetstr(fx_cond(c, GW_K_GATEWAY, "default", "g",
				  fx_printf("listeners/%s", listener), "Accepted"),
			  "message", "");
}

static void test_bad_version_listener_not_accepted(void **s)
{
	struct gw_config *c = resolve(GATEWAY(
		HTTPS("bad", "bad.example.com", "{xdpgw.io/min-version: \"1.1\"}")
		HTTPS("good", "good.example.com", "{xdpgw.io/min-version: \"1.3\"}")));
	const struct gw_gateway *gw = gw_config_find(c, GW_K_GATEWAY, "default", "g")->u.gw;

	(void)s;
	assert_cond(c, GW_K_GATEWAY, "default", "g", "listeners/bad", "Accepted", "False",
		    "UnsupportedValue");
	assert_cond(c, GW_K_GATEWAY, "default", "g", "listeners/bad", "Programmed", "False",
		    "Invalid");
	assert_non_null(strstr(accepted_message(c, "bad"), "xdpgw.io/min-version"));
	assert_cond(c, GW_K_GATEWAY, "default", "g", "listeners/good", "Accepted", "True",
		    "Accepted");
	/* the data planes (gwd, XDP) serve valid listeners only */
	assert_false(gw->listeners[0].valid);
	assert_true(gw->listeners[1].valid);
	assert_cond(c, GW_K_GATEWAY, "default", "g", "conditions", "Accepted", "True",
		    "ListenersNotValid");
	fx_free(c);
}

/* OpenSSL itself judges cipher lists: the check builds a real SSL_CTX. */
static void test_cipher_list_openssl_rejects(void **s)
{
	struct gw_config *c = resolve(GATEWAY(
		HTTPS("a", "a.example.com", "{xdpgw.io/ciphers: \"NO-SUCH-CIPHER\"}")
		HTTPS("b", "b.example.com", "{xdpgw.io/ciphers: \"ECDHE-ECDSA-AES128-GCM-SHA256\"}")));

	(void)s;
	assert_cond(c, GW_K_GATEWAY, "default", "g", "listeners/a", "Accepted", "False",
		    "UnsupportedValue");
	assert_non_null(strstr(accepted_message(c, "a"), "selects no TLS 1.2 cipher"));
	assert_cond(c, GW_K_GATEWAY, "default", "g", "listeners/b", "Accepted", "True",
		    "Accepted");
	fx_free(c);
}

static void test_unknown_keys(void **s)
{
	struct gw_config *c = resolve(GATEWAY(
		HTTPS("ours", "a.example.com", "{xdpgw.io/no-such-option: \"x\"}")
		HTTPS("nodomain", "b.example.com", "{min-version: \"1.2\"}")
		HTTPS("theirs", "c.example.com", "{example.com/whatever: \"x\"}")));

	(void)s;
	assert_cond(c, GW_K_GATEWAY, "default", "g", "listeners/ours", "Accepted", "False",
		    "UnsupportedValue");
	assert_cond(c, GW_K_GATEWAY, "default", "g", "listeners/nodomain", "Accepted", "False",
		    "UnsupportedValue");
	/* keys of other domains belong to other implementations */
	assert_cond(c, GW_K_GATEWAY, "default", "g", "listeners/theirs", "Accepted", "True",
		    "Accepted");
	fx_free(c);
}

static void test_tls_listeners(void **s)
{
	struct gw_config *c = resolve(GATEWAY(
		"  - {name: term, protocol: TLS, port: 8443, hostname: t.example.com, tls: "
		"{certificateRefs: [{name: cert}], options: {xdpgw.io/alpn: \"h2\"}}}\n"
		"  - {name: httpalpn, protocol: HTTPS, port: 443, hostname: h.example.com, tls: "
		"{certificateRefs: [{name: cert}], options: {xdpgw.io/alpn: \"imap\"}}}\n"
		"  - {name: pass, protocol: TLS, port: 9443, hostname: p.example.com, tls: "
		"{mode: Passthrough, options: {xdpgw.io/min-version: \"0.9\"}}}\n"));

	(void)s;
	/* a TLS-terminate listener may offer any ALPN protocol, HTTPS only h2/http/1.1 */
	assert_cond(c, GW_K_GATEWAY, "default", "g", "listeners/term", "Accepted", "True",
		    "Accepted");
	assert_cond(c, GW_K_GATEWAY, "default", "g", "listeners/httpalpn", "Accepted", "False",
		    "UnsupportedValue");
	/* Passthrough never terminates TLS: nothing to apply, nothing checked */
	assert_cond(c, GW_K_GATEWAY, "default", "g", "listeners/pass", "Accepted", "True",
		    "Accepted");
	fx_free(c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bad_version_listener_not_accepted),
		cmocka_unit_test(test_cipher_list_openssl_rejects),
		cmocka_unit_test(test_unknown_keys),
		cmocka_unit_test(test_tls_listeners),
	};

	return cmocka_run_group_tests_name("config/listener_tls_options", tests, NULL, NULL);
}
