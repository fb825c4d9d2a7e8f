# Raw aarch64 test guests (tests/guests-arm64/*.S), assembled with the
# aarch64 binutils, linked at 0x40080000 (the start of virt-arm64's RAM
# plus 512 KiB) and flattened into $(BUILD)/tests/guests-arm64/NAME.bin.
#   make arm64-artifacts   the static aarch64 vibevmm + these guests, for the
#                          nested aarch64 integration test (run elsewhere:
#                          this x86_64 host cannot run them)
ARM64_GUEST_DIR  := $(BUILD)/tests/guests-arm64
ARM64_GUEST_BINS := $(patsubst tests/guests-arm64/%.S,$(ARM64_GUEST_DIR)/%.bin,$(wildcard tests/guests-arm64/*.S))
ARM64_AS      ?= aarch64-linux-gnu-as
ARM64_LD      ?= aarch64-linux-gnu-ld
ARM64_OBJCOPY ?= aarch64-linux-gnu-objcopy

$(ARM64_GUEST_DIR)/%.o: tests/guests-arm64/%.S tests/guests-arm64/guest.inc
	@mkdir -p $(@D)
	$(ARM64_AS) -I tests/guests-arm64 -o $@ $<

$(ARM64_GUEST_DIR)/%.elf: $(ARM64_GUEST_DIR)/%.o
	$(ARM64_LD) -nostdlib -Ttext=0x40080000 -e _start -o $@ $<

$(ARM64_GUEST_DIR)/%.bin: $(ARM64_GUEST_DIR)/%.elf
	$(ARM64_OBJCOPY) -O binary -j .text $< $@

.SECONDARY: $(ARM64_GUEST_BINS:.bin=.o) $(ARM64_GUEST_BINS:.bin=.elf)

.PHONY: arm64-artifacts
arm64-artifacts: vibevmm-arm64 $(ARM64_GUEST_BINS)
	@echo "arm64 artifacts: $(BUILD)/arm64/vibevmm $(ARM64_GUEST_BINS)"
