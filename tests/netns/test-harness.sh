# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
# shellcheck shell=bash
#
# Harness self-test, with no xdpgw component involved: the gateway namespace
# does plain kernel forwarding. It proves the topology, gw-echo and the
# lib.sh helpers before any other test depends on them. Sourced by run.sh.

# shellcheck disable=SC2034 # read by run.sh
ALL_TESTS="test_http_ipv4 test_http_ipv6 test_udp_echo test_cleanup"

HTTP_PORT=8080
UDP_PORT=9000

# _http_through_gateway 4|6: from the client, GET each backend through the
# gateway and check what the backend saw.
_http_through_gateway()
{
	local fam=$1 i addr hostport client out remote rx tx

	skip_if_missing curl
	topo_create 2
	for i in 1 2; do
		start_echo "${NS_BE[i]}" "be$i" --namespace harness --listen "[::]:$HTTP_PORT"
	done
	for i in 1 2; do
		if [ "$fam" = 4 ]; then
			addr=${BE4[i]} hostport="${BE4[i]}:$HTTP_PORT" client=$CLI4
		else
			addr=${BE6[i]} hostport="[${BE6[i]}]:$HTTP_PORT" client="[$CLI6]"
		fi
		check_run wait_tcp "${NS_BE[i]}" "$addr" "$HTTP_PORT"
		rx=$(link_stat "$NS_GW" "$GW_CLI_IF" rx_packets)
		tx=$(link_stat "$NS_GW" "${GW_BE_IF[i]}" tx_packets)

		out=$(ns_exec "$NS_CLI" curl -sS --fail --noproxy '*' -m 10 -g \
			-H "Host: echo.harness.test" -H "X-Gwt-Test: a" -H "X-Gwt-Test: b" \
			"http://$hostport/harness/v$fam?be=$i&q=%22x%22") ||
			fail "curl from $NS_CLI to $hostport failed"
		echo "response: $out"
		assert_eq "pod" "be$i" "$(json_get "$out" .pod)"
		assert_eq "namespace" harness "$(json_get "$out" .namespace)"
		assert_eq "method" GET "$(json_get "$out" .method)"
		assert_eq "path" "/harness/v$fam?be=$i&q=%22x%22" "$(json_get "$out" .path)"
		assert_eq "host" echo.harness.test "$(json_get "$out" .host)"
		assert_eq "proto" HTTP/1.1 "$(json_get "$out" .proto)"
		if command -v jq >/dev/null; then
			assert_eq "repeated header" "a, b" "$(json_get "$out" '.headers["x-gwt-test"]')"
		fi
		remote=$(json_get "$out" .remote)
		# The client's own address: routed through the gateway, not NATed.
		assert_eq "remote address" "$client" "${remote%:*}"
		assert_eq "local address" "$hostport" "$(json_get "$out" .local)"

		# And it really crossed the gateway namespace.
		[ "$(link_stat "$NS_GW" "$GW_CLI_IF" rx_packets)" -gt "$rx" ] ||
			fail "no packets received on $GW_CLI_IF in $NS_GW"
		[ "$(link_stat "$NS_GW" "${GW_BE_IF[i]}" tx_packets)" -gt "$tx" ] ||
			fail "no packets sent on ${GW_BE_IF[i]} in $NS_GW"
	done
}

test_http_ipv4()
{
	_http_through_gateway 4
}

test_http_ipv6()
{
	_http_through_gateway 6
}

# _udp_roundtrip NS ADDR PORT PAYLOAD: send one datagram from NS, print the reply.
_udp_roundtrip()
{
	local ns=$1 addr=$2 port=$3 payload=$4 peer reply

	if command -v socat >/dev/null; then
		if [[ "$addr" == *:* ]]; then
			peer="UDP6:[$addr]:$port"
		else
			peer="UDP4:$addr:$port"
		fi
		# -t: after sending, wait up to 1 s for the reply.
		printf '%s' "$payload" | ns_exec "$ns" socat -t 1 -T 5 - "$peer"
	else
		# bash's /dev/udp connects the socket, so only the backend's reply is read.
		# shellcheck disable=SC2016
		ns_exec "$ns" "$BASH" -c 'exec 3<>"/dev/udp/$1/$2" || exit 1
			printf "%s" "$3" >&3
			IFS= read -r -t 3 -N "${#3}" reply <&3
			printf "%s" "$reply"' _ "$addr" "$port" "$payload"
	fi
}

