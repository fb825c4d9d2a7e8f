# Golden test of vibegen's output for machines/virt.yaml (tests/golden/virt/
# holds the reviewed machine.c, machine.h, machine.mk and --map output). After an intended
# change to the emitters or to virt.yaml: `make update-golden`, review the
# diff, commit it.
GOLD_DIR := $(BUILD)/tests/golden

$(GOLD_DIR)/test_golden: tests/golden/test_golden.c | $(BIN)/vibegen
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(WARN) $(SANFLAGS) -D_GNU_SOURCE $(CMOCKA_CFLAGS) \
	  -DSRCROOT='"$(CURDIR)"' -DVIBEGEN='"$(CURDIR)/$(BIN)/vibegen"' -DCC_CMD='"$(CC)"' \
	  $< $(CMOCKA_LIBS) -o $@

TEST_BINS += $(GOLD_DIR)/test_golden
# The test runs vibegen: rebuild it first when its sources changed.
TEST_DEPS += $(BIN)/vibegen

.PHONY: update-golden
update-golden: $(BIN)/vibegen
	rm -rf $(GOLD_DIR)/fresh
	$(BIN)/vibegen -o $(GOLD_DIR)/fresh machines/virt.yaml
	$(BIN)/vibegen --map machines/virt.yaml > $(GOLD_DIR)/fresh/map.txt
	cp $(GOLD_DIR)/fresh/machine.c $(GOLD_DIR)/fresh/machine.h $(GOLD_DIR)/fresh/machine.mk \
	  $(GOLD_DIR)/fresh/map.txt tests/golden/virt/
	@git diff --stat -- tests/golden/virt/ 2>/dev/null || true
