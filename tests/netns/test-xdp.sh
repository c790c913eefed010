# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
# shellcheck shell=bash
#
# The XDP L4 tier with real XDP in the gateway namespace: client -> gateway
# (gwctl load --iface ...) -> 3 backends running gw-echo. examples/tcp.yaml
# is the configuration: TCPRoute weights 50/30/20, UDPRoute 2/1/1, on the
# Gateway addresses $VIP4/$VIP6. Sourced by run.sh.
#
# The client and backend ends of the veths get an XDP_PASS program: a veth
# only delivers frames redirected into it when its peer runs NAPI.

# shellcheck disable=SC2034 # read by run.sh
ALL_TESTS="test_tcp_curl_v4 test_tcp_curl_v6 test_udp_echo test_tcp_iperf3
	test_weights_tcp test_weights_udp test_filter_non_listener test_l7_listener_passes
	test_reload_unchanged test_reload_keeps_flow test_no_backend_rejects
	test_snat_mode test_v1alpha2_manifest test_ip_netns_exec test_two_instances
	test_rollback test_interfaces test_pmtu test_unload_clean"

XDP_PASS_OBJ="$REPO/.output/tests/bpf/xdp_pass.bpf.o"
EXAMPLE="$REPO/examples/tcp.yaml"
TCP_PORT=8080
UDP_PORT=9000

# Every test: its own pin and state directories (the runner's private bpffs).
setup_test()
{
	PIN_DIR="/sys/fs/bpf/gwt-$GW_RUN_ID"
	STATE_DIR="$GW_RUN_DIR/state"
	trap '_xdp_cleanup; cleanup_tests $?' EXIT
}

# Unload on the way out too, so no pin outlives a failed test.
_xdp_cleanup()
{
	[ -n "${NS_GW:-}" ] && [ -e "/run/netns/$NS_GW" ] &&
		ns_exec "$NS_GW" "$GWCTL" unload --pin-dir "$PIN_DIR" >/dev/null 2>&1
	[ -d "$PIN_DIR" ] && rm -rf "$PIN_DIR"
	return 0
}

gwctl_gw()
{
	ns_exec "$NS_GW" "$GWCTL" "$@"
}

# _xdp_topology [N=3]: topology, XDP_PASS on the far ends, VIPs on the
# gateway's lo (so the kernel answers ping and owns them), echo backends.
_xdp_topology()
{
	local n=${1:-3} i

	skip_if_missing ethtool
	[ -f "$XDP_PASS_OBJ" ] || skip "not built: $XDP_PASS_OBJ (make)"
	topo_create "$n"
	check_run ns_exec "$NS_CLI" ip link set dev "$CLI_IF" xdpdrv obj "$XDP_PASS_OBJ" sec xdp
	check_run ns_exec "$NS_GW" ip addr add "$VIP4/32" dev lo
	check_run ns_exec "$NS_GW" ip -6 addr add "$VIP6/128" dev lo nodad
	for ((i = 1; i <= n; i++)); do
		check_run ns_exec "${NS_BE[i]}" ip link set dev "$BE_IF" xdpdrv obj "$XDP_PASS_OBJ" \
			sec xdp
		start_echo "${NS_BE[i]}" "be$i" --namespace xdp --listen "[::]:$TCP_PORT" \
			--udp "[::]:$UDP_PORT"
	done
}

_ifaces()
{
	local i out="--iface $GW_CLI_IF"

	for ((i = 1; i <= NUM_BE; i++)); do
		out+=" --iface ${GW_BE_IF[i]}"
	done
	echo "$out"
}

# _load FILE... : gwctl load in the gateway namespace with this test's dirs
_load()
{
	local f args=()

	for f in "$@"; do
		args+=(-f "$f")
	done
	# shellcheck disable=SC2046
	check_run gwctl_gw load "${args[@]}" $(_ifaces) --pin-dir "$PIN_DIR" \
		--state-dir "$STATE_DIR" -q
}

_stats_json()
{
	gwctl_gw stats --pin-dir "$PIN_DIR" -o json
}

# _curl ADDR [PORT]: one HTTP request from the client, prints the pod that answered
_curl()
{
	local host=$1 port=${2:-$TCP_PORT} out

	[[ "$host" == *:* ]] && host="[$host]"
	out=$(ns_exec "$NS_CLI" curl -sS --fail --noproxy '*' -g -m 5 "http://$host:$port/xdp") ||
		return 1
	json_get "$out" .pod
}

