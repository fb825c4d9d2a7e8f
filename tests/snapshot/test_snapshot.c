/*
 * Snapshot and restore, judged from outside (docs/architecture/snapshots.md):
 *
 * - count: the count guest (tests/guests/count.S) runs under the testbed
 *   vibevmm with --api-socket; once it has printed a few numbers it is
 *   paused and snapshotted through the socket, vibevmm is killed with
 *   SIGKILL, and `--restore` brings it back. The two runs' output, one
 *   after the other, must be exactly "S", 1, 2, 3, ...: no gap (state
 *   lost) and no repeat (state from before the snapshot). The same again
 *   with --snapshot-on-signal, taken while the guest runs.
 * - refusals: the snapshot restored by a vibevmm for another machine
 *   (bin/vibevmm, machines/virt.yaml), truncated, with a flipped byte,
 *   with a bad magic and with another version: each exits 1 with one
 *   line saying which.
 */
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "snap_util.h"

#ifndef GUEST_DIR
#error "GUEST_DIR, TESTBED and VIBEVMM come from tests/snapshot/rules.mk"
#endif

static char dir[256];     /* this run's scratch folder */
static char snap[512];    /* the good snapshot the refusal tests start from */

static int have_kvm(void)
{
	return access("/dev/kvm", R_OK | W_OK) == 0;
}

static void need_kvm(void)
{
	if (!have_kvm()) {
		print_message("SKIP: no /dev/kvm\n");
		skip();
	}
	if (access(TESTBED, X_OK) != 0)
		fail_msg("%s is not built (make %s)", TESTBED, TESTBED);
}

static void show(const char *what, const char *path)
{
	char *s = read_file(path, NULL);
	print_message("--- %s (%s):\n%.3000s\n---\n", what, path, s ? s : "(unreadable)");
	free(s);
}

/* Checks that text is "S\n1\n2\n...\nK\n" (a partial last line allowed)
 * and returns K; fails naming the first wrong line. */
static long check_sequence(const char *text)
{
	if (strncmp(text, "S\n", 2) != 0)
		fail_msg("output does not start with the guest's 'S' line: %.40s", text);
	long want = 1;
	const char *p = text + 2;
	for (;;) {
		const char *nl = strchr(p, '\n');
		if (!nl)
			break; /* partial last line: quit landed mid-number */
		char *end;
		long v = strtol(p, &end, 10);
		if (end != nl || v != want)
			fail_msg("line %ld: expected %ld, got '%.*s' (a %s)", want + 1, want,
				 (int)(nl - p), p, v > want ? "gap" : "repeat or garbage");
		want++;
		p = nl + 1;
	}
	return want - 1;
}

/* Starts the count guest (count.bin, or count_fast.bin when `fast`) with
 * two more arguments. */
static int fast;
static void start_count(struct child *c, const char *tag, const char *a1, const char *a2)
{
	const char *argv[] = { TESTBED, "--binary",
			       fast ? GUEST_DIR "/count_fast.bin" : GUEST_DIR "/count.bin",
			       "--entry", "0x10000", a1, a2, NULL };
	assert_int_equal(child_start(c, dir, tag, argv), 0);
}

/* Restores `file`, lets it print `more` lines, quits it through the
 * socket and returns its output. */
static char *restore_and_count(const char *file, const char *tag, unsigned more)
{
	char sock[512], reply[256];
	struct child c;
	snprintf(sock, sizeof(sock), "%s/%s.sock", dir, tag);
	const char *argv[] = { TESTBED, "--restore", file, "--api-socket", sock, NULL };
	assert_int_equal(child_start(&c, dir, tag, argv), 0);
	int fd = api_connect(sock, 10000);
	if (fd < 0 || wait_lines(c.out, more, 20000, c.pid) < 0) {
		child_kill(&c);
		show("restored run's stderr", c.err);
		fail_msg("the restored guest did not print %u lines", more);
	}
	assert_int_equal(api_cmd(fd, "quit", reply, sizeof(reply), 10000), 0);
	close(fd);
	int st = child_wait(&c, 10000);
	if (st != 0) {
		show("restored run's stderr", c.err);
		fail_msg("restored vibevmm ended with status %d after quit", st);
	}
	return read_file(c.out, NULL);
}

