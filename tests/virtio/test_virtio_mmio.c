/*
 * The virtio-mmio transport (runtime/virtio/virtio_mmio.c): registers, the
 * device status state machine, queue setup rules, interrupts and odd
 * accesses, driven the way a guest driver would through the same
 * read/write entry points vibe_device_ops uses. Guest memory is the test
 * double in fake_guest.c; the backend is a fake that records its calls.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>

#include "fake_guest.h"
#include "virtio_mmio.h"

#define DESC  0x1000ull
#define AVAIL 0x2000ull
#define USED  0x3000ull
#define BUF   0x4000ull

#define ACK  VIRTIO_STATUS_ACKNOWLEDGE
#define DRV  VIRTIO_STATUS_DRIVER
#define FOK  VIRTIO_STATUS_FEATURES_OK
#define DOK  VIRTIO_STATUS_DRIVER_OK
#define NRST VIRTIO_STATUS_NEEDS_RESET

#define DEV_FEATURE_BIT 5 /* the fake device offers bit 5 only */

/* ---- fake backend ---- */
static struct {
	unsigned notifies, last_q, resets, activates;
	int activate_ret;
	uint8_t config[8];
	enum virtq_err last_pop;
	unsigned irq_raises, irq_level;
} fb;

static uint32_t fb_config_read(struct virtio_mmio *t, uint32_t off, unsigned size)
{
	uint32_t v = 0;
	memcpy(&v, fb.config + off, size);
	return v;
}

static void fb_config_write(struct virtio_mmio *t, uint32_t off, unsigned size, uint32_t val)
{
	memcpy(fb.config + off, &val, size);
}

static int fb_activate(struct virtio_mmio *t)
{
	fb.activates++;
	return fb.activate_ret;
}

/* What a device's handler looks like: pop, complete, interrupt; on a
 * malformed ring hand the reason to the transport. */
static void fb_notify(struct virtio_mmio *t, unsigned q)
{
	struct virtq_iov iov[8];
	struct virtq_chain ch;
	struct virtq *vq = virtio_mmio_queue(t, q);

	fb.notifies++;
	fb.last_q = q;
	while ((fb.last_pop = virtq_pop(vq, iov, 8, &ch)) == VIRTQ_OK) {
		virtq_push(vq, ch.head, ch.in_len);
		virtio_mmio_queue_done(t, q);
	}
	if (fb.last_pop != VIRTQ_EMPTY)
		virtio_mmio_needs_reset(t, virtq_strerror(fb.last_pop));
}

static void fb_reset(struct virtio_mmio *t) { fb.resets++; }

static void fb_irq(void *opaque, int level)
{
	fb.irq_level = level;
	if (level)
		fb.irq_raises++;
}

static const struct virtio_mmio_backend fb_backend = {
	.device_id = 4,
	.features = 1ull << DEV_FEATURE_BIT,
	.num_queues = 2,
	.queue_max = 16,
	.config_size = 6, /* not a multiple of 4: aligned reads can overrun */
	.config_read = fb_config_read,
	.config_write = fb_config_write,
	.activate = fb_activate,
	.notify = fb_notify,
	.reset = fb_reset,
};

/* ---- the device under test, as the runtime would hold it ---- */
static struct vibe_dev_desc desc = { .name = "rng0", .type = "virtio-rng" };
static struct vibe_dev dev;
static struct virtio_mmio tr;

static uint32_t rd(uint64_t off) { return (uint32_t)virtio_mmio_read(&dev, off, 4); }
static void wr(uint64_t off, uint32_t v) { virtio_mmio_write(&dev, off, 4, v); }
static uint32_t status(void) { return rd(VIRTIO_MMIO_STATUS); }

static int setup(void **s)
{
	fake_guest_init();
	memset(&fb, 0, sizeof(fb));
	memcpy(fb.config, "\x11\x22\x33\x44\x55\x66\x77\x88", 8);
	dev = (struct vibe_dev){ .desc = &desc, .vm = fake_vm, .state = &tr };
	assert_int_equal(virtio_mmio_init(&tr, &dev, &fb_backend, &fb), 0);
	virtio_mmio_set_irq(&tr, fb_irq, NULL);
	return 0;
}

static int teardown(void **s)
{
	virtio_mmio_destroy(&tr);
	fake_guest_fini();
	return 0;
}

