# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
# shellcheck shell=bash
# shellcheck disable=SC2034 # the address variables are for the test files
#
# Library for xdpgw's network-namespace tests, sourced by tests/netns/run.sh
# and by every tests/netns/test-<component>.sh. Modelled on xdp-tools'
# lib/testing/test_runner.sh: unique namespace names, veth pairs with fixed
# IPv4/IPv6 prefixes and static neighbours, background processes tracked by
# PID, and a cleanup that removes only what this run created.
#
# Topology built by topo_create N (one veth pair per backend, like a pod's
# veth on a Kubernetes node; see README.md for the picture):
#
#   $NS_CLI  veth0 ---- gw-cli   $NS_GW   gw-be1 ---- veth0  $NS_BE_1
#                                         gw-beN ---- veth0  $NS_BE_N
#
# Link n (0 = client, i = backend i) uses 10.200.n.0/24 and fd00:200:<n hex>::/64;
# the gateway end is .1 / ::1, the other end .2 / ::2.
#
# Namespaces are entered with nsenter --net, not "ip netns exec": the latter
# remounts /sys and so hides the bpffs that run.sh mounts on /sys/fs/bpf,
# where the loader pins its maps. The catch: /sys/class/net inside ns_exec
# shows the runner's namespace; use ip(8), ethtool or /proc/net instead.

# Exit status of a skipped test (xdp-tools convention; only 0..255 exist).
SKIPPED_TEST=249

GW_NETNS_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO="$(cd "$GW_NETNS_DIR/../.." && pwd)"
GW_ECHO="${GW_ECHO:-$REPO/.output/gw-echo}"
GWCTL="${GWCTL:-$REPO/.output/gwctl}"
VERBOSE_TESTS="${V:-0}"

# Namespace names are "$GW_NS_PREFIX-$GW_RUN_ID-{cli,gw,be1..}".
GW_NS_PREFIX="${GW_NS_PREFIX:-gwt}"
# "off" turns TX checksum offload off on every veth, so packets carry complete
# checksums as from a real NIC; XDP sees CHECKSUM_PARTIAL packets otherwise.
TOPO_TX_CSUM="${TOPO_TX_CSUM:-off}"
# Seconds stop_background waits after the signal before SIGKILL.
GW_STOP_TIMEOUT="${GW_STOP_TIMEOUT:-5}"

# Whole test range, and the addresses reserved for Gateway VIPs. topo_create
# does not configure the VIPs; the client's default route already points them
# at the gateway namespace.
NET4=10.200.0.0/16
NET6=fd00:200::/32
VIP4=10.200.255.1
VIP6=fd00:200:ff::1

# Set by gw_env_init.
GW_RUN_ID=
GW_RUN_DIR="${GW_RUN_DIR:-}"
GW_RUN_DIR_OWNED=0
NS_CLI=
NS_GW=
# Set by topo_create.
NUM_BE=0
# Indexed 1..NUM_BE; BE4_i, NS_BE_i, ... are the same values as scalars.
NS_BE=()
BE4=()
BE6=()
GW_BE4=()
GW_BE6=()
BE_MAC=()
GW_BE_MAC=()
GW_BE_IF=()
# Set by start_background.
BG_PID=

_gw_msg()
{
	echo "[lib] $*"
}

# fail MSG...: fail the current test. Called in a subshell (`{ ...; } | gw_load`,
# `$(...)`) it ends only that subshell, so it also leaves a mark the runner
# checks when the test returns: a failure anywhere fails the test.
fail()
{
	echo "FAIL: $*" >&2
	if [ -n "${GW_RUN_DIR:-}" ] && [ -d "$GW_RUN_DIR" ]; then
		echo "$*" >>"$GW_RUN_DIR/failed"
	fi
	exit 1
}

# skip MSG...: end the current test as skipped with the reason MSG.
skip()
{
	echo "SKIP: $*"
	if [ -n "$GW_RUN_DIR" ] && [ -d "$GW_RUN_DIR" ]; then
		echo "$*" >"$GW_RUN_DIR/skip_reason"
	fi
	exit "$SKIPPED_TEST"
}

