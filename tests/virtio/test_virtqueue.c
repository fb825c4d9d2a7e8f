/*
 * The split-virtqueue walker (runtime/virtio/virtqueue.c) against
 * well-formed and hostile rings in synthetic guest memory (fake_guest.c,
 * the test double for guest_ptr). Each hostile case has a nearby positive
 * control, so a test cannot pass merely because everything is rejected.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "fake_guest.h"
#include "virtqueue.h"

#define QSZ   8
#define DESC  0x1000ull  /* in R0 */
#define AVAIL 0x2000ull
#define USED  0x3000ull
#define BUF   0x4000ull
#define ITAB  0x21000ull /* indirect tables live in R1 */

#define F_INDIRECT (1ull << VIRTIO_F_INDIRECT_DESC)
#define F_EVENT    (1ull << VIRTIO_F_EVENT_IDX)

static struct virtq vq;
static struct virtq_iov iov[64];
static struct virtq_chain ch;
static uint16_t drv_avail_idx; /* the "driver's" next avail idx */

static void set_desc(uint64_t table, unsigned i, uint64_t addr, uint32_t len,
		     uint16_t flags, uint16_t next)
{
	struct virtq_desc d = { addr, len, flags, next }; /* host is little-endian */
	memcpy(fake_host(table + 16ull * i), &d, sizeof(d));
}

static struct virtq_avail *avail(void) { return fake_host(AVAIL); }
static struct virtq_used *used(void) { return fake_host(USED); }
/* le16 avail_event just past the used ring (§2.7.8) */
static uint16_t *avail_event(void) { return fake_host(USED + 4 + 8 * QSZ); }

static void offer(uint16_t head)
{
	avail()->ring[drv_avail_idx % QSZ] = head;
	avail()->idx = ++drv_avail_idx;
}

static void setup_features(uint64_t features)
{
	fake_guest_init();
	drv_avail_idx = 0;
	memset(&ch, 0, sizeof(ch));
	assert_int_equal(virtq_setup(&vq, fake_vm, QSZ, DESC, AVAIL, USED, features), VIRTQ_OK);
}

static int setup(void **s) { (void)s; setup_features(F_INDIRECT); return 0; }
static int teardown(void **s) { (void)s; fake_guest_fini(); return 0; }

/* Pop one chain made of `head` and expect `want`. */
static enum virtq_err pop_head(uint16_t head)
{
	offer(head);
	return virtq_pop(&vq, iov, 64, &ch);
}

static void test_single_readable_buffer(void **s)
{
	set_desc(DESC, 0, BUF, 100, 0, 0);
	assert_int_equal(pop_head(0), VIRTQ_OK);
	assert_int_equal(ch.head, 0);
	assert_int_equal(ch.n, 1);
	assert_int_equal(ch.n_out, 1);
	assert_int_equal(ch.out_len, 100);
	assert_int_equal(ch.in_len, 0);
	assert_ptr_equal(iov[0].base, fake_host(BUF));
	assert_false(iov[0].writable);
	assert_int_equal(virtq_pop(&vq, iov, 64, &ch), VIRTQ_EMPTY);
}

static void test_multi_chain_mixed_rw_and_push(void **s)
{
	/* head 2 -> 5 -> 1, out of table order on purpose */
	set_desc(DESC, 2, BUF, 16, VIRTQ_DESC_F_NEXT, 5);
	set_desc(DESC, 5, BUF + 0x100, 32, VIRTQ_DESC_F_NEXT, 1);
	set_desc(DESC, 1, FAKE_R2 + 0x10, 64, VIRTQ_DESC_F_WRITE, 0);
	assert_int_equal(pop_head(2), VIRTQ_OK);
	assert_int_equal(ch.n, 3);
	assert_int_equal(ch.n_out, 2);
	assert_int_equal(ch.out_len, 48);
	assert_int_equal(ch.in_len, 64);
	assert_true(iov[2].writable);
	assert_ptr_equal(iov[2].base, fake_host(FAKE_R2 + 0x10));

	assert_int_equal(virtq_push(&vq, ch.head, 64), VIRTQ_OK);
	assert_int_equal(used()->idx, 1);
	assert_int_equal(used()->ring[0].id, 2);
	assert_int_equal(used()->ring[0].len, 64);
	/* nothing else in flight: a second push is refused */
	assert_int_equal(virtq_push(&vq, ch.head, 64), VIRTQ_ERR_USED_ID);
	assert_int_equal(used()->idx, 1);
}

