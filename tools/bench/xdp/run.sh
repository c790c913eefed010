#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#
# L4 data plane benchmark, side by side in one run on the netns topology of
# tests/netns (client -> gateway -> one backend over veth):
#
#   plain     kernel forwarding to the backend's own address, no NAT
#   nft       nftables DNAT + masquerade on the gateway (the kernel's NAT path)
#   haproxy   HAProxy in TCP mode on the gateway
#   xdp       xdpgw, DNAT mode (backend replies through the gateway)
#   xdp-snat  xdpgw, SNAT mode (the same rewriting work as DNAT + masquerade)
#
# For each: iperf3 throughput and retransmits (1, 4 and 8 streams), new
# TCP connections per second (wrk, short HTTP requests with Connection:
# close), keep-alive requests per second, and the machine's CPU time
# (/proc/stat) during each run, per GB and per connection. Every peer is
# on its own default path: the kernel's default offloads on every veth
# (TX checksum, TSO/GSO on), no XDP program anywhere except what xdpgw
# attaches itself with the default --l4-hook auto (tc on veths). Medians
# and spread over rounds; ratios against nft and against plain, including
# the CPU each gateway adds over plain routing. Finally the program's
# ns/packet per verdict (xdp_prog_bench).
#
#   sudo tools/bench/xdp/run.sh [-r ROUNDS] [-d SECONDS] [MODE...]
#
# Not a test: numbers depend on the machine, and these machines are noisy.
set -o nounset

ROUNDS=3
DUR=5
while getopts "r:d:h" opt; do
	case $opt in
	r) ROUNDS=$OPTARG ;;
	d) DUR=$OPTARG ;;
	*) sed -n '3,25s/^# \{0,1\}//p' "$0"; exit 2 ;;
	esac
done
shift $((OPTIND - 1))
MODES=("$@")
[ "${#MODES[@]}" -gt 0 ] || MODES=(plain nft haproxy xdp xdp-snat)

SELF="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/$(basename "${BASH_SOURCE[0]}")"
REPO="$(cd "$(dirname "$SELF")/../../.." && pwd)"
[ "$(id -u)" = 0 ] || { echo "run as root" >&2; exit 1; }
for t in iperf3 wrk nft haproxy jq ethtool; do
	command -v "$t" >/dev/null || { echo "missing tool: $t" >&2; exit 1; }
done
for f in "$REPO/.output/gwctl" "$REPO/.output/gw-echo" "$REPO/.output/bench/xdp_prog_bench"; do
	[ -e "$f" ] || { echo "not built: $f (make)" >&2; exit 1; }
done

# Private network and mount namespaces, as tests/netns/run.sh does.
if [ -z "${_GW_BENCH_UNSHARED:-}" ]; then
	export _GW_BENCH_UNSHARED=1
	exec unshare --net --mount --propagation private -- "$BASH" "$SELF" -r "$ROUNDS" -d "$DUR" \
		"${MODES[@]}"
fi
mkdir -p /run/netns && mount -t tmpfs -o size=1m gwb-netns /run/netns
mount -t bpf bpf /sys/fs/bpf
ip link set lo up

# shellcheck source=tests/netns/lib.sh
source "$REPO/tests/netns/lib.sh"
gw_env_init
PIN_DIR=/sys/fs/bpf/gwbench
STATE=$GW_RUN_DIR/state
RES=$GW_RUN_DIR/results
mkdir -p "$RES"

# the kernel's default offloads (tests/netns turns TX checksum off by default)
TOPO_TX_CSUM=on topo_create 1 >/dev/null
ns_exec "$NS_GW" ip addr add "$VIP4/32" dev lo
# Tens of thousands of short connections a second reuse client ports within
# seconds: without TIME_WAIT buckets a new SYN never meets an old
# connection's TIME_WAIT (which otherwise costs a 1 s SYN retry, whichever
# mode left it there).
for ns in "$NS_CLI" "$NS_GW" "$NS_BE_1"; do
	ns_exec "$ns" sysctl -qw net.ipv4.tcp_max_tw_buckets=0
