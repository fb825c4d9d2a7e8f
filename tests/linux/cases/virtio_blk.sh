# Case virtio_blk: a raw image made here is read by the guest through
# virtio-blk (--disk blk0=IMG) and its sha256 matches; the guest writes a
# 1 MiB file to the disk, fsyncs and powers off, and the same bytes are in
# the image; with `,ro` the guest sees a read-only disk, its writes fail
# and the image stays as it was.
# vibe-timeout: 240
require_vmm_linux
img=$VIBE_SCRATCH/disk.img
head -c 8388608 /dev/urandom > "$img" || fail "cannot make an 8 MiB image in $VIBE_SCRATCH"
want=$(sha256sum < "$img" | cut -d' ' -f1)
field() { # field NAME PREFIX: the rest of the first console line starting with PREFIX
	tr -d '\r' < "$VIBE_SCRATCH/$1.log" | sed -n "s/^$2 //p" | head -n1
}

run_vibevmm read "$(guest_cmdline vibe.test=blk_read)" 90 --disk "blk0=$img" --log 3
console_has read '^VIBE-RESULT blk_read PASS' || fail_with_console read "guest test blk_read did not pass (status $vm_status)"
got=$(field read VIBE-BLK-SHA)
[ "$got" = "$want" ] || fail_with_console read "guest read sha256 '$got', the image's is $want"
[ "$(field read VIBE-BLK-SECTORS)" = 16384 ] || fail_with_console read "guest sees $(field read VIBE-BLK-SECTORS) sectors, not 16384"
[ "$vm_status" = 0 ] || fail_with_console read "vibevmm exited $vm_status after the poweroff"
# The fast paths, not the fallbacks, carried it (nested KVM has both).
paths=$(field read "[^:]*: debug: blk0: virtio fast paths:")
[ "$paths" = "notify ioeventfd, interrupt irqfd (level, resample)" ] ||
	fail_with_console read "blk0 used '$paths', not ioeventfd and the resample irqfd"
t_read=$vm_exit_ms

run_vibevmm write "$(guest_cmdline vibe.test=blk_write)" 90 --disk "blk0=$img"
console_has write '^VIBE-RESULT blk_write PASS' || fail_with_console write "guest test blk_write did not pass (status $vm_status)"
[ "$vm_status" = 0 ] || fail_with_console write "vibevmm exited $vm_status after the poweroff"
wrote=$(field write VIBE-BLK-WROTE)
host=$(dd if="$img" bs=4096 skip=256 count=256 2>/dev/null | sha256sum | cut -d' ' -f1)
[ "$wrote" = "0 $host" ] || fail_with_console write "guest wrote '$wrote', the image holds $host at 1 MiB"
before=$(sha256sum < "$img" | cut -d' ' -f1)

run_vibevmm ro "$(guest_cmdline vibe.test=blk_ro)" 90 --disk "blk0=$img,ro"
console_has ro '^VIBE-RESULT blk_ro PASS' || fail_with_console ro "guest test blk_ro did not pass (status $vm_status)"
after=$(sha256sum < "$img" | cut -d' ' -f1)
[ "$before" = "$after" ] || fail_with_console ro "the read-only image changed"
[ "$vm_status" = 0 ] || fail_with_console ro "vibevmm exited $vm_status after the poweroff"
pass "ioeventfd + resample irqfd; 8 MiB read back with the right sha256 (run ${t_read} ms); 1 MiB written and found; read-only: $(field ro VIBE-BLK-RO)"
