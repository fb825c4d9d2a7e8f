/*
 * Hostile guest suite (issue 7): each case of tests/hostile/hostile.S runs
 * on the hostile machine (tests/hostile/hostile.yaml) and attacks one
 * virtio device or the UART. vibevmm is judged from outside:
 *  - it neither crashes nor hangs (a deadline; a signal is a failure),
 *  - it exits with 0x7e, the guest's final debug-exit write, so the guest
 *    reached its end; any other status is the guest's failed check (codes
 *    in hostile.S: 0x12 = Status never showed DEVICE_NEEDS_RESET, ...),
 *  - the fault is logged, and rate-limited: the expected stderr line
 *    appears at least once and at most `max_lines` times,
 *  - case 29 (requests whose completions are never consumed) also keeps
 *    vibevmm's VmRSS below a bound while the guest loops.
 * The suite runs in the normal build and in `make test SAN=1`, where the
 * hostile vibevmm is built with ASan and UBSan: a stray host access aborts
 * it and shows here as a wrong exit status.
 */
#include <errno.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "vmm_run.h"

#ifndef HOSTILE_DIR
#error "HOSTILE_DIR and HOSTILE_VMM come from tests/hostile/rules.mk"
#endif

#define PASS 0x7e
#define RSS_BOUND_KB (64 * 1024) /* growth allowed while case 29 loops */

struct hcase {
	int n;
	const char *name;
	const char *log;     /* stderr line expected (NULL: none required) */
	unsigned max_lines;  /* rate limit: at most this many such lines */
	const char *out;     /* stdout must contain this (NULL: no check) */
	const char *mem;     /* --mem, or NULL */
};

/* Where a case breaks a device, the expected line is the reason the
 * transport logs with "device needs reset", exactly once. The sweeps fault ~16,000 times: the log must stay far below that. */
#define NR "device needs reset"
static const struct hcase cases[] = {
	{ 1, "desc_self_loop", "loop); " NR, 1, NULL, NULL },
	{ 2, "chain_longer_than_queue", "loop); " NR, 1, NULL, NULL },
	{ 3, "buf_outside_ram", "buffer not inside guest RAM; " NR, 1, NULL, NULL },
	{ 4, "buf_straddles_ram_end", "buffer not inside guest RAM; " NR, 1, NULL, NULL },
	{ 5, "buf_in_own_mmio", "buffer not inside guest RAM; " NR, 1, NULL, NULL },
	{ 6, "blk_buf_in_own_mmio", "buffer not inside guest RAM; " NR, 1, NULL, NULL },
	{ 7, "len_overflow_32bit", "overflows 32 bits; " NR, 1, NULL, NULL },
	{ 8, "avail_idx_jump", "avail idx moved more than the queue size ahead; " NR, 1, NULL, NULL },
	{ 9, "head_out_of_range", "head index out of range; " NR, 1, NULL, NULL },
	{ 10, "next_out_of_range", "next index out of range; " NR, 1, NULL, NULL },
	{ 11, "qnum_not_pow2", "not a power of two; " NR, 1, NULL, NULL },
	{ 12, "qnum_above_max", "not a power of two; " NR, 1, NULL, NULL },
	{ 13, "qnum_zero", "not a power of two; " NR, 1, NULL, NULL },
	{ 14, "ring_misaligned", "ring address misaligned; " NR, 1, NULL, NULL },
	{ 15, "ring_outside_ram", "ring not inside guest RAM; " NR, 1, NULL, NULL },
	{ 16, "ring_in_mmio", "ring not inside guest RAM; " NR, 1, NULL, NULL },
	/* Logged only when the I/O thread sees the kick before DRIVER_OK
	 * (hostile.S case 17): no log requirement. */
	{ 17, "notify_before_driver_ok", NULL, 0, NULL, NULL },
	{ 18, "features_not_offered", "FEATURES_OK refused", 2, NULL, NULL },
	{ 19, "queue_setup_after_driver_ok", "queue setup after DRIVER_OK; " NR, 1, NULL, NULL },
	{ 20, "status_bits_cleared", "status bits cleared without a reset; " NR, 1, NULL, NULL },
	{ 21, "features_ok_skipped", "DRIVER_OK without FEATURES_OK; " NR, 1, NULL, NULL },
	{ 22, "sweep_blk", "blk0: virtio:", 200, NULL, NULL },
	{ 23, "sweep_net", "net0: virtio:", 200, NULL, NULL },
	{ 24, "sweep_console", "console0: virtio:", 200, NULL, NULL },
	{ 25, "sweep_rng", "rng0: virtio:", 200, NULL, NULL },
	{ 26, "uart_sweep", NULL, 0, "hostile: uart still talks", NULL },
	{ 27, "uart_divisor_zero", NULL, 0, "hostile: uart still talks", NULL },
	{ 28, "unmapped_flood", "no device there", 50, NULL, NULL },
	{ 29, "used_never_consumed", NULL, 0, NULL, NULL },
	{ 30, "rng_huge_request", NULL, 0, NULL, "1536M" },
	{ 31, "blk_sector_beyond_disk", NULL, 0, NULL, NULL },
	{ 32, "net_tx_loop", "loop); " NR, 1, NULL, NULL },
	{ 33, "console_tx_outside_ram", "buffer not inside guest RAM; " NR, 1, NULL, NULL },
	{ 34, "indirect_bad", "indirect", 2, NULL, NULL },
	{ 35, "absent_queue", "absent queue", 50, NULL, NULL },
	{ 36, "reset_recovers", "loop); " NR, 1, NULL, NULL },
	{ 37, "buf_in_other_device", "buffer not inside guest RAM; " NR, 1, NULL, NULL },
	{ 38, "config_odd_access", "config", 50, NULL, NULL },
};
#define NCASES (sizeof(cases) / sizeof(cases[0]))

