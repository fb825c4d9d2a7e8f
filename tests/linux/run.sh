#!/usr/bin/env bash
# Host-side driver of the Linux test bed.
#
#   tests/linux/run.sh [CASE...]            run the cases (default: all of cases/*.sh)
#   tests/linux/run.sh --bench NAME [ARG...] run tests/linux/bench-NAME.sh instead
#   tests/linux/run.sh --list               list the cases
#   tests/linux/run.sh --shell              interactive: a shell in L1 (Ctrl-A x quits)
#   tests/linux/run.sh --shell vibevmm      interactive: vibevmm boots the L2 kernel and
#                                           initramfs to the guest's shell on this
#                                           terminal (in L1 here; directly on a host with
#                                           hardware KVM); its exit ends the run
#
# Builds what is missing (fetch.sh, the vmrun helper, both initramfs images),
# then runs the cases where Linux guests can run:
#   l1      this host's /dev/kvm can't boot Linux (kvm_pvm, no svm/vmx, or no
#           /dev/kvm): boot ONE "L1" Debian kernel under QEMU TCG with an
#           emulated AMD SVM CPU, load kvm-amd in it and run every case there;
#           verdicts come back on L1's serial console.
#   direct  the host has hardware KVM: run the cases here.
# VIBE_TESTBED=l1|direct forces either. VIBE_VMM_BIN: the vibevmm to test
# (default bin/vibevmm). Other knobs: VIBE_L1_TIMEOUT (seconds,
# default: the cases' timeouts + 120), VIBE_L1_MEM (MiB, default 2048).
#
# Prints one `VIBE-RESULT CASE PASS|FAIL|SKIP DETAIL` line per case, also into
# build/tests/linux/results.txt (L1's console: l1-console.log beside it).
# Exit status: 0 no failure, 1 a case failed, 77 the test bed can't run here
# (the reason on a `VIBE-TESTBED-SKIP reason` line), 2 a build step failed.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
T=$ROOT/tests/linux
# Status 1 means "a case failed"; run.sh's own errors are 2.
die() { echo "run.sh: $*" >&2; exit 2; }

testbed_skip() { echo "VIBE-TESTBED-SKIP $*"; exit 77; }
trap 'rc=$?; [ $rc -eq 0 ] || [ $rc -eq 1 ] || [ $rc -eq 77 ] || echo "run.sh: failed (status $rc)" >&2' EXIT

bench= shell=
cases=()
if [ "${1:-}" = --shell ]; then
  shell=1
  case ${2:-} in
  "") ;;
  vibevmm) shell=vibevmm ;;
  *) die "usage: run.sh --shell [vibevmm]" ;;
  esac
elif [ "${1:-}" = --list ]; then
  (cd "$T/cases" && ls *.sh | sed 's/\.sh$//'); exit 0
elif [ "${1:-}" = --bench ]; then
  [ $# -ge 2 ] || die "usage: run.sh --bench NAME [ARG...]"
  bench=$2; shift 2
  [ -f "$T/bench-$bench.sh" ] || die "no $T/bench-$bench.sh"
else
  if [ $# -gt 0 ]; then cases=("$@"); else
    mapfile -t cases < <(cd "$T/cases" && ls *.sh | sed 's/\.sh$//')
  fi
  for c in "${cases[@]}"; do [ -f "$T/cases/$c.sh" ] || die "no case $c (tests/linux/cases/$c.sh)"; done
fi

# ---- where to run ----
testbed=${VIBE_TESTBED:-}
if [ -z "$testbed" ]; then
  if [ -d /sys/module/kvm_pvm ] || ! grep -qwE 'svm|vmx' /proc/cpuinfo || [ ! -c /dev/kvm ]; then
    testbed=l1
  else
    testbed=direct
  fi
fi
case $testbed in l1|direct) ;; *) die "VIBE_TESTBED must be l1 or direct, not '$testbed'" ;; esac
qemu=$(command -v qemu-system-x86_64 || true)
if [ $testbed = l1 ] && [ -z "$qemu" ]; then
  testbed_skip "qemu-system-x86_64 not installed (Debian package qemu-system-x86): needed to boot L1"
fi
for tool in cpio objcopy cc flock; do
  command -v $tool >/dev/null || testbed_skip "$tool not installed"
done