static void count_api_socket(unsigned lines)
{
	char sock[512], reply[256], cmd[600];
	struct child c;
	snprintf(sock, sizeof(sock), "%s/a.sock", dir);
	start_count(&c, "count1", "--api-socket", sock);
	int fd = api_connect(sock, 10000);
	if (fd < 0 || wait_lines(c.out, lines, 20000, c.pid) < 0) {
		child_kill(&c);
		show("stderr", c.err);
		fail_msg("the count guest did not start counting");
	}
	/* Paused first: once "pause" is answered the guest prints nothing
	 * more, so the first run's output is exactly what the snapshot holds. */
	assert_int_equal(api_cmd(fd, "pause", reply, sizeof(reply), 10000), 0);
	assert_string_equal(reply, "ok");
	snprintf(cmd, sizeof(cmd), "snapshot %s", snap);
	assert_int_equal(api_cmd(fd, cmd, reply, sizeof(reply), 20000), 0);
	if (strncmp(reply, "ok ", 3) != 0) {
		child_kill(&c);
		show("stderr", c.err);
		fail_msg("snapshot command answered '%s'", reply);
	}
	struct stat st;
	assert_int_equal(stat(snap, &st), 0);
	assert_int_equal((long long)st.st_size, atoll(reply + 3));
	child_kill(&c);
	close(fd);

	char *first = read_file(c.out, NULL);
	long k1 = check_sequence(first);
	char *second = restore_and_count(snap, "count2", lines);
	/* The restored run goes on mid-output; its first bytes must complete
	 * the first run's last line, if that was cut. */
	size_t n = strlen(first) + strlen(second) + 1;
	char *all = malloc(n);
	snprintf(all, n, "%s%s", first, second);
	long k2 = check_sequence(all);
	print_message("first run counted to %ld, the restored one on to %ld\n", k1, k2);
	assert_true(k2 >= k1 + lines - 2);
	free(first);
	free(second);
	free(all);
}

static void test_count_api_socket(void **state)
{
	(void)state;
	need_kvm();
	fast = 0;
	count_api_socket(12);
}

/* Without the spin the vCPU is nearly always handling a port I/O exit
 * when the pause comes: an OUT not completed before the save would be
 * executed again by the restored guest (a repeated character), an IN's
 * value lost. Several rounds, to land on one. The good snapshot the
 * refusal tests alter is the last one written here. */
static void test_count_pause_at_io(void **state)
{
	(void)state;
	need_kvm();
	fast = 1;
	for (int i = 0; i < 4; i++)
		count_api_socket(200);
	fast = 0;
}

/* Deterministically at a port I/O exit: the fast count guest's stdout is a
 * pipe nobody reads, so its vCPU thread soon blocks inside the UART's OUT
 * handler (console write). "pause" is sent then, and the pipe drained: the
 * vCPU comes back from the OUT with the pause requested and must complete
 * that OUT (KVM_RUN with immediate_exit) before saving, or the restored
 * guest executes it again (a repeated character). Checked by hand: on
 * mainline KVM RIP moves past an OUT only at that completion; this host's
 * kvm_pvm moves it before the exit, so here the check cannot bite (a
 * vibevmm without the completion still passes on kvm_pvm). */