_tcp_curl()
{
	local vip=$1 pod out

	skip_if_missing curl
	_xdp_topology 3
	_load "$EXAMPLE"
	pod=$(_curl "$vip") || fail "curl to $vip:$TCP_PORT through the gateway failed"
	[[ "$pod" == be[123] ]] || fail "unexpected answer '$pod'"
	out=$(ns_exec "$NS_CLI" curl -sS --noproxy '*' -g -m 5 \
		"http://$( [[ $vip == *:* ]] && echo "[$vip]" || echo "$vip"):$TCP_PORT/x")
	# the backend saw the client's own address: DNAT mode does not touch the source
	if [[ "$vip" == *:* ]]; then
		assert_eq "remote" "[$CLI6]" "$(json_get "$out" .remote | sed 's/:[0-9]*$//')"
	else
		assert_eq "remote" "$CLI4" "$(json_get "$out" .remote | sed 's/:[0-9]*$//')"
	fi
	# and the packets went through XDP, not the kernel's forwarding
	stats=$(_stats_json)
	echo "$stats"
	[ "$(jq '.verdicts.fwd.packets' <<<"$stats")" -gt 0 ] || fail "no packet steered in XDP"
	[ "$(jq '.verdicts.rev.packets' <<<"$stats")" -gt 0 ] || fail "no reply reverse-NATed"
	# curl closed its connections: both directions stay in conntrack, closing
	[ "$(jq '.flows.conntrack_entries' <<<"$stats")" -ge 2 ] || fail "no flow in conntrack"
	# and status says the L4 listeners are programmed
	gwctl_gw status --state-dir "$STATE_DIR" --pin-dir "$PIN_DIR" >"$GW_RUN_DIR/status"
	grep -q 'listener tcp TCP/8080 tier=xdp: 1 route; Accepted Programmed ResolvedRefs' \
		"$GW_RUN_DIR/status" || fail "TCP listener not Programmed: $(cat "$GW_RUN_DIR/status")"
	grep -q 'listener udp UDP/9000 tier=xdp: 1 route; Accepted Programmed ResolvedRefs' \
		"$GW_RUN_DIR/status" || fail "UDP listener not Programmed"
}

test_tcp_curl_v4()
{
	skip_if_missing jq
	_tcp_curl "$VIP4"
}

test_tcp_curl_v6()
{
	skip_if_missing jq
	_tcp_curl "$VIP6"
}

# _udp_rt NS ADDR PORT PAYLOAD: one datagram, prints the reply (empty if none)
_udp_rt()
{
	local peer

	if [[ "$2" == *:* ]]; then
		peer="UDP6:[$2]:$3"
	else
		peer="UDP4:$2:$3"
	fi
	ns_exec "$1" timeout 5 socat -T 2 - "$peer" <<<"$4" 2>/dev/null
}

test_udp_echo()
{
	local vip reply

	skip_if_missing socat jq
	_xdp_topology 3
	_load "$EXAMPLE"
	for vip in "$VIP4" "$VIP6"; do
		reply=$(_udp_rt "$NS_CLI" "$vip" "$UDP_PORT" "hello-$vip")
		assert_eq "UDP echo through $vip" "hello-$vip" "$reply"
	done
	assert_eq "UDP flows in the backend counters" 2 \
		"$(_stats_json | jq '[.backends[] | select(.name | endswith(":9000")) | .flows] | add')"
}

# A Gateway "bulk" with an iperf3 listener (port 5201) whose TCPRoute goes to
# the backends listed in $1 (e.g. "1 2 3"), weight 1 each. Its own Gateway:
# two Gateways on one node cannot claim the same port.
_iperf_yaml()
{
	local i

	printf '%s\n' \
		'apiVersion: gateway.networking.k8s.io/v1' 'kind: Gateway' 'metadata: {name: bulk}' \
		'spec:' '  gatewayClassName: xdpgw' \
		"  addresses: [{type: IPAddress, value: \"$VIP4\"}]" \
		'  listeners: [{name: iperf, protocol: TCP, port: 5201}]' '---' \
		'apiVersion: gateway.networking.k8s.io/v1' 'kind: TCPRoute' \
		'metadata: {name: iperf}' 'spec:' '  parentRefs: [{name: bulk}]' '  rules:' \
		'    - backendRefs:'
	for i in $1; do
		echo "        - {name: iperf-$i, port: 5201, weight: 1}"
	done
	for i in 1 2 3; do
		printf '%s\n' '---' 'apiVersion: v1' 'kind: Service' "metadata: {name: iperf-$i}" \
			'spec: {ports: [{name: iperf, port: 5201, protocol: TCP}]}' '---' \
			'apiVersion: discovery.k8s.io/v1' 'kind: EndpointSlice' 'metadata:' \
			"  name: iperf-$i" "  labels: {kubernetes.io/service-name: iperf-$i}" \
			'addressType: IPv4' 'ports: [{name: iperf, port: 5201, protocol: TCP}]' \
			"endpoints: [{addresses: [\"10.200.$i.2\"]}]"
	done
}

_load_with_iperf()
{
	_iperf_yaml "$1" >"$GW_RUN_DIR/iperf.yaml"
	_load "$EXAMPLE" "$GW_RUN_DIR/iperf.yaml"
}

