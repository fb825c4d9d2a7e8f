/*
 * The malformed-machine corpus: each tests/corpus/NAME.yaml states on its
 * first line what vibegen must say about it,
 *   # expect: LINE:COL: error[ENNN]: message text
 * and this test runs `vibegen --check` on it and checks exit status 1, that
 * `FILE:LINE:COL: error[ENNN]: message text` is in the output, and that no
 * sanitizer complained (under make SAN=1 the binary is the sanitized one).
 * Plus the CLI's other error paths: missing file, usage, atomic output.
 */
#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>
#include "run.h"

#define CORPUS SRCDIR "/tests/corpus"
#define MIN_CORPUS 30

static char *first_line(const char *path)
{
	FILE *f = fopen(path, "r");
	char line[512];
	if (!f)
		return NULL;
	if (!fgets(line, sizeof line, f))
		line[0] = 0;
	fclose(f);
	line[strcspn(line, "\n")] = 0;
	return strdup(line);
}

static void corpus_file(void **state)
{
	const char *name = *state;
	char path[1024], cmd[2048], *out;
	snprintf(path, sizeof path, "tests/corpus/%s", name);
	char *line = first_line(path);
	assert_non_null(line);
	const char *prefix = "# expect: ";
	if (strncmp(line, prefix, strlen(prefix))) {
		fail_msg("%s: first line must be '# expect: LINE:COL: error[ENNN]: text', is '%s'", path, line);
	}
	char want[1200];
	snprintf(want, sizeof want, "%s:%s", path, line + strlen(prefix));
	/* Relative path so the message names it as a user would type it. */
	snprintf(cmd, sizeof cmd, "cd '" SRCDIR "' && '" VIBEGEN "' --check '%s' 2>&1", path);
	int rc = run_capture(cmd, &out);
	assert_non_null(out);
	if (rc != 1)
		fail_msg("%s: exit status %d, expected 1; output:\n%s", path, rc, out);
	if (!strstr(out, want))
		fail_msg("%s: expected\n  %s\nin the output:\n%s", path, want, out);
	const char *san = sanitizer_report(out);
	if (san)
		fail_msg("%s: %s report:\n%s", path, san, out);
	free(out);
	free(line);
}

static void missing_file_exits_2(void **state)
{
	char *out;
	int rc = run_capture("'" VIBEGEN "' --check /nonexistent/machine.yaml 2>&1", &out);
	assert_int_equal(rc, 2);
	assert_non_null(strstr(out, "/nonexistent/machine.yaml: error[E001]: cannot read the machine file"));
	free(out);
}

static void usage_errors_exit_2(void **state)
{
	char *out;
	assert_int_equal(run_capture("'" VIBEGEN "' 2>&1", &out), 2);
	assert_non_null(strstr(out, "usage:"));
	free(out);
	assert_int_equal(run_capture("'" VIBEGEN "' --bogus x.yaml 2>&1", &out), 2);
	free(out);
	assert_int_equal(run_capture("'" VIBEGEN "' --help", &out), 0);
	assert_non_null(strstr(out, "--emit-schema"));
	free(out);
	assert_int_equal(run_capture("'" VIBEGEN "' --version", &out), 0);
	assert_non_null(strstr(out, "vibegen "));
	free(out);
}

static void shipped_machines_are_valid(void **state)
{
	static const char *const files[] = { "machines/virt.yaml", "machines/virt-arm64.yaml",
					     "machines/appliance-hello.yaml" };
	for (unsigned i = 0; i < 3; i++) {
		char cmd[1024], *out;
		snprintf(cmd, sizeof cmd, "cd '" SRCDIR "' && '" VIBEGEN "' --check %s 2>&1", files[i]);
		int rc = run_capture(cmd, &out);
		if (rc != 0 || *out)
			fail_msg("%s: exit %d, output:\n%s", files[i], rc, out);
		free(out);
	}
}

/* Runs in a scratch directory: the default output goes to build/gen/<name>/
 * relative to the current directory, plus build/gen/selected; -o writes
 * only its directory; a bad file writes nothing. */
