/*
 * Data-abort emulation end to end: syndrome (ISV=1) or instruction fetched
 * from fake guest RAM (ISV=0, MMU off and on), device accesses recorded by
 * a callback, then the register file checked: extension, W-result zeroing,
 * XZR/SP, writeback (including the CONSTRAINED UNPREDICTABLE overlaps),
 * PC advance, and every path that must inject an abort instead.
 * Instruction encodings are GNU as output (see test_insn.c).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "arch/arm64/emulate.h"
#include "fake_ram.h"
#include "vibe/guest_mem.h"

#define RAM_BASE  0x40000000ull
#define RAM_SIZE  0x01000000ull
#define CODE      0x40001000ull      /* PC for ISV=0 cases */
#define DEV       0x09000000ull      /* MMIO: anything not RAM */
#define BUSERR    0x0a000000ull      /* MMIO page whose device fails */
#define PSTATE_EL1H 0x5ull

#define ESR_DABT_RD 0x92000007ull    /* EC 0x24, IL, ISV=0, translation L3 */
#define ESR_DABT_WR 0x92000047ull    /* ... WnR */

struct acc { uint64_t ipa; unsigned size; bool write; uint64_t val; };
static struct acc log_[8];
static unsigned nlog;
static uint64_t reads[4];            /* values device reads return, in order */
static unsigned nread;

static int access_cb(void *opaque, uint64_t ipa, unsigned size, bool write, uint64_t *val)
{
	uint8_t *p;

	assert_ptr_equal(opaque, &nlog);
	if ((ipa & ~0xfffull) == BUSERR)
		return -1;
	p = guest_ptr(fake_vm(), ipa, size);    /* a pair may touch RAM too */
	if (p && write) {
		for (unsigned i = 0; i < size; i++)
			p[i] = (uint8_t)(*val >> (8 * i));
	} else if (p) {
		*val = 0;
		for (unsigned i = size; i-- > 0;)
			*val = *val << 8 | p[i];
	} else if (!write) {
		*val = nread < 4 ? reads[nread++] : 0x5a5a5a5a5a5a5a5aull;
	}
	if (nlog < 8)
		log_[nlog++] = (struct acc){ ipa, size, write, *val };
	return 0;
}

static struct arm64_regs regs;
static struct arm64_emu emu;
static struct arm64_emu_result res;

static int setup(void **state)
{
	(void)state;
	fake_ram_reset();
	fake_ram_add(RAM_BASE, RAM_SIZE);
	memset(&regs, 0, sizeof(regs));
	for (unsigned i = 0; i < 31; i++)
		regs.x[i] = 0x1111111111111111ull * (i % 15 + 1);
	regs.sp = 0x40800000;
	regs.pc = CODE;
	regs.pstate = PSTATE_EL1H;
	memset(&emu, 0, sizeof(emu));
	emu.regs = &regs;
	emu.vm = fake_vm();
	emu.access = access_cb;
	emu.opaque = &nlog;
	nlog = nread = 0;
	memset(reads, 0, sizeof(reads));
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	fake_ram_reset();
	return 0;
}

static enum arm64_emu_status run(uint64_t esr_raw, uint64_t fault_ipa)
{
	struct arm64_esr e;
	arm64_esr_decode(esr_raw, &e);
	arm64_emulate_dabt(&emu, &e, fault_ipa, &res);
	print_message("  esr %08llx ipa %llx -> %s: %s\n", (unsigned long long)esr_raw,
		      (unsigned long long)fault_ipa, arm64_emu_status_name(res.status), res.why);
	return res.status;
}

/* ISV=0: put insn at PC and emulate */
static enum arm64_emu_status run_insn(uint32_t insn, bool write, uint64_t fault_ipa)
{
	fake_put32(regs.pc, insn);
	return run(write ? ESR_DABT_WR : ESR_DABT_RD, fault_ipa);
}

static void expect_acc(unsigned i, uint64_t ipa, unsigned size, bool write, uint64_t val)
{
	assert_true(i < nlog);
	assert_int_equal(log_[i].ipa, ipa);
	assert_int_equal(log_[i].size, size);
	assert_int_equal(log_[i].write, write);
	assert_int_equal(log_[i].val, val);
}

