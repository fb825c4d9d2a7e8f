/*
 * The virtio-mmio transport, version 2 ("modern") only: virtio spec v1.2
 * §4.2.2. One generic register model; each device type (virtio-blk, -net,
 * -console, -rng) supplies a small backend struct with its device id,
 * feature bits, config space and queue handler, and nothing else.
 *
 * How a device file plugs in (see docs/internals/virtio.md):
 *
 *   struct rng { struct virtio_mmio t; ... };
 *   static const struct virtio_mmio_backend rng_backend = { .device_id = 4, ... };
 *   static int rng_init(struct vibe_dev *dev) {
 *       struct rng *r = calloc(1, sizeof(*r));
 *       if (!r || virtio_mmio_init(&r->t, dev, &rng_backend, r)) return -1;
 *       virtio_mmio_set_irq(&r->t, rng_irq, dev); // -> vibe_vm_irq_line()
 *       dev->state = &r->t;            // the transport reads dev->state
 *       return 0;
 *   }
 *   const struct vibe_device_ops vibe_dev_virtio_rng_ops = {
 *       .type = "virtio-rng", .init = rng_init,
 *       .read = virtio_mmio_read, .write = virtio_mmio_write,
 *       .reset = virtio_mmio_reset,
 *   };
 */
#ifndef VIBE_VIRTIO_MMIO_H
#define VIBE_VIRTIO_MMIO_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "vibe/device.h"
#include "virtqueue.h"

/* §4.2.2 register offsets */
#define VIRTIO_MMIO_MAGIC_VALUE         0x000
#define VIRTIO_MMIO_VERSION             0x004
#define VIRTIO_MMIO_DEVICE_ID           0x008
#define VIRTIO_MMIO_VENDOR_ID           0x00c
#define VIRTIO_MMIO_DEVICE_FEATURES     0x010
#define VIRTIO_MMIO_DEVICE_FEATURES_SEL 0x014
#define VIRTIO_MMIO_DRIVER_FEATURES     0x020
#define VIRTIO_MMIO_DRIVER_FEATURES_SEL 0x024
#define VIRTIO_MMIO_QUEUE_SEL           0x030
#define VIRTIO_MMIO_QUEUE_NUM_MAX       0x034
#define VIRTIO_MMIO_QUEUE_NUM           0x038
#define VIRTIO_MMIO_QUEUE_READY         0x044
#define VIRTIO_MMIO_QUEUE_NOTIFY        0x050
#define VIRTIO_MMIO_INTERRUPT_STATUS    0x060
#define VIRTIO_MMIO_INTERRUPT_ACK       0x064
#define VIRTIO_MMIO_STATUS              0x070
#define VIRTIO_MMIO_QUEUE_DESC_LOW      0x080
#define VIRTIO_MMIO_QUEUE_DESC_HIGH     0x084
#define VIRTIO_MMIO_QUEUE_DRIVER_LOW    0x090
#define VIRTIO_MMIO_QUEUE_DRIVER_HIGH   0x094
#define VIRTIO_MMIO_QUEUE_DEVICE_LOW    0x0a0
#define VIRTIO_MMIO_QUEUE_DEVICE_HIGH   0x0a4
#define VIRTIO_MMIO_CONFIG_GENERATION   0x0fc
#define VIRTIO_MMIO_CONFIG              0x100

#define VIRTIO_MMIO_MAGIC    0x74726976u /* "virt" */
#define VIRTIO_MMIO_VENDOR   0x45424956u /* "VIBE" */

/* §2.1 device status bits */
#define VIRTIO_STATUS_ACKNOWLEDGE  1u
#define VIRTIO_STATUS_DRIVER       2u
#define VIRTIO_STATUS_DRIVER_OK    4u
#define VIRTIO_STATUS_FEATURES_OK  8u
#define VIRTIO_STATUS_NEEDS_RESET  0x40u
#define VIRTIO_STATUS_FAILED       0x80u

/* §4.2.2 InterruptStatus bits */
#define VIRTIO_MMIO_INT_VRING  1u /* used buffer notification */
#define VIRTIO_MMIO_INT_CONFIG 2u /* configuration change */

#define VIRTIO_MMIO_MAX_QUEUES 16

struct virtio_mmio;

/*
 * What a device type provides. Callbacks run with the transport lock held
 * (a recursive mutex, so they may call the virtio_mmio_* functions below),
 * except notify, which runs unlocked so a long queue drain does not block
 * register accesses from other vCPUs.
 */
