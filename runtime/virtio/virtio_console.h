/*
 * virtio-console (virtio spec v1.2 §5.3): the queue half of
 * runtime/devices/virtio_console.c, apart so tests/virtio_net/ can drive
 * it on synthetic guest memory. Pure: no fds, no threads.
 */
#ifndef VIBE_VIRTIO_CONSOLE_H
#define VIBE_VIRTIO_CONSOLE_H

#include <stddef.h>
#include <stdint.h>

#include "virtqueue.h"

#define VIRTIO_ID_CONSOLE 3

/* §5.3.4: cols, rows (le16), max_nr_ports, emerg_wr (le32). No feature is
 * offered (no SIZE, MULTIPORT or EMERG_WRITE), so the driver reads none of
 * it; it is there, zero, for drivers that look anyway. */
#define VIRTIO_CONSOLE_CFG_SIZE 12

/* §5.3.2: port 0's queues. */
#define VIRTIO_CONSOLE_RXQ 0
#define VIRTIO_CONSOLE_TXQ 1

/* RX (§5.3.6.1): copy up to `len` bytes of host input into the chain's
 * writable buffers, in order. Returns how many were taken (the used
 * length); the caller keeps the rest for the next chain, so no byte the
 * user typed is lost to a small buffer. */
uint32_t virtio_console_rx_fill(const struct virtq_iov *iov, const struct virtq_chain *ch,
				const uint8_t *buf, uint32_t len);

/* TX (§5.3.6.1): hand each readable buffer of the chain to `out`, in order.
 * Returns the bytes handed over. Writable buffers on the transmit queue
 * carry nothing and are ignored. */
typedef void (*virtio_console_out_fn)(void *opaque, const void *buf, size_t len);
uint32_t virtio_console_tx(const struct virtq_iov *iov, const struct virtq_chain *ch,
			   virtio_console_out_fn out, void *opaque);

#endif
