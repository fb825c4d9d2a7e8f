/*
 * ESR_EL2 decoding: see esr.h for the register layout and the Arm ARM
 * sections each field comes from. Pure functions, no logging: the backends
 * log with arm64_esr_str() at the level they choose.
 */
#include "esr.h"

#include <stdio.h>
#include <string.h>

static inline unsigned bits(uint64_t v, unsigned hi, unsigned lo)
{
	return (unsigned)((v >> lo) & ((1ull << (hi - lo + 1)) - 1));
}

static inline bool bit(uint64_t v, unsigned n)
{
	return (v >> n) & 1;
}

/* Arm ARM, ESR_EL2 table of EC values: every allocated class, so a log
 * line names even the traps vibevmm does not handle. */
const char *arm64_ec_name(unsigned ec)
{
	switch (ec) {
	case 0x00: return "unknown reason";
	case 0x01: return "WFI/WFE";
	case 0x03: return "AArch32 MCR/MRC (cp15)";
	case 0x04: return "AArch32 MCRR/MRRC (cp15)";
	case 0x05: return "AArch32 MCR/MRC (cp14)";
	case 0x06: return "AArch32 LDC/STC (cp14)";
	case 0x07: return "SVE/SIMD/FP access";
	case 0x08: return "AArch32 VMRS (ID group trap)";
	case 0x09: return "pointer authentication instruction";
	case 0x0a: return "LD64B/ST64B";
	case 0x0c: return "AArch32 MRRC (cp14)";
	case 0x0d: return "branch target exception";
	case 0x0e: return "illegal execution state";
	case 0x11: return "AArch32 SVC";
	case 0x12: return "AArch32 HVC";
	case 0x13: return "AArch32 SMC";
	case 0x15: return "SVC64";
	case 0x16: return "HVC64";
	case 0x17: return "SMC64";
	case 0x18: return "MSR/MRS/system instruction";
	case 0x19: return "SVE access";
	case 0x1a: return "ERET/ERETAA/ERETAB";
	case 0x1b: return "TSTART";
	case 0x1c: return "pointer authentication failure";
	case 0x1d: return "SME access";
	case 0x1f: return "implementation defined (EL3)";
	case 0x20: return "instruction abort from a lower EL";
	case 0x21: return "instruction abort from the same EL";
	case 0x22: return "PC alignment fault";
	case 0x24: return "data abort from a lower EL";
	case 0x25: return "data abort from the same EL";
	case 0x26: return "SP alignment fault";
	case 0x27: return "memory operation exception";
	case 0x28: return "AArch32 floating-point exception";
	case 0x2c: return "AArch64 floating-point exception";
	case 0x2f: return "SError interrupt";
	case 0x30: return "breakpoint from a lower EL";
	case 0x31: return "breakpoint from the same EL";
	case 0x32: return "software step from a lower EL";
	case 0x33: return "software step from the same EL";
	case 0x34: return "watchpoint from a lower EL";
	case 0x35: return "watchpoint from the same EL";
	case 0x38: return "AArch32 BKPT";
	case 0x3a: return "AArch32 vector catch";
	case 0x3c: return "BRK64";
	default:   return "reserved exception class";
	}
}

/* Classify DFSC/IFSC (Arm ARM, ESR_EL2 "DFSC, bits [5:0]") into a kind
 * and a level. Level -1 exists only for the FEAT_LPA2 codes. */
static void fsc_classify(unsigned fsc, enum arm64_fsc_kind *kind, int *level)
{
	*level = -2;
	if (fsc <= 0x0f) {
		static const enum arm64_fsc_kind k[4] = {
			ARM64_FSC_K_ADDR_SIZE, ARM64_FSC_K_TRANSLATION,
			ARM64_FSC_K_ACCESS_FLAG, ARM64_FSC_K_PERMISSION,
		};
		*kind = k[fsc >> 2];
		*level = (int)(fsc & 3);
		return;
	}
	switch (fsc) {
	case 0x29: *kind = ARM64_FSC_K_ADDR_SIZE; *level = -1; return;
	case 0x2b: *kind = ARM64_FSC_K_TRANSLATION; *level = -1; return;
	case 0x10: case 0x18:
		*kind = ARM64_FSC_K_EXTERNAL; return;
	case 0x13: case 0x1b:
		*kind = ARM64_FSC_K_EXTERNAL; *level = -1; return;
	case 0x14: case 0x15: case 0x16: case 0x17:
	case 0x1c: case 0x1d: case 0x1e: case 0x1f:
		*kind = ARM64_FSC_K_EXTERNAL; *level = (int)(fsc & 3); return;
	case 0x21: *kind = ARM64_FSC_K_ALIGNMENT; return;
	default:   *kind = ARM64_FSC_K_OTHER; return;
	}
}

