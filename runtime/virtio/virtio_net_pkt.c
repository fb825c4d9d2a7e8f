/*
 * virtio-net packet handling (see virtio_net.h): header checks, the copy
 * of a received frame into the driver's buffers, the iovec of a frame to
 * transmit. Pure functions over already-checked guest buffers.
 */
#include <stdio.h>
#include <string.h>

#include "virtio_net.h"

int virtio_net_mac_parse(const char *s, uint8_t mac[6])
{
	unsigned v[6];
	char end;

	if (!s || sscanf(s, "%2x:%2x:%2x:%2x:%2x:%2x%c", &v[0], &v[1], &v[2], &v[3], &v[4], &v[5],
			 &end) != 6 || strlen(s) != 17)
		return -1;
	for (unsigned i = 0; i < 6; i++)
		mac[i] = (uint8_t)v[i];
	/* A NIC's own address is unicast (I/G bit clear) and not all zero. */
	if ((mac[0] & 1) || !(mac[0] | mac[1] | mac[2] | mac[3] | mac[4] | mac[5]))
		return -1;
	return 0;
}

void virtio_net_mac_derive(const char *name, uint8_t mac[6])
{
	/* FNV-1a: tiny, stable across builds and hosts. */
	uint32_t h = 2166136261u;
	for (const unsigned char *p = (const unsigned char *)name; *p; p++)
		h = (h ^ *p) * 16777619u;
	mac[0] = 0x52; /* 0101 0010: locally administered, unicast */
	mac[1] = 0x56; /* 'V' */
	mac[2] = (uint8_t)(h >> 24);
	mac[3] = (uint8_t)(h >> 16);
	mac[4] = (uint8_t)(h >> 8);
	mac[5] = (uint8_t)h;
}

/* Copy `len` bytes from src into the writable buffers from byte *pos on. */
static void copy_in(const struct virtq_iov *iov, const struct virtq_chain *ch, uint32_t *pos,
		    const uint8_t *src, uint32_t len)
{
	uint32_t off = *pos;

	for (unsigned i = ch->n_out; i < ch->n && len; i++) {
		if (off >= iov[i].len) {
			off -= iov[i].len;
			continue;
		}
		uint32_t take = iov[i].len - off < len ? iov[i].len - off : len;
		memcpy((uint8_t *)iov[i].base + off, src, take);
		src += take;
		len -= take;
		*pos += take;
		off = 0;
	}
}

uint32_t virtio_net_rx_fill(const struct virtq_iov *iov, const struct virtq_chain *ch,
			    const void *pkt, uint32_t len)
{
	/* The driver gets a header of our own, not the tap's: §5.1.6.4.1
	 * wants flags 0 without GUEST_CSUM (the tap may say DATA_VALID),
	 * gso_type NONE without GUEST_TSO/UFO, and num_buffers 1 without
	 * MRG_RXBUF (the tap leaves those two bytes unwritten). */
	static const uint8_t hdr[VIRTIO_NET_HDR_LEN] = { [10] = 1 }; /* le16 num_buffers = 1 */
	uint32_t pos = 0;

	/* Without MRG_RXBUF one chain holds one whole frame (§5.1.6.3.1); the
	 * driver's readable buffers, if any, are skipped (RX buffers are
	 * device-writable, §5.1.6.3). */
	if (len < VIRTIO_NET_HDR_LEN || ch->in_len < len)
		return 0;
	copy_in(iov, ch, &pos, hdr, VIRTIO_NET_HDR_LEN);
	copy_in(iov, ch, &pos, (const uint8_t *)pkt + VIRTIO_NET_HDR_LEN, len - VIRTIO_NET_HDR_LEN);
	return pos;
}

/* Up to len bytes of the readable buffers into dst; returns the count. */
static uint32_t copy_out(const struct virtq_iov *iov, const struct virtq_chain *ch, void *dst,
			 uint32_t len)
{
	uint32_t got = 0;

	for (unsigned i = 0; i < ch->n_out && got < len; i++) {
		uint32_t take = iov[i].len < len - got ? iov[i].len : len - got;
		memcpy((uint8_t *)dst + got, iov[i].base, take);
		got += take;
	}
	return got;
}

int virtio_net_tx_iov(const struct virtq_iov *iov, const struct virtq_chain *ch,
		      struct virtio_net_hdr *hdr, struct iovec *out, unsigned max,
		      const char **why)
{
	unsigned n = 0;
	uint32_t off = VIRTIO_NET_HDR_LEN;

	/* §2.6.4: no assumption about framing: the header may be split over
	 * descriptors or share one with the frame. */
	if (ch->out_len < VIRTIO_NET_HDR_LEN ||
	    copy_out(iov, ch, hdr, VIRTIO_NET_HDR_LEN) != VIRTIO_NET_HDR_LEN) {
		*why = "packet shorter than its virtio_net_hdr";
		return -1;
	}
	/* §5.1.6.2.1: without VIRTIO_NET_F_CSUM the driver must not ask for a
	 * checksum, and without HOST_TSO4, HOST_TSO6 or HOST_UFO it must not ask for GSO. */
	if (hdr->flags & VIRTIO_NET_HDR_F_NEEDS_CSUM) {
		*why = "NEEDS_CSUM without VIRTIO_NET_F_CSUM";
		return -1;
	}
	if (hdr->gso_type != VIRTIO_NET_HDR_GSO_NONE) {
		*why = "GSO without a HOST_TSO/UFO feature";
		return -1;
	}
	if (ch->out_len - VIRTIO_NET_HDR_LEN > VIRTIO_NET_MAX_FRAME) {
		*why = "frame longer than 64 KiB";
		return -1;
	}
	/* The tap reads num_buffers as padding; the driver's value is moot. */
	hdr->num_buffers = 0;
	if (max < 1) {
		*why = "no room";
		return -1;
	}
	out[n++] = (struct iovec){ .iov_base = hdr, .iov_len = VIRTIO_NET_HDR_LEN };
	for (unsigned i = 0; i < ch->n_out; i++) {
		if (off >= iov[i].len) {
			off -= iov[i].len;
			continue;
		}
		if (n == max) {
			*why = "too many buffers";
			return -1;
		}
		out[n++] = (struct iovec){ .iov_base = (uint8_t *)iov[i].base + off,
					   .iov_len = iov[i].len - off };
		off = 0;
	}
	return (int)n;
}
