# Guest test "hvc_out" (case virtio_console): write one line to the
# virtio console; the host finds it in the file its output goes to.
tok=$(arg hvc) || tok=none
n=0
while [ ! -c /dev/hvc0 ] && [ $n -lt 100 ]; do sleep 0.1; n=$((n + 1)); done
if echo "VIBE-HVC-OUT $tok" > /dev/hvc0; then
	result hvc_out PASS "wrote a line to /dev/hvc0"
else
	result hvc_out FAIL "cannot write /dev/hvc0"
fi
