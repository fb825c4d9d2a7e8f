/*
 * A64 load/store decoding, table-driven over insn_cases.h: encodings
 * produced by GNU as for aarch64 from the text beside each (test_insn_gas
 * re-checks them), expected fields written from that text, not from the
 * decoder. test_insn_ref.c adds the exhaustive comparisons.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "arch/arm64/insn.h"
#include "insn_cases.h"

static void test_decodable_table(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		const struct row *w = &rows[i];
		struct arm64_ldst d;
		const char *why = "unset";

		print_message("  %08x %s\n", w->insn, w->text);
		assert_int_equal(arm64_decode_ldst(w->insn, &d, &why), 0);
		assert_null(why);
		assert_non_null(d.mnemonic);
		/* the mnemonic is the first word of the assembler text */
		assert_int_equal(strncmp(d.mnemonic, w->text, strlen(d.mnemonic)), 0);
		assert_int_equal(w->text[strlen(d.mnemonic)], ' ');
		assert_int_equal(d.is_store, w->st);
		assert_int_equal(d.pair, w->pair);
		assert_int_equal(d.size, w->size);
		assert_int_equal(d.sign_extend, w->sx);
		assert_int_equal(d.dst64, w->d64);
		assert_int_equal(d.rt, w->rt);
		assert_int_equal(d.rt2, w->rt2);
		assert_int_equal(d.rn, w->rn);
		assert_int_equal(d.mode, w->mode);
		assert_int_equal(d.writeback, w->mode != OFF);
		assert_int_equal(d.reg_offset, w->regoff);
		assert_int_equal(d.imm, w->imm);
		if (w->regoff) {
			assert_int_equal(d.rm, w->rm);
			assert_int_equal(d.extend, w->ext);
			assert_int_equal(d.shift, w->shift);
		}
	}
}

static void test_undecodable(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(undecodable) / sizeof(undecodable[0]); i++) {
		struct arm64_ldst d;
		const char *why = NULL;

		memset(&d, 0xa5, sizeof(d));
		assert_int_equal(arm64_decode_ldst(undecodable[i].insn, &d, &why), -1);
		print_message("  %08x %-40s -> %s\n", undecodable[i].insn, undecodable[i].text, why);
		assert_non_null(why);
		assert_null(d.mnemonic);   /* zeroed, not half-filled */
		assert_false(d.pair);
	}
	/* why may be NULL */
	struct arm64_ldst d;
	assert_int_equal(arm64_decode_ldst(0xd503201f, &d, NULL), -1);
	assert_int_equal(arm64_decode_ldst(0xf9400020, &d, NULL), 0);
}

static struct arm64_ldst dec(uint32_t insn)
{
	struct arm64_ldst d;
	assert_int_equal(arm64_decode_ldst(insn, &d, NULL), 0);
	return d;
}

