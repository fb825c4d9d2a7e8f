/*
 * Shared set-up for the virtio-mmio transport tests (test_virtio_mmio.c,
 * test_virtio_mmio_queues.c): a fake backend that records its calls, the
 * transport under test as the runtime would hold it, and helpers that play
 * the guest driver through the same read/write entry points vibe_device_ops
 * uses. Guest memory is the test double in fake_guest.h.
 */
#ifndef TEST_MMIO_FIXTURE_H
#define TEST_MMIO_FIXTURE_H

#include <stdint.h>

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
#define V1   (1ull << VIRTIO_F_VERSION_1)

#define DEV_FEATURE_BIT 5 /* the fake device offers bit 5 only */

/* What the fake backend saw. */
struct fake_backend {
	unsigned notifies, last_q, resets, activates;
	int activate_ret;
	uint8_t config[8];
	enum virtq_err last_pop;
	unsigned irq_raises, irq_level;
};
extern struct fake_backend fb;
extern const struct virtio_mmio_backend fb_backend;
extern struct vibe_dev dev;
extern struct virtio_mmio tr;

int setup(void **s);
int teardown(void **s);
uint32_t rd(uint64_t off); /* 32-bit register read */
void wr(uint64_t off, uint32_t v);
uint32_t status(void);
void negotiate(uint64_t features); /* reset, ACK, DRIVER, features, FEATURES_OK */
void setup_queue(unsigned q, uint32_t num, uint64_t d, uint64_t a, uint64_t u);
void bring_up(void);               /* negotiate(V1), queue 0 (size 8), DRIVER_OK */
void submit(uint64_t addr, uint32_t len); /* one writable buffer on queue 0, kick */
void expect_needs_reset(uint32_t bits_kept); /* and exactly one log line */

#endif
