// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Verifier acceptance: the production objects (XDP and tc hook) load on
 * this kernel (every other test needs that too), and so do the same
 * sources built by a newer clang when one is installed (mk/xdp.mk picks clang-19..15), since
 * another code generator can produce code this verifier rejects.
 */
#include <errno.h>

#include <bpf/libbpf.h>

#include "gw_tc.skel.h"
#include "gw_xdp.skel.h"
#include "lib/test_progs.h"
#ifdef GW_HAVE_COMPAT
#include "gw_tc_compat.skel.h"
#include "gw_xdp_compat.skel.h"
#endif

#define LOAD_UNPINNED(type, skel, ok)                                                         \
	do {                                                                                  \
		struct bpf_map *___m;                                                         \
		skel = type##__open();                                                        \
		ok = ASSERT_OK_PTR(skel, "open " #type);                                      \
		if (ok) {                                                                     \
			bpf_object__for_each_map(___m, skel->obj)                             \
				bpf_map__set_pin_path(___m, NULL);                            \
			ok = ASSERT_OK(type##__load(skel), "load " #type);                    \
		}                                                                             \
	} while (0)

void test_verifier(void)
{
	struct gw_xdp *skel = NULL;
	struct gw_tc *tc = NULL;
	bool ok;

	if (test__start_subtest("clang")) {
		LOAD_UNPINNED(gw_xdp, skel, ok);
		LOAD_UNPINNED(gw_tc, tc, ok);
		(void)ok;
		gw_tc__destroy(tc);
		gw_xdp__destroy(skel);
	}
	if (test__start_subtest("newer_clang")) {
#ifdef GW_HAVE_COMPAT
		struct gw_xdp_compat *compat = NULL;
		struct gw_tc_compat *tc_compat = NULL;

		printf("# built by %s\n", GW_HAVE_COMPAT);
		LOAD_UNPINNED(gw_xdp_compat, compat, ok);
		LOAD_UNPINNED(gw_tc_compat, tc_compat, ok);
		(void)ok;
		gw_tc_compat__destroy(tc_compat);
		gw_xdp_compat__destroy(compat);
#else
		test__skip("no newer clang installed (clang-15..19)");
#endif
	}
}
