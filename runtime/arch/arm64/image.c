/*
 * arm64 Image header parsing (see image.h, booting.rst).
 */
#include "image.h"

#include <string.h>

static uint64_t le64(const uint8_t *p)
{
	uint64_t v = 0;
	for (int i = 7; i >= 0; i--)
		v = v << 8 | p[i];
	return v;
}

static uint32_t le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

int arm64_image_parse(const void *buf, size_t len, uint64_t file_size, struct arm64_image *out,
		      const char **why)
{
	const uint8_t *b = buf;

	memset(out, 0, sizeof(*out));
	if (len >= 2 && b[0] == 0x1f && b[1] == 0x8b) {
		*why = "gzip-compressed (Image.gz): decompress it first (gunzip)";
		return -1;
	}
	if (len < ARM64_IMAGE_HDR_SIZE || file_size < ARM64_IMAGE_HDR_SIZE) {
		*why = "shorter than the 64-byte arm64 Image header";
		return -1;
	}
	if (le32(b + 56) != ARM64_IMAGE_MAGIC) {
		*why = "no arm64 Image magic \"ARM\\x64\" at offset 56 (not an arm64 Linux Image)";
		return -1;
	}
	out->text_offset = le64(b + 8);
	out->image_size = le64(b + 16);
	out->flags = le64(b + 24);
	if (out->image_size == 0) {
		/* Pre-3.17 kernels: booting.rst says assume 0x80000. */
		out->text_offset = 0x80000;
		out->image_size = file_size;
		out->flags = 0;
	}
	out->big_endian = out->flags & 1;
	static const unsigned pages[4] = { 0, 4, 16, 64 };
	out->page_kib = pages[(out->flags >> 1) & 3];
	out->anywhere = (out->flags >> 3) & 1;
	if (out->big_endian) {
		*why = "big-endian kernel (flags bit 0): vibevmm boots little-endian kernels only";
		return -1;
	}
	if (out->image_size < file_size) {
		*why = "image_size in the header is smaller than the file (truncated or corrupt header)";
		return -1;
	}
	if (out->text_offset >= ARM64_IMAGE_ALIGN || (out->text_offset & 0xfff)) {
		*why = "text_offset is not a 4 KiB multiple below 2 MiB (corrupt header)";
		return -1;
	}
	*why = "ok";
	return 0;
}
