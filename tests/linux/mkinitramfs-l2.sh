#!/usr/bin/env bash
# Build the L2 guest's initramfs: busybox-static, the project's /init
# (guest-init.sh), the guest tests (guest/*.sh) and the L2 kernel's virtio
# modules. Output: build/tests/linux/l2-initrd.cpio (uncompressed newc).
#
# Usage: tests/linux/mkinitramfs-l2.sh     (after fetch.sh)
set -euo pipefail
. "$(dirname "$0")/lib.sh"
load_paths

out=$OUT/l2-initrd.cpio
work=$(mktemp -d "${TMPDIR:-/tmp}/vibe-l2.XXXXXX")
trap 'rm -rf "$work"' EXIT

r=$work/root
mkdir -p "$r"/{proc,sys,dev,tmp,run,etc,root,lib/modules,vibe/guest}
install_busybox "$r"
dev_nodes "$r"
install -m 755 "$ROOT/tests/linux/guest-init.sh" "$r/init"
cp "$ROOT"/tests/linux/guest/*.sh "$r/vibe/guest/"
# Guest programs (guest/*.c, e.g. blkbench for bench-blk): static, since the
# initramfs has no libc.
for c in "$ROOT"/tests/linux/guest/*.c; do
  [ -f "$c" ] || continue
  b=${c##*/}
  cc -static -O2 -Wall -Wextra -Werror -o "$r/bin/${b%.c}" "$c"
done

# virtio_pci too: QEMU's -M pc attaches virtio over PCI (the virtio benchmarks
# compare against it). A missing or built-in module is simply not copied.
copy_modules "$r/lib/modules" "$L2_MODDIR" \
  virtio virtio_ring virtio_mmio virtio_pci virtio_blk virtio_net virtio_console virtio_rng

mkdir -p "$OUT"
make_cpio "$r" "$out"
echo "mkinitramfs-l2.sh: $out ($(du -h "$out" | cut -f1), $(wc -l < "$r/lib/modules/load.order") modules)" >&2
