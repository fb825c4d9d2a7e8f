/*
 * virtio-rng request bounds (runtime/virtio/virtio_rng_req.c, virtio spec
 * v1.2 §5.4.6) on chains the real walker pops from fake guest memory.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>

#include "vq_fixture.h"
#include "virtio_rng.h"

static int nonzero(const uint8_t *p, unsigned n)
{
	int c = 0;
	for (unsigned i = 0; i < n; i++)
		c += p[i] != 0;
	return c;
}

static void test_fills_writable_bytes(void **s)
{
	(void)s;
	set_desc(DESC, 0, BUF, 4096, VIRTQ_DESC_F_WRITE, 0);
	assert_int_equal(pop_head(0), VIRTQ_OK);
	assert_int_equal(virtio_rng_fill(iov, &ch, 65536), 4096);
	uint8_t first[4096];
	memcpy(first, fake_host(BUF), sizeof(first));
	assert_true(nonzero(first, sizeof(first)) > 3900);
	set_desc(DESC, 1, BUF, 4096, VIRTQ_DESC_F_WRITE, 0);
	assert_int_equal(pop_head(1), VIRTQ_OK);
	assert_int_equal(virtio_rng_fill(iov, &ch, 65536), 4096);
	assert_memory_not_equal(first, fake_host(BUF), sizeof(first));
}

/* Issue 7: a 1 GiB buffer gets max-request bytes, written in place, the
 * rest untouched; no allocation (R3 is 2 GiB reserved, never touched). */
static void test_huge_buffer_bounded(void **s)
{
	(void)s;
	set_desc(DESC, 0, FAKE_R3, 1u << 30, VIRTQ_DESC_F_WRITE, 0);
	assert_int_equal(pop_head(0), VIRTQ_OK);
	assert_int_equal(ch.in_len, 1u << 30);
	assert_int_equal(virtio_rng_fill(iov, &ch, 65536), 65536);
	const uint8_t *p = fake_host(FAKE_R3);
	assert_true(nonzero(p + 65536 - 64, 64) > 0);
	assert_int_equal(nonzero(p + 65536, 4096), 0);
}

/* The budget spans buffers; readable buffers are skipped, not filled. */
static void test_budget_across_buffers(void **s)
{
	(void)s;
	memset(fake_host(BUF), 0, 0x3000);
	set_desc(DESC, 0, BUF, 64, VIRTQ_DESC_F_NEXT, 1); /* readable: ignored */
	set_desc(DESC, 1, BUF + 0x1000, 100, VIRTQ_DESC_F_NEXT | VIRTQ_DESC_F_WRITE, 2);
	set_desc(DESC, 2, BUF + 0x2000, 100, VIRTQ_DESC_F_WRITE, 0);
	assert_int_equal(pop_head(0), VIRTQ_OK);
	assert_int_equal(virtio_rng_fill(iov, &ch, 150), 150);
	assert_int_equal(nonzero(fake_host(BUF), 64), 0);
	assert_true(nonzero(fake_host(BUF + 0x2000), 50) > 40);
	assert_int_equal(nonzero(fake_host(BUF + 0x2000 + 50), 50), 0);
}

static void test_no_writable_buffer(void **s)
{
	(void)s;
	set_desc(DESC, 0, BUF, 64, 0, 0);
	assert_int_equal(pop_head(0), VIRTQ_OK);
	assert_int_equal(virtio_rng_fill(iov, &ch, 65536), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_fills_writable_bytes, setup, teardown),
		cmocka_unit_test_setup_teardown(test_huge_buffer_bounded, setup, teardown),
		cmocka_unit_test_setup_teardown(test_budget_across_buffers, setup, teardown),
		cmocka_unit_test_setup_teardown(test_no_writable_buffer, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