test_tcp_iperf3()
{
	local out bps streams

	skip_if_missing iperf3 jq
	_xdp_topology 3
	start_background "$NS_BE_1" iperf3 iperf3 -s -p 5201
	check_run wait_tcp "$NS_BE_1" "$BE4_1" 5201
	_load_with_iperf "1"
	for streams in 1 4; do
		out=$(ns_exec "$NS_CLI" timeout 30 iperf3 -c "$VIP4" -p 5201 -t 2 -P "$streams" -J) ||
			fail "iperf3 -P $streams through the gateway failed: $(jq -c .error <<<"$out")"
		bps=$(jq '.end.sum_received.bits_per_second | floor' <<<"$out")
		echo "iperf3 -P $streams: $bps bit/s"
		[ "$bps" -gt 10000000 ] || fail "iperf3 -P $streams: only $bps bit/s"
	done
	[ "$(_stats_json | jq '.verdicts.fwd.packets')" -gt 1000 ] ||
		fail "the iperf3 traffic did not go through XDP"
}

# _spread_tcp N: N sequential new connections (Connection: close) to the TCP
# listener, prints how many each of be1 be2 be3 answered.
_spread_tcp()
{
	local n=$1 out i

	out=$(ns_exec "$NS_CLI" curl -sS --noproxy '*' -m 120 -H 'Connection: close' \
		"http://$VIP4:$TCP_PORT/w/[1-$n]") || fail "curl loop failed"
	for i in 1 2 3; do
		grep -o "\"pod\":\"be$i\"" <<<"$out" | wc -l
	done | tr '\n' ' '
}

# _within WHAT GOT TOTAL WANT_FRACTION TOLERANCE
_within()
{
	awk -v what="$1" -v got="$2" -v n="$3" -v want="$4" -v tol="$5" 'BEGIN {
		f = got / n; d = f - want; if (d < 0) d = -d
		printf "  %s: %d of %d = %.3f (want %.2f +- %.2f)\n", what, got, n, f, want, tol
		exit d > tol }' || fail "$1 out of tolerance"
}

test_weights_tcp()
{
	local n=1200 c c1 c2 c3 stats want i

	skip_if_missing curl jq
	_xdp_topology 3
	_load "$EXAMPLE"
	read -r c1 c2 c3 <<<"$(_spread_tcp "$n")"
	assert_eq "answers" "$n" "$((c1 + c2 + c3))"
	_within be1 "$c1" "$n" 0.50 0.06
	_within be2 "$c2" "$n" 0.30 0.06
	_within be3 "$c3" "$n" 0.20 0.06
	# the counters agree with what the backends saw
	stats=$(_stats_json)
	for i in 1 2 3; do
		c=$(jq ".backends[] | select(.name == \"10.200.$i.2:$TCP_PORT\") | .flows" <<<"$stats")
		want=$(eval "echo \$c$i")
		assert_eq "flows counted for be$i" "$want" "$c"
	done
}

test_weights_udp()
{
	local n=1200 stats c i total

	skip_if_missing jq
	_xdp_topology 3
	_load "$EXAMPLE"
	# every datagram from a new socket: a new source port, a new flow
	ns_exec "$NS_CLI" bash -c "for ((i = 0; i < $n; i++)); do
		exec 3<>/dev/udp/$VIP4/$UDP_PORT && echo x >&3; exec 3>&-; done" ||
		fail "sending datagrams failed"
	sleep 0.5
	stats=$(_stats_json)
	# a few sockets get the source port of an earlier one: the same flow again
	total=$(jq '[.routes[] | select(.name == "UDPRoute default/echo-udp IPv4") | .flows] | add' \
		<<<"$stats")
	echo "UDP flows: $total of $n datagrams"
	[ "$total" -ge $((n * 95 / 100)) ] && [ "$total" -le "$n" ] || fail "UDP flows: $total"
	for i in 1 2 3; do
		c=$(jq ".backends[] | select(.name == \"10.200.$i.2:$UDP_PORT\") | .flows" <<<"$stats")
		_within "be$i" "$c" "$total" "$([ "$i" = 1 ] && echo 0.50 || echo 0.25)" 0.06
	done
}