/* §3.1.1 steps 1-5 with the given 64-bit driver feature set. */
static void negotiate(uint64_t features)
{
	wr(VIRTIO_MMIO_STATUS, 0);
	wr(VIRTIO_MMIO_STATUS, ACK);
	wr(VIRTIO_MMIO_STATUS, ACK | DRV);
	wr(VIRTIO_MMIO_DRIVER_FEATURES_SEL, 0);
	wr(VIRTIO_MMIO_DRIVER_FEATURES, (uint32_t)features);
	wr(VIRTIO_MMIO_DRIVER_FEATURES_SEL, 1);
	wr(VIRTIO_MMIO_DRIVER_FEATURES, (uint32_t)(features >> 32));
	wr(VIRTIO_MMIO_STATUS, ACK | DRV | FOK);
}

static void setup_queue(unsigned q, uint32_t num, uint64_t d, uint64_t a, uint64_t u)
{
	wr(VIRTIO_MMIO_QUEUE_SEL, q);
	wr(VIRTIO_MMIO_QUEUE_NUM, num);
	wr(VIRTIO_MMIO_QUEUE_DESC_LOW, (uint32_t)d);
	wr(VIRTIO_MMIO_QUEUE_DESC_HIGH, (uint32_t)(d >> 32));
	wr(VIRTIO_MMIO_QUEUE_DRIVER_LOW, (uint32_t)a);
	wr(VIRTIO_MMIO_QUEUE_DRIVER_HIGH, (uint32_t)(a >> 32));
	wr(VIRTIO_MMIO_QUEUE_DEVICE_LOW, (uint32_t)u);
	wr(VIRTIO_MMIO_QUEUE_DEVICE_HIGH, (uint32_t)(u >> 32));
	wr(VIRTIO_MMIO_QUEUE_READY, 1);
}

#define V1 (1ull << VIRTIO_F_VERSION_1)

static void bring_up(void)
{
	negotiate(V1);
	assert_int_equal(status(), ACK | DRV | FOK);
	setup_queue(0, 8, DESC, AVAIL, USED);
	wr(VIRTIO_MMIO_STATUS, ACK | DRV | FOK | DOK);
	assert_int_equal(status(), ACK | DRV | FOK | DOK);
}

/* Put one single-buffer chain on queue 0 (size 8) and kick. */
static void submit(uint64_t addr, uint32_t len)
{
	struct virtq_desc d = { addr, len, VIRTQ_DESC_F_WRITE, 0 };
	struct virtq_avail *av = fake_host(AVAIL);
	memcpy(fake_host(DESC), &d, sizeof(d));
	av->ring[av->idx % 8] = 0;
	av->idx++;
	wr(VIRTIO_MMIO_QUEUE_NOTIFY, 0);
}

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

