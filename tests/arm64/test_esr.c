/*
 * ESR_EL2 decoding: table-driven. Each raw value was assembled by hand from
 * the field layout of ESR_EL2 in the Arm ARM (the comment shows the sum), so a
 * wrong shift or mask in esr.c shows up as a field mismatch here.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "arch/arm64/esr.h"

struct dabt_case {
	uint64_t raw;
	const char *what;
	unsigned ec;
	bool isv; unsigned size; bool sse; unsigned srt; bool sf; bool ar;
	bool wnr, s1ptw, ea, cm, fnv;
	unsigned fsc;
	enum arm64_fsc_kind kind;
	int level;
};

static const struct dabt_case dabt_cases[] = {
	/* 0x24<<26 | IL | ISV | SAS=2<<22 | SRT=1<<16 | WnR | DFSC 7 */
	{ 0x93810047, "str w1 to MMIO, translation L3", 0x24,
	  1, 4, 0, 1, 0, 0,  1, 0, 0, 0, 0,  0x07, ARM64_FSC_K_TRANSLATION, 3 },
	/* ISV | SAS=1 | SSE | SRT=3 | SF | DFSC 6: ldrsh x3 */
	{ 0x93638006, "ldrsh x3, translation L2", 0x24,
	  1, 2, 1, 3, 1, 0,  0, 0, 0, 0, 0,  0x06, ARM64_FSC_K_TRANSLATION, 2 },
	/* ISV | SAS=0 | SRT=31 | AR | DFSC 4: ldarb wzr */
	{ 0x931f4004, "ldarb wzr, translation L0", 0x24,
	  1, 1, 0, 31, 0, 1,  0, 0, 0, 0, 0,  0x04, ARM64_FSC_K_TRANSLATION, 0 },
	/* ISV | SAS=3 | SRT=30 | SF | WnR | DFSC 0x0f: str x30, permission L3 */
	{ 0x93de804f, "str x30, permission L3", 0x24,
	  1, 8, 0, 30, 1, 0,  1, 0, 0, 0, 0,  0x0f, ARM64_FSC_K_PERMISSION, 3 },
	/* ISV=0: bits [23:14] are RES0 and must be ignored even if set */
	{ 0x92ffc047, "ISV=0 with junk in [23:14]", 0x24,
	  0, 0, 0, 0, 0, 0,  1, 0, 0, 0, 0,  0x07, ARM64_FSC_K_TRANSLATION, 3 },
	{ 0x92000087, "S1PTW, translation L3", 0x24,
	  0, 0, 0, 0, 0, 0,  0, 1, 0, 0, 0,  0x07, ARM64_FSC_K_TRANSLATION, 3 },
	/* FnV [10] | EA [9] | CM [8] | WnR | DFSC 0x10 */
	{ 0x92000750, "EA+CM+FnV, SEA", 0x24,
	  0, 0, 0, 0, 0, 0,  1, 0, 1, 1, 1,  0x10, ARM64_FSC_K_EXTERNAL, -2 },
	{ 0x96000021, "same-EL alignment fault", 0x25,
	  0, 0, 0, 0, 0, 0,  0, 0, 0, 0, 0,  0x21, ARM64_FSC_K_ALIGNMENT, -2 },
	{ 0x9200002b, "translation level -1 (LPA2)", 0x24,
	  0, 0, 0, 0, 0, 0,  0, 0, 0, 0, 0,  0x2b, ARM64_FSC_K_TRANSLATION, -1 },
	{ 0x92000029, "address size level -1", 0x24,
	  0, 0, 0, 0, 0, 0,  0, 0, 0, 0, 0,  0x29, ARM64_FSC_K_ADDR_SIZE, -1 },
	{ 0x92000001, "address size L1", 0x24,
	  0, 0, 0, 0, 0, 0,  0, 0, 0, 0, 0,  0x01, ARM64_FSC_K_ADDR_SIZE, 1 },
	{ 0x92000009, "access flag L1", 0x24,
	  0, 0, 0, 0, 0, 0,  0, 0, 0, 0, 0,  0x09, ARM64_FSC_K_ACCESS_FLAG, 1 },
	{ 0x92000016, "SEA on walk L2", 0x24,
	  0, 0, 0, 0, 0, 0,  0, 0, 0, 0, 0,  0x16, ARM64_FSC_K_EXTERNAL, 2 },
	{ 0x9200001c, "ECC on walk L0", 0x24,
	  0, 0, 0, 0, 0, 0,  0, 0, 0, 0, 0,  0x1c, ARM64_FSC_K_EXTERNAL, 0 },
	{ 0x92000030, "TLB conflict", 0x24,
	  0, 0, 0, 0, 0, 0,  0, 0, 0, 0, 0,  0x30, ARM64_FSC_K_OTHER, -2 },
	/* instruction abort: no WnR/CM/ISV fields; S1PTW | IFSC 7 */
	{ 0x82000087, "IABT lower EL, S1PTW, translation L3", 0x20,
	  0, 0, 0, 0, 0, 0,  0, 1, 0, 0, 0,  0x07, ARM64_FSC_K_TRANSLATION, 3 },
	/* IABT with bit 6 (WnR's place) and bit 24 set: must not leak into
	 * wnr/isv, which only data aborts have. */
	{ 0x8700044d, "IABT current EL, FnV, permission L1, junk bits", 0x21,
	  0, 0, 0, 0, 0, 0,  0, 0, 0, 0, 1,  0x0d, ARM64_FSC_K_PERMISSION, 1 },
};

