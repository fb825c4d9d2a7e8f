# Nested arm64 integration test (docs/guides/testing.md, "arm64"): the static
# aarch64 vibevmm runs guests under KVM inside a Debian arm64 "L1" that boots
# under qemu-system-aarch64 -M virt,virtualization=on (EL2 for L1's KVM).
#   make test-arm64   build what it needs, then run just this test
# test_arm64_nested (cmocka) runs tests/arm64nested/run.sh once and asserts
# one test per check; `make test` runs it too. Its artifacts are make
# prerequisites only where they can be built (the aarch64 cross compiler and
# qemu-system-aarch64 are installed) and not under SAN=1 (the static cross
# build takes no sanitizers); elsewhere the test prints SKIP with the reason.

A64N_DIR     := $(BUILD)/tests/arm64nested
A64N_TEST    := $(A64N_DIR)/test_arm64_nested
# vibevmm's vCPU count is compiled in from the machine file, so the 2-vCPU
# check needs a second vibevmm: virt-arm64.yaml with `vcpus: 2`, generated
# here so it can't drift from the original.
A64N_SMP_YAML := $(A64N_DIR)/virt-arm64-smp.yaml
A64N_SMP_VMM  := $(BUILD)/arm64/vibevmm-smp
A64N_HAVE_TOOLS := $(and $(shell command -v $(ARM64_CROSS)gcc 2>/dev/null),$(shell command -v qemu-system-aarch64 2>/dev/null))
A64N_SKIP := $(if $(filter 1,$(SAN)),sanitizer build: the nested arm64 test runs in the plain make test (the static aarch64 vibevmm takes no ASan))

$(A64N_TEST): tests/arm64nested/test_arm64_nested.c
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(WARN) $(SANFLAGS) $(CPPFLAGS_COMMON) $(CMOCKA_CFLAGS) \
		-DA64N_SCRIPT='"$(abspath tests/arm64nested/run.sh)"' \
		-DA64N_OUT='"$(abspath $(A64N_DIR))"' -DA64N_VMM_DIR='"$(abspath $(BUILD)/arm64)"' \
		-DA64N_GUEST_DIR='"$(abspath $(ARM64_GUEST_DIR))"' \
		$(if $(A64N_SKIP),-DA64N_SKIP='"$(A64N_SKIP)"') -o $@ $< $(CMOCKA_LIBS)
TEST_BINS += $(A64N_TEST)

# The x86 test bed's vmrun (tests/linux/vmrun.c) runs L1's QEMU: console
# log, time to a marker, and a deadline that kills QEMU's process group.
$(A64N_DIR)/vmrun: tests/linux/vmrun.c
	@mkdir -p $(@D)
	$(CC) -O2 $(WARN) -o $@ $<

$(A64N_SMP_YAML): machines/virt-arm64.yaml
	@mkdir -p $(@D)
	sed 's/^vcpus: *1 *$$/vcpus: 2/' $< > $@.tmp
	grep -q '^vcpus: 2$$' $@.tmp || { echo "$<: no 'vcpus: 1' line to turn into 2" >&2; exit 1; }
	mv $@.tmp $@

.PHONY: vibevmm-arm64-smp arm64-nested-artifacts test-arm64
# Both arm64 sub-makes run vibegen: build it here, once, before either
# starts, so that under -j they don't both rebuild it at the same time.
vibevmm-arm64: $(BIN)/vibegen
vibevmm-arm64-smp: $(A64N_SMP_YAML) $(ARM64_LIBDIR)/libfdt.a $(BIN)/vibegen
	+$(MAKE) --no-print-directory MACHINE_FILE=$(A64N_SMP_YAML) VMM_OUT=$(A64N_SMP_VMM) $(A64N_SMP_VMM)

arm64-nested-artifacts: arm64-artifacts vibevmm-arm64-smp $(A64N_DIR)/vmrun

ifneq ($(A64N_HAVE_TOOLS),)
ifneq ($(SAN),1)
TEST_DEPS += arm64-nested-artifacts
endif
endif

# Same lock folder as make test's x86 test bed (run.sh takes its lock).
test-arm64: arm64-nested-artifacts $(A64N_TEST)
	VIBE_LINUX_OUT=$(abspath $(BUILD)/tests/linux) scripts/run-tests.sh $(A64N_TEST)
