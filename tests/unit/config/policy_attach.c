// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Policy attachment (loader/config/policy_attach.c): Envoy Gateway's
 * precedence (route rule > route > listener > ListenerSet > Gateway), the
 * oldest-then-name tie-break with the others Conflicted, targetSelectors,
 * local references only, and the PolicyStatus ancestors an unenforced
 * policy reports.
 */
#include <stdlib.h>
#include <string.h>

#include "lib/fixture.h"
#include "loader/config/policy_attach.h"

#define BASE                                                                                 \
	FX_CLASS                                                                             \
	"apiVersion: gateway.networking.k8s.io/v1\nkind: Gateway\nmetadata: {name: gw}\n"      \
	"spec:\n  gatewayClassName: gc\n  allowedListeners: {namespaces: {from: Same}}\n"      \
	"  listeners:\n  - {name: http, protocol: HTTP, port: 80}\n"                          \
	"  - {name: alt, protocol: HTTP, port: 8080}\n---\n"                                  \
	"apiVersion: gateway.networking.k8s.io/v1\nkind: ListenerSet\nmetadata: {name: ls}\n"  \
	"spec:\n  parentRef: {name: gw}\n  listeners:\n"                                      \
	"  - {name: extra, protocol: HTTP, port: 8081}\n---\n"                                \
	"apiVersion: gateway.networking.k8s.io/v1\nkind: HTTPRoute\n"                         \
	"metadata: {name: r, labels: {team: a}}\n"                                           \
	"spec:\n  parentRefs: [{name: gw}, {kind: ListenerSet, name: ls}]\n"                  \
	"  rules:\n  - {name: one}\n  - {name: two}\n---\n"                                   \
	"apiVersion: gateway.networking.k8s.io/v1\nkind: HTTPRoute\nmetadata: {name: other}\n" \
	"spec:\n  parentRefs: [{name: gw}]\n  rules: [{name: one}]\n---\n"

#define POL(name, created, targets)                                                          \
	"apiVersion: gateway.envoyproxy.io/v1alpha1\nkind: BackendTrafficPolicy\n"                   \
	"metadata: {name: " name ", creationTimestamp: \"" created "\"}\nspec:\n" targets "---\n"

#define REF(kind, name)                                                                      \
	"  targetRefs: [{group: gateway.networking.k8s.io, kind: " #kind ", name: " #name "}]\n"
#define REFS(kind, name, section)                                                            \
	"  targetRefs: [{group: gateway.networking.k8s.io, kind: " #kind ", name: " #name         \
	", sectionName: " #section "}]\n"

static struct gw_config *load(const char *yaml)
{
	static const char *allow[] = { "BackendTrafficPolicy" };
	struct gw_config *c = calloc(1, sizeof(*c));

	assert_non_null(c);
	gw_config_init(c, NULL);
	c->allow_unenforced = allow;
	c->nallow_unenforced = 1;
	assert_int_equal(gw_config_add_buf(c, "t.yaml", yaml, strlen(yaml)), 0);
	if (c->diags.nerrors)
		fail_msg("%s", fx_diags(c));
	assert_int_equal(gw_config_stamp(c, NULL, "2026-01-01T00:00:00Z"), 0);
	assert_int_equal(gw_config_resolve(c, NULL), 0);
	return c;
}

static const struct gw_listener *listener(const struct gw_config *c, const char *name)
{
	const struct gw_gateway *gw = gw_config_find(c, GW_K_GATEWAY, "default", "gw")->u.gw;
	const struct gw_listenerset *ls =
		gw_config_find(c, GW_K_LISTENERSET, "default", "ls")->u.ls;

	for (int i = 0; i < gw->nlisteners; i++)
		if (!strcmp(gw->listeners[i].name, name))
			return &gw->listeners[i];
	for (int i = 0; i < ls->nlisteners; i++)
		if (!strcmp(ls->listeners[i].name, name))
			return &ls->listeners[i];
	fail_msg("no listener %s", name);
	return NULL;
}

/* Name of the BackendTrafficPolicy (attached, not enforced) applying to rule `rule` of route `route` via listener l, or "-". */
static const char *applies(const struct gw_config *c, const char *route, int rule, const char *l)
{
	const struct gw_route *r = gw_config_find(c, GW_K_HTTPROUTE, "default", route)->u.route;
	const struct gw_obj *p = gw_policy_for(c, "gateway.envoyproxy.io", "BackendTrafficPolicy", r,
					       rule, listener(c, l));

	return p ? p->name : "-";
}