# One test-bed run at a time per output folder: runs share the images, logs
# and results there (a second run would rebuild an image under a booting L1
# and interleave the console log), and two TCG L1s would only slow each other.
mkdir -p "$OUT"
exec 9>"$OUT/.lock"
if ! flock -n 9; then
  # Bounded, so a flock left behind by a killed run.sh can't wait forever.
  echo "run.sh: another test-bed run holds $OUT/.lock; waiting (up to ${VIBE_LOCK_WAIT:-1800} s)" >&2
  flock -w "${VIBE_LOCK_WAIT:-1800}" 9 || die "gave up waiting for $OUT/.lock"
fi

# ---- build what is missing ----
t0=$(date +%s.%N)
mkdir -p "$OUT"
"$T/fetch.sh" >&2 || testbed_skip "cannot fetch the Debian packages (fetch.sh failed; offline?)"
load_paths
# vmrun must run inside L1's initramfs, which has no libc: link it statically.
if [ ! -x "$OUT/vmrun" ] || [ "$T/vmrun.c" -nt "$OUT/vmrun" ]; then
  cc -static -O2 -Wall -Wextra -Werror -o "$OUT/vmrun.tmp" "$T/vmrun.c" || exit 2
  mv "$OUT/vmrun.tmp" "$OUT/vmrun"
