# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# shellcheck shell=bash
#
# The configuration store's etcd backend (loader/store/etcd.c) against a
# real etcd (Debian's etcd-server) in a namespace of its own: the same
# contract tests the node's store passes (tests/unit/store/contract.c), and
# an etcd restart in the middle (what was committed is still there, a watch
# picks up from the revision it had seen). Sourced by run.sh.

# shellcheck disable=SC2034 # read by run.sh
ALL_TESTS="test_store_contract_on_etcd test_store_etcd_restart"

CONTRACT="$REPO/.output/tests/unit/store/contract"

# etcd_start: a one-member etcd in $NS_GW on 127.0.0.1:2379, data in $GW_RUN_DIR/etcd
etcd_start()
{
	local i

	start_background "$NS_GW" etcd etcd --name gwtest --data-dir "$GW_RUN_DIR/etcd" \
		--listen-client-urls http://127.0.0.1:2379 \
		--advertise-client-urls http://127.0.0.1:2379 \
		--listen-peer-urls http://127.0.0.1:2380 \
		--initial-advertise-peer-urls http://127.0.0.1:2380 \
		--initial-cluster gwtest=http://127.0.0.1:2380
	for ((i = 0; i < 100; i++)); do
		ns_exec "$NS_GW" curl -sf -m 1 -X POST http://127.0.0.1:2379/v3/kv/range \
			-d '{"key":"AA=="}' >/dev/null 2>&1 && return 0
		bg_running etcd || break
		sleep 0.1
	done
	cat "$(bg_log etcd)" >&2
	fail "etcd did not start"
}

test_store_contract_on_etcd()
{
	skip_if_missing etcd curl "$CONTRACT"
	topo_create 1
	etcd_start
	ns_exec "$NS_GW" env GW_STORE_ETCD=http://127.0.0.1:2379 "$CONTRACT" ||
		fail "the store contract fails on etcd"
	# the same binary on the node's store, as the unit layer runs it
	"$CONTRACT" >/dev/null || fail "the store contract fails on the local store"
}

test_store_etcd_restart()
{
	local out

	skip_if_missing etcd curl "$CONTRACT"
	topo_create 1
	etcd_start
	out=$(ns_exec "$NS_GW" env GW_STORE_ETCD=http://127.0.0.1:2379 GW_STORE_RESTART=before \
		"$CONTRACT") || fail "before the restart: $out"
	echo "$out"
	stop_background etcd
	etcd_start
	out=$(ns_exec "$NS_GW" env GW_STORE_ETCD=http://127.0.0.1:2379 GW_STORE_RESTART=after \
		"$CONTRACT") || fail "after the restart: $out"
	echo "$out"
}
