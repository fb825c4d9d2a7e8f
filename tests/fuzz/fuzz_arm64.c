/*
 * Fuzz target: the arm64 exit decoders (runtime/arch/arm64): ESR syndrome
 * decoding and printing, the A64 load/store decoder, and the whole
 * data-abort emulator (ISV = 1 from the syndrome; ISV = 0 by fetching the
 * instruction through the guest's stage-1 tables, decoding it and making
 * the accesses) over a fuzzed register file and guest RAM.
 *
 * Input: u32 insn, u64 esr, u64 fault_ipa, u64 sctlr, tcr, ttbr0, ttbr1,
 * u64 pstate, pc, sp, u8 flags, u8 print buffer size, 31 x u64 regs, then
 * the image of RAM at 0x4000_0000 (64 KiB; a second 4 KiB region at 0).
 * flags bit 0: put insn at pc (pc forced into RAM, so ISV = 0 reaches the
 * decoder without the fuzzer having to guess a RAM address); bit 1: aim
 * the decoded base register at fault_ipa's page (so accesses happen);
 * bit 2: the device answers some accesses with a bus error.
 *
 * Invariants besides ASan/UBSan: decoded fields are in range; ESR fields
 * match the raw bits; printed strings are NUL-terminated inside their
 * buffer; INJECT_ABORT/NOT_DABT leave the register file untouched; DONE
 * advances PC by 2 or 4 and changes only registers the access names;
 * the device sees at most two accesses of size 1, 2, 4 or 8.
 */
#include <stdbool.h>

#include "fuzz.h"
#include "fuzz_mem.h"
#include "arch/arm64/emulate.h"

#define RAM_BASE 0x40000000ull
#define RAM_SIZE 0x10000u

struct dev_state {
	unsigned calls;
	bool errors;
	uint64_t seed;
};

static int access_cb(void *opaque, uint64_t ipa, unsigned size, bool is_write, uint64_t *val)
{
	struct dev_state *s = opaque;
	FUZZ_CHECK(size == 1 || size == 2 || size == 4 || size == 8);
	FUZZ_CHECK(++s->calls <= ARM64_EMU_MAX_ACCESS);
	if (s->errors && ((ipa ^ s->seed) & 0x30) == 0)
		return -1;
	if (!is_write)
		*val = s->seed * 0x9e3779b97f4a7c15ull ^ ipa; /* all 64 bits set: extension must trim */
	return 0;
}

static void check_ldst(uint32_t insn)
{
	struct arm64_ldst d;
	const char *why = NULL;
	if (arm64_decode_ldst(insn, &d, &why) == 0) {
		FUZZ_CHECK(d.mnemonic != NULL);
		FUZZ_CHECK(d.size == 1 || d.size == 2 || d.size == 4 || d.size == 8);
		FUZZ_CHECK(d.rt < 32 && d.rt2 < 32 && d.rn < 32 && d.rm < 32 && d.shift < 64);
		FUZZ_CHECK(!d.writeback || d.mode != ARM64_AM_OFFSET);
		FUZZ_CHECK(!(d.is_store && d.sign_extend));
	} else {
		FUZZ_CHECK(why != NULL);
	}
}

static void check_esr(uint64_t raw, size_t bufsz)
{
	struct arm64_esr e;
	char small[128], big[512];
	arm64_esr_decode(raw, &e);
	FUZZ_CHECK(e.raw == raw && e.ec == ((raw >> 26) & 0x3f) && e.iss == (raw & 0x1ffffff));
	FUZZ_CHECK(e.il == ((raw >> 25) & 1));
	if (arm64_esr_is_dabt(&e) && e.abt.isv)
		FUZZ_CHECK(e.abt.size == 1u << e.abt.sas && e.abt.srt < 32);
	FUZZ_CHECK(arm64_ec_name(e.ec) != NULL);
	/* Truncation: every size from 1 byte up must stay inside the buffer. */
	if (bufsz) {
		memset(small, 'X', sizeof small);
		arm64_esr_str(&e, small, bufsz);
		FUZZ_CHECK(memchr(small, 0, bufsz) != NULL);
		arm64_fsc_name((unsigned)raw & 0x3f, small, bufsz);
		FUZZ_CHECK(memchr(small, 0, bufsz) != NULL);
	}
	arm64_esr_str(&e, big, sizeof big);
	FUZZ_CHECK(memchr(big, 0, sizeof big) != NULL);
}

