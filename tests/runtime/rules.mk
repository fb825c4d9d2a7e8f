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
