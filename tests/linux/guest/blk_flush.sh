# Guest test "blk_flush" (case virtio_blk_kill): write numbered 512-byte
# records to sector N, each followed by fsync (a virtio-blk FLUSH), and say
# so on the console only after the flush returned. Runs until the host
# kills the VMM (or the disk is full); every record reported here must be
# on the host's file afterwards.
n=0
while [ ! -b /dev/vda ] && [ $n -lt 100 ]; do sleep 0.1; n=$((n + 1)); done
i=1
last=$(( $(cat /sys/block/vda/size 2>/dev/null || echo 0) - 1 ))
while [ $i -le $last ]; do
	printf 'VIBE-REC %08d\n' $i | dd of=/dev/vda bs=512 seek=$i conv=sync,fsync 2>/dev/null || {
		echo "VIBE-BLK-ERR $i"
		break
	}
	echo "VIBE-FLUSHED $i"
	i=$((i + 1))
done
result blk_flush FAIL "the loop ended at record $i without being killed"
