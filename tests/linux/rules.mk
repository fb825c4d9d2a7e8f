# Linux test bed (see docs/guides/testing.md). test_linux is one cmocka
# binary whose group setup runs tests/linux/run.sh once: run.sh fetches the
# Debian kernels and busybox into build/linux-cache/, builds the initramfs
# images and runs every tests/linux/cases/*.sh (inside one L1 boot here).
# Those scripts are read at run time, so adding a case needs no make change.

LINUX_DIR := $(BUILD)/tests/linux

$(LINUX_DIR)/test_linux: tests/linux/test_linux.c
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(WARN) $(SANFLAGS) $(CPPFLAGS_COMMON) $(CMOCKA_CFLAGS) \
		-DLINUX_TEST_DIR='"$(abspath tests/linux)"' -DVMM_BIN='"$(abspath $(BIN)/vibevmm)"' \
		-o $@ $< $(CMOCKA_LIBS)

TEST_BINS += $(LINUX_DIR)/test_linux
# The cases test the bin/vibevmm of this tree: run.sh copies it into L1.
TEST_DEPS += $(BIN)/vibevmm
# The vibevmm_smp case needs a two-vCPU vibevmm. Machines are compiled in, so
# a sub-make (own BUILD: the selected machine and build/gen stay untouched)
# builds one for tests/linux/machines/virt-2cpu.yaml into l1-bin/, which the
# test bed ships into L1's /vibe/bin/.
LINUX_VMM_2CPU := $(LINUX_DIR)/l1-bin/vibevmm-2cpu
.PHONY: linux-vmm-2cpu-force
linux-vmm-2cpu-force:
$(LINUX_VMM_2CPU): linux-vmm-2cpu-force
	+$(MAKE) --no-print-directory BUILD=$(LINUX_DIR)/m2cpu BIN=$(LINUX_DIR)/m2cpu/bin \
		MACHINE_FILE=tests/linux/machines/virt-2cpu.yaml VMM_OUT=$(abspath $@) $(abspath $@)
TEST_DEPS += $(LINUX_VMM_2CPU)

# make linux-shell: interactive, the issue's "one command to a shell": vibevmm
# boots the Debian kernel with the test bed's initramfs to the guest's shell
# on this terminal (inside L1 here, directly on a host with hardware KVM).
# `poweroff -f` in the guest ends it (docs/guides/boot-linux.md).
.PHONY: linux-shell
linux-shell: $(BIN)/vibevmm
	VIBE_VMM_BIN=$(abspath $(BIN)/vibevmm) tests/linux/run.sh --shell vibevmm

# make bench-exits: a profile, not a test: the L2 boot's VM exits by kind
# and port/address (vibevmm --log 4) and the guest's slowest dmesg steps
# under vibevmm and QEMU microvm (tests/linux/bench-exits.sh).
.PHONY: bench-exits
bench-exits: $(BIN)/vibevmm
	VIBE_VMM_BIN=$(abspath $(BIN)/vibevmm) tests/linux/run.sh --bench exits

# make bench-boot [BENCH_BOOT_N=5]: a benchmark, not a test. Time to the
# guest's init and to exit after an immediate poweroff, and VMM memory, for
# QEMU -M pc, QEMU -M microvm and vibevmm, alternating, in one test bed run.
BENCH_BOOT_N ?= 5
.PHONY: bench-boot
bench-boot: $(BIN)/vibevmm
	VIBE_VMM_BIN=$(abspath $(BIN)/vibevmm) tests/linux/run.sh --bench boot $(BENCH_BOOT_N)

# make bench-blk [BENCH_BLK_N=3] [BENCH_BLK_SECS=5]: a benchmark, not a test.
# Sequential 1 MiB and random 4 KiB reads of a 256 MiB virtio disk in the
# guest, under QEMU -M pc (virtio-pci), QEMU -M microvm (virtio-mmio) and
# vibevmm, alternating, in one test bed run (tests/linux/bench-blk.sh).
BENCH_BLK_N ?= 3
BENCH_BLK_SECS ?= 5
.PHONY: bench-blk
bench-blk: $(BIN)/vibevmm
	VIBE_VMM_BIN=$(abspath $(BIN)/vibevmm) tests/linux/run.sh --bench blk $(BENCH_BLK_N) $(BENCH_BLK_SECS)
