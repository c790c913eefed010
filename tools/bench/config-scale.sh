#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#
# Configuration scale: gwctl load of N generated HTTPRoutes (gen-routes.py)
# into a running gwd, for each N given. Per N it prints the gwctl load time
# (wall, and gwctl's own max RSS), the time from the start of the load until
# a route that only the new file has answers, and gwd's VmRSS/VmHWM from
# /proc after that load and after a second load of the same size (different
# extra route), so a table that is not freed or memory that is not returned
# shows up as growth. Everything runs in a private network namespace on its
# loopback; gwd has one worker unless WORKERS says otherwise.
#
#   tools/bench/config-scale.sh [N...]            (default: 1000 10000 30000)
#   WORKERS=2 KEEP=1 tools/bench/config-scale.sh 30000
#   GWD=/other/gwd GWCTL=/other/gwctl tools/bench/config-scale.sh   (another build)
set -eu

REPO=$(cd "$(dirname "$0")/../.." && pwd)
GWCTL=${GWCTL:-$REPO/.output/gwctl}
GWD=${GWD:-$REPO/.output/gwd}
ECHO=${ECHO:-$REPO/.output/gw-echo}
WORKERS=${WORKERS:-1}
PORT=18080
BPORT=19000

if [ -z "${GW_SCALE_INNER:-}" ]; then
	for b in "$GWCTL" "$GWD" "$ECHO"; do
		[ -x "$b" ] || { echo "config-scale: build first (make): no $b" >&2; exit 1; }
	done
	[ "$(id -u)" = 0 ] || { echo "config-scale: needs root (unshare -n)" >&2; exit 1; }
	GW_SCALE_INNER=1 exec unshare -n "$0" "$@"
fi

ip link set lo up
W=$(mktemp -d /tmp/gw-config-scale.XXXXXX)
GWD_PID=
ECHO_PID=
cleanup()
{
	[ -n "$GWD_PID" ] && kill "$GWD_PID" 2>/dev/null && wait "$GWD_PID" 2>/dev/null
	[ -n "$ECHO_PID" ] && kill "$ECHO_PID" 2>/dev/null && wait "$ECHO_PID" 2>/dev/null
	if [ -n "${KEEP:-}" ]; then echo "# kept $W"; else rm -rf "$W"; fi
}
trap cleanup EXIT

now_ms() { date +%s%3N; }
kb() { awk -v k="$1" '$1 == k":" { print $2 }' "/proc/$GWD_PID/status"; }

# gen N EXTRA: the configuration file for N routes plus route-extra-EXTRA
gen()
{
	"$REPO/tools/bench/gen-routes.py" "$1" --port $PORT --backend 127.0.0.1:$BPORT \
		--extra "$2" >"$W/routes-$1-$2.yaml"
}

# load N EXTRA: prints "gwctl_s gwctl_maxrss_kb serve_s"
load()
{
	local f=$W/routes-$1-$2.yaml host=route-extra-$2.bench.example t0 t1 t2 rss

	t0=$(now_ms)
	/usr/bin/time -f %M -o "$W/time" "$GWCTL" load -q -f "$f" --state-dir "$W/state" \
		>"$W/gwctl.out" 2>&1 || { cat "$W/gwctl.out" >&2; exit 1; }
	t1=$(now_ms)
	until curl -s -o /dev/null -f -H "Host: $host" "http://127.0.0.1:$PORT/"; do
		[ $(($(now_ms) - t0)) -lt 120000 ] || { echo "route $host never served" >&2; exit 1; }
		sleep 0.05
	done
	t2=$(now_ms)
	rss=$(tail -1 "$W/time")
	echo "$(((t1 - t0) / 1000)).$(printf %03d $(((t1 - t0) % 1000))) $rss" \
		"$(((t2 - t0) / 1000)).$(printf %03d $(((t2 - t0) % 1000)))"
}

"$ECHO" -l 127.0.0.1:$BPORT --name be >"$W/echo.log" 2>&1 &
ECHO_PID=$!

# start_gwd: a new gwd on an empty state; each configuration comes by reload
start_gwd()
{
	rm -rf "$W/state"
	mkdir -p "$W/state"
	"$GWD" --state-dir "$W/state" --workers "$WORKERS" --admin off >"$W/gwd.log" 2>&1 &
	GWD_PID=$!
	for _ in $(seq 100); do [ -S "$W/state/gwd.sock" ] && break; sleep 0.05; done
	[ -S "$W/state/gwd.sock" ] || { cat "$W/gwd.log" >&2; exit 1; }
}

stop_gwd()
{
	kill "$GWD_PID"
	wait "$GWD_PID" || true
	GWD_PID=
}

printf "%-7s %-5s %9s %12s %9s %10s %10s %8s\n" routes load gwctl_s gwctl_rss_MB serve_s \
	VmRSS_MB VmHWM_MB KB/route
[ $# -gt 0 ] || set -- 1000 10000 30000
for n in "$@"; do
	start_gwd
	base=$(kb VmRSS)
	for pass in 1 2; do
		gen "$n" "$pass"
		read -r ts rss tserve < <(load "$n" "$pass")
		r=$(kb VmRSS)
		h=$(kb VmHWM)
		printf "%-7s %-5s %9s %12d %9s %10d %10d %8s\n" "$n" "$pass" "$ts" \
			$((rss / 1024)) "$tserve" $((r / 1024)) $((h / 1024)) \
			"$(awk -v d=$((r - base)) -v n="$n" 'BEGIN { printf "%.1f", d / n }')"
		rm -f "$W/routes-$n-$pass.yaml"
	done
	stop_gwd
done
echo "# KB/route = (VmRSS - VmRSS of the gwd started empty) / routes; gwd workers: $WORKERS; empty gwd: $((base / 1024)) MB"
