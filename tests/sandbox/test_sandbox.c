/*
 * The seccomp sandbox seen from outside, as a user would: the hidden
 * --debug-forbidden-syscall makes a vCPU thread call socket(2) once the
 * filter is on, which must kill vibevmm with SIGSYS; with --no-seccomp the
 * same run must finish normally. (The other guest tests run with the
 * filter on, the default, so they show the allowed set is enough.)
 */
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "vmm_run.h"

static char hello[512];

/* An ASan vibevmm runs without the filter (docs/architecture/security.md). */
#if defined(__SANITIZE_ADDRESS__)
#define SANITIZED 1
#else
#define SANITIZED 0
#endif

static void need_kvm(void)
{
	if (!have_kvm()) {
		print_message("SKIP: no /dev/kvm\n");
		skip();
	}
}

static void need_kvm_and_filter(void)
{
	need_kvm();
	if (SANITIZED) {
		print_message("SKIP: sanitizer build: vibevmm installs no seccomp filter\n");
		skip();
	}
}

static void forbidden_call_kills_with_sigsys(void **state)
{
	const char *argv[] = { TESTBED, "--binary", hello, "--debug-forbidden-syscall", NULL };
	struct vmm_result r;

	need_kvm_and_filter();
	if (vmm_run(argv, NULL, &r) < 0)
		fail_msg("cannot start %s", TESTBED);
	print_message("with the filter: %s\n", vmm_describe(&r));
	if (!r.signaled || r.sig != SIGSYS)
		fail_msg("expected death by SIGSYS, vibevmm %s; stderr:\n%s", vmm_describe(&r), r.err);
	vmm_result_free(&r);
}

static void no_seccomp_survives(void **state)
{
	const char *argv[] = { TESTBED, "--binary", hello, "--debug-forbidden-syscall",
			       "--no-seccomp", NULL };
	struct vmm_result r;

	need_kvm();
	if (vmm_run(argv, NULL, &r) < 0)
		fail_msg("cannot start %s", TESTBED);
	print_message("with --no-seccomp: %s\n", vmm_describe(&r));
	if (!r.exited || r.status != 0)
		fail_msg("expected exit 0, vibevmm %s; stderr:\n%s", vmm_describe(&r), r.err);
	if (!strstr(r.out, "Hello"))
		fail_msg("the guest did not run: stdout %s", r.out);
	vmm_result_free(&r);
}

/* Whole words of a `thread: calls` line (calls and ioctl names). */
static int has_word(const char *line, const char *w)
{
	size_t n = strlen(w);
	for (const char *p = line; (p = strstr(p, w)); p += n) {
		int start = p == line || strchr(" (:", p[-1]);
		int end = !p[n] || strchr(" )\n", p[n]);
		if (start && end)
			return 1;
	}
	return 0;
}

static const char *line_of(const char *text, const char *who, char *buf, size_t len)
{
	size_t n = strlen(who);
	for (const char *p = text; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : NULL) {
		if (!strncmp(p, who, n) && p[n] == ':') {
			const char *e = strchr(p, '\n');
			size_t l = e ? (size_t)(e - p) : strlen(p);
			snprintf(buf, len, "%.*s", (int)l, p);
			return buf;
		}
	}
	return NULL;
}

/* The testbed has no network device: no thread may open or use a socket,
 * and only vCPU threads may run the guest. Needs no KVM. */
static void no_socket_calls_without_net(void **state)
{
	static const char *const net[] = { "socket", "socketpair", "connect", "bind", "listen",
					   "accept", "accept4", "sendto", "sendmsg", "recvfrom",
					   "recvmsg", "execve", "open", "openat", NULL };
	const char *argv[] = { TESTBED, "--print-seccomp", NULL };
	struct vmm_result r;
	char main_l[2048], vcpu_l[2048];

	if (vmm_run(argv, NULL, &r) < 0)
		fail_msg("cannot start %s", TESTBED);
	if (!r.exited || r.status != 0)
		fail_msg("--print-seccomp: vibevmm %s: %s", vmm_describe(&r), r.err);
	print_message("%s", r.out);
	if (!line_of(r.out, "main", main_l, sizeof(main_l)) ||
	    !line_of(r.out, "vcpu", vcpu_l, sizeof(vcpu_l)))
		fail_msg("no main and vcpu lines in:\n%s", r.out);
	for (unsigned i = 0; net[i]; i++)
		if (has_word(r.out, net[i]))
			fail_msg("'%s' is allowed on a machine without a network device:\n%s", net[i], r.out);
	if (!has_word(vcpu_l, "KVM_RUN") || has_word(main_l, "KVM_RUN"))
		fail_msg("KVM_RUN belongs to vCPU threads only:\n%s", r.out);
	if (has_word(r.out, "KVM_SET_USER_MEMORY_REGION") || has_word(r.out, "KVM_CREATE_VCPU"))
		fail_msg("set-up ioctls allowed after set-up:\n%s", r.out);
	vmm_result_free(&r);
}

/* --log 3 lists what was installed, and the guest still runs under it. */
static void log3_lists_installed_filter(void **state)
{
	const char *argv[] = { TESTBED, "--binary", hello, "--log", "3", NULL };
	static const char *const vcpu_line[] = { "sandbox: vcpu thread allows:", "KVM_RUN", NULL };
	static const char *const main_line[] = { "sandbox: main thread allows:", "rt_sigtimedwait", NULL };
	struct vmm_result r;

	need_kvm_and_filter();
	if (vmm_run(argv, NULL, &r) < 0)
		fail_msg("cannot start %s", TESTBED);
	if (!r.exited || r.status != 0 || !strstr(r.out, "Hello"))
		fail_msg("hello under the filter: vibevmm %s; stderr:\n%s", vmm_describe(&r), r.err);
	if (count_lines_with(r.err, vcpu_line) != 1 || count_lines_with(r.err, main_line) != 1)
		fail_msg("--log 3 should list each thread's calls once:\n%s", r.err);
	vmm_result_free(&r);
}

/* --no-seccomp is a user's debugging switch and in --help; the two test
 * flags are not. */
static void help_shows_only_no_seccomp(void **state)
{
	const char *argv[] = { TESTBED, "--help", NULL };
	struct vmm_result r;

	if (vmm_run(argv, NULL, &r) < 0)
		fail_msg("cannot start %s", TESTBED);
	if (!r.exited || r.status != 0)
		fail_msg("--help: vibevmm %s", vmm_describe(&r));
	if (!strstr(r.out, "--no-seccomp"))
		fail_msg("--help should list --no-seccomp:\n%s", r.out);
	if (strstr(r.out, "print-seccomp") || strstr(r.out, "debug-forbidden"))
		fail_msg("--help lists a hidden test flag:\n%s", r.out);
	vmm_result_free(&r);
}

int main(void)
{
	snprintf(hello, sizeof(hello), "%s/hello.bin", GUEST_DIR);
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(forbidden_call_kills_with_sigsys),
		cmocka_unit_test(no_seccomp_survives),
		cmocka_unit_test(no_socket_calls_without_net),
		cmocka_unit_test(log3_lists_installed_filter),
		cmocka_unit_test(help_shows_only_no_seccomp),
	};
	return cmocka_run_group_tests_name("seccomp sandbox", tests, NULL, NULL);
}
