/*
 * Split virtqueue, device side (virtio spec v1.2 §2.7). See virtqueue.h for
 * the interface and docs/internals/virtio.md for the guarantees.
 *
 * Memory ordering follows §2.7.13 (driver side) mirrored for the device:
 *  - avail->idx is loaded with acquire before the ring entries and
 *    descriptors it publishes are read;
 *  - used elements are stored before used->idx, which is stored with release;
 *  - a full fence separates "publish used idx / avail_event" from "read the
 *    other side's event index or flags", the store->load pair a lost
 *    wake-up would otherwise hide in (same as Linux virtio_ring and QEMU).
 */
#include "virtqueue.h"

#include <endian.h>
#include <string.h>

#include "vibe/guest_mem.h"

static const char *const virtq_err_str[] = {
	[VIRTQ_OK] = "ok",
	[VIRTQ_EMPTY] = "queue empty",
	[VIRTQ_ERR_NOT_READY] = "queue not ready",
	[VIRTQ_ERR_SIZE] = "queue size zero, not a power of two or above the maximum",
	[VIRTQ_ERR_RING_ALIGN] = "ring address misaligned",
	[VIRTQ_ERR_RING_ADDR] = "ring not inside guest RAM",
	[VIRTQ_ERR_AVAIL_IDX] = "avail idx moved more than the queue size ahead",
	[VIRTQ_ERR_HEAD_RANGE] = "chain head index out of range",
	[VIRTQ_ERR_NEXT_RANGE] = "descriptor next index out of range",
	[VIRTQ_ERR_LOOP] = "descriptor chain longer than its table (loop)",
	[VIRTQ_ERR_BUF_ADDR] = "descriptor buffer not inside guest RAM",
	[VIRTQ_ERR_LEN_OVERFLOW] = "descriptor chain length overflows 32 bits",
	[VIRTQ_ERR_ORDER] = "device-readable descriptor after a device-writable one",
	[VIRTQ_ERR_IOV_FULL] = "descriptor chain has more buffers than the device accepts",
	[VIRTQ_ERR_INDIRECT_FEATURE] = "indirect descriptor without VIRTIO_F_INDIRECT_DESC",
	[VIRTQ_ERR_INDIRECT_LEN] = "indirect table length invalid",
	[VIRTQ_ERR_INDIRECT_ADDR] = "indirect table not inside guest RAM",
	[VIRTQ_ERR_INDIRECT_NESTED] = "nested indirect descriptor",
	[VIRTQ_ERR_INDIRECT_NEXT] = "indirect descriptor with NEXT set",
	[VIRTQ_ERR_USED_ID] = "used ring entry for a chain not in flight",
};

const char *virtq_strerror(enum virtq_err err)
{
	if ((unsigned)err < sizeof(virtq_err_str) / sizeof(virtq_err_str[0]) && virtq_err_str[err])
		return virtq_err_str[err];
	return "unknown virtqueue error";
}

/* Ring fields live in memory the guest writes concurrently: every access is
 * a single atomic load/store of the field so the compiler cannot split,
 * repeat or cache it. */
static inline uint16_t ld16(const uint16_t *p, int order)
{
	return le16toh(__atomic_load_n(p, order));
}
static inline void st16(uint16_t *p, uint16_t v, int order)
{
	__atomic_store_n(p, htole16(v), order);
}

/* avail->used_event and used->avail_event sit just past the rings (§2.7.10). */
static inline uint16_t *used_event_p(const struct virtq *vq)
{
	return &vq->avail->ring[vq->size];
}
static inline uint16_t *avail_event_p(const struct virtq *vq)
{
	/* computed in bytes: the field is not part of the used_elem array */
	return (uint16_t *)((unsigned char *)vq->used + 4 + 8u * vq->size);
}

void virtq_reset(struct virtq *vq)
{
	memset(vq, 0, sizeof(*vq));
}

enum virtq_err virtq_setup(struct virtq *vq, struct vibe_vm *vm, uint16_t size,
			   uint64_t desc_gpa, uint64_t avail_gpa, uint64_t used_gpa,
			   uint64_t features)
{
	virtq_reset(vq);
	/* Split rings index with `& (size - 1)`: the size must be a power of
	 * two (§2.7), and nonzero. uint16_t already caps it at 32768. */
	if (size == 0 || (size & (size - 1)) != 0 || size > VIRTQ_MAX_SIZE)
		return VIRTQ_ERR_SIZE;
	/* §2.7 alignment table: descriptors 16, available 2, used 4. The
	 * cached typed pointers below rely on it (no misaligned access). */
	if ((desc_gpa & 15) || (avail_gpa & 1) || (used_gpa & 3))
		return VIRTQ_ERR_RING_ALIGN;
	/* §2.7 sizes, always including the event-idx fields. */
	void *d = guest_ptr(vm, desc_gpa, 16ull * size);
	void *a = guest_ptr(vm, avail_gpa, 6ull + 2ull * size);
	void *u = guest_ptr(vm, used_gpa, 6ull + 8ull * size);
	if (!d || !a || !u)
		return VIRTQ_ERR_RING_ADDR;
	vq->vm = vm;
	vq->size = size;
	vq->desc = d;
	vq->avail = a;
	vq->used = u;
	vq->event_idx = (features >> VIRTIO_F_EVENT_IDX) & 1;
	vq->indirect = (features >> VIRTIO_F_INDIRECT_DESC) & 1;
	vq->ready = true;
	return VIRTQ_OK;
}

