/*
 * make bench-snapshot: snapshot and restore of a 256 MiB guest that has
 * dirtied 64 MiB (count.S built with TOUCH_MB=64 SPIN=1, on the testbed
 * machine with --mem 256M). Not a test: it prints a table.
 *
 * Measured, median of RUNS:
 * - cold start to first instruction: exec of vibevmm until the guest's
 *   first output byte ('S', printed by its first instructions);
 * - snapshot: the api socket's "snapshot FILE" round trip (pause, write,
 *   resume), and vibevmm's own split (paused in / written in, --log 2);
 * - the file's apparent size (st_size) and allocated size (st_blocks);
 * - restore to first instruction: exec of `vibevmm --restore` until the
 *   restored guest's next output byte (the guest prints a line every
 *   ~0.25 ms here, so this is an upper bound by that much), and vibevmm's
 *   own "restored in" figure (checks + RAM copy + KVM state).
 * Timings on this shared 2-core host are noisy: compare the columns of one
 * run with each other, not across runs.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "snap_util.h"

#define RUNS 5

static int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

static double median(double *v, int n)
{
	qsort(v, (size_t)n, sizeof(*v), cmp);
	return v[n / 2];
}

/* The number after `key` in the file, or -1. */
static double figure(const char *path, const char *key)
{
	char *s = read_file(path, NULL);
	char *p = s ? strstr(s, key) : NULL;
	double v = p ? atof(p + strlen(key)) : -1;
	free(s);
	return v;
}

int main(void)
{
	char dir[] = "/tmp/vibe-bench-snap-XXXXXX";
	double cold[RUNS], snap[RUNS], paused[RUNS], written[RUNS], rest[RUNS], rest_in[RUNS];
	struct stat st = { 0 };
	char sock[256], file[256], cmd[300], reply[128];

	if (access("/dev/kvm", R_OK | W_OK) != 0) {
		printf("bench-snapshot: SKIP: no /dev/kvm\n");
		return 0;
	}
	if (!mkdtemp(dir))
		return 1;
	snprintf(sock, sizeof(sock), "%s/api.sock", dir);
	snprintf(file, sizeof(file), "%s/guest.snap", dir);
	snprintf(cmd, sizeof(cmd), "snapshot %s", file);
	for (int i = 0; i < RUNS; i++) {
		struct child c;
		const char *argv[] = { TESTBED, "--binary", GUEST_DIR "/count_touch64.bin", "--entry",
				       "0x10000", "--mem", "256M", "--api-socket", sock, "--log", "2", NULL };
		/* Old output gone first: the child truncates its file only
		 * after fork, and the wait must not see the last run's. */
		snprintf(c.out, sizeof(c.out), "%s/cold.out", dir);
		unlink(c.out);
		double t0 = mono_ms();
		if (child_start(&c, dir, "cold", argv) < 0)
			return 1;
		cold[i] = wait_bytes(c.out, 1, 20000) < 0 ? -1 : mono_ms() - t0;
		int fd = api_connect(sock, 10000);
		/* A few lines: the 64 MiB are dirtied and it counts. */
		if (cold[i] < 0 || fd < 0 || wait_lines(c.out, 5, 60000, c.pid) < 0) {
			fprintf(stderr, "bench-snapshot: the guest did not start\n");
			child_kill(&c);
			return 1;
		}
		double t1 = mono_ms();
		if (api_cmd(fd, cmd, reply, sizeof(reply), 60000) < 0 || strncmp(reply, "ok", 2)) {
			fprintf(stderr, "bench-snapshot: snapshot failed: %s\n", reply);
			child_kill(&c);
			return 1;
		}
		snap[i] = mono_ms() - t1;
		close(fd);
		child_kill(&c);
		paused[i] = figure(c.err, "paused in ");
		written[i] = figure(c.err, "written in ");
		stat(file, &st);

		const char *rargv[] = { TESTBED, "--restore", file, "--log", "2", NULL };
		snprintf(c.out, sizeof(c.out), "%s/restore.out", dir);
		unlink(c.out);
		t0 = mono_ms();
		if (child_start(&c, dir, "restore", rargv) < 0)
			return 1;
		rest[i] = wait_bytes(c.out, 1, 20000) < 0 ? -1 : mono_ms() - t0;
		child_kill(&c);
		rest_in[i] = figure(c.err, " bytes) in ");
		if (rest[i] < 0) {
			fprintf(stderr, "bench-snapshot: the restored guest printed nothing\n");
			return 1;
		}
	}
	printf("bench-snapshot: 256 MiB guest (testbed, --mem 256M), 64 MiB dirtied; median of %d runs\n",
	       RUNS);
	printf("| measure                                  | value      |\n");
	printf("|------------------------------------------|------------|\n");
	printf("| cold start to first instruction          | %7.2f ms |\n", median(cold, RUNS));
	printf("| snapshot (api round trip)                | %7.2f ms |\n", median(snap, RUNS));
	printf("|   of which pause (all vCPUs parked)      | %7.2f ms |\n", median(paused, RUNS));
	printf("|   of which writing the file              | %7.2f ms |\n", median(written, RUNS));
	printf("| snapshot file, apparent size             | %7.1f MiB |\n", st.st_size / 1048576.0);
	printf("| snapshot file, allocated on disk         | %7.1f MiB |\n", st.st_blocks * 512 / 1048576.0);
	printf("| restore to first instruction             | %7.2f ms |\n", median(rest, RUNS));
	printf("|   of which vibevmm's restore (check+load)| %7.2f ms |\n", median(rest_in, RUNS));
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	return system(cmd) == 0 ? 0 : 1;
}
