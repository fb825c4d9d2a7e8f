/*
 * vmrun: run one VMM process for the Linux test bed and measure it.
 *
 *   vmrun [-t SECONDS] [-m MARKER] [-o CONSOLE_LOG] [-s SUMMARY] [-g GUEST_MIB]
 *         [-e PREFIX] -- CMD ARGS...
 *
 * Runs CMD in its own process group with stdin from /dev/null and its
 * stdout+stderr (the guest's serial console) copied to CONSOLE_LOG, and writes
 * a shell-sourceable SUMMARY:
 *   status=N       CMD's exit status (128+sig if killed, 124 on timeout)
 *   marker_ms=T    milliseconds from fork to the first console line holding
 *                  MARKER (-1 if it never came)
 *   exit_ms=T      milliseconds from fork to CMD's exit
 *   rss_kib=K      CMD's VmRSS when the marker arrived (-1 if not sampled)
 *   guest_kib=K    of that, resident guest RAM: the Rss of CMD's mappings whose
 *                  size is the guest RAM size (GUEST_MIB) up to +2 MiB
 *   vmm_kib=K      the Rss of the other mappings (smaps, read together with
 *                  guest_kib): the VMM's own memory (Firecracker's
 *                  method: RSS minus the guest memory it touched)
 * -e PREFIX copies console lines starting with PREFIX to stdout as they come
 * (run.sh shows verdicts live while L1 runs).
 *
 * Why a C helper rather than shell: the marker time is taken when the line
 * arrives, without a fork per console line; the process's memory is sampled
 * within microseconds of the marker, while the guest still runs; and a timeout
 * kills the whole process group, so no VMM outlives its test.
 * It is built statically so it runs inside the L1 initramfs as well.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static double now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static long status_field_kib(pid_t pid, const char *field)
{
	char path[64], line[256];
	long v = -1;
	size_t n = strlen(field);
	snprintf(path, sizeof path, "/proc/%d/status", (int)pid);
	FILE *f = fopen(path, "r");
	if (!f)
		return -1;
	while (fgets(line, sizeof line, f))
		if (!strncmp(line, field, n) && line[n] == ':') {
			v = strtol(line + n + 1, NULL, 10);
			break;
		}
	fclose(f);
	return v;
}

/* Rss (KiB) of the mappings sized like guest RAM: [ram, ram + 2 MiB]. QEMU and
 * vibevmm each map guest RAM as one anonymous region of that size; the slack
 * allows for an alignment tail. *all_kib: the Rss of every mapping, from the
 * same read, so that all minus guest is one consistent picture (VmRSS, read
 * apart from smaps, drifts by whole 2 MiB pages when guest RAM is backed by
 * transparent huge pages and the guest touches a new one in between).
 * Returns -1 if smaps can't be read. */
static long guest_rss_kib(pid_t pid, unsigned long ram_kib, long *all_kib)
{
	char path[64], line[512];
	long total = 0;
	int match = 0;
	*all_kib = 0;
	snprintf(path, sizeof path, "/proc/%d/smaps", (int)pid);
	FILE *f = fopen(path, "r");
	if (!f)
		return -1;
	while (fgets(line, sizeof line, f)) {
		unsigned long lo, hi;
		long kib;
		if (sscanf(line, "%lx-%lx ", &lo, &hi) == 2 && strchr(line, '-') < strchr(line, ' ')) {
			unsigned long sz = (hi - lo) / 1024;
			match = ram_kib && sz >= ram_kib && sz <= ram_kib + 2048;
		} else if (sscanf(line, "Rss: %ld kB", &kib) == 1) {
			*all_kib += kib;
			if (match)
				total += kib;
		}
	}
	fclose(f);
	return total;
}

static void usage(void)
{
	fprintf(stderr, "usage: vmrun [-t SECONDS] [-m MARKER] [-o LOG] [-s SUMMARY] [-g GUEST_MIB] [-e PREFIX] -- CMD ARGS...\n");
	exit(1);
}

