/*
 * Shared set-up for the virtio-mmio transport tests: see mmio_fixture.h.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>

#include "mmio_fixture.h"

/* ---- fake backend ---- */
struct fake_backend fb;

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

const struct virtio_mmio_backend fb_backend = {
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
struct vibe_dev dev;
struct virtio_mmio tr;

uint32_t rd(uint64_t off) { return (uint32_t)virtio_mmio_read(&dev, off, 4); }
void wr(uint64_t off, uint32_t v) { virtio_mmio_write(&dev, off, 4, v); }
uint32_t status(void) { return rd(VIRTIO_MMIO_STATUS); }

int setup(void **s)
{
	fake_guest_init();
	memset(&fb, 0, sizeof(fb));
	memcpy(fb.config, "\x11\x22\x33\x44\x55\x66\x77\x88", 8);
	dev = (struct vibe_dev){ .desc = &desc, .vm = fake_vm, .state = &tr };
	assert_int_equal(virtio_mmio_init(&tr, &dev, &fb_backend, &fb), 0);
	virtio_mmio_set_irq(&tr, fb_irq, NULL);
	return 0;
}

int teardown(void **s)
{
	virtio_mmio_destroy(&tr);
	fake_guest_fini();
	return 0;
}

/* §3.1.1 steps 1-5 with the given 64-bit driver feature set. */
void negotiate(uint64_t features)
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

void setup_queue(unsigned q, uint32_t num, uint64_t d, uint64_t a, uint64_t u)
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

void bring_up(void)
{
	negotiate(V1);
	assert_int_equal(status(), ACK | DRV | FOK);
	setup_queue(0, 8, DESC, AVAIL, USED);
	wr(VIRTIO_MMIO_STATUS, ACK | DRV | FOK | DOK);
	assert_int_equal(status(), ACK | DRV | FOK | DOK);
}

/* Put one single-buffer chain on queue 0 (size 8) and kick. */
void submit(uint64_t addr, uint32_t len)
{
	struct virtq_desc d = { addr, len, VIRTQ_DESC_F_WRITE, 0 };
	struct virtq_avail *av = fake_host(AVAIL);
	memcpy(fake_host(DESC), &d, sizeof(d));
	av->ring[av->idx % 8] = 0;
	av->idx++;
	wr(VIRTIO_MMIO_QUEUE_NOTIFY, 0);
}

void expect_needs_reset(uint32_t bits_kept)
{
	assert_int_equal(status(), bits_kept | NRST);
	assert_int_equal(fake_log_warns, 1); /* exactly one line */
}
