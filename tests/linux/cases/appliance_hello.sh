# Case appliance_hello: the Linux appliance (vibegen --appliance
# machines/appliance-hello.yaml; make test builds it into
# build/tests/linux/l1-bin/, which mkinitramfs-l1.sh copies to /vibe/bin/)
# runs ALONE in an empty folder with no arguments: its embedded Debian kernel
# and busybox initramfs print the greeting and power off, and it exits 0.
# vibe-timeout: 120
app=
for f in "$VIBE_ROOT/bin/appliance-hello" "$VIBE_ROOT/build/tests/linux/l1-bin/appliance-hello"; do
	if [ -x "$f" ]; then app=$f; break; fi
done
[ -n "$app" ] || skip "no appliance-hello binary (make test builds it from the test bed's package cache; offline?)"
[ -c /dev/kvm ] || fail "no /dev/kvm"
dir=$VIBE_SCRATCH/empty
mkdir "$dir"
cp "$app" "$dir/appliance-hello"
cd "$dir"
[ "$(ls -A)" = appliance-hello ] || fail "the folder holds more than the appliance: $(ls -A | tr '\n' ' ')"
run_vm hello 90 ./appliance-hello
console_has hello '^Hello from appliance-hello: Linux ' || fail_with_console hello "no greeting (status $vm_status)"
[ "$vm_status" = 0 ] || fail_with_console hello "appliance exited with status $vm_status after poweroff -f"
pass "greeting and exit 0 after ${vm_exit_ms} ms; one $(wc -c < appliance-hello)-byte file, nothing beside it"
