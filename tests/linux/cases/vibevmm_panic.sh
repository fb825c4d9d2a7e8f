# Case vibevmm_panic: a kernel panic (sysrq c, with panic=-1) ends vibevmm.
# vibe-timeout: 90
require_vmm_linux
run_vibevmm panic "$(guest_cmdline vibe.test=panic)" 60
console_has panic '^VIBE-PANIC' || fail_with_console panic "guest never reached the panic test (status $vm_status)"
[ "$vm_status" != 124 ] || fail_with_console panic "vibevmm still running 60 s after the panic"
pass "vibevmm exited with status $vm_status after the panic"
