# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# shellcheck shell=bash
#
# Slow clients against gwd's limits (issue 10 item 2): request heads that
# never end must not hold --max-conns slots past the header timeout, and a
# body trickled a byte at a time ends at the upstream timeout (the backend
# waits for the body as silently as gwd's client). Sourced by run.sh.

# gwd_setup, cfg_head, gw_load, route, code come from there
# shellcheck source=tests/netns/test-gwd.sh
source "$(dirname "${BASH_SOURCE[0]}")/test-gwd.sh"

# shellcheck disable=SC2034 # read by run.sh
ALL_TESTS="test_max_conns_slowloris test_body_trickle_bounded"

# --max-conns 20: 30 HTTP/2 connections whose request head never ends fill
# every slot (the ones over the limit are closed at once, counted), until
# the header timeout (2 s) closes the rest; then new clients are all served.
# Before the fix for item 2 such connections stayed open for good and
# locked out 5 of 6 new clients.
test_max_conns_slowloris()
{
	local out n ok=0 i

	skip_if_missing python3 curl
	gwd_setup 1 --max-conns 20 --header-timeout 2 --idle-timeout 30
	{ cfg_head; route web "  rules:
  - backendRefs: [{name: svc1, port: 80}]"; } | gw_load
	assert_eq "served before the attack" 200 "$(code h /before)"
	out=$(ns_exec "$NS_CLI" timeout 30 python3 "$GW_NETNS_DIR/h2attack.py" 10.200.0.1 80 h \
		slow-headers 30) || fail "the slow client failed: $out"
	echo "$out"
	[[ "$out" =~ ^slow\ closed\ 30\ of\ 30\ after\ ([0-9]+) ]] || fail "slow heads not all closed: $out"
	[ "${BASH_REMATCH[1]}" -lt 5 ] || fail "slow heads closed late: $out"
	out=$(ns_exec "$NS_GW" curl -sS -m 5 http://127.0.0.1:9901/metrics) || fail "admin /metrics"
	n=$(awk '$1 == "gwd_connections_rejected_total" { print $2 }' <<<"$out")
	echo "rejected over --max-conns: $n"
	[ "${n:-0}" -ge 5 ] || fail "only ${n:-0} connections rejected: the slots were not full"
	for ((i = 0; i < 6; i++)); do
		[ "$(code h "/after$i" -m 5)" = 200 ] && ok=$((ok + 1))
	done
	assert_eq "new clients served once the slow heads are cut" 6 "$ok"
}

# A request whose body comes one byte every 0.5 s (HTTP/1.1 and an HTTP/2
# stream): gwd streams it to the backend, which stays silent waiting for the
# rest, so --upstream-timeout (3 s here) ends the request with 504 / a
# response on the stream, as nginx's proxy_read_timeout would; a client that
# keeps trickling cannot hold a request open for longer.
test_body_trickle_bounded()
{
	local out p

	skip_if_missing python3
	gwd_setup 1 --upstream-timeout 3 --header-timeout 2 --idle-timeout 10
	{ cfg_head; route web "  rules:
  - backendRefs: [{name: svc1, port: 80}]"; } | gw_load
	for p in h1 h2; do
		out=$(ns_exec "$NS_CLI" env PYTHONPATH="$GW_NETNS_DIR" timeout 30 python3 \
			"$GW_NETNS_DIR/slow_body.py" 10.200.0.1 80 h "$p" 15) || fail "$p: $out"
		echo "$p body trickle: $out"
		case $p in
		h1) [[ "$out" =~ ^answered\ 504\ after\ ([0-9]+) ]] || fail "h1 trickle: $out" ;;
		h2) [[ "$out" =~ ^answered\ h2\ after\ ([0-9]+) ]] || fail "h2 trickle: $out" ;;
		esac
		[ "${BASH_REMATCH[1]}" -lt 6 ] || fail "$p trickle ended late: $out"
	done
}
