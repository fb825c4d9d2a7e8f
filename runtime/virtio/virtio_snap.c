/*
 * Snapshot state of the virtio-mmio transport (docs/architecture/snapshots.md):
 * the registers a driver wrote (status, features, queue addresses and
 * sizes) and each virtqueue's position (last_avail, used_idx, the
 * interrupt-suppression state). A device type whose backend has no other
 * state points its ops' save/restore here.
 *
 * Quiescing: the vCPUs are parked when save runs, so no new kick arrives,
 * but the device's I/O thread may still be working on requests it popped.
 * Saved then, such a request would be lost: the restored device has not
 * seen it and the driver waits for it forever. So save waits (lock
 * released, up to 2 s) until every ready queue has nothing in flight and
 * nothing available it has not popped.
 */
#include <string.h>
#include <time.h>

#include "vibe/log.h"
#include "virtio_mmio.h"
#include "virtio_snap.h"

#define VIRTIO_SNAP_VERSION 1u

struct vq_snap {
	uint64_t desc, driver, device;
	uint16_t num, last_avail, shadow_avail, used_idx, signalled_used;
	uint8_t ready, signalled_valid, no_notify, pad;
};

struct virtio_snap {
	uint32_t version, nq;
	uint32_t status, dev_features_sel, drv_features_sel, queue_sel;
	uint64_t driver_features;
	uint32_t interrupt_status, config_generation;
	uint8_t driver_features_high, irq_level, pad[6];
	struct vq_snap q[VIRTIO_MMIO_MAX_QUEUES];
};

/* Lock held. */
static int busy(struct virtio_mmio *t)
{
	for (unsigned i = 0; i < t->be->num_queues; i++) {
		struct virtq *vq = &t->q[i].vq;
		if (!vq->ready)
			continue;
		if (vq->inflight || __atomic_load_n(&vq->avail->idx, __ATOMIC_ACQUIRE) != vq->last_avail)
			return 1;
	}
	return 0;
}

long virtio_mmio_save(struct vibe_dev *dev, void *buf, size_t cap)
{
	struct virtio_mmio *t = dev->state;
	struct virtio_snap s;
	struct timespec ms = { 0, 1000000 };

	if (cap < sizeof(s))
		return -1;
	pthread_mutex_lock(&t->lock);
	for (int tries = 0; busy(t) && tries < 2000; tries++) {
		pthread_mutex_unlock(&t->lock);
		nanosleep(&ms, NULL);
		pthread_mutex_lock(&t->lock);
	}
	if (busy(t))
		log_warn("%s: virtio: requests still in flight after 2 s; the restored guest may wait for them",
			 t->name);
	memset(&s, 0, sizeof(s));
	s.version = VIRTIO_SNAP_VERSION;
	s.nq = t->be->num_queues;
	s.status = t->status;
	s.dev_features_sel = t->dev_features_sel;
	s.drv_features_sel = t->drv_features_sel;
	s.queue_sel = t->queue_sel;
	s.driver_features = t->driver_features;
	s.driver_features_high = t->driver_features_high;
	s.interrupt_status = t->interrupt_status;
	s.config_generation = t->config_generation;
	s.irq_level = (uint8_t)t->irq_level;
	for (unsigned i = 0; i < s.nq; i++) {
		const struct virtio_mmio_queue *q = &t->q[i];
		struct vq_snap *d = &s.q[i];
		d->desc = q->desc;
		d->driver = q->driver;
		d->device = q->device;
		d->num = q->num;
		d->ready = q->vq.ready;
		d->last_avail = q->vq.last_avail;
		d->shadow_avail = q->vq.shadow_avail;
		d->used_idx = q->vq.used_idx;
		d->signalled_used = q->vq.signalled_used;
		d->signalled_valid = q->vq.signalled_valid;
		d->no_notify = q->vq.no_notify;
	}
	pthread_mutex_unlock(&t->lock);
	memcpy(buf, &s, sizeof(s));
	return (long)sizeof(s);
}

int virtio_mmio_restore(struct vibe_dev *dev, const void *buf, size_t len)
{
	struct virtio_mmio *t = dev->state;
	struct virtio_snap s;

	if (len != sizeof(s))
		goto bad;
	memcpy(&s, buf, sizeof(s));
	if (s.version != VIRTIO_SNAP_VERSION || s.nq != t->be->num_queues)
		goto bad;
	pthread_mutex_lock(&t->lock);
	t->status = s.status;
	t->dev_features_sel = s.dev_features_sel;
	t->drv_features_sel = s.drv_features_sel;
	t->queue_sel = s.queue_sel;
	t->driver_features = s.driver_features;
	t->driver_features_high = s.driver_features_high;
	t->interrupt_status = s.interrupt_status;
	t->config_generation = s.config_generation;
	for (unsigned i = 0; i < s.nq; i++) {
		struct virtio_mmio_queue *q = &t->q[i];
		const struct vq_snap *d = &s.q[i];
		q->desc = d->desc;
		q->driver = d->driver;
		q->device = d->device;
		q->num = d->num;
		if (!d->ready)
			continue;
		/* Re-checks the rings against this VM's RAM, as QueueReady=1 did. */
		if (virtq_setup(&q->vq, t->vm, q->num, q->desc, q->driver, q->device,
				virtio_mmio_features(t)) != VIRTQ_OK) {
			pthread_mutex_unlock(&t->lock);
			log_err("%s: virtio: queue %u of the snapshot does not fit this VM", t->name, i);
			return -1;
		}
		q->vq.last_avail = d->last_avail;
		q->vq.shadow_avail = d->shadow_avail;
		q->vq.used_idx = d->used_idx;
		q->vq.signalled_used = d->signalled_used;
		q->vq.signalled_valid = d->signalled_valid;
		q->vq.no_notify = d->no_notify;
	}
	int rc = 0;
	/* The backend starts its work as when the driver wrote DRIVER_OK. */
	if ((t->status & VIRTIO_STATUS_DRIVER_OK) && t->be->activate && t->be->activate(t) < 0) {
		log_err("%s: virtio: the device refused to start from the snapshot", t->name);
		rc = -1;
	}
	/* An interrupt the driver had not acknowledged yet is raised again
	 * (runs after the irqchip's restore, see runtime/snapshot/restore.c). */
	t->irq_level = 0;
	if (!rc && s.irq_level && t->irq_set) {
		t->irq_level = 1;
		t->irq_set(t->irq_opaque, 1);
	}
	pthread_mutex_unlock(&t->lock);
	return rc;
bad:
	log_err("%s: virtio: snapshot state of another version or queue count", dev->desc->name);
	return -1;
}
