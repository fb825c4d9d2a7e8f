/*
 * arm64 boot pieces that need no hypervisor: the Image header parser
 * (runtime/arch/arm64/image.c; valid, truncated, bad magic, gzip, corrupt
 * sizes, pre-3.17 zero image_size) and the run-time FDT patch
 * (fdt_patch.c) applied to vibegen's tree for machines/virt-arm64.yaml.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>
#include <libfdt.h>

#include "arch/arm64/fdt_patch.h"
#include "arch/arm64/image.h"
#include "emit_fdt.h"
#include "model.h"

static void put64(uint8_t *p, uint64_t v)
{
	for (int i = 0; i < 8; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

/* A header as the kernel's head.S writes it. */
static void header(uint8_t *h, uint64_t text_offset, uint64_t image_size, uint64_t flags)
{
	memset(h, 0, 64);
	put64(h + 8, text_offset);
	put64(h + 16, image_size);
	put64(h + 24, flags);
	memcpy(h + 56, "ARM\x64", 4);
}

static void test_image_valid(void **s)
{
	(void)s;
	uint8_t h[64];
	struct arm64_image img;
	const char *why;
	header(h, 0, 0x2000000, 0xa); /* 4K pages, anywhere */
	assert_int_equal(arm64_image_parse(h, 64, 0x1800000, &img, &why), 0);
	assert_int_equal(img.text_offset, 0);
	assert_int_equal(img.image_size, 0x2000000);
	assert_int_equal(img.page_kib, 4);
	assert_true(img.anywhere);
	assert_false(img.big_endian);
	header(h, 0x80000, 0x1000000, 0x4); /* 16K pages */
	assert_int_equal(arm64_image_parse(h, 64, 0x1000000, &img, &why), 0);
	assert_int_equal(img.text_offset, 0x80000);
	assert_int_equal(img.page_kib, 16);
	assert_false(img.anywhere);
}

static void test_image_old_kernel(void **s)
{
	(void)s;
	uint8_t h[64];
	struct arm64_image img;
	const char *why;
	header(h, 0x1234000, 0, 0xff); /* image_size 0: fields before it are not trusted */
	assert_int_equal(arm64_image_parse(h, 64, 0x700000, &img, &why), 0);
	assert_int_equal(img.text_offset, 0x80000);
	assert_int_equal(img.image_size, 0x700000);
}

static void test_image_bad(void **s)
{
	(void)s;
	uint8_t h[64];
	struct arm64_image img;
	const char *why;
	header(h, 0, 0x2000000, 0);
	assert_int_equal(arm64_image_parse(h, 63, 0x1000, &img, &why), -1); /* truncated buffer */
	assert_non_null(strstr(why, "shorter"));
	assert_int_equal(arm64_image_parse(h, 64, 40, &img, &why), -1);    /* truncated file */
	h[59] = 0x65;
	assert_int_equal(arm64_image_parse(h, 64, 0x1000, &img, &why), -1);
	assert_non_null(strstr(why, "magic"));
	header(h, 0, 0x1000, 0);
	assert_int_equal(arm64_image_parse(h, 64, 0x2000, &img, &why), -1); /* image_size < file */
	header(h, 0, 0x2000000, 1);
	assert_int_equal(arm64_image_parse(h, 64, 0x1000, &img, &why), -1); /* big-endian */
	header(h, 0x200000, 0x2000000, 0);
	assert_int_equal(arm64_image_parse(h, 64, 0x1000, &img, &why), -1); /* text_offset >= 2M */
	h[0] = 0x1f;
	h[1] = 0x8b;
	assert_int_equal(arm64_image_parse(h, 64, 0x1000, &img, &why), -1);
	assert_non_null(strstr(why, "gzip"));
}

static void *virt_fdt(struct machine *m, size_t *n)
{
	assert_int_equal(chdir(SRCDIR), 0);
	assert_int_equal(machine_load(strdup("machines/virt-arm64.yaml"), m), 0);
	void *f = fdt_build(m, n);
	assert_non_null(f);
	return f;
}

