// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The state file's header records which TCP/UDP listeners the XDP tier
 * serves ("# xdpListener: KEY" lines, loader/config/state.c); a trusted
 * read (gwd, gwctl status) gets the same list back, an untrusted one (a
 * user's file) does not take it from comments.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/fixture.h"
#include "loader/config/state.h"

#define CONFIG                                                                               \
	FX_CLASS "apiVersion: gateway.networking.k8s.io/v1\nkind: Gateway\n"                  \
		 "metadata: {name: gw, namespace: default}\n"                                 \
		 "spec:\n  gatewayClassName: gc\n  listeners:\n"                              \
		 "  - {name: tcp, protocol: TCP, port: 9000}\n"                               \
		 "  - {name: udp, protocol: UDP, port: 9000}\n---\n"

static void test_xdp_listeners_round_trip(void **s)
{
	struct gw_config *cfg = fx_resolve(CONFIG), back, user;
	char dir[] = "/tmp/gw-state-XXXXXX", path[64];
	const struct gw_listener *tcp, *udp;

	(void)s;
	assert_non_null(mkdtemp(dir));
	assert_int_equal(gw_config_add_xdp_listener(cfg, "Gateway/default/gw/tcp"), 0);
	tcp = cfg->by_kind[GW_K_GATEWAY][0]->u.gw->all[0];
	udp = cfg->by_kind[GW_K_GATEWAY][0]->u.gw->all[1];
	assert_true(gw_config_xdp_serves(cfg, tcp));
	assert_false(gw_config_xdp_serves(cfg, udp));
	assert_int_equal(gw_state_save(dir, cfg), 0);
	gw_config_init(&back, NULL);
	assert_int_equal(gw_state_load(dir, &back), 0);
	assert_int_equal(back.nxdp_listeners, 1);
	assert_string_equal(back.xdp_listeners[0], "Gateway/default/gw/tcp");
	/* the same bytes as a user's file: comments are only comments */
	snprintf(path, sizeof(path), "%s/%s", dir, GW_STATE_FILE);
	gw_config_init(&user, NULL);
	assert_int_equal(gw_config_add_file(&user, path), 0);
	assert_int_equal(user.nxdp_listeners, 0);
	gw_config_free(&back);
	gw_config_free(&user);
	unlink(path);
	rmdir(dir);
	fx_free(cfg);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_xdp_listeners_round_trip),
	};

	return cmocka_run_group_tests_name("config/state", tests, NULL, NULL);
}
