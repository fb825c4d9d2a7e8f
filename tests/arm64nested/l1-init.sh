#!/bin/busybox sh
# Init of the outer arm64 guest ("L1") of the nested test; run.sh packs it as
# /init with the aarch64 vibevmm builds, the raw guests, the arm64 Linux Image,
# l2.cpio and disk.img. L1's kernel brought KVM up at EL2, so vibevmm runs its
# guests here under KVM. One line per check and step on the console:
#   VIBE-RESULT NAME PASS|FAIL DETAIL
#   VIBE-TIME NAME SECONDS     (L1's clock, /proc/uptime: 10 ms steps)
# then VIBE-DONE, and L1 powers off. Every vibevmm run is bounded by
# `timeout`, so one hung guest costs its own limit, not the whole run's.
/bin/busybox --install -s /bin
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev
echo "VIBE-ARM64-L1-UP"
. /expect.env

now() { read -r u _ < /proc/uptime; echo "$u"; }
since() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.2f", b - a }'; }
result() { echo "VIBE-RESULT $*"; }
# A FAIL's detail: the last lines of a run's output, on one line.
gist() { tail -n "${2:-4}" "$1" | tr -d '\r' | tr '\n' '|' | cut -c1-300; }
# The full output stays in the console log, prefixed, for diagnosis.
show() { tr -d '\r' < "$2" | sed "s/^/$1| /"; }
echo "VIBE-TIME l1_boot $(now)"

if [ ! -c /dev/kvm ]; then
	for c in raw_guest isv0_stp abort_inject linux_init virtio_blk pl011_rx smp_2cpus; do
		result $c FAIL "no /dev/kvm in L1: its kernel did not bring KVM up at EL2 ($(dmesg | grep -m1 -i 'kvm' | cut -c1-120))"
	done
	echo VIBE-DONE
	poweroff -f
fi

# raw NAME BIN PASS_DETAIL EXPECTED_LINE...: run a raw guest; it passes
# with exit status 0 and every expected line in its output.
raw() {
	name=$1 bin=$2 detail=$3
	shift 3
	t0=$(now)
	timeout 30 /vibevmm --binary "/$bin" --entry 0x40080000 > "/tmp/$name.out" 2>&1
	rc=$?
	echo "VIBE-TIME $name $(since "$t0")"
	show "$name" "/tmp/$name.out"
	missing=
	for want in "$@"; do
		grep -qF "$want" "/tmp/$name.out" || missing="$missing '$want'"
	done
	if [ $rc -eq 0 ] && [ -z "$missing" ]; then
		result "$name" PASS "$detail"
	else
		result "$name" FAIL "status $rc${missing:+, missing$missing}: $(gist "/tmp/$name.out")"
	fi
}

raw raw_guest nested_raw.bin "PL011 output, boot-timer MMIO write, virtio MagicValue MMIO read, PSCI SYSTEM_OFF -> status 0" \
	"raw guest: uart ok" "boot-timer: guest init reached"
raw isv0_stp nested_stp.bin "LDP/STP (pre-index writeback) on virtio-rng registers emulated from the instruction (ISV=0)" \
	"stp virtio ok"
raw abort_inject nested_abort.bin "SIMD load from the PL011 refused; guest vector saw EC 0x25, base register untouched" \
	"abort injected ok" "injecting an external abort"

# Linux, 1 vCPU: init, virtio-blk, then a line typed into vibevmm's stdin
# once the guest reads its console (it is only read after "L2 UP").
mkfifo /tmp/in
t0=$(now)
(
	timeout 150 /vibevmm --kernel /Image --initrd /l2.cpio --mem 256M --disk blk0=/disk.img \
		--cmdline "console=ttyAMA0 quiet panic=-1" < /tmp/in > /tmp/linux.out 2>&1
	echo $? > /tmp/linux.rc
) &
exec 3> /tmp/in
n=0
while ! grep -q '^L2 UP' /tmp/linux.out && [ $n -lt 750 ] && [ ! -f /tmp/linux.rc ]; do
	sleep 0.2
	n=$((n + 1))
done
t_up=$(since "$t0")
echo "pl011-rx" >&3
wait
exec 3>&-
echo "VIBE-TIME linux_up $t_up"
echo "VIBE-TIME linux_total $(since "$t0")"
show linux /tmp/linux.out
rc=$(cat /tmp/linux.rc)
init=$(tr -d '\r' < /tmp/linux.out | sed -n 's/^L2 INIT uptime=//p')
if [ -n "$init" ] && [ "$rc" = 0 ]; then
	result linux_init PASS "Debian arm64 kernel reached /init (its uptime ${init}), up after ${t_up} s, powered off with status 0"
else
	result linux_init FAIL "status $rc, init ${init:-not reached}: $(gist /tmp/linux.out 6)"
fi
blk=$(tr -d '\r' < /tmp/linux.out | sed -n 's/^L2 BLK //p')
if [ "$blk" = "$BLK_SHA" ]; then
	result virtio_blk PASS "sha256 of /dev/vda = the 4 MiB --disk image's ($BLK_SHA)"
else
	result virtio_blk FAIL "sha256 of /dev/vda '${blk:-no line}', want $BLK_SHA"
fi
if tr -d '\r' < /tmp/linux.out | grep -q '^L2 GOT <pl011-rx>'; then
	result pl011_rx PASS "a line on vibevmm's stdin reached the guest's tty (PL011 RX interrupt)"
else
	result pl011_rx FAIL "guest read '$(tr -d '\r' < /tmp/linux.out | sed -n 's/^L2 GOT //p')', want <pl011-rx>"
fi

# Linux, 2 vCPUs (vibevmm-smp): the secondary comes up through PSCI CPU_ON.
t0=$(now)
timeout 150 /vibevmm-smp --kernel /Image --initrd /l2.cpio --mem 256M \
	--cmdline "console=ttyAMA0 quiet panic=-1 vibe.smp" < /dev/null > /tmp/smp.out 2>&1
rc=$?
echo "VIBE-TIME smp_2cpus $(since "$t0")"
show smp /tmp/smp.out
line=$(tr -d '\r' < /tmp/smp.out | sed -n 's/^L2 NPROC //p')
if [ "$rc" = 0 ] && [ "${line%% *}" = 2 ]; then
	result smp_2cpus PASS "nproc = 2 (guest kernel: ${line#* }), status 0"
else
	result smp_2cpus FAIL "status $rc, nproc '${line:-no line}': $(gist /tmp/smp.out)"
fi

echo "VIBE-TIME l1_total $(now)"
echo VIBE-DONE
poweroff -f
