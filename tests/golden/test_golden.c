/*
 * Golden test: vibegen's output for machines/virt.yaml must equal, byte for
 * byte, the reviewed copy in tests/golden/virt/. The generated C is part of
 * the user interface (people read and diff it), so any change to it should
 * be deliberate: on a mismatch this prints a unified diff, and
 * `make update-golden` refreshes the fixtures once the change is intended.
 * `vibegen --map` output is compared the same way (map.txt). Also compiles
 * the fresh machine.c with the strictest warning flags.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Set by tests/golden/rules.mk. */
#ifndef SRCROOT
#error SRCROOT must be defined
#endif

static char outdir[] = "/tmp/vibe-golden-XXXXXX";
static int generated; /* 1 ok, 0 skipped, -1 vibegen failed */

static int gen_setup(void **state)
{
	(void)state;
	char cmd[8192];
	if (chdir(SRCROOT) || access(VIBEGEN, X_OK) || access("machines/virt.yaml", R_OK))
		return 0; /* each test reports the SKIP */
	if (!mkdtemp(outdir))
		return -1;
	/* Same relative path as the fixtures were made with: it is in the output. */
	snprintf(cmd, sizeof cmd, "'%s' -o '%s' machines/virt.yaml", VIBEGEN, outdir);
	generated = system(cmd) == 0 ? 1 : -1;
	snprintf(cmd, sizeof cmd, "'%s' --map machines/virt.yaml > '%s/map.txt'", VIBEGEN, outdir);
	if (generated == 1 && system(cmd) != 0)
		generated = -1;
	return 0;
}

static int gen_teardown(void **state)
{
	(void)state;
	char cmd[4200];
	if (generated) {
		snprintf(cmd, sizeof cmd, "rm -rf '%s'", outdir);
		if (system(cmd) != 0)
			return -1;
	}
	return 0;
}

static int need_output(void)
{
	if (generated == 0) {
		print_message("SKIP: " VIBEGEN " or machines/virt.yaml missing (build vibegen first)\n");
		return 0;
	}
	if (generated < 0)
		fail_msg("vibegen -o %s (or --map) machines/virt.yaml failed (its stderr is above)", outdir);
	return 1;
}

static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	if (f && !fseek(f, 0, SEEK_END)) {
		long n = ftell(f);
		if (n >= 0 && (buf = malloc((size_t)n + 1)) && !fseek(f, 0, SEEK_SET) &&
		    fread(buf, 1, (size_t)n, f) == (size_t)n) {
			*len = (size_t)n;
		} else {
			free(buf);
			buf = NULL;
		}
	}
	if (f)
		fclose(f);
	return buf;
}

static void compare(const char *name)
{
	char want_path[4096], got_path[4096], cmd[9000];
	size_t wl = 0, gl = 0;
	if (!need_output()) {
		skip();
		return;
	}
	snprintf(want_path, sizeof want_path, "tests/golden/virt/%s", name);
	snprintf(got_path, sizeof got_path, "%s/%s", outdir, name);
	char *want = slurp(want_path, &wl), *got = slurp(got_path, &gl);
	if (!want)
		fail_msg("%s missing: run `make update-golden` and review the result", want_path);
	if (!got)
		fail_msg("vibegen did not write %s", got_path);
	int same = wl == gl && !memcmp(want, got, wl);
	free(want);
	free(got);
	if (!same) {
		snprintf(cmd, sizeof cmd, "diff -u '%s' '%s' | head -80", want_path, got_path);
		print_message("--- expected (%s) vs +++ generated now:\n", want_path);
		fflush(stdout);
		if (system(cmd) < 0)
			print_message("(diff failed to run)\n");
		fail_msg("vibegen's %s for machines/virt.yaml differs from %s; if the change is "
			 "intended, run `make update-golden` and commit the fixtures", name, want_path);
	}
}

static void virt_machine_c_matches_golden(void **state) { (void)state; compare("machine.c"); }
static void virt_machine_h_matches_golden(void **state) { (void)state; compare("machine.h"); }
static void virt_machine_mk_matches_golden(void **state) { (void)state; compare("machine.mk"); }

static void virt_map_matches_golden(void **state) { (void)state; compare("map.txt"); }

static void virt_machine_c_compiles_with_all_warnings(void **state)
{
	(void)state;
	char cmd[9000];
	if (!need_output()) {
		skip();
		return;
	}
	/* -Wextra without the project's -Wno-unused-parameter: generated code
	 * must be clean under stricter flags than the runtime uses. */
	snprintf(cmd, sizeof cmd, "%s -std=gnu11 -O2 -c -Wall -Wextra -Werror -Wshadow "
		 "-Wmissing-prototypes -Wstrict-prototypes -I'%s/runtime/include' '%s/machine.c' "
		 "-o '%s/machine.o'", CC_CMD, SRCROOT, outdir, outdir);
	assert_int_equal(system(cmd), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(virt_machine_c_matches_golden),
		cmocka_unit_test(virt_machine_h_matches_golden),
		cmocka_unit_test(virt_machine_mk_matches_golden),
		cmocka_unit_test(virt_map_matches_golden),
		cmocka_unit_test(virt_machine_c_compiles_with_all_warnings),
	};
	return cmocka_run_group_tests_name("golden", tests, gen_setup, gen_teardown);
}
