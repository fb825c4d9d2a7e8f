# Case virtio_blk_enospc (issue 7, data safety): the image is a sparse
# 32 MiB file on a 4 MiB tmpfs; the guest's 16 MiB write fills it, and the
# host's ENOSPC must reach the guest as an I/O error (its dd fails), with
# vibevmm saying why on stderr.
# vibe-timeout: 120
require_vmm_linux
mnt=$VIBE_SCRATCH/small
mkdir -p "$mnt"
mount -t tmpfs -o size=4m vibe-small "$mnt" || skip "cannot mount a small tmpfs (not root?)"
truncate -s 32M "$mnt/disk.img" || { umount "$mnt"; fail "cannot make the image"; }
run_vibevmm enospc "$(guest_cmdline vibe.test=blk_enospc)" 90 --disk "blk0=$mnt/disk.img"
umount "$mnt"
console_has enospc '^VIBE-RESULT blk_enospc PASS' || fail_with_console enospc "guest test blk_enospc did not pass (status $vm_status)"
console_has enospc 'No space left on device' || fail_with_console enospc "vibevmm did not log the host's ENOSPC"
[ "$vm_status" = 0 ] || fail_with_console enospc "vibevmm exited $vm_status after the poweroff"
pass "guest: $(tr -d '\r' < "$VIBE_SCRATCH/enospc.log" | sed -n 's/^VIBE-BLK-ENOSPC //p' | head -n1 | cut -c1-80)"
