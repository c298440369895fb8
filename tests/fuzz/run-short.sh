#!/usr/bin/env bash
# run-short.sh HARNESS SEED_DIR RUNS — the CTest case of one libFuzzer harness: a fixed number
# of executions, from a fixed random seed, starting from the seed corpus. What libFuzzer adds
# to the corpus goes to a temporary directory (the seeds in the repository are not touched);
# a crash, leak or failed property writes its input to the build directory and fails the test.
set -uo pipefail
harness=$1 seeds=$2 runs=$3
name=$(basename "$harness")
dict=$(dirname "$0")/$name.dict
work=$(mktemp -d /tmp/chungthu-fuzz-short.XXXXXX)
trap 'rm -rf "$work"' EXIT
mkdir "$work/corpus"
args=(-runs="$runs" -seed=1 -max_len=8192 -timeout=20 -rss_limit_mb=2048 -print_final_stats=1
    -artifact_prefix="$PWD/$name-")
[ -f "$dict" ] && args+=(-dict="$dict")
"$harness" "${args[@]}" "$work/corpus" "$seeds" >"$work/log" 2>&1
rc=$?
if [ "$rc" -eq 0 ]; then
    grep -E '^#[0-9]+ +(INITED|DONE)|^stat::(number_of_executed_units|average_exec_per_sec|new_units_added)' "$work/log"
else
    tail -n 60 "$work/log"
    echo "$name: exit status $rc (the input is kept as $PWD/$name-*)"
fi
exit "$rc"
