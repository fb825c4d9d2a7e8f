/*
 * Bad command lines: each must end vibevmm with a non-zero status (1: bad
 * usage or input), exactly one line on stderr that names the problem, and
 * no signal death. A table, so adding a case is one line.
 *
 * Cases caught only after the VM is built (entry, load address) run on the
 * testbed vibevmm (TB): the default machine also names, once at start, the
 * device types a build left out, which is not part of the error.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "vmm_run.h"

static char tmpdir[] = "/tmp/vibevmm-cli-XXXXXX";
static char empty_bin[64], unreadable_bin[64], hello_bin[512];

/* In the child: root reads a mode-000 file anyway (CAP_DAC_OVERRIDE), so
 * drop the DAC capabilities from the bounding set before exec; the exec'd
 * vibevmm then lacks them like any user. */
static void drop_dac_caps(void)
{
	prctl(PR_CAPBSET_DROP, CAP_DAC_OVERRIDE, 0, 0, 0);
	prctl(PR_CAPBSET_DROP, CAP_DAC_READ_SEARCH, 0, 0, 0);
}

#define TB TESTBED
#define VM VIBEVMM
#define H "@hello"      /* replaced by the built hello.bin */
#define EMPTY "@empty"
#define UNREAD "@unreadable"

struct bad_case {
	const char *what;
	const char *argv[12];
	const char *must_mention; /* case-insensitive, on the one stderr line */
	int flags;
};
#define DROP_CAPS 0x1 /* run without CAP_DAC_OVERRIDE */
#define NEEDS_KVM 0x2 /* checked only once the VM exists */

static const struct bad_case cases[] = {
	{ "unknown flag", { VM, "--bogus", NULL }, "bogus", 0 },
	{ "missing argument", { VM, "--binary", NULL }, "binary", 0 },
	{ "stray argument", { VM, "--binary", H, "--entry", "0x10000", "extra", NULL }, "extra", 0 },
	{ "nothing to boot", { VM, NULL }, "binary", 0 },
	{ "bad entry number", { VM, "--binary", H, "--entry", "zzz", NULL }, "entry", 0 },
	{ "entry overflows", { VM, "--binary", H, "--entry", "0x1ffffffffffffffff", NULL }, "entry", 0 },
	{ "entry outside RAM", { TB, "--binary", H, "--entry", "0x7fff0000", "--mem", "128M", NULL }, "entry", NEEDS_KVM },
	{ "bad --mem number", { VM, "--binary", H, "--entry", "0x10000", "--mem", "12Q", NULL }, "mem", 0 },
	{ "--mem 0", { VM, "--binary", H, "--entry", "0x10000", "--mem", "0", NULL }, "mem", 0 },
	{ "--mem negative", { VM, "--binary", H, "--entry", "0x10000", "--mem", "-64M", NULL }, "mem", 0 },
	{ "--mem beyond any max", { VM, "--binary", H, "--entry", "0x10000", "--mem", "1T", NULL }, "mem", 0 },
	{ "--mem beyond the testbed's 1G", { TB, "--binary", H, "--entry", "0x10000", "--mem", "2G", NULL }, "mem", 0 },
	{ "bad --log level", { VM, "--binary", H, "--entry", "0x10000", "--log", "9", NULL }, "log", 0 },
	{ "bad --mode", { VM, "--binary", H, "--entry", "0x10000", "--mode", "weird", NULL }, "mode", 0 },
	{ "missing file", { VM, "--binary", "/nonexistent/guest.bin", "--entry", "0x10000", NULL }, "/nonexistent/guest.bin", 0 },
	{ "directory as binary", { VM, "--binary", "/tmp", "--entry", "0x10000", NULL }, "/tmp", 0 },
	{ "unreadable file", { VM, "--binary", UNREAD, "--entry", "0x10000", NULL }, "unreadable", DROP_CAPS },
	{ "empty binary", { VM, "--binary", EMPTY, "--entry", "0x10000", NULL }, "empty", 0 },
	{ "binary does not fit in RAM", { TB, "--binary", H, "--entry", "0x10000", "--load-addr", "0x7fffff0", "--mem", "128M", NULL }, "fit", NEEDS_KVM },
};

