# Guest side of the snapshot_linux case (sourced by the L2 /init, which
# then starts its shell: the case boots with vibe.end=shell). A ticker in
# the background prints `VIBE-TICK N D` every 0.3 s: N counts up, and with
# a disk (/dev/vda) each tick first writes "VIBE-DISK N" to its first
# sector (fsync'd), drops the page cache and reads it back, so D is what
# the device returned. After a restore the host checks that N goes on
# without starting over (timers and the scheduler work) and that D keeps
# matching N (virtio-blk's queues survived).
n=0
while [ ! -b /dev/vda ] && [ $n -lt 30 ]; do sleep 0.1; n=$((n + 1)); done
(
	i=0
	while :; do
		i=$((i + 1))
		d=nodisk
		if [ -b /dev/vda ]; then
			printf 'VIBE-DISK %08d\n' "$i" | dd of=/dev/vda bs=512 count=1 conv=sync,fsync 2>/dev/null
			echo 3 > /proc/sys/vm/drop_caches
			d=$(dd if=/dev/vda bs=512 count=1 2>/dev/null | head -n 1 | cut -d' ' -f2)
		fi
		echo "VIBE-TICK $i $d"
		sleep 0.3
	done
) &
result snapshot PASS "ticker started"
