# Appliance tests (docs/guides/appliances.md).
#   test_appliance  builds the raw appliance (machines/appliance-raw.yaml) by
#                   a sub-make with its own BUILD/BIN, so the user's selected
#                   machine and build/gen are untouched; runs it alone in an
#                   empty folder; --version; vibegen --appliance errors
#                   (tests/appliance/corpus/*.yaml, same `# expect:` line as
#                   tests/corpus/).
#   the Linux appliance for the test bed's appliance_hello case, into
#   $(BUILD)/tests/linux/l1-bin/ (mkinitramfs-l1.sh copies that folder into L1)
#   make bench-size  stripped sizes: virt vs console-only, appliance runtime

APPL_DIR   := $(BUILD)/tests/appliance
APPL_RAW   := $(APPL_DIR)/appliance-raw
APPL_SEED  := $(APPL_DIR)/appliance-seed
APPL_L1    := $(BUILD)/tests/linux/l1-bin/appliance-hello

# The machine files name build/tests/guests/hello.bin (also under SAN=1).
# One sub-make BUILD for both: vibegen is built there once.
APPL_SUBMAKE = +$(MAKE) --no-print-directory BUILD=$(APPL_DIR)/build BIN=$(APPL_DIR)/bin \
	MACHINE_FILE=$(1) VIBE_APPLIANCE=1 VMM_OUT=$(2) $(2)
$(APPL_RAW): appliance-test-force
	+$(MAKE) --no-print-directory BUILD=build build/tests/guests/hello.bin
	$(call APPL_SUBMAKE,machines/appliance-raw.yaml,$@)
$(APPL_SEED): appliance-test-force $(APPL_RAW)
	$(call APPL_SUBMAKE,tests/appliance/seed.yaml,$@)
.PHONY: appliance-test-force appliance-hello-l1
appliance-test-force:

$(APPL_DIR)/test_appliance: tests/appliance/test_appliance.c tests/guests/vmm_run.c tests/guests/vmm_run.h
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(WARN) $(SANFLAGS) $(CPPFLAGS_COMMON) $(CMOCKA_CFLAGS) -Itests/guests \
		-DAPPLIANCE='"$(abspath $(APPL_RAW))"' -DAPPLIANCE_DIR='"$(abspath $(APPL_DIR))"' -DVIBEGEN='"$(abspath $(BIN)/vibegen)"' \
		-DSRCDIR='"$(abspath .)"' -DGUEST_DIR='"$(abspath build/tests/guests)"' \
		-DTESTBED='""' -DVIBEVMM='""' \
		-o $@ $(filter %.c,$^) $(CMOCKA_LIBS)

TEST_BINS += $(APPL_DIR)/test_appliance
TEST_DEPS += $(APPL_RAW) $(APPL_SEED) $(BIN)/vibegen appliance-hello-l1

# Soft: without the test bed's package cache (offline) there is no payload,
# no appliance, and the appliance_hello case skips saying so. After the
# other two: the same sub-make BUILD, never two makes in it at once.
appliance-hello-l1: $(APPL_SEED)
	@+if tests/appliance/hello-payload.sh; then \
	  $(MAKE) --no-print-directory BUILD=$(APPL_DIR)/build BIN=$(APPL_DIR)/bin \
	    MACHINE_FILE=machines/appliance-hello.yaml VIBE_APPLIANCE=1 VMM_OUT=$(APPL_L1) $(APPL_L1); \
	else echo "appliance-hello: no payload; the test bed's appliance_hello case will skip"; rm -f $(APPL_L1); fi

.PHONY: bench-size
bench-size: $(BIN)/vibegen
	tests/appliance/bench-size.sh
