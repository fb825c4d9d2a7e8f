/*
 * virtio-rng (virtio spec v1.2 §5.4): the request half of
 * runtime/devices/virtio_rng.c, apart so tests/virtio_dev/ can drive it.
 */
#ifndef VIBE_VIRTIO_RNG_H
#define VIBE_VIRTIO_RNG_H

#include <stdint.h>

#include "virtqueue.h"

#define VIRTIO_ID_RNG 4

/* Fill the chain's writable buffers (iov[n_out..n)) with random bytes, at
 * most max_request in all (§5.4.6.1: the device may write fewer than
 * offered). Returns the bytes written: the used length. No allocation. */
uint32_t virtio_rng_fill(const struct virtq_iov *iov, const struct virtq_chain *ch,
			 uint64_t max_request);

#endif
