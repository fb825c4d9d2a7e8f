/*
 * Exhaustive checks of the A64 load/store decoder against an independent
 * reference written the other way round: insn.c is a cascade of switches
 * over group bits; the reference here is a table of encoding diagrams
 * copied as bit strings from the Arm ARM (C4.1 group tables, C6.2
 * instruction pages), matched by mask/value, with the operand fields pulled
 * out letter by letter, plus separate tables of which size/opc pairs exist.
 *
 * Spaces covered:
 *  1. every value of bits [31:21] and [15:10] (the bits that select the
 *     group, size, opc, extend and index kind), 4 operand fillers each;
 *  2. every LDR/STR (unsigned offset, 64-bit) encoding: all Rt, Rn, imm12,
 *     load and store (2^23), each address checked against a register file;
 *  3. every pair encoding over opc, V, index, L, imm7, Rt2 (2^18) with
 *     Rn/Rt at the edge values 0, 17 and 31;
 *  4. 2^22 pseudo-random 32-bit words: agree, never crash.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "arch/arm64/insn.h"

/* ---- the reference decoder ------------------------------------------ */

enum form { UIMM, UNSC, POSTI, UNPRIV, PREI, REGOFF, P_NA, P_POST, P_OFF, P_PRE };

/* Encoding diagrams, bit 31 first. Lower-case letters are fields:
 * s size, o opc, i immediate, m Rm, x option, S shift, n Rn, t Rt,
 * p pair opc, L load, u Rt2. '0'/'1' are fixed (V = 0 throughout). */
static const struct { enum form form; const char *bits; } diagrams[] = {
	{ UIMM,   "ss111001ooiiiiiiiiiiiinnnnnttttt" },
	{ UNSC,   "ss111000oo0iiiiiiiii00nnnnnttttt" },
	{ POSTI,  "ss111000oo0iiiiiiiii01nnnnnttttt" },
	{ UNPRIV, "ss111000oo0iiiiiiiii10nnnnnttttt" },
	{ PREI,   "ss111000oo0iiiiiiiii11nnnnnttttt" },
	{ REGOFF, "ss111000oo1mmmmmxxxS10nnnnnttttt" },
	{ P_NA,   "pp1010000Liiiiiiiuuuuunnnnnttttt" },
	{ P_POST, "pp1010001Liiiiiiiuuuuunnnnnttttt" },
	{ P_OFF,  "pp1010010Liiiiiiiuuuuunnnnnttttt" },
	{ P_PRE,  "pp1010011Liiiiiiiuuuuunnnnnttttt" },
};
#define NDIAG (sizeof(diagrams) / sizeof(diagrams[0]))

/* Which single-register (size, opc) rows exist, and what they do:
 * the "Load/store register" tables list exactly these 13 for V = 0. */
static const struct { unsigned size, opc; bool st, sx, d64; } single_ops[] = {
	{ 0, 0, 1, 0, 0 }, { 0, 1, 0, 0, 0 }, { 0, 2, 0, 1, 1 }, { 0, 3, 0, 1, 0 },
	{ 1, 0, 1, 0, 0 }, { 1, 1, 0, 0, 0 }, { 1, 2, 0, 1, 1 }, { 1, 3, 0, 1, 0 },
	{ 2, 0, 1, 0, 0 }, { 2, 1, 0, 0, 0 }, { 2, 2, 0, 1, 1 },
	{ 3, 0, 1, 0, 1 }, { 3, 1, 0, 0, 1 },
};

/* Pair rows: (opc, L) -> element bytes, sign, allowed without allocation. */
static const struct { unsigned opc, l, bytes; bool sx, d64, na_ok; } pair_ops[] = {
	{ 0, 0, 4, 0, 0, 1 }, { 0, 1, 4, 0, 0, 1 },  /* STP/LDP W, STNP/LDNP W */
	{ 1, 1, 4, 1, 1, 0 },                        /* LDPSW */
	{ 2, 0, 8, 0, 1, 1 }, { 2, 1, 8, 0, 1, 1 },  /* STP/LDP X, STNP/LDNP X */
};

struct compiled {
	uint32_t mask, value;
	unsigned npos[128];       /* bits per letter */
	unsigned char pos[128][32];
};
static struct compiled comp[NDIAG];

static void compile(void)
{
	for (size_t d = 0; d < NDIAG; d++) {
		struct compiled *c = &comp[d];
		memset(c, 0, sizeof(*c));
		assert_int_equal(strlen(diagrams[d].bits), 32);
		for (unsigned k = 0; k < 32; k++) {
			char ch = diagrams[d].bits[k];
			unsigned bitno = 31 - k;
			if (ch == '0' || ch == '1') {
				c->mask |= 1u << bitno;
				c->value |= (uint32_t)(ch - '0') << bitno;
			} else {
				unsigned char u = (unsigned char)ch;
				c->pos[u][c->npos[u]++] = (unsigned char)bitno;
			}
		}
	}
}

