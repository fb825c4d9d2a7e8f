#!/bin/sh
# bench-boot (make bench-boot; run inside L1 by run.sh --bench boot N, or
# directly on a host with hardware KVM). A benchmark, not a test.
#
# Boots the same L2 kernel and initramfs N times under each VMM, alternating
# (QEMU -M pc, QEMU -M microvm,rtc=on, vibevmm once it boots Linux; rtc=on
# because without a CMOS RTC Debian's rtc_cmos driver polls the absent chip
# for seconds of VM exits, which would flatter vibevmm), same guest memory
# and vCPUs, the guest powering off at once (vibe.end=poweroff, no modules).
# Per run, measured from outside by vmrun (same method for every VMM):
#   init   ms from the VMM's start to the guest's VIBE-INIT console line
#   exit   ms from the VMM's start to its exit after the poweroff
#   mem    VMM's own memory at that marker: VmRSS minus the resident part of
#          its guest-RAM mapping (/proc/PID/smaps), as Firecracker measures it
# (RSS and guest KiB are printed beside it so the subtraction can be checked.)
# Prints medians and vibevmm's ratio to the faster QEMU machine as
# `VIBE-BENCH ...` lines (run.sh strips the prefix).
set -eu
n=${1:-5}
. "$VIBE_ROOT/tests/linux/case-lib.sh"
VIBE_SCRATCH=$(mktemp -d "${TMPDIR:-/tmp}/vibe-bench.XXXXXX")
VIBE_RESULT_FILE=$VIBE_SCRATCH/.result
trap 'rm -rf "$VIBE_SCRATCH"' EXIT

out() { echo "VIBE-BENCH $*"; }
cmdline=$(guest_cmdline vibe.end=poweroff vibe.nomods)

vmms="qemu_pc qemu_microvm"
vmm_why=$(vmm_linux_support)
[ -n "$vmm_why" ] || vmms="$vmms vibevmm"
# A second vibevmm beside the first, for a before/after in the same run:
# an executable vibevmm-base next to vibevmm (in L1: put it in the test
# bed's $VIBE_LINUX_OUT/l1-bin/, which run.sh ships into L1's /vibe/bin/).
base_vmm=$(dirname "$VIBE_VMM")/vibevmm-base
[ -n "$vmm_why" ] || [ ! -x "$base_vmm" ] || vmms="$vmms vibevmm_base"
has_qemu || { out "error: Debian's qemu-system-x86_64 not available"; exit 0; }

out "bench-boot: $n runs per VMM, alternating; guest ${VIBE_GUEST_MIB} MiB, ${VIBE_GUEST_CPUS} vCPU;" \
    "kernel $VIBE_L2_KVER; microvm with rtc=on; test bed $VIBE_TESTBED"
i=1
while [ "$i" -le "$n" ]; do
	for v in $vmms; do
		case $v in
		qemu_pc) run_qemu "$v.$i" pc "$cmdline" 60 ;;
		qemu_microvm) run_qemu "$v.$i" microvm,rtc=on "$cmdline" 60 ;;
		vibevmm) run_vibevmm "$v.$i" "$cmdline" 60 ;;
		vibevmm_base)
			_vmm=$VIBE_VMM VIBE_VMM=$base_vmm
			run_vibevmm "$v.$i" "$cmdline" 60
			VIBE_VMM=$_vmm ;;
		esac
		if [ "$vm_status" = 0 ] && [ "$vm_marker_ms" -ge 0 ]; then
			echo "$vm_marker_ms" >> "$VIBE_SCRATCH/$v.init"
			echo "$vm_exit_ms" >> "$VIBE_SCRATCH/$v.exit"
			if [ "$vm_vmm_kib" -ge 0 ]; then
				echo "$vm_vmm_kib" >> "$VIBE_SCRATCH/$v.mem"
				echo "$vm_rss_kib" >> "$VIBE_SCRATCH/$v.rss"
				echo "$vm_guest_kib" >> "$VIBE_SCRATCH/$v.guest"
			fi
		else
			echo "x" >> "$VIBE_SCRATCH/$v.failed"
			echo "bench-boot: $v run $i failed (status $vm_status, marker $vm_marker_ms ms):"
			tail -n 5 "$VIBE_SCRATCH/$v.$i.log" | sed 's/^/  | /'
		fi
		rm -f "$VIBE_SCRATCH/$v.$i.log"
	done
	i=$((i + 1))
done

median() { # median FILE: the middle value (lower middle for even counts), or -
	[ -s "$1" ] || { echo -; return; }
	sort -n "$1" | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'
}
for v in $vmms; do
	eval "${v}_init=\$(median \"\$VIBE_SCRATCH/\$v.init\")"
	eval "${v}_exit=\$(median \"\$VIBE_SCRATCH/\$v.exit\")"
	eval "${v}_mem=\$(median \"\$VIBE_SCRATCH/\$v.mem\")"
	eval "${v}_rss=\$(median \"\$VIBE_SCRATCH/\$v.rss\")"
	eval "${v}_guest=\$(median \"\$VIBE_SCRATCH/\$v.guest\")"
done

row() { # row LABEL VMM
	_f=0
	[ ! -f "$VIBE_SCRATCH/$2.failed" ] || _f=$(wc -l < "$VIBE_SCRATCH/$2.failed")
	eval "_i=\$${2}_init _e=\$${2}_exit _m=\$${2}_mem _r=\$${2}_rss _g=\$${2}_guest"
	out "$(printf '%-16s %8s %8s %12s %9s %10s %7s' "$1" "$_i" "$_e" "$_m" "$_r" "$_g" "$_f")"
}
out "$(printf '%-16s %8s %8s %12s %9s %10s %7s' "median of $n" "init ms" "exit ms" "VMM mem KiB" "RSS KiB" "guest KiB" "failed")"
row "qemu -M pc" qemu_pc
row "qemu -M microvm" qemu_microvm
if [ -n "$vmm_why" ]; then
	out "$(printf '%-16s %s' vibevmm "n/a (no Linux boot yet)")"
	out "  ($vmm_why)"
else
	row vibevmm vibevmm
	[ ! -x "$base_vmm" ] || row "vibevmm-base" vibevmm_base
	# Ratios against the faster QEMU machine (by time to init), as issue 4 asks.
	best=qemu_pc
	if [ "$qemu_microvm_init" != - ] && { [ "$qemu_pc_init" = - ] || [ "$qemu_microvm_init" -lt "$qemu_pc_init" ]; }; then
		best=qemu_microvm
	fi
	eval "bi=\$${best}_init be=\$${best}_exit bm=\$${best}_mem"
	ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a == "-" || b == "-" || b == 0) print "n/a"; else printf "%.2fx", a / b }'; }
	out "vibevmm / $best: init $(ratio "$vibevmm_init" "$bi"), exit $(ratio "$vibevmm_exit" "$be")," \
	    "VMM memory $(ratio "$vibevmm_mem" "$bm") (targets: init <= 0.70x, memory <= 2048 KiB)"
fi
