#!/usr/bin/env bash
# Host-side driver of the nested arm64 integration test (make test-arm64;
# docs/guides/testing.md, "arm64").
#
#   tests/arm64nested/run.sh
#
# Fetches Debian's arm64 kernel and busybox-static:arm64 (apt-get download +
# dpkg -x into build/arm64-cache: nothing arm64 is installed into /), packs
# two initramfs images and boots ONE outer arm64 guest ("L1") under
#   qemu-system-aarch64 -M virt,virtualization=on,gic-version=3 -cpu cortex-a72
# whose kernel brings KVM up at EL2. L1's init (l1-init.sh) runs the static
# aarch64 vibevmm on the raw guests tests/guests-arm64/nested_*.S and on the
# same arm64 kernel with l2-init.sh, and reports on L1's console.
#
# Prints one `VIBE-RESULT CHECK PASS|FAIL DETAIL` line per check (a check
# that never reported is a FAIL) and the timings on stderr. Exit status: 0 no
# failure, 1 a check failed, 77 it can't run here (the reason on a
# `VIBE-TESTBED-SKIP reason` line), 2 its own error.
# Knobs: VIBE_ARM64_TIMEOUT (L1's deadline, s, default 280: the issue's
# budget is 5 minutes), VIBE_ARM64_CACHE, VIBE_ARM64_OUT.
set -euo pipefail
# ROOT, OUT (the x86 test bed's folder, whose lock we share), make_cpio,
# copy_modules, dev_nodes.
. "$(dirname "$0")/../linux/lib.sh"
T=$ROOT/tests/arm64nested
A64_CACHE=${VIBE_ARM64_CACHE:-$ROOT/build/arm64-cache}
A64_OUT=${VIBE_ARM64_OUT:-$ROOT/build/tests/arm64nested}
VMM=${VIBE_ARM64_VMM:-$ROOT/build/arm64/vibevmm}
VMM_SMP=${VIBE_ARM64_VMM_SMP:-$ROOT/build/arm64/vibevmm-smp}
GUESTS=${VIBE_ARM64_GUESTS:-$ROOT/build/tests/guests-arm64}
CHECKS=(raw_guest isv0_stp abort_inject linux_init virtio_blk pl011_rx smp_2cpus)

die() { echo "arm64nested/run.sh: $*" >&2; exit 2; }
testbed_skip() { echo "VIBE-TESTBED-SKIP $*"; exit 77; }
elapsed() { awk -v a="$1" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }'; }

# ---- can it run here? ----
command -v qemu-system-aarch64 >/dev/null || testbed_skip "no qemu-system-aarch64 (Debian package qemu-system-arm)"
command -v aarch64-linux-gnu-gcc >/dev/null || testbed_skip "no aarch64-linux-gnu-gcc (gcc-aarch64-linux-gnu): the aarch64 vibevmm can't be built"
command -v aarch64-linux-gnu-objcopy >/dev/null || testbed_skip "no aarch64-linux-gnu-objcopy (binutils-aarch64-linux-gnu)"
for tool in cpio flock apt-get apt-cache dpkg sha256sum; do
  command -v $tool >/dev/null || testbed_skip "$tool not installed"
done
for f in "$VMM" "$VMM_SMP" "$GUESTS"/nested_raw.bin "$GUESTS"/nested_stp.bin "$GUESTS"/nested_abort.bin "$A64_OUT/vmrun"; do
  [ -f "$f" ] || die "$f missing: make test-arm64 (or make arm64-nested-artifacts) builds it"
done

# ---- one QEMU at a time ----
# Taken before anything is fetched or packed: runs share the cache and the
# images in $A64_OUT. It is the x86 test bed's lock (tests/linux/run.sh):
# two TCG guests on this host's two shared cores would slow each other past
# their deadlines.
mkdir -p "$OUT"
exec 9>"$OUT/.lock"
if ! flock -n 9; then
  echo "arm64nested: the test bed's lock $OUT/.lock is held (another QEMU run); waiting (up to ${VIBE_LOCK_WAIT:-1800} s)" >&2
  flock -w "${VIBE_LOCK_WAIT:-1800}" 9 || die "gave up waiting for $OUT/.lock"
