/*
 * Synchronous external abort entry to EL1 (see inject.h), following the
 * Arm ARM's AArch64.TakeException() pseudocode for a target of EL1.
 */
#include "inject.h"

#include <string.h>

#include "esr.h"

/* PSTATE/SPSR bits (AArch64 SPSR_EL1 layout, SPSR_EL1) */
#define PS_SP       (1ull << 0)    /* M[0]: SP_ELx selected */
#define PS_EL_SHIFT 2              /* M[3:2] */
#define PS_NRW      (1ull << 4)    /* M[4]: AArch32 */
#define PS_DAIF     (0xfull << 6)
#define PS_SSBS     (1ull << 12)
#define PS_PAN      (1ull << 22)
#define PS_DIT      (1ull << 24)
#define PS_NZCV     (0xfull << 28)
#define PS_EL1H     (1ull << PS_EL_SHIFT | PS_SP)
#define CPSR_DIT    (1ull << 21)   /* AArch32 CPSR.DIT sits elsewhere */

#define SCTLR_SPAN   (1ull << 23)
#define SCTLR_DSSBS  (1ull << 44)

/* Vector offsets for synchronous exceptions ("Exception vectors"). */
#define VEC_CUR_SP0  0x000u
#define VEC_CUR_SPX  0x200u
#define VEC_LOW_A64  0x400u
#define VEC_LOW_A32  0x600u

int arm64_sea_entry(const struct arm64_regs *r, uint64_t vbar_el1, uint64_t sctlr_el1,
		    const struct arm64_sea *sea, struct arm64_exc_entry *out)
{
	uint64_t old = r->pstate, ps;
	bool from_a32 = old & PS_NRW;
	unsigned el = from_a32 ? 0 : (unsigned)((old >> PS_EL_SHIFT) & 3);
	bool lower = el == 0;
	unsigned ec;

	memset(out, 0, sizeof(*out));
	/* AArch32 state under an AArch64 EL1 can only be EL0. */
	if (el > 1 || (from_a32 && (old & 0xf) != 0))
		return -1;

	if (from_a32)
		out->vector = VEC_LOW_A32;
	else if (lower)
		out->vector = VEC_LOW_A64;
	else
		out->vector = (old & PS_SP) ? VEC_CUR_SPX : VEC_CUR_SP0;

	/* New PSTATE: EL1 with SP_EL1, AArch64, D/A/I/F masked; IL, SS,
	 * BTYPE, UAO and the AArch32 IT/T/E bits cleared; NZCV and DIT carried
	 * over (they are PSTATE fields, not reset by exception entry). */
	ps = PS_EL1H | PS_DAIF | (old & PS_NZCV);
	if (from_a32 ? (old & CPSR_DIT) : (old & PS_DIT))
		ps |= PS_DIT;
	/* PAN is set on entry to EL1 when SCTLR_EL1.SPAN is 0, else kept. */
	if (!(sctlr_el1 & SCTLR_SPAN) || (old & PS_PAN))
		ps |= PS_PAN;
	/* SSBS takes SCTLR_EL1.DSSBS on entry. */
	if (sctlr_el1 & SCTLR_DSSBS)
		ps |= PS_SSBS;

	/* ESR_EL1: the class says where from, ISS says "synchronous external
	 * abort, not on a table walk", ISV = 0, FAR valid (FnV = 0). */
	if (sea->is_fetch)
		ec = lower ? ARM64_EC_IABT_LOW : ARM64_EC_IABT_CUR;
	else
		ec = lower ? ARM64_EC_DABT_LOW : ARM64_EC_DABT_CUR;
	out->esr_el1 = (uint64_t)ec << 26 | ARM64_FSC_SEA;
	if (sea->il32)
		out->esr_el1 |= 1ull << 25;
	if (!sea->is_fetch && sea->is_write)
		out->esr_el1 |= 1ull << 6;

	out->pc = (vbar_el1 & ~0x7ffull) + out->vector;   /* VBAR[10:0] RES0 */
	out->pstate = ps;
	out->spsr_el1 = old;
	out->elr_el1 = r->pc;
	out->far_el1 = sea->far;
	return 0;
}
