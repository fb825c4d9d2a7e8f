/*
 * virtio-rng (virtio spec v1.2 §5.4): one request queue; the driver posts
 * device-writable buffers and the device fills them with random bytes
 * from the host's getrandom(2), straight into guest memory.
 *
 * Bounded (issue 7): a request gets at most `max-request` bytes (machine
 * file property, default 64 KiB), however large its buffers; §5.4.6.1
 * lets the device write fewer bytes than offered, and the used length
 * says how many. Nothing is allocated per request, so a 1 GiB buffer
 * costs one bounded getrandom loop. Work runs on the device's I/O thread
 * (virtio_io.c) like every virtio device here.
 */
#include <stdlib.h>
#include <string.h>

#include "vibe/log.h"
#include "virtio/virtio_io.h"
#include "virtio/virtio_snap.h"
#include "virtio/virtio_rng.h"
#include "vm.h"

#define RNG_QUEUE_MAX 256
#define RNG_IOV_MAX RNG_QUEUE_MAX

struct rng {
	struct virtio_mmio t;
	struct virtio_io io;
	uint64_t max_request;
	struct virtq_iov iov[RNG_IOV_MAX];
};

static int64_t rng_chain(void *opaque, unsigned q, struct virtq_iov *iov,
			 const struct virtq_chain *ch, const char **why)
{
	struct rng *r = opaque;
	(void)q;
	(void)why;
	/* Readable buffers mean nothing to this device (§5.4.6): skipped. */
	return virtio_rng_fill(iov, ch, r->max_request);
}

static void rng_notify(struct virtio_mmio *t, unsigned q)
{
	struct rng *r = t->opaque;
	virtio_io_drain(&r->io, q, r->iov, RNG_IOV_MAX, rng_chain, r);
}

static const struct virtio_mmio_backend rng_backend = {
	.device_id = VIRTIO_ID_RNG,
	.num_queues = 1,
	.queue_max = RNG_QUEUE_MAX,
	.notify = rng_notify,
};

static int rng_init(struct vibe_dev *dev)
{
	uint64_t max = vibe_dev_prop_u64(dev, "max-request", 65536);
	struct rng *r;

	if (max == 0 || max > UINT32_MAX) {
		log_err("%s: virtio-rng max-request %llu must be 1..4294967295 bytes (%s)",
			dev->desc->name, (unsigned long long)max, dev->desc->src ? dev->desc->src : "?");
		return -1;
	}
	r = calloc(1, sizeof(*r));
	if (!r) {
		log_err("out of memory");
		return -1;
	}
	r->max_request = max;
	if (virtio_mmio_init(&r->t, dev, &rng_backend, r) < 0) {
		free(r);
		return -1;
	}
	dev->state = &r->t;
	if (virtio_io_start(&r->io, &r->t, dev) < 0) {
		virtio_io_stop(&r->io);
		dev->state = NULL;
		free(r);
		return -1;
	}
	return 0;
}

static void rng_destroy(struct vibe_dev *dev)
{
	struct virtio_mmio *t = dev->state;
	if (!t)
		return;
	struct rng *r = t->opaque;
	virtio_io_stop(&r->io);
	virtio_mmio_destroy(&r->t);
	free(r);
	dev->state = NULL;
}

static const char *const rng_thread_calls[] = { VIRTIO_IO_THREAD_CALLS, "getrandom", NULL };
static const char *const rng_vcpu_calls[] = { VIRTIO_IO_VCPU_CALLS, NULL };
static const char *const rng_main_calls[] = { VIRTIO_IO_MAIN_CALLS, NULL };
static const struct vibe_dev_syscalls rng_syscalls = { .vcpu = rng_vcpu_calls,
						     .thread = rng_thread_calls,
						     .main = rng_main_calls };

const struct vibe_device_ops vibe_dev_virtio_rng_ops = {
	.type = "virtio-rng",
	.init = rng_init,
	.read = virtio_mmio_read,
	.write = virtio_mmio_write,
	.reset = virtio_mmio_reset,
	.destroy = rng_destroy,
	.syscalls = &rng_syscalls,
	.save = virtio_mmio_save, /* runtime/virtio/virtio_snap.c */
	.restore = virtio_mmio_restore,
};