# skip_if_missing TOOL...: skip unless every TOOL is an executable or in $PATH.
skip_if_missing()
{
	local t

	for t in "$@"; do
		if [[ "$t" == */* ]]; then
			[ -x "$t" ] || skip "missing $t"
		else
			command -v "$t" >/dev/null 2>&1 || skip "missing tool: $t"
		fi
	done
}

# check_run CMD...: run CMD; fail the test if it exits non-zero. The command
# and its output go to the test log (shown live with V=1, or on failure).
# Call it from the test's own shell, not inside $(...), or the exit is lost.
check_run()
{
	local ret

	echo "+ $*"
	"$@"
	ret=$?
	if [ "$ret" -ne 0 ]; then
		# Never pass 249 on: a failing command must not look like a skip.
		fail "'$*' exited with status $ret"
	fi
}

# assert_eq WHAT EXPECTED ACTUAL
assert_eq()
{
	if [ "$2" != "$3" ]; then
		fail "$1: expected '$2', got '$3'"
	fi
	echo "  pass: $1 = '$3'"
}

# json_get JSON FILTER: print a value. With jq, FILTER is any jq filter
# (missing values print "null"). Without jq only ".a.b" paths work, by
# grepping for the last key, which is good enough for gw-echo output.
json_get()
{
	local json=$1 filter=$2 key

	if command -v jq >/dev/null 2>&1; then
		jq -r "$filter" <<<"$json"
		return
	fi
	key=${filter##*.}
	sed -n -e "s/.*\"$key\":\"\\([^\"]*\\)\".*/\\1/p" \
		-e "t" -e "s/.*\"$key\":\\([0-9.eE+-]*\\|true\\|false\\|null\\).*/\\1/p" <<<"$json" |
		head -n 1
}

# ns_exec NS CMD...: run CMD in network namespace NS ("-" = the runner's own).
ns_exec()
{
	local ns=$1

	shift
	if [ "$ns" = "-" ]; then
		"$@"
	else
		nsenter --net="/run/netns/$ns" -- "$@"
	fi
}

# link_stat NS DEV FIELD: print a counter of DEV from /proc/net/dev in NS.
# FIELD: rx_bytes rx_packets rx_errs rx_drop tx_bytes tx_packets tx_errs tx_drop
link_stat()
{
	local col

	case "$3" in
	rx_bytes) col=1 ;;
	rx_packets) col=2 ;;
	rx_errs) col=3 ;;
	rx_drop) col=4 ;;
	tx_bytes) col=9 ;;
	tx_packets) col=10 ;;
	tx_errs) col=11 ;;
	tx_drop) col=12 ;;
	*) fail "link_stat: unknown field '$3'" ;;
	esac
	ns_exec "$1" cat /proc/net/dev |
		awk -v dev="$2" -v col="$col" -F'[: ]+' '
			{ sub(/^ +/, "") }
			$1 == dev { print $(col + 1); found = 1 }
			END { exit !found }'
}

# --- process tracking ---------------------------------------------------------

