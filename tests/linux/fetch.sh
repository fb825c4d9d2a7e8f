#!/usr/bin/env bash
# Fetch the Debian packages the Linux test bed is built from, into a cache:
#   L2 kernel  = what linux-image-cloud-amd64 depends on (the guest vibevmm boots;
#                the cloud flavour is small and boots fast, virtio as modules)
#   L1 kernel  = what linux-image-amd64 depends on (the nested-KVM host: the cloud
#                flavour lacks kvm-amd, the generic one ships it as a module)
#   busybox-static (the userland of both initramfs images)
# Packages are downloaded with `apt-get download` and unpacked with `dpkg -x`,
# never installed: the host's own kernel and /boot are left alone.
#
# Idempotent: a package already in the cache is not downloaded again, and an
# unpacked tree is reused as long as its stamp names the same .deb.
# Writes $CACHE/paths.sh (sourced by the other scripts) naming what it found.
#
# Usage: tests/linux/fetch.sh            (cache: build/linux-cache, or $VIBE_LINUX_CACHE;
#                                         VIBE_FETCH_FORCE=1 asks apt even if the cache looks current)
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
CACHE=${VIBE_LINUX_CACHE:-$root/build/linux-cache}
mkdir -p "$CACHE/debs"

die() { echo "fetch.sh: $*" >&2; exit 1; }

# Fast path: the cache was resolved against the current package lists (no list
# newer than paths.sh), so asking apt again would give the same answer. apt-cache
# takes seconds per call on a busy machine; this keeps a cached run instant.
if [ -f "$CACHE/paths.sh" ] && [ -z "${VIBE_FETCH_FORCE:-}" ] &&
   [ -z "$(find /var/lib/apt/lists -maxdepth 1 -name '*Packages*' -newer "$CACHE/paths.sh" 2>/dev/null | head -n1)" ]; then
  . "$CACHE/paths.sh"
  if [ -f "$L1_KERNEL" ] && [ -f "$L2_KERNEL" ] && [ -x "$BUSYBOX" ]; then
    exit 0
  fi
fi

command -v apt-get >/dev/null || die "apt-get not found (the test bed is built from Debian packages)"
command -v dpkg >/dev/null || die "dpkg not found"

# apt-cache knows nothing until the package lists exist, and refuses to
# answer after `dpkg --add-architecture` until they are read again: in both
# cases run apt-get update once (root only).
# (Output captured first: grep -q quitting early would SIGPIPE apt-cache and,
# with pipefail, turn a match into a failure.)
apt_ok() { local p; p=$(apt-cache policy busybox-static 2>&1 || true); [[ $p == *'Candidate: '[0-9]* ]]; }
if ! apt_ok; then
  if [ "$(id -u)" -eq 0 ]; then
    echo "fetch.sh: apt package lists empty or stale, running apt-get update" >&2
    apt-get update -q >&2 || true
  fi
  if ! apt_ok; then
    # Offline or not root: a complete cache from an earlier run still serves.
    if [ -f "$CACHE/paths.sh" ]; then
      echo "fetch.sh: apt can't resolve packages; reusing the cache as it is" >&2
      exit 0
    fi
    die "apt can't resolve packages (run 'apt-get update' as root)"
  fi
fi

# The versioned kernel package a metapackage depends on (e.g. linux-image-6.1.0-56-amd64).
resolve_kernel() {
  local meta=$1 dep
  dep=$(apt-cache depends "$meta" 2>/dev/null |
        sed -n 's/^ *Depends: \(linux-image-[0-9][^ ]*\)$/\1/p' | head -n1)
  [ -n "$dep" ] || die "cannot resolve the kernel package $meta depends on"
  echo "$dep"
}

