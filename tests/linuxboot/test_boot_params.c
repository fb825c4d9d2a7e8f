/*
 * Zero page, e820 and placement (runtime/arch/x86_64/boot_params.c).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fake_vm.h"
#include "arch/x86_64/boot_params.h"

#define MIB (1024ull * 1024)
#define GIB (1024 * MIB)

/* A kernel as bzimage.c leaves it after loading at 16 MiB. */
static struct vibe_kernel kernel_at_16m(void)
{
	struct vibe_kernel k;

	memset(&k, 0, sizeof(k));
	k.kind = VIBE_KERNEL_BZIMAGE;
	k.version = 0x20f;
	k.can_64 = 1;
	k.hdr.boot_flag = 0xaa55;
	k.hdr.header = 0x53726448;
	k.hdr.version = 0x20f;
	k.hdr.loadflags = LOADED_HIGH;
	k.hdr.cmdline_size = 2047;
	k.hdr.setup_sects = 39;
	k.cmdline_max = 2047;
	k.initrd_addr_max = 0x7fffffff;
	k.load_addr = 16 * MIB;
	k.load_end = 16 * MIB + 64 * MIB;
	k.entry = k.load_addr + 0x200;
	return k;
}

static void expect_entry(const struct boot_e820_entry *e, uint64_t addr, uint64_t size,
			 uint32_t type)
{
	if (e->addr != addr || e->size != size || e->type != type)
		fail_msg("e820 entry [0x%llx, +0x%llx) type %u, expected [0x%llx, +0x%llx) type %u",
			 (unsigned long long)e->addr, (unsigned long long)e->size, e->type,
			 (unsigned long long)addr, (unsigned long long)size, type);
}

static void test_e820_single_low_region_has_the_bios_hole(void **state)
{
	struct vibe_ram_range ram[] = { { 0, 256 * MIB, 0 } };
	struct boot_e820_entry e[8];

	assert_int_equal(vibe_e820_build(ram, 1, e, 8), 3);
	expect_entry(&e[0], 0, 0x9fc00, 1);
	expect_entry(&e[1], 0x9fc00, 0x100000 - 0x9fc00, 2);
	expect_entry(&e[2], 0x100000, 256 * MIB - 0x100000, 1);
}

static void test_e820_split_regions_are_sorted(void **state)
{
	/* Given out of order: high RAM above 4 GiB, a ROM, and low RAM. */
	struct vibe_ram_range ram[] = {
		{ 4 * GIB, 1 * GIB, 0 },
		{ 0xffff0000ull, 0x10000, 1 },
		{ 0, 3 * GIB, 0 },
	};
	struct boot_e820_entry e[8];

	assert_int_equal(vibe_e820_build(ram, 3, e, 8), 5);
	expect_entry(&e[0], 0, 0x9fc00, 1);
	expect_entry(&e[1], 0x9fc00, 0x60400, 2);
	expect_entry(&e[2], 0x100000, 3 * GIB - 0x100000, 1);
	expect_entry(&e[3], 0xffff0000ull, 0x10000, 2);
	expect_entry(&e[4], 4 * GIB, 1 * GIB, 1);
}

static void test_e820_region_above_1m_only_is_not_split(void **state)
{
	struct vibe_ram_range ram[] = { { 2 * MIB, 8 * MIB, 0 } };
	struct boot_e820_entry e[4];

	assert_int_equal(vibe_e820_build(ram, 1, e, 4), 1);
	expect_entry(&e[0], 2 * MIB, 8 * MIB, 1);
	assert_int_equal(vibe_e820_build(ram, 1, e, 0), -1);
}