struct virtio_mmio_backend {
	uint32_t device_id;      /* §5: 1 net, 2 blk, 3 console, 4 rng, ... */
	uint64_t features;       /* device-specific bits offered; the transport
				  * adds VERSION_1, EVENT_IDX, INDIRECT_DESC */
	unsigned num_queues;     /* 1..VIRTIO_MMIO_MAX_QUEUES */
	uint16_t queue_max;      /* QueueNumMax: power of two, <= 32768 */
	uint32_t config_size;    /* bytes of config space at 0x100 (<= 0x100) */
	/* Config space, off < config_size, off+size <= config_size, size 1/2/4,
	 * naturally aligned (§4.2.2.2): the transport checks before calling. */
	uint32_t (*config_read)(struct virtio_mmio *t, uint32_t off, unsigned size);
	void (*config_write)(struct virtio_mmio *t, uint32_t off, unsigned size, uint32_t val);
	/* DRIVER_OK written: start work with virtio_mmio_features(t). Return
	 * -1 to refuse (the device then gets NEEDS_RESET). Optional. */
	int (*activate)(struct virtio_mmio *t);
	/* The driver kicked ready queue `q` (only after DRIVER_OK). Pop with
	 * virtq_pop(virtio_mmio_queue(t, q), ...); on a virtq error call
	 * virtio_mmio_needs_reset(t, virtq_strerror(err)). */
	void (*notify)(struct virtio_mmio *t, unsigned q);
	/* Device reset (Status=0 or machine reset): stop workers, drop
	 * in-flight work, return to the initial state. Called before the
	 * transport clears its queues. notify runs unlocked and may be
	 * running on another vCPU right now: the backend serialises its own
	 * notify and reset (e.g. with its own mutex). Optional. */
	void (*reset)(struct virtio_mmio *t);
};

struct virtio_mmio_queue {
	struct virtq vq;
	uint16_t num;                 /* QueueNum as written (default: max) */
	uint64_t desc, driver, device; /* QueueDesc/Driver/Device as written */
};

struct virtio_mmio {
	const struct virtio_mmio_backend *be;
	void *opaque;          /* the device's own state */
	struct vibe_vm *vm;
	const char *name;      /* machine-file device name, for log lines */
	pthread_mutex_t lock;  /* recursive; guards everything below */
	uint32_t status;
	uint32_t dev_features_sel, drv_features_sel, queue_sel;
	uint64_t driver_features;
	bool driver_features_high; /* driver set a bit above 63: never offered */
	uint32_t interrupt_status;
	uint32_t config_generation;
	/* Interrupt hook from the runtime, called only on a change: level 1
	 * when InterruptStatus becomes nonzero, 0 when the driver has
	 * acknowledged everything. A device's init points it at
	 * vibe_vm_irq_line(dev->vm, dev->desc->irq, level); a device with an
	 * I/O thread (virtio_io.h) points it at its irqfd instead. */
	void (*irq_set)(void *irq_opaque, int level);
	void *irq_opaque;
	int irq_level; /* what the line was last driven to */
	/* Set by virtio_io_start() (virtio_io.h); NULL: notify runs on the
	 * vCPU thread that wrote QueueNotify. io_kick hands a QueueNotify
	 * exit to the device's I/O thread; io_reset runs first in every
	 * device reset, under the lock, and waits for the request in
	 * progress on that thread. */
	void (*io_kick)(void *io_opaque, uint32_t q);
	void (*io_reset)(void *io_opaque);
	void *io_opaque;
	struct virtio_mmio_queue q[VIRTIO_MMIO_MAX_QUEUES];
};

/* Set up the transport for `dev` (uses dev->vm and dev->desc->name).
 * Returns 0, or -1 after logging if the backend description is invalid. */
int virtio_mmio_init(struct virtio_mmio *t, struct vibe_dev *dev,
		     const struct virtio_mmio_backend *be, void *opaque);
void virtio_mmio_destroy(struct virtio_mmio *t);
void virtio_mmio_set_irq(struct virtio_mmio *t, void (*irq_set)(void *, int), void *irq_opaque);

/* vibe_device_ops entry points: dev->state must point at the transport. */
uint64_t virtio_mmio_read(struct vibe_dev *dev, uint64_t off, unsigned size);
void virtio_mmio_write(struct vibe_dev *dev, uint64_t off, unsigned size, uint64_t val);
void virtio_mmio_reset(struct vibe_dev *dev);

/* The checked notification path (DRIVER_OK, not broken, queue ready),
 * then the backend's notify, unlocked. The I/O thread calls it for each
 * kick, whether it came through an ioeventfd or a QueueNotify exit. */
void virtio_mmio_kick(struct virtio_mmio *t, uint32_t q);
/* Level-triggered irqfd: the guest's EOI lowered the line; assert it
 * again (irq_set(.., 1)) if InterruptStatus is still nonzero. */
void virtio_mmio_irq_resample(struct virtio_mmio *t);

/* For backends. */
struct virtq *virtio_mmio_queue(struct virtio_mmio *t, unsigned q); /* NULL if q invalid */
uint64_t virtio_mmio_features(struct virtio_mmio *t);  /* negotiated */
/* After pushing to queue q: interrupt the driver if the queue asks for it.
 * Takes the lock (a reset may be clearing the queue on a vCPU): never call
 * it while holding a lock that the backend's reset takes. */
void virtio_mmio_queue_done(struct virtio_mmio *t, unsigned q);
/* Config space changed: bump ConfigGeneration, config interrupt. */
void virtio_mmio_config_changed(struct virtio_mmio *t);
/* The driver misused the device: set DEVICE_NEEDS_RESET (§2.1.2), log
 * `reason` once, interrupt with a config change if DRIVER_OK was set. The
 * device ignores notifications until the driver resets it. */
void virtio_mmio_needs_reset(struct virtio_mmio *t, const char *reason);
bool virtio_mmio_broken(struct virtio_mmio *t); /* NEEDS_RESET or FAILED */

#endif
