# CLI tests: bad command lines against bin/vibevmm and the testbed vibevmm
# (both built via tests/guests/rules.mk's TEST_DEPS), run as a child each.
# (tests/guests/rules.mk, included after this file, defines VMM_RUN_CFLAGS:
# used only in the recipe, so late definition is fine.)
$(BUILD)/tests/cli/test_cli: tests/cli/test_cli.c tests/guests/vmm_run.c tests/guests/vmm_run.h
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(WARN) $(SANFLAGS) $(CPPFLAGS_COMMON) $(CMOCKA_CFLAGS) $(VMM_RUN_CFLAGS) \
		-o $@ $(filter %.c,$^) $(CMOCKA_LIBS)

TEST_BINS += $(BUILD)/tests/cli/test_cli
