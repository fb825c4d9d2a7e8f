# Guest test "boot" (sourced by the L2 /init): report what the host checks
# after a boot: the kernel release and the number of online CPUs.
echo "VIBE-UNAME $(uname -r)"
echo "VIBE-NPROC $(nproc)"
result boot PASS "uname=$(uname -r) nproc=$(nproc)"