static void test_indirect_table(void **s)
{
	set_desc(ITAB, 0, BUF, 16, VIRTQ_DESC_F_NEXT, 2);
	set_desc(ITAB, 2, BUF + 0x10, 8, VIRTQ_DESC_F_NEXT | VIRTQ_DESC_F_WRITE, 1);
	set_desc(ITAB, 1, BUF + 0x20, 1, VIRTQ_DESC_F_WRITE, 0);
	set_desc(DESC, 3, ITAB, 3 * 16, VIRTQ_DESC_F_INDIRECT, 0);
	assert_int_equal(pop_head(3), VIRTQ_OK);
	assert_int_equal(ch.head, 3);
	assert_int_equal(ch.n, 3);
	assert_int_equal(ch.n_out, 1);
	assert_int_equal(ch.in_len, 9);
}

static void test_direct_then_indirect(void **s)
{
	/* §2.7.5.3.2: direct descriptors followed by one indirect one */
	set_desc(ITAB, 0, BUF + 0x40, 4, VIRTQ_DESC_F_WRITE, 0);
	set_desc(DESC, 0, BUF, 16, VIRTQ_DESC_F_NEXT, 1);
	set_desc(DESC, 1, ITAB, 16, VIRTQ_DESC_F_INDIRECT, 0);
	assert_int_equal(pop_head(0), VIRTQ_OK);
	assert_int_equal(ch.n, 2);
	assert_int_equal(ch.out_len, 16);
	assert_int_equal(ch.in_len, 4);
}

static void test_indirect_needs_feature(void **s)
{
	setup_features(0);
	set_desc(ITAB, 0, BUF, 4, 0, 0);
	set_desc(DESC, 0, ITAB, 16, VIRTQ_DESC_F_INDIRECT, 0);
	assert_int_equal(pop_head(0), VIRTQ_ERR_INDIRECT_FEATURE);
}

static void test_indirect_bad_tables(void **s)
{
	set_desc(ITAB, 0, BUF, 4, 0, 0);
	set_desc(DESC, 0, ITAB, 0, VIRTQ_DESC_F_INDIRECT, 0);
	assert_int_equal(pop_head(0), VIRTQ_ERR_INDIRECT_LEN);
	setup(s);
	set_desc(DESC, 0, ITAB, 20, VIRTQ_DESC_F_INDIRECT, 0);
	assert_int_equal(pop_head(0), VIRTQ_ERR_INDIRECT_LEN);
	setup(s);
	set_desc(DESC, 0, FAKE_R3, (VIRTQ_MAX_SIZE + 1) * 16, VIRTQ_DESC_F_INDIRECT, 0);
	assert_int_equal(pop_head(0), VIRTQ_ERR_INDIRECT_LEN);
	setup(s); /* table in the MMIO hole */
	set_desc(DESC, 0, FAKE_HOLE + 0x100, 16, VIRTQ_DESC_F_INDIRECT, 0);
	assert_int_equal(pop_head(0), VIRTQ_ERR_INDIRECT_ADDR);
	setup(s); /* table straddling the end of R0 */
	set_desc(DESC, 0, FAKE_HOLE - 16, 32, VIRTQ_DESC_F_INDIRECT, 0);
	assert_int_equal(pop_head(0), VIRTQ_ERR_INDIRECT_ADDR);
	setup(s); /* INDIRECT together with NEXT */
	set_desc(ITAB, 0, BUF, 4, 0, 0);
	set_desc(DESC, 0, ITAB, 16, VIRTQ_DESC_F_INDIRECT | VIRTQ_DESC_F_NEXT, 1);
	set_desc(DESC, 1, BUF, 4, 0, 0);
	assert_int_equal(pop_head(0), VIRTQ_ERR_INDIRECT_NEXT);
}

