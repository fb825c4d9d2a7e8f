# Guest test "blk_write": write a 1 MiB file of random bytes to the disk at
# offset 1 MiB, fsync (a virtio-blk FLUSH) and sync, then report its
# sha256; the host finds the same bytes in its image after the poweroff.
n=0
while [ ! -b /dev/vda ] && [ $n -lt 100 ]; do sleep 0.1; n=$((n + 1)); done
if [ -b /dev/vda ]; then
	head -c 1048576 /dev/urandom > /tmp/file
	dd if=/tmp/file of=/dev/vda bs=4096 seek=256 conv=fsync 2>/tmp/dd.err
	rc=$?
	sync
	echo "VIBE-BLK-WROTE $rc $(sha256sum < /tmp/file | cut -d' ' -f1)"
	if [ $rc = 0 ]; then result blk_write PASS; else result blk_write FAIL "dd: $(cat /tmp/dd.err)"; fi
else
	result blk_write FAIL "no /dev/vda"
fi