static void test_pause_inside_out(void **state)
{
	(void)state;
	need_kvm();
	char sock[512], reply[256], cmd[600], file[512];
	int pfd[2];
	snprintf(sock, sizeof(sock), "%s/p.sock", dir);
	snprintf(file, sizeof(file), "%s/pipe.snap", dir);
	assert_int_equal(pipe(pfd), 0);
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		dup2(pfd[1], 1);
		close(pfd[0]);
		execl(TESTBED, TESTBED, "--binary", GUEST_DIR "/count_fast.bin", "--entry", "0x10000",
		      "--api-socket", sock, (char *)NULL);
		_exit(127);
	}
	close(pfd[1]);
	int fd = api_connect(sock, 10000);
	assert_true(fd >= 0);
	usleep(500000); /* the pipe fills; the vCPU blocks in its OUT */
	assert_int_equal(write(fd, "pause\n", 6), 6);
	usleep(100000); /* the kick lands while it is blocked */
	size_t cap = 1 << 20, n = 0;
	char *first = malloc(cap + 1);
	fcntl(pfd[0], F_SETFL, O_NONBLOCK);
	double t0 = mono_ms();
	while (mono_ms() - t0 < 1500 && n < cap) { /* drain until it stays empty */
		ssize_t k = read(pfd[0], first + n, cap - n);
		if (k > 0)
			n += (size_t)k;
		else
			usleep(20000);
	}
	first[n] = 0;
	/* The answer to "pause", now that the vCPU could park. */
	char line[64];
	size_t got = 0;
	for (t0 = mono_ms(); got + 1 < sizeof(line) && mono_ms() - t0 < 10000;) {
		ssize_t k = recv(fd, line + got, 1, MSG_DONTWAIT);
		if (k == 1 && line[got] == '\n')
			break;
		if (k == 1)
			got++;
		else
			usleep(5000);
	}
	line[got] = 0;
	struct child c = { .pid = pid };
	if (strcmp(line, "ok") != 0) {
		child_kill(&c);
		fail_msg("pause answered '%s'", line);
	}
	snprintf(cmd, sizeof(cmd), "snapshot %s", file);
	if (api_cmd(fd, cmd, reply, sizeof(reply), 20000) < 0 || strncmp(reply, "ok", 2)) {
		child_kill(&c);
		fail_msg("pause/snapshot answered '%s'", reply);
	}
	child_kill(&c);
	close(fd);
	close(pfd[0]);
	long k1 = check_sequence(first);
	char *second = restore_and_count(file, "pipe2", 50);
	size_t len = strlen(first) + strlen(second) + 1;
	char *all = malloc(len);
	snprintf(all, len, "%s%s", first, second);
	long k2 = check_sequence(all);
	print_message("blocked in OUT at %ld, the restored run counted on to %ld\n", k1, k2);
	free(first);
	free(second);
	free(all);
}

/* The signal path snapshots a running guest: the first run keeps printing
 * after the snapshot, so only the restored run's own output is checked,
 * and that it starts after where the signal caught the first. */
static void test_count_signal(void **state)
{
	(void)state;
	need_kvm();
	char file[512];
	struct child c;
	snprintf(file, sizeof(file), "%s/sig.snap", dir);
	start_count(&c, "sig1", "--snapshot-on-signal", file);
	if (wait_lines(c.out, 12, 20000, c.pid) < 0) {
		child_kill(&c);
		show("stderr", c.err);
		fail_msg("the count guest did not start counting");
	}
	kill(c.pid, SIGRTMIN + 2);
	struct stat st;
	double t0 = mono_ms();
	while (stat(file, &st) != 0 && mono_ms() - t0 < 10000)
		usleep(10000);
	usleep(100000); /* let it run on past the snapshot */
	child_kill(&c);
	if (stat(file, &st) != 0) {
		show("stderr", c.err);
		fail_msg("SIGRTMIN+2 wrote no snapshot to %s", file);
	}
	char *second = restore_and_count(file, "sig2", 12);
	/* Numbers go on from some point >= 11 without gap or repeat. */
	char *p = second;
	if (*p && strchr(p, '\n') && (p = strchr(p, '\n') + 1)) {
		long prev = strtol(p, NULL, 10);
		assert_true(prev >= 11);
		for (char *nl; (nl = strchr(p, '\n')) && strchr(nl + 1, '\n'); p = nl + 1) {
			long next = strtol(nl + 1, NULL, 10);
			if (next != prev + 1)
				fail_msg("restored run: %ld after %ld", next, prev);
			prev = next;
		}
	} else {
		fail_msg("restored run printed no full line: %.80s", second);
	}
	free(second);
}

/* Runs `vmm --restore file` and expects status 1 with one line on stderr
 * containing `needle`. */
