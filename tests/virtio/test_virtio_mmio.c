/*
 * The virtio-mmio transport (runtime/virtio/virtio_mmio.c): identity and
 * feature registers, the device status state machine, odd accesses, config
 * space and reset, driven as a guest driver would (mmio_fixture.h). Queue
 * setup, notifications and interrupts are in test_virtio_mmio_queues.c.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>

#include "mmio_fixture.h"

static void test_identity_registers(void **s)
{
	assert_int_equal(rd(VIRTIO_MMIO_MAGIC_VALUE), 0x74726976);
	assert_int_equal(rd(VIRTIO_MMIO_VERSION), 2);
	assert_int_equal(rd(VIRTIO_MMIO_DEVICE_ID), 4);
	assert_int_equal(rd(VIRTIO_MMIO_VENDOR_ID), VIRTIO_MMIO_VENDOR);
	wr(VIRTIO_MMIO_MAGIC_VALUE, 0); /* read-only: ignored */
	assert_int_equal(rd(VIRTIO_MMIO_MAGIC_VALUE), 0x74726976);
	assert_int_equal(rd(VIRTIO_MMIO_QUEUE_DESC_LOW), 0); /* write-only reads 0 */
}

static void test_device_features(void **s)
{
	wr(VIRTIO_MMIO_DEVICE_FEATURES_SEL, 0);
	uint32_t lo = rd(VIRTIO_MMIO_DEVICE_FEATURES);
	assert_int_equal(lo, (1u << DEV_FEATURE_BIT) | (1u << VIRTIO_F_INDIRECT_DESC) |
			     (1u << VIRTIO_F_EVENT_IDX));
	wr(VIRTIO_MMIO_DEVICE_FEATURES_SEL, 1);
	assert_int_equal(rd(VIRTIO_MMIO_DEVICE_FEATURES), 1); /* VERSION_1 = bit 32 */
	wr(VIRTIO_MMIO_DEVICE_FEATURES_SEL, 2);
	assert_int_equal(rd(VIRTIO_MMIO_DEVICE_FEATURES), 0);
}

static void test_features_ok_refused(void **s)
{
	negotiate(V1 | (1ull << 6)); /* bit 6 was never offered */
	assert_int_equal(status(), ACK | DRV); /* refused, not broken (§3.1.1) */
	assert_int_equal(fake_log_warns, 1);
	negotiate(1ull << DEV_FEATURE_BIT); /* no VERSION_1: modern only */
	assert_int_equal(status(), ACK | DRV);
	negotiate(V1 | (1ull << DEV_FEATURE_BIT) | (1ull << VIRTIO_F_EVENT_IDX)); /* control */
	assert_int_equal(status(), ACK | DRV | FOK);
	/* a bit above 63 can never have been offered */
	negotiate(V1);
	wr(VIRTIO_MMIO_STATUS, 0);
	wr(VIRTIO_MMIO_STATUS, ACK);
	wr(VIRTIO_MMIO_STATUS, ACK | DRV);
	wr(VIRTIO_MMIO_DRIVER_FEATURES_SEL, 1);
	wr(VIRTIO_MMIO_DRIVER_FEATURES, 1);
	wr(VIRTIO_MMIO_DRIVER_FEATURES_SEL, 2);
	wr(VIRTIO_MMIO_DRIVER_FEATURES, 1);
	wr(VIRTIO_MMIO_STATUS, ACK | DRV | FOK);
	assert_int_equal(status(), ACK | DRV);
}

static void test_driver_features_frozen_after_features_ok(void **s)
{
	negotiate(V1);
	wr(VIRTIO_MMIO_DRIVER_FEATURES_SEL, 0);
	wr(VIRTIO_MMIO_DRIVER_FEATURES, 1u << 6);
	assert_int_equal(virtio_mmio_features(&tr), V1);
}

static void test_status_order_violations(void **s)
{
	wr(VIRTIO_MMIO_STATUS, ACK | FOK); /* FEATURES_OK without DRIVER */
	expect_needs_reset(0);
	fake_log_clear();
	wr(VIRTIO_MMIO_STATUS, 0);
	assert_int_equal(status(), 0); /* reset clears NEEDS_RESET */
	wr(VIRTIO_MMIO_STATUS, DRV); /* DRIVER without ACKNOWLEDGE */
	expect_needs_reset(0);
	fake_log_clear();
	negotiate(V1);
	wr(VIRTIO_MMIO_STATUS, ACK | DRV | FOK | 0x10); /* unknown bit */
	expect_needs_reset(ACK | DRV | FOK);
}

