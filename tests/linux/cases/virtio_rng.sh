# Case virtio_rng: the guest's /dev/hwrng is vibevmm's virtio-rng and
# gives bytes (two 4 KiB reads: full length, not all zero, different).
# vibe-timeout: 90
require_vmm_linux
run_vibevmm rng "$(guest_cmdline vibe.test=rng)" 60
console_has rng '^VIBE-RESULT rng PASS' || fail_with_console rng "guest test rng did not pass (status $vm_status)"
[ "$vm_status" = 0 ] || fail_with_console rng "vibevmm exited $vm_status after the poweroff"
pass "$(tr -d '\r' < "$VIBE_SCRATCH/rng.log" | sed -n 's/^VIBE-RNG //p' | head -n1)"
