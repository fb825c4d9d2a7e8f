/*
 * A64 load/store decoding for the ISV = 0 data-abort path (see insn.h).
 *
 * Field positions are those of the Arm ARM DDI 0487 encoding diagrams in
 * C4.1 "Loads and Stores" (the group tables) and the instruction pages
 * C6.2 LDR/STR (immediate), LDR/STR (register), LDUR/STUR, LDTR/STTR,
 * LDRB/LDRSB/..., LDP/STP, LDPSW, LDNP/STNP. The decoder is a cascade of
 * switches over the group-selecting bits; tests/arm64/test_insn.c checks it
 * against an independent pattern-table decoder over whole encoding spaces.
 */
#include "insn.h"

#include <string.h>

static inline uint32_t bits(uint32_t v, unsigned hi, unsigned lo)
{
	return (v >> lo) & ((1u << (hi - lo + 1)) - 1);
}

static inline int64_t sext(uint64_t v, unsigned width)
{
	uint64_t m = 1ull << (width - 1);
	v &= (m << 1) - 1;
	return (int64_t)((v ^ m) - m);
}

/* [size][opc] for the single-register groups (C4.1, "Load/store register
 * (unsigned immediate)" table and its siblings). NULL = not a GPR load or
 * store we decode: size=10 opc=11 unallocated, size=11 opc=10 is PRFM /
 * PRFUM (prefetches never abort, so never reach us) or unallocated,
 * size=11 opc=11 unallocated. */
static const char *const mn_plain[4][4] = {
	{ "strb", "ldrb", "ldrsb", "ldrsb" },
	{ "strh", "ldrh", "ldrsh", "ldrsh" },
	{ "str",  "ldr",  "ldrsw", NULL },
	{ "str",  "ldr",  NULL,    NULL },
};
static const char *const mn_unscaled[4][4] = {
	{ "sturb", "ldurb", "ldursb", "ldursb" },
	{ "sturh", "ldurh", "ldursh", "ldursh" },
	{ "stur",  "ldur",  "ldursw", NULL },
	{ "stur",  "ldur",  NULL,     NULL },
};
static const char *const mn_unpriv[4][4] = {
	{ "sttrb", "ldtrb", "ldtrsb", "ldtrsb" },
	{ "sttrh", "ldtrh", "ldtrsh", "ldtrsh" },
	{ "sttr",  "ldtr",  "ldtrsw", NULL },
	{ "sttr",  "ldtr",  NULL,     NULL },
};

/* Single register: bits [29:27] = 111, [25] = 0. */
static int decode_single(uint32_t insn, struct arm64_ldst *d, const char **why)
{
	unsigned size = bits(insn, 31, 30), opc = bits(insn, 23, 22);
	const char *const (*mn)[4] = mn_plain;
	bool prfm_form = true;   /* size 11 opc 10 is PRFM/PRFUM here */

	if (bits(insn, 26, 26)) {
		*why = "SIMD/FP register load/store";
		return -1;
	}
	if (bits(insn, 24, 24)) {
		/* Load/store register (unsigned immediate): imm12 scaled by
		 * the access size (C6.2 LDR (immediate), "Unsigned offset"). */
		d->mode = ARM64_AM_OFFSET;
		d->imm = (int64_t)((uint64_t)bits(insn, 21, 10) << size);
	} else if (bits(insn, 21, 21)) {
		/* bit 21 set: register offset when [11:10] = 10; 00 is the
		 * atomic memory operations group, x1 is LDRAA/LDRAB (PAC). */
		if (bits(insn, 11, 10) != 2) {
			*why = bits(insn, 11, 10) == 0 ? "atomic memory operation"
						       : "pointer-authenticated load";
			return -1;
		}
		/* option<1> = 0 is unallocated (C6.2 LDR (register)). */
		if (!(bits(insn, 15, 13) & 2)) {
			*why = "unallocated register-offset extend";
			return -1;
		}
		d->mode = ARM64_AM_OFFSET;
		d->reg_offset = true;
		d->rm = bits(insn, 20, 16);
		d->extend = (enum arm64_extend)bits(insn, 15, 13);
		d->shift = bits(insn, 12, 12) ? size : 0;
	} else {
		/* imm9 groups, told apart by [11:10]. */
		d->imm = sext(bits(insn, 20, 12), 9);
		switch (bits(insn, 11, 10)) {
		case 0: d->mode = ARM64_AM_OFFSET; mn = mn_unscaled; break;
		case 1: d->mode = ARM64_AM_POST_INDEX; d->writeback = true; break;
		case 2: d->mode = ARM64_AM_OFFSET; mn = mn_unpriv; break;
		default: d->mode = ARM64_AM_PRE_INDEX; d->writeback = true; break;
		}
		prfm_form = bits(insn, 11, 10) == 0;
	}
	d->mnemonic = mn[size][opc];
	if (!d->mnemonic) {
		*why = prfm_form && size == 3 && opc == 2 ? "prefetch (PRFM/PRFUM)"
							    : "unallocated load/store";
		return -1;
	}
	d->size = 1u << size;
	d->is_store = opc == 0;
	/* opc 10: sign-extend to X; opc 11: sign-extend to W (and zero the
	 * top half, as every W write does). opc 01 zero-extends: the W/X
	 * distinction then only matters for size 8. */
	d->sign_extend = opc >= 2;
	d->dst64 = opc == 2 || size == 3;
	d->rn = bits(insn, 9, 5);
	d->rt = bits(insn, 4, 0);
	return 0;
}

