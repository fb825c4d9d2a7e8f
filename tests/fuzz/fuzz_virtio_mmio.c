/*
 * Fuzz target: the virtio-mmio register model (runtime/virtio/virtio_mmio.c)
 * under fuzzed register access sequences, with a backend that drains its
 * queues through the real virtqueue walker over fuzzed guest memory.
 *
 * Input: ops (8 bytes each: u8 kind, u16 offset, u8 size selector,
 * u32 value) up to the first 0xff kind byte or 64 ops, then the memory
 * image of RAM (0x0 - 0x4000; hole to 0x5000; 0x5000 - 0x6000).
 * Kinds: register write / read at any offset and size (1, 2, 3, 4, 8, 0),
 * a whole driver handshake with queue setup (so the fuzzer reaches
 * DRIVER_OK and the notify path early), device reset, guest RAM store.
 *
 * Invariants besides ASan/UBSan: MagicValue always reads "virt"; the
 * interrupt line is high exactly while InterruptStatus is nonzero;
 * notify only reaches the backend after DRIVER_OK on a ready queue of an
 * unbroken device; config callbacks only see in-range, aligned accesses of
 * size 1/2/4; NEEDS_RESET only goes away by a reset; accepted features
 * are a subset of the offered ones; a ready queue has a valid size.
 */
#include <stdbool.h>
#include <stdlib.h>

#include "fuzz.h"
#include "fuzz_mem.h"
#include "virtio_mmio.h"

#define CFG_SIZE 6u  /* not a multiple of 4: a 4-byte read at 4 overruns */
#define QMAX 16u
#define DEV_FEATURES (1ull << 5 | 1ull << 40)

static uint8_t *cfg; /* heap block of exactly CFG_SIZE: ASan sees overruns */
static struct virtio_mmio tr;
static int line;

static uint32_t be_config_read(struct virtio_mmio *t, uint32_t off, unsigned size)
{
	uint32_t v = 0;
	FUZZ_CHECK(size == 1 || size == 2 || size == 4);
	FUZZ_CHECK(off < CFG_SIZE && size <= CFG_SIZE - off && !(off & (size - 1)));
	memcpy(&v, cfg + off, size);
	return v;
}

static void be_config_write(struct virtio_mmio *t, uint32_t off, unsigned size, uint32_t val)
{
	FUZZ_CHECK(size == 1 || size == 2 || size == 4);
	FUZZ_CHECK(off < CFG_SIZE && size <= CFG_SIZE - off && !(off & (size - 1)));
	memcpy(cfg + off, &val, size);
	virtio_mmio_config_changed(t);
}

/* A device's queue handler: pop, check, complete, interrupt. */
static void be_notify(struct virtio_mmio *t, unsigned q)
{
	struct virtq_iov iov[8];
	struct virtq_chain ch;
	enum virtq_err err;
	struct virtq *vq = virtio_mmio_queue(t, q);

	FUZZ_CHECK(vq && vq->ready);
	FUZZ_CHECK(t->status & VIRTIO_STATUS_DRIVER_OK);
	FUZZ_CHECK(!(t->status & (VIRTIO_STATUS_NEEDS_RESET | VIRTIO_STATUS_FAILED)));
	for (unsigned budget = 0; budget < 64; budget++) {
		err = virtq_pop(vq, iov, 8, &ch);
		if (err != VIRTQ_OK)
			break;
		for (unsigned i = 0; i < ch.n; i++) {
			FUZZ_CHECK(fuzz_mem_host_ok(iov[i].base, iov[i].len));
			if (iov[i].writable)
				memset(iov[i].base, 0xa5, iov[i].len < 16 ? iov[i].len : 16);
		}
		FUZZ_CHECK(virtq_push(vq, ch.head, ch.in_len < 16 ? ch.in_len : 16) == VIRTQ_OK);
		virtio_mmio_queue_done(t, q);
	}
	if (err != VIRTQ_OK && err != VIRTQ_EMPTY)
		virtio_mmio_needs_reset(t, virtq_strerror(err));
}

static void be_irq(void *opaque, int level) { line = level; }

static const struct virtio_mmio_backend backend = {
	.device_id = 4,
	.features = DEV_FEATURES,
	.num_queues = 2,
	.queue_max = QMAX,
	.config_size = CFG_SIZE,
	.config_read = be_config_read,
	.config_write = be_config_write,
	.notify = be_notify,
};

static struct vibe_dev_desc desc = { .name = "fuzz0", .type = "virtio-rng" };
static struct vibe_dev dev;

static void wr(uint64_t off, uint32_t v) { virtio_mmio_write(&dev, off, 4, v); }

