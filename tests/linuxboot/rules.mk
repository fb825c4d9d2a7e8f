# Linux boot building blocks: kernel loaders, zero page, CPUID, ACPI tables
# and the boot-time devices, tested against a fake guest (fake_vm.c) that
# implements the real guest_mem.h interface.
LB_OUT    := $(BUILD)/tests/linuxboot
LB_CFLAGS := $(CFLAGS) $(WARN) $(SANFLAGS) $(CPPFLAGS_COMMON) -DLB_OUT='"$(LB_OUT)"' \
             -Iruntime/include -Iruntime -Itests/linuxboot $(CMOCKA_CFLAGS)

LB_X86 := runtime/arch/x86_64

# test name -> sources (besides the test itself)
LB_SRCS_test_bzimage     := $(LB_X86)/bzimage.c tests/linuxboot/fake_vm.c
LB_SRCS_test_boot_params := $(LB_X86)/boot_params.c $(LB_X86)/bzimage.c tests/linuxboot/fake_vm.c

LB_SRCS_test_cpuid       := $(LB_X86)/cpuid.c

LB_SRCS_test_acpi        := $(LB_X86)/acpi.c tests/linuxboot/fake_vm.c

LB_SRCS_test_devices     := runtime/devices/acpi_pm.c runtime/devices/i8042.c \
                            runtime/devices/boot_timer.c

LB_SRCS_test_linux_entry := $(LB_X86)/linux_entry.c tests/linuxboot/fake_vm.c

LB_TESTS := test_bzimage test_boot_params test_cpuid test_acpi test_devices test_linux_entry
TEST_BINS += $(addprefix $(LB_OUT)/,$(LB_TESTS))

# One explicit rule per test (no .SECONDEXPANSION: it would change how
# every other fragment's prerequisites are read).
define LB_TEST_RULE
$(LB_OUT)/$(1): tests/linuxboot/$(1).c $(LB_SRCS_$(1)) $(wildcard runtime/arch/x86_64/*.h) tests/linuxboot/fake_vm.h
	@mkdir -p $$(@D)
	$$(CC) $$(LB_CFLAGS) -o $$@ $$(filter %.c,$$^) $$(SANFLAGS) $$(CMOCKA_LIBS)
endef
$(foreach t,$(LB_TESTS),$(eval $(call LB_TEST_RULE,$(t))))

# test_acpi also checks the DSDT vibegen generates for machines/virt.yaml,
# compiled here by iasl (the test SKIPs that case when it is missing).
$(LB_OUT)/virt_dsdt.aml: machines/virt.yaml $(BIN)/vibegen
	@mkdir -p $(@D)
	$(BIN)/vibegen --acpi machines/virt.yaml > $(LB_OUT)/virt_dsdt.dsl
	iasl -vs -we -p $(LB_OUT)/virt_dsdt $(LB_OUT)/virt_dsdt.dsl > $(LB_OUT)/virt_dsdt.log 2>&1 || \
		{ cat $(LB_OUT)/virt_dsdt.log >&2; rm -f $@; exit 1; }
TEST_DEPS += $(LB_OUT)/virt_dsdt.aml
