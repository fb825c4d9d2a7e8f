# Helpers for Linux test-bed cases (POSIX sh; sourced by run-case.sh before
# the case, so a case uses them directly).
#
# ---- How to add a case --------------------------------------------------
# Drop tests/linux/cases/NAME.sh (NAME: [a-z0-9_]); nothing else to register:
# run.sh, l1-init.sh and the cmocka runner (test_linux) find it by its name.
# It runs in L1 (or on a host with hardware KVM) under `sh`, as:
#
#     # vibe-timeout: 90            <- optional header, seconds (default 120)
#     require_vmm_linux             # SKIP unless vibevmm can boot Linux
#     run_vibevmm boot "vibe.test=boot"
#     console_has boot "^VIBE-UNAME $VIBE_L2_KVER" || fail_with_console boot "no uname line"
#     [ "$vm_status" = 0 ] || fail_with_console boot "vibevmm exited $vm_status"
#     pass "init after ${vm_marker_ms} ms"
#
# A case ends with exactly one verdict: pass / fail / skip DETAIL (each
# exits the case). Guest-side steps go in tests/linux/guest/NAME.sh, run by
# the guest's /init for `vibe.test=NAME` on the kernel command line.
#
# Environment a case gets:
#   VIBE_ROOT        tree holding tests/linux/, bin/, machines/ (repo or L1 payload)
#   VIBE_TESTBED     l1 | direct
#   VIBE_CASE        this case's name
#   VIBE_SCRATCH     empty directory for this case, removed afterwards
#   VIBE_L2_KERNEL   the L2 guest kernel (Debian cloud bzImage)
#   VIBE_L2_INITRD   the L2 initramfs (busybox + guest-init.sh + guest tests)
#   VIBE_L2_KVER     its release, what `uname -r` prints in the guest
#   VIBE_VMM         path of bin/vibevmm (may not exist: check with has_vmm)
#   VIBE_QEMU        Debian's qemu-system-x86_64, or empty if not available
#   VIBE_VMRUN       the vmrun helper (see vmrun.c)
#   VIBE_GUEST_MIB / VIBE_GUEST_CPUS   guest size (default 256 / 1)
# After run_vm/run_qemu/run_vibevmm: vm_status vm_marker_ms vm_exit_ms
# vm_rss_kib vm_guest_kib vm_vmm_kib, and the console in $VIBE_SCRATCH/NAME.log.
# --------------------------------------------------------------------------

: "${VIBE_GUEST_MIB:=256}" "${VIBE_GUEST_CPUS:=1}"

_verdict() {
	printf '%s\n' "$*" > "$VIBE_RESULT_FILE"
	exit 0
}
pass() { _verdict PASS "$*"; }
fail() { _verdict FAIL "$*"; }
skip() { _verdict SKIP "$*"; }

# guest_cmdline WORDS...: the L2 command line: serial console, quiet (each
# console byte is a VM exit), panic=-1 so a panic ends the VM, plus WORDS.
guest_cmdline() {
	echo "console=ttyS0 quiet panic=-1 $*"
}

# run_vm NAME TIMEOUT CMD...: run a VMM under vmrun, console to
# $VIBE_SCRATCH/NAME.log, results into vm_* variables. Never fails itself.
run_vm() {
	_n=$1 _t=$2
	shift 2
	"$VIBE_VMRUN" -t "$_t" -m VIBE-INIT -g "$VIBE_GUEST_MIB" \
		-o "$VIBE_SCRATCH/$_n.log" -s "$VIBE_SCRATCH/$_n.sum" -- "$@" || true
	vm_status=255 vm_marker_ms=-1 vm_exit_ms=-1 vm_rss_kib=-1 vm_guest_kib=-1 vm_vmm_kib=-1
	if [ -f "$VIBE_SCRATCH/$_n.sum" ]; then
		# _k/_v: POSIX sh has no locals; callers' loop variables must survive.
		while IFS='=' read -r _k _v; do
			eval "vm_$_k=\$_v"
		done < "$VIBE_SCRATCH/$_n.sum"
	fi
}

