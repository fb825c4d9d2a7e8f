#!/bin/sh
# bench-blk (make bench-blk; run inside L1 by run.sh --bench blk N, or
# directly on a host with hardware KVM). A benchmark, not a test.
#
# One 256 MiB raw disk image, read by the guest under each VMM, alternating
# N rounds, same L2 kernel, initramfs, guest memory and vCPUs:
#   qemu_pc       QEMU -M pc, virtio-blk-pci
#   qemu_microvm  QEMU -M microvm,rtc=on, virtio-blk-device (virtio-mmio)
#   vibevmm       --disk blk0=IMG (virtio-mmio, ioeventfd + irqfd)
# QEMU with its defaults (cache=writeback, aio=threads), like vibevmm's
# buffered I/O. In the guest (guest/bench_blk.sh, guest/blkbench.c):
#   seq   the whole disk once in 1 MiB O_DIRECT reads        -> MB/s
#   rand  4 KiB O_DIRECT reads at random offsets, one in flight, SECS
#         seconds                                             -> IOPS
# Prints medians and vibevmm's ratios to each QEMU as `VIBE-BENCH ...` lines.
set -eu
n=${1:-3}
secs=${2:-5}
. "$VIBE_ROOT/tests/linux/case-lib.sh"
VIBE_SCRATCH=$(mktemp -d "${TMPDIR:-/tmp}/vibe-bench.XXXXXX")
VIBE_RESULT_FILE=$VIBE_SCRATCH/.result
trap 'rm -rf "$VIBE_SCRATCH"' EXIT

out() { echo "VIBE-BENCH $*"; }
cmdline=$(guest_cmdline vibe.test=bench_blk vibe.secs=$secs)
img=$VIBE_SCRATCH/disk.img
dd if=/dev/zero of="$img" bs=1048576 count=256 2>/dev/null

vmms="qemu_pc qemu_microvm"
[ -n "$(vmm_linux_support)" ] || vmms="$vmms vibevmm"
has_qemu || { out "error: Debian's qemu-system-x86_64 not available"; exit 0; }
out "bench-blk: $n rounds per VMM, alternating; 256 MiB disk; guest ${VIBE_GUEST_MIB} MiB," \
    "${VIBE_GUEST_CPUS} vCPU; kernel $VIBE_L2_KVER; random reads ${secs} s; test bed $VIBE_TESTBED"
drive="id=d0,file=$img,format=raw,if=none"
r=1
while [ "$r" -le "$n" ]; do
	for v in $vmms; do
		case $v in
		qemu_pc) run_qemu "$v.$r" pc "$cmdline" 180 -drive "$drive" -device virtio-blk-pci,drive=d0 ;;
		qemu_microvm) run_qemu "$v.$r" microvm,rtc=on "$cmdline" 180 -drive "$drive" \
			-device virtio-blk-device,drive=d0 ;;
		vibevmm) run_vibevmm "$v.$r" "$cmdline" 180 --disk "blk0=$img" ;;
		esac
		log=$VIBE_SCRATCH/$v.$r.log
		mb=$(tr -d '\r' < "$log" | sed -n 's/^VIBE-BLKBENCH seq MBps=\([0-9.]*\).*/\1/p')
		io=$(tr -d '\r' < "$log" | sed -n 's/^VIBE-BLKBENCH rand IOPS=\([0-9]*\).*/\1/p')
		if [ -n "$mb" ] && [ -n "$io" ]; then
			echo "$mb" >> "$VIBE_SCRATCH/$v.mb"
			echo "$io" >> "$VIBE_SCRATCH/$v.iops"
		else
			echo x >> "$VIBE_SCRATCH/$v.failed"
			echo "bench-blk: $v round $r failed (status $vm_status):"
			grep -a -m 12 -i -e unknown -e virtio -e error -e vda "$log" | sed "s/^/  | /"
		fi
		rm -f "$log"
	done
	r=$((r + 1))
done

median() { # median FILE: the middle value (lower middle for even counts), or -
	[ -s "$1" ] || { echo -; return; }
	sort -n "$1" | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'
}
ratio() { # ratio A B: A / B to two decimals, or -
	awk -v a="$1" -v b="$2" 'BEGIN { if (a == "-" || b == "-" || b == 0) print "-"; else printf "%.2f", a / b }'
}
for v in $vmms; do
	eval "${v}_mb=\$(median \"\$VIBE_SCRATCH/\$v.mb\")"
	eval "${v}_io=\$(median \"\$VIBE_SCRATCH/\$v.iops\")"
done
: "${vibevmm_mb:=-}" "${vibevmm_io:=-}"
out "$(printf '%-22s %10s %10s %16s %16s %7s' "median of $n" "seq MB/s" "rand IOPS" "vibevmm/it MB/s" "vibevmm/it IOPS" failed)"
for v in $vmms; do
	_f=0
	[ ! -f "$VIBE_SCRATCH/$v.failed" ] || _f=$(wc -l < "$VIBE_SCRATCH/$v.failed")
	eval "_m=\$${v}_mb _i=\$${v}_io"
	case $v in
	qemu_pc) label="qemu -M pc (pci)" ;;
	qemu_microvm) label="qemu -M microvm (mmio)" ;;
	*) label=vibevmm ;;
	esac
	out "$(printf '%-22s %10s %10s %16s %16s %7s' "$label" "$_m" "$_i" "$(ratio "$vibevmm_mb" "$_m")" \
		"$(ratio "$vibevmm_io" "$_i")" "$_f")"
done
# Every round, in run order: the spread shows how noisy the host was.
for v in $vmms; do
	out "$(printf '%-22s MB/s %s; IOPS %s' "  $v rounds:" "$(tr '\n' ' ' < "$VIBE_SCRATCH/$v.mb" 2>/dev/null)" \
		"$(tr '\n' ' ' < "$VIBE_SCRATCH/$v.iops" 2>/dev/null)")"
done
