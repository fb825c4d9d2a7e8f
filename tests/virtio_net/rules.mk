# tests/virtio_net: virtio-net packet handling (runtime/virtio/virtio_net_pkt.c)
# and virtio-console queue handling (runtime/virtio/virtio_console_port.c)
# on synthetic guest memory, with chains popped by the real virtqueue code.
# Reuses tests/virtio's fake guest memory and queue fixture objects (built
# by tests/virtio/rules.mk); only this area's own sources are compiled here.

VNET_TEST_DIR := $(BUILD)/tests/virtio_net
VNET_RT_OBJS  := $(VNET_TEST_DIR)/rt/virtio_net_pkt.o $(VNET_TEST_DIR)/rt/virtio_console_port.o
VNET_BINS     := $(VNET_TEST_DIR)/test_virtio_net $(VNET_TEST_DIR)/test_virtio_console

$(VNET_RT_OBJS): $(VNET_TEST_DIR)/rt/%.o: runtime/virtio/%.c
	@mkdir -p $(dir $@)
	$(CC) $(VIRTIO_TEST_CFLAGS) -c $< -o $@

$(VNET_BINS:%=%.o): $(VNET_TEST_DIR)/%.o: tests/virtio_net/%.c
	@mkdir -p $(dir $@)
	$(CC) $(VIRTIO_TEST_CFLAGS) -Itests/virtio -c $< -o $@

$(VNET_BINS): %: %.o $(VNET_RT_OBJS) $(VIRTIO_TEST_DIR)/vq_fixture.o \
		$(VIRTIO_TEST_DIR)/fake_guest.o $(VIRTIO_TEST_DIR)/rt/virtqueue.o
	$(CC) $(CFLAGS) $(SANFLAGS) $^ -o $@ $(CMOCKA_LIBS)

TEST_BINS += $(VNET_BINS)
