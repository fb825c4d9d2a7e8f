# Guest test "blk_read" (sourced by the L2 /init): the virtio disk's
# sha256, size and read-only flag, for the host to compare with the image
# it made (case virtio_blk).
n=0
while [ ! -b /dev/vda ] && [ $n -lt 100 ]; do sleep 0.1; n=$((n + 1)); done
if [ -b /dev/vda ]; then
	echo "VIBE-BLK-SHA $(sha256sum < /dev/vda | cut -d' ' -f1)"
	echo "VIBE-BLK-SECTORS $(cat /sys/block/vda/size)"
	echo "VIBE-BLK-SERIAL $(cat /sys/block/vda/serial 2>/dev/null)"
	result blk_read PASS "ro=$(cat /sys/block/vda/ro)"
else
	result blk_read FAIL "no /dev/vda"
fi
