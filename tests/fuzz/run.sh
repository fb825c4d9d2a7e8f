#!/usr/bin/env bash
# Run libFuzzer targets for a bounded time each and print a table of
# executions (libFuzzer's stat::number_of_executed_units). Exit 1 if any
# target found something (crash, leak, timeout, OOM, broken invariant).
#   tests/fuzz/run.sh SECONDS TARGET...
# Inputs: tests/fuzz/corpus/<t>/ and tests/fuzz/regressions/<t>/ (read
# only), plus tests/fuzz/<t>.dict as libFuzzer dictionary if present.
# New coverage goes to build/fuzz/work/<t>/, findings to
# build/fuzz/artifacts/<t>/, the full log to build/fuzz/logs/<t>.log.
# A finding: minimise it (binary -minimize_crash=1 FILE), fix the bug and
# commit the input to tests/fuzz/regressions/<t>/ so `make test` replays it.
set -u
cd "$(dirname "$0")/../.."
secs=${1:?usage: run.sh SECONDS TARGET...}
shift
out=build/fuzz
fail=0
rows=()
for t in "$@"; do
  bin=$out/fuzz_$t
  [ -x "$bin" ] || { echo "run.sh: $bin not built (make fuzz-build)" >&2; exit 2; }
  mkdir -p "$out/work/$t" "$out/artifacts/$t" "$out/logs"
  rm -f "$out/artifacts/$t"/*
  log=$out/logs/$t.log
  dirs=("$out/work/$t" "tests/fuzz/corpus/$t")
  [ -d "tests/fuzz/regressions/$t" ] && dirs+=("tests/fuzz/regressions/$t")
  # rss_limit: the targets allocate at most a few MiB per input; a run
  # that grows past this is a leak or an unbounded allocation (a finding).
  dict=()
  [ -f "tests/fuzz/$t.dict" ] && dict=(-dict="tests/fuzz/$t.dict")
  "$bin" -max_total_time="$secs" -rss_limit_mb=1024 -timeout=10 -print_final_stats=1 \
    "${dict[@]}" -artifact_prefix="$out/artifacts/$t/" "${dirs[@]}" >"$log" 2>&1
  rc=$?
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  cov=$(grep -o 'cov: [0-9]*' "$log" | tail -1 | cut -d' ' -f2)
  found=$(ls "$out/artifacts/$t" 2>/dev/null | wc -l)
  status=ok
  if [ "$rc" -ne 0 ] || [ "$found" -ne 0 ]; then
    status="FINDING (exit $rc, $found file(s) in $out/artifacts/$t)"
    fail=1
    grep -E 'ERROR: |runtime error|fuzz invariant|SUMMARY' "$log" | head -5 >&2
  fi
  rows+=("$(printf '%-12s %6ss %12s %8s  %s' "$t" "$secs" "${execs:-?}" "${cov:-?}" "$status")")
done
echo
printf '%-12s %7s %12s %8s  %s\n' target time executions coverage result
for r in "${rows[@]}"; do echo "$r"; done
exit $fail
