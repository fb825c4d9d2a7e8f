/*
 * Emulating a guest data abort on MMIO: the glue between the syndrome
 * (esr.h), the instruction decoder (insn.h), the stage-1 walk (s1walk.h)
 * and the device callback. Backend-independent: KVM (KVM_EXIT_MMIO is
 * handled by KVM itself for ISV = 1; KVM_EXIT_ARM_NISV comes here) and
 * HVF (every data abort comes here) fill a struct arm64_emu and call
 * arm64_emulate_dabt().
 *
 * On ARM64_EMU_DONE the accesses were made, loaded registers written
 * (sign/zero extended, W results zero the top half), the base register
 * written back, and PC advanced past the instruction. On
 * ARM64_EMU_INJECT_ABORT nothing in the register file changed (stores
 * of a pair may have reached the device, as a pair store interrupted by
 * an abort may on hardware) and the caller injects a synchronous
 * external abort at the faulting address into the guest.
 */
#ifndef VIBE_ARM64_EMULATE_H
#define VIBE_ARM64_EMULATE_H

#include <stdbool.h>
#include <stdint.h>

#include "esr.h"
#include "insn.h"
#include "s1walk.h"

struct vibe_vm;

/*
 * One device access at an IPA. `*val` holds the value as the bytes on the
 * bus read little-endian (the emulator has already byte-swapped for a
 * big-endian guest). Return 0, or non-zero for a bus error (the guest then
 * gets an external abort). For an LDP/STP straddling a RAM/MMIO boundary
 * one of the two IPAs may be RAM: the callback must handle both.
 */
typedef int (*arm64_access_fn)(void *opaque, uint64_t ipa, unsigned size,
			       bool is_write, uint64_t *val);

struct arm64_emu {
	struct arm64_regs *regs;   /* in/out */
	struct arm64_s1_regs s1;   /* guest SCTLR/TCR/TTBRs: ISV = 0 walk, endianness */
	struct vibe_vm *vm;        /* ISV = 0: instruction fetch and walk */
	arm64_access_fn access;
	void *opaque;
};

enum arm64_emu_status {
	ARM64_EMU_DONE = 0,        /* emulated (or skipped, for cache maintenance) */
	ARM64_EMU_INJECT_ABORT,    /* inject a synchronous external abort; PC unchanged */
	ARM64_EMU_NOT_DABT,        /* the ESR is not a data abort: caller bug */
};

#define ARM64_EMU_MAX_ACCESS 2

struct arm64_emu_result {
	enum arm64_emu_status status;
	const char *why;           /* static text: what was done or why not */
	bool have_insn;            /* ISV = 0: insn was fetched */
	uint32_t insn;
	struct arm64_ldst ldst;    /* ISV = 0 and decoded */
	unsigned naccess;          /* accesses made */
	uint64_t ipa[ARM64_EMU_MAX_ACCESS];
};

/* fault_ipa: the faulting IPA from the exit (KVM: kvm_run.mmio.phys_addr or
 * arm_nisv.fault_ipa; HVF: exception.physical_address). ISV = 1 accesses
 * it; ISV = 0 cross-checks it against the decoded accesses. */
enum arm64_emu_status arm64_emulate_dabt(struct arm64_emu *c, const struct arm64_esr *esr,
					 uint64_t fault_ipa, struct arm64_emu_result *res);

const char *arm64_emu_status_name(enum arm64_emu_status s);

#endif