static void test_addresses(void **state)
{
	struct arm64_regs r;
	struct arm64_ldst d;

	(void)state;
	memset(&r, 0, sizeof(r));
	for (unsigned i = 0; i < 31; i++)
		r.x[i] = 0x100000ull * (i + 1);
	r.sp = 0x7fff0000;

	d = dec(0xf8627820);               /* ldr x0, [x1, x2, lsl #3] */
	r.x[2] = 3;
	assert_int_equal(arm64_ldst_address(&d, &r), r.x[1] + 24);
	assert_int_equal(arm64_ldst_new_base(&d, &r), r.x[1]);

	d = dec(0xb8654883);               /* ldr w3, [x4, w5, uxtw]: only W5 */
	r.x[5] = 0xffffffff00000010ull;
	assert_int_equal(arm64_ldst_address(&d, &r), r.x[4] + 0x10);

	d = dec(0x78a8d8e6);               /* ldrsh x6, [x7, w8, sxtw #1] */
	r.x[8] = 0x12345678ffffffffull;    /* w8 = -1 */
	assert_int_equal(arm64_ldst_address(&d, &r), r.x[7] - 2);

	d = dec(0x386be949);               /* ldrb w9, [x10, x11, sxtx] */
	r.x[11] = (uint64_t)-5;
	assert_int_equal(arm64_ldst_address(&d, &r), r.x[10] - 5);

	d = dec(0xf83f69ee);               /* str x14, [x15, xzr]: Rm 31 = 0 */
	assert_int_equal(arm64_ldst_address(&d, &r), r.x[15]);

	d = dec(0x782d7bec);               /* strh w12, [sp, x13, lsl #1]: Rn 31 = SP */
	r.x[13] = 4;
	assert_int_equal(arm64_ldst_address(&d, &r), r.sp + 8);

	d = dec(0xa9bf27e8);               /* stp x8, x9, [sp, #-16]! */
	assert_int_equal(arm64_ldst_address(&d, &r), r.sp - 16);
	assert_int_equal(arm64_ldst_new_base(&d, &r), r.sp - 16);

	d = dec(0xa8c17bfd);               /* ldp x29, x30, [sp], #16 */
	assert_int_equal(arm64_ldst_address(&d, &r), r.sp);
	assert_int_equal(arm64_ldst_new_base(&d, &r), r.sp + 16);

	d = dec(0xf85f0672);               /* ldr x18, [x19], #-16 */
	assert_int_equal(arm64_ldst_address(&d, &r), r.x[19]);
	assert_int_equal(arm64_ldst_new_base(&d, &r), r.x[19] - 16);

	d = dec(0xf97ffffe);               /* ldr x30, [sp, #32760] */
	assert_int_equal(arm64_ldst_address(&d, &r), r.sp + 32760);

	/* address arithmetic wraps modulo 2^64 like the hardware's */
	r.x[2] = 0xfffffffffffffff8ull;
	d = dec(0xf8500041);               /* ldur x1, [x2, #-256] */
	assert_int_equal(arm64_ldst_address(&d, &r), 0xfffffffffffffef8ull);
	r.x[2] = 8;
	assert_int_equal(arm64_ldst_address(&d, &r), 0xffffffffffffff08ull);

	/* the register helpers: 31 is XZR as data, SP as base */
	r.x[0] = 7;
	assert_int_equal(arm64_reg_read(&r, 31), 0);
	arm64_reg_write(&r, 31, 99);
	assert_int_equal(r.sp, 0x7fff0000);
	assert_int_equal(arm64_base_read(&r, 31), 0x7fff0000);
	arm64_base_write(&r, 31, 0x1000);
	assert_int_equal(r.sp, 0x1000);
	assert_int_equal(arm64_reg_read(&r, 0), 7);
}

static void test_extension(void **state)
{
	static const struct { uint64_t raw; unsigned size; bool sign, sf; uint64_t want; } t[] = {
		{ 0x80, 1, 1, 1, 0xffffffffffffff80ull },   /* ldrsb x */
		{ 0x80, 1, 1, 0, 0x00000000ffffff80ull },   /* ldrsb w: top half zero */
		{ 0x7f, 1, 1, 1, 0x7f },
		{ 0x1ff, 1, 0, 1, 0xff },                   /* only size bytes count */
		{ 0xffff8000, 2, 1, 1, 0xffffffffffff8000ull },
		{ 0x8000, 2, 0, 0, 0x8000 },                /* ldrh */
		{ 0x8000, 2, 1, 0, 0xffff8000 },            /* ldrsh w */
		{ 0xdeadbeefcafef00dull, 4, 0, 1, 0xcafef00d },
		{ 0x80000000, 4, 1, 1, 0xffffffff80000000ull }, /* ldrsw */
		{ 0xdeadbeefcafef00dull, 8, 0, 1, 0xdeadbeefcafef00dull },
		{ 0xdeadbeefcafef00dull, 8, 1, 1, 0xdeadbeefcafef00dull },
		{ 0xdeadbeefcafef00dull, 4, 0, 0, 0xcafef00d },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++)
		assert_int_equal(arm64_extend_load(t[i].raw, t[i].size, t[i].sign, t[i].sf), t[i].want);

	struct arm64_ldst d = dec(0x39c0096a);     /* ldrsb w10 */
	assert_int_equal(arm64_ldst_extend(&d, 0xfe), 0xfffffffe);
	d = dec(0x694139ed);                       /* ldpsw */
	assert_int_equal(arm64_ldst_extend(&d, 0xfffffffe), 0xfffffffffffffffeull);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_decodable_table),
		cmocka_unit_test(test_undecodable),
		cmocka_unit_test(test_addresses),
		cmocka_unit_test(test_extension),
	};
	return cmocka_run_group_tests_name("arm64 load/store decoding (table)", tests, NULL, NULL);
}
