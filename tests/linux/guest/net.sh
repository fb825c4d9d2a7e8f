# Guest test "net" (case virtio_net): vibe.net=GUEST_IP,HOST_IP. eth0 is
# the virtio-net device on the host's tap: ping the host, then fetch 1 MiB
# from host port 5001 and send 1 MiB to host port 5002 (busybox nc); the
# host compares the sha256 digests printed here.
addrs=$(arg net) || addrs=10.0.2.15,10.0.2.1
me=${addrs%,*} peer=${addrs#*,}
n=0
while [ ! -e /sys/class/net/eth0 ] && [ $n -lt 100 ]; do sleep 0.1; n=$((n + 1)); done
drv=$(basename "$(readlink /sys/class/net/eth0/device/driver 2>/dev/null)")
mac=$(cat /sys/class/net/eth0/address 2>/dev/null)
ip addr add "$me/24" dev eth0 && ip link set eth0 up
echo "VIBE-NET eth0 driver=$drv mac=$mac carrier=$(cat /sys/class/net/eth0/carrier 2>/dev/null)"
if ping -c 3 -W 5 "$peer" > /tmp/ping.out 2>&1; then
	result net-ping PASS "$(tail -n 1 /tmp/ping.out)"
else
	result net-ping FAIL "$(tail -n 2 /tmp/ping.out | tr '\n' ' ')"
fi
# The guest's stdin (the console) never ends, so nc stays until the host
# closes: the whole file has arrived then.
timeout 60 nc "$peer" 5001 > /tmp/h2g
echo "VIBE-NET-H2G $(sha256sum < /tmp/h2g | cut -d' ' -f1) $(wc -c < /tmp/h2g)"
dd if=/dev/urandom of=/tmp/g2h bs=1024 count=1024 2>/dev/null
echo "VIBE-NET-G2H $(sha256sum < /tmp/g2h | cut -d' ' -f1)"
timeout 60 nc "$peer" 5002 < /tmp/g2h
result net PASS "transfers done"
