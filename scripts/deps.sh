#!/usr/bin/env bash
# Install the Debian packages vibevmm needs to build and test, if missing.
# Run as root on a fresh Debian machine (CI does); as a user it only reports.
set -euo pipefail

pkgs=(
  build-essential pkg-config git
  libyaml-dev re2c             # vibegen: parser and scalar lexer
  libssl-dev                   # vibegen: sha256 of machine files (libcrypto)
  python3-jsonschema python3-yaml  # test_schema: the schema as an editor uses it
  libcmocka-dev                # tests
  zlib1g-dev                   # vibevmm: crc32 of snapshot files (runtime/snapshot/)
  valgrind                     # benchmarks: instruction counts
  binutils                     # test guests: as, objcopy
  binutils-aarch64-linux-gnu   # tests/arm64: re-assembles the encoding tables
  libfdt-dev device-tree-compiler  # vibegen: arm64 guest device tree; --dts and its test
  gcc-aarch64-linux-gnu libc6-dev-arm64-cross  # vibevmm for aarch64 (make vibevmm-arm64)
  acpica-tools                 # iasl: generated ACPI tables (x86 Linux boot)
  qemu-system-x86 busybox-static cpio  # Linux test bed (L1/L2 guests)
  qemu-system-arm              # the nested arm64 test (make test-arm64, tests/arm64nested)
  clang libclang-rt-14-dev     # make fuzz-smoke: libFuzzer, ASan/UBSan runtimes
  libseccomp-dev               # vibevmm: the seccomp sandbox (runtime/sandbox.c)
)

missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
  echo "deps.sh: missing packages: ${missing[*]}" >&2
  echo "deps.sh: run as root, or: sudo apt-get install ${missing[*]}" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -q
apt-get install -y -q --no-install-recommends "${missing[@]}"
