/*
 * 64-bit entry state (runtime/arch/x86_64/linux_entry.c): the page tables
 * are walked like the MMU would, the GDT decoded against boot.rst's
 * selectors, the registers checked.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "fake_vm.h"
#include "arch/x86_64/boot_params.h"
#include "arch/x86_64/linux_entry.h"

static uint64_t rd64(struct vibe_vm *vm, uint64_t gpa)
{
	uint64_t v = 0; /* set even when the read fails: the assert reports it */

	assert_int_equal(guest_read(vm, gpa, &v, 8), 0);
	return v;
}

/* 4-level walk with 2 MiB leaves; returns the physical address. */
static uint64_t translate(struct vibe_vm *vm, uint64_t cr3, uint64_t va)
{
	uint64_t e = rd64(vm, (cr3 & ~0xfffull) + ((va >> 39) & 511) * 8);

	assert_true(e & 1);
	e = rd64(vm, (e & 0x000ffffffffff000ull) + ((va >> 30) & 511) * 8);
	assert_true(e & 1);
	e = rd64(vm, (e & 0x000ffffffffff000ull) + ((va >> 21) & 511) * 8);
	assert_true((e & 0x83) == 0x83); /* present, writable, 2 MiB */
	return (e & 0x000fffffffe00000ull) | (va & 0x1fffff);
}

static void test_identity_map_covers_4g(void **state)
{
	struct vibe_vm vm = {0};
	struct hv_x86_sregs s;
	const uint64_t probes[] = { 0, VIBE_BOOT_ZERO_PAGE, VIBE_BOOT_CMDLINE, 0x1000000,
				    0x1234567, 0x7fffffff, 0xc0000000, 0xfffff000 };

	fake_vm_add(&vm, 0, 0x100000);
	assert_int_equal(vibe_linux_entry_tables(&vm), 0);
	memset(&s, 0, sizeof(s));
	vibe_linux_entry_sregs(&s);
	for (unsigned i = 0; i < sizeof(probes) / sizeof(probes[0]); i++)
		assert_int_equal(translate(&vm, s.cr3, probes[i]), probes[i]);
	fake_vm_free(&vm);
}

static void test_gdt_and_segments_follow_boot_rst(void **state)
{
	struct vibe_vm vm = {0};
	struct hv_x86_sregs s;
	uint64_t cs, ds;

	fake_vm_add(&vm, 0, 0x100000);
	assert_int_equal(vibe_linux_entry_tables(&vm), 0);
	memset(&s, 0, sizeof(s));
	s.apic_base = 0xfee00900; /* left alone */
	vibe_linux_entry_sregs(&s);
	assert_int_equal(s.cs.selector, 0x10);
	assert_int_equal(s.ds.selector, 0x18);
	assert_int_equal(s.ss.selector, 0x18);
	assert_int_equal(s.es.selector, 0x18);
	assert_true(s.cs.l && !s.cs.db && s.cs.present && s.cs.s);
	assert_true(s.gdt.limit >= 0x27);
	cs = rd64(&vm, s.gdt.base + 0x10);
	ds = rd64(&vm, s.gdt.base + 0x18);
	assert_int_equal((cs >> 40) & 0x9f, 0x9b & 0x9f); /* P, S, code exec/read */
	assert_true(cs & (1ull << 53));                   /* L */
	assert_int_equal((ds >> 40) & 0x9f, 0x93 & 0x9f); /* P, S, data read/write */
	assert_int_equal(s.cr0 & 0x80000001, 0x80000001); /* PG, PE */
	assert_true(s.cr4 & 0x20);                         /* PAE */
	assert_int_equal(s.efer & 0x500, 0x500);           /* LME, LMA */
	assert_int_equal(s.apic_base, 0xfee00900);
	fake_vm_free(&vm);

	fake_vm_add(&vm, 0x100000, 0x100000); /* no RAM at 0: an error */
	assert_int_equal(vibe_linux_entry_tables(&vm), -1);
	fake_vm_free(&vm);
}

static void test_registers(void **state)
{
	struct hv_regs r;

	vibe_linux_entry_regs(&r, 0x1000200, VIBE_BOOT_ZERO_PAGE);
	assert_int_equal(r.pc, 0x1000200);
	assert_int_equal(r.gpr[HV_X86_RSI], VIBE_BOOT_ZERO_PAGE);
	assert_int_equal(r.flags & 0x200, 0); /* IF clear */
	assert_true(r.gpr[HV_X86_RSP] > VIBE_BOOT_ZERO_PAGE + 0x1000);
	assert_true(r.gpr[HV_X86_RSP] <= VIBE_BOOT_PML4);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_identity_map_covers_4g),
		cmocka_unit_test(test_gdt_and_segments_follow_boot_rst),
		cmocka_unit_test(test_registers),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