fi
# build_if_stale OUTPUT SCRIPT INPUT...: run SCRIPT unless OUTPUT exists and
# its inputs are the same as when it was built (path, size and mtime of each,
# kept in OUTPUT.inputs). The images carry the cases, guest scripts and the
# vibevmm under test, which change often: a stale image would test old code,
# and a mere "newer than" check would miss a different, older VIBE_VMM_BIN.
# Directories count too (removing a case changes its folder).
build_if_stale() {
  local out=$1 script=$2 now; shift 2
  now=$(stat -L -c '%n %s %Y' "$@" 2>/dev/null || true)
  if [ -f "$out" ] && [ -f "$out.inputs" ] && [ "$now" = "$(cat "$out.inputs")" ]; then
    return 0
  fi
  rm -f "$out.inputs"
  "$script" || exit 2
  printf '%s\n' "$now" > "$out.inputs"
}
build_if_stale "$OUT/l2-initrd.cpio" "$T/mkinitramfs-l2.sh" "$CACHE/paths.sh" \
  "$T"/lib.sh "$T"/mkinitramfs-l2.sh "$T"/guest-init.sh "$T"/guest "$T"/guest/*.sh "$T"/guest/*.c
if [ $testbed = l1 ]; then
  build_if_stale "$OUT/l1-initrd.cpio" "$T/mkinitramfs-l1.sh" "$OUT/l2-initrd.cpio" "$OUT/vmrun" \
    "$T"/lib.sh "$T"/mkinitramfs-l1.sh "$T"/l1-init.sh "$T"/run-case.sh "$T"/case-lib.sh \
    "$T"/bench-*.sh "$T"/cases "$T"/cases/*.sh "$ROOT"/machines "$ROOT"/machines/*.yaml \
    "$VMM_BIN" "$qemu" "$OUT"/l1-bin "$OUT"/l1-bin/*
fi
t1=$(date +%s.%N)
awk -v a="$t0" -v b="$t1" -v tb="$testbed" 'BEGIN { printf "run.sh: test bed %s, built in %.1f s\n", tb, b - a }' >&2

results=$OUT/results.txt
: > "$results"

# ---- interactive: a shell where the cases would run ----
if [ -n "$shell" ]; then
  # The guest's shell under vibevmm: the L2 guest's init starts a shell when
  # its command line has no vibe.test (guest-init.sh). `quiet`: every console
  # byte is a VM exit.
  l2_cmdline="console=ttyS0 quiet"
  if [ $shell = vibevmm ] && [ $testbed = direct ]; then
    exec "$VMM_BIN" --log 0 --mem 256M --kernel "$L2_KERNEL" --initrd "$OUT/l2-initrd.cpio" --cmdline "$l2_cmdline"
  fi
  if [ $testbed = direct ]; then
    echo "run.sh: direct test bed: boot the guest yourself, e.g." >&2
    echo "  $qemu -accel kvm -cpu host -M microvm,rtc=on -m 256 -nodefaults -no-user-config -display none -serial stdio -kernel $L2_KERNEL -initrd $OUT/l2-initrd.cpio -append console=ttyS0" >&2
    exit 0
  fi
  # mon:stdio: the console is this terminal, Ctrl-A x quits QEMU.
  exec "$qemu" -accel tcg -cpu qemu64,+svm,+npt -smp 1 -m "${VIBE_L1_MEM:-2048}" \
    -nodefaults -no-user-config -display none -serial mon:stdio -no-reboot \
    -kernel "$L1_KERNEL" -initrd "$OUT/l1-initrd.cpio" \
    -append "console=ttyS0 quiet panic=-1 vibe.shell$([ $shell = vibevmm ] && echo =vibevmm)"
fi

# ---- direct: run the cases on this host ----
if [ $testbed = direct ]; then
  export VIBE_ROOT=$ROOT VIBE_TESTBED=direct
  export VIBE_L2_KERNEL=$L2_KERNEL VIBE_L2_INITRD=$OUT/l2-initrd.cpio VIBE_L2_KVER=$L2_KVER
  export VIBE_VMM=$VMM_BIN VIBE_QEMU=$qemu VIBE_VMRUN=$OUT/vmrun
  if [ -n "$bench" ]; then
    sh "$T/bench-$bench.sh" "$@" | sed -n 's/^VIBE-BENCH //p'
    exit 0
  fi
  : > "$OUT/direct-console.log"
  for c in "${cases[@]}"; do
    sh "$T/run-case.sh" "$c" | tee -a "$OUT/direct-console.log" | grep '^VIBE-RESULT ' | tee -a "$results"
  done
else
  # ---- l1: one TCG boot runs them all ----
  if [ -n "$bench" ]; then
    words="vibe.bench=$bench"
    [ $# -eq 0 ] || words="$words vibe.args=$(IFS=,; echo "$*")"
    limit=${VIBE_L1_TIMEOUT:-1200}
  else
    words="vibe.cases=$(IFS=,; echo "${cases[*]}")"
    limit=120
    for c in "${cases[@]}"; do
      ct=$(sed -n 's/^# vibe-timeout: *\([0-9][0-9]*\).*/\1/p' "$T/cases/$c.sh" | head -n1)
      limit=$((limit + ${ct:-120}))
    done
    limit=${VIBE_L1_TIMEOUT:-$limit}
  fi
  log=$OUT/l1-console.log
  # -cpu qemu64,+svm,+npt: TCG emulates AMD SVM with nested paging, which is
  # all kvm-amd needs. One vCPU: TCG runs it on one host thread anyway, and
  # the host's two cores are shared. quiet + console on ttyS0 only.
  # vmrun kills QEMU at the deadline; -no-reboot turns a crash into an exit.
  # vmrun -e shows the verdict lines as they come (without the serial \r).
  "$OUT/vmrun" -t "$limit" -m VIBE-L1-UP -o "$log" -s "$OUT/l1.sum" \
      -e "$( [ -n "$bench" ] && echo VIBE-BENCH || echo VIBE-RESULT )" -- \
    "$qemu" -accel tcg -cpu qemu64,+svm,+npt -smp 1 -m "${VIBE_L1_MEM:-2048}" \
      -nodefaults -no-user-config -display none -serial stdio -no-reboot \
      -kernel "$L1_KERNEL" -initrd "$OUT/l1-initrd.cpio" \
      -append "console=ttyS0 quiet panic=-1 $words" |
    if [ -n "$bench" ]; then sed -u 's/^VIBE-BENCH //'; else tee -a "$results"; fi
  . "$OUT/l1.sum"
  awk -v m="$marker_ms" -v e="$exit_ms" -v s="$status" 'BEGIN {
    printf "run.sh: L1 reached its init after %.1f s, powered off after %.1f s (QEMU status %s)\n", m / 1000, e / 1000, s }' >&2
  grep -q '^VIBE-DONE' "$log" || {
    echo "run.sh: L1 did not finish (status $status); last console lines:" >&2
    tail -n 20 "$log" | sed 's/^/  | /' >&2
  }
  [ -z "$bench" ] || exit 0
fi

# A case that never reported (L1 died, timed out) is a failure too.
for c in "${cases[@]}"; do
  grep -q "^VIBE-RESULT $c " "$results" || echo "VIBE-RESULT $c FAIL no result (test bed ended early; see $OUT)" | tee -a "$results"
done
n_pass=$(grep -c '^VIBE-RESULT [^ ]* PASS' "$results" || true)
n_fail=$(grep -c '^VIBE-RESULT [^ ]* FAIL' "$results" || true)
n_skip=$(grep -c '^VIBE-RESULT [^ ]* SKIP' "$results" || true)
awk -v p="$n_pass" -v f="$n_fail" -v s="$n_skip" -v a="$t0" -v b="$(date +%s.%N)" \
  'BEGIN { printf "run.sh: %s passed, %s failed, %s skipped in %.0f s total\n", p, f, s, b - a }' >&2
[ "$n_fail" -eq 0 ]
