#!/bin/sh
# /init of the L2 test guest (busybox sh; runs as PID 1 in the initramfs).
#
# Kernel command-line words it reads (all optional; /proc/cmdline, since the
# kernel keeps dotted words away from init's argv and environment):
#   vibe.test=NAME    run /vibe/guest/NAME.sh (from tests/linux/guest/); without
#                     it, start an interactive shell on the console
#   vibe.end=poweroff|reboot|shell|halt
#                     what to do afterwards (default: poweroff when a test ran,
#                     shell otherwise); poweroff/reboot are the forced kinds
#                     (-f) so the VMM sees them at once
#   vibe.boottimer=ADDR
#                     physical address of a boot-timer device: write the magic
#                     123 there right after the marker (Firecracker's method)
#   vibe.nomods       don't load the virtio modules
#
# Console protocol (the host side greps for these at line start):
#   VIBE-INIT                      first line from init: the boot is done
#   VIBE-RESULT NAME PASS|FAIL ... a guest test's verdict (the `result` helper)
#   VIBE-END ACTION                init is about to power off / reboot / ...
# Keep the console light: each serial byte is a VM exit, ~50 us inside L1.

export PATH=/bin:/sbin:/usr/bin:/usr/sbin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev 2>/dev/null
# If the initramfs had no /dev/console node, init started without a console.
[ -t 1 ] || exec </dev/console >/dev/console 2>&1
echo VIBE-INIT

arg() { # arg NAME: value of vibe.NAME=VALUE, or "1" for a bare vibe.NAME
	for w in $(cat /proc/cmdline); do
		case "$w" in
		"vibe.$1="*) echo "${w#*=}"; return 0 ;;
		"vibe.$1") echo 1; return 0 ;;
		esac
	done
	return 1
}

# The boot timer first: it measures the time to init, so nothing goes before it.
if bt=$(arg boottimer); then
	devmem "$bt" 8 123 || echo "init: boot-timer write to $bt failed"
fi

mkdir -p /tmp /run
mount -t tmpfs tmpfs /tmp

# Debian builds the virtio drivers as modules; load them when present so
# virtio-mmio devices (found through ACPI) get their drivers. Cheap when unused.
if ! arg nomods >/dev/null && [ -f /lib/modules/load.order ]; then
	while read -r m; do
		insmod "/lib/modules/$m" 2>/dev/null
	done < /lib/modules/load.order
fi

# result NAME PASS|FAIL DETAIL...: one verdict line for the host to collect.
result() {
	n=$1 s=$2
	shift 2
	echo "VIBE-RESULT $n $s $*"
}

test=$(arg test) || test=
if [ -n "$test" ]; then
	if [ -f "/vibe/guest/$test.sh" ]; then
		. "/vibe/guest/$test.sh"
	else
		result "$test" FAIL "no guest test /vibe/guest/$test.sh"
	fi
	end=$(arg end) || end=poweroff
else
	end=$(arg end) || end=shell
fi

echo "VIBE-END $end"
case "$end" in
reboot) reboot -f ;;
halt) halt -f ;;
shell)
	# setsid + cttyhack give the shell a controlling tty (job control, ^C).
	setsid cttyhack sh
	poweroff -f ;;
*) poweroff -f ;;
esac
# poweroff -f returns only if it failed; PID 1 must not exit (kernel panic).
while :; do sleep 3600; done
