#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# Builds every libFuzzer target in tests/fuzz/<target>/ with ASan and UBSan
# and runs it for a bounded time over its committed corpus; prints TAP.
#   tests/fuzz/run.sh [target...]      FUZZ_SECONDS (default 30) per target
# A target directory holds fuzz.c (LLVMFuzzerTestOneInput), corpus/, an
# optional <target>.dict, and target.conf setting SRCS (extra sources,
# relative to the repository) and LIBS.
set -u
REPO=$(cd "$(dirname "$0")/../.." && pwd)
OUT=$REPO/.output/fuzz
SECS=${FUZZ_SECONDS:-30}
CLANG=${CLANG:-clang}
mkdir -p "$OUT"

targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
	for d in "$REPO"/tests/fuzz/*/; do
		[ -f "$d/fuzz.c" ] && targets+=("$(basename "$d")")
	done
fi

n=0
for t in "${targets[@]}"; do
	n=$((n + 1))
	dir=$REPO/tests/fuzz/$t
	SRCS="" LIBS="" CFLAGS_EXTRA=""
	# shellcheck source=/dev/null
	[ -f "$dir/target.conf" ] && . "$dir/target.conf"
	bin=$OUT/$t
	log=$OUT/$t.log
	# shellcheck disable=SC2086
	if ! (cd "$REPO" && $CLANG -g -O1 -std=gnu11 -D_GNU_SOURCE -I. -Iloader -I.output \
		-fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
		$CFLAGS_EXTRA "$dir/fuzz.c" $SRCS $LIBS -o "$bin") >"$log" 2>&1; then
		echo "not ok $n - fuzz/$t (build failed)"
		tail -20 "$log" | sed 's/^/# /'
		continue
	fi
	work=$(mktemp -d)
	cp -r "$dir/corpus/." "$work/" 2>/dev/null
	dict=()
	[ -f "$dir/$t.dict" ] && dict=(-dict="$dir/$t.dict")
	if "$bin" "${dict[@]}" -max_total_time="$SECS" -timeout=10 -rss_limit_mb=2048 \
		-artifact_prefix="$OUT/$t-" \
		-print_final_stats=1 "$work" >"$log" 2>&1; then
		execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
		echo "ok $n - fuzz/$t (${execs:-?} runs in ${SECS}s)"
	else
		echo "not ok $n - fuzz/$t"
		grep -m1 -A30 -E 'ERROR: |runtime error|SUMMARY' "$log" | sed 's/^/# /'
		ls "$OUT/$t"-crash-* "$OUT/$t"-timeout-* "$OUT/$t"-oom-* 2>/dev/null |
			sed 's/^/# artifact: /'
	fi
	rm -rf "$work"
done
