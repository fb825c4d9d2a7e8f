# tests/virtio: the split virtqueue walker and the virtio-mmio transport on
# synthetic guest memory (tests/virtio/fake_guest.c is the test double for
# guest_ptr and the log functions; vq_fixture.c and mmio_fixture.c are the
# shared set-ups). The runtime/virtio sources are compiled here into this
# area's own object folder with static-pattern rules, so these rules never
# compete with runtime.mk's. tests/virtio/mutants.py shows the tests can fail.

VIRTIO_TEST_DIR := $(BUILD)/tests/virtio
VIRTIO_TEST_CFLAGS := $(CFLAGS) $(WARN) $(SANFLAGS) $(CPPFLAGS_COMMON) \
	-Iruntime/include -Iruntime/virtio $(CMOCKA_CFLAGS)

VIRTIO_RT_OBJS := $(VIRTIO_TEST_DIR)/rt/virtqueue.o $(VIRTIO_TEST_DIR)/rt/virtio_mmio.o
VIRTIO_TEST_SRCS := fake_guest vq_fixture mmio_fixture test_virtqueue test_virtqueue_random \
	test_virtio_mmio test_virtio_mmio_queues
VIRTIO_TEST_OBJS := $(VIRTIO_TEST_SRCS:%=$(VIRTIO_TEST_DIR)/%.o)

$(VIRTIO_RT_OBJS): $(VIRTIO_TEST_DIR)/rt/%.o: runtime/virtio/%.c
	@mkdir -p $(dir $@)
	$(CC) $(VIRTIO_TEST_CFLAGS) -c $< -o $@

$(VIRTIO_TEST_OBJS): $(VIRTIO_TEST_DIR)/%.o: tests/virtio/%.c
	@mkdir -p $(dir $@)
	$(CC) $(VIRTIO_TEST_CFLAGS) -c $< -o $@

VIRTIO_VQ_BINS   := $(VIRTIO_TEST_DIR)/test_virtqueue $(VIRTIO_TEST_DIR)/test_virtqueue_random
VIRTIO_MMIO_BINS := $(VIRTIO_TEST_DIR)/test_virtio_mmio $(VIRTIO_TEST_DIR)/test_virtio_mmio_queues

$(VIRTIO_VQ_BINS): %: %.o $(VIRTIO_TEST_DIR)/vq_fixture.o $(VIRTIO_TEST_DIR)/fake_guest.o \
		$(VIRTIO_TEST_DIR)/rt/virtqueue.o
	$(CC) $(CFLAGS) $(SANFLAGS) $^ -o $@ $(CMOCKA_LIBS)

$(VIRTIO_MMIO_BINS): %: %.o $(VIRTIO_TEST_DIR)/mmio_fixture.o $(VIRTIO_TEST_DIR)/fake_guest.o \
		$(VIRTIO_RT_OBJS)
	$(CC) $(CFLAGS) $(SANFLAGS) $^ -o $@ $(CMOCKA_LIBS) -lpthread

TEST_BINS += $(VIRTIO_VQ_BINS) $(VIRTIO_MMIO_BINS)
