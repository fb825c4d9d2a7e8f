/*
 * Fuzz target: the split virtqueue walker (runtime/virtio/virtqueue.c) over
 * a fuzzed guest-memory image, driven by a fuzzed sequence of device and
 * guest actions.
 *
 * Guest-physical layout (fuzz_mem.c; each region a separate heap block):
 *   A    0x0000 - 0x4000  rings and buffers, filled from the input
 *   hole 0x4000 - 0x5000  no RAM ("MMIO")
 *   B    0x5000 - 0x6000  } adjacent in GPA, separate host blocks:
 *   C    0x6000 - 0x7000  } a buffer straddling them must be refused
 *   D    2^64 - 0x1000    top of the address space (wrap-around)
 *
 * Input: header | ops | memory image for A.
 *   header: u16 size (bit 15: raw value, else 1 << (v % 9)), u8 features
 *           (bit 0 INDIRECT_DESC, bit 1 EVENT_IDX, bit 2 a racing driver
 *           that stores into RAM during every walk), u16 desc/avail/used GPA,
 *           u8 iov_max (0 = 64), u8 op count
 *   op (6 bytes): u8 kind, u16 a, u16 b, u8 c
 * Ops: pop, complete (push) the oldest popped chain, a guest store into A
 * between device steps (a racing driver), notification suppression,
 * push with a bogus head, reset and set up again.
 *
 * Invariants checked besides ASan/UBSan: every iov lies inside one RAM
 * region; iov counts and byte totals add up; readable before writable;
 * a failed pop consumes nothing; guest_ptr calls per pop are bounded by
 * the iovec size; used->idx is published after every push.
 */
#include <stdbool.h>

#include "fuzz.h"
#include "fuzz_mem.h"
#include "virtqueue.h"

#define RA_SIZE 0x4000u
#define IOV_MAX 64u
#define MAX_OPS 64u

/* Racing driver (feature bit 2): on every guest_ptr() call, i.e. in the
 * middle of a chain walk, the "other vCPU" stores a byte into RAM A. The
 * walker must have read each descriptor once into a local, so nothing it
 * already checked can change under it. */
static uint8_t *race_ram;
static uint32_t race_seed;

static void race(void)
{
	race_seed = race_seed * 1103515245u + 12345u;
	race_ram[(race_seed >> 8) % RA_SIZE] = (uint8_t)(race_seed >> 24);
}

static uint16_t ring_size(uint16_t v)
{
	return v & 0x8000 ? (uint16_t)(v & 0x7fff) : (uint16_t)(1u << (v % 9));
}

static void check_chain(const struct virtq *vq, const struct virtq_iov *iov, unsigned iov_max,
			const struct virtq_chain *ch)
{
	uint64_t out = 0, in = 0;
	FUZZ_CHECK(ch->head < vq->size);
	FUZZ_CHECK(ch->n <= iov_max && ch->n_out <= ch->n);
	for (unsigned i = 0; i < ch->n; i++) {
		FUZZ_CHECK(iov[i].len > 0);
		FUZZ_CHECK(fuzz_mem_host_ok(iov[i].base, iov[i].len));
		FUZZ_CHECK(iov[i].writable == (i >= ch->n_out));
		if (iov[i].writable)
			in += iov[i].len;
		else
			out += iov[i].len;
		/* Touch both ends: ASan checks the walker's promise, not ours. */
		volatile const uint8_t *b = iov[i].base;
		(void)b[0];
		(void)b[iov[i].len - 1];
	}
	FUZZ_CHECK(out == ch->out_len && in == ch->in_len);
}