static void test_indirect_nested(void **s)
{
	set_desc(ITAB + 0x100, 0, BUF, 4, 0, 0);
	set_desc(ITAB, 0, BUF, 4, VIRTQ_DESC_F_NEXT, 1);
	set_desc(ITAB, 1, ITAB + 0x100, 16, VIRTQ_DESC_F_INDIRECT, 0);
	set_desc(DESC, 0, ITAB, 32, VIRTQ_DESC_F_INDIRECT, 0);
	assert_int_equal(pop_head(0), VIRTQ_ERR_INDIRECT_NESTED);
}

static void test_indirect_loop_and_range(void **s)
{
	/* a loop inside a 4-entry table ends after 4 steps */
	set_desc(ITAB, 0, BUF, 4, VIRTQ_DESC_F_NEXT, 1);
	set_desc(ITAB, 1, BUF, 4, VIRTQ_DESC_F_NEXT, 0);
	set_desc(DESC, 0, ITAB, 4 * 16, VIRTQ_DESC_F_INDIRECT, 0);
	assert_int_equal(pop_head(0), VIRTQ_ERR_LOOP);
	setup(s); /* next beyond the table's own length, though < queue size */
	set_desc(ITAB, 0, BUF, 4, VIRTQ_DESC_F_NEXT, 2);
	set_desc(DESC, 0, ITAB, 2 * 16, VIRTQ_DESC_F_INDIRECT, 0);
	assert_int_equal(pop_head(0), VIRTQ_ERR_NEXT_RANGE);
}

static void test_descriptor_loop(void **s)
{
	set_desc(DESC, 0, BUF, 4, VIRTQ_DESC_F_NEXT, 1);
	set_desc(DESC, 1, BUF, 4, VIRTQ_DESC_F_NEXT, 0);
	assert_int_equal(pop_head(0), VIRTQ_ERR_LOOP);
	setup(s); /* self loop, zero-length so no iovec fills up first */
	set_desc(DESC, 4, BUF, 0, VIRTQ_DESC_F_NEXT, 4);
	assert_int_equal(pop_head(4), VIRTQ_ERR_LOOP);
}

static void test_chain_longer_than_queue(void **s)
{
	/* all QSZ descriptors in one chain is the longest legal chain ... */
	for (unsigned i = 0; i < QSZ; i++)
		set_desc(DESC, i, BUF, 1, i + 1 < QSZ ? VIRTQ_DESC_F_NEXT : 0, i + 1);
	assert_int_equal(pop_head(0), VIRTQ_OK);
	assert_int_equal(ch.n, QSZ);
	/* ... one more step (the last pointing back into the table) is not;
	 * with exactly QSZ iovec slots the loop must be seen before the
	 * ninth buffer, so the bound is exact, not merely finite */
	setup(s);
	for (unsigned i = 0; i < QSZ; i++)
		set_desc(DESC, i, BUF, 1, VIRTQ_DESC_F_NEXT, (i + 1) % QSZ);
	offer(0);
	assert_int_equal(virtq_pop(&vq, iov, QSZ, &ch), VIRTQ_ERR_LOOP);
}

static void test_next_and_head_out_of_range(void **s)
{
	set_desc(DESC, 0, BUF, 4, VIRTQ_DESC_F_NEXT, QSZ);
	assert_int_equal(pop_head(0), VIRTQ_ERR_NEXT_RANGE);
	setup(s);
	assert_int_equal(pop_head(QSZ), VIRTQ_ERR_HEAD_RANGE);
	setup(s);
	assert_int_equal(pop_head(0xffff), VIRTQ_ERR_HEAD_RANGE);
}

static void expect_buf(uint64_t addr, uint32_t len, enum virtq_err want)
{
	setup_features(F_INDIRECT);
	set_desc(DESC, 0, addr, len, 0, 0);
	assert_int_equal(pop_head(0), want);
}

