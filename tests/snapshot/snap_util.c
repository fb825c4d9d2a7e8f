/*
 * See snap_util.h.
 */
#include "snap_util.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

double mono_ms(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1e3 + t.tv_nsec / 1e6;
}

static void sleep_ms(int ms)
{
	struct timespec t = { ms / 1000, (ms % 1000) * 1000000L };
	nanosleep(&t, NULL);
}

int child_start(struct child *c, const char *dir, const char *tag, const char *const argv[])
{
	snprintf(c->out, sizeof(c->out), "%s/%s.out", dir, tag);
	snprintf(c->err, sizeof(c->err), "%s/%s.err", dir, tag);
	c->pid = fork();
	if (c->pid < 0)
		return -1;
	if (c->pid == 0) {
		int in = open("/dev/null", O_RDONLY);
		int out = open(c->out, O_WRONLY | O_CREAT | O_TRUNC, 0644);
		int err = open(c->err, O_WRONLY | O_CREAT | O_TRUNC, 0644);
		if (in < 0 || out < 0 || err < 0)
			_exit(127);
		dup2(in, 0);
		dup2(out, 1);
		dup2(err, 2);
		execv(argv[0], (char *const *)argv);
		_exit(127);
	}
	return 0;
}

int child_wait(struct child *c, int timeout_ms)
{
	double end = mono_ms() + timeout_ms;
	int st;
	for (;;) {
		pid_t r = waitpid(c->pid, &st, WNOHANG);
		if (r == c->pid)
			break;
		if (r < 0)
			return -1;
		if (mono_ms() > end) {
			child_kill(c);
			return -1;
		}
		sleep_ms(5);
	}
	c->pid = 0;
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

void child_kill(struct child *c)
{
	if (c->pid <= 0)
		return;
	kill(c->pid, SIGKILL);
	waitpid(c->pid, NULL, 0);
	c->pid = 0;
}

int api_connect(const char *path, int timeout_ms)
{
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	double end = mono_ms() + timeout_ms;
	snprintf(a.sun_path, sizeof(a.sun_path), "%s", path);
	do {
		int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
		if (fd >= 0 && connect(fd, (struct sockaddr *)&a, sizeof(a)) == 0)
			return fd;
		if (fd >= 0)
			close(fd);
		sleep_ms(5);
	} while (mono_ms() < end);
	return -1;
}

int api_cmd(int fd, const char *cmd, char *reply, size_t len, int timeout_ms)
{
	char line[1024];
	int n = snprintf(line, sizeof(line), "%s\n", cmd);
	if (n < 0 || (size_t)n >= sizeof(line) || send(fd, line, (size_t)n, MSG_NOSIGNAL) != n)
		return -1;
	size_t have = 0;
	double end = mono_ms() + timeout_ms;
	while (have + 1 < len) {
		struct pollfd p = { fd, POLLIN, 0 };
		int left = (int)(end - mono_ms());
		if (left <= 0 || poll(&p, 1, left) <= 0)
			return -1;
		ssize_t k = read(fd, reply + have, 1);
		if (k <= 0)
			return -1;
		if (reply[have] == '\n')
			break;
		have++;
	}
	reply[have] = 0;
	return 0;
}

char *read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	size_t cap = 4096, n = 0;
	char *p = malloc(cap);
	for (size_t k; p && (k = fread(p + n, 1, cap - n - 1, f)) > 0;) {
		n += k;
		if (cap - n - 1 == 0) {
			char *q = realloc(p, cap * 2);
			if (!q) {
				free(p);
				p = NULL;
				break;
			}
			p = q;
			cap *= 2;
		}
	}
	fclose(f);
	if (p)
		p[n] = 0;
	if (len)
		*len = n;
	return p;
}

int wait_lines(const char *path, unsigned lines, int timeout_ms, pid_t pid)
{
	double end = mono_ms() + timeout_ms;
	do {
		size_t len;
		char *s = read_file(path, &len);
		unsigned n = 0;
		for (size_t i = 0; s && i < len; i++)
			n += s[i] == '\n';
		free(s);
		if (n >= lines)
			return 0;
		siginfo_t si;
		si.si_pid = 0;
		/* WNOWAIT: the caller still reaps it and sees its status. */
		if (pid > 0 && waitid(P_PID, (id_t)pid, &si, WEXITED | WNOHANG | WNOWAIT) == 0 &&
		    si.si_pid == pid)
			return -1;
		sleep_ms(10);
	} while (mono_ms() < end);
	return -1;
}

double wait_bytes(const char *path, size_t bytes, int timeout_ms)
{
	double t0 = mono_ms(), end = t0 + timeout_ms;
	struct stat st;
	do {
		if (stat(path, &st) == 0 && (size_t)st.st_size >= bytes)
			return mono_ms() - t0;
	} while (mono_ms() < end);
	return -1;
}
