/*
 * ESR_EL2 (Exception Syndrome Register, EL2) decoding.
 *
 * Every exit from an arm64 guest that the VMM handles carries an ESR value:
 * KVM hands over the ISS of a data abort (KVM_EXIT_ARM_NISV) or reports
 * HVC/SMC/sysreg exits already decoded, and Hypervisor.framework gives the
 * raw 64-bit syndrome (hv_vcpu_exit_t.exception.syndrome) for every trap.
 * arm64_esr_decode() is a pure function from that value to named fields so
 * neither backend pokes at bits by hand.
 *
 * Layout (Arm ARM DDI 0487, register description "ESR_EL2, Exception
 * Syndrome Register (EL2)"): ISS2 [55:32], EC [31:26],
 * IL [25], ISS [24:0]. The ISS layouts used below are the ones named in the
 * same section: "ISS encoding for an exception from a Data Abort",
 * "... from an Instruction Abort", "... from MSR, MRS, or System instruction
 * execution in AArch64 state", "... from a WFI or WFE instruction",
 * "... from an HVC or SVC instruction" / "... SMC instruction",
 * "... from a BRK instruction".
 */
#ifndef VIBE_ARM64_ESR_H
#define VIBE_ARM64_ESR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Exception classes (ESR_ELx.EC). Only those a VMM acts on get a symbol;
 * arm64_ec_name() names every class the Arm ARM defines. */
enum arm64_ec {
	ARM64_EC_UNKNOWN    = 0x00,
	ARM64_EC_WFX        = 0x01,
	ARM64_EC_SVE_SIMD   = 0x07,
	ARM64_EC_HVC32      = 0x12,
	ARM64_EC_SMC32      = 0x13,
	ARM64_EC_SVC64      = 0x15,
	ARM64_EC_HVC64      = 0x16,
	ARM64_EC_SMC64      = 0x17,
	ARM64_EC_SYS64      = 0x18,
	ARM64_EC_IABT_LOW   = 0x20,
	ARM64_EC_IABT_CUR   = 0x21,
	ARM64_EC_PC_ALIGN   = 0x22,
	ARM64_EC_DABT_LOW   = 0x24,
	ARM64_EC_DABT_CUR   = 0x25,
	ARM64_EC_SP_ALIGN   = 0x26,
	ARM64_EC_SERROR     = 0x2f,
	ARM64_EC_BKPT_LOW   = 0x30,
	ARM64_EC_SSTEP_LOW  = 0x32,
	ARM64_EC_WATCH_LOW  = 0x34,
	ARM64_EC_BRK64      = 0x3c,
};

/* Data/Instruction Fault Status Codes the VMM distinguishes (DFSC/IFSC
 * [5:0]). Level-carrying codes have the level in bits [1:0]; the LPA2
 * "level -1" forms are separate codes. */
#define ARM64_FSC_ADDR_SIZE(l)   (0x00u + (l)) /* 0b0000LL */
#define ARM64_FSC_TRANSLATION(l) (0x04u + (l)) /* 0b0001LL */
#define ARM64_FSC_ACCESS(l)      (0x08u + (l)) /* 0b0010LL */
#define ARM64_FSC_PERMISSION(l)  (0x0cu + (l)) /* 0b0011LL */
#define ARM64_FSC_SEA            0x10u         /* sync external abort, not on walk */
#define ARM64_FSC_SEA_WALK(l)    (0x14u + (l)) /* 0b0101LL */
#define ARM64_FSC_ALIGNMENT      0x21u

enum arm64_fsc_kind {
	ARM64_FSC_K_OTHER = 0,
	ARM64_FSC_K_ADDR_SIZE,
	ARM64_FSC_K_TRANSLATION,
	ARM64_FSC_K_ACCESS_FLAG,
	ARM64_FSC_K_PERMISSION,
	ARM64_FSC_K_EXTERNAL,      /* synchronous external abort (any form) */
	ARM64_FSC_K_ALIGNMENT,
};

