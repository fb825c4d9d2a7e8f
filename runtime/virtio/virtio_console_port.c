/*
 * virtio-console port 0 data paths (see virtio_console.h).
 */
#include <string.h>

#include "virtio_console.h"

uint32_t virtio_console_rx_fill(const struct virtq_iov *iov, const struct virtq_chain *ch,
				const uint8_t *buf, uint32_t len)
{
	uint32_t done = 0;

	for (unsigned i = ch->n_out; i < ch->n && done < len; i++) {
		uint32_t take = iov[i].len < len - done ? iov[i].len : len - done;
		memcpy(iov[i].base, buf + done, take);
		done += take;
	}
	return done;
}

uint32_t virtio_console_tx(const struct virtq_iov *iov, const struct virtq_chain *ch,
			   virtio_console_out_fn out, void *opaque)
{
	uint32_t done = 0;

	for (unsigned i = 0; i < ch->n_out; i++) {
		out(opaque, iov[i].base, iov[i].len);
		done += iov[i].len;
	}
	return done;
}
