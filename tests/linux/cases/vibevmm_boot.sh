# Case vibevmm_boot: vibevmm boots the L2 kernel to the project's init, the
# guest prints `uname -r`, and its `poweroff -f` ends vibevmm with status 0.
# vibe-timeout: 90
require_vmm_linux
run_vibevmm boot "$(guest_cmdline vibe.test=boot)" 60
console_has boot '^VIBE-INIT' || fail_with_console boot "no init marker (status $vm_status)"
console_has boot "^VIBE-UNAME $VIBE_L2_KVER" || fail_with_console boot "no 'VIBE-UNAME $VIBE_L2_KVER' line"
[ "$vm_status" = 0 ] || fail_with_console boot "vibevmm exited with status $vm_status after poweroff -f"
pass "init ${vm_marker_ms} ms, exit ${vm_exit_ms} ms, VMM memory ${vm_vmm_kib} KiB"
