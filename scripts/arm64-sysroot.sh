#!/usr/bin/env bash
# Unpack the aarch64 libraries the arm64 vibevmm links (libfdt only: the
# runtime needs no libyaml) into build/sysroot-arm64, for the cross build
# (make vibevmm-arm64). Debian's arm64 packages are downloaded with
# `apt-get download` and unpacked with `dpkg -x`: nothing is installed
# into /, so the host's own packages are never touched.
#   scripts/arm64-sysroot.sh [DIR]     (default build/sysroot-arm64)
set -euo pipefail

dest=${1:-build/sysroot-arm64}
pkgs=(libfdt-dev:arm64 libfdt1:arm64)

if [ -f "$dest/usr/lib/aarch64-linux-gnu/libfdt.a" ]; then
  exit 0
fi
if ! dpkg --print-foreign-architectures | grep -qx arm64; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "arm64-sysroot.sh: run as root once: dpkg --add-architecture arm64 && apt-get update" >&2
    exit 1
  fi
  dpkg --add-architecture arm64
  apt-get update -q
fi
mkdir -p "$dest/debs"
# An arch added without an update has no arm64 package lists yet.
if ! (cd "$dest/debs" && apt-get download -q "${pkgs[@]}"); then
  [ "$(id -u)" -eq 0 ] || { echo "arm64-sysroot.sh: apt-get update needed (as root)" >&2; exit 1; }
  apt-get update -q
  (cd "$dest/debs" && apt-get download -q "${pkgs[@]}")
fi
for deb in "$dest"/debs/*.deb; do
  dpkg -x "$deb" "$dest"
done
test -f "$dest/usr/lib/aarch64-linux-gnu/libfdt.a"
echo "arm64-sysroot.sh: libfdt for aarch64 in $dest"
