# The selected x86_64 machine's DSDT: vibegen emits it as ASL, iasl (Debian
# acpica-tools) compiles it to AML, and the AML becomes a C array linked
# into vibevmm, where runtime/arch/x86_64/acpi.c places it beside the
# tables it builds at run time (RSDP, XSDT, FADT, FACS, MADT).
#
# Included by runtime/runtime.mk for VIBE_ARCH=x86_64 machines; it adds
# $(ACPI_OBJS) to link into vibevmm. The array is
#   const unsigned char vibe_dsdt_aml[]; const size_t vibe_dsdt_aml_len;
IASL ?= iasl

ACPI_GEN  := $(BUILD)/gen/$(MACHINE)
ACPI_OBJS := $(ACPI_GEN)/dsdt_aml.o

$(ACPI_GEN)/dsdt.dsl: $(MACHINE_FILE) $(BIN)/vibegen
	@mkdir -p $(@D)
	$(BIN)/vibegen --acpi $(MACHINE_FILE) > $@.tmp && mv $@.tmp $@

# -we: a warning in generated ASL is a vibegen bug; fail the build. iasl
# prints its diagnostics on stdout, shown only when it fails.
$(ACPI_GEN)/dsdt.aml: $(ACPI_GEN)/dsdt.dsl
	@$(IASL) -vs -we -p $(ACPI_GEN)/dsdt $< > $(ACPI_GEN)/iasl.log 2>&1 || \
		{ cat $(ACPI_GEN)/iasl.log >&2; rm -f $@; exit 1; }

$(ACPI_GEN)/dsdt_aml.c: $(ACPI_GEN)/dsdt.aml
	{ echo '/* $(MACHINE)'"'"'s DSDT, compiled by iasl from dsdt.dsl (vibegen --acpi). */'; \
	  echo '#include <stddef.h>'; \
	  echo 'const unsigned char vibe_dsdt_aml[] = {'; \
	  od -An -v -tx1 $< | sed 's/ \([0-9a-f][0-9a-f]\)/0x\1,/g'; \
	  echo '};'; \
	  echo 'const size_t vibe_dsdt_aml_len = sizeof(vibe_dsdt_aml);'; } > $@.tmp && mv $@.tmp $@

$(ACPI_OBJS): $(ACPI_GEN)/dsdt_aml.c
	$(CC) $(CFLAGS) $(WARN) $(SANFLAGS) -c -o $@ $<