static void test_driver_ok_without_features_ok(void **s)
{
	wr(VIRTIO_MMIO_STATUS, ACK);
	wr(VIRTIO_MMIO_STATUS, ACK | DRV);
	wr(VIRTIO_MMIO_STATUS, ACK | DRV | DOK);
	expect_needs_reset(ACK | DRV);
	assert_int_equal(fb.activates, 0);
	assert_int_equal(fb.irq_raises, 0); /* no DRIVER_OK yet: no config irq */
	/* once broken, only a reset helps: correct steps do not revive it */
	wr(VIRTIO_MMIO_DRIVER_FEATURES_SEL, 1);
	wr(VIRTIO_MMIO_DRIVER_FEATURES, 1);
	wr(VIRTIO_MMIO_STATUS, ACK | DRV | FOK);
	assert_int_equal(status(), ACK | DRV | NRST);
	wr(VIRTIO_MMIO_STATUS, ACK | DRV | FOK | DOK);
	assert_int_equal(status(), ACK | DRV | NRST);
	assert_int_equal(fb.activates, 0);
}

static void test_status_bits_cleared(void **s)
{
	bring_up();
	wr(VIRTIO_MMIO_STATUS, ACK | DRV | DOK); /* drops FEATURES_OK */
	expect_needs_reset(ACK | DRV | FOK | DOK);
	/* §2.1.2: after DRIVER_OK a config change notification follows */
	assert_int_equal(rd(VIRTIO_MMIO_INTERRUPT_STATUS), VIRTIO_MMIO_INT_CONFIG);
	assert_int_equal(fb.irq_level, 1);
	/* a broken device ignores kicks, and says so only once */
	submit(BUF, 4);
	assert_int_equal(fb.notifies, 0);
	assert_int_equal(fake_log_warns, 1);
}

static void test_activate_failure(void **s)
{
	fb.activate_ret = -1;
	negotiate(V1);
	wr(VIRTIO_MMIO_STATUS, ACK | DRV | FOK | DOK);
	expect_needs_reset(ACK | DRV | FOK | DOK);
}

static void test_odd_register_accesses(void **s)
{
	static const unsigned sizes[] = { 1, 2, 8, 3, 0 };
	for (unsigned i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++)
		assert_int_equal(virtio_mmio_read(&dev, VIRTIO_MMIO_MAGIC_VALUE, sizes[i]), 0);
	assert_int_equal(virtio_mmio_read(&dev, VIRTIO_MMIO_MAGIC_VALUE + 2, 4), 0);
	virtio_mmio_write(&dev, VIRTIO_MMIO_STATUS, 1, ACK);
	virtio_mmio_write(&dev, VIRTIO_MMIO_STATUS, 8, ACK);
	virtio_mmio_write(&dev, VIRTIO_MMIO_STATUS + 1, 4, ACK);
	assert_int_equal(status(), 0);
	assert_int_equal(fake_log_warns, 9);
	assert_int_equal(rd(0x0f8), 0); /* unknown register */
	wr(0x0f8, 1);
	assert_int_equal(status(), 0);
}

static void test_config_space(void **s)
{
	assert_int_equal(virtio_mmio_read(&dev, 0x100, 1), 0x11);
	assert_int_equal(virtio_mmio_read(&dev, 0x102, 2), 0x4433);
	assert_int_equal(virtio_mmio_read(&dev, 0x100, 4), 0x44332211);
	assert_int_equal(virtio_mmio_read(&dev, 0x104, 2), 0x6655);
	assert_int_equal(fake_log_warns, 0);
	assert_int_equal(virtio_mmio_read(&dev, 0x100, 8), 0);  /* 64-bit: as two halves */
	assert_int_equal(virtio_mmio_read(&dev, 0x101, 2), 0);  /* unaligned */
	assert_int_equal(virtio_mmio_read(&dev, 0x104, 4), 0);  /* aligned, runs past config_size */
	assert_int_equal(virtio_mmio_read(&dev, 0x106, 1), 0);  /* beyond config */
	assert_int_equal(virtio_mmio_read(&dev, 0x1fc, 4), 0);
	assert_int_equal(virtio_mmio_read(&dev, ~0ull - 1, 2), 0);
	assert_int_equal(fake_log_warns, 6);
	virtio_mmio_write(&dev, 0x105, 1, 0xab);
	virtio_mmio_write(&dev, 0x104, 4, 0xffffffff); /* ignored: past the end */
	virtio_mmio_write(&dev, 0x1000, 4, 0xffffffff); /* ignored */
	assert_int_equal(fb.config[5], 0xab);
	assert_int_equal(fb.config[4], 0x55);
	assert_int_equal(fb.config[6], 0x77);
}

