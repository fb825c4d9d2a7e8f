# The seccomp sandbox (runtime/sandbox.c).
#  test_sandbox        vibevmm from the outside: a forbidden call kills it
#                      with SIGSYS, --no-seccomp survives, the lists a
#                      machine gets (--print-seccomp, --log 3)
#  test_sandbox_lists  how the lists follow the device set: sandbox.c linked
#                      with a fake machine whose devices declare calls
SB_TEST_DIR := $(BUILD)/tests/sandbox

$(SB_TEST_DIR)/test_sandbox: tests/sandbox/test_sandbox.c $(VMM_RUN_SRCS) tests/guests/vmm_run.h
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(WARN) $(SANFLAGS) $(CPPFLAGS_COMMON) $(CMOCKA_CFLAGS) $(VMM_RUN_CFLAGS) \
		-o $@ $(filter %.c,$^) $(CMOCKA_LIBS)

$(SB_TEST_DIR)/test_sandbox_lists: tests/sandbox/test_sandbox_lists.c runtime/sandbox.c runtime/log.c \
		runtime/sandbox.h runtime/include/vibe/device.h
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(WARN) $(SANFLAGS) $(filter-out -MMD -MP,$(CPPFLAGS_COMMON)) $(CMOCKA_CFLAGS) \
		-DVIBE_HAVE_SECCOMP -Iruntime/include -Iruntime -o $@ $(filter %.c,$^) $(CMOCKA_LIBS) -lseccomp

TEST_BINS += $(SB_TEST_DIR)/test_sandbox $(SB_TEST_DIR)/test_sandbox_lists
