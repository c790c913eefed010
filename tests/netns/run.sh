#!/bin/bash
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#
# Runner for xdpgw's network-namespace tests (see README.md).
#
#   tests/netns/run.sh [-t NAME]... [FILE...]
#
# FILE defaults to every tests/netns/test-*.sh; it may be a path or a short
# name ("harness" means tests/netns/test-harness.sh). -t NAME (repeatable)
# selects tests called NAME or FILE/NAME.
#
# Prints a TAP plan, then exactly one line per test: "ok - file/test",
# "not ok - file/test" or "ok - file/test # SKIP reason". Everything else it
# prints starts with "# ". Exit status 0 if no test failed, 1 otherwise
# (130 if interrupted).
#
# Runs itself again under "unshare --net --mount" (as xdp-tools does), with a
# private tmpfs on /run/netns and a private bpffs on /sys/fs/bpf, so the
# namespaces and pinned maps of concurrent runs never meet and nothing a
# crashed run leaves is visible to the host. Each test runs in its own bash
# process under timeout(1), with its own run id and namespaces; after it,
# the runner checks that its namespaces and background processes are gone.
#
# Environment: V=1 (show test output), TEST_TIMEOUT (seconds per test, 120),
# DEBUG_TESTENV=1 (shell in the gateway namespace when a test fails; no
# timeout), KEEP_LOGS=1 (keep the log directory even when all tests pass),
# GW_ECHO, GWCTL (binaries; default $REPO/.output/).

set -o nounset

RUN_SH="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/$(basename "${BASH_SOURCE[0]}")"
# shellcheck source=tests/netns/lib.sh
source "$(dirname "$RUN_SH")/lib.sh"

TEST_TIMEOUT="${TEST_TIMEOUT:-120}"

# --exec-one FILE TEST: the per-test child, started by the runner below.
if [ "${1:-}" = "--exec-one" ]; then
	[ "$#" -eq 3 ] || fail "usage: $0 --exec-one FILE TEST"
	# shellcheck disable=SC1090
	source "$2" || fail "cannot source $2"
	declare -F "$3" >/dev/null || fail "test function '$3' is not defined in $2"
	gw_env_init
	if declare -F setup_test >/dev/null; then
		setup_test || fail "setup_test failed"
	fi
	"$3"
	rc=$?
	# a fail in a subshell the test did not check still fails it
	if [ "$rc" -ne "${SKIPPED_TEST:-77}" ] && [ -s "$GW_RUN_DIR/failed" ]; then
		echo "FAIL (in a subshell): $(head -1 "$GW_RUN_DIR/failed")" >&2
		exit 1
	fi
	exit "$rc"
fi

usage()
{
	sed -n '4,11s/^# \{0,1\}//p' "$RUN_SH"
}

ORIG_ARGS=("$@")
FILES=()
FILTERS=()
while [ "$#" -gt 0 ]; do
	case "$1" in
	-t)
		[ "$#" -ge 2 ] || { usage >&2; exit 1; }
		FILTERS+=("$2")
		shift 2
		;;
	-t*)
		FILTERS+=("${1#-t}")
		shift
		;;
	-h | --help)
		usage
		exit 0
		;;
	--)
		shift
		FILES+=("$@")
		break
		;;
	-*)
		echo "$0: unknown option '$1'" >&2
		usage >&2
		exit 1
		;;
	*)
		FILES+=("$1")
		shift
		;;
	esac
done
[[ "$TEST_TIMEOUT" =~ ^[1-9][0-9]*$ ]] || { echo "$0: TEST_TIMEOUT must be a positive integer" >&2; exit 1; }

resolve_file()
{
	local f=$1 c

	for c in "$f" "$GW_NETNS_DIR/$f" "$GW_NETNS_DIR/test-$f.sh" "$GW_NETNS_DIR/test-$f"; do
		if [ -f "$c" ]; then
			echo "$(cd "$(dirname "$c")" && pwd)/$(basename "$c")"
			return 0
		fi
	done
	return 1
}

if [ "${#FILES[@]}" -eq 0 ]; then
	for f in "$GW_NETNS_DIR"/test-*.sh; do
		[ -e "$f" ] && FILES+=("$f")
	done