static void test_precedence(void **s)
{
	struct gw_config *c = load(BASE POL("gw-wide", "2026-01-01T00:00:00Z", REF(Gateway, gw))
		POL("gw-alt", "2026-01-01T00:00:00Z", REFS(Gateway, gw, alt))
		POL("ls-wide", "2026-01-01T00:00:00Z", REF(ListenerSet, ls))
		POL("route", "2026-01-01T00:00:00Z", REF(HTTPRoute, r))
		POL("rule-two", "2026-01-01T00:00:00Z", REFS(HTTPRoute, r, two)));

	(void)s;
	/* route rule > route > ... */
	assert_string_equal(applies(c, "r", 1, "http"), "rule-two");
	assert_string_equal(applies(c, "r", 0, "http"), "route");
	assert_string_equal(applies(c, "r", 0, "extra"), "route");
	/* other: no route policy; listener > Gateway */
	assert_string_equal(applies(c, "other", 0, "http"), "gw-wide");
	assert_string_equal(applies(c, "other", 0, "alt"), "gw-alt");
	fx_free(c);

	/* through a ListenerSet: ListenerSet > Gateway; a Gateway listener policy is not its */
	c = load(BASE POL("gw-wide", "2026-01-01T00:00:00Z", REF(Gateway, gw))
		 POL("gw-alt", "2026-01-01T00:00:00Z", REFS(Gateway, gw, alt)));
	assert_string_equal(applies(c, "r", 0, "extra"), "gw-wide");
	assert_string_equal(applies(c, "r", 0, "http"), "gw-wide");
	fx_free(c);
	c = load(BASE POL("gw-wide", "2026-01-01T00:00:00Z", REF(Gateway, gw))
		 POL("ls-extra", "2026-01-01T00:00:00Z", REFS(ListenerSet, ls, extra)));
	assert_string_equal(applies(c, "r", 0, "extra"), "ls-extra");
	assert_string_equal(applies(c, "r", 0, "http"), "gw-wide");
	fx_free(c);
}

static void test_oldest_then_name_wins(void **s)
{
	struct gw_config *c = load(BASE POL("b-new", "2026-01-02T00:00:00Z", REF(HTTPRoute, r))
		POL("c-old", "2026-01-01T00:00:00Z", REF(HTTPRoute, r))
		POL("a-new", "2026-01-02T00:00:00Z", REF(HTTPRoute, r)));

	(void)s;
	assert_string_equal(applies(c, "r", 0, "http"), "c-old");
	fx_free(c);
	/* same creation time: namespace/name order */
	c = load(BASE POL("b", "2026-01-01T00:00:00Z", REF(HTTPRoute, r))
		 POL("a", "2026-01-01T00:00:00Z", REF(HTTPRoute, r)));
	assert_string_equal(applies(c, "r", 0, "http"), "a");
	fx_free(c);
}

static void test_selectors_and_missing_targets(void **s)
{
	struct gw_config *c = load(BASE POL("sel", "2026-01-01T00:00:00Z",
					    "  targetSelectors: [{kind: HTTPRoute, matchLabels: {team: a}}]\n")
		POL("nosuch", "2026-01-01T00:00:00Z", REF(HTTPRoute, missing))
		POL("badrule", "2026-01-01T00:00:00Z", REFS(HTTPRoute, other, nosuchrule)));

	(void)s;
	assert_string_equal(applies(c, "r", 0, "http"), "sel");	/* labels team=a */
	assert_string_equal(applies(c, "other", 0, "http"), "-");	/* no labels, bad rule */
	fx_free(c);
}

/* Status: one ancestor per Gateway a targeted route is attached to; the loser Conflicted. */
static void test_unenforced_ancestors(void **s)
{
	struct gw_config *c = load(BASE POL("old", "2026-01-01T00:00:00Z", REF(HTTPRoute, r))
		POL("new", "2026-01-02T00:00:00Z", REF(HTTPRoute, r)));
	const struct gw_obj *old = NULL, *new = NULL;
	struct gw_yval *anc;

	(void)s;
	for (size_t i = 0; i < c->nby_kind[GW_K_UNENFORCED]; i++) {
		const struct gw_obj *o = c->by_kind[GW_K_UNENFORCED][i];

		if (!strcmp(o->name, "old"))
			old = o;
		else
			new = o;
	}
	assert_non_null(old);
	assert_non_null(new);
	anc = gw_yget(old->status, "ancestors");
	/* r has two parents: Gateway gw and ListenerSet ls */
	assert_int_equal(gw_ylen(anc), 2);
	assert_string_equal(gw_ygetstr(gw_yget(anc->items[0], "ancestorRef"), "kind", ""), "Gateway");
	assert_string_equal(gw_ygetstr(gw_yget(anc->items[1], "ancestorRef"), "kind", ""),
			    "ListenerSet");
	assert_string_equal(gw_ygetstr(gw_yget(anc->items[0], "conditions")->items[0], "reason", ""),
			    "NotEnforced");
	anc = gw_yget(new->status, "ancestors");
	assert_int_equal(gw_ylen(anc), 2);
	assert_string_equal(gw_ygetstr(gw_yget(anc->items[0], "conditions")->items[0], "reason", ""),
			    "Conflicted");
	assert_non_null(strstr(gw_ygetstr(gw_yget(anc->items[0], "conditions")->items[0],
					  "message", ""), "another BackendTrafficPolicy (default/old)"));
	fx_free(c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_precedence),
		cmocka_unit_test(test_oldest_then_name_wins),
		cmocka_unit_test(test_selectors_and_missing_targets),
		cmocka_unit_test(test_unenforced_ancestors),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
