# Guest side of `make bench-blk` (tests/linux/bench-blk.sh): sequential 1 MiB
# and random 4 KiB reads of the virtio disk with blkbench (guest/blkbench.c).
n=0
while [ ! -b /dev/vda ] && [ $n -lt 100 ]; do sleep 0.1; n=$((n + 1)); done
if [ -b /dev/vda ]; then
	blkbench seq /dev/vda
	blkbench rand /dev/vda "$(arg secs || echo 5)"
	result bench_blk PASS
else
	echo "bench_blk: virtio devices: $(ls /sys/bus/virtio/devices 2>&1 | tr '\n' ' ')"
	echo "bench_blk: modules: $(cut -d' ' -f1 /proc/modules | tr '\n' ' ')"
	dmesg | grep -i -e virtio -e vda | tail -n 5
	result bench_blk FAIL "no /dev/vda"
fi
