/*
 * Decoding the A64 load/store that caused a data abort whose syndrome has
 * ISV = 0 (KVM_EXIT_ARM_NISV, or an HVF data abort without ISV). The CPU
 * leaves ISV clear for writeback forms, pairs and SIMD/FP, so the VMM must
 * read the instruction and work out the access itself (QEMU asserts here,
 * libkrun panics: vibevmm decodes or hands an external abort to the guest).
 *
 * Decodable (Arm ARM DDI 0487, C4.1 "Loads and Stores" encoding groups):
 *  - Load/store register (unsigned immediate), (unscaled immediate) LDUR/STUR,
 *    (immediate pre-indexed), (immediate post-indexed), (unprivileged)
 *    LDTR/STTR, (register offset): STRB STRH STR LDRB LDRH LDR LDRSB LDRSH
 *    LDRSW, W and X forms.
 *  - Load/store register pair (offset / pre-indexed / post-indexed) and
 *    no-allocate pair (offset): STP LDP LDPSW STNP LDNP, W and X forms.
 * Everything else (SIMD/FP registers, exclusives, acquire/release, atomics,
 * PRFM, literal loads, MTE, PAC loads, unallocated encodings) is reported as
 * undecodable; the caller then injects a synchronous external abort.
 */
#ifndef VIBE_ARM64_INSN_H
#define VIBE_ARM64_INSN_H

#include <stdbool.h>
#include <stdint.h>

/*
 * The guest register file as the emulator needs it. `sp` is the stack
 * pointer of the faulting context (SP_EL0 or SP_EL1 as selected by
 * PSTATE.SP and the EL): the backend picks it, the decoder only knows
 * "register 31 in a base position is SP".
 */
struct arm64_regs {
	uint64_t x[31];
	uint64_t sp;
	uint64_t pc;
	uint64_t pstate;  /* SPSR format: M[4] = AArch32, M[3:2] = EL */
};

/* Register 31 is context dependent (Arm ARM "Register names"):
 * as a data register (Rt, Rt2, Rm) it is XZR, reading 0 and discarding
 * writes; as a base address register (Rn) it is SP. */
static inline uint64_t arm64_reg_read(const struct arm64_regs *r, unsigned n)
{
	return n >= 31 ? 0 : r->x[n];
}

static inline void arm64_reg_write(struct arm64_regs *r, unsigned n, uint64_t v)
{
	if (n < 31)
		r->x[n] = v;
}

static inline uint64_t arm64_base_read(const struct arm64_regs *r, unsigned n)
{
	return n >= 31 ? r->sp : r->x[n];
}

static inline void arm64_base_write(struct arm64_regs *r, unsigned n, uint64_t v)
{
	if (n >= 31)
		r->sp = v;
	else
		r->x[n] = v;
}

enum arm64_addr_mode {
	ARM64_AM_OFFSET,     /* [Xn|SP, #imm] / [Xn|SP, Rm{, ext}]: no writeback */
	ARM64_AM_PRE_INDEX,  /* [Xn|SP, #imm]!: access at base+imm, base = base+imm */
	ARM64_AM_POST_INDEX, /* [Xn|SP], #imm: access at base, then base += imm */
};

/* Register-offset extend (the "option" field, C6.2 LDR (register)). */
enum arm64_extend {
	ARM64_EXT_UXTW = 2,
	ARM64_EXT_LSL  = 3,  /* UXTX */
	ARM64_EXT_SXTW = 6,
	ARM64_EXT_SXTX = 7,
};

struct arm64_ldst {
	const char *mnemonic;  /* "ldrsh", "stp", ... for logs */
	bool is_store;
	bool pair;             /* two accesses: Rt at addr, Rt2 at addr+size */
	unsigned size;         /* bytes per register transferred: 1, 2, 4, 8 */
	bool sign_extend;      /* loads: sign-extend size*8 bits ... */
	bool dst64;            /* ... to 64 bits (Xt) or to 32 then zero the top (Wt) */
	unsigned rt, rt2, rn;  /* rt2 only for pairs */
	enum arm64_addr_mode mode;
	bool writeback;        /* pre/post index: base register updated */
	bool reg_offset;       /* offset is from Rm, else imm */
	int64_t imm;           /* byte offset, already scaled and sign-extended */
	unsigned rm;           /* register offset: Rm (31 = XZR) */
	enum arm64_extend extend;
	unsigned shift;        /* register offset: left shift after extend */
};

/* Decode insn (little-endian word as fetched). Returns 0 and fills *d, or
 * -1 when the instruction is not a decodable load/store (*d then holds
 * only a mnemonic-free zero state, and *why a static reason). Never
 * asserts: every 32-bit value is a valid input. */
int arm64_decode_ldst(uint32_t insn, struct arm64_ldst *d, const char **why);

/* Virtual address of the first access (of Rt). Rt2's is this + size. */
uint64_t arm64_ldst_address(const struct arm64_ldst *d, const struct arm64_regs *r);

/* The base register's value after the instruction (== base unless
 * writeback). Does not modify r. */
uint64_t arm64_ldst_new_base(const struct arm64_ldst *d, const struct arm64_regs *r);

/* Extend a loaded value of d->size bytes to the register value per
 * sign_extend/dst64 (32-bit results zero bits [63:32]). */
uint64_t arm64_ldst_extend(const struct arm64_ldst *d, uint64_t raw);

/* Shared by the ISV=1 path: extend `size` bytes, sign or zero, to a 64-bit
 * (sf) or 32-bit register value. */
uint64_t arm64_extend_load(uint64_t raw, unsigned size, bool sign, bool sf);

#endif