static uint32_t get(const struct compiled *c, uint32_t insn, char letter)
{
	unsigned char u = (unsigned char)letter;
	uint32_t v = 0;
	for (unsigned k = 0; k < c->npos[u]; k++)   /* MSB first */
		v = v << 1 | ((insn >> c->pos[u][k]) & 1);
	return v;
}

static int64_t signed_field(uint32_t v, unsigned width)
{
	return (v & (1u << (width - 1))) ? (int64_t)v - (1ll << width) : (int64_t)v;
}

/* Returns 0 and fills *d the way insn.h documents, or -1. */
static int ref_decode(uint32_t insn, struct arm64_ldst *d)
{
	memset(d, 0, sizeof(*d));
	for (size_t k = 0; k < NDIAG; k++) {
		const struct compiled *c = &comp[k];
		enum form f = diagrams[k].form;

		if ((insn & c->mask) != c->value)
			continue;
		d->rn = get(c, insn, 'n');
		d->rt = get(c, insn, 't');
		if (f >= P_NA) {
			unsigned opc = get(c, insn, 'p'), l = get(c, insn, 'L');
			for (size_t r = 0; r < sizeof(pair_ops) / sizeof(pair_ops[0]); r++) {
				if (pair_ops[r].opc != opc || pair_ops[r].l != l)
					continue;
				if (f == P_NA && !pair_ops[r].na_ok)
					return -1;
				d->pair = true;
				d->is_store = !l;
				d->size = pair_ops[r].bytes;
				d->sign_extend = pair_ops[r].sx;
				d->dst64 = pair_ops[r].d64;
				d->rt2 = get(c, insn, 'u');
				d->imm = signed_field(get(c, insn, 'i'), 7) * pair_ops[r].bytes;
				d->mode = f == P_POST ? ARM64_AM_POST_INDEX
					: f == P_PRE ? ARM64_AM_PRE_INDEX : ARM64_AM_OFFSET;
				d->writeback = f == P_POST || f == P_PRE;
				d->mnemonic = "ref";
				return 0;
			}
			return -1;
		}
		unsigned size = get(c, insn, 's'), opc = get(c, insn, 'o');
		for (size_t r = 0; r < sizeof(single_ops) / sizeof(single_ops[0]); r++) {
			if (single_ops[r].size != size || single_ops[r].opc != opc)
				continue;
			d->size = 1u << size;
			d->is_store = single_ops[r].st;
			d->sign_extend = single_ops[r].sx;
			d->dst64 = single_ops[r].d64;
			d->mode = f == POSTI ? ARM64_AM_POST_INDEX
				: f == PREI ? ARM64_AM_PRE_INDEX : ARM64_AM_OFFSET;
			d->writeback = f == POSTI || f == PREI;
			if (f == UIMM) {
				d->imm = (int64_t)get(c, insn, 'i') * (int64_t)d->size;
			} else if (f == REGOFF) {
				unsigned x = get(c, insn, 'x');
				if (x != 2 && x != 3 && x != 6 && x != 7)
					return -1;
				d->reg_offset = true;
				d->rm = get(c, insn, 'm');
				d->extend = (enum arm64_extend)x;
				d->shift = get(c, insn, 'S') ? size : 0;
			} else {
				d->imm = signed_field(get(c, insn, 'i'), 9);
			}
			d->mnemonic = "ref";
			return 0;
		}
		return -1;
	}
	return -1;
}

/* ---- comparison ------------------------------------------------------ */

static unsigned long n_checked, n_decodable;

static void compare(uint32_t insn)
{
	struct arm64_ldst got, want;
	int rg = arm64_decode_ldst(insn, &got, NULL);
	int rw = ref_decode(insn, &want);

	n_checked++;
	if (rg != rw) {
		print_error("%08x: decoder says %s, reference says %s\n", insn,
			    rg ? "undecodable" : "decodable", rw ? "undecodable" : "decodable");
		fail();
	}
	if (rg)
		return;
	n_decodable++;
	if (got.is_store != want.is_store || got.pair != want.pair || got.size != want.size ||
	    got.sign_extend != want.sign_extend || got.dst64 != want.dst64 ||
	    got.rt != want.rt || got.rt2 != want.rt2 || got.rn != want.rn ||
	    got.mode != want.mode || got.writeback != want.writeback ||
	    got.reg_offset != want.reg_offset || got.imm != want.imm || got.rm != want.rm ||
	    got.extend != want.extend || got.shift != want.shift || !got.mnemonic) {
		print_error("%08x (%s): fields differ: st %d/%d pair %d/%d size %u/%u sx %d/%d "
			    "d64 %d/%d rt %u/%u rt2 %u/%u rn %u/%u mode %d/%d wb %d/%d reg %d/%d "
			    "imm %lld/%lld rm %u/%u ext %d/%d shift %u/%u\n",
			    insn, got.mnemonic ? got.mnemonic : "?", got.is_store, want.is_store,
			    got.pair, want.pair, got.size, want.size, got.sign_extend,
			    want.sign_extend, got.dst64, want.dst64, got.rt, want.rt, got.rt2,
			    want.rt2, got.rn, want.rn, got.mode, want.mode, got.writeback,
			    want.writeback, got.reg_offset, want.reg_offset, (long long)got.imm,
			    (long long)want.imm, got.rm, want.rm, got.extend, want.extend,
			    got.shift, want.shift);
		fail();
	}
}