static void test_zero_page_fields(void **state)
{
	struct vibe_kernel k = kernel_at_16m();
	struct vibe_ram_range ram[] = { { 0, 512 * MIB, 0 } };
	struct boot_params bp;
	struct vibe_boot_placement pl;
	char err[256] = "";

	assert_int_equal(vibe_boot_params_build(&bp, &k, ram, 1, "console=ttyS0 quiet",
						4 * MIB, 0xe0000, &pl, err, sizeof(err)), 0);
	assert_int_equal(bp.hdr.boot_flag, 0xaa55);
	assert_int_equal(bp.hdr.header, 0x53726448);
	assert_int_equal(bp.hdr.setup_sects, 39); /* copied from the image */
	assert_int_equal(bp.hdr.type_of_loader, 0xff);
	assert_true(bp.hdr.loadflags & LOADED_HIGH);
	assert_int_equal(bp.hdr.cmd_line_ptr, VIBE_BOOT_CMDLINE);
	assert_int_equal(pl.cmdline_len, strlen("console=ttyS0 quiet") + 1);
	assert_int_equal(bp.acpi_rsdp_addr, 0xe0000);
	assert_int_equal(bp.e820_entries, 3);
	/* initrd: page aligned, as high as possible in RAM. */
	assert_int_equal(bp.hdr.ramdisk_image, 512 * MIB - 4 * MIB);
	assert_int_equal(bp.hdr.ramdisk_size, 4 * MIB);
	assert_int_equal(bp.ext_ramdisk_image, 0);
	assert_int_equal(pl.initrd, 512 * MIB - 4 * MIB);
	assert_int_equal(pl.zero_page, VIBE_BOOT_ZERO_PAGE);
}

static void test_initrd_placement_edges(void **state)
{
	struct vibe_kernel k = kernel_at_16m();
	struct boot_params bp;
	struct vibe_boot_placement pl;
	char err[256] = "";

	/* Odd-sized RAM end and initrd: aligned down to a page. */
	struct vibe_ram_range odd[] = { { 0, 200 * MIB + 0x1234, 0 } };
	assert_int_equal(vibe_boot_params_build(&bp, &k, odd, 1, NULL, 12345, 0, &pl,
						err, sizeof(err)), 0);
	assert_int_equal(pl.initrd % 4096, 0);
	assert_true(pl.initrd + 12345 <= 200 * MIB + 0x1234);
	assert_true(pl.initrd >= k.load_end);

	/* RAM ends inside the kernel's range: initrd goes below the kernel. */
	struct vibe_ram_range tight[] = { { 0, 80 * MIB + 2 * MIB, 0 } };
	assert_int_equal(vibe_boot_params_build(&bp, &k, tight, 1, NULL, 4 * MIB, 0, &pl,
						err, sizeof(err)), 0);
	assert_int_equal(pl.initrd, 16 * MIB - 4 * MIB);

	/* Too big for what's left: an error, not an overlap. */
	assert_int_equal(vibe_boot_params_build(&bp, &k, tight, 1, NULL, 20 * MIB, 0, &pl,
						err, sizeof(err)), -1);
	assert_non_null(strstr(err, "initrd"));

	/* initrd_addr_max below the top of RAM is honoured. */
	k.initrd_addr_max = 0x0fffffff;
	struct vibe_ram_range big[] = { { 0, 1 * GIB, 0 } };
	assert_int_equal(vibe_boot_params_build(&bp, &k, big, 1, NULL, 1 * MIB, 0, &pl,
						err, sizeof(err)), 0);
	assert_int_equal(pl.initrd, 256 * MIB - 1 * MIB);

	/* RAM above 4 GiB is not used for the initrd (32-bit ramdisk_image). */
	k.initrd_addr_max = 0xffffffff;
	struct vibe_ram_range split[] = { { 0, 128 * MIB, 0 }, { 4 * GIB, 4 * GIB, 0 } };
	assert_int_equal(vibe_boot_params_build(&bp, &k, split, 2, NULL, 8 * MIB, 0, &pl,
						err, sizeof(err)), 0);
	assert_int_equal(pl.initrd, 120 * MIB);

	/* No initrd: fields stay zero. */
	assert_int_equal(vibe_boot_params_build(&bp, &k, big, 1, "", 0, 0, &pl,
						err, sizeof(err)), 0);
	assert_int_equal(bp.hdr.ramdisk_image, 0);
	assert_int_equal(pl.initrd_size, 0);
}