const char *arm64_fsc_name(unsigned fsc, char *buf, size_t n)
{
	enum arm64_fsc_kind kind;
	int level;
	const char *what = NULL;

	fsc_classify(fsc, &kind, &level);
	switch (fsc) {
	case 0x10: what = "synchronous external abort"; break;
	case 0x11: what = "synchronous tag check fault"; break;
	case 0x18: what = "synchronous parity/ECC error"; break;
	case 0x21: what = "alignment fault"; break;
	case 0x30: what = "TLB conflict abort"; break;
	case 0x31: what = "unsupported atomic hardware update fault"; break;
	case 0x34: what = "implementation defined fault (lockdown)"; break;
	case 0x35: what = "implementation defined fault (unsupported exclusive or atomic)"; break;
	default: break;
	}
	if (what) {
		snprintf(buf, n, "%s", what);
		return buf;
	}
	switch (kind) {
	case ARM64_FSC_K_ADDR_SIZE:   what = "address size fault"; break;
	case ARM64_FSC_K_TRANSLATION: what = "translation fault"; break;
	case ARM64_FSC_K_ACCESS_FLAG: what = "access flag fault"; break;
	case ARM64_FSC_K_PERMISSION:  what = "permission fault"; break;
	case ARM64_FSC_K_EXTERNAL:
		what = (fsc & 0x08) ? "synchronous parity/ECC error on table walk"
				    : "synchronous external abort on table walk";
		break;
	default:
		snprintf(buf, n, "reserved fault status 0x%02x", fsc);
		return buf;
	}
	snprintf(buf, n, "%s, level %d", what, level);
	return buf;
}

bool arm64_esr_is_dabt(const struct arm64_esr *e)
{
	return e->ec == ARM64_EC_DABT_LOW || e->ec == ARM64_EC_DABT_CUR;
}

bool arm64_esr_is_iabt(const struct arm64_esr *e)
{
	return e->ec == ARM64_EC_IABT_LOW || e->ec == ARM64_EC_IABT_CUR;
}

void arm64_esr_decode(uint64_t raw, struct arm64_esr *e)
{
	memset(e, 0, sizeof(*e));
	e->raw = raw;
	e->ec = bits(raw, 31, 26);
	e->il = bit(raw, 25);
	e->iss = bits(raw, 24, 0);
	e->iss2 = bits(raw, 55, 32);
	e->abt.fsc_level = -2;

	switch (e->ec) {
	case ARM64_EC_SVC64: case ARM64_EC_HVC64: case ARM64_EC_SMC64:
	case ARM64_EC_HVC32: case ARM64_EC_SMC32: case ARM64_EC_BRK64:
		/* imm16 (HVC/SVC/SMC #imm) or BRK's comment field; for SMC32
		 * the ISS holds a condition instead, but bits [15:0] are 0. */
		e->imm16 = (uint16_t)bits(raw, 15, 0);
		break;
	case ARM64_EC_SYS64:
		e->sys.op0 = bits(raw, 21, 20);
		e->sys.op2 = bits(raw, 19, 17);
		e->sys.op1 = bits(raw, 16, 14);
		e->sys.crn = bits(raw, 13, 10);
		e->sys.rt = bits(raw, 9, 5);
		e->sys.crm = bits(raw, 4, 1);
		e->sys.is_read = bit(raw, 0);
		break;
	case ARM64_EC_WFX:
		e->wfx.ti = bits(raw, 1, 0);
		e->wfx.rv = bit(raw, 2);
		e->wfx.rn = bits(raw, 9, 5);
		break;
	case ARM64_EC_DABT_LOW: case ARM64_EC_DABT_CUR:
		e->abt.isv = bit(raw, 24);
		/* "ISS encoding for an exception from a Data Abort": bits
		 * [23:14] are RES0 when ISV is 0, so only trust them with
		 * ISV; leaving them 0 otherwise stops a caller from using
		 * stale SRT/SAS on the ISV=0 path by accident. */
		if (e->abt.isv) {
			e->abt.sas = bits(raw, 23, 22);
			e->abt.size = 1u << e->abt.sas;
			e->abt.sse = bit(raw, 21);
			e->abt.srt = bits(raw, 20, 16);
			e->abt.sf = bit(raw, 15);
			e->abt.ar = bit(raw, 14);
		}
		e->abt.vncr = bit(raw, 13);
		e->abt.cm = bit(raw, 8);
		e->abt.wnr = bit(raw, 6);
		/* the fields shared with instruction aborts follow */
		__attribute__((fallthrough));
	case ARM64_EC_IABT_LOW: case ARM64_EC_IABT_CUR:
		e->abt.set = bits(raw, 12, 11);
		e->abt.fnv = bit(raw, 10);
		e->abt.ea = bit(raw, 9);
		e->abt.s1ptw = bit(raw, 7);
		e->abt.fsc = bits(raw, 5, 0);
		fsc_classify(e->abt.fsc, &e->abt.fsc_kind, &e->abt.fsc_level);
		break;
	default:
		break;
	}
}

