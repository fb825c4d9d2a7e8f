/*
 * Data-abort emulation (see emulate.h). Two paths:
 *  ISV = 1: the syndrome names the register, size and sign extension
 *           (Arm ARM, ESR_EL2 "ISS encoding for an exception from a Data
 *           Abort"): one access at the fault IPA.
 *  ISV = 0: fetch the instruction at PC through the guest's stage-1
 *           tables, decode it (insn.c), translate each access's VA, and
 *           perform one or two accesses.
 * All device accesses are made before any register is written, so a bus
 * error leaves the register file untouched.
 */
#include "emulate.h"

#include <string.h>

#define PSTATE_NRW  (1ull << 4)  /* M[4]: the guest was in AArch32 */
#define PSTATE_E32  (1ull << 9)  /* AArch32 CPSR.E: big-endian data */
#define SCTLR_E0E   (1ull << 24)
#define SCTLR_EE    (1ull << 25)
#define PAGE_MASK4K (~0xfffull)

static enum arm64_emu_status done(struct arm64_emu_result *r, enum arm64_emu_status s,
				  const char *why)
{
	r->status = s;
	r->why = why;
	return s;
}

/* Data endianness of the faulting context: SCTLR_EL1.E0E at EL0, .EE at
 * EL1 (SCTLR_EL1); CPSR.E for AArch32. */
static bool big_endian(const struct arm64_emu *c)
{
	uint64_t ps = c->regs->pstate;

	if (ps & PSTATE_NRW)
		return ps & PSTATE_E32;
	return ((ps >> 2) & 3) == 0 ? (c->s1.sctlr & SCTLR_E0E) : (c->s1.sctlr & SCTLR_EE);
}

static uint64_t swap(uint64_t v, unsigned size)
{
	switch (size) {
	case 2: return __builtin_bswap16((uint16_t)v);
	case 4: return __builtin_bswap32((uint32_t)v);
	case 8: return __builtin_bswap64(v);
	default: return v;
	}
}

static uint64_t truncate(uint64_t v, unsigned size)
{
	return size >= 8 ? v : v & ((1ull << (size * 8)) - 1);
}

static int do_access(struct arm64_emu *c, struct arm64_emu_result *r, uint64_t ipa,
		     unsigned size, bool write, uint64_t *val)
{
	bool be = big_endian(c);
	uint64_t v = write ? truncate(*val, size) : 0;

	if (write && be)
		v = swap(v, size);
	if (c->access(c->opaque, ipa, size, write, &v))
		return -1;
	if (r->naccess < ARM64_EMU_MAX_ACCESS)
		r->ipa[r->naccess++] = ipa;
	if (!write)
		*val = be ? swap(truncate(v, size), size) : truncate(v, size);
	return 0;
}

static enum arm64_emu_status emulate_isv(struct arm64_emu *c, const struct arm64_esr *e,
					 uint64_t fault_ipa, struct arm64_emu_result *r)
{
	const struct arm64_abort_iss *a = &e->abt;
	uint64_t v;

	if (a->wnr) {
		v = arm64_reg_read(c->regs, a->srt);  /* SRT 31 = XZR: stores 0 */
		if (do_access(c, r, fault_ipa, a->size, true, &v))
			return done(r, ARM64_EMU_INJECT_ABORT, "device reported a bus error");
	} else {
		if (do_access(c, r, fault_ipa, a->size, false, &v))
			return done(r, ARM64_EMU_INJECT_ABORT, "device reported a bus error");
		/* SSE/SF give the extension; a load to XZR is discarded. */
		arm64_reg_write(c->regs, a->srt, arm64_extend_load(v, a->size, a->sse, a->sf));
	}
	c->regs->pc += e->il ? 4 : 2;
	return done(r, ARM64_EMU_DONE, "emulated from the syndrome (ISV=1)");
}

