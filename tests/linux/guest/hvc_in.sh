# Guest test "hvc_in" (case virtio_console): read one line from the
# virtio console, which owns vibevmm's stdin (console=hvc0 is last on the
# command line), and report it for the host to compare.
n=0
while [ ! -c /dev/hvc0 ] && [ $n -lt 100 ]; do sleep 0.1; n=$((n + 1)); done
line=$(timeout 30 head -n 1 /dev/hvc0 | tr -d '\r')
echo "VIBE-HVC-IN $line"
if [ -n "$line" ]; then
	result hvc_in PASS "read a line from /dev/hvc0"
else
	result hvc_in FAIL "nothing read from /dev/hvc0"
fi
