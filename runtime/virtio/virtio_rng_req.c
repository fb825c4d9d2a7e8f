/*
 * virtio-rng request filling (virtio spec v1.2 §5.4.6), shared by the
 * device (runtime/devices/virtio_rng.c) and its unit tests.
 */
#include <errno.h>
#include <string.h>
#include <sys/random.h>

#include "vibe/log.h"
#include "virtio_rng.h"

uint32_t virtio_rng_fill(const struct virtq_iov *iov, const struct virtq_chain *ch,
			 uint64_t max_request)
{
	uint64_t budget = max_request;
	uint32_t done = 0;

	for (unsigned i = ch->n_out; i < ch->n && budget; i++) {
		uint8_t *p = iov[i].base;
		uint64_t want = iov[i].len < budget ? iov[i].len : budget;
		uint64_t got = 0;
		while (got < want) {
			/* flags 0: blocks only until the host pool is first
			 * initialised, long before any guest runs. */
			ssize_t r = getrandom(p + got, want - got, 0);
			if (r < 0) {
				if (errno == EINTR)
					continue;
				log_warn_ratelimited("virtio-rng: getrandom: %s", strerror(errno));
				return done + (uint32_t)got;
			}
			got += (uint64_t)r;
		}
		done += (uint32_t)got;
		budget -= got;
	}
	return done;
}
