/*
 * Round trip through the emitters: strings from hostile.h went into a model,
 * came out as C literals in a generated machine.c (compiled with -Werror, so
 * a broken escape or an early comment end fails the build), and must read
 * back unchanged here. Also checks the index macros of colliding names.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>

#include "machine.h" /* the generated one */
#include "hostile.h"

static void strings_survive_escaping(void **state)
{
	(void)state;
	const struct vibe_machine_desc *m = &vibe_machine;
	assert_string_equal(m->source, H_FILE);
	assert_string_equal(m->name, H_NAME);
	assert_string_equal(VIBE_MACHINE_NAME, H_NAME);
	assert_string_equal(m->boot.cmdline, H_CMDLINE);
	assert_string_equal(m->boot.kernel, H_KERNEL);
	assert_null(m->boot.initrd);
	assert_string_equal(m->ram[0].rom_file, H_ROM);
	assert_string_equal(m->devs[0].props[0].s, H_PROP);
	assert_string_equal(m->devs[0].props[1].key, "k\"ey");
	assert_string_equal(m->devs[2].name, H_DEV2);
}

static void values_are_exact(void **state)
{
	(void)state;
	const struct vibe_machine_desc *m = &vibe_machine;
	assert_true(m->devs[0].props[1].u == UINT64_MAX);
	assert_int_equal(m->devs[0].props[2].kind, VIBE_PROP_BOOL);
	assert_int_equal(m->devs[0].props[2].u, 1);
	/* An unknown flag bit is kept, not dropped. */
	assert_int_equal(m->ram[0].flags, VIBE_RAM_READONLY | 0x100);
	assert_int_equal(m->boot.has_entry, 1);
	assert_true(m->boot.entry == 0x100000);
	assert_int_equal(m->nvcpus, 2);
	assert_int_equal(m->vcpus[1].id, 1);
	assert_int_equal(m->devs[1].irq, -1);
}

static void colliding_names_get_distinct_macros(void **state)
{
	(void)state;
	/* "net-0" and "net_0" both map to NET_0: each gets its index appended. */
	assert_int_equal(VIBE_DEV_NET_0_0, 0);
	assert_int_equal(VIBE_DEV_NET_0_1, 1);
	assert_int_equal(VIBE_DEV_ODD__NAME, 2);
	assert_int_equal(VIBE_NUM_DEVS, 3);
	assert_int_equal(VIBE_NUM_MMIO_DEVS, 2);
	assert_int_equal(VIBE_NUM_PIO_DEVS, 1);
	assert_int_equal(VIBE_MACHINE_ARCH_X86_64, 1);
	assert_int_equal(VIBE_RAM_REGION_ROM, 0);
}

static void decoders_find_the_devices(void **state)
{
	(void)state;
	assert_int_equal(vibe_decode_mmio(0xd0000000), VIBE_DEV_NET_0_0);
	assert_int_equal(vibe_decode_mmio(0xd00003ff), VIBE_DEV_NET_0_1);
	assert_int_equal(vibe_decode_mmio(0xd0000400), -1);
	assert_int_equal(vibe_decode_pio(0x3f8), VIBE_DEV_ODD__NAME);
	assert_int_equal(vibe_decode_pio(0x400), -1);
	assert_int_equal(vibe_decode_ram(0xffffffff), VIBE_RAM_REGION_ROM);
	assert_int_equal(vibe_decode_ram(0x100000000ull), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(strings_survive_escaping),
		cmocka_unit_test(values_are_exact),
		cmocka_unit_test(colliding_names_get_distinct_macros),
		cmocka_unit_test(decoders_find_the_devices),
	};
	return cmocka_run_group_tests_name("emit", tests, NULL, NULL);
}