static void test_buffer_bounds(void **s)
{
	expect_buf(FAKE_END, 1, VIRTQ_ERR_BUF_ADDR);             /* past the end of RAM */
	expect_buf(0x8000000000ull, 16, VIRTQ_ERR_BUF_ADDR);     /* far outside RAM */
	expect_buf(FAKE_END - 16, 16, VIRTQ_OK);                 /* ends exactly at RAM end */
	expect_buf(FAKE_END - 16, 17, VIRTQ_ERR_BUF_ADDR);       /* straddles RAM end */
	expect_buf(FAKE_R2 - 16, 16, VIRTQ_OK);                  /* ends at R1's end */
	expect_buf(FAKE_R2 - 16, 32, VIRTQ_ERR_BUF_ADDR);        /* R1 -> R2: not contiguous host memory */
	expect_buf(FAKE_HOLE + 0x800, 4, VIRTQ_ERR_BUF_ADDR);    /* in the MMIO hole */
	expect_buf(FAKE_HOLE - 4, 8, VIRTQ_ERR_BUF_ADDR);        /* R0 into the hole */
	expect_buf(FAKE_R1 - 4, 8, VIRTQ_ERR_BUF_ADDR);          /* hole into R1 */
	expect_buf(~0ull - 15, 16, VIRTQ_OK);                    /* last 16 bytes of 2^64 */
	expect_buf(~0ull - 15, 17, VIRTQ_ERR_BUF_ADDR);          /* wraps past 2^64 */
	expect_buf(~0ull, 0xffffffffu, VIRTQ_ERR_BUF_ADDR);      /* wraps to low RAM */
	expect_buf(FAKE_HOLE + 0x800, 0, VIRTQ_OK);              /* zero length: nothing mapped */
	assert_int_equal(ch.n, 0);
}

static void test_length_sum_overflow(void **s)
{
	/* R3 is 2 GiB: two buffers of 2 GiB reach 2^32 exactly */
	set_desc(DESC, 0, FAKE_R3, 0x80000000u, VIRTQ_DESC_F_NEXT, 1);
	set_desc(DESC, 1, FAKE_R3, 0x7fffffffu, 0, 0);
	assert_int_equal(pop_head(0), VIRTQ_OK);
	assert_int_equal(ch.out_len, 0xffffffffu);
	set_desc(DESC, 2, FAKE_R3, 0x80000000u, VIRTQ_DESC_F_NEXT, 3);
	set_desc(DESC, 3, FAKE_R3, 0x80000000u, 0, 0);
	assert_int_equal(pop_head(2), VIRTQ_ERR_LEN_OVERFLOW);
	setup(s); /* writable side is summed separately, and checked too */
	set_desc(DESC, 0, BUF, 8, VIRTQ_DESC_F_NEXT, 1); /* readable bytes do not count */
	set_desc(DESC, 1, FAKE_R3, 0x80000000u, VIRTQ_DESC_F_NEXT | VIRTQ_DESC_F_WRITE, 2);
	set_desc(DESC, 2, FAKE_R3, 0x7fffffffu, VIRTQ_DESC_F_NEXT | VIRTQ_DESC_F_WRITE, 3);
	set_desc(DESC, 3, BUF, 1, VIRTQ_DESC_F_WRITE, 0);
	assert_int_equal(pop_head(0), VIRTQ_ERR_LEN_OVERFLOW);
}

static void test_avail_idx_far_ahead(void **s)
{
	for (unsigned i = 0; i < QSZ; i++)
		set_desc(DESC, i, BUF, 4, 0, 0);
	avail()->idx = QSZ + 1;
	assert_int_equal(virtq_pop(&vq, iov, 64, &ch), VIRTQ_ERR_AVAIL_IDX);
	avail()->idx = 0x8000;
	assert_int_equal(virtq_pop(&vq, iov, 64, &ch), VIRTQ_ERR_AVAIL_IDX);
	avail()->idx = QSZ; /* a full ring is legal */
	for (unsigned i = 0; i < QSZ; i++)
		assert_int_equal(virtq_pop(&vq, iov, 64, &ch), VIRTQ_OK);
	assert_int_equal(virtq_pop(&vq, iov, 64, &ch), VIRTQ_EMPTY);
}

static void test_avail_idx_read_once_per_batch(void **s)
{
	/* entries published by one validated read of avail->idx are consumed
	 * without re-reading it: a later rewrite cannot change that batch */
	set_desc(DESC, 0, BUF, 4, 0, 0);
	offer(0);
	offer(0);
	assert_int_equal(virtq_pop(&vq, iov, 64, &ch), VIRTQ_OK);
	avail()->idx = 200; /* garbage after the read */
	assert_int_equal(virtq_pop(&vq, iov, 64, &ch), VIRTQ_OK);
	/* the batch is used up: the next pop reads again and sees it */
	assert_int_equal(virtq_pop(&vq, iov, 64, &ch), VIRTQ_ERR_AVAIL_IDX);
}

