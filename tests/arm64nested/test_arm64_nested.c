/*
 * Nested arm64 integration test (cmocka): one test per check of
 * tests/arm64nested/run.sh, which boots a Debian arm64 L1 under
 * qemu-system-aarch64 and runs the aarch64 vibevmm there under KVM
 * (docs/guides/testing.md, "arm64").
 *
 * The group setup runs run.sh ONCE and keeps its `VIBE-RESULT CHECK
 * PASS|FAIL|SKIP DETAIL` lines; each test asserts its own. PASS passes, SKIP
 * skips with `SKIP: DETAIL`, FAIL or no line fails. When the test can't run
 * here (run.sh exits 77 with a `VIBE-TESTBED-SKIP reason` line: no
 * qemu-system-aarch64, no cross compiler, packages can't be fetched) or this
 * is a sanitizer build (A64N_SKIP), every check skips with the reason.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include <cmocka.h>

#ifndef A64N_SCRIPT
#error "A64N_SCRIPT comes from tests/arm64nested/rules.mk"
#endif

/* The checks run.sh (l1-init.sh) reports, in the order they run. */
static struct check {
	const char *name;
	char verdict[8]; /* PASS FAIL SKIP, or "" if no line came */
	char detail[512];
} checks[] = {
	{ .name = "raw_guest" }, { .name = "isv0_stp" }, { .name = "abort_inject" },
	{ .name = "linux_init" }, { .name = "virtio_blk" }, { .name = "pl011_rx" },
	{ .name = "smp_2cpus" },
};
#define N_CHECKS (sizeof checks / sizeof checks[0])

static char skip_reason[512];
static char run_error[512];

static void copy_trimmed(char *dst, size_t size, const char *src)
{
	snprintf(dst, size, "%s", src);
	size_t n = strlen(dst);
	while (n && (dst[n - 1] == '\n' || dst[n - 1] == '\r'))
		dst[--n] = 0;
}

static void take_result(const char *line)
{
	const char *name = line + strlen("VIBE-RESULT ");
	size_t len = strcspn(name, " ");
	for (size_t i = 0; i < N_CHECKS; i++) {
		struct check *c = &checks[i];
		if (strlen(c->name) != len || memcmp(c->name, name, len) || c->verdict[0])
			continue; /* another check, or a later line for this one */
		const char *v = name + len + strspn(name + len, " ");
		size_t vlen = strcspn(v, " \r\n");
		if (vlen >= sizeof c->verdict)
			vlen = sizeof c->verdict - 1;
		memcpy(c->verdict, v, vlen);
		c->verdict[vlen] = 0;
		copy_trimmed(c->detail, sizeof c->detail, v + vlen + strspn(v + vlen, " "));
		return;
	}
}

static int run_nested(void **state)
{
	(void)state;
#ifdef A64N_SKIP
	snprintf(skip_reason, sizeof skip_reason, "%s", A64N_SKIP);
	return 0;
#endif
	/* The artifacts make built for this tree; explicit settings still win. */
	setenv("VIBE_ARM64_OUT", A64N_OUT, 0);
	setenv("VIBE_ARM64_VMM", A64N_VMM_DIR "/vibevmm", 0);
	setenv("VIBE_ARM64_VMM_SMP", A64N_VMM_DIR "/vibevmm-smp", 0);
	setenv("VIBE_ARM64_GUESTS", A64N_GUEST_DIR, 0);

	/* run.sh's progress and timings go to stderr, shown as they come. */
	FILE *p = popen("'" A64N_SCRIPT "'", "r");
	if (!p) {
		snprintf(run_error, sizeof run_error, "cannot start %s", A64N_SCRIPT);
		return 0;
	}
	char line[1024];
	while (fgets(line, sizeof line, p)) {
		fputs(line, stdout);
		if (!strncmp(line, "VIBE-TESTBED-SKIP ", 18))
			copy_trimmed(skip_reason, sizeof skip_reason, line + 18);
		else if (!strncmp(line, "VIBE-RESULT ", 12))
			take_result(line);
	}
	fflush(stdout);
	int st = pclose(p);
	int rc = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
	if (rc == 77 && !skip_reason[0])
		snprintf(skip_reason, sizeof skip_reason, "the nested arm64 test cannot run here");
	else if (rc != 0 && rc != 1 && rc != 77)
		snprintf(run_error, sizeof run_error,
			 "tests/arm64nested/run.sh failed (status %d; its messages are above)", rc);
	return 0;
}

static void check(void **state)
{
	const struct check *c = *state;
	if (skip_reason[0]) {
		print_message("SKIP: %s\n", skip_reason);
		skip();
	}
	if (!c->verdict[0] && run_error[0])
		fail_msg("%s", run_error);
	if (!c->verdict[0])
		fail_msg("check %s reported no VIBE-RESULT line", c->name);
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
	struct CMUnitTest tests[N_CHECKS];
	for (size_t i = 0; i < N_CHECKS; i++)
		tests[i] = (struct CMUnitTest){ .name = checks[i].name, .test_func = check,
						.initial_state = &checks[i] };
	return _cmocka_run_group_tests("arm64_nested", tests, N_CHECKS, run_nested, NULL);
}