static void test_dabt_table(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(dabt_cases) / sizeof(dabt_cases[0]); i++) {
		const struct dabt_case *c = &dabt_cases[i];
		struct arm64_esr e;
		char buf[256];

		arm64_esr_decode(c->raw, &e);
		print_message("  0x%llx %s: %s\n", (unsigned long long)c->raw, c->what,
			      arm64_esr_str(&e, buf, sizeof(buf)));
		assert_int_equal(e.ec, c->ec);
		assert_true(e.il);
		assert_int_equal(e.abt.isv, c->isv);
		assert_int_equal(e.abt.size, c->size);
		assert_int_equal(e.abt.sse, c->sse);
		assert_int_equal(e.abt.srt, c->srt);
		assert_int_equal(e.abt.sf, c->sf);
		assert_int_equal(e.abt.ar, c->ar);
		assert_int_equal(e.abt.wnr, c->wnr);
		assert_int_equal(e.abt.s1ptw, c->s1ptw);
		assert_int_equal(e.abt.ea, c->ea);
		assert_int_equal(e.abt.cm, c->cm);
		assert_int_equal(e.abt.fnv, c->fnv);
		assert_int_equal(e.abt.fsc, c->fsc);
		assert_int_equal(e.abt.fsc_kind, c->kind);
		assert_int_equal(e.abt.fsc_level, c->level);
		assert_int_equal(arm64_esr_is_dabt(&e), c->ec == 0x24 || c->ec == 0x25);
		assert_int_equal(arm64_esr_is_iabt(&e), c->ec == 0x20 || c->ec == 0x21);
	}
}

struct sys_case {
	uint64_t raw;
	const char *text;  /* expected in the log string */
	unsigned op0, op1, crn, crm, op2, rt;
	bool read;
};

static const struct sys_case sys_cases[] = {
	/* 0x18<<26 | IL | op0 2<<20 | op2 4<<17 | CRn 1<<10 | Rt 7<<5: MSR OSLAR_EL1, x7 */
	{ 0x622804e0, "MSR S2_0_C1_C0_4 <- x7", 2, 0, 1, 0, 4, 7, false },
	/* op0 3 | op2 1 | op1 3<<14 | Rt 1 | read: MRS x1, CTR_EL0 */
	{ 0x6232c021, "MRS S3_3_C0_C0_1 -> x1", 3, 3, 0, 0, 1, 1, true },
	/* op0 3 | op2 5 | CRn 12 | Rt 3 | CRm 11<<1: MSR ICC_SGI1R_EL1, x3 */
	{ 0x623a3076, "MSR S3_0_C12_C11_5 <- x3", 3, 0, 12, 11, 5, 3, false },
	/* all fields at maximum: op1 7, CRn 15, CRm 15, op2 7, Rt 31 (xzr) */
	{ 0x623fffff, "MRS S3_7_C15_C15_7 -> xzr", 3, 7, 15, 15, 7, 31, true },
};