# run_qemu NAME MACHINE CMDLINE [TIMEOUT] [EXTRA QEMU ARGS...]: boot the L2
# kernel and initramfs under Debian's QEMU with KVM. MACHINE: pc | microvm.
run_qemu() {
	_qn=$1 _qm=$2 _qc=$3 _qt=${4:-60}
	shift 3
	[ $# -gt 0 ] && shift
	run_vm "$_qn" "$_qt" "$VIBE_QEMU" -accel kvm -cpu host -M "$_qm" \
		-smp "$VIBE_GUEST_CPUS" -m "$VIBE_GUEST_MIB" \
		-nodefaults -no-user-config -display none -serial stdio -no-reboot \
		-kernel "$VIBE_L2_KERNEL" -initrd "$VIBE_L2_INITRD" -append "$_qc" "$@"
}

# run_vibevmm NAME CMDLINE [TIMEOUT] [EXTRA VIBEVMM ARGS...]: boot the L2
# kernel and initramfs under vibevmm (the machine compiled into bin/vibevmm).
run_vibevmm() {
	_vn=$1 _vc=$2 _vt=${3:-60}
	shift 2
	[ $# -gt 0 ] && shift
	run_vm "$_vn" "$_vt" "$VIBE_VMM" --mem "${VIBE_GUEST_MIB}M" \
		--kernel "$VIBE_L2_KERNEL" --initrd "$VIBE_L2_INITRD" --cmdline "$_vc" "$@"
}

# console_has NAME REGEX: the console of run NAME has a line matching REGEX.
console_has() {
	grep -q -- "$2" "$VIBE_SCRATCH/$1.log" 2>/dev/null
}

# fail_with_console NAME DETAIL: show the console's tail (indented, so no line
# of it reads as a verdict), then fail.
fail_with_console() {
	echo "--- $VIBE_CASE: last console lines of $1:"
	tail -n 15 "$VIBE_SCRATCH/$1.log" 2>/dev/null | sed 's/^/  | /'
	fail "$2"
}

# boot_timer_addr MACHINE_YAML: the mmio address of the machine's boot-timer
# device as the file gives it (the guest's init writes 123 there when it is
# passed as vibe.boottimer=ADDR), or nothing.
boot_timer_addr() {
	awk 'function out() { if (bt && a != "" && !done) { print a; done = 1; exit } }
	     /^ *- *name:/ { out(); bt = 0; a = "" }
	     /type: *boot-timer/ { bt = 1 }
	     /^ *mmio:/ { a = $0; sub(/.*mmio: */, "", a); sub(/[ #].*/, "", a) }
	     END { out() }' "$1" 2>/dev/null || true
}

has_qemu() { [ -n "${VIBE_QEMU:-}" ] && [ -x "$VIBE_QEMU" ]; }
has_vmm() { [ -x "$VIBE_VMM" ]; }

# vmm_linux_support: empty if vibevmm can boot a Linux kernel, else why not.
# Asks the binary itself: its --help must offer --kernel (the Linux loader's
# option) on a line that doesn't call it "not supported". Not hard-coded, so
# the cases start running (and can fail) the day the loader lands.
vmm_linux_support() {
	if ! has_vmm; then
		echo "vibevmm cannot boot Linux yet: bin/vibevmm is not built"
		return
	fi
	_kl=$("$VIBE_VMM" --help 2>&1 | grep -e '--kernel' || true)
	if [ -z "$_kl" ]; then
		echo "vibevmm cannot boot Linux yet: its --help offers no --kernel"
	elif echo "$_kl" | grep -qi 'not supported'; then
		echo "vibevmm cannot boot Linux yet: its --help says --kernel is not supported"
	fi
}

require_qemu() { has_qemu || skip "Debian's qemu-system-x86_64 not available"; }
require_vmm_linux() {
	_why=$(vmm_linux_support)
	[ -z "$_why" ] || skip "$_why"
}