static int one(const uint8_t *data, size_t size)
{
	struct fuzz_in in = { data, size };
	uint32_t insn = (uint32_t)fuzz_take(&in, 4);
	uint64_t raw = fuzz_take(&in, 8), fault_ipa = fuzz_take(&in, 8);
	struct arm64_regs regs = { 0 }, before;
	struct arm64_emu emu = { .regs = &regs };
	emu.s1.sctlr = fuzz_take(&in, 8);
	emu.s1.tcr = fuzz_take(&in, 8);
	emu.s1.ttbr0 = fuzz_take(&in, 8);
	emu.s1.ttbr1 = fuzz_take(&in, 8);
	regs.pstate = fuzz_take(&in, 8);
	regs.pc = fuzz_take(&in, 8);
	regs.sp = fuzz_take(&in, 8);
	unsigned flags = (unsigned)fuzz_take(&in, 1);
	size_t bufsz = (size_t)fuzz_take(&in, 1) % 129;
	for (unsigned i = 0; i < 31; i++)
		regs.x[i] = fuzz_take(&in, 8);

	check_ldst(insn);
	check_esr(raw, bufsz);

	fuzz_mem_reset();
	uint8_t *ram = fuzz_mem_add(RAM_BASE, RAM_SIZE, in.p, in.n);
	fuzz_mem_add(0x0, 0x1000, NULL, 0);
	emu.vm = fuzz_vm;

	struct arm64_esr e;
	arm64_esr_decode(raw, &e);
	if (flags & 1) {
		regs.pc = RAM_BASE + (regs.pc & (RAM_SIZE - 4));
		emu.s1.sctlr &= ~1ull; /* MMU off: VA = IPA, so pc really is RAM */
		memcpy(ram + (regs.pc - RAM_BASE), &insn, 4);
	}
	struct arm64_ldst d;
	const char *why;
	if ((flags & 2) && arm64_decode_ldst(insn, &d, &why) == 0) {
		/* Solve base + offset = fault_ipa for the base register. */
		uint64_t off = arm64_ldst_address(&d, &regs) - arm64_base_read(&regs, d.rn);
		arm64_base_write(&regs, d.rn, fault_ipa - off);
	}

	struct dev_state dev = { .errors = flags & 4, .seed = raw ^ fault_ipa };
	struct arm64_emu_result res;
	emu.access = access_cb;
	emu.opaque = &dev;
	before = regs;
	enum arm64_emu_status st = arm64_emulate_dabt(&emu, &e, fault_ipa, &res);

	FUZZ_CHECK(res.status == st && res.why != NULL);
	FUZZ_CHECK(arm64_emu_status_name(st) != NULL);
	FUZZ_CHECK(res.naccess <= ARM64_EMU_MAX_ACCESS && res.naccess <= dev.calls);
	if (st != ARM64_EMU_DONE) {
		FUZZ_CHECK(memcmp(&regs, &before, sizeof regs) == 0);
	} else {
		uint64_t step = regs.pc - before.pc;
		FUZZ_CHECK(step == 4 || (step == 2 && e.abt.isv && !e.il));
		/* Registers the access may change: the data registers and, with
		 * writeback, the base (31 = SP there). */
		bool may[32] = { false };
		if (res.have_insn) {
			FUZZ_CHECK(res.naccess == (res.ldst.pair ? 2u : 1u));
			/* Rt/Rt2 = 31 is XZR (never SP); Rn = 31 is SP. */
			if (res.ldst.rt < 31)
				may[res.ldst.rt] = !res.ldst.is_store;
			if (res.ldst.rt2 < 31)
				may[res.ldst.rt2] |= !res.ldst.is_store && res.ldst.pair;
			may[res.ldst.rn] |= res.ldst.writeback;
		} else if (e.abt.isv && !e.abt.cm) {
			FUZZ_CHECK(res.naccess == 1);
			if (e.abt.srt < 31)
				may[e.abt.srt] = !e.abt.wnr;
		}
		for (unsigned i = 0; i < 31; i++)
			FUZZ_CHECK(may[i] || regs.x[i] == before.x[i]);
		FUZZ_CHECK(may[31] || regs.sp == before.sp);
	}
	fuzz_mem_reset();
	return 0;
}

FUZZ_TARGET(arm64, one)
