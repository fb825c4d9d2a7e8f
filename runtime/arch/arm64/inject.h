/*
 * Injecting a synchronous external abort into an AArch64 guest, computed in
 * software: the register state of taking the exception to EL1.
 *
 * KVM does this itself (KVM_SET_VCPU_EVENTS with ext_dabt_pending). Under
 * Hypervisor.framework nothing does, so the HVF backend applies this result
 * with hv_vcpu_set_reg/hv_vcpu_set_sys_reg when arm64_emulate_dabt() says
 * ARM64_EMU_INJECT_ABORT, or when the guest fetches from unmapped memory.
 * Arm ARM DDI 0487: "Exception entry" (AArch64.TakeException pseudocode),
 * "Exception vectors" for the offsets, and the abort ISS of ESR_EL1.
 */
#ifndef VIBE_ARM64_INJECT_H
#define VIBE_ARM64_INJECT_H

#include <stdbool.h>
#include <stdint.h>

#include "insn.h"

/* The registers to write to take the exception. SP needs no entry: the
 * new PSTATE selects SP_EL1 (a backend keeping one "current SP" saves it to
 * SP_EL0 first when the fault came from EL0 or EL1t). */
struct arm64_exc_entry {
	uint64_t pc;        /* VBAR_EL1 + vector offset (synchronous) */
	uint64_t pstate;    /* EL1h, DAIF masked, PAN/SSBS per SCTLR_EL1 */
	uint64_t spsr_el1;  /* the interrupted PSTATE */
	uint64_t elr_el1;   /* the faulting instruction */
	uint64_t esr_el1;   /* data or instruction abort, DFSC/IFSC 0x10 */
	uint64_t far_el1;   /* the faulting virtual address */
	unsigned vector;    /* offset used: 0x000, 0x200, 0x400 or 0x600 */
};

struct arm64_sea {
	uint64_t far;       /* faulting VA (HVF: exception.virtual_address) */
	bool is_fetch;      /* instruction abort rather than data abort */
	bool is_write;      /* data abort: WnR */
	bool il32;          /* the trapped instruction was 32-bit (ESR_EL2.IL) */
};

/* Compute the entry for a synchronous external abort taken from the state
 * in r (pc, pstate) to EL1. Returns 0, or -1 when the guest was not at EL0
 * or EL1 (vibevmm runs no nested guest EL2). */
int arm64_sea_entry(const struct arm64_regs *r, uint64_t vbar_el1, uint64_t sctlr_el1,
		    const struct arm64_sea *sea, struct arm64_exc_entry *out);

#endif