fi
RESOLVED=()
for f in "${FILES[@]}"; do
	r=$(resolve_file "$f") || { echo "$0: no test file '$f'" >&2; exit 1; }
	RESOLVED+=("$r")
done

selected()
{
	local fname=$1 t=$2 p

	[ "${#FILTERS[@]}" -eq 0 ] && return 0
	for p in "${FILTERS[@]}"; do
		[ "$p" = "$t" ] || [ "$p" = "$fname/$t" ] && return 0
	done
	return 1
}

# The plan: "FILE TEST" lines; TEST is "-" when FILE cannot be loaded.
PLAN=()
for f in "${RESOLVED[@]}"; do
	fname=$(basename "$f" .sh)
	# shellcheck disable=SC1090
	if ! tests=$(ALL_TESTS='' && source "$f" >/dev/null 2>&1 && echo "${ALL_TESTS:-}") ||
		[ -z "$tests" ]; then
		PLAN+=("$f -")
		continue
	fi
	for t in $tests; do
		selected "$fname" "$t" && PLAN+=("$f $t")
	done
done
if [ "${#PLAN[@]}" -eq 0 ]; then
	echo "$0: no test matches ${FILTERS[*]}" >&2
	exit 1
fi

skip_all()
{
	local entry f t

	echo "1..${#PLAN[@]}"
	for entry in "${PLAN[@]}"; do
		f=${entry%% *}
		t=${entry#* }
		[ "$t" = "-" ] && t=load
		echo "ok - $(basename "$f" .sh)/$t # SKIP $1"
	done
	exit 0
}

if [ "$(id -u)" -ne 0 ]; then
	skip_all "netns tests must run as root"
fi

if [ -z "${_GW_NETNS_UNSHARED:-}" ]; then
	for tool in ip nsenter unshare timeout ss tail mktemp mount; do
		command -v "$tool" >/dev/null 2>&1 || skip_all "missing tool: $tool"
	done
	unshare --net --mount true 2>/dev/null || skip_all "cannot create namespaces (unshare failed)"
	export _GW_NETNS_UNSHARED=1
	exec unshare --net --mount --propagation private -- "$BASH" "$RUN_SH" "${ORIG_ARGS[@]}"
fi

# Now in the private network and mount namespace.
die()
{
	echo "# $*"
	exit 1
}
mkdir -p /run/netns || die "cannot create /run/netns"
mount -t tmpfs -o mode=0755,size=1m gwt-netns /run/netns || die "cannot mount tmpfs on /run/netns"
if [ -d /sys/fs/bpf ]; then
	mount -t bpf bpf /sys/fs/bpf || echo "# warning: cannot mount bpffs on /sys/fs/bpf"
fi
ip link set dev lo up || die "cannot bring up lo"
LOGDIR=$(mktemp -d "${TMPDIR:-/tmp}/gwt-netns.XXXXXX") || die "cannot create log directory"

CUR_PID=
GOT_SIG=0
INTERRUPTED=0
on_signal()
{
	GOT_SIG=1
	INTERRUPTED=1
	[ -n "$CUR_PID" ] && kill -TERM "$CUR_PID" 2>/dev/null
}
trap on_signal INT TERM

# Kill and remove whatever the test in DIR left behind. Returns 1 if it left anything.
leak_check()
{
	local dir=$1 f ns pid st clean=0

	while IFS= read -r -d '' f; do
		while read -r ns; do
			[ -n "$ns" ] && [ -e "/run/netns/$ns" ] || continue
			echo "# leaked namespace $ns: removing it"
			for pid in $(ip netns pids "$ns" 2>/dev/null); do
				echo "#   killing pid $pid: $(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null)"
				kill -KILL "$pid" 2>/dev/null
			done
			ip netns del "$ns" 2>/dev/null
			clean=1
		done <"$f"
	done < <(find "$dir" -name netns -type f -print0 2>/dev/null)
	while IFS= read -r -d '' f; do
		read -r pid st <"$f" 2>/dev/null || continue
		_gw_pid_alive "$pid" "$st" || continue
		echo "# leaked background process $pid: $(cat "${f%.pid}.cmd" 2>/dev/null); killing it"
		kill -KILL "$pid" 2>/dev/null
		clean=1
	done < <(find "$dir" -path '*/bg/*.pid' -type f -print0 2>/dev/null)
	return "$clean"
}

PASSED=0
FAILED=0
SKIPPED=0

# run_test FILE TEST
run_test()
{
	local file=$1 t=$2 fname name log dir rc start elapsed tail_pid='' leaks reason

	fname=$(basename "$file" .sh)
	name="$fname/$t"
	if [ "$t" = "-" ]; then
		echo "not ok - $fname/load"
		echo "# $file cannot be sourced or defines no ALL_TESTS"
		FAILED=$((FAILED + 1))
		return
	fi
	log="$LOGDIR/$fname.$t.log"
	dir="$LOGDIR/$fname.$t.d"
	mkdir -p "$dir"
	start=$(date +%s%N)

	if [ "${DEBUG_TESTENV:-0}" = 1 ]; then
		# Foreground and no timeout, so the debug shell owns the terminal.
		GW_RUN_DIR="$dir" "$BASH" "$RUN_SH" --exec-one "$file" "$t" 2>&1 |
			tee "$log" | sed -u 's/^/# /'
		rc=${PIPESTATUS[0]}
	else
		GW_RUN_DIR="$dir" timeout -k 10 "$TEST_TIMEOUT" \
			"$BASH" "$RUN_SH" --exec-one "$file" "$t" </dev/null >"$log" 2>&1 &
		CUR_PID=$!
		if [ "$VERBOSE_TESTS" = 1 ]; then
			tail -s 0.1 -n +1 -f --pid="$CUR_PID" "$log" | sed -u 's/^/# /' &
			tail_pid=$!
		fi
		while :; do
			GOT_SIG=0
			wait "$CUR_PID"
			rc=$?
			# A trapped signal interrupts wait; the test is still running.
			[ "$GOT_SIG" -eq 1 ] && [ "$rc" -gt 128 ] && continue
			break
		done
		CUR_PID=
		[ -n "$tail_pid" ] && wait "$tail_pid"
	fi
	elapsed=$((($(date +%s%N) - start) / 1000000))

	leaks=$(leak_check "$dir") && leaks=
	if [ "$rc" -eq 0 ] && [ -z "$leaks" ]; then
		echo "ok - $name"
		PASSED=$((PASSED + 1))
	elif [ "$rc" -eq "$SKIPPED_TEST" ] && [ -z "$leaks" ]; then
		reason=$(head -n 1 "$dir/skip_reason" 2>/dev/null)
		echo "ok - $name # SKIP ${reason:-skipped}"
		SKIPPED=$((SKIPPED + 1))
	else
		echo "not ok - $name"
		FAILED=$((FAILED + 1))
		if [ "$VERBOSE_TESTS" != 1 ] && [ "${DEBUG_TESTENV:-0}" != 1 ]; then
			tail -n 40 "$log" | sed 's/^/# /'
		fi
		if [ "$INTERRUPTED" -eq 1 ]; then
			echo "# interrupted"
		elif { [ "$rc" -eq 124 ] || [ "$rc" -eq 137 ]; } && [ "$elapsed" -ge $((TEST_TIMEOUT * 1000)) ]; then
			echo "# timed out after ${TEST_TIMEOUT}s"
		elif [ "$rc" -ne 0 ]; then
			echo "# exit status $rc"
		fi
		[ -n "$leaks" ] && echo "$leaks"
	fi
	[ "$VERBOSE_TESTS" = 1 ] && echo "# $name took $((elapsed / 1000)).$(printf '%03d' $((elapsed % 1000)))s"
	return 0
}

echo "1..${#PLAN[@]}"
for entry in "${PLAN[@]}"; do
	run_test "${entry%% *}" "${entry#* }"
	[ "$INTERRUPTED" -eq 1 ] && break
done

echo "# $PASSED passed, $FAILED failed, $SKIPPED skipped"
if [ "$FAILED" -gt 0 ] || [ "$INTERRUPTED" -eq 1 ] || [ "${KEEP_LOGS:-0}" = 1 ]; then
	echo "# logs: $LOGDIR"
else
	rm -rf "$LOGDIR"
fi
[ "$INTERRUPTED" -eq 1 ] && exit 130
[ "$FAILED" -eq 0 ]
