# Case virtio_console: the guest's /dev/hvc0 carries a line each way.
#  out: with --console console0=file:PATH the line the guest writes to
#       hvc0 lands in PATH (and not on the serial console);
#  in:  with console=hvc0 last on the kernel command line the virtio
#       console owns vibevmm's stdin: a line piped into vibevmm is what
#       the guest reads from hvc0.
# vibe-timeout: 150
require_vmm_linux
tok=$$-$(date +%s)

run_vibevmm hvc_out "$(guest_cmdline vibe.test=hvc_out vibe.hvc=$tok)" 60 \
	--console "console0=file:$VIBE_SCRATCH/hvc0.out"
grep -q "^VIBE-HVC-OUT $tok" "$VIBE_SCRATCH/hvc0.out" 2>/dev/null ||
	fail_with_console hvc_out "'VIBE-HVC-OUT $tok' not in the console file (it has $(wc -c < "$VIBE_SCRATCH/hvc0.out" 2>/dev/null) bytes)"
console_has hvc_out "^VIBE-HVC-OUT" && fail_with_console hvc_out "hvc0's line also reached stdout"
[ "$vm_status" = 0 ] || fail_with_console hvc_out "vibevmm exited $vm_status after the poweroff"

# vmrun gives the VMM /dev/null as stdin: a shell in between gives it the file.
printf 'VIBE-HOST-LINE %s\n' "$tok" > "$VIBE_SCRATCH/hvc0.in"
run_vm hvc_in 60 sh -c 'f=$1; shift; exec "$@" < "$f"' sh "$VIBE_SCRATCH/hvc0.in" \
	"$VIBE_VMM" --mem "${VIBE_GUEST_MIB}M" --kernel "$VIBE_L2_KERNEL" --initrd "$VIBE_L2_INITRD" \
	--cmdline "$(guest_cmdline vibe.test=hvc_in) console=hvc0"
console_has hvc_in "^VIBE-HVC-IN VIBE-HOST-LINE $tok" ||
	fail_with_console hvc_in "the guest did not read 'VIBE-HOST-LINE $tok' from hvc0"
[ "$vm_status" = 0 ] || fail_with_console hvc_in "vibevmm exited $vm_status after the poweroff"
pass "guest->file and stdin->guest lines through hvc0"
