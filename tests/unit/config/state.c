// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Limits of the stored form (loader/config/state.c, limits.h): what
 * gw_state_stage() and gw_state_check_limits() count is exactly what the
 * parser charges and the bytes it writes, so gwctl refuses a
 * configuration exactly when gwd would refuse its staged file, and the
 * refusal names the user's object (file:line), not the staged copy. gwd
 * reads state files without their status (skip_status), charging it all
 * the same. The header records which TCP/UDP listeners the XDP tier
 * serves ("# xdpListener: KEY" lines); a trusted read (gwd, gwctl status)
 * gets the same list back, an untrusted one (a user's file) does not take
 * it from comments.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/fixture.h"
#include "loader/config/state.h"

#define GATEWAY                                                                              \
	FX_CLASS                                                                             \
	"apiVersion: gateway.networking.k8s.io/v1\nkind: Gateway\n"                           \
	"metadata: {name: g, namespace: default}\n"                                           \
	"spec:\n  gatewayClassName: gc\n  listeners:\n"                                        \
	"  - {name: http, protocol: HTTP, port: 80}\n---\n"                                    \
	"apiVersion: v1\nkind: Service\nmetadata: {name: s, namespace: default}\n"            \
	"spec: {ports: [{name: http, port: 80}]}\n---\n"

#define ROUTE(name)                                                                          \
	"apiVersion: gateway.networking.k8s.io/v1\nkind: HTTPRoute\n"                         \
	"metadata: {name: " name ", namespace: default}\n"                                    \
	"spec:\n  parentRefs: [{name: g}]\n  rules:\n"                                         \
	"  - matches: [{path: {type: PathPrefix, value: /" name "}}]\n"                        \
	"    backendRefs: [{name: s, port: 80}]\n---\n"

#define LISTENER_RESERVE 4096	/* GW_STATE_LISTENER_RESERVE, one listener here */

static char tmpdir[] = "/tmp/gw-unit-state.XXXXXX";

/* The nodes of cfg's stored form, as the parser charges them. */
static size_t stored_nodes(struct gw_config *cfg)
{
	struct gw_arena a = { 0 };
	size_t n = 0;

	for (size_t i = 0; i < cfg->nobjs; i++)
		n += gw_ycount(gw_obj_view(&a, cfg->objs[i]));
	gw_arena_free(&a);
	return n;
}

static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "r");
	char *buf;
	long n;

	assert_non_null(f);
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	buf = malloc((size_t)n + 1);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
	fclose(f);
	*len = (size_t)n;
	return buf;
}

static int parse(const char *buf, size_t len, size_t budget, bool skip, struct gw_ydoc **docs,
		 size_t *n, struct gw_arena *a, char *err, size_t errlen)
{
	struct gw_yload_opts o = { .budget = budget, .skip_status = skip };

	return gw_yaml_load_opts(a, "staged.yaml", buf, len, &o, docs, n, err, errlen);
}

/* The staged file parses with a budget of exactly the counted nodes, not one fewer. */
static void test_count_is_what_the_parser_charges(void **state)
{
	struct gw_config *cfg = fx_resolve(GATEWAY ROUTE("a") ROUTE("b"));
	size_t nodes = stored_nodes(cfg), len, n;
	struct gw_arena a = { 0 };
	struct gw_ydoc *docs;
	char path[512], err[512], *buf;

	(void)state;
	assert_int_equal(gw_state_stage(tmpdir, "staged.yaml", cfg, (size_t)1 << 30, nodes), 0);
	snprintf(path, sizeof(path), "%s/staged.yaml", tmpdir);
	buf = slurp(path, &len);
	assert_int_equal(parse(buf, len, nodes, false, &docs, &n, &a, err, sizeof(err)), 0);
	gw_arena_free(&a);
	assert_int_equal(parse(buf, len, nodes - 1, false, &docs, &n, &a, err, sizeof(err)),
			 -EINVAL);
	assert_non_null(strstr(err, "document too large"));
	gw_arena_free(&a);
	/* gwd leaves status out but charges it: the same budget, no more, no less */
	assert_int_equal(parse(buf, len, nodes, true, &docs, &n, &a, err, sizeof(err)), 0);
	for (size_t i = 0; i < n; i++)
		assert_null(gw_yget(docs[i].root, "status"));
	gw_arena_free(&a);
	assert_int_equal(parse(buf, len, nodes - 1, true, &docs, &n, &a, err, sizeof(err)),
			 -EINVAL);
	gw_arena_free(&a);
	/* bytes: the file must be smaller than the limit, after the listener reserve */
	assert_int_equal(gw_state_check_limits(cfg, len + LISTENER_RESERVE + 1, nodes), 0);
	assert_int_equal(gw_state_check_limits(cfg, len + LISTENER_RESERVE, nodes), -EFBIG);
	assert_true(fx_has_diag(cfg, "too large", "bytes", NULL));
	free(buf);
	unlink(path);
	fx_free(cfg);
}

/* Over the node limit: the error is at the user's object where it is crossed. */
static void test_over_limit_names_the_user_object(void **state)
{
	struct gw_config *cfg = fx_resolve(GATEWAY ROUTE("a") ROUTE("b"));
	size_t nodes = stored_nodes(cfg);
	struct gw_arena a = { 0 };
	struct gw_obj *b = gw_config_find(cfg, GW_K_HTTPROUTE, "default", "b");
	char path[512], at[64];
	struct stat st;

	(void)state;
	/* the last object is route b: one node short fails there */
	assert_ptr_equal(cfg->objs[cfg->nobjs - 1], b);
	assert_int_equal(gw_state_stage(tmpdir, "staged.yaml", cfg, (size_t)1 << 30, nodes - 1),
			 -EFBIG);
	snprintf(at, sizeof(at), "test.yaml:%u: error: HTTPRoute default/b:", b->line);
	if (!fx_has_diag(cfg, at, "configuration too large", "YAML nodes", NULL))
		fail_msg("no error at %s:\n%s", at, fx_diags(cfg));
	assert_int_equal(cfg->diags.nerrors, 1);
	/* nothing staged for gwd to see */
	snprintf(path, sizeof(path), "%s/staged.yaml", tmpdir);
	assert_int_not_equal(stat(path, &st), 0);
	/* a limit below route a's nodes: the error moves to route a */
	cfg->diags.n = cfg->diags.nerrors = 0;
	assert_int_equal(gw_state_check_limits(cfg, (size_t)1 << 30,
					       nodes - gw_ycount(gw_obj_view(&a, b)) - 1),
			 -EFBIG);
	snprintf(at, sizeof(at), "error: HTTPRoute default/a:");
	assert_true(fx_has_diag(cfg, at, "configuration too large", NULL));
	gw_arena_free(&a);
	fx_free(cfg);
}

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
		cmocka_unit_test(test_count_is_what_the_parser_charges),
		cmocka_unit_test(test_over_limit_names_the_user_object),
		cmocka_unit_test(test_xdp_listeners_round_trip),
	};
	int rc;

	if (!mkdtemp(tmpdir))
		return 1;
	rc = cmocka_run_group_tests_name("config/state", tests, NULL, NULL);
	rmdir(tmpdir);
	return rc;
}