static void expect_refusal(const char *vmm, const char *file, const char *needle)
{
	struct child c;
	const char *argv[] = { vmm, "--restore", file, NULL };
	assert_int_equal(child_start(&c, dir, "refuse", argv), 0);
	int st = child_wait(&c, 20000);
	char *err = read_file(c.err, NULL);
	assert_non_null(err);
	unsigned lines = 0;
	for (char *q = err; *q; q++)
		lines += *q == '\n';
	if (st != 1 || lines != 1 || !strstr(err, needle))
		fail_msg("%s --restore %s: status %d, stderr (%u lines) '%s', expected status 1 and one line with '%s'",
			 vmm, file, st, lines, err, needle);
	print_message("refused: %s", err);
	free(err);
}

/* A copy of the good snapshot with `len` bytes (0: all) and the byte at
 * `at` xor'ed with `flip` (flip 0: none); returns its path. */
static const char *altered(const char *name, long len, long at, uint8_t flip, const void *put,
			   size_t put_len)
{
	static char path[512];
	size_t n;
	char *s = read_file(snap, &n);
	assert_non_null(s);
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	FILE *f = fopen(path, "wb");
	assert_non_null(f);
	if (at >= 0 && (size_t)at < n)
		s[at] ^= (char)flip;
	if (put)
		memcpy(s + (at >= 0 ? at : 0), put, put_len);
	assert_int_equal(fwrite(s, 1, len ? (size_t)len : n, f), len ? (size_t)len : n);
	fclose(f);
	free(s);
	return path;
}

static void need_snapshot(void)
{
	need_kvm();
	if (access(snap, R_OK) != 0)
		fail_msg("no snapshot from test_count_api_socket to alter");
}

static void test_refuse_other_machine(void **state)
{
	(void)state;
	need_snapshot();
	if (access(VIBEVMM, X_OK) != 0)
		fail_msg("%s is not built", VIBEVMM);
	expect_refusal(VIBEVMM, snap, "taken on machine 'testbed'");
}

static void test_refuse_truncated(void **state)
{
	(void)state;
	need_snapshot();
	struct stat st;
	assert_int_equal(stat(snap, &st), 0);
	expect_refusal(TESTBED, altered("trunc.snap", st.st_size / 2, -1, 0, NULL, 0), "truncated");
	expect_refusal(TESTBED, altered("trunc2.snap", 100, -1, 0, NULL, 0), "truncated");
}

static void test_refuse_corrupted(void **state)
{
	(void)state;
	need_snapshot();
	struct stat st;
	assert_int_equal(stat(snap, &st), 0);
	/* In guest memory (the last page), then in the vCPU state. */
	expect_refusal(TESTBED, altered("flip1.snap", 0, st.st_size - 100, 0x01, NULL, 0), "corrupted");
	expect_refusal(TESTBED, altered("flip2.snap", 0, 400, 0x80, NULL, 0), "corrupted");
}

static void test_refuse_magic_version(void **state)
{
	(void)state;
	need_snapshot();
	expect_refusal(TESTBED, altered("magic.snap", 0, 0, 0, "NOTASNAP", 8), "bad magic");
	const uint32_t v = 99;
	expect_refusal(TESTBED, altered("version.snap", 0, 8, 0, &v, 4), "version 99");
	expect_refusal(TESTBED, "/nonexistent/x.snap", "No such file");
}

static int setup(void **state)
{
	(void)state;
	snprintf(dir, sizeof(dir), "/tmp/vibe-snap-XXXXXX");
	if (!mkdtemp(dir))
		return -1;
	snprintf(snap, sizeof(snap), "%s/count.snap", dir);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	char cmd[300];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	return system(cmd) == 0 ? 0 : -1;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_count_api_socket),
		cmocka_unit_test(test_count_pause_at_io),
		cmocka_unit_test(test_pause_inside_out),
		cmocka_unit_test(test_count_signal),
		cmocka_unit_test(test_refuse_other_machine),
		cmocka_unit_test(test_refuse_truncated),
		cmocka_unit_test(test_refuse_corrupted),
		cmocka_unit_test(test_refuse_magic_version),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
