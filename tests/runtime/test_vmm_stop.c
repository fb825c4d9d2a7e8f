/*
 * Stopping a running guest from outside: SIGTERM / SIGINT to vibevmm while
 * both testbed vCPUs spin inside the guest with no exits. vibevmm must kick
 * them out of KVM_RUN, join them and exit 128 + signal, promptly.
 */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>

static void need_kvm(void)
{
	if (access("/dev/kvm", R_OK | W_OK) != 0) {
		printf("SKIP: no /dev/kvm\n");
		skip();
	}
}

static long long now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000ll + ts.tv_nsec / 1000000;
}

/* Starts the spinning guest, sends `sig` after `delay_ms`, returns the
 * wait status; fails the test if vibevmm has not exited 5 s later. */
static int run_and_signal(int sig, int delay_ms)
{
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		int null = open("/dev/null", O_RDWR);
		dup2(null, 0);
		dup2(null, 1);
		dup2(null, 2);
		execl(TESTBED, TESTBED, "--binary", SPIN_BIN, (char *)NULL);
		_exit(127);
	}
	usleep((useconds_t)delay_ms * 1000);
	kill(pid, sig);
	long long deadline = now_ms() + 5000;
	int status;
	for (;;) {
		pid_t r = waitpid(pid, &status, WNOHANG);
		if (r == pid)
			return status;
		if (now_ms() > deadline) {
			kill(pid, SIGKILL);
			waitpid(pid, &status, 0);
			fail_msg("vibevmm still running 5 s after signal %d: vCPUs not kicked out of KVM_RUN", sig);
		}
		usleep(10000);
	}
}

static void expect_exit(int status, int code)
{
	if (WIFSIGNALED(status))
		fail_msg("vibevmm died of signal %d instead of exiting %d", WTERMSIG(status), code);
	assert_true(WIFEXITED(status));
	if (WEXITSTATUS(status) != code)
		fail_msg("vibevmm exited %d, expected %d", WEXITSTATUS(status), code);
}

static void sigterm_stops_spinning_vcpus_with_143(void **state)
{
	need_kvm();
	expect_exit(run_and_signal(SIGTERM, 300), 128 + SIGTERM);
}

static void sigint_stops_spinning_vcpus_with_130(void **state)
{
	need_kvm();
	expect_exit(run_and_signal(SIGINT, 300), 128 + SIGINT);
}

/* A signal during start-up, before the vCPUs run, must not be lost or
 * kill the process outright. */
static void early_sigterm_still_exits_cleanly(void **state)
{
	need_kvm();
	int status = run_and_signal(SIGTERM, 1);
	/* Before the VM is set up the default action may still apply (the
	 * process dies of SIGTERM); after it, vibevmm exits 143. Both end it. */
	if (WIFSIGNALED(status))
		assert_int_equal(WTERMSIG(status), SIGTERM);
	else
		assert_int_equal(WEXITSTATUS(status), 128 + SIGTERM);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(sigterm_stops_spinning_vcpus_with_143),
		cmocka_unit_test(sigint_stops_spinning_vcpus_with_130),
		cmocka_unit_test(early_sigterm_still_exits_cleanly),
	};
	return cmocka_run_group_tests_name("vmm_stop", tests, NULL, NULL);
}
