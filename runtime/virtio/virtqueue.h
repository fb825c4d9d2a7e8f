/*
 * The virtio 1.x split virtqueue, device side (virtio spec v1.2 §2.7).
 *
 * The guest driver owns three rings in guest RAM; a device pops descriptor
 * chains from the available ring, does the work, and pushes (head, len) to
 * the used ring. Everything read from guest memory is hostile: this module
 * checks every ring and buffer through guest_ptr() and bounds every walk,
 * so a device file only ever sees host pointers that lie wholly inside one
 * guest RAM region. Guarantees are listed in docs/internals/virtio.md.
 *
 * Not thread-safe per queue: one thread pops and pushes a given queue at a
 * time (the device's vCPU notify handler or its I/O thread, not both).
 * No allocation: the caller passes the iovec array.
 */
#ifndef VIBE_VIRTQUEUE_H
#define VIBE_VIRTQUEUE_H

#include <stdbool.h>
#include <stdint.h>

struct vibe_vm;

/* §2.7: the largest split queue is 32768 entries (queue size is 16 bits and
 * a power of two). Indirect tables are capped at the same count. */
#define VIRTQ_MAX_SIZE 32768u

/* §2.7.5 descriptor flags */
#define VIRTQ_DESC_F_NEXT     1u
#define VIRTQ_DESC_F_WRITE    2u
#define VIRTQ_DESC_F_INDIRECT 4u
/* §2.7.6 / §2.7.8 ring flags */
#define VIRTQ_AVAIL_F_NO_INTERRUPT 1u
#define VIRTQ_USED_F_NO_NOTIFY     1u

/* §6 reserved feature bits the queue code implements */
#define VIRTIO_F_INDIRECT_DESC 28
#define VIRTIO_F_EVENT_IDX     29
#define VIRTIO_F_VERSION_1     32

/* Guest-memory layouts (little-endian, §2.7.5-§2.7.8). Fields are only ever
 * read once into locals; never dereference a field twice and trust both. */
struct virtq_desc {
	uint64_t addr;
	uint32_t len;
	uint16_t flags;
	uint16_t next;
};
struct virtq_avail {
	uint16_t flags;
	uint16_t idx;
	uint16_t ring[]; /* [size], then le16 used_event (EVENT_IDX) */
};
struct virtq_used_elem {
	uint32_t id;
	uint32_t len;
};
struct virtq_used {
	uint16_t flags;
	uint16_t idx;
	struct virtq_used_elem ring[]; /* [size], then le16 avail_event */
};

/* Every outcome of a queue operation. Errors mean the driver broke the
 * protocol: the transport puts the device into DEVICE_NEEDS_RESET and logs
 * virtq_strerror(err) once. None of them is fatal to the VMM. */
enum virtq_err {
	VIRTQ_OK = 0,
	VIRTQ_EMPTY,              /* pop: nothing available (not an error) */
	VIRTQ_ERR_NOT_READY,      /* queue not set up */
	VIRTQ_ERR_SIZE,           /* size zero, not a power of two, or too big */
	VIRTQ_ERR_RING_ALIGN,     /* ring address misaligned (§2.7 table) */
	VIRTQ_ERR_RING_ADDR,      /* ring not wholly inside guest RAM */
	VIRTQ_ERR_AVAIL_IDX,      /* avail idx moved more than size ahead */
	VIRTQ_ERR_HEAD_RANGE,     /* head index >= size */
	VIRTQ_ERR_NEXT_RANGE,     /* next index >= table size */
	VIRTQ_ERR_LOOP,           /* chain longer than its table (a loop) */
	VIRTQ_ERR_BUF_ADDR,       /* buffer not wholly inside one RAM region */
	VIRTQ_ERR_LEN_OVERFLOW,   /* byte total of a chain exceeds 32 bits */
	VIRTQ_ERR_ORDER,          /* device-readable buffer after a writable one */
	VIRTQ_ERR_IOV_FULL,       /* more buffers than the caller's iovec */
	VIRTQ_ERR_INDIRECT_FEATURE, /* INDIRECT without VIRTIO_F_INDIRECT_DESC */
	VIRTQ_ERR_INDIRECT_LEN,   /* table length 0, not a multiple of 16, too big */
	VIRTQ_ERR_INDIRECT_ADDR,  /* table not wholly inside guest RAM */
	VIRTQ_ERR_INDIRECT_NESTED, /* INDIRECT inside an indirect table */
	VIRTQ_ERR_INDIRECT_NEXT,  /* INDIRECT and NEXT in one descriptor */
	VIRTQ_ERR_USED_ID,        /* push: id out of range or nothing in flight */
};

