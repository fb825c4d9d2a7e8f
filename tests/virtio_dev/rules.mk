# tests/virtio_dev: virtio-blk request handling and virtio-rng bounds on
# the fake guest memory and queue fixtures of tests/virtio (reused, not
# copied: fake_guest.o and vq_fixture.o come from that area's rules).
# stubs.c stands in for the VM calls runtime/virtio/virtio_io.c makes.

VDEV_TEST_DIR := $(BUILD)/tests/virtio_dev
VDEV_TEST_CFLAGS := $(VIRTIO_TEST_CFLAGS) -Iruntime -Itests/virtio
VDEV_RT := virtio_blk_req virtio_rng_req virtio_io
VDEV_RT_OBJS := $(VDEV_RT:%=$(VDEV_TEST_DIR)/rt/%.o)
VDEV_OBJS := $(patsubst %,$(VDEV_TEST_DIR)/%.o,stubs test_virtio_blk test_virtio_rng test_virtio_io)

$(VDEV_RT_OBJS): $(VDEV_TEST_DIR)/rt/%.o: runtime/virtio/%.c
	@mkdir -p $(dir $@)
	$(CC) $(VDEV_TEST_CFLAGS) -c $< -o $@

$(VDEV_OBJS): $(VDEV_TEST_DIR)/%.o: tests/virtio_dev/%.c
	@mkdir -p $(dir $@)
	$(CC) $(VDEV_TEST_CFLAGS) -c $< -o $@

VDEV_BINS := $(VDEV_TEST_DIR)/test_virtio_blk $(VDEV_TEST_DIR)/test_virtio_rng

$(VDEV_BINS): %: %.o $(VDEV_TEST_DIR)/stubs.o $(VDEV_RT_OBJS) $(VIRTIO_TEST_DIR)/vq_fixture.o \
		$(VIRTIO_TEST_DIR)/fake_guest.o $(VIRTIO_RT_OBJS)
	$(CC) $(CFLAGS) $(SANFLAGS) $^ -o $@ $(CMOCKA_LIBS) -lpthread

# The I/O thread end to end on the real transport: tests/virtio's mmio
# fixture plays the driver.
$(VDEV_TEST_DIR)/test_virtio_io: $(VDEV_TEST_DIR)/test_virtio_io.o $(VDEV_TEST_DIR)/stubs.o \
		$(VDEV_RT_OBJS) $(VIRTIO_TEST_DIR)/mmio_fixture.o $(VIRTIO_TEST_DIR)/fake_guest.o \
		$(VIRTIO_RT_OBJS)
	$(CC) $(CFLAGS) $(SANFLAGS) $^ -o $@ $(CMOCKA_LIBS) -lpthread

TEST_BINS += $(VDEV_BINS) $(VDEV_TEST_DIR)/test_virtio_io