/* ---- ISV = 1 --------------------------------------------------------- */

static void test_isv_store_and_loads(void **state)
{
	(void)state;
	regs.x[1] = 0xdeadbeef12345678ull;
	assert_int_equal(run(0x93810047, DEV + 0x10), ARM64_EMU_DONE);   /* str w1 */
	expect_acc(0, DEV + 0x10, 4, true, 0x12345678);
	assert_int_equal(regs.pc, CODE + 4);
	assert_int_equal(res.naccess, 1);

	reads[0] = 0x8001;
	assert_int_equal(run(0x93638006, DEV + 0x22), ARM64_EMU_DONE);   /* ldrsh x3 */
	assert_int_equal(regs.x[3], 0xffffffffffff8001ull);

	/* ldr w (SAS 2, SF 0): a device returning junk above the size is cut,
	 * and the W write zeroes the top half */
	reads[1] = 0xffffffffffffffffull;
	regs.x[4] = 0x1234;
	assert_int_equal(run(0x93840007, DEV), ARM64_EMU_DONE);
	assert_int_equal(regs.x[4], 0xffffffffull);

	/* str xzr: SRT 31 stores zero */
	assert_int_equal(run(0x93df8047, DEV + 8), ARM64_EMU_DONE);
	expect_acc(nlog - 1, DEV + 8, 8, true, 0);
	assert_int_equal(regs.pc, CODE + 16);
}

static void test_isv_load_to_xzr_and_il(void **state)
{
	struct arm64_regs before;
	(void)state;
	before = regs;
	reads[0] = 0xff;
	assert_int_equal(run(0x931f4004, DEV), ARM64_EMU_DONE);   /* ldarb wzr */
	assert_int_equal(nlog, 1);                                 /* read still happens */
	assert_memory_equal(regs.x, before.x, sizeof(regs.x));
	assert_int_equal(regs.sp, before.sp);
	/* IL = 0 (T32 16-bit): PC advances by 2 */
	assert_int_equal(run(0x91810047 & ~(1ull << 25), DEV), ARM64_EMU_DONE);
	assert_int_equal(regs.pc, CODE + 4 + 2);
}

static void test_big_endian_data(void **state)
{
	(void)state;
	regs.x[1] = 0x11223344;
	emu.s1.sctlr = 1ull << 25;                 /* EE: EL1 data big-endian */
	assert_int_equal(run(0x93810047, DEV), ARM64_EMU_DONE);
	expect_acc(0, DEV, 4, true, 0x44332211);
	reads[0] = 0x0180;                          /* bus bytes 80 01 -> BE 0x8001 */
	assert_int_equal(run(0x93638006, DEV), ARM64_EMU_DONE);
	assert_int_equal(regs.x[3], 0xffffffffffff8001ull);
	/* EL0 uses E0E, not EE */
	regs.pstate = 0;
	assert_int_equal(run(0x93810047, DEV), ARM64_EMU_DONE);
	expect_acc(2, DEV, 4, true, 0x11223344);
	emu.s1.sctlr = 1ull << 24;
	assert_int_equal(run(0x93810047, DEV), ARM64_EMU_DONE);
	expect_acc(3, DEV, 4, true, 0x44332211);
}

static void test_refused_syndromes(void **state)
{
	struct arm64_regs before = regs;
	(void)state;
	assert_int_equal(run(0x5a000000, DEV), ARM64_EMU_NOT_DABT);            /* HVC */
	assert_int_equal(run(0x92000087, DEV), ARM64_EMU_INJECT_ABORT);        /* S1PTW */
	assert_int_equal(run(0x93810247, DEV), ARM64_EMU_INJECT_ABORT);        /* EA */
	assert_int_equal(run(0x93810061, DEV), ARM64_EMU_INJECT_ABORT);        /* alignment */
	assert_int_equal(run(0x93810047, BUSERR), ARM64_EMU_INJECT_ABORT);     /* bus error */
	reads[0] = 1;
	assert_int_equal(run(0x93638006, BUSERR + 4), ARM64_EMU_INJECT_ABORT);
	assert_memory_equal(&regs, &before, sizeof(regs));   /* untouched, PC too */
	/* cache maintenance on MMIO: skipped, no access */
	assert_int_equal(run(0x92000147, DEV), ARM64_EMU_DONE);
	assert_int_equal(nlog, 0);
	assert_int_equal(regs.pc, CODE + 4);
}

