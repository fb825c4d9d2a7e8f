#!/usr/bin/env bash
# bench-exit: what vibevmm adds to a VM exit, against the floor (floor.c:
# the same guest on a bare KVM_RUN loop). Both are timed the same way, from
# outside, as whole processes: ns/exit = (t(N exits) - t(0 exits)) / N, so
# start-up and teardown cancel out. Runs alternate (vibevmm, floor, vibevmm,
# ...) so drift in the host's load hits both alike; medians are reported.
#
# Two clocks: wall time, and CPU time (user + sys of the process and its
# threads; guest execution and KVM's exit handling are sys time). On a
# shared, loaded machine wall time also counts time spent waiting for a
# core, so the CPU figure is the steadier measure of the work per exit.
#
# usage: bench-exit.sh VIBEVMM FLOOR GUESTDIR N RUNS
#   GUESTDIR holds {pio,mmio}_loop_{0,N}.bin
set -euo pipefail
vmm=$1 floor=$2 dir=$3 n=$4 runs=$5
errf=$(mktemp)
trap 'rm -f "$errf"' EXIT

# time_one CMD... -> "wall_ns cpu_ns"; a failing run aborts the bench.
time_one() {
  local t
  if ! t=$( { TIMEFORMAT='%3R %3U %3S'; time "$@" >/dev/null 2>"$errf"; } 2>&1 ); then
    echo "bench-exit: '$*' failed:" >&2; cat "$errf" >&2; exit 1
  fi
  awk '{ printf "%.0f %.0f\n", $1 * 1e9, ($2 + $3) * 1e9 }' <<<"$t"
}

median() { sort -n | awk '{a[NR]=$1} END {print (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }

# per_exit FILE COLUMN: median of column COLUMN of the N-exit runs minus the
# median of the 0-exit runs, per exit.
per_exit() {
  local base full
  base=$(awk -v c="$2" '$1 == "0" { print $(c + 1) }' "$1" | median)
  full=$(awk -v c="$2" '$1 == "N" { print $(c + 1) }' "$1" | median)
  awk -v b="$base" -v f="$full" -v n="$n" 'BEGIN { printf "%.0f", (f - b) / n }'
}

printf 'bench-exit: %s exits per run, %s runs each, alternating with the floor; medians\n' "$n" "$runs"
printf '%-6s %-5s %14s %14s %7s\n' kind clock 'vibevmm ns/ex' 'floor ns/ex' ratio
for kind in pio mmio; do
  v=$(mktemp) f=$(mktemp)
  for ((i = 0; i < runs; i++)); do
    echo "0 $(time_one "$vmm" --binary "$dir/${kind}_loop_0.bin" --entry 0x10000 --mem 128M)" >>"$v"
    echo "0 $(time_one "$floor" "$dir/${kind}_loop_0.bin")" >>"$f"
    echo "N $(time_one "$vmm" --binary "$dir/${kind}_loop_$n.bin" --entry 0x10000 --mem 128M)" >>"$v"
    echo "N $(time_one "$floor" "$dir/${kind}_loop_$n.bin")" >>"$f"
  done
  for clock in 1 2; do
    name=$([ $clock = 1 ] && echo wall || echo cpu)
    vn=$(per_exit "$v" $clock) fn=$(per_exit "$f" $clock)
    awk -v k="$kind" -v c="$name" -v v="$vn" -v f="$fn" 'BEGIN {
      r = (f > 0) ? v / f : 0;
      printf "%-6s %-5s %14d %14d %7.3f%s\n", k, c, v, f, r, (r <= 1.15) ? "" : "  (over the 1.15 target)";
    }'
  done
  rm -f "$v" "$f"
done
