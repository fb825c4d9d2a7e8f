# Device models tested on their own: the device file linked with stubs of
# the console and the VM (in the test), no KVM needed.
$(BUILD)/tests/devices/test_uart: tests/devices/test_uart.c runtime/devices/uart8250.c
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(WARN) $(SANFLAGS) $(CPPFLAGS_COMMON) $(CMOCKA_CFLAGS) -Iruntime -Iruntime/include \
		-o $@ $^ $(CMOCKA_LIBS) -lpthread

TEST_BINS += $(BUILD)/tests/devices/test_uart