/* ---- ISV = 0, MMU off -------------------------------------------------- */

static void test_pairs_with_writeback(void **state)
{
	(void)state;
	regs.sp = DEV + 0x110;
	regs.x[8] = 0x8888;
	regs.x[9] = 0x9999;
	assert_int_equal(run_insn(0xa9bf27e8, true, DEV + 0x100), ARM64_EMU_DONE); /* stp x8, x9, [sp, #-16]! */
	assert_int_equal(res.naccess, 2);
	expect_acc(0, DEV + 0x100, 8, true, 0x8888);
	expect_acc(1, DEV + 0x108, 8, true, 0x9999);
	assert_int_equal(regs.sp, DEV + 0x100);
	assert_int_equal(regs.pc, CODE + 4);

	reads[0] = 0x2929;
	reads[1] = 0x3030;
	regs.sp = DEV + 0x200;
	assert_int_equal(run_insn(0xa8c17bfd, false, DEV + 0x200), ARM64_EMU_DONE); /* ldp x29, x30, [sp], #16 */
	assert_int_equal(regs.x[29], 0x2929);
	assert_int_equal(regs.x[30], 0x3030);
	assert_int_equal(regs.sp, DEV + 0x210);
	expect_acc(2, DEV + 0x200, 8, false, 0x2929);

	reads[2] = 0x80000000;
	reads[3] = 0x7fffffff;
	regs.x[15] = DEV + 0x300;
	assert_int_equal(run_insn(0x694139ed, false, DEV + 0x308), ARM64_EMU_DONE); /* ldpsw x13, x14, [x15, #8] */
	assert_int_equal(regs.x[13], 0xffffffff80000000ull);
	assert_int_equal(regs.x[14], 0x7fffffff);
	assert_int_equal(regs.x[15], DEV + 0x300);
	expect_acc(5, DEV + 0x30c, 4, false, 0x7fffffff);
	assert_int_equal(regs.pc, CODE + 12);
}

static void test_w_pairs_and_singles(void **state)
{
	(void)state;
	nread = 0;
	reads[0] = 0xaaaaaaaa;
	reads[1] = 0xbbbbbbbb;
	regs.x[5] = regs.x[6] = ~0ull;
	regs.x[7] = DEV;
	assert_int_equal(run_insn(0x295f98e5, false, DEV + 252), ARM64_EMU_DONE); /* ldp w5, w6, [x7, #252] */
	assert_int_equal(regs.x[5], 0xaaaaaaaa);      /* top half zeroed */
	assert_int_equal(regs.x[6], 0xbbbbbbbb);

	reads[2] = 0x80;
	regs.x[20] = ~0ull;
	regs.x[21] = DEV + 0x41;
	assert_int_equal(run_insn(0x38dffeb4, false, DEV + 0x40), ARM64_EMU_DONE); /* ldrsb w20, [x21, #-1]! */
	assert_int_equal(regs.x[20], 0xffffff80);
	assert_int_equal(regs.x[21], DEV + 0x40);

	reads[3] = 0x1234;
	regs.x[19] = DEV + 0x50;
	assert_int_equal(run_insn(0xf85f0672, false, DEV + 0x50), ARM64_EMU_DONE); /* ldr x18, [x19], #-16 */
	assert_int_equal(regs.x[18], 0x1234);
	assert_int_equal(regs.x[19], DEV + 0x40);

	/* register offset with SP base: strh w12, [sp, x13, lsl #1] */
	regs.sp = DEV + 0x100;
	regs.x[13] = 0x10;
	regs.x[12] = 0xcafebabe;
	assert_int_equal(run_insn(0x782d7bec, true, DEV + 0x120), ARM64_EMU_DONE);
	expect_acc(4, DEV + 0x120, 2, true, 0xbabe);
	assert_int_equal(regs.sp, DEV + 0x100);
	assert_int_equal(regs.pc, CODE + 16);
}

