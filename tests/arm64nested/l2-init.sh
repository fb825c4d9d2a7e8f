#!/bin/busybox sh
# Init of the arm64 Linux guest that vibevmm boots inside L1 (tests/arm64nested;
# packed as /init of l2.cpio). Its console is vibevmm's PL011, i.e. vibevmm's
# stdout, which l1-init.sh reads; every line it judges starts with "L2 ".
#   default     load the virtio modules, print the sha256 of /dev/vda (the
#               --disk image), say "L2 UP", echo one line read from the
#               console (typed into vibevmm's stdin: the PL011 RX path)
#   vibe.smp    (on the command line) only report the CPUs that came up
# then power off: PSCI SYSTEM_OFF, which ends vibevmm with status 0.
/bin/busybox --install -s /bin
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev
read -r up _ < /proc/uptime
echo "L2 INIT uptime=${up}s"

if grep -q vibe.smp /proc/cmdline; then
	# Linux starts CPU 1 with PSCI CPU_ON (enable-method "psci" in the FDT).
	echo "L2 NPROC $(nproc) $(dmesg | grep -o 'PSCIv[0-9.]*' | head -n1) $(dmesg | grep -o 'Brought up.*' | head -n1)"
	poweroff -f
fi

# Debian builds virtio-mmio and virtio-blk as modules; the virtio core is
# built in. load.order is written on the host, dependencies first.
while read -r m; do insmod "/mods/$m"; done < /mods/load.order
n=0
while [ ! -b /dev/vda ] && [ $n -lt 50 ]; do sleep 0.1; n=$((n + 1)); done
echo "L2 BLK $(sha256sum /dev/vda 2>&1 | cut -d' ' -f1)"
echo "L2 UP"
read -r -t 30 line
echo "L2 GOT <$line>"
poweroff -f
