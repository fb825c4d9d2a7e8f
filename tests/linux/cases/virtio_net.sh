# Case virtio_net: vibevmm's virtio-net on a tap made here (in L1). The
# guest's eth0 and the tap get addresses on 10.0.2.0/24; the guest pings
# the host, then 1 MiB goes each way over TCP (busybox nc), each checked
# by sha256 on the receiving side against the sender's digest.
# vibe-timeout: 180
require_vmm_linux
[ -c /dev/net/tun ] || skip "no /dev/net/tun (tun module not loaded)"
tap=vibetap0 host=10.0.2.1 guest=10.0.2.15
ip link del "$tap" 2>/dev/null
if command -v tunctl >/dev/null 2>&1; then
	tunctl -t "$tap" >/dev/null
else
	ip tuntap add dev "$tap" mode tap
fi || fail "cannot create tap $tap"
ip addr add "$host/24" dev "$tap" && ip link set "$tap" up || fail "cannot configure tap $tap"

# Host -> guest: a listener that sends 1 MiB to whoever connects.
dd if=/dev/urandom of="$VIBE_SCRATCH/h2g" bs=1024 count=1024 2>/dev/null
h2g=$(sha256sum < "$VIBE_SCRATCH/h2g" | cut -d' ' -f1)
nc -l -p 5001 < "$VIBE_SCRATCH/h2g" > /dev/null 2>&1 &
send_pid=$!
# Guest -> host: a listener that stores what it gets. Its stdin must stay
# open (busybox nc ends the connection when its stdin ends): a fifo held
# by a sleeper.
mkfifo "$VIBE_SCRATCH/hold"
sleep 170 > "$VIBE_SCRATCH/hold" &
hold_pid=$!
nc -l -p 5002 < "$VIBE_SCRATCH/hold" > "$VIBE_SCRATCH/g2h" 2>/dev/null &
recv_pid=$!

run_vibevmm net "$(guest_cmdline vibe.test=net vibe.net=$guest,$host)" 120 --net "net0=tap:$tap"
kill "$send_pid" "$recv_pid" "$hold_pid" 2>/dev/null
ip link del "$tap" 2>/dev/null

console_has net '^VIBE-RESULT net-ping PASS' || fail_with_console net "guest could not ping the host through the tap"
console_has net "^VIBE-NET-H2G $h2g" || fail_with_console net "host->guest: guest's sha256 is not $h2g"
g2h=$(tr -d '\r' < "$VIBE_SCRATCH/net.log" | sed -n 's/^VIBE-NET-G2H //p' | head -n1)
got=$(sha256sum < "$VIBE_SCRATCH/g2h" | cut -d' ' -f1)
[ -n "$g2h" ] && [ "$g2h" = "$got" ] ||
	fail_with_console net "guest->host: host got $(wc -c < "$VIBE_SCRATCH/g2h") bytes, sha256 $got, guest sent '$g2h'"
[ "$vm_status" = 0 ] || fail_with_console net "vibevmm exited $vm_status after the poweroff"
pass "$(tr -d '\r' < "$VIBE_SCRATCH/net.log" | sed -n 's/^VIBE-RESULT net-ping PASS //p' | head -n1); 1 MiB each way, sha256 match"