test_filter_non_listener()
{
	local rc stats before out

	skip_if_missing curl socat jq ping
	_xdp_topology 3
	_load "$EXAMPLE"
	# a TCP port without listener: the SYN is dropped, so no RST, only a timeout
	ns_exec "$NS_CLI" curl -sS --noproxy '*' -m 2 "http://$VIP4:9999/" >/dev/null 2>&1
	rc=$?
	assert_eq "curl to a non-listener port (28 = timeout, not 7 = refused)" 28 "$rc"
	ns_exec "$NS_CLI" curl -sS --noproxy '*' -g -m 2 "http://[$VIP6]:9999/" >/dev/null 2>&1
	rc=$?
	assert_eq "same over IPv6" 28 "$rc"
	# UDP to a non-listener port: no echo and no ICMP
	assert_eq "UDP to a non-listener port" "" "$(_udp_rt "$NS_CLI" "$VIP4" 9998 nobody)"
	stats=$(_stats_json)
	[ "$(jq '.drops.no_listener.packets' <<<"$stats")" -ge 3 ] ||
		fail "non-listener drops not counted"
	# ping to the Gateway address works (ICMP is the kernel's)
	check_run ns_exec "$NS_CLI" ping -c 1 -W 2 "$VIP4"
	check_run ns_exec "$NS_CLI" ping -6 -c 1 -W 2 "$VIP6"
	# traffic not for a Gateway address is untouched: straight to a backend
	before=$(jq '.verdicts.pass.packets' <<<"$stats")
	out=$(ns_exec "$NS_CLI" curl -sS --fail --noproxy '*' -m 5 "http://$BE4_2:$TCP_PORT/direct") ||
		fail "direct connection to a backend through the gateway failed"
	assert_eq "direct answer" be2 "$(json_get "$out" .pod)"
	[ "$(_stats_json | jq '.verdicts.pass.packets')" -gt "$before" ] ||
		fail "direct traffic was not counted as passed"
}

test_l7_listener_passes()
{
	local out

	skip_if_missing curl jq
	_xdp_topology 3
	# a process on the gateway itself stands in for gwd on the HTTP listener
	start_echo "$NS_GW" l7 --namespace xdp --listen "$VIP4:80"
	_load "$EXAMPLE"
	out=$(ns_exec "$NS_CLI" curl -sS --fail --noproxy '*' -m 5 "http://$VIP4/l7") ||
		fail "HTTP listener traffic did not reach the gateway's stack"
	assert_eq "answered by" l7 "$(json_get "$out" .pod)"
	[ "$(_stats_json | jq '.verdicts.pass_l7.packets')" -gt 0 ] || fail "pass_l7 not counted"
}

# The configuration maps as bpftool prints them (not counters or conntrack).
_dump_tables()
{
	local m

	for m in gw_config gw_addrs gw_listeners gw_routes gw_backends gw_names gw_ifaces gw_maglev; do
		echo "== $m"
		bpftool map dump pinned "$PIN_DIR/$m" | grep -v '^Found'
	done
}

test_reload_unchanged()
{
	local before after

	skip_if_missing bpftool jq
	_xdp_topology 3
	_load "$EXAMPLE"
	before=$(_dump_tables)
	# readable fields: bpftool prints the BTF names of keys and values
	grep -q '"action":' <<<"$before" || fail "gw_listeners not dumped with field names"
	_load "$EXAMPLE"
	after=$(_dump_tables)
	if [ "$before" != "$after" ]; then
		diff <(echo "$before") <(echo "$after") | head -40
		fail "loading the same configuration again changed the maps"
	fi
	assert_eq "serial" 1 "$(_stats_json | jq .serial)"
	# a real change switches generation
	sed 's/weight: 20/weight: 21/' "$EXAMPLE" >"$GW_RUN_DIR/changed.yaml"
	_load "$GW_RUN_DIR/changed.yaml"
	assert_eq "serial after a change" 2 "$(_stats_json | jq .serial)"
	assert_eq "generation after a change" 1 "$(_stats_json | jq .generation)"
}

test_reload_keeps_flow()
{
	local out stats i

	skip_if_missing iperf3 jq
	_xdp_topology 3
	for i in 1 2 3; do
		start_background "${NS_BE[i]}" "iperf3-$i" iperf3 -s -p 5201
		check_run wait_tcp "${NS_BE[i]}" "${BE4[i]}" 5201
	done
	# one backend first: the control and data connections of iperf3 must meet
	_load_with_iperf "1"
	start_background "$NS_CLI" client iperf3 -c "$VIP4" -p 5201 -t 6 -J
	sleep 1.5
	# add two backends: the flow may hash elsewhere now; conntrack keeps it on be1
	_load_with_iperf "1 2 3"
	sleep 1.5
	# and remove one of them again
	_load_with_iperf "1 3"
	for ((i = 0; i < 100; i++)); do
		bg_running client || break
		sleep 0.1
	done
	bg_running client && fail "iperf3 did not finish"
	out=$(cat "$(bg_log client)")
	jq -e '.end.sum_received.bytes > 0 and (.error == null)' <<<"$out" >/dev/null ||
		fail "the iperf3 flow broke across reloads: $(jq -c '.error' <<<"$out")"
	echo "iperf3 across reloads: $(jq '.end.sum_received.bits_per_second | floor' <<<"$out") bit/s"
	stats=$(_stats_json)
	assert_eq "serial after three loads" 3 "$(jq .serial <<<"$stats")"
	assert_eq "removed backend named" 0 \
		"$(jq '[.backends[] | select(.name == "10.200.2.2:5201")] | length' <<<"$stats")"
	# new connections do reach the backend that was added
	for i in $(seq 1 30); do
		ns_exec "$NS_CLI" timeout 5 bash -c "exec 3<>/dev/tcp/$VIP4/5201" 2>/dev/null
	done
	[ "$(_stats_json | jq '.backends[] | select(.name == "10.200.3.2:5201") | .flows')" -gt 0 ] ||
		fail "no new flow reached the added backend"
}

