/*
 * The virtio-mmio transport's queues: setup rules (sizes, addresses, the
 * DRIVER_OK and QueueReady ordering), notifications, used-buffer interrupts
 * and a malformed ring reaching DEVICE_NEEDS_RESET end to end through the
 * fake backend's handler (mmio_fixture.h).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>

#include "mmio_fixture.h"

static void test_full_bring_up_notify_and_interrupt(void **s)
{
	bring_up();
	assert_int_equal(fb.activates, 1);
	wr(VIRTIO_MMIO_QUEUE_SEL, 0);
	assert_int_equal(rd(VIRTIO_MMIO_QUEUE_READY), 1);
	assert_int_equal(rd(VIRTIO_MMIO_QUEUE_NUM_MAX), 16);
	submit(BUF, 32);
	assert_int_equal(fb.notifies, 1);
	assert_int_equal(fb.last_pop, VIRTQ_EMPTY);
	struct virtq_used *u = fake_host(USED);
	assert_int_equal(u->idx, 1);
	assert_int_equal(u->ring[0].len, 32);
	assert_int_equal(rd(VIRTIO_MMIO_INTERRUPT_STATUS), VIRTIO_MMIO_INT_VRING);
	assert_int_equal(fb.irq_level, 1);
	/* the line stays up until every pending bit is acknowledged, and is
	 * driven only on a change */
	virtio_mmio_config_changed(&tr);
	assert_int_equal(fb.irq_raises, 1);
	wr(VIRTIO_MMIO_INTERRUPT_ACK, VIRTIO_MMIO_INT_VRING);
	assert_int_equal(rd(VIRTIO_MMIO_INTERRUPT_STATUS), VIRTIO_MMIO_INT_CONFIG);
	assert_int_equal(fb.irq_level, 1);
	wr(VIRTIO_MMIO_INTERRUPT_ACK, VIRTIO_MMIO_INT_CONFIG);
	assert_int_equal(rd(VIRTIO_MMIO_INTERRUPT_STATUS), 0);
	assert_int_equal(fb.irq_level, 0);
	assert_int_equal(fake_log_warns, 0);
}

static void test_queue_setup_after_driver_ok(void **s)
{
	static const uint64_t regs[] = { VIRTIO_MMIO_QUEUE_NUM, VIRTIO_MMIO_QUEUE_DESC_LOW,
		VIRTIO_MMIO_QUEUE_DRIVER_HIGH, VIRTIO_MMIO_QUEUE_DEVICE_LOW, VIRTIO_MMIO_QUEUE_READY };
	for (unsigned i = 0; i < sizeof(regs) / sizeof(regs[0]); i++) {
		teardown(s);
		setup(s);
		bring_up();
		/* queue 1 is not ready: only the DRIVER_OK rule applies */
		wr(VIRTIO_MMIO_QUEUE_SEL, 1);
		wr(regs[i], regs[i] == VIRTIO_MMIO_QUEUE_NUM ? 4 : 1);
		expect_needs_reset(ACK | DRV | FOK | DOK);
		assert_non_null(strstr(fake_log_last, "after DRIVER_OK"));
	}
	teardown(s);
	setup(s);
	bring_up(); /* disabling a queue after DRIVER_OK is setup too */
	wr(VIRTIO_MMIO_QUEUE_SEL, 0);
	wr(VIRTIO_MMIO_QUEUE_READY, 0);
	expect_needs_reset(ACK | DRV | FOK | DOK);
}

static void test_queue_changed_while_ready(void **s)
{
	negotiate(V1);
	setup_queue(0, 8, DESC, AVAIL, USED);
	wr(VIRTIO_MMIO_QUEUE_DESC_LOW, 0x5000);
	expect_needs_reset(ACK | DRV | FOK);
}

static void test_queue_num_rules(void **s)
{
	static const uint32_t bad[] = { 0, 3, 12, 32, 0x10000 };
	for (unsigned i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		negotiate(V1);
		fake_log_clear();
		wr(VIRTIO_MMIO_QUEUE_SEL, 0);
		wr(VIRTIO_MMIO_QUEUE_NUM, bad[i]);
		expect_needs_reset(ACK | DRV | FOK);
	}
	negotiate(V1);
	fake_log_clear();
	setup_queue(1, 16, DESC, AVAIL, USED); /* max is fine */
	assert_int_equal(status(), ACK | DRV | FOK);
	assert_int_equal(rd(VIRTIO_MMIO_QUEUE_READY), 1);
	assert_int_equal(tr.q[1].vq.size, 16);
}

static void test_queue_ready_checks(void **s)
{
	wr(VIRTIO_MMIO_STATUS, ACK);
	wr(VIRTIO_MMIO_STATUS, ACK | DRV);
	setup_queue(0, 8, DESC, AVAIL, USED); /* before FEATURES_OK */
	expect_needs_reset(ACK | DRV);
	fake_log_clear();
	negotiate(V1);
	setup_queue(0, 8, DESC, FAKE_HOLE, USED); /* avail ring in MMIO */
	expect_needs_reset(ACK | DRV | FOK);
	assert_int_equal(rd(VIRTIO_MMIO_QUEUE_READY), 0);
	assert_non_null(strstr(fake_log_last, "ring not inside guest RAM"));
	fake_log_clear();
	negotiate(V1);
	setup_queue(0, 8, DESC + 4, AVAIL, USED); /* misaligned */
	expect_needs_reset(ACK | DRV | FOK);
	fake_log_clear();
	negotiate(V1); /* a 64-bit address above RAM, via the High half */
	setup_queue(0, 8, DESC | 1ull << 40, AVAIL, USED);
	expect_needs_reset(ACK | DRV | FOK);
}

