# Case vibevmm_boot: vibevmm boots the L2 kernel to the project's init, the
# guest prints `uname -r` and `nproc` (1: the machine's vcpus), its init
# writes the boot timer (the `boot-timer: guest init reached after N ms`
# line on vibevmm's stderr), and its `poweroff -f` ends vibevmm with status 0.
# vibe-timeout: 90
require_vmm_linux
bt=$(boot_timer_addr "$VIBE_ROOT/machines/virt.yaml")
[ -n "$bt" ] || fail "no boot_timer with an mmio address in machines/virt.yaml"
run_vibevmm boot "$(guest_cmdline vibe.test=boot vibe.boottimer=$bt)" 60
console_has boot '^VIBE-INIT' || fail_with_console boot "no init marker (status $vm_status)"
console_has boot "^VIBE-UNAME $VIBE_L2_KVER" || fail_with_console boot "no 'VIBE-UNAME $VIBE_L2_KVER' line"
console_has boot '^VIBE-NPROC 1' || fail_with_console boot "nproc is not 1 (the machine's vcpus)"
console_has boot 'boot-timer: guest init reached after' || fail_with_console boot "no boot-timer line (guest wrote 123 to $bt)"
console_has boot '^VIBE-END poweroff' || fail_with_console boot "the guest never reached poweroff -f"
[ "$vm_status" = 0 ] || fail_with_console boot "vibevmm exited with status $vm_status after poweroff -f"
t=$(sed -n 's/.*boot-timer: guest init reached after \([0-9.]*\) ms.*/\1/p' "$VIBE_SCRATCH/boot.log" | head -n1)
pass "init ${vm_marker_ms} ms (boot timer ${t} ms), exit ${vm_exit_ms} ms, VMM memory ${vm_vmm_kib} KiB"
