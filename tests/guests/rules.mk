# Test guests and their boot tests.
#
# Each tests/guests/NAME.S is assembled with GNU as, linked at 0x10000 (the
# raw-binary entry) and flattened with objcopy into
# $(BUILD)/tests/guests/NAME.bin; nothing binary is committed. The guests
# run on the testbed machine (tests/guests/testbed.yaml), built as its own
# vibevmm by a sub-make, so the default bin/vibevmm stays the selected
# machine's.

GUEST_DIR  := $(BUILD)/tests/guests
GUEST_SRCS := $(wildcard tests/guests/*.S)
GUEST_BINS := $(patsubst tests/guests/%.S,$(GUEST_DIR)/%.bin,$(GUEST_SRCS))
TESTBED    := $(BUILD)/tests/vibevmm-testbed
GUEST_LD   ?= ld
OBJCOPY    ?= objcopy

$(GUEST_DIR)/%.o: tests/guests/%.S tests/guests/guest.inc
	@mkdir -p $(@D)
	$(AS) --64 -I tests/guests $(GUEST_ASFLAGS) -o $@ $<

$(GUEST_DIR)/%.elf: $(GUEST_DIR)/%.o
	$(GUEST_LD) -m elf_x86_64 -nostdlib -Ttext=0x10000 -e _start -o $@ $<

$(GUEST_DIR)/%.bin: $(GUEST_DIR)/%.elf
	$(OBJCOPY) -O binary -j .text $< $@

.SECONDARY: $(GUEST_BINS:.bin=.o) $(GUEST_BINS:.bin=.elf)

guests: $(GUEST_BINS)
.PHONY: guests

# The sub-make builds the testbed; inside it VMM_OUT is the testbed, so this
# rule is left to runtime.mk there (no recursion).
ifneq ($(abspath $(VMM_OUT)),$(abspath $(TESTBED)))
$(TESTBED): testbed-force
	+$(MAKE) --no-print-directory MACHINE_FILE=tests/guests/testbed.yaml VMM_OUT=$@ $@
.PHONY: testbed-force
testbed-force:
endif

# Helpers shared with the CLI tests: run vibevmm with a deadline, capture.
VMM_RUN_SRCS := tests/guests/vmm_run.c
VMM_RUN_CFLAGS = -Itests/guests -DGUEST_DIR='"$(abspath $(GUEST_DIR))"' \
	-DTESTBED='"$(abspath $(TESTBED))"' -DVIBEVMM='"$(abspath $(BIN)/vibevmm)"'

$(BUILD)/tests/guests/test_guests: tests/guests/test_guests.c $(VMM_RUN_SRCS) tests/guests/vmm_run.h
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(WARN) $(SANFLAGS) $(CPPFLAGS_COMMON) $(CMOCKA_CFLAGS) $(VMM_RUN_CFLAGS) \
		-o $@ $(filter %.c,$^) $(CMOCKA_LIBS)

TEST_BINS += $(BUILD)/tests/guests/test_guests
TEST_DEPS += $(GUEST_BINS) $(TESTBED) $(BIN)/vibevmm

$(BUILD)/tests/guests/test_console: tests/guests/test_console.c $(VMM_RUN_SRCS) tests/guests/vmm_run.h
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(WARN) $(SANFLAGS) $(CPPFLAGS_COMMON) $(CMOCKA_CFLAGS) $(VMM_RUN_CFLAGS) \
		-o $@ $(filter %.c,$^) $(CMOCKA_LIBS) -lutil

TEST_BINS += $(BUILD)/tests/guests/test_console