test_no_backend_rejects()
{
	local rc stats

	skip_if_missing curl jq
	_xdp_topology 3
	# every backendRef points at a Service without endpoints
	sed -e 's/- name: echo-[123]$/- name: nothing/' "$EXAMPLE" >"$GW_RUN_DIR/empty.yaml"
	printf '%s\n' '---' 'apiVersion: v1' 'kind: Service' 'metadata: {name: nothing}' \
		'spec: {ports: [{name: tcp, port: 8080, protocol: TCP}, {name: udp, port: 9000, protocol: UDP}]}' \
		>>"$GW_RUN_DIR/empty.yaml"
	grep -c 'name: nothing' "$GW_RUN_DIR/empty.yaml"
	_load "$GW_RUN_DIR/empty.yaml"
	ns_exec "$NS_CLI" curl -sS --noproxy '*' -m 3 "http://$VIP4:$TCP_PORT/" >/dev/null 2>&1
	rc=$?
	assert_eq "curl to a route without backends (7 = refused at once)" 7 "$rc"
	ns_exec "$NS_CLI" curl -sS --noproxy '*' -g -m 3 "http://[$VIP6]:$TCP_PORT/" >/dev/null 2>&1
	rc=$?
	assert_eq "same over IPv6" 7 "$rc"
	stats=$(_stats_json)
	[ "$(jq '.drops.reject.packets' <<<"$stats")" -ge 2 ] || fail "rejects not counted"
	[ "$(jq '.verdicts.icmp_sent.packets' <<<"$stats")" -ge 2 ] || fail "no ICMP sent"
}