static int setup(void **state)
{
	(void)state;
	compile();
	return 0;
}

static void test_all_selector_bits(void **state)
{
	/* operand bits = [20:16] and [9:0]; fill them four ways */
	static const uint32_t fill[4] = { 0x00000000, 0xffffffff, 0x5555aaaa, 0xa5a53c3c };
	const uint32_t operand_mask = 0x001f03ffu;

	(void)state;
	n_checked = n_decodable = 0;
	for (uint32_t hi = 0; hi < (1u << 11); hi++)
		for (uint32_t mid = 0; mid < (1u << 6); mid++)
			for (unsigned f = 0; f < 4; f++)
				compare(hi << 21 | mid << 10 | (fill[f] & operand_mask));
	print_message("  %lu encodings, %lu decodable\n", n_checked, n_decodable);
	/* sanity: the space holds plenty of both kinds */
	assert_true(n_decodable > 10000 && n_decodable < n_checked / 2);
}

static void test_every_ldr_str_x_uimm(void **state)
{
	struct arm64_regs r;

	(void)state;
	memset(&r, 0, sizeof(r));
	for (unsigned i = 0; i < 31; i++)
		r.x[i] = 0x0123456789abcdefull * (i + 1);
	r.sp = 0xfedcba9876543210ull;
	n_checked = n_decodable = 0;
	/* 1111 1001 0L ii...: size 11, V 0, unsigned offset, opc 0L */
	for (uint32_t l = 0; l < 2; l++)
		for (uint32_t imm = 0; imm < 4096; imm++)
			for (uint32_t rn = 0; rn < 32; rn++)
				for (uint32_t rt = 0; rt < 32; rt++) {
					uint32_t insn = 0xf9000000u | l << 22 | imm << 10 | rn << 5 | rt;
					struct arm64_ldst d;
					uint64_t base = rn == 31 ? r.sp : r.x[rn];

					compare(insn);
					arm64_decode_ldst(insn, &d, NULL);
					if (arm64_ldst_address(&d, &r) != base + imm * 8 ||
					    arm64_ldst_new_base(&d, &r) != base) {
						print_error("%08x: address %llx\n", insn,
							    (unsigned long long)arm64_ldst_address(&d, &r));
						fail();
					}
				}
	print_message("  %lu encodings\n", n_checked);
	assert_int_equal(n_decodable, 1u << 23);
}

static void test_every_pair_field(void **state)
{
	static const uint32_t regs[3] = { 0, 17, 31 };

	(void)state;
	n_checked = n_decodable = 0;
	/* bits [31:30] opc, [26] V, [24:23] idx, [22] L, [21:15] imm7, [14:10] Rt2 */
	for (uint32_t f = 0; f < (1u << 18); f++) {
		uint32_t opc = f >> 16, v = (f >> 15) & 1, idx = (f >> 13) & 3, l = (f >> 12) & 1;
		uint32_t imm7 = (f >> 5) & 0x7f, rt2 = f & 0x1f;
		for (unsigned a = 0; a < 3; a++)
			for (unsigned b = 0; b < 3; b++)
				compare(opc << 30 | 0x28000000u | v << 26 | idx << 23 | l << 22 |
					imm7 << 15 | rt2 << 10 | regs[a] << 5 | regs[b]);
	}
	print_message("  %lu encodings, %lu decodable\n", n_checked, n_decodable);
	/* V=0 only; per idx: opc 00/10 both L, opc 01 L=1 except no-allocate */
	assert_int_equal(n_decodable, (4u * 4 + 3) * 128 * 32 * 9);
}

static void test_random_words(void **state)
{
	uint64_t s = 0x9e3779b97f4a7c15ull;

	(void)state;
	n_checked = n_decodable = 0;
	for (unsigned i = 0; i < (1u << 22); i++) {
		s ^= s << 13;
		s ^= s >> 7;
		s ^= s << 17;
		compare((uint32_t)(s >> 16));
	}
	print_message("  %lu words, %lu decodable\n", n_checked, n_decodable);
	assert_true(n_decodable > 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_all_selector_bits),
		cmocka_unit_test(test_every_ldr_str_x_uimm),
		cmocka_unit_test(test_every_pair_field),
		cmocka_unit_test(test_random_words),
	};
	return cmocka_run_group_tests_name("arm64 load/store decoding (exhaustive vs reference)",
					   tests, setup, NULL);
}