static void test_xzr_and_overlaps(void **state)
{
	struct arm64_regs before;
	(void)state;
	regs.x[0] = DEV;
	assert_int_equal(run_insn(0xa9007c1f, true, DEV), ARM64_EMU_DONE);   /* stp xzr, xzr, [x0] */
	expect_acc(0, DEV, 8, true, 0);
	expect_acc(1, DEV + 8, 8, true, 0);

	before = regs;
	regs.x[1] = DEV;
	before.x[1] = DEV;
	assert_int_equal(run_insn(0xf940003f, false, DEV), ARM64_EMU_DONE);   /* ldr xzr, [x1] */
	before.pc += 4;
	assert_memory_equal(&regs, &before, sizeof(regs));

	/* ldr x0, [x0, #8]!: loaded value wins, writeback suppressed */
	reads[1] = 0x4242;
	regs.x[0] = DEV;
	assert_int_equal(run_insn(0xf8408c00, false, DEV + 8), ARM64_EMU_DONE);
	assert_int_equal(regs.x[0], 0x4242);
	/* str x1, [x1], #8: stores the original base, then writes back */
	regs.x[1] = DEV + 0x18;
	assert_int_equal(run_insn(0xf8008421, true, DEV + 0x18), ARM64_EMU_DONE);
	expect_acc(nlog - 1, DEV + 0x18, 8, true, DEV + 0x18);
	assert_int_equal(regs.x[1], DEV + 0x20);
	/* ldp x2, x3, [x2], #16: x2 keeps the loaded value */
	reads[2] = 0x22;
	reads[3] = 0x33;
	regs.x[2] = DEV + 0x30;
	assert_int_equal(run_insn(0xa8c10c42, false, DEV + 0x30), ARM64_EMU_DONE);
	assert_int_equal(regs.x[2], 0x22);
	assert_int_equal(regs.x[3], 0x33);
	/* ldp x4, x4, [x5]: defined here as the second load winning */
	nread = 0;
	reads[0] = 0x44;
	reads[1] = 0x55;
	regs.x[5] = DEV + 0x40;
	assert_int_equal(run_insn(0xa94010a4, false, DEV + 0x40), ARM64_EMU_DONE);
	assert_int_equal(regs.x[4], 0x55);
}

static void test_pair_straddling_ram_and_mmio(void **state)
{
	(void)state;
	/* RAM ends at 0x41000000; put device space right after it */
	fake_put64(RAM_BASE + RAM_SIZE - 8, 0x0123456789abcdefull);
	reads[0] = 0xfeed;
	regs.x[2] = RAM_BASE + RAM_SIZE - 8;
	assert_int_equal(run_insn(0xa9400440, false, RAM_BASE + RAM_SIZE), ARM64_EMU_DONE); /* ldp x0, x1, [x2] */
	assert_int_equal(regs.x[0], 0x0123456789abcdefull);
	assert_int_equal(regs.x[1], 0xfeed);
}