done
ns_exec "$NS_CLI" sysctl -qw net.ipv4.ip_local_port_range="1024 65000"
start_echo "$NS_BE_1" be1 --namespace bench --listen "[::]:8080" --grace 100 >/dev/null
start_background "$NS_BE_1" iperf3 iperf3 -s -p 5201 >/dev/null
wait_tcp "$NS_BE_1" "$BE4_1" 5201 || exit 1

_xdp_yaml() # dnat|snat
{
	printf '%s\n' 'apiVersion: gateway.networking.k8s.io/v1' 'kind: GatewayClass' \
		'metadata: {name: xdpgw}' 'spec: {controllerName: xdpgw.io/gateway-controller}' '---' \
		'apiVersion: gateway.networking.k8s.io/v1' 'kind: Gateway' 'metadata:' '  name: bench' \
		"  annotations: {xdpgw.io/l4-nat: $1}" 'spec:' '  gatewayClassName: xdpgw' \
		"  addresses: [{type: IPAddress, value: \"$VIP4\"}]" '  listeners:' \
		'    - {name: http, protocol: TCP, port: 8080}' \
		'    - {name: iperf, protocol: TCP, port: 5201}'
	for l in http:8080 iperf:5201; do
		printf '%s\n' '---' 'apiVersion: gateway.networking.k8s.io/v1' 'kind: TCPRoute' \
			"metadata: {name: ${l%:*}}" 'spec:' \
			"  parentRefs: [{name: bench, sectionName: ${l%:*}}]" \
			"  rules: [{backendRefs: [{name: be, port: ${l#*:}}]}]"
	done
	printf '%s\n' '---' 'apiVersion: v1' 'kind: Service' 'metadata: {name: be}' \
		'spec: {ports: [{name: http, port: 8080}, {name: iperf, port: 5201}]}' '---' \
		'apiVersion: discovery.k8s.io/v1' 'kind: EndpointSlice' 'metadata:' '  name: be' \
		'  labels: {kubernetes.io/service-name: be}' 'addressType: IPv4' \
		'ports: [{name: http, port: 8080}, {name: iperf, port: 5201}]' \
		"endpoints: [{addresses: [\"$BE4_1\"]}]"
}

HAPROXY_PID=
mode_up()
{
	case $1 in
	plain)
		TARGET=$BE4_1
		;;
	nft)
		ns_exec "$NS_GW" nft -f - <<EOF
table ip gwbench {
	chain pre { type nat hook prerouting priority dstnat; ip daddr $VIP4 tcp dport { 8080, 5201 } dnat to $BE4_1; }
	chain post { type nat hook postrouting priority srcnat; ip daddr $BE4_1 masquerade; }
}
EOF
		TARGET=$VIP4
		;;
	haproxy)
		cat >"$GW_RUN_DIR/haproxy.cfg" <<EOF
global
	maxconn 8000
defaults
	mode tcp
	timeout connect 5s
	timeout client 60s
	timeout server 60s
listen http
	bind $VIP4:8080
	server be $BE4_1:8080
listen iperf
	bind $VIP4:5201
	server be $BE4_1:5201
EOF
		start_background "$NS_GW" haproxy haproxy -db -f "$GW_RUN_DIR/haproxy.cfg" >/dev/null
		wait_tcp "$NS_GW" "$VIP4" 8080 || exit 1
		TARGET=$VIP4
		;;
	xdp | xdp-snat)
		_xdp_yaml "$([ "$1" = xdp ] && echo dnat || echo snat)" >"$GW_RUN_DIR/bench.yaml"
		# the default hook (auto); what each interface got goes to stderr once
		ns_exec "$NS_GW" "$REPO/.output/gwctl" load -f "$GW_RUN_DIR/bench.yaml" \
			--iface "$GW_CLI_IF" --iface "$GW_BE_IF_1" --pin-dir "$PIN_DIR" \
			--state-dir "$STATE" >"$GW_RUN_DIR/load.out" 2>&1 ||
			{ cat "$GW_RUN_DIR/load.out" >&2; echo "gwctl load failed" >&2; exit 1; }
		[ -e "$RES/hooks" ] || grep 'L4 tier on' "$GW_RUN_DIR/load.out" | tee "$RES/hooks" >&2
		TARGET=$VIP4
		;;
	esac
}