int main(int argc, char **argv)
{
	double timeout_s = 60;
	const char *marker = NULL, *log_path = NULL, *sum_path = NULL, *echo = NULL;
	unsigned long guest_mib = 0;
	int opt;

	while ((opt = getopt(argc, argv, "+t:m:o:s:g:e:")) != -1) {
		switch (opt) {
		case 't': timeout_s = atof(optarg); break;
		case 'm': marker = optarg; break;
		case 'o': log_path = optarg; break;
		case 's': sum_path = optarg; break;
		case 'g': guest_mib = strtoul(optarg, NULL, 0); break;
		case 'e': echo = optarg; break;
		default: usage();
		}
	}
	if (optind >= argc)
		usage();

	FILE *log = log_path ? fopen(log_path, "w") : NULL;
	if (log_path && !log) {
		fprintf(stderr, "vmrun: %s: %s\n", log_path, strerror(errno));
		return 1;
	}
	int pfd[2];
	if (pipe2(pfd, O_CLOEXEC) < 0) {
		perror("vmrun: pipe");
		return 1;
	}

	double t0 = now_ms();
	pid_t pid = fork();
	if (pid < 0) {
		perror("vmrun: fork");
		return 1;
	}
	if (pid == 0) {
		setpgid(0, 0);
		/* Its own group (so the timeout reaches its helpers) takes it out
		 * of the caller's group: make sure it still dies with us. */
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (getppid() == 1)
			_exit(127);
		int null = open("/dev/null", O_RDONLY);
		dup2(null, 0);
		dup2(pfd[1], 1);
		dup2(pfd[1], 2);
		execvp(argv[optind], argv + optind);
		fprintf(stderr, "vmrun: exec %s: %s\n", argv[optind], strerror(errno));
		_exit(127);
	}
	setpgid(pid, pid); /* also here, so the group exists before any kill */
	close(pfd[1]);

	double marker_ms = -1;
	long rss = -1, guest = -1, all = -1;
	int timed_out = 0;
	char line[4096];
	size_t len = 0;

	/* Copy the console until EOF (every writer gone) or the deadline. */
	for (;;) {
		double left = timeout_s * 1e3 - (now_ms() - t0);
		if (left <= 0) {
			timed_out = 1;
			break;
		}
		struct pollfd p = { .fd = pfd[0], .events = POLLIN };
		int r = poll(&p, 1, left > 1000 ? 1000 : (int)left + 1);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			continue;
		char buf[4096];
		ssize_t n = read(pfd[0], buf, sizeof buf);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		if (log) {
			fwrite(buf, 1, n, log);
			fflush(log);
		}
		for (ssize_t i = 0; i < n; i++) {
			char c = buf[i];
			if (c != '\n' && len < sizeof line - 1) {
				line[len++] = c;
				continue;
			}
			if (c != '\n')
				continue; /* over-long line: keep its head, drop the rest */
			line[len] = 0;
			len = 0;
			if (echo && !strncmp(line, echo, strlen(echo))) {
				/* Serial consoles end lines with \r\n; show them without. */
				size_t l = strlen(line);
				if (l && line[l - 1] == '\r')
					line[l - 1] = 0;
				printf("%s\n", line);
				fflush(stdout);
			}
			if (marker && marker_ms < 0 && strstr(line, marker)) {
				marker_ms = now_ms() - t0;
				rss = status_field_kib(pid, "VmRSS");
				guest = guest_rss_kib(pid, guest_mib * 1024, &all);
			}
		}
	}
	if (timed_out) {
		kill(-pid, SIGKILL);
		kill(pid, SIGKILL);
	}
	int st = 0;
	while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
	double exit_ms = now_ms() - t0;
	/* Anything the VMM left in its group (helpers it forked) goes too. */
	kill(-pid, SIGKILL);
	int status = timed_out ? 124 : WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
	if (log)
		fclose(log);

	FILE *sum = sum_path ? fopen(sum_path, "w") : stdout;
	if (!sum) {
		fprintf(stderr, "vmrun: %s: %s\n", sum_path, strerror(errno));
		return 1;
	}
	fprintf(sum, "status=%d\nmarker_ms=%.0f\nexit_ms=%.0f\nrss_kib=%ld\nguest_kib=%ld\nvmm_kib=%ld\n",
		status, marker_ms, exit_ms, rss, guest,
		guest >= 0 ? all - guest : -1);
	if (sum != stdout)
		fclose(sum);
	return 0;
}
