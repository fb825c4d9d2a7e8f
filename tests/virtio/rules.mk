# tests/virtio: the split virtqueue walker and the virtio-mmio transport on
# synthetic guest memory (tests/virtio/fake_guest.c is the test double for
# guest_ptr and the log functions). The runtime/virtio sources are compiled
# here into this area's own object folder with static-pattern rules, so these
# rules never compete with runtime.mk's.

VIRTIO_TEST_DIR := $(BUILD)/tests/virtio
VIRTIO_TEST_CFLAGS := $(CFLAGS) $(WARN) $(SANFLAGS) $(CPPFLAGS_COMMON) \
	-Iruntime/include -Iruntime/virtio $(CMOCKA_CFLAGS)

VIRTIO_RT_OBJS := $(VIRTIO_TEST_DIR)/rt/virtqueue.o $(VIRTIO_TEST_DIR)/rt/virtio_mmio.o
VIRTIO_FAKE_OBJ := $(VIRTIO_TEST_DIR)/fake_guest.o

$(VIRTIO_RT_OBJS): $(VIRTIO_TEST_DIR)/rt/%.o: runtime/virtio/%.c
	@mkdir -p $(dir $@)
	$(CC) $(VIRTIO_TEST_CFLAGS) -c $< -o $@

$(VIRTIO_FAKE_OBJ) $(VIRTIO_TEST_DIR)/test_virtqueue.o $(VIRTIO_TEST_DIR)/test_virtio_mmio.o: \
		$(VIRTIO_TEST_DIR)/%.o: tests/virtio/%.c
	@mkdir -p $(dir $@)
	$(CC) $(VIRTIO_TEST_CFLAGS) -c $< -o $@

$(VIRTIO_TEST_DIR)/test_virtqueue: $(VIRTIO_TEST_DIR)/test_virtqueue.o \
		$(VIRTIO_TEST_DIR)/rt/virtqueue.o $(VIRTIO_FAKE_OBJ)
	$(CC) $(CFLAGS) $(SANFLAGS) $^ -o $@ $(CMOCKA_LIBS)

$(VIRTIO_TEST_DIR)/test_virtio_mmio: $(VIRTIO_TEST_DIR)/test_virtio_mmio.o \
		$(VIRTIO_RT_OBJS) $(VIRTIO_FAKE_OBJ)
	$(CC) $(CFLAGS) $(SANFLAGS) $^ -o $@ $(CMOCKA_LIBS) -lpthread

TEST_BINS += $(VIRTIO_TEST_DIR)/test_virtqueue $(VIRTIO_TEST_DIR)/test_virtio_mmio
