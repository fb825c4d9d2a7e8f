# Case vibevmm_reboot: the guest's `reboot -f` ends vibevmm with status 0.
# vibe-timeout: 90
require_vmm_linux
run_vibevmm reboot "$(guest_cmdline vibe.end=reboot vibe.test=boot)" 60
console_has reboot '^VIBE-END reboot' || fail_with_console reboot "guest never reached reboot (status $vm_status)"
[ "$vm_status" = 0 ] || fail_with_console reboot "vibevmm exited with status $vm_status after reboot -f"
pass "exit ${vm_exit_ms} ms"
