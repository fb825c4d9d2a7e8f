/*
 * The virtio I/O thread (runtime/virtio/virtio_io.c) end to end with the
 * real transport: the driver (tests/virtio mmio_fixture helpers) kicks
 * through QueueNotify; without KVM ioeventfd (stubs.c refuses it) the
 * exit is handed to the I/O thread, which pops, fills (virtio-rng's
 * request code), pushes and raises the interrupt (the irq-line fallback,
 * counted by stubs.c). Also: the thread keeps the transport's rules
 * (notify before DRIVER_OK ignored), and a reset with work pending.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <string.h>
#include <time.h>
#include <cmocka.h>

#include "mmio_fixture.h"
#include "virtio_io.h"
#include "virtio_rng.h"

extern unsigned stub_irq_raises; /* stubs.c: vibe_vm_irq_line(.., 1) calls */

static struct virtio_io io;
static struct virtq_iov viov[8];
static struct vibe_dev_desc io_desc = { .name = "rng-io", .type = "virtio-rng", .irq = -1 };

static int64_t fill(void *opaque, unsigned q, struct virtq_iov *v, const struct virtq_chain *ch,
		    const char **why)
{
	(void)opaque; (void)q; (void)why;
	return virtio_rng_fill(v, ch, 1000);
}

static void io_notify(struct virtio_mmio *t, unsigned q)
{
	(void)t;
	virtio_io_drain(&io, q, viov, 8, fill, NULL);
}

static const struct virtio_mmio_backend io_backend = {
	.device_id = 4, .num_queues = 1, .queue_max = 8, .notify = io_notify,
};

static int io_setup(void **s)
{
	setup(s);
	virtio_mmio_destroy(&tr);
	dev.desc = &io_desc;
	assert_int_equal(virtio_mmio_init(&tr, &dev, &io_backend, NULL), 0);
	memset(&io, 0, sizeof(io));
	assert_int_equal(virtio_io_start(&io, &tr, &dev), 0);
	assert_false(io.ioeventfd);
	assert_false(io.irqfd);
	stub_irq_raises = 0;
	return 0;
}

static int io_teardown(void **s)
{
	virtio_io_stop(&io);
	return teardown(s);
}

/* Wait (up to 10 s: a loaded host) for the thread to publish `n` used entries. */
static int wait_used(uint16_t n)
{
	const struct timespec ms = { 0, 1000000 };
	struct virtq_used *u = fake_host(USED);
	for (int i = 0; i < 10000; i++) {
		if (__atomic_load_n(&u->idx, __ATOMIC_ACQUIRE) == n)
			return 1;
		nanosleep(&ms, NULL);
	}
	return 0;
}

static void test_kick_exit_served_by_thread(void **s)
{
	(void)s;
	bring_up();
	memset(fake_host(BUF), 0, 4096);
	submit(BUF, 4096);
	assert_true(wait_used(1));
	struct virtq_used *u = fake_host(USED);
	assert_int_equal(u->ring[0].len, 1000); /* bounded by max-request */
	for (int i = 0; i < 10000 && !__atomic_load_n(&stub_irq_raises, __ATOMIC_ACQUIRE); i++) {
		const struct timespec ms = { 0, 1000000 };
		nanosleep(&ms, NULL);
	}
	assert_int_equal(rd(VIRTIO_MMIO_INTERRUPT_STATUS), VIRTIO_MMIO_INT_VRING);
	assert_int_equal(stub_irq_raises, 1);
	wr(VIRTIO_MMIO_INTERRUPT_ACK, VIRTIO_MMIO_INT_VRING);
	submit(BUF, 16); /* a second round trip */
	assert_true(wait_used(2));
	assert_int_equal(u->ring[1].len, 16);
}

static void test_notify_before_driver_ok_ignored(void **s)
{
	(void)s;
	negotiate(V1);
	setup_queue(0, 8, DESC, AVAIL, USED);
	fake_log_clear();
	submit(BUF, 64); /* no DRIVER_OK yet */
	const struct timespec ms = { 0, 20000000 };
	nanosleep(&ms, NULL);
	struct virtq_used *u = fake_host(USED);
	assert_int_equal(u->idx, 0);
	wr(VIRTIO_MMIO_STATUS, ACK | DRV | FOK | DOK);
	wr(VIRTIO_MMIO_QUEUE_NOTIFY, 0); /* control: now it is served */
	assert_true(wait_used(1));
}

/* A reset while requests are queued: the thread stops touching the queue
 * and serves the device again after it is brought back up. */
static void test_reset_then_reuse(void **s)
{
	(void)s;
	bring_up();
	submit(BUF, 32);
	wr(VIRTIO_MMIO_STATUS, 0);
	assert_int_equal(status(), 0);
	assert_true(io.gen >= 1);
	/* Fresh rings at the same addresses, zeroed by the driver before it
	 * sets the queue up again. */
	memset(fake_host(USED), 0, 0x100);
	memset(fake_host(AVAIL), 0, 0x100);
	bring_up();
	submit(BUF, 32);
	assert_true(wait_used(1));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_kick_exit_served_by_thread, io_setup, io_teardown),
		cmocka_unit_test_setup_teardown(test_notify_before_driver_ok_ignored, io_setup,
						io_teardown),
		cmocka_unit_test_setup_teardown(test_reset_then_reuse, io_setup, io_teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