static void test_order_and_iov_limit(void **s)
{
	set_desc(DESC, 0, BUF, 4, VIRTQ_DESC_F_NEXT | VIRTQ_DESC_F_WRITE, 1);
	set_desc(DESC, 1, BUF, 4, 0, 0);
	assert_int_equal(pop_head(0), VIRTQ_ERR_ORDER);
	setup(s);
	set_desc(DESC, 0, BUF, 4, VIRTQ_DESC_F_NEXT, 1);
	set_desc(DESC, 1, BUF, 4, VIRTQ_DESC_F_NEXT, 2);
	set_desc(DESC, 2, BUF, 4, 0, 0);
	offer(0);
	assert_int_equal(virtq_pop(&vq, iov, 2, &ch), VIRTQ_ERR_IOV_FULL);
	assert_int_equal(virtq_pop(&vq, iov, 3, &ch), VIRTQ_OK); /* nothing consumed before */
}

static void test_setup_rejects_bad_rings(void **s)
{
	struct virtq q;
	const uint16_t bad_sizes[] = { 0, 3, 6, 100, 0xffff };
	for (unsigned i = 0; i < sizeof(bad_sizes) / sizeof(bad_sizes[0]); i++)
		assert_int_equal(virtq_setup(&q, fake_vm, bad_sizes[i], DESC, AVAIL, USED, 0),
				 VIRTQ_ERR_SIZE);
	assert_int_equal(virtq_setup(&q, fake_vm, 1, DESC, AVAIL, USED, 0), VIRTQ_OK);
	/* the largest queue: 512 KiB of descriptors, in the big region */
	assert_int_equal(virtq_setup(&q, fake_vm, VIRTQ_MAX_SIZE, FAKE_R3, FAKE_R3 + 0x80000,
				     FAKE_R3 + 0x100000, 0), VIRTQ_OK);
	assert_int_equal(virtq_setup(&q, fake_vm, VIRTQ_MAX_SIZE, DESC, AVAIL, USED, 0),
			 VIRTQ_ERR_RING_ADDR);
	assert_int_equal(virtq_setup(&q, fake_vm, 16, DESC + 8, AVAIL, USED, 0), VIRTQ_ERR_RING_ALIGN);
	assert_int_equal(virtq_setup(&q, fake_vm, 16, DESC, AVAIL + 1, USED, 0), VIRTQ_ERR_RING_ALIGN);
	assert_int_equal(virtq_setup(&q, fake_vm, 16, DESC, AVAIL, USED + 2, 0), VIRTQ_ERR_RING_ALIGN);
	/* 16 descriptors = 256 bytes: at 0xff80 they run into the hole */
	assert_int_equal(virtq_setup(&q, fake_vm, 16, 0xff80, AVAIL, USED, 0), VIRTQ_ERR_RING_ADDR);
	assert_int_equal(virtq_setup(&q, fake_vm, 16, 0xff00, AVAIL, USED, 0), VIRTQ_OK);
	/* used ring = 6 + 8*16 = 134 bytes; the last event field counts */
	assert_int_equal(virtq_setup(&q, fake_vm, 16, DESC, AVAIL, FAKE_HOLE - 132, 0),
			 VIRTQ_ERR_RING_ADDR);
	assert_int_equal(virtq_setup(&q, fake_vm, 16, DESC, AVAIL, FAKE_HOLE - 136, 0), VIRTQ_OK);
	assert_int_equal(virtq_setup(&q, fake_vm, 16, DESC, FAKE_HOLE + 2, USED, 0),
			 VIRTQ_ERR_RING_ADDR);
	assert_int_equal(virtq_setup(&q, NULL, 16, DESC, AVAIL, USED, 0), VIRTQ_ERR_RING_ADDR);
	assert_false(q.ready);
	assert_int_equal(virtq_pop(&q, iov, 64, &ch), VIRTQ_ERR_NOT_READY);
}