static void test_queue_teardown_before_driver_ok(void **s)
{
	negotiate(V1);
	setup_queue(0, 8, DESC, AVAIL, USED);
	wr(VIRTIO_MMIO_QUEUE_READY, 0); /* Linux find_vqs error path */
	assert_int_equal(rd(VIRTIO_MMIO_QUEUE_READY), 0);
	assert_int_equal(status(), ACK | DRV | FOK);
	assert_int_equal(fake_log_warns, 0);
}

static void test_absent_queue(void **s)
{
	negotiate(V1);
	wr(VIRTIO_MMIO_QUEUE_SEL, 5);
	assert_int_equal(rd(VIRTIO_MMIO_QUEUE_NUM_MAX), 0); /* §4.2.2: not available */
	assert_int_equal(rd(VIRTIO_MMIO_QUEUE_READY), 0);
	wr(VIRTIO_MMIO_QUEUE_NUM, 8);
	wr(VIRTIO_MMIO_QUEUE_READY, 1);
	assert_int_equal(status(), ACK | DRV | FOK); /* ignored, not broken */
	assert_int_equal(fake_log_warns, 2);
	assert_non_null(strstr(fake_log_last, "absent queue 5"));
	wr(VIRTIO_MMIO_QUEUE_SEL, 0xffffffff); /* far past the array (ASan) */
	wr(VIRTIO_MMIO_QUEUE_NUM, 8);
	wr(VIRTIO_MMIO_QUEUE_DESC_HIGH, 8);
	wr(VIRTIO_MMIO_QUEUE_READY, 1);
	assert_int_equal(rd(VIRTIO_MMIO_QUEUE_READY), 0);
	assert_int_equal(status(), ACK | DRV | FOK);
	assert_int_equal(fake_log_warns, 5);
}

static void test_notify_rules(void **s)
{
	negotiate(V1);
	setup_queue(0, 8, DESC, AVAIL, USED);
	submit(BUF, 4); /* before DRIVER_OK */
	assert_int_equal(fb.notifies, 0);
	assert_int_equal(fake_log_warns, 1);
	assert_int_equal(status(), ACK | DRV | FOK); /* ignored, not broken */
	wr(VIRTIO_MMIO_STATUS, ACK | DRV | FOK | DOK);
	fake_log_clear();
	wr(VIRTIO_MMIO_QUEUE_NOTIFY, 1); /* exists, not ready */
	wr(VIRTIO_MMIO_QUEUE_NOTIFY, 7); /* absent */
	assert_int_equal(fb.notifies, 0);
	assert_int_equal(fake_log_warns, 2);
	wr(VIRTIO_MMIO_QUEUE_NOTIFY, 0);
	assert_int_equal(fb.notifies, 1);
}

static void test_malformed_ring_needs_reset(void **s)
{
	bring_up();
	struct virtq_desc d = { BUF, 4, VIRTQ_DESC_F_NEXT, 0 }; /* next -> itself */
	struct virtq_avail *av = fake_host(AVAIL);
	memcpy(fake_host(DESC), &d, sizeof(d));
	av->ring[0] = 0;
	av->idx = 1;
	wr(VIRTIO_MMIO_QUEUE_NOTIFY, 0);
	assert_int_equal(fb.last_pop, VIRTQ_ERR_LOOP);
	expect_needs_reset(ACK | DRV | FOK | DOK);
	assert_non_null(strstr(fake_log_last, "rng0"));
	assert_non_null(strstr(fake_log_last, "loop"));
	assert_true(virtio_mmio_broken(&tr));
	virtio_mmio_needs_reset(&tr, "again"); /* second fault: no second line */
	assert_int_equal(fake_log_warns, 1);
}

static void test_no_used_interrupt_when_broken(void **s)
{
	struct virtq_iov iov[4];
	struct virtq_chain ch;
	struct virtq_desc d = { BUF, 4, VIRTQ_DESC_F_WRITE, 0 };
	struct virtq_avail *av = fake_host(AVAIL);
	struct virtq *vq = virtio_mmio_queue(&tr, 0);

	bring_up();
	memcpy(fake_host(DESC), &d, sizeof(d));
	av->idx = 1;
	assert_int_equal(virtq_pop(vq, iov, 4, &ch), VIRTQ_OK);
	/* e.g. an I/O thread finishing a request after the device broke */
	virtio_mmio_needs_reset(&tr, "test");
	wr(VIRTIO_MMIO_INTERRUPT_ACK, VIRTIO_MMIO_INT_CONFIG);
	assert_int_equal(virtq_push(vq, ch.head, 4), VIRTQ_OK);
	virtio_mmio_queue_done(&tr, 0);
	assert_int_equal(rd(VIRTIO_MMIO_INTERRUPT_STATUS), 0);
	assert_int_equal(fb.irq_level, 0);
	assert_null(virtio_mmio_queue(&tr, 2));
	virtio_mmio_queue_done(&tr, 2); /* absent queue: nothing */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
		T(test_full_bring_up_notify_and_interrupt),
		T(test_queue_setup_after_driver_ok),
		T(test_queue_changed_while_ready),
		T(test_queue_num_rules),
		T(test_queue_ready_checks),
		T(test_queue_teardown_before_driver_ok),
		T(test_absent_queue),
		T(test_notify_rules),
		T(test_malformed_ring_needs_reset),
		T(test_no_used_interrupt_when_broken),
#undef T
	};
	return cmocka_run_group_tests_name("virtio_mmio_queues", tests, NULL, NULL);
}