test_snat_mode()
{
	local out i n vip host pod remote

	skip_if_missing curl socat
	_xdp_topology 3
	sed 's|xdpgw.io/l4-nat: dnat|xdpgw.io/l4-nat: snat|' "$EXAMPLE" >"$GW_RUN_DIR/snat.yaml"
	_load "$GW_RUN_DIR/snat.yaml"
	# backends without a route back to the client: only SNAT can work
	for ((i = 1; i <= 3; i++)); do
		check_run ns_exec "${NS_BE[i]}" ip route del default
		check_run ns_exec "${NS_BE[i]}" ip -6 route del default
	done
	for vip in "$VIP4" "$VIP6"; do
		host=$vip
		[[ "$vip" == *:* ]] && host="[$vip]"
		for i in 1 2 3 4 5 6; do
			out=$(ns_exec "$NS_CLI" curl -sS --fail --noproxy '*' -g -m 5 \
				"http://$host:$TCP_PORT/snat$i") || fail "curl through SNAT to $vip failed"
			pod=$(json_get "$out" .pod)
			remote=$(json_get "$out" .remote)
			remote=${remote%:*}
			remote=${remote#[}
			remote=${remote%]}
			n=${pod#be}
			# the backend sees the gateway's own address on its link
			if [[ "$vip" == *:* ]]; then
				assert_eq "source seen by $pod" "${GW_BE6[n]}" "$remote"
			else
				assert_eq "source seen by $pod" "${GW_BE4[n]}" "$remote"
			fi
		done
	done
	assert_eq "UDP echo via SNAT" snat "$(_udp_rt "$NS_CLI" "$VIP4" "$UDP_PORT" snat)"
}

test_v1alpha2_manifest()
{
	local pod

	skip_if_missing curl socat
	_xdp_topology 3
	# the example's TCPRoute and UDPRoute written against v1alpha2
	awk '/^kind: (TCP|UDP)Route$/ { sub(/v1$/, "v1alpha2", prev) }
		NR > 1 { print prev } { prev = $0 } END { print prev }' "$EXAMPLE" \
		>"$GW_RUN_DIR/alpha.yaml"
	assert_eq "v1alpha2 routes" 2 "$(grep -c '^apiVersion: gateway.networking.k8s.io/v1alpha2$' \
		"$GW_RUN_DIR/alpha.yaml")"
	_load "$GW_RUN_DIR/alpha.yaml"
	pod=$(_curl "$VIP4") || fail "curl through a v1alpha2 TCPRoute failed"
	[[ "$pod" == be[123] ]] || fail "unexpected answer '$pod'"
	assert_eq "UDP via a v1alpha2 UDPRoute" alpha "$(_udp_rt "$NS_CLI" "$VIP4" "$UDP_PORT" alpha)"
}

# gwctl under `ip netns exec`: /sys is a fresh sysfs there, without bpffs.
test_ip_netns_exec()
{
	local pod ipx

	skip_if_missing curl jq
	_xdp_topology 3
	ipx() { ip netns exec "$NS_GW" "$GWCTL" "$@"; }
	# shellcheck disable=SC2046
	check_run ipx load -f "$EXAMPLE" $(_ifaces) --state-dir "$STATE_DIR" -q
	pod=$(_curl "$VIP4") || fail "curl after ip netns exec gwctl load failed"
	[[ "$pod" == be[123] ]] || fail "unexpected answer '$pod'"
	# every ip netns exec has a new mount namespace: the pins must be found again
	check_run ipx load -f "$EXAMPLE" --state-dir "$STATE_DIR" -q
	[ "$(ipx stats -o json | jq '.flows.conntrack_entries')" -ge 2 ] ||
		fail "stats under ip netns exec did not see the flow"
	check_run ipx status --state-dir "$STATE_DIR"
	ipx status --state-dir "$STATE_DIR" | grep -q 'interface gw-cli .*native mode' ||
		fail "status does not show the attach mode"
	check_run ipx unload
	assert_eq "XDP programs left in $NS_GW" 0 \
		"$(ns_exec "$NS_GW" ip -d link show | grep -c 'prog/xdp')"
}

# Two gateways in two namespaces of one machine, each with its own dirs.
test_two_instances()
{
	local pod other="$GW_RUN_DIR/other" opin

	skip_if_missing curl jq
	_xdp_topology 3
	_load "$EXAMPLE"
	opin="$PIN_DIR-other"
	# a second, independent environment: its own namespaces and gateway
	(
		gw_env_init
		topo_create 1
		check_run ns_exec "$NS_CLI" ip link set dev "$CLI_IF" xdpdrv obj "$XDP_PASS_OBJ" sec xdp
		check_run ns_exec "$NS_BE_1" ip link set dev "$BE_IF" xdpdrv obj "$XDP_PASS_OBJ" sec xdp
		start_echo "$NS_BE_1" other --namespace other --listen "[::]:$TCP_PORT" \
			--udp "[::]:$UDP_PORT"
		sed -e '/- name: echo-[23]$/,+2d' "$EXAMPLE" >"$GW_RUN_DIR/one.yaml"
		# the first instance's pin directory is taken by another namespace
		if ns_exec "$NS_GW" "$GWCTL" load -f "$GW_RUN_DIR/one.yaml" --iface "$GW_CLI_IF" \
			--iface "$GW_BE_IF_1" --pin-dir "$PIN_DIR" --state-dir "$other" 2>"$GW_RUN_DIR/err"; then
			fail "a second namespace could load into the first one's pin directory"
		fi
		cat "$GW_RUN_DIR/err"
		grep -q 'belongs to the XDP tier of network namespace' "$GW_RUN_DIR/err" ||
			fail "no clear error for a pin directory of another namespace"
		check_run ns_exec "$NS_GW" "$GWCTL" load -f "$GW_RUN_DIR/one.yaml" --iface "$GW_CLI_IF" \
			--iface "$GW_BE_IF_1" --pin-dir "$opin" --state-dir "$other" -q
		pod=$(_curl "$VIP4") || fail "curl through the second gateway failed"
		assert_eq "second gateway's backend" other "$pod"
		check_run ns_exec "$NS_GW" "$GWCTL" unload --pin-dir "$opin"
	) || fail "second instance failed"
	# the first is untouched
	pod=$(_curl "$VIP4") || fail "curl through the first gateway failed after the second"
	[[ "$pod" == be[123] ]] || fail "unexpected answer '$pod'"
	assert_eq "first instance serial" 1 "$(_stats_json | jq .serial)"
}

# The digest of the live tables, as bpftool prints gw_config through its BTF
# (text, not JSON: jq would round the 64-bit number).
_digest()
{
	bpftool map dump pinned "$PIN_DIR/gw_config" | sed -n 's/.*"digest": \([0-9]*\).*/\1/p'
}

# Another data plane (gwd) rejecting a load: the XDP tier goes back to the
# previous configuration (gwctl load's rollback hands over the unresolved
# previous state; the tier resolves it from the committed state file).
test_rollback()
{
	local digest after stats i

	skip_if_missing socat jq bpftool curl
	_xdp_topology 3
	# a gwd that rejects everything
	mkdir -p "$STATE_DIR"
	start_background - fakegwd socat "UNIX-LISTEN:$STATE_DIR/gwd.sock,fork" \
		SYSTEM:'echo ERR injected failure'
	for ((i = 0; i < 50; i++)); do
		[ -S "$STATE_DIR/gwd.sock" ] && break
		sleep 0.1
	done
	[ -S "$STATE_DIR/gwd.sock" ] || fail "fake gwd did not start"
	# the very first load fails: the tier goes back to nothing at all
	# shellcheck disable=SC2046
	if gwctl_gw load -f "$EXAMPLE" $(_ifaces) --pin-dir "$PIN_DIR" --state-dir "$STATE_DIR" \
		-q 2>"$GW_RUN_DIR/err"; then
		fail "load succeeded although gwd rejected it"
	fi
	grep -q 'rolling back' "$GW_RUN_DIR/err" || fail "no rollback: $(cat "$GW_RUN_DIR/err")"
	assert_eq "XDP programs after a failed first load" 0 \
		"$(ns_exec "$NS_GW" ip -d link show | grep -c 'prog/xdp')"
	[ ! -e "$PIN_DIR/gw_config" ] || fail "pins left after a failed first load"
	stop_background fakegwd
	rm -f "$STATE_DIR/gwd.sock"
	_load "$EXAMPLE"
	digest=$(_digest)
	[[ "$digest" =~ ^[0-9]+$ ]] || fail "cannot read the digest from gw_config: '$digest'"
	start_background - fakegwd2 socat "UNIX-LISTEN:$STATE_DIR/gwd.sock,fork" \
		SYSTEM:'echo ERR injected failure'
	for ((i = 0; i < 50; i++)); do
		[ -S "$STATE_DIR/gwd.sock" ] && break
		sleep 0.1
	done
	sed -e '/- name: echo-3$/,+2d' "$EXAMPLE" >"$GW_RUN_DIR/two.yaml"
	if gwctl_gw load -f "$GW_RUN_DIR/two.yaml" --pin-dir "$PIN_DIR" --state-dir "$STATE_DIR" \
		-q 2>"$GW_RUN_DIR/err"; then
		fail "load succeeded although gwd rejected it"
	fi
	cat "$GW_RUN_DIR/err"
	grep -q 'rolling back' "$GW_RUN_DIR/err" || fail "no rollback"
	after=$(_digest)
	assert_eq "tables after the rollback (digest)" "$digest" "$after"
	stats=$(_stats_json)
	assert_eq "serial: load, change, rollback" 3 "$(jq .serial <<<"$stats")"
	assert_eq "be3 still a backend" 1 \
		"$(jq '[.backends[] | select(.name == "10.200.3.2:8080")] | length' <<<"$stats")"
	stop_background fakegwd2
	_curl "$VIP4" >/dev/null || fail "traffic after the rollback"
}

# Interfaces: none given on a fresh node, a changed set, another program's.
test_interfaces()
{
	local out serial

	skip_if_missing jq
	_xdp_topology 3
	# TCP/UDP listeners without the tier: gwd serves them in userspace, XDP attaches nothing
	gwctl_gw load -f "$EXAMPLE" --pin-dir "$PIN_DIR" --state-dir "$GW_RUN_DIR/l4gwd" \
		2>"$GW_RUN_DIR/err" || fail "load with TCP listeners and no --iface failed"
	cat "$GW_RUN_DIR/err"
	grep -q 'TCP/UDP listeners are served by gwd in userspace' "$GW_RUN_DIR/err" ||
		fail "no notice without --iface"
	[ ! -e "$PIN_DIR" ] || fail "pins created without --iface"
	gwctl_gw status --state-dir "$GW_RUN_DIR/l4gwd" --pin-dir "$PIN_DIR" >"$GW_RUN_DIR/status"
	grep -q 'listener tcp TCP/8080 tier=gwd: ' "$GW_RUN_DIR/status" ||
		fail "TCP listener not on the gwd tier: $(cat "$GW_RUN_DIR/status")"
	# only L7 listeners: loads, with a warning, and attaches nothing
	check_run gwctl_gw load -f "$REPO/examples/quickstart.yaml" --pin-dir "$PIN_DIR" \
		--state-dir "$GW_RUN_DIR/l7" -q
	assert_eq "programs attached" 0 "$(ns_exec "$NS_GW" ip -d link show | grep -c 'prog/xdp')"
	# four interfaces, then two: the others are detached
	_load "$EXAMPLE"
	assert_eq "programs attached" 4 "$(ns_exec "$NS_GW" ip -d link show | grep -c 'prog/xdp')"
	check_run gwctl_gw load -f "$EXAMPLE" --iface "$GW_CLI_IF" --iface "$GW_BE_IF_1" \
		--pin-dir "$PIN_DIR" --state-dir "$STATE_DIR" -q
	out=$(ns_exec "$NS_GW" ip -d link show)
	assert_eq "programs attached" 2 "$(grep -c 'prog/xdp' <<<"$out")"
	ns_exec "$NS_GW" ip -d link show dev "$GW_BE_IF_2" | grep -q 'prog/xdp' &&
		fail "XDP still on ${GW_BE_IF_2}"
	# an interface with somebody else's XDP program is refused, not taken over
	check_run ns_exec "$NS_GW" ip link set dev "$GW_BE_IF_3" xdpdrv obj "$XDP_PASS_OBJ" sec xdp
	serial=$(_stats_json | jq .serial)
	sed 's/weight: 20/weight: 25/' "$EXAMPLE" >"$GW_RUN_DIR/changed.yaml"
	if gwctl_gw load -f "$GW_RUN_DIR/changed.yaml" --iface "$GW_CLI_IF" --iface "$GW_BE_IF_3" \
		--pin-dir "$PIN_DIR" --state-dir "$STATE_DIR" 2>"$GW_RUN_DIR/err"; then
		fail "attached over another XDP program"
	fi
	grep -q "already has XDP program" "$GW_RUN_DIR/err" || fail "no clear error: $(cat "$GW_RUN_DIR/err")"
	ns_exec "$NS_GW" ip -d link show dev "$GW_BE_IF_3" | grep -q 'name gw_xdp_pass' ||
		fail "the other program was replaced"
	# and the failed load changed nothing: still the two interfaces, still working
	assert_eq "serial after the refused load" "$serial" "$(_stats_json | jq .serial)"
	assert_eq "programs of ours attached" 2 \
		"$(ns_exec "$NS_GW" ip -d link show | grep -c 'name gw_xdp_ingress')"
	check_run ns_exec "$NS_GW" ip link set dev "$GW_BE_IF_3" xdp off
}

# Path MTU discovery through the tier: the gateway's link toward the
# receiver of a bulk flow is smaller (1280) than the 1500 both ends
# announce in their MSS; only fragmentation-needed built in XDP (to the
# client about its packets, to the backend about its replies) makes the
# flow work. (The small MTU is on the gateway's end only: a veth drops
# frames larger than its receiving end's MTU before XDP sees them.)
test_pmtu()
{
	local out dir

	skip_if_missing iperf3 jq
	_xdp_topology 1
	start_background "$NS_BE_1" iperf3 iperf3 -s -p 5201
	check_run wait_tcp "$NS_BE_1" "$BE4_1" 5201
	_iperf_yaml "1" >"$GW_RUN_DIR/iperf.yaml"
	# shellcheck disable=SC2046
	check_run gwctl_gw load -f "$EXAMPLE" -f "$GW_RUN_DIR/iperf.yaml" $(_ifaces) \
		--pin-dir "$PIN_DIR" --state-dir "$STATE_DIR" -q
	for dir in -R ""; do
		# no path MTU learnt in the other run (the client's would shrink its MSS)
		check_run ns_exec "$NS_CLI" ip route flush cache
		check_run ns_exec "$NS_BE_1" ip route flush cache
		if [ -n "$dir" ]; then
			check_run ns_exec "$NS_GW" ip link set dev "$GW_CLI_IF" mtu 1280
		else
			check_run ns_exec "$NS_GW" ip link set dev "$GW_CLI_IF" mtu 1500
			check_run ns_exec "$NS_GW" ip link set dev "$GW_BE_IF_1" mtu 1280
		fi
		out=$(ns_exec "$NS_CLI" timeout 20 iperf3 -c "$VIP4" -p 5201 -t 2 $dir -J) ||
			fail "iperf3 $dir over the smaller path failed: $(jq -c .error <<<"$out")"
		echo "iperf3 ${dir:-forward} over MTU 1280: $(jq '.end.sum_received.bits_per_second | floor' \
			<<<"$out") bit/s"
		[ "$(jq '.end.sum_received.bytes' <<<"$out")" -gt 10000000 ] ||
			fail "iperf3 $dir moved almost nothing: a PMTU black hole"
	done
	[ "$(_stats_json | jq '.verdicts.icmp_sent.packets')" -ge 2 ] ||
		fail "no fragmentation-needed sent"
}

test_unload_clean()
{
	local out

	skip_if_missing curl bpftool
	_xdp_topology 3
	_load "$EXAMPLE"
	_curl "$VIP4" >/dev/null || fail "curl failed"
	[ -e "$PIN_DIR/gw_conntrack" ] || fail "no pins after load"
	out=$(gwctl_gw unload --pin-dir "$PIN_DIR") || fail "unload failed: $out"
	echo "$out"
	assert_eq "XDP programs left in $NS_GW" 0 "$(ns_exec "$NS_GW" ip -d link show | grep -c 'prog/xdp')"
	[ ! -e "$PIN_DIR" ] || fail "pin directory $PIN_DIR still exists: $(ls "$PIN_DIR")"
	# traffic to the Gateway address is the kernel's again (VIP on lo, no socket: refused)
	ns_exec "$NS_CLI" curl -sS --noproxy '*' -m 3 "http://$VIP4:9999/" >/dev/null 2>&1
	assert_eq "after unload, a closed port is refused by the kernel" 7 "$?"
	# unloading twice is fine
	check_run gwctl_gw unload --pin-dir "$PIN_DIR"
}