static void test_sysreg_table(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(sys_cases) / sizeof(sys_cases[0]); i++) {
		const struct sys_case *c = &sys_cases[i];
		struct arm64_esr e;
		char buf[200];

		arm64_esr_decode(c->raw, &e);
		assert_int_equal(e.ec, ARM64_EC_SYS64);
		assert_int_equal(e.sys.op0, c->op0);
		assert_int_equal(e.sys.op1, c->op1);
		assert_int_equal(e.sys.crn, c->crn);
		assert_int_equal(e.sys.crm, c->crm);
		assert_int_equal(e.sys.op2, c->op2);
		assert_int_equal(e.sys.rt, c->rt);
		assert_int_equal(e.sys.is_read, c->read);
		assert_non_null(strstr(arm64_esr_str(&e, buf, sizeof(buf)), c->text));
	}
}

static void test_sysreg_id(void **state)
{
	struct arm64_sysreg_iss cntv_ctl = { .op0 = 3, .op1 = 3, .crn = 14, .crm = 3, .op2 = 1 };
	struct arm64_sysreg_iss midr = { .op0 = 3 };
	struct arm64_esr e;

	(void)state;
	/* values of Hypervisor.framework's HV_SYS_REG_CNTV_CTL_EL0 and
	 * HV_SYS_REG_MIDR_EL1 */
	assert_int_equal(arm64_sysreg_id(&cntv_ctl), 0xdf19);
	assert_int_equal(arm64_sysreg_id(&midr), 0xc000);
	/* from a syndrome: MSR OSLAR_EL1 is S2_0_C1_C0_4 */
	arm64_esr_decode(0x622804e0, &e);
	assert_int_equal(arm64_sysreg_id(&e.sys), 2 << 14 | 1 << 7 | 4);
}

static void test_other_classes(void **state)
{
	struct arm64_esr e;
	char buf[200];

	(void)state;
	arm64_esr_decode(0x5a001234, &e);   /* HVC #0x1234 */
	assert_int_equal(e.ec, ARM64_EC_HVC64);
	assert_int_equal(e.imm16, 0x1234);
	assert_non_null(strstr(arm64_esr_str(&e, buf, sizeof(buf)), "(HVC64) IL=1 imm16=0x1234"));

	arm64_esr_decode(0x5e000000, &e);   /* SMC #0 */
	assert_int_equal(e.ec, ARM64_EC_SMC64);
	assert_int_equal(e.imm16, 0);

	arm64_esr_decode(0xf20003e8, &e);   /* BRK #1000 */
	assert_int_equal(e.ec, ARM64_EC_BRK64);
	assert_int_equal(e.imm16, 1000);

	arm64_esr_decode(0x06000000, &e);   /* WFI */
	assert_int_equal(e.ec, ARM64_EC_WFX);
	assert_int_equal(e.wfx.ti, 0);
	assert_non_null(strstr(arm64_esr_str(&e, buf, sizeof(buf)), "WFI"));
	arm64_esr_decode(0x06000001, &e);   /* WFE */
	assert_int_equal(e.wfx.ti, 1);
	arm64_esr_decode(0x06000066, &e);   /* WFIT x3: Rn 3<<5 | RV | TI 2 */
	assert_int_equal(e.wfx.ti, 2);
	assert_true(e.wfx.rv);
	assert_int_equal(e.wfx.rn, 3);
	assert_non_null(strstr(arm64_esr_str(&e, buf, sizeof(buf)), "WFIT x3"));

	arm64_esr_decode(0x02000000, &e);
	assert_int_equal(e.ec, ARM64_EC_UNKNOWN);
	assert_string_equal(arm64_ec_name(e.ec), "unknown reason");

	/* unallocated class: named as such, raw ISS shown */
	arm64_esr_decode(0xfe000123, &e);
	assert_int_equal(e.ec, 0x3f);
	assert_string_equal(arm64_ec_name(0x3f), "reserved exception class");
	assert_non_null(strstr(arm64_esr_str(&e, buf, sizeof(buf)), "ISS=0x0000123"));

	/* IL = 0 (16-bit T32 instruction) and ISS2 in [55:32] */
	arm64_esr_decode(0x0000001290000047ull, &e);
	assert_false(e.il);
	assert_int_equal(e.iss2, 0x12);
	assert_int_equal(e.iss, 0x47);

	/* Every EC gets a non-empty name; none crash. */
	for (unsigned ec = 0; ec < 64; ec++)
		assert_true(arm64_ec_name(ec)[0] != '\0');
	assert_string_equal(arm64_ec_name(0x24), "data abort from a lower EL");
	assert_string_equal(arm64_ec_name(0x18), "MSR/MRS/system instruction");
}

