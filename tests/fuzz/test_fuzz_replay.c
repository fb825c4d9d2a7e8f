/*
 * Replays every committed fuzz input (tests/fuzz/corpus/<target>/ and
 * tests/fuzz/regressions/<target>/) through its fuzz target, built with the
 * normal compiler and flags (no libFuzzer, no clang needed), so `make test`
 * keeps every seed and every past crash checked, and `make test SAN=1`
 * checks them under ASan/UBSan. A target's invariant failure fails that
 * target's test and names the input file.
 */
#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "fuzz.h"
#include "diag.h"
#include "model.h"

#ifndef FUZZ_SRCDIR
#define FUZZ_SRCDIR "tests/fuzz"
#endif

typedef int (*target_fn)(const uint8_t *, size_t);
int fuzz_vibegen(const uint8_t *, size_t);
int fuzz_scalar(const uint8_t *, size_t);
int fuzz_virtqueue(const uint8_t *, size_t);
int fuzz_virtio_mmio(const uint8_t *, size_t);
int fuzz_arm64(const uint8_t *, size_t);
int fuzz_kernel(const uint8_t *, size_t);
int fuzz_uart(const uint8_t *, size_t);

static char current[1024]; /* the input being replayed, for failure messages */

void fuzz_fail(const char *file, int line, const char *what)
{
	fail_msg("%s:%d: fuzz invariant broken: %s\n  input: %s", file, line, what, current);
	abort(); /* not reached: fail_msg jumps back into cmocka */
}

static int cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Run every regular file in dir (sorted, for a stable order); return how many. */
static unsigned replay_dir(const char *dir, target_fn fn)
{
	DIR *d = opendir(dir);
	char **names = NULL;
	unsigned n = 0, cap = 0;
	struct dirent *e;

	if (!d)
		return 0;
	while ((e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		if (n == cap) {
			cap = cap ? 2 * cap : 64;
			names = realloc(names, cap * sizeof *names);
			assert_non_null(names);
		}
		names[n++] = strdup(e->d_name);
	}
	closedir(d);
	qsort(names, n, sizeof *names, cmp);
	for (unsigned i = 0; i < n; i++) {
		snprintf(current, sizeof current, "%s/%s", dir, names[i]);
		FILE *f = fopen(current, "rb");
		assert_non_null(f);
		uint8_t *buf = NULL;
		size_t len = 0, cap2 = 0, got;
		do {
			if (len == cap2) {
				cap2 = cap2 ? 2 * cap2 : 4096;
				buf = realloc(buf, cap2);
				assert_non_null(buf);
			}
			got = fread(buf + len, 1, cap2 - len, f);
			len += got;
		} while (got);
		fclose(f);
		/* Exactly len bytes, like libFuzzer: ASan catches reads past. */
		uint8_t *exact = malloc(len ? len : 1);
		assert_non_null(exact);
		memcpy(exact, buf, len);
		free(buf);
		fn(exact, len);
		free(exact);
		free(names[i]);
	}
	free(names);
	return n;
}

static void replay(const char *target, target_fn fn)
{
	char dir[512];
	snprintf(dir, sizeof dir, "%s/corpus/%s", FUZZ_SRCDIR, target);
	unsigned seeds = replay_dir(dir, fn);
	snprintf(dir, sizeof dir, "%s/regressions/%s", FUZZ_SRCDIR, target);
	unsigned regs = replay_dir(dir, fn);
	printf("fuzz replay: %-12s %3u seeds, %2u regressions\n", target, seeds, regs);
	assert_true(seeds > 0); /* an empty corpus would make this test vacuous */
}

#define REPLAY(t) static void test_##t(void **s) { (void)s; replay(#t, fuzz_##t); }
REPLAY(vibegen)
REPLAY(scalar)
REPLAY(virtqueue)
REPLAY(virtio_mmio)
REPLAY(arm64)
REPLAY(kernel)
REPLAY(uart)

/* The fuzzer enters the front end through machine_load_buffer(): it must
 * see exactly what machine_load() sees for the same bytes, or the fuzzing
 * would test another program. Compared on the committed vibegen corpus. */
static void buffer_load_matches_file_load(void **s)
{
	char dir[512], path[1024];
	struct dirent *e;
	unsigned n = 0;
	(void)s;
	snprintf(dir, sizeof dir, "%s/corpus/vibegen", FUZZ_SRCDIR);
	DIR *d = opendir(dir);
	assert_non_null(d);
	FILE *quiet = fopen("/dev/null", "w");
	assert_non_null(quiet);
	diag_stream(quiet);
	while ((e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
		FILE *f = fopen(path, "rb");
		assert_non_null(f);
		char buf[65536];
		size_t len = fread(buf, 1, sizeof buf, f);
		fclose(f);
		struct machine a, b;
		int ea = machine_load(path, &a), eb = machine_load_buffer(path, buf, len, &b);
		assert_int_equal(ea, eb);
		assert_string_equal(a.sha256, b.sha256);
		assert_string_equal(a.name, b.name);
		assert_int_equal(a.nram, b.nram);
		assert_int_equal(a.ndevs, b.ndevs);
		for (unsigned i = 0; !ea && i < a.nram; i++)
			assert_true(a.ram[i].base == b.ram[i].base && a.ram[i].size == b.ram[i].size);
		for (unsigned i = 0; !ea && i < a.ndevs; i++)
			assert_true(a.devs[i].base == b.devs[i].base && a.devs[i].irq == b.devs[i].irq);
		machine_free(&a);
		machine_free(&b);
		n++;
	}
	closedir(d);
	diag_stream(NULL);
	fclose(quiet);
	assert_true(n > 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(buffer_load_matches_file_load),
		cmocka_unit_test(test_vibegen),
		cmocka_unit_test(test_scalar),
		cmocka_unit_test(test_virtqueue),
		cmocka_unit_test(test_virtio_mmio),
		cmocka_unit_test(test_arm64),
		cmocka_unit_test(test_kernel),
		cmocka_unit_test(test_uart),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