const char *virtq_strerror(enum virtq_err err);

/* One guest buffer, already translated and bounds-checked. */
struct virtq_iov {
	void *base;
	uint32_t len;
	bool writable; /* VIRTQ_DESC_F_WRITE: the device writes into it */
};

/* A popped chain: iov[0..n_out) are device-readable, iov[n_out..n) writable
 * (§2.7.4.2 requires that order; the walker enforces it). Zero-length
 * descriptors are accepted and left out of the iovec. */
struct virtq_chain {
	uint16_t head;      /* what to pass to virtq_push() */
	unsigned n, n_out;
	uint32_t out_len;   /* bytes the device may read */
	uint32_t in_len;    /* bytes the device may write */
};

struct virtq {
	struct vibe_vm *vm;
	bool ready;
	bool event_idx;    /* VIRTIO_F_EVENT_IDX negotiated */
	bool indirect;     /* VIRTIO_F_INDIRECT_DESC negotiated */
	bool no_notify;    /* device asked the driver not to kick */
	uint16_t size;
	/* Host pointers cached by virtq_setup() after checking each whole ring
	 * with guest_ptr(); guest RAM never moves while the VM runs. */
	const struct virtq_desc *desc;
	struct virtq_avail *avail;
	struct virtq_used *used;
	uint16_t last_avail;   /* next avail slot to pop */
	uint16_t shadow_avail; /* avail->idx as last read (validated) */
	uint16_t used_idx;     /* next used slot, published with release */
	uint16_t signalled_used; /* used_idx at the last interrupt decision */
	bool signalled_valid;
	uint32_t inflight;     /* popped, not yet pushed */
};

/* Check and cache the rings (addresses as the driver wrote them to
 * QueueDesc/QueueDriver/QueueDevice) and mark the queue ready. On error the
 * queue stays not ready. `features` is the negotiated feature set. */
enum virtq_err virtq_setup(struct virtq *vq, struct vibe_vm *vm, uint16_t size,
			   uint64_t desc_gpa, uint64_t avail_gpa, uint64_t used_gpa,
			   uint64_t features);
/* Back to the not-ready, all-zero state (device reset, QueueReady=0). */
void virtq_reset(struct virtq *vq);

/* Pop the next chain into iov[0..iov_max). VIRTQ_OK fills *chain; VIRTQ_EMPTY
 * means nothing is pending; anything else is a driver error and nothing is
 * consumed. Cost is bounded by size + one indirect table + iov_max. */
enum virtq_err virtq_pop(struct virtq *vq, struct virtq_iov *iov, unsigned iov_max,
			 struct virtq_chain *chain);
/* Return a chain to the driver: `len` bytes were written into its
 * writable buffers. Publishes the used idx with release semantics. */
enum virtq_err virtq_push(struct virtq *vq, uint16_t head, uint32_t len);

/* After one or more pushes: should the driver be interrupted? (§2.7.7.2:
 * used_event with EVENT_IDX, else the avail NO_INTERRUPT flag.) Records the
 * decision point, so call it once per batch, then interrupt if true. */
bool virtq_should_notify(struct virtq *vq);

/* Driver->device notification suppression (§2.7.7.1, §2.7.10): disable
 * while draining the queue; enable returns true if buffers arrived in the
 * meantime, in which case the caller must keep popping. */
void virtq_notify_disable(struct virtq *vq);
bool virtq_notify_enable(struct virtq *vq);

/* §2.7.7 / §2.7.10: true if the other side asked to be notified once the index
 * moves from `old_idx` to `new_idx` past `event_idx`. Wrap-safe mod 2^16. */
static inline bool virtq_need_event(uint16_t event_idx, uint16_t new_idx, uint16_t old_idx)
{
	return (uint16_t)(new_idx - event_idx - 1) < (uint16_t)(new_idx - old_idx);
}

#endif
