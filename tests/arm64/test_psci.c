/*
 * PSCI call decoding (runtime/arch/arm64/psci.c): function IDs, SMC32
 * argument truncation, FEATURES answers, unknown IDs.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "arch/arm64/psci.h"

static struct psci_call call(uint64_t x0, uint64_t x1, uint64_t x2, uint64_t x3)
{
	uint64_t x[4] = { x0, x1, x2, x3 };
	struct psci_call c;
	arm64_psci_decode(x, &c);
	return c;
}

static void test_version(void **s)
{
	(void)s;
	struct psci_call c = call(PSCI_VERSION_FN, 0, 0, 0);
	assert_int_equal(c.action, PSCI_ACT_RETURN);
	assert_int_equal(c.ret, 0x10000); /* 1.0 */
	/* SMCCC: only w0 is the function ID */
	c = call(0xdeadbeef00000000ull | PSCI_VERSION_FN, 0, 0, 0);
	assert_int_equal(c.ret, 0x10000);
}

static void test_cpu_on(void **s)
{
	(void)s;
	struct psci_call c = call(PSCI_CPU_ON_64, 0x101, 0x40080000ull | 1ull << 40, 0xabcdef0123ull);
	assert_int_equal(c.action, PSCI_ACT_CPU_ON);
	assert_int_equal(c.target_mpidr, 0x101);
	assert_int_equal(c.entry, 0x40080000ull | 1ull << 40);
	assert_int_equal(c.context_id, 0xabcdef0123ull);
	/* SMC32 convention: arguments are the low 32 bits */
	c = call(PSCI_CPU_ON_32, 0xffffffff00000002ull, 0x1234567840000000ull, 0x1ffffffffull);
	assert_int_equal(c.action, PSCI_ACT_CPU_ON);
	assert_int_equal(c.target_mpidr, 2);
	assert_int_equal(c.entry, 0x40000000);
	assert_int_equal(c.context_id, 0xffffffff);
}

static void test_power(void **s)
{
	(void)s;
	assert_int_equal(call(PSCI_SYSTEM_OFF, 0, 0, 0).action, PSCI_ACT_SYSTEM_OFF);
	assert_int_equal(call(PSCI_SYSTEM_RESET, 0, 0, 0).action, PSCI_ACT_SYSTEM_RESET);
	assert_int_equal(call(PSCI_CPU_OFF, 0, 0, 0).action, PSCI_ACT_CPU_OFF);
	struct psci_call c = call(PSCI_AFFINITY_INFO_64, 3, 0, 0);
	assert_int_equal(c.action, PSCI_ACT_AFFINITY_INFO);
	assert_int_equal(c.target_mpidr, 3);
	c = call(PSCI_AFFINITY_INFO_64, 3, 1, 0); /* level 1: not answered */
	assert_int_equal(c.action, PSCI_ACT_RETURN);
	assert_int_equal(c.ret, PSCI_INVALID_PARAMETERS);
	assert_int_equal(call(PSCI_MIGRATE_INFO_TYPE, 0, 0, 0).ret, 2);
}

static void test_features_and_unknown(void **s)
{
	(void)s;
	static const uint32_t yes[] = { PSCI_VERSION_FN, PSCI_CPU_ON_64, PSCI_CPU_OFF, PSCI_SYSTEM_OFF,
					PSCI_SYSTEM_RESET, PSCI_FEATURES, PSCI_AFFINITY_INFO_64 };
	for (unsigned i = 0; i < sizeof yes / sizeof yes[0]; i++)
		assert_int_equal(call(PSCI_FEATURES, yes[i], 0, 0).ret, PSCI_SUCCESS);
	assert_int_equal(call(PSCI_FEATURES, PSCI_CPU_SUSPEND_64, 0, 0).ret, PSCI_NOT_SUPPORTED);
	assert_int_equal(call(PSCI_FEATURES, 0x80000000, 0, 0).ret, PSCI_NOT_SUPPORTED); /* SMCCC_VERSION */
	struct psci_call c = call(0xc4000077, 0, 0, 0);
	assert_int_equal(c.action, PSCI_ACT_RETURN);
	assert_int_equal(c.ret, PSCI_NOT_SUPPORTED);
	assert_int_equal(call(PSCI_CPU_SUSPEND_64, 0, 0, 0).ret, PSCI_NOT_SUPPORTED);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_version),
		cmocka_unit_test(test_cpu_on),
		cmocka_unit_test(test_power),
		cmocka_unit_test(test_features_and_unknown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