/* Read one descriptor exactly once into a local: the guest may rewrite the
 * table while we walk it, so every check and use works on this copy.
 * memcpy because an indirect table need not be 16-byte aligned. */
static inline void read_desc(const unsigned char *table, uint32_t i, struct virtq_desc *out)
{
	struct virtq_desc raw;
	memcpy(&raw, table + (size_t)i * sizeof(raw), sizeof(raw));
	out->addr = le64toh(raw.addr);
	out->len = le32toh(raw.len);
	out->flags = le16toh(raw.flags);
	out->next = le16toh(raw.next);
}

/* Add one plain (non-indirect) descriptor to the chain. */
static enum virtq_err add_buffer(struct virtq *vq, const struct virtq_desc *d,
				 struct virtq_iov *iov, unsigned iov_max, struct virtq_chain *ch)
{
	bool w = d->flags & VIRTQ_DESC_F_WRITE;

	/* §2.7.4.2: readable buffers first, then writable ones. Devices rely on
	 * iov[0..n_out) being the request and the rest the reply. */
	if (!w && ch->n > ch->n_out)
		return VIRTQ_ERR_ORDER;
	if (d->len == 0)
		return VIRTQ_OK; /* no bytes: nothing to check or map */
	/* The whole [addr, addr+len) must be one RAM region: not MMIO, not
	 * across a region end, no wrap. guest_ptr() is the one place that
	 * decides; we never touch guest memory it did not approve. */
	void *p = guest_ptr(vq->vm, d->addr, d->len);
	if (!p)
		return VIRTQ_ERR_BUF_ADDR;
	/* The used ring reports a 32-bit length; a chain whose totals do not
	 * fit would let a device's byte count wrap. */
	uint32_t *total = w ? &ch->in_len : &ch->out_len;
	if (d->len > UINT32_MAX - *total)
		return VIRTQ_ERR_LEN_OVERFLOW;
	if (ch->n >= iov_max)
		return VIRTQ_ERR_IOV_FULL;
	*total += d->len;
	iov[ch->n].base = p;
	iov[ch->n].len = d->len;
	iov[ch->n].writable = w;
	ch->n++;
	if (!w)
		ch->n_out++;
	return VIRTQ_OK;
}

/* Walk the chain at `head` (§2.7.5): zero or more direct descriptors,
 * optionally ending in one INDIRECT descriptor whose table is walked the
 * same way (§2.7.5.3). Each table is walked at most its own length
 * of steps, so a `next` loop ends as VIRTQ_ERR_LOOP. The no-nesting rule
 * keeps it to two tables; `total` bounds the walk even if that rule were
 * ever relaxed (a table pointing at itself would otherwise spin). */
static enum virtq_err walk_chain(struct virtq *vq, uint16_t head, struct virtq_iov *iov,
				 unsigned iov_max, struct virtq_chain *ch)
{
	const unsigned char *table = (const unsigned char *)vq->desc;
	uint32_t table_len = vq->size, steps = 0, total = 0, i = head;
	bool in_indirect = false;
	struct virtq_desc d;
	enum virtq_err err;

	for (;;) {
		if (++steps > table_len || ++total > vq->size + VIRTQ_MAX_SIZE)
			return VIRTQ_ERR_LOOP;
		read_desc(table, i, &d);
		if (d.flags & VIRTQ_DESC_F_INDIRECT) {
			if (!vq->indirect)
				return VIRTQ_ERR_INDIRECT_FEATURE;
			/* §2.7.5.3.1: one table per descriptor, no chaining
			 * after it; the WRITE flag on it is ignored. */
			if (in_indirect)
				return VIRTQ_ERR_INDIRECT_NESTED;
			if (d.flags & VIRTQ_DESC_F_NEXT)
				return VIRTQ_ERR_INDIRECT_NEXT;
			if (d.len == 0 || d.len % sizeof(struct virtq_desc) ||
			    d.len / sizeof(struct virtq_desc) > VIRTQ_MAX_SIZE)
				return VIRTQ_ERR_INDIRECT_LEN;
			table = guest_ptr(vq->vm, d.addr, d.len);
			if (!table)
				return VIRTQ_ERR_INDIRECT_ADDR;
			table_len = d.len / sizeof(struct virtq_desc);
			in_indirect = true;
			steps = 0;
			i = 0;
			continue;
		}
		err = add_buffer(vq, &d, iov, iov_max, ch);
		if (err)
			return err;
		if (!(d.flags & VIRTQ_DESC_F_NEXT))
			return VIRTQ_OK;
		if (d.next >= table_len)
			return VIRTQ_ERR_NEXT_RANGE;
		i = d.next;
	}
}

