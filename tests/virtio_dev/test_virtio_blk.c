/*
 * virtio-blk request handling (runtime/virtio/virtio_blk_req.c, virtio
 * spec v1.2 §5.2.6) on chains the real walker pops from fake guest memory
 * (tests/virtio fixtures), against a temporary image file. Each hostile
 * or failing case sits next to a positive control.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "vq_fixture.h"
#include "virtio_blk.h"

#define HDR  BUF             /* request header */
#define DATA (BUF + 0x100)   /* data buffers */
#define STAT (BUF + 0x3000)  /* status byte */
#define SECTORS 64

static char path[64];
static struct virtio_blk_disk disk;

static uint8_t pattern(uint64_t off) { return (uint8_t)(off * 7 + (off >> 9)); }

static int blk_setup(void **s)
{
	setup(s);
	strcpy(path, "/tmp/vibe-blk-test.XXXXXX");
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	uint8_t img[SECTORS * 512];
	for (unsigned i = 0; i < sizeof(img); i++)
		img[i] = pattern(i);
	assert_int_equal(write(fd, img, sizeof(img)), (ssize_t)sizeof(img));
	close(fd);
	assert_int_equal(virtio_blk_open(&disk, "blk-test", path, 0, "SERIAL-0123456789-ABCDEF"), 0);
	return 0;
}

static int blk_teardown(void **s)
{
	virtio_blk_close(&disk);
	unlink(path);
	return teardown(s);
}

static void put_hdr(uint32_t type, uint64_t sector)
{
	uint8_t h[16] = { 0 };
	memcpy(h, &type, 4);      /* host is little-endian, as the fixtures assume */
	memcpy(h + 8, &sector, 8);
	memcpy(fake_host(HDR), h, 16);
}

static uint8_t *status(void) { return fake_host(STAT); }

/* header, one data buffer (writable for IN), status */
static int64_t request(uint32_t type, uint64_t sector, uint32_t len, int data_writable)
{
	const char *why = NULL;
	put_hdr(type, sector);
	*status() = 0xee;
	set_desc(DESC, 0, HDR, 16, VIRTQ_DESC_F_NEXT, 1);
	set_desc(DESC, 1, DATA, len, VIRTQ_DESC_F_NEXT | (data_writable ? VIRTQ_DESC_F_WRITE : 0), 2);
	set_desc(DESC, 2, STAT, 1, VIRTQ_DESC_F_WRITE, 0);
	assert_int_equal(pop_head(0), VIRTQ_OK);
	int64_t used = virtio_blk_handle(&disk, iov, &ch, &why);
	assert_null(why);
	assert_int_equal(virtq_push(&vq, ch.head, (uint32_t)used), VIRTQ_OK);
	return used;
}

static uint8_t file_byte(uint64_t off)
{
	uint8_t b = 0;
	int fd = open(path, O_RDONLY);
	assert_int_equal(pread(fd, &b, 1, (off_t)off), 1);
	close(fd);
	return b;
}

static void test_read(void **s)
{
	(void)s;
	assert_int_equal(disk.capacity, SECTORS);
	assert_int_equal(request(VIRTIO_BLK_T_IN, 3, 1024, 1), 1025);
	assert_int_equal(*status(), VIRTIO_BLK_S_OK);
	const uint8_t *d = fake_host(DATA);
	for (unsigned i = 0; i < 1024; i++)
		assert_int_equal(d[i], pattern(3 * 512 + i));
}

/* §2.6.4: the header split over two descriptors, data over three, and the
 * status byte sharing the last data buffer. */
static void test_read_odd_framing(void **s)
{
	(void)s;
	const char *why = NULL;
	put_hdr(VIRTIO_BLK_T_IN, 1);
	set_desc(DESC, 0, HDR, 5, VIRTQ_DESC_F_NEXT, 1);
	set_desc(DESC, 1, HDR + 5, 11, VIRTQ_DESC_F_NEXT, 2);
	set_desc(DESC, 2, DATA, 100, VIRTQ_DESC_F_NEXT | VIRTQ_DESC_F_WRITE, 3);
	set_desc(DESC, 3, DATA + 0x200, 300, VIRTQ_DESC_F_NEXT | VIRTQ_DESC_F_WRITE, 4);
	set_desc(DESC, 4, DATA + 0x400, 113, VIRTQ_DESC_F_WRITE, 0); /* 112 data + status */
	assert_int_equal(pop_head(0), VIRTQ_OK);
	assert_int_equal(virtio_blk_handle(&disk, iov, &ch, &why), 513);
	assert_int_equal(((uint8_t *)fake_host(DATA + 0x400))[112], VIRTIO_BLK_S_OK);
	assert_int_equal(((uint8_t *)fake_host(DATA))[99], pattern(512 + 99));
	assert_int_equal(((uint8_t *)fake_host(DATA + 0x200))[0], pattern(512 + 100));
	assert_int_equal(((uint8_t *)fake_host(DATA + 0x400))[111], pattern(512 + 511));
}