static void test_isv0_refusals(void **state)
{
	struct arm64_regs before;
	(void)state;
	regs.x[1] = DEV;
	before = regs;
	/* undecodable: exclusive, SIMD; PC stays, insn reported */
	assert_int_equal(run_insn(0xc85f7c20, false, DEV), ARM64_EMU_INJECT_ABORT);  /* ldxr */
	assert_true(res.have_insn);
	assert_int_equal(res.insn, 0xc85f7c20);
	assert_int_equal(run_insn(0x3dc00020, false, DEV), ARM64_EMU_INJECT_ABORT);  /* ldr q0 */
	/* WnR disagrees with the decoded direction */
	assert_int_equal(run_insn(0xf9400020, true, DEV), ARM64_EMU_INJECT_ABORT);
	/* decoded address is not on the faulting page */
	assert_int_equal(run_insn(0xf9400020, false, DEV + 0x5000), ARM64_EMU_INJECT_ABORT);
	/* single element crossing a page */
	regs.x[1] = DEV + 0xffc;
	assert_int_equal(run_insn(0xf9400020, false, DEV + 0xffc), ARM64_EMU_INJECT_ABORT);
	regs.x[1] = DEV;
	/* second access of a pair hits a failing device: no register written */
	regs.x[2] = BUSERR - 8;
	before.x[2] = regs.x[2];
	assert_int_equal(run_insn(0xa9400440, false, BUSERR - 8), ARM64_EMU_INJECT_ABORT);
	assert_int_equal(nlog, 1);
	assert_memory_equal(&regs, &before, sizeof(regs));
	/* AArch32 state: no A32/T32 decoder */
	regs.pstate = 0x10;
	assert_int_equal(run_insn(0xf9400020, false, DEV), ARM64_EMU_INJECT_ABORT);
	regs.pstate = PSTATE_EL1H;
	/* PC outside RAM, misaligned PC, no VM */
	regs.pc = DEV;
	assert_int_equal(run(ESR_DABT_RD, DEV), ARM64_EMU_INJECT_ABORT);
	assert_false(res.have_insn);
	regs.pc = CODE + 2;
	assert_int_equal(run(ESR_DABT_RD, DEV), ARM64_EMU_INJECT_ABORT);
	regs.pc = CODE;
	emu.vm = NULL;
	assert_int_equal(run(ESR_DABT_RD, DEV), ARM64_EMU_INJECT_ABORT);
	assert_int_equal(regs.pc, CODE);
}

/* ---- ISV = 0, MMU on ---------------------------------------------------- */

static void test_mmu_on(void **state)
{
	const uint64_t root = RAM_BASE + 0x200000, l1 = root + 0x1000, l2 = root + 0x2000;
	const uint64_t l3 = root + 0x3000;
	const uint64_t code_va = 0xffff000000001000ull, dev_va = 0xffff000000002000ull;
	(void)state;

	/* TTBR1, 48-bit, 4K: [0] -> l1 [0] -> l2 [0] -> l3; l3[1] code, l3[2] device */
	fake_put64(root, l1 | 3);
	fake_put64(l1, l2 | 3);
	fake_put64(l2, l3 | 3);
	fake_put64(l3 + 8, CODE | 0x403);
	fake_put64(l3 + 16, (DEV + 0x7000) | 0x403);
	emu.s1 = (struct arm64_s1_regs){ .sctlr = 1, .ttbr1 = root,
		.tcr = 16ull | 16ull << 16 | 2ull << 30 | 5ull << 32 };
	regs.pc = code_va;
	regs.sp = dev_va + 0x20;
	regs.x[8] = 1;
	regs.x[9] = 2;
	fake_put32(CODE, 0xa9bf27e8);                                      /* stp x8, x9, [sp, #-16]! */
	assert_int_equal(run(ESR_DABT_WR, DEV + 0x7010), ARM64_EMU_DONE);
	expect_acc(0, DEV + 0x7010, 8, true, 1);
	expect_acc(1, DEV + 0x7018, 8, true, 2);
	assert_int_equal(regs.sp, dev_va + 0x10);
	assert_int_equal(regs.pc, code_va + 4);

	/* data VA with no mapping: the walk fails, abort injected */
	fake_put32(CODE + 4, 0xf9400020);                                   /* ldr x0, [x1] */
	regs.x[1] = 0xffff000000003000ull;
	assert_int_equal(run(ESR_DABT_RD, DEV + 0x7000), ARM64_EMU_INJECT_ABORT);
	/* tables pointing outside RAM: clean failure */
	fake_put64(l2, 0x0b000000 | 3);
	regs.x[1] = dev_va;
	assert_int_equal(run(ESR_DABT_RD, DEV + 0x7000), ARM64_EMU_INJECT_ABORT);
	assert_false(res.have_insn);   /* PC's own walk went through the same table */
	assert_int_equal(regs.pc, code_va + 4);
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(test_isv_store_and_loads), T(test_isv_load_to_xzr_and_il), T(test_big_endian_data),
		T(test_refused_syndromes), T(test_pairs_with_writeback), T(test_w_pairs_and_singles),
		T(test_xzr_and_overlaps), T(test_pair_straddling_ram_and_mmio), T(test_isv0_refusals),
		T(test_mmu_on),
	};
	return cmocka_run_group_tests_name("arm64 MMIO emulation", tests, NULL, NULL);
}
