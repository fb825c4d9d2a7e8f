/*
 * Command-line numbers: sizes with binary suffixes and plain addresses;
 * everything strtoull would quietly accept but a user did not mean is
 * refused (sign, blanks, junk, overflow).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "parse_num.h"

static void sizes_with_suffixes(void **state)
{
	static const struct { const char *s; uint64_t v; } ok[] = {
		{ "128M", 128ull << 20 }, { "1G", 1ull << 30 }, { "3g", 3ull << 30 },
		{ "512K", 512ull << 10 }, { "4KiB", 4096 }, { "2GB", 2ull << 30 },
		{ "1T", 1ull << 40 }, { "4096", 4096 }, { "0x1000", 4096 }, { "100B", 100 },
	};
	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		uint64_t v = 0;
		if (vibe_parse_size(ok[i].s, &v) != 0)
			fail_msg("'%s' should parse", ok[i].s);
		if (v != ok[i].v)
			fail_msg("'%s': got 0x%llx, expected 0x%llx", ok[i].s, (unsigned long long)v,
				 (unsigned long long)ok[i].v);
	}
}

static void bad_sizes_are_refused(void **state)
{
	static const char *const bad[] = {
		"", "-1", " 1", "1 ", "1X", "0x", "M", "1Gi", "1GiBx", "1MM",
		"18446744073709551616", "17179869184G", "16777216T",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		uint64_t v = 0x5a5a;
		if (vibe_parse_size(bad[i], &v) == 0)
			fail_msg("'%s' should be refused, got 0x%llx", bad[i], (unsigned long long)v);
		assert_int_equal(v, 0x5a5a); /* untouched */
	}
}

static void addresses(void **state)
{
	uint64_t v;
	assert_int_equal(vibe_parse_u64("0x10000", &v), 0);
	assert_int_equal(v, 0x10000);
	assert_int_equal(vibe_parse_u64("65536", &v), 0);
	assert_int_equal(v, 65536);
	assert_int_equal(vibe_parse_u64("0xffffffffffffffff", &v), 0);
	assert_true(v == UINT64_MAX);
	assert_int_equal(vibe_parse_u64("0x1_0000", &v), -1);
	assert_int_equal(vibe_parse_u64("-5", &v), -1);
	assert_int_equal(vibe_parse_u64("1M", &v), -1); /* no suffixes on addresses */
	assert_int_equal(vibe_parse_u64("0x10000000000000000", &v), -1);
	assert_int_equal(vibe_parse_u64(NULL, &v), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(sizes_with_suffixes),
		cmocka_unit_test(bad_sizes_are_refused),
		cmocka_unit_test(addresses),
	};
	return cmocka_run_group_tests_name("parse_num", tests, NULL, NULL);
}
