/*
 * The arm64 Linux kernel Image header (Documentation/arch/arm64/booting.rst,
 * "Call the kernel image"): 64 bytes at the start of the file,
 *   u32 code0, code1; u64 text_offset; u64 image_size; u64 flags;
 *   u64 res2, res3, res4; u32 magic = 0x644d5241 ("ARM\x64"); u32 res5
 * all little-endian. Pure parsing, unit-tested on any host.
 */
#ifndef VIBE_ARM64_IMAGE_H
#define VIBE_ARM64_IMAGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define ARM64_IMAGE_HDR_SIZE 64u
#define ARM64_IMAGE_MAGIC    0x644d5241u
#define ARM64_IMAGE_ALIGN    0x200000ull /* the 2 MiB-aligned base text_offset is added to */

struct arm64_image {
	uint64_t text_offset; /* load at a 2 MiB-aligned base + this */
	uint64_t image_size;  /* bytes from the load address the kernel uses (incl. bss) */
	uint64_t flags;
	bool big_endian;      /* flags bit 0 */
	unsigned page_kib;    /* flags bits 2:1: 0 unspecified, else 4, 16, 64 */
	bool anywhere;        /* flags bit 3: base may be anywhere, not near DRAM start */
};

/* Parse the header of a file of file_size bytes whose first len bytes are
 * in buf. Returns 0, or -1 with *why set (too short, gzip-compressed, bad
 * magic, big-endian kernel, image_size smaller than the file). A zero
 * image_size (kernels before v3.17) means text_offset 0x80000 and the
 * file's size, as booting.rst says. */
int arm64_image_parse(const void *buf, size_t len, uint64_t file_size, struct arm64_image *out,
		      const char **why);

#endif
