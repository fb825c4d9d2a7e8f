# Runtime unit tests: pure modules of runtime/ linked with a fake machine
# table, no KVM needed.
RT_TEST_DIR    := $(BUILD)/tests/runtime
RT_TEST_CFLAGS  = $(CFLAGS) $(WARN) $(SANFLAGS) $(filter-out -MMD -MP,$(CPPFLAGS_COMMON)) \
                  $(CMOCKA_CFLAGS) -Iruntime/include -Iruntime

$(RT_TEST_DIR)/test_guest_mem: tests/runtime/test_guest_mem.c runtime/guest_mem.c runtime/vm.h \
		runtime/include/vibe/guest_mem.h runtime/include/vibe/machine.h
	@mkdir -p $(@D)
	$(CC) $(RT_TEST_CFLAGS) -o $@ $(filter %.c,$^) $(CMOCKA_LIBS)

$(RT_TEST_DIR)/test_parse_num: tests/runtime/test_parse_num.c runtime/parse_num.c runtime/parse_num.h
	@mkdir -p $(@D)
	$(CC) $(RT_TEST_CFLAGS) -o $@ $(filter %.c,$^) $(CMOCKA_LIBS)

TEST_BINS += $(RT_TEST_DIR)/test_guest_mem $(RT_TEST_DIR)/test_parse_num

# Boot tests of the runtime itself (need /dev/kvm, else SKIP): guests from
# tests/runtime/guests/*.S, run on the testbed vibevmm (tests/guests/rules.mk).
RT_GUEST_DIR := $(RT_TEST_DIR)/guests

$(RT_GUEST_DIR)/%.bin: tests/runtime/guests/%.S
	@mkdir -p $(@D)
	$(AS) --64 -o $(@:.bin=.o) $<
	$(GUEST_LD) -m elf_x86_64 -nostdlib -Ttext=0x10000 -e _start -o $(@:.bin=.elf) $(@:.bin=.o)
	$(OBJCOPY) -O binary -j .text $(@:.bin=.elf) $@

$(RT_TEST_DIR)/test_vmm_stop: tests/runtime/test_vmm_stop.c
	@mkdir -p $(@D)
	$(CC) $(RT_TEST_CFLAGS) -DTESTBED='"$(abspath $(TESTBED))"' \
		-DSPIN_BIN='"$(abspath $(RT_GUEST_DIR)/spin.bin)"' -o $@ $< $(CMOCKA_LIBS)

TEST_BINS += $(RT_TEST_DIR)/test_vmm_stop
TEST_DEPS += $(RT_GUEST_DIR)/spin.bin
