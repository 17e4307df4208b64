#!/usr/bin/env bash
# run_fuzzer.sh FUZZER CORPUS SECONDS: runs one libFuzzer program for SECONDS
# over a scratch copy of its seed corpus (the checked-in seeds stay as they
# are), and fails if the fuzzer finds a crash, a leak or a timeout.
set -euo pipefail
fuzzer=$1 corpus=$2 seconds=$3
[ -x "$fuzzer" ] || { echo "run_fuzzer: $fuzzer not built (make fuzz-build)" >&2; exit 1; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cp -r "$corpus"/. "$work"/ 2>/dev/null || true
cd "$work"
exec "$fuzzer" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 "$work"
