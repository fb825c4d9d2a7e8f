#!/usr/bin/env bash
# Prepare the payload machines/appliance-hello.yaml embeds, in
# build/appliance-hello/ (or $1):
#   vmlinuz      the Linux test bed's L2 kernel (Debian linux-image-cloud-amd64)
#   initrd.cpio  busybox-static plus an /init that prints a greeting and
#                powers off
# Both come from the test bed's package cache (tests/linux/fetch.sh downloads
# and unpacks the Debian packages once; nothing is installed). Files are
# replaced only when their content changes, so make relinks the appliance
# only then. Used by `make appliance-hello` and by make test.
set -euo pipefail
. "$(dirname "$0")/../linux/lib.sh"
out=${1:-$ROOT/build/appliance-hello}

"$ROOT/tests/linux/fetch.sh" >&2
load_paths
mkdir -p "$out"
work=$(mktemp -d "${TMPDIR:-/tmp}/vibe-appliance.XXXXXX")
trap 'rm -rf "$work"' EXIT

r=$work/root
mkdir -p "$r"/{proc,sys,dev,tmp}
install_busybox "$r"
dev_nodes "$r"
cat > "$r/init" <<'INIT'
#!/bin/sh
# appliance-hello's whole userland: greet, then power off (vibevmm exits 0).
mount -t proc proc /proc
echo "Hello from appliance-hello: Linux $(uname -r) booted by vibevmm from one binary."
poweroff -f
INIT
chmod 755 "$r/init"
# Fixed timestamps: the same inputs give the same archive, hence the same
# appliance (reproducible builds).
find "$r" -exec touch -h -d @0 {} +
make_cpio "$r" "$work/initrd.cpio"

# update NEW DEST: replace DEST only if the bytes differ.
update() {
  if ! cmp -s "$1" "$2"; then cp "$1" "$2.tmp" && mv -f "$2.tmp" "$2"; fi
}
update "$L2_KERNEL" "$out/vmlinuz"
update "$work/initrd.cpio" "$out/initrd.cpio"
echo "hello-payload.sh: $out/vmlinuz ($(du -h "$out/vmlinuz" | cut -f1)), $out/initrd.cpio ($(du -h "$out/initrd.cpio" | cut -f1))" >&2