static void test_write_then_flush(void **s)
{
	(void)s;
	memset(fake_host(DATA), 0xab, 512);
	assert_int_equal(request(VIRTIO_BLK_T_OUT, 5, 512, 0), 1);
	assert_int_equal(*status(), VIRTIO_BLK_S_OK);
	assert_int_equal(file_byte(5 * 512), 0xab);
	assert_int_equal(file_byte(5 * 512 + 511), 0xab);
	assert_int_equal(file_byte(6 * 512), pattern(6 * 512)); /* nothing more */
	assert_int_equal(request(VIRTIO_BLK_T_FLUSH, 0, 0, 0), 1);
	assert_int_equal(*status(), VIRTIO_BLK_S_OK);
}

static void test_readonly_write_is_ioerr(void **s)
{
	(void)s;
	virtio_blk_close(&disk);
	assert_int_equal(virtio_blk_open(&disk, "blk-test", path, 1, NULL), 0);
	assert_true(virtio_blk_features(&disk) & (1ull << VIRTIO_BLK_F_RO));
	assert_false(virtio_blk_features(&disk) & (1ull << VIRTIO_BLK_F_DISCARD));
	memset(fake_host(DATA), 0xcd, 512);
	request(VIRTIO_BLK_T_OUT, 5, 512, 0);
	assert_int_equal(*status(), VIRTIO_BLK_S_IOERR);
	assert_int_equal(file_byte(5 * 512), pattern(5 * 512));
	request(VIRTIO_BLK_T_IN, 5, 512, 1); /* reads still work */
	assert_int_equal(*status(), VIRTIO_BLK_S_OK);
	/* The check itself, not only the O_RDONLY fd: refused on a writable fd. */
	int ro = disk.fd;
	disk.fd = open(path, O_RDWR);
	request(VIRTIO_BLK_T_OUT, 5, 512, 0);
	assert_int_equal(*status(), VIRTIO_BLK_S_IOERR);
	assert_int_equal(file_byte(5 * 512), pattern(5 * 512));
	close(disk.fd);
	disk.fd = ro;
}

/* A host error (here EBADF: a writable disk on an fd the host opened
 * read-only) reaches the guest as IOERR, never as success. */
static void test_host_error_is_ioerr(void **s)
{
	(void)s;
	int rw = disk.fd;
	disk.fd = open(path, O_RDONLY);
	memset(fake_host(DATA), 0x11, 512);
	request(VIRTIO_BLK_T_OUT, 2, 512, 0);
	assert_int_equal(*status(), VIRTIO_BLK_S_IOERR);
	close(disk.fd);
	disk.fd = rw;
	request(VIRTIO_BLK_T_OUT, 2, 512, 0); /* control */
	assert_int_equal(*status(), VIRTIO_BLK_S_OK);
}

static void test_range_and_length(void **s)
{
	(void)s;
	request(VIRTIO_BLK_T_IN, SECTORS - 1, 512, 1); /* last sector: fine */
	assert_int_equal(*status(), VIRTIO_BLK_S_OK);
	assert_int_equal(request(VIRTIO_BLK_T_IN, SECTORS - 1, 1024, 1), 1); /* past the end */
	assert_int_equal(*status(), VIRTIO_BLK_S_IOERR);
	request(VIRTIO_BLK_T_IN, SECTORS, 512, 1);
	assert_int_equal(*status(), VIRTIO_BLK_S_IOERR);
	request(VIRTIO_BLK_T_IN, UINT64_MAX, 512, 1); /* sector * 512 would wrap */
	assert_int_equal(*status(), VIRTIO_BLK_S_IOERR);
	request(VIRTIO_BLK_T_IN, 0, 100, 1); /* not whole sectors */
	assert_int_equal(*status(), VIRTIO_BLK_S_IOERR);
	request(VIRTIO_BLK_T_OUT, UINT64_MAX / 512, 512, 0);
	assert_int_equal(*status(), VIRTIO_BLK_S_IOERR);
	/* The capacity check itself, where the file is longer than the disk. */
	disk.capacity = SECTORS - 8;
	request(VIRTIO_BLK_T_IN, SECTORS - 9, 512, 1);
	assert_int_equal(*status(), VIRTIO_BLK_S_OK);
	request(VIRTIO_BLK_T_IN, SECTORS - 8, 512, 1);
	assert_int_equal(*status(), VIRTIO_BLK_S_IOERR);
	request(VIRTIO_BLK_T_OUT, SECTORS - 9, 1024, 0);
	assert_int_equal(*status(), VIRTIO_BLK_S_IOERR);
	assert_int_equal(file_byte((SECTORS - 8) * 512), pattern((SECTORS - 8) * 512));
}

static void test_unknown_type_unsupp(void **s)
{
	(void)s;
	request(0x1234, 0, 512, 1);
	assert_int_equal(*status(), VIRTIO_BLK_S_UNSUPP);
}