static int one(const uint8_t *data, size_t size)
{
	struct fuzz_in in = { data, size };
	uint16_t qsize = ring_size((uint16_t)fuzz_take(&in, 2));
	unsigned feat = (unsigned)fuzz_take(&in, 1);
	uint64_t desc = fuzz_take(&in, 2), avail = fuzz_take(&in, 2), used = fuzz_take(&in, 2);
	unsigned iov_max = (unsigned)fuzz_take(&in, 1) % (IOV_MAX + 1);
	unsigned nops = (unsigned)fuzz_take(&in, 1) % (MAX_OPS + 1);
	uint64_t features = (feat & 1 ? 1ull << VIRTIO_F_INDIRECT_DESC : 0) |
			    (feat & 2 ? 1ull << VIRTIO_F_EVENT_IDX : 0) | 1ull << VIRTIO_F_VERSION_1;
	if (iov_max == 0)
		iov_max = IOV_MAX;

	const uint8_t *ops = in.p;
	size_t ops_len = in.n < nops * 6u ? in.n : nops * 6u;
	in.p += ops_len;
	in.n -= ops_len;

	fuzz_mem_reset();
	uint8_t *ra = fuzz_mem_add(0x0, RA_SIZE, in.p, in.n);
	fuzz_mem_add(0x5000, 0x1000, NULL, 0);
	fuzz_mem_add(0x6000, 0x1000, NULL, 0);
	fuzz_mem_add(0xfffffffffffff000ull, 0x1000, NULL, 0);
	if (feat & 4) {
		race_ram = ra;
		race_seed = (uint32_t)(desc ^ avail << 16 ^ used);
		fuzz_mem_race = race;
	}

	struct virtq vq;
	struct virtq_iov iov[IOV_MAX];
	struct virtq_chain ch;
	uint16_t popped[MAX_OPS];
	unsigned npopped = 0;

	if (virtq_setup(&vq, fuzz_vm, qsize, desc, avail, used, features) != VIRTQ_OK) {
		FUZZ_CHECK(!vq.ready);
		/* A queue that failed setup must refuse everything. */
		FUZZ_CHECK(virtq_pop(&vq, iov, iov_max, &ch) == VIRTQ_ERR_NOT_READY);
		FUZZ_CHECK(virtq_push(&vq, 0, 0) == VIRTQ_ERR_NOT_READY);
		goto out;
	}
	FUZZ_CHECK(fuzz_mem_host_ok(vq.desc, 16ull * qsize));
	FUZZ_CHECK(fuzz_mem_host_ok(vq.avail, 6ull + 2ull * qsize));
	FUZZ_CHECK(fuzz_mem_host_ok(vq.used, 6ull + 8ull * qsize));

	/* No ops in the input: drain the queue, the common device loop. */
	for (unsigned k = 0; k < (nops ? ops_len / 6 : MAX_OPS); k++) {
		const uint8_t *op = nops ? ops + 6 * k : (const uint8_t *)"\0\0\0\0\0\0";
		uint16_t a = (uint16_t)(op[1] | op[2] << 8), b = (uint16_t)(op[3] | op[4] << 8);
		switch (op[0] % 6) {
		case 0: { /* pop */
			uint16_t before = vq.last_avail;
			unsigned long calls = fuzz_mem_calls;
			unsigned lim = a % (iov_max + 1);
			if (lim == 0)
				lim = iov_max;
			enum virtq_err err = virtq_pop(&vq, iov, lim, &ch);
			/* One guest_ptr per buffer, plus one indirect table. */
			FUZZ_CHECK(fuzz_mem_calls - calls <= lim + 2);
			if (err == VIRTQ_OK) {
				check_chain(&vq, iov, lim, &ch);
				FUZZ_CHECK(vq.last_avail == (uint16_t)(before + 1));
				if (npopped < MAX_OPS)
					popped[npopped++] = ch.head;
			} else {
				FUZZ_CHECK(vq.last_avail == before);
				FUZZ_CHECK(virtq_strerror(err) != NULL);
				if (err != VIRTQ_EMPTY && nops == 0)
					goto out; /* broken ring: a device stops here */
			}
			if (nops == 0 && err == VIRTQ_EMPTY)
				goto out;
			if (nops == 0 && npopped) /* complete at once */
				FUZZ_CHECK(virtq_push(&vq, popped[--npopped], 0) == VIRTQ_OK);
			break;
		}
		case 1: /* complete the oldest popped chain */
			if (npopped) {
				FUZZ_CHECK(virtq_push(&vq, popped[0], b) == VIRTQ_OK);
				memmove(popped, popped + 1, --npopped * sizeof popped[0]);
				uint16_t pub;
				memcpy(&pub, (const uint8_t *)vq.used + 2, 2);
				FUZZ_CHECK(pub == vq.used_idx);
				(void)virtq_should_notify(&vq);
			}
			break;
		case 2: /* the driver writes its memory meanwhile */
			ra[a % RA_SIZE] = (uint8_t)b;
			ra[(a + 1u) % RA_SIZE] = op[5];
			break;
		case 3:
			if (a & 1)
				virtq_notify_disable(&vq);
			else
				(void)virtq_notify_enable(&vq);
			break;
		case 4: { /* a device bug: push what was never popped */
			uint32_t inflight = vq.inflight;
			enum virtq_err err = virtq_push(&vq, a, b);
			FUZZ_CHECK(err == VIRTQ_OK || err == VIRTQ_ERR_USED_ID);
			if (err == VIRTQ_OK) {
				FUZZ_CHECK(a < vq.size && inflight > 0);
				npopped = npopped ? npopped - 1 : 0;
			}
			break;
		}
		case 5: /* device reset, then the driver sets the queue up again */
			virtq_reset(&vq);
			npopped = 0;
			if (virtq_setup(&vq, fuzz_vm, qsize, desc, avail, used, features) != VIRTQ_OK)
				goto out;
			break;
		}
	}
out:
	fuzz_mem_reset();
	return 0;
}

FUZZ_TARGET(virtqueue, one)