# Start time in clock ticks since boot (field 22 of /proc/PID/stat), which
# tells a process apart from a later one that reused its PID.
_gw_pid_starttime()
{
	local stat rest

	stat=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
	rest=${stat##*) }
	# shellcheck disable=SC2086
	set -- $rest
	echo "${20}"
}

# True if PID is running, is not a zombie, and started at STARTTIME (if given).
_gw_pid_alive()
{
	local pid=$1 want=${2:-} stat rest

	stat=$(cat "/proc/$pid/stat" 2>/dev/null) || return 1
	rest=${stat##*) }
	# shellcheck disable=SC2086
	set -- $rest
	[ "$1" != Z ] && [ "$1" != X ] || return 1
	[ -z "$want" ] || [ "${20}" = "$want" ]
}

# Signal, wait up to GW_STOP_TIMEOUT, then SIGKILL. Sets _GW_KILLED=1 if SIGKILL was needed.
_gw_stop_pid()
{
	local pid=$1 st=$2 sig=$3 i

	_GW_KILLED=0
	_gw_pid_alive "$pid" "$st" || return 0
	kill "-$sig" "$pid" 2>/dev/null
	for ((i = 0; i < GW_STOP_TIMEOUT * 20; i++)); do
		_gw_pid_alive "$pid" "$st" || return 0
		sleep 0.05
	done
	_GW_KILLED=1
	kill -KILL "$pid" 2>/dev/null
	for ((i = 0; i < 40; i++)); do
		_gw_pid_alive "$pid" "$st" || return 0
		sleep 0.05
	done
	return 1
}

# start_background NS NAME CMD...: run CMD in NS in the background, output to
# $GW_RUN_DIR/bg/NAME.log; sets $BG_PID. NAME must be unique among running ones.
start_background()
{
	local ns=$1 name=$2 dir="$GW_RUN_DIR/bg" st

	shift 2
	[ -n "$GW_RUN_ID" ] || fail "start_background: gw_env_init has not run"
	[[ "$name" =~ ^[A-Za-z0-9_.-]+$ ]] || fail "start_background: bad name '$name'"
	[ "$#" -gt 0 ] || fail "start_background: no command for '$name'"
	[ ! -e "$dir/$name.pid" ] || fail "start_background: '$name' is already running"
	mkdir -p "$dir" || fail "start_background: cannot create $dir"
	printf '%s\n' "$*" >"$dir/$name.cmd"
	if [ "$ns" = "-" ]; then
		"$@" </dev/null >"$dir/$name.log" 2>&1 &
	else
		[ -e "/run/netns/$ns" ] || fail "start_background: no namespace '$ns'"
		# nsenter execs CMD in place, so $! is CMD's own PID.
		nsenter --net="/run/netns/$ns" -- "$@" </dev/null >"$dir/$name.log" 2>&1 &
	fi
	BG_PID=$!
	st=$(_gw_pid_starttime "$BG_PID") || st=
	echo "$BG_PID $st" >"$dir/$name.pid"
	_gw_msg "started '$name' (pid $BG_PID) in ${ns}: $*"
}

# bg_pid NAME / bg_log NAME: print the PID / log file of a background process.
bg_pid()
{
	local pid st

	read -r pid st <"$GW_RUN_DIR/bg/$1.pid" 2>/dev/null || return 1
	echo "$pid"
}

bg_log()
{
	echo "$GW_RUN_DIR/bg/$1.log"
}

# bg_running NAME: true while the background process NAME is alive.
bg_running()
{
	local pid st

	read -r pid st <"$GW_RUN_DIR/bg/$1.pid" 2>/dev/null || return 1
	_gw_pid_alive "$pid" "$st"
}

# stop_background NAME [SIGNAL]: SIGTERM (or SIGNAL), SIGKILL after
# $GW_STOP_TIMEOUT s. Returns 0 if it was still running, 1 if it had exited
# on its own before (crashed?). Its log stays in $GW_RUN_DIR/bg.
stop_background()
{
	local name=$1 sig=${2:-TERM} file="$GW_RUN_DIR/bg/$1.pid" pid st was_running=1 status

	read -r pid st <"$file" 2>/dev/null || {
		echo "stop_background: no background process '$name'" >&2
		return 1
	}
	_gw_pid_alive "$pid" "$st" || was_running=0
	_gw_stop_pid "$pid" "$st" "$sig" || echo "stop_background: '$name' (pid $pid) survived SIGKILL" >&2
	# Reap it if it is our child; for anything else wait says 127 at once.
	wait "$pid" 2>/dev/null
	status=$?
	rm -f "$file"
	if [ "$was_running" -eq 0 ]; then
		_gw_msg "'$name' (pid $pid) had already exited (status $status)"
		return 1
	fi
	_gw_msg "stopped '$name' (pid $pid, SIG$sig$([ "$_GW_KILLED" -eq 1 ] && echo ", needed SIGKILL"))"
	return 0
}

stop_all_background()
{
	local f name

	for f in "$GW_RUN_DIR"/bg/*.pid; do
		[ -e "$f" ] || continue
		name=$(basename "$f" .pid)
		stop_background "$name" >/dev/null 2>&1 || true
	done
}

# start_echo NS NAME [gw-echo options...]: start $GW_ECHO as pod NAME (its
# --name), as background process NAME, and wait until every socket is bound
# (gw-echo writes its pidfile after binding). Fails the test if it does not.
start_echo()
{
	local ns=$1 name=$2 pidfile i

	shift 2
	[ -x "$GW_ECHO" ] || fail "gw-echo not built: no executable $GW_ECHO"
	pidfile="$GW_RUN_DIR/bg/$name.echo-pid"
	rm -f "$pidfile"
	start_background "$ns" "$name" "$GW_ECHO" --name "$name" --pidfile "$pidfile" "$@"
	for ((i = 0; i < 200; i++)); do
		[ -s "$pidfile" ] && return 0
		if ! bg_running "$name"; then
			cat "$(bg_log "$name")" >&2
			fail "start_echo: '$name' exited during startup"
		fi
		sleep 0.025
	done
	fail "start_echo: '$name' did not bind its sockets within 5 s"
}

# --- waiting ------------------------------------------------------------------

# True if something in NS listens on PROTO (tcp|udp) ADDR:PORT, counting
# wildcard sockets; ss prints a dual-stack [::] socket as "*".
_gw_listening()
{
	local ns=$1 proto=$2 addr=$3 port=$4 flags=-Hltn laddr a

	[ "$proto" = udp ] && flags=-Hlun
	while read -r _ _ _ laddr _; do
		a=${laddr%:*}
		a=${a#[}
		a=${a%]}
		a=${a%%%*}
		if [[ "$addr" == *:* ]]; then
			[ "$a" = "$addr" ] || [ "$a" = "::" ] || [ "$a" = "*" ] && return 0
		else
			[ "$a" = "$addr" ] || [ "$a" = "0.0.0.0" ] || [ "$a" = "*" ] && return 0
		fi
	done < <(ns_exec "$ns" ss "$flags" "sport = :$port" 2>/dev/null)
	return 1
}

# wait_listen NS tcp|udp ADDR PORT [TIMEOUT=10]: poll (ss, no connection is
# made) until a socket is bound; returns 1 on timeout.
wait_listen()
{
	local ns=$1 proto=$2 addr=$3 port=$4 timeout=${5:-10} i

	for ((i = 0; i <= timeout * 20; i++)); do
		_gw_listening "$ns" "$proto" "$addr" "$port" && return 0
		sleep 0.05
	done
	echo "wait_listen: nothing listening on $proto $addr port $port in $ns after ${timeout}s" >&2
	return 1
}

# wait_tcp NS ADDR PORT [TIMEOUT=10] / wait_udp NS ADDR PORT [TIMEOUT=10]
wait_tcp()
{
	wait_listen "$1" tcp "$2" "$3" "${4:-10}"
}

wait_udp()
{
	wait_listen "$1" udp "$2" "$3" "${4:-10}"
}

# --- environment and topology -------------------------------------------------

_gw_random_id()
{
	local id

	id=$(LC_ALL=C tr -dc 'a-z0-9' </dev/urandom 2>/dev/null | head -c 6)
	[ "${#id}" -eq 6 ] || id=$(printf '%04x%02x' "$RANDOM" "$((RANDOM % 256))")
	echo "$id"
}

# gw_env_init: pick a fresh run id and state directory, and register
# cleanup_tests on EXIT, INT and TERM. run.sh calls it before each test; a
# script using this library on its own calls it once after sourcing. Called
# again in a subshell, it starts an independent environment there.
gw_env_init()
{
	local id i

	for ((i = 0; i < 20; i++)); do
		id=$(_gw_random_id)
		compgen -G "/run/netns/$GW_NS_PREFIX-$id-*" >/dev/null || break
	done
	GW_RUN_ID=$id
	NS_CLI="$GW_NS_PREFIX-$id-cli"
	NS_GW="$GW_NS_PREFIX-$id-gw"
	NUM_BE=0
	NS_BE=() BE4=() BE6=() GW_BE4=() GW_BE6=() BE_MAC=() GW_BE_MAC=() GW_BE_IF=()

	# The first environment takes the directory run.sh prepared; nested
	# ones get a subdirectory, where run.sh's leak check still finds them.
	if [ -n "$GW_RUN_DIR" ] && [ -d "$GW_RUN_DIR" ] && [ ! -e "$GW_RUN_DIR/.claimed" ]; then
		GW_RUN_DIR_OWNED=0
	elif [ -n "$GW_RUN_DIR" ] && [ -d "$GW_RUN_DIR" ]; then
		GW_RUN_DIR=$(mktemp -d "$GW_RUN_DIR/sub-$id.XXXX") || fail "cannot create state dir"
		GW_RUN_DIR_OWNED=0
	else
		GW_RUN_DIR=$(mktemp -d "${TMPDIR:-/tmp}/gwt-$id.XXXX") || fail "cannot create state dir"
		GW_RUN_DIR_OWNED=1
	fi
	echo "$GW_RUN_ID" >"$GW_RUN_DIR/.claimed"
	mkdir -p "$GW_RUN_DIR/bg"
	: >"$GW_RUN_DIR/netns"
	export GW_RUN_DIR

	trap '_gw_on_exit' EXIT
	trap '_gw_on_signal INT 130' INT
	trap '_gw_on_signal TERM 143' TERM
}

_gw_on_signal()
{
	trap - INT TERM
	echo "interrupted by SIG$1, cleaning up" >&2
	exit "$2" # runs the EXIT trap
}

_gw_on_exit()
{
	local rc=$?

	trap - EXIT
	cleanup_tests "$rc"
	exit "$rc"
}

# Run a topology command; any failure fails the test (the EXIT trap removes
# whatever was already built).
_gw_topo()
{
	local out

	if ! out=$("$@" 2>&1); then
		echo "$out" >&2
		fail "topo_create: '$*' failed"
	fi
}

# _gw_sysctl NS KEY=VALUE...: /proc/sys/net follows the writer's network
# namespace, so this needs no sysctl(8).
_gw_sysctl()
{
	local ns=$1

	shift
	# shellcheck disable=SC2016
	ns_exec "$ns" bash -c 'for kv; do echo "${kv#*=}" >"/proc/sys/$(tr . / <<<"${kv%%=*}")" || exit 1; done' _ "$@"
}

_gw_ns_add()
{
	local ns=$1

	# Record first, so a half-created namespace is still cleaned up.
	echo "$ns" >>"$GW_RUN_DIR/netns"
	_gw_topo ip netns add "$ns"
	_gw_topo _gw_sysctl "$ns" \
		net.ipv6.conf.all.accept_dad=0 net.ipv6.conf.default.accept_dad=0 \
		net.ipv6.conf.all.accept_ra=0 net.ipv6.conf.default.accept_ra=0 \
		net.ipv6.conf.default.router_solicitations=0 \
		net.ipv6.conf.all.mldv1_unsolicited_report_interval=0 \
		net.ipv6.conf.default.mldv1_unsolicited_report_interval=0 \
		net.ipv6.conf.all.mldv2_unsolicited_report_interval=0 \
		net.ipv6.conf.default.mldv2_unsolicited_report_interval=0 \
		net.ipv4.conf.all.rp_filter=0 net.ipv4.conf.default.rp_filter=0
	_gw_topo ip -n "$ns" link set dev lo up
}

# _gw_link N NS IFNAME GW_IFNAME: veth pair for link N between NS and $NS_GW,
# addresses, static neighbours both ways, and a default route via the gateway.
_gw_link()
{
	local n=$1 ns=$2 ifn=$3 gwifn=$4 hex
	local mac gwmac a4 gw4 a6 gw6

	hex=$(printf '%x' "$n")
	mac=$(printf '02:c8:00:00:%02x:02' "$n")
	gwmac=$(printf '02:c8:00:00:%02x:01' "$n")
	a4="10.200.$n.2" gw4="10.200.$n.1"
	a6="fd00:200:$hex::2" gw6="fd00:200:$hex::1"

	_gw_topo ip link add name "$ifn" netns "$ns" address "$mac" type veth \
		peer name "$gwifn" netns "$NS_GW" address "$gwmac"
	if [ "$TOPO_TX_CSUM" = off ]; then
		if command -v ethtool >/dev/null 2>&1; then
			_gw_topo ns_exec "$ns" ethtool -K "$ifn" tx off
			_gw_topo ns_exec "$NS_GW" ethtool -K "$gwifn" tx off
		else
			_gw_msg "warning: ethtool missing, TX checksum offload left on"
		fi
	fi
	_gw_topo ip -n "$ns" addr add "$a4/24" dev "$ifn"
	_gw_topo ip -n "$ns" addr add "$a6/64" dev "$ifn" nodad
	_gw_topo ip -n "$NS_GW" addr add "$gw4/24" dev "$gwifn"
	_gw_topo ip -n "$NS_GW" addr add "$gw6/64" dev "$gwifn" nodad
	_gw_topo ip -n "$ns" neigh replace "$gw4" lladdr "$gwmac" dev "$ifn" nud permanent
	_gw_topo ip -n "$ns" neigh replace "$gw6" lladdr "$gwmac" dev "$ifn" nud permanent
	_gw_topo ip -n "$NS_GW" neigh replace "$a4" lladdr "$mac" dev "$gwifn" nud permanent
	_gw_topo ip -n "$NS_GW" neigh replace "$a6" lladdr "$mac" dev "$gwifn" nud permanent
	_gw_topo ip -n "$ns" link set dev "$ifn" up
	_gw_topo ip -n "$NS_GW" link set dev "$gwifn" up
	_gw_topo ip -n "$ns" route add default via "$gw4" dev "$ifn"
	_gw_topo ip -n "$ns" -6 route add default via "$gw6" dev "$ifn"
}

# topo_create [NUM_BE=2]: build client, gateway and NUM_BE (1..254) backend
# namespaces and export the address variables listed in README.md. Fails the
# test on any error.
topo_create()
{
	local nbe=${1:-2} i

	[ -n "$GW_RUN_ID" ] || fail "topo_create: gw_env_init has not run"
	[ "$NUM_BE" -eq 0 ] || fail "topo_create: topology already exists"
	[[ "$nbe" =~ ^[0-9]+$ ]] && [ "$nbe" -ge 1 ] && [ "$nbe" -le 254 ] ||
		fail "topo_create: want 1..254 backends, got '$nbe'"

	_gw_ns_add "$NS_GW"
	_gw_topo _gw_sysctl "$NS_GW" net.ipv4.ip_forward=1 \
		net.ipv6.conf.all.forwarding=1 net.ipv6.conf.default.forwarding=1
	_gw_ns_add "$NS_CLI"
	CLI_IF=veth0 GW_CLI_IF=gw-cli
	CLI4=10.200.0.2 GW_CLI4=10.200.0.1
	CLI6=fd00:200::2 GW_CLI6=fd00:200::1
	CLI_MAC=02:c8:00:00:00:02 GW_CLI_MAC=02:c8:00:00:00:01
	_gw_link 0 "$NS_CLI" "$CLI_IF" "$GW_CLI_IF"

	BE_IF=veth0
	for ((i = 1; i <= nbe; i++)); do
		NS_BE[i]="$GW_NS_PREFIX-$GW_RUN_ID-be$i"
		GW_BE_IF[i]="gw-be$i"
		BE4[i]="10.200.$i.2"
		GW_BE4[i]="10.200.$i.1"
		BE6[i]="fd00:200:$(printf '%x' "$i")::2"
		GW_BE6[i]="fd00:200:$(printf '%x' "$i")::1"
		BE_MAC[i]=$(printf '02:c8:00:00:%02x:02' "$i")
		GW_BE_MAC[i]=$(printf '02:c8:00:00:%02x:01' "$i")
		printf -v "NS_BE_$i" '%s' "${NS_BE[i]}"
		printf -v "GW_BE_IF_$i" '%s' "${GW_BE_IF[i]}"
		printf -v "BE4_$i" '%s' "${BE4[i]}"
		printf -v "GW_BE4_$i" '%s' "${GW_BE4[i]}"
		printf -v "BE6_$i" '%s' "${BE6[i]}"
		printf -v "GW_BE6_$i" '%s' "${GW_BE6[i]}"
		printf -v "BE_MAC_$i" '%s' "${BE_MAC[i]}"
		printf -v "GW_BE_MAC_$i" '%s' "${GW_BE_MAC[i]}"
		_gw_ns_add "${NS_BE[i]}"
		_gw_link "$i" "${NS_BE[i]}" "$BE_IF" "${GW_BE_IF[i]}"
		NUM_BE=$i
	done
	_gw_msg "topology $GW_RUN_ID: $NS_CLI ($CLI4 $CLI6) -> $NS_GW -> ${NUM_BE} backend(s) (${BE4[*]})"
}

# topo_namespaces: print this run's namespaces, one per line.
topo_namespaces()
{
	[ -n "$GW_RUN_DIR" ] && [ -f "$GW_RUN_DIR/netns" ] && cat "$GW_RUN_DIR/netns"
}

# topo_destroy: delete this run's namespaces. Processes still inside one can
# only have come from this run (the namespace is ours); they are killed by PID.
topo_destroy()
{
	local ns pid

	[ -n "$GW_RUN_DIR" ] && [ -f "$GW_RUN_DIR/netns" ] || return 0
	while read -r ns; do
		[ -n "$ns" ] && [ -e "/run/netns/$ns" ] || continue
		for pid in $(ip netns pids "$ns" 2>/dev/null); do
			echo "[lib] killing stray pid $pid in $ns: $(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null)" >&2
			kill -KILL "$pid" 2>/dev/null
		done
		ip netns del "$ns" 2>/dev/null || echo "[lib] warning: could not delete namespace $ns" >&2
	done <"$GW_RUN_DIR/netns"
	: >"$GW_RUN_DIR/netns"
	NUM_BE=0
}

# cleanup_tests [STATUS]: stop this run's background processes and delete
# its namespaces. Runs from the EXIT/INT/TERM traps that gw_env_init sets;
# idempotent. STATUS (the test's exit status) decides whether to dump
# background logs and, with DEBUG_TESTENV=1, open a shell first.
cleanup_tests()
{
	local rc=${1:-0} f nbg nns

	[ -n "$GW_RUN_DIR" ] && [ -d "$GW_RUN_DIR" ] || return 0
	if [ "$rc" -ne 0 ] && [ "$rc" -ne "$SKIPPED_TEST" ]; then
		for f in "$GW_RUN_DIR"/bg/*.log; do
			[ -s "$f" ] || continue
			echo "--- last lines of background '$(basename "$f" .log)':"
			tail -n 15 "$f"
		done
		if [ "${DEBUG_TESTENV:-0}" = 1 ] && [ -n "$NS_GW" ] && [ -e "/run/netns/$NS_GW" ] &&
			{ : </dev/tty; } 2>/dev/null; then
			{
				echo "DEBUG_TESTENV: test failed (status $rc); shell in $NS_GW."
				echo "Namespaces: $(topo_namespaces | tr '\n' ' ')"
				echo "Enter another with: nsenter --net=/run/netns/NAME bash. Exit to clean up."
			} >/dev/tty
			ns_exec "$NS_GW" env PS1="[$NS_GW] \\w# " bash --norc -i </dev/tty >/dev/tty 2>&1
		fi
	fi
	nbg=$(find "$GW_RUN_DIR/bg" -name '*.pid' 2>/dev/null | wc -l)
	nns=$(grep -c . "$GW_RUN_DIR/netns" 2>/dev/null)
	stop_all_background
	topo_destroy
	_gw_msg "cleanup: stopped ${nbg:-0} background process(es), deleted ${nns:-0} namespace(s)"
	if [ "$GW_RUN_DIR_OWNED" -eq 1 ]; then
		rm -rf "$GW_RUN_DIR"
		GW_RUN_DIR=
	fi
	return 0
}
