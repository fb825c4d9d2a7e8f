# Guest test "panic": crash the kernel on purpose. With panic=-1 on the
# command line the kernel reboots at once, which must end the VMM.
echo "VIBE-PANIC"
echo 1 > /proc/sys/kernel/sysrq
echo c > /proc/sysrq-trigger
result panic FAIL "still running after sysrq-trigger c"
