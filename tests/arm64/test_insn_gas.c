/*
 * Re-assemble every instruction text of insn_cases.h with GNU as for aarch64
 * and compare with the encoding the tables hard-code, so the tables of
 * test_insn.c stay tied to an assembler rather than to someone's typing.
 * Needs Debian's binutils-aarch64-linux-gnu (scripts/deps.sh); prints SKIP
 * without it.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "insn_cases.h"

#define AS      "aarch64-linux-gnu-as"
#define OBJCOPY "aarch64-linux-gnu-objcopy"

static void test_tables_match_gas(void **state)
{
	char dir[] = "/tmp/vibe-a64-XXXXXX", path[128], cmd[512];
	const char *texts[128];
	uint32_t want[128];
	unsigned n = 0;
	FILE *f;

	(void)state;
	if (system("command -v " AS " >/dev/null 2>&1 && command -v " OBJCOPY " >/dev/null 2>&1")) {
		print_message("SKIP: " AS " not installed (Debian binutils-aarch64-linux-gnu)\n");
		skip();
	}
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++, n++) {
		texts[n] = rows[i].text;
		want[n] = rows[i].insn;
	}
	for (size_t i = 0; i < sizeof(undecodable) / sizeof(undecodable[0]); i++) {
		if (undecodable[i].hand)
			continue;
		texts[n] = undecodable[i].text;
		want[n++] = undecodable[i].insn;
	}
	assert_true(n <= 128);

	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/t.s", dir);
	f = fopen(path, "w");
	assert_non_null(f);
	for (unsigned i = 0; i < n; i++)
		fprintf(f, "%s\n", texts[i]);
	fclose(f);
	/* the unpredictable-writeback cases draw warnings: keep them quiet */
	snprintf(cmd, sizeof(cmd),
		 "cd %s && " AS " -march=armv8.5-a+memtag+pauth -o t.o t.s 2>as.err && "
		 OBJCOPY " -O binary -j .text t.o t.bin", dir);
	int rc = system(cmd);
	if (rc) {
		snprintf(cmd, sizeof(cmd), "cat %s/as.err >&2", dir);
		(void)!system(cmd);
	}
	assert_int_equal(rc, 0);

	snprintf(path, sizeof(path), "%s/t.bin", dir);
	f = fopen(path, "rb");
	assert_non_null(f);
	unsigned bad = 0;
	for (unsigned i = 0; i < n; i++) {
		uint8_t b[4];
		assert_int_equal(fread(b, 1, 4, f), 4);
		uint32_t got = (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 |
			       (uint32_t)b[3] << 24;
		if (got != want[i]) {
			print_error("%-34s: table has %08x, GNU as gives %08x\n", texts[i], want[i], got);
			bad++;
		}
	}
	fclose(f);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	(void)!system(cmd);
	print_message("  %u encodings re-assembled\n", n);
	assert_int_equal(bad, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tables_match_gas),
	};
	return cmocka_run_group_tests_name("arm64 encoding tables vs GNU as", tests, NULL, NULL);
}