static void test_push_checks_and_wrap(void **s)
{
	set_desc(DESC, 0, BUF, 4, VIRTQ_DESC_F_WRITE, 0);
	assert_int_equal(virtq_push(&vq, 0, 0), VIRTQ_ERR_USED_ID); /* nothing popped */
	/* cycle past the 16-bit index wrap: indexes must stay consistent */
	for (unsigned i = 0; i < 70000; i++) {
		assert_int_equal(pop_head(0), VIRTQ_OK);
		assert_int_equal(virtq_push(&vq, QSZ, 4), VIRTQ_ERR_USED_ID);
		assert_int_equal(virtq_push(&vq, 0, 4), VIRTQ_OK);
	}
	assert_int_equal(used()->idx, (uint16_t)70000);
	assert_int_equal(vq.last_avail, (uint16_t)70000);
	assert_int_equal(virtq_pop(&vq, iov, 64, &ch), VIRTQ_EMPTY);
}

static void test_need_event_math(void **s)
{
	/* §2.7.10: interrupt iff event_idx lies in [old, new) */
	assert_true(virtq_need_event(0, 1, 0));
	assert_false(virtq_need_event(1, 1, 0));
	assert_true(virtq_need_event(5, 10, 0));
	assert_false(virtq_need_event(10, 10, 0));
	assert_false(virtq_need_event(3, 10, 5));  /* already passed earlier */
	assert_true(virtq_need_event(0xffff, 2, 0xfffe)); /* across the wrap */
	assert_false(virtq_need_event(2, 2, 0xfffe));
	assert_false(virtq_need_event(7, 7, 7));   /* nothing new */
}

static void test_event_idx_interrupt_suppression(void **s)
{
	setup_features(F_EVENT);
	set_desc(DESC, 0, BUF, 4, VIRTQ_DESC_F_WRITE, 0);
	uint16_t *used_event = &avail()->ring[QSZ];
	for (int i = 0; i < 3; i++)
		assert_int_equal(pop_head(0), VIRTQ_OK);
	/* pop publishes avail_event = next avail slot it will take */
	assert_int_equal(*avail_event(), 3);
	*used_event = 2; /* driver: interrupt once entry 2 is used */
	assert_int_equal(virtq_push(&vq, 0, 4), VIRTQ_OK);
	assert_true(virtq_should_notify(&vq));  /* first decision: no reference */
	assert_int_equal(virtq_push(&vq, 0, 4), VIRTQ_OK);
	assert_false(virtq_should_notify(&vq)); /* used idx 2: entry 1 only */
	assert_int_equal(virtq_push(&vq, 0, 4), VIRTQ_OK);
	assert_true(virtq_should_notify(&vq));  /* entry 2 used */
	assert_false(virtq_should_notify(&vq)); /* nothing new since */
	/* the NO_INTERRUPT flag means nothing with EVENT_IDX */
	avail()->flags = VIRTQ_AVAIL_F_NO_INTERRUPT;
	*used_event = 3;
	assert_int_equal(pop_head(0), VIRTQ_OK);
	assert_int_equal(virtq_push(&vq, 0, 4), VIRTQ_OK);
	assert_true(virtq_should_notify(&vq));
}

static void test_flag_interrupt_suppression(void **s)
{
	set_desc(DESC, 0, BUF, 4, VIRTQ_DESC_F_WRITE, 0);
	assert_int_equal(pop_head(0), VIRTQ_OK);
	assert_int_equal(virtq_push(&vq, 0, 4), VIRTQ_OK);
	assert_true(virtq_should_notify(&vq));
	avail()->flags = VIRTQ_AVAIL_F_NO_INTERRUPT;
	assert_int_equal(pop_head(0), VIRTQ_OK);
	assert_int_equal(virtq_push(&vq, 0, 4), VIRTQ_OK);
	assert_false(virtq_should_notify(&vq));
}