mode_down()
{
	case $1 in
	plain) ;;
	nft) ns_exec "$NS_GW" nft delete table ip gwbench ;;
	haproxy) stop_background haproxy >/dev/null ;;
	xdp | xdp-snat)
		ns_exec "$NS_GW" "$REPO/.output/gwctl" unload --pin-dir "$PIN_DIR" >/dev/null 2>&1
		rm -rf "$STATE"
		;;
	esac
}

cpu_busy() # machine-wide busy jiffies
{
	awk '/^cpu / { print $2 + $3 + $4 + $7 + $8 + $9 }' /proc/stat
}

HZ=$(getconf CLK_TCK)

# run_one MODE ROUND TEST: one measurement; appends "value cpu_seconds units" to results
run_one()
{
	local mode=$1 test=$2 c0 c1 out val units
	c0=$(cpu_busy)
	case $test in
	iperf1 | iperf4 | iperf8)
		out=$(ns_exec "$NS_CLI" iperf3 -c "$TARGET" -p 5201 -t "$DUR" -P "${test#iperf}" -J)
		c1=$(cpu_busy)
		val=$(jq '.end.sum_received.bits_per_second / 1e9' <<<"$out")
		units=$(jq '.end.sum_received.bytes / 1e9' <<<"$out")	# GB
		jq '.end.sum_sent.retransmits' <<<"$out" >>"$RES/$mode.$test.retr"
		;;
	connrate | keepalive)
		local hdr=()
		[ "$test" = connrate ] && hdr=(-H 'Connection: close')
		out=$(ns_exec "$NS_CLI" wrk -t 2 -c 16 -d "${DUR}s" "${hdr[@]}" "http://$TARGET:8080/b")
		c1=$(cpu_busy)
		val=$(awk '/^Requests\/sec:/ { print $2 }' <<<"$out")
		units=$(awk '/requests in/ { print $1 }' <<<"$out")	# requests
		grep -q 'Socket errors' <<<"$out" && echo "# $mode $test: $(grep 'Socket errors' <<<"$out")" >&2
		;;
	esac
	echo "$val $(((c1 - c0))) $units" >>"$RES/$mode.$test"
}

TESTS=(iperf1 iperf4 iperf8 connrate keepalive)
IPERFS=(iperf1 iperf4 iperf8)
echo "# xdpgw L4 benchmark: $ROUNDS rounds x ${DUR}s, modes: ${MODES[*]}, $(nproc) CPUs, $(uname -r)"
# rounds outermost: the machine's drift spreads over every mode alike
for ((r = 1; r <= ROUNDS; r++)); do
	for mode in "${MODES[@]}"; do
		mode_up "$mode"
		for t in "${TESTS[@]}"; do
			run_one "$mode" "$t"
		done
		mode_down "$mode"
	done
	echo "# round $r done" >&2
done

# median and spread of column 1 (value) and of cpu per unit (column 2 / HZ / column 3)
stats() # FILE COL: "median min max"
{
	local f=$1 col=$2
	awk -v col="$col" -v hz="$HZ" '{
		if (col == 1) v = $1; else v = ($3 > 0 ? $2 / hz / $3 : 0)
		print v }' "$f" | sort -g | awk '{ a[NR] = $1 } END {
		printf "%.4g %.4g %.4g\n", a[int((NR + 1) / 2)], a[1], a[NR] }'
}

med() # FILE: median of the numbers in it
{
	sort -g "$1" | awk '{ a[NR] = $1 } END { printf "%.4g\n", NR ? a[int((NR + 1) / 2)] : 0 }'
}

echo
printf '%-10s' mode
for t in "${TESTS[@]}"; do printf ' %-22s' "$t"; done
echo "   (Gbit/s for iperf3 -P1/-P4/-P8, connections/s, requests/s)"
for mode in "${MODES[@]}"; do
	line=$(printf '%-10s' "$mode")
	for t in "${TESTS[@]}"; do
		read -r m lo hi <<<"$(stats "$RES/$mode.$t" 1)"
		line+=$(printf ' %-22s' "$m ($lo..$hi)")
	done
	echo "$line"
done

echo
printf '%-10s %-14s %-14s %-14s | %-14s %-14s %-14s %-14s\n' mode "retr -P1" "retr -P4" \
	"retr -P8" "CPU s/GB -P1" "CPU s/GB -P4" "CPU s/GB -P8" "CPU us/conn"
