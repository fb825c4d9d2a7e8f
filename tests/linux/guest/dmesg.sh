# Guest test "dmesg" (for bench-exits.sh, a profile, not a verdict): the
# kernel log with its timestamps, after the init marker so the printing
# costs nothing that is measured. Each line carries the gap to the one
# before, so the slow steps of the boot stand out.
dmesg | awk '{ t = substr($0, 2, index($0, "]") - 2) + 0; printf "VIBE-DMESG %+7.3f %s\n", t - p, $0; p = t }'