static void test_get_id(void **s)
{
	(void)s;
	assert_int_equal(request(VIRTIO_BLK_T_GET_ID, 0, 20, 1), 21);
	assert_int_equal(*status(), VIRTIO_BLK_S_OK);
	assert_memory_equal(fake_host(DATA), "SERIAL-0123456789-AB", 20); /* cut at 20 */
	assert_int_equal(request(VIRTIO_BLK_T_GET_ID, 0, 8, 1), 9); /* short buffer */
}

static void test_no_status_byte_needs_reset(void **s)
{
	(void)s;
	const char *why = NULL;
	put_hdr(VIRTIO_BLK_T_IN, 0);
	set_desc(DESC, 0, HDR, 16, 0, 0); /* readable only */
	assert_int_equal(pop_head(0), VIRTQ_OK);
	assert_int_equal(virtio_blk_handle(&disk, iov, &ch, &why), -1);
	assert_non_null(why);
}

static void test_short_header_ioerr(void **s)
{
	(void)s;
	const char *why = NULL;
	set_desc(DESC, 0, HDR, 8, VIRTQ_DESC_F_NEXT, 1);
	set_desc(DESC, 1, STAT, 1, VIRTQ_DESC_F_WRITE, 0);
	*status() = 0xee;
	assert_int_equal(pop_head(0), VIRTQ_OK);
	assert_int_equal(virtio_blk_handle(&disk, iov, &ch, &why), 1);
	assert_null(why);
	assert_int_equal(*status(), VIRTIO_BLK_S_IOERR);
}

static void segment(uint64_t sector, uint32_t num, uint32_t flags)
{
	uint8_t seg[16];
	memcpy(seg, &sector, 8);
	memcpy(seg + 8, &num, 4);
	memcpy(seg + 12, &flags, 4);
	memcpy(fake_host(DATA), seg, 16);
}

static void test_discard_and_write_zeroes(void **s)
{
	(void)s;
	if (!disk.can_punch) {
		/* Not offered, so refused. */
		segment(0, 1, 0);
		request(VIRTIO_BLK_T_DISCARD, 0, 16, 0);
		assert_int_equal(*status(), VIRTIO_BLK_S_UNSUPP);
		skip();
	}
	assert_true(virtio_blk_features(&disk) & (1ull << VIRTIO_BLK_F_WRITE_ZEROES));
	segment(8, 8, 0); /* 4 KiB: a whole block on most file systems */
	request(VIRTIO_BLK_T_WRITE_ZEROES, 0, 16, 0);
	assert_int_equal(*status(), VIRTIO_BLK_S_OK);
	assert_int_equal(file_byte(8 * 512 + 1), 0);
	assert_int_equal(file_byte(16 * 512 + 1), pattern(16 * 512 + 1)); /* only the range */
	segment(16, 8, 0);
	request(VIRTIO_BLK_T_DISCARD, 0, 16, 0);
	assert_int_equal(*status(), VIRTIO_BLK_S_OK);
	segment(16, 8, VIRTIO_BLK_WZ_F_UNMAP); /* §5.2.6.2: unmap on a discard */
	request(VIRTIO_BLK_T_DISCARD, 0, 16, 0);
	assert_int_equal(*status(), VIRTIO_BLK_S_UNSUPP);
	segment(16, 8, 4); /* reserved flag */
	request(VIRTIO_BLK_T_WRITE_ZEROES, 0, 16, 0);
	assert_int_equal(*status(), VIRTIO_BLK_S_UNSUPP);
	segment(SECTORS - 1, 2, 0); /* past the end */
	request(VIRTIO_BLK_T_WRITE_ZEROES, 0, 16, 0);
	assert_int_equal(*status(), VIRTIO_BLK_S_IOERR);
	request(VIRTIO_BLK_T_DISCARD, 0, 32, 0); /* two segments: above max_discard_seg */
	assert_int_equal(*status(), VIRTIO_BLK_S_IOERR);
	request(VIRTIO_BLK_T_DISCARD, 0, 15, 0); /* not a whole segment */
	assert_int_equal(*status(), VIRTIO_BLK_S_IOERR);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_read, blk_setup, blk_teardown),
		cmocka_unit_test_setup_teardown(test_read_odd_framing, blk_setup, blk_teardown),
		cmocka_unit_test_setup_teardown(test_write_then_flush, blk_setup, blk_teardown),
		cmocka_unit_test_setup_teardown(test_readonly_write_is_ioerr, blk_setup, blk_teardown),
		cmocka_unit_test_setup_teardown(test_host_error_is_ioerr, blk_setup, blk_teardown),
		cmocka_unit_test_setup_teardown(test_range_and_length, blk_setup, blk_teardown),
		cmocka_unit_test_setup_teardown(test_unknown_type_unsupp, blk_setup, blk_teardown),
		cmocka_unit_test_setup_teardown(test_get_id, blk_setup, blk_teardown),
		cmocka_unit_test_setup_teardown(test_no_status_byte_needs_reset, blk_setup, blk_teardown),
		cmocka_unit_test_setup_teardown(test_short_header_ioerr, blk_setup, blk_teardown),
		cmocka_unit_test_setup_teardown(test_discard_and_write_zeroes, blk_setup, blk_teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