for mode in "${MODES[@]}"; do
	line=$(printf '%-10s' "$mode")
	for t in "${IPERFS[@]}"; do
		line+=$(printf ' %-14s' "$(med "$RES/$mode.$t.retr")")
	done
	line+=" |"
	cpu="$mode"
	for t in "${IPERFS[@]}" connrate; do
		read -r m _ _ <<<"$(stats "$RES/$mode.$t" 2)"
		cpu+=" $m"
		[ "$t" = connrate ] && m=$(awk -v a="$m" 'BEGIN { printf "%.1f", a * 1e6 }')
		line+=$(printf ' %-14s' "$m")
	done
	echo "$line"
	echo "$cpu" >>"$RES/cpu"
done

# the CPU a gateway adds over plain routing: per GB for each iperf3 run, per connection
if grep -q '^plain ' "$RES/cpu"; then
	read -r _ p1 p4 p8 pc <<<"$(grep '^plain ' "$RES/cpu")"
	echo
	echo "CPU added over plain routing (medians): s/GB at -P1 -P4 -P8, us/connection"
	while read -r mode g1 g4 g8 c; do
		[ "$mode" = plain ] && continue
		awk -v m="$mode" -v a="$g1" -v b="$g4" -v d="$g8" -v c="$c" -v p1="$p1" -v p4="$p4" \
			-v p8="$p8" -v pc="$pc" 'BEGIN {
			printf "  %-10s %+.3f %+.3f %+.3f   %+.1f\n", m, a - p1, b - p4, d - p8, (c - pc) * 1e6 }'
	done <"$RES/cpu"
fi
for base in nft plain; do
	[ -e "$RES/$base.connrate" ] || continue
	echo
	echo "ratios to $base (medians; throughput and rates: higher is better; retransmits and added CPU: lower):"
	for mode in "${MODES[@]}"; do
		[ "$mode" = "$base" ] && continue
		line=$(printf '  %-10s' "$mode")
		for t in "${TESTS[@]}"; do
			read -r a _ _ <<<"$(stats "$RES/$mode.$t" 1)"
			read -r b _ _ <<<"$(stats "$RES/$base.$t" 1)"
			line+=$(awk -v t="$t" -v a="$a" -v b="$b" 'BEGIN { printf " %s %.2fx", t, (b > 0 ? a / b : 0) }')
		done
		for t in "${IPERFS[@]}"; do
			a=$(med "$RES/$mode.$t.retr")
			b=$(med "$RES/$base.$t.retr")
			line+=$(awk -v t="$t" -v a="$a" -v b="$b" 'BEGIN {
				printf " retr-%s %s", substr(t, 6), (b > 0 ? sprintf("%.2fx", a / b) : a "/" b) }')
		done
		echo "$line"
	done
done
if grep -q '^nft ' "$RES/cpu" 2>/dev/null && grep -q '^plain ' "$RES/cpu"; then
	read -r _ p1 p4 p8 pc <<<"$(grep '^plain ' "$RES/cpu")"
	read -r _ n1 n4 n8 nc <<<"$(grep '^nft ' "$RES/cpu")"
	echo
	for mode in xdp xdp-snat; do
		grep -q "^$mode " "$RES/cpu" || continue
		read -r _ x1 x4 x8 xc <<<"$(grep "^$mode " "$RES/cpu")"
		awk -v m="$mode" -v x1="$x1" -v x4="$x4" -v x8="$x8" -v xc="$xc" -v n1="$n1" \
			-v n4="$n4" -v n8="$n8" -v nc="$nc" -v p1="$p1" -v p4="$p4" -v p8="$p8" \
			-v pc="$pc" 'function r(x, n, p) { return (n - p) > 0 ? sprintf("%.2f", (x - p) / (n - p)) : "n/a" }
			BEGIN { printf "added CPU, %s / nft: per GB -P1 %s -P4 %s -P8 %s, per connection %s\n",
				m, r(x1, n1, p1), r(x4, n4, p4), r(x8, n8, p8), r(xc, nc, pc) }'
	done
fi

echo
"$REPO/.output/bench/xdp_prog_bench" -r 7
