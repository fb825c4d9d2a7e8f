# Case vibevmm_smp: on a two-vCPU machine (tests/linux/machines/virt-2cpu.yaml,
# compiled into its own vibevmm-2cpu by tests/linux/rules.mk) Linux brings
# up both vCPUs: `nproc` in the guest is 2; poweroff -f ends it with status 0.
# vibe-timeout: 120
require_vmm_linux
vmm2=
for f in "$(dirname "$VIBE_VMM")/vibevmm-2cpu" "$VIBE_ROOT/build/tests/linux/l1-bin/vibevmm-2cpu"; do
	[ -x "$f" ] && { vmm2=$f; break; }
done
[ -n "$vmm2" ] || fail "no vibevmm-2cpu (make test builds it into build/tests/linux/l1-bin/)"
VIBE_VMM=$vmm2
run_vibevmm smp "$(guest_cmdline vibe.test=boot)" 90
console_has smp '^VIBE-INIT' || fail_with_console smp "no init marker (status $vm_status)"
n=$(tr -d '\r' < "$VIBE_SCRATCH/smp.log" | sed -n 's/^VIBE-NPROC //p' | head -n1)
[ "$n" = 2 ] || fail_with_console smp "nproc is '$n', not 2 (the machine's vcpus)"
[ "$vm_status" = 0 ] || fail_with_console smp "vibevmm exited with status $vm_status after poweroff -f"
pass "nproc 2, init ${vm_marker_ms} ms, exit ${vm_exit_ms} ms"