static void run_bad_case(void **state)
{
	const struct bad_case *c = *state;
	const char *argv[12];
	struct vmm_result r;
	struct vmm_opts o = { .timeout_ms = 10000 };

	if (access(c->argv[0], X_OK) != 0)
		fail_msg("%s is not built", c->argv[0]);
	for (unsigned i = 0; i < 12; i++) {
		const char *a = c->argv[i];
		if (a && !strcmp(a, H))
			a = hello_bin;
		else if (a && !strcmp(a, EMPTY))
			a = empty_bin;
		else if (a && !strcmp(a, UNREAD))
			a = unreadable_bin;
		argv[i] = a;
		if (!a)
			break;
	}
	if ((c->flags & NEEDS_KVM) && !have_kvm()) {
		print_message("SKIP: no /dev/kvm\n");
		skip();
	}
	if (c->flags & DROP_CAPS)
		o.child_setup = drop_dac_caps;
	if (vmm_run(argv, &o, &r) < 0)
		fail_msg("cannot start %s", argv[0]);

	print_message("%-32s -> %s: %s", c->what, vmm_describe(&r), r.err);
	if (r.timed_out || r.signaled)
		fail_msg("%s: vibevmm %s", c->what, vmm_describe(&r));
	if (r.status == 0)
		fail_msg("%s: expected a non-zero exit status", c->what);
	if (r.status != 1)
		fail_msg("%s: bad input must exit 1, got %d", c->what, r.status);
	char *nl = strchr(r.err, '\n');
	if (r.err_len == 0 || !nl || nl[1] != 0)
		fail_msg("%s: expected exactly one line on stderr, got:\n%s", c->what, r.err);
	if (!strcasestr(r.err, c->must_mention))
		fail_msg("%s: the message should mention \"%s\"", c->what, c->must_mention);
	if (r.out_len != 0)
		fail_msg("%s: nothing belongs on stdout, got: %s", c->what, r.out);
	vmm_result_free(&r);
}

/* --help documents the exit codes and debug-exit, and exits 0. */
static void help_documents_exit_codes(void **state)
{
	const char *argv[] = { VM, "--help", NULL };
	struct vmm_result r;

	if (vmm_run(argv, NULL, &r) < 0)
		fail_msg("cannot start %s", VM);
	if (!r.exited || r.status != 0)
		fail_msg("--help: vibevmm %s", vmm_describe(&r));
	const char *text = r.out_len ? r.out : r.err;
	if (!strcasestr(text, "debug-exit"))
		fail_msg("--help should explain the debug-exit status:\n%s", text);
	if (!strstr(text, "3"))
		fail_msg("--help should list vibevmm's exit codes:\n%s", text);
	vmm_result_free(&r);
}

static int setup(void **state)
{
	if (!mkdtemp(tmpdir))
		return -1;
	snprintf(empty_bin, sizeof(empty_bin), "%s/empty.bin", tmpdir);
	snprintf(unreadable_bin, sizeof(unreadable_bin), "%s/unreadable.bin", tmpdir);
	snprintf(hello_bin, sizeof(hello_bin), "%s/hello.bin", GUEST_DIR);
	int fd = open(empty_bin, O_CREAT | O_WRONLY | O_TRUNC, 0644);
	if (fd < 0)
		return -1;
	close(fd);
	fd = open(unreadable_bin, O_CREAT | O_WRONLY | O_TRUNC, 0644);
	if (fd < 0 || write(fd, "\xf4", 1) != 1) /* hlt: the content never runs */
		return -1;
	close(fd);
	return chmod(unreadable_bin, 0);
}

static int teardown(void **state)
{
	unlink(empty_bin);
	unlink(unreadable_bin);
	rmdir(tmpdir);
	return 0;
}

int main(void)
{
	enum { N = sizeof(cases) / sizeof(cases[0]) };
	struct CMUnitTest tests[N + 1];

	for (unsigned i = 0; i < N; i++) {
		tests[i] = (struct CMUnitTest)cmocka_unit_test_prestate(run_bad_case, (void *)&cases[i]);
		tests[i].name = cases[i].what;
	}
	tests[N] = (struct CMUnitTest)cmocka_unit_test(help_documents_exit_codes);
	return cmocka_run_group_tests_name("vibevmm command line", tests, setup, teardown);
}
