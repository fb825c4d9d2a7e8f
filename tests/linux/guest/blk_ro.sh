# Guest test "blk_ro": on a read-only virtio disk (VIRTIO_BLK_F_RO) the
# kernel marks vda read-only and every write fails, also after trying
# `blockdev --setrw`; the host checks its image did not change.
n=0
while [ ! -b /dev/vda ] && [ $n -lt 100 ]; do sleep 0.1; n=$((n + 1)); done
if [ -b /dev/vda ]; then
	ro=$(cat /sys/block/vda/ro)
	echo x | dd of=/dev/vda bs=512 conv=sync,fsync 2>/dev/null
	rc1=$?
	blockdev --setrw /dev/vda 2>/dev/null
	echo x | dd of=/dev/vda bs=512 seek=8 conv=sync,fsync 2>/dev/null
	rc2=$?
	echo "VIBE-BLK-RO ro=$ro write=$rc1 after-setrw=$rc2"
	if [ "$ro" = 1 ] && [ $rc1 != 0 ] && [ $rc2 != 0 ]; then
		result blk_ro PASS "ro=$ro, writes failed ($rc1, $rc2)"
	else
		result blk_ro FAIL "ro=$ro write status $rc1, after setrw $rc2"
	fi
else
	result blk_ro FAIL "no /dev/vda"
fi
