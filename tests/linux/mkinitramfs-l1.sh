#!/usr/bin/env bash
# Build the L1 test-bed initramfs: busybox, the L1 kernel's KVM modules, the
# project's /init (l1-init.sh) and a payload under /vibe:
#   /vibe/l2/          the L2 kernel and initramfs (mkinitramfs-l2.sh)
#   /vibe/bin/         vmrun, vibevmm when bin/vibevmm exists, and every
#                      program in build/tests/linux/l1-bin/ (extra binaries
#                      for cases, e.g. the appliance of cases/appliance_hello.sh)
#   /vibe/tests/linux/ run-case.sh, case-lib.sh, cases/*.sh, bench-*.sh
#   /vibe/machines/    the machine files (for cases that pass one)
#   /vibe/env.sh       the case environment's paths
# plus Debian's qemu-system-x86_64 with every shared library ldd names and the
# firmware it loads, at their host paths (so its built-in search paths work).
# Output: build/tests/linux/l1-initrd.cpio (uncompressed: see make_cpio).
#
# Usage: tests/linux/mkinitramfs-l1.sh     (after fetch.sh, mkinitramfs-l2.sh, vmrun)
set -euo pipefail
. "$(dirname "$0")/lib.sh"
load_paths

out=$OUT/l1-initrd.cpio
[ -f "$OUT/l2-initrd.cpio" ] || die "no $OUT/l2-initrd.cpio: run mkinitramfs-l2.sh first"
[ -x "$OUT/vmrun" ] || die "no $OUT/vmrun (run.sh builds it)"
work=$(mktemp -d "${TMPDIR:-/tmp}/vibe-l1.XXXXXX")
trap 'rm -rf "$work"' EXIT

r=$work/root
mkdir -p "$r"/{proc,sys,dev,tmp,run,etc,root,lib/modules}
install_busybox "$r"
dev_nodes "$r"
install -m 755 "$ROOT/tests/linux/l1-init.sh" "$r/init"

# tun: not needed by KVM, but the virtio-net tests make tap devices in L1.
copy_modules "$r/lib/modules" "$L1_MODDIR" irqbypass kvm ccp kvm_amd tun
grep -q '^kvm-amd.ko$' "$r/lib/modules/load.order" || die "kvm-amd.ko not found under $L1_MODDIR"

p=$r/vibe
mkdir -p "$p"/{l2,bin,tests/linux/cases,machines}
cp "$L2_KERNEL" "$p/l2/vmlinuz"
cp "$OUT/l2-initrd.cpio" "$p/l2/initrd.cpio"
cp "$OUT/vmrun" "$p/bin/vmrun"
t=$ROOT/tests/linux
cp "$t"/run-case.sh "$t"/case-lib.sh "$p/tests/linux/"
cp "$t"/bench-*.sh "$p/tests/linux/" 2>/dev/null || true
cp "$t"/cases/*.sh "$p/tests/linux/cases/"
cp "$ROOT"/machines/*.yaml "$p/machines/" 2>/dev/null || true

# vibevmm: as built (statically or not); its shared libraries come along too.
# VIBE_VMM_BIN picks another build (e.g. a machine other than the selected one).
copy_elf() { # copy_elf BINARY DEST: the binary plus what ldd says it loads
  local bin=$1 dest=$2 lib
  mkdir -p "$(dirname "$r$dest")"
  cp -L "$bin" "$r$dest"
  # "libx.so => /path (0x..)" and "/lib64/ld-linux-x86-64.so.2 (0x..)"; vdso has no path.
  for lib in $(ldd "$bin" 2>/dev/null | grep -o '/[^ ]*' || true); do
    [ -e "$r$lib" ] && continue
    mkdir -p "$(dirname "$r$lib")"
    cp -L "$lib" "$r$lib"
  done
}
vmm=
if [ -x "$VMM_BIN" ]; then
  copy_elf "$VMM_BIN" /vibe/bin/vibevmm
  vmm=yes
fi
# Extra programs for cases: whatever the build put in $OUT/l1-bin/.
for f in "$OUT"/l1-bin/*; do
  if [ -f "$f" ] && [ -x "$f" ]; then copy_elf "$f" "/vibe/bin/${f##*/}"; fi
done

qemu=
if q=$(command -v qemu-system-x86_64); then
  copy_elf "$q" /usr/bin/qemu-system-x86_64
  # Firmware: SeaBIOS for -M pc, qboot for -M microvm, the linuxboot option
  # ROMs for -kernel; Debian's firmware path is /usr/share/qemu:/usr/share/seabios.
  # -nodefaults means no NIC, so no iPXE ROMs are needed.
  mkdir -p "$r/usr/share/qemu" "$r/usr/share/seabios"
  for f in /usr/share/qemu/*.bin /usr/share/qemu/*.rom; do
    [ -e "$f" ] && cp -L "$f" "$r/usr/share/qemu/"
  done
  cp -L /usr/share/seabios/* "$r/usr/share/seabios/" 2>/dev/null || true
  qemu=/usr/bin/qemu-system-x86_64
fi

cat > "$p/env.sh" <<EOF
VIBE_L2_KERNEL=/vibe/l2/vmlinuz
VIBE_L2_INITRD=/vibe/l2/initrd.cpio
VIBE_L2_KVER=$L2_KVER
VIBE_VMM=/vibe/bin/vibevmm
VIBE_QEMU=$qemu
VIBE_VMRUN=/vibe/bin/vmrun
export VIBE_L2_KERNEL VIBE_L2_INITRD VIBE_L2_KVER VIBE_VMM VIBE_QEMU VIBE_VMRUN
EOF

mkdir -p "$OUT"
make_cpio "$r" "$out"
echo "mkinitramfs-l1.sh: $out ($(du -h "$out" | cut -f1); qemu: ${qemu:-none}; vibevmm: ${vmm:-none})" >&2
