/*
 * Synchronous external abort entry (inject.c): vector offset by where the
 * guest was, the new PSTATE, and an ESR_EL1 that esr.c decodes back to the
 * same abort. Expected values written from the Arm ARM's exception vector
 * table and AArch64.TakeException(), not from the code.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "arch/arm64/esr.h"
#include "arch/arm64/inject.h"

#define VBAR   0xffff800010010800ull
#define FAR    0xffff000008000010ull

struct ecase {
	const char *what;
	uint64_t pstate;          /* where the guest was */
	unsigned vector;
	unsigned ec_data, ec_fetch;
};

static const struct ecase cases[] = {
	{ "EL1h (kernel, SP_EL1)",   0x3c5, 0x200, 0x25, 0x21 },
	{ "EL1t (kernel, SP_EL0)",   0x3c4, 0x000, 0x25, 0x21 },
	{ "EL0 AArch64",             0x000, 0x400, 0x24, 0x20 },
	{ "EL0 AArch32 (usr mode)",  0x010, 0x600, 0x24, 0x20 },
};

static void test_vectors_and_esr(void **state)
{
	struct arm64_regs r;
	struct arm64_exc_entry x;
	struct arm64_esr e;

	(void)state;
	memset(&r, 0, sizeof(r));
	r.pc = 0xffff800010203040ull;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct ecase *c = &cases[i];
		for (int fetch = 0; fetch < 2; fetch++) {
			struct arm64_sea sea = { .far = FAR, .is_fetch = fetch, .is_write = 1, .il32 = 1 };

			r.pstate = c->pstate;
			assert_int_equal(arm64_sea_entry(&r, VBAR | 0x7ff, 0, &sea, &x), 0);
			print_message("  %-24s %s -> vector 0x%03x esr 0x%llx\n", c->what,
				      fetch ? "fetch" : "data ", x.vector, (unsigned long long)x.esr_el1);
			assert_int_equal(x.vector, c->vector);
			assert_int_equal(x.pc, VBAR + c->vector);    /* VBAR[10:0] ignored */
			assert_int_equal(x.elr_el1, r.pc);
			assert_int_equal(x.spsr_el1, c->pstate);
			assert_int_equal(x.far_el1, FAR);
			/* EL1h, A/I/F/D masked */
			assert_int_equal(x.pstate & 0x3df, 0x3c5);

			arm64_esr_decode(x.esr_el1, &e);
			assert_int_equal(e.ec, fetch ? c->ec_fetch : c->ec_data);
			assert_true(e.il);
			assert_false(e.abt.isv);
			assert_false(e.abt.fnv);
			assert_false(e.abt.s1ptw);
			assert_int_equal(e.abt.fsc, 0x10);
			assert_int_equal(e.abt.fsc_kind, ARM64_FSC_K_EXTERNAL);
			assert_int_equal(e.abt.wnr, !fetch);   /* no WnR in an IABT */
		}
	}
}

static void test_pstate_bits(void **state)
{
	struct arm64_regs r;
	struct arm64_exc_entry x;
	struct arm64_sea sea = { .far = FAR };

	(void)state;
	memset(&r, 0, sizeof(r));
	/* NZCV and DIT survive; SS (21), IL (20), BTYPE (11:10) do not */
	r.pstate = 0xf0000000ull | 1ull << 24 | 1ull << 21 | 1ull << 20 | 3ull << 10 | 0x3c5;
	assert_int_equal(arm64_sea_entry(&r, VBAR, 1ull << 23, &sea, &x), 0);
	assert_int_equal(x.pstate, 0xf0000000ull | 1ull << 24 | 0x3c5);
	/* SPAN = 0: PAN set on entry */
	assert_int_equal(arm64_sea_entry(&r, VBAR, 0, &sea, &x), 0);
	assert_true(x.pstate & (1ull << 22));
	/* SPAN = 1: PAN kept as it was */
	r.pstate = 0x3c5;
	assert_int_equal(arm64_sea_entry(&r, VBAR, 1ull << 23, &sea, &x), 0);
	assert_false(x.pstate & (1ull << 22));
	r.pstate = 0x3c5 | 1ull << 22;
	assert_int_equal(arm64_sea_entry(&r, VBAR, 1ull << 23, &sea, &x), 0);
	assert_true(x.pstate & (1ull << 22));
	/* SSBS from SCTLR_EL1.DSSBS */
	assert_int_equal(arm64_sea_entry(&r, VBAR, 1ull << 23 | 1ull << 44, &sea, &x), 0);
	assert_true(x.pstate & (1ull << 12));
	/* AArch32 CPSR.DIT is bit 21; AArch32 T (5), E (9) are dropped */
	r.pstate = 0x10 | 1ull << 21 | 1ull << 5 | 1ull << 9;
	assert_int_equal(arm64_sea_entry(&r, VBAR, 1ull << 23, &sea, &x), 0);
	assert_int_equal(x.pstate, 1ull << 24 | 0x3c5);
	/* IL = 0 when the trapped instruction was 16-bit; WnR from is_write */
	sea.il32 = false;
	sea.is_write = true;
	r.pstate = 0;
	assert_int_equal(arm64_sea_entry(&r, VBAR, 0, &sea, &x), 0);
	assert_int_equal(x.esr_el1, 0x24ull << 26 | 1u << 6 | 0x10);
}

static void test_refuses_el2_and_aarch32_privileged(void **state)
{
	struct arm64_regs r;
	struct arm64_exc_entry x;
	struct arm64_sea sea = { .far = FAR };

	(void)state;
	memset(&r, 0, sizeof(r));
	r.pstate = 0x3c9;   /* EL2h */
	assert_int_equal(arm64_sea_entry(&r, VBAR, 0, &sea, &x), -1);
	r.pstate = 0x3cd;   /* EL3h */
	assert_int_equal(arm64_sea_entry(&r, VBAR, 0, &sea, &x), -1);
	r.pstate = 0x13;    /* AArch32 svc: would need an AArch32 EL1 */
	assert_int_equal(arm64_sea_entry(&r, VBAR, 0, &sea, &x), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_vectors_and_esr),
		cmocka_unit_test(test_pstate_bits),
		cmocka_unit_test(test_refuses_el2_and_aarch32_privileged),
	};
	return cmocka_run_group_tests_name("arm64 abort injection", tests, NULL, NULL);
}