static char disk[] = "/tmp/vibe-hostile-disk-XXXXXX";
static char cons[] = "/tmp/vibe-hostile-cons-XXXXXX";

static int setup(void **state)
{
	(void)state;
	int fd = mkstemp(disk), cfd = mkstemp(cons);
	if (fd < 0 || cfd < 0 || ftruncate(fd, 64 * 1024) < 0)
		return -1;
	close(fd);
	close(cfd);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	unlink(disk);
	unlink(cons);
	return 0;
}

/* VmRSS watch for case 29: the child writes its pid to a pipe before exec
 * (vmm_opts.child_setup), a thread polls /proc/PID/status meanwhile. */
static int pid_pipe[2] = { -1, -1 };
static volatile long rss_first_kb, rss_max_kb;
static volatile int rss_samples;
static volatile int watching;

static void child_tell_pid(void)
{
	pid_t p = getpid();
	if (write(pid_pipe[1], &p, sizeof(p)) < 0)
		_exit(126);
	close(pid_pipe[0]);
	close(pid_pipe[1]);
}

static long vmrss_kb(pid_t pid)
{
	char path[64], line[256];
	long kb = -1;
	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	FILE *f = fopen(path, "r");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "VmRSS: %ld", &kb) == 1)
			break;
	fclose(f);
	return kb;
}

static void *watch_rss(void *arg)
{
	(void)arg;
	pid_t pid;
	if (read(pid_pipe[0], &pid, sizeof(pid)) != sizeof(pid))
		return NULL;
	/* The exec has to happen before the numbers are vibevmm's. */
	struct timespec ts = { 0, 200 * 1000 * 1000 };
	nanosleep(&ts, NULL);
	ts.tv_nsec = 50 * 1000 * 1000;
	while (watching) {
		long kb = vmrss_kb(pid);
		if (kb < 0)
			break;
		if (!rss_first_kb)
			rss_first_kb = kb;
		if (kb > rss_max_kb)
			rss_max_kb = kb;
		rss_samples++;
		nanosleep(&ts, NULL);
	}
	return NULL;
}

