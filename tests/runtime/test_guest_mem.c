/*
 * guest_ptr(): the one checked guest-memory accessor. Checked here against
 * a fake machine whose decode function covers each region's max_size while
 * the mapped size is smaller (as after --mem), plus a region ending exactly
 * at 2^64 so that wrapping ranges can be tried.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "vibe/guest_mem.h"
#include "vm.h"

#define LOW_BASE  0x0ull
#define LOW_SIZE  0x10000ull   /* mapped */
#define LOW_MAX   0x20000ull   /* decode boundary */
#define HIGH_BASE 0x100000ull
#define HIGH_SIZE 0x1000ull
#define TOP_BASE  0xfffffffffffff000ull
#define TOP_SIZE  0x1000ull

static const struct vibe_ram_desc ram_descs[] = {
	{ .name = "low", .base = LOW_BASE, .size = 0x8000, .max_size = LOW_MAX, .flags = VIBE_RAM_RESIZABLE },
	{ .name = "high", .base = HIGH_BASE, .size = HIGH_SIZE, .max_size = HIGH_SIZE },
	{ .name = "top", .base = TOP_BASE, .size = TOP_SIZE, .max_size = TOP_SIZE },
};

const struct vibe_machine_desc vibe_machine = {
	.abi = VIBE_GEN_ABI, .name = "fake", .nram = 3, .ram = ram_descs,
};

/* Test stand-in for the generated tree: decides by max_size, as vibegen's does. */
int vibe_decode_ram(uint64_t gpa)
{
	for (unsigned i = 0; i < 3; i++)
		if (gpa >= ram_descs[i].base && gpa - ram_descs[i].base < ram_descs[i].max_size)
			return (int)i;
	return -1;
}

static uint8_t low_mem[LOW_SIZE], high_mem[HIGH_SIZE], top_mem[TOP_SIZE];
static struct vibe_ram rams[3];
static struct vibe_vm vm;

static int setup(void **state)
{
	rams[0] = (struct vibe_ram){ low_mem, LOW_SIZE };
	rams[1] = (struct vibe_ram){ high_mem, HIGH_SIZE };
	rams[2] = (struct vibe_ram){ top_mem, TOP_SIZE };
	memset(&vm, 0, sizeof(vm));
	vm.m = &vibe_machine;
	vm.ram = rams;
	return 0;
}

static void inside_a_region_gives_the_host_address(void **state)
{
	assert_ptr_equal(guest_ptr(&vm, 0x1234, 16), low_mem + 0x1234);
	assert_ptr_equal(guest_ptr(&vm, HIGH_BASE + 0x10, 0x100), high_mem + 0x10);
	assert_ptr_equal(guest_ptr(&vm, LOW_BASE, LOW_SIZE), low_mem);
}

static void last_byte_is_in_one_past_is_not(void **state)
{
	assert_ptr_equal(guest_ptr(&vm, LOW_SIZE - 1, 1), low_mem + LOW_SIZE - 1);
	assert_null(guest_ptr(&vm, LOW_SIZE - 1, 2));
	assert_null(guest_ptr(&vm, LOW_SIZE, 1));
	assert_ptr_equal(guest_ptr(&vm, HIGH_BASE + HIGH_SIZE - 4, 4), high_mem + HIGH_SIZE - 4);
	assert_null(guest_ptr(&vm, HIGH_BASE + HIGH_SIZE - 4, 5));
}

static void range_straddling_a_region_end_is_refused(void **state)
{
	assert_null(guest_ptr(&vm, LOW_SIZE - 0x100, 0x200));
	assert_null(guest_ptr(&vm, HIGH_BASE + 0x800, 0x1000));
}

/* The decode tree says "region 0" up to max_size; the accessor must still
 * refuse what --mem left unmapped. */
static void beyond_the_resized_size_is_refused(void **state)
{
	assert_int_equal(vibe_decode_ram(LOW_SIZE + 0x100), 0);
	assert_null(guest_ptr(&vm, LOW_SIZE + 0x100, 1));
	assert_null(guest_ptr(&vm, LOW_MAX - 1, 1));
}

static void gaps_and_mmio_are_refused(void **state)
{
	assert_null(guest_ptr(&vm, 0x50000, 1));
	assert_null(guest_ptr(&vm, 0xd0000000, 4));
	assert_null(guest_ptr(&vm, HIGH_BASE - 1, 2)); /* starts in a gap, ends in RAM */
}

static void zero_length_needs_a_backed_start(void **state)
{
	assert_ptr_equal(guest_ptr(&vm, 0x100, 0), low_mem + 0x100);
	assert_ptr_equal(guest_ptr(&vm, LOW_SIZE - 1, 0), low_mem + LOW_SIZE - 1);
	assert_null(guest_ptr(&vm, LOW_SIZE, 0));
	assert_null(guest_ptr(&vm, 0x50000, 0));
}

static void wrapping_ranges_are_refused(void **state)
{
	/* Ends exactly at 2^64: fine. One more byte wraps to 0, which is RAM
	 * too, so only an overflow-safe check refuses it. */
	assert_ptr_equal(guest_ptr(&vm, TOP_BASE + 0xf00, 0x100), top_mem + 0xf00);
	assert_null(guest_ptr(&vm, TOP_BASE + 0xf00, 0x101));
	assert_null(guest_ptr(&vm, TOP_BASE + 0xf00, UINT64_MAX));
	assert_null(guest_ptr(&vm, 0x10, UINT64_MAX));
	assert_null(guest_ptr(&vm, 0x10, UINT64_MAX - 0x8));
	assert_null(guest_ptr(&vm, UINT64_MAX, 2));
}

static void unmapped_region_gives_null(void **state)
{
	rams[1].hva = NULL;
	assert_null(guest_ptr(&vm, HIGH_BASE, 1));
}

static void read_and_write_copy_or_refuse_whole(void **state)
{
	uint8_t buf[8] = { 1, 2, 3, 4, 5, 6, 7, 8 }, out[8];
	assert_int_equal(guest_write(&vm, 0x200, buf, sizeof(buf)), 0);
	assert_memory_equal(low_mem + 0x200, buf, sizeof(buf));
	assert_int_equal(guest_read(&vm, 0x200, out, sizeof(out)), 0);
	assert_memory_equal(out, buf, sizeof(buf));

	/* A refused copy touches nothing, on either side. */
	memset(out, 0xaa, sizeof(out));
	memset(low_mem + LOW_SIZE - 4, 0x55, 4);
	assert_int_equal(guest_read(&vm, LOW_SIZE - 4, out, 8), -1);
	assert_int_equal(out[0], 0xaa);
	assert_int_equal(guest_write(&vm, LOW_SIZE - 4, buf, 8), -1);
	assert_int_equal(low_mem[LOW_SIZE - 4], 0x55);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(inside_a_region_gives_the_host_address, setup),
		cmocka_unit_test_setup(last_byte_is_in_one_past_is_not, setup),
		cmocka_unit_test_setup(range_straddling_a_region_end_is_refused, setup),
		cmocka_unit_test_setup(beyond_the_resized_size_is_refused, setup),
		cmocka_unit_test_setup(gaps_and_mmio_are_refused, setup),
		cmocka_unit_test_setup(zero_length_needs_a_backed_start, setup),
		cmocka_unit_test_setup(wrapping_ranges_are_refused, setup),
		cmocka_unit_test_setup(unmapped_region_gives_null, setup),
		cmocka_unit_test_setup(read_and_write_copy_or_refuse_whole, setup),
	};
	return cmocka_run_group_tests_name("guest_mem", tests, NULL, NULL);
}
