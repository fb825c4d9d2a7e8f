/*
 * virtio-net (virtio spec v1.2 §5.1): the packet half of
 * runtime/devices/virtio_net.c, apart so tests/virtio_net/ can drive it on
 * synthetic guest memory. Everything here is pure: no fds, no threads.
 */
#ifndef VIBE_VIRTIO_NET_H
#define VIBE_VIRTIO_NET_H

#include <stdint.h>
#include <sys/uio.h>

#include "virtqueue.h"

#define VIRTIO_ID_NET 1

/* §5.1.3 feature bits this device offers. No checksum or segmentation
 * offload and no mergeable buffers: every packet is a plain Ethernet frame
 * of at most one MTU, which keeps both directions simple and correct. */
#define VIRTIO_NET_F_MAC    5
#define VIRTIO_NET_F_STATUS 16

/* §5.1.4 config: mac[6] at 0, le16 status at 6. */
#define VIRTIO_NET_CFG_SIZE  8
#define VIRTIO_NET_S_LINK_UP 1u

/* §5.1.6: struct virtio_net_hdr; with VIRTIO_F_VERSION_1 it always has
 * num_buffers, so it is 12 bytes (the tap is told the same size with
 * TUNSETVNETHDRSZ and reads/writes it in front of each frame). */
struct virtio_net_hdr {
	uint8_t flags;
	uint8_t gso_type;
	uint16_t hdr_len;
	uint16_t gso_size;
	uint16_t csum_start;
	uint16_t csum_offset;
	uint16_t num_buffers;
};
#define VIRTIO_NET_HDR_LEN 12u
#define VIRTIO_NET_HDR_F_NEEDS_CSUM 1u
#define VIRTIO_NET_HDR_GSO_NONE     0u

/* The largest frame either side may hand over: without GSO a frame is at
 * most one MTU; 64 KiB covers any MTU a tap can have. */
#define VIRTIO_NET_MAX_FRAME 65536u

/* "52:54:00:12:34:56" -> mac; -1 if malformed, multicast or all zero. */
int virtio_net_mac_parse(const char *s, uint8_t mac[6]);
/* A stable MAC for a device without `mac:`: locally administered and
 * unicast (first octet 0x52 has bit 1 set and bit 0 clear), the rest
 * from a hash of `name`, so a machine's NIC keeps its address across
 * runs and two NICs of one machine differ. */
void virtio_net_mac_derive(const char *name, uint8_t mac[6]);

/* RX, §5.1.6.4: one frame as read from the tap (`pkt`: the tap's 12-byte
 * header, then the frame) into the chain's writable buffers, behind a
 * header of our own (flags 0, GSO_NONE, num_buffers 1: what §5.1.6.4.1
 * asks of a device without GUEST_CSUM, GUEST_TSO* and MRG_RXBUF). Returns
 * the used length, or 0 when the buffers cannot hold the whole frame: it
 * is then dropped. */
uint32_t virtio_net_rx_fill(const struct virtq_iov *iov, const struct virtq_chain *ch,
			    const void *pkt, uint32_t len);

/* TX, §5.1.6.2: check the driver's header and build the iovec to write to
 * the tap: out[0] is `hdr` (a copy, so the guest cannot change it between
 * the check and the write), then the frame straight from guest memory.
 * Returns the number of iovec entries (<= max), or -1 with *why set when
 * the packet must be dropped: shorter than the header, a header asking for
 * an offload that was not offered (§5.1.6.2.1), or too long. */
int virtio_net_tx_iov(const struct virtq_iov *iov, const struct virtq_chain *ch,
		      struct virtio_net_hdr *hdr, struct iovec *out, unsigned max,
		      const char **why);

#endif
