#!/usr/bin/env bash
# make bench-size: what "only what the machine uses" buys, in bytes.
# Builds vibevmm for machines/virt.yaml and machines/console-only.yaml, and
# the raw appliance (machines/appliance-raw.yaml) static and dynamic, each by
# a sub-make into build/bench-size/ (the selected machine is left alone), and
# prints `size` and the stripped file size of each, plus which virtio and
# device symbols each links (nm). A benchmark, not a test: nothing is judged.
set -euo pipefail
cd "$(dirname "$0")/../.."
B=build/bench-size
mkdir -p "$B"
sub() { make --no-print-directory -s BUILD="$B/build" BIN="$B/bin" "$@" >&2; }

sub MACHINE_FILE=machines/virt.yaml VMM_OUT="$B/vibevmm-virt" "$B/vibevmm-virt"
sub MACHINE_FILE=machines/console-only.yaml VMM_OUT="$B/vibevmm-console-only" "$B/vibevmm-console-only"
make --no-print-directory -s BUILD=build build/tests/guests/hello.bin >&2
sub MACHINE_FILE=machines/appliance-raw.yaml VIBE_APPLIANCE=1 VMM_OUT="$B/appliance-raw-static" "$B/appliance-raw-static"
# Dynamic: its own BUILD, since the link flags differ and make tracks files, not flags.
make --no-print-directory -s BUILD="$B/dyn" BIN="$B/dyn/bin" APPLIANCE_STATIC=0 \
  MACHINE_FILE=machines/appliance-raw.yaml VIBE_APPLIANCE=1 VMM_OUT="$B/appliance-raw-dynamic" \
  "$B/appliance-raw-dynamic" >&2

printf '%-24s %9s %7s %7s %12s  %s\n' binary text data bss "stripped B" "links (nm)"
for f in vibevmm-virt vibevmm-console-only appliance-raw-dynamic appliance-raw-static; do
  strip -o "$B/$f.stripped" "$B/$f"
  read -r text data bss _ < <(size "$B/$f" | tail -n1)
  syms=$(nm --defined-only "$B/$f" | grep -oE 'vibe_dev_[a-z0-9_]+_ops|virtio_mmio_[a-z_]+|vq_[a-z_]+' | sort -u |
         sed 's/^vibe_dev_\(.*\)_ops$/\1/' | grep -vE '^(virtio_mmio|vq)_' | tr '\n' ' ')
  virtio=$(nm --defined-only "$B/$f" | grep -cE ' [Tt] (virtio_|vq_)' || true)
  printf '%-24s %9s %7s %7s %12s  devices: %s; virtio functions: %s\n' "$f" "$text" "$data" "$bss" \
    "$(stat -c %s "$B/$f.stripped")" "$syms" "$virtio"
done
echo "(appliance-raw-*: runtime plus an 85-byte payload; static = glibc, libseccomp and zlib linked in)"
