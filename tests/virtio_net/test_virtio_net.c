/*
 * virtio-net packet handling (runtime/virtio/virtio_net_pkt.c): the
 * header the driver gets on receive, the iovec written to the tap on
 * transmit, the MAC rules. Chains come from the real virtqueue walker on
 * fake guest memory (tests/virtio/vq_fixture.h), so iov and ch are what
 * the device sees at run time.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>

#include "vq_fixture.h"
#include "virtio_net.h"

#define W VIRTQ_DESC_F_WRITE
#define N VIRTQ_DESC_F_NEXT

/* A frame as the tap hands it over: its header (DATA_VALID set, junk in
 * num_buffers, as a real tap may leave it), then `len` payload bytes. */
static uint8_t tap_pkt[VIRTIO_NET_HDR_LEN + 2048];
static uint32_t make_tap_pkt(uint32_t len)
{
	memset(tap_pkt, 0, VIRTIO_NET_HDR_LEN);
	tap_pkt[0] = 2;     /* VIRTIO_NET_HDR_F_DATA_VALID */
	tap_pkt[1] = 1;     /* a GSO type we never offered */
	tap_pkt[10] = 0xaa; /* num_buffers: junk */
	tap_pkt[11] = 0xbb;
	for (uint32_t i = 0; i < len; i++)
		tap_pkt[VIRTIO_NET_HDR_LEN + i] = (uint8_t)(i * 7 + 3);
	return VIRTIO_NET_HDR_LEN + len;
}

static void expect_rx_header(const uint8_t *h)
{
	static const uint8_t want[VIRTIO_NET_HDR_LEN] = { [10] = 1 };
	assert_memory_equal(h, want, VIRTIO_NET_HDR_LEN);
}

static void test_rx_one_buffer_gets_clean_header_and_frame(void **s)
{
	uint32_t len = make_tap_pkt(60);
	set_desc(DESC, 0, BUF, 1526, W, 0);
	assert_int_equal(pop_head(0), VIRTQ_OK);
	memset(fake_host(BUF), 0xee, 1526);
	assert_int_equal(virtio_net_rx_fill(iov, &ch, tap_pkt, len), len);
	expect_rx_header(fake_host(BUF));
	assert_memory_equal((uint8_t *)fake_host(BUF) + 12, tap_pkt + 12, 60);
	assert_int_equal(((uint8_t *)fake_host(BUF))[len], 0xee); /* nothing past the frame */
}

static void test_rx_header_split_over_buffers(void **s)
{
	/* 5 + 6 + rest: num_buffers (bytes 10..11) straddles buffers 2 and 3. */
	uint32_t len = make_tap_pkt(100);
	set_desc(DESC, 0, BUF, 5, W | N, 1);
	set_desc(DESC, 1, FAKE_R1, 6, W | N, 2);
	set_desc(DESC, 2, FAKE_R2 + 0x100, 200, W, 0);
	assert_int_equal(pop_head(0), VIRTQ_OK);
	assert_int_equal(virtio_net_rx_fill(iov, &ch, tap_pkt, len), len);
	uint8_t got[VIRTIO_NET_HDR_LEN + 100];
	memcpy(got, fake_host(BUF), 5);
	memcpy(got + 5, fake_host(FAKE_R1), 6);
	memcpy(got + 11, fake_host(FAKE_R2 + 0x100), sizeof(got) - 11);
	expect_rx_header(got);
	assert_memory_equal(got + 12, tap_pkt + 12, 100);
}

static void test_rx_skips_readable_buffers(void **s)
{
	uint32_t len = make_tap_pkt(20);
	set_desc(DESC, 0, BUF, 64, N, 1); /* readable: not ours to write */
	set_desc(DESC, 1, BUF + 0x100, 64, W, 0);
	memset(fake_host(BUF), 0x55, 64);
	assert_int_equal(pop_head(0), VIRTQ_OK);
	assert_int_equal(virtio_net_rx_fill(iov, &ch, tap_pkt, len), len);
	assert_int_equal(((uint8_t *)fake_host(BUF))[0], 0x55);
	expect_rx_header(fake_host(BUF + 0x100));
}

static void test_rx_too_small_drops_and_writes_nothing(void **s)
{
	uint32_t len = make_tap_pkt(1500);
	set_desc(DESC, 0, BUF, 1000, W, 0);
	memset(fake_host(BUF), 0x77, 1000);
	assert_int_equal(pop_head(0), VIRTQ_OK);
	assert_int_equal(virtio_net_rx_fill(iov, &ch, tap_pkt, len), 0);
	assert_int_equal(((uint8_t *)fake_host(BUF))[0], 0x77);
	/* And a "frame" shorter than its own header. */
	assert_int_equal(virtio_net_rx_fill(iov, &ch, tap_pkt, 11), 0);
}

/* Driver side of TX: header (flags, gso) then payload in guest memory. */
static void put_tx(uint64_t gpa, uint8_t flags, uint8_t gso, uint32_t payload)
{
	uint8_t *p = fake_host(gpa);
	memset(p, 0, VIRTIO_NET_HDR_LEN);
	p[0] = flags;
	p[1] = gso;
	p[10] = 9; /* num_buffers from the driver: meaningless on TX */
	for (uint32_t i = 0; i < payload; i++)
		p[VIRTIO_NET_HDR_LEN + i] = (uint8_t)(i ^ 0x5a);
}