static void test_kick_suppression(void **s)
{
	set_desc(DESC, 0, BUF, 4, 0, 0);
	virtq_notify_disable(&vq);
	assert_int_equal(used()->flags, VIRTQ_USED_F_NO_NOTIFY);
	assert_false(virtq_notify_enable(&vq));
	assert_int_equal(used()->flags, 0);
	offer(0); /* arrives while kicks were off: enable must report it */
	virtq_notify_disable(&vq);
	assert_true(virtq_notify_enable(&vq));

	setup_features(F_EVENT);
	set_desc(DESC, 0, BUF, 4, 0, 0);
	virtq_notify_disable(&vq);
	assert_int_equal(pop_head(0), VIRTQ_OK);
	assert_int_equal(*avail_event(), 0); /* not advanced while disabled */
	assert_false(virtq_notify_enable(&vq));
	assert_int_equal(*avail_event(), 1);
}

static void test_reset_clears_state(void **s)
{
	set_desc(DESC, 0, BUF, 4, 0, 0);
	assert_int_equal(pop_head(0), VIRTQ_OK);
	virtq_reset(&vq);
	assert_false(vq.ready);
	assert_int_equal(vq.last_avail, 0);
	assert_int_equal(vq.inflight, 0);
	assert_null(vq.desc);
	assert_int_equal(virtq_pop(&vq, iov, 64, &ch), VIRTQ_ERR_NOT_READY);
	assert_int_equal(virtq_push(&vq, 0, 0), VIRTQ_ERR_NOT_READY);
	assert_false(virtq_should_notify(&vq));
}

/* ---- randomized hostile rings ----
 * A seeded generator (VIBE_TEST_SEED overrides) fills the descriptor table,
 * indirect tables and avail ring with values biased towards boundaries.
 * Whatever the walker accepts must satisfy its guarantees; under SAN=1 the
 * sanitizers also watch every access it makes. */
static uint64_t rng_state;

static uint64_t rnd(void)
{
	rng_state ^= rng_state << 13; /* xorshift64 */
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state;
}

static unsigned hostility; /* percent of fields drawn from the hostile pool */

static int hostile(void)
{
	return rnd() % 100 < hostility;
}

static uint64_t pick_addr(void)
{
	static const uint64_t a[] = { BUF, FAKE_HOLE - 8, FAKE_HOLE, FAKE_R1, FAKE_R2 - 8,
		FAKE_R2, FAKE_END - 8, FAKE_END, FAKE_R3, FAKE_R3 + FAKE_R3_SIZE - 8,
		FAKE_R4, ~0ull - 7, ~0ull, ITAB, DESC, USED };
	if (!hostile())
		return rnd() % 8 ? BUF + rnd() % 0x8000 : FAKE_R3;
	return rnd() % 4 ? a[rnd() % (sizeof(a) / sizeof(a[0]))] + rnd() % 16 : rnd();
}

static uint32_t pick_len(uint64_t addr)
{
	static const uint32_t l[] = { 0, 1, 8, 16, 32, 48, 0x7fffffff, 0x80000000u,
		0xfffffff0u, 0xffffffffu };
	if (addr == FAKE_R3) /* large but in RAM: drives the 32-bit sums */
		return 0x40000000u + (uint32_t)(rnd() % 0x40000001u);
	if (!hostile())
		return 1 + rnd() % 64;
	return rnd() % 2 ? l[rnd() % (sizeof(l) / sizeof(l[0]))] : (uint32_t)(rnd() % 64);
}

static void random_table(uint64_t table, unsigned n)
{
	for (unsigned i = 0; i < n; i++) {
		uint64_t addr = pick_addr();
		uint16_t flags = (rnd() % 4 ? VIRTQ_DESC_F_NEXT : 0) | (rnd() % 2 ? VIRTQ_DESC_F_WRITE : 0);
		uint16_t next = (i + 1 + rnd() % 3) % n; /* mostly forward: long chains */
		if (rnd() % 16 == 0)
			flags = VIRTQ_DESC_F_INDIRECT, addr = ITAB + 16 * (rnd() % 4);
		uint32_t len = flags & VIRTQ_DESC_F_INDIRECT ? 16 * (1 + rnd() % 12) : pick_len(addr);
		if (hostile())
			flags = rnd() % 8;
		if (hostile())
			next = rnd() % (n + 2);
		if (hostile())
			len = pick_len(addr);
		set_desc(table, i, addr, len, flags, next);
	}
}

