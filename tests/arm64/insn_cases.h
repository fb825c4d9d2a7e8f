/*
 * The A64 load/store cases shared by test_insn.c (decoder checks) and
 * test_insn_gas.c (re-assembles each text with GNU as and compares the
 * encoding, so a typo in a hex value here cannot hide). Encodings came from
 * `aarch64-linux-gnu-as -march=armv8.5-a+memtag+pauth` + objdump.
 */
#ifndef VIBE_TEST_INSN_CASES_H
#define VIBE_TEST_INSN_CASES_H

#include <stdbool.h>
#include <stdint.h>

#include "arch/arm64/insn.h"

enum { OFF = ARM64_AM_OFFSET, PRE = ARM64_AM_PRE_INDEX, POST = ARM64_AM_POST_INDEX };
enum { W = 0, X = 1 };   /* destination register width of a load */

struct row {
	uint32_t insn;
	const char *text;
	bool st, pair, sx, d64, regoff;
	unsigned size, rt, rt2, rn, mode;
	int64_t imm;
	unsigned rm, ext, shift;
};

/* single register, immediate: LD(size, sign, width, rt, rn, mode, imm) */
#define LD(i, t, sz, s, w, rt_, rn_, m, im) \
	{ .insn = i, .text = t, .size = sz, .sx = s, .d64 = w, .rt = rt_, .rn = rn_, .mode = m, .imm = im }
#define ST(i, t, sz, rt_, rn_, m, im) \
	{ .insn = i, .text = t, .st = 1, .size = sz, .d64 = sz == 8, .rt = rt_, .rn = rn_, .mode = m, .imm = im }
/* register offset */
#define RO(i, t, st_, sz, s, w, rt_, rn_, rm_, ex, sh) \
	{ .insn = i, .text = t, .st = st_, .size = sz, .sx = s, .d64 = w, .rt = rt_, .rn = rn_, \
	  .mode = OFF, .regoff = 1, .rm = rm_, .ext = ex, .shift = sh }
/* pair */
#define PR(i, t, st_, sz, s, w, rt_, rt2_, rn_, m, im) \
	{ .insn = i, .text = t, .st = st_, .pair = 1, .size = sz, .sx = s, .d64 = w, .rt = rt_, \
	  .rt2 = rt2_, .rn = rn_, .mode = m, .imm = im }