test_udp_echo()
{
	local addr payload reply tx

	topo_create 1
	start_echo "$NS_BE_1" be1 --udp "[::]:$UDP_PORT"
	check_run wait_udp "$NS_BE_1" "$BE4_1" "$UDP_PORT"
	for addr in "$BE4_1" "$BE6_1"; do
		payload="gwt udp to $addr: $RANDOM$RANDOM"
		tx=$(link_stat "$NS_GW" "$GW_CLI_IF" tx_packets)
		reply=$(_udp_roundtrip "$NS_CLI" "$addr" "$UDP_PORT" "$payload") ||
			fail "UDP round trip to $addr failed"
		assert_eq "UDP echo via $addr" "$payload" "$reply"
		[ "$(link_stat "$NS_GW" "$GW_CLI_IF" tx_packets)" -gt "$tx" ] ||
			fail "the reply did not come back through $NS_GW"
	done
}

# _assert_cleaned REC: the nested environment that wrote REC.ns (its
# namespaces) and REC.pid (its echo backend) has left nothing behind.
_assert_cleaned()
{
	local rec=$1 ns n=0 pid id

	[ -s "$rec.ns" ] || fail "nested run recorded no namespaces"
	while read -r ns; do
		n=$((n + 1))
		ip netns list | grep -qw -- "$ns" && fail "namespace $ns still exists"
	done <"$rec.ns"
	assert_eq "namespaces the nested run created" 3 "$n"
	id=$(head -n 1 "$rec.ns" | cut -d- -f2)
	assert_eq "namespaces left with run id $id" 0 "$(ip netns list | grep -c -- "^$GW_NS_PREFIX-$id-")"
	read -r pid <"$rec.pid" || fail "nested run recorded no PID"
	_gw_pid_alive "$pid" && fail "background pid $pid still running"
	echo "  pass: pid $pid is gone"
}

# The nested environment: build a topology, start an echo backend, check it
# answers, record what to look for, then do what $3 says.
# shellcheck disable=SC2016
NESTED_ENV='
	set -o nounset
	source "$1"
	gw_env_init
	topo_create 1
	start_echo "$NS_BE_1" nested-be1 --udp "[::]:9000"
	check_run wait_tcp "$NS_BE_1" "$BE4_1" 8080
	check_run ns_exec "$NS_CLI" curl -sS --fail --noproxy "*" -m 5 -o /dev/null "http://$BE4_1:8080/"
	topo_namespaces >"$2.ns"
	bg_pid nested-be1 >"$2.pid"
	case "$3" in
	exit) exit 0 ;;
	fail) fail "deliberate failure" ;;
	wait) touch "$2.ready"; while :; do sleep 0.1; done ;;
	esac'

test_cleanup()
{
	local rec="$GW_RUN_DIR/nested" pid rc i

	# 1. Normal exit, and 2. a failing test: the EXIT trap cleans up and
	# the exit status is preserved.
	"$BASH" -c "$NESTED_ENV" _ "$GW_NETNS_DIR/lib.sh" "$rec-exit" exit
	assert_eq "exit status of a passing run" 0 "$?"
	_assert_cleaned "$rec-exit"
	"$BASH" -c "$NESTED_ENV" _ "$GW_NETNS_DIR/lib.sh" "$rec-fail" fail
	assert_eq "exit status of a failing run" 1 "$?"
	_assert_cleaned "$rec-fail"

	# 3. SIGTERM in the middle of a test (what timeout(1) sends).
	"$BASH" -c "$NESTED_ENV" _ "$GW_NETNS_DIR/lib.sh" "$rec-term" wait &
	pid=$!
	for ((i = 0; i < 200; i++)); do
		[ -e "$rec-term.ready" ] && break
		_gw_pid_alive "$pid" || break
		sleep 0.05
	done
	[ -e "$rec-term.ready" ] || fail "nested run did not get ready"
	kill -TERM "$pid"
	wait "$pid"
	rc=$?
	assert_eq "exit status after SIGTERM" 143 "$rc"
	_assert_cleaned "$rec-term"
}