static uint64_t u64prop(const void *fdt, const char *path, const char *name, int idx)
{
	int len, off = fdt_path_offset(fdt, path);
	assert_true(off >= 0);
	const char *p = fdt_getprop(fdt, off, name, &len);
	fdt64_t v; /* properties are only 4-byte aligned in the blob */
	assert_non_null(p);
	assert_true(len >= (idx + 1) * 8);
	memcpy(&v, p + idx * 8, 8);
	return fdt64_to_cpu(v);
}

static void test_fdt_patch(void **s)
{
	(void)s;
	struct machine m;
	size_t n;
	void *src = virt_fdt(&m, &n);
	static uint8_t dst[0x10000];
	const char *why;
	struct arm64_fdt_patch p = {
		.bootargs = "console=ttyAMA0 earlycon root=/dev/vda",
		.has_initrd = 1, .initrd_start = 0x47c00000, .initrd_end = 0x47d23456,
		.nmem = 1, .mem = { { 0x40000000, 0x20000000 } },
	};
	long sz = arm64_fdt_patch(dst, sizeof dst, src, &p, &why);
	assert_true(sz > 0);
	assert_int_equal(fdt_check_header(dst), 0);
	int off = fdt_path_offset(dst, "/chosen"), len;
	assert_string_equal(fdt_getprop(dst, off, "bootargs", &len), p.bootargs);
	assert_int_equal(u64prop(dst, "/chosen", "linux,initrd-start", 0), 0x47c00000);
	assert_int_equal(u64prop(dst, "/chosen", "linux,initrd-end", 0), 0x47d23456);
	assert_int_equal(u64prop(dst, "/memory@40000000", "reg", 0), 0x40000000);
	assert_int_equal(u64prop(dst, "/memory@40000000", "reg", 1), 0x20000000);

	/* No initrd: both properties gone (0..0 would be an empty initrd). */
	p.has_initrd = 0;
	p.bootargs = NULL;
	assert_true(arm64_fdt_patch(dst, sizeof dst, src, &p, &why) > 0);
	off = fdt_path_offset(dst, "/chosen");
	assert_null(fdt_getprop(dst, off, "linux,initrd-start", &len));
	assert_null(fdt_getprop(dst, off, "linux,initrd-end", &len));
	assert_string_equal(fdt_getprop(dst, off, "bootargs", &len), ""); /* machine's, kept */

	/* Devices not linked: their nodes go; the others and memory stay. */
	p.ndrop = 2;
	p.drop[0] = 0x0a001400;   /* console0 (virtio-console) */
	p.drop[1] = 0x40000000;   /* RAM's base: never a device node */
	assert_true(arm64_fdt_patch(dst, sizeof dst, src, &p, &why) > 0);
	assert_true(fdt_path_offset(dst, "/virtio_mmio@a001400") < 0);
	assert_true(fdt_path_offset(dst, "/virtio_mmio@a001600") >= 0);
	assert_true(fdt_path_offset(dst, "/memory@40000000") >= 0);
	assert_true(fdt_path_offset(dst, "/pl011@9000000") >= 0);
	p.ndrop = 0;

	/* Errors are reported, never a crash. */
	p.mem[0].base = 0x1234000; /* no such memory node */
	assert_int_equal(arm64_fdt_patch(dst, sizeof dst, src, &p, &why), -1);
	assert_non_null(strstr(why, "memory"));
	p.nmem = 0;
	assert_int_equal(arm64_fdt_patch(dst, 64, src, &p, &why), -1); /* no room */
	memset(src, 0, 16);
	assert_int_equal(arm64_fdt_patch(dst, sizeof dst, src, &p, &why), -1); /* not a DTB */
	free(src);
	free((char *)m.file);
	machine_free(&m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_image_valid),
		cmocka_unit_test(test_image_old_kernel),
		cmocka_unit_test(test_image_bad),
		cmocka_unit_test(test_fdt_patch),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
