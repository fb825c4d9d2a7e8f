#!/usr/bin/env bash
# bench-exit: what vibevmm adds to a VM exit, against the floor (floor.c:
# the same guest on a bare KVM_RUN loop). Both are timed the same way, from
# outside, as whole processes: ns/exit = (t(N exits) - t(0 exits)) / N, so
# start-up and teardown cancel out. Runs alternate (vibevmm, floor, vibevmm,
# ...) so drift in the host's load hits both alike; medians are reported.
#
# usage: bench-exit.sh VIBEVMM FLOOR GUESTDIR N RUNS
#   GUESTDIR holds {pio,mmio}_loop_{0,N}.bin
set -euo pipefail
vmm=$1 floor=$2 dir=$3 n=$4 runs=$5

now() { date +%s%N; }

# time_one CMD... -> elapsed ns on stdout; a failing run aborts the bench.
time_one() {
  local t0 t1
  t0=$(now)
  if ! "$@" >/dev/null 2>/tmp/bench-exit.err.$$; then
    echo "bench-exit: '$*' failed:" >&2; cat /tmp/bench-exit.err.$$ >&2; exit 1
  fi
  t1=$(now)
  echo $((t1 - t0))
}

median() { sort -n | awk '{a[NR]=$1} END {print (NR%2) ? a[(NR+1)/2] : int((a[NR/2]+a[NR/2+1])/2)}'; }

vmm_cmd()   { echo "$vmm --binary $1 --entry 0x10000 --mem 128M"; }
floor_cmd() { echo "$floor $1"; }

printf 'bench-exit: %s exits per run, %s runs each, alternating; medians\n' "$n" "$runs"
printf '%-6s %14s %14s %8s\n' kind 'vibevmm ns/ex' 'floor ns/ex' ratio

for kind in pio mmio; do
  declare -a vb=() vn=() fb=() fn=()
  for ((i = 0; i < runs; i++)); do
    vb+=("$(time_one $(vmm_cmd "$dir/${kind}_loop_0.bin"))")
    fb+=("$(time_one $(floor_cmd "$dir/${kind}_loop_0.bin"))")
    vn+=("$(time_one $(vmm_cmd "$dir/${kind}_loop_$n.bin"))")
    fn+=("$(time_one $(floor_cmd "$dir/${kind}_loop_$n.bin"))")
  done
  v0=$(printf '%s\n' "${vb[@]}" | median); vN=$(printf '%s\n' "${vn[@]}" | median)
  f0=$(printf '%s\n' "${fb[@]}" | median); fN=$(printf '%s\n' "${fn[@]}" | median)
  awk -v k="$kind" -v n="$n" -v v0="$v0" -v vN="$vN" -v f0="$f0" -v fN="$fN" 'BEGIN {
    v = (vN - v0) / n; f = (fN - f0) / n;
    printf "%-6s %14.0f %14.0f %8.3f%s\n", k, v, f, v / f, (v / f <= 1.15) ? "" : "  (over the 1.15 target)";
  }'
done
rm -f /tmp/bench-exit.err.$$

