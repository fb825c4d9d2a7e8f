#!/usr/bin/env bash
# Run each cmocka test binary given, show its output, and add up cmocka's
# summary lines into one closing line: "tests: N passed, N failed, N skipped".
# A binary that dies without a summary (crash, abort) counts as one failure.
set -u
pass=0 fail=0 skip=0 broken=()
for t in "$@"; do
  echo "=== $t"
  out=$("$t" 2>&1); rc=$?
  printf '%s\n' "$out"
  p=$(printf '%s\n' "$out" | sed -n 's/^\[  PASSED  \] \([0-9]*\) test.*/\1/p' | awk '{s+=$1} END {print s+0}')
  f=$(printf '%s\n' "$out" | sed -n 's/^\[  FAILED  \] \([0-9]*\) test.*/\1/p' | awk '{s+=$1} END {print s+0}')
  s=$(printf '%s\n' "$out" | sed -n 's/^\[  SKIPPED \] \([0-9]*\) test.*/\1/p' | awk '{s+=$1} END {print s+0}')
  if [ "$p" -eq 0 ] && [ "$f" -eq 0 ] && [ "$s" -eq 0 ]; then
    f=1; broken+=("$t (exit $rc, no cmocka summary)")
  elif [ $rc -ne 0 ] && [ "$f" -eq 0 ]; then
    f=1; broken+=("$t (exit $rc)")
  fi
  pass=$((pass + p)); fail=$((fail + f)); skip=$((skip + s))
done
for b in "${broken[@]+"${broken[@]}"}"; do echo "BROKEN: $b"; done
echo
echo "tests: $pass passed, $fail failed, $skip skipped"
[ "$fail" -eq 0 ]