fi

t_start=$(date +%s.%N)
mkdir -p "$A64_CACHE/debs" "$A64_OUT"

# ---- fetch (cached) ----
# apt-cache is slow on a busy machine: a cache resolved against the current
# package lists (none newer than its stamp) is used without asking apt.
fetch() {
  local stamp=$A64_CACHE/paths.sh kpkg deb
  if [ -f "$stamp" ] && [ -z "$(find /var/lib/apt/lists -maxdepth 1 -name '*arm64_Packages*' -newer "$stamp" 2>/dev/null | head -n1)" ]; then
    . "$stamp"
    [ -f "${A64_KERNEL:-}" ] && [ -f "${A64_BUSYBOX:-}" ] && return 0
  fi
  if ! dpkg --print-foreign-architectures | grep -qx arm64; then
    [ "$(id -u)" -eq 0 ] || testbed_skip "arm64 packages unknown to apt: run as root once: dpkg --add-architecture arm64 && apt-get update"
    dpkg --add-architecture arm64
    apt-get update -q >&2 || true
  fi
  # The versioned package linux-image-arm64 depends on (linux-image-6.1.0-N-arm64).
  kpkg=$(apt-cache depends linux-image-arm64:arm64 2>/dev/null | sed -n 's/^ *Depends: \(linux-image-[0-9][^ ]*\)$/\1/p' | head -n1)
  if [ -z "$kpkg" ] && [ "$(id -u)" -eq 0 ]; then
    apt-get update -q >&2 || true
    kpkg=$(apt-cache depends linux-image-arm64:arm64 2>/dev/null | sed -n 's/^ *Depends: \(linux-image-[0-9][^ ]*\)$/\1/p' | head -n1)
  fi
  if [ -z "$kpkg" ]; then
    [ -f "$stamp" ] && { . "$stamp"; [ -f "$A64_KERNEL" ] && return 0; }
    testbed_skip "apt can't resolve linux-image-arm64:arm64 (offline? run apt-get update)"
  fi
  for p in "${kpkg%:arm64}:arm64" busybox-static:arm64; do
    if ! ls "$A64_CACHE/debs/${p%:arm64}"_*_arm64.deb >/dev/null 2>&1; then
      echo "arm64nested: downloading $p" >&2
      # (As root apt warns that it downloads "unsandboxed": harmless.)
      (cd "$A64_CACHE/debs" && apt-get download -q "$p" >&2) ||
        testbed_skip "apt-get download $p failed (offline?)"
      ls "$A64_CACHE/debs/${p%:arm64}"_*_arm64.deb >/dev/null 2>&1 || testbed_skip "apt-get download $p failed (offline?)"
    fi
  done
  rm -rf "$A64_CACHE/k" "$A64_CACHE/bb"
  deb=$(ls "$A64_CACHE/debs/${kpkg%:arm64}"_*_arm64.deb | head -n1)
  dpkg -x "$deb" "$A64_CACHE/k"
  dpkg -x "$(ls "$A64_CACHE"/debs/busybox-static_*_arm64.deb | head -n1)" "$A64_CACHE/bb"
  {
    echo "A64_KERNEL=$(ls "$A64_CACHE"/k/boot/vmlinuz-* | head -n1)"
    echo "A64_MODDIR=$(ls -d "$A64_CACHE"/k/lib/modules/* | head -n1)"
    echo "A64_BUSYBOX=$A64_CACHE/bb/bin/busybox"
  } > "$stamp.tmp"
  mv "$stamp.tmp" "$stamp"
  . "$stamp"
}
fetch
t_fetch=$(elapsed "$t_start")