static void check_chain(unsigned iov_max)
{
	uint64_t out = 0, in = 0;
	assert_true(ch.n <= iov_max && ch.n_out <= ch.n);
	for (unsigned i = 0; i < ch.n; i++) {
		assert_true(fake_host_range_ok(iov[i].base, iov[i].len));
		assert_true(iov[i].len > 0);
		assert_int_equal(iov[i].writable, i >= ch.n_out);
		*(iov[i].writable ? &in : &out) += iov[i].len;
	}
	assert_int_equal(out, ch.out_len);
	assert_int_equal(in, ch.in_len);
	assert_true(ch.head < QSZ);
}

static void test_random_hostile_rings(void **s)
{
	const char *seed = getenv("VIBE_TEST_SEED");
	unsigned ok = 0, rounds = 50000, seen[VIRTQ_ERR_USED_ID + 1] = { 0 };

	rng_state = seed ? strtoull(seed, NULL, 0) | 1 : 0x9e3779b97f4a7c15ull;
	for (unsigned r = 0; r < rounds; r++) {
		static const unsigned levels[] = { 0, 1, 3, 10, 50 };
		uint64_t features = rnd() % 4 ? F_INDIRECT : 0;
		hostility = levels[rnd() % 5];
		assert_int_equal(virtq_setup(&vq, fake_vm, QSZ, DESC, AVAIL, USED, features), VIRTQ_OK);
		drv_avail_idx = 0;
		random_table(DESC, QSZ);
		random_table(ITAB, 16);
		for (unsigned i = 0; i < QSZ; i++)
			avail()->ring[i] = hostile() ? (uint16_t)rnd() : rnd() % QSZ;
		avail()->idx = hostile() ? (uint16_t)rnd() : 1 + rnd() % QSZ;
		unsigned iov_max = hostile() ? 1 + rnd() % 4 : 64;
		for (unsigned k = 0; k <= QSZ; k++) {
			enum virtq_err e = virtq_pop(&vq, iov, iov_max, &ch);
			if (e == VIRTQ_EMPTY)
				break;
			if (e != VIRTQ_OK) {
				assert_true(e > VIRTQ_EMPTY && e <= VIRTQ_ERR_USED_ID);
				seen[e]++;
				break;
			}
			check_chain(iov_max);
			assert_int_equal(virtq_push(&vq, ch.head, ch.in_len), VIRTQ_OK);
			ok++;
		}
	}
	/* The generator must keep reaching every outcome of the walk, or this
	 * test quietly stops testing: accepted chains and each pop error. */
	assert_true(ok > rounds / 4);
	for (int e = VIRTQ_ERR_AVAIL_IDX; e <= VIRTQ_ERR_INDIRECT_NEXT; e++) {
		if (!seen[e])
			print_error("random rings never produced: %s\n", virtq_strerror(e));
		assert_true(seen[e] > 0);
	}
}

static void test_strerror_covers_all(void **s)
{
	for (int e = VIRTQ_OK; e <= VIRTQ_ERR_USED_ID; e++)
		assert_string_not_equal(virtq_strerror(e), "unknown virtqueue error");
	assert_string_equal(virtq_strerror(999), "unknown virtqueue error");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
		T(test_single_readable_buffer),
		T(test_multi_chain_mixed_rw_and_push),
		T(test_indirect_table),
		T(test_direct_then_indirect),
		T(test_indirect_needs_feature),
		T(test_indirect_bad_tables),
		T(test_indirect_nested),
		T(test_indirect_loop_and_range),
		T(test_descriptor_loop),
		T(test_chain_longer_than_queue),
		T(test_next_and_head_out_of_range),
		T(test_buffer_bounds),
		T(test_length_sum_overflow),
		T(test_avail_idx_far_ahead),
		T(test_avail_idx_read_once_per_batch),
		T(test_order_and_iov_limit),
		T(test_setup_rejects_bad_rings),
		T(test_push_checks_and_wrap),
		T(test_need_event_math),
		T(test_event_idx_interrupt_suppression),
		T(test_flag_interrupt_suppression),
		T(test_kick_suppression),
		T(test_reset_clears_state),
		T(test_random_hostile_rings),
		T(test_strerror_covers_all),
#undef T
	};
	return cmocka_run_group_tests_name("virtqueue", tests, NULL, NULL);
}