static void test_full_bring_up_notify_and_interrupt(void **s)
{
	bring_up();
	assert_int_equal(fb.activates, 1);
	wr(VIRTIO_MMIO_QUEUE_SEL, 0);
	assert_int_equal(rd(VIRTIO_MMIO_QUEUE_READY), 1);
	assert_int_equal(rd(VIRTIO_MMIO_QUEUE_NUM_MAX), 16);
	submit(BUF, 32);
	assert_int_equal(fb.notifies, 1);
	assert_int_equal(fb.last_pop, VIRTQ_EMPTY);
	struct virtq_used *u = fake_host(USED);
	assert_int_equal(u->idx, 1);
	assert_int_equal(u->ring[0].len, 32);
	assert_int_equal(rd(VIRTIO_MMIO_INTERRUPT_STATUS), VIRTIO_MMIO_INT_VRING);
	assert_int_equal(fb.irq_level, 1);
	/* the line stays up until every pending bit is acknowledged, and is
	 * driven only on a change */
	virtio_mmio_config_changed(&tr);
	assert_int_equal(fb.irq_raises, 1);
	wr(VIRTIO_MMIO_INTERRUPT_ACK, VIRTIO_MMIO_INT_VRING);
	assert_int_equal(rd(VIRTIO_MMIO_INTERRUPT_STATUS), VIRTIO_MMIO_INT_CONFIG);
	assert_int_equal(fb.irq_level, 1);
	wr(VIRTIO_MMIO_INTERRUPT_ACK, VIRTIO_MMIO_INT_CONFIG);
	assert_int_equal(rd(VIRTIO_MMIO_INTERRUPT_STATUS), 0);
	assert_int_equal(fb.irq_level, 0);
	assert_int_equal(fake_log_warns, 0);
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

static void expect_needs_reset(uint32_t bits_kept)
{
	assert_int_equal(status(), bits_kept | NRST);
	assert_int_equal(fake_log_warns, 1); /* exactly one line */
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

static void test_queue_setup_after_driver_ok(void **s)
{
	static const uint64_t regs[] = { VIRTIO_MMIO_QUEUE_NUM, VIRTIO_MMIO_QUEUE_DESC_LOW,
		VIRTIO_MMIO_QUEUE_DRIVER_HIGH, VIRTIO_MMIO_QUEUE_DEVICE_LOW, VIRTIO_MMIO_QUEUE_READY };
	for (unsigned i = 0; i < sizeof(regs) / sizeof(regs[0]); i++) {
		teardown(s);
		setup(s);
		bring_up();
		/* queue 1 is not ready: only the DRIVER_OK rule applies */
		wr(VIRTIO_MMIO_QUEUE_SEL, 1);
		wr(regs[i], regs[i] == VIRTIO_MMIO_QUEUE_NUM ? 4 : 1);
		expect_needs_reset(ACK | DRV | FOK | DOK);
		assert_non_null(strstr(fake_log_last, "after DRIVER_OK"));
	}
	teardown(s);
	setup(s);
	bring_up(); /* disabling a queue after DRIVER_OK is setup too */
	wr(VIRTIO_MMIO_QUEUE_SEL, 0);
	wr(VIRTIO_MMIO_QUEUE_READY, 0);
	expect_needs_reset(ACK | DRV | FOK | DOK);
}

static void test_queue_changed_while_ready(void **s)
{
	negotiate(V1);
	setup_queue(0, 8, DESC, AVAIL, USED);
	wr(VIRTIO_MMIO_QUEUE_DESC_LOW, 0x5000);
	expect_needs_reset(ACK | DRV | FOK);
}

static void test_queue_num_rules(void **s)
{
	static const uint32_t bad[] = { 0, 3, 12, 32, 0x10000 };
	for (unsigned i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		negotiate(V1);
		fake_log_clear();
		wr(VIRTIO_MMIO_QUEUE_SEL, 0);
		wr(VIRTIO_MMIO_QUEUE_NUM, bad[i]);
		expect_needs_reset(ACK | DRV | FOK);
	}
	negotiate(V1);
	fake_log_clear();
	setup_queue(1, 16, DESC, AVAIL, USED); /* max is fine */
	assert_int_equal(status(), ACK | DRV | FOK);
	assert_int_equal(rd(VIRTIO_MMIO_QUEUE_READY), 1);
	assert_int_equal(tr.q[1].vq.size, 16);
}

static void test_queue_ready_checks(void **s)
{
	wr(VIRTIO_MMIO_STATUS, ACK);
	wr(VIRTIO_MMIO_STATUS, ACK | DRV);
	setup_queue(0, 8, DESC, AVAIL, USED); /* before FEATURES_OK */
	expect_needs_reset(ACK | DRV);
	fake_log_clear();
	negotiate(V1);
	setup_queue(0, 8, DESC, FAKE_HOLE, USED); /* avail ring in MMIO */
	expect_needs_reset(ACK | DRV | FOK);
	assert_int_equal(rd(VIRTIO_MMIO_QUEUE_READY), 0);
	assert_non_null(strstr(fake_log_last, "ring not inside guest RAM"));
	fake_log_clear();
	negotiate(V1);
	setup_queue(0, 8, DESC + 4, AVAIL, USED); /* misaligned */
	expect_needs_reset(ACK | DRV | FOK);
	fake_log_clear();
	negotiate(V1); /* a 64-bit address above RAM, via the High half */
	setup_queue(0, 8, DESC | 1ull << 40, AVAIL, USED);
	expect_needs_reset(ACK | DRV | FOK);
}

static void test_queue_teardown_before_driver_ok(void **s)
{
	negotiate(V1);
	setup_queue(0, 8, DESC, AVAIL, USED);
	wr(VIRTIO_MMIO_QUEUE_READY, 0); /* Linux find_vqs error path */
	assert_int_equal(rd(VIRTIO_MMIO_QUEUE_READY), 0);
	assert_int_equal(status(), ACK | DRV | FOK);
	assert_int_equal(fake_log_warns, 0);
}

static void test_absent_queue(void **s)
{
	negotiate(V1);
	wr(VIRTIO_MMIO_QUEUE_SEL, 5);
	assert_int_equal(rd(VIRTIO_MMIO_QUEUE_NUM_MAX), 0); /* §4.2.2: not available */
	assert_int_equal(rd(VIRTIO_MMIO_QUEUE_READY), 0);
	wr(VIRTIO_MMIO_QUEUE_NUM, 8);
	wr(VIRTIO_MMIO_QUEUE_READY, 1);
	assert_int_equal(status(), ACK | DRV | FOK); /* ignored, not broken */
	assert_int_equal(fake_log_warns, 2);
	assert_non_null(strstr(fake_log_last, "absent queue 5"));
	wr(VIRTIO_MMIO_QUEUE_SEL, 0xffffffff); /* far past the array (ASan) */
	wr(VIRTIO_MMIO_QUEUE_NUM, 8);
	wr(VIRTIO_MMIO_QUEUE_DESC_HIGH, 8);
	wr(VIRTIO_MMIO_QUEUE_READY, 1);
	assert_int_equal(rd(VIRTIO_MMIO_QUEUE_READY), 0);
	assert_int_equal(status(), ACK | DRV | FOK);
	assert_int_equal(fake_log_warns, 5);
}

static void test_notify_rules(void **s)
{
	negotiate(V1);
	setup_queue(0, 8, DESC, AVAIL, USED);
	submit(BUF, 4); /* before DRIVER_OK */
	assert_int_equal(fb.notifies, 0);
	assert_int_equal(fake_log_warns, 1);
	assert_int_equal(status(), ACK | DRV | FOK); /* ignored, not broken */
	wr(VIRTIO_MMIO_STATUS, ACK | DRV | FOK | DOK);
	fake_log_clear();
	wr(VIRTIO_MMIO_QUEUE_NOTIFY, 1); /* exists, not ready */
	wr(VIRTIO_MMIO_QUEUE_NOTIFY, 7); /* absent */
	assert_int_equal(fb.notifies, 0);
	assert_int_equal(fake_log_warns, 2);
	wr(VIRTIO_MMIO_QUEUE_NOTIFY, 0);
	assert_int_equal(fb.notifies, 1);
}

static void test_malformed_ring_needs_reset(void **s)
{
	bring_up();
	struct virtq_desc d = { BUF, 4, VIRTQ_DESC_F_NEXT, 0 }; /* next -> itself */
	struct virtq_avail *av = fake_host(AVAIL);
	memcpy(fake_host(DESC), &d, sizeof(d));
	av->ring[0] = 0;
	av->idx = 1;
	wr(VIRTIO_MMIO_QUEUE_NOTIFY, 0);
	assert_int_equal(fb.last_pop, VIRTQ_ERR_LOOP);
	expect_needs_reset(ACK | DRV | FOK | DOK);
	assert_non_null(strstr(fake_log_last, "rng0"));
	assert_non_null(strstr(fake_log_last, "loop"));
	assert_true(virtio_mmio_broken(&tr));
	virtio_mmio_needs_reset(&tr, "again"); /* second fault: no second line */
	assert_int_equal(fake_log_warns, 1);
}

static void test_no_used_interrupt_when_broken(void **s)
{
	struct virtq_iov iov[4];
	struct virtq_chain ch;
	struct virtq_desc d = { BUF, 4, VIRTQ_DESC_F_WRITE, 0 };
	struct virtq_avail *av = fake_host(AVAIL);
	struct virtq *vq = virtio_mmio_queue(&tr, 0);

	bring_up();
	memcpy(fake_host(DESC), &d, sizeof(d));
	av->idx = 1;
	assert_int_equal(virtq_pop(vq, iov, 4, &ch), VIRTQ_OK);
	/* e.g. an I/O thread finishing a request after the device broke */
	virtio_mmio_needs_reset(&tr, "test");
	wr(VIRTIO_MMIO_INTERRUPT_ACK, VIRTIO_MMIO_INT_CONFIG);
	assert_int_equal(virtq_push(vq, ch.head, 4), VIRTQ_OK);
	virtio_mmio_queue_done(&tr, 0);
	assert_int_equal(rd(VIRTIO_MMIO_INTERRUPT_STATUS), 0);
	assert_int_equal(fb.irq_level, 0);
	assert_null(virtio_mmio_queue(&tr, 2));
	virtio_mmio_queue_done(&tr, 2); /* absent queue: nothing */
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
		T(test_full_bring_up_notify_and_interrupt),
		T(test_features_ok_refused),
		T(test_driver_features_frozen_after_features_ok),
		T(test_status_order_violations),
		T(test_driver_ok_without_features_ok),
		T(test_status_bits_cleared),
		T(test_queue_setup_after_driver_ok),
		T(test_queue_changed_while_ready),
		T(test_queue_num_rules),
		T(test_queue_ready_checks),
		T(test_queue_teardown_before_driver_ok),
		T(test_absent_queue),
		T(test_notify_rules),
		T(test_malformed_ring_needs_reset),
		T(test_no_used_interrupt_when_broken),
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
