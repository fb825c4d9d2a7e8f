#!/bin/sh
# Self-test of the test bed, not of vibevmm: a stand-in that takes vibevmm's
# Linux options (--mem, --kernel, --initrd, --cmdline) and boots with Debian's
# QEMU (-M microvm,rtc=on) instead, so the vibevmm cases and bench-boot's
# vibevmm column can be exercised before vibevmm boots Linux, or to tell a
# test-bed bug from a vibevmm bug:
#   VIBE_VMM_BIN=$PWD/tests/linux/qemu-as-vibevmm.sh tests/linux/run.sh
case "${1:-}" in --help) echo "  --kernel FILE   Linux kernel (QEMU stand-in)"; exit 0 ;; esac
mem=256 k= i= c=
while [ $# -gt 0 ]; do
	case "$1" in
	--mem) mem=${2%M}; shift 2 ;;
	--kernel) k=$2; shift 2 ;;
	--initrd) i=$2; shift 2 ;;
	--cmdline) c=$2; shift 2 ;;
	*) shift ;;
	esac
done
exec qemu-system-x86_64 -accel kvm -cpu host -M microvm,rtc=on -m "$mem" \
	-nodefaults -no-user-config -display none -serial stdio -no-reboot \
	-kernel "$k" -initrd "$i" -append "$c"
