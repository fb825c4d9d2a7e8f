# Host-side helpers shared by the test-bed build scripts (bash; sourced).
# Sets ROOT, CACHE, OUT and sources the paths fetch.sh recorded.

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
CACHE=${VIBE_LINUX_CACHE:-$ROOT/build/linux-cache}
OUT=${VIBE_LINUX_OUT:-$ROOT/build/tests/linux}
# The vibevmm under test: make test passes $(BIN)/vibevmm, which is
# build/san/bin/vibevmm under make test SAN=1.
VMM_BIN=${VIBE_VMM_BIN:-$ROOT/bin/vibevmm}

die() { echo "${0##*/}: $*" >&2; exit 1; }

load_paths() {
  [ -f "$CACHE/paths.sh" ] || die "no $CACHE/paths.sh: run tests/linux/fetch.sh first"
  # shellcheck source=/dev/null
  . "$CACHE/paths.sh"
}

# mod_closure MODDIR NAME...: the .ko paths for NAMEs and what they depend on,
# dependencies first (insmod order). Debian's packages ship no modules.dep
# (depmod makes it at install) and kmod may be absent here, so the dependency
# list is read from each module's own .modinfo section with objcopy.
# A NAME that isn't built as a module (built in, or absent) is skipped quietly.
mod_closure() {
  local moddir=$1; shift
  local -A path=() seen=()
  local f n
  while IFS= read -r f; do
    n=${f##*/}; n=${n%.ko}; n=${n//-/_}
    path[$n]=$f
  done < <(find "$moddir" -name '*.ko')
  _visit() {
    local m=${1//-/_} d deps
    [ -n "${path[$m]:-}" ] || return 0
    [ -z "${seen[$m]:-}" ] || return 0
    seen[$m]=1
    # Into a file, not /dev/stdout: when stdout is a regular file objcopy
    # renames its output over the /dev/stdout symlink itself.
    objcopy -O binary --only-section=.modinfo "${path[$m]}" "$mi"
    deps=$(tr '\0' '\n' < "$mi" | sed -n 's/^depends=//p' | tr ',' ' ')
    for d in $deps; do _visit "$d"; done
    echo "${path[$m]}"
  }
  local mi; mi=$(mktemp)
  for n in "$@"; do _visit "$n"; done
  rm -f "$mi"
}

# copy_modules DESTDIR MODDIR NAME...: copy the closure into DESTDIR and write
# DESTDIR/load.order (file names, insmod order) for the guest's init.
copy_modules() {
  local dest=$1 moddir=$2; shift 2
  local f
  mkdir -p "$dest"
  : > "$dest/load.order"
  while IFS= read -r f; do
    cp "$f" "$dest/"
    echo "${f##*/}" >> "$dest/load.order"
  done < <(mod_closure "$moddir" "$@")
}

# install_busybox ROOTDIR: busybox-static plus its applet links, made at
# build time so the init scripts can use plain command names from line one.
install_busybox() {
  local r=$1 a
  mkdir -p "$r/bin" "$r/sbin" "$r/usr/bin" "$r/usr/sbin"
  cp "$BUSYBOX" "$r/bin/busybox"
  for a in $("$BUSYBOX" --list); do
    [ -e "$r/bin/$a" ] || ln -s busybox "$r/bin/$a"
  done
}

# dev_nodes ROOTDIR: /dev/console must exist in the initramfs itself, or the
# kernel starts init with no stdin/stdout (devtmpfs is mounted by init, later).
# mknod needs root; without it the init scripts reopen the console themselves.
dev_nodes() {
  mkdir -p "$1/dev"
  mknod -m 600 "$1/dev/console" c 5 1 2>/dev/null || true
  mknod -m 666 "$1/dev/null" c 1 3 2>/dev/null || true
}

# make_cpio SRCDIR OUTFILE: newc archive, uncompressed (decompressing inside a
# TCG-emulated L1 costs seconds; copying bytes costs nothing), written
# atomically so a half-built image is never used.
make_cpio() {
  local src=$1 out=$2
  (cd "$src" && find . -mindepth 1 | LC_ALL=C sort | cpio -o -H newc --quiet -R 0:0) > "$out.tmp"
  mv "$out.tmp" "$out"
}