static void show(const struct vmm_result *r)
{
	const char *err = r->err;
	if (r->err_len > 3000)
		err += r->err_len - 3000;
	print_message("--- stdout (%zu bytes):\n%.2000s\n--- stderr tail:\n%s\n---\n",
		      r->out_len, r->out, err);
}

static void run_case(void **state)
{
	const struct hcase *c = *state;
	char bin[512], diskarg[128], consarg[128];
	const char *argv[16];
	unsigned n = 0;
	struct vmm_opts opts = { .timeout_ms = 60000 };
	struct vmm_result r;
	pthread_t th;
	int rss = c->n == 29;

	if (!have_kvm()) {
		print_message("SKIP: no /dev/kvm\n");
		skip();
	}
	if (access(HOSTILE_VMM, X_OK) != 0)
		fail_msg("%s is not built (make %s)", HOSTILE_VMM, HOSTILE_VMM);
	snprintf(bin, sizeof(bin), "%s/case_%d.bin", HOSTILE_DIR, c->n);
	snprintf(diskarg, sizeof(diskarg), "blk0=%s", disk);
	snprintf(consarg, sizeof(consarg), "console0=file:%s", cons);
	argv[n++] = HOSTILE_VMM;
	argv[n++] = "--binary";
	argv[n++] = bin;
	argv[n++] = "--entry";
	argv[n++] = "0x10000";
	argv[n++] = "--disk";
	argv[n++] = diskarg;
	argv[n++] = "--console";
	argv[n++] = consarg;
	if (c->mem) {
		argv[n++] = "--mem";
		argv[n++] = c->mem;
	}
	argv[n] = NULL;

	if (rss) {
		assert_int_equal(pipe(pid_pipe), 0);
		rss_first_kb = rss_max_kb = 0;
		rss_samples = 0;
		watching = 1;
		opts.child_setup = child_tell_pid;
		assert_int_equal(pthread_create(&th, NULL, watch_rss, NULL), 0);
	}
	int started = vmm_run(argv, &opts, &r);
	if (rss) {
		watching = 0;
		close(pid_pipe[1]);
		pthread_join(th, NULL);
		close(pid_pipe[0]);
	}
	if (started < 0)
		fail_msg("cannot start %s", HOSTILE_VMM);

	if (!r.exited || r.status != PASS) {
		show(&r);
		fail_msg("case %d %s: expected exit status 0x%x (guest reached its end), vibevmm %s",
			 c->n, c->name, PASS, vmm_describe(&r));
	}
	if (c->log) {
		const char *needles[] = { c->log, NULL };
		unsigned lines = count_lines_with(r.err, needles);
		if (lines < 1 || lines > c->max_lines) {
			show(&r);
			fail_msg("case %d %s: %u stderr lines with \"%s\", want 1..%u",
				 c->n, c->name, lines, c->log, c->max_lines);
		}
	}
	/* memmem: the UART sweep sends NUL bytes too */
	if (c->out && !memmem(r.out, r.out_len, c->out, strlen(c->out))) {
		show(&r);
		fail_msg("case %d %s: stdout lacks \"%s\"", c->n, c->name, c->out);
	}
	if (rss) {
		print_message("case 29: VmRSS %ld kB first, %ld kB max, %d samples\n",
			      rss_first_kb, rss_max_kb, rss_samples);
		/* A bound checked on one sample would prove nothing. */
		if (rss_samples < 3)
			fail_msg("case 29: only %d VmRSS samples of vibevmm", rss_samples);
		if (rss_max_kb - rss_first_kb > RSS_BOUND_KB)
			fail_msg("case 29: VmRSS grew by %ld kB (bound %d kB)",
				 rss_max_kb - rss_first_kb, RSS_BOUND_KB);
	}
	vmm_result_free(&r);
}

int main(void)
{
	struct CMUnitTest tests[NCASES];

	for (size_t i = 0; i < NCASES; i++)
		tests[i] = (struct CMUnitTest){ .name = cases[i].name, .test_func = run_case,
						.initial_state = (void *)&cases[i] };
	return _cmocka_run_group_tests("hostile", tests, NCASES, setup, teardown);
}