static const struct row rows[] = {
	/* unsigned immediate: imm12 scaled by size */
	LD(0xf9400020, "ldr x0, [x1]",               8, 0, X, 0, 1, OFF, 0),
	LD(0xf97ffffe, "ldr x30, [sp, #32760]",      8, 0, X, 30, 31, OFF, 32760),
	LD(0xb9400462, "ldr w2, [x3, #4]",           4, 0, W, 2, 3, OFF, 4),
	LD(0x397ffca4, "ldrb w4, [x5, #4095]",       1, 0, W, 4, 5, OFF, 4095),
	LD(0x797ffce6, "ldrh w6, [x7, #8190]",       2, 0, W, 6, 7, OFF, 8190),
	LD(0x39800528, "ldrsb x8, [x9, #1]",         1, 1, X, 8, 9, OFF, 1),
	LD(0x39c0096a, "ldrsb w10, [x11, #2]",       1, 1, W, 10, 11, OFF, 2),
	LD(0x79800dac, "ldrsh x12, [x13, #6]",       2, 1, X, 12, 13, OFF, 6),
	LD(0x79c011ee, "ldrsh w14, [x15, #8]",       2, 1, W, 14, 15, OFF, 8),
	LD(0xb9bffe30, "ldrsw x16, [x17, #16380]",   4, 1, X, 16, 17, OFF, 16380),
	ST(0xf9000672, "str x18, [x19, #8]",         8, 18, 19, OFF, 8),
	ST(0xb90002b4, "str w20, [x21]",             4, 20, 21, OFF, 0),
	ST(0x39000edf, "strb wzr, [x22, #3]",        1, 31, 22, OFF, 3),
	ST(0x790007f7, "strh w23, [sp, #2]",         2, 23, 31, OFF, 2),
	ST(0xf900001f, "str xzr, [x0]",              8, 31, 0, OFF, 0),
	/* unscaled immediate (LDUR/STUR): imm9 in bytes */
	LD(0xf8500041, "ldur x1, [x2, #-256]",       8, 0, X, 1, 2, OFF, -256),
	LD(0xb84ff083, "ldur w3, [x4, #255]",        4, 0, W, 3, 4, OFF, 255),
	LD(0x38dff0c5, "ldursb w5, [x6, #-1]",       1, 1, W, 5, 6, OFF, -1),
	LD(0x789fe107, "ldursh x7, [x8, #-2]",       2, 1, X, 7, 8, OFF, -2),
	LD(0xb89fc149, "ldursw x9, [x10, #-4]",      4, 1, X, 9, 10, OFF, -4),
	ST(0x3800118b, "sturb w11, [x12, #1]",       1, 11, 12, OFF, 1),
	ST(0x781fd1cd, "sturh w13, [x14, #-3]",      2, 13, 14, OFF, -3),
	ST(0xf81f83ef, "stur x15, [sp, #-8]",        8, 15, 31, OFF, -8),
	/* pre/post index with writeback */
	LD(0xf8410e30, "ldr x16, [x17, #16]!",       8, 0, X, 16, 17, PRE, 16),
	LD(0xf85f0672, "ldr x18, [x19], #-16",       8, 0, X, 18, 19, POST, -16),
	LD(0x38dffeb4, "ldrsb w20, [x21, #-1]!",     1, 1, W, 20, 21, PRE, -1),
	LD(0x784026f6, "ldrh w22, [x23], #2",        2, 0, W, 22, 23, POST, 2),
	ST(0xb81fcff8, "str w24, [sp, #-4]!",        4, 24, 31, PRE, -4),
	ST(0x380ff759, "strb w25, [x26], #255",      1, 25, 26, POST, 255),
	LD(0xb8900f9b, "ldrsw x27, [x28, #-256]!",   4, 1, X, 27, 28, PRE, -256),
	/* unprivileged */
	LD(0xf8408820, "ldtr x0, [x1, #8]",          8, 0, X, 0, 1, OFF, 8),
	ST(0x381ff862, "sttrb w2, [x3, #-1]",        1, 2, 3, OFF, -1),
	LD(0x78c028a4, "ldtrsh w4, [x5, #2]",        2, 1, W, 4, 5, OFF, 2),
	/* register offset: option 2 UXTW, 3 LSL, 6 SXTW, 7 SXTX */
	RO(0xf8626820, "ldr x0, [x1, x2]",            0, 8, 0, X, 0, 1, 2, 3, 0),
	RO(0xf8627820, "ldr x0, [x1, x2, lsl #3]",    0, 8, 0, X, 0, 1, 2, 3, 3),
	RO(0xb8654883, "ldr w3, [x4, w5, uxtw]",      0, 4, 0, W, 3, 4, 5, 2, 0),
	RO(0xb8655883, "ldr w3, [x4, w5, uxtw #2]",   0, 4, 0, W, 3, 4, 5, 2, 2),
	RO(0x78a8d8e6, "ldrsh x6, [x7, w8, sxtw #1]", 0, 2, 1, X, 6, 7, 8, 6, 1),
	RO(0x386be949, "ldrb w9, [x10, x11, sxtx]",   0, 1, 0, W, 9, 10, 11, 7, 0),
	RO(0x782d7bec, "strh w12, [sp, x13, lsl #1]", 1, 2, 0, W, 12, 31, 13, 3, 1),
	RO(0xf83f69ee, "str x14, [x15, xzr]",         1, 8, 0, X, 14, 15, 31, 3, 0),
	RO(0x38f2ca30, "ldrsb w16, [x17, w18, sxtw]", 0, 1, 1, W, 16, 17, 18, 6, 0),
	/* pairs: imm7 scaled by the register size */
	PR(0xa9400440, "ldp x0, x1, [x2]",            0, 8, 0, X, 0, 1, 2, OFF, 0),
	PR(0xa96013e3, "ldp x3, x4, [sp, #-512]",     0, 8, 0, X, 3, 4, 31, OFF, -512),
	PR(0x295f98e5, "ldp w5, w6, [x7, #252]",      0, 4, 0, W, 5, 6, 7, OFF, 252),
	PR(0xa9bf27e8, "stp x8, x9, [sp, #-16]!",     1, 8, 0, X, 8, 9, 31, PRE, -16),
	PR(0xa8c17bfd, "ldp x29, x30, [sp], #16",     0, 8, 0, X, 29, 30, 31, POST, 16),
	PR(0x28a02d8a, "stp w10, w11, [x12], #-256",  1, 4, 0, W, 10, 11, 12, POST, -256),
	PR(0x694139ed, "ldpsw x13, x14, [x15, #8]",   0, 4, 1, X, 13, 14, 15, OFF, 8),
	PR(0x69ff4650, "ldpsw x16, x17, [x18, #-8]!", 0, 4, 1, X, 16, 17, 18, PRE, -8),
	PR(0x68c0d2b3, "ldpsw x19, x20, [x21], #4",   0, 4, 1, X, 19, 20, 21, POST, 4),
	PR(0xa81fdf16, "stnp x22, x23, [x24, #504]",  1, 8, 0, X, 22, 23, 24, OFF, 504),
	PR(0x287feb79, "ldnp w25, w26, [x27, #-4]",   0, 4, 0, W, 25, 26, 27, OFF, -4),
	PR(0xa9007c1f, "stp xzr, xzr, [x0]",          1, 8, 0, X, 31, 31, 0, OFF, 0),
};

