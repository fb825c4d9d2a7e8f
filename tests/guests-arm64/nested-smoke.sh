#!/usr/bin/env bash
# By-hand smoke run of the arm64 vibevmm under nested KVM on an x86_64 host
# (docs/internals/arm64.md, "Verified where"); not part of `make test`.
#   make arm64-artifacts && tests/guests-arm64/nested-smoke.sh
# An outer Debian arm64 guest ("L1", its kernel brings up KVM at EL2) boots
# under qemu-system-aarch64 -M virt,virtualization=on,gic-version=3 -cpu
# cortex-a72 with an initramfs holding build/arm64/vibevmm, which then runs
#   1. the raw guest tests/guests-arm64/hello.S (PL011, ISV=0 STP/LDP, PSCI off)
#   2. the same Debian arm64 Image as a Linux guest with a busybox initramfs
#      and Debian's virtio modules: it reads a 4 MiB --disk through
#      virtio-blk (sha256 compared here); once it is up, a line is typed
#      into vibevmm's stdin and must come back through the PL011 (RX
#      interrupt) and the guest's tty
# and prints "SMOKE raw=N linux=N rx=yes|no" (pass: 0, 0, yes) plus
# "BLK <sha256>", which must equal the disk image's. Debian packages come with
# `apt-get download` + `dpkg -x` into build/arm64-nested (nothing installed
# into /); needs qemu-system-arm, cpio, gzip, and `dpkg --add-architecture
# arm64` done once (scripts/arm64-sysroot.sh does it).
set -euo pipefail

root=$(cd "$(dirname "$0")/../.." && pwd)
work=$root/build/arm64-nested
vmm=$root/build/arm64/vibevmm
guest=$root/build/tests/guests-arm64/hello.bin
for f in "$vmm" "$guest"; do
  [ -f "$f" ] || { echo "nested-smoke: $f missing: make arm64-artifacts" >&2; exit 2; }
done
command -v qemu-system-aarch64 >/dev/null || { echo "nested-smoke: SKIP: no qemu-system-aarch64 (qemu-system-arm)" >&2; exit 77; }

mkdir -p "$work/debs"
kpkg=$(apt-cache depends linux-image-arm64:arm64 2>/dev/null | awk '/Depends: linux-image-/{print $2; exit}')
[ -n "$kpkg" ] || { echo "nested-smoke: no arm64 package lists: dpkg --add-architecture arm64 && apt-get update" >&2; exit 2; }
if ! ls "$work"/debs/linux-image-*arm64*.deb >/dev/null 2>&1; then
  (cd "$work/debs" && apt-get download -q "$kpkg" busybox-static:arm64)
fi
rm -rf "$work/k" "$work/bb" "$work/root" "$work/l2"
dpkg -x "$(ls "$work"/debs/linux-image-*.deb | head -1)" "$work/k"
dpkg -x "$(ls "$work"/debs/busybox-static_*.deb | head -1)" "$work/bb"
image=$(ls "$work"/k/boot/vmlinuz-* | head -1)

# L2: busybox, the virtio modules, says it is up, reads the disk, echoes a
# line, powers off (PSCI SYSTEM_OFF through KVM).
mkdir -p "$work/l2/bin" "$work/l2/proc" "$work/l2/sys" "$work/l2/dev" "$work/l2/mods"
cp "$work/bb/bin/busybox" "$work/l2/bin/"
for m in drivers/virtio/virtio_mmio.ko drivers/block/virtio_blk.ko; do
  cp "$work"/k/lib/modules/*/kernel/$m "$work/l2/mods/"
done
mkdir -p "$work/root"
head -c 4194304 /dev/urandom > "$work/root/disk.img"
disk_sha=$(sha256sum "$work/root/disk.img" | cut -d' ' -f1)
cat > "$work/l2/init" <<'EOF'
#!/bin/busybox sh
/bin/busybox --install -s /bin
mount -t proc proc /proc; mount -t sysfs sys /sys; mount -t devtmpfs dev /dev
for m in virtio_mmio virtio_blk; do insmod /mods/$m.ko; done
sleep 1
echo "BLK $(sha256sum /dev/vda | cut -d' ' -f1)"
echo "L2 UP cpus=$(grep -c ^processor /proc/cpuinfo) $(grep MemTotal /proc/meminfo)"
read -t 20 line
echo "GOT:<$line>"
poweroff -f
EOF
chmod +x "$work/l2/init"

# L1: runs vibevmm twice and reports.
mkdir -p "$work/root/bin" "$work/root/dev" "$work/root/proc" "$work/root/sys"
cp "$work/bb/bin/busybox" "$work/root/bin/"
cp "$vmm" "$guest" "$work/root/"
cp "$image" "$work/root/Image"
(cd "$work/l2" && find . | cpio -o -H newc 2>/dev/null | gzip -1 > "$work/root/l2.cpio.gz")
cat > "$work/root/init" <<'EOF'
#!/bin/busybox sh
/bin/busybox --install -s /bin
mount -t proc proc /proc; mount -t sysfs sys /sys; mount -t devtmpfs dev /dev
/vibevmm --binary /hello.bin --entry 0x40080000; raw=$?
mkfifo /in
(/vibevmm --kernel /Image --initrd /l2.cpio.gz --cmdline "console=ttyAMA0 quiet panic=-1" \
   --mem 256M --disk blk0=/disk.img < /in; echo $? > /linux.rc) | tee /out &
exec 3> /in
n=0; while ! grep -q "L2 UP" /out 2>/dev/null && [ $n -lt 300 ]; do sleep 0.1; n=$((n+1)); done
echo "pl011-rx" >&3
wait
linux=$(cat /linux.rc)
rx=no; grep -q "GOT:<pl011-rx>" /out && rx=yes
echo "SMOKE raw=$raw linux=$linux rx=$rx"
poweroff -f
EOF
chmod +x "$work/root/init"
(cd "$work/root" && find . | cpio -o -H newc 2>/dev/null | gzip -1 > "$work/l1.cpio.gz")

start=$(date +%s)
timeout 600 qemu-system-aarch64 -M virt,virtualization=on,gic-version=3 -cpu cortex-a72 \
  -m 1024 -smp 2 -nographic -no-reboot -kernel "$image" -initrd "$work/l1.cpio.gz" \
  -append "console=ttyAMA0 quiet panic=-1" | tee "$work/console.log" | grep -v '^\['
echo "nested-smoke: $(( $(date +%s) - start )) s"
grep -q "SMOKE raw=0 linux=0 rx=yes" "$work/console.log" && grep -q "BLK $disk_sha" "$work/console.log"