static void test_config_generation(void **s)
{
	uint32_t g = rd(VIRTIO_MMIO_CONFIG_GENERATION);
	virtio_mmio_config_changed(&tr);
	assert_int_not_equal(rd(VIRTIO_MMIO_CONFIG_GENERATION), g);
	assert_int_equal(rd(VIRTIO_MMIO_INTERRUPT_STATUS), 0); /* no DRIVER_OK yet */
	bring_up();
	virtio_mmio_config_changed(&tr);
	assert_int_equal(rd(VIRTIO_MMIO_INTERRUPT_STATUS), VIRTIO_MMIO_INT_CONFIG);
}

static void test_reset_clears_state(void **s)
{
	bring_up();
	unsigned resets = fb.resets;
	submit(BUF, 4);
	assert_int_equal(fb.irq_level, 1);
	wr(VIRTIO_MMIO_QUEUE_SEL, 1);
	wr(VIRTIO_MMIO_STATUS, ACK | DRV); /* break it too */
	assert_true(status() & NRST);
	wr(VIRTIO_MMIO_STATUS, 0);
	assert_int_equal(status(), 0);
	assert_int_equal(fb.resets, resets + 1);
	assert_int_equal(rd(VIRTIO_MMIO_INTERRUPT_STATUS), 0);
	assert_int_equal(fb.irq_level, 0);
	assert_int_equal(tr.queue_sel, 0);
	assert_int_equal(rd(VIRTIO_MMIO_QUEUE_READY), 0);
	assert_false(tr.q[0].vq.ready);
	assert_int_equal(tr.q[0].num, 16);
	assert_int_equal(tr.q[0].desc, 0);
	assert_int_equal(virtio_mmio_features(&tr), 0);
	/* the device comes back up from scratch, rings starting at index 0 */
	memset(fake_host(AVAIL), 0, 64);
	memset(fake_host(USED), 0, 128);
	fake_log_clear();
	bring_up();
	submit(BUF, 4);
	assert_int_equal(fb.notifies, 2);
	assert_int_equal(((struct virtq_used *)fake_host(USED))->idx, 1);
	/* the runtime's machine reset takes the same path */
	virtio_mmio_reset(&dev);
	assert_int_equal(status(), 0);
	assert_int_equal(fb.resets, resets + 3); /* bring_up's negotiate() reset once more */
}

static void test_failed_status(void **s)
{
	negotiate(V1);
	wr(VIRTIO_MMIO_STATUS, ACK | DRV | FOK | VIRTIO_STATUS_FAILED);
	assert_int_equal(status(), ACK | DRV | FOK | VIRTIO_STATUS_FAILED);
	wr(VIRTIO_MMIO_STATUS, ACK | DRV | FOK | DOK | VIRTIO_STATUS_FAILED);
	assert_false(status() & DOK); /* nothing but a reset revives it */
	assert_true(virtio_mmio_broken(&tr));
}

static void test_init_rejects_bad_backend(void **s)
{
	struct virtio_mmio t2;
	struct virtio_mmio_backend b = fb_backend;
	b.queue_max = 12;
	assert_int_equal(virtio_mmio_init(&t2, &dev, &b, NULL), -1);
	b = fb_backend;
	b.num_queues = VIRTIO_MMIO_MAX_QUEUES + 1;
	assert_int_equal(virtio_mmio_init(&t2, &dev, &b, NULL), -1);
	b = fb_backend;
	b.config_size = 0x101;
	assert_int_equal(virtio_mmio_init(&t2, &dev, &b, NULL), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
		T(test_identity_registers),
		T(test_device_features),
		T(test_features_ok_refused),
		T(test_driver_features_frozen_after_features_ok),
		T(test_status_order_violations),
		T(test_driver_ok_without_features_ok),
		T(test_status_bits_cleared),
		T(test_activate_failure),
		T(test_odd_register_accesses),
		T(test_config_space),
		T(test_config_generation),
		T(test_reset_clears_state),
		T(test_failed_status),
		T(test_init_rejects_bad_backend),
#undef T
	};
	return cmocka_run_group_tests_name("virtio_mmio", tests, NULL, NULL);
}