/* Pairs: bits [29:27] = 101, [25] = 0, [24:23] = index type. */
static int decode_pair(uint32_t insn, struct arm64_ldst *d, const char **why)
{
	unsigned opc = bits(insn, 31, 30), idx = bits(insn, 24, 23);
	bool load = bits(insn, 22, 22);

	if (bits(insn, 26, 26)) {
		*why = "SIMD/FP register pair";
		return -1;
	}
	switch (opc) {
	case 0:
		d->size = 4;
		d->mnemonic = load ? (idx ? "ldp" : "ldnp") : (idx ? "stp" : "stnp");
		break;
	case 1:
		/* opc 01: LDPSW when L = 1 (no no-allocate form), STGP
		 * (FEAT_MTE, stores tags too) when L = 0. */
		if (!load) {
			*why = "STGP (memory tagging)";
			return -1;
		}
		if (idx == 0) {
			*why = "unallocated pair (LDNP with opc 01)";
			return -1;
		}
		d->size = 4;
		d->sign_extend = true;
		d->dst64 = true;
		d->mnemonic = "ldpsw";
		break;
	case 2:
		d->size = 8;
		d->dst64 = true;
		d->mnemonic = load ? (idx ? "ldp" : "ldnp") : (idx ? "stp" : "stnp");
		break;
	default:
		*why = "unallocated pair (opc 11)";
		return -1;
	}
	d->pair = true;
	d->is_store = !load;
	switch (idx) {
	case 1: d->mode = ARM64_AM_POST_INDEX; d->writeback = true; break;
	case 3: d->mode = ARM64_AM_PRE_INDEX; d->writeback = true; break;
	default: d->mode = ARM64_AM_OFFSET; break; /* 00 no-allocate, 10 offset */
	}
	/* imm7 is scaled by the register size (C6.2 LDP: "imm7 * (datasize/8)");
	 * LDPSW's datasize is 32. */
	d->imm = sext(bits(insn, 21, 15), 7) * (int64_t)d->size;
	d->rt2 = bits(insn, 14, 10);
	d->rn = bits(insn, 9, 5);
	d->rt = bits(insn, 4, 0);
	return 0;
}

int arm64_decode_ldst(uint32_t insn, struct arm64_ldst *d, const char **why)
{
	const char *dummy;
	int rc;

	if (!why)
		why = &dummy;
	*why = NULL;
	memset(d, 0, sizeof(*d));
	/* Loads and stores have op1 (bits [28:25]) = x1x0 (C4.1, "A64
	 * instruction set encoding"); [29:27] then picks the group. */
	if (bits(insn, 25, 25) == 0 && bits(insn, 29, 27) == 7)
		rc = decode_single(insn, d, why);
	else if (bits(insn, 25, 25) == 0 && bits(insn, 29, 27) == 5)
		rc = decode_pair(insn, d, why);
	else {
		*why = bits(insn, 27, 27) && !bits(insn, 25, 25)
			? "load/store other than LDR/STR/LDP/STP (exclusive, ordered, literal, SIMD structure, ...)"
			: "not a load/store instruction";
		rc = -1;
	}
	if (rc)
		memset(d, 0, sizeof(*d));
	return rc;
}

static uint64_t offset(const struct arm64_ldst *d, const struct arm64_regs *r)
{
	uint64_t m;

	if (!d->reg_offset)
		return (uint64_t)d->imm;
	/* C6.2 LDR (register): ExtendReg(m, extend_type, shift). Rm = 31 is
	 * XZR. UXTW/SXTW use Wm. */
	m = arm64_reg_read(r, d->rm);
	switch (d->extend) {
	case ARM64_EXT_UXTW: m = (uint32_t)m; break;
	case ARM64_EXT_SXTW: m = (uint64_t)(int64_t)(int32_t)(uint32_t)m; break;
	default: break; /* LSL (UXTX) and SXTX take all 64 bits */
	}
	return m << d->shift;
}

uint64_t arm64_ldst_address(const struct arm64_ldst *d, const struct arm64_regs *r)
{
	uint64_t base = arm64_base_read(r, d->rn);

	return d->mode == ARM64_AM_POST_INDEX ? base : base + offset(d, r);
}

uint64_t arm64_ldst_new_base(const struct arm64_ldst *d, const struct arm64_regs *r)
{
	uint64_t base = arm64_base_read(r, d->rn);

	return d->writeback ? base + offset(d, r) : base;
}

uint64_t arm64_extend_load(uint64_t raw, unsigned size, bool sign, bool sf)
{
	uint64_t v = raw;

	if (size < 8) {
		uint64_t mask = (1ull << (size * 8)) - 1;
		v &= mask;
		if (sign && (v >> (size * 8 - 1)))
			v |= ~mask;
	}
	return sf ? v : (uint32_t)v;
}

uint64_t arm64_ldst_extend(const struct arm64_ldst *d, uint64_t raw)
{
	return arm64_extend_load(raw, d->size, d->sign_extend, d->dst64);
}
