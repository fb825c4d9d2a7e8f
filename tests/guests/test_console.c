/*
 * The console on a real terminal: vibevmm runs on a pty (forkpty) under
 * sh, which prints the terminal settings (stty -g) before and after, so
 * the test sees raw mode come and go exactly as a user's shell would.
 * Checked: input reaches the guest with no local echo, Ctrl-a Ctrl-a sends
 * one Ctrl-a, Ctrl-a x quits with status 0, SIGTERM stops it, and the
 * terminal settings afterwards equal those before on both ways out.
 */
#include <errno.h>
#include <poll.h>
#include <pty.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "vmm_run.h"

struct pty_run { int fd; pid_t pid; char out[65536]; size_t len; };

static void pty_start(struct pty_run *p, const char *script)
{
	memset(p, 0, sizeof(*p));
	p->pid = forkpty(&p->fd, NULL, NULL, NULL);
	if (p->pid < 0)
		fail_msg("forkpty: %s", strerror(errno));
	if (p->pid == 0) {
		execl("/bin/sh", "sh", "-c", script, (char *)NULL);
		_exit(127);
	}
}

/* Read until `text` has appeared (returns 1) or timeout_ms passed. */
static int pty_wait_for(struct pty_run *p, const char *text, int timeout_ms)
{
	struct timespec t0, t;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (;;) {
		if (memmem(p->out, p->len, text, strlen(text)))
			return 1;
		clock_gettime(CLOCK_MONOTONIC, &t);
		int left = timeout_ms - (int)((t.tv_sec - t0.tv_sec) * 1000 + (t.tv_nsec - t0.tv_nsec) / 1000000);
		if (left <= 0)
			return 0;
		struct pollfd pfd = { .fd = p->fd, .events = POLLIN };
		if (poll(&pfd, 1, left) <= 0)
			continue;
		ssize_t n = read(p->fd, p->out + p->len, sizeof(p->out) - 1 - p->len);
		if (n <= 0)
			return memmem(p->out, p->len, text, strlen(text)) != NULL; /* EIO: child gone */
		p->len += (size_t)n;
		p->out[p->len] = 0;
	}
}

static void pty_send(struct pty_run *p, const char *s)
{
	if (write(p->fd, s, strlen(s)) != (ssize_t)strlen(s))
		fail_msg("write to pty: %s", strerror(errno));
}

static void pty_finish(struct pty_run *p)
{
	pty_wait_for(p, "\001never\001", 3000); /* drain until EOF or 3 s */
	kill(p->pid, SIGKILL);
	waitpid(p->pid, NULL, 0);
	close(p->fd);
}

/* The two "stty -g" lines the script printed around vibevmm must match. */
static void expect_same_settings(struct pty_run *p)
{
	char before[512], after[512];
	const char *b = strstr(p->out, "BEFORE=");
	const char *a = strstr(p->out, "AFTER=");

	if (!b || !a || sscanf(b, "BEFORE=%511s", before) != 1 || sscanf(a, "AFTER=%511s", after) != 1)
		fail_msg("no stty lines in the output:\n%s", p->out);
	if (strcmp(before, after) != 0)
		fail_msg("terminal not restored:\n before %s\n after  %s", before, after);
}

static char script[2048];

static void need_kvm(void)
{
	if (!have_kvm()) {
		print_message("SKIP: no /dev/kvm\n");
		skip();
	}
}

static void ctrl_a_x_quits_and_restores_the_terminal(void **state)
{
	struct pty_run p;

	need_kvm();
	snprintf(script, sizeof(script),
		 "echo BEFORE=$(stty -g); %s --binary %s/echo.bin --entry 0x10000; "
		 "echo RC=$?; echo AFTER=$(stty -g)", TESTBED, GUEST_DIR);
	pty_start(&p, script);
	if (!pty_wait_for(&p, "BEFORE=", 5000))
		fail_msg("the shell did not start:\n%s", p.out);
	usleep(500 * 1000); /* let vibevmm set raw mode before typing */
	pty_send(&p, "hi");
	if (!pty_wait_for(&p, "hi", 5000))
		fail_msg("the guest did not echo typed input:\n%s", p.out);
	pty_send(&p, "\001\001");
	if (!pty_wait_for(&p, "hi\001", 5000))
		fail_msg("Ctrl-a Ctrl-a should reach the guest as one Ctrl-a:\n%s", p.out);
	pty_send(&p, "\001x");
	if (!pty_wait_for(&p, "AFTER=", 10000))
		fail_msg("Ctrl-a x did not end vibevmm:\n%s", p.out);
	pty_finish(&p);
	if (!strstr(p.out, "RC=0"))
		fail_msg("Ctrl-a x should exit with status 0:\n%s", p.out);
	if (strstr(p.out, "hihi"))
		fail_msg("raw mode: the terminal must not echo locally:\n%s", p.out);
	expect_same_settings(&p);
}

static void sigterm_restores_the_terminal(void **state)
{
	struct pty_run p;

	need_kvm();
	/* stdin from /dev/tty: sh gives background jobs /dev/null otherwise. */
	snprintf(script, sizeof(script),
		 "echo BEFORE=$(stty -g); %s --binary %s/echo.bin --entry 0x10000 </dev/tty & pid=$!; "
		 "sleep 1; kill -TERM $pid; wait $pid; echo RC=$?; echo AFTER=$(stty -g)",
		 TESTBED, GUEST_DIR);
	pty_start(&p, script);
	if (!pty_wait_for(&p, "AFTER=", 15000))
		fail_msg("vibevmm did not stop on SIGTERM:\n%s", p.out);
	pty_finish(&p);
	if (strstr(p.out, "RC=0\r") || strstr(p.out, "RC=0\n"))
		fail_msg("a VM stopped by SIGTERM should not report success:\n%s", p.out);
	expect_same_settings(&p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(ctrl_a_x_quits_and_restores_the_terminal),
		cmocka_unit_test(sigterm_restores_the_terminal),
	};
	return cmocka_run_group_tests_name("console on a terminal", tests, NULL, NULL);
}