static const char *reg_name(unsigned r, char *buf, size_t n)
{
	if (r == 31)
		snprintf(buf, n, "xzr");
	else
		snprintf(buf, n, "x%u", r);
	return buf;
}

const char *arm64_esr_str(const struct arm64_esr *e, char *buf, size_t n)
{
	char f[80], r[8], *start = buf;
	int len;

	len = snprintf(buf, n, "ESR 0x%llx EC 0x%02x (%s) IL=%d",
		       (unsigned long long)e->raw, e->ec, arm64_ec_name(e->ec), e->il);
	if (len < 0 || (size_t)len >= n)
		return start;
	buf += len;
	n -= (size_t)len;

	switch (e->ec) {
	case ARM64_EC_DABT_LOW: case ARM64_EC_DABT_CUR:
		if (e->abt.isv)
			len = snprintf(buf, n, " ISV=1 size=%u SSE=%d SRT=%s SF=%d AR=%d",
				       e->abt.size, e->abt.sse, reg_name(e->abt.srt, r, sizeof(r)),
				       e->abt.sf, e->abt.ar);
		else
			len = snprintf(buf, n, " ISV=0");
		if (len < 0 || (size_t)len >= n)
			return start;
		snprintf(buf + len, n - (size_t)len,
			 " WnR=%d S1PTW=%d EA=%d CM=%d FnV=%d DFSC=0x%02x (%s)",
			 e->abt.wnr, e->abt.s1ptw, e->abt.ea, e->abt.cm, e->abt.fnv,
			 e->abt.fsc, arm64_fsc_name(e->abt.fsc, f, sizeof(f)));
		break;
	case ARM64_EC_IABT_LOW: case ARM64_EC_IABT_CUR:
		snprintf(buf, n, " S1PTW=%d EA=%d FnV=%d IFSC=0x%02x (%s)",
			 e->abt.s1ptw, e->abt.ea, e->abt.fnv, e->abt.fsc,
			 arm64_fsc_name(e->abt.fsc, f, sizeof(f)));
		break;
	case ARM64_EC_SYS64:
		snprintf(buf, n, " %s S%u_%u_C%u_C%u_%u %s %s",
			 e->sys.is_read ? "MRS" : "MSR", e->sys.op0, e->sys.op1,
			 e->sys.crn, e->sys.crm, e->sys.op2,
			 e->sys.is_read ? "->" : "<-", reg_name(e->sys.rt, r, sizeof(r)));
		break;
	case ARM64_EC_WFX: {
		static const char *const ti[4] = { "WFI", "WFE", "WFIT", "WFET" };
		if (e->wfx.rv)
			snprintf(buf, n, " %s %s", ti[e->wfx.ti], reg_name(e->wfx.rn, r, sizeof(r)));
		else
			snprintf(buf, n, " %s", ti[e->wfx.ti]);
		break;
	}
	case ARM64_EC_HVC64: case ARM64_EC_SMC64: case ARM64_EC_SVC64:
	case ARM64_EC_HVC32: case ARM64_EC_BRK64:
		snprintf(buf, n, " imm16=0x%04x", e->imm16);
		break;
	default:
		snprintf(buf, n, " ISS=0x%07x", e->iss);
		break;
	}
	return start;
}