/* Loads/stores vibevmm does not emulate, and things that are not loads or
 * stores at all: each must come back undecodable with a reason. hand = 1:
 * hand-made encoding (no mnemonic exists, or the text is a description),
 * which test_insn_gas cannot re-assemble. */
static const struct { uint32_t insn; const char *text; bool hand; } undecodable[] = {
	{ 0xad400400, "ldp q0, q1, [x0]", 0 },
	{ 0x3dc00020, "ldr q0, [x1]", 0 },
	{ 0xbd400020, "ldr s0, [x1]", 0 },
	{ 0xc85f7c20, "ldxr x0, [x1]", 0 },
	{ 0xc8027c20, "stxr w2, x0, [x1]", 0 },
	{ 0xc8dffc20, "ldar x0, [x1]", 0 },
	{ 0x889ffc20, "stlr w0, [x1]", 0 },
	{ 0xf8200041, "ldadd x0, x1, [x2]", 0 },
	{ 0xf8208041, "swp x0, x1, [x2]", 0 },
	{ 0xc8e0fc41, "casal x0, x1, [x2]", 0 },
	{ 0xf9800000, "prfm pldl1keep, [x0]", 0 },
	{ 0x58000000, "ldr x0, <literal>", 1 },
	{ 0x4c407000, "ld1 {v0.16b}, [x0]", 0 },
	{ 0xd503201f, "nop", 0 },
	{ 0xf8200420, "ldraa x0, [x1]", 0 },
	{ 0x69000440, "stgp x0, x1, [x2]", 0 },
	{ 0x99400020, "ldapur w0, [x1]", 0 },
	{ 0xb9c00020, "unallocated: size=10 opc=11 unsigned offset", 1 },
	{ 0xf8e04820, "unallocated: size=11 opc=11 register offset", 1 },
	{ 0xf8600820, "unallocated: register offset, option 000", 1 },
	{ 0xe9400440, "unallocated: pair opc=11", 1 },
	{ 0x68400440, "unallocated: ldnp with opc=01 (no LDNPSW)", 1 },
	{ 0x00000000, "udf #0", 0 },
	{ 0xffffffff, "all ones", 1 },
};

#endif