# Download PKG's .deb into the cache unless a file for its candidate version is there.
# Prints the .deb path.
download() {
  local pkg=$1 ver deb
  ver=$(apt-cache policy "$pkg" | sed -n 's/^ *Candidate: //p')
  [ -n "$ver" ] && [ "$ver" != "(none)" ] || die "package $pkg has no candidate version"
  # apt-get download names files pkg_version_arch.deb with ':' in the epoch escaped as %3a.
  deb=$(ls "$CACHE/debs/${pkg}_${ver/:/%3a}_"*.deb 2>/dev/null | head -n1 || true)
  if [ -z "$deb" ]; then
    echo "fetch.sh: downloading $pkg $ver" >&2
    # As root apt warns that it downloads "unsandboxed" (user _apt can't
    # write into the cache): harmless, the file is the same.
    (cd "$CACHE/debs" && apt-get download -q "$pkg=$ver" >&2) || die "apt-get download $pkg failed"
    deb=$(ls "$CACHE/debs/${pkg}_${ver/:/%3a}_"*.deb 2>/dev/null | head -n1 || true)
    [ -n "$deb" ] || die "apt-get download $pkg left no .deb"
  fi
  echo "$deb"
}

# Unpack DEB into DIR once; the stamp records which .deb the tree came from.
unpack() {
  local deb=$1 dir=$2
  if [ -f "$dir/.from" ] && [ "$(cat "$dir/.from")" = "$(basename "$deb")" ]; then
    return 0
  fi
  rm -rf "$dir" "$dir.tmp"
  mkdir -p "$dir.tmp"
  dpkg -x "$deb" "$dir.tmp"
  # Modules may be compressed (.ko.xz/.ko.zst in newer Debian kernels); busybox
  # insmod can't read those, so decompress once here rather than at every build.
  find "$dir.tmp" -name '*.ko.xz' -exec xz -d -f {} + 2>/dev/null || true
  find "$dir.tmp" -name '*.ko.zst' -exec sh -c 'for f; do zstd -q -d --rm "$f"; done' _ {} + || true
  basename "$deb" > "$dir.tmp/.from"
  mv "$dir.tmp" "$dir"
}

l2_pkg=$(resolve_kernel linux-image-cloud-amd64)
l1_pkg=$(resolve_kernel linux-image-amd64)

l2_deb=$(download "$l2_pkg")
l1_deb=$(download "$l1_pkg")
bb_deb=$(download busybox-static)

unpack "$l2_deb" "$CACHE/l2-kernel"
unpack "$l1_deb" "$CACHE/l1-kernel"
unpack "$bb_deb" "$CACHE/busybox"

# Kernel release = the modules directory name (e.g. 6.1.0-56-cloud-amd64).
kver() { ls "$1/lib/modules" | head -n1; }
l2_kver=$(kver "$CACHE/l2-kernel")
l1_kver=$(kver "$CACHE/l1-kernel")
[ -f "$CACHE/l2-kernel/boot/vmlinuz-$l2_kver" ] || die "no vmlinuz in $l2_deb"
[ -f "$CACHE/l1-kernel/boot/vmlinuz-$l1_kver" ] || die "no vmlinuz in $l1_deb"
[ -x "$CACHE/busybox/bin/busybox" ] || die "no bin/busybox in $bb_deb"

cat > "$CACHE/paths.sh.tmp" <<EOF
# Written by tests/linux/fetch.sh; sourced by the test-bed scripts.
L2_KVER=$l2_kver
L2_KERNEL=$CACHE/l2-kernel/boot/vmlinuz-$l2_kver
L2_MODDIR=$CACHE/l2-kernel/lib/modules/$l2_kver
L1_KVER=$l1_kver
L1_KERNEL=$CACHE/l1-kernel/boot/vmlinuz-$l1_kver
L1_MODDIR=$CACHE/l1-kernel/lib/modules/$l1_kver
BUSYBOX=$CACHE/busybox/bin/busybox
EOF
mv "$CACHE/paths.sh.tmp" "$CACHE/paths.sh"
echo "fetch.sh: L1 $l1_kver, L2 $l2_kver, busybox ready in $CACHE" >&2
