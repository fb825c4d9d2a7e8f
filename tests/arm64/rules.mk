# tests/arm64: unit tests of the portable arm64 core in runtime/arch/arm64
# (syndrome decoding, A64 load/store decoding, guest stage-1 walk, MMIO
# emulation, abort injection). Plain C: they build and run natively on
# x86_64, no aarch64 toolchain needed. The core sources are compiled here
# into their own objects so these tests do not depend on how runtime.mk
# builds vibevmm.
#   make test-arm64-unit        build and run just these
ARM64_DIR      := runtime/arch/arm64
ARM64_OUT      := $(BUILD)/tests/arm64
ARM64_CFLAGS   := $(CFLAGS) $(WARN) $(SANFLAGS) $(CPPFLAGS_COMMON) -Iruntime/include -Iruntime
ARM64_CORE_O    = $(patsubst %,$(ARM64_OUT)/core/%.o,$(1))

ARM64_TESTS := test_esr test_insn test_insn_gas test_insn_ref test_s1walk test_emulate test_inject test_hostile_guest
ARM64_TEST_BINS := $(patsubst %,$(ARM64_OUT)/%,$(ARM64_TESTS))
TEST_BINS += $(ARM64_TEST_BINS)

$(ARM64_OUT)/core/%.o: $(ARM64_DIR)/%.c
	@mkdir -p $(@D)
	$(CC) $(ARM64_CFLAGS) -c $< -o $@

$(ARM64_OUT)/%.o: tests/arm64/%.c
	@mkdir -p $(@D)
	$(CC) $(ARM64_CFLAGS) $(CMOCKA_CFLAGS) -c $< -o $@

$(ARM64_OUT)/test_esr: $(ARM64_OUT)/test_esr.o $(call ARM64_CORE_O,esr)
$(ARM64_OUT)/test_insn: $(ARM64_OUT)/test_insn.o $(call ARM64_CORE_O,insn)
$(ARM64_OUT)/test_insn_gas: $(ARM64_OUT)/test_insn_gas.o
$(ARM64_OUT)/test_insn_ref: $(ARM64_OUT)/test_insn_ref.o $(call ARM64_CORE_O,insn)
$(ARM64_OUT)/test_s1walk: $(ARM64_OUT)/test_s1walk.o $(ARM64_OUT)/fake_ram.o $(call ARM64_CORE_O,s1walk)
$(ARM64_OUT)/test_inject: $(ARM64_OUT)/test_inject.o $(call ARM64_CORE_O,esr inject)
$(ARM64_OUT)/test_hostile_guest: $(ARM64_OUT)/test_hostile_guest.o $(ARM64_OUT)/fake_ram.o \
		$(call ARM64_CORE_O,esr insn s1walk emulate)
$(ARM64_OUT)/test_emulate: $(ARM64_OUT)/test_emulate.o $(ARM64_OUT)/fake_ram.o \
		$(call ARM64_CORE_O,esr insn s1walk emulate)

$(ARM64_TEST_BINS):
	$(CC) $(CFLAGS) $(SANFLAGS) $^ -o $@ $(CMOCKA_LIBS)

# test_fdt: vibegen's device tree (compiler/emit_fdt.c) read back with
# libfdt and dtc; links the compiler's objects like tests/compiler does.
ARM64_FDT_TEST := $(ARM64_OUT)/test_fdt
$(ARM64_FDT_TEST): tests/arm64/test_fdt.c $(VIBEGEN_LIB_OBJS)
	@mkdir -p $(@D)
	$(CC) $(ARM64_CFLAGS) $(CMOCKA_CFLAGS) -Icompiler -DSRCDIR='"$(abspath .)"' \
	  -o $@ $(filter %.c %.o,$^) $(VIBEGEN_LIBS) $(CMOCKA_LIBS)
ARM64_TEST_BINS += $(ARM64_FDT_TEST)
TEST_BINS += $(ARM64_FDT_TEST)

# Boot (Image header, FDT patch), PSCI decoding and the PL011 model: the
# portable pieces of the arm64 runtime, natively (test_pl011 stubs the
# console and the interrupt line).
$(ARM64_OUT)/test_boot: tests/arm64/test_boot.c runtime/arch/arm64/image.c \
		runtime/arch/arm64/fdt_patch.c $(VIBEGEN_LIB_OBJS)
	@mkdir -p $(@D)
	$(CC) $(ARM64_CFLAGS) $(CMOCKA_CFLAGS) -Icompiler -DSRCDIR='"$(abspath .)"' \
	  -o $@ $(filter %.c %.o,$^) $(VIBEGEN_LIBS) $(CMOCKA_LIBS)
$(ARM64_OUT)/test_psci: tests/arm64/test_psci.c runtime/arch/arm64/psci.c
	@mkdir -p $(@D)
	$(CC) $(ARM64_CFLAGS) $(CMOCKA_CFLAGS) -o $@ $^ $(CMOCKA_LIBS)
$(ARM64_OUT)/test_pl011: tests/arm64/test_pl011.c runtime/devices/pl011.c
	@mkdir -p $(@D)
	$(CC) $(ARM64_CFLAGS) $(CMOCKA_CFLAGS) -o $@ $^ $(CMOCKA_LIBS) -lpthread
ARM64_RT_TESTS := $(addprefix $(ARM64_OUT)/,test_boot test_psci test_pl011)
ARM64_TEST_BINS += $(ARM64_RT_TESTS)
TEST_BINS += $(ARM64_RT_TESTS)

.PHONY: test-arm64-unit
test-arm64-unit: $(ARM64_TEST_BINS)
	scripts/run-tests.sh $(ARM64_TEST_BINS)

# hvf.c cannot run here; compiling it (-fsyntax-only, runtime/arm64.mk)
# in every `make test` catches hv.h changes that would break the macOS build.
TEST_DEPS += check-hvf
