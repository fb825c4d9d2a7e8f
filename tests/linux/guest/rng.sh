# Guest test "rng" (case virtio_rng): /dev/hwrng is the virtio-rng device
# and gives bytes: two 4 KiB reads, full length, not all zero, different.
n=0
while [ ! -c /dev/hwrng ] && [ $n -lt 100 ]; do sleep 0.1; n=$((n + 1)); done
cur=$(cat /sys/class/misc/hw_random/rng_current 2>/dev/null)
rd() { dd if=/dev/hwrng bs=4096 count=1 iflag=fullblock 2>/dev/null; }
rd > /tmp/a
rd > /tmp/b
len=$(wc -c < /tmp/a)
nz=$(tr -d '\000' < /tmp/a | wc -c)
a=$(sha256sum < /tmp/a | cut -d' ' -f1)
b=$(sha256sum < /tmp/b | cut -d' ' -f1)
echo "VIBE-RNG current=$cur bytes=$len nonzero=$nz"
case "$cur" in
virtio_rng*)
	if [ "$len" = 4096 ] && [ "$nz" -gt 0 ] && [ "$a" != "$b" ]; then
		result rng PASS "$cur: 4096 bytes, $nz non-zero, two reads differ"
	else
		result rng FAIL "$cur: $len bytes, $nz non-zero, reads differ: $([ "$a" != "$b" ] && echo yes || echo no)"
	fi ;;
*) result rng FAIL "hwrng source is '$cur', not virtio_rng" ;;
esac
