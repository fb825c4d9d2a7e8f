/*
 * virtio-console port 0 queue handling (runtime/virtio/virtio_console_port.c):
 * input split over small receive buffers loses nothing and keeps order;
 * transmit hands every readable buffer over in order and ignores writable
 * ones. Chains come from the real virtqueue walker on fake guest memory.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>

#include "vq_fixture.h"
#include "virtio_console.h"

#define W VIRTQ_DESC_F_WRITE
#define N VIRTQ_DESC_F_NEXT

static void test_rx_input_larger_than_buffer_is_kept_for_the_next(void **s)
{
	const uint8_t line[] = "hello from the host\n";
	uint32_t len = sizeof(line) - 1, off = 0;
	uint8_t got[64];
	unsigned chains = 0;

	/* The driver's 8-byte buffers, one chain each (hvc reads small). */
	for (unsigned i = 0; i < QSZ; i++)
		set_desc(DESC, i, BUF + 0x100 * i, 8, W, 0);
	while (off < len) {
		assert_int_equal(pop_head((uint16_t)chains), VIRTQ_OK);
		uint32_t n = virtio_console_rx_fill(iov, &ch, line + off, len - off);
		assert_true(n > 0 && n <= 8);
		memcpy(got + off, fake_host(BUF + 0x100 * chains), n);
		off += n;
		chains++;
	}
	assert_int_equal(chains, 3); /* 8 + 8 + 4 */
	assert_memory_equal(got, line, len);
}

static void test_rx_fills_several_writable_buffers_in_order(void **s)
{
	const uint8_t in[] = "abcdefghij";
	set_desc(DESC, 0, BUF, 3, N, 1); /* readable: skipped */
	set_desc(DESC, 1, BUF + 0x100, 4, W | N, 2);
	set_desc(DESC, 2, FAKE_R1, 4, W, 0);
	memset(fake_host(BUF), 0x11, 3);
	assert_int_equal(pop_head(0), VIRTQ_OK);
	assert_int_equal(virtio_console_rx_fill(iov, &ch, in, 10), 8);
	assert_memory_equal(fake_host(BUF + 0x100), "abcd", 4);
	assert_memory_equal(fake_host(FAKE_R1), "efgh", 4);
	assert_int_equal(((uint8_t *)fake_host(BUF))[0], 0x11);
}

static uint8_t sink[256];
static size_t sink_len;
static unsigned sink_calls;
static void out(void *opaque, const void *buf, size_t len)
{
	assert_ptr_equal(opaque, sink);
	assert_true(sink_len + len <= sizeof(sink));
	memcpy(sink + sink_len, buf, len);
	sink_len += len;
	sink_calls++;
}

static void test_tx_writes_readable_buffers_in_order(void **s)
{
	sink_len = sink_calls = 0;
	memcpy(fake_host(FAKE_R2), "VIBE-", 5);
	memcpy(fake_host(BUF), "HVC ", 4);
	memcpy(fake_host(FAKE_R1), "line\n", 5);
	set_desc(DESC, 3, FAKE_R2, 5, N, 4);
	set_desc(DESC, 4, BUF, 4, N, 6);
	set_desc(DESC, 6, FAKE_R1, 5, N, 7);
	set_desc(DESC, 7, BUF + 0x200, 32, W, 0); /* writable: not output */
	memset(fake_host(BUF + 0x200), 'X', 32);
	assert_int_equal(pop_head(3), VIRTQ_OK);
	assert_int_equal(virtio_console_tx(iov, &ch, out, sink), 14);
	assert_int_equal(sink_calls, 3);
	assert_int_equal(sink_len, 14);
	assert_memory_equal(sink, "VIBE-HVC line\n", 14);
}

static void test_tx_empty_chain_outputs_nothing(void **s)
{
	sink_len = sink_calls = 0;
	set_desc(DESC, 0, BUF, 16, W, 0);
	assert_int_equal(pop_head(0), VIRTQ_OK);
	assert_int_equal(virtio_console_tx(iov, &ch, out, sink), 0);
	assert_int_equal(sink_calls, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_rx_input_larger_than_buffer_is_kept_for_the_next, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rx_fills_several_writable_buffers_in_order, setup, teardown),
		cmocka_unit_test_setup_teardown(test_tx_writes_readable_buffers_in_order, setup, teardown),
		cmocka_unit_test_setup_teardown(test_tx_empty_chain_outputs_nothing, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
