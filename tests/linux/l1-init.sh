#!/bin/sh
# /init of the L1 test-bed guest (busybox sh, PID 1), booted by run.sh under
# QEMU TCG with an emulated AMD SVM CPU. It turns this VM into a KVM host
# (kvm-amd with nested paging) and runs the Linux cases in it; their VMs are L2.
#
# Kernel command-line words:
#   vibe.cases=a,b,...   run only these cases (default: every cases/*.sh)
#   vibe.bench=NAME      run tests/linux/bench-NAME.sh instead of the cases
#   vibe.args=a,b,...    arguments for the bench script (commas become spaces)
#   vibe.shell           interactive: a shell on the console instead (run.sh --shell)
#   vibe.shell=vibevmm   interactive: vibevmm boots the L2 guest to its shell on the
#                        console, and L1 powers off when it exits (run.sh --shell vibevmm)
# Console protocol towards run.sh (line starts):
#   VIBE-L1-UP           init started (run.sh timestamps it: L1 boot time)
#   VIBE-RESULT ...      one verdict per case (printed by run-case.sh)
#   VIBE-BENCH ...       a bench script's output lines
#   VIBE-DONE            all done; poweroff follows
export PATH=/bin:/sbin:/usr/bin:/usr/sbin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev 2>/dev/null
[ -t 1 ] || exec </dev/console >/dev/console 2>&1
mkdir -p /tmp && mount -t tmpfs tmpfs /tmp
echo "VIBE-L1-UP $(cut -d' ' -f1 /proc/uptime)"

arg() { # arg NAME: value of vibe.NAME=VALUE, or "1" for a bare vibe.NAME
	for w in $(cat /proc/cmdline); do
		case "$w" in
		"vibe.$1="*) echo "${w#*=}"; return 0 ;;
		"vibe.$1") echo 1; return 0 ;;
		esac
	done
	return 1
}

done_() {
	echo "VIBE-DONE $(cut -d' ' -f1 /proc/uptime)"
	sync
	poweroff -f
	while :; do sleep 3600; done
}

# KVM: insmod in dependency order (load.order, from mkinitramfs-l1.sh);
# kvm_amd with npt=1 so L2 runs on nested paging rather than shadow page
# tables (far fewer exits under TCG), and nested=1 so an L2 may itself use SVM.
kvm_err=
while read -r m; do
	case "$m" in
	kvm-amd.ko) insmod "/lib/modules/$m" nested=1 npt=1 ;;
	*) insmod "/lib/modules/$m" ;;
	esac 2>/tmp/insmod.err || kvm_err="$kvm_err insmod $m: $(cat /tmp/insmod.err);"
done < /lib/modules/load.order
[ -c /dev/kvm ] || kvm_err="no /dev/kvm after loading kvm-amd;$kvm_err"
echo "VIBE-L1-KVM ${kvm_err:-ok} $(cut -d' ' -f1 /proc/uptime)"

export VIBE_ROOT=/vibe VIBE_TESTBED=l1
. /vibe/env.sh   # VIBE_L2_KERNEL VIBE_L2_INITRD VIBE_L2_KVER VIBE_VMM VIBE_QEMU VIBE_VMRUN

if [ "$(arg shell)" = vibevmm ]; then
	echo "L1 (KVM: ${kvm_err:-ok}): vibevmm boots the L2 guest; its shell's poweroff -f ends vibevmm and L1"
	# setsid + cttyhack: vibevmm gets the console as its controlling tty and
	# is its foreground group, so its console input (raw mode) is on.
	# --log 0: the warnings about Linux's port probes would litter the shell.
	setsid cttyhack /vibe/bin/vibevmm --log 0 --mem 256M --kernel "$VIBE_L2_KERNEL" \
		--initrd "$VIBE_L2_INITRD" --cmdline "console=ttyS0 quiet"
	echo "VIBE-SHELL-EXIT vibevmm exited with status $?"
	done_
fi
if arg shell >/dev/null; then
	cat <<EOF
L1 test bed shell (KVM: ${kvm_err:-ok}). Boot the L2 guest to its shell:
  /vibe/bin/vibevmm --kernel \$VIBE_L2_KERNEL --initrd \$VIBE_L2_INITRD --cmdline console=ttyS0
  qemu-system-x86_64 -accel kvm -cpu host -M microvm,rtc=on -m 256 -nodefaults -no-user-config \\
    -display none -serial stdio -kernel \$VIBE_L2_KERNEL -initrd \$VIBE_L2_INITRD -append console=ttyS0
Cases: sh /vibe/tests/linux/run-case.sh NAME (in /vibe/tests/linux/cases). exit: power off.
EOF
	setsid cttyhack sh
	done_
fi

if bench=$(arg bench); then
	if [ -n "$kvm_err" ]; then
		echo "VIBE-BENCH error: $kvm_err"
	else
		args=$(arg args | tr ',' ' ') || args=
		# shellcheck disable=SC2086
		sh "/vibe/tests/linux/bench-$bench.sh" $args
	fi
	done_
fi

if cases=$(arg cases); then
	cases=$(echo "$cases" | tr ',' ' ')
else
	cases=$(cd /vibe/tests/linux/cases && ls *.sh 2>/dev/null | sed 's/\.sh$//')
fi
for c in $cases; do
	if [ -n "$kvm_err" ]; then
		echo "VIBE-RESULT $c FAIL L1 has no usable KVM: $kvm_err"
	else
		sh /vibe/tests/linux/run-case.sh "$c"
	fi
done
done_
