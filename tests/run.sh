#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# Runs the test layers and prints one closing line: "N passed, N failed".
#   tests/run.sh unit|netns|all
# Unit tests print TAP (cmocka with CMOCKA_MESSAGE_OUTPUT=TAP); netns tests
# print TAP through tests/netns/run.sh. Layers this machine cannot run
# (not root) are reported as skipped, never as passed.
set -u
REPO=$(cd "$(dirname "$0")/.." && pwd)
OUT="$REPO/.output"
LAYER=${1:-all}
TIMEOUT=${UNIT_TIMEOUT:-120}
pass=0 fail=0 skip=0

count_tap() {
	# reads TAP on stdin, echoes it, updates counters via a temp file
	local line
	while IFS= read -r line; do
		# sub-runners' own totals would read like ours: keep one closing line
		case "$line" in
		*" passed, "*" failed"*) printf '# (sub-total) %s\n' "${line#\# }"; continue ;;
		esac
		printf '%s\n' "$line"
		case "$line" in
		"not ok"*) echo "F $line" >>"$TALLY" ;;
		"ok "*"# SKIP"*|"ok "*"# skip"*) echo S >>"$TALLY" ;;
		"ok "*) echo P >>"$TALLY" ;;
		esac
	done
}

TALLY=$(mktemp)
trap 'rm -f "$TALLY"' EXIT

run_unit() {
	local bin rc
	echo "# unit tests"
	for bin in $(find "$OUT/tests/unit" -type f -executable 2>/dev/null | sort); do
		echo "# $(basename "$bin")"
		CMOCKA_MESSAGE_OUTPUT=TAP timeout "$TIMEOUT" "$bin" 2>&1 | count_tap
		rc=${PIPESTATUS[0]}
		# a crash or timeout after some passing tests is still a failure
		if [ "$rc" -ge 124 ]; then
			echo "not ok - $(basename "$bin") exited with status $rc"
			echo "F not ok - $(basename "$bin") exited with status $rc" >>"$TALLY"
		fi
	done
}

run_cli() {
	local t
	echo "# cli tests"
	for t in "$REPO"/tests/cli/test-*.sh; do
		GWCTL="$OUT/gwctl" timeout "$TIMEOUT" "$t" 2>&1 | count_tap
	done
}

# Optional layers: each is a runner that prints TAP, present once the
# component it tests exists (tests/bpf/run: BPF_PROG_TEST_RUN, root;
# tests/fuzz/run.sh: bounded fuzzing).
run_bpf() {
	echo "# bpf tests"
	[ -x "$REPO/tests/bpf/run" ] || return 0
	if [ "$(id -u)" != 0 ]; then
		echo "ok - bpf # SKIP not root"
		echo S >>"$TALLY"
		return
	fi
	timeout 600 "$REPO/tests/bpf/run" 2>&1 | count_tap
}

run_fuzz() {
	echo "# fuzz tests"
	[ -x "$REPO/tests/fuzz/run.sh" ] || return 0
	timeout 900 "$REPO/tests/fuzz/run.sh" 2>&1 | count_tap
}

run_netns() {
	echo "# netns tests"
	if [ "$(id -u)" != 0 ]; then
		echo "ok - netns # SKIP not root"
		echo S >>"$TALLY"
		return
	fi
	"$REPO/tests/netns/run.sh" 2>&1 | count_tap
}

case "$LAYER" in
unit) run_unit; run_cli ;;
netns) run_netns ;;
bpf) run_bpf ;;
fuzz) run_fuzz ;;
all) run_unit; run_cli; run_bpf; run_netns; run_fuzz ;;
*) echo "usage: $0 unit|bpf|netns|fuzz|all" >&2; exit 2 ;;
esac

pass=$(grep -c '^P' "$TALLY")
fail=$(grep -c '^F' "$TALLY")
skip=$(grep -c '^S' "$TALLY")
if [ "$fail" -gt 0 ]; then
	echo "# failed:"
	sed -n 's/^F /#   /p' "$TALLY"
fi
echo "$pass passed, $fail failed, $skip skipped"
[ "$fail" -eq 0 ]
