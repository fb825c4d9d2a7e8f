/*
 * Software stage-1 walk of the guest's EL1&0 tables (see s1walk.h).
 * A granule of 2^g bytes (4, 16 or 64 KiB) resolves g - 3 VA bits per
 * level, level 3 maps 2^g-byte pages; blocks exist at levels 1 and 2 with
 * 4 KiB (1 GiB, 2 MiB) and at level 2 only with 16 KiB (32 MiB) and
 * 64 KiB (512 MiB) without FEAT_LPA/LPA2 (Arm ARM "Translation using the
 * 4KB/16KB/64KB granule", "VMSAv8-64 descriptor formats").
 */
#include "s1walk.h"

#include <string.h>

#include "vibe/guest_mem.h"

#define SCTLR_M   (1ull << 0)
#define SCTLR_EE  (1ull << 25)
#define TCR_EPD0  (1ull << 7)
#define TCR_EPD1  (1ull << 23)
#define TCR_TBI0  (1ull << 37)
#define TCR_TBI1  (1ull << 38)
#define TCR_TBID0 (1ull << 51)
#define TCR_TBID1 (1ull << 52)
#define TCR_DS    (1ull << 59)

#define OA_BITS_MAX 48  /* no FEAT_LPA/LPA2: OA[51:48] must be zero */

static inline uint64_t field(uint64_t v, unsigned hi, unsigned lo)
{
	return (v >> lo) & ((2ull << (hi - lo)) - 1);
}

/* bits [hi:lo] set */
static inline uint64_t mask(unsigned hi, unsigned lo)
{
	return ((2ull << (hi - lo)) - 1) << lo;
}

/* Guest memory is little-endian bytes whatever the host is. */
static uint64_t ld64le(const void *p)
{
	const uint8_t *b = p;
	uint64_t v = 0;

	for (int i = 7; i >= 0; i--)
		v = v << 8 | b[i];
	return v;
}

static int fail(struct arm64_s1_result *r, enum arm64_s1_status s, int level, const char *why)
{
	r->status = s;
	r->level = level;
	r->why = why;
	return -1;
}

/* TCR_EL1.IPS (TCR_EL1): output size of the walk. 52 needs LPA,
 * which we do not implement, and reserved values behave as one of the
 * defined sizes: both clamp to 48. */
static unsigned pa_bits(uint64_t tcr)
{
	static const unsigned ips[8] = { 32, 36, 40, 42, 44, 48, 48, 48 };
	return ips[field(tcr, 34, 32)];
}