static void test_cmdline_too_long_is_an_error(void **state)
{
	struct vibe_kernel k = kernel_at_16m();
	struct vibe_ram_range ram[] = { { 0, 512 * MIB, 0 } };
	struct boot_params bp;
	struct vibe_boot_placement pl;
	char err[256] = "";
	char *line = malloc(3000);

	assert_non_null(line);
	memset(line, 'a', 2047);
	line[2047] = 0; /* exactly cmdline_size: accepted */
	assert_int_equal(vibe_boot_params_build(&bp, &k, ram, 1, line, 0, 0, &pl,
						err, sizeof(err)), 0);
	line[2047] = 'b';
	line[2048] = 0;
	assert_int_equal(vibe_boot_params_build(&bp, &k, ram, 1, line, 0, 0, &pl,
						err, sizeof(err)), -1);
	assert_non_null(strstr(err, "2047"));
	free(line);
}

static void test_elf_kernel_gets_a_fabricated_header(void **state)
{
	struct vibe_kernel k = kernel_at_16m();
	struct vibe_ram_range ram[] = { { 0, 512 * MIB, 0 } };
	struct boot_params bp;
	struct vibe_boot_placement pl;
	char err[256] = "";

	memset(&k.hdr, 0, sizeof(k.hdr));
	k.kind = VIBE_KERNEL_ELF;
	assert_int_equal(vibe_boot_params_build(&bp, &k, ram, 1, "x", 0, 0, &pl,
						err, sizeof(err)), 0);
	assert_int_equal(bp.hdr.boot_flag, 0xaa55);
	assert_int_equal(bp.hdr.header, 0x53726448);
	assert_int_equal(bp.hdr.type_of_loader, 0xff);
}

static void test_write_puts_everything_in_guest_ram(void **state)
{
	struct vibe_kernel k = kernel_at_16m();
	struct vibe_ram_range ram[] = { { 0, 128 * MIB, 0 } };
	struct vibe_vm vm = {0};
	struct boot_params bp, back;
	struct vibe_boot_placement pl;
	char err[256] = "";
	uint8_t initrd[5000];

	memset(initrd, 0x5a, sizeof(initrd));
	fake_vm_add(&vm, 0, 128 * MIB);
	assert_int_equal(vibe_boot_params_build(&bp, &k, ram, 1, "root=/dev/vda",
						sizeof(initrd), 0, &pl, err, sizeof(err)), 0);
	assert_int_equal(vibe_boot_params_write(&vm, &bp, &pl, "root=/dev/vda", initrd), 0);
	assert_int_equal(guest_read(&vm, VIBE_BOOT_ZERO_PAGE, &back, sizeof(back)), 0);
	assert_memory_equal(&back, &bp, sizeof(bp));
	assert_string_equal((char *)guest_ptr(&vm, VIBE_BOOT_CMDLINE, 14), "root=/dev/vda");
	assert_memory_equal(guest_ptr(&vm, pl.initrd, sizeof(initrd)), initrd, sizeof(initrd));
	fake_vm_free(&vm);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_e820_single_low_region_has_the_bios_hole),
		cmocka_unit_test(test_e820_split_regions_are_sorted),
		cmocka_unit_test(test_e820_region_above_1m_only_is_not_split),
		cmocka_unit_test(test_zero_page_fields),
		cmocka_unit_test(test_initrd_placement_edges),
		cmocka_unit_test(test_cmdline_too_long_is_an_error),
		cmocka_unit_test(test_elf_kernel_gets_a_fabricated_header),
		cmocka_unit_test(test_write_puts_everything_in_guest_ram),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
