# Case qemu_l2_boot: Debian's QEMU with KVM boots the L2 kernel and the
# project's initramfs, as -M microvm and as -M pc. Proves the test bed itself
# (nested KVM in L1, the guest init, the console protocol) independently of
# vibevmm, and is the baseline bench-boot measures against.
# -M microvm gets rtc=on: without a CMOS RTC, Debian's built-in rtc_cmos driver
# polls the absent chip for ~16 s of L2 exits before giving up.
# vibe-timeout: 200
require_qemu
[ -c /dev/kvm ] || fail "no /dev/kvm"
detail=
for m in microvm pc; do
	mach=$m
	[ "$m" != microvm ] || mach=microvm,rtc=on
	run_qemu "$m" "$mach" "$(guest_cmdline vibe.test=boot)" 90
	console_has "$m" '^VIBE-INIT' || fail_with_console "$m" "-M $m: no init marker (status $vm_status)"
	console_has "$m" "^VIBE-UNAME $VIBE_L2_KVER" || fail_with_console "$m" "-M $m: no 'VIBE-UNAME $VIBE_L2_KVER' line"
	console_has "$m" '^VIBE-RESULT boot PASS' || fail_with_console "$m" "-M $m: guest test boot did not pass"
	[ "$vm_status" = 0 ] || fail_with_console "$m" "-M $m: QEMU exited with status $vm_status after poweroff"
	detail="$detail $m: init ${vm_marker_ms} ms, exit ${vm_exit_ms} ms;"
done
pass "${detail# }"
