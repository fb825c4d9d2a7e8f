#!/bin/sh
# bench-exits (make bench-exits; run inside L1 by run.sh --bench exits, or
# directly on a host with hardware KVM). A profile, not a test: where the
# L2 boot's time goes under vibevmm, and under QEMU microvm beside it.
#
# 1. vibevmm --log 4 boots the guest to its init (then powers off): every VM
#    exit is a trace line; the exits before the init marker are counted by
#    kind and port/address (the first --log 4 token of each: `IO out
#    port=0x3f8`, `MMIO read gpa=0xd0000000`, `HLT`) and by second of the
#    boot. Tracing slows each exit, so the times are not the benchmark's.
# 2. vibevmm and QEMU -M microvm boot with `vibe.test=dmesg`: the guest prints
#    its kernel log with the gap before each line; the largest gaps are where
#    the boot waits (timer calibration, probes, ...).
set -eu
. "$VIBE_ROOT/tests/linux/case-lib.sh"
VIBE_SCRATCH=$(mktemp -d "${TMPDIR:-/tmp}/vibe-bench.XXXXXX")
VIBE_RESULT_FILE=$VIBE_SCRATCH/.result
trap 'rm -rf "$VIBE_SCRATCH"' EXIT
out() { echo "VIBE-BENCH $*"; }
top=${1:-25}  # bench-exits.sh [TOP [full]]: full also prints both whole dmesg logs

run_vibevmm trace "$(guest_cmdline vibe.end=poweroff vibe.nomods)" 120 --log 4
out "vibevmm --log 4: status $vm_status, init after $vm_marker_ms ms (tracing on)"
if [ "$vm_marker_ms" -lt 0 ]; then
	grep -v 'VM exit' "$VIBE_SCRATCH/trace.log" | tail -n 40 | while IFS= read -r l; do out "  | $l"; done
fi
# The console log holds the guest's console and vibevmm's stderr, interleaved.
awk '/VIBE-INIT/ { exit }
     /VM exit: / {
	sub(/.*VM exit: /, "")
	k = $1
	if ($1 == "IO" || $1 == "MMIO") k = $1 " " $2 " " $3
	sub(/ size=.*/, "", k)
	n[k]++; total++
	s = $0
     }
     /^\[ *[0-9]+\.[0-9]+\] vibevmm: trace: VM exit/ {
	t = substr($0, 2, index($0, "]") - 2) + 0; sec[int(t)]++
     }
     END {
	for (k in n) printf "%8d  %s\n", n[k], k
	printf "%8d  TOTAL before init\n", total
	for (s in sec) printf "sec %3d %8d exits\n", s, sec[s]
     }' "$VIBE_SCRATCH/trace.log" > "$VIBE_SCRATCH/counts"
grep -v '^sec ' "$VIBE_SCRATCH/counts" | sort -rn | head -n "$top" | while IFS= read -r l; do out "  $l"; done
grep '^sec ' "$VIBE_SCRATCH/counts" | sort -k2 -n | while IFS= read -r l; do out "  $l"; done

gaps() { # gaps NAME: the largest gaps of the guest's dmesg
	grep '^VIBE-DMESG' "$VIBE_SCRATCH/$1.log" | tr -d '\r' | sort -k2 -rn | head -n "$top" |
		while IFS= read -r l; do out "  ${l#VIBE-DMESG }"; done
}
run_vibevmm dm_vibevmm "$(guest_cmdline vibe.test=dmesg vibe.nomods)" 120
out "vibevmm: init after $vm_marker_ms ms; largest dmesg gaps (s, line):"
gaps dm_vibevmm
if has_qemu; then
	run_qemu dm_microvm microvm,rtc=on "$(guest_cmdline vibe.test=dmesg vibe.nomods)" 120
	out "qemu microvm,rtc=on: init after $vm_marker_ms ms; largest dmesg gaps (s, line):"
	gaps dm_microvm
fi
if [ "${2:-}" = full ]; then
	for f in dm_vibevmm dm_microvm; do
		grep '^VIBE-DMESG' "$VIBE_SCRATCH/$f.log" 2>/dev/null | tr -d '\r' | sed "s/^VIBE-DMESG/VIBE-BENCH $f/"
	done
fi
