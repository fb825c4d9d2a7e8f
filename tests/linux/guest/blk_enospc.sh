# Guest test "blk_enospc" (case virtio_blk_enospc): the disk's image lives
# on a host file system too small for it; writing 16 MiB must end in an I/O
# error the guest sees, not a silent success.
n=0
while [ ! -b /dev/vda ] && [ $n -lt 100 ]; do sleep 0.1; n=$((n + 1)); done
if [ -b /dev/vda ]; then
	dd if=/dev/zero of=/dev/vda bs=1048576 count=16 conv=fsync 2>/tmp/dd.err
	rc=$?
	echo "VIBE-BLK-ENOSPC $rc $(tr '\n' ' ' < /tmp/dd.err | head -c 160)"
	if [ $rc != 0 ]; then result blk_enospc PASS "dd status $rc"; else result blk_enospc FAIL "16 MiB written without an error"; fi
else
	result blk_enospc FAIL "no /dev/vda"
fi
