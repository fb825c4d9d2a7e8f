/*
 * The split-virtqueue walker (runtime/virtio/virtqueue.c) against
 * well-formed and hostile rings in synthetic guest memory (fake_guest.c,
 * the test double for guest_ptr). Each hostile case has a nearby positive
 * control, so a test cannot pass merely because everything is rejected.
 * Randomized rings are in test_virtqueue_random.c.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>

#include "vq_fixture.h"

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
		T(test_strerror_covers_all),
#undef T
	};
	return cmocka_run_group_tests_name("virtqueue", tests, NULL, NULL);
}