/* ISS for EC 0x24/0x25 (data abort) and, where marked, 0x20/0x21. */
struct arm64_abort_iss {
	bool isv;        /* [24] bits [23:14] below are valid */
	unsigned sas;    /* [23:22] access size, log2 bytes (ISV only) */
	unsigned size;   /* 1 << sas, in bytes (ISV only) */
	bool sse;        /* [21] sign-extend the loaded value (ISV only) */
	unsigned srt;    /* [20:16] Xt/Wt; 31 means XZR here, not SP (ISV only) */
	bool sf;         /* [15] register is 64-bit (ISV only) */
	bool ar;         /* [14] acquire/release semantics (ISV only) */
	bool vncr;       /* [13] fault came from a VNCR_EL2-relative access */
	unsigned set;    /* [12:11] synchronous error type (FEAT_RAS) */
	bool fnv;        /* [10] FAR not valid (IABT too) */
	bool ea;         /* [9] external abort type (IABT too) */
	bool cm;         /* [8] cache maintenance / address translation insn */
	bool s1ptw;      /* [7] stage-2 fault on a stage-1 table walk (IABT too) */
	bool wnr;        /* [6] write, not read */
	unsigned fsc;    /* [5:0] DFSC / IFSC */
	enum arm64_fsc_kind fsc_kind;
	int fsc_level;   /* -1..3 for level-carrying codes; -2 when not applicable */
};

/* ISS for EC 0x18: trapped MSR, MRS or System instruction. */
struct arm64_sysreg_iss {
	unsigned op0;    /* [21:20] */
	unsigned op2;    /* [19:17] */
	unsigned op1;    /* [16:14] */
	unsigned crn;    /* [13:10] */
	unsigned rt;     /* [9:5] 31 = XZR */
	unsigned crm;    /* [4:1] */
	bool is_read;    /* [0] Direction: 1 = MRS (read into Rt) */
};

/* ISS for EC 0x01: WFI/WFE/WFIT/WFET. */
struct arm64_wfx_iss {
	unsigned ti;     /* [1:0] 0 WFI, 1 WFE, 2 WFIT, 3 WFET */
	bool rv;         /* [2] rn valid (WFIT/WFET timeout register) */
	unsigned rn;     /* [9:5] */
};

struct arm64_esr {
	uint64_t raw;
	unsigned ec;     /* [31:26] */
	bool il;         /* [25] 32-bit instruction (PC advances by 4, else 2) */
	uint32_t iss;    /* [24:0] */
	uint32_t iss2;   /* [55:32] */
	uint16_t imm16;  /* HVC/SMC/SVC immediate, BRK comment (ISS[15:0]) */
	struct arm64_abort_iss abt;     /* EC 0x20, 0x21, 0x24, 0x25 */
	struct arm64_sysreg_iss sys;    /* EC 0x18 */
	struct arm64_wfx_iss wfx;       /* EC 0x01 */
};

/* KVM_EXIT_ARM_NISV reports only a sanitized ISS (CM, WnR and DFSC, from
 * kvm_vcpu_dabt_iss_nisv_sanitized()) plus the fault IPA: rebuild the data
 * abort syndrome (EC 0x24, IL = 1) that arm64_emulate_dabt() takes. */
static inline uint64_t arm64_esr_from_kvm_nisv(uint64_t esr_iss)
{
	return (uint64_t)ARM64_EC_DABT_LOW << 26 | 1ull << 25 | (esr_iss & 0x1ffffff);
}

/* The 16-bit system register number op0:op1:CRn:CRm:op2 (bits [15:14],
 * [13:11], [10:7], [6:3], [2:0]) of a trapped MSR/MRS: the same numbering
 * as Hypervisor.framework's hv_sys_reg_t (CNTV_CTL_EL0 = 0xdf19) and
 * Linux's sys_reg() >> 5, so a backend can switch on it directly. */
static inline uint16_t arm64_sysreg_id(const struct arm64_sysreg_iss *s)
{
	return (uint16_t)(s->op0 << 14 | s->op1 << 11 | s->crn << 7 | s->crm << 3 | s->op2);
}

/* Pure: decode every field relevant to raw's EC; the rest stay zero. */
void arm64_esr_decode(uint64_t raw, struct arm64_esr *out);

bool arm64_esr_is_dabt(const struct arm64_esr *e);
bool arm64_esr_is_iabt(const struct arm64_esr *e);

/* "data abort from a lower EL", ...; every unallocated class returns the
 * same "reserved exception class" string. Never NULL. */
const char *arm64_ec_name(unsigned ec);

/* "translation fault, level 3", "alignment fault", ... into buf. */
const char *arm64_fsc_name(unsigned fsc, char *buf, size_t n);

/* One log line: EC name and the fields of that class. Returns buf. */
const char *arm64_esr_str(const struct arm64_esr *e, char *buf, size_t n);

#endif
