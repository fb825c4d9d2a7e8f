/*
 * The sandbox's lists follow the device set: runtime/sandbox.c linked with
 * fake machines whose device types declare calls (vibe_device_ops.syscalls).
 * A declared call must appear on its thread kind's line and nowhere else,
 * an undeclared one nowhere; and the installed filter must really allow the
 * one and kill the other (checked in a forked child).
 */
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "sandbox.h"
#include "vm.h"

static uint64_t rd(struct vibe_dev *d, uint64_t o, unsigned s) { return 0; }
static void wr(struct vibe_dev *d, uint64_t o, unsigned s, uint64_t v) { }

static const char *const rng_vcpu[] = { "getrandom", NULL };
static const struct vibe_dev_syscalls rng_calls = { .vcpu = rng_vcpu };
static const struct vibe_device_ops rng_ops = { .type = "fake-rng", .read = rd, .write = wr,
						.syscalls = &rng_calls };

static const char *const blk_thread[] = { "pread64", "pwrite64", "fdatasync", NULL };
static const char *const blk_main[] = { "fsync", NULL };
static const struct vibe_dev_syscalls blk_calls = { .thread = blk_thread, .main = blk_main };
static const struct vibe_device_ops blk_ops = { .type = "fake-blk", .read = rd, .write = wr,
						.syscalls = &blk_calls };

/* An older device: its ops end before the syscalls field. */
static const struct vibe_device_ops plain_ops = { .type = "plain", .read = rd, .write = wr };

static const struct vibe_dev_desc devs_full[] = {
	{ .name = "rng0", .type = "fake-rng", .ops = &rng_ops },
	{ .name = "blk0", .type = "fake-blk", .ops = &blk_ops },
	{ .name = "com1", .type = "plain", .ops = &plain_ops },
	{ .name = "absent", .type = "fake-net", .ops = NULL }, /* not built in */
};
static const struct vibe_dev_desc devs_plain[] = {
	{ .name = "com1", .type = "plain", .ops = &plain_ops },
};
static const struct vibe_machine_desc m_full = { .name = "full", .ndevs = 4, .devs = devs_full };
static const struct vibe_machine_desc m_plain = { .name = "plain", .ndevs = 1, .devs = devs_plain };

static char *print_lists(const struct vibe_machine_desc *m)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	assert_non_null(f);
	vibe_sandbox_print(m, f);
	fclose(f);
	return buf;
}

/* The line that starts with `who:` (copied), or NULL. */
static char *line(const char *text, const char *who)
{
	size_t n = strlen(who);
	for (const char *p = text; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : NULL)
		if (!strncmp(p, who, n) && p[n] == ':')
			return strndup(p, strcspn(p, "\n"));
	return NULL;
}

static int has(const char *l, const char *w)
{
	size_t n = strlen(w);
	for (const char *p = l; l && (p = strstr(p, w)); p += n)
		if (p[-1] == ' ' && (!p[n] || p[n] == ' '))
			return 1;
	return 0;
}

static void declared_calls_land_on_their_thread(void **state)
{
	char *out = print_lists(&m_full);
	char *mn = line(out, "main"), *vc = line(out, "vcpu"), *blk = line(out, "dev blk0");
	print_message("%s", out);
	assert_non_null(mn);
	assert_non_null(vc);
	assert_non_null(blk);
	assert_true(has(vc, "getrandom"));
	assert_false(has(mn, "getrandom"));
	assert_false(has(blk, "getrandom"));
	assert_true(has(blk, "pread64") && has(blk, "fdatasync"));
	assert_false(has(vc, "pread64") || has(mn, "pread64"));
	assert_true(has(mn, "fsync"));
	assert_false(has(vc, "fsync"));
	/* Threads only for devices that declare them; no console linked. */
	assert_null(line(out, "dev rng0"));
	assert_null(line(out, "dev com1"));
	assert_null(line(out, "console"));
	free(mn); free(vc); free(blk); free(out);
}

static void undeclared_calls_appear_nowhere(void **state)
{
	char *out = print_lists(&m_plain);
	print_message("%s", out);
	assert_null(strstr(out, "getrandom"));
	assert_null(strstr(out, "pread64"));
	assert_null(strstr(out, "fsync"));
	assert_null(strstr(out, "dev "));
	free(out);
}

/* In a child: install for machine m, narrow to the vCPU list, call
 * getrandom(2). Returns the wait status. */
static int child_getrandom(const struct vibe_machine_desc *m)
{
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		struct vibe_vm vm;
		struct vibe_sandbox_opts o = { 0 };
		char b[8];
		memset(&vm, 0, sizeof(vm));
		vm.m = m;
		if (vibe_sandbox_install(&vm, &o) != 0)
			_exit(10);
		vibe_sandbox_enter(VIBE_SB_VCPU);
		if (getrandom(b, sizeof(b), 0) != (ssize_t)sizeof(b))
			syscall(SYS_exit, 11);
		syscall(SYS_exit, 0); /* exit_group is not on the vCPU list */
	}
	int st;
	assert_int_equal(waitpid(pid, &st, 0), pid);
	return st;
}

static void filter_follows_the_lists(void **state)
{
#if defined(__SANITIZE_ADDRESS__)
	print_message("SKIP: sanitizer build: the sandbox installs nothing\n");
	skip();
#endif
	int st = child_getrandom(&m_full);
	if (!WIFEXITED(st) || WEXITSTATUS(st) != 0)
		fail_msg("getrandom declared by a device: child %s %d", WIFEXITED(st) ? "exited" : "died of",
			 WIFEXITED(st) ? WEXITSTATUS(st) : WTERMSIG(st));
	st = child_getrandom(&m_plain);
	if (!WIFSIGNALED(st) || WTERMSIG(st) != SIGSYS)
		fail_msg("getrandom declared by no device: child %s %d, expected SIGSYS",
			 WIFEXITED(st) ? "exited" : "died of", WIFEXITED(st) ? WEXITSTATUS(st) : WTERMSIG(st));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(declared_calls_land_on_their_thread),
		cmocka_unit_test(undeclared_calls_appear_nowhere),
		cmocka_unit_test(filter_follows_the_lists),
	};
	return cmocka_run_group_tests_name("sandbox lists", tests, NULL, NULL);
}