static void test_kvm_nisv_rebuild(void **state)
{
	struct arm64_esr e;

	(void)state;
	/* CM | WnR | DFSC 7, as KVM sanitizes it */
	assert_int_equal(arm64_esr_from_kvm_nisv(0x147), 0x92000147);
	arm64_esr_decode(arm64_esr_from_kvm_nisv(0x47), &e);
	assert_true(arm64_esr_is_dabt(&e));
	assert_true(e.il);
	assert_false(e.abt.isv);
	assert_true(e.abt.wnr);
	assert_int_equal(e.abt.fsc_kind, ARM64_FSC_K_TRANSLATION);
	/* bits above the ISS cannot leak into EC */
	assert_int_equal(arm64_esr_from_kvm_nisv(0xfc000007) >> 26, 0x24);
}

static void test_fsc_names(void **state)
{
	static const struct { unsigned fsc; const char *name; } t[] = {
		{ 0x00, "address size fault, level 0" },
		{ 0x07, "translation fault, level 3" },
		{ 0x2b, "translation fault, level -1" },
		{ 0x0a, "access flag fault, level 2" },
		{ 0x0d, "permission fault, level 1" },
		{ 0x10, "synchronous external abort" },
		{ 0x15, "synchronous external abort on table walk, level 1" },
		{ 0x1f, "synchronous parity/ECC error on table walk, level 3" },
		{ 0x21, "alignment fault" },
		{ 0x30, "TLB conflict abort" },
		{ 0x3f, "reserved fault status 0x3f" },
	};
	char buf[80];

	(void)state;
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++)
		assert_string_equal(arm64_fsc_name(t[i].fsc, buf, sizeof(buf)), t[i].name);
}

static void test_str_fields_and_truncation(void **state)
{
	struct arm64_esr e;
	char buf[256], small[16];

	(void)state;
	arm64_esr_decode(0x931f4004, &e);
	arm64_esr_str(&e, buf, sizeof(buf));
	assert_non_null(strstr(buf, "data abort from a lower EL"));
	assert_non_null(strstr(buf, "ISV=1 size=1 SSE=0 SRT=xzr SF=0 AR=1"));
	assert_non_null(strstr(buf, "translation fault, level 0"));

	arm64_esr_decode(0x92000047, &e);
	arm64_esr_str(&e, buf, sizeof(buf));
	assert_non_null(strstr(buf, "ISV=0 WnR=1"));
	assert_null(strstr(buf, "SRT"));

	/* A short buffer is truncated and terminated, not overrun (ASan). */
	for (size_t n = 1; n <= sizeof(small); n++) {
		memset(small, 'x', sizeof(small));
		arm64_esr_str(&e, small, n);
		assert_true(memchr(small, '\0', n) != NULL);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_dabt_table),
		cmocka_unit_test(test_sysreg_table),
		cmocka_unit_test(test_sysreg_id),
		cmocka_unit_test(test_other_classes),
		cmocka_unit_test(test_kvm_nisv_rebuild),
		cmocka_unit_test(test_fsc_names),
		cmocka_unit_test(test_str_fields_and_truncation),
	};
	return cmocka_run_group_tests_name("arm64 ESR decoding", tests, NULL, NULL);
}
