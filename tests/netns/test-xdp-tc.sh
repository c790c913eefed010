# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
# shellcheck shell=bash
#
# test-xdp.sh's tests with the tier on the tc hook (gwctl load --l4-hook
# tc): one pipeline, so the same behaviour on the wire. test_interfaces is
# about XDP attachment (another XDP program is refused) and stays there.
# Sourced by run.sh.

L4_HOOK=tc
# shellcheck source=test-xdp.sh
. "$(dirname "${BASH_SOURCE[0]}")/test-xdp.sh"

# shellcheck disable=SC2034 # read by run.sh
ALL_TESTS="test_tcp_curl_v4 test_tcp_curl_v6 test_udp_echo test_tcp_iperf3
	test_weights_tcp test_weights_udp test_filter_non_listener test_l7_listener_passes
	test_reload_unchanged test_reload_keeps_flow test_no_backend_rejects
	test_snat_mode test_v1alpha2_manifest test_ip_netns_exec test_two_instances
	test_rollback test_pmtu test_unload_clean test_redirect_losses"
