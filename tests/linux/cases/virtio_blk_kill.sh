# Case virtio_blk_kill (issue 7, data safety): the guest writes numbered
# records, each followed by fsync (a virtio-blk FLUSH), and reports each
# only after its flush returned; vibevmm is killed with SIGKILL at a random
# moment; every record the guest reported must then be in the image file.
# Two rounds, each killed at a different random point.
# vibe-timeout: 240
require_vmm_linux
img=$VIBE_SCRATCH/flush.img
total=0 detail=
for r in 1 2; do
	rm -f "$img"
	truncate -s 16M "$img" || fail "cannot make an image in $VIBE_SCRATCH"
	log=$VIBE_SCRATCH/kill$r.log
	: > "$log" # before the VMM's own redirection, which races with the grep below
	"$VIBE_VMM" --mem "${VIBE_GUEST_MIB}M" --kernel "$VIBE_L2_KERNEL" --initrd "$VIBE_L2_INITRD" \
		--cmdline "$(guest_cmdline vibe.test=blk_flush)" --disk "blk0=$img" </dev/null >"$log" 2>&1 &
	pid=$!
	n=0
	until grep -q '^VIBE-FLUSHED' "$log"; do
		n=$((n + 1))
		if [ $n -gt 600 ] || ! kill -0 $pid 2>/dev/null; then
			kill -9 $pid 2>/dev/null
			wait $pid 2>/dev/null
			fail_with_console kill$r "round $r: no record flushed within 60 s"
		fi
		sleep 0.1
	done
	# The moment: 0 to 4 s after the first flushed record, in 10 ms steps.
	d=$(( $(od -An -N2 -tu2 /dev/urandom | tr -d ' ') % 400 ))
	sleep "$((d / 100)).$(printf '%02d' $((d % 100)))" # busybox and GNU sleep take fractions
	kill -9 $pid
	wait $pid 2>/dev/null
	tr -d '\r' < "$log" | sed -n 's/^VIBE-FLUSHED \([0-9]*\)$/\1/p' > "$VIBE_SCRATCH/flushed"
	k=0
	while read -r i; do
		got=$(dd if="$img" bs=512 skip="$i" count=1 2>/dev/null | head -c 17)
		[ "$got" = "$(printf 'VIBE-REC %08d' "$i")" ] ||
			fail_with_console kill$r "round $r (killed after $((d * 10)) ms): record $i was reported flushed but the image has '$got'"
		k=$((k + 1))
	done < "$VIBE_SCRATCH/flushed"
	[ $k -gt 0 ] || fail_with_console kill$r "round $r: no record reported"
	total=$((total + k))
	detail="$detail round $r: killed $((d * 10)) ms after the first record, $k flushed records all on the file;"
done
pass "${detail# }"
