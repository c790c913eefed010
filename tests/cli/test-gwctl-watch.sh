#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# gwctl get -w: a watcher started before a series of loads prints the
# listing, then one line per change of what it selects (kubectl get -w),
# with --output-watch-events the ADDED/MODIFIED/DELETED column, and with
# -o jsonpath the template per changed object. Prints TAP.
set -u
REPO=$(cd "$(dirname "$0")/../.." && pwd)
GWCTL=${GWCTL:-$REPO/.output/gwctl}
EX=$REPO/examples
WORK=$(mktemp -d /tmp/gwctl-watch.XXXXXX)
PIDS=()
trap 'for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; done; rm -rf "$WORK"' EXIT
D=$WORK/state

ALL_TESTS="watch_prints_each_change"

fail() { echo "FAIL: $*" >&2; return 1; }

# until FILE has N lines (5 s at most)
wait_lines() {
	local i
	for ((i = 0; i < 50; i++)); do
		[ "$(wc -l <"$1")" -ge "$2" ] && return 0
		sleep 0.1
	done
	fail "$1 has $(wc -l <"$1") lines, want $2: $(cat "$1")"
}

watch_prints_each_change() {
	local p
	sed 's/www.example.com/www2.example.com/' "$EX/quickstart.yaml" >"$WORK/v2.yaml"
	python3 -c '
import sys
docs = open(sys.argv[1]).read().split("\n---\n")
print("\n---\n".join(d for d in docs if "kind: HTTPRoute" not in d))' "$EX/quickstart.yaml" >"$WORK/noroute.yaml"
	"$GWCTL" load -f "$EX/quickstart.yaml" --state-dir "$D" >/dev/null 2>&1 || return 1
	"$GWCTL" get httproute -w --state-dir "$D" >"$WORK/plain" 2>&1 &
	PIDS+=($!)
	"$GWCTL" get httproute --output-watch-events --state-dir "$D" >"$WORK/events" 2>&1 &
	PIDS+=($!)
	"$GWCTL" get httproute backend -w -o 'jsonpath={.spec.hostnames[0]}{"\n"}' --state-dir "$D" \
		>"$WORK/jp" 2>&1 &
	PIDS+=($!)
	wait_lines "$WORK/plain" 2 && wait_lines "$WORK/events" 2 && wait_lines "$WORK/jp" 1 || return 1
	# a change to the route, an unrelated reload (nothing to print), a delete
	"$GWCTL" load -f "$WORK/v2.yaml" --state-dir "$D" >/dev/null 2>&1 || return 1
	wait_lines "$WORK/events" 3 || return 1
	"$GWCTL" load -f "$WORK/v2.yaml" --state-dir "$D" >/dev/null 2>&1 || return 1
	"$GWCTL" load -f "$WORK/noroute.yaml" --state-dir "$D" >/dev/null 2>&1 || return 1
	wait_lines "$WORK/events" 4 && wait_lines "$WORK/plain" 4 && wait_lines "$WORK/jp" 3 || return 1
	sleep 0.3
	for p in "${PIDS[@]}"; do kill "$p"; done
	grep -q '^NAME  *HOSTNAMES  *AGE$' "$WORK/plain" || fail "header: $(cat "$WORK/plain")" || return 1
	[ "$(awk 'NR > 1 { print $1 "," $2 }' "$WORK/plain" | tr '\n' ' ')" = \
		"backend,www.example.com backend,www2.example.com backend,www2.example.com " ] ||
		fail "rows: $(cat "$WORK/plain")" || return 1
	[ "$(awk '{ print $1 }' "$WORK/events" | tr '\n' ' ')" = "EVENT ADDED MODIFIED DELETED " ] ||
		fail "events: $(cat "$WORK/events")" || return 1
	[ "$(tr '\n' ' ' <"$WORK/jp")" = "www.example.com www2.example.com www2.example.com " ] ||
		fail "jsonpath: $(cat "$WORK/jp")"
}

# shellcheck source=tests/cli/tap.sh
. "$REPO/tests/cli/tap.sh"
run_tap