static void test_tx_header_copied_frame_in_place(void **s)
{
	struct virtio_net_hdr hdr;
	struct iovec out[8];
	const char *why = NULL;

	put_tx(BUF, 0, 0, 64);
	set_desc(DESC, 0, BUF, VIRTIO_NET_HDR_LEN + 64, 0, 0);
	assert_int_equal(pop_head(0), VIRTQ_OK);
	assert_int_equal(virtio_net_tx_iov(iov, &ch, &hdr, out, 8, &why), 2);
	assert_ptr_equal(out[0].iov_base, &hdr); /* our copy, not guest memory */
	assert_int_equal(out[0].iov_len, VIRTIO_NET_HDR_LEN);
	assert_int_equal(hdr.num_buffers, 0);
	assert_ptr_equal(out[1].iov_base, (uint8_t *)fake_host(BUF) + VIRTIO_NET_HDR_LEN);
	assert_int_equal(out[1].iov_len, 64);
}

static void test_tx_header_split_then_frame(void **s)
{
	struct virtio_net_hdr hdr;
	struct iovec out[8];
	const char *why = NULL;

	/* Header as 4 + 8 bytes, frame in a third buffer: no framing assumed. */
	put_tx(BUF, 0, 0, 0);
	memcpy(fake_host(FAKE_R1), fake_host(BUF) + 4, 8);
	set_desc(DESC, 0, BUF, 4, N, 1);
	set_desc(DESC, 1, FAKE_R1, 8, N, 2);
	set_desc(DESC, 2, FAKE_R2, 100, 0, 0);
	assert_int_equal(pop_head(0), VIRTQ_OK);
	assert_int_equal(virtio_net_tx_iov(iov, &ch, &hdr, out, 8, &why), 2);
	assert_ptr_equal(out[1].iov_base, fake_host(FAKE_R2));
	assert_int_equal(out[1].iov_len, 100);
	/* The iovec budget is enforced. */
	assert_int_equal(virtio_net_tx_iov(iov, &ch, &hdr, out, 1, &why), -1);
}

static void test_tx_refuses_offloads_not_offered_and_runts(void **s)
{
	struct virtio_net_hdr hdr;
	struct iovec out[8];
	const char *why = NULL;

	put_tx(BUF, VIRTIO_NET_HDR_F_NEEDS_CSUM, 0, 64);
	set_desc(DESC, 0, BUF, VIRTIO_NET_HDR_LEN + 64, 0, 0);
	assert_int_equal(pop_head(0), VIRTQ_OK);
	assert_int_equal(virtio_net_tx_iov(iov, &ch, &hdr, out, 8, &why), -1);
	assert_non_null(strstr(why, "CSUM"));

	put_tx(BUF, 0, 1 /* TCPV4 */, 64);
	why = NULL;
	assert_int_equal(virtio_net_tx_iov(iov, &ch, &hdr, out, 8, &why), -1);
	assert_non_null(strstr(why, "GSO"));

	set_desc(DESC, 1, BUF, 11, 0, 0); /* shorter than the header */
	assert_int_equal(pop_head(1), VIRTQ_OK);
	why = NULL;
	assert_int_equal(virtio_net_tx_iov(iov, &ch, &hdr, out, 8, &why), -1);
	assert_non_null(why);
}

static void test_mac_parse(void **s)
{
	uint8_t m[6];
	assert_int_equal(virtio_net_mac_parse("52:54:00:12:34:56", m), 0);
	assert_int_equal(m[0], 0x52);
	assert_int_equal(m[5], 0x56);
	assert_int_equal(virtio_net_mac_parse("02:AB:cd:00:00:01", m), 0);
	assert_int_equal(m[1], 0xab);
	assert_int_equal(virtio_net_mac_parse("01:00:5e:00:00:01", m), -1); /* multicast */
	assert_int_equal(virtio_net_mac_parse("00:00:00:00:00:00", m), -1);
	assert_int_equal(virtio_net_mac_parse("52:54:00:12:34", m), -1);
	assert_int_equal(virtio_net_mac_parse("52:54:00:12:34:56:78", m), -1);
	assert_int_equal(virtio_net_mac_parse("52-54-00-12-34-56", m), -1);
	assert_int_equal(virtio_net_mac_parse("5:54:00:12:34:567", m), -1);
}

static void test_mac_derived_is_stable_local_unicast(void **s)
{
	uint8_t a[6], b[6], c[6];
	virtio_net_mac_derive("net0", a);
	virtio_net_mac_derive("net0", b);
	virtio_net_mac_derive("net1", c);
	assert_memory_equal(a, b, 6);
	assert_memory_not_equal(a, c, 6);
	assert_true(a[0] & 2);   /* locally administered */
	assert_false(a[0] & 1);  /* unicast */
	assert_false(c[0] & 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_rx_one_buffer_gets_clean_header_and_frame, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rx_header_split_over_buffers, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rx_skips_readable_buffers, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rx_too_small_drops_and_writes_nothing, setup, teardown),
		cmocka_unit_test_setup_teardown(test_tx_header_copied_frame_in_place, setup, teardown),
		cmocka_unit_test_setup_teardown(test_tx_header_split_then_frame, setup, teardown),
		cmocka_unit_test_setup_teardown(test_tx_refuses_offloads_not_offered_and_runts, setup, teardown),
		cmocka_unit_test(test_mac_parse),
		cmocka_unit_test(test_mac_derived_is_stable_local_unicast),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