# ---- images ----
# The modules are aarch64 ELF, which the host's objcopy can't read:
# copy_modules (lib.sh) reads their dependencies with the cross objcopy.
objcopy() { aarch64-linux-gnu-objcopy "$@"; }
img=$A64_OUT/img
rm -rf "$img"
mkdir -p "$img/l2/bin" "$img/l2/proc" "$img/l2/sys" "$img/l1/bin" "$img/l1/proc" "$img/l1/sys" "$img/l1/tmp"
cp "$A64_BUSYBOX" "$img/l2/bin/busybox"
cp "$T/l2-init.sh" "$img/l2/init"
copy_modules "$img/l2/mods" "$A64_MODDIR" virtio_mmio virtio_blk
dev_nodes "$img/l2"
# A fresh random disk each run, so a stale or zero read can't match.
head -c 4194304 /dev/urandom > "$img/l1/disk.img"
echo "BLK_SHA=$(sha256sum "$img/l1/disk.img" | cut -d' ' -f1)" > "$img/l1/expect.env"
make_cpio "$img/l2" "$img/l1/l2.cpio"
cp "$A64_BUSYBOX" "$img/l1/bin/busybox"
cp "$T/l1-init.sh" "$img/l1/init"
cp "$VMM" "$img/l1/vibevmm"
cp "$VMM_SMP" "$img/l1/vibevmm-smp"
cp "$GUESTS"/nested_*.bin "$img/l1/"
cp "$A64_KERNEL" "$img/l1/Image"
dev_nodes "$img/l1"
make_cpio "$img/l1" "$A64_OUT/l1.cpio"
rm -rf "$img"
t_build=$(elapsed "$t_start")

# ---- run L1 ----
limit=${VIBE_ARM64_TIMEOUT:-280}
log=$A64_OUT/l1-console.log
results=$A64_OUT/results.txt
: > "$results"
t_qemu=$(date +%s.%N)
# cortex-a72, not -cpu max: max is 3-4x slower under TCG. -smp 2 gives the
# 2-vCPU guest two L1 CPUs. vmrun kills QEMU's process group at the deadline
# and echoes the VIBE- lines as they come.
"$A64_OUT/vmrun" -t "$limit" -m VIBE-ARM64-L1-UP -o "$log" -s "$A64_OUT/l1.sum" -e VIBE- -- \
  qemu-system-aarch64 -M virt,virtualization=on,gic-version=3 -cpu cortex-a72 -smp 2 -m 1024 \
    -nodefaults -no-user-config -display none -serial stdio -no-reboot \
    -kernel "$A64_KERNEL" -initrd "$A64_OUT/l1.cpio" -append "console=ttyAMA0 quiet panic=-1" |
  tee "$A64_OUT/verdicts.txt" | { grep '^VIBE-RESULT ' || true; } | tee -a "$results"
t_run=$(elapsed "$t_qemu")
. "$A64_OUT/l1.sum"
grep -q '^VIBE-DONE' "$log" || {
  echo "arm64nested: L1 did not finish (QEMU status $status, 124 = killed at the ${limit} s deadline); last console lines:" >&2
  tail -n 20 "$log" | sed 's/^/  | /' >&2
}
for c in "${CHECKS[@]}"; do
  grep -q "^VIBE-RESULT $c " "$results" || echo "VIBE-RESULT $c FAIL no result (L1 ended early, status $status; see $log)" | tee -a "$results"
done

# ---- timings ----
{
  echo "arm64nested: timings (s): fetch $t_fetch, images $(awk -v a="$t_fetch" -v b="$t_build" 'BEGIN { printf "%.1f", b - a }'), QEMU run $t_run, total $(elapsed "$t_start")"
  awk -v m="$marker_ms" 'BEGIN { printf "arm64nested:   outer boot: QEMU start to L1 init %.1f\n", m / 1000 }'
  sed -n 's/^VIBE-TIME \([^ ]*\) \([0-9.]*\).*/arm64nested:   \1 \2/p' "$A64_OUT/verdicts.txt"
} | tee "$A64_OUT/timings.txt" >&2
n_fail=$(grep -c '^VIBE-RESULT [^ ]* FAIL' "$results" || true)
[ "$n_fail" -eq 0 ]