static enum arm64_emu_status emulate_insn(struct arm64_emu *c, const struct arm64_esr *e,
					  uint64_t fault_ipa, struct arm64_emu_result *r)
{
	struct arm64_ldst *d = &r->ldst;
	struct arm64_s1_result w;
	struct arm64_regs *regs = c->regs;
	uint64_t va, new_base, ipa[2], val[2];
	unsigned n, rts[2];
	bool hit = false;
	const char *why;

	if (regs->pstate & PSTATE_NRW)
		return done(r, ARM64_EMU_INJECT_ABORT, "AArch32 guest data abort without syndrome");
	if (!c->vm || arm64_fetch_insn(c->vm, &c->s1, regs->pc, &r->insn, &w))
		return done(r, ARM64_EMU_INJECT_ABORT, c->vm ? w.why : "no VM to fetch from");
	r->have_insn = true;
	if (arm64_decode_ldst(r->insn, d, &why))
		return done(r, ARM64_EMU_INJECT_ABORT, why);
	/* The instruction may have changed since it faulted (another vCPU
	 * rewrote it): refuse rather than emulate the wrong access. */
	if (d->is_store != e->abt.wnr)
		return done(r, ARM64_EMU_INJECT_ABORT, "decoded direction disagrees with WnR");

	n = d->pair ? 2 : 1;
	rts[0] = d->rt;
	rts[1] = d->rt2;
	va = arm64_ldst_address(d, regs);
	new_base = arm64_ldst_new_base(d, regs);
	for (unsigned i = 0; i < n; i++) {
		uint64_t vai = va + i * d->size;

		/* One element crossing a page could need two translations;
		 * MMIO is mapped Device (alignment enforced) by any sane
		 * guest, so we do not emulate that case. */
		if ((vai & 0xfff) + d->size > 0x1000)
			return done(r, ARM64_EMU_INJECT_ABORT, "access crosses a page boundary");
		if (arm64_s1_translate(c->vm, &c->s1, vai, false, &w))
			return done(r, ARM64_EMU_INJECT_ABORT, w.why);
		ipa[i] = w.ipa;
		if ((ipa[i] & PAGE_MASK4K) == (fault_ipa & PAGE_MASK4K))
			hit = true;
	}
	/* The hardware faulted on fault_ipa's page: if no decoded access
	 * lands there, our walk or decode disagrees with what happened. */
	if (!hit)
		return done(r, ARM64_EMU_INJECT_ABORT, "decoded address does not match the fault address");

	/* Stores read their sources before any writeback: a store whose
	 * base is also Rt stores the original value, the Constraint_NONE
	 * choice of Unpredictable_WBOVERLAPST in the Arm ARM's STR/STP
	 * pseudocode. */
	for (unsigned i = 0; i < n; i++) {
		val[i] = d->is_store ? arm64_reg_read(regs, rts[i]) : 0;
		if (do_access(c, r, ipa[i], d->size, d->is_store, &val[i]))
			return done(r, ARM64_EMU_INJECT_ABORT, "device reported a bus error");
	}
	if (!d->is_store) {
		/* LDP with Rt == Rt2 is Unpredictable_LDPOVERLAP, allowed
		 * to leave an UNKNOWN value: Rt2's value winning is one. */
		for (unsigned i = 0; i < n; i++)
			arm64_reg_write(regs, rts[i], arm64_ldst_extend(d, val[i]));
	}
	if (d->writeback) {
		/* Load with writeback into its own base is
		 * Unpredictable_WBOVERLAPLD: we take Constraint_WBSUPPRESS
		 * (writeback disabled), so the loaded value stays. Rn = 31
		 * is SP, never the same register as Rt = 31 (XZR). */
		bool overlap = !d->is_store && d->rn != 31 &&
			       (d->rn == d->rt || (d->pair && d->rn == d->rt2));
		if (!overlap)
			arm64_base_write(regs, d->rn, new_base);
	}
	regs->pc += 4;
	return done(r, ARM64_EMU_DONE, "emulated from the decoded instruction (ISV=0)");
}

enum arm64_emu_status arm64_emulate_dabt(struct arm64_emu *c, const struct arm64_esr *e,
					 uint64_t fault_ipa, struct arm64_emu_result *r)
{
	memset(r, 0, sizeof(*r));
	if (!arm64_esr_is_dabt(e))
		return done(r, ARM64_EMU_NOT_DABT, "not a data abort");
	/* A stage-2 fault on the guest's own table walk: its tables point at
	 * MMIO or at nothing. Nothing to emulate (KVM injects here too). */
	if (e->abt.s1ptw)
		return done(r, ARM64_EMU_INJECT_ABORT, "stage-2 fault on a stage-1 table walk");
	if (e->abt.ea)
		return done(r, ARM64_EMU_INJECT_ABORT, "external abort reported by the hardware");
	switch (e->abt.fsc_kind) {
	case ARM64_FSC_K_TRANSLATION:
	case ARM64_FSC_K_ACCESS_FLAG:
	case ARM64_FSC_K_PERMISSION:   /* e.g. a write to a read-only RAM slot */
		break;
	default:
		return done(r, ARM64_EMU_INJECT_ABORT, "fault status is not an MMIO access");
	}
	/* DC/IC/AT on an MMIO address: there is no cache to maintain, so
	 * skip the instruction as KVM does (kvm_handle_guest_abort). */
	if (e->abt.cm) {
		c->regs->pc += 4;
		return done(r, ARM64_EMU_DONE, "cache maintenance on MMIO skipped");
	}
	if (e->abt.isv)
		return emulate_isv(c, e, fault_ipa, r);
	return emulate_insn(c, e, fault_ipa, r);
}

const char *arm64_emu_status_name(enum arm64_emu_status s)
{
	switch (s) {
	case ARM64_EMU_DONE:         return "done";
	case ARM64_EMU_INJECT_ABORT: return "inject abort";
	case ARM64_EMU_NOT_DABT:     return "not a data abort";
	}
	return "unknown";
}
