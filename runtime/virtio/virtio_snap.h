/*
 * Snapshot save/restore of the virtio-mmio transport (virtio_snap.c), for
 * a device type's vibe_device_ops:
 *     .save = virtio_mmio_save, .restore = virtio_mmio_restore,
 * dev->state must point at the transport, as for virtio_mmio_read().
 */
#ifndef VIBE_VIRTIO_SNAP_H
#define VIBE_VIRTIO_SNAP_H

#include <stddef.h>

#include "vibe/device.h"

long virtio_mmio_save(struct vibe_dev *dev, void *buf, size_t cap);
int virtio_mmio_restore(struct vibe_dev *dev, const void *buf, size_t len);

#endif
