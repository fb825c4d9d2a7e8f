# Case snapshot_linux: a Linux guest snapshotted after boot comes back, goes
# on running and answers on its console (docs/architecture/snapshots.md).
#  1. vibevmm boots the L2 kernel with vibe.test=snapshot vibe.end=shell
#     (tests/linux/guest/snapshot.sh starts a ticker printing VIBE-TICK N D
#     every 0.3 s, D read back from a virtio-blk disk when vibevmm has
#     --disk), then the init's shell; with --api-socket. After a few ticks
#     `vibe-api SOCK pause "snapshot F"` (tests/snapshot/vibe_api.c, in L1's
#     /vibe/bin) writes the snapshot; vibevmm is killed with SIGKILL;
#  2. `vibevmm --restore F` with stdin on a FIFO: the ticks must go on
#     from the last one before the snapshot (no restart: timers, interrupts
#     and the scheduler work after restore), each disk read-back matching
#     its tick (virtio-blk's queues survived), and a command typed on the
#     FIFO must be answered by the restored shell.
# vibe-timeout: 200
require_vmm_linux
"$VIBE_VMM" --help 2>&1 | grep -q -e '--api-socket' || skip "this vibevmm has no --api-socket"
api=
for f in /vibe/bin/vibe-api "$VIBE_ROOT/build/tests/linux/l1-bin/vibe-api"; do
	if [ -x "$f" ]; then api=$f; break; fi
done
[ -n "$api" ] || fail "no vibe-api helper (make test builds build/tests/linux/l1-bin/vibe-api)"
S=$VIBE_SCRATCH
snap=$S/linux.snap

# wait_log FILE REGEX SECONDS: poll until FILE has a line matching REGEX.
wait_log() {
	_i=0
	while [ $_i -lt $(($3 * 10)) ]; do
		grep -q -- "$2" "$1" 2>/dev/null && return 0
		sleep 0.1
		_i=$((_i + 1))
	done
	return 1
}
ms() { # milliseconds of uptime (busybox date has no %N)
	read -r _up _rest </proc/uptime
	echo "${_up%.*}${_up#*.}0"
}
ticks() { # ticks FILE: its complete VIBE-TICK lines (serial lines end in \r)
	tr -d '\r' <"$1" | grep -a '^VIBE-TICK [0-9]* [0-9a-z]*$'
}
show() { # show FILE: its tail, indented so no line reads as a verdict
	echo "--- $VIBE_CASE: last lines of $1:"
	tail -n 15 "$1" 2>/dev/null | sed 's/^/  | /'
}

# ---- 1: boot, tick, snapshot, kill ----
disk_args=
if "$VIBE_VMM" --help 2>&1 | grep -q -e '--disk'; then
	dd if=/dev/zero of="$S/disk.img" bs=1M count=4 2>/dev/null
	disk_args="--disk blk0=$S/disk.img"
fi
# shellcheck disable=SC2086 # disk_args: zero or two words
"$VIBE_VMM" --mem "${VIBE_GUEST_MIB}M" --kernel "$VIBE_L2_KERNEL" --initrd "$VIBE_L2_INITRD" \
	--cmdline "$(guest_cmdline vibe.test=snapshot vibe.end=shell)" --api-socket "$S/a.sock" \
	$disk_args </dev/null >"$S/boot.log" 2>&1 &
vmm=$!
if ! wait_log "$S/boot.log" '^VIBE-TICK 5 ' 90; then
	kill -9 $vmm 2>/dev/null
	show "$S/boot.log"
	fail "the guest did not reach its fifth tick"
fi
t0=$(ms)
if ! "$api" "$S/a.sock" pause "snapshot $snap" >"$S/api.out" 2>&1; then
	kill -9 $vmm 2>/dev/null
	cat "$S/api.out"
	show "$S/boot.log"
	fail "snapshot through the api socket failed"
fi
t1=$(ms)
kill -9 $vmm
wait $vmm 2>/dev/null
size=$(wc -c <"$snap")
# The ticker's last line before the pause (a cut last line is not a tick).
last=$(ticks "$S/boot.log" | tail -n 1 | cut -d' ' -f2)

# ---- 2: restore: ticks go on, the disk reads back, the shell answers ----
mkfifo "$S/in"
exec 3<>"$S/in" # read-write: opening never blocks, and the FIFO never sees EOF
t2=$(ms)
# The disk image is a host resource, given again as for the saved run.
# shellcheck disable=SC2086
"$VIBE_VMM" --restore "$snap" --api-socket "$S/b.sock" --log 3 $disk_args <"$S/in" >"$S/restore.log" 2>&1 &
vmm=$!
"$api" "$S/b.sock" >/dev/null 2>&1 # no command: returns once the socket accepts
next=$((last + 1))
if ! wait_log "$S/restore.log" "^VIBE-TICK $((last + 3)) " 30; then
	kill -9 $vmm 2>/dev/null
	show "$S/boot.log"
	show "$S/restore.log"
	fail "the restored guest did not tick on from $last"
fi
t3=$(ms)
first=$(ticks "$S/restore.log" | head -n 1 | cut -d' ' -f2)
[ "$first" = "$next" ] || { show "$S/restore.log"; fail "ticks went from $last to $first across the restore"; }
# Every tick's disk read-back names the tick itself.
bad=$(ticks "$S/restore.log" | awk '$3 != "nodisk" && $3 + 0 != $2 + 0' | head -n 1)
[ -z "$bad" ] || { show "$S/restore.log"; fail "disk read-back differs after restore: $bad"; }
echo 'echo VIBE-ANSWER $((6 * 7))' >&3
answer="answered on the console"
if ! wait_log "$S/restore.log" '^VIBE-ANSWER 42' 20; then
	# A machine with a virtio console may route stdin to it although the
	# guest's console is ttyS0 (a console-routing matter, not a snapshot
	# one): say so rather than fail on it.
	if grep -q 'virtio console.*input from stdin' "$S/restore.log"; then
		answer="console input NOT checked: vibevmm gave stdin to the virtio console, the guest reads ttyS0"
	else
		kill -9 $vmm 2>/dev/null
		show "$S/restore.log"
		fail "the restored guest did not answer on its console"
	fi
fi
"$api" "$S/b.sock" quit >/dev/null 2>&1
wait $vmm
st=$?
exec 3>&-
[ "$st" = 0 ] || { show "$S/restore.log"; fail "restored vibevmm exited $st after quit"; }

disk="disk: skipped, this vibevmm has no virtio-blk (--help offers no --disk)"
if [ -n "$disk_args" ]; then
	# After quit the image holds the last tick the restored guest wrote.
	# (leading zeros off: sh would read 00000012 as octal)
	img=$(head -c 18 "$S/disk.img" | cut -d' ' -f2 | sed 's/^0*//')
	lastr=$(ticks "$S/restore.log" | tail -n 1 | cut -d' ' -f2)
	[ "${img:-0}" -ge "${lastr:-0}" ] || fail "disk image holds tick '$img', the guest last read back tick $lastr"
	disk="disk consistent (image at tick $img)"
fi
pass "snapshot $((size / 1048576)) MiB in $((t1 - t0)) ms; ticks $last -> $first, first $((t3 - t2)) ms after --restore; $answer; $disk"
