# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# shellcheck shell=bash
# Sourced by tests/cli/test-*.sh: runs each function named in $ALL_TESTS in a
# subshell and prints TAP, with the last 20 lines of a failing test's output.
run_tap()
{
	local n=0 t out

	for t in $ALL_TESTS; do
		n=$((n + 1))
		if out=$("$t" 2>&1); then
			echo "ok $n - cli/$t"
		else
			echo "not ok $n - cli/$t"
			printf '%s\n' "$out" | tail -20 | sed 's/^/# /'
		fi
	done
}