static void output_is_atomic_and_selected_only_by_default(void **state)
{
	char tmpl[] = "/tmp/vibegen-test-XXXXXX", cmd[2048], *out, p[1200];
	struct stat st;
	assert_non_null(mkdtemp(tmpl));

	snprintf(cmd, sizeof cmd, "cd %s && '" VIBEGEN "' -o out '" SRCDIR "/machines/virt.yaml' 2>&1", tmpl);
	assert_int_equal(run_capture(cmd, &out), 0);
	free(out);
	const char *files[] = { "machine.c", "machine.h", "machine.mk" };
	for (int i = 0; i < 3; i++) {
		snprintf(p, sizeof p, "%s/out/%s", tmpl, files[i]);
		if (stat(p, &st) || st.st_size == 0)
			fail_msg("%s missing or empty", p);
	}
	snprintf(p, sizeof p, "%s/build/gen/selected", tmpl);
	assert_int_not_equal(stat(p, &st), 0); /* -o leaves selected alone */

	snprintf(cmd, sizeof cmd, "cd %s && '" VIBEGEN "' '" SRCDIR "/machines/virt.yaml' 2>&1", tmpl);
	assert_int_equal(run_capture(cmd, &out), 0);
	free(out);
	snprintf(p, sizeof p, "%s/build/gen/virt/machine.c", tmpl);
	assert_int_equal(stat(p, &st), 0);
	snprintf(p, sizeof p, "%s/build/gen/selected", tmpl);
	char *sel = first_line(p);
	assert_non_null(sel);
	assert_string_equal(sel, SRCDIR "/machines/virt.yaml");
	free(sel);

	snprintf(cmd, sizeof cmd, "cd %s && '" VIBEGEN "' -o bad '" CORPUS "/overlap_pio.yaml' 2>&1", tmpl);
	assert_int_equal(run_capture(cmd, &out), 1);
	assert_non_null(strstr(out, "nothing written"));
	free(out);
	snprintf(p, sizeof p, "%s/bad", tmpl);
	assert_int_not_equal(stat(p, &st), 0);

	/* No temporaries left behind. */
	snprintf(cmd, sizeof cmd, "find %s -type f -name '.*' | wc -l", tmpl);
	assert_int_equal(run_capture(cmd, &out), 0);
	assert_int_equal(atoi(out), 0);
	free(out);
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpl);
	assert_int_equal(system(cmd), 0);
}

/* Every code in compiler/diag.h is documented in docs/api/machine-files.md
 * and demonstrated by a corpus file (E001, an unreadable file, by
 * missing_file_exits_2 above). */
static void every_error_code_is_documented_and_exercised(void **state)
{
	char *codes, *out;
	assert_int_equal(run_capture("grep -o '= [0-9]*,' '" SRCDIR "/compiler/diag.h' | tr -dc '0-9\\n'",
				     &codes), 0);
	unsigned n = 0;
	for (char *line = strtok(codes, "\n"); line; line = strtok(NULL, "\n")) {
		char code[8], cmd[1024];
		snprintf(code, sizeof code, "E%03d", atoi(line));
		n++;
		snprintf(cmd, sizeof cmd, "grep -c '^| %s |' '" SRCDIR "/docs/api/machine-files.md'", code);
		run_capture(cmd, &out);
		if (atoi(out) != 1)
			fail_msg("%s is not in the error table of docs/api/machine-files.md", code);
		free(out);
		if (!strcmp(code, "E001"))
			continue;
		/* The --appliance codes (E070, E071) have their corpus in
		 * tests/appliance/corpus/, checked by test_appliance. */
		snprintf(cmd, sizeof cmd, "grep -l '^# expect: .*error\\[%s\\]' '" CORPUS "'/*.yaml '"
			 SRCDIR "/tests/appliance/corpus'/*.yaml | wc -l", code);
		run_capture(cmd, &out);
		if (atoi(out) < 1)
			fail_msg("no tests/corpus file expects %s", code);
		free(out);
	}
	free(codes);
	assert_true(n >= 40);
}

static int cmp(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

int main(void)
{
	DIR *d = opendir(CORPUS);
	char **names = NULL;
	unsigned n = 0;
	struct dirent *e;
	if (!d) {
		fprintf(stderr, "cannot open %s\n", CORPUS);
		return 1;
	}
	while ((e = readdir(d))) {
		size_t l = strlen(e->d_name);
		if (l > 5 && !strcmp(e->d_name + l - 5, ".yaml")) {
			names = realloc(names, (n + 1) * sizeof *names);
			names[n++] = strdup(e->d_name);
		}
	}
	closedir(d);
	qsort(names, n, sizeof *names, cmp);
	if (n < MIN_CORPUS) {
		fprintf(stderr, "corpus has %u files, expected at least %d\n", n, MIN_CORPUS);
		return 1;
	}

	struct CMUnitTest *t = calloc(n + 5, sizeof *t);
	for (unsigned i = 0; i < n; i++) {
		t[i].name = names[i];
		t[i].test_func = corpus_file;
		t[i].initial_state = names[i];
	}
	t[n] = (struct CMUnitTest)cmocka_unit_test(missing_file_exits_2);
	t[n + 1] = (struct CMUnitTest)cmocka_unit_test(usage_errors_exit_2);
	t[n + 2] = (struct CMUnitTest)cmocka_unit_test(shipped_machines_are_valid);
	t[n + 3] = (struct CMUnitTest)cmocka_unit_test(output_is_atomic_and_selected_only_by_default);
	t[n + 4] = (struct CMUnitTest)cmocka_unit_test(every_error_code_is_documented_and_exercised);
	int rc = _cmocka_run_group_tests("corpus", t, n + 5, NULL, NULL);
	for (unsigned i = 0; i < n; i++)
		free(names[i]);
	free(names);
	free(t);
	return rc;
}