/* The driver side of §3.1.1 in one step, parameterised by v. */
static void handshake(uint32_t v)
{
	unsigned q = v & 1;
	uint64_t base = q ? 0x2000 : 0x0;
	wr(VIRTIO_MMIO_STATUS, 0);
	wr(VIRTIO_MMIO_STATUS, VIRTIO_STATUS_ACKNOWLEDGE);
	wr(VIRTIO_MMIO_STATUS, VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER);
	wr(VIRTIO_MMIO_DRIVER_FEATURES_SEL, 0);
	wr(VIRTIO_MMIO_DRIVER_FEATURES, (v & 2 ? 1u << VIRTIO_F_EVENT_IDX : 0) |
					(v & 4 ? 1u << VIRTIO_F_INDIRECT_DESC : 0) | 1u << 5);
	wr(VIRTIO_MMIO_DRIVER_FEATURES_SEL, 1);
	wr(VIRTIO_MMIO_DRIVER_FEATURES, 1u << (VIRTIO_F_VERSION_1 - 32) | (v & 8 ? 1u << 8 : 0));
	wr(VIRTIO_MMIO_STATUS, VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER |
			       VIRTIO_STATUS_FEATURES_OK);
	wr(VIRTIO_MMIO_QUEUE_SEL, q);
	wr(VIRTIO_MMIO_QUEUE_NUM, 1u << ((v >> 4) % 6));
	wr(VIRTIO_MMIO_QUEUE_DESC_LOW, (uint32_t)base);
	wr(VIRTIO_MMIO_QUEUE_DESC_HIGH, 0);
	wr(VIRTIO_MMIO_QUEUE_DRIVER_LOW, (uint32_t)base + 0x800);
	wr(VIRTIO_MMIO_QUEUE_DRIVER_HIGH, 0);
	wr(VIRTIO_MMIO_QUEUE_DEVICE_LOW, (uint32_t)base + 0x1000);
	wr(VIRTIO_MMIO_QUEUE_DEVICE_HIGH, 0);
	wr(VIRTIO_MMIO_QUEUE_READY, 1);
	wr(VIRTIO_MMIO_STATUS, VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER |
			       VIRTIO_STATUS_FEATURES_OK | VIRTIO_STATUS_DRIVER_OK);
}

static void check_state(uint32_t status_before, bool was_reset)
{
	const uint64_t offered = DEV_FEATURES | 1ull << VIRTIO_F_VERSION_1 |
				 1ull << VIRTIO_F_EVENT_IDX | 1ull << VIRTIO_F_INDIRECT_DESC;
	FUZZ_CHECK(virtio_mmio_read(&dev, VIRTIO_MMIO_MAGIC_VALUE, 4) == VIRTIO_MMIO_MAGIC);
	FUZZ_CHECK(line == (tr.interrupt_status != 0));
	/* Only a reset (Status = 0, or the machine's) mends a broken device. */
	if ((status_before & VIRTIO_STATUS_NEEDS_RESET) && !was_reset)
		FUZZ_CHECK(tr.status & VIRTIO_STATUS_NEEDS_RESET);
	if (tr.status & VIRTIO_STATUS_FEATURES_OK)
		FUZZ_CHECK(!(tr.driver_features & ~offered) && !tr.driver_features_high);
	for (unsigned i = 0; i < backend.num_queues; i++) {
		const struct virtq *vq = &tr.q[i].vq;
		if (vq->ready)
			FUZZ_CHECK(vq->size && !(vq->size & (vq->size - 1)) && vq->size <= QMAX);
	}
}

static int one(const uint8_t *data, size_t size)
{
	static const unsigned sizes[8] = { 4, 4, 4, 1, 2, 8, 3, 0 };
	struct fuzz_in in = { data, size };
	size_t nops = 0;

	while (nops < 64 && (nops + 1) * 8 <= in.n && in.p[nops * 8] != 0xff)
		nops++;
	const uint8_t *ops = in.p;
	size_t skip = nops * 8 + (nops * 8 < in.n); /* the 0xff terminator */
	if (skip > in.n)
		skip = in.n;
	in.p += skip;
	in.n -= skip;

	fuzz_mem_reset();
	uint8_t *ram = fuzz_mem_add(0x0, 0x4000, in.p, in.n);
	fuzz_mem_add(0x5000, 0x1000, NULL, 0);
	cfg = malloc(CFG_SIZE);
	FUZZ_CHECK(cfg != NULL);
	memcpy(cfg, "\x11\x22\x33\x44\x55\x66", CFG_SIZE);
	line = 0;
	dev = (struct vibe_dev){ .desc = &desc, .vm = fuzz_vm, .state = &tr };
	FUZZ_CHECK(virtio_mmio_init(&tr, &dev, &backend, NULL) == 0);
	virtio_mmio_set_irq(&tr, be_irq, NULL);

	for (size_t k = 0; k < nops; k++) {
		struct fuzz_in o = { ops + 8 * k, 8 };
		unsigned kind = (unsigned)fuzz_take(&o, 1);
		uint64_t off = fuzz_take(&o, 2) % 0x240; /* past the config space too */
		unsigned sz = sizes[fuzz_take(&o, 1) % 8];
		uint32_t val = (uint32_t)fuzz_take(&o, 4);
		uint32_t before = tr.status;
		bool reset = false;

		switch (kind % 8) {
		case 0: case 1: case 2:
			virtio_mmio_write(&dev, off, sz, val);
			reset = off == VIRTIO_MMIO_STATUS && sz == 4 && val == 0;
			break;
		case 3: case 4:
			(void)virtio_mmio_read(&dev, off, sz);
			break;
		case 5:
			handshake(val);
			reset = true;
			break;
		case 6:
			virtio_mmio_reset(&dev);
			reset = true;
			break;
		case 7:
			memcpy(ram + off * 16 % (0x4000 - 4), &val, 4);
			break;
		}
		check_state(before, reset);
	}
	virtio_mmio_destroy(&tr);
	free(cfg);
	fuzz_mem_reset();
	return 0;
}

FUZZ_TARGET(virtio_mmio, one)
