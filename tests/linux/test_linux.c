/*
 * Linux test bed runner (cmocka): one test per case script in
 * tests/linux/cases/, judged by the case's verdict line.
 *
 * The group setup runs tests/linux/run.sh ONCE for all cases (inside one L1
 * boot on hosts whose KVM can't boot Linux; see docs/guides/testing.md) and
 * collects its `VIBE-RESULT NAME PASS|FAIL|SKIP DETAIL` lines. Each test then
 * asserts its own line: PASS passes, SKIP skips with `SKIP: DETAIL`, FAIL or
 * no line at all fails with the detail. If the test bed itself can't run here
 * (no qemu-system-x86_64, packages can't be fetched: run.sh exits 77 with a
 * VIBE-TESTBED-SKIP line) every case is skipped with that reason.
 *
 * VIBE_LINUX_CASES="a b" runs only those cases; VIBE_VMM_BIN names the
 * vibevmm to test (default: the $(BIN)/vibevmm this test was built with).
 */
#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include <cmocka.h>

#ifndef LINUX_TEST_DIR
#error "LINUX_TEST_DIR comes from tests/linux/rules.mk"
#endif

#define MAX_CASES 128

struct linux_case {
	char name[64];
	char verdict[8];      /* PASS FAIL SKIP, or "" if no line came */
	char detail[512];
};

static struct linux_case cases[MAX_CASES];
static size_t n_cases;
static char testbed_skip[512]; /* why the whole test bed can't run here */
static char testbed_error[512]; /* run.sh failed outright */

static int by_name(const void *a, const void *b)
{
	return strcmp(((const struct linux_case *)a)->name, ((const struct linux_case *)b)->name);
}

static void add_case(const char *name, size_t len)
{
	if (n_cases == MAX_CASES || len == 0 || len >= sizeof cases[0].name)
		return;
	memcpy(cases[n_cases].name, name, len);
	cases[n_cases].name[len] = 0;
	n_cases++;
}

/* The case list: VIBE_LINUX_CASES, or every cases/NAME.sh. */
static void find_cases(void)
{
	const char *sel = getenv("VIBE_LINUX_CASES");
	if (sel && *sel) {
		for (const char *p = sel; *p;) {
			size_t len = strcspn(p, " ,");
			add_case(p, len);
			p += len;
			p += strspn(p, " ,");
		}
		return;
	}
	DIR *d = opendir(LINUX_TEST_DIR "/cases");
	if (!d)
		return;
	for (struct dirent *e; (e = readdir(d));) {
		size_t len = strlen(e->d_name);
		if (len > 3 && !strcmp(e->d_name + len - 3, ".sh"))
			add_case(e->d_name, len - 3);
	}
	closedir(d);
	qsort(cases, n_cases, sizeof cases[0], by_name);
}

static struct linux_case *case_named(const char *name, size_t len)
{
	for (size_t i = 0; i < n_cases; i++)
		if (strlen(cases[i].name) == len && !memcmp(cases[i].name, name, len))
			return &cases[i];
	return NULL;
}

static void copy_trimmed(char *dst, size_t size, const char *src)
{
	snprintf(dst, size, "%s", src);
	size_t n = strlen(dst);
	while (n && (dst[n - 1] == '\n' || dst[n - 1] == '\r'))
		dst[--n] = 0;
}

static int run_testbed(void **state)
{
	(void)state;
	char cmd[4096];
	int n = snprintf(cmd, sizeof cmd, "'%s/run.sh'", LINUX_TEST_DIR);
	for (size_t i = 0; i < n_cases && n < (int)sizeof cmd - 80; i++)
		n += snprintf(cmd + n, sizeof cmd - n, " '%s'", cases[i].name);

	/* run.sh's progress goes to stderr, shown as it comes; verdicts on stdout. */
	FILE *p = popen(cmd, "r");
	if (!p) {
		snprintf(testbed_error, sizeof testbed_error, "cannot start %s/run.sh", LINUX_TEST_DIR);
		return 0;
	}
	char line[1024];
	while (fgets(line, sizeof line, p)) {
		fputs(line, stdout);
		if (!strncmp(line, "VIBE-TESTBED-SKIP ", 18)) {
			copy_trimmed(testbed_skip, sizeof testbed_skip, line + 18);
			continue;
		}
		if (strncmp(line, "VIBE-RESULT ", 12))
			continue;
		const char *name = line + 12;
		size_t len = strcspn(name, " ");
		struct linux_case *c = case_named(name, len);
		if (!c || c->verdict[0])
			continue; /* first verdict wins */
		const char *v = name + len + strspn(name + len, " ");
		size_t vlen = strcspn(v, " \r\n");
		if (vlen >= sizeof c->verdict)
			vlen = sizeof c->verdict - 1;
		memcpy(c->verdict, v, vlen);
		c->verdict[vlen] = 0;
		copy_trimmed(c->detail, sizeof c->detail, v + vlen + strspn(v + vlen, " "));
	}
	fflush(stdout);
	int st = pclose(p);
	int rc = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
	if (rc != 0 && rc != 1 && rc != 77)
		snprintf(testbed_error, sizeof testbed_error,
			 "tests/linux/run.sh failed (status %d; its messages are above)", rc);
	else if (rc == 77 && !testbed_skip[0])
		snprintf(testbed_skip, sizeof testbed_skip, "the Linux test bed cannot run here");
	return 0;
}

static void check_case(void **state)
{
	const struct linux_case *c = *state;
	if (testbed_skip[0]) {
		print_message("SKIP: %s\n", testbed_skip);
		skip();
	}
	if (!c->verdict[0] && testbed_error[0])
		fail_msg("%s", testbed_error);
	if (!c->verdict[0])
		fail_msg("case %s reported no VIBE-RESULT line", c->name);
	if (!strcmp(c->verdict, "PASS")) {
		print_message("%s: %s\n", c->name, c->detail);
		return;
	}
	if (!strcmp(c->verdict, "SKIP")) {
		print_message("SKIP: %s\n", c->detail);
		skip();
	}
	fail_msg("%s %s: %s", c->name, c->verdict, c->detail);
}

int main(void)
{
	static struct CMUnitTest tests[MAX_CASES];

#ifdef VMM_BIN
	/* The vibevmm this make built (build/san/bin/vibevmm under SAN=1);
	 * an explicit VIBE_VMM_BIN in the environment still wins. */
	setenv("VIBE_VMM_BIN", VMM_BIN, 0);
#endif
	find_cases();
	if (n_cases == 0) {
		fprintf(stderr, "test_linux: no cases in %s/cases\n", LINUX_TEST_DIR);
		return 1;
	}
	for (size_t i = 0; i < n_cases; i++) {
		tests[i].name = cases[i].name;
		tests[i].test_func = check_case;
		tests[i].initial_state = &cases[i];
	}
	return _cmocka_run_group_tests("linux", tests, n_cases, run_testbed, NULL);
}
