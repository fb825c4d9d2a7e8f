# Hostile guest suite (issue 7): tests/hostile/hostile.S assembled once per
# case (--defsym CASE=N) into $(BUILD)/tests/hostile/case_N.bin, run on the
# hostile machine (tests/hostile/hostile.yaml) built as its own vibevmm by a
# sub-make, like tests/guests/rules.mk does for the testbed. The sub-make
# inherits SAN (command-line variables pass down through MAKEFLAGS), so
# `make test SAN=1` attacks a sanitized vibevmm.

HOSTILE_CASES := $(shell seq 1 38)
HOSTILE_DIR   := $(BUILD)/tests/hostile
HOSTILE_BINS  := $(patsubst %,$(HOSTILE_DIR)/case_%.bin,$(HOSTILE_CASES))
HOSTILE_VMM   := $(BUILD)/tests/vibevmm-hostile

$(HOSTILE_DIR)/case_%.o: tests/hostile/hostile.S tests/guests/guest.inc
	@mkdir -p $(@D)
	$(AS) --64 -I tests/guests --defsym CASE=$* -o $@ $<

$(HOSTILE_DIR)/case_%.elf: $(HOSTILE_DIR)/case_%.o
	$(GUEST_LD) -m elf_x86_64 -nostdlib -Ttext=0x10000 -e _start -o $@ $<

$(HOSTILE_DIR)/case_%.bin: $(HOSTILE_DIR)/case_%.elf
	$(OBJCOPY) -O binary -j .text $< $@

.SECONDARY: $(HOSTILE_BINS:.bin=.o) $(HOSTILE_BINS:.bin=.elf)

ifneq ($(abspath $(VMM_OUT)),$(abspath $(HOSTILE_VMM)))
$(HOSTILE_VMM): hostile-vmm-force
	+$(MAKE) --no-print-directory MACHINE_FILE=tests/hostile/hostile.yaml VMM_OUT=$@ $@
.PHONY: hostile-vmm-force
hostile-vmm-force:
endif

$(BUILD)/tests/hostile/test_hostile: tests/hostile/test_hostile.c $(VMM_RUN_SRCS) tests/guests/vmm_run.h
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(WARN) $(SANFLAGS) $(CPPFLAGS_COMMON) $(CMOCKA_CFLAGS) -Itests/guests \
		-DHOSTILE_DIR='"$(abspath $(HOSTILE_DIR))"' -DHOSTILE_VMM='"$(abspath $(HOSTILE_VMM))"' \
		-o $@ $(filter %.c,$^) $(CMOCKA_LIBS)

TEST_BINS += $(BUILD)/tests/hostile/test_hostile
TEST_DEPS += $(HOSTILE_BINS) $(HOSTILE_VMM)