/* Refresh shadow_avail if everything seen so far was consumed. The one
 * acquire load of avail->idx orders all ring and descriptor reads after it. */
static enum virtq_err avail_pending(struct virtq *vq, uint16_t *pending)
{
	if (vq->shadow_avail == vq->last_avail) {
		uint16_t idx = ld16(&vq->avail->idx, __ATOMIC_ACQUIRE);
		/* The driver can have at most `size` buffers outstanding; a
		 * bigger jump is corruption (QEMU: "Guest moved index"). */
		if ((uint16_t)(idx - vq->last_avail) > vq->size)
			return VIRTQ_ERR_AVAIL_IDX;
		vq->shadow_avail = idx;
	}
	*pending = (uint16_t)(vq->shadow_avail - vq->last_avail);
	return VIRTQ_OK;
}

enum virtq_err virtq_pop(struct virtq *vq, struct virtq_iov *iov, unsigned iov_max,
			 struct virtq_chain *chain)
{
	uint16_t pending, head;
	enum virtq_err err;

	if (!vq->ready)
		return VIRTQ_ERR_NOT_READY;
	err = avail_pending(vq, &pending);
	if (err)
		return err;
	if (pending == 0)
		return VIRTQ_EMPTY;
	head = ld16(&vq->avail->ring[vq->last_avail & (vq->size - 1)], __ATOMIC_RELAXED);
	if (head >= vq->size)
		return VIRTQ_ERR_HEAD_RANGE;

	memset(chain, 0, sizeof(*chain));
	chain->head = head;
	err = walk_chain(vq, head, iov, iov_max, chain);
	if (err)
		return err;
	vq->last_avail++;
	vq->inflight++;
	/* §2.7.10: with EVENT_IDX, ask for a kick when the driver adds the
	 * entry after the ones we have taken (unless draining with kicks off). */
	if (vq->event_idx && !vq->no_notify)
		st16(avail_event_p(vq), vq->last_avail, __ATOMIC_RELAXED);
	return VIRTQ_OK;
}

enum virtq_err virtq_push(struct virtq *vq, uint16_t head, uint32_t len)
{
	if (!vq->ready)
		return VIRTQ_ERR_NOT_READY;
	/* A device bug, not a guest one, but still never write a bad id or
	 * more used entries than were popped (the driver would overrun). */
	if (head >= vq->size || vq->inflight == 0)
		return VIRTQ_ERR_USED_ID;
	struct virtq_used_elem *e = &vq->used->ring[vq->used_idx & (vq->size - 1)];
	__atomic_store_n(&e->id, htole32(head), __ATOMIC_RELAXED);
	__atomic_store_n(&e->len, htole32(len), __ATOMIC_RELAXED);
	vq->used_idx++;
	vq->inflight--;
	/* §2.7.8.2: the element must be visible before the index. */
	st16(&vq->used->idx, vq->used_idx, __ATOMIC_RELEASE);
	return VIRTQ_OK;
}

bool virtq_should_notify(struct virtq *vq)
{
	if (!vq->ready)
		return false;
	/* Order the used idx store before reading the driver's event field:
	 * otherwise we may read a stale used_event and skip an interrupt the
	 * driver is about to wait for. */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	if (!vq->event_idx) /* §2.7.7.2, no EVENT_IDX: flag bit 0 only */
		return !(ld16(&vq->avail->flags, __ATOMIC_RELAXED) & VIRTQ_AVAIL_F_NO_INTERRUPT);

	uint16_t old = vq->signalled_used, now = vq->used_idx;
	bool valid = vq->signalled_valid;
	vq->signalled_used = now;
	vq->signalled_valid = true;
	/* First decision after setup: no reference point, so interrupt. */
	if (!valid)
		return true;
	return virtq_need_event(ld16(used_event_p(vq), __ATOMIC_RELAXED), now, old);
}

void virtq_notify_disable(struct virtq *vq)
{
	if (!vq->ready)
		return;
	vq->no_notify = true;
	/* With EVENT_IDX the driver ignores used->flags (§2.7.10); simply not
	 * advancing avail_event suppresses kicks after the current one. */
	if (!vq->event_idx)
		st16(&vq->used->flags, VIRTQ_USED_F_NO_NOTIFY, __ATOMIC_RELAXED);
}

bool virtq_notify_enable(struct virtq *vq)
{
	if (!vq->ready)
		return false;
	vq->no_notify = false;
	if (vq->event_idx)
		st16(avail_event_p(vq), vq->last_avail, __ATOMIC_RELAXED);
	else
		st16(&vq->used->flags, 0, __ATOMIC_RELAXED);
	/* Publish the request, then re-check: a buffer added before the
	 * driver saw it would otherwise wait for a kick that never comes. */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	return ld16(&vq->avail->idx, __ATOMIC_ACQUIRE) != vq->last_avail;
}
