/*
 * Guest stage-1 translation (VA -> IPA) for the EL1&0 regime, done in
 * software, and fetching the instruction at the guest's PC.
 *
 * Needed only on the ISV = 0 data-abort path: the VMM must read the
 * faulting instruction at PC (a VA) and, for pairs or writeback forms,
 * find the IPA of each access. The hardware already translated these
 * addresses before it took the stage-2 fault, so this walk recomputes
 * that translation; it does not check permissions or the access flag.
 *
 * Supported: 4, 16 and 64 KiB granules (per half, TG0/TG1), up to 48-bit
 * VA and PA, TTBR0/TTBR1 split selected by VA[55], TBI/TBID, EPD0/EPD1,
 * big-endian table walks (SCTLR_EL1.EE). Reserved TGx values, FEAT_LPA2
 * (TCR_EL1.DS) and 52-bit PAs return ARM64_S1_UNSUPPORTED instead of
 * guessing.
 * Descriptors are read through guest_ptr() only, so a guest whose tables
 * point outside RAM (at MMIO, or nowhere) gets a clean failure.
 * Arm ARM DDI 0487: chapter "The AArch64 Virtual Memory System Architecture"
 * (translation process, descriptors), TCR_EL1, TTBRn_EL1,
 * SCTLR_EL1.
 */
#ifndef VIBE_ARM64_S1WALK_H
#define VIBE_ARM64_S1WALK_H

#include <stdbool.h>
#include <stdint.h>

struct vibe_vm;

/* The guest's EL1 translation controls, as read from the vCPU. */
struct arm64_s1_regs {
	uint64_t sctlr;  /* SCTLR_EL1: M [0], EE [25] */
	uint64_t tcr;    /* TCR_EL1 */
	uint64_t ttbr0;  /* TTBR0_EL1 */
	uint64_t ttbr1;  /* TTBR1_EL1 */
};

enum arm64_s1_status {
	ARM64_S1_OK = 0,
	ARM64_S1_TRANSLATION,  /* VA out of range, walk disabled, invalid descriptor */
	ARM64_S1_ADDR_SIZE,    /* table or output address beyond the PA size */
	ARM64_S1_NOT_RAM,      /* a descriptor (or the fetched insn) is not in guest RAM */
	ARM64_S1_UNSUPPORTED,  /* LPA2, reserved TGx */
	ARM64_S1_MISALIGNED,   /* fetch: PC not 4-byte aligned */
};

struct arm64_s1_result {
	enum arm64_s1_status status;
	bool mmu_off;        /* SCTLR_EL1.M = 0: IPA = VA */
	int level;           /* level of the final (or faulting) descriptor */
	uint64_t ipa;        /* OK: the translated address */
	uint64_t desc;       /* OK with MMU on: the block/page descriptor */
	uint64_t desc_addr;  /* IPA of the last descriptor looked at */
	const char *why;     /* static text for logs */
};

/* Translate va as a data access (fetch = false) or instruction fetch.
 * Returns 0 on success, -1 with r->status/why set. Never touches guest
 * memory except by guest_ptr(vm, desc_addr, 8). */
int arm64_s1_translate(struct vibe_vm *vm, const struct arm64_s1_regs *s1,
		       uint64_t va, bool fetch, struct arm64_s1_result *r);

/* Read the 32-bit A64 instruction at pc (instruction fetches are always
 * little-endian in AArch64, whatever SCTLR_EL1.EE says). */
int arm64_fetch_insn(struct vibe_vm *vm, const struct arm64_s1_regs *s1,
		     uint64_t pc, uint32_t *insn, struct arm64_s1_result *r);

const char *arm64_s1_status_name(enum arm64_s1_status s);

#endif
