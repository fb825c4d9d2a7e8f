/*
 * A hostile or buggy guest controls every input of the arm64 core: the
 * instruction at PC, its registers, its page tables and its TCR/TTBRs.
 * These property tests throw seeded pseudo-random values at the emulator
 * and the stage-1 walk and check the invariants that must hold whatever
 * the input: only "done" or "inject" come back, an inject leaves the
 * register file untouched, a "done" advances PC by 4 and changes only the
 * registers the instruction names, and walks end with a result. Run under
 * `make SAN=1` they also catch undefined behaviour (shifts, overflows).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "arch/arm64/emulate.h"
#include "fake_ram.h"

#define RAM_BASE 0x40000000ull
#define RAM_SIZE 0x00100000ull       /* 1 MiB */
#define CODE     0x40001000ull
#define DEV      0x09000000ull
#define ITER     1000000u

static uint64_t rng = 0x243f6a8885a308d3ull;

static uint64_t next(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

static unsigned naccess;

static int dev_access(void *opaque, uint64_t ipa, unsigned size, bool write, uint64_t *val)
{
	(void)opaque;
	assert_true(size == 1 || size == 2 || size == 4 || size == 8);
	naccess++;
	if (!write)
		*val = next();
	return (ipa & 0xff) == 0xee;     /* an occasional bus error */
}

static int setup(void **state)
{
	(void)state;
	fake_ram_reset();
	fake_ram_add(RAM_BASE, RAM_SIZE);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	fake_ram_reset();
	return 0;
}

/* Random load/store-shaped words (bits [29:27] forced to a load/store
 * group half of the time), random registers near one device page. */
static void test_random_instructions_keep_invariants(void **state)
{
	unsigned done = 0, injected = 0;

	(void)state;
	for (unsigned it = 0; it < ITER; it++) {
		struct arm64_regs regs, before;
		struct arm64_emu emu = { .regs = &regs, .vm = fake_vm(), .access = dev_access };
		struct arm64_emu_result res;
		struct arm64_esr esr;
		uint32_t insn = (uint32_t)next();
		bool wnr = next() & 1;

		if (it & 1)
			insn = (insn & ~(7u << 27) & ~(1u << 25)) | ((next() & 1) ? 7u : 5u) << 27;
		for (unsigned i = 0; i < 31; i++)
			regs.x[i] = (next() & 7) ? DEV + 0x800 + (next() & 0x3f) - 0x20 : next();
		regs.sp = DEV + 0x800 + (next() & 0xff);
		regs.pc = CODE;
		regs.pstate = (next() & 1) ? 0x3c5 : 0;
		emu.s1.sctlr = (next() & 3) == 0 ? 1ull << 25 : 0;   /* MMU off, sometimes BE */
		fake_put32(CODE, insn);
		before = regs;
		naccess = 0;

		arm64_esr_decode(0x92000007ull | (uint64_t)wnr << 6, &esr);
		enum arm64_emu_status st = arm64_emulate_dabt(&emu, &esr, DEV + 0x800, &res);

		assert_true(st == ARM64_EMU_DONE || st == ARM64_EMU_INJECT_ABORT);
		assert_non_null(res.why);
		if (st == ARM64_EMU_INJECT_ABORT) {
			assert_memory_equal(&regs, &before, sizeof(regs));
			injected++;
			continue;
		}
		done++;
		assert_true(res.have_insn);
		assert_int_equal(res.ldst.is_store, wnr);
		assert_int_equal(naccess, res.ldst.pair ? 2 : 1);
		assert_int_equal(regs.pc, before.pc + 4);
		for (unsigned i = 0; i < 31; i++) {
			bool named = i == res.ldst.rn || (!res.ldst.is_store &&
				     (i == res.ldst.rt || (res.ldst.pair && i == res.ldst.rt2)));
			if (!named)
				assert_int_equal(regs.x[i], before.x[i]);
		}
		if (res.ldst.rn != 31 || !res.ldst.writeback)
			assert_int_equal(regs.sp, before.sp);
	}
	print_message("  %u instructions: %u emulated, %u injected\n", ITER, done, injected);
	assert_true(done > 1000);        /* the generator does reach the emulating paths */
	assert_true(injected > 1000);
}

/* RAM full of descriptor-looking words pointing back into RAM (and
 * sometimes out of it), random TCR/TTBR/SCTLR: every walk ends with a
 * result, and a translation that succeeds is within 48 bits. */
static void test_random_page_tables_end_cleanly(void **state)
{
	unsigned ok = 0, failed = 0, by_status[6] = { 0 };

	(void)state;
	for (uint64_t a = RAM_BASE; a < RAM_BASE + RAM_SIZE; a += 8) {
		uint64_t target = (next() & 15) ? RAM_BASE + (next() & (RAM_SIZE - 1)) : next();
		uint64_t low = (next() & 0xffc) | ((next() & 7) ? 3 : next() & 3);   /* mostly valid */
		fake_put64(a, (target & 0x0000fffffffff000ull) | low | (next() & 0xfff0000000000000ull));
	}
	for (unsigned it = 0; it < ITER; it++) {
		struct arm64_s1_regs s1;
		struct arm64_s1_result r;
		uint64_t va = next();
		uint64_t tcr = next();

		/* half the time a sane 4K configuration, so walks go deep */
		if (it & 1) {
			tcr &= ~(3ull << 14 | 1ull << 59 | 1ull << 7 | 1ull << 23 | 0x3full | 0x3full << 16);
			tcr |= (16 + next() % 24) | (16 + next() % 24) << 16 | 2ull << 30 | 5ull << 32;
			va &= (next() & 1) ? 0x0000007fffffffffull : ~0ull;
		}
		s1.sctlr = 1 | (next() & (1ull << 25));
		s1.tcr = tcr;
		s1.ttbr0 = RAM_BASE + (next() & (RAM_SIZE - 1));
		s1.ttbr1 = (next() & 3) ? RAM_BASE + (next() & (RAM_SIZE - 1)) : next();

		int rc = arm64_s1_translate(fake_vm(), &s1, va, next() & 1, &r);
		assert_true(r.status <= ARM64_S1_MISALIGNED);
		by_status[r.status]++;
		assert_non_null(rc ? r.why : "ok");
		assert_true(r.level >= 0 && r.level <= 3);
		if (rc == 0) {
			assert_int_equal(r.status, ARM64_S1_OK);
			assert_true(r.ipa >> 48 == 0);
			ok++;
		} else {
			assert_int_not_equal(r.status, ARM64_S1_OK);
			failed++;
		}
	}
	print_message("  %u walks: %u ok, %u failed (translation %u, address size %u, "
		      "not RAM %u, unsupported %u)\n", ITER, ok, failed, by_status[ARM64_S1_TRANSLATION],
		      by_status[ARM64_S1_ADDR_SIZE], by_status[ARM64_S1_NOT_RAM],
		      by_status[ARM64_S1_UNSUPPORTED]);
	assert_true(ok > 1000);
	assert_true(by_status[ARM64_S1_NOT_RAM] > 100);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_random_instructions_keep_invariants, setup, teardown),
		cmocka_unit_test_setup_teardown(test_random_page_tables_end_cleanly, setup, teardown),
	};
	return cmocka_run_group_tests_name("arm64 core under hostile guest input", tests, NULL, NULL);
}
