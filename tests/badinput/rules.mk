# Bad input everywhere (issue 7 item 6): files that are missing, unreadable,
# directories or truncated, and garbage flag values, for vibevmm and vibegen.
# tests/cli/test_cli.c has the first table of bad command lines; this one
# adds the file cases and vibegen. (tests/guests/rules.mk, included after
# this file, defines VMM_RUN_CFLAGS: used only in the recipe, so fine.)
$(BUILD)/tests/badinput/test_badinput: tests/badinput/test_badinput.c tests/guests/vmm_run.c tests/guests/vmm_run.h
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(WARN) $(SANFLAGS) $(CPPFLAGS_COMMON) $(CMOCKA_CFLAGS) $(VMM_RUN_CFLAGS) \
		-DVIBEGEN='"$(abspath $(BIN)/vibegen)"' -o $@ $(filter %.c,$^) $(CMOCKA_LIBS)

TEST_BINS += $(BUILD)/tests/badinput/test_badinput