int arm64_s1_translate(struct vibe_vm *vm, const struct arm64_s1_regs *s1,
		       uint64_t va, bool fetch, struct arm64_s1_result *r)
{
	uint64_t tcr = s1->tcr, ttbr, table, desc;
	unsigned tsz, ia, start, top, pa, stride0, sel, g, bits;
	bool tbi;

	memset(r, 0, sizeof(*r));
	if (!(s1->sctlr & SCTLR_M)) {
		/* Stage 1 off: flat. An address above the PA size is an
		 * address size fault at level 0 ("The effects of
		 * disabling an address translation stage"). */
		r->mmu_off = true;
		if (va >> OA_BITS_MAX)
			return fail(r, ARM64_S1_ADDR_SIZE, 0, "MMU off: address above 48 bits");
		r->ipa = va;
		return 0;
	}
	if (tcr & TCR_DS)
		return fail(r, ARM64_S1_UNSUPPORTED, 0, "TCR_EL1.DS (52-bit LPA2) not supported");

	/* VA[55] picks TTBR0 or TTBR1 in a two-range regime (
	 * "VA ranges"); each half has its own size, granule and TBI. */
	sel = (unsigned)field(va, 55, 55);
	if (!sel) {
		tsz = (unsigned)field(tcr, 5, 0);
		/* TG0: 00 = 4K, 01 = 64K, 10 = 16K, 11 reserved */
		g = (unsigned[]){ 12, 16, 14, 0 }[field(tcr, 15, 14)];
		tbi = (tcr & TCR_TBI0) && !(fetch && (tcr & TCR_TBID0));
		ttbr = s1->ttbr0;
		if (tcr & TCR_EPD0)
			return fail(r, ARM64_S1_TRANSLATION, 0, "TTBR0 walks disabled (EPD0)");
	} else {
		tsz = (unsigned)field(tcr, 21, 16);
		/* TG1: 01 = 16K, 10 = 4K, 11 = 64K, 00 reserved */
		g = (unsigned[]){ 0, 14, 12, 16 }[field(tcr, 31, 30)];
		tbi = (tcr & TCR_TBI1) && !(fetch && (tcr & TCR_TBID1));
		ttbr = s1->ttbr1;
		if (tcr & TCR_EPD1)
			return fail(r, ARM64_S1_TRANSLATION, 0, "TTBR1 walks disabled (EPD1)");
	}
	/* A reserved TGx value is CONSTRAINED UNPREDICTABLE (treated as
	 * some implemented size): refuse rather than guess which. */
	if (!g)
		return fail(r, ARM64_S1_UNSUPPORTED, 0, "reserved translation granule (TGx)");
	bits = g - 3; /* VA bits per level: 9, 11 or 13 */

	/* TxSZ outside 16..39 is CONSTRAINED UNPREDICTABLE without FEAT_LVA /
	 * FEAT_TTST; one permitted behaviour is to use the nearest limit,
	 * which is what we do ("Input address size configuration"). */
	if (tsz < 16)
		tsz = 16;
	if (tsz > 39)
		tsz = 39;
	ia = 64 - tsz;

	/* Bits [top:ia] must all equal VA[55]; with TBI the top byte is
	 * ignored. Otherwise: translation fault, level 0. */
	top = tbi ? 55 : 63;
	if ((va & mask(top, ia)) != (sel ? mask(top, ia) : 0))
		return fail(r, ARM64_S1_TRANSLATION, 0, "VA outside the TTBR's range");

	pa = pa_bits(tcr);
	/* Levels needed for ia bits at `bits` per level above the g-bit page
	 * offset; the start level resolves the remaining 1..bits bits (16K
	 * with 48-bit VAs: level 0 resolves VA[47] alone). */
	start = 4 - (ia - g + bits - 1) / bits;
	stride0 = ia - (g + bits * (3 - start));
	/* TTBR.BADDR is [47:1]; bits below the table size (at least 64
	 * bytes: TTBR0_EL1.BADDR) are RES0, so ignore them as hardware may. */
	table = ttbr & mask(47, 1);
	table &= ~((stride0 + 3 < 6 ? 64ull : 8ull << stride0) - 1);
	if (table >> pa)
		return fail(r, ARM64_S1_ADDR_SIZE, (int)start, "TTBR base above the PA size");

	for (unsigned level = start; level <= 3; level++) {
		unsigned shift = g + bits * (3 - level);
		unsigned width = level == start ? stride0 : bits;
		uint64_t idx = field(va, shift + width - 1, shift);
		const void *p;

		r->level = (int)level;
		r->desc_addr = table + idx * 8;
		p = guest_ptr(vm, r->desc_addr, 8);
		if (!p)
			return fail(r, ARM64_S1_NOT_RAM, (int)level,
				    "translation table descriptor outside guest RAM");
		/* Table walks use SCTLR_EL1.EE endianness, like data accesses. */
		desc = ld64le(p);
		if (s1->sctlr & SCTLR_EE)
			desc = __builtin_bswap64(desc);

		if (!(desc & 1))
			return fail(r, ARM64_S1_TRANSLATION, (int)level, "invalid descriptor");
		if (level < 3 && (desc & 2)) {
			/* Table descriptor: next table at [47:g]. */
			if (field(desc, 51, g) >> (pa - g))
				return fail(r, ARM64_S1_ADDR_SIZE, (int)level,
					    "next-level table above the PA size");
			table = desc & mask(47, g);
			continue;
		}
		/* Block (bits[1:0] = 01) at level 1/2 with 4K, level 2 with
		 * 16K/64K; page (11) at level 3. Other blocks need LPA/LPA2
		 * and 01 at level 3 is reserved: all fault. */
		if (level == 0 || (level == 1 && g != 12))
			return fail(r, ARM64_S1_TRANSLATION, (int)level,
				    "block descriptor not allowed at this level and granule");
		if (level == 3 && !(desc & 2))
			return fail(r, ARM64_S1_TRANSLATION, 3, "reserved descriptor at level 3");
		if (field(desc, 51, shift) >> (pa - shift))
			return fail(r, ARM64_S1_ADDR_SIZE, (int)level, "output address above the PA size");
		r->desc = desc;
		r->ipa = (desc & mask(47, shift)) | (va & mask(shift - 1, 0));
		return 0;
	}
	return fail(r, ARM64_S1_TRANSLATION, 3, "walk did not end"); /* not reached */
}

int arm64_fetch_insn(struct vibe_vm *vm, const struct arm64_s1_regs *s1,
		     uint64_t pc, uint32_t *insn, struct arm64_s1_result *r)
{
	const uint8_t *p;

	if (pc & 3) {
		memset(r, 0, sizeof(*r));
		return fail(r, ARM64_S1_MISALIGNED, 0, "PC not 4-byte aligned");
	}
	if (arm64_s1_translate(vm, s1, pc, true, r))
		return -1;
	p = guest_ptr(vm, r->ipa, 4);
	if (!p)
		return fail(r, ARM64_S1_NOT_RAM, r->level, "instruction not in guest RAM");
	/* A64 instructions are little-endian regardless of SCTLR_EL1.EE
	 * (Arm ARM "Instruction endianness"). */
	*insn = (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
	return 0;
}

const char *arm64_s1_status_name(enum arm64_s1_status s)
{
	switch (s) {
	case ARM64_S1_OK:          return "ok";
	case ARM64_S1_TRANSLATION: return "translation fault";
	case ARM64_S1_ADDR_SIZE:   return "address size fault";
	case ARM64_S1_NOT_RAM:     return "not in guest RAM";
	case ARM64_S1_UNSUPPORTED: return "unsupported translation configuration";
	case ARM64_S1_MISALIGNED:  return "misaligned PC";
	}
	return "unknown";
}
